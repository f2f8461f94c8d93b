//! The truncated normal's normalizer, partial derivatives and moments, each in the form that
//! stays accurate where it is used: around the mode, in the tails and on narrow intervals.

use core::f64::consts::{FRAC_1_SQRT_2, LN_2};

use super::{Bounds, TruncatedNormal};

use crate::scalar::Scalar;

/// The partial derivatives of the log density in the value, the location, the scale and the
/// two bounds (0 for a bound that is absent).
#[derive(Debug, Clone, Copy)]
pub(super) struct Partials {
    pub(super) x: f64,
    pub(super) loc: f64,
    pub(super) scale: f64,
    pub(super) low: f64,
    pub(super) high: f64,
}

impl TruncatedNormal<f64> {
    /// The log density at `x` (`-∞` outside the support), with the
    /// [`normalizer`](Self::normalizer) given.
    pub(super) fn ln_density_with(&self, x: f64, (reference, ln_k): (f64, f64)) -> f64 {
        let inside = x.is_finite()
            && self.low().is_none_or(|low| x >= low)
            && self.high().is_none_or(|high| x <= high);
        if !inside {
            return f64::NEG_INFINITY;
        }
        let c = (reference - self.loc) / self.scale;
        // (z - c)(z + c)/2 = d (d/2 + c) with d = z - c computed from x directly.
        let d = (x - reference) / self.scale;
        if !d.is_finite() {
            // x is further than f64::MAX standard deviations from the bound: density 0.
            return f64::NEG_INFINITY;
        }
        if let Some(tail) = self.overflowing_tail(c, ln_k) {
            // The interval starts so far out that (bound - μ)/σ or the normalizer overflows:
            // the exponential tail form ln λ - λ t - t²/2σ² with λ = (bound - μ)/σ² and
            // t = |x - bound| (see `tail_moments`), ln λ from the two logs.
            let steps = d.abs();
            let ln_rate = tail.ln_distance() - self.scale.ln() * 2.0;
            return if steps == 0.0 {
                ln_rate
            } else {
                ln_rate - steps * (tail.distance / self.scale + steps * 0.5)
            };
        }
        -(d * (d * 0.5 + c)) - self.scale.ln() - ln_k
    }

    /// The tail form's reference when `c` or `ln K` overflows, `None` otherwise.
    pub(super) fn overflowing_tail(&self, c: f64, ln_k: f64) -> Option<Tail> {
        (!(c.is_finite() && ln_k.is_finite())).then(|| self.tail())
    }

    /// The bound nearer the location, its distance from the location and which side it is on,
    /// for an interval that lies on one side of the location.
    pub(super) fn tail(&self) -> Tail {
        let (bound, lower) = match self.bounds {
            Bounds::Lower(low) => (low, true),
            Bounds::Upper(high) => (high, false),
            Bounds::Both(low, high) => {
                if low >= self.loc {
                    (low, true)
                } else {
                    (high, false)
                }
            }
        };
        Tail {
            bound,
            distance: (bound - self.loc).abs(),
            half_distance: (bound * 0.5 - self.loc * 0.5).abs(),
            lower,
        }
    }

