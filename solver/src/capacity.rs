//! Capacity planning by optimisation: the fewest extra mediator sessions, per LA and ISO
//! week, that let at least a given share of the cases be held by their day 30.
//!
//! Every LA asked about gets, for every ISO week of the horizon, [`EXTRA_PER_LA_WEEK`]
//! hypothetical mediators: they cover only that LA, travel from its most populous area,
//! hold valid credentials, are free every working day of that week, and cost
//! [`EXTRA_SESSION_COST`] per session, more than every other term of the objective put
//! together for one case. The MILP must hold at least the target number of cases by day 30
//! ([`SolveOptions::min_held_by_day_30`]); it therefore uses as few extra sessions as it
//! can, and only then optimises the rest of the roster as usual. The answer is read off
//! the roster: how many sessions each hypothetical mediator holds.
//!
//! "Held by day 30" counts the cases this roster holds on time; a case carried over to a
//! later roster is not held here. The checker, run on [`CapacityAnswer::problem`], may say a
//! case left out "could be held" by a hypothetical mediator, and so that its `capacity_taken`
//! is not borne out: that is the point, each such session costs more than the case.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::calendar::iso_week;
use crate::candidates;
use crate::input::{AvailabilityInput, DaySessions, MediatorInput, ProblemInput};
use crate::milp::{SolveError, SolveOptions, SolverSummary};
use crate::schedule::{self, Outcome};
use crate::validate::{self, InputError};

/// Objective units per hypothetical session: above missing day 30 and not holding a case
/// together (1.5 M), so a session is added only when the target needs it.
pub const EXTRA_SESSION_COST: u32 = 10_000_000;

/// Hypothetical mediators per LA and week (each holds at most 2 sessions a day, 10 a week).
pub const EXTRA_PER_LA_WEEK: usize = 2;

/// Prefix of the hypothetical mediators' ids.
pub const EXTRA_ID_PREFIX: &str = "EXTRA";

/// "What is the smallest number of extra sessions that lets `share` of the cases be held by
/// day 30?"
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityQuestion {
    /// Share of the problem's cases to hold by their day 30, in (0, 1].
    pub share: f64,
    /// LAs (GSS codes) that may get extra sessions; none: every LA with a case.
    pub las: Option<Vec<String>>,
}

/// Extra sessions in one LA in one ISO week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtraSessions {
    pub la: String,
    pub la_name: String,
    /// ISO week, e.g. `2026-W50`.
    pub week: String,
    pub sessions: u32,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityAnswer {
    pub cases: usize,
    /// Cases to hold by day 30: ⌈share × cases⌉.
    pub target: usize,
    /// Held by day 30 in the answer's roster.
    pub held_by_day_30: usize,
    /// Only the LA-weeks that need extra sessions, by LA then week.
    pub extra: Vec<ExtraSessions>,
    pub total_extra_sessions: u32,
    /// The roster with the extra sessions (their meetings name `EXTRA-…` mediators).
    #[serde(skip)]
    pub outcome: Outcome,
    /// The problem with the hypothetical mediators, which the roster refers to.
    #[serde(skip)]
    pub problem: crate::model::Problem,
    pub solver: SolverSummary,
}

#[derive(Debug, thiserror::Error)]
pub enum CapacityError {
    #[error("share: must be more than 0 and at most 1, got {0}")]
    InvalidShare(f64),
    #[error("las/{index}: `{la}` is not an LA of the problem's areas")]
    UnknownLa { index: usize, la: String },
    #[error("the problem is not valid: {0}")]
    Input(#[from] InputError),
    #[error(
        "{target} case(s) cannot be held by day 30 however many sessions are added: at most \
         {most} can (the others are blocked by notice, parties' availability, impartiality or \
         the calendar)"
    )]
    Unreachable { target: usize, most: usize },
    #[error(transparent)]
    Solve(#[from] SolveError),
}

impl CapacityError {
    pub fn code(&self) -> &'static str {
        match self {
            CapacityError::InvalidShare(_) => "invalid_share",
            CapacityError::UnknownLa { .. } => "unknown_la",
            CapacityError::Input(_) => "invalid_problem",
            CapacityError::Unreachable { .. } => "target_unreachable",
            CapacityError::Solve(_) => "solve_failed",
        }
    }
}

fn week_label((year, week): (i32, u32)) -> String {
    format!("{year}-W{week:02}")
}

