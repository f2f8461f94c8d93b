//! Reparameterizers: other coordinates for inference to explore a latent site in.
//!
//! A reparameterizer changes only how the unconstrained vector maps to the site's value and which
//! density is added for it; the site keeps its original distribution for every other purpose.
//! Prior sampling samples the original distribution, Predictive substitutes the original values,
//! and an observed site is never reparameterized: the typed config accepts latent sites only
//! ([`ReparamOn`]), so the configuration that crashes NumPyro's `Predictive` (a
//! `CircularReparam` on an observed `VonMises`) does not compile.
//!
//! Each reparameterizer is one type implementing [`Reparameterizer`] for the distributions it
//! fits, bounded by the capability it uses ([`LocScale`], [`CircularDistribution`],
//! [`ProjectedNormalDistribution`], real values): a reparameterizer that does not fit a site is a
//! compile error at the setter, and the map itself reads the capability's methods, with nothing
//! re-checked at run time. The model keeps each site's reparameterizer as a trait object
//! ([`SiteReparam`]) that serves the site's distribution at both scalars a model body runs with
//! (`f64` and the autodiff [`Var`]).

use core::fmt;
use core::marker::PhantomData;
use std::sync::Arc;

use crate::autodiff::Var;
use crate::batch::{MaskArg, Params, Vectorized};
use crate::distribution::{
    CircularDistribution, DensityError, Distribution, Family, LocScale, PlainValue,
    ProjectedNormalDistribution, Value,
};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;
use crate::site::{LatentSite, SampleSite};
use crate::value::Real;

/// How a reparameterizer explores latent sites of family `F`: the number of unconstrained
/// coordinates, their map to the site's value with the density added for them, and the inverse
/// map, at every scalar a model body runs with. Implemented for the families the reparameterizer
/// fits (bounded by the capability it uses), so a setter's bound is the whole check.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::reparam::Reparameterizer;
///
/// // Non-centered: u = 0.5 is the value 3 + 2·0.5, scored as a standard normal.
/// let normal = Normal::new(3.0, 2.0)?;
/// let r = LocScaleReparam::default();
/// let (x, lp) = Reparameterizer::<Normal>::constrain(&r, &normal, &[0.5], true)
///     .map_err(|e| e.at("theta", &[]))?;
/// assert_eq!(x, 4.0);
/// assert!((lp - Normal::new(0.0, 1.0)?.log_prob(&0.5)).abs() < 1e-15);
/// let mut u = Vec::new();
/// Reparameterizer::<Normal>::unconstrain(&r, &normal, &4.0, &mut u).unwrap();
/// assert_eq!(u, [0.5]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Reparameterizer<F: Family>: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// The number of unconstrained coordinates of one value of the site.
    fn unconstrained_len<U: Scalar>(&self, dist: &F::At<U>) -> usize;

    /// Maps `coordinates` (of length [`unconstrained_len`](Self::unconstrained_len)) to the
    /// site's value, with the log density term inference adds for it: the density of the new
    /// coordinates, with the log-Jacobian of the map when `jacobian` is true. Without the
    /// Jacobian the term is the density of the value itself, whose mode is the MAP estimate
    /// (Stan's `optimize` with `jacobian=false`, NumPyro's `AutoDelta`); reparameterizers whose
    /// density lives in the new coordinates keep it.
    fn constrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        coordinates: &[U],
        jacobian: bool,
    ) -> Result<(Value<F::At<U>>, U), DensityError>;

    /// Appends the unconstrained coordinates of value `x` (the inverse of
    /// [`constrain`](Self::constrain)); `Err` carries the offending real number when `x` is
    /// outside the support.
    fn unconstrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        x: &PlainValue<F::At<U>>,
        out: &mut Vec<f64>,
    ) -> Result<(), f64>;
}

/// The term a site's density adds with or without the Jacobian (see
/// [`Reparameterizer::constrain`]).
fn with_jacobian<T: Scalar>(log_jacobian: T, jacobian: bool) -> T {
    if jacobian {
        log_jacobian
    } else {
        T::from_f64(0.0)
    }
}

/// The one coordinate of a scalar site. Callers read exactly
/// [`Reparameterizer::unconstrained_len`] coordinates, which is 1 for every scalar
/// reparameterizer.
fn scalar_coordinate<T: Copy>(coordinates: &[T]) -> T {
    coordinates[0]
}

