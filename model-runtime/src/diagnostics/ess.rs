//! Effective sample size: how many independent draws the correlated draws of the chains are
//! worth, for the mean, the bulk, the tails and single quantiles.
//!
//! All estimates follow Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021),
//! "Rank-normalization, folding, and localization: An improved R-hat for assessing convergence of
//! MCMC", Bayesian Analysis 16(2), doi:10.1214/20-BA1221, section 3.2 and appendix A, with the
//! conventions of
//! ArviZ's `ess`: split chains, autocorrelations combined across chains through the multi-chain
//! variance estimate, Geyer's initial monotone sequence, and `ESS <= S log10(S)`.

use super::ChainDraws;
use super::autocovariance::autocovariance;
use super::chain_matrix::ChainMatrix;
use super::moments;
use super::probability::{ProbabilityError, check_probability};
use super::quantile::sorted;
use super::rank_normalization::{rank_normalize_sorted, sort_with_positions};

/// The probabilities whose quantiles define the tail ESS.
const TAIL_PROBABILITIES: [f64; 2] = [0.05, 0.95];

/// Values whose range is below this count as constant (numpy's `finfo(float).resolution`, the
/// threshold ArviZ uses).
const CONSTANT_RESOLUTION: f64 = 1e-15;

/// Bulk effective sample size: the ESS of the split chains after the rank normalization of
/// Vehtari et al. (2021). It measures how well the centre of the distribution is explored, and is
/// defined even when the posterior has no mean. ArviZ `ess(method="bulk")`.
///
/// Constant draws give the number of draws `S` (ArviZ's convention).
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{ess_bulk, ChainDraws};
///
/// // A scrambled sequence mixes well; one that stays put for 25 draws at a time does not.
/// let scrambled: Vec<f64> = (0..100).map(|i| f64::from(i * 37 % 100)).collect();
/// let sticky: Vec<f64> = (0..100).map(|i| f64::from(i / 25)).collect();
/// assert!(ess_bulk(&ChainDraws::new(&[scrambled])?) > 50.0);
/// assert!(ess_bulk(&ChainDraws::new(&[sticky])?) < 10.0);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn ess_bulk(draws: &ChainDraws) -> f64 {
    Bulk::of(draws).ess()
}

/// The split chains, their values sorted and their rank normalization: what the bulk ESS,
/// both R-hats and (with an even number of draws per chain, when the split chains hold every
/// draw) a summary row's quantiles share. A summary row computes them once: the ranks take a
/// sort and a normal quantile per draw.
pub(crate) struct Bulk {
    pub(crate) split: ChainMatrix,
    /// The split chains' values, sorted.
    pub(crate) sorted: Vec<f64>,
    pub(crate) ranks: ChainMatrix,
}

impl Bulk {
    pub(crate) fn of(draws: &ChainDraws) -> Bulk {
        let split = draws.matrix().split_halves();
        let order = sort_with_positions(split.values());
        let ranks = rank_normalize_sorted(&split, &order);
        let sorted = order.into_iter().map(|(value, _)| value).collect();
        Bulk {
            split,
            sorted,
            ranks,
        }
    }

    /// [`ess_bulk`].
    pub(crate) fn ess(&self) -> f64 {
        initial_monotone_ess(&self.ranks)
    }
}

/// Tail effective sample size: the smaller ESS of the indicators `x <= q₀.₀₅` and `x <= q₀.₉₅`
/// over the split chains (the localization by quantiles of Vehtari et al. 2021). It measures how
/// reliably the 5% and 95% quantiles, and so the tails, are estimated. ArviZ
/// `ess(method="tail")`.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{ess_tail, ChainDraws};
///
/// let chain: Vec<f64> = (0..200).map(|i| ((i * 37 % 200) as f64).sqrt()).collect();
/// let tail = ess_tail(&ChainDraws::new(&[chain])?);
/// assert!(tail > 50.0 && tail <= 200.0 * 200f64.log10());
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn ess_tail(draws: &ChainDraws) -> f64 {
    ess_tail_of_sorted(draws, &sorted(draws.values()))
}

