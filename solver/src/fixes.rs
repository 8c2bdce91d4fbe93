//! Suggested fixes: for every case a roster could not hold by its day 30 (unscheduled,
//! held late, or carried over to a later roster), the cheapest *single* change that would
//! let it be held on time, one per kind of change, ranked.
//!
//! Fixes are found, not guessed: each kind relaxes one rule for the case (a mediator's
//! availability, the family's accepted modes, a venue's opening, the notice period, one
//! party's availability, an interpreter's availability, a mediator's daily or weekly cap, a
//! mediator's coverage) on a copy of the problem, and asks [`recommend::recommend`] for the
//! case's options beside the roster's other meetings, which stay where they are. Only
//! on-time options count. Impartiality, accreditation, working days, session length, venue
//! needs and travel are never relaxed.
//!
//! A kind relaxes its rule for every mediator (venue, interpreter) at once, which finds the
//! cheapest of them in one call: a single meeting uses one mediator, one venue and one
//! session, so it needs the relaxation for that one item only. The best option is then
//! turned into the exact change ([`FixChange`]), applied alone ([`apply`]), and asked again:
//! the meeting and cost reported are those of the problem with only that change.
//!
//! Fixes are ranked by the option's cost plus a fixed *effort* per kind ([`effort`]), how
//! hard the change is to obtain: asking a family about video is easier than asking a
//! mediator to cover another LA. Efforts are a few thousand units, below the tiers that
//! matter more (mode 20,000; see `docs/objective.md`), so they only order fixes of similar
//! cost.
//!
//! ```
//! use mediation_solver::{candidates::Weights, fixes, milp::SolveOptions, schedule, validate};
//!
//! let json = include_str!("../../fixtures/week-2026-12-07.json");
//! let problem = validate::parse_problem(json).unwrap().problem;
//! let roster = schedule::schedule(&problem, &SolveOptions::default()).unwrap().roster;
//! let found = fixes::fixes(&problem, &roster, &Weights::default()).unwrap();
//! let greenwich = found.iter().find(|c| c.case == "SEN-2026-0499").unwrap();
//! assert_eq!(greenwich.fixes[0].kind, "mediator_coverage");
//! ```

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::calendar::iso_week;
use crate::candidates::Weights;
use crate::explain::{explain, Occupancy};
use crate::model::{CaseIdx, Mode, PartyRole, Problem};
use crate::recommend::{self, RecommendError, Recommendation, MAX_OPTIONS};
use crate::roster::{Reason, Roster};
use crate::rules;
use crate::schedule::placements_of;

/// One change to the problem that lets the case be held on time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FixChange {
    /// Nothing needs to change: an on-time option is free beside the roster already.
    NoneNeeded,
    /// The mediator adds the session on the date to their availability.
    MediatorAvailability {
        mediator: String,
        date: NaiveDate,
        session: String,
    },
    /// The family accepts a meeting in this mode (video or phone).
    AcceptMode { mode: Mode },
    /// The venue opens for the session on the date.
    VenueOpening {
        venue: String,
        date: NaiveDate,
        session: String,
    },
    /// The parent accepts shorter notice than 5 working days.
    ShortNotice,
    /// A required party (the `party`-th of the case, 0-based) attends the session on the date.
    PartyAvailability {
        party: usize,
        role: PartyRole,
        date: NaiveDate,
        session: String,
    },
    /// The interpreter adds the session on the date to their availability.
    InterpreterAvailability {
        interpreter: String,
        date: NaiveDate,
        session: String,
    },
    /// The mediator's daily cap rises from `from` to `to` (for a meeting on `date`).
    MediatorDayCap {
        mediator: String,
        date: NaiveDate,
        from: u32,
        to: u32,
    },
    /// The mediator's weekly cap rises from `from` to `to` (for a meeting on `date`).
    MediatorWeekCap {
        mediator: String,
        date: NaiveDate,
        from: u32,
        to: u32,
    },
    /// The mediator, impartial but not covering the case's LA, takes this case.
    MediatorCoverage { mediator: String, la: String },
}

