//! `roster.html`: header and solver summary, key figures per LA, one grid per ISO week by
//! mediator and by venue, every case not held by its day 30 with its reasons and cheapest
//! fix, and a map of the covered areas.
//!
//! Meetings are indexed once by (week, mediator) and (week, venue) and laid out on a
//! day × session grid, so the page is linear in the roster's size.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate};
use maud::{html, Markup};
use mediation_solver::fixes::{CaseFixes, CaseStatus, Fix};
use mediation_solver::kpi::{self, CaseKpis};
use mediation_solver::milp::SolverSummary;
use mediation_solver::model::{MediatorIdx, Mode, Problem, SessionTemplate, VenueIdx};
use mediation_solver::roster::{Meeting, Reason};

use super::{day, late_words, map, mediator, place, short_day, times};
use crate::report::{issue_line, status_name, Facts, RosterReport};

/// `roster.html`: the whole roster page.
pub fn roster_page(report: &RosterReport, fixes: &[CaseFixes]) -> String {
    let problem = report.problem;
    let roster = &report.outcome.roster;
    let facts: Vec<Facts> = roster
        .meetings
        .iter()
        .map(|m| Facts::of(problem, m))
        .collect();
    let columns = Columns::of(&problem.templates);
    let weeks = weeks(problem, &roster.meetings, &columns);
    let h = &problem.horizon;
    let title = format!("Mediation roster {} to {}", day(h.start), day(h.end));
    let ctx = Ctx {
        problem,
        meetings: &roster.meetings,
        facts: &facts,
        columns: &columns,
    };
    let late = facts.iter().filter(|f| f.late == Some(true)).count();
    let body = html! {
        a.skip href="#main" { "Skip to the roster" }
        header.page {
            h1 { (title) }
            p {
                "Published " (day(h.publication_date)) ". "
                (roster.meetings.len()) " meeting(s), " (late) " late; "
                (roster.unscheduled.len()) " unscheduled; "
                (roster.carried_over.len()) " carried over."
            }
            (solver(&report.outcome.solver, report.outcome.repaired))
            nav aria-label="On this page" {
                ul {
                    li { a href="#figures" { "Key figures" } }
                    li { a href="#weeks" { "Meetings by mediator" } }
                    li { a href="#venues" { "Rooms by venue" } }
                    li { a href="#not-held" { "Cases not held by day 30" } }
                    li { a href="#map" { "Map" } }
                    @if !report.warnings.is_empty() {
                        li { a href="#warnings" { "Warnings" } }
                    }
                }
            }
        }
        main id="main" {
            (figures(report))
            @for (k, week) in weeks.iter().enumerate() {
                (mediator_grid(&ctx, week, k == 0))
            }
            section.venues aria-labelledby="venues" {
                h2 id="venues" { "Rooms in use by venue" }
                p {
                    "Each in-person meeting by venue and session: rooms in use of the rooms the "
                    "venue has, and the cases meeting there. A full-day meeting uses its rooms "
                    "in both sessions."
                }
                @for week in &weeks {
                    (venue_grid(&ctx, week))
                }
            }
            (not_held(&ctx, report, fixes))
            section.map-section aria-labelledby="map" {
                h2 id="map" { "Where the families are" }
                (map::map(problem, &meetings_per_area(problem, &facts)))
            }
            @if !report.warnings.is_empty() {
                section aria-labelledby="warnings" {
                    h2 id="warnings" { "Warnings (" (report.warnings.len()) ")" }
                    ul {
                        @for issue in report.warnings {
                            li { (issue_line(issue)) }
                        }
                    }
                }
            }
        }
    };
    super::page(&title, body)
}

/// What every part of the page reads.
struct Ctx<'a> {
    problem: &'a Problem,
    meetings: &'a [Meeting],
    facts: &'a [Facts<'a>],
    columns: &'a Columns<'a>,
}

