//! The solve pool: a bounded queue of job ids, worker tasks that each run one solve at a time
//! on tokio's blocking threads (never on the async executor), and the callbacks sent when a
//! job finishes.
//!
//! Admission counts the jobs waiting for a worker: a submission that would exceed the queue
//! length is refused (503) before anything is stored, so nothing already queued is lost. Jobs
//! re-queued at start bypass the limit: they were accepted before.
//!
//! Cancelling a solving job marks it cancelled at once and raises the solve's cancel flag:
//! every phase of a solve, and both backends, look at it at least every quarter of a second,
//! and a cancelled solve returns no roster. Whatever a solve returns after its job was
//! cancelled is discarded ([`JobStore::finish`] only moves a solving job), so a cancelled
//! job never has a result.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use mediation_solver::kpi::{kpis, Kpis};
use mediation_solver::milp::{CancelFlag, Clock, SolveError, SolveOptions, SolverSummary};
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
                code: failure_code(&e).into(),
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

    /// Raises the cancel flag of a job solving now: its solve stops and frees its slot.
    pub fn interrupt(&self, id: Uuid) {
        if let Ok(flags) = self.cancel_flags.lock() {
            if let Some(flag) = flags.get(&id) {
                flag.cancel();
            }
        }
    }

    /// The jobs solving now (each registered its cancel flag when it started).
    pub fn running_jobs(&self) -> Vec<Uuid> {
        self.cancel_flags
            .lock()
            .map(|flags| flags.keys().copied().collect())
            .unwrap_or_default()
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
    // Registered for every job, so that shutdown knows which jobs are running.
    let cancel = state.pool.register(id);
    let (state_after, result, failure) = if is_what_if(&record.request) {
        match run_what_if(&record.request, cancel, slot).await {
            Ok(text) => (JobState::Done, Some(text), None),
            Err(failure) => (JobState::Failed, None, Some(failure)),
        }
    } else {
        solve_roster_job(state, cancel, &record.request, slot).await
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
    state.pool.unregister(id);
    match finished {
        Ok(true) => {
            tracing::info!(job = %id, state = state_after.as_str(), "solve finished");
            if let Some(url) = record.status.callback_url {
                spawn_callback(state, id, state_after, url);
            }
        }
        Ok(false) => tracing::info!(job = %id, "job was cancelled while solving; result discarded"),
        Err(e) => tracing::error!(job = %id, error = %e, "cannot record the job's outcome"),
    }
}

/// The stable code of a failed solve: `solve_failed` as before for a backend's failure;
/// the solver's own code when the solve stopped on a limit before any roster existed
/// (`time_limit_before_roster`, `cancelled`, `memory_budget`, `problem_too_large`).
fn failure_code(e: &mediation_solver::milp::SolveError) -> &'static str {
    use mediation_solver::milp::SolveError::*;
    match e {
        Cancelled { .. } | TimeLimitBeforeRoster { .. } | TooLarge { .. } | MemoryBudget { .. } => {
            e.code()
        }
        _ => "solve_failed",
    }
}

/// A roster job's solve: the state it ends in, and its result or failure.
async fn solve_roster_job(
    state: &AppState,
    cancel: CancelFlag,
    request: &str,
    slot: OwnedSemaphorePermit,
) -> (JobState, Option<String>, Option<JobFailure>) {
    // The time limit counts from the dequeue: reading the stored request is part of it.
    let started = Clock::now();
    let outcome = match prepare(request) {
        Ok((problem, mut options, warnings, replan)) => {
            options.cancel = Some(cancel);
            options.started = Some(started);
            options.max_candidates = state.config.max_candidates;
            let solver = state.pool.solver.clone();
            solve_blocking(solver, problem, options, warnings, slot, replan).await
        }
        Err(failure) => Err(failure),
    };
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
    (state_after, result, failure)
}

fn is_what_if(request: &str) -> bool {
    serde_json::from_str::<StoredRequest>(request).is_ok_and(|r| r.what_if)
}

/// Runs a what-if job's scenarios (in parallel, on a blocking thread holding the solver
/// slot) and returns its report as JSON.
async fn run_what_if(
    request: &str,
    cancel: CancelFlag,
    slot: OwnedSemaphorePermit,
) -> Result<String, JobFailure> {
    let mut stored: StoredRequest = serde_json::from_str(request).map_err(|e| JobFailure {
        code: "internal".into(),
        message: format!("stored request unreadable: {e}"),
    })?;
    stored.options.cancel = Some(cancel);
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
            code: match &e {
                mediation_solver::whatif::WhatIfError::Solve { source, .. } => failure_code(source),
                _ => "solve_failed",
            }
            .into(),
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

/// One entry of the callback allow-list (`MEDIATION_CALLBACK_HOSTS`): a host name, an IP
/// address or a CIDR block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowEntry {
    Host(String),
    Ip(IpAddr),
    Cidr { net: IpAddr, prefix: u8 },
}

