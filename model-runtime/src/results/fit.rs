//! The result of a fit: each chain's typed draws and sampler statistics, the merged posterior,
//! the summary, and why a fit failed.

use core::fmt;
use core::ops::Deref;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::diagnostics::{Summary, SummaryError};
use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handlers::Evaluating;
use crate::inference::{SamplerError, UnconstrainedChain};
use crate::results::predictive::DrawSource;
use crate::results::while_evaluating;
use crate::site::{
    Columns, ModelSites, NameStyle, Role, SampleSite, Site, SiteSet, SiteVisitor, flatten_column,
};

/// The fit of one chain: its draws as typed site values, and what the sampler returned for it.
///
/// The draws are here twice: as site values in [`draws`](ChainFit::draws), and as the
/// sampler's positions in unconstrained coordinates in
/// [`sampler.draws`](UnconstrainedChain::draws), draw for draw. The sampler's statistics
/// (per-draw [`TransitionStats`](crate::inference::TransitionStats), divergences, tree depths),
/// the adapted step size and mass matrix, and the warmup and sampling times are read from
/// [`sampler`](ChainFit::sampler), the [`UnconstrainedChain`] that
/// [`Sampler::run`](crate::inference::Sampler::run) returns.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn m() {
///     sample!("mu", Normal::new(1.0, 2.0));
/// }
///
/// let fit = Nuts::default().warmup(200).samples(100).chains(2).seed(3).run(&m())?;
/// let chain = &fit.chains()[1];
/// assert_eq!(chain.chain, 1);
/// assert_eq!(chain.draws.mu.len(), 100);
/// // The same draws in unconstrained coordinates (`mu` is unconstrained: the same numbers).
/// assert_eq!(chain.sampler.draws.len(), 100);
/// assert_eq!(chain.sampler.draws[7], [chain.draws.mu[7]]);
/// // One transition's statistics per draw, and what warmup adapted.
/// assert_eq!(chain.sampler.stats.len(), 100);
/// assert_eq!(chain.sampler.warmup_stats.len(), 200);
/// assert!(chain.sampler.step_size > 0.0 && chain.sampler.mass_matrix.dim() == 1);
/// assert_eq!(chain.divergences(), 0);
/// # Ok::<(), model_runtime::FitError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ChainFit<S: ModelSites> {
    /// The chain's index (from 0), also when an earlier chain failed: its random stream, and
    /// its CmdStan `id` less one.
    pub chain: usize,
    /// Typed draws (latent and deterministic sites).
    pub draws: S::Draws,
    /// Typed warmup draws, thinned as `draws` are, when the fit was asked to
    /// [save them](crate::results::mcmc::Mcmc::save_warmup); otherwise empty.
    pub warmup_draws: S::Draws,
    /// What the sampler returned for this chain: the same draws (and warmup draws) in
    /// unconstrained coordinates, the statistics of every transition, the adapted step size
    /// and inverse mass matrix, the warmup and sampling wall times, the rejected mass matrix
    /// estimates (a [warning](Fit::warnings)), and the position after the last transition,
    /// where [`Mcmc::resume`](crate::results::mcmc::Mcmc::resume) continues the chain.
    ///
    /// Its draws and statistics are cut to the typed draws when a draw could not be mapped to
    /// site values (a [fault](ChainFit::faults) that ends the chain); its
    /// [`interrupted`](UnconstrainedChain::interrupted) is then true too, while
    /// [`ChainFit::interrupted`] says whether the chain was cancelled.
    pub sampler: UnconstrainedChain,
    /// Sampling (and warmup) iterations per kept draw.
    pub thin: usize,
    /// Wall time of the chain: start search, warmup, sampling and mapping draws to values.
    pub wall_time: Duration,
    /// The maximum tree depth of the NUTS kernel (`None` for static HMC).
    pub max_tree_depth: Option<usize>,
    /// What went wrong while the chain ran without costing it the draws made before: a draw
    /// whose site values could not be computed (the chain ends there), or a streamed CSV file
    /// that could not be written (the chain goes on).
    pub faults: Vec<ChainFault>,
    /// The chain's random stream where it left off, for `resume`.
    pub(crate) rng: StreamPosition,
}