fn solver(s: &SolverSummary, repaired: usize) -> Markup {
    let gap = match (s.absolute_gap, s.relative_gap) {
        (Some(a), Some(r)) => format!("{a:.0} ({:.2}%)", r * 100.0),
        (Some(a), None) => format!("{a:.0}"),
        _ => "–".into(),
    };
    let bound = s
        .best_bound
        .map_or_else(|| "–".into(), |b| format!("{b:.0}"));
    html! {
        dl.solver aria-label="Solver" {
            div { dt { "Solver status" } dd { (status_name(s.status)) } }
            div { dt { "Objective" } dd { (format!("{:.0}", s.objective)) } }
            div { dt { "Best bound" } dd { (bound) } }
            div { dt { "Gap" } dd { (gap) } }
            div { dt { "Backend" } dd { (s.backend.as_str()) } }
            @if repaired > 0 {
                div { dt { "Repaired" } dd { (repaired) " case(s) placed by the greedy repair" } }
            }
        }
    }
}

fn mean(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.1}"))
}

fn figures(report: &RosterReport) -> Markup {
    let row = |name: &str, code: &str, k: &CaseKpis, all: bool| {
        html! {
            tr.all[all] {
                th scope="row" { (name) }
                td { (code) }
                td.num { (k.cases) }
                td.num { (k.held_by_day_30) }
                td.num { (k.late) }
                td.num { (k.unscheduled) }
                td.num { (k.carried_over) }
                td.num { (mean(k.mean_days_to_meeting)) }
            }
        }
    };
    html! {
        section aria-labelledby="figures" {
            h2 id="figures" { "Key figures" }
            table.figures {
                caption { "Key figures per local authority" }
                thead {
                    tr {
                        th scope="col" { "LA" }
                        th scope="col" { "Code" }
                        th.num scope="col" { "Cases" }
                        th.num scope="col" { "Held by day 30" }
                        th.num scope="col" { "Late" }
                        th.num scope="col" { "Unscheduled" }
                        th.num scope="col" { "Carried over" }
                        th.num scope="col" { "Mean days to meeting" }
                    }
                }
                tbody {
                    (row("All LAs", "", &report.kpis.overall, true))
                    @for la in &report.kpis.by_la {
                        (row(&la.la_name, &la.la_code, &la.kpis, false))
                    }
                }
            }
        }
    }
}

/// The grid's session columns: every half-day template, in time order, plus any full-day
/// template that overlaps none of them. A full-day template that overlaps half-day ones
/// spans their columns.
struct Columns<'a> {
    heads: Vec<&'a SessionTemplate>,
    /// Per template index: its first column and how many columns it spans.
    place: Vec<(usize, usize)>,
}

impl<'a> Columns<'a> {
    fn of(templates: &'a [SessionTemplate]) -> Self {
        let half = |t: &SessionTemplate| !t.full_day;
        let mut heads: Vec<usize> = (0..templates.len())
            .filter(|&t| {
                half(&templates[t])
                    || !templates
                        .iter()
                        .any(|o| half(o) && o.overlaps(&templates[t]))
            })
            .collect();
        heads.sort_by_key(|&t| (templates[t].start, templates[t].end, t));
        let place = (0..templates.len())
            .map(|t| {
                if let Some(p) = heads.iter().position(|&h| h == t) {
                    return (p, 1);
                }
                let spanned: Vec<usize> = heads
                    .iter()
                    .enumerate()
                    .filter(|(_, &h)| templates[h].overlaps(&templates[t]))
                    .map(|(p, _)| p)
                    .collect();
                let first = spanned.first().copied().unwrap_or(0);
                let last = spanned.last().copied().unwrap_or(first);
                (first, last - first + 1)
            })
            .collect();
        Columns {
            heads: heads.into_iter().map(|t| &templates[t]).collect(),
            place,
        }
    }

    fn len(&self) -> usize {
        self.heads.len().max(1)
    }
}

/// Who a grid row belongs to: a mediator (venue) of the problem, in the problem's order,
/// then unknown ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key<I> {
    Known(I),
    Unknown(String),
}

/// One cell of a row's lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Empty,
    /// A meeting starts here and spans this many columns.
    Start(usize, usize),
    /// Covered by a meeting started to the left.
    Covered,
}

