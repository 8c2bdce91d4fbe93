//! The model in a compact form: columns with their costs, and rows of (column, coefficient)
//! terms between bounds.
//!
//! It is built once per solve. A backend gets it through good_lp ([`Model::lp`]); the LP
//! pricing of `milp::reduced` reads its columns directly, which lets it solve the LP over a
//! small part of the columns and price the rest; the model export writes it as it is.

use std::collections::{BTreeSet, HashMap};

use good_lp::{variable, Constraint, Expression, ProblemVariables, Variable};

use crate::candidates::Candidate;
use crate::model::{CaseIdx, DayIdx, InterpreterIdx, MediatorIdx, Problem, TemplateIdx};

/// A column of the model: candidate `i` is column `i`; the auxiliary columns ([`Col`])
/// come after the candidates.
pub(super) type Var = usize;

/// What an auxiliary column of the model stands for (a candidate's column is just its
/// index: storing a kind for each of the 5 million candidates of the 4-week rung took
/// 200 MB).
#[derive(Debug, Clone)]
pub(super) enum Col {
    /// The mediator is at one venue in one session: the sum of these candidates (in [0, 1]).
    Presence(Vec<usize>),
    /// The interpreter is booked for the case in this session (binary).
    Interpreter {
        case: CaseIdx,
        interpreter: InterpreterIdx,
        day: DayIdx,
        template: TemplateIdx,
    },
    /// The mediator holds at least `k` sessions (in [0, 1]; the convex fairness steps).
    FairnessStep { mediator: MediatorIdx, k: u32 },
}

impl Col {
    pub fn is_binary(&self) -> bool {
        matches!(self, Col::Interpreter { .. })
    }
}

/// A linear expression over columns, without constant. Coefficients are small whole
/// numbers (units, rooms, ±1), which `f32` holds exactly.
#[derive(Debug, Clone, Default)]
pub(super) struct Terms(Vec<(u32, f32)>);

impl Terms {
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    pub fn add_mul(&mut self, coefficient: f64, column: Var) {
        self.0.push((column as u32, coefficient as f32));
    }

    /// `self − other`.
    pub fn minus(mut self, other: Terms) -> Terms {
        self.0
            .extend(other.0.into_iter().map(|(column, c)| (column, -c)));
        self
    }

    pub fn leq(self, upper: f64) -> Row {
        self.row(f64::NEG_INFINITY, upper)
    }

    pub fn geq(self, lower: f64) -> Row {
        self.row(lower, f64::INFINITY)
    }

    pub fn eq(self, value: f64) -> Row {
        self.row(value, value)
    }

    /// The row, its terms without spare capacity: they were pushed one by one, so a row's
    /// vector could keep up to half its room spare for the whole solve. At 2,000 cases over
    /// 6 weeks (half a million rows) dropping it lowered the peak from 2,888 to 2,777 MB.
    fn row(mut self, lower: f64, upper: f64) -> Row {
        self.0.shrink_to_fit();
        Row {
            terms: self.0,
            lower,
            upper,
        }
    }
}

/// `Σ coefficient × column` for the given pairs.
pub(super) fn sum(vars: impl IntoIterator<Item = (Var, f64)>) -> Terms {
    let mut e = Terms::with_capacity(8);
    for (v, c) in vars {
        e.add_mul(c, v);
    }
    e
}

/// One row: `lower ≤ Σ coefficient × column ≤ upper`.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub terms: Vec<(u32, f32)>,
    pub lower: f64,
    pub upper: f64,
}

impl Row {
    /// `y` moved onto the signs a dual of this row may take in a minimisation: `≤ 0` on a
    /// `≤` row, `≥ 0` on a `≥` row, any on an equality.
    pub fn feasible_dual(&self, y: f64) -> f64 {
        if self.lower == self.upper {
            y
        } else if self.upper.is_finite() {
            y.min(0.0)
        } else {
            y.max(0.0)
        }
    }

    fn constraint(&self, col_vars: &[Variable]) -> Constraint {
        let mut e = Expression::with_capacity(self.terms.len());
        for &(column, c) in &self.terms {
            e.add_mul(f64::from(c), col_vars[column as usize]);
        }
        if self.lower == self.upper {
            e.eq(self.lower)
        } else if self.upper.is_finite() {
            e.leq(self.upper)
        } else {
            e.geq(self.lower)
        }
    }
}

/// The most of a unit by which a roster's objective may sit below the bound of a node that
/// is pruned ([`Model::integral_prune_epsilon`]); below one, with room for rounding.
pub(super) const INTEGRAL_PRUNE_SLACK: f64 = 0.9;

