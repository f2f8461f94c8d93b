//! Branch-free elementary functions of one `f64` lane, written so that a loop over a slice
//! compiles to SIMD instructions: every special case is a select, never a jump, and the only
//! operations are those that vector units have (fused multiply-add, bit operations on the
//! representation, comparisons). Integers are moved in and out of doubles with the
//! `1.5 · 2⁵²` rounding constant instead of conversions, which AVX2 lacks for 64-bit lanes.
//!
//! The algorithms are the classic ones: Cody and Waite's argument reduction with a polynomial
//! for `exp` (Cody & Waite, *Software Manual for the Elementary Functions*, 1980), and for `ln`
//! the reduction to `[√2/2, √2)` with the odd series in `s = f / (2 + f)` of FreeBSD's
//! `e_log.c` (Sun Microsystems, 1993), whose minimax coefficients are used here. Each is
//! tested against libm over wide ranges in `tests` below (errors of at most a few ulp).

/// `1.5 · 2⁵²`: adding it to a double of magnitude below `2⁵¹` rounds to an integer that sits in
/// the low bits of the sum's representation.
const ROUNDER: f64 = 6_755_399_441_055_744.0;
const LOG2_E: f64 = core::f64::consts::LOG2_E;
/// `ln 2` split so that `k · LN2_HI` is exact for `|k| < 2¹¹` (fdlibm's constants, given by
/// their representations).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// `2^k` for an integer `k` in `[-1022, 1023]`, from its representation.
#[inline(always)]
fn pow2(k: i64) -> f64 {
    f64::from_bits((k.wrapping_add(1023) as u64) << 52)
}

/// An integer-valued double of magnitude below `2⁵¹` as an integer, and back.
#[inline(always)]
fn to_int(rounded_plus_rounder: f64) -> i64 {
    (rounded_plus_rounder.to_bits() as i64).wrapping_sub(ROUNDER.to_bits() as i64)
}

#[inline(always)]
fn to_float(k: i64) -> f64 {
    f64::from_bits((ROUNDER.to_bits() as i64).wrapping_add(k) as u64) - ROUNDER
}

/// `eˣ`: within 1 ulp of libm over the whole range, `0` below `-745.2`, `∞` above `709.8`,
/// and NaN for NaN.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Clamp with comparisons so that NaN passes through unchanged.
    let x = if x < -746.0 { -746.0 } else { x };
    let x = if x > 710.0 { 710.0 } else { x };
    // x = k ln 2 + r with |r| ≤ ln 2 / 2.
    let shifted = x.mul_add(LOG2_E, ROUNDER);
    let kf = shifted - ROUNDER;
    let r = kf.mul_add(-LN2_HI, x);
    let r = kf.mul_add(-LN2_LO, r);
    // e^r = 1 + (r + r² q(r)) by its Taylor series to r¹³ (truncation below 2⁻⁵⁵ on
    // |r| ≤ 0.347), Estrin's scheme for q; adding the 1 last keeps the rounding error of the
    // small part out of the result's last place.
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q01 = r.mul_add(1.0 / 6.0, 0.5);
    let q23 = r.mul_add(1.0 / 120.0, 1.0 / 24.0);
    let q45 = r.mul_add(1.0 / 5040.0, 1.0 / 720.0);
    let q67 = r.mul_add(1.0 / 362_880.0, 1.0 / 40_320.0);
    let q89 = r.mul_add(1.0 / 39_916_800.0, 1.0 / 3_628_800.0);
    let q1011 = r.mul_add(1.0 / 6_227_020_800.0, 1.0 / 479_001_600.0);
    let q03 = q23.mul_add(r2, q01);
    let q47 = q67.mul_add(r2, q45);
    let q811 = q1011.mul_add(r2, q89);
    let q07 = q47.mul_add(r4, q03);
    let q = q811.mul_add(r8, q07);
    let p = 1.0 + q.mul_add(r2, r);
    // 2^k in two factors, so that results near overflow and in the subnormal range are right.
    let k = to_int(shifted);
    let half = k >> 1;
    p * pow2(half) * pow2(k.wrapping_sub(half))
}

