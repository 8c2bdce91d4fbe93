//! The MILP: one binary per candidate meeting, built with good_lp and solved by microlp
//! (pure Rust, the default) or HiGHS (cargo feature `highs`).
//!
//! The objective is integral (every coefficient is a whole number of units), so "optimal"
//! means proven with an absolute gap below one unit: the lowest tier is really optimised,
//! not hidden under the first tier's weight.
//!
//! Constraints, each from one hard rule between meetings:
//! - each case is held at most once;
//! - a mediator holds one meeting at a time (one clique per session start instant), within
//!   the per-day and per-ISO-week caps (a full day counts as two sessions);
//! - a venue's rooms are never over-booked (per overlapping session instant);
//! - two in-person meetings of one mediator on a day leave time to travel
//!   ([`crate::rules::travel_ok`]);
//! - an interpreter is booked for every meeting whose mediator lacks the language, and is at
//!   one meeting at a time.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use good_lp::SolverModel;
use serde::{Deserialize, Serialize};

use crate::calendar::iso_week;
use crate::candidates::{self, Candidate, Weights};
use crate::greedy;
use crate::model::{CaseIdx, DayIdx, InterpreterIdx, MediatorIdx, Problem, TemplateIdx};
use crate::rules::{self, Placement, Site};

mod bound;
#[cfg(feature = "highs")]
#[allow(unsafe_code)]
mod coefficients;
mod cuts;
mod fixing;
#[cfg(feature = "highs")]
#[allow(unsafe_code)]
mod interrupt;
mod model;
#[cfg(feature = "highs")]
mod reduced;

use model::{sum, Col, Model, Terms, Var};

/// Threads HiGHS may use. HiGHS keeps one task scheduler per process, sized by the first
/// solve: every solve in the process must ask for the same number, so it is a constant.
pub const HIGHS_THREADS: u32 = 1;

/// HiGHS options chosen by measurement. On the 200-case week, before the venue shortlist
/// existed (153k candidates), HiGHS' defaults found no incumbent in 60 s, while with these
/// two off it reached a roster within 62 units of its bound; since the shortlist, presolve
/// on or off makes no measurable difference there (`docs/performance.md`).
pub const HIGHS_DEFAULTS: [(&str, &str); 2] = [
    ("presolve", "off"),
    ("mip_heuristic_run_feasibility_jump", "false"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// Pure-Rust microlp: builds anywhere with cargo alone.
    #[default]
    Microlp,
    /// HiGHS, when built with the `highs` feature.
    Highs,
    /// microlp for models up to [`AUTO_HIGHS_ABOVE`] candidates, HiGHS above (when built in).
    Auto,
}

/// Above this many candidate meetings `auto` picks HiGHS (when the build has it): both
/// solve the shipped week (1,400 candidates) in about 20 ms, microlp without a C++ build,
/// while only HiGHS finishes the 200-case week (37,000; see `docs/performance.md`).
pub const AUTO_HIGHS_ABOVE: usize = 10_000;

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Microlp => "microlp",
            Backend::Highs => "highs",
            Backend::Auto => "auto",
        }
    }

    /// The backend that solves a model of `candidates` candidates.
    pub fn resolve(self, candidates: usize) -> Backend {
        match self {
            Backend::Auto if candidates > AUTO_HIGHS_ABOVE && Backend::Highs.is_available() => {
                Backend::Highs
            }
            Backend::Auto => Backend::Microlp,
            other => other,
        }
    }

    /// Whether this build can use the backend.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Microlp | Backend::Auto => true,
            Backend::Highs => cfg!(feature = "highs"),
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = SolveError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "microlp" => Ok(Backend::Microlp),
            "highs" => Ok(Backend::Highs),
            "auto" => Ok(Backend::Auto),
            other => Err(SolveError::UnknownBackend(other.to_string())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SolveOptions {
    pub backend: Backend,
    /// Wall-clock limit for the MILP solve, in seconds. Always passed to the backend.
    pub time_limit_secs: f64,
    /// Relative gap at which the search may stop early (0 proves optimality).
    pub mip_gap: f64,
    pub weights: Weights,
    /// Extra HiGHS options (`name`, `value`), applied after [`HIGHS_DEFAULTS`].
    pub highs_options: Vec<(String, String)>,
    /// Re-planning: the most published meetings that may be moved or dropped while they
    /// could still be held as published (those a change makes impossible do not count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_changes: Option<u32>,
    /// Capacity planning: at least this many cases must be held by their day 30. The model
    /// is infeasible when no roster reaches it ([`SolveError::Infeasible`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_held_by_day_30: Option<usize>,
    /// Bound the model first, then solve the MILP over the candidates that could still
    /// improve on the best roster (`milp::fixing`): HiGHS above 5,000 candidates, through
    /// the LP relaxation (`milp::reduced`); microlp above 10,000, through a subgradient
    /// bound (`milp::bound`). On by default; off solves the whole model at once.
    #[serde(default = "yes")]
    pub reduced_cost_fixing: bool,
    /// The memory budget, in candidate meetings: a problem whose [`candidates::estimate`]
    /// is above it is refused before anything is built ([`SolveError::TooLarge`]), and a
    /// listing that outgrows it stops before the model ([`SolveError::MemoryBudget`]).
    /// `None`: no budget. A setting of whoever runs the solver (the command line's
    /// `--max-candidates`, the service's `MEDIATION_MAX_CANDIDATES`), not of a request.
    #[serde(skip)]
    pub max_candidates: Option<u64>,
    /// Raised by another thread to stop the solve early: every phase, and both backends,
    /// look at it at least every quarter of a second, and the solve then ends with
    /// [`SolveError::Cancelled`] and no roster.
    #[serde(skip)]
    pub cancel: Option<CancelFlag>,
    /// When the time limit started counting: the start of the job or command, so that
    /// reading the input counts too. `None`: when [`solve`] is called.
    #[serde(skip)]
    pub started: Option<Clock>,
    /// Told each phase of the solve as it starts (for a progress display).
    #[serde(skip)]
    pub progress: Option<Progress>,
}

/// A phase of the solve, as reported to [`SolveOptions::progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Listing every meeting no rule forbids.
    Candidates,
    /// Building the rows between meetings.
    Model,
    /// The greedy roster (the warm start).
    WarmStart,
    /// The LP relaxation, by column generation (HiGHS): pricing round and LP columns.
    LpRelaxation { round: usize, columns: usize },
    /// A Lagrangian bound by subgradient ascent (microlp on larger models, HiGHS on the
    /// largest).
    Bound,
    /// A round of clique cuts (`milp::cuts`) added to the relaxation, and how many.
    Cuts { round: usize, cuts: usize },
    /// A restricted MILP that re-plans the cases meeting on a window of days (horizon days
    /// `first` to `last`, from 1), when the bound is not the LP's optimum.
    Window {
        first: usize,
        last: usize,
        candidates: usize,
    },
    /// A MILP over this many candidates: the whole model, or a restricted one (HiGHS).
    Milp { round: usize, candidates: usize },
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Phase::Candidates => write!(f, "listing candidate meetings"),
            Phase::Model => write!(f, "building the model"),
            Phase::WarmStart => write!(f, "greedy warm start"),
            Phase::Bound => write!(f, "Lagrangian bound (subgradient)"),
            Phase::Cuts { round, cuts } => {
                write!(f, "clique cuts, round {round} ({cuts} cuts added)")
            }
            Phase::LpRelaxation { round, columns } => {
                write!(
                    f,
                    "LP relaxation, pricing round {round} ({columns} columns)"
                )
            }
            Phase::Milp { round, candidates } => {
                write!(f, "MILP round {round} ({candidates} candidates)")
            }
            Phase::Window {
                first,
                last,
                candidates,
            } => write!(
                f,
                "re-planning days {first}-{last} ({candidates} candidates)"
            ),
        }
    }
}

