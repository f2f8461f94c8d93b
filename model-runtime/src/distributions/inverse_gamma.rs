//! The inverse gamma distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::{poisson_deviance, stirling_remainder};
use crate::value::Real;

/// The inverse gamma distribution with shape `concentration` (α > 0) and `rate` (β > 0), the law
/// of `1/Y` for `Y ~ Gamma(α, β)`, with density on `x > 0`
///
/// `p(x) = β^α x^(-α-1) e^(-β/x) / Γ(α)`
///
/// The log density is the gamma log density at `1/x` (in Loader's saddle-point form, see
/// [`Gamma`](crate::distributions::Gamma)) plus the Jacobian `-2 ln x`:
/// `-ln x + ½ ln α - ½ ln(2π) - R(α) - D(α, β/x)`, with `R` the remainder of Stirling's series
/// ([`stirling_remainder`]) and `D(a, y) = a ln(a/y) + y - a` ([`poisson_deviance`]); it stays
/// accurate for large `α`, where the textbook form cancels.
///
/// Reference: NumPyro `dist.InverseGamma(concentration, rate)`; Stan `inv_gamma(alpha, beta)`
/// (Stan's `beta` is this rate, although it acts as a scale of `x`).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = InverseGamma::new(3.0, 2.0)?;
/// let direct = 3.0 * 2f64.ln() - 4.0 * 0.5f64.ln() - 4.0 - 2f64.ln(); // β^α x^(-α-1) e^(-β/x) / Γ(α)
/// assert!((d.log_prob(&0.5) - direct).abs() < 1e-14);
/// assert_eq!(d.mean(), Some(1.0));
/// assert!(InverseGamma::new(3.0, 0.0).is_err());
/// # Ok::<(), InverseGammaError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InverseGamma<T = f64> {
    concentration: T,
    rate: T,
}

/// Why an [`InverseGamma`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum InverseGammaError {
    /// The concentration (shape) is not a positive finite number.
    #[error("InverseGamma concentration must be positive and finite, got {concentration}")]
    ConcentrationNotPositive {
        /// The rejected concentration.
        concentration: f64,
    },
    /// The rate is not a positive finite number.
    #[error("InverseGamma rate must be positive and finite, got {rate}")]
    RateNotPositive {
        /// The rejected rate.
        rate: f64,
    },
}

impl<T: Scalar> InverseGamma<T> {
    /// An inverse gamma distribution; `concentration` and `rate` must be positive and finite.
    pub fn new(concentration: T, rate: T) -> Result<Self, InverseGammaError> {
        if !(concentration.value() > 0.0 && concentration.value().is_finite()) {
            return Err(InverseGammaError::ConcentrationNotPositive {
                concentration: concentration.value(),
            });
        }
        if !(rate.value() > 0.0 && rate.value().is_finite()) {
            return Err(InverseGammaError::RateNotPositive { rate: rate.value() });
        }
        Ok(InverseGamma {
            concentration,
            rate,
        })
    }
}

