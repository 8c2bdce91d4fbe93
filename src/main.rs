//! The `mediation-scheduler` binary: everything lives in the library so tests share it.
use std::process::ExitCode;

fn main() -> ExitCode {
    mediation_scheduler::cli::run()
}
