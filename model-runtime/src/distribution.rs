//! The distribution trait and the capability traits that the compile-time checks rely on.
//!
//! Parameters have type `T: Scalar`, so the same `Normal<T>` is a plain distribution (`T = f64`)
//! and a differentiable one inside a model body.

use rand::Rng;

use crate::constraint::Support;
use crate::scalar::Scalar;
use crate::value::{Real, ValueKind};

/// The value type of distribution `D` at its own scalar.
pub type Value<D> = <<D as Distribution>::Kind as ValueKind>::Value<<D as Distribution>::Scalar>;

/// Distribution `D`'s observed data as scored where they lie, with no derivatives: a plain value
/// for a scalar family, a slice of plain elements for a vectorized or multivariate one (see
/// [`ValueKind::Data`]).
pub type DataValue<D> = <<D as Distribution>::Kind as ValueKind>::Data;

/// The value type of distribution `D` as stored in draws (`f64` form).
pub type PlainValue<D> = <<D as Distribution>::Kind as ValueKind>::Plain;

/// A probability distribution over one site value.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = Normal::new(1.0, 2.0)?;
/// let lp = d.log_prob(&1.0);
/// assert!((lp - (-(2.0 * std::f64::consts::PI).sqrt().ln() - 2f64.ln())).abs() < 1e-15);
/// assert_eq!(d.support(), Support::Real);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Distribution: Clone + core::fmt::Debug {
    /// The scalar type of the parameters and of the log density.
    type Scalar: Scalar;
    /// How values are represented (real, boolean, count).
    type Kind: ValueKind;
    /// The family's name, for messages.
    const NAME: &'static str;
    /// The reparameterizer a latent site of this family cannot do without, for families whose
    /// values have no unconstrained coordinates of their own (`ProjectedNormal`:
    /// `"ProjectedNormalReparam"`). Exploring such a site without it is an error that names the
    /// site and the reparameterizer.
    const REQUIRED_REPARAM: Option<&'static str> = None;
    /// Whether values are angles on the circle (`VonMises`): summaries then give the circular
    /// mean, circular sd and an interval around the circular mean.
    const CIRCULAR: bool = false;

    /// The log density (continuous) or log mass (discrete) at `x`; `-∞` outside the support
    /// (NaN values included), never NaN there. A vector whose length does not fit a
    /// multivariate family (`Dirichlet`, `Multinomial`, `MultivariateNormal`, `LKJCholesky`,
    /// `ProjectedNormal`) gives NaN: that is a shape mismatch, not a point outside the support,
    /// and sites check lengths before they get here.
    fn log_prob(&self, x: &Value<Self>) -> Self::Scalar;

    /// The support, with bounds at the current parameters.
    fn support(&self) -> Support<Self::Scalar>;

    /// For a discrete family whose support is finite at the current parameters, the number of
    /// its values (`Bernoulli`: 2, `Categorical`: the number of categories, `Binomial`: `n + 1`),
    /// which are then `0..len` in the order of [`ValueKind`]'s enumeration; `None` otherwise.
    /// A latent site of such a family is summed out when the model is fitted by NUTS or HMC.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// assert_eq!(Bernoulli::new(0.3)?.enumerable_len(), Some(2));
    /// assert_eq!(Binomial::new(4, 0.3)?.enumerable_len(), Some(5));
    /// assert_eq!(Poisson::new(2.0)?.enumerable_len(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn enumerable_len(&self) -> Option<u64> {
        None
    }

    /// One draw at the current parameter values, or `None` for distributions with no sampler
    /// (those do not implement [`Samplable`]).
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>>;

    /// The mean, where it exists.
    fn mean(&self) -> Option<Self::Scalar> {
        None
    }

    /// The variance, where it exists.
    fn variance(&self) -> Option<Self::Scalar> {
        None
    }

    /// Number of unconstrained coordinates of one value: 1 for scalar families, more for vector
    /// families (a simplex of `K` elements takes `K - 1`).
    fn unconstrained_len(&self) -> usize {
        1
    }

    /// The value at unconstrained coordinates `u` (of length
    /// [`unconstrained_len`](Distribution::unconstrained_len)) and `ln |det J|` of the map.
    /// Scalar families use their support's bijection.
    fn constrain(&self, u: &[Self::Scalar]) -> (Value<Self>, Self::Scalar) {
        let (x, log_jacobian) = self.support().from_unconstrained(u[0]);
        (<Self::Kind as ValueKind>::from_scalar(x), log_jacobian)
    }

    /// Appends the unconstrained coordinates of value `x`; `Err` carries the offending real
    /// number when `x` lies outside the support.
    fn unconstrain(&self, x: &PlainValue<Self>, out: &mut Vec<f64>) -> Result<(), f64> {
        let real = <Self::Kind as ValueKind>::plain_as_real(x);
        let support = self.support();
        if !support.contains(real) {
            return Err(real);
        }
        out.push(support.to_unconstrained(real));
        Ok(())
    }

    /// The log density, or why it cannot be evaluated. Scalar families are validated by their
    /// constructor and never fail here; vectorized ones ([`Batch`](crate::batch::Batch)) check
    /// each element's parameters as they read them and name the first invalid element.
    fn checked_log_prob(&self, x: &Value<Self>) -> Result<Self::Scalar, DensityError> {
        Ok(self.log_prob(x))
    }

    /// [`Distribution::checked_log_prob`] at observed data, given as plain values: what an
    /// observed site whose value the body does not read is scored with. By default the data
    /// are lifted into the scalar type (as constants) and scored as any value; vectorized
    /// families score them in place, without that copy.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let d = Normal::new(1.0, 2.0)?;
    /// assert_eq!(d.checked_log_prob_data(&0.5).ok(), Some(d.log_prob(&0.5)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn checked_log_prob_data(&self, x: &DataValue<Self>) -> Result<Self::Scalar, DensityError> {
        self.checked_log_prob(&Self::Kind::lift_data::<Self::Scalar>(
            x,
            Self::Scalar::from_f64,
        ))
    }

    /// A draw, or why none can be made: like [`Distribution::checked_log_prob`], this lets a
    /// vectorized family name an element whose parameters are invalid. `Ok(None)` means the
    /// family has no sampler.
    /// Checks an observed value before sampling starts: every scalar in it must be finite, and
    /// a scalar family's value must lie in its support where the support does not move with the
    /// parameters (real line, half line, unit interval, booleans, counts). Bounds that are
    /// parameters (`Uniform(0, theta)`) are left to the log density, since a value outside them
    /// at one point may be inside at another. Angles of a circular family may be any real
    /// number (the density is periodic). Multivariate families check finiteness only.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let beta = Beta::new(2.0, 2.0)?;
    /// assert!(beta.check_observation(&0.3).is_ok());
    /// let error = beta.check_observation(&1.5).unwrap_err().at("y", &[17]);
    /// assert_eq!(error.to_string(), "site `y[17]`: observed value 1.5 is outside the support of Beta (0, 1)");
    /// assert!(VonMises::new(0.0, 1.0)?.check_observation(&4.0).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn check_observation(&self, x: &Value<Self>) -> Result<(), DensityError> {
        let mut reals = Vec::new();
        <Self::Kind as ValueKind>::reals_into::<Self::Scalar>(x, &mut reals);
        let support = self.support();
        let invalid = |element: Option<usize>, value: f64| DensityError {
            element,
            kind: crate::error::ModelErrorKind::InvalidObservation {
                value,
                distribution: Self::NAME,
                support: support.to_string(),
            },
        };
        if let [value] = reals[..] {
            let in_support = match support {
                Support::Circular
                | Support::Interval(..)
                | Support::GreaterThan(_)
                | Support::LessThan(_) => true,
                _ => support.contains(value),
            };
            if !value.is_finite() || !in_support {
                return Err(invalid(None, value));
            }
            return Ok(());
        }
        match reals.iter().position(|v| !v.is_finite()) {
            Some(i) => Err(invalid(Some(i), reals[i])),
            None => Ok(()),
        }
    }

    /// The log density of an observed value split into the units a leave-one-out
    /// cross-validation leaves out, appended to `out`: one value for a scalar family or a
    /// multivariate one (the default: the whole log density), one per element for a
    /// vectorized family (their sum is the log density, masked elements giving 0).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let mut out = Vec::new();
    /// let scalar = Normal::new(0.0, 1.0)?;
    /// scalar.checked_log_prob_pointwise(&0.5, &mut out).expect("a valid density");
    /// assert_eq!(out.len(), 1);
    /// let y = PooledVec::from(vec![0.5, -1.0, 2.0]);
    /// let vectorized = batch::Normal::new(0.0, 1.0);
    /// vectorized.checked_log_prob_pointwise(&y, &mut out).expect("a valid density");
    /// assert_eq!(out.len(), 4);
    /// assert!((out[1..].iter().sum::<f64>() - vectorized.log_prob(&y)).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn checked_log_prob_pointwise(
        &self,
        x: &Value<Self>,
        out: &mut Vec<f64>,
    ) -> Result<(), DensityError> {
        out.push(self.checked_log_prob(x)?.value());
        Ok(())
    }

    fn checked_sample<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<Option<PlainValue<Self>>, DensityError> {
        Ok(self.sample(rng))
    }

    /// A reparameterized draw (Kingma and Welling 2014): standard noise from `rng` pushed
    /// through a map that is differentiable in the parameters, so the value carries their
    /// derivatives (`Normal`: `loc + scale·ε`). Variational guides draw their sites this way.
    /// `None` for families without such a map (those do not implement [`Reparameterized`]).
    fn rsample<R: Rng + ?Sized>(&self, _rng: &mut R) -> Option<Value<Self>> {
        None
    }
}

