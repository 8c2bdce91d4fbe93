//! Callbacks: a finished job is POSTed to an allow-listed receiver, with retries.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use mediation_scheduler::api::MemoryStore;
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

#[tokio::test]
async fn a_finished_job_is_posted_to_its_callback_url() {
    let (url, mut calls) = receiver(0).await;
    let app = spawn_with(allow_local(), Arc::new(MemoryStore::new()), None).await;
    let id = app
        .submit(CMS, &json!({ "problem": week(), "callback_url": url }))
        .await;
    let call = tokio::time::timeout(Duration::from_secs(60), calls.recv())
        .await
        .expect("a callback")
        .unwrap();
    assert_eq!(call, json!({ "id": id, "state": "done" }));
}

#[tokio::test]
async fn a_refused_callback_is_retried() {
    let (url, mut calls) = receiver(1).await;
    let app = spawn_with(allow_local(), Arc::new(MemoryStore::new()), None).await;
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
