//! The point mass (Dirac delta) distribution.

use rand::Rng;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Reparameterized, Samplable};
use crate::scalar::Scalar;
use crate::value::Real;

/// The distribution that puts all its mass on `value`:
///
/// `ln p(x) = 0` for `x = value`, and `-∞` elsewhere
///
/// Its log density has zero derivative in `value`, as in NumPyro; it is meant for observed or
/// deterministic quantities, not for latent sites that gradient-based inference should move.
///
/// Reference: NumPyro `dist.Delta(v)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Delta::new(2.5)?;
/// assert_eq!(d.log_prob(&2.5), 0.0);
/// assert_eq!(d.log_prob(&2.5_f64.next_up()), f64::NEG_INFINITY);
/// assert_eq!((d.mean(), d.variance()), (Some(2.5), Some(0.0)));
/// assert!(Delta::new(f64::NAN).is_err());
/// # Ok::<(), DeltaError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delta<T = f64> {
    value: T,
}

/// Why a [`Delta`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum DeltaError {
    /// The point is NaN or infinite.
    #[error("Delta value must be finite, got {value}")]
    ValueNotFinite {
        /// The rejected point.
        value: f64,
    },
}

impl<T: Scalar> Delta<T> {
    /// A point mass at `value`, which must be finite.
    pub fn new(value: T) -> Result<Self, DeltaError> {
        if !value.value().is_finite() {
            return Err(DeltaError::ValueNotFinite {
                value: value.value(),
            });
        }
        Ok(Delta { value })
    }
}

impl<T: Scalar> Distribution for Delta<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "Delta";

    fn log_prob(&self, x: &T) -> T {
        T::from_f64(if x.value() == self.value.value() {
            0.0
        } else {
            f64::NEG_INFINITY
        })
    }

    fn support(&self) -> Support<T> {
        Support::Real
    }

    fn sample<R: Rng + ?Sized>(&self, _rng: &mut R) -> Option<PlainValue<Self>> {
        Some(self.value.value())
    }

    fn rsample<R: Rng + ?Sized>(&self, _rng: &mut R) -> Option<T> {
        Some(self.value)
    }

    fn mean(&self) -> Option<T> {
        Some(self.value)
    }

    fn variance(&self) -> Option<T> {
        Some(T::from_f64(0.0))
    }
}

impl<T: Scalar> Samplable for Delta<T> {}
impl<T: Scalar> Reparameterized for Delta<T> {}

impl<T: Scalar> Family for Delta<T> {
    type At<U: Scalar> = Delta<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_draw_is_the_point() {
        let d = Delta::new(-1.25).unwrap();
        let mut rng = <rand::rngs::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0);
        assert!((0..10).all(|_| d.sample(&mut rng) == Some(-1.25)));
        assert_eq!(d.log_prob(&1.25), f64::NEG_INFINITY);
    }
}
