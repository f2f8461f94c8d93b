//! The half-normal distribution.

use core::f64::consts::{LN_2, PI};

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{
    Distribution, Family, LN_SQRT_2PI, PlainValue, Reparameterized, Samplable,
};
use crate::scalar::Scalar;
use crate::value::Real;

/// The half-normal distribution: the absolute value of a centred normal with scale `scale`
/// (σ > 0), with density on `x ≥ 0`
///
/// `p(x) = 2 exp(-x² / (2σ²)) / (σ √(2π))`
///
/// Reference: NumPyro `dist.HalfNormal(scale)`; Stan `normal(0, sigma)` with `<lower=0>`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = HalfNormal::new(1.0)?;
/// assert!((d.log_prob(&0.0) - (2.0 / std::f64::consts::PI).sqrt().ln()).abs() < 1e-15);
/// assert_eq!(d.log_prob(&-1.0), f64::NEG_INFINITY);
/// assert!(HalfNormal::new(0.0).is_err());
/// # Ok::<(), HalfNormalError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfNormal<T = f64> {
    scale: T,
}

/// Why a [`HalfNormal`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum HalfNormalError {
    /// The scale is not a positive finite number.
    #[error("HalfNormal scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> HalfNormal<T> {
    /// A half-normal distribution; `scale` must be positive and finite.
    pub fn new(scale: T) -> Result<Self, HalfNormalError> {
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(HalfNormalError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(HalfNormal { scale })
    }
}

impl<T: Scalar> Distribution for HalfNormal<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "HalfNormal";

    fn log_prob(&self, x: &T) -> T {
        if x.value().is_nan() || x.value() < 0.0 {
            // Negative numbers and NaN lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node: with z = x/σ, ∂/∂x = -z/σ and ∂/∂σ = (z² - 1)/σ.
        let scale = self.scale.value();
        let z = x.value() / scale;
        let value = z * z * -0.5 - scale.ln() + (LN_2 - LN_SQRT_2PI);
        T::from_parts(
            value,
            [(*x, -z / scale), (self.scale, (z * z - 1.0) / scale)].into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        Some(self.scale.value() * z.abs())
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        Some(self.scale * z.abs())
    }

    fn mean(&self) -> Option<T> {
        Some(self.scale * (2.0 / PI).sqrt())
    }

    fn variance(&self) -> Option<T> {
        Some(self.scale * self.scale * (1.0 - 2.0 / PI))
    }
}

impl<T: Scalar> Samplable for HalfNormal<T> {}
impl<T: Scalar> Reparameterized for HalfNormal<T> {}

impl<T: Scalar> Family for HalfNormal<T> {
    type At<U: Scalar> = HalfNormal<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_is_twice_the_normal_on_the_positive_half() {
        let d = HalfNormal::new(2.0).unwrap();
        let normal = crate::distributions::Normal::new(0.0, 2.0).unwrap();
        assert!((d.log_prob(&1.5) - normal.log_prob(&1.5) - LN_2).abs() < 1e-15);
    }
}