/// One ISO week of the grid.
struct Week {
    monday: NaiveDate,
    /// Working days of the horizon in the week, and any other day a meeting falls on.
    days: Vec<NaiveDate>,
    /// Per mediator, one or more lanes of `days × columns` slots (more than one only when a
    /// hand-edited roster double-books the mediator).
    mediators: Vec<(Key<MediatorIdx>, Vec<Vec<Slot>>)>,
    /// Per venue, the in-person meetings in each `days × columns` cell.
    venues: Vec<(Key<VenueIdx>, Vec<Vec<usize>>)>,
    /// Meetings whose session template the problem does not define.
    unplaced: Vec<usize>,
}

fn monday(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

fn weeks(problem: &Problem, meetings: &[Meeting], columns: &Columns) -> Vec<Week> {
    let mut days: BTreeMap<NaiveDate, BTreeSet<NaiveDate>> = BTreeMap::new();
    for &d in &problem.horizon.days {
        if problem.calendar.is_working_day(d) {
            days.entry(monday(d)).or_default().insert(d);
        }
    }
    for m in meetings {
        days.entry(monday(m.date)).or_default().insert(m.date);
    }
    let mut weeks: Vec<Week> = days
        .into_iter()
        .map(|(monday, days)| Week {
            monday,
            days: days.into_iter().collect(),
            mediators: Vec::new(),
            venues: Vec::new(),
            unplaced: Vec::new(),
        })
        .collect();
    let week_of: HashMap<NaiveDate, usize> = weeks
        .iter()
        .enumerate()
        .map(|(w, week)| (week.monday, w))
        .collect();
    let n = columns.len();

    let mut by_mediator: Vec<BTreeMap<Key<MediatorIdx>, Vec<Vec<Slot>>>> =
        weeks.iter().map(|_| BTreeMap::new()).collect();
    let mut by_venue: Vec<BTreeMap<Key<VenueIdx>, Vec<Vec<usize>>>> =
        weeks.iter().map(|_| BTreeMap::new()).collect();
    for (i, m) in meetings.iter().enumerate() {
        let w = week_of[&monday(m.date)];
        let week = &mut weeks[w];
        let Some(&t) = problem.index.template.get(&m.session) else {
            week.unplaced.push(i);
            continue;
        };
        let (col, span) = columns.place[t];
        let Ok(d) = week.days.binary_search(&m.date) else {
            week.unplaced.push(i);
            continue;
        };
        let first = d * n + col;
        let cells = week.days.len() * n;

        let key = problem
            .index
            .mediator
            .get(&m.mediator)
            .map_or_else(|| Key::Unknown(m.mediator.clone()), |&x| Key::Known(x));
        let lanes = by_mediator[w].entry(key).or_default();
        let free = |lane: &Vec<Slot>| (first..first + span).all(|c| lane[c] == Slot::Empty);
        let lane = match lanes.iter().position(free) {
            Some(l) => l,
            None => {
                lanes.push(vec![Slot::Empty; cells]);
                lanes.len() - 1
            }
        };
        lanes[lane][first] = Slot::Start(i, span);
        for slot in &mut lanes[lane][first + 1..first + span] {
            *slot = Slot::Covered;
        }

        if m.mode == Mode::InPerson {
            if let Some(v) = &m.venue {
                let key = problem
                    .index
                    .venue
                    .get(v)
                    .map_or_else(|| Key::Unknown(v.clone()), |&x| Key::Known(x));
                let grid = by_venue[w]
                    .entry(key)
                    .or_insert_with(|| vec![Vec::new(); cells]);
                for cell in &mut grid[first..first + span] {
                    cell.push(i);
                }
            }
        }
    }
    for ((week, mediators), venues) in weeks.iter_mut().zip(by_mediator).zip(by_venue) {
        week.mediators = mediators.into_iter().collect();
        week.venues = venues.into_iter().collect();
    }
    weeks
}

/// The two header rows of a week grid: days, then sessions.
fn grid_head(ctx: &Ctx, week: &Week, who: &str) -> Markup {
    let n = ctx.columns.len();
    html! {
        colgroup { col.who; }
        @for _ in &week.days {
            colgroup span=(n) {}
        }
        thead {
            tr {
                th scope="col" rowspan="2" { (who) }
                @for d in &week.days {
                    th scope="colgroup" colspan=(n) { (short_day(*d)) }
                }
            }
            tr {
                @for _ in &week.days {
                    @if ctx.columns.heads.is_empty() {
                        th scope="col" { "Session" }
                    }
                    @for t in &ctx.columns.heads {
                        th scope="col" { (t.id) span.time { (times(t)) } }
                    }
                }
            }
        }
    }
}

fn mediator_label(problem: &Problem, key: &Key<MediatorIdx>) -> String {
    match key {
        Key::Known(m) => format!(
            "{} ({})",
            problem.mediators[*m].name, problem.mediators[*m].id
        ),
        Key::Unknown(id) => id.clone(),
    }
}

fn mediator_grid(ctx: &Ctx, week: &Week, first: bool) -> Markup {
    let caption = format!("Week of {}", day(week.monday));
    let width = 1 + week.days.len() * ctx.columns.len();
    let id = format!("week-{}", week.monday);
    // Print: a smaller font for a long week keeps its grid on one A4 landscape page.
    let rows: usize = week.mediators.iter().map(|(_, lanes)| lanes.len()).sum();
    html! {
        section.week aria-labelledby=(id) {
            @if first {
                h2 id="weeks" { "Meetings by mediator" }
            }
            table.grid.roomy[rows <= 10].dense[rows > 16].denser[rows > 22] {
                caption id=(id) { (caption) }
                (grid_head(ctx, week, "Mediator"))
                tbody {
                    @for (key, lanes) in &week.mediators {
                        @for (l, lane) in lanes.iter().enumerate() {
                            tr {
                                @if l == 0 {
                                    th scope="row" rowspan=[(lanes.len() > 1).then_some(lanes.len())] {
                                        (mediator_label(ctx.problem, key))
                                    }
                                }
                                @for slot in lane {
                                    @match slot {
                                        Slot::Empty => td {},
                                        Slot::Covered => {},
                                        Slot::Start(i, span) => (meeting_cell(ctx, *i, *span)),
                                    }
                                }
                            }
                        }
                    }
                    @if week.mediators.is_empty() {
                        tr { td colspan=(width) { "No meetings this week." } }
                    }
                }
            }
            @if !week.unplaced.is_empty() {
                p { "Meetings this week in a session the problem does not define:" }
                ul {
                    @for &i in &week.unplaced {
                        li.meeting data-case=(ctx.meetings[i].case) {
                            (meeting_text(ctx, i))
                        }
                    }
                }
            }
        }
    }
}

fn la_of_case(ctx: &Ctx, i: usize) -> String {
    ctx.facts[i]
        .case
        .map(|c| kpi::la_name(ctx.problem, &c.la))
        .unwrap_or_default()
}

/// One meeting: case, LA, place, interpreter, session when it spans columns, lateness.
fn meeting_cell(ctx: &Ctx, i: usize, span: usize) -> Markup {
    let m = &ctx.meetings[i];
    let f = &ctx.facts[i];
    let late = late_words(f);
    html! {
        td.meeting.late[late.is_some()] colspan=[(span > 1).then_some(span)] data-case=(m.case) {
            span.ref { (m.case) }
            span.la { (la_of_case(ctx, i)) }
            span.place { (place(m, f)) }
            @if let Some(interpreter) = &m.interpreter {
                span.interp { "interpreter " (interpreter) }
            }
            @if span > 1 {
                @if let Some(t) = f.template {
                    span.sess { (t.id) " " (times(t)) }
                }
            }
            @if let Some(words) = late {
                strong.late-flag { (words) }
            }
        }
    }
}

/// A meeting in one line, for meetings the grid cannot place.
fn meeting_text(ctx: &Ctx, i: usize) -> Markup {
    let m = &ctx.meetings[i];
    let f = &ctx.facts[i];
    html! {
        (m.case) ", " (la_of_case(ctx, i)) ": " (day(m.date)) " " (super::session(m, f)) ", "
        (mediator(m, f)) ", " (place(m, f))
        @if let Some(interpreter) = &m.interpreter { ", interpreter " (interpreter) }
        @if let Some(words) = late_words(f) { " " strong { (words) } }
    }
}

fn venue_label(ctx: &Ctx, key: &Key<VenueIdx>) -> Markup {
    match key {
        Key::Known(v) => {
            let venue = &ctx.problem.venues[*v];
            html! {
                (venue.name) " (" (venue.id) ")"
                span.sub { (venue.rooms) " room(s)" }
            }
        }
        Key::Unknown(id) => html! { (id) },
    }
}

fn venue_grid(ctx: &Ctx, week: &Week) -> Markup {
    let n = ctx.columns.len();
    let width = 1 + week.days.len() * n;
    html! {
        table.grid.rooms-grid {
            caption { "Rooms in use, week of " (day(week.monday)) }
            (grid_head(ctx, week, "Venue"))
            tbody {
                @for (key, cells) in &week.venues {
                    tr {
                        th scope="row" { (venue_label(ctx, key)) }
                        @for cell in cells {
                            @if cell.is_empty() {
                                td {}
                            } @else {
                                (rooms_cell(ctx, key, cell))
                            }
                        }
                    }
                }
                @if week.venues.is_empty() {
                    tr { td colspan=(width) { "No in-person meetings this week." } }
                }
            }
        }
    }
}

fn rooms_cell(ctx: &Ctx, key: &Key<VenueIdx>, meetings: &[usize]) -> Markup {
    let used: u32 = meetings
        .iter()
        .map(|&i| ctx.facts[i].case.map_or(1, |c| c.needs.rooms.max(1)))
        .sum();
    let rooms = match key {
        Key::Known(v) => Some(ctx.problem.venues[*v].rooms),
        Key::Unknown(_) => None,
    };
    let over = rooms.is_some_and(|r| used > r);
    html! {
        td.rooms {
            span.inuse {
                @match rooms {
                    Some(r) => { (used) " of " (r) " room(s)" },
                    None => { (used) " room(s)" },
                }
                @if over { " " span.over { "over-booked" } }
            }
            ul {
                @for &i in meetings {
                    li { (ctx.meetings[i].case) }
                }
            }
        }
    }
}

/// The fix a coordinator would try first: lowest cost plus effort.
fn cheapest(fixes: &CaseFixes) -> Option<&Fix> {
    fixes
        .fixes
        .iter()
        .min_by_key(|f| (f.cost.saturating_add(f.effort), f.rank))
}

/// A case not held by its day 30.
struct NotHeld<'a> {
    case: &'a str,
    status: String,
    deadline: Option<NaiveDate>,
    primary: &'a str,
    reasons: &'a [Reason],
}

