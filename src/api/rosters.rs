//! `/v1/rosters`: submit a problem as a job, poll it, fetch its roster, cancel it, list jobs;
//! and `/v1/rosters/solve`, the synchronous solve for small problems.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use mediation_solver::candidates::Weights;
use mediation_solver::milp::{Backend, SolveOptions};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Caller, Scope};
use mediation_solver::replan::Change;
use mediation_solver::roster::Meeting;

use super::body::{job_problem, schema, JsonBody};
use super::error::{ApiError, IssueView, ProblemDetails};
use super::jobs::{solve_blocking, spawn_callback, store_call, RosterResult, StoredRequest};
use super::store::{Inserted, JobFailure, JobState, JobStatus, NewJob};
use super::{AppState, Config};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit, list))
        .routes(routes!(solve_now))
        .routes(routes!(get_job, cancel))
        .routes(routes!(get_status))
}

/// Solver options of a submission; every field may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionsInput {
    /// Wall-clock limit of the solve in seconds (default and maximum are configured).
    pub time_limit_secs: Option<f64>,
    /// Relative gap at which the search may stop, 0 to 1 (default 0: prove optimality).
    pub mip_gap: Option<f64>,
    /// `microlp`, `highs` (only in builds with HiGHS) or `auto`.
    pub backend: Option<String>,
    /// Objective weights (docs/objective.md); fields left out keep their defaults.
    #[schema(value_type = Option<Object>)]
    pub weights: Option<Weights>,
    /// Re-planning: objective units each published meeting moved or dropped costs
    /// (default 100,000).
    pub change_penalty: Option<i64>,
    /// Re-planning: at most this many published meetings that could be kept may move.
    pub max_changes: Option<u32>,
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

/// A job without its result: the cheap poll.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JobStatusView {
    pub id: Uuid,
    pub state: JobState,
    /// The name of the API key that submitted the job.
    pub owner: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why a failed job failed.
    pub failure: Option<JobFailure>,
    /// What became of the job's callback: `delivered`, `refused: <reason>` (the host left
    /// the allow-list, or resolved to an address that is not allowed) or
    /// `failed: <reason> (after N attempt(s))`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
}

impl From<JobStatus> for JobStatusView {
    fn from(s: JobStatus) -> Self {
        JobStatusView {
            id: s.id,
            state: s.state,
            owner: s.owner,
            created_at: s.created_at,
            started_at: s.started_at,
            finished_at: s.finished_at,
            failure: s.failure,
            callback: s.callback,
        }
    }
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

/// Turns submitted options into solver options, listing every bad one.
pub fn solve_options(
    input: Option<&OptionsInput>,
    max_time_limit: f64,
    default_time_limit: f64,
) -> Result<SolveOptions, ApiError> {
    let mut options = SolveOptions {
        time_limit_secs: default_time_limit,
        ..SolveOptions::default()
    };
    let mut issues = Vec::new();
    let mut bad = |field: &str, message: String, hint: String| {
        issues.push(IssueView {
            code: "invalid_option".into(),
            severity: "error".into(),
            pointer: format!("/options/{field}"),
            message,
            hint,
        })
    };
    let input = match input {
        Some(input) => input,
        None => return Ok(options),
    };
    if let Some(t) = input.time_limit_secs {
        if t.is_finite() && t > 0.0 && t <= max_time_limit {
            options.time_limit_secs = t;
        } else {
            bad(
                "time_limit_secs",
                format!("time limit {t} is out of range"),
                format!("give a number of seconds above 0 and at most {max_time_limit}"),
            );
        }
    }
    if let Some(g) = input.mip_gap {
        if g.is_finite() && (0.0..=1.0).contains(&g) {
            options.mip_gap = g;
        } else {
            bad(
                "mip_gap",
                format!("gap {g} is out of range"),
                "give a relative gap from 0 (prove optimality) to 1".into(),
            );
        }
    }
    if let Some(name) = &input.backend {
        match name.parse::<Backend>() {
            Ok(b) if b.is_available() => options.backend = b,
            Ok(b) => bad(
                "backend",
                format!("the `{}` backend is not in this build", b.as_str()),
                "use `microlp` or `auto`".into(),
            ),
            Err(e) => bad(
                "backend",
                e.to_string(),
                "use `microlp`, `highs` or `auto`".into(),
            ),
        }
    }
    if let Some(weights) = input.weights {
        let negative: Vec<String> = serde_json::to_value(weights)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .map(|fields| {
                fields
                    .into_iter()
                    .filter(|(_, v)| v.as_i64().is_some_and(|n| n < 0))
                    .map(|(k, _)| k)
                    .collect()
            })
            .unwrap_or_default();
        for field in negative {
            bad(
                &format!("weights/{field}"),
                format!("weight `{field}` is negative"),
                "weights are costs: give 0 or more".into(),
            );
        }
        options.weights = weights;
    }
    if let Some(p) = input.change_penalty {
        if p >= 0 {
            options.weights.change = p;
        } else {
            bad(
                "change_penalty",
                format!("change penalty {p} is negative"),
                "give 0 or more objective units".into(),
            );
        }
    }
    options.max_changes = input.max_changes;
    if issues.is_empty() {
        Ok(options)
    } else {
        Err(ApiError::InvalidOptions(issues))
    }
}

/// Refuses a callback URL unless it is http(s) and its host is on the allow-list.
pub fn check_callback(url: &str, config: &Config) -> Result<(), ApiError> {
    let refuse = |message: String| {
        ApiError::InvalidOptions(vec![IssueView {
            code: "callback_not_allowed".into(),
            severity: "error".into(),
            pointer: "/callback_url".into(),
            message,
            hint: "use an http(s) URL whose host is in MEDIATION_CALLBACK_HOSTS".into(),
        }])
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| refuse(format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(refuse(format!(
            "scheme `{}` is not http(s)",
            parsed.scheme()
        )));
    }
    let host = parsed.host_str().unwrap_or("");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if super::jobs::host_on_allow_list(host, &config.callback_hosts) {
        Ok(())
    } else {
        Err(refuse(format!(
            "host `{host}` is not on the callback allow-list"
        )))
    }
}

pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    let text = (!bytes.is_empty()
        && bytes.len() <= 255
        && bytes.iter().all(|b| (0x21..=0x7e).contains(b)))
    .then(|| value.to_str().ok())
    .flatten()
    .ok_or_else(|| {
        ApiError::BadQuery("Idempotency-Key must be 1 to 255 visible ASCII characters".into())
    })?;
    Ok(Some(text.to_string()))
}

/// The body in a canonical form for idempotency: parsed and written again with object keys
/// sorted (serde_json's map is a `BTreeMap`: its `preserve_order` feature is off) and no
/// whitespace, numbers as parsed. Re-indenting or reordering keys leaves it unchanged.
pub fn canonical(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::Internal(format!("an accepted body does not parse: {e}")))?;
    serde_json::to_vec(&value)
        .map_err(|e| ApiError::Internal(format!("cannot write the body again: {e}")))
}