/// Where a chain's random stream left off: its seed, stream and word position, from which the
/// generator is rebuilt (ChaCha's generators are deliberately not `Clone`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StreamPosition {
    seed: [u8; 32],
    stream: u64,
    word: u128,
}

impl StreamPosition {
    /// Where `rng` stands.
    pub(crate) fn of(rng: &ChaCha8Rng) -> Self {
        StreamPosition {
            seed: rng.get_seed(),
            stream: rng.get_stream(),
            word: rng.get_word_pos(),
        }
    }

    /// A generator that continues from here.
    pub(crate) fn generator(&self) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.seed);
        rng.set_stream(self.stream);
        rng.set_word_pos(self.word);
        rng
    }
}

/// A fault a chain met while running, whose draws before it are kept (see
/// [`ChainFit::faults`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ChainFault {
    /// The site values of draw `draw` (counted from 0 in its phase) could not be computed from
    /// its unconstrained position, e.g. a deterministic site failed there. The chain ended at
    /// that draw, keeping the ones before.
    Draw {
        /// The draw, from 0.
        draw: usize,
        /// The error, naming the site (shared: a fit's chains are `Clone`, errors are not).
        error: std::sync::Arc<ModelError>,
    },
    /// The chain's CmdStan CSV stream could not be written; the chain went on, and the fit
    /// holds every draw.
    Stream {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        message: String,
    },
}

impl fmt::Display for ChainFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainFault::Draw { draw, error } => write!(
                f,
                "draw {draw} could not be mapped to site values ({error}); the chain stopped there and keeps the draws before it"
            ),
            ChainFault::Stream { path, message } => write!(
                f,
                "writing {} failed ({message}); the file stops there, the fit has every draw",
                path.display()
            ),
        }
    }
}

impl<S: ModelSites> ChainFit<S> {
    /// Divergent transitions after warmup.
    pub fn divergences(&self) -> usize {
        self.sampler.stats.iter().filter(|s| s.divergent).count()
    }

    /// Whether a [`Cancel`](crate::results::mcmc::Cancel) stopped the chain before its last
    /// draw. A chain that a draw's [fault](ChainFault::Draw) ended is not interrupted: the
    /// fault says why it stopped.
    pub fn interrupted(&self) -> bool {
        self.sampler.interrupted
            && !self
                .faults
                .iter()
                .any(|fault| matches!(fault, ChainFault::Draw { .. }))
    }
}

/// One scalar element of a site (`theta[2]`), its draws split by chain.
#[derive(Debug, Clone)]
pub(crate) struct ElementChains {
    /// The element's name, `theta[2]`.
    pub name: String,
    /// Whether the site's support is the circle (its distribution is circular).
    pub circular: bool,
    /// The draws of each chain.
    pub chains: Vec<Vec<f64>>,
}

/// The summary of every element (circular statistics for circular sites).
pub(crate) fn summarize(elements: Vec<ElementChains>) -> Result<Summary, SummaryError> {
    let mut summary = Summary::new();
    for element in elements {
        let chains: Vec<&[f64]> = element.chains.iter().map(Vec::as_slice).collect();
        if element.circular {
            summary.add_circular(element.name, &chains)?;
        } else {
            summary.add(element.name, &chains)?;
        }
    }
    Ok(summary)
}

/// Every scalar element of the chosen sites of `chains` (columns of draws, one per chain), in
/// program order, with its draws split by chain. Observed sites are left out.
pub(crate) fn element_chains<M: ModelSites>(
    chains: &[&M::Draws],
    sites: &SiteSet<M>,
) -> Vec<ElementChains> {
    struct Elements<'a, M: ModelSites> {
        chains: &'a [&'a M::Draws],
        sites: &'a SiteSet<M>,
        out: Vec<ElementChains>,
    }
    impl<M: ModelSites> Elements<'_, M> {
        fn add<S: Site<Model = M>>(&mut self, circular: bool) {
            if S::ROLE == Role::Observed || !self.sites.contains::<S>() {
                return;
            }
            let mut per_chain = self.chains.iter().map(|draws| {
                let mut out = Vec::new();
                flatten_column(S::NAME, NameStyle::Brackets, S::column(draws), &mut out);
                out
            });
            let Some(first) = per_chain.next() else {
                return;
            };
            let start = self.out.len();
            self.out
                .extend(first.into_iter().map(|(name, draws)| ElementChains {
                    name,
                    circular,
                    chains: vec![draws],
                }));
            for chain in per_chain {
                for (element, (_, draws)) in self.out[start..].iter_mut().zip(chain) {
                    element.chains.push(draws);
                }
            }
        }
    }
    impl<M: ModelSites> SiteVisitor<M> for Elements<'_, M> {
        fn site<S: Site<Model = M>>(&mut self) {
            self.add::<S>(false);
        }
        fn sample<S: SampleSite<Model = M>>(&mut self) {
            self.add::<S>(<S::Dist as Distribution>::CIRCULAR);
        }
    }
    let mut visitor = Elements {
        chains,
        sites,
        out: Vec::new(),
    };
    M::visit(&mut visitor);
    visitor.out
}

