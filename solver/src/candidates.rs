//! Candidate meetings: every (case, mediator, date, session, place) that breaks no
//! single-meeting hard rule, with its objective cost.
//!
//! No variable is ever created for a combination a rule forbids: the filter walks the rule
//! stages of [`crate::rules`] from the cheapest (the mediator alone) to the dearest (the
//! place), so most combinations are never looked at. Cases are independent, so they are
//! generated in parallel with rayon.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{Booking, Case, CaseIdx, DayIdx, MediatorIdx, Mode, Problem, TemplateIdx};
use crate::rules::{self, Site};

/// Objective weights: the solver minimises the total cost. Tiers are enforced by magnitude;
/// the defaults keep each tier above everything a single case can gain in the tiers below it
/// on horizons of up to four weeks (see `docs/objective.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Tier 1: each case not held by its day 30 (late or not held at all).
    pub missed_day_30: i64,
    /// Tier 2: a case that must meet within the horizon and is not held at all.
    pub not_held: i64,
    /// Tier 2: each calendar day a late meeting falls after the deadline.
    pub late_per_day: i64,
    /// A case whose deadline lies after the horizon and is not held now (carried over).
    pub carried_over: i64,
    /// Tier 3: a mode the family accepts but did not prefer.
    pub mode_not_preferred: i64,
    /// Tier 4: per day from the horizon's first day, times the case's urgency (1 to 31).
    pub urgency_per_day: i64,
    /// Tier 5: per road km the family travels to the venue.
    pub family_km: i64,
    /// Tier 5: per road km the mediator travels from home to the venue.
    pub mediator_km: i64,
    /// Tier 5: a venue outside the family's preferred areas or venues, when they gave any.
    pub outside_preference: i64,
    /// Tier 5: booking an interpreter (rather than a mediator who speaks the language).
    pub interpreter: i64,
    /// Tier 6: fairness. The k-th session of a mediator whose capacity over the horizon is C
    /// costs `fairness × k / C`, which spreads work in proportion to capacity.
    pub fairness: i64,
    /// Tier 7: per pound of venue cost.
    pub venue_pound: i64,
    /// Re-planning: each published meeting moved (another mediator, date, session or
    /// place) or dropped. Between the tiers of "mode not preferred" and "not held": a
    /// published meeting is kept unless keeping it leaves another case unheld or late.
    pub change: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            missed_day_30: 1_000_000,
            not_held: 500_000,
            late_per_day: 1_000,
            carried_over: 300_000,
            mode_not_preferred: 20_000,
            urgency_per_day: 10,
            family_km: 10,
            mediator_km: 4,
            outside_preference: 300,
            interpreter: 200,
            fairness: 100,
            venue_pound: 1,
            change: 100_000,
        }
    }
}

/// The largest value any one weight may take. At this size a candidate's cost (a weight
/// times at most a few hundred days, km or urgency steps) and a whole roster's total stay
/// far inside `i64`; a larger weight is refused where weights enter (the API's `weights`
/// and `change_penalty`, a what-if `weights` change, the CLI's `--penalty`) instead of
/// overflowing in the objective.
pub const MAX_WEIGHT: i64 = 1_000_000_000;

/// Why a weight is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeightError {
    /// Weights are costs.
    #[error("must be zero or more (got {0})")]
    Negative(i64),
    /// Above [`MAX_WEIGHT`].
    #[error("must be at most {MAX_WEIGHT} (got {0})")]
    TooLarge(i64),
}

impl WeightError {
    /// The one rule for a weight's value: 0 to [`MAX_WEIGHT`].
    pub fn of(value: i64) -> Result<(), WeightError> {
        if value < 0 {
            Err(WeightError::Negative(value))
        } else if value > MAX_WEIGHT {
            Err(WeightError::TooLarge(value))
        } else {
            Ok(())
        }
    }
}

impl Weights {
    /// Every weight with its field name as it is spelled in JSON.
    pub fn named(&self) -> [(&'static str, i64); 13] {
        [
            ("missed_day_30", self.missed_day_30),
            ("not_held", self.not_held),
            ("late_per_day", self.late_per_day),
            ("carried_over", self.carried_over),
            ("mode_not_preferred", self.mode_not_preferred),
            ("urgency_per_day", self.urgency_per_day),
            ("family_km", self.family_km),
            ("mediator_km", self.mediator_km),
            ("outside_preference", self.outside_preference),
            ("interpreter", self.interpreter),
            ("fairness", self.fairness),
            ("venue_pound", self.venue_pound),
            ("change", self.change),
        ]
    }

    /// Every weight outside 0 to [`MAX_WEIGHT`], by field name, in field order.
    pub fn refused(&self) -> Vec<(&'static str, WeightError)> {
        self.named()
            .into_iter()
            .filter_map(|(name, value)| WeightError::of(value).err().map(|e| (name, e)))
            .collect()
    }
}

/// One way to hold one case, and what it costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub case: CaseIdx,
    pub mediator: MediatorIdx,
    pub day: DayIdx,
    pub template: TemplateIdx,
    pub site: Site,
    /// The mediator does not speak the case's language: an interpreter must be booked.
    pub needs_interpreter: bool,
    pub late: bool,
    /// Integer cost in objective units (fairness is added by the model, per mediator).
    pub cost: i64,
}

