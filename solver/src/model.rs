//! The validated problem: every id resolved to an index, every date checked, availability
//! expanded to one bitmask of free session templates per horizon day.
//!
//! Only [`crate::validate::validate`] builds a [`Problem`], so the rest of the crate can trust
//! it: indices are in range and dates are inside the horizon.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveTime};

use crate::calendar::Calendar;
pub use crate::input::{ConflictKind, Duration, Mode, PartyRole, TravelConfig};

pub type AreaIdx = usize;
pub type MediatorIdx = usize;
pub type InterpreterIdx = usize;
pub type VenueIdx = usize;
pub type CaseIdx = usize;
pub type TemplateIdx = usize;
/// Index of a calendar day in [`Horizon::days`].
pub type DayIdx = usize;

/// The most session templates a problem may define (availability is a `u32` bitmask).
pub const MAX_TEMPLATES: usize = 32;

#[derive(Debug, Clone)]
pub struct Problem {
    pub horizon: Horizon,
    pub calendar: Calendar,
    pub templates: Vec<SessionTemplate>,
    pub areas: Vec<Area>,
    pub covered_las: BTreeSet<String>,
    pub travel: TravelConfig,
    pub mediators: Vec<Mediator>,
    pub interpreters: Vec<Interpreter>,
    pub venues: Vec<Venue>,
    pub cases: Vec<Case>,
    pub index: Index,
}

/// Lookups from external ids to indices.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub area: HashMap<String, AreaIdx>,
    pub mediator: HashMap<String, MediatorIdx>,
    pub interpreter: HashMap<String, InterpreterIdx>,
    pub venue: HashMap<String, VenueIdx>,
    pub case: HashMap<String, CaseIdx>,
    pub template: HashMap<String, TemplateIdx>,
}

#[derive(Debug, Clone)]
pub struct Horizon {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub publication_date: NaiveDate,
    /// Every calendar day from `start` to `end` inclusive.
    pub days: Vec<NaiveDate>,
}

impl Horizon {
    pub fn day_index(&self, date: NaiveDate) -> Option<DayIdx> {
        if date < self.start || date > self.end {
            return None;
        }
        Some((date - self.start).num_days() as usize)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionTemplate {
    pub id: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub full_day: bool,
}

impl SessionTemplate {
    /// Sessions of a mediator's caps this template uses: a full day counts as two.
    pub fn session_units(&self) -> u32 {
        if self.full_day {
            2
        } else {
            1
        }
    }

    pub fn overlaps(&self, other: &SessionTemplate) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn serves(&self, duration: Duration) -> bool {
        self.full_day == (duration == Duration::FullDay)
    }
}

#[derive(Debug, Clone)]
pub struct Area {
    pub name: String,
    pub gss_code: String,
    pub la_code: String,
    pub la_name: String,
    pub lat: f64,
    pub lon: f64,
    pub population: u64,
}

/// Free session templates per horizon day: bit `t` of `free[d]` is set when the entity can
/// attend template `t` on day `d`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    pub free: Vec<u32>,
}

impl Availability {
    pub fn always(days: usize, templates: usize) -> Self {
        let all = if templates >= 32 {
            u32::MAX
        } else {
            (1u32 << templates) - 1
        };
        Self {
            free: vec![all; days],
        }
    }

    pub fn is_free(&self, day: DayIdx, template: TemplateIdx) -> bool {
        self.free
            .get(day)
            .is_some_and(|mask| mask & (1 << template) != 0)
    }

