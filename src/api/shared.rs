//! What people open: a job's roster page and calendars, over a bearer key
//! (`/v1/rosters/{id}/…`) or over a read-only link (`/shared/{token}/…`) that a browser or a
//! calendar app can use without a key.
//!
//! A link names one job. Its token carries 244 random bits (two UUIDv4s from the system's
//! random source); only its SHA-256 is stored. An expired, revoked or unknown token answers
//! the same 404.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use mediation_solver::candidates::Weights;
use mediation_solver::kpi::kpis;
use mediation_solver::milp::SolverSummary;
use mediation_solver::model::Problem;
use mediation_solver::replan::MeetingChange;
use mediation_solver::roster::Roster;
use mediation_solver::schedule::Outcome;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Caller, Scope};
use super::body::{is_json, parse_json};
use super::error::{ApiError, IssueView, ProblemDetails};
use super::jobs::{Job, JobKind, Prepared};
use super::store::{store_call, JobRecord, LinkRecord};
use super::submission::hex;
use super::AppState;
use crate::report::ics::{self, CalendarSettings};
use crate::report::{html, RosterReport};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(page))
        .routes(routes!(changes))
        .routes(routes!(mediator_calendar))
        .routes(routes!(venue_calendar))
        .routes(routes!(invitation))
        .routes(routes!(create_link))
        .routes(routes!(revoke_link))
        .routes(routes!(shared_page))
        .routes(routes!(shared_changes))
        .routes(routes!(shared_mediator_calendar))
        .routes(routes!(shared_venue_calendar))
        .routes(routes!(shared_invitation))
}

const HTML: &str = "text/html; charset=utf-8";
const CALENDAR: &str = "text/calendar; charset=utf-8";
/// Default and longest lifetime of a link, in days.
pub const LINK_DAYS_DEFAULT: i64 = 7;
pub const LINK_DAYS_MAX: i64 = 30;

/// One of the documents of a job's roster.
#[derive(Debug, Clone)]
enum Document {
    Page,
    Changes,
    Mediator(String),
    Venue(String),
    Invitation(String),
}

/// A finished roster job, ready to render.
struct Loaded {
    problem: Problem,
    /// The job's objective weights: the page's suggested fixes are priced with them.
    weights: Weights,
    outcome: Outcome,
    changes: Option<(usize, Vec<MeetingChange>)>,
}

/// The parts of a stored roster result the documents need.
#[derive(Deserialize)]
struct StoredResult {
    roster: Roster,
    solver: SolverSummary,
    #[serde(default)]
    repaired: usize,
    #[serde(default)]
    replan: Option<StoredReplan>,
}

#[derive(Deserialize)]
struct StoredReplan {
    kept: usize,
    changes: Vec<MeetingChange>,
}

fn load(record: &JobRecord) -> Result<Loaded, ApiError> {
    let job = Job::decode(&record.request)
        .map_err(|e| ApiError::Internal(format!("stored request unreadable: {e}")))?;
    if job.request.kind() == JobKind::WhatIf {
        return Err(ApiError::RosterNotReady {
            state: "a what-if job".into(),
        });
    }
    let Some(result) = &record.result else {
        return Err(ApiError::RosterNotReady {
            state: record.status.state.as_str().into(),
        });
    };
    let stored: StoredResult = serde_json::from_str(result)
        .map_err(|e| ApiError::Internal(format!("stored result unreadable: {e}")))?;
    let problem = match job.request.prepare() {
        Ok(Prepared::Roster(solve)) => solve.problem,
        Ok(Prepared::WhatIf(_)) => {
            return Err(ApiError::RosterNotReady {
                state: "a what-if job".into(),
            })
        }
        Err(e) => {
            return Err(ApiError::Internal(format!(
                "stored problem no longer valid: {e}"
            )))
        }
    };
    Ok(Loaded {
        problem,
        weights: job.options.weights,
        outcome: Outcome {
            roster: stored.roster,
            solver: stored.solver,
            repaired: stored.repaired,
        },
        changes: stored.replan.map(|r| (r.kept, r.changes)),
    })
}

