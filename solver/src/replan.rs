//! Re-planning a published roster after something changed, moving as few meetings as
//! possible.
//!
//! The changes (a mediator falls ill, a venue closes, a case is withdrawn or added, a
//! party's availability is replaced, a party cancels a published meeting) are applied to
//! the problem document, which is then validated like any other. Each published meeting
//! becomes the case's [`Booking`](crate::model::Booking) to keep: holding the case any
//! other way, or not at all, costs [`Weights::change`](crate::candidates::Weights::change)
//! on top of the usual objective, and [`SolveOptions::max_changes`] caps how many meetings
//! that could still be kept may move. A meeting that can no longer be held as published (it breaks a rule, or a
//! party cancelled it, or its case was withdrawn) moves for free, and the result says why.
//!
//! ```
//! use mediation_solver::{milp::SolveOptions, replan, schedule, validate};
//!
//! let json = include_str!("../../fixtures/week-2026-12-07.json");
//! let input: mediation_solver::input::ProblemInput = serde_json::from_str(json).unwrap();
//! let problem = validate::validate(&input).unwrap().problem;
//! let published = schedule::schedule(&problem, &SolveOptions::default()).unwrap().roster;
//! let ill = published.meetings[0].clone();
//! let changes = vec![replan::Change::MediatorUnavailable {
//!     mediator: ill.mediator.clone(),
//!     dates: vec![ill.date],
//!     sessions: None,
//! }];
//! let result =
//!     replan::replan(&input, &published.meetings, &changes, &SolveOptions::default()).unwrap();
//! assert!(result.changes.iter().any(|c| c.case == ill.case && c.forced));
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::input::{AvailabilityInput, CaseInput, DaySessions, PartyRole, ProblemInput};
use crate::milp::{SolveError, SolveOptions};
use crate::model::{CaseIdx, Problem};
use crate::placement::{self, PlacementError};
use crate::roster::Meeting;
use crate::rules::{self, Placement, Site};
use crate::schedule::{self, Outcome};
use crate::validate::{self, InputError};

/// One thing that happened since the roster was published.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// The mediator cannot work on these dates (only these sessions, when given).
    MediatorUnavailable {
        mediator: String,
        dates: Vec<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sessions: Option<Vec<String>>,
    },
    /// The venue is closed on these dates.
    VenueClosed {
        venue: String,
        dates: Vec<NaiveDate>,
    },
    /// The case no longer needs a meeting.
    CaseWithdrawn { case: String },
    /// A newly agreed case.
    CaseAdded { case: Box<CaseInput> },
    /// A party's availability is replaced by this one.
    PartyAvailability {
        case: String,
        role: PartyRole,
        availability: AvailabilityInput,
    },
    /// A party cancelled the case's published meeting: it must move to another session.
    MeetingCancelled { case: String },
}

/// What the re-plan did to one meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Held at another time, place or with another mediator.
    Moved,
    /// Published but no longer held in this roster.
    Dropped,
    /// A case without a published meeting is now held.
    Added,
}

/// One line of "whom to call".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingChange {
    pub case: String,
    pub kind: ChangeKind,
    /// The published meeting, for `moved` and `dropped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Meeting>,
    /// The new meeting, for `moved` and `added`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Meeting>,
    /// The published meeting could not be kept (a rule broke, a party cancelled, the case
    /// was withdrawn); otherwise the move was chosen because it improves the roster by more
    /// than the change penalty.
    pub forced: bool,
    /// The rule the published meeting now breaks, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub why: String,
}

/// The re-planned roster and what changed.
#[derive(Debug, Clone, Serialize)]
pub struct Replan {
    /// The problem after the changes, with the published meetings to keep.
    #[serde(skip)]
    pub problem: Problem,
    /// Validation warnings of the changed problem.
    pub warnings: Vec<crate::validate::Issue>,
    pub outcome: Outcome,
    /// Published meetings kept exactly as they were.
    pub kept: usize,
    /// Every published meeting moved or dropped, and every case newly held.
    pub changes: Vec<MeetingChange>,
}

