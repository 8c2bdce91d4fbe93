//! A linear program solved by the simplex method with its optimal basis open for reading:
//! row duals, rows of the basis inverse, and a basis that warm-starts the next, larger LP of
//! a column generation (more columns, more rows).
//!
//! Added to this vendored copy by mediation-scheduler (not in microlp 0.6.0); see
//! VENDORED.md.

use std::time::Duration;

use sprs::CsVecI;
use web_time::Instant;

use crate::solver::{Basis, Solver, VarStatus};
use crate::{ComparisonOp, Error, StopReason, VarDomain};

/// Where a variable of a basis sits. For a row this is its activity `a·x`: at the row's
/// lower bound (a `≥` row that binds), at its upper bound (a `≤` row that binds), or basic.
/// An equality row is reported at its lower bound when nonbasic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BasisStatus {
    /// Nonbasic at its lower bound.
    AtLower,
    /// In the basis.
    Basic,
    /// Nonbasic at its upper bound.
    AtUpper,
}

/// A basis of a [`Relaxation`], one status per column and per row in the order they were
/// given; a later relaxation with more columns and rows starts from it
/// ([`Relaxation::solve_from`]).
#[derive(Clone, Debug)]
pub struct RelaxationBasis {
    columns: Vec<VarStatus>,
    /// The slack status of each row (none for an empty row, which the solver drops).
    rows: Vec<Option<VarStatus>>,
    /// The comparison of each row, to read its slack's status as its activity's.
    ops: Vec<ComparisonOp>,
}

impl RelaxationBasis {
    /// The status of column `j`.
    pub fn column(&self, j: usize) -> BasisStatus {
        match self.columns[j] {
            VarStatus::Basic => BasisStatus::Basic,
            VarStatus::AtUpper => BasisStatus::AtUpper,
            VarStatus::AtLower | VarStatus::Free => BasisStatus::AtLower,
        }
    }

    /// The status of row `i`'s activity. The slack of a `≤` row is `rhs − a·x ≥ 0`, so a slack
    /// at zero puts the activity at the upper bound; that of a `≥` row is `≤ 0`.
    pub fn row(&self, i: usize) -> BasisStatus {
        match (self.rows[i].as_ref(), self.ops[i]) {
            (None | Some(VarStatus::Basic), _) => BasisStatus::Basic,
            (Some(_), ComparisonOp::Le) => BasisStatus::AtUpper,
            (Some(_), ComparisonOp::Ge | ComparisonOp::Eq) => BasisStatus::AtLower,
        }
    }
}

/// A linear program over columns with bounds (a minimisation), solved by microlp's simplex,
/// whose optimal basis can be read: [`Relaxation::row_duals`],
/// [`Relaxation::basis_inverse_row`], [`Relaxation::basis`].
pub struct Relaxation {
    solver: Solver,
    /// The solver's row of each given row (none for an empty row, which it drops).
    internal: Vec<Option<usize>>,
    ops: Vec<ComparisonOp>,
    solved: bool,
}

impl std::fmt::Debug for Relaxation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relaxation")
            .field("columns", &self.solver.num_vars)
            .field("rows", &self.internal.len())
            .field("solved", &self.solved)
            .finish()
    }
}

