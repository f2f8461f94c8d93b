//! The von Mises distribution on the circle.

use crate::special::wrap_angle;
use core::f64::consts::{PI, TAU};

use rand::{Rng, RngExt};
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{CircularDistribution, Distribution, Family, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::{i0e, i1e};
use crate::value::Real;

/// The von Mises distribution on angles in `[-π, π)`, with location `loc` (μ) and
/// `concentration` (κ ≥ 0):
///
/// `p(x) = exp(κ cos(x - μ)) / (2π I₀(κ))`
///
/// The log density is evaluated as `-2κ sin²((x - μ)/2) - ln(e^-κ I₀(κ)) - ln(2π)`, which has no
/// large cancelling terms for large `κ` (`ln I₀` comes from the exponentially scaled `i0e`, so
/// κ = 10⁵ is as accurate as κ = 1). `κ = 0` is the uniform distribution on the circle.
///
/// The density is periodic: an observed angle may be any real number and counts as the angle
/// it is modulo 2π, as in Stan and NumPyro (so data in degrees are not detected: convert them
/// with `f64::to_radians`). Draws are wrapped into `[-π, π)`; `loc` may be any finite number.
///
/// [`Distribution::mean`] is the mean direction (`loc` wrapped into `[-π, π)`), and
/// [`Distribution::variance`] is the **circular variance** `1 - I₁(κ)/I₀(κ)` (one minus the mean
/// resultant length), not the linear variance.
///
/// Reference: NumPyro `dist.VonMises(loc, concentration)`; Stan `von_mises(mu, kappa)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = VonMises::new(0.5, 0.0)?;
/// assert!((d.log_prob(&2.0) + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// let sharp = VonMises::new(0.0, 1e5)?;
/// assert!(sharp.log_prob(&0.0).is_finite());
/// let tau = 2.0 * std::f64::consts::PI;
/// assert!((sharp.log_prob(&(0.01 + tau)) - sharp.log_prob(&0.01)).abs() < 1e-6);
/// assert!(VonMises::new(0.0, -1.0).is_err());
/// # Ok::<(), VonMisesError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VonMises<T = f64> {
    loc: T,
    concentration: T,
}

/// Why a [`VonMises`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum VonMisesError {
    /// The location is NaN or infinite.
    #[error("VonMises loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The concentration is negative, NaN or infinite.
    #[error("VonMises concentration must be non-negative and finite, got {concentration}")]
    ConcentrationNotNonNegative {
        /// The rejected concentration.
        concentration: f64,
    },
}

impl<T: Scalar> VonMises<T> {
    /// A von Mises distribution; `loc` must be finite and `concentration` non-negative and finite.
    pub fn new(loc: T, concentration: T) -> Result<Self, VonMisesError> {
        if !loc.value().is_finite() {
            return Err(VonMisesError::LocNotFinite { loc: loc.value() });
        }
        let kappa = concentration.value();
        if !(kappa >= 0.0 && kappa.is_finite()) {
            return Err(VonMisesError::ConcentrationNotNonNegative {
                concentration: kappa,
            });
        }
        Ok(VonMises { loc, concentration })
    }
}

impl<T: Scalar> Distribution for VonMises<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "VonMises";
    const CIRCULAR: bool = true;

    /// Periodic in `x`: an observed angle may be any real number (as in Stan and NumPyro); a
    /// latent one is explored in `[-π, π)`.
    fn log_prob(&self, x: &T) -> T {
        if !x.value().is_finite() {
            return T::from_f64(f64::NEG_INFINITY);
        }
        let kappa = self.concentration;
        let mut difference = *x - self.loc;
        if !difference.value().is_finite() {
            // x - μ overflowed (|x| and |μ| near f64::MAX): the density is 2π-periodic, so
            // subtract the angles reduced modulo 2π (`%` is exact) instead.
            let reduced = x.value() % TAU - self.loc.value() % TAU;
            difference = T::from_parts(reduced, [(*x, 1.0), (self.loc, -1.0)].into_iter());
        }
        // -2κ sin²(d/2) as one autodiff node, ∂/∂d = -2κ sin(d/2) cos(d/2) and
        // ∂/∂κ = -2 sin²(d/2), each multiplied in an order that gives 0, not ∞ · 0, at d = 0
        // for the largest κ (a chain of nodes would pass the adjoint 2κ = ∞ to sin(d/2) = 0).
        let (sine, cosine) = (difference.value() * 0.5).sin_cos();
        let kappa_value = kappa.value();
        let quadratic = T::from_parts(
            -(sine * sine * kappa_value * 2.0),
            [
                (difference, -(kappa_value * sine * cosine * 2.0)),
                (kappa, -(sine * sine * 2.0)),
            ]
            .into_iter(),
        );
        quadratic - kappa.ln_i0e() - TAU.ln()
    }

    fn support(&self) -> Support<T> {
        Support::Circular
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let kappa = self.concentration.value();
        let offset = if kappa < UNIFORM_BELOW_KAPPA {
            // exp(κ cos θ) is 1 to double precision: the uniform distribution. Best and
            // Fisher's constants would overflow here (r - 1 ≈ 1/(2κ) is ∞ below about 1e-308,
            // and the rejection loop would never accept).
            rng.random_range(-PI..PI)
        } else if kappa > NORMAL_APPROXIMATION_KAPPA {
            let z: f64 = rand_distr::StandardNormal.sample(rng);
            z / kappa.sqrt()
        } else {
            best_fisher_offset(kappa, rng)
        };
        Some(wrap_angle(self.loc.value() + offset))
    }

    /// The mean direction: `loc` wrapped into `[-π, π)`.
    fn mean(&self) -> Option<T> {
        let turns = ((self.loc.value() + PI) / TAU).floor();
        Some(self.loc - turns * TAU)
    }

    /// The circular variance `1 - I₁(κ)/I₀(κ)` (in `[0, 1]`), not the linear variance. Computed on
    /// the plain value of κ: the result carries no derivative.
    fn variance(&self) -> Option<T> {
        let kappa = self.concentration.value();
        Some(T::from_f64(1.0 - i1e(kappa) / i0e(kappa)))
    }
}