/// Why a re-plan could not be made. Each variant has a stable [`ReplanError::code`].
#[derive(Debug, thiserror::Error)]
pub enum ReplanError {
    /// A change or published meeting names something the problem does not have.
    #[error("{field}: no {what} `{id}` in the problem")]
    UnknownId {
        field: String,
        what: &'static str,
        id: String,
    },
    /// A change or published meeting is not usable as given.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The problem after the changes does not validate.
    #[error("the problem after the changes is not valid: {0}")]
    Input(#[from] InputError),
    #[error(transparent)]
    Solve(#[from] SolveError),
}

impl ReplanError {
    pub fn code(&self) -> &'static str {
        match self {
            ReplanError::UnknownId { .. } => "unknown_id",
            ReplanError::Invalid { .. } => "invalid_change",
            ReplanError::Input(_) => "invalid_problem",
            ReplanError::Solve(_) => "solve_failed",
        }
    }
}

/// The problem document after the changes, in order. `published` is needed to know which
/// session a cancelled meeting was in.
pub fn apply_changes(
    input: &ProblemInput,
    published: &[Meeting],
    changes: &[Change],
) -> Result<ProblemInput, ReplanError> {
    let mut out = input.clone();
    for (k, change) in changes.iter().enumerate() {
        let at = |field: &str| format!("/changes/{k}/{field}");
        let case_position = |out: &ProblemInput, case: &str| {
            out.cases
                .iter()
                .position(|c| c.reference == case)
                .ok_or_else(|| ReplanError::UnknownId {
                    field: at("case"),
                    what: "case",
                    id: case.to_string(),
                })
        };
        match change {
            Change::MediatorUnavailable {
                mediator,
                dates,
                sessions,
            } => {
                let m = out
                    .mediators
                    .iter_mut()
                    .find(|m| &m.id == mediator)
                    .ok_or_else(|| ReplanError::UnknownId {
                        field: at("mediator"),
                        what: "mediator",
                        id: mediator.clone(),
                    })?;
                non_empty(dates, &at("dates"))?;
                m.availability
                    .unavailable
                    .extend(dates.iter().map(|&date| DaySessions {
                        date,
                        sessions: sessions.clone(),
                    }));
            }
            Change::VenueClosed { venue, dates } => {
                let v = out
                    .venues
                    .iter_mut()
                    .find(|v| &v.id == venue)
                    .ok_or_else(|| ReplanError::UnknownId {
                        field: at("venue"),
                        what: "venue",
                        id: venue.clone(),
                    })?;
                non_empty(dates, &at("dates"))?;
                v.availability
                    .unavailable
                    .extend(dates.iter().map(|&date| DaySessions {
                        date,
                        sessions: None,
                    }));
            }
            Change::CaseWithdrawn { case } => {
                let i = case_position(&out, case)?;
                out.cases.remove(i);
            }
            Change::CaseAdded { case } => {
                if out.cases.iter().any(|c| c.reference == case.reference) {
                    return Err(ReplanError::Invalid {
                        field: at("case/reference"),
                        message: format!("case `{}` is already in the problem", case.reference),
                    });
                }
                out.cases.push((**case).clone());
            }
            Change::PartyAvailability {
                case,
                role,
                availability,
            } => {
                let i = case_position(&out, case)?;
                let party = out.cases[i]
                    .parties
                    .iter_mut()
                    .find(|p| p.role == *role)
                    .ok_or_else(|| ReplanError::Invalid {
                        field: at("role"),
                        message: format!("case `{case}` has no {} party", role.as_str()),
                    })?;
                party.availability = availability.clone();
            }
            Change::MeetingCancelled { case } => {
                let i = case_position(&out, case)?;
                let meeting = published.iter().find(|m| &m.case == case).ok_or_else(|| {
                    ReplanError::Invalid {
                        field: at("case"),
                        message: format!("case `{case}` has no published meeting to cancel"),
                    }
                })?;
                // The parties cannot make that session: the case must meet at another.
                for party in out.cases[i].parties.iter_mut().filter(|p| p.required) {
                    party.availability.unavailable.push(DaySessions {
                        date: meeting.date,
                        sessions: Some(vec![meeting.session.clone()]),
                    });
                }
            }
        }
    }
    Ok(out)
}

fn non_empty(dates: &[NaiveDate], field: &str) -> Result<(), ReplanError> {
    if dates.is_empty() {
        return Err(ReplanError::Invalid {
            field: field.to_string(),
            message: "give at least one date".into(),
        });
    }
    Ok(())
}

/// Why a published meeting cannot be kept as it is.
#[derive(Debug, Clone, PartialEq)]
enum Forced {
    Withdrawn,
    Cancelled,
    Broken(rules::Rule),
}

/// Applies the changes, marks the published meetings to keep and solves.
pub fn replan(
    input: &ProblemInput,
    published: &[Meeting],
    changes: &[Change],
    options: &SolveOptions,
) -> Result<Replan, ReplanError> {
    let prepared = prepare(input, published, changes)?;
    let mut outcome = schedule::schedule(&prepared.problem, options)?;
    let (kept, changes) = prepared.changes(&mut outcome);
    Ok(Replan {
        problem: prepared.problem,
        warnings: prepared.warnings,
        outcome,
        kept,
        changes,
    })
}

/// A re-plan ready to solve: the changed problem with the published meetings to keep, and
/// what is needed to list the changes once it is solved.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Solve this (any solver entry point will do: the bookings are part of it).
    pub problem: Problem,
    pub warnings: Vec<crate::validate::Issue>,
    published: Vec<Meeting>,
    forced: BTreeMap<String, Forced>,
}

