//! Stan's windowed warmup: step size and mass matrix adaptation.
//!
//! Stan reference manual, "HMC algorithm parameters: Automatic parameter tuning": warmup is an
//! initial fast interval (75 iterations) in which only the step size adapts, a series of slow
//! windows (25, 50, 100, … iterations; the last one stretched to the terminal buffer) at the end
//! of each of which the mass matrix is set to the regularized covariance of that window's draws
//! and step size adaptation restarts, and a terminal fast interval (50 iterations) in which the
//! step size settles for the final mass matrix. When the warmup is shorter than 150 iterations
//! the three stages take 15% / 75% / 10% of it; below 20 iterations only the step size adapts.

use super::Learned;
use crate::inference::mass_matrix::{
    MassMatrix, MassMatrixKind, WelfordCovariance, WelfordVariance, regularize,
};
use crate::inference::step_size::DualAveraging;

/// Stan's default initial fast buffer.
const INIT_BUFFER: usize = 75;
/// Stan's default terminal fast buffer.
const TERM_BUFFER: usize = 50;
/// Stan's default first slow window.
const BASE_WINDOW: usize = 25;

/// The schedule of slow windows over warmup (Stan's `windowed_adaptation`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WindowSchedule {
    /// `false` below 20 warmup iterations: the mass matrix is then never estimated.
    enabled: bool,
    num_warmup: usize,
    init_buffer: usize,
    term_buffer: usize,
    counter: usize,
    window_size: usize,
    next_window_end: usize,
}

impl WindowSchedule {
    /// Stan's default schedule for `num_warmup` iterations.
    pub(crate) fn new(num_warmup: usize) -> Self {
        Self::with_buffers(num_warmup, INIT_BUFFER, TERM_BUFFER, BASE_WINDOW)
    }

    fn with_buffers(num_warmup: usize, init: usize, term: usize, base: usize) -> Self {
        let (enabled, init, term, base) = if num_warmup < 20 {
            (false, 0, 0, 0)
        } else if init + base + term > num_warmup {
            // Stan truncates the fractions to whole iterations. Stan's `set_window_params`
            // returns from this branch without `restart()`, which leaves its first window end
            // at `0u - 1`, so its metric may never update here; we follow the manual's intent
            // and adapt at the end of the single slow window.
            let init = (0.15 * num_warmup as f64) as usize;
            let term = (0.1 * num_warmup as f64) as usize;
            (true, init, term, num_warmup - (init + term))
        } else {
            (true, init, term, base)
        };
        WindowSchedule {
            enabled,
            num_warmup,
            init_buffer: init,
            term_buffer: term,
            counter: 0,
            window_size: base,
            next_window_end: (init + base).saturating_sub(1),
        }
    }

    /// Whether the current iteration's draw belongs to a slow window.
    fn in_slow_window(&self) -> bool {
        self.enabled
            && self.counter >= self.init_buffer
            && self.counter < self.num_warmup - self.term_buffer
    }

    /// Whether the current iteration is the last of a slow window.
    fn ends_slow_window(&self) -> bool {
        self.enabled && self.counter == self.next_window_end && self.counter != self.num_warmup
    }

    /// Stan's `compute_next_window`: double the window, and stretch it to the terminal buffer
    /// when the window after it would not fit.
    fn compute_next_window(&mut self) {
        let last_end = self.num_warmup - self.term_buffer - 1;
        if self.next_window_end == last_end {
            return;
        }
        self.window_size *= 2;
        self.next_window_end = self.counter + self.window_size;
        if self.next_window_end == last_end {
            return;
        }
        let following_end = self.next_window_end + 2 * self.window_size;
        if following_end >= self.num_warmup - self.term_buffer {
            self.next_window_end = last_end;
        }
    }
}

/// The covariance estimator of the current slow window.
#[derive(Debug, Clone)]
enum Estimator {
    Diagonal(WelfordVariance),
    Dense(WelfordCovariance),
}

