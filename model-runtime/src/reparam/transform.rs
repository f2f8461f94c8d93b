//! [`TransformReparam`]: real sites explored through an explicit bijection of the real line.

use core::fmt;

use super::{Reparameterizer, scalar_coordinate, unconstrain_scalar, with_jacobian};
use crate::distribution::{DensityError, Distribution, Family};
use crate::scalar::Scalar;
use crate::value::Real;

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
        unconstrain_scalar(dist, *x, out, |x| self.bijection.inverse(x))
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
