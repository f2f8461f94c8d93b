//! Stochastic variational inference, MAP and Laplace approximations: for data too big for
//! NUTS, or an answer in a second.
//!
//! [`Svi`] fits an automatic guide (a family of distributions over the model's unconstrained
//! coordinates) by maximizing the evidence lower bound, `ELBO = E_q[log p(y, z)] + H[q]`, with
//! reparameterized gradients (Kingma and Welling 2014; Ranganath et al. 2014) through the same
//! autodiff the NUTS sampler uses, and [`Adam`]. The guides are NumPyro's:
//!
//! | guide | family | NumPyro |
//! |---|---|---|
//! | [`AutoNormal`] = [`AutoDiagonalNormal`] | independent normals | `AutoNormal`, `AutoDiagonalNormal` |
//! | [`AutoMultivariateNormal`] | full-rank normal | `AutoMultivariateNormal` |
//! | [`AutoLowRankMultivariateNormal`] | low rank plus diagonal | `AutoLowRankMultivariateNormal` |
//! | [`AutoDelta`] | a point: MAP | `AutoDelta` |
//! | [`AutoLaplaceApproximation`] | normal at the mode, inverse negative Hessian | `AutoLaplaceApproximation` |
//!
//! A guide can also be written by hand: a `#[model(guide_for = model)]` function whose
//! `param!` statements are fitted and whose `sample!` statements draw the model's latent sites
//! by reparameterized samplers ([`Svi::run_guide`], [`GuideFit`]). The compiler checks that it
//! draws exactly the model's latent sites, each with the model's value type.
//!
//! Plates written `plate!("data", n, subsample = batch, |i| ..)` run over a new random batch
//! at every step, their log-likelihood scaled by `n / batch` ([`Subsample`]): a step on a
//! million rows costs what the batch costs. (MCMC and Predictive run such plates in full.)
//!
//! The fitted guide ([`SviFit`]) is typed by the model: its [`median`](SviFit::median) is the
//! model's `Latent` struct, its [`sample`](SviFit::sample) the model's `Draws`, its
//! parameters are read per site by the site's marker ([`SviFit::loc`]), and
//! [`Predictive::guide`](crate::Predictive::guide) predicts from it.
//!
//! # Example
//!
//! ```
//! use model_runtime::prelude::*;
//! use model_runtime::svi::{Adam, AutoNormal, Schedule, Svi};
//!
//! #[model]
//! fn mean(y: &[f64]) {
//!     let mu = sample!("mu", Normal::new(0.0, 10.0));
//!     sample!("y", batch::Normal::new(mu, 1.0), obs = y);
//! }
//!
//! let y: Vec<f64> = (0..50).map(|i| 2.0 + (i as f64 * 0.37).sin()).collect();
//! let model = mean(&y);
//! // Adam whose rate decays from 0.05 a thousandfold, so the parameters settle.
//! let rate = Schedule::Exponential { initial: 0.05, rate: 1e-3, steps: 2000 };
//! let fit = Svi::new(Adam::new(rate)).steps(2000).seed(1).run(&model, AutoNormal::new())?;
//! // The exact posterior: N(ȳ·50/(50 + 1/100), 1/(50 + 1/100)).
//! let mean_y = y.iter().sum::<f64>() / 50.0;
//! assert!((fit.median()?.mu - mean_y * 50.0 / 50.01).abs() < 0.02);
//! assert!((fit.scale(mean::site::mu)[0] - (1.0f64 / 50.01).sqrt()).abs() < 0.03);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Its length (about 800 lines) is the builder's documented settings with their examples (about 220
//! lines of docs) and the one optimization loop they configure; the guides live in their own files.

mod custom;
mod guides;
mod optim;

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution as _, StandardNormal};

use crate::autodiff::{Var, gradient};
use crate::diagnostics::{Summary, SummaryError};
use crate::error::ModelError;
use crate::handler::{DeterministicMsg, FactorMsg, Handler, SampleMsg};
use crate::handlers::{LogDensity, Subsample};
use crate::linalg::{cholesky, solve_lower};
use crate::model::{Body, Model};
use crate::results::fit::{FitError, element_chains, summarize};
use crate::results::mcmc::{Init, initial_position};
use crate::results::model_target::ModelTarget;
use crate::results::panic_message;
use crate::results::predictive::GuideSource;
use crate::scalar::Scalar;
use crate::site::{Columns, DeterministicSite, ModelSites, Role, SampleSite, Site, SiteSet};

