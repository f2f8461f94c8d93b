//! Watching a chain while it runs: the [`ChainObserver`] the sampler reports each phase and
//! transition to, and [`ChainProgress`], an observer that keeps the counts in atomics so that
//! another thread (a progress display) can read them while the chain runs.
//!
//! The sampler calls the observer on every transition, so an observer must be cheap:
//! [`ChainProgress`] does a few relaxed atomic stores per transition, no lock, no system call,
//! no allocation; whoever displays it reads [`ChainProgress::snapshot`] at its own pace.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use crate::inference::mass_matrix::MassMatrix;
use crate::inference::stats::TransitionStats;

/// The two phases of a chain: warmup (adaptation, draws discarded) then sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Adaptation of the step size and mass matrix; its draws are discarded.
    Warmup,
    /// The kept iterations, at the step size and mass matrix warmup adapted.
    Sampling,
}

/// Sees one chain as [`Sampler::run_with_observer`](super::Sampler::run_with_observer) runs it:
/// the start of each phase, then each of its transitions, in order.
///
/// Called on the chain's own thread, once per transition: keep it to a few instructions (see
/// [`ChainProgress`] for one that other threads can read). An observer sees the statistics
/// only, never the random stream, so observing a chain does not change its draws. `()` is the
/// observer that does nothing.
///
/// # Example
///
/// ```
/// use model_runtime::inference::{ChainObserver, Phase, Sampler, TransitionStats};
/// use rand::SeedableRng;
/// # use model_runtime::{ModelError, inference::GradientTarget};
/// # struct StdNormal(usize);
/// # impl GradientTarget for StdNormal {
/// #     fn dim(&self) -> usize { self.0 }
/// #     fn log_density_and_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, ModelError> {
/// #         g.iter_mut().zip(x).for_each(|(g, x)| *g = -x);
/// #         Ok(-0.5 * x.iter().map(|x| x * x).sum::<f64>())
/// #     }
/// # }
///
/// /// Counts the leapfrog steps of the sampling phase.
/// #[derive(Default)]
/// struct LeapfrogSteps(usize);
///
/// impl ChainObserver for LeapfrogSteps {
///     fn transition(&mut self, phase: Phase, _iteration: usize, stats: &TransitionStats) {
///         if phase == Phase::Sampling {
///             self.0 += stats.leapfrog_steps;
///         }
///     }
/// }
///
/// let mut steps = LeapfrogSteps::default();
/// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(2);
/// let chain = Sampler::nuts().warmup(100).samples(50)
///     .run_with_observer(&mut StdNormal(2), vec![0.0; 2], &mut rng, &mut steps)?;
/// assert_eq!(steps.0, chain.stats.iter().map(|s| s.leapfrog_steps).sum::<usize>());
/// # Ok::<(), model_runtime::inference::SamplerError>(())
/// ```
pub trait ChainObserver {
    /// A phase of `iterations` transitions begins. Both phases are announced, in order, even
    /// when one has no iterations.
    fn phase_started(&mut self, phase: Phase, iterations: usize) {
        let _ = (phase, iterations);
    }

    /// Transition `iteration` (counted from 0 within `phase`) ended with `stats`. With
    /// thinning, every sampling iteration is reported, kept or not.
    fn transition(&mut self, phase: Phase, iteration: usize, stats: &TransitionStats);

    /// Warmup ended: sampling runs at `step_size` with `mass_matrix` (the adapted ones, or the
    /// given ones when a chain is [resumed](super::Sampler::run_adapted)). Called once, before
    /// the sampling phase starts, also when it has no iterations; not called when the chain
    /// was stopped during warmup. Default: nothing.
    fn adapted(&mut self, step_size: f64, mass_matrix: &MassMatrix) {
        let _ = (step_size, mass_matrix);
    }

    /// A kept draw of `phase` (after thinning; warmup draws only when they are
    /// [saved](super::Sampler::save_warmup)), at `position` in the target's coordinates, made
    /// by the transition `stats` describes. Called after
    /// [`transition`](ChainObserver::transition) and before [`stop`](ChainObserver::stop), so
    /// an observer that keeps or writes the draw as it is made (a streamed CSV file) has every
    /// draw the chain returns. Default: nothing.
    fn draw(&mut self, phase: Phase, position: &[f64], stats: &TransitionStats) {
        let _ = (phase, position, stats);
    }