impl<T: Scalar> Distribution for InverseGamma<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "InverseGamma";

    fn log_prob(&self, x: &T) -> T {
        let (a, rate, v) = (self.concentration.value(), self.rate.value(), x.value());
        let value = log_density(a, rate, v);
        if !value.is_finite() {
            return T::from_f64(value);
        }
        // One autodiff node with the analytic partials ∂/∂x = (β/x - α - 1)/x,
        // ∂/∂β = α/β - 1/x and ∂/∂α = ln β - ln x - ψ(α): the chain through the deviance
        // D(α, β/x) would carry 1 - α x/β, which overflows for a tiny β/x although the partials
        // themselves are finite.
        T::from_parts(
            value,
            [
                (*x, (rate / v - a - 1.0) / v),
                (self.rate, a / rate - 1.0 / v),
                (self.concentration, rate.ln() - v.ln() - a.digamma()),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // β / Gamma(α, 1); for small α the gamma draw can underflow to 0, and the quotient is
        // clamped to the largest double. `None` only for parameters that the constructor rejects.
        let g: f64 = rand_distr::Gamma::new(self.concentration.value(), 1.0)
            .ok()?
            .sample(rng);
        Some((self.rate.value() / g).min(f64::MAX))
    }

    /// `β / (α - 1)` for `α > 1`; `+∞` otherwise (as in NumPyro: the integral diverges).
    fn mean(&self) -> Option<T> {
        Some(if self.concentration.value() > 1.0 {
            self.rate / (self.concentration - 1.0)
        } else {
            T::from_f64(f64::INFINITY)
        })
    }

    /// `β² / ((α - 1)² (α - 2))` for `α > 2`; `+∞` otherwise (as in NumPyro).
    fn variance(&self) -> Option<T> {
        Some(if self.concentration.value() > 2.0 {
            // (β/(α - 1))² / (α - 2): β² and (α - 1)² would overflow to ∞/∞ for large α, β.
            let mean = self.rate / (self.concentration - 1.0);
            mean * mean / (self.concentration - 2.0)
        } else {
            T::from_f64(f64::INFINITY)
        })
    }
}

impl<T: Scalar> Samplable for InverseGamma<T> {}

impl<T: Scalar> Family for InverseGamma<T> {
    type At<U: Scalar> = InverseGamma<U>;
}

/// The log density at `x` in `f64`, in Loader's saddle-point form (see [`InverseGamma`]).
fn log_density(a: f64, rate: f64, x: f64) -> f64 {
    // The density tends to 0 at both ends for every α; at +∞ the deviance would be ∞ - ∞.
    if !(x > 0.0 && x.is_finite()) {
        return f64::NEG_INFINITY;
    }
    // β/x = m + remainder/x exactly (the remainder from a fused multiply-add); the deviance's
    // slope in its mean is 1 - α/m, so the rounding of the quotient, which near the mode would
    // cost about |α - β/x| 1e-16, is added back as a constant.
    let m = rate / x;
    if m == f64::INFINITY {
        // ln p ≈ -β/x is below -f64::MAX; the deviance would be ∞ - ∞.
        return f64::NEG_INFINITY;
    }
    let head = -x.ln() + a.ln() * 0.5 - LN_SQRT_2PI - stirling_remainder(a);
    if m < f64::MIN_POSITIVE {
        // β/x underflows: D(α, m) = α (ln α - ln m) - α + m with ln m = ln β - ln x.
        return head - (a * (a.ln() - rate.ln() + x.ln()) - a);
    }
    let rounding = (1.0 - a / m) * ((-m).mul_add(x, rate) / x);
    // Where α/m overflows the deviance is so large that the correction is nothing to it (and
    // ∞ · 0 would be NaN).
    let rounding = if rounding.is_finite() { rounding } else { 0.0 };
    head - poisson_deviance(a, m) - rounding
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::Gamma;

    #[test]
    fn is_the_gamma_density_at_the_reciprocal_with_its_jacobian() {
        let (a, b) = (2.7, 0.4);
        let ig = InverseGamma::new(a, b).unwrap();
        let g = Gamma::new(a, b).unwrap();
        for x in [0.01_f64, 0.3, 2.0, 50.0] {
            let via_gamma = g.log_prob(&(1.0 / x)) - 2.0 * x.ln();
            assert!((ig.log_prob(&x) - via_gamma).abs() < 1e-13 * via_gamma.abs().max(1.0));
        }
        assert_eq!(ig.log_prob(&0.0), f64::NEG_INFINITY);
        assert_eq!(ig.log_prob(&1e-310), f64::NEG_INFINITY);
        // β/x = 4e-310 is below the normal range; the density is about β^α x^(-α-1) / Γ(α).
        let far = ig.log_prob(&1e300);
        let expected = a * b.ln() - (a + 1.0) * 1e300_f64.ln() - libm::lgamma(a);
        assert!(
            (far - expected).abs() < 1e-12 * expected.abs(),
            "{far} vs {expected}"
        );
    }
}
