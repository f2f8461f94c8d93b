//! Finite mixtures of distributions of one family.

use rand::{Rng, RngExt};

use super::categories::{self, CategoriesError};
use crate::constraint::Support;
use crate::distribution::{Distribution, Family, IntoDistribution, PlainValue, Samplable, Value};
use crate::linalg::log_sum_exp;
use crate::scalar::{IntoParam, Scalar};
use crate::value::PooledVec;

/// A finite mixture of `K` distributions of one family: component `k`, chosen with probability
/// `w_k`, generates the value, so
///
/// `p(x) = Σ_k w_k p_k(x)`, and `ln p(x) = ln Σ_k e^(ln w_k + ln p_k(x))`,
///
/// computed as a log-sum-exp around its largest term (no overflow or underflow however far the
/// components' log densities are from each other; one autodiff node whose partials are the
/// components' posterior responsibilities).
///
/// Built from probabilities ([`Mixture::new`], summing to 1) or from unnormalized log weights
/// ([`Mixture::from_logits`]). The components share the family named in the path,
/// `Mixture::<Normal>::new(..)`, by its `f64` member: the mixture is built at the scalar of its
/// arguments, so the same expression works inside a model body (see [`Components`]). The value
/// kind is the components' (`Mixture<Poisson>` observes counts). The components must share a
/// support and number of unconstrained coordinates; a latent mixture site is explored in the
/// first component's coordinates.
///
/// The sampler chooses a component by its weight, then samples it, so a mixture is
/// [`Samplable`] exactly when its family is (an observed `Mixture<ImproperUniform>` does not
/// compile). The mean is `Σ_k w_k μ_k` and the variance `Σ_k w_k (σ_k² + (μ_k - μ)²)` (the law of
/// total variance, without the cancellation of `E[x²] - μ²`), where every component has them.
///
/// Reference: NumPyro `dist.MixtureSameFamily(Categorical(probs), component_distribution)` and
/// `dist.MixtureGeneral`; Stan's `log_mix`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let components = vec![Normal::new(-2.0, 1.0)?, Normal::new(3.0, 0.5)?];
/// let m = Mixture::<Normal>::new(vec![0.3, 0.7], components.clone())?;
/// let direct = (0.3 * components[0].log_prob(&1.0).exp()
///     + 0.7 * components[1].log_prob(&1.0).exp())
/// .ln();
/// assert!((m.log_prob(&1.0) - direct).abs() < 1e-14);
/// assert!((m.mean().unwrap() - (0.3 * -2.0 + 0.7 * 3.0)).abs() < 1e-15);
///
/// // Far in a tail, where both densities underflow, the log-sum-exp is still exact.
/// assert!(m.log_prob(&-60.0).is_finite());
/// assert!(Mixture::<Normal>::new(vec![0.5, 0.6], components).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// In a model, for an observed site, with the components' parameters latent (see
/// [`Components`] for why the vector is wrapped and data parameters are `scalar(..)`):
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn two_groups(y: &[f64]) {
///     let w = sample!("w", Beta::new(2.0, 2.0));
///     let gap = sample!("gap", HalfNormal::new(5.0));
///     plate!("data", y.len(), |i| {
///         sample!(
///             "y",
///             Mixture::<Normal>::new(
///                 vec![w, 1.0 - w],
///                 Components(vec![Normal::new(-gap, scalar(1.0)), Normal::new(gap, scalar(1.0))]),
///             ),
///             obs = y[i]
///         );
///     });
/// }
///
/// let y = [-2.1, -1.8, 2.2, 1.9, 2.5, 2.0];
/// let fit = Nuts::default().warmup(200).samples(200).chains(1).seed(8).run(&two_groups(&y))?;
/// let w = fit.w.iter().sum::<f64>() / 200.0;
/// assert!(w > 0.1 && w < 0.6, "{w}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture<D: Distribution> {
    components: Vec<D>,
    log_weights: Vec<D::Scalar>,
}

