//! `roster.html` and `changes.html` in a real browser: the DOM holds one meeting cell per
//! meeting and every case not held by day 30 with its primary reason, the page fetches
//! nothing, it renders, axe-core finds no WCAG 2.1 A/AA violation, and it prints on A4
//! landscape with each week's grid on one page.
//!
//! Tools: Debian's `chromium` (or `$CHROMIUM`), `pdfinfo`/`pdftotext` (`poppler-utils`),
//! and for the axe audit `node` with `tests/browser/node_modules` (`npm ci` there). A test
//! whose tool is missing prints why and passes, unless `CI=true`, where it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate};
use serde_json::Value;

#[path = "support/chromium.rs"]
mod tools;
use tools::{chromium, node_and_packages, page_requests, poppler, run, run_chromium};

// ---------------------------------------------------------------------------------------
// Shared helpers: tools, skip-or-fail, chromium, the pages under test
// ---------------------------------------------------------------------------------------

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const WEEK: &str = "fixtures/week-2026-12-07.json";
const BST: &str = "fixtures/bst-2027-03-24.json";

fn file_url(path: &Path) -> String {
    let path = path.canonicalize().expect("an existing file");
    format!("file://{}", path.display())
}

/// What `roster --out` (or `replan --out`) wrote.
struct Pages {
    dir: PathBuf,
    /// `roster.json`: `{ "roster", "kpis", "solver", … }`.
    json: Value,
}

impl Pages {
    fn roster_html(&self) -> PathBuf {
        self.dir.join("roster.html")
    }

    fn meetings(&self) -> &[Value] {
        self.json["roster"]["meetings"]
            .as_array()
            .expect("roster.meetings is a list")
    }
}

/// Runs the CLI with `args` plus `--out` into `target/tmp/pages/<name>`.
fn write_pages(name: &str, args: &[&str]) -> Pages {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("pages")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the output directory");
    let mut command = Command::new(env!("CARGO_BIN_EXE_mediation-scheduler"));
    command
        .current_dir(MANIFEST_DIR)
        .args(args)
        .arg("--out")
        .arg(&dir);
    let output = run(command, "mediation-scheduler");
    assert!(
        output.status.success(),
        "mediation-scheduler {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = std::fs::read_to_string(dir.join("roster.json")).expect("roster.json written");
    Pages {
        json: serde_json::from_str(&json).expect("roster.json is JSON"),
        dir,
    }
}

/// The shipped week, solved once per test run.
fn week() -> &'static Pages {
    static PAGES: OnceLock<Pages> = OnceLock::new();
    PAGES.get_or_init(|| write_pages("week-2026-12-07", &["roster", WEEK]))
}

/// Two weeks across the change to BST.
fn bst() -> &'static Pages {
    static PAGES: OnceLock<Pages> = OnceLock::new();
    PAGES.get_or_init(|| write_pages("bst-2027-03-24", &["roster", BST]))
}

/// A re-plan with every kind of change, for `changes.html`.
fn replan() -> &'static Pages {
    static PAGES: OnceLock<Pages> = OnceLock::new();
    PAGES.get_or_init(|| {
        write_pages(
            "replan-every-kind",
            &[
                "replan",
                WEEK,
                "--published",
                "fixtures/replan/published-2026-12-07.json",
                "--changes",
                "fixtures/replan/every-kind.json",
            ],
        )
    })
}

/// `target/pages/`, for artefacts a person may want to look at.
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .join("pages");
    std::fs::create_dir_all(&dir).expect("create target/pages");
    dir
}

// ---------------------------------------------------------------------------------------
// A little HTML reading: the attributes of each start tag in chromium's serialised DOM
// ---------------------------------------------------------------------------------------

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The attributes of every start tag (chromium serialises every value in double quotes).
fn start_tags(html: &str) -> Vec<BTreeMap<String, String>> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let mut attrs = BTreeMap::new();
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        rest = &rest[name_end..];
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with('>') || rest.starts_with("/>") {
                break;
            }
            let name_end = rest
                .find(|c: char| c == '=' || c == '>' || c.is_whitespace())
                .unwrap_or(rest.len());
            let name = rest[..name_end].to_ascii_lowercase();
            rest = &rest[name_end..];
            if let Some(after) = rest.strip_prefix("=\"") {
                let end = after.find('"').unwrap_or(after.len());
                attrs.insert(name, unescape(&after[..end]));
                rest = &after[(end + 1).min(after.len())..];
            } else {
                attrs.insert(name, String::new());
                if name_end == 0 {
                    rest = &rest[1..];
                }
            }
        }
        tags.push(attrs);
    }
    tags
}

