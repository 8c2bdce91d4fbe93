//! The independent checker: re-verifies a [`Roster`] against every hard rule of a [`Problem`],
//! without the candidate generator or the MILP, and returns every violation it finds.
//!
//! It owns three things:
//! - **Each meeting on its own**: every id resolves and the date lies in the horizon, the mode
//!   agrees with the venue, and the single-meeting rules of [`rules::placement_violations`] hold.
//! - **Meetings together**, counted from the raw roster by a private `Booked` index: mediator
//!   overlaps and travel (via [`rules::conflicts_between`]), day and ISO-week caps (a full day
//!   counts as two sessions), venue rooms at every session start, interpreter overlaps.
//! - **What the roster leaves out**: every case appears exactly once, and every reason is
//!   verified by enumerating the case's options here (not with the candidate generator), so a
//!   roster cannot pass by leaving placeable cases out under a catch-all reason.
//!
//! Violations carry a [`Rule::code`], or one of the checker's own codes:
//! - [`CASE_MISSING`] (`case_missing`): a case of the problem is neither held, unscheduled nor
//!   carried over.
//! - [`CARRY_OVER_NOT_ALLOWED`] (`carry_over_not_allowed`): a case is carried over although its
//!   deadline falls inside the horizon.
//! - [`REASON_NOT_CONFIRMED`] (`reason_not_confirmed`): an unscheduled case's primary reason is
//!   not borne out: `capacity_taken` with no rule-feasible option or with a free one, a rule
//!   code while some option satisfies every rule, or a code that names no rule.
//! - [`PLACEABLE_CASE_LEFT_OUT`] (`placeable_case_left_out`): an unscheduled or carried-over case
//!   has an option that satisfies every rule and that no meeting of the roster occupies.
//! - [`LATE_CASE_COULD_BE_EARLIER`] (`late_case_could_be_earlier`): a late meeting has a free,
//!   rule-feasible option on or before its deadline.
//!
//! An *option* of a case is a mediator, a horizon day, a session template, a site (a venue,
//! video or phone) and possibly an interpreter, breaking no single-meeting rule. It is
//! *blocked* when adding it to the roster (without the case's own meetings) would break a rule
//! between meetings.

use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;

use serde::Serialize;

use crate::calendar::iso_week;
use crate::model::{
    CaseIdx, DayIdx, InterpreterIdx, MediatorIdx, Mode, Problem, TemplateIdx, VenueIdx,
};
use crate::roster::{Meeting, Roster, CAPACITY_TAKEN};
use crate::rules::{self, Placement, Rule, Site};

/// A case of the problem appears nowhere in the roster.
pub const CASE_MISSING: &str = "case_missing";
/// A case is carried over although its deadline falls inside the horizon.
pub const CARRY_OVER_NOT_ALLOWED: &str = "carry_over_not_allowed";
/// An unscheduled case's primary reason does not match what the checker finds.
pub const REASON_NOT_CONFIRMED: &str = "reason_not_confirmed";
/// A case left out of the roster has a free option that satisfies every rule.
pub const PLACEABLE_CASE_LEFT_OUT: &str = "placeable_case_left_out";
/// A late meeting could have been held on or before its deadline.
pub const LATE_CASE_COULD_BE_EARLIER: &str = "late_case_could_be_earlier";

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// A [`Rule::code`], or one of the checker's own codes (see the module docs).
    pub code: String,
    /// The case reference concerned, when there is one.
    pub case: Option<String>,
    /// Index of the meeting in `roster.meetings`, when a meeting is at fault.
    pub meeting: Option<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckReport {
    pub violations: Vec<Violation>,
    pub meetings_checked: usize,
}

impl CheckReport {
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The code of every violation, in the order found.
    pub fn codes(&self) -> Vec<&str> {
        self.violations.iter().map(|v| v.code.as_str()).collect()
    }
}

/// Checks `roster` against every hard rule of `problem`.
pub fn check(problem: &Problem, roster: &Roster) -> CheckReport {
    let mut violations = Vec::new();
    let booked = check_meetings(problem, roster, &mut violations);
    check_completeness(problem, roster, &mut violations);
    let mut searches = Searches::default();
    check_left_out_cases(problem, roster, &booked, &mut searches, &mut violations);
    check_late_meetings(problem, roster, &booked, &mut searches, &mut violations);
    CheckReport {
        violations,
        meetings_checked: roster.meetings.len(),
    }
}