impl Candidate {
    /// Who holds it, when and where.
    pub fn booking(&self) -> Booking {
        Booking {
            mediator: self.mediator,
            day: self.day,
            template: self.template,
            site: self.site,
        }
    }

    /// Whether this is its case's published meeting (re-planning).
    pub fn is_published(&self, problem: &Problem) -> bool {
        problem.cases[self.case].published == Some(self.booking())
    }
}

/// What happens to a case that is not held in this horizon (dropping its published
/// meeting, when it has one, is a change). A case due within the horizon and not held
/// misses day 30, and will be held after the horizon at the earliest: late by at least the
/// days from its deadline to the horizon's end, plus one ([`days_late_if_not_held`]), each
/// costing `late_per_day` as a late meeting's would. So when two such cases compete for
/// the last session, the one whose lateness would be greater (the nearer deadline) is held.
pub fn not_held_cost(problem: &Problem, case: &Case, w: &Weights) -> i64 {
    let change = if case.published.is_some() {
        w.change
    } else {
        0
    };
    change
        + if can_carry_over(problem, case) {
            w.carried_over
        } else {
            w.missed_day_30 + w.not_held + w.late_per_day * days_late_if_not_held(problem, case)
        }
}

/// The fewest days a case due within the horizon will be late if it is not held in it:
/// the next roster starts the day after the horizon's end.
pub fn days_late_if_not_held(problem: &Problem, case: &Case) -> i64 {
    ((problem.horizon.end - rules::deadline(problem, case)).num_days() + 1).max(0)
}

/// A case whose last on-time meeting day lies after the horizon may wait for a later roster.
pub fn can_carry_over(problem: &Problem, case: &Case) -> bool {
    rules::deadline(problem, case) > problem.horizon.end
}

/// How pressing a case is: 31 when its deadline is the horizon's first day (or past), down
/// to 1 when it is 30 or more days away.
pub fn urgency(problem: &Problem, case: &Case) -> i64 {
    let days_left = (rules::deadline(problem, case) - problem.horizon.start).num_days();
    (31 - days_left).clamp(1, 31)
}

/// The terms of a placement's cost, each in objective units, before fairness (a
/// per-mediator term added by the model). [`placement_cost`] is their sum; recommendations
/// show them one by one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlacementTerms {
    /// Missing day 30, plus each day after it.
    pub late: i64,
    /// A mode the family accepts but did not prefer.
    pub mode_not_preferred: i64,
    /// Days from the horizon's first day, times the case's urgency.
    pub urgency: i64,
    /// Road km the family travels to the venue.
    pub family_travel: i64,
    /// Road km the mediator travels from home to the venue.
    pub mediator_travel: i64,
    /// A venue outside the family's preferred areas or venues, when they gave any.
    pub outside_preference: i64,
    /// Booking an interpreter.
    pub interpreter: i64,
    /// The venue's price per session.
    pub venue_cost: i64,
    /// Moving the case's published meeting (re-planning).
    pub change: i64,
    /// The mediator's own cost per session unit (hypothetical extra capacity).
    pub session_cost: i64,
}

