//! The JSON input document as it arrives (documented in `docs/input-format.md`).
//!
//! These types only describe shape. Nothing here is trusted until
//! [`crate::validate::validate`] has turned it into a [`crate::model::Problem`]: unknown
//! ids, dates outside the horizon and the like are caught there, all at once.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// One scheduling problem: a horizon, the people and places, and the agreed cases.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemInput {
    pub horizon: HorizonInput,
    /// Must be `Europe/London` when given: every meeting happens there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Session templates; defaults to AM 09:30–13:00, PM 13:30–17:00 and FULL 09:30–17:00.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_templates: Option<Vec<SessionTemplateInput>>,
    /// Bank holidays; defaults to England and Wales 2026–2027.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_holidays: Option<Vec<NaiveDate>>,
    /// Areas; defaults to the 45 areas of `fixtures/areas.csv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas: Option<Vec<AreaInput>>,
    /// LAs (GSS codes) the service is contracted to cover; defaults to every LA of the areas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_las: Option<Vec<String>>,
    #[serde(default)]
    pub travel: TravelConfig,
    pub mediators: Vec<MediatorInput>,
    #[serde(default)]
    pub interpreters: Vec<InterpreterInput>,
    pub venues: Vec<VenueInput>,
    pub cases: Vec<CaseInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HorizonInput {
    /// First day of the roster (inclusive).
    pub start: NaiveDate,
    /// Last day of the roster (inclusive).
    pub end: NaiveDate,
    /// The day the roster is published to the parties; the 5-working-day notice runs from it.
    pub publication_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SessionTemplateInput {
    pub id: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// A full-day template serves cases whose duration is `full_day`; it counts as two sessions.
    #[serde(default)]
    pub full_day: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    pub name: String,
    /// The area's own GSS code (a London borough, a unitary, or a Hertfordshire district).
    pub gss_code: String,
    /// GSS code of the local authority responsible for SEND in this area.
    pub la_code: String,
    pub la_name: String,
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub population: u64,
}

/// How travel time is estimated: straight-line distance × `road_factor` at `speed_kmh`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TravelConfig {
    pub road_factor: f64,
    pub speed_kmh: f64,
    /// A venue further than this (road km) from the family's area is not offered to the family.
    pub max_family_travel_km: f64,
    /// A family is offered only its this-many nearest venues that meet its needs (plus any
    /// venue it prefers): coordinators offer a few places near the family, not every room in
    /// the region, and the model stays small.
    pub venue_shortlist: u32,
}

impl Default for TravelConfig {
    fn default() -> Self {
        Self {
            road_factor: 1.3,
            speed_kmh: 30.0,
            max_family_travel_km: 40.0,
            venue_shortlist: 6,
        }
    }
}

/// Which sessions an entity can attend. Both lists are optional: with neither, always free.
/// With `available`, only the listed days (and sessions) are free; `unavailable` then removes
/// days or sessions (a meeting booked elsewhere is an `unavailable` entry).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<Vec<DaySessions>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<DaySessions>,
}

/// A date, and optionally the session template ids meant on it (none listed: the whole day).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DaySessions {
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediatorInput {
    pub id: String,
    pub name: String,
    /// GSS code of the area the mediator travels from.
    pub home_area: String,
    /// GSS codes of the LAs whose cases the mediator may take.
    pub covers: Vec<String>,
    /// Last valid day of the accreditation (CMC or College of Mediators membership).
    pub accreditation_expires: NaiveDate,
    /// Last valid day of the place on the joint register of SEND mediators.
    pub register_expires: NaiveDate,
    /// Last valid day of professional indemnity insurance.
    pub insurance_expires: NaiveDate,
    /// Last valid day of the DBS check.
    pub dbs_expires: NaiveDate,
    /// Languages spoken besides English (e.g. "BSL", "Polish").
    #[serde(default)]
    pub languages: Vec<String>,
    pub max_sessions_per_day: u32,
    pub max_sessions_per_week: u32,
    #[serde(default)]
    pub availability: AvailabilityInput,
    #[serde(default)]
    pub conflicts: Vec<ConflictInput>,
    /// Organisations that employ the mediator (LA GSS codes, ICB codes, school ids).
    #[serde(default)]
    pub employers: Vec<String>,
    /// Objective units per session this mediator holds (0 for the service's own mediators).
    /// Capacity planning gives hypothetical extra sessions a cost so the fewest are used.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub session_cost: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A declared conflict of interest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConflictInput {
    pub kind: ConflictKind,
    /// The LA's GSS code, the ICB code, the school id, or the case reference (family).
    pub id: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    La,
    Icb,
    School,
    /// Prior involvement with the family of this case.
    Case,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterpreterInput {
    pub id: String,
    pub languages: Vec<String>,
    #[serde(default)]
    pub availability: AvailabilityInput,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueInput {
    pub id: String,
    pub name: String,
    /// GSS code of the area the venue is in.
    pub area: String,
    pub lat: f64,
    pub lon: f64,
    pub rooms: u32,
    #[serde(default)]
    pub step_free: bool,
    #[serde(default)]
    pub hearing_loop: bool,
    #[serde(default)]
    pub availability: AvailabilityInput,
    /// Pounds per session booked.
    #[serde(default)]
    pub cost_per_session: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    InPerson,
    Video,
    Phone,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::InPerson => "in_person",
            Mode::Video => "video",
            Mode::Phone => "phone",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum Duration {
    #[default]
    HalfDay,
    FullDay,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Parent,
    YoungPerson,
    Supporter,
    La,
    School,
    Icb,
}

impl PartyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Parent => "parent",
            PartyRole::YoungPerson => "young_person",
            PartyRole::Supporter => "supporter",
            PartyRole::La => "la",
            PartyRole::School => "school",
            PartyRole::Icb => "icb",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub role: PartyRole,
    /// Whether the meeting cannot go ahead without this party.
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub availability: AvailabilityInput,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthInput {
    /// Code of the NHS Integrated Care Board whose provision is in dispute.
    pub icb: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedsInput {
    /// Rooms needed at a venue (joint room plus breakout rooms): 1 to 3.
    #[serde(default = "one")]
    pub rooms: u32,
    #[serde(default)]
    pub step_free: bool,
    #[serde(default)]
    pub hearing_loop: bool,
    /// A language other than English that the meeting must be held in (e.g. "BSL").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Default for NeedsInput {
    fn default() -> Self {
        Self {
            rooms: one(),
            step_free: false,
            hearing_loop: false,
            language: None,
        }
    }
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The service's case reference. Never a child's name.
    pub reference: String,
    /// GSS code of the LA that is party to the case.
    pub la: String,
    /// GSS code of the area the family lives in.
    pub family_area: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
    /// The day the LA was told the parent wants mediation: the statutory clock starts here.
    pub clock_start: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthInput>,
    pub parties: Vec<PartyInput>,
    pub preferred_mode: Mode,
    /// Other modes the family accepts besides the preferred one.
    #[serde(default)]
    pub accepted_modes: Vec<Mode>,
    #[serde(default)]
    pub needs: NeedsInput,
    #[serde(default)]
    pub duration: Duration,
    /// The parent agreed to less than 5 working days' notice.
    #[serde(default)]
    pub short_notice_ok: bool,
    #[serde(default)]
    pub preferred_areas: Vec<String>,
    #[serde(default)]
    pub preferred_venues: Vec<String>,
}
