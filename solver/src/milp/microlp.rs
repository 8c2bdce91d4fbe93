//! The microlp backend (pure Rust, the default): one MILP solve, warm-started, with rounds
//! of Gomory cuts at its root (the vendored microlp, `vendor/microlp/VENDORED.md`), run in
//! slices so that the cancel flag is seen.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use good_lp::SolverModel;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::model::Model;
use super::time::{Deadline, Search, Stall};
use super::{RawSolution, SolveError, SolveOptions, SolveStatus};

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// How long one microlp call runs before the solve looks at its cancel flag again. microlp
/// takes a time limit but has no interrupt, so a MILP runs in slices: each is resumed from
/// where the last stopped (its branch-and-bound tree and incumbent are kept).
const MICROLP_SLICE: Duration = Duration::from_millis(250);

/// Rounds of Gomory mixed-integer cuts at the root of a microlp MILP (the vendored
/// microlp, `vendor/microlp/VENDORED.md`), and the most cuts a round adds. microlp makes no
/// cuts of its own; on the restricted MILPs that prove held-out M and busy-month rosters,
/// these close most of the gap between the LP bound and the optimum (M seed 4's proof MILP,
/// written out and cut the same way in Python: 27.9 units to 0.6), which microlp's
/// branching closed slowly or not at all in a minute. With 10 rounds of 100 (and
/// [`GOMORY_MAX_GAP`]), microlp proved 5 of M seeds 1-10 at 60 s instead of 2 or 3, and 4 of
/// busy-month seeds 1-5 with a median of 5.1 s instead of 12-18 s (`docs/performance.md`,
/// "Gomory cuts for microlp"). Other settings tried at 30-40 s on some of M seeds 2-5, 9
/// and 10 (5 x 50, 5 x 200, 20 x 100, 30 x 30, 30 x 100) proved nothing more; 20 x 100
/// took seed 4 from 3.1 s to 5.7 s.
const GOMORY_ROUNDS: usize = 10;
const GOMORY_CUTS_PER_ROUND: usize = 100;

/// Root cuts only while the warm start is within this many objective units of the root
/// LP bound. Gomory cuts close proof gaps of tens or hundreds of units; a gap of a case
/// held late (about 1,000,000 units) is beyond them, and there they only slow the search
/// for rosters: busy-month seed 1's proof round (a 1,470,000-unit gap) found no better
/// roster in 58 s with them, and ended 508,516 units above the optimum instead of 449.
const GOMORY_MAX_GAP: f64 = 10_000.0;

/// Root cuts only for MILPs of at most this many columns: each cut rebuilds microlp's
/// matrix, and the windows' and first rounds' MILPs at 600 cases and more are larger.
const GOMORY_UP_TO: usize = 10_000;

/// A MILP run for its proof ([`Search::Proof`]: a restricted MILP of every candidate that
/// could beat the roster, a whole model) of at most this many columns restarts when an
/// attempt has not ended in its time. The first attempt may take [`RESTART_FIRST`], later
/// ones that time the next term of the Luby sequence ([`luby`]: 1, 1, 2, 1, 1, 2, 4, …);
/// every attempt finishes its root, is offered the best roster so far as its warm start
/// and, from the second on, has the rows in another order (shuffled by the attempt's
/// number, so runs repeat), every other one without the model's cut rows
/// ([`WITHOUT_CUTS_EVERY`]); the deadline ends the last one. The roster kept is the
/// cheapest of the attempts, the bound the highest (each holds for the same MILP).
///
/// microlp often searches a restart without the roster it is offered: it rejects the
/// earlier attempt's values (their float noise in the continuous columns) or drops a start
/// whose own solve outlasts a [`MICROLP_SLICE`] (all 14 restarts of M seed 3's proof
/// MILP). Restarts made to keep it proved no more, and M seed 24 less often
/// (`docs/performance.md`, "Restarts and their roster").
///
/// microlp's branch and bound on the proof MILPs of M seed 2 and busy-month seed 1 was fast
/// or hopeless from run to run: its search follows the order of the rows, which decides the
/// root basis and the cuts read off it. The same proof MILPs with the rows shuffled were
/// proven in a few seconds under some orders and not in 40 s under others
/// (`docs/performance.md`, "Restarts for microlp's proofs"). Larger proof MILPs (the last
/// try at 600 cases and more) take seconds for their root alone and keep one attempt.
const RESTART_UP_TO: usize = GOMORY_UP_TO;

