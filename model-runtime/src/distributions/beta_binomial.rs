//! The beta-binomial distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::distributions::Binomial;
use crate::distributions::binomial::binomial_log_mass;
use crate::scalar::Scalar;
use crate::special::{digamma_difference, ln_gamma, poisson_deviance, stirling_remainder};
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
    /// The number of trials is above [`Binomial::MAX_TOTAL_COUNT`] (2^53), where counts are
    /// not exact in `f64`.
    #[error("BetaBinomial total_count must be at most 2^53, got {total_count}")]
    TotalCountTooLarge {
        /// The rejected number of trials.
        total_count: u64,
    },
}

impl<T: Scalar> BetaBinomial<T> {
    /// A beta-binomial distribution of `total_count` trials (at most
    /// [`Binomial::MAX_TOTAL_COUNT`]); `concentration1` and `concentration0` must be positive
    /// and finite.
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
        if total_count > Binomial::<f64>::MAX_TOTAL_COUNT {
            return Err(BetaBinomialError::TotalCountTooLarge { total_count });
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

    /// The prior mean success probability `α/(α + β)` and its complement, each from the
    /// concentrations' ratio.
    fn shares(&self) -> (T, T) {
        let (a, b) = (self.concentration1, self.concentration0);
        let one = T::from_f64(1.0);
        (one / (b / a + 1.0), one / (a / b + 1.0))
    }
}

impl<T: Scalar> Distribution for BetaBinomial<T> {
    type Scalar = T;
    type Kind = Count;
    const NAME: &'static str = "BetaBinomial";