impl Relaxation {
    /// The LP `min Σ costs_j x_j` subject to `bounds_j` on each column and each row
    /// `Σ a·x (op) rhs` (its terms as `(column, coefficient)`), not yet solved.
    ///
    /// # Errors
    ///
    /// [`Error::Infeasible`] when a bound is crossed or an empty row cannot hold.
    pub fn new(
        costs: &[f64],
        bounds: &[(f64, f64)],
        rows: &[(Vec<(usize, f64)>, ComparisonOp, f64)],
    ) -> Result<Self, Error> {
        let n = costs.len();
        if bounds.len() != n {
            return Err(Error::InternalError(format!(
                "{} columns but {} bounds",
                n,
                bounds.len()
            )));
        }
        let mut constraints = Vec::with_capacity(rows.len());
        let mut internal = Vec::with_capacity(rows.len());
        for (terms, op, rhs) in rows {
            if terms.iter().any(|&(j, _)| j >= n) {
                return Err(Error::InternalError("a row names no column".into()));
            }
            let mut terms = terms.clone();
            terms.sort_unstable_by_key(|&(j, _)| j);
            terms.dedup_by(|b, a| {
                if a.0 == b.0 {
                    a.1 += b.1;
                    true
                } else {
                    false
                }
            });
            terms.retain(|&(_, c)| c != 0.0);
            if terms.is_empty() {
                let holds = match op {
                    ComparisonOp::Eq => *rhs == 0.0,
                    ComparisonOp::Le => 0.0 <= *rhs,
                    ComparisonOp::Ge => 0.0 >= *rhs,
                };
                if !holds {
                    return Err(Error::Infeasible);
                }
                internal.push(None);
                continue;
            }
            internal.push(Some(constraints.len()));
            let (idx, val): (Vec<usize>, Vec<f64>) = terms.into_iter().unzip();
            constraints.push((CsVecI::new(n, idx, val), *op, *rhs));
        }
        let mins: Vec<f64> = bounds.iter().map(|b| b.0).collect();
        let maxs: Vec<f64> = bounds.iter().map(|b| b.1).collect();
        let solver = Solver::try_new(
            costs,
            &mins,
            &maxs,
            &constraints,
            &vec![VarDomain::Real; n],
            None,
        )?;
        if solver.num_constraints() != constraints.len() {
            return Err(Error::InternalError("a row was dropped".into()));
        }
        Ok(Self {
            solver,
            internal,
            ops: rows.iter().map(|r| r.1).collect(),
            solved: false,
        })
    }

    /// Starts from `basis`, the basis of an LP whose columns and rows are the first ones of
    /// this: the columns added since sit at their lower bounds and the rows added since have
    /// their slacks basic (so a basis that was optimal stays primal feasible when the new
    /// rows hold at the old point, and dual feasible when no new column prices in).
    ///
    /// # Errors
    ///
    /// When `basis` has more columns or rows than this LP, or its factorization fails (the
    /// LP is then back at the all-slack basis).
    pub fn start_from(&mut self, basis: &RelaxationBasis) -> Result<(), Error> {
        let n = self.solver.num_vars;
        if basis.columns.len() > n || basis.rows.len() > self.internal.len() {
            return Err(Error::InternalError(
                "the basis is of a larger LP than this one".into(),
            ));
        }
        let mut statuses: Vec<VarStatus> = basis.columns.clone();
        statuses.resize(n, VarStatus::AtLower);
        let mut slacks = vec![VarStatus::Basic; self.solver.num_constraints()];
        for (i, status) in basis.rows.iter().enumerate() {
            if let (Some(status), Some(r)) = (status, self.internal[i]) {
                slacks[r] = status.clone();
            }
        }
        statuses.extend(slacks);
        if let Err(e) = self.solver.load_basis(&Basis(statuses)) {
            let slack = self.solver.slack_basis();
            self.solver.load_basis(&slack)?;
            return Err(e);
        }
        self.solver.refresh_primal_norms();
        self.solved = true;
        Ok(())
    }

    /// Runs the simplex for at most `time_limit`: `Ok(true)` once optimal, `Ok(false)` when the
    /// time ran out first (call again to go on).
    ///
    /// # Errors
    ///
    /// [`Error::Infeasible`], [`Error::Unbounded`], or a numerical failure.
    pub fn solve(&mut self, time_limit: Duration) -> Result<bool, Error> {
        self.solver.deadline = Some(Instant::now() + time_limit);
        let stop = if self.solved {
            self.solver.reoptimize()?
        } else {
            self.solver.initial_solve()?
        };
        self.solved = true;
        Ok(stop == StopReason::Finished && self.solver.is_optimal())
    }

    /// The objective at the current basis.
    pub fn objective(&self) -> f64 {
        self.solver.cur_obj_val
    }

    /// The value of each column.
    pub fn values(&self) -> Vec<f64> {
        (0..self.solver.num_vars)
            .map(|j| *self.solver.get_value(j))
            .collect()
    }

