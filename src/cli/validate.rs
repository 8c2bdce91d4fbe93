//! `validate`: list every issue of a problem file, as text or as JSON.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{emit, format_issue, load_problem, CliError, Loaded};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The problem file (JSON).
    pub input: PathBuf,
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    /// One issue per line, then a summary line.
    Text,
    /// `{ "valid", "errors", "warnings" }`, each issue with code, severity, path, message and
    /// hint (plus `malformed` with a JSON pointer, line and column when the JSON is unreadable).
    Json,
}

pub fn run(args: &ValidateArgs) -> Result<u8, CliError> {
    let loaded = match load_problem(&args.input) {
        Err(CliError::Malformed {
            path,
            pointer,
            line,
            column,
            message,
        }) if args.format == ValidateFormat::Json => {
            let doc = json!({
                "valid": false,
                "malformed": { "path": pointer, "line": line, "column": column, "message": message },
                "errors": [],
                "warnings": [],
            });
            emit(&to_pretty(&doc))?;
            return Err(CliError::Malformed {
                path,
                pointer,
                line,
                column,
                message,
            });
        }
        other => other?,
    };
    let (errors, warnings, summary) = match loaded {
        Loaded::Valid(v) => {
            let p = &v.problem;
            let summary = format!(
                "valid: {} case(s), {} mediator(s), {} venue(s), {} day(s) from {} to {}",
                p.cases.len(),
                p.mediators.len(),
                p.venues.len(),
                p.horizon.days.len(),
                p.horizon.start,
                p.horizon.end
            );
            (Vec::new(), v.warnings, summary)
        }
        Loaded::Invalid { errors, warnings } => {
            let summary = format!(
                "invalid: {} error(s), {} warning(s)",
                errors.len(),
                warnings.len()
            );
            (errors, warnings, summary)
        }
    };
    let valid = errors.is_empty();
    let text = match args.format {
        ValidateFormat::Text => {
            let mut out = String::new();
            for issue in errors.iter().chain(&warnings) {
                out.push_str(&format_issue(issue));
                out.push('\n');
            }
            out.push_str(&summary);
            out.push('\n');
            out
        }
        ValidateFormat::Json => {
            let doc = json!({ "valid": valid, "errors": errors, "warnings": warnings });
            to_pretty(&doc)
        }
    };
    emit(&text)?;
    Ok(if valid { 0 } else { 2 })
}

fn to_pretty(doc: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_else(|_| doc.to_string());
    text.push('\n');
    text
}
