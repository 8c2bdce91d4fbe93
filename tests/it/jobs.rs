//! The solve pool: concurrency, cancellation, idempotency and a full queue.

use std::sync::Arc;

use futures_util::future::join_all;
use mediation_scheduler::api::{RosterSolver, SqliteStore};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_submissions_all_complete_with_checker_valid_rosters() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("jobs.sqlite")).unwrap());
    let app = spawn_with(config(), store, None).await;
    let body = submission(week());
    let ids: Vec<String> = join_all((0..20).map(|_| app.submit(CMS, &body))).await;
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 20);
    for id in &ids {
        let job = app.wait_finished(id, CMS).await;
        assert_eq!(job["state"], "done", "{job}");
        assert_checker_valid(&job["result"]["roster"]);
    }
}

fn gated_config() -> mediation_scheduler::api::Config {
    let mut config = config();
    config.max_concurrent_solves = 1;
    config.queue_len = 1;
    config
}

#[tokio::test]
async fn a_queued_job_cancelled_is_never_solved() {
    let solver = Arc::new(GatedSolver::default());
    let app = spawn_with(
        gated_config(),
        Arc::new(SqliteStore::in_memory().unwrap()),
        Some(solver.clone() as Arc<dyn RosterSolver>),
    )
    .await;
    let first = app.submit(CMS, &submission(week())).await;
    solver.wait_started(1).await;
    let second = app.submit(CMS, &submission(week())).await;
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{second}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "cancelled");
    solver.open();
    assert_eq!(app.wait_finished(&first, CMS).await["state"], "done");
    let job: Value = app
        .get(&format!("/v1/rosters/{second}"), CMS)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(job["state"], "cancelled");
    assert!(job["result"].is_null());
    // Give the worker time to (wrongly) pick the cancelled job up.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(solver.started.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_solving_job_cancelled_is_cancelled_at_once_and_its_result_discarded() {
    let solver = Arc::new(GatedSolver::default());
    let app = spawn_with(
        gated_config(),
        Arc::new(SqliteStore::in_memory().unwrap()),
        Some(solver.clone() as Arc<dyn RosterSolver>),
    )
    .await;
    let id = app.submit(CMS, &submission(week())).await;
    solver.wait_started(1).await;
    app.wait_state(&id, CMS, "solving").await;
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{id}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "cancelled");
    solver.open();
    solver.wait_finished(1).await;
    // The solve was asked to stop (both backends see the flag).
    assert_eq!(
        solver.saw_cancel.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    // The solve returned; wait for a later job on the same single worker to be sure the
    // cancelled one's outcome was handled.
    let later = app.submit(CMS, &submission(week())).await;
    app.wait_finished(&later, CMS).await;
    let job = app.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "cancelled");
    assert!(job["result"].is_null(), "{job}");
}

#[tokio::test]
async fn cancelling_a_done_job_keeps_its_roster() {
    let app = spawn_app().await;
    let id = app.submit(CMS, &submission(week())).await;
    app.wait_finished(&id, CMS).await;
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{id}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "done");
    let job: Value = app
        .get(&format!("/v1/rosters/{id}"), CMS)
        .await
        .json()
        .await
        .unwrap();
    assert_checker_valid(&job["result"]["roster"]);
}

async fn submit_with_key(app: &TestApp, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/rosters"))
        .bearer_auth(CMS)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_give_the_same_job() {
    let app = spawn_app().await;
    let body = submission(week());
    let a: Value = submit_with_key(&app, "order-42", &body)
        .await
        .json()
        .await
        .unwrap();
    let r = submit_with_key(&app, "order-42", &body).await;
    assert_eq!(r.status(), 202);
    let b: Value = r.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    let list: Value = app.get("/v1/rosters", CMS).await.json().await.unwrap();
    assert_eq!(list["jobs"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_idempotency_key_with_another_body_is_409() {
    let app = spawn_app().await;
    submit_with_key(&app, "order-43", &submission(week())).await;
    let other = json!({ "problem": week(), "options": { "time_limit_secs": 7 } });
    let (status, body) = problem_code(submit_with_key(&app, "order-43", &other).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("idempotency_key_reused"))
    );
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after_and_loses_nothing_queued() {
    let solver = Arc::new(GatedSolver::default());
    let app = spawn_with(
        gated_config(),
        Arc::new(SqliteStore::in_memory().unwrap()),
        Some(solver.clone() as Arc<dyn RosterSolver>),
    )
    .await;
    let solving = app.submit(CMS, &submission(week())).await;
    solver.wait_started(1).await;
    let queued = app.submit(CMS, &submission(week())).await;
    let r = app.post("/v1/rosters", CMS, &submission(week())).await;
    let retry_after: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let (status, body) = problem_code(r).await;
    assert_eq!((status, body["code"].as_str()), (503, Some("queue_full")));
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status(), 503);
    solver.open();
    for id in [&solving, &queued] {
        let job = app.wait_finished(id, CMS).await;
        assert_eq!(job["state"], "done");
        assert_checker_valid(&job["result"]["roster"]);
    }
    let list: Value = app.get("/v1/rosters", CMS).await.json().await.unwrap();
    assert_eq!(list["jobs"].as_array().unwrap().len(), 2);
}
