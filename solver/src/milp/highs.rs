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
    let model = model.lp();
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
