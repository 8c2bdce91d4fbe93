//! A spinner with the elapsed seconds on standard error while a long computation runs.
//!
//! Only when standard error is a terminal: redirected output and test logs stay clean.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
const TICK: Duration = Duration::from_millis(200);

/// Runs `work` on a worker thread, redrawing `label` and the elapsed time every 200 ms.
pub fn with_spinner<T: Send>(label: &str, work: impl FnOnce() -> T + Send) -> T {
    if !io::stderr().is_terminal() {
        return work();
    }
    thread::scope(|scope| {
        let (done, finished) = mpsc::channel::<()>();
        let worker = scope.spawn(move || {
            let result = work();
            let _ = done.send(());
            result
        });
        let started = Instant::now();
        let mut frame = 0;
        while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(TICK) {
            let mut err = io::stderr().lock();
            let _ = write!(
                err,
                "\r{} {label} {:.1} s",
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