/// A shared callback told each [`Phase`] as it starts. It runs on the solving thread: keep
/// it quick.
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(Phase) + Send + Sync>);

impl Progress {
    pub fn new(report: impl Fn(Phase) + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(report))
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// Two options are equal whatever their progress callbacks: a callback is not a setting.
impl PartialEq for Progress {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl SolveOptions {
    /// Tells the progress callback, if any, that `phase` starts.
    pub(crate) fn report(&self, phase: Phase) {
        if let Some(progress) = &self.progress {
            (progress.0)(phase);
        }
    }
}

/// The instant a time limit counts from ([`SolveOptions::started`]).
#[derive(Debug, Clone, Copy)]
pub struct Clock(pub Instant);

impl Clock {
    pub fn now() -> Self {
        Self(Instant::now())
    }
}

/// Two options are equal whatever their clocks: a clock is not a setting.
impl PartialEq for Clock {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// A shared "stop now" flag for [`SolveOptions::cancel`].
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(pub std::sync::Arc<std::sync::atomic::AtomicBool>);

impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the solve to stop.
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Two options are equal whatever their flags: a flag is not a setting.
impl PartialEq for CancelFlag {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

fn yes() -> bool {
    true
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            backend: Backend::Microlp,
            time_limit_secs: 30.0,
            mip_gap: 0.0,
            weights: Weights::default(),
            highs_options: Vec::new(),
            max_changes: None,
            min_held_by_day_30: None,
            reduced_cost_fixing: true,
            cancel: None,
            started: None,
            max_candidates: None,
            progress: None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SolveError {
    #[error("unknown backend `{0}`: use `microlp`, `highs` or `auto`")]
    UnknownBackend(String),
    #[error("the `{0}` backend is not in this build: rebuild with `--features highs`")]
    BackendUnavailable(&'static str),
    #[error("the {backend} backend failed: {message}")]
    Backend {
        backend: &'static str,
        message: String,
    },
    #[error("the {backend} backend crashed internally: {message}")]
    BackendPanicked {
        backend: &'static str,
        message: String,
    },
    #[error("no roster satisfies the model's requirements ({0})")]
    Infeasible(String),
    #[error("invalid solve option `{field}`: {message}")]
    InvalidOption {
        field: &'static str,
        message: String,
    },
    /// Cancelled: no roster is returned, whatever had been found so far.
    #[error("the solve was cancelled while {phase}; no roster is returned")]
    Cancelled { phase: &'static str },
    /// The time limit passed before any roster existed (while listing candidates or
    /// building the model).
    #[error(
        "the time limit of {limit_secs} s passed while {phase}, before any roster existed: \
         raise the limit or solve a smaller problem"
    )]
    TimeLimitBeforeRoster {
        phase: &'static str,
        limit_secs: f64,
    },
    /// The problem would list more candidate meetings than [`SolveOptions::max_candidates`]
    /// allows ([`candidates::estimate`], before anything is built).
    #[error(
        "the problem would list about {estimate} candidate meetings, more than the limit of \
         {limit}: split it (fewer weeks or cases), or raise the limit if the machine has the \
         memory (about 350 bytes a candidate)"
    )]
    TooLarge { estimate: u64, limit: u64 },
    /// The candidates listed outgrew [`SolveOptions::max_candidates`] (the estimate was
    /// under it): the solve stops before building the model.
    #[error("the model outgrew its memory budget: {count} candidate meetings, over the limit of {limit}")]
    MemoryBudget { count: u64, limit: u64 },
}

impl SolveError {
    /// A stable code for each kind of error (job failures and HTTP problems use it).
    pub fn code(&self) -> &'static str {
        match self {
            SolveError::UnknownBackend(_) => "unknown_backend",
            SolveError::BackendUnavailable(_) => "backend_unavailable",
            SolveError::Backend { .. } => "backend_failed",
            SolveError::BackendPanicked { .. } => "backend_panicked",
            SolveError::Infeasible(_) => "infeasible",
            SolveError::InvalidOption { .. } => "invalid_option",
            SolveError::Cancelled { .. } => "cancelled",
            SolveError::TimeLimitBeforeRoster { .. } => "time_limit_before_roster",
            SolveError::TooLarge { .. } => "problem_too_large",
            SolveError::MemoryBudget { .. } => "memory_budget",
        }
    }
}

/// The default of [`SolveOptions::max_candidates`]: about 5 GB of model at the measured
/// ~350 bytes a candidate (11.4 million candidates peaked at 3.96 GB), so two solves side by
/// side stay near 10 GB on the 24 GB machine.
pub const DEFAULT_MAX_CANDIDATES: u64 = 15_000_000;

/// Asked between the steps of the phases that come before any roster exists (listing
/// candidates, building the model, the greedy warm start): was the solve cancelled, or has
/// its hard deadline passed? The hard deadline is the time limit plus half of the
/// tolerance a job is held to, max(10% of the limit, 1 s): so a limit too short for the
/// MILP still gets the greedy roster when it comes that quickly, and a whole solve never
/// ends later than the tolerance allows. After the warm start the time limit itself
/// decides whether the MILP runs at all.
///
/// The clock starts at [`SolveOptions::started`] (the job's or command's start), and the
/// limit the solve works to is the requested one less [`post_solve_reserve`]: the whole
/// job, not only the solve, is to end by the limit.
struct Stop<'a> {
    started: Instant,
    limit: Duration,
    hard: Duration,
    limit_secs: f64,
    cancel: Option<&'a CancelFlag>,
}

impl<'a> Stop<'a> {
    fn new(problem: &Problem, options: &'a SolveOptions) -> Self {
        let limit = options.time_limit_secs;
        let working = (limit - post_solve_reserve(problem, limit)).max(0.0);
        Stop {
            started: options.started.map_or_else(Instant::now, |c| c.0),
            limit: Duration::from_secs_f64(working),
            hard: Duration::from_secs_f64(working + (0.1 * limit).max(1.0) / 2.0),
            limit_secs: limit,
            cancel: options.cancel.as_ref(),
        }
    }

    /// Seconds left before the limit the solve works to.
    fn left(&self) -> f64 {
        self.limit
            .saturating_sub(self.started.elapsed())
            .as_secs_f64()
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(CancelFlag::is_cancelled)
    }

    /// Stop a phase that has no roster yet.
    fn now(&self) -> bool {
        self.cancelled() || self.started.elapsed() >= self.hard
    }

    /// Past the time limit (or cancelled): run no backend.
    fn past_limit(&self) -> bool {
        self.cancelled() || self.started.elapsed() >= self.limit
    }

