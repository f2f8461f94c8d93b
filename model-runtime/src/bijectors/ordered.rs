//! Increasing vectors.

use super::bijector::{check_constrained_len, check_finite, check_lengths};
use super::{BijectorError, ForwardMap, VectorBijector};
use crate::scalar::Scalar;

/// Vectors of `K` reals in increasing order, from `ℝ^K` (Stan Reference Manual, "Ordered
/// vector"):
///
/// `x_1 = u_1`, `x_k = x_{k-1} + e^{u_k}` for `k > 1`.
///
/// **Jacobian.** Over all `K` components; it is triangular, so `ln |det J| = Σ_{k>1} u_k`.
///
/// Ordered vectors put location parameters of a mixture in a fixed order.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{ForwardMap, Ordered, VectorBijector};
///
/// let ordered = Ordered::new(3);
/// let mut x = [0.0; 3];
/// let log_jacobian = ordered.forward(&[-1.0, 0.0, 2f64.ln()], &mut x)?;
/// assert_eq!(x, [-1.0, 0.0, 2.0]);
/// assert_eq!(log_jacobian, 2f64.ln());
/// assert!(ordered.contains(&x) && !ordered.contains(&[0.0, -1.0, 2.0]));
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ordered {
    len: usize,
}

impl Ordered {
    /// Increasing vectors of `len` elements.
    pub fn new(len: usize) -> Self {
        Ordered { len }
    }
}

impl VectorBijector for Ordered {
    fn constrained_len(&self) -> usize {
        self.len
    }

    fn unconstrained_len(&self) -> usize {
        self.len
    }

    fn check(&self, x: &[f64]) -> Result<(), BijectorError> {
        check_constrained_len(self, x.len())?;
        check_finite(x)?;
        check_increasing(x)
    }

    fn inverse(&self, x: &[f64], u: &mut [f64]) -> Result<(), BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        self.check(x)?;
        if let Some(first) = x.first() {
            u[0] = *first;
            log_increments(x, u)?;
        }
        Ok(())
    }
}

impl<T: Scalar> ForwardMap<T> for Ordered {
    fn forward(&self, u: &[T], x: &mut [T]) -> Result<T, BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        if let Some(&first) = u.first() {
            x[0] = first;
        }
        Ok(add_increments(u, x))
    }
}

/// Fails at the first element smaller than its predecessor.
pub(super) fn check_increasing(x: &[f64]) -> Result<(), BijectorError> {
    match x.windows(2).position(|pair| pair[1] < pair[0]) {
        Some(k) => Err(BijectorError::NotOrdered { index: k + 1 }),
        None => Ok(()),
    }
}

/// `u_k = ln(x_k - x_{k-1})` for `k ≥ 1`; equal neighbours are on the boundary.
pub(super) fn log_increments(x: &[f64], u: &mut [f64]) -> Result<(), BijectorError> {
    for k in 1..x.len() {
        let step = x[k] - x[k - 1];
        if step == 0.0 {
            return Err(BijectorError::OnBoundary { index: k });
        }
        u[k] = step.ln();
    }
    Ok(())
}

/// `x_k = x_{k-1} + e^{u_k}` for `k ≥ 1`, given `x_0`; returns `Σ_{k≥1} u_k`.
pub(super) fn add_increments<T: Scalar>(u: &[T], x: &mut [T]) -> T {
    let mut log_jacobian = T::from_f64(0.0);
    for k in 1..u.len() {
        x[k] = x[k - 1] + u[k].exp();
        log_jacobian += u[k];
    }
    log_jacobian
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_neighbours_are_on_the_boundary() {
        let ordered = Ordered::new(3);
        let mut u = [0.0; 3];
        assert!(ordered.contains(&[1.0, 1.0, 2.0]));
        assert_eq!(
            ordered.inverse(&[1.0, 1.0, 2.0], &mut u),
            Err(BijectorError::OnBoundary { index: 1 })
        );
    }

    #[test]
    fn empty_vector() {
        let ordered = Ordered::new(0);
        assert_eq!(ordered.forward(&[] as &[f64], &mut []), Ok(0.0));
        assert_eq!(ordered.inverse(&[], &mut []), Ok(()));
    }
}