/// Variables and constraints, ready for either backend.
#[derive(Clone)]
pub(super) struct Model {
    /// Columns below this one are candidates, column `i` being candidate `i`.
    candidate_columns: usize,
    /// What each column from `candidate_columns` on stands for.
    aux: Vec<Col>,
    /// The objective coefficient of each column.
    pub costs: Vec<f64>,
    pub rows: Vec<Row>,
    /// Constant part of the objective (the cost of holding no case), kept apart because
    /// backends drop constants.
    pub constant: f64,
    pub candidates: Vec<Candidate>,
    /// Each case's "held at most once" row (none when it has fewer than two candidates).
    pub case_rows: Vec<Option<usize>>,
    /// Rows from this one on are cuts (`milp::cuts`): valid inequalities over candidates
    /// only, added after the model was built.
    pub first_cut: usize,
}

/// The model's matrix by columns (compressed sparse columns).
///
/// An entry is packed into 4 bytes when it fits, as it does in every model the service
/// builds: the row in the low [`Columns::row_bits`] bits and, above them, the index of its
/// coefficient in `values` (a model has few distinct coefficients: 1, 2, −1, rooms, …). At
/// 2,000 cases over six weeks that halves the Lagrangian ascent's copy of the matrix (64
/// million entries, 540 MB as `(u32, f32)`). A model whose rows and coefficients do not fit
/// in 32 bits together keeps `(row, coefficient)` pairs in `wide`.
pub(super) struct Columns {
    start: Vec<usize>,
    packed: Vec<u32>,
    row_bits: u32,
    values: Vec<f32>,
    wide: Vec<(u32, f32)>,
}

/// Coefficients that are whole numbers from −[`SMALL`] to [`SMALL`] have the codes 0 to
/// 2 × [`SMALL`] without a lookup.
const SMALL: i32 = 64;

impl Columns {
    /// `rows` over `n` columns, column by column; each column's entries in row order.
    pub fn of_rows(n: usize, rows: &[Row]) -> Columns {
        let mut start = vec![0usize; n + 1];
        let mut values: Vec<f32> = (-SMALL..=SMALL).map(|v| v as f32).collect();
        let mut other: HashMap<u32, u32> = HashMap::new();
        for row in rows {
            for &(column, c) in &row.terms {
                start[column as usize + 1] += 1;
                if small_code(c).is_none() {
                    other.entry(c.to_bits()).or_insert_with(|| {
                        values.push(c);
                        (values.len() - 1) as u32
                    });
                }
            }
        }
        // `start[j + 1]` first holds where column `j` begins and serves as its cursor as the
        // entries are placed, ending where it ends: no second array of cursors is needed.
        let mut total = 0;
        for at in &mut start[1..] {
            let count = *at;
            *at = total;
            total += count;
        }
        let code_bits = usize::BITS - (values.len() - 1).leading_zeros();
        let row_bits = 32 - code_bits.min(32);
        let fits = row_bits > 0 && (rows.len() as u64) < (1u64 << row_bits);
        let (mut packed, mut wide) = if fits {
            (vec![0u32; total], Vec::new())
        } else {
            (Vec::new(), vec![(0u32, 0f32); total])
        };
        for (r, row) in rows.iter().enumerate() {
            for &(column, c) in &row.terms {
                let at = &mut start[column as usize + 1];
                if fits {
                    let code = small_code(c).unwrap_or_else(|| other[&c.to_bits()]);
                    packed[*at] = (code << row_bits) | r as u32;
                } else {
                    wide[*at] = (r as u32, c);
                }
                *at += 1;
            }
        }
        Columns {
            start,
            packed,
            row_bits,
            values,
            wide,
        }
    }

    /// The rows column `j` is in, with its coefficient in each, in row order.
    pub fn of(&self, j: usize) -> Entries<'_> {
        Entries {
            columns: self,
            at: self.start[j]..self.start[j + 1],
        }
    }

    fn entry(&self, i: usize) -> (u32, f32) {
        if self.wide.is_empty() {
            let e = self.packed[i];
            // `row_bits` is at most 24: there are always at least 129 codes.
            let row = e & ((1u32 << self.row_bits) - 1);
            (row, self.values[(e >> self.row_bits) as usize])
        } else {
            self.wide[i]
        }
    }
}

/// The code of a whole coefficient from −[`SMALL`] to [`SMALL`].
fn small_code(c: f32) -> Option<u32> {
    let v = c as i32;
    (v as f32 == c && (-SMALL..=SMALL).contains(&v)).then(|| (v + SMALL) as u32)
}

/// A column's entries: `(row, coefficient)` in row order.
#[derive(Clone)]
pub(super) struct Entries<'a> {
    columns: &'a Columns,
    at: std::ops::Range<usize>,
}

