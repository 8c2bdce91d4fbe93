//! The what-if job: the command line's what-if document (docs/what-if.md) with its base
//! problem inline, solved scenario by scenario beside the base. Its preparation checks the
//! whole document and lists every error at once: the base problem's validation errors,
//! every bad scenario name, and in each scenario the first change that cannot be applied
//! (the changes of one scenario apply in order, so the later ones depend on it) or the
//! errors of the problem its changes give.
//!
//! Its run fans out: the base and every scenario become child jobs ([`ScenarioJob`], one
//! solve slot each, claimed by any worker of any replica), and when they have all finished
//! the job collects their outcomes into the table a single solve would give
//! ([`WhatIfJob::collect`]). A child that failed fails its scenario only: its row names the
//! scenario and the failure.

use std::panic::{catch_unwind, AssertUnwindSafe};

use mediation_solver::candidates::Weights;
use mediation_solver::milp::SolveOptions;
use mediation_solver::validate::{self, InputError};
use mediation_solver::whatif::{self, WhatIf, WhatIfError, BASE_NAME};
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::{failure_code, Finished, Job, JobRequest, RunContext};
use crate::api::body::require_object;
use crate::api::error::{ApiError, IssueView};
use crate::api::store::{ChildRecord, JobFailure, JobState, NewChild};

const HINT: &str = "see docs/what-if.md";

/// A what-if job: `/what_if` of the body.
#[derive(Debug)]
pub struct WhatIfJob {
    pub document: Box<RawValue>,
}

/// Parses a what-if document whose base is inline (a path is refused: the service reads
/// no files).
pub fn parse_inline(text: &str) -> Result<WhatIf, WhatIfError> {
    let refuse = |_: &str| Err("the base must be given inline, not as a file path".to_string());
    whatif::parse(text, &refuse)
}

/// [`parse_inline`], its error as text.
pub fn parse_plan(text: &str) -> Result<WhatIf, String> {
    parse_inline(text).map_err(|e| format!("{e} ({})", e.code()))
}

/// The plan of a stored job (checked when it was accepted): a document that no longer
/// parses fails the job with `invalid_what_if`.
fn stored_plan(document: &RawValue) -> Result<WhatIf, JobFailure> {
    parse_plan(document.get()).map_err(|message| JobFailure {
        code: "invalid_what_if".into(),
        message,
    })
}

impl WhatIfJob {
    /// Parses the document and checks the base, every scenario and every change: the plan,
    /// or 422 `invalid_what_if` listing every error found (and the base's warnings).
    pub fn prepare(&self) -> Result<WhatIf, ApiError> {
        require_object(&self.document, "/what_if")?;
        let plan = parse_inline(self.document.get()).map_err(|e| {
            let pointer = match &e {
                WhatIfError::Malformed { path, .. } => path.clone(),
                WhatIfError::BaseUnreadable { .. } | WhatIfError::BaseMalformed { .. } => {
                    "/base".into()
                }
                _ => String::new(),
            };
            ApiError::InvalidWhatIf {
                errors: vec![issue(&e, &pointer)],
                warnings: Vec::new(),
            }
        })?;
        let (errors, warnings) = check(&plan);
        if errors.is_empty() {
            Ok(plan)
        } else {
            Err(ApiError::InvalidWhatIf { errors, warnings })
        }
    }

    /// The child jobs: the base (index 0) and each scenario, with the job's options.
    pub fn children(&self, options: &SolveOptions) -> Result<Vec<NewChild>, JobFailure> {
        let plan = stored_plan(&self.document)?;
        (0..=plan.scenarios.len())
            .map(|index| {
                let index = u32::try_from(index).map_err(|_| JobFailure {
                    code: "invalid_what_if".into(),
                    message: "too many scenarios".into(),
                })?;
                let job = Job {
                    request: JobRequest::Scenario(ScenarioJob {
                        document: self.document.clone(),
                        index,
                    }),
                    options: options.clone(),
                };
                let request = job.encode().map_err(|e| JobFailure {
                    code: "internal".into(),
                    message: format!("cannot store a scenario: {e}"),
                })?;
                Ok(NewChild {
                    id: Uuid::new_v4(),
                    index,
                    request,
                })
            })
            .collect()
    }