/// The components of a [`Mixture`] inside a `#[model]` body.
///
/// There every distribution argument passes through [`IntoParam`], which turns reals and vectors
/// of reals into the body's scalar but has no conversion for distributions; `Components` carries
/// the vector through unchanged. Its elements are distributions or their constructors' results
/// (`Normal::new(mu, scalar(1.0))`), whose errors the mixture reports with the component's index.
/// The components' own arguments are not converted: a site value is already of the body's
/// scalar, and data is lifted with [`scalar`](crate::scalar::scalar()).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn counts(y: &[u64]) {
///     let rate = sample!("rate", Gamma::new(2.0, 0.5));
///     plate!("data", y.len(), |i| {
///         sample!(
///             "y",
///             Mixture::<Poisson>::new(vec![0.2, 0.8], Components(vec![Poisson::new(scalar(0.1)), Poisson::new(rate)])),
///             obs = y[i]
///         );
///     });
/// }
///
/// let prior = Predictive::prior(10).seed(1).run(&counts(&[0, 3, 5]))?;
/// assert_eq!(prior.y.len(), 10);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Components<C>(pub Vec<C>);

impl<T: Scalar, C> IntoParam<T> for Components<C> {
    type Param = Vec<C>;
    fn into_param(self) -> Vec<C> {
        self.0
    }
}

/// Why a [`Mixture`] could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MixtureError {
    /// There are no components.
    #[error("Mixture needs at least one component, got none")]
    NoComponents,
    /// The weights and the components differ in number.
    #[error(
        "Mixture has {weights} weights for {components} components; give one weight per component"
    )]
    LengthMismatch {
        /// Number of weights.
        weights: usize,
        /// Number of components.
        components: usize,
    },
    /// A weight is negative, above 1 or NaN.
    #[error("Mixture weights must be between 0 and 1, got {weight} for component {index}")]
    WeightOutOfRange {
        /// The component whose weight was rejected.
        index: usize,
        /// The rejected weight.
        weight: f64,
    },
    /// The weights do not sum to 1 (within [`Mixture::SUM_TOLERANCE`]).
    #[error(
        "Mixture weights must sum to 1, got a sum of {sum}; to normalize weights, use `Mixture::from_logits` with their logs"
    )]
    WeightsDoNotSumToOne {
        /// Their sum.
        sum: f64,
    },
    /// A log weight is NaN or infinite.
    #[error("Mixture logits must be finite, got {logit} for component {index}")]
    LogitNotFinite {
        /// The component whose log weight was rejected.
        index: usize,
        /// The rejected log weight.
        logit: f64,
    },
    /// A component's constructor failed.
    #[error("Mixture component {index} is invalid: {message}")]
    InvalidComponent {
        /// The component.
        index: usize,
        /// Its constructor's message.
        message: String,
    },
    /// A component's support (or number of unconstrained coordinates) differs from the first
    /// component's.
    #[error(
        "Mixture component {index} has another support than component 0; the components of a mixture must share their support"
    )]
    SupportsDiffer {
        /// The component.
        index: usize,
    },
    /// The components of a vectorized mixture ([`batch::Batch::mixture`](crate::batch::Batch::mixture))
    /// were marked `.ordered()`, which orders the values of a vector, not components.
    #[error(
        "the components of a vectorized mixture cannot be `.ordered()`: order their parameters instead (a latent `batch::Normal::new(..).iid(k).ordered()` site for the locations)"
    )]
    OrderedComponents,
}

impl From<CategoriesError> for MixtureError {
    fn from(e: CategoriesError) -> Self {
        match e {
            CategoriesError::NoCategories => MixtureError::NoComponents,
            CategoriesError::ProbsOutOfRange { index, probs } => MixtureError::WeightOutOfRange {
                index,
                weight: probs,
            },
            CategoriesError::ProbsDoNotSumToOne { sum } => {
                MixtureError::WeightsDoNotSumToOne { sum }
            }
            CategoriesError::LogitsNotFinite { index, logits } => MixtureError::LogitNotFinite {
                index,
                logit: logits,
            },
        }
    }
}

impl<D: Family> Mixture<D> {
    /// How far from 1 the sum of the weights may be (as for
    /// [`Categorical`](crate::distributions::Categorical)); the log weights are divided by the
    /// actual sum.
    pub const SUM_TOLERANCE: f64 = categories::SUM_TOLERANCE;