    /// The error for stopping while `phase`.
    fn error(&self, phase: &'static str) -> SolveError {
        if self.cancel.is_some_and(CancelFlag::is_cancelled) {
            SolveError::Cancelled { phase }
        } else {
            SolveError::TimeLimitBeforeRoster {
                phase,
                limit_secs: self.limit_secs,
            }
        }
    }
}

/// Seconds kept from a time limit for what follows the solve: repairing an early-stopped
/// roster, explaining every case not held, the key figures and writing it all. Measured at
/// about 0.3 ms a case on the 2-core machine (3,000 cases: 1.0 s, `docs/performance.md`,
/// "Time limits"); at most a quarter of the limit.
pub fn post_solve_reserve(problem: &Problem, limit_secs: f64) -> f64 {
    (0.1 + 0.35e-3 * problem.cases.len() as f64).min(0.25 * limit_secs.max(0.0))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal: absolute gap below one objective unit.
    Optimal,
    /// Stopped at the requested relative gap.
    GapLimit,
    /// The time limit expired; the best roster found so far is returned.
    TimeLimit,
    /// Proving optimality would need a restricted MILP over more candidates than the
    /// solver takes (HiGHS' reduced-cost fixing, `milp::reduced`); the best roster found is
    /// returned with its true bound and gap.
    SizeLimit,
    /// The backend failed (see `SolverSummary::backend_error`); the greedy roster is
    /// returned, flagged `greedy_fallback`.
    BackendFailed,
}

/// How the solve went: status, objective, bound, gap, time and model size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverSummary {
    pub backend: Backend,
    pub status: SolveStatus,
    /// Total cost of the roster, in objective units.
    pub objective: f64,
    /// Best proven lower bound on the cost, when the backend gives one.
    pub best_bound: Option<f64>,
    /// `objective − best_bound`.
    pub absolute_gap: Option<f64>,
    /// `(objective − best_bound) / |objective|`.
    pub relative_gap: Option<f64>,
    pub build_seconds: f64,
    /// Time spent building the greedy roster used as the warm start.
    pub warm_start_seconds: f64,
    pub solve_seconds: f64,
    /// The backend found no incumbent in time, so the greedy roster was returned.
    pub greedy_fallback: bool,
    pub candidates: usize,
    pub variables: usize,
    pub constraints: usize,
    /// When a Lagrangian bound restricted the MILP (larger models: the LP relaxation by
    /// column generation with HiGHS, subgradient ascent with microlp): its bound, the
    /// candidates kept and the rounds it took (see `milp::fixing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduced_cost_fixing: Option<ReducedCostFixing>,
    /// microlp on models above 10,000 candidates: the Lagrangian bound found by
    /// subgradient ascent before the MILP (`milp::bound`), part of `best_bound`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lagrangian_bound: Option<f64>,
    /// Why the backend failed, when it did (status `backend_failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_error: Option<String>,
}

/// How reduced-cost fixing went: the bound, the candidates the last restricted MILP kept,
/// and how many restricted MILPs were solved. With microlp, `lp_bound` is the subgradient
/// bound, `lp_columns` is 0 and `pricing_rounds` counts subgradient steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReducedCostFixing {
    /// The bound from the LP relaxation: its optimum when `lp_optimal`, otherwise the
    /// Lagrangian bound of the best pricing round (still a true bound). None when not even
    /// the first LP finished in time.
    pub lp_bound: Option<f64>,
    /// The LP relaxation was solved to optimality (pricing found no column that improves it).
    #[serde(default)]
    pub lp_optimal: bool,
    pub kept_candidates: usize,
    pub rounds: usize,
    pub lp_seconds: f64,
    /// Columns the LP relaxation needed (priced in from the row duals, see
    /// `milp::reduced`), out of every candidate and auxiliary column.
    #[serde(default)]
    pub lp_columns: usize,
    /// LP solves before no candidate left out had a negative reduced cost.
    #[serde(default)]
    pub pricing_rounds: usize,
    /// Clique cuts added to the LP relaxation (HiGHS; see `milp::cuts`): rows that every
    /// roster meets and the LP's solution did not, which raise the bound.
    #[serde(default)]
    pub cuts: usize,
}

/// The solved model: which candidates were chosen and who interprets.
#[derive(Debug, Clone)]
pub struct MilpSolution {
    pub chosen: Vec<Candidate>,
    /// Interpreter booked for each chosen candidate that needs one (same order as `chosen`).
    pub interpreters: Vec<Option<InterpreterIdx>>,
    pub summary: SolverSummary,
}