    /// Whether the chain should stop now, asked after every transition: the chain then ends
    /// with the draws it has, marked
    /// [`interrupted`](crate::inference::UnconstrainedChain::interrupted). Default: never.
    fn stop(&self) -> bool {
        false
    }
}

/// The observer that ignores everything: what [`Sampler::run`](super::Sampler::run) uses.
impl ChainObserver for () {
    fn transition(&mut self, _phase: Phase, _iteration: usize, _stats: &TransitionStats) {}
}

/// The progress of one chain, written by the thread that runs it (as a [`ChainObserver`],
/// through `&ChainProgress`) and readable from any other thread with
/// [`snapshot`](ChainProgress::snapshot) at any time.
///
/// Every count is an atomic written with relaxed stores, so that observing costs the chain a
/// few plain stores per transition; a snapshot is a consistent-enough view for a display (its
/// fields are read one by one, and may be one transition apart). One `ChainProgress` follows
/// one chain.
///
/// Aligned to 128 bytes (two cache lines, what adjacent-line prefetching pairs) so that chains
/// whose progress sits side by side in a `Vec` do not write to the same cache line on every
/// transition.
///
/// # Example
///
/// ```
/// use model_runtime::inference::{ChainProgress, Phase, Sampler};
/// use rand::SeedableRng;
/// # use model_runtime::{ModelError, inference::GradientTarget};
/// # struct StdNormal(usize);
/// # impl GradientTarget for StdNormal {
/// #     fn dim(&self) -> usize { self.0 }
/// #     fn log_density_and_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, ModelError> {
/// #         g.iter_mut().zip(x).for_each(|(g, x)| *g = -x);
/// #         Ok(-0.5 * x.iter().map(|x| x * x).sum::<f64>())
/// #     }
/// # }
///
/// let progress = ChainProgress::new();
/// assert_eq!(progress.snapshot().phase, None);
/// let chain = std::thread::scope(|scope| {
///     let runner = scope.spawn(|| {
///         let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
///         Sampler::nuts().warmup(200).samples(100)
///             .run_with_observer(&mut StdNormal(3), vec![0.0; 3], &mut rng, &mut &progress)
///     });
///     // Another thread may read `progress.snapshot()` here while the chain runs.
///     runner.join().unwrap()
/// })?;
/// progress.finish();
///
/// let seen = progress.snapshot();
/// assert_eq!(seen.phase, Some(Phase::Sampling));
/// assert_eq!((seen.completed, seen.total()), (300, 300));
/// let divergent = chain.stats.iter().filter(|s| s.divergent).count();
/// assert_eq!(seen.sampling_divergences, divergent);
/// assert_eq!(seen.step_size, chain.step_size);
/// assert!(seen.finished.is_some());
/// # Ok::<(), model_runtime::inference::SamplerError>(())
/// ```
#[derive(Debug)]
#[repr(align(128))]
pub struct ChainProgress {
    /// 0 before the first phase, then 1 + the index of the phase in [`PHASES`].
    phase: AtomicU8,
    warmup_iterations: AtomicUsize,
    sampling_iterations: AtomicUsize,
    /// Iterations done, warmup and sampling together: one counter, so that a reader never
    /// adds a new phase's count to an old phase's.
    completed: AtomicUsize,
    warmup_divergences: AtomicUsize,
    sampling_divergences: AtomicUsize,
    /// The bits of the last transition's step size (no atomic f64 in std).
    step_size: AtomicU64,
    warmup_started: OnceLock<Instant>,
    sampling_started: OnceLock<Instant>,
    finished: OnceLock<Instant>,
}

const PHASES: [Phase; 2] = [Phase::Warmup, Phase::Sampling];