    /// The dual value of each row (zero for an empty one): a column's reduced cost is
    /// `c_j − Σ_i y_i a_ij`. At an optimum of this minimisation a binding `≤` row has
    /// `y ≤ 0` and a binding `≥` row `y ≥ 0`.
    pub fn row_duals(&mut self) -> Vec<f64> {
        let inner = self.solver.row_duals();
        self.internal
            .iter()
            .map(|r| r.map_or(0.0, |r| inner[r]))
            .collect()
    }

    /// The basic column at each position of the basis (none where a row's slack is basic).
    pub fn basic_columns(&self) -> Vec<Option<usize>> {
        let n = self.solver.num_vars;
        self.solver
            .basic_vars()
            .iter()
            .map(|&v| (v < n).then_some(v))
            .collect()
    }

    /// Row `position` of the basis inverse over the given rows: `ρ` such that
    /// `Σ_i ρ_i (a_i·x − r_i) = 0`, with `r_i = a_i·x` the activity of row `i`, holds the basic
    /// column of that position with coefficient 1 (as HiGHS' `getBasisInverseRow` over the
    /// rows, for a model whose rows are activities).
    pub fn basis_inverse_row(&mut self, position: usize) -> Vec<f64> {
        let inner = self.solver.basis_inverse_row(position);
        self.internal
            .iter()
            .map(|r| r.map_or(0.0, |r| inner[r]))
            .collect()
    }