/// [`ess_tail`] given the draws' values sorted, which a summary row has already.
pub(crate) fn ess_tail_of_sorted(draws: &ChainDraws, sorted: &[f64]) -> f64 {
    let [low, high] =
        TAIL_PROBABILITIES.map(|p| indicator_ess(draws, type_7_quantile_as_arviz(sorted, p)));
    low.min(high)
}

/// Effective sample size for the mean: Geyer's estimator on the split chains, without rank
/// normalization. It sets the Monte Carlo standard error of the posterior mean
/// ([`mcse_mean`](super::mcse_mean)) and is meaningful only when the posterior has a finite
/// variance. ArviZ `ess(method="mean")`.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{ess_mean, ChainDraws};
///
/// let a: Vec<f64> = (0..50).map(|i| (i as f64 * 2.4).sin()).collect();
/// let b: Vec<f64> = (0..50).map(|i| (i as f64 * 1.7).cos()).collect();
/// let ess = ess_mean(&ChainDraws::new(&[a, b])?);
/// assert!(ess > 0.0 && ess <= 100.0 * 100f64.log10());
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn ess_mean(draws: &ChainDraws) -> f64 {
    initial_monotone_ess(&draws.matrix().split_halves())
}

/// Effective sample size for the `probability` quantile: the ESS of the indicator
/// `x <= q_probability` over the split chains (the localization by quantiles of Vehtari et al.
/// 2021). ArviZ
/// `ess(method="quantile", prob=probability)`.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{ess_quantile, ChainDraws};
///
/// let chain: Vec<f64> = (0..100).map(|i| ((i * 61 % 100) as f64)).collect();
/// let draws = ChainDraws::new(&[chain])?;
/// assert!(ess_quantile(&draws, 0.5)? > 10.0);
/// assert!(ess_quantile(&draws, 2.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ess_quantile(draws: &ChainDraws, probability: f64) -> Result<f64, ProbabilityError> {
    let threshold =
        type_7_quantile_as_arviz(&sorted(draws.values()), check_probability(probability)?);
    Ok(indicator_ess(draws, threshold))
}

/// ESS of the indicator of draws at or below `threshold`.
fn indicator_ess(draws: &ChainDraws, threshold: f64) -> f64 {
    let indicator = draws
        .matrix()
        .map(|x| if x <= threshold { 1.0 } else { 0.0 });
    initial_monotone_ess(&indicator.split_halves())
}

/// The type 7 quantile with the arithmetic of scipy's `mquantiles(alphap=1, betap=1)`, which
/// ArviZ uses for the threshold of quantile and tail ESS: `(1 - γ) x[k-1] + γ x[k]`. Between two
/// equal draws this can miss the draw by one ulp (numpy's interpolation cannot), which decides
/// whether the tied draws count as below the quantile, so the ESS of discrete draws matches
/// ArviZ's only with this exact formula.
fn type_7_quantile_as_arviz(sorted: &[f64], probability: f64) -> f64 {
    let n = sorted.len() as f64;
    // scipy writes `1 + p (1 - alphap - betap)`, which is exactly `1 - p` here.
    let aleph = n * probability + (1.0 - probability);
    let k = aleph.clamp(1.0, n - 1.0).floor();
    let gamma = (aleph - k).clamp(0.0, 1.0);
    let k = k as usize;
    (1.0 - gamma) * sorted[k - 1] + gamma * sorted[k]
}