/// A reparameterizer that may be set on site `S`: the site is latent and the reparameterizer
/// fits its family. The typed config's setters require this, so a mistake is a compile error at
/// the user's setter call.
pub trait ReparamOn<S: SampleSite>
where
    S::Dist: Reparameterizable,
{
    /// The reparameterizer as the site keeps it.
    fn into_slot(self) -> <S::Dist as Reparameterizable>::Slot;
}

impl<S, R> ReparamOn<S> for R
where
    S: LatentSite,
    S::Dist: Family,
    R: Reparameterizer<S::Dist>,
{
    fn into_slot(self) -> SiteReparam<S::Dist> {
        SiteReparam(Some(Arc::new(ForFamily {
            reparameterizer: self,
            family: PhantomData,
        })))
    }
}

/// A reparameterizer at one scalar `T`, for the member `D` of its family: what a handler calls.
/// The object-safe form of [`Reparameterizer`].
#[doc(hidden)]
pub trait ReparamAt<T: Scalar, D: Distribution<Scalar = T>>:
    fmt::Debug + fmt::Display + Send + Sync
{
    /// See [`Reparameterizer::unconstrained_len`].
    fn unconstrained_len(&self, dist: &D) -> usize;
    /// See [`Reparameterizer::constrain`].
    fn constrain(
        &self,
        dist: &D,
        coordinates: &[T],
        jacobian: bool,
    ) -> Result<(Value<D>, T), DensityError>;
    /// See [`Reparameterizer::unconstrain`].
    fn unconstrain(&self, dist: &D, x: &PlainValue<D>, out: &mut Vec<f64>) -> Result<(), f64>;
}

/// A reparameterizer of family `F` at both scalars a model body runs with.
#[doc(hidden)]
pub trait FamilyReparam<F: Family>:
    ReparamAt<f64, F::At<f64>> + ReparamAt<Var, F::At<Var>>
{
}

/// Reparameterizer `R` of family `F` as the model keeps it.
struct ForFamily<F, R> {
    reparameterizer: R,
    family: PhantomData<fn() -> F>,
}

impl<F, R: fmt::Debug> fmt::Debug for ForFamily<F, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.reparameterizer.fmt(f)
    }
}

impl<F, R: fmt::Display> fmt::Display for ForFamily<F, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.reparameterizer.fmt(f)
    }
}

impl<F: Family, R: Reparameterizer<F>> ReparamAt<f64, F::At<f64>> for ForFamily<F, R> {
    fn unconstrained_len(&self, dist: &F::At<f64>) -> usize {
        self.reparameterizer.unconstrained_len::<f64>(dist)
    }
    fn constrain(
        &self,
        dist: &F::At<f64>,
        coordinates: &[f64],
        jacobian: bool,
    ) -> Result<(Value<F::At<f64>>, f64), DensityError> {
        self.reparameterizer
            .constrain::<f64>(dist, coordinates, jacobian)
    }
    fn unconstrain(
        &self,
        dist: &F::At<f64>,
        x: &PlainValue<F::At<f64>>,
        out: &mut Vec<f64>,
    ) -> Result<(), f64> {
        self.reparameterizer.unconstrain::<f64>(dist, x, out)
    }
}

impl<F: Family, R: Reparameterizer<F>> ReparamAt<Var, F::At<Var>> for ForFamily<F, R> {
    fn unconstrained_len(&self, dist: &F::At<Var>) -> usize {
        self.reparameterizer.unconstrained_len::<Var>(dist)
    }
    fn constrain(
        &self,
        dist: &F::At<Var>,
        coordinates: &[Var],
        jacobian: bool,
    ) -> Result<(Value<F::At<Var>>, Var), DensityError> {
        self.reparameterizer
            .constrain::<Var>(dist, coordinates, jacobian)
    }
    fn unconstrain(
        &self,
        dist: &F::At<Var>,
        x: &PlainValue<F::At<Var>>,
        out: &mut Vec<f64>,
    ) -> Result<(), f64> {
        self.reparameterizer.unconstrain::<Var>(dist, x, out)
    }
}

impl<F: Family, R: Reparameterizer<F>> FamilyReparam<F> for ForFamily<F, R> {}

