//! The beta distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::{ln_beta, poisson_deviance, stirling_remainder};
use crate::value::Real;

/// The beta distribution with shapes `concentration1` (α > 0) and `concentration0` (β > 0), with
/// density on `0 < x < 1`
///
/// `p(x) = x^(α-1) (1 - x)^(β-1) / B(α, β)`
///
/// `ln(1 - x)` is taken as `ln_1p(-x)` and `ln B` from [`ln_beta`]; when both shapes are 10 or
/// more, the log density is evaluated in Loader's saddle-point form, where the large terms cancel
/// analytically instead of numerically.
///
/// Reference: NumPyro `dist.Beta(concentration1, concentration0)`; Stan `beta(alpha, beta)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // Beta(2, 1) has density 2x.
/// let d = Beta::new(2.0, 1.0)?;
/// assert!((d.log_prob(&0.25) - 0.5f64.ln()).abs() < 1e-15);
/// assert_eq!(d.log_prob(&1.5), f64::NEG_INFINITY);
/// assert!(Beta::new(1.0, -2.0).is_err());
/// # Ok::<(), BetaError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta<T = f64> {
    concentration1: T,
    concentration0: T,
}

/// Why a [`Beta`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum BetaError {
    /// `concentration1` (α, the shape of `x`) is not a positive finite number.
    #[error("Beta concentration1 must be positive and finite, got {concentration1}")]
    Concentration1NotPositive {
        /// The rejected value.
        concentration1: f64,
    },
    /// `concentration0` (β, the shape of `1 - x`) is not a positive finite number.
    #[error("Beta concentration0 must be positive and finite, got {concentration0}")]
    Concentration0NotPositive {
        /// The rejected value.
        concentration0: f64,
    },
}

impl<T: Scalar> Beta<T> {
    /// A beta distribution; both concentrations must be positive and finite.
    pub fn new(concentration1: T, concentration0: T) -> Result<Self, BetaError> {
        if !(concentration1.value() > 0.0 && concentration1.value().is_finite()) {
            return Err(BetaError::Concentration1NotPositive {
                concentration1: concentration1.value(),
            });
        }
        if !(concentration0.value() > 0.0 && concentration0.value().is_finite()) {
            return Err(BetaError::Concentration0NotPositive {
                concentration0: concentration0.value(),
            });
        }
        Ok(Beta {
            concentration1,
            concentration0,
        })
    }
}

impl<T: Scalar> Distribution for Beta<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Beta";

    fn log_prob(&self, x: &T) -> T {
        let v = x.value();
        if !(0.0..=1.0).contains(&v) {
            return T::from_f64(f64::NEG_INFINITY);
        }
        let (a, b) = (self.concentration1, self.concentration0);
        if a.value() >= LOADER_FORM_FROM && b.value() >= LOADER_FORM_FROM && v > 0.0 && v < 1.0 {
            return loader_log_prob(a, b, *x);
        }
        // At an end point where the density vanishes, say so before ln B(α, β), which may
        // overflow to -∞ as well (∞ - ∞).
        if (v == 0.0 && a.value() > 1.0) || (v == 1.0 && b.value() > 1.0) {
            return T::from_f64(f64::NEG_INFINITY);
        }
        // At an end point, 0 · ln 0 counts as 0 so that Beta(1, β) at 0 has its finite density.
        let left = if a.value() == 1.0 {
            T::from_f64(0.0)
        } else {
            (a - 1.0) * x.ln()
        };
        let right = if b.value() == 1.0 {
            T::from_f64(0.0)
        } else {
            (b - 1.0) * (-*x).ln_1p()
        };
        left + right - ln_beta(a, b)
    }

    fn support(&self) -> Support<T> {
        Support::UnitInterval
    }

    /// By `rand_distr`'s samplers (Cheng 1978); where both concentrations are at least 1e15,
    /// from the normal distribution with the same mean and variance, whose difference from the
    /// beta (skewness and excess kurtosis below 1e-7) no sample could show: Cheng's algorithm
    /// forms `α + β` and `2αβ`, which overflow to a NaN draw there.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let (a, b) = (self.concentration1.value(), self.concentration0.value());
        if a.min(b) >= 1e15 {
            let (mean, complement) = (1.0 / (1.0 + b / a), 1.0 / (1.0 + a / b));
            // Var = m (1 - m)/(α + β + 1), the sum halved so that it cannot overflow.
            let sd =
                (mean * complement / (a * 0.5 + b * 0.5)).sqrt() * std::f64::consts::FRAC_1_SQRT_2;
            let z: f64 = rand_distr::StandardNormal.sample(rng);
            return Some((mean + sd * z).clamp(0.0, 1.0));
        }
        // `None` only for parameters that the constructor rejects.
        let d = rand_distr::Beta::new(a, b);
        Some(d.ok()?.sample(rng))
    }

    /// `α/(α + β)`, as `1/(1 + β/α)` so that it holds where `α + β` overflows.
    fn mean(&self) -> Option<T> {
        Some(T::from_f64(1.0) / (self.concentration0 / self.concentration1 + 1.0))
    }

    fn variance(&self) -> Option<T> {
        // m (1 - m)/(α + β + 1) with m = α/(α + β), each 1 - m from its own numerator, so that
        // αβ and (α + β)² cannot overflow to ∞/∞.
        let total = self.concentration1 + self.concentration0;
        let (mean, complement) = (self.concentration1 / total, self.concentration0 / total);
        Some(mean * complement / (total + 1.0))
    }
}

