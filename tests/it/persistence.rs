//! The SQLite store: jobs survive a restart, unfinished ones are re-queued, old ones expire.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mediation_scheduler::api::{MemoryStore, RosterSolver, SqliteStore};
use serde_json::Value;

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
    let app = spawn_with(config, Arc::new(MemoryStore::new()), None).await;
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
