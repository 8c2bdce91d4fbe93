//! Where jobs live: the [`JobStore`] trait and the records it keeps, with two stores behind
//! it: [`SqliteStore`] (`sqlite.rs`, the default, so jobs and results survive a restart) and
//! [`MemoryStore`] (`memory.rs`, for tests and throw-away runs). The contract tests at the
//! end of this file run against both.
//!
//! State changes are guarded by the state they start from, so a cancelled job cannot be
//! turned back into a finished one by a solve that returns late.

mod memory;
mod sqlite;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use memory::MemoryStore;
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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("job store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("job store is corrupt: {0}")]
    Corrupt(String),
    #[error("job store lock poisoned")]
    Poisoned,
    /// The file at the store's path is not a job database this build may use.
    #[error("`{path}` {found}")]
    Refused { path: String, found: String },
}

/// Persistence of jobs. Calls are short and synchronous; the API runs them off the async
/// executor.
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
    /// Jobs newest first, of `owner` (all owners when `None`), older than `before` (a seq).
    fn list(
        &self,
        owner: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<JobStatus>, StoreError>;
    /// queued → solving. False if the job is no longer queued (cancelled meanwhile).
    fn start(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// solving → done or failed. False (and nothing stored) if the job is no longer solving.
    fn finish(
        &self,
        id: Uuid,
        state: JobState,
        at: DateTime<Utc>,
        result: Option<&str>,
        failure: Option<&JobFailure>,
    ) -> Result<bool, StoreError>;
    /// queued or solving → cancelled; a finished job is left as it is. The job after.
    fn cancel(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<JobStatus>, StoreError>;
    /// Puts every queued or solving job back to queued (at start) and returns them oldest
    /// first.
    fn requeue_unfinished(&self) -> Result<Vec<Uuid>, StoreError>;
    /// Deletes jobs that finished before `cutoff`; returns how many.
    fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError>;
    /// How many jobs are in each state.
    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError>;
    /// Stores a new read-only link to a job (only the hash of its token).
    fn insert_link(&self, link: &LinkRecord) -> Result<(), StoreError>;
    /// The link whose token hashes to `token_hash`, revoked or not, expired or not.
    fn find_link(&self, token_hash: &str) -> Result<Option<LinkRecord>, StoreError>;
    /// Revokes link `link` of job `job`; false when there is no such link of that job.
    fn revoke_link(&self, job: Uuid, link: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// solving → queued (a solve interrupted by shutdown, to run again at the next start).
    /// False if the job is not solving.
    fn requeue(&self, id: Uuid) -> Result<bool, StoreError>;
    /// Records what became of the job's callback (see [`JobStatus::callback`]).
    fn set_callback_outcome(&self, id: Uuid, outcome: &str) -> Result<(), StoreError>;
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

#[cfg(test)]
mod tests {
    //! The same contract, run against both stores.
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

    fn each_store(test: impl Fn(&dyn JobStore)) {
        test(&MemoryStore::new());
        let dir = tempfile::tempdir().unwrap();
        test(&SqliteStore::open(&dir.path().join("jobs.sqlite")).unwrap());
    }

    #[test]
    fn a_reused_idempotency_key_returns_the_first_job_and_stores_nothing() {
        each_store(|s| {
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
    fn a_cancelled_job_is_neither_started_nor_finished() {
        each_store(|s| {
            let id = new_id(s.insert(job("cms", None, "h")).unwrap());
            assert!(s.start(id, Utc::now()).unwrap());
            let cancelled = s.cancel(id, Utc::now()).unwrap().unwrap();
            assert_eq!(cancelled.state, JobState::Cancelled);
            assert!(!s
                .finish(id, JobState::Done, Utc::now(), Some("{}"), None)
                .unwrap());
            assert!(!s.start(id, Utc::now()).unwrap());
            let record = s.get(id).unwrap().unwrap();
            assert_eq!(record.status.state, JobState::Cancelled);
            assert!(record.result.is_none());
        });
    }

    #[test]
    fn cancelling_a_done_job_keeps_it_done_with_its_result() {
        each_store(|s| {
            let id = new_id(s.insert(job("cms", None, "h")).unwrap());
            s.start(id, Utc::now()).unwrap();
            assert!(s
                .finish(id, JobState::Done, Utc::now(), Some("{\"r\":1}"), None)
                .unwrap());
            assert_eq!(
                s.cancel(id, Utc::now()).unwrap().unwrap().state,
                JobState::Done
            );
            assert_eq!(
                s.get(id).unwrap().unwrap().result.as_deref(),
                Some("{\"r\":1}")
            );
        });
    }

    #[test]
    fn unfinished_jobs_are_requeued_oldest_first() {
        each_store(|s| {
            let a = new_id(s.insert(job("cms", None, "a")).unwrap());
            let b = new_id(s.insert(job("cms", None, "b")).unwrap());
            let c = new_id(s.insert(job("cms", None, "c")).unwrap());
            s.start(a, Utc::now()).unwrap();
            s.start(c, Utc::now()).unwrap();
            s.finish(c, JobState::Done, Utc::now(), Some("{}"), None)
                .unwrap();
            assert_eq!(s.requeue_unfinished().unwrap(), vec![a, b]);
            assert_eq!(s.status(a).unwrap().unwrap().state, JobState::Queued);
            assert_eq!(s.status(c).unwrap().unwrap().state, JobState::Done);
        });
    }

    #[test]
    fn the_list_is_newest_first_per_owner_and_pages_by_seq() {
        each_store(|s| {
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
        each_store(|s| {
            let done = new_id(s.insert(job("cms", None, "a")).unwrap());
            let queued = new_id(s.insert(job("cms", None, "b")).unwrap());
            s.start(done, Utc::now()).unwrap();
            s.finish(done, JobState::Done, Utc::now(), Some("{}"), None)
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
    fn a_solving_job_goes_back_to_queued_and_keeps_its_callback_outcome() {
        each_store(|s| {
            let id = new_id(s.insert(job("cms", None, "h")).unwrap());
            assert!(!s.requeue(id).unwrap(), "not solving yet");
            s.start(id, Utc::now()).unwrap();
            assert!(s.requeue(id).unwrap());
            let status = s.status(id).unwrap().unwrap();
            assert_eq!((status.state, status.started_at), (JobState::Queued, None));
            s.set_callback_outcome(id, "refused: test").unwrap();
            assert_eq!(
                s.status(id).unwrap().unwrap().callback.as_deref(),
                Some("refused: test")
            );
        });
    }
}
