//! The re-plan job: a problem, the meetings already published and what changed since
//! (docs/replan.md). Its preparation applies the changes, validates the result and marks
//! the published meetings to keep (the solver crate's `replan::prepare`); when that fails it
//! lists every error at once: each change that cannot be applied, the changed problem's
//! validation errors, and each published meeting that names something unknown. Once
//! prepared it runs as a roster job does ([`super::roster`]).

use std::collections::BTreeSet;

use mediation_solver::input::ProblemInput;
use mediation_solver::milp::SolveOptions;
use mediation_solver::replan::{self, Change, ReplanError};
use mediation_solver::roster::Meeting;
use mediation_solver::validate::{self, parse_input};
use serde_json::value::RawValue;

use super::roster::{problem_warnings, solve_job, RosterSolve};
use super::{Finished, RunContext};
use crate::api::body::{input_error, require_object};
use crate::api::error::{collect_errors, ApiError};
use crate::api::store::JobFailure;

/// How many published meetings' errors one answer lists at most: each costs a validation
/// of the changed problem.
const MAX_PUBLISHED_ERRORS: usize = 50;

const HINT: &str = "fix the published meeting or change named, see docs/replan.md";

/// A re-plan job: `/problem`, `/published` and `/changes` of the body.
#[derive(Debug)]
pub struct ReplanJob {
    pub problem: Box<RawValue>,
    pub published: Vec<Meeting>,
    pub changes: Vec<Change>,
}

impl ReplanJob {
    /// Applies the changes, validates the changed problem and marks the published meetings
    /// to keep; or every error found, each with its pointer.
    pub fn prepare(&self) -> Result<RosterSolve, ApiError> {
        require_object(&self.problem, "/problem")?;
        let input = parse_input(self.problem.get()).map_err(|e| input_error(e, "/problem"))?;
        match replan::prepare(&input, &self.published, &self.changes) {
            Ok(prepared) => Ok(RosterSolve {
                problem: prepared.problem.clone(),
                warnings: problem_warnings(&prepared.warnings),
                replan: Some(prepared),
            }),
            Err(ReplanError::Input(e)) => Err(input_error(e, "/problem")),
            Err(first) => Err(self.every_error(&input, &first)),
        }
    }

    /// Prepares the re-plan again (it was valid when accepted) and solves it.
    pub async fn run(self, options: SolveOptions, ctx: RunContext) -> Result<Finished, JobFailure> {
        solve_job(self.prepare(), options, ctx).await
    }

    /// Every error of a re-plan that `replan::prepare` refused with `first`. The changes
    /// are applied one at a time, in order: one that cannot be applied is reported and left
    /// out, and the next applies to the problem as the changes before it left it. (A
    /// re-plan change only adds or removes what it names, so leaving one out never makes a
    /// later one fail that would not fail anyway.) Then the changed problem is validated,
    /// and, when it is valid, the published meetings are resolved against it, each one
    /// that names something unknown reported and left out in turn. `first` is always
    /// among the errors.
    fn every_error(&self, input: &ProblemInput, first: &ReplanError) -> ApiError {
        let mut found = Vec::new();
        let mut changed = input.clone();
        let mut withdrawn = BTreeSet::new();
        for (k, change) in self.changes.iter().enumerate() {
            match replan::apply_changes(&changed, &self.published, std::slice::from_ref(change)) {
                Ok(next) => {
                    changed = next;
                    if let Change::CaseWithdrawn { case } = change {
                        withdrawn.insert(case.as_str());
                    }
                }
                Err(e) => found.push(refusal(&e, |field| renumber(field, "/changes/", k))),
            }
        }
        match validate::validate(&changed) {
            Err(e) => found.push(input_error(e, "/problem")),
            Ok(_) => {
                // A withdrawn case's published meeting is not resolved (it is dropped).
                let mut remaining: Vec<usize> = (0..self.published.len())
                    .filter(|&k| !withdrawn.contains(self.published[k].case.as_str()))
                    .collect();
                for _ in 0..MAX_PUBLISHED_ERRORS {
                    let meetings: Vec<Meeting> = remaining
                        .iter()
                        .map(|&k| self.published[k].clone())
                        .collect();
                    let e = match replan::prepare(&changed, &meetings, &[]) {
                        Err(e @ (ReplanError::UnknownId { .. } | ReplanError::Invalid { .. })) => e,
                        _ => break,
                    };
                    let Some(j) = index_in(field_of(&e), "/published/") else {
                        break;
                    };
                    let Some(&k) = remaining.get(j) else { break };
                    found.push(refusal(&e, |field| renumber(field, "/published/", k)));
                    remaining.remove(j);
                }
            }
        }
        let first = refusal(first, str::to_string);
        let first_pointer = pointers(&first);
        if !found
            .iter()
            .any(|e| pointers(e).iter().any(|p| first_pointer.contains(p)))
        {
            found.insert(0, first);
        }
        collect_errors(found).unwrap_or_else(|| ApiError::Internal("no re-plan error".into()))
    }
}

/// The field a re-plan error names (a JSON pointer into the request body), or "".
fn field_of(e: &ReplanError) -> &str {
    match e {
        ReplanError::UnknownId { field, .. } | ReplanError::Invalid { field, .. } => field,
        _ => "",
    }
}

/// The pointers of an error's issues.
fn pointers(e: &ApiError) -> Vec<String> {
    e.details().errors.into_iter().map(|i| i.pointer).collect()
}

/// A re-plan error as a refusal, its field (and the field its message names) passed
/// through `renumber`.
fn refusal(e: &ReplanError, renumber: impl Fn(&str) -> String) -> ApiError {
    let field = field_of(e);
    let pointer = renumber(field);
    let message = if field.is_empty() {
        e.to_string()
    } else {
        e.to_string().replacen(field, &pointer, 1)
    };
    ApiError::refused(e.code(), pointer, message, HINT)
}

/// The index after `list` in `field` (`/published/3/venue` → 3).
fn index_in(field: &str, list: &str) -> Option<usize> {
    let rest = field.strip_prefix(list)?;
    rest.split('/').next()?.parse().ok()
}

/// `field` with the index after `list` replaced by `to` (`/changes/0/mediator` →
/// `/changes/4/mediator`); a field outside `list` is kept.
fn renumber(field: &str, list: &str, to: usize) -> String {
    let Some(rest) = field.strip_prefix(list) else {
        return field.to_string();
    };
    match rest.split_once('/') {
        Some((_, tail)) => format!("{list}{to}/{tail}"),
        None => format!("{list}{to}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_renumbered_to_their_place_in_the_body() {
        assert_eq!(
            renumber("/changes/0/mediator", "/changes/", 4),
            "/changes/4/mediator"
        );
        assert_eq!(renumber("/published/0", "/published/", 7), "/published/7");
        assert_eq!(renumber("/other/0/x", "/changes/", 4), "/other/0/x");
        assert_eq!(index_in("/published/12/venue", "/published/"), Some(12));
        assert_eq!(index_in("/changes/1/case", "/published/"), None);
    }
}
