//! Re-planning through `POST /v1/rosters`: published meetings and changes in the body.

use serde_json::{json, Value};

use crate::helpers::{problem_code, spawn_app, week, CMS};

pub fn published() -> Value {
    serde_json::from_str(include_str!(
        "../../fixtures/replan/published-2026-12-07.json"
    ))
    .unwrap()
}

pub fn illness() -> Value {
    serde_json::from_str(include_str!(
        "../../fixtures/replan/illness-2026-12-07.json"
    ))
    .unwrap()
}

#[tokio::test]
async fn a_submission_with_published_meetings_and_an_illness_lists_what_changed() {
    let app = spawn_app().await;
    let body = json!({
        "problem": week(),
        "published": published()["meetings"],
        "changes": illness(),
        "options": { "change_penalty": 100000 }
    });
    let id = app.submit(CMS, &body).await;
    let done = app.wait_finished(&id, CMS).await;
    assert_eq!(done["state"], "done", "{done}");
    let replan = &done["result"]["replan"];
    let changes = replan["changes"].as_array().expect("a list of changes");
    let forced: Vec<&Value> = changes.iter().filter(|c| c["forced"] == true).collect();
    assert_eq!(forced.len(), 1, "{changes:?}");
    assert_eq!(forced[0]["case"], "SEN-2026-0481");
    assert_eq!(forced[0]["rule"], "mediator_available");
    let n = published()["meetings"].as_array().unwrap().len() as u64;
    let moved = changes.iter().filter(|c| c["kind"] != "added").count() as u64;
    assert_eq!(replan["kept"].as_u64().unwrap() + moved, n);
    let meetings = done["result"]["roster"]["meetings"].as_array().unwrap();
    assert!(!meetings
        .iter()
        .any(|m| m["mediator"] == "M022" && m["date"] == "2026-12-07"));
}

#[tokio::test]
async fn a_change_naming_an_unknown_mediator_is_refused_with_its_pointer() {
    let app = spawn_app().await;
    let body = json!({
        "problem": week(),
        "published": published()["meetings"],
        "changes": [{ "kind": "mediator_unavailable", "mediator": "M999", "dates": ["2026-12-08"] }]
    });
    let (status, problem) = problem_code(app.post("/v1/rosters", CMS, &body).await).await;
    assert_eq!(status, 422);
    assert_eq!(problem["code"], "unknown_id", "{problem}");
    assert!(
        problem.to_string().contains("/changes/0/mediator"),
        "{problem}"
    );
    let body = json!({
        "problem": week(),
        "changes": [{ "kind": "mediator_unavailable", "mediator": "M001", "dates": [], "extra": 1 }]
    });
    let (status, _) = problem_code(app.post("/v1/rosters", CMS, &body).await).await;
    assert_eq!(status, 422);
    let body = json!({ "problem": week(), "options": { "change_penalty": -1 } });
    let (status, problem) = problem_code(app.post("/v1/rosters", CMS, &body).await).await;
    assert_eq!(status, 422);
    assert!(
        problem.to_string().contains("/options/change_penalty"),
        "{problem}"
    );
    // Too large to price (a weight of i64::MAX overflowed a candidate's cost): refused by
    // name, every one at once.
    let body = json!({
        "problem": week(),
        "options": { "change_penalty": i64::MAX, "weights": { "family_km": i64::MAX, "fairness": -2 } }
    });
    let (status, problem) = problem_code(app.post("/v1/rosters", CMS, &body).await).await;
    assert_eq!(status, 422, "{problem}");
    let found: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        found,
        [
            "/options/weights/family_km",
            "/options/weights/fairness",
            "/options/change_penalty"
        ],
        "{problem}"
    );
}

#[tokio::test]
async fn every_error_of_a_replan_submission_is_listed_at_once() {
    let app = spawn_app().await;
    let mut meetings = published()["meetings"].clone();
    meetings[2]["mediator"] = json!("M999");
    meetings[5]["session"] = json!("EVENING");
    let body = json!({
        "problem": week(),
        "published": meetings,
        "changes": [
            { "kind": "mediator_unavailable", "mediator": "M998", "dates": ["2026-12-08"] },
            { "kind": "case_withdrawn", "case": "SEN-0000-0000" }
        ],
        "options": { "change_penalty": -1 }
    });
    let (status, problem) = problem_code(app.post("/v1/rosters", CMS, &body).await).await;
    assert_eq!(status, 422, "{problem}");
    // The first error's code, as for a single one.
    assert_eq!(problem["code"], "unknown_id", "{problem}");
    let found: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("/changes/0/mediator", "unknown_id"),
            ("/changes/1/case", "unknown_id"),
            ("/published/2/mediator", "unknown_id"),
            ("/published/5/session", "unknown_id"),
            ("/options/change_penalty", "invalid_option"),
        ],
        "{problem}"
    );
    // Each message names its own place in the body.
    assert!(problem["errors"][1]["message"]
        .as_str()
        .unwrap()
        .starts_with("/changes/1/case"));
}
