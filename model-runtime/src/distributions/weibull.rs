//! The Weibull distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

/// The Weibull distribution with `scale` (λ > 0) and shape `concentration` (k > 0), with density
/// on `x ≥ 0`
///
/// `p(x) = (k/λ) (x/λ)^(k-1) exp(-(x/λ)^k)`
///
/// The arguments come in NumPyro's order, scale first. `(x/λ)^k` is taken as `exp(k ln(x/λ))`,
/// and the moments through `ln Γ`, so that large and small shapes neither overflow nor cancel.
///
/// Reference: NumPyro `dist.Weibull(scale, concentration)`; Stan `weibull(alpha, sigma)` (shape
/// first there).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // Shape 1 is the exponential distribution with rate 1/λ.
/// let w = Weibull::new(2.0, 1.0)?;
/// let e = Exponential::new(0.5).unwrap();
/// assert!((w.log_prob(&3.0) - e.log_prob(&3.0)).abs() < 1e-15);
/// assert!(Weibull::new(1.0, 0.0).is_err());
/// # Ok::<(), WeibullError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weibull<T = f64> {
    scale: T,
    concentration: T,
}

/// Why a [`Weibull`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum WeibullError {
    /// The scale is not a positive finite number.
    #[error("Weibull scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
    /// The concentration (shape) is not a positive finite number.
    #[error("Weibull concentration must be positive and finite, got {concentration}")]
    ConcentrationNotPositive {
        /// The rejected concentration.
        concentration: f64,
    },
}

impl<T: Scalar> Weibull<T> {
    /// A Weibull distribution; `scale` and `concentration` must be positive and finite.
    pub fn new(scale: T, concentration: T) -> Result<Self, WeibullError> {
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(WeibullError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        if !(concentration.value() > 0.0 && concentration.value().is_finite()) {
            return Err(WeibullError::ConcentrationNotPositive {
                concentration: concentration.value(),
            });
        }
        Ok(Weibull {
            scale,
            concentration,
        })
    }
}

impl<T: Scalar> Distribution for Weibull<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Weibull";

