//! Several `serve` processes on one PostgreSQL database (when
//! `MEDIATION_TEST_DATABASE_URL` is set): jobs shared across replicas, a replica killed
//! while solving, what-if scenarios fanned out, the database stopped and started again.
//!
//! Each replica is the real binary, its standard error in a file of the test's temporary
//! directory; a test that fails prints the tail of every replica's log and keeps the
//! directory. Every child process is killed (and reaped) when its test ends, panic or not.
//! These tests run one at a time ([`SERIAL`]): each starts several processes on a small
//! machine, and one measures wall times.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mediation_scheduler::api::store::{fresh_pg_database, test_database_url};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, Response};
use serde_json::{json, Value};
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_mediation-scheduler");
const PG_SH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg.sh");
const WEEK: &str = include_str!("../../fixtures/week-2026-12-07.json");
const WHAT_IF: &str = include_str!("../../fixtures/what-if-2026-12-07.json");
/// read + submit + admin, on every replica.
const KEY: &str = "replicas-key-0123456789";

/// One test of this module at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One `serve` process.
struct Replica {
    name: String,
    addr: String,
    log: PathBuf,
    child: Child,
}

impl Replica {
    /// SIGKILL (what `Child::kill` sends on Unix), then reaps the process.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The replicas of one test, their logs in a temporary directory, and an HTTP client.
struct Cluster {
    dir: Option<tempfile::TempDir>,
    replicas: Vec<Replica>,
    client: reqwest::Client,
}

impl Cluster {
    fn new() -> Cluster {
        Cluster {
            dir: Some(tempfile::tempdir().unwrap()),
            replicas: Vec::new(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    fn dir(&self) -> &Path {
        self.dir.as_ref().unwrap().path()
    }

    /// Starts `serve --database-url database --replica-id name` on a port of its own, with
    /// `args` on top; waits for its "listening" line. Its index.
    async fn start(&mut self, name: &str, database: &str, args: &[&str]) -> usize {
        let log = self.dir().join(format!("{name}.log"));
        let child = Command::new(BIN)
            .arg("serve")
            .args(["--database-url", database, "--bind", "127.0.0.1:0"])
            .args(["--replica-id", name])
            .args(args)
            .env(
                "MEDIATION_API_KEYS",
                format!("test:{KEY}:read+submit+admin"),
            )
            .env("MEDIATION_LOG", "info")
            .env_remove("MEDIATION_API_KEYS_FILE")
            .env_remove("MEDIATION_IN_MEMORY")
            .env_remove("MEDIATION_MIGRATE")
            .env_remove("MEDIATION_LOG_JSON")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("the binary starts");
        // Kept at once, so that it is killed whatever happens next.
        self.replicas.push(Replica {
            name: name.to_string(),
            addr: String::new(),
            log: log.clone(),
            child,
        });
        let replica = self.replicas.last_mut().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        replica.addr = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let listening = text
                .lines()
                .find_map(|l| l.strip_prefix("listening on http://"))
                .and_then(|rest| rest.split_whitespace().next());
            if let Some(addr) = listening {
                break addr.to_string();
            }
            if let Some(status) = replica.child.try_wait().unwrap() {
                panic!("replica {name} exited ({status}) before listening:\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "replica {name} is not listening after 30 s:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        self.replicas.len() - 1
    }

    fn name(&self, i: usize) -> String {
        self.replicas[i].name.clone()
    }

    fn url(&self, i: usize, path: &str) -> String {
        format!("http://{}{path}", self.replicas[i].addr)
    }

    async fn call(&self, i: usize, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self
            .client
            .request(method, self.url(i, path))
            .bearer_auth(KEY);
        if let Some(body) = body {
            request = request.json(body);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: no answer from {}: {e}", self.replicas[i].name))
    }

    async fn get(&self, i: usize, path: &str) -> Response {
        self.call(i, Method::GET, path, None).await
    }

    /// Submits a JSON body already serialised to `path`; the job id (asserting 202).
    async fn submit_bytes(&self, i: usize, path: &str, body: Vec<u8>) -> String {
        let r = self
            .client
            .post(self.url(i, path))
            .bearer_auth(KEY)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let answer: Value = r.json().await.unwrap();
        assert_eq!(status, 202, "{}: {answer}", self.replicas[i].name);
        answer["id"].as_str().unwrap().to_string()
    }

    async fn status(&self, i: usize, id: &str) -> Value {
        let r = self.get(i, &format!("/v1/rosters/{id}/status")).await;
        let code = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(code, 200, "{}: {body}", self.replicas[i].name);
        body
    }

    /// The whole job (with its result when done), from replica `i`.
    async fn job(&self, i: usize, id: &str) -> Value {
        let r = self.get(i, &format!("/v1/rosters/{id}")).await;
        let code = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(code, 200, "{}: {body}", self.replicas[i].name);
        body
    }

    /// `/readyz` of replica `i`: its status and body.
    async fn readyz(&self, i: usize) -> (u16, Value) {
        let r = self.get(i, "/readyz").await;
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// Polls each job, asking the replicas of `via` in turn, until it is finished; the
    /// final status of each.
    async fn wait_finished(&self, ids: &[String], via: &[usize], limit: Duration) -> Vec<Value> {
        let deadline = Instant::now() + limit;
        let mut turn = 0;
        let mut finished = Vec::new();
        for id in ids {
            loop {
                let s = self.status(via[turn % via.len()], id).await;
                turn += 1;
                if ["done", "failed", "cancelled"].contains(&s["state"].as_str().unwrap_or("")) {
                    finished.push(s);
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "job {id} is still {} after {limit:?}",
                    s["state"]
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        finished
    }

    /// Every line of every replica's log (the killed ones' too).
    fn all_logs(&self) -> String {
        self.replicas
            .iter()
            .map(|r| std::fs::read_to_string(&r.log).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for replica in &mut self.replicas {
            replica.kill();
        }
        if std::thread::panicking() {
            for replica in &self.replicas {
                eprintln!(
                    "---- last lines of replica {} ({}) ----\n{}",
                    replica.name,
                    replica.log.display(),
                    tail(&replica.log, 40)
                );
            }
            if let Some(dir) = self.dir.take() {
                eprintln!("replica logs kept in {}", dir.keep().display());
            }
        }
    }
}

/// The last `n` lines of a file.
fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| format!("(unreadable: {e})"));
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A connection to the database at `url`, for looking at the jobs and claims.
async fn db(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("the test database answers");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// `mediation-scheduler generate` with these arguments: the problem.
fn generated(cases: u32, mediators: u32, venues: u32, seed: u32) -> Value {
    let o = Command::new(BIN)
        .arg("generate")
        .args(["--cases", &cases.to_string()])
        .args(["--mediators", &mediators.to_string()])
        .args(["--venues", &venues.to_string()])
        .args(["--seed", &seed.to_string()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn week() -> Value {
    serde_json::from_str(WEEK).unwrap()
}

/// How many lines of `logs` say the job `id` finished (its outcome stored).
fn finished_lines(logs: &str, id: &str) -> usize {
    logs.lines()
        .filter(|l| l.contains("job finished") && l.contains(id))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_share_sixty_jobs_and_survive_a_kill() {
    let Some(server) =
        test_database_url("replicas::three_replicas_share_sixty_jobs_and_survive_a_kill")
    else {
        return;
    };
    let _one_at_a_time = SERIAL.lock().await;
    let began = Instant::now();
    let url = fresh_pg_database(&server).await.expect("a fresh database");
    let pg = db(&url).await;
    // 150 cases stop at a 1 s limit after about a second of solving; the shipped week is
    // proven optimal in a few hundredths of a second, which leaves nothing to interrupt.
    let problem = generated(150, 60, 30, 2);
    let mut cluster = Cluster::new();
    for name in ["replica-a", "replica-b", "replica-c"] {
        cluster.start(name, &url, &["--lease", "2"]).await;
    }
    let body = serde_json::to_vec(&json!({
        "problem": problem,
        "options": { "time_limit_secs": 1 },
    }))
    .unwrap();
    let mut ids = Vec::new();
    for n in 0..60 {
        ids.push(
            cluster
                .submit_bytes(n % 3, "/v1/rosters", body.clone())
                .await,
        );
    }
    let submitted = began.elapsed();

    // Kill replica-b while it solves a job it claimed moments ago (so that the solve is
    // far from its end).
    let victim = 1;
    let victim_name = cluster.name(victim);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let fresh: i64 = pg
            .query_one(
                "SELECT count(*) FROM jobs j
                 JOIN claims c ON c.job = j.id AND c.attempt = j.attempts
                 WHERE j.lease_owner = $1 AND j.state = 'solving'
                   AND c.claimed_at > now() - interval '400 milliseconds'",
                &[&victim_name],
            )
            .await
            .unwrap()
            .get(0);
        if fresh > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{victim_name} was never seen solving a fresh claim"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cluster.replicas[victim].kill();
    let in_flight: Vec<(Uuid, i32)> = pg
        .query(
            "SELECT id, attempts FROM jobs WHERE lease_owner = $1 AND state = 'solving'",
            &[&victim_name],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(
        !in_flight.is_empty(),
        "no job was solving on {victim_name} when it was killed"
    );
    let killed_at = began.elapsed();

    // Everything finishes, polled through the survivors.
    let survivors = [0, 2];
    let finished = cluster
        .wait_finished(&ids, &survivors, Duration::from_secs(90))
        .await;
    let all_done = began.elapsed();
    for s in &finished {
        assert_eq!(s["state"], "done", "{s}");
    }

    // One stored result per job: 60 jobs, each done with a result, and each recorded by
    // exactly one replica (a replica that lost its claim cannot record its outcome).
    let row = pg
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE state = 'done' AND result IS NOT NULL)
             FROM jobs WHERE parent IS NULL",
            &[],
        )
        .await
        .unwrap();
    let (jobs, with_result): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!((jobs, with_result), (60, 60));
    let logs = cluster.all_logs();
    for id in &ids {
        assert_eq!(
            finished_lines(&logs, id),
            1,
            "job {id}: not exactly one replica recorded its outcome"
        );
    }

    // The killed replica's jobs were claimed again, by another replica, as attempt 2.
    for (id, attempt) in &in_flight {
        let again = pg
            .query(
                "SELECT replica FROM claims WHERE job = $1 AND attempt = $2",
                &[id, &(attempt + 1)],
            )
            .await
            .unwrap();
        assert_eq!(
            again.len(),
            1,
            "job {id} (attempt {attempt} on {victim_name}): claims of attempt {}: {}",
            attempt + 1,
            again.len()
        );
        let replica: String = again[0].get(0);
        assert_ne!(replica, victim_name, "job {id}");
    }

    // No claim while the lease it replaced was live, none after the job finished.
    let early = pg
        .query(
            "SELECT job::text, attempt, replica, claimed_at::text, previous_lease_expires::text
             FROM claims
             WHERE previous_lease_expires IS NOT NULL AND claimed_at < previous_lease_expires",
            &[],
        )
        .await
        .unwrap();
    let early: Vec<String> = early
        .iter()
        .map(|r| {
            let (job, attempt, replica, at, lease): (String, i32, String, String, String) =
                (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
            format!("{job} attempt {attempt} by {replica} at {at}, lease until {lease}")
        })
        .collect();
    assert!(early.is_empty(), "claimed under a live lease: {early:#?}");
    let late = pg
        .query(
            "SELECT c.job::text, c.attempt, c.replica FROM claims c JOIN jobs j ON j.id = c.job
             WHERE c.claimed_at > j.finished_at",
            &[],
        )
        .await
        .unwrap();
    let late: Vec<String> = late
        .iter()
        .map(|r| {
            let (job, attempt, replica): (String, i32, String) = (r.get(0), r.get(1), r.get(2));
            format!("{job} attempt {attempt} by {replica}")
        })
        .collect();
    assert!(late.is_empty(), "claimed after it finished: {late:#?}");

    // Takeovers of jobs whose replica was alive would mean a missed heartbeat: shown, so
    // that a loaded machine's behaviour can be read from the output.
    let takeovers = pg
        .query(
            "SELECT c.job, c.replica,
                    EXTRACT(EPOCH FROM c.claimed_at - c.previous_lease_expires)::float8
             FROM claims c WHERE c.previous_lease_expires IS NOT NULL",
            &[],
        )
        .await
        .unwrap();
    for t in &takeovers {
        let (job, replica, after): (Uuid, String, f64) = (t.get(0), t.get(1), t.get(2));
        let from_victim = in_flight.iter().any(|(id, _)| *id == job);
        eprintln!(
            "replicas: job {job} taken over by {replica} {after:.2} s after the lease expired{}",
            if from_victim {
                String::new()
            } else {
                " (NOT a job of the killed replica: a live replica lost its lease)".into()
            }
        );
    }
    let per_replica = pg
        .query(
            "SELECT replica, count(*) FROM claims GROUP BY replica ORDER BY replica",
            &[],
        )
        .await
        .unwrap();
    let per_replica: Vec<String> = per_replica
        .iter()
        .map(|r| format!("{} {}", r.get::<_, String>(0), r.get::<_, i64>(1)))
        .collect();

    // Every roster passes the independent checker.
    for (n, id) in ids.iter().enumerate() {
        let job = cluster.job(survivors[n % 2], id).await;
        let roster = &job["result"]["roster"];
        assert!(roster["meetings"].is_array(), "job {id}: {job}");
        let r = cluster
            .call(
                survivors[(n + 1) % 2],
                Method::POST,
                "/v1/check",
                Some(&json!({ "problem": problem, "roster": roster })),
            )
            .await;
        assert_eq!(r.status(), 200);
        let check: Value = r.json().await.unwrap();
        assert_eq!(check["valid"], true, "job {id}: {check}");
        assert_eq!(check["violations"], json!([]), "job {id}: {check}");
    }
    eprintln!(
        "replicas: 60 jobs submitted in {:.1} s, {victim_name} killed at {:.1} s with {} job(s) \
         solving, all done at {:.1} s; claims per replica: {}; test took {:.1} s",
        submitted.as_secs_f64(),
        killed_at.as_secs_f64(),
        in_flight.len(),
        all_done.as_secs_f64(),
        per_replica.join(", "),
        began.elapsed().as_secs_f64()
    );
}

/// The shipped what-if file's eight scenarios and eight more, each proven optimal in a
/// fraction of a second; the base as the fixture names it (a file name).
fn sixteen_scenarios() -> Value {
    let mut doc: Value = serde_json::from_str(WHAT_IF).unwrap();
    let more = json!([
        { "name": "m003-leaves", "changes": [{ "kind": "remove_mediator", "id": "M003" }] },
        { "name": "m005-and-m007-leave", "changes": [
            { "kind": "remove_mediator", "id": "M005" },
            { "kind": "remove_mediator", "id": "M007" } ] },
        { "name": "v015-closed", "changes": [
            { "kind": "venue_closed", "venue": "V015", "dates": ["2026-12-07", "2026-12-08"] } ] },
        { "name": "demand-minus-30", "changes": [
            { "kind": "scale_demand", "factor": 0.7, "seed": 3 } ] },
        { "name": "demand-plus-50", "changes": [
            { "kind": "scale_demand", "factor": 1.5, "seed": 11 } ] },
        { "name": "mediator-travel-x3", "changes": [
            { "kind": "weights", "weights": { "mediator_km": 30 } } ] },
        { "name": "two-weeks-no-repeat", "changes": [
            { "kind": "horizon", "weeks": 2, "repeat_availability": false } ] },
        { "name": "demand-plus-20-herts", "changes": [
            { "kind": "scale_demand", "factor": 1.2, "seed": 5 },
            { "kind": "add_mediator", "id": "M028", "home_area": "E07000243",
              "covers": ["E10000015", "E06000032", "E06000055"], "sessions_per_week": 5 } ] },
    ]);
    let scenarios = doc["scenarios"].as_array_mut().unwrap();
    scenarios.extend(more.as_array().unwrap().iter().cloned());
    assert_eq!(scenarios.len(), 16);
    doc
}

/// `value` without its timings (every field whose name ends in `_seconds`).
fn without_timings(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(k, _)| !k.ends_with("_seconds"))
                .map(|(k, v)| (k.clone(), without_timings(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_timings).collect()),
        other => other.clone(),
    }
}

/// The JSON pointer of the first place where `a` and `b` differ, with both values there.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let here = format!("{at}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_difference(u, v, &here) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some(format!("{here}: {u:?} vs {v:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

/// A what-if job on `replicas` fresh replicas sharing a fresh database: the wall time from
/// its submission until a poll sees it done, its table, and the replica that last claimed
/// each child job (by scenario index).
async fn what_if_on(server: &str, replicas: usize, doc: &Value) -> (Duration, Value, Vec<String>) {
    let url = fresh_pg_database(server).await.expect("a fresh database");
    let pg = db(&url).await;
    let mut cluster = Cluster::new();
    for n in 0..replicas {
        cluster.start(&format!("replica-{n}"), &url, &[]).await;
    }
    let body = serde_json::to_vec(&json!({
        "what_if": doc,
        "options": { "time_limit_secs": 30 },
    }))
    .unwrap();
    let began = Instant::now();
    let id = cluster.submit_bytes(0, "/v1/what-if", body).await;
    let poller = replicas - 1;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let s = cluster.status(poller, &id).await;
        if s["state"] == "done" {
            break;
        }
        assert!(
            s["state"] == "queued" || s["state"] == "solving",
            "what-if job: {s}"
        );
        assert!(
            Instant::now() < deadline,
            "what-if job still {s} after 120 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = began.elapsed();
    let job = cluster.job(poller, &id).await;
    let parent = Uuid::parse_str(&id).unwrap();
    let children = pg
        .query(
            "SELECT scenario, state, lease_owner FROM jobs WHERE parent = $1 ORDER BY scenario",
            &[&parent],
        )
        .await
        .unwrap();
    let owners = children
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (scenario, state, owner): (i32, String, Option<String>) =
                (r.get(0), r.get(1), r.get(2));
            assert_eq!(scenario, i32::try_from(i).unwrap());
            assert_eq!(state, "done", "scenario {scenario}");
            owner.unwrap_or_else(|| panic!("scenario {scenario} has no lease owner"))
        })
        .collect();
    (took, job["result"].clone(), owners)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_if_scenarios_fan_out_across_three_replicas() {
    let Some(server) =
        test_database_url("replicas::what_if_scenarios_fan_out_across_three_replicas")
    else {
        return;
    };
    let _one_at_a_time = SERIAL.lock().await;
    let began = Instant::now();
    let file_doc = sixteen_scenarios();
    let mut doc = file_doc.clone();
    doc["base"] = week();
    let names: Vec<String> = std::iter::once("base".to_string())
        .chain(
            doc["scenarios"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string()),
        )
        .collect();

    // The single-process table: the command line on the same document, the base beside it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("week-2026-12-07.json"), WEEK).unwrap();
    let file = dir.path().join("what-if.json");
    std::fs::write(&file, serde_json::to_string_pretty(&file_doc).unwrap()).unwrap();
    let cli_began = Instant::now();
    let o = Command::new(BIN)
        .arg("what-if")
        .arg(&file)
        .args(["--format", "json", "--time-limit", "30"])
        .output()
        .unwrap();
    let cli_took = cli_began.elapsed();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cli: Value = serde_json::from_slice(&o.stdout).unwrap();
    let cli_rows = cli["scenarios"].as_array().unwrap();
    assert_eq!(cli_rows.len(), 17);

    let (three_took, table, owners) = what_if_on(&server, 3, &doc).await;
    let (one_took, one_table, _) = what_if_on(&server, 1, &doc).await;

    let mut solvers = owners.clone();
    solvers.sort();
    solvers.dedup();
    assert!(
        solvers.len() >= 2,
        "every scenario was solved by {solvers:?}: {owners:?}"
    );
    for (replicas, table) in [(3, &table), (1, &one_table)] {
        let rows = table["scenarios"].as_array().expect("a scenarios array");
        let got: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(got, names, "{replicas} replica(s)");
        for (row, cli_row) in rows.iter().zip(cli_rows) {
            assert!(row.get("failed").is_none(), "{row}");
            assert!(row["figures"].is_object() && row["roster"].is_object());
            let name = &row["name"];
            let difference = first_difference(
                &without_timings(row),
                &without_timings(cli_row),
                &format!("/scenarios/{name}"),
            );
            assert!(
                difference.is_none(),
                "{replicas} replica(s): scenario {name} differs from the command line's at {}",
                difference.unwrap_or_default()
            );
        }
    }
    let per_replica: Vec<String> = solvers
        .iter()
        .map(|r| format!("{r} {}", owners.iter().filter(|o| *o == r).count()))
        .collect();
    eprintln!(
        "TIMING: what-if, 16 scenarios and the base, 3 replicas (2 slots each, one database): \
         {:.2} s; scenarios per replica: {}",
        three_took.as_secs_f64(),
        per_replica.join(", ")
    );
    eprintln!(
        "TIMING: what-if, 16 scenarios and the base, 1 replica (2 slots): {:.2} s",
        one_took.as_secs_f64()
    );
    eprintln!(
        "TIMING: what-if, 16 scenarios and the base, command line (one process, in parallel): \
         {:.2} s",
        cli_took.as_secs_f64()
    );
    eprintln!("replicas: test took {:.1} s", began.elapsed().as_secs_f64());
}

/// A throwaway PostgreSQL cluster of this test alone (scripts/pg.sh), stopped when
/// dropped.
struct OwnPostgres {
    dir: Option<tempfile::TempDir>,
}

impl OwnPostgres {
    fn dir(&self) -> &Path {
        self.dir.as_ref().unwrap().path()
    }

    /// `pg.sh start`: the URL.
    fn start(&self) -> String {
        let o = Command::new(PG_SH)
            .arg("start")
            .arg(self.dir())
            .env("PG_FAST", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "pg.sh start: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap().trim().to_string()
    }

    /// `pg.sh stop`.
    fn stop(&self) {
        let o = Command::new(PG_SH)
            .arg("stop")
            .arg(self.dir())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "pg.sh stop: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = Command::new(PG_SH)
            .arg("stop")
            .arg(self.dir())
            .stdin(Stdio::null())
            .output();
        if std::thread::panicking() {
            if let Some(dir) = self.dir.take() {
                eprintln!(
                    "---- last lines of the PostgreSQL log ----\n{}",
                    tail(&dir.path().join("log"), 30)
                );
                eprintln!("PostgreSQL cluster kept in {}", dir.keep().display());
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_stopped_and_started_again_loses_nothing() {
    if test_database_url("replicas::the_database_stopped_and_started_again_loses_nothing").is_none()
    {
        return;
    }
    let _one_at_a_time = SERIAL.lock().await;
    let began = Instant::now();
    // Its own cluster: the shared one serves the other tests meanwhile.
    let postgres = OwnPostgres {
        dir: Some(tempfile::tempdir().unwrap()),
    };
    let url = postgres.start();
    let o = Command::new(BIN)
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut cluster = Cluster::new();
    let replica = cluster
        .start(
            "replica-a",
            &url,
            &["--max-concurrent-solves", "1", "--lease", "2"],
        )
        .await;
    // Short solves (2 s each, one at a time): at the stop one is solving, two wait.
    let problem = generated(150, 60, 30, 2);
    let body = serde_json::to_vec(&json!({
        "problem": problem,
        "options": { "time_limit_secs": 2 },
    }))
    .unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            cluster
                .submit_bytes(replica, "/v1/rosters", body.clone())
                .await,
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster.status(replica, &ids[0]).await["state"] != "solving" {
        assert!(Instant::now() < deadline, "the first job never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    postgres.stop();
    let stopped = Instant::now();
    let asked = Instant::now();
    let (status, ready) = cluster.readyz(replica).await;
    let readyz_took = asked.elapsed();
    assert_eq!(status, 503, "{ready}");
    assert_eq!(ready["store_ok"], false, "{ready}");
    assert_eq!(ready["ready"], false, "{ready}");
    let asked = Instant::now();
    let r = cluster
        .call(
            replica,
            Method::POST,
            "/v1/rosters",
            Some(&json!({ "problem": week(), "options": { "time_limit_secs": 5 } })),
        )
        .await;
    let submit_took = asked.elapsed();
    assert_eq!(r.status(), 503);
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let refused: Value = r.json().await.unwrap();
    assert_eq!(refused["code"], "store_unavailable", "{refused}");
    let r = cluster
        .get(replica, &format!("/v1/rosters/{}/status", ids[1]))
        .await;
    assert_eq!(r.status(), 503);
    let refused: Value = r.json().await.unwrap();
    assert_eq!(refused["code"], "store_unavailable", "{refused}");
    // Down for longer than the lease and than the solve under way: that solve ends while
    // its outcome cannot be stored, and its lease runs out.
    tokio::time::sleep(Duration::from_secs(4).saturating_sub(stopped.elapsed())).await;
    let (status, ready) = cluster.readyz(replica).await;
    assert_eq!(
        (status, &ready["store_ok"]),
        (503, &json!(false)),
        "{ready}"
    );
    let down_for = stopped.elapsed();

    // The same directory, so the same port.
    let again = postgres.start();
    assert_eq!(again, url, "pg.sh start gave another URL");
    let restarted = Instant::now();
    loop {
        let (status, ready) = cluster.readyz(replica).await;
        if status == 200 {
            assert_eq!(ready["store_ok"], true, "{ready}");
            break;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(15),
            "/readyz still {status} 15 s after the database came back: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready_after = restarted.elapsed();

    let finished = cluster
        .wait_finished(&ids, &[replica], Duration::from_secs(60))
        .await;
    for s in &finished {
        assert_eq!(s["state"], "done", "{s}");
    }
    let pg = db(&url).await;
    let row = pg
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE state = 'done' AND result IS NOT NULL)
             FROM jobs",
            &[],
        )
        .await
        .unwrap();
    let (jobs, done): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(
        (jobs, done),
        (3, 3),
        "the 3 jobs done, and nothing stored from the refused submission"
    );
    let attempts: Vec<i32> = pg
        .query("SELECT attempts FROM jobs ORDER BY seq", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    // The job solving at the stop could not store its outcome: claimed again, solved again.
    assert_eq!(
        attempts[0], 2,
        "the job solving while the database was down: attempts per job {attempts:?}"
    );
    eprintln!(
        "replicas: database down {:.1} s (/readyz answered 503 in {:.2} s, the submission in \
         {:.2} s); /readyz 200 again {:.2} s after the restart; attempts per job {attempts:?}; \
         test took {:.1} s",
        down_for.as_secs_f64(),
        readyz_took.as_secs_f64(),
        submit_took.as_secs_f64(),
        ready_after.as_secs_f64(),
        began.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_on_one_replica_stops_a_solve_on_another() {
    let Some(server) =
        test_database_url("replicas::a_cancel_on_one_replica_stops_a_solve_on_another")
    else {
        return;
    };
    let _one_at_a_time = SERIAL.lock().await;
    let began = Instant::now();
    let url = fresh_pg_database(&server).await.expect("a fresh database");
    let pg = db(&url).await;
    // Big enough that a 60 s limit is spent solving, not proving optimality.
    let problem = generated(200, 100, 60, 7);
    let mut cluster = Cluster::new();
    // B alone at first, so that it is the one that claims the job.
    let b = cluster
        .start("replica-b", &url, &["--max-concurrent-solves", "1"])
        .await;
    let body = serde_json::to_vec(&json!({
        "problem": problem,
        "options": { "time_limit_secs": 60 },
    }))
    .unwrap();
    let id = cluster.submit_bytes(b, "/v1/rosters", body).await;
    let uuid = Uuid::parse_str(&id).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let row = pg
            .query_one(
                "SELECT state, lease_owner FROM jobs WHERE id = $1",
                &[&uuid],
            )
            .await
            .unwrap();
        let (state, owner): (String, Option<String>) = (row.get(0), row.get(1));
        if state == "solving" && owner.as_deref() == Some("replica-b") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never solving on replica-b: {state} {owner:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let a = cluster
        .start("replica-a", &url, &["--max-concurrent-solves", "1"])
        .await;
    // Into the solve proper.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, ready) = cluster.readyz(b).await;
    assert_eq!(ready["solves_running"], 1, "{ready}");
    assert_eq!(cluster.status(b, &id).await["state"], "solving");

    let deleted = Instant::now();
    let r = cluster
        .call(a, Method::DELETE, &format!("/v1/rosters/{id}"), None)
        .await;
    assert_eq!(r.status(), 200);
    let after: Value = r.json().await.unwrap();
    assert_eq!(after["state"], "cancelled", "{after}");
    let freed = loop {
        let (_, ready) = cluster.readyz(b).await;
        if ready["solves_running"] == 0 {
            break deleted.elapsed();
        }
        assert!(
            deleted.elapsed() < Duration::from_secs(2),
            "replica-b still solving 2 s after the DELETE on replica-a: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // Cancelled, without a result, seen from both replicas and in the database; and it
    // stays so (whatever the stopped solve returned was discarded).
    tokio::time::sleep(Duration::from_millis(500)).await;
    for replica in [a, b] {
        let job = cluster.job(replica, &id).await;
        assert_eq!(job["state"], "cancelled", "{job}");
        assert!(job["result"].is_null(), "{job}");
    }
    let row = pg
        .query_one(
            "SELECT state, result IS NULL FROM jobs WHERE id = $1",
            &[&uuid],
        )
        .await
        .unwrap();
    let (state, no_result): (String, bool) = (row.get(0), row.get(1));
    assert_eq!((state.as_str(), no_result), ("cancelled", true));
    eprintln!(
        "replicas: replica-b's slot free {:.2} s after the DELETE on replica-a; test took {:.1} s",
        freed.as_secs_f64(),
        began.elapsed().as_secs_f64()
    );
}
