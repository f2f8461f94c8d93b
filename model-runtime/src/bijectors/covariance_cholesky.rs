//! Cholesky factors of covariance matrices.

use super::bijector::{check_constrained_len, check_finite, check_lengths};
use super::{BijectorError, ForwardMap, VectorBijector};
use crate::scalar::Scalar;

/// Lower triangular `K×K` matrices with a positive diagonal, the Cholesky factors of `K×K`
/// covariance matrices, reached from `ℝ^(K(K+1)/2)` (Stan Reference Manual, "Cholesky factors
/// of covariance matrices", for square factors).
///
/// The unconstrained vector lists the lower triangle with its diagonal row by row, `(0,0),
/// (1,0), (1,1), (2,0), …`; elements below the diagonal are copied and diagonal elements are
/// exponentiated, `L_ii = e^{u_ii}`. The value is stored row-major in `K²` elements, zeros above
/// the diagonal.
///
/// **Jacobian.** Over the lower triangle with the diagonal, in the same order:
/// `ln |det J| = Σ_i u_ii`.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{CovarianceCholesky, ForwardMap, VectorBijector};
///
/// let factor = CovarianceCholesky::new(2);
/// let mut l = [0.0; 4];
/// let log_jacobian = factor.forward(&[0.0, -3.0, 2f64.ln()], &mut l)?;
/// assert_eq!(l, [1.0, 0.0, -3.0, 2.0]);
/// assert_eq!(log_jacobian, 2f64.ln());
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CovarianceCholesky {
    dimension: usize,
}

impl CovarianceCholesky {
    /// Cholesky factors of `dimension × dimension` covariance matrices.
    pub fn new(dimension: usize) -> Self {
        CovarianceCholesky { dimension }
    }

    /// The number of rows (and columns).
    pub fn dimension(&self) -> usize {
        self.dimension
    }
}

impl VectorBijector for CovarianceCholesky {
    fn constrained_len(&self) -> usize {
        self.dimension * self.dimension
    }

    fn unconstrained_len(&self) -> usize {
        self.dimension * (self.dimension + 1) / 2
    }

    fn check(&self, x: &[f64]) -> Result<(), BijectorError> {
        check_constrained_len(self, x.len())?;
        check_finite(x)?;
        check_lower_triangular(x, self.dimension)
    }

    fn inverse(&self, x: &[f64], u: &mut [f64]) -> Result<(), BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        self.check(x)?;
        let k = self.dimension;
        let mut next = 0;
        for row in 0..k {
            u[next..next + row].copy_from_slice(&x[row * k..row * k + row]);
            next += row;
            let diagonal = x[row * k + row];
            if diagonal == 0.0 {
                return Err(BijectorError::OnBoundary {
                    index: row * k + row,
                });
            }
            u[next] = diagonal.ln();
            next += 1;
        }
        Ok(())
    }
}

impl<T: Scalar> ForwardMap<T> for CovarianceCholesky {
    fn forward(&self, u: &[T], x: &mut [T]) -> Result<T, BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        let k = self.dimension;
        x.fill(T::from_f64(0.0));
        let mut log_jacobian = T::from_f64(0.0);
        let mut next = 0;
        for row in 0..k {
            x[row * k..row * k + row].copy_from_slice(&u[next..next + row]);
            next += row;
            x[row * k + row] = u[next].exp();
            log_jacobian += u[next];
            next += 1;
        }
        Ok(log_jacobian)
    }
}

/// Fails unless the `k×k` matrix `x` is zero above its diagonal and non-negative on it.
fn check_lower_triangular(x: &[f64], k: usize) -> Result<(), BijectorError> {
    for row in 0..k {
        if let Some(column) = (row + 1..k).find(|&column| x[row * k + column] != 0.0) {
            return Err(BijectorError::NotLowerTriangular { row, column });
        }
        let diagonal = x[row * k + row];
        if diagonal < 0.0 {
            return Err(BijectorError::DiagonalNegative {
                row,
                value: diagonal,
            });
        }
    }
    Ok(())
}
