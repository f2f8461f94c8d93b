//! The beta-binomial distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::distributions::binomial::binomial_log_mass;
use crate::scalar::Scalar;
use crate::special::{poisson_deviance, stirling_remainder};
use crate::value::Count;

/// The beta-binomial distribution: the number of successes `k` in `total_count` (n) trials whose
/// success probability is drawn from `Beta(concentration1, concentration0)` (α, β > 0):
///
/// `P(k) = C(n, k) B(k + α, n - k + β) / B(α, β)`, for `k = 0, ..., n`
///
/// The log mass is evaluated as the binomial log mass at `p̂ = (k + α)/(n + α + β)` in Loader's
/// form (see [`Binomial`](crate::distributions::Binomial)) plus a correction in which every
/// `ln Γ` is split into Stirling's leading terms and the remainder `R`
/// ([`stirling_remainder`]):
///
/// `-D(α, m₁) - D(β, m₀) - ½ [ln(1 + k/α) + ln(1 + (n-k)/β) - ln(1 + n/(α+β))]
///  + R(k+α) + R(n-k+β) + R(α+β) - R(α) - R(β) - R(n+α+β)`,
///
/// with `D(x, m) = x ln(x/m) + m - x` ([`poisson_deviance`]),
/// `m₁ = (α (α+β+k) + kβ) / (n+α+β)` and `m₀ = (β (α+β+n-k) + (n-k) α) / (n+α+β)`. (The
/// deviance terms are `D(α+β, α+β+n) - D(α, α+k) - D(β, β+n-k)`, a Jensen gap of the convex
/// `x - ln(1+x)`, rewritten as a sum of two Bregman divergences that are each non-negative.)
/// Unlike the textbook difference of three `ln B` terms, nothing of size `α ln α` or `n`
/// cancels numerically, so large counts and concentrations (the binomial limit) keep their
/// accuracy.
///
/// The support is `{0, ..., n}`; [`Distribution::support`] reports the non-negative integers and
/// `log_prob` is `-∞` above `n`.
///
/// Reference: NumPyro `dist.BetaBinomial(concentration1, concentration0, total_count)`; Stan
/// `beta_binomial(N, alpha, beta)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // With α = β = 1 every count from 0 to n is equally likely.
/// let d = BetaBinomial::new(1.0, 1.0, 7)?;
/// assert!((d.log_prob(&3) + 8f64.ln()).abs() < 1e-14);
/// assert_eq!(d.log_prob(&8), f64::NEG_INFINITY);
/// assert_eq!(d.mean(), Some(3.5));
/// assert!(BetaBinomial::new(0.0, 1.0, 7).is_err());
/// # Ok::<(), BetaBinomialError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BetaBinomial<T = f64> {
    concentration1: T,
    concentration0: T,
    total_count: u64,
}

/// Why a [`BetaBinomial`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum BetaBinomialError {
    /// `concentration1` (α) is not a positive finite number.
    #[error("BetaBinomial concentration1 must be positive and finite, got {concentration1}")]
    Concentration1NotPositive {
        /// The rejected concentration.
        concentration1: f64,
    },
    /// `concentration0` (β) is not a positive finite number.
    #[error("BetaBinomial concentration0 must be positive and finite, got {concentration0}")]
    Concentration0NotPositive {
        /// The rejected concentration.
        concentration0: f64,
    },
}

impl<T: Scalar> BetaBinomial<T> {
    /// A beta-binomial distribution of `total_count` trials; `concentration1` and
    /// `concentration0` must be positive and finite.
    pub fn new(
        concentration1: T,
        concentration0: T,
        total_count: u64,
    ) -> Result<Self, BetaBinomialError> {
        if !(concentration1.value() > 0.0 && concentration1.value().is_finite()) {
            return Err(BetaBinomialError::Concentration1NotPositive {
                concentration1: concentration1.value(),
            });
        }
        if !(concentration0.value() > 0.0 && concentration0.value().is_finite()) {
            return Err(BetaBinomialError::Concentration0NotPositive {
                concentration0: concentration0.value(),
            });
        }
        Ok(BetaBinomial {
            concentration1,
            concentration0,
            total_count,
        })
    }

    /// The number of trials `n`.
    pub fn total_count(&self) -> u64 {
        self.total_count
    }
}

impl<T: Scalar> Distribution for BetaBinomial<T> {
    type Scalar = T;
    type Kind = Count;
    const NAME: &'static str = "BetaBinomial";

