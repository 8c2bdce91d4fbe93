//! Calendars (RFC 5545) of a roster: one per mediator and one per venue (METHOD:PUBLISH),
//! the parties' invitation to a case's meeting (METHOD:REQUEST) and the cancellation of a
//! published meeting that is no longer held (METHOD:CANCEL).
//!
//! Every file is written with the `icalendar` crate. Each event's UID is the case's
//! ([`uid`]), so a re-planned meeting updates the one already in a calendar rather than
//! adding a second one, and its SEQUENCE is the meeting's revision
//! ([`Meeting::sequence`]). Start and end are Europe/London wall-clock times
//! (`DTSTART;TZID=Europe/London:20261207T093000`) and every file carries the VTIMEZONE that
//! defines that TZID, with the UK rules (last Sunday of March and of October), so a 09:30
//! meeting is 09:30 in both halves of the year for every client. DTSTAMP is
//! [`CalendarSettings::stamp`], never the clock, so the same input gives the same bytes.
//!
//! No party is named: the problem carries no party names we may print, so an event shows
//! the parties' roles at most.
//!
//! The `icalendar` crate (0.17) has no VTIMEZONE type, and its generic component
//! (`icalendar::Other`) cannot be given a name from outside the crate and is written with an
//! invented DTSTAMP (the clock) and UID (random) when it has none. The VTIMEZONE block is
//! therefore written as a run of the crate's [`Property`] values at the end of the
//! calendar's own properties (see [`vtimezone`]), which the crate prints in order, folded
//! and CRLF-terminated like any other line; it comes out just before the first VEVENT.
//!
//! The crate's line folding (0.17.17) leaves a 76-octet continuation line when the last
//! piece of a long line is exactly 75 octets, so every file is unfolded and folded again
//! at 75 octets by [`refold`] (RFC 5545 §3.1), which also keeps a backslash escape and a
//! UTF-8 character on one side of a fold.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus, Property};
use mediation_solver::calendar::london_instant;
use mediation_solver::model::{Mode, PartyRole, Problem};
use mediation_solver::roster::{Meeting, Roster};

use super::Facts;

/// The time zone of every meeting, and the TZID of its VTIMEZONE.
pub const TZID: &str = "Europe/London";
/// PRODID of every calendar.
pub const PRODID: &str = "-//mediation-scheduler//SEN mediation roster//EN";
/// The domain of UIDs when none is configured (`.invalid` is reserved, RFC 2606).
pub const DEFAULT_DOMAIN: &str = "mediation-scheduler.invalid";

/// Where the calendar files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSettings {
    /// The service's domain: every UID is `<case reference>@<domain>`.
    pub domain: String,
    /// ORGANIZER of every event, a `mailto:` URI.
    pub organizer: String,
    /// DTSTAMP of every event.
    pub stamp: DateTime<Utc>,
}

/// A calendar setting that cannot be used; the message names the setting and what is
/// wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarSettingsError {
    #[error("calendar setting `domain` ({value:?}) is not usable: {problem}")]
    Domain {
        value: String,
        problem: &'static str,
    },
    #[error("calendar setting `organizer` ({value:?}) is not usable: {problem}")]
    Organizer {
        value: String,
        problem: &'static str,
    },
}

impl CalendarSettings {
    /// The settings for a problem's calendars: `domain` defaults to [`DEFAULT_DOMAIN`],
    /// `organizer` to `mailto:roster@<domain>`, and the stamp is the problem's publication
    /// date at 00:00 Europe/London, as UTC.
    pub fn new(
        problem: &Problem,
        domain: Option<&str>,
        organizer: Option<&str>,
    ) -> Result<Self, CalendarSettingsError> {
        let domain = domain.unwrap_or(DEFAULT_DOMAIN);
        if let Some(problem) = domain_problem(domain) {
            return Err(CalendarSettingsError::Domain {
                value: domain.to_string(),
                problem,
            });
        }
        let organizer = match organizer {
            Some(o) => o.to_string(),
            None => format!("mailto:roster@{domain}"),
        };
        if let Some(problem) = organizer_problem(&organizer) {
            return Err(CalendarSettingsError::Organizer {
                value: organizer,
                problem,
            });
        }
        let stamp =
            london_instant(problem.horizon.publication_date, NaiveTime::MIN).with_timezone(&Utc);
        Ok(CalendarSettings {
            domain: domain.to_string(),
            organizer,
            stamp,
        })
    }
}

fn domain_problem(domain: &str) -> Option<&'static str> {
    if domain.is_empty() {
        Some("it is empty")
    } else if domain.chars().any(char::is_whitespace) {
        Some("it contains whitespace")
    } else if domain.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if domain.contains('@') {
        Some("it contains `@` (give the domain alone, e.g. `mediation.example.org`)")
    } else if domain.contains('/') {
        Some("it contains `/` (give the domain alone, not a URL)")
    } else {
        None
    }
}

