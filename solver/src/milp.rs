//! The MILP: one binary per candidate meeting, built with good_lp and solved by microlp
//! (pure Rust, the default) or HiGHS (cargo feature `highs`).
//!
//! The objective is integral (every coefficient is a whole number of units), so "optimal"
//! means proven with an absolute gap below one unit: the lowest tier is really optimised,
//! not hidden under the first tier's weight.
//!
//! Constraints, each from one hard rule between meetings:
//! - each case is held at most once;
//! - a mediator holds one meeting at a time (one clique per session start instant), within
//!   the per-day and per-ISO-week caps (a full day counts as two sessions);
//! - a venue's rooms are never over-booked (per overlapping session instant);
//! - two in-person meetings of one mediator on a day leave time to travel
//!   ([`crate::rules::travel_ok`]);
//! - an interpreter is booked for every meeting whose mediator lacks the language, and is at
//!   one meeting at a time.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use good_lp::{variable, Constraint, Expression, ProblemVariables, SolverModel, Variable};
use serde::{Deserialize, Serialize};

use crate::calendar::iso_week;
use crate::candidates::{self, Candidate, Weights};
use crate::model::{CaseIdx, DayIdx, InterpreterIdx, MediatorIdx, Problem, TemplateIdx};
use crate::rules::{self, Site};

