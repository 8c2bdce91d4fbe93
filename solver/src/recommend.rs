//! "When can we hold this one?": the best options for one case beside a roster whose
//! meetings stay where they are.
//!
//! The options are the case's candidates ([`candidates::for_case`]: every option breaking
//! no single-meeting rule), less those the roster's meetings block
//! ([`Occupancy::blocking_rule`]) and those needing an interpreter when none is free
//! ([`Occupancy::free_interpreter`]). No rule is written here. Each option costs what it
//! would add to the roster's objective: its placement cost plus the fairness steps its
//! session units add to the mediator's load. Options are ranked by cost, then by date,
//! session, mediator id and venue id, so equal costs always come out in the same order.
//!
//! Late options (after the case's day 30) are offered only when no on-time option fits:
//! the checker rejects a late meeting that could have been held on time
//! (`late_case_could_be_earlier`), and such an option is never what a coordinator wants.
//!
//! ```
//! use mediation_solver::{candidates::Weights, milp::SolveOptions, recommend, schedule, validate};
//!
//! let json = include_str!("../../fixtures/week-2026-12-07.json");
//! let problem = validate::parse_problem(json).unwrap().problem;
//! let mut roster = schedule::schedule(&problem, &SolveOptions::default()).unwrap().roster;
//! let case = roster.meetings.remove(0).case;
//! let found = recommend::recommend(&problem, &roster, &case, 3, &Weights::default()).unwrap();
//! assert_eq!(found.options[0].rank, 1);
//! assert!(found.options.len() <= 3);
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::candidates::{self, PlacementTerms, WeightError, Weights};
use crate::checker;
use crate::explain::{explain, Occupancy};
use crate::model::{MediatorIdx, Mode, Problem};
use crate::roster::{Reason, Roster};
use crate::rules::{self, Placement, Rule, Site};
use crate::schedule::placements_of;

/// The most options one call returns; a larger `n` is capped to it.
pub const MAX_OPTIONS: usize = 50;

/// Name of the fairness term in [`Recommendation::breakdown`] (the other names come from
/// [`PlacementTerms::named`]).
pub const FAIRNESS_TERM: &str = "fairness";

/// The best ways to hold one case beside a roster.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Recommendations {
    /// The case reference.
    pub case: String,
    /// Best first, at most `n`.
    pub options: Vec<Recommendation>,
    /// Options breaking no single-meeting rule, before the roster's meetings are considered.
    pub considered: usize,
    /// Of those, how many fit beside the roster's meetings (an interpreter free when one is
    /// needed). Late ones are counted even when on-time ones keep them out of `options`.
    pub free: usize,
    /// When `options` is empty, why: the reasons a roster gives for a case it cannot hold.
    #[serde(default)]
    pub reasons: Vec<Reason>,
}

/// One way to hold the case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Recommendation {
    /// 1-based position, best first.
    pub rank: usize,
    /// Mediator id.
    pub mediator: String,
    pub date: NaiveDate,
    /// Session template id.
    pub session: String,
    pub mode: Mode,
    /// Venue id for an in-person meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// Interpreter id when one must be booked for the case's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    /// After the case's day 30.
    pub late: bool,
    /// Objective units: the placement cost plus the mediator's marginal fairness steps.
    pub cost: i64,
    /// Every non-zero term of `cost`, in objective tier order; they sum to `cost`.
    pub breakdown: Vec<CostTerm>,
    /// One sentence: what sets this option apart from option 1.
    pub why: String,
}

/// One term of an option's cost.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CostTerm {
    /// Stable snake_case name: `late`, `mode_not_preferred`, `urgency`, `family_travel`,
    /// `mediator_travel`, `outside_preference`, `interpreter`, `fairness` or `venue_cost`.
    pub term: String,
    pub units: i64,
}