    /// A mixture of `components` (distributions of family `D`, or their constructors' results)
    /// with probabilities `weights` (a `Vec`, slice or array), each in `[0, 1]`, summing to 1
    /// within [`Mixture::SUM_TOLERANCE`]. The mixture is built at the scalar `T` of the weights
    /// and components, whatever the scalar of the `D` that names the family.
    // The family is named by its f64 member (`Mixture::<Normal>`, which is what a `#[model]` site
    // records as its type) while the mixture is built at the arguments' scalar, so `new` returns
    // another member of the family than `Self`.
    #[allow(clippy::new_ret_no_self)]
    pub fn new<T, C>(
        weights: impl Into<Vec<T>>,
        components: Vec<C>,
    ) -> Result<Mixture<D::At<T>>, MixtureError>
    where
        T: Scalar,
        C: IntoDistribution<Dist = D::At<T>>,
    {
        let weights = weights.into();
        let components = built(components)?;
        check_lengths(weights.len(), components.len())?;
        let (parameter, ln_total) = categories::from_probs(weights)?;
        let log_weights = parameter.log_probs(ln_total);
        Mixture::from_parts(log_weights, components)
    }

    /// A mixture of `components` with log weights `logits` up to a common constant (a `Vec`,
    /// slice or array), each finite: `w_k = e^(ℓ_k) / Σ_j e^(ℓ_j)`.
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let m = Mixture::<Poisson>::from_logits(vec![0.0, 0.0], vec![Poisson::new(1.0)?, Poisson::new(5.0)?])?;
    /// let direct = 0.5 * (-1.0_f64).exp() + 0.5 * (-5.0_f64).exp();
    /// assert!((m.log_prob(&0) - direct.ln()).abs() < 1e-15);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn from_logits<T, C>(
        logits: impl Into<Vec<T>>,
        components: Vec<C>,
    ) -> Result<Mixture<D::At<T>>, MixtureError>
    where
        T: Scalar,
        C: IntoDistribution<Dist = D::At<T>>,
    {
        let logits = logits.into();
        let components = built(components)?;
        check_lengths(logits.len(), components.len())?;
        let (parameter, ln_total) = categories::from_logits(logits)?;
        let log_weights = parameter.log_probs(ln_total);
        Mixture::from_parts(log_weights, components)
    }
}

impl<D: Distribution> Mixture<D> {
    /// Checks that the components share a support and coordinates.
    fn from_parts(log_weights: Vec<D::Scalar>, components: Vec<D>) -> Result<Self, MixtureError> {
        let first = &components[0];
        let support = plain_support(first.support());
        if let Some(index) = components.iter().position(|c| {
            plain_support(c.support()) != support
                || c.unconstrained_len() != first.unconstrained_len()
        }) {
            return Err(MixtureError::SupportsDiffer { index });
        }
        Ok(Mixture {
            components,
            log_weights,
        })
    }

    /// The number of components `K`.
    pub fn num_components(&self) -> usize {
        self.components.len()
    }

    /// The components.
    pub fn components(&self) -> &[D] {
        &self.components
    }

    /// The log weights `ln w_k`, normalized.
    pub fn log_weights(&self) -> &[D::Scalar] {
        &self.log_weights
    }
}

impl<D: Distribution> Distribution for Mixture<D> {
    type Scalar = D::Scalar;
    type Kind = D::Kind;
    const NAME: &'static str = "Mixture";
    const REQUIRED_REPARAM: Option<&'static str> = D::REQUIRED_REPARAM;
    const CIRCULAR: bool = D::CIRCULAR;

    fn log_prob(&self, x: &Value<Self>) -> D::Scalar {
        // A pooled buffer: an observed mixture is evaluated once per observation.
        let terms: PooledVec<D::Scalar> = self
            .components
            .iter()
            .zip(&self.log_weights)
            .map(|(c, &lw)| lw + c.log_prob(x))
            .collect();
        log_sum_exp(&terms)
    }

    /// The components' common support.
    fn support(&self) -> Support<D::Scalar> {
        self.components[0].support()
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // Inversion over the weights, then a draw of the chosen component.
        let u: f64 = rng.random();
        let mut cumulative = 0.0;
        let chosen = self
            .log_weights
            .iter()
            .position(|lw| {
                cumulative += lw.value().exp();
                u < cumulative
            })
            // Rounding left the cumulative sum just below 1 and u above it: the last component
            // with positive weight.
            .or_else(|| {
                self.log_weights
                    .iter()
                    .rposition(|lw| lw.value() > f64::NEG_INFINITY)
            })?;
        self.components[chosen].sample(rng)
    }

