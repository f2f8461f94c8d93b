//! Hiding sites from the handlers outside.

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{DeterministicMsg, Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{DeterministicSite, ModelSites, SampleSite, SiteList, SiteSet};

/// Hides the given sites from the handlers that wrap this one (a `Trace` outside a `Block` does
/// not record them). NumPyro's `block`, with the sites named by their typed markers.
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
///     let mut h = Trace::new(Block::hide((two::site::b,), Seed::new(rng)));
///     two().run::<f64, _>(&mut h)?;
///     let draw = h.into_draw();
///     assert_ne!(draw.a, 0.0);
///     assert_eq!(draw.b, 0.0); // not recorded
///     Ok(())
/// }
/// ```
#[derive(Clone)]
pub struct Block<M, H> {
    inner: H,
    hidden: SiteSet<M>,
}

impl<M: ModelSites, H: core::fmt::Debug> core::fmt::Debug for Block<M, H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Block")
            .field("inner", &self.inner)
            .field("hidden", &self.hidden)
            .finish()
    }
}

impl<M: ModelSites, H> Block<M, H> {
    /// Hides the listed sites: a marker or a tuple of markers, `(my_model::site::b,)`.
    pub fn hide<L: SiteList<M>>(sites: L, inner: H) -> Self {
        Block {
            inner,
            hidden: SiteSet::of(sites),
        }
    }

    /// Hides every site but the listed ones (NumPyro's `expose`).
    pub fn expose<L: SiteList<M>>(sites: L, inner: H) -> Self {
        let exposed = SiteSet::of(sites);
        Block {
            inner,
            hidden: exposed.complement(),
        }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M, T, H> Handler<M, T> for Block<M, H>
where
    M: ModelSites,
    T: Scalar,
    H: Handler<M, T>,
{
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        self.inner.sample::<S, D>(msg)?;
        msg.blocked |= self.hidden.contains::<S>();
        Ok(())
    }

    forward_handler!(factor);

    fn deterministic<S>(&mut self, msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        self.inner.deterministic::<S>(msg)?;
        msg.blocked |= self.hidden.contains::<S>();
        Ok(())
    }
    forward_handler!(subsample, param, enter, enumeration);
}
