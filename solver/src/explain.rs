//! Why a case was not held (or not held by its day 30): reason codes with counts.
//!
//! The explanation walks the same rule stages as the candidate filter, in the same order,
//! and counts what each rule ruled out: mediators (case data, coverage, impartiality), days and
//! sessions (working day, notice, session length, parties), mediator-sessions
//! (accreditation, availability, language) and places (mode, needs, travel, opening). When
//! options survive every rule, they are all occupied by other meetings of the roster:
//! `capacity_taken`, broken down by what occupies them. The checker confirms each claim on
//! its own.

use std::collections::BTreeMap;

use crate::model::{CaseIdx, DayIdx, MediatorIdx, Mode, Problem, TemplateIdx};
use crate::roster::{Reason, AFTER_DEADLINE, CAPACITY_TAKEN};
use crate::rules::{self, Placement, Rule, Site};

pub use crate::rules::Occupancy;

/// Why a case has no place in the roster, or no place by its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The code that settles it (see [`crate::roster::UnscheduledCase::primary_reason`]).
    pub primary: String,
    pub reasons: Vec<Reason>,
    /// Options that pass every rule and fit beside the roster (should be none).
    pub placeable: Vec<Placement>,
}

#[derive(Default)]
struct Tally {
    counts: Vec<(String, u32, String)>,
    /// The latest rule of the current stage (in stage order) that ruled anything out.
    stage_last: Option<String>,
    /// The rule that removed the last options, at the first stage left with none.
    primary: Option<String>,
}

impl Tally {
    fn note(
        &mut self,
        problem: &Problem,
        case_idx: CaseIdx,
        counts: &BTreeMap<Rule, u32>,
        order: &[Rule],
    ) {
        for rule in order {
            let n = counts.get(rule).copied().unwrap_or(0);
            self.add(rule.code(), |n| message(problem, case_idx, *rule, n), n);
            if n > 0 {
                self.stage_last = Some(rule.code().to_string());
            }
        }
    }

    /// Ends a stage; when it left nothing, its last rule becomes the primary reason
    /// (unless an earlier stage already emptied).
    fn close_stage(&mut self, exhausted: bool, fallback: Rule) {
        let last = self.stage_last.take();
        if exhausted && self.primary.is_none() {
            self.primary = Some(last.unwrap_or_else(|| fallback.code().to_string()));
        }
    }

    fn add(&mut self, code: &str, message: impl FnOnce(u32) -> String, n: u32) {
        if n > 0 {
            self.counts.push((code.to_string(), n, message(n)));
        }
    }
}

fn count_by<T>(items: &[T], mut rule_of: impl FnMut(&T) -> Option<Rule>) -> BTreeMap<Rule, u32> {
    let mut counts = BTreeMap::new();
    for item in items {
        if let Some(rule) = rule_of(item) {
            *counts.entry(rule).or_default() += 1;
        }
    }
    counts
}

