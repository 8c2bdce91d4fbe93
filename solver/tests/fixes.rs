//! Suggested fixes: every fix, applied to the problem's input by a helper written here,
//! lets `recommend` hold the case on time, and that meeting passes the checker; the kinds a
//! hand-built case needs are the ones suggested.

mod common;

use common::*;
use mediation_solver::checker;
use mediation_solver::fixes::{self, CaseFixes, CaseStatus, FixChange};
use mediation_solver::input::{AvailabilityInput, DaySessions, ProblemInput};
use mediation_solver::milp::SolveOptions;
use mediation_solver::model::Problem;
use mediation_solver::recommend::{self, Recommendation};
use mediation_solver::roster::{Meeting, Roster};
use mediation_solver::schedule::{self, placements_of};
use mediation_solver::validate;

const WEEK: &str = include_str!("../../fixtures/week-2026-12-07.json");

/// Frees `session` on `date`: listed as available, and no longer blocked that day.
fn open(availability: &mut AvailabilityInput, date: chrono::NaiveDate, session: &str) {
    if let Some(available) = availability.available.as_mut() {
        available.push(DaySessions {
            date,
            sessions: Some(vec![session.to_string()]),
        });
    }
    availability.unavailable.retain(|e| e.date != date);
}

/// The change a fix names, made to the problem's input (independently of `fixes::apply`).
fn apply_to_input(input: &mut ProblemInput, case_ref: &str, change: &FixChange) {
    let case = input
        .cases
        .iter_mut()
        .find(|c| c.reference == case_ref)
        .expect("the case");
    match change {
        FixChange::NoneNeeded => {}
        FixChange::AcceptMode { mode } => case.accepted_modes.push(*mode),
        FixChange::ShortNotice => case.short_notice_ok = true,
        FixChange::PartyAvailability {
            party,
            date,
            session,
            ..
        } => open(&mut case.parties[*party].availability, *date, session),
        FixChange::MediatorAvailability {
            mediator,
            date,
            session,
        } => {
            let m = input.mediators.iter_mut().find(|m| &m.id == mediator);
            open(&mut m.expect("the mediator").availability, *date, session);
        }
        FixChange::VenueOpening {
            venue,
            date,
            session,
        } => {
            let v = input.venues.iter_mut().find(|v| &v.id == venue);
            open(&mut v.expect("the venue").availability, *date, session);
        }
        FixChange::InterpreterAvailability {
            interpreter,
            date,
            session,
        } => {
            let i = input.interpreters.iter_mut().find(|i| &i.id == interpreter);
            open(
                &mut i.expect("the interpreter").availability,
                *date,
                session,
            );
        }
        FixChange::MediatorDayCap { mediator, to, .. } => {
            let m = input.mediators.iter_mut().find(|m| &m.id == mediator);
            m.expect("the mediator").max_sessions_per_day = *to;
        }
        FixChange::MediatorWeekCap { mediator, to, .. } => {
            let m = input.mediators.iter_mut().find(|m| &m.id == mediator);
            m.expect("the mediator").max_sessions_per_week = *to;
        }
        FixChange::MediatorCoverage { mediator, la } => {
            let m = input.mediators.iter_mut().find(|m| &m.id == mediator);
            m.expect("the mediator").covers.push(la.clone());
        }
    }
}

fn meeting_of(case: &str, r: &Recommendation) -> Meeting {
    Meeting {
        case: case.to_string(),
        mediator: r.mediator.clone(),
        date: r.date,
        session: r.session.clone(),
        mode: r.mode,
        venue: r.venue.clone(),
        interpreter: r.interpreter.clone(),
        sequence: 0,
        details: None,
    }
}

fn without(roster: &Roster, case: &str) -> Roster {
    Roster {
        meetings: roster
            .meetings
            .iter()
            .filter(|m| m.case != case)
            .cloned()
            .collect(),
        ..Roster::default()
    }
}

