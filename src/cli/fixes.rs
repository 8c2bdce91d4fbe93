//! `fixes`: for every case a roster could not hold by its day 30, the cheapest single change
//! that would let it be held on time, one per kind, ranked (see `solver/src/fixes.rs`).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mediation_solver::candidates::Weights;
use mediation_solver::fixes::{fixes, CaseFixes, CaseStatus, FixError};
use mediation_solver::recommend::RecommendError;

use super::check::read_roster;
use super::{emit, require_problem, CliError};

#[derive(Debug, Args)]
pub struct FixesArgs {
    /// The problem file (JSON).
    pub input: PathBuf,
    /// A roster (JSON): the `roster` object, or the whole output of `roster --format json`.
    pub roster: PathBuf,
    /// How to print the fixes.
    #[arg(long, value_enum, default_value_t = FixesFormat::Table)]
    pub format: FixesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixesFormat {
    /// One block per case: its status, then its fixes best first.
    Table,
    /// `{ "fixes": [ { case, status, deadline, fixes: [...], no_fix_reasons } ] }`.
    Json,
}

pub fn run(args: &FixesArgs) -> Result<u8, CliError> {
    let validated = require_problem(&args.input)?;
    let (roster, prefix) = read_roster(&args.roster, validated.problem.cases.len())?;
    let found = fixes(&validated.problem, &roster, &Weights::default()).map_err(|e| {
        let (pointer, message) = match &e {
            FixError::Recommend(RecommendError::InvalidRoster {
                field,
                code,
                message,
                count,
            }) => (
                format!("{prefix}{field}"),
                format!("{message} ({code}); {count} violation(s) in all"),
            ),
            e => (String::new(), e.to_string()),
        };
        CliError::BadRoster {
            path: args.roster.clone(),
            code: e.code(),
            pointer,
            message,
        }
    })?;
    emit(&match args.format {
        FixesFormat::Table => text(&found),
        FixesFormat::Json => json(&found),
    })?;
    Ok(0)
}

/// The `fixes` array as JSON, for a roster document's `"fixes"` key.
pub fn json(found: &[CaseFixes]) -> String {
    let mut text =
        serde_json::to_string_pretty(&serde_json::json!({ "fixes": found })).unwrap_or_default();
    text.push('\n');
    text
}

/// The fixes section of a text report.
pub fn text(found: &[CaseFixes]) -> String {
    let mut out = format!("Suggested fixes ({} case(s))\n", found.len());
    if found.is_empty() {
        out.push_str("  none: every case is held by its day 30\n");
    }
    for case in found {
        let status = match case.status {
            CaseStatus::Unscheduled => "unscheduled".to_string(),
            CaseStatus::Late { days } => format!("late by {days} day(s)"),
            CaseStatus::CarriedOver => "carried over".to_string(),
        };
        let _ = writeln!(
            out,
            "  {}  {status}  deadline {}",
            case.case,
            case.deadline.format("%a %-d %b %Y")
        );
        if case.fixes.is_empty() {
            out.push_str("    no single change holds it by day 30:\n");
            for r in &case.no_fix_reasons {
                let _ = writeln!(out, "      - {} ×{}: {}", r.code, r.count, r.message);
            }
        }
        for fix in &case.fixes {
            let m = &fix.meeting;
            let place = match (&m.venue, &m.interpreter) {
                (Some(v), _) => v.clone(),
                (None, _) => m.mode.as_str().to_string(),
            };
            let interpreter = m
                .interpreter
                .as_ref()
                .map(|i| format!(" with {i}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {}. {}\n       → {} {} {} {place}{interpreter}  cost {} (+{} effort)  [{}]",
                fix.rank,
                fix.description,
                m.date.format("%a %-d %b"),
                m.session,
                m.mediator,
                fix.cost,
                fix.effort,
                fix.kind,
            );
        }
    }
    out
}
