//! Linear algebra over data and parameters, each operation a single autodiff node.
//!
//! A dot product of a data row with `D` parameters written with scalar operations records `2D`
//! tape nodes; [`dot`] records one node with `D` partials (the data values), which is what makes
//! regression models cost about as much as hand-written gradients.

use crate::scalar::Scalar;

/// `Σ data[i] · params[i]`, one node whose partials are the data.
///
/// # Panics
///
/// If the lengths differ, with both lengths in the message: a mismatch is a mistake in the
/// model (a data row and a coefficient vector of different sizes), and truncating to the
/// shorter would hide it. Inside a fit the panic fails the chain with that message
/// ([`FitError::Panicked`](crate::results::fit::FitError::Panicked)).
///
/// # Example
///
/// ```
/// use model_runtime::linalg::dot;
/// use model_runtime::autodiff::gradient;
///
/// let x = [1.0, 2.0, 3.0];
/// let mut g = [0.0; 3];
/// let v = gradient(&[0.5, -1.0, 2.0], &mut g, |beta| Ok::<_, ()>(dot(&x, beta))).unwrap();
/// assert_eq!(v, 0.5 - 2.0 + 6.0);
/// assert_eq!(g, x);
/// ```
pub fn dot<T: Scalar>(data: &[f64], params: &[T]) -> T {
    assert!(
        data.len() == params.len(),
        "dot product of a data vector of length {} and a parameter vector of length {}",
        data.len(),
        params.len()
    );
    let value = data.iter().zip(params).map(|(x, p)| x * p.value()).sum();
    T::from_parts(value, params.iter().zip(data).map(|(p, x)| (*p, *x)))
}

/// `Σ xs[i]`, one node.
///
/// # Example
///
/// ```
/// use model_runtime::linalg::sum;
/// assert_eq!(sum(&[1.0, 2.0, 3.5]), 6.5);
/// ```
pub fn sum<T: Scalar>(xs: &[T]) -> T {
    let value = xs.iter().map(|x| x.value()).sum();
    T::from_parts(value, xs.iter().map(|x| (*x, 1.0)))
}

/// `ln Σ e^{xs[i]}` without overflow, one node whose partials are the softmax weights; `-∞` for
/// an empty slice. The marginal of a finite mixture is `log_sum_exp` of the components' weighted
/// log densities.
///
/// # Example
///
/// ```
/// use model_runtime::linalg::log_sum_exp;
/// assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
/// ```
pub fn log_sum_exp<T: Scalar>(xs: &[T]) -> T {
    let max = xs
        .iter()
        .map(|x| x.value())
        .fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY || max.is_nan() || max == f64::INFINITY {
        return T::from_f64(max);
    }
    let total: f64 = xs.iter().map(|x| (x.value() - max).exp()).sum();
    let value = max + total.ln();
    T::from_parts(value, xs.iter().map(|x| (*x, (x.value() - value).exp())))
}

/// A dense data matrix for linear predictors `X β`.
///
/// It is stored twice: by rows (for [`Matrix::row`]), and packed in panels of [`PANEL`] rows,
/// each panel column by column, the layout of packed GEMM kernels (Goto & van de Geijn, "Anatomy
/// of high-performance matrix multiplication", ACM TOMS 34(3), 2008). A panel's column is one
/// vector register's worth of rows, and a whole panel is one contiguous stream: `X β`, `Xᵀ v`
/// and the fused GLM densities read each panel once, in order, at the speed of the vector
/// units and the prefetcher. Data matrices are built once and read at every gradient, so the
/// doubled memory buys time where it is spent.
///
/// # Example
///
/// ```
/// use model_runtime::linalg::Matrix;
///
/// let x = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]])?;
/// assert_eq!((x.rows(), x.cols()), (2, 2));
/// assert_eq!(x.row(1), &[3.0, 4.0]);
/// let xb: Vec<f64> = x.matvec(&[1.0, -1.0]).elements().collect();
/// assert_eq!(xb, vec![-1.0, -1.0]);
/// # Ok::<(), model_runtime::linalg::MatrixError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    values: Vec<f64>,
    panels: Vec<f64>,
    rows: usize,
    cols: usize,
}

