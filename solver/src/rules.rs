//! Every hard rule, defined once.
//!
//! The candidate filter ([`crate::candidates`]), the independent checker
//! ([`crate::checker`]) and the explanations ([`crate::explain`]) all call these predicates.
//! Rules that concern a single option (one case with one mediator, date, session and place)
//! are composed here and nowhere else: [`STAGES`] is the one ordered list of them, grouped
//! in stages so callers can prune early, and [`breaks`] is the one definition of each. The
//! first rule an option breaks is the first hit of that list ([`first_broken`]); every rule
//! it breaks is every hit ([`placement_violations`]). The stage functions
//! ([`mediator_rule`], [`day_rule`], [`session_rule`], [`mediator_slot_rule`],
//! [`option_rule`], [`site_rule`], [`venue_rule`]) ask one stage with what is known at that
//! point. Rules between meetings (overlaps, travel, caps, rooms, interpreters) are pairwise
//! ([`conflicts_between`]) or counting ([`Occupancy`]) predicates here too.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::model::{Placement, Site};

use crate::calendar::iso_week;
use crate::geo;
use crate::model::{
    Case, CaseIdx, ConflictKind, DayIdx, Interpreter, InterpreterIdx, Mediator, MediatorIdx, Mode,
    Problem, SessionTemplate, TemplateIdx, Venue, VenueIdx,
};

/// A hard rule, with a stable code used in violations and reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    // Mediator stage.
    /// The case's own data is complete and consistent: no case-level validation warning
    /// marks it as one that must not be held ([`Case::data_problem`]).
    CaseData,
    /// The mediator covers the case's LA.
    Coverage,
    /// No declared conflict and no employment by the LA, the ICB, the school or the family.
    Impartiality,
    // Slot stage.
    /// The date lies inside the roster's horizon.
    WithinHorizon,
    /// No meetings on weekends or bank holidays.
    WorkingDay,
    /// At least 5 working days' notice from publication, unless short notice was accepted.
    Notice,
    /// Half-day cases take a half-day session, full-day cases a full-day one.
    SessionLength,
    /// Accreditation, SEND register, insurance and DBS all valid on the meeting date.
    Accreditation,
    /// The mediator is free for the whole session.
    MediatorAvailable,
    /// Every required party is free for the whole session.
    PartiesAvailable,
    // Site stage.
    /// The family accepts the meeting's mode.
    ModeAccepted,
    /// The venue has the rooms, step-free access and hearing loop the case needs.
    VenueNeeds,
    /// The venue is open for the whole session.
    VenueAvailable,
    /// The venue is within the family's maximum travel distance.
    FamilyTravel,
    /// The meeting's language is spoken by the mediator or by an interpreter booked for it.
    Language,
    // Between meetings.
    /// A mediator holds at most one meeting at a time.
    MediatorOverlap,
    /// A mediator's sessions per day stay within the cap.
    MediatorDayCap,
    /// A mediator's sessions per ISO week stay within the cap.
    MediatorWeekCap,
    /// A venue's rooms are never over-booked.
    VenueRooms,
    /// Two in-person meetings of one mediator on a day leave time to travel between venues.
    MediatorTravel,
    /// An interpreter is at one meeting at a time.
    InterpreterOverlap,
    /// Each case is held at most once, and only agreed cases of the problem are held.
    CaseOnce,
    /// An in-person meeting names a venue; a video or phone meeting names none.
    VenueMatchesMode,
    /// Every id in the roster names something in the problem.
    UnknownReference,
}

