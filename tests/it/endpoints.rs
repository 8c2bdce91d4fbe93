//! The success path of every endpoint.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn healthz_answers_without_a_key() {
    let app = spawn_app().await;
    let r = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
}

#[tokio::test]
async fn readyz_is_ready_with_free_capacity() {
    let app = spawn_app().await;
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["ready"], true);
    assert_eq!(body["max_concurrent_solves"], 2);
    assert_eq!(body["queue_depth"], 0);
}

#[tokio::test]
async fn a_submitted_week_is_solved_and_its_roster_passes_the_checker() {
    let app = spawn_app().await;
    let r = app.post("/v1/rosters", CMS, &submission(week())).await;
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job: Value = r.json().await.unwrap();
    let id = job["id"].as_str().unwrap();
    assert_eq!(location, format!("/v1/rosters/{id}"));
    assert!(["queued", "solving"].contains(&job["state"].as_str().unwrap()));

    let done = app.wait_finished(id, CMS).await;
    assert_eq!(done["state"], "done", "{done}");
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());
    let result = &done["result"];
    assert_checker_valid(&result["roster"]);
    // The shipped week's Greenwich case cannot be held: it is listed with its reasons.
    let unscheduled = result["unscheduled"].as_array().unwrap();
    let greenwich = unscheduled
        .iter()
        .find(|u| u["case"] == "SEN-2026-0499")
        .expect("SEN-2026-0499 unscheduled");
    assert_eq!(greenwich["primary_reason"], "impartiality");
    assert!(!greenwich["reasons"].as_array().unwrap().is_empty());
    let late = result["late"].as_array().unwrap();
    assert!(
        late.iter()
            .any(|l| l["case"] == "SEN-2026-0443" && l["days_late"].as_i64().unwrap() > 0),
        "{late:?}"
    );
    assert_eq!(result["solver"]["status"], "optimal");
    assert!(result["solver"]["objective"].is_number());
    assert_eq!(result["kpis"]["overall"]["cases"], 30);
}

#[tokio::test]
async fn the_status_poll_has_no_result() {
    let app = spawn_app().await;
    let id = app.submit(CMS, &submission(week())).await;
    app.wait_finished(&id, CMS).await;
    let status: Value = app
        .get(&format!("/v1/rosters/{id}/status"), CMS)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["state"], "done");
    assert_eq!(status["owner"], "cms");
    assert!(status.get("result").is_none());
}

#[tokio::test]
async fn a_synchronous_solve_answers_with_a_roster_the_check_endpoint_accepts() {
    let app = spawn_app().await;
    let r = app
        .post("/v1/rosters/solve", CMS, &json!({ "problem": week() }))
        .await;
    assert_eq!(r.status(), 200);
    let result: Value = r.json().await.unwrap();
    assert_checker_valid(&result["roster"]);

    let r = app
        .post(
            "/v1/check",
            READER,
            &json!({ "problem": week(), "roster": result["roster"] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["violations"], json!([]));
    assert!(report["meetings_checked"].as_u64().unwrap() > 20);
}

#[tokio::test]
async fn check_lists_every_rule_a_roster_breaks() {
    let app = spawn_app().await;
    let result: Value = app
        .post("/v1/rosters/solve", CMS, &json!({ "problem": week() }))
        .await
        .json()
        .await
        .unwrap();
    let mut roster = result["roster"].clone();
    // The same meeting twice: a case held twice and a mediator in two places at once.
    let first = roster["meetings"][0].clone();
    roster["meetings"].as_array_mut().unwrap().push(first);
    let report: Value = app
        .post(
            "/v1/check",
            READER,
            &json!({ "problem": week(), "roster": roster }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], false);
    let codes: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert!(codes.len() >= 2, "{codes:?}");
}

#[tokio::test]
async fn validate_accepts_the_shipped_week() {
    let app = spawn_app().await;
    let r = app
        .post("/v1/validate", READER, &json!({ "problem": week() }))
        .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["errors"], json!([]));
}

#[tokio::test]
async fn validate_lists_every_error_with_its_pointer_and_hint() {
    let app = spawn_app().await;
    let mut problem = week();
    problem["cases"][0]["la"] = json!("E99999999");
    problem["horizon"]["end"] = json!("2026-12-01");
    let r = app
        .post("/v1/validate", READER, &json!({ "problem": problem }))
        .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["valid"], false);
    let errors = report["errors"].as_array().unwrap();
    let pointers: Vec<&str> = errors
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert!(
        pointers.iter().any(|p| p.starts_with("/problem/cases/0")),
        "{pointers:?}"
    );
    assert!(
        pointers.iter().any(|p| p.starts_with("/problem/horizon")),
        "{pointers:?}"
    );
    assert!(errors.iter().all(
        |e| !e["hint"].as_str().unwrap().is_empty() && !e["code"].as_str().unwrap().is_empty()
    ));
}

