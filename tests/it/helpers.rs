//! A fresh service per test on 127.0.0.1:0, a client with the test keys, and a solver that
//! holds its solves until released.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use mediation_scheduler::api::auth::{Keyring, Scope};
use mediation_scheduler::api::{self, Config, JobStore, RosterSolver, SqliteStore};
use mediation_solver::milp::{SolveError, SolveOptions};
use mediation_solver::model::Problem;
use mediation_solver::schedule::{schedule, Outcome};
use reqwest::{Method, Response};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const WEEK: &str = include_str!("../../fixtures/week-2026-12-07.json");

/// read + submit.
pub const CMS: &str = "cms-key-0123456789";
/// Another caseworker system: read + submit.
pub const OTHER: &str = "other-key-0123456789";
/// read only.
pub const READER: &str = "reader-key-0123456789";
/// read + admin.
pub const ADMIN: &str = "admin-key-0123456789";

pub fn week() -> Value {
    serde_json::from_str(WEEK).expect("the shipped week is JSON")
}

/// A submission of `problem` with a short time limit.
pub fn submission(problem: Value) -> Value {
    json!({ "problem": problem, "options": { "time_limit_secs": 20 } })
}

pub fn config() -> Config {
    let mut keys = Keyring::default();
    keys.add("cms", CMS, &[Scope::Read, Scope::Submit]).unwrap();
    keys.add("other", OTHER, &[Scope::Read, Scope::Submit])
        .unwrap();
    keys.add("reader", READER, &[Scope::Read]).unwrap();
    keys.add("ops", ADMIN, &[Scope::Read, Scope::Admin])
        .unwrap();
    Config {
        keys,
        max_concurrent_solves: 2,
        queue_len: 32,
        default_time_limit_secs: 20.0,
        max_time_limit_secs: 60.0,
        sync_time_limit_secs: 20.0,
        callback_backoff: Duration::from_millis(50),
        shutdown_grace: Duration::from_secs(10),
        ..Config::default()
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(config(), Arc::new(SqliteStore::in_memory().unwrap()), None).await
}

pub async fn spawn_with(
    config: Config,
    store: Arc<dyn JobStore>,
    solver: Option<Arc<dyn RosterSolver>>,
) -> TestApp {
    let app = match solver {
        Some(solver) => api::app_with_solver(config, store, solver).await,
        None => api::app(config, store).await,
    }
    .expect("the app starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.serve(listener, async {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        client: reqwest::Client::new(),
        stop: Some(tx),
        handle: Some(handle),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send().await.expect("the request is answered")
    }

    pub async fn post(&self, path: &str, key: &str, body: &Value) -> Response {
        self.call(Method::POST, path, Some(key), Some(body)).await
    }

    pub async fn get(&self, path: &str, key: &str) -> Response {
        self.call(Method::GET, path, Some(key), None).await
    }

    /// Submits and returns the job id (asserting 202).
    pub async fn submit(&self, key: &str, body: &Value) -> String {
        let r = self.post("/v1/rosters", key, body).await;
        assert_eq!(r.status(), 202, "submission accepted");
        let job: Value = r.json().await.unwrap();
        job["id"].as_str().unwrap().to_string()
    }

    /// Polls the job's status until it is finished; returns the whole job.
    pub async fn wait_finished(&self, id: &str, key: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let status: Value = self
                .get(&format!("/v1/rosters/{id}/status"), key)
                .await
                .json()
                .await
                .unwrap();
            let state = status["state"].as_str().unwrap_or("").to_string();
            if ["done", "failed", "cancelled"].contains(&state.as_str()) {
                return self
                    .get(&format!("/v1/rosters/{id}"), key)
                    .await
                    .json()
                    .await
                    .unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "job {id} still {state} after 120 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Polls until the job reaches `state`.
    pub async fn wait_state(&self, id: &str, key: &str, state: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status: Value = self
                .get(&format!("/v1/rosters/{id}/status"), key)
                .await
                .json()
                .await
                .unwrap();
            if status["state"] == state {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "job {id} never reached {state}: {status}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops accepting and waits for the service to wind down.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap().unwrap();
        }
    }
}

/// Holds every solve until [`GatedSolver::open`] (or 30 s); then solves with the solver
/// crate.
#[derive(Default)]
pub struct GatedSolver {
    open: Mutex<bool>,
    opened: Condvar,
    pub started: AtomicUsize,
    pub finished: AtomicUsize,
    /// Solves whose cancel flag was raised by the time the gate opened.
    pub saw_cancel: AtomicUsize,
}

impl GatedSolver {
    pub fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    pub async fn wait_started(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.started.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "{n} solve(s) never started");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn wait_finished(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.finished.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "{n} solve(s) never finished");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl RosterSolver for GatedSolver {
    fn solve(&self, problem: &Problem, options: &SolveOptions) -> Result<Outcome, SolveError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        // Held at most 30 s, so a failing test reports instead of hanging on this thread.
        let (open, _) = self
            .opened
            .wait_timeout_while(self.open.lock().unwrap(), Duration::from_secs(30), |open| {
                !*open
            })
            .unwrap();
        drop(open);
        if options.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            self.saw_cancel.fetch_add(1, Ordering::SeqCst);
        }
        let outcome = schedule(problem, options);
        self.finished.fetch_add(1, Ordering::SeqCst);
        outcome
    }
}

/// Checks a roster returned by the API with the solver crate's checker.
pub fn assert_checker_valid(roster: &Value) {
    let problem = mediation_solver::validate::parse_problem(WEEK)
        .unwrap()
        .problem;
    let roster: mediation_solver::roster::Roster =
        serde_json::from_value(roster.clone()).expect("a roster");
    let report = mediation_solver::checker::check(&problem, &roster);
    assert!(
        report.is_valid(),
        "checker violations: {:?}",
        report.violations
    );
    assert!(!roster.meetings.is_empty());
}

/// The `code` of a problem+json answer, asserting its content type.
pub async fn problem_code(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(
        ct.as_deref(),
        Some("application/problem+json"),
        "status {status}"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], status);
    (status, body)
}

/// A `serve` process of the real binary and the address it listens on.
pub struct Served {
    pub child: std::process::Child,
    pub addr: String,
}

/// Starts `mediation-scheduler serve` on 127.0.0.1:0 with the `cms` key, the SQLite file
/// `db` and `env` on top; waits for its "listening" line. The rest of its standard error
/// is drained on a thread (so the process never blocks on a full pipe).
pub fn start_serve(db: &std::path::Path, env: &[(&str, &str)]) -> Served {
    use std::io::{BufRead, BufReader};
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"));
    command
        .arg("serve")
        .env("MEDIATION_BIND", "127.0.0.1:0")
        .env("MEDIATION_API_KEYS", format!("cms:{CMS}:read+submit"))
        .env("MEDIATION_DB", db)
        .env("MEDIATION_LOG", "warn")
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("a listening line before serve exits")
            .unwrap();
        if let Some(rest) = line.strip_prefix("listening on http://") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Served { child, addr }
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends `signal` (`TERM`, `KILL`) to the process.
    pub fn signal(&self, signal: &str) {
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits for the process to exit, at most `limit`; its exit status.
    pub fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "serve still running after {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A job's status document.
    pub async fn status(&self, client: &reqwest::Client, id: &str) -> Value {
        client
            .get(self.url(&format!("/v1/rosters/{id}/status")))
            .bearer_auth(CMS)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Submits `body` as `cms`; the job id (asserting 202).
    pub async fn submit(&self, client: &reqwest::Client, body: &Value) -> String {
        let r = client
            .post(self.url("/v1/rosters"))
            .bearer_auth(CMS)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the real binary with `args` to completion.
pub fn run_binary(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"));
    command.args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the binary runs")
}

/// Submits the shipped week as `CMS`, waits for it to be done; its id and roster.
pub async fn done_week(app: &TestApp) -> (String, Value) {
    let id = app.submit(CMS, &submission(week())).await;
    let job = app.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    (id, job["result"]["roster"].clone())
}

/// `POST /v1/rosters/{id}/links` without a body as `CMS`, asserting 201; the link.
pub async fn new_link(app: &TestApp, id: &str) -> Value {
    let r = app
        .call(
            Method::POST,
            &format!("/v1/rosters/{id}/links"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

impl TestApp {
    /// `POST /v1/rosters` as `key` with an `Idempotency-Key` header; the raw answer.
    pub async fn submit_idempotent(
        &self,
        key: &str,
        idempotency_key: &str,
        body: &Value,
    ) -> Response {
        self.client
            .post(self.url("/v1/rosters"))
            .bearer_auth(key)
            .header("idempotency-key", idempotency_key)
            .json(body)
            .send()
            .await
            .expect("the request is answered")
    }

    /// `GET path` as `key`, asserting 200; the JSON body.
    pub async fn get_json(&self, path: &str, key: &str) -> Value {
        let r = self.get(path, key).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }
}

/// The ids of a page of `GET /v1/rosters`, in its order.
pub fn job_ids(page: &Value) -> Vec<String> {
    page["jobs"]
        .as_array()
        .expect("a page of jobs")
        .iter()
        .map(|j| j["id"].as_str().expect("a job id").to_string())
        .collect()
}