/// Builds and solves the roster MILP, warm-started from the greedy roster (which is also
/// the answer when the time limit expires before the backend has any incumbent).
pub fn solve(problem: &Problem, options: &SolveOptions) -> Result<MilpSolution, SolveError> {
    validate_options(options)?;
    if !options.backend.is_available() {
        return Err(SolveError::BackendUnavailable(options.backend.as_str()));
    }
    let started = Instant::now();
    let stop = Stop::new(problem, options);
    options.report(Phase::Candidates);
    if let Some(limit) = options.max_candidates {
        let estimate = candidates::estimate(problem);
        if estimate > limit {
            return Err(SolveError::TooLarge { estimate, limit });
        }
    }
    let candidates = candidates::generate_until(problem, &options.weights, &|| stop.now())
        .ok_or_else(|| stop.error("listing candidate meetings"))?;
    if let Some(limit) = options.max_candidates {
        let count = candidates.len() as u64;
        if count > limit {
            return Err(SolveError::MemoryBudget { count, limit });
        }
    }
    options.report(Phase::Model);
    let model_started = Instant::now();
    let mut model = build_until(problem, candidates, options, &|| stop.now())
        .ok_or_else(|| stop.error("building the model"))?;
    let model_seconds = model_started.elapsed().as_secs_f64();
    // Rows of the model as built (the LP relaxation may add cuts).
    let constraints = model.rows.len();
    let build_seconds = started.elapsed().as_secs_f64();

    options.report(Phase::WarmStart);
    let greedy_started = Instant::now();
    // A greedy roster stopped part-way is no answer: a case it did not reach could still be
    // held, and nothing can say why it was not.
    let greedy = greedy::construct_until(problem, &options.weights, &|| stop.now())
        .ok_or_else(|| stop.error("building the greedy roster"))?;
    let warm_chosen = chosen_candidates(&model, &greedy);
    // Out of time (or cancelled) by the end of the warm start: the greedy roster is the
    // answer; no backend runs.
    let out_of_time = stop.past_limit();
    let warm = model.assignment(problem, &warm_chosen);
    let warm_start_seconds = greedy_started.elapsed().as_secs_f64();

    let backend = options.backend.resolve(model.candidates.len());
    let solve_started = Instant::now();
    let remaining = stop.left().max(0.05);
    let mut reduced_cost_fixing = None;
    let mut solved_model = None;
    let mut lagrangian_bound = None;
    // On a large model a backend's set-up (the bound's pricing, loading HiGHS) reads the
    // whole model, about what building it took: with less time left than that it would end
    // past the limit, so the greedy roster stands.
    let no_time_to_set_up = model.candidates.len() > LAGRANGIAN_ABOVE && remaining < model_seconds;
    let attempt = match backend {
        _ if out_of_time || no_time_to_set_up => Ok(RawSolution {
            status: SolveStatus::TimeLimit,
            values: None,
            best_bound: None,
        }),
        // No candidate at all: holding nothing is the only roster (and HiGHS rejects an
        // empty model).
        _ if model.n_vars() == 0 => Ok(RawSolution {
            status: SolveStatus::Optimal,
            values: Some((0.0, Vec::new())),
            best_bound: Some(0.0),
        }),
        // `resolve` never returns `Auto`; were it to, microlp is the safe choice.
        Backend::Microlp | Backend::Auto => {
            // microlp gives no dual values: on larger models a Lagrangian bound by
            // subgradient ascent, in a quarter of the time, bounds the roster and fixes the
            // candidates that cannot improve on it (as the LP does for HiGHS).
            let mut staged = None;
            if options.reduced_cost_fixing && model.candidates.len() > LAGRANGIAN_ABOVE {
                options.report(Phase::Bound);
                let deadline =
                    Instant::now() + Duration::from_secs_f64(remaining * bound::ASCENT_SHARE);
                let upper = model.cost_of(&warm);
                let relaxed = cuts::ascent_with_cuts(
                    &mut model,
                    upper,
                    deadline,
                    SUBGRADIENT_ROUNDS,
                    options,
                );
                if let Some(lp) = relaxed {
                    lagrangian_bound = Some(lp.objective);
                    let lp_seconds = solve_started.elapsed().as_secs_f64();
                    staged = fixing_outcome(
                        &model,
                        fixing::rounds(
                            problem,
                            &model,
                            &warm_chosen,
                            lp,
                            lp_seconds,
                            solve_started,
                            remaining,
                            MICROLP_MAX_KEPT,
                            MICROLP_WINDOW_CASES,
                            options,
                            &|sub: &Model, w: &[f64], limit: f64| {
                                solve_microlp(sub, w, limit, options)
                            },
                        ),
                    )?;
                }
            }
            match staged {
                Some(r) => {
                    reduced_cost_fixing = Some(r.summary);
                    solved_model = r.model;
                    Ok(r.raw)
                }
                None => {
                    let left = remaining - solve_started.elapsed().as_secs_f64();
                    options.report(Phase::Milp {
                        round: 1,
                        candidates: model.candidates.len(),
                    });
                    solve_microlp(&model, &warm, left.max(0.05), options).map(|mut raw| {
                        raw.best_bound = match (raw.best_bound, lagrangian_bound) {
                            (Some(a), Some(b)) => Some(a.max(b)),
                            (a, b) => a.or(b),
                        };
                        raw
                    })
                }
            }
        }
        Backend::Highs => {
            match solve_reduced(problem, &mut model, &warm_chosen, remaining, options) {
                Ok(Some(r)) => {
                    reduced_cost_fixing = Some(r.summary);
                    solved_model = r.model;
                    Ok(r.raw)
                }
                Ok(None) => {
                    let left = remaining - solve_started.elapsed().as_secs_f64();
                    options.report(Phase::Milp {
                        round: 1,
                        candidates: model.candidates.len(),
                    });
                    solve_highs(&model, &warm, left.max(0.05), options)
                }
                Err(e) => Err(e),
            }
        }
    };
    // A cancelled solve returns no roster, whatever the backend had found: the caller asked
    // for none.
    if stop.cancelled() {
        return Err(stop.error("solving"));
    }
    // A backend that fails (out of memory, an internal error) still leaves the greedy
    // roster: it is returned, flagged, with the failure. Infeasibility and bad options are
    // answers about the model, not failures.
    let mut backend_error = None;
    let raw = match attempt {
        Ok(raw) => raw,
        Err(e @ (SolveError::Backend { .. } | SolveError::BackendPanicked { .. })) => {
            backend_error = Some(e.to_string());
            RawSolution {
                status: SolveStatus::BackendFailed,
                values: None,
                best_bound: None,
            }
        }
        Err(e) => return Err(e),
    };
    let solve_seconds = solve_started.elapsed().as_secs_f64();
    let values_model = solved_model.as_ref().unwrap_or(&model);
    let (chosen, interpreters, objective, greedy_fallback) = match &raw.values {
        Some((objective, values)) => {
            let (chosen, interpreters) = extract(values_model, values);
            (chosen, interpreters, objective + model.constant, false)
        }
        None => {
            let objective = model.cost_of(&warm);
            let chosen = warm_chosen
                .iter()
                .map(|&(i, _)| model.candidates[i])
                .collect();
            let interpreters = warm_chosen.iter().map(|&(_, k)| k).collect();
            (chosen, interpreters, objective + model.constant, true)
        }
    };
    // Every coefficient is integral: the objective is a whole number and any bound can be
    // rounded up to one (floating-point noise aside).
    let objective = objective.round();
    let best_bound = raw
        .best_bound
        .map(|b| (b + model.constant - 1e-6).ceil())
        .map(|b| b.min(objective));
    let absolute_gap = best_bound.map(|b| (objective - b).max(0.0));
    let status = match (raw.status, absolute_gap) {
        (_, Some(gap)) if gap < 1.0 => SolveStatus::Optimal,
        (SolveStatus::Optimal, _) if !greedy_fallback => SolveStatus::Optimal,
        (SolveStatus::Optimal, _) => SolveStatus::TimeLimit,
        (other, _) => other,
    };
    let summary = SolverSummary {
        backend,
        status,
        objective,
        best_bound,
        absolute_gap,
        relative_gap: absolute_gap.map(|g| g / objective.abs().max(1.0)),
        build_seconds,
        warm_start_seconds,
        solve_seconds,
        greedy_fallback,
        candidates: model.candidates.len(),
        variables: model.n_vars(),
        constraints,
        reduced_cost_fixing,
        lagrangian_bound: lagrangian_bound.map(|b| (b + model.constant - 1e-6).ceil()),
        backend_error,
    };
    Ok(MilpSolution {
        chosen,
        interpreters,
        summary,
    })
}

/// The model in CPLEX LP format, so anyone can solve the identical model with another
/// solver. The objective constant (the cost of holding no case) is given in a comment: add
/// it to that solver's objective to compare with ours.
pub fn export_lp(problem: &Problem, options: &SolveOptions) -> String {
    use std::fmt::Write;
    let candidates = candidates::generate(problem, &options.weights);
    let model = build(problem, candidates, options);
    let names: Vec<String> = (0..model.n_vars())
        .map(|i| match model.aux(i) {
            None => format!("hold_{i}"),
            Some(Col::Presence(_)) => format!("at_{i}"),
            Some(Col::Interpreter { .. }) => format!("interpret_{i}"),
            Some(Col::FairnessStep { .. }) => format!("step_{i}"),
        })
        .collect();
    let terms = |pairs: &mut dyn Iterator<Item = (usize, f64)>| -> String {
        let mut coefs: Vec<(usize, f64)> = pairs.filter(|(_, c)| *c != 0.0).collect();
        coefs.sort_by_key(|(i, _)| *i);
        let mut line = String::new();
        for (i, c) in coefs {
            let _ = write!(
                line,
                " {} {} {}",
                if c < 0.0 { "-" } else { "+" },
                c.abs(),
                names[i]
            );
        }
        if line.is_empty() {
            line.push_str(" 0");
        }
        line
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\\ mediation-scheduler roster model: {} columns, {} rows, {} candidates",
        model.n_vars(),
        model.rows.len(),
        model.candidates.len()
    );
    let _ = writeln!(
        out,
        "\\ objective constant (cost of holding no case): {}",
        model.constant
    );
    for (c, cand) in model.candidates.iter().enumerate() {
        let site = match cand.site {
            Site::Venue(v) => problem.venues[v].id.clone(),
            Site::Remote(m) => m.as_str().to_string(),
        };
        let _ = writeln!(
            out,
            "\\ hold_{c}: {} {} {} {} {}",
            problem.cases[cand.case].reference,
            problem.mediators[cand.mediator].id,
            problem.horizon.days[cand.day],
            problem.templates[cand.template].id,
            site
        );
    }
    let _ = writeln!(
        out,
        "Minimize\n obj:{}",
        terms(&mut model.costs.iter().copied().enumerate())
    );
    let _ = writeln!(out, "Subject To");
    for (r, row) in model.rows.iter().enumerate() {
        let (sense, rhs) = if row.lower == row.upper {
            ("=", row.lower)
        } else if row.upper.is_finite() {
            ("<=", row.upper)
        } else {
            (">=", row.lower)
        };
        let mut pairs = row.terms.iter().map(|&(i, c)| (i as usize, f64::from(c)));
        let _ = writeln!(out, " r{r}:{} {sense} {rhs}", terms(&mut pairs));
    }
    let _ = writeln!(out, "Bounds");
    for (i, name) in names.iter().enumerate() {
        if !model.is_binary(i) {
            let _ = writeln!(out, " 0 <= {name} <= 1");
        }
    }
    let _ = writeln!(out, "Binaries");
    for (i, name) in names.iter().enumerate() {
        if model.is_binary(i) {
            let _ = writeln!(out, " {name}");
        }
    }
    out.push_str("End\n");
    out
}

