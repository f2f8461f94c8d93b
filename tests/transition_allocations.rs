//! Once warm, a NUTS or static HMC transition allocates nothing: every phase point, subtree
//! boundary and momentum sum lives in a workspace allocated once per chain. Counted per thread with
//! `model_suite`'s counting allocator.
//!
//! Transitions are counted through the public `Sampler`: a run of `2n` sampling iterations
//! minus a run of `n`, both with the same seed and warmup and keeping only their first draw
//! (`thin` = iterations). Setup, warmup and the collection of results then cancel, and the
//! difference is what the last `n` transitions allocated.

use model_runtime::ModelError;
use model_runtime::inference::{GradientTarget, MassMatrixKind, Sampler, TransitionKernel};
use model_runtime::prelude::*;
use model_runtime::results::model_target::ModelTarget;
use model_suite::counting_allocator::{CountingAllocator, allocations};
use model_suite::{EIGHT_SCHOOLS_SIGMA, EIGHT_SCHOOLS_Y, eight_schools};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Independent centred normals with the given scales; allocates nothing.
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

/// What `n` warm sampling transitions allocate, on a fresh target from `target` for each run.
fn allocations_of_transitions<K, T>(
    sampler: &Sampler<K>,
    mut target: impl FnMut() -> T,
    start: &[f64],
    n: usize,
) -> usize
where
    K: TransitionKernel,
    T: GradientTarget,
{
    let mut run = |iterations: usize| {
        let mut target = target();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let sampler = sampler.clone().samples(iterations).thin(iterations);
        let before = allocations();
        let chain = sampler.run(&mut target, start.to_vec(), &mut rng).unwrap();
        let count = allocations() - before;
        assert_eq!(chain.draws.len(), 1);
        count
    };
    let short = run(n);
    let long = run(2 * n);
    long.saturating_sub(short)
}

#[test]
fn warm_transitions_do_not_allocate() {
    let n = 200;
    let scales: Vec<f64> = (0..10).map(|i| 0.5 + 0.25 * i as f64).collect();
    let gaussian = || Gaussian {
        scales: scales.clone(),
    };
    let start = vec![0.3; 10];
    for kind in [MassMatrixKind::Diagonal, MassMatrixKind::Dense] {
        let nuts = Sampler::nuts().mass_matrix(kind).warmup(150);
        let count = allocations_of_transitions(&nuts, gaussian, &start, n);
        assert_eq!(
            count, 0,
            "NUTS, {kind:?} metric: {count} allocations in {n} transitions"
        );

        // A tree depth cap that is reached: the rejected last doubling takes the same paths.
        let capped = nuts.clone().max_tree_depth(2);
        let count = allocations_of_transitions(&capped, gaussian, &start, n);
        assert_eq!(
            count, 0,
            "capped NUTS, {kind:?}: {count} allocations in {n} transitions"
        );

        let hmc = Sampler::hmc_steps(8).mass_matrix(kind).warmup(150);
        let count = allocations_of_transitions(&hmc, gaussian, &start, n);
        assert_eq!(
            count, 0,
            "static HMC, {kind:?}: {count} allocations in {n} transitions"
        );
    }

    // Divergent transitions (the step size is far too large) discard subtrees half-built.
    let divergent = Sampler::nuts().warmup(0).initial_step_size(50.0);
    let count = allocations_of_transitions(&divergent, gaussian, &start, n);
    assert_eq!(
        count, 0,
        "divergent NUTS: {count} allocations in {n} transitions"
    );

    // A `#[model]` through its gradient target: NUTS end to end.
    let model = eight_schools(&EIGHT_SCHOOLS_Y, &EIGHT_SCHOOLS_SIGMA)
        .reparam(|r| r.theta(LocScaleReparam::default()));
    let target = || ModelTarget::new(&model).unwrap();
    let count = allocations_of_transitions(&Sampler::nuts().warmup(150), target, &[0.1; 10], n);
    assert_eq!(
        count, 0,
        "eight schools: {count} allocations in {n} transitions"
    );

    // The counter counts: keeping every draw allocates one `Vec` per extra draw.
    let keep_all = |iterations: usize| {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let before = allocations();
        let sampler = Sampler::nuts().warmup(150).samples(iterations);
        sampler
            .run(&mut gaussian(), start.clone(), &mut rng)
            .unwrap();
        allocations() - before
    };
    let (short, long) = (keep_all(n), keep_all(2 * n));
    assert_eq!(long - short, n, "{short} vs {long}");
}
