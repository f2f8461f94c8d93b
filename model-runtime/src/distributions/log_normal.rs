//! The log-normal distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{
    Distribution, Family, LN_SQRT_2PI, PlainValue, Reparameterized, Samplable,
};
use crate::scalar::Scalar;
use crate::value::Real;

/// The log-normal distribution: `ln x` is normal with location `loc` (μ) and scale `scale`
/// (σ > 0). Density on `x > 0`:
///
/// `p(x) = exp(-(ln x - μ)² / (2σ²)) / (x σ √(2π))`
///
/// Reference: NumPyro `dist.LogNormal(loc, scale)`; Stan `lognormal(mu, sigma)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = LogNormal::new(0.0, 1.0)?;
/// assert!((d.log_prob(&1.0) + 0.918_938_533_204_672_8).abs() < 1e-15);
/// assert_eq!(d.log_prob(&0.0), f64::NEG_INFINITY);
/// assert!(LogNormal::new(f64::NAN, 1.0).is_err());
/// # Ok::<(), LogNormalError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogNormal<T = f64> {
    loc: T,
    scale: T,
}

/// Why a [`LogNormal`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum LogNormalError {
    /// The location is NaN or infinite.
    #[error("LogNormal loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("LogNormal scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> LogNormal<T> {
    /// A log-normal distribution; `loc` must be finite and `scale` positive and finite.
    pub fn new(loc: T, scale: T) -> Result<Self, LogNormalError> {
        if !loc.value().is_finite() {
            return Err(LogNormalError::LocNotFinite { loc: loc.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(LogNormalError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(LogNormal { loc, scale })
    }
}

impl<T: Scalar> Distribution for LogNormal<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "LogNormal";

    fn log_prob(&self, x: &T) -> T {
        if x.value().is_nan() || x.value() <= 0.0 {
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node: with z = (ln x - μ)/σ, ∂/∂x = -(z/σ + 1)/x, ∂/∂μ = z/σ and
        // ∂/∂σ = (z² - 1)/σ.
        let (value_x, scale) = (x.value(), self.scale.value());
        let ln_x = value_x.ln();
        let z = (ln_x - self.loc.value()) / scale;
        let value = z * z * -0.5 - ln_x - scale.ln() - LN_SQRT_2PI;
        T::from_parts(
            value,
            [
                (*x, -(z / scale + 1.0) / value_x),
                (self.loc, z / scale),
                (self.scale, (z * z - 1.0) / scale),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        Some((self.loc.value() + self.scale.value() * z).exp())
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        Some((self.loc + self.scale * z).exp())
    }

    /// `exp(μ + σ²/2)`.
    fn mean(&self) -> Option<T> {
        Some((self.loc + self.scale * self.scale * 0.5).exp())
    }

    /// `(exp(σ²) - 1) exp(2μ + σ²)`, with `exp(σ²) - 1` from `exp_m1` for small `σ`.
    fn variance(&self) -> Option<T> {
        let s2 = self.scale * self.scale;
        // As one exponential, exp(ln(exp(σ²) - 1) + 2μ + σ²), so that an overflowing
        // exp(σ²) - 1 and an underflowing exp(2μ + σ²) do not meet as ∞ · 0; for σ² > 40,
        // ln(exp(σ²) - 1) = σ² to double precision, and for σ < 1e-8 it is 2 ln σ + σ²/2 (σ²
        // may underflow to 0, whose log would meet an overflowing 2μ as -∞ + ∞).
        if s2.value() > 40.0 {
            // exp(2(σ² + μ)), the sum first: 2μ may overflow to -∞ where σ² has to +∞.
            return Some(((s2 + self.loc) * 2.0).exp());
        }
        let ln_factor = if self.scale.value() < 1e-8 {
            self.scale.ln() * 2.0 + s2 * 0.5
        } else {
            s2.exp_m1().ln()
        };
        Some((ln_factor + self.loc * 2.0 + s2).exp())
    }
}

impl<T: Scalar> Samplable for LogNormal<T> {}
impl<T: Scalar> Reparameterized for LogNormal<T> {}

impl<T: Scalar> Family for LogNormal<T> {
    type At<U: Scalar> = LogNormal<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_the_normal_density_of_the_log_with_jacobian() {
        let d = LogNormal::new(0.3, 0.8).unwrap();
        let n = crate::distributions::Normal::new(0.3, 0.8).unwrap();
        let x = 2.5_f64;
        assert!((d.log_prob(&x) - (n.log_prob(&x.ln()) - x.ln())).abs() < 1e-15);
    }
}
