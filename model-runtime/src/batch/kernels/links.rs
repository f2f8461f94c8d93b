//! One element's log density and its partial derivatives as a function of its linear
//! predictor `η`, for the three GLM families with a kernel: Normal with the identity link,
//! Bernoulli with the logit link, Poisson with the log link. These lanes are the loop bodies
//! shared by the elementwise kernels, the fused GLM loop and the row pass, so that the three
//! loop shapes compute each density with the same formula.

use crate::distributions::Poisson;
use crate::vector_math::lanes;

/// `ln √(2π)`.
pub(super) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// One row's terms, for the GLM loop: its partials in `η` and in its value, and its share of
/// the sum that [`GlmLane::finish`] turns into the statement's log density and its partial in
/// the broadcast parameter.
#[derive(Clone, Copy)]
pub(super) struct Terms {
    /// The row's share of the sum: its log density, unless the lane's `finish` says otherwise.
    pub(super) lp: f64,
    pub(super) d_eta: f64,
    pub(super) d_x: f64,
}

/// A family's density as a function of the linear predictor `η` and the row's value.
pub(super) trait GlmLane: Copy {
    fn terms(self, eta: f64, x: f64) -> Terms;

    /// The statement's log density and its partial in the broadcast parameter (0 for a family
    /// without one), from the sum of `n` rows' [`Terms::lp`]; a NaN log density where a row was
    /// invalid (the general path then names it).
    #[inline(always)]
    fn finish(self, lp: f64, n: usize) -> (f64, f64) {
        let _ = n;
        (lp, 0.0)
    }
}

/// Bernoulli with logits `η`.
#[derive(Clone, Copy)]
pub(super) struct LogitLane;

impl GlmLane for LogitLane {
    #[inline(always)]
    fn terms(self, eta: f64, y: f64) -> Terms {
        let (lp, d_eta) = bernoulli_logit_lane(eta, y);
        Terms {
            lp,
            d_eta,
            d_x: 0.0,
        }
    }
}

/// Normal with mean `η` and a broadcast scale (its reciprocal and the constant
/// `-ln σ - ln √(2π)` precomputed).
#[derive(Debug, Clone, Copy)]
pub(super) struct IdentityLane {
    pub(super) inv: f64,
    pub(super) constant: f64,
}

/// A row contributes only `z²`, with `z = (x - η) / σ`: the log density `n c - ½ Σ z²` and
/// its partial in `σ`, `(Σ z² - n) / σ`, follow from the sum (the sufficient statistic, as in
/// Stan's `normal_id_glm`), so a row costs one multiply-add where its own log density and
/// partial in `σ` cost three more operations and a check.
impl GlmLane for IdentityLane {
    #[inline(always)]
    fn terms(self, eta: f64, x: f64) -> Terms {
        let z = (x - eta) * self.inv;
        let d = z * self.inv;
        Terms {
            lp: z * z,
            d_eta: d,
            d_x: -d,
        }
    }

    /// A row whose `η` is not finite makes `Σ z²` infinite or NaN: the statement is then
    /// invalid, not of density zero.
    #[inline(always)]
    fn finish(self, squares: f64, n: usize) -> (f64, f64) {
        if !squares.is_finite() {
            return (f64::NAN, f64::NAN);
        }
        let n = n as f64;
        (n * self.constant - 0.5 * squares, (squares - n) * self.inv)
    }
}

/// One row of Bernoulli-logit: the log density and its derivative in `η` (see
/// [`bernoulli_logit`](super::bernoulli_logit)).
#[inline(always)]
fn bernoulli_logit_lane(eta: f64, y: f64) -> (f64, f64) {
    let e = lanes::exp(-eta.abs());
    // ln(1 + e) and 1 / (1 + e) with one division.
    let (ln_1p_e, inv) = lanes::ln_1p_recip(e);
    let t = if y > 0.5 { eta } else { -eta };
    let negative_part = if t < 0.0 { -t } else { 0.0 };
    let value = -(negative_part + ln_1p_e);
    let sigmoid = if eta >= 0.0 { inv } else { e * inv };
    (if eta.is_finite() { value } else { f64::NAN }, y - sigmoid)
}

/// `Poisson(rate = e^η)` with `η` the linear predictor: `k η - e^η - ln k!`, and
/// `∂/∂η = k - e^η`; the rate must be positive and at most [`Poisson::MAX_RATE`], as its
/// constructor requires.
#[derive(Clone, Copy)]
pub(super) struct LogRateLane;

impl GlmLane for LogRateLane {
    #[inline(always)]
    fn terms(self, eta: f64, k: f64) -> Terms {
        let (lp, d_eta) = poisson_log_lane(eta, k);
        Terms {
            lp,
            d_eta,
            d_x: 0.0,
        }
    }
}

/// One row of Poisson-log without `ln k!` (added once per statement by [`ln_factorials`]).
#[inline(always)]
fn poisson_log_lane(eta: f64, k: f64) -> (f64, f64) {
    let rate = lanes::exp(eta);
    let valid = rate > 0.0 && rate <= Poisson::<f64>::MAX_RATE;
    let value = k.mul_add(eta, -rate);
    (if valid { value } else { f64::NAN }, k - rate)
}

/// `Σ ln k_i!` over counts given as floats: a table of `ln k!` for small counts (computed
/// once per process), `ln Γ(k + 1)` beyond it.
pub(super) fn ln_factorials(counts: &[f64]) -> f64 {
    const TABLE: usize = 1024;
    static LN_FACTORIAL: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    let table = LN_FACTORIAL.get_or_init(|| {
        (0..TABLE)
            .map(|k| crate::special::ln_gamma(k as f64 + 1.0))
            .collect()
    });
    counts
        .iter()
        .map(|&k| match table.get(k as usize) {
            Some(&v) if k >= 0.0 => v,
            _ => crate::special::ln_gamma(k + 1.0),
        })
        .sum()
}
