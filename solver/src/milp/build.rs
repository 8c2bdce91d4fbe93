//! The model's rows from the candidate meetings (the constraints listed in [`milp`]), the
//! model as an LP file, and the way back from column values (or placements) to chosen
//! candidates.
//!
//! [`milp`]: super

use std::collections::{BTreeMap, BTreeSet};

use super::model::{sum, Col, Model, Terms, Var};
use super::SolveOptions;
use crate::calendar::iso_week;
use crate::candidates::{self, Candidate, Weights};
use crate::model::{
    CaseIdx, DayIdx, InterpreterIdx, MediatorIdx, Placement, Problem, Site, TemplateIdx,
};
use crate::rules;

/// Clique of overlapping templates at each template's start instant (interval graphs have
/// all their maximal cliques at left endpoints). Duplicates are removed.
pub fn session_cliques(problem: &Problem) -> Vec<Vec<TemplateIdx>> {
    let mut cliques: BTreeSet<Vec<TemplateIdx>> = BTreeSet::new();
    for t in &problem.templates {
        let clique: Vec<TemplateIdx> = problem
            .templates
            .iter()
            .enumerate()
            .filter(|(_, o)| o.start <= t.start && t.start < o.end)
            .map(|(i, _)| i)
            .collect();
        cliques.insert(clique);
    }
    cliques.into_iter().collect()
}

/// The model of `candidates`, never stopped.
pub(super) fn build(
    problem: &Problem,
    candidates: Vec<Candidate>,
    options: &SolveOptions,
) -> Model {
    match build_until(problem, candidates, options, &|| false) {
        Some(model) => model,
        None => unreachable!("build_until stops only when asked to"),
    }
}

