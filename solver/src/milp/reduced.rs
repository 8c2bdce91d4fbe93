//! Reduced-cost fixing: bound the whole model through its LP relaxation, then solve the
//! MILP over only the candidates that could still appear in a roster better than the best
//! one known.
//!
//! The LP relaxation is solved by column generation (`relaxation`), in HiGHS or in microlp
//! ([`RestrictedLp`]): the LP gets a few candidates per case, and the row duals price the
//! rest, which never enter the LP unless they could lower it. Any row duals `y` of the right signs give a Lagrangian bound
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

use super::fixing::Relaxation;
#[cfg(feature = "highs")]
use super::fixing::{Reduced, Staged};
#[cfg(feature = "highs")]
use super::highs::solve_highs;
use super::model::{Col, Columns, Model, Row};
#[cfg(feature = "highs")]
use super::time::Clock;
use super::time::Deadline;
#[cfg(feature = "highs")]
use super::{RawSolution, SolveStatus};
use super::{SolveError, SolveOptions};
use crate::model::{InterpreterIdx, Problem};

/// Share of the time limit the LP relaxation may take; the MILP rounds then start from the
/// best bound priced so far.
pub(super) const LP_SHARE: f64 = 0.6;

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
#[cfg(feature = "highs")]
const MAX_KEPT: usize = 60_000;

/// The most meetings in a window of days whose cases a restricted MILP re-plans at once
/// (`milp::fixing`, when the bound is not the LP's optimum).
#[cfg(feature = "highs")]
const WINDOW_CASES: usize = 1000;

/// Rounds of clique cuts (`milp::cuts`) once pricing has converged, while each raises the
/// LP optimum by at least `cuts::MIN_GAIN`.
const CUT_ROUNDS: usize = 20;

/// Share of the LP's own time after which no further round of cuts starts. Cuts serve the
/// proof; with a short limit the time goes to the roster instead: L with the second core
/// busy spent 5.7 of 10 s in the LP (177 cuts in 9 rounds), which left one window of days
/// and returned 1.4% above its bound, against 0.7% at 2.5 s.
const CUT_SHARE: f64 = 0.5;

/// A reduced cost below this prices a column into the LP.
const PRICE_TOLERANCE: f64 = 1e-6;

/// What changed in a restricted LP since it was last solved, for the backend's choice of
/// simplex (HiGHS chooses by it; microlp always goes on from its last basis).
#[cfg_attr(not(feature = "highs"), allow(dead_code))]
#[derive(Clone, Copy)]
pub(super) enum Change {
    /// Nothing: its first solve.
    First,
    /// `entered` columns were added to the `before` it had (and the rows they are in).
    Columns { entered: usize, before: usize },
    /// Cut rows were added.
    Cuts,
}

/// A restricted LP's optimum.
pub(super) struct LpOptimum {
    pub objective: f64,
    /// The value of each LP column.
    pub columns: Vec<f64>,
    /// The dual of each LP row (`d_j = c_j − Σ_r y_r a_rj`).
    pub duals: Vec<f64>,
    /// The reduced cost of each LP column, where the backend gives them (a check of the
    /// duals and of the numbering).
    pub reduced_costs: Option<Vec<f64>>,
}

/// The LP of the column generation, held by a backend that gives its row duals and its
/// optimal basis (HiGHS, `milp::highs`; microlp, `milp::microlp`). Its columns (each in
/// [0, 1]) and rows are numbered in the order they are added.
pub(super) trait RestrictedLp {
    /// The rounds of Gomory cuts the column generation takes once clique cuts stop, and
    /// their size: each backend's LP pays for cuts differently.
    const GOMORY: super::gomory::Settings;
    /// Adds a row `lower ≤ · ≤ upper`, with no terms yet.
    fn add_row(&mut self, lower: f64, upper: f64) -> Result<(), SolveError>;
    /// Adds a column of `cost` with `entries` (LP row, coefficient).
    fn add_column(&mut self, cost: f64, entries: &[(usize, f64)]) -> Result<(), SolveError>;
    /// Adds the cut `row`, its terms on the LP's columns (`(LP column, coefficient)`).
    fn add_cut(&mut self, row: &Row, terms: &[(usize, f64)]) -> Result<(), SolveError>;
    /// Solves the LP as changed by `change`: none when it is not proven optimal (the
    /// deadline passed, the solve was cancelled, or the rows cannot hold).
    fn solve(&mut self, change: Change) -> Result<Option<LpOptimum>, SolveError>;
    /// A round of Gomory mixed-integer cuts (`milp::gomory`) from the basis of the last
    /// solve, which was optimal.
    fn gomory_cuts(
        &mut self,
        model: &Model,
        lp: &super::gomory::Lp,
        settings: super::gomory::Settings,
    ) -> Result<Vec<Row>, String>;
}

