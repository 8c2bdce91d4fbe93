//! The roster job: a problem solved into a roster. Its preparation parses and validates the
//! problem (every error listed); its run solves it on a blocking thread holding a solver
//! slot. A re-plan ([`super::replan`]) runs the same way once prepared.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use mediation_solver::kpi::{kpis, Kpis};
use mediation_solver::milp::{SolveOptions, SolverSummary};
use mediation_solver::model::Problem;
use mediation_solver::replan::{self, MeetingChange};
use mediation_solver::roster::{CarriedOverCase, Reason, Roster, UnscheduledCase};
use mediation_solver::schedule::Outcome;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::OwnedSemaphorePermit;
use utoipa::ToSchema;

use super::pool::RosterSolver;
use super::{failure_code, Finished, RunContext};
use crate::api::body::problem_from;
use crate::api::error::{ApiError, IssueView};
use crate::api::store::JobFailure;

/// A roster job: the problem document as submitted (`/problem` of the body).
#[derive(Debug)]
pub struct RosterJob {
    pub problem: Box<RawValue>,
}

impl RosterJob {
    /// Parses and validates the problem: every error and warning listed.
    pub fn prepare(&self) -> Result<RosterSolve, ApiError> {
        let validated = problem_from(&self.problem)?;
        Ok(RosterSolve {
            warnings: problem_warnings(&validated.warnings),
            problem: validated.problem,
            replan: None,
        })
    }

    /// Prepares the problem again (it was valid when accepted) and solves it.
    pub async fn run(self, options: SolveOptions, ctx: RunContext) -> Result<Finished, JobFailure> {
        solve_job(self.prepare(), options, ctx).await
    }
}

/// A roster or a re-plan ready to solve: the validated problem, its warnings, and for a
/// re-plan what lists the changes once it is solved.
pub struct RosterSolve {
    pub problem: Problem,
    pub warnings: Vec<IssueView>,
    pub replan: Option<replan::Prepared>,
}

/// The problem's warnings, their pointers into the request body.
pub(super) fn problem_warnings(warnings: &[mediation_solver::validate::Issue]) -> Vec<IssueView> {
    warnings
        .iter()
        .map(|i| IssueView::of(i, "/problem"))
        .collect()
}

/// A queued roster or re-plan's run: a preparation that fails (the solver crate's rules
/// changed since the job was accepted) fails the job with `invalid_problem`; a solve fails
/// it with the solver's code; a result is stored as JSON.
pub(super) async fn solve_job(
    prepared: Result<RosterSolve, ApiError>,
    mut options: SolveOptions,
    ctx: RunContext,
) -> Result<Finished, JobFailure> {
    let solve = prepared.map_err(|e| JobFailure {
        code: "invalid_problem".into(),
        message: e.to_string(),
    })?;
    options.cancel = Some(ctx.cancel);
    options.started = Some(ctx.started);
    options.max_candidates = ctx.max_candidates;
    let (result, elapsed) = solve_blocking(ctx.solver, solve, options, ctx.slot).await?;
    let relative_gap = result.solver.relative_gap;
    let text = serde_json::to_string(&result).map_err(|e| JobFailure {
        code: "internal".into(),
        message: format!("cannot store the result: {e}"),
    })?;
    Ok(Finished {
        result: text,
        solve: Some((elapsed, relative_gap)),
    })
}

/// A case held after its deadline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LateCase {
    pub case: String,
    pub date: NaiveDate,
    pub deadline: NaiveDate,
    pub days_late: i64,
    pub primary_reason: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
}

/// What a finished solve gives: the roster, the cases not held (with reasons), the late
/// ones, key figures and the solver summary. Stored as JSON and served as is.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterResult {
    /// Meetings, unscheduled and carried-over cases (the CLI's roster JSON).
    #[schema(value_type = Object)]
    pub roster: Roster,
    /// Cases due within the horizon and not held, each with its reasons.
    #[schema(value_type = Vec<Object>)]
    pub unscheduled: Vec<UnscheduledCase>,
    /// Cases due after the horizon and left for a later roster.
    #[schema(value_type = Vec<Object>)]
    pub carried_over: Vec<CarriedOverCase>,
    pub late: Vec<LateCase>,
    #[schema(value_type = Object)]
    pub kpis: Kpis,
    /// Status, objective, best bound, gap and times of the solve.
    #[schema(value_type = Object)]
    pub solver: SolverSummary,
    /// Cases the greedy repair placed or moved after an early-stopped solve.
    pub repaired: usize,
    pub warnings: Vec<IssueView>,
    /// For a submission with published meetings or changes: what changed, meeting by
    /// meeting (docs/replan.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replan: Option<ReplanView>,
}

impl RosterResult {
    pub fn new(
        problem: &Problem,
        mut outcome: Outcome,
        warnings: Vec<IssueView>,
        replan: Option<&replan::Prepared>,
    ) -> RosterResult {
        let replan = replan.map(|p| {
            let (kept, changes) = p.changes(&mut outcome);
            ReplanView { kept, changes }
        });
        let kpis = kpis(problem, &outcome.roster);
        let late = outcome
            .roster
            .meetings
            .iter()
            .filter_map(|m| {
                let d = m.details.as_ref().filter(|d| d.late)?;
                Some(LateCase {
                    case: m.case.clone(),
                    date: m.date,
                    deadline: d.deadline,
                    days_late: -d.days_of_margin,
                    primary_reason: d.late_primary_reason.clone(),
                    reasons: d.late_reasons.clone(),
                })
            })
            .collect();
        RosterResult {
            unscheduled: outcome.roster.unscheduled.clone(),
            carried_over: outcome.roster.carried_over.clone(),
            roster: outcome.roster,
            late,
            kpis,
            solver: outcome.solver,
            repaired: outcome.repaired,
            warnings,
            replan,
        }
    }
}

/// What a re-plan changed: published meetings kept, and every move, drop and addition.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplanView {
    pub kept: usize,
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<MeetingChange>,
}

/// Runs a solve on a blocking thread, turning a panic into an error.
///
/// `slot` (a solver permit) is released when the solve ends, not when the caller stops
/// waiting: a request that times out does not free a slot its solve still uses.
pub async fn solve_blocking(
    solver: Arc<dyn RosterSolver>,
    solve: RosterSolve,
    options: SolveOptions,
    slot: OwnedSemaphorePermit,
) -> Result<(RosterResult, Duration), JobFailure> {
    let RosterSolve {
        problem,
        warnings,
        replan,
    } = solve;
    let joined = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| solver.solve(&problem, &options)));
        let elapsed = started.elapsed();
        match outcome {
            Ok(Ok(outcome)) => Ok((
                RosterResult::new(&problem, outcome, warnings, replan.as_ref()),
                elapsed,
            )),
            Ok(Err(e)) => Err(JobFailure {
                code: failure_code(&e).into(),
                message: e.to_string(),
            }),
            Err(_) => Err(JobFailure {
                code: "solver_panicked".into(),
                message: "the solver stopped on an internal error".into(),
            }),
        }
    })
    .await;
    joined.unwrap_or_else(|_| {
        Err(JobFailure {
            code: "solver_panicked".into(),
            message: "the solve task was lost".into(),
        })
    })
}