/// Lower-case hex of `bytes` (body hashes, link token hashes).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn accepted(status: JobStatus) -> Response {
    let location = format!("/v1/rosters/{}", status.id);
    let mut response = (StatusCode::ACCEPTED, Json(JobStatusView::from(status))).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
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
    caller.require(Scope::Submit)?;
    let key = idempotency_key(&headers)?;
    let request = body.value;
    let config = &state.config;
    // Check everything and report it together: the problem, then the options.
    let validated = job_problem(&request.problem, &request.published, &request.changes);
    let options = solve_options(
        request.options.as_ref(),
        config.max_time_limit_secs,
        config.default_time_limit_secs,
    );
    let callback = request
        .callback_url
        .as_deref()
        .map_or(Ok(()), |u| check_callback(u, config));
    let ((validated, _), options) = merge_errors(validated, options, callback)?;
    within_budget(validated.problem, config.max_candidates).await?;
    let stored = StoredRequest {
        problem: request.problem,
        options,
        published: request.published,
        changes: request.changes,
        what_if: false,
    };
    enqueue(
        &state,
        &caller,
        key,
        &body.bytes,
        &stored,
        request.callback_url,
    )
    .await
}

/// 422 `problem_too_large` when the problem's estimated candidate meetings
/// ([`mediation_solver::candidates::estimate`]) are over the memory budget
/// (`MEDIATION_MAX_CANDIDATES`); estimated on a blocking thread.
pub async fn within_budget(
    problem: mediation_solver::model::Problem,
    limit: Option<u64>,
) -> Result<(), ApiError> {
    let Some(limit) = limit else { return Ok(()) };
    let estimate =
        tokio::task::spawn_blocking(move || mediation_solver::candidates::estimate(&problem))
            .await
            .map_err(|_| ApiError::Internal("the size estimate stopped".into()))?;
    if estimate <= limit {
        return Ok(());
    }
    let e = mediation_solver::milp::SolveError::TooLarge { estimate, limit };
    Err(ApiError::refused(
        e.code(),
        "/problem".into(),
        e.to_string(),
        "submit fewer cases or weeks at a time",
    ))
}

