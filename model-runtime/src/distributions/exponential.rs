//! The exponential distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Reparameterized, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

/// The exponential distribution with rate `rate` (λ > 0), with density on `x ≥ 0`
///
/// `p(x) = λ e^(-λx)`
///
/// Reference: NumPyro `dist.Exponential(rate)`; Stan `exponential(beta)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Exponential::new(2.0)?;
/// assert!((d.log_prob(&1.0) - (2f64.ln() - 2.0)).abs() < 1e-15);
/// assert_eq!(d.mean(), Some(0.5));
/// assert!(Exponential::new(f64::INFINITY).is_err());
/// # Ok::<(), ExponentialError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exponential<T = f64> {
    rate: T,
}

/// Why an [`Exponential`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ExponentialError {
    /// The rate is not a positive finite number.
    #[error("Exponential rate must be positive and finite, got {rate}")]
    RateNotPositive {
        /// The rejected rate.
        rate: f64,
    },
}

impl<T: Scalar> Exponential<T> {
    /// An exponential distribution; `rate` must be positive and finite.
    pub fn new(rate: T) -> Result<Self, ExponentialError> {
        if !(rate.value() > 0.0 && rate.value().is_finite()) {
            return Err(ExponentialError::RateNotPositive { rate: rate.value() });
        }
        Ok(Exponential { rate })
    }
}

impl<T: Scalar> Distribution for Exponential<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Exponential";

    fn log_prob(&self, x: &T) -> T {
        if x.value().is_nan() || x.value() < 0.0 {
            // Negative numbers and NaN lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node: ∂/∂x = -λ, ∂/∂λ = 1/λ - x.
        let (rate, value_x) = (self.rate.value(), x.value());
        T::from_parts(
            rate.ln() - rate * value_x,
            [(*x, -rate), (self.rate, 1.0 / rate - value_x)].into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let e: f64 = rand_distr::Exp1.sample(rng);
        Some(e / self.rate.value())
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let e: f64 = rand_distr::Exp1.sample(rng);
        Some(T::from_f64(e) / self.rate)
    }

    fn mean(&self) -> Option<T> {
        Some(T::from_f64(1.0) / self.rate)
    }

    fn variance(&self) -> Option<T> {
        Some(T::from_f64(1.0) / (self.rate * self.rate))
    }
}

impl<T: Scalar> Samplable for Exponential<T> {}
impl<T: Scalar> Reparameterized for Exponential<T> {}

impl<T: Scalar> Family for Exponential<T> {
    type At<U: Scalar> = Exponential<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_at_zero_is_the_rate() {
        let d = Exponential::new(3.5).unwrap();
        assert!((d.log_prob(&0.0) - 3.5f64.ln()).abs() < 1e-15);
    }
}
