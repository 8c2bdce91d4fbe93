//! What-if capacity planning: a base problem and named scenarios, each a list of typed
//! changes (add or remove a mediator, close or add a venue, scale demand, change the session
//! templates, the weights or the horizon), solved side by side.
//!
//! Changes are applied to the base's [`ProblemInput`], in the order listed, and the result is
//! validated like any problem ([`crate::validate::validate`]), so a scenario can never build
//! a problem the rest of the crate would not trust. Every change is checked first against the
//! problem as it stands at that point; a bad change is reported with the scenario, the
//! change's index and the field ([`WhatIfError::Change`], with a stable `E3xxx` code).
//!
//! Scenarios are independent: [`run`] solves one per scenario, in parallel with rayon unless
//! asked not to, and returns them with the base (no changes) first. Parallel and serial
//! runs give the same rosters and figures (every solve is deterministic); only timings differ.
//!
//! ```
//! use mediation_solver::{milp::SolveOptions, whatif};
//!
//! let base = include_str!("../../fixtures/week-2026-12-07.json");
//! let json = format!(
//!     r#"{{"base": {base}, "scenarios": [{{"name": "no M012", "changes": [
//!         {{"kind": "remove_mediator", "id": "M012"}}]}}]}}"#
//! );
//! let plan = whatif::parse(&json, &|_: &str| Err("no files".to_string())).unwrap();
//! let report = whatif::run(&plan, &SolveOptions::default(), true).unwrap();
//! assert_eq!(report.scenarios[0].name, whatif::BASE_NAME);
//! assert!(report.scenarios[1].roster.meetings.iter().all(|m| m.mediator != "M012"));
//! ```

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::candidates::{WeightError, Weights};
use crate::input::{
    AvailabilityInput, DaySessions, MediatorInput, ProblemInput, SessionTemplateInput, VenueInput,
};
use crate::kpi::{self, MediatorKpis};
use crate::milp::{SolveError, SolveOptions, SolveStatus, SolverSummary};
use crate::model::Problem;
use crate::roster::Roster;
use crate::schedule;
use crate::validate::{self, InputError, Issue};

/// Name of the base column: the problem with no change.
pub const BASE_NAME: &str = "base";
/// The largest demand factor a scenario may ask for.
pub const MAX_DEMAND_FACTOR: f64 = 10.0;
/// The longest horizon a scenario may ask for, in weeks.
pub const MAX_WEEKS: u32 = 26;
/// Credentials of an added mediator stay valid this many days after the horizon's end.
const NEW_MEDIATOR_CREDENTIALS_DAYS: u64 = 365;

/// A what-if plan: the base problem and the scenarios to compare with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    pub base: ProblemInput,
    pub scenarios: Vec<Scenario>,
}

/// One named scenario: the base with these changes, applied in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique, non-empty, and not [`BASE_NAME`].
    pub name: String,
    /// What the scenario stands for, in a sentence (shown in JSON output only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub changes: Vec<Change>,
}

/// One change to the base problem. Serialised with a `kind` tag, e.g.
/// `{"kind": "venue_closed", "venue": "V013", "dates": ["2026-12-08"]}`. A change that
/// re-planning knows too has the same name and fields there ([`crate::replan::Change`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// A new mediator, with credentials valid through the horizon.
    AddMediator(NewMediator),
    /// A mediator leaves the pool.
    RemoveMediator { id: String },
    /// A venue is closed on these dates (whole days). Named as in re-planning; the
    /// spelling of earlier versions, `close_venue` with `id`, is still read (deprecated).
    #[serde(alias = "close_venue")]
    VenueClosed {
        #[serde(alias = "id")]
        venue: String,
        dates: Vec<NaiveDate>,
    },
    /// A new venue, given as in the problem's `venues`.
    AddVenue(VenueInput),
    /// Demand × `factor`: `ceil(factor × cases)` cases. Above 1, the extra cases are drawn
    /// from the existing ones (new references, clock starts drawn from the existing range);
    /// below 1, a seeded sample of the cases is kept.
    ScaleDemand {
        factor: f64,
        /// Seed of the draw (ChaCha8); the same seed gives the same cases.
        #[serde(default)]
        seed: u64,
    },
    /// Replaces the session templates (availability naming a template id must still find it).
    SessionTemplates {
        templates: Vec<SessionTemplateInput>,
    },
    /// Objective weights for this scenario; fields not given take their default.
    Weights { weights: Weights },
    /// A horizon of `weeks` weeks from the base's start: its end moves on by whole weeks.
    Horizon {
        weeks: u32,
        /// Repeat every availability entry of the first week in each later week (default
        /// true). Without it, people and venues that list their `available` days are free
        /// only in the first week.
        #[serde(default = "yes")]
        repeat_availability: bool,
    },
}

