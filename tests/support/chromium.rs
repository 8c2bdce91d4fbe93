//! The outside tools of the tests that look at what people open: headless Chromium (the
//! DOM after load with `--dump-dom`, screenshots, print to PDF, every request the page made
//! with `--log-net-log`), poppler's `pdfinfo`/`pdftotext`, and node with axe-core.
//!
//! Under plain `cargo test` on a machine without a tool these tests print why they skip and
//! pass; with `CI=true` a missing tool fails them (`.ci/run` installs them all), and
//! `MEDIATION_EXTERNAL_TESTS=off` skips them on purpose (`.ci/run` runs them once, in the
//! default-backend step, not again with HiGHS). Shared by `tests/pages.rs` and `tests/it/`.

#![allow(dead_code)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// `MEDIATION_EXTERNAL_TESTS=off`: skip every test that needs an outside tool.
fn switched_off() -> bool {
    std::env::var("MEDIATION_EXTERNAL_TESTS").is_ok_and(|v| v == "off")
}

/// How long one browser or node run may take before the test fails.
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(90);

pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// `Some(tool)`, or `None` after printing why the test is skipped; under `CI=true` a
/// missing tool fails the test instead.
pub fn require<T>(tool: Option<T>, what: &str, install: &str) -> Option<T> {
    if switched_off() {
        eprintln!("SKIPPED: MEDIATION_EXTERNAL_TESTS=off ({what})");
        return None;
    }
    if tool.is_none() {
        assert!(
            !ci(),
            "{what} is missing and CI=true, so this test cannot be skipped ({install})"
        );
        eprintln!("SKIPPED: {what} is missing ({install})");
    }
    tool
}

/// The first executable named `name` on `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

pub fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
        .or_else(|| on_path("chromium"))
        .or_else(|| on_path("chromium-browser"));
    require(found, "chromium", "apt-get install chromium")
}

pub fn poppler() -> Option<(PathBuf, PathBuf)> {
    let found = on_path("pdfinfo").zip(on_path("pdftotext"));
    require(found, "pdfinfo/pdftotext", "apt-get install poppler-utils")
}

/// `node` and `tests/browser` with its packages installed.
pub fn node_and_packages() -> Option<(PathBuf, PathBuf)> {
    let dir = Path::new(MANIFEST_DIR).join("tests/browser");
    let installed = ["axe-core", "playwright-core"]
        .iter()
        .all(|p| dir.join("node_modules").join(p).is_dir());
    let node = require(on_path("node"), "node", "apt-get install nodejs")?;
    require(
        installed.then_some((node, dir)),
        "tests/browser/node_modules",
        "cd tests/browser && npm ci",
    )
}

/// Runs `command` to completion, killing it after [`TOOL_TIMEOUT`].
pub fn run(mut command: Command, what: &str) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > TOOL_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} took more than {TOOL_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// Chromium, headless, with a fresh profile and no network: every name resolves to
/// nothing, so even a request the page should never make leaves the machine.
pub fn run_chromium(chromium: &Path, args: &[&str], url: &str) -> Output {
    let profile = tempfile::tempdir().expect("a profile directory");
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url);
    let output = run(command, "chromium");
    assert!(
        output.status.success(),
        "chromium {args:?} failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The page-initiated requests in a chromium net log (`--log-net-log`): every URL request
/// whose initiator is a page origin. The browser's own background fetches (initiator "not
/// an origin") are not the page's doing and are left out.
pub fn page_requests(net_log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(net_log).expect("the net log was written");
    let log: Value = serde_json::from_str(&text).expect("the net log is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("the net log names URL_REQUEST_START_JOB");
    let events = log["events"].as_array().expect("net log events");
    events
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter_map(|e| {
            let params = &e["params"];
            let url = params["url"].as_str()?;
            let initiator = params["initiator"].as_str().unwrap_or("");
            (initiator != "not an origin").then(|| format!("{url} (initiator {initiator})"))
        })
        .collect()
}

/// A page's requests: URL and the origin of the document that asked for it (`not an
/// origin` for a navigation or a request of the browser's own).
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub initiator: String,
}

/// What a page gave: its DOM after load, and the requests of the run.
#[derive(Debug)]
pub struct Visit {
    pub dom: String,
    pub requests: Vec<Request>,
}

impl Visit {
    /// Requests made by the page itself, plus the navigation to `url`.
    pub fn page_requests(&self, url: &str, origin: &str) -> Vec<&Request> {
        self.requests
            .iter()
            .filter(|r| r.url == url || r.initiator == origin)
            .collect()
    }
}

/// Opens `url`, lets scripts run for `virtual_ms` of virtual time, and returns the DOM
/// and every request of the run.
pub fn visit(chromium: &Path, url: &str, virtual_ms: Option<u32>) -> Visit {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let net_log = dir.path().join("net.json");
    let mut args = vec![format!("--log-net-log={}", net_log.display())];
    if let Some(ms) = virtual_ms {
        args.push(format!("--virtual-time-budget={ms}"));
    }
    args.push("--dump-dom".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_chromium(chromium, &args, url);
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&net_log).expect("net log"))
        .expect("the net log is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64();
    let requests = log["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter(|e| e["type"].as_u64() == start_job)
                .filter_map(|e| {
                    Some(Request {
                        url: e["params"]["url"].as_str()?.to_string(),
                        initiator: e["params"]["initiator"]
                            .as_str()
                            .unwrap_or("not an origin")
                            .to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Visit {
        dom: String::from_utf8_lossy(&output.stdout).into_owned(),
        requests,
    }
}

/// The host and port of an http(s) URL (`None` for file: and data: URLs).
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}
