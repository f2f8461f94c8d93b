//! The single-chain driver: warmup with Stan's adaptation, then sampling.

use std::time::{Duration, Instant};

use rand::Rng;

use super::GradientTarget;
use super::adaptation::{Adaptation, Warmup};
use super::error::SamplerError;
use super::hamiltonian::{Hamiltonian, PhasePoint};
use super::hmc::HmcKernel;
use super::kernel::TransitionKernel;
use super::mass_matrix::{MassMatrix, MassMatrixKind};
use super::nuts::NutsKernel;
use super::stats::TransitionStats;
use super::step_size::initial_step_size;

/// Runs one Markov chain of NUTS or static HMC on a [`GradientTarget`]: `num_warmup`
/// iterations of Stan's windowed adaptation of the step size and mass matrix, then
/// `num_samples` iterations whose draws (every `thin`-th) are returned in a [`Chain`].
///
/// Defaults are Stan's: 1000 warmup and 1000 sampling iterations, no thinning, target mean
/// acceptance 0.8, a diagonal mass matrix, initial step size 1, maximum tree depth 10.
///
/// Errors come only from the settings and from the initial point. Once sampling has started,
/// a target that fails (returns an error or a non-finite value) at some point of a trajectory
/// makes that transition divergent, as Stan does; see [`TransitionStats::divergent`].
///
/// # Example
///
/// ```
/// use model_runtime::ModelError;
/// use model_runtime::inference::{GradientTarget, Sampler};
/// use rand::SeedableRng;
/// use rand::rngs::ChaCha8Rng;
///
/// /// A normal with mean 3 and standard deviation 2.
/// struct Target;
///
/// impl GradientTarget for Target {
///     fn dim(&self) -> usize {
///         1
///     }
///     fn log_density_and_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, ModelError> {
///         let z = (x[0] - 3.0) / 2.0;
///         g[0] = -z / 2.0;
///         Ok(-0.5 * z * z)
///     }
/// }
///
/// let mut rng = ChaCha8Rng::seed_from_u64(42);
/// let chain = Sampler::nuts()
///     .num_warmup(500)
///     .num_samples(1000)
///     .run(&mut Target, vec![0.0], &mut rng)?;
/// assert_eq!(chain.draws.len(), 1000);
/// let mean = chain.draws.iter().map(|d| d[0]).sum::<f64>() / 1000.0;
/// assert!((mean - 3.0).abs() < 0.3);
/// // The adapted inverse mass matrix estimates the posterior variance, 4.
/// assert!((2.5..6.0).contains(&chain.mass_matrix.inverse_diagonal()[0]));
/// # Ok::<(), model_runtime::inference::SamplerError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sampler<K = NutsKernel> {
    kernel: K,
    num_warmup: usize,
    num_samples: usize,
    thin: usize,
    target_acceptance: f64,
    mass_matrix: MassMatrixKind,
    adaptation: Adaptation,
    initial_step_size: f64,
}

/// The draws of one chain, their statistics, and what warmup adapted.
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
/// let chain = Sampler::nuts().num_warmup(150).num_samples(100).thin(3)
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
pub struct Chain {
    /// The kept draws of the sampling phase, in order, each a position in the target's
    /// (unconstrained) coordinates. Warmup draws are not kept.
    pub draws: Vec<Vec<f64>>,
    /// Statistics of the transitions that produced `draws`, one per draw.
    pub stats: Vec<TransitionStats>,
    /// Statistics of every warmup transition (empty without warmup).
    pub warmup_stats: Vec<TransitionStats>,
    /// The step size used for sampling: the adapted one, or the initial one without warmup.
    pub step_size: f64,
    /// The inverse mass matrix used for sampling: the adapted one, or the identity.
    pub mass_matrix: MassMatrix,
    /// Wall time of warmup.
    pub warmup_time: Duration,
    /// Wall time of the sampling phase.
    pub sampling_time: Duration,
}

/// Chains are equal when their draws, statistics and adapted settings are; wall times differ
/// from run to run and are not compared.
impl PartialEq for Chain {
    fn eq(&self, other: &Chain) -> bool {
        self.draws == other.draws
            && self.stats == other.stats
            && self.warmup_stats == other.warmup_stats
            && self.step_size == other.step_size
            && self.mass_matrix == other.mass_matrix
    }
}

