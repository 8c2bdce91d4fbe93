//! Key figures of a roster: how many cases were held, by day 30 or late, how far families
//! and mediators travel, and how much of each mediator's capacity the roster uses.
//!
//! Everything is computed from the raw roster and the problem (each meeting read with
//! [`crate::placement::resolve`], deadlines and distances from [`crate::rules`]), never from a
//! meeting's informational `details`. Meetings that are not placements of the problem (an
//! unknown id, a date outside the horizon, a mode and venue that disagree) are skipped, as
//! [`crate::schedule::placements_of`] skips them (the checker reports them); a case held twice
//! counts once, at its first meeting.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::model::{CaseIdx, Mode, Problem};
use crate::placement;
use crate::roster::Roster;
use crate::rules;

/// Key figures, overall, per local authority and per mediator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    pub overall: CaseKpis,
    /// One entry per LA with at least one case, ordered by GSS code.
    pub by_la: Vec<LaKpis>,
    /// One entry per mediator, in the problem's order.
    pub mediators: Vec<MediatorKpis>,
}

/// Figures over a set of cases (all of them, or one LA's).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CaseKpis {
    /// Agreed cases in the problem.
    pub cases: usize,
    /// Cases with a meeting in the roster.
    pub held: usize,
    /// Cases held on or before their deadline (the last working day by day 30).
    pub held_by_day_30: usize,
    /// Cases held after their deadline.
    pub late: usize,
    pub unscheduled: usize,
    pub carried_over: usize,
    /// Mean calendar days from the clock start to the meeting, over held cases.
    pub mean_days_to_meeting: Option<f64>,
    /// Road km from the family's area to the venue, summed over in-person meetings.
    pub family_travel_km_total: f64,
    /// Mean road km a family travels, over in-person meetings.
    pub family_travel_km_mean: Option<f64>,
    /// Road km from each mediator's home area to the venue, summed over in-person meetings.
    pub mediator_travel_km_total: f64,
    pub meetings_by_mode: ModeCounts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ModeCounts {
    pub in_person: usize,
    pub video: usize,
    pub phone: usize,
}