/// Threads HiGHS may use. HiGHS keeps one task scheduler per process, sized by the first
/// solve: every solve in the process must ask for the same number, so it is a constant.
pub const HIGHS_THREADS: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// Pure-Rust microlp: builds anywhere with cargo alone.
    #[default]
    Microlp,
    /// HiGHS, when built with the `highs` feature.
    Highs,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Microlp => "microlp",
            Backend::Highs => "highs",
        }
    }

    /// Whether this build can use the backend.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Microlp => true,
            Backend::Highs => cfg!(feature = "highs"),
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = SolveError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "microlp" => Ok(Backend::Microlp),
            "highs" => Ok(Backend::Highs),
            other => Err(SolveError::UnknownBackend(other.to_string())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SolveOptions {
    pub backend: Backend,
    /// Wall-clock limit for the MILP solve, in seconds. Always passed to the backend.
    pub time_limit_secs: f64,
    /// Relative gap at which the search may stop early (0 proves optimality).
    pub mip_gap: f64,
    pub weights: Weights,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            backend: Backend::Microlp,
            time_limit_secs: 30.0,
            mip_gap: 0.0,
            weights: Weights::default(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SolveError {
    #[error("unknown backend `{0}`: use `microlp` or `highs`")]
    UnknownBackend(String),
    #[error("the `{0}` backend is not in this build: rebuild with `--features highs`")]
    BackendUnavailable(&'static str),
    #[error("the {backend} backend failed: {message}")]
    Backend {
        backend: &'static str,
        message: String,
    },
    #[error("the {backend} backend crashed internally: {message}")]
    BackendPanicked {
        backend: &'static str,
        message: String,
    },
    #[error("invalid solve option `{field}`: {message}")]
    InvalidOption {
        field: &'static str,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal: absolute gap below one objective unit.
    Optimal,
    /// Stopped at the requested relative gap.
    GapLimit,
    /// The time limit expired; the best roster found so far is returned.
    TimeLimit,
}

/// How the solve went: status, objective, bound, gap, time and model size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverSummary {
    pub backend: Backend,
    pub status: SolveStatus,
    /// Total cost of the roster, in objective units.
    pub objective: f64,
    /// Best proven lower bound on the cost, when the backend gives one.
    pub best_bound: Option<f64>,
    /// `objective − best_bound`.
    pub absolute_gap: Option<f64>,
    /// `(objective − best_bound) / |objective|`.
    pub relative_gap: Option<f64>,
    pub build_seconds: f64,
    pub solve_seconds: f64,
    pub candidates: usize,
    pub variables: usize,
    pub constraints: usize,
}

/// The solved model: which candidates were chosen and who interprets.
#[derive(Debug, Clone)]
pub struct MilpSolution {
    pub chosen: Vec<Candidate>,
    /// Interpreter booked for each chosen candidate that needs one (same order as `chosen`).
    pub interpreters: Vec<Option<InterpreterIdx>>,
    pub summary: SolverSummary,
}

/// Variables and constraints, ready for either backend.
struct Model {
    vars: ProblemVariables,
    objective: Expression,
    /// Constant part of the objective (the cost of holding no case), kept apart because
    /// backends drop constants.
    constant: f64,
    constraints: Vec<Constraint>,
    candidates: Vec<Candidate>,
    x: Vec<Variable>,
    /// Interpreter variables: (case, interpreter, day, template, variable).
    interpreter_vars: Vec<(CaseIdx, InterpreterIdx, DayIdx, TemplateIdx, Variable)>,
    n_vars: usize,
    /// Column index of each good_lp variable, in creation order.
    x_col: Vec<usize>,
    interpreter_col: Vec<usize>,
}

impl Model {
    fn add_binary(&mut self) -> (Variable, usize) {
        let v = self.vars.add(variable().binary());
        self.n_vars += 1;
        (v, self.n_vars - 1)
    }

    fn add_unit(&mut self) -> Variable {
        self.n_vars += 1;
        self.vars.add(variable().min(0).max(1))
    }
}

/// Builds and solves the roster MILP.
pub fn solve(problem: &Problem, options: &SolveOptions) -> Result<MilpSolution, SolveError> {
    validate_options(options)?;
    if !options.backend.is_available() {
        return Err(SolveError::BackendUnavailable(options.backend.as_str()));
    }
    let started = Instant::now();
    let candidates = candidates::generate(problem, &options.weights);
    let model = build(problem, candidates, &options.weights);
    let build_seconds = started.elapsed().as_secs_f64();
    let n_constraints = model.constraints.len();
    let n_vars = model.n_vars;
    let n_candidates = model.candidates.len();
    let constant = model.constant;

    let solve_started = Instant::now();
    let raw = match options.backend {
        // No candidate at all: holding nothing is the only roster (and HiGHS rejects an
        // empty model).
        _ if n_vars == 0 => RawSolution {
            status: SolveStatus::Optimal,
            objective: 0.0,
            best_bound: Some(0.0),
            chosen: Vec::new(),
            interpreters: Vec::new(),
        },
        Backend::Microlp => solve_microlp(model, options)?,
        Backend::Highs => solve_highs(model, options)?,
    };
    let solve_seconds = solve_started.elapsed().as_secs_f64();
    let objective = raw.objective + constant;
    let best_bound = raw
        .best_bound
        .map(|b| b + constant)
        .map(|b| b.min(objective));
    let absolute_gap = best_bound.map(|b| (objective - b).max(0.0));
    let status = match (raw.status, absolute_gap) {
        (_, Some(gap)) if gap < 1.0 => SolveStatus::Optimal,
        (SolveStatus::Optimal, _) => SolveStatus::Optimal,
        (other, _) => other,
    };
    let summary = SolverSummary {
        backend: options.backend,
        status,
        objective,
        best_bound,
        absolute_gap,
        relative_gap: absolute_gap.map(|g| g / objective.abs().max(1.0)),
        build_seconds,
        solve_seconds,
        candidates: n_candidates,
        variables: n_vars,
        constraints: n_constraints,
    };
    Ok(MilpSolution {
        chosen: raw.chosen,
        interpreters: raw.interpreters,
        summary,
    })
}

fn validate_options(options: &SolveOptions) -> Result<(), SolveError> {
    if !(options.time_limit_secs.is_finite() && options.time_limit_secs > 0.0) {
        return Err(SolveError::InvalidOption {
            field: "time_limit_secs",
            message: format!(
                "must be a positive number of seconds, got {}",
                options.time_limit_secs
            ),
        });
    }
    if !(options.mip_gap.is_finite() && (0.0..1.0).contains(&options.mip_gap)) {
        return Err(SolveError::InvalidOption {
            field: "mip_gap",
            message: format!("must be in [0, 1), got {}", options.mip_gap),
        });
    }
    Ok(())
}

/// Clique of overlapping templates at each template's start instant (interval graphs have
/// all their maximal cliques at left endpoints). Duplicates are removed.
pub fn session_cliques(problem: &Problem) -> Vec<Vec<TemplateIdx>> {
    let mut cliques: BTreeSet<Vec<TemplateIdx>> = BTreeSet::new();
    for t in &problem.templates {
        let clique: Vec<TemplateIdx> = problem
            .templates
            .iter()
            .enumerate()
            .filter(|(_, o)| o.start <= t.start && t.start < o.end)
            .map(|(i, _)| i)
            .collect();
        cliques.insert(clique);
    }
    cliques.into_iter().collect()
}

fn sum(vars: impl IntoIterator<Item = (Variable, f64)>) -> Expression {
    let mut e = Expression::with_capacity(8);
    for (v, c) in vars {
        e.add_mul(c, v);
    }
    e
}

fn build(problem: &Problem, candidates: Vec<Candidate>, w: &Weights) -> Model {
    let mut model = Model {
        vars: ProblemVariables::new(),
        objective: Expression::with_capacity(candidates.len()),
        constant: 0.0,
        constraints: Vec::new(),
        candidates: Vec::new(),
        x: Vec::with_capacity(candidates.len()),
        interpreter_vars: Vec::new(),
        n_vars: 0,
        x_col: Vec::with_capacity(candidates.len()),
        interpreter_col: Vec::new(),
    };
    let cliques = session_cliques(problem);
    let units = |c: &Candidate| problem.templates[c.template].session_units() as f64;

    // Cases: held at most once; not holding costs `not_held_cost`.
    let mut by_case: Vec<Vec<usize>> = vec![Vec::new(); problem.cases.len()];
    for (i, c) in candidates.iter().enumerate() {
        let (v, col) = model.add_binary();
        model.x.push(v);
        model.x_col.push(col);
        by_case[c.case].push(i);
    }
    for (case_idx, case) in problem.cases.iter().enumerate() {
        let unheld = candidates::not_held_cost(problem, case, w) as f64;
        model.constant += unheld;
        for &i in &by_case[case_idx] {
            model
                .objective
                .add_mul(candidates[i].cost as f64 - unheld, model.x[i]);
        }
        if by_case[case_idx].len() > 1 {
            let e = sum(by_case[case_idx].iter().map(|&i| (model.x[i], 1.0)));
            model.constraints.push(e.leq(1.0));
        }
    }

    // Mediators: one meeting at a time, travel, caps, fairness.
    let mut by_mediator_day: BTreeMap<(MediatorIdx, DayIdx), Vec<usize>> = BTreeMap::new();
    let mut by_mediator_week: BTreeMap<(MediatorIdx, (i32, u32)), Vec<usize>> = BTreeMap::new();
    let mut by_mediator: BTreeMap<MediatorIdx, Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        by_mediator_day
            .entry((c.mediator, c.day))
            .or_default()
            .push(i);
        let week = iso_week(problem.horizon.days[c.day]);
        by_mediator_week
            .entry((c.mediator, week))
            .or_default()
            .push(i);
        by_mediator.entry(c.mediator).or_default().push(i);
    }
    for (&(m, _day), idx) in &by_mediator_day {
        for clique in &cliques {
            let members: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| clique.contains(&candidates[i].template))
                .collect();
            if distinct_cases(&candidates, &members) > 1 {
                model
                    .constraints
                    .push(sum(members.iter().map(|&i| (model.x[i], 1.0))).leq(1.0));
            }
        }
        let cap = problem.mediators[m].max_sessions_per_day as f64;
        if max_load(problem, &candidates, idx, &cliques) > cap {
            let e = sum(idx.iter().map(|&i| (model.x[i], units(&candidates[i]))));
            model.constraints.push(e.leq(cap));
        }
        add_travel_constraints(problem, &candidates, idx, &mut model);
    }
    for (&(m, _week), idx) in &by_mediator_week {
        let cap = problem.mediators[m].max_sessions_per_week as f64;
        let most: f64 = idx.iter().map(|&i| units(&candidates[i])).sum();
        if most > cap {
            let e = sum(idx.iter().map(|&i| (model.x[i], units(&candidates[i]))));
            model.constraints.push(e.leq(cap));
        }
    }
    for (&m, idx) in &by_mediator {
        add_fairness(problem, m, &candidates, idx, w, &mut model);
    }

    // Venues: rooms per overlapping session.
    let mut by_venue_day: BTreeMap<(usize, DayIdx), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Site::Venue(v) = c.site {
            by_venue_day.entry((v, c.day)).or_default().push(i);
        }
    }
    for (&(v, _day), idx) in &by_venue_day {
        let rooms = problem.venues[v].rooms as f64;
        for clique in &cliques {
            let members: Vec<(Variable, f64)> = idx
                .iter()
                .filter(|&&i| clique.contains(&candidates[i].template))
                .map(|&i| {
                    let need = problem.cases[candidates[i].case].needs.rooms as f64;
                    (model.x[i], need)
                })
                .collect();
            if members.iter().map(|(_, r)| r).sum::<f64>() > rooms {
                model.constraints.push(sum(members).leq(rooms));
            }
        }
    }

    add_interpreters(problem, &candidates, &cliques, &mut model);
    model.candidates = candidates;
    model
}

fn distinct_cases(candidates: &[Candidate], members: &[usize]) -> usize {
    let mut cases: Vec<CaseIdx> = members.iter().map(|&i| candidates[i].case).collect();
    cases.sort_unstable();
    cases.dedup();
    cases.len()
}

/// The most session units a mediator could be given on one day, given the overlap cliques:
/// bounded by the units of every non-overlapping template they have a candidate in.
fn max_load(
    problem: &Problem,
    candidates: &[Candidate],
    idx: &[usize],
    cliques: &[Vec<TemplateIdx>],
) -> f64 {
    let templates: BTreeSet<TemplateIdx> = idx.iter().map(|&i| candidates[i].template).collect();
    let by_units: f64 = templates
        .iter()
        .map(|&t| problem.templates[t].session_units() as f64)
        .sum();
    // At most one meeting per clique; a day never holds more than one per clique.
    let per_clique: f64 = cliques
        .iter()
        .map(|c| {
            c.iter()
                .filter(|t| templates.contains(t))
                .map(|&t| problem.templates[t].session_units() as f64)
                .fold(0.0, f64::max)
        })
        .sum();
    by_units.min(per_clique)
}

/// For each ordered pair of non-overlapping sessions on one mediator-day and each venue of
/// the earlier one: holding it excludes every later venue the mediator cannot reach in time.
///
/// Candidates at one (session, venue) are summed into one "the mediator is there" term (an
/// auxiliary variable when there are several), so each travel row names venues, not every
/// candidate at them: this keeps the rows short.
fn add_travel_constraints(
    problem: &Problem,
    candidates: &[Candidate],
    idx: &[usize],
    model: &mut Model,
) {
    let mut by_template_venue: BTreeMap<(TemplateIdx, usize), Vec<usize>> = BTreeMap::new();
    for &i in idx {
        if let Site::Venue(v) = candidates[i].site {
            by_template_venue
                .entry((candidates[i].template, v))
                .or_default()
                .push(i);
        }
    }
    let mut present: BTreeMap<(TemplateIdx, usize), Variable> = BTreeMap::new();
    let mut at = |model: &mut Model, key: (TemplateIdx, usize)| -> Variable {
        *present.entry(key).or_insert_with(|| {
            let members = &by_template_venue[&key];
            if let [only] = members.as_slice() {
                return model.x[*only];
            }
            let a = model.add_unit();
            let held = sum(members.iter().map(|&i| (model.x[i], 1.0)));
            model.constraints.push(held.eq(a));
            a
        })
    };
    let templates: BTreeSet<TemplateIdx> = by_template_venue.keys().map(|k| k.0).collect();
    for (&(t1, v1), _) in &by_template_venue {
        let earlier = &problem.templates[t1];
        for &t2 in &templates {
            let later = &problem.templates[t2];
            if later.start < earlier.end {
                continue; // overlapping or earlier: handled by the clique or the mirror pair
            }
            let far: Vec<(TemplateIdx, usize)> = by_template_venue
                .range((t2, 0)..(t2 + 1, 0))
                .map(|(k, _)| *k)
                .filter(|&(_, v2)| {
                    !rules::travel_ok(problem, Site::Venue(v1), earlier, Site::Venue(v2), later)
                })
                .collect();
            if far.is_empty() {
                continue;
            }
            let mut e = Expression::with_capacity(far.len() + 1);
            e.add_mul(1.0, at(model, (t1, v1)));
            for key in far {
                e.add_mul(1.0, at(model, key));
            }
            model.constraints.push(e.leq(1.0));
        }
    }
}

/// Convex fairness cost: the k-th session of mediator `m` costs `fairness × k / capacity`.
fn add_fairness(
    problem: &Problem,
    m: MediatorIdx,
    candidates: &[Candidate],
    idx: &[usize],
    w: &Weights,
    model: &mut Model,
) {
    if w.fairness == 0 {
        return;
    }
    let capacity = horizon_capacity(problem, m).max(1);
    let possible: u32 = idx
        .iter()
        .map(|&i| problem.templates[candidates[i].template].session_units())
        .sum::<u32>()
        .min(capacity);
    let mut steps = Expression::with_capacity(possible as usize);
    for k in 1..=possible {
        let y = model.add_unit();
        let cost = candidates::fairness_step_cost(w, k, capacity) as f64;
        model.objective.add_mul(cost, y);
        steps.add_mul(1.0, y);
    }
    let load = sum(idx.iter().map(|&i| {
        let u = problem.templates[candidates[i].template].session_units() as f64;
        (model.x[i], u)
    }));
    model.constraints.push(steps.geq(load));
}

/// Sessions a mediator can hold over the horizon: the weekly cap for each ISO week the
/// horizon touches, and never more than the daily cap on each working day.
pub fn horizon_capacity(problem: &Problem, m: MediatorIdx) -> u32 {
    let mediator = &problem.mediators[m];
    let working: Vec<_> = problem
        .horizon
        .days
        .iter()
        .filter(|d| problem.calendar.is_working_day(**d))
        .collect();
    let weeks: BTreeSet<(i32, u32)> = working.iter().map(|d| iso_week(**d)).collect();
    (weeks.len() as u32 * mediator.max_sessions_per_week)
        .min(working.len() as u32 * mediator.max_sessions_per_day)
}

fn add_interpreters(
    problem: &Problem,
    candidates: &[Candidate],
    cliques: &[Vec<TemplateIdx>],
    model: &mut Model,
) {
    let mut needing: BTreeMap<(CaseIdx, DayIdx, TemplateIdx), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if c.needs_interpreter {
            needing
                .entry((c.case, c.day, c.template))
                .or_default()
                .push(i);
        }
    }
    let mut by_interpreter_day: BTreeMap<(InterpreterIdx, DayIdx), Vec<(TemplateIdx, Variable)>> =
        BTreeMap::new();
    for (&(case_idx, d, t), idx) in &needing {
        let lang = problem.cases[case_idx]
            .needs
            .language
            .as_deref()
            .unwrap_or("");
        let mut booked = Expression::with_capacity(4);
        for (k, interpreter) in problem.interpreters.iter().enumerate() {
            if rules::interpreter_can_attend(interpreter, lang, d, t) {
                let (v, col) = model.add_binary();
                model.interpreter_vars.push((case_idx, k, d, t, v));
                model.interpreter_col.push(col);
                booked.add_mul(1.0, v);
                by_interpreter_day.entry((k, d)).or_default().push((t, v));
            }
        }
        let held = sum(idx.iter().map(|&i| (model.x[i], 1.0)));
        model.constraints.push(held.leq(booked));
    }
    for entries in by_interpreter_day.values() {
        for clique in cliques {
            let members: Vec<(Variable, f64)> = entries
                .iter()
                .filter(|(t, _)| clique.contains(t))
                .map(|(_, v)| (*v, 1.0))
                .collect();
            if members.len() > 1 {
                model.constraints.push(sum(members).leq(1.0));
            }
        }
    }
}

