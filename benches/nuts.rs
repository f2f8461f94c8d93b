//! NUTS throughput and overhead.
//!
//! - `eight_schools_one_chain_1000_draws`: non-centered eight schools, one chain of 1000 warmup
//!   and 1000 draws per iteration, so draws per second = 1000 / median time.
//! - `sampler_overhead`: what NUTS costs per leapfrog step beyond the gradient, on an iid
//!   standard normal in 10 and in 100 dimensions whose gradient is nearly free. `nuts_per_leapfrog_step`
//!   runs 1000 transitions at a fixed step size and counts one item per leapfrog step (that is,
//!   per gradient evaluation); `gradient_alone` counts one item per evaluation of the same
//!   gradient. The overhead per leapfrog step is the difference of their times per item
//!   (`1 / throughput`). The target is at most 50 ns in 10 dimensions. `nuts_per_leapfrog_step_with_progress`
//!   is `nuts_per_leapfrog_step` reporting every transition to a `ChainProgress`, as a fit
//!   does: what keeping the progress display up to date costs the chain.
//!
//! Run: `cargo bench --bench nuts`.

use std::hint::black_box;

use divan::Bencher;
use divan::counter::ItemsCount;
use model_runtime::inference::{ChainObserver, ChainProgress, GradientTarget, Sampler};
use model_runtime::prelude::*;
use model_suite::{EIGHT_SCHOOLS_SIGMA, EIGHT_SCHOOLS_Y, eight_schools};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 20)]
fn eight_schools_one_chain_1000_draws(bencher: Bencher) {
    let model = eight_schools(&EIGHT_SCHOOLS_Y, &EIGHT_SCHOOLS_SIGMA)
        .reparam(|r| r.theta(LocScaleReparam::default()));
    // No progress bars between divan's lines when run from a terminal.
    let nuts = Nuts::default().chains(1).threads(1).progress(false);
    let mut seed = 0;
    bencher.bench_local(|| {
        seed += 1;
        nuts.clone().seed(seed).run(&model).unwrap().divergences()
    });
}

mod sampler_overhead {
    use super::*;

    const TRANSITIONS: usize = 1000;
    /// The dimensions benched: the 10, and 100, near the hierarchical anchor's 89.
    const DIMS: [usize; 2] = [10, 100];

    /// Near what warmup adapts for a `dim`-dimensional standard normal with target acceptance
    /// 0.8 (about 0.7 in 10 dimensions, 0.6 used: trees of depth 2 to 3, 5 to 7 leapfrog
    /// steps), scaled as `dim^(-1/4)` (Beskos et al. 2013) for other dimensions.
    fn step_size(dim: usize) -> f64 {
        0.6 * (10.0 / dim as f64).powf(0.25)
    }

    /// An iid standard normal in `DIM` dimensions that counts its gradient evaluations.
    struct StdNormal<const DIM: usize> {
        evaluations: usize,
    }

    impl<const DIM: usize> GradientTarget for StdNormal<DIM> {
        fn dim(&self) -> usize {
            DIM
        }

        fn log_density_and_gradient(
            &mut self,
            position: &[f64],
            gradient: &mut [f64],
        ) -> Result<f64, ModelError> {
            self.evaluations += 1;
            let mut lp = 0.0;
            for (g, x) in gradient.iter_mut().zip(position) {
                *g = -x;
                lp -= 0.5 * x * x;
            }
            Ok(lp)
        }
    }

    /// `TRANSITIONS` NUTS transitions from a fixed seed, without warmup; keeps one draw so that
    /// collecting results costs nothing measurable. Returns the gradient evaluations (the
    /// leapfrog steps, plus one at the initial point).
    fn run_nuts<const DIM: usize>() -> usize {
        run_nuts_observed::<DIM, _>(&mut ())
    }

    /// `run_nuts`, reporting every transition to `observer`.
    fn run_nuts_observed<const DIM: usize, O: ChainObserver>(observer: &mut O) -> usize {
        let mut target = StdNormal::<DIM> { evaluations: 0 };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let chain = Sampler::nuts()
            .warmup(0)
            .initial_step_size(step_size(DIM))
            .samples(TRANSITIONS)
            .thin(TRANSITIONS)
            .run_with_observer(&mut target, vec![0.5; DIM], &mut rng, observer)
            .unwrap();
        black_box(chain);
        target.evaluations
    }

    #[divan::bench(sample_count = 50, consts = DIMS)]
    fn nuts_per_leapfrog_step<const DIM: usize>(bencher: Bencher) {
        // The same seed every iteration: the same trees, the same number of steps.
        let evaluations = run_nuts::<DIM>();
        bencher
            .counter(ItemsCount::new(evaluations))
            .bench_local(run_nuts::<DIM>);
    }

    #[divan::bench(sample_count = 50)]
    fn nuts_per_leapfrog_step_with_progress(bencher: Bencher) {
        let evaluations = run_nuts::<10>();
        let progress = ChainProgress::new();
        bencher
            .counter(ItemsCount::new(evaluations))
            .bench_local(|| run_nuts_observed::<10, _>(&mut &progress));
    }

    #[divan::bench(sample_count = 50, consts = DIMS)]
    fn gradient_alone<const DIM: usize>(bencher: Bencher) {
        // Cycle through a few points so that no evaluation can be hoisted out of the loop.
        let points: Vec<Vec<f64>> = (0..16)
            .map(|k| {
                (0..DIM)
                    .map(|i| ((k * DIM + i) as f64 * 0.37).sin())
                    .collect()
            })
            .collect();
        let evaluations = run_nuts::<DIM>();
        let mut target = StdNormal::<DIM> { evaluations: 0 };
        let mut gradient = vec![0.0; DIM];
        bencher
            .counter(ItemsCount::new(evaluations))
            .bench_local(|| {
                for k in 0..evaluations {
                    let position = black_box(&points[k % points.len()]);
                    let lp = target.log_density_and_gradient(position, &mut gradient);
                    black_box((lp.unwrap(), &gradient));
                }
            });
    }
}
