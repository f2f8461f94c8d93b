//! Reparameterizers: other coordinates for inference to explore a latent site in.
//!
//! A reparameterizer changes only how the unconstrained vector maps to the site's value and which
//! density is added for it; the site keeps its original distribution for every other purpose.
//! Prior sampling samples the original distribution, Predictive substitutes the original values,
//! and an observed site is never reparameterized: the typed config accepts latent sites only
//! ([`ReparamOn`]), so the configuration that crashes NumPyro's `Predictive` (a
//! `CircularReparam` on an observed `VonMises`) does not compile.

use crate::distribution::{
    CircularDistribution, DensityError, Distribution, LocScale, ProjectedNormalDistribution, Value,
};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;
use crate::site::{LatentSite, SampleSite};
use crate::value::{Real, ValueKind};

/// What a site's reparameterization is at run time; built by the typed setters.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ReparamSpec {
    /// The site's support bijection (the default).
    #[default]
    None,
    /// See [`CircularReparam`].
    Circular,
    /// See [`LocScaleReparam`].
    LocScale {
        /// Centeredness in `[0, 1]`.
        centered: f64,
    },
    /// See [`TransformReparam`].
    Transform(Bijection),
    /// See [`ProjectedNormalReparam`].
    ProjectedNormal,
}

/// A reparameterizer that fits distributions of type `D`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::reparam::{Reparameterizer, ReparamSpec};
///
/// fn spec_for<D: Distribution, R: Reparameterizer<D>>(r: R) -> ReparamSpec {
///     r.spec()
/// }
/// assert_eq!(spec_for::<Normal, _>(LocScaleReparam::new(0.5)?), ReparamSpec::LocScale { centered: 0.5 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// The reparameterizer as a user writes it: `LocScaleReparam`, `LocScaleReparam(centered =
/// 0.3)`, `TransformReparam(Exp)`.
impl core::fmt::Display for ReparamSpec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ReparamSpec::None => write!(f, "NoReparam"),
            ReparamSpec::Circular => write!(f, "CircularReparam"),
            ReparamSpec::LocScale { centered } if *centered == 0.0 => write!(f, "LocScaleReparam"),
            ReparamSpec::LocScale { centered } => {
                write!(f, "LocScaleReparam(centered = {centered})")
            }
            ReparamSpec::Transform(bijection) => write!(f, "TransformReparam({bijection:?})"),
            ReparamSpec::ProjectedNormal => write!(f, "ProjectedNormalReparam"),
        }
    }
}

pub trait Reparameterizer<D: Distribution> {
    /// The run-time description.
    fn spec(&self) -> ReparamSpec;
}

/// A reparameterizer that may be set on site `S`: the site is latent and the reparameterizer
/// fits its distribution. The typed config's setters require this, so a mistake is a compile
/// error at the user's setter call.
pub trait ReparamOn<S: SampleSite> {
    /// The run-time description.
    fn spec_on(&self) -> ReparamSpec;
}

impl<S, R> ReparamOn<S> for R
where
    S: LatentSite,
    R: Reparameterizer<S::Dist>,
{
    fn spec_on(&self) -> ReparamSpec {
        self.spec()
    }
}

/// Keeps the site's default parameterization.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NoReparam;

