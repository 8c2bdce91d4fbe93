//! `/v1/validate` (every issue of a problem, without solving) and `/v1/check` (every rule a
//! roster breaks, by the solver crate's independent checker).

use axum::extract::State;
use axum::Json;
use mediation_solver::checker::check;
use mediation_solver::roster::Roster;
use mediation_solver::validate::{parse_problem, InputError};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, Scope};
use super::body::{object, problem_from, require_object, schema, JsonBody};
use super::error::{ApiError, IssueView, ProblemDetails};
use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(validate))
        .routes(routes!(check_roster))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    #[schema(schema_with = schema::any_problem)]
    pub problem: Box<RawValue>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ValidationReport {
    /// True when the problem has no errors (warnings allowed).
    pub valid: bool,
    pub errors: Vec<IssueView>,
    pub warnings: Vec<IssueView>,
}

/// Validate a problem and list every issue, without solving.
///
/// Answers 200 whether or not the problem is valid; `valid` says which. A problem of the
/// wrong shape (say, a string where a list belongs) is one error, `problem_malformed`,
/// located by its pointer.
#[utoipa::path(
    post, path = "/v1/validate", tag = "problems",
    request_body = ValidateRequest,
    responses(
        (status = 200, body = ValidationReport),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "JSON of the wrong shape (`bad_body`), with its pointer", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn validate(
    State(_state): State<AppState>,
    caller: Caller,
    body: JsonBody<ValidateRequest>,
) -> Result<Json<ValidationReport>, ApiError> {
    caller.require(Scope::Read)?;
    let of = |issues: &[mediation_solver::validate::Issue]| {
        issues
            .iter()
            .map(|i| IssueView::of(i, "/problem"))
            .collect::<Vec<_>>()
    };
    require_object(&body.value.problem, "/problem")?;
    let report = match parse_problem(body.value.problem.get()) {
        Ok(validated) => ValidationReport {
            valid: true,
            errors: Vec::new(),
            warnings: of(&validated.warnings),
        },
        Err(InputError::Invalid { errors, warnings }) => ValidationReport {
            valid: false,
            errors: of(&errors),
            warnings: of(&warnings),
        },
        Err(InputError::Malformed { path, message, .. }) => ValidationReport {
            valid: false,
            errors: vec![IssueView {
                code: "problem_malformed".into(),
                severity: "error".into(),
                pointer: format!("/problem{path}"),
                message,
                hint: "give the problem the shape of docs/input-format.md".into(),
            }],
            warnings: Vec::new(),
        },
    };
    Ok(Json(report))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    #[schema(schema_with = schema::problem)]
    pub problem: Box<RawValue>,
    #[schema(schema_with = schema::roster)]
    #[serde(deserialize_with = "object")]
    pub roster: Roster,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckResult {
    /// True when the roster breaks no rule.
    pub valid: bool,
    pub meetings_checked: usize,
    /// Every rule broken: `code`, `case`, `meeting` (index), `message`.
    #[schema(value_type = Vec<Object>)]
    pub violations: Vec<serde_json::Value>,
}

/// Check a roster against every rule of a problem with the independent checker.
#[utoipa::path(
    post, path = "/v1/check", tag = "problems",
    request_body = CheckRequest,
    responses(
        (status = 200, body = CheckResult),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid problem or a roster of the wrong shape", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 408, description = "The request took longer than MEDIATION_REQUEST_TIMEOUT (`request_timeout`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "The key is over MEDIATION_RATE_LIMIT (`rate_limited`); see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")), body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
async fn check_roster(
    State(_state): State<AppState>,
    caller: Caller,
    body: JsonBody<CheckRequest>,
) -> Result<Json<CheckResult>, ApiError> {
    caller.require(Scope::Read)?;
    let validated = problem_from(&body.value.problem)?;
    let roster = body.value.roster;
    // The checker is linear in the roster; it runs off the executor all the same.
    let report = tokio::task::spawn_blocking(move || check(&validated.problem, &roster))
        .await
        .map_err(|_| ApiError::Internal("the checker stopped".into()))?;
    let violations = report
        .violations
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(CheckResult {
        valid: report.is_valid(),
        meetings_checked: report.meetings_checked,
        violations,
    }))
}
