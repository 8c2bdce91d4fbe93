//! A roster meeting read back as a placement: the one place where a [`Meeting`]'s external
//! ids, date, mode and venue become a [`Placement`] of the problem, or a [`PlacementError`]
//! naming the rule broken and the meeting's field at fault.
//!
//! The checker, re-planning (each published meeting), [`crate::schedule::placements_of`], the
//! key figures ([`crate::kpi`]) and the report all read meetings through [`resolve`] (the
//! report through [`Parts`], to show what it can of a meeting that does not resolve whole), so
//! they agree on what a meeting is. In particular a meeting's mode and venue must agree
//! ([`Rule::VenueMatchesMode`]): an in-person meeting names a venue, and a video or phone
//! meeting names none. A video meeting that names a venue is an error here: it is never held
//! at the venue, and the venue is never silently dropped.
//!
//! ```
//! use mediation_solver::{placement::{self, MeetingField}, roster::Meeting, rules::Rule};
//!
//! let json = include_str!("../../fixtures/week-2026-12-07.json");
//! let problem = mediation_solver::validate::parse_problem(json).unwrap().problem;
//! let meeting: Meeting = serde_json::from_value(serde_json::json!({
//!     "case": "SEN-2026-0395", "mediator": "M013", "date": "2026-12-07", "session": "AM",
//!     "mode": "video", "venue": "V013"
//! }))
//! .unwrap();
//! let error = placement::resolve(&problem, &meeting).unwrap_err();
//! assert_eq!(error.rule(), Rule::VenueMatchesMode);
//! assert_eq!(error.field(), MeetingField::Venue);
//! ```

use std::fmt;

use chrono::NaiveDate;

use crate::model::{CaseIdx, DayIdx, InterpreterIdx, MediatorIdx, Mode, Problem, TemplateIdx};
use crate::roster::Meeting;
use crate::rules::{Placement, Rule, Site};

/// A field of a roster meeting, spelt as in its JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingField {
    Case,
    Mediator,
    Date,
    Session,
    Venue,
    Interpreter,
}

impl MeetingField {
    /// The field's JSON name (`case`, `mediator`, `date`, `session`, `venue`, `interpreter`).
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingField::Case => "case",
            MeetingField::Mediator => "mediator",
            MeetingField::Date => "date",
            MeetingField::Session => "session",
            MeetingField::Venue => "venue",
            MeetingField::Interpreter => "interpreter",
        }
    }
}

impl fmt::Display for MeetingField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a meeting is not a placement of the problem. Each variant names the rule it breaks
/// ([`PlacementError::rule`]) and the meeting's field at fault ([`PlacementError::field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlacementError {
    /// A field names an id the problem does not have: [`Rule::UnknownReference`].
    #[error("the problem has no {field} `{id}`")]
    UnknownId { field: MeetingField, id: String },
    /// The date is not a day of the horizon: [`Rule::WithinHorizon`].
    #[error("{date} is outside the horizon {start} to {end}")]
    OutsideHorizon {
        date: NaiveDate,
        start: NaiveDate,
        end: NaiveDate,
    },
    /// An in-person meeting names no venue: [`Rule::VenueMatchesMode`].
    #[error("an in-person meeting needs a venue")]
    VenueMissing,
    /// A video or phone meeting names a venue: [`Rule::VenueMatchesMode`].
    #[error("a {} meeting names a venue (`{venue}`); video and phone meetings have none", .mode.as_str())]
    VenueNotAllowed { mode: Mode, venue: String },
}

impl PlacementError {
    /// The rule the meeting breaks.
    pub fn rule(&self) -> Rule {
        match self {
            PlacementError::UnknownId { .. } => Rule::UnknownReference,
            PlacementError::OutsideHorizon { .. } => Rule::WithinHorizon,
            PlacementError::VenueMissing | PlacementError::VenueNotAllowed { .. } => {
                Rule::VenueMatchesMode
            }
        }
    }

    /// The meeting's field at fault.
    pub fn field(&self) -> MeetingField {
        match self {
            PlacementError::UnknownId { field, .. } => *field,
            PlacementError::OutsideHorizon { .. } => MeetingField::Date,
            PlacementError::VenueMissing | PlacementError::VenueNotAllowed { .. } => {
                MeetingField::Venue
            }
        }
    }
}

/// The meeting as a placement of `problem`, or the first thing that stops it being one: an
/// unknown id (fields in the order case, mediator, session, venue, interpreter), then a date
/// outside the horizon, then a mode and venue that disagree.
pub fn resolve(problem: &Problem, meeting: &Meeting) -> Result<Placement, PlacementError> {
    Parts::of(problem, meeting).placement()
}

/// Each part of a meeting resolved on its own, by the same lookups as [`resolve`], for a
/// reader that shows what it can of a meeting that does not resolve whole (the report shows a
/// withdrawn case's published meeting with its session times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub case: Result<CaseIdx, PlacementError>,
    pub mediator: Result<MediatorIdx, PlacementError>,
    pub day: Result<DayIdx, PlacementError>,
    pub template: Result<TemplateIdx, PlacementError>,
    /// A venue for an in-person meeting, the mode for a video or phone one.
    pub site: Result<Site, PlacementError>,
    /// `Ok(None)` when the meeting books no interpreter.
    pub interpreter: Result<Option<InterpreterIdx>, PlacementError>,
}