fn not_held(ctx: &Ctx, report: &RosterReport, fixes: &[CaseFixes]) -> Markup {
    let roster = &report.outcome.roster;
    let fixes: HashMap<&str, &CaseFixes> = fixes.iter().map(|f| (f.case.as_str(), f)).collect();
    let mut rows: Vec<NotHeld> = Vec::new();
    for u in &roster.unscheduled {
        rows.push(NotHeld {
            case: &u.case,
            status: "Unscheduled".into(),
            deadline: Some(u.deadline),
            primary: &u.primary_reason,
            reasons: &u.reasons,
        });
    }
    for (i, m) in ctx.meetings.iter().enumerate() {
        let f = &ctx.facts[i];
        if f.late != Some(true) {
            continue;
        }
        let details = m.details.as_ref();
        rows.push(NotHeld {
            case: &m.case,
            status: format!(
                "Held late: {}, {} after its deadline",
                day(m.date),
                super::days(-f.margin.unwrap_or(0))
            ),
            deadline: f.deadline,
            primary: details
                .and_then(|d| d.late_primary_reason.as_deref())
                .unwrap_or(""),
            reasons: details.map_or(&[], |d| d.late_reasons.as_slice()),
        });
    }
    for c in &roster.carried_over {
        rows.push(NotHeld {
            case: &c.case,
            status: "Carried over: its deadline is after this roster".into(),
            deadline: Some(c.deadline),
            primary: &c.primary_reason,
            reasons: &c.reasons,
        });
    }
    let la = |reference: &str| {
        ctx.problem
            .index
            .case
            .get(reference)
            .map(|&c| kpi::la_name(ctx.problem, &ctx.problem.cases[c].la))
            .unwrap_or_default()
    };
    html! {
        section.not-held aria-labelledby="not-held" {
            h2 id="not-held" { "Cases not held by day 30 (" (rows.len()) ")" }
            @if rows.is_empty() {
                p { "Every case is held by its day 30, or its day 30 lies after this roster." }
            } @else {
                table.not-held {
                    caption { "Unscheduled, late and carried-over cases, with why and the cheapest fix" }
                    thead {
                        tr {
                            th scope="col" { "Case" }
                            th scope="col" { "LA" }
                            th scope="col" { "Status" }
                            th scope="col" { "Deadline" }
                            th scope="col" { "Primary reason" }
                            th.reasons-col scope="col" { "Reasons (options ruled out)" }
                            th scope="col" { "Cheapest suggested fix" }
                        }
                    }
                    tbody {
                        @for row in &rows {
                            tr data-case=(row.case) data-primary-reason=(row.primary) {
                                th scope="row" { (row.case) }
                                td { (la(row.case)) }
                                td.status { (row.status) }
                                td { (row.deadline.map(day).unwrap_or_default()) }
                                td {
                                    @if row.primary.is_empty() { "–" } @else { code { (row.primary) } }
                                }
                                td {
                                    @if row.reasons.is_empty() {
                                        "–"
                                    } @else {
                                        ul.reasons {
                                            @for r in row.reasons {
                                                li { code { (r.code) } " ×" (r.count) ": " (r.message) }
                                            }
                                        }
                                    }
                                }
                                td { (fix_cell(fixes.get(row.case).copied())) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn fix_cell(fixes: Option<&CaseFixes>) -> Markup {
    let Some(case) = fixes else {
        return html! { span.muted { "not computed" } };
    };
    match cheapest(case) {
        Some(fix) => html! {
            (fix.description) " "
            span.muted { "(" code { (fix.kind) } ")" }
        },
        None => {
            let why = match case.status {
                CaseStatus::CarriedOver => "No single change holds it on time in this roster.",
                _ => "No single change holds it on time.",
            };
            html! { (why) }
        }
    }
}

/// Meetings per area of the problem, by the case's family area.
fn meetings_per_area(problem: &Problem, facts: &[Facts]) -> Vec<usize> {
    let mut count = vec![0; problem.areas.len()];
    for f in facts {
        if let Some(case) = f.case {
            if let Some(c) = count.get_mut(case.family_area) {
                *c += 1;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn template(id: &str, start: u32, end: u32, full_day: bool) -> SessionTemplate {
        SessionTemplate {
            id: id.into(),
            start: NaiveTime::from_hms_opt(start, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(end, 0, 0).unwrap(),
            full_day,
        }
    }

    #[test]
    fn a_full_day_spans_the_half_days_it_overlaps_and_stands_alone_otherwise() {
        let templates = [
            template("FULL", 9, 17, true),
            template("PM", 13, 17, false),
            template("AM", 9, 13, false),
            template("EVE", 18, 21, true),
        ];
        let columns = Columns::of(&templates);
        let heads: Vec<&str> = columns.heads.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(heads, ["AM", "PM", "EVE"]);
        assert_eq!(columns.place, [(0, 2), (1, 1), (0, 1), (2, 1)]);
    }

    #[test]
    fn mondays_start_iso_weeks() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(monday(d("2027-03-24")), d("2027-03-22"));
        assert_eq!(monday(d("2026-12-07")), d("2026-12-07"));
        assert_eq!(monday(d("2026-12-13")), d("2026-12-07"));
    }
}
