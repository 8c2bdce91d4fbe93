//! Re-planning: each kind of change, the "move only what is forced" guarantee with a
//! prohibitive change penalty, and "every voluntary move pays for itself" with a small one.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use mediation_solver::candidates::{roster_cost, Weights};
use mediation_solver::checker::{check, LATE_CASE_COULD_BE_EARLIER};
use mediation_solver::generate::{generate, GenerateParams};
use mediation_solver::input::{AvailabilityInput, DaySessions, ProblemInput};
use mediation_solver::milp::{SolveOptions, SolveStatus};
use mediation_solver::replan::{self, Change, ChangeKind, Replan, ReplanError};
use mediation_solver::roster::{Meeting, Roster};
use mediation_solver::rules::{self, Placement};
use mediation_solver::schedule::{placements_of, schedule};
use mediation_solver::validate::validate;

fn week_input() -> ProblemInput {
    serde_json::from_str(include_str!("../../fixtures/week-2026-12-07.json")).unwrap()
}

fn publish(input: &ProblemInput) -> Vec<Meeting> {
    let problem = validate(input).unwrap().problem;
    let outcome = schedule(&problem, &SolveOptions::default()).unwrap();
    assert_eq!(outcome.solver.status, SolveStatus::Optimal);
    outcome.roster.meetings
}

fn with_penalty(change: i64) -> SolveOptions {
    SolveOptions {
        weights: Weights {
            change,
            ..Weights::default()
        },
        ..SolveOptions::default()
    }
}

/// Above every other term of the objective: missing day 30 and not holding a case
/// together cost 1.5 M units.
const PROHIBITIVE: i64 = 50_000_000;

/// One change of each kind, aimed at published meeting `k` where it can be.
fn disruptions(input: &ProblemInput, published: &[Meeting], k: usize) -> Vec<Vec<Change>> {
    let m = &published[k % published.len()];
    let mut out = vec![
        vec![Change::MediatorUnavailable {
            mediator: m.mediator.clone(),
            dates: vec![m.date],
            sessions: None,
        }],
        vec![Change::CaseWithdrawn {
            case: m.case.clone(),
        }],
        vec![Change::MeetingCancelled {
            case: m.case.clone(),
        }],
    ];
    if let Some(v) = published
        .iter()
        .cycle()
        .skip(k)
        .take(published.len())
        .find_map(|m| m.venue.clone().map(|v| (v, m.date)))
    {
        out.push(vec![Change::VenueClosed {
            venue: v.0,
            dates: vec![v.1],
        }]);
    }
    let case = input.cases.iter().find(|c| c.reference == m.case).unwrap();
    let role = case.parties.iter().find(|p| p.required).unwrap().role;
    out.push(vec![Change::PartyAvailability {
        case: m.case.clone(),
        role,
        availability: AvailabilityInput {
            available: None,
            unavailable: vec![DaySessions {
                date: m.date,
                sessions: None,
            }],
        },
    }]);
    let mut added = input.cases[k % input.cases.len()].clone();
    added.reference = format!("SEN-2026-9{k:03}");
    out.push(vec![Change::CaseAdded {
        case: Box::new(added),
    }]);
    out
}

/// The published meeting as it would be held on the changed problem.
fn old_placement(plan: &Replan, m: &Meeting) -> Option<Placement> {
    let roster = Roster {
        meetings: vec![m.clone()],
        ..Roster::default()
    };
    placements_of(&plan.problem, &roster).into_iter().next()
}

/// Every moved or dropped meeting is forced, and independently so: its case was withdrawn,
/// a party cancelled it, or it now breaks a single-meeting rule.
fn assert_only_forced_moves(plan: &Replan, changes: &[Change]) {
    assert_eq!(plan.outcome.solver.status, SolveStatus::Optimal);
    for c in plan.changes.iter().filter(|c| c.kind != ChangeKind::Added) {
        assert!(
            c.forced,
            "voluntary change under a prohibitive penalty: {c:?}"
        );
        let from = c.from.as_ref().unwrap();
        let withdrawn_or_cancelled = changes.iter().any(|ch| {
            matches!(ch, Change::CaseWithdrawn { case } | Change::MeetingCancelled { case } if case == &c.case)
        });
        if !withdrawn_or_cancelled {
            let p = old_placement(plan, from).expect("the old meeting resolves");
            let broken = rules::placement_violations(&plan.problem, &p);
            assert!(
                !broken.is_empty(),
                "{} was forced but its published meeting breaks no rule",
                c.case
            );
        }
    }
}

