//! `check`: re-verify a roster against every rule of a problem with the independent checker.

use std::path::{Path, PathBuf};

use clap::Args;
use mediation_solver::checker::{check, CheckReport};
use mediation_solver::roster::Roster;
use serde_json::Value;

use super::{emit, read_file, require_problem, CliError};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The problem file (JSON).
    pub input: PathBuf,
    /// A roster (JSON): the `roster` object, or the whole output of `roster --format json`.
    pub roster: PathBuf,
}

pub fn run(args: &CheckArgs) -> Result<u8, CliError> {
    let validated = require_problem(&args.input)?;
    let roster = read_roster(&args.roster)?;
    let report = check(&validated.problem, &roster);
    emit(&render(&report))?;
    Ok(if report.is_valid() { 0 } else { 1 })
}

/// Reads a roster file, accepting either a bare roster or a document with a `roster` key.
pub(crate) fn read_roster(path: &Path) -> Result<Roster, CliError> {
    let text = read_file("roster file", path)?;
    let bad = |message: String| CliError::BadRoster {
        path: path.to_path_buf(),
        message,
    };
    let mut value: Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if let Some(inner) = value.get_mut("roster") {
        value = inner.take();
    }
    serde_json::from_value(value).map_err(|e| bad(e.to_string()))
}

fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    for v in &report.violations {
        let case = v.case.as_deref().unwrap_or("-");
        let meeting = v
            .meeting
            .map_or_else(|| "-".to_string(), |i| format!("#{i}"));
        out.push_str(&format!(
            "{}  case {case}  meeting {meeting}  {}\n",
            v.code, v.message
        ));
    }
    if report.is_valid() {
        out.push_str(&format!(
            "valid: {} meeting(s) checked, no violations\n",
            report.meetings_checked
        ));
    } else {
        out.push_str(&format!(
            "invalid: {} violation(s) in {} meeting(s) checked\n",
            report.violations.len(),
            report.meetings_checked
        ));
    }
    out
}
