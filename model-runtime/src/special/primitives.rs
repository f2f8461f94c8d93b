//! The special functions on `f64`: the primitives behind [`Scalar`](crate::scalar::Scalar)'s
//! methods, and nothing that knows about scalars.

/// `ln(2π) / 2`, the normal log normalizer.
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// The angle in `[-π, π)` equal to `x` modulo 2π.
///
/// # Example
///
/// ```
/// use model_runtime::special::wrap_angle;
/// use std::f64::consts::PI;
/// assert!((wrap_angle(3.0 * PI) + PI).abs() < 1e-12);
/// assert_eq!(wrap_angle(0.5), 0.5);
/// assert_eq!(wrap_angle(PI), -PI);
/// ```
pub fn wrap_angle(x: f64) -> f64 {
    use core::f64::consts::{PI, TAU};
    let wrapped = (x + PI).rem_euclid(TAU) - PI;
    // rem_euclid can round up to exactly 2π for tiny negative inputs.
    if wrapped >= PI { -PI } else { wrapped }
}

/// `ln(1 + e^x)` without overflow: `x + ln(1 + e^-x)` for positive `x`.
///
/// # Example
///
/// ```
/// use model_runtime::special::ln_1p_exp;
/// assert_eq!(ln_1p_exp(1000.0), 1000.0);
/// assert!((ln_1p_exp(-40.0) - (-40.0_f64).exp()).abs() < 1e-30);
/// ```
pub fn ln_1p_exp(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// The logistic function `1 / (1 + e^-x)`, evaluated without overflow on either side.
///
/// # Example
///
/// ```
/// use model_runtime::special::sigmoid;
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!(sigmoid(-1000.0), 0.0);
/// ```
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln Γ(x)` (about 1 ulp, from libm).
///
/// # Example
///
/// ```
/// use model_runtime::special::ln_gamma;
/// assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-14);
/// ```
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// The digamma function `ψ(x)`.
///
/// # Example
///
/// ```
/// use model_runtime::special::digamma;
/// // ψ(1) = -γ (Euler–Mascheroni)
/// assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-13);
/// ```
pub fn digamma(x: f64) -> f64 {
    statrs::function::gamma::digamma(x)
}

/// `ψ(x + m) - ψ(x)` for `x > 0` and a whole `m`, without the cancellation of two digammas:
/// the recurrence `ψ(x + 1) = ψ(x) + 1/x` sums `1/(x + j)` until `x + j ≥ 30` (or all `m`
/// terms), and the rest is the difference of the asymptotic expansions
/// `ψ(y) ~ ln y - 1/2y - 1/12y² + 1/120y⁴ - 1/252y⁶ + 1/240y⁸` written as
/// `ln(1 + m/y) + m/(2y(y + m)) + ...`, whose omitted terms are below 2e-17 from `y = 30`
/// on. It is the derivative of `ln Γ(x + m) - ln Γ(x)`, which count likelihoods
/// (beta-binomial, negative binomial) differentiate. `0` for `m = 0`.
///
/// # Example
///
/// ```
/// use model_runtime::special::{digamma, digamma_difference};
/// // 1/2 + 1/3 + 1/4
/// assert!((digamma_difference(2.0, 3) - 13.0 / 12.0).abs() < 1e-15);
/// assert!((digamma_difference(3.5, 200) - (digamma(203.5) - digamma(3.5))).abs() < 1e-12);
/// // Where the two digammas are about 23 and differ by 1e-8 (mpmath: 9.9999999505e-9).
/// assert!((digamma_difference(1e10, 100) / 9.999_999_950_5e-9 - 1.0).abs() < 1e-14);
/// ```
pub fn digamma_difference(x: f64, m: u64) -> f64 {
    /// From here on the asymptotic expansion's omitted terms, `1/132y¹⁰` and beyond, are
    /// below 2e-17.
    const ASYMPTOTIC: f64 = 30.0;
    let mut sum = 0.0;
    let mut y = x;
    let mut left = m;
    while left > 0 && y < ASYMPTOTIC {
        sum += 1.0 / y;
        y += 1.0;
        left -= 1;
    }
    if left == 0 {
        return sum;
    }
    let steps = left as f64;
    let end = y + steps;
    // ψ(y) - ln y + 1/2y, without the two leading terms (their difference is taken exactly).
    let tail = |y: f64| {
        let r = 1.0 / (y * y);
        r * (-1.0 / 12.0 + r * (1.0 / 120.0 + r * (-1.0 / 252.0 + r / 240.0)))
    };
    sum + (steps / y).ln_1p() + steps / (2.0 * y) / end + (tail(end) - tail(y))
}

/// `ln I₀(x)`, finite for every finite `x`: `|x| + ln(i0e(x))`, and for `|x| < 2`, where that
/// sum would cancel, `ln(1 + (I₀(x) - 1))` from the power series.
///
/// # Example
///
/// ```
/// use model_runtime::special::ln_i0;
/// assert_eq!(ln_i0(0.0), 0.0);
/// assert!((ln_i0(1e-10) - 2.5e-21).abs() < 1e-35); // I₀(x) = 1 + x²/4 + ...
/// assert!((ln_i0(1e6) - (1e6 - 0.5 * (2.0 * std::f64::consts::PI * 1e6).ln())).abs() < 1e-6);
/// ```
pub fn ln_i0(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 2.0 {
        // I₀(x) - 1 = Σ_{k≥1} (x²/4)^k / (k!)²; the terms fall below 1e-17 of the sum by k = 13.
        let q = 0.25 * ax * ax;
        let mut term = 1.0;
        let mut sum = 0.0;
        for k in 1..20 {
            let k = f64::from(k);
            term *= q / (k * k);
            sum += term;
            if term <= sum * 1e-17 {
                break;
            }
        }
        sum.ln_1p()
    } else {
        ax + i0e(ax).ln()
    }
}

/// `ln(e^-|x| I₀(x)) = ln i0e(x)`, without the cancellation of `ln_i0(x) - |x|` for large `x`.
///
/// # Example
///
/// ```
/// use model_runtime::special::{i0e, ln_i0e};
/// assert!((ln_i0e(1e6) - i0e(1e6).ln()).abs() < 1e-15);
/// assert_eq!(ln_i0e(0.0), 0.0);
/// ```
pub fn ln_i0e(x: f64) -> f64 {
    if x.abs() < 2.0 {
        ln_i0(x) - x.abs()
    } else {
        i0e(x).ln()
    }
}

/// The trigamma function `ψ₁(x) = d²/dx² ln Γ(x)`: the recurrence `ψ₁(x) = ψ₁(x + 1) + 1/x²`
/// up to `x ≥ 12`, then the asymptotic series `1/x + 1/(2x²) + Σ B₂ₖ / x^(2k+1)` (Abramowitz &
/// Stegun 6.4.12); for negative `x` the reflection `ψ₁(x) = π²/sin²(πx) − ψ₁(1 − x)` (A&S
/// 6.4.7, as Stan's `trigamma`), infinite at the poles `0, −1, −2, ...`.
///
/// # Example
///
/// ```
/// use model_runtime::special::trigamma;
/// // ψ₁(1) = π²/6
/// assert!((trigamma(1.0) - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-14);
/// // ψ₁(−½) = π²/2 + 4 (A&S 6.4.5 and the recurrence)
/// assert!((trigamma(-0.5) - (std::f64::consts::PI.powi(2) / 2.0 + 4.0)).abs() < 1e-12);
/// assert_eq!(trigamma(-2.0), f64::INFINITY);
/// ```
pub fn trigamma(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 && x == x.floor() {
        return f64::INFINITY;
    }
    if x < 0.0 {
        let s = (std::f64::consts::PI * x).sin();
        return std::f64::consts::PI.powi(2) / (s * s) - trigamma(1.0 - x);
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 12.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    // Bernoulli numbers B2..B12; the first omitted term, B14/x^15, is below 1e-16 at x = 12.
    const B: [f64; 6] = [
        1.0 / 6.0,
        -1.0 / 30.0,
        1.0 / 42.0,
        -1.0 / 30.0,
        5.0 / 66.0,
        -691.0 / 2730.0,
    ];
    let series = inv2 * B.iter().rev().fold(0.0, |acc, b| acc * inv2 + b);
    acc + inv + 0.5 * inv2 + inv * series
}

/// The scaled complementary error function `erfcx(x) = e^(x²) erfc(x)`, finite where `erfc`
/// underflows (it falls like `1 / (x √π)` for large `x`).
///
/// `e^(x²) erfc(x)` with `x²` split exactly into `hi + lo` (so the exponential carries no rounding
/// error of `x²`) below 12; the asymptotic series `1/(x√π) Σ (-1)^k (2k-1)!! / (2x²)^k` from 12 on,
/// where 20 terms reach double precision (Abramowitz & Stegun 7.1.23); `2 e^(x²) - erfcx(-x)` for
/// negative `x`. Relative error a few ulps.
///
/// # Example
///
/// ```
/// use model_runtime::special::erfcx;
/// assert_eq!(erfcx(0.0), 1.0);
/// // erfc(30) ≈ 2.6e-393 underflows, but its scaled form does not
/// assert!((erfcx(30.0) - 0.018_795_888_861_416_751).abs() < 1e-17);
/// ```
pub fn erfcx(x: f64) -> f64 {
    erfcx_with_derivative(x).0
}

/// `erfcx(x)` and its derivative `2x erfcx(x) - 2/√π`; for `x ≥ 12` the derivative comes from
/// the asymptotic series with its leading term removed, avoiding that difference's cancellation.
pub(crate) fn erfcx_with_derivative(x: f64) -> (f64, f64) {
    use core::f64::consts::FRAC_2_SQRT_PI;
    const SQRT_PI: f64 = 1.772_453_850_905_516;
    if x.is_nan() {
        return (x, x);
    }
    if x >= ERFCX_ASYMPTOTIC_FROM {
        // x √π erfcx(x) = 1 + Σ_{k≥1} t_k, t_k = t_{k-1} (-(2k-1) / (2x²)). The terms decrease up to
        // k ≈ x² (144 at x = 12); by k = 20 they are below 1e-25 of the sum.
        let inv = 0.5 / (x * x);
        let (mut term, mut tail) = (1.0, 0.0);
        for k in 1..=24 {
            term *= -f64::from(2 * k - 1) * inv;
            tail += term;
            if term.abs() < 1e-17 * tail.abs() {
                break;
            }
        }
        let value = (1.0 + tail) / (x * SQRT_PI);
        return (value, FRAC_2_SQRT_PI * tail);
    }
    let value = if x >= 0.0 {
        exp_square(x) * libm::erfc(x)
    } else {
        2.0 * exp_square(x) - erfcx(-x)
    };
    (value, 2.0 * x * value - FRAC_2_SQRT_PI)
}

/// From here on [`erfcx`] uses its asymptotic series.
pub(super) const ERFCX_ASYMPTOTIC_FROM: f64 = 12.0;

/// `e^(x²)` without the error that rounding `x²` would multiply by `x²`: `x² = hi + lo` exactly
/// (`lo` from a fused multiply-add), and `e^lo = 1 + lo` to double precision.
fn exp_square(x: f64) -> f64 {
    let hi = x * x;
    let lo = x.mul_add(x, -hi);
    hi.exp() * (1.0 + lo)
}

/// The exponentially scaled modified Bessel function of order zero, `e^-|x| I₀(x)`.
///
/// Chebyshev expansions on `[0, 8]` and in `1/x` beyond, as in Cephes `i0e` (S. L. Moshier,
/// *Methods and Programs for Mathematical Functions*, 1989); the coefficients are recomputed by
/// `tests/reference/bessel_chebyshev.py`. Relative error about 1e-16.
///
/// # Example
///
/// ```
/// use model_runtime::special::i0e;
/// assert_eq!(i0e(0.0), 1.0);
/// assert!((i0e(1.0) - 0.465_759_607_593_640_4).abs() < 2e-16);
/// assert_eq!(i0e(-3.0), i0e(3.0));
/// ```
pub fn i0e(x: f64) -> f64 {
    let ax = x.abs();
    if ax <= 8.0 {
        chebyshev(&I0E_SMALL, 0.25 * ax - 1.0)
    } else {
        chebyshev(&I0E_LARGE, 16.0 / ax - 1.0) / ax.sqrt()
    }
}

/// The exponentially scaled modified Bessel function of order one, `e^-|x| I₁(x)` (odd in `x`).
///
/// Chebyshev expansions as for [`i0e`] (Cephes `i1e`). Relative error about 1e-16.
///
/// # Example
///
/// ```
/// use model_runtime::special::i1e;
/// assert_eq!(i1e(0.0), 0.0);
/// assert!((i1e(1.0) - 0.207_910_415_349_708_4).abs() < 2e-16);
/// assert_eq!(i1e(-2.0), -i1e(2.0));
/// ```
pub fn i1e(x: f64) -> f64 {
    let ax = x.abs();
    let magnitude = if ax <= 8.0 {
        chebyshev(&I1E_SMALL, 0.25 * ax - 1.0) * ax
    } else {
        chebyshev(&I1E_LARGE, 16.0 / ax - 1.0) / ax.sqrt()
    };
    if x < 0.0 { -magnitude } else { magnitude }
}

/// Sums a Chebyshev series `c[0] + Σ_{k≥1} c[k] T_k(t)` by Clenshaw's recurrence.
fn chebyshev(coeffs: &[f64], t: f64) -> f64 {
    let (mut b1, mut b2) = (0.0, 0.0);
    for &c in coeffs[1..].iter().rev() {
        let b0 = 2.0 * t * b1 - b2 + c;
        b2 = b1;
        b1 = b0;
    }
    coeffs[0] + t * b1 - b2
}

// Chebyshev coefficients from tests/reference/bessel_chebyshev.py (first term already halved).
/// `e^-x I0(x)` on `[0, 8]` in `t = x / 4 - 1`.
const I0E_SMALL: [f64; 31] = [
    0.33839763720473803,
    -0.3046826723431984,
    0.17162090152220877,
    -0.09490109704804764,
    0.04930528423967071,
    -0.02373741480589947,
    0.010546460394594998,
    -0.004324309995050576,
    0.0016394756169413357,
    -0.0005763755745385824,
    0.00018850288509584165,
    -5.754195010082104e-05,
    1.6448448070728896e-05,
    -4.4167383584587505e-06,
    1.1173875391201037e-06,
    -2.670793853940612e-07,
    6.046995022541919e-08,
    -1.300025009986248e-08,
    2.6598237246823866e-09,
    -5.189795601635263e-10,
    9.675809035373237e-11,
    -1.726826291441556e-11,
    2.95505266312964e-12,
    -4.856446783111929e-13,
    7.676185498604936e-14,
    -1.1685332877993451e-14,
    1.715391285555133e-15,
    -2.431279846547955e-16,
    3.3307945188222384e-17,
    -4.4153416464793395e-18,
    5.669178006921496e-19,
];
/// `sqrt(x) e^-x I0(x)` on `(8, inf)` in `t = 16 / x - 1`.
const I0E_LARGE: [f64; 27] = [
    0.4022452055070544,
    0.0033691164782556943,
    6.889758346916825e-05,
    2.8913705208347567e-06,
    2.0489185894690638e-07,
    2.266668990498178e-08,
    3.3962320257083865e-09,
    4.94060238822497e-10,
    1.1889147107846439e-11,
    -3.1499165279632416e-11,
    -1.3215811840447713e-11,
    -1.7941785315068062e-12,
    7.180124451383666e-13,
    3.8527783827421426e-13,
    1.54008621752141e-14,
    -4.150569347287222e-14,
    -9.554846698828307e-15,
    3.8116806693526224e-15,
    1.7725601330565263e-15,
    -3.425485619677219e-16,
    -2.8276239805165836e-16,
    3.461222867697461e-17,
    4.46562142029676e-17,
    -4.830504485944182e-18,
    -7.233180487874754e-18,
    9.921475412173699e-19,
    1.193650890845982e-18,
];
/// `e^-x I1(x) / x` on `[0, 8]` in `t = x / 4 - 1`.
const I1E_SMALL: [f64; 30] = [
    0.12629359322181682,
    -0.17641651835783406,
    0.1026436586898471,
    -0.05294598120809499,
    0.024726449030626516,
    -0.010564084894626197,
    0.004156422944312888,
    -0.0015135724506312532,
    0.0005122859561685758,
    -0.00016176081582589674,
    4.781565107550054e-05,
    -1.3273163656039436e-05,
    3.4702513081376785e-06,
    -8.568720264695455e-07,
    2.0032947535521353e-07,
    -4.445059128796328e-08,
    9.381537386495773e-09,
    -1.8872497517228294e-09,
    3.625590281552117e-10,
    -6.663489723502027e-11,
    1.1736186298890901e-11,
    -1.9839743977649436e-12,
    3.223793365945575e-13,
    -5.042185504727912e-14,
    7.600684294735408e-15,
    -1.1055969477353862e-15,
    1.5536319577362005e-16,
    -2.111421214358166e-17,
    2.7779141127610464e-18,
    -3.541581772542136e-19,
];
/// `sqrt(x) e^-x I1(x)` on `(8, inf)` in `t = 16 / x - 1`.
const I1E_LARGE: [f64; 27] = [
    0.38928811750914005,
    -0.009761097491361469,
    -0.00011058893876262371,
    -3.882564808877691e-06,
    -2.512236237870209e-07,
    -2.6314688468895196e-08,
    -3.835380385964237e-09,
    -5.589743462196584e-10,
    -1.8974958123505413e-11,
    3.2526035830154884e-11,
    1.4125807436613782e-11,
    2.0356285441470896e-12,
    -7.198551776245908e-13,
    -4.0835511110921974e-13,
    -2.1015418427726643e-14,
    4.272440016711951e-14,
    1.0420276984128802e-14,
    -3.8144030724370075e-15,
    -1.8803547755107825e-15,
    3.3082023109209285e-16,
    2.96262899764595e-16,
    -3.209525921993424e-17,
    -4.6503053684893586e-17,
    4.414348323071708e-18,
    7.517296310842105e-18,
    -9.314178867326884e-19,
    -1.242193275194891e-18,
];