/// The re-planned roster breaks no rule; a kept published meeting may stay late.
fn assert_checker_valid(plan: &Replan, published: &[Meeting]) {
    let report = check(&plan.problem, &plan.outcome.roster);
    let kept: BTreeSet<&str> = published.iter().map(|m| m.case.as_str()).collect();
    let bad: Vec<_> = report
        .violations
        .iter()
        .filter(|v| {
            !(v.code == LATE_CASE_COULD_BE_EARLIER
                && v.case.as_deref().is_some_and(|c| kept.contains(c)))
        })
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn a_mediators_illness_moves_exactly_their_meetings_on_those_days() {
    let input = week_input();
    let published = publish(&input);
    let ill = published[0].clone();
    let changes = vec![Change::MediatorUnavailable {
        mediator: ill.mediator.clone(),
        dates: vec![ill.date],
        sessions: None,
    }];
    let plan = replan::replan(&input, &published, &changes, &with_penalty(PROHIBITIVE)).unwrap();
    let hit: BTreeSet<&str> = published
        .iter()
        .filter(|m| m.mediator == ill.mediator && m.date == ill.date)
        .map(|m| m.case.as_str())
        .collect();
    let changed: BTreeSet<&str> = plan
        .changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Added)
        .map(|c| c.case.as_str())
        .collect();
    assert_eq!(changed, hit);
    assert_eq!(plan.kept, published.len() - hit.len());
    for c in &plan.changes {
        assert_eq!(c.rule.as_deref(), Some("mediator_available"));
        if let Some(to) = &c.to {
            assert!(to.mediator != ill.mediator || to.date != ill.date);
        }
    }
    assert_checker_valid(&plan, &published);
}

#[test]
fn any_single_disruption_moves_only_the_meetings_it_forces() {
    for seed in 1..=4u64 {
        let input = generate(&GenerateParams::week(14, 9, 10, seed));
        let published = publish(&input);
        if published.is_empty() {
            continue;
        }
        for (k, changes) in disruptions(&input, &published, seed as usize)
            .into_iter()
            .enumerate()
        {
            let plan = replan::replan(&input, &published, &changes, &with_penalty(PROHIBITIVE))
                .unwrap_or_else(|e| panic!("seed {seed} disruption {k}: {e}"));
            assert_only_forced_moves(&plan, &changes);
            assert_checker_valid(&plan, &published);
            assert_eq!(
                plan.kept
                    + plan
                        .changes
                        .iter()
                        .filter(|c| c.kind != ChangeKind::Added)
                        .count(),
                published.len(),
                "every published meeting is kept or listed"
            );
        }
    }
}

#[test]
fn with_a_small_penalty_every_voluntary_move_pays_for_more_than_its_penalty() {
    let penalty = 5;
    let base_weights = Weights {
        change: 0,
        ..Weights::default()
    };
    let mut voluntary = 0;
    for seed in 1..=4u64 {
        let input = generate(&GenerateParams::week(14, 9, 10, seed));
        let published = publish(&input);
        if published.is_empty() {
            continue;
        }
        for changes in disruptions(&input, &published, seed as usize) {
            let plan =
                replan::replan(&input, &published, &changes, &with_penalty(penalty)).unwrap();
            assert_eq!(plan.outcome.solver.status, SolveStatus::Optimal);
            assert_checker_valid(&plan, &published);
            let now = placements_of(&plan.problem, &plan.outcome.roster);
            let base = roster_cost(&plan.problem, &now, &base_weights);
            for c in plan
                .changes
                .iter()
                .filter(|c| !c.forced && c.kind != ChangeKind::Added)
            {
                voluntary += 1;
                // Undo this one move: the old meeting back, the new one gone.
                let Some(old) = old_placement(&plan, c.from.as_ref().unwrap()) else {
                    continue;
                };
                let mut undone: Vec<Placement> =
                    now.iter().filter(|p| p.case != old.case).copied().collect();
                undone.push(old);
                let roster = Roster {
                    meetings: mediation_solver::schedule::build_roster(&plan.problem, &undone)
                        .meetings,
                    ..Roster::default()
                };
                let hard = check(&plan.problem, &roster)
                    .violations
                    .into_iter()
                    .any(|v| serde_json::from_value::<rules::Rule>(v.code.clone().into()).is_ok());
                if hard {
                    continue; // undoing it alone is not possible: it made room for another
                }
                let before = roster_cost(&plan.problem, &undone, &base_weights);
                assert!(
                    before - base >= penalty,
                    "moving {} saves {} units, less than the penalty {penalty}",
                    c.case,
                    before - base
                );
            }
        }
    }
    assert!(
        voluntary > 0,
        "no voluntary move was made: the test checked nothing"
    );
}

#[test]
fn a_cap_on_changes_is_kept() {
    let input = generate(&GenerateParams::week(14, 9, 10, 3));
    let published = publish(&input);
    let m = &published[0];
    let changes = vec![Change::CaseWithdrawn {
        case: m.case.clone(),
    }];
    let free = replan::replan(&input, &published, &changes, &with_penalty(1)).unwrap();
    let voluntary = |plan: &Replan| {
        plan.changes
            .iter()
            .filter(|c| !c.forced && c.kind != ChangeKind::Added)
            .count()
    };
    let capped = replan::replan(
        &input,
        &published,
        &changes,
        &SolveOptions {
            max_changes: Some(0),
            ..with_penalty(1)
        },
    )
    .unwrap();
    assert_eq!(voluntary(&capped), 0);
    assert!(
        voluntary(&free) > 0,
        "the instance must tempt voluntary moves"
    );
    assert!(capped.outcome.solver.objective >= free.outcome.solver.objective);
}

