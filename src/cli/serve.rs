//! `serve`: run the HTTP API (see docs/api.md). Every flag can also come from its
//! `MEDIATION_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{note, CliError};
use crate::api::auth::Keyring;
use crate::api::jobs::AllowEntry;
use crate::api::store::StoreError;
use crate::api::{self, Config, JobStore, PgStore, SqliteStore};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "MEDIATION_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// API keys, `name:key:scope+scope` separated by commas; scopes are read, submit and
    /// admin; `key` may be `sha256:<64 hex>` (the key's hash). Only hashes are kept.
    #[arg(
        long,
        env = "MEDIATION_API_KEYS",
        hide_env_values = true,
        value_name = "KEYS"
    )]
    pub api_keys: Option<String>,
    /// A file of API keys in the same form, one per line (`#` starts a comment).
    #[arg(long, env = "MEDIATION_API_KEYS_FILE", value_name = "FILE")]
    pub api_keys_file: Option<PathBuf>,
    /// The SQLite file that keeps jobs and results across restarts. Created when absent;
    /// an existing file must be this service's database (an older schema is migrated).
    #[arg(
        long,
        env = "MEDIATION_DB",
        default_value = "mediation-jobs.sqlite",
        value_name = "FILE"
    )]
    pub db: PathBuf,
    /// Keep jobs in memory only (lost at exit) instead of the SQLite file.
    #[arg(long, env = "MEDIATION_IN_MEMORY")]
    pub in_memory: bool,
    /// Keep jobs in PostgreSQL (`postgres://user@host:port/db`) instead of the SQLite file,
    /// so that several replicas share one queue (docs/deploy.md). The schema must be this
    /// build's: apply it with `migrate` or `--migrate`.
    #[arg(
        long,
        env = "MEDIATION_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL",
        conflicts_with = "in_memory"
    )]
    pub database_url: Option<String>,
    /// With --database-url: apply the schema's migrations before serving.
    #[arg(long, env = "MEDIATION_MIGRATE", requires = "database_url")]
    pub migrate: bool,
    /// This replica's name in job leases and logs (default: host name and process id).
    #[arg(long, env = "MEDIATION_REPLICA_ID", value_name = "NAME")]
    pub replica_id: Option<String>,
    /// How long a job's claim holds without a heartbeat, in seconds: a replica that dies
    /// loses its jobs to another replica after this long.
    #[arg(
        long,
        env = "MEDIATION_LEASE_SECONDS",
        default_value_t = 10.0,
        value_name = "S"
    )]
    pub lease: f64,
    /// Claims a job may have (each replica that dies while solving it used one); the next
    /// fails it with `attempts_exhausted`.
    #[arg(
        long,
        env = "MEDIATION_MAX_ATTEMPTS",
        default_value_t = 3,
        value_name = "N"
    )]
    pub max_attempts: u32,
    /// Solves that may run at once.
    #[arg(
        long,
        env = "MEDIATION_MAX_CONCURRENT_SOLVES",
        default_value_t = 2,
        value_name = "N"
    )]
    pub max_concurrent_solves: usize,
    /// Submitted jobs that may wait for a solver; beyond it submissions get 503 + Retry-After.
    #[arg(
        long,
        env = "MEDIATION_QUEUE_LEN",
        default_value_t = 64,
        value_name = "N"
    )]
    pub queue_len: usize,
    /// Solver time limit of a job that names none, in seconds.
    #[arg(
        long,
        env = "MEDIATION_DEFAULT_TIME_LIMIT",
        default_value_t = 30.0,
        value_name = "S"
    )]
    pub default_time_limit: f64,
    /// The largest time limit a job may ask for, in seconds.
    #[arg(
        long,
        env = "MEDIATION_MAX_TIME_LIMIT",
        default_value_t = 300.0,
        value_name = "S"
    )]
    pub max_time_limit: f64,
    /// Time limit of the synchronous `POST /v1/rosters/solve`, in seconds.
    #[arg(
        long,
        env = "MEDIATION_SYNC_TIME_LIMIT",
        default_value_t = 5.0,
        value_name = "S"
    )]
    pub sync_time_limit: f64,
    /// The most cases a synchronous solve accepts.
    #[arg(
        long,
        env = "MEDIATION_SYNC_MAX_CASES",
        default_value_t = 100,
        value_name = "N"
    )]
    pub sync_max_cases: usize,
    /// Largest request body, in bytes (413 above).
    #[arg(long, env = "MEDIATION_BODY_LIMIT", default_value_t = 4 * 1024 * 1024, value_name = "BYTES")]
    pub body_limit: usize,
    /// Requests taking longer are answered 408, in seconds.
    #[arg(
        long,
        env = "MEDIATION_REQUEST_TIMEOUT",
        default_value_t = 30,
        value_name = "S"
    )]
    pub request_timeout: u64,
    /// How long finished jobs are kept, in seconds (default 7 days).
    #[arg(long, env = "MEDIATION_JOB_RETENTION", default_value_t = 7 * 24 * 3600, value_name = "S")]
    pub job_retention: u64,
    /// Requests per minute each API key may make to /v1 (0: no limit); over it, 429 with
    /// Retry-After.
    #[arg(
        long,
        env = "MEDIATION_RATE_LIMIT",
        default_value_t = 0,
        value_name = "N"
    )]
    pub rate_limit: u32,
    /// Hosts that callback URLs may name, separated by commas (none: callbacks refused):
    /// host names, IP addresses or CIDR blocks. Checked at submission and again at
    /// delivery, when a loopback, private or link-local address is refused unless that
    /// address (or a block containing it) is listed.
    #[arg(
        long,
        env = "MEDIATION_CALLBACK_HOSTS",
        value_delimiter = ',',
        value_name = "HOSTS"
    )]
    pub callback_hosts: Vec<String>,
    /// Attempts per callback, with doubling waits from half a second.
    #[arg(
        long,
        env = "MEDIATION_CALLBACK_ATTEMPTS",
        default_value_t = 3,
        value_name = "N"
    )]
    pub callback_attempts: u32,
    /// On SIGTERM/SIGINT, how long running requests and solves may take to finish, in
    /// seconds; an upper bound: solves still running then are interrupted, their jobs put
    /// back to queued (they run again at the next start) and the process exits.
    #[arg(
        long,
        env = "MEDIATION_SHUTDOWN_GRACE",
        default_value_t = 30,
        value_name = "S"
    )]
    pub shutdown_grace: u64,
    /// The memory budget in candidate meetings (about 350 bytes each): a submission
    /// estimated above it is refused with 422 `problem_too_large`; 0 lifts it.
    #[arg(
        long = "max-candidates",
        env = "MEDIATION_MAX_CANDIDATES",
        default_value_t = mediation_solver::milp::DEFAULT_MAX_CANDIDATES,
        value_name = "N"
    )]
    pub max_candidates: u64,
    #[command(flatten)]
    pub calendar: super::roster::CalendarArgs,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "MEDIATION_LOG_JSON")]
    pub log_json: bool,
    /// Log filter (tracing env-filter syntax), e.g. `info` or `mediation_scheduler=debug`.
    #[arg(
        long,
        env = "MEDIATION_LOG",
        default_value = "info",
        value_name = "FILTER"
    )]
    pub log: String,
}

