//! Every hard rule, defined once.
//!
//! The candidate filter ([`crate::candidates`]), the independent checker
//! ([`crate::checker`]) and the explanations ([`crate::explain`]) all call these predicates.
//! Rules that concern a single option (one case with one mediator, date, session and place)
//! are grouped in stages so callers can prune early: [`mediator_rule`] (the mediator
//! alone), [`day_rule`] and [`session_rule`] (the case on a date and session),
//! [`mediator_slot_rule`] (the mediator on that date and session) and [`site_rule`] (a
//! venue or a remote mode).
//! Rules between meetings (overlaps, caps, rooms, travel) are pairwise or counting
//! predicates here; the checker does the counting itself from the raw roster.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::geo;
use crate::model::{
    Case, CaseIdx, ConflictKind, DayIdx, Interpreter, InterpreterIdx, Mediator, MediatorIdx, Mode,
    Problem, SessionTemplate, TemplateIdx, Venue, VenueIdx,
};

/// A hard rule, with a stable code used in violations and reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    // Mediator stage.
    /// The mediator covers the case's LA.
    Coverage,
    /// No declared conflict and no employment by the LA, the ICB, the school or the family.
    Impartiality,
    // Slot stage.
    /// The date lies inside the roster's horizon.
    WithinHorizon,
    /// No meetings on weekends or bank holidays.
    WorkingDay,
    /// At least 5 working days' notice from publication, unless short notice was accepted.
    Notice,
    /// Half-day cases take a half-day session, full-day cases a full-day one.
    SessionLength,
    /// Accreditation, SEND register, insurance and DBS all valid on the meeting date.
    Accreditation,
    /// The mediator is free for the whole session.
    MediatorAvailable,
    /// Every required party is free for the whole session.
    PartiesAvailable,
    // Site stage.
    /// The family accepts the meeting's mode.
    ModeAccepted,
    /// The venue has the rooms, step-free access and hearing loop the case needs.
    VenueNeeds,
    /// The venue is open for the whole session.
    VenueAvailable,
    /// The venue is within the family's maximum travel distance.
    FamilyTravel,
    /// The meeting's language is spoken by the mediator or by an interpreter booked for it.
    Language,
    // Between meetings.
    /// A mediator holds at most one meeting at a time.
    MediatorOverlap,
    /// A mediator's sessions per day stay within the cap.
    MediatorDayCap,
    /// A mediator's sessions per ISO week stay within the cap.
    MediatorWeekCap,
    /// A venue's rooms are never over-booked.
    VenueRooms,
    /// Two in-person meetings of one mediator on a day leave time to travel between venues.
    MediatorTravel,
    /// An interpreter is at one meeting at a time.
    InterpreterOverlap,
    /// Each case is held at most once, and only agreed cases of the problem are held.
    CaseOnce,
    /// An in-person meeting names a venue; a video or phone meeting names none.
    VenueMatchesMode,
    /// Every id in the roster names something in the problem.
    UnknownReference,
}

