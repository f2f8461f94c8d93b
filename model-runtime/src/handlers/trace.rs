//! Recording every site's value into the model's typed draw.

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{DeterministicMsg, Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{DeterministicSite, ModelSites, SampleSite};
use crate::value::ValueKind;

/// Records the value of every site it sees (unless blocked) into the model's typed
/// [`Draw`](ModelSites::Draw) struct, deterministic sites included.
///
/// # Example
///
/// See [`Seed`](crate::handlers::Seed).
#[derive(Debug, Clone)]
pub struct Trace<M: ModelSites, H> {
    inner: H,
    draw: M::Draw,
}

impl<M: ModelSites, H> Trace<M, H> {
    /// Wraps `inner` with an empty draw.
    pub fn new(inner: H) -> Self {
        Trace {
            inner,
            draw: M::Draw::default(),
        }
    }

    /// The recorded draw.
    pub fn draw(&self) -> &M::Draw {
        &self.draw
    }

    /// The recorded draw, consuming the handler.
    pub fn into_draw(self) -> M::Draw {
        self.draw
    }

    /// The recorded draw and the wrapped handler.
    pub fn into_parts(self) -> (M::Draw, H) {
        (self.draw, self.inner)
    }
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for Trace<M, H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        self.inner.sample::<S, D>(msg)?;
        if !msg.blocked
            && let Some(value) = &msg.value
        {
            S::record(&mut self.draw, msg.index, S::Kind::to_f64::<T>(value));
        }
        Ok(())
    }

    forward_handler!(factor);

    fn deterministic<S>(&mut self, msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        self.inner.deterministic::<S>(msg)?;
        if !msg.blocked {
            S::record(&mut self.draw, msg.index, msg.value.value());
        }
        Ok(())
    }
    forward_handler!(subsample, param, enter, enumeration);
}