/// The model of `candidates`; `None` as soon as `stop` answers true (asked between
/// sections, every few thousand candidates and every group of rows).
pub(super) fn build_until(
    problem: &Problem,
    candidates: Vec<Candidate>,
    options: &SolveOptions,
    stop: &dyn Fn() -> bool,
) -> Option<Model> {
    // How many candidates go by between two questions to `stop`.
    const EVERY: usize = 1 << 14;
    let w = &options.weights;
    let mut model = Model::with_capacity(candidates.len());
    model.case_rows = vec![None; problem.cases.len()];
    let cliques = session_cliques(problem);
    let units = |c: &Candidate| problem.templates[c.template].session_units() as f64;

    // Cases: held at most once; not holding costs `not_held_cost`.
    let mut by_case: Vec<Vec<usize>> = vec![Vec::new(); problem.cases.len()];
    for (i, c) in candidates.iter().enumerate() {
        if i % EVERY == 0 && stop() {
            return None;
        }
        let v = model.add_candidate(0.0);
        debug_assert_eq!(v, i, "candidate i is column i");
        by_case[c.case].push(i);
    }
    for (case_idx, case) in problem.cases.iter().enumerate() {
        if case_idx % 256 == 0 && stop() {
            return None;
        }
        let unheld = candidates::not_held_cost(problem, case, w) as f64;
        model.constant += unheld;
        for &i in &by_case[case_idx] {
            model.costs[i] = candidates[i].cost as f64 - unheld;
        }
        if by_case[case_idx].len() > 1 {
            let e = sum(by_case[case_idx].iter().map(|&i| (i, 1.0)));
            model.case_rows[case_idx] = Some(model.rows.len());
            model.rows.push(e.leq(1.0));
        }
    }

    // Re-planning: at most `max_changes` published meetings that could be kept are not.
    if let Some(cap) = options.max_changes {
        let keepable: Vec<usize> = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_published(problem))
            .map(|(i, _)| i)
            .collect();
        let most = keepable.len() as f64;
        if most > cap as f64 {
            let kept = sum(keepable.iter().map(|&i| (i, 1.0)));
            model.rows.push(kept.geq(most - cap as f64));
        }
    }

    // Capacity planning: enough cases held by their day 30.
    if let Some(least) = options.min_held_by_day_30.filter(|&n| n > 0) {
        let on_time = sum(candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.late)
            .map(|(i, _)| (i, 1.0)));
        model.rows.push(on_time.geq(least as f64));
    }

    // Mediators: one meeting at a time, travel, caps, fairness.
    let mut by_mediator_day: BTreeMap<(MediatorIdx, DayIdx), Vec<usize>> = BTreeMap::new();
    let mut by_mediator_week: BTreeMap<(MediatorIdx, (i32, u32)), Vec<usize>> = BTreeMap::new();
    let mut by_mediator: BTreeMap<MediatorIdx, Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        by_mediator_day
            .entry((c.mediator, c.day))
            .or_default()
            .push(i);
        let week = iso_week(problem.horizon.days[c.day]);
        by_mediator_week
            .entry((c.mediator, week))
            .or_default()
            .push(i);
        by_mediator.entry(c.mediator).or_default().push(i);
    }
    for (&(m, _day), idx) in &by_mediator_day {
        if stop() {
            return None;
        }
        for clique in &cliques {
            let members: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| clique.contains(&candidates[i].template))
                .collect();
            if distinct_cases(&candidates, &members) > 1 {
                model
                    .rows
                    .push(sum(members.iter().map(|&i| (i, 1.0))).leq(1.0));
            }
        }
        let cap = problem.mediators[m].max_sessions_per_day as f64;
        if max_load(problem, &candidates, idx, &cliques) > cap {
            let e = sum(idx.iter().map(|&i| (i, units(&candidates[i]))));
            model.rows.push(e.leq(cap));
        }
        add_travel_constraints(problem, &candidates, idx, &mut model);
    }
    for (&(m, _week), idx) in &by_mediator_week {
        if stop() {
            return None;
        }
        let cap = problem.mediators[m].max_sessions_per_week as f64;
        let most: f64 = idx.iter().map(|&i| units(&candidates[i])).sum();
        if most > cap {
            let e = sum(idx.iter().map(|&i| (i, units(&candidates[i]))));
            model.rows.push(e.leq(cap));
            // Valid inequality: with an odd cap, at most ⌊cap/2⌋ full days fit, which the
            // LP would otherwise take as half a full day more.
            let full: Vec<(Var, f64)> = idx
                .iter()
                .filter(|&&i| units(&candidates[i]) == 2.0)
                .map(|&i| (i, 1.0))
                .collect();
            let most_full = (cap / 2.0).floor();
            if full.len() as f64 > most_full && cap % 2.0 == 1.0 {
                model.rows.push(sum(full).leq(most_full));
            }
        }
    }
    for (&m, idx) in &by_mediator {
        if stop() {
            return None;
        }
        add_fairness(problem, m, &candidates, idx, w, &mut model);
    }

    if stop() {
        return None;
    }
    // Venues: rooms per overlapping session.
    let mut by_venue_day: BTreeMap<(usize, DayIdx), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Site::Venue(v) = c.site {
            by_venue_day.entry((v, c.day)).or_default().push(i);
        }
    }
    for (&(v, _day), idx) in &by_venue_day {
        if stop() {
            return None;
        }
        let rooms = problem.venues[v].rooms as f64;
        for clique in &cliques {
            let members: Vec<(Var, f64)> = idx
                .iter()
                .filter(|&&i| clique.contains(&candidates[i].template))
                .map(|&i| {
                    let need = problem.cases[candidates[i].case].needs.rooms as f64;
                    (i, need)
                })
                .collect();
            if members.iter().map(|(_, r)| r).sum::<f64>() > rooms {
                // Valid inequality: two meetings each needing more than half the rooms
                // never fit together, which the knapsack row alone lets the LP split.
                let big: Vec<(Var, f64)> = members
                    .iter()
                    .filter(|(_, r)| 2.0 * r > rooms)
                    .map(|(x, _)| (*x, 1.0))
                    .collect();
                if big.len() > 1 {
                    model.rows.push(sum(big).leq(1.0));
                }
                model.rows.push(sum(members).leq(rooms));
            }
        }
    }

    add_interpreters(problem, &candidates, &cliques, &mut model);
    model.candidates = candidates;
    model.first_cut = model.rows.len();
    Some(model)
}

