//! Clique cuts: valid inequalities that tighten the LP relaxation.
//!
//! Two candidates conflict when some row with only candidates, all with positive
//! coefficients, cannot hold both: a case's "held at most once" row, a mediator's session
//! clique or daily cap, a venue's rooms, or a travel row once its presence sums are written
//! out as their candidates ([`Conflicts`]). Any set of pairwise conflicting candidates holds at
//! most one meeting in any roster, though it may lie across several rows: a case's two
//! options with different mediators, and another case's option that shares a mediator with
//! the first and a one-room venue with the second. The LP may give each of the three ½.
//! Such triangles are most of what separates the LP bound from the optimum on the ladder's
//! weeks: on the 200-case week, 18 cuts in two rounds close 69 of the 82 units between the
//! LP bound and the optimum (`docs/performance.md`).
//!
//! Cuts are found from an LP solution (`cliques`): from each fractional candidate, a clique
//! is grown greedily among the candidates the LP uses, largest value first; if its values sum
//! to more than one, it is extended to every other candidate (used by the LP or not) that
//! conflicts with all its members, and becomes the row `Σ x ≤ 1`.
//!
//! Counting travel rows raised the LP bound of the 600-case week by 51 units (to 138 below
//! its optimum) and took microlp's proof of the 200-case week from 0.96 s to 0.86 s. Two
//! other families were tried on the 600-case week and left out, as they moved the bound by
//! nothing: extended covers of the rooms and caps rows (a few cuts a round, the same bound),
//! and odd cycles of conflicts (twice the cuts, without lifting, and the LP moved to another
//! fractional point of the same cost).

use std::collections::{HashMap, HashSet};

use super::fixing::Relaxation;
use super::model::{Col, Columns, Model, Row};
use super::time::Deadline;
use super::SolveOptions;

/// A cut is kept only when the LP solution breaks it by more than this.
const MIN_VIOLATION: f64 = 0.01;

/// The most cuts one separation round returns, most violated first.
const MAX_CUTS: usize = 1_000;

/// The most fractional candidates a clique is grown from in a round, largest value first.
const MAX_SEEDS: usize = 5_000;

/// Values below this count as zero.
const ZERO: f64 = 1e-6;

/// Rounds of cuts after the first subgradient ascent (microlp).
const ASCENT_CUT_ROUNDS: usize = 10;

/// Cuts go on while a round raises the bound by at least this many objective units (with
/// either backend).
pub(super) const MIN_GAIN: f64 = 1.0;

/// A subgradient ascent (`milp::bound::subgradient`), then rounds of clique cuts, each
/// separated from the ascent's average minimiser (its estimate of the LP solution), added to
/// `model` and followed by an ascent from the last duals (the cuts' at zero), until `deadline`,
/// until no cut is found or a round raises the bound by less than [`MIN_GAIN`]. The first
/// ascent may take half the time, or all of it above `bound::LARGE_ABOVE` candidates (at
/// 5.3 M it is still climbing at its deadline, and half the time cost more bound than the
/// cuts gave back). Returns the best bound, a true one whatever the round.
///
/// The first ascent starts from the duals `start` (one per row of `model`, or zero), and a
/// clique already in `seen` (added to `model` by an earlier call) is not added again.
pub(super) fn ascent_with_cuts(
    model: &mut Model,
    upper: f64,
    deadline: Deadline,
    max_rounds: usize,
    start: Option<&[f64]>,
    seen: &mut HashSet<Vec<u32>>,
    options: &SolveOptions,
) -> Option<Relaxation> {
    let first = if model.candidates.len() > super::bound::LARGE_ABOVE {
        deadline
    } else {
        // Half the time left; a deadline already passed stays passed.
        deadline.split(2).unwrap_or(deadline)
    };
    let mut best = super::bound::subgradient(
        model,
        upper,
        first,
        max_rounds,
        start,
        options.cancel.as_ref(),
    )?;
    for round in 0..ASCENT_CUT_ROUNDS {
        // This round's share of the time left: none once the deadline has passed.
        let Some(share) = deadline.split((ASCENT_CUT_ROUNDS - round) as u32) else {
            break;
        };
        if upper - best.objective < 1.0 || options.cancelled() {
            break;
        }
        let cuts = cliques(&Conflicts::new(model), &best.values, seen);
        if cuts.is_empty() {
            break;
        }
        options.report(super::Phase::Cuts {
            round: round + 1,
            cuts: cuts.len(),
        });
        let mut y = best.duals.clone();
        for cut in cuts {
            model.add_cut(cut);
            y.push(0.0);
        }
        let Some(next) = super::bound::subgradient(
            model,
            upper,
            share,
            max_rounds,
            Some(&y),
            options.cancel.as_ref(),
        ) else {
            break;
        };
        let gain = next.objective - best.objective;
        if gain > 0.0 {
            best = next;
        }
        if gain < MIN_GAIN {
            break;
        }
    }
    Some(best)
}