fn yes() -> bool {
    true
}

impl Change {
    /// The change's `kind` tag.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::AddMediator(_) => "add_mediator",
            Change::RemoveMediator { .. } => "remove_mediator",
            Change::VenueClosed { .. } => "venue_closed",
            Change::AddVenue(_) => "add_venue",
            Change::ScaleDemand { .. } => "scale_demand",
            Change::SessionTemplates { .. } => "session_templates",
            Change::Weights { .. } => "weights",
            Change::Horizon { .. } => "horizon",
        }
    }
}

/// A mediator to add: who they cover, when they work and how much.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewMediator {
    pub id: String,
    /// Defaults to "New mediator ID".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// GSS code of the area they travel from.
    pub home_area: String,
    /// GSS codes of the LAs they cover.
    pub covers: Vec<String>,
    /// Dates they work; none: every day of the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<NaiveDate>>,
    /// Session template ids they offer on those days; none: every session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<String>>,
    pub sessions_per_week: u32,
    #[serde(default = "two")]
    pub sessions_per_day: u32,
    #[serde(default)]
    pub languages: Vec<String>,
}

fn two() -> u32 {
    2
}

/// What went wrong with one change.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ChangeError {
    #[error("the problem has no mediator `{0}`")]
    UnknownMediator(String),
    #[error("a mediator `{0}` already exists")]
    DuplicateMediator(String),
    #[error("the problem has no venue `{0}`")]
    UnknownVenue(String),
    #[error("a venue `{0}` already exists")]
    DuplicateVenue(String),
    #[error("no area has GSS code `{0}`")]
    UnknownArea(String),
    #[error("no area belongs to an LA with GSS code `{0}`")]
    UnknownLa(String),
    #[error("{date} is outside the horizon {start}..{end}")]
    DateOutsideHorizon {
        date: NaiveDate,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error("no session template has id `{0}`")]
    UnknownSession(String),
    #[error("must be more than 0 and at most {MAX_DEMAND_FACTOR} (got {0})")]
    BadFactor(f64),
    #[error("must be between 1 and {MAX_WEEKS} (got {0})")]
    BadWeeks(u32),
    #[error("must not be empty")]
    Empty,
    #[error("must be at least 1")]
    Zero,
    /// A weight outside 0 to [`crate::candidates::MAX_WEIGHT`].
    #[error(transparent)]
    Weight(#[from] WeightError),
    #[error("the problem has no case to scale")]
    NoCases,
    #[error("would give {cases} cases, more than {most} ({MAX_DEMAND_FACTOR} times the base's) with the scenario's earlier changes")]
    DemandAboveBase { cases: usize, most: usize },
    #[error("the change would move the horizon to {0}, outside the supported dates {min} to {max}", min = validate::MIN_DATE, max = validate::MAX_DATE)]
    DateOutOfRange(String),
}

impl ChangeError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ChangeError::UnknownMediator(_) => "E3001",
            ChangeError::DuplicateMediator(_) => "E3002",
            ChangeError::UnknownVenue(_) => "E3003",
            ChangeError::DuplicateVenue(_) => "E3004",
            ChangeError::UnknownArea(_) => "E3005",
            ChangeError::UnknownLa(_) => "E3006",
            ChangeError::DateOutsideHorizon { .. } => "E3007",
            ChangeError::UnknownSession(_) => "E3008",
            ChangeError::BadFactor(_) => "E3009",
            ChangeError::BadWeeks(_) => "E3010",
            ChangeError::Empty => "E3011",
            ChangeError::Zero => "E3012",
            ChangeError::Weight(WeightError::Negative(_)) => "E3013",
            ChangeError::NoCases => "E3014",
            ChangeError::DateOutOfRange(_) => "E3015",
            ChangeError::Weight(WeightError::TooLarge(_)) => "E3016",
            ChangeError::DemandAboveBase { .. } => "E3017",
        }
    }
}

