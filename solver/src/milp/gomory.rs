//! Gomory mixed-integer cuts on the LP relaxation of the whole model (HiGHS or microlp).
//!
//! Clique cuts (`milp::cuts`) close most of the gap between the LP bound and the optimum on
//! the ladder's weeks, but not where a case is late in every roster and the LP keeps it on
//! time by halves: busy-month seed 1's LP stays 247,490 units below its optimum with 30
//! rounds of cliques. A Gomory mixed-integer cut, read off a row of the optimal simplex
//! tableau whose basic candidate is fractional, cuts that point off; one round of them from
//! HiGHS' basis, or a few from microlp's, closes nearly all of that gap
//! (`docs/performance.md`).
//!
//! The LP is solved by column generation over part of the model's columns and rows
//! (`milp::reduced`). A tableau row of that restricted LP still gives a cut valid for the
//! whole model: the rows the LP lacks have their activities basic, and the columns it lacks
//! are nonbasic at zero, so row `i` of the full tableau is `ρ A` with `ρ = e_iᵀ B⁻¹` over the
//! rows the LP has. Each cut is computed over every column of the model, those not yet
//! priced in included, which is what lets pricing go on after it. The basis comes from the
//! backend that solved the LP ([`Tableau`]).
//!
//! With `x` the columns (each in [0, 1]) and `r = A x` the activities of the LP's rows, row
//! `i` of the tableau is `x_B + Σ_N ā_j x_j − Σ_N ρ_h r_h = 0` over the nonbasic columns and
//! activities. Each nonbasic one is written as its distance from the bound it sits at (a
//! column at 1 as `1 − x_j`, an activity at its upper bound as `U − r_h`; an equality row's
//! distance is always zero), which gives `x_B + Σ g_k t_k = β` with `t ≥ 0` and `β` the
//! basic value, fractional part `f₀`. The cut is `Σ α_k t_k ≥ 1`, with
//! `α_k = min(f_k / f₀, (1 − f_k) / (1 − f₀))` for a binary column (`f_k` the fractional part
//! of `g_k`) and `g_k / f₀` or `−g_k / (1 − f₀)` for a column in [0, 1] that need not be whole
//! or an activity (slack values are treated as continuous). The distances are then written
//! back in the columns, so the cut is a row of the model like any other.
//!
//! Cut rows are kept in `f32` like every row of the model: each coefficient is rounded up,
//! which keeps a `≥` row over non-negative columns valid, and the right-hand side is lowered
//! by a safety margin for the rounding of the computation itself.

use super::model::{Model, Row};

/// A basic binary column is cut from when its value is at least this far from a whole
/// number.
const MIN_FRACTION: f64 = 0.01;

/// Tableau coefficients below this are taken as zero.
const ZERO: f64 = 1e-9;

/// A tableau row is used only when it reproduces the LP's value of its basic column to
/// within this (a check of the basis and of every index mapping).
const CHECK: f64 = 1e-6;

/// The largest ratio between a cut's largest and smallest coefficients: a smaller term is
/// dropped from the cut, which is loosened to stay valid (`safe_row`).
const MAX_DYNAMISM: f64 = 1e6;

/// The right-hand side of each cut is lowered by this much times (1 + its own size + the sum
/// of its coefficients' sizes): room for the rounding of the tableau row.
const SAFETY: f64 = 1e-7;

/// A cut is kept when the LP point breaks it by at least this much of its norm.
const MIN_EFFICACY: f64 = 1e-4;

/// Rounds of Gomory cuts in the column generation (`milp::reduced`), once clique cuts have
/// stopped, for one backend (`RestrictedLp::GOMORY`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Settings {
    /// The most rounds (a round after the first only while the last raised the LP by at
    /// least `cuts::MIN_GAIN`).
    pub rounds: usize,
    /// The most cuts a round adds, from the most fractional basic candidates.
    pub cuts: usize,
    /// The most terms a cut may have (over the whole model); a denser cut is dropped.
    pub max_terms: usize,
}

/// Where a column, or a row's activity, sits in the LP's basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum At {
    Lower,
    Basic,
    Upper,
}

