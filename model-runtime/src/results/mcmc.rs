//! Running a fit: several chains of NUTS or HMC in parallel from a chosen start, each chain's
//! unconstrained draws mapped to typed draws of its latent and deterministic sites, and their
//! progress shown on stderr while they run.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, Thread};
use std::time::Instant;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::autodiff::Var;
use crate::error::{ModelError, ModelErrorKind};
use crate::handlers::{CheckObservations, LogDensity, Seed, Trace};
use crate::inference::{
    Adaptation, Chain, ChainObserver, ChainProgress, GradientTarget, HmcKernel, MassMatrixKind,
    NutsKernel, Phase, Sampler, TransitionKernel, TransitionStats,
};
use crate::model::Body;
use crate::results::fit::{ChainFit, Fit, FitError};
use crate::results::model_target::ModelTarget;
use crate::results::panic_message;
use crate::results::progress::{self, ProgressMode};
use crate::site::{AllContinuous, Columns, ModelSites, Role, SiteSet};

/// Where chains start, in unconstrained coordinates.
#[derive(Debug, Clone, Default)]
pub enum Init<L> {
    /// Uniform in `(-2, 2)` for every coordinate (Stan's default), retried up to 100 times
    /// until the log density and its gradient are finite.
    #[default]
    Uniform,
    /// The given latent values (mapped to unconstrained coordinates).
    Values(L),
    /// The coordinate-wise median of 101 prior draws (NumPyro's `init_to_median`).
    PriorMedian,
    /// One draw from the prior (NumPyro's `init_to_sample`).
    PriorSample,
}

/// Gradient-based MCMC over a model: the kernel (NUTS or static HMC), warmup and draws per
/// chain, the number of chains, and the seed. Use [`Nuts`] or [`Hmc`].
///
/// Chain `c` draws from random stream `c` of the seed, so results are identical for a given
/// seed whatever the number of threads, and whether progress is shown or not (see
/// [`progress`](Mcmc::progress)).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn normal_mean(y: &[f64]) {
///     let mu = sample!("mu", Normal::new(0.0, 10.0));
///     plate!("data", y.len(), |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y[i]);
///     });
/// }
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let y = [1.2, 0.8, 1.1, 0.9];
///     let fit = Nuts::default().warmup(300).samples(300).chains(2).seed(7).run(&normal_mean(&y))?;
///     assert_eq!(fit.mu.len(), 600);
///     assert!((fit.mu.iter().sum::<f64>() / 600.0 - 1.0).abs() < 0.2);
///     println!("{}", fit.summary()?);
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Mcmc<K> {
    sampler: Sampler<K>,
    chains: usize,
    threads: Option<usize>,
    seed: u64,
    /// `None`: shown when stderr is a terminal (see `ProgressMode::choose`).
    progress: Option<bool>,
    cancel: Option<Cancel>,
}

/// A handle that stops a running fit: [`cancel`](Cancel::cancel) from any thread (a UI, a
/// timer, a Ctrl-C handler) and every chain ends after its current transition; the fit returns
/// the draws made so far, its chains marked interrupted ([`Fit::interrupted`]). Chains still in
/// warmup have no draws and become failures.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::results::mcmc::Cancel;
///
/// #[model]
/// fn m() {
///     sample!("mu", Normal::new(0.0, 1.0));
/// }
///
/// let cancel = Cancel::new();
/// let stopper = cancel.clone();
/// let fit = std::thread::scope(|scope| {
///     scope.spawn(move || {
///         std::thread::sleep(std::time::Duration::from_millis(200));
///         stopper.cancel();
///     });
///     // A million draws would take a while; the handle stops them.
///     Nuts::default().warmup(100).samples(1_000_000).chains(2).cancel_on(&cancel).run(&m())
/// })?;
/// assert!(fit.interrupted() && fit.mu.len() < 2_000_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    /// A handle not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the fits watching this handle after their current transition.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Cancel::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A chain's observer: its progress counts, and the cancel handle asked after every
/// transition (one relaxed load).
struct Watch<'a> {
    progress: &'a ChainProgress,
    cancel: Option<&'a Cancel>,
}

impl ChainObserver for Watch<'_> {
    fn phase_started(&mut self, phase: Phase, iterations: usize) {
        (&mut &*self.progress).phase_started(phase, iterations);
    }
    fn transition(&mut self, phase: Phase, iteration: usize, stats: &TransitionStats) {
        (&mut &*self.progress).transition(phase, iteration, stats);
    }
    fn stop(&self) -> bool {
        self.cancel.is_some_and(Cancel::is_cancelled)
    }
}

