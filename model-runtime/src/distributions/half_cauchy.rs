//! The half-Cauchy distribution.

use core::f64::consts::FRAC_2_PI;

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Reparameterized, Samplable};
use crate::scalar::Scalar;
use crate::special::ln_1p_square;
use crate::value::Real;

/// The half-Cauchy distribution: the absolute value of a centred Cauchy with scale `scale`
/// (γ > 0), with density on `x ≥ 0`
///
/// `p(x) = 2 / (π γ (1 + (x / γ)²))`
///
/// It has no mean and no variance. Reference: NumPyro `dist.HalfCauchy(scale)`; Stan
/// `cauchy(0, sigma)` with `<lower=0>`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = HalfCauchy::new(1.0)?;
/// assert!((d.log_prob(&0.0) - (2.0 / std::f64::consts::PI).ln()).abs() < 1e-15);
/// assert_eq!(d.log_prob(&-0.5), f64::NEG_INFINITY);
/// assert!(HalfCauchy::new(-1.0).is_err());
/// # Ok::<(), HalfCauchyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfCauchy<T = f64> {
    scale: T,
}

/// Why a [`HalfCauchy`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum HalfCauchyError {
    /// The scale is not a positive finite number.
    #[error("HalfCauchy scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> HalfCauchy<T> {
    /// A half-Cauchy distribution; `scale` must be positive and finite.
    pub fn new(scale: T) -> Result<Self, HalfCauchyError> {
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(HalfCauchyError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(HalfCauchy { scale })
    }
}

impl<T: Scalar> Distribution for HalfCauchy<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "HalfCauchy";

    fn log_prob(&self, x: &T) -> T {
        if x.value().is_nan() || x.value() < 0.0 {
            // Negative numbers and NaN lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node: with z = x/σ and q = 1/(1 + z²), ∂/∂x = -2zq/σ and
        // ∂/∂σ = (1 - 2q)/σ (written with q so that neither overflows for huge z).
        let scale = self.scale.value();
        let z = x.value() / scale;
        let q = 1.0 / (1.0 + z * z);
        // z q = z/(1 + z²), which is 1/z once z² overflows (z · q would be ∞ · 0).
        let zq = if z.abs() > 1e150 { 1.0 / z } else { z * q };
        let value = -ln_1p_square(z) - scale.ln() + FRAC_2_PI.ln();
        T::from_parts(
            value,
            [
                (*x, -2.0 * zq / scale),
                (self.scale, (1.0 - 2.0 * q) / scale),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // `None` only for parameters that the constructor rejects.
        let d = rand_distr::Cauchy::new(0.0, self.scale.value()).ok()?;
        let x: f64 = d.sample(rng);
        Some(x.abs())
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let z: f64 = rand_distr::Cauchy::new(0.0, 1.0).ok()?.sample(rng);
        Some(self.scale * z.abs())
    }
}

impl<T: Scalar> Samplable for HalfCauchy<T> {}
impl<T: Scalar> Reparameterized for HalfCauchy<T> {}

impl<T: Scalar> Family for HalfCauchy<T> {
    type At<U: Scalar> = HalfCauchy<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_the_scale() {
        // P(X < γ) = (2/π) atan(1) = 1/2; check the density integrates to that by midpoint sums.
        let d = HalfCauchy::new(3.0).unwrap();
        let n = 100_000;
        let h = 3.0 / n as f64;
        let mass: f64 = (0..n)
            .map(|i| d.log_prob(&((i as f64 + 0.5) * h)).exp() * h)
            .sum();
        assert!((mass - 0.5).abs() < 1e-9, "{mass}");
    }
}