/// The optimal basis of a solved LP, as the backend that solved it gives it (HiGHS through
/// its C API, microlp through the vendored copy's `Relaxation`), in the LP's own numbering of
/// columns and rows.
pub(super) trait Tableau {
    /// The LP column basic at each position of the basis (none where a row's activity is).
    fn basic_columns(&mut self) -> Result<Vec<Option<usize>>, String>;
    /// The status of each LP column and of each LP row's activity.
    fn statuses(&mut self) -> Result<(Vec<At>, Vec<At>), String>;
    /// Row `position` of the basis inverse over the LP's rows, into `rho`: with `r = A x` the
    /// rows' activities, `Σ_h ρ_h (A_h x − r_h) = 0` holds the basic column of that position
    /// with coefficient 1.
    fn inverse_row(&mut self, position: usize, rho: &mut [f64]) -> Result<(), String>;
}

/// The LP that a backend has solved, as the model sees it.
pub(super) struct Lp<'a> {
    /// The model column of each LP column, in the LP's order.
    pub columns: &'a [usize],
    /// The model row of each LP row, in the LP's order.
    pub rows: &'a [usize],
    /// The value of each LP column.
    pub values: &'a [f64],
}

/// Up to `settings.cuts` Gomory mixed-integer cuts from the optimal basis of `lp`
/// (`tableau`), from the tableau rows of the most fractional basic binary columns, each
/// violated by the LP point and of at most `settings.max_terms` terms; rows of the model
/// (`≥`), over its columns.
pub(super) fn separate(
    tableau: &mut impl Tableau,
    model: &Model,
    lp: &Lp,
    settings: Settings,
) -> Result<Vec<Row>, String> {
    let max_cuts = settings.cuts;
    let m = lp.rows.len();
    let k = lp.columns.len();
    if m == 0 || lp.values.len() != k {
        return Ok(Vec::new());
    }
    let basic = tableau.basic_columns()?;
    let (col_status, row_status) = tableau.statuses()?;
    if basic.len() != m || col_status.len() != k || row_status.len() != m {
        return Err("the basis does not match the LP".into());
    }
    // The basis rows whose basic column is a fractional binary, most fractional first.
    let mut sources: Vec<(usize, usize, f64)> = basic
        .iter()
        .enumerate()
        .filter_map(|(i, &c)| {
            let c = c?;
            let value = *lp.values.get(c)?;
            let f = value - value.floor();
            (model.is_binary(lp.columns[c]) && (MIN_FRACTION..=1.0 - MIN_FRACTION).contains(&f))
                .then_some((i, c, f))
        })
        .collect();
    sources.sort_by(|a, b| (a.2 - 0.5).abs().total_cmp(&(b.2 - 0.5).abs()));
    sources.truncate(max_cuts.saturating_mul(2));

    let n = model.n_vars();
    let mut basis = Basis {
        model,
        lp_rows: lp.rows,
        row_status,
        x: vec![0.0; n],
        at: vec![At::Lower; n],
        max_terms: settings.max_terms,
    };
    for (c, &j) in lp.columns.iter().enumerate() {
        basis.x[j] = lp.values[c];
        basis.at[j] = col_status[c];
    }
    let mut rho = vec![0.0; m];
    let mut tableau_row = Sparse::new(n);
    let mut cut = Sparse::new(n);
    let mut cuts = Vec::new();
    for &(i, c, _) in &sources {
        if cuts.len() >= max_cuts {
            break;
        }
        tableau.inverse_row(i, &mut rho)?;
        // ā = ρ A over every column of the model.
        tableau_row.clear();
        for (&h, &r) in rho.iter().zip(lp.rows) {
            if h.abs() > ZERO {
                for &(j, a) in &model.rows[r].terms {
                    tableau_row.add(j as usize, h * f64::from(a));
                }
            }
        }
        let source = Source {
            column: lp.columns[c],
            value: lp.values[c],
        };
        if let Some(row) = basis.cut_from_row(&tableau_row, &rho, source, &mut cut) {
            cuts.push(row);
        }
    }
    Ok(cuts)
}

