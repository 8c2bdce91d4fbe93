//! Claim latency under a queue of 200 jobs, on each store: three claimers (three replicas'
//! workers) claim and at once finish jobs until the queue is empty; every claim's wall
//! time is kept, and the medians and 99th percentiles are printed as a table. With
//! PostgreSQL it also counts, from the database, claims made while the previous lease of
//! their job was live (there must be none) and jobs claimed more than once.
//!
//! Run: `cargo bench --bench claims` (SQLite only), or with
//! `MEDIATION_TEST_DATABASE_URL=$(scripts/pg.sh start DIR)` for PostgreSQL too. Not
//! criterion: a percentile of single claims is what is asked for, and criterion reports
//! means of batches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use mediation_scheduler::api::store::{
    fresh_pg_database, Claim, JobState, JobStore, LeaseTerms, NewJob,
};
use mediation_scheduler::api::{PgStore, SqliteStore};
use uuid::Uuid;

const QUEUED: usize = 200;
const CLAIMERS: usize = 3;

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!("| store | claims | p50 | p99 | max | claimed while leased | claimed twice |");
    println!("|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sqlite: Arc<dyn JobStore> =
        Arc::new(SqliteStore::open(&dir.path().join("jobs.sqlite")).expect("an SQLite store"));
    row("SQLite (file)", &sqlite, None, &runtime);
    match std::env::var("MEDIATION_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let (db, store) = runtime.block_on(async {
                let db = fresh_pg_database(&url).await.expect("a fresh database");
                let store = PgStore::connect(&db).await.expect("connected");
                (db, store)
            });
            let store: Arc<dyn JobStore> = Arc::new(store);
            row("PostgreSQL", &store, Some(&db), &runtime);
        }
        _ => eprintln!("PostgreSQL skipped: set MEDIATION_TEST_DATABASE_URL"),
    }
}

fn row(name: &str, store: &Arc<dyn JobStore>, db: Option<&str>, runtime: &tokio::runtime::Runtime) {
    for _ in 0..QUEUED {
        store
            .insert(NewJob {
                id: Uuid::new_v4(),
                owner: "bench".into(),
                idempotency_key: None,
                body_hash: "h".into(),
                request: "{}".into(),
                callback_url: None,
                created_at: Utc::now(),
            })
            .expect("inserted");
    }
    let threads: Vec<_> = (0..CLAIMERS)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || {
                let terms = LeaseTerms {
                    replica: format!("claimer-{i}"),
                    duration: Duration::from_secs(10),
                    max_attempts: 3,
                };
                let mut times = Vec::new();
                loop {
                    let started = Instant::now();
                    let claim = store.claim(&terms).expect("claimed");
                    times.push(started.elapsed());
                    match claim {
                        Claim::Job(c) => {
                            let id = c.record.status.id;
                            store
                                .finish(id, c.token, JobState::Done, Some("{}"), None)
                                .expect("finished");
                        }
                        Claim::Exhausted(_) => {}
                        Claim::Idle => return times,
                    }
                }
            })
        })
        .collect();
    let mut times: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("a claimer"))
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let (leased, twice) = match db {
        Some(url) => runtime.block_on(audit(url)),
        None => ("–".into(), "–".into()),
    };
    println!(
        "| {name} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {leased} | {twice} |",
        times.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Claims made while their job's previous lease was live, and jobs claimed more than once,
/// counted from the `claims` table.
async fn audit(url: &str) -> (String, String) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connected");
    tokio::spawn(connection);
    let leased: i64 = client
        .query_one(
            "SELECT count(*) FROM claims WHERE previous_lease_expires > claimed_at",
            &[],
        )
        .await
        .expect("counted")
        .get(0);
    let twice: i64 = client
        .query_one(
            "SELECT count(*) FROM (SELECT job FROM claims GROUP BY job HAVING count(*) > 1) t",
            &[],
        )
        .await
        .expect("counted")
        .get(0);
    (leased.to_string(), twice.to_string())
}
