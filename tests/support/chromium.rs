//! Headless Chromium for the tests that look at pages as a browser does: the DOM after
//! load (`--dump-dom`), a screenshot, and every request the page made (`--log-net-log`).
//!
//! Under plain `cargo test` on a machine without Chromium these tests skip with a message;
//! with `CI=true` a missing browser fails them (`.ci/run` installs Debian's `chromium`), and
//! `MEDIATION_EXTERNAL_TESTS=off` skips them on purpose.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

/// The browser, or `None` after printing why the test is skipped. Panics under `CI=true`.
/// `MEDIATION_EXTERNAL_TESTS=off` skips them even in CI (`.ci/run` runs them once, in the
/// default-backend step, not again with HiGHS).
pub fn chromium() -> Option<PathBuf> {
    if std::env::var("MEDIATION_EXTERNAL_TESTS").is_ok_and(|v| v == "off") {
        eprintln!("skipped: MEDIATION_EXTERNAL_TESTS=off");
        return None;
    }
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        skip_or_fail("Chromium (/usr/bin/chromium) is not installed");
    }
    found
}

/// Prints a skip message, or panics when `CI=true` (CI must run every test).
pub fn skip_or_fail(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}, and CI=true: install it (see .ci/run)");
    }
    eprintln!("skipped: {why} (apt-get install chromium; CI=true makes this a failure)");
}

/// One request the browser made.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    /// The origin of the document that asked for it (`not an origin` for a navigation or a
    /// request of the browser's own).
    pub initiator: String,
}

/// What a page gave: its DOM after load, and its requests.
#[derive(Debug)]
pub struct Visit {
    pub dom: String,
    pub requests: Vec<Request>,
}

impl Visit {
    /// Requests made by the page itself, plus the navigation to `url`: those whose
    /// initiator is the page's origin, or whose URL is the page's. (Chromium's own
    /// background requests, e.g. for updates, have no initiator and are not the page's.)
    pub fn page_requests(&self, url: &str, origin: &str) -> Vec<&Request> {
        self.requests
            .iter()
            .filter(|r| r.url == url || r.initiator == origin)
            .collect()
    }
}

/// The flags every test run uses: headless, no sandbox (root), and as little of the
/// browser's own network traffic as it allows.
fn base_args(browser: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--no-pings",
        "--disable-features=AutofillServerCommunication,NetworkTimeServiceQuerying,Translate,MediaRouter,OptimizationHints",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// Opens `url`, lets scripts run for `virtual_ms` of virtual time, and returns the DOM
/// and every request of the run.
pub fn visit(browser: &Path, url: &str, virtual_ms: Option<u32>) -> Visit {
    let dir = tempfile::tempdir().unwrap();
    let net_log = dir.path().join("net.json");
    let mut cmd = base_args(browser, &dir.path().join("profile"));
    cmd.arg(format!("--log-net-log={}", net_log.display()));
    if let Some(ms) = virtual_ms {
        cmd.arg(format!("--virtual-time-budget={ms}"));
    }
    cmd.arg("--dump-dom").arg(url);
    let out = run(cmd);
    Visit {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        requests: requests(&net_log),
    }
}

/// Writes a screenshot of `url` to `png`.
pub fn screenshot(browser: &Path, url: &str, png: &Path, size: (u32, u32)) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = base_args(browser, &dir.path().join("profile"));
    cmd.arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg("--hide-scrollbars")
        .arg(url);
    run(cmd);
}

fn run(mut cmd: Command) -> std::process::Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromium starts");
    // Read stdout on a thread so a large DOM cannot block the browser.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).map(|_| buf)
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = reader.join().unwrap().unwrap_or_default();
    assert!(status.success(), "chromium failed: {status}");
    std::process::Output {
        status,
        stdout,
        stderr: Vec::new(),
    }
}

/// Every URL_REQUEST_START_JOB of a net log, with its URL and initiator.
fn requests(net_log: &Path) -> Vec<Request> {
    let Ok(text) = std::fs::read_to_string(net_log) else {
        return Vec::new();
    };
    // Chromium may leave the log without its closing bracket when it exits at once.
    let value: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("the net log is JSON");
    let start_job = value["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_i64();
    value["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter(|e| e["type"].as_i64() == start_job)
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
        .unwrap_or_default()
}

/// The host and port of an http(s) URL (`None` for file: and data: URLs).
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}