    /// `Σ_k w_k μ_k`, where every component has a mean.
    fn mean(&self) -> Option<D::Scalar> {
        let mut total = D::Scalar::from_f64(0.0);
        for (c, &lw) in self.components.iter().zip(&self.log_weights) {
            if lw.value().exp() == 0.0 {
                continue;
            }
            total += lw.exp() * c.mean()?;
        }
        Some(total)
    }

    /// `Σ_k w_k (σ_k² + (μ_k - μ)²)`, where every component has a mean and a variance.
    fn variance(&self) -> Option<D::Scalar> {
        let mean = self.mean()?;
        let mut total = D::Scalar::from_f64(0.0);
        for (c, &lw) in self.components.iter().zip(&self.log_weights) {
            if lw.value().exp() == 0.0 {
                // A component whose weight is 0 (or underflows) adds nothing, even when its
                // squared distance from the mean overflows (0 · ∞ would be NaN).
                continue;
            }
            let deviation = c.mean()? - mean;
            total += lw.exp() * (c.variance()? + deviation * deviation);
        }
        Some(total)
    }

    fn unconstrained_len(&self) -> usize {
        self.components[0].unconstrained_len()
    }

    /// The first component's map: the components share their support.
    fn constrain(&self, u: &[D::Scalar]) -> (Value<Self>, D::Scalar) {
        self.components[0].constrain(u)
    }

    fn unconstrain(&self, x: &PlainValue<Self>, out: &mut Vec<f64>) -> Result<(), f64> {
        self.components[0].unconstrain(x, out)
    }
}

impl<D: Samplable> Samplable for Mixture<D> {}

impl<D: Family> Family for Mixture<D> {
    type At<U: Scalar> = Mixture<D::At<U>>;
}

/// The components, or the first constructor error with its index.
fn built<C: IntoDistribution>(components: Vec<C>) -> Result<Vec<C::Dist>, MixtureError> {
    if components.is_empty() {
        return Err(MixtureError::NoComponents);
    }
    components
        .into_iter()
        .enumerate()
        .map(|(index, c)| {
            c.into_distribution()
                .map_err(|e| MixtureError::InvalidComponent {
                    index,
                    message: e.to_string(),
                })
        })
        .collect()
}

fn check_lengths(weights: usize, components: usize) -> Result<(), MixtureError> {
    if weights != components {
        return Err(MixtureError::LengthMismatch {
            weights,
            components,
        });
    }
    Ok(())
}

/// A support with its bounds as plain numbers, for comparing components.
pub(crate) fn plain_support<T: Scalar>(support: Support<T>) -> Support<f64> {
    match support {
        Support::Real => Support::Real,
        Support::Positive => Support::Positive,
        Support::UnitInterval => Support::UnitInterval,
        Support::Interval(a, b) => Support::Interval(a.value(), b.value()),
        Support::GreaterThan(a) => Support::GreaterThan(a.value()),
        Support::LessThan(b) => Support::LessThan(b.value()),
        Support::Circular => Support::Circular,
        Support::Boolean => Support::Boolean,
        Support::NonNegativeInteger => Support::NonNegativeInteger,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::{Normal, Uniform};

    #[test]
    fn one_component_is_the_component() {
        let n = Normal::new(1.0, 2.0).unwrap();
        let m = Mixture::<Normal>::new([1.0], vec![n]).unwrap();
        for x in [-3.0, 0.5, 40.0] {
            assert_eq!(m.log_prob(&x), n.log_prob(&x));
        }
        assert_eq!((m.mean(), m.variance()), (Some(1.0), Some(4.0)));
    }

    #[test]
    fn zero_weights_drop_out() {
        let m = Mixture::<Normal>::new(
            [0.0, 1.0],
            vec![
                Normal::new(0.0, 1.0).unwrap(),
                Normal::new(5.0, 1.0).unwrap(),
            ],
        )
        .unwrap();
        let mut rng = <rand::rngs::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(2);
        assert!((0..200).all(|_| m.sample(&mut rng).unwrap() > 0.0));
        assert_eq!(
            m.log_prob(&5.0),
            Normal::new(5.0, 1.0).unwrap().log_prob(&5.0)
        );
    }

    #[test]
    fn supports_must_agree() {
        let m = Mixture::<Uniform>::new(
            [0.5, 0.5],
            vec![Uniform::new(0.0, 1.0), Uniform::new(0.0, 2.0)],
        );
        assert_eq!(m, Err(MixtureError::SupportsDiffer { index: 1 }));
    }
}