/// `ln x`: within 1 ulp of libm for every positive `x` (subnormals included), `-∞` at zero,
/// NaN below zero, `∞` at infinity.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    // Subnormals are scaled into the normal range first.
    let subnormal = x < f64::MIN_POSITIVE;
    let scaled = if subnormal {
        x * 18_014_398_509_481_984.0
    } else {
        x
    }; // 2⁵⁴
    let bias = if subnormal { 54 } else { 0 };
    // Split x = 2^k · m with m in [√2/2, √2) (fdlibm's trick: offset the representation so
    // the exponent field rounds at √2).
    // (Negative and NaN inputs give garbage here, replaced at the end: wrapping arithmetic.)
    let bits =
        (scaled.to_bits() as i64).wrapping_add(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd);
    let k = (bits >> 52) - 0x3ff - bias;
    let m = f64::from_bits(((bits & 0x000f_ffff_ffff_ffff) + 0x3fe6_a09e_667f_3bcd) as u64);
    let f = m - 1.0;
    let value = ln_reduced(f, f / (2.0 + f), to_float(k));
    // Special values, as selects.
    let value = if x == 0.0 { f64::NEG_INFINITY } else { value };
    let value = if x == f64::INFINITY { x } else { value };
    if x < 0.0 || x.is_nan() {
        f64::NAN
    } else {
        value
    }
}

/// `k ln 2 + ln(1 + f)` for `1 + f` in `[√2/2, √2)`, given `s = f / (2 + f)`: fdlibm's series
/// `ln(1 + f) = f - f²/2 + s (f²/2 + R(s²))` with its minimax `R`.
#[inline(always)]
fn ln_reduced(f: f64, s: f64, kf: f64) -> f64 {
    let z = s * s;
    let w = z * z;
    let t1 = w * w.mul_add(w.mul_add(LG6, LG4), LG2);
    let t2 = z * w.mul_add(w.mul_add(w.mul_add(LG7, LG5), LG3), LG1);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    let value = s.mul_add(hfsq + r, kf * LN2_LO) - hfsq + f;
    kf.mul_add(LN2_HI, value)
}

/// `ln(1 + x)` and `1 / (1 + x)` for `x` in `[0, 1]` with one division, where [`ln_1p`] and a
/// reciprocal take two: the logistic function and the softplus of one logit, `x = e^-|η|`,
/// need both, and a division (throughput of one per several cycles on 512-bit registers) was
/// the costliest operation of the logit lane. With `u = 1 + x` and `ln`'s reduction
/// `u = 2^k (1 + f)` (`k` is 0 or 1, and `f` exact), `d = 1 / (u (2 + f))` gives
/// `1/u = (2 + f) d` and `s = f / (2 + f) = f u d`, each within a few rounding errors.
#[inline(always)]
pub fn ln_1p_recip(x: f64) -> (f64, f64) {
    let u = 1.0 + x;
    let above = u >= core::f64::consts::SQRT_2;
    // Both exact: `u` lies in [1, 2].
    let f = if above { (u - 2.0) * 0.5 } else { u - 1.0 };
    let den = 2.0 + f;
    let d = 1.0 / (u * den);
    let inv = den * d;
    let ln_u = ln_reduced(f, f * u * d, if above { 1.0 } else { 0.0 });
    // The rounding of `u` added back, as in `ln_1p`.
    (ln_u + (x - (u - 1.0)) * inv, inv)
}

const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);