/// Renders one document of a loaded job: its body and content type.
fn render(
    loaded: &Loaded,
    document: &Document,
    config: &super::Config,
) -> Result<(String, &'static str), ApiError> {
    let problem = &loaded.problem;
    let roster = &loaded.outcome.roster;
    let settings = || {
        CalendarSettings::new(
            problem,
            config.calendar_domain.as_deref(),
            config.calendar_organizer.as_deref(),
        )
        .map_err(|e| ApiError::Internal(format!("calendar settings: {e}")))
    };
    let missing = |code: &'static str, what: &str, id: &str| ApiError::NotFound {
        code,
        detail: format!(
            "this roster has no {what} `{}`",
            id.chars().take(64).collect::<String>().escape_debug()
        ),
    };
    match document {
        Document::Page => {
            let kpis = kpis(problem, roster);
            // A roster the solver wrote always has fixes; should one fail, the page still
            // shows, with "not computed" where a fix would be.
            let fixes = mediation_solver::fixes::fixes(problem, roster, &loaded.weights)
                .unwrap_or_else(|e| {
                    tracing::warn!(code = e.code(), "suggested fixes failed for a page");
                    Vec::new()
                });
            let report = RosterReport {
                problem,
                outcome: &loaded.outcome,
                kpis: &kpis,
                warnings: &[],
            };
            Ok((html::roster_page(&report, &fixes), HTML))
        }
        Document::Changes => match &loaded.changes {
            Some((kept, changes)) => Ok((html::changes_page(problem, *kept, changes), HTML)),
            None => Err(ApiError::NotFound {
                code: "changes_not_found",
                detail: "this job is not a re-plan: it has no changes page".into(),
            }),
        },
        Document::Mediator(id) => ics::mediator_calendar(problem, roster, id, &settings()?)
            .map(|text| (text, CALENDAR))
            .ok_or_else(|| missing("calendar_not_found", "mediator", id)),
        Document::Venue(id) => ics::venue_calendar(problem, roster, id, &settings()?)
            .map(|text| (text, CALENDAR))
            .ok_or_else(|| missing("calendar_not_found", "venue", id)),
        Document::Invitation(case) => ics::invitation(problem, roster, case, &settings()?)
            .map(|text| (text, CALENDAR))
            .ok_or_else(|| missing("invitation_not_found", "meeting for case", case)),
    }
}

/// `<id>.ics` → `<id>`; anything else is not a calendar of this roster.
fn ics_id(file: &str, code: &'static str) -> Result<String, ApiError> {
    file.strip_suffix(".ics")
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ApiError::NotFound {
            code,
            detail: "calendar files end in `.ics`".into(),
        })
}

/// Loads the job and renders the document on a blocking thread.
async fn respond(
    state: &AppState,
    record: JobRecord,
    document: Document,
) -> Result<Response, ApiError> {
    let config = state.config.clone();
    let (body, content_type) = tokio::task::spawn_blocking(move || {
        let loaded = load(&record)?;
        render(&loaded, &document, &config)
    })
    .await
    .map_err(|_| ApiError::Internal("rendering stopped".into()))??;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
        ],
        body,
    )
        .into_response())
}

/// The job `id` if the caller may read it.
async fn visible_job(state: &AppState, caller: &Caller, id: &str) -> Result<JobRecord, ApiError> {
    caller.require(Scope::Read)?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::BadJobId(id.chars().take(64).collect()))?;
    let caller = caller.clone();
    store_call(&state.store, move |s| s.get(id))
        .await?
        .filter(|r| caller.may_see(&r.status.owner))
        .ok_or(ApiError::JobNotFound)
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn link_gone() -> ApiError {
    ApiError::NotFound {
        code: "link_not_found",
        detail: "no such link (or it expired or was revoked)".into(),
    }
}

/// The job a live link names.
async fn linked_job(state: &AppState, token: &str) -> Result<JobRecord, ApiError> {
    // Tokens are 64 hex digits; anything else cannot be one, and is not looked up.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(link_gone());
    }
    let hash = token_hash(token);
    let link = store_call(&state.store, move |s| s.find_link(&hash))
        .await?
        .filter(|l| l.is_live(Utc::now()))
        .ok_or_else(link_gone)?;
    store_call(&state.store, move |s| s.get(link.job))
        .await?
        .ok_or_else(link_gone)
}

/// The roster page of a job: one self-contained HTML file (no script, nothing fetched from
/// elsewhere).
#[utoipa::path(
    get, path = "/v1/rosters/{id}/roster.html", tag = "pages",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The roster page", content_type = "text/html"),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such job (or another key's)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = visible_job(&state, &caller, &id).await?;
    respond(&state, record, Document::Page).await
}

/// A re-plan's call list: who to call, change by change.
#[utoipa::path(
    get, path = "/v1/rosters/{id}/changes.html", tag = "pages",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The changes page", content_type = "text/html"),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such job, or not a re-plan", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = visible_job(&state, &caller, &id).await?;
    respond(&state, record, Document::Changes).await
}

