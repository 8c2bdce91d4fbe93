//! What the `highs` binding does not offer: setting one coefficient of a loaded model.
//!
//! The LP relaxation (`milp::reduced`) adds clique cuts (`milp::cuts`) as rows over columns
//! HiGHS already has; the binding gives handles only for columns added one at a time, so the
//! coefficients are set here through HiGHS' C API, by row and column index.

use highs_sys::Highs_changeCoeff;

/// Sets the coefficient of column `col` in row `row` (HiGHS' own indices: the order in
/// which rows and columns were added).
pub(super) fn set(
    model: &mut highs::Model,
    row: usize,
    col: usize,
    value: f64,
) -> Result<(), String> {
    let (Ok(r), Ok(c)) = (i32::try_from(row), i32::try_from(col)) else {
        return Err(format!(
            "row {row} or column {col} is beyond HiGHS' index range"
        ));
    };
    // SAFETY: `as_mut_ptr` is the live instance owned by `model`, used by this thread
    // alone; HiGHS checks both indices and reports a bad one in its status.
    let status = unsafe { Highs_changeCoeff(model.as_mut_ptr(), r, c, value) };
    if status != 0 {
        return Err(format!(
            "could not set the coefficient of column {col} in row {row} (HiGHS status {status})"
        ));
    }
    Ok(())
}
