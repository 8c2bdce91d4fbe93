//! The store conformance suite over HTTP: idempotency, per-key isolation, pagination and
//! callbacks behave the same on SQLite and on PostgreSQL (when
//! `MEDIATION_TEST_DATABASE_URL` is set). Each test runs once per store.
//!
//! Every body below is an `async fn(Arc<dyn JobStore>)`; [`each_store!`] makes two tests of
//! each, `conformance::<body>::sqlite` (in memory) and `conformance::<body>::postgres` (a
//! fresh database on the server of `MEDIATION_TEST_DATABASE_URL`, skipped with a message
//! when it is unset), both on a multi-threaded runtime (the PostgreSQL store blocks on it
//! from blocking threads). Where jobs only need to exist, a held solver keeps them queued or
//! solving; where they run, the shipped week solves in well under a second.
//!
//! `concurrent_cancels_call_back_once` found a bug in the cancel route (several DELETEs at
//! once each sent the callback); it is fixed, and the test keeps it so.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use mediation_scheduler::api::store::{fresh_pg_database, test_database_url};
use mediation_scheduler::api::{Config, JobStore, PgStore, RosterSolver, SqliteStore};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::helpers::*;

/// One test per store for each body named: `<body>::sqlite` and `<body>::postgres`.
macro_rules! each_store {
    ($($body:ident),+ $(,)?) => {$(
        mod $body {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body(super::sqlite_store()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let test = concat!("conformance::", stringify!($body));
                if let Some(store) = super::pg_store(test).await {
                    super::$body(store).await;
                }
            }
        }
    )+};
}

each_store!(
    idempotency,
    idempotent_replay_with_a_full_queue,
    concurrent_submissions_under_one_key_make_one_job,
    per_key_isolation,
    pagination,
    callback_delivered_once,
    done_job_has_a_checked_roster,
    cancelling_a_queued_job,
    cancelling_a_solving_job,
    a_failed_job_keeps_its_failure,
    concurrent_cancels_call_back_once,
    what_if_children_are_not_listed,
    cancelling_a_what_if_job,
    a_job_interrupted_by_shutdown_runs_after_restart,
    read_only_links,
    finished_jobs_expire_with_their_scenarios_and_links,
);

fn sqlite_store() -> Arc<dyn JobStore> {
    Arc::new(SqliteStore::in_memory().expect("an SQLite store in memory"))
}

/// A store on a fresh database of the test server, or `None` (with a message) without one.
async fn pg_store(test: &str) -> Option<Arc<dyn JobStore>> {
    let url = test_database_url(test)?;
    let db = fresh_pg_database(&url)
        .await
        .expect("a fresh PostgreSQL database");
    let store = PgStore::connect(&db)
        .await
        .expect("the fresh database accepts the store");
    Some(Arc::new(store))
}

/// The shipped week with a short time limit.
fn quick(time_limit_secs: u64) -> Value {
    json!({ "problem": week(), "options": { "time_limit_secs": time_limit_secs } })
}

/// The test configuration with callbacks allowed to 127.0.0.1.
fn allow_local(mut config: Config) -> Config {
    config.callback_hosts = vec!["127.0.0.1".into()];
    config
}

/// The test configuration with one solve at a time and `queue_len` waiting.
fn one_solver(queue_len: usize) -> Config {
    let mut config = config();
    config.max_concurrent_solves = 1;
    config.queue_len = queue_len;
    config
}

/// A solver that holds every solve until opened, and opens when dropped (so a test that
/// fails midway does not leave a solve held on a blocking thread the runtime waits for).
struct Gate(Arc<GatedSolver>);

impl Gate {
    fn new() -> Gate {
        Gate(Arc::new(GatedSolver::default()))
    }

    fn solver(&self) -> Option<Arc<dyn RosterSolver>> {
        Some(self.0.clone() as Arc<dyn RosterSolver>)
    }
}

impl std::ops::Deref for Gate {
    type Target = GatedSolver;

