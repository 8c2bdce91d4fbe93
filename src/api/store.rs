//! Where jobs live: the [`JobStore`] trait, an embedded SQLite store (the default, so jobs
//! and results survive a restart) and an in-memory store for tests.
//!
//! State changes are guarded by the state they start from, so a cancelled job cannot be
//! turned back into a finished one by a solve that returns late.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_micros(m: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(m)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {m} out of range")))
}

// ---------------------------------------------------------------------------------------
// In memory
// ---------------------------------------------------------------------------------------

/// Jobs in a vector behind a mutex: for tests and throw-away runs.
#[derive(Debug, Default)]
pub struct MemoryStore {
    jobs: Mutex<Vec<MemoryRow>>,
    links: Mutex<Vec<LinkRecord>>,
}

#[derive(Debug)]
struct MemoryRow {
    record: JobRecord,
    idempotency_key: Option<String>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn links_lock(&self) -> Result<MutexGuard<'_, Vec<LinkRecord>>, StoreError> {
        self.links.lock().map_err(|_| StoreError::Poisoned)
    }

    fn lock(&self) -> Result<MutexGuard<'_, Vec<MemoryRow>>, StoreError> {
        self.jobs.lock().map_err(|_| StoreError::Poisoned)
    }
}

fn find_mut(jobs: &mut [MemoryRow], id: Uuid) -> Option<&mut JobStatus> {
    jobs.iter_mut()
        .find(|j| j.record.status.id == id)
        .map(|j| &mut j.record.status)
}

impl JobStore for MemoryStore {
    fn insert(&self, job: NewJob) -> Result<Inserted, StoreError> {
        let mut jobs = self.lock()?;
        if let Some(key) = &job.idempotency_key {
            let same = jobs.iter().find(|j| {
                j.record.status.owner == job.owner && j.idempotency_key.as_ref() == Some(key)
            });
            if let Some(existing) = same {
                return Ok(Inserted::Existing {
                    status: existing.record.status.clone(),
                    body_hash: existing.record.body_hash.clone(),
                });
            }
        }
        let seq = jobs.last().map_or(1, |j| j.record.status.seq + 1);
        let status = JobStatus {
            id: job.id,
            seq,
            owner: job.owner,
            state: JobState::Queued,
            created_at: job.created_at,
            started_at: None,
            finished_at: None,
            callback_url: job.callback_url,
            failure: None,
            callback: None,
        };
        jobs.push(MemoryRow {
            record: JobRecord {
                status: status.clone(),
                body_hash: job.body_hash,
                request: job.request,
                result: None,
            },
            idempotency_key: job.idempotency_key,
        });
        Ok(Inserted::New(status))
    }

