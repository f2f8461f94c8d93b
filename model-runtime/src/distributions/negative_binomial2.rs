//! The negative binomial distribution in its mean-dispersion parameterization.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::{digamma_difference, poisson_deviance, stirling_remainder};
use crate::value::Count;

/// The negative binomial distribution over counts `k = 0, 1, 2, ...` with `mean` (μ > 0) and
/// `concentration` (φ > 0), the gamma-Poisson mixture with variance `μ + μ²/φ`:
///
/// `P(k) = Γ(k + φ) / (Γ(φ) k!) (μ / (μ + φ))^k (φ / (μ + φ))^φ`
///
/// For `k ≥ 1` the log mass is evaluated in Loader's form (R's `dnbinom_mu`):
/// `-½ ln(1 + k/φ) - ½ ln(2πk) + R(k+φ) - R(φ) - R(k) - D(φ, φ r) - D(k, μ r)`, with
/// `r = (k + φ)/(φ + μ)`, `R` the remainder of Stirling's series ([`stirling_remainder`]) and
/// `D(x, m) = x ln(x/m) + m - x` ([`poisson_deviance`]); as `φ → ∞` it turns into the Poisson's
/// Loader form term by term, so large concentrations lose nothing to cancellation. For `k = 0` it
/// is `-φ ln(1 + μ/φ)`.
///
/// Reference: NumPyro `dist.NegativeBinomial2(mean, concentration)`; Stan
/// `neg_binomial_2(mu, phi)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = NegativeBinomial2::new(3.0, 2.0)?;
/// // P(0) = (φ / (μ + φ))^φ = 0.16
/// assert!((d.log_prob(&0) - 0.16f64.ln()).abs() < 1e-15);
/// assert_eq!(d.variance(), Some(7.5));
/// // A huge concentration is the Poisson distribution.
/// let nearly_poisson = NegativeBinomial2::new(3.0, 1e15)?;
/// let p = Poisson::new(3.0).unwrap();
/// assert!((nearly_poisson.log_prob(&5) - p.log_prob(&5)).abs() < 1e-14);
/// assert!(NegativeBinomial2::new(3.0, 0.0).is_err());
/// # Ok::<(), NegativeBinomial2Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NegativeBinomial2<T = f64> {
    mean: T,
    concentration: T,
}

/// Why a [`NegativeBinomial2`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum NegativeBinomial2Error {
    /// The mean is not a positive finite number.
    #[error("NegativeBinomial2 mean must be positive and finite, got {mean}")]
    MeanNotPositive {
        /// The rejected mean.
        mean: f64,
    },
    /// The concentration is not a positive finite number.
    #[error("NegativeBinomial2 concentration must be positive and finite, got {concentration}")]
    ConcentrationNotPositive {
        /// The rejected concentration.
        concentration: f64,
    },
}

impl<T: Scalar> NegativeBinomial2<T> {
    /// A negative binomial distribution; `mean` and `concentration` must be positive and finite.
    pub fn new(mean: T, concentration: T) -> Result<Self, NegativeBinomial2Error> {
        if !(mean.value() > 0.0 && mean.value().is_finite()) {
            return Err(NegativeBinomial2Error::MeanNotPositive { mean: mean.value() });
        }
        if !(concentration.value() > 0.0 && concentration.value().is_finite()) {
            return Err(NegativeBinomial2Error::ConcentrationNotPositive {
                concentration: concentration.value(),
            });
        }
        Ok(NegativeBinomial2 {
            mean,
            concentration,
        })
    }
}

impl<T: Scalar> Distribution for NegativeBinomial2<T> {
    type Scalar = T;
    type Kind = Count;
    const NAME: &'static str = "NegativeBinomial2";