impl Rule {
    /// The stable code, as serialised.
    pub fn code(self) -> &'static str {
        match self {
            Rule::Coverage => "coverage",
            Rule::Impartiality => "impartiality",
            Rule::WithinHorizon => "within_horizon",
            Rule::WorkingDay => "working_day",
            Rule::Notice => "notice",
            Rule::SessionLength => "session_length",
            Rule::Accreditation => "accreditation",
            Rule::MediatorAvailable => "mediator_available",
            Rule::PartiesAvailable => "parties_available",
            Rule::ModeAccepted => "mode_accepted",
            Rule::VenueNeeds => "venue_needs",
            Rule::VenueAvailable => "venue_available",
            Rule::FamilyTravel => "family_travel",
            Rule::Language => "language",
            Rule::MediatorOverlap => "mediator_overlap",
            Rule::MediatorDayCap => "mediator_day_cap",
            Rule::MediatorWeekCap => "mediator_week_cap",
            Rule::VenueRooms => "venue_rooms",
            Rule::MediatorTravel => "mediator_travel",
            Rule::InterpreterOverlap => "interpreter_overlap",
            Rule::CaseOnce => "case_once",
            Rule::VenueMatchesMode => "venue_matches_mode",
            Rule::UnknownReference => "unknown_reference",
        }
    }

    /// What the rule demands, in a coordinator's words.
    pub fn description(self) -> &'static str {
        match self {
            Rule::Coverage => "the mediator must cover the case's local authority",
            Rule::Impartiality => {
                "the mediator must have no conflict with, and not be employed by, the LA, ICB, school or family"
            }
            Rule::WithinHorizon => "the meeting must fall inside the roster's dates",
            Rule::WorkingDay => "meetings are held on working days only",
            Rule::Notice => "the parent must have 5 working days' notice unless they accepted less",
            Rule::SessionLength => "the session must match the case's duration (half or full day)",
            Rule::Accreditation => {
                "accreditation, SEND register, insurance and DBS must be valid on the meeting date"
            }
            Rule::MediatorAvailable => "the mediator must be free for the whole session",
            Rule::PartiesAvailable => "every required party must be free for the whole session",
            Rule::ModeAccepted => "the family must accept the meeting's mode",
            Rule::VenueNeeds => "the venue must have the rooms and access the case needs",
            Rule::VenueAvailable => "the venue must be open for the whole session",
            Rule::FamilyTravel => {
                "the venue must be within the family's travel limit and among its nearest suitable venues"
            }
            Rule::Language => {
                "the mediator or a booked interpreter must speak the meeting's language, and no interpreter is booked for a meeting in English"
            }
            Rule::MediatorOverlap => "a mediator holds one meeting at a time",
            Rule::MediatorDayCap => "a mediator's sessions per day stay within their cap",
            Rule::MediatorWeekCap => "a mediator's sessions per week stay within their cap",
            Rule::VenueRooms => "a venue's rooms must not be over-booked",
            Rule::MediatorTravel => "a mediator needs time to travel between venues",
            Rule::InterpreterOverlap => "an interpreter attends one meeting at a time",
            Rule::CaseOnce => "each agreed case is held once",
            Rule::VenueMatchesMode => {
                "in-person meetings need a venue; video and phone meetings have none"
            }
            Rule::UnknownReference => "the roster must only name cases, mediators, venues and sessions of the problem",
        }
    }
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

// ---------------------------------------------------------------------------------------
// Mediator stage
// ---------------------------------------------------------------------------------------

pub fn covers(mediator: &Mediator, case: &Case) -> bool {
    mediator.covers.contains(&case.la)
}

/// The mediator is independent of every party: no declared conflict and no employer in
/// common with the case's LA, its ICB (when health is involved), its school or its family.
pub fn is_impartial(mediator: &Mediator, case: &Case) -> bool {
    let parties: [(ConflictKind, Option<&str>); 4] = [
        (ConflictKind::La, Some(case.la.as_str())),
        (ConflictKind::Icb, case.icb.as_deref()),
        (ConflictKind::School, case.school.as_deref()),
        (ConflictKind::Case, Some(case.reference.as_str())),
    ];
    parties.iter().all(|(kind, id)| {
        let Some(id) = id else { return true };
        let declared = mediator
            .conflicts
            .iter()
            .any(|c| c.kind == *kind && c.id == *id);
        !declared && !mediator.employers.contains(*id)
    })
}