// ---------------------------------------------------------------------------------------
// Meetings
// ---------------------------------------------------------------------------------------

/// Checks each meeting on its own and against the meetings before it (so each clash is reported
/// once, on the later meeting); returns every meeting that resolved, indexed.
fn check_meetings(problem: &Problem, roster: &Roster, out: &mut Vec<Violation>) -> Booked {
    let mut booked = Booked::default();
    for (index, meeting) in roster.meetings.iter().enumerate() {
        let placement = match resolve(problem, meeting) {
            Ok(placement) => placement,
            Err((rule, message)) => {
                out.push(meeting_violation(rule.code(), meeting, index, message));
                continue;
            }
        };
        for rule in rules::placement_violations(problem, &placement) {
            let message = format!("{}: {}", describe_meeting(meeting), rule.description());
            out.push(meeting_violation(rule.code(), meeting, index, message));
        }
        for clash in booked.clashes(problem, &placement, None) {
            let message = format!("{}: {}", describe_meeting(meeting), clash.describe(roster));
            out.push(meeting_violation(
                clash.rule.code(),
                meeting,
                index,
                message,
            ));
        }
        booked.add(problem, index, placement);
    }
    booked
}

/// Turns a meeting's external ids into a [`Placement`], or says why it can't be checked
/// further.
fn resolve(problem: &Problem, meeting: &Meeting) -> Result<Placement, (Rule, String)> {
    let index = &problem.index;
    let mut unknown = Vec::new();
    let mut lookup = |kind: &str, map: &HashMap<String, usize>, id: &str| {
        let found = map.get(id).copied();
        if found.is_none() {
            unknown.push(format!("{kind} `{id}`"));
        }
        found
    };
    let case = lookup("case", &index.case, &meeting.case);
    let mediator = lookup("mediator", &index.mediator, &meeting.mediator);
    let template = lookup("session", &index.template, &meeting.session);
    // An id that is not named resolves to `Some(None)`; one that is named but unknown to `None`.
    let venue = match &meeting.venue {
        Some(id) => lookup("venue", &index.venue, id).map(Some),
        None => Some(None),
    };
    let interpreter = match &meeting.interpreter {
        Some(id) => lookup("interpreter", &index.interpreter, id).map(Some),
        None => Some(None),
    };
    let (Some(case), Some(mediator), Some(template), Some(venue), Some(interpreter)) =
        (case, mediator, template, venue, interpreter)
    else {
        let message = format!("the problem has no {}", unknown.join(", no "));
        return Err((Rule::UnknownReference, message));
    };
    // A horizon whose day list disagrees with its start and end (a problem not built by
    // `validate`) must not let a date through that has no day.
    let day = problem
        .horizon
        .day_index(meeting.date)
        .filter(|&d| problem.horizon.days.get(d) == Some(&meeting.date));
    let Some(day) = day else {
        let message = format!(
            "{} is outside the horizon {}..{}",
            meeting.date, problem.horizon.start, problem.horizon.end
        );
        return Err((Rule::WithinHorizon, message));
    };
    let site = match (meeting.mode, venue) {
        (Mode::InPerson, Some(v)) => Site::Venue(v),
        (Mode::Video | Mode::Phone, None) => Site::Remote(meeting.mode),
        (Mode::InPerson, None) => {
            return Err((Rule::VenueMatchesMode, "in person but no venue".into()))
        }
        (mode, Some(_)) => {
            let message = format!("a {} meeting names a venue", mode.as_str());
            return Err((Rule::VenueMatchesMode, message));
        }
    };
    Ok(Placement {
        case,
        mediator,
        day,
        template,
        site,
        interpreter,
    })
}

// ---------------------------------------------------------------------------------------
// Completeness
// ---------------------------------------------------------------------------------------