/// A latent site's reparameterizer, if one was set, as the model keeps it.
#[doc(hidden)]
pub struct SiteReparam<F: Family>(Option<Arc<dyn FamilyReparam<F>>>);

impl<F: Family> Clone for SiteReparam<F> {
    fn clone(&self) -> Self {
        SiteReparam(self.0.clone())
    }
}

impl<F: Family> Default for SiteReparam<F> {
    fn default() -> Self {
        SiteReparam(None)
    }
}

impl<F: Family> fmt::Debug for SiteReparam<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(r) => write!(f, "{r:?}"),
            None => write!(f, "NoReparam"),
        }
    }
}

/// Vectorized sites have no reparameterizer: none fits them, so their setter does not compile
/// and this slot is always empty.
#[derive(Debug, Clone, Copy, Default)]
#[doc(hidden)]
pub struct NoSiteReparam;

/// Distributions whose latent sites can keep a reparameterizer, and how they keep it: every
/// scalar family in a [`SiteReparam`], vectorized statements in a [`NoSiteReparam`].
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a distribution family, so a model cannot keep a reparameterizer for its latent sites",
    label = "a latent site needs a distribution that implements `Family`",
    note = "implement `model_runtime::distribution::Family` for it: `type At<U: Scalar> = MyDistribution<U>;`"
)]
pub trait Reparameterizable {
    /// The slot.
    type Slot: Clone + fmt::Debug + Default + Send + Sync;
}

impl<F: Family> Reparameterizable for F {
    type Slot = SiteReparam<F>;
}

impl<F, T, P, M> Reparameterizable for crate::batch::Batch<F, T, P, M>
where
    F: Vectorized,
    T: Scalar,
    P: Params<T> + Clone,
    M: MaskArg + Clone,
{
    type Slot = NoSiteReparam;
}

/// A site's slot as a reparameterizer of its distribution `D` at scalar `T` (the body's).
#[doc(hidden)]
pub trait SlotAt<T: Scalar, D: Distribution<Scalar = T>> {
    /// The reparameterizer, or `None` for the site's own parameterization.
    fn reparameterizer(&self) -> Option<&dyn ReparamAt<T, D>>;
}

impl<F: Family> SlotAt<f64, F::At<f64>> for SiteReparam<F> {
    #[inline]
    fn reparameterizer(&self) -> Option<&dyn ReparamAt<f64, F::At<f64>>> {
        self.0
            .as_deref()
            .map(|r| r as &dyn ReparamAt<f64, F::At<f64>>)
    }
}

impl<F: Family> SlotAt<Var, F::At<Var>> for SiteReparam<F> {
    #[inline]
    fn reparameterizer(&self) -> Option<&dyn ReparamAt<Var, F::At<Var>>> {
        self.0
            .as_deref()
            .map(|r| r as &dyn ReparamAt<Var, F::At<Var>>)
    }
}

impl<T: Scalar, D: Distribution<Scalar = T>> SlotAt<T, D> for NoSiteReparam {
    #[inline]
    fn reparameterizer(&self) -> Option<&dyn ReparamAt<T, D>> {
        None
    }
}

/// The site's own parameterization: its support's bijection, and the site's density with the
/// map's log-Jacobian. What [`NoReparam`] does, and what handlers do for a site without a
/// reparameterizer.
#[inline(always)]
pub(crate) fn default_constrain<D: Distribution>(
    dist: &D,
    coordinates: &[D::Scalar],
    jacobian: bool,
) -> Result<(Value<D>, D::Scalar), DensityError> {
    // A family whose values have no coordinates of their own cannot be explored without its
    // reparameterizer; the setter is run-time configuration, so this is a run-time error.
    if let Some(reparameterizer) = D::REQUIRED_REPARAM {
        return Err(DensityError {
            element: None,
            kind: ModelErrorKind::ReparamRequired {
                distribution: D::NAME,
                reparameterizer,
            },
        });
    }
    let (value, log_jacobian) = dist.constrain(coordinates);
    let lp = dist.checked_log_prob(&value)?;
    Ok((value, lp + with_jacobian(log_jacobian, jacobian)))
}

/// Keeps the site's default parameterization: the support's bijection.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NoReparam;

impl fmt::Display for NoReparam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoReparam")
    }
}

