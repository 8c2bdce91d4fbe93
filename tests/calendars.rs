//! The calendar files `roster --out` and `replan --out` write, read back by an independent
//! parser: Python's `icalendar` package, through `tests/ics/check_ics.py`, which converts
//! every start and end to UTC with the file's own VTIMEZONE.
//!
//! Without that package (`pip install -r tests/ics/requirements.txt`) each test prints why
//! it is skipped and passes, except under `CI=true`, where a missing package fails it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use serde_json::{json, Value};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DOMAIN: &str = "mediation-scheduler.invalid";

fn fixture(name: &str) -> PathBuf {
    Path::new(ROOT).join("fixtures").join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn run_ok(args: &[&str]) {
    let o = run(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn text(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Whether Python's `icalendar` can be imported; without it the test is skipped, unless
/// `CI=true`, where that is a failure. `MEDIATION_EXTERNAL_TESTS=off` skips it on purpose.
fn python_ready(test: &str) -> bool {
    // `.ci/run` runs the tests that need outside tools once, not again with HiGHS.
    if std::env::var("MEDIATION_EXTERNAL_TESTS").as_deref() == Ok("off") {
        eprintln!("SKIPPED {test}: MEDIATION_EXTERNAL_TESTS=off");
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import icalendar"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let why = "python3 cannot import icalendar (pip install -r tests/ics/requirements.txt)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: {why}; with CI=true the independent calendar check must run");
        }
        eprintln!("SKIPPED {test}: {why}");
    }
    ok
}

/// Runs `check_ics.py` on a spec and returns its summary of what it parsed, keyed by path.
fn check(spec: Value) -> BTreeMap<String, Value> {
    let script = Path::new(ROOT).join("tests/ics/check_ics.py");
    let o = Command::new("python3")
        .arg(script)
        .arg(spec.to_string())
        .output()
        .expect("python3 runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "check_ics.py found mismatches:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let summary: Value = serde_json::from_slice(&o.stdout).expect("check_ics.py prints JSON");
    summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

/// The meetings of a `roster.json` written by `--out`.
fn meetings(dir: &Path) -> Vec<Value> {
    let raw = std::fs::read_to_string(dir.join("roster.json")).expect("roster.json");
    let doc: Value = serde_json::from_str(&raw).expect("roster.json is JSON");
    doc["roster"]["meetings"]
        .as_array()
        .expect("meetings")
        .clone()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// The session templates of a problem file (the documented defaults when it has none).
fn templates(problem: &Path) -> BTreeMap<String, (NaiveTime, NaiveTime)> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(problem).unwrap()).unwrap();
    let hm = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").unwrap();
    match doc["session_templates"].as_array() {
        Some(list) => list
            .iter()
            .map(|t| (s(t, "id").to_string(), (hm(s(t, "start")), hm(s(t, "end")))))
            .collect(),
        None => [
            ("AM", "09:30", "13:00"),
            ("PM", "13:30", "17:00"),
            ("FULL", "09:30", "17:00"),
        ]
        .into_iter()
        .map(|(id, a, b)| (id.to_string(), (hm(a), hm(b))))
        .collect(),
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap() - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// UTC of a daytime Europe/London wall-clock time, by the UK rule written out here rather
/// than by the code under test: BST (+1) from the last Sunday of March to the last Sunday
/// of October.
fn uk_utc(date: NaiveDate, time: NaiveTime) -> String {
    let bst = date >= last_sunday(date.year(), 3) && date < last_sunday(date.year(), 10);
    let utc = date.and_time(time) - Duration::hours(i64::from(bst));
    utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn date(meeting: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(s(meeting, "date"), "%Y-%m-%d").unwrap()
}

/// The expected event of a meeting: UID, SEQUENCE and UTC start and end.
fn expected_event(meeting: &Value, templates: &BTreeMap<String, (NaiveTime, NaiveTime)>) -> Value {
    let (start, end) = templates[s(meeting, "session")];
    json!({
        "uid": format!("{}@{DOMAIN}", s(meeting, "case")),
        "sequence": meeting["sequence"].as_u64().unwrap_or(0),
        "start_utc": uk_utc(date(meeting), start),
        "end_utc": uk_utc(date(meeting), end),
    })
}

fn ids(problem: &Path, list: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(problem).unwrap()).unwrap();
    doc[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(x, "id").to_string())
        .collect()
}

/// Every `.ics` file under `dir`, by path relative to it, with its bytes.
fn ics_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in ["calendars", "invitations"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ics") {
                let name = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn calendars_hold_every_meeting_at_its_utc_instant_across_the_march_change() {
    if !python_ready("calendars_hold_every_meeting_at_its_utc_instant_across_the_march_change") {
        return;
    }
    let problem = fixture("bst-2027-03-24.json");
    let out = tempfile::tempdir().unwrap();
    run_ok(&["roster", text(&problem), "--out", text(out.path())]);
    let meetings = meetings(out.path());
    let templates = templates(&problem);
    assert!(!meetings.is_empty());

    let mut files = Vec::new();
    for mediator in ids(&problem, "mediators") {
        let theirs: Vec<&Value> = meetings
            .iter()
            .filter(|m| s(m, "mediator") == mediator)
            .collect();
        files.push(json!({
            "path": text(&out.path().join(format!("calendars/mediator-{mediator}.ics"))),
            "method": "PUBLISH",
            "event_count": theirs.len(),
            "events": theirs.iter().map(|m| expected_event(m, &templates)).collect::<Vec<_>>(),
        }));
    }
    for venue in ids(&problem, "venues") {
        let there: Vec<&Value> = meetings
            .iter()
            .filter(|m| s(m, "mode") == "in_person" && s(m, "venue") == venue)
            .collect();
        files.push(json!({
            "path": text(&out.path().join(format!("calendars/venue-{venue}.ics"))),
            "method": "PUBLISH",
            "event_count": there.len(),
            "events": there.iter().map(|m| expected_event(m, &templates)).collect::<Vec<_>>(),
        }));
    }
    for meeting in &meetings {
        let mut event = expected_event(meeting, &templates);
        event["status"] = json!("CONFIRMED");
        event["summary"] = json!(format!("SEN mediation meeting {}", s(meeting, "case")));
        files.push(json!({
            "path": text(&out.path().join(format!("invitations/{}.ics", s(meeting, "case")))),
            "method": "REQUEST",
            "event_count": 1,
            "events": [event],
        }));
    }
    let parsed = check(json!({ "files": files }));

    // Both sides of Sun 28 Mar 2027 are in the roster, and the parser puts a 09:30 session
    // at 09:30Z before it and at 08:30Z after it.
    let change = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
    let nine_thirty = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
    let at_nine_thirty: Vec<&Value> = meetings
        .iter()
        .filter(|m| templates[s(m, "session")].0 == nine_thirty)
        .collect();
    let before = at_nine_thirty.iter().find(|m| date(m) < change);
    let after = at_nine_thirty.iter().find(|m| date(m) > change);
    let (Some(before), Some(after)) = (before, after) else {
        panic!("the BST fixture's roster needs a 09:30 meeting on each side of 28 Mar 2027");
    };
    for (meeting, hour) in [(before, "09:30:00Z"), (after, "08:30:00Z")] {
        let path = out
            .path()
            .join(format!("invitations/{}.ics", s(meeting, "case")));
        let event = &parsed[text(&path)]["events"][0];
        assert_eq!(
            event["start_utc"].as_str().unwrap(),
            format!("{}T{hour}", s(meeting, "date")),
            "{}",
            s(meeting, "case")
        );
    }
}

#[test]
fn a_replan_keeps_each_uid_bumps_moved_sequences_and_cancels_dropped_meetings() {
    if !python_ready("a_replan_keeps_each_uid_bumps_moved_sequences_and_cancels_dropped_meetings") {
        return;
    }
    let problem = fixture("week-2026-12-07.json");
    let templates = templates(&problem);
    let work = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        work.path().join("A"),
        work.path().join("B"),
        work.path().join("C"),
    );
    let published = a.join("roster.json");
    run_ok(&["roster", text(&problem), "--out", text(&a)]);
    let replan = |changes: &str, out: &Path| {
        run_ok(&[
            "replan",
            text(&problem),
            "--published",
            text(&published),
            "--changes",
            text(&fixture(&format!("replan/{changes}"))),
            "--out",
            text(out),
        ])
    };
    replan("illness-2026-12-07.json", &b);
    replan("every-kind.json", &c);

    let slot = |m: &Value| {
        (
            s(m, "date").to_string(),
            s(m, "session").to_string(),
            s(m, "mediator").to_string(),
            s(m, "mode").to_string(),
            s(m, "venue").to_string(),
        )
    };
    let by_case = |list: Vec<Value>| -> BTreeMap<String, Value> {
        list.into_iter()
            .map(|m| (s(&m, "case").to_string(), m))
            .collect()
    };
    let in_a = by_case(meetings(&a));
    let in_b = by_case(meetings(&b));
    let in_c = by_case(meetings(&c));
    let invitation =
        |dir: &Path, case: &str| text(&dir.join(format!("invitations/{case}.ics"))).to_string();

    // Moved and kept meetings of B, each against its invitation in A.
    let mut files = Vec::new();
    let (mut moved, mut kept) = (BTreeSet::new(), BTreeSet::new());
    for (case, after) in &in_b {
        let Some(before) = in_a.get(case) else {
            continue;
        };
        let sequence = if slot(before) == slot(after) {
            kept.insert(case.clone());
            0
        } else {
            moved.insert(case.clone());
            1
        };
        assert_eq!(
            after["sequence"].as_u64(),
            Some(sequence),
            "{case} in B/roster.json"
        );
        let mut event = expected_event(after, &templates);
        event["sequence"] = json!(sequence);
        files.push(json!({
            "path": invitation(&b, case), "method": "REQUEST", "event_count": 1, "events": [event],
        }));
        files.push(json!({
            "path": invitation(&a, case), "method": "REQUEST", "event_count": 1,
            "events": [expected_event(before, &templates)],
        }));
    }
    assert!(!moved.is_empty(), "the illness re-plan moves a meeting");
    assert!(!kept.is_empty(), "the illness re-plan keeps a meeting");

    // Meetings of A that C no longer holds: a cancellation with the published times.
    let dropped: Vec<&String> = in_a
        .keys()
        .filter(|case| !in_c.contains_key(*case))
        .collect();
    assert!(
        !dropped.is_empty(),
        "every-kind.json drops a published meeting"
    );
    for case in &dropped {
        let mut event = expected_event(&in_a[*case], &templates);
        event["sequence"] = json!(in_a[*case]["sequence"].as_u64().unwrap_or(0) + 1);
        event["status"] = json!("CANCELLED");
        files.push(json!({
            "path": invitation(&c, case), "method": "CANCEL", "event_count": 1, "events": [event],
        }));
    }
    let parsed = check(json!({ "files": files }));

    // The same UID in A and B, read back by the parser (not only as expected above).
    for case in moved.iter().chain(&kept) {
        let uid = |dir: &Path| parsed[&invitation(dir, case)]["events"][0]["uid"].clone();
        assert_eq!(uid(&a), uid(&b), "{case}");
        assert_eq!(uid(&a), json!(format!("{case}@{DOMAIN}")));
    }
}

#[test]
fn the_same_input_gives_byte_identical_calendar_files() {
    let problem = fixture("week-2026-12-07.json");
    let work = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for name in ["one", "two"] {
        let dir = work.path().join(name);
        run_ok(&["roster", text(&problem), "--out", text(&dir)]);
        let replanned = dir.join("replan");
        run_ok(&[
            "replan",
            text(&problem),
            "--published",
            text(&fixture("replan/published-2026-12-07.json")),
            "--changes",
            text(&fixture("replan/every-kind.json")),
            "--out",
            text(&replanned),
        ]);
        runs.push((ics_files(&dir), ics_files(&replanned)));
    }
    let (one, two) = (&runs[0], &runs[1]);
    assert!(
        one.0.len() > 30,
        "calendars and invitations written: {:?}",
        one.0.keys()
    );
    assert!(one
        .1
        .values()
        .any(|f| f.windows(13).any(|w| w == b"METHOD:CANCEL")));
    for (first, second) in [(&one.0, &two.0), (&one.1, &two.1)] {
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            second.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in first {
            assert!(
                bytes == &second[name],
                "{name} differs between two runs of the same input"
            );
        }
    }
}
