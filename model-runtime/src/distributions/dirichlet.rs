//! The Dirichlet distribution.

use rand::Rng;

use crate::bijectors::{ForwardMap, Simplex, VectorBijector};
use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable, Value};
use crate::distributions::gamma::sample_ln_gamma;
use crate::scalar::Scalar;
use crate::special::{poisson_deviance, stirling_remainder};
use crate::value::{PooledVec, Reals};

/// The Dirichlet distribution over the probability simplex of `K` components, with
/// `concentration` `α = (α_1, ..., α_K)`, each `α_k > 0`, and density (over the first `K - 1`
/// components; the last is `1 - Σ_{k<K} x_k`)
///
/// `p(x) = Γ(α_0) / Π_k Γ(α_k) · Π_k x_k^(α_k - 1)`, with `α_0 = Σ_k α_k`.
///
/// Components with `α_k ≥ 10` are evaluated in Loader's saddle-point form, which the beta
/// distribution uses too: each `ln Γ` is written as Stirling's leading terms plus its remainder
/// [`stirling_remainder`] `R`, and the large terms `(α_k - 1) ln x_k - ln Γ(α_k)` and `ln Γ(α_0)`
/// combine into the deviances `D(α_k, α_0 x_k) = α_k ln(α_k / (α_0 x_k)) + α_0 x_k - α_k`
/// ([`poisson_deviance`]), which are small near the mode (Loader 2000, "Fast and accurate
/// computation of binomial probabilities"):
///
/// `ln p = Σ_{α_k ≥ 10} [-D(α_k, α_0 x_k) - ln x_k + ½ ln α_k - ½ ln 2π - R(α_k)]
///       + Σ_{α_k < 10} [(α_k - 1) ln x_k + α_k ln α_0 - α_0 x_k - ln Γ(α_k)]
///       + α_0 (Σ_k x_k - 1) - ½ ln α_0 + ½ ln 2π + R(α_0)`.
///
/// The term `α_0 (Σ_k x_k - 1)`, zero on the exact simplex, keeps the result equal to the textbook
/// form for values whose sum is 1 only to round-off; its sum is compensated.
///
/// A latent site is explored through the [`Simplex`] stick-breaking bijector, whose log-Jacobian
/// is over the same first `K - 1` components. Values are `Vec<f64>` of length `K`; the element
/// [`support`](Distribution::support) is the unit interval, and the simplex itself is checked with
/// Stan's tolerance [`CONSTRAINT_TOLERANCE`](crate::bijectors::CONSTRAINT_TOLERANCE)
/// (`log_prob` is `-∞` off it). The mean and variance
/// are vectors: [`Dirichlet::mean_vector`], [`Dirichlet::variance_vector`].
///
/// Reference: NumPyro `dist.Dirichlet(concentration)`; Stan `dirichlet(alpha)`. The sampler
/// normalizes gamma draws `G_k ~ Gamma(α_k, 1)` as `x_k = G_k / Σ_j G_j`, in log space so that
/// concentrations far below 1 still give a valid simplex (JAX's `random.dirichlet`).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // Dirichlet(1, 1, 1) is uniform on the triangle, whose area (over two components) is 1/2.
/// let flat = Dirichlet::new(vec![1.0, 1.0, 1.0])?;
/// assert!((flat.log_prob(&PooledVec::from(vec![0.2, 0.3, 0.5])) - 2f64.ln()).abs() < 1e-15);
///
/// // Two components: Dirichlet(α, β) at (x, 1 - x) is Beta(α, β) at x.
/// let d = Dirichlet::new(vec![2.0, 3.5])?;
/// let beta = Beta::new(2.0, 3.5)?;
/// assert!((d.log_prob(&PooledVec::from(vec![0.3, 0.7])) - beta.log_prob(&0.3)).abs() < 1e-14);
/// assert_eq!(d.log_prob(&PooledVec::from(vec![0.3, 0.6])), f64::NEG_INFINITY); // not on the simplex
/// assert!(Dirichlet::new(vec![1.0, -2.0]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// In a model:
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn die(rolls: &[u64]) {
///     let p = sample!("p", Dirichlet::new(vec![1.0; 6]));
///     plate!("rolls", rolls.len(), |i| {
///         sample!("roll", Categorical::new(p.clone()), obs = rolls[i]);
///     });
/// }
///
/// let prior = Predictive::prior(50).seed(1).run(&die(&[2, 5, 5, 0]))?;
/// assert!(prior.p.iter().all(|p| (p.iter().sum::<f64>() - 1.0).abs() < 1e-12));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dirichlet<T = f64> {
    concentration: Vec<T>,
}

