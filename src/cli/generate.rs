//! `generate`: a seeded, realistic problem file for trials, tests and benchmarks.

use std::path::PathBuf;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use clap::Args;
use mediation_solver::generate::{generate, GenerateParams};

use super::{emit, write_file, CliError};

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Agreed cases to generate.
    #[arg(long)]
    pub cases: usize,
    /// Mediators in the pool.
    #[arg(long)]
    pub mediators: usize,
    /// Venues.
    #[arg(long)]
    pub venues: usize,
    /// Seed: the same arguments always give the same problem.
    #[arg(long)]
    pub seed: u64,
    /// Whole weeks in the horizon (Monday to Friday of the last week).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=52))]
    pub weeks: u32,
    /// First day of the horizon, a Monday [default: 2026-12-07].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub start: Option<NaiveDate>,
    /// The day the roster is published [default: a week before the start].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub publication: Option<NaiveDate>,
    /// Write the problem to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &GenerateArgs) -> Result<u8, CliError> {
    let mut params = GenerateParams::week(args.cases, args.mediators, args.venues, args.seed);
    params.weeks = args.weeks;
    if let Some(start) = args.start {
        if start.weekday() != Weekday::Mon {
            return Err(CliError::Usage(format!(
                "--start {start} is a {}: the horizon starts on a Monday",
                start.weekday()
            )));
        }
        params.start = start;
        params.publication_date = start - Days::new(7);
    }
    if let Some(publication) = args.publication {
        params.publication_date = publication;
    }
    if params.publication_date > params.end() {
        return Err(CliError::Usage(format!(
            "--publication {} is after the horizon's last day {}: publish before or during it",
            params.publication_date,
            params.end()
        )));
    }
    let problem = generate(&params);
    let mut text = serde_json::to_string_pretty(&problem)
        .map_err(|e| CliError::Usage(format!("cannot serialise the generated problem: {e}")))?;
    text.push('\n');
    match &args.out {
        Some(path) => write_file(path, &text)?,
        None => emit(&text)?,
    }
    Ok(0)
}