    fn log_prob(&self, k: &u64) -> T {
        let (n, k) = (self.total_count, *k);
        if k > n {
            return T::from_f64(f64::NEG_INFINITY);
        }
        if n == 0 {
            return T::from_f64(0.0);
        }
        let (a, b) = (self.concentration1, self.concentration0);
        let (nf, kf) = (n as f64, k as f64);
        let rest = (n - k) as f64;
        let total = a + b;
        let (successes, failures, all) = (a + kf, b + rest, total + nf);
        // p̂ = (k + α)/(n + α + β) and q̂ = 1 - p̂, each from its own numerator.
        let (p, q) = (successes / all, failures / all);
        let (ln_p, ln_q) = (
            -(failures / successes).ln_1p(),
            -(successes / failures).ln_1p(),
        );
        let binomial = binomial_log_mass(n, k, p, q, 0.0, ln_p, ln_q);
        // D(α+β, α+β+n) - D(α, α+k) - D(β, β+n-k), a Jensen gap of x ↦ x - ln(1 + x), equals
        // -D(α, m₁) - D(β, m₀) with the means below (the Bregman form of the gap): two
        // non-negative terms instead of three of size n that cancel.
        let (kf_t, rest_t) = (T::from_f64(kf), T::from_f64(rest));
        let m1 = (a * (total + kf) + kf_t * b) / all;
        let m0 = (b * (total + rest) + rest_t * a) / all;
        let deviances = -poisson_deviance(a, m1) - poisson_deviance(b, m0);
        let half_logs = (T::from_f64(kf) / a).ln_1p() + (T::from_f64(rest) / b).ln_1p()
            - (T::from_f64(nf) / total).ln_1p();
        let remainders = stirling_remainder(successes) - stirling_remainder(a)
            + (stirling_remainder(failures) - stirling_remainder(b))
            - (stirling_remainder(all) - stirling_remainder(total));
        binomial + deviances - half_logs * 0.5 + remainders
    }

    fn support(&self) -> Support<T> {
        Support::NonNegativeInteger
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // A success probability from the beta distribution, then the binomial count.
        // `None` only for parameters that the constructor rejects.
        let beta = rand_distr::Beta::new(self.concentration1.value(), self.concentration0.value());
        let p: f64 = beta.ok()?.sample(rng);
        let d = rand_distr::Binomial::new(self.total_count, p).ok()?;
        Some(d.sample(rng))
    }

    /// `n α / (α + β)`.
    fn mean(&self) -> Option<T> {
        let (a, b) = (self.concentration1, self.concentration0);
        Some(a / (a + b) * self.total_count as f64)
    }

    /// `n α β (α + β + n) / ((α + β)² (α + β + 1))`.
    fn variance(&self) -> Option<T> {
        let (a, b) = (self.concentration1, self.concentration0);
        let n = self.total_count as f64;
        let total = a + b;
        Some(a * b * (total + n) * n / (total * total * (total + 1.0)))
    }
}

impl<T: Scalar> Samplable for BetaBinomial<T> {}

impl<T: Scalar> Family for BetaBinomial<T> {
    type At<U: Scalar> = BetaBinomial<U>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::Binomial;
    use crate::special::ln_beta;

    #[test]
    fn matches_the_textbook_formula_for_moderate_parameters() {
        let (a, b, n) = (2.5_f64, 0.7_f64, 12_u64);
        let d = BetaBinomial::new(a, b, n).unwrap();
        let mut total = 0.0;
        for k in 0..=n {
            let (kf, nf) = (k as f64, n as f64);
            let direct = -(nf + 1.0).ln() - ln_beta(kf + 1.0, nf - kf + 1.0)
                + ln_beta(kf + a, nf - kf + b)
                - ln_beta(a, b);
            let lp = d.log_prob(&k);
            assert!(
                (lp - direct).abs() < 1e-13 * direct.abs().max(1.0),
                "{k}: {lp} vs {direct}"
            );
            total += lp.exp();
        }
        assert!((total - 1.0).abs() < 1e-14);
    }

    #[test]
    fn large_concentrations_approach_the_binomial() {
        let d = BetaBinomial::new(3e12, 1e12, 40).unwrap();
        let b = Binomial::new(40, 0.75).unwrap();
        for k in [0, 20, 30, 40] {
            assert!((d.log_prob(&k) - b.log_prob(&k)).abs() < 1e-9, "{k}");
        }
    }
}
