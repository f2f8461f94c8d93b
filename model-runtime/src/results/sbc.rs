//! Simulation-based calibration: does fitting recover what the prior simulated?
//!
//! Talts, Betancourt, Simpson, Vehtari and Gelman (2018), "Validating Bayesian inference
//! algorithms with simulation-based calibration", arXiv:1804.06788; Modrák, Moon, Kim, Bürkner,
//! Huurre, Faltejsková, Gelman and Vehtari (2023), "Simulation-based calibration checking for
//! Bayesian computation: the choice of test quantities shapes sensitivity", Bayesian Analysis.
//! If `θ ~ p(θ)` and `y ~ p(y | θ)`, then `θ` is a draw from the posterior `p(θ | y)`, so its
//! rank among `L` independent posterior draws is uniform on `0..=L`. Repeated over many
//! simulated data sets, ranks that are not uniform reveal a sampler, or a model, that does not
//! compute the posterior it claims to. The ranks are tested with the simultaneous ECDF bands of
//! Säilynoja, Bürkner and Vehtari (2022) ([`EcdfBands`]).
//!
//! Its length (about 1,000 lines) is mostly the worked examples of its public items (about 400
//! lines of docs) and its tests; the code is about 520 lines, one workflow that reads best in one
//! place.

use core::fmt;
use core::marker::PhantomData;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::autodiff::Var;
use crate::diagnostics::{EcdfBands, EcdfError, EcdfTest};
use crate::error::ModelError;
use crate::inference::{NutsKernel, TransitionKernel};
use crate::model::{Body, Model};
use crate::results::fit::FitError;
use crate::results::mcmc::{Mcmc, Nuts};
use crate::results::panic_message;
use crate::site::{
    AllFittable, Columns, Flatten, ModelSites, NameStyle, Role, Site, SiteVisitor, flatten_column,
};

/// Simulation-based calibration of a sampler on a model: replication `r` draws parameters and
/// data from the prior, fits the data with the sampler, and ranks each latent scalar's true
/// value among the posterior draws; [`run`](Sbc::run) tests the ranks of every scalar for
/// uniformity.
///
/// Each fit runs one chain of the given sampler with its warmup, draws and thinning; the number
/// of draws it keeps is `L`, and ranks lie in `0..=L`. Ranks assume nearly independent draws
/// (autocorrelated draws make ranks pile up even when the sampler is right; Talts et al. 2018
/// thin for this reason), so thin the chain to about its effective sample size. The
/// defaults ([`Sbc::default`]): 100 replications of NUTS with 500 warmup iterations and 1000
/// draws thinned by 5 (`L = 200`), 95% bands.
///
/// The simulated observations reach each fit through its observed sites
/// ([`Model::observing`]); the model's arguments stay as they were bound. So write models for
/// SBC with the data optional and their sizes given apart (`location(n, None)` with
/// `obs = y.map(|y| y[i])`), and never read a size or a transform from the data being
/// simulated.
///
/// Replication `r` draws from random stream `r` of the seed (the prior draw, the fit's seed and
/// the tie-breaks), so results are identical for a given seed whatever the number of threads.
/// Replications run in parallel, one fit per thread; a replication that fails (the prior
/// draw, the fit, or a panic in the model) is recorded with its error and the others are kept.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::results::sbc::Sbc;
///
/// #[model]
/// fn location(n: usize, y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", n, |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
///     });
/// }
///
/// let sampler = Nuts::default().warmup(100).samples(100).thin(2);
/// let calibration = Sbc::new(sampler).replications(30).seed(1).run(&location(3, None))?;
/// println!("{calibration}");
/// assert_eq!(calibration.max_rank(), 50);
/// assert_eq!(calibration.ranks(location::site::mu)[0].len(), 30);
/// # Ok::<(), model_runtime::results::sbc::SbcError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sbc<K = NutsKernel> {
    sampler: Mcmc<K>,
    replications: usize,
    seed: u64,
    threads: Option<usize>,
    level: f64,
}

