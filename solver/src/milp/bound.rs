//! The Lagrangian bound behind LP pricing and reduced-cost fixing (`milp::reduced`).
//!
//! It needs no backend: any row duals of the right signs give a true bound on every
//! roster, which is what lets pricing stop early (at a deadline) and still report a valid
//! bound and fix candidates against it.

use std::time::Instant;

use super::fixing::Relaxation;
use super::model::Columns;
use super::Model;

/// A row dual this small with the wrong sign is floating-point noise.
const DUAL_NOISE: f64 = 1e-7;

/// The Lagrangian bound of row duals `y` (any `y` of the right signs: `≤ 0` on a `≤` row,
/// `≥ 0` on a `≥` row) with each case's "held at most once" row kept as a constraint, and
/// for each candidate how far above that bound any roster holding it must cost.
///
/// With every other row priced at `y`, a roster costs at least
/// `Σ_r y_r b_r + Σ_cases min(0, u_c + m_c) + Σ_aux min(0, d_k)`, where `u_c` is the dual of
/// the case's row, `d` the reduced costs and `m_c` the least `d_j` among the case's
/// candidates: each case holds at most one candidate, and each auxiliary column lies in
/// [0, 1]. A roster holding candidate `j` of case `c` pays `u_c + d_j` for that case instead
/// of the least, so it costs at least the bound plus `u_c + d_j − min(0, u_c + m_c)`. At the LP
/// optimum the bound is the LP's optimum; before it, it is far tighter than pricing every
/// column on its own, because a case's thousands of candidates count once.
pub(super) fn lagrangian(model: &Model, y: &[f64], reduced_costs: &[f64]) -> (f64, Vec<f64>) {
    let n = model.candidates.len();
    let is_case_row = model.case_row_mask();
    let mut bound = 0.0;
    for (r, row) in model.rows.iter().enumerate() {
        if is_case_row[r] || y[r] == 0.0 {
            continue;
        }
        let rhs = if y[r] < 0.0 { row.upper } else { row.lower };
        if !rhs.is_finite() {
            if y[r].abs() <= DUAL_NOISE {
                // Floating-point noise of the wrong sign on a one-sided row.
                continue;
            }
            return (f64::NEG_INFINITY, vec![0.0; n]);
        }
        bound += y[r] * rhs;
    }
    bound += reduced_costs[n..].iter().map(|d| d.min(0.0)).sum::<f64>();
    let dual_of_case = |c: usize| model.case_rows[c].map_or(0.0, |r| y[r]);
    let mut least = vec![f64::INFINITY; model.case_rows.len()];
    for (j, cand) in model.candidates.iter().enumerate() {
        least[cand.case] = least[cand.case].min(reduced_costs[j]);
    }
    let mut case_term = vec![0.0; least.len()];
    for (c, &m) in least.iter().enumerate() {
        if m.is_finite() {
            case_term[c] = (dual_of_case(c) + m).min(0.0);
            bound += case_term[c];
        }
    }
    let above = model
        .candidates
        .iter()
        .enumerate()
        .map(|(j, cand)| dual_of_case(cand.case) + reduced_costs[j] - case_term[cand.case])
        .collect();
    (bound, above)
}

/// The reduced cost of every column at row duals `y`: `c_j − Σ_r y_r a_rj`.
pub(super) fn reduced_costs(model: &Model, columns: &Columns, y: &[f64]) -> Vec<f64> {
    (0..model.n_vars())
        .map(|j| {
            let priced: f64 = columns
                .of(j)
                .iter()
                .map(|&(r, c)| y[r as usize] * f64::from(c))
                .sum();
            model.costs[j] - priced
        })
        .collect()
}