    /// The table of the finished children, the base first: each child's outcome as it
    /// stored it, or for a child that failed, `{ "name", "failed": { "code", "message" } }`.
    pub fn collect(&self, children: &[ChildRecord]) -> Result<String, JobFailure> {
        let plan = stored_plan(&self.document)?;
        let internal = |message: String| JobFailure {
            code: "internal".into(),
            message,
        };
        let mut rows: Vec<Box<RawValue>> = Vec::with_capacity(children.len());
        for (expected, child) in children.iter().enumerate() {
            if child.index as usize != expected {
                return Err(internal(format!("scenario {expected} has no child job")));
            }
            let name = match expected.checked_sub(1) {
                None => BASE_NAME,
                Some(i) => plan.scenarios.get(i).map_or("?", |s| s.name.as_str()),
            };
            let row = match (&child.state, &child.result) {
                (JobState::Done, Some(result)) => RawValue::from_string(result.clone())
                    .map_err(|e| internal(format!("scenario `{name}`: unreadable result: {e}")))?,
                _ => {
                    let failed = child.failure.clone().unwrap_or(JobFailure {
                        code: "cancelled".into(),
                        message: format!("the scenario ended {}", child.state.as_str()),
                    });
                    serde_json::value::to_raw_value(&FailedScenario { name, failed })
                        .map_err(|e| internal(e.to_string()))?
                }
            };
            rows.push(row);
        }
        if rows.len() != plan.scenarios.len() + 1 {
            return Err(internal(format!(
                "{} of {} scenarios have a child job",
                rows.len(),
                plan.scenarios.len() + 1
            )));
        }
        serde_json::to_string(&Table { scenarios: rows }).map_err(|e| internal(e.to_string()))
    }
}

#[derive(Serialize)]
struct Table {
    scenarios: Vec<Box<RawValue>>,
}

/// The row of a scenario whose child job failed.
#[derive(Serialize)]
struct FailedScenario<'a> {
    name: &'a str,
    failed: JobFailure,
}

/// A child of a what-if job: scenario `index` (0: the base) of the parent's document.
#[derive(Debug)]
pub struct ScenarioJob {
    pub document: Box<RawValue>,
    pub index: u32,
}

impl ScenarioJob {
    /// Prepares this scenario alone and solves it: its outcome (figures, solver summary,
    /// roster), as one row of the what-if table.
    pub async fn run(
        self,
        mut options: SolveOptions,
        ctx: RunContext,
    ) -> Result<Finished, JobFailure> {
        options.cancel = Some(ctx.cancel);
        options.started = Some(ctx.started);
        options.max_candidates = ctx.max_candidates;
        let slot = ctx.slot;
        let document = self.document;
        let index = self.index as usize;
        let joined = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let plan = stored_plan(&document)?;
            let failed = |e: WhatIfError| JobFailure {
                code: match &e {
                    WhatIfError::Solve { source, .. } => failure_code(source),
                    _ => "solve_failed",
                }
                .into(),
                message: e.to_string(),
            };
            let prepared = whatif::prepare_one(&plan, &options.weights, index).map_err(failed)?;
            let outcome = catch_unwind(AssertUnwindSafe(|| whatif::solve_one(&prepared, &options)))
                .map_err(|_| JobFailure {
                    code: "solver_panicked".into(),
                    message: "the solver stopped on an internal error".into(),
                })?
                .map_err(failed)?;
            serde_json::to_string(&outcome).map_err(|e| JobFailure {
                code: "internal".into(),
                message: format!("cannot store the result: {e}"),
            })
        })
        .await;
        let result = joined.unwrap_or_else(|_| {
            Err(JobFailure {
                code: "solver_panicked".into(),
                message: "the scenario task was lost".into(),
            })
        })?;
        Ok(Finished {
            result,
            solve: None,
        })
    }
}