/// Simulation-based calibration with the defaults of [`Sbc::default`]: `replications` fits of
/// NUTS (500 warmup iterations, 1000 draws thinned by 5) on data simulated from `model`'s
/// prior, seed 0, on all available threads.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::sbc;
///
/// #[model]
/// fn location(n: usize, y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", n, |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
///     });
/// }
///
/// let calibration = sbc(&location(3, None), 10)?;
/// assert_eq!((calibration.replications().len(), calibration.max_rank()), (10, 200));
/// # Ok::<(), model_runtime::results::sbc::SbcError>(())
/// ```
pub fn sbc<M>(model: &M, replications: usize) -> Result<Calibration<M::Sites>, SbcError>
where
    M: Body<f64> + Body<Var> + Sync,
    <M::Sites as ModelSites>::LatentSites: AllFittable,
{
    Sbc::default().replications(replications).run(model)
}

/// The result of simulation-based calibration: per latent scalar element, its ranks in every
/// replication that succeeded and their test against the ECDF bands; the bands; and the
/// replications that failed.
///
/// What an ECDF or rank-histogram plot needs is here: [`elements`](Calibration::elements)
/// with their [`ranks`](ElementCalibration::ranks) and ECDF
/// [`difference`](EcdfTest::difference), the largest rank [`max_rank`](Calibration::max_rank)
/// (`L`), and the [`bands`](Calibration::bands) with their points.
///
/// Each element is tested on its own at the bands' level, so with many elements some leave
/// their bands by chance (about 5% of them at the 95% level); the verdict says how many are
/// expected.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::results::sbc::Sbc;
///
/// #[model]
/// fn groups(n: usize, y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("groups", 2, |j| {
///         let theta = sample!("theta", Normal::new(mu, 1.0));
///         plate!("data", n, |i| {
///             sample!("y", Normal::new(theta, 1.0), obs = y.map(|y| y[j * n + i]));
///         });
///     });
/// }
///
/// let sampler = Nuts::default().warmup(100).samples(100).thin(2);
/// let calibration = Sbc::new(sampler).replications(20).run(&groups(3, None))?;
/// let names: Vec<&str> = calibration.elements().iter().map(|e| e.name()).collect();
/// assert_eq!(names, ["mu", "theta[0]", "theta[1]"]);
/// assert_eq!(calibration.site(groups::site::theta).len(), 2);
/// assert!(calibration.site(groups::site::y).is_empty()); // observed: not ranked
/// # Ok::<(), model_runtime::results::sbc::SbcError>(())
/// ```
pub struct Calibration<S: ModelSites> {
    elements: Vec<ElementCalibration>,
    bands: EcdfBands,
    replications: Vec<usize>,
    failures: Vec<(usize, ReplicationFailure)>,
    sites: PhantomData<fn() -> S>,
}

/// One latent scalar element in simulation-based calibration: its ranks, one per replication
/// that succeeded, and their ECDF test.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::results::sbc::Sbc;
///
/// #[model]
/// fn location(n: usize, y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", n, |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
///     });
/// }
///
/// let sampler = Nuts::default().warmup(100).samples(100).thin(2);
/// let calibration = Sbc::new(sampler).replications(20).run(&location(3, None))?;
/// let mu = &calibration.elements()[0];
/// assert_eq!((mu.name(), mu.site()), ("mu", "mu"));
/// assert!(mu.ranks().iter().all(|&r| r <= 50));
/// assert_eq!(mu.test().ecdf().len(), calibration.bands().points().len());
/// # Ok::<(), model_runtime::results::sbc::SbcError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ElementCalibration {
    name: String,
    site: &'static str,
    site_index: usize,
    ranks: Vec<usize>,
    test: EcdfTest,
}

