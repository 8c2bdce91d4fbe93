//! Where jobs live: the [`JobStore`] trait and the records it keeps, with two stores behind
//! it: [`SqliteStore`] (`sqlite.rs`, the default: one process, jobs in a file, or in memory
//! for tests and throw-away runs) and [`PgStore`] (`postgres.rs`: several replicas sharing
//! one PostgreSQL database). The contract tests at the end of this file run against both
//! (PostgreSQL when `MEDIATION_TEST_DATABASE_URL` is set).
//!
//! Work is shared by claiming: a worker [`JobStore::claim`]s the oldest claimable job, which
//! makes it `solving` under a lease (the claiming replica, a token, an expiry) that the
//! worker's heartbeat renews. A job whose lease expires (its replica died or stalled) is
//! claimable again; every claim counts an attempt, and a job claimed `max_attempts` times
//! without finishing fails with `attempts_exhausted`. Every later write of a claimed job
//! names the lease token, so a replica that lost its lease cannot store a result.
//!
//! A what-if job fans out: its base and each scenario become child jobs
//! ([`JobStore::fan_out`]), and the parent waits, `solving` without a lease ("parked"),
//! until every child has finished; then it is claimable again, to collect the table.
//!
//! State changes are guarded by the state they start from, so a cancelled job cannot be
//! turned back into a finished one by a solve that returns late.

mod postgres;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use postgres::{PgStore, PG_SCHEMA_VERSION};
pub use sqlite::{SqliteStore, SCHEMA_VERSION};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Solving,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Solving,
        JobState::Done,
        JobState::Failed,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Solving => "solving",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Result<JobState, StoreError> {
        JobState::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown job state `{text}`")))
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Cancelled
        )
    }
}

/// Why a job failed: a stable code and a message without personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JobFailure {
    pub code: String,
    pub message: String,
}

/// The code of a job claimed `max_attempts` times without finishing.
pub const ATTEMPTS_EXHAUSTED: &str = "attempts_exhausted";

/// The message of a job failed with [`ATTEMPTS_EXHAUSTED`] after `attempts` claims.
fn exhausted_message(attempts: i64) -> String {
    format!(
        "the job was started {attempts} times and never finished: each time the service \
         solving it stopped (crashed, was killed or lost the database) before storing a result"
    )
}

/// A parked what-if job (`j`): solving without a lease, waiting for its children.
const PARKED: &str = "(j.state = 'solving' AND j.lease_token IS NULL \
     AND EXISTS (SELECT 1 FROM jobs c WHERE c.parent = j.id))";

/// The jobs (`j`) [`JobStore::claim`] may take, both stores' SQL, `now` being the store's
/// expression for the present time: queued; solving under an expired lease; parked with
/// every child finished.
fn claimable(now: &str) -> String {
    format!(
        "(j.state = 'queued'
          OR (j.state = 'solving' AND j.lease_expires < {now})
          OR ({PARKED} AND NOT EXISTS (SELECT 1 FROM jobs c
              WHERE c.parent = j.id AND c.state IN ('queued', 'solving'))))"
    )
}

/// A job to store.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: Uuid,
    /// The name of the API key that submitted it.
    pub owner: String,
    pub idempotency_key: Option<String>,
    /// SHA-256 (hex) of the request body, to tell a replay from a different request.
    pub body_hash: String,
    /// What the worker needs: `{ "problem", "options" }` as JSON text.
    pub request: String,
    pub callback_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A child job of a what-if job: one scenario (index 0 is the base).
#[derive(Debug, Clone)]
pub struct NewChild {
    pub id: Uuid,
    pub index: u32,
    pub request: String,
}

/// A child job as its parent collects it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRecord {
    pub id: Uuid,
    pub index: u32,
    pub state: JobState,
    pub result: Option<String>,
    pub failure: Option<JobFailure>,
    /// The replica that claimed it last.
    pub claimed_by: Option<String>,
}

