//! The solve pool: a bounded queue of job ids, worker tasks that each run one solve at a time
//! on tokio's blocking threads (never on the async executor), and the callbacks sent when a
//! job finishes.
//!
//! Admission counts the jobs waiting for a worker: a submission that would exceed the queue
//! length is refused (503) before anything is stored, so nothing already queued is lost. Jobs
//! re-queued at start bypass the limit: they were accepted before.
//!
//! Cancelling a solving job marks it cancelled at once and raises the solve's cancel flag.
//! HiGHS stops within moments and its best roster is kept with the cancelled job; microlp
//! cannot be interrupted, so its solve runs on and its result is discarded when it returns
//! ([`JobStore::finish`] only moves a solving job).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use mediation_solver::kpi::{kpis, Kpis};
use mediation_solver::milp::{Backend, CancelFlag, SolveError, SolveOptions, SolverSummary};
use mediation_solver::model::Problem;
use mediation_solver::replan::{self, Change, MeetingChange};
use mediation_solver::roster::Meeting;
use mediation_solver::roster::{CarriedOverCase, Reason, Roster, UnscheduledCase};
use mediation_solver::schedule::{schedule, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::{mpsc, watch, Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use utoipa::ToSchema;
use uuid::Uuid;

use super::body::job_problem;
use super::error::IssueView;
use super::store::{JobFailure, JobState, JobStore};
use super::AppState;

/// What solves a problem. The service uses [`MilpSolver`]; tests may wrap it to hold a solve
/// at a chosen moment.
pub trait RosterSolver: Send + Sync + 'static {
    fn solve(&self, problem: &Problem, options: &SolveOptions) -> Result<Outcome, SolveError>;
}

/// The solver crate's [`schedule`].
#[derive(Debug, Default, Clone, Copy)]
pub struct MilpSolver;

impl RosterSolver for MilpSolver {
    fn solve(&self, problem: &Problem, options: &SolveOptions) -> Result<Outcome, SolveError> {
        schedule(problem, options)
    }
}

/// A case held after its deadline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LateCase {
    pub case: String,
    pub date: NaiveDate,
    pub deadline: NaiveDate,
    pub days_late: i64,
    pub primary_reason: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
}

/// What a finished solve gives: the roster, the cases not held (with reasons), the late
/// ones, key figures and the solver summary. Stored as JSON and served as is.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterResult {
    /// Meetings, unscheduled and carried-over cases (the CLI's roster JSON).
    #[schema(value_type = Object)]
    pub roster: Roster,
    /// Cases due within the horizon and not held, each with its reasons.
    #[schema(value_type = Vec<Object>)]
    pub unscheduled: Vec<UnscheduledCase>,
    /// Cases due after the horizon and left for a later roster.
    #[schema(value_type = Vec<Object>)]
    pub carried_over: Vec<CarriedOverCase>,
    pub late: Vec<LateCase>,
    #[schema(value_type = Object)]
    pub kpis: Kpis,
    /// Status, objective, best bound, gap and times of the solve.
    #[schema(value_type = Object)]
    pub solver: SolverSummary,
    /// Cases the greedy repair placed or moved after an early-stopped solve.
    pub repaired: usize,
    pub warnings: Vec<IssueView>,
    /// For a submission with published meetings or changes: what changed, meeting by
    /// meeting (docs/replan.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replan: Option<ReplanView>,
}

impl RosterResult {
    pub fn new(
        problem: &Problem,
        mut outcome: Outcome,
        warnings: Vec<IssueView>,
        replan: Option<&replan::Prepared>,
    ) -> RosterResult {
        let replan = replan.map(|p| {
            let (kept, changes) = p.changes(&mut outcome);
            ReplanView { kept, changes }
        });
        let kpis = kpis(problem, &outcome.roster);
        let late = outcome
            .roster
            .meetings
            .iter()
            .filter_map(|m| {
                let d = m.details.as_ref().filter(|d| d.late)?;
                Some(LateCase {
                    case: m.case.clone(),
                    date: m.date,
                    deadline: d.deadline,
                    days_late: -d.days_of_margin,
                    primary_reason: d.late_primary_reason.clone(),
                    reasons: d.late_reasons.clone(),
                })
            })
            .collect();
        RosterResult {
            unscheduled: outcome.roster.unscheduled.clone(),
            carried_over: outcome.roster.carried_over.clone(),
            roster: outcome.roster,
            late,
            kpis,
            solver: outcome.solver,
            repaired: outcome.repaired,
            warnings,
            replan,
        }
    }
}

