//! The truncated normal distribution.

use core::f64::consts::{FRAC_1_SQRT_2, LN_2};

use rand::Rng;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

mod density;
mod sampler;

use density::{
    DEEP_TAIL, NarrowInterval, SERIES_TAIL, is_narrow, ln_integral_by_quadrature, ln_upper_integral,
};
use sampler::standard_truncated_normal;

/// The normal distribution with location `loc` (μ) and scale `scale` (σ > 0) restricted to
/// `[low, high]`, `[low, ∞)` or `(-∞, high]`:
///
/// `p(x) = φ((x - μ)/σ) / (σ Z)`, with `Z = Φ(β) - Φ(α)`, `α = (low - μ)/σ`, `β = (high - μ)/σ`
///
/// (`φ` and `Φ` the standard normal density and CDF; `Φ(-∞) = 0`, `Φ(∞) = 1`). Build it with
/// [`TruncatedNormal::new`] (both bounds), [`TruncatedNormal::lower`] or
/// [`TruncatedNormal::upper`].
///
/// The normalizer is never formed as a difference of CDFs, which underflow or cancel in the
/// tails. It is written `Z = φ(c) K` around a reference point `c`: the bound nearer to the mode
/// when the interval lies on one side of it, with `K = ∫ exp(-(t² - c²)/2) dt` over the standardized
/// interval taken from the scaled complementary error function `erfcx`; the mode itself (`c = 0`)
/// when the interval contains it, with `Z` from `erf`; and for intervals so narrow that the
/// `erfcx` difference would cancel, `K` by 8-point Gauss–Legendre quadrature of a smooth
/// integrand. The log density is then `-(z - c)(z + c)/2 - ln σ - ln K`, where the quadratic
/// terms cancel analytically, so a truncation 30 or 10⁶ standard deviations out is as accurate as
/// one at the mode.
///
/// Reference: NumPyro `dist.TruncatedNormal(loc, scale, low=.., high=..)`; Stan
/// `normal(mu, sigma) T[L, U]`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // Truncated at the mode from below: the half-normal shifted to the bound.
/// let d = TruncatedNormal::lower(1.0, 2.0, 1.0)?;
/// let h = HalfNormal::new(2.0).unwrap();
/// assert!((d.log_prob(&4.0) - h.log_prob(&3.0)).abs() < 1e-15);
/// assert_eq!(d.log_prob(&0.5), f64::NEG_INFINITY);
///
/// // 30 standard deviations out, where Φ(-30) ≈ 5e-198: the density is about 30 e^(-30 t).
/// let tail = TruncatedNormal::lower(0.0, 1.0, 30.0)?;
/// assert!((tail.log_prob(&30.0) - 3.402_305_423_138_524).abs() < 1e-14);
///
/// assert!(TruncatedNormal::new(0.0, 1.0, 2.0, 1.0).is_err());
/// # Ok::<(), TruncatedNormalError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruncatedNormal<T = f64> {
    loc: T,
    scale: T,
    bounds: Bounds<T>,
}

/// Which ends are truncated; one of them always is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bounds<T> {
    Lower(T),
    Upper(T),
    Both(T, T),
}

/// Why a [`TruncatedNormal`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum TruncatedNormalError {
    /// The location is NaN or infinite.
    #[error("TruncatedNormal loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("TruncatedNormal scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
    /// The lower bound is NaN or infinite.
    #[error(
        "TruncatedNormal low must be finite, got {low}; without a lower bound use `TruncatedNormal::upper`"
    )]
    LowNotFinite {
        /// The rejected lower bound.
        low: f64,
    },
    /// The upper bound is NaN or infinite.
    #[error(
        "TruncatedNormal high must be finite, got {high}; without an upper bound use `TruncatedNormal::lower`"
    )]
    HighNotFinite {
        /// The rejected upper bound.
        high: f64,
    },
    /// The lower bound is not below the upper bound.
    #[error("TruncatedNormal low must be below high, got low {low} and high {high}")]
    LowNotBelowHigh {
        /// The lower bound.
        low: f64,
        /// The upper bound.
        high: f64,
    },
    /// The interval is so narrow against the scale that its standardized width
    /// `(high - low) / scale` underflows to zero.
    #[error(
        "TruncatedNormal interval from {low} to {high} is too narrow for scale {scale}: (high - low) / scale underflows"
    )]
    IntervalNegligible {
        /// The lower bound.
        low: f64,
        /// The upper bound.
        high: f64,
        /// The scale.
        scale: f64,
    },
}

