//! The trait that the transition kernels share.

use core::fmt::Debug;

use rand::Rng;

use super::GradientTarget;
use super::error::SamplerError;
use super::hamiltonian::{Hamiltonian, PhasePoint};
use super::stats::TransitionStats;

/// A transition kernel that [`Sampler`](super::Sampler) can drive: [`NutsKernel`](super::NutsKernel)
/// or [`HmcKernel`](super::HmcKernel). The trait is sealed; choose a kernel with
/// [`Sampler::nuts`](super::Sampler::nuts), [`Sampler::hmc_steps`](super::Sampler::hmc_steps)
/// or [`Sampler::hmc_integration_time`](super::Sampler::hmc_integration_time).
///
/// # Example
///
/// ```
/// use model_runtime::inference::{HmcKernel, NutsKernel, Sampler, TransitionKernel};
///
/// fn describe<K: TransitionKernel>(sampler: &Sampler<K>) -> String {
///     format!("{sampler:?}")
/// }
/// assert!(describe(&Sampler::nuts()).contains("NutsKernel"));
/// let hmc: Sampler<HmcKernel> = Sampler::hmc_steps(10);
/// assert!(describe(&hmc).contains("HmcKernel"));
/// # let _: Sampler<NutsKernel> = Sampler::nuts();
/// ```
pub trait TransitionKernel: sealed::Kernel + Clone + Debug {}

pub(crate) mod sealed {
    use super::*;

    /// The methods of [`TransitionKernel`](super::TransitionKernel), hidden from users.
    pub trait Kernel {
        /// The buffers a chain's transitions share: allocated once per chain by
        /// [`workspace`](Kernel::workspace), so that a warm transition allocates nothing.
        type Workspace;

        /// A workspace for a target with `dim` coordinates.
        fn workspace(&self, dim: usize) -> Self::Workspace;

        /// One transition from `current` (evaluated, with finite log density), replacing it by
        /// the next state. `workspace` holds no state between transitions, only buffers.
        fn transition<T, R>(
            &self,
            hamiltonian: &mut Hamiltonian<'_, T>,
            current: &mut PhasePoint,
            workspace: &mut Self::Workspace,
            step_size: f64,
            rng: &mut R,
        ) -> TransitionStats
        where
            T: GradientTarget + ?Sized,
            R: Rng + ?Sized;

        /// Rejects invalid settings before sampling starts.
        fn check(&self) -> Result<(), SamplerError>;

        /// The tree depth at which a trajectory stops without a U-turn (NUTS only), for the
        /// saturation warning.
        fn max_tree_depth(&self) -> Option<usize> {
            None
        }
    }
}

/// Divergence threshold on the energy error `H - H₀` (Stan's `max_deltaH_`).
pub(crate) const MAX_ENERGY_ERROR: f64 = 1000.0;