    fn deref(&self) -> &GatedSolver {
        &self.0
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// A callback receiver on 127.0.0.1:0 that answers 204 and passes on every body it gets.
struct Hook {
    url: String,
    calls: mpsc::UnboundedReceiver<Value>,
}

async fn hook() -> Hook {
    let (tx, calls) = mpsc::unbounded_channel::<Value>();
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State(tx): State<mpsc::UnboundedSender<Value>>, Json(body): Json<Value>| async move {
                    let _ = tx.send(body);
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Hook {
        url: format!("http://{addr}/hook"),
        calls,
    }
}

impl Hook {
    /// The next callback body (within 30 s).
    async fn next(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(30), self.calls.recv())
            .await
            .expect("a callback within 30 s")
            .expect("the receiver runs")
    }

    /// Asserts that no callback comes within `wait`.
    async fn assert_quiet(&mut self, wait: Duration) {
        if let Ok(Some(call)) = tokio::time::timeout(wait, self.calls.recv()).await {
            panic!("an unexpected callback: {call}");
        }
    }
}

/// Polls the job's status (as `key`) until it shows what became of its callback.
async fn callback_outcome(app: &TestApp, id: &str, key: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = app.get_json(&format!("/v1/rosters/{id}/status"), key).await;
        if let Some(outcome) = status["callback"].as_str() {
            return outcome.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no callback outcome shown: {status}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Submits with an `Idempotency-Key`, asserting 202; the job.
async fn submit_keyed(app: &TestApp, key: &str, idempotency_key: &str, body: &Value) -> Value {
    let r = app.submit_idempotent(key, idempotency_key, body).await;
    assert_eq!(r.status(), 202, "{key} / {idempotency_key}");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job: Value = r.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/rosters/{}", job["id"].as_str().unwrap())
    );
    job
}

/// The ids of `key`'s jobs on one page of the list (limit 100).
async fn listed(app: &TestApp, key: &str) -> Vec<String> {
    let page = app.get_json("/v1/rosters?limit=100", key).await;
    assert!(page["next_cursor"].is_null(), "{page}");
    job_ids(&page)
}

/// Walks `key`'s list `limit` jobs at a time, following `next_cursor` to the end: the ids
/// of each page. Every page but the last is full and names a cursor of digits; the last
/// names none and is empty only when there is no job at all.
async fn pages(app: &TestApp, key: &str, limit: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    let mut last_created: Option<DateTime<Utc>> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/rosters?limit={limit}&cursor={c}"),
            None => format!("/v1/rosters?limit={limit}"),
        };
        let page = app.get_json(&path, key).await;
        let ids = job_ids(&page);
        assert!(ids.len() <= limit, "{path}: {page}");
        for job in page["jobs"].as_array().unwrap() {
            let created: DateTime<Utc> = job["created_at"].as_str().unwrap().parse().unwrap();
            if let Some(before) = last_created {
                assert!(created <= before, "not newest first: {page}");
            }
            last_created = Some(created);
        }
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert!(
                    !next.is_empty() && next.bytes().all(|b| b.is_ascii_digit()),
                    "a cursor of digits: {page}"
                );
                assert_eq!(ids.len(), limit, "a page before the last is full: {path}");
                cursor = Some(next.to_string());
                pages.push(ids);
            }
            None => {
                assert!(
                    page["next_cursor"].is_null(),
                    "next_cursor is a string or null: {page}"
                );
                assert!(
                    !ids.is_empty() || pages.is_empty(),
                    "an empty page after the last: {path}"
                );
                pages.push(ids);
                return pages;
            }
        }
        assert!(pages.len() < 100, "the list never ends");
    }
}

fn timestamp(job: &Value, field: &str) -> DateTime<Utc> {
    job[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is a timestamp: {job}"))
        .parse()
        .unwrap()
}

/// 1. The same `Idempotency-Key` and body give the same job (202 both times, one job
///    listed); another body under that key is 409; another API key's same key is another
///    job; without a key the same body twice is two jobs; a replay after the job finished
///    answers the job as it is now.
async fn idempotency(store: Arc<dyn JobStore>) {
    let app = spawn_with(config(), store, None).await;
    let body = quick(5);
    let first = submit_keyed(&app, CMS, "order-1", &body).await;
    let a = first["id"].as_str().unwrap().to_string();
    assert_eq!(first["owner"], "cms");
    let again = submit_keyed(&app, CMS, "order-1", &body).await;
    assert_eq!(again["id"], a.as_str(), "a replay answers the first job");
    assert_eq!(again["created_at"], first["created_at"]);
    assert_eq!(listed(&app, CMS).await, vec![a.clone()]);

    let (status, problem) =
        problem_code(app.submit_idempotent(CMS, "order-1", &quick(4)).await).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("idempotency_key_reused"))
    );
    assert_eq!(listed(&app, CMS).await, vec![a.clone()], "nothing stored");

    // Another API key's `order-1` is another key.
    let other = submit_keyed(&app, OTHER, "order-1", &body).await;
    let b = other["id"].as_str().unwrap().to_string();
    assert_ne!(a, b);
    assert_eq!(other["owner"], "other");
    let other_again = submit_keyed(&app, OTHER, "order-1", &body).await;
    assert_eq!(other_again["id"], b.as_str());
    assert_eq!(listed(&app, OTHER).await, vec![b.clone()]);
    assert_eq!(listed(&app, CMS).await, vec![a.clone()]);
    assert_eq!(listed(&app, ADMIN).await, vec![b.clone(), a.clone()]);

    // Without a key nothing is deduplicated; keys differing in case are different keys.
    let c = app.submit(CMS, &body).await;
    let d = app.submit(CMS, &body).await;
    assert_ne!(c, d);
    let e = submit_keyed(&app, CMS, "ORDER-1", &body).await;
    let e = e["id"].as_str().unwrap().to_string();
    assert!(![&a, &c, &d].contains(&&e));
    assert_eq!(listed(&app, CMS).await, vec![e, d, c, a.clone()]);

    // A replay after the job finished: the same job, as it is now.
    let done = app.wait_finished(&a, CMS).await;
    assert_eq!(done["state"], "done", "{done}");
    let replay = submit_keyed(&app, CMS, "order-1", &body).await;
    assert_eq!(replay["id"], a.as_str());
    assert_eq!(replay["state"], "done", "{replay}");
    assert_eq!(replay["finished_at"], done["finished_at"]);
    let (status, problem) =
        problem_code(app.submit_idempotent(CMS, "order-1", &quick(4)).await).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("idempotency_key_reused"))
    );
}