/// Everything warmup learns: the step size (dual averaging) and the mass matrix (windows).
#[derive(Debug, Clone)]
pub(crate) struct WindowedWarmup {
    step_size: DualAveraging,
    schedule: WindowSchedule,
    estimator: Estimator,
    /// Warmup iterations whose window's estimate was not finite or not positive definite,
    /// and was not used.
    rejected: Vec<usize>,
}

impl WindowedWarmup {
    /// Adaptation over `num_warmup` iterations starting from `step_size`, targeting mean
    /// acceptance `target_accept`, estimating a mass matrix of the given kind and dimension.
    pub(crate) fn new(
        num_warmup: usize,
        target_accept: f64,
        step_size: f64,
        kind: MassMatrixKind,
        dim: usize,
    ) -> Self {
        WindowedWarmup {
            step_size: DualAveraging::new(target_accept, step_size),
            schedule: WindowSchedule::new(num_warmup),
            estimator: match kind {
                // A low-rank metric is refused by the sampler's settings check.
                MassMatrixKind::Diagonal | MassMatrixKind::LowRank => {
                    Estimator::Diagonal(WelfordVariance::new(dim))
                }
                MassMatrixKind::Dense => Estimator::Dense(WelfordCovariance::new(dim)),
            },
            rejected: Vec::new(),
        }
    }

    /// Learns from one warmup transition that ended at `position` with the given acceptance
    /// statistic (Stan's `adapt_diag_e_nuts::transition`: step size first, then the metric).
    pub(crate) fn learn(
        &mut self,
        acceptance: f64,
        position: &[f64],
        mass_matrix: &mut MassMatrix,
    ) -> Learned {
        let step_size = self.step_size.learn(acceptance);
        if self.schedule.in_slow_window() {
            match &mut self.estimator {
                Estimator::Diagonal(e) => e.add(position),
                Estimator::Dense(e) => e.add(position),
            }
        }
        let updated = self.schedule.ends_slow_window();
        if updated {
            self.schedule.compute_next_window();
            match self.estimate() {
                Some(Some(estimate)) => *mass_matrix = estimate,
                // Stan reports a covariance it cannot use; so does the fit (as a warning).
                Some(None) => self.rejected.push(self.schedule.counter),
                None => {}
            }
            match &mut self.estimator {
                Estimator::Diagonal(e) => e.restart(),
                Estimator::Dense(e) => e.restart(),
            }
        }
        self.schedule.counter += 1;
        Learned {
            step_size,
            restart_step_size: updated,
        }
    }

    /// Restarts dual averaging from the step size found for the new mass matrix.
    pub(crate) fn restart_step_size(&mut self, step_size: f64) {
        self.step_size.restart(step_size);
    }

    /// The step size for sampling, once warmup is over.
    pub(crate) fn final_step_size(&self) -> f64 {
        self.step_size.final_step_size()
    }

    /// The target acceptance: Stan's schedule never changes it.
    pub(crate) fn target_acceptance(&self) -> f64 {
        self.step_size.target()
    }

    /// Warmup iterations at which the window's estimate was not finite or not positive
    /// definite, so that the previous mass matrix was kept.
    pub(crate) fn rejected_estimates(&self) -> &[usize] {
        &self.rejected
    }

