//! The HTTP service the case system calls: axum on tokio over the solver crate.
//!
//! [`app`] builds the router and starts the solve workers; [`App::serve`] runs it on an
//! already-bound listener until a shutdown signal, then lets running solves finish within
//! the configured grace, which bounds the shutdown: at its end running jobs go back to
//! `queued` and the solves are abandoned.
//!
//! The modules form layers, each using only the layers below it:
//!
//! 1. routes, one module per resource: [`rosters`] (roster and re-plan jobs, the
//!    synchronous solve), [`whatif`], [`shared`] (pages, calendars, read-only links),
//!    [`checks`] (validate, check), [`recommend`], [`ops`] (health, metrics, OpenAPI, docs);
//! 2. [`submission`]: accepting a job of any kind (scope, `Idempotency-Key`, every error of
//!    the job, its options and its callback at once, the memory budget, storing, queueing);
//! 3. [`jobs`]: the job kinds, each with its preparation and its run, the solve pool, the
//!    workers and the callbacks;
//! 4. [`store`] (the job store: trait, SQLite, PostgreSQL), [`body`], [`error`], [`auth`],
//!    [`config`], [`metrics`], [`ratelimit`].
//!
//! Modules beside each other never use each other in a cycle (a test reads the `use` lines);
//! a module may use what its parent defines: this root holds [`AppState`], the handles
//! every handler shares, and assembles the router.
//!
//! Routes, auth, errors and the cancellation caveat are documented in `docs/api.md`.

pub mod auth;
pub mod body;
pub mod checks;
pub mod config;
pub mod error;
pub mod jobs;
pub mod metrics;
pub mod ops;
pub mod ratelimit;
pub mod recommend;
pub mod rosters;
pub mod shared;
pub mod store;
pub mod submission;
pub mod whatif;

use std::future::{Future, IntoFuture};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::Utc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

pub use config::Config;
pub use error::ApiError;
pub use jobs::{MilpSolver, RosterSolver};
pub use store::{JobStore, PgStore, SqliteStore};

use body::BodyLimit;
use jobs::{start_workers, SolvePool};
use metrics::Metrics;
use store::store_call;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn JobStore>,
    pub pool: Arc<SolvePool>,
    pub metrics: Arc<Metrics>,
    pub http: reqwest::Client,
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    pub limiter: Arc<ratelimit::RateLimiter>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mediation-scheduler",
        description = "SEN mediation rosters for England: submit a problem, get a roster with \
reasons for every case not held. Every /v1 route needs `Authorization: Bearer <key>`. Errors \
are RFC 9457 `application/problem+json` with a stable `code` (docs/api.md). Cancelling a \
solving job marks it cancelled at once and interrupts its solve (either backend, within a \
second), which frees its slot; a cancelled job has no result. A job's roster page and calendars are also served through read-only links \
(`POST /v1/rosters/{id}/links`) under `/shared/{token}/`, which need no key."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "rosters", description = "Jobs: submit, poll, fetch, cancel, list; synchronous solve"),
        (name = "problems", description = "Validate a problem, check a roster"),
        (name = "pages", description = "What people open: a job's roster page and calendars, by key or by a read-only link"),
        (name = "operations", description = "Health, readiness, metrics, this document")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key from MEDIATION_API_KEYS (scopes: read, submit, admin)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// A built service: the router, and the workers to stop at shutdown.
pub struct App {
    pub router: Router,
    state: AppState,
    workers: Vec<JoinHandle<()>>,
    sweeper: JoinHandle<()>,
}

/// Builds the service with the solver crate's solver. Must be called inside a tokio
/// runtime: it starts the workers and, with a store only this process uses, re-queues
/// every job left solving by a previous run.
pub async fn app(config: Config, store: Arc<dyn JobStore>) -> Result<App, StartError> {
    app_with_solver(config, store, Arc::new(MilpSolver)).await
}

