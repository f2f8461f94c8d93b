//! The unit simplex through Stan's stick-breaking transform.

use super::bijector::{CONSTRAINT_TOLERANCE, check_constrained_len, check_lengths};
use super::{BijectorError, ForwardMap, VectorBijector};
use crate::scalar::Scalar;

/// Vectors of `K` non-negative components summing to 1, reached from `ℝ^(K-1)` by stick
/// breaking (Stan Reference Manual 2.36, "Unit simplex"; Stan 2.37 replaced it with an
/// isometric log-ratio transform, stan-dev/math#3171).
///
/// Break a stick of length 1: for `k = 1, …, K-1`
///
/// `z_k = logistic(u_k + ln(1 / (K - k)))`, `x_k = (1 - Σ_{k'<k} x_k') z_k`,
///
/// and `x_K = 1 - Σ_{k<K} x_k`. The offset makes `u = 0` the centre `(1/K, …, 1/K)`.
///
/// **Jacobian.** The density is over the first `K - 1` components (the last is determined by
/// them), so `ln |det J| = Σ_{k<K} [ln z_k + ln(1 - z_k) + ln(1 - Σ_{k'<k} x_k')]`.
///
/// The stick's remaining length is carried in log space, `ln(1 - Σ_{k'≤k} x_k') = Σ_{k'≤k}
/// ln(1 - z_k')`, so that tiny components, the last one included, keep their relative accuracy
/// (Stan subtracts, which leaves a last component of `1e-12` with a relative error of `1e-4`);
/// the inverse divides each component by the sum of the ones after it for the same reason.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{ForwardMap, Simplex, VectorBijector};
///
/// let simplex = Simplex::new(3)?;
/// let mut x = [0.0; 3];
/// simplex.forward(&[2.0, -30.0], &mut x)?;
/// assert!((x.iter().sum::<f64>() - 1.0).abs() < 1e-15);
/// assert!(x[1] > 0.0 && x[1] < 1e-12);
/// let mut u = [0.0; 2];
/// simplex.inverse(&x, &mut u)?;
/// assert!((u[0] - 2.0).abs() < 1e-14 && (u[1] + 30.0).abs() < 1e-13);
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Simplex {
    len: usize,
}

impl Simplex {
    /// The simplex of `len` components; `len` must be at least 1.
    pub fn new(len: usize) -> Result<Self, BijectorError> {
        if len == 0 {
            return Err(BijectorError::EmptySimplex);
        }
        Ok(Simplex { len })
    }
}

impl VectorBijector for Simplex {
    fn constrained_len(&self) -> usize {
        self.len
    }

    fn unconstrained_len(&self) -> usize {
        self.len - 1
    }

    fn check(&self, x: &[f64]) -> Result<(), BijectorError> {
        check_constrained_len(self, x.len())?;
        let mut sum = 0.0;
        for (index, &value) in x.iter().enumerate() {
            if !value.is_finite() {
                return Err(BijectorError::NotFinite { index, value });
            }
            if value < 0.0 {
                return Err(BijectorError::OutOfBounds { index, value });
            }
            sum += value;
        }
        // The components are finite, so the sum is not NaN.
        if (sum - 1.0).abs() > CONSTRAINT_TOLERANCE {
            return Err(BijectorError::SumNotOne { sum });
        }
        Ok(())
    }

    fn inverse(&self, x: &[f64], u: &mut [f64]) -> Result<(), BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        self.check(x)?;
        let n = self.len - 1;
        if n > 0
            && let Some(index) = x.iter().position(|&p| p == 0.0)
        {
            return Err(BijectorError::OnBoundary { index });
        }
        // logit(z_k) = ln(x_k / Σ_{j>k} x_j); the suffix sums add positive numbers, so they are
        // accurate however small the components.
        let mut rest = 0.0;
        for k in (0..n).rev() {
            rest += x[k + 1];
            u[k] = x[k].ln() - rest.ln() + ((n - k) as f64).ln();
        }
        Ok(())
    }
}

impl<T: Scalar> ForwardMap<T> for Simplex {
    fn forward(&self, u: &[T], x: &mut [T]) -> Result<T, BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        let n = self.len - 1;
        let mut log_stick = T::from_f64(0.0);
        let mut log_jacobian = T::from_f64(0.0);
        for k in 0..n {
            let adjusted = u[k] - ((n - k) as f64).ln();
            let log_z = -(-adjusted).ln_1p_exp();
            let log_one_minus_z = -adjusted.ln_1p_exp();
            let log_x = log_stick + log_z;
            x[k] = log_x.exp();
            log_jacobian += log_x + log_one_minus_z;
            log_stick += log_one_minus_z;
        }
        x[n] = log_stick.exp();
        Ok(log_jacobian)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_the_centre() {
        let simplex = Simplex::new(4).unwrap();
        let mut x = [0.0; 4];
        simplex.forward(&[0.0; 3], &mut x).unwrap();
        for p in x {
            assert!((p - 0.25).abs() < 1e-15, "{x:?}");
        }
    }

    #[test]
    fn one_component_is_the_point_one() {
        let simplex = Simplex::new(1).unwrap();
        let mut x = [0.0];
        let log_jacobian = simplex.forward(&[], &mut x).unwrap();
        assert_eq!((x, log_jacobian), ([1.0], 0.0));
        simplex.inverse(&[1.0], &mut []).unwrap();
        assert_eq!(Simplex::new(0), Err(BijectorError::EmptySimplex));
    }
}
