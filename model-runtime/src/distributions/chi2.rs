//! The chi-square distribution.

use rand::Rng;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::distributions::Gamma;
use crate::scalar::Scalar;
use crate::value::Real;

/// The chi-square distribution with `df` degrees of freedom (ν > 0), the gamma distribution with
/// shape `ν/2` and rate `1/2`, with density on `x > 0`
///
/// `p(x) = x^(ν/2 - 1) e^(-x/2) / (2^(ν/2) Γ(ν/2))`
///
/// The log density is [`Gamma`]'s, in Loader's saddle-point form, so it stays accurate for large
/// `ν`.
///
/// Reference: NumPyro `dist.Chi2(df)`; Stan `chi_square(nu)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // Two degrees of freedom: the exponential distribution with rate 1/2.
/// let d = Chi2::new(2.0)?;
/// assert!((d.log_prob(&3.0) - (-1.5 - 2f64.ln())).abs() < 1e-15);
/// assert_eq!((d.mean(), d.variance()), (Some(2.0), Some(4.0)));
/// assert!(Chi2::new(-1.0).is_err());
/// # Ok::<(), Chi2Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chi2<T = f64> {
    df: T,
    gamma: Gamma<T>,
}

/// Why a [`Chi2`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum Chi2Error {
    /// The degrees of freedom are not a positive finite number.
    #[error("Chi2 df must be positive and finite, got {df}")]
    DfNotPositive {
        /// The rejected degrees of freedom.
        df: f64,
    },
    /// The degrees of freedom are the smallest subnormal number, 5e-324, whose half (the gamma
    /// shape) rounds to 0.
    #[error("Chi2 df must be at least 1e-323 so that df/2 is a positive number, got {df}")]
    DfTooSmall {
        /// The rejected degrees of freedom.
        df: f64,
    },
}

impl<T: Scalar> Chi2<T> {
    /// A chi-square distribution; `df` must be positive and finite, and at least 1e-323 (the
    /// gamma shape `df/2` must be a positive double).
    pub fn new(df: T) -> Result<Self, Chi2Error> {
        if !(df.value() > 0.0 && df.value().is_finite()) {
            return Err(Chi2Error::DfNotPositive { df: df.value() });
        }
        // Half of a positive double is positive, except for the smallest subnormal.
        let gamma = Gamma::new(df * 0.5, T::from_f64(0.5))
            .map_err(|_| Chi2Error::DfTooSmall { df: df.value() })?;
        Ok(Chi2 { df, gamma })
    }
}

impl<T: Scalar> Distribution for Chi2<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Chi2";

    fn log_prob(&self, x: &T) -> T {
        self.gamma.log_prob(x)
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        self.gamma.sample(rng)
    }

    fn mean(&self) -> Option<T> {
        Some(self.df)
    }

    fn variance(&self) -> Option<T> {
        Some(self.df * 2.0)
    }
}

impl<T: Scalar> Samplable for Chi2<T> {}

impl<T: Scalar> Family for Chi2<T> {
    type At<U: Scalar> = Chi2<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_formula() {
        let nu = 5.5_f64;
        let d = Chi2::new(nu).unwrap();
        for x in [0.2_f64, 4.0, 30.0] {
            let direct =
                (nu / 2.0 - 1.0) * x.ln() - x / 2.0 - nu / 2.0 * 2f64.ln() - libm::lgamma(nu / 2.0);
            assert!((d.log_prob(&x) - direct).abs() < 1e-14 * direct.abs().max(1.0));
        }
        assert!(Chi2::new(f64::from_bits(1)).is_err());
    }
}