/// Why no recommendation could be made.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum RecommendError {
    /// No case of the problem has this reference.
    #[error("case_ref: the problem has no case `{0}`")]
    UnknownCase(String),
    /// The case already has a meeting in the roster: move it instead, or remove it first.
    #[error("case_ref: `{0}` already has a meeting in the roster; remove it to look for another")]
    CaseAlreadyInRoster(String),
    /// The roster's meetings name something unknown or break a hard rule.
    #[error("roster{field}: {message} ({code}); {count} violation(s) in all")]
    InvalidRoster {
        /// JSON pointer into the roster of the first offending value, e.g. `/meetings/3/mediator`.
        field: String,
        /// The [`Rule::code`] it breaks.
        code: String,
        message: String,
        /// How many hard-rule violations the roster's meetings have.
        count: usize,
    },
    /// `n` must be at least 1 (values above [`MAX_OPTIONS`] are capped).
    #[error("n: must be between 1 and {MAX_OPTIONS} (got {0})")]
    InvalidN(usize),
    /// A weight outside 0 to [`crate::candidates::MAX_WEIGHT`].
    #[error("weights/{field}: {error}")]
    InvalidWeight {
        /// The weight's field name, e.g. `family_km`.
        field: &'static str,
        error: WeightError,
    },
}

impl RecommendError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RecommendError::UnknownCase(_) => "unknown_case",
            RecommendError::CaseAlreadyInRoster(_) => "case_already_scheduled",
            RecommendError::InvalidRoster { .. } => "invalid_roster",
            RecommendError::InvalidN(_) => "invalid_n",
            RecommendError::InvalidWeight { .. } => "invalid_weight",
        }
    }
}

/// The best `n` options (at most [`MAX_OPTIONS`]) to hold case `case_ref` beside the
/// meetings of `roster`, which are never moved. The roster's unscheduled and carried-over
/// lists are not read.
pub fn recommend(
    problem: &Problem,
    roster: &Roster,
    case_ref: &str,
    n: usize,
    weights: &Weights,
) -> Result<Recommendations, RecommendError> {
    if n == 0 {
        return Err(RecommendError::InvalidN(n));
    }
    if let Some((field, error)) = weights.refused().into_iter().next() {
        return Err(RecommendError::InvalidWeight { field, error });
    }
    let n = n.min(MAX_OPTIONS);
    let case_idx = *problem
        .index
        .case
        .get(case_ref)
        .ok_or_else(|| RecommendError::UnknownCase(case_ref.to_string()))?;
    check_meetings(problem, roster)?;
    if roster.meetings.iter().any(|m| m.case == case_ref) {
        return Err(RecommendError::CaseAlreadyInRoster(case_ref.to_string()));
    }

    let placements = placements_of(problem, roster);
    let occupancy = Occupancy::new(problem, &placements);
    let mut load = vec![0u32; problem.mediators.len()];
    for p in &placements {
        load[p.mediator] += problem.templates[p.template].session_units();
    }

    let found = candidates::for_case(problem, case_idx, weights);
    let considered = found.len();
    let mut fitting: Vec<Scored> = found
        .iter()
        .filter_map(|c| {
            let mut placement = Placement {
                case: c.case,
                mediator: c.mediator,
                day: c.day,
                template: c.template,
                site: c.site,
                interpreter: None,
            };
            if occupancy.blocking_rule(problem, &placement).is_some() {
                return None;
            }
            if c.needs_interpreter {
                placement.interpreter =
                    Some(occupancy.free_interpreter(problem, c.case, c.day, c.template)?);
            }
            let units = problem.templates[c.template].session_units();
            let fairness = fairness_marginal(problem, weights, c.mediator, load[c.mediator], units);
            let terms = candidates::placement_terms(
                problem,
                c.case,
                placement.booking(),
                c.needs_interpreter,
                weights,
            );
            Some(Scored {
                placement,
                terms,
                fairness,
                cost: c.cost + fairness,
                late: c.late,
            })
        })
        .collect();
    let free = fitting.len();
    if fitting.iter().any(|s| !s.late) {
        fitting.retain(|s| !s.late);
    }
    fitting.sort_by_cached_key(|s| rank_key(problem, s));
    fitting.truncate(n);

    let reasons = if fitting.is_empty() {
        explain(problem, case_idx, &occupancy, false).reasons
    } else {
        Vec::new()
    };
    let options = fitting
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let why = why(problem, &load, &fitting[0], s, i == 0);
            recommendation(problem, i + 1, s, why)
        })
        .collect();
    Ok(Recommendations {
        case: case_ref.to_string(),
        options,
        considered,
        free,
        reasons,
    })
}

