//! [`UnconstrainedChain`], what one run of the [`Sampler`](super::Sampler) returns: the kept
//! draws in the target's unconstrained coordinates, the statistics of every transition, and the
//! step size and mass matrix that warmup adapted.

use std::time::Duration;

use crate::inference::mass_matrix::MassMatrix;
use crate::inference::stats::TransitionStats;

/// One chain as the sampler sees it: its draws in the target's unconstrained coordinates,
/// their statistics, and what warmup adapted.
///
/// A fit of a model ([`Mcmc::run`](crate::results::mcmc::Mcmc::run)) maps these draws to typed
/// site values and keeps this struct whole in [`ChainFit::sampler`]: the statistics, step size
/// and mass matrix of a fitted chain are read there.
///
/// [`ChainFit::sampler`]: crate::results::fit::ChainFit::sampler
///
/// # Example
///
/// ```
/// use model_runtime::inference::Sampler;
/// use rand::SeedableRng;
/// # use model_runtime::{ModelError, inference::GradientTarget};
/// # struct StdNormal(usize);
/// # impl GradientTarget for StdNormal {
/// #     fn dim(&self) -> usize { self.0 }
/// #     fn log_density_and_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, ModelError> {
/// #         g.iter_mut().zip(x).for_each(|(g, x)| *g = -x);
/// #         Ok(-0.5 * x.iter().map(|x| x * x).sum::<f64>())
/// #     }
/// # }
///
/// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(5);
/// let chain = Sampler::nuts().warmup(150).samples(100).thin(3)
///     .run(&mut StdNormal(4), vec![1.0; 4], &mut rng)?;
/// assert_eq!((chain.draws.len(), chain.stats.len()), (34, 34)); // iterations 0, 3, …, 99
/// assert_eq!(chain.warmup_stats.len(), 150);
/// assert_eq!(chain.draws[0].len(), 4);
/// let divergent = chain.stats.iter().filter(|s| s.divergent).count();
/// assert_eq!(divergent, 0);
/// assert!(chain.step_size > 0.1 && chain.mass_matrix.dim() == 4);
/// # Ok::<(), model_runtime::inference::SamplerError>(())
/// ```
#[derive(Debug, Clone)]
pub struct UnconstrainedChain {
    /// The kept draws of the sampling phase, in order, each a position in the target's
    /// (unconstrained) coordinates.
    pub draws: Vec<Vec<f64>>,
    /// Statistics of the transitions that produced `draws`, one per draw.
    pub stats: Vec<TransitionStats>,
    /// Statistics of every warmup transition (empty without warmup).
    pub warmup_stats: Vec<TransitionStats>,
    /// The warmup draws, thinned as `draws` are, when the sampler was asked to
    /// [save them](crate::inference::Sampler::save_warmup); otherwise empty.
    pub warmup_draws: Vec<Vec<f64>>,
    /// The step size used for sampling: the adapted one, or the initial one without warmup.
    pub step_size: f64,
    /// The inverse mass matrix used for sampling: the adapted one, or the identity.
    pub mass_matrix: MassMatrix,
    /// The target acceptance the step size was adapted to: the one asked for, or higher when
    /// divergences late in gradient-based warmup raised it (see
    /// [`Adaptation::GradientBased`](crate::inference::Adaptation)).
    pub target_acceptance: f64,
    /// Wall time of warmup.
    pub warmup_time: Duration,
    /// Wall time of the sampling phase.
    pub sampling_time: Duration,
    /// Whether the observer stopped the chain before its last iteration
    /// ([`ChainObserver::stop`](crate::inference::ChainObserver::stop)): the draws are those
    /// made until then, and a chain stopped during warmup has none.
    pub interrupted: bool,
    /// Where the chain ended: the position after its last transition (the last draw when
    /// nothing was thinned away), from which [`Sampler::run_adapted`] continues it.
    ///
    /// [`Sampler::run_adapted`]: crate::inference::Sampler::run_adapted
    pub last_position: Vec<f64>,
    /// Warmup iterations at which the mass matrix estimate was not finite or not positive
    /// definite and was not used, the previous one kept (Stan reports these; a fit warns).
    pub rejected_estimates: Vec<usize>,
}

/// Chains are equal when their draws, statistics and adapted settings are; wall times differ
/// from run to run and are not compared.
impl PartialEq for UnconstrainedChain {
    fn eq(&self, other: &UnconstrainedChain) -> bool {
        self.draws == other.draws
            && self.stats == other.stats
            && self.warmup_stats == other.warmup_stats
            && self.warmup_draws == other.warmup_draws
            && self.step_size == other.step_size
            && self.mass_matrix == other.mass_matrix
            && self.target_acceptance == other.target_acceptance
            && self.interrupted == other.interrupted
            && self.last_position == other.last_position
            && self.rejected_estimates == other.rejected_estimates
    }
}
