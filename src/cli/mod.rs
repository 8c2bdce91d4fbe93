//! The `mediation-scheduler` command line: one [`clap::Parser`], one module per subcommand,
//! and one error type that knows its exit status.
//!
//! Exit statuses: 0 success; 1 a roster that breaks rules (`check`) or a solver failure;
//! 2 unusable input (a missing or unreadable file, bad JSON, an invalid problem, a bad
//! option, a backend not in this build).
//!
//! Standard error carries progress, warnings and errors; it never names a person (case
//! references, ids and codes only).

mod capacity;
mod check;
mod fixes;
mod generate;
mod progress;
mod replan;
mod roster;
mod serve;
mod validate;
mod whatif;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mediation_solver::milp::SolveError;
use mediation_solver::validate::{parse_problem, InputError, Issue, Validated};

pub use crate::report::issue_line as format_issue;

pub use capacity::{CapacityArgs, CapacityFormat};
pub use check::CheckArgs;
pub use fixes::{FixesArgs, FixesFormat};
pub use generate::GenerateArgs;
pub use replan::{ReplanArgs, ReplanFormat};
pub use roster::{RosterArgs, RosterFormat};
pub use serve::ServeArgs;
pub use validate::{ValidateArgs, ValidateFormat};
pub use whatif::{WhatIfArgs, WhatIfFormat};

/// Builds SEN mediation rosters for England.
#[derive(Debug, Parser)]
#[command(name = "mediation-scheduler", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Solve a problem file and print the roster, its key figures and the solver summary.
    Roster(RosterArgs),
    /// Re-check a roster against every rule of a problem file.
    Check(CheckArgs),
    /// Validate a problem file and list every issue found.
    Validate(ValidateArgs),
    /// Generate a realistic, seeded problem file.
    Generate(GenerateArgs),
    /// Re-plan a published roster after changes, moving as few meetings as possible.
    Replan(ReplanArgs),
    /// The fewest extra mediator sessions (per LA and week) to hold a share of cases by day 30.
    Capacity(CapacityArgs),
    /// Compare scenarios of capacity changes side by side with the base problem.
    WhatIf(WhatIfArgs),
    /// Suggest, for each case not held by its day 30, the cheapest single change that would.
    Fixes(FixesArgs),
    /// Run the HTTP API (docs/api.md); settings from flags or MEDIATION_* variables.
    Serve(ServeArgs),
}

/// Why a command stopped; each variant maps to an exit status.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {what} `{}`: {source}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("cannot write `{}`: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error(
        "problem file `{}` is not a valid problem document at {} (line {line}, column {column}): {message}",
        path.display(),
        pointer_or_root(.pointer)
    )]
    Malformed {
        path: PathBuf,
        pointer: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The problem has validation errors; they have already been printed.
    #[error("problem file `{}` has {count} validation error(s)", path.display())]
    Invalid { path: PathBuf, count: usize },
    #[error("roster file `{}` is not a roster: {message}", path.display())]
    BadRoster { path: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
    #[error("{0} [{code}]", code = .0.code())]
    Solve(#[from] SolveError),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Write { .. } => 1,
            CliError::Solve(
                SolveError::UnknownBackend(_)
                | SolveError::BackendUnavailable(_)
                | SolveError::InvalidOption { .. }
                | SolveError::TooLarge { .. },
            ) => 2,
            CliError::Solve(_) => 1,
            _ => 2,
        }
    }
}

fn pointer_or_root(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the top level"
    } else {
        pointer
    }
}

/// Parses the process arguments, runs the command and returns its exit status.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    ExitCode::from(run_with(cli))
}

/// Runs a parsed command line; returns the exit status.
pub fn run_with(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Roster(args) => roster::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Replan(args) => replan::run(&args),
        Command::Capacity(args) => capacity::run(&args),
        Command::WhatIf(args) => whatif::run(&args),
        Command::Fixes(args) => fixes::run(&args),
        Command::Serve(args) => serve::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            note(&format!("error: {e}"));
            e.exit_code()
        }
    }
}

/// Writes a line to standard error, ignoring a closed stream.
pub(crate) fn note(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Writes the command's output to standard output. A closed pipe (`| head`) is not an error.
pub(crate) fn emit(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Write {
            path: PathBuf::from("<stdout>"),
            source: e,
        }),
        _ => Ok(()),
    }
}

pub(crate) fn read_file(what: &'static str, path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn write_file(path: &Path, contents: &str) -> Result<(), CliError> {
    std::fs::write(path, contents).map_err(|source| CliError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes every file of a bundle under `dir` (created if need be, with its sub-folders) and
/// notes each id that could not name a file.
pub(crate) fn write_bundle(
    dir: &Path,
    bundle: &crate::report::bundle::Bundle,
) -> Result<(), CliError> {
    for file in &bundle.files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CliError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        write_file(&path, &file.contents)?;
    }
    for line in &bundle.skipped {
        note(&format!("not written: {line}"));
    }
    Ok(())
}

/// What reading a problem file gave: the problem, or the issues that stop it.
pub(crate) enum Loaded {
    Valid(Box<Validated>),
    Invalid {
        errors: Vec<Issue>,
        warnings: Vec<Issue>,
    },
}

/// Reads and parses a problem file. Malformed JSON and unreadable files are errors; a
/// document that parses but fails validation comes back as [`Loaded::Invalid`].
pub(crate) fn load_problem(path: &Path) -> Result<Loaded, CliError> {
    let text = read_file("problem file", path)?;
    match parse_problem(&text) {
        Ok(validated) => Ok(Loaded::Valid(Box::new(validated))),
        Err(InputError::Invalid { errors, warnings }) => Ok(Loaded::Invalid { errors, warnings }),
        Err(InputError::Malformed {
            path: pointer,
            line,
            column,
            message,
        }) => Err(CliError::Malformed {
            path: path.to_path_buf(),
            pointer,
            line,
            column,
            message,
        }),
    }
}

/// Reads a problem file for a command that needs a valid one: prints every issue of an
/// invalid problem (and the warnings of a valid one) to standard error.
pub(crate) fn require_problem(path: &Path) -> Result<Validated, CliError> {
    match load_problem(path)? {
        Loaded::Valid(validated) => {
            for issue in &validated.warnings {
                note(&format_issue(issue));
            }
            Ok(*validated)
        }
        Loaded::Invalid { errors, warnings } => {
            for issue in errors.iter().chain(&warnings) {
                note(&format_issue(issue));
            }
            Err(CliError::Invalid {
                path: path.to_path_buf(),
                count: errors.len(),
            })
        }
    }
}
