//! `/v1/rosters`: submit a problem as a job (a roster, or a re-plan with published meetings
//! and changes), poll it, fetch its roster, cancel it, list jobs; and `/v1/rosters/solve`,
//! the synchronous solve for small problems. Submitting is [`super::submission`]'s; this
//! module only turns the body into a [`JobRequest`].

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use mediation_solver::replan::Change;
use mediation_solver::roster::Meeting;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Caller, Scope};
use super::body::{schema, JsonBody};
use super::error::{ApiError, IssueView, ProblemDetails};
use super::jobs::{solve_blocking, spawn_callback, JobRequest, Prepared, RosterResult};
use super::store::{store_call, JobState};
use super::submission::{self, retry_after, JobStatusView, OptionsInput};
use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit, list))
        .routes(routes!(solve_now))
        .routes(routes!(get_job, cancel))
        .routes(routes!(get_status))
}

/// `POST /v1/rosters` and `POST /v1/rosters/solve`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    #[schema(schema_with = schema::problem)]
    pub problem: Box<RawValue>,
    #[serde(default)]
    pub options: Option<OptionsInput>,
    /// Where to POST `{ "id", "state" }` when the job finishes; its host must be on the
    /// configured allow-list. Not allowed on `/v1/rosters/solve`.
    pub callback_url: Option<String>,
    /// Re-planning: the meetings already published (a roster's `meetings`). Each is kept
    /// unless a change forces it to move, or moving it pays more than `change_penalty`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub published: Vec<Meeting>,
    /// Re-planning: what changed since publication (docs/replan.md), applied in order.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub changes: Vec<Change>,
}

/// A job with its result once done.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    #[serde(flatten)]
    pub status: JobStatusView,
    /// Present when the state is `done`.
    #[schema(value_type = Option<RosterResult>)]
    pub result: Option<Box<RawValue>>,
}

/// A page of jobs, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JobPage {
    pub jobs: Vec<JobStatusView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Jobs per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page (digits).
    #[param(pattern = "^[0-9]{1,19}$")]
    pub cursor: Option<String>,
}

/// Submit a problem to be solved in the background.
///
/// Answers `202 Accepted` with the job and its `Location`. With an `Idempotency-Key`
/// header, the same key and body give the same job again; the same key with another body
/// is `409`. When the queue is full the answer is `503` with `Retry-After`.
#[utoipa::path(
    post, path = "/v1/rosters", tag = "rosters",
    request_body = SubmitRequest,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]{1,255}$",
        description = "Makes retries safe: the same key and body (compared as canonical JSON: whitespace and key order do not count) give the same job; 1 to 255 visible ASCII characters (0x21-0x7E), else 400 `bad_query`")),
    responses(
        (status = 202, description = "Accepted; poll the Location", body = JobStatusView, links(
            ("GetJob" = (operation_id = "get_job", parameters(("id" = "$response.body#/id")))),
            ("GetJobStatus" = (operation_id = "get_status", parameters(("id" = "$response.body#/id")))),
            ("CancelJob" = (operation_id = "cancel", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "Malformed JSON or header", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key reused with another body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid problem or options: every issue listed", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Queue full; see Retry-After", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<SubmitRequest>,
) -> Result<Response, ApiError> {
    let JsonBody {
        value: request,
        bytes,
    } = body;
    let options = request.options;
    let job = JobRequest::from_problem(request.problem, request.published, request.changes);
    submission::submit(
        &state,
        &caller,
        &headers,
        &bytes,
        job,
        options.as_ref(),
        request.callback_url,
    )
    .await
}

/// Fetch a job: its state, timestamps and, when done, the roster, the unscheduled and late
/// cases with reasons, key figures and the solver summary.
#[utoipa::path(
    get, path = "/v1/rosters/{id}", tag = "rosters",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, body = JobView),
        (status = 400, description = "Not a job id", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such job (or another key's)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    caller.require(Scope::Read)?;
    let id = parse_id(&id)?;
    let record = store_call(&state.store, move |s| s.get(id))
        .await?
        .filter(|r| caller.may_see(&r.status.owner))
        .ok_or(ApiError::JobNotFound)?;
    let result = match record.result {
        Some(text) => Some(
            RawValue::from_string(text)
                .map_err(|e| ApiError::Internal(format!("stored result unreadable: {e}")))?,
        ),
        None => None,
    };
    Ok(Json(JobView {
        status: record.status.into(),
        result,
    }))
}

/// The cheap poll: a job's state and timestamps, without the roster.
#[utoipa::path(
    get, path = "/v1/rosters/{id}/status", tag = "rosters",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, body = JobStatusView),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn get_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<JobStatusView>, ApiError> {
    caller.require(Scope::Read)?;
    let id = parse_id(&id)?;
    let status = store_call(&state.store, move |s| s.status(id))
        .await?
        .filter(|s| caller.may_see(&s.owner))
        .ok_or(ApiError::JobNotFound)?;
    Ok(Json(status.into()))
}

/// Cancel a job.
///
/// A queued or solving job becomes `cancelled` at once. A solve is interrupted (with
/// either backend, within a second) and frees its solver slot; a cancelled job has no
/// result, whatever the solve had found. A job that already finished is left as it is (a done job keeps its roster)
/// and returned unchanged.
#[utoipa::path(
    delete, path = "/v1/rosters/{id}", tag = "rosters",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job after cancelling", body = JobStatusView),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<JobStatusView>, ApiError> {
    caller.require(Scope::Submit)?;
    let id = parse_id(&id)?;
    let visible = caller.clone();
    store_call(&state.store, move |s| s.status(id))
        .await?
        .filter(|s| visible.may_see(&s.owner))
        .ok_or(ApiError::JobNotFound)?;
    let (after, cancelled_now) = store_call(&state.store, move |s| s.cancel(id, Utc::now()))
        .await?
        .ok_or(ApiError::JobNotFound)?;
    // Of several DELETEs racing, only the one that cancelled the job calls back.
    if cancelled_now {
        state.pool.interrupt(id);
        tracing::info!(job = %id, "job cancelled");
        if let Some(url) = after.callback_url.clone() {
            spawn_callback(&state, id, JobState::Cancelled, url);
        }
    }
    Ok(Json(after.into()))
}

/// List the caller's jobs (every key's for an `admin` key), newest first.
#[utoipa::path(
    get, path = "/v1/rosters", tag = "rosters",
    params(ListQuery),
    responses(
        (status = 200, body = JobPage),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<JobPage>, ApiError> {
    caller.require(Scope::Read)?;
    let Query(query) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadQuery("limit must be 1 to 100".into()));
    }
    let before = query
        .cursor
        .as_deref()
        .map(|c| {
            c.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| c.parse::<i64>().ok())
                .flatten()
                .ok_or_else(|| ApiError::BadQuery("cursor is not one this service gave".into()))
        })
        .transpose()?;
    let owner = (!caller.has(Scope::Admin)).then(|| caller.name.clone());
    // One more than asked tells whether there is a next page.
    let mut jobs = store_call(&state.store, move |s| {
        s.list(owner.as_deref(), before, limit + 1)
    })
    .await?;
    let next_cursor = if jobs.len() > limit {
        jobs.truncate(limit);
        jobs.last().map(|j| j.seq.to_string())
    } else {
        None
    };
    Ok(Json(JobPage {
        jobs: jobs.into_iter().map(JobStatusView::from).collect(),
        next_cursor,
    }))
}

