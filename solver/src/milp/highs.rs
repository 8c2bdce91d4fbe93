//! The HiGHS backend (cargo feature `highs`): its options, loading the model, one MILP
//! solve kept to its deadline on a worker thread (`milp::interrupt`), and the entry to
//! reduced-cost fixing through the LP relaxation (`milp::reduced`). Without the feature
//! only the constants and stubs that answer [`SolveError::BackendUnavailable`] remain.

#[cfg(feature = "highs")]
use good_lp::SolverModel;

use super::model::Model;
use super::time::Clock;
#[cfg(feature = "highs")]
use super::time::Deadline;
#[cfg(feature = "highs")]
use super::{fixing_outcome, interrupt, reduced, SolveStatus};
use super::{RawSolution, ReducedOutcome, SolveError, SolveOptions};
use crate::model::{InterpreterIdx, Problem};

/// Threads HiGHS may use. HiGHS keeps one task scheduler per process, sized by the first
/// solve: every solve in the process must ask for the same number, so it is a constant.
pub const HIGHS_THREADS: u32 = 1;

/// HiGHS options chosen by measurement. On the 200-case week, before the venue shortlist
/// existed (153k candidates), HiGHS' defaults found no incumbent in 60 s, while with these
/// two off it reached a roster within 62 units of its bound; since the shortlist, presolve
/// on or off makes no measurable difference there (`docs/performance.md`).
pub const HIGHS_DEFAULTS: [(&str, &str); 2] = [
    ("presolve", "off"),
    ("mip_heuristic_run_feasibility_jump", "false"),
];

/// Models with fewer candidates go straight to the MILP: the LP relaxation would cost
/// more than it saves.
#[cfg(feature = "highs")]
const REDUCED_COST_FIXING_ABOVE: usize = 5_000;

/// Reduced-cost fixing through the LP relaxation (`milp::reduced`), the solve having
/// started at `started` with `time_limit` seconds from then; none when the model is too
/// small for it or it is switched off (the caller then solves the whole model).
#[cfg(feature = "highs")]
pub(super) fn solve_reduced(
    problem: &Problem,
    model: &mut Model,
    warm_chosen: &[(usize, Option<InterpreterIdx>)],
    started: Clock,
    time_limit: f64,
    options: &SolveOptions,
) -> Result<Option<ReducedOutcome>, SolveError> {
    if !options.reduced_cost_fixing || model.candidates.len() <= REDUCED_COST_FIXING_ABOVE {
        return Ok(None);
    }
    let staged = reduced::solve(problem, model, warm_chosen, started, time_limit, options);
    fixing_outcome(model, staged)
}

#[cfg(not(feature = "highs"))]
pub(super) fn solve_reduced(
    _problem: &Problem,
    _model: &mut Model,
    _warm_chosen: &[(usize, Option<InterpreterIdx>)],
    _started: Clock,
    _time_limit: f64,
    _options: &SolveOptions,
) -> Result<Option<ReducedOutcome>, SolveError> {
    Err(SolveError::BackendUnavailable("highs"))
}

/// The model loaded into HiGHS with the options of [`HIGHS_DEFAULTS`], the time limit, the
/// gaps and the caller's extra options.
#[cfg(feature = "highs")]
fn load_highs(
    model: &Model,
    time_limit: f64,
    options: &SolveOptions,
) -> Result<highs::Model, SolveError> {
    let model = model.lp_with(true);
    let mut hp = good_lp::solvers::highs::highs(model.vars.minimise(model.objective));
    for c in model.constraints {
        hp.add_constraint(c);
    }
    let mut inner = hp
        .try_into_inner()
        .map_err(|e| highs_error(format!("could not load the model: {e}")))?;
    apply_highs_options(&mut inner, time_limit, options)?;
    Ok(inner)
}

