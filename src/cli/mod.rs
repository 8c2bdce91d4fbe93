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

use std::io::Read as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::{Parser, Subcommand};
use mediation_solver::milp::SolveError;
use mediation_solver::validate::{parse_problem, InputError, Issue, Validated};

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
    /// The most bytes read from any one input file (or standard input, `-`); a larger input
    /// is refused (exit 2, `input_too_large`) without reading past the limit.
    #[arg(
        long = "max-input-bytes",
        value_name = "BYTES",
        global = true,
        default_value_t = DEFAULT_MAX_INPUT_BYTES,
        env = "MEDIATION_MAX_INPUT_BYTES"
    )]
    pub max_input_bytes: u64,
    #[command(subcommand)]
    pub command: Command,
}

/// The default `--max-input-bytes`: 64 MiB per input file.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The input limit of this run, set once by [`run_with`].
static MAX_INPUT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_BYTES);

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
    /// Apply the job schema's migrations to a PostgreSQL database (docs/deploy.md).
    Migrate(serve::MigrateArgs),
}

/// Why a command stopped; each variant maps to an exit status, a stable [`code`] and a JSON
/// pointer (RFC 6901, empty for the whole document) into the input at fault.
///
/// [`code`]: CliError::code
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {what} {}: {source}", show_path(path))]
    Read {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error(
        "{what} {} is larger than the input limit of {limit} bytes (raise it with --max-input-bytes or MEDIATION_MAX_INPUT_BYTES)",
        show_path(path)
    )]
    TooLarge {
        what: &'static str,
        path: PathBuf,
        limit: u64,
    },
    #[error("cannot write {}: {source}", show_path(path))]
    Write { path: PathBuf, source: io::Error },
    #[error(
        "problem file {} is not a valid problem document at {}{}: {message}",
        show_path(path),
        pointer_or_root(.pointer),
        position(*line, *column)
    )]
    Malformed {
        path: PathBuf,
        pointer: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The problem has validation errors; they have already been printed.
    #[error("problem file {} has {count} validation error(s)", show_path(path))]
    Invalid {
        path: PathBuf,
        count: usize,
        /// The first error's pointer.
        pointer: String,
    },
    #[error("roster file {} is not a usable roster at {}: {message}", show_path(path), pointer_or_root(.pointer))]
    BadRoster {
        path: PathBuf,
        code: &'static str,
        pointer: String,
        message: String,
    },
    /// Any other refusal, with its code and pointer.
    #[error("{message}")]
    Refused {
        code: &'static str,
        pointer: String,
        message: String,
    },
    #[error("{0}")]
    Usage(String),
    #[error("{}", solve_message(.0))]
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

    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Read { .. } => "unreadable",
            CliError::TooLarge { .. } => "input_too_large",
            CliError::Write { .. } => "write_failed",
            CliError::Malformed { .. } => "malformed_json",
            CliError::Invalid { .. } => "invalid_problem",
            CliError::BadRoster { code, .. } | CliError::Refused { code, .. } => code,
            CliError::Usage(_) => "bad_option",
            CliError::Solve(e) => e.code(),
        }
    }

    /// The JSON pointer (RFC 6901) of the value at fault; empty for the whole input.
    pub fn pointer(&self) -> &str {
        match self {
            CliError::Malformed { pointer, .. }
            | CliError::Invalid { pointer, .. }
            | CliError::BadRoster { pointer, .. }
            | CliError::Refused { pointer, .. } => pointer,
            _ => "",
        }
    }

    /// A refusal with a code and a pointer.
    pub(crate) fn refused(code: &'static str, pointer: impl Into<String>, message: String) -> Self {
        CliError::Refused {
            code,
            pointer: pointer.into(),
            message,
        }
    }
}

/// A solve error, naming the command-line flag rather than the internal option.
fn solve_message(e: &SolveError) -> String {
    match e {
        SolveError::InvalidOption { field, message } => {
            let flag = match *field {
                "time_limit_secs" => "--time-limit",
                "mip_gap" => "--gap",
                "max_changes" => "--max-changes",
                "max_candidates" => "--max-candidates",
                other => other,
            };
            format!("{flag}: {message}")
        }
        e => e.to_string(),
    }
}

fn pointer_or_root(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the top level"
    } else {
        pointer
    }
}

/// ` (line L, column C)`, or nothing when the position is unknown (line 0).
pub(crate) fn position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" (line {line}, column {column})")
    }
}