/// The result of [`Mcmc::run`](crate::results::mcmc::Mcmc::run): the typed posterior (all chains merged, reachable through
/// `Deref`, so `fit.b` is the draws of site `b`), each chain's draws and sampler statistics, and
/// the chains that failed.
#[derive(Debug)]
pub struct Fit<S: ModelSites> {
    chains: Vec<ChainFit<S>>,
    failures: Vec<(usize, FitError)>,
    merged: S::Draws,
    wall_time: Duration,
}

impl<S: ModelSites> Deref for Fit<S> {
    type Target = S::Draws;
    fn deref(&self) -> &S::Draws {
        &self.merged
    }
}

impl<S: ModelSites> DrawSource<S> for Fit<S> {
    fn num_draws(&self) -> usize {
        self.merged.len()
    }
    fn latent_draw(&self, i: usize) -> Result<S::Latent, ModelError> {
        self.merged.latent(i)
    }
}

impl<S: ModelSites> Fit<S> {
    /// A fit of the chains that finished (at least one) and those that failed.
    pub(crate) fn new(
        chains: Vec<ChainFit<S>>,
        failures: Vec<(usize, FitError)>,
        wall_time: Duration,
    ) -> Self {
        let mut merged = S::Draws::default();
        for chain in &chains {
            merged.extend(chain.draws.clone());
        }
        Fit {
            chains,
            failures,
            merged,
            wall_time,
        }
    }

    /// The chains that finished, in chain order.
    pub fn chains(&self) -> &[ChainFit<S>] {
        &self.chains
    }

    /// Chains that failed, with their errors; the others' draws are kept.
    pub fn failures(&self) -> &[(usize, FitError)] {
        &self.failures
    }

    /// The merged typed posterior.
    pub fn posterior(&self) -> &S::Draws {
        &self.merged
    }

    /// Whether the fit was cancelled before every chain finished: its draws are those made
    /// until then.
    pub fn interrupted(&self) -> bool {
        self.chains.iter().any(ChainFit::interrupted)
            || self
                .failures
                .iter()
                .any(|(_, e)| matches!(e, FitError::Interrupted))
    }

    /// Divergent transitions after warmup, over all chains.
    pub fn divergences(&self) -> usize {
        self.chains.iter().map(ChainFit::divergences).sum()
    }

    /// Wall time of the whole fit.
    pub fn wall_time(&self) -> Duration {
        self.wall_time
    }

    /// The longest warmup of any chain (chains run in parallel, so this is the warmup's share
    /// of the wall time).
    pub fn warmup_time(&self) -> Duration {
        self.chains
            .iter()
            .map(|c| c.sampler.warmup_time)
            .max()
            .unwrap_or_default()
    }

    /// The longest sampling phase of any chain.
    pub fn sampling_time(&self) -> Duration {
        self.chains
            .iter()
            .map(|c| c.sampler.sampling_time)
            .max()
            .unwrap_or_default()
    }

    /// Diagnostics per scalar element of every latent and deterministic site: mean, sd, median,
    /// 5%, 95%, bulk and tail ESS, and rank-normalized split R-hat (Vehtari et al. 2021). Sites
    /// whose distribution is circular (`VonMises`) get circular statistics
    /// ([`SummaryRow::circular`](crate::diagnostics::SummaryRow::circular)).
    pub fn summary(&self) -> Result<Summary, SummaryError> {
        let latent = SiteSet::with_roles(&[Role::Latent, Role::Deterministic]);
        summarize(self.element_chains(&latent))
    }

