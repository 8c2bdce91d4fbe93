//! Reduced-cost fixing: bound the whole model through its LP relaxation, then solve the
//! MILP over only the candidates that could still appear in a roster better than the best
//! one known.
//!
//! The LP relaxation is solved by column generation (`relaxation`): HiGHS gets a few
//! candidates per case, and the row duals price the rest, which never enter HiGHS unless
//! they could lower the LP. Any row duals `y` of the right signs give a Lagrangian bound
//! `L(y)` with, for each candidate `j`, a value `a_j ≥ 0` such that every roster holding `j`
//! costs at least `L(y) + a_j` (`milp::bound`). At the LP optimum `L(y)` is the LP's
//! optimum; before it (a deadline stopped pricing) it is still a true bound.
//!
//! The first restricted MILP keeps the candidates the LP uses and those with `a_j ≈ 0` (the
//! LP is nearly integral, so this small model finds a roster close to the bound fast); later
//! ones keep the candidates with `a_j ≤ threshold`. Every round also keeps the best roster
//! so far, which is its warm start. When its roster costs `z` and every left-out candidate
//! has `L + a_j > z − 1` (the objective is integral), no left-out candidate can improve on
//! it: the restricted optimum is the optimum of the whole model. Otherwise the threshold is
//! raised to `z − L` and the MILP solved again. The bound reported is never more than
//! `L + min_{left out} a_j`, so it stays a true bound even when the time limit stops the
//! search early.
//!
//! On the 200-case week the LP bound is within a hundred units of the optimum while the
//! values `a_j` of most candidates are in the thousands, so the restricted MILP has a small
//! fraction of the columns and none of the root cut rounds that dominate the full solve.

use std::collections::HashSet;

use super::fixing::{Reduced, Relaxation, Staged};
use super::highs::{apply_highs_options, highs_error, solve_highs};
use super::model::{Col, Columns, Model};
use super::time::{Clock, Deadline};
use super::{CancelFlag, RawSolution, SolveOptions, SolveStatus};
use crate::model::{InterpreterIdx, Problem};

/// Share of the time limit the LP relaxation may take; the MILP rounds then start from the
/// best bound priced so far.
const LP_SHARE: f64 = 0.6;

/// Candidates of each case in the first LP, cheapest first.
const FIRST_PER_CASE: usize = 12;

/// Candidates of each case a pricing round may add, lowest reduced cost first.
const ADD_PER_CASE: usize = 50;

/// Pricing stops when the LP's optimum over the columns it has is within this many objective
/// units of the bound over every column.
const BOUND_TOLERANCE: f64 = 0.5;

/// The most columns a pricing round adds beyond doubling the LP (small LPs).
const MIN_ADD: usize = 2_000;

/// The most candidates a restricted MILP keeps besides the best roster so far and the
/// published meetings, lowest reduced cost first. A larger MILP would not finish in the
/// time a roster is wanted, and its memory grows with it.
const MAX_KEPT: usize = 60_000;

/// The most meetings in a window of days whose cases a restricted MILP re-plans at once
/// (`milp::fixing`, when the bound is not the LP's optimum).
const WINDOW_CASES: usize = 1000;

/// Rounds of clique cuts (`milp::cuts`) once pricing has converged, while each raises the
/// LP optimum by at least `cuts::MIN_GAIN`.
const CUT_ROUNDS: usize = 20;

/// Rounds of Gomory mixed-integer cuts (`milp::gomory`) once the clique cuts have stopped.
/// One round took busy-month seed 1 from 8.6 s to 1.2 s (its LP gap from 247,490 units to
/// 30); a second round made the held-out M seeds slower (median 0.7 s against 0.65 s, seed 3
/// 5.3 s against 3.9 s): the cuts of a second round are read over the first round's rows,
/// and HiGHS' LP takes longer with them than they save.
const GOMORY_ROUNDS: usize = 1;