/// An option that fits, with its cost split into terms.
#[derive(Debug, Clone)]
struct Scored {
    placement: Placement,
    terms: PlacementTerms,
    fairness: i64,
    cost: i64,
    late: bool,
}

impl Scored {
    /// Every term, fairness included, in tier order (fairness sits before venue cost).
    fn named(&self) -> Vec<(&'static str, i64)> {
        let mut named = self.terms.named().to_vec();
        let at = named.len() - 1;
        named.insert(at, (FAIRNESS_TERM, self.fairness));
        named
    }
}

/// Cost, then date, session (start, then id), mediator id, venue id and mode.
fn rank_key(problem: &Problem, s: &Scored) -> impl Ord {
    let p = &s.placement;
    let template = &problem.templates[p.template];
    (
        s.cost,
        p.day,
        template.start,
        template.id.clone(),
        problem.mediators[p.mediator].id.clone(),
        p.site.venue().map(|v| problem.venues[v].id.clone()),
        p.site.mode(),
    )
}

/// What `units` more session units cost in fairness for mediator `m`, already holding
/// `load`: the same steps [`candidates::roster_cost`] charges.
fn fairness_marginal(problem: &Problem, w: &Weights, m: MediatorIdx, load: u32, units: u32) -> i64 {
    let capacity = problem.horizon_capacity(m).max(1);
    (load.saturating_add(1)..=load.saturating_add(units))
        .map(|k| candidates::fairness_step_cost(w, k, capacity))
        .sum()
}

fn recommendation(problem: &Problem, rank: usize, s: &Scored, why: String) -> Recommendation {
    let p = &s.placement;
    Recommendation {
        rank,
        mediator: problem.mediators[p.mediator].id.clone(),
        date: problem.horizon.days[p.day],
        session: problem.templates[p.template].id.clone(),
        mode: p.site.mode(),
        venue: p.site.venue().map(|v| problem.venues[v].id.clone()),
        interpreter: p.interpreter.map(|i| problem.interpreters[i].id.clone()),
        late: s.late,
        cost: s.cost,
        breakdown: s
            .named()
            .into_iter()
            .filter(|(_, units)| *units != 0)
            .map(|(term, units)| CostTerm {
                term: term.to_string(),
                units,
            })
            .collect(),
        why,
    }
}

/// The roster's meetings must resolve and break no hard rule, or nothing placed beside
/// them can be trusted. The checker decides; its completeness and optimality findings
/// (cases missing, reasons, late meetings that could be earlier) are not about the
/// meetings and are ignored.
fn check_meetings(problem: &Problem, roster: &Roster) -> Result<(), RecommendError> {
    let meetings_only = Roster {
        meetings: roster.meetings.clone(),
        ..Roster::default()
    };
    let report = checker::check(problem, &meetings_only);
    let hard: Vec<&checker::Violation> = report
        .violations
        .iter()
        .filter(|v| rule_of(&v.code).is_some())
        .collect();
    let Some(first) = hard.first() else {
        return Ok(());
    };
    Err(RecommendError::InvalidRoster {
        field: field_of(problem, roster, first),
        code: first.code.clone(),
        message: first.message.clone(),
        count: hard.len(),
    })
}

fn rule_of(code: &str) -> Option<Rule> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