impl Sampler<NutsKernel> {
    /// The No-U-Turn Sampler (Stan's multinomial NUTS) with Stan's defaults.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::Sampler;
    ///
    /// let sampler = Sampler::nuts();
    /// assert_eq!(sampler, Sampler::nuts().num_warmup(1000).num_samples(1000).max_tree_depth(10));
    /// ```
    pub fn nuts() -> Self {
        Sampler::with_kernel(NutsKernel::new(NutsKernel::DEFAULT_MAX_TREE_DEPTH))
    }

    /// The maximum number of trajectory doublings (default 10): at most `2^depth - 1`
    /// leapfrog steps per transition. Transitions that reach it are usually a sign of a
    /// badly scaled or strongly correlated posterior; must be at least 1.
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    /// let chain = Sampler::nuts().max_tree_depth(2).num_warmup(0).num_samples(20)
    ///     .initial_step_size(0.01)
    ///     .run(&mut StdNormal(1), vec![0.0], &mut rng)?;
    /// assert!(chain.stats.iter().all(|s| s.tree_depth <= 2 && s.leapfrog_steps <= 3));
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn max_tree_depth(mut self, depth: usize) -> Self {
        self.kernel = NutsKernel::new(depth);
        self
    }
}

impl Sampler<HmcKernel> {
    /// Static HMC with `steps` leapfrog steps per transition (at least 1), whatever the step
    /// size.
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    /// let chain = Sampler::hmc_steps(5).num_warmup(100).num_samples(50)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert!(chain.stats.iter().all(|s| s.leapfrog_steps == 5 && s.tree_depth == 0));
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn hmc_steps(steps: usize) -> Self {
        Sampler::with_kernel(HmcKernel::steps(steps))
    }

    /// Static HMC with integration time `time` per transition: `max(1, ⌊time / ε⌋)` leapfrog
    /// steps of the current step size `ε` (Stan's `static_hmc` with `int_time`), at most 65536.
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    /// let chain = Sampler::hmc_integration_time(1.5).num_warmup(0).num_samples(10)
    ///     .initial_step_size(0.25)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert!(chain.stats.iter().all(|s| s.leapfrog_steps == 6));
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn hmc_integration_time(time: f64) -> Self {
        Sampler::with_kernel(HmcKernel::integration_time(time))
    }
}

impl<K: TransitionKernel> Sampler<K> {
    /// The kernel's maximum tree depth (NUTS only).
    pub(crate) fn tree_depth_limit(&self) -> Option<usize> {
        self.kernel.max_tree_depth()
    }

    fn with_kernel(kernel: K) -> Self {
        Sampler {
            kernel,
            num_warmup: 1000,
            num_samples: 1000,
            thin: 1,
            target_acceptance: 0.8,
            mass_matrix: MassMatrixKind::Diagonal,
            adaptation: Adaptation::Windowed,
            initial_step_size: 1.0,
        }
    }

    /// Number of warmup (adaptation) iterations, default 1000; their draws are discarded.
    /// With 0 the step size stays at its initial value and the mass matrix at the identity;
    /// below 20 only the step size adapts; below 150 the adaptation windows shrink to
    /// 15% / 75% / 10% of the warmup (Stan's rules).
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    /// let chain = Sampler::nuts().num_warmup(0).num_samples(3).initial_step_size(0.5)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!(chain.step_size, 0.5);
    /// assert!(chain.warmup_stats.is_empty());
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn num_warmup(mut self, iterations: usize) -> Self {
        self.num_warmup = iterations;
        self
    }

