//! `POST /v1/what-if`: scenarios solved in the background, side by side with the base.

use serde_json::{json, Value};

use crate::helpers::{problem_code, spawn_app, week, CMS};

/// The shipped what-if file's first three scenarios, with the base inline.
pub fn what_if() -> Value {
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

/// The pointer and code of every error of a problem+json answer.
fn pointers_and_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .expect("an errors array")
        .iter()
        .map(|e| {
            assert!(!e["message"].as_str().unwrap().is_empty(), "{e}");
            assert!(!e["hint"].as_str().unwrap().is_empty(), "{e}");
            (
                e["pointer"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_error_of_a_what_if_submission_is_listed_at_once() {
    let app = spawn_app().await;
    let mut doc = what_if();
    doc["scenarios"][0]["name"] = json!("base");
    doc["scenarios"][1]["changes"] = json!([{ "kind": "remove_mediator", "id": "M999" }]);
    doc["scenarios"][2]["changes"] = json!([
        { "kind": "venue_closed", "venue": "V999", "dates": ["2026-12-08"] }
    ]);
    let body = json!({ "what_if": doc, "options": { "mip_gap": 2 } });
    let (status, problem) = problem_code(app.post("/v1/what-if", CMS, &body).await).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_what_if")),
        "{problem}"
    );
    let found = pointers_and_codes(&problem);
    for (pointer, code) in [
        ("/what_if/scenarios/0/name", "E3105"),
        ("/what_if/scenarios/1/changes/0/id", "E3001"),
        ("/what_if/scenarios/2/changes/0/venue", "E3003"),
        ("/options/mip_gap", "invalid_option"),
    ] {
        assert!(
            found.contains(&(pointer.to_string(), code.to_string())),
            "{pointer} {code} missing from {found:?}"
        );
    }
    assert_eq!(found.len(), 4, "{found:?}");

    // An invalid base lists each of its errors, and the scenarios' changes are still
    // checked.
    let mut doc = what_if();
    doc["base"]["cases"][0]["la"] = json!("E99999999");
    doc["base"]["mediators"][0]["max_sessions_per_week"] = json!(0);
    doc["scenarios"][1]["changes"] = json!([{ "kind": "remove_mediator", "id": "M999" }]);
    let (status, problem) = problem_code(
        app.post("/v1/what-if", CMS, &json!({ "what_if": doc }))
            .await,
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_what_if")),
        "{problem}"
    );
    let found = pointers_and_codes(&problem);
    assert!(
        found
            .iter()
            .filter(|(p, _)| p.starts_with("/what_if/base/"))
            .count()
            >= 2,
        "{found:?}"
    );
    assert!(found
        .iter()
        .any(|(p, _)| p.starts_with("/what_if/base/cases/0")));
    assert!(found.contains(&(
        "/what_if/scenarios/1/changes/0/id".to_string(),
        "E3001".to_string()
    )));
    // Nothing was queued.
    let list: Value = app.get("/v1/rosters", CMS).await.json().await.unwrap();
    assert_eq!(list["jobs"], json!([]));
}

/// Each scenario is a child job: one that fails (here, over the memory budget) fails its
/// own row, with its code, and the others are solved as usual.
#[tokio::test]
async fn a_scenario_that_fails_fails_its_row_only() {
    let mut doc = what_if();
    let all: Value =
        serde_json::from_str(include_str!("../../fixtures/what-if-2026-12-07.json")).unwrap();
    let two_weeks = all["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "two-weeks")
        .unwrap()
        .clone();
    doc["scenarios"] = json!([doc["scenarios"][0].clone(), two_weeks]);
    // The week lists about 1,600 candidates; two weeks at once about twice that.
    let config = mediation_scheduler::api::Config {
        max_candidates: Some(2_500),
        ..crate::helpers::config()
    };
    let app = crate::helpers::spawn_with(
        config,
        std::sync::Arc::new(mediation_scheduler::api::SqliteStore::in_memory().unwrap()),
        None,
    )
    .await;
    let r = app
        .post("/v1/what-if", CMS, &json!({ "what_if": doc }))
        .await;
    assert_eq!(r.status(), 202);
    let job: Value = r.json().await.unwrap();
    let done = app.wait_finished(job["id"].as_str().unwrap(), CMS).await;
    assert_eq!(done["state"], "done", "{done}");
    let rows = done["result"]["scenarios"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["name"], "base");
    assert_eq!(rows[0]["solver"]["status"], "optimal");
    assert_eq!(rows[1]["name"], "herts-mediator");
    assert_eq!(rows[1]["solver"]["status"], "optimal");
    assert_eq!(rows[2]["name"], "two-weeks");
    assert_eq!(
        rows[2]["failed"]["code"], "problem_too_large",
        "{}",
        rows[2]
    );
    assert!(rows[2].get("roster").is_none());
}