/// Of the attempts at a restarting MILP, every this many (the 2nd, 4th, …) is solved
/// without the model's cut rows (the clique and Gomory cuts of the whole model's LP,
/// `Model::cuts`); microlp still adds its own root Gomory cuts. Those rows are dense: a
/// node's LP with them took 0.38 ms a simplex iteration on M seed 2's proof MILP, against
/// 0.05 ms without. An attempt without them has a weaker root and 8× the nodes, and the
/// bound it proves holds for the same MILP (the cuts only tighten it). M seed 12, whose
/// proof microlp never closed in 60 s with the cuts in every attempt (five runs), was
/// proven in three runs of three with them left out of every other attempt (13.2, 52.5 and
/// 47.0 s; `docs/performance.md`, "Every other restart without the LP's cut rows").
const WITHOUT_CUTS_EVERY: u64 = 2;

/// The time the first attempt of a restarting MILP has before it may restart, and the
/// unit of the later attempts' times ([`luby`]).
const RESTART_FIRST: Duration = Duration::from_secs(2);

/// The Luby sequence (1, 1, 2, 1, 1, 2, 4, 1, 1, 2, …) from `i = 1`: restart lengths that
/// are within a log factor of the best fixed length, whatever the distribution of the
/// attempts' running times (Luby, Sinclair and Zuckerman, 1993).
fn luby(i: u64) -> u64 {
    let mut i = i.max(1);
    loop {
        // The smallest k with 2^k - 1 >= i.
        let k = 64 - i.leading_zeros();
        let full = u64::MAX >> (64 - k);
        if i == full {
            return 1 << (k - 1);
        }
        i -= (1u64 << (k - 1)) - 1;
    }
}

/// How one microlp attempt at a MILP ended: its best roster (objective and column values),
/// its bound, and why it stopped.
struct Attempt {
    values: Option<(f64, Vec<f64>)>,
    bound: Option<f64>,
    reason: microlp::TerminationReason,
}

impl Attempt {
    /// Takes in a later attempt at the same MILP: the cheaper roster, the higher bound and
    /// the later attempt's reason to stop (proven optimal when it was).
    fn or_better(&mut self, later: Attempt) {
        if let Some((z, _)) = &later.values {
            if self.values.as_ref().is_none_or(|(best, _)| z < best) {
                self.values = later.values;
            }
        }
        self.bound = super::higher_bound(self.bound, later.bound);
        self.reason = later.reason;
    }
}

/// microlp's variables for columns `0..n`. A microlp variable is its creation order
/// ([`microlp::Variable::idx`]) and good_lp creates one per column in column order, but
/// its wrapper does not hand them out; the warm start and the values need them.
fn microlp_columns(n: usize) -> Vec<microlp::Variable> {
    let mut scratch = microlp::Problem::new(microlp::OptimizationDirection::Minimize);
    (0..n).map(|_| scratch.add_var(0.0, (0.0, 1.0))).collect()
}

/// Solves `model` with microlp, warm-started from `warm`, until it is proven, `time_limit`
/// seconds have passed, the cancel flag is raised (seen within [`MICROLP_SLICE`]) or, in a
/// search for better rosters ([`Search::Rosters`]), the search has stopped finding them
/// ([`Stall`], seen within a slice).
/// The objective is integral, so a node is pruned once its bound cannot beat the best
/// roster by a whole unit ([`Model::integral_prune_epsilon`]): microlp's own slack is float
/// noise.
///
/// A MILP run for better rosters (a window of days, a late-cases neighbourhood, the first
/// restricted MILP) first gets clique cuts at the optimum of its own LP relaxation
/// ([`with_own_clique_cuts`]). A MILP run for its proof ([`Search::Proof`]) of up to
/// [`RESTART_UP_TO`] columns restarts with its rows in another order (every other time
/// without the model's cut rows) when an attempt takes longer than its share
/// ([`RESTART_FIRST`] times the Luby sequence).
pub(super) fn solve_microlp(
    model: &Model,
    warm: &[f64],
    time_limit: f64,
    search: Search,
    options: &SolveOptions,
) -> Result<RawSolution, SolveError> {
    solve_restarting_after(
        model,
        warm,
        time_limit,
        search,
        options,
        RESTART_FIRST,
        true,
    )
}

