//! Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao and Gabry 2024, "Pareto
//! Smoothed Importance Sampling", JMLR 25(72)): the largest importance ratios are replaced by
//! the expected order statistics of a generalized Pareto distribution fitted to them, and the
//! fitted shape `k` says whether the estimate can be trusted. This follows ArviZ 1.x
//! (`arviz_stats`, `psislw`, `_ps_tail`, `_gpdfit`, `_gpinv`) step for step, so that its
//! results agree to rounding.

use crate::linalg::log_sum_exp;

/// Smoothed log weights of one set of log importance ratios, normalized to sum to one on the
/// natural scale, and the Pareto shape estimate `k` of their right tail.
#[derive(Debug, Clone, PartialEq)]
pub struct Smoothed {
    /// Normalized log weights, in the order of the ratios given.
    pub log_weights: Vec<f64>,
    /// The fitted generalized Pareto shape (`NaN` when the tail is too far from a generalized
    /// Pareto distribution to fit, in which case the tail is left unsmoothed).
    pub k: f64,
}

/// Why a set of ratios cannot be smoothed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PsisError {
    /// Fewer draws than a tail of five needs.
    #[error("Pareto smoothing needs a tail of at least 5 draws; {draws} draws give {tail}")]
    TooFewDraws {
        /// Draws given.
        draws: usize,
        /// The tail length they give.
        tail: usize,
    },
    /// Every ratio in the tail is the same (a log-likelihood that does not depend on the
    /// parameters).
    #[error("all tail values are the same: the log-likelihood does not vary over the draws")]
    ConstantTail,
    /// A ratio is NaN or +infinity.
    #[error("a log importance ratio is {value}")]
    NonFinite {
        /// The value.
        value: f64,
    },
}

/// The number of draws in the fitted tail: `3 sqrt(S / r_eff)` when `S r_eff > 225`, else
/// `S / 5` (Vehtari et al. 2024, section 3; ArviZ's `_get_ps_tails`).
pub fn tail_length(draws: usize, r_eff: f64) -> usize {
    let s = draws as f64;
    let tail = if s * r_eff > 225.0 {
        (3.0 * (s / r_eff).sqrt()).floor()
    } else {
        (s / 5.0).floor()
    };
    tail as usize
}

/// Pareto-smooths the log importance ratios `log_ratios` of draws whose relative efficiency
/// is `r_eff` (ESS over the number of draws).
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::psis_smooth;
///
/// // Ratios of a well-behaved proposal: a light tail, k well below 0.7.
/// let log_ratios: Vec<f64> = (0..1000).map(|i| 0.3 * ((i as f64 * 0.618).fract() - 0.5)).collect();
/// let smoothed = psis_smooth(&log_ratios, 1.0)?;
/// assert!(smoothed.k < 0.5);
/// let total: f64 = smoothed.log_weights.iter().map(|w| w.exp()).sum();
/// assert!((total - 1.0).abs() < 1e-12);
/// # Ok::<(), model_runtime::diagnostics::PsisError>(())
/// ```
pub fn psis_smooth(log_ratios: &[f64], r_eff: f64) -> Result<Smoothed, PsisError> {
    if let Some(&value) = log_ratios
        .iter()
        .find(|x| x.is_nan() || **x == f64::INFINITY)
    {
        return Err(PsisError::NonFinite { value });
    }
    let n = log_ratios.len();
    let tail = tail_length(n, r_eff);
    if tail < 5 || tail >= n {
        return Err(PsisError::TooFewDraws { draws: n, tail });
    }
    let max = log_ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut x: Vec<f64> = log_ratios.iter().map(|r| r - max).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let tail_ids = &order[n - tail..];
    let log_tail: Vec<f64> = tail_ids.iter().map(|&i| x[i]).collect();
    let log_cutoff = x[order[n - tail - 1]];
    let (min_tail, max_tail) = (log_tail[0], log_tail[tail - 1]);
    if (max_tail - min_tail).abs() < f64::MIN_POSITIVE {
        return Err(PsisError::ConstantTail);
    }
    let cutoff = log_cutoff.exp();
    let exceedances: Vec<f64> = log_tail.iter().map(|t| t.exp() - cutoff).collect();
    let (k, sigma) = gpd_fit(&exceedances);
    if k.is_finite() {
        for (j, &i) in tail_ids.iter().enumerate() {
            let p = (j as f64 + 0.5) / tail as f64;
            let smoothed = gpd_quantile(p, k, sigma, cutoff).ln();
            // A NaN quantile (sigma <= 0) is kept, as ArviZ keeps it.
            x[i] = if smoothed > max_tail {
                max_tail
            } else {
                smoothed
            };
        }
    }
    let total = log_sum_exp::<f64>(&x);
    for w in &mut x {
        *w -= total;
    }
    Ok(Smoothed { log_weights: x, k })
}