/// The most Gomory cuts a round adds, from the most fractional basic candidates. Measured
/// before the cap on a cut's terms (`gomory::MAX_TERMS`): with 25, M seed 7's LP gap stayed
/// at 149,560 units; with 100, the LP took longer and M's median proof rose.
const GOMORY_CUTS: usize = 50;

/// Share of the LP's own time after which no further round of cuts starts. Cuts serve the
/// proof; with a short limit the time goes to the roster instead: L with the second core
/// busy spent 5.7 of 10 s in the LP (177 cuts in 9 rounds), which left one window of days
/// and returned 1.4% above its bound, against 0.7% at 2.5 s.
const CUT_SHARE: f64 = 0.5;

/// HiGHS' `simplex_strategy` values.
const SIMPLEX_DUAL: i32 = 1;
const SIMPLEX_PRIMAL: i32 = 4;

/// A reduced cost below this prices a column into the LP.
const PRICE_TOLERANCE: f64 = 1e-6;

/// The LP relaxation of `model` by column generation, or none when HiGHS could not solve its
/// first restricted LP (too few columns for a `≥` row, or no time).
///
/// HiGHS gets only some columns, and only the rows they are in: the candidates in `initial`
/// (the warm start and published meetings), each case's cheapest few, every fairness step,
/// and the presence and interpreter columns linked to those candidates. After each solve the
/// row duals `y` (zero for a row HiGHS does not have) price every column,
/// `d_j = c_j − Σ_r y_r a_rj`, without it being in HiGHS; the candidates of each case with the
/// lowest negative `d_j` are added with their linked columns and any new rows (HiGHS keeps
/// its basis). The Lagrangian bound of `y` (`milp::bound::lagrangian`) is a true bound on
/// every roster whatever the round. Pricing ends when no column has a negative reduced cost,
/// or the LP's optimum is within [`BOUND_TOLERANCE`] of the bound, or the deadline passes:
/// the round with the best bound is returned, with its per-candidate fixing values. On the
/// 600-case week this solves the LP with 8 % of the columns (28,000 of 374,000).
fn relaxation(
    problem: &Problem,
    model: &mut Model,
    initial: &[usize],
    deadline: Deadline,
    options: &SolveOptions,
) -> Result<Option<Relaxation>, super::SolveError> {
    let n = model.candidates.len();
    let mut columns = model.columns();
    // The columns each row forces along with its positive terms: presence sums, interpreter
    // bookings and fairness steps enter their rows with −1.
    let mut linked: Vec<Vec<u32>> = model
        .rows
        .iter()
        .map(|row| {
            row.terms
                .iter()
                .filter(|&&(_, c)| c < 0.0)
                .map(|&(k, _)| k)
                .collect()
        })
        .collect();
    let mut in_lp = vec![false; model.n_vars()];
    let mut lp_cols: Vec<usize> = Vec::new();
    // Adds column `j` and every column linked to it, once each.
    let enter = |j: usize,
                 in_lp: &mut Vec<bool>,
                 lp_cols: &mut Vec<usize>,
                 columns: &Columns,
                 linked: &[Vec<u32>]|
     -> Vec<usize> {
        let mut entered = Vec::new();
        let mut stack = vec![j];
        while let Some(k) = stack.pop() {
            if in_lp[k] {
                continue;
            }
            in_lp[k] = true;
            lp_cols.push(k);
            entered.push(k);
            for (r, _) in columns.of(k) {
                stack.extend(linked[r as usize].iter().map(|&l| l as usize));
            }
        }
        entered
    };
    let mut first: Vec<usize> = Vec::new();
    let steps: Vec<usize> = model
        .aux_columns()
        .filter(|(_, col)| matches!(col, Col::FairnessStep { .. }))
        .map(|(j, _)| j)
        .collect();
    for j in steps {
        first.extend(enter(j, &mut in_lp, &mut lp_cols, &columns, &linked));
    }
    for &i in initial {
        first.extend(enter(i, &mut in_lp, &mut lp_cols, &columns, &linked));
    }
    let mut by_case: Vec<Vec<usize>> = vec![Vec::new(); problem.cases.len()];
    for (i, c) in model.candidates.iter().enumerate() {
        by_case[c.case].push(i);
    }
    for idx in &mut by_case {
        idx.sort_by(|&a, &b| model.costs[a].total_cmp(&model.costs[b]));
        for &i in idx.iter().take(FIRST_PER_CASE) {
            first.extend(enter(i, &mut in_lp, &mut lp_cols, &columns, &linked));
        }
    }
    // Rows: those of the first columns, and every row that 0 does not satisfy (a `≥` row
    // with a positive bound), so that the restricted LP is never looser than the whole.
    let mut handle: Vec<Option<highs::Row>> = vec![None; model.rows.len()];
    // The model's row of each HiGHS row.
    let mut highs_rows: Vec<usize> = Vec::new();
    let mut pb = highs::ColProblem::default();
    let mut wanted = vec![false; model.rows.len()];
    for &j in &first {
        for (r, _) in columns.of(j) {
            wanted[r as usize] = true;
        }
    }
    for (r, row) in model.rows.iter().enumerate() {
        if wanted[r] || row.lower > 0.0 || row.upper < 0.0 {
            handle[r] = Some(pb.add_row(row.lower..=row.upper));
            highs_rows.push(r);
        }
    }
    let entries =
        |j: usize, handle: &[Option<highs::Row>], columns: &Columns| -> Vec<(highs::Row, f64)> {
            columns
                .of(j)
                .filter_map(|(r, c)| handle[r as usize].map(|h| (h, f64::from(c))))
                .collect()
        };
    for &j in &first {
        pb.add_column(model.costs[j], 0.0..=1.0, entries(j, &handle, &columns));
    }
    let mut inner = pb
        .try_optimise(highs::Sense::Minimise)
        .map_err(|e| highs_error(format!("could not load the LP: {e:?}")))?;
    let time_limit = deadline.left_secs();
    let cut_deadline = Deadline::in_secs(time_limit * CUT_SHARE);
    apply_highs_options(&mut inner, time_limit.max(0.05), options)?;
    let watch = super::interrupt::Watch::new(
        Deadline::in_secs(time_limit),
        options.cancel.clone(),
        0,
        None,
    );
    super::interrupt::install(&mut inner, &watch).map_err(highs_error)?;
    let mut best: Option<Relaxation> = None;
    let mut rounds = 0;
    // Clique cuts (`milp::cuts`): the rows that give conflicts, the cliques found so far,
    // the rounds of cuts and the LP optimum before the last one.
    let mut conflicts = super::cuts::Conflicts::new(model);
    let mut seen = HashSet::new();
    let mut cut_rounds = 0;
    // Once a round of Gomory cuts has run, the rounds of cuts have moved on from cliques.
    let mut gomory_rounds = 0;
    let mut before_cuts: Option<f64> = None;
    loop {
        rounds += 1;
        options.report(super::Phase::LpRelaxation {
            round: rounds,
            columns: lp_cols.len(),
        });
        let solved = inner
            .try_solve()
            .map_err(|e| highs_error(format!("LP relaxation failed: {e:?}")))?;
        if solved.status() != highs::HighsModelStatus::Optimal {
            return Ok(best);
        }
        let solution = solved.get_solution();
        let rows_in = solution.dual_rows();
        if rows_in.len() != highs_rows.len() {
            return Err(highs_error(
                "LP relaxation: a dual value per row is missing".into(),
            ));
        }
        // HiGHS numbers its rows in the order they were added. A dual of the wrong sign is
        // floating-point noise: zero, so that the bound is exact for the duals priced with.
        let mut y = vec![0.0; model.rows.len()];
        for (&r, &dual) in highs_rows.iter().zip(rows_in) {
            y[r] = model.rows[r].feasible_dual(dual);
        }
        let reduced_costs = super::bound::reduced_costs(model, &columns, &y);
        debug_assert!(
            lp_cols
                .iter()
                .zip(solution.dual_columns())
                .all(
                    |(&j, &d)| (reduced_costs[j] - d).abs() <= 1e-6 * model.costs[j].abs().max(1.0)
                ),
            "reduced costs priced from the row duals differ from HiGHS' own"
        );
        let objective = solved.objective_value();
        let (bound, fixing_costs) = super::bound::lagrangian(model, &y, &reduced_costs);
        let mut added = Vec::new();
        for idx in &by_case {
            let mut priced: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&j| !in_lp[j] && reduced_costs[j] < -PRICE_TOLERANCE)
                .collect();
            priced.sort_by(|&a, &b| reduced_costs[a].total_cmp(&reduced_costs[b]));
            added.extend(priced.into_iter().take(ADD_PER_CASE));
        }
        // At most double the LP in a round: a much larger LP from scratch costs more than
        // the rounds it saves (on the 4-week ladder rung).
        let cap = lp_cols.len().max(MIN_ADD);
        if added.len() > cap {
            added.sort_by(|&a, &b| reduced_costs[a].total_cmp(&reduced_costs[b]));
            added.truncate(cap);
        }
        let converged = added.is_empty() || objective - bound < BOUND_TOLERANCE;
        // The LP's value of each candidate (zero for those it does not have).
        let mut values = vec![0.0; n];
        for (&j, &v) in lp_cols.iter().zip(solution.columns()) {
            if j < n {
                values[j] = v;
            }
        }
        if best.as_ref().is_none_or(|b| bound > b.objective) {
            best = Some(Relaxation {
                objective: bound,
                reduced_costs: fixing_costs,
                values: values.clone(),
                in_lp: in_lp[..n].to_vec(),
                columns: lp_cols.len(),
                rounds,
                converged,
                cuts: model.cuts().len(),
                duals: y,
            });
        }
        // Once pricing has converged, cut the LP solution off and go on (the LP optimum
        // with the cuts may price in other columns): clique cuts while they raise the bound
        // by at least an objective unit a round, then Gomory cuts while they do.
        let mut cuts = Vec::new();
        let gained = before_cuts.is_none_or(|b| objective - b >= super::cuts::MIN_GAIN);
        if converged && !cut_deadline.passed() {
            if gomory_rounds == 0 && cut_rounds < CUT_ROUNDS && gained {
                cuts = super::cuts::cliques(&conflicts, &values, &mut seen);
            }
            if cuts.is_empty() && (gomory_rounds == 0 || gained) && gomory_rounds < GOMORY_ROUNDS {
                gomory_rounds += 1;
                let lp = super::gomory::Lp {
                    columns: &lp_cols,
                    rows: &highs_rows,
                    values: solution.columns(),
                };
                // A basis HiGHS cannot give back costs the cuts, not the solve.
                cuts =
                    super::gomory::separate(&solved, model, &lp, GOMORY_CUTS).unwrap_or_default();
            }
        }
        if cuts.is_empty() && (converged || deadline.passed()) {
            return Ok(best);
        }
        inner = highs::Model::from(solved);
        if !cuts.is_empty() {
            if gomory_rounds > 0 {
                options.report(super::Phase::GomoryCuts {
                    round: gomory_rounds,
                    cuts: cuts.len(),
                });
            } else {
                cut_rounds += 1;
                options.report(super::Phase::Cuts {
                    round: cut_rounds,
                    cuts: cuts.len(),
                });
            }
            before_cuts = Some(objective);
            let mut position = vec![usize::MAX; model.n_vars()];
            for (k, &j) in lp_cols.iter().enumerate() {
                position[j] = k;
            }
            for cut in cuts {
                let h = inner
                    .try_add_row(cut.lower..=cut.upper, std::iter::empty())
                    .map_err(|e| highs_error(format!("could not add a cut: {e:?}")))?;
                for &(j, c) in &cut.terms {
                    let k = position[j as usize];
                    if k != usize::MAX {
                        super::coefficients::set(&mut inner, highs_rows.len(), k, f64::from(c))
                            .map_err(highs_error)?;
                    }
                }
                handle.push(Some(h));
                highs_rows.push(model.rows.len());
                linked.push(Vec::new());
                model.add_cut(cut);
            }
            columns = model.columns();
            conflicts = super::cuts::Conflicts::new(model);
            inner
                .try_set_option("simplex_strategy", SIMPLEX_DUAL)
                .map_err(|e| highs_error(format!("option simplex_strategy: {e:?}")))?;
            continue;
        }
        let before = lp_cols.len();
        let mut entering = Vec::new();
        for j in added {
            entering.extend(enter(j, &mut in_lp, &mut lp_cols, &columns, &linked));
        }
        // A few columns more: the primal simplex goes on from the last basis in a few
        // iterations. Many more: the dual simplex from scratch is faster (measured on the
        // 600-case week).
        let strategy = if entering.len() * 10 < before {
            SIMPLEX_PRIMAL
        } else {
            SIMPLEX_DUAL
        };
        inner
            .try_set_option("simplex_strategy", strategy)
            .map_err(|e| highs_error(format!("option simplex_strategy: {e:?}")))?;
        for j in entering {
            for (r, _) in columns.of(j) {
                let r = r as usize;
                if handle[r].is_none() {
                    let row = &model.rows[r];
                    handle[r] = Some(
                        inner
                            .try_add_row(row.lower..=row.upper, std::iter::empty())
                            .map_err(|e| highs_error(format!("could not add a row: {e:?}")))?,
                    );
                    highs_rows.push(r);
                }
            }
            inner
                .try_add_column(model.costs[j], 0.0..=1.0, entries(j, &handle, &columns))
                .map_err(|e| highs_error(format!("could not add a column: {e:?}")))?;
        }
    }
}