/// Stores an accepted job and queues it: 202, or the existing job for a replayed
/// `Idempotency-Key`, 409 for the same key with another body, 503 when the queue is full.
pub async fn enqueue(
    state: &AppState,
    caller: &Caller,
    key: Option<String>,
    body: &[u8],
    stored: &StoredRequest,
    callback_url: Option<String>,
) -> Result<Response, ApiError> {
    let state = state.clone();
    let stored = serde_json::to_string(stored)
        .map_err(|e| ApiError::Internal(format!("cannot store the request: {e}")))?;
    let body_hash = hex(&Sha256::digest(canonical(body)?));
    let Some(admission) = state.pool.admit() else {
        // A replay of an accepted submission is answered even when the queue is full.
        if let Some(existing) = replay(&state, caller, key.as_deref(), &body_hash).await? {
            return Ok(existing);
        }
        return Err(ApiError::QueueFull {
            retry_after_secs: retry_after(&state),
        });
    };
    let job = NewJob {
        id: Uuid::new_v4(),
        owner: caller.name.clone(),
        idempotency_key: key,
        body_hash: body_hash.clone(),
        request: stored,
        callback_url,
        created_at: Utc::now(),
    };
    let inserted = store_call(&state.store, move |s| s.insert(job)).await?;
    match inserted {
        Inserted::New(status) => {
            admission.enqueue(status.id);
            tracing::info!(job = %status.id, owner = %status.owner, "job accepted");
            Ok(accepted(status))
        }
        Inserted::Existing {
            status,
            body_hash: existing,
        } => {
            drop(admission);
            if existing == body_hash {
                Ok(accepted(status))
            } else {
                Err(ApiError::IdempotencyConflict)
            }
        }
    }
}

/// A seconds estimate for `Retry-After`: a queue's worth of the default time limit, shared
/// by the solvers, at least 1.
fn retry_after(state: &AppState) -> u64 {
    let per_solve = state.config.default_time_limit_secs.clamp(1.0, 60.0);
    let n = state.pool.depth().max(1) as f64 / state.pool.max_concurrent as f64;
    (per_solve * n).ceil().clamp(1.0, 300.0) as u64
}

async fn replay(
    state: &AppState,
    caller: &Caller,
    key: Option<&str>,
    body_hash: &str,
) -> Result<Option<Response>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    let owner = caller.name.clone();
    let key = key.to_string();
    let found = store_call(&state.store, move |s| s.find_idempotent(&owner, &key)).await?;
    match found {
        Some((status, hash)) if hash == body_hash => Ok(Some(accepted(status))),
        Some(_) => Err(ApiError::IdempotencyConflict),
        None => Ok(None),
    }
}

/// Reports the problem's and the options' issues together.
fn merge_errors<A, B>(
    a: Result<A, ApiError>,
    b: Result<B, ApiError>,
    c: Result<(), ApiError>,
) -> Result<(A, B), ApiError> {
    let (a, b, c) = match (a, b, c) {
        (Ok(a), Ok(b), Ok(())) => return Ok((a, b)),
        (a, b, c) => (a.err(), b.err(), c.err()),
    };
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut problem_invalid = false;
    for e in [a, b, c].into_iter().flatten() {
        match e {
            ApiError::InvalidProblem {
                errors: e,
                warnings: w,
            } => {
                problem_invalid = true;
                errors.extend(e);
                warnings.extend(w);
            }
            ApiError::InvalidOptions(e) => errors.extend(e),
            other => return Err(other),
        }
    }
    if problem_invalid {
        Err(ApiError::InvalidProblem { errors, warnings })
    } else {
        Err(ApiError::InvalidOptions(errors))
    }
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
    let before = store_call(&state.store, move |s| s.status(id))
        .await?
        .filter(|s| visible.may_see(&s.owner))
        .ok_or(ApiError::JobNotFound)?;
    let after = store_call(&state.store, move |s| s.cancel(id, Utc::now()))
        .await?
        .ok_or(ApiError::JobNotFound)?;
    if !before.state.is_finished() && after.state == JobState::Cancelled {
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
    let validated = job_problem(&request.problem, &request.published, &request.changes);
    let options = solve_options(
        request.options.as_ref(),
        f64::INFINITY,
        config.sync_time_limit_secs,
    );
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
    let ((validated, replan), mut options) = merge_errors(validated, options, callback)?;
    options.time_limit_secs = options.time_limit_secs.min(config.sync_time_limit_secs);
    let cases = validated.problem.cases.len();
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
        retry_after_secs: retry_after(&state),
    })?;
    let warnings = validated
        .warnings
        .iter()
        .map(|i| IssueView::of(i, "/problem"))
        .collect();
    let solved = solve_blocking(
        Arc::clone(&state.pool.solver),
        validated.problem,
        options,
        warnings,
        permit,
        replan,
    )
    .await;
    let (result, elapsed) = solved.map_err(|f| ApiError::SolveFailed(f.message))?;
    state
        .metrics
        .observe_solve(elapsed, result.solver.relative_gap);
    Ok(Json(result))
}

fn parse_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::BadJobId(text.chars().take(64).collect()))
}
