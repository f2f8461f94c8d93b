//! Quantiles and the median of all draws pooled, interpolated as numpy's default (`"linear"`,
//! Hyndman and Fan's type 7).

use super::ChainDraws;
use super::probability::{ProbabilityError, check_probability};

/// The `probability` quantile of all draws pooled across chains, interpolating linearly between
/// order statistics as numpy's `np.quantile(x, probability)` (method `"linear"`, type 7 of
/// Hyndman and Fan 1996): with the draws sorted as `x[0] <= ... <= x[n-1]` and
/// `h = (n - 1) * probability`, the result lies between `x[floor(h)]` and `x[floor(h) + 1]`.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{quantile, ChainDraws};
///
/// let draws = ChainDraws::new(&[[4.0, 1.0, 3.0, 2.0], [8.0, 5.0, 7.0, 6.0]])?;
/// assert_eq!(quantile(&draws, 0.5)?, 4.5);
/// assert_eq!(quantile(&draws, 0.25)?, 2.75);
/// assert_eq!(quantile(&draws, 1.0)?, 8.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn quantile(draws: &ChainDraws, probability: f64) -> Result<f64, ProbabilityError> {
    let probability = check_probability(probability)?;
    Ok(quantile_of_sorted(&sorted(draws.values()), probability))
}

/// The median of all draws pooled across chains: the middle draw, or the mean of the two middle
/// draws (as `np.median`).
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{median, ChainDraws};
///
/// let draws = ChainDraws::new(&[[4.0, 1.0, 3.0, 2.0], [8.0, 5.0, 7.0, 6.0]])?;
/// assert_eq!(median(&draws), 4.5);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
pub fn median(draws: &ChainDraws) -> f64 {
    median_of_sorted(&sorted(draws.values()))
}

/// A sorted copy of finite values.
pub(crate) fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    sorted
}

/// numpy's `"linear"` quantile of non-empty sorted values, with its arithmetic: the
/// interpolation runs from the nearer neighbour, so that a weight of exactly 0 or 1, or two equal
/// neighbours, return a draw exactly.
pub(crate) fn quantile_of_sorted(sorted: &[f64], probability: f64) -> f64 {
    let last = sorted.len() - 1;
    let position = last as f64 * probability;
    if position >= last as f64 {
        return sorted[last];
    }
    let below = position.floor();
    let weight = position - below;
    let (a, b) = (sorted[below as usize], sorted[below as usize + 1]);
    let step = b - a;
    if weight >= 0.5 {
        b - step * (1.0 - weight)
    } else {
        a + step * weight
    }
}

/// The median of non-empty sorted values.
pub(crate) fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_order_statistics() {
        let x = [0.0, 10.0, 20.0, 30.0, 40.0];
        assert_eq!(quantile_of_sorted(&x, 0.0), 0.0);
        assert_eq!(quantile_of_sorted(&x, 0.1), 4.0);
        assert_eq!(quantile_of_sorted(&x, 0.5), 20.0);
        assert_eq!(quantile_of_sorted(&x, 0.9), 36.0);
        assert_eq!(quantile_of_sorted(&x, 1.0), 40.0);
        assert_eq!(median_of_sorted(&x), 20.0);
        assert_eq!(median_of_sorted(&x[1..]), 25.0);
    }

    #[test]
    fn equal_neighbours_give_the_draw_itself() {
        let x = [3.0, 3.0, 3.0, 3.0];
        for p in [0.05, 0.3, 0.95] {
            assert_eq!(quantile_of_sorted(&x, p), 3.0);
        }
    }
}
