//! The Pareto distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

/// The Pareto (type I) distribution with minimum `scale` (x_m > 0) and tail index `alpha`
/// (α > 0), with density on `x ≥ x_m`
///
/// `p(x) = α x_m^α / x^(α+1)`
///
/// The log density is evaluated as `ln α - ln x - α ln(x / x_m)`, with `ln(x / x_m)` as
/// `ln_1p((x - x_m) / x_m)` near the minimum, so that the large terms `α ln x_m` and
/// `(α + 1) ln x` never cancel.
///
/// Reference: NumPyro `dist.Pareto(scale, alpha)`; Stan `pareto(y_min, alpha)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Pareto::new(1.0, 3.0)?;
/// assert!((d.log_prob(&2.0) - (3f64.ln() - 4.0 * 2f64.ln())).abs() < 1e-15);
/// assert_eq!(d.log_prob(&0.5), f64::NEG_INFINITY);
/// assert_eq!(d.mean(), Some(1.5));
/// assert!(Pareto::new(0.0, 3.0).is_err());
/// # Ok::<(), ParetoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pareto<T = f64> {
    scale: T,
    alpha: T,
}

/// Why a [`Pareto`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ParetoError {
    /// The scale (minimum) is not a positive finite number.
    #[error("Pareto scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
    /// The tail index is not a positive finite number.
    #[error("Pareto alpha must be positive and finite, got {alpha}")]
    AlphaNotPositive {
        /// The rejected tail index.
        alpha: f64,
    },
}

impl<T: Scalar> Pareto<T> {
    /// A Pareto distribution; `scale` and `alpha` must be positive and finite.
    pub fn new(scale: T, alpha: T) -> Result<Self, ParetoError> {
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(ParetoError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        if !(alpha.value() > 0.0 && alpha.value().is_finite()) {
            return Err(ParetoError::AlphaNotPositive {
                alpha: alpha.value(),
            });
        }
        Ok(Pareto { scale, alpha })
    }
}

impl<T: Scalar> Distribution for Pareto<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Pareto";

    fn log_prob(&self, x: &T) -> T {
        let (v, minimum) = (x.value(), self.scale.value());
        if !(v >= minimum && v.is_finite()) {
            return T::from_f64(f64::NEG_INFINITY);
        }
        // Below 2 x_m the difference x - x_m is exact (Sterbenz), so ln_1p keeps every digit of a
        // small log ratio; above, the rounding of x / x_m costs at most one ulp of a log ≥ ln 2.
        let log_ratio = if v < 2.0 * minimum {
            ((v - minimum) / minimum).ln_1p()
        } else if (v / minimum).is_finite() {
            (v / minimum).ln()
        } else {
            v.ln() - minimum.ln()
        };
        let alpha = self.alpha.value();
        // One autodiff node with the analytic partials: through x/x_m the slope in x_m,
        // -x/x_m², overflows for a large draw and a small scale.
        T::from_parts(
            alpha.ln() - v.ln() - alpha * log_ratio,
            [
                (*x, -(1.0 + alpha) / v),
                (self.scale, alpha / minimum),
                (self.alpha, 1.0 / alpha - log_ratio),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::GreaterThan(self.scale)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // Unit scale, then multiply; for small α a draw can exceed the largest double, and is
        // clamped to it. `None` only for parameters that the constructor rejects.
        let d = rand_distr::Pareto::new(1.0, self.alpha.value()).ok()?;
        let z: f64 = d.sample(rng);
        Some((self.scale.value() * z).min(f64::MAX))
    }

    /// `α x_m / (α - 1)` for `α > 1`; `+∞` otherwise (as in NumPyro).
    fn mean(&self) -> Option<T> {
        Some(if self.alpha.value() > 1.0 {
            // α/(α - 1) first: α x_m could overflow for large α.
            self.scale * (self.alpha / (self.alpha - 1.0))
        } else {
            T::from_f64(f64::INFINITY)
        })
    }

    /// `x_m² α / ((α - 1)² (α - 2))` for `α > 2`; `+∞` otherwise (as in NumPyro).
    fn variance(&self) -> Option<T> {
        Some(if self.alpha.value() > 2.0 {
            let a1 = self.alpha - 1.0;
            // Grouped as (x_m/(α - 1))² α/(α - 2) so that no intermediate overflows (x_m² α and
            // (α - 1)² would make ∞/∞ for large x_m and α).
            let ratio = self.scale / a1;
            ratio * ratio * (self.alpha / (self.alpha - 2.0))
        } else {
            T::from_f64(f64::INFINITY)
        })
    }
}

impl<T: Scalar> Samplable for Pareto<T> {}

impl<T: Scalar> Family for Pareto<T> {
    type At<U: Scalar> = Pareto<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_has_the_largest_density_and_both_log_ratio_forms_agree() {
        let d = Pareto::new(2.0, 1.5).unwrap();
        assert!((d.log_prob(&2.0) - (0.75f64).ln()).abs() < 1e-15);
        let below = d.log_prob(&4.0_f64.next_down());
        let at = d.log_prob(&4.0);
        assert!((below - at).abs() < 1e-14);
        assert_eq!(d.log_prob(&2.0_f64.next_down()), f64::NEG_INFINITY);
        // x / x_m = 1e600 overflows; ln α - ln x - α ln(x / x_m) does not.
        let far = Pareto::new(1e-300, 2.0).unwrap().log_prob(&1e300);
        let expected = 2f64.ln() - 1e300_f64.ln() - 2.0 * 600.0 * 10f64.ln();
        assert!((far - expected).abs() < 1e-12 * expected.abs(), "{far}");
    }
}
