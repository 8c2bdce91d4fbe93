//! The `what-if` and `fixes` subcommands, run as a process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-whatif-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn what_if_prints_the_base_first_then_every_scenario() {
    let o = run(&["what-if", &fixture("what-if-2026-12-07.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let header = out.lines().next().expect("a header");
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(columns[0], "base");
    assert_eq!(columns.len(), 9);
    assert!(out.contains("held by day 30"));
    assert!(out.contains("utilisation M026"));
}

#[test]
fn what_if_json_and_csv_agree_and_out_writes_every_file() {
    let dir = scratch("formats");
    let plan = fixture("what-if-2026-12-07.json");
    let o = run(&[
        "what-if",
        &plan,
        "--format",
        "json",
        "--serial",
        "--out",
        dir.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let json: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let scenarios = json["scenarios"].as_array().expect("scenarios");
    assert_eq!(scenarios[0]["name"], "base");
    let csv = std::fs::read_to_string(dir.join("what-if.csv")).expect("the CSV");
    let held: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("held by day 30,"))
        .expect("a row")
        .split(',')
        .skip(1)
        .collect();
    for (s, cell) in scenarios.iter().zip(&held) {
        assert_eq!(s["figures"]["held_by_day_30"].to_string(), *cell);
    }
    for file in [
        "what-if.txt",
        "what-if.json",
        "roster-base.json",
        "roster-two-weeks.json",
    ] {
        assert!(dir.join(file).exists(), "{file}");
    }
}

#[test]
fn a_bad_change_exits_2_naming_scenario_change_and_field() {
    let dir = scratch("bad");
    let plan = dir.join("plan.json");
    let base = fixture("week-2026-12-07.json");
    let json = format!(
        r#"{{"base": "{base}", "scenarios": [{{"name": "gone", "changes": [{{"kind": "remove_mediator", "id": "M999"}}]}}]}}"#
    );
    std::fs::write(&plan, json).expect("written");
    let o = run(&["what-if", plan.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("E3001") && err.contains("scenario `gone`"),
        "{err}"
    );
    assert!(err.contains("/scenarios/0/changes/0/id"), "{err}");
}

#[test]
fn fixes_lists_each_case_with_its_best_changes() {
    let dir = scratch("fixes");
    let week = fixture("week-2026-12-07.json");
    let o = run(&["roster", &week, "--out", dir.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let roster = dir.join("roster.json");
    let o = run(&["fixes", &week, roster.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("SEN-2026-0499  unscheduled"), "{out}");
    assert!(out.contains("does not cover Greenwich"), "{out}");
    assert!(out.contains("no single change holds it by day 30"), "{out}");
    let o = run(&[
        "fixes",
        &week,
        roster.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let cases = json["fixes"].as_array().expect("fixes");
    assert!(cases
        .iter()
        .any(|c| c["case"] == "SEN-2026-0427" && c["status"] == "late"));
}

#[test]
fn what_if_out_refuses_two_scenarios_that_would_write_the_same_file() {
    let dir = scratch("name-collision");
    let scenario = |name: &str| {
        serde_json::json!({
            "name": name,
            "changes": [{ "kind": "remove_mediator", "id": "M012" }]
        })
    };
    let file = dir.join("what-if.json");
    let plan = serde_json::json!({
        "base": fixture("week-2026-12-07.json"),
        "scenarios": [scenario("a/b"), scenario("a_b")],
    });
    std::fs::write(&file, plan.to_string()).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "what-if",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("`a/b`") && err.contains("`a_b`"), "{err}");
    assert!(err.contains("roster-a_b.json"), "{err}");
    assert!(err.contains("code: scenario_file_collision"), "{err}");
    assert!(err.contains("pointer: \"/scenarios/1/name\""), "{err}");
    assert!(!err.contains("solved"), "solved before refusing: {err}");
    assert!(!out.join("what-if.json").exists());
}

#[test]
fn what_if_with_a_malformed_inline_base_gives_no_line_zero() {
    let dir = scratch("inline-base");
    let file = dir.join("what-if.json");
    std::fs::write(
        &file,
        r#"{"base": {"horizon": 5}, "scenarios": [{"name": "x", "changes": []}]}"#,
    )
    .unwrap();
    let o = run(&["what-if", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(!err.contains("line 0"), "{err}");
    assert!(err.contains("code: E3"), "{err}");
}