/// Why a [`Matrix`] could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    /// Row `row` has `found` entries where the first row has `expected`.
    #[error("matrix row {row} has {found} entries, the first row has {expected}")]
    RaggedRow {
        /// The row.
        row: usize,
        /// Length of the first row.
        expected: usize,
        /// Length of this row.
        found: usize,
    },
    /// Column `col` has `found` entries where the first column has `expected`.
    #[error("matrix column {col} has {found} entries, the first column has {expected}")]
    RaggedColumn {
        /// The column.
        col: usize,
        /// Length of the first column.
        expected: usize,
        /// Length of this column.
        found: usize,
    },
    /// An entry is NaN or infinite.
    #[error("matrix entry [{row}, {col}] is not finite")]
    NotFinite {
        /// Its row.
        row: usize,
        /// Its column.
        col: usize,
    },
}

impl Matrix {
    /// A matrix from its rows, which must have equal lengths and finite entries.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self, MatrixError> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut values = Vec::with_capacity(rows.len() * cols);
        for (r, row) in rows.iter().enumerate() {
            if row.len() != cols {
                return Err(MatrixError::RaggedRow {
                    row: r,
                    expected: cols,
                    found: row.len(),
                });
            }
            if let Some(c) = row.iter().position(|x| !x.is_finite()) {
                return Err(MatrixError::NotFinite { row: r, col: c });
            }
            values.extend_from_slice(row);
        }
        Ok(Matrix::from_row_major(values, rows.len(), cols))
    }

    /// A matrix from its columns (data columns of a table, for instance), which must have
    /// equal lengths and finite entries.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::linalg::Matrix;
    ///
    /// let height = [1.6, 1.8, 1.7];
    /// let weight = [60.0, 80.0, 72.0];
    /// let x = Matrix::from_columns(&[&height[..], &weight[..]])?;
    /// assert_eq!(x.row(1), &[1.8, 80.0]);
    /// # Ok::<(), model_runtime::linalg::MatrixError>(())
    /// ```
    pub fn from_columns(columns: &[&[f64]]) -> Result<Self, MatrixError> {
        let rows = columns.first().map_or(0, |c| c.len());
        for (c, column) in columns.iter().enumerate() {
            if column.len() != rows {
                return Err(MatrixError::RaggedColumn {
                    col: c,
                    expected: rows,
                    found: column.len(),
                });
            }
            if let Some(r) = column.iter().position(|x| !x.is_finite()) {
                return Err(MatrixError::NotFinite { row: r, col: c });
            }
        }
        let values = (0..rows)
            .flat_map(|r| columns.iter().map(move |column| column[r]))
            .collect();
        Ok(Matrix::from_row_major(values, rows, columns.len()))
    }

    fn from_row_major(values: Vec<f64>, rows: usize, cols: usize) -> Self {
        // Rows past the end of the last panel are zeros.
        let mut panels = vec![0.0; rows.div_ceil(PANEL) * PANEL * cols];
        for r in 0..rows {
            let (panel, lane) = (r / PANEL, r % PANEL);
            for c in 0..cols {
                panels[(panel * cols + c) * PANEL + lane] = values[r * cols + c];
            }
        }
        Matrix {
            values,
            panels,
            rows,
            cols,
        }
    }

    /// The packed panels: panel `p` holds rows `p·PANEL ..`, as `cols` arrays of [`PANEL`]
    /// values (zeros past the last row).
    pub(crate) fn panels(&self) -> impl Iterator<Item = &[[f64; PANEL]]> {
        let (panels, _) = self.panels.as_chunks::<PANEL>();
        panels.chunks_exact(self.cols.max(1))
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.cols..(i + 1) * self.cols]
    }

    /// `out = X β` for plain values, panel by panel.
    ///
    /// # Errors
    ///
    /// A [`ShapeError`] when `beta` does not have one entry per column or `out` one per row.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::linalg::Matrix;
    /// let x = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]])?;
    /// let mut out = [0.0; 2];
    /// x.matvec_into(&[1.0, -1.0], &mut out)?;
    /// assert_eq!(out, [-1.0, -1.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matvec_into(&self, beta: &[f64], out: &mut [f64]) -> Result<(), ShapeError> {
        self.check_shape(beta.len(), out.len())?;
        crate::vector_math::dispatch(MatVecKernel {
            matrix: self,
            beta,
            out,
        });
        Ok(())
    }

    /// `out += Xᵀ v` for plain values, the adjoint of [`Matrix::matvec_into`] (the gradient of
    /// a linear predictor with respect to `β`), panel by panel.
    ///
    /// # Errors
    ///
    /// A [`ShapeError`] when `out` does not have one entry per column or `v` one per row.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::linalg::Matrix;
    /// let x = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]])?;
    /// let mut out = [10.0, 0.0];
    /// x.transpose_matvec_add(&[1.0, -1.0], &mut out)?;
    /// assert_eq!(out, [10.0 - 2.0, -2.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn transpose_matvec_add(&self, v: &[f64], out: &mut [f64]) -> Result<(), ShapeError> {
        self.check_shape(out.len(), v.len())?;
        let mut acc = crate::vector_math::Scratch::zeroed(self.cols * PANEL);
        let (acc_columns, _) = acc.as_chunks_mut::<PANEL>();
        crate::vector_math::dispatch(TransposeMatVecKernel {
            matrix: self,
            v,
            acc: acc_columns,
        });
        for (o, a) in out.iter_mut().zip(acc_columns.iter()) {
            *o += crate::vector_math::sum(a);
        }
        Ok(())
    }

    fn check_shape(&self, cols: usize, rows: usize) -> Result<(), ShapeError> {
        if cols == self.cols && rows == self.rows {
            Ok(())
        } else {
            Err(ShapeError {
                matrix: (self.rows, self.cols),
                vectors: (cols, rows),
            })
        }
    }
}

