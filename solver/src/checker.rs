//! The independent checker: re-verifies a [`Roster`] against every hard rule of a [`Problem`],
//! without the candidate generator or the MILP, returns every violation it finds, and
//! confirms every claim the roster makes.
//!
//! It owns four things:
//! - **Each meeting on its own**: it is a placement of the problem ([`placement::resolve`]:
//!   every id resolves, the date lies in the horizon, the mode agrees with the venue), and the
//!   single-meeting rules of [`rules::placement_violations`] hold.
//! - **Meetings together**, counted from the raw roster by a private `Booked` index: mediator
//!   overlaps and travel (via [`rules::conflicts_between`]), day and ISO-week caps (a full day
//!   counts as two sessions), venue rooms at every session start, interpreter overlaps.
//! - **What the roster leaves out**: every case appears exactly once, and every primary reason
//!   is verified by enumerating the case's options here (not with the candidate generator), so
//!   a roster cannot pass by leaving placeable cases out under a catch-all reason.
//! - **What the roster claims**: each meeting's `details` (deadline, margin, late flag,
//!   certificate due date, start and end with their Europe/London UTC offsets, travel, and for
//!   a late meeting its reasons), and each case left out's deadline, primary reason and reason
//!   counts. Dates come from [`rules::deadline`] and the [`crate::calendar`], reasons from
//!   [`explain::explain`] against the roster's other meetings, so a claim holds exactly when
//!   the roster's own builder would have written it. A meeting without `details`, a case's
//!   empty `reasons` list, a late meeting without `late_primary_reason` and a carried-over
//!   case without `primary_reason` claim nothing; a meeting that is not a placement is
//!   reported as such and its details are not read.
//!
//! Violations carry a [`Rule::code`], or one of the checker's own codes:
//! - [`CASE_MISSING`] (`case_missing`): a case of the problem is neither held, unscheduled nor
//!   carried over.
//! - [`CARRY_OVER_NOT_ALLOWED`] (`carry_over_not_allowed`): a case is carried over although its
//!   deadline falls inside the horizon.
//! - [`REASON_NOT_CONFIRMED`] (`reason_not_confirmed`): a primary reason is not borne out. For
//!   a case left out: `capacity_taken` with no rule-abiding option or with a free one, a rule
//!   code while some option satisfies every rule, a code that names no rule, or a code other
//!   than the one [`explain::explain`] finds when it tries the rules in their order
//!   (`docs/rules.md`). For a meeting: a `late_primary_reason` other than the one found, or one
//!   on a meeting held by its deadline.
//! - [`REASON_COUNT_NOT_CONFIRMED`] (`reason_count_not_confirmed`): a list of reasons (a case's
//!   `reasons`, a late meeting's `late_reasons`) gives a code with another count than the one
//!   found, a code that rules nothing out, or leaves out a code that does.
//! - [`PLACEABLE_CASE_LEFT_OUT`] (`placeable_case_left_out`): an unscheduled or carried-over case
//!   has an option that satisfies every rule and that no meeting of the roster occupies.
//! - [`LATE_CASE_COULD_BE_EARLIER`] (`late_case_could_be_earlier`): a late meeting has a free,
//!   rule-feasible option on or before its deadline.
//! - [`DEADLINE_NOT_CONFIRMED`] (`deadline_not_confirmed`): a meeting's, an unscheduled case's
//!   or a carried-over case's `deadline` is not the case's deadline ([`rules::deadline`]).
//! - [`MARGIN_NOT_CONFIRMED`] (`margin_not_confirmed`): a meeting's `days_of_margin` is not the
//!   calendar days from the meeting to the deadline.
//! - [`LATE_FLAG_NOT_CONFIRMED`] (`late_flag_not_confirmed`): a meeting's `late` is not
//!   [`rules::is_late`].
//! - [`CERTIFICATE_DUE_NOT_CONFIRMED`] (`certificate_due_not_confirmed`): a meeting's
//!   `certificate_due` is not 3 working days after it.
//! - [`UTC_OFFSET_NOT_CONFIRMED`] (`utc_offset_not_confirmed`): a meeting's `start` or `end`
//!   carries another UTC offset than Europe/London's at that moment (`+00:00` in winter,
//!   `+01:00` in summer).
//! - [`SESSION_TIME_NOT_CONFIRMED`] (`session_time_not_confirmed`): a meeting's `start` or
//!   `end`, as local time, is not its session's start or end on its date.
//! - [`TRAVEL_NOT_CONFIRMED`] (`travel_not_confirmed`): a meeting's `family_travel_km` or
//!   `mediator_travel_km` is not the road distance to its venue (to 0.1 km), or is given for a
//!   meeting with no venue, or missing for one with a venue.
//!
//! An *option* of a case is a mediator, a horizon day, a session template, a site (a venue,
//! video or phone) and possibly an interpreter, breaking no single-meeting rule. It is
//! *blocked* when adding it to the roster (without the case's own meetings) would break a rule
//! between meetings.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::ControlFlow;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, SecondsFormat};
use serde::Serialize;