/// Why simulation-based calibration gave no result.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::results::sbc::{Sbc, SbcError};
///
/// #[model]
/// fn location(n: usize, y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", n, |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
///     });
/// }
///
/// let error = Sbc::default().replications(0).run(&location(3, None)).unwrap_err();
/// assert!(matches!(error, SbcError::NoReplications));
/// let error = Sbc::default().level(95.0).run(&location(3, None)).unwrap_err();
/// assert_eq!(error.to_string(), "band level 95 is outside (0, 1): pass a value such as 0.95");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SbcError {
    /// Zero replications were asked for.
    #[error("no replications to run; ask for at least one")]
    NoReplications,
    /// The ECDF bands could not be made (an invalid level).
    #[error(transparent)]
    Bands(EcdfError),
    /// Every replication failed; the first failure.
    #[error("every replication failed; replication {replication}: {failure}")]
    AllFailed {
        /// The replication.
        replication: usize,
        /// Its failure.
        failure: Box<ReplicationFailure>,
    },
}

/// Why one replication of simulation-based calibration failed (the others are kept).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::results::sbc::{ReplicationFailure, Sbc};
///
/// /// A model whose code panics for some values: here when a simulated observation is above
/// /// 1.5.
/// #[model]
/// fn fragile(y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", 2, |i| {
///         let y = sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
///         if y.value() > 1.5 {
///             panic!("y above 1.5");
///         }
///     });
/// }
///
/// let sampler = Nuts::default().warmup(50).samples(50);
/// let calibration = Sbc::new(sampler).replications(40).seed(3).run(&fragile(None))?;
/// // The replications whose simulation panicked failed; the others are ranked.
/// assert!(!calibration.failures().is_empty());
/// for (r, failure) in calibration.failures() {
///     assert!(matches!(failure, ReplicationFailure::Panicked { .. }));
///     assert!(!calibration.replications().contains(r));
/// }
/// assert_eq!(calibration.failures().len() + calibration.replications().len(), 40);
/// # Ok::<(), model_runtime::results::sbc::SbcError>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplicationFailure {
    /// Drawing parameters and data from the prior failed (names the site).
    #[error("simulating from the prior failed: {0}")]
    Simulation(ModelError),
    /// Fitting the simulated data failed.
    #[error("fitting the simulated data failed: {0}")]
    Fit(FitError),
    /// The model code panicked while simulating or ranking.
    #[error("the model panicked: {message}")]
    Panicked {
        /// The panic message.
        message: String,
    },
    /// The prior drew a value that cannot be ranked.
    #[error("the prior drew {value} for `{element}`, which cannot be ranked")]
    NonFiniteTruth {
        /// The element's name.
        element: String,
        /// The value.
        value: f64,
    },
    /// The replication's latent elements differ from the first replication's (a plate whose
    /// size changes between simulations), or a site's draws changed shape within the fit.
    #[error(
        "the latent elements changed shape: {found} where {expected} were expected; SBC needs the same elements in every replication"
    )]
    Shape {
        /// The elements expected.
        expected: usize,
        /// The elements found.
        found: usize,
    },
}

impl Default for Sbc<NutsKernel> {
    /// 100 replications of NUTS with 500 warmup iterations and 1000 draws thinned by 5, seed 0,
    /// 95% bands, on all available threads.
    ///
    /// Thinning by 5 leaves 200 draws that are close to independent for well-behaved
    /// posteriors (NUTS typically reaches an effective sample size of a fifth or more of its
    /// draws); 200 draws resolve ranks finely enough for 100 replications.
    fn default() -> Self {
        Sbc::new(Nuts::default().warmup(500).samples(1000).thin(5))
    }
}

impl<K: TransitionKernel + Send + Sync> Sbc<K> {
    /// Calibration of `sampler`: its kernel, warmup, draws and thinning are used for every fit
    /// (one chain each; its chain count, seed, threads and progress are set per fit).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::results::sbc::Sbc;
    ///
    /// let sbc = Sbc::new(Hmc::steps(10).warmup(200).samples(400).thin(4));
    /// # let _ = sbc;
    /// ```
    pub fn new(sampler: Mcmc<K>) -> Self {
        Sbc {
            sampler,
            replications: 100,
            seed: 0,
            threads: None,
            level: 0.95,
        }
    }