/// Sets the options of [`HIGHS_DEFAULTS`], the time limit, the gaps and the caller's extra
/// options.
#[cfg(feature = "highs")]
pub(super) fn apply_highs_options(
    inner: &mut highs::Model,
    time_limit: f64,
    options: &SolveOptions,
) -> Result<(), SolveError> {
    inner.make_quiet();
    let numbers: [(&str, f64); 3] = [
        ("time_limit", time_limit),
        ("mip_rel_gap", options.mip_gap),
        // Below one objective unit: the objective is integral.
        ("mip_abs_gap", 0.999),
    ];
    for (name, value) in numbers {
        inner
            .try_set_option(name, value)
            .map_err(|e| highs_error(format!("option {name}: {e:?}")))?;
    }
    inner
        .try_set_option("threads", HIGHS_THREADS as i32)
        .map_err(|e| highs_error(format!("option threads: {e:?}")))?;
    for (name, value) in HIGHS_DEFAULTS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain(options.highs_options.iter().cloned())
    {
        set_highs_option(inner, &name, &value).map_err(|e| SolveError::InvalidOption {
            field: "highs_options",
            message: format!("{name}={value}: {e}"),
        })?;
    }
    Ok(())
}

#[cfg(feature = "highs")]
pub(super) fn highs_error(message: String) -> SolveError {
    SolveError::Backend {
        backend: "highs",
        message,
    }
}

/// Solves `model` with HiGHS, warm-started from `warm`, until it is proven, `time_limit`
/// seconds have passed, the cancel flag is raised or, with `stall`, the search has stopped
/// finding better rosters (`time::Stall`, seen by the interrupt callbacks).
#[cfg(feature = "highs")]
pub(super) fn solve_highs(
    model: &Model,
    warm: &[f64],
    time_limit: f64,
    stall: Option<std::time::Duration>,
    options: &SolveOptions,
) -> Result<RawSolution, SolveError> {
    let mut inner = load_highs(model, time_limit, options)?;
    if !warm.is_empty() {
        inner.set_solution(Some(warm), None, None, None);
    }
    let watch = interrupt::Watch::new(
        Deadline::in_secs(time_limit),
        options.cancel.clone(),
        model.n_vars(),
        stall,
    );
    interrupt::install(&mut inner, &watch).map_err(highs_error)?;
    let columns = model.n_vars();
    let finished = interrupt::run(inner, &watch, move |inner| {
        let solved = inner
            .try_solve()
            .map_err(|e| highs_error(format!("solve failed: {e:?}")))?;
        use highs::HighsModelStatus as S;
        let status = match solved.status() {
            S::Optimal => SolveStatus::Optimal,
            S::ReachedTimeLimit
            | S::ReachedIterationLimit
            | S::ReachedSolutionLimit
            | S::ReachedInterrupt
            | S::ReachedMemoryLimit => SolveStatus::TimeLimit,
            S::Infeasible => {
                return Err(SolveError::Infeasible("HiGHS proved it infeasible".into()))
            }
            other => return Err(highs_error(format!("unexpected model status {other:?}"))),
        };
        let best_bound = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite());
        let has_incumbent = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
        let values = solved.get_solution().columns().to_vec();
        Ok(RawSolution {
            status,
            values: (has_incumbent && values.len() == columns)
                .then(|| (solved.objective_value(), values)),
            best_bound,
        })
    });
    match finished {
        Some(result) => result,
        // HiGHS did not stop in time: the best it had reported.
        None => {
            let (values, best_bound) = watch.snapshot();
            Ok(RawSolution {
                status: SolveStatus::TimeLimit,
                values,
                best_bound,
            })
        }
    }
}

/// Sets a HiGHS option from text: booleans, integers and numbers are tried in that order.
#[cfg(feature = "highs")]
fn set_highs_option(model: &mut highs::Model, name: &str, value: &str) -> Result<(), String> {
    let result = match value {
        "true" => model.try_set_option(name, true),
        "false" => model.try_set_option(name, false),
        v => {
            if let Ok(i) = v.parse::<i32>() {
                model.try_set_option(name, i)
            } else if let Ok(f) = v.parse::<f64>() {
                model.try_set_option(name, f)
            } else {
                model.try_set_option(name, v)
            }
        }
    };
    result.map_err(|e| format!("{e:?}"))
}