#[test]
fn each_change_kind_is_applied_to_the_problem() {
    let input = week_input();
    let published = publish(&input);
    let m = published.iter().find(|m| m.venue.is_some()).unwrap();
    let date = m.date;
    let venue = m.venue.clone().unwrap();
    let other = published.iter().find(|x| x.case != m.case).unwrap();
    let applied = replan::apply_changes(
        &input,
        &published,
        &[
            Change::VenueClosed {
                venue: venue.clone(),
                dates: vec![date],
            },
            Change::CaseWithdrawn {
                case: other.case.clone(),
            },
            Change::MeetingCancelled {
                case: m.case.clone(),
            },
        ],
    )
    .unwrap();
    let v = applied.venues.iter().find(|v| v.id == venue).unwrap();
    assert!(v.availability.unavailable.iter().any(|d| d.date == date));
    assert!(!applied.cases.iter().any(|c| c.reference == other.case));
    let case = applied
        .cases
        .iter()
        .find(|c| c.reference == m.case)
        .unwrap();
    for party in case.parties.iter().filter(|p| p.required) {
        assert!(party
            .availability
            .unavailable
            .iter()
            .any(|d| d.date == date && d.sessions == Some(vec![m.session.clone()])));
    }
    // The cancelled meeting moves to another session; the closed venue is not used that day.
    let plan = replan::replan(
        &input,
        &published,
        &[
            Change::VenueClosed {
                venue: venue.clone(),
                dates: vec![date],
            },
            Change::MeetingCancelled {
                case: m.case.clone(),
            },
        ],
        &SolveOptions::default(),
    )
    .unwrap();
    let moved = plan.changes.iter().find(|c| c.case == m.case).unwrap();
    assert!(moved.forced);
    if let Some(to) = &moved.to {
        assert!(to.date != date || to.session != m.session);
    }
    assert!(!plan
        .outcome
        .roster
        .meetings
        .iter()
        .any(|x| x.venue.as_deref() == Some(venue.as_str()) && x.date == date));
}

#[test]
fn a_new_case_is_held_without_moving_anyone_when_there_is_room() {
    let input = week_input();
    let published = publish(&input);
    let mut added = input.cases[0].clone();
    added.reference = "SEN-2026-9001".into();
    let plan = replan::replan(
        &input,
        &published,
        &[Change::CaseAdded {
            case: Box::new(added),
        }],
        &with_penalty(PROHIBITIVE),
    )
    .unwrap();
    assert_eq!(plan.kept, published.len());
    assert!(plan.changes.iter().all(|c| c.kind == ChangeKind::Added));
}

#[test]
fn bad_changes_name_their_field() {
    let input = week_input();
    let published = publish(&input);
    let cases: [(Change, &str, &str); 4] = [
        (
            Change::MediatorUnavailable {
                mediator: "M999".into(),
                dates: vec![NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()],
                sessions: None,
            },
            "/changes/0/mediator",
            "unknown_id",
        ),
        (
            Change::VenueClosed {
                venue: published.iter().find_map(|m| m.venue.clone()).unwrap(),
                dates: vec![],
            },
            "/changes/0/dates",
            "invalid_change",
        ),
        (
            Change::CaseWithdrawn {
                case: "SEN-0000-0000".into(),
            },
            "/changes/0/case",
            "unknown_id",
        ),
        (
            Change::CaseAdded {
                case: Box::new(input.cases[0].clone()),
            },
            "/changes/0/case/reference",
            "invalid_change",
        ),
    ];
    for (change, field, code) in cases {
        let err = replan::replan(&input, &published, &[change], &SolveOptions::default())
            .expect_err("a bad change is an error");
        assert_eq!(err.code(), code);
        assert!(err.to_string().starts_with(field), "{err}");
    }
    let mut bad = published.clone();
    bad[2].mediator = "M999".into();
    let err = replan::replan(&input, &bad, &[], &SolveOptions::default()).unwrap_err();
    assert!(
        matches!(err, ReplanError::UnknownId { ref field, .. } if field == "/published/2/mediator")
    );
    let json =
        r#"[{"kind": "venue_closed", "venue": "V001", "dates": ["2026-12-08"], "extra": 1}]"#;
    assert!(serde_json::from_str::<Vec<Change>>(json).is_err());
}

#[test]
fn the_documented_example_of_every_kind_applies_to_the_shipped_week() {
    let input = week_input();
    let published = publish(&input);
    let changes: Vec<Change> =
        serde_json::from_str(include_str!("../../fixtures/replan/every-kind.json")).unwrap();
    assert_eq!(changes.len(), 7);
    let plan = replan::replan(&input, &published, &changes, &SolveOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_checker_valid(&plan, &published);
    let withdrawn = plan
        .changes
        .iter()
        .find(|c| c.case == "SEN-2026-0395")
        .expect("the withdrawn case's meeting is listed");
    assert_eq!(withdrawn.kind, ChangeKind::Dropped);
    assert!(withdrawn.forced);
    assert!(plan.problem.index.case.contains_key("SEN-2026-0999"));
}