    /// The partial derivatives of [`ln_density_with`](Self::ln_density_with) at `x` inside the support,
    /// where it is finite, with the [`normalizer`](Self::normalizer) given.
    ///
    /// With `p` the density, moving a bound moves the normalizer by the density there, so
    /// `∂/∂low = p(low)` and `∂/∂high = -p(high)`; `∂/∂x = -(x - μ)/σ²`. The density is
    /// unchanged when `x`, `μ` and both bounds move together, which gives `∂/∂μ`, and it scales
    /// by `1/k` when their distances from `μ` and `σ` all scale by `k`, which gives `∂/∂σ`
    /// (both exact identities, so no slope is chained through the normalizer).
    ///
    /// Deep in a tail (the interval starting [`DEEP_TAIL`] standard deviations out or more on
    /// one side, with no mass at the far bound) the identities cancel terms of order
    /// `((bound - μ)/σ)²`; there the partials are those of the exponential tail form
    /// `ln λ - λ t - t²/2σ²` of [`ln_density_with`](Self::ln_density_with), which agrees with the exact
    /// log density to about `(σ/(bound - μ))²`.
    pub(super) fn partials(&self, x: f64, normalizer: (f64, f64)) -> Partials {
        let (loc, scale) = (self.loc, self.scale);
        if let (Some(low), Some((span, narrow))) = (self.low(), self.narrow()) {
            return narrow_partials(x, loc, scale, low, span, &narrow);
        }
        // The bounds' density ratios r = σ p, 0 for an absent bound. Each partial below is a
        // standardized quantity divided by σ once: a slope of order 1/σ meeting a density of
        // order 1/σ before their difference is taken overflows for σ near f64::MIN_POSITIVE.
        let ln_scale = scale.ln();
        let ratio = |bound: Option<f64>| {
            bound.map_or(0.0, |b| {
                (self.ln_density_with(b, normalizer) + ln_scale).exp()
            })
        };
        let (r_low, r_high) = (ratio(self.low()), ratio(self.high()));
        let tail = self.tail();
        let (one_sided, far_ratio) = if tail.lower {
            (tail.bound >= loc, r_high)
        } else {
            (tail.bound <= loc, r_low)
        };
        if one_sided && far_ratio == 0.0 && tail.distance / scale >= DEEP_TAIL {
            // In the mirrored coordinates of a lower tail: t = |x - bound|/σ, a = |bound - μ|/σ.
            let sign = if tail.lower { 1.0 } else { -1.0 };
            let a = tail.distance / scale;
            let s = (x - tail.bound).abs() / scale;
            let near = 1.0 / tail.distance + a / scale;
            return Partials {
                x: -sign * (a + s) / scale,
                loc: sign * (s / scale - 1.0 / tail.distance),
                // At the bound (s = 0) the term is 0 even where a overflows.
                scale: (if s == 0.0 { 0.0 } else { s * (2.0 * a + s) } - 2.0) / scale,
                low: if tail.lower { near } else { 0.0 },
                high: if tail.lower { 0.0 } else { -near },
            };
        }
        // Standardized distance times ratio, 0 for an absent bound or one where the density
        // vanishes (an infinite distance times 0 would be NaN).
        let moment = |bound: Option<f64>, r: f64| match bound {
            Some(b) if r != 0.0 => (b - loc) / scale * r,
            _ => 0.0,
        };
        let z = (x - loc) / scale;
        Partials {
            x: -z / scale,
            loc: (z - r_low + r_high) / scale,
            scale: (z * z - 1.0 - moment(self.low(), r_low) + moment(self.high(), r_high)) / scale,
            low: r_low / scale,
            high: -r_high / scale,
        }
    }
}

/// [`TruncatedNormal::partials`] on a narrow interval `[low, low + span]`, from the moments of
/// `v = (y - low)/span`: with `h(y) = -(y - μ)²/2σ²` the log density is `h(x) - ln ∫ exp(h)`,
/// so `∂/∂θ = ∂h(x)/∂θ - E[∂h(y)/∂θ]`, which for `μ` and `σ` are differences of moments
/// (`(x - E y)/σ²` and `((x - μ)² - E (y - μ)²)/σ³`) taken here in standardized units without
/// cancellation; the bounds move the normalizer by the density there, `1/(span k)` at `low`
/// and `e(1)/(span k)` at `high`.
pub(super) fn narrow_partials(
    x: f64,
    loc: f64,
    scale: f64,
    low: f64,
    span: f64,
    narrow: &NarrowInterval<f64>,
) -> Partials {
    let w = span / scale;
    let a = (low - loc) / scale;
    // (x - E y)/σ and (x + E y - 2μ)/σ.
    let below = (x - low) / scale - w * narrow.mean;
    let around = (x - loc) / scale + a + w * narrow.mean;
    let p_low = 1.0 / (span * narrow.integral);
    Partials {
        x: -((x - loc) / scale) / scale,
        loc: below / scale,
        scale: (below * around - w * w * narrow.variance) / scale,
        low: p_low,
        high: -p_low * narrow.end,
    }
}

/// The bound an interval on one side of the location starts at.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tail {
    pub(super) bound: f64,
    /// `|bound - μ|`: `∞` when the difference overflows.
    pub(super) distance: f64,
    /// `|bound - μ|/2`, which never overflows.
    pub(super) half_distance: f64,
    /// Whether the interval lies above the location.
    pub(super) lower: bool,
}

impl Tail {
    /// `ln |bound - μ|`, finite even where the difference overflows.
    pub(super) fn ln_distance(&self) -> f64 {
        self.half_distance.ln() + LN_2
    }
}

/// Whether a standardized interval `[a, a + w]` is narrow enough that the exponent of the
/// density relative to its value at `a`, `-u (a + u/2)` for `u ∈ [0, w]`, stays within ±1/2.
pub(super) fn is_narrow(a: f64, w: f64) -> bool {
    w * (2.0 * a.abs() + w) < 1.0
}

/// How many standard deviations from the location an interval must start for its moments to
/// come from the exponential tail form ([`TruncatedNormal::tail_moments`]), and its partials
/// from the tail form of the log density ([`TruncatedNormal::partials`]).
pub(super) const DEEP_TAIL: f64 = 1e8;