#[tokio::test]
async fn the_job_list_is_newest_first_and_paginated() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.submit(CMS, &submission(week())).await);
    }
    let page: Value = app
        .get("/v1/rosters?limit=2", CMS)
        .await
        .json()
        .await
        .unwrap();
    let first: Vec<&str> = page["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(first, vec![ids[2].as_str(), ids[1].as_str()]);
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let page: Value = app
        .get(&format!("/v1/rosters?limit=2&cursor={cursor}"), CMS)
        .await
        .json()
        .await
        .unwrap();
    let second: Vec<&str> = page["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(second, vec![ids[0].as_str()]);
    assert!(page["next_cursor"].is_null());
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_queue_and_jobs() {
    let app = spawn_app().await;
    let id = app.submit(CMS, &submission(week())).await;
    app.wait_finished(&id, CMS).await;
    let r = app.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="POST",route="/v1/rosters",status="202"} 1"#),
        "{text}"
    );
    assert!(text.contains(
        r#"http_request_duration_seconds_bucket{method="GET",route="/v1/rosters/{id}/status""#
    ));
    assert!(text.contains("solve_duration_seconds_count 1"));
    assert!(text.contains("solve_relative_gap_count 1"));
    assert!(text.contains("solve_queue_depth 0"));
    assert!(text.contains(r#"jobs{state="done"} 1"#));
}

#[tokio::test]
async fn the_docs_are_swagger_ui_served_from_the_binary() {
    let app = spawn_app().await;
    let r = app.call(Method::GET, "/docs/", None, None).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Every asset the page loads is served here, not by a CDN.
    for asset in [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-initializer.js",
    ] {
        assert!(html.contains(asset), "{asset} not referenced");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{html}"
        );
        let r = app
            .call(Method::GET, &format!("/docs/{asset}"), None, None)
            .await;
        assert_eq!(r.status(), 200, "{asset}");
    }
    let init = app
        .call(Method::GET, "/docs/swagger-initializer.js", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let r = app.call(Method::GET, "/healthz", None, None).await;
    let id = r.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36);
}

async fn submit_raw(app: &TestApp, key: &str, body: String) -> reqwest::Response {
    app.client
        .post(app.url("/v1/rosters"))
        .bearer_auth(CMS)
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn idempotency_compares_the_json_not_its_bytes() {
    let app = spawn_app().await;
    let body = json!({ "options": { "time_limit_secs": 5, "mip_gap": 0 }, "problem": week() });
    let first = submit_raw(&app, "canon-1", serde_json::to_string(&body).unwrap()).await;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.unwrap();
    // Re-indented.
    let pretty = serde_json::to_string_pretty(&body).unwrap();
    // Keys reordered (top level and inside options), with other spacing.
    let problem = serde_json::to_string(&week()).unwrap();
    let reordered = format!(
        "{{\n  \"problem\" : {problem},\n\t\"options\": {{ \"mip_gap\": 0, \"time_limit_secs\": 5 }} }}"
    );
    for text in [pretty, reordered] {
        let again = submit_raw(&app, "canon-1", text).await;
        assert_eq!(again.status(), 202);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["id"], first["id"], "the same job");
    }
    let list: Value = app.get("/v1/rosters", CMS).await.json().await.unwrap();
    assert_eq!(list["jobs"].as_array().unwrap().len(), 1);
    // Another value under the same key is still a conflict.
    let other = json!({ "options": { "time_limit_secs": 6, "mip_gap": 0 }, "problem": week() });
    let (status, answer) =
        problem_code(submit_raw(&app, "canon-1", serde_json::to_string(&other).unwrap()).await)
            .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("idempotency_key_reused"))
    );
}
