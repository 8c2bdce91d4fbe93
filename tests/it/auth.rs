//! Keys: 401 without one, 403 without the scope, and a key sees only its own jobs.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn a_v1_route_without_a_key_is_401_with_a_bearer_challenge() {
    let app = spawn_app().await;
    let r = app.call(Method::GET, "/v1/rosters", None, None).await;
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let (status, body) = problem_code(r).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthenticated");
}

#[tokio::test]
async fn an_unknown_key_is_401() {
    let app = spawn_app().await;
    let r = app
        .post("/v1/validate", "not-a-key", &json!({ "problem": week() }))
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unauthenticated"))
    );
}

#[tokio::test]
async fn a_read_only_key_cannot_submit() {
    let app = spawn_app().await;
    let r = app.post("/v1/rosters", READER, &submission(week())).await;
    let (status, body) = problem_code(r).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    assert!(body["detail"].as_str().unwrap().contains("submit"));
}

#[tokio::test]
async fn a_read_only_key_cannot_cancel() {
    let app = spawn_app().await;
    let id = app.submit(CMS, &submission(week())).await;
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{id}"),
            Some(READER),
            None,
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn an_admin_key_without_read_scope_cannot_validate() {
    // `admin` widens what `read` sees; it does not replace it.
    let mut config = config();
    config
        .keys
        .add(
            "bare-admin",
            "bare-admin-key",
            &[mediation_scheduler::api::auth::Scope::Admin],
        )
        .unwrap();
    let app = spawn_with(
        config,
        std::sync::Arc::new(mediation_scheduler::api::SqliteStore::in_memory().unwrap()),
        None,
    )
    .await;
    let r = app
        .post(
            "/v1/validate",
            "bare-admin-key",
            &json!({ "problem": week() }),
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_key_cannot_see_or_cancel_another_keys_job() {
    let app = spawn_app().await;
    let id = app.submit(CMS, &submission(week())).await;
    for path in [
        format!("/v1/rosters/{id}"),
        format!("/v1/rosters/{id}/status"),
    ] {
        let (status, body) = problem_code(app.get(&path, OTHER).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("job_not_found")),
            "{path}"
        );
    }
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{id}"),
            Some(OTHER),
            None,
        )
        .await;
    assert_eq!(r.status(), 404);
    let list: Value = app.get("/v1/rosters", OTHER).await.json().await.unwrap();
    assert_eq!(list["jobs"], json!([]));
    // The owner still sees it, uncancelled.
    let job = app.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "done");
}

#[tokio::test]
async fn an_admin_key_sees_every_keys_jobs() {
    let app = spawn_app().await;
    let a = app.submit(CMS, &submission(week())).await;
    let b = app.submit(OTHER, &submission(week())).await;
    let list: Value = app.get("/v1/rosters", ADMIN).await.json().await.unwrap();
    let ids: Vec<&str> = list["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![b.as_str(), a.as_str()]);
    let r = app.get(&format!("/v1/rosters/{a}/status"), ADMIN).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn operations_routes_need_no_key() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs/"] {
        let r = app.call(Method::GET, path, None, None).await;
        assert_eq!(r.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn a_key_over_its_rate_limit_is_429_with_retry_after_and_other_keys_go_on() {
    let mut config = config();
    config.rate_limit_per_minute = 2;
    let app = spawn_with(
        config,
        std::sync::Arc::new(mediation_scheduler::api::SqliteStore::in_memory().unwrap()),
        None,
    )
    .await;
    for _ in 0..2 {
        assert_eq!(app.get("/v1/rosters", CMS).await.status(), 200);
    }
    let r = app.get("/v1/rosters", CMS).await;
    assert_eq!(r.headers()["retry-after"], "30");
    let (status, body) = problem_code(r).await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")));
    assert_eq!(app.get("/v1/rosters", OTHER).await.status(), 200);
}
