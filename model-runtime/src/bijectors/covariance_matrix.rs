//! Covariance matrices (symmetric positive definite) through their Cholesky factors.

use super::bijector::{CONSTRAINT_TOLERANCE, check_constrained_len, check_finite, check_lengths};
use super::linalg::{cholesky_packed, packed_index};
use super::{BijectorError, ForwardMap, VectorBijector};
use crate::scalar::Scalar;
use core::f64::consts::LN_2;

/// Symmetric positive definite `K×K` matrices, reached from `ℝ^(K(K+1)/2)` through their
/// Cholesky factor (Stan Reference Manual, "Covariance matrices"):
///
/// `Σ = L Lᵀ`, where `L` is built as in [`CovarianceCholesky`](super::CovarianceCholesky): the
/// unconstrained vector lists the lower triangle of `L` with its diagonal row by row, elements
/// below the diagonal are copied and `L_ii = e^{u_ii}`.
///
/// The value is stored row-major in `K²` elements, both triangles written.
///
/// **Limit.** `Σ = L Lᵀ` is formed in floating point, so it is numerically positive definite
/// only while `L` is well conditioned: a diagonal entry `e^{u_ii}` below about 1e-4 of its row's
/// norm (its square below 1e-8 of the row's squared norm, which is what the Cholesky pivot
/// keeps; coordinates beyond about ±6 can make one), or a diagonal coordinate beyond about ±354
/// (`e^{2 u_ii}` under- or overflows), rounds `Σ` to a singular or infinite matrix, which
/// [`check`](VectorBijector::check) rejects. [`CovarianceCholesky`](super::CovarianceCholesky)
/// has no such limit.
///
/// **Jacobian.** Over the lower triangle of `Σ` with its diagonal (the upper triangle mirrors
/// it). The map `L ↦ L Lᵀ` has determinant `2^K Π_i L_ii^(K-i)` (rows from 0), and the
/// exponential one more factor `L_ii` each, so
///
/// `ln |det J| = K ln 2 + Σ_i (K - i + 1) u_ii`.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{CovarianceMatrix, ForwardMap, VectorBijector};
///
/// let covariance = CovarianceMatrix::new(2);
/// let mut sigma = [0.0; 4];
/// covariance.forward(&[0.0, 0.5, 0.0], &mut sigma)?;
/// assert_eq!(sigma, [1.0, 0.5, 0.5, 1.25]);
/// let mut u = [0.0; 3];
/// covariance.inverse(&sigma, &mut u)?;
/// assert_eq!(u, [0.0, 0.5, 0.0]);
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CovarianceMatrix {
    dimension: usize,
}

impl CovarianceMatrix {
    /// Covariance matrices of `dimension × dimension`.
    pub fn new(dimension: usize) -> Self {
        CovarianceMatrix { dimension }
    }

    /// The number of rows (and columns).
    pub fn dimension(&self) -> usize {
        self.dimension
    }
}

impl VectorBijector for CovarianceMatrix {
    fn constrained_len(&self) -> usize {
        self.dimension * self.dimension
    }

    fn unconstrained_len(&self) -> usize {
        self.dimension * (self.dimension + 1) / 2
    }

    /// Also factors the matrix to test positive definiteness, which allocates its factor.
    fn check(&self, x: &[f64]) -> Result<(), BijectorError> {
        check_constrained_len(self, x.len())?;
        check_finite(x)?;
        check_symmetric(x, self.dimension)?;
        let mut factor = vec![0.0; self.unconstrained_len()];
        cholesky_packed(x, self.dimension, &mut factor)
            .map_err(|pivot| BijectorError::NotPositiveDefinite { pivot })
    }

    fn inverse(&self, x: &[f64], u: &mut [f64]) -> Result<(), BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        check_finite(x)?;
        check_symmetric(x, self.dimension)?;
        cholesky_packed(x, self.dimension, u)
            .map_err(|pivot| BijectorError::NotPositiveDefinite { pivot })?;
        for row in 0..self.dimension {
            let diagonal = &mut u[packed_index(row, row)];
            *diagonal = diagonal.ln();
        }
        Ok(())
    }
}

impl<T: Scalar> ForwardMap<T> for CovarianceMatrix {
    fn forward(&self, u: &[T], x: &mut [T]) -> Result<T, BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        let k = self.dimension;
        // L goes into the lower triangle of `x`; Σ is built in place without a second buffer:
        // first its strict lower triangle into the free upper one, then the diagonal (Σ_ii needs
        // only row i of L, so it may overwrite L_ii), then the mirror image.
        let mut log_jacobian = T::from_f64(k as f64 * LN_2);
        let mut next = 0;
        for row in 0..k {
            x[row * k..row * k + row].copy_from_slice(&u[next..next + row]);
            next += row;
            x[row * k + row] = u[next].exp();
            log_jacobian += u[next] * (k - row + 1) as f64;
            next += 1;
        }
        for row in 1..k {
            for column in 0..row {
                let mut s = x[row * k] * x[column * k];
                for m in 1..=column {
                    s += x[row * k + m] * x[column * k + m];
                }
                x[column * k + row] = s;
            }
        }
        for row in 0..k {
            let mut s = x[row * k] * x[row * k];
            for m in 1..=row {
                s += x[row * k + m] * x[row * k + m];
            }
            x[row * k + row] = s;
        }
        for row in 1..k {
            for column in 0..row {
                x[row * k + column] = x[column * k + row];
            }
        }
        Ok(log_jacobian)
    }
}

/// Fails at the first pair of mirrored elements that differ by more than the tolerance,
/// relative to their size. The elements must be finite.
fn check_symmetric(x: &[f64], k: usize) -> Result<(), BijectorError> {
    for row in 1..k {
        for column in 0..row {
            let (a, b) = (x[row * k + column], x[column * k + row]);
            if (a - b).abs() > CONSTRAINT_TOLERANCE * a.abs().max(b.abs()).max(1.0) {
                return Err(BijectorError::NotSymmetric { row, column });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_asymmetric_and_indefinite_matrices() {
        let covariance = CovarianceMatrix::new(2);
        let mut u = [0.0; 3];
        assert_eq!(
            covariance.inverse(&[1.0, 0.5, 0.4, 1.0], &mut u),
            Err(BijectorError::NotSymmetric { row: 1, column: 0 })
        );
        assert_eq!(
            covariance.inverse(&[1.0, 2.0, 2.0, 1.0], &mut u),
            Err(BijectorError::NotPositiveDefinite { pivot: 1 })
        );
        assert!(!covariance.contains(&[1.0, 2.0, 2.0, 1.0]));
    }
}
