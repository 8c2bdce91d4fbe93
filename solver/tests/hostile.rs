//! Hostile input (issue 14, item 5): dates at the end of the calendar's range are refused by
//! validation with a code and a pointer instead of panicking later; the checker never indexes
//! past the horizon; checking a roster of thousands of copies of one meeting stays linear;
//! a what-if scenario that would move the horizon past the supported dates is refused.

use mediation_solver::checker;
use mediation_solver::input::ProblemInput;
use mediation_solver::roster::{Meeting, Roster};
use mediation_solver::validate::{self, InputError, Issue, MAX_DATE, MIN_DATE};
use mediation_solver::whatif::{self, Scenario, WhatIfError};

const WEEK: &str = include_str!("../../fixtures/week-2026-12-07.json");

fn week() -> serde_json::Value {
    serde_json::from_str(WEEK).expect("the shipped week is JSON")
}

fn input_of(value: serde_json::Value) -> ProblemInput {
    validate::parse_input(&value.to_string()).expect("a problem document")
}

fn errors_of(value: serde_json::Value) -> Vec<Issue> {
    match validate::validate(&input_of(value)) {
        Err(InputError::Invalid { errors, .. }) => errors,
        Err(other) => panic!("expected validation errors, got {other:?}"),
        Ok(_) => panic!("expected validation errors, the problem validated"),
    }
}

fn with_horizon(start: &str, end: &str, publication: &str) -> serde_json::Value {
    let mut v = week();
    v["horizon"] = serde_json::json!({
        "start": start, "end": end, "publication_date": publication,
    });
    v
}

fn has(errors: &[Issue], code: &str, path: &str) -> bool {
    errors.iter().any(|e| e.code == code && e.path == path)
}

#[test]
fn the_supported_range_is_2000_to_2199() {
    assert_eq!(MIN_DATE.to_string(), "2000-01-01");
    assert_eq!(MAX_DATE.to_string(), "2199-12-31");
}

#[test]
fn a_horizon_in_year_262142_is_an_error_with_a_code_and_pointer() {
    let errors = errors_of(with_horizon(
        "+262142-12-27",
        "+262142-12-29",
        "+262142-12-20",
    ));
    for field in ["start", "end", "publication_date"] {
        let path = format!("/horizon/{field}");
        assert!(has(&errors, "E1013", &path), "{path}: {errors:#?}");
    }
}

