//! The JSON body extractor: checks the content type, reads the body within the size limit
//! and parses it, giving each failure its own answer (415, 413, 400 for syntax, 422 for
//! shape with a JSON pointer).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use mediation_solver::replan::{self, Change, ReplanError};
use mediation_solver::roster::Meeting;
use mediation_solver::validate::{parse_input, parse_problem, InputError, Validated};
use serde::de::DeserializeOwned;

use super::error::{ApiError, IssueView};

/// A parsed JSON body and the bytes it came from (hashed for idempotency).
pub struct JsonBody<T> {
    pub value: T,
    pub bytes: Bytes,
}

pub(crate) fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json);
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = req.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::BodyTooLarge { limit }
            } else {
                ApiError::BadBody {
                    pointer: String::new(),
                    message: "the body could not be read".into(),
                }
            }
        })?;
        let value = parse_json(&bytes)?;
        Ok(JsonBody { value, bytes })
    }
}

/// The configured body limit, put in request extensions so errors can name it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Parses JSON bytes: a syntax error is 400 `malformed_json`, a value of the wrong shape is
/// 422 `bad_body` with the JSON pointer of the offending field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = pointer_of(e.path());
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::MalformedJson {
                line: inner.line(),
                column: inner.column(),
                message: inner.to_string(),
            }
        } else {
            ApiError::BadBody {
                pointer,
                message: inner.to_string(),
            }
        }
    })?;
    de.end().map_err(|e| ApiError::MalformedJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    Ok(value)
}

/// `serde_path_to_error`'s path as an RFC 6901 JSON pointer.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// Parses and validates the problem found at `/problem` of a request body.
/// The problem a roster job solves, its warnings and, when the submission names published
/// meetings or changes, the re-plan that lists what changed (`solver/src/replan.rs`).
pub fn job_problem(
    raw: &serde_json::value::RawValue,
    published: &[Meeting],
    changes: &[Change],
) -> Result<(Validated, Option<replan::Prepared>), ApiError> {
    if published.is_empty() && changes.is_empty() {
        return problem_from(raw).map(|v| (v, None));
    }
    let input = parse_input(raw.get()).map_err(input_error)?;
    let prepared = replan::prepare(&input, published, changes).map_err(|e| match e {
        ReplanError::Input(e) => input_error(e),
        e => ApiError::refused(
            e.code(),
            match &e {
                ReplanError::UnknownId { field, .. } | ReplanError::Invalid { field, .. } => {
                    field.clone()
                }
                _ => String::new(),
            },
            e.to_string(),
            "fix the published meeting or change named, see docs/replan.md",
        ),
    })?;
    let validated = Validated {
        problem: prepared.problem.clone(),
        warnings: prepared.warnings.clone(),
    };
    Ok((validated, Some(prepared)))
}

fn input_error(e: InputError) -> ApiError {
    match e {
        InputError::Malformed { path, message, .. } => ApiError::ProblemMalformed {
            pointer: format!("/problem{path}"),
            message,
        },
        InputError::Invalid { errors, warnings } => ApiError::InvalidProblem {
            errors: errors
                .iter()
                .map(|i| IssueView::of(i, "/problem"))
                .collect(),
            warnings: warnings
                .iter()
                .map(|i| IssueView::of(i, "/problem"))
                .collect(),
        },
    }
}

pub fn problem_from(raw: &serde_json::value::RawValue) -> Result<Validated, ApiError> {
    parse_problem(raw.get()).map_err(input_error)
}