impl<T: Scalar> TruncatedNormal<T> {
    /// A normal distribution truncated to `[low, high]`; `loc`, `low` and `high` must be finite,
    /// `low < high`, and `scale` positive and finite.
    pub fn new(loc: T, scale: T, low: T, high: T) -> Result<Self, TruncatedNormalError> {
        check_loc_scale(loc, scale)?;
        check_low(low)?;
        check_high(high)?;
        let (lo, hi) = (low.value(), high.value());
        if lo >= hi {
            return Err(TruncatedNormalError::LowNotBelowHigh { low: lo, high: hi });
        }
        if (hi - lo) / scale.value() == 0.0 {
            return Err(TruncatedNormalError::IntervalNegligible {
                low: lo,
                high: hi,
                scale: scale.value(),
            });
        }
        Ok(TruncatedNormal {
            loc,
            scale,
            bounds: Bounds::Both(low, high),
        })
    }

    /// A normal distribution truncated to `[low, ∞)`; `loc` and `low` must be finite, `scale`
    /// positive and finite.
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// let d = TruncatedNormal::lower(0.0, 1.0, 2.0)?;
    /// assert_eq!(d.support(), Support::GreaterThan(2.0));
    /// # Ok::<(), TruncatedNormalError>(())
    /// ```
    pub fn lower(loc: T, scale: T, low: T) -> Result<Self, TruncatedNormalError> {
        check_loc_scale(loc, scale)?;
        check_low(low)?;
        Ok(TruncatedNormal {
            loc,
            scale,
            bounds: Bounds::Lower(low),
        })
    }

    /// A normal distribution truncated to `(-∞, high]`; `loc` and `high` must be finite,
    /// `scale` positive and finite.
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// let d = TruncatedNormal::upper(0.0, 1.0, 0.0)?;
    /// assert_eq!(d.support(), Support::LessThan(0.0));
    /// assert!((d.mean().unwrap() + (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-15);
    /// # Ok::<(), TruncatedNormalError>(())
    /// ```
    pub fn upper(loc: T, scale: T, high: T) -> Result<Self, TruncatedNormalError> {
        check_loc_scale(loc, scale)?;
        check_high(high)?;
        Ok(TruncatedNormal {
            loc,
            scale,
            bounds: Bounds::Upper(high),
        })
    }

    /// The lower bound, if there is one.
    pub fn low(&self) -> Option<T> {
        match self.bounds {
            Bounds::Lower(low) | Bounds::Both(low, _) => Some(low),
            Bounds::Upper(_) => None,
        }
    }

    /// The upper bound, if there is one.
    pub fn high(&self) -> Option<T> {
        match self.bounds {
            Bounds::Upper(high) | Bounds::Both(_, high) => Some(high),
            Bounds::Lower(_) => None,
        }
    }