    /// The current basis.
    pub fn basis(&self) -> RelaxationBasis {
        let Basis(statuses) = self.solver.snapshot_basis();
        let n = self.solver.num_vars;
        RelaxationBasis {
            columns: statuses[..n].to_vec(),
            rows: self
                .internal
                .iter()
                .map(|r| r.map(|r| statuses[n + r].clone()))
                .collect(),
            ops: self.ops.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// min −x0 − 2x1 − 3x2 subject to x0 + x1 + x2 ≤ 2, x1 + x2 ≤ 1.5, x0 − x2 ≥ −0.5, with
    /// columns in [0, 1]: a fractional optimum with two rows binding.
    fn rows() -> Vec<(Vec<(usize, f64)>, ComparisonOp, f64)> {
        vec![
            (vec![(0, 1.0), (1, 1.0), (2, 1.0)], ComparisonOp::Le, 2.0),
            (vec![(1, 1.0), (2, 1.0)], ComparisonOp::Le, 1.5),
            (vec![(0, 1.0), (2, -1.0)], ComparisonOp::Ge, -0.5),
        ]
    }

    const COSTS: [f64; 3] = [-1.0, -2.0, -3.0];
    const BOUNDS: [(f64, f64); 3] = [(0.0, 1.0); 3];

    fn solved(
        costs: &[f64],
        bounds: &[(f64, f64)],
        rows: &[(Vec<(usize, f64)>, ComparisonOp, f64)],
    ) -> Relaxation {
        let mut lp = Relaxation::new(costs, bounds, rows).unwrap();
        assert!(lp.solve(Duration::from_secs(10)).unwrap());
        lp
    }

    #[test]
    fn duals_price_every_column_and_prove_the_objective() {
        let rows = rows();
        let mut lp = solved(&COSTS, &BOUNDS, &rows);
        let x = lp.values();
        let y = lp.row_duals();
        // Duals of the right signs: ≤ rows y ≤ 0, ≥ rows y ≥ 0.
        assert!(y[0] <= 1e-9 && y[1] <= 1e-9 && y[2] >= -1e-9, "{y:?}");
        // Reduced costs: zero on basic columns, ≥ 0 at lower bounds, ≤ 0 at upper ones.
        let basis = lp.basis();
        let mut bound = rows.iter().zip(&y).map(|(r, y)| y * r.2).sum::<f64>();
        for j in 0..3 {
            let d = COSTS[j]
                - rows
                    .iter()
                    .zip(&y)
                    .map(|(r, y)| y * r.0.iter().filter(|t| t.0 == j).map(|t| t.1).sum::<f64>())
                    .sum::<f64>();
            match basis.column(j) {
                BasisStatus::Basic => assert!(d.abs() < 1e-9),
                BasisStatus::AtLower => assert!(d >= -1e-9 && x[j].abs() < 1e-9),
                BasisStatus::AtUpper => {
                    assert!(d <= 1e-9 && (x[j] - 1.0).abs() < 1e-9);
                    bound += d;
                }
            }
        }
        // Weak duality with equality at the optimum.
        assert!(
            (bound - lp.objective()).abs() < 1e-9,
            "{bound} vs {}",
            lp.objective()
        );
        let direct: f64 = COSTS.iter().zip(&x).map(|(c, v)| c * v).sum();
        assert!((direct - lp.objective()).abs() < 1e-9);
    }

    #[test]
    fn a_basis_inverse_row_holds_its_basic_column_with_coefficient_one() {
        let rows = rows();
        let mut lp = solved(&COSTS, &BOUNDS, &rows);
        let basic = lp.basic_columns();
        let mut checked = 0;
        for (p, c) in basic.iter().enumerate() {
            let Some(c) = *c else { continue };
            let rho = lp.basis_inverse_row(p);
            for j in 0..3 {
                let a: f64 = rows
                    .iter()
                    .zip(&rho)
                    .map(|(r, p)| p * r.0.iter().filter(|t| t.0 == j).map(|t| t.1).sum::<f64>())
                    .sum();
                let want = if j == c {
                    1.0
                } else if basic.contains(&Some(j)) {
                    0.0
                } else {
                    a
                };
                assert!((a - want).abs() < 1e-9, "column {j} of row {p}: {a}");
            }
            // ρ is zero on rows whose activity is basic.
            let basis = lp.basis();
            for (i, p) in rho.iter().enumerate() {
                if basis.row(i) == BasisStatus::Basic {
                    assert!(p.abs() < 1e-9);
                }
            }
            checked += 1;
        }
        assert!(checked > 0);
    }

    #[test]
    fn a_larger_lp_from_the_last_basis_reaches_the_fresh_optimum() {
        let rows = rows();
        let lp = solved(&COSTS, &BOUNDS, &rows);
        let basis = lp.basis();
        // A fourth column that prices in, a row over it alone, and a cut over the old ones.
        let costs = [-1.0, -2.0, -3.0, -4.0];
        let bounds = [(0.0, 1.0); 4];
        let mut more = rows.clone();
        more[0].0.push((3, 1.0));
        more.push((vec![(3, 2.0)], ComparisonOp::Le, 1.0));
        let mut warm = Relaxation::new(&costs, &bounds, &more).unwrap();
        warm.start_from(&basis).unwrap();
        assert!(warm.solve(Duration::from_secs(10)).unwrap());
        let fresh = solved(&costs, &bounds, &more);
        assert!((warm.objective() - fresh.objective()).abs() < 1e-9);
        // And a violated cut from there (the dual simplex).
        let basis = warm.basis();
        more.push((vec![(3, 1.0)], ComparisonOp::Le, 0.25));
        let mut cut = Relaxation::new(&costs, &bounds, &more).unwrap();
        cut.start_from(&basis).unwrap();
        assert!(cut.solve(Duration::from_secs(10)).unwrap());
        let fresh = solved(&costs, &bounds, &more);
        assert!((cut.objective() - fresh.objective()).abs() < 1e-9);
        assert!(
            cut.objective() > warm.objective() + 1e-6,
            "the cut raises the LP: {} from {} at {:?}",
            cut.objective(),
            warm.objective(),
            warm.values()
        );
    }

    #[test]
    fn an_empty_row_is_kept_in_the_numbering() {
        let mut rows = rows();
        rows.insert(1, (vec![], ComparisonOp::Le, 1.0));
        let mut lp = solved(&COSTS, &BOUNDS, &rows);
        assert_eq!(lp.row_duals().len(), 4);
        assert_eq!(lp.row_duals()[1], 0.0);
        assert_eq!(lp.basis().row(1), BasisStatus::Basic);
        rows[1].2 = -1.0;
        assert_eq!(
            Relaxation::new(&COSTS, &BOUNDS, &rows).unwrap_err(),
            Error::Infeasible
        );
    }
}
