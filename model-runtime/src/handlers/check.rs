//! Checking observed data before inference starts.

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{ModelSites, SampleSite};

/// Checks every observed value against its distribution
/// ([`Distribution::check_observation`]) before passing the site on, so that bad data are
/// reported with the site, element and value rather than as a log density that is never
/// finite. A fit runs the model through it once before its chains start.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{CheckObservations, LogJoint, Substitute};
///
/// #[model]
/// fn proportions(y: &[f64]) {
///     let a = sample!("a", Gamma::new(2.0, 1.0));
///     plate!("data", y.len(), |i| {
///         sample!("y", Beta::new(a, a), obs = y[i]);
///     });
/// }
///
/// let latent = proportions::Latent { a: 1.5 };
/// let mut h = Substitute::new(&latent, CheckObservations::new(LogJoint::new()));
/// let error = proportions(&[0.2, 0.7, 1.5]).run::<f64, _>(&mut h).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "site `y[2]`: observed value 1.5 is outside the support of Beta (0, 1)"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct CheckObservations<H> {
    inner: H,
}

impl<H> CheckObservations<H> {
    /// Checks observations before `inner` sees them.
    pub fn new(inner: H) -> Self {
        CheckObservations { inner }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for CheckObservations<H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        if msg.observed
            && let Some(value) = &msg.value
        {
            msg.dist
                .check_observation(value)
                .map_err(|e| e.at(S::NAME, msg.index))?;
        }
        self.inner.sample::<S, D>(msg)
    }

    forward_handler!(factor, deterministic, subsample, param, enter, enumeration);
}