/// Answers the capacity question for `input`.
pub fn answer(
    input: &ProblemInput,
    question: &CapacityQuestion,
    options: &SolveOptions,
) -> Result<CapacityAnswer, CapacityError> {
    if !(question.share > 0.0 && question.share <= 1.0) {
        return Err(CapacityError::InvalidShare(question.share));
    }
    let base = validate::validate(input)?.problem;
    let mut las: Vec<String> = match &question.las {
        Some(las) => las.clone(),
        None => base.cases.iter().map(|c| c.la.clone()).collect(),
    };
    las.sort();
    las.dedup();
    // The LA's most populous area is where its extra mediators travel from.
    let mut home: BTreeMap<&str, &crate::model::Area> = BTreeMap::new();
    for area in &base.areas {
        let best = home.entry(area.la_code.as_str()).or_insert(area);
        if area.population > best.population {
            *best = area;
        }
    }
    let mut weeks: BTreeMap<(i32, u32), Vec<NaiveDate>> = BTreeMap::new();
    for &d in &base.horizon.days {
        if base.calendar.is_working_day(d) {
            weeks.entry(iso_week(d)).or_default().push(d);
        }
    }
    let valid_until = base.horizon.end.with_year(base.horizon.end.year() + 1);
    let valid_until = valid_until.unwrap_or(base.horizon.end);
    let mut extended = input.clone();
    let mut la_names = BTreeMap::new();
    for (index, la) in las.iter().enumerate() {
        let area = home
            .get(la.as_str())
            .ok_or_else(|| CapacityError::UnknownLa {
                index,
                la: la.clone(),
            })?;
        la_names.insert(la.clone(), area.la_name.clone());
        for (&week, days) in &weeks {
            for k in 0..EXTRA_PER_LA_WEEK {
                extended.mediators.push(MediatorInput {
                    id: format!("{EXTRA_ID_PREFIX}-{la}-{}-{}", week_label(week), k + 1),
                    name: format!("Extra sessions {} {}", area.la_name, week_label(week)),
                    home_area: area.gss_code.clone(),
                    covers: vec![la.clone()],
                    accreditation_expires: valid_until,
                    register_expires: valid_until,
                    insurance_expires: valid_until,
                    dbs_expires: valid_until,
                    languages: Vec::new(),
                    max_sessions_per_day: 2,
                    max_sessions_per_week: 10,
                    availability: AvailabilityInput {
                        available: Some(
                            days.iter()
                                .map(|&date| DaySessions {
                                    date,
                                    sessions: None,
                                })
                                .collect(),
                        ),
                        unavailable: Vec::new(),
                    },
                    conflicts: Vec::new(),
                    employers: Vec::new(),
                    session_cost: EXTRA_SESSION_COST,
                });
            }
        }
    }
    let problem = validate::validate(&extended)?.problem;
    let target = (question.share * problem.cases.len() as f64 - 1e-9).ceil() as usize;
    // No roster holds by day 30 a case that has no on-time option at all.
    let most = (0..problem.cases.len())
        .filter(|&c| {
            candidates::for_case(&problem, c, &options.weights)
                .iter()
                .any(|x| !x.late)
        })
        .count();
    if target > most {
        return Err(CapacityError::Unreachable { target, most });
    }
    let options = SolveOptions {
        min_held_by_day_30: Some(target),
        ..options.clone()
    };
    let outcome = schedule::schedule(&problem, &options)?;
    let mut per: BTreeMap<(String, String), u32> = BTreeMap::new();
    for p in schedule::placements_of(&problem, &outcome.roster) {
        let mediator = &problem.mediators[p.mediator];
        if !mediator.id.starts_with(EXTRA_ID_PREFIX) {
            continue;
        }
        // A hypothetical mediator covers exactly one LA.
        if let Some(la) = mediator.covers.iter().next() {
            let week = week_label(iso_week(problem.horizon.days[p.day]));
            *per.entry((la.clone(), week)).or_default() +=
                problem.templates[p.template].session_units();
        }
    }
    let held_by_day_30 = crate::kpi::kpis(&problem, &outcome.roster)
        .overall
        .held_by_day_30;
    let extra: Vec<ExtraSessions> = per
        .into_iter()
        .map(|((la, week), sessions)| ExtraSessions {
            la_name: la_names.get(&la).cloned().unwrap_or_default(),
            la,
            week,
            sessions,
        })
        .collect();
    Ok(CapacityAnswer {
        cases: problem.cases.len(),
        target,
        held_by_day_30,
        total_extra_sessions: extra.iter().map(|e| e.sessions).sum(),
        extra,
        solver: outcome.solver.clone(),
        outcome,
        problem,
    })
}