/// Distributions that can be sampled. An observed site's distribution must be samplable, or
/// Predictive could not predict it; the `#[model]` macro checks this at compile time.
///
/// # Example
///
/// ```
/// use model_runtime::distributions::{Normal, Samplable};
/// fn needs_sampler<D: Samplable>() {}
/// needs_sampler::<Normal>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no sampler, so Predictive could not predict this observed site",
    label = "observed with a distribution that cannot be sampled",
    note = "an observed site is sampled from its distribution when predicting; use a proper distribution for the likelihood (for circular data, `VonMises`)"
)]
pub trait Samplable: Distribution {}

/// Distributions with a reparameterized sampler ([`Distribution::rsample`]): a draw is a
/// differentiable function of the parameters and of noise that does not depend on them. The
/// sites of a variational guide must be drawn from one, so that the ELBO's gradient flows
/// through the draw; the `#[model(guide_for = ..)]` macro checks this at compile time.
///
/// # Example
///
/// ```
/// use model_runtime::distributions::{LogNormal, Reparameterized};
/// fn guide_site<D: Reparameterized>() {}
/// guide_site::<LogNormal>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no reparameterized sampler, so a guide cannot draw this site",
    label = "a guide's site needs a reparameterized distribution",
    note = "the ELBO's gradient flows through the guide's draws; draw guide sites from Normal, LogNormal, HalfNormal, Cauchy, HalfCauchy, Laplace, Logistic, Gumbel, Exponential, Uniform or Delta (or their `batch::` forms)"
)]
pub trait Reparameterized: Distribution {}