/// With the queue full a new job is 503, but a replay of an accepted one is still answered
/// (the store's `find_idempotent`), and the same key with another body is still 409.
async fn idempotent_replay_with_a_full_queue(store: Arc<dyn JobStore>) {
    let gate = Gate::new();
    let app = spawn_with(one_solver(1), store, gate.solver()).await;
    let solving = app.submit(CMS, &quick(5)).await;
    gate.wait_started(1).await;
    let queued = submit_keyed(&app, CMS, "full-1", &quick(5)).await;
    let q = queued["id"].as_str().unwrap().to_string();
    assert_eq!(queued["state"], "queued");

    let (status, problem) = problem_code(app.post("/v1/rosters", CMS, &quick(5)).await).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (503, Some("queue_full"))
    );
    let replay = submit_keyed(&app, CMS, "full-1", &quick(5)).await;
    assert_eq!(replay["id"], q.as_str());
    assert_eq!(replay["state"], "queued");
    let (status, problem) =
        problem_code(app.submit_idempotent(CMS, "full-1", &quick(4)).await).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("idempotency_key_reused"))
    );
    for (key, idempotency_key) in [(CMS, "full-2"), (OTHER, "full-1")] {
        let (status, problem) =
            problem_code(app.submit_idempotent(key, idempotency_key, &quick(5)).await).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (503, Some("queue_full")),
            "{key} / {idempotency_key}"
        );
    }

    gate.open();
    for id in [&solving, &q] {
        assert_eq!(app.wait_finished(id, CMS).await["state"], "done");
    }
    assert_eq!(listed(&app, CMS).await, vec![q, solving]);
    assert_eq!(listed(&app, OTHER).await, Vec::<String>::new());
}

