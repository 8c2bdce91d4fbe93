//! Everything `roster --out` and `replan --out` write: the roster as JSON, CSV, text and a
//! web page, a calendar per mediator and per venue, an invitation (or a cancellation) per
//! case, and for a re-plan the call list `changes.html`.
//!
//! The files are built in memory first, each under its path relative to the output
//! directory, so the command line and a test see exactly the same bytes; nothing here
//! reads a clock, so the same input always gives the same files.

use std::collections::BTreeSet;

use mediation_solver::fixes::CaseFixes;
use mediation_solver::replan::{ChangeKind, MeetingChange};

use super::ics::{self, CalendarSettings};
use super::{html, RosterReport};

/// One file of the bundle: a path relative to the output directory, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: String,
    pub contents: String,
}

/// What a re-plan adds to the bundle.
pub struct ReplanPart<'a> {
    /// Published meetings kept exactly as they were.
    pub kept: usize,
    pub changes: &'a [MeetingChange],
    /// The re-plan as one JSON document (`replan --format json`), written as `changes.json`.
    pub json: String,
}

/// The files of a roster, and the ids that could not name a file (skipped, each with why).
#[derive(Debug, Default)]
pub struct Bundle {
    pub files: Vec<OutFile>,
    pub skipped: Vec<String>,
}

impl Bundle {
    fn add(&mut self, path: impl Into<String>, contents: String) {
        self.files.push(OutFile {
            path: path.into(),
            contents,
        });
    }

    /// The file at `path`, if the bundle has it.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.contents.as_str())
    }
}

/// Builds every file of the roster in `report`: `roster.json`, `roster.csv`, `report.txt`,
/// `roster.html`, `calendars/mediator-<id>.ics` for every mediator and
/// `calendars/venue-<id>.ics` for every venue (an empty calendar when nothing is booked, so
/// a subscription shows a meeting moved away), `invitations/<case>.ics` for every meeting
/// (METHOD:REQUEST) and, for a re-plan, a METHOD:CANCEL invitation for every published
/// meeting dropped, `changes.html` and `changes.json`.
///
/// An id that cannot safely name a file ([`ics::file_name_safe`]) is skipped with a line in
/// [`Bundle::skipped`]; everything else is still written.
pub fn bundle(
    report: &RosterReport,
    fixes: &[CaseFixes],
    replan: Option<&ReplanPart>,
    settings: &CalendarSettings,
) -> Bundle {
    let problem = report.problem;
    let roster = &report.outcome.roster;
    let mut out = Bundle::default();
    out.add("roster.json", super::json(report));
    out.add("roster.csv", super::csv(problem, roster));
    out.add("report.txt", super::text(report));
    out.add("roster.html", html::roster_page(report, fixes));
    let skip =
        |what: &str, id: &str| format!("{what} `{}`: not a safe file name", id.escape_debug());
    let mut skipped = Vec::new();
    for mediator in &problem.mediators {
        if !ics::file_name_safe(&mediator.id) {
            skipped.push(skip("mediator", &mediator.id));
            continue;
        }
        if let Some(text) = ics::mediator_calendar(problem, roster, &mediator.id, settings) {
            out.add(format!("calendars/mediator-{}.ics", mediator.id), text);
        }
    }
    for venue in &problem.venues {
        if !ics::file_name_safe(&venue.id) {
            skipped.push(skip("venue", &venue.id));
            continue;
        }
        if let Some(text) = ics::venue_calendar(problem, roster, &venue.id, settings) {
            out.add(format!("calendars/venue-{}.ics", venue.id), text);
        }
    }
    let mut invited = BTreeSet::new();
    for meeting in &roster.meetings {
        if !invited.insert(meeting.case.as_str()) {
            continue;
        }
        if !ics::file_name_safe(&meeting.case) {
            skipped.push(skip("case", &meeting.case));
            continue;
        }
        if let Some(text) = ics::invitation(problem, roster, &meeting.case, settings) {
            out.add(format!("invitations/{}.ics", meeting.case), text);
        }
    }
    if let Some(part) = replan {
        for change in part.changes {
            let (ChangeKind::Dropped, Some(published)) = (change.kind, &change.from) else {
                continue;
            };
            if invited.contains(published.case.as_str()) {
                continue;
            }
            if !ics::file_name_safe(&published.case) {
                skipped.push(skip("case", &published.case));
                continue;
            }
            out.add(
                format!("invitations/{}.ics", published.case),
                ics::cancellation(problem, published, settings),
            );
        }
        out.add(
            "changes.html",
            html::changes_page(problem, part.kept, part.changes),
        );
        out.add("changes.json", part.json.clone());
    }
    out.skipped = skipped;
    out
}
