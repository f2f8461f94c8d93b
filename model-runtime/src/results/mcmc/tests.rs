//! The progress chains report while they run: its counts, and that showing it leaves the draws
//! alone.

use super::*;
use crate::inference::{Phase, ProgressSnapshot};
use crate::prelude::*;

/// Centered eight schools: its funnel makes NUTS diverge, in warmup and in sampling.
#[model]
fn eight_schools(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta = sample!("theta", Normal::new(mu, tau));
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

const Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
const SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

/// Runs `nuts` with the display `mode`, returning the fit and what each chain's progress read
/// at the end.
fn fit_watched(
    nuts: &Nuts,
    mode: ProgressMode,
) -> (Fit<eight_schools::Sites>, Vec<ProgressSnapshot>) {
    let model = eight_schools(&Y, &SIGMA);
    let progress: Vec<ChainProgress> = (0..nuts.chains).map(|_| ChainProgress::new()).collect();
    let fit = nuts
        .run_chains(&progress, mode, |chain, progress| {
            nuts.run_chain(&model, &Init::Uniform, chain, progress)
        })
        .expect("eight schools fits");
    (fit, progress.iter().map(ChainProgress::snapshot).collect())
}

#[test]
fn progress_counts_what_the_fit_reports() {
    let nuts = Nuts::default()
        .warmup(150)
        .samples(120)
        .thin(3)
        .chains(3)
        .threads(2)
        .seed(5);
    let (fit, seen) = fit_watched(&nuts, ProgressMode::Off);
    assert_eq!(seen.len(), 3);
    let mut divergences = 0;
    for (chain, seen) in fit.chains().iter().zip(&seen) {
        assert_eq!(seen.phase, Some(Phase::Sampling));
        assert_eq!(
            (seen.warmup_iterations, seen.sampling_iterations),
            (150, 120)
        );
        assert_eq!(seen.completed, 270);
        let warmup_divergent = chain
            .sampler
            .warmup_stats
            .iter()
            .filter(|s| s.divergent)
            .count();
        assert_eq!(seen.warmup_divergences, warmup_divergent);
        assert_eq!(seen.step_size, chain.sampler.step_size);
        let (warmup, sampling, end) = (
            seen.warmup_started.unwrap(),
            seen.sampling_started.unwrap(),
            seen.finished.unwrap(),
        );
        assert!(warmup <= sampling && sampling <= end);
        divergences += seen.sampling_divergences;
    }
    // With thinning the fit keeps every third transition's statistics; progress counts every
    // transition, so the two agree on the total without thinning only.
    assert!(fit.divergences() <= divergences);
    let (fit, seen) = fit_watched(&nuts.thin(1), ProgressMode::Off);
    let seen: usize = seen.iter().map(|s| s.sampling_divergences).sum();
    assert_eq!(seen, fit.divergences());
    assert!(seen > 0, "centered eight schools diverges");
}

#[test]
fn showing_progress_leaves_the_draws_alone() {
    let nuts = Nuts::default().warmup(100).samples(50).chains(2).seed(9);
    let (quiet, _) = fit_watched(&nuts, ProgressMode::Off);
    // Lines, not bars: what `progress(true)` shows when stderr is not a terminal, printed with
    // `eprintln!`, which the test harness captures.
    let (shown, _) = fit_watched(&nuts, ProgressMode::Lines);
    for (quiet, shown) in quiet.chains().iter().zip(shown.chains()) {
        assert_eq!(quiet.sampler.draws, shown.sampler.draws);
        assert_eq!(quiet.sampler.stats, shown.sampler.stats);
    }
}

#[test]
fn progress_defaults_to_off_under_the_test_harness() {
    // The harness runs this test on a thread named after it, not on "main".
    assert_eq!(ProgressMode::choose(None), ProgressMode::Off);
    assert_eq!(ProgressMode::choose(Some(false)), ProgressMode::Off);
    assert_ne!(ProgressMode::choose(Some(true)), ProgressMode::Off);
}