    /// Number of sampling iterations after warmup, default 1000. With thinning, the chain
    /// keeps iterations `0, thin, 2·thin, …`: `⌈num_samples / thin⌉` draws.
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    /// let chain = Sampler::nuts().num_warmup(50).num_samples(7)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!(chain.draws.len(), 7);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn num_samples(mut self, iterations: usize) -> Self {
        self.num_samples = iterations;
        self
    }

    /// Keep every `thin`-th sampling iteration (default 1: all); must be at least 1.
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    /// let chain = Sampler::nuts().num_warmup(50).num_samples(10).thin(5)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!(chain.draws.len(), 2);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn thin(mut self, thin: usize) -> Self {
        self.thin = thin;
        self
    }

    /// The mean acceptance statistic that step size adaptation aims for (Stan's
    /// `adapt_delta`), default 0.8, strictly between 0 and 1. Raise it (0.9, 0.99) to get a
    /// smaller step size when there are divergences.
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
    /// let run = |acceptance| {
    ///     let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    ///     Sampler::nuts().num_warmup(300).num_samples(10).target_acceptance(acceptance)
    ///         .run(&mut StdNormal(10), vec![0.0; 10], &mut rng)
    /// };
    /// assert!(run(0.99)?.step_size < run(0.6)?.step_size);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn target_acceptance(mut self, acceptance: f64) -> Self {
        self.target_acceptance = acceptance;
        self
    }

    /// Whether warmup adapts a diagonal (default) or a dense inverse mass matrix.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::{MassMatrixKind, Sampler};
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    /// let chain = Sampler::nuts().mass_matrix(MassMatrixKind::Dense).num_warmup(200)
    ///     .num_samples(10).run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!(chain.mass_matrix.kind(), MassMatrixKind::Dense);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn mass_matrix(mut self, kind: MassMatrixKind) -> Self {
        self.mass_matrix = kind;
        self
    }

    /// How warmup adapts the mass matrix: Stan's windowed schedule (the default) or nutpie's
    /// gradient-based one (diagonal only). See [`Adaptation`].
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::{Adaptation, Sampler};
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(4);
    /// let chain = Sampler::nuts().adaptation(Adaptation::GradientBased).num_warmup(200)
    ///     .num_samples(10).run(&mut StdNormal(3), vec![0.5; 3], &mut rng)?;
    /// // For a standard normal, sqrt(Var x / Var g) is 1.
    /// assert!(chain.mass_matrix.inverse_diagonal().iter().all(|v| (0.5..2.0).contains(v)));
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn adaptation(mut self, adaptation: Adaptation) -> Self {
        self.adaptation = adaptation;
        self
    }

    /// The step size warmup starts from (default 1, Stan's `stepsize`), or the step size used
    /// throughout when there is no warmup. Must be positive and finite.
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
    /// let chain = Sampler::nuts().num_warmup(0).num_samples(5).initial_step_size(0.3)
    ///     .run(&mut StdNormal(1), vec![0.0], &mut rng)?;
    /// assert!(chain.stats.iter().all(|s| s.step_size == 0.3));
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn initial_step_size(mut self, step_size: f64) -> Self {
        self.initial_step_size = step_size;
        self
    }

    /// Runs warmup and sampling on `target` from `initial_position`, drawing random numbers
    /// from `rng` (for reproducible parallel chains, give each chain its own stream, e.g.
    /// `ChaCha8Rng::seed_from_u64(seed)` with `set_stream(chain)`).
    ///
    /// Fails, before any transition, on an invalid setting or when the target errors or is not
    /// finite (value or gradient) at `initial_position`. Never fails afterwards: failures of the
    /// target inside trajectories become divergent transitions.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::{ModelError, ModelErrorKind};
    /// use model_runtime::inference::{GradientTarget, Sampler, SamplerError};
    /// use rand::SeedableRng;
    ///
    /// /// A standard normal restricted to x < 1 by failing elsewhere.
    /// struct Truncated;
    ///
    /// impl GradientTarget for Truncated {
    ///     fn dim(&self) -> usize {
    ///         1
    ///     }
    ///     fn log_density_and_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, ModelError> {
    ///         if x[0] >= 1.0 {
    ///             return Err(ModelError::new("x", &[], ModelErrorKind::OutOfSupport { value: x[0] }));
    ///         }
    ///         g[0] = -x[0];
    ///         Ok(-0.5 * x[0] * x[0])
    ///     }
    /// }
    ///
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(9);
    /// let chain = Sampler::nuts().num_warmup(200).num_samples(200)
    ///     .run(&mut Truncated, vec![0.0], &mut rng)?;
    /// assert!(chain.draws.iter().all(|d| d[0] < 1.0));
    /// assert!(chain.warmup_stats.iter().chain(&chain.stats).any(|s| s.divergent));
    ///
    /// let start_outside = Sampler::nuts().run(&mut Truncated, vec![2.0], &mut rng);
    /// assert!(matches!(start_outside, Err(SamplerError::InitialPoint(_))));
    /// # Ok::<(), SamplerError>(())
    /// ```
    pub fn run<T, R>(
        &self,
        target: &mut T,
        initial_position: Vec<f64>,
        rng: &mut R,
    ) -> Result<Chain, SamplerError>
    where
        T: GradientTarget + ?Sized,
        R: Rng + ?Sized,
    {
        self.check()?;
        let dim = target.dim();
        let mut current = initial_point(target, initial_position)?;
        let warmup_start = Instant::now();

        // One Hamiltonian and one workspace for the whole chain: transitions reuse their
        // buffers, so that once warm they allocate nothing.
        let mut hamiltonian = Hamiltonian::new(target, MassMatrix::identity(self.mass_matrix, dim));
        let mut workspace = self.kernel.workspace(dim);
        let mut step_size = self.initial_step_size;
        let mut warmup_stats = Vec::with_capacity(self.num_warmup);
        if self.num_warmup > 0 {
            let mut warmup = Warmup::new(
                self.adaptation,
                self.num_warmup,
                self.target_acceptance,
                step_size,
                self.mass_matrix,
                dim,
            );
            warmup.start(&current, hamiltonian.mass_matrix_mut());
            step_size = initial_step_size(&mut hamiltonian, &current, step_size, rng);
            // Where the transition started: one that returns it taught the estimators nothing.
            let mut start = current.position.clone();
            for _ in 0..self.num_warmup {
                start.copy_from_slice(&current.position);
                let stats = self.kernel.transition(
                    &mut hamiltonian,
                    &mut current,
                    &mut workspace,
                    step_size,
                    rng,
                );
                warmup_stats.push(stats);
                let moved = start != current.position;
                let learned = warmup.learn(&stats, &current, moved, hamiltonian.mass_matrix_mut());
                step_size = learned.step_size;
                if learned.restart_step_size {
                    step_size = initial_step_size(&mut hamiltonian, &current, step_size, rng);
                    warmup.restart_step_size(step_size);
                }
            }
            step_size = warmup.final_step_size();
        }

        let warmup_time = warmup_start.elapsed();
        let sampling_start = Instant::now();
        let kept = self.num_samples.div_ceil(self.thin);
        let mut draws = Vec::with_capacity(kept);
        let mut stats = Vec::with_capacity(kept);
        for iteration in 0..self.num_samples {
            let transition = self.kernel.transition(
                &mut hamiltonian,
                &mut current,
                &mut workspace,
                step_size,
                rng,
            );
            if iteration % self.thin == 0 {
                draws.push(current.position.clone());
                stats.push(transition);
            }
        }
        Ok(Chain {
            draws,
            stats,
            warmup_stats,
            step_size,
            mass_matrix: hamiltonian.into_mass_matrix(),
            warmup_time,
            sampling_time: sampling_start.elapsed(),
        })
    }

    fn check(&self) -> Result<(), SamplerError> {
        if !(self.target_acceptance > 0.0 && self.target_acceptance < 1.0) {
            return Err(SamplerError::TargetAcceptanceOutOfRange {
                value: self.target_acceptance,
            });
        }
        if self.thin == 0 {
            return Err(SamplerError::ThinZero);
        }
        let step = self.initial_step_size;
        if !(step > 0.0 && step.is_finite()) {
            return Err(SamplerError::InitialStepSizeNotPositive { value: step });
        }
        let supported = match self.adaptation {
            Adaptation::Windowed => self.mass_matrix != MassMatrixKind::LowRank,
            Adaptation::GradientBased => self.mass_matrix != MassMatrixKind::Dense,
        };
        if !supported {
            return Err(SamplerError::UnsupportedMassMatrix {
                adaptation: self.adaptation,
                kind: self.mass_matrix,
            });
        }
        self.kernel.check()
    }
}

/// Evaluates the target at the initial position, where every failure is an error.
fn initial_point<T: GradientTarget + ?Sized>(
    target: &mut T,
    position: Vec<f64>,
) -> Result<PhasePoint, SamplerError> {
    let expected = target.dim();
    if position.len() != expected {
        return Err(SamplerError::DimensionMismatch {
            expected,
            found: position.len(),
        });
    }
    if let Some((index, &value)) = position.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(SamplerError::InitialPositionNotFinite { index, value });
    }
    let mut point = PhasePoint::new(position);
    let value = target
        .log_density_and_gradient(&point.position, &mut point.gradient)
        .map_err(SamplerError::InitialPoint)?;
    if !value.is_finite() {
        return Err(SamplerError::InitialLogDensityNotFinite { value });
    }
    if let Some((index, &value)) = point
        .gradient
        .iter()
        .enumerate()
        .find(|(_, g)| !g.is_finite())
    {
        return Err(SamplerError::InitialGradientNotFinite { index, value });
    }
    point.log_density = value;
    Ok(point)
}