/// Every error of a parsed plan, and the base's warnings. The checks are the solver
/// crate's (`whatif::prepare_scenario`, `whatif::apply_changes`, `validate::validate`),
/// run on every scenario instead of stopping at the first error.
fn check(plan: &WhatIf) -> (Vec<IssueView>, Vec<IssueView>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    if plan.scenarios.is_empty() {
        errors.push(issue(&WhatIfError::NoScenarios, "/scenarios"));
    }
    for (index, s) in plan.scenarios.iter().enumerate() {
        let repeated = plan.scenarios[..index].iter().any(|o| o.name == s.name);
        if s.name.trim().is_empty() || s.name == BASE_NAME || repeated {
            let e = WhatIfError::BadName {
                index,
                name: s.name.clone(),
            };
            errors.push(issue(&e, &format!("/scenarios/{index}/name")));
        }
    }
    let base_valid = match validate::validate(&plan.base) {
        Ok(v) => {
            warnings.extend(v.warnings.iter().map(|i| IssueView::of(i, "/what_if/base")));
            true
        }
        Err(InputError::Invalid {
            errors: e,
            warnings: w,
        }) => {
            errors.extend(e.iter().map(|i| IssueView::of(i, "/what_if/base")));
            warnings.extend(w.iter().map(|i| IssueView::of(i, "/what_if/base")));
            false
        }
        Err(InputError::Malformed { path, message, .. }) => {
            errors.push(IssueView {
                code: "E3102".into(),
                severity: "error".into(),
                pointer: format!("/what_if/base{path}"),
                message: format!("the base is not a valid problem document: {message}"),
                hint: HINT.into(),
            });
            false
        }
    };
    // The weights only travel with a scenario (a `weights` change checks its own), so the
    // defaults do for checking.
    let weights = Weights::default();
    for (index, scenario) in plan.scenarios.iter().enumerate() {
        // With an invalid base, every scenario's problem repeats the base's errors: only
        // its changes are checked.
        let checked = if base_valid {
            whatif::prepare_scenario(&plan.base, scenario, &weights).map(drop)
        } else {
            whatif::apply_changes(&plan.base, scenario, &weights).map(drop)
        };
        if let Err(e) = checked {
            errors.extend(scenario_errors(&e, index));
        }
    }
    (errors, warnings)
}

/// The issues of one scenario's error: a change that cannot be applied at its field, each
/// validation error of the changed problem at the scenario's changes (the changed problem
/// is not in the request, so its own pointers cannot be given).
fn scenario_errors(e: &WhatIfError, index: usize) -> Vec<IssueView> {
    let at = format!("/scenarios/{index}");
    match e {
        WhatIfError::Change { change, field, .. } => {
            vec![issue(e, &format!("{at}/changes/{change}/{field}"))]
        }
        WhatIfError::ScenarioInvalid { scenario, errors } if !errors.is_empty() => errors
            .iter()
            .map(|i| IssueView {
                code: e.code().to_string(),
                severity: "error".into(),
                pointer: format!("/what_if{at}/changes"),
                message: format!(
                    "scenario `{scenario}`: after its changes, the problem breaks {} at {}: {}",
                    i.code,
                    if i.path.is_empty() {
                        "the top level"
                    } else {
                        i.path.as_str()
                    },
                    i.message
                ),
                hint: i.hint.clone(),
            })
            .collect(),
        WhatIfError::ScenarioInvalid { .. } => vec![issue(e, &format!("{at}/changes"))],
        _ => vec![issue(e, &at)],
    }
}

/// A what-if error as an issue at `pointer` (into the document); its message without the
/// code it starts with.
fn issue(e: &WhatIfError, pointer: &str) -> IssueView {
    let text = e.to_string();
    let message = text
        .strip_prefix(e.code())
        .map_or(text.as_str(), str::trim_start);
    IssueView {
        code: e.code().to_string(),
        severity: "error".into(),
        pointer: format!("/what_if{pointer}"),
        message: message.to_string(),
        hint: HINT.into(),
    }
}