/// Rows per panel of a [`Matrix`]'s packed copy: two AVX-512 registers, four AVX2 ones.
pub const PANEL: usize = 16;

/// Element `k` of a panel-sized block read from `values` at `start`, padded with zeros past the
/// end (the last panel's rows past the matrix's end).
#[inline(always)]
pub(crate) fn panel_block(values: &[f64], start: usize) -> [f64; PANEL] {
    match values.get(start..start + PANEL) {
        Some(block) => block.try_into().expect("a panel-sized block"),
        None => {
            let mut block = [0.0; PANEL];
            let tail = values.get(start..).unwrap_or(&[]);
            block[..tail.len()].copy_from_slice(tail);
            block
        }
    }
}

/// `offset + Σ_j β_j column_j` over one panel, with four independent chains of
/// multiply-adds so that their latency overlaps.
#[inline(always)]
pub(crate) fn panel_times(panel: &[[f64; PANEL]], beta: &[f64], offset: f64) -> [f64; PANEL] {
    let mut chains = [[0.0; PANEL]; 4];
    chains[0] = [offset; PANEL];
    let (groups, tail) = panel.as_chunks::<4>();
    let (beta_groups, beta_tail) = beta[..panel.len()].as_chunks::<4>();
    for (group, b) in groups.iter().zip(beta_groups) {
        for c in 0..4 {
            for k in 0..PANEL {
                chains[c][k] = group[c][k].mul_add(b[c], chains[c][k]);
            }
        }
    }
    for (column, &b) in tail.iter().zip(beta_tail) {
        for k in 0..PANEL {
            chains[0][k] = column[k].mul_add(b, chains[0][k]);
        }
    }
    let mut acc = [0.0; PANEL];
    for k in 0..PANEL {
        acc[k] = (chains[0][k] + chains[1][k]) + (chains[2][k] + chains[3][k]);
    }
    acc
}

/// `acc_j += Σ_k column_j[k] · v[k]` lane by lane over one panel (the lanes are summed at the
/// end): the panel's share of `Xᵀ v`.
#[inline(always)]
pub(crate) fn panel_transpose_times(
    panel: &[[f64; PANEL]],
    v: &[f64; PANEL],
    acc: &mut [[f64; PANEL]],
) {
    for (acc, column) in acc.iter_mut().zip(panel) {
        // An opaque column reference keeps the vectorizer on the lanes of the panel; otherwise
        // it vectorizes across columns with gathers.
        let column: [f64; PANEL] = *core::hint::black_box(column);
        let mut lanes = *acc;
        for k in 0..PANEL {
            lanes[k] = column[k].mul_add(v[k], lanes[k]);
        }
        *acc = lanes;
    }
}