/// Families on the circle, which `CircularReparam` can reparameterize.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a circular distribution, so `CircularReparam` does not fit it",
    label = "`CircularReparam` needs a circular distribution",
    note = "`CircularReparam` reparameterizes latent sites whose distribution lives on the circle, such as `VonMises`"
)]
pub trait CircularDistribution: Family<Kind = Real> {}

/// Directions of normal vectors (`ProjectedNormal`), which `ProjectedNormalReparam` explores
/// through the vector itself.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a projected normal distribution, so `ProjectedNormalReparam` does not fit it",
    label = "`ProjectedNormalReparam` needs a `ProjectedNormal` site",
    note = "`ProjectedNormalReparam` explores a direction `x / |x|` through the normal vector `x`; it fits `ProjectedNormal` sites only"
)]
pub trait ProjectedNormalDistribution: Family {
    /// The length of the auxiliary vector of `dist` (its dimension).
    fn auxiliary_len<U: Scalar>(dist: &Self::At<U>) -> usize;

    /// The value `x / ‖x‖` of an auxiliary vector `x` of length
    /// [`auxiliary_len`](Self::auxiliary_len), and the log density of `x` under
    /// `Normal(concentration, I)`, which `ProjectedNormalReparam` adds in place of the site's own
    /// density.
    fn project_auxiliary<U: Scalar>(dist: &Self::At<U>, x: &[U]) -> (Value<Self::At<U>>, U);
}

