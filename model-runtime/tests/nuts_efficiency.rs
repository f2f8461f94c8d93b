//! Floors on NUTS's efficiency: the smallest bulk effective sample size over the coordinates
//! (Vehtari et al. 2021, `diagnostics::ess_bulk`), per gradient evaluation of the sampling
//! phase, on Gaussians where Stan's algorithm is well understood. A sampler that still draws
//! from the right distribution but wastes gradients fails them: uniform instead of biased
//! progressive sampling at the top level halves the ESS of the mean, and without the U-turn
//! checks across subtrees some 100-d chains run to 100+ leapfrog steps per transition.
//!
//! Each test runs a `Sampler` (the default: 1000 warmup iterations adapting a diagonal metric,
//! 1000 draws; or the low-rank metric on a correlated Gaussian, where a diagonal one is slow)
//! on 8 fixed seeds. The floors come from 24 seeds of the correct algorithm: the
//! mean over 8 seeds must stay above the 24-seed mean minus 4 standard errors of an 8-seed mean
//! (so that a harmless change, which amounts to drawing 8 new seeds, fails about once in 30 000
//! times), and every seed must stay above half the lowest of the 24.

use model_runtime::ModelError;
use model_runtime::diagnostics::{ChainDraws, ess_bulk};
use model_runtime::inference::{Adaptation, GradientTarget, MassMatrixKind, Sampler};
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
/// evaluations) of the sampling phase, for one chain of `sampler` on `target` with the seed.
fn min_ess_per_gradient<T: GradientTarget>(sampler: &Sampler, target: &mut T, seed: u64) -> f64 {
    let dim = target.dim();
    // Start like Stan, spread over (-2, 2): far out for the small scales.
    let start: Vec<f64> = (0..dim)
        .map(|i| -2.0 + 4.0 * ((i * 37) % 100) as f64 / 100.0)
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let chain = sampler.run(target, start, &mut rng).unwrap();
    let gradients: usize = chain.stats.iter().map(|s| s.leapfrog_steps).sum();
    let min_ess = (0..dim)
        .map(|i| {
            let column: Vec<f64> = chain.draws.iter().map(|d| d[i]).collect();
            ess_bulk(&ChainDraws::new(&[column]).unwrap())
        })
        .fold(f64::INFINITY, f64::min);
    min_ess / gradients as f64
}

/// Checks the floors on seeds 1 to 8 of `sampler` on the target `make` builds, and reports
/// what they gave.
fn check_floors<T: GradientTarget>(
    name: &str,
    sampler: &Sampler,
    make: impl Fn() -> T,
    mean_floor: f64,
    seed_floor: f64,
) {
    let per_seed: Vec<f64> = (1..=8)
        .map(|seed| min_ess_per_gradient(sampler, &mut make(), seed))
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
    let iid = || Gaussian {
        scales: vec![1.0; 10],
    };
    check_floors("iid 10-d", &Sampler::nuts(), iid, 0.18, 0.09);
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
    let target = || Gaussian {
        scales: scales.clone(),
    };
    check_floors(
        "ill-conditioned 100-d",
        &Sampler::nuts(),
        target,
        0.07,
        0.03,
    );
}

/// The dimension of [`Correlated`].
const CORRELATED_DIM: usize = 10;

/// A centred Gaussian with covariance `Σᵢⱼ = sᵢ sⱼ 0.95^|i-j|` (an AR(1) correlation with
/// scales from 0.1 to 10): condition number in the thousands, which a diagonal metric leaves.
struct Correlated {
    /// `Σ⁻¹`, row-major.
    precision: Vec<f64>,
}

impl Correlated {
    fn new() -> Self {
        let rho: f64 = 0.95;
        let scale = |i: usize| 10f64.powf(-1.0 + 2.0 * i as f64 / (CORRELATED_DIM - 1) as f64);
        // The AR(1) correlation's inverse is tridiagonal: 1/(1-ρ²) times
        // [1, -ρ; -ρ, 1+ρ², -ρ; …; -ρ, 1], then scaled by 1/(sᵢ sⱼ).
        let mut precision = vec![0.0; CORRELATED_DIM * CORRELATED_DIM];
        for i in 0..CORRELATED_DIM {
            let diagonal = if i == 0 || i == CORRELATED_DIM - 1 {
                1.0
            } else {
                1.0 + rho * rho
            };
            precision[i * CORRELATED_DIM + i] = diagonal;
            if i + 1 < CORRELATED_DIM {
                precision[i * CORRELATED_DIM + i + 1] = -rho;
                precision[(i + 1) * CORRELATED_DIM + i] = -rho;
            }
        }
        for i in 0..CORRELATED_DIM {
            for j in 0..CORRELATED_DIM {
                precision[i * CORRELATED_DIM + j] /= (1.0 - rho * rho) * scale(i) * scale(j);
            }
        }
        Correlated { precision }
    }
}

impl GradientTarget for Correlated {
    fn dim(&self) -> usize {
        CORRELATED_DIM
    }

    fn log_density_and_gradient(
        &mut self,
        position: &[f64],
        gradient: &mut [f64],
    ) -> Result<f64, ModelError> {
        let mut lp = 0.0;
        for (g, row) in gradient
            .iter_mut()
            .zip(self.precision.chunks(CORRELATED_DIM))
        {
            *g = -row.iter().zip(position).map(|(p, x)| p * x).sum::<f64>();
        }
        for (g, x) in gradient.iter().zip(position) {
            lp += 0.5 * g * x;
        }
        Ok(lp)
    }
}

#[test]
fn ess_per_gradient_of_the_low_rank_metric_on_a_correlated_gaussian() {
    // nutpie's adaptation from draws and gradients with a low-rank metric. 24 seeds of the
    // correct algorithm: mean 0.2281, standard deviation 0.0265, lowest 0.1873. Mean floor
    // 0.2281 - 4 · 0.0265 / √8 ≈ 0.19; seed floor 0.09. The windowed diagonal metric gives a
    // mean of 0.0063, and a low-rank estimate that drops its corrections 0.0096.
    let low_rank = Sampler::nuts()
        .adaptation(Adaptation::GradientBased)
        .mass_matrix(MassMatrixKind::LowRank);
    check_floors(
        "correlated 10-d, low rank",
        &low_rank,
        Correlated::new,
        0.19,
        0.09,
    );
}