impl AllowEntry {
    /// Parses one entry; a text with `/` must be a CIDR block (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse(text: &str) -> Result<AllowEntry, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty entry".into());
        }
        if let Some((net, prefix)) = text.split_once('/') {
            let net: IpAddr = net
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| format!("`{text}`: `{net}` is not an IP address"))?;
            let max = if net.is_ipv4() { 32 } else { 128 };
            let prefix: u8 = prefix
                .parse()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: the prefix length must be 0 to {max}"))?;
            return Ok(AllowEntry::Cidr { net, prefix });
        }
        let bare = text.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(AllowEntry::Ip(ip));
        }
        if text.contains([':', ' ', '@', '?', '#']) {
            return Err(format!(
                "`{text}` is neither a host name, an IP address nor a CIDR block"
            ));
        }
        Ok(AllowEntry::Host(text.to_ascii_lowercase()))
    }

    /// Whether this IP or CIDR entry covers `ip` (a host name entry covers no address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match *self {
            AllowEntry::Host(_) => false,
            AllowEntry::Ip(listed) => canonical(listed) == ip,
            AllowEntry::Cidr { net, prefix } => match (canonical(net), ip) {
                (IpAddr::V4(net), IpAddr::V4(ip)) => {
                    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                    u32::from(net) & mask == u32::from(ip) & mask
                }
                (IpAddr::V6(net), IpAddr::V6(ip)) => {
                    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                    u128::from(net) & mask == u128::from(ip) & mask
                }
                _ => false,
            },
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Why an address is not a public one (loopback, private, link-local and the like), or
/// `None` for a public address.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                Some("loopback")
            } else if v4.is_private() {
                Some("private")
            } else if v4.is_link_local() {
                Some("link-local")
            } else if v4.is_unspecified() || a == 0 {
                Some("unspecified")
            } else if a == 100 && (64..128).contains(&b) {
                Some("shared (carrier-grade NAT)")
            } else if v4.is_broadcast() || v4.is_multicast() {
                Some("broadcast or multicast")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if first & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if first & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if v6.is_multicast() {
                Some("multicast")
            } else {
                None
            }
        }
    }
}

/// Whether the URL's host (a name or an IP literal) is on the allow-list.
pub fn host_on_allow_list(host: &str, list: &[String]) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let entries = list.iter().filter_map(|e| AllowEntry::parse(e).ok());
    match bare.parse::<IpAddr>() {
        Ok(ip) => entries
            .into_iter()
            .any(|e| e.contains(ip) || e == AllowEntry::Host(bare.to_ascii_lowercase())),
        Err(_) => entries
            .into_iter()
            .any(|e| matches!(e, AllowEntry::Host(h) if h.eq_ignore_ascii_case(bare))),
    }
}

/// Where a callback may be sent now: the URL's host, and the addresses it resolves to that
/// pass the checks. Checked at delivery (not only at submission): the allow-list may have
/// changed since, and a name may resolve elsewhere.
async fn callback_target(url: &str, list: &[String]) -> Result<(String, Vec<SocketAddr>), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("scheme `{}` is not http(s)", parsed.scheme()));
    }
    let host = parsed
        .host_str()
        .ok_or("the URL has no host")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed
        .port_or_known_default()
        .ok_or("the URL has no port")?;
    if !host_on_allow_list(&host, list) {
        return Err(format!(
            "host `{host}` is not on the callback allow-list (MEDIATION_CALLBACK_HOSTS)"
        ));
    }
    let resolved: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => {
            let lookup = tokio::net::lookup_host((host.as_str(), port));
            match tokio::time::timeout(Duration::from_secs(5), lookup).await {
                Ok(Ok(addrs)) => addrs.collect(),
                Ok(Err(e)) => return Err(format!("`{host}` does not resolve: {e}")),
                Err(_) => return Err(format!("`{host}` did not resolve within 5 s")),
            }
        }
    };
    let entries: Vec<AllowEntry> = list
        .iter()
        .filter_map(|e| AllowEntry::parse(e).ok())
        .collect();
    let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = resolved
        .into_iter()
        .partition(|a| non_public(a.ip()).is_none() || entries.iter().any(|e| e.contains(a.ip())));
    if allowed.is_empty() {
        let why: Vec<String> = refused
            .iter()
            .map(|a| format!("{} ({})", a.ip(), non_public(a.ip()).unwrap_or("public")))
            .collect();
        return Err(if why.is_empty() {
            format!("`{host}` resolves to no address")
        } else {
            format!(
                "`{host}` resolves to {}, not allowed unless that address or a CIDR block \
                 containing it is on MEDIATION_CALLBACK_HOSTS",
                why.join(", ")
            )
        });
    }
    Ok((host, allowed))
}