/// What a worker reads back from the store: the problem as submitted, the options, and for
/// a re-plan the published meetings and the changes.
#[derive(Serialize, Deserialize)]
pub struct StoredRequest {
    pub problem: Box<RawValue>,
    pub options: SolveOptions,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<Meeting>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// A what-if job: `problem` holds the what-if document (base inline) instead.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub what_if: bool,
}

/// What a re-plan changed: published meetings kept, and every move, drop and addition.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplanView {
    pub kept: usize,
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<MeetingChange>,
}

/// Runs a solve on a blocking thread, turning a panic into an error.
///
/// `slot` (a solver permit) is released when the solve ends, not when the caller stops
/// waiting: a request that times out does not free a slot its solve still uses.
pub async fn solve_blocking(
    solver: Arc<dyn RosterSolver>,
    problem: Problem,
    options: SolveOptions,
    warnings: Vec<IssueView>,
    slot: OwnedSemaphorePermit,
    replan: Option<replan::Prepared>,
) -> Result<(RosterResult, Duration), JobFailure> {
    let joined = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| solver.solve(&problem, &options)));
        let elapsed = started.elapsed();
        match outcome {
            Ok(Ok(outcome)) => Ok((
                RosterResult::new(&problem, outcome, warnings, replan.as_ref()),
                elapsed,
            )),
            Ok(Err(e)) => Err(JobFailure {
                code: "solve_failed".into(),
                message: e.to_string(),
            }),
            Err(_) => Err(JobFailure {
                code: "solver_panicked".into(),
                message: "the solver stopped on an internal error".into(),
            }),
        }
    })
    .await;
    joined.unwrap_or_else(|_| {
        Err(JobFailure {
            code: "solver_panicked".into(),
            message: "the solve task was lost".into(),
        })
    })
}

/// The queue, its admission counter and the solve slots.
pub struct SolvePool {
    tx: mpsc::UnboundedSender<Uuid>,
    rx: Mutex<mpsc::UnboundedReceiver<Uuid>>,
    /// Jobs sent and not yet taken by a worker.
    waiting: AtomicUsize,
    queue_len: usize,
    /// One permit per solve that may run at once (jobs and synchronous solves share them).
    pub slots: Arc<Semaphore>,
    pub max_concurrent: usize,
    pub solver: Arc<dyn RosterSolver>,
    shutdown: watch::Sender<bool>,
    /// The cancel flag of each job solving now.
    cancel_flags: std::sync::Mutex<HashMap<Uuid, CancelFlag>>,
}

/// A place in the queue, held between admission and enqueueing. Dropping it gives the place
/// back.
pub struct Admission<'a> {
    pool: &'a SolvePool,
    sent: bool,
}