    /// The normalizer as `(r, ln K)` with `Z = φ(c) K` and `c = (r - μ)/σ`: the reference point
    /// `r` is a bound, or the location when the interval contains it.
    fn normalizer(&self) -> (T, T) {
        let standardize = |bound: T| (bound - self.loc) / self.scale;
        match self.bounds {
            Bounds::Both(low, high) => {
                let (a, b) = (standardize(low), standardize(high));
                let width = (high - low) / self.scale;
                if is_narrow(a.value(), width.value()) {
                    (low, ln_integral_by_quadrature(a, width))
                } else if a.value() >= 0.0 {
                    (low, ln_upper_integral(a, Some((b, width))))
                } else if b.value() <= 0.0 {
                    (high, ln_upper_integral(-b, Some((-a, width))))
                } else {
                    // Z = (erf(β/√2) - erf(α/√2)) / 2, a sum of two positive terms here.
                    let z = ((b * FRAC_1_SQRT_2).erf() - (a * FRAC_1_SQRT_2).erf()) * 0.5;
                    (self.loc, z.ln() + LN_SQRT_2PI)
                }
            }
            Bounds::Lower(low) => {
                let a = standardize(low);
                if a.value() >= 0.0 {
                    (low, ln_upper_integral(a, None))
                } else {
                    let z = (a * FRAC_1_SQRT_2).erfc();
                    (self.loc, z.ln() - LN_2 + LN_SQRT_2PI)
                }
            }
            Bounds::Upper(high) => {
                let b = standardize(high);
                if b.value() <= 0.0 {
                    (high, ln_upper_integral(-b, None))
                } else {
                    let z = (b * -FRAC_1_SQRT_2).erfc();
                    (self.loc, z.ln() - LN_2 + LN_SQRT_2PI)
                }
            }
        }
    }

    /// The interval in the coordinate `v ∈ [0, 1]` when it is narrow against the scale (see
    /// [`is_narrow`]), `None` otherwise.
    fn narrow(&self) -> Option<(T, NarrowInterval<T>)> {
        let Bounds::Both(low, high) = self.bounds else {
            return None;
        };
        let a = (low - self.loc) / self.scale;
        let w = (high - low) / self.scale;
        is_narrow(a.value(), w.value()).then(|| (high - low, NarrowInterval::new(a, w)))
    }

    /// The mean and variance when the interval starts at least [`DEEP_TAIL`] standard
    /// deviations from the location (one-sided truncations: [`SERIES_TAIL`]), `None`
    /// otherwise.
    ///
    /// There the density is `exp(-λ t - t²/2σ²)` in the distance `t` from the near bound, with
    /// rate `λ = (bound - μ)/σ²`, and its mass lies within `1/λ ≤ σ/DEEP_TAIL` of the bound,
    /// where `t²/2σ²` is below 1e-16: the distribution is the exponential of rate `λ`
    /// truncated to the interval's width `w`, with mean `1/λ - w e/(1 - e)` and variance
    /// `1/λ² - w² e/(1 - e)²` (`e = exp(-λw)`). The general formulas cancel there (their terms
    /// are about `(bound - μ)²/σ²`, which also overflows).
    fn tail_moments(&self) -> Option<(T, T)> {
        let loc = self.loc.value();
        let (bound, far, sign) = match self.bounds {
            Bounds::Lower(low) => (low, None, 1.0),
            Bounds::Upper(high) => (high, None, -1.0),
            Bounds::Both(low, high) if low.value() >= loc => (low, Some(high), 1.0),
            Bounds::Both(low, high) if high.value() <= loc => (high, Some(low), -1.0),
            Bounds::Both(..) => return None,
        };
        let distance = (bound - self.loc) * sign;
        let standardized = distance.value() / self.scale.value();
        let threshold = if far.is_none() {
            SERIES_TAIL
        } else {
            DEEP_TAIL
        };
        if standardized.is_nan() || standardized < threshold {
            return None;
        }
        // 1/λ = σ²/(bound - μ), as σ (σ/(bound - μ)) so that σ² cannot underflow first.
        let inverse_rate = self.scale * (self.scale / distance);
        let exponential = (inverse_rate, inverse_rate * inverse_rate);
        let (mean, variance) = match far {
            None => {
                // One-sided, the asymptotic series in t = 1/α² of the mean excess
                // `1/R(α) - α` (times α) and the variance `1 - (1/R(α))(1/R(α) - α)` (times
                // α²), R Mills' ratio, from R(α) α = Σ (-1)ᵏ (2k - 1)!! tᵏ: the general
                // formulas cancel to a relative accuracy of about 5e-16 α⁴ here, and the
                // series' first omitted terms (110410 t⁶ and 1.4e6 t⁶) are below 3e-11
                // relative at α = 25.
                let t = 1.0 / (standardized * standardized);
                let mean_series =
                    1.0 + t * (-2.0 + t * (10.0 + t * (-74.0 + t * (706.0 - 8162.0 * t))));
                let variance_series =
                    1.0 + t * (-6.0 + t * (50.0 + t * (-518.0 + t * (6354.0 - 89782.0 * t))));
                (inverse_rate * mean_series, exponential.1 * variance_series)
            }
            Some(far) => {
                let width = (far - bound) * sign;
                let rate_width = width / inverse_rate;
                if rate_width.value() < 1e-4 {
                    // Nearly uniform over the width: the series of both formulas in λw.
                    let ratio = rate_width.value();
                    (
                        width * (0.5 - ratio / 12.0),
                        width * width * (1.0 / 12.0 - ratio * ratio / 720.0),
                    )
                } else {
                    let e = (-rate_width).exp();
                    if e.value() == 0.0 {
                        // The far bound is beyond the mass (and w² e would be ∞ · 0).
                        exponential
                    } else {
                        let one_minus_e = -(-rate_width).exp_m1();
                        let share = width * e / one_minus_e;
                        (
                            inverse_rate - share,
                            inverse_rate * inverse_rate - share * (width / one_minus_e),
                        )
                    }
                }
            }
        };
        Some((bound + mean * sign, variance))
    }