/// Why a [`Dirichlet`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum DirichletError {
    /// The concentration has no components.
    #[error("Dirichlet needs at least one component, got none")]
    NoComponents,
    /// A concentration is not a positive finite number.
    #[error(
        "Dirichlet concentration must be positive and finite, got {concentration} for component {index}"
    )]
    ConcentrationNotPositive {
        /// The component whose concentration was rejected.
        index: usize,
        /// The rejected concentration.
        concentration: f64,
    },
    /// The concentrations' sum `α₀` overflows: the density's normalizer is a function of it.
    #[error("Dirichlet concentrations must sum to a finite number, they sum beyond f64::MAX")]
    ConcentrationSumNotFinite,
}

impl<T: Scalar> Dirichlet<T> {
    /// A Dirichlet distribution with concentrations `concentration` (a `Vec`, slice or array),
    /// each positive and finite, with a finite sum.
    pub fn new(concentration: impl Into<Vec<T>>) -> Result<Self, DirichletError> {
        let concentration = concentration.into();
        if concentration.is_empty() {
            return Err(DirichletError::NoComponents);
        }
        if let Some((index, a)) = concentration
            .iter()
            .enumerate()
            .find(|(_, a)| !(a.value() > 0.0 && a.value().is_finite()))
        {
            return Err(DirichletError::ConcentrationNotPositive {
                index,
                concentration: a.value(),
            });
        }
        if !concentration
            .iter()
            .map(|a| a.value())
            .sum::<f64>()
            .is_finite()
        {
            return Err(DirichletError::ConcentrationSumNotFinite);
        }
        Ok(Dirichlet { concentration })
    }

    /// The number of components `K`.
    pub fn dim(&self) -> usize {
        self.concentration.len()
    }

    /// The concentrations `α`.
    pub fn concentration(&self) -> &[T] {
        &self.concentration
    }

    /// The mean `α_k / α_0` of each component.
    pub fn mean_vector(&self) -> Vec<T> {
        let total = self.total();
        self.concentration.iter().map(|&a| a / total).collect()
    }

    /// The variance `α_k (α_0 - α_k) / (α_0² (α_0 + 1))` of each component.
    pub fn variance_vector(&self) -> Vec<T> {
        let total = self.total();
        let denominator = total * total * (total + 1.0);
        self.concentration
            .iter()
            .map(|&a| a * (total - a) / denominator)
            .collect()
    }

    /// `α_0 = Σ_k α_k`.
    fn total(&self) -> T {
        let (first, rest) = self
            .concentration
            .split_first()
            .expect("the constructor rejects an empty concentration");
        rest.iter().fold(*first, |sum, &a| sum + a)
    }

    fn simplex(&self) -> Simplex {
        Simplex::new(self.dim()).expect("the constructor rejects an empty concentration")
    }
}

impl<T: Scalar> Distribution for Dirichlet<T> {
    type Scalar = T;
    type Kind = Reals;
    const NAME: &'static str = "Dirichlet";

    fn log_prob(&self, x: &Value<Self>) -> T {
        if x.len() != self.dim() {
            return T::from_f64(f64::NAN);
        }
        // A pooled buffer: log densities run in the gradient's hot path.
        let values: PooledVec<f64> = x.iter().map(|v| v.value()).collect();
        if self.simplex().check(&values).is_err() {
            return T::from_f64(f64::NEG_INFINITY);
        }
        // On a face of the simplex the density is 0 or unbounded unless the component's
        // concentration is 1 (as for the beta distribution at 0 and 1); zero wins over unbounded.
        let zero_with = |pick: fn(f64) -> bool| {
            values
                .iter()
                .zip(&self.concentration)
                .any(|(&v, a)| v == 0.0 && pick(a.value()))
        };
        if zero_with(|a| a > 1.0) {
            return T::from_f64(f64::NEG_INFINITY);
        }
        if zero_with(|a| a < 1.0) {
            return T::from_f64(f64::INFINITY);
        }

        let total = self.total();
        // Σ x - 1 as a scalar whose value is the compensated sum (so that round-off in the
        // components' sum is not multiplied by α_0) and whose derivative is 1 in each component.
        let naive = x.iter().fold(T::from_f64(-1.0), |sum, &v| sum + v);
        let excess =
            naive + (compensated_sum(values.iter().copied().chain([-1.0])) - naive.value());
        let mut lp = total * excess - total.ln() * 0.5 + LN_SQRT_2PI + stirling_remainder(total);
        for ((&a, &v), &plain) in self.concentration.iter().zip(x).zip(&values) {
            if a.value() >= LOADER_FORM_FROM {
                lp += -poisson_deviance(a, v * total) - v.ln() + a.ln() * 0.5
                    - LN_SQRT_2PI
                    - stirling_remainder(a);
            } else {
                // A component at 0 has concentration 1 here, and 0 · ln 0 counts as 0.
                let shape = if plain == 0.0 {
                    T::from_f64(0.0)
                } else {
                    (a - 1.0) * v.ln()
                };
                lp += shape + a * total.ln() - total * v - a.ln_gamma();
            }
        }
        lp
    }

