//! What a solve is asked and what it answers: the backend, the options (time limit, gap,
//! weights, cancel flag, progress callback), the phases it reports, its errors, and the
//! summary and solution it returns.

use serde::{Deserialize, Serialize};

use super::time::Clock;
use crate::candidates::{Candidate, Weights};
use crate::model::InterpreterIdx;

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
    ///
    /// [`HIGHS_DEFAULTS`]: super::HIGHS_DEFAULTS
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
    ///
    /// [`candidates::estimate`]: crate::candidates::estimate
    #[serde(skip)]
    pub max_candidates: Option<u64>,
    /// Raised by another thread to stop the solve early: every phase, and both backends,
    /// look at it at least every quarter of a second, and the solve then ends with
    /// [`SolveError::Cancelled`] and no roster.
    #[serde(skip)]
    pub cancel: Option<CancelFlag>,
    /// When the time limit started counting: the start of the job or command, so that
    /// reading the input counts too. `None`: when [`solve`] is called.
    ///
    /// [`solve`]: super::solve
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
    /// A round of Gomory mixed-integer cuts (`milp::gomory`) added to the LP relaxation
    /// (HiGHS), and how many.
    GomoryCuts { round: usize, cuts: usize },
    /// A restricted MILP that re-plans the cases meeting on a window of days (horizon days
    /// `first` to `last`, from 1): before the fixing rounds when the bound is not the LP's
    /// optimum, and after a round whose proof is out of reach.
    Window {
        first: usize,
        last: usize,
        candidates: usize,
    },
    /// A restricted MILP that re-plans `cases` cases held late although they have an
    /// on-time option (or not held although they have an option), with the meetings in
    /// their way: one after each turn of windows.
    LateCases { cases: usize, candidates: usize },
    /// A MILP over this many candidates: the whole model, or a restricted one (HiGHS).
    Milp { round: usize, candidates: usize },
    /// microlp starts the MILP under way again, offered its best roster, with its rows in
    /// another order and, every other time, without the LP's cut rows (`attempt` from 2:
    /// the first attempt ran out of its share of time).
    Restart { attempt: usize },
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
            Phase::GomoryCuts { round, cuts } => {
                write!(f, "Gomory cuts, round {round} ({cuts} cuts added)")
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
            Phase::Restart { attempt } => {
                write!(f, "same MILP again, rows in another order (attempt {attempt})")
            }
            Phase::Window {
                first,
                last,
                candidates,
            } => write!(
                f,
                "re-planning days {first}-{last} ({candidates} candidates)"
            ),
            Phase::LateCases { cases, candidates } => write!(
                f,
                "re-planning {cases} cases held late and the meetings in their way ({candidates} candidates)"
            ),
        }
    }
}

impl Phase {
    /// The same phase over `n` candidates (a window's or late cases' MILP; others as they
    /// are).
    pub(crate) fn with_candidates(self, n: usize) -> Self {
        match self {
            Phase::Window { first, last, .. } => Phase::Window {
                first,
                last,
                candidates: n,
            },
            Phase::LateCases { cases, .. } => Phase::LateCases {
                cases,
                candidates: n,
            },
            other => other,
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
    /// Whether the solve was asked to stop ([`SolveOptions::cancel`]).
    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelFlag::is_cancelled)
    }

    /// Tells the progress callback, if any, that `phase` starts.
    pub(crate) fn report(&self, phase: Phase) {
        if let Some(progress) = &self.progress {
            (progress.0)(phase);
        }
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
    ///
    /// [`candidates::estimate`]: crate::candidates::estimate
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

pub(super) fn validate_options(options: &SolveOptions) -> Result<(), SolveError> {
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
    /// Cost of the greedy roster the solve started from (its warm start), in objective
    /// units. A lower `objective` means the solve improved on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_start_objective: Option<f64>,
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