    /// One autodiff node: the value from the saddle-point form (`log_mass`) on plain values,
    /// the partials analytic, `∂/∂μ = (k - μ)/(μ (1 + μ/φ))` and
    /// `∂/∂φ = [ψ(φ + k) - ψ(φ)] - ln(1 + μ/φ) + (μ - k)/(φ + μ)` (the digamma difference by
    /// [`digamma_difference`]'s recurrence). Chained through the saddle-point form, slopes such
    /// as `k/μ` overflowed and met zeros as `∞ · 0` at a mean near `f64::MIN_POSITIVE`.
    fn log_prob(&self, k: &u64) -> T {
        let (mu, phi) = (self.mean.value(), self.concentration.value());
        let value = log_mass(mu, phi, *k);
        if !T::DIFFERENTIABLE || !value.is_finite() {
            return T::from_f64(value);
        }
        let kf = *k as f64;
        let shrink = (mu / phi).ln_1p();
        let d_mean = (kf - mu) / mu / (mu / phi + 1.0);
        let d_concentration = digamma_difference(phi, *k) - shrink + (mu - kf) / (phi + mu);
        T::from_parts(
            value,
            [(self.mean, d_mean), (self.concentration, d_concentration)].into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::NonNegativeInteger
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // Gamma-Poisson: λ ~ Gamma(φ, rate φ/μ), k ~ Poisson(λ). λ is formed as (g/φ) μ so that
        // no intermediate overflows; a λ of 0 (tiny φ) draws 0, and one beyond the Poisson
        // sampler's range saturates at u64::MAX. `None` only for parameters that the
        // constructor rejects.
        let (mu, phi) = (self.mean.value(), self.concentration.value());
        let g: f64 = rand_distr::Gamma::new(phi, 1.0).ok()?.sample(rng);
        let lambda = g / phi * mu;
        if lambda <= 0.0 {
            return Some(0);
        }
        if lambda > rand_distr::Poisson::<f64>::MAX_LAMBDA {
            return Some(u64::MAX);
        }
        let k: f64 = rand_distr::Poisson::new(lambda).ok()?.sample(rng);
        Some(k as u64)
    }

    fn mean(&self) -> Option<T> {
        Some(self.mean)
    }

    /// `μ + μ²/φ`.
    fn variance(&self) -> Option<T> {
        Some(self.mean + self.mean * self.mean / self.concentration)
    }
}

impl<T: Scalar> Samplable for NegativeBinomial2<T> {}

impl<T: Scalar> Family for NegativeBinomial2<T> {
    type At<U: Scalar> = NegativeBinomial2<U>;
}

/// `ln P(k)` by the saddle-point form: Loader's deviances around `r = (φ + k)/(φ + μ)` and
/// Stirling remainders, so that nothing of size `k ln k` cancels.
fn log_mass(mu: f64, phi: f64, k: u64) -> f64 {
    if k == 0 {
        return -phi * (mu / phi).ln_1p();
    }
    let kf = k as f64;
    // r is formed as a ratio first so that φ r and μ r cannot overflow.
    let ratio = (phi + kf) / (phi + mu);
    // ln(1 + k/φ) from the two logs once k/φ is large (it overflows for a tiny φ).
    let ln_1p_k = if kf / phi > 1e8 {
        (phi + kf).ln() - phi.ln()
    } else {
        (kf / phi).ln_1p()
    };
    -ln_1p_k * 0.5 + stirling_remainder(phi + kf)
        - stirling_remainder(phi)
        - poisson_deviance(phi, phi * ratio)
        - poisson_deviance(kf, mu * ratio)
        - (stirling_remainder(kf) + 0.5 * kf.ln() + LN_SQRT_2PI)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_formula_for_moderate_parameters() {
        let (mu, phi) = (4.2_f64, 1.7_f64);
        let d = NegativeBinomial2::new(mu, phi).unwrap();
        let mut total = 0.0;
        for k in 0..200_u64 {
            let kf = k as f64;
            let direct = libm::lgamma(kf + phi) - libm::lgamma(kf + 1.0) - libm::lgamma(phi)
                + kf * (mu / (mu + phi)).ln()
                + phi * (phi / (mu + phi)).ln();
            let lp = d.log_prob(&k);
            assert!(
                (lp - direct).abs() < 1e-13 * direct.abs().max(1.0),
                "{k}: {lp} vs {direct}"
            );
            total += lp.exp();
        }
        assert!((total - 1.0).abs() < 1e-13);
    }
}
