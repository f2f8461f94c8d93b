//! What a running chain reports and obeys: its progress counts, the [`Cancel`] handle, and each
//! kept draw mapped to site values (and streamed to CSV) as it is made.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::inference::{ChainObserver, ChainProgress, MassMatrix, Phase, TransitionStats};
use crate::model::Body;
use crate::results::cmdstan::CsvStream;
use crate::results::fit::ChainFault;
use crate::site::{Columns, ModelSites, Role, SiteSet};

/// A handle that stops a running fit: [`cancel`](Cancel::cancel) from any thread (a UI, a
/// timer, a Ctrl-C handler) and every chain ends after its current transition; the fit returns
/// the draws made so far, its chains marked interrupted ([`Fit::interrupted`](crate::results::fit::Fit::interrupted)). Chains still in
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

    /// A handle that Ctrl-C cancels, as a user of PyMC or nutpie expects: the first Ctrl-C
    /// (SIGINT) stops the fits watching the handle after their current draw, and they return
    /// what they have ([`Fit::interrupted`](crate::results::fit::Fit::interrupted) says so); a second Ctrl-C ends the program, as
    /// Ctrl-C does when nothing catches it (exit status 130).
    ///
    /// Each call registers a new signal handler for the rest of the program, and a cancelled
    /// handle stays cancelled: make one per fit you want Ctrl-C to stop.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use model_runtime::prelude::*;
    /// use model_runtime::results::mcmc::Cancel;
    ///
    /// #[model]
    /// fn m() {
    ///     sample!("mu", Normal::new(0.0, 1.0));
    /// }
    ///
    /// let fit = Nuts::default().samples(100_000_000).cancel_on(&Cancel::on_ctrl_c()?).run(&m())?;
    /// if fit.interrupted() {
    ///     println!("stopped by Ctrl-C after {} draws", fit.mu.len());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_ctrl_c() -> std::io::Result<Self> {
        use signal_hook::consts::SIGINT;
        let cancel = Cancel::new();
        // Registered first, so that it sees the flag as the previous Ctrl-C left it: it exits
        // on the second one only.
        signal_hook::flag::register_conditional_shutdown(SIGINT, 130, cancel.0.clone())?;
        signal_hook::flag::register(SIGINT, cancel.0.clone())?;
        Ok(cancel)
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

/// A chain's observer: its progress counts, the cancel handle asked after every transition
/// (one relaxed load), and each kept draw mapped to site values as it is made, and written to
/// the chain's CSV stream when the fit streams one.
pub(super) struct Watch<'a, M: Body<f64>> {
    pub(super) progress: &'a ChainProgress,
    pub(super) cancel: Option<&'a Cancel>,
    pub(super) model: &'a M,
    pub(super) keep: SiteSet<M::Sites>,
    pub(super) draws: <M::Sites as ModelSites>::Draws,
    pub(super) warmup_draws: <M::Sites as ModelSites>::Draws,
    pub(super) stream: Option<CsvStream>,
    pub(super) faults: Vec<ChainFault>,
    /// A draw could not be mapped to site values: the chain stops at it.
    pub(super) failed: bool,
    /// Seeds the draws of discrete latent sites from their conditional posterior, one stream
    /// per kept draw (see `Model::constrain_recovering`).
    pub(super) recovery_seed: u64,
}

/// SplitMix64's finalizer (Steele, Lea & Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): mixes a seed and a counter into an unrelated seed.
pub(super) fn mix_seed(seed: u64, counter: u64) -> u64 {
    let mut z = seed ^ counter.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<'a, M: Body<f64>> Watch<'a, M> {
    pub(super) fn new(
        model: &'a M,
        progress: &'a ChainProgress,
        cancel: Option<&'a Cancel>,
        stream: Option<CsvStream>,
        recovery_seed: u64,
    ) -> Self {
        Watch {
            recovery_seed,
            progress,
            cancel,
            model,
            // Observed sites are data: a fit keeps the latent and deterministic columns.
            keep: SiteSet::with_roles(&[Role::Latent, Role::Deterministic]),
            draws: Default::default(),
            warmup_draws: Default::default(),
            stream,
            faults: Vec::new(),
            failed: false,
        }
    }

    /// Writes `draw` (the newest draw, alone in its columns) to the CSV stream; a failure
    /// stops the stream, not the chain.
    pub(super) fn stream(
        &mut self,
        stats: &TransitionStats,
        draw: &<M::Sites as ModelSites>::Draws,
    ) {
        let Some(stream) = &mut self.stream else {
            return;
        };
        if let Err(e) = stream.draw(stats, draw) {
            self.faults.push(ChainFault::Stream {
                path: stream.path().to_path_buf(),
                message: e.to_string(),
            });
            self.stream = None;
        }
    }

    /// The chain ended after `warmup` and `sampling`: the stream's footer.
    pub(super) fn finish_stream(&mut self, warmup: Duration, sampling: Duration) {
        if let Some(stream) = self.stream.take() {
            let path = stream.path().to_path_buf();
            if let Err(e) = stream.finish(warmup, sampling) {
                self.faults.push(ChainFault::Stream {
                    path,
                    message: e.to_string(),
                });
            }
        }
    }
}

impl<M: Body<f64>> ChainObserver for Watch<'_, M> {
    fn phase_started(&mut self, phase: Phase, iterations: usize) {
        (&mut &*self.progress).phase_started(phase, iterations);
    }
    fn transition(&mut self, phase: Phase, iteration: usize, stats: &TransitionStats) {
        (&mut &*self.progress).transition(phase, iteration, stats);
    }
    fn adapted(&mut self, step_size: f64, mass_matrix: &MassMatrix) {
        if let Some(stream) = &mut self.stream {
            stream.adapted(step_size, mass_matrix);
        }
    }
    fn draw(&mut self, phase: Phase, position: &[f64], stats: &TransitionStats) {
        if self.failed {
            return;
        }
        let columns = match phase {
            Phase::Warmup => &mut self.warmup_draws,
            Phase::Sampling => &mut self.draws,
        };
        let index = columns.len();
        let constrained = if <M::Sites as ModelSites>::DISCRETE_LATENT {
            // Discrete sites were summed out of the target; each draw carries them drawn from
            // their conditional posterior at its continuous values, so that the fit's columns
            // of them are posterior draws too (warmup and sampling draws use apart streams).
            let counter = (index as u64) << 1 | u64::from(phase == Phase::Sampling);
            self.model
                .constrain_recovering(position, mix_seed(self.recovery_seed, counter))
        } else {
            self.model.constrain(position)
        };
        match constrained {
            Ok(draw) if phase == Phase::Sampling && self.stream.is_some() => {
                let mut one = <M::Sites as ModelSites>::Draws::default();
                one.push_selected(draw, &self.keep);
                self.stream(stats, &one);
                self.draws.extend(one);
            }
            Ok(draw) => columns.push_selected(draw, &self.keep),
            Err(error) => {
                self.faults.push(ChainFault::Draw {
                    draw: index,
                    error: std::sync::Arc::new(error),
                });
                self.failed = true;
            }
        }
    }
    fn stop(&self) -> bool {
        self.failed || self.cancel.is_some_and(Cancel::is_cancelled)
    }
}
