//! Increasing vectors of positive reals.

use super::bijector::{check_constrained_len, check_finite, check_lengths};
use super::ordered::{add_increments, check_increasing, log_increments};
use super::{BijectorError, ForwardMap, VectorBijector};
use crate::scalar::Scalar;

/// Vectors of `K` positive reals in increasing order, from `ℝ^K` (Stan Reference Manual,
/// "Positive ordered vector"):
///
/// `x_1 = e^{u_1}`, `x_k = x_{k-1} + e^{u_k}` for `k > 1`.
///
/// **Jacobian.** Over all `K` components; it is triangular, so `ln |det J| = Σ_k u_k`.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{ForwardMap, PositiveOrdered, VectorBijector};
///
/// let positive = PositiveOrdered::new(2);
/// let mut x = [0.0; 2];
/// let log_jacobian = positive.forward(&[0.0, 0.0], &mut x)?;
/// assert_eq!((x, log_jacobian), ([1.0, 2.0], 0.0));
/// assert!(!positive.contains(&[-1.0, 2.0]));
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositiveOrdered {
    len: usize,
}

impl PositiveOrdered {
    /// Increasing positive vectors of `len` elements.
    pub fn new(len: usize) -> Self {
        PositiveOrdered { len }
    }
}

impl VectorBijector for PositiveOrdered {
    fn constrained_len(&self) -> usize {
        self.len
    }

    fn unconstrained_len(&self) -> usize {
        self.len
    }

    fn check(&self, x: &[f64]) -> Result<(), BijectorError> {
        check_constrained_len(self, x.len())?;
        check_finite(x)?;
        if let Some(&first) = x.first()
            && first < 0.0
        {
            return Err(BijectorError::OutOfBounds {
                index: 0,
                value: first,
            });
        }
        check_increasing(x)
    }

    fn inverse(&self, x: &[f64], u: &mut [f64]) -> Result<(), BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        self.check(x)?;
        if let Some(&first) = x.first() {
            if first == 0.0 {
                return Err(BijectorError::OnBoundary { index: 0 });
            }
            u[0] = first.ln();
            log_increments(x, u)?;
        }
        Ok(())
    }
}

impl<T: Scalar> ForwardMap<T> for PositiveOrdered {
    fn forward(&self, u: &[T], x: &mut [T]) -> Result<T, BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        let Some(&first) = u.first() else {
            return Ok(T::from_f64(0.0));
        };
        x[0] = first.exp();
        Ok(first + add_increments(u, x))
    }
}
