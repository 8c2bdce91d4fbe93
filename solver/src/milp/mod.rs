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
//!
//! Its files, one idea each: `options` (what a solve is asked and what it answers),
//! `build` (the rows from the candidates, the LP export, and back from column values to the
//! chosen candidates), `model` (the compact model itself), one file per backend (`microlp`,
//! `highs`, with `interrupt` and `coefficients` for what the HiGHS binding lacks), the
//! bound and the rounds that use it (`bound`, `cuts`, `fixing`, `reduced`), and `time`, the
//! one place the clock is read ([`Clock`] and the deadlines built from it). This file
//! orchestrates a solve ([`solve`]) and re-exports the public types.

use std::collections::HashSet;
use std::time::Duration;

use crate::candidates;
use crate::greedy;
use crate::model::Problem;

mod bound;
mod build;
#[cfg(feature = "highs")]
#[allow(unsafe_code)]
mod coefficients;
mod cuts;
mod fixing;
// Unsafe only in its HiGHS part (the C API for the basis).
#[allow(unsafe_code)]
mod gomory;
mod highs;
#[cfg(feature = "highs")]
#[allow(unsafe_code)]
mod interrupt;
mod microlp;
mod model;
mod options;
mod reduced;
mod time;

pub use self::build::{export_lp, session_cliques};
pub use self::highs::{HIGHS_DEFAULTS, HIGHS_THREADS};
pub use self::options::{
    Backend, CancelFlag, MilpSolution, Phase, Progress, ReducedCostFixing, SolveError,
    SolveOptions, SolveStatus, SolverSummary, AUTO_HIGHS_ABOVE, DEFAULT_MAX_CANDIDATES,
};
pub use self::time::Clock;

use self::build::{build_until, chosen_candidates, extract};
use self::highs::{solve_highs, solve_reduced};
use self::microlp::solve_microlp;
use self::model::Model;
use self::options::validate_options;
use self::time::{Deadline, Search};