/// POSTs `{id, state}` to `url`, retrying with doubling waits on failure or a non-2xx answer.
/// The allow-list and the resolved addresses are checked first; the connection goes only
/// to an address that passed (no second resolution). What became of it is recorded on the
/// job ([`super::store::JobStatus::callback`]).
pub fn spawn_callback(state: &AppState, id: Uuid, job_state: JobState, url: String) {
    let config = state.config.clone();
    let store = state.store.clone();
    tokio::spawn(async move {
        let outcome = deliver_callback(&config, id, job_state, &url).await;
        let recorded = outcome.clone();
        if let Err(e) = store_call(&store, move |s| s.set_callback_outcome(id, &recorded)).await {
            tracing::warn!(job = %id, error = %e, "cannot record the callback's outcome");
        }
    });
}

async fn deliver_callback(
    config: &super::Config,
    id: Uuid,
    job_state: JobState,
    url: &str,
) -> String {
    let (host, addrs) = match callback_target(url, &config.callback_hosts).await {
        Ok(target) => target,
        Err(reason) => {
            tracing::warn!(job = %id, reason = %reason, "callback refused at delivery");
            return format!("refused: {reason}");
        }
    };
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .build()
    {
        Ok(client) => client,
        Err(e) => return format!("failed: cannot build the HTTP client: {e}"),
    };
    let attempts = config.callback_attempts.max(1);
    let mut wait = config.callback_backoff;
    let body = CallbackBody {
        id,
        state: job_state,
    };
    let mut last = String::new();
    for attempt in 1..=attempts {
        match client.post(url).json(&body).send().await {
            Ok(r) if r.status().is_success() => {
                tracing::info!(job = %id, attempt, "callback delivered");
                return "delivered".into();
            }
            Ok(r) => {
                tracing::warn!(job = %id, attempt, status = %r.status(), "callback refused");
                last = format!("answered {}", r.status());
            }
            Err(e) => {
                tracing::warn!(job = %id, attempt, error = %e, "callback failed");
                last = e.to_string();
            }
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    tracing::warn!(job = %id, "callback abandoned after {attempts} attempt(s)");
    format!("failed: {last} (after {attempts} attempt(s))")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_entries_are_names_ips_and_cidr_blocks() {
        assert_eq!(
            AllowEntry::parse("Hooks.Example.org"),
            Ok(AllowEntry::Host("hooks.example.org".into()))
        );
        assert!(AllowEntry::parse("127.0.0.1")
            .unwrap()
            .contains("127.0.0.1".parse().unwrap()));
        let block = AllowEntry::parse("10.1.0.0/16").unwrap();
        assert!(block.contains("10.1.200.3".parse().unwrap()));
        assert!(!block.contains("10.2.0.1".parse().unwrap()));
        assert!(block.contains("::ffff:10.1.0.9".parse().unwrap()));
        let v6 = AllowEntry::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(AllowEntry::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "a b", ""] {
            assert!(AllowEntry::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_private_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(non_public(ip.parse().unwrap()).is_some(), "{ip}");
        }
        assert_eq!(non_public("93.184.216.34".parse().unwrap()), None);
        assert_eq!(non_public("2606:4700::1".parse().unwrap()), None);
    }

    #[test]
    fn the_host_must_be_listed_by_name_or_by_address() {
        let list = vec!["hooks.example.org".to_string(), "10.0.0.0/8".to_string()];
        assert!(host_on_allow_list("HOOKS.example.org", &list));
        assert!(host_on_allow_list("10.9.8.7", &list));
        assert!(!host_on_allow_list("example.org", &list));
        assert!(!host_on_allow_list("127.0.0.1", &list));
    }

    #[tokio::test]
    async fn a_listed_name_resolving_to_loopback_is_refused() {
        let list = vec!["localhost".to_string()];
        let err = callback_target("http://localhost:9/hook", &list)
            .await
            .unwrap_err();
        assert!(err.contains("loopback"), "{err}");
        let list = vec!["localhost".to_string(), "127.0.0.0/8".to_string()];
        let (_, addrs) = callback_target("http://localhost:9/hook", &list)
            .await
            .unwrap();
        assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.is_ipv4()));
    }
}
