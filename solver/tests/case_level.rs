//! One case's data never blocks everyone's roster (issue 15): a case-level problem is a
//! warning, the other cases are rostered, and that case is reported not held with the rule
//! that rules it out. A problem without cases is valid, with a warning. A case whose data is
//! incomplete or inconsistent (W2506 to W2511) is ruled out by the rule `case_data`: never
//! held, reported not held for `case_data`, and a roster holding it breaks `case_data`.

mod common;

use common::{
    assert_breaks, at, d, only_available, valid_roster, Scenario, CAMDEN, CROYDON, ISLINGTON, TUE,
};
use mediation_solver::checker::check;
use mediation_solver::input::{Duration, HealthInput, SessionTemplateInput};
use mediation_solver::milp::SolveOptions;
use mediation_solver::roster::{Reason, Roster};
use mediation_solver::schedule::schedule;
use mediation_solver::validate::{self, default_templates, Issue};

/// The scenario's cases C-1 and C-2 plus C-3, due Wed 16 Dec (inside the week, so a C-3 not
/// held is `unscheduled`, not carried over).
fn scenario() -> Scenario {
    let mut s = Scenario::new();
    // Day 30 of a clock started Mon 16 Nov is Wed 16 Dec.
    s.add_case("C-3", CAMDEN, CAMDEN).clock_start = d("2026-11-16");
    s
}

fn solve(s: &Scenario) -> (Vec<Issue>, Roster) {
    let validated = validate::validate(&s.input).expect("a case-level problem is no error");
    let outcome = schedule(&validated.problem, &SolveOptions::default()).expect("solves");
    let report = check(&validated.problem, &outcome.roster);
    assert!(report.is_valid(), "{:#?}", report.violations);
    (validated.warnings, outcome.roster)
}

fn held(roster: &Roster) -> Vec<&str> {
    let mut cases: Vec<&str> = roster.meetings.iter().map(|m| m.case.as_str()).collect();
    cases.sort_unstable();
    cases
}

#[test]
fn a_party_never_available_leaves_its_case_out_with_its_reason_and_the_rest_held() {
    let mut s = scenario();
    // The parent of C-3 is free only on the Saturday after the roster.
    s.case("C-3").parties[0].availability = only_available(&[("2026-12-19", None)]);
    let (warnings, roster) = solve(&s);

    let codes: Vec<&str> = warnings.iter().map(|w| w.code).collect();
    assert!(codes.contains(&"W2503"), "{warnings:#?}");
    let w = warnings.iter().find(|w| w.code == "W2503").unwrap();
    assert_eq!(w.path, "/cases/2/parties/0/availability");

    assert_eq!(held(&roster), vec!["C-1", "C-2"]);
    let not_held = roster
        .unscheduled
        .iter()
        .find(|u| u.case == "C-3")
        .expect("C-3 is reported not held");
    assert_eq!(not_held.primary_reason, "parties_available");
    assert!(
        not_held
            .reasons
            .iter()
            .any(|r| r.code == "parties_available" && r.count > 0),
        "{not_held:#?}"
    );
}

#[test]
fn a_full_day_case_without_a_full_day_template_is_left_out_for_session_length() {
    let mut s = scenario();
    let half_days: Vec<SessionTemplateInput> = default_templates()
        .into_iter()
        .filter(|t| !t.full_day)
        .collect();
    s.input.session_templates = Some(half_days);
    s.case("C-3").duration = Duration::FullDay;
    let (warnings, roster) = solve(&s);

    let w = warnings
        .iter()
        .find(|w| w.code == "W2504")
        .expect("W2504 is raised");
    assert_eq!(w.path, "/cases/2/duration");
    assert_eq!(held(&roster), vec!["C-1", "C-2"]);
    let not_held = roster
        .unscheduled
        .iter()
        .find(|u| u.case == "C-3")
        .expect("C-3 is reported not held");
    assert_eq!(not_held.primary_reason, "session_length");
}

#[test]
fn an_empty_week_is_valid_with_a_warning() {
    let mut s = Scenario::new();
    s.input.cases.clear();
    let validated = validate::validate(&s.input).expect("an empty week is valid");
    let codes: Vec<&str> = validated.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, vec!["W2505"]);
    assert_eq!(validated.warnings[0].path, "/cases");
    let outcome = schedule(&validated.problem, &SolveOptions::default()).expect("solves");
    assert!(outcome.roster.meetings.is_empty());
    assert!(outcome.roster.unscheduled.is_empty() && outcome.roster.carried_over.is_empty());
}

