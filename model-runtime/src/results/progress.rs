//! The progress a fit prints on stderr while its chains run: one line per chain, redrawn in
//! place on a terminal (with `indicatif`), or one line per chain and phase, as each phase
//! ends, when stderr is a file or a pipe and progress was asked for.
//!
//! The chains only write their [`ChainProgress`] (a few relaxed atomic stores per transition);
//! this display runs on the thread that waits for them, reads the snapshots ten times a second
//! and does all the formatting and terminal output, so that showing progress costs the chains
//! nothing measurable.

use std::io::{self, IsTerminal};
use std::thread;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::inference::{ChainProgress, Phase, ProgressSnapshot};

/// How often the display reads the chains' progress and redraws: often enough to look live,
/// rarely enough to cost nothing.
const REFRESH: Duration = Duration::from_millis(100);

/// What a fit prints while its chains run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProgressMode {
    /// Nothing.
    Off,
    /// One line per chain and phase, when the phase ends: for logs, where a redrawn line
    /// would be one line per redraw.
    Lines,
    /// One line per chain, redrawn in place: for a terminal.
    Bars,
}

impl ProgressMode {
    /// The mode for a fit whose progress setting is `requested` (`None`: the default).
    ///
    /// By default, bars on a terminal and nothing elsewhere, as nutpie and PyMC do. The
    /// default also stays quiet unless the fit runs on the program's main thread: Rust's test
    /// harness runs each test on a thread of its own and writes its report to the same
    /// terminal (and, unlike pytest, does not capture what is written to stderr directly), so
    /// bars there would be drawn into `cargo test`'s output.
    pub(crate) fn choose(requested: Option<bool>) -> ProgressMode {
        let terminal = io::stderr().is_terminal();
        match requested {
            Some(false) => ProgressMode::Off,
            Some(true) if terminal => ProgressMode::Bars,
            Some(true) => ProgressMode::Lines,
            None if terminal && thread::current().name() == Some("main") => ProgressMode::Bars,
            None => ProgressMode::Off,
        }
    }
}

/// Shows the progress of `chains` as `mode` says, on the calling thread, until `all_ended`
/// returns true; then shows their final state once more. The threads running the chains
/// should unpark the calling thread when they end, so that the display does not make the fit
/// wait for its next refresh.
pub(crate) fn show_until(
    mode: ProgressMode,
    chains: &[ChainProgress],
    all_ended: impl Fn() -> bool,
) {
    let mut display = match mode {
        ProgressMode::Off => return,
        ProgressMode::Lines => Display::Lines(vec![Reported::default(); chains.len()]),
        ProgressMode::Bars => Display::bars(chains.len()),
    };
    loop {
        // Read before showing, so that the last round shows every chain ended.
        let ended = all_ended();
        for (index, chain) in chains.iter().enumerate() {
            display.show(index, &chain.snapshot(), Instant::now());
        }
        if ended {
            break;
        }
        thread::park_timeout(REFRESH);
    }
}

/// The display's state: what it has already shown of each chain.
enum Display {
    Lines(Vec<Reported>),
    Bars {
        // Kept alive while the bars are drawn: it owns the terminal lines they share.
        _lines: MultiProgress,
        bars: Vec<Bar>,
        /// The style of a chain that has begun: its bar, iterations and message.
        running: ProgressStyle,
    },
}

/// The phase ends a `Lines` display has printed for one chain.
#[derive(Debug, Clone, Copy, Default)]
struct Reported {
    warmup: bool,
    end: bool,
}

/// One chain's bar and what it shows.
struct Bar {
    bar: ProgressBar,
    phase: Option<Phase>,
    ended: bool,
}

