//! Rank-normalized split R-hat: do the chains agree with each other, in location and in scale?
//!
//! Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021), "Rank-normalization, folding, and
//! localization: An improved R-hat for assessing convergence of MCMC", Bayesian Analysis 16(2),
//! doi:10.1214/20-BA1221, with the conventions of ArviZ's `rhat(method="rank")`.

use super::ChainDraws;
use super::chain_matrix::ChainMatrix;
use super::ess::Bulk;
use super::moments;
use super::quantile::{median_of_sorted, sorted};
use super::rank_normalization::{fold_about, rank_normalize};

/// Rank-normalized split R-hat: the larger of [`r_hat_bulk`] and [`r_hat_tail`]. Values near 1
/// say the chains agree; Vehtari et al. (2021) recommend using the draws only when it is below
/// 1.01. ArviZ `rhat(method="rank")`.
///
/// A single chain is split into two halves and compared with itself, as Stan and NumPyro do
/// (ArviZ returns NaN for fewer than two chains). Draws that are all equal give NaN: with no
/// variation there is nothing to compare.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{r_hat, ChainDraws};
///
/// let wave = |phase: f64| -> Vec<f64> {
///     (0..200).map(|i| (i as f64 * 0.9 + phase).sin()).collect()
/// };
/// let agreeing = ChainDraws::new(&[wave(0.0), wave(1.0), wave(2.0)])?;
/// assert!(r_hat(&agreeing) < 1.01);
///
/// let shifted: Vec<f64> = wave(0.0).iter().map(|x| x + 3.0).collect();
/// let disagreeing = ChainDraws::new(&[wave(0.0), wave(1.0), shifted])?;
/// assert!(r_hat(&disagreeing) > 1.1);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn r_hat(draws: &ChainDraws) -> f64 {
    r_hat_of_bulk(&Bulk::of(draws))
}

/// [`r_hat`] from the split chains' [`Bulk`] ranks and sorted values, which a summary row
/// shares with the bulk ESS and its quantiles.
pub(crate) fn r_hat_of_bulk(split: &Bulk) -> f64 {
    let bulk = potential_scale_reduction(&split.ranks);
    let tail = folded_r_hat(&split.split, median_of_sorted(&split.sorted));
    // NaN only when both are (all draws equal), so this is the larger one.
    if tail > bulk { tail } else { bulk }
}

/// Bulk R-hat: split R-hat of the rank-normalized split chains (the rank-normalized split-R-hat
/// of Vehtari et al. 2021). It detects chains that disagree in location, and is defined whatever
/// the tails. ArviZ `rhat(method="z_scale")`.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{r_hat_bulk, ChainDraws};
///
/// // Each chain drifts: splitting turns the trend into disagreement between halves.
/// let drift: Vec<f64> = (0..100).map(|i| i as f64 + (i as f64 * 2.3).sin()).collect();
/// assert!(r_hat_bulk(&ChainDraws::new(&[drift])?) > 1.5);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn r_hat_bulk(draws: &ChainDraws) -> f64 {
    potential_scale_reduction(&Bulk::of(draws).ranks)
}

/// Tail (folded) R-hat: split R-hat of the rank-normalized absolute deviations of the split
/// chains from their pooled median (the folded split-R-hat of Vehtari et al. 2021). It detects
/// chains that agree in location but differ in scale. ArviZ `rhat(method="folded")`.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{r_hat_bulk, r_hat_tail, ChainDraws};
///
/// let wave = |scale: f64| -> Vec<f64> {
///     (0..200).map(|i| scale * (i as f64 * 0.9).sin()).collect()
/// };
/// let draws = ChainDraws::new(&[wave(1.0), wave(1.0), wave(5.0)])?;
/// assert!(r_hat_tail(&draws) > 1.1);
/// assert!(r_hat_bulk(&draws) < 1.01);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn r_hat_tail(draws: &ChainDraws) -> f64 {
    let split = draws.matrix().split_halves();
    let median = median_of_sorted(&sorted(split.values()));
    folded_r_hat(&split, median)
}

/// Split R-hat of the rank-normalized absolute deviations of the split chains `split` from
/// their pooled `median`.
fn folded_r_hat(split: &ChainMatrix, median: f64) -> f64 {
    potential_scale_reduction(&rank_normalize(&fold_about(split, median)))
}

/// Gelman and Rubin's potential scale reduction of `m >= 2` chains of `n` draws:
/// `sqrt((B/W + n - 1) / n)` with `B/n` the variance of the chain means and `W` the mean of
/// the chains' variances; this is `sqrt(var⁺ / W)` for `var⁺ = (n-1)/n · W + B/n`.
fn potential_scale_reduction(matrix: &ChainMatrix) -> f64 {
    let n = matrix.n_draws() as f64;
    let means: Vec<f64> = matrix.chains().map(moments::mean).collect();
    let variances: Vec<f64> = matrix.chains().map(moments::sample_variance).collect();
    let between = n * moments::sample_variance(&means);
    let within = moments::mean(&variances);
    ((between / within + n - 1.0) / n).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_formula_on_a_small_example() {
        // Means 2 and 5, variances 1 and 1: B = 3 * 4.5 = 13.5, W = 1.
        let m = ChainMatrix::from_values(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let expected = ((13.5 + 2.0) / 3.0_f64).sqrt();
        assert!((potential_scale_reduction(&m) - expected).abs() < 1e-15);
    }

    #[test]
    fn equal_draws_give_nan_and_constant_chains_with_different_values_give_infinity() {
        let equal = ChainDraws::new(&[[1.0; 6], [1.0; 6]]).unwrap();
        assert!(r_hat(&equal).is_nan());
        let stuck = ChainDraws::new(&[[1.0; 6], [2.0; 6]]).unwrap();
        assert_eq!(r_hat(&stuck), f64::INFINITY);
    }
}
