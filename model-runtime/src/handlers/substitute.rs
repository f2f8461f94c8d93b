//! Fixing latent sites to given values.

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{ModelSites, SampleSite};
use crate::value::ValueKind;

/// Gives latent sites the values of a typed latent struct; they stay latent (their log density
/// still counts). NumPyro's `substitute`.
///
/// # Example
///
/// See [`Handler`](crate::handler::Handler).
#[derive(Debug, Clone)]
pub struct Substitute<'a, M: ModelSites, H> {
    inner: H,
    latent: &'a M::Latent,
}

impl<'a, M: ModelSites, H> Substitute<'a, M, H> {
    /// Substitutes the values in `latent`, then hands the message to `inner`.
    pub fn new(latent: &'a M::Latent, inner: H) -> Self {
        Substitute { inner, latent }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for Substitute<'_, M, H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        if !msg.observed
            && msg.value.is_none()
            && let Some(value) = S::lookup(self.latent, msg.index)
        {
            msg.value = Some(S::Kind::from_f64::<T>(&value));
        }
        self.inner.sample::<S, D>(msg)
    }
    forward_handler!(factor, deterministic, subsample, param, enter, enumeration);
}
