//! `replan`: apply what changed since a roster was published and re-plan, moving as few
//! published meetings as possible; print what changed, meeting by meeting, then the roster.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use mediation_solver::kpi::kpis;
use mediation_solver::milp::SolveOptions;
use mediation_solver::replan::{self, Change, ChangeKind, MeetingChange, Replan, ReplanError};
use mediation_solver::roster::Meeting;
use mediation_solver::validate::{parse_input, InputError};
use serde::Serialize;

use super::check::{json_pointer, missing_field, read_roster};
use super::progress::with_progress;
use super::roster::{CalendarArgs, SolveArgs};
use super::{emit, format_issue, note, read_file, show_path, write_bundle, CliError};
use crate::report::bundle::{bundle, ReplanPart};
use crate::report::{self, RosterReport};

#[derive(Debug, Args)]
pub struct ReplanArgs {
    /// The problem file the roster was published for (JSON, see docs/input-format.md).
    pub input: PathBuf,
    /// The published roster: the `roster` object, or the whole output of `roster --format json`.
    #[arg(long, value_name = "ROSTER")]
    pub published: PathBuf,
    /// What changed since: a JSON list of changes (see docs/replan.md).
    #[arg(long, value_name = "CHANGES")]
    pub changes: PathBuf,
    /// Objective units each published meeting moved or dropped costs.
    #[arg(long, value_name = "UNITS")]
    pub penalty: Option<i64>,
    /// The most published meetings that may move while they could still be kept.
    #[arg(long = "max-changes", value_name = "N")]
    pub max_changes: Option<u32>,
    #[arg(long, value_enum, default_value_t = ReplanFormat::Table)]
    pub format: ReplanFormat,
    /// Also write the re-planned roster's files (as `roster --out`: roster.json, roster.csv,
    /// report.txt, roster.html, calendars/, invitations/) plus changes.html and
    /// changes.json to this directory; a dropped meeting's invitation is a cancellation.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub calendar: CalendarArgs,
    #[command(flatten)]
    pub solve: SolveArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplanFormat {
    /// The changes, then the roster report.
    Table,
    /// `{ "kept", "changes", "roster", "kpis", "solver", "warnings" }`.
    Json,
}

pub fn run(args: &ReplanArgs) -> Result<u8, CliError> {
    let solve_options = args.solve.options()?;
    let input = match parse_input(&read_file("problem file", &args.input)?) {
        Ok(input) => input,
        Err(e) => return Err(input_error(&args.input, e)),
    };
    let published = read_roster(&args.published, input.cases.len())?.0.meetings;
    let changes = read_changes(&args.changes)?;
    let mut options = SolveOptions {
        max_changes: args.max_changes,
        ..solve_options
    };
    let solve_weights = options.weights;
    if let Some(penalty) = args.penalty {
        if let Err(refused) = mediation_solver::candidates::WeightError::of(penalty) {
            return Err(CliError::Usage(format!("--penalty: {refused}")));
        }
        options.weights.change = penalty;
    }
    let label = format!(
        "re-planning {} published meeting(s) after {} change(s)",
        published.len(),
        changes.len()
    );
    let result = with_progress(&label, args.solve.progress, options, |options| {
        replan::replan(&input, &published, &changes, options)
    });
    let plan = match result {
        Ok(plan) => plan,
        Err(ReplanError::Input(e)) => return Err(input_error(&args.input, e)),
        Err(ReplanError::Solve(e)) => return Err(e.into()),
        Err(e) => {
            return Err(CliError::refused(
                e.code(),
                replan_pointer(&e),
                e.to_string(),
            ))
        }
    };
    for issue in &plan.warnings {
        note(&format_issue(issue));
    }
    let moved = plan.changes.iter().filter(|c| c.kind != ChangeKind::Added);
    note(&format!(
        "{} published meeting(s) kept, {} changed ({} forced), {} case(s) newly held",
        plan.kept,
        moved.clone().count(),
        moved.filter(|c| c.forced).count(),
        plan.changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Added)
            .count(),
    ));
    if let Some(dir) = &args.out {
        write_out(dir, &plan, &args.calendar, &solve_weights)?;
    }
    emit(&match args.format {
        ReplanFormat::Table => table(&plan),
        ReplanFormat::Json => json(&plan),
    })?;
    Ok(0)
}

/// `--out`: the re-planned roster's files, the call list and the cancellations.
fn write_out(
    dir: &Path,
    plan: &Replan,
    calendar: &CalendarArgs,
    weights: &mediation_solver::candidates::Weights,
) -> Result<(), CliError> {
    let kpis = kpis(&plan.problem, &plan.outcome.roster);
    let report = RosterReport {
        problem: &plan.problem,
        outcome: &plan.outcome,
        kpis: &kpis,
        warnings: &plan.warnings,
    };
    let found = mediation_solver::fixes::fixes(&plan.problem, &plan.outcome.roster, weights)
        .map_err(|e| CliError::refused(e.code(), "", format!("suggested fixes: {e}")))?;
    let settings = calendar.settings(&plan.problem)?;
    let part = ReplanPart {
        kept: plan.kept,
        changes: &plan.changes,
        json: json(plan),
    };
    write_bundle(dir, &bundle(&report, &found, Some(&part), &settings))
}