    pub fn is_never_free(&self) -> bool {
        self.free.iter().all(|m| *m == 0)
    }
}

/// Dates on which a credential is valid: each is the last valid day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credentials {
    pub accreditation_expires: NaiveDate,
    pub register_expires: NaiveDate,
    pub insurance_expires: NaiveDate,
    pub dbs_expires: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Conflict {
    pub kind: ConflictKind,
    pub id: String,
}

#[derive(Debug, Clone)]
pub struct Mediator {
    pub id: String,
    pub name: String,
    pub home_area: AreaIdx,
    /// LA GSS codes covered.
    pub covers: BTreeSet<String>,
    pub credentials: Credentials,
    /// Normalised (lower-case) language names besides English.
    pub languages: BTreeSet<String>,
    pub max_sessions_per_day: u32,
    pub max_sessions_per_week: u32,
    pub availability: Availability,
    pub conflicts: Vec<Conflict>,
    pub employers: BTreeSet<String>,
    /// Objective units per session unit held (hypothetical capacity; 0 normally).
    pub session_cost: i64,
}

#[derive(Debug, Clone)]
pub struct Interpreter {
    pub id: String,
    pub languages: BTreeSet<String>,
    pub availability: Availability,
}

#[derive(Debug, Clone)]
pub struct Venue {
    pub id: String,
    pub name: String,
    pub area: AreaIdx,
    pub lat: f64,
    pub lon: f64,
    pub rooms: u32,
    pub step_free: bool,
    pub hearing_loop: bool,
    pub availability: Availability,
    pub cost_per_session: f64,
}

#[derive(Debug, Clone)]
pub struct Party {
    pub role: PartyRole,
    pub required: bool,
    pub availability: Availability,
}

#[derive(Debug, Clone, Default)]
pub struct Needs {
    pub rooms: u32,
    pub step_free: bool,
    pub hearing_loop: bool,
    /// Normalised (lower-case) language, if not English.
    pub language: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub reference: String,
    /// GSS code of the case's LA.
    pub la: String,
    pub family_area: AreaIdx,
    pub school: Option<String>,
    pub clock_start: NaiveDate,
    pub icb: Option<String>,
    pub parties: Vec<Party>,
    pub preferred_mode: Mode,
    /// Every mode the family accepts, the preferred one included.
    pub accepted_modes: BTreeSet<Mode>,
    pub needs: Needs,
    pub duration: Duration,
    pub short_notice_ok: bool,
    pub preferred_areas: BTreeSet<AreaIdx>,
    pub preferred_venues: BTreeSet<VenueIdx>,
    /// The venues offered to this family ([`crate::rules::venue_shortlist`]), filled in by
    /// validation once every venue is known.
    pub venue_shortlist: BTreeSet<VenueIdx>,
    /// The meeting already published for this case, when re-planning
    /// ([`crate::replan`]): holding the case any other way, or not at all, costs
    /// [`crate::candidates::Weights::change`].
    pub published: Option<Booking>,
    /// The case-level validation warning (e.g. `"W2509"`, no required party) when the
    /// case's own data means it must not be held: [`crate::rules::Rule::CaseData`] then
    /// rules out every option, and the roster reports the case not held (`case_data`).
    pub data_problem: Option<&'static str>,
}

/// Who holds a meeting, when and where (the interpreter aside): what a re-plan tries to
/// keep of a published meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Booking {
    pub mediator: MediatorIdx,
    pub day: DayIdx,
    pub template: TemplateIdx,
    pub site: Site,
}

/// Lower-cases and trims a language name so "BSL" and "bsl " match.
pub fn normalise_language(language: &str) -> String {
    language.trim().to_lowercase()
}

/// Where a meeting happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    Venue(VenueIdx),
    /// Video or phone: no venue.
    Remote(Mode),
}

impl Site {
    pub fn mode(self) -> Mode {
        match self {
            Site::Venue(_) => Mode::InPerson,
            Site::Remote(mode) => mode,
        }
    }

    pub fn venue(self) -> Option<VenueIdx> {
        match self {
            Site::Venue(v) => Some(v),
            Site::Remote(_) => None,
        }
    }
}

/// One way to hold one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Placement {
    pub case: CaseIdx,
    pub mediator: MediatorIdx,
    pub day: DayIdx,
    pub template: TemplateIdx,
    pub site: Site,
    pub interpreter: Option<InterpreterIdx>,
}

impl Placement {
    /// Who holds it, when and where.
    pub fn booking(&self) -> Booking {
        Booking {
            mediator: self.mediator,
            day: self.day,
            template: self.template,
            site: self.site,
        }
    }
}

impl Problem {
    /// Sessions mediator `m` can hold over the horizon: the weekly cap for each ISO week the
    /// horizon touches, and never more than the daily cap on each working day.
    pub fn horizon_capacity(&self, m: MediatorIdx) -> u32 {
        let mediator = &self.mediators[m];
        let working: Vec<_> = self
            .horizon
            .days
            .iter()
            .filter(|d| self.calendar.is_working_day(**d))
            .collect();
        let weeks: std::collections::BTreeSet<(i32, u32)> = working
            .iter()
            .map(|d| crate::calendar::iso_week(**d))
            .collect();
        // Saturating: validation only warns about a cap above the session templates, and a
        // daily cap of `i32::MAX` times five working days does not fit in a `u32`.
        (weeks.len() as u32)
            .saturating_mul(mediator.max_sessions_per_week)
            .min((working.len() as u32).saturating_mul(mediator.max_sessions_per_day))
    }
}
