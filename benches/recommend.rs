//! Criterion benchmark of `recommend` on the shipped week (see docs/performance.md).
//!
//! The week `fixtures/week-2026-12-07.json` is solved once, outside the timed loop
//! (`schedule::schedule` with default options); one held case's meeting is then removed from
//! the roster, and `recommend/S` times the five best options for that case. The answer is
//! checked before timing: the case's own slot is free again, so there must be options.
//!
//! ```sh
//! cargo bench --bench recommend
//! cargo bench --bench recommend -- --test   # once, as a smoke test
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use mediation_solver::candidates::Weights;
use mediation_solver::milp::SolveOptions;
use mediation_solver::recommend::recommend;
use mediation_solver::schedule;
use mediation_solver::validate::parse_problem;

fn bench_recommend(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/week-2026-12-07.json");
    let json = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let problem = parse_problem(&json)
        .unwrap_or_else(|e| panic!("{path} is not a valid problem: {e}"))
        .problem;
    let mut roster = schedule::schedule(&problem, &SolveOptions::default())
        .expect("recommend/S: could not solve S")
        .roster;
    let removed = roster.meetings.remove(roster.meetings.len() / 2);
    let case = removed.case;
    let weights = Weights::default();
    let found = recommend(&problem, &roster, &case, 5, &weights)
        .unwrap_or_else(|e| panic!("recommend/S: {case}: {e}"));
    assert!(
        !found.options.is_empty(),
        "recommend/S: {case} has no option although its slot was freed"
    );
    eprintln!(
        "recommend/S: {case}: {} considered, {} free, best cost {}",
        found.considered, found.free, found.options[0].cost
    );
    let mut g = c.benchmark_group("recommend");
    g.bench_function("S", |b| {
        b.iter(|| {
            recommend(
                black_box(&problem),
                black_box(&roster),
                black_box(&case),
                5,
                &weights,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench_recommend);
criterion_main!(benches);