/// What a backend returns, before the objective constant is added back.
struct RawSolution {
    status: SolveStatus,
    objective: f64,
    best_bound: Option<f64>,
    chosen: Vec<Candidate>,
    interpreters: Vec<Option<InterpreterIdx>>,
}

/// Reads chosen candidates and their interpreters from column values.
fn extract(model: &Model, values: &[f64]) -> (Vec<Candidate>, Vec<Option<InterpreterIdx>>) {
    let on = |col: usize| values.get(col).is_some_and(|v| *v > 0.5);
    let chosen: Vec<Candidate> = model
        .candidates
        .iter()
        .zip(&model.x_col)
        .filter(|(_, &col)| on(col))
        .map(|(c, _)| *c)
        .collect();
    let mut taken: BTreeSet<(InterpreterIdx, DayIdx, TemplateIdx)> = BTreeSet::new();
    let interpreters = chosen
        .iter()
        .map(|c| {
            if !c.needs_interpreter {
                return None;
            }
            model
                .interpreter_vars
                .iter()
                .zip(&model.interpreter_col)
                .find(|((case, k, d, t, _), &col)| {
                    *case == c.case
                        && *d == c.day
                        && *t == c.template
                        && on(col)
                        && taken.insert((*k, *d, *t))
                })
                .map(|((_, k, _, _, _), _)| *k)
        })
        .collect();
    (chosen, interpreters)
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

fn solve_microlp(model: Model, options: &SolveOptions) -> Result<RawSolution, SolveError> {
    const NAME: &str = "microlp";
    let Model {
        vars,
        objective,
        constraints,
        ..
    } = &model;
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut lp = good_lp::solvers::microlp::microlp(vars.clone().minimise(objective.clone()));
        for c in constraints {
            lp.add_constraint(c.clone());
        }
        let mut opts = microlp::SolveOptions::default();
        opts.time_limit = Some(Duration::from_secs_f64(options.time_limit_secs));
        opts.mip_gap = options.mip_gap;
        let outcome = lp.as_inner().solve_with(opts);
        outcome.map(|o| {
            let stats = o.stats();
            let reason = o.termination_reason();
            o.solution().map(|s| {
                let values: Vec<f64> = s.iter().map(|(_, v)| v).collect();
                (s.objective(), values, stats, reason)
            })
        })
    }));
    let outcome = match result {
        Err(payload) => {
            return Err(SolveError::BackendPanicked {
                backend: NAME,
                message: panic_message(payload),
            })
        }
        Ok(Err(e)) => {
            return Err(SolveError::Backend {
                backend: NAME,
                message: e.to_string(),
            })
        }
        Ok(Ok(o)) => o,
    };
    let Some((objective, values, stats, reason)) = outcome else {
        // No incumbent before the time limit: holding nothing is always feasible.
        return Ok(RawSolution {
            status: SolveStatus::TimeLimit,
            objective: 0.0,
            best_bound: None,
            chosen: Vec::new(),
            interpreters: Vec::new(),
        });
    };
    let status = match reason {
        microlp::TerminationReason::ProvenOptimal => SolveStatus::Optimal,
        microlp::TerminationReason::MipGap => SolveStatus::GapLimit,
        _ => SolveStatus::TimeLimit,
    };
    let (chosen, interpreters) = extract(&model, &values);
    Ok(RawSolution {
        status,
        objective,
        best_bound: stats.best_bound,
        chosen,
        interpreters,
    })
}

