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
    let (roster, _) = read_roster(&args.roster, validated.problem.cases.len())?;
    let report = check(&validated.problem, &roster);
    emit(&render(&report))?;
    Ok(if report.is_valid() { 0 } else { 1 })
}

/// Reads a roster file, accepting either a bare roster or a document with a `roster` key,
/// and refuses one with more meetings than the problem has cases (`too_many_meetings`).
/// A roster that does not parse is refused as `bad_roster`, with the JSON pointer of the
/// value at fault.
/// Also returns the pointer of the roster inside the file (`/roster` or empty).
pub(crate) fn read_roster(path: &Path, cases: usize) -> Result<(Roster, &'static str), CliError> {
    let text = read_file("roster file", path)?;
    let bad = |code: &'static str, pointer: String, message: String| CliError::BadRoster {
        path: path.to_path_buf(),
        code,
        pointer,
        message,
    };
    let mut value: Value = serde_json::from_str(&text)
        .map_err(|e| bad("malformed_json", String::new(), format!("{e}")))?;
    let prefix = if let Some(inner) = value.get_mut("roster") {
        value = inner.take();
        "/roster"
    } else {
        ""
    };
    let roster: Roster = serde_path_to_error::deserialize(value).map_err(|e| {
        let message = e.inner().to_string();
        let pointer = format!(
            "{prefix}{}{}",
            json_pointer(e.path()),
            missing_field(&message)
                .map(|f| format!("/{}", f.replace('~', "~0").replace('/', "~1")))
                .unwrap_or_default()
        );
        bad("bad_roster", pointer, message)
    })?;
    if roster.meetings.len() > cases {
        return Err(bad(
            "too_many_meetings",
            format!("{prefix}/meetings"),
            format!(
                "{} meeting(s) for a problem of {cases} case(s); a case has at most one meeting",
                roster.meetings.len()
            ),
        ));
    }
    Ok((roster, prefix))
}

/// The field a serde "missing field `NAME`" message names: serde's path stops at the object.
pub(crate) fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(name, _)| name)
}

/// A serde path as a JSON pointer (RFC 6901): `/meetings/3/mediator`, empty for the root.
pub(crate) fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{}", key.replace('~', "~0").replace('/', "~1"))),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    for v in &report.violations {
        let case = v.case.as_deref().unwrap_or("-");
        let meeting = v
            .meeting
            .map_or_else(|| "-".to_string(), |i| format!("#{i}"));
        out.push_str(&format!(
            "{}  case {}  meeting {meeting}  {}\n",
            v.code,
            super::clip(case),
            super::sanitize(&v.message)
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