impl Rule {
    /// The stable code, as serialised.
    pub fn code(self) -> &'static str {
        match self {
            Rule::CaseData => "case_data",
            Rule::Coverage => "coverage",
            Rule::Impartiality => "impartiality",
            Rule::WithinHorizon => "within_horizon",
            Rule::WorkingDay => "working_day",
            Rule::Notice => "notice",
            Rule::SessionLength => "session_length",
            Rule::Accreditation => "accreditation",
            Rule::MediatorAvailable => "mediator_available",
            Rule::PartiesAvailable => "parties_available",
            Rule::ModeAccepted => "mode_accepted",
            Rule::VenueNeeds => "venue_needs",
            Rule::VenueAvailable => "venue_available",
            Rule::FamilyTravel => "family_travel",
            Rule::Language => "language",
            Rule::MediatorOverlap => "mediator_overlap",
            Rule::MediatorDayCap => "mediator_day_cap",
            Rule::MediatorWeekCap => "mediator_week_cap",
            Rule::VenueRooms => "venue_rooms",
            Rule::MediatorTravel => "mediator_travel",
            Rule::InterpreterOverlap => "interpreter_overlap",
            Rule::CaseOnce => "case_once",
            Rule::VenueMatchesMode => "venue_matches_mode",
            Rule::UnknownReference => "unknown_reference",
        }
    }

    /// What the rule demands, in a coordinator's words.
    pub fn description(self) -> &'static str {
        match self {
            Rule::CaseData => {
                "the case's data must be complete and consistent: see the case's validation warning"
            }
            Rule::Coverage => "the mediator must cover the case's local authority",
            Rule::Impartiality => {
                "the mediator must have no conflict with, and not be employed by, the LA, ICB, school or family"
            }
            Rule::WithinHorizon => "the meeting must fall inside the roster's dates",
            Rule::WorkingDay => "meetings are held on working days only",
            Rule::Notice => "the parent must have 5 working days' notice unless they accepted less",
            Rule::SessionLength => "the session must match the case's duration (half or full day)",
            Rule::Accreditation => {
                "accreditation, SEND register, insurance and DBS must be valid on the meeting date"
            }
            Rule::MediatorAvailable => "the mediator must be free for the whole session",
            Rule::PartiesAvailable => "every required party must be free for the whole session",
            Rule::ModeAccepted => "the family must accept the meeting's mode",
            Rule::VenueNeeds => "the venue must have the rooms and access the case needs",
            Rule::VenueAvailable => "the venue must be open for the whole session",
            Rule::FamilyTravel => {
                "the venue must be within the family's travel limit and among its nearest suitable venues"
            }
            Rule::Language => {
                "the mediator or a booked interpreter must speak the meeting's language, and no interpreter is booked for a meeting in English"
            }
            Rule::MediatorOverlap => "a mediator holds one meeting at a time",
            Rule::MediatorDayCap => "a mediator's sessions per day stay within their cap",
            Rule::MediatorWeekCap => "a mediator's sessions per week stay within their cap",
            Rule::VenueRooms => "a venue's rooms must not be over-booked",
            Rule::MediatorTravel => "a mediator needs time to travel between venues",
            Rule::InterpreterOverlap => "an interpreter attends one meeting at a time",
            Rule::CaseOnce => "each agreed case is held once",
            Rule::VenueMatchesMode => {
                "in-person meetings need a venue; video and phone meetings have none"
            }
            Rule::UnknownReference => "the roster must only name cases, mediators, venues and sessions of the problem",
        }
    }
}

// ---------------------------------------------------------------------------------------
// The order rules are tried in
// ---------------------------------------------------------------------------------------

/// The case's own data, then the mediator alone.
pub const MEDIATOR_STAGE: &[Rule] = &[Rule::CaseData, Rule::Coverage, Rule::Impartiality];
/// The case on a date.
pub const DAY_STAGE: &[Rule] = &[Rule::WithinHorizon, Rule::WorkingDay, Rule::Notice];
/// The case in a session of that date.
pub const SESSION_STAGE: &[Rule] = &[Rule::SessionLength, Rule::PartiesAvailable];
/// The mediator in that session. The caps here are one meeting alone over a cap (a full
/// day for a mediator capped at one session a day); the language needs the case.
pub const MEDIATOR_SLOT_STAGE: &[Rule] = &[
    Rule::Accreditation,
    Rule::MediatorAvailable,
    Rule::MediatorDayCap,
    Rule::MediatorWeekCap,
    Rule::Language,
];
/// The place: a venue, or video or phone.
pub const SITE_STAGE: &[Rule] = &[
    Rule::VenueMatchesMode,
    Rule::ModeAccepted,
    Rule::VenueNeeds,
    Rule::FamilyTravel,
    Rule::VenueAvailable,
];
/// Every single-meeting rule, stage by stage, in the order they are tried: the candidate
/// filter, the explanations and the checker all follow it (`docs/rules.md`).
pub const STAGES: [&[Rule]; 5] = [
    MEDIATOR_STAGE,
    DAY_STAGE,
    SESSION_STAGE,
    MEDIATOR_SLOT_STAGE,
    SITE_STAGE,
];

