//! [`Sampler::run`]: one chain, Stan's warmup (step size and mass matrix adapted by the chosen
//! [`Adaptation`](crate::inference::Adaptation)) then sampling, with one Hamiltonian and one
//! transition workspace reused for the whole chain; and the checks of the initial point, the
//! only place where a failing target is an error rather than a divergence. An optional
//! [`ChainObserver`] sees each phase and transition as they happen.

use std::time::Instant;

use rand::Rng;

use super::Sampler;
use super::chain::Chain;
use crate::inference::GradientTarget;
use crate::inference::adaptation::Warmup;
use crate::inference::error::SamplerError;
use crate::inference::hamiltonian::{Hamiltonian, PhasePoint};
use crate::inference::kernel::TransitionKernel;
use crate::inference::mass_matrix::MassMatrix;
use crate::inference::progress::{ChainObserver, Phase};
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
    ) -> Result<Chain, SamplerError>
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
    ) -> Result<Chain, SamplerError>
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
        }

        let warmup_time = warmup_start.elapsed();
        observer.phase_started(Phase::Sampling, self.num_samples);
        let sampling_start = Instant::now();
        let kept = self.num_samples.div_ceil(self.thin);
        let mut draws = Vec::with_capacity(kept);
        let mut stats = Vec::with_capacity(kept);
        // A chain stopped during warmup has no sampling phase.
        let sampling_iterations = if interrupted { 0 } else { self.num_samples };
        for iteration in 0..sampling_iterations {
            let transition = self.kernel.transition(
                &mut hamiltonian,
                &mut current,
                &mut workspace,
                step_size,
                rng,
            );
            observer.transition(Phase::Sampling, iteration, &transition);
            if iteration % self.thin == 0 {
                draws.push(current.position.clone());
                stats.push(transition);
            }
            if observer.stop() {
                interrupted = true;
                break;
            }
        }
        Ok(Chain {
            draws,
            stats,
            warmup_stats,
            warmup_draws,
            step_size,
            mass_matrix: hamiltonian.into_mass_matrix(),
            warmup_time,
            sampling_time: sampling_start.elapsed(),
            interrupted,
        })
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