/// HiGHS' basis, through its C API (`highs-sys`), for an LP of `rows` rows and `columns`
/// columns.
#[cfg(feature = "highs")]
pub(super) struct HighsTableau<'a> {
    pub highs: &'a highs::SolvedModel,
    pub rows: usize,
    pub columns: usize,
}

#[cfg(feature = "highs")]
impl Tableau for HighsTableau<'_> {
    fn basic_columns(&mut self) -> Result<Vec<Option<usize>>, String> {
        use highs_sys::{HighsInt, Highs_getBasicVariables};
        let mut basic: Vec<HighsInt> = vec![0; self.rows];
        // SAFETY: the pointer is the live instance owned by `highs`, used by this thread
        // alone; `basic` has one entry per row, as HiGHS writes. HiGHS forms the basis'
        // factors if it has none.
        let status = unsafe { Highs_getBasicVariables(self.highs.as_ptr(), basic.as_mut_ptr()) };
        // A `kHighsStatus` below zero is an error; 1 is a warning.
        if status < 0 {
            return Err(format!("no basis to cut from (HiGHS status {status})"));
        }
        // A negative entry is the activity of row −1 − entry.
        Ok(basic.iter().map(|&v| usize::try_from(v).ok()).collect())
    }

    fn statuses(&mut self) -> Result<(Vec<At>, Vec<At>), String> {
        use highs_sys::{HighsInt, Highs_getBasis};
        // HiGHS' `kHighsBasisStatus` values: 0 lower, 1 basic, 2 upper; 3 (zero, a free
        // row or column) and 4 (nonbasic) are read as basic, which `cut_from_row` gives up on
        // wherever the row needs them.
        let at = |&s: &HighsInt| match s {
            0 => At::Lower,
            2 => At::Upper,
            _ => At::Basic,
        };
        let mut col_status: Vec<HighsInt> = vec![0; self.columns];
        let mut row_status: Vec<HighsInt> = vec![0; self.rows];
        // SAFETY: as above; one entry per column and per row.
        let status = unsafe {
            Highs_getBasis(
                self.highs.as_ptr(),
                col_status.as_mut_ptr(),
                row_status.as_mut_ptr(),
            )
        };
        if status < 0 {
            return Err(format!("no basis status (HiGHS status {status})"));
        }
        Ok((
            col_status.iter().map(at).collect(),
            row_status.iter().map(at).collect(),
        ))
    }

    fn inverse_row(&mut self, position: usize, rho: &mut [f64]) -> Result<(), String> {
        use highs_sys::{HighsInt, Highs_getBasisInverseRow};
        let i = HighsInt::try_from(position).map_err(|e| e.to_string())?;
        if rho.len() != self.rows {
            return Err("a basis inverse row of the wrong length".into());
        }
        // SAFETY: as above; `rho` has one entry per row and `i` is a basis row.
        let status = unsafe {
            Highs_getBasisInverseRow(
                self.highs.as_ptr(),
                i,
                rho.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        if status < 0 {
            return Err(format!(
                "no row of the basis inverse (HiGHS status {status})"
            ));
        }
        Ok(())
    }
}

/// The basic column a tableau row is read for, and its LP value.
#[derive(Clone, Copy)]
struct Source {
    column: usize,
    value: f64,
}

/// A vector over the model's columns that lists the ones it has set, so that clearing it
/// costs what it holds.
struct Sparse {
    values: Vec<f64>,
    listed: Vec<bool>,
    list: Vec<usize>,
}

impl Sparse {
    fn new(n: usize) -> Self {
        Self {
            values: vec![0.0; n],
            listed: vec![false; n],
            list: Vec::new(),
        }
    }

    fn add(&mut self, j: usize, value: f64) {
        if !self.listed[j] {
            self.listed[j] = true;
            self.list.push(j);
        }
        self.values[j] += value;
    }

    fn clear(&mut self) {
        for &j in &self.list {
            self.values[j] = 0.0;
            self.listed[j] = false;
        }
        self.list.clear();
    }
}

/// The optimal basis of the LP, over the model's columns.
struct Basis<'a> {
    model: &'a Model,
    /// The model row of each LP row.
    lp_rows: &'a [usize],
    /// The status of each LP row's activity.
    row_status: Vec<At>,
    /// The LP value of every model column (zero for those HiGHS does not have).
    x: Vec<f64>,
    /// The status of every model column: basic, or nonbasic at its lower or upper bound
    /// (lower for those HiGHS does not have).
    at: Vec<At>,
    /// The most terms a cut may have.
    max_terms: usize,
}

