//! Pinned NUTS trajectories: the library's transitions against a small, independent
//! implementation of Stan's multinomial NUTS (`support/stan_nuts.rs`, transcribed from Stan's
//! `base_nuts.hpp`).
//!
//! Both consume the same random stream in the same order, so with a fixed target, seed, step
//! size and unit metric each transition must build the same tree: the same depth, number of
//! leapfrog steps and divergence flag, and return the same position. Any change to the U-turn
//! criteria (including the checks across subtrees), to the sampling within or between
//! subtrees, to the divergence rule or to the order of the random draws changes some of 200
//! consecutive transitions. (The library also matches the reference to the last bit today; the
//! tests allow for rounding so that the arithmetic may be reordered.)
//!
//! The unit metric is all the public `Sampler` allows without warmup; the unit tests of
//! `src/inference/nuts.rs` run the same reference with a non-unit diagonal metric.

use model_runtime::ModelError;
use model_runtime::inference::{GradientTarget, Sampler, UnconstrainedChain};
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

/// Neal's funnel in 10 dimensions: `y ~ N(0, 3²)`, `x₁..₉ ~ N(0, exp(y / 2)²)`. Its neck makes
/// fixed-step trajectories diverge now and then.
struct Funnel;

impl GradientTarget for Funnel {
    fn dim(&self) -> usize {
        10
    }

    fn log_density_and_gradient(
        &mut self,
        position: &[f64],
        gradient: &mut [f64],
    ) -> Result<f64, ModelError> {
        let y = position[0];
        let precision = (-y).exp();
        let sum_squares: f64 = position[1..].iter().map(|x| x * x).sum();
        gradient[0] = -y / 9.0 + 0.5 * sum_squares * precision - 4.5;
        for (g, x) in gradient[1..].iter_mut().zip(&position[1..]) {
            *g = -x * precision;
        }
        Ok(-y * y / 18.0 - 0.5 * sum_squares * precision - 4.5 * y)
    }
}

#[path = "support/stan_nuts.rs"]
mod stan_nuts;

/// Runs the library's NUTS and the reference side by side for `transitions` transitions and
/// checks that they agree on each; returns the library's chain for further checks.
fn compare<T: GradientTarget>(
    name: &str,
    mut make_target: impl FnMut() -> T,
    start: &[f64],
    step_size: f64,
    max_depth: usize,
    seed: u64,
) -> UnconstrainedChain {
    let transitions = 200;
    let mut target = make_target();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // No warmup: a unit metric and a fixed step size throughout.
    let chain = Sampler::nuts()
        .warmup(0)
        .samples(transitions)
        .initial_step_size(step_size)
        .max_tree_depth(max_depth)
        .run(&mut target, start.to_vec(), &mut rng)
        .unwrap();

    let mut reference_target = make_target();
    let mut reference = stan_nuts::Nuts::new(
        |q: &[f64], gradient: &mut [f64]| {
            reference_target.log_density_and_gradient(q, gradient).ok()
        },
        ChaCha8Rng::seed_from_u64(seed),
        step_size,
        max_depth,
        vec![1.0; start.len()],
        start.to_vec(),
    );
    for (i, (stats, draw)) in chain.stats.iter().zip(&chain.draws).enumerate() {
        let expected = reference.transition();
        let found = (stats.tree_depth, stats.leapfrog_steps, stats.divergent);
        assert_eq!(
            found,
            (expected.depth, expected.n_leapfrog, expected.divergent),
            "{name}: transition {i}: (tree depth, leapfrog steps, divergent)"
        );
        // The two integrate with the same floating-point operations, but only the decisions
        // need to agree exactly; the position may differ by rounding.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
        assert!(
            draw.iter().zip(&expected.q).all(|(a, b)| close(*a, *b)),
            "{name}: transition {i}: position {draw:?}, expected {:?}",
            expected.q
        );
        assert!(
            close(stats.energy, expected.energy),
            "{name}: transition {i}: energy"
        );
        assert!(
            close(stats.acceptance_probability, expected.accept_stat),
            "{name}: transition {i}: acceptance statistic"
        );
    }
    chain
}

fn summary(chain: &UnconstrainedChain) -> (f64, usize, usize) {
    let n = chain.stats.len() as f64;
    let mean_depth = chain.stats.iter().map(|s| s.tree_depth as f64).sum::<f64>() / n;
    let distinct_depths = {
        let mut depths: Vec<usize> = chain.stats.iter().map(|s| s.tree_depth).collect();
        depths.sort_unstable();
        depths.dedup();
        depths.len()
    };
    let divergent = chain.stats.iter().filter(|s| s.divergent).count();
    (mean_depth, distinct_depths, divergent)
}

/// Trees of depth 2 to 5 that stop at U-turns, in both directions.
#[test]
fn transitions_match_stan_on_an_anisotropic_gaussian() {
    let scales = [0.4, 0.7, 1.0, 1.6, 2.5];
    let gaussian = || Gaussian {
        scales: scales.to_vec(),
    };
    let chain = compare(
        "gaussian",
        gaussian,
        &[0.5, -0.3, 1.2, 0.0, -2.0],
        0.35,
        10,
        2019,
    );
    // The case exercises trees of several depths.
    let (mean_depth, distinct_depths, divergent) = summary(&chain);
    eprintln!("gaussian: mean depth {mean_depth:.2}, {distinct_depths} distinct depths");
    assert!(distinct_depths >= 3 && divergent == 0);
}

/// A step size at which about one transition in six diverges in the funnel's neck: discarded
/// subtrees and the divergence flag are compared too.
#[test]
fn transitions_match_stan_on_a_funnel_with_divergences() {
    let mut start = vec![0.4; 10];
    start[0] = -1.0;
    let chain = compare("funnel", || Funnel, &start, 0.8, 10, 2800);
    let (mean_depth, distinct_depths, divergent) = summary(&chain);
    eprintln!(
        "funnel: mean depth {mean_depth:.2}, {distinct_depths} distinct depths, {divergent} divergent"
    );
    assert!((5..=150).contains(&divergent), "{divergent}");
}

/// A small step on a wide target: most trees stop at the maximum depth rather than at a U-turn.
#[test]
fn transitions_match_stan_when_the_tree_depth_is_capped() {
    let gaussian = || Gaussian {
        scales: vec![1.0, 3.0, 10.0],
    };
    let chain = compare("capped", gaussian, &[1.0, -1.0, 0.5], 0.2, 4, 1701);
    let capped = chain.stats.iter().filter(|s| s.tree_depth == 4).count();
    eprintln!("capped: {capped} of 200 transitions reach the maximum depth 4");
    assert!((20..200).contains(&capped), "{capped}");
}
