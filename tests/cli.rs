//! The `mediation-scheduler` command line, run as a process: what it prints and its exit
//! statuses (0 success, 1 rule violations, 2 unusable input).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const WEEK_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/week-2026-12-07.json");

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn status(o: &Output) -> i32 {
    o.status.code().expect("exited normally, not by a signal")
}

/// A fresh directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A problem from the `generate` subcommand, written to `dir`.
fn generated(dir: &Path, extra: &[&str]) -> PathBuf {
    let file = dir.join("problem.json");
    let mut args = vec![
        "generate",
        "--cases",
        "12",
        "--mediators",
        "8",
        "--venues",
        "5",
        "--seed",
        "42",
        "--out",
        path_str(&file),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(status(&o), 0, "generate failed: {}", stderr(&o));
    file
}

/// The one-week fixture, or a generated week while the fixture is not there yet.
fn week_problem(dir: &Path) -> PathBuf {
    let fixture = PathBuf::from(WEEK_FIXTURE);
    if fixture.exists() {
        fixture
    } else {
        generated(dir, &[])
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("readable JSON file");
    serde_json::from_str(&text).expect("valid JSON")
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).expect("writable");
}

/// Solves `problem` with `--format json` and writes the document to `dir/roster.json`.
fn solved(dir: &Path, problem: &Path) -> (PathBuf, Value) {
    let o = run(&["roster", path_str(problem), "--format", "json"]);
    assert_eq!(status(&o), 0, "roster failed: {}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("roster --format json is JSON");
    let file = dir.join("roster.json");
    write_json(&file, &doc);
    (file, doc)
}

// ---------------------------------------------------------------------------------------
// roster
// ---------------------------------------------------------------------------------------

#[test]
fn roster_prints_the_table_and_exits_0() {
    let dir = scratch("roster-table");
    let o = run(&["roster", path_str(&week_problem(&dir))]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    for section in [
        "Meetings",
        "Unscheduled (",
        "Carried over (",
        "Late (",
        "Key figures",
        "Sessions per mediator",
        "Solver",
    ] {
        assert!(out.contains(section), "no `{section}` section in:\n{out}");
    }
    for field in [
        "backend",
        "status",
        "objective",
        "best bound",
        "gap",
        "constraints",
    ] {
        assert!(out.contains(field), "no solver `{field}` in:\n{out}");
    }
    assert!(out.contains("Certificate due"));
}

#[test]
fn roster_with_progress_prints_each_phase_with_its_time_and_without_it_none() {
    let dir = scratch("roster-progress");
    let problem = week_problem(&dir);
    let o = run(&[
        "roster",
        path_str(&problem),
        "--progress",
        "--format",
        "json",
    ]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    let phases = [
        "listing candidate meetings",
        "building the model",
        "greedy warm start",
        "MILP round 1 (",
    ];
    let mut last = 0;
    for phase in phases {
        let at = err
            .find(phase)
            .unwrap_or_else(|| panic!("no `{phase}` in:\n{err}"));
        assert!(at >= last, "`{phase}` out of order in:\n{err}");
        last = at;
        let line = err.lines().find(|l| l.contains(phase)).unwrap();
        assert!(
            line.starts_with('[') && line.contains(" s] "),
            "no elapsed time in `{line}`"
        );
    }
    assert!(err.contains("optimal in"), "{err}");
    // The roster on standard output is untouched.
    let _: Value = serde_json::from_str(&stdout(&o)).unwrap();

    let quiet = run(&["roster", path_str(&problem), "--format", "json"]);
    assert_eq!(status(&quiet), 0);
    assert!(!stderr(&quiet).contains("listing candidate meetings"));
}

#[test]
fn roster_json_parses_and_its_roster_passes_check() {
    let dir = scratch("roster-json");
    let problem = week_problem(&dir);
    let (file, doc) = solved(&dir, &problem);
    for key in ["roster", "kpis", "solver", "warnings"] {
        assert!(doc.get(key).is_some(), "no `{key}` in the JSON document");
    }
    let meetings = doc["roster"]["meetings"].as_array().expect("meetings");
    assert!(!meetings.is_empty());
    let start = meetings[0]["details"]["start"]
        .as_str()
        .expect("a start time");
    assert!(
        start.ends_with('Z') || start[start.len() - 6..].starts_with(['+', '-']),
        "start time {start} carries no UTC offset"
    );
    assert!(doc["kpis"]["overall"]["cases"].as_u64().unwrap() > 0);

    let o = run(&["check", path_str(&problem), path_str(&file)]);
    assert_eq!(status(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("no violations"));
}

#[test]
fn check_accepts_a_bare_roster_object() {
    let dir = scratch("check-bare");
    let problem = week_problem(&dir);
    let (_, doc) = solved(&dir, &problem);
    let bare = dir.join("bare.json");
    write_json(&bare, &doc["roster"]);
    let o = run(&["check", path_str(&problem), path_str(&bare)]);
    assert_eq!(status(&o), 0, "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn roster_csv_has_the_header_and_one_row_per_meeting() {
    let dir = scratch("roster-csv");
    let problem = week_problem(&dir);
    let (_, doc) = solved(&dir, &problem);
    let o = run(&["roster", path_str(&problem), "--format", "csv"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "date,start,end,session,case,la,mediator,mode,venue,interpreter,deadline,\
         days_of_margin,late,certificate_due"
    );
    assert_eq!(
        lines.len() - 1,
        doc["roster"]["meetings"].as_array().unwrap().len()
    );
}

#[test]
fn roster_out_writes_json_csv_and_report_to_a_new_directory() {
    let dir = scratch("roster-out");
    let out_dir = dir.join("nested").join("out");
    let o = run(&[
        "roster",
        path_str(&week_problem(&dir)),
        "--format",
        "csv",
        "--out",
        path_str(&out_dir),
    ]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert!(read_json(&out_dir.join("roster.json"))
        .get("roster")
        .is_some());
    let csv = std::fs::read_to_string(out_dir.join("roster.csv")).unwrap();
    assert!(csv.starts_with("date,start,end,"));
    let report = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
    assert!(report.contains("Key figures"));
}

/// Every file below `dir`, as paths relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                found.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn roster_out_writes_the_page_a_calendar_per_mediator_and_venue_and_an_invitation_per_meeting() {
    let dir = scratch("roster-out-bundle");
    let problem = week_problem(&dir);
    let (a, b) = (dir.join("a"), dir.join("b"));
    for out in [&a, &b] {
        let o = run(&["roster", path_str(&problem), "--out", path_str(out)]);
        assert_eq!(status(&o), 0, "{}", stderr(&o));
    }
    let input = read_json(&problem);
    let roster = read_json(&a.join("roster.json"));
    let meetings = roster["roster"]["meetings"].as_array().unwrap();
    let mut expected: Vec<String> = ["roster.json", "roster.csv", "report.txt", "roster.html"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for m in input["mediators"].as_array().unwrap() {
        expected.push(format!(
            "calendars/mediator-{}.ics",
            m["id"].as_str().unwrap()
        ));
    }
    for v in input["venues"].as_array().unwrap() {
        expected.push(format!("calendars/venue-{}.ics", v["id"].as_str().unwrap()));
    }
    for m in meetings {
        expected.push(format!("invitations/{}.ics", m["case"].as_str().unwrap()));
        assert_eq!(m["sequence"], 0, "first publication");
    }
    expected.sort();
    assert_eq!(files_under(&a), expected);
    // The shipped week's page stays small enough to mail.
    let page = std::fs::metadata(a.join("roster.html")).unwrap().len();
    assert!(page <= 200 * 1024, "roster.html is {page} bytes");
    // The same input gives byte-identical calendars (the JSON, the text report and the
    // page show the solve's times, which vary).
    for file in expected.iter().filter(|f| f.ends_with(".ics")) {
        let (x, y) = (
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between two runs");
    }
}

#[test]
fn replan_out_writes_the_call_list_and_raises_the_sequence_of_moved_meetings() {
    let dir = scratch("replan-out");
    let problem = week_problem(&dir);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/replan");
    let out = dir.join("out");
    let o = run(&[
        "replan",
        path_str(&problem),
        "--published",
        path_str(&fixtures.join("published-2026-12-07.json")),
        "--changes",
        path_str(&fixtures.join("illness-2026-12-07.json")),
        "--out",
        path_str(&out),
    ]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let changes = read_json(&out.join("changes.json"));
    let moved: Vec<&Value> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "moved")
        .collect();
    assert!(!moved.is_empty());
    let page = std::fs::read_to_string(out.join("changes.html")).unwrap();
    let roster = read_json(&out.join("roster.json"));
    for c in &moved {
        let case = c["case"].as_str().unwrap();
        assert!(page.contains(case), "{case} not on the call list");
        let now = roster["roster"]["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["case"] == case)
            .unwrap();
        assert_eq!(now["sequence"], 1, "{case} moved once since publication");
        let invitation =
            std::fs::read_to_string(out.join(format!("invitations/{case}.ics"))).unwrap();
        assert!(invitation.contains("SEQUENCE:1"), "{invitation}");
    }
    let kept = roster["roster"]["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sequence"] == 0)
        .count();
    assert_eq!(kept as u64, changes["kept"].as_u64().unwrap());
}

#[test]
fn roster_out_refuses_a_calendar_domain_it_cannot_use_and_writes_nothing() {
    let dir = scratch("roster-out-domain");
    let problem = week_problem(&dir);
    let out = dir.join("out");
    let o = run(&[
        "roster",
        path_str(&problem),
        "--out",
        path_str(&out),
        "--calendar-domain",
        "bad domain",
    ]);
    assert_eq!(status(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("domain"), "{}", stderr(&o));
    assert!(!out.join("roster.html").exists());
}

#[test]
fn roster_logs_name_no_mediator() {
    let dir = scratch("roster-logs");
    let problem = week_problem(&dir);
    let o = run(&["roster", path_str(&problem)]);
    assert_eq!(status(&o), 0);
    let log = stderr(&o);
    for mediator in read_json(&problem)["mediators"].as_array().unwrap() {
        let name = mediator["name"].as_str().unwrap();
        assert!(!log.contains(name), "stderr names {name}:\n{log}");
    }
}

#[test]
fn roster_on_an_invalid_problem_prints_each_issue_and_exits_2() {
    let dir = scratch("roster-invalid");
    let file = broken_problem(&dir);
    let o = run(&["roster", path_str(&file)]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("E1203 /mediators/0/home_area: "),
        "issue not in `CODE /path: message` form:\n{err}"
    );
    assert!(err.contains("(hint: "), "{err}");
    assert!(stdout(&o).is_empty());
}

#[cfg(not(feature = "highs"))]
#[test]
fn roster_with_highs_in_a_build_without_it_exits_2() {
    let dir = scratch("roster-highs");
    let o = run(&[
        "roster",
        path_str(&week_problem(&dir)),
        "--backend",
        "highs",
    ]);
    assert_eq!(status(&o), 2);
    assert!(stderr(&o).contains("--features highs"), "{}", stderr(&o));
}

#[test]
fn roster_with_a_zero_time_limit_exits_2_naming_the_option() {
    let dir = scratch("roster-limit");
    let o = run(&["roster", path_str(&week_problem(&dir)), "--time-limit", "0"]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("--time-limit"), "{err}");
    assert!(!err.contains("time_limit_secs"), "{err}");
    assert!(err.contains("code: invalid_option"), "{err}");
}

// ---------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------

#[test]
fn check_on_a_roster_with_a_meeting_moved_to_saturday_exits_1_and_names_working_day() {
    let dir = scratch("check-saturday");
    // Two weeks from Mon 7 Dec 2026: Sat 12 Dec lies inside the horizon.
    let problem = generated(&dir, &["--weeks", "2"]);
    let (_, mut doc) = solved(&dir, &problem);
    let meetings = doc["roster"]["meetings"].as_array_mut().unwrap();
    assert!(!meetings.is_empty(), "the generated week has meetings");
    meetings[0]["date"] = Value::from("2026-12-12");
    let tampered = dir.join("tampered.json");
    write_json(&tampered, &doc);

    let o = run(&["check", path_str(&problem), path_str(&tampered)]);
    assert_eq!(status(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("working_day"), "{out}");
    assert!(out.contains("meeting #0"), "{out}");
    assert!(out.lines().last().unwrap().starts_with("invalid:"), "{out}");
}

#[test]
fn check_on_a_file_that_is_not_a_roster_exits_2_naming_it() {
    let dir = scratch("check-not-roster");
    let problem = week_problem(&dir);
    let not_roster = dir.join("not-roster.json");
    std::fs::write(&not_roster, r#"{"meetings": 3}"#).unwrap();
    let o = run(&["check", path_str(&problem), path_str(&not_roster)]);
    assert_eq!(status(&o), 2);
    assert!(stderr(&o).contains("not-roster.json"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------------------

/// A generated problem with three independent errors: an unknown home area (E1203), a venue
/// with no rooms (E1403) and a case whose LA no area belongs to (E1503).
fn broken_problem(dir: &Path) -> PathBuf {
    let mut problem = read_json(&generated(dir, &[]));
    problem["mediators"][0]["home_area"] = Value::from("E99999999");
    problem["venues"][0]["rooms"] = Value::from(0);
    problem["cases"][0]["la"] = Value::from("E99999998");
    let file = dir.join("broken.json");
    write_json(&file, &problem);
    file
}

#[test]
fn validate_lists_every_issue_of_an_invalid_file_and_exits_2() {
    let dir = scratch("validate-invalid");
    let o = run(&["validate", path_str(&broken_problem(&dir))]);
    assert_eq!(status(&o), 2);
    let out = stdout(&o);
    for code in ["E1203", "E1403", "E1503"] {
        assert!(out.contains(code), "no {code} in:\n{out}");
    }
    assert!(out.contains("/venues/0/rooms"), "{out}");
}

#[test]
fn validate_as_json_gives_each_issue_with_code_and_path() {
    let dir = scratch("validate-json");
    let o = run(&[
        "validate",
        path_str(&broken_problem(&dir)),
        "--format",
        "json",
    ]);
    assert_eq!(status(&o), 2);
    let doc: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(doc["valid"], Value::Bool(false));
    let codes: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    for code in ["E1203", "E1403", "E1503"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    assert!(doc["errors"][0]["path"].as_str().unwrap().starts_with('/'));
}

#[test]
fn validate_a_valid_file_exits_0() {
    let dir = scratch("validate-valid");
    let o = run(&["validate", path_str(&generated(&dir, &[]))]);
    assert_eq!(status(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).lines().last().unwrap().starts_with("valid:"));
}

/// The shipped week with the parent of SEN-2026-0395 (due Mon 7 Dec, inside the week) never
/// available.
fn week_with_a_party_never_available(dir: &Path) -> PathBuf {
    let mut problem = read_json(&week_problem(dir));
    let case = &mut problem["cases"][8];
    assert_eq!(case["reference"], "SEN-2026-0395");
    assert_eq!(case["parties"][0]["role"], "parent");
    case["parties"][0]["availability"] = serde_json::json!({ "available": [] });
    let file = dir.join("party-never-available.json");
    write_json(&file, &problem);
    file
}

#[test]
fn a_party_never_available_is_a_warning_and_its_case_alone_is_not_held() {
    let dir = scratch("party-never-available");
    let (_, base) = solved(&dir, &week_problem(&dir));
    let base_held = base["roster"]["meetings"].as_array().unwrap().len();
    let file = week_with_a_party_never_available(&dir);

    let o = run(&["validate", path_str(&file)]);
    assert_eq!(status(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("W2503 /cases/8/parties/0/availability: "),
        "{out}"
    );
    assert!(out.lines().last().unwrap().starts_with("valid:"), "{out}");

    let o = run(&["roster", path_str(&file), "--format", "json"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let warnings: Vec<&str> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(warnings.contains(&"W2503"), "{warnings:?}");
    let meetings = doc["roster"]["meetings"].as_array().unwrap();
    assert!(meetings.iter().all(|m| m["case"] != "SEN-2026-0395"));
    assert!(meetings.len() + 1 >= base_held, "the other cases are held");
    let not_held = doc["roster"]["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["case"] == "SEN-2026-0395")
        .expect("SEN-2026-0395 is reported not held");
    assert_eq!(not_held["primary_reason"], "parties_available");
}

#[test]
fn a_case_without_a_required_party_is_a_warning_and_is_not_held_for_case_data() {
    let dir = scratch("no-required-party");
    let mut problem = read_json(&week_problem(&dir));
    let case = &mut problem["cases"][8];
    assert_eq!(case["reference"], "SEN-2026-0395");
    for party in case["parties"].as_array_mut().unwrap() {
        party["required"] = serde_json::json!(false);
    }
    let file = dir.join("no-required-party.json");
    write_json(&file, &problem);

    let o = run(&["validate", path_str(&file)]);
    assert_eq!(status(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("W2509 /cases/8/parties: "), "{out}");
    assert!(out.lines().last().unwrap().starts_with("valid:"), "{out}");

    let (roster, doc) = solved(&dir, &file);
    let meetings = doc["roster"]["meetings"].as_array().unwrap();
    assert!(meetings.iter().all(|m| m["case"] != "SEN-2026-0395"));
    let not_held = doc["roster"]["unscheduled"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["case"] == "SEN-2026-0395")
        .expect("SEN-2026-0395 is reported not held");
    assert_eq!(not_held["primary_reason"], "case_data");

    let o = run(&["check", path_str(&file), path_str(&roster)]);
    assert_eq!(status(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("no violations"));
}

#[test]
fn an_empty_week_is_valid_with_a_warning_and_an_empty_roster() {
    let dir = scratch("empty-week");
    let mut problem = read_json(&week_problem(&dir));
    problem["cases"] = serde_json::json!([]);
    let file = dir.join("empty.json");
    write_json(&file, &problem);

    let o = run(&["validate", path_str(&file)]);
    assert_eq!(status(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("W2505 /cases: "), "{}", stdout(&o));

    let o = run(&["roster", path_str(&file), "--format", "json"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(doc["roster"]["meetings"], serde_json::json!([]));
    let warnings = doc["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["code"] == "W2505"),
        "{warnings:?}"
    );
}

#[test]
fn malformed_json_exits_2_naming_the_file_and_the_field() {
    let dir = scratch("malformed");
    let file = dir.join("bad-horizon.json");
    std::fs::write(&file, r#"{"horizon": {"start": "not a date"}}"#).unwrap();
    let o = run(&["validate", path_str(&file)]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("bad-horizon.json"), "{err}");
    assert!(err.contains("/horizon/start"), "{err}");
}

#[test]
fn a_missing_file_exits_2_with_its_path_for_every_command() {
    let dir = scratch("missing");
    let missing = dir.join("no-such-problem.json");
    let existing = week_problem(&dir);
    let commands: [Vec<&str>; 4] = [
        vec!["roster", path_str(&missing)],
        vec!["validate", path_str(&missing)],
        vec!["check", path_str(&missing), path_str(&existing)],
        vec!["check", path_str(&existing), path_str(&missing)],
    ];
    for args in commands {
        let o = run(&args);
        assert_eq!(status(&o), 2, "{args:?}");
        let err = stderr(&o);
        assert!(err.contains(path_str(&missing)), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

// ---------------------------------------------------------------------------------------
// generate
// ---------------------------------------------------------------------------------------

#[test]
fn generate_is_deterministic_in_its_seed() {
    let args = [
        "generate",
        "--cases",
        "6",
        "--mediators",
        "4",
        "--venues",
        "3",
        "--seed",
        "9",
    ];
    let a = run(&args);
    let b = run(&args);
    assert_eq!(status(&a), 0);
    assert_eq!(a.stdout, b.stdout);
    let doc: Value = serde_json::from_slice(&a.stdout).expect("JSON problem");
    assert_eq!(doc["cases"].as_array().unwrap().len(), 6);
}

#[test]
fn generate_with_a_start_that_is_not_a_monday_exits_2() {
    let o = run(&[
        "generate",
        "--cases",
        "1",
        "--mediators",
        "1",
        "--venues",
        "1",
        "--seed",
        "1",
        "--start",
        "2026-12-08",
    ]);
    assert_eq!(status(&o), 2);
    assert!(stderr(&o).contains("Monday"), "{}", stderr(&o));
}

const PUBLISHED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/replan/published-2026-12-07.json"
);
const ILLNESS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/replan/illness-2026-12-07.json"
);

/// `replan` of the shipped week's published roster after `changes`, with `extra` arguments.
fn replan(changes: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "replan",
        WEEK_FIXTURE,
        "--published",
        PUBLISHED,
        "--changes",
        changes,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn replan_after_an_illness_lists_the_forced_move_and_keeps_the_rest() {
    let o = replan(ILLNESS, &["--format", "json"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let changes = doc["changes"].as_array().expect("changes");
    let forced: Vec<&Value> = changes.iter().filter(|c| c["forced"] == true).collect();
    assert_eq!(forced.len(), 1, "{changes:?}");
    assert_eq!(forced[0]["case"], "SEN-2026-0481");
    assert_eq!(forced[0]["rule"], "mediator_available");
    assert_eq!(forced[0]["from"]["mediator"], "M022");
    assert_ne!(forced[0]["to"]["mediator"], "M022");
    let published: Value =
        serde_json::from_str(&std::fs::read_to_string(PUBLISHED).unwrap()).unwrap();
    let n = published["meetings"].as_array().unwrap().len() as u64;
    let moved = changes.iter().filter(|c| c["kind"] != "added").count() as u64;
    assert_eq!(doc["kept"].as_u64().unwrap() + moved, n);
    assert!(!doc["roster"]["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["mediator"] == "M022" && m["date"] == "2026-12-07"));
}

#[test]
fn replan_with_a_change_naming_an_unknown_mediator_exits_2_with_its_pointer() {
    let dir = scratch("replan-bad");
    let changes = dir.join("changes.json");
    std::fs::write(
        &changes,
        r#"[{"kind": "mediator_unavailable", "mediator": "M999", "dates": ["2026-12-08"]}]"#,
    )
    .unwrap();
    let o = replan(path_str(&changes), &[]);
    assert_eq!(status(&o), 2);
    assert!(stderr(&o).contains("/changes/0/mediator"), "{}", stderr(&o));
    std::fs::write(&changes, r#"[{"kind": "mediator_on_holiday"}]"#).unwrap();
    let o = replan(path_str(&changes), &[]);
    assert_eq!(status(&o), 2);
    assert!(stderr(&o).contains("changes file"), "{}", stderr(&o));
}

#[test]
fn replan_with_a_penalty_out_of_range_exits_2_naming_the_flag() {
    for (penalty, says) in [
        ("-1", "must be zero or more"),
        ("9223372036854775807", "must be at most 1000000000"),
    ] {
        let o = replan(ILLNESS, &[&format!("--penalty={penalty}")]);
        assert_eq!(status(&o), 2, "{}", stderr(&o));
        assert!(stderr(&o).contains("--penalty"), "{}", stderr(&o));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
}

#[test]
fn capacity_reports_the_extra_sessions_and_refuses_an_unreachable_share() {
    let o = run(&[
        "capacity",
        WEEK_FIXTURE,
        "--share",
        "0.9",
        "--format",
        "json",
    ]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(doc["target"], 27);
    assert!(doc["held_by_day_30"].as_u64().unwrap() >= 27);
    let total = doc["total_extra_sessions"].as_u64().unwrap();
    let sum: u64 = doc["extra"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sessions"].as_u64().unwrap())
        .sum();
    assert!(total >= 1);
    assert_eq!(sum, total);
    let o = run(&["capacity", WEEK_FIXTURE, "--share", "1.0"]);
    assert_eq!(status(&o), 2);
    assert!(stderr(&o).contains("target_unreachable"), "{}", stderr(&o));
}

#[test]
fn roster_with_fixes_adds_a_fixes_key_for_each_case_not_held_on_time() {
    let o = run(&["roster", WEEK_FIXTURE, "--format", "json", "--fixes"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let fixes = doc["fixes"].as_array().expect("a fixes array");
    let unscheduled = doc["roster"]["unscheduled"].as_array().unwrap();
    for u in unscheduled {
        assert!(
            fixes.iter().any(|f| f["case"] == u["case"]),
            "no fixes entry for {}",
            u["case"]
        );
    }
}

// ---------------------------------------------------------------------------------------
// Hostile input: size limits, standard input, codes and pointers, escaped values
// ---------------------------------------------------------------------------------------

/// Runs the binary with `input` on standard input and extra environment variables.
fn run_with_stdin(args: &[&str], input: &[u8], env: &[(&str, &str)]) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // The binary may stop reading at the limit: a broken pipe here is expected.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().expect("the binary ends")
}

#[test]
fn an_input_over_the_limit_is_refused_naming_the_file_and_the_limit() {
    for args in [
        vec!["validate", WEEK_FIXTURE, "--max-input-bytes", "100"],
        vec!["--max-input-bytes", "100", "check", WEEK_FIXTURE, PUBLISHED],
    ] {
        let o = run(&args);
        assert_eq!(status(&o), 2, "{args:?}");
        let err = stderr(&o);
        assert!(err.contains("week-2026-12-07.json"), "{err}");
        assert!(err.contains("input limit of 100 bytes"), "{err}");
        assert!(err.contains("code: input_too_large"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = run_with_stdin(
        &["validate", WEEK_FIXTURE],
        b"",
        &[("MEDIATION_MAX_INPUT_BYTES", "1000")],
    );
    assert_eq!(status(&o), 2);
    assert!(
        stderr(&o).contains("input limit of 1000 bytes"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_as_the_problem_stops_at_the_limit() {
    let o = run(&["validate", "/dev/zero", "--max-input-bytes", "1048576"]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("`/dev/zero`"), "{err}");
    assert!(err.contains("input_too_large"), "{err}");
}

#[test]
fn a_dash_reads_the_problem_from_standard_input_under_the_same_limit() {
    let problem = std::fs::read(WEEK_FIXTURE).unwrap();
    let o = run_with_stdin(&["validate", "-"], &problem, &[]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("\nvalid: 30 case(s)"), "{}", stdout(&o));
    let o = run_with_stdin(
        &["check", WEEK_FIXTURE, "-"],
        &std::fs::read(PUBLISHED).unwrap(),
        &[],
    );
    // The published roster leaves two cases out (exit 1): what matters is that it was read.
    assert!(
        stdout(&o).contains("28 meeting(s) checked"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let o = run_with_stdin(&["validate", "-", "--max-input-bytes", "64"], &problem, &[]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("standard input"), "{err}");
    assert!(err.contains("input limit of 64 bytes"), "{err}");
}

/// The published fixture with its meetings repeated until there are more than cases.
fn oversized_roster(dir: &Path) -> PathBuf {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(PUBLISHED).unwrap()).unwrap();
    let meetings = doc["meetings"].as_array().unwrap().clone();
    let all = doc["meetings"].as_array_mut().unwrap();
    all.extend(meetings.iter().cloned());
    let file = dir.join("too-many.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    file
}

#[test]
fn a_roster_with_more_meetings_than_cases_is_refused_with_a_code() {
    let dir = scratch("too-many-meetings");
    let roster = oversized_roster(&dir);
    let changes = dir.join("changes.json");
    std::fs::write(&changes, "[]").unwrap();
    for args in [
        vec!["check", WEEK_FIXTURE, path_str(&roster)],
        vec!["fixes", WEEK_FIXTURE, path_str(&roster)],
        vec![
            "replan",
            WEEK_FIXTURE,
            "--published",
            path_str(&roster),
            "--changes",
            path_str(&changes),
        ],
    ] {
        let o = run(&args);
        assert_eq!(status(&o), 2, "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("code: too_many_meetings"), "{err}");
        assert!(err.contains("pointer: \"/meetings\""), "{err}");
        assert!(
            err.contains("56 meeting(s) for a problem of 30 case(s)"),
            "{err}"
        );
    }
}

#[test]
fn a_roster_missing_a_field_is_refused_with_a_code_and_a_pointer() {
    let dir = scratch("roster-missing-field");
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(PUBLISHED).unwrap()).unwrap();
    doc["meetings"][3]
        .as_object_mut()
        .unwrap()
        .remove("mediator");
    let file = dir.join("missing.json");
    std::fs::write(&file, serde_json::json!({ "roster": doc }).to_string()).unwrap();
    let changes = dir.join("changes.json");
    std::fs::write(&changes, "[]").unwrap();
    for args in [
        vec!["check", WEEK_FIXTURE, path_str(&file)],
        vec!["fixes", WEEK_FIXTURE, path_str(&file)],
        vec![
            "replan",
            WEEK_FIXTURE,
            "--published",
            path_str(&file),
            "--changes",
            path_str(&changes),
        ],
    ] {
        let o = run(&args);
        assert_eq!(status(&o), 2, "{args:?}");
        let err = stderr(&o);
        assert!(err.contains("code: bad_roster"), "{err}");
        assert!(err.contains("/roster/meetings/3/mediator"), "{err}");
        assert!(err.contains("missing field `mediator`"), "{err}");
    }
}

#[test]
fn a_changes_file_error_points_at_the_change_with_a_json_pointer() {
    let dir = scratch("changes-pointer");
    let changes = dir.join("changes.json");
    std::fs::write(
        &changes,
        r#"[{"kind": "mediator_unavailable", "mediator": "M013", "dates": ["2026-12-08"]},
           {"kind": "mediator_on_holiday"}]"#,
    )
    .unwrap();
    let o = replan(path_str(&changes), &[]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("code: bad_changes"), "{err}");
    assert!(err.contains("pointer: \"/changes/1"), "{err}");
    assert!(!err.contains("[1]"), "{err}");
}

#[test]
fn malformed_problem_json_has_a_code_and_a_pointer() {
    let dir = scratch("malformed-code");
    let file = dir.join("bad.json");
    std::fs::write(&file, r#"{"horizon": {"start": 5}}"#).unwrap();
    let o = run(&["check", path_str(&file), PUBLISHED]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("code: malformed_json"), "{err}");
    assert!(err.contains("pointer: \"/horizon/start\""), "{err}");
}

#[test]
fn values_in_messages_are_cut_and_invisible_characters_escaped() {
    let dir = scratch("escaped-values");
    let changes = dir.join("changes.json");
    let long = "X".repeat(100_000);
    std::fs::write(
        &changes,
        serde_json::json!([
            { "kind": "mediator_unavailable", "mediator": long, "dates": ["2026-12-08"] }
        ])
        .to_string(),
    )
    .unwrap();
    let o = replan(path_str(&changes), &[]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(err.len() < 4_000, "{} bytes of stderr", err.len());
    assert!(err.contains(&format!("{}…", "X".repeat(80))), "{err}");
    assert!(!err.contains(&"X".repeat(81)), "{err}");
    std::fs::write(
        &changes,
        serde_json::json!([
            { "kind": "mediator_unavailable", "mediator": "M0\u{200b}13", "dates": ["2026-12-08"] }
        ])
        .to_string(),
    )
    .unwrap();
    let o = replan(path_str(&changes), &[]);
    assert_eq!(status(&o), 2);
    let err = stderr(&o);
    assert!(err.contains(r"M0\u{200b}13"), "{err}");
    assert!(!err.contains('\u{200b}'), "{err}");
}