impl FixChange {
    /// Stable snake_case code of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            FixChange::NoneNeeded => "none_needed",
            FixChange::MediatorAvailability { .. } => "mediator_availability",
            FixChange::AcceptMode { mode: Mode::Phone } => "accept_phone",
            FixChange::AcceptMode { .. } => "accept_video",
            FixChange::VenueOpening { .. } => "venue_opening",
            FixChange::ShortNotice => "short_notice",
            FixChange::PartyAvailability { .. } => "party_availability",
            FixChange::InterpreterAvailability { .. } => "interpreter_availability",
            FixChange::MediatorDayCap { .. } => "mediator_day_cap",
            FixChange::MediatorWeekCap { .. } => "mediator_week_cap",
            FixChange::MediatorCoverage { .. } => "mediator_coverage",
        }
    }
}

/// How hard a kind of change is to obtain, in objective units, added to the option's cost
/// to rank fixes: a call to the family is easiest, a contract change (coverage) hardest.
pub fn effort(change: &FixChange) -> i64 {
    match change {
        FixChange::NoneNeeded => 0,
        FixChange::ShortNotice | FixChange::AcceptMode { .. } => 1_000,
        FixChange::VenueOpening { .. } => 2_000,
        FixChange::PartyAvailability { .. } => 3_000,
        FixChange::MediatorAvailability { .. } | FixChange::InterpreterAvailability { .. } => 3_000,
        FixChange::MediatorDayCap { .. } | FixChange::MediatorWeekCap { .. } => 4_000,
        FixChange::MediatorCoverage { .. } => 8_000,
    }
}

/// One suggested fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// 1-based rank among the case's fixes.
    pub rank: usize,
    /// [`FixChange::kind`].
    pub kind: String,
    pub change: FixChange,
    /// What a coordinator can do, in one sentence.
    pub description: String,
    /// The meeting the change allows (the best on-time option once it is made).
    pub meeting: Recommendation,
    /// The meeting's cost in objective units.
    pub cost: i64,
    /// [`effort`] of the kind; fixes are ranked by `cost + effort`.
    pub effort: i64,
}

/// Where a case stands in the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CaseStatus {
    /// Not held, and its deadline is inside the horizon.
    Unscheduled,
    /// Held this many calendar days after its deadline.
    Late { days: i64 },
    /// Not held; its deadline lies after the horizon.
    CarriedOver,
}

/// The fixes for one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFixes {
    pub case: String,
    #[serde(flatten)]
    pub status: CaseStatus,
    pub deadline: NaiveDate,
    /// Best first; empty when no single change holds the case on time.
    pub fixes: Vec<Fix>,
    /// When `fixes` is empty: why the case cannot be held on time (reason codes as in a
    /// roster, counted up to the deadline).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_fix_reasons: Vec<Reason>,
}

/// Why fixes could not be computed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FixError {
    /// The roster's meetings name something unknown or break a rule (see
    /// [`RecommendError`]).
    #[error(transparent)]
    Recommend(#[from] RecommendError),
    /// A change names something the problem does not have.
    #[error("change: the problem has no {what} `{id}`")]
    UnknownId { what: &'static str, id: String },
}

impl FixError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            FixError::Recommend(e) => e.code(),
            FixError::UnknownId { .. } => "unknown_id",
        }
    }
}

/// The fixes for every case of `roster` not held by its day 30: unscheduled cases, late
/// meetings and carried-over cases, in that order (found in parallel with rayon).
pub fn fixes(
    problem: &Problem,
    roster: &Roster,
    weights: &Weights,
) -> Result<Vec<CaseFixes>, FixError> {
    let late = roster.meetings.iter().filter(|m| {
        problem
            .index
            .case
            .get(&m.case)
            .is_some_and(|&c| rules::is_late(problem, &problem.cases[c], m.date))
    });
    let refs: Vec<String> = roster
        .unscheduled
        .iter()
        .map(|u| u.case.clone())
        .chain(late.map(|m| m.case.clone()))
        .chain(roster.carried_over.iter().map(|c| c.case.clone()))
        .collect();
    // Each case's fixes are independent of the others': find them in parallel, in order.
    refs.par_iter()
        .map(|r| fixes_for_case(problem, roster, r, weights))
        .collect()
}