    /// Number of replications, each a simulation and a fit (default 100). The test's power
    /// grows with it: fitting a normal location with its prior sd misstated as half the true
    /// one (the posterior about 1.3 times too narrow for the truth's spread around its mean)
    /// is flagged in 78% of runs with 100 replications and 97% with 200; a third of the true
    /// sd in every run with 100 (measured in `tests/sbc.rs`).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::results::sbc::Sbc;
    /// let sbc = Sbc::default().replications(200);
    /// # let _ = sbc;
    /// ```
    pub fn replications(mut self, replications: usize) -> Self {
        self.replications = replications;
        self
    }

    /// The seed of every random stream (default 0).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::results::sbc::Sbc;
    /// let sbc = Sbc::default().seed(42);
    /// # let _ = sbc;
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Largest number of threads to run replications on (default: the available
    /// parallelism). The results do not depend on it.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::results::sbc::Sbc;
    /// let sbc = Sbc::default().threads(2);
    /// # let _ = sbc;
    /// ```
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads.max(1));
        self
    }

    /// The simultaneous level of the ECDF bands (default 0.95).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::results::sbc::Sbc;
    /// let sbc = Sbc::default().level(0.99);
    /// # let _ = sbc;
    /// ```
    pub fn level(mut self, level: f64) -> Self {
        self.level = level;
        self
    }

    /// Calibrates the sampler on `model`: simulates from its prior (observed sites are drawn
    /// whatever data the model is bound to) and fits each simulation with the same model.
    ///
    /// # Example
    ///
    /// See [`Sbc`].
    pub fn run<M>(&self, model: &M) -> Result<Calibration<M::Sites>, SbcError>
    where
        M: Body<f64> + Body<Var> + Sync,
        <M::Sites as ModelSites>::LatentSites: AllFittable,
    {
        self.run_with(model, model)
    }

    /// Simulates from `simulator`'s prior and fits each simulation with `fitted`, which must
    /// have the same sites (typically the same `#[model]` function with other arguments).
    /// When the two differ in a way that changes the posterior (a prior scale misstated in the
    /// fit), calibration fails: this checks that SBC can see a given mistake.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::results::sbc::Sbc;
    ///
    /// #[model]
    /// fn location(prior_sd: f64, n: usize, y: Option<&[f64]>) {
    ///     let mu = sample!("mu", Normal::new(0.0, prior_sd));
    ///     plate!("data", n, |i| {
    ///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
    ///     });
    /// }
    ///
    /// // The fit believes the prior is 5 times narrower than the one that made the data.
    /// let sampler = Nuts::default().warmup(100).samples(100).thin(2);
    /// let calibration = Sbc::new(sampler)
    ///     .replications(50)
    ///     .run_with(&location(5.0, 1, None), &location(1.0, 1, None))?;
    /// assert!(!calibration.calibrated());
    /// # Ok::<(), model_runtime::results::sbc::SbcError>(())
    /// ```
    pub fn run_with<Simulator, Fitted>(
        &self,
        simulator: &Simulator,
        fitted: &Fitted,
    ) -> Result<Calibration<Fitted::Sites>, SbcError>
    where
        Simulator: Model<Sites = Fitted::Sites> + Body<f64> + Sync,
        Fitted: Body<f64> + Body<Var> + Sync,
        <Fitted::Sites as ModelSites>::LatentSites: AllFittable,
    {
        if self.replications == 0 {
            return Err(SbcError::NoReplications);
        }
        // Checked before any fit runs, rather than by the bands after all of them.
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(SbcError::Bands(EcdfError::InvalidLevel {
                level: self.level,
            }));
        }
        let results = self.replicate_all(simulator, fitted);
        // The first replication to succeed fixes the elements and `L`; the ranks are gathered
        // per element, in replication order.
        let mut first: Option<Ranked> = None;
        let mut ranks: Vec<Vec<usize>> = Vec::new();
        let mut replications = Vec::new();
        let mut failures = Vec::new();
        for (r, result) in results.into_iter().enumerate() {
            let ranked = result.and_then(|ranked| match &first {
                Some(first) if !first.same_elements(&ranked) => Err(ReplicationFailure::Shape {
                    expected: first.elements.len(),
                    found: ranked.elements.len(),
                }),
                _ => Ok(ranked),
            });
            match ranked {
                Ok(ranked) => {
                    ranks.resize_with(ranked.elements.len(), Vec::new);
                    for (column, element) in ranks.iter_mut().zip(&ranked.elements) {
                        column.push(element.rank);
                    }
                    first.get_or_insert(ranked);
                    replications.push(r);
                }
                Err(failure) => failures.push((r, failure)),
            }
        }
        let Some(first) = first else {
            let (replication, failure) = failures.swap_remove(0);
            return Err(SbcError::AllFailed {
                replication,
                failure: Box::new(failure),
            });
        };
        let bands =
            EcdfBands::new(replications.len(), first.draws, self.level).map_err(SbcError::Bands)?;
        let elements = first
            .elements
            .into_iter()
            .zip(ranks)
            .map(|(element, ranks)| {
                Ok(ElementCalibration {
                    name: element.name,
                    site: element.site,
                    site_index: element.site_index,
                    test: bands.test(&ranks).map_err(SbcError::Bands)?,
                    ranks,
                })
            })
            .collect::<Result<_, SbcError>>()?;
        Ok(Calibration {
            elements,
            bands,
            replications,
            failures,
            sites: PhantomData,
        })
    }

    /// Runs every replication on up to `threads` threads, each taking the next replication
    /// from a shared counter (as [`Mcmc`] runs chains), and returns the results in replication
    /// order.
    fn replicate_all<Simulator, Fitted>(
        &self,
        simulator: &Simulator,
        fitted: &Fitted,
    ) -> Vec<Result<Ranked, ReplicationFailure>>
    where
        Simulator: Model<Sites = Fitted::Sites> + Body<f64> + Sync,
        Fitted: Body<f64> + Body<Var> + Sync,
        <Fitted::Sites as ModelSites>::LatentSites: AllFittable,
    {
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .min(self.replications);
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Result<Ranked, ReplicationFailure>>>> =
            Mutex::new((0..self.replications).map(|_| None).collect());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let r = next.fetch_add(1, Ordering::Relaxed);
                        if r >= self.replications {
                            break;
                        }
                        // A panic in the user's model fails this replication only.
                        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            self.replicate(simulator, fitted, r)
                        }))
                        .unwrap_or_else(|payload| {
                            Err(ReplicationFailure::Panicked {
                                message: panic_message(payload.as_ref()),
                            })
                        });
                        results
                            .lock()
                            .expect("no replication panics while holding the lock")[r] =
                            Some(result);
                    }
                });
            }
        });
        results
            .into_inner()
            .expect("threads joined")
            .into_iter()
            .map(|result| result.expect("every replication ran"))
            .collect()
    }

    /// Replication `r`: a prior draw, a fit of its data, and the ranks of its latent values.
    fn replicate<Simulator, Fitted>(
        &self,
        simulator: &Simulator,
        fitted: &Fitted,
        r: usize,
    ) -> Result<Ranked, ReplicationFailure>
    where
        Simulator: Model<Sites = Fitted::Sites> + Body<f64> + Sync,
        Fitted: Body<f64> + Body<Var> + Sync,
        <Fitted::Sites as ModelSites>::LatentSites: AllFittable,
    {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(r as u64);
        let truth = simulator
            .sample_prior(&mut rng)
            .map_err(ReplicationFailure::Simulation)?;
        let fit = self
            .sampler
            .clone()
            .chains(1)
            .threads(1)
            .progress(false)
            .seed(rng.random())
            .run(&fitted.observing(&truth))
            .map_err(ReplicationFailure::Fit)?;
        let mut ranker = Ranker::<Fitted::Sites> {
            truth: &truth,
            posterior: fit.posterior(),
            draws: fit.posterior().len(),
            rng: &mut rng,
            elements: Vec::new(),
            failure: None,
        };
        <Fitted::Sites as ModelSites>::visit(&mut ranker);
        match ranker.failure {
            Some(failure) => Err(failure),
            None => Ok(Ranked {
                draws: ranker.draws,
                elements: ranker.elements,
            }),
        }
    }
}

