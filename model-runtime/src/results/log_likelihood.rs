//! The pointwise log-likelihood of a fit, typed like its draws, and the predictive accuracy
//! estimates built on it: PSIS-LOO and WAIC.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::diagnostics::{ChainDraws, Loo, LooError, Waic, ess_mean, loo, waic};
use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{Handler, SampleMsg, forward_handler};
use crate::handlers::{Seed, Substitute};
use crate::model::{Body, Model};
use crate::results::fit::Fit;
use crate::results::predictive::DrawSource;
use crate::scalar::Scalar;
use crate::site::{
    Columns, ModelSites, NameStyle, Nested, Role, SampleSite, Site, SiteVisitor, flatten_column,
};
use crate::value::ValueKind;

/// Writes each observed site's pointwise log-likelihood at one draw into a `LogLikelihood`.
struct Pointwise<'a, M: ModelSites, H> {
    inner: H,
    log_lik: &'a mut M::LogLikelihood,
    draw: usize,
    buffer: Vec<f64>,
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for Pointwise<'_, M, H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        self.inner.sample::<S, D>(msg)?;
        let (true, false, Some(value)) = (msg.observed, msg.blocked, &msg.value) else {
            return Ok(());
        };
        let Some(column) = S::log_likelihood_mut(self.log_lik) else {
            return Ok(());
        };
        self.buffer.clear();
        msg.dist
            .checked_log_prob_pointwise(value, &mut self.buffer)
            .map_err(|e| e.at(S::NAME, msg.index))?;
        if !msg.mask {
            self.buffer.iter_mut().for_each(|v| *v = 0.0);
        }
        if column.len() <= self.draw {
            column.resize_with(self.draw + 1, Default::default);
        }
        column[self.draw].put(msg.index, S::Kind::pointwise(&self.buffer));
        Ok(())
    }

    forward_handler!(factor, deterministic, subsample, param, enter, enumeration);
}

/// Why a fit's PSIS-LOO or WAIC could not be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ElpdError {
    /// Evaluating the model at a draw failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The estimate failed (no observations, or Pareto smoothing failed for one).
    #[error(transparent)]
    Loo(#[from] LooError),
}

impl<S: ModelSites> Fit<S> {
    /// The pointwise log-likelihood of every observed site at every draw (chains one after
    /// another, as the merged draws), typed like the draws: `log_lik.y[d]` holds site `y`'s
    /// values at draw `d`, one per observed element, nested like the site. A vectorized
    /// observation gives one value per element, a multivariate one a single value. `factor!`
    /// terms are not observations and are left out. The model runs once per draw with the
    /// draw's latent values; give it the data it was fitted to.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn mean(y: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 10.0));
    ///     sample!("y", batch::Normal::new(mu, 1.0), obs = y);
    /// }
    ///
    /// let y = [0.3, -0.5, 1.2];
    /// let model = mean(&y);
    /// let fit = Nuts::default().warmup(100).samples(50).chains(2).run(&model)?;
    /// let log_lik = fit.log_likelihood(&model)?;
    /// assert_eq!(log_lik.y.len(), 100); // one entry per draw
    /// assert_eq!(log_lik.y[0].len(), 3); // one value per observation
    /// let expected = Normal::new(fit.mu[0], 1.0)?.log_prob(&y[2]);
    /// assert!((log_lik.y[0][2] - expected).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn log_likelihood<M>(&self, model: &M) -> Result<S::LogLikelihood, ModelError>
    where
        M: Model<Sites = S> + Body<f64>,
    {
        let mut log_lik = S::LogLikelihood::default();
        let mut buffer = Vec::new();
        for draw in 0..self.num_draws() {
            let latent = self.latent_draw(draw)?;
            // Every latent value is substituted and every observed one is data, so nothing is
            // drawn; the seed only completes the handler stack.
            let base = Seed::new(ChaCha8Rng::seed_from_u64(0));
            let mut handler = Pointwise {
                inner: Substitute::new(&latent, base),
                log_lik: &mut log_lik,
                draw,
                buffer,
            };
            model.run::<f64, _>(&mut handler)?;
            buffer = handler.buffer;
        }
        Ok(log_lik)
    }

