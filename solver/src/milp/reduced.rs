//! Reduced-cost fixing: solve the LP relaxation of the whole model once, then the MILP over
//! only the candidates that could still appear in a roster better than the best one known.
//!
//! The LP optimum `z_LP` with reduced costs `d` bounds every roster `x` from below:
//! `cost(x) ≥ z_LP + Σ_{d_j > 0} d_j x_j` (LP duality, with every column in [0, 1]). So a
//! roster holding a candidate `j` costs at least `z_LP + d_j`. The first restricted MILP
//! keeps the candidates the LP uses and those with `d_j ≈ 0` (the LP is nearly integral, so
//! this small model finds a roster close to the bound in a fraction of a second); later
//! ones keep the candidates with `d_j ≤ threshold`. Every round also keeps the best roster
//! so far, which is its warm start. When its roster costs `z` and every left-out candidate has
//! `z_LP + d_j > z − 1` (the objective is integral), no left-out candidate can improve on
//! it: the restricted optimum is the optimum of the whole model. Otherwise the threshold is
//! raised to `z − z_LP` and the MILP solved again. The bound reported is never more than
//! `z_LP + min_{left out} d_j`, so it stays a true bound even when the time limit stops the
//! search early.
//!
//! On the 200-case week the LP bound is within a hundred units of the optimum while the
//! reduced costs of most candidates are in the thousands, so the restricted MILP has a small
//! fraction of the columns and none of the root cut rounds that dominate the full solve.

use std::collections::HashMap;
use std::time::Instant;

use super::{build, solve_highs, Model, RawSolution, SolveOptions, SolveStatus};
use super::{extract_indices, highs_error, load_highs};
use crate::model::{InterpreterIdx, Problem};

/// The first threshold, in objective units: a day of urgency on a pressing case is 310,
/// a road km is 4 to 10.
pub(super) const FIRST_THRESHOLD: f64 = 100.0;

/// Slack for floating-point noise in the LP's reduced costs, in objective units.
const NOISE: f64 = 0.5;

/// Rounds of "restrict, solve, widen" before giving up on the proof.
const MAX_ROUNDS: usize = 4;

/// What the staged solve produced: the backend's answer on the model it was given, that
/// model (its columns are what the values refer to), and the rounds it took.
pub(super) struct Reduced {
    pub raw: RawSolution,
    pub model: Model,
    pub lp_bound: f64,
    pub lp_seconds: f64,
    pub rounds: usize,
}

/// The LP relaxation's optimum, with the value and reduced cost of every candidate.
struct Relaxation {
    objective: f64,
    reduced_costs: Vec<f64>,
    values: Vec<f64>,
}

/// The LP relaxation of `model`, or none when HiGHS could not solve it to optimality within
/// the time limit.
fn relaxation(
    model: &Model,
    time_limit: f64,
    options: &SolveOptions,
) -> Result<Option<Relaxation>, super::SolveError> {
    let mut inner = load_highs(model, time_limit, options)?;
    inner
        .try_set_option("solve_relaxation", true)
        .map_err(|e| highs_error(format!("option solve_relaxation: {e:?}")))?;
    // The simplex polls its interrupt callback often enough: no worker thread is needed.
    let watch = super::interrupt::Watch::new(time_limit, options.cancel.clone(), model.n_vars());
    super::interrupt::install(&mut inner, &watch).map_err(highs_error)?;
    let solved = inner
        .try_solve()
        .map_err(|e| highs_error(format!("LP relaxation failed: {e:?}")))?;
    if solved.status() != highs::HighsModelStatus::Optimal {
        return Ok(None);
    }
    let solution = solved.get_solution();
    let duals = solution.dual_columns();
    if duals.len() != model.n_vars() {
        return Ok(None);
    }
    // Candidates are the model's first columns, in order (see `build`).
    let n = model.candidates.len();
    Ok(Some(Relaxation {
        objective: solved.objective_value(),
        reduced_costs: duals[..n].to_vec(),
        values: solution.columns()[..n].to_vec(),
    }))
}