    /// Every scalar element of the chosen sites (observed sites have no draws in a fit), in
    /// program order, with its draws split by chain: what the summary and the plots read.
    ///
    /// A cancelled fit's chains stop at different lengths; diagnostics compare chains of equal
    /// length, so each is cut to the shortest (PyMC does the same with an interrupted trace).
    pub(crate) fn element_chains(&self, sites: &SiteSet<S>) -> Vec<ElementChains> {
        let chains: Vec<&S::Draws> = self.chains.iter().map(|c| &c.draws).collect();
        let mut elements = element_chains(&chains, sites);
        if let Some(n) = self.common_length() {
            for element in &mut elements {
                element.chains.iter_mut().for_each(|c| c.truncate(n));
            }
        }
        elements
    }

    /// For a cancelled fit whose chains stopped at different lengths: the shortest length, to
    /// which diagnostics cut every chain. `None` otherwise (a fit that ran to the end has
    /// chains of equal length, and unequal ones there would be a bug the summary reports).
    pub(crate) fn common_length(&self) -> Option<usize> {
        let lengths = self.chains.iter().map(|c| c.draws.len());
        let (shortest, longest) = (lengths.clone().min()?, lengths.max()?);
        (self.interrupted() && shortest < longest).then_some(shortest)
    }

    /// Prints the summary, the number of divergences, the wall time and the
    /// [warnings](Fit::warnings), one line each.
    pub fn print_summary(&self) {
        match self.summary() {
            Ok(summary) => println!("{summary}"),
            Err(e) => println!("no summary: {e}"),
        }
        println!("Number of divergences: {}", self.divergences());
        println!(
            "Wall time: warmup {:.2?}, sampling {:.2?} (longest chain), total {:.2?}",
            self.warmup_time(),
            self.sampling_time(),
            self.wall_time
        );
        for warning in self.warnings() {
            println!("warning: {warning}");
        }
    }
}

/// Why a fit failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum FitError {
    /// Zero chains were asked for.
    NoChains,
    /// The model failed (names the site).
    Model(ModelError),
    /// The sampler rejected its settings or its starting point.
    Sampler(SamplerError),
    /// No starting point with a finite log density and gradient was found.
    NoValidStart {
        /// Attempts made.
        attempts: usize,
        /// The last attempt's failure.
        last: Box<FitError>,
    },
    /// The model code panicked while the chain ran (for example an index out of bounds in a
    /// plate whose size does not match the data).
    Panicked {
        /// The panic message.
        message: String,
        /// The statement the body was evaluating, with its plate indices, when it could be
        /// found (by running the body again where it panicked).
        at: Option<Evaluating>,
    },
    /// The fit was cancelled while the chain was in warmup, before any draw.
    Interrupted,
    /// The chain's CmdStan CSV stream could not be created.
    Stream {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        message: String,
    },
    /// Every chain failed; the first failure.
    AllChainsFailed {
        /// The chain.
        chain: usize,
        /// Its error.
        error: Box<FitError>,
    },
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::NoChains => write!(f, "no chains to run; ask for at least one"),
            FitError::Model(e) => write!(f, "{e}"),
            FitError::Sampler(e) => write!(f, "{e}"),
            FitError::NoValidStart { attempts, last } => write!(
                f,
                "no valid starting point in {attempts} attempts uniform in (-2, 2); the last failed with: {last}"
            ),
            FitError::Panicked { message, at } => write!(
                f,
                "the model panicked{}: {message} (check that every plate's size matches the data it indexes)",
                while_evaluating(at.as_ref())
            ),
            FitError::Interrupted => write!(f, "cancelled during warmup, before any draw"),
            FitError::Stream { path, message } => {
                write!(f, "cannot create {}: {message}", path.display())
            }
            FitError::AllChainsFailed { chain, error } => {
                write!(f, "every chain failed; chain {chain}: {error}")
            }
        }
    }
}

impl std::error::Error for FitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FitError::Model(e) => Some(e),
            FitError::Sampler(e) => Some(e),
            FitError::NoValidStart { last, .. } => Some(last.as_ref()),
            FitError::AllChainsFailed { error, .. } => Some(error.as_ref()),
            FitError::NoChains
            | FitError::Panicked { .. }
            | FitError::Interrupted
            | FitError::Stream { .. } => None,
        }
    }
}