pub use custom::{GuideFit, GuideFor};
pub use guides::{
    Approximation, AutoDelta, AutoDiagonalNormal, AutoGuide, AutoLaplaceApproximation,
    AutoLowRankMultivariateNormal, AutoMultivariateNormal, AutoNormal,
};
pub use optim::{Adam, Schedule};

/// Which estimate of the ELBO the loss reports. Both have the same gradient for the Gaussian
/// guides: the derivative of `log q(z(ε))` with respect to the parameters is the derivative of
/// the log-determinant alone, which the entropy's exact gradient gives (Roeder, Wu and
/// Duvenaud 2017 drop the rest, the score term, whose expectation is zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Elbo {
    /// `log p(y, z) − log q(z)` averaged over the particles (NumPyro's `Trace_ELBO`).
    #[default]
    Trace,
    /// `log p(y, z)` averaged over the particles plus the exact entropy of the guide
    /// (NumPyro's `TraceMeanField_ELBO`): a lower-variance loss.
    MeanField,
}

/// Stochastic variational inference: the optimizer, the number of steps and particles, the
/// ELBO estimate, the stopping rule and the seed. [`run`](Svi::run) fits a guide to a model.
///
/// Step `t` draws its noise from random stream `t` of the seed, so a fit is reproducible.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::svi::{Adam, AutoDelta, Elbo, Svi};
///
/// #[model]
/// fn rate(k: &[u64]) {
///     let lambda = sample!("lambda", Gamma::new(2.0, 1.0));
///     plate!("days", k.len(), |i| {
///         sample!("k", Poisson::new(lambda), obs = k[i]);
///     });
/// }
///
/// let k = [3, 5, 4, 6, 2];
/// // MAP of a Gamma(2, 1) prior and Poisson counts: (2 - 1 + Σk) / (1 + n) = 21/6.
/// let model = rate(&k);
/// let map = Svi::new(Adam::new(0.05)).steps(3000).elbo(Elbo::MeanField).run(&model, AutoDelta)?;
/// assert!((map.median()?.lambda - 3.5).abs() < 1e-3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Svi {
    optimizer: Adam,
    steps: usize,
    particles: usize,
    elbo: Elbo,
    seed: u64,
    stop: Option<(f64, usize)>,
    progress: Option<bool>,
}

impl Svi {
    /// SVI with `optimizer`, 1000 steps, one particle and the Trace ELBO.
    pub fn new(optimizer: Adam) -> Self {
        Svi {
            optimizer,
            steps: 1000,
            particles: 1,
            elbo: Elbo::Trace,
            seed: 0,
            stop: None,
            progress: None,
        }
    }

    /// The number of optimization steps (at most, with [`stop_when`](Svi::stop_when)).
    pub fn steps(mut self, steps: usize) -> Self {
        self.steps = steps;
        self
    }

    /// Draws per step over which the ELBO and its gradient are averaged (NumPyro's
    /// `num_particles`, default 1).
    pub fn particles(mut self, particles: usize) -> Self {
        self.particles = particles.max(1);
        self
    }

    /// The ELBO estimate the loss reports (default [`Elbo::Trace`]).
    pub fn elbo(mut self, elbo: Elbo) -> Self {
        self.elbo = elbo;
        self
    }