/// [`panel_transpose_times`] over `N` panels at once, panel `q` with `v[q]`: each column's
/// sums stay in registers across the `N` panels and are loaded and stored once, where one
/// panel at a time loads and stores them for every panel (two stores of a 512-bit register
/// per column and panel, which bound the logistic anchor's gradient).
#[inline(always)]
pub(crate) fn panels_transpose_times<const N: usize>(
    panels: &[&[[f64; PANEL]]; N],
    v: &[[f64; PANEL]; N],
    acc: &mut [[f64; PANEL]],
) {
    let cols = acc.len();
    assert!(panels.iter().all(|panel| panel.len() >= cols));
    for (j, acc) in acc.iter_mut().enumerate() {
        let mut lanes = *acc;
        for q in 0..N {
            // SAFETY: `j < cols ≤ panels[q].len()` (asserted above). Checked indexing kept
            // a compare and a branch per panel and column, a third of the loop's instructions,
            // the slices' lengths being reloaded from the stack.
            let column = unsafe { panels[q].get_unchecked(j) };
            for k in 0..PANEL {
                lanes[k] = column[k].mul_add(v[q][k], lanes[k]);
            }
        }
        *acc = lanes;
    }
}

/// `out = X β`, panel by panel: each panel's rows accumulate `β_j` times its column `j` in
/// registers.
struct MatVecKernel<'a> {
    matrix: &'a Matrix,
    beta: &'a [f64],
    out: &'a mut [f64],
}

impl crate::vector_math::Kernel for MatVecKernel<'_> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let rows = self.matrix.rows;
        for (p, panel) in self.matrix.panels().enumerate() {
            let acc = panel_times(panel, self.beta, 0.0);
            let start = p * PANEL;
            let width = PANEL.min(rows - start);
            self.out[start..start + width].copy_from_slice(&acc[..width]);
        }
    }
}

/// `acc_j += v_panel · column_j` per panel, lane by lane (the lanes are summed afterwards).
struct TransposeMatVecKernel<'a> {
    matrix: &'a Matrix,
    v: &'a [f64],
    acc: &'a mut [[f64; PANEL]],
}

impl crate::vector_math::Kernel for TransposeMatVecKernel<'_> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        for (p, panel) in self.matrix.panels().enumerate() {
            let v = panel_block(self.v, p * PANEL);
            panel_transpose_times(panel, &v, self.acc);
        }
    }
}

/// A matrix-vector product of mismatched shapes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "a {} x {} matrix needs vectors of {} and {} entries, got {} and {}",
    .matrix.0, .matrix.1, .matrix.1, .matrix.0, .vectors.0, .vectors.1
)]
pub struct ShapeError {
    /// The matrix's rows and columns.
    pub matrix: (usize, usize),
    /// The lengths given for the column-indexed and the row-indexed vector.
    pub vectors: (usize, usize),
}

/// The lower Cholesky factor `L` of a symmetric positive definite `k × k` matrix `a` (row-major,
/// `L Lᵀ = a`), by the Cholesky–Banachiewicz algorithm; `Err(row)` names the first row whose
/// pivot is not positive. Written with scalar operations, so it differentiates.
///
/// # Example
///
/// ```
/// use model_runtime::linalg::{CholeskyError, cholesky};
/// let l = cholesky(&[4.0, 2.0, 2.0, 5.0], 2).unwrap();
/// assert_eq!(l, vec![2.0, 0.0, 1.0, 2.0]);
/// assert_eq!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2), Err(CholeskyError { row: 1 }));
/// ```
///
/// In a model body, `?` turns the error into a [`ModelError`](crate::error::ModelError).
pub fn cholesky<T: Scalar>(a: &[T], k: usize) -> Result<Vec<T>, CholeskyError> {
    assert_eq!(
        a.len(),
        k * k,
        "cholesky of a matrix with {} entries, not {k}×{k}",
        a.len()
    );
    let mut l = vec![T::from_f64(0.0); k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut sum = a[i * k + j];
            for p in 0..j {
                sum -= l[i * k + p] * l[j * k + p];
            }
            if i == j {
                // Written so that a NaN pivot fails too.
                if sum.value().is_nan() || sum.value() <= 0.0 {
                    return Err(CholeskyError { row: i });
                }
                l[i * k + i] = sum.sqrt();
            } else {
                l[i * k + j] = sum / l[j * k + j];
            }
        }
    }
    Ok(l)
}

/// A matrix handed to [`cholesky`] is not positive definite: the pivot of `row` is not positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("matrix is not positive definite (Cholesky pivot of row {row} is not positive)")]
pub struct CholeskyError {
    /// The first row whose pivot is not positive.
    pub row: usize,
}

