//! [`Sampler::run`]: one chain, Stan's warmup (step size and mass matrix adapted by the chosen
//! [`Adaptation`](crate::inference::Adaptation)) then sampling, with one Hamiltonian and one
//! transition workspace reused for the whole chain; and the checks of the initial point, the
//! only place where a failing target is an error rather than a divergence. An optional
//! [`ChainObserver`] sees each phase and transition as they happen.

use std::time::{Duration, Instant};

use rand::Rng;

use super::Sampler;
use super::unconstrained_chain::UnconstrainedChain;
use crate::inference::GradientTarget;
use crate::inference::adaptation::Warmup;
use crate::inference::error::SamplerError;
use crate::inference::hamiltonian::{Hamiltonian, PhasePoint};
use crate::inference::kernel::TransitionKernel;
use crate::inference::mass_matrix::MassMatrix;
use crate::inference::progress::{ChainObserver, Phase};
use crate::inference::stats::TransitionStats;
use crate::inference::step_size::initial_step_size;

impl<K: TransitionKernel> Sampler<K> {
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
    /// let chain = Sampler::nuts().warmup(200).samples(200)
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
    ) -> Result<UnconstrainedChain, SamplerError>
    where
        T: GradientTarget + ?Sized,
        R: Rng + ?Sized,
    {
        self.run_with_observer(target, initial_position, rng, &mut ())
    }

    /// [`run`](Sampler::run), reporting the start of each phase and every transition to
    /// `observer` as the chain goes, e.g. to a [`ChainProgress`] that a display reads from
    /// another thread. The observer never sees the random stream: the chain is the one `run`
    /// returns.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::{ChainProgress, Sampler};
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
    /// let sampler = Sampler::nuts().warmup(100).samples(40);
    /// let seeded = || rand::rngs::ChaCha8Rng::seed_from_u64(8);
    /// let progress = ChainProgress::new();
    /// let observed =
    ///     sampler.run_with_observer(&mut StdNormal(2), vec![0.0; 2], &mut seeded(), &mut &progress)?;
    /// assert_eq!(progress.snapshot().completed, 140);
    /// assert_eq!(observed, sampler.run(&mut StdNormal(2), vec![0.0; 2], &mut seeded())?);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    ///
    /// [`ChainProgress`]: crate::inference::ChainProgress
    pub fn run_with_observer<T, R, O>(
        &self,
        target: &mut T,
        initial_position: Vec<f64>,
        rng: &mut R,
        observer: &mut O,
    ) -> Result<UnconstrainedChain, SamplerError>
    where
        T: GradientTarget + ?Sized,
        R: Rng + ?Sized,
        O: ChainObserver + ?Sized,
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
        let mut warmup_draws = Vec::new();
        let mut interrupted = false;
        let mut rejected_estimates = Vec::new();
        let mut target_acceptance = self.target_acceptance;
        observer.phase_started(Phase::Warmup, self.num_warmup);
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
            step_size = initial_step_size(&mut hamiltonian, &current, step_size, rng)?;
            // Where the transition started: one that returns it taught the estimators nothing.
            let mut start = current.position.clone();
            for iteration in 0..self.num_warmup {
                start.copy_from_slice(&current.position);
                let stats = self.kernel.transition(
                    &mut hamiltonian,
                    &mut current,
                    &mut workspace,
                    step_size,
                    rng,
                );
                observer.transition(Phase::Warmup, iteration, &stats);
                warmup_stats.push(stats);
                if self.save_warmup && iteration % self.thin == 0 {
                    observer.draw(Phase::Warmup, &current.position, &stats);
                    warmup_draws.push(current.position.clone());
                }
                if observer.stop() {
                    interrupted = true;
                    break;
                }
                let moved = start != current.position;
                let learned = warmup.learn(&stats, &current, moved, hamiltonian.mass_matrix_mut());
                step_size = learned.step_size;
                if learned.restart_step_size {
                    step_size = initial_step_size(&mut hamiltonian, &current, step_size, rng)?;
                    warmup.restart_step_size(step_size);
                }
            }
            step_size = warmup.final_step_size();
            rejected_estimates = warmup.rejected_estimates().to_vec();
            target_acceptance = warmup.target_acceptance();
        }

        let warmup_time = warmup_start.elapsed();
        let sampled = if interrupted {
            // A chain stopped during warmup has no sampling phase.
            Sampled::none(&current)
        } else {
            observer.adapted(step_size, hamiltonian.mass_matrix());
            self.sample(
                &mut hamiltonian,
                current,
                &mut workspace,
                step_size,
                rng,
                observer,
            )
        };
        Ok(UnconstrainedChain {
            draws: sampled.draws,
            stats: sampled.stats,
            warmup_stats,
            warmup_draws,
            step_size,
            mass_matrix: hamiltonian.into_mass_matrix(),
            warmup_time,
            sampling_time: sampled.time,
            interrupted: interrupted || sampled.interrupted,
            last_position: sampled.last_position,
            rejected_estimates,
            target_acceptance,
        })
    }

    /// The sampling phase only, at a given `step_size` and inverse `mass_matrix`, from
    /// `position`: what continues a chain whose warmup is done. Run with the random stream the
    /// first run left off at (the fit keeps it), a continued chain makes the same draws as one
    /// longer run would have (when the draws so far were a whole number of thinning periods),
    /// since a sampling transition depends on nothing but the position, the step size, the
    /// metric and the random stream.
    ///
    /// Fails, before any transition, on an invalid setting, a mass matrix of another dimension
    /// than the target, a step size that is not positive and finite, or a failing target at
    /// `position`.
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
    /// let seeded = || rand::rngs::ChaCha8Rng::seed_from_u64(4);
    /// let long = Sampler::nuts().warmup(100).samples(60).run(&mut StdNormal(3), vec![0.5; 3], &mut seeded())?;
    ///
    /// // The same chain in two parts: 20 draws, then 40 more from where it stopped.
    /// let mut rng = seeded();
    /// let first = Sampler::nuts().warmup(100).samples(20).run(&mut StdNormal(3), vec![0.5; 3], &mut rng)?;
    /// let rest = Sampler::nuts().samples(40).run_adapted(
    ///     &mut StdNormal(3),
    ///     first.last_position.clone(),
    ///     first.step_size,
    ///     first.mass_matrix.clone(),
    ///     &mut rng,
    ///     &mut (),
    /// )?;
    /// assert_eq!([first.draws, rest.draws].concat(), long.draws);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn run_adapted<T, R, O>(
        &self,
        target: &mut T,
        position: Vec<f64>,
        step_size: f64,
        mass_matrix: MassMatrix,
        rng: &mut R,
        observer: &mut O,
    ) -> Result<UnconstrainedChain, SamplerError>
    where
        T: GradientTarget + ?Sized,
        R: Rng + ?Sized,
        O: ChainObserver + ?Sized,
    {
        self.check()?;
        let dim = target.dim();
        if mass_matrix.dim() != dim {
            return Err(SamplerError::DimensionMismatch {
                expected: dim,
                found: mass_matrix.dim(),
            });
        }
        if !(step_size.is_finite() && step_size > 0.0) {
            return Err(SamplerError::InvalidStepSize(step_size));
        }
        let current = initial_point(target, position)?;
        let mut hamiltonian = Hamiltonian::new(target, mass_matrix);
        let mut workspace = self.kernel.workspace(dim);
        observer.phase_started(Phase::Warmup, 0);
        observer.adapted(step_size, hamiltonian.mass_matrix());
        let sampled = self.sample(
            &mut hamiltonian,
            current,
            &mut workspace,
            step_size,
            rng,
            observer,
        );
        Ok(UnconstrainedChain {
            draws: sampled.draws,
            stats: sampled.stats,
            warmup_stats: Vec::new(),
            warmup_draws: Vec::new(),
            step_size,
            mass_matrix: hamiltonian.into_mass_matrix(),
            warmup_time: Duration::ZERO,
            sampling_time: sampled.time,
            interrupted: sampled.interrupted,
            last_position: sampled.last_position,
            rejected_estimates: Vec::new(),
            target_acceptance: self.target_acceptance,
        })
    }

    /// The sampling phase: `num_samples` transitions at a fixed step size and metric, every
    /// `thin`-th kept.
    fn sample<T, R, O>(
        &self,
        hamiltonian: &mut Hamiltonian<'_, T>,
        mut current: PhasePoint,
        workspace: &mut K::Workspace,
        step_size: f64,
        rng: &mut R,
        observer: &mut O,
    ) -> Sampled
    where
        T: GradientTarget + ?Sized,
        R: Rng + ?Sized,
        O: ChainObserver + ?Sized,
    {
        observer.phase_started(Phase::Sampling, self.num_samples);
        let start = Instant::now();
        // Reserved up front to spare the chain reallocations, but not for a run that is
        // meant to be stopped (a cancel handle on ten million draws).
        let kept = self.num_samples.div_ceil(self.thin).min(1 << 16);
        let mut draws = Vec::with_capacity(kept);
        let mut stats = Vec::with_capacity(kept);
        let mut interrupted = false;
        for iteration in 0..self.num_samples {
            let transition =
                self.kernel
                    .transition(hamiltonian, &mut current, workspace, step_size, rng);
            observer.transition(Phase::Sampling, iteration, &transition);
            if iteration % self.thin == 0 {
                observer.draw(Phase::Sampling, &current.position, &transition);
                draws.push(current.position.clone());
                stats.push(transition);
            }
            if observer.stop() {
                interrupted = true;
                break;
            }
        }
        Sampled {
            draws,
            stats,
            time: start.elapsed(),
            interrupted,
            last_position: current.position,
        }
    }
}

/// What the sampling phase made.
struct Sampled {
    draws: Vec<Vec<f64>>,
    stats: Vec<TransitionStats>,
    time: Duration,
    interrupted: bool,
    last_position: Vec<f64>,
}

impl Sampled {
    /// No sampling phase (the chain was stopped in warmup) at `current`.
    fn none(current: &PhasePoint) -> Self {
        Sampled {
            draws: Vec::new(),
            stats: Vec::new(),
            time: Duration::ZERO,
            interrupted: false,
            last_position: current.position.clone(),
        }
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