/// The columns of a child job, as both stores read them.
type ChildColumns = (
    Uuid,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl ChildRecord {
    /// From `id, scenario, state, result, error_code, error_message, lease_owner`.
    fn from_columns(
        (id, index, state, result, code, message, claimed_by): ChildColumns,
    ) -> Result<ChildRecord, StoreError> {
        Ok(ChildRecord {
            id,
            index: u32::try_from(index)
                .map_err(|_| StoreError::Corrupt(format!("scenario index {index}")))?,
            state: JobState::parse(&state)?,
            result,
            failure: failure_of(code, message),
            claimed_by,
        })
    }
}

/// A stored failure: its code and message columns.
fn failure_of(code: Option<String>, message: Option<String>) -> Option<JobFailure> {
    code.map(|code| JobFailure {
        code,
        message: message.unwrap_or_default(),
    })
}

/// A job without its (possibly large) request and result.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    pub id: Uuid,
    /// Insertion order: the list's order and its page cursor.
    pub seq: i64,
    pub owner: String,
    pub state: JobState,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub callback_url: Option<String>,
    pub failure: Option<JobFailure>,
    /// What became of the job's callback: `delivered`, `refused: <reason>` (the allow-list
    /// or the address check said no at delivery) or `failed: <reason>` (every attempt
    /// failed). `None` while nothing was tried.
    pub callback: Option<String>,
    /// Times the job was claimed (a graceful shutdown gives its attempt back).
    pub attempts: u32,
    /// The what-if job this job is a scenario of.
    pub parent: Option<Uuid>,
}

/// A whole job.
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub status: JobStatus,
    pub body_hash: String,
    pub request: String,
    /// The result document (JSON text) of a job that is done.
    pub result: Option<String>,
}

/// What [`JobStore::insert`] did.
#[derive(Debug, Clone)]
pub enum Inserted {
    New(JobStatus),
    /// The owner already used this idempotency key; nothing was stored.
    Existing {
        status: JobStatus,
        body_hash: String,
    },
}

/// The terms a replica claims under.
#[derive(Debug, Clone)]
pub struct LeaseTerms {
    /// The replica's name, kept with the lease (logs, audits).
    pub replica: String,
    /// How long a claim holds without a heartbeat.
    pub duration: Duration,
    /// Claims a job may have; the next claim fails it with [`ATTEMPTS_EXHAUSTED`].
    pub max_attempts: u32,
}

/// A job claimed by this replica: the whole job and the token its later writes name.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub record: JobRecord,
    pub token: Uuid,
}

