//! [`ProjectedNormalReparam`]: directions explored through their auxiliary normal vector.

use core::fmt;

use super::Reparameterizer;
use crate::distribution::{
    DensityError, Distribution, PlainValue, ProjectedNormalDistribution, Value,
};
use crate::scalar::Scalar;

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