/// [`solve_microlp`], whose first attempt may restart after `first`, and whose attempts run
/// microlp's own root Gomory cuts only with `root_cuts` (tests shorten the one and switch
/// off the other: those cuts run at a root only when microlp has no roster yet or one
/// within [`GOMORY_MAX_GAP`] of the bound, which on the tests' instances depended on the
/// time slices, and where they ran they closed the MILP at its root, so that a test
/// counting restarts passed or failed with the machine's load).
fn solve_restarting_after(
    model: &Model,
    warm: &[f64],
    time_limit: f64,
    search: Search,
    options: &SolveOptions,
    first: Duration,
    root_cuts: bool,
) -> Result<RawSolution, SolveError> {
    const NAME: &str = "microlp";
    let stall = search.stall();
    let deadline = Deadline::in_secs(time_limit.max(0.05));
    let tightened = stall.and_then(|_| {
        let lp_deadline = Deadline::in_secs(time_limit.max(0.05) * OWN_CUTS_SHARE);
        with_own_clique_cuts(model, lp_deadline, options)
    });
    let model = tightened.as_ref().unwrap_or(model);
    let stopped = || deadline.passed() || options.cancelled();
    // One attempt: a solve from `warm` with the rows in the model's order (attempt 0) or
    // shuffled by the attempt's number, until `until` once its root is done (then it may
    // restart), or until the deadline.
    let run = |cuts: bool, attempt: u64, warm: &[f64], until: Deadline| {
        // A slice ends at the attempt's own end too, until that has passed (its root
        // then finishes in whole slices).
        let slice = || {
            let left = if until.passed() {
                deadline.left()
            } else {
                deadline.left().min(until.left())
            };
            left.clamp(Duration::from_millis(1), MICROLP_SLICE)
        };
        catch_unwind(AssertUnwindSafe(|| {
            let lp = model.lp_with(cuts);
            let columns = microlp_columns(lp.col_vars.len());
            let mut built = good_lp::solvers::microlp::microlp(lp.vars.minimise(lp.objective));
            let mut constraints = lp.constraints;
            if attempt > 0 {
                constraints.shuffle(&mut ChaCha8Rng::seed_from_u64(attempt));
            }
            for c in constraints {
                built.add_constraint(c);
            }
            let mut first = microlp::SolveOptions::default();
            first.mip_gap = options.mip_gap;
            first.tolerances.prune_epsilon = model.integral_prune_epsilon();
            first.time_limit = Some(slice());
            if root_cuts && model.n_vars() <= GOMORY_UP_TO {
                first.gomory_rounds = GOMORY_ROUNDS;
                first.gomory_cuts_per_round = GOMORY_CUTS_PER_ROUND;
                first.gomory_max_gap = GOMORY_MAX_GAP;
            }
            first.warm_start = (warm.len() == columns.len())
                .then(|| columns.iter().copied().zip(warm.iter().copied()).collect());
            let mut progress = stall.map(Stall::new);
            let mut outcome = built.as_inner().solve_with(first)?;
            let mut best = outcome.solution().map(|s| s.objective());
            while matches!(
                outcome.termination_reason(),
                microlp::TerminationReason::TimeLimit
            ) && !stopped()
                && !progress.is_some_and(|p| p.stalled())
                // The attempt's time is up once its root is done (a restart may follow).
                && (!until.passed() || outcome.stats().nodes_solved == 0)
            {
                let mut next = outcome.last_resume_options();
                next.time_limit = Some(slice());
                outcome = outcome.resume_with(next)?;
                if let Some(p) = progress
                    .as_mut()
                    .filter(|_| outcome.stats().nodes_solved > 0)
                {
                    p.searching();
                }
                let found = outcome.solution().map(|s| s.objective());
                // The objective is integral: a better roster is better by a unit.
                if found.is_some_and(|z| best.is_none_or(|b| z < b - 0.5)) {
                    best = found;
                    if let Some(p) = progress.as_mut() {
                        p.improved();
                    }
                }
            }
            let stats = outcome.stats();
            let reason = outcome.termination_reason();
            let values = outcome.solution().map(|s| {
                let values: Vec<f64> = columns.iter().map(|&v| s.var_value(v)).collect();
                (s.objective(), values)
            });
            Ok::<_, microlp::Error>(Attempt {
                values,
                bound: stats.best_bound,
                reason,
            })
        }))
    };
    let attempt = |number: u64, warm: &[f64], until: Deadline| {
        // Every other restart leaves out the cut rows of the whole model's LP
        // ([`WITHOUT_CUTS_EVERY`]).
        let cuts = number % WITHOUT_CUTS_EVERY != WITHOUT_CUTS_EVERY - 1;
        let result = run(cuts, number, warm, until);
        // microlp's factorisation can go singular with cuts in the model (dense Gomory cuts
        // from the LP relaxation, `milp::gomory`): the same MILP without them, in the time
        // left, rather than a failed backend. The cuts only tighten; the rows as built are
        // the model.
        if matches!(result, Ok(Err(microlp::Error::InternalError(_))))
            && cuts
            && !model.cuts().is_empty()
            && !deadline.passed()
        {
            return run(false, number, warm, until);
        }
        result
    };
    let restarts = search == Search::Proof && model.n_vars() <= RESTART_UP_TO;
    // Attempt `number` (from 0) may take `first` times the Luby sequence's term.
    let until = |number: u64| {
        if restarts {
            Deadline::in_secs(first.as_secs_f64() * luby(number + 1) as f64)
        } else {
            deadline
        }
    };
    let mut result = attempt(0, warm, until(0));
    if let (true, Ok(Ok(best))) = (restarts, &mut result) {
        let mut number = 0;
        while matches!(best.reason, microlp::TerminationReason::TimeLimit) && !stopped() {
            number += 1;
            options.report(super::Phase::Restart {
                attempt: number as usize + 1,
            });
            let from = best.values.as_ref().map_or(warm, |(_, values)| values);
            match attempt(number, from, until(number)) {
                Ok(Ok(next)) => best.or_better(next),
                // A failed restart leaves the attempts before it as they were.
                _ => break,
            }
        }
    }
    match result {
        Err(payload) => Err(SolveError::BackendPanicked {
            backend: NAME,
            message: panic_message(payload),
        }),
        Ok(Err(microlp::Error::Infeasible)) => Err(SolveError::Infeasible(format!(
            "{NAME} proved it infeasible"
        ))),
        Ok(Err(e)) => Err(SolveError::Backend {
            backend: NAME,
            message: e.to_string(),
        }),
        Ok(Ok(Attempt {
            values,
            bound,
            reason,
        })) => Ok(RawSolution {
            status: match reason {
                microlp::TerminationReason::ProvenOptimal => SolveStatus::Optimal,
                microlp::TerminationReason::MipGap => SolveStatus::GapLimit,
                _ => SolveStatus::TimeLimit,
            },
            // None: interrupted before any incumbent (the warm start was rejected).
            values,
            best_bound: bound,
        }),
    }
}

