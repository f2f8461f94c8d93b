//! Masking log densities out.

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{FactorMsg, Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{ModelSites, SampleSite};

/// With `mask = false`, the sites and factors inside it do not count in the log density; their
/// values are still drawn and recorded (NumPyro's `mask`).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{LogJoint, Mask, Substitute};
///
/// #[model]
/// fn one() {
///     sample!("x", Normal::new(0.0, 1.0));
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let latent = one::Latent { x: 1.0 };
///     let mut h = Substitute::new(&latent, Mask::new(false, LogJoint::new()));
///     one().run::<f64, _>(&mut h)?;
///     assert_eq!(h.into_inner().into_inner().log_joint(), 0.0);
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Mask<H> {
    inner: H,
    mask: bool,
}

impl<H> Mask<H> {
    /// Masks with `mask` (`false` removes the log densities).
    pub fn new(mask: bool, inner: H) -> Self {
        Mask { inner, mask }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for Mask<H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        msg.mask &= self.mask;
        self.inner.sample::<S, D>(msg)
    }

    fn factor(&mut self, msg: &mut FactorMsg<'_, T>) -> Result<(), ModelError> {
        msg.mask &= self.mask;
        self.inner.factor(msg)
    }

    forward_handler!(deterministic, subsample, param, enter, enumeration);
}
