//! The multinomial distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable, Value};
use crate::scalar::Scalar;
use crate::special::{poisson_deviance, stirling_remainder};
use crate::value::Counts;

use super::categories::{self, Parameter, categories_error_into};

/// The multinomial distribution: the counts `x = (x_1, ..., x_K)` of `total_count` (n)
/// independent draws from `K` categories with probabilities `p = (p_1, ..., p_K)`:
///
/// `P(x) = n! / (x_1! ⋯ x_K!) · Π_k p_k^(x_k)`, for counts summing to `n`.
///
/// Built from probabilities ([`Multinomial::new`], which must sum to 1) or from unnormalized log
/// probabilities ([`Multinomial::from_logits`], `p_k = e^(ℓ_k) / Σ_j e^(ℓ_j)`), like
/// [`Categorical`](crate::distributions::Categorical); the probabilities are divided by their
/// actual sum.
///
/// The log mass is evaluated in Loader's deviance form, which the binomial uses too: with `R` the
/// remainder of Stirling's series ([`stirling_remainder`]) and `D(x, m) = x ln(x/m) + m - x`
/// ([`poisson_deviance`]) at the means `m_k = n p_k`,
///
/// `ln P(x) = R(n) + ½ ln(2πn) - Σ_{x_k > 0} [R(x_k) + ½ ln(2π x_k) + D(x_k, m_k)] - Σ_{x_k = 0} m_k`,
///
/// where the terms of size `n ln n` in `ln n! - Σ ln x_k! + Σ x_k ln p_k` cancel analytically
/// (Loader 2000, "Fast and accurate computation of binomial probabilities"). The rounding of each
/// mean `n p_k` (and of the division by the probabilities' sum) is added back to first order, as
/// for the binomial, so that large counts keep their accuracy.
///
/// Values are `Vec<u64>` of length `K`; counts that do not sum to `n` have mass zero. Multinomial
/// sites are for observations (a latent one is discrete, which NUTS refuses at compile time). The
/// element [`support`](Distribution::support) is the non-negative integers; the mean and variance
/// are vectors ([`Multinomial::mean_vector`], [`Multinomial::variance_vector`]). The sampler draws
/// the counts one category at a time, each binomial given the draws left and the probability left
/// (the conditional distribution method; Devroye 1986, "Non-Uniform Random Variate Generation",
/// chapter XI).
///
/// Reference: NumPyro `dist.Multinomial(total_count, probs=..)` / `(total_count, logits=..)`;
/// Stan `multinomial(theta)` / `multinomial_logit(gamma)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Multinomial::new(4, vec![0.2, 0.3, 0.5])?;
/// // 4! / (1! 1! 2!) 0.2 · 0.3 · 0.5² = 12 · 0.015
/// assert!((d.log_prob(&PooledVec::from(vec![1, 1, 2])) - 0.18f64.ln()).abs() < 1e-15);
/// assert_eq!(d.log_prob(&PooledVec::from(vec![1, 1, 1])), f64::NEG_INFINITY); // counts must sum to 4
/// assert_eq!(d.mean_vector(), vec![0.8, 1.2, 2.0]);
///
/// let l = Multinomial::from_logits(4, vec![0.0, 0.0])?;
/// assert!((l.log_prob(&PooledVec::from(vec![2, 2])) - (6.0 / 16.0_f64).ln()).abs() < 1e-15);
/// assert!(Multinomial::new(4, vec![0.5, 0.6]).is_err());
/// # Ok::<(), MultinomialError>(())
/// ```
///
/// In a model, with the probabilities latent:
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn votes(counts: &[u64]) {
///     let p = sample!("p", Dirichlet::new(vec![1.0, 1.0, 1.0]));
///     sample!("counts", Multinomial::new(counts.iter().sum::<u64>(), p), obs = counts);
/// }
///
/// let fit = Nuts::default().warmup(200).samples(200).chains(1).seed(4).run(&votes(&[30, 10, 60]))?;
/// let mean_last = fit.p.iter().map(|p| p[2]).sum::<f64>() / 200.0;
/// assert!((mean_last - 61.0 / 103.0).abs() < 0.05);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Multinomial<T = f64> {
    total_count: u64,
    parameter: Parameter<T>,
    /// `ln Σ probs`, or the log-sum-exp of the logits.
    ln_total: T,
}

/// Why a [`Multinomial`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum MultinomialError {
    /// There are no categories.
    #[error("Multinomial needs at least one category, got none")]
    NoCategories,
    /// A probability is negative, above 1 or NaN.
    #[error("Multinomial probs must be between 0 and 1, got {probs} for category {index}")]
    ProbsOutOfRange {
        /// The category whose probability was rejected.
        index: usize,
        /// The rejected probability.
        probs: f64,
    },
    /// The probabilities do not sum to 1 (within [`Multinomial::SUM_TOLERANCE`]).
    #[error(
        "Multinomial probs must sum to 1, got a sum of {sum}; to normalize weights, use `Multinomial::from_logits` with their logs"
    )]
    ProbsDoNotSumToOne {
        /// Their sum.
        sum: f64,
    },
    /// A logit is NaN or infinite.
    #[error("Multinomial logits must be finite, got {logits} for category {index}")]
    LogitsNotFinite {
        /// The category whose logit was rejected.
        index: usize,
        /// The rejected logit.
        logits: f64,
    },
}