impl<F: Family> Reparameterizer<F> for NoReparam {
    fn unconstrained_len<U: Scalar>(&self, dist: &F::At<U>) -> usize {
        dist.unconstrained_len()
    }

    fn constrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        coordinates: &[U],
        jacobian: bool,
    ) -> Result<(Value<F::At<U>>, U), DensityError> {
        default_constrain(dist, coordinates, jacobian)
    }

    fn unconstrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        x: &PlainValue<F::At<U>>,
        out: &mut Vec<f64>,
    ) -> Result<(), f64> {
        dist.unconstrain(x, out)
    }
}

/// Explores a circular latent site through an unconstrained auxiliary angle `u`, whose value is
/// wrapped into `[-π, π)`; the site's log density is added at the wrapped value. The density is
/// periodic in `u`, so the sampler crosses `±π` freely (NumPyro's `CircularReparam`).
///
/// Fits circular distributions (`VonMises`) on latent sites only.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn phase_model(y: Option<&[f64]>) {
///     let phase = sample!("phase", VonMises::new(0.0, 2.0));
///     plate!("data", 3, |i| {
///         sample!("obs", VonMises::new(phase, 10.0), obs = y.map(|y| y[i]));
///     });
/// }
///
/// fn main() {
///     let y = [3.0, -3.1, 3.1];
///     let model = phase_model(Some(&y)).reparam(|r| r.phase(CircularReparam));
///     # let _ = model;
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CircularReparam;

impl fmt::Display for CircularReparam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CircularReparam")
    }
}

impl<F: CircularDistribution> Reparameterizer<F> for CircularReparam {
    fn unconstrained_len<U: Scalar>(&self, _dist: &F::At<U>) -> usize {
        1
    }

    fn constrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        coordinates: &[U],
        _jacobian: bool,
    ) -> Result<(U, U), DensityError> {
        // The shift is a constant multiple of 2π, so the derivative with respect to `u` is 1.
        let u = scalar_coordinate(coordinates);
        let value = u + (wrap_angle(u.value()) - u.value());
        let lp = dist.checked_log_prob(&value)?;
        Ok((value, lp))
    }

    fn unconstrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        x: &f64,
        out: &mut Vec<f64>,
    ) -> Result<(), f64> {
        if !dist.support().contains(*x) {
            return Err(*x);
        }
        out.push(*x);
        Ok(())
    }
}

/// Explores a latent `ProjectedNormal` site through its auxiliary normal vector: inference moves
/// `x ∈ ℝ^d` with density `Normal(concentration, I)`, and the site's value is the direction
/// `x / ‖x‖`, which is then distributed as `ProjectedNormal(concentration)` (NumPyro's
/// `ProjectedNormalReparam`). The direction alone has no unconstrained coordinates, so a latent
/// projected normal site needs this reparameterizer; unconstraining a value `v` takes `x = v`.
///
/// Fits `ProjectedNormal` on latent sites only.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn direction() {
///     sample!("v", ProjectedNormal::new(vec![2.0, 0.0, 1.0]));
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let model = direction().reparam(|r| r.v(ProjectedNormalReparam));
///     // Three coordinates (the auxiliary vector), mapped to their direction.
///     assert_eq!(model.unconstrained_dim()?, 3);
///     let draw = model.constrain(&[0.0, 3.0, 4.0])?;
///     assert_eq!(draw.v, vec![0.0, 0.6, 0.8]);
///     // Without the reparameterizer the site cannot be explored, and the error says so.
///     let error = direction().unconstrained_dim().unwrap_err();
///     assert!(error.to_string().contains("r.v(ProjectedNormalReparam)"));
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProjectedNormalReparam;

impl fmt::Display for ProjectedNormalReparam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProjectedNormalReparam")
    }
}

impl<F: ProjectedNormalDistribution> Reparameterizer<F> for ProjectedNormalReparam {
    fn unconstrained_len<U: Scalar>(&self, dist: &F::At<U>) -> usize {
        F::auxiliary_len(dist)
    }

    fn constrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        coordinates: &[U],
        _jacobian: bool,
    ) -> Result<(Value<F::At<U>>, U), DensityError> {
        Ok(F::project_auxiliary(dist, coordinates))
    }

    fn unconstrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        x: &PlainValue<F::At<U>>,
        out: &mut Vec<f64>,
    ) -> Result<(), f64> {
        // A direction is its own auxiliary vector (`x = v`).
        dist.unconstrain(x, out)
    }
}

