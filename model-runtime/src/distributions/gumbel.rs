//! The Gumbel (type I extreme value) distribution.

use core::f64::consts::PI;

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LocScale, PlainValue, Reparameterized, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

/// The Euler–Mascheroni constant γ, the mean of the standard Gumbel distribution.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// The Gumbel distribution (of maxima) with location `loc` (μ) and scale `scale` (β > 0):
///
/// `p(x) = exp(-(z + e^(-z))) / β`, with `z = (x - μ) / β`
///
/// Reference: NumPyro `dist.Gumbel(loc, scale)`; Stan `gumbel(mu, beta)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Gumbel::new(0.0, 1.0)?;
/// assert_eq!(d.log_prob(&0.0), -1.0);
/// assert!((d.mean().unwrap() - 0.577_215_664_901_532_9).abs() < 1e-16);
/// assert!(Gumbel::new(0.0, f64::INFINITY).is_err());
/// # Ok::<(), GumbelError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gumbel<T = f64> {
    loc: T,
    scale: T,
}

/// Why a [`Gumbel`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum GumbelError {
    /// The location is NaN or infinite.
    #[error("Gumbel loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("Gumbel scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> Gumbel<T> {
    /// A Gumbel distribution; `loc` must be finite and `scale` positive and finite.
    pub fn new(loc: T, scale: T) -> Result<Self, GumbelError> {
        if !loc.value().is_finite() {
            return Err(GumbelError::LocNotFinite { loc: loc.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(GumbelError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(Gumbel { loc, scale })
    }
}

impl<T: Scalar> Distribution for Gumbel<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Gumbel";

    fn log_prob(&self, x: &T) -> T {
        if !x.value().is_finite() {
            // NaN and ±∞ lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        let scale = self.scale.value();
        let z = (x.value() - self.loc.value()) / scale;
        if !z.is_finite() {
            // (x - μ)/σ overflowed: the density is e^-∞ on both sides (z + e^-z would be
            // ∞ - ∞ at z = -∞).
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node. The slope in z, e^-z - 1, is expm1(-z): summed from the two
        // terms' slopes it cancels for small z (2% off at z = 3e-15).
        let slope = (-z).exp_m1();
        T::from_parts(
            -(z + (-z).exp()) - scale.ln(),
            [
                (*x, slope / scale),
                (self.loc, -slope / scale),
                (self.scale, (-z * slope - 1.0) / scale),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Real
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // Unit scale, then the affine map. rand_distr's uniform draw on (0, 1] can be exactly 1
        // (probability 2^-53), which maps to +∞; that draw is clamped to the largest double.
        // `None` only for parameters that the constructor rejects.
        let z: f64 = rand_distr::Gumbel::new(0.0, 1.0).ok()?.sample(rng);
        Some((self.loc.value() + self.scale.value() * z).clamp(f64::MIN, f64::MAX))
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let z: f64 = rand_distr::Gumbel::new(0.0, 1.0).ok()?.sample(rng);
        Some(self.loc + self.scale * z.clamp(f64::MIN, f64::MAX))
    }

    fn mean(&self) -> Option<T> {
        Some(self.loc + self.scale * EULER_GAMMA)
    }

    fn variance(&self) -> Option<T> {
        Some(self.scale * self.scale * (PI * PI / 6.0))
    }
}

impl<T: Scalar> Samplable for Gumbel<T> {}
impl<T: Scalar> Reparameterized for Gumbel<T> {}

impl<T: Scalar> Family for Gumbel<T> {
    type At<U: Scalar> = Gumbel<U>;
}

impl<T: Scalar> LocScale for Gumbel<T> {
    fn loc_scale<U: Scalar>(dist: &Gumbel<U>) -> (U, U) {
        (dist.loc, dist.scale)
    }

    fn with_loc_scale<U: Scalar>(_dist: &Gumbel<U>, loc: U, scale: U) -> Gumbel<U> {
        Gumbel { loc, scale }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_left_tail_is_minus_infinity_not_nan() {
        let d = Gumbel::new(0.0, 1.0).unwrap();
        assert_eq!(d.log_prob(&-800.0), f64::NEG_INFINITY);
        assert!((d.log_prob(&700.0) + 700.0).abs() < 1e-12);
    }
}