    /// Elementwise: every component lies in the unit interval (the simplex is checked by
    /// `log_prob` and by [`Simplex`]).
    fn support(&self) -> Support<T> {
        Support::UnitInterval
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let ln_draws: Vec<f64> = self
            .concentration
            .iter()
            .map(|a| sample_ln_gamma(a.value(), rng))
            .collect();
        let largest = ln_draws.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !largest.is_finite() {
            return None;
        }
        let scaled: Vec<f64> = ln_draws.iter().map(|g| (g - largest).exp()).collect();
        let sum: f64 = scaled.iter().sum();
        Some(scaled.iter().map(|g| g / sum).collect())
    }

    fn unconstrained_len(&self) -> usize {
        self.dim() - 1
    }

    fn constrain(&self, u: &[T]) -> (Value<Self>, T) {
        let mut x: PooledVec<T> = core::iter::repeat_n(T::from_f64(0.0), self.dim()).collect();
        match self.simplex().forward(u, &mut x) {
            Ok(log_jacobian) => (x, log_jacobian),
            // Only a coordinate vector of the wrong length fails; the log density then is NaN.
            Err(_) => (x, T::from_f64(f64::NAN)),
        }
    }

    fn unconstrain(&self, x: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), f64> {
        let start = out.len();
        out.resize(start + self.dim().saturating_sub(1), 0.0);
        self.simplex().inverse(x, &mut out[start..]).map_err(|e| {
            out.truncate(start);
            e.offending_value(x)
        })
    }
}

impl<T: Scalar> Samplable for Dirichlet<T> {}

impl<T: Scalar> Family for Dirichlet<T> {
    type At<U: Scalar> = Dirichlet<U>;
}

/// From this concentration on, a component's `(α - 1) ln x - ln Γ(α)` cancels against `ln Γ(α_0)`
/// by more than a digit, and Loader's form takes over (as for the beta distribution).
const LOADER_FORM_FROM: f64 = 10.0;

/// `Σ values` with Neumaier's compensation (an improved Kahan summation), accurate to about one
/// rounding of the result whatever the cancellation.
fn compensated_sum(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut compensation) = (0.0_f64, 0.0_f64);
    for v in values {
        let t = sum + v;
        compensation += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + compensation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_form_agrees_with_the_textbook_form() {
        let alpha = [12.0, 0.7, 31.5, 3.0];
        let d = Dirichlet::new(alpha).unwrap();
        let x = vec![0.25, 0.02, 0.6, 0.13];
        let total: f64 = alpha.iter().sum();
        let textbook = alpha
            .iter()
            .zip(&x)
            .map(|(a, v)| (a - 1.0) * f64::ln(*v) - libm::lgamma(*a))
            .sum::<f64>()
            + libm::lgamma(total);
        let lp = d.log_prob(&PooledVec::from_slice(&x));
        assert!(
            ((lp - textbook) / textbook).abs() < 1e-13,
            "{lp} vs {textbook}"
        );
    }

    #[test]
    fn faces_of_the_simplex() {
        // A component at 0 has a finite density only where its concentration is 1.
        let d = Dirichlet::new([1.0, 2.0, 0.5]).unwrap();
        let textbook = libm::lgamma(3.5) - libm::lgamma(2.0) - libm::lgamma(0.5)
            + (2.0 - 1.0) * 0.5_f64.ln()
            + (0.5 - 1.0) * 0.5_f64.ln();
        assert!((d.log_prob(&PooledVec::from_slice(&[0.0, 0.5, 0.5])) - textbook).abs() < 1e-14);
        assert_eq!(
            d.log_prob(&PooledVec::from_slice(&[0.5, 0.0, 0.5])),
            f64::NEG_INFINITY
        );
        assert_eq!(
            d.log_prob(&PooledVec::from_slice(&[0.5, 0.5, 0.0])),
            f64::INFINITY
        );
        assert!(d.log_prob(&PooledVec::from_slice(&[0.5, 0.5])).is_nan());
    }

    #[test]
    fn compensated_sum_recovers_what_naive_summation_loses() {
        let values = [1.0, 1e-17, -1.0, 1e-17];
        assert_eq!(compensated_sum(values.into_iter()), 2e-17);
    }
}
