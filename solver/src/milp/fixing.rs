//! The MILP rounds of reduced-cost fixing, shared by both backends: from a Lagrangian
//! bound `L` with a fixing value `a_j ≥ 0` per candidate (every roster holding `j` costs at
//! least `L + a_j`), solve the MILP over only the candidates that could still beat the best
//! roster found, widening until that is proven or the time is up (see `milp::reduced` for
//! HiGHS, where the bound comes from the LP relaxation, and `milp::bound::subgradient` for
//! microlp).

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use super::build::{build, chosen_candidates, extract_indices};
use super::model::{Model, Row};
use super::time::{Deadline, Search};
use super::SolveStatus;
use super::{RawSolution, SolveError, SolveOptions};
use crate::calendar::iso_week;
use crate::candidates::{self, Weights};
use crate::greedy;
use crate::model::{CaseIdx, DayIdx, InterpreterIdx, MediatorIdx, Placement, Problem, Site};

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
    /// The restricted model the values refer to (none when no MILP was solved).
    pub model: Option<Model>,
    /// Candidates of the last restricted MILP (`model` may be smaller: only the roster,
    /// when windows improved on it afterwards).
    pub kept: usize,
    /// The Lagrangian bound of the LP relaxation (its optimum when `lp_optimal`).
    pub lp_bound: Option<f64>,
    pub lp_seconds: f64,
    pub rounds: usize,
    pub lp_columns: usize,
    pub pricing_rounds: usize,
    pub lp_optimal: bool,
    /// Cuts added to the LP relaxation (clique cuts, and Gomory cuts with HiGHS).
    pub cuts: usize,
}

/// What the staged solve came to.
pub(super) enum Staged {
    /// The LP could not be solved over part of the columns (a `≥` row needs more of
    /// them): solve the whole model instead.
    WholeModel,
    Solved(Box<Reduced>),
}

/// A Lagrangian bound with a fixing value for every candidate: the LP relaxation's optimum
/// and its reduced costs (HiGHS), or the best bound of a subgradient ascent (microlp).
pub(super) struct Relaxation {
    pub objective: f64,
    pub reduced_costs: Vec<f64>,
    pub values: Vec<f64>,
    /// Columns HiGHS had when it proved the LP optimal.
    pub columns: usize,
    /// LP solves, one per pricing round.
    pub rounds: usize,
    /// No column left out could lower the LP: `objective` is the LP's optimum.
    pub converged: bool,
    /// Which candidates the LP had.
    pub in_lp: Vec<bool>,
    /// Cuts the LP had (`milp::cuts`, `milp::gomory`).
    pub cuts: usize,
    /// The row duals that give `objective`.
    pub duals: Vec<f64>,
}

/// Candidates of each case the first restricted MILP keeps besides the LP's own choices,
/// least fixing value first, when the bound is not the LP's optimum (microlp's Lagrangian
/// bound, or HiGHS' LP stopped before its optimum).
const FIRST_PER_CASE: usize = 3;

/// The same when the bound is the LP's optimum (HiGHS). The LP's own choices and their ties
/// alone left the first MILP 85-290 units above the optimum on held-out M seeds 2, 8 and 9,
/// and the proof round then kept every candidate within that gap (13,754 on seed 9, 7 s).
/// With each case's 6 best the first roster is closer and the HiGHS median over M seeds 1-10
/// went from 1.25 s to 0.89 s (seed 9: 1.6 s), with the lowest mean (1.16 s) of 3, 4, 6, 8
/// and 12; 8 had a lower median (0.86 s) but seed 3 took 6.3 s (`docs/performance.md`).
const FIRST_PER_CASE_LP: usize = 6;

/// Share of the time left that the MILPs over windows of days may take (when the bound is
/// not the LP's optimum).
const WINDOW_SHARE: f64 = 0.6;

/// Windows of days are re-planned only above this many candidates. Below, the first
/// restricted MILP finds as good a roster on its own: on the 200-case week (37,000
/// candidates) the windows took 0.2 s of microlp's 1.1 s, and the proof that followed was
/// the same.
const WINDOWS_ABOVE: usize = 100_000;

/// Candidates of each case in a window's MILP, least fixing value first (and as many of
/// its on-time ones).
const WINDOW_PER_CASE: usize = 6;

/// The most candidates of each case in a window's MILP once windows widen (after the proof
/// is out of reach).
const MAX_PER_CASE: usize = 48;

/// A case's `per_case` candidates of least fixing value (its `run`), and as many of its
/// on-time ones (a late case's best options may all be late), in order of index.
fn shortlist_of(full: &Model, run: Range<usize>, fixing: &[f64], per_case: usize) -> Vec<usize> {
    let on_time = run.clone().filter(|&i| !full.candidates[i].late);
    let mut list = super::bound::least(run, fixing, per_case);
    list.extend(super::bound::least(on_time, fixing, per_case));
    list.sort_unstable();
    list.dedup();
    list
}

/// A case's on-time candidates of least fixing value (its `run`), at most [`MAX_PER_CASE`]:
/// where a late-cases neighbourhood may move it.
fn on_time_options(full: &Model, run: Range<usize>, fixing: &[f64]) -> Vec<usize> {
    let on_time = run.filter(|&i| !full.candidates[i].late);
    super::bound::least(on_time, fixing, MAX_PER_CASE)
}

/// Candidates of each case a late-cases neighbourhood frees ([`late_neighbourhood`]), least
/// fixing value first (and as many on-time ones): four times a window's.
const LATE_PER_CASE: usize = 4 * WINDOW_PER_CASE;

/// The most cases a late-cases neighbourhood frees besides the late ones and those in
/// their way (fewer with microlp: a window's cases). On the 2,000-case 4-week seed 1 with
/// HiGHS, 200 (6,657 candidates) gained as much as 1,000 (12,034) on a roster with a case
/// held late, in 0.8 s instead of 4.2 s; a neighbourhood of two late cases that freed 1,000
/// (19,519 candidates) spent 22 s in its root node and gained nothing.
const LATE_FREED: usize = 200;

/// What one restricted MILP of [`by_windows`] re-plans.
enum Neighbourhood {
    /// The cases meeting on these days (horizon days, from 0), those not held, and those
    /// held late that could move into them.
    Days(Range<usize>),
    /// Cases held late that have an on-time option (and cases not held), with the meetings
    /// in their way ([`late_neighbourhood`]).
    Late,
}

/// The candidates a late-cases neighbourhood keeps, and how many late cases it is for.
struct LateNeighbourhood {
    kept: Vec<usize>,
    targets: usize,
}