fn organizer_problem(organizer: &str) -> Option<&'static str> {
    let Some(address) = organizer.strip_prefix("mailto:") else {
        return Some("it must be a `mailto:` URI, e.g. `mailto:roster@example.org`");
    };
    if organizer
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Some("it contains whitespace or a control character");
    }
    let mut parts = address.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(host), None) if !local.is_empty() && !host.is_empty() => None,
        (_, _, Some(_)) => Some("the address after `mailto:` has more than one `@`"),
        _ => Some("the address after `mailto:` must be `name@domain`"),
    }
}

/// Whether an id can name a file as it is: 1 to 128 ASCII letters, digits, `-`, `_` or
/// `.`, not starting with `.`. Callers skip an id that is not, rather than write a path
/// from it.
pub fn file_name_safe(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The stable UID of a case's meeting.
pub fn uid(case_reference: &str, domain: &str) -> String {
    format!("{case_reference}@{domain}")
}

/// Every meeting of one mediator; `None` for an unknown mediator id.
pub fn mediator_calendar(
    problem: &Problem,
    roster: &Roster,
    mediator: &str,
    settings: &CalendarSettings,
) -> Option<String> {
    let &m = problem.index.mediator.get(mediator)?;
    let name = clean(&format!(
        "SEN mediation: {} ({})",
        problem.mediators[m].name, problem.mediators[m].id
    ));
    let meetings = roster.meetings.iter().filter(|x| x.mediator == mediator);
    Some(publish(problem, meetings, &name, settings))
}

/// Every in-person meeting at one venue; `None` for an unknown venue id.
pub fn venue_calendar(
    problem: &Problem,
    roster: &Roster,
    venue: &str,
    settings: &CalendarSettings,
) -> Option<String> {
    let &v = problem.index.venue.get(venue)?;
    let name = clean(&format!(
        "SEN mediation at {} ({})",
        problem.venues[v].name, problem.venues[v].id
    ));
    let meetings = roster
        .meetings
        .iter()
        .filter(|x| x.mode == Mode::InPerson && x.venue.as_deref() == Some(venue));
    Some(publish(problem, meetings, &name, settings))
}

/// The parties' invitation (METHOD:REQUEST) to a case's meeting; `None` when the roster
/// holds no meeting for that case reference.
pub fn invitation(
    problem: &Problem,
    roster: &Roster,
    case: &str,
    settings: &CalendarSettings,
) -> Option<String> {
    let meeting = sorted(problem, roster.meetings.iter().filter(|m| m.case == case))
        .into_iter()
        .next()?;
    let mut calendar = calendar("REQUEST", None);
    calendar.push(event(problem, meeting, settings, EventStatus::Confirmed));
    Some(refold(&calendar.to_string()))
}

/// The cancellation (METHOD:CANCEL) of a published meeting that is no longer held, with
/// SEQUENCE the published value + 1 and the published start and end.
pub fn cancellation(problem: &Problem, published: &Meeting, settings: &CalendarSettings) -> String {
    let cancelled = Meeting {
        sequence: published.sequence.saturating_add(1),
        ..published.clone()
    };
    let mut calendar = calendar("CANCEL", None);
    calendar.push(event(problem, &cancelled, settings, EventStatus::Cancelled));
    refold(&calendar.to_string())
}

/// A METHOD:PUBLISH calendar of `meetings`, in date, start time and case order.
fn publish<'a>(
    problem: &Problem,
    meetings: impl Iterator<Item = &'a Meeting>,
    name: &str,
    settings: &CalendarSettings,
) -> String {
    let mut calendar = calendar("PUBLISH", Some(name));
    for meeting in sorted(problem, meetings) {
        calendar.push(event(problem, meeting, settings, EventStatus::Confirmed));
    }
    refold(&calendar.to_string())
}

/// The longest content line, in octets, without its CRLF (RFC 5545 §3.1).
const LINE_OCTETS: usize = 75;

/// Unfolds the crate's output (its folds are CRLF and one space; a value never holds a
/// CR or LF of its own, as `clean` sees to) and folds every content line again so that no line
/// is longer than 75 octets, the leading space of a continuation included. A fold never
/// splits a UTF-8 character nor a backslash escape (`\n`, `\,`, `\;`, `\\`).
pub fn refold(text: &str) -> String {
    let unfolded = text.replace("\r\n ", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 24);
    for line in unfolded.split_terminator("\r\n") {
        let mut rest = line;
        let mut room = LINE_OCTETS;
        while rest.len() > room {
            let mut cut = room;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let backslashes = rest[..cut]
                .bytes()
                .rev()
                .take_while(|&b| b == b'\\')
                .count();
            if backslashes % 2 == 1 && cut > 1 {
                cut -= 1;
            }
            out.push_str(&rest[..cut]);
            out.push_str("\r\n ");
            rest = &rest[cut..];
            room = LINE_OCTETS - 1;
        }
        out.push_str(rest);
        out.push_str("\r\n");
    }
    out
}