/// Every case appears exactly once; only carry over cases whose deadline is after the horizon.
fn check_completeness(problem: &Problem, roster: &Roster, out: &mut Vec<Violation>) {
    let mut seen: Vec<Vec<&str>> = vec![Vec::new(); problem.cases.len()];
    let held = roster.meetings.iter().map(|m| (m.case.as_str(), "held"));
    let unscheduled = roster
        .unscheduled
        .iter()
        .map(|u| (u.case.as_str(), "unscheduled"));
    let carried = roster
        .carried_over
        .iter()
        .map(|c| (c.case.as_str(), "carried over"));
    for (reference, place) in held.chain(unscheduled).chain(carried) {
        match problem.index.case.get(reference) {
            Some(&c) => seen[c].push(place),
            // An unknown case of a meeting is already reported by `resolve`.
            None if place != "held" => out.push(case_violation(
                Rule::UnknownReference.code(),
                reference,
                format!("the problem has no case `{reference}` ({place})"),
            )),
            None => {}
        }
    }
    for (case, places) in problem.cases.iter().zip(&seen) {
        let reference = case.reference.as_str();
        match places.len() {
            0 => out.push(case_violation(
                CASE_MISSING,
                reference,
                "neither held, unscheduled nor carried over".into(),
            )),
            1 => {}
            _ => out.push(case_violation(
                Rule::CaseOnce.code(),
                reference,
                format!(
                    "appears {} times: {}",
                    places.len(),
                    summarise_places(places)
                ),
            )),
        }
    }
    for carried in &roster.carried_over {
        let Some(&c) = problem.index.case.get(&carried.case) else {
            continue;
        };
        let deadline = rules::deadline(problem, &problem.cases[c]);
        if deadline <= problem.horizon.end {
            out.push(case_violation(
                CARRY_OVER_NOT_ALLOWED,
                &carried.case,
                format!(
                    "its deadline {deadline} falls within the horizon (ending {})",
                    problem.horizon.end
                ),
            ));
        }
    }
}