/// Solve a small problem now and answer with the result.
///
/// Bounded by the configured synchronous time limit (a larger `time_limit_secs` is
/// lowered to it) and case count; uses the same solver slots as the queue and answers
/// `503` with `Retry-After` when none frees up within a second.
#[utoipa::path(
    post, path = "/v1/rosters/solve", tag = "rosters",
    request_body = SubmitRequest,
    responses(
        (status = 200, body = RosterResult),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 500, description = "The solver failed", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn solve_now(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<SubmitRequest>,
) -> Result<Json<RosterResult>, ApiError> {
    caller.require(Scope::Submit)?;
    let request = body.value;
    let config = &state.config;
    let job = JobRequest::from_problem(request.problem, request.published, request.changes);
    let callback = match request.callback_url {
        Some(_) => Err(ApiError::InvalidOptions(vec![IssueView {
            code: "callback_not_allowed".into(),
            severity: "error".into(),
            pointer: "/callback_url".into(),
            message: "a synchronous solve answers directly; it has no callback".into(),
            hint: "leave out callback_url, or submit with POST /v1/rosters".into(),
        }])),
        None => Ok(()),
    };
    let (prepared, mut options) = submission::check(
        &job,
        request.options.as_ref(),
        f64::INFINITY,
        config.sync_time_limit_secs,
        callback,
    )?;
    let Prepared::Roster(solve) = prepared else {
        return Err(ApiError::Internal(
            "a synchronous solve of a what-if plan".into(),
        ));
    };
    options.time_limit_secs = options.time_limit_secs.min(config.sync_time_limit_secs);
    let cases = solve.problem.cases.len();
    if cases > config.sync_max_cases {
        return Err(ApiError::TooLargeForSync {
            cases,
            max: config.sync_max_cases,
        });
    }
    let permit = tokio::time::timeout(
        Duration::from_secs(1),
        state.pool.slots.clone().acquire_owned(),
    )
    .await
    .ok()
    .and_then(Result::ok)
    .ok_or(ApiError::SolverBusy {
        retry_after_secs: retry_after(&state, state.pool.running()),
    })?;
    let solved = solve_blocking(Arc::clone(&state.pool.solver), *solve, options, permit).await;
    let (result, elapsed) = solved.map_err(|f| ApiError::SolveFailed(f.message))?;
    state
        .metrics
        .observe_solve(elapsed, result.solver.relative_gap);
    Ok(Json(result))
}

fn parse_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::BadJobId(text.chars().take(64).collect()))
}