impl Basis<'_> {
    /// The Gomory mixed-integer cut of one tableau row (`tableau` over the columns, `rho`
    /// over the LP's rows) as a `≥` row of the model, or none when the row does not check
    /// out, the cut is numerically unsafe or the LP point does not break it. `cut` is
    /// scratch space.
    fn cut_from_row(
        &self,
        tableau: &Sparse,
        rho: &[f64],
        source: Source,
        cut: &mut Sparse,
    ) -> Option<Row> {
        let Basis {
            model,
            lp_rows,
            row_status,
            x,
            at,
            max_terms,
        } = self;
        // The row must hold its own basic column with coefficient 1 and no other basic one.
        if (tableau.values[source.column] - 1.0).abs() > CHECK {
            return None;
        }
        // `x_B + Σ g_k t_k = β`: the distances `t_k` of the nonbasic columns and activities from
        // their bounds, each with its coefficient `g_k`; `β` accumulates the constants.
        let mut beta = 0.0;
        let mut columns: Vec<(usize, f64)> = Vec::new();
        for &j in &tableau.list {
            let a = tableau.values[j];
            if j == source.column || a.abs() <= ZERO {
                continue;
            }
            match at[j] {
                // Another basic column: zero but for rounding, or the basis does not check out.
                At::Basic if a.abs() <= CHECK => {}
                At::Lower => columns.push((j, a)),
                At::Upper => {
                    beta -= a;
                    columns.push((j, -a));
                }
                _ => return None,
            }
        }
        // (row, g, whether the distance is from the upper bound)
        let mut activities: Vec<(usize, f64, bool)> = Vec::new();
        for (h, &p) in rho.iter().enumerate() {
            if p.abs() <= ZERO {
                continue;
            }
            let row = &model.rows[lp_rows[h]];
            if row.lower == row.upper {
                beta += p * row.lower;
                continue;
            }
            match row_status[h] {
                At::Lower if row.lower.is_finite() => {
                    beta += p * row.lower;
                    activities.push((h, -p, false));
                }
                At::Upper if row.upper.is_finite() => {
                    beta += p * row.upper;
                    activities.push((h, p, true));
                }
                _ => return None,
            }
        }
        if (beta - source.value).abs() > CHECK * (1.0 + source.value.abs()) {
            return None;
        }
        let f0 = beta - beta.floor();
        if !(MIN_FRACTION..=1.0 - MIN_FRACTION).contains(&f0) {
            return None;
        }
        let continuous = |g: f64| {
            if g >= 0.0 {
                g / f0
            } else {
                -g / (1.0 - f0)
            }
        };
        // `Σ α_k t_k ≥ 1`, written over the columns: `Σ π_j x_j ≥ rhs`.
        cut.clear();
        let mut rhs = 1.0;
        for &(j, g) in &columns {
            let alpha = if model.is_binary(j) {
                let f = g - g.floor();
                (f / f0).min((1.0 - f) / (1.0 - f0))
            } else {
                continuous(g)
            };
            if alpha <= 0.0 {
                continue;
            }
            if at[j] == At::Upper {
                // t = 1 − x
                rhs -= alpha;
                cut.add(j, -alpha);
            } else {
                cut.add(j, alpha);
            }
        }
        for &(h, g, from_upper) in &activities {
            let alpha = continuous(g);
            if alpha <= 0.0 {
                continue;
            }
            let row = &model.rows[lp_rows[h]];
            // t = r − L or t = U − r, with r the row's terms.
            let sign = if from_upper {
                rhs -= alpha * row.upper;
                -alpha
            } else {
                rhs += alpha * row.lower;
                alpha
            };
            for &(j, a) in &row.terms {
                cut.add(j as usize, sign * f64::from(a));
            }
        }
        safe_row(cut, rhs, x, *max_terms)
    }
}