    fn log_prob(&self, x: &T) -> T {
        let (v, k) = (x.value(), self.concentration);
        if !(v >= 0.0 && v.is_finite()) {
            return T::from_f64(f64::NEG_INFINITY);
        }
        if v == 0.0 {
            // Finite only for k = 1; 0 for k > 1 and unbounded for k < 1.
            return if k.value() == 1.0 {
                -self.scale.ln()
            } else if k.value() < 1.0 {
                T::from_f64(f64::INFINITY)
            } else {
                T::from_f64(f64::NEG_INFINITY)
            };
        }
        let (scale, k) = (self.scale.value(), k.value());
        let z = v / scale;
        // Near z = 1 the quotient keeps the digits of a small ln z; away from it the logs are
        // taken apart, which loses nothing there (and z may overflow).
        let ln_z = if (0.25..=4.0).contains(&z) {
            z.ln()
        } else {
            v.ln() - scale.ln()
        };
        let power = (k * ln_z).exp();
        if power == f64::INFINITY {
            // z^k overflows: the density is e^-∞ (and (k - 1) ln z - z^k would be ∞ - ∞).
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node, the partials with z^k - 1 as expm1(k ln z): summed from the
        // terms' slopes, ∂/∂λ = (-1 - (k - 1) + k z^k)/λ cancels to nothing when z^k is near 1
        // (k = 2e-10 gave 0 or 5.9e284 for 3.4e284).
        let excess = (k * ln_z).exp_m1();
        T::from_parts(
            k.ln() - scale.ln() + (k - 1.0) * ln_z - power,
            [
                (*x, (-1.0 - k * excess) / v),
                (self.scale, k * excess / scale),
                (self.concentration, 1.0 / k - ln_z * excess),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // Unit scale, then multiply; for small shapes a draw can exceed the largest double, and
        // is clamped to it. `None` only for parameters that the constructor rejects.
        let d = rand_distr::Weibull::new(1.0, self.concentration.value()).ok()?;
        let z: f64 = d.sample(rng);
        Some((self.scale.value() * z).min(f64::MAX))
    }

    /// `λ Γ(1 + 1/k)`.
    fn mean(&self) -> Option<T> {
        let inv = T::from_f64(1.0) / self.concentration;
        // As one exponential, so that a tiny scale and an overflowing Γ(1 + 1/k) do not meet
        // as 0 · ∞.
        Some((self.scale.ln() + (inv + 1.0).ln_gamma()).exp())
    }

    /// `λ² (Γ(1 + 2/k) - Γ(1 + 1/k)²)`, evaluated as `λ² Γ(1 + 1/k)² (e^d - 1)` with
    /// `d = ln Γ(1 + 2/k) - 2 ln Γ(1 + 1/k)`, which keeps its accuracy for large `k`.
    fn variance(&self) -> Option<T> {
        // The terms of d linear in 1/k cancel, so both ln Γ must see exactly 1 + ε and 1 + 2ε:
        // ε is taken as (1 + 1/k) - 1, which makes 1 + 2ε exact (a change of k by 1e-16 / ε
        // relative instead of an inconsistency of that size in d, which is O(ε²)).
        if self.concentration.value() > 1e8 {
            // ζ(2) (λ/k)² (1 - (2γ + 2ζ(3)/ζ(2))/k), the series in ε = 1/k (exact to O(ε²)
            // relative, below 1e-16 here): the general form rounds 1 + ε to 1 for k above 1e16
            // and then multiplies 0 by λ² Γ(1 + ε)², which may be ∞.
            const ZETA2: f64 = core::f64::consts::PI * core::f64::consts::PI / 6.0;
            const SLOPE: f64 =
                2.0 * 0.577_215_664_901_532_9 + 2.0 * 1.202_056_903_159_594_2 / ZETA2;
            let spread = self.scale / self.concentration;
            let correction = T::from_f64(1.0) - T::from_f64(SLOPE) / self.concentration;
            return Some(spread * spread * ZETA2 * correction);
        }
        let one_plus = T::from_f64(1.0) / self.concentration + 1.0;
        let inv = one_plus - 1.0;
        let ln_g1 = one_plus.ln_gamma();
        let ln_g2 = (inv * 2.0 + 1.0).ln_gamma();
        if ln_g2.value() == f64::INFINITY {
            // Γ(1 + 2/k) overflows (k below about 1e-305): so does the variance, and
            // ln Γ(1 + 2/k) - 2 ln Γ(1 + 1/k) would be ∞ - ∞.
            return Some(T::from_f64(f64::INFINITY));
        }
        // λ² Γ(1 + ε)² as one exponential (a tiny λ and a huge Γ would make 0 · ∞).
        let factor = (self.scale.ln() * 2.0 + ln_g1 * 2.0).exp();
        Some(factor * (ln_g2 - ln_g1 * 2.0).exp_m1())
    }
}

impl<T: Scalar> Samplable for Weibull<T> {}

impl<T: Scalar> Family for Weibull<T> {
    type At<U: Scalar> = Weibull<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_two_is_the_rayleigh_distribution() {
        let (lambda, x) = (1.5_f64, 0.8_f64);
        let w = Weibull::new(lambda, 2.0).unwrap();
        let rayleigh = (2.0 * x / (lambda * lambda)).ln() - (x / lambda).powi(2);
        assert!((w.log_prob(&x) - rayleigh).abs() < 1e-15);
        assert_eq!(w.log_prob(&0.0), f64::NEG_INFINITY);
        assert_eq!(w.log_prob(&-1.0), f64::NEG_INFINITY);
    }

    #[test]
    fn ratios_beyond_the_double_range_stay_finite() {
        // x/λ = 1e600 and 1e-600: the densities are e^(-1e300) and about 1/(2·1e300·1e-300).
        let over = Weibull::new(1e-300, 0.5).unwrap().log_prob(&1e300);
        assert!((over + 1e300).abs() < 1e288, "{over}");
        let under = Weibull::new(1e300, 0.5).unwrap().log_prob(&1e-300);
        assert!((under - 0.5f64.ln()).abs() < 1e-12, "{under}");
    }

    #[test]
    fn variance_of_a_sharp_weibull_keeps_its_digits() {
        // For large k, with ε = 1/k, the variance is
        // ζ(2) ε² (1 - 2γε - 2ζ(3)ε/ζ(2) + O(ε²)) λ² (from the series of ln Γ(1 + ε)).
        let (zeta2, zeta3, gamma) = (
            core::f64::consts::PI.powi(2) / 6.0,
            1.202_056_903_159_594_2,
            0.577_215_664_901_532_9,
        );
        for k in [1e5_f64, 1e6, 1e7] {
            let e = 1.0 / k;
            let v = Weibull::new(1.0, k).unwrap().variance().unwrap();
            let expected = zeta2 * e * e * (1.0 - 2.0 * gamma * e - 2.0 * zeta3 * e / zeta2);
            assert!(
                ((v - expected) / expected).abs() < 1e-8,
                "{k}: {v} vs {expected}"
            );
        }
    }
}
