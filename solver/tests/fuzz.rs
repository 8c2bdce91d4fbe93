//! Structure-aware fuzzing on stable Rust: the shipped fixtures, read as JSON values, get
//! random structured mutations (a value replaced by one of another type, an extreme number,
//! a date near chrono's limits, a very long string, an empty array or object; a key
//! deleted; an array element duplicated many times) and are fed to the library's entry
//! points. Nothing may panic, and every roster the scheduler returns must pass the checker.
//!
//! `FUZZ_CASES` sets the cases per property (default 32, so `cargo test` stays fast);
//! `FUZZ_TIME_LIMIT` the solver's limit in seconds (default 0.5). `scripts/fuzz.sh` runs a
//! long campaign in release. A crash writes its input to `target/tmp/fuzz-crash-*.json`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use mediation_solver::checker::check;
use mediation_solver::input::ProblemInput;
use mediation_solver::milp::SolveOptions;
use mediation_solver::model::Problem;
use mediation_solver::replan::{self, Change};
use mediation_solver::roster::{Meeting, Roster};
use mediation_solver::schedule::schedule;
use mediation_solver::validate::parse_problem;
use mediation_solver::whatif;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");

fn load(file: &str) -> Result<String, String> {
    std::fs::read_to_string(Path::new(FIXTURES).join(file)).map_err(|e| e.to_string())
}

fn fixture(file: &str) -> String {
    load(file).unwrap_or_else(|e| panic!("fixture {file}: {e}"))
}