/// Explains case `case_idx` against the roster's `occupancy` (which must not contain the
/// case's own meeting). With `by_deadline`, only days up to the case's deadline count:
/// that explains why a late meeting could not be on time.
pub fn explain(
    problem: &Problem,
    case_idx: CaseIdx,
    occupancy: &Occupancy,
    by_deadline: bool,
) -> Explanation {
    let case = &problem.cases[case_idx];
    let deadline = rules::deadline(problem, case);
    let mut tally = Tally::default();

    // Stage 1: mediators.
    let mediators: Vec<MediatorIdx> = (0..problem.mediators.len()).collect();
    let counts = count_by(&mediators, |&m| {
        rules::mediator_rule(&problem.mediators[m], case)
    });
    tally.note(problem, case_idx, &counts, rules::MEDIATOR_STAGE);
    let mediators: Vec<MediatorIdx> = mediators
        .into_iter()
        .filter(|&m| rules::mediator_rule(&problem.mediators[m], case).is_none())
        .collect();
    // With no mediator at all, the stage's first rule the case breaks on its own
    // (`case_data`), or else `coverage`.
    let stage_default =
        rules::first_broken(problem, rules::MEDIATOR_STAGE, &rules::Facts::of(case))
            .unwrap_or(Rule::Coverage);
    tally.close_stage(mediators.is_empty(), stage_default);

    // Stage 2: days and sessions of the case itself.
    let days: Vec<DayIdx> = (0..problem.horizon.days.len()).collect();
    let counts = count_by(&days, |&d| rules::day_rule(problem, case, d));
    tally.note(problem, case_idx, &counts, rules::DAY_STAGE);
    let open_days: Vec<DayIdx> = days
        .into_iter()
        .filter(|&d| rules::day_rule(problem, case, d).is_none())
        .collect();
    tally.close_stage(open_days.is_empty(), Rule::WithinHorizon);
    let all_pairs: Vec<(DayIdx, TemplateIdx)> = open_days
        .iter()
        .flat_map(|&d| (0..problem.templates.len()).map(move |t| (d, t)))
        .collect();
    let counts = count_by(&all_pairs, |&(d, t)| {
        rules::session_rule(problem, case, d, t)
    });
    // The same pairs `candidates::case_slots` gives, without re-running the day rules.
    let mut slots: Vec<(DayIdx, TemplateIdx)> = all_pairs
        .into_iter()
        .filter(|&(d, t)| rules::session_rule(problem, case, d, t).is_none())
        .collect();
    tally.note(problem, case_idx, &counts, rules::SESSION_STAGE);
    if by_deadline {
        let before = slots.len();
        slots.retain(|&(d, _)| problem.horizon.days[d] <= deadline);
        let after = (before - slots.len()) as u32;
        tally.add(
            AFTER_DEADLINE,
            |n| format!("{n} possible session(s) fall after the deadline {deadline}"),
            after,
        );
        if after > 0 {
            tally.stage_last = Some(AFTER_DEADLINE.to_string());
        }
    }
    tally.close_stage(slots.is_empty(), Rule::SessionLength);

    // Stage 3: mediator-sessions.
    let pairs: Vec<(MediatorIdx, DayIdx, TemplateIdx)> = mediators
        .iter()
        .flat_map(|&m| slots.iter().map(move |&(d, t)| (m, d, t)))
        .collect();
    let slot_check = |&(m, d, t): &(MediatorIdx, DayIdx, TemplateIdx)| {
        rules::option_rule(problem, case, &problem.mediators[m], d, t)
    };
    let counts = count_by(&pairs, slot_check);
    tally.note(problem, case_idx, &counts, rules::MEDIATOR_SLOT_STAGE);
    let pairs: Vec<_> = pairs
        .into_iter()
        .filter(|p| slot_check(p).is_none())
        .collect();
    tally.close_stage(pairs.is_empty(), Rule::MediatorAvailable);

    // Stage 4: places.
    let sites: Vec<Site> = (0..problem.venues.len())
        .map(Site::Venue)
        .chain([Site::Remote(Mode::Video), Site::Remote(Mode::Phone)])
        .collect();
    let static_counts = count_by(&sites, |&s| rules::place_rule(problem, case, s));
    let open_sites: Vec<Site> = sites
        .into_iter()
        .filter(|&s| rules::place_rule(problem, case, s).is_none())
        .collect();
    let venue_sessions: Vec<(Site, DayIdx, TemplateIdx)> = open_sites
        .iter()
        .filter(|s| matches!(s, Site::Venue(_)))
        .flat_map(|&s| slots.iter().map(move |&(d, t)| (s, d, t)))
        .collect();
    let mut site_counts = static_counts;
    for (rule, n) in count_by(&venue_sessions, |&(s, d, t)| {
        rules::site_rule(problem, case, s, d, t)
    }) {
        *site_counts.entry(rule).or_default() += n;
    }
    tally.note(problem, case_idx, &site_counts, rules::SITE_STAGE);

    // Options passing every rule: are they all occupied?
    let mut blocked: BTreeMap<Rule, u32> = BTreeMap::new();
    let mut placeable = Vec::new();
    let mut feasible = 0u32;
    for &(m, d, t) in &pairs {
        for &site in &open_sites {
            if rules::site_rule(problem, case, site, d, t).is_some() {
                continue;
            }
            feasible += 1;
            let mut p = Placement {
                case: case_idx,
                mediator: m,
                day: d,
                template: t,
                site,
                interpreter: None,
            };
            let rule = occupancy.blocking_rule(problem, &p).or_else(|| {
                if rules::language_met(problem, case, &problem.mediators[m], None, d, t) {
                    return None;
                }
                match occupancy.free_interpreter(problem, case_idx, d, t) {
                    Some(i) => {
                        p.interpreter = Some(i);
                        None
                    }
                    None => Some(Rule::InterpreterOverlap),
                }
            });
            match rule {
                Some(rule) => *blocked.entry(rule).or_default() += 1,
                None => placeable.push(p),
            }
        }
    }
    let occupied = feasible - placeable.len() as u32;
    if feasible > 0 {
        let detail: Vec<String> = blocked
            .iter()
            .map(|(rule, n)| format!("{} {n}", rule.code()))
            .collect();
        tally.add(
            CAPACITY_TAKEN,
            |n| {
                format!(
                    "{n} option(s) satisfy every rule but other meetings occupy them ({})",
                    detail.join(", ")
                )
            },
            occupied,
        );
    }
    tally.close_stage(feasible == 0, Rule::VenueAvailable);
    let primary = if feasible > 0 {
        CAPACITY_TAKEN.to_string()
    } else {
        tally
            .primary
            .clone()
            .unwrap_or_else(|| Rule::WithinHorizon.code().to_string())
    };
    Explanation {
        primary,
        reasons: tally
            .counts
            .into_iter()
            .map(|(code, count, message)| Reason {
                code,
                count,
                message,
            })
            .collect(),
        placeable,
    }
}