    /// The seed (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Stops when the mean loss of the last `window` steps differs from that of the window
    /// before by less than `relative` of it.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::svi::{Adam, AutoNormal, Svi};
    ///
    /// #[model]
    /// fn m() {
    ///     sample!("x", Normal::new(1.0, 2.0));
    /// }
    ///
    /// let model = m();
    /// let svi = Svi::new(Adam::new(0.05)).steps(100_000).stop_when(1e-3, 500);
    /// let fit = svi.run(&model, AutoNormal::new())?;
    /// assert!(fit.stopped_early() && fit.losses().len() < 100_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stop_when(mut self, relative: f64, window: usize) -> Self {
        self.stop = Some((relative.abs(), window.max(1)));
        self
    }

    /// Shows a progress bar with the loss on a terminal (`None`, the default, shows it when
    /// stderr is a terminal and the fit runs on the main thread, as NUTS does).
    pub fn progress(mut self, show: bool) -> Self {
        self.progress = Some(show);
        self
    }

    /// Fits `guide` to `model`, starting at the median of 101 prior draws (NumPyro's
    /// `init_to_median`).
    pub fn run<'m, M, G>(&self, model: &'m M, guide: G) -> Result<SviFit<'m, M, G>, SviError>
    where
        M: Body<f64> + Body<Var>,
        G: AutoGuide,
    {
        self.run_from(model, guide, Init::PriorMedian)
    }

    /// Fits `guide` to `model`, the guide centred at the point `init` gives at the start:
    /// [`Init::PriorMedian`] (`init_to_median`), [`Init::PriorSample`] (`init_to_sample`),
    /// [`Init::Values`] (`init_to_value`) or [`Init::Uniform`] (Stan's).
    pub fn run_from<'m, M, G>(
        &self,
        model: &'m M,
        guide: G,
        init: Init<<M::Sites as ModelSites>::Latent>,
    ) -> Result<SviFit<'m, M, G>, SviError>
    where
        M: Body<f64> + Body<Var>,
        G: AutoGuide,
    {
        let start = Instant::now();
        let mut fit = catching(|| self.optimize(model, guide, &init))?;
        fit.wall_time = start.elapsed();
        Ok(fit)
    }

    fn optimize<'m, M, G>(
        &self,
        model: &'m M,
        guide: G,
        init: &Init<<M::Sites as ModelSites>::Latent>,
    ) -> Result<SviFit<'m, M, G>, SviError>
    where
        M: Body<f64> + Body<Var>,
        G: AutoGuide,
    {
        let mut target = ModelTarget::new(model).map_err(SviError::Model)?;
        let dim = model.unconstrained_dim().map_err(SviError::Model)?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(u64::MAX);
        let start = initial_position(model, &mut target, init, &mut rng).map_err(|e| match e {
            FitError::Model(e) => SviError::Model(e),
            other => SviError::Start(Box::new(other)),
        })?;
        let mut params = guide.init(&start);
        let noise_len = guide.noise_len(dim);
        let (mut eps, mut z, mut dz) = (vec![0.0; noise_len], vec![0.0; dim], vec![0.0; dim]);
        let particles = self.particles as f64;
        let (losses, stopped_early) = self.ascend(&mut params, |params, rng, grad| {
            let mut estimate = 0.0;
            for _ in 0..self.particles {
                eps.iter_mut().for_each(|e| *e = StandardNormal.sample(rng));
                guide.transform(params, &eps, &mut z);
                let lp = log_density_and_gradient(model, guide.jacobian(), &z, &mut dz, Some(rng))
                    .map_err(SviError::Model)?;
                if !lp.is_finite() || dz.iter().any(|g| !g.is_finite()) {
                    return Ok(Err(z.clone()));
                }
                guide.backward(params, &eps, &dz, grad);
                estimate += match self.elbo {
                    Elbo::Trace => lp - guide.log_q(params, &eps),
                    Elbo::MeanField => lp,
                };
            }
            grad.iter_mut().for_each(|g| *g /= particles);
            let entropy = guide.entropy(params, grad);
            Ok(Ok(match self.elbo {
                Elbo::Trace => estimate / particles,
                Elbo::MeanField => estimate / particles + entropy,
            }))
        })?;
        let approximation = if G::LAPLACE {
            laplace(model, &params)?
        } else {
            guide.posterior(&params)?
        };
        Ok(SviFit {
            model,
            guide,
            params,
            approximation,
            losses,
            stopped_early,
            coordinates: site_coordinates(model).map_err(SviError::Model)?,
            wall_time: Duration::ZERO,
        })
    }
}

/// One step's ELBO estimate with its gradient in the buffer given, or, when it was not finite,
/// the point where that happened.
type StepEstimate = Result<Result<f64, Vec<f64>>, SviError>;