    fn status(&self, id: Uuid) -> Result<Option<JobStatus>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .find(|j| j.record.status.id == id)
            .map(|j| j.record.status.clone()))
    }

    fn find_idempotent(
        &self,
        owner: &str,
        key: &str,
    ) -> Result<Option<(JobStatus, String)>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .find(|j| j.record.status.owner == owner && j.idempotency_key.as_deref() == Some(key))
            .map(|j| (j.record.status.clone(), j.record.body_hash.clone())))
    }

    fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .find(|j| j.record.status.id == id)
            .map(|j| j.record.clone()))
    }

    fn list(
        &self,
        owner: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<JobStatus>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .rev()
            .map(|j| &j.record.status)
            .filter(|s| owner.is_none_or(|o| s.owner == o))
            .filter(|s| before.is_none_or(|b| s.seq < b))
            .take(limit)
            .cloned()
            .collect())
    }

    fn start(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut jobs = self.lock()?;
        match find_mut(&mut jobs, id) {
            Some(s) if s.state == JobState::Queued => {
                s.state = JobState::Solving;
                s.started_at = Some(at);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn finish(
        &self,
        id: Uuid,
        state: JobState,
        at: DateTime<Utc>,
        result: Option<&str>,
        failure: Option<&JobFailure>,
    ) -> Result<bool, StoreError> {
        let mut jobs = self.lock()?;
        match jobs.iter_mut().find(|j| j.record.status.id == id) {
            Some(j) if j.record.status.state == JobState::Solving => {
                j.record.status.state = state;
                j.record.status.finished_at = Some(at);
                j.record.status.failure = failure.cloned();
                j.record.result = result.map(str::to_string);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn cancel(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<JobStatus>, StoreError> {
        let mut jobs = self.lock()?;
        let Some(s) = find_mut(&mut jobs, id) else {
            return Ok(None);
        };
        if !s.state.is_finished() {
            s.state = JobState::Cancelled;
            s.finished_at = Some(at);
        }
        Ok(Some(s.clone()))
    }

    fn requeue_unfinished(&self) -> Result<Vec<Uuid>, StoreError> {
        let mut jobs = self.lock()?;
        let mut ids = Vec::new();
        for j in jobs.iter_mut() {
            let s = &mut j.record.status;
            if !s.state.is_finished() {
                s.state = JobState::Queued;
                s.started_at = None;
                ids.push(s.id);
            }
        }
        Ok(ids)
    }

    fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut jobs = self.lock()?;
        let before = jobs.len();
        jobs.retain(|j| j.record.status.finished_at.is_none_or(|f| f >= cutoff));
        let removed = before - jobs.len();
        let alive: std::collections::HashSet<Uuid> =
            jobs.iter().map(|j| j.record.status.id).collect();
        drop(jobs);
        self.links_lock()?.retain(|l| alive.contains(&l.job));
        Ok(removed)
    }

    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
        let jobs = self.lock()?;
        Ok(JobState::ALL
            .into_iter()
            .map(|s| {
                let n = jobs.iter().filter(|j| j.record.status.state == s).count();
                (s, n as u64)
            })
            .collect())
    }

    fn insert_link(&self, link: &LinkRecord) -> Result<(), StoreError> {
        self.links_lock()?.push(link.clone());
        Ok(())
    }

    fn find_link(&self, token_hash: &str) -> Result<Option<LinkRecord>, StoreError> {
        Ok(self
            .links_lock()?
            .iter()
            .find(|l| l.token_hash == token_hash)
            .cloned())
    }

    fn requeue(&self, id: Uuid) -> Result<bool, StoreError> {
        let mut jobs = self.lock()?;
        match find_mut(&mut jobs, id) {
            Some(s) if s.state == JobState::Solving => {
                s.state = JobState::Queued;
                s.started_at = None;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn set_callback_outcome(&self, id: Uuid, outcome: &str) -> Result<(), StoreError> {
        if let Some(s) = find_mut(&mut self.lock()?, id) {
            s.callback = Some(outcome.to_string());
        }
        Ok(())
    }

    fn revoke_link(&self, job: Uuid, link: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut links = self.links_lock()?;
        match links.iter_mut().find(|l| l.id == link && l.job == job) {
            Some(l) => {
                l.revoked_at.get_or_insert(at);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

// ---------------------------------------------------------------------------------------
// SQLite
// ---------------------------------------------------------------------------------------

/// Jobs in an SQLite file (WAL journal, full sync), so a restart loses nothing accepted.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    owner           TEXT NOT NULL,
    idempotency_key TEXT,
    body_hash       TEXT NOT NULL,
    request         TEXT NOT NULL,
    callback_url    TEXT,
    state           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    result          TEXT,
    error_code      TEXT,
    error_message   TEXT,
    callback_status TEXT,
    UNIQUE (owner, idempotency_key)
);
CREATE INDEX IF NOT EXISTS jobs_owner_seq ON jobs (owner, seq);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
CREATE TABLE IF NOT EXISTS links (
    id          TEXT PRIMARY KEY,
    job         TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX IF NOT EXISTS links_job ON links (job);
";

const STATUS_COLUMNS: &str =
    "id, seq, owner, state, created_at, started_at, finished_at, callback_url, error_code, error_message, callback_status";

/// The schema this build writes, kept in `PRAGMA user_version`.
///
/// - 0: the jobs and links tables without a version (before versions were kept);
/// - 1: `jobs.callback_status` (what became of the callback).
pub const SCHEMA_VERSION: i64 = 1;

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl SqliteStore {
    /// Opens the store at `path`, creating it only when no file is there.
    ///
    /// An existing file must be this service's database: an empty file, a file that is not
    /// SQLite, an SQLite database without the `jobs` table, or one written by a newer build
    /// (a higher schema version) is refused with [`StoreError::Refused`], naming the path
    /// and what was found. An older schema is migrated.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        let refused = |found: String| StoreError::Refused {
            path: shown.clone(),
            found,
        };
        let existed =
            match std::fs::metadata(path) {
                Ok(meta) if meta.is_dir() => return Err(refused("is a directory".into())),
                Ok(meta) if meta.len() == 0 => {
                    return Err(refused(
                        "is an empty file (0 bytes), not a job database; remove it to start with \
                     an empty store, or choose another path"
                            .into(),
                    ))
                }
                Ok(_) => {
                    let mut head = [0u8; 16];
                    let read = std::fs::File::open(path)
                        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
                    match read {
                        Ok(()) if &head == SQLITE_MAGIC => {}
                        Ok(()) | Err(_) => return Err(refused(
                            "is not an SQLite database (no SQLite header), so not a job database"
                                .into(),
                        )),
                    }
                    true
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(e) => return Err(refused(format!("cannot be read: {e}"))),
            };
        let mut conn = Connection::open(path)?;
        if existed {
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            let has_jobs: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jobs')",
                [],
                |r| r.get(0),
            )?;
            if version > SCHEMA_VERSION {
                return Err(refused(format!(
                    "has schema version {version}, newer than this build's {SCHEMA_VERSION}; \
                     run the newer build or restore a backup"
                )));
            }
            if !has_jobs {
                return Err(refused(format!(
                    "is an SQLite database without a `jobs` table (schema version {version}), \
                     not a job database"
                )));
            }
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            if version < SCHEMA_VERSION {
                migrate(&mut conn, version)?;
                tracing::info!(
                    path = %path.display(),
                    from = version,
                    to = SCHEMA_VERSION,
                    "job database migrated"
                );
            }
        } else {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            let tx = conn.transaction()?;
            tx.execute_batch(SCHEMA)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            tx.commit()?;
        }
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }
}

/// Brings a schema of `from` (below [`SCHEMA_VERSION`]) up to date, in one transaction.
fn migrate(conn: &mut Connection, from: i64) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    if from < 1 {
        let has_column: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'callback_status')",
            [],
            |r| r.get(0),
        )?;
        if !has_column {
            tx.execute_batch("ALTER TABLE jobs ADD COLUMN callback_status TEXT;")?;
        }
    }
    // The tables and indexes added since version 0 (`links`) are created if missing.
    tx.execute_batch(SCHEMA)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// A raw row of the status columns; converted outside rusqlite's closure so conversion
/// errors keep their own type.
type StatusRow = (
    String,
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn read_status_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StatusRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
    ))
}

fn to_status(r: StatusRow) -> Result<JobStatus, StoreError> {
    let (id, seq, owner, state, created, started, finished, callback_url, code, message, callback) =
        r;
    Ok(JobStatus {
        id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("job id: {e}")))?,
        seq,
        owner,
        state: JobState::parse(&state)?,
        created_at: from_micros(created)?,
        started_at: started.map(from_micros).transpose()?,
        finished_at: finished.map(from_micros).transpose()?,
        callback_url,
        failure: code.map(|code| JobFailure {
            code,
            message: message.unwrap_or_default(),
        }),
        callback,
    })
}

impl SqliteStore {
    fn status_where(
        conn: &Connection,
        id: Uuid,
    ) -> Result<Option<(JobStatus, String)>, StoreError> {
        let row = conn
            .query_row(
                &format!("SELECT {STATUS_COLUMNS}, body_hash FROM jobs WHERE id = ?1"),
                params![id.to_string()],
                |row| Ok((read_status_row(row)?, row.get::<_, String>(11)?)),
            )
            .optional()?;
        row.map(|(r, hash)| Ok((to_status(r)?, hash))).transpose()
    }
}

impl JobStore for SqliteStore {
    fn insert(&self, job: NewJob) -> Result<Inserted, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        if let Some(key) = &job.idempotency_key {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT id FROM jobs WHERE owner = ?1 AND idempotency_key = ?2",
                    params![job.owner, key],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(id) = existing {
                let id = Uuid::parse_str(&id)
                    .map_err(|e| StoreError::Corrupt(format!("job id: {e}")))?;
                if let Some((status, body_hash)) = Self::status_where(&tx, id)? {
                    return Ok(Inserted::Existing { status, body_hash });
                }
            }
        }
        tx.execute(
            "INSERT INTO jobs (id, owner, idempotency_key, body_hash, request, callback_url, state, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
            params![
                job.id.to_string(),
                job.owner,
                job.idempotency_key,
                job.body_hash,
                job.request,
                job.callback_url,
                micros(job.created_at)
            ],
        )?;
        let status = Self::status_where(&tx, job.id)?
            .map(|(s, _)| s)
            .ok_or_else(|| StoreError::Corrupt("inserted job not found".into()))?;
        tx.commit()?;
        Ok(Inserted::New(status))
    }

    fn status(&self, id: Uuid) -> Result<Option<JobStatus>, StoreError> {
        let conn = self.lock()?;
        Ok(Self::status_where(&conn, id)?.map(|(s, _)| s))
    }

    fn find_idempotent(
        &self,
        owner: &str,
        key: &str,
    ) -> Result<Option<(JobStatus, String)>, StoreError> {
        let conn = self.lock()?;
        let id: Option<String> = conn
            .query_row(
                "SELECT id FROM jobs WHERE owner = ?1 AND idempotency_key = ?2",
                params![owner, key],
                |row| row.get(0),
            )
            .optional()?;
        match id {
            Some(id) => {
                let id = Uuid::parse_str(&id)
                    .map_err(|e| StoreError::Corrupt(format!("job id: {e}")))?;
                Self::status_where(&conn, id)
            }
            None => Ok(None),
        }
    }

    fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
        let conn = self.lock()?;
        let row = conn
            .query_row(
                &format!(
                    "SELECT {STATUS_COLUMNS}, body_hash, request, result FROM jobs WHERE id = ?1"
                ),
                params![id.to_string()],
                |row| {
                    Ok((
                        read_status_row(row)?,
                        row.get::<_, String>(11)?,
                        row.get::<_, String>(12)?,
                        row.get::<_, Option<String>>(13)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(r, body_hash, request, result)| {
            Ok(JobRecord {
                status: to_status(r)?,
                body_hash,
                request,
                result,
            })
        })
        .transpose()
    }

    fn list(
        &self,
        owner: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<JobStatus>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {STATUS_COLUMNS} FROM jobs
             WHERE (?1 IS NULL OR owner = ?1) AND (?2 IS NULL OR seq < ?2)
             ORDER BY seq DESC LIMIT ?3"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![owner, before, limit], read_status_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(to_status).collect()
    }

    fn start(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let n = conn.execute(
            "UPDATE jobs SET state = 'solving', started_at = ?2 WHERE id = ?1 AND state = 'queued'",
            params![id.to_string(), micros(at)],
        )?;
        Ok(n == 1)
    }

    fn finish(
        &self,
        id: Uuid,
        state: JobState,
        at: DateTime<Utc>,
        result: Option<&str>,
        failure: Option<&JobFailure>,
    ) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let n = conn.execute(
            "UPDATE jobs SET state = ?2, finished_at = ?3, result = ?4, error_code = ?5, error_message = ?6
             WHERE id = ?1 AND state = 'solving'",
            params![
                id.to_string(),
                state.as_str(),
                micros(at),
                result,
                failure.map(|f| f.code.as_str()),
                failure.map(|f| f.message.as_str())
            ],
        )?;
        Ok(n == 1)
    }

    fn cancel(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<JobStatus>, StoreError> {
        let conn = self.lock()?;
        conn.execute(
            "UPDATE jobs SET state = 'cancelled', finished_at = ?2
             WHERE id = ?1 AND state IN ('queued', 'solving')",
            params![id.to_string(), micros(at)],
        )?;
        Ok(Self::status_where(&conn, id)?.map(|(s, _)| s))
    }

    fn requeue_unfinished(&self) -> Result<Vec<Uuid>, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let ids: Vec<String> = {
            let mut stmt = tx
                .prepare("SELECT id FROM jobs WHERE state IN ('queued', 'solving') ORDER BY seq")?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        tx.execute(
            "UPDATE jobs SET state = 'queued', started_at = NULL WHERE state = 'solving'",
            [],
        )?;
        tx.commit()?;
        ids.iter()
            .map(|id| Uuid::parse_str(id).map_err(|e| StoreError::Corrupt(format!("job id: {e}"))))
            .collect()
    }

    fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        let conn = self.lock()?;
        let removed = conn.execute(
            "DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?1",
            params![micros(cutoff)],
        )?;
        conn.execute(
            "DELETE FROM links WHERE job NOT IN (SELECT id FROM jobs)",
            [],
        )?;
        Ok(removed)
    }

    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state")?;
        let rows: Vec<(String, i64)> = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut counts: Vec<(JobState, u64)> = JobState::ALL.into_iter().map(|s| (s, 0)).collect();
        for (state, n) in rows {
            let state = JobState::parse(&state)?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state) {
                slot.1 = u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(counts)
    }

    fn insert_link(&self, link: &LinkRecord) -> Result<(), StoreError> {
        let conn = self.lock()?;
        conn.execute(
            "INSERT INTO links (id, job, token_hash, created_at, expires_at, revoked_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                link.id.to_string(),
                link.job.to_string(),
                link.token_hash,
                micros(link.created_at),
                micros(link.expires_at),
                link.revoked_at.map(micros),
            ],
        )?;
        Ok(())
    }

    fn find_link(&self, token_hash: &str) -> Result<Option<LinkRecord>, StoreError> {
        let conn = self.lock()?;
        let row: Option<(String, String, i64, i64, Option<i64>)> = conn
            .query_row(
                "SELECT id, job, created_at, expires_at, revoked_at FROM links WHERE token_hash = ?1",
                params![token_hash],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
            )
            .optional()?;
        let Some((id, job, created, expires, revoked)) = row else {
            return Ok(None);
        };
        let uuid = |text: &str| {
            Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("link id `{text}`: {e}")))
        };
        Ok(Some(LinkRecord {
            id: uuid(&id)?,
            job: uuid(&job)?,
            token_hash: token_hash.to_string(),
            created_at: from_micros(created)?,
            expires_at: from_micros(expires)?,
            revoked_at: revoked.map(from_micros).transpose()?,
        }))
    }

    fn requeue(&self, id: Uuid) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let n = conn.execute(
            "UPDATE jobs SET state = 'queued', started_at = NULL WHERE id = ?1 AND state = 'solving'",
            params![id.to_string()],
        )?;
        Ok(n == 1)
    }

    fn set_callback_outcome(&self, id: Uuid, outcome: &str) -> Result<(), StoreError> {
        let conn = self.lock()?;
        conn.execute(
            "UPDATE jobs SET callback_status = ?2 WHERE id = ?1",
            params![id.to_string(), outcome],
        )?;
        Ok(())
    }

    fn revoke_link(&self, job: Uuid, link: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let found = conn.execute(
            "UPDATE links SET revoked_at = COALESCE(revoked_at, ?3) WHERE id = ?1 AND job = ?2",
            params![link.to_string(), job.to_string(), micros(at)],
        )?;
        Ok(found > 0)
    }
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

    fn refusal(path: &Path) -> String {
        match SqliteStore::open(path) {
            Err(e @ StoreError::Refused { .. }) => e.to_string(),
            Err(e) => panic!("refused for another reason: {e}"),
            Ok(_) => panic!("`{}` was opened", path.display()),
        }
    }

    fn user_version(path: &Path) -> i64 {
        Connection::open(path)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_database_gets_the_current_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        assert_eq!(user_version(&path), SCHEMA_VERSION);
        // And opens again as it is.
        drop(SqliteStore::open(&path).unwrap());
        assert_eq!(user_version(&path), SCHEMA_VERSION);
    }

    #[test]
    fn an_empty_file_or_a_foreign_file_is_refused_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.sqlite");
        std::fs::write(&empty, b"").unwrap();
        let message = refusal(&empty);
        assert!(message.contains(&empty.display().to_string()), "{message}");
        assert!(message.contains("empty file (0 bytes)"), "{message}");
        assert_eq!(
            std::fs::metadata(&empty).unwrap().len(),
            0,
            "left as it was"
        );

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "some notes that are not a database at all").unwrap();
        let message = refusal(&text);
        assert!(message.contains("not an SQLite database"), "{message}");

        let other = dir.path().join("other.sqlite");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE notes (body TEXT);")
            .unwrap();
        let message = refusal(&other);
        assert!(message.contains("without a `jobs` table"), "{message}");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let message = refusal(&path);
        assert!(
            message.contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
            "{message}"
        );
    }

    #[test]
    fn a_version_0_database_is_migrated_and_keeps_its_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite");
        // The tables as they were before versions were kept: no callback_status, no links.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE jobs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                owner TEXT NOT NULL, idempotency_key TEXT, body_hash TEXT NOT NULL,
                request TEXT NOT NULL, callback_url TEXT, state TEXT NOT NULL,
                created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
                result TEXT, error_code TEXT, error_message TEXT,
                UNIQUE (owner, idempotency_key));",
        )
        .unwrap();
        let id = Uuid::new_v4();
        conn.execute(
            "INSERT INTO jobs (id, owner, body_hash, request, state, created_at)
             VALUES (?1, 'cms', 'h', '{}', 'solving', 0)",
            params![id.to_string()],
        )
        .unwrap();
        drop(conn);
        assert_eq!(user_version(&path), 0);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.requeue_unfinished().unwrap(), vec![id]);
        store.set_callback_outcome(id, "delivered").unwrap();
        assert_eq!(
            store.status(id).unwrap().unwrap().callback.as_deref(),
            Some("delivered")
        );
        drop(store);
        assert_eq!(user_version(&path), SCHEMA_VERSION);
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
