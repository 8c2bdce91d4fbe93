//! Criterion benchmarks of the solver on the instance ladder (see docs/performance.md).
//!
//! - S: the shipped week `fixtures/week-2026-12-07.json` (30 cases, 25 mediators, 30 venues).
//! - M: `generate(200 cases, 100 mediators, 60 venues, seed 1)`, one week.
//!
//! Groups: `candidates/{S,M}` (candidate generation alone), `schedule/S/{microlp,highs}`
//! (solve + greedy repair + roster + explanations), `solve/M/{microlp,highs}` (the MILP
//! alone) and `check/S` (re-verifying the optimal roster of S). HiGHS entries need
//! `--features highs`; without the feature they are left out, so `cargo bench` works on a
//! plain cargo install.
//!
//! Every timed solve is checked *outside* the timed region (`iter_custom`): a solve that is not
//! proven optimal panics the bench, so a regression cannot pass as a fast number.
//!
//! ```sh
//! cargo bench --bench solve                    # microlp only
//! cargo bench --features highs --bench solve   # both backends side by side
//! cargo bench --bench solve -- --test          # each bench once, as a smoke test
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Bencher, Criterion};
use mediation_solver::candidates::{self, Weights};
use mediation_solver::checker;
use mediation_solver::generate::{generate, GenerateParams};
use mediation_solver::milp::{self, Backend, SolveOptions, SolveStatus};
use mediation_solver::model::Problem;
use mediation_solver::schedule;
use mediation_solver::validate::{parse_problem, validate};

/// Generous limit: a bench solve that hits it fails the optimality assertion.
const TIME_LIMIT_SECS: f64 = 60.0;

fn instance_s() -> Problem {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/week-2026-12-07.json");
    let json = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    parse_problem(&json)
        .unwrap_or_else(|e| panic!("{path} is not a valid problem: {e}"))
        .problem
}

fn instance_m() -> Problem {
    let input = generate(&GenerateParams::week(200, 100, 60, 1));
    validate(&input)
        .unwrap_or_else(|e| panic!("generated M is not a valid problem: {e}"))
        .problem
}

fn options(backend: Backend) -> SolveOptions {
    SolveOptions {
        backend,
        time_limit_secs: TIME_LIMIT_SECS,
        ..SolveOptions::default()
    }
}

/// Runs once before timing: the solve must be proven optimal. Prints the model size.
fn check_optimal(name: &str, problem: &Problem, backend: Backend) {
    let s = milp::solve(problem, &options(backend))
        .unwrap_or_else(|e| panic!("{name}: solve failed: {e}"))
        .summary;
    assert_eq!(
        s.status,
        SolveStatus::Optimal,
        "{name}: not proven optimal ({s:?})"
    );
    eprintln!(
        "{name}: optimal, objective {} | {} candidates, {} variables, {} constraints | \
         build {:.3} s, warm start {:.3} s, solve {:.3} s",
        s.objective,
        s.candidates,
        s.variables,
        s.constraints,
        s.build_seconds,
        s.warm_start_seconds,
        s.solve_seconds
    );
}

fn bench_candidates(c: &mut Criterion) {
    let weights = Weights::default();
    let mut g = c.benchmark_group("candidates");
    for (name, problem) in [("S", instance_s()), ("M", instance_m())] {
        assert!(
            !candidates::generate(&problem, &weights).is_empty(),
            "candidates/{name}: no candidate at all"
        );
        g.bench_function(name, |b| {
            b.iter(|| candidates::generate(black_box(&problem), black_box(&weights)))
        });
    }
    g.finish();
}

/// The backends this build has: microlp, and HiGHS with `--features highs`.
fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Microlp];
    if cfg!(feature = "highs") {
        backends.push(Backend::Highs);
    }
    backends
}

/// `schedule/S/<backend>`: solve, greedy repair, roster and explanations.
fn bench_schedule_s(c: &mut Criterion) {
    let problem = instance_s();
    let mut g = c.benchmark_group("schedule/S");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for backend in backends() {
        let name = backend.as_str();
        check_optimal(&format!("schedule/S/{name}"), &problem, backend);
        let opts = options(backend);
        g.bench_function(name, |b| {
            time_optimal(
                b,
                &format!("schedule/S/{name}"),
                || schedule::schedule(black_box(&problem), &opts),
                |outcome| outcome.map(|o| o.solver.status),
            )
        });
    }
    g.finish();
}

/// `solve/M/{microlp,highs}`: the MILP alone (candidates, model, warm start, bound, cuts
/// and restricted MILPs), both backends in the same run when HiGHS is built in.
fn bench_solve_m(c: &mut Criterion) {
    let problem = instance_m();
    let mut g = c.benchmark_group("solve/M");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    for backend in backends() {
        let name = backend.as_str();
        check_optimal(&format!("solve/M/{name}"), &problem, backend);
        let opts = options(backend);
        g.bench_function(name, |b| {
            time_optimal(
                b,
                &format!("solve/M/{name}"),
                || milp::solve(black_box(&problem), &opts),
                |solution| solution.map(|s| s.summary.status),
            )
        });
    }
    g.finish();
}

/// Times `solve`, one call per iteration, and checks outside the timed region that each
/// call was proven optimal: a regression cannot pass as a fast number.
fn time_optimal<T, E: std::fmt::Display>(
    b: &mut Bencher,
    label: &str,
    solve: impl Fn() -> T,
    status: impl Fn(T) -> Result<SolveStatus, E>,
) {
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let started = Instant::now();
            let out = solve();
            total += started.elapsed();
            match status(out) {
                Ok(s) => assert_eq!(s, SolveStatus::Optimal, "{label}"),
                Err(e) => panic!("{label}: solve failed: {e}"),
            }
        }
        total
    })
}

fn bench_check(c: &mut Criterion) {
    let problem = instance_s();
    let outcome = schedule::schedule(&problem, &options(Backend::Microlp))
        .expect("check/S: could not solve S");
    assert_eq!(
        outcome.solver.status,
        SolveStatus::Optimal,
        "check/S: S not optimal"
    );
    let report = checker::check(&problem, &outcome.roster);
    assert!(
        report.is_valid(),
        "check/S: the roster of S has violations: {report:?}"
    );
    let mut g = c.benchmark_group("check");
    g.bench_function("S", |b| {
        b.iter(|| checker::check(black_box(&problem), black_box(&outcome.roster)))
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_candidates,
    bench_schedule_s,
    bench_solve_m,
    bench_check
);
criterion_main!(benches);
