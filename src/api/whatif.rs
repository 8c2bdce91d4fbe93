//! `POST /v1/what-if`: scenarios of capacity changes solved side by side with the base, as
//! a background job like a roster's (poll it at `/v1/rosters/{id}`). The document is the
//! command line's what-if file (docs/what-if.md) with the base problem inline. The job kind
//! (checking and running the document) is [`super::jobs::whatif`]; submitting is
//! [`super::submission`]'s.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::body::{schema, JsonBody};
use super::error::{ApiError, ProblemDetails};
use super::jobs::{JobRequest, WhatIfJob};
use super::submission::{self, JobStatusView, OptionsInput};
use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(submit_what_if))
}

/// `POST /v1/what-if`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    #[schema(schema_with = schema::what_if)]
    pub what_if: Box<RawValue>,
    #[serde(default)]
    pub options: Option<OptionsInput>,
    /// Where to POST `{ "id", "state" }` when the job finishes (allow-listed hosts only).
    pub callback_url: Option<String>,
}

/// Submit what-if scenarios to be solved in the background.
///
/// The whole document is checked before the job is accepted, and every error found is
/// listed in one answer (422 `invalid_what_if`, each error with its pointer and code,
/// together with any option or callback error). The job's result, at
/// `GET /v1/rosters/{id}`, is the side-by-side report: per scenario its figures, solver
/// summary and roster.
#[utoipa::path(
    post, path = "/v1/what-if", tag = "what-if",
    request_body = WhatIfRequest,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]{1,255}$",
        description = "Makes retries safe: the same key and body (compared as canonical JSON: whitespace and key order do not count) give the same job; 1 to 255 visible ASCII characters (0x21-0x7E), else 400 `bad_query`")),
    responses(
        (status = 202, description = "Accepted; poll the Location (/v1/rosters/{id})", body = JobStatusView, links(
            ("GetJob" = (operation_id = "get_job", parameters(("id" = "$response.body#/id")))),
            ("GetJobStatus" = (operation_id = "get_status", parameters(("id" = "$response.body#/id")))),
            ("CancelJob" = (operation_id = "cancel", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key reused with another body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid document, scenarios, changes, options or callback: every error listed, each with its pointer", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Queue full; see Retry-After", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 400, description = "Malformed JSON, a bad job id, query or header (`malformed_json`, `bad_job_id`, `bad_query`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "The body is over MEDIATION_BODY_LIMIT (`body_too_large`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json` (`unsupported_media_type`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn submit_what_if(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<WhatIfRequest>,
) -> Result<Response, ApiError> {
    let JsonBody {
        value: request,
        bytes,
    } = body;
    let job = JobRequest::WhatIf(WhatIfJob {
        document: request.what_if,
    });
    submission::submit(
        &state,
        &caller,
        &headers,
        &bytes,
        job,
        request.options.as_ref(),
        request.callback_url,
    )
    .await
}