/// [`app`] with another solver (tests hold solves with it).
pub async fn app_with_solver(
    config: Config,
    store: Arc<dyn JobStore>,
    solver: Arc<dyn RosterSolver>,
) -> Result<App, StartError> {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(rosters::router())
        .merge(shared::router())
        .merge(checks::router())
        .merge(recommend::router())
        .merge(whatif::router())
        .merge(ops::router())
        .split_for_parts();
    let pool = Arc::new(SolvePool::new(
        config.max_concurrent_solves,
        config.queue_len,
        solver,
    ));
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let limiter = Arc::new(ratelimit::RateLimiter::new(config.rate_limit_per_minute));
    let state = AppState {
        limiter,
        config: Arc::new(config),
        store,
        pool,
        metrics: Arc::new(Metrics::new()?),
        http,
        openapi: Arc::new(openapi),
    };
    let requeued = store_call(&state.store, |s| s.recover()).await?;
    if !requeued.is_empty() {
        tracing::info!(
            jobs = requeued.len(),
            "re-queued jobs left by the previous run"
        );
    }
    let workers = start_workers(&state);
    let sweeper = tokio::spawn(sweep_expired(state.clone()));
    let router = layered(router, &state);
    Ok(App {
        router,
        state,
        workers,
        sweeper,
    })
}

fn layered(router: Router<AppState>, state: &AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let limit = state.config.body_limit_bytes;
    // The interactive API reference: Swagger UI's files are compiled into the binary
    // (utoipa-swagger-ui's `vendored` feature), so nothing is fetched from elsewhere.
    let docs = utoipa_swagger_ui::SwaggerUi::new("/docs")
        .config(utoipa_swagger_ui::Config::from("/openapi.json"));
    router
        .merge(docs)
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(move |mut req: Request, next: Next| async move {
            req.extensions_mut().insert(BodyLimit(limit));
            next.run(req).await
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(middleware::from_fn(bare_errors_as_problems))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                // Method, route template and request id only: never the body, and never a
                // query string.
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                let path = loggable_path(req.uri().path());
                tracing::info_span!("request", request_id = %id, method = %req.method(), path = %path)
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Outside SetRequestId: a client's id that is not 1–128 visible ASCII characters
        // is dropped here, so a fresh UUID replaces it (in the logs and in the answer).
        .layer(middleware::from_fn(drop_unfit_request_id))
        .layer(CatchPanicLayer::custom(|_panic| {
            tracing::error!("a handler panicked");
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .with_state(state.clone())
}

/// A request path as it may be logged: a shared link's token is a secret, so
/// `/shared/<token>/…` is logged as `/shared/{token}/…`.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/shared/") {
        Some(rest) => {
            let tail = rest.split_once('/').map_or("", |(_, tail)| tail);
            format!("/shared/{{token}}/{tail}").into()
        }
        None => path.into(),
    }
}

/// The longest client-supplied `x-request-id` accepted.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// Whether a client's request id may be kept: 1–128 visible ASCII characters.
pub fn request_id_is_fit(value: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&value.len()) && value.iter().all(u8::is_ascii_graphic)
}

/// Removes every `x-request-id` header unless there is exactly one and it is fit.
async fn drop_unfit_request_id(mut req: Request, next: Next) -> Response {
    let headers = req.headers_mut();
    let mut values = headers.get_all("x-request-id").iter();
    let keep = match (values.next(), values.next()) {
        (Some(v), None) => request_id_is_fit(v.as_bytes()),
        (None, _) => true,
        _ => false,
    };
    if !keep {
        headers.remove("x-request-id");
    }
    next.run(req).await
}

/// Layers below axum (the timeout) answer with an empty body; give them problem+json too.
async fn bare_errors_as_problems(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() == StatusCode::REQUEST_TIMEOUT
        && !response.headers().contains_key(CONTENT_TYPE)
    {
        return ApiError::Timeout.into_response();
    }
    response
}

/// Deletes finished jobs past the retention period, checking every minute (or every tenth
/// of the retention if shorter).
async fn sweep_expired(state: AppState) {
    let retention = state.config.job_retention;
    let every = (retention / 10).clamp(
        std::time::Duration::from_millis(100),
        std::time::Duration::from_secs(60),
    );
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let Ok(retention) = chrono::Duration::from_std(retention) else {
            return;
        };
        let cutoff = Utc::now() - retention;
        match store_call(&state.store, move |s| s.expire(cutoff)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "expired finished jobs"),
            Err(e) => tracing::warn!(error = %e, "cannot expire jobs"),
        }
    }
}