/// Decenters a location-scale site: with centeredness `c`, inference explores
/// `u ~ D(c·loc, scale^c)` and the value is `loc + scale^(1-c) (u - c·loc)`. `c = 0` is the fully
/// non-centered form (`x = loc + scale·z`, the cure for funnels such as eight schools), `c = 1`
/// leaves the site as it is (Gorinova, Moore and Hoffman 2020; NumPyro's `LocScaleReparam`).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let noncentered = LocScaleReparam::default();
/// assert_eq!(noncentered.centered(), 0.0);
/// assert!(LocScaleReparam::new(1.5).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LocScaleReparam {
    centered: f64,
}

/// Why a [`LocScaleReparam`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum LocScaleReparamError {
    /// The centeredness is not in `[0, 1]`.
    #[error("LocScaleReparam centeredness must lie in [0, 1], got {centered}")]
    CenteredOutOfRange {
        /// The rejected centeredness.
        centered: f64,
    },
}

impl LocScaleReparam {
    /// A reparameterizer with centeredness `centered` in `[0, 1]`.
    pub fn new(centered: f64) -> Result<Self, LocScaleReparamError> {
        if !(0.0..=1.0).contains(&centered) {
            return Err(LocScaleReparamError::CenteredOutOfRange { centered });
        }
        Ok(LocScaleReparam { centered })
    }

    /// The centeredness.
    pub fn centered(&self) -> f64 {
        self.centered
    }
}

/// As a user writes it: `LocScaleReparam`, `LocScaleReparam(centered = 0.3)`.
impl fmt::Display for LocScaleReparam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.centered == 0.0 {
            write!(f, "LocScaleReparam")
        } else {
            write!(f, "LocScaleReparam(centered = {})", self.centered)
        }
    }
}

impl<F: LocScale> Reparameterizer<F> for LocScaleReparam {
    fn unconstrained_len<U: Scalar>(&self, _dist: &F::At<U>) -> usize {
        1
    }

    fn constrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        coordinates: &[U],
        _jacobian: bool,
    ) -> Result<(U, U), DensityError> {
        let u = scalar_coordinate(coordinates);
        let (loc, scale) = F::loc_scale(dist);
        let centered = self.centered;
        // The endpoints are the common cases and need no powers: c = 0 explores z ~ D(0, 1)
        // with x = loc + scale z; c = 1 is the site itself.
        let (decentered_loc, decentered_scale, x) = if centered == 0.0 {
            // x = loc + scale z as one autodiff node rather than two.
            let (l, s, z) = (loc.value(), scale.value(), u.value());
            let x = U::from_parts(l + s * z, [(loc, 1.0), (scale, z), (u, s)].into_iter());
            (U::from_f64(0.0), U::from_f64(1.0), x)
        } else if centered == 1.0 {
            (loc, scale, u)
        } else {
            let x = loc + scale.powf(1.0 - centered) * (u - loc * centered);
            (loc * centered, scale.powf(centered), x)
        };
        let lp = F::with_loc_scale(dist, decentered_loc, decentered_scale).checked_log_prob(&u)?;
        Ok((x, lp))
    }

    fn unconstrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        x: &f64,
        out: &mut Vec<f64>,
    ) -> Result<(), f64> {
        if !dist.support().contains(*x) {
            return Err(*x);
        }
        let (loc, scale) = F::loc_scale(dist);
        let (loc, scale) = (loc.value(), scale.value());
        out.push(loc * self.centered + (x - loc) / scale.powf(1.0 - self.centered));
        Ok(())
    }
}

/// Explores a real-valued latent site through an explicit bijection `x = f(u)` of the whole real
/// line, in place of the support's default one; the log density gains `ln |f'(u)|`.
///
/// The bijection's image must be the site's support (`Exp` for positive sites, `Sigmoid` for the
/// unit interval, `Affine` for real sites); values outside it have zero density.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::reparam::Bijection;
///
/// // Explore a wide real site in units of its prior scale.
/// let r = TransformReparam::new(Bijection::Affine { loc: 0.0, scale: 100.0 });
/// # let _ = r;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransformReparam {
    bijection: Bijection,
}

