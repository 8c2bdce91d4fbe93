//! The real binary: `serve` starts from environment settings, answers, and exits cleanly
//! on SIGTERM with its jobs kept in the SQLite file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn serve_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"))
        .arg("serve")
        .env("MEDIATION_BIND", "127.0.0.1:0")
        .env("MEDIATION_API_KEYS", format!("cms:{CMS}:read+submit"))
        .env("MEDIATION_DB", &db)
        .env("MEDIATION_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("a listening line").unwrap();
        if let Some(rest) = line.strip_prefix("listening on http://") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let client = reqwest::Client::new();
    let r = client
        .post(format!("http://{addr}/v1/rosters"))
        .bearer_auth(CMS)
        .json(&submission(week()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s: Value = client
            .get(format!("http://{addr}/v1/rosters/{id}/status"))
            .bearer_auth(CMS)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if s["state"] == "done" {
            break;
        }
        assert!(Instant::now() < deadline, "{s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    // The job is in the file for the next run.
    let store = mediation_scheduler::api::SqliteStore::open(&db).unwrap();
    let id = uuid_of(&id);
    let job = mediation_scheduler::api::JobStore::get(&store, id)
        .unwrap()
        .expect("kept");
    assert!(job.result.is_some());
}

fn uuid_of(text: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(text).unwrap()
}

#[test]
fn serve_refuses_to_start_without_keys() {
    let o = Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"))
        .arg("serve")
        .env_remove("MEDIATION_API_KEYS")
        .env_remove("MEDIATION_API_KEYS_FILE")
        .env("MEDIATION_IN_MEMORY", "true")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("MEDIATION_API_KEYS"));
}

#[test]
fn serve_help_documents_the_settings_and_hides_key_values() {
    let o = Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"))
        .args(["serve", "--help"])
        .env("MEDIATION_API_KEYS", "cms:very-secret-value:read")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    for var in [
        "MEDIATION_BIND",
        "MEDIATION_API_KEYS",
        "MEDIATION_MAX_CONCURRENT_SOLVES",
        "MEDIATION_QUEUE_LEN",
        "MEDIATION_DEFAULT_TIME_LIMIT",
        "MEDIATION_MAX_TIME_LIMIT",
        "MEDIATION_BODY_LIMIT",
        "MEDIATION_JOB_RETENTION",
    ] {
        assert!(help.contains(var), "{var} missing from --help");
    }
    assert!(!help.contains("very-secret-value"));
}