categories_error_into!(MultinomialError);

impl<T: Scalar> Multinomial<T> {
    /// How far from 1 the sum of the probabilities may be (as for
    /// [`Categorical`](crate::distributions::Categorical)); the probabilities are divided by
    /// their actual sum.
    pub const SUM_TOLERANCE: f64 = categories::SUM_TOLERANCE;

    /// A multinomial distribution of `total_count` draws with probabilities `probs` (a `Vec`,
    /// slice or array), each in `[0, 1]`, summing to 1 within [`Multinomial::SUM_TOLERANCE`].
    pub fn new(total_count: u64, probs: impl Into<Vec<T>>) -> Result<Self, MultinomialError> {
        let (parameter, ln_total) = categories::from_probs(probs.into())?;
        Ok(Multinomial {
            total_count,
            parameter,
            ln_total,
        })
    }

    /// A multinomial distribution of `total_count` draws with log probabilities `logits` up to a
    /// common constant (a `Vec`, slice or array), each finite.
    pub fn from_logits(
        total_count: u64,
        logits: impl Into<Vec<T>>,
    ) -> Result<Self, MultinomialError> {
        let (parameter, ln_total) = categories::from_logits(logits.into())?;
        Ok(Multinomial {
            total_count,
            parameter,
            ln_total,
        })
    }

    /// The number of draws `n`.
    pub fn total_count(&self) -> u64 {
        self.total_count
    }

    /// The number of categories `K`.
    pub fn num_categories(&self) -> usize {
        self.parameter.len()
    }

    /// The normalized probabilities `p_k`.
    pub fn probs(&self) -> Vec<T> {
        (0..self.num_categories())
            .map(|k| self.probability(k).0)
            .collect()
    }

    /// The mean count `n p_k` of each category.
    pub fn mean_vector(&self) -> Vec<T> {
        let n = self.total_count as f64;
        self.probs().into_iter().map(|p| p * n).collect()
    }

    /// The variance `n p_k (1 - p_k)` of each category's count, with `1 - p_k` as the sum of the
    /// other probabilities, which does not cancel for a probability near 1.
    pub fn variance_vector(&self) -> Vec<T> {
        let n = self.total_count as f64;
        let probs = self.probs();
        (0..probs.len())
            .map(|k| {
                let others = probs
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != k)
                    .fold(T::from_f64(0.0), |sum, (_, &p)| sum + p);
                probs[k] * others * n
            })
            .collect()
    }

    /// `(p_k, ln p_k)`, normalized. Probabilities are divided by their sum even where it is 1 to
    /// double precision, so that the derivative is that of the normalized probability.
    fn probability(&self, k: usize) -> (T, T) {
        match &self.parameter {
            Parameter::Probs(p) => (p[k] / self.ln_total.exp(), p[k].ln() - self.ln_total),
            Parameter::Logits(l) => {
                let ln_p = l[k] - self.ln_total;
                (ln_p.exp(), ln_p)
            }
        }
    }

    /// The rounding error of the mean `m = n p_k` as computed from `p`: the product's (from a
    /// fused multiply-add) and, for probabilities, the division's by their sum (the remainder of
    /// a division is exact by a fused multiply-add) and the sum's own (`sum_error`).
    fn mean_rounding(&self, k: usize, p: f64, m: f64, sum_error: f64) -> f64 {
        let n = self.total_count as f64;
        let product = p.mul_add(n, -m);
        match &self.parameter {
            Parameter::Probs(probs) => {
                let total = self.ln_total.value().exp();
                let remainder = (-p).mul_add(total, probs[k].value());
                product + n * (remainder - p * sum_error) / total
            }
            Parameter::Logits(_) => product,
        }
    }

    /// For probabilities, how far their exact sum is from the `Σ probs` the log mass divides by
    /// (`exp(ln Σ probs)`), from Neumaier's compensated summation: `[0.1, 0.2, 0.7]` sums to 1 in
    /// double arithmetic but to `1 - 2.2e-17` exactly, which shifts the log mass by `n · 2.2e-17`.
    fn sum_error(&self) -> f64 {
        let Parameter::Probs(probs) = &self.parameter else {
            return 0.0;
        };
        let (mut sum, mut compensation) = (0.0_f64, 0.0_f64);
        for v in probs.iter().map(|p| p.value()) {
            let t = sum + v;
            compensation += if sum.abs() >= v.abs() {
                (sum - t) + v
            } else {
                (v - t) + sum
            };
            sum = t;
        }
        (sum - self.ln_total.value().exp()) + compensation
    }
}