impl TransformReparam {
    /// A reparameterizer through `bijection`.
    pub fn new(bijection: Bijection) -> Self {
        TransformReparam { bijection }
    }
}

/// As a user writes it: `TransformReparam(Exp)`.
impl fmt::Display for TransformReparam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TransformReparam({:?})", self.bijection)
    }
}

impl<F: Family<Kind = Real>> Reparameterizer<F> for TransformReparam {
    fn unconstrained_len<U: Scalar>(&self, _dist: &F::At<U>) -> usize {
        1
    }

    fn constrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        coordinates: &[U],
        jacobian: bool,
    ) -> Result<(U, U), DensityError> {
        let (x, log_jacobian) = self.bijection.forward(scalar_coordinate(coordinates));
        let lp = dist.checked_log_prob(&x)?;
        Ok((x, lp + with_jacobian(log_jacobian, jacobian)))
    }

    fn unconstrain<U: Scalar>(
        &self,
        dist: &F::At<U>,
        x: &f64,
        out: &mut Vec<f64>,
    ) -> Result<(), f64> {
        if !dist.support().contains(*x) {
            return Err(*x);
        }
        out.push(self.bijection.inverse(*x));
        Ok(())
    }
}

/// Bijections from the real line, for [`TransformReparam`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bijection {
    /// `x = loc + scale·u` onto the real line (`scale ≠ 0`).
    Affine {
        /// Shift.
        loc: f64,
        /// Multiplier.
        scale: f64,
    },
    /// `x = e^u` onto `(0, ∞)`.
    Exp,
    /// `x = 1 / (1 + e^-u)` onto `(0, 1)`.
    Sigmoid,
}

impl Bijection {
    /// `(f(u), ln |f'(u)|)`.
    pub fn forward<T: Scalar>(&self, u: T) -> (T, T) {
        match *self {
            Bijection::Affine { loc, scale } => (u * scale + loc, T::from_f64(scale.abs().ln())),
            Bijection::Exp => (u.exp(), u),
            Bijection::Sigmoid => (u.sigmoid(), -((-u).ln_1p_exp() + u.ln_1p_exp())),
        }
    }

    /// `f⁻¹(x)`.
    pub fn inverse(&self, x: f64) -> f64 {
        match *self {
            Bijection::Affine { loc, scale } => (x - loc) / scale,
            Bijection::Exp => x.ln(),
            Bijection::Sigmoid => (x / (1.0 - x)).ln(),
        }
    }
}

pub use crate::special::wrap_angle;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::Normal;

    #[test]
    fn loc_scale_round_trip() {
        let d = Normal::new(3.0, 2.0).unwrap();
        for &c in &[0.0, 0.3, 1.0] {
            let r = LocScaleReparam::new(c).unwrap();
            for &x in &[-4.0, 0.0, 3.0, 10.0] {
                let mut u = Vec::new();
                Reparameterizer::<Normal>::unconstrain(&r, &d, &x, &mut u).unwrap();
                let (back, _) = Reparameterizer::<Normal>::constrain(&r, &d, &u, true).unwrap();
                assert!((back - x).abs() < 1e-12, "c={c}: {x} -> {u:?} -> {back}");
            }
        }
    }

    #[test]
    fn noncentered_density_is_the_standard_normal_of_z() {
        let d = Normal::new(3.0, 2.0).unwrap();
        let r = LocScaleReparam::default();
        let (x, lp) = Reparameterizer::<Normal>::constrain(&r, &d, &[0.5], true).unwrap();
        assert_eq!(x, 3.0 + 2.0 * 0.5);
        let standard = Normal::new(0.0, 1.0).unwrap().log_prob(&0.5);
        assert!((lp - standard).abs() < 1e-15);
    }

    #[test]
    fn reparameterizers_print_as_users_write_them() {
        assert_eq!(LocScaleReparam::default().to_string(), "LocScaleReparam");
        assert_eq!(
            LocScaleReparam::new(0.3).unwrap().to_string(),
            "LocScaleReparam(centered = 0.3)"
        );
        assert_eq!(
            TransformReparam::new(Bijection::Exp).to_string(),
            "TransformReparam(Exp)"
        );
        assert_eq!(CircularReparam.to_string(), "CircularReparam");
    }
}
