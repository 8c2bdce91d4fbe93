//! `what-if`: solve a base problem and named scenarios of changes side by side (see
//! `docs/what-if.md`), and print the comparison as a table, CSV or JSON.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};
use mediation_solver::whatif::{self, ScenarioOutcome, WhatIfError, WhatIfReport};
use serde::Serialize;

use super::roster::SolveArgs;
use super::{
    emit, format_issue, note, position, quote, read_file, read_limited, show_path, write_file,
    CliError, ReadFailure,
};
use crate::report::layout::{Align, Table};
use crate::report::status_name;

#[derive(Debug, Args)]
pub struct WhatIfArgs {
    /// The what-if file (JSON, see docs/what-if.md). A `base` given as a string is a path
    /// relative to this file.
    pub scenarios: PathBuf,
    /// How to print the comparison.
    #[arg(long, value_enum, default_value_t = WhatIfFormat::Table)]
    pub format: WhatIfFormat,
    /// Also write what-if.txt, what-if.csv, what-if.json and one roster-NAME.json per
    /// scenario to this directory (created if need be).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub solve: SolveArgs,
    /// Solve the scenarios one after another instead of in parallel.
    #[arg(long)]
    pub serial: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhatIfFormat {
    /// One column per scenario (the base first), one row per figure.
    Table,
    /// The same table as CSV: `metric,base,<scenario>…`.
    Csv,
    /// `{ "scenarios": [ { name, changes, figures, solver, roster } … ] }`.
    Json,
}

pub fn run(args: &WhatIfArgs) -> Result<u8, CliError> {
    let solve_options = args.solve.options()?;
    let text = read_file("what-if file", &args.scenarios)?;
    let dir = args
        .scenarios
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let load = |file: &str| {
        read_limited(&dir.join(file)).map_err(|failure| match failure {
            ReadFailure::Io(e) => e.to_string(),
            ReadFailure::TooLarge(limit) => format!(
                "larger than the input limit of {limit} bytes (raise it with --max-input-bytes)"
            ),
        })
    };
    let plan = whatif::parse(&text, &load).map_err(|e| plan_error(&args.scenarios, e, None))?;
    if args.out.is_some() {
        refuse_file_name_collisions(&plan)?;
    }
    let options = solve_options;
    let started = Instant::now();
    let report = whatif::run(&plan, &options, !args.serial)
        .map_err(|e| plan_error(&args.scenarios, e, Some(&plan)))?;
    note(&format!(
        "{} scenario(s) and the base solved {} in {:.2} s",
        plan.scenarios.len(),
        if args.serial {
            "one after another"
        } else {
            "in parallel"
        },
        started.elapsed().as_secs_f64()
    ));
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
            path: dir.clone(),
            source,
        })?;
        write_file(&dir.join("what-if.txt"), &table(&report))?;
        write_file(&dir.join("what-if.csv"), &csv(&report))?;
        write_file(&dir.join("what-if.json"), &json(&report))?;
        for s in &report.scenarios {
            let roster = serde_json::to_string_pretty(&s.roster).unwrap_or_default();
            write_file(
                &dir.join(format!("roster-{}.json", file_name(&s.name))),
                &roster,
            )?;
        }
    }
    emit(&match args.format {
        WhatIfFormat::Table => table(&report),
        WhatIfFormat::Csv => csv(&report),
        WhatIfFormat::Json => json(&report),
    })?;
    Ok(0)
}

/// Prints the validation issues behind an error, then turns it into a refusal with the
/// error's code and pointer.
fn plan_error(path: &Path, e: WhatIfError, plan: Option<&whatif::WhatIf>) -> CliError {
    if let WhatIfError::BaseInvalid { errors } | WhatIfError::ScenarioInvalid { errors, .. } = &e {
        for issue in errors {
            note(&format_issue(issue));
        }
    }
    let code = e.code();
    let pointer = match &e {
        WhatIfError::Malformed { path, .. } => path.clone(),
        WhatIfError::BaseUnreadable { .. } | WhatIfError::BaseMalformed { .. } => "/base".into(),
        WhatIfError::BaseInvalid { errors } => errors
            .first()
            .map(|i| format!("/base{}", i.path))
            .unwrap_or_else(|| "/base".into()),
        WhatIfError::NoScenarios => "/scenarios".into(),
        WhatIfError::ScenarioInvalid { scenario, .. } => plan
            .and_then(|p| p.scenarios.iter().position(|s| &s.name == scenario))
            .map(|i| format!("/scenarios/{i}"))
            .unwrap_or_default(),
        e => plan.and_then(|p| e.pointer(p)).unwrap_or_default(),
    };
    let message = match e {
        WhatIfError::Solve { source, .. } => return CliError::Solve(source),
        // Without the solver's "(line 0, column 0)" when the position is unknown.
        WhatIfError::Malformed {
            path: at,
            line,
            column,
            message,
        } => format!(
            "E3100 the what-if file is not a valid plan at {}{}: {message}",
            or_root(&at),
            position(line, column)
        ),
        WhatIfError::BaseMalformed {
            file,
            path: at,
            line,
            column,
            message,
        } => format!(
            "E3102 base file {} is not a valid problem document at {}{}: {message}",
            quote(&file),
            or_root(&at),
            position(line, column)
        ),
        e => e.to_string(),
    };
    // The pointer follows in the error line's `[code: …, pointer: …]`.
    CliError::refused(
        code,
        pointer,
        format!("what-if file {}: {message}", show_path(path)),
    )
}