impl Svi {
    /// The optimization loop shared by every guide: at each step, `estimate` fills the gradient
    /// of the ELBO with respect to `params` (averaged over the particles) from the step's random
    /// stream and returns the estimate; Adam ascends it. Returns the loss history and whether
    /// the stopping rule ended the run.
    fn ascend(
        &self,
        params: &mut [f64],
        mut estimate: impl FnMut(&[f64], &mut ChaCha8Rng, &mut [f64]) -> StepEstimate,
    ) -> Result<(Vec<f64>, bool), SviError> {
        let mut state = self.optimizer.state(params.len());
        let mut grad = vec![0.0; params.len()];
        let mut losses = Vec::with_capacity(self.steps);
        let progress = Progress::new(self.progress, self.steps);
        let (mut stopped_early, mut failed_in_a_row) = (false, 0);
        for step in 0..self.steps {
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            rng.set_stream(step as u64);
            grad.fill(0.0);
            let elbo = match estimate(params, &mut rng, &mut grad)? {
                Ok(elbo) => elbo,
                Err(at) => {
                    // A draw far in a tail can overflow; the step is skipped, and only a guide
                    // that keeps failing is an error.
                    failed_in_a_row += 1;
                    if failed_in_a_row >= MAX_FAILED_STEPS {
                        return Err(SviError::NonFinite { step, at });
                    }
                    continue;
                }
            };
            failed_in_a_row = 0;
            self.optimizer.ascend(&mut state, params, &grad);
            losses.push(-elbo);
            progress.update(step + 1, -elbo);
            if let Some((relative, window)) = self.stop
                && converged(&losses, relative, window)
            {
                stopped_early = true;
                break;
            }
        }
        progress.finish(losses.last().copied());
        Ok((losses, stopped_early))
    }
}

/// Steps in a row whose ELBO is not finite before SVI gives up.
const MAX_FAILED_STEPS: usize = 100;

/// Whether the mean loss of the last `window` steps is within `relative` of the window
/// before it.
fn converged(losses: &[f64], relative: f64, window: usize) -> bool {
    let n = losses.len();
    if n < 2 * window || !n.is_multiple_of(window) {
        return false;
    }
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let (before, last) = (
        mean(&losses[n - 2 * window..n - window]),
        mean(&losses[n - window..]),
    );
    (last - before).abs() <= relative * before.abs().max(f64::MIN_POSITIVE)
}

/// The model's log density at `z` (with or without the log-Jacobian) and its gradient; with
/// `batches`, every subsampled plate runs over a batch drawn from it (an unbiased estimate),
/// otherwise over all its elements.
fn log_density_and_gradient<M: Body<Var>>(
    model: &M,
    jacobian: bool,
    z: &[f64],
    out: &mut [f64],
    batches: Option<&mut ChaCha8Rng>,
) -> Result<f64, ModelError> {
    gradient(z, out, |x: &[Var]| {
        let density = if jacobian {
            LogDensity::new(x)
        } else {
            LogDensity::without_jacobian(x)
        };
        match batches {
            Some(rng) => {
                let mut handler = Subsample::new(rng, density);
                model.run::<Var, _>(&mut handler)?;
                Ok(handler.into_inner().log_density())
            }
            None => {
                let mut handler = density;
                model.run::<Var, _>(&mut handler)?;
                Ok(handler.log_density())
            }
        }
    })
}

/// The normal at the mode `mode` of the unconstrained log density whose covariance is the
/// inverse of the negative Hessian there; the Hessian is taken by central differences of the
/// autodiff gradient, step `1e-5·max(1, |x|)` (error O(h²)), and symmetrized.
fn laplace<M: Body<Var>>(model: &M, mode: &[f64]) -> Result<Approximation, SviError> {
    let d = mode.len();
    let mut hessian = vec![0.0; d * d];
    let (mut up, mut down) = (vec![0.0; d], vec![0.0; d]);
    let mut x = mode.to_vec();
    for j in 0..d {
        let h = 1e-5 * mode[j].abs().max(1.0);
        x[j] = mode[j] + h;
        log_density_and_gradient(model, true, &x, &mut up, None).map_err(SviError::Model)?;
        x[j] = mode[j] - h;
        log_density_and_gradient(model, true, &x, &mut down, None).map_err(SviError::Model)?;
        x[j] = mode[j];
        for i in 0..d {
            hessian[i * d + j] = (up[i] - down[i]) / (2.0 * h);
        }
    }
    let negative: Vec<f64> = (0..d * d)
        .map(|k| {
            let (i, j) = (k / d, k % d);
            -0.5 * (hessian[i * d + j] + hessian[j * d + i])
        })
        .collect();
    let l = cholesky(&negative, d).map_err(|e| SviError::NotAMaximum { row: e.row })?;
    // Covariance (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹, column by column.
    let mut inverse_l = vec![0.0; d * d];
    for j in 0..d {
        let mut unit = vec![0.0; d];
        unit[j] = 1.0;
        let column = solve_lower(&l, &unit);
        for i in 0..d {
            inverse_l[i * d + j] = column[i];
        }
    }
    let covariance: Vec<f64> = (0..d * d)
        .map(|k| {
            let (i, j) = (k / d, k % d);
            (0..d)
                .map(|m| inverse_l[m * d + i] * inverse_l[m * d + j])
                .sum()
        })
        .collect();
    let scale_tril = cholesky(&covariance, d).map_err(|e| SviError::NotAMaximum { row: e.row })?;
    Ok(Approximation::Normal {
        loc: mode.to_vec(),
        scale_tril,
    })
}