impl ServeArgs {
    /// The service configuration these flags describe.
    pub fn config(&self) -> Result<Config, CliError> {
        let mut keys = Keyring::default();
        if let Some(spec) = &self.api_keys {
            keys = Keyring::parse(spec).map_err(|e| CliError::Usage(e.to_string()))?;
        }
        if let Some(path) = &self.api_keys_file {
            let text = super::read_file("API keys file", path)?;
            let more = Keyring::parse(&text).map_err(|e| CliError::Usage(e.to_string()))?;
            keys.extend(more)
                .map_err(|e| CliError::Usage(e.to_string()))?;
        }
        if keys.is_empty() {
            return Err(CliError::Usage(
                "no API keys: set MEDIATION_API_KEYS or MEDIATION_API_KEYS_FILE (see --help)"
                    .into(),
            ));
        }
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(v)
            } else {
                Err(CliError::Usage(format!(
                    "{name} must be a number of seconds above 0"
                )))
            }
        };
        Ok(Config {
            keys,
            max_concurrent_solves: self.max_concurrent_solves.max(1),
            queue_len: self.queue_len,
            default_time_limit_secs: positive("--default-time-limit", self.default_time_limit)?,
            max_time_limit_secs: positive("--max-time-limit", self.max_time_limit)?,
            sync_time_limit_secs: positive("--sync-time-limit", self.sync_time_limit)?,
            sync_max_cases: self.sync_max_cases,
            body_limit_bytes: self.body_limit,
            request_timeout: Duration::from_secs(self.request_timeout.max(1)),
            job_retention: Duration::from_secs(self.job_retention),
            rate_limit_per_minute: self.rate_limit,
            callback_hosts: callback_hosts(&self.callback_hosts)?,
            callback_attempts: self.callback_attempts.max(1),
            callback_backoff: Duration::from_millis(500),
            shutdown_grace: Duration::from_secs(self.shutdown_grace),
            max_candidates: (self.max_candidates > 0).then_some(self.max_candidates),
            calendar_domain: self.calendar.domain.clone(),
            calendar_organizer: self.calendar.organizer.clone(),
            replica_id: match &self.replica_id {
                Some(name) if name.trim().is_empty() || name.len() > 200 => {
                    return Err(CliError::Usage(
                        "--replica-id (MEDIATION_REPLICA_ID) must be 1–200 characters".into(),
                    ))
                }
                Some(name) => name.trim().to_string(),
                None => api::config::default_replica_id(),
            },
            lease: Duration::from_secs_f64(positive("--lease", self.lease)?.max(0.5)),
            poll_interval: Duration::from_secs(1),
            max_attempts: if self.max_attempts == 0 {
                return Err(CliError::Usage(
                    "--max-attempts (MEDIATION_MAX_ATTEMPTS) must be at least 1".into(),
                ));
            } else {
                self.max_attempts
            },
        })
    }
}

