//! The improper uniform "distribution" over a support.

use rand::Rng;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue};
use crate::scalar::Scalar;
use crate::value::Real;

/// A flat log density over a continuous support: `ln p(x) = 0` inside it, `-∞` outside.
///
/// It is not normalizable (over `Real` or `Positive`) and has **no sampler**: [`Distribution::sample`]
/// returns `None`, and it does not implement [`Samplable`](crate::distributions::Samplable), so a
/// model cannot use it for an observed site that Predictive would have to sample. Its use is as the
/// base of a reparameterized latent site (`CircularReparam` turns a latent `VonMises` into an
/// `ImproperUniform` over `Support::Circular` plus a factor).
///
/// Reference: NumPyro `dist.ImproperUniform(support, batch_shape, event_shape)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = ImproperUniform::new(Support::Positive)?;
/// assert_eq!(d.log_prob(&3.0), 0.0);
/// assert_eq!(d.log_prob(&-1.0), f64::NEG_INFINITY);
/// assert_eq!(d.sample(&mut rand::rngs::ChaCha8Rng::from_seed([0; 32])), None);
/// assert!(ImproperUniform::new(Support::Interval(1.0, 0.0)).is_err());
/// # use rand::SeedableRng;
/// # Ok::<(), ImproperUniformError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImproperUniform<T = f64> {
    support: Support<T>,
}

/// Why an [`ImproperUniform`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ImproperUniformError {
    /// A bound of the support is NaN or infinite.
    #[error("ImproperUniform support bounds must be finite, got {bound}")]
    BoundNotFinite {
        /// The rejected bound.
        bound: f64,
    },
    /// The interval's lower bound is not below its upper bound.
    #[error(
        "ImproperUniform interval must have lower < upper, got lower {lower} and upper {upper}"
    )]
    EmptyInterval {
        /// The lower bound.
        lower: f64,
        /// The upper bound.
        upper: f64,
    },
    /// The support is discrete (`Boolean` or `NonNegativeInteger`); the values of an
    /// `ImproperUniform` are real.
    #[error("ImproperUniform support must be continuous, got a discrete support")]
    DiscreteSupport,
}

impl<T: Scalar> ImproperUniform<T> {
    /// A flat density over `support`, which must be continuous with finite bounds.
    pub fn new(support: Support<T>) -> Result<Self, ImproperUniformError> {
        let finite = |bound: T| {
            let bound = bound.value();
            if bound.is_finite() {
                Ok(bound)
            } else {
                Err(ImproperUniformError::BoundNotFinite { bound })
            }
        };
        match support {
            Support::Interval(lower, upper) => {
                let (lower, upper) = (finite(lower)?, finite(upper)?);
                if lower >= upper {
                    return Err(ImproperUniformError::EmptyInterval { lower, upper });
                }
            }
            Support::GreaterThan(bound) | Support::LessThan(bound) => {
                finite(bound)?;
            }
            Support::Boolean | Support::NonNegativeInteger => {
                return Err(ImproperUniformError::DiscreteSupport);
            }
            Support::Real | Support::Positive | Support::UnitInterval | Support::Circular => {}
        }
        Ok(ImproperUniform { support })
    }
}

impl<T: Scalar> Distribution for ImproperUniform<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "ImproperUniform";

    fn log_prob(&self, x: &T) -> T {
        if self.support.contains(x.value()) {
            T::from_f64(0.0)
        } else {
            T::from_f64(f64::NEG_INFINITY)
        }
    }

    fn support(&self) -> Support<T> {
        self.support
    }

    /// Always `None`: an improper density cannot be sampled.
    fn sample<R: Rng + ?Sized>(&self, _rng: &mut R) -> Option<PlainValue<Self>> {
        None
    }
}

impl<T: Scalar> Family for ImproperUniform<T> {
    type At<U: Scalar> = ImproperUniform<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circular_support_is_half_open() {
        let d = ImproperUniform::new(Support::Circular).unwrap();
        assert_eq!(d.log_prob(&-core::f64::consts::PI), 0.0);
        assert_eq!(d.log_prob(&core::f64::consts::PI), f64::NEG_INFINITY);
    }
}
