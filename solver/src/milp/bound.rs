//! The Lagrangian bound behind LP pricing and reduced-cost fixing (`milp::reduced`).
//!
//! It needs no backend: any row duals of the right signs give a true bound on every
//! roster, which is what lets pricing stop early (at a deadline) and still report a valid
//! bound and fix candidates against it.

use std::ops::Range;

use rayon::prelude::*;

use super::fixing::Relaxation;
use super::model::{Columns, Model};
use super::time::Deadline;

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
    let runs = case_runs(model);
    let cheapest = cheapest_by_case(&runs, reduced_costs);
    let Some((bound, case_term)) =
        value(model, &model.case_row_mask(), y, reduced_costs, &cheapest)
    else {
        return (f64::NEG_INFINITY, vec![0.0; n]);
    };
    let dual_of_case = |c: usize| model.case_rows[c].map_or(0.0, |r| y[r]);
    let above = model
        .candidates
        .par_iter()
        .enumerate()
        .map(|(j, cand)| dual_of_case(cand.case) + reduced_costs[j] - case_term[cand.case])
        .collect();
    (bound, above)
}

/// Each case's candidates, one run of indices per case: candidates come case by case
/// (`candidates::generate`, and restricted models keep that order).
pub(super) fn case_runs(model: &Model) -> Vec<Range<usize>> {
    let candidates = &model.candidates;
    debug_assert!(candidates.windows(2).all(|w| w[0].case <= w[1].case));
    (0..model.case_rows.len())
        .map(|c| {
            candidates.partition_point(|m| m.case < c)..candidates.partition_point(|m| m.case <= c)
        })
        .collect()
}

/// The `k` candidates of `among` of least `value` (all of them when there are no more), in
/// no particular order.
pub(super) fn least(among: impl IntoIterator<Item = usize>, value: &[f64], k: usize) -> Vec<usize> {
    let mut list: Vec<usize> = among.into_iter().collect();
    if list.len() > k && k > 0 {
        list.select_nth_unstable_by(k - 1, |&a, &b| value[a].total_cmp(&value[b]));
        list.truncate(k);
    }
    list
}

/// Each case's candidate of least reduced cost (none for a case without candidates).
fn cheapest_by_case(runs: &[Range<usize>], d: &[f64]) -> Vec<Option<usize>> {
    runs.par_iter()
        .map(|run| run.clone().min_by(|&a, &b| d[a].total_cmp(&d[b])))
        .collect()
}

/// The Lagrangian bound of `y` (see [`lagrangian`]) from the reduced costs `d` and each
/// case's cheapest candidate, with each case's term `min(0, u_c + m_c)`; none when a dual
/// leans on a row's infinite side (the bound is −∞).
fn value(
    model: &Model,
    is_case_row: &[bool],
    y: &[f64],
    d: &[f64],
    cheapest: &[Option<usize>],
) -> Option<(f64, Vec<f64>)> {
    let n = model.candidates.len();
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
            return None;
        }
        bound += y[r] * rhs;
    }
    bound += d[n..].iter().map(|d| d.min(0.0)).sum::<f64>();
    let case_term: Vec<f64> = cheapest
        .iter()
        .enumerate()
        .map(|(c, j)| {
            j.map_or(0.0, |j| {
                (model.case_rows[c].map_or(0.0, |r| y[r]) + d[j]).min(0.0)
            })
        })
        .collect();
    bound += case_term.iter().sum::<f64>();
    Some((bound, case_term))
}

/// The reduced cost of every column at row duals `y`: `c_j − Σ_r y_r a_rj` (the column
/// generation and the tests; the ascent fills its own vector with [`reduced_costs_into`]).
pub(super) fn reduced_costs(model: &Model, columns: &Columns, y: &[f64]) -> Vec<f64> {
    let mut d = vec![0.0; model.n_vars()];
    reduced_costs_into(model, columns, y, &mut d);
    d
}

/// [`reduced_costs`] written into `d` (one per column), which saves a second vector of
/// them while the old one is still held.
fn reduced_costs_into(model: &Model, columns: &Columns, y: &[f64], d: &mut [f64]) {
    d.par_iter_mut()
        .enumerate()
        .for_each(|(j, dj)| *dj = reduced_cost(model, columns, y, j));
}