/// A name from the input as one line of text: control characters (a CR, LF or tab in a
/// venue name) become spaces, so no value can break a content line.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Meetings by date, session start, case reference (then session id, so the order is
/// total even for a hand-edited roster).
fn sorted<'a>(problem: &Problem, meetings: impl Iterator<Item = &'a Meeting>) -> Vec<&'a Meeting> {
    let start = |m: &Meeting| {
        problem
            .index
            .template
            .get(&m.session)
            .map(|&t| problem.templates[t].start)
    };
    let mut list: Vec<&Meeting> = meetings.collect();
    list.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then_with(|| start(a).cmp(&start(b)))
            .then_with(|| a.case.cmp(&b.case))
            .then_with(|| a.session.cmp(&b.session))
            .then_with(|| a.mediator.cmp(&b.mediator))
    });
    list
}

/// An empty calendar with its header and the Europe/London VTIMEZONE.
fn calendar(method: &str, name: Option<&str>) -> Calendar {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", method));
    if let Some(name) = name {
        calendar.name(name);
    }
    calendar.timezone(TZID);
    for line in vtimezone() {
        calendar.append_property(line);
    }
    calendar
}

/// One observance of the VTIMEZONE (RFC 5545 §3.6.5).
struct Observance {
    kind: &'static str,
    name: &'static str,
    from: &'static str,
    to: &'static str,
    dtstart: &'static str,
    rrule: &'static str,
}

/// The UK rules since 1996: BST from 01:00 UTC on the last Sunday of March to 01:00 UTC
/// on the last Sunday of October.
const OBSERVANCES: [Observance; 2] = [
    Observance {
        kind: "STANDARD",
        name: "GMT",
        from: "+0100",
        to: "+0000",
        dtstart: "19701025T020000",
        rrule: "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    },
    Observance {
        kind: "DAYLIGHT",
        name: "BST",
        from: "+0000",
        to: "+0100",
        dtstart: "19700329T010000",
        rrule: "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    },
];

/// The Europe/London VTIMEZONE as the content lines the crate writes in order (see the
/// module documentation for why it is not a component).
pub fn vtimezone() -> Vec<Property> {
    let mut lines = vec![
        Property::new("BEGIN", "VTIMEZONE"),
        Property::new("TZID", TZID),
    ];
    for o in &OBSERVANCES {
        lines.extend([
            Property::new("BEGIN", o.kind),
            Property::new("DTSTART", o.dtstart),
            Property::new("TZOFFSETFROM", o.from),
            Property::new("TZOFFSETTO", o.to),
            Property::new("RRULE", o.rrule),
            Property::new("TZNAME", o.name),
            Property::new("END", o.kind),
        ]);
    }
    lines.push(Property::new("END", "VTIMEZONE"));
    lines
}

/// One meeting as a VEVENT.
fn event(
    problem: &Problem,
    meeting: &Meeting,
    settings: &CalendarSettings,
    status: EventStatus,
) -> Event {
    let facts = Facts::of(problem, meeting);
    let mut event = Event::new();
    event
        .uid(&clean(&uid(&meeting.case, &settings.domain)))
        .sequence(meeting.sequence)
        .timestamp(settings.stamp)
        .append_property(Property::new("ORGANIZER", settings.organizer.as_str()))
        .summary(&clean(&format!("SEN mediation meeting {}", meeting.case)))
        .location(&location(problem, meeting, &facts))
        .description(&match status {
            EventStatus::Cancelled => format!(
                "This meeting is cancelled.\n{}",
                description(problem, meeting, &facts)
            ),
            _ => description(problem, meeting, &facts),
        })
        .status(status);
    match times(meeting, &facts) {
        Times::Local(start, end) => {
            event.starts(london(start)).ends(london(end));
        }
        Times::Day(date) => {
            // A session unknown to the problem and no published instants: the day alone.
            event.all_day(date);
            event.ends(date.succ_opt().unwrap_or(date));
        }
    }
    event.done()
}

fn london(date_time: NaiveDateTime) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time,
        tzid: TZID.to_string(),
    }
}

enum Times {
    /// Europe/London wall-clock start and end.
    Local(NaiveDateTime, NaiveDateTime),
    Day(NaiveDate),
}