/// Every fix of every case holds its case on time once made, and the roster with that
/// meeting passes the checker on the changed problem.
#[track_caller]
fn assert_every_fix_works(
    input: &ProblemInput,
    problem: &Problem,
    roster: &Roster,
    found: &[CaseFixes],
) {
    let w = Default::default();
    for case in found {
        let others = without(roster, &case.case);
        for fix in &case.fixes {
            let mut changed = input.clone();
            apply_to_input(&mut changed, &case.case, &fix.change);
            let changed = validate::validate(&changed).expect("still valid").problem;
            let options =
                recommend::recommend(&changed, &others, &case.case, 50, &w).expect("recommends");
            assert!(
                options.options.iter().any(|o| !o.late),
                "{} {}: no on-time option once made",
                case.case,
                fix.description
            );
            assert!(!fix.meeting.late);
            assert!(fix.meeting.date <= case.deadline);
            let mut with = others.clone();
            with.meetings.push(meeting_of(&case.case, &fix.meeting));
            let placements = placements_of(&changed, &with);
            let rebuilt = schedule::build_roster(&changed, &placements);
            let report = checker::check(&changed, &rebuilt);
            assert!(
                report.is_valid(),
                "{} {}: {:#?}",
                case.case,
                fix.description,
                report.violations
            );
            // The library's own `apply` gives the same meeting.
            let applied = fixes::apply(problem, &case.case, &fix.change).expect("applies");
            let best = recommend::recommend(&applied, &others, &case.case, 50, &w)
                .expect("recommends")
                .options
                .into_iter()
                .find(|o| !o.late)
                .expect("an on-time option");
            assert_eq!(best, fix.meeting, "{} {}", case.case, fix.description);
        }
    }
}

fn solve(problem: &Problem) -> Roster {
    schedule::schedule(problem, &SolveOptions::default())
        .expect("solves")
        .roster
}

#[test]
fn every_fix_on_the_shipped_week_holds_its_case_on_time() {
    let input: ProblemInput = serde_json::from_str(WEEK).expect("the week");
    let problem = validate::validate(&input).expect("valid").problem;
    let roster = solve(&problem);
    let found = fixes::fixes(&problem, &roster, &Default::default()).expect("fixes");
    let refs: Vec<&str> = found.iter().map(|c| c.case.as_str()).collect();
    for expected in [
        "SEN-2026-0499",
        "SEN-2026-0427",
        "SEN-2026-0443",
        "SEN-2026-0478",
    ] {
        assert!(refs.contains(&expected), "{expected} missing from {refs:?}");
    }
    let greenwich = &found[refs.iter().position(|r| *r == "SEN-2026-0499").unwrap_or(0)];
    assert_eq!(greenwich.status, CaseStatus::Unscheduled);
    assert!(greenwich
        .fixes
        .iter()
        .all(|f| f.kind == "mediator_coverage"));
    assert!(!greenwich.fixes.is_empty());
    let overdue = &found[refs.iter().position(|r| *r == "SEN-2026-0427").unwrap_or(0)];
    assert!(matches!(overdue.status, CaseStatus::Late { days } if days > 0));
    assert!(overdue.fixes.is_empty());
    assert_eq!(overdue.no_fix_reasons[0].code, "deadline_passed");
    assert!(found.iter().map(|c| c.fixes.len()).sum::<usize>() >= 3);
    assert_every_fix_works(&input, &problem, &roster, &found);
}

/// Horizon Tue 8 – Fri 18 Dec, published Mon 7 Dec: 5 working days' notice means Mon 14
/// at the earliest. C-1's deadline is Fri 11 Dec.
fn notice_only() -> Scenario {
    let mut s = Scenario::new();
    s.input.horizon.start = d("2026-12-08");
    s.only_cases(&["C-1"]);
    s.case("C-1").clock_start = d("2026-11-11");
    s
}