fn distinct_cases(candidates: &[Candidate], members: &[usize]) -> usize {
    let mut cases: Vec<CaseIdx> = members.iter().map(|&i| candidates[i].case).collect();
    cases.sort_unstable();
    cases.dedup();
    cases.len()
}

/// The most session units a mediator could be given on one day, given the overlap cliques:
/// bounded by the units of every non-overlapping template they have a candidate in.
fn max_load(
    problem: &Problem,
    candidates: &[Candidate],
    idx: &[usize],
    cliques: &[Vec<TemplateIdx>],
) -> f64 {
    let templates: BTreeSet<TemplateIdx> = idx.iter().map(|&i| candidates[i].template).collect();
    let by_units: f64 = templates
        .iter()
        .map(|&t| problem.templates[t].session_units() as f64)
        .sum();
    // At most one meeting per clique; a day never holds more than one per clique.
    let per_clique: f64 = cliques
        .iter()
        .map(|c| {
            c.iter()
                .filter(|t| templates.contains(t))
                .map(|&t| problem.templates[t].session_units() as f64)
                .fold(0.0, f64::max)
        })
        .sum();
    by_units.min(per_clique)
}

/// For each ordered pair of non-overlapping sessions on one mediator-day and each venue of
/// the earlier one: holding it excludes every later venue the mediator cannot reach in time.
///
/// Candidates at one (session, venue) are summed into one "the mediator is there" term (an
/// auxiliary variable when there are several), so each travel row names venues, not every
/// candidate at them: this keeps the rows short.
fn add_travel_constraints(
    problem: &Problem,
    candidates: &[Candidate],
    idx: &[usize],
    model: &mut Model,
) {
    let mut by_template_venue: BTreeMap<(TemplateIdx, usize), Vec<usize>> = BTreeMap::new();
    for &i in idx {
        if let Site::Venue(v) = candidates[i].site {
            by_template_venue
                .entry((candidates[i].template, v))
                .or_default()
                .push(i);
        }
    }
    let mut present: BTreeMap<(TemplateIdx, usize), Var> = BTreeMap::new();
    let mut at = |model: &mut Model, key: (TemplateIdx, usize)| -> Var {
        *present.entry(key).or_insert_with(|| {
            let members = &by_template_venue[&key];
            if let [only] = members.as_slice() {
                return *only;
            }
            let a = model.add(Col::Presence(members.clone()), 0.0);
            let held = sum(members.iter().map(|&i| (i, 1.0)));
            model.rows.push(held.minus(sum([(a, 1.0)])).eq(0.0));
            a
        })
    };
    let templates: BTreeSet<TemplateIdx> = by_template_venue.keys().map(|k| k.0).collect();
    for &(t1, v1) in by_template_venue.keys() {
        let earlier = &problem.templates[t1];
        for &t2 in &templates {
            let later = &problem.templates[t2];
            if later.start < earlier.end {
                continue; // overlapping or earlier: handled by the clique or the mirror pair
            }
            let far: Vec<(TemplateIdx, usize)> = by_template_venue
                .range((t2, 0)..(t2 + 1, 0))
                .map(|(k, _)| *k)
                .filter(|&(_, v2)| {
                    !rules::travel_ok(problem, Site::Venue(v1), earlier, Site::Venue(v2), later)
                })
                .collect();
            if far.is_empty() {
                continue;
            }
            let mut e = Terms::with_capacity(far.len() + 1);
            e.add_mul(1.0, at(model, (t1, v1)));
            for key in far {
                e.add_mul(1.0, at(model, key));
            }
            model.rows.push(e.leq(1.0));
        }
    }
}

