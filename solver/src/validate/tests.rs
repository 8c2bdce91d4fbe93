//! The validator's unit tests, on a minimal problem built in each test.

use chrono::{NaiveDate, NaiveTime};
use serde_json::json;

use super::*;
use crate::input::{
    AvailabilityInput, DaySessions, HorizonInput, InterpreterInput, Mode, PartyRole,
    SessionTemplateInput,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// One mediator, one venue and one case in Camden; a week from Mon 14 Dec 2026.
fn minimal_json() -> serde_json::Value {
    json!({
        "horizon": {"start": "2026-12-14", "end": "2026-12-18", "publication_date": "2026-12-07"},
        "mediators": [{
            "id": "M1", "name": "A Mediator", "home_area": "E09000007",
            "covers": ["E09000007", "E10000015"],
            "accreditation_expires": "2027-12-31", "register_expires": "2027-12-31",
            "insurance_expires": "2027-12-31", "dbs_expires": "2027-12-31",
            "max_sessions_per_day": 2, "max_sessions_per_week": 6
        }],
        "venues": [{
            "id": "V1", "name": "Camden Centre", "area": "E09000007",
            "lat": 51.54, "lon": -0.14, "rooms": 3
        }],
        "cases": [{
            "reference": "C-001", "la": "E09000007", "family_area": "E09000007",
            "clock_start": "2026-12-01",
            "parties": [{"role": "parent"}, {"role": "la"}],
            "preferred_mode": "in_person",
            "needs": {}
        }]
    })
}

fn minimal() -> ProblemInput {
    serde_json::from_value(minimal_json()).unwrap()
}

fn errors(input: &ProblemInput) -> Vec<Issue> {
    match validate(input) {
        Err(InputError::Invalid { errors, .. }) => errors,
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("expected validation errors"),
    }
}

fn codes(issues: &[Issue]) -> Vec<&'static str> {
    issues.iter().map(|i| i.code).collect()
}

fn day(date: &str, sessions: Option<&[&str]>) -> DaySessions {
    DaySessions {
        date: d(date),
        sessions: sessions.map(|s| s.iter().map(|x| x.to_string()).collect()),
    }
}

/// Template indices free for the mediator on horizon day `day`.
fn free_templates(problem: &Problem, day: usize) -> Vec<&str> {
    let mediator = &problem.mediators[0];
    problem
        .templates
        .iter()
        .enumerate()
        .filter(|(t, _)| mediator.availability.is_free(day, *t))
        .map(|(_, t)| t.id.as_str())
        .collect()
}

#[test]
fn minimal_valid_problem_builds() {
    let v = validate(&minimal()).unwrap();
    let p = &v.problem;
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    assert_eq!(p.horizon.days.len(), 5);
    assert_eq!(p.horizon.days[4], d("2026-12-18"));
    assert_eq!(p.templates.len(), 3);
    assert_eq!(p.areas.len(), 45);
    assert!(p.covered_las.contains("E10000015"));
    assert_eq!(p.index.mediator["M1"], 0);
    assert_eq!(p.index.template["FULL"], 2);
    assert_eq!(p.mediators[0].home_area, p.index.area["E09000007"]);
    assert_eq!(p.cases[0].needs.rooms, 1);
    assert!(p.cases[0].accepted_modes.contains(&Mode::InPerson));
    assert!(p.calendar.is_bank_holiday(d("2026-12-25")));
    assert_eq!(p.mediators[0].availability.free, vec![0b111; 5]);
}

#[test]
fn parse_problem_accepts_the_minimal_problem() {
    let text = minimal_json().to_string();
    assert!(parse_problem(&text).is_ok());
}

#[test]
fn every_error_is_reported_at_once() {
    let mut input = minimal();
    input.mediators[0].home_area = "E99999999".into();
    input.venues[0].rooms = 0;
    input.cases[0].preferred_venues = vec!["V9".into()];
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1203", "E1403", "E1512"]);
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "/mediators/0/home_area",
            "/venues/0/rooms",
            "/cases/0/preferred_venues/0"
        ]
    );
}