impl Display {
    fn bars(chains: usize) -> Display {
        let lines = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        // `wide_msg` is cut at the terminal's width: a line that wrapped would break redrawing.
        let running =
            ProgressStyle::with_template("{prefix} [{bar:24}] {pos:>5}/{len:<5} {wide_msg}")
                .expect("a valid template")
                .progress_chars("=> ");
        // Until a chain begins (it waits for a thread, or checks its initial point), its
        // number of iterations is not known: no bar.
        let waiting =
            ProgressStyle::with_template("{prefix} {wide_msg}").expect("a valid template");
        let bars = (0..chains)
            .map(|index| {
                let bar = lines.add(ProgressBar::new(0).with_style(waiting.clone()));
                bar.set_prefix(label(index, None));
                bar.set_message("starting");
                Bar {
                    bar,
                    phase: None,
                    ended: false,
                }
            })
            .collect();
        Display::Bars {
            _lines: lines,
            bars,
            running,
        }
    }

    fn show(&mut self, index: usize, chain: &ProgressSnapshot, now: Instant) {
        match self {
            Display::Lines(reported) => print_lines(index, chain, &mut reported[index]),
            Display::Bars { bars, running, .. } => {
                draw_bar(index, chain, &mut bars[index], running, now);
            }
        }
    }
}

/// Prints the end of warmup when sampling has begun, and the end of the chain when it has
/// ended.
fn print_lines(index: usize, chain: &ProgressSnapshot, reported: &mut Reported) {
    let chain_number = index + 1;
    if let (Some(warmup), Some(sampling)) = (chain.warmup_started, chain.sampling_started)
        && !reported.warmup
    {
        reported.warmup = true;
        eprintln!(
            "chain {chain_number}: warmup done: {} iterations in {}, {}, step size {}",
            chain.warmup_iterations,
            rate(chain.warmup_iterations, sampling - warmup),
            divergences(chain.warmup_divergences),
            step_size(chain.step_size),
        );
    }
    if let Some(end) = chain.finished
        && !reported.end
    {
        reported.end = true;
        match (chain.sampling_started, ended_early(chain)) {
            (Some(sampling), false) => eprintln!(
                "chain {chain_number}: sampling done: {} draws in {}, {}, step size {}",
                chain.sampling_iterations,
                rate(chain.sampling_iterations, end - sampling),
                divergences(chain.sampling_divergences),
                step_size(chain.step_size),
            ),
            _ => eprintln!("chain {chain_number}: {}", failure(chain)),
        }
    }
}

/// Brings one chain's bar up to date.
fn draw_bar(
    index: usize,
    chain: &ProgressSnapshot,
    shown: &mut Bar,
    running: &ProgressStyle,
    now: Instant,
) {
    if shown.ended {
        return;
    }
    let bar = &shown.bar;
    if chain.phase != shown.phase {
        if shown.phase.is_none() {
            bar.set_style(running.clone());
        }
        shown.phase = chain.phase;
        bar.set_prefix(label(index, chain.phase));
        bar.set_length(chain.total() as u64);
    }
    bar.set_position(chain.completed as u64);
    if let Some(end) = chain.finished {
        shown.ended = true;
        if ended_early(chain) {
            bar.set_prefix(label_text(index, "failed"));
            bar.abandon_with_message(failure(chain));
        } else {
            bar.set_prefix(label_text(index, "done"));
            let took = end - chain.warmup_started.unwrap_or(end);
            bar.finish_with_message(format!(
                "in {}  {:<14}  step size {}",
                rate(chain.total(), took),
                divergences(chain.sampling_divergences),
                step_size(chain.step_size)
            ));
        }
        return;
    }
    let (Some(phase), Some(started)) = (chain.phase, phase_start(chain)) else {
        return;
    };
    // The mean rate of the phase running: warmup's first windows run longer trajectories than
    // sampling, so the ETA from warmup's rate errs long, and settles once sampling runs.
    let done_in_phase = match phase {
        Phase::Warmup => chain.completed,
        Phase::Sampling => chain.completed.saturating_sub(chain.warmup_iterations),
    };
    let elapsed = now.saturating_duration_since(started).as_secs_f64();
    let per_second = done_in_phase as f64 / elapsed;
    let divergent = match phase {
        Phase::Warmup => chain.warmup_divergences,
        Phase::Sampling => chain.sampling_divergences,
    };
    let speed = if done_in_phase > 0 && per_second.is_finite() {
        let left = chain.total().saturating_sub(chain.completed) as f64 / per_second;
        format!(
            "{per_second:>6.0} draws/s  ETA {:<6}",
            duration(Duration::from_secs_f64(left))
        )
    } else {
        format!("{:>6} draws/s  ETA {:<6}", "-", "-")
    };
    bar.set_message(format!(
        "{speed}  {:<14}  step size {}",
        divergences(divergent),
        step_size(chain.step_size)
    ));
}

