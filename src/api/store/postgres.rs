//! [`PgStore`]: jobs in PostgreSQL, shared by several `serve` replicas. PostgreSQL's
//! locking is the coordination: a claim takes the oldest claimable row with
//! `SELECT … FOR UPDATE SKIP LOCKED`, so two replicas never claim one job while its lease is
//! live; every claim is logged in `claims` (replica, time, the expiry of the lease it
//! replaced) so that can be counted from the database. New work is announced with
//! `NOTIFY mediation_jobs`, which [`PgStore::watch`] listens for.
//!
//! The schema is versioned (`mediation_schema`) and migrated only on request
//! ([`PgStore::migrate`]: `migrate`, `serve --migrate`); [`PgStore::connect`] refuses a
//! database whose schema is missing, older or newer than this build's.
//!
//! Every time a job records (created, started, finished, lease expiry) is the database's
//! clock (`clock_timestamp()`), so replicas whose clocks differ still agree; the `at` of
//! [`JobStore::cancel`] is not used.
//!
//! The client is async (tokio-postgres through a deadpool pool); [`super::JobStore`] is
//! synchronous and runs on blocking threads ([`super::store_call`]), so each call blocks on
//! the runtime the store was connected in.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::{AsyncMessage, NoTls, Row};
use uuid::Uuid;

use super::{
    ChildRecord, Claim, Claimed, Inserted, JobFailure, JobRecord, JobState, JobStatus, JobStore,
    LeaseTerms, LinkRecord, NewChild, NewJob, StoreError, ATTEMPTS_EXHAUSTED,
};

/// The schema this build writes, kept in `mediation_schema.version`.
///
/// - 1: jobs (with leases, attempts and what-if children), links, claims.
pub const PG_SCHEMA_VERSION: i32 = 1;

/// The channel new claimable work is announced on.
pub const CHANNEL: &str = "mediation_jobs";

/// Each version's migration, applied in order in one transaction.
const MIGRATIONS: [(i32, &str); 1] = [(
    1,
    "
CREATE TABLE jobs (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              UUID NOT NULL UNIQUE,
    owner           TEXT NOT NULL,
    idempotency_key TEXT,
    body_hash       TEXT NOT NULL,
    request         TEXT NOT NULL,
    callback_url    TEXT,
    state           TEXT NOT NULL
                    CHECK (state IN ('queued', 'solving', 'done', 'failed', 'cancelled')),
    created_at      TIMESTAMPTZ NOT NULL,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    result          TEXT,
    error_code      TEXT,
    error_message   TEXT,
    callback_status TEXT,
    parent          UUID REFERENCES jobs (id) ON DELETE CASCADE,
    scenario        INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_token     UUID,
    lease_expires   TIMESTAMPTZ,
    UNIQUE (owner, idempotency_key),
    UNIQUE (parent, scenario)
);
CREATE INDEX jobs_owner_seq ON jobs (owner, seq);
CREATE INDEX jobs_open ON jobs (seq) WHERE state IN ('queued', 'solving');
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE parent IS NULL;
CREATE TABLE links (
    id          UUID PRIMARY KEY,
    job         UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX links_job ON links (job);
CREATE TABLE claims (
    job                    UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt                INTEGER NOT NULL,
    replica                TEXT NOT NULL,
    claimed_at             TIMESTAMPTZ NOT NULL,
    previous_lease_expires TIMESTAMPTZ
);
CREATE INDEX claims_job ON claims (job);
",
)];

const STATUS_COLUMNS: &str = "id, seq, owner, state, created_at, started_at, finished_at, \
     callback_url, error_code, error_message, callback_status, attempts, parent";

/// Jobs in PostgreSQL, shared by every replica connected to the same database.
pub struct PgStore {
    pool: Pool,
    config: tokio_postgres::Config,
    handle: tokio::runtime::Handle,
    /// Where the store is, without credentials (for messages).
    shown: String,
}

/// `host:port/dbname` of a connection string, without user or password.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("(default database)");
    format!("postgres://{host}:{port}/{db}")
}