impl Admission<'_> {
    pub fn enqueue(mut self, id: Uuid) {
        self.sent = true;
        // The receiver lives as long as the pool, so the send cannot fail while the pool
        // exists; if it did, the job stays queued in the store and is re-queued at start.
        if self.pool.tx.send(id).is_err() {
            self.pool.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if !self.sent {
            self.pool.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl SolvePool {
    pub fn new(max_concurrent: usize, queue_len: usize, solver: Arc<dyn RosterSolver>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let max_concurrent = max_concurrent.max(1);
        SolvePool {
            tx,
            rx: Mutex::new(rx),
            waiting: AtomicUsize::new(0),
            queue_len,
            slots: Arc::new(Semaphore::new(max_concurrent)),
            max_concurrent,
            solver,
            shutdown: watch::channel(false).0,
            cancel_flags: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Takes a place in the queue, or `None` when it is full.
    pub fn admit(&self) -> Option<Admission<'_>> {
        self.waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.queue_len).then_some(n + 1)
            })
            .ok()
            .map(|_| Admission {
                pool: self,
                sent: false,
            })
    }

    /// Queues a job accepted earlier (re-queued at start), past the admission limit.
    pub fn requeue(&self, id: Uuid) {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        if self.tx.send(id).is_err() {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }

    pub fn depth(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    pub fn queue_len(&self) -> usize {
        self.queue_len
    }

    pub fn is_full(&self) -> bool {
        self.depth() >= self.queue_len
    }

    /// Solves running now.
    pub fn running(&self) -> usize {
        self.max_concurrent - self.slots.available_permits()
    }

    /// Raises the cancel flag of a job solving now. Backends that can be interrupted (HiGHS)
    /// stop and return their best roster; microlp finishes its solve regardless.
    pub fn interrupt(&self, id: Uuid) {
        if let Ok(flags) = self.cancel_flags.lock() {
            if let Some(flag) = flags.get(&id) {
                flag.cancel();
            }
        }
    }

    /// Raises the cancel flag of every solve running now (at shutdown).
    pub fn interrupt_all(&self) {
        if let Ok(flags) = self.cancel_flags.lock() {
            flags.values().for_each(CancelFlag::cancel);
        }
    }

    fn register(&self, id: Uuid) -> CancelFlag {
        let flag = CancelFlag::new();
        if let Ok(mut flags) = self.cancel_flags.lock() {
            flags.insert(id, flag.clone());
        }
        flag
    }

    fn unregister(&self, id: Uuid) {
        if let Ok(mut flags) = self.cancel_flags.lock() {
            flags.remove(&id);
        }
    }

    /// Tells the workers to take no new job.
    pub fn stop(&self) {
        self.shutdown.send_replace(true);
    }

    fn stopping(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    async fn next_job(&self) -> Option<Uuid> {
        let id = self.rx.lock().await.recv().await?;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        Some(id)
    }
}

/// Starts one worker per solve slot.
pub fn start_workers(state: &AppState) -> Vec<JoinHandle<()>> {
    (0..state.pool.max_concurrent)
        .map(|_| tokio::spawn(worker(state.clone())))
        .collect()
}

async fn worker(state: AppState) {
    let mut stopping = state.pool.stopping();
    loop {
        if *stopping.borrow() {
            return;
        }
        let id = tokio::select! {
            _ = stopping.changed() => return,
            id = state.pool.next_job() => match id {
                Some(id) => id,
                None => return,
            },
        };
        let permit = tokio::select! {
            // The job stays queued in the store and is re-queued at the next start.
            _ = stopping.changed() => return,
            permit = state.pool.slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
        };
        run_job(&state, id, permit).await;
    }
}

/// Solves one job and records its outcome, unless it was cancelled meanwhile.
async fn run_job(state: &AppState, id: Uuid, slot: OwnedSemaphorePermit) {
    let store = state.store.clone();
    let started = store_call(&state.store, move |s| {
        Ok(match s.get(id)? {
            Some(record) if s.start(id, Utc::now())? => Some(record),
            _ => None,
        })
    })
    .await;
    let record = match started {
        Ok(Some(record)) => record,
        Ok(None) => return, // cancelled (or expired) while queued
        Err(e) => {
            tracing::error!(job = %id, error = %e, "cannot start job");
            return;
        }
    };
    tracing::info!(job = %id, "solve started");
    let (state_after, result, failure, interrupted) = if is_what_if(&record.request) {
        match run_what_if(&record.request, slot).await {
            Ok(text) => (JobState::Done, Some(text), None, false),
            Err(failure) => (JobState::Failed, None, Some(failure), false),
        }
    } else {
        solve_roster_job(state, id, &record.request, slot).await
    };
    let finished = store_call(&store, move |s| {
        s.finish(
            id,
            state_after,
            Utc::now(),
            result.as_deref(),
            failure.as_ref(),
        )
    })
    .await;
    match finished {
        Ok(true) => {
            tracing::info!(job = %id, state = state_after.as_str(), "solve finished");
            if let Some(url) = record.status.callback_url {
                spawn_callback(state, id, state_after, url);
            }
        }
        Ok(false) if interrupted => {
            tracing::info!(job = %id, "job was cancelled while solving; it keeps its roster so far")
        }
        Ok(false) => tracing::info!(job = %id, "job was cancelled while solving; result discarded"),
        Err(e) => tracing::error!(job = %id, error = %e, "cannot record the job's outcome"),
    }
}

/// A roster job's solve: the state it ends in, its result or failure, and whether a cancel
/// interrupted it with a roster to keep (HiGHS).
async fn solve_roster_job(
    state: &AppState,
    id: Uuid,
    request: &str,
    slot: OwnedSemaphorePermit,
) -> (JobState, Option<String>, Option<JobFailure>, bool) {
    let outcome = match prepare(request) {
        Ok((problem, mut options, warnings, replan)) => {
            options.cancel = Some(state.pool.register(id));
            let solver = state.pool.solver.clone();
            let solved = solve_blocking(solver, problem, options, warnings, slot, replan).await;
            state.pool.unregister(id);
            solved
        }
        Err(failure) => Err(failure),
    };
    // A cancelled job keeps the roster of a solve its cancel interrupted (HiGHS); the
    // result of one that ran to its end regardless (microlp) is discarded.
    let interrupted = matches!(&outcome, Ok((r, _)) if r.solver.backend == Backend::Highs);
    let (state_after, result, failure) = match outcome {
        Ok((result, elapsed)) => {
            state
                .metrics
                .observe_solve(elapsed, result.solver.relative_gap);
            match serde_json::to_string(&result) {
                Ok(text) => (JobState::Done, Some(text), None),
                Err(e) => (
                    JobState::Failed,
                    None,
                    Some(JobFailure {
                        code: "internal".into(),
                        message: format!("cannot store the result: {e}"),
                    }),
                ),
            }
        }
        Err(failure) => (JobState::Failed, None, Some(failure)),
    };
    (state_after, result, failure, interrupted)
}

fn is_what_if(request: &str) -> bool {
    serde_json::from_str::<StoredRequest>(request).is_ok_and(|r| r.what_if)
}

/// Runs a what-if job's scenarios (in parallel, on a blocking thread holding the solver
/// slot) and returns its report as JSON.
async fn run_what_if(request: &str, slot: OwnedSemaphorePermit) -> Result<String, JobFailure> {
    let stored: StoredRequest = serde_json::from_str(request).map_err(|e| JobFailure {
        code: "internal".into(),
        message: format!("stored request unreadable: {e}"),
    })?;
    let joined = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let plan = super::whatif::parse_plan(stored.problem.get()).map_err(|e| JobFailure {
            code: "invalid_what_if".into(),
            message: e,
        })?;
        let report = catch_unwind(AssertUnwindSafe(|| {
            mediation_solver::whatif::run(&plan, &stored.options, true)
        }))
        .map_err(|_| JobFailure {
            code: "solver_panicked".into(),
            message: "the solver stopped on an internal error".into(),
        })?
        .map_err(|e| JobFailure {
            code: "solve_failed".into(),
            message: e.to_string(),
        })?;
        serde_json::to_string(&report).map_err(|e| JobFailure {
            code: "internal".into(),
            message: format!("cannot store the result: {e}"),
        })
    })
    .await;
    joined.unwrap_or_else(|_| {
        Err(JobFailure {
            code: "solver_panicked".into(),
            message: "the what-if task was lost".into(),
        })
    })
}

/// Re-reads a stored request. It was validated when accepted, so a failure here means the
/// solver crate's rules changed since; the job fails with the reason.
type Prepared = (
    Problem,
    SolveOptions,
    Vec<IssueView>,
    Option<replan::Prepared>,
);

fn prepare(request: &str) -> Result<Prepared, JobFailure> {
    let stored: StoredRequest = serde_json::from_str(request).map_err(|e| JobFailure {
        code: "internal".into(),
        message: format!("stored request unreadable: {e}"),
    })?;
    let (validated, replan) = job_problem(&stored.problem, &stored.published, &stored.changes)
        .map_err(|e| JobFailure {
            code: "invalid_problem".into(),
            message: e.to_string(),
        })?;
    let warnings = validated
        .warnings
        .iter()
        .map(|i| IssueView::of(i, "/problem"))
        .collect();
    Ok((validated.problem, stored.options, warnings, replan))
}

/// Runs a store call on a blocking thread.
pub async fn store_call<T, F>(
    store: &Arc<dyn JobStore>,
    f: F,
) -> Result<T, super::store::StoreError>
where
    T: Send + 'static,
    F: FnOnce(&dyn JobStore) -> Result<T, super::store::StoreError> + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .unwrap_or_else(|_| Err(super::store::StoreError::Poisoned))
}

/// The body POSTed to a job's callback URL.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CallbackBody {
    pub id: Uuid,
    pub state: JobState,
}

/// POSTs `{id, state}` to `url`, retrying with doubling waits on failure or a non-2xx answer.
pub fn spawn_callback(state: &AppState, id: Uuid, job_state: JobState, url: String) {
    let client = state.http.clone();
    let attempts = state.config.callback_attempts.max(1);
    let mut wait = state.config.callback_backoff;
    tokio::spawn(async move {
        let body = CallbackBody {
            id,
            state: job_state,
        };
        for attempt in 1..=attempts {
            match client.post(&url).json(&body).send().await {
                Ok(r) if r.status().is_success() => {
                    tracing::info!(job = %id, attempt, "callback delivered");
                    return;
                }
                Ok(r) => {
                    tracing::warn!(job = %id, attempt, status = %r.status(), "callback refused")
                }
                Err(e) => tracing::warn!(job = %id, attempt, error = %e, "callback failed"),
            }
            if attempt < attempts {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
        tracing::warn!(job = %id, "callback abandoned after {attempts} attempt(s)");
    });
}