/// Submissions racing under one `Idempotency-Key` store one job: with the same body every
/// one is answered 202 with it; with two bodies racing, the body that won gets 202 with the
/// one job every time and the other 409 every time.
async fn concurrent_submissions_under_one_key_make_one_job(store: Arc<dyn JobStore>) {
    let gate = Gate::new();
    let app = spawn_with(config(), store, gate.solver()).await;
    let body = quick(5);
    let answers = join_all((0..8).map(|_| app.submit_idempotent(CMS, "race-1", &body))).await;
    let mut ids = Vec::new();
    for r in answers {
        assert_eq!(r.status(), 202);
        ids.push(r.json::<Value>().await.unwrap()["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one job: {ids:?}");
    assert_eq!(listed(&app, CMS).await, vec![ids[0].as_str().unwrap()]);

    let bodies = [quick(5), quick(4)];
    let answers =
        join_all((0..8).map(|i| app.submit_idempotent(OTHER, "race-2", &bodies[i % 2]))).await;
    let mut outcomes: Vec<(usize, u16, Option<String>)> = Vec::new();
    for (i, r) in answers.into_iter().enumerate() {
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        let id = (status == 202).then(|| body["id"].as_str().unwrap().to_string());
        if status != 202 {
            assert_eq!(
                (status, body["code"].as_str()),
                (409, Some("idempotency_key_reused")),
                "{body}"
            );
        }
        outcomes.push((i % 2, status, id));
    }
    let accepted: Vec<&(usize, u16, Option<String>)> = outcomes
        .iter()
        .filter(|(_, status, _)| *status == 202)
        .collect();
    let winner = accepted.first().expect("one body accepted").0;
    assert!(
        outcomes
            .iter()
            .all(|(body, status, _)| (*body == winner) == (*status == 202)),
        "the winning body always 202, the other always 409: {outcomes:?}"
    );
    let other_ids: Vec<String> = listed(&app, OTHER).await;
    assert_eq!(other_ids.len(), 1, "{other_ids:?}");
    assert!(accepted
        .iter()
        .all(|(_, _, id)| id.as_deref() == Some(other_ids[0].as_str())));
}

/// 2. Another key's job is 404 `job_not_found` (exactly as a job that does not exist) on
///    every read and on cancel, and is not in its list; an admin key sees (lists, fetches,
///    polls) every key's jobs but cannot cancel them (no `submit` scope).
async fn per_key_isolation(store: Arc<dyn JobStore>) {
    let gate = Gate::new();
    let app = spawn_with(config(), store, gate.solver()).await;
    let a = app.submit(CMS, &quick(5)).await;
    let o = app.submit(OTHER, &quick(5)).await;
    gate.wait_started(2).await;
    app.wait_state(&a, CMS, "solving").await;

    let missing = uuid::Uuid::new_v4();
    let (status, absent) =
        problem_code(app.get(&format!("/v1/rosters/{missing}"), OTHER).await).await;
    assert_eq!(
        (status, absent["code"].as_str()),
        (404, Some("job_not_found"))
    );
    let reads = |id: &str| {
        [
            format!("/v1/rosters/{id}"),
            format!("/v1/rosters/{id}/status"),
            format!("/v1/rosters/{id}/roster.html"),
        ]
    };
    for key in [OTHER, READER] {
        for path in reads(&a) {
            let (status, body) = problem_code(app.get(&path, key).await).await;
            assert_eq!(status, 404, "{key} {path}");
            assert_eq!(body, absent, "{key} {path}: as a job that does not exist");
        }
    }
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{a}"),
            Some(OTHER),
            None,
        )
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!((status, &body), (404, &absent));

    assert_eq!(listed(&app, CMS).await, vec![a.clone()]);
    assert_eq!(listed(&app, OTHER).await, vec![o.clone()]);
    assert_eq!(listed(&app, READER).await, Vec::<String>::new());
    let all = app.get_json("/v1/rosters", ADMIN).await;
    assert_eq!(job_ids(&all), vec![o.clone(), a.clone()]);
    let owners: Vec<&str> = all["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["owner"].as_str().unwrap())
        .collect();
    assert_eq!(owners, vec!["other", "cms"]);

    // The admin key fetches and polls it, but may not cancel it.
    let job = app.get_json(&format!("/v1/rosters/{a}"), ADMIN).await;
    assert_eq!(
        (job["owner"].as_str(), job["state"].as_str()),
        (Some("cms"), Some("solving"))
    );
    let status = app
        .get_json(&format!("/v1/rosters/{a}/status"), ADMIN)
        .await;
    assert_eq!(status["id"], a.as_str());
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{a}"),
            Some(ADMIN),
            None,
        )
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    // Neither the other key's nor the admin's DELETE cancelled it.
    let status = app.get_json(&format!("/v1/rosters/{a}/status"), CMS).await;
    assert_eq!(status["state"], "solving", "{status}");

    gate.open();
    let done = app.wait_finished(&a, CMS).await;
    assert_eq!(done["state"], "done", "{done}");
    for key in [OTHER, READER] {
        for path in reads(&a) {
            let (status, body) = problem_code(app.get(&path, key).await).await;
            assert_eq!((status, &body), (404, &absent), "{key} {path} once done");
        }
    }
    let seen = app.get_json(&format!("/v1/rosters/{a}"), ADMIN).await;
    assert_eq!(seen["result"], done["result"]);
    let page = app
        .get(&format!("/v1/rosters/{a}/roster.html"), ADMIN)
        .await;
    assert_eq!(page.status(), 200);
    assert_eq!(app.wait_finished(&o, OTHER).await["state"], "done");
}

/// 3. Paging with `limit` and the `cursor` each page gives: every job exactly once, newest
///    first, each key only its own (an admin key everyone's), no page beyond the last.
async fn pagination(store: Arc<dyn JobStore>) {
    // Held: the jobs only need to exist.
    let gate = Gate::new();
    let app = spawn_with(config(), store, gate.solver()).await;
    let (mut mine, mut theirs, mut all) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..6 {
        let id = app.submit(CMS, &quick(5)).await;
        mine.push(id.clone());
        all.push(id);
        if i % 3 == 1 {
            let id = app.submit(OTHER, &quick(5)).await;
            theirs.push(id.clone());
            all.push(id);
        }
    }
    for ids in [&mut mine, &mut theirs, &mut all] {
        ids.reverse();
    }
    let chunks = |ids: &[String], n: usize| -> Vec<Vec<String>> {
        ids.chunks(n).map(<[String]>::to_vec).collect()
    };

    assert_eq!(pages(&app, CMS, 2).await, chunks(&mine, 2), "6 jobs by 2");
    assert_eq!(pages(&app, CMS, 4).await, chunks(&mine, 4), "6 jobs by 4");
    assert_eq!(pages(&app, CMS, 100).await, vec![mine.clone()]);
    // Exactly `limit` jobs: one page, no cursor to an empty one.
    assert_eq!(pages(&app, OTHER, 2).await, vec![theirs.clone()]);
    assert_eq!(pages(&app, OTHER, 1).await, chunks(&theirs, 1));
    assert_eq!(pages(&app, ADMIN, 3).await, chunks(&all, 3), "8 jobs by 3");
    assert_eq!(pages(&app, READER, 2).await, vec![Vec::<String>::new()]);

    assert_eq!(pages(&app, CMS, 6).await, vec![mine.clone()], "6 jobs by 6");
    assert_eq!(pages(&app, CMS, 5).await, chunks(&mine, 5), "6 jobs by 5");
}

/// 4. A job with a `callback_url` gets exactly one POST with its final state, sent after
///    that state is stored, and its status then shows the callback `delivered`.
async fn callback_delivered_once(store: Arc<dyn JobStore>) {
    let mut hook = hook().await;
    let app = spawn_with(allow_local(config()), store, None).await;
    let mut body = quick(5);
    body["callback_url"] = json!(hook.url);
    let id = app.submit(CMS, &body).await;
    let call = hook.next().await;
    assert_eq!(call, json!({ "id": id, "state": "done" }));
    // By the time the callback came, the job was done with its result.
    let job = app.get_json(&format!("/v1/rosters/{id}"), CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    assert!(job["result"]["roster"].is_object(), "{job}");
    assert_eq!(callback_outcome(&app, &id, CMS).await, "delivered");
    let job = app.get_json(&format!("/v1/rosters/{id}"), CMS).await;
    assert_eq!(job["callback"], "delivered");
    // A job without a callback URL sends nothing; the first sent only once.
    let quiet = app.submit(CMS, &quick(5)).await;
    assert_eq!(app.wait_finished(&quiet, CMS).await["state"], "done");
    hook.assert_quiet(Duration::from_millis(500)).await;
    let status = app
        .get_json(&format!("/v1/rosters/{quiet}/status"), CMS)
        .await;
    assert!(status.get("callback").is_none(), "{status}");
}

/// 5. A job runs to `done`, and its roster passes `POST /v1/check` and the solver crate's
///    checker; the stored job reads back the same each time.
async fn done_job_has_a_checked_roster(store: Arc<dyn JobStore>) {
    let app = spawn_with(config(), store, None).await;
    let id = app.submit(CMS, &quick(5)).await;
    let job = app.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    assert!(job["failure"].is_null(), "{job}");
    let (created, started, finished) = (
        timestamp(&job, "created_at"),
        timestamp(&job, "started_at"),
        timestamp(&job, "finished_at"),
    );
    assert!(created <= started && started <= finished, "{job}");

    let roster = &job["result"]["roster"];
    assert_checker_valid(roster);
    let r = app
        .post(
            "/v1/check",
            READER,
            &json!({ "problem": week(), "roster": roster }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["violations"], json!([]));
    assert_eq!(
        report["meetings_checked"].as_u64(),
        Some(roster["meetings"].as_array().unwrap().len() as u64)
    );

    assert_eq!(app.get_json(&format!("/v1/rosters/{id}"), CMS).await, job);
    let status = app.get_json(&format!("/v1/rosters/{id}/status"), CMS).await;
    assert_eq!(status["state"], "done");
    assert!(status.get("result").is_none());
    let page = app.get(&format!("/v1/rosters/{id}/roster.html"), CMS).await;
    assert_eq!(page.status(), 200);
}

/// 6. DELETE of a queued job: `cancelled` at once (its callback says so, once), it is never
///    solved and never gets a result; DELETE again changes nothing; DELETE of a done job
///    leaves it done with its roster.
async fn cancelling_a_queued_job(store: Arc<dyn JobStore>) {
    let mut hook = hook().await;
    let gate = Gate::new();
    let app = spawn_with(allow_local(one_solver(8)), store, gate.solver()).await;
    let first = app.submit(CMS, &quick(5)).await;
    gate.wait_started(1).await;
    app.wait_state(&first, CMS, "solving").await;
    let mut body = quick(5);
    body["callback_url"] = json!(hook.url);
    let queued = app.submit(CMS, &body).await;
    let status = app
        .get_json(&format!("/v1/rosters/{queued}/status"), CMS)
        .await;
    assert_eq!(status["state"], "queued", "{status}");

    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{queued}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let cancelled: Value = r.json().await.unwrap();
    assert_eq!(cancelled["id"], queued.as_str());
    assert_eq!(cancelled["state"], "cancelled", "{cancelled}");
    assert!(cancelled["started_at"].is_null(), "{cancelled}");
    assert!(cancelled["finished_at"].is_string(), "{cancelled}");
    assert_eq!(
        hook.next().await,
        json!({ "id": queued, "state": "cancelled" })
    );
    assert_eq!(callback_outcome(&app, &queued, CMS).await, "delivered");

    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{queued}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["state"], "cancelled");
    assert_eq!(again["finished_at"], cancelled["finished_at"]);

    gate.open();
    let done = app.wait_finished(&first, CMS).await;
    assert_eq!(done["state"], "done", "{done}");
    // The one worker claims oldest first: a later job done means it passed the cancelled one.
    let later = app.submit(CMS, &quick(5)).await;
    assert_eq!(app.wait_finished(&later, CMS).await["state"], "done");
    assert_eq!(
        gate.started.load(Ordering::SeqCst),
        2,
        "the cancelled job was solved"
    );
    let job = app.get_json(&format!("/v1/rosters/{queued}"), CMS).await;
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(job["result"].is_null(), "{job}");
    assert!(job["started_at"].is_null(), "{job}");
    hook.assert_quiet(Duration::from_millis(300)).await;

    // A finished job is left as it is.
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{first}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "done");
    let kept = app.get_json(&format!("/v1/rosters/{first}"), CMS).await;
    assert_eq!(kept["result"], done["result"]);
}

/// DELETE of a solving job: `cancelled` at once, its solve told to stop, and whatever the
/// solve returns is discarded: no result.
async fn cancelling_a_solving_job(store: Arc<dyn JobStore>) {
    let gate = Gate::new();
    let app = spawn_with(one_solver(8), store, gate.solver()).await;
    let id = app.submit(CMS, &quick(5)).await;
    gate.wait_started(1).await;
    app.wait_state(&id, CMS, "solving").await;
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{id}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "cancelled");
    gate.open();
    gate.wait_finished(1).await;
    assert_eq!(
        gate.saw_cancel.load(Ordering::SeqCst),
        1,
        "the solve was told"
    );
    let later = app.submit(CMS, &quick(5)).await;
    assert_eq!(app.wait_finished(&later, CMS).await["state"], "done");
    let job = app.get_json(&format!("/v1/rosters/{id}"), CMS).await;
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(job["result"].is_null(), "{job}");
}

