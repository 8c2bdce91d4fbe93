//! The SQLite store: jobs survive a restart, unfinished ones are re-queued, old ones expire.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use mediation_scheduler::api::store::NewJob;
use mediation_scheduler::api::{JobStore, RosterSolver, SqliteStore};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test]
async fn a_job_left_solving_by_a_stopped_service_is_solved_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    // First run: the solve is held, and the service stops without waiting for it.
    let held = Arc::new(GatedSolver::default());
    let mut first_config = config();
    first_config.shutdown_grace = Duration::ZERO;
    let first = spawn_with(
        first_config,
        Arc::new(SqliteStore::open(&db).unwrap()),
        Some(held.clone() as Arc<dyn RosterSolver>),
    )
    .await;
    let id = first.submit(CMS, &submission(week())).await;
    held.wait_started(1).await;
    first.stop().await;

    let second = spawn_with(config(), Arc::new(SqliteStore::open(&db).unwrap()), None).await;
    let job = second.wait_finished(&id, CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_checker_valid(&job["result"]["roster"]);
    held.open(); // let the abandoned thread of the first run end
}

#[tokio::test]
async fn a_finished_job_is_answered_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    let first = spawn_with(config(), Arc::new(SqliteStore::open(&db).unwrap()), None).await;
    let id = first.submit(CMS, &submission(week())).await;
    let before = first.wait_finished(&id, CMS).await;
    first.stop().await;

    let second = spawn_with(config(), Arc::new(SqliteStore::open(&db).unwrap()), None).await;
    let after: Value = second
        .get(&format!("/v1/rosters/{id}"), CMS)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after, before);
}

#[tokio::test]
async fn finished_jobs_expire_after_the_retention_period() {
    let mut config = config();
    config.job_retention = Duration::from_millis(300);
    let app = spawn_with(config, Arc::new(SqliteStore::in_memory().unwrap()), None).await;
    let id = app.submit(CMS, &submission(week())).await;
    app.wait_finished(&id, CMS).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = app.get(&format!("/v1/rosters/{id}/status"), CMS).await;
        if r.status() == 404 {
            break;
        }
        assert!(Instant::now() < deadline, "job never expired");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Solver options as the version before typed job kinds stored them: every field written,
/// the time limit as submitted.
const OLD_OPTIONS: &str = r#"{"backend":"microlp","time_limit_secs":20.0,"mip_gap":0.0,"weights":{"missed_day_30":1000000,"not_held":500000,"late_per_day":1000,"carried_over":300000,"mode_not_preferred":20000,"urgency_per_day":10,"family_km":10,"mediator_km":4,"outside_preference":300,"interpreter":200,"fairness":100,"venue_pound":1,"change":100000},"highs_options":[],"reduced_cost_fixing":true}"#;

/// Stores `request` (the JSON of a job's request) as a queued job of `cms`.
fn store_queued(store: &SqliteStore, request: String) -> String {
    let id = Uuid::new_v4();
    store
        .insert(NewJob {
            id,
            owner: "cms".into(),
            idempotency_key: None,
            body_hash: format!("legacy-{id}"),
            request,
            callback_url: None,
            created_at: Utc::now(),
        })
        .unwrap();
    id.to_string()
}

/// Jobs accepted by the version before typed job kinds, still queued in its database when
/// the service is upgraded: rows of its `StoredRequest` (no `kind`; a what-if job marked
/// `what_if: true` with its document in `problem`, a re-plan with `published` and
/// `changes`). Each is read, run as its kind and solved; its pages work as before.
#[tokio::test]
async fn jobs_stored_by_the_previous_version_are_still_solved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    let store = SqliteStore::open(&db).unwrap();
    let roster = store_queued(
        &store,
        format!(r#"{{"problem":{},"options":{OLD_OPTIONS}}}"#, week()),
    );
    let replan = store_queued(
        &store,
        format!(
            r#"{{"problem":{},"options":{OLD_OPTIONS},"published":{},"changes":{}}}"#,
            week(),
            crate::replan::published()["meetings"],
            crate::replan::illness()
        ),
    );
    let what_if = store_queued(
        &store,
        format!(
            r#"{{"problem":{},"options":{OLD_OPTIONS},"what_if":true}}"#,
            crate::whatif::what_if()
        ),
    );
    drop(store);

    let app = spawn_with(config(), Arc::new(SqliteStore::open(&db).unwrap()), None).await;
    let job = app.wait_finished(&roster, CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_checker_valid(&job["result"]["roster"]);
    assert!(job["result"].get("replan").is_none(), "{job}");
    let page = app
        .get(&format!("/v1/rosters/{roster}/roster.html"), CMS)
        .await;
    assert_eq!(page.status(), 200);

    let job = app.wait_finished(&replan, CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_checker_valid(&job["result"]["roster"]);
    let changes = job["result"]["replan"]["changes"]
        .as_array()
        .expect("changes");
    assert!(
        changes
            .iter()
            .any(|c| c["forced"] == true && c["case"] == "SEN-2026-0481"),
        "{changes:?}"
    );
    let page = app
        .get(&format!("/v1/rosters/{replan}/changes.html"), CMS)
        .await;
    assert_eq!(page.status(), 200);

    let job = app.wait_finished(&what_if, CMS).await;
    assert_eq!(job["state"], "done", "{job}");
    let names: Vec<&str> = job["result"]["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "base");
    assert_eq!(names.len(), 4, "{names:?}");
    let (status, problem) = problem_code(
        app.get(&format!("/v1/rosters/{what_if}/roster.html"), CMS)
            .await,
    )
    .await;
    assert_eq!(
        (status, problem["code"].clone()),
        (409, json!("roster_not_ready"))
    );
}