/// Subgradient ascent on the Lagrangian dual (each case's row kept): a true bound on every
/// roster without any LP solver, for microlp, which gives no dual values. `upper` is the
/// cost of a known roster (the greedy one), which sets the step length (Polyak's rule).
/// Stops at `deadline` or after `max_rounds`; returns the best bound seen.
pub(super) fn subgradient(
    model: &Model,
    upper: f64,
    deadline: Instant,
    max_rounds: usize,
) -> Option<Relaxation> {
    let n = model.candidates.len();
    if model.n_vars() == 0 {
        return None;
    }
    let columns = model.columns();
    let is_case_row = model.case_row_mask();
    let mut by_case: Vec<Vec<usize>> = vec![Vec::new(); model.case_rows.len()];
    for (j, c) in model.candidates.iter().enumerate() {
        by_case[c.case].push(j);
    }
    let mut y = vec![0.0; model.rows.len()];
    let mut best = f64::NEG_INFINITY;
    let mut best_fixing: Vec<f64> = Vec::new();
    let mut best_held = vec![0.0; n];
    let mut rounds = 0;
    let mut step = 2.0;
    let mut since_better = 0;
    for _ in 0..max_rounds {
        if Instant::now() >= deadline {
            break;
        }
        rounds += 1;
        let d = reduced_costs(model, &columns, &y);
        let (bound, fixing) = lagrangian(model, &y, &d);
        let improved = bound > best + 1e-9;
        if improved {
            best = bound;
            best_fixing = fixing;
            since_better = 0;
        } else {
            since_better += 1;
            if since_better >= 10 {
                step /= 2.0;
                since_better = 0;
            }
        }
        if upper - best < 1.0 || step < 1e-4 {
            break;
        }
        // The Lagrangian's minimiser: each case at its cheapest candidate when that is
        // below zero (case duals cancel out), every other column at 1 when it costs less
        // than nothing.
        let mut activity = vec![0.0; model.rows.len()];
        let mut held = Vec::new();
        let mut hold = |j: usize| {
            for &(r, c) in columns.of(j) {
                activity[r as usize] += f64::from(c);
            }
        };
        for idx in &by_case {
            let cheapest = idx.iter().copied().min_by(|&a, &b| d[a].total_cmp(&d[b]));
            if let Some(j) = cheapest {
                let u = model.case_rows[model.candidates[j].case].map_or(0.0, |r| y[r]);
                if u + d[j] < 0.0 {
                    hold(j);
                    held.push(j);
                }
            }
        }
        for (k, &dk) in d.iter().enumerate().skip(n) {
            if dk < 0.0 {
                hold(k);
            }
        }
        if improved {
            best_held.fill(0.0);
            for j in held {
                best_held[j] = 1.0;
            }
        }
        // Each row's subgradient: how far the minimiser leaves its bound.
        let mut g = vec![0.0; model.rows.len()];
        for (r, row) in model.rows.iter().enumerate() {
            if is_case_row[r] {
                continue;
            }
            g[r] = if row.lower == row.upper {
                row.lower - activity[r]
            } else if row.upper.is_finite() {
                if y[r] < 0.0 || activity[r] > row.upper {
                    row.upper - activity[r]
                } else {
                    0.0
                }
            } else if y[r] > 0.0 || activity[r] < row.lower {
                row.lower - activity[r]
            } else {
                0.0
            };
        }
        let norm: f64 = g.iter().map(|v| v * v).sum();
        if norm == 0.0 {
            // The minimiser is feasible: its cost is the optimum of the whole model's
            // relaxation with these duals, and the bound cannot rise.
            break;
        }
        let t = step * (upper - bound).max(1.0) / norm;
        for (r, row) in model.rows.iter().enumerate() {
            if is_case_row[r] {
                continue;
            }
            y[r] = row.feasible_dual(y[r] + t * g[r]);
        }
    }
    best.is_finite().then(|| Relaxation {
        objective: best,
        reduced_costs: best_fixing,
        values: best_held,
        columns: 0,
        rounds,
        converged: false,
        // Every candidate was priced: round 1 may keep any of them.
        in_lp: vec![true; n],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::milp::{build, solve, SolveOptions, SolveStatus};
    use crate::validate::parse_problem;

    /// A tiny deterministic generator (xorshift), so the test needs no extra crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % 1_000_000) as f64 / 1_000_000.0
        }
    }

    /// For row duals of the right signs, drawn at random, the bound never exceeds the
    /// optimum, and the optimal roster's every candidate costs at least the bound plus its
    /// "above" value.
    #[test]
    fn every_sign_feasible_dual_bounds_the_optimum() {
        let json = include_str!("../../../fixtures/week-2026-12-07.json");
        let problem = parse_problem(json).unwrap().problem;
        let options = SolveOptions::default();
        let solved = solve(&problem, &options).unwrap();
        assert_eq!(solved.summary.status, SolveStatus::Optimal);
        let candidates = crate::candidates::generate(&problem, &options.weights);
        let model = build(&problem, candidates, &options);
        let optimum = solved.summary.objective - model.constant;
        let chosen: Vec<usize> = solved
            .chosen
            .iter()
            .map(|c| model.candidates.iter().position(|m| m == c).unwrap())
            .collect();
        let columns = model.columns();
        let mut rng = Rng(0x5eed);
        for round in 0..200 {
            // Scale from tiny to far beyond the costs, so some draws are loose and some
            // make most reduced costs negative.
            let scale = 10f64.powi(round % 8);
            let y: Vec<f64> = model
                .rows
                .iter()
                .map(|row| {
                    // Dense draws, and sparse ones where a few large duals push some
                    // cases' every candidate above zero.
                    let density = if round % 2 == 0 { 0.5 } else { 0.02 };
                    let v = rng.next() * scale * if rng.next() < density { 1.0 } else { 0.0 };
                    if row.lower == row.upper {
                        if rng.next() < 0.5 {
                            v
                        } else {
                            -v
                        }
                    } else if row.upper.is_finite() {
                        -v
                    } else {
                        v
                    }
                })
                .collect();
            let reduced = reduced_costs(&model, &columns, &y);
            let (bound, above) = lagrangian(&model, &y, &reduced);
            assert!(
                bound <= optimum + 1e-6,
                "round {round}: {bound} > {optimum}"
            );
            for &j in &chosen {
                assert!(above[j] >= -1e-9, "round {round}: negative {}", above[j]);
                assert!(
                    bound + above[j] <= optimum + 1e-6,
                    "round {round}: holding {j} bounded at {} > {optimum}",
                    bound + above[j]
                );
            }
        }
        // Zero duals: each case at its cheapest candidate or not held, every other column
        // at its cheapest bound.
        let zero = vec![0.0; model.rows.len()];
        let (bound, _) = lagrangian(&model, &zero, &model.costs);
        let mut by_case = vec![0.0f64; problem.cases.len()];
        for (j, c) in model.candidates.iter().enumerate() {
            by_case[c.case] = by_case[c.case].min(model.costs[j]);
        }
        let aux: f64 = model.costs[model.candidates.len()..]
            .iter()
            .map(|c| c.min(0.0))
            .sum();
        assert!((bound - (by_case.iter().sum::<f64>() + aux)).abs() < 1e-6);
    }
}