/// What [`ChainProgress::snapshot`] read: where a chain stands.
///
/// # Example
///
/// ```
/// use model_runtime::inference::ChainProgress;
///
/// let waiting = ChainProgress::new().snapshot();
/// assert_eq!((waiting.phase, waiting.completed, waiting.total()), (None, 0, 0));
/// assert!(waiting.finished.is_none() && waiting.step_size.is_nan());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgressSnapshot {
    /// The phase running, or last run once the chain finished; `None` before warmup began
    /// (the chain is waiting for a thread, or checking its initial point).
    pub phase: Option<Phase>,
    /// Iterations done so far, warmup and sampling together.
    pub completed: usize,
    /// Warmup iterations of the chain (0 until warmup began).
    pub warmup_iterations: usize,
    /// Sampling iterations of the chain, before thinning (0 until warmup began).
    pub sampling_iterations: usize,
    /// Divergent transitions during warmup, where they are common early on and harmless.
    pub warmup_divergences: usize,
    /// Divergent transitions during sampling: the ones a fit warns about.
    pub sampling_divergences: usize,
    /// The step size of the last transition (NaN before the first).
    pub step_size: f64,
    /// When warmup began.
    pub warmup_started: Option<Instant>,
    /// When sampling began (that is, when warmup ended).
    pub sampling_started: Option<Instant>,
    /// When [`ChainProgress::finish`] was called: the chain ended, with all its draws or not.
    pub finished: Option<Instant>,
}

impl ProgressSnapshot {
    /// All iterations of the chain, warmup and sampling (0 until warmup began).
    pub fn total(&self) -> usize {
        self.warmup_iterations + self.sampling_iterations
    }
}

impl ChainProgress {
    /// The progress of a chain that has not started.
    pub fn new() -> Self {
        ChainProgress {
            phase: AtomicU8::new(0),
            warmup_iterations: AtomicUsize::new(0),
            sampling_iterations: AtomicUsize::new(0),
            completed: AtomicUsize::new(0),
            warmup_divergences: AtomicUsize::new(0),
            sampling_divergences: AtomicUsize::new(0),
            step_size: AtomicU64::new(f64::NAN.to_bits()),
            warmup_started: OnceLock::new(),
            sampling_started: OnceLock::new(),
            finished: OnceLock::new(),
        }
    }

    /// Marks the chain as ended, whether it ran all its iterations or failed: a reader stops
    /// waiting for it. Later calls change nothing.
    pub fn finish(&self) {
        let _ = self.finished.set(Instant::now());
    }

    /// Reads where the chain stands; callable from any thread, at any time.
    pub fn snapshot(&self) -> ProgressSnapshot {
        // Acquire pairs with the Release in `phase_started`: a reader that sees a phase also
        // sees its number of iterations.
        let phase = match self.phase.load(Ordering::Acquire) {
            0 => None,
            index => Some(PHASES[usize::from(index) - 1]),
        };
        ProgressSnapshot {
            phase,
            completed: self.completed.load(Ordering::Relaxed),
            warmup_iterations: self.warmup_iterations.load(Ordering::Relaxed),
            sampling_iterations: self.sampling_iterations.load(Ordering::Relaxed),
            warmup_divergences: self.warmup_divergences.load(Ordering::Relaxed),
            sampling_divergences: self.sampling_divergences.load(Ordering::Relaxed),
            step_size: f64::from_bits(self.step_size.load(Ordering::Relaxed)),
            warmup_started: self.warmup_started.get().copied(),
            sampling_started: self.sampling_started.get().copied(),
            finished: self.finished.get().copied(),
        }
    }
}

impl Default for ChainProgress {
    fn default() -> Self {
        ChainProgress::new()
    }
}

/// Only the chain's thread writes, so a load then a store never loses an update, and neither
/// needs a locked read-modify-write.
impl ChainObserver for &ChainProgress {
    fn phase_started(&mut self, phase: Phase, iterations: usize) {
        match phase {
            Phase::Warmup => {
                self.warmup_iterations.store(iterations, Ordering::Relaxed);
                let _ = self.warmup_started.set(Instant::now());
            }
            Phase::Sampling => {
                self.sampling_iterations
                    .store(iterations, Ordering::Relaxed);
                let _ = self.sampling_started.set(Instant::now());
            }
        }
        let index = PHASES.iter().position(|p| *p == phase).expect("a phase") as u8;
        self.phase.store(index + 1, Ordering::Release);
    }

    fn transition(&mut self, phase: Phase, iteration: usize, stats: &TransitionStats) {
        let done_before = match phase {
            Phase::Warmup => 0,
            Phase::Sampling => self.warmup_iterations.load(Ordering::Relaxed),
        };
        self.completed
            .store(done_before + iteration + 1, Ordering::Relaxed);
        self.step_size
            .store(stats.step_size.to_bits(), Ordering::Relaxed);
        if stats.divergent {
            let divergences = match phase {
                Phase::Warmup => &self.warmup_divergences,
                Phase::Sampling => &self.sampling_divergences,
            };
            divergences.store(divergences.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        }
    }
}
