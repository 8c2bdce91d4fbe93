//! Each malformed or invalid request gets its own problem+json answer.

use std::sync::Arc;

use mediation_scheduler::api::SqliteStore;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn malformed_json_is_400_with_its_line_and_column() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/v1/rosters"))
        .bearer_auth(CMS)
        .header("content-type", "application/json")
        .body("{\"problem\": {\n  \"horizon\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("malformed_json"))
    );
    assert!(
        body["detail"].as_str().unwrap().contains("line 2"),
        "{body}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_by_content_type_is_415() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/v1/validate"))
        .bearer_auth(READER)
        .header("content-type", "text/plain")
        .body(WEEK)
        .send()
        .await
        .unwrap();
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
}

#[tokio::test]
async fn an_oversize_body_is_413() {
    let mut config = config();
    config.body_limit_bytes = 4096;
    let app = spawn_with(config, Arc::new(SqliteStore::in_memory().unwrap()), None).await;
    let r = app.post("/v1/rosters", CMS, &submission(week())).await;
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("body_too_large"))
    );
    assert!(body["detail"].as_str().unwrap().contains("4096"));
}

#[tokio::test]
async fn an_invalid_problem_is_422_listing_every_error() {
    let app = spawn_app().await;
    let mut problem = week();
    problem["cases"][0]["la"] = json!("E99999999");
    problem["horizon"]["end"] = json!("2026-12-01");
    let r = app.post("/v1/rosters", CMS, &submission(problem)).await;
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_problem"))
    );
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.len() >= 2, "{errors:?}");
    assert!(errors
        .iter()
        .all(|e| e["pointer"].as_str().unwrap().starts_with("/problem/")));
    assert!(errors
        .iter()
        .all(|e| !e["hint"].as_str().unwrap().is_empty()));
    // Nothing was queued.
    let list: Value = app.get("/v1/rosters", CMS).await.json().await.unwrap();
    assert_eq!(list["jobs"], json!([]));
}

#[tokio::test]
async fn bad_options_are_listed_with_the_problems_errors() {
    let app = spawn_app().await;
    let mut problem = week();
    problem["cases"][0]["la"] = json!("E99999999");
    let body = json!({ "problem": problem, "options": { "time_limit_secs": 100000, "mip_gap": 2, "backend": "cplex" } });
    let (status, body) = problem_code(app.post("/v1/rosters", CMS, &body).await).await;
    assert_eq!(status, 422);
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    for p in [
        "/options/time_limit_secs",
        "/options/mip_gap",
        "/options/backend",
    ] {
        assert!(pointers.contains(&p), "{p} missing from {pointers:?}");
    }
    assert!(pointers.iter().any(|p| p.starts_with("/problem/cases/0")));
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_422_with_a_pointer() {
    let app = spawn_app().await;
    let body = json!({ "problem": week(), "options": { "time_limit": 5 } });
    let (status, body) = problem_code(app.post("/v1/rosters", CMS, &body).await).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("bad_body")));
    assert!(
        body["detail"].as_str().unwrap().contains("time_limit"),
        "{body}"
    );
}

#[tokio::test]
async fn a_problem_of_the_wrong_shape_is_422_problem_malformed() {
    let app = spawn_app().await;
    let mut problem = week();
    problem["cases"] = json!("not a list");
    let (status, body) =
        problem_code(app.post("/v1/rosters", CMS, &submission(problem)).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("problem_malformed"))
    );
    assert!(
        body["detail"].as_str().unwrap().contains("/problem/cases"),
        "{body}"
    );
}

#[tokio::test]
async fn an_unknown_job_is_404_and_a_bad_id_is_400() {
    let app = spawn_app().await;
    let (status, body) = problem_code(
        app.get("/v1/rosters/6f1c1f9e-8a7e-4a53-9d1e-2b8f3c0c9a11", CMS)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("job_not_found"))
    );
    let (status, body) = problem_code(app.get("/v1/rosters/not-a-uuid/status", CMS).await).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_job_id")));
}

#[tokio::test]
async fn an_unknown_route_is_404_and_a_wrong_method_405() {
    let app = spawn_app().await;
    let (status, body) = problem_code(app.get("/v1/nothing-here", CMS).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("route_not_found"))
    );
    let r = app
        .call(Method::PUT, "/v1/validate", Some(CMS), Some(&json!({})))
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
}

#[tokio::test]
async fn a_callback_to_a_host_off_the_allow_list_is_refused() {
    let app = spawn_app().await;
    let body = json!({ "problem": week(), "callback_url": "http://example.org/hook" });
    let (status, body) = problem_code(app.post("/v1/rosters", CMS, &body).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_options"))
    );
    assert_eq!(body["errors"][0]["code"], "callback_not_allowed");
    assert_eq!(body["errors"][0]["pointer"], "/callback_url");
}

