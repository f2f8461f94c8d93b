//! Why a sampler could not start. Its own module, so that the kernels, which check their
//! settings, and the sampler, which runs them, both depend on it rather than on each other.

use super::adaptation::Adaptation;
use super::mass_matrix::MassMatrixKind;
use super::step_size::StepSizeSearchError;
use crate::error::ModelError;

/// Why a [`Sampler`](super::Sampler) could not start: an invalid setting, or a bad initial point.
///
/// # Example
///
/// ```
/// use model_runtime::inference::{Sampler, SamplerError};
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
/// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(0);
/// let e = Sampler::nuts().run(&mut StdNormal(2), vec![0.0], &mut rng).unwrap_err();
/// assert!(matches!(e, SamplerError::DimensionMismatch { expected: 2, found: 1 }));
/// assert_eq!(e.to_string(), "the initial position has 1 coordinates but the target has 2");
/// let e = Sampler::nuts().target_acceptance(1.0).run(&mut StdNormal(1), vec![0.0], &mut rng);
/// assert!(matches!(e, Err(SamplerError::TargetAcceptanceOutOfRange { .. })));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SamplerError {
    /// The target mean acceptance is not strictly between 0 and 1.
    #[error(
        "target acceptance must be strictly between 0 and 1 (typically 0.8 to 0.99), got {value}"
    )]
    TargetAcceptanceOutOfRange {
        /// The rejected value.
        value: f64,
    },
    /// `thin` is zero.
    #[error("thin must be at least 1")]
    ThinZero,
    /// The initial step size is not a positive finite number.
    #[error("initial step size must be positive and finite, got {value}")]
    InitialStepSizeNotPositive {
        /// The rejected value.
        value: f64,
    },
    /// NUTS was given a maximum tree depth of zero.
    #[error("max tree depth must be at least 1")]
    MaxTreeDepthZero,
    /// Static HMC was given zero leapfrog steps.
    #[error("static HMC needs at least 1 leapfrog step")]
    LeapfrogStepsZero,
    /// The adaptation cannot estimate this kind of mass matrix.
    #[error(
        "{adaptation:?} adaptation cannot estimate a {kind:?} mass matrix: Windowed adapts Diagonal or Dense ones, GradientBased Diagonal or LowRank ones"
    )]
    UnsupportedMassMatrix {
        /// The adaptation asked for.
        adaptation: Adaptation,
        /// The mass matrix kind asked for.
        kind: MassMatrixKind,
    },
    /// Static HMC was given an integration time that is not a positive finite number.
    #[error("integration time must be positive and finite, got {time}")]
    IntegrationTimeNotPositive {
        /// The rejected value.
        time: f64,
    },
    /// The step size search doubled past 1e7 without the acceptance falling: the log density
    /// does not decrease in any direction, as for an improper posterior (Stan's "Posterior is
    /// improper").
    #[error(
        "the posterior looks improper: a step of size {step_size} is still accepted (check that every latent site has a proper prior or enough data)"
    )]
    ImproperPosterior {
        /// The last step size tried.
        step_size: f64,
    },
    /// The step size search halved to 0 without the acceptance rising: the log density is not
    /// continuous at the current point (Stan's "No acceptably small step size").
    #[error(
        "no acceptably small step size: even the smallest step is rejected (is the log density continuous?)"
    )]
    StepSizeZero,
    /// A resumed chain was given a step size that is not a positive finite number.
    #[error("the step size must be positive and finite, got {0}")]
    InvalidStepSize(f64),
    /// The initial position's length differs from the target's dimension.
    #[error("the initial position has {found} coordinates but the target has {expected}")]
    DimensionMismatch {
        /// The target's dimension.
        expected: usize,
        /// The initial position's length.
        found: usize,
    },
    /// A coordinate of the initial position is NaN or infinite.
    #[error("coordinate {index} of the initial position is {value}; give finite coordinates")]
    InitialPositionNotFinite {
        /// The coordinate's index.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// The target returned an error at the initial position.
    #[error(
        "the log density cannot be computed at the initial position ({0}); start inside the support"
    )]
    InitialPoint(#[source] ModelError),
    /// The log density at the initial position is not finite.
    #[error("the log density at the initial position is {value}; start where it is finite")]
    InitialLogDensityNotFinite {
        /// The value returned.
        value: f64,
    },
    /// A coordinate of the gradient at the initial position is not finite.
    #[error(
        "coordinate {index} of the gradient at the initial position is {value}; start where it is finite"
    )]
    InitialGradientNotFinite {
        /// The coordinate's index.
        index: usize,
        /// Its value.
        value: f64,
    },
}

impl From<StepSizeSearchError> for SamplerError {
    fn from(error: StepSizeSearchError) -> Self {
        match error {
            StepSizeSearchError::ImproperPosterior { step_size } => {
                SamplerError::ImproperPosterior { step_size }
            }
            StepSizeSearchError::StepSizeZero => SamplerError::StepSizeZero,
        }
    }
}