/// The rows that give conflicts, over candidates only: each `≤` row of the model whose
/// terms are candidates and presence sums (`Col::Presence`, a mediator at one venue in one
/// session, equal to the sum of its candidates), all with positive coefficients, the sums
/// written out as their candidates. A travel row is one of these: the mediator at one venue
/// in the morning excludes them at each venue too far for the afternoon.
pub(super) struct Conflicts {
    rows: Vec<Row>,
    /// `rows` column by column (candidates only).
    columns: Columns,
}

impl Conflicts {
    pub fn new(model: &Model) -> Self {
        let n = model.candidates.len();
        let mut rows = Vec::new();
        for row in &model.rows {
            if row.lower != f64::NEG_INFINITY || !row.upper.is_finite() {
                continue;
            }
            let mut terms: Vec<(u32, f32)> = Vec::with_capacity(row.terms.len());
            let mut over_candidates = true;
            for &(j, c) in &row.terms {
                if c <= 0.0 {
                    over_candidates = false;
                    break;
                }
                match model.aux(j as usize) {
                    None if (j as usize) < n => terms.push((j, c)),
                    Some(Col::Presence(members)) => {
                        terms.extend(members.iter().map(|&i| (i as u32, c)))
                    }
                    _ => {
                        over_candidates = false;
                        break;
                    }
                }
            }
            if over_candidates && terms.len() > 1 {
                rows.push(Row {
                    terms,
                    lower: f64::NEG_INFINITY,
                    upper: row.upper,
                });
            }
        }
        let columns = Columns::of_rows(n, &rows);
        Self { rows, columns }
    }

    /// Whether candidates `a` and `b` cannot both be held: some conflict row has no room for
    /// both. A column's entries are in row order.
    fn conflict(&self, a: usize, b: usize) -> bool {
        let (mut p, mut q) = (self.columns.of(a).peekable(), self.columns.of(b).peekable());
        while let (Some(&(ra, ca)), Some(&(rb, cb))) = (p.peek(), q.peek()) {
            match ra.cmp(&rb) {
                std::cmp::Ordering::Less => {
                    p.next();
                }
                std::cmp::Ordering::Greater => {
                    q.next();
                }
                std::cmp::Ordering::Equal => {
                    let r = ra as usize;
                    if f64::from(ca) + f64::from(cb) > self.rows[r].upper + ZERO {
                        return true;
                    }
                    p.next();
                    q.next();
                }
            }
        }
        false
    }
}