/// The No-U-Turn Sampler with Stan's adaptation: `Nuts::default().chains(4).seed(7).run(&model)`.
pub type Nuts = Mcmc<NutsKernel>;

/// Static Hamiltonian Monte Carlo with Stan's adaptation: `Hmc::steps(20).run(&model)`.
pub type Hmc = Mcmc<HmcKernel>;

impl Default for Nuts {
    fn default() -> Self {
        Mcmc::with_sampler(Sampler::nuts())
    }
}

impl Nuts {
    /// The maximum tree depth (default 10).
    pub fn max_tree_depth(self, depth: usize) -> Self {
        self.map(|s| s.max_tree_depth(depth))
    }
}

impl Hmc {
    /// Static HMC with `steps` leapfrog steps per transition.
    pub fn steps(steps: usize) -> Self {
        Mcmc::with_sampler(Sampler::hmc_steps(steps))
    }

    /// Static HMC integrating for `time` per transition (steps = time / step size).
    pub fn integration_time(time: f64) -> Self {
        Mcmc::with_sampler(Sampler::hmc_integration_time(time))
    }
}

impl<K: TransitionKernel + Send + Sync> Mcmc<K> {
    fn with_sampler(sampler: Sampler<K>) -> Self {
        Mcmc {
            sampler,
            chains: 4,
            threads: None,
            seed: 0,
            progress: None,
            cancel: None,
        }
    }

    fn map(mut self, f: impl FnOnce(Sampler<K>) -> Sampler<K>) -> Self {
        self.sampler = f(self.sampler);
        self
    }

    /// Warmup (adaptation) iterations per chain (default 1000).
    pub fn warmup(self, iterations: usize) -> Self {
        self.map(|s| s.warmup(iterations))
    }

    /// Kept iterations per chain, before thinning (default 1000).
    pub fn samples(self, iterations: usize) -> Self {
        self.map(|s| s.samples(iterations))
    }

    /// Keep every `thin`-th draw (default 1).
    pub fn thin(self, thin: usize) -> Self {
        self.map(|s| s.thin(thin))
    }

    /// Stops the chains when `handle` is cancelled (see [`Cancel`]).
    pub fn cancel_on(mut self, handle: &Cancel) -> Self {
        self.cancel = Some(handle.clone());
        self
    }