/// The Pareto shape `k` of the heavier tail of the draws (the R package `posterior`'s
/// `pareto_khat` with `tail = "both"`; Vehtari et al. 2024, section 3): a generalized Pareto
/// distribution is fitted to the `3 √S` largest draws above their cutoff, and to the smallest
/// below theirs, and the larger shape is returned. Moments of order `1/k` and above do not
/// exist: where `k ≥ 0.5` the variance is infinite and the mean's MCSE means nothing, and
/// where `k ≥ 0.25` the same holds for the sd's ([`mcse_sd`](super::mcse_sd)), which rests on
/// the fourth moment. `NaN` with too few draws for a tail of five, or a tail that does not vary.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{pareto_khat, ChainDraws};
///
/// // Quantiles of a logistic (exponential tails, k = 0) and of a Cauchy (k = 1).
/// let p = |i: usize| (i as f64 + 0.5) / 4000.0;
/// let logistic: Vec<f64> = (0..4000).map(|i| (p(i) / (1.0 - p(i))).ln()).collect();
/// let cauchy: Vec<f64> = (0..4000).map(|i| (std::f64::consts::PI * (p(i) - 0.5)).tan()).collect();
/// assert!(pareto_khat(&ChainDraws::new(&[logistic])?).abs() < 0.15);
/// assert!((pareto_khat(&ChainDraws::new(&[cauchy])?) - 1.0).abs() < 0.15);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn pareto_khat(draws: &super::ChainDraws) -> f64 {
    pareto_khat_of_sorted(&super::quantile::sorted(draws.values()))
}

/// [`pareto_khat`] of draws already sorted in increasing order (the summary sorts them once
/// for its quantiles and this).
pub(crate) fn pareto_khat_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    let tail = tail_length(n, 1.0);
    if tail < 5 || 2 * tail >= n {
        return f64::NAN;
    }
    let right_cutoff = sorted[n - tail - 1];
    let right: Vec<f64> = sorted[n - tail..]
        .iter()
        .map(|x| x - right_cutoff)
        .collect();
    let left_cutoff = sorted[tail];
    let left: Vec<f64> = sorted[..tail]
        .iter()
        .rev()
        .map(|x| left_cutoff - x)
        .collect();
    let shape = |exceedances: &[f64]| {
        if exceedances[exceedances.len() - 1] > 0.0 {
            gpd_fit(exceedances).0
        } else {
            f64::NAN
        }
    };
    shape(&right).max(shape(&left))
}