    /// One autodiff node: the value from the saddle-point form below, on plain values, and
    /// the partials `∂/∂α = [ψ(α + k) - ψ(α)] - [ψ(α + β + n) - ψ(α + β)]` (and the same
    /// in `β` with `n - k`) from [`digamma_difference`], which sums the recurrence instead of
    /// subtracting digammas. Chained through the saddle-point form, the slopes overflowed to
    /// `∞ · 0` at concentrations near `f64::MIN_POSITIVE`.
    fn log_prob(&self, k: &u64) -> T {
        let (n, k) = (self.total_count, *k);
        if k > n {
            return T::from_f64(f64::NEG_INFINITY);
        }
        if n == 0 {
            return T::from_f64(0.0);
        }
        let (a, b) = (self.concentration1.value(), self.concentration0.value());
        let value = log_mass(a, b, n, k);
        if !T::DIFFERENTIABLE || !value.is_finite() {
            return T::from_f64(value);
        }
        let total = digamma_difference(a + b, n);
        T::from_parts(
            value,
            [
                (self.concentration1, digamma_difference(a, k) - total),
                (self.concentration0, digamma_difference(b, n - k) - total),
            ]
            .into_iter(),
        )
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

    /// `n α / (α + β)`, with `α/(α + β) = 1/(1 + β/α)` so that it holds where `α + β`
    /// overflows.
    fn mean(&self) -> Option<T> {
        Some(self.shares().0 * self.total_count as f64)
    }

    /// `n α β (α + β + n) / ((α + β)² (α + β + 1))`, as `n p q (1 + (n - 1)/(α + β + 1))` with
    /// `p = α/(α + β)` and `q = β/(α + β)`, so that nothing overflows before the result does.
    fn variance(&self) -> Option<T> {
        let n = self.total_count as f64;
        let (p, q) = self.shares();
        let total = self.concentration1 + self.concentration0;
        Some(p * q * n * (T::from_f64(n - 1.0) / (total + 1.0) + 1.0))
    }
}

impl<T: Scalar> Samplable for BetaBinomial<T> {}

impl<T: Scalar> Family for BetaBinomial<T> {
    type At<U: Scalar> = BetaBinomial<U>;
}

/// Up to this many trials the log mass is the sum of its `n` ratio terms
/// ([`log_mass_by_products`]).
const PRODUCT_FORM_UP_TO: u64 = 16;

/// `ln P(k)` for `0 < n`, `k ≤ n`: by Loader's saddle-point form (see [`BetaBinomial`]), for
/// few trials by [`log_mass_by_products`], and where `α + β + n` overflows as the binomial
/// limit, the binomial at `p = α/(α + β)` (their difference is of relative order
/// `n/(α + β)`, below 1e-290 there).
fn log_mass(a: f64, b: f64, n: u64, k: u64) -> f64 {
    if n <= PRODUCT_FORM_UP_TO {
        return log_mass_by_products(a, b, n, k);
    }
    if !(a + b + n as f64).is_finite() {
        let (ln_p, ln_q) = (-(b / a).ln_1p(), -(a / b).ln_1p());
        return binomial_log_mass(n, k, ln_p.exp(), ln_q.exp(), 0.0, ln_p, ln_q);
    }
    if a.min(b) < TINY_CONCENTRATION {
        // The saddle-point form's ln(1 + n/β) would overflow: the textbook form, its ln Γ
        // ratios from `ln_rising` (absolute error about 1e-16 of the largest, ln Γ(β) ≈ -ln β
        // ≈ 645 or more for the tiny one).
        let (kf, rest, nf) = (k as f64, (n - k) as f64, n as f64);
        let ln_choose = ln_gamma(nf + 1.0) - ln_gamma(kf + 1.0) - ln_gamma(rest + 1.0);
        return ln_choose + ln_rising(a, k) + ln_rising(b, n - k) - ln_rising(a + b, n);
    }
    log_mass_by_saddle_point(a, b, n, k)
}

/// `ln Γ(x + m) - ln Γ(x)` for `x > 0`, finite wherever the result is: below 1 by
/// `Γ(x + 1) = x Γ(x)`, from 10 on by Stirling's series written as
/// `m ln(x + m) + (x - ½) ln(1 + m/x) - m + R(x + m) - R(x)` ([`stirling_remainder`]), whose
/// terms do not overflow for `x` near `f64::MAX`, and between by the two `ln Γ`.
fn ln_rising(x: f64, m: u64) -> f64 {
    if m == 0 {
        return 0.0;
    }
    if x < 1.0 {
        return x.ln() + ln_rising(x + 1.0, m - 1);
    }
    let mf = m as f64;
    if x < 10.0 {
        return ln_gamma(x + mf) - ln_gamma(x);
    }
    mf * (x + mf).ln() + (x - 0.5) * (mf / x).ln_1p() - mf
        + (stirling_remainder(x + mf) - stirling_remainder(x))
}

/// Below this concentration the saddle-point form's ratios `n/α` may overflow (`n ≤ 2^53`).
const TINY_CONCENTRATION: f64 = 1e-280;

/// `ln P(k) = ln C(n, k) + Σ_{j<k} ln((α + j)/(α + β + j)) + Σ_{i<n-k} ln((β + i)/(α + β + k + i))`,
/// each ratio written `1/(1 + β/(α + j))` or `1/(1 + (α + k)/(β + i))`: exact to a few ulps
/// per term for every pair of concentrations, subnormal or near `f64::MAX` included.
fn log_mass_by_products(a: f64, b: f64, n: u64, k: u64) -> f64 {
    let successes: f64 = (0..k).map(|j| -(b / (a + j as f64)).ln_1p()).sum();
    let ak = a + k as f64;
    let failures: f64 = (0..n - k).map(|i| -(ak / (b + i as f64)).ln_1p()).sum();
    // C(n, k) exactly: each partial product C(n, j + 1) = C(n, j) (n - j)/(j + 1) is whole.
    let choose = (0..k.min(n - k)).fold(1u64, |c, j| c * (n - j) / (j + 1));
    (choose as f64).ln() + successes + failures
}

/// `ln P(k)` by Loader's saddle-point form (see [`BetaBinomial`]).
fn log_mass_by_saddle_point(a: f64, b: f64, n: u64, k: u64) -> f64 {
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
    let m1 = (a * (total + kf) + kf * b) / all;
    let m0 = (b * (total + rest) + rest * a) / all;
    let deviances = -poisson_deviance(a, m1) - poisson_deviance(b, m0);
    let half_logs = (kf / a).ln_1p() + (rest / b).ln_1p() - (nf / total).ln_1p();
    let remainders = stirling_remainder(successes) - stirling_remainder(a)
        + (stirling_remainder(failures) - stirling_remainder(b))
        - (stirling_remainder(all) - stirling_remainder(total));
    binomial + deviances - half_logs * 0.5 + remainders
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
    fn every_form_matches_high_precision_values() {
        // ln P(k) from mpmath at 400 digits, through each form: products (n ≤ 16), the
        // saddle point (n = 17), the textbook form with `ln_rising` (a concentration below
        // 1e-280, its partner ordinary or near f64::MAX), and the binomial limit (α + β
        // overflows).
        for (a, b, n, k, expected) in [
            (0.3, 0.7, 10, 0, -0.962_069_223_308_664),
            (2.5, 3.5, 16, 5, -2.299_113_032_642_296_6),
            (2.5, 3.5, 17, 5, -2.367_700_142_305_868),
            (1e-300, 2.5, 100, 0, -3.921_820_177_441_59e-300),
            (1e-300, 2.5, 100, 3, -691.919_256_842_234_1),
            (3.5, 1e-290, 40, 39, -667.810_301_590_089_7),
            (1e-300, 1e308, 100, 1, -1_395.366_566_354_391_7),
            (1e308, 1e308, 20, 7, -2.604_652_364_634_258),
        ] {
            let lp = BetaBinomial::new(a, b, n).unwrap().log_prob(&k);
            assert!(
                (lp - expected).abs() <= 1e-13 * expected.abs().max(1.0),
                "α {a}, β {b}, n {n}, k {k}: {lp} against {expected}"
            );
        }
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
