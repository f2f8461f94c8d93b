//! Special functions for log densities: stable in the tails and accurate to a few ulps where the
//! reference is.
//!
//! The functions on `f64` (module `primitives`, re-exported here) are the primitives behind
//! [`Scalar`]'s methods. The generic ones ([`ln_beta`], [`stirling_remainder`],
//! [`poisson_deviance`], [`ln_1p_square`], [`ln_ndtr`]) are composites written with `Scalar`
//! methods, so they are differentiable wherever the scalar is.

pub(crate) mod primitives;

pub use primitives::*;

use crate::scalar::Scalar;

/// `ln Φ(x)`, the log of the standard normal CDF, accurate in both tails (scipy's `log_ndtr`).
///
/// For `x < -1` it is `-x²/2 + ln(erfcx(-x/√2) / 2)`, finite however far into the lower tail
/// (`ln Φ(-40) ≈ -804.6`, where `Φ` underflows); from `-1` on, `ln(1 - Φ(-x))` by `ln_1p`,
/// accurate in the upper tail where `ln Φ(x) ≈ -Φ(-x)`. Beyond 3, `Φ(-x)` is taken as
/// `e^(-x²/2) erfcx(x/√2) / 2` with `x²` corrected for its rounding: `erfc(x/√2)` would multiply
/// the rounding error of `x/√2` by `x²`. Differentiable wherever the scalar is (through
/// [`Scalar::erfcx`] and [`Scalar::erfc`]).
///
/// # Example
///
/// ```
/// use model_runtime::special::ln_ndtr;
/// assert!((ln_ndtr(0.0_f64) + std::f64::consts::LN_2).abs() < 1e-16);
/// assert!((ln_ndtr(-40.0_f64) + 804.608_442_013_753_8).abs() < 1e-12);
/// assert!((ln_ndtr(8.0_f64) + 6.220_960_574_271_786e-16).abs() < 1e-30);
/// ```
pub fn ln_ndtr<T: Scalar>(x: T) -> T {
    use core::f64::consts::FRAC_1_SQRT_2;
    if x.value() < -1.0 {
        (x * -FRAC_1_SQRT_2).erfcx().ln() - core::f64::consts::LN_2 - x * x * 0.5
    } else if x.value() <= 3.0 {
        ((x * FRAC_1_SQRT_2).erfc() * -0.5).ln_1p()
    } else if x.value() > 40.0 {
        // -Φ(-x) < 1e-349 rounds to zero, as does the derivative φ(x)/Φ(x); x² could overflow.
        T::from_f64(-0.0)
    } else {
        // x² = x·x + lo exactly; the constant factor e^(-lo/2) = 1 - lo/2 corrects the value (its
        // effect on the derivative is of relative size 1e-16).
        let v = x.value();
        let lo = v.mul_add(v, -v * v);
        let upper_tail = (x * x * -0.5).exp() * (x * FRAC_1_SQRT_2).erfcx();
        (upper_tail * (-0.5 * (1.0 - 0.5 * lo))).ln_1p()
    }
}

/// `ln(1 + x²)` without overflow for huge `|x|` (where it is `2 ln|x|` to double precision).
///
/// # Example
///
/// ```
/// use model_runtime::special::ln_1p_square;
/// assert!((ln_1p_square(1e-9_f64) - 1e-18).abs() < 1e-33);
/// assert!((ln_1p_square(1e200_f64) - 400.0 * 10f64.ln()).abs() < 1e-12);
/// ```
pub fn ln_1p_square<T: Scalar>(x: T) -> T {
    // Beyond 1e150, 1/x² < 1e-300 is far below the last bit of 2 ln|x|.
    if x.value().abs() > 1e150 {
        x.abs().ln() * 2.0
    } else {
        (x * x).ln_1p()
    }
}

/// The remainder of Stirling's series, `ln Γ(x) - [(x - ½) ln x - x + ½ ln(2π)]`, for `x > 0`.
///
/// Log densities of the gamma, beta, Student-t and Poisson families subtract large nearly equal
/// logarithms when their parameters are large; writing `ln Γ` as Stirling's leading terms plus
/// this small remainder lets the large terms cancel exactly (Loader 2000, "Fast and accurate
/// computation of binomial probabilities").
///
/// # Example
///
/// ```
/// use model_runtime::special::stirling_remainder;
/// assert!((stirling_remainder(1e6_f64) - 1.0 / 12e6).abs() < 1e-20);
/// ```
pub fn stirling_remainder<T: Scalar>(x: T) -> T {
    if x.value() >= 10.0 {
        // Asymptotic series Σ B_{2k} / (2k (2k-1) x^{2k-1}); at x = 10 the first omitted term is
        // about 3e-17 of the sum's size.
        const COEFFS: [f64; 7] = [
            1.0 / 12.0,
            -1.0 / 360.0,
            1.0 / 1260.0,
            -1.0 / 1680.0,
            1.0 / 1188.0,
            -691.0 / 360_360.0,
            1.0 / 156.0,
        ];
        let inv = T::from_f64(1.0) / x;
        let inv2 = inv * inv;
        let mut sum = T::from_f64(COEFFS[COEFFS.len() - 1]);
        for &c in COEFFS.iter().rev().skip(1) {
            sum = sum * inv2 + c;
        }
        sum * inv
    } else {
        x.ln_gamma() - (x - 0.5) * x.ln() + x - LN_SQRT_2PI
    }
}