fn or_root(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the top level"
    } else {
        pointer
    }
}

/// `--out` writes `roster-NAME.json` per scenario with NAME reduced to safe characters:
/// refuse two scenarios (or one and the base) that would write the same file.
fn refuse_file_name_collisions(plan: &whatif::WhatIf) -> Result<(), CliError> {
    let mut seen: HashMap<String, (Option<usize>, &str)> = HashMap::new();
    seen.insert(file_name(whatif::BASE_NAME), (None, whatif::BASE_NAME));
    for (index, scenario) in plan.scenarios.iter().enumerate() {
        let file = file_name(&scenario.name);
        if let Some((_, other)) = seen.get(&file) {
            return Err(CliError::refused(
                "scenario_file_collision",
                format!("/scenarios/{index}/name"),
                format!(
                    "scenarios {} and {} would both write roster-{file}.json with --out; rename one",
                    quote(other),
                    quote(&scenario.name)
                ),
            ));
        }
        seen.insert(file, (Some(index), &scenario.name));
    }
    Ok(())
}

fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[derive(Serialize)]
struct JsonReport<'a> {
    scenarios: &'a [ScenarioOutcome],
}

fn json(report: &WhatIfReport) -> String {
    let mut text = serde_json::to_string_pretty(&JsonReport {
        scenarios: &report.scenarios,
    })
    .unwrap_or_default();
    text.push('\n');
    text
}

/// Rows of the comparison: a label and one cell per scenario.
fn rows(report: &WhatIfReport) -> Vec<(String, Vec<String>)> {
    let s = &report.scenarios;
    let cells = |f: &dyn Fn(&ScenarioOutcome) -> String| s.iter().map(f).collect::<Vec<_>>();
    let mut rows = vec![
        ("changes".to_string(), cells(&|o| o.changes.to_string())),
        ("cases".into(), cells(&|o| o.figures.cases.to_string())),
        ("held".into(), cells(&|o| o.figures.held.to_string())),
        (
            "held by day 30".into(),
            cells(&|o| o.figures.held_by_day_30.to_string()),
        ),
        ("late".into(), cells(&|o| o.figures.late.to_string())),
        (
            "unscheduled".into(),
            cells(&|o| o.figures.unscheduled.to_string()),
        ),
        (
            "carried over".into(),
            cells(&|o| o.figures.carried_over.to_string()),
        ),
        (
            "mean days to meeting".into(),
            cells(&|o| opt(o.figures.mean_days_to_meeting, 1)),
        ),
        (
            "family km".into(),
            cells(&|o| format!("{:.1}", o.figures.family_travel_km)),
        ),
        (
            "mediator km".into(),
            cells(&|o| format!("{:.1}", o.figures.mediator_travel_km)),
        ),
        (
            "utilisation".into(),
            cells(&|o| percent(o.figures.utilisation)),
        ),
    ];
    let mut regions: Vec<String> = Vec::new();
    let mut mediators: Vec<String> = Vec::new();
    for o in s {
        for r in &o.figures.by_region {
            if !regions.contains(&r.region) {
                regions.push(r.region.clone());
            }
        }
        for m in &o.figures.by_mediator {
            if !mediators.contains(&m.mediator) {
                mediators.push(m.mediator.clone());
            }
        }
    }
    for region in &regions {
        rows.push((
            format!("utilisation {region}"),
            cells(&|o| {
                o.figures
                    .by_region
                    .iter()
                    .find(|r| &r.region == region)
                    .map_or_else(|| "–".into(), |r| percent(r.utilisation))
            }),
        ));
    }
    for mediator in &mediators {
        rows.push((
            format!("utilisation {mediator}"),
            cells(&|o| {
                o.figures
                    .by_mediator
                    .iter()
                    .find(|m| &m.mediator == mediator)
                    .map_or_else(|| "–".into(), |m| format!("{}/{}", m.sessions, m.capacity))
            }),
        ));
    }
    rows.push((
        "status".into(),
        cells(&|o| status_name(o.solver.status).into()),
    ));
    rows.push(("gap".into(), cells(&|o| percent(o.solver.relative_gap))));
    rows
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "–".into(), |x| format!("{x:.digits$}"))
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |x| format!("{:.0}%", x * 100.0))
}

fn table(report: &WhatIfReport) -> String {
    let mut columns = vec![("", Align::Left)];
    columns.extend(
        report
            .scenarios
            .iter()
            .map(|s| (s.name.as_str(), Align::Right)),
    );
    let mut t = Table::new(&columns);
    for (label, cells) in rows(report) {
        let mut row = vec![label];
        row.extend(cells);
        t.row(row);
    }
    let mut out = t.render();
    out.push_str("\nUtilisation per mediator is sessions held / sessions they could hold.\n");
    for s in report.scenarios.iter().filter(|s| s.description.is_some()) {
        let _ = writeln!(
            out,
            "  {}: {}",
            s.name,
            s.description.as_deref().unwrap_or("")
        );
    }
    out
}

fn csv(report: &WhatIfReport) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("metric");
    for s in &report.scenarios {
        out.push(',');
        out.push_str(&field(&s.name));
    }
    out.push('\n');
    for (label, cells) in rows(report) {
        out.push_str(&field(&label));
        for c in cells {
            out.push(',');
            out.push_str(&field(&c.replace('–', "")));
        }
        out.push('\n');
    }
    out
}