/// Why a what-if plan could not be run.
#[derive(Debug, thiserror::Error)]
pub enum WhatIfError {
    /// The plan is not JSON of the right shape.
    #[error("E3100 the what-if file is not a valid plan at {}: {message} (line {line}, column {column})", or_root(path))]
    Malformed {
        /// JSON pointer into the plan.
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// `base` names a file the loader could not read.
    #[error("E3101 base: cannot read `{file}`: {message}")]
    BaseUnreadable { file: String, message: String },
    /// The base file is not a problem document.
    #[error("E3102 base file `{file}` is not a valid problem document at {}: {message} (line {line}, column {column})", or_root(path))]
    BaseMalformed {
        file: String,
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The base problem itself fails validation.
    #[error("E3103 the base problem has {} validation error(s)", errors.len())]
    BaseInvalid { errors: Vec<Issue> },
    /// The plan has no scenario.
    #[error("E3104 scenarios: the plan has no scenario; add at least one")]
    NoScenarios,
    /// A scenario's name is empty, repeated or [`BASE_NAME`].
    #[error("E3105 /scenarios/{index}/name: scenario name `{name}` is empty, repeated or reserved (`base`)")]
    BadName { index: usize, name: String },
    /// A change cannot be applied.
    #[error("{} scenario `{scenario}`, change {change} ({kind}), field `{field}`: {error}", error.code())]
    Change {
        scenario: String,
        /// 0-based index in the scenario's `changes`.
        change: usize,
        kind: &'static str,
        /// The offending field, a JSON pointer relative to the change (e.g. `dates/1`).
        field: String,
        error: ChangeError,
    },
    /// The changed problem fails validation (a value no change check covers).
    #[error("E3106 scenario `{scenario}`: the changed problem has {} validation error(s), first {}: {}", errors.len(), errors.first().map_or("", |e| e.path.as_str()), errors.first().map_or("", |e| e.message.as_str()))]
    ScenarioInvalid {
        scenario: String,
        errors: Vec<Issue>,
    },
    /// A solve failed.
    #[error("E3107 scenario `{scenario}`: {source}")]
    Solve {
        scenario: String,
        #[source]
        source: SolveError,
    },
}

impl WhatIfError {
    /// Stable code (`E3xxx`).
    pub fn code(&self) -> &'static str {
        match self {
            WhatIfError::Malformed { .. } => "E3100",
            WhatIfError::BaseUnreadable { .. } => "E3101",
            WhatIfError::BaseMalformed { .. } => "E3102",
            WhatIfError::BaseInvalid { .. } => "E3103",
            WhatIfError::NoScenarios => "E3104",
            WhatIfError::BadName { .. } => "E3105",
            WhatIfError::Change { error, .. } => error.code(),
            WhatIfError::ScenarioInvalid { .. } => "E3106",
            WhatIfError::Solve { .. } => "E3107",
        }
    }

    /// JSON pointer into the plan of the offending value, when there is one.
    pub fn pointer(&self, plan: &WhatIf) -> Option<String> {
        match self {
            WhatIfError::Malformed { path, .. } => Some(path.clone()),
            WhatIfError::BadName { index, .. } => Some(format!("/scenarios/{index}/name")),
            WhatIfError::Change {
                scenario,
                change,
                field,
                ..
            } => {
                let index = plan.scenarios.iter().position(|s| &s.name == scenario)?;
                Some(format!("/scenarios/{index}/changes/{change}/{field}"))
            }
            _ => None,
        }
    }
}

fn or_root(path: &str) -> &str {
    if path.is_empty() {
        "the top level"
    } else {
        path
    }
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/// Parses a what-if file. `base` is either an inline problem document or a string naming
/// one; `load` turns that string into the document's text (the command line reads a path
/// relative to the what-if file; the library does no I/O).
pub fn parse(
    json: &str,
    load: &dyn Fn(&str) -> Result<String, String>,
) -> Result<WhatIf, WhatIfError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        base: serde_json::Value,
        scenarios: Vec<Scenario>,
    }
    let malformed = |path: String, e: &serde_json::Error| WhatIfError::Malformed {
        path,
        line: e.line(),
        column: e.column(),
        message: strip_position(e),
    };
    let mut de = serde_json::Deserializer::from_str(json);
    let raw: Raw = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| malformed(pointer(e.path()), e.inner()))?;
    de.end().map_err(|e| malformed(String::new(), &e))?;
    let base = match raw.base {
        serde_json::Value::String(file) => {
            let text = load(&file).map_err(|message| WhatIfError::BaseUnreadable {
                file: file.clone(),
                message,
            })?;
            let mut de = serde_json::Deserializer::from_str(&text);
            let base: ProblemInput = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                WhatIfError::BaseMalformed {
                    file: file.clone(),
                    path: pointer(e.path()),
                    line: e.inner().line(),
                    column: e.inner().column(),
                    message: strip_position(e.inner()),
                }
            })?;
            base
        }
        value => serde_path_to_error::deserialize(value).map_err(|e| WhatIfError::Malformed {
            path: format!("/base{}", pointer(e.path())),
            line: 0,
            column: 0,
            message: e.inner().to_string(),
        })?,
    };
    Ok(WhatIf {
        base,
        scenarios: raw.scenarios,
    })
}

fn strip_position(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&position).unwrap_or(&full).to_string()
}

fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{}", key.replace('~', "~0").replace('/', "~1"))),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Applying changes
// ---------------------------------------------------------------------------------------

/// A scenario ready to solve: its validated problem and the weights it solves with.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub name: String,
    pub description: Option<String>,
    /// How many changes were applied (0 for the base).
    pub changes: usize,
    pub input: ProblemInput,
    pub problem: Problem,
    pub weights: Weights,
    /// Validation warnings of the changed problem.
    pub warnings: Vec<Issue>,
}

/// Applies every scenario's changes and validates the results: the base first, then each
/// scenario in the plan's order. Stops at the first error.
pub fn prepare(plan: &WhatIf, weights: &Weights) -> Result<Vec<Prepared>, WhatIfError> {
    if plan.scenarios.is_empty() {
        return Err(WhatIfError::NoScenarios);
    }
    for (index, s) in plan.scenarios.iter().enumerate() {
        let repeated = plan.scenarios[..index].iter().any(|o| o.name == s.name);
        if s.name.trim().is_empty() || s.name == BASE_NAME || repeated {
            return Err(WhatIfError::BadName {
                index,
                name: s.name.clone(),
            });
        }
    }
    let mut out = vec![prepare_base(plan, weights)?];
    for scenario in &plan.scenarios {
        out.push(prepare_scenario(&plan.base, scenario, weights)?);
    }
    Ok(out)
}

/// The base of a plan, validated, as a scenario without changes.
pub fn prepare_base(plan: &WhatIf, weights: &Weights) -> Result<Prepared, WhatIfError> {
    let base = match validate::validate(&plan.base) {
        Ok(v) => v,
        Err(InputError::Invalid { errors, .. }) => return Err(WhatIfError::BaseInvalid { errors }),
        Err(InputError::Malformed { message, path, .. }) => {
            return Err(WhatIfError::BaseInvalid {
                errors: vec![Issue {
                    code: "E3102",
                    severity: validate::Severity::Error,
                    path,
                    message,
                    hint: String::new(),
                }],
            })
        }
    };
    Ok(Prepared {
        name: BASE_NAME.to_string(),
        description: None,
        changes: 0,
        input: plan.base.clone(),
        problem: base.problem,
        weights: *weights,
        warnings: base.warnings,
    })
}

/// Scenario `index` of the plan prepared alone: 0 is the base, `i` the plan's `i`-th
/// scenario (from 1). What a what-if job's child solves.
pub fn prepare_one(
    plan: &WhatIf,
    weights: &Weights,
    index: usize,
) -> Result<Prepared, WhatIfError> {
    match index.checked_sub(1) {
        None => prepare_base(plan, weights),
        Some(i) => match plan.scenarios.get(i) {
            Some(scenario) => prepare_scenario(&plan.base, scenario, weights),
            None => Err(WhatIfError::NoScenarios),
        },
    }
}

/// Applies one scenario's changes to `base` and validates the result.
pub fn prepare_scenario(
    base: &ProblemInput,
    scenario: &Scenario,
    weights: &Weights,
) -> Result<Prepared, WhatIfError> {
    let (input, weights) = apply_changes(base, scenario, weights)?;
    match validate::validate(&input) {
        Ok(v) => Ok(Prepared {
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            changes: scenario.changes.len(),
            input,
            problem: v.problem,
            weights,
            warnings: v.warnings,
        }),
        Err(InputError::Invalid { errors, .. }) => Err(WhatIfError::ScenarioInvalid {
            scenario: scenario.name.clone(),
            errors,
        }),
        Err(InputError::Malformed { .. }) => Err(WhatIfError::ScenarioInvalid {
            scenario: scenario.name.clone(),
            errors: Vec::new(),
        }),
    }
}