/// A mediator's calendar (RFC 5545): every meeting of theirs in the roster.
#[utoipa::path(
    get, path = "/v1/rosters/{id}/calendars/mediators/{mediator}", tag = "pages",
    params(
        ("id" = Uuid, Path, description = "Job id"),
        ("mediator" = String, Path, description = "Mediator id followed by `.ics`, e.g. `M002.ics`"),
    ),
    responses(
        (status = 200, description = "iCalendar", content_type = "text/calendar"),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such job or mediator", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn mediator_calendar(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, mediator)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = visible_job(&state, &caller, &id).await?;
    let mediator = ics_id(&mediator, "calendar_not_found")?;
    respond(&state, record, Document::Mediator(mediator)).await
}

/// A venue's calendar (RFC 5545): every in-person meeting there in the roster.
#[utoipa::path(
    get, path = "/v1/rosters/{id}/calendars/venues/{venue}", tag = "pages",
    params(
        ("id" = Uuid, Path, description = "Job id"),
        ("venue" = String, Path, description = "Venue id followed by `.ics`, e.g. `V029.ics`"),
    ),
    responses(
        (status = 200, description = "iCalendar", content_type = "text/calendar"),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such job or venue", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn venue_calendar(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, venue)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = visible_job(&state, &caller, &id).await?;
    let venue = ics_id(&venue, "calendar_not_found")?;
    respond(&state, record, Document::Venue(venue)).await
}

/// The parties' invitation (METHOD:REQUEST) to one case's meeting.
#[utoipa::path(
    get, path = "/v1/rosters/{id}/invitations/{case}", tag = "pages",
    params(
        ("id" = Uuid, Path, description = "Job id"),
        ("case" = String, Path, description = "Case reference followed by `.ics`, e.g. `SEN-2026-0401.ics`"),
    ),
    responses(
        (status = 200, description = "iCalendar", content_type = "text/calendar"),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such job, or the case has no meeting", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, case)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = visible_job(&state, &caller, &id).await?;
    let case = ics_id(&case, "invitation_not_found")?;
    respond(&state, record, Document::Invitation(case)).await
}

/// `POST /v1/rosters/{id}/links`; the body may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// Days until the link expires: 1 to 30, default 7.
    #[schema(minimum = 1, maximum = 30)]
    pub expires_in_days: Option<i64>,
}

/// A new read-only link. The token is shown once: only its hash is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    /// Link id, for `DELETE /v1/rosters/{id}/links/{link}`.
    pub id: Uuid,
    pub job: Uuid,
    /// The secret part of every URL below (64 hex digits).
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// The roster page, e.g. `/shared/<token>/roster.html`.
    pub page: String,
    /// Prefix of the calendars: append `mediators/<id>.ics` or `venues/<id>.ics`.
    pub calendars: String,
    /// Prefix of the invitations: append `<case reference>.ics`.
    pub invitations: String,
}

/// Create a read-only link to a job's page and calendars, for a browser or a calendar app
/// that cannot send a bearer key. It grants nothing beyond this one job.
#[utoipa::path(
    post, path = "/v1/rosters/{id}/links", tag = "pages",
    params(("id" = Uuid, Path, description = "Job id")),
    request_body(content = Option<LinkRequest>, content_type = "application/json"),
    responses(
        (status = 201, body = LinkView),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such job (or another key's)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`expires_in_days` out of range", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "The body is over MEDIATION_BODY_LIMIT (`body_too_large`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn create_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let record = visible_job(&state, &caller, &id).await?;
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit: state.config.body_limit_bytes,
            }
        } else {
            ApiError::BadBody {
                pointer: String::new(),
                message: "the body could not be read".into(),
            }
        }
    })?;
    let request: LinkRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LinkRequest::default()
    } else if headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json)
    {
        parse_json(&body)?
    } else {
        return Err(ApiError::UnsupportedMediaType);
    };
    let days = request.expires_in_days.unwrap_or(LINK_DAYS_DEFAULT);
    if !(1..=LINK_DAYS_MAX).contains(&days) {
        return Err(ApiError::InvalidOptions(vec![IssueView {
            code: "bad_expiry".into(),
            severity: "error".into(),
            pointer: "/expires_in_days".into(),
            message: format!("`expires_in_days` must be 1 to {LINK_DAYS_MAX}, got {days}"),
            hint: format!("leave it out for {LINK_DAYS_DEFAULT} days"),
        }]));
    }
    let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let now = Utc::now();
    let link = LinkRecord {
        id: Uuid::new_v4(),
        job: record.status.id,
        token_hash: token_hash(&token),
        created_at: now,
        expires_at: now + Duration::days(days),
        revoked_at: None,
    };
    let view = LinkView {
        id: link.id,
        job: link.job,
        page: format!("/shared/{token}/roster.html"),
        calendars: format!("/shared/{token}/calendars/"),
        invitations: format!("/shared/{token}/invitations/"),
        token,
        expires_at: link.expires_at,
    };
    store_call(&state.store, move |s| s.insert_link(&link)).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Revoke a link: from now on it answers 404, as an unknown one does.