fn parse_url(url: &str) -> Result<tokio_postgres::Config, StoreError> {
    let mut config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Refused {
        path: "--database-url".into(),
        found: format!("is not a PostgreSQL connection string: {e}"),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(3));
    }
    config.application_name("mediation-scheduler");
    Ok(config)
}

/// A connection or pool failure is [`StoreError::Unavailable`] (try again); an error the
/// database reported about a statement is [`StoreError::Postgres`].
fn pg_error(e: tokio_postgres::Error) -> StoreError {
    match e.code() {
        Some(code)
            if code.code().starts_with("08")
                || code.code().starts_with("57P")
                || *code == SqlState::TOO_MANY_CONNECTIONS =>
        {
            StoreError::Unavailable(e.to_string())
        }
        Some(_) => StoreError::Postgres(e.as_db_error().map_or(e.to_string(), |d| d.to_string())),
        None => StoreError::Unavailable(e.to_string()),
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => pg_error(e),
        e => StoreError::Unavailable(e.to_string()),
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        pg_error(e)
    }
}

impl PgStore {
    /// Connects to the database at `url`, whose schema must be this build's: a database
    /// without the schema or with an older one is refused (run `migrate`), as is a newer
    /// one (run the newer build). Must be called inside a multi-threaded tokio runtime,
    /// which then runs every call.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let config = parse_url(url)?;
        let shown = describe(&config);
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(5)))
            .create_timeout(Some(Duration::from_secs(3)))
            .recycle_timeout(Some(Duration::from_secs(3)))
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let store = PgStore {
            pool,
            config,
            handle: tokio::runtime::Handle::current(),
            shown,
        };
        let version = store.schema_version().await?;
        let refused = |found: String| StoreError::Refused {
            path: store.shown.clone(),
            found,
        };
        match version {
            None => Err(refused(
                "has no job schema; apply it with `mediation-scheduler migrate --database-url …` \
                 or start with `serve --migrate`"
                    .into(),
            )),
            Some(v) if v < PG_SCHEMA_VERSION => Err(refused(format!(
                "has schema version {v}, older than this build's {PG_SCHEMA_VERSION}; apply the \
                 migrations with `mediation-scheduler migrate --database-url …` or `serve --migrate`"
            ))),
            Some(v) if v > PG_SCHEMA_VERSION => Err(refused(format!(
                "has schema version {v}, newer than this build's {PG_SCHEMA_VERSION}; run the \
                 newer build"
            ))),
            Some(_) => Ok(store),
        }
    }

    /// Applies the migrations the database at `url` lacks, in one transaction under an
    /// advisory lock (replicas started together with `--migrate` take turns). Returns the
    /// version before and after; a newer schema than this build's is refused.
    pub async fn migrate(url: &str) -> Result<(i32, i32), StoreError> {
        let config = parse_url(url)?;
        let shown = describe(&config);
        let (mut client, connection) = config.connect(NoTls).await?;
        let driver = tokio::spawn(connection);
        let tx = client.transaction().await?;
        tx.batch_execute(
            "SELECT pg_advisory_xact_lock(7366840331); \
             CREATE TABLE IF NOT EXISTS mediation_schema (version INTEGER NOT NULL);",
        )
        .await?;
        let from: i32 = tx
            .query_opt("SELECT version FROM mediation_schema", &[])
            .await?
            .map_or(0, |r| r.get(0));
        if from > PG_SCHEMA_VERSION {
            return Err(StoreError::Refused {
                path: shown,
                found: format!(
                    "has schema version {from}, newer than this build's {PG_SCHEMA_VERSION}; \
                     run the newer build"
                ),
            });
        }
        for (version, sql) in MIGRATIONS {
            if version > from {
                tx.batch_execute(sql).await?;
            }
        }
        tx.execute("DELETE FROM mediation_schema", &[]).await?;
        tx.execute(
            "INSERT INTO mediation_schema (version) VALUES ($1)",
            &[&PG_SCHEMA_VERSION],
        )
        .await?;
        tx.commit().await?;
        drop(client);
        let _ = driver.await;
        Ok((from, PG_SCHEMA_VERSION))
    }

    async fn schema_version(&self) -> Result<Option<i32>, StoreError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        match client
            .query_opt("SELECT version FROM mediation_schema", &[])
            .await
        {
            Ok(row) => Ok(Some(row.map_or(0, |r| r.get(0)))),
            Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Runs `f` on the store's runtime from a blocking thread.
    fn run<T, F: Future<Output = Result<T, StoreError>>>(&self, f: F) -> Result<T, StoreError> {
        self.handle.block_on(f)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(pool_error)
    }

    async fn status_of(
        client: &impl deadpool_postgres::GenericClient,
        id: Uuid,
    ) -> Result<Option<(JobStatus, String)>, StoreError> {
        let row = client
            .query_opt(
                &format!("SELECT {STATUS_COLUMNS}, body_hash FROM jobs WHERE id = $1"),
                &[&id],
            )
            .await?;
        row.map(|r| Ok((to_status(&r)?, r.try_get(13)?)))
            .transpose()
    }
}