/// Rounds of clique cuts a roster-seeking microlp MILP gets at its own LP optimum.
const OWN_CUT_ROUNDS: usize = 3;

/// Share of a roster-seeking MILP's time limit its own LP and clique cuts may take.
const OWN_CUTS_SHARE: f64 = 0.5;

/// `model` with clique cuts (`milp::cuts`) separated at the optimum of its own LP relaxation
/// (solved by microlp): up to [`OWN_CUT_ROUNDS`] rounds, while a round finds cuts and the
/// one before raised the LP by at least [`super::cuts::MIN_GAIN`]. None when no cut is
/// found, the LP is not solved by `deadline` or refuses a row (the model is then solved as
/// it is). The LP is built through `RestrictedLp::add_cut`, the rows' one rule for microlp.
///
/// A restricted MILP keeps only the candidates of a neighbourhood, so its LP relaxation is
/// not the whole model's, and the cuts found for the whole model miss its fractional
/// points. On the 2,000-case 4-week seed 1, in a run that ended in the 0.77% basin (a case
/// held late), the first late-cases neighbourhood's MILP (9,241 columns, written out) had
/// an LP 393,063 units below its optimum; HiGHS found the optimum, 1,012,896 units below
/// the warm start, in 0.8 s, and microlp found 492,297 of them in 20 s. Clique cuts by the
/// same rule, three rounds of them (28, separated in a script at HiGHS' LP solutions), left
/// the LP 700 units below the optimum, and microlp then came within 2 units of it in 1.1 s
/// (`docs/performance.md`, "Clique cuts at a neighbourhood's own LP").
pub(super) fn with_own_clique_cuts(
    model: &Model,
    deadline: Deadline,
    options: &SolveOptions,
) -> Option<Model> {
    use super::reduced::{Change, RestrictedLp};
    let n = model.candidates.len();
    // The LP's columns are the model's, so a row's terms carry over as they are.
    let lp_terms = |row: &super::model::Row| -> Vec<(usize, f64)> {
        row.terms
            .iter()
            .map(|&(j, c)| (j as usize, f64::from(c)))
            .collect()
    };
    let mut lp = MicrolpLp::new(deadline, options);
    lp.costs = model.costs.clone();
    for row in &model.rows {
        lp.add_cut(row, &lp_terms(row)).ok()?;
    }
    let conflicts = super::cuts::Conflicts::new(model);
    let mut seen = std::collections::HashSet::new();
    let mut tightened: Option<Model> = None;
    let mut before: Option<f64> = None;
    let mut change = Change::First;
    for _ in 0..OWN_CUT_ROUNDS {
        let Ok(Some(optimum)) = lp.solve(change) else {
            break;
        };
        if before.is_some_and(|b| optimum.objective - b < super::cuts::MIN_GAIN) {
            break;
        }
        before = Some(optimum.objective);
        let cuts = super::cuts::cliques(&conflicts, &optimum.columns[..n], &mut seen);
        if cuts.is_empty() {
            break;
        }
        let with_cuts = tightened.get_or_insert_with(|| model.clone());
        for cut in cuts {
            lp.add_cut(&cut, &lp_terms(&cut)).ok()?;
            with_cuts.add_cut(cut);
        }
        change = Change::Cuts;
    }
    tightened
}