impl<T: Scalar> Distribution for Multinomial<T> {
    type Scalar = T;
    type Kind = Counts;
    const NAME: &'static str = "Multinomial";

    fn log_prob(&self, x: &Value<Self>) -> T {
        if x.len() != self.num_categories() {
            return T::from_f64(f64::NAN);
        }
        let sum = x.iter().try_fold(0_u64, |sum, &k| sum.checked_add(k));
        if sum != Some(self.total_count) {
            return T::from_f64(f64::NEG_INFINITY);
        }
        if self.total_count == 0 {
            return T::from_f64(0.0);
        }
        let n = self.total_count as f64;
        let sum_error = self.sum_error();
        let mut constant = stirling_remainder(n) + 0.5 * n.ln() + LN_SQRT_2PI;
        let mut lp = T::from_f64(0.0);
        for (k, &count) in x.iter().enumerate() {
            let (p, ln_p) = self.probability(k);
            let m = p * n;
            let rounding = self.mean_rounding(k, p.value(), m.value(), sum_error);
            if count == 0 {
                lp -= m;
                constant -= rounding;
                continue;
            }
            if ln_p.value() == f64::NEG_INFINITY {
                return T::from_f64(f64::NEG_INFINITY);
            }
            let c = count as f64;
            constant -= stirling_remainder(c) + 0.5 * c.ln() + LN_SQRT_2PI;
            if (c - m.value()).abs() < 0.1 * (c + m.value()) {
                // D(x, m + e) ≈ D(x, m) + (1 - x/m) e for the rounding e of the mean.
                lp -= poisson_deviance(T::from_f64(c), m);
                constant -= (1.0 - c / m.value()) * rounding;
            } else {
                // Far from the mean nothing cancels; ln m is taken from ln p so that a mean
                // below the smallest double still has its logarithm.
                let ln_m = ln_p + n.ln();
                lp -= (-ln_m + c.ln()) * c + m - c;
            }
        }
        lp + constant
    }

    /// Elementwise: every count is a non-negative integer (counts that do not sum to `n` have
    /// mass zero).
    fn support(&self) -> Support<T> {
        Support::NonNegativeInteger
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let probs: Vec<f64> = self.probs().iter().map(|p| p.value()).collect();
        // The probability left for categories k.. as a suffix sum, which adds positive numbers
        // (no cancellation of 1 - Σ_{j<k} p_j).
        let mut left = vec![0.0; probs.len() + 1];
        for k in (0..probs.len()).rev() {
            left[k] = left[k + 1] + probs[k];
        }
        let mut remaining = self.total_count;
        let mut counts = Vec::with_capacity(probs.len());
        for k in 0..probs.len() {
            let count = if k + 1 == probs.len() || remaining == 0 {
                remaining
            } else {
                let conditional = (probs[k] / left[k]).clamp(0.0, 1.0);
                rand_distr::Binomial::new(remaining, conditional)
                    .ok()?
                    .sample(rng)
            };
            counts.push(count);
            remaining -= count;
        }
        Some(counts)
    }
}

impl<T: Scalar> Samplable for Multinomial<T> {}

impl<T: Scalar> Family for Multinomial<T> {
    type At<U: Scalar> = Multinomial<U>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::PooledVec;

    #[test]
    fn deviance_form_matches_the_textbook_form_for_small_counts() {
        let probs = [0.15, 0.25, 0.6];
        let d = Multinomial::new(9, probs).unwrap();
        let l = Multinomial::from_logits(9, probs.map(|p: f64| p.ln() + 3.0)).unwrap();
        for x in [[0, 0, 9], [2, 3, 4], [9, 0, 0], [1, 7, 1]] {
            let textbook = libm::lgamma(10.0)
                + x.iter()
                    .zip(probs)
                    .map(|(&k, p)| k as f64 * p.ln() - libm::lgamma(k as f64 + 1.0))
                    .sum::<f64>();
            for lp in [
                d.log_prob(&PooledVec::from_slice(&x)),
                l.log_prob(&PooledVec::from_slice(&x)),
            ] {
                assert!(
                    (lp - textbook).abs() < 1e-13 * textbook.abs().max(1.0),
                    "{x:?}: {lp} vs {textbook}"
                );
            }
        }
    }

    #[test]
    fn impossible_counts_have_no_mass() {
        let d = Multinomial::new(3, [0.0, 1.0]).unwrap();
        assert_eq!(d.log_prob(&PooledVec::from_slice(&[0, 3])), 0.0);
        assert_eq!(
            d.log_prob(&PooledVec::from_slice(&[1, 2])),
            f64::NEG_INFINITY
        );
        assert_eq!(
            d.log_prob(&PooledVec::from_slice(&[u64::MAX, 4])),
            f64::NEG_INFINITY
        );
        assert!(d.log_prob(&PooledVec::from_slice(&[3])).is_nan());
        let empty = Multinomial::new(0, [0.5, 0.5]).unwrap();
        assert_eq!(empty.log_prob(&PooledVec::from_slice(&[0, 0])), 0.0);
    }
}
