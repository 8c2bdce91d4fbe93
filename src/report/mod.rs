//! A solved roster rendered three ways: a text report for the coordinator ([`text`]), one
//! JSON document for machines ([`json`]) and one CSV row per meeting for spreadsheets
//! ([`csv`]).
//!
//! Derived facts (times, deadline, margin, certificate due date) are recomputed from the
//! problem rather than read from a meeting's informational `details`, so a hand-edited
//! roster renders truthfully too.

pub mod bundle;
pub mod html;
pub mod ics;
pub(crate) mod layout;
mod text;

use chrono::{DateTime, FixedOffset, NaiveDate};
use mediation_solver::calendar::london_instant;
use mediation_solver::kpi::Kpis;
use mediation_solver::model::{Case, Mediator, Problem, SessionTemplate, Venue};
use mediation_solver::placement;
use mediation_solver::roster::{Meeting, Roster};
use mediation_solver::rules;
use mediation_solver::schedule::Outcome;
use mediation_solver::validate::Issue;
use serde::Serialize;

pub(crate) use text::status_name;
pub use text::text;

/// Everything a roster report shows.
pub struct RosterReport<'a> {
    pub problem: &'a Problem,
    pub outcome: &'a Outcome,
    pub kpis: &'a Kpis,
    pub warnings: &'a [Issue],
}

#[derive(Serialize)]
struct Document<'a> {
    roster: &'a Roster,
    kpis: &'a Kpis,
    solver: &'a mediation_solver::milp::SolverSummary,
    /// Cases the greedy repair placed or moved after an early-stopped solve.
    repaired: usize,
    warnings: &'a [Issue],
}

/// `{ "roster", "kpis", "solver", "repaired", "warnings" }`, pretty-printed. Meeting times
/// carry their UTC offset.
pub fn json(report: &RosterReport) -> String {
    let doc = Document {
        roster: &report.outcome.roster,
        kpis: report.kpis,
        solver: &report.outcome.solver,
        repaired: report.outcome.repaired,
        warnings: report.warnings,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        // Only a non-finite float could fail; keep the output parseable.
        format!("{{\"error\": \"cannot serialise the roster: {e}\"}}")
    });
    text.push('\n');
    text
}

pub const CSV_HEADER: &str = "date,start,end,session,case,la,mediator,mode,venue,interpreter,\
deadline,days_of_margin,late,certificate_due";

/// One row per meeting: ids and codes, not names; times in RFC 3339 with their UTC offset.
pub fn csv(problem: &Problem, roster: &Roster) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for meeting in &roster.meetings {
        let f = Facts::of(problem, meeting);
        let cells = [
            meeting.date.to_string(),
            f.start.map(|t| t.to_rfc3339()).unwrap_or_default(),
            f.end.map(|t| t.to_rfc3339()).unwrap_or_default(),
            meeting.session.clone(),
            meeting.case.clone(),
            f.case.map(|c| c.la.clone()).unwrap_or_default(),
            meeting.mediator.clone(),
            meeting.mode.as_str().to_string(),
            meeting.venue.clone().unwrap_or_default(),
            meeting.interpreter.clone().unwrap_or_default(),
            f.deadline.map(|d| d.to_string()).unwrap_or_default(),
            f.margin.map(|m| m.to_string()).unwrap_or_default(),
            f.late.map(|l| l.to_string()).unwrap_or_default(),
            f.certificate_due.to_string(),
        ];
        let row: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// One issue as a line: `E1203 /mediators/2/home_area: message (hint: …)`.
pub fn issue_line(issue: &Issue) -> String {
    let path = if issue.path.is_empty() {
        "/"
    } else {
        issue.path.as_str()
    };
    if issue.hint.is_empty() {
        format!("{} {path}: {}", issue.code, issue.message)
    } else {
        format!(
            "{} {path}: {} (hint: {})",
            issue.code, issue.message, issue.hint
        )
    }
}

/// Quotes a field holding a comma, a quote or a line break (RFC 4180).
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A meeting resolved against the problem, with its derived dates.
pub(crate) struct Facts<'a> {
    pub(crate) case: Option<&'a Case>,
    pub(crate) mediator: Option<&'a Mediator>,
    pub(crate) template: Option<&'a SessionTemplate>,
    pub(crate) venue: Option<&'a Venue>,
    pub(crate) start: Option<DateTime<FixedOffset>>,
    pub(crate) end: Option<DateTime<FixedOffset>>,
    pub(crate) deadline: Option<NaiveDate>,
    /// Calendar days from the meeting to the deadline (negative when late).
    pub(crate) margin: Option<i64>,
    pub(crate) late: Option<bool>,
    pub(crate) certificate_due: NaiveDate,
}

impl<'a> Facts<'a> {
    /// Each part of the meeting is read with [`placement::Parts`], the lookups of
    /// [`placement::resolve`], one by one: a meeting that is not a placement of the problem as
    /// a whole (a withdrawn case's published meeting) still shows its session times. A venue is
    /// shown only where the meeting's mode has one.
    pub(crate) fn of(problem: &'a Problem, meeting: &Meeting) -> Self {
        let parts = placement::Parts::of(problem, meeting);
        let case = parts.case.ok().map(|c| &problem.cases[c]);
        let template = parts.template.ok().map(|t| &problem.templates[t]);
        let deadline = case.map(|c| rules::deadline(problem, c));
        Facts {
            case,
            mediator: parts.mediator.ok().map(|m| &problem.mediators[m]),
            template,
            venue: parts
                .site
                .ok()
                .and_then(|site| site.venue())
                .map(|v| &problem.venues[v]),
            start: template.map(|t| london_instant(meeting.date, t.start).fixed_offset()),
            end: template.map(|t| london_instant(meeting.date, t.end).fixed_offset()),
            deadline,
            margin: deadline.map(|d| (d - meeting.date).num_days()),
            late: deadline.map(|d| meeting.date > d),
            certificate_due: problem.calendar.certificate_due(meeting.date),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    /// The report reads a meeting with `placement`, like the checker: a video meeting that
    /// names a venue is shown with no venue, never as held there.
    #[test]
    fn a_video_meeting_naming_a_venue_shows_no_venue() {
        let json = include_str!("../../fixtures/week-2026-12-07.json");
        let problem = mediation_solver::validate::parse_problem(json)
            .expect("the shipped week is valid")
            .problem;
        let meeting: Meeting = serde_json::from_value(serde_json::json!({
            "case": "SEN-2026-0395", "mediator": "M013", "date": "2026-12-07",
            "session": "AM", "mode": "video", "venue": "V013"
        }))
        .expect("a meeting");
        let f = Facts::of(&problem, &meeting);
        assert!(f.venue.is_none());
        assert!(f.case.is_some() && f.mediator.is_some() && f.start.is_some());
        let in_person = Meeting {
            mode: mediation_solver::model::Mode::InPerson,
            ..meeting
        };
        let f = Facts::of(&problem, &in_person);
        assert_eq!(f.venue.map(|v| v.id.as_str()), Some("V013"));
    }

    #[test]
    fn csv_header_has_the_fourteen_documented_columns() {
        assert_eq!(CSV_HEADER.split(',').count(), 14);
        assert!(CSV_HEADER.starts_with("date,start,end,session,case,la,mediator,mode,venue,"));
    }
}