/// A neighbourhood for the cases that cost most: those held late although they have an
/// on-time option, and those not held although they have an option. A day window rarely
/// mends one: its on-time options are often on the busiest days (the first), where it takes
/// a full day that the window's cases, each with its few options, cannot make room for.
/// Each such case (from the `*from`-th on, wrapping, while fewer than `budget` cases are
/// freed) may move to any of its on-time options of least fixing value
/// ([`on_time_options`]; a case not held with none, to its wide shortlist). The cases in
/// their way come next: first those held by an option's mediator in its week (whose caps
/// and travel it shares) or at its venue on its day, then every other case meeting on one
/// of the options' days, while fewer than `budget` are freed. Each freed case may move to
/// any option of its wide shortlist ([`LATE_PER_CASE`] of least fixing value, and as many
/// on-time ones) or drop its meeting; every other case keeps its meeting. The lists are
/// made for the cases taken and freed only, not for every case. `*from` moves past the
/// cases taken. None when no case is late with an on-time option, or not held with an
/// option.
///
/// On the 2,000-case 4-week seed 1, a roster with one case held late (a full day whose 108
/// on-time options are all on the first day): freeing only the cases in the way, each with
/// its window shortlist, gained nothing; freeing every case of the first day with 12 options
/// each, 20,653 units; with 24 each (10,831 candidates), the case on time, 1,031,776 units,
/// in 3.2 s with HiGHS; freeing the first two days did not finish in 30 s. As written (the
/// cases in the way first, 100 freed, 24 options each: 4,359 candidates), 1,011,842 units
/// in 0.4 s.
#[allow(clippy::too_many_arguments)]
fn late_neighbourhood(
    problem: &Problem,
    full: &Model,
    held: &[Option<usize>],
    runs: &[Range<usize>],
    fixing: &[f64],
    budget: usize,
    from: &mut usize,
) -> Option<LateNeighbourhood> {
    let candidates = &full.candidates;
    let targets: Vec<CaseIdx> = (0..held.len())
        .filter(|&c| match held[c] {
            Some(i) => candidates[i].late && runs[c].clone().any(|j| !candidates[j].late),
            None => !runs[c].is_empty(),
        })
        .collect();
    if targets.is_empty() {
        return None;
    }
    let week = |i: usize| iso_week(problem.horizon.days[candidates[i].day]);
    let mut by_mediator_week: HashMap<(MediatorIdx, (i32, u32)), Vec<CaseIdx>> = HashMap::new();
    let mut by_venue_day: HashMap<(usize, DayIdx), Vec<CaseIdx>> = HashMap::new();
    let mut by_day: Vec<Vec<CaseIdx>> = vec![Vec::new(); problem.horizon.days.len()];
    for (c, &i) in held.iter().enumerate() {
        if let Some(i) = i {
            let meeting = &candidates[i];
            by_mediator_week
                .entry((meeting.mediator, week(i)))
                .or_default()
                .push(c);
            if let Site::Venue(v) = meeting.site {
                by_venue_day.entry((v, meeting.day)).or_default().push(c);
            }
            by_day[meeting.day].push(c);
        }
    }
    let mut free = vec![false; held.len()];
    let mut freed = 0;
    let mut free_case = |c: CaseIdx, freed: &mut usize| {
        if !free[c] {
            free[c] = true;
            *freed += 1;
        }
    };
    let mut kept = Vec::new();
    let mut days = vec![false; by_day.len()];
    let start = *from % targets.len();
    let mut taken = 0;
    while taken < targets.len() && (taken == 0 || freed < budget) {
        let c = targets[(start + taken) % targets.len()];
        taken += 1;
        free_case(c, &mut freed);
        let mut options = on_time_options(full, runs[c].clone(), fixing);
        if options.is_empty() {
            options = shortlist_of(full, runs[c].clone(), fixing, LATE_PER_CASE);
        }
        for &j in &options {
            let option = &candidates[j];
            days[option.day] = true;
            let same_mediator = by_mediator_week.get(&(option.mediator, week(j)));
            let same_venue = match option.site {
                Site::Venue(v) => by_venue_day.get(&(v, option.day)),
                _ => None,
            };
            for &b in same_mediator
                .into_iter()
                .flatten()
                .chain(same_venue.into_iter().flatten())
            {
                free_case(b, &mut freed);
            }
        }
        kept.extend(options);
    }
    *from = (start + taken) % targets.len();
    let on_those_days = by_day
        .iter()
        .zip(&days)
        .filter(|&(_, &on)| on)
        .flat_map(|(cases, _)| cases);
    for &c in on_those_days {
        if freed >= budget {
            break;
        }
        free_case(c, &mut freed);
    }
    for (c, &meeting) in held.iter().enumerate() {
        if free[c] {
            kept.extend(shortlist_of(full, runs[c].clone(), fixing, LATE_PER_CASE));
            kept.extend(meeting);
        } else if let Some(i) = meeting {
            kept.push(i);
        }
    }
    Some(LateNeighbourhood {
        kept,
        targets: taken,
    })
}

/// Improves a roster by restricted MILPs, one window of days at a time (large neighbourhood
/// search): the cases meeting in the window, those not held, and those held late with an
/// option in the window may move to any of their few candidates of least fixing value (and
/// as many on-time ones), while every other case keeps its meeting (or may drop it, at its
/// cost). Each MILP starts from the roster, so it is never made worse.
/// Windows are visited in turn, then the cases held late ([`late_neighbourhood`]), then
/// windows straddling the first windows' boundaries and the late cases again, until
/// `deadline` or until a full turn of all of them improves nothing. Each window's MILP
/// runs while it finds better rosters ([`stall_for`]), not for a share of the time: a
/// window with nothing left to give hands its time to the next.
#[allow(clippy::too_many_arguments)]
fn by_windows(
    problem: &Problem,
    full: &Model,
    fixing: &[f64],
    mut best: Vec<(usize, Option<InterpreterIdx>)>,
    deadline: Deadline,
    window_cases: usize,
    per_case: usize,
    late_first: bool,
    options: &SolveOptions,
    solve_sub: &SolveSub,
) -> Result<Vec<(usize, Option<InterpreterIdx>)>, SolveError> {
    // Windows of whole days with at most `window_cases` meetings each (at least a day).
    let days = problem.horizon.days.len();
    let mut meetings_on = vec![0usize; days];
    for &(i, _) in &best {
        meetings_on[full.candidates[i].day] += 1;
    }
    let mut windows: Vec<Range<usize>> = Vec::new();
    let mut from = 0;
    let mut count = 0;
    for (day, &n) in meetings_on.iter().enumerate() {
        if count + n > window_cases && day > from {
            windows.push(from..day);
            (from, count) = (day, 0);
        }
        count += n;
    }
    if from < days {
        windows.push(from..days);
    }
    // A second turn of windows straddles the first's boundaries, so a case that would move
    // across one can.
    let mut straddling = Vec::new();
    let mut start = 0;
    for w in &windows {
        let middle = (w.start + w.end).div_ceil(2);
        if middle > start {
            straddling.push(start..middle);
            start = middle;
        }
    }
    if start < days {
        straddling.push(start..days);
    }
    // The cases held late get a neighbourhood after each turn of windows: with microlp a
    // turn of day windows can take half the time left. With `late_first`, one before the
    // first turn too (see the windows before a capped round in `rounds`).
    let plan: Vec<Neighbourhood> = late_first
        .then_some(Neighbourhood::Late)
        .into_iter()
        .chain(windows.into_iter().map(Neighbourhood::Days))
        .chain([Neighbourhood::Late])
        .chain(straddling.into_iter().map(Neighbourhood::Days))
        .chain([Neighbourhood::Late])
        .collect();
    let runs = super::bound::case_runs(full);
    let shortlist: Vec<Vec<usize>> = runs
        .iter()
        .map(|run| shortlist_of(full, run.clone(), fixing, per_case))
        .collect();
    let published: Vec<usize> = (0..full.candidates.len())
        .filter(|&i| full.candidates[i].is_published(problem))
        .collect();
    let mut cost = full.cost_of(&full.assignment(problem, &best));
    let mut unchanged = 0;
    let mut turn = 0;
    // Where the next late-cases neighbourhood starts in the list of late cases.
    let mut late_from = 0;
    while unchanged < plan.len() && !deadline.passed() {
        let neighbourhood = &plan[turn];
        turn = (turn + 1) % plan.len();
        let mut held = vec![None; shortlist.len()];
        for &(i, _) in &best {
            held[full.candidates[i].case] = Some(i);
        }
        let mut kept: Vec<usize> = published.clone();
        let phase = match neighbourhood {
            Neighbourhood::Days(days_in) => {
                for (c, list) in shortlist.iter().enumerate() {
                    match held[c] {
                        // Outside the window, and not a late meeting that could move into it.
                        Some(i)
                            if !days_in.contains(&full.candidates[i].day)
                                && (!full.candidates[i].late
                                    || list
                                        .iter()
                                        .all(|&j| !days_in.contains(&full.candidates[j].day))) =>
                        {
                            kept.push(i)
                        }
                        other => kept.extend(list.iter().copied().chain(other)),
                    }
                }
                super::Phase::Window {
                    first: days_in.start + 1,
                    last: days_in.end,
                    candidates: 0,
                }
            }
            Neighbourhood::Late => {
                let late = late_neighbourhood(
                    problem,
                    full,
                    &held,
                    &runs,
                    fixing,
                    window_cases.min(LATE_FREED),
                    &mut late_from,
                );
                let Some(late) = late else {
                    unchanged += 1;
                    continue;
                };
                kept.extend(late.kept);
                super::Phase::LateCases {
                    cases: late.targets,
                    candidates: 0,
                }
            }
        };
        kept.sort_unstable();
        kept.dedup();
        let (sub, warm) = restricted(problem, full, &kept, &best, options);
        options.report(phase.with_candidates(kept.len()));
        let left = deadline.left_secs();
        let search = Search::Rosters(stall_for(kept.len()));
        let raw = match solve_sub(&sub, &warm, left.max(0.05), search) {
            // The roster breaks a `≥` row (the greedy one may) and the window cannot mend it.
            Err(SolveError::Infeasible(_)) => {
                unchanged += 1;
                continue;
            }
            other => other?,
        };
        let cancelled = options.cancelled();
        match raw.values {
            Some((z, values)) if z < cost - 0.5 => {
                cost = z;
                best = chosen_in_full(&sub, &kept, &values);
                unchanged = 0;
            }
            _ => unchanged += 1,
        }
        if cancelled {
            break;
        }
    }
    Ok(best)
}