/// The unconstrained coordinates of every site, by site index, in program order.
fn site_coordinates<M: Body<f64>>(model: &M) -> Result<Vec<Vec<usize>>, ModelError> {
    struct Record<'a, T> {
        inner: LogDensity<'a, T>,
        coordinates: Vec<Vec<usize>>,
    }
    impl<M: ModelSites, T: Scalar> Handler<M, T> for Record<'_, T> {
        fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
        where
            S: SampleSite<Model = M>,
            D: crate::distribution::Distribution<Scalar = T, Kind = S::Kind>,
        {
            let before = self.inner.consumed();
            Handler::<M, T>::sample::<S, D>(&mut self.inner, msg)?;
            self.coordinates[S::INDEX].extend(before..self.inner.consumed());
            Ok(())
        }
        fn factor(&mut self, msg: &mut FactorMsg<'_, T>) -> Result<(), ModelError> {
            Handler::<M, T>::factor(&mut self.inner, msg)
        }
        fn deterministic<S>(&mut self, msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
        where
            S: DeterministicSite<Model = M>,
        {
            Handler::<M, T>::deterministic::<S>(&mut self.inner, msg)
        }
    }
    let mut record = Record::<f64> {
        inner: LogDensity::probe(),
        coordinates: vec![Vec::new(); <M::Sites as ModelSites>::sites().len()],
    };
    model.run::<f64, _>(&mut record)?;
    Ok(record.coordinates)
}

/// The progress bar of an SVI run.
struct Progress(Option<indicatif::ProgressBar>, bool);

impl Progress {
    fn new(requested: Option<bool>, steps: usize) -> Self {
        use crate::results::progress::ProgressMode;
        match ProgressMode::choose(requested) {
            ProgressMode::Off => Progress(None, false),
            ProgressMode::Lines => Progress(None, true),
            ProgressMode::Bars => {
                let bar = indicatif::ProgressBar::new(steps as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "SVI {bar:30} {pos}/{len} steps, {per_sec}, loss {msg} (ETA {eta})",
                    )
                    .expect("a valid template"),
                );
                Progress(Some(bar), false)
            }
        }
    }

    fn update(&self, step: usize, loss: f64) {
        // indicatif redraws at most 20 times a second; setting the message is cheap.
        if let Some(bar) = &self.0
            && step.is_multiple_of(16)
        {
            bar.set_position(step as u64);
            bar.set_message(format!("{loss:.4}"));
        }
    }

    fn finish(&self, loss: Option<f64>) {
        if let Some(bar) = &self.0 {
            bar.finish();
        } else if self.1
            && let Some(loss) = loss
        {
            eprintln!("SVI finished, final loss {loss:.4}");
        }
    }
}

/// A fitted guide: the optimized parameters and the distribution they describe, typed by the
/// model.
#[derive(Debug, Clone)]
pub struct SviFit<'m, M: Model, G> {
    model: &'m M,
    guide: G,
    params: Vec<f64>,
    approximation: Approximation,
    losses: Vec<f64>,
    stopped_early: bool,
    coordinates: Vec<Vec<usize>>,
    wall_time: Duration,
}

