//! A small problem built in code, and helpers to write rosters against it.
//!
//! The base scenario: horizon Mon 14 – Fri 18 Dec 2026, published Mon 7 Dec (so the earliest
//! meeting is Mon 14th), default session templates (AM, PM, FULL), areas and bank holidays.
//! - Mediators `M-CAM` (home Camden; covers Camden, Islington, Croydon and Bedford) and
//!   `M-ISL` (home Islington; covers Camden and Islington), 2 sessions a day, 8 a week.
//! - Venues `V-CAM` (Camden, 3 rooms, step-free, hearing loop) and `V-CRO` (Croydon, 2 rooms).
//! - Cases `C-1` (Camden) and `C-2` (Islington): clock started Tue 1 Dec (deadline Thu 31 Dec),
//!   a parent and the LA required, in person preferred, video accepted, half a day.
//!
//! [`valid_roster`] holds both cases on Monday morning at `V-CAM`; each test changes one thing.
#![allow(dead_code)] // each test binary uses a different part of the builder

use chrono::NaiveDate;
use mediation_solver::checker::{self, CheckReport};
use mediation_solver::input::{
    AvailabilityInput, CaseInput, DaySessions, HorizonInput, InterpreterInput, MediatorInput, Mode,
    NeedsInput, PartyInput, PartyRole, ProblemInput, TravelConfig, VenueInput,
};
use mediation_solver::model::Problem;
use mediation_solver::roster::{Meeting, Roster};
use mediation_solver::validate;

pub const CAMDEN: &str = "E09000007";
pub const ISLINGTON: &str = "E09000019";
pub const CROYDON: &str = "E09000008";
pub const BEDFORD: &str = "E06000055";

/// Centroid of an area of `fixtures/areas.csv` used by the scenario.
fn centroid(gss: &str) -> (f64, f64) {
    match gss {
        CAMDEN => (51.546, -0.157),
        ISLINGTON => (51.548, -0.110),
        CROYDON => (51.355, -0.087),
        BEDFORD => (52.189, -0.477),
        other => panic!("no centroid for {other} in the test scenario"),
    }
}

pub fn d(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a yyyy-mm-dd date")
}

pub const MON: &str = "2026-12-14";
pub const TUE: &str = "2026-12-15";
pub const WED: &str = "2026-12-16";
pub const THU: &str = "2026-12-17";
pub const FRI: &str = "2026-12-18";

/// The scenario's input, mutable by each test before it is validated.
pub struct Scenario {
    pub input: ProblemInput,
}

impl Default for Scenario {
    fn default() -> Self {
        Self::new()
    }
}

impl Scenario {
    pub fn new() -> Self {
        let input = ProblemInput {
            horizon: HorizonInput {
                start: d(MON),
                end: d(FRI),
                publication_date: d("2026-12-07"),
            },
            time_zone: None,
            session_templates: None,
            bank_holidays: None,
            areas: None,
            covered_las: None,
            travel: TravelConfig::default(),
            mediators: vec![
                mediator("M-CAM", CAMDEN, &[CAMDEN, ISLINGTON, CROYDON, BEDFORD]),
                mediator("M-ISL", ISLINGTON, &[CAMDEN, ISLINGTON]),
            ],
            interpreters: vec![],
            venues: vec![venue("V-CAM", CAMDEN, 3), venue("V-CRO", CROYDON, 2)],
            cases: vec![
                case("C-1", CAMDEN, CAMDEN),
                case("C-2", ISLINGTON, ISLINGTON),
            ],
        };
        let mut scenario = Self { input };
        let v = scenario.venue("V-CAM");
        v.step_free = true;
        v.hearing_loop = true;
        scenario
    }

    pub fn mediator(&mut self, id: &str) -> &mut MediatorInput {
        let found = self.input.mediators.iter_mut().find(|m| m.id == id);
        found.unwrap_or_else(|| panic!("no mediator {id}"))
    }

    pub fn venue(&mut self, id: &str) -> &mut VenueInput {
        let found = self.input.venues.iter_mut().find(|v| v.id == id);
        found.unwrap_or_else(|| panic!("no venue {id}"))
    }

    pub fn case(&mut self, reference: &str) -> &mut CaseInput {
        let found = self
            .input
            .cases
            .iter_mut()
            .find(|c| c.reference == reference);
        found.unwrap_or_else(|| panic!("no case {reference}"))
    }

    pub fn add_mediator(&mut self, id: &str, home: &str, covers: &[&str]) -> &mut MediatorInput {
        self.input.mediators.push(mediator(id, home, covers));
        self.input.mediators.last_mut().expect("just pushed")
    }

    pub fn add_venue(&mut self, id: &str, area: &str, rooms: u32) -> &mut VenueInput {
        self.input.venues.push(venue(id, area, rooms));
        self.input.venues.last_mut().expect("just pushed")
    }

    /// A case like the base ones: LA `la`, family living in `family_area`.
    pub fn add_case(&mut self, reference: &str, la: &str, family_area: &str) -> &mut CaseInput {
        self.input.cases.push(case(reference, la, family_area));
        self.input.cases.last_mut().expect("just pushed")
    }