impl Iterator for Entries<'_> {
    type Item = (u32, f32);

    fn next(&mut self) -> Option<(u32, f32)> {
        let i = self.at.next()?;
        Some(self.columns.entry(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.at.size_hint()
    }
}

/// The model in good_lp's terms, for a backend.
pub(super) struct Lp {
    pub vars: ProblemVariables,
    pub objective: Expression,
    pub constraints: Vec<Constraint>,
    /// The variable of each column.
    pub col_vars: Vec<Variable>,
}

impl Model {
    pub fn with_capacity(columns: usize) -> Self {
        Self {
            candidate_columns: 0,
            aux: Vec::new(),
            costs: Vec::with_capacity(columns),
            rows: Vec::new(),
            constant: 0.0,
            candidates: Vec::new(),
            case_rows: Vec::new(),
            first_cut: 0,
        }
    }

    /// Adds the column of the next candidate (binary) with its objective coefficient; every
    /// candidate comes before the first auxiliary column.
    pub fn add_candidate(&mut self, cost: f64) -> Var {
        assert!(
            self.aux.is_empty(),
            "a candidate column after an auxiliary one"
        );
        self.costs.push(cost);
        self.candidate_columns += 1;
        self.costs.len() - 1
    }

    /// Adds an auxiliary column (binary or in [0, 1], by its kind) with its objective
    /// coefficient.
    pub fn add(&mut self, col: Col, cost: f64) -> Var {
        self.aux.push(col);
        self.costs.push(cost);
        self.costs.len() - 1
    }

    pub fn n_vars(&self) -> usize {
        self.costs.len()
    }

    /// What column `j` stands for when it is not a candidate's.
    pub fn aux(&self, j: Var) -> Option<&Col> {
        j.checked_sub(self.candidate_columns).map(|k| &self.aux[k])
    }

    /// The auxiliary columns, each with its kind.
    pub fn aux_columns(&self) -> impl Iterator<Item = (Var, &Col)> {
        let first = self.candidate_columns;
        self.aux
            .iter()
            .enumerate()
            .map(move |(k, col)| (first + k, col))
    }

    /// Whether column `j` is binary (a candidate or an interpreter's booking) rather than in
    /// [0, 1].
    pub fn is_binary(&self, j: Var) -> bool {
        self.aux(j).is_none_or(Col::is_binary)
    }

    /// For each row, whether it is a case's "held at most once" row.
    pub fn case_row_mask(&self) -> Vec<bool> {
        let mut mask = vec![false; self.rows.len()];
        for &r in self.case_rows.iter().flatten() {
            mask[r] = true;
        }
        mask
    }

    /// The model in good_lp's terms, with its cuts or without them (the rows as built).
    pub fn lp_with(&self, cuts: bool) -> Lp {
        let mut vars = ProblemVariables::new();
        let col_vars: Vec<Variable> = (0..self.n_vars())
            .map(|j| {
                vars.add(if self.is_binary(j) {
                    variable().binary()
                } else {
                    variable().min(0).max(1)
                })
            })
            .collect();
        let mut objective = Expression::with_capacity(self.n_vars());
        for (v, &c) in col_vars.iter().zip(&self.costs) {
            if c != 0.0 {
                objective.add_mul(c, *v);
            }
        }
        let rows = if cuts {
            &self.rows[..]
        } else {
            &self.rows[..self.first_cut]
        };
        let constraints = rows.iter().map(|r| r.constraint(&col_vars)).collect();
        Lp {
            vars,
            objective,
            constraints,
            col_vars,
        }
    }

    /// A bound on the objective's size (without the constant) over every roster: each
    /// case's costliest option plus every auxiliary column's cost. The objective is
    /// integral, so a node whose bound is within a unit of the best roster cannot hold a
    /// better one; microlp's pruning slack is relative, and this bound turns it into
    /// [`Model::integral_prune_epsilon`].
    pub fn objective_magnitude(&self) -> f64 {
        let mut per_case: HashMap<CaseIdx, f64> = HashMap::new();
        for (candidate, cost) in self.candidates.iter().zip(&self.costs) {
            let largest = per_case.entry(candidate.case).or_insert(0.0);
            *largest = largest.max(cost.abs());
        }
        let aux: f64 = self.costs[self.candidate_columns..]
            .iter()
            .map(|c| c.abs())
            .sum();
        per_case.values().sum::<f64>() + aux
    }

    /// microlp's relative pruning slack (`prune_epsilon`, applied as
    /// `max(ε, ε·|incumbent|)`) that comes to at most [`INTEGRAL_PRUNE_SLACK`] of a unit
    /// for every roster: a node is then pruned once its bound cannot beat the best roster
    /// by a whole unit, as HiGHS does when it finds the objective integral.
    pub fn integral_prune_epsilon(&self) -> f64 {
        INTEGRAL_PRUNE_SLACK / self.objective_magnitude().max(1.0)
    }

    /// Whether `values` (one per column) meet every row, within floating-point noise.
    pub fn satisfies(&self, values: &[f64]) -> bool {
        self.rows.iter().all(|row| {
            let activity: f64 = row
                .terms
                .iter()
                .map(|&(j, c)| values[j as usize] * f64::from(c))
                .sum();
            activity >= row.lower - 1e-6 && activity <= row.upper + 1e-6
        })
    }

    /// The cost of column values (without the constant).
    pub fn cost_of(&self, values: &[f64]) -> f64 {
        values.iter().zip(&self.costs).map(|(v, c)| v * c).sum()
    }

    /// Adds a cut: a row over candidates only that every roster meets.
    pub fn add_cut(&mut self, cut: Row) {
        self.rows.push(cut);
    }

    /// The cuts added since the model was built.
    pub fn cuts(&self) -> &[Row] {
        &self.rows[self.first_cut..]
    }

    /// The model column by column: for each column, the rows it is in with its coefficient.
    pub fn columns(&self) -> Columns {
        Columns::of_rows(self.n_vars(), &self.rows)
    }

    /// Column values for a set of placements (a warm start): chosen candidates, the
    /// presence sums, booked interpreters and fairness steps up to each mediator's load.
    pub fn assignment(
        &self,
        problem: &Problem,
        chosen: &[(usize, Option<InterpreterIdx>)],
    ) -> Vec<f64> {
        let mut on = vec![false; self.candidates.len()];
        let mut booked = BTreeSet::new();
        let mut load = vec![0u32; problem.mediators.len()];
        for &(i, interpreter) in chosen {
            let c = &self.candidates[i];
            on[i] = true;
            load[c.mediator] += problem.templates[c.template].session_units();
            if let Some(k) = interpreter {
                booked.insert((c.case, k, c.day, c.template));
            }
        }
        let bit = |b: bool| if b { 1.0 } else { 0.0 };
        let aux = self.aux.iter().map(|col| match col {
            Col::Presence(members) => members.iter().map(|&i| bit(on[i])).sum(),
            Col::Interpreter {
                case,
                interpreter,
                day,
                template,
            } => bit(booked.contains(&(*case, *interpreter, *day, *template))),
            Col::FairnessStep { mediator, k } => bit(*k <= load[*mediator]),
        });
        on[..self.candidate_columns]
            .iter()
            .map(|&b| bit(b))
            .chain(aux)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(terms: Vec<(u32, f32)>) -> Row {
        Row {
            terms,
            lower: f64::NEG_INFINITY,
            upper: 1.0,
        }
    }

    /// Each column's entries, read back, are the rows' terms in row order.
    fn assert_same(n: usize, rows: &[Row], columns: &Columns) {
        let mut expected: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
        for (r, row) in rows.iter().enumerate() {
            for &(j, c) in &row.terms {
                expected[j as usize].push((r as u32, c));
            }
        }
        for (j, want) in expected.iter().enumerate() {
            let got: Vec<(u32, f32)> = columns.of(j).collect();
            assert_eq!(&got, want, "column {j}");
        }
    }

    #[test]
    fn packed_columns_give_back_every_coefficient() {
        let rows = vec![
            row(vec![(0, 1.0), (1, 2.0), (3, -1.0)]),
            row(vec![(1, 0.5), (2, 1e6), (3, -64.0)]),
            row(vec![(0, 65.0), (2, -0.0), (3, f32::MAX)]),
            row(vec![(0, 0.5), (3, 2.0)]),
        ];
        let columns = Columns::of_rows(4, &rows);
        assert!(columns.wide.is_empty(), "these fit in 4 bytes an entry");
        assert_same(4, &rows, &columns);
    }

    #[test]
    fn too_many_rows_and_coefficients_for_32_bits_stay_wide() {
        // 70,000 distinct coefficients need 17 bits, leaving 15 for 70,000 rows: too few.
        let rows: Vec<Row> = (0..70_000u32)
            .map(|r| row(vec![(r % 3, r as f32 + 0.5), (3, 1.0)]))
            .collect();
        let columns = Columns::of_rows(4, &rows);
        assert!(columns.packed.is_empty());
        assert_same(4, &rows, &columns);
        // The same rows with one coefficient fit.
        let rows: Vec<Row> = (0..70_000u32)
            .map(|r| row(vec![(r % 3, 0.5), (3, 1.0)]))
            .collect();
        let columns = Columns::of_rows(4, &rows);
        assert!(columns.wide.is_empty());
        assert_same(4, &rows, &columns);
    }
}