/// How long one simplex call of the restricted LP runs before the cancel flag is looked at
/// again.
const LP_SLICE: Duration = Duration::from_millis(100);

/// A row of the restricted LP: its terms (LP column, coefficient) and bounds.
struct LpRow {
    terms: Vec<(usize, f64)>,
    lower: f64,
    upper: f64,
}

/// A row as microlp takes it: terms, comparison, right-hand side.
type MicrolpRow = (Vec<(usize, f64)>, microlp::ComparisonOp, f64);

/// The restricted LP of the column generation (`milp::reduced`) in microlp (the vendored
/// copy's `Relaxation`, which gives row duals and its basis). microlp's LP cannot grow, so
/// each solve builds it afresh from the columns and rows so far and starts from the last
/// optimal basis (new columns at zero, new rows' slacks basic): after a pricing round that
/// basis is still primal feasible (new rows hold only new columns, at zero), after a round of
/// cuts still dual feasible, so the simplex goes on from where it was.
pub(super) struct MicrolpLp<'a> {
    costs: Vec<f64>,
    rows: Vec<LpRow>,
    /// The last LP solved to its optimum (none before the first, or after a solve that
    /// was not).
    solved: Option<microlp::Relaxation>,
    deadline: Deadline,
    options: &'a SolveOptions,
}

impl<'a> MicrolpLp<'a> {
    pub fn new(deadline: Deadline, options: &'a SolveOptions) -> Self {
        Self {
            costs: Vec::new(),
            rows: Vec::new(),
            solved: None,
            deadline,
            options,
        }
    }

    fn stopped(&self) -> bool {
        self.deadline.passed() || self.options.cancelled()
    }

    /// The LP as rows microlp takes (every row of the model is one-sided or an equality),
    /// starting from `basis` when given.
    fn problem(
        &self,
        basis: Option<&microlp::RelaxationBasis>,
    ) -> Result<microlp::Relaxation, microlp::Error> {
        let rows: Vec<MicrolpRow> = self
            .rows
            .iter()
            .map(
                |LpRow {
                     terms,
                     lower,
                     upper,
                 }| {
                    let (op, rhs) = if lower == upper {
                        (microlp::ComparisonOp::Eq, *lower)
                    } else if upper.is_finite() {
                        (microlp::ComparisonOp::Le, *upper)
                    } else {
                        (microlp::ComparisonOp::Ge, *lower)
                    };
                    (terms.clone(), op, rhs)
                },
            )
            .collect();
        let bounds = vec![(0.0, 1.0); self.costs.len()];
        let mut lp = microlp::Relaxation::new(&self.costs, &bounds, &rows)?;
        if let Some(basis) = basis {
            // A basis that does not factorise leaves the LP at its all-slack basis: slower,
            // not wrong.
            let _ = lp.start_from(basis);
        }
        Ok(lp)
    }
}

fn lp_error(e: impl std::fmt::Display) -> SolveError {
    SolveError::Backend {
        backend: "microlp",
        message: format!("LP relaxation: {e}"),
    }
}