/// What [`JobStore::claim`] found.
#[derive(Debug, Clone)]
pub enum Claim {
    Job(Box<Claimed>),
    /// The oldest claimable job had used up its attempts: it is now failed with
    /// [`ATTEMPTS_EXHAUSTED`] (its callback is the caller's to send).
    Exhausted(JobStatus),
    /// Nothing to claim.
    Idle,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("job store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL did not answer (down, unreachable, out of connections): the request may
    /// be tried again.
    #[error("job database unavailable: {0}")]
    Unavailable(String),
    #[error("job database: {0}")]
    Postgres(String),
    #[error("job store is corrupt: {0}")]
    Corrupt(String),
    #[error("job store lock poisoned")]
    Poisoned,
    /// The file at the store's path is not a job database this build may use.
    #[error("`{path}` {found}")]
    Refused { path: String, found: String },
}

/// Persistence of jobs. Calls are short and synchronous; the API runs them off the async
/// executor ([`store_call`]).
pub trait JobStore: Send + Sync + 'static {
    /// Stores a new job as queued, unless its owner already used its idempotency key.
    fn insert(&self, job: NewJob) -> Result<Inserted, StoreError>;
    fn status(&self, id: Uuid) -> Result<Option<JobStatus>, StoreError>;
    /// The job `owner` submitted with idempotency key `key`, and its body hash.
    fn find_idempotent(
        &self,
        owner: &str,
        key: &str,
    ) -> Result<Option<(JobStatus, String)>, StoreError>;
    fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError>;
    /// Submitted jobs (not what-if children) newest first, of `owner` (all owners when
    /// `None`), older than `before` (a seq).
    fn list(
        &self,
        owner: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<JobStatus>, StoreError>;
    /// Claims the oldest claimable job (queued; solving with an expired lease; a parked
    /// what-if job whose children all finished): it becomes solving under a new lease and
    /// its attempts go up by one. A job that already had `max_attempts` claims is failed
    /// instead ([`Claim::Exhausted`]).
    fn claim(&self, terms: &LeaseTerms) -> Result<Claim, StoreError>;
    /// Renews the lease of a claimed job. False when the claim is no longer held: the job
    /// was cancelled, or its lease expired and another claim took it.
    fn heartbeat(&self, id: Uuid, token: Uuid, duration: Duration) -> Result<bool, StoreError>;
    /// solving → done or failed, under the claim `token`. False (and nothing stored) if the
    /// claim is no longer held.
    fn finish(
        &self,
        id: Uuid,
        token: Uuid,
        state: JobState,
        result: Option<&str>,
        failure: Option<&JobFailure>,
    ) -> Result<bool, StoreError>;
    /// Stores the children of a claimed what-if job and parks it (solving, no lease, its
    /// attempts back to 0) until they have all finished. False if the claim is no longer
    /// held (nothing stored).
    fn fan_out(&self, id: Uuid, token: Uuid, children: &[NewChild]) -> Result<bool, StoreError>;
    /// The children of a what-if job, by index.
    fn children(&self, parent: Uuid) -> Result<Vec<ChildRecord>, StoreError>;
    /// queued or solving → cancelled, with the job's children; a finished job is left as it
    /// is. The job after, and whether this call cancelled it (of several cancels racing,
    /// exactly one did: only that one interrupts the solve and sends the callback).
    fn cancel(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<(JobStatus, bool)>, StoreError>;
    /// solving → queued under the claim `token`, giving the attempt back (a solve
    /// interrupted by shutdown). False if the claim is no longer held.
    fn release(&self, id: Uuid, token: Uuid) -> Result<bool, StoreError>;
    /// At start: a store only this process uses puts every job left solving by a previous
    /// run back to queued (its attempt stays counted) and returns them oldest first. A
    /// shared store does nothing: other replicas may be solving them, and an expired lease
    /// makes a job claimable again.
    fn recover(&self) -> Result<Vec<Uuid>, StoreError>;
    /// Submitted jobs (not what-if children) waiting to be claimed.
    fn queue_depth(&self) -> Result<usize, StoreError>;
    /// Deletes jobs that finished before `cutoff` (with their children); returns how many.
    fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError>;
    /// How many jobs (children included) are in each state.
    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError>;
    /// Stores a new read-only link to a job (only the hash of its token).
    fn insert_link(&self, link: &LinkRecord) -> Result<(), StoreError>;
    /// The link whose token hashes to `token_hash`, revoked or not, expired or not.
    fn find_link(&self, token_hash: &str) -> Result<Option<LinkRecord>, StoreError>;
    /// Revokes link `link` of job `job`; false when there is no such link of that job.
    fn revoke_link(&self, job: Uuid, link: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Records what became of the job's callback (see [`JobStatus::callback`]).
    fn set_callback_outcome(&self, id: Uuid, outcome: &str) -> Result<(), StoreError>;
    /// Has `wake` notified whenever another process adds claimable work (a shared store
    /// listens for it; a store only this process uses has nothing to do: this process's
    /// own submissions wake its workers).
    fn watch(&self, wake: Arc<tokio::sync::Notify>) {
        let _ = wake;
    }
}

/// A read-only link to one job's page and calendars.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRecord {
    pub id: Uuid,
    pub job: Uuid,
    /// SHA-256 of the token, hex; the token itself is never stored.
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl LinkRecord {
    /// Whether the link still grants access at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// Runs a store call on a blocking thread (the stores are synchronous; the API is not).
pub async fn store_call<T, F>(store: &Arc<dyn JobStore>, f: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&dyn JobStore) -> Result<T, StoreError> + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .unwrap_or_else(|_| Err(StoreError::Poisoned))
}

/// A new, empty, migrated database on the PostgreSQL server of `url` (its user must be
/// allowed to create databases), for tests and benchmarks: the new database's URL.
pub async fn fresh_pg_database(url: &str) -> Result<String, StoreError> {
    postgres::fresh_database(url).await
}

/// The PostgreSQL server tests use: `MEDIATION_TEST_DATABASE_URL`. Unset, the caller skips
/// its PostgreSQL half with a message saying so, unless `CI=true`, where a missing server
/// fails the test; with `MEDIATION_EXTERNAL_TESTS=off` (a step that ran them already) it
/// is skipped quietly.
pub fn test_database_url(test: &str) -> Option<String> {
    let external_off = std::env::var("MEDIATION_EXTERNAL_TESTS").as_deref() == Ok("off");
    match std::env::var("MEDIATION_TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if external_off => None,
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{test}: MEDIATION_TEST_DATABASE_URL is unset, and CI=true needs PostgreSQL")
        }
        _ => {
            eprintln!(
                "{test}: PostgreSQL half skipped: set MEDIATION_TEST_DATABASE_URL to a server \
                 where tests may create databases (scripts/pg.sh start DIR prints one)"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    //! The same contract, run against both stores: SQLite (in memory and in a file) and,
    //! when `MEDIATION_TEST_DATABASE_URL` is set, PostgreSQL.
    use super::*;

    fn job(owner: &str, key: Option<&str>, hash: &str) -> NewJob {
        NewJob {
            id: Uuid::new_v4(),
            owner: owner.into(),
            idempotency_key: key.map(str::to_string),
            body_hash: hash.into(),
            request: "{}".into(),
            callback_url: None,
            created_at: Utc::now(),
        }
    }

    fn new_id(inserted: Inserted) -> Uuid {
        match inserted {
            Inserted::New(s) => s.id,
            Inserted::Existing { .. } => panic!("expected a new job"),
        }
    }

    fn terms(replica: &str, lease: Duration) -> LeaseTerms {
        LeaseTerms {
            replica: replica.into(),
            duration: lease,
            max_attempts: 3,
        }
    }

    const LONG: Duration = Duration::from_secs(60);

    /// Claims the next job: its id and token.
    fn claim(s: &dyn JobStore) -> (Uuid, Uuid) {
        match s.claim(&terms("r1", LONG)).unwrap() {
            Claim::Job(c) => (c.record.status.id, c.token),
            other => panic!("expected a job to claim, got {other:?}"),
        }
    }

    fn each_store(name: &str, test: impl Fn(&dyn JobStore)) {
        test(&SqliteStore::in_memory().unwrap());
        let dir = tempfile::tempdir().unwrap();
        test(&SqliteStore::open(&dir.path().join("jobs.sqlite")).unwrap());
        if let Some(url) = test_database_url(name) {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let store = runtime.block_on(async {
                let db = fresh_pg_database(&url).await.unwrap();
                PgStore::connect(&db).await.unwrap()
            });
            test(&store);
        }
    }

    #[test]
    fn a_reused_idempotency_key_returns_the_first_job_and_stores_nothing() {
        each_store("idempotency", |s| {
            let first = new_id(s.insert(job("cms", Some("k"), "h1")).unwrap());
            match s.insert(job("cms", Some("k"), "h2")).unwrap() {
                Inserted::Existing { status, body_hash } => {
                    assert_eq!((status.id, body_hash.as_str()), (first, "h1"));
                }
                Inserted::New(_) => panic!("a second job for one key"),
            }
            // Another owner's key is another key.
            new_id(s.insert(job("other", Some("k"), "h1")).unwrap());
            assert_eq!(s.list(None, None, 10).unwrap().len(), 2);
        });
    }

    #[test]
    fn a_cancelled_job_is_neither_claimed_nor_finished() {
        each_store("cancel", |s| {
            let id = new_id(s.insert(job("cms", None, "h")).unwrap());
            let (claimed, token) = claim(s);
            assert_eq!(claimed, id);
            let (cancelled, by_this_call) = s.cancel(id, Utc::now()).unwrap().unwrap();
            assert_eq!((cancelled.state, by_this_call), (JobState::Cancelled, true));
            let (again, by_this_call) = s.cancel(id, Utc::now()).unwrap().unwrap();
            assert_eq!((again.state, by_this_call), (JobState::Cancelled, false));
            assert!(!s.heartbeat(id, token, LONG).unwrap(), "the claim is lost");
            assert!(!s
                .finish(id, token, JobState::Done, Some("{}"), None)
                .unwrap());
            assert!(matches!(s.claim(&terms("r1", LONG)).unwrap(), Claim::Idle));
            let record = s.get(id).unwrap().unwrap();
            assert_eq!(record.status.state, JobState::Cancelled);
            assert!(record.result.is_none());
        });
    }

    #[test]
    fn cancelling_a_done_job_keeps_it_done_with_its_result() {
        each_store("cancel_done", |s| {
            let id = new_id(s.insert(job("cms", None, "h")).unwrap());
            let (_, token) = claim(s);
            assert!(s
                .finish(id, token, JobState::Done, Some("{\"r\":1}"), None)
                .unwrap());
            assert_eq!(
                s.cancel(id, Utc::now()).unwrap().unwrap(),
                (s.status(id).unwrap().unwrap(), false)
            );
            assert_eq!(s.status(id).unwrap().unwrap().state, JobState::Done);
            assert_eq!(
                s.get(id).unwrap().unwrap().result.as_deref(),
                Some("{\"r\":1}")
            );
        });
    }

    #[test]
    fn jobs_are_claimed_oldest_first_and_once_while_the_lease_lives() {
        each_store("claim_order", |s| {
            let a = new_id(s.insert(job("cms", None, "a")).unwrap());
            let b = new_id(s.insert(job("cms", None, "b")).unwrap());
            assert_eq!(s.queue_depth().unwrap(), 2);
            let (first, _) = claim(s);
            let (second, _) = claim(s);
            assert_eq!((first, second), (a, b));
            assert!(matches!(s.claim(&terms("r2", LONG)).unwrap(), Claim::Idle));
            assert_eq!(s.queue_depth().unwrap(), 0);
            let status = s.status(a).unwrap().unwrap();
            assert_eq!((status.state, status.attempts), (JobState::Solving, 1));
        });
    }

    #[test]
    fn an_expired_lease_lets_another_replica_claim_and_the_first_cannot_finish() {
        each_store("lease", |s| {
            let id = new_id(s.insert(job("cms", None, "a")).unwrap());
            let first = match s.claim(&terms("r1", Duration::from_millis(200))).unwrap() {
                Claim::Job(c) => c.token,
                other => panic!("{other:?}"),
            };
            assert!(s.heartbeat(id, first, Duration::from_millis(200)).unwrap());
            assert!(matches!(s.claim(&terms("r2", LONG)).unwrap(), Claim::Idle));
            std::thread::sleep(Duration::from_millis(400));
            let second = match s.claim(&terms("r2", LONG)).unwrap() {
                Claim::Job(c) => {
                    assert_eq!(c.record.status.attempts, 2);
                    c.token
                }
                other => panic!("{other:?}"),
            };
            assert!(!s.heartbeat(id, first, LONG).unwrap());
            assert!(!s
                .finish(id, first, JobState::Done, Some("1"), None)
                .unwrap());
            assert!(s
                .finish(id, second, JobState::Done, Some("2"), None)
                .unwrap());
            assert_eq!(s.get(id).unwrap().unwrap().result.as_deref(), Some("2"));
        });
    }

    #[test]
    fn the_claim_after_the_last_attempt_fails_the_job() {
        each_store("attempts", |s| {
            let id = new_id(s.insert(job("cms", None, "a")).unwrap());
            let short = LeaseTerms {
                max_attempts: 2,
                ..terms("r1", Duration::from_millis(1))
            };
            for attempt in 1..=2 {
                std::thread::sleep(Duration::from_millis(20));
                match s.claim(&short).unwrap() {
                    Claim::Job(c) => assert_eq!(c.record.status.attempts, attempt),
                    other => panic!("{other:?}"),
                }
            }
            std::thread::sleep(Duration::from_millis(20));
            match s.claim(&short).unwrap() {
                Claim::Exhausted(status) => {
                    assert_eq!(status.id, id);
                    assert_eq!(status.state, JobState::Failed);
                    assert_eq!(status.failure.unwrap().code, ATTEMPTS_EXHAUSTED);
                }
                other => panic!("{other:?}"),
            }
            assert!(matches!(s.claim(&short).unwrap(), Claim::Idle));
        });
    }

    #[test]
    fn a_released_job_is_queued_again_with_its_attempt_given_back() {
        each_store("release", |s| {
            let id = new_id(s.insert(job("cms", None, "h")).unwrap());
            let (_, token) = claim(s);
            assert!(s.release(id, token).unwrap());
            assert!(!s.release(id, token).unwrap(), "no longer held");
            let status = s.status(id).unwrap().unwrap();
            assert_eq!(
                (status.state, status.started_at, status.attempts),
                (JobState::Queued, None, 0)
            );
            s.set_callback_outcome(id, "refused: test").unwrap();
            assert_eq!(
                s.status(id).unwrap().unwrap().callback.as_deref(),
                Some("refused: test")
            );
        });
    }

    #[test]
    fn a_what_if_job_waits_for_its_children_then_is_claimed_to_collect_them() {
        each_store("fan_out", |s| {
            let parent = new_id(s.insert(job("cms", None, "w")).unwrap());
            let (_, token) = claim(s);
            let children: Vec<NewChild> = (0..3)
                .map(|index| NewChild {
                    id: Uuid::new_v4(),
                    index,
                    request: format!("{{\"scenario\":{index}}}"),
                })
                .collect();
            assert!(s.fan_out(parent, token, &children).unwrap());
            assert!(!s.fan_out(parent, token, &children).unwrap(), "parked");
            assert_eq!(s.status(parent).unwrap().unwrap().state, JobState::Solving);
            // Children are not listed, not counted as queued submissions, claimed in order.
            assert_eq!(s.list(Some("cms"), None, 10).unwrap().len(), 1);
            assert_eq!(s.queue_depth().unwrap(), 0);
            let mut tokens = Vec::new();
            for child in &children {
                let (id, token) = claim(s);
                assert_eq!(id, child.id);
                assert_eq!(s.status(id).unwrap().unwrap().parent, Some(parent));
                tokens.push(token);
            }
            assert!(matches!(s.claim(&terms("r1", LONG)).unwrap(), Claim::Idle));
            for (child, token) in children.iter().zip(&tokens).take(2) {
                s.finish(child.id, *token, JobState::Done, Some("{}"), None)
                    .unwrap();
            }
            assert!(
                matches!(s.claim(&terms("r1", LONG)).unwrap(), Claim::Idle),
                "one child still solving"
            );
            let failure = JobFailure {
                code: "solve_failed".into(),
                message: "m".into(),
            };
            s.finish(
                children[2].id,
                tokens[2],
                JobState::Failed,
                None,
                Some(&failure),
            )
            .unwrap();
            let (collected, _) = claim(s);
            assert_eq!(collected, parent);
            let found = s.children(parent).unwrap();
            assert_eq!(
                found.iter().map(|c| (c.index, c.state)).collect::<Vec<_>>(),
                vec![
                    (0, JobState::Done),
                    (1, JobState::Done),
                    (2, JobState::Failed)
                ]
            );
            assert_eq!(found[2].failure.as_ref(), Some(&failure));
            assert_eq!(found[0].claimed_by.as_deref(), Some("r1"));
        });
    }

    #[test]
    fn cancelling_a_what_if_job_cancels_its_children() {
        each_store("cancel_children", |s| {
            let parent = new_id(s.insert(job("cms", None, "w")).unwrap());
            let (_, token) = claim(s);
            let child = NewChild {
                id: Uuid::new_v4(),
                index: 0,
                request: "{}".into(),
            };
            assert!(s
                .fan_out(parent, token, std::slice::from_ref(&child))
                .unwrap());
            s.cancel(parent, Utc::now()).unwrap();
            assert_eq!(
                s.status(child.id).unwrap().unwrap().state,
                JobState::Cancelled
            );
            assert!(matches!(s.claim(&terms("r1", LONG)).unwrap(), Claim::Idle));
        });
    }

    #[test]
    fn the_list_is_newest_first_per_owner_and_pages_by_seq() {
        each_store("list", |s| {
            let a = new_id(s.insert(job("cms", None, "a")).unwrap());
            new_id(s.insert(job("other", None, "x")).unwrap());
            let b = new_id(s.insert(job("cms", None, "b")).unwrap());
            let page = s.list(Some("cms"), None, 1).unwrap();
            assert_eq!(page.iter().map(|j| j.id).collect::<Vec<_>>(), vec![b]);
            let next = s.list(Some("cms"), Some(page[0].seq), 10).unwrap();
            assert_eq!(next.iter().map(|j| j.id).collect::<Vec<_>>(), vec![a]);
        });
    }

    #[test]
    fn only_finished_jobs_past_the_cutoff_expire() {
        each_store("expire", |s| {
            let done = new_id(s.insert(job("cms", None, "a")).unwrap());
            let queued = new_id(s.insert(job("cms", None, "b")).unwrap());
            let (_, token) = claim(s);
            s.finish(done, token, JobState::Done, Some("{}"), None)
                .unwrap();
            let later = Utc::now() + chrono::Duration::seconds(1);
            assert_eq!(s.expire(later).unwrap(), 1);
            assert!(s.status(done).unwrap().is_none());
            assert!(s.status(queued).unwrap().is_some());
            let counts = s.count_by_state().unwrap();
            assert!(counts.contains(&(JobState::Queued, 1)));
            assert!(counts.contains(&(JobState::Done, 0)));
        });
    }

    #[test]
    fn links_are_found_by_token_hash_and_revoked_once() {
        each_store("links", |s| {
            let id = new_id(s.insert(job("cms", None, "a")).unwrap());
            let now = Utc::now();
            let link = LinkRecord {
                id: Uuid::new_v4(),
                job: id,
                token_hash: "abc".into(),
                created_at: now,
                expires_at: now + chrono::Duration::days(1),
                revoked_at: None,
            };
            s.insert_link(&link).unwrap();
            let found = s.find_link("abc").unwrap().unwrap();
            assert!(found.is_live(now));
            assert!(s.revoke_link(id, link.id, now).unwrap());
            assert!(!s.revoke_link(Uuid::new_v4(), link.id, now).unwrap());
            assert!(!s.find_link("abc").unwrap().unwrap().is_live(now));
            assert!(s.find_link("nope").unwrap().is_none());
        });
    }
}
