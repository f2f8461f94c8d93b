//! Gradient-based inference: the target interface, NUTS and HMC, and the sampling driver.
//!
//! Samplers see a model only through [`GradientTarget`]: a log density on `R^n` with its gradient.
//! [`Sampler`] runs one chain of NUTS ([`Sampler::nuts`]) or static HMC
//! ([`Sampler::hmc_steps`], [`Sampler::hmc_integration_time`]) on it, with Stan's warmup, and
//! returns an [`UnconstrainedChain`]: its draws in the target's coordinates with per-transition
//! [`TransitionStats`] and the adapted settings. A [`ChainObserver`] such as [`ChainProgress`]
//! can watch the chain as it runs.

use crate::error::ModelError;

/// A differentiable log density on unconstrained coordinates: what NUTS and HMC sample from.
///
/// # Example
///
/// ```
/// use model_runtime::ModelError;
/// use model_runtime::inference::GradientTarget;
///
/// /// A standard normal in two dimensions.
/// struct StdNormal;
///
/// impl GradientTarget for StdNormal {
///     fn dim(&self) -> usize {
///         2
///     }
///     fn log_density_and_gradient(
///         &mut self,
///         position: &[f64],
///         gradient: &mut [f64],
///     ) -> Result<f64, ModelError> {
///         for (g, x) in gradient.iter_mut().zip(position) {
///             *g = -x;
///         }
///         Ok(-0.5 * position.iter().map(|x| x * x).sum::<f64>())
///     }
/// }
///
/// let mut g = [0.0; 2];
/// assert_eq!(StdNormal.log_density_and_gradient(&[1.0, 2.0], &mut g).unwrap(), -2.5);
/// assert_eq!(g, [-1.0, -2.0]);
/// ```
pub trait GradientTarget {
    /// Number of coordinates.
    fn dim(&self) -> usize;

    /// The log density at `position` (up to a constant), writing its gradient into `gradient`
    /// (same length as `position`). An error names the site whose density could not be computed.
    fn log_density_and_gradient(
        &mut self,
        position: &[f64],
        gradient: &mut [f64],
    ) -> Result<f64, ModelError>;
}

mod adaptation;
mod error;
mod hamiltonian;
mod hmc;
mod kernel;
mod low_rank;
mod mass_matrix;
mod nuts;
mod progress;
mod sampler;
mod stats;
mod step_size;

pub use adaptation::Adaptation;
pub use error::SamplerError;
pub use hmc::HmcKernel;
pub use kernel::TransitionKernel;
pub use mass_matrix::{MassMatrix, MassMatrixKind};
pub use nuts::NutsKernel;
pub use progress::{ChainObserver, ChainProgress, Phase, ProgressSnapshot};
pub use sampler::{Sampler, UnconstrainedChain};
pub use stats::TransitionStats;