#[utoipa::path(
    delete, path = "/v1/rosters/{id}/links/{link}", tag = "pages",
    params(
        ("id" = Uuid, Path, description = "Job id"),
        ("link" = Uuid, Path, description = "Link id"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such job or link", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn revoke_link(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, link)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = visible_job(&state, &caller, &id).await?;
    let link = Uuid::parse_str(&link).map_err(|_| link_gone())?;
    let job = record.status.id;
    let found = store_call(&state.store, move |s| s.revoke_link(job, link, Utc::now())).await?;
    if found {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(link_gone())
    }
}

/// The roster page through a read-only link (no key).
#[utoipa::path(
    get, path = "/shared/{token}/roster.html", tag = "pages",
    params(("token" = String, Path, description = "The link's token")),
    responses(
        (status = 200, description = "The roster page", content_type = "text/html"),
        (status = 404, description = "No such link, or expired or revoked", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
async fn shared_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let record = linked_job(&state, &token).await?;
    respond(&state, record, Document::Page).await
}

/// A re-plan's call list through a read-only link.
#[utoipa::path(
    get, path = "/shared/{token}/changes.html", tag = "pages",
    params(("token" = String, Path, description = "The link's token")),
    responses(
        (status = 200, description = "The changes page", content_type = "text/html"),
        (status = 404, description = "No such link, or not a re-plan", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
async fn shared_changes(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let record = linked_job(&state, &token).await?;
    respond(&state, record, Document::Changes).await
}

/// A mediator's calendar through a read-only link (subscribe to this URL).
#[utoipa::path(
    get, path = "/shared/{token}/calendars/mediators/{mediator}", tag = "pages",
    params(
        ("token" = String, Path, description = "The link's token"),
        ("mediator" = String, Path, description = "Mediator id followed by `.ics`"),
    ),
    responses(
        (status = 200, description = "iCalendar", content_type = "text/calendar"),
        (status = 404, description = "No such link or mediator", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
async fn shared_mediator_calendar(
    State(state): State<AppState>,
    Path((token, mediator)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = linked_job(&state, &token).await?;
    let mediator = ics_id(&mediator, "calendar_not_found")?;
    respond(&state, record, Document::Mediator(mediator)).await
}

/// A venue's calendar through a read-only link.
#[utoipa::path(
    get, path = "/shared/{token}/calendars/venues/{venue}", tag = "pages",
    params(
        ("token" = String, Path, description = "The link's token"),
        ("venue" = String, Path, description = "Venue id followed by `.ics`"),
    ),
    responses(
        (status = 200, description = "iCalendar", content_type = "text/calendar"),
        (status = 404, description = "No such link or venue", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
async fn shared_venue_calendar(
    State(state): State<AppState>,
    Path((token, venue)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = linked_job(&state, &token).await?;
    let venue = ics_id(&venue, "calendar_not_found")?;
    respond(&state, record, Document::Venue(venue)).await
}

/// A case's invitation through a read-only link.
#[utoipa::path(
    get, path = "/shared/{token}/invitations/{case}", tag = "pages",
    params(
        ("token" = String, Path, description = "The link's token"),
        ("case" = String, Path, description = "Case reference followed by `.ics`"),
    ),
    responses(
        (status = 200, description = "iCalendar", content_type = "text/calendar"),
        (status = 404, description = "No such link, or the case has no meeting", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The job has no roster (yet)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
async fn shared_invitation(
    State(state): State<AppState>,
    Path((token, case)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = linked_job(&state, &token).await?;
    let case = ics_id(&case, "invitation_not_found")?;
    respond(&state, record, Document::Invitation(case)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_ics_files_name_a_calendar() {
        assert_eq!(ics_id("M002.ics", "c").unwrap(), "M002");
        assert!(ics_id("M002", "c").is_err());
        assert!(ics_id(".ics", "c").is_err());
    }
}
