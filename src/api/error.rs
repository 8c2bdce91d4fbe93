//! Every error the API answers, as RFC 9457 `application/problem+json` with a stable `code`.
//! Internal errors are logged and never shown to the client.

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mediation_solver::validate::{Issue, Severity};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One issue of a problem (or of a request), located by a JSON pointer into the request
/// body.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct IssueView {
    /// Stable code, e.g. `unknown_la`.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// JSON pointer into the request body, e.g. `/problem/cases/3/la_code`.
    pub pointer: String,
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl IssueView {
    /// An issue of the problem found at `prefix` in the request body.
    pub fn of(issue: &Issue, prefix: &str) -> IssueView {
        IssueView {
            code: issue.code.to_string(),
            severity: match issue.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .to_string(),
            pointer: format!("{prefix}{}", issue.path),
            message: issue.message.clone(),
            hint: issue.hint.clone(),
        }
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// `urn:mediation-scheduler:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable; see docs/api.md for the table.
    pub code: String,
    /// Every issue found (validation errors, option errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<IssueView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<IssueView>,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required: {0}")]
    Unauthenticated(&'static str),
    #[error("this API key lacks the `{scope}` scope")]
    Forbidden { scope: &'static str },
    #[error("no such job")]
    JobNotFound,
    #[error("no such route")]
    RouteNotFound,
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    #[error("`{0}` is not a job id (a UUID)")]
    BadJobId(String),
    #[error("bad query string: {0}")]
    BadQuery(String),
    #[error("the body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the body is not JSON (line {line}, column {column}): {message}")]
    MalformedJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the body does not have the expected shape at `{pointer}`: {message}")]
    BadBody { pointer: String, message: String },
    #[error("the problem is not a problem document at `{pointer}`: {message}")]
    ProblemMalformed { pointer: String, message: String },
    #[error("the problem has {} validation error(s)", errors.len())]
    InvalidProblem {
        errors: Vec<IssueView>,
        warnings: Vec<IssueView>,
    },
    #[error("invalid option(s)")]
    InvalidOptions(Vec<IssueView>),
    /// The what-if document, a scenario or a change is wrong: every error listed.
    #[error("the what-if document has {} error(s)", errors.len())]
    InvalidWhatIf {
        errors: Vec<IssueView>,
        warnings: Vec<IssueView>,
    },
    /// The request is well formed but the solver refuses it (e.g. an unknown case). `code`
    /// is the first issue's; a submission refused for several reasons lists them all.
    #[error("{}", refused_detail(issues))]
    Refused {
        code: &'static str,
        issues: Vec<IssueView>,
    },
    #[error("the body is larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("this Idempotency-Key was already used with a different body")]
    IdempotencyConflict,
    #[error("this API key is over its rate limit; retry later")]
    RateLimited { retry_after_secs: u64 },
    #[error("the solve queue is full; retry later")]
    QueueFull { retry_after_secs: u64 },
    /// The job database did not answer (down, unreachable, out of connections).
    #[error("the job database is unavailable; retry later")]
    StoreUnavailable,
    #[error("every solver is busy; retry later or submit the job with POST /v1/rosters")]
    SolverBusy { retry_after_secs: u64 },
    #[error("the problem has {cases} cases; synchronous solves take at most {max}: submit it with POST /v1/rosters")]
    TooLargeForSync { cases: usize, max: usize },
    #[error("the solver failed: {0}")]
    SolveFailed(String),
    #[error("the request took longer than the limit")]
    Timeout,
    /// A job's page, calendar, invitation or shared link that does not exist (an expired or
    /// revoked link answers exactly as an unknown one).
    #[error("{detail}")]
    NotFound { code: &'static str, detail: String },
    /// The job has no roster yet (queued or solving), or none at all (failed, cancelled, or
    /// a what-if job).
    #[error("the job is {state} and has no roster to show")]
    RosterNotReady { state: String },
    /// Logged with its detail; the client sees a generic message.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A well-formed request the solver refuses, with the pointer to what it refuses.
    pub fn refused(code: &'static str, pointer: String, message: String, hint: &str) -> Self {
        ApiError::Refused {
            code,
            issues: vec![IssueView {
                code: code.to_string(),
                severity: "error".into(),
                pointer,
                message,
                hint: hint.to_string(),
            }],
        }
    }

    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Forbidden { .. } => StatusCode::FORBIDDEN,
            JobNotFound | RouteNotFound | NotFound { .. } => StatusCode::NOT_FOUND,
            RosterNotReady { .. } => StatusCode::CONFLICT,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            BadJobId(_) | BadQuery(_) | MalformedJson { .. } => StatusCode::BAD_REQUEST,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            BadBody { .. }
            | ProblemMalformed { .. }
            | InvalidProblem { .. }
            | InvalidOptions(_)
            | InvalidWhatIf { .. }
            | Refused { .. }
            | TooLargeForSync { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            IdempotencyConflict => StatusCode::CONFLICT,
            RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            QueueFull { .. } | SolverBusy { .. } | StoreUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            SolveFailed(_) | Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Timeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            Unauthenticated(_) => "unauthenticated",
            Forbidden { .. } => "forbidden",
            JobNotFound => "job_not_found",
            RouteNotFound => "route_not_found",
            MethodNotAllowed => "method_not_allowed",
            BadJobId(_) => "bad_job_id",
            BadQuery(_) => "bad_query",
            UnsupportedMediaType => "unsupported_media_type",
            MalformedJson { .. } => "malformed_json",
            BadBody { .. } => "bad_body",
            ProblemMalformed { .. } => "problem_malformed",
            InvalidProblem { .. } => "invalid_problem",
            InvalidOptions(_) => "invalid_options",
            InvalidWhatIf { .. } => "invalid_what_if",
            Refused { code, .. } => code,
            BodyTooLarge { .. } => "body_too_large",
            IdempotencyConflict => "idempotency_key_reused",
            RateLimited { .. } => "rate_limited",
            QueueFull { .. } => "queue_full",
            StoreUnavailable => "store_unavailable",
            SolverBusy { .. } => "solver_busy",
            TooLargeForSync { .. } => "too_large_for_sync",
            SolveFailed(_) => "solve_failed",
            Timeout => "request_timeout",
            NotFound { code, .. } => code,
            RosterNotReady { .. } => "roster_not_ready",
            Internal(_) => "internal",
        }
    }

    /// The problem+json document of this error.
    pub fn details(&self) -> ProblemDetails {
        let status = self.status();
        let (errors, warnings) = match self {
            ApiError::InvalidProblem { errors, warnings }
            | ApiError::InvalidWhatIf { errors, warnings } => (errors.clone(), warnings.clone()),
            ApiError::InvalidOptions(errors) => (errors.clone(), Vec::new()),
            ApiError::Refused { issues, .. } => (issues.clone(), Vec::new()),
            _ => (Vec::new(), Vec::new()),
        };
        ProblemDetails {
            kind: format!("urn:mediation-scheduler:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().to_string(),
            errors,
            warnings,
        }
    }
}

/// The detail of a refusal: its message, or with several issues the count and the first.
fn refused_detail(issues: &[IssueView]) -> String {
    match issues {
        [] => "refused".into(),
        [one] => one.message.clone(),
        [first, rest @ ..] => format!(
            "{} and {} more error(s), each listed in `errors`",
            first.message,
            rest.len()
        ),
    }
}

/// Every error of a submission in one answer: the errors of each check (the job's own,
/// its options, its callback) are listed together, in the order given. The answer's `code`
/// is the most central one present: `invalid_problem`, then `invalid_what_if`, then the
/// first refusal's (`unknown_id`, `invalid_change`…), then `invalid_options`. Any other
/// error (a body of the wrong shape, a problem that is not a problem document) stands
/// alone: it is returned as it is.
pub fn collect_errors(found: impl IntoIterator<Item = ApiError>) -> Option<ApiError> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let (mut problem, mut what_if, mut refused, mut any) = (false, false, None, false);
    for e in found {
        any = true;
        match e {
            ApiError::InvalidProblem {
                errors: e,
                warnings: w,
            } => {
                problem = true;
                errors.extend(e);
                warnings.extend(w);
            }
            ApiError::InvalidWhatIf {
                errors: e,
                warnings: w,
            } => {
                what_if = true;
                errors.extend(e);
                warnings.extend(w);
            }
            ApiError::Refused { code, issues } => {
                refused.get_or_insert(code);
                errors.extend(issues);
            }
            ApiError::InvalidOptions(e) => errors.extend(e),
            other => return Some(other),
        }
    }
    if !any {
        return None;
    }
    Some(if problem {
        ApiError::InvalidProblem { errors, warnings }
    } else if what_if {
        ApiError::InvalidWhatIf { errors, warnings }
    } else if let Some(code) = refused {
        ApiError::Refused {
            code,
            issues: errors,
        }
    } else {
        ApiError::InvalidOptions(errors)
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(detail = %detail, "internal error");
        }
        let body = serde_json::to_vec(&self.details()).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match self {
            ApiError::Unauthenticated(_) => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::QueueFull { retry_after_secs }
            | ApiError::SolverBusy { retry_after_secs }
            | ApiError::RateLimited { retry_after_secs } => {
                headers.insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            ApiError::StoreUnavailable => {
                headers.insert(RETRY_AFTER, HeaderValue::from(5u64));
            }
            _ => {}
        }
        response
    }
}

impl From<super::store::StoreError> for ApiError {
    fn from(e: super::store::StoreError) -> Self {
        match e {
            super::store::StoreError::Unavailable(detail) => {
                tracing::warn!(detail = %detail, "job database unavailable");
                ApiError::StoreUnavailable
            }
            e => ApiError::Internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(code: &str, pointer: &str) -> IssueView {
        IssueView {
            code: code.into(),
            severity: "error".into(),
            pointer: pointer.into(),
            message: format!("{pointer} is wrong"),
            hint: "fix it".into(),
        }
    }

    fn pointers(e: &ApiError) -> Vec<String> {
        e.details().errors.into_iter().map(|i| i.pointer).collect()
    }

    #[test]
    fn every_error_of_a_submission_is_listed_under_the_most_central_code() {
        let refused = || {
            ApiError::refused(
                "unknown_id",
                "/changes/0/mediator".into(),
                "no mediator".into(),
                "fix it",
            )
        };
        let options =
            || ApiError::InvalidOptions(vec![issue("invalid_option", "/options/mip_gap")]);
        let one = collect_errors([refused()]).unwrap();
        assert_eq!(
            (one.code(), one.to_string()),
            ("unknown_id", "no mediator".into())
        );
        let both = collect_errors([refused(), options()]).unwrap();
        assert_eq!(both.code(), "unknown_id");
        assert_eq!(pointers(&both), ["/changes/0/mediator", "/options/mip_gap"]);
        assert!(both.to_string().contains("1 more error"), "{both}");
        let what_if = ApiError::InvalidWhatIf {
            errors: vec![issue("E3001", "/what_if/scenarios/0/changes/0/id")],
            warnings: Vec::new(),
        };
        let e = collect_errors([what_if, options()]).unwrap();
        assert_eq!(e.code(), "invalid_what_if");
        assert_eq!(pointers(&e).len(), 2);
        let problem = ApiError::InvalidProblem {
            errors: vec![issue("E1001", "/problem/cases/0/la")],
            warnings: vec![issue("W2001", "/problem/venues/0")],
        };
        let e = collect_errors([refused(), problem, options()]).unwrap();
        assert_eq!(e.code(), "invalid_problem");
        assert_eq!(pointers(&e).len(), 3);
        assert_eq!(e.details().warnings.len(), 1);
        assert_eq!(
            collect_errors([options()]).unwrap().code(),
            "invalid_options"
        );
        let bad_body = ApiError::BadBody {
            pointer: "/problem".into(),
            message: "must be a JSON object".into(),
        };
        assert_eq!(
            collect_errors([bad_body, options()]).unwrap().code(),
            "bad_body"
        );
        assert!(collect_errors(Vec::new()).is_none());
    }
}
