//! Energy diagnostics of Hamiltonian Monte Carlo.

/// The energy Bayesian fraction of missing information of one chain (Betancourt 2016,
/// "Diagnosing suboptimal cotangent disintegrations in Hamiltonian Monte Carlo",
/// arXiv:1604.00695): the sum of squared changes of the Hamiltonian between successive draws
/// over the sum of its squared deviations from the mean, as Stan and ArviZ 1.x compute it. Values below 0.3 say that the momentum
/// resampling moves the energy too little for the chain to explore the posterior's tails.
/// `None` for fewer than two draws or a constant energy.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::e_bfmi;
///
/// // Independent energies give about 2; a slow random walk gives little.
/// let independent = [0.3, -1.2, 0.8, 1.5, -0.4, 0.1, -0.9, 1.1];
/// assert!(e_bfmi(&independent).unwrap() > 1.0);
/// let walk: Vec<f64> = (0..100).map(|i| (i as f64 * 0.01).sin()).collect();
/// assert!(e_bfmi(&walk).unwrap() < 0.01);
/// assert_eq!(e_bfmi(&[1.0]), None);
/// ```
pub fn e_bfmi(energy: &[f64]) -> Option<f64> {
    let n = energy.len();
    if n < 2 {
        return None;
    }
    let mean = energy.iter().sum::<f64>() / n as f64;
    let deviations = energy.iter().map(|e| (e - mean).powi(2)).sum::<f64>();
    if deviations <= 0.0 || !deviations.is_finite() {
        return None;
    }
    let steps = energy
        .windows(2)
        .map(|w| (w[1] - w[0]).powi(2))
        .sum::<f64>();
    Some(steps / deviations)
}

#[cfg(test)]
mod tests {
    use super::e_bfmi;

    #[test]
    fn matches_arviz_on_a_small_chain() {
        // Steps 1, -3, 5: squares sum to 35. Mean 1.5, deviations -0.5, 0.5, -2.5, 2.5:
        // squares sum to 13. ArviZ 1.3 `az.bfmi([[1, 2, -1, 4]])` prints 2.69230769.
        let e = [1.0, 2.0, -1.0, 4.0];
        let expected = 35.0 / 13.0;
        assert!((e_bfmi(&e).unwrap() - expected).abs() < 1e-14);
    }

    #[test]
    fn constant_energy_has_none() {
        assert_eq!(e_bfmi(&[2.0; 10]), None);
    }
}