/// The base with the scenario's changes applied in order, and the scenario's weights.
/// Nothing is validated beyond each change's own checks.
pub fn apply_changes(
    base: &ProblemInput,
    scenario: &Scenario,
    weights: &Weights,
) -> Result<(ProblemInput, Weights), WhatIfError> {
    let mut input = base.clone();
    let mut weights = *weights;
    let mut added_mediators = Vec::new();
    for (i, change) in scenario.changes.iter().enumerate() {
        let fail = |field: &str, error: ChangeError| WhatIfError::Change {
            scenario: scenario.name.clone(),
            change: i,
            kind: change.kind(),
            field: field.to_string(),
            error,
        };
        match change {
            Change::AddMediator(m) => {
                add_mediator(&mut input, m).map_err(|(f, e)| fail(&f, e))?;
                added_mediators.push(m.id.clone());
            }
            Change::RemoveMediator { id } => {
                let before = input.mediators.len();
                input.mediators.retain(|m| &m.id != id);
                if input.mediators.len() == before {
                    return Err(fail("id", ChangeError::UnknownMediator(id.clone())));
                }
            }
            Change::VenueClosed { venue: id, dates } => {
                let (start, end) = (input.horizon.start, input.horizon.end);
                if dates.is_empty() {
                    return Err(fail("dates", ChangeError::Empty));
                }
                if let Some(k) = dates.iter().position(|d| *d < start || *d > end) {
                    let date = dates[k];
                    return Err(fail(
                        &format!("dates/{k}"),
                        ChangeError::DateOutsideHorizon { date, start, end },
                    ));
                }
                let venue = input
                    .venues
                    .iter_mut()
                    .find(|v| &v.id == id)
                    .ok_or_else(|| fail("venue", ChangeError::UnknownVenue(id.clone())))?;
                for &date in dates {
                    venue.availability.unavailable.push(DaySessions {
                        date,
                        sessions: None,
                    });
                }
            }
            Change::AddVenue(v) => add_venue(&mut input, v).map_err(|(f, e)| fail(&f, e))?,
            Change::ScaleDemand { factor, seed } => {
                // Each change scales the cases as they stand: together they may not take the
                // scenario beyond `MAX_DEMAND_FACTOR` × the base's (fifty changes of 1.3 asked
                // for 500,000 times the cases and ran out of memory).
                let most = target_cases(MAX_DEMAND_FACTOR, base.cases.len());
                let cases = target_cases(*factor, input.cases.len());
                if factor.is_finite() && *factor > 0.0 && cases > most {
                    return Err(fail("factor", ChangeError::DemandAboveBase { cases, most }));
                }
                scale_demand(&mut input, *factor, *seed).map_err(|(f, e)| fail(&f, e))?
            }
            Change::SessionTemplates { templates } => {
                if templates.is_empty() {
                    return Err(fail("templates", ChangeError::Empty));
                }
                input.session_templates = Some(templates.clone());
            }
            Change::Weights { weights: w } => {
                if let Some((name, refused)) = w.refused().into_iter().next() {
                    return Err(fail(&format!("weights/{name}"), refused.into()));
                }
                weights = *w;
            }
            Change::Horizon {
                weeks,
                repeat_availability,
            } => {
                if *weeks == 0 || *weeks > MAX_WEEKS {
                    return Err(fail("weeks", ChangeError::BadWeeks(*weeks)));
                }
                extend_horizon(&mut input, *weeks, *repeat_availability)
                    .map_err(|e| fail("weeks", e))?;
            }
        }
    }
    // Credentials of added mediators run past the final horizon, whatever came after them
    // (at most to the last supported date, which is past any valid horizon).
    let valid_until = input
        .horizon
        .end
        .checked_add_days(Days::new(NEW_MEDIATOR_CREDENTIALS_DAYS))
        .map_or(validate::MAX_DATE, |d| d.min(validate::MAX_DATE))
        .max(input.horizon.end);
    for m in input
        .mediators
        .iter_mut()
        .filter(|m| added_mediators.contains(&m.id))
    {
        m.accreditation_expires = valid_until;
        m.register_expires = valid_until;
        m.insurance_expires = valid_until;
        m.dbs_expires = valid_until;
    }
    Ok((input, weights))
}

type FieldError = (String, ChangeError);

fn field(name: &str, error: ChangeError) -> FieldError {
    (name.to_string(), error)
}

fn area_codes(input: &ProblemInput) -> (Vec<String>, Vec<String>) {
    let areas = input.areas.clone().unwrap_or_else(validate::default_areas);
    (
        areas.iter().map(|a| a.gss_code.clone()).collect(),
        areas.iter().map(|a| a.la_code.clone()).collect(),
    )
}

fn template_ids(input: &ProblemInput) -> Vec<String> {
    input
        .session_templates
        .clone()
        .unwrap_or_else(validate::default_templates)
        .into_iter()
        .map(|t| t.id)
        .collect()
}

