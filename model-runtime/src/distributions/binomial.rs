//! The binomial distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use super::success::Parameter;
use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::{ln_beta, poisson_deviance, sigmoid, stirling_remainder};
use crate::value::Count;

/// The binomial distribution: the number of successes `k` in `total_count` (n) independent trials
/// that each succeed with probability `p`:
///
/// `P(k) = C(n, k) p^k (1 - p)^(n - k)`, for `k = 0, ..., n`
///
/// Built from a probability ([`Binomial::new`]) or from log-odds `ℓ = ln(p / (1 - p))`
/// ([`Binomial::from_logits`]), where `ln p = -ln(1 + e^-ℓ)` and `ln(1 - p) = -ln(1 + e^ℓ)` stay
/// exact however large `|ℓ|` is. For `0 < k < n` the log mass is evaluated in Loader's form
/// `R(n) - R(k) - R(n-k) - D(k, np) - D(n-k, n(1-p)) - ½ ln(2π k (n-k) / n)`, with `R` the
/// remainder of Stirling's series ([`stirling_remainder`]) and `D(x, m) = x ln(x/m) + m - x`
/// ([`poisson_deviance`]): the terms of size `n` in `ln C(n, k) + k ln p + (n-k) ln(1-p)` cancel
/// analytically, so it stays accurate for large `n` (Loader 2000, "Fast and accurate computation
/// of binomial probabilities"; R's `dbinom`).
///
/// The support is `{0, ..., n}`; [`Support`] has no bounded integer variant, so
/// [`Distribution::support`] reports the non-negative integers and `log_prob` is `-∞` above `n`.
///
/// Reference: NumPyro `dist.Binomial(total_count, probs=..)` / `(total_count, logits=..)`; Stan
/// `binomial(N, theta)` / `binomial_logit(N, alpha)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Binomial::new(10, 0.3)?;
/// let direct = 120f64.ln() + 3.0 * 0.3f64.ln() + 7.0 * 0.7f64.ln(); // C(10, 3) = 120
/// assert!((d.log_prob(&3) - direct).abs() < 1e-14);
/// assert_eq!(d.log_prob(&11), f64::NEG_INFINITY);
/// assert_eq!(d.mean(), Some(3.0));
///
/// // Logits keep log probabilities that the probability itself cannot represent.
/// let rare = Binomial::from_logits(5, -800.0)?;
/// assert!((rare.log_prob(&1) - (5f64.ln() - 800.0)).abs() < 1e-12);
/// assert!(Binomial::new(10, 1.5).is_err());
/// # Ok::<(), BinomialError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binomial<T = f64> {
    total_count: u64,
    parameter: Parameter<T>,
}

/// Why a [`Binomial`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum BinomialError {
    /// The probability is not in `[0, 1]` (or is NaN).
    #[error("Binomial probs must be between 0 and 1, got {probs}")]
    ProbsOutOfRange {
        /// The rejected probability.
        probs: f64,
    },
    /// The logit is NaN or infinite.
    #[error("Binomial logits must be finite, got {logits}")]
    LogitsNotFinite {
        /// The rejected logit.
        logits: f64,
    },
    /// The number of trials is above [`Binomial::MAX_TOTAL_COUNT`].
    #[error("Binomial total_count must be at most 2^53, got {total_count}")]
    TotalCountTooLarge {
        /// The rejected number of trials.
        total_count: u64,
    },
}

/// Fails above [`Binomial::MAX_TOTAL_COUNT`] trials.
fn check_total_count(total_count: u64) -> Result<(), BinomialError> {
    if total_count > Binomial::<f64>::MAX_TOTAL_COUNT {
        return Err(BinomialError::TotalCountTooLarge { total_count });
    }
    Ok(())
}

impl<T: Scalar> Binomial<T> {
    /// The largest number of trials, 2^53: above it counts are not exact in `f64`, in which
    /// the log mass is computed (`n - k` and `n` would round, and terms that must cancel would
    /// not). The vectorized `batch::Binomial` has the same limit.
    ///
    /// ```
    /// use model_runtime::distributions::Binomial;
    /// assert!(Binomial::new(Binomial::<f64>::MAX_TOTAL_COUNT, 0.5).is_ok());
    /// assert!(Binomial::new(Binomial::<f64>::MAX_TOTAL_COUNT + 1, 0.5).is_err());
    /// ```
    pub const MAX_TOTAL_COUNT: u64 = 1 << 53;

