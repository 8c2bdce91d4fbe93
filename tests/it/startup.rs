//! Start-up refusals and stops of the real binary: duplicate secrets, a `--db` file that is
//! not a job database, SIGTERM bounded by the grace, and kill -9 losing no job.

use std::time::{Duration, Instant};

use mediation_scheduler::api::store::SCHEMA_VERSION;
use mediation_scheduler::api::{JobStore, SqliteStore};
use serde_json::{json, Value};

use crate::helpers::*;

/// `serve` with `env` must stop at once with exit status 2; its standard error.
fn refused_at_start(env: &[(&str, &str)]) -> String {
    let mut all = vec![
        ("MEDIATION_BIND", "127.0.0.1:0"),
        ("MEDIATION_LOG", "warn"),
        ("MEDIATION_API_KEYS", "cms:a-good-key:read"),
    ];
    all.extend_from_slice(env);
    let o = run_binary(&["serve"], &all);
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    stderr
}

#[test]
fn serve_refuses_one_secret_under_two_names() {
    let stderr = refused_at_start(&[
        (
            "MEDIATION_API_KEYS",
            "a:dup-secret:read,b:dup-secret:read+submit",
        ),
        ("MEDIATION_IN_MEMORY", "true"),
    ]);
    assert!(stderr.contains("same secret"), "{stderr}");
    assert!(stderr.contains("`a`") && stderr.contains("`b`"), "{stderr}");
    assert!(
        !stderr.contains("dup-secret"),
        "the secret is shown: {stderr}"
    );
}

#[test]
fn serve_refuses_an_empty_db_file_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    std::fs::write(&db, b"").unwrap();
    let stderr = refused_at_start(&[("MEDIATION_DB", db.to_str().unwrap())]);
    assert!(stderr.contains(db.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains("empty file (0 bytes)"), "{stderr}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
}

#[test]
fn serve_refuses_a_db_file_that_is_not_its_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    std::fs::write(&db, "name,date\nsmith,2026-01-01\n").unwrap();
    let stderr = refused_at_start(&[("MEDIATION_DB", db.to_str().unwrap())]);
    assert!(stderr.contains(db.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains("not an SQLite database"), "{stderr}");
    // Another program's SQLite database is refused too.
    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT);")
        .unwrap();
    let stderr = refused_at_start(&[("MEDIATION_DB", other.to_str().unwrap())]);
    assert!(stderr.contains("without a `jobs` table"), "{stderr}");
}

#[test]
fn serve_refuses_a_database_of_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    drop(SqliteStore::open(&db).unwrap());
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let stderr = refused_at_start(&[("MEDIATION_DB", db.to_str().unwrap())]);
    assert!(
        stderr.contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
        "{stderr}"
    );
}

#[test]
fn serve_refuses_a_bad_callback_allow_list_entry_naming_the_setting() {
    let stderr = refused_at_start(&[
        ("MEDIATION_IN_MEMORY", "true"),
        ("MEDIATION_CALLBACK_HOSTS", "hooks.example.org,10.0.0.0/33"),
    ]);
    assert!(stderr.contains("MEDIATION_CALLBACK_HOSTS"), "{stderr}");
    assert!(stderr.contains("10.0.0.0/33"), "{stderr}");
}

async fn wait_state(served: &Served, client: &reqwest::Client, id: &str, states: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = served.status(client, id).await;
        if states.iter().any(|st| s["state"] == *st) {
            return;
        }
        assert!(Instant::now() < deadline, "{s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn sigterm_interrupts_running_solves_at_the_end_of_the_grace_and_requeues_them() {
    let generated = run_binary(
        &[
            "generate",
            "--cases",
            "600",
            "--mediators",
            "300",
            "--venues",
            "150",
            "--seed",
            "1",
        ],
        &[],
    );
    assert!(generated.status.success());
    let problem: Value = serde_json::from_slice(&generated.stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    let env = [
        ("MEDIATION_SHUTDOWN_GRACE", "2"),
        ("MEDIATION_MAX_CONCURRENT_SOLVES", "1"),
        ("MEDIATION_BODY_LIMIT", "67108864"),
    ];
    let mut served = start_serve(&db, &env);
    let client = reqwest::Client::new();
    let id = served
        .submit(
            &client,
            &json!({ "problem": problem, "options": { "time_limit_secs": 60 } }),
        )
        .await;
    wait_state(&served, &client, &id, &["solving"]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    served.signal("TERM");
    let signalled = Instant::now();
    let status = served.wait_exit(Duration::from_secs(30));
    let took = signalled.elapsed();
    assert!(
        took <= Duration::from_secs(4),
        "a 2 s grace took {took:?} (allowed: grace + 2 s)"
    );
    assert_eq!(status.code(), Some(0));
    // Put back to queued in the store, not cancelled and without a result.
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    {
        let store = SqliteStore::open(&db).unwrap();
        let job = store.get(uuid).unwrap().expect("kept");
        assert_eq!(job.status.state.as_str(), "queued", "{:?}", job.status);
        assert!(job.result.is_none());
    }
    // And it runs again after a restart.
    let restarted = start_serve(&db, &env);
    wait_state(&restarted, &client, &id, &["queued", "solving"]).await;
    let s = restarted.status(&client, &id).await;
    assert!(s["state"] == "queued" || s["state"] == "solving", "{s}");
}

#[tokio::test]
async fn kill_9_with_ten_queued_and_solving_jobs_loses_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    let env = [("MEDIATION_MAX_CONCURRENT_SOLVES", "1")];
    let mut served = start_serve(&db, &env);
    let client = reqwest::Client::new();
    // Small, but about a second each with a 1 s limit, so that at the kill one is solving
    // and the others wait.
    let generated = run_binary(
        &[
            "generate",
            "--cases",
            "150",
            "--mediators",
            "60",
            "--venues",
            "30",
            "--seed",
            "2",
        ],
        &[],
    );
    assert!(generated.status.success());
    let problem: Value = serde_json::from_slice(&generated.stdout).unwrap();
    let body = json!({ "problem": problem, "options": { "time_limit_secs": 1 } });
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(served.submit(&client, &body).await);
    }
    wait_state(&served, &client, &ids[0], &["solving"]).await;
    let mut unfinished = 0;
    for id in &ids {
        let s = served.status(&client, id).await;
        if s["state"] == "queued" || s["state"] == "solving" {
            unfinished += 1;
        }
    }
    assert!(unfinished >= 9, "only {unfinished} jobs were unfinished");
    served.signal("KILL");
    served.wait_exit(Duration::from_secs(10));

    let restarted = start_serve(&db, &env);
    let deadline = Instant::now() + Duration::from_secs(60);
    for id in &ids {
        loop {
            let s = restarted.status(&client, id).await;
            if s["state"] == "done" {
                break;
            }
            assert!(
                ["queued", "solving"].contains(&s["state"].as_str().unwrap_or("")),
                "{s}"
            );
            assert!(Instant::now() < deadline, "{s}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