fn has_class(tag: &BTreeMap<String, String>, class: &str) -> bool {
    tag.get("class")
        .is_some_and(|c| c.split_whitespace().any(|t| t == class))
}

fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

fn monday(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

#[test]
fn the_dom_has_one_cell_per_meeting_every_case_not_held_and_fetches_nothing() {
    let Some(chromium) = chromium() else { return };
    let pages = week();
    let net_log = pages.dir.join("net-log.json");
    let url = file_url(&pages.roster_html());
    let output = run_chromium(
        &chromium,
        &[
            &format!("--log-net-log={}", net_log.display()),
            "--dump-dom",
        ],
        &url,
    );
    let dom = String::from_utf8(output.stdout).expect("the DOM is UTF-8");
    assert!(
        dom.contains("Week of Mon 7 Dec 2026"),
        "not the roster page"
    );
    let tags = start_tags(&dom);

    // One meeting cell per meeting, naming its case.
    let meetings = pages.meetings();
    assert!(meetings.len() > 20, "the shipped week has its meetings");
    let mut expected: Vec<&str> = meetings
        .iter()
        .map(|m| m["case"].as_str().expect("a case reference"))
        .collect();
    let mut cells: Vec<&str> = tags
        .iter()
        .filter(|t| has_class(t, "meeting"))
        .map(|t| t.get("data-case").map_or("", String::as_str))
        .collect();
    expected.sort_unstable();
    cells.sort_unstable();
    assert_eq!(
        cells, expected,
        "one meeting cell per meeting of roster.json"
    );

    // Every case not held by day 30, with the roster's primary reason.
    let roster = &pages.json["roster"];
    let mut not_held: BTreeMap<String, String> = BTreeMap::new();
    for list in ["unscheduled", "carried_over"] {
        for case in roster[list].as_array().expect("a list") {
            not_held.insert(
                case["case"].as_str().expect("a reference").to_string(),
                case["primary_reason"].as_str().unwrap_or("").to_string(),
            );
        }
    }
    let mut late = 0;
    for m in meetings {
        if m["details"]["late"].as_bool() == Some(true) {
            late += 1;
            not_held.insert(
                m["case"].as_str().expect("a reference").to_string(),
                m["details"]["late_primary_reason"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    assert!(late > 0, "the shipped week has late meetings");
    assert!(
        !roster["unscheduled"].as_array().unwrap().is_empty()
            && !roster["carried_over"].as_array().unwrap().is_empty(),
        "the shipped week has unscheduled and carried-over cases"
    );
    let shown: BTreeMap<String, String> = tags
        .iter()
        .filter_map(|t| {
            Some((
                t.get("data-case")?.clone(),
                t.get("data-primary-reason")?.clone(),
            ))
        })
        .collect();
    assert_eq!(
        shown, not_held,
        "each case not held by day 30 with its primary reason"
    );

    // Nothing fetched: no request with a page origin in the net log.
    let requests = page_requests(&net_log);
    assert!(
        requests.is_empty(),
        "roster.html made requests: {requests:#?}"
    );

    // The check sees a page that does fetch: a canary with a stylesheet and an image.
    let canary = pages.dir.join("canary.html");
    std::fs::write(
        &canary,
        "<!DOCTYPE html><html lang=\"en\"><head><title>canary</title>\
         <link rel=\"stylesheet\" href=\"https://fonts.example.invalid/a.css\"></head>\
         <body><img src=\"http://canary.example.invalid/x.png\" alt=\"\"></body></html>",
    )
    .expect("write the canary page");
    let canary_log = pages.dir.join("net-log-canary.json");
    run_chromium(
        &chromium,
        &[
            &format!("--log-net-log={}", canary_log.display()),
            "--dump-dom",
        ],
        &file_url(&canary),
    );
    let requests = page_requests(&canary_log);
    for host in ["fonts.example.invalid", "canary.example.invalid"] {
        assert!(
            requests.iter().any(|r| r.contains(host)),
            "the net log check misses the canary's request to {host}: {requests:#?}"
        );
    }
}

#[test]
fn the_page_renders_to_a_screenshot() {
    let Some(chromium) = chromium() else { return };
    let pages = week();
    let png = artefacts().join("roster.png");
    let _ = std::fs::remove_file(&png);
    run_chromium(
        &chromium,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,2400",
            "--hide-scrollbars",
        ],
        &file_url(&pages.roster_html()),
    );
    let bytes = std::fs::read(&png).expect("the screenshot was written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        bytes.len() > 50_000,
        "a 1400×2400 screenshot of the roster is more than a blank page: {} bytes",
        bytes.len()
    );
    let size = std::fs::metadata(pages.roster_html()).unwrap().len();
    assert!(size <= 200_000, "roster.html is {size} bytes");
    eprintln!("screenshot: {}", png.display());
}

#[test]
fn axe_finds_no_wcag_violation() {
    let Some((node, dir)) = node_and_packages() else {
        return;
    };
    if chromium().is_none() {
        return;
    }
    let targets = [
        week().roster_html(),
        bst().roster_html(),
        replan().dir.join("changes.html"),
    ];
    for page in targets {
        let mut command = Command::new(&node);
        command.current_dir(&dir).arg("axe.mjs").arg(&page);
        let output = run(command, "node axe.mjs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "axe on {}: {}\n{stdout}\n{}",
            page.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let report: Value = serde_json::from_str(&stdout).expect("axe.mjs prints JSON");
        assert_eq!(report["violations"], Value::Array(vec![]));
        assert!(
            report["passes"].as_u64().unwrap_or(0) > 5,
            "axe ran its rules: {stdout}"
        );
    }
}

/// Prints the page to PDF; checks every page is A4 landscape and each week's grid is on
/// one page that holds every case of the week's meetings.
fn check_print(chromium: &Path, pdfinfo: &Path, pdftotext: &Path, pages: &Pages, name: &str) {
    let pdf = artefacts().join(format!("{name}.pdf"));
    let _ = std::fs::remove_file(&pdf);
    run_chromium(
        chromium,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
        &file_url(&pages.roster_html()),
    );
    let mut info = Command::new(pdfinfo);
    info.args(["-f", "1", "-l", "1000"]).arg(&pdf);
    let info = String::from_utf8(run(info, "pdfinfo").stdout).expect("UTF-8");
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size: "))
        .map(|l| {
            let size = l.split(" size: ").nth(1).expect("a size");
            let mut it = size.split_whitespace();
            let w: f64 = it.next().unwrap().parse().expect("a width");
            assert_eq!(it.next(), Some("x"));
            let h: f64 = it.next().unwrap().parse().expect("a height");
            (w, h)
        })
        .collect();
    assert!(!sizes.is_empty(), "pdfinfo lists the pages: {info}");
    for (k, (w, h)) in sizes.iter().enumerate() {
        assert!(
            (w - 841.9).abs() < 2.0 && (h - 595.3).abs() < 2.0,
            "page {} of {name} is {w}×{h} pt, not A4 landscape",
            k + 1
        );
    }
    let texts: Vec<String> = (1..=sizes.len())
        .map(|p| {
            let mut text = Command::new(pdftotext);
            text.args(["-f", &p.to_string(), "-l", &p.to_string()])
                .arg(&pdf)
                .arg("-");
            String::from_utf8(run(text, "pdftotext").stdout).expect("UTF-8")
        })
        .collect();

    let mut weeks: BTreeMap<NaiveDate, BTreeSet<&str>> = BTreeMap::new();
    for m in pages.meetings() {
        let date: NaiveDate = m["date"].as_str().unwrap().parse().expect("a date");
        weeks
            .entry(monday(date))
            .or_default()
            .insert(m["case"].as_str().unwrap());
    }
    assert!(!weeks.is_empty());
    for (monday, cases) in &weeks {
        let caption = format!("Week of {}", day(*monday));
        let on: Vec<usize> = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| t.contains(&caption))
            .map(|(p, _)| p + 1)
            .collect();
        assert_eq!(on.len(), 1, "`{caption}` of {name} is on pages {on:?}");
        let page = &texts[on[0] - 1];
        let missing: Vec<&&str> = cases.iter().filter(|c| !page.contains(**c)).collect();
        assert!(
            missing.is_empty(),
            "{name}: page {} with `{caption}` lacks {missing:?}: the grid spills over",
            on[0]
        );
    }
    eprintln!(
        "{name}: {} A4 landscape page(s), {}",
        sizes.len(),
        pdf.display()
    );
}

#[test]
fn the_page_prints_on_a4_landscape_one_page_per_week_grid() {
    let Some(chromium) = chromium() else { return };
    let Some((pdfinfo, pdftotext)) = poppler() else {
        return;
    };
    check_print(
        &chromium,
        &pdfinfo,
        &pdftotext,
        week(),
        "roster-week-2026-12-07",
    );
    check_print(
        &chromium,
        &pdfinfo,
        &pdftotext,
        bst(),
        "roster-bst-2027-03-24",
    );
}