/// The fixes for one case. A meeting the case has in the roster is set aside: the fixes
/// replace it.
pub fn fixes_for_case(
    problem: &Problem,
    roster: &Roster,
    case_ref: &str,
    weights: &Weights,
) -> Result<CaseFixes, FixError> {
    let c = *problem
        .index
        .case
        .get(case_ref)
        .ok_or_else(|| RecommendError::UnknownCase(case_ref.to_string()))?;
    let case = &problem.cases[c];
    let deadline = rules::deadline(problem, case);
    let status = match roster.meetings.iter().find(|m| m.case == case_ref) {
        Some(m) => CaseStatus::Late {
            days: (m.date - deadline).num_days().max(0),
        },
        None if deadline > problem.horizon.end => CaseStatus::CarriedOver,
        None => CaseStatus::Unscheduled,
    };
    let others = Roster {
        meetings: roster
            .meetings
            .iter()
            .filter(|m| m.case != case_ref)
            .cloned()
            .collect(),
        ..Roster::default()
    };
    let on_time = |p: &Problem| -> Result<Option<Recommendation>, FixError> {
        let found = recommend::recommend(p, &others, case_ref, MAX_OPTIONS, weights)?;
        Ok(found.options.into_iter().find(|o| !o.late))
    };

    let mut found: Vec<(FixChange, Recommendation)> = Vec::new();
    if let Some(option) = on_time(problem)? {
        found.push((FixChange::NoneNeeded, option));
    } else {
        for (relaxed, attribute) in relaxations(problem, c, &others) {
            let Some(option) = best_attributed(&relaxed, &others, case_ref, weights, &attribute)?
            else {
                continue;
            };
            let Some(change) = attribute(&option) else {
                continue;
            };
            // The meeting and cost of the exact change, made alone.
            let exact = apply(problem, case_ref, &change)?;
            if let Some(option) = on_time(&exact)? {
                found.push((change, option));
            }
        }
    }

    found.sort_by_key(|(change, option)| (option.cost + effort(change), change.kind()));
    let fixes: Vec<Fix> = found
        .into_iter()
        .enumerate()
        .map(|(i, (change, meeting))| Fix {
            rank: i + 1,
            kind: change.kind().to_string(),
            description: describe(problem, &change, &meeting),
            cost: meeting.cost,
            effort: effort(&change),
            change,
            meeting,
        })
        .collect();
    let no_fix_reasons = if fixes.is_empty() {
        no_fix_reasons(problem, c, &others)
    } else {
        Vec::new()
    };
    Ok(CaseFixes {
        case: case_ref.to_string(),
        status,
        deadline,
        fixes,
        no_fix_reasons,
    })
}

/// Maps an on-time option of a relaxed problem to the single change it relies on (none
/// when it relies on nothing the relaxation changed).
type Attribute<'a> = Box<dyn Fn(&Recommendation) -> Option<FixChange> + 'a>;

/// The first on-time option of `relaxed` that the relaxation explains.
fn best_attributed(
    relaxed: &Problem,
    others: &Roster,
    case_ref: &str,
    weights: &Weights,
    attribute: &Attribute<'_>,
) -> Result<Option<Recommendation>, FixError> {
    let found = recommend::recommend(relaxed, others, case_ref, MAX_OPTIONS, weights)?;
    Ok(found
        .options
        .into_iter()
        .find(|o| !o.late && attribute(o).is_some()))
}

