//! Running a fit: several chains of NUTS or HMC in parallel from a chosen start, each chain's
//! unconstrained draws mapped to typed draws of its latent and deterministic sites, and their
//! progress shown on stderr while they run.
//!
//! Its length (about 620 lines) is the builder's settings, each with its documented example, and
//! the loop that runs the chains; where chains start (`init`), what a running chain reports
//! (`watch`) and the guards around model code (`guards`) are files of their own.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, Thread};
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::autodiff::Var;
use crate::inference::{
    Adaptation, ChainProgress, HmcKernel, MassMatrixKind, NutsKernel, Sampler, TransitionKernel,
    UnconstrainedChain,
};
use crate::model::Body;
use crate::results::cmdstan::{CsvConfig, CsvStream};
use crate::results::fit::{ChainFit, Fit, FitError, StreamPosition};
use crate::results::model_target::ModelTarget;
use crate::results::progress::{self, ProgressMode};
use crate::site::{AllFittable, Columns, ModelSites};

mod guards;
mod init;
mod watch;

use guards::{catching, check_observations, located};

pub use init::Init;
pub(crate) use init::initial_position;
pub use watch::Cancel;
use watch::{Watch, mix_seed};

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
    /// Where chains stream their CmdStan CSV files, if they do.
    stream: Option<PathBuf>,
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
            stream: None,
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
    /// assert_eq!(fit.chains()[0].sampler.mass_matrix.kind(), MassMatrixKind::LowRank);
    /// // The adapted M⁻¹ carries the strong negative correlation of a and b.
    /// let m = fit.chains()[0].sampler.mass_matrix.inverse();
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
    /// assert!((0.1..0.5).contains(&fit.chains()[0].sampler.mass_matrix.inverse_diagonal()[0]));
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
        <M::Sites as ModelSites>::LatentSites: AllFittable,
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
        <M::Sites as ModelSites>::LatentSites: AllFittable,
    {
        check_observations(model)?;
        self.run_chains(
            &Self::progress_of(self.chains),
            ProgressMode::choose(self.progress),
            |chain, progress| self.run_chain(model, &init, chain, progress),
        )
    }

    /// Writes each chain's draws to a CmdStan CSV file in `dir` as they are made:
    /// `dir/<model>-<chain>.csv`, chains counted from 1 as CmdStan's `id`. Each draw's line is
    /// written whole the moment the draw is made, so a process that is killed loses only the
    /// draw in flight; the files read as [`Fit::write_cmdstan_csv`] writes them (cmdstanpy,
    /// ArviZ), and a cut-off last line is dropped by their readers. The fit holds the draws as
    /// well. A file that cannot be written is a warning ([`ChainFault::Stream`](crate::results::fit::ChainFault::Stream)), not a failed
    /// chain.
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
    /// let dir = std::env::temp_dir().join(format!("stream-doc-{}", std::process::id()));
    /// let fit = Nuts::default().warmup(100).samples(50).chains(2).stream_cmdstan_csv(&dir).run(&m())?;
    /// let csv = std::fs::read_to_string(dir.join("m-2.csv"))?;
    /// let rows = csv.lines().filter(|l| !l.starts_with('#') && !l.starts_with("lp__"));
    /// let mu: Vec<f64> = rows.map(|l| l.rsplit(',').next().unwrap().parse().unwrap()).collect();
    /// assert_eq!(mu, fit.chains()[1].draws.mu);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stream_cmdstan_csv(mut self, dir: impl Into<PathBuf>) -> Self {
        self.stream = Some(dir.into());
        self
    }

    /// Continues every chain of `fit` for this sampler's number of draws (its warmup setting
    /// is ignored): from where each chain stopped, at the step size and mass matrix its warmup
    /// adapted, on the random stream where it left off. The returned fit holds the new draws
    /// only (as NumPyro's `post_warmup_state` does); when the first run's draws were a whole
    /// number of thinning periods, they are exactly the draws one longer run would have made.
    /// A fit that was [cancelled](Cancel) continues from its last draw.
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
    /// let nuts = Nuts::default().warmup(200).chains(2).seed(5);
    /// let first = nuts.clone().samples(100).run(&m())?;
    /// let more = nuts.clone().samples(300).resume(&m(), &first)?;
    /// let long = nuts.samples(400).run(&m())?;
    /// assert_eq!(more.chains()[1].draws.mu, long.chains()[1].draws.mu[100..]);
    /// # Ok::<(), model_runtime::FitError>(())
    /// ```
    pub fn resume<M>(&self, model: &M, fit: &Fit<M::Sites>) -> Result<Fit<M::Sites>, FitError>
    where
        M: Body<f64> + Body<Var> + Sync,
        <M::Sites as ModelSites>::LatentSites: AllFittable,
    {
        let progress = Self::progress_of(fit.chains().len());
        let mode = ProgressMode::choose(self.progress);
        self.run_chains(&progress, mode, |i, progress| {
            let previous = &fit.chains()[i];
            let start = Instant::now();
            let mut rng = previous.rng.generator();
            let mut target = ModelTarget::new(model).map_err(FitError::Model)?;
            // The resumed draws' discrete sites get streams of their own, not those of the
            // first fit's draws: the recovery seed is salted with where the chain stopped.
            let salt = previous
                .sampler
                .last_position
                .iter()
                .fold(1, |h, x| mix_seed(h, x.to_bits()));
            let mut watch = self.watch(model, previous.chain, progress, salt)?;
            let chain = located(model, || {
                self.sampler.run_adapted(
                    &mut target,
                    previous.sampler.last_position.clone(),
                    previous.sampler.step_size,
                    previous.sampler.mass_matrix.clone(),
                    &mut rng,
                    &mut watch,
                )
            })
            .map_err(FitError::Sampler)?;
            Ok(self.chain_fit(previous.chain, chain, watch, rng, start))
        })
    }

    /// The progress counts of `chains` chains.
    fn progress_of(chains: usize) -> Vec<ChainProgress> {
        (0..chains).map(|_| ChainProgress::new()).collect()
    }

    /// Runs one chain per entry of `progress` in parallel (`run_one(chain, progress)` each),
    /// showing their progress on this thread as `mode` says while it waits for them.
    fn run_chains<S: ModelSites>(
        &self,
        progress: &[ChainProgress],
        mode: ProgressMode,
        run_one: impl Fn(usize, &ChainProgress) -> Result<ChainFit<S>, FitError> + Sync,
    ) -> Result<Fit<S>, FitError> {
        let chains = progress.len();
        if chains == 0 {
            return Err(FitError::NoChains);
        }
        let start = Instant::now();
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .min(chains);
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<ChainResult<S>>>> =
            Mutex::new((0..chains).map(|_| None).collect());
        let running = AtomicUsize::new(threads);
        let caller = thread::current();
        thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let _leaving = Leaving {
                            running: &running,
                            display: (mode != ProgressMode::Off).then_some(&caller),
                        };
                        loop {
                            let chain = next.fetch_add(1, Ordering::Relaxed);
                            if chain >= chains {
                                break;
                            }
                            // A panic in the user's model code fails this chain only: the other
                            // chains' draws are kept.
                            let result = catching(|| run_one(chain, &progress[chain]));
                            progress[chain].finish();
                            results
                                .lock()
                                .expect("no chain panics while holding the lock")[chain] =
                                Some(result);
                        }
                    })
                })
                .collect();
            progress::show_until(mode, progress, || running.load(Ordering::Acquire) == 0);
            // Joined one by one rather than by the scope, whose wait ends when each thread's
            // closure returns: a join also waits for the thread's thread-local buffers (its
            // tape, its scratch arena) to be freed, so the fit returns with them given back.
            for worker in workers {
                if let Err(panic) = worker.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
        let mut fits = Vec::new();
        let mut failures = Vec::new();
        for (c, result) in results
            .into_inner()
            .expect("threads joined")
            .into_iter()
            .enumerate()
        {
            match result.expect("every chain ran") {
                Ok(chain) => fits.push(chain),
                Err(e) => failures.push((c, e)),
            }
        }
        if fits.is_empty() {
            let (chain, error) = failures.swap_remove(0);
            return Err(FitError::AllChainsFailed {
                chain,
                error: Box::new(error),
            });
        }
        Ok(Fit::new(fits, failures, start.elapsed()))
    }

    /// The observer of chain `chain`, with its CSV stream when the fit streams; `salt` sets its
    /// discrete sites' recovery streams apart from an earlier run of the same chain.
    fn watch<'a, M: Body<f64>>(
        &'a self,
        model: &'a M,
        chain: usize,
        progress: &'a ChainProgress,
        salt: u64,
    ) -> Result<Watch<'a, M>, FitError> {
        let stream = match &self.stream {
            None => None,
            Some(dir) => {
                let path = dir.join(format!(
                    "{}-{}.csv",
                    <M::Sites as ModelSites>::NAME,
                    chain + 1
                ));
                let config = CsvConfig {
                    model: <M::Sites as ModelSites>::NAME,
                    chain,
                    num_samples: self.sampler.num_samples().div_ceil(self.sampler.thinning()),
                    num_warmup: self.sampler.num_warmup(),
                    metric: self.sampler.mass_matrix_kind(),
                    max_tree_depth: self.sampler.tree_depth_limit(),
                };
                Some(
                    CsvStream::create(path.clone(), config).map_err(|e| FitError::Stream {
                        path,
                        message: e.to_string(),
                    })?,
                )
            }
        };
        let recovery_seed = mix_seed(mix_seed(self.seed, chain as u64), salt);
        Ok(Watch::new(
            model,
            progress,
            self.cancel.as_ref(),
            stream,
            recovery_seed,
        ))
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
        let position = located(model, || {
            initial_position(model, &mut target, init, &mut rng)
        })?;
        let mut watch = self.watch(model, chain, progress, 0)?;
        let run = located(model, || {
            self.sampler
                .run_with_observer(&mut target, position, &mut rng, &mut watch)
        })
        .map_err(FitError::Sampler)?;
        if run.interrupted && run.draws.is_empty() && !watch.failed {
            return Err(FitError::Interrupted);
        }
        Ok(self.chain_fit(chain, run, watch, rng, start))
    }

    /// A chain's fit from what the sampler returned and what its observer kept.
    fn chain_fit<M: Body<f64>>(
        &self,
        chain: usize,
        mut run: UnconstrainedChain,
        mut watch: Watch<'_, M>,
        rng: ChaCha8Rng,
        start: Instant,
    ) -> ChainFit<M::Sites> {
        watch.finish_stream(run.warmup_time, run.sampling_time);
        // A draw that could not be mapped to site values ended the chain: it and the draws of
        // its phase after it (none) are dropped, so every column has the same length.
        run.draws.truncate(watch.draws.len());
        run.stats.truncate(watch.draws.len());
        run.warmup_draws.truncate(watch.warmup_draws.len());
        ChainFit {
            chain,
            draws: watch.draws,
            warmup_draws: watch.warmup_draws,
            sampler: run,
            thin: self.sampler.thinning(),
            wall_time: start.elapsed(),
            max_tree_depth: self.sampler.tree_depth_limit(),
            faults: watch.faults,
            rng: StreamPosition::of(&rng),
        }
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

#[cfg(test)]
mod tests;