impl PlacementTerms {
    /// Every term with its stable snake_case name, in objective tier order.
    pub fn named(&self) -> [(&'static str, i64); 10] {
        [
            ("session_cost", self.session_cost),
            ("change", self.change),
            ("late", self.late),
            ("mode_not_preferred", self.mode_not_preferred),
            ("urgency", self.urgency),
            ("family_travel", self.family_travel),
            ("mediator_travel", self.mediator_travel),
            ("outside_preference", self.outside_preference),
            ("interpreter", self.interpreter),
            ("venue_cost", self.venue_cost),
        ]
    }

    /// The placement's cost: the sum of its terms.
    pub fn total(&self) -> i64 {
        self.named().iter().map(|(_, units)| units).sum()
    }
}

/// The cost terms of holding `case` in this way, excluding fairness.
pub fn placement_terms(
    problem: &Problem,
    case_idx: CaseIdx,
    booking: Booking,
    needs_interpreter: bool,
    w: &Weights,
) -> PlacementTerms {
    let Booking {
        mediator,
        day,
        site,
        ..
    } = booking;
    let case = &problem.cases[case_idx];
    let date = problem.horizon.days[day];
    let mut terms = PlacementTerms::default();
    if rules::is_late(problem, case, date) {
        let days_late = (date - rules::deadline(problem, case)).num_days();
        terms.late = w.missed_day_30 + w.late_per_day * days_late;
    }
    if site.mode() != case.preferred_mode {
        terms.mode_not_preferred = w.mode_not_preferred;
    }
    terms.urgency = w.urgency_per_day * day as i64 * urgency(problem, case);
    if let Site::Venue(v) = site {
        let venue = &problem.venues[v];
        terms.family_travel =
            (w.family_km as f64 * rules::family_travel_km(problem, case, venue)).round() as i64;
        terms.mediator_travel = (w.mediator_km as f64
            * rules::mediator_travel_km(problem, &problem.mediators[mediator], venue))
        .round() as i64;
        let has_preference = !case.preferred_areas.is_empty() || !case.preferred_venues.is_empty();
        let preferred =
            case.preferred_areas.contains(&venue.area) || case.preferred_venues.contains(&v);
        if has_preference && !preferred {
            terms.outside_preference = w.outside_preference;
        }
        terms.venue_cost = (w.venue_pound as f64 * venue.cost_per_session).round() as i64;
    }
    if needs_interpreter {
        terms.interpreter = w.interpreter;
    }
    terms.session_cost = problem.mediators[mediator].session_cost
        * i64::from(problem.templates[booking.template].session_units());
    if case.published.is_some_and(|p| p != booking) {
        terms.change = w.change;
    }
    terms
}

/// The cost of holding `case` in this way, excluding fairness (a per-mediator term): the
/// sum of [`placement_terms`].
pub fn placement_cost(
    problem: &Problem,
    case_idx: CaseIdx,
    booking: Booking,
    needs_interpreter: bool,
    w: &Weights,
) -> i64 {
    placement_terms(problem, case_idx, booking, needs_interpreter, w).total()
}

/// The cost of a placement (an interpreter is booked exactly when it names one).
pub fn cost_of(problem: &Problem, p: &crate::rules::Placement, w: &Weights) -> i64 {
    placement_cost(problem, p.case, p.booking(), p.interpreter.is_some(), w)
}

/// The places a case could meet at, before dates are considered: every venue passing the
/// venue rules, then video and phone when accepted.
fn sites_for(problem: &Problem, case: &Case) -> Vec<Site> {
    (0..problem.venues.len())
        .map(Site::Venue)
        .chain([Site::Remote(Mode::Video), Site::Remote(Mode::Phone)])
        .filter(|&site| rules::place_rule(problem, case, site).is_none())
        .collect()
}

/// The (day, session) pairs on which the case itself could meet (date, notice, session
/// length, every required party free), optionally only up to `last_day`.
pub fn case_slots(problem: &Problem, case: &Case) -> Vec<(DayIdx, TemplateIdx)> {
    (0..problem.horizon.days.len())
        .filter(|&d| rules::day_rule(problem, case, d).is_none())
        .flat_map(|d| (0..problem.templates.len()).map(move |t| (d, t)))
        .filter(|&(d, t)| rules::session_rule(problem, case, d, t).is_none())
        .collect()
}

/// Every candidate of one case.
pub fn for_case(problem: &Problem, case_idx: CaseIdx, w: &Weights) -> Vec<Candidate> {
    let case = &problem.cases[case_idx];
    let slots = case_slots(problem, case);
    let sites = sites_for(problem, case);
    let mut out = Vec::new();
    if slots.is_empty() || sites.is_empty() {
        return out;
    }
    for (m, mediator) in problem.mediators.iter().enumerate() {
        if rules::mediator_rule(mediator, case).is_some() {
            continue;
        }
        let speaks = case
            .needs
            .language
            .as_deref()
            .is_none_or(|lang| rules::mediator_speaks(mediator, lang));
        for &(d, t) in &slots {
            if rules::option_rule(problem, case, mediator, d, t).is_some() {
                continue;
            }
            let late = rules::is_late(problem, case, problem.horizon.days[d]);
            for &site in &sites {
                if let Site::Venue(v) = site {
                    if !rules::venue_open(&problem.venues[v], d, t) {
                        continue;
                    }
                }
                out.push(Candidate {
                    case: case_idx,
                    mediator: m,
                    day: d,
                    template: t,
                    site,
                    needs_interpreter: !speaks,
                    late,
                    cost: placement_cost(
                        problem,
                        case_idx,
                        Booking {
                            mediator: m,
                            day: d,
                            template: t,
                            site,
                        },
                        !speaks,
                        w,
                    ),
                });
            }
        }
    }
    out
}

/// Every candidate of every case, cases in parallel, in a deterministic order.
pub fn generate(problem: &Problem, w: &Weights) -> Vec<Candidate> {
    generate_until(problem, w, &|| false).unwrap_or_default()
}

/// [`generate`], asking `stop` before each case: `None` as soon as it answers true (a
/// deadline passed or the solve was cancelled), so listing never runs on unbounded.
pub fn generate_until(
    problem: &Problem,
    w: &Weights,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Candidate>> {
    let per_case = (0..problem.cases.len())
        .into_par_iter()
        .map(|c| (!stop()).then(|| for_case(problem, c, w)))
        .collect::<Option<Vec<_>>>()?;
    // Sized once: collecting the flattened lists would reallocate the vector as it grows,
    // holding its old and new buffers beside the per-case lists (millions of candidates at
    // 2,000 cases).
    let mut all = Vec::with_capacity(per_case.iter().map(Vec::len).sum());
    for list in per_case {
        all.extend(list);
    }
    Some(all)
}

/// An upper bound on the number of candidates [`generate`] would list, found without
/// listing them: per case, every (mediator, day, session) that no mediator or slot rule
/// forbids, times the case's sites (venue opening hours and interpreters, which
/// [`for_case`] also checks, are ignored, so the count can only be high). Memory grows with
/// the candidates, so a caller compares this with its budget before solving.
pub fn estimate(problem: &Problem) -> u64 {
    (0..problem.cases.len())
        .into_par_iter()
        .map(|c| {
            let case = &problem.cases[c];
            let slots = case_slots(problem, case);
            let sites = sites_for(problem, case).len() as u64;
            if slots.is_empty() || sites == 0 {
                return 0;
            }
            let pairs: u64 = problem
                .mediators
                .iter()
                .filter(|m| rules::mediator_rule(m, case).is_none())
                .map(|m| {
                    slots
                        .iter()
                        .filter(|&&(d, t)| rules::mediator_slot_rule(problem, m, d, t).is_none())
                        .count() as u64
                })
                .sum();
            pairs * sites
        })
        .sum()
}

/// The cost of the `k`-th session (1-based) given to a mediator with `capacity` sessions
/// over the horizon: rising with `k`, so work spreads in proportion to capacity.
pub fn fairness_step_cost(w: &Weights, k: u32, capacity: u32) -> i64 {
    (w.fairness as f64 * k as f64 / capacity.max(1) as f64).round() as i64
}

/// The objective value of a set of meetings, computed directly (not from the MILP): the
/// cost of each case held or not, plus the fairness steps of each mediator's load.
pub fn roster_cost(problem: &Problem, placements: &[crate::rules::Placement], w: &Weights) -> i64 {
    let mut held = vec![false; problem.cases.len()];
    let mut load = vec![0u32; problem.mediators.len()];
    let mut cost = 0;
    for p in placements {
        held[p.case] = true;
        load[p.mediator] += problem.templates[p.template].session_units();
        cost += cost_of(problem, p, w);
    }
    for (c, case) in problem.cases.iter().enumerate() {
        if !held[c] {
            cost += not_held_cost(problem, case, w);
        }
    }
    for (m, &l) in load.iter().enumerate() {
        let capacity = problem.horizon_capacity(m).max(1);
        cost += (1..=l)
            .map(|k| fairness_step_cost(w, k, capacity))
            .sum::<i64>();
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_weight_is_named_as_json_spells_it() {
        let json = serde_json::to_value(Weights::default()).expect("weights serialise");
        let mut keys: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut named: Vec<&str> = Weights::default().named().iter().map(|(n, _)| *n).collect();
        named.sort_unstable();
        keys.sort_unstable();
        assert_eq!(named, keys);
        for (name, value) in Weights::default().named() {
            assert_eq!(json[name].as_i64(), Some(value), "{name}");
        }
    }

    #[test]
    fn a_weight_is_refused_below_zero_and_above_the_maximum_only() {
        assert_eq!(WeightError::of(0), Ok(()));
        assert_eq!(WeightError::of(MAX_WEIGHT), Ok(()));
        assert_eq!(WeightError::of(-1), Err(WeightError::Negative(-1)));
        assert_eq!(
            WeightError::of(MAX_WEIGHT + 1),
            Err(WeightError::TooLarge(MAX_WEIGHT + 1))
        );
        let w = Weights {
            fairness: -3,
            change: i64::MAX,
            ..Weights::default()
        };
        assert_eq!(
            w.refused(),
            vec![
                ("fairness", WeightError::Negative(-3)),
                ("change", WeightError::TooLarge(i64::MAX)),
            ]
        );
        assert!(Weights::default().refused().is_empty());
    }
}