/// How the language rule sees interpreters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpreting {
    /// A placement: this interpreter (or none) is booked for it.
    Booked(Option<InterpreterIdx>),
    /// An option being considered: any interpreter who could attend would do.
    AnyFree,
}

/// What is known of an option when a rule is asked about it. A stage knows only its part;
/// a rule about something not known yet is not broken.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub case: Option<&'a Case>,
    pub mediator: Option<&'a Mediator>,
    pub day: Option<DayIdx>,
    pub template: Option<TemplateIdx>,
    pub site: Option<Site>,
    pub interpreter: Interpreting,
}

impl<'a> Facts<'a> {
    /// Only the case.
    pub fn of(case: &'a Case) -> Self {
        Facts {
            case: Some(case),
            mediator: None,
            day: None,
            template: None,
            site: None,
            interpreter: Interpreting::AnyFree,
        }
    }

    /// Everything about a placement.
    pub fn of_placement(problem: &'a Problem, p: &Placement) -> Self {
        Facts {
            case: Some(&problem.cases[p.case]),
            mediator: Some(&problem.mediators[p.mediator]),
            day: Some(p.day),
            template: Some(p.template),
            site: Some(p.site),
            interpreter: Interpreting::Booked(p.interpreter),
        }
    }

    pub fn with(self, mediator: &'a Mediator) -> Self {
        Facts {
            mediator: Some(mediator),
            ..self
        }
    }

    pub fn on(self, day: DayIdx) -> Self {
        Facts {
            day: Some(day),
            ..self
        }
    }

    pub fn at(self, day: DayIdx, template: TemplateIdx) -> Self {
        Facts {
            day: Some(day),
            template: Some(template),
            ..self
        }
    }

    pub fn held_at(self, site: Site) -> Self {
        Facts {
            site: Some(site),
            ..self
        }
    }
}

/// The first rule of `rules` (in their order) that `facts` break.
pub fn first_broken(problem: &Problem, rules: &[Rule], facts: &Facts) -> Option<Rule> {
    rules
        .iter()
        .copied()
        .find(|&rule| breaks(problem, rule, facts))
}

/// Whether `facts` break the single-meeting `rule`: the one definition of each. Rules
/// between meetings are never broken by one meeting's facts (see [`Occupancy`]).
pub fn breaks(problem: &Problem, rule: Rule, f: &Facts) -> bool {
    // The date, when the day is known and inside the horizon.
    let date = f.day.and_then(|d| problem.horizon.days.get(d).copied());
    let slot = f.day.zip(f.template).filter(|_| date.is_some());
    let venue = f.site.and_then(Site::venue);
    match rule {
        Rule::CaseData => f.case.is_some_and(|c| !case_data_sound(c)),
        Rule::Coverage | Rule::Impartiality => f
            .mediator
            .zip(f.case)
            .is_some_and(|(m, c)| mediator_breaks(rule, m, c)),
        Rule::WithinHorizon => f.day.is_some() && date.is_none(),
        Rule::WorkingDay => date.is_some_and(|d| !problem.calendar.is_working_day(d)),
        Rule::Notice => f
            .case
            .zip(date)
            .is_some_and(|(c, d)| d < earliest_meeting_date(problem, c)),
        Rule::SessionLength => f
            .case
            .zip(f.template)
            .is_some_and(|(c, t)| !problem.templates[t].serves(c.duration)),
        Rule::PartiesAvailable => f
            .case
            .zip(slot)
            .is_some_and(|(c, (d, t))| unavailable_party(c, d, t).is_some()),
        Rule::Accreditation => f
            .mediator
            .zip(date)
            .is_some_and(|(m, d)| !credentials_valid(m, d)),
        Rule::MediatorAvailable => f
            .mediator
            .zip(slot)
            .is_some_and(|(m, (d, t))| !m.availability.is_free(d, t)),
        Rule::MediatorDayCap => f.mediator.zip(slot).is_some_and(|(m, (_, t))| {
            problem.templates[t].session_units() > m.max_sessions_per_day
        }),
        Rule::MediatorWeekCap => f.mediator.zip(slot).is_some_and(|(m, (_, t))| {
            problem.templates[t].session_units() > m.max_sessions_per_week
        }),
        Rule::Language => match (f.case, f.mediator, slot) {
            (Some(c), Some(m), Some((d, t))) => match f.interpreter {
                Interpreting::Booked(k) => !language_met(problem, c, m, k, d, t),
                Interpreting::AnyFree => !language_possible(problem, c, m, d, t),
            },
            _ => false,
        },
        Rule::VenueMatchesMode => f.site == Some(Site::Remote(Mode::InPerson)),
        Rule::ModeAccepted => f
            .case
            .zip(f.site)
            .is_some_and(|(c, s)| !mode_accepted(c, s.mode())),
        Rule::VenueNeeds => f
            .case
            .zip(venue)
            .is_some_and(|(c, v)| !venue_meets_needs(&problem.venues[v], c)),
        Rule::FamilyTravel => f.case.zip(venue).is_some_and(|(c, v)| !venue_offered(c, v)),
        Rule::VenueAvailable => venue
            .zip(slot)
            .is_some_and(|(v, (d, t))| !venue_open(&problem.venues[v], d, t)),
        Rule::MediatorOverlap
        | Rule::MediatorTravel
        | Rule::VenueRooms
        | Rule::InterpreterOverlap
        | Rule::CaseOnce
        | Rule::UnknownReference => false,
    }
}

