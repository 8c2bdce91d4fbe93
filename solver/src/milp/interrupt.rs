//! Keeps HiGHS to its deadline and lets another thread stop it.
//!
//! HiGHS checks its own `time_limit` only between some phases: on the 600-case week one root
//! cut round ran for a minute past it. Its interrupt callbacks are polled more often, so the
//! deadline (and the caller's cancel flag) is checked there too. Even they are not polled
//! inside every separator, so the MILP runs on a worker thread: at the deadline (plus a short
//! grace) the caller takes the best roster and bound the callbacks have seen and returns,
//! while the worker stops at HiGHS' next check and frees its model.

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use highs_sys::{
    kHighsCallbackIpmInterrupt, kHighsCallbackMipImprovingSolution, kHighsCallbackMipInterrupt,
    kHighsCallbackSimplexInterrupt, HighsCallbackDataIn, HighsCallbackDataOut, Highs_setCallback,
    Highs_startCallback,
};

use super::time::{Clock, Deadline, Stall};
use super::CancelFlag;

/// How long past the deadline the caller waits for HiGHS to stop by itself.
const GRACE: Duration = Duration::from_millis(300);

/// What the callbacks watch and record while HiGHS runs.
pub(super) struct Watch {
    deadline: Deadline,
    cancel: Option<CancelFlag>,
    /// Raised when the caller has stopped waiting.
    abandoned: AtomicBool,
    /// The best roster HiGHS has reported: objective and column values.
    incumbent: Mutex<Option<(f64, Vec<f64>)>>,
    /// The best bound HiGHS has reported.
    bound: Mutex<Option<f64>>,
    columns: usize,
    /// When the allocator last gave freed memory back ([`trim`]).
    trimmed: Mutex<Clock>,
    /// Whether the search still finds better rosters, when it is to stop once it does not.
    stall: Option<Mutex<Stall>>,
}

impl Watch {
    pub fn new(
        deadline: Deadline,
        cancel: Option<CancelFlag>,
        columns: usize,
        stall: Option<Duration>,
    ) -> Arc<Self> {
        Arc::new(Self {
            deadline,
            cancel,
            abandoned: AtomicBool::new(false),
            incumbent: Mutex::new(None),
            bound: Mutex::new(None),
            columns,
            trimmed: Mutex::new(Clock::now()),
            stall: stall.map(|min| Mutex::new(Stall::new(min))),
        })
    }

    fn reached(&self) -> bool {
        self.deadline.passed()
            || self.abandoned.load(Ordering::Relaxed)
            || self.cancel.as_ref().is_some_and(CancelFlag::is_cancelled)
            || self
                .stall
                .as_ref()
                .is_some_and(|s| s.lock().is_ok_and(|s| s.stalled()))
    }

    /// The best roster and bound seen so far.
    pub fn snapshot(&self) -> (Option<(f64, Vec<f64>)>, Option<f64>) {
        let incumbent = self.incumbent.lock().map(|g| g.clone()).unwrap_or(None);
        let bound = self.bound.lock().map(|g| *g).unwrap_or(None);
        (incumbent, bound)
    }
}

