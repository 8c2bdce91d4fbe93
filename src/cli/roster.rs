//! `roster`: validate a problem file, solve it and print the roster as a text report, JSON
//! or CSV; optionally also write all three to a directory.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mediation_solver::kpi::kpis;
use mediation_solver::milp::{Backend, Clock, SolveError, SolveOptions, SolveStatus};
use mediation_solver::schedule::schedule;

use super::progress::with_progress;
use super::{emit, note, require_problem, write_bundle, write_file, CliError};
use crate::report::bundle::bundle;
use crate::report::ics::CalendarSettings;
use crate::report::{self, RosterReport};

#[derive(Debug, Args)]
pub struct RosterArgs {
    /// The problem file (JSON, see docs/input-format.md).
    pub input: PathBuf,
    /// How to print the roster.
    #[arg(long, value_enum, default_value_t = RosterFormat::Table)]
    pub format: RosterFormat,
    /// Also write roster.json, roster.csv, report.txt, the web page roster.html, a calendar
    /// per mediator and venue (calendars/) and an invitation per case (invitations/) to
    /// this directory (created if need be).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub calendar: CalendarArgs,
    #[command(flatten)]
    pub solve: SolveArgs,
    /// Relative gap at which the search may stop (0 proves optimality).
    #[arg(long, value_name = "G", default_value_t = 0.0, env = "MEDIATION_GAP")]
    pub gap: f64,
    /// Write the MILP in CPLEX LP format to FILE too, to solve it with another solver.
    #[arg(long = "export-model", value_name = "FILE")]
    pub export_model: Option<PathBuf>,
    /// Also suggest, for each case not held by its day 30, the cheapest single change that
    /// would let it be (table: a section after the roster; JSON: a `fixes` key).
    #[arg(long)]
    pub fixes: bool,
    /// An extra HiGHS option, NAME=VALUE (repeatable), e.g. `presolve=on`.
    #[arg(long = "highs-option", value_name = "NAME=VALUE", value_parser = parse_option)]
    pub highs_options: Vec<(String, String)>,
}

fn parse_option(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

/// Where calendar files come from: the UID domain and the ORGANIZER address.
#[derive(Debug, Clone, Args)]
pub struct CalendarArgs {
    /// The service's domain in every calendar UID (`<case reference>@DOMAIN`); keep it the
    /// same between publications so calendar clients update events instead of adding them.
    #[arg(
        long = "calendar-domain",
        value_name = "DOMAIN",
        env = "MEDIATION_CALENDAR_DOMAIN"
    )]
    pub domain: Option<String>,
    /// ORGANIZER of every calendar event, a `mailto:` address of the service (default
    /// `mailto:roster@DOMAIN`).
    #[arg(
        long = "calendar-organizer",
        value_name = "MAILTO",
        env = "MEDIATION_CALENDAR_ORGANIZER"
    )]
    pub organizer: Option<String>,
}

impl CalendarArgs {
    /// The calendar settings for `problem` (DTSTAMP from its publication date).
    pub fn settings(
        &self,
        problem: &mediation_solver::model::Problem,
    ) -> Result<CalendarSettings, CliError> {
        CalendarSettings::new(problem, self.domain.as_deref(), self.organizer.as_deref())
            .map_err(|e| CliError::Usage(e.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RosterFormat {
    /// A readable report: meetings by day, cases not held, key figures, solver summary.
    Table,
    /// One document: `{ "roster", "kpis", "solver", "repaired", "warnings" }`.
    Json,
    /// One row per meeting.
    Csv,
}

/// The backend and time limit, shared by every command that solves.
#[derive(Debug, Clone, Args)]
pub struct SolveArgs {
    /// MILP backend; `highs` needs a build with `--features highs`; `auto` picks HiGHS for
    /// large models when it is built in, microlp otherwise.
    #[arg(long, value_enum, default_value_t = BackendArg::Auto, env = "MEDIATION_BACKEND")]
    pub backend: BackendArg,
    /// Wall-clock limit for each solve, in seconds.
    #[arg(
        long = "time-limit",
        value_name = "S",
        default_value_t = 30.0,
        env = "MEDIATION_TIME_LIMIT"
    )]
    pub time_limit: f64,
    /// The memory budget, in candidate meetings (about 350 bytes each): a problem estimated
    /// above it is refused before anything is built (exit 2, `problem_too_large`); 0 lifts it.
    #[arg(
        long = "max-candidates",
        value_name = "N",
        default_value_t = mediation_solver::milp::DEFAULT_MAX_CANDIDATES,
        env = "MEDIATION_MAX_CANDIDATES"
    )]
    pub max_candidates: u64,
    /// Print each phase of the solve (candidates, model, warm start, LP pricing rounds or the
    /// subgradient bound, rounds of cuts, windows of days, MILP rounds) with the elapsed time
    /// on standard error, one line each.
    #[arg(long)]
    pub progress: bool,
}