fn to_status(r: &Row) -> Result<JobStatus, StoreError> {
    let state: String = r.try_get(3)?;
    let code: Option<String> = r.try_get(8)?;
    let message: Option<String> = r.try_get(9)?;
    let attempts: i32 = r.try_get(11)?;
    Ok(JobStatus {
        id: r.try_get(0)?,
        seq: r.try_get(1)?,
        owner: r.try_get(2)?,
        state: JobState::parse(&state)?,
        created_at: r.try_get(4)?,
        started_at: r.try_get(5)?,
        finished_at: r.try_get(6)?,
        callback_url: r.try_get(7)?,
        failure: super::failure_of(code, message),
        callback: r.try_get(10)?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        parent: r.try_get(12)?,
    })
}

impl JobStore for PgStore {
    fn insert(&self, job: NewJob) -> Result<Inserted, StoreError> {
        self.run(async {
            let mut client = self.client().await?;
            if let Some(key) = &job.idempotency_key {
                if let Some((status, body_hash)) = find_key(&client, &job.owner, key).await? {
                    return Ok(Inserted::Existing { status, body_hash });
                }
            }
            let tx = client.transaction().await?;
            let inserted = tx
                .execute(
                    "INSERT INTO jobs (id, owner, idempotency_key, body_hash, request, callback_url,
                         state, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 'queued', clock_timestamp())
                     ON CONFLICT (owner, idempotency_key) DO NOTHING",
                    &[
                        &job.id,
                        &job.owner,
                        &job.idempotency_key,
                        &job.body_hash,
                        &job.request,
                        &job.callback_url,
                    ],
                )
                .await?;
            if inserted == 0 {
                // Another replica stored the same key meanwhile.
                drop(tx);
                let key = job.idempotency_key.as_deref().unwrap_or_default();
                return match find_key(&client, &job.owner, key).await? {
                    Some((status, body_hash)) => Ok(Inserted::Existing { status, body_hash }),
                    None => Err(StoreError::Corrupt(
                        "an idempotency key conflicted with no job".into(),
                    )),
                };
            }
            tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
            let status = Self::status_of(&tx, job.id)
                .await?
                .map(|(s, _)| s)
                .ok_or_else(|| StoreError::Corrupt("inserted job not found".into()))?;
            tx.commit().await?;
            Ok(Inserted::New(status))
        })
    }

    fn status(&self, id: Uuid) -> Result<Option<JobStatus>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            Ok(Self::status_of(&client, id).await?.map(|(s, _)| s))
        })
    }

    fn find_idempotent(
        &self,
        owner: &str,
        key: &str,
    ) -> Result<Option<(JobStatus, String)>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            find_key(&client, owner, key).await
        })
    }

    fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    &format!(
                        "SELECT {STATUS_COLUMNS}, body_hash, request, result FROM jobs WHERE id = $1"
                    ),
                    &[&id],
                )
                .await?;
            row.map(|r| {
                Ok(JobRecord {
                    status: to_status(&r)?,
                    body_hash: r.try_get(13)?,
                    request: r.try_get(14)?,
                    result: r.try_get(15)?,
                })
            })
            .transpose()
        })
    }

    fn list(
        &self,
        owner: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<JobStatus>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    &format!(
                        "SELECT {STATUS_COLUMNS} FROM jobs
                         WHERE parent IS NULL AND ($1::text IS NULL OR owner = $1)
                           AND ($2::bigint IS NULL OR seq < $2)
                         ORDER BY seq DESC LIMIT $3"
                    ),
                    &[&owner, &before, &limit],
                )
                .await?;
            rows.iter().map(to_status).collect()
        })
    }

    fn claim(&self, terms: &LeaseTerms) -> Result<Claim, StoreError> {
        let claimed = self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            let found = tx
                .query_opt(
                    &format!(
                        "SELECT j.id, j.attempts, j.lease_expires FROM jobs j WHERE {}
                         ORDER BY j.seq LIMIT 1
                         FOR UPDATE OF j SKIP LOCKED",
                        super::claimable("clock_timestamp()")
                    ),
                    &[],
                )
                .await?;
            let Some(row) = found else {
                return Ok(None);
            };
            let id: Uuid = row.try_get(0)?;
            let attempts: i32 = row.try_get(1)?;
            let previous: Option<DateTime<Utc>> = row.try_get(2)?;
            let max = i32::try_from(terms.max_attempts).unwrap_or(i32::MAX);
            if attempts >= max {
                let message = super::exhausted_message(i64::from(attempts));
                tx.execute(
                    "UPDATE jobs SET state = 'failed', finished_at = clock_timestamp(), error_code = $2,
                         error_message = $3, lease_owner = NULL, lease_token = NULL,
                         lease_expires = NULL
                     WHERE id = $1",
                    &[&id, &ATTEMPTS_EXHAUSTED, &message],
                )
                .await?;
                let parent: Option<Option<Uuid>> = tx
                    .query_opt("SELECT parent FROM jobs WHERE id = $1", &[&id])
                    .await?
                    .map(|r| r.get(0));
                if matches!(parent, Some(Some(_))) {
                    tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
                }
                let status = Self::status_of(&tx, id)
                    .await?
                    .map(|(s, _)| s)
                    .ok_or_else(|| StoreError::Corrupt("claimed job not found".into()))?;
                tx.commit().await?;
                return Ok(Some(Err(status)));
            }
            let token = Uuid::new_v4();
            tx.execute(
                "UPDATE jobs SET state = 'solving', attempts = attempts + 1,
                     started_at = COALESCE(started_at, clock_timestamp()), lease_owner = $2,
                     lease_token = $3, lease_expires = clock_timestamp() + make_interval(secs => $4)
                 WHERE id = $1",
                &[&id, &terms.replica, &token, &terms.duration.as_secs_f64()],
            )
            .await?;
            tx.execute(
                "INSERT INTO claims (job, attempt, replica, claimed_at, previous_lease_expires)
                 VALUES ($1, $2, $3, clock_timestamp(), $4)",
                &[&id, &(attempts + 1), &terms.replica, &previous],
            )
            .await?;
            tx.commit().await?;
            Ok(Some(Ok((id, token))))
        })?;
        match claimed {
            None => Ok(Claim::Idle),
            Some(Err(status)) => Ok(Claim::Exhausted(status)),
            Some(Ok((id, token))) => {
                let record = self
                    .get(id)?
                    .ok_or_else(|| StoreError::Corrupt("claimed job not found".into()))?;
                Ok(Claim::Job(Box::new(Claimed { record, token })))
            }
        }
    }

    fn heartbeat(&self, id: Uuid, token: Uuid, duration: Duration) -> Result<bool, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "UPDATE jobs SET lease_expires = clock_timestamp() + make_interval(secs => $3)
                     WHERE id = $1 AND lease_token = $2 AND state = 'solving'",
                    &[&id, &token, &duration.as_secs_f64()],
                )
                .await?;
            Ok(n == 1)
        })
    }

    fn finish(
        &self,
        id: Uuid,
        token: Uuid,
        state: JobState,
        result: Option<&str>,
        failure: Option<&JobFailure>,
    ) -> Result<bool, StoreError> {
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            let row = tx
                .query_opt(
                    "UPDATE jobs SET state = $3, finished_at = clock_timestamp(), result = $4, error_code = $5,
                         error_message = $6, lease_token = NULL, lease_expires = NULL
                     WHERE id = $1 AND lease_token = $2 AND state = 'solving'
                     RETURNING parent",
                    &[
                        &id,
                        &token,
                        &state.as_str(),
                        &result,
                        &failure.map(|f| f.code.as_str()),
                        &failure.map(|f| f.message.as_str()),
                    ],
                )
                .await?;
            let Some(row) = row else {
                return Ok(false);
            };
            let parent: Option<Uuid> = row.try_get(0)?;
            if parent.is_some() {
                // The parent may now be collected, by any replica.
                tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    fn fan_out(&self, id: Uuid, token: Uuid, children: &[NewChild]) -> Result<bool, StoreError> {
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            let parked = tx
                .execute(
                    "UPDATE jobs SET attempts = 0, lease_owner = NULL, lease_token = NULL,
                         lease_expires = NULL
                     WHERE id = $1 AND lease_token = $2 AND state = 'solving'",
                    &[&id, &token],
                )
                .await?;
            if parked != 1 {
                return Ok(false);
            }
            for child in children {
                let index = i32::try_from(child.index).unwrap_or(i32::MAX);
                tx.execute(
                    "INSERT INTO jobs (id, owner, body_hash, request, state, created_at, parent,
                         scenario)
                     SELECT $1, owner, body_hash, $2, 'queued', clock_timestamp(), id, $3 FROM jobs
                     WHERE id = $4",
                    &[&child.id, &child.request, &index, &id],
                )
                .await?;
            }
            tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn children(&self, parent: Uuid) -> Result<Vec<ChildRecord>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT id, scenario, state, result, error_code, error_message, lease_owner
                     FROM jobs WHERE parent = $1 ORDER BY scenario",
                    &[&parent],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    let index: i32 = r.try_get(1)?;
                    ChildRecord::from_columns((
                        r.try_get(0)?,
                        i64::from(index),
                        r.try_get(2)?,
                        r.try_get(3)?,
                        r.try_get(4)?,
                        r.try_get(5)?,
                        r.try_get(6)?,
                    ))
                })
                .collect()
        })
    }

    fn cancel(
        &self,
        id: Uuid,
        _at: DateTime<Utc>,
    ) -> Result<Option<(JobStatus, bool)>, StoreError> {
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await?;
            let cancel = "UPDATE jobs SET state = 'cancelled', finished_at = clock_timestamp(),
                              lease_token = NULL, lease_expires = NULL
                          WHERE state IN ('queued', 'solving') AND";
            // Of cancels racing, the row lock lets one change the job; the others find it
            // cancelled already.
            let changed = tx.execute(&format!("{cancel} id = $1"), &[&id]).await?;
            if changed == 1 {
                tx.execute(&format!("{cancel} parent = $1"), &[&id]).await?;
            }
            let status = Self::status_of(&tx, id)
                .await?
                .map(|(s, _)| (s, changed == 1));
            tx.commit().await?;
            Ok(status)
        })
    }

    fn release(&self, id: Uuid, token: Uuid) -> Result<bool, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "UPDATE jobs SET state = 'queued', started_at = NULL,
                         attempts = GREATEST(attempts - 1, 0), lease_owner = NULL,
                         lease_token = NULL, lease_expires = NULL
                     WHERE id = $1 AND lease_token = $2 AND state = 'solving'",
                    &[&id, &token],
                )
                .await?;
            if n == 1 {
                client
                    .execute("SELECT pg_notify($1, '')", &[&CHANNEL])
                    .await?;
            }
            Ok(n == 1)
        })
    }

    fn recover(&self) -> Result<Vec<Uuid>, StoreError> {
        // Other replicas may be solving the jobs marked solving: their leases decide.
        Ok(Vec::new())
    }

    fn queue_depth(&self) -> Result<usize, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n: i64 = client
                .query_one(
                    "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND parent IS NULL",
                    &[],
                )
                .await?
                .try_get(0)?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    fn expire(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        self.run(async {
            let client = self.client().await?;
            // Children, links and claims go with their job (ON DELETE CASCADE).
            let n = client
                .execute(
                    "DELETE FROM jobs WHERE parent IS NULL AND finished_at < $1",
                    &[&cutoff],
                )
                .await?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }

    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query("SELECT state, COUNT(*) FROM jobs GROUP BY state", &[])
                .await?;
            let mut counts: Vec<(JobState, u64)> =
                JobState::ALL.into_iter().map(|s| (s, 0)).collect();
            for row in rows {
                let state: String = row.try_get(0)?;
                let n: i64 = row.try_get(1)?;
                let state = JobState::parse(&state)?;
                if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state) {
                    slot.1 = u64::try_from(n).unwrap_or(0);
                }
            }
            Ok(counts)
        })
    }

    fn insert_link(&self, link: &LinkRecord) -> Result<(), StoreError> {
        self.run(async {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO links (id, job, token_hash, created_at, expires_at, revoked_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &link.id,
                        &link.job,
                        &link.token_hash,
                        &link.created_at,
                        &link.expires_at,
                        &link.revoked_at,
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn find_link(&self, token_hash: &str) -> Result<Option<LinkRecord>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    "SELECT id, job, created_at, expires_at, revoked_at FROM links
                     WHERE token_hash = $1",
                    &[&token_hash],
                )
                .await?;
            row.map(|r| {
                Ok(LinkRecord {
                    id: r.try_get(0)?,
                    job: r.try_get(1)?,
                    token_hash: token_hash.to_string(),
                    created_at: r.try_get(2)?,
                    expires_at: r.try_get(3)?,
                    revoked_at: r.try_get(4)?,
                })
            })
            .transpose()
        })
    }

    fn revoke_link(&self, job: Uuid, link: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "UPDATE links SET revoked_at = COALESCE(revoked_at, $3)
                     WHERE id = $1 AND job = $2",
                    &[&link, &job, &at],
                )
                .await?;
            Ok(n > 0)
        })
    }

    fn set_callback_outcome(&self, id: Uuid, outcome: &str) -> Result<(), StoreError> {
        self.run(async {
            let client = self.client().await?;
            client
                .execute(
                    "UPDATE jobs SET callback_status = $2 WHERE id = $1",
                    &[&id, &outcome],
                )
                .await?;
            Ok(())
        })
    }

    /// Listens on [`CHANNEL`] on a connection of its own, reconnecting after a second when
    /// it is lost, and notifies every waiting worker of each announcement.
    fn watch(&self, wake: Arc<tokio::sync::Notify>) {
        let config = self.config.clone();
        self.handle.spawn(async move {
            loop {
                match listen(&config, &wake).await {
                    Ok(()) => tracing::warn!("job announcements: connection closed; reconnecting"),
                    Err(e) => {
                        tracing::warn!(error = %e, "job announcements: cannot listen; retrying")
                    }
                }
                // Work announced while the connection was down is found by the workers'
                // polling meanwhile.
                wake.notify_waiters();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
}

/// One LISTEN connection, until it closes.
async fn listen(
    config: &tokio_postgres::Config,
    wake: &tokio::sync::Notify,
) -> Result<(), StoreError> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if tx.send(()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    tracing::info!("job announcements: listening");
    while rx.recv().await.is_some() {
        wake.notify_waiters();
    }
    drop(client);
    let _ = driver.await;
    Ok(())
}

async fn find_key(
    client: &impl deadpool_postgres::GenericClient,
    owner: &str,
    key: &str,
) -> Result<Option<(JobStatus, String)>, StoreError> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {STATUS_COLUMNS}, body_hash FROM jobs WHERE owner = $1 AND idempotency_key = $2"
            ),
            &[&owner, &key],
        )
        .await?;
    row.map(|r| Ok((to_status(&r)?, r.try_get(13)?)))
        .transpose()
}

