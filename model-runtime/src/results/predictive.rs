//! Prior and posterior predictive distributions over typed draws.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::error::ModelError;
use crate::handlers::{Evaluating, Locate, Seed, Substitute, Trace, Unobserve};
use crate::model::{Body, Model};
use crate::results::{panic_message, while_evaluating};
use crate::site::{Columns, ModelSites, SiteList, SiteSet};

/// Draws from the prior predictive ([`Predictive::prior`]) or the posterior predictive
/// ([`Predictive::posterior`]) distribution of a model.
///
/// Observed sites are always drawn from their distribution, never through a reparameterizer;
/// deterministic sites are recomputed; latent sites keep their posterior values (or are drawn
/// from the prior). Draw `i` uses random stream `i` of the seed, so results are reproducible and
/// do not depend on how the work is split.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn noisy(n: usize) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", n, |i| {
///         sample!("y", Normal::new(mu, 0.1), obs = None::<f64>);
///     });
/// }
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let prior = Predictive::prior(100).seed(1).run(&noisy(3))?;
///     assert_eq!(prior.mu.len(), 100);
///     assert_eq!(prior.y[0].len(), 3);
///     // Posterior predictive from any typed draws (here: the prior's).
///     let post = Predictive::posterior(&prior).seed(2).sites((noisy::site::y,)).run(&noisy(5))?;
///     assert_eq!(post.y.len(), 100);
///     assert!(post.mu.is_empty()); // only the chosen sites are returned
///     Ok(())
/// }
/// ```
pub struct Predictive<'a, M: ModelSites> {
    source: Source<'a, M>,
    seed: u64,
    keep: SiteSet<M>,
}

enum Source<'a, M: ModelSites> {
    Prior(usize),
    Posterior(&'a dyn DrawSource<M>),
    Latents(&'a [M::Latent]),
    Guide(&'a dyn GuideSource<M>, usize),
}

/// A fitted variational guide that draws latent values (an [`SviFit`](crate::svi::SviFit)).
pub trait GuideSource<M: ModelSites> {
    /// Draw `i` of the guide, from random stream `i` of `seed`.
    fn latent_sample(&self, i: usize, seed: u64) -> Result<M::Latent, ModelError>;
}

/// Typed draws of model `M` that Predictive can condition on: the model's columnar
/// `Draws`, or a fit returned by inference.
pub trait DrawSource<M: ModelSites> {
    /// Number of draws.
    fn num_draws(&self) -> usize;
    /// The latent values of draw `i`.
    fn latent_draw(&self, i: usize) -> Result<M::Latent, ModelError>;
}

impl<C: Columns> DrawSource<C::Sites> for C {
    fn num_draws(&self) -> usize {
        self.len()
    }
    fn latent_draw(&self, i: usize) -> Result<<C::Sites as ModelSites>::Latent, ModelError> {
        self.latent(i)
    }
}

impl<M: ModelSites> Predictive<'static, M> {
    /// `num_draws` draws from the prior predictive distribution.
    pub fn prior(num_draws: usize) -> Self {
        Predictive {
            source: Source::Prior(num_draws),
            seed: 0,
            keep: SiteSet::all(),
        }
    }
}

impl<'a, M: ModelSites> Predictive<'a, M> {
    /// One predictive draw per posterior draw.
    pub fn posterior<D: DrawSource<M>>(draws: &'a D) -> Self {
        Predictive {
            source: Source::Posterior(draws),
            seed: 0,
            keep: SiteSet::all(),
        }
    }

    /// One predictive draw per latent struct.
    pub fn from_latents(latents: &'a [M::Latent]) -> Self {
        Predictive {
            source: Source::Latents(latents),
            seed: 0,
            keep: SiteSet::all(),
        }
    }

    /// `num_draws` draws of the latent sites from a fitted guide, each with a prediction of
    /// the observed and deterministic sites (NumPyro's `Predictive(model, guide=guide,
    /// params=params, num_samples=n)`).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::svi::{Adam, AutoNormal, Svi};
    ///
    /// #[model]
    /// fn mean(n: usize, y: Option<&[f64]>) {
    ///     let mu = sample!("mu", Normal::new(0.0, 10.0));
    ///     plate!("data", n, |i| {
    ///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
    ///     });
    /// }
    ///
    /// let y = [1.9, 2.3, 2.0, 1.6];
    /// let model = mean(4, Some(&y));
    /// let fit = Svi::new(Adam::new(0.05)).steps(1500).run(&model, AutoNormal::new())?;
    /// let predictions = Predictive::guide(&fit, 300).seed(3).run(&mean(4, None))?;
    /// assert_eq!((predictions.mu.len(), predictions.y[0].len()), (300, 4));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn guide<G: GuideSource<M>>(fitted: &'a G, num_draws: usize) -> Self {
        Predictive {
            source: Source::Guide(fitted, num_draws),
            seed: 0,
            keep: SiteSet::all(),
        }
    }

    /// Sets the seed (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Returns only the given sites, named by their typed markers: `(my_model::site::y,)`.
    pub fn sites<L: SiteList<M>>(mut self, sites: L) -> Self {
        self.keep = SiteSet::of(sites);
        self
    }

    /// Runs `model` once per draw. Its sites must be this predictive's `M`: posterior draws of
    /// one model cannot be given to another.
    pub fn run<Mo: Model<Sites = M> + Body<f64>>(
        &self,
        model: &Mo,
    ) -> Result<M::Draws, PredictiveError> {
        let n = match &self.source {
            Source::Prior(n) => *n,
            Source::Posterior(draws) => draws.num_draws(),
            Source::Latents(latents) => latents.len(),
            Source::Guide(_, n) => *n,
        };
        let mut out = M::Draws::default();
        for i in 0..n {
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            rng.set_stream(i as u64);
            // Located, so that a panic in model code names the statement it happened in.
            let mut located = Locate::new(Unobserve::new(Seed::new(rng)));
            let base = &mut located;
            let one = || match &self.source {
                Source::Prior(_) => {
                    let mut h = Trace::new(base);
                    model.run::<f64, _>(&mut h)?;
                    Ok(h.into_draw())
                }
                Source::Posterior(draws) => {
                    let latent = draws.latent_draw(i)?;
                    run_substituted(model, &latent, base)
                }
                Source::Latents(latents) => run_substituted(model, &latents[i], base),
                Source::Guide(guide, _) => {
                    // The guide's draws come from the streams of a seed derived from this
                    // one, so that they and the predictions are independent.
                    let latent = guide.latent_sample(i, self.seed ^ GUIDE_STREAMS)?;
                    run_substituted(model, &latent, base)
                }
            };
            // A panic in model code is an error naming the draw, not a crash.
            let draw = std::panic::catch_unwind(std::panic::AssertUnwindSafe(one))
                .map_err(|payload| PredictiveError {
                    draw: i,
                    cause: PredictiveFailure::Panicked {
                        message: panic_message(payload.as_ref()),
                        at: located.last().cloned(),
                    },
                })?
                .map_err(|e| PredictiveError::new(i, e))?;
            out.push_selected(draw, &self.keep);
        }
        Ok(out)
    }
}

