//! Cholesky factors of correlation matrices.

use super::bijector::{CONSTRAINT_TOLERANCE, check_constrained_len, check_finite, check_lengths};
use super::{BijectorError, ForwardMap, VectorBijector};
use crate::scalar::Scalar;
use core::f64::consts::LN_2;

/// Lower triangular `K×K` matrices `L` with a positive diagonal and rows of unit length, the
/// Cholesky factors of `K×K` correlation matrices `L Lᵀ`, reached from `ℝ^(K(K-1)/2)` (Stan
/// Reference Manual, "Cholesky factors of correlation matrices"; Lewandowski, Kurowicka and Joe
/// 2009 for the canonical partial correlations).
///
/// The unconstrained vector lists the strictly lower triangle row by row, `(1,0), (2,0), (2,1),
/// (3,0), …` (rows and columns from 0). Each coordinate becomes a canonical partial correlation
/// `z_ij = tanh(u_ij)` in `(-1, 1)`, and row `i` is filled left to right:
///
/// `L_i0 = z_i0`, `L_ij = z_ij √(1 - Σ_{j'<j} L_ij'²)` for `0 < j < i`,
/// `L_ii = √(1 - Σ_{j<i} L_ij²)`, and `L_00 = 1`.
///
/// The value is stored row-major in `K²` elements, zeros above the diagonal.
///
/// **Jacobian.** Over the strictly lower triangle of `L` (the diagonal follows from the unit
/// rows, the upper triangle is zero), in the order above, where it is lower triangular:
///
/// `ln |det J| = Σ_{i>j} ln(1 - z_ij²) + Σ_{i>j>0} ½ ln(1 - Σ_{j'<j} L_ij'²)`.
///
/// The remaining squared length `1 - Σ_{j'<j} L_ij'²` is carried in log space as
/// `Σ_{j'<j} ln(1 - z_ij'²)`, with `ln(1 - tanh²u) = 2 (ln 2 - |u| - ln(1 + e^(-2|u|)))`, so the
/// factor stays accurate where `tanh u` rounds to ±1 (`|u| > 19`) and the diagonal is as small
/// as `e^-|u|`; the inverse takes the remaining squared length as `Σ_{j'≥j} L_ij'²`, without
/// cancellation, for the same reason.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{CorrelationCholesky, ForwardMap, VectorBijector};
///
/// let factor = CorrelationCholesky::new(2);
/// let mut l = [0.0; 4];
/// factor.forward(&[0.5f64.atanh()], &mut l)?;
/// assert!((l[2] - 0.5).abs() < 1e-15 && (l[3] - 0.75f64.sqrt()).abs() < 1e-15);
/// assert_eq!((l[0], l[1]), (1.0, 0.0));
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorrelationCholesky {
    dimension: usize,
}

impl CorrelationCholesky {
    /// Cholesky factors of `dimension × dimension` correlation matrices.
    pub fn new(dimension: usize) -> Self {
        CorrelationCholesky { dimension }
    }

    /// The number of rows (and columns).
    pub fn dimension(&self) -> usize {
        self.dimension
    }
}

impl VectorBijector for CorrelationCholesky {
    fn constrained_len(&self) -> usize {
        self.dimension * self.dimension
    }

    fn unconstrained_len(&self) -> usize {
        self.dimension * self.dimension.saturating_sub(1) / 2
    }

    fn check(&self, x: &[f64]) -> Result<(), BijectorError> {
        check_constrained_len(self, x.len())?;
        check_finite(x)?;
        let k = self.dimension;
        for row in 0..k {
            let r = &x[row * k..(row + 1) * k];
            if let Some(column) = (row + 1..k).find(|&column| r[column] != 0.0) {
                return Err(BijectorError::NotLowerTriangular { row, column });
            }
            if r[row] < 0.0 {
                return Err(BijectorError::DiagonalNegative { row, value: r[row] });
            }
            let squared_length: f64 = r[..=row].iter().map(|v| v * v).sum();
            if (squared_length - 1.0).abs() > CONSTRAINT_TOLERANCE {
                return Err(BijectorError::RowNotUnitLength {
                    row,
                    squared_length,
                });
            }
        }
        Ok(())
    }

    fn inverse(&self, x: &[f64], u: &mut [f64]) -> Result<(), BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        self.check(x)?;
        let k = self.dimension;
        for row in 1..k {
            let r = &x[row * k..=row * k + row];
            let first = row * (row - 1) / 2;
            // `suffix` is Σ_{j'≥j} L_ij'², which equals 1 - Σ_{j'<j} L_ij'² on a unit row
            // without the cancellation; then 1 - z² = suffix_{j+1} / suffix_j.
            let mut suffix = r[row] * r[row];
            for column in (0..row).rev() {
                let next = suffix;
                suffix += r[column] * r[column];
                let z = r[column] / suffix.sqrt();
                // atanh z = sign(z) (ln(1 + |z|) - ½ ln(1 - z²))
                let v = z.signum() * (z.abs().ln_1p() - 0.5 * (next.ln() - suffix.ln()));
                if !v.is_finite() {
                    return Err(BijectorError::OnBoundary {
                        index: row * k + row,
                    });
                }
                u[first + column] = v;
            }
        }
        Ok(())
    }
}

impl<T: Scalar> ForwardMap<T> for CorrelationCholesky {
    fn forward(&self, u: &[T], x: &mut [T]) -> Result<T, BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        let k = self.dimension;
        let zero = T::from_f64(0.0);
        x.fill(zero);
        let mut log_jacobian = zero;
        if k == 0 {
            return Ok(log_jacobian);
        }
        x[0] = T::from_f64(1.0);
        let mut next = 0;
        for row in 1..k {
            // ln(1 - Σ_{j'<j} L_ij'²)
            let mut log_remaining = zero;
            for column in 0..row {
                let v = u[next];
                next += 1;
                let z = v.tanh();
                if column == 0 {
                    x[row * k] = z;
                } else {
                    let log_scale = log_remaining * 0.5;
                    x[row * k + column] = z * log_scale.exp();
                    log_jacobian += log_scale;
                }
                let log_one_minus_z2 = log_one_minus_tanh_squared(v);
                log_jacobian += log_one_minus_z2;
                log_remaining += log_one_minus_z2;
            }
            x[row * k + row] = (log_remaining * 0.5).exp();
        }
        Ok(log_jacobian)
    }
}

/// `ln(1 - tanh²u) = -2 ln cosh u = 2 (ln 2 - |u| - ln(1 + e^(-2|u|)))`, accurate where
/// `tanh u` rounds to ±1.
fn log_one_minus_tanh_squared<T: Scalar>(u: T) -> T {
    let a = u.abs();
    (-(a * 2.0)).ln_1p_exp() * -2.0 - a * 2.0 + 2.0 * LN_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_one_minus_tanh_squared_is_accurate() {
        for u in [0.0, 1e-8, 0.3, -2.0, 19.0, -40.0, 400.0] {
            let direct = if u.abs() < 5.0 {
                (1.0 - u.tanh().powi(2)).ln()
            } else {
                2.0 * LN_2 - 2.0 * u.abs() - 2.0 * (-2.0 * u.abs()).exp().ln_1p()
            };
            assert!((log_one_minus_tanh_squared(u) - direct).abs() < 1e-15 * (1.0 + direct.abs()));
        }
    }

    #[test]
    fn zero_is_the_identity() {
        let factor = CorrelationCholesky::new(3);
        let mut l = [9.0; 9];
        let log_jacobian = factor.forward(&[0.0; 3], &mut l).unwrap();
        assert_eq!(l, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(log_jacobian, 0.0);
    }
}