#[test]
fn malformed_json_gives_a_json_pointer_path() {
    let mut value = minimal_json();
    value["cases"][0]["la"] = json!(42);
    match parse_problem(&serde_json::to_string_pretty(&value).unwrap()) {
        Err(InputError::Malformed {
            path,
            line,
            column,
            message,
        }) => {
            assert_eq!(path, "/cases/0/la");
            assert!(line > 1 && column > 0);
            assert!(!message.contains(" at line "), "{message}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn unknown_field_is_malformed_at_its_parent() {
    let mut value = minimal_json();
    value["venues"][0]["colour"] = json!("blue");
    let Err(InputError::Malformed { path, message, .. }) = parse_problem(&value.to_string()) else {
        panic!("expected Malformed");
    };
    assert!(path.starts_with("/venues/0"), "{path}");
    assert!(message.contains("colour"), "{message}");
}

#[test]
fn garbage_text_is_malformed_without_panicking() {
    for text in ["", "{", "[]", "null", "{\"horizon\": 3}", "{} trailing"] {
        assert!(
            matches!(parse_problem(text), Err(InputError::Malformed { .. })),
            "{text}"
        );
    }
}

#[test]
fn duplicate_mediator_ids_are_reported_with_both_paths() {
    let mut input = minimal();
    input.mediators.push(input.mediators[0].clone());
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1201"]);
    assert_eq!(errors[0].path, "/mediators/1/id");
    assert!(errors[0].message.contains("/mediators/0/id"));
    assert!(errors[0].message.contains("/mediators/1/id"));
}

#[test]
fn empty_case_reference_is_an_error() {
    let mut input = minimal();
    input.cases[0].reference = " ".into();
    assert_eq!(codes(&errors(&input)), vec!["E1502"]);
}

#[test]
fn unknown_home_area_points_to_the_areas_file() {
    let mut input = minimal();
    input.mediators[0].home_area = "Camden".into();
    let errors = errors(&input);
    assert_eq!(errors[0].code, "E1203");
    assert!(errors[0].hint.contains("fixtures/areas.csv"));
}

#[test]
fn hertfordshire_la_given_as_an_area_says_to_use_a_district() {
    let mut input = minimal();
    input.cases[0].family_area = "E10000015".into();
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1505"]);
    assert!(errors[0].hint.contains("Hertfordshire County Council"));
    assert!(errors[0].hint.contains("E07000"));
}

#[test]
fn hertfordshire_district_given_as_la_gets_the_specific_hint() {
    let mut input = minimal();
    input.cases[0].la = "E07000240".into();
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1503"]);
    assert_eq!(errors[0].path, "/cases/0/la");
    assert!(errors[0].message.contains("St Albans"));
    assert!(errors[0].hint.contains("E10000015"));
}

#[test]
fn mediator_covering_a_district_gets_the_specific_hint() {
    let mut input = minimal();
    input.mediators[0].covers.push("E07000103".into());
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1204"]);
    assert_eq!(errors[0].path, "/mediators/0/covers/2");
    assert!(errors[0].hint.contains("Watford"));
    assert!(errors[0].hint.contains("E10000015"));
}

/// Validates `input`, expecting exactly one warning, the case-level `code` at `path`, and
/// the case kept in the problem with `code` as its data problem.
fn case_level(input: &ProblemInput, code: &str, path: &str) -> Issue {
    let v = validate(input).expect("one case's data does not stop the roster");
    assert_eq!(codes(&v.warnings), vec![code], "{:#?}", v.warnings);
    let w = v.warnings[0].clone();
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.path, path);
    assert!(w.message.contains("case_data"), "{}", w.message);
    assert_eq!(v.problem.cases.len(), 1);
    assert_eq!(v.problem.cases[0].data_problem, Some(code));
    w
}

#[test]
fn a_sound_case_has_no_data_problem() {
    let v = validate(&minimal()).expect("valid");
    assert_eq!(v.problem.cases[0].data_problem, None);
}

#[test]
fn case_in_an_uncovered_la_is_a_case_level_warning() {
    let mut input = minimal();
    input.covered_las = Some(vec!["E10000015".into()]);
    case_level(&input, "W2506", "/cases/0/la");
}

#[test]
fn case_without_parties_is_a_case_level_warning() {
    let mut input = minimal();
    input.cases[0].parties.clear();
    case_level(&input, "W2508", "/cases/0/parties");
}

#[test]
fn case_needing_no_rooms_or_more_than_three_is_a_case_level_warning() {
    for rooms in [0, 4] {
        let mut input = minimal();
        input.cases[0].needs.rooms = rooms;
        // By video too, so no venue with 4 rooms is needed (W2502).
        input.cases[0].accepted_modes = vec![Mode::Video];
        case_level(&input, "W2510", "/cases/0/needs/rooms");
    }
}

#[test]
fn case_with_an_empty_icb_is_a_case_level_warning() {
    let mut input = minimal();
    input.cases[0].health = Some(crate::input::HealthInput { icb: " ".into() });
    case_level(&input, "W2511", "/cases/0/health/icb");
}

#[test]
fn the_first_data_problem_of_a_case_is_kept() {
    let mut input = minimal();
    input.covered_las = Some(vec!["E10000015".into()]);
    input.cases[0].parties.clear();
    let v = validate(&input).expect("case-level only");
    assert_eq!(codes(&v.warnings), vec!["W2506", "W2508"]);
    assert_eq!(v.problem.cases[0].data_problem, Some("W2506"));
}

#[test]
fn am_and_pm_available_make_the_full_day_free() {
    let mut input = minimal();
    input.mediators[0].availability.available = Some(vec![
        day("2026-12-15", Some(&["AM", "PM"])),
        day("2026-12-16", Some(&["AM"])),
        day("2026-12-17", Some(&["AM"])),
        day("2026-12-17", Some(&["PM"])),
        day("2026-12-18", None),
    ]);
    let p = validate(&input).unwrap().problem;
    assert_eq!(free_templates(&p, 0), Vec::<&str>::new());
    assert_eq!(free_templates(&p, 1), vec!["AM", "PM", "FULL"]);
    assert_eq!(free_templates(&p, 2), vec!["AM"]);
    assert_eq!(free_templates(&p, 3), vec!["AM", "PM", "FULL"]);
    assert_eq!(free_templates(&p, 4), vec!["AM", "PM", "FULL"]);
}

#[test]
fn pm_unavailable_blocks_the_full_day() {
    let mut input = minimal();
    input.mediators[0].availability.unavailable = vec![
        day("2026-12-14", Some(&["PM"])),
        day("2026-12-15", Some(&["FULL"])),
        day("2026-12-16", None),
    ];
    let p = validate(&input).unwrap().problem;
    assert_eq!(free_templates(&p, 0), vec!["AM"]);
    assert_eq!(free_templates(&p, 1), Vec::<&str>::new());
    assert_eq!(free_templates(&p, 2), Vec::<&str>::new());
    assert_eq!(free_templates(&p, 3), vec!["AM", "PM", "FULL"]);
}

#[test]
fn unknown_session_id_in_availability_is_an_error() {
    let mut input = minimal();
    input.venues[0].availability.unavailable = vec![day("2026-12-14", Some(&["EVENING"]))];
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1011"]);
    assert_eq!(
        errors[0].path,
        "/venues/0/availability/unavailable/0/sessions/0"
    );
    assert!(errors[0].hint.contains("AM, PM, FULL"));
}

#[test]
fn dates_outside_the_horizon_are_warnings_not_errors() {
    let mut input = minimal();
    input.mediators[0].availability.available = Some(vec![
        day("2026-12-01", None),
        day("2026-12-14", None),
        day("2027-02-01", Some(&["AM"])),
    ]);
    let v = validate(&input).unwrap();
    assert_eq!(codes(&v.warnings), vec!["W2002"]);
    assert_eq!(
        v.warnings[0].path,
        "/mediators/0/availability/available/0/date"
    );
    assert!(v.warnings[0].message.starts_with("2 availability entries"));
    assert_eq!(free_templates(&v.problem, 0), vec!["AM", "PM", "FULL"]);
}

#[test]
fn mediator_never_available_is_a_warning() {
    let mut input = minimal();
    input.mediators[0].availability.available = Some(vec![]);
    let v = validate(&input).unwrap();
    assert_eq!(codes(&v.warnings), vec!["W2202"]);
}

#[test]
fn required_party_never_available_is_a_case_level_warning() {
    let mut input = minimal();
    input.cases[0].parties[1].availability.available = Some(vec![]);
    let v = validate(&input).expect("one case's party does not stop the roster");
    assert_eq!(codes(&v.warnings), vec!["W2503"]);
    assert_eq!(v.warnings[0].severity, Severity::Warning);
    assert_eq!(v.warnings[0].path, "/cases/0/parties/1/availability");
    assert!(v.warnings[0].message.contains("parties_available"));
    assert!(v.warnings[0].hint.contains("mark the party not required"));
    // The case stays in the problem, with its party never free.
    let case = &v.problem.cases[0];
    assert!(case.parties[1].availability.is_never_free());
}

#[test]
fn full_day_case_without_a_full_day_template_is_a_case_level_warning() {
    let mut input = minimal();
    input.session_templates = Some(default_templates()[..2].to_vec());
    input.cases[0].duration = crate::input::Duration::FullDay;
    let v = validate(&input).expect("one case's duration does not stop the roster");
    assert_eq!(codes(&v.warnings), vec!["W2504"]);
    assert_eq!(v.warnings[0].path, "/cases/0/duration");
    assert!(v.warnings[0].message.contains("session_length"));
}

#[test]
fn a_problem_without_cases_is_valid_with_a_warning() {
    let mut input = minimal();
    input.cases.clear();
    let v = validate(&input).expect("an empty week is valid");
    assert_eq!(codes(&v.warnings), vec!["W2505"]);
    assert_eq!(v.warnings[0].path, "/cases");
    assert!(v.problem.cases.is_empty());
}

#[test]
fn every_code_emitted_is_a_listed_code_with_its_severity() {
    let mut input = minimal();
    input.time_zone = Some("UTC".into());
    input.cases[0].parties[0].availability.available = Some(vec![]);
    input.cases.push(input.cases[0].clone());
    input.mediators[0].max_sessions_per_day = 9;
    let Err(InputError::Invalid { errors, warnings }) = validate(&input) else {
        panic!("expected errors");
    };
    assert!(!errors.is_empty() && !warnings.is_empty());
    for issue in errors.iter().chain(&warnings) {
        let code = Code::parse(issue.code).expect("a listed code");
        assert_eq!(code.severity(), issue.severity, "{}", issue.code);
    }
}

#[test]
fn optional_party_never_available_is_fine() {
    let mut input = minimal();
    input.cases[0].parties.push(crate::input::PartyInput {
        role: PartyRole::School,
        required: false,
        availability: AvailabilityInput {
            available: Some(vec![]),
            unavailable: vec![],
        },
    });
    assert!(validate(&input).is_ok());
}

#[test]
fn case_without_a_required_party_is_a_case_level_warning() {
    let mut input = minimal();
    for party in &mut input.cases[0].parties {
        party.required = false;
    }
    let w = case_level(&input, "W2509", "/cases/0/parties");
    assert!(w.hint.contains("as required"));
}

#[test]
fn time_zone_other_than_london_is_an_error() {
    let mut input = minimal();
    input.time_zone = Some("UTC".into());
    assert_eq!(codes(&errors(&input)), vec!["E1001"]);
    input.time_zone = Some("Europe/London".into());
    assert!(validate(&input).is_ok());
}

#[test]
fn horizon_ending_before_it_starts_is_one_error() {
    let mut input = minimal();
    input.horizon.end = d("2026-12-10");
    input.horizon.publication_date = d("2026-12-01");
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1002"]);
}

#[test]
fn horizon_longer_than_a_year_is_an_error() {
    let mut input = minimal();
    input.horizon.end = NaiveDate::MAX;
    assert_eq!(codes(&errors(&input)), vec!["E1004"]);
}

#[test]
fn publication_after_the_horizon_is_an_error() {
    let mut input = minimal();
    input.horizon.publication_date = d("2026-12-19");
    assert_eq!(codes(&errors(&input)), vec!["E1003"]);
}

#[test]
fn clock_start_after_the_horizon_is_a_case_level_warning() {
    let mut input = minimal();
    input.cases[0].clock_start = d("2026-12-19");
    let w = case_level(&input, "W2507", "/cases/0/clock_start");
    assert!(w
        .message
        .contains("cannot have agreed mediation after the roster"));
}

#[test]
fn templates_are_checked() {
    let mut input = minimal();
    let mut templates = default_templates();
    templates[1].end = templates[1].start;
    templates.push(templates[0].clone());
    input.session_templates = Some(templates);
    assert_eq!(codes(&errors(&input)), vec!["E1007", "E1006"]);
    input.session_templates = Some(vec![]);
    assert_eq!(codes(&errors(&input)), vec!["E1005"]);
    input.session_templates = Some(vec![default_templates()[2].clone()]);
    assert_eq!(codes(&errors(&input)), vec!["E1009"]);
}

#[test]
fn too_many_templates_is_an_error_without_panicking() {
    let mut input = minimal();
    let template = &default_templates()[0];
    let many = (0..40)
        .map(|i| SessionTemplateInput {
            id: format!("T{i}"),
            ..template.clone()
        })
        .collect();
    input.session_templates = Some(many);
    input.mediators[0].availability.unavailable = vec![day("2026-12-14", Some(&["T39"]))];
    assert_eq!(codes(&errors(&input)), vec!["E1008"]);
}

#[test]
fn lapsed_credentials_are_a_warning() {
    let mut input = minimal();
    input.mediators[0].dbs_expires = d("2026-12-13");
    let v = validate(&input).unwrap();
    assert_eq!(codes(&v.warnings), vec!["W2203"]);
    assert_eq!(v.warnings[0].path, "/mediators/0/dbs_expires");
}

#[test]
fn zero_caps_are_errors_and_an_unreachable_day_cap_a_warning() {
    let mut input = minimal();
    input.mediators[0].max_sessions_per_day = 0;
    input.mediators[0].max_sessions_per_week = 0;
    assert_eq!(codes(&errors(&input)), vec!["E1205", "E1206"]);
    input.mediators[0].max_sessions_per_day = 4;
    input.mediators[0].max_sessions_per_week = 4;
    assert_eq!(codes(&validate(&input).unwrap().warnings), vec!["W2201"]);
}

#[test]
fn venue_numbers_are_checked() {
    let mut input = minimal();
    input.venues[0].cost_per_session = f64::NAN;
    input.venues[0].lat = 91.0;
    input.venues[0].lon = f64::INFINITY;
    input.venues[0].area = "E09000099".into();
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1402", "E1404", "E1405", "E1405"]);
}

/// A venue priced beyond any real hire is refused by name, not summed into an overflow
/// (a fuzzed input at 10³⁰⁸ pounds made the candidates' costs overflow).
#[test]
fn a_venue_priced_beyond_any_real_hire_is_refused() {
    let mut input = minimal();
    input.venues[0].cost_per_session = 1e308;
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1404"]);
    assert_eq!(errors[0].path, "/venues/0/cost_per_session");
    input.venues[0].cost_per_session = 100_000.0;
    assert!(validate(&input).is_ok());
}

#[test]
fn unknown_preferences_are_errors() {
    let mut input = minimal();
    input.cases[0].preferred_areas = vec!["E09000007".into(), "nowhere".into()];
    input.cases[0].preferred_venues = vec!["V9".into()];
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1511", "E1512"]);
    assert_eq!(errors[0].path, "/cases/0/preferred_areas/1");
}

#[test]
fn language_nobody_speaks_is_a_warning_and_english_is_no_need() {
    let mut input = minimal();
    input.cases[0].needs.language = Some(" BSL".into());
    let v = validate(&input).unwrap();
    assert_eq!(codes(&v.warnings), vec!["W2501"]);
    assert_eq!(v.problem.cases[0].needs.language.as_deref(), Some("bsl"));

    input.mediators[0].languages = vec!["bsl".into()];
    assert!(validate(&input).unwrap().warnings.is_empty());

    input.cases[0].needs.language = Some("English".into());
    let v = validate(&input).unwrap();
    assert_eq!(v.problem.cases[0].needs.language, None);
}

#[test]
fn interpreter_without_languages_is_an_error() {
    let mut input = minimal();
    input.interpreters.push(InterpreterInput {
        id: "I1".into(),
        languages: vec![" ".into()],
        availability: AvailabilityInput::default(),
    });
    assert_eq!(codes(&errors(&input)), vec!["E1302"]);
}

#[test]
fn duplicate_areas_and_bad_covered_las_are_reported() {
    let mut input = minimal();
    let mut areas = default_areas();
    areas.push(areas[0].clone());
    input.areas = Some(areas);
    input.covered_las = Some(vec!["E09000007".into(), "E07000095".into()]);
    let errors = errors(&input);
    assert_eq!(codes(&errors), vec!["E1101", "E1103"]);
    assert_eq!(errors[0].path, "/areas/45/gss_code");
    assert!(errors[1].hint.contains("E10000015"));
}

#[test]
fn horizon_beyond_the_default_bank_holidays_is_a_warning() {
    let mut input = minimal();
    input.horizon = HorizonInput {
        start: d("2028-01-10"),
        end: d("2028-01-14"),
        publication_date: d("2028-01-03"),
    };
    input.cases[0].clock_start = d("2028-01-01");
    input.mediators[0].accreditation_expires = d("2028-12-31");
    input.mediators[0].register_expires = d("2028-12-31");
    input.mediators[0].insurance_expires = d("2028-12-31");
    input.mediators[0].dbs_expires = d("2028-12-31");
    let v = validate(&input).unwrap();
    assert_eq!(codes(&v.warnings), vec!["W2001"]);
}

#[test]
fn default_areas_are_the_45_areas_of_the_fixture() {
    let areas = default_areas();
    assert_eq!(areas.len(), 45);
    let herts = areas.iter().filter(|a| a.la_code == "E10000015").count();
    assert_eq!(herts, 10);
    let watford = areas.iter().find(|a| a.name == "Watford").unwrap();
    assert_eq!(watford.gss_code, "E07000103");
    assert_eq!(watford.la_name, "Hertfordshire County Council");
}

#[test]
fn default_templates_are_am_pm_and_full() {
    let t = default_templates();
    let ids: Vec<&str> = t.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, vec!["AM", "PM", "FULL"]);
    assert!(t[2].full_day && !t[0].full_day);
    assert_eq!(t[1].end, NaiveTime::from_hms_opt(17, 0, 0).unwrap());
}

#[test]
fn issues_serialise_with_snake_case_severity() {
    let issue = issue(Code::E1001, "/time_zone", "m", "h");
    assert_eq!(issue.severity, Severity::Error);
    let value = serde_json::to_value(&issue).unwrap();
    assert_eq!(value["severity"], "error");
    assert_eq!(value["code"], "E1001");
}