/// The higher of two lower bounds on the same model, either of which may be missing.
fn higher_bound(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Asked between the steps of the phases that come before any roster exists (listing
/// candidates, building the model, the greedy warm start): was the solve cancelled, or has
/// its hard deadline passed? The hard deadline is the time limit plus half of the
/// tolerance a job is held to, max(10% of the limit, 1 s): so a limit too short for the
/// MILP still gets the greedy roster when it comes that quickly, and a whole solve never
/// ends later than the tolerance allows. After the warm start the time limit itself
/// decides whether the MILP runs at all.
///
/// The clock starts at [`SolveOptions::started`] (the job's or command's start), and the
/// limit the solve works to is the requested one less [`post_solve_reserve`]: the whole
/// job, not only the solve, is to end by the limit.
struct Stop<'a> {
    /// The limit the solve works to.
    limit: Deadline,
    /// The hard deadline of the phases before any roster.
    hard: Deadline,
    limit_secs: f64,
    cancel: Option<&'a CancelFlag>,
}

impl<'a> Stop<'a> {
    fn new(problem: &Problem, options: &'a SolveOptions) -> Self {
        let limit = options.time_limit_secs;
        let working = (limit - post_solve_reserve(problem, limit)).max(0.0);
        let started = options.started.unwrap_or_else(Clock::now);
        Stop {
            limit: started.after(Duration::from_secs_f64(working)),
            hard: started.after(Duration::from_secs_f64(
                working + (0.1 * limit).max(1.0) / 2.0,
            )),
            limit_secs: limit,
            cancel: options.cancel.as_ref(),
        }
    }

    /// Seconds left before the limit the solve works to.
    fn left(&self) -> f64 {
        self.limit.left_secs()
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(CancelFlag::is_cancelled)
    }

    /// Stop a phase that has no roster yet.
    fn now(&self) -> bool {
        self.cancelled() || self.hard.passed()
    }

    /// Past the time limit (or cancelled): run no backend.
    fn past_limit(&self) -> bool {
        self.cancelled() || self.limit.passed()
    }

    /// The error for stopping while `phase`.
    fn error(&self, phase: &'static str) -> SolveError {
        if self.cancel.is_some_and(CancelFlag::is_cancelled) {
            SolveError::Cancelled { phase }
        } else {
            SolveError::TimeLimitBeforeRoster {
                phase,
                limit_secs: self.limit_secs,
            }
        }
    }
}

/// Seconds kept from a time limit for what follows the solve: repairing an early-stopped
/// roster, explaining every case not held, the key figures and writing it all. Measured at
/// about 0.3 ms a case on the 2-core machine (3,000 cases: 1.0 s, `docs/performance.md`,
/// "Time limits"); at most a quarter of the limit.
pub fn post_solve_reserve(problem: &Problem, limit_secs: f64) -> f64 {
    (0.1 + 0.35e-3 * problem.cases.len() as f64).min(0.25 * limit_secs.max(0.0))
}

/// Builds and solves the roster MILP, warm-started from the greedy roster (which is also
/// the answer when the time limit expires before the backend has any incumbent).
pub fn solve(problem: &Problem, options: &SolveOptions) -> Result<MilpSolution, SolveError> {
    validate_options(options)?;
    if !options.backend.is_available() {
        return Err(SolveError::BackendUnavailable(options.backend.as_str()));
    }
    let started = Clock::now();
    let stop = Stop::new(problem, options);
    options.report(Phase::Candidates);
    if let Some(limit) = options.max_candidates {
        let estimate = candidates::estimate(problem);
        if estimate > limit {
            return Err(SolveError::TooLarge { estimate, limit });
        }
    }
    let candidates = candidates::generate_until(problem, &options.weights, &|| stop.now())
        .ok_or_else(|| stop.error("listing candidate meetings"))?;
    if let Some(limit) = options.max_candidates {
        let count = candidates.len() as u64;
        if count > limit {
            return Err(SolveError::MemoryBudget { count, limit });
        }
    }
    options.report(Phase::Model);
    let model_started = Clock::now();
    let mut model = build_until(problem, candidates, options, &|| stop.now())
        .ok_or_else(|| stop.error("building the model"))?;
    let model_seconds = model_started.seconds();
    // Rows of the model as built (the LP relaxation may add cuts).
    let constraints = model.rows.len();
    let build_seconds = started.seconds();

    options.report(Phase::WarmStart);
    let greedy_started = Clock::now();
    // A greedy roster stopped part-way is no answer: a case it did not reach could still be
    // held, and nothing can say why it was not.
    let greedy = greedy::construct_until(problem, &options.weights, &|| stop.now())
        .ok_or_else(|| stop.error("building the greedy roster"))?;
    let warm_chosen = chosen_candidates(&model, &greedy);
    // Out of time (or cancelled) by the end of the warm start: the greedy roster is the
    // answer; no backend runs.
    let out_of_time = stop.past_limit();
    let warm = model.assignment(problem, &warm_chosen);
    let warm_start_seconds = greedy_started.seconds();

    let backend = options.backend.resolve(model.candidates.len());
    let solve_started = Clock::now();
    let remaining = stop.left().max(0.05);
    let mut reduced_cost_fixing = None;
    let mut solved_model = None;
    let mut lagrangian_bound = None;
    // On a large model a backend's set-up (the bound's pricing, loading HiGHS) reads the
    // whole model, about what building it took: with less time left than that it would end
    // past the limit, so the greedy roster stands.
    let no_time_to_set_up = model.candidates.len() > LAGRANGIAN_ABOVE && remaining < model_seconds;
    let attempt = match backend {
        _ if out_of_time || no_time_to_set_up => Ok(RawSolution {
            status: SolveStatus::TimeLimit,
            values: None,
            best_bound: None,
        }),
        // No candidate at all: holding nothing is the only roster (and HiGHS rejects an
        // empty model).
        _ if model.n_vars() == 0 => Ok(RawSolution {
            status: SolveStatus::Optimal,
            values: Some((0.0, Vec::new())),
            best_bound: Some(0.0),
        }),
        // `resolve` never returns `Auto`; were it to, microlp is the safe choice.
        Backend::Microlp | Backend::Auto => {
            // microlp gives no dual values: on larger models a Lagrangian bound by
            // subgradient ascent, in a quarter of the time, bounds the roster and fixes the
            // candidates that cannot improve on it (as the LP does for HiGHS).
            let mut staged = None;
            if options.reduced_cost_fixing && model.candidates.len() > LAGRANGIAN_ABOVE {
                let relaxed = microlp_relaxation(
                    problem,
                    &mut model,
                    &warm_chosen,
                    solve_started.after_secs(remaining * reduced::LP_SHARE),
                    options,
                );
                if let Some(lp) = relaxed {
                    lagrangian_bound = Some(lp.objective);
                    let lp_seconds = solve_started.seconds();
                    staged = microlp_rounds(
                        problem,
                        &model,
                        &warm_chosen,
                        lp,
                        lp_seconds,
                        solve_started.after_secs(remaining),
                        true,
                        options,
                    )?;
                } else if !stop.past_limit() {
                    let ascent = by_ascent(
                        problem,
                        &mut model,
                        &warm_chosen,
                        options.time_limit_secs,
                        options.started.unwrap_or(started),
                        &mut HashSet::new(),
                        options,
                    )?;
                    lagrangian_bound = ascent.bound;
                    staged = ascent.outcome;
                }
            }
            match staged {
                Some(r) => {
                    reduced_cost_fixing = Some(r.summary);
                    solved_model = r.model;
                    Ok(r.raw)
                }
                None => {
                    let left = remaining - solve_started.seconds();
                    options.report(Phase::Milp {
                        round: 1,
                        candidates: model.candidates.len(),
                    });
                    solve_microlp(&model, &warm, left.max(0.05), Search::Proof, options).map(
                        |mut raw| {
                            raw.best_bound = higher_bound(raw.best_bound, lagrangian_bound);
                            raw
                        },
                    )
                }
            }
        }
        Backend::Highs => {
            match solve_reduced(
                problem,
                &mut model,
                &warm_chosen,
                solve_started,
                remaining,
                options,
            ) {
                Ok(Some(r)) => {
                    reduced_cost_fixing = Some(r.summary);
                    solved_model = r.model;
                    Ok(r.raw)
                }
                Ok(None) => {
                    let left = remaining - solve_started.seconds();
                    options.report(Phase::Milp {
                        round: 1,
                        candidates: model.candidates.len(),
                    });
                    solve_highs(&model, &warm, left.max(0.05), None, options)
                }
                Err(e) => Err(e),
            }
        }
    };
    // A cancelled solve returns no roster, whatever the backend had found: the caller asked
    // for none.
    if stop.cancelled() {
        return Err(stop.error("solving"));
    }
    // A backend that fails (out of memory, an internal error) still leaves the greedy
    // roster: it is returned, flagged, with the failure. Infeasibility and bad options are
    // answers about the model, not failures.
    let mut backend_error = None;
    let raw = match attempt {
        Ok(raw) => raw,
        Err(e @ (SolveError::Backend { .. } | SolveError::BackendPanicked { .. })) => {
            backend_error = Some(e.to_string());
            RawSolution {
                status: SolveStatus::BackendFailed,
                values: None,
                best_bound: None,
            }
        }
        Err(e) => return Err(e),
    };
    let solve_seconds = solve_started.seconds();
    let values_model = solved_model.as_ref().unwrap_or(&model);
    let (chosen, interpreters, objective, greedy_fallback) = match &raw.values {
        Some((objective, values)) => {
            let (chosen, interpreters) = extract(values_model, values);
            (chosen, interpreters, objective + model.constant, false)
        }
        None => {
            let objective = model.cost_of(&warm);
            let chosen = warm_chosen
                .iter()
                .map(|&(i, _)| model.candidates[i])
                .collect();
            let interpreters = warm_chosen.iter().map(|&(_, k)| k).collect();
            (chosen, interpreters, objective + model.constant, true)
        }
    };
    // Every coefficient is integral: the objective is a whole number and any bound can be
    // rounded up to one (floating-point noise aside).
    let objective = objective.round();
    let best_bound = raw
        .best_bound
        .map(|b| (b + model.constant - 1e-6).ceil())
        .map(|b| b.min(objective));
    let absolute_gap = best_bound.map(|b| (objective - b).max(0.0));
    let status = match (raw.status, absolute_gap) {
        (_, Some(gap)) if gap < 1.0 => SolveStatus::Optimal,
        (SolveStatus::Optimal, _) if !greedy_fallback => SolveStatus::Optimal,
        (SolveStatus::Optimal, _) => SolveStatus::TimeLimit,
        (other, _) => other,
    };
    let summary = SolverSummary {
        backend,
        status,
        objective,
        best_bound,
        absolute_gap,
        relative_gap: absolute_gap.map(|g| g / objective.abs().max(1.0)),
        build_seconds,
        warm_start_seconds,
        solve_seconds,
        greedy_fallback,
        warm_start_objective: Some((model.cost_of(&warm) + model.constant).round()),
        candidates: model.candidates.len(),
        variables: model.n_vars(),
        constraints,
        reduced_cost_fixing,
        lagrangian_bound: lagrangian_bound.map(|b| (b + model.constant - 1e-6).ceil()),
        backend_error,
    };
    Ok(MilpSolution {
        chosen,
        interpreters,
        summary,
    })
}

/// What a backend returns, before the objective constant is added back.
struct RawSolution {
    status: SolveStatus,
    /// The incumbent's objective and column values; none when the time limit expired first.
    values: Option<(f64, Vec<f64>)>,
    best_bound: Option<f64>,
}

/// microlp on models above this many candidates gets a bound first: the LP relaxation up
/// to [`MICROLP_LP_UP_TO`], the Lagrangian ascent above (or when the LP is not solved in time).
const LAGRANGIAN_ABOVE: usize = AUTO_HIGHS_ABOVE;

/// The most candidates for which microlp solves the LP relaxation by column generation
/// (`milp::reduced`) rather than bounding by the ascent.
const MICROLP_LP_UP_TO: usize = 100_000;

/// The LP relaxation of `model` solved by microlp (column generation, cuts), when the model
/// is small enough: none when it is not, or when microlp does not prove the first restricted
/// LP optimal by `deadline` or fails on it (the ascent is then the bound).
fn microlp_relaxation(
    problem: &Problem,
    model: &mut Model,
    warm_chosen: &[(usize, Option<crate::model::InterpreterIdx>)],
    deadline: Deadline,
    options: &SolveOptions,
) -> Option<fixing::Relaxation> {
    if model.candidates.len() > MICROLP_LP_UP_TO {
        return None;
    }
    let mut lp = self::microlp::MicrolpLp::new(deadline, options);
    reduced::relaxation(problem, model, warm_chosen, deadline, options, &mut lp)
        .ok()
        .flatten()
}

/// microlp's fixing rounds (`fixing::rounds`) from the bound `lp`, until `deadline`: its
/// caps on the restricted MILPs and the windows, its first MILP stopped by a stall, and
/// windows of days before it with `windows_first`.
#[allow(clippy::too_many_arguments)]
fn microlp_rounds(
    problem: &Problem,
    model: &Model,
    warm_chosen: &[(usize, Option<crate::model::InterpreterIdx>)],
    lp: fixing::Relaxation,
    lp_seconds: f64,
    deadline: Deadline,
    windows_first: bool,
    options: &SolveOptions,
) -> Result<Option<ReducedOutcome>, SolveError> {
    fixing_outcome(
        model,
        fixing::rounds(
            problem,
            model,
            warm_chosen,
            lp,
            lp_seconds,
            deadline,
            MICROLP_MAX_KEPT,
            MICROLP_MAX_KEPT_GROWN,
            MICROLP_WINDOW_CASES,
            true,
            windows_first,
            options,
            &|sub: &Model, w: &[f64], limit: f64, search| {
                solve_microlp(sub, w, limit, search, options)
            },
        ),
    )
}

/// A time limit whose quarter is at least this many seconds is solved in stages by
/// [`by_ascent`].
const STAGE_QUARTER_SECS: f64 = 2.0;

/// What [`by_ascent`] gave.
struct Ascent {
    /// The best Lagrangian bound (without the objective constant).
    bound: Option<f64>,
    /// The roster and its summary; none when the whole model is to be solved.
    outcome: Option<ReducedOutcome>,
    /// The duals of the best bound, one per row of the model when they were found.
    duals: Option<Vec<f64>>,
}

/// microlp's path when the bound comes from the subgradient ascent (`bound`, `cuts`): the
/// ascent in [`bound::ASCENT_SHARE`] of the time left, then the restricted MILPs and windows
/// of days (`fixing::rounds`), all by `limit_secs` after `started`, as `solve` with that
/// limit would work.
///
/// More time must never give a worse roster, and on the 600-case week it did: with 10 s the
/// ascent took four times as long as with 2.5 s, its prices chose other windows, and the
/// roster came out worse on some seeds (`docs/performance.md`, "A longer limit goes on from
/// the quarter's roster"). So a limit of at least `4 ×` [`STAGE_QUARTER_SECS`] is worked in
/// stages: first exactly as a quarter of it would be (the same call, so in stages too),
/// then the ascent goes on from that stage's duals with its roster as the upper bound, and
/// the rounds start from its roster, which they never make worse. The better roster of the
/// two stages and the higher bound are returned.
///
/// Not above `bound::LARGE_ABOVE` candidates: there the ascent is still climbing at its
/// deadline, and stages cost the roster (2,000 cases over 4 and 6 weeks at 60 s: gaps of
/// 0.12–0.37% in stages against 0.08–0.12% in one).
fn by_ascent(
    problem: &Problem,
    model: &mut Model,
    warm_chosen: &[(usize, Option<crate::model::InterpreterIdx>)],
    limit_secs: f64,
    started: Clock,
    seen: &mut HashSet<Vec<u32>>,
    options: &SolveOptions,
) -> Result<Ascent, SolveError> {
    let earlier =
        if limit_secs / 4.0 >= STAGE_QUARTER_SECS && model.candidates.len() <= bound::LARGE_ABOVE {
            Some(by_ascent(
                problem,
                model,
                warm_chosen,
                limit_secs / 4.0,
                started,
                seen,
                options,
            )?)
        } else {
            None
        };
    let deadline = started.after_secs(limit_secs - post_solve_reserve(problem, limit_secs));
    let proven = earlier
        .as_ref()
        .is_some_and(|e| e.gap().is_some_and(|g| g < 1.0));
    let later = if proven || deadline.passed() || options.cancelled() {
        None
    } else {
        let roster = earlier
            .as_ref()
            .and_then(|e| roster_in(model, e.outcome.as_ref()?));
        let start = earlier.as_ref().and_then(|e| e.duals.clone()).map(|mut y| {
            // Rows the earlier stage's last cuts added after its best duals price at zero.
            y.resize(model.rows.len(), 0.0);
            y
        });
        ascent_stage(
            problem,
            model,
            roster.as_deref().unwrap_or(warm_chosen),
            roster.is_some(),
            start.as_deref(),
            deadline,
            seen,
            options,
        )?
    };
    Ok(match (later, earlier) {
        (Some(later), Some(earlier)) => later.or_better(earlier, problem, model),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => Ascent {
            bound: None,
            outcome: None,
            duals: None,
        },
    })
}

/// One stage of [`by_ascent`]: the ascent from the duals `start` (or zero) with the roster
/// `warm_chosen` as its upper bound, in [`bound::ASCENT_SHARE`] of the time left before
/// `deadline`, then `fixing::rounds` from that roster until `deadline`, with windows of days
/// before its first MILP unless `warm_chosen` is an earlier stage's roster (`earlier`: it
/// came out of them). None when the ascent gives no bound.
#[allow(clippy::too_many_arguments)]
fn ascent_stage(
    problem: &Problem,
    model: &mut Model,
    warm_chosen: &[(usize, Option<crate::model::InterpreterIdx>)],
    earlier: bool,
    start: Option<&[f64]>,
    deadline: Deadline,
    seen: &mut HashSet<Vec<u32>>,
    options: &SolveOptions,
) -> Result<Option<Ascent>, SolveError> {
    options.report(Phase::Bound);
    let solve_started = Clock::now();
    let upper = model.cost_of(&model.assignment(problem, warm_chosen));
    let Some(lp) = cuts::ascent_with_cuts(
        model,
        upper,
        Deadline::in_secs(deadline.left_secs() * bound::ASCENT_SHARE),
        SUBGRADIENT_ROUNDS,
        start,
        seen,
        options,
    ) else {
        return Ok(None);
    };
    let (bound, duals) = (lp.objective, lp.duals.clone());
    let lp_seconds = solve_started.seconds();
    let outcome = microlp_rounds(
        problem,
        model,
        warm_chosen,
        lp,
        lp_seconds,
        deadline,
        !earlier,
        options,
    )?;
    Ok(Some(Ascent {
        bound: Some(bound),
        outcome,
        duals: Some(duals),
    }))
}

impl Ascent {
    /// The roster's distance from its bound, when both are known.
    fn gap(&self) -> Option<f64> {
        let raw = &self.outcome.as_ref()?.raw;
        Some(raw.values.as_ref()?.0 - raw.best_bound?)
    }

    /// This stage's outcome, or `earlier`'s when its roster costs less in `full`; either way
    /// with the higher of the two bounds.
    fn or_better(self, earlier: Ascent, problem: &Problem, full: &Model) -> Ascent {
        let cost = |a: &Ascent| {
            a.outcome
                .as_ref()
                .and_then(|o| roster_in(full, o))
                .map_or(f64::INFINITY, |chosen| {
                    full.cost_of(&full.assignment(problem, &chosen))
                })
        };
        let best_bound = [&self, &earlier]
            .iter()
            .filter_map(|a| a.outcome.as_ref()?.raw.best_bound)
            .reduce(f64::max);
        let bound = higher_bound(self.bound, earlier.bound);
        let mut kept = if cost(&earlier) < cost(&self) - 0.5 {
            Ascent {
                duals: self.duals,
                ..earlier
            }
        } else {
            self
        };
        kept.bound = bound;
        if let Some(outcome) = kept.outcome.as_mut() {
            outcome.raw.best_bound = best_bound;
        }
        kept
    }
}

/// The roster of `outcome` as candidates of `full` (the model the restricted ones were cut
/// from), with their interpreters.
fn roster_in(
    full: &Model,
    outcome: &ReducedOutcome,
) -> Option<Vec<(usize, Option<crate::model::InterpreterIdx>)>> {
    let (_, values) = outcome.raw.values.as_ref()?;
    let sub = outcome.model.as_ref().unwrap_or(full);
    let runs = bound::case_runs(full);
    build::extract_indices(sub, values)
        .into_iter()
        .map(|(i, interpreter)| {
            let c = sub.candidates[i];
            runs.get(c.case)?
                .clone()
                .find(|&j| full.candidates[j] == c)
                .map(|j| (j, interpreter))
        })
        .collect()
}

/// The most subgradient steps for that bound.
const SUBGRADIENT_ROUNDS: usize = 20_000;

/// The most candidates a restricted microlp MILP keeps besides the best roster: its branch
/// and bound has only root Gomory cuts, so it stays small.
const MICROLP_MAX_KEPT: usize = 3_000;

/// The most candidates a restricted microlp MILP keeps when the windows of days are done
/// before the limit and the proof is tried again with the time left.
const MICROLP_MAX_KEPT_GROWN: usize = 12_000;

/// The most meetings in a window of days whose cases one restricted microlp MILP re-plans
/// at once (`milp::fixing`).
const MICROLP_WINDOW_CASES: usize = 100;

struct ReducedOutcome {
    raw: RawSolution,
    model: Option<Model>,
    summary: ReducedCostFixing,
}

/// The outcome of the fixing rounds for `solve`: none when the whole model is to be solved.
fn fixing_outcome(
    model: &Model,
    staged: Result<fixing::Staged, SolveError>,
) -> Result<Option<ReducedOutcome>, SolveError> {
    Ok(match staged? {
        fixing::Staged::WholeModel => None,
        fixing::Staged::Solved(r) => Some(ReducedOutcome {
            summary: ReducedCostFixing {
                lp_bound: r.lp_bound.map(|b| b + model.constant),
                lp_optimal: r.lp_optimal,
                kept_candidates: r.kept,
                rounds: r.rounds,
                lp_seconds: r.lp_seconds,
                lp_columns: r.lp_columns,
                pricing_rounds: r.pricing_rounds,
                cuts: r.cuts,
            },
            raw: r.raw,
            model: r.model,
        }),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::generate::{generate, GenerateParams};
    use crate::model::InterpreterIdx;

    type Roster = Vec<(usize, Option<InterpreterIdx>)>;

    /// A generated week (`cases`, `mediators`, `venues`, `seed`), its model, and the greedy
    /// roster as candidates of the model.
    fn week(cases: usize, mediators: usize, venues: usize, seed: u64) -> (Problem, Model, Roster) {
        let input = generate(&GenerateParams::week(cases, mediators, venues, seed));
        let problem = crate::validate::validate(&input).unwrap().problem;
        let options = SolveOptions::default();
        let candidates = candidates::generate(&problem, &options.weights);
        let model = build::build(&problem, candidates, &options);
        let greedy = chosen_candidates(&model, &greedy::construct(&problem, &options.weights));
        (problem, model, greedy)
    }

    /// A week of 60 cases.
    fn instance() -> (Problem, Model, Roster) {
        week(60, 30, 15, 3)
    }

    /// The cost of `chosen` in `model`, once the independent checker has accepted it.
    fn checked_cost(
        problem: &Problem,
        model: &Model,
        chosen: &[(usize, Option<InterpreterIdx>)],
    ) -> f64 {
        let values = model.assignment(problem, chosen);
        let (meetings, interpreters) = extract(model, &values);
        let placements = crate::schedule::placements_chosen(&meetings, &interpreters);
        let roster = crate::schedule::build_roster(problem, &placements);
        let report = crate::checker::check(problem, &roster);
        assert!(report.is_valid(), "{report:?}");
        model.cost_of(&values)
    }

    /// The roster of a stage, in the order of the model's candidates.
    fn roster_of(model: &Model, ascent: &Ascent) -> Roster {
        roster_in(model, ascent.outcome.as_ref().expect("a roster")).expect("in the model")
    }

    fn sorted(mut roster: Roster) -> Roster {
        roster.sort_unstable_by_key(|&(i, _)| i);
        roster
    }

    /// A stage's outcome holding `chosen` of `model`, with the bound `bound`.
    fn stage_of(
        problem: &Problem,
        model: &Model,
        chosen: &[(usize, Option<InterpreterIdx>)],
        bound: f64,
    ) -> Ascent {
        let values = model.assignment(problem, chosen);
        Ascent {
            bound: Some(bound),
            outcome: Some(ReducedOutcome {
                raw: RawSolution {
                    status: SolveStatus::TimeLimit,
                    values: Some((model.cost_of(&values), values)),
                    best_bound: Some(bound),
                },
                model: None,
                summary: ReducedCostFixing {
                    lp_bound: Some(bound),
                    lp_optimal: false,
                    kept_candidates: 0,
                    rounds: 1,
                    lp_seconds: 0.0,
                    lp_columns: 0,
                    pricing_rounds: 0,
                    cuts: 0,
                },
            }),
            duals: Some(vec![bound; 1]),
        }
    }

    /// Whichever stage comes last, the cheaper roster is kept, with the higher bound and the
    /// later stage's duals.
    #[test]
    fn of_two_stages_the_cheaper_roster_and_the_higher_bound_are_kept() {
        let (problem, model, greedy) = instance();
        let cheap = checked_cost(&problem, &model, &greedy);
        let empty = model.cost_of(&model.assignment(&problem, &[]));
        assert!(cheap < empty - 1.0, "the greedy roster holds cases");
        let (high, low) = (cheap - 10.0, cheap - 20.0);
        let greedy_stage = || stage_of(&problem, &model, &greedy, low);
        let empty_stage = || stage_of(&problem, &model, &[], high);
        // The better roster comes first, then last; the higher bound the other way round.
        for (later, earlier) in [
            (empty_stage(), greedy_stage()),
            (greedy_stage(), empty_stage()),
        ] {
            let later_duals = later.duals.clone();
            let kept = later.or_better(earlier, &problem, &model);
            assert_eq!(roster_of(&model, &kept), sorted(greedy.clone()));
            assert_eq!(kept.bound, Some(high));
            assert_eq!(kept.outcome.as_ref().unwrap().raw.best_bound, Some(high));
            assert_eq!(kept.duals, later_duals);
        }
    }

    /// A second stage from the first one's duals and roster starts its ascent where the first
    /// ended (the cuts added since price at zero), and its rounds never return a worse roster
    /// than the one they start from.
    #[test]
    fn a_later_stage_goes_on_from_the_earlier_ones_bound_and_roster() {
        let (problem, mut model, greedy) = instance();
        let options = SolveOptions::default();
        let mut seen = HashSet::new();
        let first = ascent_stage(
            &problem,
            &mut model,
            &greedy,
            false,
            None,
            Deadline::in_secs(1.0),
            &mut seen,
            &options,
        )
        .unwrap()
        .expect("a bound");
        let roster = roster_of(&model, &first);
        let first_cost = checked_cost(&problem, &model, &roster);
        assert!(first_cost <= checked_cost(&problem, &model, &greedy) + 0.5);
        let mut start = first.duals.clone().unwrap();
        start.resize(model.rows.len(), 0.0);
        let second = ascent_stage(
            &problem,
            &mut model,
            &roster,
            true,
            Some(&start),
            Deadline::in_secs(2.0),
            &mut seen,
            &options,
        )
        .unwrap()
        .expect("a bound");
        let (first_bound, second_bound) = (first.bound.unwrap(), second.bound.unwrap());
        assert!(
            second_bound >= first_bound - 1e-6 * first_bound.abs().max(1.0),
            "{second_bound} < {first_bound}"
        );
        let second_cost = checked_cost(&problem, &model, &roster_of(&model, &second));
        assert!(
            second_cost <= first_cost + 0.5,
            "{second_cost} > {first_cost}"
        );
        let kept = second.or_better(first, &problem, &model);
        assert!(
            checked_cost(&problem, &model, &roster_of(&model, &kept))
                <= first_cost.min(second_cost) + 0.5
        );
        assert!(kept.bound.unwrap() >= first_bound.max(second_bound) - 1e-9);
    }

    /// A limit of 8 s runs the quarter first: two ascents, unless the first stage proves its
    /// roster (the ascent's bound seldom proves a week of 200 cases in 2 s); the roster
    /// returned is valid and no worse than the greedy one.
    #[test]
    fn a_limit_of_eight_seconds_is_worked_in_two_stages() {
        let (problem, mut model, greedy) = week(200, 100, 60, 1);
        let bounds = Arc::new(Mutex::new(0));
        let counted = Arc::clone(&bounds);
        let options = SolveOptions {
            progress: Some(Progress(Arc::new(move |phase| {
                if phase == Phase::Bound {
                    *counted.lock().unwrap() += 1;
                }
            }))),
            ..SolveOptions::default()
        };
        let limit = 4.0 * STAGE_QUARTER_SECS;
        let ascent = by_ascent(
            &problem,
            &mut model,
            &greedy,
            limit,
            Clock::now(),
            &mut HashSet::new(),
            &options,
        )
        .unwrap();
        let cost = checked_cost(&problem, &model, &roster_of(&model, &ascent));
        assert!(cost <= checked_cost(&problem, &model, &greedy) + 0.5);
        let bound = ascent.bound.expect("a bound");
        assert!(bound <= cost + 0.5, "{bound} above {cost}");
        let stages = *bounds.lock().unwrap();
        let proven_first = ascent.gap().is_some_and(|g| g < 1.0);
        assert!(
            stages == 2 || stages == 1 && proven_first,
            "{stages} ascents"
        );
    }
}
