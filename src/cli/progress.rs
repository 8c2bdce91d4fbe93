//! Progress on standard error while a solve runs: on a terminal, a spinner with the current
//! phase of the solve and the elapsed seconds; with `--progress`, also one line per phase
//! (which is what a log or a redirected run keeps).
//!
//! Without a terminal and without `--progress`, nothing is printed: test logs stay clean.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use mediation_solver::milp::{Phase, Progress, SolveOptions};

const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
const TICK: Duration = Duration::from_millis(200);

/// Runs `work` with `options`, to which a progress callback is attached when anything is to
/// be shown. `lines` prints each phase as it starts, with the elapsed time.
pub fn with_progress<T: Send>(
    label: &str,
    lines: bool,
    mut options: SolveOptions,
    work: impl FnOnce(&SolveOptions) -> T + Send,
) -> T {
    let terminal = io::stderr().is_terminal();
    let started = Instant::now();
    let current: Arc<Mutex<Option<Phase>>> = Arc::default();
    if terminal || lines {
        let shown = Arc::clone(&current);
        options.progress = Some(Progress::new(move |phase| {
            if lines {
                let clear = if terminal { "\r\x1b[2K" } else { "" };
                let _ = writeln!(
                    io::stderr().lock(),
                    "{clear}[{:>6.1} s] {phase}",
                    started.elapsed().as_secs_f64()
                );
            }
            if let Ok(mut now) = shown.lock() {
                *now = Some(phase);
            }
        }));
    }
    if !terminal {
        return work(&options);
    }
    thread::scope(|scope| {
        let (done, finished) = mpsc::channel::<()>();
        let options = &options;
        let worker = scope.spawn(move || {
            let result = work(options);
            let _ = done.send(());
            result
        });
        let mut frame = 0;
        while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(TICK) {
            let phase = current
                .lock()
                .ok()
                .and_then(|p| *p)
                .map(|p| format!(": {p}"))
                .unwrap_or_default();
            let mut err = io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K{} {label}{phase} {:.1} s",
                FRAMES[frame % FRAMES.len()],
                started.elapsed().as_secs_f64()
            );
            let _ = err.flush();
            frame += 1;
        }
        if frame > 0 {
            // Clear the spinner line.
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
        }
        match worker.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
