//! The solve pool: a bounded queue of job ids, the solve slots (one permit per solve that
//! may run at once, shared by queued jobs and synchronous solves) and the cancel flag of
//! each job solving now.
//!
//! Admission counts the jobs waiting for a worker: a submission that would exceed the queue
//! length is refused (503) before anything is stored, so nothing already queued is lost. Jobs
//! re-queued at start bypass the limit: they were accepted before.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use mediation_solver::milp::{CancelFlag, SolveError, SolveOptions};
use mediation_solver::model::Problem;
use mediation_solver::schedule::{schedule, Outcome};
use tokio::sync::{mpsc, watch, Mutex, Semaphore};
use uuid::Uuid;

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

    pub(super) fn register(&self, id: Uuid) -> CancelFlag {
        let flag = CancelFlag::new();
        if let Ok(mut flags) = self.cancel_flags.lock() {
            flags.insert(id, flag.clone());
        }
        flag
    }

    pub(super) fn unregister(&self, id: Uuid) {
        if let Ok(mut flags) = self.cancel_flags.lock() {
            flags.remove(&id);
        }
    }

    /// Tells the workers to take no new job.
    pub fn stop(&self) {
        self.shutdown.send_replace(true);
    }

    pub(super) fn stopping(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub(super) async fn next_job(&self) -> Option<Uuid> {
        let id = self.rx.lock().await.recv().await?;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        Some(id)
    }
}