impl Parts {
    pub fn of(problem: &Problem, meeting: &Meeting) -> Self {
        let index = &problem.index;
        let lookup =
            |field: MeetingField, map: &std::collections::HashMap<String, usize>, id: &str| {
                map.get(id)
                    .copied()
                    .ok_or_else(|| PlacementError::UnknownId {
                        field,
                        id: id.to_owned(),
                    })
            };
        // A horizon whose day list disagrees with its start and end (a problem not built by
        // `validate`) must not let a date through that has no day.
        let horizon = &problem.horizon;
        let day = horizon
            .day_index(meeting.date)
            .filter(|&d| horizon.days.get(d) == Some(&meeting.date))
            .ok_or(PlacementError::OutsideHorizon {
                date: meeting.date,
                start: horizon.start,
                end: horizon.end,
            });
        let site = match (meeting.mode, &meeting.venue) {
            (Mode::InPerson, Some(id)) => {
                lookup(MeetingField::Venue, &index.venue, id).map(Site::Venue)
            }
            (Mode::InPerson, None) => Err(PlacementError::VenueMissing),
            (mode, Some(id)) => Err(PlacementError::VenueNotAllowed {
                mode,
                venue: id.clone(),
            }),
            (mode, None) => Ok(Site::Remote(mode)),
        };
        let interpreter = match &meeting.interpreter {
            Some(id) => lookup(MeetingField::Interpreter, &index.interpreter, id).map(Some),
            None => Ok(None),
        };
        Parts {
            case: lookup(MeetingField::Case, &index.case, &meeting.case),
            mediator: lookup(MeetingField::Mediator, &index.mediator, &meeting.mediator),
            day,
            template: lookup(MeetingField::Session, &index.template, &meeting.session),
            site,
            interpreter,
        }
    }

    /// The whole placement, or the first error in the order [`resolve`] gives.
    pub fn placement(self) -> Result<Placement, PlacementError> {
        match self {
            Parts {
                case: Ok(case),
                mediator: Ok(mediator),
                day: Ok(day),
                template: Ok(template),
                site: Ok(site),
                interpreter: Ok(interpreter),
            } => Ok(Placement {
                case,
                mediator,
                day,
                template,
                site,
                interpreter,
            }),
            parts => {
                // In the meeting's field order: case, mediator, date, session, venue,
                // interpreter. Unknown ids come first, then the date, then the venue.
                let errors = [
                    parts.case.err(),
                    parts.mediator.err(),
                    parts.day.err(),
                    parts.template.err(),
                    parts.site.err(),
                    parts.interpreter.err(),
                ];
                let unknown = errors
                    .iter()
                    .flatten()
                    .position(|e| matches!(e, PlacementError::UnknownId { .. }));
                let mut errors = errors.into_iter().flatten();
                let first = match unknown {
                    Some(k) => errors.nth(k),
                    None => errors.next(),
                };
                Err(first.expect("a part that did not resolve"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::parse_problem;

    fn problem() -> Problem {
        parse_problem(include_str!("../../fixtures/week-2026-12-07.json"))
            .expect("the shipped week is valid")
            .problem
    }

    fn meeting(mode: Mode, venue: Option<&str>) -> Meeting {
        Meeting {
            case: "SEN-2026-0395".into(),
            mediator: "M013".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            session: "AM".into(),
            mode,
            venue: venue.map(Into::into),
            interpreter: None,
            sequence: 0,
            details: None,
        }
    }

    #[test]
    fn an_in_person_meeting_at_a_known_venue_is_held_there() {
        let problem = problem();
        let p = resolve(&problem, &meeting(Mode::InPerson, Some("V013"))).unwrap();
        assert_eq!(p.site, Site::Venue(problem.index.venue["V013"]));
        assert_eq!(p.case, problem.index.case["SEN-2026-0395"]);
        assert_eq!(problem.horizon.days[p.day], meeting(Mode::Video, None).date);
    }

    #[test]
    fn a_video_meeting_with_no_venue_is_remote() {
        let p = resolve(&problem(), &meeting(Mode::Video, None)).unwrap();
        assert_eq!(p.site, Site::Remote(Mode::Video));
    }

    #[test]
    fn a_video_or_phone_meeting_naming_a_venue_breaks_venue_matches_mode() {
        for mode in [Mode::Video, Mode::Phone] {
            let e = resolve(&problem(), &meeting(mode, Some("V013"))).unwrap_err();
            assert_eq!(
                (e.rule(), e.field()),
                (Rule::VenueMatchesMode, MeetingField::Venue)
            );
            assert!(e.to_string().contains("names a venue (`V013`)"), "{e}");
        }
    }

    #[test]
    fn an_in_person_meeting_without_a_venue_breaks_venue_matches_mode() {
        let e = resolve(&problem(), &meeting(Mode::InPerson, None)).unwrap_err();
        assert_eq!(e, PlacementError::VenueMissing);
        assert_eq!(e.rule(), Rule::VenueMatchesMode);
    }

    #[test]
    fn unknown_ids_come_first_in_field_order_then_the_date() {
        let problem = problem();
        let mut m = meeting(Mode::Video, Some("V013"));
        m.date = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        m.session = "EVENING".into();
        m.interpreter = Some("I-NOBODY".into());
        let e = resolve(&problem, &m).unwrap_err();
        assert_eq!(
            e,
            PlacementError::UnknownId {
                field: MeetingField::Session,
                id: "EVENING".into()
            }
        );
        assert_eq!(e.rule(), Rule::UnknownReference);
        assert_eq!(e.to_string(), "the problem has no session `EVENING`");
        m.session = "AM".into();
        m.interpreter = None;
        let e = resolve(&problem, &m).unwrap_err();
        assert_eq!(
            (e.rule(), e.field()),
            (Rule::WithinHorizon, MeetingField::Date)
        );
        let parts = Parts::of(&problem, &m);
        assert!(parts.case.is_ok() && parts.template.is_ok());
        assert!(parts.site.is_err());
    }
}