    /// `φ(t)/Z` at a bound `t`, from the normalizer's reference point.
    fn density_ratio(&self, bound: T, reference: T, ln_k: T) -> T {
        let c = (reference - self.loc) / self.scale;
        let d = (bound - reference) / self.scale;
        (-(d * (d * 0.5 + c)) - ln_k).exp()
    }
}

impl<T: Scalar> TruncatedNormal<T> {
    /// The same distribution on plain values.
    fn plain(&self) -> TruncatedNormal<f64> {
        let bounds = match self.bounds {
            Bounds::Lower(low) => Bounds::Lower(low.value()),
            Bounds::Upper(high) => Bounds::Upper(high.value()),
            Bounds::Both(low, high) => Bounds::Both(low.value(), high.value()),
        };
        TruncatedNormal {
            loc: self.loc.value(),
            scale: self.scale.value(),
            bounds,
        }
    }
}

fn check_loc_scale<T: Scalar>(loc: T, scale: T) -> Result<(), TruncatedNormalError> {
    if !loc.value().is_finite() {
        return Err(TruncatedNormalError::LocNotFinite { loc: loc.value() });
    }
    if !(scale.value() > 0.0 && scale.value().is_finite()) {
        return Err(TruncatedNormalError::ScaleNotPositive {
            scale: scale.value(),
        });
    }
    Ok(())
}

fn check_low<T: Scalar>(low: T) -> Result<(), TruncatedNormalError> {
    if !low.value().is_finite() {
        return Err(TruncatedNormalError::LowNotFinite { low: low.value() });
    }
    Ok(())
}

fn check_high<T: Scalar>(high: T) -> Result<(), TruncatedNormalError> {
    if !high.value().is_finite() {
        return Err(TruncatedNormalError::HighNotFinite { high: high.value() });
    }
    Ok(())
}

