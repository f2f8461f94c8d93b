//! Hiding sites from the handlers outside.

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{DeterministicMsg, Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{DeterministicSite, ModelSites, SampleSite, Site};

/// Hides the sites for which `hide(name)` holds from the handlers that wrap this one (a `Trace`
/// outside a `Block` does not record them). NumPyro's `block`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{Block, Seed, Trace};
/// use rand::SeedableRng;
///
/// #[model]
/// fn two() {
///     sample!("a", Normal::new(0.0, 1.0));
///     sample!("b", Normal::new(0.0, 1.0));
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
///     let mut h = Trace::new(Block::new(|name| name == "b", Seed::new(rng)));
///     two().run::<f64, _>(&mut h)?;
///     let draw = h.into_draw();
///     assert_ne!(draw.a, 0.0);
///     assert_eq!(draw.b, 0.0); // not recorded
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Block<F, H> {
    inner: H,
    hide: F,
}

impl<F: Fn(&'static str) -> bool, H> Block<F, H> {
    /// Hides the sites whose names satisfy `hide`.
    pub fn new(hide: F, inner: H) -> Self {
        Block { inner, hide }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M, T, F, H> Handler<M, T> for Block<F, H>
where
    M: ModelSites,
    T: Scalar,
    F: Fn(&'static str) -> bool,
    H: Handler<M, T>,
{
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        self.inner.sample::<S, D>(msg)?;
        msg.blocked |= (self.hide)(S::NAME);
        Ok(())
    }

    forward_handler!(factor);

    fn deterministic<S>(&mut self, msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        self.inner.deterministic::<S>(msg)?;
        msg.blocked |= (self.hide)(<S as Site>::NAME);
        Ok(())
    }
}
