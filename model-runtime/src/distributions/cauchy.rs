//! The Cauchy distribution.

use core::f64::consts::PI;

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LocScale, PlainValue, Reparameterized, Samplable};
use crate::scalar::Scalar;
use crate::special::ln_1p_square;
use crate::value::Real;

/// The Cauchy distribution with location `loc` (x₀) and scale `scale` (γ > 0):
///
/// `p(x) = 1 / (π γ (1 + ((x - x₀) / γ)²))`
///
/// It has no mean and no variance. Reference: NumPyro `dist.Cauchy(loc, scale)`; Stan
/// `cauchy(mu, sigma)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Cauchy::new(0.0, 1.0)?;
/// assert!((d.log_prob(&1.0) + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// assert_eq!(d.mean(), None);
/// assert!(Cauchy::new(0.0, f64::NAN).is_err());
/// # Ok::<(), CauchyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cauchy<T = f64> {
    loc: T,
    scale: T,
}

/// Why a [`Cauchy`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum CauchyError {
    /// The location is NaN or infinite.
    #[error("Cauchy loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("Cauchy scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> Cauchy<T> {
    /// A Cauchy distribution; `loc` must be finite and `scale` positive and finite.
    pub fn new(loc: T, scale: T) -> Result<Self, CauchyError> {
        if !loc.value().is_finite() {
            return Err(CauchyError::LocNotFinite { loc: loc.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(CauchyError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(Cauchy { loc, scale })
    }
}

impl<T: Scalar> Distribution for Cauchy<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Cauchy";

    fn log_prob(&self, x: &T) -> T {
        if !x.value().is_finite() {
            // NaN and ±∞ lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node: with z = (x - μ)/σ and q = 1/(1 + z²), ∂/∂x = -2zq/σ = -∂/∂μ
        // and ∂/∂σ = (1 - 2q)/σ (written with q so that neither overflows for huge z).
        let scale = self.scale.value();
        let z = (x.value() - self.loc.value()) / scale;
        let q = 1.0 / (1.0 + z * z);
        // z q = z/(1 + z²), which is 1/z once z² overflows (z · q would be ∞ · 0).
        let zq = if z.abs() > 1e150 { 1.0 / z } else { z * q };
        let value = -ln_1p_square(z) - scale.ln() - PI.ln();
        let dx = -2.0 * zq / scale;
        T::from_parts(
            value,
            [
                (*x, dx),
                (self.loc, -dx),
                (self.scale, (1.0 - 2.0 * q) / scale),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Real
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // `None` only for parameters that the constructor rejects.
        let d = rand_distr::Cauchy::new(self.loc.value(), self.scale.value()).ok()?;
        Some(d.sample(rng))
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let z: f64 = rand_distr::Cauchy::new(0.0, 1.0).ok()?.sample(rng);
        Some(self.loc + self.scale * z)
    }
}

impl<T: Scalar> Samplable for Cauchy<T> {}
impl<T: Scalar> Reparameterized for Cauchy<T> {}

impl<T: Scalar> Family for Cauchy<T> {
    type At<U: Scalar> = Cauchy<U>;
}

impl<T: Scalar> LocScale for Cauchy<T> {
    fn loc_scale<U: Scalar>(dist: &Cauchy<U>) -> (U, U) {
        (dist.loc, dist.scale)
    }

    fn with_loc_scale<U: Scalar>(_dist: &Cauchy<U>, loc: U, scale: U) -> Cauchy<U> {
        Cauchy { loc, scale }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_tail_does_not_overflow() {
        let d = Cauchy::new(0.0, 1.0).unwrap();
        let lp = d.log_prob(&1e200);
        assert!((lp - (-400.0 * 10f64.ln() - PI.ln())).abs() < 1e-12, "{lp}");
    }
}
