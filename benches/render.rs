//! Criterion benchmarks of what `roster --out` writes besides the solve (see
//! docs/performance.md, "The page and the calendars").
//!
//! - `render/S/page`: `roster.html` of the shipped week (its size is printed too).
//! - `render/S/bundle`: every file of the shipped week: JSON, CSV, text, the page, 25
//!   mediator and 30 venue calendars, an invitation per meeting.
//! - `render/XL/bundle`: the same for the XL rung (`generate --cases 2000 --mediators 400
//!   --venues 200 --seed 1 --weeks 4`), whose roster is solved once before timing (20 s
//!   limit; HiGHS when built in). Suggested fixes are found once, outside the timing, and
//!   their time is printed: they are a solve per case, not rendering.
//!
//! ```sh
//! cargo bench --bench render
//! cargo bench --bench render -- --test    # each once, as a smoke test
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use mediation_scheduler::report::bundle::bundle;
use mediation_scheduler::report::html::roster_page;
use mediation_scheduler::report::ics::CalendarSettings;
use mediation_scheduler::report::RosterReport;
use mediation_solver::fixes::{fixes, CaseFixes};
use mediation_solver::generate::{generate, GenerateParams};
use mediation_solver::kpi::{kpis, Kpis};
use mediation_solver::milp::{Backend, SolveOptions};
use mediation_solver::model::Problem;
use mediation_solver::schedule::{schedule, Outcome};
use mediation_solver::validate::{parse_problem, validate};

struct Solved {
    problem: Problem,
    outcome: Outcome,
    kpis: Kpis,
    fixes: Vec<CaseFixes>,
}

impl Solved {
    fn new(problem: Problem, time_limit_secs: f64) -> Solved {
        let options = SolveOptions {
            backend: Backend::Auto,
            time_limit_secs,
            ..SolveOptions::default()
        };
        let outcome = schedule(&problem, &options).expect("the bench instance solves");
        let kpis = kpis(&problem, &outcome.roster);
        let started = Instant::now();
        let fixes = fixes(&problem, &outcome.roster, &options.weights).expect("fixes");
        eprintln!(
            "{} meetings, {} cases not held by day 30 with suggested fixes found in {:.2} s",
            outcome.roster.meetings.len(),
            fixes.len(),
            started.elapsed().as_secs_f64()
        );
        Solved {
            problem,
            outcome,
            kpis,
            fixes,
        }
    }

    fn report(&self) -> RosterReport<'_> {
        RosterReport {
            problem: &self.problem,
            outcome: &self.outcome,
            kpis: &self.kpis,
            warnings: &[],
        }
    }
}

fn shipped_week() -> Problem {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/week-2026-12-07.json");
    let json = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    parse_problem(&json)
        .unwrap_or_else(|e| panic!("{path} is not a valid problem: {e}"))
        .problem
}

fn xl() -> Problem {
    let params = GenerateParams {
        weeks: 4,
        ..GenerateParams::week(2000, 400, 200, 1)
    };
    validate(&generate(&params))
        .unwrap_or_else(|e| panic!("generated XL is not a valid problem: {e}"))
        .problem
}

fn bench_render(c: &mut Criterion) {
    let s = Solved::new(shipped_week(), 30.0);
    let settings = CalendarSettings::new(&s.problem, None, None).expect("default settings");
    let page = roster_page(&s.report(), &s.fixes);
    eprintln!("render/S: roster.html is {} bytes", page.len());
    let mut group = c.benchmark_group("render/S");
    group.bench_function("page", |b| {
        b.iter(|| black_box(roster_page(&s.report(), &s.fixes)))
    });
    group.bench_function("bundle", |b| {
        b.iter(|| black_box(bundle(&s.report(), &s.fixes, None, &settings)))
    });
    group.finish();

    let xl = Solved::new(xl(), 20.0);
    let settings = CalendarSettings::new(&xl.problem, None, None).expect("default settings");
    let files = bundle(&xl.report(), &xl.fixes, None, &settings);
    let bytes: usize = files.files.iter().map(|f| f.contents.len()).sum();
    eprintln!(
        "render/XL: {} files, {bytes} bytes in all",
        files.files.len()
    );
    let mut group = c.benchmark_group("render/XL");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("bundle", |b| {
        b.iter(|| black_box(bundle(&xl.report(), &xl.fixes, None, &settings)))
    });
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