/// Placements as the model's candidates (with their interpreters); a placement that is no
/// candidate of the model is dropped.
fn chosen_candidates(
    model: &Model,
    placements: &[Placement],
) -> Vec<(usize, Option<InterpreterIdx>)> {
    let runs = bound::case_runs(model);
    placements
        .iter()
        .filter_map(|p| {
            runs.get(p.case)?
                .clone()
                .find(|&i| {
                    let c = &model.candidates[i];
                    (c.mediator, c.day, c.template, c.site)
                        == (p.mediator, p.day, p.template, p.site)
                })
                .map(|i| (i, p.interpreter))
        })
        .collect()
}

/// Candidates of each case the Lagrangian greedy ranks by fixing value; the others rank
/// after them, by cost.
const LAGRANGIAN_GREEDY_PER_CASE: usize = 60;

/// A greedy roster that prefers, for each case, the options of least fixing value under a
/// Lagrangian bound (`fixing`, one per candidate of `model`): they price how contested each
/// mediator, session and venue is, which the plain greedy's costs do not.
fn lagrangian_greedy(
    problem: &Problem,
    model: &Model,
    fixing: &[f64],
    weights: &Weights,
) -> Vec<(usize, Option<InterpreterIdx>)> {
    let mut price = HashMap::new();
    for run in bound::case_runs(model) {
        for i in bound::least(run, fixing, LAGRANGIAN_GREEDY_PER_CASE) {
            let c = &model.candidates[i];
            price.insert((c.case, c.mediator, c.day, c.template, c.site), fixing[i]);
        }
    }
    let preference = |p: &Placement| {
        price
            .get(&(p.case, p.mediator, p.day, p.template, p.site))
            .copied()
            .unwrap_or(1e15 + candidates::cost_of(problem, p, weights) as f64)
    };
    chosen_candidates(
        model,
        &greedy::construct_preferring(problem, weights, &preference),
    )
}

fn validate_options(options: &SolveOptions) -> Result<(), SolveError> {
    if !(options.time_limit_secs.is_finite() && options.time_limit_secs > 0.0) {
        return Err(SolveError::InvalidOption {
            field: "time_limit_secs",
            message: format!(
                "must be a positive number of seconds, got {}",
                options.time_limit_secs
            ),
        });
    }
    if !(options.mip_gap.is_finite() && (0.0..1.0).contains(&options.mip_gap)) {
        return Err(SolveError::InvalidOption {
            field: "mip_gap",
            message: format!("must be in [0, 1), got {}", options.mip_gap),
        });
    }
    Ok(())
}

/// Clique of overlapping templates at each template's start instant (interval graphs have
/// all their maximal cliques at left endpoints). Duplicates are removed.
pub fn session_cliques(problem: &Problem) -> Vec<Vec<TemplateIdx>> {
    let mut cliques: BTreeSet<Vec<TemplateIdx>> = BTreeSet::new();
    for t in &problem.templates {
        let clique: Vec<TemplateIdx> = problem
            .templates
            .iter()
            .enumerate()
            .filter(|(_, o)| o.start <= t.start && t.start < o.end)
            .map(|(i, _)| i)
            .collect();
        cliques.insert(clique);
    }
    cliques.into_iter().collect()
}

/// The model of `candidates`, never stopped.
fn build(problem: &Problem, candidates: Vec<Candidate>, options: &SolveOptions) -> Model {
    match build_until(problem, candidates, options, &|| false) {
        Some(model) => model,
        None => unreachable!("build_until stops only when asked to"),
    }
}

/// The model of `candidates`; `None` as soon as `stop` answers true (asked between
/// sections, every few thousand candidates and every group of rows).
fn build_until(
    problem: &Problem,
    candidates: Vec<Candidate>,
    options: &SolveOptions,
    stop: &dyn Fn() -> bool,
) -> Option<Model> {
    // How many candidates go by between two questions to `stop`.
    const EVERY: usize = 1 << 14;
    let w = &options.weights;
    let mut model = Model::with_capacity(candidates.len());
    model.case_rows = vec![None; problem.cases.len()];
    let cliques = session_cliques(problem);
    let units = |c: &Candidate| problem.templates[c.template].session_units() as f64;

    // Cases: held at most once; not holding costs `not_held_cost`.
    let mut by_case: Vec<Vec<usize>> = vec![Vec::new(); problem.cases.len()];
    for (i, c) in candidates.iter().enumerate() {
        if i % EVERY == 0 && stop() {
            return None;
        }
        let v = model.add_candidate(0.0);
        debug_assert_eq!(v, i, "candidate i is column i");
        by_case[c.case].push(i);
    }
    for (case_idx, case) in problem.cases.iter().enumerate() {
        if case_idx % 256 == 0 && stop() {
            return None;
        }
        let unheld = candidates::not_held_cost(problem, case, w) as f64;
        model.constant += unheld;
        for &i in &by_case[case_idx] {
            model.costs[i] = candidates[i].cost as f64 - unheld;
        }
        if by_case[case_idx].len() > 1 {
            let e = sum(by_case[case_idx].iter().map(|&i| (i, 1.0)));
            model.case_rows[case_idx] = Some(model.rows.len());
            model.rows.push(e.leq(1.0));
        }
    }

    // Re-planning: at most `max_changes` published meetings that could be kept are not.
    if let Some(cap) = options.max_changes {
        let keepable: Vec<usize> = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_published(problem))
            .map(|(i, _)| i)
            .collect();
        let most = keepable.len() as f64;
        if most > cap as f64 {
            let kept = sum(keepable.iter().map(|&i| (i, 1.0)));
            model.rows.push(kept.geq(most - cap as f64));
        }
    }

    // Capacity planning: enough cases held by their day 30.
    if let Some(least) = options.min_held_by_day_30.filter(|&n| n > 0) {
        let on_time = sum(candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.late)
            .map(|(i, _)| (i, 1.0)));
        model.rows.push(on_time.geq(least as f64));
    }

    // Mediators: one meeting at a time, travel, caps, fairness.
    let mut by_mediator_day: BTreeMap<(MediatorIdx, DayIdx), Vec<usize>> = BTreeMap::new();
    let mut by_mediator_week: BTreeMap<(MediatorIdx, (i32, u32)), Vec<usize>> = BTreeMap::new();
    let mut by_mediator: BTreeMap<MediatorIdx, Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        by_mediator_day
            .entry((c.mediator, c.day))
            .or_default()
            .push(i);
        let week = iso_week(problem.horizon.days[c.day]);
        by_mediator_week
            .entry((c.mediator, week))
            .or_default()
            .push(i);
        by_mediator.entry(c.mediator).or_default().push(i);
    }
    for (&(m, _day), idx) in &by_mediator_day {
        if stop() {
            return None;
        }
        for clique in &cliques {
            let members: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| clique.contains(&candidates[i].template))
                .collect();
            if distinct_cases(&candidates, &members) > 1 {
                model
                    .rows
                    .push(sum(members.iter().map(|&i| (i, 1.0))).leq(1.0));
            }
        }
        let cap = problem.mediators[m].max_sessions_per_day as f64;
        if max_load(problem, &candidates, idx, &cliques) > cap {
            let e = sum(idx.iter().map(|&i| (i, units(&candidates[i]))));
            model.rows.push(e.leq(cap));
        }
        add_travel_constraints(problem, &candidates, idx, &mut model);
    }
    for (&(m, _week), idx) in &by_mediator_week {
        if stop() {
            return None;
        }
        let cap = problem.mediators[m].max_sessions_per_week as f64;
        let most: f64 = idx.iter().map(|&i| units(&candidates[i])).sum();
        if most > cap {
            let e = sum(idx.iter().map(|&i| (i, units(&candidates[i]))));
            model.rows.push(e.leq(cap));
            // Valid inequality: with an odd cap, at most ⌊cap/2⌋ full days fit, which the
            // LP would otherwise take as half a full day more.
            let full: Vec<(Var, f64)> = idx
                .iter()
                .filter(|&&i| units(&candidates[i]) == 2.0)
                .map(|&i| (i, 1.0))
                .collect();
            let most_full = (cap / 2.0).floor();
            if full.len() as f64 > most_full && cap % 2.0 == 1.0 {
                model.rows.push(sum(full).leq(most_full));
            }
        }
    }
    for (&m, idx) in &by_mediator {
        if stop() {
            return None;
        }
        add_fairness(problem, m, &candidates, idx, w, &mut model);
    }

    if stop() {
        return None;
    }
    // Venues: rooms per overlapping session.
    let mut by_venue_day: BTreeMap<(usize, DayIdx), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Site::Venue(v) = c.site {
            by_venue_day.entry((v, c.day)).or_default().push(i);
        }
    }
    for (&(v, _day), idx) in &by_venue_day {
        if stop() {
            return None;
        }
        let rooms = problem.venues[v].rooms as f64;
        for clique in &cliques {
            let members: Vec<(Var, f64)> = idx
                .iter()
                .filter(|&&i| clique.contains(&candidates[i].template))
                .map(|&i| {
                    let need = problem.cases[candidates[i].case].needs.rooms as f64;
                    (i, need)
                })
                .collect();
            if members.iter().map(|(_, r)| r).sum::<f64>() > rooms {
                // Valid inequality: two meetings each needing more than half the rooms
                // never fit together, which the knapsack row alone lets the LP split.
                let big: Vec<(Var, f64)> = members
                    .iter()
                    .filter(|(_, r)| 2.0 * r > rooms)
                    .map(|(x, _)| (*x, 1.0))
                    .collect();
                if big.len() > 1 {
                    model.rows.push(sum(big).leq(1.0));
                }
                model.rows.push(sum(members).leq(rooms));
            }
        }
    }

    add_interpreters(problem, &candidates, &cliques, &mut model);
    model.candidates = candidates;
    model.first_cut = model.rows.len();
    Some(model)
}