impl<T: Scalar> Samplable for VonMises<T> {}

impl<T: Scalar> Family for VonMises<T> {
    type At<U: Scalar> = VonMises<U>;
}

impl<T: Scalar> CircularDistribution for VonMises<T> {}

/// Above this concentration draws come from the normal approximation `N(0, 1/κ)`: the von Mises
/// log density is `-κθ²/2 + κθ⁴/24 - ...`, and with `θ ~ κ^-½` the neglected terms are `O(1/κ)`,
/// so the two distributions differ by about 1e-6 in total variation here and less beyond.
const NORMAL_APPROXIMATION_KAPPA: f64 = 1e6;

/// A draw of `x - μ` by the rejection algorithm of Best & Fisher (1979), "Efficient simulation
/// of the von Mises distribution", Applied Statistics 28(2), 152–157.
///
/// The textbook form computes `f = (1 + r z) / (r + z)` and `θ = acos(f)`; for large κ, `f` is
/// within a few ulps of 1 and `acos` returns angles quantized to about 1.5e-8. Here the small
/// quantities `1 - ρ`, `r - 1`, `1 - z`, `1 + z` and `1 - f` are formed directly from exact
/// identities, and `θ = 2 asin(√((1 - f)/2))`, so draws keep full relative precision.
/// Below this concentration the density `exp(κ cos θ)/(2π I₀(κ))` equals `1/(2π)` to double
/// precision, and draws are uniform.
const UNIFORM_BELOW_KAPPA: f64 = 1e-17;

fn best_fisher_offset<R: Rng + ?Sized>(kappa: f64, rng: &mut R) -> f64 {
    // τ = 1 + √(1 + 4κ²); ρ = (τ - √(2τ)) / (2κ) = 2κ / (τ + √(2τ)); r = (1 + ρ²) / (2ρ).
    let s = (2.0 * kappa).hypot(1.0);
    let tau = 1.0 + s;
    let denominator = tau + (2.0 * tau).sqrt();
    let rho = 2.0 * kappa / denominator;
    // τ - 2κ = 1 + (s - 2κ) = 1 + 1/(s + 2κ).
    let one_minus_rho = (1.0 + 1.0 / (s + 2.0 * kappa) + (2.0 * tau).sqrt()) / denominator;
    let r_minus_one = one_minus_rho * one_minus_rho / (2.0 * rho);
    loop {
        let u1: f64 = rng.random();
        let u2: f64 = rand_distr::Open01.sample(rng);
        let u3: f64 = rng.random();
        // z = cos(π u1); 1 - z = 2 sin²(π u1 / 2), 1 + z = 2 cos²(π u1 / 2).
        let (sine, cosine) = (0.5 * PI * u1).sin_cos();
        let one_minus_z = 2.0 * sine * sine;
        let one_plus_z = 2.0 * cosine * cosine;
        // 1 - f = (r - 1)(1 - z) / (r + z), r + z = (r - 1) + (1 + z).
        let one_minus_f = r_minus_one * one_minus_z / (r_minus_one + one_plus_z);
        let c = kappa * (r_minus_one + one_minus_f);
        if c * (2.0 - c) > u2 || (c / u2).ln() + 1.0 - c >= 0.0 {
            let theta = 2.0 * (0.5 * one_minus_f).sqrt().min(1.0).asin();
            return if u3 < 0.5 { -theta } else { theta };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_fisher_constants_match_the_textbook_form() {
        for kappa in [0.3_f64, 2.0, 50.0] {
            let tau = 1.0 + (1.0 + 4.0 * kappa * kappa).sqrt();
            let rho = (tau - (2.0 * tau).sqrt()) / (2.0 * kappa);
            let s = (2.0 * kappa).hypot(1.0);
            let denominator = 1.0 + s + (2.0 * (1.0 + s)).sqrt();
            let one_minus_rho =
                (1.0 + 1.0 / (s + 2.0 * kappa) + (2.0 * (1.0 + s)).sqrt()) / denominator;
            assert!((1.0 - rho - one_minus_rho).abs() < 1e-12, "{kappa}");
        }
    }

    #[test]
    fn mean_direction_is_wrapped() {
        let d = VonMises::new(3.0 * PI / 2.0, 1.0).unwrap();
        assert!((d.mean().unwrap() + PI / 2.0).abs() < 1e-15);
    }
}
