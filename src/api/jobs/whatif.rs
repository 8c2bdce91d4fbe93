//! The what-if job: the command line's what-if document (docs/what-if.md) with its base
//! problem inline, solved scenario by scenario beside the base. Its preparation checks the
//! whole document and lists every error at once: the base problem's validation errors,
//! every bad scenario name, and in each scenario the first change that cannot be applied
//! (the changes of one scenario apply in order, so the later ones depend on it) or the
//! errors of the problem its changes give. Its run solves every scenario in parallel on a
//! blocking thread holding one solver slot.

use std::panic::{catch_unwind, AssertUnwindSafe};

use mediation_solver::candidates::Weights;
use mediation_solver::milp::SolveOptions;
use mediation_solver::validate::{self, InputError};
use mediation_solver::whatif::{self, WhatIf, WhatIfError, BASE_NAME};
use serde_json::value::RawValue;

use super::{failure_code, Finished, RunContext};
use crate::api::body::require_object;
use crate::api::error::{ApiError, IssueView};
use crate::api::store::JobFailure;

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

    /// Parses the document again (it was checked when accepted) and solves the base and
    /// every scenario.
    pub async fn run(
        self,
        mut options: SolveOptions,
        ctx: RunContext,
    ) -> Result<Finished, JobFailure> {
        options.cancel = Some(ctx.cancel);
        let slot = ctx.slot;
        let document = self.document;
        let joined = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let plan = parse_plan(document.get()).map_err(|e| JobFailure {
                code: "invalid_what_if".into(),
                message: e,
            })?;
            let report = catch_unwind(AssertUnwindSafe(|| whatif::run(&plan, &options, true)))
                .map_err(|_| JobFailure {
                    code: "solver_panicked".into(),
                    message: "the solver stopped on an internal error".into(),
                })?
                .map_err(|e| JobFailure {
                    code: match &e {
                        WhatIfError::Solve { source, .. } => failure_code(source),
                        _ => "solve_failed",
                    }
                    .into(),
                    message: e.to_string(),
                })?;
            serde_json::to_string(&report).map_err(|e| JobFailure {
                code: "internal".into(),
                message: format!("cannot store the result: {e}"),
            })
        })
        .await;
        let result = joined.unwrap_or_else(|_| {
            Err(JobFailure {
                code: "solver_panicked".into(),
                message: "the what-if task was lost".into(),
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