/// Each kind of relaxation: a relaxed copy of the problem, and how to read the exact change
/// off one of its options.
fn relaxations<'a>(
    problem: &'a Problem,
    c: CaseIdx,
    others: &Roster,
) -> Vec<(Problem, Attribute<'a>)> {
    let case = &problem.cases[c];
    let all =
        crate::model::Availability::always(problem.horizon.days.len(), problem.templates.len());
    let slot = move |o: &Recommendation| {
        let d = problem.horizon.day_index(o.date)?;
        let t = *problem.index.template.get(&o.session)?;
        Some((d, t))
    };
    let mediator = move |o: &Recommendation| problem.index.mediator.get(&o.mediator).copied();
    let mut out: Vec<(Problem, Attribute<'a>)> = Vec::new();

    // A mediator adds a session.
    let mut p = problem.clone();
    for m in &mut p.mediators {
        m.availability = all.clone();
    }
    out.push((
        p,
        Box::new(move |o| {
            let ((d, t), m) = (slot(o)?, mediator(o)?);
            (!problem.mediators[m].availability.is_free(d, t)).then(|| {
                FixChange::MediatorAvailability {
                    mediator: o.mediator.clone(),
                    date: o.date,
                    session: o.session.clone(),
                }
            })
        }),
    ));

    // The family accepts video, or phone.
    for mode in [Mode::Video, Mode::Phone] {
        if case.accepted_modes.contains(&mode) {
            continue;
        }
        let mut p = problem.clone();
        p.cases[c].accepted_modes.insert(mode);
        out.push((
            p,
            Box::new(move |o| (o.mode == mode).then_some(FixChange::AcceptMode { mode })),
        ));
    }

    // A venue opens.
    if case.accepted_modes.contains(&Mode::InPerson) {
        let mut p = problem.clone();
        for v in &mut p.venues {
            v.availability = all.clone();
        }
        out.push((
            p,
            Box::new(move |o| {
                let (d, t) = slot(o)?;
                let v = *problem.index.venue.get(o.venue.as_ref()?)?;
                (!rules::venue_open(&problem.venues[v], d, t)).then(|| FixChange::VenueOpening {
                    venue: o.venue.clone().unwrap_or_default(),
                    date: o.date,
                    session: o.session.clone(),
                })
            }),
        ));
    }

    // Shorter notice.
    if !case.short_notice_ok {
        let mut p = problem.clone();
        p.cases[c].short_notice_ok = true;
        let earliest = rules::earliest_meeting_date(problem, case);
        out.push((
            p,
            Box::new(move |o| (o.date < earliest).then_some(FixChange::ShortNotice)),
        ));
    }

    // One required party attends.
    for (k, party) in case.parties.iter().enumerate() {
        if !party.required || party.availability == all {
            continue;
        }
        let mut p = problem.clone();
        p.cases[c].parties[k].availability = all.clone();
        let role = party.role;
        out.push((
            p,
            Box::new(move |o| {
                let (d, t) = slot(o)?;
                (!problem.cases[c].parties[k].availability.is_free(d, t)).then(|| {
                    FixChange::PartyAvailability {
                        party: k,
                        role,
                        date: o.date,
                        session: o.session.clone(),
                    }
                })
            }),
        ));
    }

    // An interpreter adds a session.
    if case.needs.language.is_some() && !problem.interpreters.is_empty() {
        let mut p = problem.clone();
        for i in &mut p.interpreters {
            i.availability = all.clone();
        }
        out.push((
            p,
            Box::new(move |o| {
                let (d, t) = slot(o)?;
                let i = *problem.index.interpreter.get(o.interpreter.as_ref()?)?;
                (!problem.interpreters[i].availability.is_free(d, t)).then(|| {
                    FixChange::InterpreterAvailability {
                        interpreter: o.interpreter.clone().unwrap_or_default(),
                        date: o.date,
                        session: o.session.clone(),
                    }
                })
            }),
        ));
    }

    // A mediator takes one more session that day, or that week.
    let placements = placements_of(problem, others);
    let units_on = move |m: usize, keep: &dyn Fn(&rules::Placement) -> bool| -> u32 {
        placements
            .iter()
            .filter(|q| q.mediator == m && keep(q))
            .map(|q| problem.templates[q.template].session_units())
            .sum()
    };
    let units_on = std::rc::Rc::new(units_on);
    let day_load = units_on.clone();
    let mut p = problem.clone();
    for m in &mut p.mediators {
        m.max_sessions_per_day = m.max_sessions_per_day.saturating_add(2);
    }
    out.push((
        p,
        Box::new(move |o| {
            let ((d, t), m) = (slot(o)?, mediator(o)?);
            let cap = problem.mediators[m].max_sessions_per_day;
            let need = day_load(m, &|q| q.day == d) + problem.templates[t].session_units();
            (need > cap).then(|| FixChange::MediatorDayCap {
                mediator: o.mediator.clone(),
                date: o.date,
                from: cap,
                to: need,
            })
        }),
    ));
    let week_load = units_on;
    let mut p = problem.clone();
    for m in &mut p.mediators {
        m.max_sessions_per_week = m.max_sessions_per_week.saturating_add(2);
    }
    out.push((
        p,
        Box::new(move |o| {
            let ((_, t), m) = (slot(o)?, mediator(o)?);
            let week = iso_week(o.date);
            let cap = problem.mediators[m].max_sessions_per_week;
            let in_week = |q: &rules::Placement| iso_week(problem.horizon.days[q.day]) == week;
            let need = week_load(m, &in_week) + problem.templates[t].session_units();
            (need > cap).then(|| FixChange::MediatorWeekCap {
                mediator: o.mediator.clone(),
                date: o.date,
                from: cap,
                to: need,
            })
        }),
    ));

    // An impartial mediator covers the case's LA.
    let mut p = problem.clone();
    for m in &mut p.mediators {
        m.covers.insert(case.la.clone());
    }
    let la = case.la.clone();
    out.push((
        p,
        Box::new(move |o| {
            let m = mediator(o)?;
            (!problem.mediators[m].covers.contains(&la)).then(|| FixChange::MediatorCoverage {
                mediator: o.mediator.clone(),
                la: la.clone(),
            })
        }),
    ));
    out
}

/// The problem with `change` made for case `case_ref`, and nothing else.
pub fn apply(problem: &Problem, case_ref: &str, change: &FixChange) -> Result<Problem, FixError> {
    let unknown = |what: &'static str, id: &str| FixError::UnknownId {
        what,
        id: id.to_string(),
    };
    let c = *problem
        .index
        .case
        .get(case_ref)
        .ok_or_else(|| unknown("case", case_ref))?;
    let slot = |date: NaiveDate, session: &str| {
        let d = problem
            .horizon
            .day_index(date)
            .ok_or_else(|| unknown("horizon date", &date.to_string()))?;
        let t = *problem
            .index
            .template
            .get(session)
            .ok_or_else(|| unknown("session", session))?;
        Ok::<_, FixError>((d, t))
    };
    let mediator = |id: &str| {
        problem
            .index
            .mediator
            .get(id)
            .copied()
            .ok_or_else(|| unknown("mediator", id))
    };
    let mut p = problem.clone();
    match change {
        FixChange::NoneNeeded => {}
        FixChange::MediatorAvailability {
            mediator: id,
            date,
            session,
        } => {
            let (d, t) = slot(*date, session)?;
            p.mediators[mediator(id)?].availability.free[d] |= 1 << t;
        }
        FixChange::AcceptMode { mode } => {
            p.cases[c].accepted_modes.insert(*mode);
        }
        FixChange::VenueOpening {
            venue,
            date,
            session,
        } => {
            let (d, t) = slot(*date, session)?;
            let v = *problem
                .index
                .venue
                .get(venue)
                .ok_or_else(|| unknown("venue", venue))?;
            p.venues[v].availability.free[d] |= 1 << t;
        }
        FixChange::ShortNotice => p.cases[c].short_notice_ok = true,
        FixChange::PartyAvailability {
            party,
            date,
            session,
            ..
        } => {
            let (d, t) = slot(*date, session)?;
            let party = p.cases[c]
                .parties
                .get_mut(*party)
                .ok_or_else(|| unknown("party", &party.to_string()))?;
            party.availability.free[d] |= 1 << t;
        }
        FixChange::InterpreterAvailability {
            interpreter,
            date,
            session,
        } => {
            let (d, t) = slot(*date, session)?;
            let i = *problem
                .index
                .interpreter
                .get(interpreter)
                .ok_or_else(|| unknown("interpreter", interpreter))?;
            p.interpreters[i].availability.free[d] |= 1 << t;
        }
        FixChange::MediatorDayCap {
            mediator: id, to, ..
        } => {
            let m = mediator(id)?;
            p.mediators[m].max_sessions_per_day = (*to).max(p.mediators[m].max_sessions_per_day);
        }
        FixChange::MediatorWeekCap {
            mediator: id, to, ..
        } => {
            let m = mediator(id)?;
            p.mediators[m].max_sessions_per_week = (*to).max(p.mediators[m].max_sessions_per_week);
        }
        FixChange::MediatorCoverage { mediator: id, la } => {
            p.mediators[mediator(id)?].covers.insert(la.clone());
        }
    }
    Ok(p)
}

