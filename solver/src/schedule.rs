//! The main entry point: a validated problem in, a roster with reasons and a solver summary
//! out.
//!
//! ```
//! use mediation_solver::{schedule, validate, milp::SolveOptions};
//!
//! let json = include_str!("../../fixtures/week-2026-12-07.json");
//! let problem = validate::parse_problem(json).unwrap().problem;
//! let outcome = schedule::schedule(&problem, &SolveOptions::default()).unwrap();
//! assert!(mediation_solver::checker::check(&problem, &outcome.roster).is_valid());
//! ```

use serde::{Deserialize, Serialize};

use crate::calendar::london_instant;
use crate::candidates;
use crate::explain::{explain, Occupancy};
use crate::greedy;
use crate::milp::{self, SolveError, SolveOptions, SolverSummary};
use crate::model::Problem;
use crate::placement;
use crate::roster::{CarriedOverCase, Meeting, MeetingDetails, Roster, UnscheduledCase};
use crate::rules::{self, Placement};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub roster: Roster,
    pub solver: SolverSummary,
    /// Cases the greedy repair placed or moved after the MILP (non-zero only when the solve
    /// stopped before optimality).
    pub repaired: usize,
}

/// Solves the problem and returns the roster with every unheld case explained.
///
/// The time limit covers the whole of it: the solve keeps a reserve
/// ([`milp::post_solve_reserve`]) for repairing an early-stopped roster and explaining
/// every case not held.
pub fn schedule(problem: &Problem, options: &SolveOptions) -> Result<Outcome, SolveError> {
    let clocked;
    let options = match options.started {
        Some(_) => options,
        None => {
            clocked = SolveOptions {
                started: Some(milp::Clock::now()),
                ..options.clone()
            };
            &clocked
        }
    };
    let solution = milp::solve(problem, options)?;
    let mut placements = placements_chosen(&solution.chosen, &solution.interpreters);
    let mut summary = solution.summary;
    // A proven optimum is never touched; an early-stopped roster may still gain.
    let repaired = if summary.status == milp::SolveStatus::Optimal {
        0
    } else {
        greedy::improve(problem, &options.weights, &mut placements)
    };
    if repaired > 0 {
        summary.objective = candidates::roster_cost(problem, &placements, &options.weights) as f64;
        summary.absolute_gap = summary.best_bound.map(|b| (summary.objective - b).max(0.0));
        summary.relative_gap = summary
            .absolute_gap
            .map(|g| g / summary.objective.abs().max(1.0));
    }
    Ok(Outcome {
        roster: build_roster(problem, &placements),
        solver: summary,
        repaired,
    })
}

/// The placements of chosen candidates, each with the interpreter booked for it.
pub(crate) fn placements_chosen(
    chosen: &[candidates::Candidate],
    interpreters: &[Option<crate::model::InterpreterIdx>],
) -> Vec<Placement> {
    chosen
        .iter()
        .zip(interpreters)
        .map(|(c, &interpreter)| Placement {
            case: c.case,
            mediator: c.mediator,
            day: c.day,
            template: c.template,
            site: c.site,
            interpreter,
        })
        .collect()
}

/// Turns placements into the published roster: meetings by date and session, then every
/// case not held, explained.
pub fn build_roster(problem: &Problem, placements: &[Placement]) -> Roster {
    let mut sorted = placements.to_vec();
    sorted.sort_by_key(|p| {
        (
            p.day,
            problem.templates[p.template].start,
            problem.cases[p.case].reference.clone(),
        )
    });
    let meetings = sorted
        .iter()
        .map(|p| meeting(problem, p, placements))
        .collect();
    let occupancy = Occupancy::new(problem, placements);
    let mut unscheduled = Vec::new();
    let mut carried_over = Vec::new();
    for (c, case) in problem.cases.iter().enumerate() {
        if placements.iter().any(|p| p.case == c) {
            continue;
        }
        let why = explain(problem, c, &occupancy, false);
        let deadline = rules::deadline(problem, case);
        if candidates::can_carry_over(problem, case) {
            carried_over.push(CarriedOverCase {
                case: case.reference.clone(),
                deadline,
                primary_reason: why.primary,
                reasons: why.reasons,
            });
        } else {
            unscheduled.push(UnscheduledCase {
                case: case.reference.clone(),
                deadline,
                primary_reason: why.primary,
                reasons: why.reasons,
            });
        }
    }
    Roster {
        meetings,
        unscheduled,
        carried_over,
    }
}

fn meeting(problem: &Problem, p: &Placement, all: &[Placement]) -> Meeting {
    let case = &problem.cases[p.case];
    let mediator = &problem.mediators[p.mediator];
    let template = &problem.templates[p.template];
    let date = problem.horizon.days[p.day];
    let deadline = rules::deadline(problem, case);
    let late = rules::is_late(problem, case, date);
    let venue = p.site.venue().map(|v| &problem.venues[v]);
    let why_late = late.then(|| {
        let others: Vec<Placement> = all.iter().filter(|q| q.case != p.case).copied().collect();
        explain(problem, p.case, &Occupancy::new(problem, &others), true)
    });
    Meeting {
        case: case.reference.clone(),
        mediator: mediator.id.clone(),
        date,
        session: template.id.clone(),
        mode: p.site.mode(),
        venue: venue.map(|v| v.id.clone()),
        interpreter: p.interpreter.map(|i| problem.interpreters[i].id.clone()),
        sequence: 0,
        details: Some(MeetingDetails {
            start: london_instant(date, template.start).fixed_offset(),
            end: london_instant(date, template.end).fixed_offset(),
            deadline,
            days_of_margin: (deadline - date).num_days(),
            late,
            certificate_due: problem.calendar.certificate_due(date),
            family_travel_km: venue.map(|v| round1(rules::family_travel_km(problem, case, v))),
            mediator_travel_km: venue
                .map(|v| round1(rules::mediator_travel_km(problem, mediator, v))),
            late_primary_reason: why_late.as_ref().map(|w| w.primary.clone()),
            late_reasons: why_late.map(|w| w.reasons).unwrap_or_default(),
        }),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Resolves a roster's meetings back to placements (for re-checking or costing) with
/// [`placement::resolve`]. Meetings that are not placements of the problem (an unknown id, a
/// date outside the horizon, a mode and venue that disagree) are skipped; the checker reports
/// them.
pub fn placements_of(problem: &Problem, roster: &Roster) -> Vec<Placement> {
    roster
        .meetings
        .iter()
        .filter_map(|m| placement::resolve(problem, m).ok())
        .collect()
}