    /// Keep the warmup draws too (default off), in [`ChainFit::warmup_draws`]; ArviZ's export
    /// then has the `warmup_posterior` and `warmup_sample_stats` groups.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn m() {
    ///     sample!("mu", Normal::new(0.0, 1.0));
    /// }
    ///
    /// let fit = Nuts::default().warmup(40).samples(10).chains(2).save_warmup(true).run(&m())?;
    /// assert_eq!(fit.chains()[1].warmup_draws.mu.len(), 40);
    /// let json: serde_json::Value = serde_json::from_str(&fit.to_arviz_json())?;
    /// assert_eq!(json["warmup_posterior"]["mu"][1].as_array().map(Vec::len), Some(40));
    /// assert_eq!(json["warmup_sample_stats"]["diverging"][0].as_array().map(Vec::len), Some(40));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_warmup(self, save: bool) -> Self {
        self.map(|s| s.save_warmup(save))
    }

    /// The mean acceptance statistic step size adaptation aims at (default 0.8).
    pub fn target_acceptance(self, acceptance: f64) -> Self {
        self.map(|s| s.target_acceptance(acceptance))
    }

    /// The step size before adaptation (default 1; with no warmup, the step size used).
    pub fn initial_step_size(self, step_size: f64) -> Self {
        self.map(|s| s.initial_step_size(step_size))
    }

    /// A dense mass matrix (the default is diagonal).
    pub fn dense_mass_matrix(self) -> Self {
        self.map(|s| s.mass_matrix(MassMatrixKind::Dense))
    }

    /// The kind of mass matrix warmup adapts (default diagonal); see [`MassMatrixKind`].
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::{Adaptation, MassMatrixKind};
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn line(x: &[f64], y: &[f64]) {
    ///     let a = sample!("a", Normal::new(0.0, 10.0));
    ///     let b = sample!("b", Normal::new(0.0, 10.0));
    ///     sample!("y", batch::Normal::new(a + b * batch::vector(x), 1.0), obs = y);
    /// }
    ///
    /// // Uncentred predictors: a and b are strongly correlated a posteriori.
    /// let x = [10.0, 11.0, 12.0, 13.0];
    /// let y = [1.0, 1.9, 3.2, 3.9];
    /// let fit = Nuts::default()
    ///     .adaptation(Adaptation::GradientBased)
    ///     .mass_matrix(MassMatrixKind::LowRank)
    ///     .warmup(300)
    ///     .samples(200)
    ///     .chains(1)
    ///     .run(&line(&x, &y))?;
    /// assert_eq!(fit.chains()[0].mass_matrix.kind(), MassMatrixKind::LowRank);
    /// // The adapted M⁻¹ carries the strong negative correlation of a and b.
    /// let m = fit.chains()[0].mass_matrix.inverse();
    /// assert!(m[0][1] / (m[0][0] * m[1][1]).sqrt() < -0.9);
    /// # Ok::<(), model_runtime::FitError>(())
    /// ```
    pub fn mass_matrix(self, kind: MassMatrixKind) -> Self {
        self.map(|s| s.mass_matrix(kind))
    }

    /// How warmup adapts the mass matrix (default: Stan's windowed adaptation); see
    /// [`Adaptation`].
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::Adaptation;
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn normal_mean(y: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 10.0));
    ///     sample!("y", batch::Normal::new(mu, 1.0), obs = y);
    /// }
    ///
    /// let y = [1.2, 0.8, 1.1, 0.9];
    /// let fit = Nuts::default().adaptation(Adaptation::GradientBased).warmup(200).samples(200)
    ///     .chains(1).run(&normal_mean(&y))?;
    /// // The posterior variance of mu is about 1/4.
    /// assert!((0.1..0.5).contains(&fit.chains()[0].mass_matrix.inverse_diagonal()[0]));
    /// # Ok::<(), model_runtime::FitError>(())
    /// ```
    pub fn adaptation(self, adaptation: Adaptation) -> Self {
        self.map(|s| s.adaptation(adaptation))
    }

    /// Number of chains (default 4).
    pub fn chains(mut self, chains: usize) -> Self {
        self.chains = chains;
        self
    }

    /// Largest number of threads to run chains on (default: one per chain, at most the
    /// available parallelism). The draws do not depend on it.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads.max(1));
        self
    }

    /// The seed of every random stream (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether to show the chains' progress on stderr while they run.
    ///
    /// Shown, one line per chain redrawn in place ten times a second: the phase (warmup or
    /// sampling), iterations done out of warmup plus sampling, draws per second over the
    /// phase, the time left at that rate, the divergent transitions of the phase so far
    /// (warmup's are common early on and harmless; sampling's are the ones the fit warns
    /// about), and the step size. When a chain ends, its line says how long it took.
    ///
    /// By default progress is shown when stderr is a terminal, as nutpie and PyMC do, and the
    /// fit runs on the program's main thread (tests, which the test harness runs on threads of
    /// their own next to its own report, stay quiet). `progress(false)` never shows it;
    /// `progress(true)` always does, and when stderr is not a terminal (a log file, a pipe,
    /// CI) it prints one line per chain at the end of warmup and one at the end of sampling
    /// rather than a line per redraw.
    ///
    /// Showing progress does not change the draws, and costs the chains a few relaxed atomic
    /// stores per transition; the display runs on the thread that waits for the chains.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn normal_mean(y: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 10.0));
    ///     sample!("y", batch::Normal::new(mu, 1.0), obs = y);
    /// }
    ///
    /// let nuts = Nuts::default().warmup(200).samples(100).chains(2).seed(3);
    /// let quiet = nuts.clone().progress(false).run(&normal_mean(&[0.3, -0.2]))?;
    /// let shown = nuts.progress(true).run(&normal_mean(&[0.3, -0.2]))?;
    /// assert_eq!(quiet.mu, shown.mu);
    /// # Ok::<(), model_runtime::FitError>(())
    /// ```
    pub fn progress(mut self, show: bool) -> Self {
        self.progress = Some(show);
        self
    }

    /// Fits `model`, starting chains uniformly in `(-2, 2)`.
    ///
    /// Every latent site must be continuous; a discrete one is a compile error naming it.
    pub fn run<M>(&self, model: &M) -> Result<Fit<M::Sites>, FitError>
    where
        M: Body<f64> + Body<Var> + Sync,
        <M::Sites as ModelSites>::LatentSites: AllContinuous,
    {
        self.run_from(model, Init::Uniform)
    }

    /// Fits `model`, starting chains as `init` says.
    pub fn run_from<M>(
        &self,
        model: &M,
        init: Init<<M::Sites as ModelSites>::Latent>,
    ) -> Result<Fit<M::Sites>, FitError>
    where
        M: Body<f64> + Body<Var> + Sync,
        <M::Sites as ModelSites>::LatentSites: AllContinuous,
    {
        let progress: Vec<ChainProgress> = (0..self.chains).map(|_| ChainProgress::new()).collect();
        self.run_chains(model, &init, &progress, ProgressMode::choose(self.progress))
    }

    /// Runs the chains in parallel, each reporting to its entry of `progress`, and shows their
    /// progress on this thread as `mode` says while it waits for them.
    fn run_chains<M>(
        &self,
        model: &M,
        init: &Init<<M::Sites as ModelSites>::Latent>,
        progress: &[ChainProgress],
        mode: ProgressMode,
    ) -> Result<Fit<M::Sites>, FitError>
    where
        M: Body<f64> + Body<Var> + Sync,
    {
        if self.chains == 0 {
            return Err(FitError::NoChains);
        }
        check_observations(model)?;
        let start = Instant::now();
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .min(self.chains);
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<ChainResult<M::Sites>>>> =
            Mutex::new((0..self.chains).map(|_| None).collect());
        let running = AtomicUsize::new(threads);
        let caller = thread::current();
        thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let _leaving = Leaving {
                        running: &running,
                        display: (mode != ProgressMode::Off).then_some(&caller),
                    };
                    loop {
                        let chain = next.fetch_add(1, Ordering::Relaxed);
                        if chain >= self.chains {
                            break;
                        }
                        // A panic in the user's model code fails this chain only: the other
                        // chains' draws are kept.
                        let result =
                            catching(|| self.run_chain(model, init, chain, &progress[chain]));
                        progress[chain].finish();
                        results
                            .lock()
                            .expect("no chain panics while holding the lock")[chain] = Some(result);
                    }
                });
            }
            progress::show_until(mode, progress, || running.load(Ordering::Acquire) == 0);
        });
        let mut chains = Vec::new();
        let mut failures = Vec::new();
        for (c, result) in results
            .into_inner()
            .expect("threads joined")
            .into_iter()
            .enumerate()
        {
            match result.expect("every chain ran") {
                Ok(chain) => chains.push(chain),
                Err(e) => failures.push((c, e)),
            }
        }
        if chains.is_empty() {
            let (chain, error) = failures.swap_remove(0);
            return Err(FitError::AllChainsFailed {
                chain,
                error: Box::new(error),
            });
        }
        Ok(Fit::new(chains, failures, start.elapsed()))
    }

    fn run_chain<M: Body<f64> + Body<Var>>(
        &self,
        model: &M,
        init: &Init<<M::Sites as ModelSites>::Latent>,
        chain: usize,
        progress: &ChainProgress,
    ) -> Result<ChainFit<M::Sites>, FitError> {
        let start = Instant::now();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(chain as u64);
        let mut target = ModelTarget::new(model).map_err(FitError::Model)?;
        let position = initial_position(model, &mut target, init, &mut rng)?;
        let Chain {
            draws,
            stats,
            warmup_stats,
            warmup_draws,
            step_size,
            mass_matrix,
            warmup_time,
            sampling_time,
            interrupted,
        } = self
            .sampler
            .run_with_observer(
                &mut target,
                position,
                &mut rng,
                &mut Watch {
                    progress,
                    cancel: self.cancel.as_ref(),
                },
            )
            .map_err(FitError::Sampler)?;
        if interrupted && draws.is_empty() {
            return Err(FitError::Interrupted);
        }
        // Observed sites are data: a fit keeps the latent and deterministic columns.
        let keep = SiteSet::with_roles(&[Role::Latent, Role::Deterministic]);
        let columns = |positions: &[Vec<f64>]| {
            let mut columns = <M::Sites as ModelSites>::Draws::default();
            for u in positions {
                columns.push_selected(model.constrain(u).map_err(FitError::Model)?, &keep);
            }
            Ok::<_, FitError>(columns)
        };
        Ok(ChainFit {
            draws: columns(&draws)?,
            unconstrained: draws,
            stats,
            warmup_draws: columns(&warmup_draws)?,
            warmup_stats,
            thin: self.sampler.thinning(),
            step_size,
            mass_matrix,
            warmup_time,
            sampling_time,
            wall_time: start.elapsed(),
            max_tree_depth: self.sampler.tree_depth_limit(),
            interrupted,
        })
    }
}