impl<T: Scalar> Samplable for Beta<T> {}

impl<T: Scalar> Family for Beta<T> {
    type At<U: Scalar> = Beta<U>;
}

/// From this size of both shapes on, the textbook form loses more than a digit to cancellation
/// between `(α-1) ln x + (β-1) ln(1-x)` and `ln B(α, β)`.
const LOADER_FORM_FROM: f64 = 10.0;

/// The log density in Loader's saddle-point form: writing each `ln Γ` as Stirling's leading terms
/// plus [`stirling_remainder`] `R`, the large terms combine into two deviances `D(a, m) = a ln(a/m)
/// + m - a` ([`poisson_deviance`]), which are small near the mode:
///
/// `ln p = -D(α, x s) - D(β, (1-x) s) - ln x - ln(1-x) + ½ ln(αβ/s) - ½ ln(2π) - R(α) - R(β) + R(s)`,
/// with `s = α + β` (the `m - a` parts of the two deviances cancel since `x s + (1-x) s = α + β`).
/// Loader 2000, "Fast and accurate computation of binomial probabilities"; R's `dbeta`.
fn loader_log_prob<T: Scalar>(a: T, b: T, x: T) -> T {
    let s = a + b;
    let one_minus_x = T::from_f64(1.0) - x;
    -poisson_deviance(a, x * s) - poisson_deviance(b, one_minus_x * s) - x.ln() - (-x).ln_1p()
        // αβ/s as (α/s) β: the product αβ overflows for concentrations above about 1e154.
        + (a / s * b).ln() * 0.5
        - LN_SQRT_2PI
        - (stirling_remainder(a) + stirling_remainder(b) - stirling_remainder(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_form_agrees_with_the_textbook_form_at_the_switch() {
        let (a, b) = (LOADER_FORM_FROM, 13.5);
        for x in [0.05, 0.4, 0.93] {
            let textbook = (a - 1.0) * f64::ln(x) + (b - 1.0) * (-x).ln_1p() - ln_beta(a, b);
            let loader = loader_log_prob(a, b, x);
            assert!(
                ((textbook - loader) / textbook).abs() < 1e-13,
                "{x}: {textbook} vs {loader}"
            );
        }
    }

    #[test]
    fn uniform_case_has_zero_log_density_including_end_points() {
        let d = Beta::new(1.0, 1.0).unwrap();
        for x in [0.0, 0.3, 1.0] {
            assert_eq!(d.log_prob(&x), 0.0);
        }
    }
}