impl App {
    /// The shared state (tests read the pool and store through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves on `listener` until `shutdown` completes; then stops accepting, tells the
    /// workers to take no new job and waits for running requests and solves, at most the
    /// shutdown grace counted from the signal. At its end, the jobs still solving are put
    /// back to `queued` in the store (to run again at the next start), their solves'
    /// cancel flags are raised, and this returns without waiting for them: a solve thread
    /// that does not stop at once is abandoned.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let App {
            router,
            state,
            workers,
            sweeper,
        } = self;
        let grace = state.config.shutdown_grace;
        let (signalled_tx, mut signalled) = tokio::sync::oneshot::channel();
        let shutdown = async move {
            shutdown.await;
            let _ = signalled_tx.send(tokio::time::Instant::now());
        };
        let mut server = Box::pin(
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .into_future(),
        );
        let (served, deadline) = tokio::select! {
            served = &mut server => (served, tokio::time::Instant::now() + grace),
            at = &mut signalled => {
                let deadline = at.unwrap_or_else(|_| tokio::time::Instant::now()) + grace;
                let served = match tokio::time::timeout_at(deadline, &mut server).await {
                    Ok(served) => served,
                    Err(_) => {
                        tracing::warn!("requests still running at the end of the shutdown grace are dropped");
                        Ok(())
                    }
                };
                (served, deadline)
            }
        };
        drop(server);
        state.pool.stop();
        sweeper.abort();
        let aborts: Vec<_> = workers.iter().map(JoinHandle::abort_handle).collect();
        let mut all = Box::pin(futures_join(workers));
        if tokio::time::timeout_at(deadline, &mut all).await.is_err() {
            let running = state.pool.running_jobs();
            // Back to queued first, so that a solve returning early from its cancel (HiGHS)
            // cannot be recorded as the job's result: the job runs again, here at the next
            // start or on another replica.
            let requeue = store_call(&state.store, move |s| {
                let mut requeued = 0;
                for (id, token) in running {
                    if s.release(id, token)? {
                        requeued += 1;
                    }
                }
                Ok(requeued)
            });
            match tokio::time::timeout(std::time::Duration::from_millis(500), requeue).await {
                Ok(Ok(n)) => tracing::warn!(
                    jobs = n,
                    "shutdown grace over: running solves interrupted and their jobs put back to queued"
                ),
                Ok(Err(e)) => tracing::error!(error = %e, "cannot put running jobs back to queued; the next start will"),
                Err(_) => tracing::error!("the store did not answer; the next start puts running jobs back to queued"),
            }
            state.pool.interrupt_all();
            aborts.iter().for_each(tokio::task::AbortHandle::abort);
        }
        served
    }
}