/// When the phase running began.
fn phase_start(chain: &ProgressSnapshot) -> Option<Instant> {
    match chain.phase? {
        Phase::Warmup => chain.warmup_started,
        Phase::Sampling => chain.sampling_started,
    }
}

/// Whether a chain that ended did not run all its iterations: it failed (at its initial
/// point, before any phase began, or later while mapping its draws) and the fit says why.
fn ended_early(chain: &ProgressSnapshot) -> bool {
    chain.phase != Some(Phase::Sampling) || chain.completed < chain.total()
}

fn failure(chain: &ProgressSnapshot) -> String {
    match chain.phase {
        None => "failed before warmup (the fit reports why)".to_string(),
        Some(_) => format!(
            "failed after {} of {} iterations (the fit reports why)",
            chain.completed,
            chain.total()
        ),
    }
}

/// `chain 3 sampling`, padded so that the bars of all phases line up.
fn label(index: usize, phase: Option<Phase>) -> String {
    let phase = match phase {
        None => "",
        Some(Phase::Warmup) => "warmup",
        Some(Phase::Sampling) => "sampling",
    };
    label_text(index, phase)
}

fn label_text(index: usize, state: &str) -> String {
    format!("chain {:<2} {state:<8}", index + 1)
}

/// `1.3s (1540/s)`: how long `iterations` took, and how many per second.
fn rate(iterations: usize, took: Duration) -> String {
    let seconds = took.as_secs_f64();
    if seconds > 0.0 {
        let per_second = iterations as f64 / seconds;
        format!("{} ({per_second:.0}/s)", duration(took))
    } else {
        duration(took)
    }
}

/// `0.04s`, `2.4s`, `12s`, `3m05s`, `1h02m`: to the precision a person reads a progress line at.
fn duration(took: Duration) -> String {
    let seconds = took.as_secs_f64();
    let whole = took.as_secs();
    match whole {
        0 => format!("{seconds:.2}s"),
        1..10 => format!("{seconds:.1}s"),
        10..60 => format!("{whole}s"),
        60..3600 => format!("{}m{:02}s", whole / 60, whole % 60),
        _ => format!("{}h{:02}m", whole / 3600, whole % 3600 / 60),
    }
}

fn divergences(count: usize) -> String {
    match count {
        1 => "1 divergence".to_string(),
        _ => format!("{count} divergences"),
    }
}

/// Three significant digits: step sizes range from about 1 down to 1e-4 and below.
fn step_size(value: f64) -> String {
    if value.is_nan() {
        "-".to_string()
    } else if value >= 0.01 {
        format!("{value:.3}")
    } else {
        format!("{value:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_a_glance() {
        let cases = [
            (0.043, "0.04s"),
            (2.44, "2.4s"),
            (9.96, "10.0s"),
            (12.7, "12s"),
            (185.0, "3m05s"),
            (3720.0, "1h02m"),
        ];
        for (seconds, shown) in cases {
            assert_eq!(
                duration(Duration::from_secs_f64(seconds)),
                shown,
                "{seconds}"
            );
        }
    }

    #[test]
    fn step_sizes_keep_three_significant_digits() {
        assert_eq!(step_size(0.41234), "0.412");
        assert_eq!(step_size(0.00123), "1.23e-3");
        assert_eq!(step_size(f64::NAN), "-");
    }

    #[test]
    fn a_chain_that_stops_short_failed() {
        let mut chain = ChainProgress::new().snapshot();
        assert!(ended_early(&chain));
        chain.phase = Some(Phase::Sampling);
        (chain.warmup_iterations, chain.sampling_iterations) = (10, 10);
        chain.completed = 19;
        assert!(ended_early(&chain));
        chain.completed = 20;
        assert!(!ended_early(&chain));
    }
}