// ---------------------------------------------------------------------------------------
// Mediator stage
// ---------------------------------------------------------------------------------------

/// The case carries no case-level data problem found by validation
/// ([`Case::data_problem`]).
pub fn case_data_sound(case: &Case) -> bool {
    case.data_problem.is_none()
}

pub fn covers(mediator: &Mediator, case: &Case) -> bool {
    mediator.covers.contains(&case.la)
}

/// The mediator is independent of every party: no declared conflict and no employer in
/// common with the case's LA, its ICB (when health is involved), its school or its family.
pub fn is_impartial(mediator: &Mediator, case: &Case) -> bool {
    let parties: [(ConflictKind, Option<&str>); 4] = [
        (ConflictKind::La, Some(case.la.as_str())),
        (ConflictKind::Icb, case.icb.as_deref()),
        (ConflictKind::School, case.school.as_deref()),
        (ConflictKind::Case, Some(case.reference.as_str())),
    ];
    parties.iter().all(|(kind, id)| {
        let Some(id) = id else { return true };
        let declared = mediator
            .conflicts
            .iter()
            .any(|c| c.kind == *kind && c.id == *id);
        !declared && !mediator.employers.contains(*id)
    })
}

/// The first mediator-stage rule the pair breaks.
pub fn mediator_rule(mediator: &Mediator, case: &Case) -> Option<Rule> {
    MEDIATOR_STAGE
        .iter()
        .copied()
        .find(|&rule| mediator_breaks(rule, mediator, case))
}