/// The effective sample size `S / τ̂` of a matrix of (already split) chains, with `S` its number
/// of values and `τ̂ = -1 + 2 Σ ρ̂_t` the integrated autocorrelation time (Vehtari et al. 2021,
/// section 3.2; ArviZ's `_ess`).
///
/// The autocorrelation at lag `t` combines the chains through the multi-chain variance estimate
/// `var⁺ = (n-1)/n · W + B/n`: `ρ̂_t = 1 - (W - mean of the chains' autocovariances at t) / var⁺`,
/// which also counts disagreement between chains as correlation. The sum is truncated by Geyer's
/// (1992) initial positive sequence (stop before the first pair `ρ̂_{2k} + ρ̂_{2k+1}` that is
/// negative) and made monotone (each pair sum at most the previous one), which keeps the estimate
/// from being thrown off by noisy high-lag autocorrelations. `τ̂` is at least `1 / log10(S)`,
/// so the ESS never exceeds `S log10(S)` however antithetic the chains.
///
/// Constant values (range below 1e-15) give `S`.
fn initial_monotone_ess(matrix: &ChainMatrix) -> f64 {
    let values = matrix.values();
    let size = values.len() as f64;
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if max - min < CONSTANT_RESOLUTION {
        return size;
    }

    let n = matrix.n_draws();
    let n_f = n as f64;
    let n_chains = matrix.n_chains() as f64;
    let autocovariances: Vec<Vec<f64>> = matrix.chains().map(autocovariance).collect();
    let mean_autocovariance =
        |lag: usize| autocovariances.iter().map(|a| a[lag]).sum::<f64>() / n_chains;

    let within = mean_autocovariance(0) * n_f / (n_f - 1.0);
    let mut var_plus = within * (n_f - 1.0) / n_f;
    if matrix.n_chains() > 1 {
        let chain_means: Vec<f64> = matrix.chains().map(moments::mean).collect();
        var_plus += moments::sample_variance(&chain_means);
    }
    let rho = |lag: usize| 1.0 - (within - mean_autocovariance(lag)) / var_plus;

    // Geyer's initial positive sequence over pairs (ρ̂_{t+1}, ρ̂_{t+2}), t = 1, 3, 5, ...
    let mut rho_hat = vec![0.0; n];
    let mut even = 1.0;
    rho_hat[0] = even;
    let mut odd = rho(1);
    rho_hat[1] = odd;
    let mut t = 1;
    while t + 3 < n && even + odd > 0.0 {
        even = rho(t + 1);
        odd = rho(t + 2);
        if even + odd >= 0.0 {
            rho_hat[t + 1] = even;
            rho_hat[t + 2] = odd;
        }
        t += 2;
    }
    // The last lag kept; -1 when the chains are too short for any pair.
    let max_t = t as isize - 2;
    let after_last = (max_t + 1) as usize;
    if even > 0.0 {
        rho_hat[after_last] = even;
    }

    // Geyer's initial monotone sequence: no pair sum above the one before it.
    let mut t = 1;
    while (t as isize) <= max_t - 2 {
        let previous = rho_hat[t - 1] + rho_hat[t];
        if rho_hat[t + 1] + rho_hat[t + 2] > previous {
            rho_hat[t + 1] = previous / 2.0;
            rho_hat[t + 2] = previous / 2.0;
        }
        t += 2;
    }

    if rho_hat.iter().any(|r| r.is_nan()) {
        return f64::NAN;
    }
    let tau = -1.0
        + 2.0 * rho_hat[..after_last].iter().sum::<f64>()
        + rho_hat.get(after_last).copied().unwrap_or(0.0);
    size / tau.max(1.0 / size.log10())
}

#[cfg(test)]
mod tests {
    use super::super::quantile::quantile_of_sorted;
    use super::*;

    fn matrix(chains: &[&[f64]]) -> ChainMatrix {
        let n = chains[0].len();
        ChainMatrix::from_values(chains.len(), n, chains.concat())
    }

    #[test]
    fn constant_values_count_as_all_draws() {
        assert_eq!(
            initial_monotone_ess(&matrix(&[&[2.0; 10], &[2.0; 10]])),
            20.0
        );
    }

    #[test]
    fn chains_of_two_draws_take_the_cap() {
        // No autocorrelation pair fits, so τ̂ = 1 - 1 + ρ̂₀ = 0 and the cap applies.
        let m = matrix(&[&[0.0, 1.0], &[2.0, 0.5]]);
        assert!((initial_monotone_ess(&m) - 4.0 * 4f64.log10()).abs() < 1e-12);
    }

    #[test]
    fn arviz_threshold_can_fall_one_ulp_below_tied_draws() {
        let mut sorted = [0.9; 10];
        (sorted[0], sorted[9]) = (-0.1, 1.9);
        assert_eq!(
            type_7_quantile_as_arviz(&sorted, 0.85),
            0.899_999_999_999_999_9
        );
        assert_eq!(quantile_of_sorted(&sorted, 0.85), 0.9);
    }
}
