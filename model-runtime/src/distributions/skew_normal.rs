//! The skew-normal distribution.

use core::f64::consts::{FRAC_2_PI, LN_2};

use rand::Rng;
use rand_distr::Distribution as _;

use crate::autodiff::Dual;
use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, LocScale, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::ln_ndtr;
use crate::value::Real;

/// Azzalini's skew-normal distribution with location `loc` (ξ), scale `scale` (ω > 0) and
/// `skewness` (α):
///
/// `p(x) = (2/ω) φ(z) Φ(α z)`, with `z = (x - ξ) / ω`
///
/// (`φ` and `Φ` the standard normal density and CDF). `α = 0` is the normal distribution, and
/// `α → ±∞` the half-normal on either side. `ln Φ(αz)` is [`ln_ndtr`], so the log density stays
/// finite and accurate far into the short tail.
///
/// Reference: NumPyro `dist.SkewNormal(loc, scale, skewness)`; Stan
/// `skew_normal(xi, omega, alpha)`; Azzalini 1985, "A class of distributions which includes the
/// normal ones".
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = SkewNormal::new(0.0, 1.0, 3.0)?;
/// let n = Normal::new(0.0, 1.0).unwrap();
/// // At the location Φ(0) = 1/2 cancels the factor 2.
/// assert!((d.log_prob(&0.0) - n.log_prob(&0.0)).abs() < 1e-15);
/// // Forty standard deviations into the short tail, where Φ(-120) ≈ 1e-3131.
/// assert!(d.log_prob(&-40.0).is_finite());
/// assert!(SkewNormal::new(0.0, 1.0, f64::NAN).is_err());
/// # Ok::<(), SkewNormalError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkewNormal<T = f64> {
    loc: T,
    scale: T,
    skewness: T,
}

/// Why a [`SkewNormal`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum SkewNormalError {
    /// The location is NaN or infinite.
    #[error("SkewNormal loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("SkewNormal scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
    /// The skewness is NaN or infinite.
    #[error("SkewNormal skewness must be finite, got {skewness}")]
    SkewnessNotFinite {
        /// The rejected skewness.
        skewness: f64,
    },
}