/// A new database `mediation_test_<random>` on the server of `url`, migrated: its URL.
pub(super) async fn fresh_database(url: &str) -> Result<String, StoreError> {
    let url = empty_database(url).await?;
    PgStore::migrate(&url).await?;
    Ok(url)
}

/// A new database `mediation_test_<random>` on the server of `url`, without the schema:
/// its URL.
async fn empty_database(url: &str) -> Result<String, StoreError> {
    let config = parse_url(url)?;
    let (client, connection) = config.connect(NoTls).await?;
    let driver = tokio::spawn(connection);
    let name = format!("mediation_test_{}", Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    drop(client);
    let _ = driver.await;
    Ok(url_of(&config, &name))
}

/// A connection string for `config` with database `db` (key=value form, which
/// tokio-postgres parses as it parses URLs).
fn url_of(config: &tokio_postgres::Config, db: &str) -> String {
    let mut parts = Vec::new();
    if let Some(tokio_postgres::config::Host::Tcp(host)) = config.get_hosts().first() {
        parts.push(format!("host={host}"));
    }
    if let Some(port) = config.get_ports().first() {
        parts.push(format!("port={port}"));
    }
    if let Some(user) = config.get_user() {
        parts.push(format!("user={user}"));
    }
    if let Some(password) = config.get_password() {
        parts.push(format!(
            "password='{}'",
            String::from_utf8_lossy(password)
                .replace('\\', "\\\\")
                .replace('\'', "\\'")
        ));
    }
    parts.push(format!("dbname={db}"));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    //! What only the PostgreSQL store does: its schema, applied on request and refused when
    //! missing, older or newer. The shared contract is tested in `store/mod.rs`.
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    fn refusal(result: Result<PgStore, StoreError>) -> String {
        match result {
            Err(e @ StoreError::Refused { .. }) => e.to_string(),
            Err(e) => panic!("refused for another reason: {e}"),
            Ok(_) => panic!("connected"),
        }
    }

    #[test]
    fn the_schema_is_applied_on_request_and_refused_when_missing_or_newer() {
        let Some(url) = super::super::test_database_url("postgres::schema") else {
            return;
        };
        runtime().block_on(async {
            let db = empty_database(&url).await.unwrap();
            let message = refusal(PgStore::connect(&db).await);
            assert!(message.contains("has no job schema"), "{message}");
            assert!(message.contains("migrate"), "{message}");
            assert!(
                !message.contains("mediation@"),
                "no user in messages: {message}"
            );

            assert_eq!(PgStore::migrate(&db).await.unwrap(), (0, PG_SCHEMA_VERSION));
            assert_eq!(
                PgStore::migrate(&db).await.unwrap(),
                (PG_SCHEMA_VERSION, PG_SCHEMA_VERSION),
                "a second migrate changes nothing"
            );
            PgStore::connect(&db).await.unwrap();

            let (client, connection) = tokio_postgres::connect(&db, NoTls).await.unwrap();
            let driver = tokio::spawn(connection);
            client
                .execute(
                    "UPDATE mediation_schema SET version = $1",
                    &[&(PG_SCHEMA_VERSION + 1)],
                )
                .await
                .unwrap();
            drop(client);
            let _ = driver.await;
            let newer = format!("schema version {}", PG_SCHEMA_VERSION + 1);
            let message = refusal(PgStore::connect(&db).await);
            assert!(message.contains(&newer), "{message}");
            assert!(message.contains("newer build"), "{message}");
            match PgStore::migrate(&db).await {
                Err(e @ StoreError::Refused { .. }) => {
                    assert!(e.to_string().contains(&newer), "{e}")
                }
                other => panic!("migrate over a newer schema: {other:?}"),
            }
        });
    }

    #[test]
    fn an_unreachable_database_is_unavailable_not_an_internal_error() {
        runtime().block_on(async {
            // A port nothing listens on.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let url = format!("postgres://mediation@127.0.0.1:{port}/mediation");
            match PgStore::connect(&url).await {
                Err(StoreError::Unavailable(_)) => {}
                Err(e) => panic!("another error: {e}"),
                Ok(_) => panic!("connected to nothing"),
            }
            match PgStore::connect("not a url at all").await {
                Err(StoreError::Refused { path, found }) => {
                    assert_eq!(path, "--database-url");
                    assert!(
                        found.contains("not a PostgreSQL connection string"),
                        "{found}"
                    );
                }
                other => panic!("{:?}", other.err()),
            }
        });
    }
}