/// Solves `full` through its LP relaxation and restricted MILPs, within `time_limit`
/// seconds of `started`. Returns none when the relaxation is not available in time (the
/// caller then solves the whole model).
pub(super) fn solve(
    problem: &Problem,
    full: &mut Model,
    warm_chosen: &[(usize, Option<InterpreterIdx>)],
    started: Clock,
    time_limit: f64,
    options: &SolveOptions,
) -> Result<Staged, super::SolveError> {
    let initial: Vec<usize> = warm_chosen
        .iter()
        .map(|&(i, _)| i)
        .chain((0..full.candidates.len()).filter(|&i| full.candidates[i].is_published(problem)))
        .collect();
    let lp_deadline = started.after_secs(time_limit * LP_SHARE);
    let relaxed = if full.candidates.len() > super::bound::LARGE_ABOVE {
        options.report(super::Phase::Bound);
        let upper = full.cost_of(&full.assignment(problem, warm_chosen));
        let deadline = started.after_secs(time_limit * super::bound::ASCENT_SHARE);
        super::bound::subgradient(
            full,
            upper,
            deadline,
            usize::MAX,
            None,
            options.cancel.as_ref(),
        )
    } else {
        relaxation(problem, full, &initial, lp_deadline, options)?
    };
    let Some(lp) = relaxed else {
        let cancelled = options
            .cancel
            .as_ref()
            .is_some_and(CancelFlag::is_cancelled);
        if !lp_deadline.passed() && !cancelled {
            return Ok(Staged::WholeModel);
        }
        // Not even the first restricted LP in time: the greedy roster stands, unbounded.
        return Ok(Staged::Solved(Box::new(Reduced {
            raw: RawSolution {
                status: SolveStatus::TimeLimit,
                values: None,
                best_bound: None,
            },
            model: None,
            kept: 0,
            lp_bound: None,
            lp_seconds: started.seconds(),
            rounds: 0,
            lp_columns: 0,
            pricing_rounds: 0,
            lp_optimal: false,
            cuts: 0,
        })));
    };
    let lp_seconds = started.seconds();
    super::fixing::rounds(
        problem,
        full,
        warm_chosen,
        lp,
        lp_seconds,
        started.after_secs(time_limit),
        MAX_KEPT,
        MAX_KEPT,
        WINDOW_CASES,
        false,
        options,
        &|sub: &Model, warm: &[f64], limit: f64, stall| {
            solve_highs(sub, warm, limit, stall, options)
        },
    )
}
