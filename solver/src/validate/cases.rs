//! Cases: references, LA, family area, dates, health, needs, parties and preferences.
//!
//! A case whose own data means it cannot be held, for a reason the rules already give, is a
//! warning rather than an error, so one case never blocks everyone's roster: the case stays
//! in the problem, no option passes the rules, and the roster lists it as not held with that
//! rule as its reason. W2503: a required party is never available (`parties_available`).
//! W2504: a full-day case without a full-day template (`session_length`).
//!
//! A case whose own data is incomplete or inconsistent, so that holding it would be wrong
//! although no other rule rules it out, is a warning too: W2506 (LA not covered), W2507
//! (clock starting after the roster), W2508 (no parties), W2509 (no required party), W2510
//! (0 or more than 3 rooms) and W2511 (an empty ICB). The warning's code is kept in
//! [`model::Case::data_problem`], the rule `case_data` rules out every option of the case,
//! and the roster reports it not held for `case_data`.

use std::collections::{BTreeSet, HashMap};

use super::{collect_all, index_ids, need_language, Code, Ctx, IdRule, Report};
use crate::input::{CaseInput, Duration, InterpreterInput, MediatorInput, Mode, VenueInput};
use crate::model;

const MAX_ROOMS: u32 = 3;

/// What cases are checked against besides the shared lookups.
pub(super) struct Others<'a> {
    pub(super) venue_index: &'a HashMap<String, usize>,
    pub(super) venues: &'a [VenueInput],
    /// Normalised languages spoken by some mediator or offered by some interpreter.
    pub(super) languages: BTreeSet<String>,
}

pub(super) fn spoken_languages(
    mediators: &[MediatorInput],
    interpreters: &[InterpreterInput],
) -> BTreeSet<String> {
    let mediator_languages = mediators.iter().flat_map(|m| &m.languages);
    let interpreter_languages = interpreters.iter().flat_map(|i| &i.languages);
    mediator_languages
        .chain(interpreter_languages)
        .filter_map(|l| need_language(l))
        .collect()
}

pub(super) fn build_cases(
    ctx: &Ctx,
    others: &Others,
    input: &[CaseInput],
    r: &mut Report,
) -> (Option<Vec<model::Case>>, HashMap<String, usize>) {
    if input.is_empty() {
        r.add(
            Code::W2505,
            "/cases",
            "the problem has no cases: the roster will hold no meeting",
            "Nothing to do if no case was agreed for these dates; otherwise check that the cases were exported.",
        );
    }
    let rule = IdRule {
        collection: "cases",
        field: "reference",
        noun: "case",
        empty_code: Code::E1502,
        duplicate_code: Code::E1501,
    };
    let index = index_ids(input.iter().map(|c| c.reference.as_str()), &rule, r);
    let built = input
        .iter()
        .enumerate()
        .map(|(i, c)| build_case(ctx, others, i, c, r))
        .collect();
    (collect_all(built), index)
}

fn build_case(
    ctx: &Ctx,
    others: &Others,
    i: usize,
    c: &CaseInput,
    r: &mut Report,
) -> Option<model::Case> {
    let path = format!("/cases/{i}");
    let la_problem = check_case_la(ctx, c, &path, r);
    let family_area = ctx.area(
        &c.family_area,
        &format!("{path}/family_area"),
        Code::E1505,
        &format!("case \"{}\" family_area", c.reference),
        r,
    );
    let date_problem = check_case_dates(ctx, c, &path, r);
    let health_problem = check_case_health(c, &path, r);
    let needs_problem = check_case_needs(ctx, others, c, &path, r);
    let parties_problem = check_case_parties(c, &path, r);
    let parties = build_parties(ctx, c, &path, r);
    // The first case-level data problem found, in the order of the checks.
    let data_problem = [
        la_problem,
        date_problem,
        health_problem,
        needs_problem,
        parties_problem,
    ]
    .into_iter()
    .flatten()
    .next()
    .map(Code::as_str);
    let preferred_areas = resolve_preferred_areas(ctx, c, &path, r);
    let preferred_venues = resolve_preferred_venues(others, c, &path, r);
    let mut accepted_modes: BTreeSet<Mode> = c.accepted_modes.iter().copied().collect();
    accepted_modes.insert(c.preferred_mode);
    Some(model::Case {
        reference: c.reference.clone(),
        la: c.la.clone(),
        family_area: family_area?,
        school: c.school.clone(),
        clock_start: c.clock_start,
        icb: c.health.as_ref().map(|h| h.icb.clone()),
        parties,
        preferred_mode: c.preferred_mode,
        accepted_modes,
        needs: model::Needs {
            rooms: c.needs.rooms,
            step_free: c.needs.step_free,
            hearing_loop: c.needs.hearing_loop,
            language: c.needs.language.as_deref().and_then(need_language),
        },
        duration: c.duration,
        short_notice_ok: c.short_notice_ok,
        preferred_areas: preferred_areas?,
        preferred_venues: preferred_venues?,
        venue_shortlist: BTreeSet::new(),
        published: None,
        data_problem,
    })
}

