//! Jobs: what the service solves in the background, one kind per variant of
//! [`JobRequest`]. Each kind owns its preparation (parse and validate its request, listing
//! every error at once) and its run:
//!
//! - [`roster`]: a problem solved into a roster;
//! - [`replan`]: a problem, the meetings already published and what changed since;
//! - [`whatif`]: scenarios of changes solved side by side with a base problem, each as a
//!   child job ([`JobRequest::Scenario`]) that any worker may claim.
//!
//! Around them: [`pool`] (the solve slots, the cancel flags, the workers' bell), the workers
//! that claim queued jobs from the store and run them under a lease (`worker.rs`) and
//! [`callback`] (telling a caller its job ended). How a
//! job is accepted (idempotency, ownership, the memory budget, storing) is
//! [`crate::api::submission`]'s, shared by every kind; the routes build a [`JobRequest`]
//! and hand it there. This module never names a route or the submission module.
//!
//! A job is stored as JSON ([`Job::encode`], [`Job::decode`]) in the shape every earlier
//! version wrote, plus its `kind`: rows written before kinds were typed still decode.

pub mod callback;
pub mod pool;
pub mod replan;
pub mod roster;
pub mod whatif;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use mediation_solver::milp::{CancelFlag, Clock, SolveError, SolveOptions};
use mediation_solver::model::Problem;
use mediation_solver::replan::Change;
use mediation_solver::roster::Meeting;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::OwnedSemaphorePermit;

pub use callback::{host_on_allow_list, non_public, spawn_callback, AllowEntry, CallbackBody};
pub use pool::{Admission, MilpSolver, RosterSolver, SolvePool};
pub use replan::ReplanJob;
pub use roster::{solve_blocking, LateCase, ReplanView, RosterJob, RosterResult, RosterSolve};
pub use whatif::{ScenarioJob, WhatIfJob};
pub use worker::start_workers;

use crate::api::error::ApiError;
use crate::api::store::JobFailure;

/// The kinds of job, as the store names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Roster,
    Replan,
    WhatIf,
    Scenario,
}

/// What a job does.
#[derive(Debug)]
pub enum JobRequest {
    Roster(RosterJob),
    Replan(ReplanJob),
    WhatIf(WhatIfJob),
    /// One scenario of a what-if job (its child).
    Scenario(ScenarioJob),
}

/// What a job does and the solver options it runs with.
#[derive(Debug)]
pub struct Job {
    pub request: JobRequest,
    pub options: SolveOptions,
}

/// A job's request parsed and validated, ready to run.
pub enum Prepared {
    /// A roster or a re-plan.
    Roster(Box<RosterSolve>),
    WhatIf(Box<mediation_solver::whatif::WhatIf>),
}

impl Prepared {
    /// The problem whose size the memory budget bounds: a roster's or a re-plan's. A
    /// what-if plan is not estimated.
    pub fn into_problem(self) -> Option<Problem> {
        match self {
            Prepared::Roster(solve) => Some(solve.problem),
            Prepared::WhatIf(_) => None,
        }
    }
}

/// What a worker gives a job's run: the solver, the job's cancel flag, when its time limit
/// started counting, the memory budget and the solver slot it holds.
pub struct RunContext {
    pub solver: Arc<dyn RosterSolver>,
    pub cancel: CancelFlag,
    pub started: Clock,
    pub max_candidates: Option<u64>,
    pub slot: OwnedSemaphorePermit,
}

/// A job's result (JSON, stored and served as is) and, for a solve the metrics count, its
/// time and relative gap.
pub struct Finished {
    pub result: String,
    pub solve: Option<(Duration, Option<f64>)>,
}

impl JobRequest {
    /// A roster job, or a re-plan when the submission names published meetings or changes.
    pub fn from_problem(
        problem: Box<RawValue>,
        published: Vec<Meeting>,
        changes: Vec<Change>,
    ) -> JobRequest {
        if published.is_empty() && changes.is_empty() {
            JobRequest::Roster(RosterJob { problem })
        } else {
            JobRequest::Replan(ReplanJob {
                problem,
                published,
                changes,
            })
        }
    }