/// A solve that fails: the job is `failed` with its failure (code and message) and no
/// result, and its callback says `failed`.
async fn a_failed_job_keeps_its_failure(store: Arc<dyn JobStore>) {
    struct Failing;
    impl RosterSolver for Failing {
        fn solve(
            &self,
            _: &mediation_solver::model::Problem,
            _: &mediation_solver::milp::SolveOptions,
        ) -> Result<mediation_solver::schedule::Outcome, mediation_solver::milp::SolveError>
        {
            Err(mediation_solver::milp::SolveError::Backend {
                backend: "test",
                message: "refused on purpose".into(),
            })
        }
    }
    let mut hook = hook().await;
    let app = spawn_with(allow_local(config()), store, Some(Arc::new(Failing))).await;
    let mut body = quick(5);
    body["callback_url"] = json!(hook.url);
    let id = app.submit(CMS, &body).await;
    let job = app.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "solve_failed", "{job}");
    assert!(
        job["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("refused on purpose"),
        "{job}"
    );
    assert!(job["result"].is_null(), "{job}");
    assert!(job["finished_at"].is_string(), "{job}");
    assert_eq!(hook.next().await, json!({ "id": id, "state": "failed" }));
    assert_eq!(callback_outcome(&app, &id, CMS).await, "delivered");
    let status = app.get_json(&format!("/v1/rosters/{id}/status"), CMS).await;
    assert_eq!(status["failure"], job["failure"]);
    hook.assert_quiet(Duration::from_millis(300)).await;
}