/// A path in a message: quoted and escaped; `-` is standard input.
pub(crate) fn show_path(path: &Path) -> String {
    if is_stdin(path) {
        "`-` (standard input)".to_string()
    } else {
        quote(&path.to_string_lossy())
    }
}

/// The longest value, in characters, echoed whole in a message.
pub(crate) const MAX_ECHO_CHARS: usize = 80;

/// An input value for a message: in backquotes, non-printing characters escaped, cut to
/// [`MAX_ECHO_CHARS`] with `…`.
pub(crate) fn quote(value: &str) -> String {
    format!("`{}`", clip(value))
}

/// A value with non-printing characters escaped and cut to [`MAX_ECHO_CHARS`] with `…`.
pub(crate) fn clip(value: &str) -> String {
    let mut out = String::new();
    for (n, c) in value.chars().enumerate() {
        if n == MAX_ECHO_CHARS {
            out.push('…');
            break;
        }
        push_visible(&mut out, c);
    }
    out
}

/// Characters that print nothing visible: controls, and the format characters (zero-width
/// spaces and joiners, direction marks and overrides, soft hyphen, byte-order mark).
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
}

fn push_visible(out: &mut String, c: char) {
    if is_invisible(c) {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// The longest message, in characters, written to standard error for one refusal.
const MAX_MESSAGE_CHARS: usize = 2000;

/// A message built from input, made safe to print: non-printing characters escaped, every
/// quoted value (between backquotes or double quotes) cut to [`MAX_ECHO_CHARS`] with `…`,
/// and the whole cut to a bounded length.
pub(crate) fn sanitize(message: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut run = 0usize;
    let mut total = 0usize;
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if total >= MAX_MESSAGE_CHARS {
            out.push('…');
            break;
        }
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => {
                run += 1;
                if run <= MAX_ECHO_CHARS {
                    push_visible(&mut out, c);
                } else if run == MAX_ECHO_CHARS + 1 {
                    out.push('…');
                }
                // A backslash escapes the next character inside double quotes.
                if c == '\\' && quote == Some('"') {
                    if let Some(next) = chars.next() {
                        if run < MAX_ECHO_CHARS {
                            out.push(next);
                        }
                    }
                }
                continue;
            }
            None => {
                if c == '`' || c == '"' {
                    quote = Some(c);
                    run = 0;
                }
                push_visible(&mut out, c);
            }
        }
        total += 1;
    }
    out
}

/// An issue line, with its values made safe to print.
pub fn format_issue(issue: &Issue) -> String {
    sanitize(&crate::report::issue_line(issue))
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
    MAX_INPUT_BYTES.store(cli.max_input_bytes, Ordering::Relaxed);
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
        Command::Migrate(args) => serve::migrate(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let pointer = e.pointer();
            note(&sanitize(&format!(
                "error: {e} [code: {}, pointer: \"{}\"]",
                e.code(),
                pointer.replace('\\', "\\\\").replace('"', "\\\"")
            )));
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

/// `-` names standard input.
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Why [`read_limited`] failed.
pub(crate) enum ReadFailure {
    Io(io::Error),
    TooLarge(u64),
}

/// Reads a file (or standard input for `-`) as UTF-8, never buffering more than the input
/// limit plus one byte.
pub(crate) fn read_limited(path: &Path) -> Result<String, ReadFailure> {
    let limit = MAX_INPUT_BYTES.load(Ordering::Relaxed);
    let mut bytes = Vec::new();
    let read = if is_stdin(path) {
        io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path)
            .and_then(|file| file.take(limit.saturating_add(1)).read_to_end(&mut bytes))
    };
    read.map_err(ReadFailure::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadFailure::TooLarge(limit));
    }
    String::from_utf8(bytes)
        .map_err(|e| ReadFailure::Io(io::Error::new(io::ErrorKind::InvalidData, e)))
}

pub(crate) fn read_file(what: &'static str, path: &Path) -> Result<String, CliError> {
    read_limited(path).map_err(|failure| match failure {
        ReadFailure::Io(source) => CliError::Read {
            what,
            path: path.to_path_buf(),
            source,
        },
        ReadFailure::TooLarge(limit) => CliError::TooLarge {
            what,
            path: path.to_path_buf(),
            limit,
        },
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
                pointer: errors.first().map(|e| e.path.clone()).unwrap_or_default(),
            })
        }
    }
}