pub(crate) fn input_error(path: &Path, e: InputError) -> CliError {
    match e {
        InputError::Malformed {
            path: pointer,
            line,
            column,
            message,
        } => CliError::Malformed {
            path: path.to_path_buf(),
            pointer,
            line,
            column,
            message,
        },
        InputError::Invalid { errors, warnings } => {
            for issue in errors.iter().chain(&warnings) {
                note(&format_issue(issue));
            }
            CliError::Invalid {
                path: path.to_path_buf(),
                count: errors.len(),
                pointer: errors.first().map(|e| e.path.clone()).unwrap_or_default(),
            }
        }
    }
}

/// Reads the changes file (a JSON array); a change that does not parse is refused as
/// `bad_changes` with a JSON pointer under `/changes` (`/changes/1/kind` is the second
/// change's `kind`), as the re-plan's own refusals of a change point.
fn read_changes(path: &Path) -> Result<Vec<Change>, CliError> {
    let text = read_file("changes file", path)?;
    let mut de = serde_json::Deserializer::from_str(&text);
    let changes: Vec<Change> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = missing_field(&e.inner().to_string())
            .map(|f| format!("/{}", f.replace('~', "~0").replace('/', "~1")))
            .unwrap_or_default();
        let pointer = format!("/changes{}{field}", json_pointer(e.path()));
        let message = format!(
            "changes file {} at {pointer}: {}",
            show_path(path),
            e.inner()
        );
        CliError::refused("bad_changes", pointer, message)
    })?;
    de.end().map_err(|e| {
        CliError::refused(
            "malformed_json",
            "/changes",
            format!("changes file {}: {e}", show_path(path)),
        )
    })?;
    Ok(changes)
}

/// The JSON pointer of a re-plan refusal: the field of the change or published meeting.
fn replan_pointer(e: &ReplanError) -> String {
    match e {
        ReplanError::UnknownId { field, .. } | ReplanError::Invalid { field, .. } => {
            if field.starts_with('/') {
                field.clone()
            } else {
                format!("/{field}")
            }
        }
        _ => String::new(),
    }
}

fn describe(m: &Meeting) -> String {
    let place = match &m.venue {
        Some(v) => format!("at {v}"),
        None => m.mode.as_str().to_string(),
    };
    format!(
        "{} {} {} {}",
        m.mediator,
        m.date.format("%a %-d %b"),
        m.session,
        place
    )
}

fn kind_name(c: &MeetingChange) -> &'static str {
    match c.kind {
        ChangeKind::Moved => "moved",
        ChangeKind::Dropped => "dropped",
        ChangeKind::Added => "added",
    }
}

fn table(plan: &Replan) -> String {
    let mut out = String::from("What changed\n");
    if plan.changes.is_empty() {
        out.push_str("  nothing: every published meeting is kept\n");
    }
    for c in &plan.changes {
        let from = c.from.as_ref().map_or("-".into(), describe);
        let to = c.to.as_ref().map_or("-".into(), describe);
        out.push_str(&format!(
            "  {:<14} {:<8} {} -> {}\n      {}{}\n",
            c.case,
            kind_name(c),
            from,
            to,
            if c.forced { "forced: " } else { "" },
            c.why
        ));
    }
    out.push_str(&format!(
        "  {} published meeting(s) kept as they were\n\n",
        plan.kept
    ));
    let kpis = kpis(&plan.problem, &plan.outcome.roster);
    out.push_str(&report::text(&RosterReport {
        problem: &plan.problem,
        outcome: &plan.outcome,
        kpis: &kpis,
        warnings: &plan.warnings,
    }));
    out
}

#[derive(Serialize)]
struct Document<'a> {
    kept: usize,
    changes: &'a [MeetingChange],
    roster: &'a mediation_solver::roster::Roster,
    kpis: &'a mediation_solver::kpi::Kpis,
    solver: &'a mediation_solver::milp::SolverSummary,
    warnings: &'a [mediation_solver::validate::Issue],
}

fn json(plan: &Replan) -> String {
    let kpis = kpis(&plan.problem, &plan.outcome.roster);
    let doc = Document {
        kept: plan.kept,
        changes: &plan.changes,
        roster: &plan.outcome.roster,
        kpis: &kpis,
        solver: &plan.outcome.solver,
        warnings: &plan.warnings,
    };
    let mut text = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise the re-plan: {e}\"}}"));
    text.push('\n');
    text
}