/// Solves `full` through its LP relaxation and restricted MILPs. Returns none when the
/// relaxation is not available in time (the caller then solves the whole model).
pub(super) fn solve(
    problem: &Problem,
    full: &Model,
    warm_chosen: &[(usize, Option<InterpreterIdx>)],
    time_limit: f64,
    options: &SolveOptions,
) -> Result<Option<Reduced>, super::SolveError> {
    let started = Instant::now();
    let Some(lp) = relaxation(full, time_limit, options)? else {
        return Ok(None);
    };
    let (lp_bound, reduced) = (lp.objective, &lp.reduced_costs);
    let lp_seconds = started.elapsed().as_secs_f64();
    // The best roster so far (indices into `full`), kept in every round as the warm start.
    let mut best: Vec<(usize, Option<InterpreterIdx>)> = warm_chosen.to_vec();
    let mut in_warm = vec![false; full.candidates.len()];
    // Published meetings are always kept: the cap on changes counts them.
    let published: Vec<bool> = full
        .candidates
        .iter()
        .map(|c| problem.cases[c.case].published == Some(c.booking()))
        .collect();
    // The first round keeps the LP's own choices and their ties: the LP is nearly integral,
    // so this small MILP finds a roster close to the bound fast. Later rounds keep every
    // candidate below a reduced-cost threshold.
    let mut threshold = NOISE;
    let mut rounds = 0;
    loop {
        rounds += 1;
        for &(i, _) in &best {
            in_warm[i] = true;
        }
        let keep = |i: usize| {
            reduced[i] <= threshold
                || in_warm[i]
                || published[i]
                || (rounds == 1 && lp.values[i] > 1e-6)
        };
        let kept: Vec<usize> = (0..full.candidates.len()).filter(|&i| keep(i)).collect();
        // Every roster that holds a left-out candidate costs at least this much.
        let left_out_bound = (0..full.candidates.len())
            .filter(|&i| !keep(i))
            .map(|i| lp_bound + reduced[i] - NOISE)
            .fold(f64::INFINITY, f64::min);
        let position: HashMap<usize, usize> =
            kept.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        let sub = build(
            problem,
            kept.iter().map(|&i| full.candidates[i]).collect(),
            options,
        );
        let sub_warm_chosen: Vec<(usize, Option<InterpreterIdx>)> =
            best.iter().map(|&(i, k)| (position[&i], k)).collect();
        let sub_warm = sub.assignment(problem, &sub_warm_chosen);
        let remaining = (time_limit - started.elapsed().as_secs_f64()).max(0.05);
        let mut raw = match solve_highs(&sub, &sub_warm, remaining, options) {
            // Too few candidates kept for the model's requirements: keep more.
            Err(super::SolveError::Infeasible(_)) if kept.len() < full.candidates.len() => {
                threshold = FIRST_THRESHOLD.max(threshold * 4.0);
                if started.elapsed().as_secs_f64() >= time_limit || rounds == MAX_ROUNDS {
                    return Ok(None);
                }
                continue;
            }
            other => other?,
        };
        if raw.values.is_none() && rounds > 1 {
            // The warm start is the previous round's roster: still the best known.
            let z = sub_warm
                .iter()
                .zip(sub.col_costs())
                .map(|(v, c)| v * c)
                .sum();
            raw.values = Some((z, sub_warm.clone()));
        }
        // A roster costs at least the LP bound, and either holds only kept candidates (at
        // least the restricted model's bound) or a left-out one.
        let restricted_bound = raw.best_bound.unwrap_or(lp_bound);
        raw.best_bound = Some(lp_bound.max(restricted_bound.min(left_out_bound)));
        let incumbent = raw.values.as_ref().map(|(z, _)| *z);
        if let Some((_, values)) = &raw.values {
            best = extract_indices(&sub, values)
                .into_iter()
                .map(|(k, interpreter)| (kept[k], interpreter))
                .collect();
        }
        let proven = incumbent.is_some_and(|z| left_out_bound > z - 1.0);
        let close_enough = match (incumbent, raw.best_bound) {
            (Some(z), Some(b)) => options.mip_gap > 0.0 && z - b <= options.mip_gap * z.abs(),
            _ => false,
        };
        let out_of_time = started.elapsed().as_secs_f64() >= time_limit;
        if proven
            || close_enough
            || out_of_time
            || rounds == MAX_ROUNDS
            || kept.len() == full.candidates.len()
        {
            if !proven && raw.status == SolveStatus::Optimal {
                // Optimal on the restricted model only.
                raw.status = SolveStatus::TimeLimit;
            }
            return Ok(Some(Reduced {
                raw,
                model: sub,
                lp_bound,
                lp_seconds,
                rounds,
            }));
        }
        // A left-out candidate might still improve on `z`: keep every one that could.
        let z = incumbent.unwrap_or(f64::INFINITY);
        threshold = if z.is_finite() {
            (z - lp_bound + 2.0 * NOISE).max(threshold * 2.0)
        } else {
            FIRST_THRESHOLD.max(threshold * 2.0)
        };
    }
}