impl Prepared {
    /// Published meetings kept, and every change, for a roster of [`Prepared::problem`].
    /// Sets each meeting's [`Meeting::sequence`] first: a meeting kept as published keeps
    /// its published value, one that moved gets the published value + 1, a newly held case
    /// starts at 0.
    pub fn changes(&self, outcome: &mut Outcome) -> (usize, Vec<MeetingChange>) {
        sequence(&self.published, &mut outcome.roster.meetings);
        diff(&self.published, outcome, &self.forced)
    }
}

/// Applies the changes, validates, and marks the published meetings to keep (every error
/// names its field), without solving.
pub fn prepare(
    input: &ProblemInput,
    published: &[Meeting],
    changes: &[Change],
) -> Result<Prepared, ReplanError> {
    let changed = apply_changes(input, published, changes)?;
    let validated = validate::validate(&changed)?;
    let warnings = validated.warnings;
    let mut problem = validated.problem;
    let withdrawn: BTreeSet<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CaseWithdrawn { case } => Some(case.as_str()),
            _ => None,
        })
        .collect();
    let cancelled: BTreeSet<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::MeetingCancelled { case } => Some(case.as_str()),
            _ => None,
        })
        .collect();

    let mut forced: BTreeMap<String, Forced> = BTreeMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut as_published: BTreeMap<CaseIdx, Placement> = BTreeMap::new();
    for (k, meeting) in published.iter().enumerate() {
        if !seen.insert(meeting.case.as_str()) {
            return Err(ReplanError::Invalid {
                field: format!("/published/{k}/case"),
                message: format!("case `{}` has two published meetings", meeting.case),
            });
        }
        if withdrawn.contains(meeting.case.as_str()) {
            forced.insert(meeting.case.clone(), Forced::Withdrawn);
            continue;
        }
        let placement = resolve(&problem, meeting, k)?;
        if cancelled.contains(meeting.case.as_str()) {
            forced.insert(meeting.case.clone(), Forced::Cancelled);
            continue;
        }
        as_published.insert(placement.case, placement);
        let case = &mut problem.cases[placement.case];
        case.published = Some(placement.booking());
        // The published venue stays on offer even if it would not make the shortlist now.
        if let Site::Venue(v) = placement.site {
            case.venue_shortlist.insert(v);
        }
    }
    // A published meeting that breaks a rule on its own, or beside the published meetings
    // before it, cannot be kept.
    let kept = crate::greedy::published_still_valid(&problem);
    let still_valid: BTreeSet<CaseIdx> = kept.iter().map(|p| p.case).collect();
    let occupancy = crate::explain::Occupancy::new(&problem, &kept);
    for (c, p) in &as_published {
        if still_valid.contains(c) {
            continue;
        }
        // The rule it breaks on its own, else beside the meetings kept; else its
        // interpreter is taken.
        let rule = rules::placement_violations(&problem, p)
            .into_iter()
            .next()
            .or_else(|| occupancy.blocking_rule(&problem, p))
            .unwrap_or(rules::Rule::InterpreterOverlap);
        forced.insert(problem.cases[*c].reference.clone(), Forced::Broken(rule));
    }
    // Meetings that cannot be kept are not penalised for moving.
    for case in problem.cases.iter_mut() {
        if forced.contains_key(&case.reference) {
            case.published = None;
        }
    }

    Ok(Prepared {
        problem,
        warnings,
        published: published.to_vec(),
        forced,
    })
}