    pub fn kind(&self) -> JobKind {
        match self {
            JobRequest::Roster(_) => JobKind::Roster,
            JobRequest::Replan(_) => JobKind::Replan,
            JobRequest::WhatIf(_) => JobKind::WhatIf,
            JobRequest::Scenario(_) => JobKind::Scenario,
        }
    }

    /// Parses and validates the request as its kind does: ready to run, or every error
    /// found, with pointers into the request body.
    pub fn prepare(&self) -> Result<Prepared, ApiError> {
        match self {
            JobRequest::Roster(job) => job.prepare().map(|s| Prepared::Roster(Box::new(s))),
            JobRequest::Replan(job) => job.prepare().map(|s| Prepared::Roster(Box::new(s))),
            JobRequest::WhatIf(job) => job.prepare().map(|plan| Prepared::WhatIf(Box::new(plan))),
            // Children are made by the service from a what-if job checked at submission.
            JobRequest::Scenario(job) => WhatIfJob {
                document: job.document.clone(),
            }
            .prepare()
            .map(|plan| Prepared::WhatIf(Box::new(plan))),
        }
    }
}

impl Job {
    /// Runs a roster, re-plan or scenario job: its result as JSON, or why it failed. A
    /// what-if job is not run but fanned out by the worker ([`WhatIfJob::children`],
    /// [`WhatIfJob::collect`]); given one, this fails with `internal`.
    pub async fn run(self, ctx: RunContext) -> Result<Finished, JobFailure> {
        match self.request {
            JobRequest::Roster(job) => job.run(self.options, ctx).await,
            JobRequest::Replan(job) => job.run(self.options, ctx).await,
            JobRequest::Scenario(job) => job.run(self.options, ctx).await,
            JobRequest::WhatIf(_) => Err(JobFailure {
                code: "internal".into(),
                message: "a what-if job runs as its scenarios' jobs".into(),
            }),
        }
    }

    /// The job as the store keeps it (`jobs.request`).
    pub fn encode(&self) -> Result<String, serde_json::Error> {
        let (problem, published, changes): (&RawValue, &[Meeting], &[Change]) = match &self.request
        {
            JobRequest::Roster(job) => (&job.problem, &[], &[]),
            JobRequest::Replan(job) => (&job.problem, &job.published, &job.changes),
            JobRequest::WhatIf(job) => (&job.document, &[], &[]),
            JobRequest::Scenario(job) => (&job.document, &[], &[]),
        };
        serde_json::to_string(&StoredRequestRef {
            kind: self.request.kind(),
            problem,
            options: &self.options,
            published,
            changes,
            what_if: self.request.kind() == JobKind::WhatIf,
            scenario: match &self.request {
                JobRequest::Scenario(job) => Some(job.index),
                _ => None,
            },
        })
    }

    /// A job read back from the store, whichever version wrote it.
    pub fn decode(text: &str) -> Result<Job, serde_json::Error> {
        let stored: StoredRequest = serde_json::from_str(text)?;
        let kind = stored.kind.unwrap_or(if stored.what_if {
            JobKind::WhatIf
        } else if stored.published.is_empty() && stored.changes.is_empty() {
            JobKind::Roster
        } else {
            JobKind::Replan
        });
        let request = match kind {
            JobKind::Roster => JobRequest::Roster(RosterJob {
                problem: stored.problem,
            }),
            JobKind::Replan => JobRequest::Replan(ReplanJob {
                problem: stored.problem,
                published: stored.published,
                changes: stored.changes,
            }),
            JobKind::WhatIf => JobRequest::WhatIf(WhatIfJob {
                document: stored.problem,
            }),
            JobKind::Scenario => JobRequest::Scenario(ScenarioJob {
                document: stored.problem,
                index: stored.scenario.unwrap_or(0),
            }),
        };
        Ok(Job {
            request,
            options: stored.options,
        })
    }
}