fn add_mediator(input: &mut ProblemInput, m: &NewMediator) -> Result<(), FieldError> {
    if m.id.trim().is_empty() {
        return Err(field("id", ChangeError::Empty));
    }
    if input.mediators.iter().any(|o| o.id == m.id) {
        return Err(field("id", ChangeError::DuplicateMediator(m.id.clone())));
    }
    let (areas, las) = area_codes(input);
    if !areas.contains(&m.home_area) {
        return Err(field(
            "home_area",
            ChangeError::UnknownArea(m.home_area.clone()),
        ));
    }
    if m.covers.is_empty() {
        return Err(field("covers", ChangeError::Empty));
    }
    if let Some((k, la)) = m
        .covers
        .iter()
        .enumerate()
        .find(|(_, la)| !las.contains(la))
    {
        return Err(field(
            &format!("covers/{k}"),
            ChangeError::UnknownLa(la.clone()),
        ));
    }
    if m.sessions_per_week == 0 {
        return Err(field("sessions_per_week", ChangeError::Zero));
    }
    if m.sessions_per_day == 0 {
        return Err(field("sessions_per_day", ChangeError::Zero));
    }
    let (start, end) = (input.horizon.start, input.horizon.end);
    if let Some(days) = &m.days {
        if days.is_empty() {
            return Err(field("days", ChangeError::Empty));
        }
        if let Some(k) = days.iter().position(|d| *d < start || *d > end) {
            let date = days[k];
            return Err(field(
                &format!("days/{k}"),
                ChangeError::DateOutsideHorizon { date, start, end },
            ));
        }
    }
    if let Some(sessions) = &m.sessions {
        if sessions.is_empty() {
            return Err(field("sessions", ChangeError::Empty));
        }
        let ids = template_ids(input);
        if let Some((k, s)) = sessions.iter().enumerate().find(|(_, s)| !ids.contains(s)) {
            return Err(field(
                &format!("sessions/{k}"),
                ChangeError::UnknownSession(s.clone()),
            ));
        }
    }
    let available = match (&m.days, &m.sessions) {
        (None, None) => None,
        (days, sessions) => {
            let days = days.clone().unwrap_or_else(|| {
                start
                    .iter_days()
                    .take_while(|d| *d <= end)
                    .collect::<Vec<_>>()
            });
            Some(
                days.into_iter()
                    .map(|date| DaySessions {
                        date,
                        sessions: sessions.clone(),
                    })
                    .collect(),
            )
        }
    };
    input.mediators.push(MediatorInput {
        id: m.id.clone(),
        name: m
            .name
            .clone()
            .unwrap_or_else(|| format!("New mediator {}", m.id)),
        home_area: m.home_area.clone(),
        covers: m.covers.clone(),
        // Set once every change is applied (see `apply_changes`).
        accreditation_expires: end,
        register_expires: end,
        insurance_expires: end,
        dbs_expires: end,
        languages: m.languages.clone(),
        max_sessions_per_day: m.sessions_per_day,
        max_sessions_per_week: m.sessions_per_week,
        availability: AvailabilityInput {
            available,
            unavailable: Vec::new(),
        },
        conflicts: Vec::new(),
        employers: Vec::new(),
        session_cost: 0,
    });
    Ok(())
}

fn add_venue(input: &mut ProblemInput, v: &VenueInput) -> Result<(), FieldError> {
    if v.id.trim().is_empty() {
        return Err(field("id", ChangeError::Empty));
    }
    if input.venues.iter().any(|o| o.id == v.id) {
        return Err(field("id", ChangeError::DuplicateVenue(v.id.clone())));
    }
    let (areas, _) = area_codes(input);
    if !areas.contains(&v.area) {
        return Err(field("area", ChangeError::UnknownArea(v.area.clone())));
    }
    if v.rooms == 0 {
        return Err(field("rooms", ChangeError::Zero));
    }
    input.venues.push(v.clone());
    Ok(())
}

/// Scales the cases to `ceil(factor × n)`. Extra cases copy a case drawn uniformly (its
/// LA, family area, parties and needs: never personal data) under a new reference
/// `WI-<seed>-<k>`, with a clock start drawn uniformly from the existing range.
fn scale_demand(input: &mut ProblemInput, factor: f64, seed: u64) -> Result<(), FieldError> {
    if !factor.is_finite() || factor <= 0.0 || factor > MAX_DEMAND_FACTOR {
        return Err(field("factor", ChangeError::BadFactor(factor)));
    }
    let n = input.cases.len();
    if n == 0 {
        return Err(field("factor", ChangeError::NoCases));
    }
    let target = target_cases(factor, n);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    if target <= n {
        let mut keep = rand::seq::index::sample(&mut rng, n, target).into_vec();
        keep.sort_unstable();
        let cases = std::mem::take(&mut input.cases);
        input.cases = keep.into_iter().map(|i| cases[i].clone()).collect();
        return Ok(());
    }
    let first = input
        .cases
        .iter()
        .map(|c| c.clock_start)
        .min()
        .unwrap_or(input.horizon.start);
    let last = input
        .cases
        .iter()
        .map(|c| c.clock_start)
        .max()
        .unwrap_or(first);
    let span = (last - first).num_days().max(0) as u64;
    // The references taken, so that finding a free one is not a scan of every case (up to
    // ten times the input's, which a fuzzed input makes thousands).
    let mut taken: std::collections::HashSet<String> =
        input.cases.iter().map(|c| c.reference.clone()).collect();
    let mut k = 0u32;
    for _ in n..target {
        let mut case = input.cases[rng.gen_range(0..n)].clone();
        let reference = loop {
            k += 1;
            let r = format!("WI-{seed}-{k:04}");
            if taken.insert(r.clone()) {
                break r;
            }
        };
        case.reference = reference;
        case.clock_start = first + Days::new(rng.gen_range(0..=span));
        input.cases.push(case);
    }
    Ok(())
}