impl<D: Distribution> Reparameterizer<D> for NoReparam {
    fn spec(&self) -> ReparamSpec {
        ReparamSpec::None
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

impl<D: CircularDistribution> Reparameterizer<D> for CircularReparam {
    fn spec(&self) -> ReparamSpec {
        ReparamSpec::Circular
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

impl<D: ProjectedNormalDistribution> Reparameterizer<D> for ProjectedNormalReparam {
    fn spec(&self) -> ReparamSpec {
        ReparamSpec::ProjectedNormal
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

impl<D: LocScale> Reparameterizer<D> for LocScaleReparam {
    fn spec(&self) -> ReparamSpec {
        ReparamSpec::LocScale {
            centered: self.centered,
        }
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

impl<D: Distribution<Kind = Real>> Reparameterizer<D> for TransformReparam {
    fn spec(&self) -> ReparamSpec {
        ReparamSpec::Transform(self.bijection)
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

/// The wrapped angle as a scalar: the shift is a constant multiple of 2π, so the derivative with
/// respect to `u` is 1.
fn wrap_scalar<T: Scalar>(u: T) -> T {
    let shift = wrap_angle(u.value()) - u.value();
    u + shift
}

impl ReparamSpec {
    /// Maps the unconstrained coordinate `u` of a latent site with distribution `dist` to the
    /// site's value, and returns it with the log density contribution (the distribution's log
    /// density at the value plus, when `jacobian` is true, any log-Jacobian).
    pub(crate) fn constrain<D: Distribution>(
        &self,
        dist: &D,
        coordinates: &[D::Scalar],
        jacobian: bool,
    ) -> Result<(Value<D>, D::Scalar), DensityError> {
        // Without the Jacobian the term is the density of the constrained value itself, whose
        // mode is the MAP estimate (Stan's `optimize` with `jacobian=false`, NumPyro's
        // `AutoDelta`); reparameterized sites keep their density in the new coordinates.
        let keep = |log_jacobian: D::Scalar| {
            if jacobian {
                log_jacobian
            } else {
                D::Scalar::from_f64(0.0)
            }
        };
        // Reparameterizers other than `ProjectedNormal` fit scalar families only (their typed
        // setters say so), so those variants read one coordinate; a site with none (a
        // zero-length vector) is constrained by its distribution.
        let u = match (self, coordinates.first()) {
            (ReparamSpec::None | ReparamSpec::ProjectedNormal, _) => D::Scalar::from_f64(0.0),
            (_, Some(&u)) => u,
            (_, None) => {
                return Err(DensityError {
                    element: None,
                    kind: ModelErrorKind::ReparamMismatch,
                });
            }
        };
        match *self {
            ReparamSpec::None => {
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
                Ok((value, lp + keep(log_jacobian)))
            }
            ReparamSpec::Circular => {
                let value = D::Kind::from_scalar(wrap_scalar(u));
                let lp = dist.checked_log_prob(&value)?;
                Ok((value, lp))
            }
            ReparamSpec::LocScale { centered } => {
                let (loc, scale) = dist.loc_scale().ok_or(DensityError {
                    element: None,
                    kind: ModelErrorKind::ReparamMismatch,
                })?;
                // The endpoints are the common cases and need no powers: c = 0 explores
                // z ~ D(0, 1) with x = loc + scale z; c = 1 is the site itself.
                let (decentered_loc, decentered_scale, x) = if centered == 0.0 {
                    // x = loc + scale z as one autodiff node rather than two.
                    let (l, s, z) = (loc.value(), scale.value(), u.value());
                    let x = D::Scalar::from_parts(
                        l + s * z,
                        [(loc, 1.0), (scale, z), (u, s)].into_iter(),
                    );
                    (D::Scalar::from_f64(0.0), D::Scalar::from_f64(1.0), x)
                } else if centered == 1.0 {
                    (loc, scale, u)
                } else {
                    let x = loc + scale.powf(1.0 - centered) * (u - loc * centered);
                    (loc * centered, scale.powf(centered), x)
                };
                let decentered = dist
                    .with_loc_scale(decentered_loc, decentered_scale)
                    .ok_or(DensityError {
                        element: None,
                        kind: ModelErrorKind::ReparamMismatch,
                    })?;
                let lp = decentered.checked_log_prob(&D::Kind::from_scalar(u))?;
                Ok((D::Kind::from_scalar(x), lp))
            }
            ReparamSpec::Transform(bijection) => {
                let (x, log_jacobian) = bijection.forward(u);
                let value = D::Kind::from_scalar(x);
                let lp = dist.checked_log_prob(&value)?;
                Ok((value, lp + keep(log_jacobian)))
            }
            ReparamSpec::ProjectedNormal => {
                dist.project_auxiliary(coordinates).ok_or(DensityError {
                    element: None,
                    kind: ModelErrorKind::ReparamMismatch,
                })
            }
        }
    }

    /// Appends the unconstrained coordinates of value `x` (the inverse of
    /// [`ReparamSpec::constrain`]); `Err` carries the offending real number when `x` is outside
    /// the support.
    pub(crate) fn unconstrain_into<D: Distribution<Scalar = f64>>(
        &self,
        dist: &D,
        x: &crate::distribution::PlainValue<D>,
        out: &mut Vec<f64>,
    ) -> Result<(), f64> {
        if matches!(self, ReparamSpec::None | ReparamSpec::ProjectedNormal) {
            // A projected normal's value is its own auxiliary vector (`x = v`).
            return dist.unconstrain(x, out);
        }
        let real = <D::Kind as crate::value::ValueKind>::plain_as_real(x);
        if !dist.support().contains(real) {
            return Err(real);
        }
        out.push(self.unconstrain(dist, real));
        Ok(())
    }

    /// The unconstrained coordinate of the scalar value `x`.
    pub(crate) fn unconstrain<D: Distribution>(&self, dist: &D, x: f64) -> f64 {
        match *self {
            ReparamSpec::None => dist.support().to_unconstrained(x),
            ReparamSpec::Circular => x,
            ReparamSpec::LocScale { centered } => match dist.loc_scale() {
                Some((loc, scale)) => {
                    let (loc, scale) = (loc.value(), scale.value());
                    loc * centered + (x - loc) / scale.powf(1.0 - centered)
                }
                None => x,
            },
            ReparamSpec::Transform(bijection) => bijection.inverse(x),
            // Vector-valued: `unconstrain_into` hands the value to the distribution.
            ReparamSpec::ProjectedNormal => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::Normal;

    #[test]
    fn loc_scale_round_trip() {
        let d = Normal::new(3.0, 2.0).unwrap();
        for &c in &[0.0, 0.3, 1.0] {
            let spec = ReparamSpec::LocScale { centered: c };
            for &x in &[-4.0, 0.0, 3.0, 10.0] {
                let u = spec.unconstrain(&d, x);
                let (back, _) = spec.constrain(&d, &[u], true).unwrap();
                assert!((back - x).abs() < 1e-12, "c={c}: {x} -> {u} -> {back}");
            }
        }
    }

    #[test]
    fn noncentered_density_is_the_standard_normal_of_z() {
        let d = Normal::new(3.0, 2.0).unwrap();
        let spec = ReparamSpec::LocScale { centered: 0.0 };
        let (x, lp) = spec.constrain(&d, &[0.5], true).unwrap();
        assert_eq!(x, 3.0 + 2.0 * 0.5);
        let standard = Normal::new(0.0, 1.0).unwrap().log_prob(&0.5);
        assert!((lp - standard).abs() < 1e-15);
    }
}