type ChainResult<S> = Result<ChainFit<S>, FitError>;

/// Counts a chain thread out when it ends, by returning or by a panic in the model (the
/// display would otherwise wait for it forever), and wakes the display so that the fit does
/// not wait for its next refresh.
struct Leaving<'a> {
    running: &'a AtomicUsize,
    display: Option<&'a Thread>,
}

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::Release);
        if let Some(display) = self.display {
            display.unpark();
        }
    }
}

/// Finds a starting point where the log density and its gradient are finite.
pub(crate) fn initial_position<M: Body<f64> + Body<Var>>(
    model: &M,
    target: &mut ModelTarget<'_, M>,
    init: &Init<<M::Sites as ModelSites>::Latent>,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<f64>, FitError> {
    let dim = target.dim();
    let mut gradient = vec![0.0; dim];
    let mut usable = |u: &[f64]| -> Result<(), FitError> {
        let lp = target
            .log_density_and_gradient(u, &mut gradient)
            .map_err(FitError::Model)?;
        if lp.is_finite() && gradient.iter().all(|g| g.is_finite()) {
            Ok(())
        } else {
            Err(non_finite_at(model, u, lp))
        }
    };
    match init {
        Init::Values(latent) => {
            let u = model.unconstrain(latent).map_err(FitError::Model)?;
            usable(&u)?;
            Ok(u)
        }
        Init::PriorMedian => {
            let mut coordinates: Vec<Vec<f64>> = vec![Vec::new(); dim];
            for _ in 0..101 {
                let draw = prior_latent_draw(model, rng)?;
                let u = model
                    .unconstrain(&<M::Sites as ModelSites>::latent_of(&draw))
                    .map_err(FitError::Model)?;
                for (c, x) in coordinates.iter_mut().zip(u) {
                    c.push(x);
                }
            }
            let u: Vec<f64> = coordinates
                .iter_mut()
                .map(|c| {
                    c.sort_by(f64::total_cmp);
                    c[c.len() / 2]
                })
                .collect();
            usable(&u)?;
            Ok(u)
        }
        Init::PriorSample => {
            let draw = prior_latent_draw(model, rng)?;
            let u = model
                .unconstrain(&<M::Sites as ModelSites>::latent_of(&draw))
                .map_err(FitError::Model)?;
            usable(&u)?;
            Ok(u)
        }
        Init::Uniform => {
            let mut last = None;
            for _ in 0..100 {
                let u: Vec<f64> = (0..dim).map(|_| rng.random_range(-2.0..2.0)).collect();
                match usable(&u) {
                    Ok(()) => return Ok(u),
                    Err(e) => last = Some(e),
                }
            }
            Err(FitError::NoValidStart {
                attempts: 100,
                last: Box::new(last.expect("tried")),
            })
        }
    }
}

/// A draw of the latent sites from the prior, the observed sites keeping their data (not
/// simulated: on a million rows that is the difference between a start in milliseconds and in
/// seconds).
fn prior_latent_draw<M: Body<f64>>(
    model: &M,
    rng: &mut ChaCha8Rng,
) -> Result<<M::Sites as ModelSites>::Draw, FitError> {
    let mut handler = Trace::new(Seed::new(&mut *rng));
    model.run::<f64, _>(&mut handler).map_err(FitError::Model)?;
    Ok(handler.into_draw())
}

/// Checks the observed data once before the chains start, so that a value outside its
/// distribution's support (or not finite) is an error naming the site, element and value
/// rather than a start that is never finite. The model runs at the origin of the unconstrained
/// space, where every latent value is valid; any other failure there is left to the chains,
/// whose start search reports it.
fn check_observations<M: Body<f64>>(model: &M) -> Result<(), FitError> {
    let check = || {
        let Ok(dim) = model.unconstrained_dim() else {
            return Ok(());
        };
        let position = vec![0.0; dim];
        let mut handler = CheckObservations::new(LogDensity::new(&position));
        match model.run::<f64, _>(&mut handler) {
            Err(e) if matches!(e.kind(), ModelErrorKind::InvalidObservation { .. }) => {
                Err(FitError::Model(e))
            }
            _ => Ok(()),
        }
    };
    catching(check)
}

/// Runs `f`, turning a panic in the model code it runs into [`FitError::Panicked`].
fn catching<T>(f: impl FnOnce() -> Result<T, FitError>) -> Result<T, FitError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(FitError::Panicked {
            message: panic_message(payload.as_ref()),
        })
    })
}

/// Explains a non-finite log density by the first site whose term is not finite.
fn non_finite_at<M: Body<f64>>(model: &M, u: &[f64], value: f64) -> FitError {
    let mut handler = LogDensity::new(u);
    let site = match model.run::<f64, _>(&mut handler) {
        Ok(()) => handler.first_non_finite().unwrap_or("<gradient>"),
        Err(e) => return FitError::Model(e),
    };
    FitError::Model(ModelError::new(
        site,
        &[],
        ModelErrorKind::NonFinite { value },
    ))
}

#[cfg(test)]
mod tests;
