//! Two services on one PostgreSQL database (when `MEDIATION_TEST_DATABASE_URL` is set), in
//! this process: an idle replica claims a job submitted to another at once, woken by the
//! database's announcement, not by its poll. (A cancel across replicas is tested with real
//! processes in `replicas.rs`.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use mediation_scheduler::api::store::{fresh_pg_database, test_database_url};
use mediation_scheduler::api::{Config, JobStore, PgStore, RosterSolver};

use crate::helpers::{config, spawn_with, submission, week, GatedSolver, TestApp, CMS};

async fn replica(db: &str, name: &str, config: Config, solver: Arc<GatedSolver>) -> TestApp {
    let store: Arc<dyn JobStore> = Arc::new(PgStore::connect(db).await.unwrap());
    let config = Config {
        replica_id: name.into(),
        max_concurrent_solves: 1,
        ..config
    };
    spawn_with(config, store, Some(solver as Arc<dyn RosterSolver>)).await
}

async fn submit(app: &TestApp) -> String {
    app.submit(CMS, &submission(week())).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_replica_is_woken_by_the_announcement_not_its_poll() {
    let Some(url) = test_database_url("wake::an_idle_replica_is_woken") else {
        return;
    };
    let db = fresh_pg_database(&url).await.unwrap();
    // A claims the first job and holds it: its only slot is taken.
    let held_a = Arc::new(GatedSolver::default());
    let a = replica(&db, "a", config(), held_a.clone()).await;
    let first = submit(&a).await;
    held_a.wait_started(1).await;
    // B starts with an empty queue and would look again only after a minute, unless woken.
    let held_b = Arc::new(GatedSolver::default());
    let b_config = Config {
        poll_interval: Duration::from_secs(60),
        ..config()
    };
    let b = replica(&db, "b", b_config, held_b.clone()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Submitted to A, which cannot take it: only B can, and only if the announcement
    // woke it.
    let submitted = Instant::now();
    let second = submit(&a).await;
    held_b.wait_started(1).await;
    let waited = submitted.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "claimed after {waited:?}: the idle replica was not woken"
    );
    held_a.open();
    held_b.open();
    for id in [first, second] {
        assert_eq!(a.wait_finished(&id, CMS).await["state"], "done");
    }
    a.stop().await;
    b.stop().await;
}