use crate::calendar::{iso_week, london_instant};
use crate::explain::{self, Explanation, Occupancy};
use crate::model::{
    CaseIdx, DayIdx, InterpreterIdx, MediatorIdx, Mode, Problem, TemplateIdx, VenueIdx,
};
use crate::placement;
use crate::roster::{Meeting, MeetingDetails, Reason, Roster, CAPACITY_TAKEN};
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
/// A list of reasons does not give the counts found.
pub const REASON_COUNT_NOT_CONFIRMED: &str = "reason_count_not_confirmed";
/// A `deadline` claimed is not the case's deadline.
pub const DEADLINE_NOT_CONFIRMED: &str = "deadline_not_confirmed";
/// A meeting's `days_of_margin` is not the days from the meeting to the deadline.
pub const MARGIN_NOT_CONFIRMED: &str = "margin_not_confirmed";
/// A meeting's `late` flag is wrong.
pub const LATE_FLAG_NOT_CONFIRMED: &str = "late_flag_not_confirmed";
/// A meeting's `certificate_due` is not 3 working days after it.
pub const CERTIFICATE_DUE_NOT_CONFIRMED: &str = "certificate_due_not_confirmed";
/// A meeting's `start` or `end` carries another UTC offset than Europe/London's.
pub const UTC_OFFSET_NOT_CONFIRMED: &str = "utc_offset_not_confirmed";
/// A meeting's `start` or `end` is not its session's time on its date.
pub const SESSION_TIME_NOT_CONFIRMED: &str = "session_time_not_confirmed";
/// A meeting's travel distance is not the road distance to its venue.
pub const TRAVEL_NOT_CONFIRMED: &str = "travel_not_confirmed";

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
    let mut explanations = Explanations::default();
    check_left_out_cases(
        problem,
        roster,
        &booked,
        &mut searches,
        &mut explanations,
        &mut violations,
    );
    check_late_meetings(problem, roster, &booked, &mut searches, &mut violations);
    check_meeting_claims(problem, roster, &booked, &mut explanations, &mut violations);
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
        let placement = match placement::resolve(problem, meeting) {
            Ok(placement) => placement,
            Err(e) => {
                let message = format!("{e} (field `{}`)", e.field());
                out.push(meeting_violation(e.rule().code(), meeting, index, message));
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

/// What the roster says about a case it does not hold.
struct LeftOut<'r> {
    reference: &'r str,
    deadline: NaiveDate,
    primary_reason: &'r str,
    reasons: &'r [Reason],
    carried: bool,
}

/// Unscheduled and carried-over cases: deadline and reasons confirmed, nothing placeable left
/// out.
fn check_left_out_cases(
    problem: &Problem,
    roster: &Roster,
    booked: &Booked,
    searches: &mut Searches,
    explanations: &mut Explanations,
    out: &mut Vec<Violation>,
) {
    let unscheduled = roster.unscheduled.iter().map(|u| LeftOut {
        reference: &u.case,
        deadline: u.deadline,
        primary_reason: &u.primary_reason,
        reasons: &u.reasons,
        carried: false,
    });
    let carried = roster.carried_over.iter().map(|c| LeftOut {
        reference: &c.case,
        deadline: c.deadline,
        primary_reason: &c.primary_reason,
        reasons: &c.reasons,
        carried: true,
    });
    let all_days = 0..problem.horizon.days.len();
    for left in unscheduled.chain(carried) {
        let Some(&c) = problem.index.case.get(left.reference) else {
            continue;
        };
        let deadline = rules::deadline(problem, &problem.cases[c]);
        if left.deadline != deadline {
            out.push(case_violation(
                DEADLINE_NOT_CONFIRMED,
                left.reference,
                format!(
                    "deadline {} claimed, but the case's deadline is {deadline}",
                    left.deadline
                ),
            ));
        }
        let search = searches.get(problem, booked, c, all_days.clone());
        let explained = explanations.get(problem, booked, c, false);
        // A carried-over case may leave its reason out (the field is optional).
        if !(left.carried && left.primary_reason.is_empty()) {
            let mismatch = reason_mismatch(problem, left.primary_reason, &search)
                .or_else(|| order_mismatch(left.primary_reason, &explained.primary));
            if let Some(message) = mismatch {
                out.push(case_violation(
                    REASON_NOT_CONFIRMED,
                    left.reference,
                    message,
                ));
            }
        }
        if let Some(message) = counts_mismatch("reasons", left.reasons, &explained.reasons) {
            out.push(case_violation(
                REASON_COUNT_NOT_CONFIRMED,
                left.reference,
                message,
            ));
        }
        flag_placeable(problem, left.reference, &search, out);
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

/// Why a primary reason borne out by the options is still not the primary one: the rules are
/// tried in their order, and the primary reason is the rule that rules out the last options.
fn order_mismatch(primary_reason: &str, found: &str) -> Option<String> {
    (primary_reason != found).then(|| {
        format!(
            "`{primary_reason}` but the primary reason is `{found}`: trying the rules in their \
             order (docs/rules.md), it is the one that rules out the last options"
        )
    })
}

/// How a list of reasons (`what`) differs from the reasons found, if it does: each code's
/// count, summed over the list, against the count found. An empty list claims nothing; the
/// messages are not compared.
fn counts_mismatch(what: &str, given: &[Reason], found: &[Reason]) -> Option<String> {
    if given.is_empty() {
        return None;
    }
    let tally = |reasons: &[Reason]| {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for r in reasons {
            *counts.entry(r.code.clone()).or_default() += u64::from(r.count);
        }
        counts
    };
    let (claimed, actual) = (tally(given), tally(found));
    let mut differences = Vec::new();
    for (code, &n) in &claimed {
        match actual.get(code) {
            Some(&m) if m == n => {}
            Some(&m) => differences.push(format!("`{code}` ×{n} claimed, ×{m} found")),
            None => differences.push(format!("`{code}` ×{n} claimed, none found")),
        }
    }
    for (code, &m) in &actual {
        if !claimed.contains_key(code) {
            differences.push(format!("`{code}` ×{m} found but not listed"));
        }
    }
    (!differences.is_empty()).then(|| format!("{what}: {}", differences.join("; ")))
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
// Claims of each meeting
// ---------------------------------------------------------------------------------------

/// What each meeting's `details` claim, against the problem: dates from [`rules::deadline`]
/// and the calendar, instants from [`london_instant`], distances from [`rules`], the reasons
/// of a late meeting from [`explain::explain`] up to its deadline.
fn check_meeting_claims(
    problem: &Problem,
    roster: &Roster,
    booked: &Booked,
    explanations: &mut Explanations,
    out: &mut Vec<Violation>,
) {
    for (index, p) in booked.bookings() {
        let meeting = &roster.meetings[index];
        let Some(details) = &meeting.details else {
            continue;
        };
        let mut claims = Vec::new();
        claims.extend(date_claims(problem, &p, details));
        claims.extend(time_claims(problem, &p, details));
        claims.extend(travel_claims(problem, &p, details));
        claims.extend(late_reason_claims(
            problem,
            booked,
            explanations,
            &p,
            details,
        ));
        for (code, message) in claims {
            let message = format!("{}: {message}", describe_meeting(meeting));
            out.push(meeting_violation(code, meeting, index, message));
        }
    }
}

/// Deadline, margin, late flag and certificate due date.
fn date_claims(
    problem: &Problem,
    p: &Placement,
    details: &MeetingDetails,
) -> Vec<(&'static str, String)> {
    let case = &problem.cases[p.case];
    let date = problem.horizon.days[p.day];
    let deadline = rules::deadline(problem, case);
    let margin = (deadline - date).num_days();
    let late = rules::is_late(problem, case, date);
    let due = problem.calendar.certificate_due(date);
    let mut found = Vec::new();
    if details.deadline != deadline {
        found.push((
            DEADLINE_NOT_CONFIRMED,
            format!(
                "deadline {} claimed, but the case's deadline is {deadline}",
                details.deadline
            ),
        ));
    }
    if details.days_of_margin != margin {
        found.push((
            MARGIN_NOT_CONFIRMED,
            format!(
                "days_of_margin {} claimed, but the meeting is {margin} day(s) before its \
                 deadline {deadline}",
                details.days_of_margin
            ),
        ));
    }
    if details.late != late {
        let actual = if late { "after" } else { "on or before" };
        found.push((
            LATE_FLAG_NOT_CONFIRMED,
            format!(
                "late: {} claimed, but the meeting is {actual} its deadline {deadline}",
                details.late
            ),
        ));
    }
    if details.certificate_due != due {
        found.push((
            CERTIFICATE_DUE_NOT_CONFIRMED,
            format!(
                "certificate_due {} claimed, but 3 working days after the meeting is {due}",
                details.certificate_due
            ),
        ));
    }
    found
}

/// Start and end: the session's local times on the meeting's date, with Europe/London's UTC
/// offset at that moment.
fn time_claims(
    problem: &Problem,
    p: &Placement,
    details: &MeetingDetails,
) -> Vec<(&'static str, String)> {
    let date = problem.horizon.days[p.day];
    let session = &problem.templates[p.template];
    let mut found = Vec::new();
    for (name, claimed, time) in [
        ("start", details.start, session.start),
        ("end", details.end, session.end),
    ] {
        found.extend(instant_claims(name, claimed, date, time, &session.id));
    }
    found
}

fn instant_claims(
    name: &str,
    claimed: DateTime<FixedOffset>,
    date: NaiveDate,
    time: NaiveTime,
    session: &str,
) -> Vec<(&'static str, String)> {
    let expected = london_instant(date, time).fixed_offset();
    let shown = |t: DateTime<FixedOffset>| t.to_rfc3339_opts(SecondsFormat::Secs, false);
    let mut found = Vec::new();
    if claimed.offset() != expected.offset() {
        found.push((
            UTC_OFFSET_NOT_CONFIRMED,
            format!(
                "{name} {} claimed, but Europe/London is at UTC{} then ({})",
                shown(claimed),
                expected.offset(),
                shown(expected)
            ),
        ));
    }
    if claimed.naive_local() != expected.naive_local() {
        found.push((
            SESSION_TIME_NOT_CONFIRMED,
            format!(
                "{name} {} claimed, but the {session} session {name}s at {}",
                shown(claimed),
                shown(expected)
            ),
        ));
    }
    found
}

/// Road km from the family's area and from the mediator's home to the venue, to 0.1 km; none
/// for a meeting with no venue.
fn travel_claims(
    problem: &Problem,
    p: &Placement,
    details: &MeetingDetails,
) -> Vec<(&'static str, String)> {
    let case = &problem.cases[p.case];
    let mediator = &problem.mediators[p.mediator];
    let venue = p.site.venue().map(|v| &problem.venues[v]);
    let family = venue.map(|v| rules::family_travel_km(problem, case, v));
    let own = venue.map(|v| rules::mediator_travel_km(problem, mediator, v));
    let mut found = Vec::new();
    for (name, claimed, actual) in [
        ("family_travel_km", details.family_travel_km, family),
        ("mediator_travel_km", details.mediator_travel_km, own),
    ] {
        let agrees = match (claimed, actual) {
            (None, None) => true,
            // Written rounded to 0.1 km.
            (Some(c), Some(a)) => (c - a).abs() <= 0.05 + 1e-9,
            _ => false,
        };
        if !agrees {
            let show = |km: Option<f64>| km.map_or("none".to_owned(), |k| format!("{k:.1}"));
            found.push((
                TRAVEL_NOT_CONFIRMED,
                format!(
                    "{name} {} claimed, but it is {}",
                    show(claimed),
                    show(actual)
                ),
            ));
        }
    }
    found
}

/// A late meeting's `late_primary_reason` and `late_reasons`, as explained up to its deadline;
/// a meeting held by its deadline has none.
fn late_reason_claims(
    problem: &Problem,
    booked: &Booked,
    explanations: &mut Explanations,
    p: &Placement,
    details: &MeetingDetails,
) -> Vec<(&'static str, String)> {
    let claimed = details.late_primary_reason.as_deref();
    if claimed.is_none() && details.late_reasons.is_empty() {
        return Vec::new();
    }
    let case = &problem.cases[p.case];
    let date = problem.horizon.days[p.day];
    let mut found = Vec::new();
    if !rules::is_late(problem, case, date) {
        let deadline = rules::deadline(problem, case);
        if let Some(reason) = claimed {
            found.push((
                REASON_NOT_CONFIRMED,
                format!(
                    "late_primary_reason `{reason}` claimed, but the meeting is on or before \
                     its deadline {deadline}"
                ),
            ));
        }
        if !details.late_reasons.is_empty() {
            found.push((
                REASON_COUNT_NOT_CONFIRMED,
                format!(
                    "late_reasons listed, but the meeting is on or before its deadline \
                     {deadline}"
                ),
            ));
        }
        return found;
    }
    let explained = explanations.get(problem, booked, p.case, true);
    if let Some(reason) = claimed {
        if let Some(message) = order_mismatch(reason, &explained.primary) {
            found.push((
                REASON_NOT_CONFIRMED,
                format!("late_primary_reason {message}"),
            ));
        }
    }
    if let Some(message) =
        counts_mismatch("late_reasons", &details.late_reasons, &explained.reasons)
    {
        found.push((REASON_COUNT_NOT_CONFIRMED, message));
    }
    found
}

/// Explanations already made, per case and with or without the deadline cut, against the
/// roster without the case's own meetings (as the roster's builder explains them).
#[derive(Default)]
struct Explanations {
    done: HashMap<(CaseIdx, bool), Explanation>,
    /// Every resolved meeting, shared by the cases the roster does not hold.
    everything: Option<Occupancy>,
}

impl Explanations {
    fn get(
        &mut self,
        problem: &Problem,
        booked: &Booked,
        c: CaseIdx,
        by_deadline: bool,
    ) -> &Explanation {
        let key = (c, by_deadline);
        if !self.done.contains_key(&key) {
            let explanation = if booked.holds(c) {
                let others: Vec<Placement> = booked
                    .bookings()
                    .map(|(_, p)| p)
                    .filter(|p| p.case != c)
                    .collect();
                explain::explain(problem, c, &Occupancy::new(problem, &others), by_deadline)
            } else {
                let everything = self.everything.get_or_insert_with(|| {
                    let all: Vec<Placement> = booked.bookings().map(|(_, p)| p).collect();
                    Occupancy::new(problem, &all)
                });
                explain::explain(problem, c, everything, by_deadline)
            };
            self.done.insert(key, explanation);
        }
        &self.done[&key]
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
    /// Every case with a resolved meeting.
    held: HashSet<CaseIdx>,
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
        self.held.insert(p.case);
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

    /// Whether some resolved meeting holds case `c`.
    fn holds(&self, c: CaseIdx) -> bool {
        self.held.contains(&c)
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
    let units = |list: &[GroupView]| -> u32 {
        list.iter().map(|g| g.units).sum::<u32>() + session_units(problem, p)
    };
    let at = rules::Counted::Mediator(p.mediator);
    [
        (Rule::MediatorDayCap, units(same_day)),
        (Rule::MediatorWeekCap, units(same_week)),
    ]
    .into_iter()
    .filter_map(|(rule, used)| {
        rules::over_limit(problem, rule, at, used).map(|limit| Clash::count(rule, used, limit))
    })
    .collect()
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
        rules::over_limit(problem, Rule::VenueRooms, rules::Counted::Venue(v), used)
            .map(|limit| Clash::count(Rule::VenueRooms, used, limit))
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