/// Convex fairness cost: the k-th session of mediator `m` costs `fairness × k / capacity`.
fn add_fairness(
    problem: &Problem,
    m: MediatorIdx,
    candidates: &[Candidate],
    idx: &[usize],
    w: &Weights,
    model: &mut Model,
) {
    if w.fairness == 0 {
        return;
    }
    let capacity = problem.horizon_capacity(m).max(1);
    let possible: u32 = idx
        .iter()
        .map(|&i| problem.templates[candidates[i].template].session_units())
        .sum::<u32>()
        .min(capacity);
    let mut steps = Terms::with_capacity(possible as usize);
    for k in 1..=possible {
        let cost = candidates::fairness_step_cost(w, k, capacity) as f64;
        let y = model.add(Col::FairnessStep { mediator: m, k }, cost);
        steps.add_mul(1.0, y);
    }
    let load = sum(idx.iter().map(|&i| {
        let u = problem.templates[candidates[i].template].session_units() as f64;
        (i, u)
    }));
    model.rows.push(load.minus(steps).leq(0.0));
}

fn add_interpreters(
    problem: &Problem,
    candidates: &[Candidate],
    cliques: &[Vec<TemplateIdx>],
    model: &mut Model,
) {
    let mut needing: BTreeMap<(CaseIdx, DayIdx, TemplateIdx), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if c.needs_interpreter {
            needing
                .entry((c.case, c.day, c.template))
                .or_default()
                .push(i);
        }
    }
    let mut by_interpreter_day: BTreeMap<(InterpreterIdx, DayIdx), Vec<(TemplateIdx, Var)>> =
        BTreeMap::new();
    for (&(case_idx, d, t), idx) in &needing {
        let lang = problem.cases[case_idx]
            .needs
            .language
            .as_deref()
            .unwrap_or("");
        let mut booked = Terms::with_capacity(4);
        for (k, interpreter) in problem.interpreters.iter().enumerate() {
            if rules::interpreter_can_attend(interpreter, lang, d, t) {
                let v = model.add(
                    Col::Interpreter {
                        case: case_idx,
                        interpreter: k,
                        day: d,
                        template: t,
                    },
                    0.0,
                );
                booked.add_mul(1.0, v);
                by_interpreter_day.entry((k, d)).or_default().push((t, v));
            }
        }
        let held = sum(idx.iter().map(|&i| (i, 1.0)));
        model.rows.push(held.minus(booked).leq(0.0));
    }
    for entries in by_interpreter_day.values() {
        for clique in cliques {
            let members: Vec<(Var, f64)> = entries
                .iter()
                .filter(|(t, _)| clique.contains(t))
                .map(|(_, v)| (*v, 1.0))
                .collect();
            if members.len() > 1 {
                model.rows.push(sum(members).leq(1.0));
            }
        }
    }
}

/// Reads chosen candidates and their interpreters from column values.
pub(super) fn extract(
    model: &Model,
    values: &[f64],
) -> (Vec<Candidate>, Vec<Option<InterpreterIdx>>) {
    extract_indices(model, values)
        .into_iter()
        .map(|(i, k)| (model.candidates[i], k))
        .unzip()
}

/// The chosen candidates (indices into `model.candidates`) with their interpreters.
pub(super) fn extract_indices(
    model: &Model,
    values: &[f64],
) -> Vec<(usize, Option<InterpreterIdx>)> {
    let on = |col: usize| values.get(col).is_some_and(|v| *v > 0.5);
    let mut booked: BTreeMap<(CaseIdx, DayIdx, TemplateIdx), InterpreterIdx> = BTreeMap::new();
    let chosen: Vec<usize> = (0..model.candidates.len()).filter(|&i| on(i)).collect();
    for (col, kind) in model.aux_columns() {
        if let Col::Interpreter {
            case,
            interpreter,
            day,
            template,
        } = kind
        {
            if on(col) {
                booked.insert((*case, *day, *template), *interpreter);
            }
        }
    }
    chosen
        .into_iter()
        .map(|i| {
            let c = &model.candidates[i];
            let k = c
                .needs_interpreter
                .then(|| booked.get(&(c.case, c.day, c.template)).copied())
                .flatten();
            (i, k)
        })
        .collect()
}