/// The deviance term `x ln(x / m) + m - x` (≥ 0), for `x ≥ 0` and `m > 0`.
///
/// Computed with the series in `(x - m) / (x + m)` when `x` and `m` are close, where the direct
/// form cancels (Loader 2000, "Fast and accurate computation of binomial probabilities", `bd0`).
///
/// # Example
///
/// ```
/// use model_runtime::special::poisson_deviance;
/// assert_eq!(poisson_deviance(0.0, 3.0), 3.0);
/// // x ln(x/m) + m - x ≈ (x - m)² / (2m) for x near m
/// let d = poisson_deviance(1e6_f64 + 1.0, 1e6);
/// assert!((d - 0.5e-6).abs() < 1e-12);
/// ```
pub fn poisson_deviance<T: Scalar>(x: T, m: T) -> T {
    let (xv, mv) = (x.value(), m.value());
    if xv == 0.0 {
        return m;
    }
    if mv == f64::INFINITY {
        // m - x ln m grows without bound; the textbook form would be ∞ - ∞.
        return T::from_f64(f64::INFINITY);
    }
    if (xv - mv).abs() < 0.1 * (xv + mv) {
        // x ln(x/m) + m - x = (x - m) v + 2x Σ_{j≥1} v^(2j+1) / (2j+1), v = (x - m) / (x + m).
        let v = (x - m) / (x + m);
        let v2 = v * v;
        let mut sum = (x - m) * v;
        let mut power = x * v * 2.0;
        for j in 1..100 {
            power *= v2;
            let term = power / f64::from(2 * j + 1);
            sum += term;
            if term.value().abs() <= sum.value().abs() * 1e-17 {
                break;
            }
        }
        sum
    } else {
        let ratio = xv / mv;
        if (1e-100..=1e100).contains(&ratio) && (ratio / mv).is_finite() {
            x * (x / m).ln() + m - x
        } else {
            // Far apart (|ln(x/m)| > 230), ln x - ln m loses nothing; it also avoids the
            // overflow of x/m and of the quotient's slope x/m² (a tiny mean), which made the
            // gradient ∞ - ∞.
            x * (x.ln() - m.ln()) + m - x
        }
    }
}

/// `ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b)` for `a, b > 0`, without the cancellation of
/// the three large terms when `a` or `b` is large.
///
/// For arguments of 10 or more, `ln Γ` is split into Stirling's leading terms and
/// [`stirling_remainder`], and the leading terms are combined analytically (the approach of
/// R's `lbeta`, from Loader 2000 and Didonato & Morris 1992).
///
/// # Example
///
/// ```
/// use model_runtime::special::ln_beta;
/// assert!((ln_beta(2.0_f64, 3.0) - (1.0_f64 / 12.0).ln()).abs() < 1e-15);
/// // B(a, 1/2) ≈ sqrt(π / a) for large a
/// let a = 1e8_f64;
/// assert!((ln_beta(a, 0.5) - 0.5 * (std::f64::consts::PI / a).ln()).abs() < 1e-8);
/// ```
pub fn ln_beta<T: Scalar>(a: T, b: T) -> T {
    let (p, q) = if a.value() <= b.value() {
        (a, b)
    } else {
        (b, a)
    };
    let sum = p + q;
    if p.value() >= 10.0 {
        let remainder = stirling_remainder(p) + stirling_remainder(q) - stirling_remainder(sum);
        q.ln() * -0.5
            + LN_SQRT_2PI
            + remainder
            + (p - 0.5) * (p / sum).ln()
            + q * (-(p / sum)).ln_1p()
    } else if q.value() >= 10.0 {
        let remainder = stirling_remainder(q) - stirling_remainder(sum);
        p.ln_gamma() + remainder + p - p * sum.ln() + (q - 0.5) * (-(p / sum)).ln_1p()
    } else {
        p.ln_gamma() + q.ln_gamma() - sum.ln_gamma()
    }
}

#[cfg(test)]
mod tests {
    use super::primitives::ERFCX_ASYMPTOTIC_FROM;
    use super::*;

