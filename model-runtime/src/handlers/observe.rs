//! Observing a whole draw: every observed site becomes data at the draw's value, which is how a
//! model fits data it simulated itself (simulation-based calibration).

use core::fmt;

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{Handler, SampleMsg, forward_handler};
use crate::model::{Body, Model};
use crate::scalar::Scalar;
use crate::site::{ModelSites, Role, SampleSite};

use super::condition::observe_element;

/// Observes every observed site at its value in a draw, in place of the model's own data (or
/// its lack of data): [`Condition`](super::Condition) for all observed sites at once, by type.
/// Latent and deterministic sites pass through unchanged.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{LogJoint, ObserveDraw, Substitute};
///
/// #[model]
/// fn location(n: usize, y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", n, |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
///     });
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let draw = location::Draw { mu: 0.3, y: vec![0.5, -0.2] };
///     let latent = location::Latent { mu: 0.3 };
///     // The model has no data; the handler supplies the draw's.
///     let mut h = ObserveDraw::new(&draw, Substitute::new(&latent, LogJoint::new()));
///     location(2, None).run::<f64, _>(&mut h)?;
///     let with_data = location(2, Some(&[0.5, -0.2])).log_joint(&latent)?;
///     assert_eq!(h.into_inner().into_inner().log_joint(), with_data);
///     Ok(())
/// }
/// ```
pub struct ObserveDraw<'a, M: ModelSites, H> {
    inner: H,
    draw: &'a M::Draw,
}

/// A model whose observed sites are data at the values of one draw, whatever data the model
/// was bound to: made by [`Model::observing`]. It has the model's sites, and runs the model's
/// body with an [`ObserveDraw`] around the caller's handler, so inference fits it like a model
/// bound to that data (its observations are checked, its gradients are the model's).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use rand::SeedableRng;
///
/// #[model]
/// fn location(n: usize, y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", n, |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
///     });
/// }
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     // Simulate data from the prior, then fit the simulated data.
///     let model = location(20, None);
///     let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(4);
///     let draw = model.sample_prior(&mut rng)?;
///     let fit = Nuts::default().warmup(200).samples(200).chains(1).run(&model.observing(&draw))?;
///     // The posterior of mu given 20 observations has sd 1/sqrt(21) ≈ 0.22.
///     let mean = fit.mu.iter().sum::<f64>() / fit.mu.len() as f64;
///     assert!((mean - draw.mu).abs() < 0.8);
///     Ok(())
/// }
/// ```
pub struct Observing<'a, M: Model> {
    model: &'a M,
    draw: &'a <M::Sites as ModelSites>::Draw,
}

impl<'a, M: ModelSites, H> ObserveDraw<'a, M, H> {
    /// Observes the observed sites of `draw`, then hands each message to `inner`.
    pub fn new(draw: &'a M::Draw, inner: H) -> Self {
        ObserveDraw { inner, draw }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<'a, M: Model> Observing<'a, M> {
    /// `model` with its observed sites at their values in `draw` (see [`Model::observing`]).
    pub fn new(model: &'a M, draw: &'a <M::Sites as ModelSites>::Draw) -> Self {
        Observing { model, draw }
    }

    /// The model.
    pub fn model(&self) -> &'a M {
        self.model
    }

    /// The draw whose observed sites are the data.
    pub fn draw(&self) -> &'a <M::Sites as ModelSites>::Draw {
        self.draw
    }
}

impl<M: ModelSites, H: fmt::Debug> fmt::Debug for ObserveDraw<'_, M, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObserveDraw")
            .field("inner", &self.inner)
            .field("draw", self.draw)
            .finish()
    }
}

impl<M: ModelSites, H: Clone> Clone for ObserveDraw<'_, M, H> {
    fn clone(&self) -> Self {
        ObserveDraw {
            inner: self.inner.clone(),
            draw: self.draw,
        }
    }
}

impl<M, T, H> Handler<M, T> for ObserveDraw<'_, M, H>
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
        // The role is a constant of the marker type: the test compiles away.
        if S::ROLE == Role::Observed {
            observe_element::<S, D>(msg, S::field(self.draw));
        }
        self.inner.sample::<S, D>(msg)
    }
    forward_handler!(factor, deterministic, subsample, param, enter, enumeration);
}

impl<M: Model> Model for Observing<'_, M> {
    type Sites = M::Sites;
}

impl<T: Scalar, M: Body<T>> Body<T> for Observing<'_, M> {
    #[inline]
    fn body<H: Handler<Self::Sites, T>>(&self, handler: &mut H) -> Result<(), ModelError> {
        // A layer on the stack around the caller's handler: no allocation per run.
        self.model.body(&mut ObserveDraw::new(self.draw, handler))
    }
}

impl<M: Model> Clone for Observing<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: Model> Copy for Observing<'_, M> {}

impl<M: Model> fmt::Debug for Observing<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observing")
            .field("model", &<M::Sites as ModelSites>::NAME)
            .field("draw", self.draw)
            .finish()
    }
}