    /// A binomial distribution of `total_count` trials (at most
    /// [`MAX_TOTAL_COUNT`](Self::MAX_TOTAL_COUNT)) with success probability `probs`, which
    /// must lie in `[0, 1]`.
    pub fn new(total_count: u64, probs: T) -> Result<Self, BinomialError> {
        check_total_count(total_count)?;
        if !(probs.value() >= 0.0 && probs.value() <= 1.0) {
            return Err(BinomialError::ProbsOutOfRange {
                probs: probs.value(),
            });
        }
        Ok(Binomial {
            total_count,
            parameter: Parameter::Probs(probs),
        })
    }

    /// A binomial distribution of `total_count` trials (at most
    /// [`MAX_TOTAL_COUNT`](Self::MAX_TOTAL_COUNT)) with success log-odds `logits`, which must
    /// be finite.
    ///
    /// ```
    /// use model_runtime::distributions::{Binomial, Distribution};
    /// let d = Binomial::from_logits(4, 0.0)?;
    /// assert!((d.log_prob(&2) - (6.0 / 16.0_f64).ln()).abs() < 1e-15);
    /// # Ok::<(), model_runtime::distributions::BinomialError>(())
    /// ```
    pub fn from_logits(total_count: u64, logits: T) -> Result<Self, BinomialError> {
        check_total_count(total_count)?;
        if !logits.value().is_finite() {
            return Err(BinomialError::LogitsNotFinite {
                logits: logits.value(),
            });
        }
        Ok(Binomial {
            total_count,
            parameter: Parameter::Logits(logits),
        })
    }

    /// The number of trials `n`.
    pub fn total_count(&self) -> u64 {
        self.total_count
    }

    /// The success probability, as given or as `σ(logits)`.
    pub fn probs(&self) -> T {
        self.parameter.probs()
    }

    /// `(p, 1 - p, ln p, ln(1 - p))`, each without cancellation.
    fn probabilities(&self) -> [T; 4] {
        match self.parameter {
            Parameter::Probs(p) => [p, -p + 1.0, p.ln(), (-p).ln_1p()],
            Parameter::Logits(l) => [
                l.sigmoid(),
                (-l).sigmoid(),
                -(-l).ln_1p_exp(),
                -l.ln_1p_exp(),
            ],
        }
    }
}

impl<T: Scalar> Distribution for Binomial<T> {
    type Scalar = T;
    type Kind = Count;
    const NAME: &'static str = "Binomial";

    fn log_prob(&self, k: &u64) -> T {
        let (n, k) = (self.total_count, *k);
        if k > n {
            return T::from_f64(f64::NEG_INFINITY);
        }
        let [p, q, ln_p, ln_q] = self.probabilities();
        // 1 - p as given is rounded; its exact remainder (1 - q) - p takes part in n(1 - p).
        let q_low = match self.parameter {
            Parameter::Probs(p) => (1.0 - q.value()) - p.value(),
            Parameter::Logits(_) => 0.0,
        };
        binomial_log_mass(n, k, p, q, q_low, ln_p, ln_q)
    }

    fn support(&self) -> Support<T> {
        Support::NonNegativeInteger
    }

    fn enumerable_len(&self) -> Option<u64> {
        self.total_count.checked_add(1)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let p = match self.parameter {
            Parameter::Probs(p) => p.value(),
            Parameter::Logits(logits) => sigmoid(logits.value()),
        };
        // `None` only for parameters that the constructor rejects.
        let d = rand_distr::Binomial::new(self.total_count, p).ok()?;
        Some(d.sample(rng))
    }

    fn mean(&self) -> Option<T> {
        Some(self.probs() * self.total_count as f64)
    }

    /// `n p (1 - p)`; from logits as `n σ(ℓ) σ(-ℓ)`, without the cancellation of `1 - p`.
    fn variance(&self) -> Option<T> {
        let [p, q, _, _] = self.probabilities();
        Some(p * q * self.total_count as f64)
    }
}

impl<T: Scalar> Samplable for Binomial<T> {}