/// Where a case appears, listed when there are a few places and counted when there are many,
/// so a case held thousands of times gives a short message.
fn summarise_places(places: &[&str]) -> String {
    const LISTED: usize = 10;
    if places.len() <= LISTED {
        return places.join(", ");
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for place in places {
        match counts.iter_mut().find(|(p, _)| p == place) {
            Some((_, n)) => *n += 1,
            None => counts.push((place, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(p, n)| format!("{p} {n}×")).collect();
    parts.join(", ")
}

// ---------------------------------------------------------------------------------------
// Reasons
// ---------------------------------------------------------------------------------------

/// Unscheduled and carried-over cases: reasons confirmed, nothing placeable left out.
fn check_left_out_cases(
    problem: &Problem,
    roster: &Roster,
    booked: &Booked,
    searches: &mut Searches,
    out: &mut Vec<Violation>,
) {
    let all_days = 0..problem.horizon.days.len();
    for unscheduled in &roster.unscheduled {
        let Some(&c) = problem.index.case.get(&unscheduled.case) else {
            continue;
        };
        let search = searches.get(problem, booked, c, all_days.clone());
        if let Some(message) = reason_mismatch(problem, &unscheduled.primary_reason, &search) {
            out.push(case_violation(
                REASON_NOT_CONFIRMED,
                &unscheduled.case,
                message,
            ));
        }
        flag_placeable(problem, &unscheduled.case, &search, out);
    }
    for carried in &roster.carried_over {
        let Some(&c) = problem.index.case.get(&carried.case) else {
            continue;
        };
        let search = searches.get(problem, booked, c, all_days.clone());
        flag_placeable(problem, &carried.case, &search, out);
    }
}

/// Why `primary_reason` is not borne out by the options found, if it isn't.
fn reason_mismatch(problem: &Problem, primary_reason: &str, search: &Search) -> Option<String> {
    if primary_reason == CAPACITY_TAKEN {
        return match (search.any, search.free) {
            (false, _) => Some(format!(
                "`{CAPACITY_TAKEN}` but no option satisfies every rule: the reason is a rule"
            )),
            (true, Some(free)) => Some(format!(
                "`{CAPACITY_TAKEN}` but {} is free",
                describe_option(problem, &free)
            )),
            (true, None) => None,
        };
    }
    if !is_rule_code(primary_reason) {
        return Some(format!("`{primary_reason}` is not a rule code"));
    }
    search.first.map(|option| {
        format!(
            "`{primary_reason}` but {} satisfies every rule",
            describe_option(problem, &option)
        )
    })
}

fn flag_placeable(problem: &Problem, reference: &str, search: &Search, out: &mut Vec<Violation>) {
    if let Some(free) = search.free {
        out.push(case_violation(
            PLACEABLE_CASE_LEFT_OUT,
            reference,
            format!("could be held: {}", describe_option(problem, &free)),
        ));
    }
}

fn is_rule_code(code: &str) -> bool {
    serde_json::from_value::<Rule>(serde_json::Value::String(code.to_owned())).is_ok()
}

/// A late meeting must not have a free option on or before its deadline.
fn check_late_meetings(
    problem: &Problem,
    roster: &Roster,
    booked: &Booked,
    searches: &mut Searches,
    out: &mut Vec<Violation>,
) {
    for (index, booking) in booked.bookings() {
        let case = &problem.cases[booking.case];
        let date = problem.horizon.days[booking.day];
        if !rules::is_late(problem, case, date) {
            continue;
        }
        let deadline = rules::deadline(problem, case);
        let days_by_deadline = problem
            .horizon
            .days
            .iter()
            .take_while(|d| **d <= deadline)
            .count();
        let search = searches.get(problem, booked, booking.case, 0..days_by_deadline);
        if let Some(free) = search.free {
            let meeting = &roster.meetings[index];
            let message = format!(
                "{}: late (deadline {deadline}) but {} is free",
                describe_meeting(meeting),
                describe_option(problem, &free)
            );
            out.push(meeting_violation(
                LATE_CASE_COULD_BE_EARLIER,
                meeting,
                index,
                message,
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------

/// Searches already made: a case appearing many times (duplicated meetings or entries) is
/// searched once per range of days, so checking stays linear in the roster's size.
#[derive(Debug, Default)]
struct Searches {
    done: HashMap<(CaseIdx, DayIdx, DayIdx), Search>,
}

impl Searches {
    fn get(
        &mut self,
        problem: &Problem,
        booked: &Booked,
        c: CaseIdx,
        days: std::ops::Range<DayIdx>,
    ) -> Search {
        self.done
            .entry((c, days.start, days.end))
            .or_insert_with(|| search_options(problem, booked, c, days))
            .clone()
    }
}

/// What the enumeration of a case's options found.
#[derive(Debug, Default, Clone)]
struct Search {
    /// Some option satisfies every single-meeting rule.
    any: bool,
    /// The first such option.
    first: Option<Placement>,
    /// An option that no other meeting blocks (the search stops at the first).
    free: Option<Placement>,
}

/// Enumerates the options of case `c` on `days`, against the roster without the case's own
/// meetings.
fn search_options(
    problem: &Problem,
    booked: &Booked,
    c: CaseIdx,
    days: std::ops::Range<DayIdx>,
) -> Search {
    let mut search = Search::default();
    let _ = for_each_option(problem, c, days, |option| {
        search.any = true;
        search.first.get_or_insert(option);
        if booked.clashes(problem, &option, Some(c)).is_empty() {
            search.free = Some(option);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    search
}

/// Calls `visit` with every option of case `c` on `days` that breaks no single-meeting rule.
/// Each stage is pruned as soon as its own rule fails.
fn for_each_option(
    problem: &Problem,
    c: CaseIdx,
    days: std::ops::Range<DayIdx>,
    mut visit: impl FnMut(Placement) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let case = &problem.cases[c];
    let open_days: Vec<DayIdx> = days
        .filter(|&d| rules::day_rule(problem, case, d).is_none())
        .collect();
    let sites: Vec<Site> = (0..problem.venues.len())
        .map(Site::Venue)
        .chain([Site::Remote(Mode::Video), Site::Remote(Mode::Phone)])
        .collect();
    for (m, mediator) in problem.mediators.iter().enumerate() {
        if rules::mediator_rule(mediator, case).is_some() {
            continue;
        }
        for &day in &open_days {
            for template in 0..problem.templates.len() {
                if rules::session_rule(problem, case, day, template).is_some()
                    || rules::mediator_slot_rule(problem, mediator, day, template).is_some()
                {
                    continue;
                }
                for &site in &sites {
                    if rules::site_rule(problem, case, site, day, template).is_some() {
                        continue;
                    }
                    for interpreter in interpreter_choices(problem, c, m, day, template) {
                        let option = Placement {
                            case: c,
                            mediator: m,
                            day,
                            template,
                            site,
                            interpreter,
                        };
                        if rules::placement_violations(problem, &option).is_empty() {
                            visit(option)?;
                        }
                    }
                }
            }
        }
    }
    ControlFlow::Continue(())
}

/// No interpreter, unless the case needs a language the mediator lacks: then each
/// interpreter who speaks it and is free.
fn interpreter_choices(
    problem: &Problem,
    c: CaseIdx,
    m: MediatorIdx,
    day: DayIdx,
    template: TemplateIdx,
) -> Vec<Option<InterpreterIdx>> {
    let case = &problem.cases[c];
    match &case.needs.language {
        Some(lang) if !rules::mediator_speaks(&problem.mediators[m], lang) => problem
            .interpreters
            .iter()
            .enumerate()
            .filter(|(_, i)| rules::interpreter_can_attend(i, lang, day, template))
            .map(|(i, _)| Some(i))
            .collect(),
        _ => vec![None],
    }
}

// ---------------------------------------------------------------------------------------
// Booked: the roster's meetings, indexed for the rules between meetings
// ---------------------------------------------------------------------------------------

/// A resolved meeting: its index in `roster.meetings` and where it is.
#[derive(Debug, Clone, Copy)]
struct Booking {
    meeting: usize,
    placement: Placement,
}

/// The resolved meetings of a roster, indexed by what the rules between meetings compare.
///
/// Each index holds a [`Bucket`] (a mediator's day or ISO week, a venue's day, an
/// interpreter's day) whose meetings are grouped by session template and site: meetings of one
/// group compare alike with any other meeting, so a new meeting is compared with each group
/// once (against the group's first meeting) rather than with every meeting. Checking is
/// near-linear in the roster's size, and a clash with a whole group is reported once, against
/// its first meeting.
#[derive(Debug, Default)]
struct Booked {
    all: Vec<Booking>,
    by_mediator_day: HashMap<(MediatorIdx, DayIdx), Bucket>,
    by_mediator_week: HashMap<(MediatorIdx, (i32, u32)), Bucket>,
    by_venue_day: HashMap<(VenueIdx, DayIdx), Bucket>,
    by_interpreter_day: HashMap<(InterpreterIdx, DayIdx), Bucket>,
}

/// The meetings of one bucket that share a session template and a site.
#[derive(Debug, Clone, Copy)]
struct Group {
    template: TemplateIdx,
    /// The group's first meeting.
    first: Booking,
    /// The group's first meeting of a case other than `first`'s, to stand for the group when
    /// `first`'s case is left out.
    other_case: Option<Booking>,
    /// Session units and rooms of all the group's meetings.
    units: u32,
    rooms: u32,
}

impl Group {
    /// The group's first meeting that is not of case `excluding`.
    fn representative(&self, excluding: Option<CaseIdx>) -> Option<Booking> {
        if Some(self.first.placement.case) != excluding {
            Some(self.first)
        } else {
            self.other_case
        }
    }
}

/// Meetings sharing a key, grouped by (template, site).
#[derive(Debug, Default)]
struct Bucket {
    groups: Vec<Group>,
    group_of: HashMap<(TemplateIdx, Site), usize>,
    /// Session units and rooms of each case's meetings in each group.
    case_load: HashMap<(CaseIdx, usize), (u32, u32)>,
}

impl Bucket {
    fn add(&mut self, problem: &Problem, booking: Booking) {
        let p = booking.placement;
        let units = session_units(problem, &p);
        let rooms = problem.cases[p.case].needs.rooms;
        let next = self.groups.len();
        let g = *self.group_of.entry((p.template, p.site)).or_insert(next);
        if g == next {
            self.groups.push(Group {
                template: p.template,
                first: booking,
                other_case: None,
                units: 0,
                rooms: 0,
            });
        }
        let group = &mut self.groups[g];
        if group.other_case.is_none() && group.first.placement.case != p.case {
            group.other_case = Some(booking);
        }
        group.units += units;
        group.rooms += rooms;
        let load = self.case_load.entry((p.case, g)).or_default();
        load.0 += units;
        load.1 += rooms;
    }

    /// Each group with its representative, units and rooms, leaving out case `excluding`'s
    /// meetings (groups holding only that case are skipped).
    fn groups(&self, excluding: Option<CaseIdx>) -> impl Iterator<Item = GroupView> + '_ {
        self.groups
            .iter()
            .enumerate()
            .filter_map(move |(g, group)| {
                let representative = group.representative(excluding)?;
                let (units, rooms) = excluding
                    .and_then(|c| self.case_load.get(&(c, g)))
                    .copied()
                    .unwrap_or((0, 0));
                Some(GroupView {
                    template: group.template,
                    representative,
                    units: group.units - units,
                    rooms: group.rooms - rooms,
                })
            })
    }
}

/// A group as seen when some case's meetings are left out.
#[derive(Debug, Clone, Copy)]
struct GroupView {
    template: TemplateIdx,
    representative: Booking,
    units: u32,
    rooms: u32,
}

/// A rule between meetings that a placement would break.
#[derive(Debug, Clone, Copy)]
struct Clash {
    rule: Rule,
    /// The meeting it clashes with, for pairwise rules.
    with: Option<usize>,
    /// Sessions or rooms used (with the placement) and the limit, for counting rules.
    load: Option<(u32, u32)>,
}

impl Clash {
    fn pair(rule: Rule, with: usize) -> Self {
        Self {
            rule,
            with: Some(with),
            load: None,
        }
    }

    fn count(rule: Rule, used: u32, limit: u32) -> Self {
        Self {
            rule,
            with: None,
            load: Some((used, limit)),
        }
    }

    fn describe(&self, roster: &Roster) -> String {
        let mut text = self.rule.description().to_owned();
        if let Some(other) = self.with {
            text += &format!(
                " (clashes with {})",
                describe_meeting(&roster.meetings[other])
            );
        }
        if let Some((used, limit)) = self.load {
            text += &format!(" ({used} used, limit {limit})");
        }
        text
    }
}

impl Booked {
    fn add(&mut self, problem: &Problem, meeting: usize, placement: Placement) {
        let booking = Booking { meeting, placement };
        let p = placement;
        self.all.push(booking);
        self.by_mediator_day
            .entry((p.mediator, p.day))
            .or_default()
            .add(problem, booking);
        self.by_mediator_week
            .entry((p.mediator, week_of(problem, p.day)))
            .or_default()
            .add(problem, booking);
        if let Site::Venue(v) = p.site {
            self.by_venue_day
                .entry((v, p.day))
                .or_default()
                .add(problem, booking);
        }
        if let Some(i) = p.interpreter {
            self.by_interpreter_day
                .entry((i, p.day))
                .or_default()
                .add(problem, booking);
        }
    }

    /// Every resolved meeting, by roster index.
    fn bookings(&self) -> impl Iterator<Item = (usize, Placement)> + '_ {
        self.all.iter().map(|b| (b.meeting, b.placement))
    }

    /// The rules between meetings that adding `p` would break, ignoring the meetings of case
    /// `excluding`. A pairwise clash names the first meeting of each clashing group.
    fn clashes(&self, problem: &Problem, p: &Placement, excluding: Option<CaseIdx>) -> Vec<Clash> {
        let others = |bucket: Option<&Bucket>| -> Vec<GroupView> {
            bucket
                .map(|b| b.groups(excluding).collect())
                .unwrap_or_default()
        };
        let same_day = others(self.by_mediator_day.get(&(p.mediator, p.day)));
        let same_week = others(
            self.by_mediator_week
                .get(&(p.mediator, week_of(problem, p.day))),
        );
        let mut found = mediator_clashes(problem, p, &same_day);
        found.extend(cap_clashes(problem, p, &same_day, &same_week));
        if let Site::Venue(v) = p.site {
            let at_venue = others(self.by_venue_day.get(&(v, p.day)));
            found.extend(room_clash(problem, p, v, &at_venue));
        }
        if let Some(i) = p.interpreter {
            let interpreting = others(self.by_interpreter_day.get(&(i, p.day)));
            found.extend(interpreter_clashes(problem, p, &interpreting));
        }
        found
    }
}

fn week_of(problem: &Problem, day: DayIdx) -> (i32, u32) {
    iso_week(problem.horizon.days[day])
}

fn session_units(problem: &Problem, p: &Placement) -> u32 {
    problem.templates[p.template].session_units()
}

/// Overlap or travel with the mediator's other meetings that day (one per group).
fn mediator_clashes(problem: &Problem, p: &Placement, same_day: &[GroupView]) -> Vec<Clash> {
    same_day
        .iter()
        .filter_map(|g| {
            let b = g.representative;
            rules::conflicts_between(problem, &b.placement, p).map(|r| Clash::pair(r, b.meeting))
        })
        .collect()
}

/// The mediator's sessions that day and that ISO week, with `p`, against the caps.
fn cap_clashes(
    problem: &Problem,
    p: &Placement,
    same_day: &[GroupView],
    same_week: &[GroupView],
) -> Vec<Clash> {
    let mediator = &problem.mediators[p.mediator];
    let units = |list: &[GroupView]| -> u32 {
        list.iter().map(|g| g.units).sum::<u32>() + session_units(problem, p)
    };
    let (day, week) = (units(same_day), units(same_week));
    let mut found = Vec::new();
    if day > mediator.max_sessions_per_day {
        found.push(Clash::count(
            Rule::MediatorDayCap,
            day,
            mediator.max_sessions_per_day,
        ));
    }
    if week > mediator.max_sessions_per_week {
        found.push(Clash::count(
            Rule::MediatorWeekCap,
            week,
            mediator.max_sessions_per_week,
        ));
    }
    found
}

/// Rooms used at venue `v` at each session start that falls inside `p`'s session. Every
/// meeting starts at a template's start, so the busiest moment is one of these instants.
fn room_clash(
    problem: &Problem,
    p: &Placement,
    v: VenueIdx,
    at_venue: &[GroupView],
) -> Option<Clash> {
    let session = &problem.templates[p.template];
    let own = problem.cases[p.case].needs.rooms;
    let instants: BTreeSet<_> = problem
        .templates
        .iter()
        .map(|t| t.start)
        .filter(|s| session.start <= *s && *s < session.end)
        .collect();
    let limit = problem.venues[v].rooms;
    instants.into_iter().find_map(|instant| {
        let used: u32 = at_venue
            .iter()
            .filter(|g| {
                let t = &problem.templates[g.template];
                t.start <= instant && instant < t.end
            })
            .map(|g| g.rooms)
            .sum::<u32>()
            + own;
        (used > limit).then(|| Clash::count(Rule::VenueRooms, used, limit))
    })
}

/// Overlaps with the interpreter's other meetings that day (one per group).
fn interpreter_clashes(problem: &Problem, p: &Placement, interpreting: &[GroupView]) -> Vec<Clash> {
    let session = &problem.templates[p.template];
    interpreting
        .iter()
        .filter(|g| rules::sessions_overlap(&problem.templates[g.template], session))
        .map(|g| Clash::pair(Rule::InterpreterOverlap, g.representative.meeting))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

fn meeting_violation(code: &str, meeting: &Meeting, index: usize, message: String) -> Violation {
    Violation {
        code: code.to_owned(),
        case: Some(meeting.case.clone()),
        meeting: Some(index),
        message,
    }
}

fn case_violation(code: &str, reference: &str, message: String) -> Violation {
    Violation {
        code: code.to_owned(),
        case: Some(reference.to_owned()),
        meeting: None,
        message,
    }
}

fn describe_meeting(meeting: &Meeting) -> String {
    let place = match &meeting.venue {
        Some(venue) => format!("at {venue}"),
        None => format!("by {}", meeting.mode.as_str()),
    };
    format!(
        "{} with {} on {} {} {place}",
        meeting.case, meeting.mediator, meeting.date, meeting.session
    )
}

/// Names an option the way a coordinator would book it.
fn describe_option(problem: &Problem, p: &Placement) -> String {
    let place = match p.site {
        Site::Venue(v) => format!("at {}", problem.venues[v].id),
        Site::Remote(mode) => format!("by {}", mode.as_str()),
    };
    let interpreter = p
        .interpreter
        .map(|i| format!(" with interpreter {}", problem.interpreters[i].id))
        .unwrap_or_default();
    format!(
        "mediator {} on {} {} {place}{interpreter}",
        problem.mediators[p.mediator].id,
        problem.horizon.days[p.day],
        problem.templates[p.template].id
    )
}
