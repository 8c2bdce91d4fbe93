//! The solve pool: the solve slots (one permit per solve that may run at once, shared by
//! the workers and synchronous solves), the cancel flag and claim of each job solving now,
//! and the bell that wakes idle workers.
//!
//! The queue itself is the store's: workers claim queued jobs from it
//! ([`crate::api::store::JobStore::claim`]), so with a shared store every replica's
//! workers take from one queue. Admission counts the submitted jobs waiting in the store
//! plus the submissions being stored now: one that would exceed the queue length is refused
//! (503) before anything is stored, so nothing already queued is lost. With several
//! replicas the count is the database's, so the limit holds across them up to the
//! submissions racing in at the same moment.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use mediation_solver::milp::{CancelFlag, SolveError, SolveOptions};
use mediation_solver::model::Problem;
use mediation_solver::schedule::{schedule, Outcome};
use tokio::sync::{watch, Notify, Semaphore};
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

/// The solve slots, the admissions in flight, the running jobs and the workers' bell.
pub struct SolvePool {
    /// Submissions admitted and not yet stored.
    admitting: AtomicUsize,
    queue_len: usize,
    /// One permit per solve that may run at once (jobs and synchronous solves share them).
    pub slots: Arc<Semaphore>,
    pub max_concurrent: usize,
    pub solver: Arc<dyn RosterSolver>,
    shutdown: watch::Sender<bool>,
    /// Rung when claimable work may have appeared (a submission, a child finished, an
    /// announcement from another replica): idle workers try to claim at once.
    pub wake: Arc<Notify>,
    /// The cancel flag and claim token of each job solving now.
    running: std::sync::Mutex<HashMap<Uuid, (CancelFlag, Uuid)>>,
}

/// A place in the queue, held between admission and storing. Dropping it gives the place
/// back (the stored job then counts in the store's queue).
pub struct Admission<'a> {
    pool: &'a SolvePool,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.pool.admitting.fetch_sub(1, Ordering::SeqCst);
    }
}

impl SolvePool {
    pub fn new(max_concurrent: usize, queue_len: usize, solver: Arc<dyn RosterSolver>) -> Self {
        let max_concurrent = max_concurrent.max(1);
        SolvePool {
            admitting: AtomicUsize::new(0),
            queue_len,
            slots: Arc::new(Semaphore::new(max_concurrent)),
            max_concurrent,
            solver,
            shutdown: watch::channel(false).0,
            wake: Arc::new(Notify::new()),
            running: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Takes a place in the queue, given the submitted jobs waiting in the store now, or
    /// `None` when it is full.
    pub fn admit(&self, waiting: usize) -> Option<Admission<'_>> {
        self.admitting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (waiting + n < self.queue_len).then_some(n + 1)
            })
            .ok()
            .map(|_| Admission { pool: self })
    }

    pub fn queue_len(&self) -> usize {
        self.queue_len
    }

    /// Wakes every idle worker: claimable work may have appeared.
    pub fn ring(&self) {
        self.wake.notify_waiters();
    }

    /// Solves running now.
    pub fn running(&self) -> usize {
        self.max_concurrent - self.slots.available_permits()
    }

    /// Raises the cancel flag of a job solving now: its solve stops and frees its slot.
    pub fn interrupt(&self, id: Uuid) {
        if let Ok(running) = self.running.lock() {
            if let Some((flag, _)) = running.get(&id) {
                flag.cancel();
            }
        }
    }

    /// The jobs solving now and their claim tokens.
    pub fn running_jobs(&self) -> Vec<(Uuid, Uuid)> {
        self.running
            .lock()
            .map(|running| {
                running
                    .iter()
                    .map(|(id, (_, token))| (*id, *token))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Raises the cancel flag of every solve running now (at shutdown).
    pub fn interrupt_all(&self) {
        if let Ok(running) = self.running.lock() {
            running.values().for_each(|(flag, _)| flag.cancel());
        }
    }

    pub(super) fn register(&self, id: Uuid, token: Uuid) -> CancelFlag {
        let flag = CancelFlag::new();
        if let Ok(mut running) = self.running.lock() {
            running.insert(id, (flag.clone(), token));
        }
        flag
    }

    pub(super) fn unregister(&self, id: Uuid) {
        if let Ok(mut running) = self.running.lock() {
            running.remove(&id);
        }
    }

    /// Tells the workers to take no new job.
    pub fn stop(&self) {
        self.shutdown.send_replace(true);
    }

    pub(super) fn stopping(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}
