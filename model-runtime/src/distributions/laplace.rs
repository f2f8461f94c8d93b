//! The Laplace (double exponential) distribution.

use core::f64::consts::LN_2;

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LocScale, PlainValue, Reparameterized, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

/// The Laplace distribution with location `loc` (μ) and scale `scale` (b > 0):
///
/// `p(x) = exp(-|x - μ| / b) / (2b)`
///
/// Reference: NumPyro `dist.Laplace(loc, scale)`; Stan `double_exponential(mu, sigma)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Laplace::new(1.0, 2.0)?;
/// assert!((d.log_prob(&4.0) - (-1.5 - 4f64.ln())).abs() < 1e-15);
/// assert_eq!(d.variance(), Some(8.0));
/// assert!(Laplace::new(0.0, 0.0).is_err());
/// # Ok::<(), LaplaceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Laplace<T = f64> {
    loc: T,
    scale: T,
}

/// Why a [`Laplace`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum LaplaceError {
    /// The location is NaN or infinite.
    #[error("Laplace loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("Laplace scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> Laplace<T> {
    /// A Laplace distribution; `loc` must be finite and `scale` positive and finite.
    pub fn new(loc: T, scale: T) -> Result<Self, LaplaceError> {
        if !loc.value().is_finite() {
            return Err(LaplaceError::LocNotFinite { loc: loc.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(LaplaceError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(Laplace { loc, scale })
    }
}

impl<T: Scalar> Distribution for Laplace<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Laplace";

    fn log_prob(&self, x: &T) -> T {
        if !x.value().is_finite() {
            // NaN and ±∞ lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node: with d = x - μ, ∂/∂x = -sign(d)/σ = -∂/∂μ and
        // ∂/∂σ = (|d|/σ - 1)/σ; the kink at d = 0 gets slope 0 (a chain through `abs` would
        // multiply that 0 by 1/σ, which is ∞ for the smallest σ).
        let scale = self.scale.value();
        let d = x.value() - self.loc.value();
        let ratio = d.abs() / scale;
        let slope = if d == 0.0 { 0.0 } else { -d.signum() / scale };
        T::from_parts(
            -ratio - scale.ln() - LN_2,
            [
                (*x, slope),
                (self.loc, -slope),
                (self.scale, (ratio - 1.0) / scale),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Real
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // The difference of two independent standard exponentials is standard Laplace.
        let e1: f64 = rand_distr::Exp1.sample(rng);
        let e2: f64 = rand_distr::Exp1.sample(rng);
        Some(self.loc.value() + self.scale.value() * (e1 - e2))
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let e1: f64 = rand_distr::Exp1.sample(rng);
        let e2: f64 = rand_distr::Exp1.sample(rng);
        Some(self.loc + self.scale * (e1 - e2))
    }

    fn mean(&self) -> Option<T> {
        Some(self.loc)
    }

    fn variance(&self) -> Option<T> {
        Some(self.scale * self.scale * 2.0)
    }
}

impl<T: Scalar> Samplable for Laplace<T> {}
impl<T: Scalar> Reparameterized for Laplace<T> {}

impl<T: Scalar> Family for Laplace<T> {
    type At<U: Scalar> = Laplace<U>;
}

impl<T: Scalar> LocScale for Laplace<T> {
    fn loc_scale<U: Scalar>(dist: &Laplace<U>) -> (U, U) {
        (dist.loc, dist.scale)
    }

    fn with_loc_scale<U: Scalar>(_dist: &Laplace<U>, loc: U, scale: U) -> Laplace<U> {
        Laplace { loc, scale }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_symmetric_about_its_location() {
        let d = Laplace::new(-2.0, 0.7).unwrap();
        for t in [0.1, 1.0, 30.0] {
            assert_eq!(d.log_prob(&(-2.0 + t)), d.log_prob(&(-2.0 - t)));
        }
        assert!(Laplace::new(f64::NAN, 1.0).is_err());
        assert!(Laplace::new(0.0, f64::NAN).is_err());
    }
}