impl<T: Scalar> Family for Binomial<T> {
    type At<U: Scalar> = Binomial<U>;
}

/// `ln C(n, k) + k ln p + (n - k) ln q` for `k ≤ n` and `p + q = 1`, given `p`, `q` (with `q_low`,
/// a known part of `1 - p` that `q` lost to rounding, or 0) and their logs: Loader's deviance
/// form for `0 < k < n` (see [`Binomial`]), which the beta-binomial shares. Where `np` or `nq` is
/// below the smallest normal double (logits beyond about ±700), the deviance would see a zero
/// mean (or a ratio `k/np` that overflows), and the textbook form is used; its `k ln p` term is
/// then so large that nothing cancels.
///
/// The rounding errors of the means `np` and `nq` (from fused multiply-adds, plus `n q_low`) are
/// added back to first order, `D(x, m + e) ≈ D(x, m) + (1 - x/m) e`, as constants: otherwise they
/// would cost about `|k - np| 1e-16` absolute, 5e-11 at `n = 10¹²`.
pub(crate) fn binomial_log_mass<T: Scalar>(
    n: u64,
    k: u64,
    p: T,
    q: T,
    q_low: f64,
    ln_p: T,
    ln_q: T,
) -> T {
    if n == 0 {
        return T::from_f64(0.0);
    }
    let (nf, kf) = (n as f64, k as f64);
    if k == 0 {
        return ln_q * nf;
    }
    if k == n {
        return ln_p * nf;
    }
    let rest = (n - k) as f64;
    let (np, nq) = (p * nf, q * nf);
    // The deviance needs the ratios k/np and (n - k)/nq finite (its rounding correction
    // divides by the means): a mean just above the smallest normal double with k = 6 is not.
    let tiny = |count: f64, mean: f64| mean < f64::MIN_POSITIVE || !(count / mean).is_finite();
    if tiny(kf, np.value()) || tiny(rest, nq.value()) {
        let ln_choose = -(nf + 1.0).ln() - ln_beta(kf + 1.0, rest + 1.0);
        return ln_p * kf + ln_q * rest + ln_choose;
    }
    let (np_error, nq_error) = (
        p.value().mul_add(nf, -np.value()),
        q.value().mul_add(nf, -nq.value()) + nf * q_low,
    );
    let rounding = (1.0 - kf / np.value()) * np_error + (1.0 - rest / nq.value()) * nq_error;
    let constant = stirling_remainder(nf)
        - stirling_remainder(kf)
        - stirling_remainder(rest)
        - 0.5 * (kf.ln() + (-kf / nf).ln_1p())
        - LN_SQRT_2PI
        - rounding;
    -poisson_deviance(T::from_f64(kf), np) - poisson_deviance(T::from_f64(rest), nq) + constant
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_form_matches_the_textbook_form_for_small_n() {
        let (n, p) = (25_u64, 0.37_f64);
        let d = Binomial::new(n, p).unwrap();
        let logits = Binomial::from_logits(n, (p / (1.0 - p)).ln()).unwrap();
        for k in 0..=n {
            let (kf, nf) = (k as f64, n as f64);
            let direct =
                libm::lgamma(nf + 1.0) - libm::lgamma(kf + 1.0) - libm::lgamma(nf - kf + 1.0)
                    + kf * p.ln()
                    + (nf - kf) * (-p).ln_1p();
            for lp in [d.log_prob(&k), logits.log_prob(&k)] {
                assert!(
                    (lp - direct).abs() < 1e-13 * direct.abs().max(1.0),
                    "{k}: {lp} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn degenerate_probabilities_put_all_mass_on_one_count() {
        let never = Binomial::new(4, 0.0).unwrap();
        assert_eq!(never.log_prob(&0), 0.0);
        assert_eq!(never.log_prob(&1), f64::NEG_INFINITY);
        let always = Binomial::new(4, 1.0).unwrap();
        assert_eq!(always.log_prob(&4), 0.0);
        assert_eq!(always.log_prob(&3), f64::NEG_INFINITY);
        assert_eq!(Binomial::new(0, 0.3).unwrap().log_prob(&0), 0.0);
        assert_eq!(Binomial::new(0, 1.0).unwrap().log_prob(&0), 0.0);
    }
}