impl<S: ModelSites> Calibration<S> {
    /// Every latent scalar element (`mu`, `theta[0]`, `z[1,2]`), in program order.
    ///
    /// # Example
    ///
    /// See [`Calibration`].
    pub fn elements(&self) -> &[ElementCalibration] {
        &self.elements
    }

    /// The elements of one site, named by its typed marker, in row-major order (empty for an
    /// observed or deterministic site, which are not ranked).
    ///
    /// # Example
    ///
    /// See [`Calibration`].
    pub fn site<T: Site<Model = S>>(&self, _site: T) -> &[ElementCalibration] {
        let start = self.elements.partition_point(|e| e.site_index < T::INDEX);
        let end = self.elements.partition_point(|e| e.site_index <= T::INDEX);
        &self.elements[start..end]
    }

    /// The ranks of each element of one site, named by its typed marker: one slice per
    /// element, each with one rank per successful replication (see
    /// [`replications`](Calibration::replications)).
    ///
    /// # Example
    ///
    /// See [`Sbc`].
    pub fn ranks<T: Site<Model = S>>(&self, site: T) -> Vec<&[usize]> {
        self.site(site).iter().map(|e| e.ranks.as_slice()).collect()
    }

    /// The largest possible rank `L`: the number of posterior draws each truth was ranked
    /// among.
    ///
    /// # Example
    ///
    /// See [`Sbc`].
    pub fn max_rank(&self) -> usize {
        self.bands.max_rank()
    }