impl ModeCounts {
    fn add(&mut self, mode: Mode) {
        match mode {
            Mode::InPerson => self.in_person += 1,
            Mode::Video => self.video += 1,
            Mode::Phone => self.phone += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaKpis {
    /// GSS code of the local authority.
    pub la_code: String,
    pub la_name: String,
    #[serde(flatten)]
    pub kpis: CaseKpis,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediatorKpis {
    /// Mediator id.
    pub mediator: String,
    pub meetings: usize,
    /// Sessions held: a full-day meeting counts as two.
    pub sessions: u32,
    /// Sessions the mediator could hold over the horizon ([`Problem::horizon_capacity`]).
    pub capacity: u32,
    /// `sessions / capacity`; none when the capacity is zero.
    pub utilisation: Option<f64>,
}

/// Running sums for one set of cases.
#[derive(Default)]
struct Tally {
    kpis: CaseKpis,
    days_to_meeting: i64,
    in_person: usize,
}

impl Tally {
    fn finish(mut self) -> CaseKpis {
        let k = &mut self.kpis;
        k.mean_days_to_meeting = (k.held > 0).then(|| self.days_to_meeting as f64 / k.held as f64);
        k.family_travel_km_mean =
            (self.in_person > 0).then(|| k.family_travel_km_total / self.in_person as f64);
        self.kpis
    }
}

/// Computes the key figures of `roster` against `problem`.
pub fn kpis(problem: &Problem, roster: &Roster) -> Kpis {
    let mut overall = Tally::default();
    let mut by_la: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut mediators: Vec<MediatorKpis> = (0..problem.mediators.len())
        .map(|m| MediatorKpis {
            mediator: problem.mediators[m].id.clone(),
            meetings: 0,
            sessions: 0,
            capacity: problem.horizon_capacity(m),
            utilisation: None,
        })
        .collect();

    for case in &problem.cases {
        overall.kpis.cases += 1;
        by_la.entry(case.la.as_str()).or_default().kpis.cases += 1;
    }

    let mut held: HashSet<CaseIdx> = HashSet::new();
    for meeting in &roster.meetings {
        let Ok(p) = placement::resolve(problem, meeting) else {
            continue;
        };
        if !held.insert(p.case) {
            continue;
        }
        let case = &problem.cases[p.case];
        let mediator = &problem.mediators[p.mediator];
        mediators[p.mediator].meetings += 1;
        mediators[p.mediator].sessions += problem.templates[p.template].session_units();

        let date = problem.horizon.days[p.day];
        let late = rules::is_late(problem, case, date);
        let days = (date - case.clock_start).num_days();
        let venue = p.site.venue().map(|v| &problem.venues[v]);
        let travel = venue.map(|v| {
            (
                rules::family_travel_km(problem, case, v),
                rules::mediator_travel_km(problem, mediator, v),
            )
        });
        for tally in [&mut overall, by_la.entry(case.la.as_str()).or_default()] {
            let k = &mut tally.kpis;
            k.held += 1;
            if late {
                k.late += 1;
            } else {
                k.held_by_day_30 += 1;
            }
            tally.days_to_meeting += days;
            k.meetings_by_mode.add(p.site.mode());
            if let Some((family_km, mediator_km)) = travel {
                tally.in_person += 1;
                k.family_travel_km_total += family_km;
                k.mediator_travel_km_total += mediator_km;
            }
        }
    }

    let left_out = roster
        .unscheduled
        .iter()
        .map(|u| (&u.case, false))
        .chain(roster.carried_over.iter().map(|c| (&c.case, true)));
    for (reference, carried) in left_out {
        let Some(&c) = problem.index.case.get(reference) else {
            continue;
        };
        let case = &problem.cases[c];
        for tally in [&mut overall, by_la.entry(case.la.as_str()).or_default()] {
            if carried {
                tally.kpis.carried_over += 1;
            } else {
                tally.kpis.unscheduled += 1;
            }
        }
    }

    for m in &mut mediators {
        m.utilisation = (m.capacity > 0).then(|| f64::from(m.sessions) / f64::from(m.capacity));
    }

    Kpis {
        overall: overall.finish(),
        by_la: by_la
            .into_iter()
            .map(|(code, tally)| LaKpis {
                la_code: code.to_string(),
                la_name: la_name(problem, code),
                kpis: tally.finish(),
            })
            .collect(),
        mediators,
    }
}

/// The LA's name from the areas it is responsible for; its code when no area names it.
pub fn la_name(problem: &Problem, la_code: &str) -> String {
    problem
        .areas
        .iter()
        .find(|a| a.la_code == la_code)
        .map_or_else(|| la_code.to_string(), |a| a.la_name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::{CarriedOverCase, Meeting, UnscheduledCase};
    use crate::validate::parse_problem;
    use chrono::NaiveDate;

    const CAMDEN: &str = "E09000007";
    const ISLINGTON: &str = "E09000019";

    /// Mon 14 – Fri 18 Dec 2026, published Mon 7 Dec. Two mediators (one 2 sessions a day and
    /// 3 a week, one 1 a day and 10 a week), a Camden venue, three Camden cases and one
    /// Islington case, every clock started Tue 1 Dec (deadline Thu 31 Dec).
    fn problem() -> Problem {
        let case = |reference: &str, la: &str, duration: &str| {
            format!(
                r#"{{"reference":"{reference}","la":"{la}","family_area":"{la}",
                    "clock_start":"2026-12-01","parties":[{{"role":"parent"}},{{"role":"la"}}],
                    "preferred_mode":"in_person","accepted_modes":["video","phone"],
                    "duration":"{duration}"}}"#
            )
        };
        let mediator = |id: &str, per_day: u32, per_week: u32| {
            format!(
                r#"{{"id":"{id}","name":"Test Mediator","home_area":"{ISLINGTON}",
                    "covers":["{CAMDEN}","{ISLINGTON}"],
                    "accreditation_expires":"2028-01-01","register_expires":"2028-01-01",
                    "insurance_expires":"2028-01-01","dbs_expires":"2028-01-01",
                    "max_sessions_per_day":{per_day},"max_sessions_per_week":{per_week}}}"#
            )
        };
        let json = format!(
            r#"{{"horizon":{{"start":"2026-12-14","end":"2026-12-18","publication_date":"2026-12-07"}},
                "mediators":[{},{}],
                "venues":[{{"id":"V-CAM","name":"Camden Centre","area":"{CAMDEN}",
                            "lat":51.546,"lon":-0.157,"rooms":3}}],
                "cases":[{},{},{},{}]}}"#,
            mediator("M-1", 2, 3),
            mediator("M-2", 1, 10),
            case("C-1", CAMDEN, "half_day"),
            case("C-2", CAMDEN, "full_day"),
            case("C-3", CAMDEN, "half_day"),
            case("C-4", ISLINGTON, "half_day"),
        );
        parse_problem(&json)
            .expect("the test problem is valid")
            .problem
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn meeting(
        case: &str,
        mediator: &str,
        date: &str,
        session: &str,
        venue: Option<&str>,
    ) -> Meeting {
        Meeting {
            case: case.into(),
            mediator: mediator.into(),
            date: d(date),
            session: session.into(),
            mode: if venue.is_some() {
                Mode::InPerson
            } else {
                Mode::Video
            },
            venue: venue.map(Into::into),
            interpreter: None,
            sequence: 0,
            details: None,
        }
    }

    /// C-1 in person on Mon AM, C-2 by video on Tue (full day), C-4 in person on Wed AM;
    /// C-3 unscheduled.
    fn roster() -> Roster {
        Roster {
            meetings: vec![
                meeting("C-1", "M-1", "2026-12-14", "AM", Some("V-CAM")),
                meeting("C-2", "M-1", "2026-12-15", "FULL", None),
                meeting("C-4", "M-2", "2026-12-16", "AM", Some("V-CAM")),
            ],
            unscheduled: vec![UnscheduledCase {
                case: "C-3".into(),
                deadline: d("2026-12-31"),
                primary_reason: "capacity_taken".into(),
                reasons: vec![],
            }],
            carried_over: vec![],
        }
    }

