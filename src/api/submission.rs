//! Submitting a job, whatever its kind: the one place that checks the caller's scope and
//! `Idempotency-Key`, prepares the job as its kind does together with the options and the
//! callback URL (every error in one answer), holds roster and re-plan problems to the
//! memory budget, stores the job under its owner and queues it. The routes
//! (`POST /v1/rosters`, `POST /v1/what-if`) only turn their body into a
//! [`JobRequest`]; `POST /v1/rosters/solve` shares the checks ([`check`]).

use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use mediation_solver::candidates::{WeightError, Weights, MAX_WEIGHT};
use mediation_solver::milp::{Backend, SolveOptions};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{Caller, Scope};
use super::config::Config;
use super::error::{collect_errors, ApiError, IssueView};
use super::jobs::{host_on_allow_list, Job, JobRequest, Prepared};
use super::store::{store_call, Inserted, JobFailure, JobState, JobStatus, NewJob};
use super::AppState;

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
        for (field, refused) in weights.refused() {
            bad(
                &format!("weights/{field}"),
                format!("weight `{field}` {refused}"),
                format!("weights are costs: give 0 to {MAX_WEIGHT}"),
            );
        }
        options.weights = weights;
    }
    if let Some(p) = input.change_penalty {
        match WeightError::of(p) {
            Ok(()) => options.weights.change = p,
            Err(refused) => bad(
                "change_penalty",
                format!("change penalty {refused}"),
                format!("give 0 to {MAX_WEIGHT} objective units"),
            ),
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
    if host_on_allow_list(host, &config.callback_hosts) {
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

/// Checks a job, its options and its callback together: the prepared job and the solver
/// options, or every error of the three in one answer ([`collect_errors`]).
pub fn check(
    request: &JobRequest,
    options: Option<&OptionsInput>,
    max_time_limit: f64,
    default_time_limit: f64,
    callback: Result<(), ApiError>,
) -> Result<(Prepared, SolveOptions), ApiError> {
    let prepared = request.prepare();
    let options = solve_options(options, max_time_limit, default_time_limit);
    match (prepared, options, callback) {
        (Ok(prepared), Ok(options), Ok(())) => Ok((prepared, options)),
        (prepared, options, callback) => {
            let found = [prepared.err(), options.err(), callback.err()];
            Err(collect_errors(found.into_iter().flatten())
                .unwrap_or_else(|| ApiError::Internal("a check failed without an error".into())))
        }
    }
}

/// Submits a job of any kind: the caller needs the `submit` scope; the job, its options
/// and its callback are checked together; a roster or re-plan problem must be within the
/// memory budget; then the job is stored under the caller's name and queued (202), or a
/// replayed `Idempotency-Key` answers its first job.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: &[u8],
    request: JobRequest,
    options: Option<&OptionsInput>,
    callback_url: Option<String>,
) -> Result<Response, ApiError> {
    caller.require(Scope::Submit)?;
    let key = idempotency_key(headers)?;
    let config = &state.config;
    let callback = callback_url
        .as_deref()
        .map_or(Ok(()), |url| check_callback(url, config));
    let (prepared, options) = check(
        &request,
        options,
        config.max_time_limit_secs,
        config.default_time_limit_secs,
        callback,
    )?;
    if let Some(problem) = prepared.into_problem() {
        within_budget(problem, config.max_candidates).await?;
    }
    let job = Job { request, options };
    enqueue(state, caller, key, body, &job, callback_url).await
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
async fn enqueue(
    state: &AppState,
    caller: &Caller,
    key: Option<String>,
    body: &[u8],
    job: &Job,
    callback_url: Option<String>,
) -> Result<Response, ApiError> {
    let state = state.clone();
    let stored = job
        .encode()
        .map_err(|e| ApiError::Internal(format!("cannot store the request: {e}")))?;
    let body_hash = hex(&Sha256::digest(canonical(body)?));
    let waiting = store_call(&state.store, |s| s.queue_depth()).await?;
    let Some(admission) = state.pool.admit(waiting) else {
        // A replay of an accepted submission is answered even when the queue is full.
        if let Some(existing) = replay(&state, caller, key.as_deref(), &body_hash).await? {
            return Ok(existing);
        }
        return Err(ApiError::QueueFull {
            retry_after_secs: retry_after(&state, waiting),
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
            drop(admission);
            state.pool.ring();
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

/// A seconds estimate for `Retry-After`: `waiting` jobs' worth of the default time limit,
/// shared by this replica's solvers, at least 1.
pub(crate) fn retry_after(state: &AppState, waiting: usize) -> u64 {
    let per_solve = state.config.default_time_limit_secs.clamp(1.0, 60.0);
    let n = waiting.max(1) as f64 / state.pool.max_concurrent as f64;
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