impl super::reduced::RestrictedLp for MicrolpLp<'_> {
    /// Up to 8 rounds: microlp's optimal vertex is not HiGHS', and its cuts are weaker
    /// round for round (M seed 7: one round of 73 raised the LP by 446 units where HiGHS'
    /// one round of 47 raised it by 149,545; three rounds closed it to 2). All the cuts a
    /// round finds, whatever their terms: at 3,000 terms half of M seed 7's were dropped.
    const GOMORY: super::gomory::Settings = super::gomory::Settings {
        rounds: 8,
        cuts: 200,
        max_terms: usize::MAX,
    };

    fn add_row(&mut self, lower: f64, upper: f64) -> Result<(), SolveError> {
        if lower.is_finite() && upper.is_finite() && lower != upper {
            return Err(lp_error("a row bounded on both sides"));
        }
        self.rows.push(LpRow {
            terms: Vec::new(),
            lower,
            upper,
        });
        Ok(())
    }

    fn add_column(&mut self, cost: f64, entries: &[(usize, f64)]) -> Result<(), SolveError> {
        let j = self.costs.len();
        for &(r, c) in entries {
            self.rows
                .get_mut(r)
                .ok_or_else(|| lp_error("a column in a row the LP does not have"))?
                .terms
                .push((j, c));
        }
        self.costs.push(cost);
        Ok(())
    }

    fn add_cut(
        &mut self,
        row: &super::model::Row,
        terms: &[(usize, f64)],
    ) -> Result<(), SolveError> {
        self.add_row(row.lower, row.upper)?;
        if let Some(last) = self.rows.last_mut() {
            last.terms.extend_from_slice(terms);
        }
        Ok(())
    }

    fn solve(
        &mut self,
        _change: super::reduced::Change,
    ) -> Result<Option<super::reduced::LpOptimum>, SolveError> {
        let basis = self.solved.take().map(|lp| lp.basis());
        let run = |basis: Option<&microlp::RelaxationBasis>| {
            catch_unwind(AssertUnwindSafe(|| {
                let mut lp = self.problem(basis)?;
                loop {
                    if lp.solve(LP_SLICE)? {
                        return Ok(Some(lp));
                    }
                    if self.stopped() {
                        return Ok(None);
                    }
                }
            }))
        };
        let mut outcome = run(basis.as_ref());
        // A numerical failure from the last basis (a singular factorisation after dense cuts:
        // busy-month seed 1's fifth round of Gomory cuts): once more from the all-slack basis,
        // then the column generation ends with the best bound so far.
        if basis.is_some() && !matches!(outcome, Ok(Ok(_)) | Ok(Err(microlp::Error::Infeasible))) {
            outcome = run(None);
            if !matches!(outcome, Ok(Ok(_))) {
                return Ok(None);
            }
        }
        let mut lp = match outcome {
            Err(payload) => {
                return Err(SolveError::BackendPanicked {
                    backend: "microlp",
                    message: panic_message(payload),
                })
            }
            Ok(Err(microlp::Error::Infeasible)) | Ok(Ok(None)) => return Ok(None),
            Ok(Err(e)) => return Err(lp_error(e)),
            Ok(Ok(Some(lp))) => lp,
        };
        let optimum = super::reduced::LpOptimum {
            objective: lp.objective(),
            columns: lp.values(),
            duals: lp.row_duals(),
            reduced_costs: None,
        };
        self.solved = Some(lp);
        Ok(Some(optimum))
    }

    fn gomory_cuts(
        &mut self,
        model: &Model,
        lp: &super::gomory::Lp,
        settings: super::gomory::Settings,
    ) -> Result<Vec<super::model::Row>, String> {
        let Some(solved) = self.solved.as_mut() else {
            return Err("no solved LP to cut from".into());
        };
        let basis = solved.basis();
        let mut tableau = MicrolpTableau {
            lp: solved,
            basis: &basis,
            rows: self.rows.len(),
            columns: self.costs.len(),
        };
        super::gomory::separate(&mut tableau, model, lp, settings)
    }
}

/// microlp's optimal basis for `milp::gomory`.
struct MicrolpTableau<'a> {
    lp: &'a mut microlp::Relaxation,
    basis: &'a microlp::RelaxationBasis,
    rows: usize,
    columns: usize,
}