    #[test]
    fn counts_cases_held_and_unscheduled_overall() {
        let k = kpis(&problem(), &roster()).overall;
        assert_eq!(k.cases, 4);
        assert_eq!(k.held, 3);
        assert_eq!(k.held_by_day_30, 3);
        assert_eq!(k.late, 0);
        assert_eq!(k.unscheduled, 1);
        assert_eq!(k.carried_over, 0);
        assert_eq!(
            k.meetings_by_mode,
            ModeCounts {
                in_person: 2,
                video: 1,
                phone: 0
            }
        );
    }

    #[test]
    fn mean_days_to_meeting_counts_calendar_days_from_the_clock_start() {
        // 13, 14 and 15 days after Tue 1 Dec.
        let k = kpis(&problem(), &roster()).overall;
        assert_eq!(k.mean_days_to_meeting, Some(14.0));
    }

    #[test]
    fn family_travel_counts_in_person_meetings_only() {
        let problem = problem();
        let k = kpis(&problem, &roster()).overall;
        let venue = &problem.venues[0];
        let camden = rules::family_travel_km(&problem, &problem.cases[0], venue);
        let islington = rules::family_travel_km(&problem, &problem.cases[3], venue);
        assert!(
            camden < 0.1,
            "the venue is at the Camden centroid: {camden}"
        );
        assert!((k.family_travel_km_total - (camden + islington)).abs() < 1e-9);
        assert_eq!(
            k.family_travel_km_mean,
            Some(k.family_travel_km_total / 2.0)
        );
    }

    #[test]
    fn mediator_travel_sums_home_to_venue_for_in_person_meetings() {
        let problem = problem();
        let k = kpis(&problem, &roster()).overall;
        let one_leg =
            rules::mediator_travel_km(&problem, &problem.mediators[0], &problem.venues[0]);
        assert!(one_leg > 1.0);
        assert!((k.mediator_travel_km_total - 2.0 * one_leg).abs() < 1e-9);
    }

    #[test]
    fn figures_are_split_per_la_with_its_name() {
        let by_la = kpis(&problem(), &roster()).by_la;
        assert_eq!(by_la.len(), 2);
        assert_eq!(by_la[0].la_code, CAMDEN);
        assert_eq!(by_la[0].la_name, "Camden");
        assert_eq!((by_la[0].kpis.cases, by_la[0].kpis.held), (3, 2));
        assert_eq!(by_la[0].kpis.unscheduled, 1);
        assert_eq!(by_la[1].la_code, ISLINGTON);
        assert_eq!((by_la[1].kpis.cases, by_la[1].kpis.held), (1, 1));
    }

    #[test]
    fn a_meeting_after_the_deadline_counts_as_late_not_by_day_30() {
        let problem = problem();
        let mut roster = roster();
        // A clock started on 10 Nov has its deadline on Thu 10 Dec, before the horizon.
        let mut late_problem = problem.clone();
        late_problem.cases[0].clock_start = d("2026-11-10");
        roster.meetings.truncate(1);
        let k = kpis(&late_problem, &roster).overall;
        assert_eq!((k.held, k.late, k.held_by_day_30), (1, 1, 0));
    }

    #[test]
    fn carried_over_cases_are_counted_apart_from_unscheduled() {
        let mut roster = roster();
        let u = roster.unscheduled.pop().unwrap();
        roster.carried_over.push(CarriedOverCase {
            case: u.case,
            deadline: u.deadline,
            primary_reason: u.primary_reason,
            reasons: u.reasons,
        });
        let k = kpis(&problem(), &roster).overall;
        assert_eq!((k.unscheduled, k.carried_over), (0, 1));
    }

    #[test]
    fn a_full_day_counts_as_two_sessions_towards_utilisation() {
        let m = kpis(&problem(), &roster()).mediators;
        assert_eq!(m[0].mediator, "M-1");
        assert_eq!((m[0].meetings, m[0].sessions), (2, 3));
        // Weekly cap 3 over one ISO week.
        assert_eq!(m[0].capacity, 3);
        assert_eq!(m[0].utilisation, Some(1.0));
        // Daily cap 1 over five working days.
        assert_eq!((m[1].sessions, m[1].capacity), (1, 5));
        assert_eq!(m[1].utilisation, Some(0.2));
    }

    #[test]
    fn meetings_naming_unknown_ids_and_repeated_cases_are_skipped() {
        let mut roster = roster();
        roster
            .meetings
            .push(meeting("C-9", "M-1", "2026-12-17", "AM", None));
        roster
            .meetings
            .push(meeting("C-1", "M-2", "2026-12-17", "AM", None));
        let k = kpis(&problem(), &roster);
        assert_eq!(k.overall.held, 3);
        assert_eq!(k.mediators[1].meetings, 1);
    }

    #[test]
    fn an_empty_roster_has_no_means() {
        let k = kpis(&problem(), &Roster::default()).overall;
        assert_eq!(k.held, 0);
        assert_eq!(k.mean_days_to_meeting, None);
        assert_eq!(k.family_travel_km_mean, None);
    }
}