/// Placements as the model's candidates (with their interpreters); a placement that is no
/// candidate of the model is dropped.
pub(super) fn chosen_candidates(
    model: &Model,
    placements: &[Placement],
) -> Vec<(usize, Option<InterpreterIdx>)> {
    let runs = super::bound::case_runs(model);
    placements
        .iter()
        .filter_map(|p| {
            runs.get(p.case)?
                .clone()
                .find(|&i| {
                    let c = &model.candidates[i];
                    (c.mediator, c.day, c.template, c.site)
                        == (p.mediator, p.day, p.template, p.site)
                })
                .map(|i| (i, p.interpreter))
        })
        .collect()
}

/// The model in CPLEX LP format, so anyone can solve the identical model with another
/// solver. The objective constant (the cost of holding no case) is given in a comment: add
/// it to that solver's objective to compare with ours.
pub fn export_lp(problem: &Problem, options: &SolveOptions) -> String {
    use std::fmt::Write;
    let candidates = candidates::generate(problem, &options.weights);
    let model = build(problem, candidates, options);
    let names: Vec<String> = (0..model.n_vars())
        .map(|i| match model.aux(i) {
            None => format!("hold_{i}"),
            Some(Col::Presence(_)) => format!("at_{i}"),
            Some(Col::Interpreter { .. }) => format!("interpret_{i}"),
            Some(Col::FairnessStep { .. }) => format!("step_{i}"),
        })
        .collect();
    let terms = |pairs: &mut dyn Iterator<Item = (usize, f64)>| -> String {
        let mut coefs: Vec<(usize, f64)> = pairs.filter(|(_, c)| *c != 0.0).collect();
        coefs.sort_by_key(|(i, _)| *i);
        let mut line = String::new();
        for (i, c) in coefs {
            let _ = write!(
                line,
                " {} {} {}",
                if c < 0.0 { "-" } else { "+" },
                c.abs(),
                names[i]
            );
        }
        if line.is_empty() {
            line.push_str(" 0");
        }
        line
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\\ mediation-scheduler roster model: {} columns, {} rows, {} candidates",
        model.n_vars(),
        model.rows.len(),
        model.candidates.len()
    );
    let _ = writeln!(
        out,
        "\\ objective constant (cost of holding no case): {}",
        model.constant
    );
    for (c, cand) in model.candidates.iter().enumerate() {
        let site = match cand.site {
            Site::Venue(v) => problem.venues[v].id.clone(),
            Site::Remote(m) => m.as_str().to_string(),
        };
        let _ = writeln!(
            out,
            "\\ hold_{c}: {} {} {} {} {}",
            problem.cases[cand.case].reference,
            problem.mediators[cand.mediator].id,
            problem.horizon.days[cand.day],
            problem.templates[cand.template].id,
            site
        );
    }
    let _ = writeln!(
        out,
        "Minimize\n obj:{}",
        terms(&mut model.costs.iter().copied().enumerate())
    );
    let _ = writeln!(out, "Subject To");
    for (r, row) in model.rows.iter().enumerate() {
        let (sense, rhs) = if row.lower == row.upper {
            ("=", row.lower)
        } else if row.upper.is_finite() {
            ("<=", row.upper)
        } else {
            (">=", row.lower)
        };
        let mut pairs = row.terms.iter().map(|&(i, c)| (i as usize, f64::from(c)));
        let _ = writeln!(out, " r{r}:{} {sense} {rhs}", terms(&mut pairs));
    }
    let _ = writeln!(out, "Bounds");
    for (i, name) in names.iter().enumerate() {
        if !model.is_binary(i) {
            let _ = writeln!(out, " 0 <= {name} <= 1");
        }
    }
    let _ = writeln!(out, "Binaries");
    for (i, name) in names.iter().enumerate() {
        if model.is_binary(i) {
            let _ = writeln!(out, " {name}");
        }
    }
    out.push_str("End\n");
    out
}
