//! [`LocScaleReparam`]: location-scale sites decentered (non-centered parameterization).

use core::fmt;

use super::{Reparameterizer, scalar_coordinate, unconstrain_scalar};
use crate::distribution::{DensityError, Distribution, LocScale};
use crate::scalar::Scalar;

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
        let (loc, scale) = F::loc_scale(dist);
        let (loc, scale) = (loc.value(), scale.value());
        unconstrain_scalar(dist, *x, out, |x| {
            loc * self.centered + (x - loc) / scale.powf(1.0 - self.centered)
        })
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
}
