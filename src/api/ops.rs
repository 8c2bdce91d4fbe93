//! Operations: liveness, readiness, Prometheus metrics and the OpenAPI document. None needs
//! a key. The interactive reference at `/docs` (Swagger UI, served from the binary) is added
//! beside these in [`super::app`].

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiError;
use super::store::store_call;
use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(openapi_json))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// True when the store answers and a new job would be accepted.
    pub ready: bool,
    pub store_ok: bool,
    pub solves_running: usize,
    pub max_concurrent_solves: usize,
    pub queue_depth: usize,
    pub queue_len: usize,
}

/// Readiness: the store answers and there is solver capacity (a free solver or room in the
/// queue). 503 otherwise.
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness))
)]
async fn readyz(State(state): State<AppState>) -> Response {
    let depth = store_call(&state.store, |s| s.queue_depth()).await;
    let store_ok = depth.is_ok();
    let queue_depth = depth.unwrap_or(0);
    let pool = &state.pool;
    let ready = store_ok && queue_depth < pool.queue_len();
    let body = Readiness {
        ready,
        store_ok,
        solves_running: pool.running(),
        max_concurrent_solves: pool.max_concurrent,
        queue_depth,
        queue_len: pool.queue_len(),
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Prometheus metrics (text format 0.0.4).
#[utoipa::path(
    get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain"))
)]
async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let m = &state.metrics;
    let depth = store_call(&state.store, |s| s.queue_depth()).await?;
    m.queue_depth.set(i64::try_from(depth).unwrap_or(i64::MAX));
    m.solves_running
        .set(i64::try_from(state.pool.running()).unwrap_or(i64::MAX));
    let counts = store_call(&state.store, |s| s.count_by_state()).await?;
    for (job_state, n) in counts {
        m.jobs
            .with_label_values(&[job_state.as_str()])
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    let text = m.render().map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

/// This API's OpenAPI 3.1 document, generated from the code.
#[utoipa::path(
    get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json"))
)]
async fn openapi_json(State(state): State<AppState>) -> Response {
    match serde_json::to_value(state.openapi.as_ref()) {
        Ok(mut doc) => {
            camel_case_links(&mut doc);
            Json(doc).into_response()
        }
        Err(e) => {
            ApiError::Internal(format!("cannot write the OpenAPI document: {e}")).into_response()
        }
    }
}

/// utoipa 5 writes a Link Object's fields in snake case (`operation_id`); OpenAPI names
/// them `operationId`, `operationRef` and `requestBody`, and tools ignore the others.
fn camel_case_links(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(|r| r.as_object_mut()))
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        let Some(links) = response.get_mut("links").and_then(|l| l.as_object_mut()) else {
            continue;
        };
        for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
            for (from, to) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(value) = link.remove(from) {
                    link.insert(to.to_string(), value);
                }
            }
        }
    }
}
