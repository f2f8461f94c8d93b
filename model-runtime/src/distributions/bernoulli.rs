//! The Bernoulli distribution.

use rand::{Rng, RngExt};

use super::success::Parameter;
use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::sigmoid;
use crate::value::Boolean;

/// The Bernoulli distribution over `{false, true}` with `P(true) = p`:
///
/// `P(x) = p^x (1 - p)^(1 - x)`
///
/// Built from a probability ([`Bernoulli::new`]) or from log-odds `ℓ = ln(p / (1 - p))`
/// ([`Bernoulli::from_logits`]). From logits the log mass is `-ln(1 + e^-ℓ)` for `true` and
/// `-ln(1 + e^ℓ)` for `false`, exact for any finite `ℓ` (a logit of -800 gives
/// `ln P(true) = -800`, where `p` itself underflows).
///
/// Reference: NumPyro `dist.Bernoulli(probs=..)` / `dist.Bernoulli(logits=..)`; Stan
/// `bernoulli(theta)` / `bernoulli_logit(alpha)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Bernoulli::new(0.25)?;
/// assert!((d.log_prob(&true) - 0.25f64.ln()).abs() < 1e-15);
/// let extreme = Bernoulli::from_logits(-800.0)?;
/// assert_eq!(extreme.log_prob(&true), -800.0);
/// assert_eq!(extreme.log_prob(&false), 0.0);
/// assert!(Bernoulli::new(1.5).is_err());
/// # Ok::<(), BernoulliError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bernoulli<T = f64> {
    parameter: Parameter<T>,
}

/// Why a [`Bernoulli`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum BernoulliError {
    /// The probability is not in `[0, 1]` (or is NaN).
    #[error("Bernoulli probs must be between 0 and 1, got {probs}")]
    ProbsOutOfRange {
        /// The rejected probability.
        probs: f64,
    },
    /// The logit is NaN or infinite.
    #[error("Bernoulli logits must be finite, got {logits}")]
    LogitsNotFinite {
        /// The rejected logit.
        logits: f64,
    },
}

impl<T: Scalar> Bernoulli<T> {
    /// A Bernoulli distribution with `P(true) = probs`, which must lie in `[0, 1]`.
    pub fn new(probs: T) -> Result<Self, BernoulliError> {
        if !(probs.value() >= 0.0 && probs.value() <= 1.0) {
            return Err(BernoulliError::ProbsOutOfRange {
                probs: probs.value(),
            });
        }
        Ok(Bernoulli {
            parameter: Parameter::Probs(probs),
        })
    }

    /// A Bernoulli distribution with log-odds `logits`, which must be finite.
    pub fn from_logits(logits: T) -> Result<Self, BernoulliError> {
        if !logits.value().is_finite() {
            return Err(BernoulliError::LogitsNotFinite {
                logits: logits.value(),
            });
        }
        Ok(Bernoulli {
            parameter: Parameter::Logits(logits),
        })
    }

    /// `P(true)`, as given or as `σ(logits)`.
    ///
    /// ```
    /// use model_runtime::distributions::Bernoulli;
    /// assert_eq!(Bernoulli::from_logits(0.0)?.probs(), 0.5);
    /// # Ok::<(), model_runtime::distributions::BernoulliError>(())
    /// ```
    pub fn probs(&self) -> T {
        self.parameter.probs()
    }
}

impl<T: Scalar> Distribution for Bernoulli<T> {
    type Scalar = T;
    type Kind = Boolean;
    const NAME: &'static str = "Bernoulli";

    fn log_prob(&self, x: &bool) -> T {
        match (self.parameter, *x) {
            (Parameter::Probs(p), true) => p.ln(),
            (Parameter::Probs(p), false) => (-p).ln_1p(),
            (Parameter::Logits(logits), true) => -(-logits).ln_1p_exp(),
            (Parameter::Logits(logits), false) => -logits.ln_1p_exp(),
        }
    }

    fn support(&self) -> Support<T> {
        Support::Boolean
    }

    fn enumerable_len(&self) -> Option<u64> {
        Some(2)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let p = match self.parameter {
            Parameter::Probs(p) => p.value(),
            Parameter::Logits(logits) => sigmoid(logits.value()),
        };
        let u: f64 = rng.random();
        Some(u < p)
    }

    fn mean(&self) -> Option<T> {
        Some(self.probs())
    }

    /// `p (1 - p)`; from logits as `σ(ℓ) σ(-ℓ)`, without the cancellation of `1 - p`.
    fn variance(&self) -> Option<T> {
        Some(match self.parameter {
            Parameter::Probs(p) => p * (-p + 1.0),
            Parameter::Logits(logits) => logits.sigmoid() * (-logits).sigmoid(),
        })
    }
}

impl<T: Scalar> Samplable for Bernoulli<T> {}

impl<T: Scalar> Family for Bernoulli<T> {
    type At<U: Scalar> = Bernoulli<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probs_and_logits_agree() {
        let p = Bernoulli::new(0.3).unwrap();
        let l = Bernoulli::from_logits((0.3_f64 / 0.7).ln()).unwrap();
        for x in [false, true] {
            assert!((p.log_prob(&x) - l.log_prob(&x)).abs() < 1e-15);
        }
    }
}