/// How many standard deviations from the location a one-sided truncation must start for its
/// moments to come from their asymptotic series ([`TruncatedNormal::tail_moments`]).
pub(super) const SERIES_TAIL: f64 = 25.0;

/// `ln K` for the standardized interval `[a, b]` with `0 ≤ a < b ≤ ∞`, the finite upper end
/// given with the width `b - a` (computed from the unstandardized bounds):
/// `K = ∫_a^b exp(-(t² - a²)/2) dt = √(π/2) (erfcx(a/√2) - exp(-width (a + b)/2) erfcx(b/√2))`.
/// The caller sends intervals with `width (a + b) ≥ 1` here, where the difference loses at most
/// a factor 3 to cancellation.
pub(super) fn ln_upper_integral<T: Scalar>(a: T, upper: Option<(T, T)>) -> T {
    const LN_SQRT_HALF_PI: f64 = 0.225_791_352_644_727_43;
    let near = (a * FRAC_1_SQRT_2).erfcx();
    let bracket = match upper {
        Some((b, width)) => near - (-(width * (a + b)) * 0.5).exp() * (b * FRAC_1_SQRT_2).erfcx(),
        None => near,
    };
    bracket.ln() + LN_SQRT_HALF_PI
}

/// `ln K` with `K = ∫_0^width exp(-u (2a + u)/2) du`, by 8-point Gauss–Legendre quadrature: for
/// `width (2|a| + width) < 1` the exponent stays within ±1/2, and the rule is exact to about
/// `(1/2)^16 / 16!`.
pub(super) fn ln_integral_by_quadrature<T: Scalar>(a: T, width: T) -> T {
    let half = width * 0.5;
    let integrand = |u: T| (-(u * (a + u * 0.5))).exp();
    let mut sum = T::from_f64(0.0);
    for (node, weight) in GAUSS_LEGENDRE_NODES.iter().zip(GAUSS_LEGENDRE_WEIGHTS) {
        sum += (integrand(half * (1.0 - node)) + integrand(half * (1.0 + node))) * weight;
    }
    (sum * half).ln()
}

/// The positive nodes of the 8-point Gauss–Legendre rule on `[-1, 1]` (the rule is symmetric).
pub(super) const GAUSS_LEGENDRE_NODES: [f64; 4] = [
    0.183_434_642_495_649_8,
    0.525_532_409_916_329,
    0.796_666_477_413_626_7,
    0.960_289_856_497_536_3,
];
/// Their weights.
pub(super) const GAUSS_LEGENDRE_WEIGHTS: [f64; 4] = [
    0.362_683_783_378_362,
    0.313_706_645_877_887_3,
    0.222_381_034_453_374_5,
    0.101_228_536_290_376_3,
];

/// The distribution of `v = (x - low)/(high - low) ∈ [0, 1]` on an interval narrow enough for
/// [`ln_integral_by_quadrature`]: its density is `e(v)/k` with `e(v) = exp(-w v (a + w v/2))`
/// (`a` the standardized lower bound, `w` the standardized width), nearly uniform.
pub(super) struct NarrowInterval<T> {
    /// `k = ∫₀¹ e(v) dv`.
    pub(super) integral: T,
    /// `e(1)`: the density at the upper bound relative to the lower one.
    pub(super) end: T,
    /// The mean and variance of `v`.
    pub(super) mean: T,
    pub(super) variance: T,
}

impl<T: Scalar> NarrowInterval<T> {
    /// By the same 8-point Gauss–Legendre rule as [`ln_integral_by_quadrature`], exact to
    /// about `(1/2)^16 / 16!` relative for `v e(v)` and `v² e(v)` too. Computed in `v`, not in
    /// the standardized or the original units, so nothing overflows or underflows however
    /// small or large the scale is against the interval.
    pub(super) fn new(a: T, w: T) -> Self {
        let e = |v: f64| (-(w * v) * (a + w * (v * 0.5))).exp();
        let zero = T::from_f64(0.0);
        let (mut k, mut k1, mut k2) = (zero, zero, zero);
        for (node, weight) in GAUSS_LEGENDRE_NODES.iter().zip(GAUSS_LEGENDRE_WEIGHTS) {
            for v in [(1.0 - node) * 0.5, (1.0 + node) * 0.5] {
                let term = e(v) * (weight * 0.5);
                k += term;
                k1 += term * v;
                k2 += term * (v * v);
            }
        }
        let mean = k1 / k;
        NarrowInterval {
            integral: k,
            end: e(1.0),
            mean,
            variance: k2 / k - mean * mean,
        }
    }
}
