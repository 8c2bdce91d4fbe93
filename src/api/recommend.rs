//! `/v1/recommendations`: the best options for one new case beside a roster whose meetings
//! stay where they are (the solver crate's `recommend`).

use axum::extract::State;
use axum::Json;
use mediation_solver::candidates::Weights;
use mediation_solver::recommend::{recommend, RecommendError, Recommendations};
use mediation_solver::roster::Roster;
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, Scope};
use super::body::{object, problem_from, schema, JsonBody};
use super::error::{ApiError, ProblemDetails};
use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(recommendations))
}

fn default_n() -> usize {
    5
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendRequest {
    /// The problem, including the new case.
    #[schema(schema_with = schema::problem)]
    pub problem: Box<RawValue>,
    /// The current roster; its meetings are kept as they are.
    #[schema(schema_with = schema::roster)]
    #[serde(deserialize_with = "object")]
    pub roster: Roster,
    /// The new case's reference.
    pub case: String,
    /// How many options, 1 to 50 (default 5).
    #[serde(default = "default_n")]
    pub n: usize,
    /// Objective weights (docs/objective.md); fields left out keep their defaults.
    #[schema(value_type = Option<Object>)]
    #[serde(default)]
    pub weights: Option<Weights>,
}

/// The 422 of a request `recommend` refuses, with its stable code and a pointer into the
/// body.
fn refused(e: &RecommendError) -> ApiError {
    let (pointer, hint) = match e {
        RecommendError::UnknownCase(_) => ("/case".to_string(), "name a case of the problem"),
        RecommendError::CaseAlreadyInRoster(_) => (
            "/case".to_string(),
            "the case already has a meeting: remove it from the roster to look for another",
        ),
        RecommendError::InvalidRoster { field, .. } => (
            format!("/roster{field}"),
            "send a roster that passes POST /v1/check",
        ),
        RecommendError::InvalidN(_) => ("/n".to_string(), "ask for 1 to 50 options"),
        RecommendError::InvalidWeight { field, .. } => (
            format!("/weights/{field}"),
            "weights are costs: give 0 up to the most the message names",
        ),
    };
    ApiError::refused(e.code(), pointer, e.to_string(), hint)
}

/// The best `n` options to hold one case beside a roster, ranked, each with its cost, the
/// cost's terms and why it ranks where it does.
///
/// The roster's meetings are fixed; its unscheduled and carried-over lists are not read.
/// When no option fits, `options` is empty and `reasons` says why.
#[utoipa::path(
    post, path = "/v1/recommendations", tag = "rosters",
    request_body = RecommendRequest,
    responses(
        (status = 200, description = "Ranked options", body = Object),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid problem, or `unknown_case`, `case_already_scheduled`, `invalid_roster`, `invalid_n`, `invalid_weight`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn recommendations(
    State(_state): State<AppState>,
    caller: Caller,
    body: JsonBody<RecommendRequest>,
) -> Result<Json<Recommendations>, ApiError> {
    caller.require(Scope::Submit)?;
    let request = body.value;
    let validated = problem_from(&request.problem)?;
    let weights = request.weights.unwrap_or_default();
    let (roster, case, n) = (request.roster, request.case, request.n);
    // Candidate generation and the roster check are CPU work: off the executor.
    let found = tokio::task::spawn_blocking(move || {
        recommend(&validated.problem, &roster, &case, n, &weights)
    })
    .await
    .map_err(|_| ApiError::Internal("the recommendation task stopped".into()))?;
    found.map(Json).map_err(|e| refused(&e))
}