    /// PSIS-LOO (Vehtari, Gelman and Gabry 2017, with the Pareto smoothing of Vehtari et al.
    /// 2024) from [`Fit::log_likelihood`], one observation per observed element (`y[3]`), with
    /// ArviZ's relative efficiency: the mean ESS of the posterior's scalars over the number of
    /// draws (1 for one chain).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn mean(y: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 10.0));
    ///     sample!("y", batch::Normal::new(mu, 1.0), obs = y);
    /// }
    ///
    /// let y: Vec<f64> = (0..20).map(|i| (i as f64 * 0.9).sin()).collect();
    /// let model = mean(&y);
    /// let fit = Nuts::default().warmup(300).samples(300).chains(2).seed(1).run(&model)?;
    /// let loo = fit.loo(&model)?;
    /// assert_eq!(loo.pointwise.len(), 20);
    /// assert_eq!(loo.pointwise[3].name, "y[3]");
    /// println!("{loo}");
    /// assert!(loo.p > 0.0 && loo.elpd < 0.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn loo<M>(&self, model: &M) -> Result<Loo, ElpdError>
    where
        M: Model<Sites = S> + Body<f64>,
    {
        let pointwise = pointwise_columns::<S>(&self.log_likelihood(model)?);
        Ok(loo(&pointwise, self.relative_efficiency())?)
    }

    /// WAIC (Watanabe 2010; Vehtari, Gelman and Gabry 2017) from [`Fit::log_likelihood`].
    pub fn waic<M>(&self, model: &M) -> Result<Waic, ElpdError>
    where
        M: Model<Sites = S> + Body<f64>,
    {
        let pointwise = pointwise_columns::<S>(&self.log_likelihood(model)?);
        Ok(waic(&pointwise)?)
    }

    /// ArviZ's relative efficiency for PSIS: the mean over the scalars of the latent and
    /// deterministic sites of their mean-ESS, over the number of draws; 1 for one chain.
    fn relative_efficiency(&self) -> f64 {
        let chains = self.chains();
        if chains.len() < 2 {
            return 1.0;
        }
        let roles = [Role::Latent, Role::Deterministic];
        let per_chain: Vec<Vec<(String, Vec<f64>)>> = chains
            .iter()
            .map(|c| c.draws.scalar_columns(&roles, NameStyle::Brackets))
            .collect();
        let essays: Vec<f64> = (0..per_chain[0].len())
            .filter_map(|k| {
                let columns: Vec<&[f64]> = per_chain.iter().map(|c| c[k].1.as_slice()).collect();
                ChainDraws::new(&columns).ok().map(|d| ess_mean(&d))
            })
            .collect();
        if essays.is_empty() {
            return 1.0;
        }
        let draws = self.num_draws() as f64;
        essays.iter().sum::<f64>() / essays.len() as f64 / draws
    }
}

/// Each observed element's log-likelihood over the draws, named as in summaries (`y[3]`).
fn pointwise_columns<M: ModelSites>(log_lik: &M::LogLikelihood) -> Vec<(String, Vec<f64>)> {
    struct Columns<'a, M: ModelSites> {
        log_lik: &'a M::LogLikelihood,
        out: Vec<(String, Vec<f64>)>,
    }
    impl<M: ModelSites> SiteVisitor<M> for Columns<'_, M> {
        fn site<S: Site<Model = M>>(&mut self) {}
        fn sample<S: SampleSite<Model = M>>(&mut self) {
            if let Some(column) = S::log_likelihood(self.log_lik) {
                flatten_column(S::NAME, NameStyle::Brackets, column, &mut self.out);
            }
        }
    }
    let mut visitor = Columns::<M> {
        log_lik,
        out: Vec::new(),
    };
    M::visit(&mut visitor);
    visitor.out
}
