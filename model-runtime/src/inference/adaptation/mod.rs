//! Warmup: how the step size and the mass matrix are learned before sampling.
//!
//! Two schedules: Stan's windowed one ([`windowed`]), which sets the inverse mass matrix to the
//! covariance of the draws of doubling windows, and nutpie's ([`fisher`]), which sets it from
//! the draws *and their gradients* after every warmup draw.

mod fisher;
mod windowed;

use super::hamiltonian::PhasePoint;
use super::mass_matrix::{MassMatrix, MassMatrixKind};
use super::stats::TransitionStats;

/// How warmup adapts the mass matrix: Stan's windowed schedule or nutpie's gradient-based one.
///
/// # Example
///
/// ```
/// use model_runtime::inference::{Adaptation, Sampler};
/// use rand::SeedableRng;
/// # use model_runtime::{ModelError, inference::GradientTarget};
/// # struct Scaled;
/// # impl GradientTarget for Scaled {
/// #     fn dim(&self) -> usize { 2 }
/// #     fn log_density_and_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, ModelError> {
/// #         g[0] = -x[0] / 100.0;
/// #         g[1] = -x[1] * 100.0;
/// #         Ok(-0.5 * (x[0] * x[0] / 100.0 + x[1] * x[1] * 100.0))
/// #     }
/// # }
///
/// // A Gaussian with standard deviations 10 and 0.1.
/// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
/// let chain = Sampler::nuts()
///     .adaptation(Adaptation::GradientBased)
///     .warmup(300)
///     .samples(10)
///     .run(&mut Scaled, vec![1.0, 0.1], &mut rng)?;
/// // The adapted inverse mass matrix estimates the posterior variances, 100 and 0.01.
/// let variances = chain.mass_matrix.inverse_diagonal();
/// assert!((50.0..200.0).contains(&variances[0]) && (0.005..0.02).contains(&variances[1]));
/// # Ok::<(), model_runtime::inference::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Adaptation {
    /// Stan's windowed adaptation: a fast interval of 75 iterations, slow windows of 25, 50,
    /// 100, … iterations at the end of each of which `M⁻¹` becomes the regularized covariance
    /// of the window's draws, and a terminal fast interval of 50. Diagonal or dense
    /// ([`MassMatrixKind::Dense`]).
    #[default]
    Windowed,
    /// nutpie's adaptation (Seyboldt, Carlson and Carpenter): the diagonal `M⁻¹` that
    /// minimizes the Fisher divergence between the posterior and a Gaussian, estimated from
    /// draws `x` and their gradients `g` as `sqrt(Var x / Var g)`, updated after every warmup
    /// draw from the last 10 to 20 draws early on, then from windows that grow by half each
    /// time. The first estimate comes from the gradient at the initial point. The last 15% of
    /// warmup adapts only the step size. Diagonal or low-rank
    /// ([`MassMatrixKind::LowRank`]).
    ///
    /// Two departures from nutpie: a window whose draws and gradients show a transient (a
    /// chain still falling out of a steep tail) is not used for an estimate; and a divergence
    /// late in warmup, near the step size sampling would use, raises the target acceptance
    /// halfway to 1 (to at most 0.95; the chain's
    /// [`target_acceptance`](super::UnconstrainedChain::target_acceptance) says where it
    /// ended). On posteriordb's Poisson GP that takes the divergent transitions of 4 × 1000
    /// draws from about 100 to about 5 (32 over 6 seeds; the windowed schedule, 42).
    ///
    /// Not yet the default: its step sizes are larger than Stan's, which is where most of its
    /// gain in ESS per gradient comes from, and on the non-centred eight schools it leaves
    /// more of the rare divergences than the windowed schedule (26 against 4 over 12 seeds of
    /// 4 × 1000 draws), too rare to show in warmup.
    GradientBased,
}

/// What a warmup transition taught: the next step size, and whether to search anew for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Learned {
    /// The step size dual averaging proposes for the next transition.
    pub(crate) step_size: f64,
    /// The mass matrix changed so much that the driver must find a new step size with
    /// Stan's heuristic (starting from `step_size`) and call [`Warmup::restart_step_size`].
    pub(crate) restart_step_size: bool,
}

/// The warmup of one chain, under either schedule.
#[derive(Debug, Clone)]
pub(crate) enum Warmup {
    Windowed(windowed::WindowedWarmup),
    GradientBased(fisher::FisherWarmup),
}

impl Warmup {
    /// Warmup over `num_warmup` iterations from `step_size`, targeting mean acceptance
    /// `target_accept`, adapting a mass matrix of the given kind and dimension.
    pub(crate) fn new(
        adaptation: Adaptation,
        num_warmup: usize,
        target_accept: f64,
        step_size: f64,
        kind: MassMatrixKind,
        dim: usize,
    ) -> Self {
        match adaptation {
            Adaptation::Windowed => Warmup::Windowed(windowed::WindowedWarmup::new(
                num_warmup,
                target_accept,
                step_size,
                kind,
                dim,
            )),
            Adaptation::GradientBased => Warmup::GradientBased(fisher::FisherWarmup::new(
                num_warmup,
                target_accept,
                step_size,
                kind,
                dim,
            )),
        }
    }

    /// Learns from the initial point, before the first transition.
    pub(crate) fn start(&mut self, initial: &PhasePoint, mass_matrix: &mut MassMatrix) {
        match self {
            Warmup::Windowed(_) => {}
            Warmup::GradientBased(w) => w.start(initial, mass_matrix),
        }
    }

    /// Learns from one warmup transition that ended at `point`; `moved` is false when the
    /// transition returned its starting point.
    pub(crate) fn learn(
        &mut self,
        stats: &TransitionStats,
        point: &PhasePoint,
        moved: bool,
        mass_matrix: &mut MassMatrix,
    ) -> Learned {
        match self {
            Warmup::Windowed(w) => {
                w.learn(stats.acceptance_probability, &point.position, mass_matrix)
            }
            Warmup::GradientBased(w) => w.learn(stats, point, moved, mass_matrix),
        }
    }

    /// Restarts dual averaging from the step size found for the new mass matrix.
    pub(crate) fn restart_step_size(&mut self, step_size: f64) {
        match self {
            Warmup::Windowed(w) => w.restart_step_size(step_size),
            Warmup::GradientBased(w) => w.restart_step_size(step_size),
        }
    }

    /// Warmup iterations at which a mass matrix estimate was not finite or not positive
    /// definite and was not used (Stan's windowed schedule; nutpie's keeps each coordinate's
    /// old value when its own estimate is not finite, as nutpie does).
    pub(crate) fn rejected_estimates(&self) -> &[usize] {
        match self {
            Warmup::Windowed(w) => w.rejected_estimates(),
            Warmup::GradientBased(_) => &[],
        }
    }

    /// The step size for sampling, once warmup is over.
    pub(crate) fn final_step_size(&self) -> f64 {
        match self {
            Warmup::Windowed(w) => w.final_step_size(),
            Warmup::GradientBased(w) => w.final_step_size(),
        }
    }

    /// The target acceptance warmup ended with: the one asked for, or higher when divergences
    /// late in gradient-based warmup raised it.
    pub(crate) fn target_acceptance(&self) -> f64 {
        match self {
            Warmup::Windowed(w) => w.target_acceptance(),
            Warmup::GradientBased(w) => w.target_acceptance(),
        }
    }
}