/// The suffix of every case-level data warning's message.
const NOT_HELD: &str =
    "the case cannot be held and is reported not held (case_data); the other cases are rostered";

/// E1503 (an LA that names nothing) is an error; W2506, an LA outside `covered_las`, is a
/// case-level warning, returned.
fn check_case_la(ctx: &Ctx, c: &CaseInput, path: &str, r: &mut Report) -> Option<Code> {
    let la_path = format!("{path}/la");
    let what = format!("case \"{}\" la", c.reference);
    if ctx.check_la(&c.la, &la_path, Code::E1503, &what, r) && !ctx.covered_las.contains(&c.la) {
        r.add(
            Code::W2506,
            la_path,
            format!("case \"{}\" is for LA {}, which the service does not cover: {NOT_HELD}", c.reference, c.la),
            format!("Add \"{}\" to covered_las if the service is contracted for it, or refer the case elsewhere.", c.la),
        );
        return Some(Code::W2506);
    }
    None
}

fn check_case_dates(ctx: &Ctx, c: &CaseInput, path: &str, r: &mut Report) -> Option<Code> {
    if c.clock_start > ctx.horizon.end {
        r.add(
            Code::W2507,
            format!("{path}/clock_start"),
            format!(
                "case \"{}\" starts its clock on {}, after the roster ends on {}: a case cannot have agreed mediation after the roster; {NOT_HELD}",
                c.reference, c.clock_start, ctx.horizon.end
            ),
            "Check the date the LA was told the parent wants mediation; a case agreed later belongs in a later roster.",
        );
        return Some(Code::W2507);
    }
    None
}

fn check_case_health(c: &CaseInput, path: &str, r: &mut Report) -> Option<Code> {
    if c.health.as_ref().is_some_and(|h| h.icb.trim().is_empty()) {
        r.add(
            Code::W2511,
            format!("{path}/health/icb"),
            format!("case \"{}\" involves health but names no ICB, so impartiality cannot be checked: {NOT_HELD}", c.reference),
            "Give the code of the NHS Integrated Care Board whose provision is in dispute, or leave health out.",
        );
        return Some(Code::W2511);
    }
    None
}

/// The needs' warnings; W2510 (a room count no meeting uses) is case-level, returned.
fn check_case_needs(
    ctx: &Ctx,
    others: &Others,
    c: &CaseInput,
    path: &str,
    r: &mut Report,
) -> Option<Code> {
    let rooms = c.needs.rooms;
    let rooms_problem = (rooms == 0 || rooms > MAX_ROOMS).then(|| {
        r.add(
            Code::W2510,
            format!("{path}/needs/rooms"),
            format!("case \"{}\" needs {rooms} rooms: {NOT_HELD}", c.reference),
            format!("A meeting uses 1 to {MAX_ROOMS} rooms: a joint room plus up to one breakout room per side."),
        );
        Code::W2510
    });
    if c.duration == Duration::FullDay && !ctx.templates.iter().any(|t| t.full_day) {
        r.add(
            Code::W2504,
            format!("{path}/duration"),
            format!(
                "case \"{}\" needs a full day but no session template is full_day: the case cannot be held and is reported not held (session_length); the other cases are rostered",
                c.reference
            ),
            "Add a full-day template (e.g. FULL 09:30–17:00 with full_day true), or make the case half_day.",
        );
    }
    if let Some(language) = c.needs.language.as_deref().and_then(need_language) {
        if !others.languages.contains(&language) {
            r.add(
                Code::W2501,
                format!("{path}/needs/language"),
                format!("case \"{}\" needs {language}, which no mediator speaks and no interpreter offers", c.reference),
                "Add an interpreter for the language, or a mediator who speaks it; the case cannot be held until then.",
            );
        }
    }
    check_case_venue_exists(others, c, path, r);
    rooms_problem
}