/// The LP relaxation of `model` by column generation in `lp` (HiGHS or microlp, the
/// "backend" below), or none when the backend could not solve its first restricted LP (too
/// few columns for a `≥` row, or no time).
///
/// The backend gets only some columns, and only the rows they are in: the candidates of
/// `warm_chosen` (the warm start) and the published meetings, each case's cheapest few, every fairness step,
/// and the presence and interpreter columns linked to those candidates. After each solve the
/// row duals `y` (zero for a row the backend does not have) price every column,
/// `d_j = c_j − Σ_r y_r a_rj`, without it being in the LP; the candidates of each case with
/// the lowest negative `d_j` are added with their linked columns and any new rows (the
/// backend starts from its last basis). The Lagrangian bound of `y` (`milp::bound::lagrangian`) is a true bound on
/// every roster whatever the round. Pricing ends when no column has a negative reduced cost,
/// or the LP's optimum is within [`BOUND_TOLERANCE`] of the bound, or the deadline passes:
/// the round with the best bound is returned, with its per-candidate fixing values. On the
/// 600-case week this solves the LP with 8 % of the columns (28,000 of 374,000).
pub(super) fn relaxation<L: RestrictedLp>(
    problem: &Problem,
    model: &mut Model,
    warm_chosen: &[(usize, Option<InterpreterIdx>)],
    deadline: Deadline,
    options: &SolveOptions,
    lp: &mut L,
) -> Result<Option<Relaxation>, SolveError> {
    let initial = initial_columns(problem, model, warm_chosen);
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
    for &i in &initial {
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
    // The LP row of each model row that it has.
    let mut handle: Vec<Option<usize>> = vec![None; model.rows.len()];
    // The model row of each LP row.
    let mut lp_rows: Vec<usize> = Vec::new();
    let mut wanted = vec![false; model.rows.len()];
    for &j in &first {
        for (r, _) in columns.of(j) {
            wanted[r as usize] = true;
        }
    }
    for (r, row) in model.rows.iter().enumerate() {
        if wanted[r] || row.lower > 0.0 || row.upper < 0.0 {
            lp.add_row(row.lower, row.upper)?;
            handle[r] = Some(lp_rows.len());
            lp_rows.push(r);
        }
    }
    let entries = |j: usize, handle: &[Option<usize>], columns: &Columns| -> Vec<(usize, f64)> {
        columns
            .of(j)
            .filter_map(|(r, c)| handle[r as usize].map(|h| (h, f64::from(c))))
            .collect()
    };
    for &j in &first {
        lp.add_column(model.costs[j], &entries(j, &handle, &columns))?;
    }
    let cut_deadline = Deadline::in_secs(deadline.left_secs() * CUT_SHARE);
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
    let mut change = Change::First;
    loop {
        rounds += 1;
        options.report(super::Phase::LpRelaxation {
            round: rounds,
            columns: lp_cols.len(),
        });
        let Some(solution) = lp.solve(change)? else {
            return Ok(best);
        };
        if solution.duals.len() != lp_rows.len() || solution.columns.len() != lp_cols.len() {
            return Err(SolveError::Backend {
                backend: options.backend.as_str(),
                message: "LP relaxation: a dual value per row or a value per column is missing"
                    .into(),
            });
        }
        // A dual of the wrong sign is floating-point noise: zero, so that the bound is exact
        // for the duals priced with.
        let mut y = vec![0.0; model.rows.len()];
        for (&r, &dual) in lp_rows.iter().zip(&solution.duals) {
            y[r] = model.rows[r].feasible_dual(dual);
        }
        let reduced_costs = super::bound::reduced_costs(model, &columns, &y);
        debug_assert!(
            solution
                .reduced_costs
                .as_ref()
                .is_none_or(|own| lp_cols
                    .iter()
                    .zip(own)
                    .all(|(&j, &d)| (reduced_costs[j] - d).abs()
                        <= 1e-6 * model.costs[j].abs().max(1.0))),
            "reduced costs priced from the row duals differ from the backend's own"
        );
        let objective = solution.objective;
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
        for (&j, &v) in lp_cols.iter().zip(&solution.columns) {
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
            if cuts.is_empty() && (gomory_rounds == 0 || gained) && gomory_rounds < L::GOMORY.rounds
            {
                gomory_rounds += 1;
                let at = super::gomory::Lp {
                    columns: &lp_cols,
                    rows: &lp_rows,
                    values: &solution.columns,
                };
                // A basis the backend cannot give back costs the cuts, not the solve.
                cuts = lp.gomory_cuts(model, &at, L::GOMORY).unwrap_or_default();
            }
        }
        if cuts.is_empty() && (converged || deadline.passed()) {
            return Ok(best);
        }
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
                let terms: Vec<(usize, f64)> = cut
                    .terms
                    .iter()
                    .filter(|&&(j, _)| position[j as usize] != usize::MAX)
                    .map(|&(j, c)| (position[j as usize], f64::from(c)))
                    .collect();
                lp.add_cut(&cut, &terms)?;
                handle.push(Some(lp_rows.len()));
                lp_rows.push(model.rows.len());
                linked.push(Vec::new());
                model.add_cut(cut);
            }
            columns = model.columns();
            conflicts = super::cuts::Conflicts::new(model);
            change = Change::Cuts;
            continue;
        }
        let before = lp_cols.len();
        let mut entering = Vec::new();
        for j in added {
            entering.extend(enter(j, &mut in_lp, &mut lp_cols, &columns, &linked));
        }
        change = Change::Columns {
            entered: entering.len(),
            before,
        };
        for j in entering {
            for (r, _) in columns.of(j) {
                let r = r as usize;
                if handle[r].is_none() {
                    let row = &model.rows[r];
                    lp.add_row(row.lower, row.upper)?;
                    handle[r] = Some(lp_rows.len());
                    lp_rows.push(r);
                }
            }
            lp.add_column(model.costs[j], &entries(j, &handle, &columns))?;
        }
    }
}