fn distinct_cases(candidates: &[Candidate], members: &[usize]) -> usize {
    let mut cases: Vec<CaseIdx> = members.iter().map(|&i| candidates[i].case).collect();
    cases.sort_unstable();
    cases.dedup();
    cases.len()
}

/// The most session units a mediator could be given on one day, given the overlap cliques:
/// bounded by the units of every non-overlapping template they have a candidate in.
fn max_load(
    problem: &Problem,
    candidates: &[Candidate],
    idx: &[usize],
    cliques: &[Vec<TemplateIdx>],
) -> f64 {
    let templates: BTreeSet<TemplateIdx> = idx.iter().map(|&i| candidates[i].template).collect();
    let by_units: f64 = templates
        .iter()
        .map(|&t| problem.templates[t].session_units() as f64)
        .sum();
    // At most one meeting per clique; a day never holds more than one per clique.
    let per_clique: f64 = cliques
        .iter()
        .map(|c| {
            c.iter()
                .filter(|t| templates.contains(t))
                .map(|&t| problem.templates[t].session_units() as f64)
                .fold(0.0, f64::max)
        })
        .sum();
    by_units.min(per_clique)
}

/// For each ordered pair of non-overlapping sessions on one mediator-day and each venue of
/// the earlier one: holding it excludes every later venue the mediator cannot reach in time.
///
/// Candidates at one (session, venue) are summed into one "the mediator is there" term (an
/// auxiliary variable when there are several), so each travel row names venues, not every
/// candidate at them: this keeps the rows short.
fn add_travel_constraints(
    problem: &Problem,
    candidates: &[Candidate],
    idx: &[usize],
    model: &mut Model,
) {
    let mut by_template_venue: BTreeMap<(TemplateIdx, usize), Vec<usize>> = BTreeMap::new();
    for &i in idx {
        if let Site::Venue(v) = candidates[i].site {
            by_template_venue
                .entry((candidates[i].template, v))
                .or_default()
                .push(i);
        }
    }
    let mut present: BTreeMap<(TemplateIdx, usize), Var> = BTreeMap::new();
    let mut at = |model: &mut Model, key: (TemplateIdx, usize)| -> Var {
        *present.entry(key).or_insert_with(|| {
            let members = &by_template_venue[&key];
            if let [only] = members.as_slice() {
                return *only;
            }
            let a = model.add(Col::Presence(members.clone()), 0.0);
            let held = sum(members.iter().map(|&i| (i, 1.0)));
            model.rows.push(held.minus(sum([(a, 1.0)])).eq(0.0));
            a
        })
    };
    let templates: BTreeSet<TemplateIdx> = by_template_venue.keys().map(|k| k.0).collect();
    for &(t1, v1) in by_template_venue.keys() {
        let earlier = &problem.templates[t1];
        for &t2 in &templates {
            let later = &problem.templates[t2];
            if later.start < earlier.end {
                continue; // overlapping or earlier: handled by the clique or the mirror pair
            }
            let far: Vec<(TemplateIdx, usize)> = by_template_venue
                .range((t2, 0)..(t2 + 1, 0))
                .map(|(k, _)| *k)
                .filter(|&(_, v2)| {
                    !rules::travel_ok(problem, Site::Venue(v1), earlier, Site::Venue(v2), later)
                })
                .collect();
            if far.is_empty() {
                continue;
            }
            let mut e = Terms::with_capacity(far.len() + 1);
            e.add_mul(1.0, at(model, (t1, v1)));
            for key in far {
                e.add_mul(1.0, at(model, key));
            }
            model.rows.push(e.leq(1.0));
        }
    }
}

/// Convex fairness cost: the k-th session of mediator `m` costs `fairness × k / capacity`.
fn add_fairness(
    problem: &Problem,
    m: MediatorIdx,
    candidates: &[Candidate],
    idx: &[usize],
    w: &Weights,
    model: &mut Model,
) {
    if w.fairness == 0 {
        return;
    }
    let capacity = horizon_capacity(problem, m).max(1);
    let possible: u32 = idx
        .iter()
        .map(|&i| problem.templates[candidates[i].template].session_units())
        .sum::<u32>()
        .min(capacity);
    let mut steps = Terms::with_capacity(possible as usize);
    for k in 1..=possible {
        let cost = candidates::fairness_step_cost(w, k, capacity) as f64;
        let y = model.add(Col::FairnessStep { mediator: m, k }, cost);
        steps.add_mul(1.0, y);
    }
    let load = sum(idx.iter().map(|&i| {
        let u = problem.templates[candidates[i].template].session_units() as f64;
        (i, u)
    }));
    model.rows.push(load.minus(steps).leq(0.0));
}