/// The mediator-stage rules, which need neither the problem nor a date.
fn mediator_breaks(rule: Rule, mediator: &Mediator, case: &Case) -> bool {
    match rule {
        Rule::CaseData => !case_data_sound(case),
        Rule::Coverage => !covers(mediator, case),
        Rule::Impartiality => !is_impartial(mediator, case),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Slot stage
// ---------------------------------------------------------------------------------------

/// Every credential is still valid on `date` (an expiry date is the last valid day).
pub fn credentials_valid(mediator: &Mediator, date: NaiveDate) -> bool {
    let c = &mediator.credentials;
    [
        c.accreditation_expires,
        c.register_expires,
        c.insurance_expires,
        c.dbs_expires,
    ]
    .iter()
    .all(|expiry| date <= *expiry)
}

/// The earliest date a case may meet, given the roster's publication date.
pub fn earliest_meeting_date(problem: &Problem, case: &Case) -> NaiveDate {
    problem
        .calendar
        .earliest_meeting_date(problem.horizon.publication_date, case.short_notice_ok)
}

/// The last date a case can meet and still be held by day 30.
pub fn deadline(problem: &Problem, case: &Case) -> NaiveDate {
    problem.calendar.meeting_deadline(case.clock_start)
}

/// Whether a meeting on `date` misses the case's day 30. Late meetings are allowed (and
/// flagged); the objective keeps them as few and as early as possible.
pub fn is_late(problem: &Problem, case: &Case, date: NaiveDate) -> bool {
    date > deadline(problem, case)
}

/// The first required party not free for the session, if any.
pub fn unavailable_party(
    case: &Case,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<crate::model::PartyRole> {
    case.parties
        .iter()
        .find(|p| p.required && !p.availability.is_free(day, template))
        .map(|p| p.role)
}

/// Rules that depend on the date alone.
pub fn day_rule(problem: &Problem, case: &Case, day: DayIdx) -> Option<Rule> {
    first_broken(problem, DAY_STAGE, &Facts::of(case).on(day))
}

/// Rules that depend on the date and session but not on the mediator.
pub fn session_rule(
    problem: &Problem,
    case: &Case,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<Rule> {
    first_broken(problem, SESSION_STAGE, &Facts::of(case).at(day, template))
}

/// Rules that depend on the mediator, the date and the session, whatever the case (so
/// without [`Rule::Language`]; see [`option_rule`]).
pub fn mediator_slot_rule(
    problem: &Problem,
    mediator: &Mediator,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<Rule> {
    let facts = Facts {
        case: None,
        mediator: Some(mediator),
        day: Some(day),
        template: Some(template),
        site: None,
        interpreter: Interpreting::AnyFree,
    };
    if day >= problem.horizon.days.len() {
        return Some(Rule::WithinHorizon);
    }
    first_broken(problem, MEDIATOR_SLOT_STAGE, &facts)
}

/// The mediator-slot stage for one case: [`mediator_slot_rule`], then
/// [`Rule::Language`] (the mediator speaks it, or some interpreter could attend).
pub fn option_rule(
    problem: &Problem,
    case: &Case,
    mediator: &Mediator,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<Rule> {
    if day >= problem.horizon.days.len() {
        return Some(Rule::WithinHorizon);
    }
    first_broken(
        problem,
        MEDIATOR_SLOT_STAGE,
        &Facts::of(case).with(mediator).at(day, template),
    )
}

// ---------------------------------------------------------------------------------------
// Site stage
// ---------------------------------------------------------------------------------------

pub fn mode_accepted(case: &Case, mode: Mode) -> bool {
    case.accepted_modes.contains(&mode)
}

pub fn venue_meets_needs(venue: &Venue, case: &Case) -> bool {
    venue.rooms >= case.needs.rooms
        && (!case.needs.step_free || venue.step_free)
        && (!case.needs.hearing_loop || venue.hearing_loop)
}

/// Road km from the family's area to a venue.
pub fn family_travel_km(problem: &Problem, case: &Case, venue: &Venue) -> f64 {
    let area = &problem.areas[case.family_area];
    geo::road_km(&problem.travel, area.lat, area.lon, venue.lat, venue.lon)
}

/// Road km from the mediator's home area to a venue.
pub fn mediator_travel_km(problem: &Problem, mediator: &Mediator, venue: &Venue) -> f64 {
    let area = &problem.areas[mediator.home_area];
    geo::road_km(&problem.travel, area.lat, area.lon, venue.lat, venue.lon)
}

pub fn family_travel_ok(problem: &Problem, case: &Case, venue: &Venue) -> bool {
    family_travel_km(problem, case, venue) <= problem.travel.max_family_travel_km
}

/// The venues offered to a family: those meeting its needs within its travel limit, the
/// `venue_shortlist` nearest of them (ties by venue order) plus any it named as preferred.
/// Computed once per case by validation and kept in [`Case::venue_shortlist`].
pub fn venue_shortlist(problem: &Problem, case: &Case) -> std::collections::BTreeSet<VenueIdx> {
    let mut suitable: Vec<(f64, VenueIdx)> = problem
        .venues
        .iter()
        .enumerate()
        .filter(|(_, v)| venue_meets_needs(v, case) && family_travel_ok(problem, case, v))
        .map(|(i, v)| (family_travel_km(problem, case, v), i))
        .collect();
    suitable.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let preferred = suitable
        .iter()
        .filter(|(_, v)| case.preferred_venues.contains(v))
        .map(|(_, v)| *v);
    suitable
        .iter()
        .take(problem.travel.venue_shortlist as usize)
        .map(|(_, v)| *v)
        .chain(preferred)
        .collect()
}

/// The venue is within the family's travel limit and on its shortlist.
pub fn venue_offered(case: &Case, venue: VenueIdx) -> bool {
    case.venue_shortlist.contains(&venue)
}

/// The venue is open for the whole session.
pub fn venue_open(venue: &Venue, day: DayIdx, template: TemplateIdx) -> bool {
    venue.availability.is_free(day, template)
}

/// Rules of a venue alone (no date), in stage order.
pub fn venue_rule(problem: &Problem, case: &Case, venue: VenueIdx) -> Option<Rule> {
    place_rule(problem, case, Site::Venue(venue))
}

/// Rules of a place alone (a venue, video or phone; no date), in stage order.
pub fn place_rule(problem: &Problem, case: &Case, site: Site) -> Option<Rule> {
    first_broken(problem, SITE_STAGE, &Facts::of(case).held_at(site))
}

/// The first site-stage rule broken by holding `case` at `site` on `day` in `template`.
pub fn site_rule(
    problem: &Problem,
    case: &Case,
    site: Site,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<Rule> {
    first_broken(
        problem,
        SITE_STAGE,
        &Facts::of(case).at(day, template).held_at(site),
    )
}

// ---------------------------------------------------------------------------------------
// Language
// ---------------------------------------------------------------------------------------

pub fn mediator_speaks(mediator: &Mediator, language: &str) -> bool {
    mediator.languages.contains(language)
}

pub fn interpreter_can_attend(
    interpreter: &Interpreter,
    language: &str,
    day: DayIdx,
    template: TemplateIdx,
) -> bool {
    interpreter.languages.contains(language) && interpreter.availability.is_free(day, template)
}

/// Whether the language need of `case` is met by `mediator` or by `interpreter` booked for
/// the session. A case with no language need is always met (and must book no interpreter).
pub fn language_met(
    problem: &Problem,
    case: &Case,
    mediator: &Mediator,
    interpreter: Option<InterpreterIdx>,
    day: DayIdx,
    template: TemplateIdx,
) -> bool {
    match (&case.needs.language, interpreter) {
        (None, None) => true,
        (None, Some(_)) => false,
        (Some(lang), None) => mediator_speaks(mediator, lang),
        (Some(lang), Some(i)) => {
            interpreter_can_attend(&problem.interpreters[i], lang, day, template)
        }
    }
}

/// Whether the case's language need can be met in this session: the mediator speaks it,
/// or some interpreter could attend (the candidate filter and the explanations ask this).
pub fn language_possible(
    problem: &Problem,
    case: &Case,
    mediator: &Mediator,
    day: DayIdx,
    template: TemplateIdx,
) -> bool {
    case.needs
        .language
        .as_deref()
        .is_none_or(|lang| mediator_speaks(mediator, lang))
        || interpreter_exists(problem, case, day, template)
}

/// Whether some interpreter could meet the case's language need in this session.
pub fn interpreter_exists(
    problem: &Problem,
    case: &Case,
    day: DayIdx,
    template: TemplateIdx,
) -> bool {
    case.needs.language.as_ref().is_some_and(|lang| {
        problem
            .interpreters
            .iter()
            .any(|i| interpreter_can_attend(i, lang, day, template))
    })
}

// ---------------------------------------------------------------------------------------
// One whole option
// ---------------------------------------------------------------------------------------

/// Every single-meeting rule the placement breaks, in stage order ([`STAGES`]). Empty
/// means the meeting is allowed on its own; rules between meetings are checked by
/// [`conflicts_between`] and the counting rules ([`Occupancy`]), which also catch one
/// meeting alone over a cap, so the caps are not repeated here. A date outside the horizon
/// breaks [`Rule::WithinHorizon`] and no rule of a later stage is asked.
pub fn placement_violations(problem: &Problem, p: &Placement) -> Vec<Rule> {
    let facts = Facts::of_placement(problem, p);
    let mut broken = Vec::new();
    for stage in STAGES {
        for &rule in stage {
            if matches!(rule, Rule::MediatorDayCap | Rule::MediatorWeekCap) {
                continue;
            }
            if breaks(problem, rule, &facts) {
                broken.push(rule);
                if rule == Rule::WithinHorizon {
                    return broken;
                }
            }
        }
    }
    broken
}

// ---------------------------------------------------------------------------------------
// Between meetings
// ---------------------------------------------------------------------------------------

/// Whether two sessions on the same day overlap in time.
pub fn sessions_overlap(a: &SessionTemplate, b: &SessionTemplate) -> bool {
    a.overlaps(b)
}

/// Whether a mediator can get from the meeting at `from` (ending at `earlier`'s end) to
/// the one at `to` (starting at `later`'s start) on the same day. Remote meetings need no
/// travel; two meetings that overlap are never reachable.
pub fn travel_ok(
    problem: &Problem,
    from: Site,
    earlier: &SessionTemplate,
    to: Site,
    later: &SessionTemplate,
) -> bool {
    if later.start < earlier.end {
        return false;
    }
    let (Site::Venue(a), Site::Venue(b)) = (from, to) else {
        return true;
    };
    if a == b {
        return true;
    }
    let gap_minutes = (later.start - earlier.end).num_minutes() as f64;
    let (va, vb) = (&problem.venues[a], &problem.venues[b]);
    geo::travel_minutes(&problem.travel, va.lat, va.lon, vb.lat, vb.lon) <= gap_minutes
}

/// The rules broken by one mediator holding both meetings, when they fall on the same day.
pub fn conflicts_between(problem: &Problem, a: &Placement, b: &Placement) -> Option<Rule> {
    if a.day != b.day {
        return None;
    }
    let (ta, tb) = (
        &problem.templates[a.template],
        &problem.templates[b.template],
    );
    if sessions_overlap(ta, tb) {
        return Some(Rule::MediatorOverlap);
    }
    let ok = if ta.end <= tb.start {
        travel_ok(problem, a.site, ta, b.site, tb)
    } else {
        travel_ok(problem, b.site, tb, a.site, ta)
    };
    (!ok).then_some(Rule::MediatorTravel)
}

// ---------------------------------------------------------------------------------------
// Counting rules
// ---------------------------------------------------------------------------------------

/// The counting rules' limits: `Some(limit)` when `used` (session units of a mediator on
/// a day or in an ISO week, rooms of a venue at one instant) breaks `rule`, None when it
/// keeps it (or `rule` is not a counting rule). The checker counts a raw roster with it,
/// [`Occupancy`] a roster being built.
pub fn over_limit(problem: &Problem, rule: Rule, at: Counted, used: u32) -> Option<u32> {
    let limit = match (rule, at) {
        (Rule::MediatorDayCap, Counted::Mediator(m)) => problem.mediators[m].max_sessions_per_day,
        (Rule::MediatorWeekCap, Counted::Mediator(m)) => problem.mediators[m].max_sessions_per_week,
        (Rule::VenueRooms, Counted::Venue(v)) => problem.venues[v].rooms,
        _ => return None,
    };
    (used > limit).then_some(limit)
}

/// What a counting rule counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Mediator(MediatorIdx),
    Venue(VenueIdx),
}

/// The meetings already in a roster, indexed for "would this option fit?" questions: the
/// counting rules (a mediator's overlaps, travel, day and week caps; a venue's rooms; an
/// interpreter's sessions) as predicates over what is already booked. The explanations,
/// the greedy roster, re-planning, recommendations and fixes ask them here.
#[derive(Debug, Default, Clone)]
pub struct Occupancy {
    by_mediator_day: BTreeMap<(MediatorIdx, DayIdx), Vec<Placement>>,
    mediator_week_units: BTreeMap<(MediatorIdx, (i32, u32)), u32>,
    by_venue_day: BTreeMap<(usize, DayIdx), Vec<Placement>>,
    by_interpreter_day: BTreeMap<(usize, DayIdx), Vec<TemplateIdx>>,
}

impl Occupancy {
    pub fn new(problem: &Problem, placements: &[Placement]) -> Self {
        let mut o = Occupancy::default();
        for p in placements {
            o.add(problem, p);
        }
        o
    }

    pub fn add(&mut self, problem: &Problem, p: &Placement) {
        let units = problem.templates[p.template].session_units();
        let week = iso_week(problem.horizon.days[p.day]);
        self.by_mediator_day
            .entry((p.mediator, p.day))
            .or_default()
            .push(*p);
        *self
            .mediator_week_units
            .entry((p.mediator, week))
            .or_default() += units;
        if let Site::Venue(v) = p.site {
            self.by_venue_day.entry((v, p.day)).or_default().push(*p);
        }
        if let Some(i) = p.interpreter {
            self.by_interpreter_day
                .entry((i, p.day))
                .or_default()
                .push(p.template);
        }
    }

    /// The first between-meeting rule that adding `p` would break (ignoring the interpreter,
    /// see [`Occupancy::free_interpreter`]).
    pub fn blocking_rule(&self, problem: &Problem, p: &Placement) -> Option<Rule> {
        let same_day = self
            .by_mediator_day
            .get(&(p.mediator, p.day))
            .map(Vec::as_slice)
            .unwrap_or_default();
        if let Some(rule) = same_day
            .iter()
            .find_map(|q| conflicts_between(problem, q, p))
        {
            return Some(rule);
        }

        let units = problem.templates[p.template].session_units();
        let day_units: u32 = same_day
            .iter()
            .map(|q| problem.templates[q.template].session_units())
            .sum();
        let at = Counted::Mediator(p.mediator);
        if over_limit(problem, Rule::MediatorDayCap, at, day_units + units).is_some() {
            return Some(Rule::MediatorDayCap);
        }
        let week = iso_week(problem.horizon.days[p.day]);
        let week_units = self
            .mediator_week_units
            .get(&(p.mediator, week))
            .copied()
            .unwrap_or(0);
        if over_limit(problem, Rule::MediatorWeekCap, at, week_units + units).is_some() {
            return Some(Rule::MediatorWeekCap);
        }
        if let Site::Venue(v) = p.site {
            if !self.venue_has_room(problem, v, p) {
                return Some(Rule::VenueRooms);
            }
        }
        None
    }

    fn venue_has_room(&self, problem: &Problem, v: usize, p: &Placement) -> bool {
        let booked = self
            .by_venue_day
            .get(&(v, p.day))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let need = problem.cases[p.case].needs.rooms;
        let t = &problem.templates[p.template];
        // Rooms in use at each instant where a booked meeting overlapping `p` starts, and
        // at `p`'s own start: the peaks of an interval overlap.
        let instants = booked
            .iter()
            .map(|q| problem.templates[q.template].start.max(t.start))
            .chain(std::iter::once(t.start));
        instants.into_iter().all(|at| {
            let used: u32 = booked
                .iter()
                .filter(|q| {
                    let s = &problem.templates[q.template];
                    s.start <= at && at < s.end && s.overlaps(t)
                })
                .map(|q| problem.cases[q.case].needs.rooms)
                .sum();
            over_limit(problem, Rule::VenueRooms, Counted::Venue(v), used + need).is_none()
        })
    }

    /// An interpreter who speaks the case's language, is available and is not booked for
    /// an overlapping session that day.
    pub fn free_interpreter(
        &self,
        problem: &Problem,
        case: CaseIdx,
        day: DayIdx,
        template: TemplateIdx,
    ) -> Option<usize> {
        let lang = problem.cases[case].needs.language.as_deref()?;
        let t = &problem.templates[template];
        problem
            .interpreters
            .iter()
            .enumerate()
            .find(|(k, i)| {
                interpreter_can_attend(i, lang, day, template)
                    && self
                        .by_interpreter_day
                        .get(&(*k, day))
                        .is_none_or(|ts| ts.iter().all(|&o| !problem.templates[o].overlaps(t)))
            })
            .map(|(k, _)| k)
    }
}
