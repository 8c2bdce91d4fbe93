//! `capacity`: the fewest extra mediator sessions, per LA and ISO week, that let a share of
//! the cases be held by their day 30 (answered by the MILP, not by trial and error).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mediation_solver::capacity::{self, CapacityAnswer, CapacityError, CapacityQuestion};
use mediation_solver::validate::parse_input;

use super::progress::with_progress;
use super::roster::SolveArgs;
use super::{emit, note, read_file, replan::input_error, CliError};
use crate::report::layout::{Align, Table};

#[derive(Debug, Args)]
pub struct CapacityArgs {
    /// The problem file (JSON, see docs/input-format.md).
    pub input: PathBuf,
    /// Share of the cases to hold by day 30, in (0, 1] (e.g. 0.95).
    #[arg(long, value_name = "SHARE")]
    pub share: f64,
    /// An LA (GSS code) that may get extra sessions (repeatable); default: every LA with a case.
    #[arg(long = "la", value_name = "GSS")]
    pub las: Vec<String>,
    #[arg(long, value_enum, default_value_t = CapacityFormat::Table)]
    pub format: CapacityFormat,
    #[command(flatten)]
    pub solve: SolveArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CapacityFormat {
    Table,
    Json,
}

pub fn run(args: &CapacityArgs) -> Result<u8, CliError> {
    let solve_options = args.solve.options()?;
    let input = parse_input(&read_file("problem file", &args.input)?)
        .map_err(|e| input_error(&args.input, e))?;
    let question = CapacityQuestion {
        share: args.share,
        las: (!args.las.is_empty()).then(|| args.las.clone()),
    };
    let options = solve_options;
    let label = format!(
        "finding the fewest extra sessions for {:.0}%",
        args.share * 100.0
    );
    let answer = match with_progress(&label, args.solve.progress, options, |options| {
        capacity::answer(&input, &question, options)
    }) {
        Ok(answer) => answer,
        Err(CapacityError::Input(e)) => return Err(input_error(&args.input, e)),
        Err(CapacityError::Solve(e)) => return Err(e.into()),
        Err(e) => return Err(CliError::refused(e.code(), "", e.to_string())),
    };
    note(&format!(
        "{} extra session(s); {} of {} cases held by day 30 (target {}); {}",
        answer.total_extra_sessions,
        answer.held_by_day_30,
        answer.cases,
        answer.target,
        crate::report::status_name(answer.solver.status)
    ));
    emit(&match args.format {
        CapacityFormat::Table => table(&answer),
        CapacityFormat::Json => {
            let mut text = serde_json::to_string_pretty(&answer)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
            text.push('\n');
            text
        }
    })?;
    Ok(0)
}

fn table(answer: &CapacityAnswer) -> String {
    let mut out = format!(
        "Target: {} of {} cases held by day 30; reached: {}\n",
        answer.target, answer.cases, answer.held_by_day_30
    );
    if answer.extra.is_empty() {
        out.push_str("No extra sessions are needed.\n");
        return out;
    }
    let mut t = Table::new(&[
        ("LA", Align::Left),
        ("Code", Align::Left),
        ("Week", Align::Left),
        ("Extra sessions", Align::Right),
    ]);
    for e in &answer.extra {
        t.row(vec![
            e.la_name.clone(),
            e.la.clone(),
            e.week.clone(),
            e.sessions.to_string(),
        ]);
    }
    out.push_str(&t.render());
    out.push_str(&format!(
        "Total: {} extra session(s) ({}; gap {})\n",
        answer.total_extra_sessions,
        crate::report::status_name(answer.solver.status),
        answer
            .solver
            .absolute_gap
            .map_or("unknown".into(), |g| format!("{g:.0} units"))
    ));
    out
}
