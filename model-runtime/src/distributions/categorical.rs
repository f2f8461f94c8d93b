//! The categorical distribution.

use rand::{Rng, RngExt};

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::value::Count;

use super::categories::{self, Parameter, categories_error_into};

/// The categorical distribution over the category indices `0, ..., K - 1`:
///
/// `P(k) = p_k`
///
/// Built from probabilities ([`Categorical::new`], which must sum to 1) or from unnormalized log
/// probabilities ([`Categorical::from_logits`], `P(k) = e^(ℓ_k) / Σ_j e^(ℓ_j)`). The parameters
/// are a `Vec<T>`, so they may be site values. The log normalizer (`ln Σ p_j`, which absorbs the
/// rounding of probabilities that sum to 1 only approximately, or the log-sum-exp of the logits,
/// taken around the largest logit so it never overflows) is computed once, at construction.
///
/// The value is the category index as a `u64`. The support is `{0, ..., K - 1}`; [`Support`] has
/// no bounded integer variant, so [`Distribution::support`] reports the non-negative integers and
/// `log_prob` is `-∞` from `K` on.
///
/// Inside a `#[model]` body the parameters may be written as a `Vec` or an array of reals or site
/// values (`vec![w, 1.0 - w]`); for data in a slice, pass `probs.to_vec()`.
///
/// Reference: NumPyro `dist.Categorical(probs=..)` / `dist.Categorical(logits=..)`; Stan
/// `categorical(theta)` / `categorical_logit(beta)` (which count from 1).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Categorical::new(vec![0.2, 0.3, 0.5])?;
/// assert!((d.log_prob(&2) - 0.5f64.ln()).abs() < 1e-15);
/// assert_eq!(d.log_prob(&3), f64::NEG_INFINITY);
///
/// let l = Categorical::from_logits([0.0, 800.0])?; // e^800 overflows; the log-sum-exp does not
/// assert_eq!(l.log_prob(&1), 0.0);
/// assert_eq!(l.log_prob(&0), -800.0);
///
/// assert!(Categorical::new(vec![0.5, 0.6]).is_err());
/// # Ok::<(), CategoricalError>(())
/// ```
///
/// In a model, with the probabilities given as data:
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn component(weights: &[f64]) {
///     let k = sample!("k", Categorical::new(weights.to_vec()));
/// }
///
/// let prior = Predictive::prior(100).seed(3).run(&component(&[0.25, 0.75]))?;
/// assert!(prior.k.iter().all(|&k| k < 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical<T = f64> {
    parameter: Parameter<T>,
    ln_total: T,
}

/// Why a [`Categorical`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum CategoricalError {
    /// There are no categories.
    #[error("Categorical needs at least one category, got none")]
    NoCategories,
    /// A probability is negative, above 1 or NaN.
    #[error("Categorical probs must be between 0 and 1, got {probs} for category {index}")]
    ProbsOutOfRange {
        /// The category whose probability was rejected.
        index: usize,
        /// The rejected probability.
        probs: f64,
    },
    /// The probabilities do not sum to 1 (within [`Categorical::SUM_TOLERANCE`]).
    #[error(
        "Categorical probs must sum to 1, got a sum of {sum}; to normalize weights, use `Categorical::from_logits` with their logs"
    )]
    ProbsDoNotSumToOne {
        /// Their sum.
        sum: f64,
    },
    /// A logit is NaN or infinite.
    #[error("Categorical logits must be finite, got {logits} for category {index}")]
    LogitsNotFinite {
        /// The category whose logit was rejected.
        index: usize,
        /// The rejected logit.
        logits: f64,
    },
}

categories_error_into!(CategoricalError);

impl<T: Scalar> Categorical<T> {
    /// How far from 1 the sum of the probabilities may be (as in NumPyro's simplex check); the
    /// log probabilities are divided by the actual sum.
    pub const SUM_TOLERANCE: f64 = categories::SUM_TOLERANCE;

    /// A categorical distribution with probabilities `probs` (a `Vec`, slice or array), each in
    /// `[0, 1]`, summing to 1 within [`Categorical::SUM_TOLERANCE`].
    pub fn new(probs: impl Into<Vec<T>>) -> Result<Self, CategoricalError> {
        let (parameter, ln_total) = categories::from_probs(probs.into())?;
        Ok(Categorical {
            parameter,
            ln_total,
        })
    }

    /// A categorical distribution with log probabilities `logits` up to a common constant (a
    /// `Vec`, slice or array), each finite.
    pub fn from_logits(logits: impl Into<Vec<T>>) -> Result<Self, CategoricalError> {
        let (parameter, ln_total) = categories::from_logits(logits.into())?;
        Ok(Categorical {
            parameter,
            ln_total,
        })
    }

    /// The number of categories `K`.
    pub fn num_categories(&self) -> usize {
        self.parameter.len()
    }
}

impl<T: Scalar> Distribution for Categorical<T> {
    type Scalar = T;
    type Kind = Count;
    const NAME: &'static str = "Categorical";

    fn log_prob(&self, k: &u64) -> T {
        let index = usize::try_from(*k)
            .ok()
            .filter(|&i| i < self.num_categories());
        let Some(index) = index else {
            return T::from_f64(f64::NEG_INFINITY);
        };
        match &self.parameter {
            Parameter::Probs(p) => p[index].ln() - self.ln_total,
            Parameter::Logits(l) => l[index] - self.ln_total,
        }
    }

    fn support(&self) -> Support<T> {
        Support::NonNegativeInteger
    }

    fn enumerable_len(&self) -> Option<u64> {
        Some(self.num_categories() as u64)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // Inversion: the first category whose cumulative probability exceeds a uniform draw.
        let ln_total = self.ln_total.value();
        let probability = |i: usize| match &self.parameter {
            Parameter::Probs(p) => p[i].value() / ln_total.exp(),
            Parameter::Logits(l) => (l[i].value() - ln_total).exp(),
        };
        let n = self.num_categories();
        let u: f64 = rng.random();
        let mut cumulative = 0.0;
        for i in 0..n {
            cumulative += probability(i);
            if u < cumulative {
                return Some(i as u64);
            }
        }
        // Rounding left the cumulative sum just below 1 and u above it: the last category with
        // positive probability.
        (0..n)
            .rev()
            .find(|&i| probability(i) > 0.0)
            .map(|i| i as u64)
    }
}

impl<T: Scalar> Samplable for Categorical<T> {}

impl<T: Scalar> Family for Categorical<T> {
    type At<U: Scalar> = Categorical<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probs_and_logits_agree() {
        let p = Categorical::new([0.1, 0.6, 0.3]).unwrap();
        let l =
            Categorical::from_logits([0.1_f64.ln() + 5.0, 0.6_f64.ln() + 5.0, 0.3_f64.ln() + 5.0])
                .unwrap();
        for k in 0..3 {
            assert!((p.log_prob(&k) - l.log_prob(&k)).abs() < 1e-15);
        }
        assert_eq!(p.num_categories(), 3);
    }

    #[test]
    fn impossible_categories_are_never_drawn() {
        let d = Categorical::new([0.0, 1.0, 0.0]).unwrap();
        let mut rng = <rand::rngs::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        assert!((0..1000).all(|_| d.sample(&mut rng) == Some(1)));
        assert_eq!(d.log_prob(&0), f64::NEG_INFINITY);
        assert_eq!(d.log_prob(&1), 0.0);
    }
}