/// `ceil(factor × n)`, robust to float noise (1.3 × 30 is 39, not 40).
pub fn target_cases(factor: f64, n: usize) -> usize {
    let exact = factor * n as f64;
    let rounded = exact.round();
    if (exact - rounded).abs() < 1e-9 {
        rounded as usize
    } else {
        exact.ceil() as usize
    }
}

/// Moves the horizon's end on to cover `weeks` weeks from its start and, when asked,
/// repeats each first-week availability entry in every later week. A new end past the last
/// supported date ([`validate::MAX_DATE`]) is refused (E3015) and nothing is changed.
fn extend_horizon(input: &mut ProblemInput, weeks: u32, repeat: bool) -> Result<(), ChangeError> {
    let out_of_range = |what: String| ChangeError::DateOutOfRange(what);
    let first_end = match input.horizon.start.checked_add_days(Days::new(6)) {
        Some(d) => input.horizon.end.min(d),
        None => input.horizon.end,
    };
    let base_end = input.horizon.end;
    let extra = 7 * u64::from(weeks.saturating_sub(1));
    let new_end = first_end
        .checked_add_days(Days::new(extra))
        .filter(|d| *d <= validate::MAX_DATE)
        .ok_or_else(|| out_of_range(format!("{first_end} + {extra} days")))?;
    input.horizon.end = new_end;
    if !repeat || weeks <= 1 {
        return Ok(());
    }
    let start = input.horizon.start;
    let repeat_entries = |entries: &mut Vec<DaySessions>| {
        let firsts: Vec<DaySessions> = entries
            .iter()
            .filter(|e| e.date >= start && e.date <= first_end)
            .cloned()
            .collect();
        for week in 1..weeks {
            for e in &firsts {
                let Some(date) = e.date.checked_add_days(Days::new(7 * u64::from(week))) else {
                    continue;
                };
                if date > base_end {
                    entries.push(DaySessions {
                        date,
                        sessions: e.sessions.clone(),
                    });
                }
            }
        }
    };
    let repeat_availability = |a: &mut AvailabilityInput| {
        if let Some(available) = a.available.as_mut() {
            repeat_entries(available);
        }
        repeat_entries(&mut a.unavailable);
    };
    for m in &mut input.mediators {
        repeat_availability(&mut m.availability);
    }
    for i in &mut input.interpreters {
        repeat_availability(&mut i.availability);
    }
    for v in &mut input.venues {
        repeat_availability(&mut v.availability);
    }
    for c in &mut input.cases {
        for p in &mut c.parties {
            repeat_availability(&mut p.availability);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Solving and comparing
// ---------------------------------------------------------------------------------------

/// The figures compared side by side, and the roster behind them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioOutcome {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Changes applied (0 for the base).
    pub changes: usize,
    pub figures: Figures,
    pub solver: SolverSummary,
    pub roster: Roster,
}

/// One scenario's key figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figures {
    pub cases: usize,
    pub held: usize,
    pub held_by_day_30: usize,
    pub late: usize,
    pub unscheduled: usize,
    pub carried_over: usize,
    pub mean_days_to_meeting: Option<f64>,
    /// Road km families travel, summed over in-person meetings.
    pub family_travel_km: f64,
    /// Road km mediators travel from home, summed over in-person meetings.
    pub mediator_travel_km: f64,
    /// Sessions held over sessions the pool could hold (every mediator's capacity).
    pub utilisation: Option<f64>,
    /// Utilisation of the mediators living in each region (London, then the others by
    /// name): a region is London for London boroughs, else the LA's name.
    pub by_region: Vec<RegionUtilisation>,
    /// Each mediator's sessions, capacity and utilisation.
    pub by_mediator: Vec<MediatorKpis>,
    pub status: SolveStatus,
    pub relative_gap: Option<f64>,
}

/// Sessions held and capacity of the mediators living in one region.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionUtilisation {
    pub region: String,
    pub mediators: usize,
    pub sessions: u32,
    pub capacity: u32,
    pub utilisation: Option<f64>,
}

/// Every scenario's outcome, the base first.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WhatIfReport {
    pub scenarios: Vec<ScenarioOutcome>,
}

