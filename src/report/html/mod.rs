//! The roster as one self-contained HTML page (`roster.html`) and the re-plan's call list
//! (`changes.html`).
//!
//! Each page is a single file that reads the same from a mail attachment, an archive or a
//! USB stick: inline CSS, no script, nothing fetched from anywhere (a
//! Content-Security-Policy meta forbids it), UTF-8, `lang="en-GB"`, and a print stylesheet
//! for A4 landscape. Every piece of markup comes from [`maud`], which escapes every value.
//!
//! The pages name cases by reference, LAs, mediators and venues by name and id, and parties
//! by role only: the problem carries nothing more about a family, and nothing more is shown.

mod changes;
mod map;
mod roster;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use mediation_solver::model::{Mode, SessionTemplate};
use mediation_solver::roster::Meeting;

pub use changes::changes_page;
pub use roster::roster_page;

use super::Facts;

/// Nothing but the inline style and `data:` images may load.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Shared by both pages. Colours meet WCAG AA (text ≥ 4.5:1 on its background); lateness
/// is always spelled out in words, the colour only repeats it.
const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; color: #1a1a1a; background: #fff;
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.page, main { padding: 0 1.5rem; }
header.page { padding-top: 1rem; border-bottom: 1px solid #767676; }
h1 { font-size: 1.6em; margin: 0 0 .25rem; }
h2 { font-size: 1.3em; margin: 2em 0 .5em; border-bottom: 2px solid #1d3f6e; padding-bottom: .15rem; }
h3 { font-size: 1.1em; margin: 1.25em 0 .25em; }
p { margin: .35rem 0; }
a { color: #0b4ea2; }
a:focus-visible { outline: 3px solid #b34700; outline-offset: 2px; border-radius: 2px; }
.skip { position: absolute; left: -100vw; top: .5rem; background: #fff; padding: .4rem .6rem; }
.skip:focus, .skip:focus-visible { left: .5rem; z-index: 10; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; padding: 0; margin: .5rem 0 .75rem; }
dl.solver { display: flex; flex-wrap: wrap; gap: .15rem 1.5rem; margin: .5rem 0; }
dl.solver div { display: flex; gap: .4rem; }
dl.solver dt { font-weight: 600; }
dl.solver dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: .4rem 0 1.25rem; }
caption { text-align: left; font-weight: 700; font-size: 1.05em; padding: .2rem 0 .35rem; }
th, td { border: 1px solid #8c8c8c; padding: .25rem .45rem; vertical-align: top; text-align: left; }
thead th { background: #e6edf5; }
tbody th { font-weight: 600; background: #f6f8fa; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.all th, tr.all td { font-weight: 700; border-bottom: 2px solid #1a1a1a; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em; }
.muted { color: #555; }
.sub { display: block; font-weight: 400; font-size: .9em; }
th.reasons-col { width: 36%; }
th.slot-col { width: 15%; }
table.grid { width: 100%; table-layout: fixed; font-size: .82em; line-height: 1.25; }
table.grid col.who { width: 11.5em; }
table.grid caption { font-size: 1.25em; }
table.grid thead th { text-align: center; }
table.grid .time { display: block; font-weight: 400; font-size: .85em; }
table.grid td { padding: .2em .3em; overflow-wrap: anywhere; }
td.meeting { background: #eaf2fc; }
td.meeting span { display: block; }
td.meeting .ref { font-weight: 700; white-space: nowrap; }
td.meeting.late { background: #fdecec; border: 2px solid #a3000b; }
.late-flag { display: block; color: #a3000b; font-weight: 700; }
td.rooms .inuse { display: block; font-weight: 700; }
td.rooms .over { color: #a3000b; }
td.rooms ul { margin: 0; padding: 0; list-style: none; }
ul.reasons { margin: 0; padding-left: 1.1em; }
table.not-held, table.changes { font-size: .9em; }
table.not-held th[scope=row], table.changes th[scope=row] { white-space: nowrap; }
table.not-held .status { font-weight: 600; }
.map { display: flex; flex-wrap: wrap; gap: 1em 2em; align-items: flex-start; }
.map svg { max-width: 100%; height: auto; border: 1px solid #8c8c8c; background: #f7f9fb; }
.map svg .area { fill: #1d4ed8; fill-opacity: .8; stroke: #0b2a6f; stroke-width: 1; }
.map svg .none { fill: #fff; stroke: #555; stroke-width: 1; }
.map svg text { font: 10px system-ui, sans-serif; }
.map svg text.n { fill: #fff; font-weight: 700; text-anchor: middle; dominant-baseline: central; }
.map svg text.label { fill: #1a1a1a; paint-order: stroke; stroke: #f7f9fb; stroke-width: 3px; }
.map svg .scale { stroke: #1a1a1a; stroke-width: 1.5; }
table.changes .slot span { display: block; }
.kind { font-weight: 700; text-transform: capitalize; }
@page { size: A4 landscape; margin: 8mm; }
@media print {
  body { font-size: 8pt; line-height: 1.2; }
  header.page, main { padding: 0; }
  header.page { border: 0; }
  nav, .skip { display: none; }
  h1 { font-size: 14pt; }
  h2 { font-size: 11pt; margin: 3mm 0 2mm; break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  table { margin: 1mm 0 3mm; }
  caption, table.grid caption { font-size: 9pt; padding: 0 0 1mm; }
  tr { break-inside: avoid; }
  section.week { break-before: page; break-inside: avoid; }
  section.week h2 { margin-top: 0; font-size: 9pt; border: 0; }
  table.grid { font-size: 6.2pt; line-height: 1.12; break-inside: avoid; }
  table.grid.roomy { font-size: 7.5pt; }
  table.grid.dense { font-size: 5.6pt; line-height: 1.1; }
  table.grid.denser { font-size: 5pt; line-height: 1.08; }
  table.grid col.who { width: 30mm; }
  table.grid th, table.grid td { padding: .25mm .6mm; }
  table.grid .time { display: inline; margin-left: .4em; }
  td.meeting span, td.meeting .late-flag { display: inline; }
  td.meeting span + span::before, td.meeting .late-flag::before { content: " · "; font-weight: 400; color: #1a1a1a; }
  td.meeting .ref { display: block; }
  td.meeting .ref + span::before { content: none; }
  td.meeting, td.meeting.late { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  table.not-held, table.changes { width: 100%; font-size: 7.5pt; }
  section.venues, section.not-held, section.map-section { break-before: page; }
  .map svg { max-height: 140mm; width: auto; }
}
"#;

/// A whole page: the head (charset, CSP, style) and `body`.
fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

/// `Mon 7 Dec 2026`, as in the text report.
fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

/// `Mon 7 Dec`.
fn short_day(date: NaiveDate) -> String {
    date.format("%a %-d %b").to_string()
}

/// `09:30–13:00`.
fn times(template: &SessionTemplate) -> String {
    format!(
        "{}–{}",
        template.start.format("%H:%M"),
        template.end.format("%H:%M")
    )
}

/// `AM 09:30–13:00`, or the meeting's session id when the problem has no such template.
fn session(meeting: &Meeting, facts: &Facts) -> String {
    match facts.template {
        Some(t) => format!("{} {}", t.id, times(t)),
        None => meeting.session.clone(),
    }
}

/// `Helen Yilmaz (M013)`, or the bare id of an unknown mediator.
fn mediator(meeting: &Meeting, facts: &Facts) -> String {
    match facts.mediator {
        Some(m) => format!("{} ({})", m.name, m.id),
        None => meeting.mediator.clone(),
    }
}

/// The venue's name, or `video` / `phone`, as in the text report.
fn place(meeting: &Meeting, facts: &Facts) -> String {
    match (meeting.mode, facts.venue) {
        (Mode::InPerson, Some(v)) => v.name.clone(),
        (Mode::InPerson, None) => meeting.venue.clone().unwrap_or_else(|| "in person".into()),
        (Mode::Video, _) => "video".into(),
        (Mode::Phone, _) => "phone".into(),
    }
}

/// `1 day`, `5 days`.
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// `LATE: 1 day after its deadline` for a meeting after its deadline.
fn late_words(facts: &Facts) -> Option<String> {
    (facts.late == Some(true))
        .then(|| format!("LATE: {} after deadline", days(-facts.margin.unwrap_or(0))))
}