/// The reduced cost of column `j` at row duals `y`.
fn reduced_cost(model: &Model, columns: &Columns, y: &[f64], j: usize) -> f64 {
    let priced: f64 = columns
        .of(j)
        .map(|(r, c)| y[r as usize] * f64::from(c))
        .sum();
    model.costs[j] - priced
}

/// Steps without a better bound before the step length shrinks.
const PATIENCE: usize = 20;

/// Above this many candidates (the 4-week ladder rung has 5.3 M) the LP takes too long even
/// by column generation: with either backend the bound comes from the subgradient ascent
/// alone, without cuts (it is still climbing at its deadline).
pub(super) const LARGE_ABOVE: usize = 1_000_000;

/// Share of the time left after the model and the greedy roster that the ascent (and its
/// rounds of cuts) may take: always with microlp, and with HiGHS above [`LARGE_ABOVE`]
/// candidates. With a tenth, microlp's bound at XL was 0.37% below HiGHS' (with a quarter it
/// matches it), and at L 500–1,000 units below the optimum (240–260 with a quarter).
pub(super) const ASCENT_SHARE: f64 = 0.25;

/// Steps between two pricings of every column; the steps in between price only each
/// case's [`SHORTLIST`] cheapest candidates (and every auxiliary column).
const REFRESH: usize = 20;

/// Candidates of each case priced between two full pricings, cheapest first.
const SHORTLIST: usize = 100;

/// The Lagrangian's minimiser at some duals and what it gives: the bound, the columns at 1
/// (each case at its cheapest candidate when that is below zero, every other column when it
/// costs less than nothing) and each row's activity under them.
struct Point {
    bound: f64,
    held: Vec<usize>,
    activity: Vec<f64>,
}

/// Prices columns for the ascent: every column (a true bound), or only the shortlist.
struct Pricer<'a> {
    model: &'a Model,
    columns: Columns,
    is_case_row: Vec<bool>,
    runs: Vec<Range<usize>>,
    /// Each case's shortlist, as one run per case in `listed`.
    listed: Vec<usize>,
    listed_runs: Vec<Range<usize>>,
    /// Reduced costs; exact for every column after a full pricing, else for the listed
    /// candidates and the auxiliary columns only.
    d: Vec<f64>,
}

impl<'a> Pricer<'a> {
    fn new(model: &'a Model) -> Self {
        let runs = case_runs(model);
        Self {
            columns: model.columns(),
            is_case_row: model.case_row_mask(),
            // The first point is a full pricing, which makes the lists.
            listed_runs: Vec::new(),
            listed: Vec::new(),
            runs,
            d: vec![0.0; model.n_vars()],
            model,
        }
    }

    /// The minimiser at `y`. With `full`, every column is priced (the bound is true) and
    /// each case's shortlist is chosen again; otherwise only the shortlist is, and the bound
    /// may be too high (a left-out candidate may be cheaper). None when the bound is −∞.
    fn point(&mut self, y: &[f64], full: bool) -> Option<Point> {
        let model = self.model;
        let n = model.candidates.len();
        if full {
            reduced_costs_into(model, &self.columns, y, &mut self.d);
            let d = &self.d;
            let lists: Vec<Vec<usize>> = self
                .runs
                .par_iter()
                .map(|run| least(run.clone(), d, SHORTLIST))
                .collect();
            self.listed.clear();
            self.listed_runs.clear();
            for list in lists {
                let from = self.listed.len();
                self.listed.extend(list);
                self.listed_runs.push(from..self.listed.len());
            }
        } else {
            let priced: Vec<(usize, f64)> = self
                .listed
                .par_iter()
                .copied()
                .chain((n..model.n_vars()).into_par_iter())
                .map(|j| (j, reduced_cost(model, &self.columns, y, j)))
                .collect();
            for (j, dj) in priced {
                self.d[j] = dj;
            }
        }
        let d = &self.d;
        let listed = &self.listed;
        let cheapest: Vec<Option<usize>> = self
            .listed_runs
            .iter()
            .map(|run| {
                listed[run.clone()]
                    .iter()
                    .copied()
                    .min_by(|&a, &b| d[a].total_cmp(&d[b]))
            })
            .collect();
        let (bound, _) = value(model, &self.is_case_row, y, d, &cheapest)?;
        let mut held: Vec<usize> = cheapest
            .iter()
            .enumerate()
            .filter_map(|(c, j)| {
                let j = (*j)?;
                let u = model.case_rows[c].map_or(0.0, |r| y[r]);
                (u + d[j] < 0.0).then_some(j)
            })
            .collect();
        held.extend((n..model.n_vars()).filter(|&k| d[k] < 0.0));
        let mut activity = vec![0.0; model.rows.len()];
        for &j in &held {
            for (r, c) in self.columns.of(j) {
                activity[r as usize] += f64::from(c);
            }
        }
        Some(Point {
            bound,
            held,
            activity,
        })
    }

