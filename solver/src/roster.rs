//! The roster as it leaves the solver and as the checker reads it back.
//!
//! A roster names things by their external ids (case references, mediator and venue ids,
//! session template ids) so it can be stored, edited by hand and re-checked against the
//! problem. Derived fields (instants, deadline, margin, certificate due date, lateness) are
//! informational: the checker recomputes them rather than trusting them.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::Mode;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    pub meetings: Vec<Meeting>,
    /// Cases neither held nor carried over, each with the reasons it could not be held.
    #[serde(default)]
    pub unscheduled: Vec<UnscheduledCase>,
    /// Cases not held in this horizon whose day 30 lies after it.
    #[serde(default)]
    pub carried_over: Vec<CarriedOverCase>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// Case reference.
    pub case: String,
    /// Mediator id.
    pub mediator: String,
    pub date: NaiveDate,
    /// Session template id.
    pub session: String,
    pub mode: Mode,
    /// Venue id for an in-person meeting; none for video or phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// Interpreter id when one is booked for the meeting's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    /// Revision of the meeting as published (iCalendar `SEQUENCE`): 0 when first
    /// published; a re-plan that moves the meeting gives it the published value + 1, and a
    /// meeting kept as published keeps its value. Absent in a roster file means 0.
    #[serde(default)]
    pub sequence: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<MeetingDetails>,
}

/// What a coordinator reads beside a meeting; recomputed by the checker, never trusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingDetails {
    /// Start instant in Europe/London, with its UTC offset (`+00:00` in winter, never `Z`).
    #[serde(with = "offset_time")]
    pub start: DateTime<FixedOffset>,
    #[serde(with = "offset_time")]
    pub end: DateTime<FixedOffset>,
    /// Last day to meet and still be held by day 30.
    pub deadline: NaiveDate,
    /// Calendar days from the meeting to the deadline (negative when late).
    pub days_of_margin: i64,
    pub late: bool,
    /// The day the mediator's certificate is due (3 working days after the meeting).
    pub certificate_due: NaiveDate,
    pub family_travel_km: Option<f64>,
    pub mediator_travel_km: Option<f64>,
    /// For a late meeting, the reason that settles why it could not be held by its deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_primary_reason: Option<String>,
    /// Why a late meeting could not be held by its deadline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late_reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnscheduledCase {
    pub case: String,
    pub deadline: NaiveDate,
    /// The code of the reason that settles it: a rule code when no option satisfies every
    /// rule, or `capacity_taken` when rule-feasible options exist but all are occupied.
    pub primary_reason: String,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarriedOverCase {
    pub case: String,
    pub deadline: NaiveDate,
    /// Why it was not held in this horizon.
    #[serde(default)]
    pub primary_reason: String,
    #[serde(default)]
    pub reasons: Vec<Reason>,
}

/// One reason, with how many options (mediators, days, sessions or places) it ruled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub count: u32,
    pub message: String,
}

/// Code of the reason "rule-feasible options exist but other meetings occupy all of them".
pub const CAPACITY_TAKEN: &str = "capacity_taken";
/// Code counting options that lie after the deadline (used when explaining late meetings).
pub const AFTER_DEADLINE: &str = "after_deadline";

/// RFC 3339 with the offset always spelled out (`2026-12-07T09:30:00+00:00`), so a reader
/// sees the Europe/London offset of each instant rather than a bare `Z`.
mod offset_time {
    use chrono::{DateTime, FixedOffset, SecondsFormat};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, false))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}