/// [`by_windows`] until `deadline`, widening the windows each time a turn of them brings
/// nothing: twice the meetings in a window, and once one window holds them all, twice the
/// options of each case (up to [`MAX_PER_CASE`]).
#[allow(clippy::too_many_arguments)]
fn widening_windows(
    problem: &Problem,
    full: &Model,
    fixing: &[f64],
    mut best: Vec<(usize, Option<InterpreterIdx>)>,
    deadline: Deadline,
    window_cases: usize,
    options: &SolveOptions,
    solve_sub: &SolveSub,
) -> Result<Vec<(usize, Option<InterpreterIdx>)>, SolveError> {
    let (mut cases, mut per_case) = (window_cases, WINDOW_PER_CASE);
    while !deadline.passed() && !options.cancelled() && per_case <= MAX_PER_CASE {
        best = by_windows(
            problem, full, fixing, best, deadline, cases, per_case, false, options, solve_sub,
        )?;
        if cases >= best.len() {
            per_case *= 2;
        } else {
            cases *= 2;
        }
    }
    Ok(best)
}

/// Candidates of each case the Lagrangian greedy ranks by fixing value; the others rank
/// after them, by cost.
const LAGRANGIAN_GREEDY_PER_CASE: usize = 60;

/// A greedy roster that prefers, for each case, the options of least fixing value under a
/// Lagrangian bound (`fixing`, one per candidate of `model`): they price how contested each
/// mediator, session and venue is, which the plain greedy's costs do not.
fn lagrangian_greedy(
    problem: &Problem,
    model: &Model,
    fixing: &[f64],
    weights: &Weights,
) -> Vec<(usize, Option<InterpreterIdx>)> {
    let mut price = HashMap::new();
    for run in super::bound::case_runs(model) {
        for i in super::bound::least(run, fixing, LAGRANGIAN_GREEDY_PER_CASE) {
            let c = &model.candidates[i];
            price.insert((c.case, c.mediator, c.day, c.template, c.site), fixing[i]);
        }
    }
    let preference = |p: &Placement| {
        price
            .get(&(p.case, p.mediator, p.day, p.template, p.site))
            .copied()
            .unwrap_or(1e15 + candidates::cost_of(problem, p, weights) as f64)
    };
    chosen_candidates(
        model,
        &greedy::construct_preferring(problem, weights, &preference),
    )
}

/// A restricted model keeps `full`'s cuts when it has at most this many candidates. microlp,
/// whose branch and bound makes only root Gomory cuts (`milp::microlp`), needed them to
/// prove the 200-case week before those existed (its models
/// stay under 4,000 candidates); HiGHS proves that week in 0.40 s with them and 0.57 s
/// without. On the 600-case week HiGHS' first MILP (6,333 candidates) took 8.3 s with them
/// instead of 4.7 s, and the run peaked at 773 MB instead of 557 MB, for the same roster.
const CUTS_KEPT_UP_TO: usize = 5_000;

/// The model over only the `kept` candidates of `full` (sorted), with the column values of
/// `best` (candidates of `full`, every one kept) as its warm start. A small one keeps
/// `full`'s cuts over the kept candidates ([`CUTS_KEPT_UP_TO`]): a clique's part is a
/// clique.
fn restricted(
    problem: &Problem,
    full: &Model,
    kept: &[usize],
    best: &[(usize, Option<InterpreterIdx>)],
    options: &SolveOptions,
) -> (Model, Vec<f64>) {
    let position: HashMap<usize, usize> = kept.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let mut sub = build(
        problem,
        kept.iter().map(|&i| full.candidates[i]).collect(),
        options,
    );
    let cuts = if kept.len() <= CUTS_KEPT_UP_TO {
        full.cuts()
    } else {
        &[]
    };
    // A cut over candidates alone holds in the restricted model with the others at zero;
    // one over auxiliary columns (a Gomory cut) would need them renumbered, and is left out.
    let over_candidates = |cut: &&Row| {
        cut.terms
            .iter()
            .all(|&(j, _)| full.aux(j as usize).is_none())
    };
    for cut in cuts.iter().filter(over_candidates) {
        let terms: Vec<(u32, f32)> = cut
            .terms
            .iter()
            .filter_map(|&(j, c)| position.get(&(j as usize)).map(|&k| (k as u32, c)))
            .collect();
        if terms.len() > 1 {
            sub.add_cut(Row { terms, ..*cut });
        }
    }
    let chosen: Vec<(usize, Option<InterpreterIdx>)> =
        best.iter().map(|&(i, k)| (position[&i], k)).collect();
    let warm = sub.assignment(problem, &chosen);
    (sub, warm)
}