    /// The simultaneous ECDF bands every element was tested against.
    ///
    /// # Example
    ///
    /// See [`ElementCalibration`].
    pub fn bands(&self) -> &EcdfBands {
        &self.bands
    }

    /// The replications that succeeded, in order: entry `j` of every element's ranks comes
    /// from replication `replications()[j]`.
    ///
    /// # Example
    ///
    /// See [`sbc`].
    pub fn replications(&self) -> &[usize] {
        &self.replications
    }

    /// The replications that failed, with their failures.
    ///
    /// # Example
    ///
    /// See [`ReplicationFailure`].
    pub fn failures(&self) -> &[(usize, ReplicationFailure)] {
        &self.failures
    }

    /// Whether every element's ECDF stays inside its bands: no sign of miscalibration.
    ///
    /// # Example
    ///
    /// See [`Sbc::run_with`].
    pub fn calibrated(&self) -> bool {
        self.elements.iter().all(ElementCalibration::inside)
    }

    /// The elements whose ECDF leaves its bands.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::results::sbc::Sbc;
    ///
    /// #[model]
    /// fn location(prior_sd: f64, y: Option<&[f64]>) {
    ///     let mu = sample!("mu", Normal::new(0.0, prior_sd));
    ///     sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[0]));
    /// }
    ///
    /// let sampler = Nuts::default().warmup(100).samples(100).thin(2);
    /// let calibration = Sbc::new(sampler).replications(50)
    ///     .run_with(&location(5.0, None), &location(1.0, None))?;
    /// assert_eq!(calibration.flagged().map(|e| e.name()).collect::<Vec<_>>(), ["mu"]);
    /// # Ok::<(), model_runtime::results::sbc::SbcError>(())
    /// ```
    pub fn flagged(&self) -> impl Iterator<Item = &ElementCalibration> {
        self.elements.iter().filter(|e| !e.inside())
    }
}

impl ElementCalibration {
    /// The element's name: the site's name, with its plate indices in brackets (`theta[2]`).
    ///
    /// # Example
    ///
    /// See [`ElementCalibration`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name of the element's site.
    ///
    /// # Example
    ///
    /// See [`ElementCalibration`].
    pub fn site(&self) -> &'static str {
        self.site
    }

    /// The rank of the true value among the posterior draws (`0..=L`), one per successful
    /// replication. Ties (a draw equal to the truth) are broken at random, as Talts et al.
    /// (2018) do for discrete parameters, so that ranks stay uniform.
    ///
    /// # Example
    ///
    /// See [`ElementCalibration`].
    pub fn ranks(&self) -> &[usize] {
        &self.ranks
    }

    /// The ranks' ECDF against the bands.
    ///
    /// # Example
    ///
    /// See [`ElementCalibration`].
    pub fn test(&self) -> &EcdfTest {
        &self.test
    }

    /// Whether the ranks' ECDF stays inside the bands.
    ///
    /// # Example
    ///
    /// See [`Calibration::flagged`].
    pub fn inside(&self) -> bool {
        self.test.inside()
    }

    /// The largest distance of the ranks' ECDF from the uniform CDF.
    ///
    /// # Example
    ///
    /// See [`ElementCalibration`].
    pub fn max_abs_difference(&self) -> f64 {
        self.test.max_abs_difference()
    }
}