    /// How far `activity` leaves each row's bounds, where the dual at `y` may move that way
    /// (zero on case rows, which stay constraints).
    fn direction(&self, y: &[f64], activity: &[f64]) -> Vec<f64> {
        self.model
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                if self.is_case_row[r] {
                    0.0
                } else if row.lower == row.upper {
                    row.lower - activity[r]
                } else if row.upper.is_finite() {
                    let g = row.upper - activity[r];
                    if y[r] < 0.0 || g < 0.0 {
                        g
                    } else {
                        0.0
                    }
                } else {
                    let g = row.lower - activity[r];
                    if y[r] > 0.0 || g > 0.0 {
                        g
                    } else {
                        0.0
                    }
                }
            })
            .collect()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Subgradient ascent on the Lagrangian dual (each case's row kept): a true bound on every
/// roster without any LP solver, for microlp, which gives no dual values. `upper` is the
/// cost of a known roster (the greedy one), the target of the step length.
///
/// The steps follow the volume algorithm (Barahona and Anbil, 2000): the direction is the
/// subgradient of an average of the minimisers rather than of the last one, which damps the
/// zig-zag of plain subgradient steps; a step that does not raise the bound is not taken,
/// and the step length grows while steps keep improving and shrinks after [`PATIENCE`]
/// that do not (after each one, until a step first succeeds). Most steps price only each
/// case's shortlist of cheapest candidates; every [`REFRESH`] steps, and at the end, every
/// column is priced, which gives a true bound and a new shortlist. The average of the
/// minimisers approximates the LP's solution: it is returned as the candidates' values.
/// Stops at `deadline`, on `cancel`, after `max_rounds` steps or when the step length
/// vanishes; returns the best true bound with its fixing values. Starts from the duals
/// `start` (one per row), or from zero.
pub(super) fn subgradient(
    model: &Model,
    upper: f64,
    deadline: Deadline,
    max_rounds: usize,
    start: Option<&[f64]>,
    cancel: Option<&super::CancelFlag>,
) -> Option<Relaxation> {
    let n = model.candidates.len();
    if model.n_vars() == 0 {
        return None;
    }
    let mut pricer = Pricer::new(model);
    let mut y = match start {
        Some(y) if y.len() == model.rows.len() => y.to_vec(),
        _ => vec![0.0; model.rows.len()],
    };
    let mut centre = pricer.point(&y, true)?;
    let (mut best, mut best_y) = (centre.bound, y.clone());
    let mut average = centre.activity.clone();
    // The average minimiser, stored as `weights / scale` so a step costs only its own
    // columns.
    let mut weights = vec![0.0f64; n];
    let mut scale = 1.0f64;
    for &j in centre.held.iter().filter(|&&j| j < n) {
        weights[j] = 1.0;
    }
    const ALPHA: f64 = 0.1;
    let mut rounds = 1;
    let mut length = 0.1;
    let mut since_better = 0;
    let mut since_full = 0;
    let mut refresh = 4;
    let mut climbed = false;
    while rounds < max_rounds
        && !deadline.passed()
        && !cancel.is_some_and(super::CancelFlag::is_cancelled)
        && upper - best >= 1.0
    {
        if since_full >= refresh {
            // The centre's true bound, and new shortlists around it.
            since_full = 0;
            centre = pricer.point(&y, true)?;
            if centre.bound > best {
                (best, best_y) = (centre.bound, y.clone());
                refresh = (refresh * 2).min(REFRESH);
            } else {
                // The shortlists missed cheaper candidates: back to the best true point,
                // with shorter steps and fuller pricing.
                y.clone_from(&best_y);
                centre = pricer.point(&y, true)?;
                refresh = (refresh / 2).max(1);
                length *= 0.5;
            }
        }
        let v = pricer.direction(&y, &average);
        let norm = dot(&v, &v);
        if norm == 0.0 {
            // The average minimiser is feasible: no direction left to climb.
            break;
        }
        let t = length * (upper - centre.bound).max(1.0) / norm;
        let trial: Vec<f64> = model
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| row.feasible_dual(y[r] + t * v[r]))
            .collect();
        rounds += 1;
        since_full += 1;
        let Some(point) = pricer.point(&trial, false) else {
            break;
        };
        // The share of the new minimiser in the average: the one that makes the averaged
        // direction shortest, within [ALPHA / 10, ALPHA].
        let g = pricer.direction(&trial, &point.activity);
        let diff: Vec<f64> = v.iter().zip(&g).map(|(a, b)| a - b).collect();
        let dd = dot(&diff, &diff);
        let alpha = if dd > 0.0 {
            (dot(&v, &diff) / dd).clamp(ALPHA / 10.0, ALPHA)
        } else {
            ALPHA
        };
        for (a, p) in average.iter_mut().zip(&point.activity) {
            *a = alpha * p + (1.0 - alpha) * *a;
        }
        scale *= 1.0 - alpha;
        if scale < 1e-200 {
            weights.iter_mut().for_each(|w| *w *= scale);
            scale = 1.0;
        }
        for &j in point.held.iter().filter(|&&j| j < n) {
            weights[j] += alpha / scale;
        }
        if point.bound > centre.bound {
            // A better bound: move there, and lengthen the step while the new subgradient
            // still points the same way.
            climbed = true;
            since_better = 0;
            if dot(&g, &v) >= 0.0 {
                length = (length * 1.1).min(2.0);
            }
            y = trial;
            centre = point;
        } else {
            since_better += 1;
            if since_better >= if climbed { PATIENCE } else { 1 } {
                length *= 0.66;
                since_better = 0;
            }
            if length < 1e-6 {
                break;
            }
        }
    }
    if since_full > 0 {
        // The last centre was priced over its shortlist only.
        if let Some(last) = pricer.point(&y, true) {
            if last.bound > best {
                best_y = y;
            }
        }
    }
    let mut d = std::mem::take(&mut pricer.d);
    reduced_costs_into(model, &pricer.columns, &best_y, &mut d);
    // The pricer's copy of the matrix is not needed for the fixing values.
    drop(pricer);
    let (bound, fixing) = lagrangian(model, &best_y, &d);
    // In place: at 8 million candidates a second vector is 64 MB.
    let mut values = weights;
    for w in &mut values {
        let x = *w * scale;
        *w = if x < 0.05 { 0.0 } else { x };
    }
    bound.is_finite().then(|| Relaxation {
        objective: bound,
        reduced_costs: fixing,
        values,
        columns: 0,
        rounds,
        converged: false,
        // Every candidate was priced: round 1 may keep any of them.
        in_lp: vec![true; n],
        cuts: model.cuts().len(),
        duals: best_y,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::milp::build::build;
    use crate::milp::{solve, SolveOptions, SolveStatus};
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

    /// The ascent's bound on the shipped week is a true bound that climbs above the bound of
    /// zero duals, and its fixing values keep the optimal roster's candidates within it.
    #[test]
    fn subgradient_ascent_climbs_and_stays_a_true_bound() {
        let json = include_str!("../../../fixtures/week-2026-12-07.json");
        let problem = parse_problem(json).unwrap().problem;
        let options = SolveOptions::default();
        let solved = solve(&problem, &options).unwrap();
        let candidates = crate::candidates::generate(&problem, &options.weights);
        let model = build(&problem, candidates, &options);
        let optimum = solved.summary.objective - model.constant;
        let (zero, _) = lagrangian(&model, &vec![0.0; model.rows.len()], &model.costs);
        let deadline = Deadline::in_secs(30.0);
        let relaxed = subgradient(&model, optimum + 10_000.0, deadline, 5_000, None, None).unwrap();
        assert!(
            relaxed.objective <= optimum + 1e-6,
            "{} > {optimum}",
            relaxed.objective
        );
        assert!(
            relaxed.objective > zero,
            "{} not above {zero}",
            relaxed.objective
        );
        for c in &solved.chosen {
            let j = model.candidates.iter().position(|m| m == c).unwrap();
            assert!(relaxed.objective + relaxed.reduced_costs[j] <= optimum + 1e-6);
        }
    }
}
