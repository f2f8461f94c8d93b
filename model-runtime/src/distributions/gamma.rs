//! The gamma distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::{poisson_deviance, stirling_remainder};
use crate::value::Real;

/// The gamma distribution with shape `concentration` (α > 0) and `rate` (β > 0), with density on
/// `x > 0`
///
/// `p(x) = β^α x^(α-1) e^(-βx) / Γ(α)`
///
/// The log density is evaluated in Loader's saddle-point form
/// `-ln x + ½ ln α - ½ ln(2π) - R(α) - D(α, βx)`, where `R` is the remainder of Stirling's series
/// ([`stirling_remainder`]) and `D(a, y) = a ln(a/y) + y - a` ([`poisson_deviance`]); the large
/// terms of the textbook form cancel analytically, so it stays accurate for large `α` (Loader 2000,
/// "Fast and accurate computation of binomial probabilities"; R's `dgamma`).
///
/// Reference: NumPyro `dist.Gamma(concentration, rate)`; Stan `gamma(alpha, beta)`. Note that
/// rand_distr's `Gamma::new` takes a scale `1/β`, not a rate.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // Gamma(1, rate) is Exponential(rate).
/// let g = Gamma::new(1.0, 2.0)?;
/// assert!((g.log_prob(&0.7) - (2f64.ln() - 1.4)).abs() < 1e-15);
/// assert_eq!(g.mean(), Some(0.5));
/// assert!(Gamma::new(0.0, 1.0).is_err());
/// # Ok::<(), GammaError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gamma<T = f64> {
    concentration: T,
    rate: T,
}

/// Why a [`Gamma`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum GammaError {
    /// The concentration (shape) is not a positive finite number.
    #[error("Gamma concentration must be positive and finite, got {concentration}")]
    ConcentrationNotPositive {
        /// The rejected concentration.
        concentration: f64,
    },
    /// The rate is not a positive finite number.
    #[error("Gamma rate must be positive and finite, got {rate}")]
    RateNotPositive {
        /// The rejected rate.
        rate: f64,
    },
}

impl<T: Scalar> Gamma<T> {
    /// A gamma distribution; `concentration` and `rate` must be positive and finite.
    pub fn new(concentration: T, rate: T) -> Result<Self, GammaError> {
        if !(concentration.value() > 0.0 && concentration.value().is_finite()) {
            return Err(GammaError::ConcentrationNotPositive {
                concentration: concentration.value(),
            });
        }
        if !(rate.value() > 0.0 && rate.value().is_finite()) {
            return Err(GammaError::RateNotPositive { rate: rate.value() });
        }
        Ok(Gamma {
            concentration,
            rate,
        })
    }
}

impl<T: Scalar> Distribution for Gamma<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Gamma";

    fn log_prob(&self, x: &T) -> T {
        if x.value().is_nan() || x.value() <= 0.0 {
            // The density at 0 is finite only for α = 1; elsewhere it is 0 or unbounded.
            return if x.value() == 0.0 && self.concentration.value() == 1.0 {
                self.rate.ln()
            } else if x.value() == 0.0 && self.concentration.value() < 1.0 {
                T::from_f64(f64::INFINITY)
            } else {
                T::from_f64(f64::NEG_INFINITY)
            };
        }
        if x.value() == f64::INFINITY {
            // The deviance would be ∞ - ∞ here.
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node with the analytic partials ∂/∂x = (α - 1)/x - β, ∂/∂β = α/β - x and
        // ∂/∂α = ln β + ln x - ψ(α): the chain through the deviance D(α, βx) would carry
        // 1 - α/(βx), which overflows for a tiny βx although ∂/∂β itself is finite.
        let (a, rate, v) = (self.concentration.value(), self.rate.value(), x.value());
        let value = -v.ln() + a.ln() * 0.5
            - LN_SQRT_2PI
            - stirling_remainder(a)
            - poisson_deviance(a, rate * v);
        T::from_parts(
            value,
            [
                (*x, (a - 1.0) / v - rate),
                (self.rate, a / rate - v),
                (self.concentration, rate.ln() + v.ln() - a.digamma()),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // Unit scale, then divide by the rate: rand_distr takes a scale, and 1/rate could overflow.
        // `None` only for parameters that the constructor rejects.
        let g: f64 = rand_distr::Gamma::new(self.concentration.value(), 1.0)
            .ok()?
            .sample(rng);
        Some(g / self.rate.value())
    }

    fn mean(&self) -> Option<T> {
        Some(self.concentration / self.rate)
    }

    fn variance(&self) -> Option<T> {
        Some(self.concentration / (self.rate * self.rate))
    }
}

impl<T: Scalar> Samplable for Gamma<T> {}

impl<T: Scalar> Family for Gamma<T> {
    type At<U: Scalar> = Gamma<U>;
}

/// The logarithm of a draw from `Gamma(shape, 1)`, finite even where the draw itself underflows
/// (shapes far below 1 put much of their mass below the smallest double).
///
/// For `shape < 1` it uses `G(a) = G(a + 1) U^(1/a)` with `U` uniform on `(0, 1)` (the boost in
/// Marsaglia and Tsang 2000, "A simple method for generating gamma variables"), taken in logs:
/// `ln G(a + 1) + ln(U) / a`. Dirichlet and LKJ samplers normalize such draws in log space, as
/// JAX's `random.dirichlet` does.
pub(crate) fn sample_ln_gamma<R: Rng + ?Sized>(shape: f64, rng: &mut R) -> f64 {
    let boosted = if shape < 1.0 { shape + 1.0 } else { shape };
    let Ok(gamma) = rand_distr::Gamma::new(boosted, 1.0) else {
        return f64::NAN;
    };
    let ln_draw = gamma.sample(rng).ln();
    if shape < 1.0 {
        let u: f64 = rand::distr::Open01.sample(rng);
        ln_draw + u.ln() / shape
    } else {
        ln_draw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_formula_for_moderate_parameters() {
        let (a, b) = (3.7_f64, 0.6_f64);
        let g = Gamma::new(a, b).unwrap();
        for x in [0.01, 0.5, 4.0, 30.0] {
            let direct = a * b.ln() + (a - 1.0) * f64::ln(x) - b * x - libm::lgamma(a);
            assert!(((g.log_prob(&x) - direct) / direct).abs() < 1e-13);
        }
    }
}
