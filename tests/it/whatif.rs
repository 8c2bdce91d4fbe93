//! `POST /v1/what-if`: scenarios solved in the background, side by side with the base.

use serde_json::{json, Value};

use crate::helpers::{problem_code, spawn_app, week, CMS};

/// The shipped what-if file's first two scenarios, with the base inline.
fn what_if() -> Value {
    let mut doc: Value =
        serde_json::from_str(include_str!("../../fixtures/what-if-2026-12-07.json")).unwrap();
    doc["base"] = week();
    let scenarios = doc["scenarios"].as_array().unwrap()[..3].to_vec();
    doc["scenarios"] = Value::Array(scenarios);
    doc
}

#[tokio::test]
async fn what_if_scenarios_are_solved_as_a_job_with_the_base_first() {
    let app = spawn_app().await;
    let r = app
        .post("/v1/what-if", CMS, &json!({ "what_if": what_if() }))
        .await;
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job: Value = r.json().await.unwrap();
    let id = job["id"].as_str().unwrap();
    assert_eq!(location, format!("/v1/rosters/{id}"));
    let done = app.wait_finished(id, CMS).await;
    assert_eq!(done["state"], "done", "{done}");
    let scenarios = done["result"]["scenarios"].as_array().expect("scenarios");
    let names: Vec<&str> = scenarios
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
    // M012 leaves in the third scenario: it holds no meeting there.
    let leaves = &scenarios[3];
    assert!(!leaves["roster"]["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["mediator"] == "M012"));
    assert!(scenarios.iter().all(|s| s["solver"]["status"] == "optimal"));
}

#[tokio::test]
async fn a_bad_change_is_refused_with_its_pointer_and_a_file_base_is_refused() {
    let app = spawn_app().await;
    let mut doc = what_if();
    doc["scenarios"][1]["changes"] = json!([{ "kind": "remove_mediator", "id": "M999" }]);
    let (status, problem) = problem_code(
        app.post("/v1/what-if", CMS, &json!({ "what_if": doc }))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        problem
            .to_string()
            .contains("/what_if/scenarios/1/changes/0"),
        "{problem}"
    );
    let mut doc = what_if();
    doc["base"] = json!("week-2026-12-07.json");
    let (status, problem) = problem_code(
        app.post("/v1/what-if", CMS, &json!({ "what_if": doc }))
            .await,
    )
    .await;
    assert_eq!(status, 422, "{problem}");
}