/// Prepares and solves every scenario (the base first), in parallel unless `parallel` is
/// false. `options.weights` are the base's weights; a `weights` change replaces them for
/// its scenario. HiGHS' thread count is the crate's constant
/// ([`crate::milp::HIGHS_THREADS`]), as concurrent solves in one process must share it.
pub fn run(
    plan: &WhatIf,
    options: &SolveOptions,
    parallel: bool,
) -> Result<WhatIfReport, WhatIfError> {
    let prepared = prepare(plan, &options.weights)?;
    let solve = |p: &Prepared| solve_one(p, options);
    let outcomes: Vec<Result<ScenarioOutcome, WhatIfError>> = if parallel {
        prepared.par_iter().map(solve).collect()
    } else {
        prepared.iter().map(solve).collect()
    };
    Ok(WhatIfReport {
        scenarios: outcomes.into_iter().collect::<Result<_, _>>()?,
    })
}

/// Solves one prepared scenario.
pub fn solve_one(p: &Prepared, options: &SolveOptions) -> Result<ScenarioOutcome, WhatIfError> {
    let options = SolveOptions {
        weights: p.weights,
        ..options.clone()
    };
    let outcome =
        schedule::schedule(&p.problem, &options).map_err(|source| WhatIfError::Solve {
            scenario: p.name.clone(),
            source,
        })?;
    Ok(ScenarioOutcome {
        name: p.name.clone(),
        description: p.description.clone(),
        changes: p.changes,
        figures: figures(&p.problem, &outcome.roster, &outcome.solver),
        solver: outcome.solver,
        roster: outcome.roster,
    })
}

/// The region a mediator's home area belongs to: London for London boroughs (GSS `E09`),
/// else the name of the area's LA without " County Council".
pub fn region_of(problem: &Problem, area: usize) -> String {
    let a = &problem.areas[area];
    if a.la_code.starts_with("E09") {
        "London".to_string()
    } else {
        a.la_name.trim_end_matches(" County Council").to_string()
    }
}

/// The figures of one roster.
pub fn figures(problem: &Problem, roster: &Roster, solver: &SolverSummary) -> Figures {
    let k = kpi::kpis(problem, roster);
    let o = &k.overall;
    let mut regions: BTreeMap<String, RegionUtilisation> = BTreeMap::new();
    for (m, figures) in k.mediators.iter().enumerate() {
        let region = region_of(problem, problem.mediators[m].home_area);
        let r = regions.entry(region.clone()).or_insert(RegionUtilisation {
            region,
            mediators: 0,
            sessions: 0,
            capacity: 0,
            utilisation: None,
        });
        r.mediators += 1;
        r.sessions += figures.sessions;
        r.capacity += figures.capacity;
    }
    let mut by_region: Vec<RegionUtilisation> = regions.into_values().collect();
    by_region.sort_by_key(|r| (r.region != "London", r.region.clone()));
    for r in &mut by_region {
        r.utilisation = ratio(r.sessions, r.capacity);
    }
    let sessions: u32 = k.mediators.iter().map(|m| m.sessions).sum();
    let capacity: u32 = (0..problem.mediators.len())
        .map(|m| problem.horizon_capacity(m))
        .sum();
    Figures {
        cases: o.cases,
        held: o.held,
        held_by_day_30: o.held_by_day_30,
        late: o.late,
        unscheduled: o.unscheduled,
        carried_over: o.carried_over,
        mean_days_to_meeting: o.mean_days_to_meeting,
        family_travel_km: o.family_travel_km_total,
        mediator_travel_km: o.mediator_travel_km_total,
        utilisation: ratio(sessions, capacity),
        by_region,
        by_mediator: k.mediators,
        status: solver.status,
        relative_gap: solver.relative_gap,
    }
}

fn ratio(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| f64::from(a) / f64::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_cases_is_the_ceiling_without_float_noise() {
        assert_eq!(target_cases(1.3, 30), 39);
        assert_eq!(target_cases(1.0, 30), 30);
        assert_eq!(target_cases(1.25, 30), 38);
        assert_eq!(target_cases(0.5, 3), 2);
    }

    #[test]
    fn change_kinds_round_trip_through_their_tag() {
        let change: Change =
            serde_json::from_str(r#"{"kind":"horizon","weeks":2}"#).expect("a change");
        assert!(matches!(
            change,
            Change::Horizon {
                weeks: 2,
                repeat_availability: true
            }
        ));
        assert_eq!(change.kind(), "horizon");
        let unknown = serde_json::from_str::<Change>(r#"{"kind":"horizon","weeks":2,"x":1}"#);
        assert!(unknown.is_err(), "unknown fields are rejected");
    }
}