/// The candidates every first restricted LP holds: those of the warm start and the
/// published meetings.
fn initial_columns(
    problem: &Problem,
    full: &Model,
    warm_chosen: &[(usize, Option<InterpreterIdx>)],
) -> Vec<usize> {
    warm_chosen
        .iter()
        .map(|&(i, _)| i)
        .chain((0..full.candidates.len()).filter(|&i| full.candidates[i].is_published(problem)))
        .collect()
}

/// Solves `full` through its LP relaxation (HiGHS) and restricted MILPs, within
/// `time_limit` seconds of `started`. Returns none when the relaxation is not available in
/// time (the caller then solves the whole model).
#[cfg(feature = "highs")]
pub(super) fn solve(
    problem: &Problem,
    full: &mut Model,
    warm_chosen: &[(usize, Option<InterpreterIdx>)],
    started: Clock,
    time_limit: f64,
    options: &SolveOptions,
) -> Result<Staged, super::SolveError> {
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
        let mut lp = super::highs::HighsLp::new(lp_deadline, options);
        relaxation(problem, full, warm_chosen, lp_deadline, options, &mut lp)?
    };
    let Some(lp) = relaxed else {
        let cancelled = options.cancelled();
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
        true,
        options,
        &|sub: &Model, warm: &[f64], limit: f64, search| {
            solve_highs(sub, warm, limit, search.stall(), options)
        },
    )
}