#[test]
fn a_horizon_ending_past_2199_is_an_error_and_one_ending_on_its_last_day_is_not() {
    let errors = errors_of(with_horizon("2199-12-29", "2200-01-04", "2199-12-20"));
    assert!(has(&errors, "E1013", "/horizon/end"), "{errors:#?}");
    assert!(!has(&errors, "E1013", "/horizon/start"), "{errors:#?}");

    // Ending on the last supported day is within range: no E1013 anywhere about the horizon
    // (other errors, such as the cases' clocks, are the week's own business).
    let mut v = with_horizon("2199-12-27", "2199-12-31", "2199-12-20");
    for case in v["cases"].as_array_mut().unwrap() {
        case["clock_start"] = serde_json::json!("2199-12-15");
    }
    for m in v["mediators"].as_array_mut().unwrap() {
        for field in [
            "accreditation_expires",
            "register_expires",
            "insurance_expires",
            "dbs_expires",
        ] {
            m[field] = serde_json::json!("2199-12-31");
        }
    }
    match validate::validate(&input_of(v)) {
        Ok(validated) => assert_eq!(validated.problem.horizon.days.len(), 5),
        Err(InputError::Invalid { errors, .. }) => {
            assert!(
                !errors.iter().any(|e| e.code == "E1013"),
                "no date is out of range: {errors:#?}"
            );
        }
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn every_kind_of_date_is_bounded() {
    let mut v = week();
    v["bank_holidays"] = serde_json::json!(["2026-12-25", "1999-12-31"]);
    v["mediators"][0]["dbs_expires"] = serde_json::json!("+262142-01-01");
    v["mediators"][0]["availability"] = serde_json::json!({ "unavailable": [ { "date": "2026-12-08" }, { "date": "2200-01-01" } ] });
    v["cases"][0]["clock_start"] = serde_json::json!("1900-01-01");
    let errors = errors_of(v);
    for path in [
        "/bank_holidays/1",
        "/mediators/0/dbs_expires",
        "/mediators/0/availability/unavailable/1/date",
        "/cases/0/clock_start",
    ] {
        assert!(has(&errors, "E1013", path), "{path}: {errors:#?}");
    }
    assert!(!has(&errors, "E1013", "/bank_holidays/0"));
}

fn week_problem() -> mediation_solver::model::Problem {
    validate::parse_problem(WEEK)
        .expect("the shipped week validates")
        .problem
}

fn meeting_on(problem: &mediation_solver::model::Problem, date: &str) -> Meeting {
    let json = serde_json::json!({
        "case": problem.cases[0].reference,
        "mediator": problem.mediators[0].id,
        "date": date,
        "session": problem.templates[0].id,
        "mode": "video",
    });
    serde_json::from_value(json).expect("a meeting")
}

#[test]
fn meetings_outside_the_horizon_are_violations_not_panics() {
    let problem = week_problem();
    let roster = Roster {
        meetings: vec![
            meeting_on(&problem, "2300-01-01"),
            meeting_on(&problem, "1999-01-01"),
            meeting_on(&problem, "+262142-12-31"),
        ],
        unscheduled: Vec::new(),
        carried_over: Vec::new(),
    };
    let report = checker::check(&problem, &roster);
    let outside = report
        .violations
        .iter()
        .filter(|v| v.code == "within_horizon")
        .count();
    assert_eq!(outside, 3, "{:#?}", report.violations);
}

#[test]
fn a_horizon_whose_day_list_disagrees_gives_a_violation_not_a_panic() {
    let mut problem = week_problem();
    let last = *problem.horizon.days.last().expect("the week has days");
    problem.horizon.days.pop();
    let roster = Roster {
        meetings: vec![meeting_on(&problem, &last.to_string())],
        unscheduled: Vec::new(),
        carried_over: Vec::new(),
    };
    let report = checker::check(&problem, &roster);
    assert!(
        report.codes().contains(&"within_horizon"),
        "{:#?}",
        report.violations
    );
}

#[test]
fn four_thousand_copies_of_one_meeting_give_a_linear_report() {
    const N: usize = 4_000;
    let problem = week_problem();
    // A meeting that breaks no single-meeting rule is not needed: the copies clash with each
    // other whatever they are. An in-person meeting exercises the venue rooms as well.
    let mut meeting = meeting_on(&problem, &problem.horizon.days[1].to_string());
    if let Some(venue) = problem.venues.first() {
        meeting.mode = mediation_solver::input::Mode::InPerson;
        meeting.venue = Some(venue.id.clone());
    }
    let roster = Roster {
        meetings: vec![meeting; N],
        unscheduled: Vec::new(),
        carried_over: Vec::new(),
    };
    let report = checker::check(&problem, &roster);
    assert_eq!(report.meetings_checked, N);
    let case_once = report
        .violations
        .iter()
        .filter(|v| v.code == "case_once")
        .count();
    assert_eq!(
        case_once, 1,
        "one case_once violation for the duplicated case"
    );
    // Per meeting: its own rules (as many as one copy alone breaks), at most one overlap
    // (against the first copy), the day and week caps and the rooms; plus one violation per
    // other case of the week (missing) and the case_once.
    let alone = Roster {
        meetings: vec![roster.meetings[0].clone()],
        unscheduled: Vec::new(),
        carried_over: Vec::new(),
    };
    let own = checker::check(&problem, &alone)
        .violations
        .iter()
        .filter(|v| v.meeting == Some(0))
        .count();
    let bound = (own + 4) * N + problem.cases.len() + 1;
    assert!(
        report.violations.len() <= bound,
        "{} violations for {N} meetings (bound {bound})",
        report.violations.len()
    );
    let overlaps: Vec<_> = report
        .violations
        .iter()
        .filter(|v| v.code == "mediator_overlap")
        .collect();
    assert_eq!(overlaps.len(), N - 1, "one overlap per extra copy");
    let text: usize = report.violations.iter().map(|v| v.message.len()).sum();
    assert!(
        text < 1_000 * N,
        "report text {text} bytes for {N} meetings"
    );
}

fn scenario(json: serde_json::Value) -> Scenario {
    serde_json::from_value(json).expect("a scenario")
}

#[test]
fn a_scenario_moving_the_horizon_past_2199_is_refused_with_a_code() {
    let mut v = with_horizon("2199-12-23", "2199-12-29", "2199-12-16");
    for case in v["cases"].as_array_mut().unwrap() {
        case["clock_start"] = serde_json::json!("2199-12-10");
    }
    let base = input_of(v);
    let s = scenario(serde_json::json!({
        "name": "far",
        "changes": [ { "kind": "horizon", "weeks": 26 } ],
    }));
    let weights = Default::default();
    match whatif::apply_changes(&base, &s, &weights) {
        Err(WhatIfError::Change { error, field, .. }) => {
            assert_eq!(error.code(), "E3015");
            assert_eq!(field, "weeks");
        }
        Err(other) => panic!("expected E3015, got {other}"),
        Ok(_) => panic!("a horizon past 2199 must be refused"),
    }
    // An absurd number of weeks is refused before any date arithmetic.
    let s = scenario(serde_json::json!({
        "name": "absurd",
        "changes": [ { "kind": "horizon", "weeks": u32::MAX } ],
    }));
    match whatif::apply_changes(&input_of(week()), &s, &weights) {
        Err(WhatIfError::Change { error, .. }) => assert_eq!(error.code(), "E3010"),
        Err(other) => panic!("expected E3010, got {other}"),
        Ok(_) => panic!("u32::MAX weeks must be refused"),
    }
}

#[test]
fn a_plan_whose_base_is_in_year_262142_is_refused_with_the_date_code() {
    let plan = serde_json::json!({
        "base": with_horizon("+262142-12-27", "+262142-12-29", "+262142-12-20"),
        "scenarios": [ { "name": "more", "changes": [ { "kind": "horizon", "weeks": 2 } ] } ],
    });
    let loader = |_: &str| -> Result<String, String> { Err("no files".into()) };
    let plan = whatif::parse(&plan.to_string(), &loader).expect("the plan parses");
    match whatif::prepare(&plan, &Default::default()) {
        Err(WhatIfError::BaseInvalid { errors }) => {
            assert!(errors.iter().any(|e| e.code == "E1013"), "{errors:#?}");
        }
        Err(other) => panic!("expected the base to be invalid, got {other}"),
        Ok(_) => panic!("a base in year 262142 must be refused"),
    }
}

/// Found by `tests/fuzz.rs`: a daily cap of `i32::MAX` (validation warns, W2201, and goes
/// on) overflowed the horizon's capacity (cap × working days) and panicked in the solve.
/// The weekly cap is what binds; the roster and the suggested fixes come back.
#[test]
fn a_daily_cap_of_i32_max_binds_nothing_and_panics_nowhere() {
    let mut v = week();
    v["mediators"][0]["max_sessions_per_day"] = serde_json::json!(i32::MAX);
    v["mediators"][0]["max_sessions_per_week"] = serde_json::json!(3);
    let validated = validate::validate(&input_of(v)).expect("a warning, not an error");
    assert!(validated.warnings.iter().any(|w| w.code == "W2201"));
    let problem = validated.problem;
    assert_eq!(problem.horizon_capacity(0), 3);
    let options = mediation_solver::milp::SolveOptions::default();
    let outcome = mediation_solver::schedule::schedule(&problem, &options).expect("a roster");
    assert!(checker::check(&problem, &outcome.roster).is_valid());
    mediation_solver::fixes::fixes(&problem, &outcome.roster, &options.weights)
        .expect("fixes for the roster");
}