/// A what-if job fans out into child jobs, one per scenario: they are not listed (not even
/// to an admin key), the job collects them into its table, and only the job itself calls
/// back, once.
async fn what_if_children_are_not_listed(store: Arc<dyn JobStore>) {
    let mut hook = hook().await;
    let app = spawn_with(allow_local(config()), store, None).await;
    let r = app
        .post(
            "/v1/what-if",
            CMS,
            &json!({
                "what_if": crate::whatif::what_if(),
                "options": { "time_limit_secs": 5 },
                "callback_url": hook.url,
            }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = app.wait_finished(&id, CMS).await;
    assert_eq!(done["state"], "done", "{done}");
    let names: Vec<&str> = done["result"]["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "base",
            "herts-mediator",
            "greenwich-mediator",
            "m012-leaves"
        ]
    );
    assert_eq!(hook.next().await, json!({ "id": id, "state": "done" }));
    assert_eq!(callback_outcome(&app, &id, CMS).await, "delivered");
    assert_eq!(listed(&app, CMS).await, vec![id.clone()]);
    assert_eq!(listed(&app, ADMIN).await, vec![id]);
    hook.assert_quiet(Duration::from_millis(300)).await;
}

/// Cancelling a what-if job once it has fanned out into its scenarios (queued behind a held
/// roster job) cancels them with it: none is run, the job never gets a table, and the
/// store counts the job and its four scenarios cancelled.
async fn cancelling_a_what_if_job(store: Arc<dyn JobStore>) {
    let tickets = Tickets::new();
    let app = spawn_with(one_solver(8), store, tickets.solver()).await;
    let first = app.submit(CMS, &quick(5)).await;
    tickets.wait_started(1).await;
    let r = app
        .post(
            "/v1/what-if",
            CMS,
            &json!({ "what_if": crate::whatif::what_if(), "options": { "time_limit_secs": 5 } }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let held = app.submit(CMS, &quick(5)).await;
    // The one worker finishes `first`, claims the what-if job (older than `held`) and fans it
    // out, then claims `held` (older than the scenarios), which is held.
    tickets.release(1);
    tickets.wait_started(2).await;
    app.wait_state(&held, CMS, "solving").await;
    let status = app.get_json(&format!("/v1/rosters/{id}/status"), CMS).await;
    assert_eq!(status["state"], "solving", "parked: {status}");
    assert_eq!(jobs_in(&app, "queued").await, 4, "four scenarios wait");

    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{id}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "cancelled");
    assert_eq!(jobs_in(&app, "queued").await, 0);
    assert_eq!(jobs_in(&app, "cancelled").await, 5);

    tickets.open();
    assert_eq!(app.wait_finished(&held, CMS).await["state"], "done");
    // The worker is past the cancelled scenarios once a later job is done.
    let later = app.submit(CMS, &quick(5)).await;
    assert_eq!(app.wait_finished(&later, CMS).await["state"], "done");
    let job = app.get_json(&format!("/v1/rosters/{id}"), CMS).await;
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(job["result"].is_null(), "{job}");
    assert_eq!(jobs_in(&app, "cancelled").await, 5);
    assert_eq!(jobs_in(&app, "done").await, 3, "first, held, later");
    assert_eq!(listed(&app, CMS).await, vec![later, held, id, first]);
}

/// A service stopped while a job solves (no grace) puts the job back to `queued`; the next
/// service on the same store solves it, and still answers the jobs it finished.
async fn a_job_interrupted_by_shutdown_runs_after_restart(store: Arc<dyn JobStore>) {
    let first_app = spawn_with(config(), store.clone(), None).await;
    let (done_id, _) = done_week(&first_app).await;
    let before = first_app
        .get_json(&format!("/v1/rosters/{done_id}"), CMS)
        .await;
    first_app.stop().await;

    let gate = Gate::new();
    let mut held_config = config();
    held_config.shutdown_grace = Duration::ZERO;
    let held_app = spawn_with(held_config, store.clone(), gate.solver()).await;
    let id = held_app.submit(CMS, &quick(5)).await;
    gate.wait_started(1).await;
    held_app.wait_state(&id, CMS, "solving").await;
    held_app.stop().await;

    let app = spawn_with(config(), store, None).await;
    let job = app.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_checker_valid(&job["result"]["roster"]);
    let after = app.get_json(&format!("/v1/rosters/{done_id}"), CMS).await;
    assert_eq!(after, before);
    assert_eq!(listed(&app, CMS).await, vec![id, done_id]);
}

/// A read-only link opens its job's page without a key until revoked; only a key that sees
/// the job may make or revoke one, and a link is revoked only through its own job.
async fn read_only_links(store: Arc<dyn JobStore>) {
    let app = spawn_with(config(), store, None).await;
    let (a, _) = done_week(&app).await;
    let (b, _) = done_week(&app).await;
    let link = new_link(&app, &a).await;
    assert_eq!(link["job"], a.as_str());
    let page = link["page"].as_str().unwrap().to_string();
    let r = app.call(Method::GET, &page, None, None).await;
    assert_eq!(r.status(), 200);

    let r = app
        .call(
            Method::POST,
            &format!("/v1/rosters/{a}/links"),
            Some(OTHER),
            None,
        )
        .await;
    assert_eq!(
        problem_code(r).await.1["code"],
        "job_not_found",
        "another key's job"
    );
    let link_id = link["id"].as_str().unwrap();
    let revoke = |job: &str, key: &'static str| {
        let path = format!("/v1/rosters/{job}/links/{link_id}");
        let app = &app;
        async move { app.call(Method::DELETE, &path, Some(key), None).await }
    };
    assert_eq!(
        problem_code(revoke(&a, OTHER).await).await.1["code"],
        "job_not_found"
    );
    assert_eq!(
        problem_code(revoke(&b, CMS).await).await.1["code"],
        "link_not_found"
    );
    let r = app.call(Method::GET, &page, None, None).await;
    assert_eq!(r.status(), 200, "still live");
    assert_eq!(revoke(&a, CMS).await.status(), 204);
    let (status, body) = problem_code(app.call(Method::GET, &page, None, None).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("link_not_found"))
    );
    // Another link to the same job is another token, live.
    let second = new_link(&app, &a).await;
    assert_ne!(second["token"], link["token"]);
    let r = app
        .call(Method::GET, second["page"].as_str().unwrap(), None, None)
        .await;
    assert_eq!(r.status(), 200);
}