/// The callback allow-list, each entry checked: a host name, an IP address or a CIDR block.
fn callback_hosts(entries: &[String]) -> Result<Vec<String>, CliError> {
    entries
        .iter()
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .map(|h| {
            AllowEntry::parse(h).map(|_| h.to_string()).map_err(|e| {
                CliError::Usage(format!(
                    "--callback-hosts (MEDIATION_CALLBACK_HOSTS): {e}; use host names, IP \
                     addresses or CIDR blocks such as 10.0.0.0/8, separated by commas"
                ))
            })
        })
        .collect()
}

fn init_logging(args: &ServeArgs) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&args.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // A second initialisation (tests) is not an error worth stopping for.
    let _ = if args.log_json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub fn run(args: &ServeArgs) -> Result<u8, CliError> {
    let config = args.config()?;
    init_logging(args);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the runtime: {e}")))?;
    let result = runtime.block_on(serve(args, config));
    // The grace was spent in `serve`: solves still running were interrupted and their jobs
    // put back to queued, so their threads are abandoned here rather than waited for (a
    // microlp solve may not stop at once). The store is durable; the jobs run again at the
    // next start.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

/// `migrate`: applies the job schema to a PostgreSQL database.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database (`postgres://user@host:port/db`).
    #[arg(
        long,
        env = "MEDIATION_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: String,
}

pub fn migrate(args: &MigrateArgs) -> Result<u8, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the runtime: {e}")))?;
    let (from, to) = runtime
        .block_on(PgStore::migrate(&args.database_url))
        .map_err(|e| CliError::Usage(format!("--database-url (MEDIATION_DATABASE_URL): {e}")))?;
    if from == to {
        note(&format!("the job schema is at version {to}; nothing to do"));
    } else {
        note(&format!("the job schema went from version {from} to {to}"));
    }
    Ok(0)
}

async fn serve(args: &ServeArgs, config: Config) -> Result<u8, CliError> {
    let store: Arc<dyn JobStore> = if let Some(url) = &args.database_url {
        let refused = |e: StoreError| {
            CliError::Usage(format!("--database-url (MEDIATION_DATABASE_URL): {e}"))
        };
        if args.migrate {
            let (from, to) = PgStore::migrate(url).await.map_err(refused)?;
            if from != to {
                tracing::info!(from, to, "job schema migrated");
            }
        }
        Arc::new(PgStore::connect(url).await.map_err(refused)?)
    } else if args.in_memory {
        Arc::new(SqliteStore::in_memory().map_err(|e| CliError::Usage(e.to_string()))?)
    } else {
        Arc::new(SqliteStore::open(&args.db).map_err(|e| match e {
            StoreError::Refused { .. } => CliError::Usage(format!("--db (MEDIATION_DB): {e}")),
            e => CliError::Usage(format!("cannot open `{}`: {e}", args.db.display())),
        })?)
    };
    let keys = config.keys.len();
    let app = api::app(config, store)
        .await
        .map_err(|e| CliError::Usage(format!("cannot start: {e}")))?;
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", args.bind)))?;
    let addr = listener.local_addr().map_or(args.bind, |a| a);
    tracing::info!(%addr, keys, "listening; docs at /docs");
    note(&format!("listening on http://{addr} (docs at /docs)"));
    app.serve(listener, shutdown_signal())
        .await
        .map_err(|e| CliError::Usage(format!("server error: {e}")))?;
    tracing::info!("stopped");
    Ok(0)
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; finishing running solves");
}
