//! Floors on NUTS's efficiency: the smallest bulk effective sample size over the coordinates
//! (Vehtari et al. 2021, `diagnostics::ess_bulk`), per gradient evaluation of the sampling
//! phase, on Gaussians where Stan's algorithm is well understood. A sampler that still draws
//! from the right distribution but wastes gradients fails them: uniform instead of biased
//! progressive sampling at the top level halves the ESS of the mean, and without the U-turn
//! checks across subtrees some 100-d chains run to 100+ leapfrog steps per transition.
//!
//! Each test runs the default `Sampler` (1000 warmup iterations adapting a diagonal metric,
//! 1000 draws) on 8 fixed seeds. The floors come from 24 seeds of the correct algorithm: the
//! mean over 8 seeds must stay above the 24-seed mean minus 4 standard errors of an 8-seed mean
//! (so that a harmless change, which amounts to drawing 8 new seeds, fails about once in 30 000
//! times), and every seed must stay above half the lowest of the 24.

use model_runtime::ModelError;
use model_runtime::diagnostics::{Draws, ess_bulk};
use model_runtime::inference::{GradientTarget, Sampler};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// Independent centred normals with the given scales.
struct Gaussian {
    scales: Vec<f64>,
}

impl GradientTarget for Gaussian {
    fn dim(&self) -> usize {
        self.scales.len()
    }

    fn log_density_and_gradient(
        &mut self,
        position: &[f64],
        gradient: &mut [f64],
    ) -> Result<f64, ModelError> {
        let mut lp = 0.0;
        for ((g, x), s) in gradient.iter_mut().zip(position).zip(&self.scales) {
            let z = x / s;
            lp -= 0.5 * z * z;
            *g = -z / s;
        }
        Ok(lp)
    }
}

/// The smallest bulk ESS over the coordinates divided by the leapfrog steps (gradient
/// evaluations) of the sampling phase, for one chain with the given seed.
fn min_ess_per_gradient(scales: &[f64], seed: u64) -> f64 {
    let dim = scales.len();
    // Start like Stan, spread over (-2, 2): far out for the small scales.
    let start: Vec<f64> = (0..dim)
        .map(|i| -2.0 + 4.0 * ((i * 37) % 100) as f64 / 100.0)
        .collect();
    let mut target = Gaussian {
        scales: scales.to_vec(),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let chain = Sampler::nuts().run(&mut target, start, &mut rng).unwrap();
    let gradients: usize = chain.stats.iter().map(|s| s.leapfrog_steps).sum();
    let min_ess = (0..dim)
        .map(|i| {
            let column: Vec<f64> = chain.draws.iter().map(|d| d[i]).collect();
            ess_bulk(&Draws::new(&[column]).unwrap())
        })
        .fold(f64::INFINITY, f64::min);
    min_ess / gradients as f64
}

/// Checks the floors on seeds 1 to 8 and reports what they gave.
fn check_floors(name: &str, scales: &[f64], mean_floor: f64, seed_floor: f64) {
    let per_seed: Vec<f64> = (1..=8)
        .map(|seed| min_ess_per_gradient(scales, seed))
        .collect();
    let mean = per_seed.iter().sum::<f64>() / per_seed.len() as f64;
    eprintln!("{name}: min bulk ESS per gradient by seed {per_seed:.3?}, mean {mean:.4}");
    assert!(
        mean > mean_floor,
        "{name}: mean min bulk ESS per gradient {mean:.4} below {mean_floor} ({per_seed:.3?})"
    );
    for (seed, value) in (1..).zip(&per_seed) {
        assert!(
            *value > seed_floor,
            "{name}: seed {seed}: min bulk ESS per gradient {value:.4} below {seed_floor}"
        );
    }
}

#[test]
fn ess_per_gradient_on_an_iid_gaussian() {
    // 24 seeds of the correct algorithm: mean 0.2265, standard deviation 0.0267, lowest 0.181
    // (about 6.5 leapfrog steps per transition, bulk ESS above the number of draws: NUTS's
    // draws of an iid Gaussian are anticorrelated). Mean floor 0.2265 - 4 · 0.0267 / √8 ≈ 0.19,
    // rounded down. Uniform progressive sampling at the top level gives a mean of 0.10.
    check_floors("iid 10-d", &[1.0; 10], 0.18, 0.09);
}

#[test]
fn ess_per_gradient_on_an_ill_conditioned_gaussian() {
    // Scales from 1e-2 to 1e2: only an adapted diagonal metric makes this target easy.
    let dim = 100;
    let scales: Vec<f64> = (0..dim)
        .map(|i| 10f64.powf(-2.0 + 4.0 * i as f64 / (dim - 1) as f64))
        .collect();
    // 24 seeds of the correct algorithm: mean 0.1036, standard deviation 0.0235, lowest 0.066
    // (7 to 15 leapfrog steps per transition, depending on the adapted step size). Mean floor
    // 0.1036 - 4 · 0.0235 / √8 ≈ 0.070; seed floor 0.03. Uniform progressive sampling at the
    // top level gives a mean of 0.048; without the checks across subtrees seed 5 takes 118
    // leapfrog steps per transition and gives 0.007.
    check_floors("ill-conditioned 100-d", &scales, 0.07, 0.03);
}