impl SolveArgs {
    /// Solve options with this backend (refused when not in this build) and time limit,
    /// which counts from now: reading the input is part of it.
    pub fn options(&self) -> Result<SolveOptions, CliError> {
        let backend = Backend::from(self.backend);
        if !backend.is_available() {
            return Err(SolveError::BackendUnavailable(backend.as_str()).into());
        }
        Ok(SolveOptions {
            backend,
            time_limit_secs: self.time_limit,
            max_candidates: (self.max_candidates > 0).then_some(self.max_candidates),
            started: Some(Clock::now()),
            ..SolveOptions::default()
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    Microlp,
    Highs,
    Auto,
}

impl From<BackendArg> for Backend {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Microlp => Backend::Microlp,
            BackendArg::Highs => Backend::Highs,
            BackendArg::Auto => Backend::Auto,
        }
    }
}

pub fn run(args: &RosterArgs) -> Result<u8, CliError> {
    let options = SolveOptions {
        mip_gap: args.gap,
        highs_options: args.highs_options.clone(),
        ..args.solve.options()?
    };
    let backend = options.backend;
    let validated = require_problem(&args.input)?;
    let problem = &validated.problem;
    // Bad calendar settings are refused before the solve, not after it.
    let settings = match &args.out {
        Some(_) => Some(args.calendar.settings(problem)?),
        None => None,
    };
    if let Some(path) = &args.export_model {
        write_file(path, &mediation_solver::milp::export_lp(problem, &options))?;
    }
    let label = format!(
        "solving {} cases with {} (limit {} s)",
        problem.cases.len(),
        backend.as_str(),
        args.solve.time_limit
    );
    let outcome = with_progress(&label, args.solve.progress, options.clone(), |options| {
        schedule(problem, options)
    })?;
    let kpis = kpis(problem, &outcome.roster);
    let gap = match outcome.solver.relative_gap {
        Some(g) if outcome.solver.status != SolveStatus::Optimal => {
            format!(", gap {:.3}%", g * 100.0)
        }
        Some(_) => String::new(),
        None => ", no bound".to_string(),
    };
    note(&format!(
        "{} meetings, {} unscheduled, {} carried over; {} in {:.1} s{gap}",
        outcome.roster.meetings.len(),
        outcome.roster.unscheduled.len(),
        outcome.roster.carried_over.len(),
        report::status_name(outcome.solver.status),
        outcome.solver.build_seconds
            + outcome.solver.warm_start_seconds
            + outcome.solver.solve_seconds,
    ));
    let report = RosterReport {
        problem,
        outcome: &outcome,
        kpis: &kpis,
        warnings: &validated.warnings,
    };
    // The page lists the cheapest fix of each case not held, so `--out` needs them too.
    let found = if args.fixes || args.out.is_some() {
        let started = std::time::Instant::now();
        let found = mediation_solver::fixes::fixes(problem, &outcome.roster, &options.weights)
            .map_err(|e| CliError::refused(e.code(), "", format!("suggested fixes: {e}")))?;
        if !found.is_empty() {
            note(&format!(
                "suggested fixes for {} case(s) not held by day 30 in {:.1} s",
                found.len(),
                started.elapsed().as_secs_f64()
            ));
        }
        Some(found)
    } else {
        None
    };
    if let (Some(dir), Some(settings)) = (&args.out, &settings) {
        let files = bundle(
            &report,
            found.as_deref().unwrap_or_default(),
            None,
            settings,
        );
        write_bundle(dir, &files)?;
    }
    let found = found.filter(|_| args.fixes);
    let printed = match (args.format, &found) {
        (RosterFormat::Table, None) => report::text(&report),
        (RosterFormat::Table, Some(found)) => {
            format!(
                "{}
{}",
                report::text(&report),
                super::fixes::text(found)
            )
        }
        (RosterFormat::Json, None) => report::json(&report),
        (RosterFormat::Json, Some(found)) => with_fixes(&report::json(&report), found),
        (RosterFormat::Csv, _) => report::csv(problem, &outcome.roster),
    };
    emit(&printed)?;
    Ok(0)
}

/// The roster document with a `fixes` key added.
fn with_fixes(document: &str, found: &[mediation_solver::fixes::CaseFixes]) -> String {
    let mut value: serde_json::Value = match serde_json::from_str(document) {
        Ok(v) => v,
        Err(_) => return document.to_string(),
    };
    if let (Some(map), Ok(fixes)) = (value.as_object_mut(), serde_json::to_value(found)) {
        map.insert("fixes".into(), fixes);
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| document.to_string());
    text.push('\n');
    text
}