impl<'m, M: Body<f64>, G: AutoGuide> SviFit<'m, M, G> {
    /// The loss (negative ELBO) of every step.
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }

    /// Whether the stopping rule ended the run before its last step.
    pub fn stopped_early(&self) -> bool {
        self.stopped_early
    }

    /// Wall time of the fit.
    pub fn wall_time(&self) -> Duration {
        self.wall_time
    }

    /// The guide.
    pub fn guide(&self) -> &G {
        &self.guide
    }

    /// The guide's parameters as one vector (its layout is the guide's).
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// The fitted distribution over the unconstrained coordinates.
    pub fn approximation(&self) -> &Approximation {
        &self.approximation
    }

    /// The guide's mean in unconstrained coordinates for site `site`'s elements (NumPyro's
    /// `{site}_auto_loc`), typed by the site's marker.
    pub fn loc<S: Site<Model = M::Sites>>(&self, _site: S) -> Vec<f64> {
        let loc = self.approximation.loc();
        self.coordinates[S::INDEX].iter().map(|&k| loc[k]).collect()
    }

    /// The guide's standard deviation in unconstrained coordinates for site `site`'s elements
    /// (NumPyro's `{site}_auto_scale`; zero for a point estimate).
    pub fn scale<S: Site<Model = M::Sites>>(&self, _site: S) -> Vec<f64> {
        let scale = self.approximation.scale();
        self.coordinates[S::INDEX]
            .iter()
            .map(|&k| scale[k])
            .collect()
    }

    /// The latent values at the guide's median: its mean mapped to constrained values (for
    /// [`AutoDelta`], the MAP estimate). An error where the model cannot be evaluated there
    /// (a deterministic site or a solver that fails at that point), naming the site.
    pub fn median(&self) -> Result<<M::Sites as ModelSites>::Latent, ModelError> {
        self.quantile_latent(0.5)
    }

    /// The latent values at each coordinate's `p`-quantile of the guide, mapped to constrained
    /// values (NumPyro's `guide.quantiles`); for monotone transforms per coordinate, the
    /// constrained quantiles.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::svi::{Adam, AutoNormal, Svi};
    ///
    /// #[model]
    /// fn m() {
    ///     sample!("sigma", LogNormal::new(0.0, 0.5));
    /// }
    ///
    /// let model = m();
    /// let fit = Svi::new(Adam::new(0.02)).steps(3000).run(&model, AutoNormal::new())?;
    /// let q = fit.quantiles(&[0.05, 0.5, 0.95])?;
    /// // The posterior is the prior: log sigma ~ N(0, 0.5), 5% quantile e^(-0.82).
    /// assert!((q[0].sigma - (-0.5 * 1.6449f64).exp()).abs() < 0.05);
    /// assert!(q[0].sigma < q[1].sigma && q[1].sigma < q[2].sigma);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quantiles(
        &self,
        probabilities: &[f64],
    ) -> Result<Vec<<M::Sites as ModelSites>::Latent>, ModelError> {
        probabilities
            .iter()
            .map(|&p| self.quantile_latent(p))
            .collect()
    }

    fn quantile_latent(&self, p: f64) -> Result<<M::Sites as ModelSites>::Latent, ModelError> {
        let z = crate::diagnostics::normal_quantile(p);
        let u: Vec<f64> = self
            .approximation
            .loc()
            .iter()
            .zip(self.approximation.scale())
            .map(|(m, s)| m + s * z)
            .collect();
        Ok(<M::Sites as ModelSites>::latent_of(
            &self.model.constrain(&u)?,
        ))
    }

    /// `n` draws from the guide, as the model's typed draws (latent and deterministic sites;
    /// draw `i` uses random stream `i` of `seed`).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::svi::{Adam, AutoMultivariateNormal, Svi};
    ///
    /// #[model]
    /// fn m() {
    ///     let a = sample!("a", Normal::new(0.0, 1.0));
    ///     sample!("b", Normal::new(a, 0.5));
    /// }
    ///
    /// let model = m();
    /// let fit = Svi::new(Adam::new(0.02)).steps(3000).run(&model, AutoMultivariateNormal::new())?;
    /// let draws = fit.sample(2000, 1)?;
    /// assert_eq!(draws.b.len(), 2000);
    /// println!("{}", fit.summary(2000, 1)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sample(
        &self,
        n: usize,
        seed: u64,
    ) -> Result<<M::Sites as ModelSites>::Draws, ModelError> {
        let keep = SiteSet::with_roles(&[Role::Latent, Role::Deterministic]);
        let mut draws = <M::Sites as ModelSites>::Draws::default();
        for i in 0..n {
            let u = self.draw_unconstrained(i, seed);
            draws.push_selected(self.model.constrain(&u)?, &keep);
        }
        Ok(draws)
    }

    /// The summary of `n` draws from the guide, in the format of NUTS's (independent draws:
    /// the ESS is close to `n`).
    pub fn summary(&self, n: usize, seed: u64) -> Result<Summary, SviSummaryError> {
        let draws = self.sample(n, seed)?;
        let latent = SiteSet::<M::Sites>::with_roles(&[Role::Latent, Role::Deterministic]);
        Ok(summarize(element_chains(&[&draws], &latent))?)
    }

    fn draw_unconstrained(&self, i: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(i as u64);
        let eps: Vec<f64> = (0..self.approximation.dim())
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        self.approximation.draw(&eps)
    }
}

