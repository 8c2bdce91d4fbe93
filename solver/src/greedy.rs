//! A greedy roster: cases in deadline order, each given its cheapest option that still fits
//! beside the meetings already placed.
//!
//! It serves three purposes: the warm start handed to either MILP backend; the roster
//! returned when a time limit expires before the MILP has any incumbent; and a repair pass
//! after a solve stopped early (a case left out that still fits is placed, a late meeting
//! that fits by its deadline is moved). An optimal MILP solution is never changed: each move
//! saves more than any lower tier of the objective can cost.

use crate::candidates::{self, Weights};
use crate::explain::{explain, Occupancy};
use crate::model::{CaseIdx, Problem};
use crate::rules::{self, Placement};

/// A greedy roster: the published meetings that can still be held as published (when
/// re-planning), then every other case that fits.
pub fn construct(problem: &Problem, weights: &Weights) -> Vec<Placement> {
    construct_until(problem, weights, &|| false).unwrap_or_default()
}

/// [`construct`], asking `stop` before each case: once it answers true the roster is
/// abandoned (None).
pub fn construct_until(
    problem: &Problem,
    weights: &Weights,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<Placement>> {
    let preference = |p: &Placement| candidates::cost_of(problem, p, weights) as f64;
    let mut placements = published_still_valid(problem);
    while pass(problem, weights, &preference, &mut placements, stop) > 0 {}
    // Stopped part-way, the roster is not one a case left out can be explained by.
    (!stop()).then_some(placements)
}

/// A greedy roster like [`construct`]'s, where each case gets the option that fits with the
/// least `preference` (its cost, or a price that also counts how contested its mediator,
/// session and venue are, such as a Lagrangian reduced cost). A case is still placed only
/// when that lowers the roster's cost.
pub fn construct_preferring(
    problem: &Problem,
    weights: &Weights,
    preference: &Preference,
) -> Vec<Placement> {
    let mut placements = published_still_valid(problem);
    while pass(problem, weights, preference, &mut placements, &|| false) > 0 {}
    placements
}

/// How much a greedy pass prefers an option (the least is taken).
pub type Preference<'a> = dyn Fn(&Placement) -> f64 + 'a;

/// The cases' published meetings (re-planning) that break no rule, on their own or beside
/// the published meetings of the cases before them, with an interpreter booked where one
/// is needed and free.
pub fn published_still_valid(problem: &Problem) -> Vec<Placement> {
    let mut occupancy = Occupancy::default();
    let mut kept = Vec::new();
    for (c, case) in problem.cases.iter().enumerate() {
        let Some(b) = case.published else { continue };
        let mut p = Placement {
            case: c,
            mediator: b.mediator,
            day: b.day,
            template: b.template,
            site: b.site,
            interpreter: None,
        };
        let needs_interpreter = case
            .needs
            .language
            .as_deref()
            .is_some_and(|lang| !rules::mediator_speaks(&problem.mediators[b.mediator], lang));
        if needs_interpreter {
            match occupancy.free_interpreter(problem, c, b.day, b.template) {
                Some(k) => p.interpreter = Some(k),
                None => continue,
            }
        }
        if rules::placement_violations(problem, &p).is_empty()
            && occupancy.blocking_rule(problem, &p).is_none()
        {
            occupancy.add(problem, &p);
            kept.push(p);
        }
    }
    kept
}

/// Places every case left out that fits and moves every late meeting that fits by its
/// deadline, until nothing changes. Returns how many placements were made or moved.
pub fn improve(problem: &Problem, weights: &Weights, placements: &mut Vec<Placement>) -> usize {
    // A move frees the slot it leaves, which may let a case looked at earlier in; repeat
    // until a pass changes nothing (each change lowers the cost, so this ends).
    let mut total = 0;
    let by_cost = |p: &Placement| candidates::cost_of(problem, p, weights) as f64;
    loop {
        let changed = pass(problem, weights, &by_cost, placements, &|| false);
        total += changed;
        if changed == 0 {
            return total;
        }
    }
}

fn pass(
    problem: &Problem,
    weights: &Weights,
    preference: &Preference,
    placements: &mut Vec<Placement>,
    stop: &dyn Fn() -> bool,
) -> usize {
    let mut order: Vec<CaseIdx> = (0..problem.cases.len()).collect();
    order.sort_by_key(|&c| (rules::deadline(problem, &problem.cases[c]), c));
    let mut held: Vec<Option<usize>> = vec![None; problem.cases.len()];
    for (i, p) in placements.iter().enumerate() {
        held[p.case] = Some(i);
    }
    let mut occupancy = Occupancy::new(problem, placements);
    let mut changed = 0;
    for c in order {
        if stop() {
            // Another pass would stop at once too: the caller's loop ends.
            return 0;
        }
        let late = held[c].is_some_and(|i| {
            rules::is_late(
                problem,
                &problem.cases[c],
                problem.horizon.days[placements[i].day],
            )
        });
        if held[c].is_some() && !late {
            continue;
        }
        let best = if late {
            let others: Vec<Placement> =
                placements.iter().filter(|p| p.case != c).copied().collect();
            preferred(
                problem,
                preference,
                c,
                &Occupancy::new(problem, &others),
                true,
            )
        } else {
            preferred(problem, preference, c, &occupancy, false)
        };
        let Some(best) = best else { continue };
        // Only moves that lower the cost: a hypothetical mediator's session or a change to a
        // published meeting can cost more than holding the case late (or not at all).
        let now = match held[c] {
            Some(i) => candidates::cost_of(problem, &placements[i], weights),
            None => candidates::not_held_cost(problem, &problem.cases[c], weights),
        };
        if candidates::cost_of(problem, &best, weights) >= now {
            continue;
        }
        match held[c] {
            Some(i) => {
                placements[i] = best;
                occupancy = Occupancy::new(problem, placements);
            }
            None => {
                held[c] = Some(placements.len());
                placements.push(best);
                occupancy.add(problem, &best);
            }
        }
        changed += 1;
    }
    changed
}

fn preferred(
    problem: &Problem,
    preference: &Preference,
    case: CaseIdx,
    occupancy: &Occupancy,
    by_deadline: bool,
) -> Option<Placement> {
    explain(problem, case, occupancy, by_deadline)
        .placeable
        .into_iter()
        .map(|p| (preference(&p), p))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}
