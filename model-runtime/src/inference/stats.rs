//! What one MCMC transition reports.

/// Statistics of one transition, as Stan reports them (`stepsize__`, `treedepth__`,
/// `n_leapfrog__`, `divergent__`, `energy__`, `accept_stat__`, `lp__`).
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
/// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
/// let chain = Sampler::nuts().warmup(100).samples(50)
///     .run(&mut StdNormal(2), vec![0.0, 0.0], &mut rng)?;
/// let stats = &chain.stats[0];
/// assert_eq!(stats.step_size, chain.step_size);
/// // The kept tree has 2^depth - 1 steps; the rejected last doubling adds fewer than 2^depth.
/// let depth = stats.tree_depth as u32;
/// assert!(stats.leapfrog_steps >= (1 << depth) - 1 && stats.leapfrog_steps < (1 << (depth + 1)));
/// assert!(!stats.divergent);
/// assert!((0.0..=1.0).contains(&stats.acceptance_probability));
/// # Ok::<(), model_runtime::inference::SamplerError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransitionStats {
    /// The integrator step size used.
    pub step_size: f64,
    /// NUTS: how many times the trajectory doubled. Static HMC: 0.
    pub tree_depth: usize,
    /// Number of leapfrog steps, that is gradient evaluations, in this transition.
    pub leapfrog_steps: usize,
    /// Whether the energy error exceeded 1000 somewhere along the trajectory, or the target
    /// failed (returned an error or a non-finite value) there. A divergent transition ends
    /// early and is biased towards its start: many of them mean the results cannot be trusted.
    pub divergent: bool,
    /// The Hamiltonian (potential plus kinetic energy) of the returned state.
    pub energy: f64,
    /// The statistic step size adaptation steers towards the target acceptance (Stan's
    /// `accept_stat__`). NUTS: the mean over all leapfrog steps of the tree of
    /// `min(1, exp(H₀ - H))`. Static HMC: the Metropolis acceptance probability of the proposal.
    pub acceptance_probability: f64,
    /// The log density (up to its constant) at the returned position (Stan's `lp__`).
    pub log_density: f64,
}
