//! The logistic distribution.

use core::f64::consts::PI;

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LocScale, PlainValue, Reparameterized, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

/// The logistic distribution with location `loc` (μ) and scale `scale` (s > 0):
///
/// `p(x) = e^(-z) / (s (1 + e^(-z))²)`, with `z = (x - μ) / s`
///
/// The density is even in `z`, so the log density is evaluated as `-|z| - 2 ln(1 + e^(-|z|)) - ln s`,
/// where the exponential never overflows.
///
/// Reference: NumPyro `dist.Logistic(loc, scale)`; Stan `logistic(mu, sigma)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Logistic::new(0.0, 1.0)?;
/// assert!((d.log_prob(&0.0) + 4f64.ln()).abs() < 1e-15);
/// assert_eq!(d.log_prob(&-800.0), -800.0); // e^-800 / (1 + e^-800)² without overflow
/// assert!(Logistic::new(0.0, -1.0).is_err());
/// # Ok::<(), LogisticError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logistic<T = f64> {
    loc: T,
    scale: T,
}

/// Why a [`Logistic`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum LogisticError {
    /// The location is NaN or infinite.
    #[error("Logistic loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("Logistic scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> Logistic<T> {
    /// A logistic distribution; `loc` must be finite and `scale` positive and finite.
    pub fn new(loc: T, scale: T) -> Result<Self, LogisticError> {
        if !loc.value().is_finite() {
            return Err(LogisticError::LocNotFinite { loc: loc.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(LogisticError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(Logistic { loc, scale })
    }
}

impl<T: Scalar> Distribution for Logistic<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Logistic";

    fn log_prob(&self, x: &T) -> T {
        if !x.value().is_finite() {
            // NaN and ±∞ lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        let scale = self.scale.value();
        let z = (x.value() - self.loc.value()) / scale;
        let magnitude = z.abs();
        // One autodiff node with the slope in z, -tanh(z/2): summed from the two terms' slopes
        // it cancels near z = 0.
        let slope = -(z * 0.5).tanh();
        T::from_parts(
            -magnitude - (-magnitude).ln_1p_exp() * 2.0 - scale.ln(),
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
        // Inversion: the logit of a uniform draw on the open interval (0, 1).
        let u: f64 = rand_distr::Open01.sample(rng);
        Some(self.loc.value() + self.scale.value() * (u / (1.0 - u)).ln())
    }

    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<T> {
        let u: f64 = rand_distr::Open01.sample(rng);
        Some(self.loc + self.scale * (u / (1.0 - u)).ln())
    }

    fn mean(&self) -> Option<T> {
        Some(self.loc)
    }

    fn variance(&self) -> Option<T> {
        Some(self.scale * self.scale * (PI * PI / 3.0))
    }
}

impl<T: Scalar> Samplable for Logistic<T> {}
impl<T: Scalar> Reparameterized for Logistic<T> {}

impl<T: Scalar> Family for Logistic<T> {
    type At<U: Scalar> = Logistic<U>;
}

impl<T: Scalar> LocScale for Logistic<T> {
    fn loc_scale<U: Scalar>(dist: &Logistic<U>) -> (U, U) {
        (dist.loc, dist.scale)
    }

    fn with_loc_scale<U: Scalar>(_dist: &Logistic<U>, loc: U, scale: U) -> Logistic<U> {
        Logistic { loc, scale }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_formula() {
        let d = Logistic::new(0.5, 2.0).unwrap();
        for x in [-7.0_f64, 0.5, 3.0, 20.0] {
            let z = (x - 0.5) / 2.0;
            let direct = -z - 2.0 * (-z).exp().ln_1p() - 2f64.ln();
            assert!((d.log_prob(&x) - direct).abs() < 1e-14 * direct.abs().max(1.0));
        }
    }
}