/// A job as the store keeps it. Rows written before job kinds were typed have no `kind`: a
/// what-if job is `what_if: true` with its document in `problem`, a re-plan has
/// `published` or `changes`, anything else is a roster job. Rows written now name their
/// `kind` and keep that shape (a what-if row still says `what_if: true`), so the previous
/// version reads them too, should the service be rolled back.
#[derive(Deserialize)]
struct StoredRequest {
    #[serde(default)]
    kind: Option<JobKind>,
    /// The problem; for a what-if job, the what-if document (base inline).
    problem: Box<RawValue>,
    options: SolveOptions,
    #[serde(default)]
    published: Vec<Meeting>,
    #[serde(default)]
    changes: Vec<Change>,
    #[serde(default)]
    what_if: bool,
    /// A scenario job's index in its what-if document (0: the base).
    #[serde(default)]
    scenario: Option<u32>,
}

/// [`StoredRequest`] as written, borrowing from the job.
#[derive(Serialize)]
struct StoredRequestRef<'a> {
    kind: JobKind,
    problem: &'a RawValue,
    options: &'a SolveOptions,
    #[serde(skip_serializing_if = "is_empty")]
    published: &'a [Meeting],
    #[serde(skip_serializing_if = "is_empty")]
    changes: &'a [Change],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    what_if: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario: Option<u32>,
}

fn is_empty<T>(items: &&[T]) -> bool {
    items.is_empty()
}

/// The stable code of a failed solve: `solve_failed` for a backend's failure; the solver's
/// own code when the solve stopped on a limit before any roster existed
/// (`time_limit_before_roster`, `cancelled`, `memory_budget`, `problem_too_large`).
pub(crate) fn failure_code(e: &SolveError) -> &'static str {
    use SolveError::*;
    match e {
        Cancelled { .. } | TimeLimitBeforeRoster { .. } | TooLarge { .. } | MemoryBudget { .. } => {
            e.code()
        }
        _ => "solve_failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options_json() -> String {
        serde_json::to_string(&SolveOptions::default()).unwrap()
    }

    #[test]
    fn rows_written_before_kinds_were_typed_decode_to_their_kind() {
        let options = options_json();
        let roster = format!(r#"{{"problem":{{"cases":[]}},"options":{options}}}"#);
        let replan = format!(
            r#"{{"problem":{{}},"options":{options},"changes":[{{"kind":"case_withdrawn","case":"C1"}}]}}"#
        );
        let what_if =
            format!(r#"{{"problem":{{"base":{{}}}},"options":{options},"what_if":true}}"#);
        let kinds: Vec<JobKind> = [roster, replan, what_if]
            .iter()
            .map(|row| Job::decode(row).unwrap().request.kind())
            .collect();
        assert_eq!(kinds, [JobKind::Roster, JobKind::Replan, JobKind::WhatIf]);
        let Job { request, .. } = Job::decode(&format!(
            r#"{{"problem":{{"base":1}},"options":{},"what_if":true}}"#,
            options_json()
        ))
        .unwrap();
        let JobRequest::WhatIf(job) = request else {
            panic!("not a what-if job")
        };
        assert_eq!(job.document.get(), r#"{"base":1}"#);
    }

    #[test]
    fn a_row_names_its_kind_and_keeps_the_shape_the_previous_version_reads() {
        let document = RawValue::from_string(r#"{"base":{},"scenarios":[]}"#.into()).unwrap();
        let job = Job {
            request: JobRequest::WhatIf(WhatIfJob { document }),
            options: SolveOptions::default(),
        };
        let row: serde_json::Value = serde_json::from_str(&job.encode().unwrap()).unwrap();
        assert_eq!(row["kind"], "what_if");
        assert_eq!(row["what_if"], true);
        assert_eq!(row["problem"]["scenarios"], serde_json::json!([]));
        let back = Job::decode(&job.encode().unwrap()).unwrap();
        assert_eq!(back.request.kind(), JobKind::WhatIf);

        let problem = RawValue::from_string("{}".into()).unwrap();
        let published: Vec<Meeting> = Vec::new();
        let changes: Vec<Change> =
            serde_json::from_str(r#"[{"kind":"case_withdrawn","case":"C1"}]"#).unwrap();
        let job = Job {
            request: JobRequest::from_problem(problem, published, changes),
            options: SolveOptions::default(),
        };
        let text = job.encode().unwrap();
        let row: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(row["kind"], "replan");
        assert!(row.get("what_if").is_none() && row.get("published").is_none());
        assert_eq!(Job::decode(&text).unwrap().request.kind(), JobKind::Replan);
    }
}
