//! Autocovariance of one chain at every lag, by fast Fourier transform.

use super::fft::real_fft;
use super::moments;

/// The autocovariance of `chain` at lags `0..n`:
/// `γ(t) = (1/n) Σ_{i < n - t} (x[i] - x̄)(x[i + t] - x̄)`, with the biased `1/n` normalization
/// that Geyer's estimator and ArviZ's `autocov` use.
///
/// Computed in `O(n log n)` as the inverse transform of the power spectrum of the centred chain
/// zero-padded to a power of two of at least `2n` (so that no lag wraps around), both
/// transforms of real sequences at half the length. An empty chain gives an empty vector.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::autocovariance;
///
/// let gamma = autocovariance(&[1.0, -1.0, 1.0, -1.0]);
/// let expected = [1.0, -0.75, 0.5, -0.25];
/// for (g, e) in gamma.iter().zip(expected) {
///     assert!((g - e).abs() < 1e-15);
/// }
/// ```
pub fn autocovariance(chain: &[f64]) -> Vec<f64> {
    let n = chain.len();
    if n == 0 {
        return Vec::new();
    }
    let m = (2 * n).next_power_of_two();
    let h = m / 2;
    let center = moments::mean(chain);
    let mut padded = vec![0.0; m];
    for (slot, x) in padded.iter_mut().zip(chain) {
        *slot = x - center;
    }
    let (mut re, mut im) = (vec![0.0; h + 1], vec![0.0; h + 1]);
    real_fft(&padded, &mut re, &mut im);
    // The power spectrum, real and even: `P[m - k] = P[k]`.
    for k in 0..=h {
        padded[k] = re[k] * re[k] + im[k] * im[k];
    }
    for k in 1..h {
        padded[m - k] = padded[k];
    }
    // The power spectrum is real and even, so its forward transform is real and equals m times
    // its inverse.
    real_fft(&padded, &mut re, &mut im);
    let scale = 1.0 / (m as f64 * n as f64);
    re.truncate(n);
    re.iter_mut().for_each(|r| *r *= scale);
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_direct_sum_at_every_lag() {
        let chain: Vec<f64> = (0..37)
            .map(|i| ((i * 7 % 11) as f64).ln_1p() + 0.05 * i as f64)
            .collect();
        let n = chain.len();
        let mean = moments::mean(&chain);
        let gamma = autocovariance(&chain);
        assert_eq!(gamma.len(), n);
        for (lag, g) in gamma.iter().enumerate() {
            let direct: f64 = (0..n - lag)
                .map(|i| (chain[i] - mean) * (chain[i + lag] - mean))
                .sum::<f64>()
                / n as f64;
            assert!((g - direct).abs() < 1e-14, "lag {lag}: {g} vs {direct}");
        }
    }

    #[test]
    fn a_single_value_has_zero_variance() {
        assert_eq!(autocovariance(&[3.0]), [0.0]);
        assert!(autocovariance(&[]).is_empty());
    }
}
