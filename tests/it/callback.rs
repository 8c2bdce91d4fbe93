//! Callbacks: a finished job is POSTed to an allow-listed receiver, with retries.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use mediation_scheduler::api::{JobStore, RosterSolver, SqliteStore};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Mutex};

use crate::helpers::*;

/// A receiver on 127.0.0.1:0 that refuses the first `refuse` calls with 500.
async fn receiver(refuse: usize) -> (String, mpsc::UnboundedReceiver<Value>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let state = Arc::new((tx, Mutex::new(refuse)));
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State(s): State<Arc<(mpsc::UnboundedSender<Value>, Mutex<usize>)>>,
                 Json(body): Json<Value>| async move {
                    let _ = s.0.send(body);
                    let mut left = s.1.lock().await;
                    if *left > 0 {
                        *left -= 1;
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::NO_CONTENT
                    }
                },
            ),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), rx)
}

fn allow_local() -> mediation_scheduler::api::Config {
    let mut config = config();
    config.callback_hosts = vec!["127.0.0.1".into()];
    config
}

/// Waits until the store records what became of the job's callback.
async fn callback_outcome(store: &dyn JobStore, id: &str) -> String {
    let id = uuid::Uuid::parse_str(id).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(outcome) = store.status(id).unwrap().and_then(|s| s.callback) {
            return outcome;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no callback outcome recorded"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_finished_job_is_posted_to_its_callback_url() {
    let (url, mut calls) = receiver(0).await;
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let app = spawn_with(allow_local(), store.clone(), None).await;
    let id = app
        .submit(CMS, &json!({ "problem": week(), "callback_url": url }))
        .await;
    let call = tokio::time::timeout(Duration::from_secs(60), calls.recv())
        .await
        .expect("a callback")
        .unwrap();
    assert_eq!(call, json!({ "id": id, "state": "done" }));
    assert_eq!(callback_outcome(store.as_ref(), &id).await, "delivered");
}

#[tokio::test]
async fn a_callback_whose_host_left_the_allow_list_before_delivery_is_refused_and_recorded() {
    let (url, mut calls) = receiver(0).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    // First run: 127.0.0.1 is allowed, the job is accepted and its solve held; the service
    // stops before it ends.
    let held = Arc::new(GatedSolver::default());
    let mut first_config = allow_local();
    first_config.shutdown_grace = Duration::ZERO;
    let first = spawn_with(
        first_config,
        Arc::new(SqliteStore::open(&db).unwrap()),
        Some(held.clone() as Arc<dyn RosterSolver>),
    )
    .await;
    let id = first
        .submit(
            CMS,
            &json!({ "problem": week(), "options": { "time_limit_secs": 20 }, "callback_url": url }),
        )
        .await;
    held.wait_started(1).await;
    first.stop().await;

    // Second run: the host is no longer on the list.
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    let second = spawn_with(config(), store.clone(), None).await;
    let job = second.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "done", "the job keeps its own state: {job}");
    let outcome = callback_outcome(store.as_ref(), &id).await;
    assert!(outcome.starts_with("refused: "), "{outcome}");
    assert!(
        outcome.contains("127.0.0.1") && outcome.contains("allow-list"),
        "{outcome}"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(500), calls.recv())
            .await
            .is_err(),
        "the callback was delivered"
    );
    held.open();
}

#[tokio::test]
async fn a_listed_name_that_resolves_to_loopback_is_refused_at_delivery() {
    let (url, mut calls) = receiver(0).await;
    let url = url.replace("127.0.0.1", "localhost");
    let mut config = config();
    config.callback_hosts = vec!["localhost".into()];
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let app = spawn_with(config, store.clone(), None).await;
    // Accepted at submission: the name is on the list.
    let id = app
        .submit(CMS, &json!({ "problem": week(), "callback_url": url }))
        .await;
    let job = app.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    let outcome = callback_outcome(store.as_ref(), &id).await;
    assert!(
        outcome.starts_with("refused: ") && outcome.contains("loopback"),
        "{outcome}"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(500), calls.recv())
            .await
            .is_err(),
        "the callback was delivered"
    );
}

#[tokio::test]
async fn a_refused_callback_is_retried() {
    let (url, mut calls) = receiver(1).await;
    let app = spawn_with(
        allow_local(),
        Arc::new(SqliteStore::in_memory().unwrap()),
        None,
    )
    .await;
    let id = app
        .submit(CMS, &json!({ "problem": week(), "callback_url": url }))
        .await;
    for _ in 0..2 {
        let call = tokio::time::timeout(Duration::from_secs(60), calls.recv())
            .await
            .expect("a callback")
            .unwrap();
        assert_eq!(call["id"], id.as_str());
    }
}