impl<S: ModelSites> fmt::Debug for Calibration<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calibration")
            .field("model", &S::NAME)
            .field("elements", &self.elements)
            .field("bands", &self.bands)
            .field("replications", &self.replications)
            .field("failures", &self.failures)
            .finish()
    }
}

/// A short table (element, largest ECDF difference, inside the bands) under a line saying
/// what was run, and a one-line verdict.
impl<S: ModelSites> fmt::Display for Calibration<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = self.bands.level() * 100.0;
        writeln!(
            f,
            "simulation-based calibration of `{}`: {} replications ({} failed), ranks among {} draws, {level:.0}% ECDF bands",
            S::NAME,
            self.replications.len() + self.failures.len(),
            self.failures.len(),
            self.max_rank(),
        )?;
        const HEADINGS: [&str; 3] = ["element", "max |ECDF diff|", "inside bands"];
        let width = self
            .elements
            .iter()
            .map(|e| e.name.chars().count())
            .chain([HEADINGS[0].len()])
            .max()
            .unwrap_or(0);
        writeln!(
            f,
            "{:<width$}  {}  {}",
            HEADINGS[0], HEADINGS[1], HEADINGS[2]
        )?;
        for e in &self.elements {
            writeln!(
                f,
                "{:<width$}  {:>15.3}  {}",
                e.name,
                e.max_abs_difference(),
                if e.inside() { "yes" } else { "NO" }
            )?;
        }
        let flagged: Vec<&str> = self.flagged().map(|e| e.name()).collect();
        // A calibrated element leaves its bands with probability 1 - coverage.
        let by_chance = self.elements.len() as f64 * (1.0 - self.bands.coverage());
        if flagged.is_empty() {
            write!(
                f,
                "verdict: calibrated: every ECDF stays inside its {level:.0}% bands"
            )
        } else {
            const SHOWN: usize = 5;
            let mut names = flagged[..flagged.len().min(SHOWN)].join(", ");
            if flagged.len() > SHOWN {
                names.push_str(&format!(" and {} more", flagged.len() - SHOWN));
            }
            write!(
                f,
                "verdict: miscalibrated: {} of {} elements leave their {level:.0}% bands ({names}); a calibrated fit would have about {by_chance:.2} leave by chance",
                flagged.len(),
                self.elements.len(),
            )
        }
    }
}

/// The ranks of one replication, with `L`.
struct Ranked {
    draws: usize,
    elements: Vec<RankedElement>,
}

/// The rank of one latent scalar element in one replication.
struct RankedElement {
    name: String,
    site: &'static str,
    site_index: usize,
    rank: usize,
}

impl Ranked {
    /// Whether `other` ranked the same elements among as many draws.
    fn same_elements(&self, other: &Ranked) -> bool {
        self.draws == other.draws
            && self.elements.len() == other.elements.len()
            && self
                .elements
                .iter()
                .zip(&other.elements)
                .all(|(a, b)| a.name == b.name)
    }
}

/// Ranks the true value of every latent scalar element among its posterior draws.
struct Ranker<'a, M: ModelSites> {
    truth: &'a M::Draw,
    posterior: &'a M::Draws,
    draws: usize,
    rng: &'a mut ChaCha8Rng,
    elements: Vec<RankedElement>,
    failure: Option<ReplicationFailure>,
}