/// Sessions a mediator can hold over the horizon: the weekly cap for each ISO week the
/// horizon touches, and never more than the daily cap on each working day.
pub fn horizon_capacity(problem: &Problem, m: MediatorIdx) -> u32 {
    let mediator = &problem.mediators[m];
    let working: Vec<_> = problem
        .horizon
        .days
        .iter()
        .filter(|d| problem.calendar.is_working_day(**d))
        .collect();
    let weeks: BTreeSet<(i32, u32)> = working.iter().map(|d| iso_week(**d)).collect();
    (weeks.len() as u32 * mediator.max_sessions_per_week)
        .min(working.len() as u32 * mediator.max_sessions_per_day)
}

fn add_interpreters(
    problem: &Problem,
    candidates: &[Candidate],
    cliques: &[Vec<TemplateIdx>],
    model: &mut Model,
) {
    let mut needing: BTreeMap<(CaseIdx, DayIdx, TemplateIdx), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if c.needs_interpreter {
            needing
                .entry((c.case, c.day, c.template))
                .or_default()
                .push(i);
        }
    }
    let mut by_interpreter_day: BTreeMap<(InterpreterIdx, DayIdx), Vec<(TemplateIdx, Var)>> =
        BTreeMap::new();
    for (&(case_idx, d, t), idx) in &needing {
        let lang = problem.cases[case_idx]
            .needs
            .language
            .as_deref()
            .unwrap_or("");
        let mut booked = Terms::with_capacity(4);
        for (k, interpreter) in problem.interpreters.iter().enumerate() {
            if rules::interpreter_can_attend(interpreter, lang, d, t) {
                let v = model.add(
                    Col::Interpreter {
                        case: case_idx,
                        interpreter: k,
                        day: d,
                        template: t,
                    },
                    0.0,
                );
                booked.add_mul(1.0, v);
                by_interpreter_day.entry((k, d)).or_default().push((t, v));
            }
        }
        let held = sum(idx.iter().map(|&i| (i, 1.0)));
        model.rows.push(held.minus(booked).leq(0.0));
    }
    for entries in by_interpreter_day.values() {
        for clique in cliques {
            let members: Vec<(Var, f64)> = entries
                .iter()
                .filter(|(t, _)| clique.contains(t))
                .map(|(_, v)| (*v, 1.0))
                .collect();
            if members.len() > 1 {
                model.rows.push(sum(members).leq(1.0));
            }
        }
    }
}

/// What a backend returns, before the objective constant is added back.
struct RawSolution {
    status: SolveStatus,
    /// The incumbent's objective and column values; none when the time limit expired first.
    values: Option<(f64, Vec<f64>)>,
    best_bound: Option<f64>,
}

/// Reads chosen candidates and their interpreters from column values.
fn extract(model: &Model, values: &[f64]) -> (Vec<Candidate>, Vec<Option<InterpreterIdx>>) {
    extract_indices(model, values)
        .into_iter()
        .map(|(i, k)| (model.candidates[i], k))
        .unzip()
}

/// The chosen candidates (indices into `model.candidates`) with their interpreters.
fn extract_indices(model: &Model, values: &[f64]) -> Vec<(usize, Option<InterpreterIdx>)> {
    let on = |col: usize| values.get(col).is_some_and(|v| *v > 0.5);
    let mut booked: BTreeMap<(CaseIdx, DayIdx, TemplateIdx), InterpreterIdx> = BTreeMap::new();
    let chosen: Vec<usize> = (0..model.candidates.len()).filter(|&i| on(i)).collect();
    for (col, kind) in model.aux_columns() {
        if let Col::Interpreter {
            case,
            interpreter,
            day,
            template,
        } = kind
        {
            if on(col) {
                booked.insert((*case, *day, *template), *interpreter);
            }
        }
    }
    chosen
        .into_iter()
        .map(|i| {
            let c = &model.candidates[i];
            let k = c
                .needs_interpreter
                .then(|| booked.get(&(c.case, c.day, c.template)).copied())
                .flatten();
            (i, k)
        })
        .collect()
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// How long one microlp call runs before the solve looks at its cancel flag again. microlp
/// takes a time limit but has no interrupt, so a MILP runs in slices: each is resumed from
/// where the last stopped (its branch-and-bound tree and incumbent are kept).
const MICROLP_SLICE: Duration = Duration::from_millis(250);

/// microlp's variables for columns `0..n`. A microlp variable is its creation order
/// ([`microlp::Variable::idx`]) and good_lp creates one per column in column order, but
/// its wrapper does not hand them out; the warm start and the values need them.
fn microlp_columns(n: usize) -> Vec<microlp::Variable> {
    let mut scratch = microlp::Problem::new(microlp::OptimizationDirection::Minimize);
    (0..n).map(|_| scratch.add_var(0.0, (0.0, 1.0))).collect()
}

/// Solves `model` with microlp, warm-started from `warm`, until it is proven, `time_limit`
/// seconds have passed or the cancel flag is raised (seen within [`MICROLP_SLICE`]).
fn solve_microlp(
    model: &Model,
    warm: &[f64],
    time_limit: f64,
    options: &SolveOptions,
) -> Result<RawSolution, SolveError> {
    const NAME: &str = "microlp";
    let deadline = Instant::now() + Duration::from_secs_f64(time_limit.max(0.05));
    let slice = || {
        deadline
            .saturating_duration_since(Instant::now())
            .clamp(Duration::from_millis(1), MICROLP_SLICE)
    };
    let stopped = || {
        Instant::now() >= deadline
            || options
                .cancel
                .as_ref()
                .is_some_and(CancelFlag::is_cancelled)
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        let lp = model.lp();
        let columns = microlp_columns(lp.col_vars.len());
        let mut built = good_lp::solvers::microlp::microlp(lp.vars.minimise(lp.objective));
        for c in lp.constraints {
            built.add_constraint(c);
        }
        let mut first = microlp::SolveOptions::default();
        first.mip_gap = options.mip_gap;
        first.time_limit = Some(slice());
        first.warm_start = (warm.len() == columns.len())
            .then(|| columns.iter().copied().zip(warm.iter().copied()).collect());
        let mut outcome = built.as_inner().solve_with(first)?;
        while matches!(
            outcome.termination_reason(),
            microlp::TerminationReason::TimeLimit
        ) && !stopped()
        {
            let mut next = outcome.last_resume_options();
            next.time_limit = Some(slice());
            outcome = outcome.resume_with(next)?;
        }
        let stats = outcome.stats();
        let reason = outcome.termination_reason();
        let values = outcome.solution().map(|s| {
            let values: Vec<f64> = columns.iter().map(|&v| s.var_value(v)).collect();
            (s.objective(), values)
        });
        Ok::<_, microlp::Error>((values, stats, reason))
    }));
    match result {
        Err(payload) => Err(SolveError::BackendPanicked {
            backend: NAME,
            message: panic_message(payload),
        }),
        Ok(Err(microlp::Error::Infeasible)) => Err(SolveError::Infeasible(format!(
            "{NAME} proved it infeasible"
        ))),
        Ok(Err(e)) => Err(SolveError::Backend {
            backend: NAME,
            message: e.to_string(),
        }),
        Ok(Ok((values, stats, reason))) => Ok(RawSolution {
            status: match reason {
                microlp::TerminationReason::ProvenOptimal => SolveStatus::Optimal,
                microlp::TerminationReason::MipGap => SolveStatus::GapLimit,
                _ => SolveStatus::TimeLimit,
            },
            // None: interrupted before any incumbent (the warm start was rejected).
            values,
            best_bound: stats.best_bound,
        }),
    }
}

/// microlp on models above this many candidates gets a Lagrangian bound first.
const LAGRANGIAN_ABOVE: usize = AUTO_HIGHS_ABOVE;