impl<M: Body<f64>, G: AutoGuide> GuideSource<M::Sites> for SviFit<'_, M, G> {
    fn latent_sample(
        &self,
        i: usize,
        seed: u64,
    ) -> Result<<M::Sites as ModelSites>::Latent, ModelError> {
        let u = self.draw_unconstrained(i, seed);
        Ok(<M::Sites as ModelSites>::latent_of(
            &self.model.constrain(&u)?,
        ))
    }
}

/// Why SVI failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SviError {
    /// The model failed (names the site).
    #[error("{0}")]
    Model(ModelError),
    /// No starting point with a finite log density was found.
    #[error("no valid starting point: {0}")]
    Start(Box<FitError>),
    /// The ELBO was not finite at 100 steps in a row.
    #[error(
        "the ELBO was not finite for {MAX_FAILED_STEPS} steps in a row (up to step {step}); the last draw of the guide was at unconstrained coordinates {at:?}: lower the learning rate or the initial scale"
    )]
    NonFinite {
        /// The last step tried.
        step: usize,
        /// The guide's last draw.
        at: Vec<f64>,
    },
    /// The Laplace approximation's mode is not a maximum: the negative Hessian is not
    /// positive definite.
    #[error(
        "the Laplace approximation needs a maximum, and the negative Hessian at the optimum is not positive definite (row {row}): run more steps or lower the learning rate"
    )]
    NotAMaximum {
        /// The first row whose Cholesky pivot is not positive.
        row: usize,
    },
    /// The fitted low-rank guide's covariance is not positive definite in floating point: its
    /// factor grew so large beside the diagonal that rounding lost the diagonal.
    #[error(
        "the fitted guide's covariance is not positive definite in floating point (Cholesky pivot of row {row}): its low-rank factor grew too large; lower the learning rate or the rank"
    )]
    Covariance {
        /// The first row whose Cholesky pivot is not positive.
        row: usize,
    },
    /// The model code panicked.
    #[error("the model panicked: {message}")]
    Panicked {
        /// The panic message.
        message: String,
    },
}

/// Why the summary of a fitted guide failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SviSummaryError {
    /// The model failed at a draw.
    #[error("{0}")]
    Model(#[from] ModelError),
    /// The draws could not be summarized.
    #[error("{0}")]
    Summary(#[from] SummaryError),
    /// Drawing from a user-written guide failed.
    #[error("{0}")]
    Predictive(Box<crate::results::predictive::PredictiveError>),
}

/// Runs `f`, turning a panic in the model or guide code it runs into
/// [`SviError::Panicked`].
pub(crate) fn catching<T>(f: impl FnOnce() -> Result<T, SviError>) -> Result<T, SviError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(SviError::Panicked {
            message: panic_message(payload.as_ref()),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stopping_rule_compares_windows() {
        let flat = vec![10.0; 40];
        assert!(converged(&flat, 1e-6, 20));
        let falling: Vec<f64> = (0..40).map(|i| 100.0 - i as f64).collect();
        assert!(!converged(&falling, 1e-3, 20));
        assert!(!converged(&flat[..30], 1e-6, 20));
    }
}