/// Finished jobs are deleted after the retention period: a roster job with its links and a
/// what-if job with its scenarios; the store then counts no job at all.
async fn finished_jobs_expire_with_their_scenarios_and_links(store: Arc<dyn JobStore>) {
    let mut config = config();
    // Long enough to look at both jobs before either expires, even on a busy machine.
    config.job_retention = Duration::from_secs(3);
    let app = spawn_with(config, store, None).await;
    let r = app
        .post(
            "/v1/what-if",
            CMS,
            &json!({ "what_if": crate::whatif::what_if(), "options": { "time_limit_secs": 5 } }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let what_if = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.wait_finished(&what_if, CMS).await["state"], "done");
    let (roster, _) = done_week(&app).await;
    let link = new_link(&app, &roster).await;
    let page = link["page"].as_str().unwrap().to_string();
    assert_eq!(app.call(Method::GET, &page, None, None).await.status(), 200);
    assert_eq!(
        jobs_in(&app, "done").await,
        6,
        "two jobs and four scenarios"
    );

    let deadline = Instant::now() + Duration::from_secs(15);
    for id in [&roster, &what_if] {
        loop {
            let r = app.get(&format!("/v1/rosters/{id}/status"), CMS).await;
            if r.status() == 404 {
                assert_eq!(problem_code(r).await.1["code"], "job_not_found");
                break;
            }
            assert!(Instant::now() < deadline, "job {id} never expired");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(listed(&app, CMS).await, Vec::<String>::new());
    for state in ["queued", "solving", "done", "failed", "cancelled"] {
        assert_eq!(jobs_in(&app, state).await, 0, "{state} jobs left");
    }
    let (status, body) = problem_code(app.call(Method::GET, &page, None, None).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("link_not_found"))
    );
}

/// How many jobs (what-if scenarios included) the store counts in `state`, from `/metrics`.
async fn jobs_in(app: &TestApp, state: &str) -> u64 {
    let text = app
        .call(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .unwrap();
    let series = format!("jobs{{state=\"{state}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(series.as_str()))
        .unwrap_or_else(|| panic!("no {series}in {text}"))
        .trim()
        .parse()
        .unwrap()
}

/// A solver that lets solves through one ticket at a time ([`Tickets::release`]), or all
/// once opened (also when dropped); a solve waits at most 30 s for its ticket.
struct Tickets(Arc<TicketSolver>);

#[derive(Default)]
struct TicketSolver {
    /// Tickets not yet used; `None`: open.
    left: std::sync::Mutex<Option<usize>>,
    changed: std::sync::Condvar,
    started: std::sync::atomic::AtomicUsize,
}

impl Tickets {
    fn new() -> Tickets {
        Tickets(Arc::new(TicketSolver {
            left: std::sync::Mutex::new(Some(0)),
            ..TicketSolver::default()
        }))
    }

    fn solver(&self) -> Option<Arc<dyn RosterSolver>> {
        Some(self.0.clone() as Arc<dyn RosterSolver>)
    }

    fn release(&self, n: usize) {
        if let Some(left) = self.0.left.lock().unwrap().as_mut() {
            *left += n;
        }
        self.0.changed.notify_all();
    }

    fn open(&self) {
        *self.0.left.lock().unwrap() = None;
        self.0.changed.notify_all();
    }

    async fn wait_started(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.0.started.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "{n} solve(s) never started");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Tickets {
    fn drop(&mut self) {
        self.open();
    }
}

impl RosterSolver for TicketSolver {
    fn solve(
        &self,
        problem: &mediation_solver::model::Problem,
        options: &mediation_solver::milp::SolveOptions,
    ) -> Result<mediation_solver::schedule::Outcome, mediation_solver::milp::SolveError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        let (mut left, _) = self
            .changed
            .wait_timeout_while(self.left.lock().unwrap(), Duration::from_secs(30), |left| {
                *left == Some(0)
            })
            .unwrap();
        if let Some(n) = left.as_mut() {
            *n = n.saturating_sub(1);
        }
        drop(left);
        mediation_solver::schedule::schedule(problem, options)
    }
}

/// Several DELETEs of one queued job at once all answer `cancelled`, and the callback is
/// sent once. (Found with PostgreSQL: the route used to decide "this call cancelled the
/// job" from a status read before `JobStore::cancel`, so every DELETE that read the job
/// before any had cancelled it called back. Now the store says which call changed it.)
/// [`SlowCancel`] widens the window (100 ms before each cancel), so the race happens every
/// run.
async fn concurrent_cancels_call_back_once(store: Arc<dyn JobStore>) {
    let store: Arc<dyn JobStore> = Arc::new(SlowCancel(store));
    let mut hook = hook().await;
    let gate = Gate::new();
    let app = spawn_with(allow_local(one_solver(8)), store, gate.solver()).await;
    let first = app.submit(CMS, &quick(5)).await;
    gate.wait_started(1).await;
    let mut body = quick(5);
    body["callback_url"] = json!(hook.url);
    let queued = app.submit(CMS, &body).await;
    let path = format!("/v1/rosters/{queued}");
    let answers = join_all((0..4).map(|_| app.call(Method::DELETE, &path, Some(CMS), None))).await;
    for r in answers {
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["state"], "cancelled");
    }
    assert_eq!(
        hook.next().await,
        json!({ "id": queued, "state": "cancelled" })
    );
    let mut more = 0;
    while let Ok(Some(_)) =
        tokio::time::timeout(Duration::from_millis(500), hook.calls.recv()).await
    {
        more += 1;
    }
    assert_eq!(more, 0, "the cancelled job called back {} times", more + 1);
    gate.open();
    assert_eq!(app.wait_finished(&first, CMS).await["state"], "done");
}

/// A store that waits 100 ms before each [`JobStore::cancel`] (as a busy database may), and
/// otherwise is the store it wraps.
struct SlowCancel(Arc<dyn JobStore>);

mod slow_cancel {
    use std::sync::Arc;
    use std::time::Duration;

    use chrono::{DateTime, Utc};
    use mediation_scheduler::api::store::{
        ChildRecord, Claim, Inserted, JobFailure, JobRecord, JobState, JobStatus, LeaseTerms,
        LinkRecord, NewChild, NewJob, StoreError,
    };
    use mediation_scheduler::api::JobStore;
    use uuid::Uuid;

    impl JobStore for super::SlowCancel {
        fn cancel(
            &self,
            id: Uuid,
            at: DateTime<Utc>,
        ) -> Result<Option<(JobStatus, bool)>, StoreError> {
            std::thread::sleep(Duration::from_millis(100));
            self.0.cancel(id, at)
        }

        fn insert(&self, job: NewJob) -> Result<Inserted, StoreError> {
            self.0.insert(job)
        }
        fn status(&self, id: Uuid) -> Result<Option<JobStatus>, StoreError> {
            self.0.status(id)
        }
        fn find_idempotent(
            &self,
            owner: &str,
            key: &str,
        ) -> Result<Option<(JobStatus, String)>, StoreError> {
            self.0.find_idempotent(owner, key)
        }
        fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
            self.0.get(id)
        }
        fn list(
            &self,
            owner: Option<&str>,
            before: Option<i64>,
            limit: usize,
        ) -> Result<Vec<JobStatus>, StoreError> {
            self.0.list(owner, before, limit)
        }
        fn claim(&self, terms: &LeaseTerms) -> Result<Claim, StoreError> {
            self.0.claim(terms)
        }
        fn heartbeat(&self, id: Uuid, token: Uuid, duration: Duration) -> Result<bool, StoreError> {
            self.0.heartbeat(id, token, duration)
        }
        fn finish(
            &self,
            id: Uuid,
            token: Uuid,
            state: JobState,
            result: Option<&str>,
            failure: Option<&JobFailure>,
        ) -> Result<bool, StoreError> {
            self.0.finish(id, token, state, result, failure)
        }
        fn fan_out(
            &self,
            id: Uuid,
            token: Uuid,
            children: &[NewChild],
        ) -> Result<bool, StoreError> {
            self.0.fan_out(id, token, children)
        }
        fn children(&self, parent: Uuid) -> Result<Vec<ChildRecord>, StoreError> {
            self.0.children(parent)
        }
        fn release(&self, id: Uuid, token: Uuid) -> Result<bool, StoreError> {
            self.0.release(id, token)
        }
        fn recover(&self) -> Result<Vec<Uuid>, StoreError> {
            self.0.recover()
        }
        fn queue_depth(&self) -> Result<usize, StoreError> {
            self.0.queue_depth()
        }
        fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
            self.0.expire(cutoff)
        }
        fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
            self.0.count_by_state()
        }
        fn insert_link(&self, link: &LinkRecord) -> Result<(), StoreError> {
            self.0.insert_link(link)
        }
        fn find_link(&self, token_hash: &str) -> Result<Option<LinkRecord>, StoreError> {
            self.0.find_link(token_hash)
        }
        fn revoke_link(
            &self,
            job: Uuid,
            link: Uuid,
            at: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            self.0.revoke_link(job, link, at)
        }
        fn set_callback_outcome(&self, id: Uuid, outcome: &str) -> Result<(), StoreError> {
            self.0.set_callback_outcome(id, outcome)
        }
        fn watch(&self, wake: Arc<tokio::sync::Notify>) {
            self.0.watch(wake)
        }
    }
}