#[cfg(not(feature = "highs"))]
pub(super) fn solve_highs(
    _model: &Model,
    _warm: &[f64],
    _time_limit: f64,
    _stall: Option<std::time::Duration>,
    _options: &SolveOptions,
) -> Result<RawSolution, SolveError> {
    Err(SolveError::BackendUnavailable("highs"))
}

/// HiGHS' `simplex_strategy` values.
#[cfg(feature = "highs")]
const SIMPLEX_DUAL: i32 = 1;
#[cfg(feature = "highs")]
const SIMPLEX_PRIMAL: i32 = 4;

/// The restricted LP of the column generation (`milp::reduced`) in HiGHS: built as a
/// column-wise problem until its first solve, then changed in place, HiGHS keeping its
/// basis; kept to `deadline` and the cancel flag by the interrupt callback.
#[cfg(feature = "highs")]
pub(super) struct HighsLp<'a> {
    state: HighsLpState,
    /// HiGHS' handle of each LP row.
    rows: Vec<highs::Row>,
    columns: usize,
    deadline: Deadline,
    options: &'a SolveOptions,
    /// The interrupt callback's state, alive as long as the model.
    watch: Option<std::sync::Arc<interrupt::Watch>>,
}

#[cfg(feature = "highs")]
enum HighsLpState {
    Building(Box<highs::ColProblem>),
    Loaded(highs::Model),
    Solved(highs::SolvedModel),
    /// A step failed part-way; every later call is an error.
    Lost,
}

#[cfg(feature = "highs")]
impl<'a> HighsLp<'a> {
    pub fn new(deadline: Deadline, options: &'a SolveOptions) -> Self {
        Self {
            state: HighsLpState::Building(Box::default()),
            rows: Vec::new(),
            columns: 0,
            deadline,
            options,
            watch: None,
        }
    }

    /// The loaded model, ready to change or solve: loaded from the column-wise problem, with
    /// the options, time limit and interrupt, on the first call.
    fn loaded(&mut self) -> Result<&mut highs::Model, SolveError> {
        let state = std::mem::replace(&mut self.state, HighsLpState::Lost);
        let inner = match state {
            HighsLpState::Building(pb) => {
                let mut inner = pb
                    .try_optimise(highs::Sense::Minimise)
                    .map_err(|e| highs_error(format!("could not load the LP: {e:?}")))?;
                apply_highs_options(
                    &mut inner,
                    self.deadline.left_secs().max(0.05),
                    self.options,
                )?;
                let watch =
                    interrupt::Watch::new(self.deadline, self.options.cancel.clone(), 0, None);
                interrupt::install(&mut inner, &watch).map_err(highs_error)?;
                self.watch = Some(watch);
                inner
            }
            HighsLpState::Loaded(inner) => inner,
            HighsLpState::Solved(solved) => highs::Model::from(solved),
            HighsLpState::Lost => {
                return Err(highs_error("the LP was lost by an earlier error".into()))
            }
        };
        self.state = HighsLpState::Loaded(inner);
        match &mut self.state {
            HighsLpState::Loaded(inner) => Ok(inner),
            _ => unreachable!("just set"),
        }
    }

    fn set_strategy(&mut self, strategy: i32) -> Result<(), SolveError> {
        self.loaded()?
            .try_set_option("simplex_strategy", strategy)
            .map_err(|e| highs_error(format!("option simplex_strategy: {e:?}")))
    }
}

