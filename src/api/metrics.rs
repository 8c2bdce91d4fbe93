//! Prometheus metrics, one registry per app (so tests may run several apps in one process):
//! requests by route and status, request latency, solve duration and gap, queue depth and
//! jobs by state (the last two read at scrape time).

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use super::AppState;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    solve_seconds: Histogram,
    solve_gap: Histogram,
    pub queue_depth: IntGauge,
    pub solves_running: IntGauge,
    pub jobs: IntGaugeVec,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                ],
            ),
            &["method", "route"],
        )?;
        let solve_seconds = Histogram::with_opts(
            HistogramOpts::new("solve_duration_seconds", "Wall-clock time of each solve").buckets(
                vec![
                    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
                ],
            ),
        )?;
        let solve_gap = Histogram::with_opts(
            HistogramOpts::new("solve_relative_gap", "Relative gap of each solve's roster")
                .buckets(vec![0.0, 0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0]),
        )?;
        let queue_depth = IntGauge::new("solve_queue_depth", "Jobs waiting for a solver")?;
        let solves_running = IntGauge::new("solves_running", "Solves running now")?;
        let jobs = IntGaugeVec::new(Opts::new("jobs", "Stored jobs by state"), &["state"])?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(solve_seconds.clone()))?;
        registry.register(Box::new(solve_gap.clone()))?;
        registry.register(Box::new(queue_depth.clone()))?;
        registry.register(Box::new(solves_running.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            solve_seconds,
            solve_gap,
            queue_depth,
            solves_running,
            jobs,
        })
    }

    pub fn observe_solve(&self, elapsed: Duration, relative_gap: Option<f64>) {
        self.solve_seconds.observe(elapsed.as_secs_f64());
        if let Some(gap) = relative_gap.filter(|g| g.is_finite()) {
            self.solve_gap.observe(gap);
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf)?;
        String::from_utf8(buf).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// Counts and times every request by its route template (never its concrete path).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    state
        .metrics
        .requests
        .with_label_values(&[method.as_str(), route.as_str(), status.as_str()])
        .inc();
    state
        .metrics
        .latency
        .with_label_values(&[method.as_str(), route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    response
}
