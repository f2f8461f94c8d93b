//! Drawing values: the innermost handler of prior sampling and Predictive.

use rand::Rng;

use crate::distribution::Distribution;
use crate::error::{ModelError, ModelErrorKind};
use crate::handler::{DeterministicMsg, FactorMsg, Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{DeterministicSite, ModelSites, SampleSite};
use crate::value::ValueKind;

/// Draws a value for every site that has none, from its distribution, with the random number
/// generator it owns (NumPyro's `seed` with its sampling default).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{Seed, Trace};
/// use rand::SeedableRng;
///
/// #[model]
/// fn prior() {
///     sample!("mu", Normal::new(0.0, 1.0));
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let rng = rand::rngs::ChaCha8Rng::seed_from_u64(7);
///     let mut handler = Trace::new(Seed::new(rng));
///     prior().run::<f64, _>(&mut handler)?;
///     let draw: prior::Draw = handler.into_draw();
///     assert!(draw.mu.is_finite());
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Seed<R> {
    rng: R,
}

impl<R: Rng> Seed<R> {
    /// A handler drawing with `rng`.
    pub fn new(rng: R) -> Self {
        Seed { rng }
    }

    /// The generator, advanced past the draws made.
    pub fn into_rng(self) -> R {
        self.rng
    }
}

impl<M: ModelSites, T: Scalar, R: Rng> Handler<M, T> for Seed<R> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        if msg.value.is_none() {
            let drawn = msg
                .dist
                .checked_sample(&mut self.rng)
                .map_err(|e| e.at(S::NAME, msg.index))?
                .ok_or_else(|| {
                    ModelError::new(
                        S::NAME,
                        msg.index,
                        ModelErrorKind::NoSampler {
                            distribution: D::NAME,
                        },
                    )
                })?;
            msg.value = Some(S::Kind::from_f64(&drawn));
        }
        Ok(())
    }

    fn factor(&mut self, _msg: &mut FactorMsg<'_, T>) -> Result<(), ModelError> {
        Ok(())
    }

    fn deterministic<S>(&mut self, _msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        Ok(())
    }
}

/// Forgets observations, so that observed sites are drawn from their distribution like latent
/// ones: what Predictive does to predict them. Wrap it around [`Seed`].
#[derive(Debug, Clone)]
pub struct Unobserve<H> {
    inner: H,
}

impl<H> Unobserve<H> {
    /// Wraps `inner`.
    pub fn new(inner: H) -> Self {
        Unobserve { inner }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for Unobserve<H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        if msg.observed {
            msg.value = None;
            msg.observed = false;
        }
        self.inner.sample::<S, D>(msg)
    }
    forward_handler!(factor, deterministic, subsample, param, enter, enumeration);
}