/// The most subgradient steps for that bound.
const SUBGRADIENT_ROUNDS: usize = 20_000;

/// The most candidates a restricted microlp MILP keeps besides the best roster: its branch
/// and bound has no cuts, so it stays small.
const MICROLP_MAX_KEPT: usize = 3_000;

/// The most meetings in a window of days whose cases one restricted microlp MILP re-plans
/// at once (`milp::fixing`).
const MICROLP_WINDOW_CASES: usize = 100;

/// Models with fewer candidates go straight to the MILP: the LP relaxation would cost
/// more than it saves.
#[cfg(feature = "highs")]
const REDUCED_COST_FIXING_ABOVE: usize = 5_000;

struct ReducedOutcome {
    raw: RawSolution,
    model: Option<Model>,
    summary: ReducedCostFixing,
}

#[cfg(feature = "highs")]
fn solve_reduced(
    problem: &Problem,
    model: &mut Model,
    warm_chosen: &[(usize, Option<InterpreterIdx>)],
    time_limit: f64,
    options: &SolveOptions,
) -> Result<Option<ReducedOutcome>, SolveError> {
    if !options.reduced_cost_fixing || model.candidates.len() <= REDUCED_COST_FIXING_ABOVE {
        return Ok(None);
    }
    let staged = reduced::solve(problem, model, warm_chosen, time_limit, options);
    fixing_outcome(model, staged)
}

/// The outcome of the fixing rounds for `solve`: none when the whole model is to be solved.
fn fixing_outcome(
    model: &Model,
    staged: Result<fixing::Staged, SolveError>,
) -> Result<Option<ReducedOutcome>, SolveError> {
    Ok(match staged? {
        fixing::Staged::WholeModel => None,
        fixing::Staged::Solved(r) => Some(ReducedOutcome {
            summary: ReducedCostFixing {
                lp_bound: r.lp_bound.map(|b| b + model.constant),
                lp_optimal: r.lp_optimal,
                kept_candidates: r.model.as_ref().map_or(0, |m| m.candidates.len()),
                rounds: r.rounds,
                lp_seconds: r.lp_seconds,
                lp_columns: r.lp_columns,
                pricing_rounds: r.pricing_rounds,
                cuts: r.cuts,
            },
            raw: r.raw,
            model: r.model,
        }),
    })
}

#[cfg(not(feature = "highs"))]
fn solve_reduced(
    _problem: &Problem,
    _model: &mut Model,
    _warm_chosen: &[(usize, Option<InterpreterIdx>)],
    _time_limit: f64,
    _options: &SolveOptions,
) -> Result<Option<ReducedOutcome>, SolveError> {
    Err(SolveError::BackendUnavailable("highs"))
}

/// The model loaded into HiGHS with the options of [`HIGHS_DEFAULTS`], the time limit, the
/// gaps and the caller's extra options.
#[cfg(feature = "highs")]
fn load_highs(
    model: &Model,
    time_limit: f64,
    options: &SolveOptions,
) -> Result<highs::Model, SolveError> {
    let model = model.lp();
    let mut hp = good_lp::solvers::highs::highs(model.vars.minimise(model.objective));
    for c in model.constraints {
        hp.add_constraint(c);
    }
    let mut inner = hp
        .try_into_inner()
        .map_err(|e| highs_error(format!("could not load the model: {e}")))?;
    apply_highs_options(&mut inner, time_limit, options)?;
    Ok(inner)
}

/// Sets the options of [`HIGHS_DEFAULTS`], the time limit, the gaps and the caller's extra
/// options.
#[cfg(feature = "highs")]
fn apply_highs_options(
    inner: &mut highs::Model,
    time_limit: f64,
    options: &SolveOptions,
) -> Result<(), SolveError> {
    inner.make_quiet();
    let numbers: [(&str, f64); 3] = [
        ("time_limit", time_limit),
        ("mip_rel_gap", options.mip_gap),
        // Below one objective unit: the objective is integral.
        ("mip_abs_gap", 0.999),
    ];
    for (name, value) in numbers {
        inner
            .try_set_option(name, value)
            .map_err(|e| highs_error(format!("option {name}: {e:?}")))?;
    }
    inner
        .try_set_option("threads", HIGHS_THREADS as i32)
        .map_err(|e| highs_error(format!("option threads: {e:?}")))?;
    for (name, value) in HIGHS_DEFAULTS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain(options.highs_options.iter().cloned())
    {
        set_highs_option(inner, &name, &value).map_err(|e| SolveError::InvalidOption {
            field: "highs_options",
            message: format!("{name}={value}: {e}"),
        })?;
    }
    Ok(())
}

#[cfg(feature = "highs")]
fn highs_error(message: String) -> SolveError {
    SolveError::Backend {
        backend: "highs",
        message,
    }
}

#[cfg(feature = "highs")]
fn solve_highs(
    model: &Model,
    warm: &[f64],
    time_limit: f64,
    options: &SolveOptions,
) -> Result<RawSolution, SolveError> {
    let mut inner = load_highs(model, time_limit, options)?;
    if !warm.is_empty() {
        inner.set_solution(Some(warm), None, None, None);
    }
    let watch = interrupt::Watch::new(time_limit, options.cancel.clone(), model.n_vars());
    interrupt::install(&mut inner, &watch).map_err(highs_error)?;
    let columns = model.n_vars();
    let finished = interrupt::run(inner, &watch, move |inner| {
        let solved = inner
            .try_solve()
            .map_err(|e| highs_error(format!("solve failed: {e:?}")))?;
        use highs::HighsModelStatus as S;
        let status = match solved.status() {
            S::Optimal => SolveStatus::Optimal,
            S::ReachedTimeLimit
            | S::ReachedIterationLimit
            | S::ReachedSolutionLimit
            | S::ReachedInterrupt
            | S::ReachedMemoryLimit => SolveStatus::TimeLimit,
            S::Infeasible => {
                return Err(SolveError::Infeasible("HiGHS proved it infeasible".into()))
            }
            other => return Err(highs_error(format!("unexpected model status {other:?}"))),
        };
        let best_bound = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite());
        let has_incumbent = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
        let values = solved.get_solution().columns().to_vec();
        Ok(RawSolution {
            status,
            values: (has_incumbent && values.len() == columns)
                .then(|| (solved.objective_value(), values)),
            best_bound,
        })
    });
    match finished {
        Some(result) => result,
        // HiGHS did not stop in time: the best it had reported.
        None => {
            let (values, best_bound) = watch.snapshot();
            Ok(RawSolution {
                status: SolveStatus::TimeLimit,
                values,
                best_bound,
            })
        }
    }
}

/// Sets a HiGHS option from text: booleans, integers and numbers are tried in that order.
#[cfg(feature = "highs")]
fn set_highs_option(model: &mut highs::Model, name: &str, value: &str) -> Result<(), String> {
    let result = match value {
        "true" => model.try_set_option(name, true),
        "false" => model.try_set_option(name, false),
        v => {
            if let Ok(i) = v.parse::<i32>() {
                model.try_set_option(name, i)
            } else if let Ok(f) = v.parse::<f64>() {
                model.try_set_option(name, f)
            } else {
                model.try_set_option(name, v)
            }
        }
    };
    result.map_err(|e| format!("{e:?}"))
}

#[cfg(not(feature = "highs"))]
fn solve_highs(
    _model: &Model,
    _warm: &[f64],
    _time_limit: f64,
    _options: &SolveOptions,
) -> Result<RawSolution, SolveError> {
    Err(SolveError::BackendUnavailable("highs"))
}