/// Why no single change holds the case on time: the reasons counted up to the deadline,
/// after a note when the deadline is before the first day the case could meet at all.
fn no_fix_reasons(problem: &Problem, c: CaseIdx, others: &Roster) -> Vec<Reason> {
    let case = &problem.cases[c];
    let deadline = rules::deadline(problem, case);
    let first = problem
        .calendar
        .earliest_meeting_date(problem.horizon.publication_date, true)
        .max(problem.horizon.start);
    let mut reasons = Vec::new();
    if deadline < first {
        reasons.push(Reason {
            code: "deadline_passed".to_string(),
            count: 1,
            message: format!(
                "the deadline ({}) is before the first day this roster can hold a meeting ({}): no change to it can hold the case by day 30",
                long_date(deadline),
                long_date(first)
            ),
        });
    }
    let occupancy = Occupancy::new(problem, &placements_of(problem, others));
    reasons.extend(explain(problem, c, &occupancy, true).reasons);
    if reasons.is_empty() {
        reasons.push(Reason {
            code: "needs_several_changes".to_string(),
            count: 1,
            message: "every on-time option needs more than one change".to_string(),
        });
    }
    reasons
}

fn long_date(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn role_words(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Parent => "the parent",
        PartyRole::YoungPerson => "the young person",
        PartyRole::Supporter => "the family's supporter",
        PartyRole::La => "the LA representative",
        PartyRole::School => "the school",
        PartyRole::Icb => "the ICB representative",
    }
}

