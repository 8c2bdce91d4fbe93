//! One reading of a roster meeting ([`placement::resolve`]) for every caller: a video meeting
//! that names a venue is not a placement anywhere. The checker names the rule and the field,
//! re-planning refuses the published roster pointing at the field, and `placements_of` and
//! the key figures leave the meeting out alike (the report's side is tested in
//! `src/report/mod.rs`).

use std::sync::OnceLock;

use mediation_solver::checker::check;
use mediation_solver::input::ProblemInput;
use mediation_solver::kpi::kpis;
use mediation_solver::milp::SolveOptions;
use mediation_solver::model::{Mode, Problem};
use mediation_solver::placement::{self, MeetingField, PlacementError};
use mediation_solver::replan::{self, ReplanError};
use mediation_solver::roster::Roster;
use mediation_solver::rules::Rule;
use mediation_solver::schedule::{placements_of, schedule};
use mediation_solver::validate::validate;

const WEEK: &str = include_str!("../../fixtures/week-2026-12-07.json");

/// The shipped week's input, problem and roster, solved once.
fn week() -> &'static (ProblemInput, Problem, Roster) {
    static SOLVED: OnceLock<(ProblemInput, Problem, Roster)> = OnceLock::new();
    SOLVED.get_or_init(|| {
        let input: ProblemInput = serde_json::from_str(WEEK).expect("the shipped week parses");
        let problem = validate(&input).expect("the shipped week is valid").problem;
        let roster = schedule(&problem, &SolveOptions::default())
            .expect("the shipped week solves")
            .roster;
        (input, problem, roster)
    })
}

/// The roster with its first video meeting naming the venue of its first in-person meeting;
/// returns the index of the changed meeting.
fn video_meeting_naming_a_venue() -> (Roster, usize) {
    let (_, _, roster) = week();
    let mut roster = roster.clone();
    let venue = roster
        .meetings
        .iter()
        .find_map(|m| m.venue.clone())
        .expect("the week has an in-person meeting");
    let k = roster
        .meetings
        .iter()
        .position(|m| m.mode == Mode::Video)
        .expect("the week has a video meeting");
    roster.meetings[k].venue = Some(venue);
    (roster, k)
}

#[test]
fn the_one_function_names_the_rule_and_the_field() {
    let (_, problem, _) = week();
    let (roster, k) = video_meeting_naming_a_venue();
    let e = placement::resolve(problem, &roster.meetings[k]).unwrap_err();
    assert!(
        matches!(
            e,
            PlacementError::VenueNotAllowed {
                mode: Mode::Video,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.rule(), Rule::VenueMatchesMode);
    assert_eq!(e.field(), MeetingField::Venue);
}

#[test]
fn the_checker_reports_venue_matches_mode_on_the_meeting() {
    let (_, problem, _) = week();
    let (roster, k) = video_meeting_naming_a_venue();
    let report = check(problem, &roster);
    let v = report
        .violations
        .iter()
        .find(|v| v.code == "venue_matches_mode")
        .unwrap_or_else(|| panic!("{:#?}", report.violations));
    assert_eq!(v.meeting, Some(k));
    assert_eq!(v.case.as_deref(), Some(roster.meetings[k].case.as_str()));
    assert!(v.message.contains("field `venue`"), "{}", v.message);
}

#[test]
fn replan_refuses_the_published_roster_naming_the_field_and_the_rule() {
    let (input, _, _) = week();
    let (roster, k) = video_meeting_naming_a_venue();
    let err = replan::prepare(input, &roster.meetings, &[]).unwrap_err();
    match &err {
        ReplanError::Invalid { field, message } => {
            assert_eq!(field, &format!("/published/{k}/venue"));
            assert!(message.contains("venue_matches_mode"), "{message}");
            assert!(message.contains("video meeting names a venue"), "{message}");
        }
        other => panic!("expected an invalid published meeting, got {other:?}"),
    }
    assert_eq!(err.code(), "invalid_change");
    assert!(
        err.to_string()
            .starts_with(&format!("/published/{k}/venue: ")),
        "{err}"
    );
}

#[test]
fn replan_still_names_an_unknown_id_and_a_missing_venue() {
    let (input, _, roster) = week();
    let mut published = roster.meetings.clone();
    let k = published
        .iter()
        .position(|m| m.mode == Mode::InPerson)
        .expect("an in-person meeting");
    published[k].venue = Some("V-NOWHERE".into());
    match replan::prepare(input, &published, &[]).unwrap_err() {
        ReplanError::UnknownId { field, what, id } => {
            assert_eq!(field, format!("/published/{k}/venue"));
            assert_eq!((what, id.as_str()), ("venue", "V-NOWHERE"));
        }
        other => panic!("expected an unknown venue, got {other:?}"),
    }
    published[k].venue = None;
    match replan::prepare(input, &published, &[]).unwrap_err() {
        ReplanError::Invalid { field, message } => {
            assert_eq!(field, format!("/published/{k}/venue"));
            assert!(message.contains("needs a venue"), "{message}");
        }
        other => panic!("expected a missing venue, got {other:?}"),
    }
}

#[test]
fn placements_of_and_the_key_figures_leave_the_meeting_out_alike() {
    let (_, problem, solved) = week();
    let (roster, k) = video_meeting_naming_a_venue();
    let case = problem.index.case[&roster.meetings[k].case];

    let before = placements_of(problem, solved);
    let after = placements_of(problem, &roster);
    assert_eq!(before.len(), solved.meetings.len());
    assert_eq!(after.len(), before.len() - 1);
    assert!(after.iter().all(|p| p.case != case));

    let (was, now) = (
        kpis(problem, solved).overall,
        kpis(problem, &roster).overall,
    );
    assert_eq!(now.held, was.held - 1);
    assert_eq!(now.held, after.len());
    assert_eq!(now.meetings_by_mode.video, was.meetings_by_mode.video - 1);
    assert_eq!(
        now.meetings_by_mode.in_person,
        was.meetings_by_mode.in_person
    );
    assert_eq!(now.family_travel_km_total, was.family_travel_km_total);
}