/// A published meeting as a placement ([`placement::resolve`]), or an error pointing at the
/// meeting's field at fault and naming the rule it breaks: an unknown id, a date outside the
/// horizon, an in-person meeting without a venue or a video or phone meeting naming one.
fn resolve(problem: &Problem, m: &Meeting, k: usize) -> Result<Placement, ReplanError> {
    placement::resolve(problem, m).map_err(|e| {
        let field = format!("/published/{k}/{}", e.field());
        match e {
            PlacementError::UnknownId { field: what, id } => ReplanError::UnknownId {
                field,
                what: what.as_str(),
                id,
            },
            other => ReplanError::Invalid {
                field,
                message: format!("{other} (rule `{}`)", other.rule().code()),
            },
        }
    })
}

/// The same meeting as published: mediator, date, session, mode and venue.
fn same_slot(a: &Meeting, b: &Meeting) -> bool {
    a.mediator == b.mediator
        && a.date == b.date
        && a.session == b.session
        && a.mode == b.mode
        && a.venue == b.venue
}

/// Numbers the revisions of the re-planned meetings against the published ones.
fn sequence(published: &[Meeting], meetings: &mut [Meeting]) {
    let before: BTreeMap<&str, &Meeting> = published.iter().map(|m| (m.case.as_str(), m)).collect();
    for meeting in meetings {
        meeting.sequence = match before.get(meeting.case.as_str()) {
            Some(old) if same_slot(old, meeting) => old.sequence,
            Some(old) => old.sequence.saturating_add(1),
            None => 0,
        };
    }
}

/// Meeting by meeting: what moved, what was dropped, what is new.
fn diff(
    published: &[Meeting],
    outcome: &Outcome,
    forced: &BTreeMap<String, Forced>,
) -> (usize, Vec<MeetingChange>) {
    let now: BTreeMap<&str, &Meeting> = outcome
        .roster
        .meetings
        .iter()
        .map(|m| (m.case.as_str(), m))
        .collect();
    let bare = |m: &Meeting| Meeting {
        details: None,
        ..m.clone()
    };
    let mut kept = 0;
    let mut changes = Vec::new();
    for old in published {
        let reason = forced.get(&old.case);
        let new = now.get(old.case.as_str()).copied();
        if let (Some(new), None) = (new, reason) {
            if same_slot(old, new) {
                kept += 1;
                continue;
            }
        }
        let (why, rule) = match reason {
            Some(Forced::Withdrawn) => ("the case was withdrawn".to_string(), None),
            Some(Forced::Cancelled) => ("a party cancelled the meeting".to_string(), None),
            Some(Forced::Broken(rule)) => (
                format!(
                    "the published meeting breaks a rule: {}",
                    rule.description()
                ),
                Some(rule.code().to_string()),
            ),
            None if new.is_some() => (
                "moved to make room for a case that could not otherwise be held on time, \
                 or to save more than the change penalty"
                    .to_string(),
                None,
            ),
            None => (
                "dropped so that more urgent cases can be held; see the roster's unscheduled list"
                    .to_string(),
                None,
            ),
        };
        let withdrawn = matches!(reason, Some(Forced::Withdrawn));
        changes.push(MeetingChange {
            case: old.case.clone(),
            kind: if new.is_some() {
                ChangeKind::Moved
            } else {
                ChangeKind::Dropped
            },
            from: Some(bare(old)),
            to: new.map(bare),
            forced: reason.is_some(),
            rule,
            why: if withdrawn {
                why
            } else if new.is_none() {
                let carried = outcome
                    .roster
                    .carried_over
                    .iter()
                    .any(|c| c.case == old.case);
                let unscheduled = outcome
                    .roster
                    .unscheduled
                    .iter()
                    .find(|u| u.case == old.case);
                match unscheduled.and_then(|u| u.reasons.first()) {
                    _ if carried => format!(
                        "{why}; carried over to the next roster (its day 30 is after this one)"
                    ),
                    Some(r) => format!("{why}; no other session is possible: {}", r.message),
                    None => why,
                }
            } else {
                why
            },
        });
    }
    let was_published: BTreeSet<&str> = published.iter().map(|m| m.case.as_str()).collect();
    for m in &outcome.roster.meetings {
        if !was_published.contains(m.case.as_str()) {
            changes.push(MeetingChange {
                case: m.case.clone(),
                kind: ChangeKind::Added,
                from: None,
                to: Some(bare(m)),
                forced: false,
                rule: None,
                why: "newly held".into(),
            });
        }
    }
    (kept, changes)
}