async fn futures_join(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        let _ = handle.await;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use super::loggable_path;

    /// Modules beside each other (in `api`, `api::jobs`, `api::store`), linked by the
    /// paths their code names (`super::x`, `crate::api::x`; tests and comments left out),
    /// form no cycle; and the layers of this module's documentation hold: no job, store or
    /// foundation module uses a route or the submission module.
    #[test]
    fn modules_beside_each_other_use_each_other_in_no_cycle() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        let mut files = Vec::new();
        rust_files(&root, &mut files);
        let module_of = |file: &Path| -> Vec<String> {
            let relative = file.strip_prefix(&root).unwrap();
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let last = parts.pop().unwrap_or_default();
            if last != "mod.rs" {
                parts.push(last.trim_end_matches(".rs").to_string());
            }
            parts
        };
        let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
        // Under each parent, which of its modules uses which.
        let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for file in &files {
            let from = module_of(file);
            let text = std::fs::read_to_string(file).unwrap();
            let code: Vec<&str> = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or("")
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            for target in named_modules(&code.join("\n"), &from) {
                if !modules.contains(&target) {
                    continue;
                }
                let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
                if common < from.len() && common < target.len() {
                    graphs
                        .entry(from[..common].to_vec())
                        .or_default()
                        .entry(from[common].clone())
                        .or_default()
                        .insert(target[common].clone());
                }
            }
        }
        for (parent, graph) in &graphs {
            if let Some(cycle) = find_cycle(graph) {
                panic!(
                    "modules of `api{}` use each other in a cycle: {}",
                    parent.iter().map(|p| format!("::{p}")).collect::<String>(),
                    cycle.join(" → ")
                );
            }
        }
        let api = &graphs[&Vec::new()];
        assert!(api["rosters"].contains("submission") && api["submission"].contains("jobs"));
        let upper = [
            "rosters",
            "whatif",
            "shared",
            "checks",
            "recommend",
            "ops",
            "submission",
        ];
        for lower in [
            "jobs", "store", "body", "error", "auth", "config", "metrics",
        ] {
            let uses = api.get(lower).cloned().unwrap_or_default();
            for route in upper {
                assert!(!uses.contains(route), "`{lower}` uses `{route}`: {uses:?}");
            }
        }
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The modules `code` of module `from` names through `super::` or `crate::api::`
    /// (the first name of each path, or of each entry of a `{…}` group).
    fn named_modules(code: &str, from: &[String]) -> Vec<Vec<String>> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < code.len() {
            let rest = &code[i..];
            let (base, tail) = if let Some(tail) = rest.strip_prefix("crate::api::") {
                (Vec::new(), tail)
            } else if rest.starts_with("super::") {
                let (mut tail, mut ups) = (rest, 0);
                while let Some(next) = tail.strip_prefix("super::") {
                    tail = next;
                    ups += 1;
                }
                (from[..from.len().saturating_sub(ups)].to_vec(), tail)
            } else {
                i += rest.chars().next().map_or(1, char::len_utf8);
                continue;
            };
            let names: Vec<&str> = match tail.strip_prefix('{') {
                Some(group) => group_entries(group),
                None => vec![tail],
            };
            for name in names {
                let name = name
                    .trim_start()
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("");
                if !name.is_empty() {
                    let mut target = base.clone();
                    target.push(name.to_string());
                    found.push(target);
                }
            }
            i += rest.len() - tail.len();
        }
        found
    }

    /// The entries of a `{…}` group, `group` starting after its `{`.
    fn group_entries(group: &str) -> Vec<&str> {
        let (mut depth, mut start, mut out) = (0, 0, Vec::new());
        for (k, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    out.push(&group[start..k]);
                    return out;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&group[start..k]);
                    start = k + 1;
                }
                _ => {}
            }
        }
        out.push(&group[start..]);
        out
    }

    /// A cycle of `graph`, as the modules along it (the first repeated at the end).
    fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
        fn visit(
            node: &str,
            graph: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(at) = path.iter().position(|n| n == node) {
                let mut cycle = path[at..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            if done.contains(node) {
                return None;
            }
            path.push(node.to_string());
            for next in graph.get(node).into_iter().flatten() {
                if let Some(cycle) = visit(next, graph, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            done.insert(node.to_string());
            None
        }
        let mut done = BTreeSet::new();
        graph
            .keys()
            .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
    }

    #[test]
    fn the_cycle_check_finds_a_cycle_and_reads_groups() {
        let graph: BTreeMap<String, BTreeSet<String>> = [
            ("jobs", vec!["whatif"]),
            ("whatif", vec!["rosters"]),
            ("rosters", vec!["jobs"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .collect();
        assert_eq!(
            find_cycle(&graph).unwrap(),
            ["jobs", "whatif", "rosters", "jobs"]
        );
        let from = vec!["jobs".to_string(), "worker".to_string()];
        let named = named_modules(
            "use super::{pool::X, Job};\nuse crate::api::store::{a, b};\nsuper::super::auth::Y",
            &from,
        );
        let named: Vec<String> = named.iter().map(|p| p.join("::")).collect();
        assert_eq!(named, ["jobs::pool", "jobs::Job", "store", "auth"]);
    }

    #[test]
    fn a_shared_links_token_is_never_logged() {
        let token = "ab".repeat(32);
        assert_eq!(
            loggable_path(&format!("/shared/{token}/calendars/mediators/M002.ics")),
            "/shared/{token}/calendars/mediators/M002.ics"
        );
        assert_eq!(
            loggable_path(&format!("/shared/{token}")),
            "/shared/{token}/"
        );
        assert_eq!(loggable_path("/v1/rosters"), "/v1/rosters");
    }
}