unsafe extern "C" fn on_callback(
    kind: c_int,
    _message: *const c_char,
    data_out: *const HighsCallbackDataOut,
    data_in: *mut HighsCallbackDataIn,
    user: *mut c_void,
) {
    // SAFETY: `user` is the `Watch` registered by `install`; the worker thread holds an
    // `Arc` of it for as long as HiGHS can call back.
    let watch = unsafe { &*(user as *const Watch) };
    // SAFETY: HiGHS passes valid (or null) pointers to its own blocks for this call.
    if let Some(out) = unsafe { data_out.as_ref() } {
        if kind == kHighsCallbackMipInterrupt && out.mip_node_count > 0 {
            if let Some(Ok(mut stall)) = watch.stall.as_ref().map(Mutex::lock) {
                stall.searching();
            }
        }
        if kind == kHighsCallbackMipInterrupt && out.mip_dual_bound.is_finite() {
            if let Ok(mut b) = watch.bound.lock() {
                *b = Some(out.mip_dual_bound);
            }
        }
        let size = usize::try_from(out.mip_solution_size).unwrap_or(0);
        if kind == kHighsCallbackMipImprovingSolution
            && !out.mip_solution.is_null()
            && size == watch.columns
        {
            // SAFETY: HiGHS gives `mip_solution_size` values at `mip_solution`.
            let values = unsafe { std::slice::from_raw_parts(out.mip_solution, size) };
            if let Ok(mut inc) = watch.incumbent.lock() {
                *inc = Some((out.objective_function_value, values.to_vec()));
            }
            if let Some(Ok(mut stall)) = watch.stall.as_ref().map(Mutex::lock) {
                stall.improved();
            }
        }
    }
    if kind == kHighsCallbackMipInterrupt {
        if let Ok(mut last) = watch.trimmed.try_lock() {
            if last.elapsed() >= TRIM_EVERY {
                trim();
                *last = Clock::now();
            }
        }
    }
    if watch.reached() {
        // SAFETY: as above.
        if let Some(input) = unsafe { data_in.as_mut() } {
            input.user_interrupt = 1;
        }
    }
}

/// How often a running MILP gives freed memory back to the system.
const TRIM_EVERY: Duration = Duration::from_secs(1);

/// Gives the memory HiGHS has freed back to the system. glibc keeps freed blocks in its
/// arenas (one for each thread HiGHS ran on), so a MILP's resident memory only grows while
/// its root node separates cuts, though most of what it allocates is soon freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: `malloc_trim` only returns free pages of glibc's heaps to the system; it takes
    // the allocator's own locks and touches no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

/// Registers `watch` with the model's interrupt and improving-solution callbacks.
pub(super) fn install(model: &mut highs::Model, watch: &Arc<Watch>) -> Result<(), String> {
    let highs = model.as_mut_ptr();
    let user = Arc::as_ptr(watch) as *mut c_void;
    // SAFETY: `highs` is the live instance owned by `model`; the callback only reads and
    // locks `Watch`, which outlives every call (see `on_callback`).
    unsafe {
        if Highs_setCallback(highs, Some(on_callback), user) != 0 {
            return Err("could not set the interrupt callback".into());
        }
        for kind in [
            kHighsCallbackSimplexInterrupt,
            kHighsCallbackIpmInterrupt,
            kHighsCallbackMipInterrupt,
            kHighsCallbackMipImprovingSolution,
        ] {
            if Highs_startCallback(highs, kind) != 0 {
                return Err(format!("could not start HiGHS callback {kind}"));
            }
        }
    }
    Ok(())
}

/// A HiGHS model moved to the worker thread. The binding does not mark it `Send` because it
/// holds a raw pointer; the instance is used by one thread at a time (this one, after the
/// move), which is all HiGHS asks.
struct Moved(highs::Model);

// SAFETY: see `Moved`: ownership moves whole to the worker; nothing else keeps the pointer
// except the callbacks, which run on the worker.
unsafe impl Send for Moved {}

/// Runs `solve` on `model` in a worker thread and waits until it returns or the deadline
/// (plus [`GRACE`]) passes. `None` means the caller stopped waiting: take
/// [`Watch::snapshot`].
pub(super) fn run<T: Send + 'static>(
    model: highs::Model,
    watch: &Arc<Watch>,
    solve: impl FnOnce(highs::Model) -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    let keep = Arc::clone(watch);
    let moved = Moved(model);
    let spawned = std::thread::Builder::new()
        .name("highs".into())
        .spawn(move || {
            let moved = moved;
            let result = solve(moved.0);
            // HiGHS is gone: what it freed goes back before the next model is built.
            trim();
            drop(keep);
            let _ = tx.send(result);
        });
    if spawned.is_err() {
        return None;
    }
    let wait = watch.deadline.left().saturating_add(GRACE);
    match rx.recv_timeout(wait) {
        Ok(result) => Some(result),
        Err(_) => {
            watch.abandoned.store(true, Ordering::Relaxed);
            None
        }
    }
}