// ---------------------------------------------------------------------------------------
// Case data (W2506 to W2511): the rule `case_data`
// ---------------------------------------------------------------------------------------

/// Solves `s`, whose C-3 has the case-level data problem `code` at `path`, and checks that
/// C-3 alone is left out, reported not held for `case_data` (unscheduled, or carried over
/// when its day 30 falls after the week), the roster being valid; then that a roster
/// holding C-3 breaks `case_data`.
fn assert_case_data(s: &Scenario, code: &str, path: &str) {
    let (warnings, roster) = solve(s);
    let w = warnings
        .iter()
        .find(|w| w.code == code)
        .unwrap_or_else(|| panic!("{code} is raised: {warnings:#?}"));
    assert_eq!(w.path, path);
    assert!(w.message.contains("case_data"), "{}", w.message);

    assert_eq!(held(&roster), vec!["C-1", "C-2"]);
    let (primary, reasons): (&str, &[Reason]) = roster
        .unscheduled
        .iter()
        .find(|u| u.case == "C-3")
        .map(|u| (u.primary_reason.as_str(), u.reasons.as_slice()))
        .or_else(|| {
            roster
                .carried_over
                .iter()
                .find(|c| c.case == "C-3")
                .map(|c| (c.primary_reason.as_str(), c.reasons.as_slice()))
        })
        .expect("C-3 is reported not held");
    assert_eq!(primary, "case_data");
    let reason = reasons
        .iter()
        .find(|r| r.code == "case_data")
        .expect("case_data is among the reasons");
    assert_eq!(reason.count, 2, "both mediators are ruled out: {reason:#?}");
    assert!(reason.message.contains(code), "{}", reason.message);

    // A roster that holds the case anyway, on a session it could otherwise take.
    let mut holding = valid_roster();
    holding
        .meetings
        .push(at("C-3", "M-CAM", TUE, "AM", "V-CAM"));
    let report = s.check(&holding);
    assert_breaks(&report, "case_data");
    let v = report
        .violations
        .iter()
        .find(|v| v.code == "case_data")
        .unwrap();
    assert_eq!(v.case.as_deref(), Some("C-3"));
    assert_eq!(v.meeting, Some(2));
    // The same roster holding a sound C-3 breaks nothing: `case_data` is the only fault.
    let mut sound = scenario();
    sound.case("C-3").la = s.input.cases[2].la.clone();
    sound.case("C-3").family_area = s.input.cases[2].family_area.clone();
    let report = sound.check(&holding);
    assert!(report.is_valid(), "{:#?}", report.violations);
}

#[test]
fn a_case_without_a_required_party_is_left_out_for_case_data() {
    let mut s = scenario();
    for party in &mut s.case("C-3").parties {
        party.required = false;
    }
    assert_case_data(&s, "W2509", "/cases/2/parties");
}

#[test]
fn a_case_needing_no_rooms_is_left_out_for_case_data() {
    let mut s = scenario();
    s.case("C-3").needs.rooms = 0;
    assert_case_data(&s, "W2510", "/cases/2/needs/rooms");
}

#[test]
fn a_case_needing_more_than_three_rooms_is_left_out_for_case_data() {
    let mut s = scenario();
    s.case("C-3").needs.rooms = 4;
    assert_case_data(&s, "W2510", "/cases/2/needs/rooms");
}

#[test]
fn a_health_case_naming_no_icb_is_left_out_for_case_data() {
    let mut s = scenario();
    s.case("C-3").health = Some(HealthInput { icb: "".into() });
    assert_case_data(&s, "W2511", "/cases/2/health/icb");
}

#[test]
fn a_case_without_parties_is_left_out_for_case_data() {
    let mut s = scenario();
    s.case("C-3").parties.clear();
    assert_case_data(&s, "W2508", "/cases/2/parties");
}

#[test]
fn a_case_in_an_la_not_covered_is_left_out_for_case_data() {
    let mut s = scenario();
    s.input.covered_las = Some(vec![CAMDEN.into(), ISLINGTON.into()]);
    let c3 = s.case("C-3");
    c3.la = CROYDON.into();
    c3.family_area = CAMDEN.into();
    assert_case_data(&s, "W2506", "/cases/2/la");
}

#[test]
fn a_case_whose_clock_starts_after_the_roster_is_left_out_for_case_data() {
    let mut s = scenario();
    s.case("C-3").clock_start = d("2026-12-21");
    assert_case_data(&s, "W2507", "/cases/2/clock_start");
}