#[test]
fn a_case_blocked_only_by_notice_gets_a_shorter_notice_fix() {
    let s = notice_only();
    let problem = s.problem();
    let roster = solve(&problem);
    let found = fixes::fixes(&problem, &roster, &Default::default()).expect("fixes");
    assert_eq!(found.len(), 1);
    let c1 = &found[0];
    assert!(
        matches!(c1.status, CaseStatus::Late { days: 3 }),
        "{:?}",
        c1.status
    );
    let kinds: Vec<&str> = c1.fixes.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(kinds, ["short_notice"]);
    assert!(c1.fixes[0].meeting.date < d(MON));
    assert!(c1.fixes[0].description.contains("notice"));
    assert_every_fix_works(&s.input, &problem, &roster, &found);
}

/// C-1 is a Croydon case with deadline Tue 15 Dec; only M-CAM covers Croydon, and is away
/// Mon 14 and Tue 15.
fn mediator_away() -> Scenario {
    let mut s = Scenario::new();
    s.only_cases(&["C-1"]);
    let c = s.case("C-1");
    c.la = CROYDON.into();
    c.family_area = CROYDON.into();
    c.clock_start = d("2026-11-15");
    s.mediator("M-CAM").availability = unavailable(&[(MON, None), (TUE, None)]);
    s
}

#[test]
fn a_case_blocked_only_by_a_mediator_gets_that_mediator_and_date() {
    let s = mediator_away();
    let problem = s.problem();
    let roster = solve(&problem);
    let found = fixes::fixes(&problem, &roster, &Default::default()).expect("fixes");
    let c1 = &found[0];
    assert!(
        matches!(c1.status, CaseStatus::Late { days: 1 }),
        "{:?}",
        c1.status
    );
    let first = &c1.fixes[0];
    assert_eq!(first.kind, "mediator_availability");
    assert_eq!(
        first.change,
        FixChange::MediatorAvailability {
            mediator: "M-CAM".into(),
            date: d(MON),
            session: "AM".into()
        }
    );
    assert_eq!(
        first.description,
        "Ask mediator M-CAM to add Mon 14 Dec 2026 AM to their availability"
    );
    // M-ISL, who does not cover Croydon, is the other way: ranked after, for its effort.
    assert!(c1.fixes.iter().any(|f| f.kind == "mediator_coverage"));
    assert_every_fix_works(&s.input, &problem, &roster, &found);
}

#[test]
fn a_case_needing_two_changes_says_there_is_no_single_fix() {
    let mut s = mediator_away();
    s.case("C-1").parties[0].availability = unavailable(&[(MON, None), (TUE, None)]);
    let problem = s.problem();
    let roster = solve(&problem);
    let found = fixes::fixes(&problem, &roster, &Default::default()).expect("fixes");
    let c1 = &found[0];
    assert!(c1.fixes.is_empty(), "{:#?}", c1.fixes);
    let codes: Vec<&str> = c1.no_fix_reasons.iter().map(|r| r.code.as_str()).collect();
    assert!(codes.contains(&"parties_available"), "{codes:?}");
}

#[test]
fn an_overdue_case_has_no_fix_because_its_deadline_has_passed() {
    let mut s = Scenario::new();
    s.only_cases(&["C-1"]);
    s.case("C-1").clock_start = d("2026-11-01");
    let problem = s.problem();
    let roster = solve(&problem);
    let found = fixes::fixes(&problem, &roster, &Default::default()).expect("fixes");
    assert!(found[0].fixes.is_empty());
    assert_eq!(found[0].no_fix_reasons[0].code, "deadline_passed");
}

#[test]
fn a_roster_holding_every_case_on_time_needs_no_fix() {
    let s = Scenario::new();
    let problem = s.problem();
    let roster = solve(&problem);
    assert!(fixes::fixes(&problem, &roster, &Default::default())
        .expect("fixes")
        .is_empty());
}

#[test]
fn a_case_left_out_with_a_free_option_needs_no_change() {
    let s = Scenario::new();
    let problem = s.problem();
    let roster = without(&solve(&problem), "C-1");
    let found =
        fixes::fixes_for_case(&problem, &roster, "C-1", &Default::default()).expect("fixes");
    assert_eq!(found.fixes[0].change, FixChange::NoneNeeded);
    assert_eq!(found.fixes.len(), 1);
}