impl<T: Scalar> SkewNormal<T> {
    /// A skew-normal distribution; `loc` and `skewness` must be finite, `scale` positive and
    /// finite.
    pub fn new(loc: T, scale: T, skewness: T) -> Result<Self, SkewNormalError> {
        if !loc.value().is_finite() {
            return Err(SkewNormalError::LocNotFinite { loc: loc.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(SkewNormalError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        if !skewness.value().is_finite() {
            return Err(SkewNormalError::SkewnessNotFinite {
                skewness: skewness.value(),
            });
        }
        Ok(SkewNormal {
            loc,
            scale,
            skewness,
        })
    }

    /// `δ = α / √(1 + α²)`, written so that `α²` never overflows.
    fn delta(&self) -> T {
        let a = self.skewness;
        if a.value().abs() <= 1.0 {
            a / (a * a + 1.0).sqrt()
        } else {
            let inv = T::from_f64(1.0) / a;
            a.abs() / a / (inv * inv + 1.0).sqrt()
        }
    }
}

impl<T: Scalar> Distribution for SkewNormal<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "SkewNormal";

    fn log_prob(&self, x: &T) -> T {
        if !x.value().is_finite() {
            // NaN and ±∞ lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        let (scale, alpha) = (self.scale.value(), self.skewness.value());
        let z = (x.value() - self.loc.value()) / scale;
        if !z.is_finite() {
            // (x - μ)/σ overflowed: -z²/2 is -∞ and ln Φ(αz) ≤ 0 (α · ∞ would be NaN at α = 0).
            return T::from_f64(f64::NEG_INFINITY);
        }
        // One autodiff node. With w = αz and r = d ln Φ(w)/dw (from one forward-mode pass),
        // ∂/∂x = -z/σ + (α/σ) r = -∂/∂μ, ∂/∂σ = (z² - w r - 1)/σ and ∂/∂α = r z, each grouped
        // so that no intermediate overflows: through a chain of nodes the slope in z, α r, can
        // overflow (α = 3e208, w = -2.5e129) although every partial is finite.
        let w = alpha * z;
        let ln_cdf = ln_ndtr(Dual::<1>::variable(w, 0));
        let r = ln_cdf.tangent()[0];
        let value = z * z * -0.5 + ln_cdf.value() - scale.ln() + (LN_2 - LN_SQRT_2PI);
        // Where ln Φ is flat (r = 0) its terms are 0, even where w or α/σ overflowed to ∞.
        let (mills, wr) = if r == 0.0 {
            (0.0, 0.0)
        } else {
            ((alpha / scale) * r, w * r)
        };
        let dx = -z / scale + mills;
        T::from_parts(
            value,
            [
                (*x, dx),
                (self.loc, -dx),
                (self.scale, (z * z - wr - 1.0) / scale),
                (self.skewness, r * z),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Real
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // δ|U₀| + √(1 - δ²) U₁ for independent standard normals (Azzalini 1985); unlike the
        // max/min form it needs no 1 + α², which overflows for huge α.
        let a = self.skewness.value();
        let hypot = a.hypot(1.0);
        let (delta, complement) = (a / hypot, 1.0 / hypot);
        let u0: f64 = rand_distr::StandardNormal.sample(rng);
        let u1: f64 = rand_distr::StandardNormal.sample(rng);
        let z = delta * u0.abs() + complement * u1;
        Some(self.loc.value() + self.scale.value() * z)
    }

    /// `ξ + ω δ √(2/π)`, with `δ = α / √(1 + α²)`.
    fn mean(&self) -> Option<T> {
        Some(self.loc + self.scale * self.delta() * FRAC_2_PI.sqrt())
    }

    /// `ω² (1 - 2δ²/π)`.
    fn variance(&self) -> Option<T> {
        let delta = self.delta();
        Some(self.scale * self.scale * (-(delta * delta * FRAC_2_PI) + 1.0))
    }
}

impl<T: Scalar> Samplable for SkewNormal<T> {}

impl<T: Scalar> Family for SkewNormal<T> {
    type At<U: Scalar> = SkewNormal<U>;
}

impl<T: Scalar> LocScale for SkewNormal<T> {
    fn loc_scale<U: Scalar>(dist: &SkewNormal<U>) -> (U, U) {
        (dist.loc, dist.scale)
    }

    fn with_loc_scale<U: Scalar>(dist: &SkewNormal<U>, loc: U, scale: U) -> SkewNormal<U> {
        SkewNormal {
            loc,
            scale,
            skewness: dist.skewness,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::{HalfNormal, Normal};

    #[test]
    fn zero_skewness_is_normal_and_huge_skewness_is_half_normal() {
        let s = SkewNormal::new(1.0, 2.0, 0.0).unwrap();
        let n = Normal::new(1.0, 2.0).unwrap();
        for x in [-3.0, 1.0, 4.0] {
            assert!(
                (s.log_prob(&x) - n.log_prob(&x)).abs() < 1e-15,
                "{x}: {} vs {}",
                s.log_prob(&x),
                n.log_prob(&x)
            );
        }
        let s = SkewNormal::new(0.0, 1.5, 1e300).unwrap();
        let h = HalfNormal::new(1.5).unwrap();
        for x in [0.1, 2.0] {
            assert!(
                (s.log_prob(&x) - h.log_prob(&x)).abs() < 1e-15,
                "{x}: {} vs {}",
                s.log_prob(&x),
                h.log_prob(&x)
            );
        }
        assert!((s.mean().unwrap() - h.mean().unwrap()).abs() < 1e-15);
        assert!((s.variance().unwrap() - h.variance().unwrap()).abs() < 1e-15);
    }
}