impl From<CholeskyError> for crate::error::ModelError {
    fn from(e: CholeskyError) -> Self {
        crate::error::ModelError::new(
            "cholesky",
            &[e.row],
            crate::error::ModelErrorKind::InvalidParameter(Box::new(e)),
        )
    }
}

/// Solves `L z = b` for lower triangular `L` (`k × k`, row-major) by forward substitution.
///
/// # Example
///
/// ```
/// use model_runtime::linalg::solve_lower;
/// assert_eq!(solve_lower(&[2.0, 0.0, 1.0, 2.0], &[2.0, 5.0]), vec![1.0, 2.0]);
/// ```
pub fn solve_lower<T: Scalar>(l: &[T], b: &[T]) -> Vec<T> {
    let mut z = Vec::with_capacity(b.len());
    solve_lower_into(l, b, &mut z);
    z
}

/// [`solve_lower`] into a buffer given by the caller (cleared first), so that a log density can
/// solve with a pooled buffer and allocate nothing.
pub fn solve_lower_into<T: Scalar>(l: &[T], b: &[T], z: &mut Vec<T>) {
    let k = b.len();
    z.clear();
    for i in 0..k {
        let mut sum = b[i];
        for (p, zp) in z.iter().enumerate() {
            sum -= l[i * k + p] * *zp;
        }
        z.push(sum / l[i * k + i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autodiff::{Var, gradient};

    #[test]
    fn error_messages() {
        let ragged = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).unwrap_err();
        assert_eq!(
            ragged.to_string(),
            "matrix row 1 has 1 entries, the first row has 2"
        );
        let nan = Matrix::from_rows(&[vec![1.0, f64::NAN]]).unwrap_err();
        assert_eq!(nan.to_string(), "matrix entry [0, 1] is not finite");
        let shape = ShapeError {
            matrix: (3, 2),
            vectors: (4, 5),
        };
        assert_eq!(
            shape.to_string(),
            "a 3 x 2 matrix needs vectors of 2 and 3 entries, got 4 and 5"
        );
        assert_eq!(
            CholeskyError { row: 1 }.to_string(),
            "matrix is not positive definite (Cholesky pivot of row 1 is not positive)"
        );
    }

    /// The autodiff gradient of `f` against central differences at `x`.
    fn check(x: &[f64], f: impl Fn(&[Var]) -> Var, g64: impl Fn(&[f64]) -> f64) {
        let mut g = vec![0.0; x.len()];
        let value = gradient(x, &mut g, |v| Ok::<_, ()>(f(v))).unwrap();
        assert!((value - g64(x)).abs() < 1e-12 * value.abs().max(1.0));
        for i in 0..x.len() {
            let h = 1e-6 * x[i].abs().max(1.0);
            let mut up = x.to_vec();
            let mut down = x.to_vec();
            up[i] += h;
            down[i] -= h;
            let fd = (g64(&up) - g64(&down)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() < 1e-6 * fd.abs().max(1.0),
                "d/dx{i}: {} vs {fd}",
                g[i]
            );
        }
    }

    #[test]
    fn single_node_operations_differentiate() {
        let data = [0.3, -1.2, 2.0, 0.7];
        let x = [0.5, 1.5, -0.25, 3.0];
        check(&x, |v| dot(&data, v), |v| dot(&data, v));
        check(&x, |v| sum(v) * v[0], |v| sum(v) * v[0]);
        check(&x, log_sum_exp, log_sum_exp);
        let big = [800.0, 799.0, -5.0];
        check(&big, log_sum_exp, log_sum_exp);
    }

    #[test]
    fn dot_is_one_node() {
        let data = [1.0; 50];
        let mut g = [0.0; 50];
        gradient(&[0.1; 50], &mut g, |v| {
            let a = dot(&data, v);
            let b = dot(&data, v);
            // Two dot products are two nodes after the 50 inputs.
            assert!(format!("{a:?}").ends_with("#50)") && format!("{b:?}").ends_with("#51)"));
            Ok::<_, ()>(a + b)
        })
        .unwrap();
        assert_eq!(g, [2.0; 50]);
    }

    #[test]
    fn ragged_or_non_finite_matrices_are_rejected() {
        assert_eq!(
            Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]),
            Err(MatrixError::RaggedRow {
                row: 1,
                expected: 2,
                found: 1
            })
        );
        assert_eq!(
            Matrix::from_rows(&[vec![1.0, f64::NAN]]),
            Err(MatrixError::NotFinite { row: 0, col: 1 })
        );
    }
}