/// `ln(1 + x)` for `x ≥ -1`, accurate near zero: `u = 1 + x` is rounded, and the rounding
/// error `x - (u - 1)` is added back to first order, `ln(1 + x) ≈ ln u + (x - (u - 1)) / u`
/// (Goldberg, "What every computer scientist should know about floating-point arithmetic",
/// 1991, theorem 4's setting).
#[inline(always)]
pub fn ln_1p(x: f64) -> f64 {
    let u = 1.0 + x;
    let correction = (x - (u - 1.0)) / u;
    let value = ln(u) + correction;
    // At u = 0 and u = ∞ the correction is NaN.
    let value = if x == -1.0 { f64::NEG_INFINITY } else { value };
    if x == f64::INFINITY { x } else { value }
}

/// `ln(1 + eˣ)` (the softplus) without overflow or cancellation: `max(x, 0) + ln(1 + e^-|x|)`.
#[inline(always)]
pub fn ln_1p_exp(x: f64) -> f64 {
    let positive = if x > 0.0 { x } else { 0.0 };
    let value = positive + ln_1p(exp(-x.abs()));
    if x.is_nan() { x } else { value }
}

/// The logistic function `1 / (1 + e^-x)` on both sides without overflow.
#[inline(always)]
pub fn sigmoid(x: f64) -> f64 {
    let e = exp(-x.abs());
    let r = 1.0 / (1.0 + e);
    if x >= 0.0 { r } else { e * r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};

    /// The distance in units in the last place between `a` and the reference `b` (both finite),
    /// measured at `b`'s magnitude.
    fn ulps(a: f64, b: f64) -> f64 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0.0;
        }
        if !a.is_finite() || !b.is_finite() {
            return f64::INFINITY;
        }
        let b_abs = b.abs().max(f64::MIN_POSITIVE * f64::EPSILON);
        let ulp = f64::from_bits(b_abs.to_bits() + 1) - b_abs;
        (a - b).abs() / ulp
    }

    /// The worst error of `f` against `reference` over `n` draws of `x` from `sample`.
    fn worst(
        n: usize,
        seed: u64,
        sample: impl Fn(&mut ChaCha8Rng) -> f64,
        f: impl Fn(f64) -> f64,
        reference: impl Fn(f64) -> f64,
    ) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut worst = (0.0, f64::NAN);
        for _ in 0..n {
            let x = sample(&mut rng);
            let e = ulps(f(x), reference(x));
            if e > worst.0 {
                worst = (e, x);
            }
        }
        worst
    }

    fn uniform(lo: f64, hi: f64) -> impl Fn(&mut ChaCha8Rng) -> f64 {
        move |rng| lo + (hi - lo) * rng.random::<f64>()
    }

    /// Log-uniform magnitudes between `2^lo` and `2^hi`.
    fn log_uniform(lo: f64, hi: f64) -> impl Fn(&mut ChaCha8Rng) -> f64 {
        move |rng| (lo + (hi - lo) * rng.random::<f64>()).exp2()
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm() {
        let (e, x) = worst(1_000_000, 1, uniform(-708.0, 709.7), exp, libm::exp);
        assert!(e <= 1.0, "exp: {e} ulp at {x}");
        let (e, x) = worst(1_000_000, 2, uniform(-1.0, 1.0), exp, libm::exp);
        assert!(e <= 1.0, "exp near zero: {e} ulp at {x}");
        // The subnormal results are rounded twice (polynomial, then scaling): still within 1
        // ulp of the subnormal spacing.
        let (e, x) = worst(100_000, 3, uniform(-745.0, -708.0), exp, libm::exp);
        assert!(e <= 1.0, "exp, subnormal results: {e} ulp at {x}");
    }

    #[test]
    fn exp_special_values() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-746.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(709.8), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(709.78), libm::exp(709.78));
        assert_eq!(exp(-745.13), libm::exp(-745.13));
    }

    #[test]
    fn ln_is_within_one_ulp_of_libm() {
        let (e, x) = worst(1_000_000, 4, log_uniform(-1074.0, 1023.9), ln, libm::log);
        assert!(e <= 1.0, "ln: {e} ulp at {x}");
        let (e, x) = worst(1_000_000, 5, uniform(0.5, 2.0), ln, libm::log);
        assert!(e <= 1.0, "ln near one: {e} ulp at {x}");
    }

    #[test]
    fn ln_1p_recip_is_within_two_ulp_of_libm() {
        for (seed, sample) in [
            (9, uniform(0.0, 1.0)),
            // Near √2 - 1, where the reduction switches.
            (10, uniform(0.40, 0.43)),
        ] {
            let (e, x) = worst(1_000_000, seed, &sample, |x| ln_1p_recip(x).0, libm::log1p);
            assert!(e <= 2.0, "ln_1p_recip's logarithm: {e} ulp at {x}");
            let (e, x) = worst(
                1_000_000,
                seed,
                &sample,
                |x| ln_1p_recip(x).1,
                |x| 1.0 / (1.0 + x),
            );
            assert!(e <= 2.0, "ln_1p_recip's reciprocal: {e} ulp at {x}");
        }
        // Tiny arguments, where `1 + x` rounds to 1.
        let (e, x) = worst(
            100_000,
            11,
            log_uniform(-1074.0, -20.0),
            |x| ln_1p_recip(x).0,
            libm::log1p,
        );
        assert!(e <= 2.0, "ln_1p_recip's logarithm, tiny: {e} ulp at {x}");
        assert_eq!(ln_1p_recip(0.0), (0.0, 1.0));
        assert_eq!(ln_1p_recip(1.0).1, 0.5);
    }

    #[test]
    fn ln_special_values() {
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!(ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::MAX), libm::log(f64::MAX));
        assert_eq!(ln(5e-324), libm::log(5e-324));
    }

    #[test]
    fn ln_1p_is_within_two_ulp_of_libm() {
        let (e, x) = worst(1_000_000, 6, log_uniform(-60.0, 0.0), ln_1p, libm::log1p);
        assert!(e <= 2.0, "ln_1p, small positive: {e} ulp at {x}");
        let (e, x) = worst(
            1_000_000,
            7,
            |r| -log_uniform(-60.0, -1e-9)(r),
            ln_1p,
            libm::log1p,
        );
        assert!(e <= 2.0, "ln_1p, small negative: {e} ulp at {x}");
        let (e, x) = worst(1_000_000, 8, log_uniform(0.0, 1000.0), ln_1p, libm::log1p);
        assert!(e <= 2.0, "ln_1p, large: {e} ulp at {x}");
        assert_eq!(ln_1p(1e-300), 1e-300);
        assert_eq!(ln_1p(-1.0), f64::NEG_INFINITY);
        assert_eq!(ln_1p(f64::INFINITY), f64::INFINITY);
        assert!(ln_1p(-2.0).is_nan());
    }

    #[test]
    fn ln_1p_exp_and_sigmoid_are_within_a_few_ulp() {
        let reference = |x: f64| {
            if x > 0.0 {
                x + libm::log1p(libm::exp(-x))
            } else {
                libm::log1p(libm::exp(x))
            }
        };
        let (e, x) = worst(1_000_000, 9, uniform(-745.0, 745.0), ln_1p_exp, reference);
        // Composites carry the errors of their parts (e^x into ln(1 + ·) scaled by at most
        // 1/2): a few ulp.
        assert!(e <= 4.0, "ln_1p_exp: {e} ulp at {x}");
        let (e, x) = worst(1_000_000, 10, uniform(-40.0, 40.0), ln_1p_exp, reference);
        assert!(e <= 4.0, "ln_1p_exp, central: {e} ulp at {x}");
        assert_eq!(ln_1p_exp(1e300), 1e300);
        assert_eq!(ln_1p_exp(-1e300), 0.0);
        assert!(ln_1p_exp(f64::NAN).is_nan());
        let reference = crate::special::sigmoid;
        let (e, x) = worst(1_000_000, 11, uniform(-745.0, 745.0), sigmoid, reference);
        assert!(e <= 4.0, "sigmoid: {e} ulp at {x}");
    }
}