/// From the session template when the problem has it, else from the instants a published
/// roster carries (their offset is Europe/London's), else the day.
fn times(meeting: &Meeting, facts: &Facts) -> Times {
    if let Some(t) = facts.template {
        return Times::Local(meeting.date.and_time(t.start), meeting.date.and_time(t.end));
    }
    match &meeting.details {
        Some(d) => Times::Local(d.start.naive_local(), d.end.naive_local()),
        None => Times::Day(meeting.date),
    }
}

fn location(problem: &Problem, meeting: &Meeting, facts: &Facts) -> String {
    match meeting.mode {
        Mode::InPerson => match facts.venue {
            Some(v) => clean(&format!("{}, {}", v.name, problem.areas[v.area].name)),
            None => clean(meeting.venue.as_deref().unwrap_or("In person")),
        },
        Mode::Video => "Video meeting".into(),
        Mode::Phone => "Telephone meeting".into(),
    }
}

fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

/// A language as stored (lower case) for reading: `bsl` → `BSL`, `turkish` → `Turkish`.
fn language_name(language: &str) -> String {
    if language.len() <= 3 && language.chars().all(|c| c.is_ascii_alphabetic()) {
        return language.to_ascii_uppercase();
    }
    language
        .split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

fn role(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Parent => "parent",
        PartyRole::YoungPerson => "young person",
        PartyRole::Supporter => "supporter",
        PartyRole::La => "local authority",
        PartyRole::School => "school",
        PartyRole::Icb => "integrated care board",
    }
}