impl<T: Scalar> Distribution for TruncatedNormal<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "TruncatedNormal";

    /// One autodiff node with analytic partials (Stan's operands and partials). Chaining the
    /// generic normalizer instead multiplies slopes of `1/σ` by values of order `σ`, which
    /// overflow and underflow to `∞ · 0` when σ is near `f64::MAX` or `f64::MIN_POSITIVE`; see
    /// the private `TruncatedNormal::partials`.
    fn log_prob(&self, x: &T) -> T {
        let plain = self.plain();
        let v = x.value();
        let normalizer = plain.normalizer();
        let value = plain.ln_density_with(v, normalizer);
        if !T::DIFFERENTIABLE || !value.is_finite() {
            return T::from_f64(value);
        }
        let d = plain.partials(v, normalizer);
        let bounds = match self.bounds {
            Bounds::Lower(low) => [Some((low, d.low)), None],
            Bounds::Upper(high) => [Some((high, d.high)), None],
            Bounds::Both(low, high) => [Some((low, d.low)), Some((high, d.high))],
        };
        T::from_parts(
            value,
            [(*x, d.x), (self.loc, d.loc), (self.scale, d.scale)]
                .into_iter()
                .chain(bounds.into_iter().flatten()),
        )
    }

    fn support(&self) -> Support<T> {
        match self.bounds {
            Bounds::Lower(low) => Support::GreaterThan(low),
            Bounds::Upper(high) => Support::LessThan(high),
            Bounds::Both(low, high) => Support::Interval(low, high),
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let (loc, scale) = (self.loc.value(), self.scale.value());
        let low = self.low().map_or(f64::NEG_INFINITY, T::value);
        let high = self.high().map_or(f64::INFINITY, T::value);
        let z = standard_truncated_normal(rng, (low - loc) / scale, (high - loc) / scale);
        // Rounding in the affine map must not leave the interval.
        Some((loc + scale * z).clamp(low, high))
    }

    /// `μ + σ (φ(α) - φ(β)) / Z`; deep in a tail, from the tail forms of the private
    /// `TruncatedNormal::tail_moments`.
    fn mean(&self) -> Option<T> {
        if let (Some(low), Some((span, narrow))) = (self.low(), self.narrow()) {
            return Some(low + span * narrow.mean);
        }
        if let Some((mean, _)) = self.tail_moments() {
            return Some(mean);
        }
        let (reference, ln_k) = self.normalizer();
        let zero = T::from_f64(0.0);
        let ratio_low = self
            .low()
            .map_or(zero, |low| self.density_ratio(low, reference, ln_k));
        let ratio_high = self
            .high()
            .map_or(zero, |high| self.density_ratio(high, reference, ln_k));
        Some(self.loc + self.scale * (ratio_low - ratio_high))
    }

    /// `σ² (1 + (α φ(α) - β φ(β)) / Z - ((φ(α) - φ(β)) / Z)²)`. Deep in a tail the three terms
    /// nearly cancel (to about `1/α²`), so the relative accuracy there is about `1e-16 α⁴`.
    fn variance(&self) -> Option<T> {
        if let Some((span, narrow)) = self.narrow() {
            return Some(span * span * narrow.variance);
        }
        if let Some((_, variance)) = self.tail_moments() {
            return Some(variance);
        }
        let (reference, ln_k) = self.normalizer();
        let zero = T::from_f64(0.0);
        let standardize = |bound: T| (bound - self.loc) / self.scale;
        // A bound where the density vanishes adds nothing, even at an infinite distance
        // (0 · ∞ would be NaN).
        let moment = |r: T, bound: T| {
            if r.value() == 0.0 {
                zero
            } else {
                r * standardize(bound)
            }
        };
        let (ratio_low, moment_low) = self.low().map_or((zero, zero), |low| {
            let r = self.density_ratio(low, reference, ln_k);
            (r, moment(r, low))
        });
        let (ratio_high, moment_high) = self.high().map_or((zero, zero), |high| {
            let r = self.density_ratio(high, reference, ln_k);
            (r, moment(r, high))
        });
        let shift = ratio_low - ratio_high;
        Some(self.scale * self.scale * (moment_low - moment_high - shift * shift + 1.0))
    }
}

impl<T: Scalar> Samplable for TruncatedNormal<T> {}

impl<T: Scalar> Family for TruncatedNormal<T> {
    type At<U: Scalar> = TruncatedNormal<U>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::Normal;