impl super::gomory::Tableau for MicrolpTableau<'_> {
    fn basic_columns(&mut self) -> Result<Vec<Option<usize>>, String> {
        Ok(self.lp.basic_columns())
    }

    fn statuses(&mut self) -> Result<(Vec<super::gomory::At>, Vec<super::gomory::At>), String> {
        let at = |s: microlp::BasisStatus| match s {
            microlp::BasisStatus::AtLower => super::gomory::At::Lower,
            microlp::BasisStatus::Basic => super::gomory::At::Basic,
            microlp::BasisStatus::AtUpper => super::gomory::At::Upper,
        };
        Ok((
            (0..self.columns)
                .map(|j| at(self.basis.column(j)))
                .collect(),
            (0..self.rows).map(|i| at(self.basis.row(i))).collect(),
        ))
    }

    fn inverse_row(&mut self, position: usize, rho: &mut [f64]) -> Result<(), String> {
        let row = self.lp.basis_inverse_row(position);
        if row.len() != rho.len() {
            return Err("a basis inverse row of the wrong length".into());
        }
        rho.copy_from_slice(&row);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::cuts::{one_a_case, pair};
    use super::*;

    fn options() -> SolveOptions {
        SolveOptions::default()
    }

    /// The whole model of a generated two-week instance (`cases`, `mediators`, 15 venues,
    /// seed 3) with `options`' weights.
    fn two_weeks(cases: usize, mediators: usize, options: &SolveOptions) -> Model {
        use crate::generate::{generate, GenerateParams};
        let input = generate(&GenerateParams {
            weeks: 2,
            ..GenerateParams::week(cases, mediators, 15, 3)
        });
        let problem = crate::validate::validate(&input).unwrap().problem;
        super::super::build::build(
            &problem,
            crate::candidates::generate(&problem, &options.weights),
            options,
        )
    }

    /// Four candidates of four cases, each worth one unit: 0, 1 and 2 conflict pairwise
    /// across three rows, so the LP holds each at ½ (1.5 units) where a roster holds one;
    /// 3 conflicts with nothing.
    fn triangle() -> Model {
        let mut model = Model::with_capacity(4);
        for _ in 0..4 {
            model.add_candidate(-1.0);
        }
        model.rows.push(pair(0, 1));
        model.rows.push(pair(1, 2));
        model.rows.push(pair(0, 2));
        model.candidates = one_a_case(4);
        model
    }

    /// The triangle's LP is cut at its own optimum: the cut holds the three, every roster
    /// of the model still meets the tightened one (and no other point does), and the LP
    /// point of ½s no longer does.
    #[test]
    fn a_restricted_models_own_lp_optimum_is_cut_by_a_clique() {
        let model = triangle();
        let tightened = with_own_clique_cuts(&model, Deadline::in_secs(10.0), &options())
            .expect("the LP of ½s is cut");
        // One row more than the model's own (built by hand, its rows all count as cuts).
        assert_eq!(tightened.rows.len(), model.rows.len() + 1);
        let cut = tightened.rows.last().expect("the cut");
        let members: Vec<u32> = cut.terms.iter().map(|&(j, _)| j).collect();
        assert_eq!(members, vec![0, 1, 2]);
        for bits in 0..16u32 {
            let x: Vec<f64> = (0..4).map(|j| f64::from((bits >> j) & 1)).collect();
            assert_eq!(model.satisfies(&x), tightened.satisfies(&x), "{x:?}");
        }
        let halves = [0.5, 0.5, 0.5, 1.0];
        assert!(model.satisfies(&halves) && !tightened.satisfies(&halves));
        // A model whose LP is integral gets no cut.
        let mut single = triangle();
        single.rows.truncate(1);
        assert!(with_own_clique_cuts(&single, Deadline::in_secs(10.0), &options()).is_none());
    }

    /// On a generated two-week instance the cuts found at the whole model's own LP hold at
    /// the roster microlp proves optimal without them, and with them (the solve for better
    /// rosters, with a stall) microlp reaches that same optimum.
    #[test]
    fn own_clique_cuts_keep_the_optimum_of_a_generated_instance() {
        let options = options();
        let model = two_weeks(60, 30, &options);
        let warm = vec![0.0; model.n_vars()];
        let plain = solve_microlp(&model, &warm, 60.0, Search::Proof, &options).unwrap();
        assert_eq!(plain.status, SolveStatus::Optimal);
        let (optimum, values) = plain.values.expect("a roster");
        let tightened = with_own_clique_cuts(&model, Deadline::in_secs(30.0), &options)
            .expect("the LP of a two-week instance is fractional");
        assert!(!tightened.cuts().is_empty());
        assert!(tightened.satisfies(&values), "a cut removes the optimum");
        let stalled = solve_microlp(
            &model,
            &warm,
            60.0,
            Search::Rosters(Duration::from_secs(30)),
            &options,
        )
        .unwrap();
        let (found, _) = stalled.values.expect("a roster");
        assert!((found - optimum).abs() < 0.5, "{found} against {optimum}");
    }

    #[test]
    fn attempts_take_the_luby_sequence_of_times() {
        let terms: Vec<u64> = (1..=16).map(luby).collect();
        assert_eq!(terms, [1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8, 1]);
        assert_eq!(luby(0), 1);
        assert_eq!(luby(u64::MAX), 1 << 63);
    }

    #[test]
    fn of_two_attempts_the_cheaper_roster_the_higher_bound_and_the_later_reason_are_kept() {
        use microlp::TerminationReason::{ProvenOptimal, TimeLimit};
        let attempt = |z: Option<f64>, bound: Option<f64>, reason| Attempt {
            values: z.map(|z| (z, vec![z])),
            bound,
            reason,
        };
        let mut first = attempt(Some(10.0), Some(4.0), TimeLimit);
        first.or_better(attempt(Some(12.0), Some(6.0), TimeLimit));
        assert_eq!(first.values, Some((10.0, vec![10.0])));
        assert_eq!(first.bound, Some(6.0));
        first.or_better(attempt(None, None, TimeLimit));
        assert_eq!(first.values, Some((10.0, vec![10.0])));
        assert_eq!(first.bound, Some(6.0));
        first.or_better(attempt(Some(9.0), Some(9.0), ProvenOptimal));
        assert_eq!(first.values, Some((9.0, vec![9.0])));
        assert_eq!(first.bound, Some(9.0));
        assert!(matches!(first.reason, ProvenOptimal));
        let mut none = attempt(None, None, TimeLimit);
        none.or_better(attempt(Some(3.0), Some(1.0), TimeLimit));
        assert_eq!(
            (none.values.map(|v| v.0), none.bound),
            (Some(3.0), Some(1.0))
        );
    }

    /// A MILP whose attempts may take 20 ms (times the Luby sequence) before they restart
    /// (with the rows shuffled) restarts, and still ends proven at the optimum one attempt
    /// finds, with a roster of that cost that meets every row. (A two-week instance whose
    /// whole model microlp, without its root Gomory cuts, does not prove in 20 ms.)
    #[test]
    fn a_milp_restarted_many_times_still_proves_its_optimum() {
        let restarts = restarted_at_the_optimum(&two_weeks(80, 20, &options()));
        assert!(restarts > 0, "no restart");
    }

    /// With cut rows in the model, the second attempt (and every other one after) is solved
    /// without them: the restarted MILP still ends proven at the optimum a single attempt
    /// with them proves, with a roster that meets every row. The cuts here are copies of
    /// the model's rows over candidates only (every roster meets them, and they leave the
    /// MILP as hard as it was, so that it restarts).
    #[test]
    fn attempts_without_the_cut_rows_prove_the_same_optimum() {
        let mut model = two_weeks(80, 20, &options());
        let candidates = model.candidates.len();
        let copies: Vec<_> = model
            .rows
            .iter()
            .filter(|row| {
                row.terms.len() > 1 && row.terms.iter().all(|&(j, _)| (j as usize) < candidates)
            })
            .cloned()
            .collect();
        for row in copies {
            model.add_cut(row);
        }
        assert!(!model.cuts().is_empty(), "no row over candidates only");
        let restarts = restarted_at_the_optimum(&model);
        assert!(
            restarts >= WITHOUT_CUTS_EVERY as usize,
            "too few restarts: {restarts}"
        );
    }

    /// Solves `model` once as a proof MILP (it must be proven), then again with attempts
    /// that may restart every 20 ms times the Luby sequence, without microlp's root Gomory
    /// cuts (with them, these instances close at the root or not depending on the time
    /// slices: see `solve_restarting_after`): that too must end proven, at the same
    /// optimum, with a roster that meets every row (the cuts among them). The number of
    /// restarts.
    fn restarted_at_the_optimum(model: &Model) -> usize {
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::new()));
        let options = SolveOptions {
            progress: Some(super::super::Progress::new({
                let seen = seen.clone();
                move |p| seen.lock().unwrap().push(p)
            })),
            ..options()
        };
        let warm = vec![0.0; model.n_vars()];
        let once = solve_microlp(model, &warm, 60.0, Search::Proof, &options).unwrap();
        assert_eq!(once.status, SolveStatus::Optimal);
        let (optimum, _) = once.values.expect("a roster");
        seen.lock().unwrap().clear();
        let first = Duration::from_millis(20);
        let restarted =
            solve_restarting_after(model, &warm, 60.0, Search::Proof, &options, first, false)
                .unwrap();
        assert_eq!(restarted.status, SolveStatus::Optimal);
        let (found, values) = restarted.values.expect("a roster");
        assert!((found - optimum).abs() < 0.5, "{found} against {optimum}");
        assert!(model.satisfies(&values));
        assert!((model.cost_of(&values) - found).abs() < 0.5);
        assert!(restarted
            .best_bound
            .is_some_and(|b| (b - optimum).abs() < 0.5));
        let phases = seen.lock().unwrap();
        phases
            .iter()
            .filter(|p| matches!(p, super::super::Phase::Restart { .. }))
            .count()
    }
}
