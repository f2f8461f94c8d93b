//! The continuous uniform distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Reparameterized, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

/// The uniform distribution on the interval from `low` (a) to `high` (b > a):
///
/// `p(x) = 1 / (b - a)` for `a ≤ x ≤ b`
///
/// The log density is `-ln(b - a)` on the closed interval (the end points have probability
/// zero, and accepting them keeps boundary values finite) and `-∞` outside.
///
/// Reference: NumPyro `dist.Uniform(low, high)`; Stan `uniform(alpha, beta)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Uniform::new(-1.0, 3.0)?;
/// assert_eq!(d.log_prob(&0.0), -(4f64.ln()));
/// assert_eq!(d.log_prob(&3.5), f64::NEG_INFINITY);
/// assert!(Uniform::new(2.0, 1.0).is_err());
/// # Ok::<(), UniformError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uniform<T = f64> {
    low: T,
    high: T,
}

/// Why a [`Uniform`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum UniformError {
    /// The lower end is NaN or infinite.
    #[error("Uniform low must be finite, got {low}")]
    LowNotFinite {
        /// The rejected lower end.
        low: f64,
    },
    /// The upper end is NaN or infinite.
    #[error("Uniform high must be finite, got {high}")]
    HighNotFinite {
        /// The rejected upper end.
        high: f64,
    },
    /// The lower end is not below the upper end.
    #[error("Uniform low must be below high, got low {low} and high {high}")]
    LowNotBelowHigh {
        /// The lower end.
        low: f64,
        /// The upper end.
        high: f64,
    },
    /// The width `high - low` overflows to infinity.
    #[error("Uniform width high - low must be finite, got low {low} and high {high}")]
    WidthNotFinite {
        /// The lower end.
        low: f64,
        /// The upper end.
        high: f64,
    },
}

impl<T: Scalar> Uniform<T> {
    /// A uniform distribution; `low < high`, both finite, with a finite width.
    pub fn new(low: T, high: T) -> Result<Self, UniformError> {
        let (lo, hi) = (low.value(), high.value());
        if !lo.is_finite() {
            return Err(UniformError::LowNotFinite { low: lo });
        }
        if !hi.is_finite() {
            return Err(UniformError::HighNotFinite { high: hi });
        }
        if lo >= hi {
            return Err(UniformError::LowNotBelowHigh { low: lo, high: hi });
        }
        if !(hi - lo).is_finite() {
            return Err(UniformError::WidthNotFinite { low: lo, high: hi });
        }
        Ok(Uniform { low, high })
    }
}

impl<T: Scalar> Distribution for Uniform<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Uniform";

    fn log_prob(&self, x: &T) -> T {
        let v = x.value();
        if !(v >= self.low.value() && v <= self.high.value()) {
            return T::from_f64(f64::NEG_INFINITY);
        }
        -(self.high - self.low).ln()
    }

    fn support(&self) -> Support<T> {
        Support::Interval(self.low, self.high)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // `None` only for parameters that the constructor rejects.
        let d = rand_distr::Uniform::new(self.low.value(), self.high.value()).ok()?;
        Some(d.sample(rng))
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let u: f64 = rand_distr::Open01.sample(rng);
        Some(self.low + (self.high - self.low) * u)
    }

    fn mean(&self) -> Option<T> {
        Some((self.low + self.high) * 0.5)
    }

    fn variance(&self) -> Option<T> {
        let width = self.high - self.low;
        Some(width * width / 12.0)
    }
}

impl<T: Scalar> Samplable for Uniform<T> {}
impl<T: Scalar> Reparameterized for Uniform<T> {}

impl<T: Scalar> Family for Uniform<T> {
    type At<U: Scalar> = Uniform<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_points_have_the_interior_density() {
        let d = Uniform::new(0.0, 2.0).unwrap();
        assert_eq!(d.log_prob(&0.0), d.log_prob(&2.0));
        assert_eq!(d.log_prob(&2.0_f64.next_up()), f64::NEG_INFINITY);
    }
}