/// The empirical Bayes estimate of the generalized Pareto shape and scale of Zhang and Stephens
/// (2009), with the weakly informative prior on the shape (normal, centred at 0.5, worth 10
/// observations) of Vehtari et al. (2024, appendix C). `sorted` holds the exceedances over the
/// cutoff in increasing order. `(NaN, NaN)` when the first quartile does not exceed the
/// minimum (the data are far from a generalized Pareto distribution).
pub(crate) fn gpd_fit(sorted: &[f64]) -> (f64, f64) {
    const PRIOR_BS: f64 = 3.0;
    const PRIOR_K: f64 = 10.0;
    let n = sorted.len();
    let nf = n as f64;
    let m = 30 + (nf.sqrt() as usize);
    let xstar = sorted[(nf / 4.0 + 0.5) as usize - 1];
    if xstar <= sorted[0] {
        return (f64::NAN, f64::NAN);
    }
    let largest = sorted[n - 1];
    let b: Vec<f64> = (1..=m)
        .map(|j| (1.0 - (m as f64 / (j as f64 - 0.5)).sqrt()) / (PRIOR_BS * xstar) + 1.0 / largest)
        .collect();
    let mean_log1p = |b: f64| sorted.iter().map(|x| (-b * x).ln_1p()).sum::<f64>() / nf;
    let profile: Vec<f64> = b
        .iter()
        .map(|&bj| {
            let k = mean_log1p(bj);
            nf * ((-bj / k).ln() - k - 1.0)
        })
        .collect();
    let normalizer = log_sum_exp::<f64>(&profile);
    let mut weights: Vec<(f64, f64)> = b
        .iter()
        .zip(&profile)
        .map(|(&bj, &l)| (bj, (l - normalizer).exp()))
        .filter(|(_, w)| *w >= 10.0 * f64::EPSILON)
        .collect();
    let total: f64 = weights.iter().map(|(_, w)| w).sum();
    for (_, w) in &mut weights {
        *w /= total;
    }
    let b_post: f64 = weights.iter().map(|(bj, w)| bj * w).sum();
    let k = mean_log1p(b_post);
    let sigma = -k / b_post;
    let k = (nf * k + PRIOR_K * 0.5) / (nf + PRIOR_K);
    if k.is_nan() {
        return (f64::INFINITY, f64::NAN);
    }
    (k, sigma)
}

/// The generalized Pareto quantile function at probability `p`, location `mu`.
fn gpd_quantile(p: f64, k: f64, sigma: f64, mu: f64) -> f64 {
    if sigma <= 0.0 || sigma.is_nan() {
        return f64::NAN;
    }
    if k == 0.0 {
        mu - sigma * (-p).ln_1p()
    } else {
        mu + sigma * (-k * (-p).ln_1p()).exp_m1() / k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_lengths_follow_the_rule_of_the_paper() {
        assert_eq!(tail_length(4000, 1.0), 189);
        assert_eq!(tail_length(400, 0.9), 63);
        assert_eq!(tail_length(400, 0.3), 80);
        assert_eq!(tail_length(20, 1.0), 4);
    }

    #[test]
    fn exponential_exceedances_have_shape_near_zero() {
        // Exceedances at the quantiles of a standard exponential: k is shrunk towards the prior
        // but stays small, and sigma is about 1.
        let n = 400;
        let sorted: Vec<f64> = (0..n)
            .map(|i| -(-((i as f64 + 0.5) / n as f64)).ln_1p())
            .collect();
        let (k, sigma) = gpd_fit(&sorted);
        assert!(k.abs() < 0.1, "k = {k}");
        assert!((sigma - 1.0).abs() < 0.1, "sigma = {sigma}");
    }

    #[test]
    fn heavy_tails_have_large_shape() {
        // Quantiles of a Pareto with shape 1 (k = 1).
        let n = 200;
        let sorted: Vec<f64> = (0..n)
            .map(|i| 1.0 / (1.0 - (i as f64 + 0.5) / n as f64) - 1.0)
            .collect();
        let (k, _) = gpd_fit(&sorted);
        assert!(k > 0.8, "k = {k}");
    }

    #[test]
    fn too_few_draws_and_constant_tails_are_errors() {
        assert_eq!(
            psis_smooth(&[0.0; 20], 1.0),
            Err(PsisError::TooFewDraws { draws: 20, tail: 4 })
        );
        assert_eq!(psis_smooth(&[1.0; 100], 1.0), Err(PsisError::ConstantTail));
    }
}
