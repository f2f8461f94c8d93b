//! [`CircularReparam`]: circular sites explored through an unwrapped angle.

use core::fmt;

use super::{Reparameterizer, scalar_coordinate, unconstrain_scalar, wrap_angle};
use crate::distribution::{CircularDistribution, DensityError, Distribution};
use crate::scalar::Scalar;

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
        unconstrain_scalar(dist, *x, out, |x| x)
    }
}
