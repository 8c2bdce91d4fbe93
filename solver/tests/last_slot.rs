//! Who gets the last slot: two cases due inside the roster's week compete for the only
//! session a mediator has. The one left out will be held after the week at the earliest,
//! so it is late by more days if its deadline is the nearer one: the roster holds the
//! case whose lateness would be greater (`docs/objective.md`), on both backends.

mod common;

use common::*;
use mediation_solver::milp::{Backend, SolveOptions, SolveStatus};
use mediation_solver::rules;
use mediation_solver::schedule::schedule;

/// The first clock start (from 1 Nov 2026) whose day-30 deadline is `deadline`.
fn clock_start_due(scenario: &mut Scenario, case: &str, deadline: &str) {
    let mut start = d("2026-11-01");
    loop {
        scenario.case(case).clock_start = start;
        let problem = scenario.problem();
        let c = problem
            .cases
            .iter()
            .find(|c| c.reference == case)
            .expect("the case");
        if rules::deadline(&problem, c) == d(deadline) {
            return;
        }
        assert!(start < d("2026-12-31"), "no clock start gives {deadline}");
        start = start.succ_opt().expect("a next day");
    }
}

/// `C-1` due Wednesday, `C-2` due Friday; one mediator, free only on Tuesday morning.
fn one_slot_two_cases(first_due: &str, second_due: &str) -> Scenario {
    let mut s = Scenario::new();
    s.input.mediators.retain(|m| m.id == "M-CAM");
    s.mediator("M-CAM").availability = only_available(&[(TUE, Some("AM"))]);
    clock_start_due(&mut s, "C-1", first_due);
    clock_start_due(&mut s, "C-2", second_due);
    s
}

fn held(s: &Scenario, backend: Backend) -> Vec<String> {
    let problem = s.problem();
    let options = SolveOptions {
        backend,
        ..SolveOptions::default()
    };
    let outcome = schedule(&problem, &options).expect("a roster");
    assert_eq!(outcome.solver.status, SolveStatus::Optimal);
    assert!(s.check(&outcome.roster).is_valid());
    outcome
        .roster
        .meetings
        .iter()
        .map(|m| m.case.clone())
        .collect()
}

fn backends() -> Vec<Backend> {
    [Backend::Microlp, Backend::Highs]
        .into_iter()
        .filter(|b| b.is_available())
        .collect()
}

#[test]
fn the_case_due_first_gets_the_last_slot() {
    for backend in backends() {
        let s = one_slot_two_cases(WED, FRI);
        assert_eq!(held(&s, backend), vec!["C-1"], "{backend:?}");
        // The other way round, the other case: it is the deadline that decides, not the
        // case's name or order.
        let s = one_slot_two_cases(FRI, WED);
        assert_eq!(held(&s, backend), vec!["C-2"], "{backend:?}");
    }
}

#[test]
fn a_case_not_held_costs_a_day_of_lateness_for_each_day_from_its_deadline_past_the_week() {
    let s = one_slot_two_cases(WED, FRI);
    let problem = s.problem();
    let w = mediation_solver::candidates::Weights::default();
    let cost = |reference: &str| {
        let case = problem
            .cases
            .iter()
            .find(|c| c.reference == reference)
            .expect("the case");
        mediation_solver::candidates::not_held_cost(&problem, case, &w)
    };
    // Due Wednesday and held after Friday at the earliest: 3 days late at least, against 1
    // for the case due Friday.
    assert_eq!(cost("C-1") - cost("C-2"), 2 * w.late_per_day);
    assert_eq!(
        cost("C-2"),
        w.missed_day_30 + w.not_held + w.late_per_day,
        "due on the week's last day: one day late at the least"
    );
}