#[cfg(feature = "highs")]
impl reduced::RestrictedLp for HighsLp<'_> {
    /// One round: it took busy-month seed 1 from 8.6 s to 1.2 s (its LP gap from 247,490
    /// units to 30); a second round made the held-out M seeds slower (median 0.7 s against
    /// 0.65 s, seed 3 5.3 s against 3.9 s): the cuts of a second round are read over the first
    /// round's rows, and HiGHS' LP takes longer with them than they save. 50 cuts: measured
    /// before the cap on terms, with 25 M seed 7's LP gap stayed at 149,560 units; with 100
    /// the LP took longer and M's median proof rose. At most 3,000 terms: denser cuts slow
    /// HiGHS' LP more than they raise its bound; a round of cuts of up to 12,700 terms took M
    /// seed 2's LP from 0.3 s to 1.3 s, and with the cap M's median proof went from 0.85 s
    /// to 0.65 s and busy-month seed 1's from 2.0 s to 1.2 s (`docs/performance.md`).
    const GOMORY: super::gomory::Settings = super::gomory::Settings {
        rounds: 1,
        cuts: 50,
        max_terms: 3_000,
    };

    fn add_row(&mut self, lower: f64, upper: f64) -> Result<(), SolveError> {
        let handle = match &mut self.state {
            HighsLpState::Building(pb) => pb.add_row(lower..=upper),
            _ => self
                .loaded()?
                .try_add_row(lower..=upper, std::iter::empty())
                .map_err(|e| highs_error(format!("could not add a row: {e:?}")))?,
        };
        self.rows.push(handle);
        Ok(())
    }

    fn add_column(&mut self, cost: f64, entries: &[(usize, f64)]) -> Result<(), SolveError> {
        let entries: Vec<(highs::Row, f64)> =
            entries.iter().map(|&(r, c)| (self.rows[r], c)).collect();
        match &mut self.state {
            HighsLpState::Building(pb) => pb.add_column(cost, 0.0..=1.0, entries),
            _ => {
                self.loaded()?
                    .try_add_column(cost, 0.0..=1.0, entries)
                    .map_err(|e| highs_error(format!("could not add a column: {e:?}")))?;
            }
        }
        self.columns += 1;
        Ok(())
    }

    fn add_cut(
        &mut self,
        row: &super::model::Row,
        terms: &[(usize, f64)],
    ) -> Result<(), SolveError> {
        let index = self.rows.len();
        let inner = self.loaded()?;
        let handle = inner
            .try_add_row(row.lower..=row.upper, std::iter::empty())
            .map_err(|e| highs_error(format!("could not add a cut: {e:?}")))?;
        for &(k, c) in terms {
            super::coefficients::set(inner, index, k, c).map_err(highs_error)?;
        }
        self.rows.push(handle);
        Ok(())
    }

    fn solve(&mut self, change: reduced::Change) -> Result<Option<reduced::LpOptimum>, SolveError> {
        match change {
            reduced::Change::First => {}
            // A few columns more: the primal simplex goes on from the last basis in a few
            // iterations. Many more: the dual simplex from scratch is faster (measured on
            // the 600-case week).
            reduced::Change::Columns { entered, before } if entered * 10 < before => {
                self.set_strategy(SIMPLEX_PRIMAL)?
            }
            reduced::Change::Columns { .. } | reduced::Change::Cuts => {
                self.set_strategy(SIMPLEX_DUAL)?
            }
        }
        self.loaded()?;
        let HighsLpState::Loaded(inner) = std::mem::replace(&mut self.state, HighsLpState::Lost)
        else {
            unreachable!("just loaded")
        };
        let solved = inner
            .try_solve()
            .map_err(|e| highs_error(format!("LP relaxation failed: {e:?}")))?;
        let optimum = (solved.status() == highs::HighsModelStatus::Optimal).then(|| {
            let solution = solved.get_solution();
            reduced::LpOptimum {
                objective: solved.objective_value(),
                columns: solution.columns().to_vec(),
                duals: solution.dual_rows().to_vec(),
                reduced_costs: Some(solution.dual_columns().to_vec()),
            }
        });
        self.state = HighsLpState::Solved(solved);
        Ok(optimum)
    }

    fn gomory_cuts(
        &mut self,
        model: &Model,
        lp: &super::gomory::Lp,
        settings: super::gomory::Settings,
    ) -> Result<Vec<super::model::Row>, String> {
        let HighsLpState::Solved(solved) = &self.state else {
            return Err("no solved LP to cut from".into());
        };
        let mut tableau = super::gomory::HighsTableau {
            highs: solved,
            rows: self.rows.len(),
            columns: self.columns,
        };
        super::gomory::separate(&mut tableau, model, lp, settings)
    }
}
