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
//! fits, bounded by the capability it uses ([`LocScale`](crate::distribution::LocScale),
//! [`CircularDistribution`](crate::distribution::CircularDistribution),
//! [`ProjectedNormalDistribution`](crate::distribution::ProjectedNormalDistribution), real
//! values): a reparameterizer that does not fit a site is a compile error at the setter, and
//! the map itself reads the capability's methods, with nothing re-checked at run time. The model keeps each site's reparameterizer as a trait object
//! ([`SiteReparam`]) that serves the site's distribution at both scalars a model body runs with
//! (`f64` and the autodiff [`Var`]).
//!
//! One file per reparameterizer: adding one is a type and its [`Reparameterizer`] impl in a
//! file of its own (users can write theirs outside the crate the same way), and the typed
//! setters take it with no other change.

use core::fmt;
use core::marker::PhantomData;
use std::sync::Arc;

use crate::autodiff::Var;
use crate::batch::{MaskArg, Params, Vectorized};
use crate::distribution::{DensityError, Distribution, Family, PlainValue, Value};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;
use crate::site::{LatentSite, SampleSite};

mod circular;
mod loc_scale;
mod projected_normal;
mod transform;

pub use crate::special::wrap_angle;
pub use circular::CircularReparam;
pub use loc_scale::{LocScaleReparam, LocScaleReparamError};
pub use projected_normal::ProjectedNormalReparam;
pub use transform::{Bijection, TransformReparam};

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
    /// The number of unconstrained coordinates of one value of the site: 1 for the
    /// reparameterizers of scalar sites.
    fn unconstrained_len<U: Scalar>(&self, dist: &F::At<U>) -> usize {
        let _ = dist;
        1
    }

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
pub(crate) fn with_jacobian<T: Scalar>(log_jacobian: T, jacobian: bool) -> T {
    if jacobian {
        log_jacobian
    } else {
        T::from_f64(0.0)
    }
}

/// Appends the coordinate `map(x)` of the scalar value `x`, or fails with `x` where it lies
/// outside `dist`'s support: the inverse map of a scalar reparameterizer.
pub(crate) fn unconstrain_scalar<D: Distribution>(
    dist: &D,
    x: f64,
    out: &mut Vec<f64>,
    map: impl FnOnce(f64) -> f64,
) -> Result<(), f64> {
    if !dist.support().contains(x) {
        return Err(x);
    }
    out.push(map(x));
    Ok(())
}

/// The one coordinate of a scalar site. Callers read exactly
/// [`Reparameterizer::unconstrained_len`] coordinates, which is 1 for every scalar
/// reparameterizer.
pub(crate) fn scalar_coordinate<T: Copy>(coordinates: &[T]) -> T {
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
    let (value, log_jacobian) = default_map(dist, coordinates)?;
    let lp = dist.checked_log_prob(&value)?;
    Ok((value, lp + with_jacobian(log_jacobian, jacobian)))
}

/// The site's own map onto its support, without its density: the value and the
/// log-Jacobian.
#[inline(always)]
pub(crate) fn default_map<D: Distribution>(
    dist: &D,
    coordinates: &[D::Scalar],
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
    Ok(dist.constrain(coordinates))
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

#[cfg(test)]
mod tests {
    use super::*;

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
