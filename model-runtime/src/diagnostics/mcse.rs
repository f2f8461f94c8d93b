//! Monte Carlo standard errors: how far an estimate from the draws may be from the value an
//! infinite run would give.

use statrs::function::beta::inv_beta_reg;

use super::ChainDraws;
use super::ess::{ess_mean, ess_quantile};
use super::probability::ProbabilityError;
use super::quantile::sorted;

/// The Monte Carlo standard error of the posterior mean, `sd / sqrt(ess_mean)`, with `sd` over
/// all draws (`n - 1` in the denominator) and [`ess_mean`] the effective sample size for the mean
/// (Vehtari et al. 2021, section 3.2). ArviZ `mcse(method="mean")`.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{ess_mean, mcse_mean, ChainDraws};
///
/// let a: Vec<f64> = (0..400).map(|i| (i as f64 * 2.4).sin()).collect();
/// let b: Vec<f64> = (0..400).map(|i| (i as f64 * 1.7).cos()).collect();
/// let draws = ChainDraws::new(&[a, b])?;
/// let expected = draws.sd() / ess_mean(&draws).sqrt();
/// assert!((mcse_mean(&draws) - expected).abs() < 1e-15);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn mcse_mean(draws: &ChainDraws) -> f64 {
    draws.sd() / ess_mean(draws).sqrt()
}

/// The Monte Carlo standard error of the posterior standard deviation, by the delta method
/// as the R package `posterior` (`mcse_sd`) and ArviZ 0.13+ compute it.
///
/// With `c = x - mean`, the variance estimate `v = mean(c²)` has variance
/// `(mean(c⁴) - v²) / E` (Kenney and Keeping 1951, p. 164), where `E` is the effective sample
/// size for the mean of `c²` ([`ess_mean`] of the squared deviations, the choice Vehtari et al.
/// 2021 found good in practice); a first-order Taylor step from the variance to its square root
/// divides that by `4 v`.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{mcse_sd, ChainDraws};
///
/// let a: Vec<f64> = (0..500).map(|i| (i as f64 * 2.4).sin()).collect();
/// let b: Vec<f64> = (0..500).map(|i| (i as f64 * 1.7).cos()).collect();
/// let draws = ChainDraws::new(&[a, b])?;
/// let error = mcse_sd(&draws);
/// assert!(error > 0.0 && error < 0.05);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn mcse_sd(draws: &ChainDraws) -> f64 {
    let mean = draws.mean();
    let squares: Vec<Vec<f64>> = draws
        .chains()
        .map(|chain| chain.iter().map(|x| (x - mean) * (x - mean)).collect())
        .collect();
    let Ok(squared) = ChainDraws::new(&squares) else {
        return f64::NAN;
    };
    let variance = squared.mean();
    if variance == 0.0 {
        return 0.0;
    }
    let fourth =
        squared.values().iter().map(|s| s * s).sum::<f64>() / squared.values().len() as f64;
    let variance_of_variance = (fourth - variance * variance) / ess_mean(&squared);
    (variance_of_variance / variance / 4.0).sqrt()
}

/// The Monte Carlo standard error of the `probability` quantile (Vehtari et al. 2021,
/// section 4.4; ArviZ `mcse(method="quantile", prob=probability)`).
///
/// With `S` draws and `E` the quantile's effective sample size ([`ess_quantile`]), the share of
/// draws below the true quantile is approximately `Beta(E p + 1, E (1 - p) + 1)`; the draws at
/// that distribution's 15.87% and 84.13% points (±1 standard deviation of a normal) bound a
/// ±1 standard error interval, and half its width is the MCSE.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{mcse_quantile, ChainDraws};
///
/// let a: Vec<f64> = (0..500).map(|i| (i as f64 * 2.4).sin()).collect();
/// let b: Vec<f64> = (0..500).map(|i| (i as f64 * 1.7).cos()).collect();
/// let draws = ChainDraws::new(&[a, b])?;
/// let error = mcse_quantile(&draws, 0.5)?;
/// assert!(error > 0.0 && error < 0.2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn mcse_quantile(draws: &ChainDraws, probability: f64) -> Result<f64, ProbabilityError> {
    let ess = ess_quantile(draws, probability)?;
    let alpha = ess * probability + 1.0;
    let beta = ess * (1.0 - probability) + 1.0;
    // ArviZ's rounded values of Φ(-1) and Φ(1).
    let [lower_share, upper_share] = [0.1586553, 0.8413447].map(|p| inv_beta_reg(alpha, beta, p));
    let sorted = sorted(draws.values());
    let size = sorted.len() as f64;
    let lower = (lower_share * size - 1.0).max(0.0).floor() as usize;
    let upper = (upper_share * size - 1.0).min(size - 1.0).ceil() as usize;
    Ok((sorted[upper] - sorted[lower]) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_draws_have_no_error() {
        let draws = ChainDraws::new(&[[2.0; 8], [2.0; 8]]).unwrap();
        assert_eq!(mcse_mean(&draws), 0.0);
        assert_eq!(mcse_quantile(&draws, 0.05).unwrap(), 0.0);
        assert_eq!(mcse_sd(&draws), 0.0);
    }

    /// For independent normal draws the sd's standard error is `σ / √(2n)`; over 200 seeds the
    /// estimate's mean must be within 3% of it (its own spread is about 2.5% per seed, so 200
    /// seeds give a 0.2% standard error), and an estimate that forgot the 1/4 or used `n` draws
    /// instead of the ESS of the squares would be off by a factor of two or more.
    #[test]
    fn sd_error_of_independent_normal_draws() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        let normal = Normal::new(1.0, 2.0).unwrap();
        let (chains, draws_per_chain) = (4, 1000);
        let expected = 2.0 / ((2 * chains * draws_per_chain) as f64).sqrt();
        let mut ratios = 0.0;
        for seed in 0..200 {
            let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
            let draws: Vec<Vec<f64>> = (0..chains)
                .map(|_| {
                    (0..draws_per_chain)
                        .map(|_| normal.sample(&mut rng))
                        .collect()
                })
                .collect();
            ratios += mcse_sd(&ChainDraws::new(&draws).unwrap()) / expected;
        }
        let mean_ratio = ratios / 200.0;
        assert!((mean_ratio - 1.0).abs() < 0.03, "mean ratio {mean_ratio}");
    }
}