/// JSON pointer into the roster of the value a violation is about.
fn field_of(problem: &Problem, roster: &Roster, v: &checker::Violation) -> String {
    let Some(i) = v.meeting.or_else(|| {
        // A case held twice is reported on the case: point at its second meeting.
        let case = v.case.as_deref()?;
        let mut indices = roster.meetings.iter().enumerate();
        indices.find(|(_, m)| m.case == case)?;
        indices.find(|(_, m)| m.case == case).map(|(i, _)| i)
    }) else {
        return "/meetings".to_string();
    };
    let Some(m) = roster.meetings.get(i) else {
        return "/meetings".to_string();
    };
    let index = &problem.index;
    let name = match rule_of(&v.code) {
        Some(Rule::UnknownReference) => {
            let unknown = |map: &std::collections::HashMap<String, usize>, id: Option<&String>| {
                id.is_some_and(|id| !map.contains_key(id))
            };
            [
                ("case", unknown(&index.case, Some(&m.case))),
                ("mediator", unknown(&index.mediator, Some(&m.mediator))),
                ("session", unknown(&index.template, Some(&m.session))),
                ("venue", unknown(&index.venue, m.venue.as_ref())),
                (
                    "interpreter",
                    unknown(&index.interpreter, m.interpreter.as_ref()),
                ),
            ]
            .into_iter()
            .find(|(_, bad)| *bad)
            .map(|(name, _)| name)
        }
        Some(Rule::CaseOnce | Rule::CaseData) => Some("case"),
        Some(Rule::WithinHorizon | Rule::WorkingDay | Rule::Notice) => Some("date"),
        Some(Rule::VenueMatchesMode) => Some("venue"),
        Some(Rule::SessionLength) => Some("session"),
        _ => None,
    };
    match name {
        Some(name) => format!("/meetings/{i}/{name}"),
        None => format!("/meetings/{i}"),
    }
}

// ---------------------------------------------------------------------------------------
// Why an option ranks where it does
// ---------------------------------------------------------------------------------------

