//! Scaling log densities.

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{FactorMsg, Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{ModelSites, SampleSite};

/// Multiplies the log density of every site and factor inside it by a positive constant
/// (NumPyro's `scale`; used for subsampling and tempering).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{LogJoint, Scale, Substitute};
///
/// #[model]
/// fn one() {
///     sample!("x", Normal::new(0.0, 1.0));
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let latent = one::Latent { x: 1.0 };
///     let mut h = Substitute::new(&latent, Scale::new(2.0, LogJoint::new()));
///     one().run::<f64, _>(&mut h)?;
///     let lp = h.into_inner().into_inner().log_joint();
///     assert!((lp - 2.0 * Normal::new(0.0, 1.0).unwrap().log_prob(&1.0)).abs() < 1e-12);
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Scale<H> {
    inner: H,
    factor: f64,
}

impl<H> Scale<H> {
    /// Scales by `factor`.
    pub fn new(factor: f64, inner: H) -> Self {
        Scale { inner, factor }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for Scale<H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        msg.scale *= self.factor;
        self.inner.sample::<S, D>(msg)
    }

    fn factor(&mut self, msg: &mut FactorMsg<'_, T>) -> Result<(), ModelError> {
        msg.scale *= self.factor;
        self.inner.factor(msg)
    }

    forward_handler!(deterministic, subsample, param, enter, enumeration);
}