/// What the parties and the mediator need beside the time and place: the deadline, the
/// certificate due date, the mode and any interpreter. Roles only, never names.
fn description(problem: &Problem, meeting: &Meeting, facts: &Facts) -> String {
    let mut lines = vec![format!(
        "SEN mediation meeting for case {}.",
        clean(&meeting.case)
    )];
    let session = match facts.template {
        Some(t) => format!(
            "Session: {} ({} to {} UK time, {})",
            t.id,
            t.start.format("%H:%M"),
            t.end.format("%H:%M"),
            day(meeting.date)
        ),
        None => format!(
            "Session: {} ({})",
            clean(&meeting.session),
            day(meeting.date)
        ),
    };
    lines.push(session);
    lines.push(match meeting.mode {
        Mode::InPerson => format!("Mode: in person at {}", location(problem, meeting, facts)),
        Mode::Video => "Mode: video".to_string(),
        Mode::Phone => "Mode: telephone".to_string(),
    });
    if let Some(deadline) = facts.deadline {
        lines.push(format!(
            "Meeting deadline (last day to meet within the statutory 30 days): {}",
            day(deadline)
        ));
    }
    lines.push(format!(
        "Mediator's certificate due: {}",
        day(facts.certificate_due)
    ));
    if meeting.interpreter.is_some() {
        match facts.case.and_then(|c| c.needs.language.as_deref()) {
            Some(language) => {
                lines.push(format!("Interpreter booked: {}", language_name(language)))
            }
            None => lines.push("Interpreter booked".to_string()),
        }
    }
    if let Some(case) = facts.case {
        let roles: Vec<&str> = case
            .parties
            .iter()
            .filter(|p| p.required)
            .map(|p| role(p.role))
            .collect();
        if !roles.is_empty() {
            lines.push(format!("Parties: {}", roles.join(", ")));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use mediation_solver::validate::parse_problem;

    const BST: &str = include_str!("../../fixtures/bst-2027-03-24.json");

    fn problem() -> Problem {
        parse_problem(BST)
            .expect("the BST fixture is valid")
            .problem
    }

    fn settings(problem: &Problem) -> CalendarSettings {
        CalendarSettings::new(problem, None, None).unwrap()
    }

    fn meeting(case: &str, mediator: &str, date: (i32, u32, u32), session: &str) -> Meeting {
        Meeting {
            case: case.into(),
            mediator: mediator.into(),
            date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            session: session.into(),
            mode: Mode::Video,
            venue: None,
            interpreter: None,
            sequence: 0,
            details: None,
        }
    }

    fn in_person(mut m: Meeting, venue: &str) -> Meeting {
        m.mode = Mode::InPerson;
        m.venue = Some(venue.into());
        m
    }

    /// Three meetings of M001 (two across the clock change), one of M002 at V001.
    fn roster() -> Roster {
        Roster {
            meetings: vec![
                meeting("SEN-2027-0151", "M001", (2027, 3, 30), "AM"),
                in_person(
                    meeting("SEN-2027-0144", "M001", (2027, 3, 25), "PM"),
                    "V001",
                ),
                meeting("SEN-2027-0171", "M001", (2027, 3, 25), "AM"),
                in_person(
                    meeting("SEN-2027-0163", "M002", (2027, 3, 24), "PM"),
                    "V001",
                ),
            ],
            ..Roster::default()
        }
    }

    /// Unfolded content lines (RFC 5545 §3.1).
    fn lines(text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for raw in text.split("\r\n") {
            if let Some(rest) = raw.strip_prefix(' ') {
                out.last_mut()
                    .expect("no fold on the first line")
                    .push_str(rest);
            } else if !raw.is_empty() {
                out.push(raw.to_string());
            }
        }
        out
    }

    fn values<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
        lines
            .iter()
            .filter_map(|l| {
                let (head, value) = l.split_once(':')?;
                let key = head.split(';').next()?;
                (key == name).then_some(value)
            })
            .collect()
    }

    fn lines_with<'a>(lines: &'a [String], prefix: &str) -> Vec<&'a str> {
        lines
            .iter()
            .filter(|l| l.starts_with(prefix))
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn uid_is_the_case_reference_whatever_the_slot() {
        let p = problem();
        let s = settings(&p);
        let mut r = roster();
        let before = invitation(&p, &r, "SEN-2027-0151", &s).unwrap();
        r.meetings[0].date = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        r.meetings[0].session = "PM".into();
        r.meetings[0].mediator = "M003".into();
        r.meetings[0].sequence = 1;
        let after = invitation(&p, &r, "SEN-2027-0151", &s).unwrap();
        assert_ne!(before, after);
        let uid_line = "UID:SEN-2027-0151@mediation-scheduler.invalid";
        assert_eq!(values(&lines(&before), "UID"), [&uid_line[4..]]);
        assert_eq!(values(&lines(&after), "UID"), [&uid_line[4..]]);
        assert_eq!(values(&lines(&before), "SEQUENCE"), ["0"]);
        assert_eq!(values(&lines(&after), "SEQUENCE"), ["1"]);
        assert_eq!(uid("SEN-1", "example.org"), "SEN-1@example.org");
    }

    #[test]
    fn dtstamp_is_the_publication_midnight_and_output_is_reproducible() {
        let p = problem();
        let s = settings(&p);
        // Published Wed 17 Mar 2027, in GMT.
        assert_eq!(s.stamp, Utc.with_ymd_and_hms(2027, 3, 17, 0, 0, 0).unwrap());
        let a = mediator_calendar(&p, &roster(), "M001", &s).unwrap();
        let b = mediator_calendar(&p, &roster(), "M001", &s).unwrap();
        assert_eq!(a, b);
        let l = lines(&a);
        assert_eq!(values(&l, "DTSTAMP"), ["20270317T000000Z"; 3]);
        // A publication date in BST is 23:00 UTC the day before.
        let mut summer = p.clone();
        summer.horizon.publication_date = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
        assert_eq!(
            settings(&summer).stamp,
            Utc.with_ymd_and_hms(2027, 5, 31, 23, 0, 0).unwrap()
        );
    }

    #[test]
    fn start_and_end_are_london_wall_clock_with_tzid_on_both_sides_of_the_change() {
        let p = problem();
        let text = mediator_calendar(&p, &roster(), "M001", &settings(&p)).unwrap();
        let l = lines(&text);
        assert_eq!(
            lines_with(&l, "DTSTART;TZID="),
            [
                "DTSTART;TZID=Europe/London:20270325T093000",
                "DTSTART;TZID=Europe/London:20270325T133000",
                "DTSTART;TZID=Europe/London:20270330T093000",
            ]
        );
        assert_eq!(
            lines_with(&l, "DTEND;TZID="),
            [
                "DTEND;TZID=Europe/London:20270325T130000",
                "DTEND;TZID=Europe/London:20270325T170000",
                "DTEND;TZID=Europe/London:20270330T130000",
            ]
        );
        // Events in date, start, case order.
        assert_eq!(
            values(&l, "UID"),
            [
                "SEN-2027-0171@mediation-scheduler.invalid",
                "SEN-2027-0144@mediation-scheduler.invalid",
                "SEN-2027-0151@mediation-scheduler.invalid",
            ]
        );
        // The rules the VTIMEZONE states agree with the tz database on both sides.
        let london = chrono_tz::Europe::London;
        let at = |d: u32| {
            london
                .with_ymd_and_hms(2027, 3, d, 9, 30, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert_eq!(at(25), Utc.with_ymd_and_hms(2027, 3, 25, 9, 30, 0).unwrap());
        assert_eq!(at(30), Utc.with_ymd_and_hms(2027, 3, 30, 8, 30, 0).unwrap());
    }

    #[test]
    fn every_calendar_has_its_header_and_one_vtimezone() {
        let p = problem();
        let s = settings(&p);
        let r = roster();
        let files = [
            mediator_calendar(&p, &r, "M001", &s).unwrap(),
            mediator_calendar(&p, &r, "M010", &s).unwrap(),
            venue_calendar(&p, &r, "V001", &s).unwrap(),
            invitation(&p, &r, "SEN-2027-0144", &s).unwrap(),
            cancellation(&p, &r.meetings[0], &s),
        ];
        for text in &files {
            let l = lines(text);
            assert_eq!(l.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
            assert_eq!(l.last().map(String::as_str), Some("END:VCALENDAR"));
            assert_eq!(values(&l, "PRODID"), [PRODID]);
            assert_eq!(values(&l, "VERSION"), ["2.0"]);
            assert_eq!(values(&l, "CALSCALE"), ["GREGORIAN"]);
            assert_eq!(lines_with(&l, "BEGIN:VTIMEZONE").len(), 1);
            assert_eq!(lines_with(&l, "END:VTIMEZONE").len(), 1);
            let start = l.iter().position(|x| x == "BEGIN:VTIMEZONE").unwrap();
            let block: Vec<&str> = l[start..start + 18].iter().map(String::as_str).collect();
            assert_eq!(
                block[..17],
                [
                    "BEGIN:VTIMEZONE",
                    "TZID:Europe/London",
                    "BEGIN:STANDARD",
                    "DTSTART:19701025T020000",
                    "TZOFFSETFROM:+0100",
                    "TZOFFSETTO:+0000",
                    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
                    "TZNAME:GMT",
                    "END:STANDARD",
                    "BEGIN:DAYLIGHT",
                    "DTSTART:19700329T010000",
                    "TZOFFSETFROM:+0000",
                    "TZOFFSETTO:+0100",
                    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
                    "TZNAME:BST",
                    "END:DAYLIGHT",
                    "END:VTIMEZONE",
                ]
            );
            // Straight after it, the first event (or the end of an empty calendar).
            assert!(["BEGIN:VEVENT", "END:VCALENDAR"].contains(&block[17]));
            // No other component carries a DTSTAMP or UID the crate made up.
            assert_eq!(
                values(&l, "DTSTAMP").len(),
                lines_with(&l, "BEGIN:VEVENT").len()
            );
            assert_eq!(
                values(&l, "UID").len(),
                lines_with(&l, "BEGIN:VEVENT").len()
            );
        }
    }

    #[test]
    fn lines_are_crlf_and_folded_at_75_octets() {
        let p = problem();
        let s = CalendarSettings {
            organizer: format!("mailto:{}@example.org", "a".repeat(120)),
            ..settings(&p)
        };
        let mut r = roster();
        r.meetings[1].venue = Some("V003".into());
        for text in [
            mediator_calendar(&p, &r, "M001", &s).unwrap(),
            invitation(&p, &r, "SEN-2027-0144", &s).unwrap(),
        ] {
            assert!(text.ends_with("\r\n"));
            assert!(!text.replace("\r\n", "").contains(['\r', '\n']));
            let physical: Vec<&str> = text.split("\r\n").collect();
            assert!(physical.iter().all(|l| l.len() <= 75), "{physical:#?}");
            assert!(
                physical.iter().any(|l| l.starts_with(' ')),
                "something is folded"
            );
            let l = lines(&text);
            assert!(values(&l, "ORGANIZER").contains(&s.organizer.as_str()));
        }
    }

    #[test]
    fn invitation_says_when_where_deadline_certificate_mode_and_interpreter_without_names() {
        let p = problem();
        let s = settings(&p);
        let mut r = roster();
        // SEN-2027-0184 needs a Turkish interpreter.
        let mut m = in_person(
            meeting("SEN-2027-0184", "M003", (2027, 3, 30), "AM"),
            "V003",
        );
        m.interpreter = Some("I002".into());
        r.meetings.push(m);
        let text = invitation(&p, &r, "SEN-2027-0184", &s).unwrap();
        let l = lines(&text);
        assert_eq!(values(&l, "METHOD"), ["REQUEST"]);
        assert_eq!(values(&l, "STATUS"), ["CONFIRMED"]);
        assert_eq!(
            values(&l, "SUMMARY"),
            ["SEN mediation meeting SEN-2027-0184"]
        );
        let venue = &p.venues[p.index.venue["V003"]];
        let area = &p.areas[venue.area].name;
        assert_eq!(
            values(&l, "LOCATION"),
            [format!("{}\\, {area}", venue.name).as_str()]
        );
        let description = values(&l, "DESCRIPTION")[0].replace("\\n", "\n");
        let case = &p.cases[p.index.case["SEN-2027-0184"]];
        let deadline = mediation_solver::rules::deadline(&p, case);
        let due = p
            .calendar
            .certificate_due(NaiveDate::from_ymd_opt(2027, 3, 30).unwrap());
        assert!(description.contains(&format!("statutory 30 days): {}", day(deadline))));
        assert!(description.contains(&format!("certificate due: {}", day(due))));
        assert!(description.contains("Mode: in person"));
        assert!(description.contains("Interpreter booked: Turkish"));
        // No mediator or other personal name.
        for mediator in &p.mediators {
            assert!(!text.contains(&mediator.name), "{} printed", mediator.name);
        }
        let video = invitation(&p, &r, "SEN-2027-0151", &s).unwrap();
        assert_eq!(values(&lines(&video), "LOCATION"), ["Video meeting"]);
        let mut r2 = roster();
        r2.meetings[0].mode = Mode::Phone;
        let phone = invitation(&p, &r2, "SEN-2027-0151", &s).unwrap();
        assert_eq!(values(&lines(&phone), "LOCATION"), ["Telephone meeting"]);
    }

    #[test]
    fn cancellation_bumps_sequence_keeps_uid_and_times() {
        let p = problem();
        let s = settings(&p);
        let mut published = roster().meetings[0].clone();
        published.sequence = 2;
        let text = cancellation(&p, &published, &s);
        let l = lines(&text);
        assert_eq!(values(&l, "METHOD"), ["CANCEL"]);
        assert_eq!(values(&l, "STATUS"), ["CANCELLED"]);
        assert_eq!(values(&l, "SEQUENCE"), ["3"]);
        assert!(values(&l, "DESCRIPTION")[0].starts_with("This meeting is cancelled.\\n"));
        assert_eq!(
            values(&l, "UID"),
            ["SEN-2027-0151@mediation-scheduler.invalid"]
        );
        assert_eq!(
            lines_with(&l, "DTSTART;"),
            ["DTSTART;TZID=Europe/London:20270330T093000"]
        );
        assert_eq!(
            lines_with(&l, "DTEND;"),
            ["DTEND;TZID=Europe/London:20270330T130000"]
        );
        // A session the problem no longer has: the published instants are used.
        let mut odd = published.clone();
        odd.session = "GONE".into();
        odd.details = Some(mediation_solver::roster::MeetingDetails {
            start: DateTime::parse_from_rfc3339("2027-03-30T10:00:00+01:00").unwrap(),
            end: DateTime::parse_from_rfc3339("2027-03-30T12:00:00+01:00").unwrap(),
            deadline: published.date,
            days_of_margin: 0,
            late: false,
            certificate_due: published.date,
            family_travel_km: None,
            mediator_travel_km: None,
            late_primary_reason: None,
            late_reasons: vec![],
        });
        let l = lines(&cancellation(&p, &odd, &s));
        assert_eq!(
            lines_with(&l, "DTSTART;"),
            ["DTSTART;TZID=Europe/London:20270330T100000"]
        );
    }

    #[test]
    fn no_attendee_in_any_file() {
        let p = problem();
        let s = settings(&p);
        let r = roster();
        for text in [
            mediator_calendar(&p, &r, "M001", &s).unwrap(),
            venue_calendar(&p, &r, "V001", &s).unwrap(),
            invitation(&p, &r, "SEN-2027-0144", &s).unwrap(),
            cancellation(&p, &r.meetings[1], &s),
        ] {
            assert!(!text.contains("ATTENDEE"));
            assert_eq!(
                values(&lines(&text), "ORGANIZER"),
                vec![s.organizer.as_str(); values(&lines(&text), "UID").len()]
            );
        }
    }

    #[test]
    fn unknown_ids_give_none_and_known_idle_ids_an_empty_calendar() {
        let p = problem();
        let s = settings(&p);
        let r = roster();
        assert_eq!(mediator_calendar(&p, &r, "M999", &s), None);
        assert_eq!(venue_calendar(&p, &r, "V999", &s), None);
        assert_eq!(invitation(&p, &r, "SEN-2027-0199", &s), None);
        assert_eq!(invitation(&p, &r, "SEN-0000-0000", &s), None);
        let idle = mediator_calendar(&p, &r, "M010", &s).unwrap();
        assert!(!idle.contains("BEGIN:VEVENT"));
        assert_eq!(values(&lines(&idle), "METHOD"), ["PUBLISH"]);
        let venue = venue_calendar(&p, &r, "V001", &s).unwrap();
        assert_eq!(lines_with(&lines(&venue), "BEGIN:VEVENT").len(), 2);
        // Video meetings never appear in a venue's calendar, whatever `venue` says.
        let mut r2 = roster();
        r2.meetings[0].venue = Some("V002".into());
        let v2 = venue_calendar(&p, &r2, "V002", &s).unwrap();
        assert!(!v2.contains("BEGIN:VEVENT"));
    }

    #[test]
    fn settings_are_validated() {
        let p = problem();
        let s = CalendarSettings::new(&p, Some("mediation.example.org"), None).unwrap();
        assert_eq!(s.organizer, "mailto:roster@mediation.example.org");
        assert_eq!(s.domain, "mediation.example.org");
        let d = settings(&p);
        assert_eq!(d.domain, DEFAULT_DOMAIN);
        assert_eq!(d.organizer, "mailto:roster@mediation-scheduler.invalid");
        for bad in ["", "two words", "a@b.org", "https://x.org", "tab\tx"] {
            let e = CalendarSettings::new(&p, Some(bad), None).unwrap_err();
            assert!(matches!(e, CalendarSettingsError::Domain { .. }), "{bad:?}");
            assert!(e.to_string().contains("`domain`"), "{e}");
        }
        for bad in [
            "roster@example.org",
            "mailto:",
            "mailto:roster",
            "mailto:@example.org",
            "mailto:roster@",
            "mailto:a@b@c",
            "mailto:ros ter@example.org",
            "https://example.org",
        ] {
            let e = CalendarSettings::new(&p, None, Some(bad)).unwrap_err();
            assert!(
                matches!(e, CalendarSettingsError::Organizer { .. }),
                "{bad:?}"
            );
            assert!(e.to_string().contains("`organizer`"), "{e}");
        }
        assert!(CalendarSettings::new(&p, None, Some("mailto:a@b.org")).is_ok());
    }

    /// Every physical line of `text` is at most 75 octets and unfolding gives `unfolded`.
    fn assert_folded(text: &str, unfolded: &str) {
        assert!(text.ends_with("\r\n"));
        for line in text.split_terminator("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
            assert!(!line.contains(['\r', '\n']));
        }
        assert_eq!(text.replace("\r\n ", ""), unfolded);
    }

    #[test]
    fn refold_keeps_every_line_within_75_octets() {
        // The crate's own fold leaves 76 octets when the last piece is exactly 75.
        let value = "x".repeat(75 - "DESCRIPTION:".len() + 75);
        let mut event = Event::new();
        event
            .description(&value)
            .uid("u")
            .timestamp(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        let crate_text = event.to_string();
        assert!(
            crate_text.split("\r\n").any(|l| l.len() > 75),
            "icalendar no longer overflows a fold; `refold` may be dropped: {crate_text:?}"
        );
        let line = format!("DESCRIPTION:{value}");
        assert_folded(&refold(&format!("{line}\r\n")), &format!("{line}\r\n"));
        assert_folded(&refold(&crate_text), &crate_text.replace("\r\n ", ""));
        // Lengths around every boundary, ASCII and multi-byte.
        for n in 0..400 {
            for unit in ["a", "é", "老", "🙂"] {
                let line = format!("DESCRIPTION:{}", unit.repeat(n / unit.len()));
                assert_folded(&refold(&format!("{line}\r\n")), &format!("{line}\r\n"));
            }
        }
        // Exactly 75 octets stays on one line.
        let line = "X".repeat(75);
        assert_eq!(refold(&format!("{line}\r\n")), format!("{line}\r\n"));
    }

    #[test]
    fn refold_never_splits_a_backslash_escape() {
        for pad in 0..80 {
            let line = format!(
                "DESCRIPTION:{}{}",
                "a".repeat(pad),
                "\\n\\,\\;\\\\".repeat(20)
            );
            let text = refold(&format!("{line}\r\n"));
            assert_folded(&text, &format!("{line}\r\n"));
            for piece in text.split_terminator("\r\n") {
                let run = piece.bytes().rev().take_while(|&b| b == b'\\').count();
                assert_eq!(run % 2, 0, "a fold splits an escape: {piece:?}");
            }
        }
    }

    #[test]
    fn control_characters_in_names_cannot_break_a_line() {
        let mut p = problem();
        let v = p.index.venue["V001"];
        p.venues[v].name = "Town\r\nHall\tAnnex".into();
        let s = settings(&p);
        let r = roster();
        for text in [
            venue_calendar(&p, &r, "V001", &s).unwrap(),
            invitation(&p, &r, "SEN-2027-0144", &s).unwrap(),
        ] {
            assert!(!text.replace("\r\n", "").contains(['\r', '\n', '\t']));
            assert!(text.replace("\r\n ", "").contains("Town  Hall Annex"));
        }
    }

    #[test]
    fn languages_read_well() {
        assert_eq!(language_name("bsl"), "BSL");
        assert_eq!(language_name("turkish"), "Turkish");
        assert_eq!(
            language_name("brazilian portuguese"),
            "Brazilian Portuguese"
        );
    }

    #[test]
    fn file_names_are_checked() {
        for ok in ["M001", "SEN-2026-0401", "v_1.2", &"a".repeat(128)] {
            assert!(file_name_safe(ok), "{ok:?}");
        }
        for bad in [
            "",
            ".hidden",
            "..",
            "a/b",
            "a\\b",
            "a b",
            "é",
            "a:b",
            &"a".repeat(129),
        ] {
            assert!(!file_name_safe(bad), "{bad:?}");
        }
    }
}
