//! Static Hamiltonian Monte Carlo: a fixed-length leapfrog trajectory and a Metropolis
//! correction (Neal 2011, "MCMC using Hamiltonian dynamics", section 5.2; Stan's
//! `base_static_hmc`).

use rand::{Rng, RngExt};

use super::GradientTarget;
use super::error::SamplerError;
use super::hamiltonian::{Hamiltonian, PhasePoint};
use super::kernel::{MAX_ENERGY_ERROR, TransitionKernel, sealed};
use super::stats::TransitionStats;

/// Static HMC's transition: a fixed number of leapfrog steps, or a fixed integration time
/// (the number of steps then follows the adapted step size, as in Stan's `static_hmc`), and a
/// Metropolis accept/reject step. Choose it with [`Sampler::hmc_steps`](super::Sampler::hmc_steps)
/// or [`Sampler::hmc_integration_time`](super::Sampler::hmc_integration_time).
///
/// A trajectory stops early, and is rejected, once its energy error exceeds 1000 or the target
/// fails; the transition is then marked divergent.
///
/// # Example
///
/// ```
/// use model_runtime::inference::{HmcKernel, Sampler};
///
/// let by_steps: Sampler<HmcKernel> = Sampler::hmc_steps(16);
/// let by_time: Sampler<HmcKernel> = Sampler::hmc_integration_time(2.0);
/// assert_ne!(format!("{by_steps:?}"), format!("{by_time:?}"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HmcKernel {
    length: TrajectoryLength,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TrajectoryLength {
    Steps(usize),
    IntegrationTime(f64),
}

/// Upper bound on the leapfrog steps of one transition with a fixed integration time, so that a
/// collapsed step size cannot stall the chain.
const MAX_STEPS: usize = 1 << 16;

impl HmcKernel {
    pub(crate) fn steps(steps: usize) -> Self {
        HmcKernel {
            length: TrajectoryLength::Steps(steps),
        }
    }

    pub(crate) fn integration_time(time: f64) -> Self {
        HmcKernel {
            length: TrajectoryLength::IntegrationTime(time),
        }
    }

    /// Stan's `update_L_`: `L = max(1, ⌊T / ε⌋)`, here also capped at [`MAX_STEPS`].
    fn num_steps(&self, step_size: f64) -> usize {
        match self.length {
            TrajectoryLength::Steps(steps) => steps,
            TrajectoryLength::IntegrationTime(time) => {
                let steps = (time / step_size).floor();
                if steps >= MAX_STEPS as f64 {
                    MAX_STEPS
                } else if steps >= 1.0 {
                    steps as usize
                } else {
                    1
                }
            }
        }
    }
}

impl TransitionKernel for HmcKernel {}

impl sealed::Kernel for HmcKernel {
    /// The start of the trajectory, restored when the proposal is rejected.
    type Workspace = PhasePoint;

    fn workspace(&self, dim: usize) -> PhasePoint {
        PhasePoint::new(vec![0.0; dim])
    }

    fn transition<T, R>(
        &self,
        hamiltonian: &mut Hamiltonian<'_, T>,
        current: &mut PhasePoint,
        initial: &mut PhasePoint,
        step_size: f64,
        rng: &mut R,
    ) -> TransitionStats
    where
        T: GradientTarget + ?Sized,
        R: Rng + ?Sized,
    {
        hamiltonian.sample_momentum(&mut current.momentum, rng);
        initial.copy_from(current);
        let h0 = hamiltonian.energy(current);
        let mut leapfrog_steps = 0;
        let mut divergent = false;
        for _ in 0..self.num_steps(step_size) {
            hamiltonian.leapfrog(current, step_size);
            leapfrog_steps += 1;
            if hamiltonian.energy(current) - h0 > MAX_ENERGY_ERROR {
                divergent = true;
                break;
            }
        }
        let accept = (h0 - hamiltonian.energy(current)).exp().min(1.0);
        if accept < 1.0 && rng.random::<f64>() > accept {
            current.copy_from(initial);
        }
        TransitionStats {
            step_size,
            tree_depth: 0,
            leapfrog_steps,
            divergent,
            energy: hamiltonian.energy(current),
            acceptance_probability: accept,
            log_density: current.log_density,
        }
    }

    fn check(&self) -> Result<(), SamplerError> {
        match self.length {
            TrajectoryLength::Steps(0) => Err(SamplerError::LeapfrogStepsZero),
            TrajectoryLength::IntegrationTime(time) if !(time > 0.0 && time.is_finite()) => {
                Err(SamplerError::IntegrationTimeNotPositive { time })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inference::hamiltonian::tests::Gaussian;
    use crate::inference::kernel::sealed::Kernel;
    use crate::inference::mass_matrix::{MassMatrix, MassMatrixKind};
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    #[test]
    fn integration_time_sets_the_number_of_steps() {
        let kernel = HmcKernel::integration_time(1.0);
        assert_eq!(kernel.num_steps(0.3), 3);
        assert_eq!(kernel.num_steps(2.0), 1);
        assert_eq!(kernel.num_steps(1e-300), MAX_STEPS);
        assert_eq!(HmcKernel::steps(7).num_steps(123.0), 7);
        assert!(HmcKernel::steps(0).check().is_err());
        assert!(HmcKernel::integration_time(f64::NAN).check().is_err());
        assert!(HmcKernel::integration_time(-1.0).check().is_err());
    }

    #[test]
    fn rejection_restores_the_start_and_divergence_is_flagged() {
        let mut target = Gaussian {
            scales: vec![1.0; 2],
        };
        let metric = MassMatrix::identity(MassMatrixKind::Diagonal, 2);
        let mut hamiltonian = Hamiltonian::new(&mut target, metric);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut z = PhasePoint::new(vec![0.5, -0.5]);
        hamiltonian.evaluate(&mut z);
        let start = z.position.clone();
        let kernel = HmcKernel::steps(10);
        let mut initial = kernel.workspace(2);
        let stats = kernel.transition(&mut hamiltonian, &mut z, &mut initial, 1e3, &mut rng);
        assert!(stats.divergent && stats.leapfrog_steps == 1);
        assert_eq!(stats.acceptance_probability, 0.0);
        assert_eq!(z.position, start);
        // A small step is accepted with probability close to 1 and moves.
        let stats = kernel.transition(&mut hamiltonian, &mut z, &mut initial, 0.01, &mut rng);
        assert!(!stats.divergent && stats.acceptance_probability > 0.99);
        assert_ne!(z.position, start);
    }
}
