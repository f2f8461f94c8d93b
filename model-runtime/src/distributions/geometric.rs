//! The geometric distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use super::success::Parameter;
use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::ln_1p_exp;
use crate::value::Count;

/// The geometric distribution of the number of failures `k = 0, 1, 2, ...` before the first
/// success in trials that each succeed with probability `p`:
///
/// `P(k) = (1 - p)^k p`
///
/// Built from a probability ([`Geometric::new`]) or from log-odds `ℓ = ln(p / (1 - p))`
/// ([`Geometric::from_logits`]); from logits `ln p = -ln(1 + e^-ℓ)` and `ln(1 - p) = -ln(1 + e^ℓ)`,
/// exact for any finite `ℓ`.
///
/// Reference: NumPyro `dist.Geometric(probs=..)` / `dist.Geometric(logits=..)` (which also count
/// failures); scipy's `geom` counts trials instead, from 1.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Geometric::new(0.25)?;
/// assert!((d.log_prob(&2) - (0.75f64.powi(2) * 0.25).ln()).abs() < 1e-15);
/// assert_eq!(d.mean(), Some(3.0));
/// assert!(Geometric::new(0.0).is_err());
/// # Ok::<(), GeometricError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometric<T = f64> {
    parameter: Parameter<T>,
}

/// Why a [`Geometric`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum GeometricError {
    /// The probability is not in `(0, 1]` (or is NaN); with `p = 0` there is never a success.
    #[error("Geometric probs must be above 0 and at most 1, got {probs}")]
    ProbsOutOfRange {
        /// The rejected probability.
        probs: f64,
    },
    /// The logit is NaN or infinite.
    #[error("Geometric logits must be finite, got {logits}")]
    LogitsNotFinite {
        /// The rejected logit.
        logits: f64,
    },
}

impl<T: Scalar> Geometric<T> {
    /// A geometric distribution with success probability `probs` in `(0, 1]`.
    pub fn new(probs: T) -> Result<Self, GeometricError> {
        if !(probs.value() > 0.0 && probs.value() <= 1.0) {
            return Err(GeometricError::ProbsOutOfRange {
                probs: probs.value(),
            });
        }
        Ok(Geometric {
            parameter: Parameter::Probs(probs),
        })
    }

    /// A geometric distribution with success log-odds `logits`, which must be finite.
    ///
    /// ```
    /// use model_runtime::distributions::{Distribution, Geometric};
    /// let d = Geometric::from_logits(-800.0)?; // p = e^-800, which underflows
    /// assert_eq!(d.log_prob(&0), -800.0);
    /// # Ok::<(), model_runtime::distributions::GeometricError>(())
    /// ```
    pub fn from_logits(logits: T) -> Result<Self, GeometricError> {
        if !logits.value().is_finite() {
            return Err(GeometricError::LogitsNotFinite {
                logits: logits.value(),
            });
        }
        Ok(Geometric {
            parameter: Parameter::Logits(logits),
        })
    }

    /// The success probability, as given or as `σ(logits)`.
    pub fn probs(&self) -> T {
        self.parameter.probs()
    }
}

impl<T: Scalar> Distribution for Geometric<T> {
    type Scalar = T;
    type Kind = Count;
    const NAME: &'static str = "Geometric";

    fn log_prob(&self, k: &u64) -> T {
        let (ln_p, ln_q) = match self.parameter {
            Parameter::Probs(p) => (p.ln(), (-p).ln_1p()),
            Parameter::Logits(l) => (-(-l).ln_1p_exp(), -l.ln_1p_exp()),
        };
        if *k == 0 {
            // Not 0 · ln(1 - p), which is NaN for p = 1.
            return ln_p;
        }
        ln_q * (*k as f64) + ln_p
    }

    fn support(&self) -> Support<T> {
        Support::NonNegativeInteger
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // Inversion: P(K ≥ k) = (1 - p)^k = P(E ≥ k λ) for E standard exponential and
        // λ = -ln(1 - p), so K = ⌊E / λ⌋ (Devroye 1986, "Non-uniform random variate
        // generation", X.2). λ is exact from logits too, and the cast saturates when p is so
        // small that the draw exceeds u64::MAX.
        let rate = match self.parameter {
            Parameter::Probs(p) => -(-p.value()).ln_1p(),
            Parameter::Logits(l) => ln_1p_exp(l.value()),
        };
        let e: f64 = rand_distr::Exp1.sample(rng);
        Some((e / rate).floor() as u64)
    }

    /// `(1 - p) / p`; from logits `e^-ℓ`.
    fn mean(&self) -> Option<T> {
        Some(match self.parameter {
            Parameter::Probs(p) => (-p + 1.0) / p,
            Parameter::Logits(l) => (-l).exp(),
        })
    }

    /// `(1 - p) / p²`; from logits `e^-ℓ (1 + e^-ℓ)`.
    fn variance(&self) -> Option<T> {
        Some(match self.parameter {
            Parameter::Probs(p) => (-p + 1.0) / (p * p),
            Parameter::Logits(l) => {
                let odds = (-l).exp();
                odds * (odds + 1.0)
            }
        })
    }
}

impl<T: Scalar> Samplable for Geometric<T> {}

impl<T: Scalar> Family for Geometric<T> {
    type At<U: Scalar> = Geometric<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probs_and_logits_agree_and_certain_success_means_no_failures() {
        let p = Geometric::new(0.3).unwrap();
        let l = Geometric::from_logits((0.3_f64 / 0.7).ln()).unwrap();
        for k in [0, 1, 7, 100] {
            assert!((p.log_prob(&k) - l.log_prob(&k)).abs() < 1e-13 * p.log_prob(&k).abs());
        }
        let certain = Geometric::new(1.0).unwrap();
        assert_eq!(certain.log_prob(&0), 0.0);
        assert_eq!(certain.log_prob(&1), f64::NEG_INFINITY);
        let mut rng = <rand::rngs::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0);
        assert_eq!(certain.sample(&mut rng), Some(0));
    }
}