/// `Σ π_j x_j ≥ rhs` (`π` in `cut`) as a row of the model with `f32` coefficients, every
/// step of which keeps it valid for columns in [0, 1], when it is safe, has at most
/// `max_terms` terms and the LP point `x` breaks it by at least [`MIN_EFFICACY`] of its norm.
fn safe_row(cut: &Sparse, mut rhs: f64, x: &[f64], max_terms: usize) -> Option<Row> {
    let largest = cut
        .list
        .iter()
        .map(|&j| cut.values[j].abs())
        .fold(0.0, f64::max);
    if largest <= ZERO {
        return None;
    }
    let smallest_kept = largest / MAX_DYNAMISM;
    let mut terms: Vec<(u32, f32)> = Vec::new();
    let mut size = 0.0;
    for &j in &cut.list {
        let pi = cut.values[j];
        if pi.abs() < smallest_kept {
            // Dropping a negative term only loosens a `≥` row; a positive one is worth at
            // most `pi` (x ≤ 1), taken off the right-hand side.
            if pi > 0.0 {
                rhs -= pi;
            }
            continue;
        }
        // Rounded up: a larger coefficient of a column ≥ 0 only loosens a `≥` row.
        let mut c = pi as f32;
        if f64::from(c) < pi {
            c = next_up(c);
        }
        size += f64::from(c).abs();
        terms.push((u32::try_from(j).ok()?, c));
    }
    if terms.is_empty() || terms.len() > max_terms {
        return None;
    }
    rhs -= SAFETY * (1.0 + rhs.abs() + size);
    let activity: f64 = terms
        .iter()
        .map(|&(j, c)| f64::from(c) * x[j as usize])
        .sum();
    let norm = terms
        .iter()
        .map(|&(_, c)| f64::from(c).powi(2))
        .sum::<f64>()
        .sqrt();
    if rhs - activity < MIN_EFFICACY * norm {
        return None;
    }
    terms.sort_unstable_by_key(|&(j, _)| j);
    Some(Row {
        terms,
        lower: rhs,
        upper: f64::INFINITY,
    })
}

