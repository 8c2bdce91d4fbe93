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
pub(super) struct Columns {
    start: Vec<usize>,
    entries: Vec<(u32, f32)>,
}

impl Columns {
    /// `rows` over `n` columns, column by column; each column's entries in row order.
    pub fn of_rows(n: usize, rows: &[Row]) -> Columns {
        let mut start = vec![0usize; n + 1];
        for row in rows {
            for &(column, _) in &row.terms {
                start[column as usize + 1] += 1;
            }
        }
        for j in 0..n {
            start[j + 1] += start[j];
        }
        let mut next = start.clone();
        let mut entries = vec![(0u32, 0f32); start[n]];
        for (r, row) in rows.iter().enumerate() {
            for &(column, c) in &row.terms {
                let at = &mut next[column as usize];
                entries[*at] = (r as u32, c);
                *at += 1;
            }
        }
        Columns { start, entries }
    }

    /// The rows column `j` is in, with its coefficient in each.
    pub fn of(&self, j: usize) -> &[(u32, f32)] {
        &self.entries[self.start[j]..self.start[j + 1]]
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

    /// The whole model in good_lp's terms.
    pub fn lp(&self) -> Lp {
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
        let constraints = self.rows.iter().map(|r| r.constraint(&col_vars)).collect();
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