fn message(problem: &Problem, case_idx: CaseIdx, rule: Rule, n: u32) -> String {
    let case = &problem.cases[case_idx];
    match rule {
        Rule::CaseData => format!(
            "{n} mediator(s) may not hold the case: its data has a problem (validation warning {}), so it is not held until the data is corrected",
            case.data_problem.unwrap_or("of the case")
        ),
        Rule::Coverage => format!("{n} mediator(s) do not cover the case's LA ({})", case.la),
        Rule::Impartiality => format!(
            "{n} covering mediator(s) are conflicted with, or employed by, a party to the case"
        ),
        Rule::WithinHorizon => format!("{n} day(s) lie outside the roster"),
        Rule::WorkingDay => format!("{n} day(s) are weekends or bank holidays"),
        Rule::Notice => format!(
            "{n} day(s) fall inside the notice period (earliest date {})",
            rules::earliest_meeting_date(problem, case)
        ),
        Rule::SessionLength => format!("{n} session(s) do not match the case's duration"),
        Rule::PartiesAvailable => format!("{n} session(s) have a required party unavailable"),
        Rule::Accreditation => format!(
            "{n} mediator-session(s) fall after the mediator's accreditation, register, insurance or DBS lapses"
        ),
        Rule::MediatorAvailable => {
            format!("{n} mediator-session(s) have the mediator unavailable")
        }
        Rule::Language => format!(
            "{n} mediator-session(s) have no {} speaker and no interpreter available",
            case.needs.language.as_deref().unwrap_or("language")
        ),
        Rule::ModeAccepted => format!("{n} place(s) or mode(s) the family does not accept"),
        Rule::VenueNeeds => format!("{n} venue(s) lack the rooms or access the case needs"),
        Rule::FamilyTravel => format!(
            "{n} venue(s) are beyond the family's travel limit of {} km",
            problem.travel.max_family_travel_km
        ),
        Rule::VenueAvailable => format!("{n} venue-session(s) are closed"),
        other => format!("{n} option(s) break: {}", other.description()),
    }
}