/// The roster in column values of a restricted model, as candidates of the whole one.
fn chosen_in_full(
    sub: &Model,
    kept: &[usize],
    values: &[f64],
) -> Vec<(usize, Option<InterpreterIdx>)> {
    extract_indices(sub, values)
        .into_iter()
        .map(|(k, interpreter)| (kept[k], interpreter))
        .collect()
}

/// Share of the time left that the first restricted MILP may take.
const FIRST_ROUND_SHARE: f64 = 0.3;

/// How long a window's MILP (or the first restricted MILP) of `candidates` goes on without a
/// better roster before it stops, at least (`time::Stall`: longer when its last better
/// roster took longer to find): a second, and a tenth of a millisecond a candidate on larger
/// models, whose root LP comes before any better roster. On the 600-case week microlp's day
/// windows found their better rosters in the first second or two and then only worked on a
/// proof they never finished.
fn stall_for(candidates: usize) -> Duration {
    Duration::from_secs(1).max(Duration::from_micros(100 * candidates as u64))
}

/// A backend's MILP solve of a restricted model, from a warm start, within a time limit,
/// run for what [`Search`] says.
pub(super) type SolveSub<'a> =
    dyn Fn(&Model, &[f64], f64, Search) -> Result<RawSolution, SolveError> + 'a;