/// Location-scale families `x = loc + scale * z`, which `LocScaleReparam` can decenter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a location-scale family, so `LocScaleReparam` does not fit it",
    label = "`LocScaleReparam` needs a distribution with a location and a scale",
    note = "`LocScaleReparam` fits location-scale families such as `Normal`, `StudentT` and `Cauchy`"
)]
pub trait LocScale: Family<Kind = Real> {
    /// Location and scale of `dist`.
    fn loc_scale<U: Scalar>(dist: &Self::At<U>) -> (U, U);

    /// `dist` with another location and scale, other parameters kept. The reparameterizer
    /// passes a positive scale derived from `dist`'s, so no check is made.
    fn with_loc_scale<U: Scalar>(dist: &Self::At<U>, loc: U, scale: U) -> Self::At<U>;
}

/// A family of distributions indexed by the scalar type of its parameters: `Normal<f64>` and
/// `Normal<Var>` are members of one family. Code handed a family by its `f64` member, as
/// `Mixture::<Normal>::new` is inside a model body whose scalar is the autodiff variable, reaches
/// the member at another scalar through [`Family::At`]. Reparameterizers reach a latent site's
/// distribution at both scalars the same way, so the distribution of a latent site must be a
/// family. Every scalar distribution of this crate is one.
///
/// # Example
///
/// ```
/// use model_runtime::autodiff::Var;
/// use model_runtime::distribution::Family;
/// use model_runtime::distributions::Normal;
///
/// fn same<A, B>() where A: 'static, B: 'static {
///     assert_eq!(std::any::TypeId::of::<A>(), std::any::TypeId::of::<B>());
/// }
/// same::<<Normal as Family>::At<Var>, Normal<Var>>();
/// ```
pub trait Family: Distribution {
    /// The member whose parameters have scalar type `U`.
    type At<U: Scalar>: Distribution<Scalar = U, Kind = Self::Kind>;
}

/// Turns what a distribution expression evaluates to (`Result<D, E>` from a validating
/// constructor, or `D` itself) into a `Result` with a boxed error. Used by generated code.
pub trait IntoDistribution {
    /// The distribution.
    type Dist: Distribution;
    /// The distribution, or the constructor's error.
    fn into_distribution(self) -> Result<Self::Dist, Box<dyn std::error::Error + Send + Sync>>;
}

impl<D: Distribution> IntoDistribution for D {
    type Dist = D;
    #[inline]
    fn into_distribution(self) -> Result<D, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self)
    }
}

impl<D: Distribution, E: std::error::Error + Send + Sync + 'static> IntoDistribution
    for Result<D, E>
{
    type Dist = D;
    #[inline]
    fn into_distribution(self) -> Result<D, Box<dyn std::error::Error + Send + Sync>> {
        self.map_err(|e| Box::new(e) as _)
    }
}

/// `ln(2π) / 2`, the normal log normalizer (defined with the special functions, which use it too).
pub use crate::special::LN_SQRT_2PI;

/// Why a (vectorized) distribution could not evaluate its log density or draw: the element at
/// fault, if one is, and what is wrong. Handlers turn it into a
/// [`ModelError`](crate::error::ModelError) that names the site.
#[derive(Debug)]
pub struct DensityError {
    /// The element of a vectorized site whose parameters are invalid.
    pub element: Option<usize>,
    /// What is wrong.
    pub kind: crate::error::ModelErrorKind,
}

impl DensityError {
    /// The error as a [`ModelError`](crate::error::ModelError) at `site`, inside plates at `index`.
    pub fn at(self, site: &'static str, index: &[usize]) -> crate::error::ModelError {
        let mut full = index.to_vec();
        full.extend(self.element);
        crate::error::ModelError::new(site, &full, self.kind)
    }
}