    pub fn add_interpreter(&mut self, id: &str, languages: &[&str]) -> &mut InterpreterInput {
        self.input.interpreters.push(InterpreterInput {
            id: id.into(),
            languages: languages.iter().map(|l| l.to_string()).collect(),
            availability: AvailabilityInput::default(),
        });
        self.input.interpreters.last_mut().expect("just pushed")
    }

    /// Keeps only the given cases (by reference).
    pub fn only_cases(&mut self, references: &[&str]) {
        self.input
            .cases
            .retain(|c| references.contains(&c.reference.as_str()));
    }

    pub fn problem(&self) -> Problem {
        match validate::validate(&self.input) {
            Ok(validated) => validated.problem,
            Err(e) => panic!("the test scenario is invalid: {e:#?}"),
        }
    }

    pub fn check(&self, roster: &Roster) -> CheckReport {
        checker::check(&self.problem(), roster)
    }
}

fn mediator(id: &str, home: &str, covers: &[&str]) -> MediatorInput {
    MediatorInput {
        id: id.into(),
        name: format!("Mediator {id}"),
        home_area: home.into(),
        covers: covers.iter().map(|c| c.to_string()).collect(),
        accreditation_expires: d("2027-12-31"),
        register_expires: d("2027-12-31"),
        insurance_expires: d("2027-12-31"),
        dbs_expires: d("2027-12-31"),
        languages: vec![],
        max_sessions_per_day: 2,
        max_sessions_per_week: 8,
        availability: AvailabilityInput::default(),
        conflicts: vec![],
        employers: vec![],
        session_cost: 0,
    }
}

fn venue(id: &str, area: &str, rooms: u32) -> VenueInput {
    let (lat, lon) = centroid(area);
    VenueInput {
        id: id.into(),
        name: format!("Venue {id}"),
        area: area.into(),
        lat,
        lon,
        rooms,
        step_free: false,
        hearing_loop: false,
        availability: AvailabilityInput::default(),
        cost_per_session: 0.0,
    }
}

fn case(reference: &str, la: &str, family_area: &str) -> CaseInput {
    CaseInput {
        reference: reference.into(),
        la: la.into(),
        family_area: family_area.into(),
        school: None,
        clock_start: d("2026-12-01"),
        health: None,
        parties: vec![party(PartyRole::Parent), party(PartyRole::La)],
        preferred_mode: Mode::InPerson,
        accepted_modes: vec![Mode::Video],
        needs: NeedsInput {
            rooms: 1,
            ..NeedsInput::default()
        },
        duration: Default::default(),
        short_notice_ok: false,
        preferred_areas: vec![],
        preferred_venues: vec![],
    }
}

pub fn party(role: PartyRole) -> PartyInput {
    PartyInput {
        role,
        required: true,
        availability: AvailabilityInput::default(),
    }
}

/// Availability with whole days or single sessions blocked.
pub fn unavailable(entries: &[(&str, Option<&str>)]) -> AvailabilityInput {
    AvailabilityInput {
        available: None,
        unavailable: entries
            .iter()
            .map(|&(day, s)| day_sessions(day, s))
            .collect(),
    }
}

/// Availability limited to the listed days or sessions.
pub fn only_available(entries: &[(&str, Option<&str>)]) -> AvailabilityInput {
    AvailabilityInput {
        available: Some(
            entries
                .iter()
                .map(|&(day, s)| day_sessions(day, s))
                .collect(),
        ),
        unavailable: vec![],
    }
}

fn day_sessions(day: &str, session: Option<&str>) -> DaySessions {
    DaySessions {
        date: d(day),
        sessions: session.map(|s| vec![s.to_string()]),
    }
}

/// An in-person meeting.
pub fn at(case: &str, mediator: &str, date: &str, session: &str, venue: &str) -> Meeting {
    Meeting {
        case: case.into(),
        mediator: mediator.into(),
        date: d(date),
        session: session.into(),
        mode: Mode::InPerson,
        venue: Some(venue.into()),
        interpreter: None,
        sequence: 0,
        details: None,
    }
}

/// A video meeting.
pub fn by_video(case: &str, mediator: &str, date: &str, session: &str) -> Meeting {
    Meeting {
        mode: Mode::Video,
        venue: None,
        ..at(case, mediator, date, session, "")
    }
}

pub fn with_interpreter(meeting: Meeting, interpreter: &str) -> Meeting {
    Meeting {
        interpreter: Some(interpreter.into()),
        ..meeting
    }
}

pub fn roster(meetings: Vec<Meeting>) -> Roster {
    Roster {
        meetings,
        ..Roster::default()
    }
}

/// Both base cases on Monday morning at `V-CAM`, one with each mediator.
pub fn valid_roster() -> Roster {
    roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ])
}

/// The report breaks `code`.
#[track_caller]
pub fn assert_breaks(report: &CheckReport, code: &str) {
    assert!(
        report.codes().contains(&code),
        "expected a `{code}` violation, got {:#?}",
        report.violations
    );
}

/// The report has no violation at all.
#[track_caller]
pub fn assert_valid(report: &CheckReport) {
    assert!(
        report.is_valid(),
        "expected no violation, got {:#?}",
        report.violations
    );
}

/// The report has no `code` violation (other rules may be broken on purpose).
#[track_caller]
pub fn assert_holds(report: &CheckReport, code: &str) {
    assert!(
        !report.codes().contains(&code),
        "expected no `{code}` violation, got {:#?}",
        report.violations
    );
}