/// Solves `full` by restricted MILPs from the bound `lp`, each with `solve_sub` (the
/// backend), keeping at most `max_kept` candidates besides the best roster and the published
/// meetings, until `deadline` (the end of the whole solve). When the proof needs more, the
/// time left goes to windows of days around the best roster ([`widening_windows`]), and
/// what is still left after them to one more restricted MILP of up to `max_kept_grown`
/// candidates. With `first_round_stall` the first restricted MILP also stops when it stops
/// finding better rosters (microlp; HiGHS' first MILP at 600 cases needs several seconds
/// before its first better roster, more with the other core busy, and keeps its share), and
/// so does a capped one when `lp` is the LP's optimum (microlp's own LP relaxation).
/// With `windows_first`, when the bound is not the LP's optimum, windows of days improve the
/// roster before the first restricted MILP; without (the warm start already came out of
/// them, in an earlier stage of `milp::by_ascent`), the first MILP, which re-plans every
/// case at once, comes first.
#[allow(clippy::too_many_arguments)]
pub(super) fn rounds(
    problem: &Problem,
    full: &Model,
    warm_chosen: &[(usize, Option<InterpreterIdx>)],
    lp: Relaxation,
    lp_seconds: f64,
    deadline: Deadline,
    max_kept: usize,
    max_kept_grown: usize,
    window_cases: usize,
    first_round_stall: bool,
    windows_first: bool,
    options: &SolveOptions,
    solve_sub: &SolveSub,
) -> Result<Staged, SolveError> {
    let (lp_bound, reduced) = (lp.objective, &lp.reduced_costs);
    // The best roster so far (indices into `full`), kept in every round as the warm start.
    let mut best: Vec<(usize, Option<InterpreterIdx>)> = warm_chosen.to_vec();
    // A greedy guided by the bound's prices usually beats the plain one: the first MILP
    // starts from the better of the two. (At 600 cases HiGHS' first MILP may find nothing
    // better in its share of a short limit: on seed 2 at 30 s the plain greedy, 4.5% above
    // the bound, was the answer.)
    let guided = lagrangian_greedy(problem, full, reduced, &options.weights);
    let cost = |chosen: &[(usize, Option<InterpreterIdx>)]| {
        full.cost_of(&full.assignment(problem, chosen))
    };
    if cost(&guided) < cost(&best) {
        best = guided;
    }
    // Windows of days from `best`, until a turn of them brings nothing or `WINDOW_SHARE`
    // of the time left has passed (they never return a worse roster).
    let windows = |best, late_first| {
        by_windows(
            problem,
            full,
            reduced,
            best,
            Deadline::in_secs(deadline.left_secs() * WINDOW_SHARE),
            window_cases,
            WINDOW_PER_CASE,
            late_first,
            options,
            solve_sub,
        )
    };
    if windows_first && !lp.converged && full.candidates.len() > WINDOWS_ABOVE {
        // The LP's own choices are no roster yet: windows of days improve the guided one.
        best = windows(best, false)?;
    }
    let mut in_warm = vec![false; full.candidates.len()];
    // Published meetings are always kept: the cap on changes counts them.
    let published: Vec<bool> = full
        .candidates
        .iter()
        .map(|c| c.is_published(problem))
        .collect();
    // The first round keeps the LP's own choices and their ties: the LP is nearly integral,
    // so this small MILP finds a roster close to the bound fast. Later rounds keep every
    // candidate below a reduced-cost threshold.
    let mut threshold = NOISE;
    // Round 1 also keeps each case's few candidates of least fixing value: the LP's own
    // choices alone are a poor roster when the bound is not the LP's optimum, and often some
    // way from the optimum even when it is.
    let mut shortlisted = vec![false; full.candidates.len()];
    let per_case = if lp.converged {
        FIRST_PER_CASE_LP
    } else {
        FIRST_PER_CASE
    };
    for run in super::bound::case_runs(full) {
        for i in super::bound::least(run, reduced, per_case) {
            shortlisted[i] = true;
        }
    }
    let mut rounds = 0;
    let mut round_limit = MAX_ROUNDS;
    // The most candidates a restricted MILP keeps besides the roster and the published.
    let mut cap = max_kept;
    // Whether the time left after a capped round went to windows of days already.
    let mut windows_done = false;
    // Whether windows of days ran before a capped round (when the LP converged).
    let mut windows_first = false;
    // Whether a MILP round has given a roster (the greedy one may break `≥` rows).
    let mut found = false;
    loop {
        rounds += 1;
        for &(i, _) in &best {
            in_warm[i] = true;
        }
        // Round 1 looks only at candidates the LP had: when pricing stopped early, many
        // left out may still have a negative reduced cost.
        let by_cost = |i: usize| {
            reduced[i] <= threshold && (rounds > 1 || lp.in_lp[i])
                || lp.values[i] > 1e-6
                || rounds == 1 && shortlisted[i]
        };
        let mut kept: Vec<usize> = (0..full.candidates.len())
            .filter(|&i| by_cost(i) && !in_warm[i] && !published[i])
            .collect();
        let capped = kept.len() > cap;
        if capped
            && lp.converged
            && !windows_first
            && full.candidates.len() > WINDOWS_ABOVE
            && !deadline.passed()
            && !options.cancelled()
        {
            // This round keeps only the `cap` candidates of least reduced cost, so it
            // cannot prove the roster optimal, and a MILP that large finds little in a short
            // limit: L with HiGHS at 10 s gave it the 2.6 s after round 1 and returned a
            // worse roster than at 2.5 s, where the LP stops early and windows run first.
            // So windows of days improve the roster first, and this round is chosen again
            // around what they give.
            windows_first = true;
            best = windows(best, true)?;
            rounds -= 1;
            continue;
        }
        if capped {
            kept.sort_by(|&a, &b| reduced[a].total_cmp(&reduced[b]));
            kept.truncate(cap);
        }
        kept.extend((0..full.candidates.len()).filter(|&i| in_warm[i] || published[i]));
        kept.sort_unstable();
        let mut is_kept = vec![false; full.candidates.len()];
        for &i in &kept {
            is_kept[i] = true;
        }
        let keep = |i: usize| is_kept[i];
        // Every roster that holds a left-out candidate costs at least this much.
        let left_out_bound = (0..full.candidates.len())
            .filter(|&i| !keep(i))
            .map(|i| lp_bound + reduced[i] - NOISE)
            .fold(f64::INFINITY, f64::min);
        let (sub, sub_warm) = restricted(problem, full, &kept, &best, options);
        let mut remaining = deadline.left_secs().max(0.05);
        // The cost of the warm start when it is a roster: the best one known (a round's, the
        // windows' or, when it meets every row, the greedy one).
        let warm_cost = (found || sub.satisfies(&sub_warm)).then(|| sub.cost_of(&sub_warm));
        // Whether every candidate left out costs that roster at least a unit more: then the
        // restricted MILP's optimum is the whole model's, capped or not.
        let complete = warm_cost.is_some_and(|z| left_out_bound > z - 1.0);
        let search = if rounds == 1 && kept.len() < full.candidates.len() {
            // The first round is for a good roster, not a proof: later rounds need time. It
            // stops at its share of the time, or (`first_round_stall`) when it stops finding
            // better rosters.
            remaining *= FIRST_ROUND_SHARE;
            if first_round_stall {
                Search::Rosters(stall_for(kept.len()))
            } else {
                Search::Improve
            }
        } else if !capped || complete {
            Search::Proof
        } else if first_round_stall && lp.converged {
            // A capped round on microlp's own LP relaxation (a week or a month of up to
            // 100,000 candidates) looks for a better roster until its search stalls: from
            // there the windows of days and a larger round go on. Run to the limit, it spent
            // the minute on one search tree: M seeds 13-15 ended 7-187 units above the
            // optimum in two runs, and 0-29 in four runs with the stall
            // (docs/performance.md, "Capped rounds stop when they stall").
            Search::Rosters(stall_for(kept.len()))
        } else {
            // A capped round cannot prove the roster optimal: it only looks for a better
            // one. On the ascent's bound (600 cases and more) that search goes on to the
            // limit: its long searches are where those rosters improve.
            Search::Improve
        };
        options.report(super::Phase::Milp {
            round: rounds,
            candidates: kept.len(),
        });
        let mut raw = match solve_sub(&sub, &sub_warm, remaining, search) {
            // Too few candidates kept for the model's requirements: keep more.
            Err(SolveError::Infeasible(_)) if kept.len() < full.candidates.len() => {
                threshold = FIRST_THRESHOLD.max(threshold * 4.0);
                if deadline.passed() || rounds >= round_limit {
                    return Ok(Staged::WholeModel);
                }
                continue;
            }
            other => other?,
        };
        if let Some(z) = warm_cost {
            // A backend that stops with nothing, or with a worse roster of its own than the
            // warm start (HiGHS did, at L with 10 s, when it had not yet taken up the
            // start), does not replace it.
            if raw
                .values
                .as_ref()
                .is_none_or(|(found, _)| *found > z + 0.5)
            {
                raw.values = Some((z, sub_warm.clone()));
            }
        }
        // A roster costs at least the LP bound, and either holds only kept candidates (at
        // least the restricted model's bound) or a left-out one.
        let restricted_bound = raw.best_bound.unwrap_or(lp_bound);
        raw.best_bound = Some(lp_bound.max(restricted_bound.min(left_out_bound)));
        let incumbent = raw.values.as_ref().map(|(z, _)| *z);
        if let Some((_, values)) = &raw.values {
            best = chosen_in_full(&sub, &kept, values);
        }
        let proven = incumbent.is_some_and(|z| left_out_bound > z - 1.0);
        let close_enough = match (incumbent, raw.best_bound) {
            (Some(z), Some(b)) => options.mip_gap > 0.0 && z - b <= options.mip_gap * z.abs(),
            _ => false,
        };
        found |= raw.values.is_some();
        let out_of_time = deadline.passed();
        let cancelled = options.cancelled();
        if proven
            && raw.status != SolveStatus::Optimal
            && !close_enough
            && !out_of_time
            && !cancelled
            && rounds < round_limit
        {
            // Nothing left out can improve, but the restricted MILP stopped at its share of
            // the time (the first round): solve it again with all the time left.
            continue;
        }
        if proven
            || close_enough
            || out_of_time
            || cancelled
            || capped
            || rounds >= round_limit
            || kept.len() == full.candidates.len()
        {
            if !proven && !out_of_time && capped {
                raw.status = SolveStatus::SizeLimit;
            } else if !proven && raw.status == SolveStatus::Optimal {
                // Optimal on the restricted model only.
                raw.status = SolveStatus::TimeLimit;
            }
            let (mut sub, kept_len) = (sub, kept.len());
            if !proven && !close_enough && !cancelled && !deadline.passed() && !windows_done {
                // No proof in reach (the restricted MILP it needs is above the cap, or the
                // rounds are spent), but time is left: spend it improving the roster, window
                // by window, rather than returning early.
                windows_done = true;
                let before = cost(&best);
                let improved = widening_windows(
                    problem,
                    full,
                    reduced,
                    best.clone(),
                    deadline,
                    window_cases,
                    options,
                    solve_sub,
                )?;
                let after = cost(&improved);
                if after < before - 0.5 {
                    best = improved;
                    let mut held: Vec<usize> = best.iter().map(|&(i, _)| i).collect();
                    held.extend((0..full.candidates.len()).filter(|&i| published[i]));
                    held.sort_unstable();
                    held.dedup();
                    let (model, values) = restricted(problem, full, &held, &best, options);
                    raw.values = Some((model.cost_of(&values), values));
                    sub = model;
                }
                if capped && cap < max_kept_grown && !deadline.passed() && !options.cancelled() {
                    // The windows are done and time is still left: try the proof again on a
                    // restricted MILP of every candidate that could beat the roster, up to a
                    // larger cap, with all the time left.
                    cap = max_kept_grown;
                    round_limit = rounds + 1;
                    threshold = after.min(before) - lp_bound + 2.0 * NOISE;
                    continue;
                }
            }
            return Ok(Staged::Solved(Box::new(Reduced {
                raw,
                model: Some(sub),
                kept: kept_len,
                lp_bound: Some(lp_bound),
                lp_seconds,
                rounds,
                lp_columns: lp.columns,
                pricing_rounds: lp.rounds,
                lp_optimal: lp.converged,
                cuts: lp.cuts,
            })));
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::generate::{generate, GenerateParams};
    use crate::milp::bound::subgradient;
    use crate::milp::build::extract;
    use crate::milp::microlp::solve_microlp;
    use crate::milp::{Phase, Progress};

    fn instance() -> (Problem, Model) {
        let input = generate(&GenerateParams::week(60, 30, 15, 3));
        let problem = crate::validate::validate(&input).unwrap().problem;
        let weights = SolveOptions::default().weights;
        let candidates = candidates::generate(&problem, &weights);
        let model = build(&problem, candidates, &SolveOptions::default());
        (problem, model)
    }

    /// The roster in `values` of `model`, which the independent checker must accept.
    fn checked(problem: &Problem, model: &Model, values: &[f64]) -> usize {
        let (chosen, interpreters) = extract(model, values);
        let placements = crate::schedule::placements_chosen(&chosen, &interpreters);
        let roster = crate::schedule::build_roster(problem, &placements);
        let report = crate::checker::check(problem, &roster);
        assert!(report.is_valid(), "{report:?}");
        placements.len()
    }

    /// The rounds from an empty roster and the bound `lp`, each restricted MILP solved by
    /// `sub`, at most `cap` candidates per restricted MILP at first and `grown` once the
    /// windows are done, within `secs` (windows of 20 cases; the first MILP stops on a
    /// stall, as with microlp).
    #[allow(clippy::too_many_arguments)]
    fn rounds_from_empty(
        problem: &Problem,
        model: &Model,
        lp: Relaxation,
        secs: f64,
        cap: usize,
        grown: usize,
        options: &SolveOptions,
        sub: &SolveSub,
    ) -> Box<Reduced> {
        let deadline = Deadline::in_secs(secs);
        let staged = rounds(
            problem,
            model,
            &[],
            lp,
            0.0,
            deadline,
            cap,
            grown,
            20,
            true,
            true,
            options,
            sub,
        );
        match staged.unwrap() {
            Staged::Solved(reduced) => reduced,
            Staged::WholeModel => panic!("the rounds asked for the whole model"),
        }
    }

    /// The rounds with microlp from an empty roster and the ascent's bound, at most 10
    /// candidates per restricted MILP at first and `grown` once the windows are done,
    /// within `secs`.
    fn capped_rounds(
        problem: &Problem,
        model: &Model,
        grown: usize,
        secs: f64,
        options: &SolveOptions,
    ) -> Box<Reduced> {
        let empty = model.cost_of(&model.assignment(problem, &[]));
        let lp = subgradient(model, empty, Deadline::in_secs(10.0), 2_000, None, None).unwrap();
        let sub =
            |m: &Model, w: &[f64], limit: f64, stall| solve_microlp(m, w, limit, stall, options);
        rounds_from_empty(problem, model, lp, secs, 10, grown, options, &sub)
    }

    /// On a 600-case week (above `WINDOWS_ABOVE` candidates, the bound from the ascent) a
    /// window of days comes before the first restricted MILP only with `windows_first`;
    /// without it (a later stage of `milp::by_ascent`, whose roster came out of the
    /// windows) the first MILP comes first.
    #[test]
    fn windows_come_before_the_first_milp_only_when_asked() {
        let input = generate(&GenerateParams::week(600, 300, 150, 1));
        let problem = crate::validate::validate(&input).unwrap().problem;
        let candidates = candidates::generate(&problem, &SolveOptions::default().weights);
        let model = build(&problem, candidates, &SolveOptions::default());
        assert!(model.candidates.len() > WINDOWS_ABOVE);
        let empty = model.cost_of(&model.assignment(&problem, &[]));
        for windows_first in [true, false] {
            let phases = Arc::new(Mutex::new(Vec::new()));
            let seen = Arc::clone(&phases);
            let options = SolveOptions {
                progress: Some(Progress(Arc::new(move |p| seen.lock().unwrap().push(p)))),
                ..SolveOptions::default()
            };
            let lp = subgradient(&model, empty, Deadline::in_secs(10.0), 200, None, None).unwrap();
            assert!(!lp.converged);
            let sub = |m: &Model, w: &[f64], limit: f64, stall| {
                solve_microlp(m, w, limit, stall, &options)
            };
            rounds(
                &problem,
                &model,
                &[],
                lp,
                0.0,
                Deadline::in_secs(1.0),
                3_000,
                3_000,
                100,
                true,
                windows_first,
                &options,
                &sub,
            )
            .unwrap();
            let first = phases
                .lock()
                .unwrap()
                .iter()
                .find(|p| matches!(p, Phase::Window { .. } | Phase::Milp { .. }))
                .copied();
            match first {
                Some(Phase::Window { .. }) => assert!(windows_first),
                Some(Phase::Milp { .. }) => assert!(!windows_first),
                other => panic!("no window or MILP reported: {other:?}"),
            }
        }
    }

    #[test]
    fn windows_improve_an_empty_roster_and_never_make_one_worse() {
        let (problem, model) = instance();
        let options = SolveOptions::default();
        let cost = |chosen: &[(usize, Option<InterpreterIdx>)]| {
            model.cost_of(&model.assignment(&problem, chosen))
        };
        let empty = cost(&[]);
        let lp = subgradient(&model, empty, Deadline::in_secs(10.0), 2_000, None, None).unwrap();
        let sub =
            |m: &Model, w: &[f64], limit: f64, stall| solve_microlp(m, w, limit, stall, &options);
        let windows = |from: Vec<(usize, Option<InterpreterIdx>)>| {
            by_windows(
                &problem,
                &model,
                &lp.reduced_costs,
                from,
                Deadline::in_secs(30.0),
                20,
                WINDOW_PER_CASE,
                false,
                &options,
                &sub,
            )
            .unwrap()
        };
        let better = windows(Vec::new());
        assert!(cost(&better) < empty - 0.5, "the windows held nothing");
        let again = windows(better.clone());
        assert!(cost(&again) <= cost(&better));
        let values = model.assignment(&problem, &again);
        assert!(checked(&problem, &model, &values) > 0);
    }

    /// With the proof out of reach (a cap of 10 candidates per restricted MILP), the rounds
    /// do not return with the capped MILP's roster while time is left: windows of days go on
    /// improving it, and what is returned is a roster the checker accepts, no better than
    /// the bound.
    #[test]
    fn capped_rounds_spend_the_time_left_on_windows() {
        let (problem, model) = instance();
        let phases = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&phases);
        let options = SolveOptions {
            progress: Some(Progress::new(move |p| seen.lock().unwrap().push(p))),
            ..SolveOptions::default()
        };
        let reduced = capped_rounds(&problem, &model, 10, 20.0, &options);
        assert_eq!(reduced.raw.status, SolveStatus::SizeLimit);
        let phases = phases.lock().unwrap();
        let last_milp = phases
            .iter()
            .rposition(|p| matches!(p, Phase::Milp { .. }))
            .expect("a MILP round");
        assert!(
            phases[last_milp..]
                .iter()
                .any(|p| matches!(p, Phase::Window { .. })),
            "no window after the capped round: {phases:?}"
        );
        let (z, values) = reduced.raw.values.expect("a roster");
        let held = reduced.model.expect("the model of the roster");
        assert!(checked(&problem, &held, &values) > 0);
        assert!((held.cost_of(&values) - z).abs() < 0.5);
        assert!(reduced.raw.best_bound.is_some_and(|b| b <= z + 1e-6));
    }

    /// What a capped restricted MILP after the first is run for, by the bound it comes from:
    /// on microlp's own LP relaxation it searches for rosters until it stalls, on the
    /// ascent's bound to the limit. Round 1 finds nothing here (its MILP is not solved), so
    /// round 2 starts from the guided greedy roster, far above the bound, and the
    /// candidates that could beat it are many more than the cap. The roster returned is
    /// the checker's.
    #[test]
    fn a_capped_round_stops_when_it_stalls_only_on_microlps_own_lp() {
        #[derive(Debug, Clone, Copy)]
        enum Event {
            Round(usize),
            Call(Search),
        }
        let (problem, mut model) = instance();
        let empty = model.cost_of(&model.assignment(&problem, &[]));
        // Round 1 keeps the LP's choices and a few candidates of each of the 60 cases.
        const CAP: usize = 1_000;
        assert!(model.candidates.len() > 2 * CAP);
        for on_lp in [true, false] {
            let events = Arc::new(Mutex::new(Vec::new()));
            let seen = Arc::clone(&events);
            let options = SolveOptions {
                progress: Some(Progress::new(move |p| {
                    if let Phase::Milp { round, .. } = p {
                        seen.lock().unwrap().push(Event::Round(round));
                    }
                })),
                ..SolveOptions::default()
            };
            let lp = if on_lp {
                let deadline = Deadline::in_secs(30.0);
                let lp =
                    super::super::microlp_relaxation(&problem, &mut model, &[], deadline, &options)
                        .expect("microlp solves the LP of a 60-case week");
                assert!(lp.converged);
                lp
            } else {
                subgradient(&model, empty, Deadline::in_secs(10.0), 2_000, None, None).unwrap()
            };
            let calls = Arc::clone(&events);
            let sub = |m: &Model, w: &[f64], limit: f64, search| {
                let mut calls = calls.lock().unwrap();
                let first = !calls.iter().any(|e| matches!(e, Event::Call(_)));
                calls.push(Event::Call(search));
                drop(calls);
                if first {
                    return Ok(RawSolution {
                        status: SolveStatus::TimeLimit,
                        values: None,
                        best_bound: None,
                    });
                }
                solve_microlp(m, w, limit, search, &options)
            };
            let reduced = rounds_from_empty(&problem, &model, lp, 5.0, CAP, CAP, &options, &sub);
            let events = events.lock().unwrap().clone();
            assert!(
                matches!(events[..2], [Event::Round(1), Event::Call(_)]),
                "{events:?}"
            );
            // An uncapped round would be a proof on either bound.
            match (on_lp, &events[2..4]) {
                (true, [Event::Round(2), Event::Call(Search::Rosters(_))])
                | (false, [Event::Round(2), Event::Call(Search::Improve)]) => {}
                (_, other) => panic!("on the LP: {on_lp}; round 2 and its call: {other:?}"),
            }
            let (z, values) = reduced.raw.values.expect("a roster");
            let held = reduced.model.expect("the model of the roster");
            assert!(checked(&problem, &held, &values) > 0);
            assert!((held.cost_of(&values) - z).abs() < 0.5);
        }
    }

    /// With room to grow the cap, the time the windows leave goes to the proof: the same
    /// capped start ends proven, at the optimum of the whole model.
    #[test]
    fn capped_rounds_try_the_proof_again_with_the_time_the_windows_leave() {
        let (problem, model) = instance();
        let options = SolveOptions::default();
        let optimum = crate::milp::solve(&problem, &options).unwrap().summary;
        assert_eq!(optimum.status, SolveStatus::Optimal);
        let grown = model.candidates.len();
        let reduced = capped_rounds(&problem, &model, grown, 60.0, &options);
        let (z, values) = reduced.raw.values.expect("a roster");
        let held = reduced.model.expect("the model of the roster");
        assert!(checked(&problem, &held, &values) > 0);
        assert_eq!((z + model.constant).round(), optimum.objective);
        let bound = reduced.raw.best_bound.expect("a bound");
        assert!(bound > z - 1.0, "not proven: bound {bound}, roster {z}");
    }

    /// `Model::satisfies`, which decides whether a greedy warm start may stand in for a
    /// worse roster from the backend: the empty roster meets every row of this model, and
    /// one case held twice breaks its "held at most once" row.
    #[test]
    fn a_case_held_twice_does_not_satisfy_the_model() {
        let (problem, model) = instance();
        let empty = model.assignment(&problem, &[]);
        assert!(model.satisfies(&empty));
        let run = super::super::bound::case_runs(&model)
            .into_iter()
            .find(|run| {
                run.len() >= 2 && run.clone().all(|i| !model.candidates[i].needs_interpreter)
            })
            .expect("a case with two candidates");
        let once = model.assignment(&problem, &[(run.start, None)]);
        assert!(model.satisfies(&once));
        let twice = model.assignment(&problem, &[(run.start, None), (run.start + 1, None)]);
        assert!(!model.satisfies(&twice));
    }

    /// A backend that stops a later round with a roster worse than the one it was started
    /// from (HiGHS did, at L with 10 s) does not make the rounds return that roster: the
    /// best one known is kept.
    #[test]
    fn a_worse_roster_from_the_backend_never_replaces_the_best_known() {
        let (problem, model) = instance();
        let options = SolveOptions::default();
        let empty = model.cost_of(&model.assignment(&problem, &[]));
        let lp = subgradient(&model, empty, Deadline::in_secs(10.0), 2_000, None, None).unwrap();
        let calls = Mutex::new(0usize);
        let first = Mutex::new(f64::INFINITY);
        // The first MILP is solved; every later one "stops" with the empty roster.
        let sub = |m: &Model, w: &[f64], limit: f64, stall| {
            let mut n = calls.lock().unwrap();
            *n += 1;
            if *n == 1 {
                let raw = solve_microlp(m, w, limit, stall, &options)?;
                if let Some((z, _)) = &raw.values {
                    *first.lock().unwrap() = *z;
                }
                Ok(raw)
            } else {
                let values = m.assignment(&problem, &[]);
                Ok(RawSolution {
                    status: SolveStatus::TimeLimit,
                    values: Some((m.cost_of(&values), values)),
                    best_bound: None,
                })
            }
        };
        // A cap of 10 candidates, grown to the whole model after the windows: round 2 runs.
        let grown = model.candidates.len();
        let reduced = rounds_from_empty(&problem, &model, lp, 30.0, 10, grown, &options, &sub);
        assert!(*calls.lock().unwrap() > 2, "no later round ran");
        let (z, values) = reduced.raw.values.expect("a roster");
        let held = reduced.model.expect("the model of the roster");
        assert!(checked(&problem, &held, &values) > 0, "the empty roster");
        let first = *first.lock().unwrap();
        assert!(z <= first + 0.5, "{z} is worse than round 1's {first}");
        assert!(z < empty - 0.5);
    }

    /// A case moved from its on-time meeting in the optimum to one of its late options (a
    /// roster the checker accepts) is moved back on time by one late-cases neighbourhood,
    /// which frees it with its on-time options and the meetings in their way, and keeps
    /// every other meeting.
    #[test]
    fn a_late_cases_neighbourhood_moves_a_case_held_late_back_on_time() {
        // Two weeks, so that cases due in the first have late options in the second.
        let input = generate(&GenerateParams {
            weeks: 2,
            ..GenerateParams::week(60, 30, 15, 3)
        });
        let problem = crate::validate::validate(&input).unwrap().problem;
        let model = build(
            &problem,
            candidates::generate(&problem, &SolveOptions::default().weights),
            &SolveOptions::default(),
        );
        let options = SolveOptions::default();
        let greedy = crate::greedy::construct(&problem, &options.weights);
        let warm = model.assignment(&problem, &chosen_candidates(&model, &greedy));
        let (_, values) = solve_microlp(&model, &warm, 60.0, Search::Proof, &options)
            .unwrap()
            .values
            .expect("a roster");
        let optimum: Vec<(usize, Option<InterpreterIdx>)> = extract_indices(&model, &values);
        let cost = |chosen: &[(usize, Option<InterpreterIdx>)]| {
            model.cost_of(&model.assignment(&problem, chosen))
        };
        let codes = |chosen: &[(usize, Option<InterpreterIdx>)]| {
            let (picked, interpreters): (Vec<_>, Vec<_>) = chosen
                .iter()
                .map(|&(i, k)| (model.candidates[i], k))
                .unzip();
            let placements = crate::schedule::placements_chosen(&picked, &interpreters);
            let roster = crate::schedule::build_roster(&problem, &placements);
            let report = crate::checker::check(&problem, &roster);
            report
                .codes()
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        let valid = |chosen: &[(usize, Option<InterpreterIdx>)]| codes(chosen).is_empty();
        // The first case on time in the optimum with a late option that breaks no rule when
        // it takes it: the checker only finds that it could be earlier.
        let could_be_earlier = |chosen: &[(usize, Option<InterpreterIdx>)]| {
            codes(chosen) == [crate::checker::LATE_CASE_COULD_BE_EARLIER]
        };
        let (case, late_roster) = optimum
            .iter()
            .enumerate()
            .filter(|(_, &(i, _))| !model.candidates[i].late)
            .find_map(|(k, &(i, _))| {
                let case = model.candidates[i].case;
                (0..model.candidates.len())
                    .filter(|&j| model.candidates[j].case == case && model.candidates[j].late)
                    .map(|j| {
                        let mut moved = optimum.clone();
                        moved[k] = (j, None);
                        moved
                    })
                    .find(|moved| could_be_earlier(moved))
                    .map(|moved| (case, moved))
            })
            .expect("a case of the optimum that could be held late");
        assert!(cost(&late_roster) > cost(&optimum) + 0.5);

        let empty = cost(&[]);
        let lp = subgradient(&model, empty, Deadline::in_secs(10.0), 2_000, None, None).unwrap();
        let fixing = &lp.reduced_costs;
        let runs = crate::milp::bound::case_runs(&model);
        let mut held = vec![None; runs.len()];
        for &(i, _) in &late_roster {
            held[model.candidates[i].case] = Some(i);
        }
        let mut from = 0;
        let late = late_neighbourhood(&problem, &model, &held, &runs, fixing, 1, &mut from)
            .expect("a case held late with an on-time option");
        assert_eq!(late.targets, 1);
        let mut kept = late.kept;
        kept.sort_unstable();
        kept.dedup();
        // The late case's on-time options are all kept, and a case neither late nor in the
        // way of one of them keeps only its meeting.
        let on_time = on_time_options(&model, runs[case].clone(), fixing);
        assert!(on_time.iter().all(|i| kept.binary_search(i).is_ok()));
        assert!(kept.len() < model.candidates.len());
        let sub_options =
            |m: &Model, w: &[f64], limit: f64, stall| solve_microlp(m, w, limit, stall, &options);
        let (sub, warm) = restricted(&problem, &model, &kept, &late_roster, &options);
        let (z, values) = sub_options(&sub, &warm, 30.0, Search::Improve)
            .unwrap()
            .values
            .expect("a roster");
        let mended = chosen_in_full(&sub, &kept, &values);
        assert!(z < cost(&late_roster) - 0.5);
        assert!(valid(&mended));
        let now = mended
            .iter()
            .find(|&&(i, _)| model.candidates[i].case == case)
            .expect("the case is still held");
        assert!(!model.candidates[now.0].late, "the case is still late");
        // by_windows, which visits the neighbourhood after its windows of days (and, with
        // `late_first`, before them too), mends it too.
        let phases = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let recorded = phases.clone();
        let recording = SolveOptions {
            progress: Some(crate::milp::Progress::new(move |p| {
                recorded.lock().unwrap().push(p);
            })),
            ..options.clone()
        };
        for late_first in [false, true] {
            phases.lock().unwrap().clear();
            let windowed = by_windows(
                &problem,
                &model,
                fixing,
                late_roster.clone(),
                Deadline::in_secs(30.0),
                1,
                WINDOW_PER_CASE,
                late_first,
                &recording,
                &sub_options,
            )
            .unwrap();
            assert!(cost(&windowed) < cost(&late_roster) - 0.5);
            assert!(windowed
                .iter()
                .any(|&(i, _)| model.candidates[i].case == case && !model.candidates[i].late));
            let first_late = matches!(
                phases.lock().unwrap().first(),
                Some(crate::milp::Phase::LateCases { .. })
            );
            assert_eq!(first_late, late_first, "late cases first: {late_first}");
        }
    }

    #[test]
    fn the_integral_pruning_slack_stays_below_a_unit_for_every_roster() {
        let (problem, model) = instance();
        let options = SolveOptions::default();
        let magnitude = model.objective_magnitude();
        let epsilon = model.integral_prune_epsilon();
        // microlp's slack at an incumbent z is max(ε, ε·|z|).
        let slack = |z: f64| epsilon * z.abs().max(1.0);
        assert!(slack(magnitude) <= crate::milp::model::INTEGRAL_PRUNE_SLACK + 1e-12);
        let greedy = crate::greedy::construct(&problem, &options.weights);
        let warm = model.assignment(&problem, &chosen_candidates(&model, &greedy));
        let raw = solve_microlp(&model, &warm, 60.0, Search::Proof, &options).unwrap();
        assert_eq!(raw.status, SolveStatus::Optimal);
        let (optimum, values) = raw.values.expect("a roster");
        // The bound holds for the optimum, the greedy roster and every part of the optimum
        // (each a roster too), and the slack is a real share of a unit at the optimum,
        // not float noise.
        assert!(optimum.abs() <= magnitude);
        assert!(model.cost_of(&warm).abs() <= magnitude);
        let (chosen, _) = extract(&model, &values);
        assert!(
            chosen.len() > 10,
            "the optimum holds {} cases",
            chosen.len()
        );
        let held: Vec<usize> = (0..model.candidates.len())
            .filter(|&i| values[i] > 0.5)
            .collect();
        for keep in 0..held.len() {
            let part: Vec<(usize, Option<InterpreterIdx>)> =
                held[..keep].iter().map(|&i| (i, None)).collect();
            assert!(model.cost_of(&model.assignment(&problem, &part)).abs() <= magnitude);
        }
        assert!(
            slack(optimum) > 0.5,
            "slack {} at {optimum}",
            slack(optimum)
        );
        // microlp left at its own pruning (float noise only) finds the same optimum.
        use good_lp::{Solution, SolverModel};
        let lp = model.lp_with(true);
        let objective = lp.objective.clone();
        let mut plain = good_lp::solvers::microlp::microlp(lp.vars.minimise(lp.objective));
        for c in lp.constraints {
            plain.add_constraint(c);
        }
        let solved = plain.solve().expect("the model is feasible");
        assert_eq!(solved.eval(&objective).round(), optimum.round());
    }
}