fn check_case_venue_exists(others: &Others, c: &CaseInput, path: &str, r: &mut Report) {
    let only_in_person =
        c.preferred_mode == Mode::InPerson && c.accepted_modes.iter().all(|m| *m == Mode::InPerson);
    let needs = &c.needs;
    let suitable = others.venues.iter().any(|v| {
        v.rooms >= needs.rooms
            && (!needs.step_free || v.step_free)
            && (!needs.hearing_loop || v.hearing_loop)
    });
    if only_in_person && !suitable {
        r.add(
            Code::W2502,
            format!("{path}/needs"),
            format!("case \"{}\" accepts only in-person meetings but no venue meets its needs", c.reference),
            "Add a venue with the rooms and access needed, or ask the family whether video or phone would do.",
        );
    }
}

/// W2508 (no parties) and W2509 (no required party), case-level, returned.
fn check_case_parties(c: &CaseInput, path: &str, r: &mut Report) -> Option<Code> {
    if c.parties.is_empty() {
        r.add(
            Code::W2508,
            format!("{path}/parties"),
            format!("case \"{}\" has no parties: {NOT_HELD}", c.reference),
            "List at least the parent (or young person) and the LA representative.",
        );
        Some(Code::W2508)
    } else if !c.parties.iter().any(|p| p.required) {
        r.add(
            Code::W2509,
            format!("{path}/parties"),
            format!("case \"{}\" has no required party: {NOT_HELD}", c.reference),
            "Mark the parent (or young person) and the LA representative as required.",
        );
        Some(Code::W2509)
    } else {
        None
    }
}

fn build_parties(ctx: &Ctx, c: &CaseInput, path: &str, r: &mut Report) -> Vec<model::Party> {
    c.parties
        .iter()
        .enumerate()
        .map(|(p, party)| {
            let party_path = format!("{path}/parties/{p}/availability");
            let availability = ctx.availability(&party.availability, &party_path, r);
            if party.required && ctx.is_never_free(&availability) {
                r.add(
                    Code::W2503,
                    party_path,
                    format!(
                        "the required {} of case \"{}\" is never available in the horizon: the case cannot be held and is reported not held (parties_available); the other cases are rostered",
                        party.role.as_str(),
                        c.reference
                    ),
                    "Add availability or mark the party not required.",
                );
            }
            model::Party {
                role: party.role,
                required: party.required,
                availability,
            }
        })
        .collect()
}

fn resolve_preferred_areas(
    ctx: &Ctx,
    c: &CaseInput,
    path: &str,
    r: &mut Report,
) -> Option<BTreeSet<model::AreaIdx>> {
    let what = format!("case \"{}\" preferred area", c.reference);
    let resolved: Vec<Option<usize>> = c
        .preferred_areas
        .iter()
        .enumerate()
        .map(|(k, code)| {
            ctx.area(
                code,
                &format!("{path}/preferred_areas/{k}"),
                Code::E1511,
                &what,
                r,
            )
        })
        .collect();
    resolved.into_iter().collect()
}

fn resolve_preferred_venues(
    others: &Others,
    c: &CaseInput,
    path: &str,
    r: &mut Report,
) -> Option<BTreeSet<model::VenueIdx>> {
    let resolved: Vec<Option<usize>> = c
        .preferred_venues
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let found = others.venue_index.get(id).copied();
            if found.is_none() {
                r.add(
                    Code::E1512,
                    format!("{path}/preferred_venues/{k}"),
                    format!(
                        "case \"{}\" prefers venue \"{id}\", which is not a venue id",
                        c.reference
                    ),
                    "Use the id of one of the venues listed in venues, or remove the preference.",
                );
            }
            found
        })
        .collect();
    resolved.into_iter().collect()
}