impl<M: ModelSites> SiteVisitor<M> for Ranker<'_, M> {
    fn site<S: Site<Model = M>>(&mut self) {
        if S::ROLE != Role::Latent || self.failure.is_some() {
            return;
        }
        let mut truth = Vec::new();
        S::field(self.truth).flatten_into(&mut truth);
        let mut columns = Vec::new();
        flatten_column(
            S::NAME,
            NameStyle::Brackets,
            S::column(self.posterior),
            &mut columns,
        );
        if columns.len() != truth.len() || columns.iter().any(|(_, c)| c.len() != self.draws) {
            self.failure = Some(ReplicationFailure::Shape {
                expected: truth.len(),
                found: columns.len(),
            });
            return;
        }
        for ((name, draws), value) in columns.into_iter().zip(truth) {
            if !value.is_finite() {
                self.failure = Some(ReplicationFailure::NonFiniteTruth {
                    element: name,
                    value,
                });
                return;
            }
            let below = draws.iter().filter(|&&d| d < value).count();
            let ties = draws.iter().filter(|&&d| d == value).count();
            // A truth equal to `ties` draws could sit anywhere among them.
            let rank = if ties == 0 {
                below
            } else {
                below + self.rng.random_range(0..=ties)
            };
            self.elements.push(RankedElement {
                name,
                site: S::NAME,
                site_index: S::INDEX,
                rank,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[model]
    fn one(y: Option<&[f64]>) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[0]));
    }

    /// The ranks of `truth` among `draws` of `mu`, one per stream of a seeded generator.
    fn ranks(truth: f64, draws: &[f64], streams: u64) -> Vec<usize> {
        let draw = one::Draw { mu: truth, y: 0.0 };
        let mut posterior = one::Draws::default();
        for &mu in draws {
            posterior.push(one::Draw { mu, y: 0.0 });
        }
        (0..streams)
            .map(|stream| {
                let mut rng = ChaCha8Rng::seed_from_u64(9);
                rng.set_stream(stream);
                let mut ranker = Ranker::<one::Sites> {
                    truth: &draw,
                    posterior: &posterior,
                    draws: draws.len(),
                    rng: &mut rng,
                    elements: Vec::new(),
                    failure: None,
                };
                one::Sites::visit(&mut ranker);
                assert_eq!(ranker.elements.len(), 1, "only the latent site is ranked");
                ranker.elements[0].rank
            })
            .collect()
    }

    #[test]
    fn ranks_count_the_draws_below_the_truth() {
        assert_eq!(ranks(0.5, &[0.1, 0.9, 0.3, 0.7], 1), [2]);
        assert_eq!(ranks(-1.0, &[0.1, 0.9], 1), [0]);
        assert_eq!(ranks(1.0, &[0.1, 0.9], 1), [2]);
    }

    #[test]
    fn ties_are_broken_uniformly_at_random() {
        // A truth equal to 3 of 5 draws, with 1 below: rank 1, 2, 3 or 4, each with
        // probability 1/4. Over 4000 streams each count is binomial(4000, 1/4), sd 27.4; the
        // tolerance is 4 of them.
        let counts = ranks(0.5, &[0.1, 0.5, 0.5, 0.5, 0.9], 4000).iter().fold(
            [0usize; 6],
            |mut counts, &r| {
                counts[r] += 1;
                counts
            },
        );
        assert_eq!((counts[0], counts[5]), (0, 0));
        for &count in &counts[1..5] {
            assert!(count.abs_diff(1000) < 110, "{counts:?}");
        }
    }

    #[test]
    fn a_non_finite_truth_is_a_failure() {
        let draw = one::Draw {
            mu: f64::NAN,
            y: 0.0,
        };
        let mut posterior = one::Draws::default();
        posterior.push(one::Draw { mu: 0.0, y: 0.0 });
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut ranker = Ranker::<one::Sites> {
            truth: &draw,
            posterior: &posterior,
            draws: 1,
            rng: &mut rng,
            elements: Vec::new(),
            failure: None,
        };
        one::Sites::visit(&mut ranker);
        assert!(matches!(
            ranker.failure,
            Some(ReplicationFailure::NonFiniteTruth { ref element, .. }) if element == "mu"
        ));
    }
}