#[tokio::test]
async fn a_synchronous_solve_of_a_large_problem_is_refused() {
    let mut config = config();
    config.sync_max_cases = 10;
    let app = spawn_with(config, Arc::new(SqliteStore::in_memory().unwrap()), None).await;
    let (status, body) = problem_code(
        app.post("/v1/rosters/solve", CMS, &json!({ "problem": week() }))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("too_large_for_sync"))
    );
}

#[tokio::test]
async fn a_bad_page_size_is_400() {
    let app = spawn_app().await;
    let (status, body) = problem_code(app.get("/v1/rosters?limit=0", CMS).await).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_query")));
    let (status, _) = problem_code(app.get("/v1/rosters?cursor=abc", CMS).await).await;
    assert_eq!(status, 400);
}

/// A solver with a bug.
struct PanickingSolver;

impl mediation_scheduler::api::RosterSolver for PanickingSolver {
    fn solve(
        &self,
        _: &mediation_solver::model::Problem,
        _: &mediation_solver::milp::SolveOptions,
    ) -> Result<mediation_solver::schedule::Outcome, mediation_solver::milp::SolveError> {
        panic!("a bug in the solver")
    }
}

#[tokio::test]
async fn a_solver_panic_fails_the_job_and_the_service_goes_on() {
    let app = spawn_with(
        config(),
        Arc::new(SqliteStore::in_memory().unwrap()),
        Some(Arc::new(PanickingSolver)),
    )
    .await;
    let id = app.submit(CMS, &submission(week())).await;
    let job = app.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "failed");
    assert_eq!(job["failure"]["code"], "solver_panicked");
    assert!(!job["failure"]["message"]
        .as_str()
        .unwrap()
        .contains("a bug"));
    let (status, body) = problem_code(
        app.post("/v1/rosters/solve", CMS, &json!({ "problem": week() }))
            .await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (500, Some("solve_failed")));
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status(),
        200
    );
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_408() {
    let solver = Arc::new(GatedSolver::default());
    let mut config = config();
    config.request_timeout = std::time::Duration::from_millis(300);
    let app = spawn_with(
        config,
        Arc::new(SqliteStore::in_memory().unwrap()),
        Some(solver.clone() as Arc<dyn mediation_scheduler::api::RosterSolver>),
    )
    .await;
    let r = app
        .post("/v1/rosters/solve", CMS, &json!({ "problem": week() }))
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (408, Some("request_timeout"))
    );
    // The abandoned solve still holds its solver slot until it ends.
    let ready: Value = app
        .call(Method::GET, "/readyz", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ready["solves_running"], 1);
    solver.open();
    solver.wait_finished(1).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let ready: Value = app
            .call(Method::GET, "/readyz", None, None)
            .await
            .json()
            .await
            .unwrap();
        if ready["solves_running"] == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the slot was never released"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_problem_that_is_not_an_object_is_422_bad_body() {
    let app = spawn_app().await;
    for path in [
        "/v1/validate",
        "/v1/rosters",
        "/v1/rosters/solve",
        "/v1/check",
    ] {
        let body = json!({ "problem": [null, null], "roster": { "meetings": [] } });
        let body = if path == "/v1/check" {
            body
        } else {
            json!({ "problem": [null, null] })
        };
        let (status, answer) = problem_code(app.post(path, CMS, &body).await).await;
        assert_eq!(status, 422, "{path}: {answer}");
        assert_eq!(answer["code"], "bad_body", "{path}");
        assert!(
            answer["detail"].as_str().unwrap().contains("/problem"),
            "{answer}"
        );
    }
    let (status, answer) = problem_code(
        app.post("/v1/what-if", CMS, &json!({ "what_if": [week(), []] }))
            .await,
    )
    .await;
    assert_eq!((status, answer["code"].as_str()), (422, Some("bad_body")));
}

#[tokio::test]
async fn a_roster_that_is_not_an_object_is_422_bad_body() {
    let app = spawn_app().await;
    let body = json!({ "problem": week(), "roster": [[]] });
    let (status, answer) = problem_code(app.post("/v1/check", CMS, &body).await).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["code"], "bad_body");
    assert!(
        answer["detail"].as_str().unwrap().contains("/roster"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_cursor_or_idempotency_key_outside_the_documented_pattern_is_400() {
    let app = spawn_app().await;
    for query in [
        "cursor=-1",
        "cursor=%2B5",
        "cursor=abc",
        "limit=0",
        "limit=101",
    ] {
        let r = app.get(&format!("/v1/rosters?{query}"), CMS).await;
        let (status, answer) = problem_code(r).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("bad_query")),
            "{query}"
        );
    }
    for key in ["has space", &"k".repeat(256)] {
        let r = app
            .client
            .post(app.url("/v1/rosters"))
            .bearer_auth(CMS)
            .header("idempotency-key", key)
            .json(&submission(week()))
            .send()
            .await
            .unwrap();
        let (status, answer) = problem_code(r).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("bad_query")),
            "{key}"
        );
    }
}