/// Violated clique cuts for the LP solution `x` (one value per candidate), each a row
/// `Σ x ≤ 1`, at most [`MAX_CUTS`], none already in `seen` (the sorted members each cut
/// was grown from, which it records).
pub(super) fn cliques(conflicts: &Conflicts, x: &[f64], seen: &mut HashSet<Vec<u32>>) -> Vec<Row> {
    let positive: Vec<usize> = (0..x.len()).filter(|&i| x[i] > ZERO).collect();
    // The conflicts among the candidates the LP uses, each list found once.
    let mut known: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut neighbours = |i: usize| -> Vec<usize> {
        if let Some(list) = known.get(&i) {
            return list.clone();
        }
        let mut out = Vec::new();
        for (r, ci) in conflicts.columns.of(i) {
            let row = &conflicts.rows[r as usize];
            for &(k, ck) in &row.terms {
                let k = k as usize;
                if k != i && x[k] > ZERO && f64::from(ci) + f64::from(ck) > row.upper + ZERO {
                    out.push(k);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        known.insert(i, out.clone());
        out
    };
    let mut fractional: Vec<usize> = positive
        .iter()
        .copied()
        .filter(|&i| x[i] < 1.0 - ZERO)
        .collect();
    fractional.sort_by(|&a, &b| x[b].total_cmp(&x[a]).then(a.cmp(&b)));
    fractional.truncate(MAX_SEEDS);
    let mut found: Vec<(f64, Vec<usize>)> = Vec::new();
    for &i in &fractional {
        let mut clique = vec![i];
        let mut open = neighbours(i);
        while let Some(&k) = open
            .iter()
            .max_by(|&&a, &&b| x[a].total_cmp(&x[b]).then(b.cmp(&a)))
        {
            clique.push(k);
            let with_k = neighbours(k);
            open.retain(|j| with_k.binary_search(j).is_ok());
        }
        let total: f64 = clique.iter().map(|&k| x[k]).sum();
        if total <= 1.0 + MIN_VIOLATION {
            continue;
        }
        let mut key: Vec<u32> = clique.iter().map(|&k| k as u32).collect();
        key.sort_unstable();
        if seen.insert(key) {
            found.push((total, clique));
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.truncate(MAX_CUTS);
    found
        .into_iter()
        .map(|(_, clique)| {
            let members = lift(conflicts, clique);
            Row {
                terms: members.into_iter().map(|k| (k as u32, 1.0)).collect(),
                lower: f64::NEG_INFINITY,
                upper: 1.0,
            }
        })
        .collect()
}

/// The clique extended by every candidate that conflicts with all its members (greedily,
/// in candidate order), sorted.
fn lift(conflicts: &Conflicts, mut clique: Vec<usize>) -> Vec<usize> {
    let first = clique[0];
    let mut others: Vec<usize> = conflicts
        .columns
        .of(first)
        .flat_map(|(r, _)| {
            conflicts.rows[r as usize]
                .terms
                .iter()
                .map(|&(k, _)| k as usize)
        })
        .filter(|&k| !clique.contains(&k))
        .collect();
    others.sort_unstable();
    others.dedup();
    for k in others {
        if clique.iter().all(|&m| conflicts.conflict(k, m)) {
            clique.push(k);
        }
    }
    clique.sort_unstable();
    clique
}

/// The small models of these tests, for other modules' tests (`milp::microlp`).
#[cfg(test)]
pub(super) use tests::{one_a_case, pair};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidates::Candidate;
    use crate::input::Mode;
    use crate::milp::model::Terms;
    use crate::rules::Site;

    /// `n` candidates, one for each of `n` cases (the rows of a test say which conflict).
    pub(in crate::milp) fn one_a_case(n: usize) -> Vec<Candidate> {
        (0..n)
            .map(|case| Candidate {
                case,
                mediator: 0,
                day: 0,
                template: 0,
                site: Site::Remote(Mode::Video),
                needs_interpreter: false,
                late: false,
                cost: -1,
            })
            .collect()
    }

    /// The row `x_a + x_b ≤ 1`.
    pub(in crate::milp) fn pair(a: usize, b: usize) -> Row {
        let mut t = Terms::with_capacity(2);
        t.add_mul(1.0, a);
        t.add_mul(1.0, b);
        t.leq(1.0)
    }

    /// Three candidates, each pair in a different row: the LP's ½, ½, ½ breaks the cut.
    #[test]
    fn a_triangle_across_rows_is_cut_and_lifted() {
        let mut model = Model::with_capacity(4);
        for _ in 0..4 {
            model.add_candidate(-1.0);
        }
        model.rows.push(pair(0, 1));
        model.rows.push(pair(1, 2));
        // Rooms: 2 + 2 > 3, so 0, 2 and 3 conflict pairwise; 3 conflicts with 1 below.
        let mut knap = Terms::with_capacity(3);
        knap.add_mul(2.0, 0);
        knap.add_mul(2.0, 2);
        knap.add_mul(2.0, 3);
        model.rows.push(knap.leq(3.0));
        model.rows.push(pair(1, 3));
        model.candidates = one_a_case(4);
        let conflicts = Conflicts::new(&model);
        let x = [0.5, 0.5, 0.5, 0.0];
        let mut seen = HashSet::new();
        let cuts = cliques(&conflicts, &x, &mut seen);
        assert_eq!(cuts.len(), 1);
        let members: Vec<u32> = cuts[0].terms.iter().map(|&(k, _)| k).collect();
        assert_eq!(
            members,
            vec![0, 1, 2, 3],
            "lifted by the candidate outside the LP"
        );
        assert_eq!(cuts[0].upper, 1.0);
        // Found once: the same clique is not returned again.
        assert!(cliques(&conflicts, &x, &mut seen).is_empty());
        // An integral point breaks nothing.
        let mut fresh = HashSet::new();
        assert!(cliques(&conflicts, &[1.0, 0.0, 0.0, 0.0], &mut fresh).is_empty());
    }

    /// A travel row names presence sums, not candidates: written out, it makes each of the
    /// mediator's morning candidates at one venue conflict with their afternoon candidate at
    /// a venue too far away, which closes a triangle with a case row and a session row.
    #[test]
    fn a_travel_row_through_a_presence_sum_gives_conflicts() {
        let mut model = Model::with_capacity(5);
        for _ in 0..4 {
            model.add_candidate(-1.0);
        }
        // Candidates 0 and 1: the mediator at venue A in the morning; 2: at far venue B in
        // the afternoon; 3: another case's option, 0's case and 2's session.
        let at_a = model.add(Col::Presence(vec![0, 1]), 0.0);
        let terms = |pairs: &[(usize, f64)]| {
            let mut t = Terms::with_capacity(pairs.len());
            for &(j, c) in pairs {
                t.add_mul(c, j);
            }
            t
        };
        model
            .rows
            .push(terms(&[(0, 1.0), (1, 1.0), (at_a, -1.0)]).eq(0.0));
        model.rows.push(terms(&[(at_a, 1.0), (2, 1.0)]).leq(1.0));
        model.rows.push(terms(&[(0, 1.0), (3, 1.0)]).leq(1.0));
        model.rows.push(terms(&[(2, 1.0), (3, 1.0)]).leq(1.0));
        model.candidates = one_a_case(4);
        let conflicts = Conflicts::new(&model);
        assert!(conflicts.conflict(0, 2) && conflicts.conflict(1, 2));
        assert!(conflicts.conflict(0, 3) && conflicts.conflict(2, 3));
        assert!(conflicts.conflict(0, 1), "the mediator is at A once");
        assert!(!conflicts.conflict(1, 3), "no row holds 1 and 3 apart");
        let cuts = cliques(&conflicts, &[0.5, 0.0, 0.5, 0.5], &mut HashSet::new());
        assert_eq!(cuts.len(), 1);
        let members: Vec<u32> = cuts[0].terms.iter().map(|&(k, _)| k).collect();
        assert_eq!(
            members,
            vec![0, 2, 3],
            "1 does not conflict with 3: not lifted"
        );
        // The equality row defining the sum is not a conflict row.
        assert_eq!(conflicts.rows.len(), 3);
    }

    /// On the 200-case week, where the LP is fractional, every cut the ascent separates holds
    /// at the optimal roster, which the independent checker accepts: a cut never removes a
    /// feasible roster. The bound stays at or below that roster's cost.
    #[test]
    fn cuts_on_a_generated_week_hold_at_its_checked_optimal_roster() {
        use crate::generate::{generate, GenerateParams};
        use crate::milp::build::build;
        use crate::milp::solve;
        let input = generate(&GenerateParams::week(200, 100, 60, 1));
        let problem = crate::validate::validate(&input).unwrap().problem;
        let options = SolveOptions::default();
        let outcome = crate::schedule::schedule(&problem, &options).unwrap();
        assert!(crate::checker::check(&problem, &outcome.roster).is_valid());
        let solved = solve(&problem, &options).unwrap();
        assert_eq!(solved.summary.objective, outcome.solver.objective);
        let candidates = crate::candidates::generate(&problem, &options.weights);
        let mut model = build(&problem, candidates, &options);
        let optimum = solved.summary.objective - model.constant;
        let deadline = Deadline::in_secs(60.0);
        let relaxed = ascent_with_cuts(
            &mut model,
            optimum + 10_000.0,
            deadline,
            20_000,
            None,
            &mut HashSet::new(),
            &options,
        )
        .unwrap();
        assert!(!model.cuts().is_empty(), "the ascent found no cut");
        assert!(relaxed.objective <= optimum + 1e-6);
        let held: Vec<usize> = solved
            .chosen
            .iter()
            .map(|c| model.candidates.iter().position(|m| m == c).unwrap())
            .collect();
        for cut in model.cuts() {
            let at_roster = cut
                .terms
                .iter()
                .filter(|(j, _)| held.contains(&(*j as usize)))
                .count();
            assert!(
                at_roster <= 1,
                "a cut holds {at_roster} meetings of the roster"
            );
        }
    }
}
