//! The normal distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{
    Distribution, Family, LN_SQRT_2PI, LocScale, PlainValue, Reparameterized, Samplable,
};
use crate::scalar::Scalar;
use crate::value::Real;

/// The normal (Gaussian) distribution with location `loc` (μ) and scale `scale` (σ > 0):
///
/// `p(x) = exp(-(x - μ)² / (2σ²)) / (σ √(2π))`
///
/// Reference: NumPyro `dist.Normal(loc, scale)`; Stan `normal(mu, sigma)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Normal::new(0.0, 1.0)?;
/// assert!((d.log_prob(&0.0) + 0.918_938_533_204_672_8).abs() < 1e-15);
/// assert!(Normal::new(0.0, -1.0).is_err());
/// # Ok::<(), NormalError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normal<T = f64> {
    loc: T,
    scale: T,
}

/// Why a [`Normal`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum NormalError {
    /// The location is NaN or infinite.
    #[error("Normal loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("Normal scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> Normal<T> {
    /// A normal distribution; `loc` must be finite and `scale` positive and finite.
    pub fn new(loc: T, scale: T) -> Result<Self, NormalError> {
        if !loc.value().is_finite() {
            return Err(NormalError::LocNotFinite { loc: loc.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(NormalError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(Normal { loc, scale })
    }
}

impl<T: Scalar> Distribution for Normal<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Normal";

    fn log_prob(&self, x: &T) -> T {
        if !x.value().is_finite() {
            // NaN and ±∞ lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node with the three analytic partials (Stan's operands and partials)
        // instead of six: with z = (x - μ)/σ, ∂/∂x = -z/σ, ∂/∂μ = z/σ, ∂/∂σ = (z² - 1)/σ.
        let scale = self.scale.value();
        let z = (x.value() - self.loc.value()) / scale;
        let value = z * z * -0.5 - scale.ln() - LN_SQRT_2PI;
        let dx = -z / scale;
        T::from_parts(
            value,
            [
                (*x, dx),
                (self.loc, -dx),
                (self.scale, (z * z - 1.0) / scale),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Real
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        Some(self.loc.value() + self.scale.value() * z)
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        Some(self.loc + self.scale * z)
    }

    fn mean(&self) -> Option<T> {
        Some(self.loc)
    }

    fn variance(&self) -> Option<T> {
        Some(self.scale * self.scale)
    }
}

impl<T: Scalar> Samplable for Normal<T> {}
impl<T: Scalar> Reparameterized for Normal<T> {}

impl<T: Scalar> Family for Normal<T> {
    type At<U: Scalar> = Normal<U>;
}

impl<T: Scalar> LocScale for Normal<T> {
    fn loc_scale<U: Scalar>(dist: &Normal<U>) -> (U, U) {
        (dist.loc, dist.scale)
    }

    fn with_loc_scale<U: Scalar>(_dist: &Normal<U>, loc: U, scale: U) -> Normal<U> {
        Normal { loc, scale }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_parameters_including_nan() {
        assert!(Normal::new(f64::NAN, 1.0).is_err());
        assert!(Normal::new(0.0, f64::NAN).is_err());
        assert!(Normal::new(0.0, 0.0).is_err());
        assert!(Normal::new(0.0, f64::INFINITY).is_err());
    }
}