fn fixture_value(file: &str) -> Value {
    serde_json::from_str(&fixture(file)).expect("a fixture is JSON")
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn cases() -> u32 {
    env_number("FUZZ_CASES", 32)
}

fn options() -> SolveOptions {
    SolveOptions {
        time_limit_secs: env_number("FUZZ_TIME_LIMIT", 0.5),
        ..SolveOptions::default()
    }
}

fn config() -> Config {
    Config {
        cases: cases(),
        // Named regression tests below stand in for a persistence file.
        failure_persistence: None,
        max_shrink_iters: env_number("FUZZ_SHRINK_ITERS", 256),
        max_shrink_time: 120_000,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

/// A value to put in place of another.
#[derive(Debug, Clone)]
enum Replacement {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'static str),
    LongStr(usize),
    EmptyArray,
    EmptyObject,
    /// An array holding one copy of the node it replaces.
    Wrap,
    /// A value of the same JSON type (so it gets past the parser more often): `pick`
    /// chooses among the extreme numbers, the strings of [`STRINGS`], or flips a bool.
    SameKind(usize),
}

const INTS: &[i64] = &[0, -1, 1, 2, 7, 1000, i64::MAX, i64::MIN, i32::MAX as i64];
const FLOATS: &[f64] = &[1e308, -1e308, 0.5, -0.0, 1e-300, 3.9999999];
const STRINGS: &[&str] = &[
    "NaN",
    "inf",
    "-1",
    "",
    "+262142-12-31",
    "-262143-01-01",
    "0001-01-01",
    "2199-12-31",
    "2200-01-01",
    "1970-01-01",
    "2026-02-30",
    "2026-12-07",
    "2026-12-13",
    "2026-12-31",
    "2027-01-01",
    "AM",
    "PM",
    "video",
    "in_person",
    "parent",
    "la",
    "E09000007",
    "E10000015",
    "M001",
    "M002",
    "V001",
    "V013",
    "SEN-2026-0395",
    "SEN-2026-0401",
    "week-2026-12-07.json",
    "\u{0}\u{feff}é🦀",
];

impl Replacement {
    fn value(&self, old: &Value) -> Value {
        match self {
            Replacement::Null => Value::Null,
            Replacement::Bool(b) => Value::Bool(*b),
            Replacement::Int(i) => Value::from(*i),
            Replacement::Uint(u) => Value::from(*u),
            Replacement::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Replacement::Str(s) => Value::from(*s),
            Replacement::LongStr(n) => Value::from("x".repeat(*n)),
            Replacement::EmptyArray => Value::Array(vec![]),
            Replacement::EmptyObject => Value::Object(Default::default()),
            Replacement::Wrap => Value::Array(vec![old.clone()]),
            Replacement::SameKind(pick) => match old {
                Value::Bool(b) => Value::Bool(!b),
                Value::Number(n) if n.is_f64() => {
                    serde_json::Number::from_f64(FLOATS[pick % FLOATS.len()])
                        .map(Value::Number)
                        .unwrap_or(Value::Null)
                }
                Value::Number(_) => Value::from(INTS[pick % INTS.len()]),
                Value::String(_) => Value::from(STRINGS[pick % STRINGS.len()]),
                Value::Array(a) if !a.is_empty() => Value::Array(vec![]),
                Value::Object(_) | Value::Array(_) | Value::Null => old.clone(),
            },
        }
    }
}

fn replacement() -> impl Strategy<Value = Replacement> {
    prop_oneof![
        Just(Replacement::Null),
        any::<bool>().prop_map(Replacement::Bool),
        prop::sample::select(INTS).prop_map(Replacement::Int),
        Just(Replacement::Uint(u64::MAX)),
        prop::sample::select(FLOATS).prop_map(Replacement::Float),
        prop::sample::select(STRINGS).prop_map(Replacement::Str),
        prop::sample::select(vec![1_000usize, 100_000]).prop_map(Replacement::LongStr),
        Just(Replacement::EmptyArray),
        Just(Replacement::EmptyObject),
        Just(Replacement::Wrap),
    ]
}

/// One structured mutation. `at` picks the node: its value modulo the number of nodes.
#[derive(Debug, Clone)]
enum Mutation {
    Replace {
        at: usize,
        with: Replacement,
    },
    Delete {
        at: usize,
    },
    /// Duplicates element `element` of the array picked `times` times (on a non-array node,
    /// of the nearest array above it).
    Duplicate {
        at: usize,
        element: usize,
        times: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<usize>(), any::<usize>())
            .prop_map(|(at, pick)| Mutation::Replace { at, with: Replacement::SameKind(pick) }),
        3 => (any::<usize>(), replacement()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        2 => any::<usize>().prop_map(|at| Mutation::Delete { at }),
        1 => (any::<usize>(), any::<usize>(), prop::sample::select(vec![1usize, 2, 10, 60]))
            .prop_map(|(at, element, times)| Mutation::Duplicate { at, element, times }),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..=4)
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Every node's path, the root first.
fn paths(v: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        out.push(here.clone());
        match v {
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    here.push(Seg::Index(i));
                    walk(x, here, out);
                    here.pop();
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    here.push(Seg::Key(k.clone()));
                    walk(x, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

fn apply(root: &mut Value, m: &Mutation) {
    let all = paths(root);
    match m {
        Mutation::Replace { at, with } => {
            let path = &all[at % all.len()];
            let node = node_mut(root, path);
            *node = with.value(node);
        }
        Mutation::Delete { at } => {
            // Never the root: it has no parent.
            if all.len() < 2 {
                return;
            }
            let path = &all[1 + at % (all.len() - 1)];
            let (last, parent) = path.split_last().expect("not the root");
            match (node_mut(root, parent), last) {
                (Value::Object(o), Seg::Key(k)) => {
                    o.remove(k);
                }
                (Value::Array(a), Seg::Index(i)) => {
                    a.remove(*i);
                }
                _ => unreachable!("a path follows the value"),
            }
        }
        Mutation::Duplicate { at, element, times } => {
            let mut path = all[at % all.len()].clone();
            loop {
                if let Value::Array(a) = node_mut(root, &path) {
                    if !a.is_empty() {
                        let x = a[element % a.len()].clone();
                        let i = element % a.len();
                        for _ in 0..*times {
                            a.insert(i, x.clone());
                        }
                    }
                    return;
                }
                if path.pop().is_none() {
                    return;
                }
            }
        }
    }
}

fn mutated(base: &Value, ms: &[Mutation]) -> Value {
    let mut v = base.clone();
    for m in ms {
        apply(&mut v, m);
    }
    v
}

// ---------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------

static EXECUTIONS: [AtomicUsize; 4] = [
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
];
/// Executions that got past parsing and validation to the solver (or, for rosters, the
/// checker).
static DEEP: [AtomicUsize; 4] = [
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
];

fn deep(slot: usize) {
    DEEP[slot].fetch_add(1, Ordering::Relaxed);
}

/// Runs `f`; a panic becomes a test failure naming the input (written in full to a file).
fn no_panic<T>(target: &str, input: &str, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(t) => t,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let file = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("fuzz-crash-{target}-{}.json", std::process::id()));
            let _ = std::fs::write(&file, input);
            let shown: String = input.chars().take(1500).collect();
            panic!(
                "{target} panicked: {message}\ninput ({} bytes, in full in {}):\n{shown}",
                input.len(),
                file.display()
            )
        }
    }
}

/// Problem JSON → parse and validate → (if valid) schedule → the roster must pass the checker.
fn problem_target(json: &str) -> Result<(), String> {
    EXECUTIONS[0].fetch_add(1, Ordering::Relaxed);
    no_panic("problem", json, || {
        let Ok(validated) = parse_problem(json) else {
            return Ok(());
        };
        let problem = validated.problem;
        deep(0);
        let Ok(outcome) = schedule(&problem, &options()) else {
            return Ok(());
        };
        let report = check(&problem, &outcome.roster);
        if report.is_valid() {
            Ok(())
        } else {
            Err(format!(
                "the scheduler's roster fails the checker: {:?}",
                report.codes()
            ))
        }
    })
}

fn week_problem() -> &'static Problem {
    static WEEK: std::sync::OnceLock<Problem> = std::sync::OnceLock::new();
    WEEK.get_or_init(|| {
        parse_problem(&fixture("week-2026-12-07.json"))
            .expect("the shipped week is valid")
            .problem
    })
}

/// Roster JSON → checker against the shipped week: no panic.
fn roster_target(json: &str) {
    EXECUTIONS[1].fetch_add(1, Ordering::Relaxed);
    no_panic("roster", json, || {
        if let Ok(roster) = serde_json::from_str::<Roster>(json) {
            deep(1);
            let _ = check(week_problem(), &roster);
        }
    })
}

/// Changes JSON → re-plan of the shipped published roster: Err is fine; a roster must pass
/// the checker against the re-planned problem.
fn replan_target(json: &str) -> Result<(), String> {
    EXECUTIONS[2].fetch_add(1, Ordering::Relaxed);
    no_panic("replan", json, || {
        let Ok(changes) = serde_json::from_str::<Vec<Change>>(json) else {
            return Ok(());
        };
        let input: ProblemInput =
            serde_json::from_str(&fixture("week-2026-12-07.json")).expect("the week");
        let published: Roster =
            serde_json::from_str(&fixture("replan/published-2026-12-07.json")).expect("roster");
        let published: Vec<Meeting> = published.meetings;
        if replan::prepare(&input, &published, &changes).is_ok() {
            deep(2);
        }
        match replan::replan(&input, &published, &changes, &options()) {
            Err(_) => Ok(()),
            Ok(r) => {
                let report = check(&r.problem, &r.outcome.roster);
                if report.is_valid() {
                    Ok(())
                } else {
                    Err(format!(
                        "the re-planned roster fails the checker: {:?}",
                        report.codes()
                    ))
                }
            }
        }
    })
}

/// What-if plan JSON → parse → prepare and run: Err is fine; every roster must pass the
/// checker against its scenario's problem.
fn whatif_target(json: &str) -> Result<(), String> {
    EXECUTIONS[3].fetch_add(1, Ordering::Relaxed);
    no_panic("whatif", json, || {
        let Ok(plan) = whatif::parse(json, &load) else {
            return Ok(());
        };
        let options = options();
        let Ok(prepared) = whatif::prepare(&plan, &options.weights) else {
            return Ok(());
        };
        deep(3);
        let Ok(report) = whatif::run(&plan, &options, true) else {
            return Ok(());
        };
        for (p, s) in prepared.iter().zip(&report.scenarios) {
            let check = check(&p.problem, &s.roster);
            if !check.is_valid() {
                return Err(format!(
                    "scenario {}'s roster fails the checker: {:?}",
                    s.name,
                    check.codes()
                ));
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

/// Runs a property and prints its executions and time (visible with `--nocapture`).
fn campaign(name: &str, slot: usize, body: impl FnOnce()) {
    let start = Instant::now();
    let before = EXECUTIONS[slot].load(Ordering::Relaxed);
    let deep_before = DEEP[slot].load(Ordering::Relaxed);
    body();
    let n = EXECUTIONS[slot].load(Ordering::Relaxed) - before;
    let d = DEEP[slot].load(Ordering::Relaxed) - deep_before;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "fuzz {name}: {n} executions ({d} past validation) in {secs:.1} s ({:.1}/s)",
        n as f64 / secs.max(1e-9)
    );
}

fn run_property(
    name: &str,
    slot: usize,
    fixture: &str,
    target: impl Fn(&str) -> Result<(), String>,
) {
    let base = fixture_value(fixture);
    campaign(name, slot, || {
        proptest!(config(), |(ms in mutations())| {
            let json = serde_json::to_string(&mutated(&base, &ms)).expect("serialises");
            if let Err(e) = target(&json) {
                let shown: String = json.chars().take(1500).collect();
                prop_assert!(false, "{}\nmutations: {:?}\ninput: {}", e, ms, shown);
            }
        });
    });
}

#[test]
fn fuzz_problem() {
    run_property("problem", 0, "week-2026-12-07.json", problem_target);
}

#[test]
fn fuzz_roster() {
    run_property("roster", 1, "replan/published-2026-12-07.json", |json| {
        roster_target(json);
        Ok(())
    });
}

#[test]
fn fuzz_replan() {
    run_property("replan", 2, "replan/every-kind.json", replan_target);
}

#[test]
fn fuzz_whatif() {
    run_property("whatif", 3, "what-if-2026-12-07.json", whatif_target);
}

// ---------------------------------------------------------------------------------------
// Regressions: minimised crashes the campaigns found
// ---------------------------------------------------------------------------------------

#[test]
fn mutation_engine_touches_every_node_kind() {
    // The engine itself: deleting, replacing and duplicating keep a JSON value.
    let base: Value = serde_json::json!({"a": [1, {"b": "2026-12-07"}], "c": null});
    for at in 0..6 {
        for m in [
            Mutation::Delete { at },
            Mutation::Replace {
                at,
                with: Replacement::Wrap,
            },
            Mutation::Duplicate {
                at,
                element: at,
                times: 3,
            },
        ] {
            let v = mutated(&base, &[m]);
            assert!(serde_json::to_string(&v).is_ok());
        }
    }
}