/// The least `f32` above `c` (`f32::next_up`, stable only since Rust 1.86) for a finite `c`.
fn next_up(c: f32) -> f32 {
    if c == 0.0 {
        f32::from_bits(1)
    } else if c > 0.0 {
        f32::from_bits(c.to_bits() + 1)
    } else {
        f32::from_bits(c.to_bits() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "highs")]
    use crate::milp::highs::HighsLp;
    use crate::milp::microlp::MicrolpLp;
    use crate::milp::model::{Col, Terms};
    use crate::milp::reduced::{Change, LpOptimum, RestrictedLp};
    use crate::milp::time::Deadline;
    use crate::milp::SolveOptions;
    use proptest::prelude::*;

    /// A model of `n` binary candidates: each of `cases` cases holds at most one of its
    /// candidates, and must hold one when `required`; `caps` rooms rows (whole weights up to
    /// 3 within a capacity); one column in [0, 1] (a presence sum) equal to the sum of two
    /// candidates, in a row that caps it with a third. Costs push every candidate in.
    fn model_of(spec: &Spec) -> Model {
        let n = spec.costs.len();
        let mut model = Model::with_capacity(n + 1);
        for &c in &spec.costs {
            model.add_candidate(f64::from(c));
        }
        let presence = model.add(Col::Presence(vec![0, 1]), 0.0);
        let row = |pairs: &[(usize, f64)]| {
            let mut t = Terms::with_capacity(pairs.len());
            for &(j, c) in pairs {
                t.add_mul(c, j);
            }
            t
        };
        for (case, &required) in spec.required.iter().enumerate() {
            let members: Vec<(usize, f64)> = (0..n)
                .filter(|j| j % spec.required.len() == case)
                .map(|j| (j, 1.0))
                .collect();
            model.rows.push(row(&members).leq(1.0));
            if required {
                model.rows.push(row(&members).geq(1.0));
            }
        }
        for (weights, cap) in &spec.caps {
            let terms: Vec<(usize, f64)> = weights
                .iter()
                .enumerate()
                .filter(|&(_, &w)| w > 0)
                .map(|(j, &w)| (j, f64::from(w)))
                .collect();
            model.rows.push(row(&terms).leq(f64::from(*cap)));
        }
        model
            .rows
            .push(row(&[(0, 1.0), (1, 1.0), (presence, -1.0)]).eq(0.0));
        model.rows.push(row(&[(presence, 2.0), (2, 1.0)]).leq(2.0));
        model
    }

    #[derive(Debug, Clone)]
    struct Spec {
        costs: Vec<i16>,
        required: Vec<bool>,
        caps: Vec<(Vec<u8>, u8)>,
        /// Which candidates the LP has (the others are left out, as before pricing).
        in_lp: Vec<bool>,
    }

    fn spec() -> impl Strategy<Value = Spec> {
        (4usize..11).prop_flat_map(|n| {
            (
                prop::collection::vec(-60i16..10, n),
                prop::collection::vec(any::<bool>(), 2..5),
                prop::collection::vec((prop::collection::vec(0u8..4, n), 2u8..7), 1..4),
                prop::collection::vec(prop::bool::weighted(0.8), n),
            )
                .prop_map(|(costs, required, caps, in_lp)| Spec {
                    costs,
                    required,
                    caps,
                    in_lp,
                })
        })
    }

    /// One round of every cut, whatever its terms.
    const SETTINGS: Settings = Settings {
        rounds: 1,
        cuts: 50,
        max_terms: usize::MAX,
    };

    /// The LP of `model` over the candidates `spec.in_lp` picks (and the presence column),
    /// with every row they are in and every row that zero breaks, solved by `lp`: its
    /// optimum, the model column of each LP column and the model row of each LP row.
    fn solve_lp<L: RestrictedLp>(
        model: &Model,
        spec: &Spec,
        lp: &mut L,
    ) -> Option<(LpOptimum, Vec<usize>, Vec<usize>)> {
        let n = spec.costs.len();
        let columns: Vec<usize> = (0..model.n_vars())
            .filter(|&j| j >= n || spec.in_lp[j])
            .collect();
        let rows: Vec<usize> = (0..model.rows.len())
            .filter(|&r| {
                let row = &model.rows[r];
                row.lower > 0.0
                    || row
                        .terms
                        .iter()
                        .any(|&(j, _)| columns.contains(&(j as usize)))
            })
            .collect();
        for &r in &rows {
            lp.add_row(model.rows[r].lower, model.rows[r].upper)
                .unwrap();
        }
        for &j in &columns {
            let entries: Vec<(usize, f64)> = rows
                .iter()
                .enumerate()
                .flat_map(|(h, &r)| {
                    model.rows[r]
                        .terms
                        .iter()
                        .filter(move |&&(k, _)| k as usize == j)
                        .map(move |&(_, c)| (h, f64::from(c)))
                })
                .collect();
            lp.add_column(model.costs[j], &entries).unwrap();
        }
        let optimum = lp.solve(Change::First).unwrap()?;
        Some((optimum, columns, rows))
    }

    /// Every roster of the whole model: each candidate in or out, the presence column the
    /// sum of its two.
    fn integer_points(model: &Model, n: usize) -> Vec<Vec<f64>> {
        (0u32..1 << n)
            .map(|bits| {
                let mut x: Vec<f64> = (0..n).map(|j| f64::from((bits >> j) & 1)).collect();
                x.push(x[0] + x[1]);
                x
            })
            .filter(|x| {
                model.rows.iter().all(|row| {
                    let a: f64 = row
                        .terms
                        .iter()
                        .map(|&(j, c)| f64::from(c) * x[j as usize])
                        .sum();
                    a >= row.lower - 1e-9 && a <= row.upper + 1e-9
                })
            })
            .collect()
    }

    #[test]
    fn next_up_is_the_next_float() {
        for c in [0.0f32, -0.0, 1.0, -1.0, 0.1, -0.1, 3.5e7, -2.5e-8] {
            let up = next_up(c);
            assert!(up > c);
            assert!(f64::from(up) > f64::from(c));
            assert_eq!(up, c.next_up());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Each cut from an LP over part of the columns holds at every roster of the whole
        /// model, left-out candidates included, and the LP's point breaks it: from
        /// microlp's basis, and from HiGHS' when it is built in.
        #[test]
        fn cuts_from_part_of_the_columns_hold_for_every_roster_of_the_whole_model(spec in spec()) {
            let options = SolveOptions::default();
            let deadline = Deadline::in_secs(60.0);
            cuts_hold(&spec, MicrolpLp::new(deadline, &options))?;
            #[cfg(feature = "highs")]
            cuts_hold(&spec, HighsLp::new(deadline, &options))?;
        }
    }

    fn cuts_hold<L: RestrictedLp>(spec: &Spec, mut lp: L) -> Result<(), TestCaseError> {
        let model = model_of(spec);
        let n = spec.costs.len();
        let Some((optimum, columns, rows)) = solve_lp(&model, spec, &mut lp) else {
            return Ok(());
        };
        let at = Lp {
            columns: &columns,
            rows: &rows,
            values: &optimum.columns,
        };
        let cuts = lp.gomory_cuts(&model, &at, SETTINGS).unwrap();
        let mut at_lp = vec![0.0; model.n_vars()];
        for (&j, &v) in columns.iter().zip(&optimum.columns) {
            at_lp[j] = v;
        }
        let points = integer_points(&model, n);
        for cut in &cuts {
            let value = |x: &[f64]| -> f64 {
                cut.terms
                    .iter()
                    .map(|&(j, c)| f64::from(c) * x[j as usize])
                    .sum()
            };
            prop_assert!(value(&at_lp) < cut.lower, "the LP point satisfies a cut");
            for x in &points {
                prop_assert!(value(x) >= cut.lower, "a roster {:?} breaks {:?}", x, cut);
            }
        }
        Ok(())
    }

    /// A knapsack whose LP optimum is fractional: the cut is found, and with it the LP
    /// bound reaches the integer optimum; from microlp's basis and from HiGHS'.
    #[test]
    fn a_fractional_knapsack_is_cut_to_its_integer_optimum() {
        let options = SolveOptions::default();
        let deadline = Deadline::in_secs(60.0);
        knapsack_is_cut(|| MicrolpLp::new(deadline, &options));
        #[cfg(feature = "highs")]
        knapsack_is_cut(|| HighsLp::new(deadline, &options));
    }

    fn knapsack_is_cut<L: RestrictedLp>(new: impl Fn() -> L) {
        let spec = Spec {
            costs: vec![-10, -10, -10],
            required: vec![false, false, false],
            caps: vec![(vec![2, 2, 2], 3)],
            in_lp: vec![true; 3],
        };
        let mut model = model_of(&spec);
        let mut lp = new();
        let (optimum, columns, rows) = solve_lp(&model, &spec, &mut lp).unwrap();
        assert!(
            (optimum.objective + 15.0).abs() < 1e-6,
            "LP: 1.5 candidates"
        );
        let at = Lp {
            columns: &columns,
            rows: &rows,
            values: &optimum.columns,
        };
        let cuts = lp.gomory_cuts(&model, &at, SETTINGS).unwrap();
        assert!(!cuts.is_empty());
        for cut in cuts {
            model.add_cut(cut);
        }
        let (optimum, _, _) = solve_lp(&model, &spec, &mut new()).unwrap();
        assert!(
            optimum.objective > -15.0 + 1e-3,
            "the cuts raise the LP bound: {}",
            optimum.objective
        );
        assert!(optimum.objective <= -10.0 + 1e-6, "and keep the optimum");
    }
}