    /// The regularized estimate of this window: `None` when there are too few draws (keep the
    /// old matrix), `Some(None)` when the estimate is not positive definite and finite (keep
    /// the old matrix, and say so).
    fn estimate(&self) -> Option<Option<MassMatrix>> {
        match &self.estimator {
            Estimator::Diagonal(e) => {
                let mut variance = e.variance()?;
                regularize(&mut variance, e.count(), None);
                Some(MassMatrix::diagonal(variance))
            }
            Estimator::Dense(e) => {
                let mut covariance = e.covariance()?;
                let dim = (covariance.len() as f64).sqrt().round() as usize;
                regularize(&mut covariance, e.count(), Some(dim));
                Some(MassMatrix::dense(covariance, dim))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The iterations (0-based) at which the mass matrix is updated, and the slow draws used.
    fn window_ends(num_warmup: usize) -> (Vec<usize>, usize) {
        let mut schedule = WindowSchedule::new(num_warmup);
        let mut ends = Vec::new();
        let mut slow = 0;
        for i in 0..num_warmup {
            slow += usize::from(schedule.in_slow_window());
            if schedule.ends_slow_window() {
                schedule.compute_next_window();
                ends.push(i);
            }
            schedule.counter += 1;
        }
        (ends, slow)
    }

    #[test]
    fn default_windows_match_stan() {
        // 75 fast, then windows of 25, 50, 100, 200 and a last one stretched to 500, then 50.
        assert_eq!(window_ends(1000), (vec![99, 149, 249, 449, 949], 875));
        assert_eq!(window_ends(150), (vec![99], 25));
        assert_eq!(window_ends(200), (vec![99, 149], 75));
        assert_eq!(
            window_ends(2000),
            (vec![99, 149, 249, 449, 849, 1949], 1875)
        );
    }

    #[test]
    fn an_estimate_that_is_not_finite_is_kept_out_and_recorded() {
        // Draws of 1e200: their squares overflow, so the window's variance is infinite.
        let mut warmup = WindowedWarmup::new(150, 0.8, 1.0, MassMatrixKind::Diagonal, 1);
        let mut mass_matrix = MassMatrix::identity(MassMatrixKind::Diagonal, 1);
        for i in 0..150 {
            let x = if i % 2 == 0 { 1e200 } else { -1e200 };
            warmup.learn(0.8, &[x], &mut mass_matrix);
        }
        // One slow window, ending at iteration 99: rejected, the identity kept.
        assert_eq!(warmup.rejected_estimates(), [99]);
        assert_eq!(mass_matrix.inverse_diagonal(), [1.0]);

        // Ordinary draws are used, and nothing is recorded.
        let mut warmup = WindowedWarmup::new(150, 0.8, 1.0, MassMatrixKind::Diagonal, 1);
        for i in 0..150 {
            warmup.learn(
                0.8,
                &[if i % 2 == 0 { 3.0 } else { -3.0 }],
                &mut mass_matrix,
            );
        }
        assert!(warmup.rejected_estimates().is_empty());
        assert!(mass_matrix.inverse_diagonal()[0] > 5.0);
    }

    #[test]
    fn short_warmup_uses_fractions() {
        // 15% / 75% / 10%: init 15, window 75, term 10.
        assert_eq!(window_ends(100), (vec![89], 75));
        assert_eq!(window_ends(20), (vec![17], 15));
        assert_eq!(window_ends(19), (vec![], 0));
        assert_eq!(window_ends(0), (vec![], 0));
    }

    #[test]
    fn window_end_sets_the_regularized_variance() {
        let mut adaptation = WindowedWarmup::new(20, 0.8, 1.0, MassMatrixKind::Diagonal, 2);
        let mut metric = MassMatrix::identity(MassMatrixKind::Diagonal, 2);
        // init buffer 3, one window of 15 draws (iterations 3..=17), term buffer 2.
        let mut steps = Vec::new();
        for i in 0..20 {
            let x = [i as f64, 0.0];
            steps.push(adaptation.learn(0.8, &x, &mut metric));
        }
        let updates: Vec<usize> = steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.restart_step_size)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(updates, vec![17]);
        // Draws 3..=17 (15 of them): sample variance of consecutive integers is n(n+1)/12.
        let n = 15.0;
        let variance = n * (n + 1.0) / 12.0;
        let expected = n / (n + 5.0) * variance + 1e-3 * 5.0 / (n + 5.0);
        let got = metric.inverse_diagonal();
        assert!((got[0] - expected).abs() < 1e-12, "{got:?}");
        assert!((got[1] - 1e-3 * 5.0 / (n + 5.0)).abs() < 1e-15);
    }
}
