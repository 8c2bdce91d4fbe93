//! The service's settings: one plain struct, filled by `serve`'s flags and `MEDIATION_*`
//! environment variables (see `src/cli/serve.rs`) or built directly by tests.

use std::time::Duration;

use super::auth::Keyring;

/// Everything the service needs to know at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// API keys (hashes only) and their scopes.
    pub keys: Keyring,
    /// Solves that may run at once (worker threads of the solve pool).
    pub max_concurrent_solves: usize,
    /// Submitted jobs that may wait for a worker; one more is answered 503.
    pub queue_len: usize,
    /// Solver time limit when a submission names none, in seconds.
    pub default_time_limit_secs: f64,
    /// The largest time limit a submission may ask for, in seconds.
    pub max_time_limit_secs: f64,
    /// The time limit of `POST /v1/rosters/solve` (the synchronous solve), in seconds.
    pub sync_time_limit_secs: f64,
    /// The most cases a synchronous solve accepts; larger problems go through the queue.
    pub sync_max_cases: usize,
    /// Largest request body accepted, in bytes (413 above).
    pub body_limit_bytes: usize,
    /// A request that takes longer is answered 408 (solves of submitted jobs go on).
    pub request_timeout: Duration,
    /// Finished jobs are deleted this long after they finish.
    pub job_retention: Duration,
    /// Requests per minute each API key may make to `/v1` (0: no limit); over it, 429.
    pub rate_limit_per_minute: u32,
    /// Hosts that callbacks may be sent to (exact host names or IP addresses).
    pub callback_hosts: Vec<String>,
    /// Attempts per callback (at least 1), with doubling waits between them.
    pub callback_attempts: u32,
    /// First wait between callback attempts.
    pub callback_backoff: Duration,
    /// On shutdown, how long running solves may take to finish before they are left to be
    /// re-queued at the next start.
    pub shutdown_grace: Duration,
    /// The memory budget in candidate meetings: a submission estimated above it is refused
    /// (422 `problem_too_large`) and a solve that outgrows it fails (`memory_budget`).
    /// `None`: no budget.
    pub max_candidates: Option<u64>,
    /// Domain of calendar UIDs (`<case>@<domain>`); `mediation-scheduler.invalid` if unset.
    pub calendar_domain: Option<String>,
    /// ORGANIZER of calendar events (`mailto:`); `mailto:roster@<domain>` if unset.
    pub calendar_organizer: Option<String>,
    /// This replica's name in the leases it holds and in logs.
    pub replica_id: String,
    /// How long a claim holds without a heartbeat: a replica that dies loses its jobs to
    /// another after this long.
    pub lease: Duration,
    /// How often an idle worker looks for work when no announcement came.
    pub poll_interval: Duration,
    /// Claims a job may have before it fails with `attempts_exhausted`.
    pub max_attempts: u32,
}

impl Config {
    /// How often a solving job's lease is renewed (and a cancel made on another replica
    /// seen): a sixth of the lease, between a tenth and a half of a second.
    pub fn heartbeat(&self) -> Duration {
        (self.lease / 6).clamp(Duration::from_millis(100), Duration::from_millis(500))
    }
}

/// A replica name: the host's name and this process's id.
pub fn default_replica_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "replica".into());
    format!("{host}-{}", std::process::id())
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keys: Keyring::default(),
            max_concurrent_solves: 2,
            queue_len: 64,
            default_time_limit_secs: 30.0,
            max_time_limit_secs: 300.0,
            sync_time_limit_secs: 5.0,
            sync_max_cases: 100,
            body_limit_bytes: 4 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            job_retention: Duration::from_secs(7 * 24 * 3600),
            rate_limit_per_minute: 0,
            callback_hosts: Vec::new(),
            callback_attempts: 3,
            callback_backoff: Duration::from_millis(500),
            shutdown_grace: Duration::from_secs(30),
            max_candidates: Some(mediation_solver::milp::DEFAULT_MAX_CANDIDATES),
            calendar_domain: None,
            calendar_organizer: None,
            replica_id: default_replica_id(),
            lease: Duration::from_secs(10),
            poll_interval: Duration::from_secs(1),
            max_attempts: 3,
        }
    }
}