    #[test]
    fn digamma_difference_matches_high_precision_values() {
        // ψ(x + m) - ψ(x) from mpmath at 40 digits: sums only, the hand-over at 30, the
        // asymptotic form alone, and a tiny x whose 1/x dominates.
        for (x, m, expected) in [
            (20.0, 1, 0.05),
            (19.5, 3, 0.146_574_166_993_906_08),
            (30.0, 1, 1.0 / 30.0),
            (29.5, 3, 0.098_431_222_076_679_15),
            (30.0, 7, 0.212_905_399_207_581_37),
            (31.5, 2, 0.062_515_262_515_262_52),
            (0.3, 40, 7.186_417_435_635_06),
            (4.13, 100, 3.348_476_431_668_067),
            (123.25, 1000, 2.213_383_813_056_918),
            (1e10, 100, 9.999_999_950_500_003e-9),
            (1e-300, 5, 1e300),
        ] {
            let ours = digamma_difference(x, m);
            assert!(
                (ours - expected).abs() <= 4.0 * f64::EPSILON * expected,
                "ψ({x} + {m}) - ψ({x}): {ours} against {expected}"
            );
        }
        assert_eq!(digamma_difference(2.5, 0), 0.0);
    }

    #[test]
    fn wrap_angle_lands_in_the_half_open_interval() {
        use core::f64::consts::{PI, TAU};
        for x in [
            -PI,
            PI,
            3.0 * PI,
            -3.0 * PI,
            0.0,
            7.5,
            -7.0,
            1e6,
            -1e6,
            -1e-300,
            PI.next_down(),
            (-PI).next_down(),
        ] {
            let w = wrap_angle(x);
            assert!((-PI..PI).contains(&w), "{x} -> {w}");
            assert!(
                ((w - x) / TAU - ((w - x) / TAU).round()).abs() < 1e-9,
                "{x} -> {w}"
            );
        }
    }

    #[test]
    fn bessel_functions_are_continuous_at_the_expansion_boundary() {
        for f in [i0e, i1e] {
            let below = f(8.0);
            let above = f(8.0_f64.next_up());
            assert!(
                ((below - above) / below).abs() < 1e-15,
                "{below} vs {above}"
            );
        }
    }

    #[test]
    fn erfcx_and_its_derivative_are_continuous_where_the_asymptotic_series_takes_over() {
        let (below, below_derivative) = erfcx_with_derivative(ERFCX_ASYMPTOTIC_FROM.next_down());
        let (above, above_derivative) = erfcx_with_derivative(ERFCX_ASYMPTOTIC_FROM);
        assert!(
            ((below - above) / above).abs() < 1e-15,
            "{below} vs {above}"
        );
        // Below 12 the derivative is a difference that cancels to about 1e-13 relative.
        assert!(
            ((below_derivative - above_derivative) / above_derivative).abs() < 1e-12,
            "{below_derivative} vs {above_derivative}"
        );
    }

    #[test]
    fn erfcx_of_negative_arguments_uses_the_reflection() {
        for x in [-0.3_f64, -2.0, -10.0] {
            let direct = (x * x).exp() * libm::erfc(x);
            assert!(((erfcx(x) - direct) / direct).abs() < 1e-13, "{x}");
        }
        assert_eq!(erfcx(-30.0), f64::INFINITY);
    }

    #[test]
    fn ln_i0_is_continuous_where_the_series_hands_over() {
        let below = ln_i0(2.0_f64.next_down());
        let above = ln_i0(2.0);
        assert!(
            ((below - above) / above).abs() < 1e-15,
            "{below} vs {above}"
        );
    }

    #[test]
    fn ln_beta_branches_agree() {
        // Compare the Stirling branches with the plain ln Γ sum where that one is accurate.
        for &(a, b) in &[(10.0, 10.0), (10.0, 3.0), (12.5, 40.0), (3.0, 11.0)] {
            let plain = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
            let stable = ln_beta(a, b);
            assert!(
                ((plain - stable) / plain).abs() < 1e-13,
                "{a} {b}: {plain} vs {stable}"
            );
        }
    }

    #[test]
    fn stirling_remainder_is_continuous_at_ten() {
        let below = stirling_remainder(10.0_f64.next_down());
        let above = stirling_remainder(10.0);
        assert!(
            ((below - above) / above).abs() < 1e-13,
            "{below} vs {above}"
        );
    }

    #[test]
    fn poisson_deviance_matches_direct_form_away_from_cancellation() {
        for &(x, m) in &[(5.0_f64, 4.2), (1.0, 1.15), (30.0, 33.0)] {
            let direct = x * (x / m).ln() + m - x;
            let d = poisson_deviance(x, m);
            assert!(
                ((d - direct) / direct).abs() < 1e-12,
                "{x} {m}: {d} vs {direct}"
            );
        }
    }
}