/// One sentence a coordinator can act on.
fn describe(problem: &Problem, change: &FixChange, m: &Recommendation) -> String {
    let when = format!("{} {}", long_date(m.date), m.session);
    match change {
        FixChange::NoneNeeded => format!(
            "No change needed: {} is free on {when}; add the meeting to the roster",
            m.mediator
        ),
        FixChange::MediatorAvailability { mediator, .. } => {
            format!("Ask mediator {mediator} to add {when} to their availability")
        }
        FixChange::AcceptMode { mode } => format!(
            "Ask the family whether they would accept a {} meeting",
            if *mode == Mode::Phone { "phone" } else { "video" }
        ),
        FixChange::VenueOpening { venue, .. } => {
            let name = problem
                .index
                .venue
                .get(venue)
                .map_or("", |&v| problem.venues[v].name.as_str());
            format!("Ask venue {venue} ({name}) to open on {when}")
        }
        FixChange::ShortNotice => format!(
            "Ask the parent whether they accept less than 5 working days' notice, for a meeting on {when}"
        ),
        FixChange::PartyAvailability { role, .. } => {
            format!("Ask {} whether they can attend on {when}", role_words(*role))
        }
        FixChange::InterpreterAvailability { interpreter, .. } => {
            format!("Ask interpreter {interpreter} to add {when} to their availability")
        }
        FixChange::MediatorDayCap {
            mediator, from, to, ..
        } => format!(
            "Ask mediator {mediator} to take a {} session on {} (daily cap {from} → {to})",
            ordinal(*to),
            long_date(m.date)
        ),
        FixChange::MediatorWeekCap {
            mediator, from, to, ..
        } => format!(
            "Ask mediator {mediator} to take one more session in the week of {} (weekly cap {from} → {to})",
            long_date(m.date)
        ),
        FixChange::MediatorCoverage { mediator, la } => format!(
            "Ask mediator {mediator}, who is impartial but does not cover {}, to take this case",
            crate::kpi::la_name(problem, la)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_as_english() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22].map(ordinal).to_vec();
        assert_eq!(
            words,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]
        );
    }

    #[test]
    fn efforts_rank_a_family_call_before_a_contract_change() {
        assert!(
            effort(&FixChange::ShortNotice)
                < effort(&FixChange::MediatorAvailability {
                    mediator: "M".into(),
                    date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default(),
                    session: "AM".into(),
                })
        );
        assert!(
            effort(&FixChange::AcceptMode { mode: Mode::Video })
                < effort(&FixChange::MediatorCoverage {
                    mediator: "M".into(),
                    la: "E09000011".into()
                })
        );
    }
}