/// Mixed into the seed for a guide's latent draws.
const GUIDE_STREAMS: u64 = 0x9e37_79b9_7f4a_7c15;

fn run_substituted<Mo: Body<f64>, H>(
    model: &Mo,
    latent: &<Mo::Sites as ModelSites>::Latent,
    base: H,
) -> Result<<Mo::Sites as ModelSites>::Draw, ModelError>
where
    H: crate::handler::Handler<Mo::Sites, f64>,
{
    let mut h = Trace::new(Substitute::new(latent, base));
    model.run::<f64, _>(&mut h)?;
    Ok(h.into_draw())
}

/// A Predictive run failed at one draw.
#[derive(Debug, thiserror::Error)]
#[error("predictive draw {draw}: {cause}")]
pub struct PredictiveError {
    draw: usize,
    #[source]
    cause: PredictiveFailure,
}

/// What failed in a Predictive draw.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PredictiveFailure {
    /// The model returned an error (names the site).
    #[error(transparent)]
    Model(ModelError),
    /// The model code panicked.
    #[error("the model panicked{}: {message}", while_evaluating(at.as_ref()))]
    Panicked {
        /// The panic message.
        message: String,
        /// The statement the body was evaluating, with its plate indices.
        at: Option<Evaluating>,
    },
}

impl PredictiveError {
    fn new(draw: usize, error: ModelError) -> Self {
        PredictiveError {
            draw,
            cause: PredictiveFailure::Model(error),
        }
    }

    /// The index of the failing draw.
    pub fn draw(&self) -> usize {
        self.draw
    }

    /// The model error, when the model returned one (`None` when it panicked).
    pub fn error(&self) -> Option<&ModelError> {
        match &self.cause {
            PredictiveFailure::Model(error) => Some(error),
            PredictiveFailure::Panicked { .. } => None,
        }
    }

    /// What failed.
    pub fn cause(&self) -> &PredictiveFailure {
        &self.cause
    }
}
