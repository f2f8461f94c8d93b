//! The single-chain driver: warmup with Stan's adaptation, then sampling.
//!
//! [`Sampler`] and its settings are here; the run itself is in `run`, and its result, the
//! [`UnconstrainedChain`], in `unconstrained_chain`.

mod run;
mod unconstrained_chain;

use super::adaptation::Adaptation;
use super::error::SamplerError;
use super::hmc::HmcKernel;
use super::kernel::TransitionKernel;
use super::mass_matrix::MassMatrixKind;
use super::nuts::NutsKernel;

pub use unconstrained_chain::UnconstrainedChain;

/// Runs one Markov chain of NUTS or static HMC on a [`GradientTarget`]: `num_warmup`
/// iterations of Stan's windowed adaptation of the step size and mass matrix, then
/// `num_samples` iterations whose draws (every `thin`-th) are returned in an
/// [`UnconstrainedChain`].
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
///     .warmup(500)
///     .samples(1000)
///     .run(&mut Target, vec![0.0], &mut rng)?;
/// assert_eq!(chain.draws.len(), 1000);
/// let mean = chain.draws.iter().map(|d| d[0]).sum::<f64>() / 1000.0;
/// assert!((mean - 3.0).abs() < 0.3);
/// // The adapted inverse mass matrix estimates the posterior variance, 4.
/// assert!((2.5..6.0).contains(&chain.mass_matrix.inverse_diagonal()[0]));
/// # Ok::<(), model_runtime::inference::SamplerError>(())
/// ```
///
/// [`GradientTarget`]: super::GradientTarget
/// [`TransitionStats::divergent`]: super::TransitionStats::divergent
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
    save_warmup: bool,
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
    /// assert_eq!(sampler, Sampler::nuts().warmup(1000).samples(1000).max_tree_depth(10));
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
    /// let chain = Sampler::nuts().max_tree_depth(2).warmup(0).samples(20)
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
    /// let chain = Sampler::hmc_steps(5).warmup(100).samples(50)
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
    /// let chain = Sampler::hmc_integration_time(1.5).warmup(0).samples(10)
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

    /// Sampling iterations per chain, before thinning.
    pub(crate) fn num_samples(&self) -> usize {
        self.num_samples
    }

    /// Warmup iterations per chain.
    pub(crate) fn num_warmup(&self) -> usize {
        self.num_warmup
    }

    /// The kind of mass matrix warmup adapts.
    pub(crate) fn mass_matrix_kind(&self) -> MassMatrixKind {
        self.mass_matrix
    }

    /// How many sampling iterations there are per kept draw.
    pub(crate) fn thinning(&self) -> usize {
        self.thin
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
            save_warmup: false,
        }
    }

    /// Keep the warmup draws too (CmdStan's `save_warmup`), thinned as the sampling draws
    /// are, in [`UnconstrainedChain::warmup_draws`]; default off.
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
    /// let chain = Sampler::nuts().warmup(50).samples(10).thin(2).save_warmup(true)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!((chain.warmup_draws.len(), chain.warmup_stats.len()), (25, 50));
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn save_warmup(mut self, save: bool) -> Self {
        self.save_warmup = save;
        self
    }

    /// Number of warmup (adaptation) iterations, default 1000; their draws are discarded
    /// unless [`save_warmup`](Sampler::save_warmup) says otherwise.
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
    /// let chain = Sampler::nuts().warmup(0).samples(3).initial_step_size(0.5)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!(chain.step_size, 0.5);
    /// assert!(chain.warmup_stats.is_empty());
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn warmup(mut self, iterations: usize) -> Self {
        self.num_warmup = iterations;
        self
    }

    /// Number of sampling iterations after warmup, default 1000. With thinning, the chain
    /// keeps iterations `0, thin, 2·thin, …`: `⌈samples / thin⌉` draws.
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
    /// let chain = Sampler::nuts().warmup(50).samples(7)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!(chain.draws.len(), 7);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn samples(mut self, iterations: usize) -> Self {
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
    /// let chain = Sampler::nuts().warmup(50).samples(10).thin(5)
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
    ///     Sampler::nuts().warmup(300).samples(10).target_acceptance(acceptance)
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
    /// let chain = Sampler::nuts().mass_matrix(MassMatrixKind::Dense).warmup(200)
    ///     .samples(10).run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
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
    /// let chain = Sampler::nuts().adaptation(Adaptation::GradientBased).warmup(200)
    ///     .samples(10).run(&mut StdNormal(3), vec![0.5; 3], &mut rng)?;
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
    /// let chain = Sampler::nuts().warmup(0).samples(5).initial_step_size(0.3)
    ///     .run(&mut StdNormal(1), vec![0.0], &mut rng)?;
    /// assert!(chain.stats.iter().all(|s| s.step_size == 0.3));
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn initial_step_size(mut self, step_size: f64) -> Self {
        self.initial_step_size = step_size;
        self
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