    #[test]
    fn one_sided_tail_moments_match_high_precision_values() {
        // (α, mean - α, variance) of the standard normal truncated to [α, ∞), from mpmath at
        // 60 digits: 1/R(α) - α and 1 + α/R(α) - 1/R(α)², R(α) = Q(α)/φ(α).
        for (alpha, excess, variance) in [
            (10.0, 0.098_093_233_962_511_96, 0.009_445_377_825_656_261),
            (24.9, 0.040_032_126_647_175_153, 0.001_597_475_321_443_275_7),
            (25.0, 0.039_873_012_057_562_583, 0.001_584_841_470_392_889_4),
            (30.0, 0.033_259_667_433_677_04, 0.001_103_771_511_890_091),
            (49.9, 0.020_024_016_001_275_379, 0.000_400_640_319_539_289),
            (50.0, 0.019_984_031_905_639_81, 0.000_399_043_186_803_899_5),
            (60.0, 0.016_657_420_241_124_93, 0.000_277_315_883_414_769_2),
            (1000.0, 0.000_999_998_000_01, 9.999_940_000_499_995e-7),
            (1e5, 9.999_999_998e-6, 9.999_999_994e-11),
        ] {
            for (d, sign) in [
                (TruncatedNormal::lower(0.0, 1.0, alpha).unwrap(), 1.0),
                (TruncatedNormal::upper(0.0, 1.0, -alpha).unwrap(), -1.0),
            ] {
                let mean_error = (sign * d.mean().unwrap() - alpha - excess).abs();
                let variance_error = (d.variance().unwrap() - variance).abs() / variance;
                // The mean is α plus the excess: rounded to α's precision at best.
                let mean_tolerance = 1e-10 * excess + 2.0 * f64::EPSILON * alpha;
                assert!(
                    mean_error <= mean_tolerance,
                    "{alpha}: mean off by {mean_error:e}"
                );
                assert!(
                    variance_error <= 3e-10,
                    "{alpha}: variance off by {variance_error:e}"
                );
            }
        }
    }

    #[test]
    fn wide_truncation_approaches_the_normal() {
        let t = TruncatedNormal::new(1.0, 2.0, -100.0, 100.0).unwrap();
        let n = Normal::new(1.0, 2.0).unwrap();
        for x in [-3.0, 1.0, 7.5] {
            assert!((t.log_prob(&x) - n.log_prob(&x)).abs() < 1e-15);
        }
        assert!((t.mean().unwrap() - 1.0).abs() < 1e-15);
        assert!((t.variance().unwrap() - 4.0).abs() < 1e-14);
    }

    #[test]
    fn quadrature_and_erfcx_forms_agree_where_they_hand_over() {
        // width (2a + width) = 1 separates the two forms of the normalizer for 0 ≤ a.
        for a in [0.0_f64, 0.3, 2.0, 40.0] {
            let width = -a + (a * a + 1.0).sqrt();
            let by_quadrature = ln_integral_by_quadrature(a, width);
            let by_erfcx = ln_upper_integral(a, Some((a + width, width)));
            assert!(
                (by_quadrature - by_erfcx).abs() < 2e-15 * by_erfcx.abs().max(1.0),
                "{a}: {by_quadrature} vs {by_erfcx}"
            );
        }
    }

    #[test]
    fn the_mirror_image_has_the_mirror_density() {
        let upper = TruncatedNormal::lower(0.5, 1.5, 40.0).unwrap();
        let lower = TruncatedNormal::upper(-0.5, 1.5, -40.0).unwrap();
        for t in [40.0, 40.1, 45.0] {
            assert_eq!(upper.log_prob(&t), lower.log_prob(&-t));
        }
        let both = TruncatedNormal::new(0.0, 1.0, -3.0, -2.0).unwrap();
        let mirror = TruncatedNormal::new(0.0, 1.0, 2.0, 3.0).unwrap();
        assert!((both.log_prob(&-2.5) - mirror.log_prob(&2.5)).abs() < 1e-15);
        assert!((both.mean().unwrap() + mirror.mean().unwrap()).abs() < 1e-15);
    }

    #[test]
    fn rejects_empty_and_negligible_intervals() {
        assert!(matches!(
            TruncatedNormal::new(0.0, 1.0, 1.0, 1.0),
            Err(TruncatedNormalError::LowNotBelowHigh { .. })
        ));
        assert!(matches!(
            TruncatedNormal::new(0.0, 1e300, 0.0, 1e-300),
            Err(TruncatedNormalError::IntervalNegligible { .. })
        ));
        assert!(matches!(
            TruncatedNormal::lower(0.0, 1.0, f64::NEG_INFINITY),
            Err(TruncatedNormalError::LowNotFinite { .. })
        ));
    }
}