/// One sentence: for option 1 what makes it good, for the others how they compare with it.
fn why(problem: &Problem, load: &[u32], best: &Scored, this: &Scored, is_best: bool) -> String {
    let case = &problem.cases[this.placement.case];
    if is_best {
        let p = &this.placement;
        let mut facts = Vec::new();
        if this.late {
            let days = days_late(problem, this);
            facts.push(format!(
                "{days} day(s) after day 30, as nothing earlier fits"
            ));
        } else {
            facts.push("on time".to_string());
        }
        if p.site.mode() == case.preferred_mode {
            facts.push(format!(
                "{} as the family prefers",
                mode_words(p.site.mode())
            ));
        } else {
            facts.push(format!(
                "{} (the family prefers {})",
                mode_words(p.site.mode()),
                mode_words(case.preferred_mode)
            ));
        }
        if p.site.venue().is_some() {
            facts.push(format!(
                "{:.1} km family travel",
                family_km(problem, &this.placement)
            ));
        }
        if p.interpreter.is_some() {
            facts.push("an interpreter to book".to_string());
        }
        return format!("Cheapest option: {}.", facts.join(", "));
    }
    let diff = this.cost - best.cost;
    let mut deltas: Vec<(&'static str, i64)> = this
        .named()
        .into_iter()
        .zip(best.named())
        .map(|((term, a), (_, b))| (term, a - b))
        .filter(|(_, d)| *d != 0)
        .collect();
    if diff == 0 && deltas.is_empty() {
        return "Same cost as option 1; listed after it by date, session, mediator and venue."
            .to_string();
    }
    deltas.sort_by_key(|(term, d)| (std::cmp::Reverse(d.abs()), *term));
    let describe = |worse: bool| -> Vec<String> {
        deltas
            .iter()
            .filter(|(_, d)| (*d > 0) == worse)
            .take(3)
            .map(|(term, d)| describe_delta(problem, load, best, this, term, *d))
            .collect()
    };
    let (more, less) = (describe(true), describe(false));
    let mut sentence = if diff > 0 {
        format!("Costs {diff} more than option 1")
    } else {
        "Same cost as option 1".to_string()
    };
    if !more.is_empty() {
        sentence.push_str(": ");
        sentence.push_str(&more.join("; "));
    }
    if !less.is_empty() {
        sentence.push_str(if more.is_empty() {
            ": "
        } else {
            ", offset by "
        });
        sentence.push_str(&less.join("; "));
    }
    sentence.push('.');
    sentence
}

/// How `this` differs from `best` in one term (`delta` units, positive when dearer).
fn describe_delta(
    problem: &Problem,
    load: &[u32],
    best: &Scored,
    this: &Scored,
    term: &str,
    delta: i64,
) -> String {
    let case = &problem.cases[this.placement.case];
    let worse = delta > 0;
    let more_less = if worse { "more" } else { "less" };
    match term {
        "late" => {
            let days = days_late(problem, this) - days_late(problem, best);
            if !best.late {
                format!("{days} day(s) after day 30")
            } else if this.late {
                format!("{} {} day(s) late", days.abs(), more_or_fewer(worse))
            } else {
                "on time".to_string()
            }
        }
        "urgency" => {
            let days = (problem.horizon.days[this.placement.day]
                - problem.horizon.days[best.placement.day])
                .num_days();
            if days >= 0 {
                format!("{days} day(s) later than option 1")
            } else {
                format!("{} day(s) earlier", -days)
            }
        }
        "mode_not_preferred" => {
            if worse {
                format!(
                    "{} rather than the preferred {}",
                    mode_words(this.placement.site.mode()),
                    mode_words(case.preferred_mode)
                )
            } else {
                format!("the preferred {}", mode_words(case.preferred_mode))
            }
        }
        "family_travel" => format!(
            "{:.1} km {more_less} family travel",
            (family_km(problem, &this.placement) - family_km(problem, &best.placement)).abs()
        ),
        "mediator_travel" => format!(
            "{:.1} km {more_less} mediator travel",
            (mediator_km(problem, &this.placement) - mediator_km(problem, &best.placement)).abs()
        ),
        "outside_preference" => {
            if worse {
                "outside the family's preferred areas and venues".to_string()
            } else {
                "within the family's preferred areas and venues".to_string()
            }
        }
        "interpreter" => {
            if worse {
                "an interpreter to book".to_string()
            } else {
                "no interpreter needed".to_string()
            }
        }
        FAIRNESS_TERM => {
            let m = this.placement.mediator;
            let units = problem.templates[this.placement.template].session_units();
            format!(
                "a {} share of the mediator's capacity ({} would hold {} of {} session(s))",
                if worse { "larger" } else { "smaller" },
                problem.mediators[m].id,
                load[m].saturating_add(units),
                problem.horizon_capacity(m)
            )
        }
        "venue_cost" => format!(
            "£{:.0} {more_less} venue cost",
            (venue_pounds(problem, &this.placement) - venue_pounds(problem, &best.placement)).abs()
        ),
        other => format!("{delta:+} {other}"),
    }
}

fn more_or_fewer(more: bool) -> &'static str {
    if more {
        "more"
    } else {
        "fewer"
    }
}

fn venue_pounds(problem: &Problem, p: &Placement) -> f64 {
    p.site
        .venue()
        .map_or(0.0, |v| problem.venues[v].cost_per_session)
}

fn days_late(problem: &Problem, s: &Scored) -> i64 {
    let case = &problem.cases[s.placement.case];
    let date = problem.horizon.days[s.placement.day];
    (date - rules::deadline(problem, case)).num_days().max(0)
}

fn mode_words(mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => "in person",
        Mode::Video => "video",
        Mode::Phone => "phone",
    }
}

fn family_km(problem: &Problem, p: &Placement) -> f64 {
    match p.site {
        Site::Venue(v) => {
            rules::family_travel_km(problem, &problem.cases[p.case], &problem.venues[v])
        }
        Site::Remote(_) => 0.0,
    }
}

fn mediator_km(problem: &Problem, p: &Placement) -> f64 {
    match p.site {
        Site::Venue(v) => {
            rules::mediator_travel_km(problem, &problem.mediators[p.mediator], &problem.venues[v])
        }
        Site::Remote(_) => 0.0,
    }
}