#[cfg(feature = "highs")]
fn solve_highs(model: Model, options: &SolveOptions) -> Result<RawSolution, SolveError> {
    const NAME: &str = "highs";
    let fail = |message: String| SolveError::Backend {
        backend: NAME,
        message,
    };
    let mut hp =
        good_lp::solvers::highs::highs(model.vars.clone().minimise(model.objective.clone()));
    for c in &model.constraints {
        hp.add_constraint(c.clone());
    }
    let mut inner = hp
        .try_into_inner()
        .map_err(|e| fail(format!("could not load the model: {e}")))?;
    inner.make_quiet();
    let settings: [(&str, f64); 3] = [
        ("time_limit", options.time_limit_secs),
        ("mip_rel_gap", options.mip_gap),
        // Below one objective unit: the objective is integral.
        ("mip_abs_gap", 0.999),
    ];
    for (name, value) in settings {
        inner
            .try_set_option(name, value)
            .map_err(|e| fail(format!("option {name}: {e:?}")))?;
    }
    if let Ok(extra) = std::env::var("XX_HIGHS") {
        for kv in extra.split(',') {
            let (k, v) = kv.split_once('=').unwrap();
            match v {
                "true" => { inner.try_set_option(k, true).unwrap(); }
                "false" => { inner.try_set_option(k, false).unwrap(); }
                _ => { inner.try_set_option(k, v).unwrap(); }
            }
        }
    }
    inner
        .try_set_option("threads", HIGHS_THREADS as i32)
        .map_err(|e| fail(format!("option threads: {e:?}")))?;
    let solved = inner
        .try_solve()
        .map_err(|e| fail(format!("solve failed: {e:?}")))?;
    use highs::HighsModelStatus as S;
    let status = match solved.status() {
        S::Optimal => SolveStatus::Optimal,
        S::ReachedTimeLimit
        | S::ReachedIterationLimit
        | S::ReachedSolutionLimit
        | S::ReachedInterrupt
        | S::ReachedMemoryLimit => SolveStatus::TimeLimit,
        other => return Err(fail(format!("unexpected model status {other:?}"))),
    };
    let values = solved.get_solution().columns().to_vec();
    if values.len() < model.n_vars {
        // Time limit with no incumbent: holding nothing is always feasible.
        return Ok(RawSolution {
            status: SolveStatus::TimeLimit,
            objective: 0.0,
            best_bound: None,
            chosen: Vec::new(),
            interpreters: Vec::new(),
        });
    }
    let best_bound = solved
        .double_info_value(c"mip_dual_bound")
        .ok()
        .filter(|b| b.is_finite());
    let objective = solved.objective_value();
    let (chosen, interpreters) = extract(&model, &values);
    Ok(RawSolution {
        status,
        objective,
        best_bound,
        chosen,
        interpreters,
    })
}

#[cfg(not(feature = "highs"))]
fn solve_highs(_model: Model, _options: &SolveOptions) -> Result<RawSolution, SolveError> {
    Err(SolveError::BackendUnavailable("highs"))
}