/// The first mediator-stage rule the pair breaks.
pub fn mediator_rule(mediator: &Mediator, case: &Case) -> Option<Rule> {
    if !covers(mediator, case) {
        Some(Rule::Coverage)
    } else if !is_impartial(mediator, case) {
        Some(Rule::Impartiality)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------
// Slot stage
// ---------------------------------------------------------------------------------------

/// Every credential is still valid on `date` (an expiry date is the last valid day).
pub fn credentials_valid(mediator: &Mediator, date: NaiveDate) -> bool {
    let c = &mediator.credentials;
    [
        c.accreditation_expires,
        c.register_expires,
        c.insurance_expires,
        c.dbs_expires,
    ]
    .iter()
    .all(|expiry| date <= *expiry)
}

/// The earliest date a case may meet, given the roster's publication date.
pub fn earliest_meeting_date(problem: &Problem, case: &Case) -> NaiveDate {
    problem
        .calendar
        .earliest_meeting_date(problem.horizon.publication_date, case.short_notice_ok)
}

/// The last date a case can meet and still be held by day 30.
pub fn deadline(problem: &Problem, case: &Case) -> NaiveDate {
    problem.calendar.meeting_deadline(case.clock_start)
}

/// Whether a meeting on `date` misses the case's day 30. Late meetings are allowed (and
/// flagged); the objective keeps them as few and as early as possible.
pub fn is_late(problem: &Problem, case: &Case, date: NaiveDate) -> bool {
    date > deadline(problem, case)
}

/// The first required party not free for the session, if any.
pub fn unavailable_party(
    case: &Case,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<crate::model::PartyRole> {
    case.parties
        .iter()
        .find(|p| p.required && !p.availability.is_free(day, template))
        .map(|p| p.role)
}

/// Rules that depend on the date alone.
pub fn day_rule(problem: &Problem, case: &Case, day: DayIdx) -> Option<Rule> {
    let Some(&date) = problem.horizon.days.get(day) else {
        return Some(Rule::WithinHorizon);
    };
    if !problem.calendar.is_working_day(date) {
        Some(Rule::WorkingDay)
    } else if date < earliest_meeting_date(problem, case) {
        Some(Rule::Notice)
    } else {
        None
    }
}

/// Rules that depend on the date and session but not on the mediator.
pub fn session_rule(
    problem: &Problem,
    case: &Case,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<Rule> {
    let t = &problem.templates[template];
    if !t.serves(case.duration) {
        Some(Rule::SessionLength)
    } else if unavailable_party(case, day, template).is_some() {
        Some(Rule::PartiesAvailable)
    } else {
        None
    }
}

/// Rules that depend on the mediator, the date and the session.
pub fn mediator_slot_rule(
    problem: &Problem,
    mediator: &Mediator,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<Rule> {
    let Some(&date) = problem.horizon.days.get(day) else {
        return Some(Rule::WithinHorizon);
    };
    let units = problem.templates[template].session_units();
    if !credentials_valid(mediator, date) {
        Some(Rule::Accreditation)
    } else if !mediator.availability.is_free(day, template) {
        Some(Rule::MediatorAvailable)
    } else if units > mediator.max_sessions_per_day {
        // A full day (two sessions) for a mediator capped at one a day breaks the cap alone.
        Some(Rule::MediatorDayCap)
    } else if units > mediator.max_sessions_per_week {
        Some(Rule::MediatorWeekCap)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------
// Site stage
// ---------------------------------------------------------------------------------------

pub fn mode_accepted(case: &Case, mode: Mode) -> bool {
    case.accepted_modes.contains(&mode)
}

pub fn venue_meets_needs(venue: &Venue, case: &Case) -> bool {
    venue.rooms >= case.needs.rooms
        && (!case.needs.step_free || venue.step_free)
        && (!case.needs.hearing_loop || venue.hearing_loop)
}

/// Road km from the family's area to a venue.
pub fn family_travel_km(problem: &Problem, case: &Case, venue: &Venue) -> f64 {
    let area = &problem.areas[case.family_area];
    geo::road_km(&problem.travel, area.lat, area.lon, venue.lat, venue.lon)
}

/// Road km from the mediator's home area to a venue.
pub fn mediator_travel_km(problem: &Problem, mediator: &Mediator, venue: &Venue) -> f64 {
    let area = &problem.areas[mediator.home_area];
    geo::road_km(&problem.travel, area.lat, area.lon, venue.lat, venue.lon)
}

pub fn family_travel_ok(problem: &Problem, case: &Case, venue: &Venue) -> bool {
    family_travel_km(problem, case, venue) <= problem.travel.max_family_travel_km
}

/// The venues offered to a family: those meeting its needs within its travel limit, the
/// `venue_shortlist` nearest of them (ties by venue order) plus any it named as preferred.
/// Computed once per case by validation and kept in [`Case::venue_shortlist`].
pub fn venue_shortlist(problem: &Problem, case: &Case) -> std::collections::BTreeSet<VenueIdx> {
    let mut suitable: Vec<(f64, VenueIdx)> = problem
        .venues
        .iter()
        .enumerate()
        .filter(|(_, v)| venue_meets_needs(v, case) && family_travel_ok(problem, case, v))
        .map(|(i, v)| (family_travel_km(problem, case, v), i))
        .collect();
    suitable.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let preferred = suitable
        .iter()
        .filter(|(_, v)| case.preferred_venues.contains(v))
        .map(|(_, v)| *v);
    suitable
        .iter()
        .take(problem.travel.venue_shortlist as usize)
        .map(|(_, v)| *v)
        .chain(preferred)
        .collect()
}

/// The venue is within the family's travel limit and on its shortlist.
pub fn venue_offered(case: &Case, venue: VenueIdx) -> bool {
    case.venue_shortlist.contains(&venue)
}

/// The venue is open for the whole session.
pub fn venue_open(venue: &Venue, day: DayIdx, template: TemplateIdx) -> bool {
    venue.availability.is_free(day, template)
}

/// Rules of the place alone (no date), in explanation order.
pub fn venue_rule(problem: &Problem, case: &Case, venue: VenueIdx) -> Option<Rule> {
    let v = &problem.venues[venue];
    if !mode_accepted(case, Mode::InPerson) {
        Some(Rule::ModeAccepted)
    } else if !venue_meets_needs(v, case) {
        Some(Rule::VenueNeeds)
    } else if !venue_offered(case, venue) {
        Some(Rule::FamilyTravel)
    } else {
        None
    }
}

/// The first site-stage rule broken by holding `case` at `site` on `day` in `template`.
pub fn site_rule(
    problem: &Problem,
    case: &Case,
    site: Site,
    day: DayIdx,
    template: TemplateIdx,
) -> Option<Rule> {
    match site {
        Site::Remote(mode) => {
            (mode == Mode::InPerson || !mode_accepted(case, mode)).then_some(Rule::ModeAccepted)
        }
        Site::Venue(v) => venue_rule(problem, case, v).or_else(|| {
            (!venue_open(&problem.venues[v], day, template)).then_some(Rule::VenueAvailable)
        }),
    }
}

// ---------------------------------------------------------------------------------------
// Language
// ---------------------------------------------------------------------------------------

pub fn mediator_speaks(mediator: &Mediator, language: &str) -> bool {
    mediator.languages.contains(language)
}

pub fn interpreter_can_attend(
    interpreter: &Interpreter,
    language: &str,
    day: DayIdx,
    template: TemplateIdx,
) -> bool {
    interpreter.languages.contains(language) && interpreter.availability.is_free(day, template)
}

/// Whether the language need of `case` is met by `mediator` or by `interpreter` booked for
/// the session. A case with no language need is always met (and must book no interpreter).
pub fn language_met(
    problem: &Problem,
    case: &Case,
    mediator: &Mediator,
    interpreter: Option<InterpreterIdx>,
    day: DayIdx,
    template: TemplateIdx,
) -> bool {
    match (&case.needs.language, interpreter) {
        (None, None) => true,
        (None, Some(_)) => false,
        (Some(lang), None) => mediator_speaks(mediator, lang),
        (Some(lang), Some(i)) => {
            interpreter_can_attend(&problem.interpreters[i], lang, day, template)
        }
    }
}

/// Whether some interpreter could meet the case's language need in this session.
pub fn interpreter_exists(
    problem: &Problem,
    case: &Case,
    day: DayIdx,
    template: TemplateIdx,
) -> bool {
    case.needs.language.as_ref().is_some_and(|lang| {
        problem
            .interpreters
            .iter()
            .any(|i| interpreter_can_attend(i, lang, day, template))
    })
}

// ---------------------------------------------------------------------------------------
// One whole option
// ---------------------------------------------------------------------------------------

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
    pub fn booking(&self) -> crate::model::Booking {
        crate::model::Booking {
            mediator: self.mediator,
            day: self.day,
            template: self.template,
            site: self.site,
        }
    }
}

/// Every single-meeting rule the placement breaks, in stage order. Empty means the meeting
/// is allowed on its own; rules between meetings are checked by [`conflicts_between`] and
/// the counting rules.
pub fn placement_violations(problem: &Problem, p: &Placement) -> Vec<Rule> {
    let case = &problem.cases[p.case];
    let mediator = &problem.mediators[p.mediator];
    let mut broken = Vec::new();
    if !covers(mediator, case) {
        broken.push(Rule::Coverage);
    }
    if !is_impartial(mediator, case) {
        broken.push(Rule::Impartiality);
    }
    if day_rule(problem, case, p.day) == Some(Rule::WithinHorizon) {
        broken.push(Rule::WithinHorizon);
        return broken;
    }
    let date = problem.horizon.days[p.day];
    if !problem.calendar.is_working_day(date) {
        broken.push(Rule::WorkingDay);
    }
    if date < earliest_meeting_date(problem, case) {
        broken.push(Rule::Notice);
    }
    if !problem.templates[p.template].serves(case.duration) {
        broken.push(Rule::SessionLength);
    }
    if !credentials_valid(mediator, date) {
        broken.push(Rule::Accreditation);
    }
    if !mediator.availability.is_free(p.day, p.template) {
        broken.push(Rule::MediatorAvailable);
    }
    if unavailable_party(case, p.day, p.template).is_some() {
        broken.push(Rule::PartiesAvailable);
    }
    if !mode_accepted(case, p.site.mode()) {
        broken.push(Rule::ModeAccepted);
    }
    if p.site == Site::Remote(Mode::InPerson) {
        broken.push(Rule::VenueMatchesMode);
    }
    if let Site::Venue(v) = p.site {
        let venue = &problem.venues[v];
        if !venue_meets_needs(venue, case) {
            broken.push(Rule::VenueNeeds);
        }
        if !venue_open(venue, p.day, p.template) {
            broken.push(Rule::VenueAvailable);
        }
        if !venue_offered(case, v) {
            broken.push(Rule::FamilyTravel);
        }
    }
    if !language_met(problem, case, mediator, p.interpreter, p.day, p.template) {
        broken.push(Rule::Language);
    }
    broken
}

// ---------------------------------------------------------------------------------------
// Between meetings
// ---------------------------------------------------------------------------------------

/// Whether two sessions on the same day overlap in time.
pub fn sessions_overlap(a: &SessionTemplate, b: &SessionTemplate) -> bool {
    a.overlaps(b)
}

/// Whether a mediator can get from the meeting at `from` (ending at `earlier`'s end) to
/// the one at `to` (starting at `later`'s start) on the same day. Remote meetings need no
/// travel; two meetings that overlap are never reachable.
pub fn travel_ok(
    problem: &Problem,
    from: Site,
    earlier: &SessionTemplate,
    to: Site,
    later: &SessionTemplate,
) -> bool {
    if later.start < earlier.end {
        return false;
    }
    let (Site::Venue(a), Site::Venue(b)) = (from, to) else {
        return true;
    };
    if a == b {
        return true;
    }
    let gap_minutes = (later.start - earlier.end).num_minutes() as f64;
    let (va, vb) = (&problem.venues[a], &problem.venues[b]);
    geo::travel_minutes(&problem.travel, va.lat, va.lon, vb.lat, vb.lon) <= gap_minutes
}

/// The rules broken by one mediator holding both meetings, when they fall on the same day.
pub fn conflicts_between(problem: &Problem, a: &Placement, b: &Placement) -> Option<Rule> {
    if a.day != b.day {
        return None;
    }
    let (ta, tb) = (
        &problem.templates[a.template],
        &problem.templates[b.template],
    );
    if sessions_overlap(ta, tb) {
        return Some(Rule::MediatorOverlap);
    }
    let ok = if ta.end <= tb.start {
        travel_ok(problem, a.site, ta, b.site, tb)
    } else {
        travel_ok(problem, b.site, tb, a.site, ta)
    };
    (!ok).then_some(Rule::MediatorTravel)
}
