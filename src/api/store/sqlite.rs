//! [`SqliteStore`]: jobs in an SQLite file (WAL journal, full sync), its schema version in
//! `PRAGMA user_version`, older schemas migrated at open and foreign files refused; or in
//! an SQLite database in memory ([`SqliteStore::in_memory`]), lost at exit. One process
//! uses it: its mutex serialises every call, so a claim is a plain transaction.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::{
    claimable, exhausted_message, ChildRecord, Claim, Claimed, Inserted, JobFailure, JobRecord,
    JobState, JobStatus, JobStore, LeaseTerms, LinkRecord, NewChild, NewJob, StoreError,
    ATTEMPTS_EXHAUSTED, PARKED,
};

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
    parent          TEXT,
    scenario        INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_token     TEXT,
    lease_expires   INTEGER,
    UNIQUE (owner, idempotency_key)
);
CREATE INDEX IF NOT EXISTS jobs_owner_seq ON jobs (owner, seq);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
CREATE INDEX IF NOT EXISTS jobs_parent ON jobs (parent, scenario);
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
    "id, seq, owner, state, created_at, started_at, finished_at, callback_url, error_code, error_message, callback_status, attempts, parent";

/// The columns added by schema version 2 (claims, leases, what-if children).
const V2_COLUMNS: [(&str, &str); 6] = [
    ("parent", "TEXT"),
    ("scenario", "INTEGER"),
    ("attempts", "INTEGER NOT NULL DEFAULT 0"),
    ("lease_owner", "TEXT"),
    ("lease_token", "TEXT"),
    ("lease_expires", "INTEGER"),
];

/// The schema this build writes, kept in `PRAGMA user_version`.
///
/// - 0: the jobs and links tables without a version (before versions were kept);
/// - 1: `jobs.callback_status` (what became of the callback);
/// - 2: claims and leases (`attempts`, `lease_owner`, `lease_token`, `lease_expires`) and
///   what-if children (`parent`, `scenario`).
pub const SCHEMA_VERSION: i64 = 2;

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

    /// A store in memory, lost when dropped: for tests and throw-away runs (`serve
    /// --in-memory`).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
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
    let mut added: Vec<(&str, &str)> = Vec::new();
    if from < 1 {
        added.push(("callback_status", "TEXT"));
    }
    if from < 2 {
        added.extend(V2_COLUMNS);
    }
    for (column, kind) in added {
        let has_column: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('jobs') WHERE name = ?1)",
            params![column],
            |r| r.get(0),
        )?;
        if !has_column {
            tx.execute_batch(&format!("ALTER TABLE jobs ADD COLUMN {column} {kind};"))?;
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
    i64,
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
        row.get(11)?,
        row.get(12)?,
    ))
}

fn to_status(r: StatusRow) -> Result<JobStatus, StoreError> {
    let (
        id,
        seq,
        owner,
        state,
        created,
        started,
        finished,
        callback_url,
        code,
        message,
        callback,
        attempts,
        parent,
    ) = r;
    Ok(JobStatus {
        id: uuid(&id)?,
        seq,
        owner,
        state: JobState::parse(&state)?,
        created_at: from_micros(created)?,
        started_at: started.map(from_micros).transpose()?,
        finished_at: finished.map(from_micros).transpose()?,
        callback_url,
        failure: super::failure_of(code, message),
        callback,
        attempts: u32::try_from(attempts).unwrap_or(0),
        parent: parent.as_deref().map(uuid).transpose()?,
    })
}

fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("id `{text}`: {e}")))
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
                |row| Ok((read_status_row(row)?, row.get::<_, String>(13)?)),
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
                        row.get::<_, String>(13)?,
                        row.get::<_, String>(14)?,
                        row.get::<_, Option<String>>(15)?,
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
             WHERE parent IS NULL AND (?1 IS NULL OR owner = ?1) AND (?2 IS NULL OR seq < ?2)
             ORDER BY seq DESC LIMIT ?3"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![owner, before, limit], read_status_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(to_status).collect()
    }

    fn claim(&self, terms: &LeaseTerms) -> Result<Claim, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let now = micros(Utc::now());
        let found: Option<(String, i64)> = tx
            .query_row(
                &format!(
                    "SELECT j.id, j.attempts FROM jobs j WHERE {}
                     ORDER BY j.seq LIMIT 1",
                    claimable("?1")
                ),
                params![now],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((id, attempts)) = found else {
            return Ok(Claim::Idle);
        };
        if attempts >= i64::from(terms.max_attempts) {
            tx.execute(
                "UPDATE jobs SET state = 'failed', finished_at = ?2, error_code = ?3,
                     error_message = ?4, lease_owner = NULL, lease_token = NULL,
                     lease_expires = NULL
                 WHERE id = ?1",
                params![id, now, ATTEMPTS_EXHAUSTED, exhausted_message(attempts)],
            )?;
            let status = Self::status_where(&tx, uuid(&id)?)?
                .map(|(s, _)| s)
                .ok_or_else(|| StoreError::Corrupt("claimed job not found".into()))?;
            tx.commit()?;
            return Ok(Claim::Exhausted(status));
        }
        let token = Uuid::new_v4();
        tx.execute(
            "UPDATE jobs SET state = 'solving', attempts = attempts + 1,
                 started_at = COALESCE(started_at, ?2), lease_owner = ?3, lease_token = ?4,
                 lease_expires = ?5
             WHERE id = ?1",
            params![
                id,
                now,
                terms.replica,
                token.to_string(),
                now + lease_micros(terms.duration)
            ],
        )?;
        tx.commit()?;
        drop(conn);
        let record = self
            .get(uuid(&id)?)?
            .ok_or_else(|| StoreError::Corrupt("claimed job not found".into()))?;
        Ok(Claim::Job(Box::new(Claimed { record, token })))
    }

    fn heartbeat(&self, id: Uuid, token: Uuid, duration: Duration) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let n = conn.execute(
            "UPDATE jobs SET lease_expires = ?3
             WHERE id = ?1 AND lease_token = ?2 AND state = 'solving'",
            params![
                id.to_string(),
                token.to_string(),
                micros(Utc::now()) + lease_micros(duration)
            ],
        )?;
        Ok(n == 1)
    }

    fn finish(
        &self,
        id: Uuid,
        token: Uuid,
        state: JobState,
        result: Option<&str>,
        failure: Option<&JobFailure>,
    ) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let n = conn.execute(
            "UPDATE jobs SET state = ?3, finished_at = ?4, result = ?5, error_code = ?6,
                 error_message = ?7, lease_token = NULL, lease_expires = NULL
             WHERE id = ?1 AND lease_token = ?2 AND state = 'solving'",
            params![
                id.to_string(),
                token.to_string(),
                state.as_str(),
                micros(Utc::now()),
                result,
                failure.map(|f| f.code.as_str()),
                failure.map(|f| f.message.as_str())
            ],
        )?;
        Ok(n == 1)
    }

    fn fan_out(&self, id: Uuid, token: Uuid, children: &[NewChild]) -> Result<bool, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let parked = tx.execute(
            "UPDATE jobs SET attempts = 0, lease_owner = NULL, lease_token = NULL,
                 lease_expires = NULL
             WHERE id = ?1 AND lease_token = ?2 AND state = 'solving'",
            params![id.to_string(), token.to_string()],
        )?;
        if parked != 1 {
            return Ok(false);
        }
        let now = micros(Utc::now());
        for child in children {
            tx.execute(
                "INSERT INTO jobs (id, owner, body_hash, request, state, created_at, parent, scenario)
                 SELECT ?1, owner, body_hash, ?2, 'queued', ?3, id, ?4 FROM jobs WHERE id = ?5",
                params![
                    child.id.to_string(),
                    child.request,
                    now,
                    child.index,
                    id.to_string()
                ],
            )?;
        }
        tx.commit()?;
        Ok(true)
    }

    fn children(&self, parent: Uuid) -> Result<Vec<ChildRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare(
            "SELECT id, scenario, state, result, error_code, error_message, lease_owner
             FROM jobs WHERE parent = ?1 ORDER BY scenario",
        )?;
        type Row = (
            String,
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = stmt
            .query_map(params![parent.to_string()], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, index, state, result, code, message, owner)| {
                ChildRecord::from_columns((uuid(&id)?, index, state, result, code, message, owner))
            })
            .collect()
    }

    fn cancel(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<(JobStatus, bool)>, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let cancel = "UPDATE jobs SET state = 'cancelled', finished_at = ?2, lease_token = NULL,
                          lease_expires = NULL
                      WHERE state IN ('queued', 'solving') AND";
        let changed = tx.execute(
            &format!("{cancel} id = ?1"),
            params![id.to_string(), micros(at)],
        )?;
        if changed == 1 {
            tx.execute(
                &format!("{cancel} parent = ?1"),
                params![id.to_string(), micros(at)],
            )?;
        }
        let status = Self::status_where(&tx, id)?.map(|(s, _)| (s, changed == 1));
        tx.commit()?;
        Ok(status)
    }

    fn release(&self, id: Uuid, token: Uuid) -> Result<bool, StoreError> {
        let conn = self.lock()?;
        let n = conn.execute(
            "UPDATE jobs SET state = 'queued', started_at = NULL, attempts = MAX(attempts - 1, 0),
                 lease_owner = NULL, lease_token = NULL, lease_expires = NULL
             WHERE id = ?1 AND lease_token = ?2 AND state = 'solving'",
            params![id.to_string(), token.to_string()],
        )?;
        Ok(n == 1)
    }

    fn recover(&self) -> Result<Vec<Uuid>, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let ids: Vec<String> = {
            let mut stmt = tx.prepare(&format!(
                "SELECT j.id FROM jobs j WHERE j.state = 'solving' AND NOT {PARKED} ORDER BY j.seq"
            ))?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for id in &ids {
            tx.execute(
                "UPDATE jobs SET state = 'queued', started_at = NULL, lease_owner = NULL,
                     lease_token = NULL, lease_expires = NULL
                 WHERE id = ?1",
                params![id],
            )?;
        }
        tx.commit()?;
        ids.iter().map(|id| uuid(id)).collect()
    }

    fn queue_depth(&self) -> Result<usize, StoreError> {
        let conn = self.lock()?;
        let n: i64 = conn.query_row(
            "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND parent IS NULL",
            [],
            |row| row.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let expired = "SELECT id FROM jobs WHERE parent IS NULL AND finished_at IS NOT NULL \
                       AND finished_at < ?1";
        tx.execute(
            &format!("DELETE FROM jobs WHERE parent IN ({expired})"),
            params![micros(cutoff)],
        )?;
        let removed = tx.execute(
            "DELETE FROM jobs WHERE parent IS NULL AND finished_at IS NOT NULL AND finished_at < ?1",
            params![micros(cutoff)],
        )?;
        tx.execute(
            "DELETE FROM links WHERE job NOT IN (SELECT id FROM jobs)",
            [],
        )?;
        tx.commit()?;
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

fn lease_micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 4)
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_micros(m: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(m)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {m} out of range")))
}

#[cfg(test)]
mod tests {
    //! What only the SQLite store does: its schema version, refusing foreign files,
    //! migrating older schemas. The shared contract is tested in `store/mod.rs`.
    use super::*;

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
        assert_eq!(store.recover().unwrap(), vec![id]);
        store.set_callback_outcome(id, "delivered").unwrap();
        assert_eq!(
            store.status(id).unwrap().unwrap().callback.as_deref(),
            Some("delivered")
        );
        drop(store);
        assert_eq!(user_version(&path), SCHEMA_VERSION);
    }
}
