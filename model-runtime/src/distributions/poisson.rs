//! The Poisson distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::{poisson_deviance, stirling_remainder};
use crate::value::Count;

/// The Poisson distribution over counts `k = 0, 1, 2, ...` with `rate` (λ > 0):
///
/// `P(k) = λ^k e^(-λ) / k!`
///
/// The log mass is evaluated in Loader's form `-R(k) - ½ ln(2πk) - D(k, λ)` (for `k ≥ 1`), with
/// `R` the remainder of Stirling's series ([`stirling_remainder`]) and
/// `D(k, λ) = k ln(k/λ) + λ - k` ([`poisson_deviance`]), which stays accurate for large counts
/// where `k ln λ - λ - ln k!` cancels (Loader 2000, "Fast and accurate computation of binomial
/// probabilities").
///
/// Reference: NumPyro `dist.Poisson(rate)`; Stan `poisson(lambda)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Poisson::new(2.0)?;
/// assert!((d.log_prob(&3) - (8f64.ln() - 2.0 - 6f64.ln())).abs() < 1e-15);
/// assert_eq!(d.log_prob(&0), -2.0);
/// assert!(Poisson::new(-1.0).is_err());
/// # Ok::<(), PoissonError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Poisson<T = f64> {
    rate: T,
}

/// Why a [`Poisson`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum PoissonError {
    /// The rate is not a positive finite number.
    #[error("Poisson rate must be positive and finite, got {rate}")]
    RateNotPositive {
        /// The rejected rate.
        rate: f64,
    },
    /// The rate is so large that draws would not fit in a `u64`
    /// (above [`Poisson::MAX_RATE`]).
    #[error("Poisson rate must be at most {}, got {rate}", Poisson::<f64>::MAX_RATE)]
    RateTooLarge {
        /// The rejected rate.
        rate: f64,
    },
}

impl<T: Scalar> Poisson<T> {
    /// The largest rate accepted (about 1.8e19): counts are `u64`, and rand_distr's sampler
    /// stops here.
    ///
    /// ```
    /// use model_runtime::distributions::Poisson;
    /// assert!(Poisson::new(Poisson::<f64>::MAX_RATE).is_ok());
    /// assert!(Poisson::new(2.0 * Poisson::<f64>::MAX_RATE).is_err());
    /// ```
    pub const MAX_RATE: f64 = rand_distr::Poisson::<f64>::MAX_LAMBDA;

    /// A Poisson distribution; `rate` must be positive and at most [`Poisson::MAX_RATE`].
    pub fn new(rate: T) -> Result<Self, PoissonError> {
        if !(rate.value() > 0.0 && rate.value().is_finite()) {
            return Err(PoissonError::RateNotPositive { rate: rate.value() });
        }
        if rate.value() > Self::MAX_RATE {
            return Err(PoissonError::RateTooLarge { rate: rate.value() });
        }
        Ok(Poisson { rate })
    }
}

impl<T: Scalar> Distribution for Poisson<T> {
    type Scalar = T;
    type Kind = Count;
    const NAME: &'static str = "Poisson";

    fn log_prob(&self, k: &u64) -> T {
        if *k == 0 {
            return -self.rate;
        }
        let k = T::from_f64(*k as f64);
        -stirling_remainder(k) - k.ln() * 0.5 - LN_SQRT_2PI - poisson_deviance(k, self.rate)
    }

    fn support(&self) -> Support<T> {
        Support::NonNegativeInteger
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // `None` only for parameters that the constructor rejects.
        let d = rand_distr::Poisson::new(self.rate.value()).ok()?;
        let k: f64 = d.sample(rng);
        Some(k as u64)
    }

    fn mean(&self) -> Option<T> {
        Some(self.rate)
    }

    fn variance(&self) -> Option<T> {
        Some(self.rate)
    }
}

impl<T: Scalar> Samplable for Poisson<T> {}

impl<T: Scalar> Family for Poisson<T> {
    type At<U: Scalar> = Poisson<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_direct_formula_for_small_counts() {
        let d = Poisson::new(3.3).unwrap();
        for k in 1..20_u64 {
            let kf = k as f64;
            let direct = kf * 3.3f64.ln() - 3.3 - libm::lgamma(kf + 1.0);
            assert!(((d.log_prob(&k) - direct) / direct).abs() < 1e-14, "{k}");
        }
    }
}
