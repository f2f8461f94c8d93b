//! nutpie's warmup: a diagonal mass matrix from draws and gradients, updated after every draw.
//!
//! For a Gaussian posterior with covariance `Σ`, the gradient of the log density is
//! `g = -Σ⁻¹ (x - μ)`, so `Cov g = Σ⁻¹`. Among diagonal `M⁻¹ = D`, the one minimizing the
//! Fisher divergence between the posterior and `N(μ, D)` is `Dᵢ = sqrt(Var xᵢ / Var gᵢ)`
//! (Seyboldt, Carlson and Carpenter, "Preconditioning Hamiltonian Monte Carlo by minimizing
//! Fisher divergence", the estimator of nutpie and nuts-rs). It uses the information of the
//! gradients, so a handful of draws already give a useful estimate, and it is exact for any
//! diagonal Gaussian; it also tames the funnel-like scales of hierarchical models better than
//! the draws' variance alone.
//!
//! The schedule is nuts-rs's `GlobalStrategy`. Over `T` warmup iterations:
//! - the initial point sets `Dᵢ = 1 / |gᵢ|`;
//! - every draw that moved is added to a foreground and a background estimator, and `D` is set
//!   from the foreground after every draw (once it holds three draws);
//! - the background replaces the foreground when it holds 10 draws during the first 30% of
//!   warmup, then when it holds a window that starts at 80 draws and grows by half at each
//!   switch, unless the next window would run into the final 15%;
//! - the final 15% adapts only the step size, for the last mass matrix;
//! - a foreground whose draws and gradients show a transient rather than a posterior (see
//!   [`TRANSIENT_PRODUCT`]) is not used: our first departure from nuts-rs;
//! - dual averaging runs across the whole warmup, restarted (with Stan's step size heuristic)
//!   once, when the first estimate from draws replaces the one from the initial gradient;
//! - a divergence once no new estimator window can start raises the target acceptance (see
//!   [`RAISED_TARGET_CAP`]): our second departure from nuts-rs.

use std::collections::VecDeque;

use super::Learned;
use crate::inference::TransitionStats;
use crate::inference::hamiltonian::PhasePoint;
use crate::inference::low_rank::{self, LowRank, Rejected};
use crate::inference::mass_matrix::{MassMatrix, MassMatrixKind, WelfordVariance};
use crate::inference::step_size::DualAveraging;

/// Share of warmup whose estimator windows are short (`EARLY_WINDOW` draws).
const EARLY_SHARE: f64 = 0.3;
/// Share of warmup, at its end, that adapts only the step size.
const STEP_SIZE_SHARE: f64 = 0.15;
/// Draws per estimator window in the early phase.
const EARLY_WINDOW: usize = 10;
/// The first estimator window after the early phase.
const FIRST_WINDOW: usize = 80;
/// Growth of the estimator window at each switch after the early phase.
const WINDOW_GROWTH: f64 = 1.5;
/// Above this `Var xᵢ · Var gᵢ` the foreground comes from a transient, not a posterior.
///
/// For a Gaussian posterior `Var xᵢ · Var gᵢ = Σᵢᵢ (Σ⁻¹)ᵢᵢ = 1 / (1 - Rᵢ²)`, with `Rᵢ` the multiple
/// correlation of coordinate `i` with the others: 1 when uncorrelated, 500 at a correlation of
/// 0.999, 10⁶ only beyond 0.9999995. A chain started in a super-exponentially steep tail
/// (posteriordb's `arma11` at a moving-average coefficient of 1.41: log density -10³⁰) gives
/// 10¹⁰ and more: there the draws barely move while the gradients vary over orders of magnitude,
/// and the estimate `sqrt(Var x / Var g)`, 10⁻⁷⁴, froze the chain for good (no draw moved again
/// to correct it). Such a foreground is not used: the metric stays as it was until the window
/// holds draws from the posterior. nutpie has no such guard.
const TRANSIENT_PRODUCT: f64 = 1e6;
/// The highest target acceptance that divergences raise it to (from Stan's 0.8: 0.9, then
/// 0.95).
///
/// A divergence once no new estimator window can start (the chain in the typical set, the
/// foreground the last metric's) raises the target acceptance halfway to 1, as Stan's manual
/// tells a user to do on divergences. Our departure from nutpie, for posteriors whose
/// acceptance falls off a cliff as the step size grows: on posteriordb's Poisson GP the
/// sampling acceptance is 0.77 at the step size dual averaging settles on for 0.8, with 3% of
/// transitions divergent, and 0.9 at 0.8 times that step size, with 0.4%. Stan's schedule
/// escapes the cliff only by its bias: its step size, averaged over a final window of 50
/// iterations that starts from a restart, gives an acceptance of 0.92 there. Restarting ours
/// the same way costs a quarter of the ESS per gradient on the hierarchical anchor; raising
/// the target only where divergences show keeps nutpie's step size everywhere else.
const RAISED_TARGET_CAP: f64 = 0.95;
/// Divergences at step sizes above this multiple of the averaged step size do not raise the
/// target acceptance: they are dual averaging's probes towards the stability limit, which even
/// a Gaussian has, and say little of the step size sampling will use. A 2-d Gaussian at a
/// target of 0.65 diverges from about 1.26 times its averaged step size, and should keep its
/// target (`step_size_adaptation_follows_the_target_acceptance`). On the Poisson GP the late
/// divergences come at 0.7 to 1.5 times the averaged step size. Divergences while sampling,
/// seeds 1 to 4 of 4 × 1000 draws: 261 counting only those at or below the average (1.0), 28
/// at 1.2, 10 at 1.25, 8 at 1.5; without raising, 111 and 125 for seeds 1 and 2 alone.
const PROBE_FACTOR: f64 = 1.2;
/// Bounds of an estimated variance, as in nuts-rs: they only catch overflow and underflow.
const VARIANCE_BOUNDS: (f64, f64) = (1e-20, 1e20);

/// Running means and variances of draws and of their gradients over one window.
#[derive(Debug, Clone)]
struct DrawsAndGradients {
    draws: WelfordVariance,
    gradients: WelfordVariance,
}

impl DrawsAndGradients {
    fn new(dim: usize) -> Self {
        DrawsAndGradients {
            draws: WelfordVariance::new(dim),
            gradients: WelfordVariance::new(dim),
        }
    }

    fn add(&mut self, point: &PhasePoint) {
        self.draws.add(&point.position);
        self.gradients.add(&point.gradient);
    }

    fn count(&self) -> usize {
        self.draws.count()
    }

    fn restart(&mut self) {
        self.draws.restart();
        self.gradients.restart();
    }

    /// The largest `Var xᵢ · Var gᵢ` over the coordinates (see [`TRANSIENT_PRODUCT`]).
    fn largest_product(&self) -> f64 {
        let n = self.count() as f64;
        self.draws
            .sum_squares()
            .iter()
            .zip(self.gradients.sum_squares())
            .map(|(x, g)| x * g / (n * n))
            .fold(0.0, f64::max)
    }

    /// Sets each variance of `inverse` to `sqrt(Var x / Var g)`; a coordinate whose estimate is
    /// zero or not finite (a coordinate that never moved) keeps its value.
    fn estimate_into(&self, inverse: &mut [f64]) {
        let (draws, gradients) = (&self.draws, &self.gradients);
        for ((v, x), g) in inverse
            .iter_mut()
            .zip(draws.sum_squares())
            .zip(gradients.sum_squares())
        {
            // Both sums have the same number of terms: their ratio is the ratio of variances.
            let estimate = (x / g).sqrt();
            if estimate.is_finite() && estimate > 0.0 {
                *v = estimate.clamp(VARIANCE_BOUNDS.0, VARIANCE_BOUNDS.1);
            }
        }
    }
}

/// What the estimators keep: running moments for a diagonal metric; the draws and gradients
/// themselves for a low-rank one (its estimate needs their span).
#[derive(Debug, Clone)]
enum Estimators {
    Diagonal {
        foreground: DrawsAndGradients,
        background: DrawsAndGradients,
    },
    /// The foreground is every stored point; the background, those from `split` on.
    LowRank {
        points: VecDeque<(Vec<f64>, Vec<f64>)>,
        split: usize,
        /// The foreground's size at the last estimate.
        estimated_at: usize,
    },
}

impl Estimators {
    fn add(&mut self, point: &PhasePoint) {
        match self {
            Estimators::Diagonal {
                foreground,
                background,
            } => {
                foreground.add(point);
                background.add(point);
            }
            Estimators::LowRank { points, .. } => {
                points.push_back((point.position.clone(), point.gradient.clone()));
            }
        }
    }

    fn foreground_count(&self) -> usize {
        match self {
            Estimators::Diagonal { foreground, .. } => foreground.count(),
            Estimators::LowRank { points, .. } => points.len(),
        }
    }

    fn background_count(&self) -> usize {
        match self {
            Estimators::Diagonal { background, .. } => background.count(),
            Estimators::LowRank { points, split, .. } => points.len() - *split,
        }
    }

    /// The background becomes the foreground, and a new background starts empty.
    fn switch(&mut self) {
        match self {
            Estimators::Diagonal {
                foreground,
                background,
            } => {
                std::mem::swap(foreground, background);
                background.restart();
            }
            Estimators::LowRank { points, split, .. } => {
                points.drain(..*split);
                *split = points.len();
            }
        }
    }

    /// Sets the mass matrix from the foreground (once it holds three points); whether it
    /// changed. A low-rank estimate costs `O(n d k)`, so it is redone only when the foreground
    /// has grown by a tenth, or was replaced, since the last one.
    fn estimate(&mut self, mass_matrix: &mut MassMatrix, switched: bool) -> bool {
        if self.foreground_count() < 3 {
            return false;
        }
        match self {
            Estimators::Diagonal { foreground, .. } => {
                if foreground.largest_product() > TRANSIENT_PRODUCT {
                    return false;
                }
                mass_matrix.set_diagonal(|inverse| foreground.estimate_into(inverse))
            }
            Estimators::LowRank {
                points,
                estimated_at,
                ..
            } => {
                let n = points.len();
                if !switched && 10 * n < 11 * *estimated_at {
                    return false;
                }
                let draws: Vec<&[f64]> = points.iter().map(|(x, _)| x.as_slice()).collect();
                let gradients: Vec<&[f64]> = points.iter().map(|(_, g)| g.as_slice()).collect();
                let estimate = low_rank::estimate(&draws, &gradients, TRANSIENT_PRODUCT);
                // A transient is not an estimate: the next window is tried at once.
                if estimate != Err(Rejected::Transient) {
                    *estimated_at = n;
                }
                match estimate.ok() {
                    // Fewer points than an early window span too few directions for their
                    // covariances to mean much: the first draws, from a chain still far from
                    // the typical set, once gave an eigenvalue of 1e15 that froze the chain.
                    Some(factors) if n < EARLY_WINDOW => {
                        *mass_matrix = MassMatrix::low_rank(factors.without_corrections());
                        true
                    }
                    Some(factors) => {
                        *mass_matrix = MassMatrix::low_rank(factors);
                        true
                    }
                    None => false,
                }
            }
        }
    }
}

/// nutpie's warmup of one chain.
#[derive(Debug, Clone)]
pub(crate) struct FisherWarmup {
    step_size: DualAveraging,
    /// Iteration counter, 0-based.
    iteration: usize,
    /// The first iteration after the early phase.
    early_end: usize,
    /// The first iteration of the final, step-size-only phase.
    final_start: usize,
    /// Draws the background estimator must hold before it replaces the foreground (after the
    /// early phase).
    window: usize,
    estimators: Estimators,
    /// Whether the mass matrix is still the one from the initial gradient.
    from_initial_gradient: bool,
}

impl FisherWarmup {
    /// Warmup of a diagonal or low-rank metric (a dense `kind` is refused by the sampler's
    /// settings check and adapts as diagonal here).
    pub(crate) fn new(
        num_warmup: usize,
        target_accept: f64,
        step_size: f64,
        kind: MassMatrixKind,
        dim: usize,
    ) -> Self {
        let warmup = num_warmup as f64;
        FisherWarmup {
            step_size: DualAveraging::new(target_accept, step_size),
            iteration: 0,
            early_end: (EARLY_SHARE * warmup) as usize,
            final_start: num_warmup - (STEP_SIZE_SHARE * warmup) as usize,
            window: FIRST_WINDOW,
            estimators: match kind {
                MassMatrixKind::LowRank => Estimators::LowRank {
                    points: VecDeque::new(),
                    split: 0,
                    estimated_at: 0,
                },
                MassMatrixKind::Diagonal | MassMatrixKind::Dense => Estimators::Diagonal {
                    foreground: DrawsAndGradients::new(dim),
                    background: DrawsAndGradients::new(dim),
                },
            },
            from_initial_gradient: true,
        }
    }

    /// Sets `Dᵢ = 1 / |gᵢ|` from the gradient at the initial point, the Fisher-divergence
    /// estimate from one point of a Gaussian centred away from it (nuts-rs); a zero gradient
    /// coordinate keeps variance 1.
    pub(crate) fn start(&mut self, initial: &PhasePoint, mass_matrix: &mut MassMatrix) {
        self.estimators.add(initial);
        let variances: Vec<f64> = initial
            .gradient
            .iter()
            .map(|g| {
                let magnitude = g.abs();
                if magnitude > 0.0 {
                    (1.0 / magnitude).clamp(VARIANCE_BOUNDS.0, VARIANCE_BOUNDS.1)
                } else {
                    1.0
                }
            })
            .collect();
        if !mass_matrix.set_diagonal(|inverse| inverse.copy_from_slice(&variances)) {
            *mass_matrix = MassMatrix::low_rank(LowRank::diagonal(&variances));
        }
    }

    /// Learns from one warmup transition (nuts-rs `GlobalStrategy::adapt`).
    pub(crate) fn learn(
        &mut self,
        stats: &TransitionStats,
        point: &PhasePoint,
        moved: bool,
        mass_matrix: &mut MassMatrix,
    ) -> Learned {
        let iteration = self.iteration;
        self.iteration += 1;
        if iteration >= self.final_start {
            return Learned {
                step_size: self.learn_step_size(stats, true),
                restart_step_size: false,
            };
        }
        let early = iteration < self.early_end;
        if iteration == self.early_end {
            // Never shrink the window below what the background already holds.
            self.window = self.window.max(self.estimators.background_count());
        }
        // A transition that returned its starting point adds nothing but a repeated draw.
        if moved {
            self.estimators.add(point);
        }
        let (switch_at, next_window) = if early {
            (EARLY_WINDOW, EARLY_WINDOW)
        } else {
            let grown = (self.window as f64 * WINDOW_GROWTH).round() as usize;
            (self.window, grown.max(self.window + 1))
        };
        // Switch only if another whole window fits before the final phase. Once none does, the
        // foreground is the one the last mass matrix comes from (nuts-rs's "late" iterations).
        let room = iteration + next_window <= self.final_start;
        let step_size = self.learn_step_size(stats, !room);
        let switched = self.estimators.background_count() >= switch_at && room;
        if switched {
            self.estimators.switch();
            if !early {
                self.window = next_window;
            }
        }
        let changed = self.estimators.estimate(mass_matrix, switched);
        let restart = changed && self.from_initial_gradient;
        if restart {
            self.from_initial_gradient = false;
        }
        Learned {
            step_size,
            restart_step_size: restart,
        }
    }

    /// Dual averaging's next step size. A divergence in a `late` iteration, at a step size
    /// within [`PROBE_FACTOR`] of the one sampling would use now (the averaged one), first
    /// raises the target acceptance (see [`RAISED_TARGET_CAP`]).
    fn learn_step_size(&mut self, stats: &TransitionStats, late: bool) -> f64 {
        let near = stats.step_size <= PROBE_FACTOR * self.step_size.final_step_size();
        if late && stats.divergent && near {
            self.step_size.raise_target(RAISED_TARGET_CAP);
        }
        self.step_size.learn(stats.acceptance_probability)
    }

    /// Restarts dual averaging from the step size found for the new mass matrix.
    pub(crate) fn restart_step_size(&mut self, step_size: f64) {
        self.step_size.restart(step_size);
    }

    /// The step size for sampling, once warmup is over.
    pub(crate) fn final_step_size(&self) -> f64 {
        self.step_size.final_step_size()
    }

    /// The target acceptance warmup ended with: the one asked for, or higher after late
    /// divergences.
    pub(crate) fn target_acceptance(&self) -> f64 {
        self.step_size.target()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};
    use rand_distr::StandardNormal;

    /// A transition at Stan's target acceptance, divergent or not.
    fn transition(divergent: bool) -> TransitionStats {
        TransitionStats {
            step_size: 0.5,
            tree_depth: 3,
            leapfrog_steps: 7,
            divergent,
            energy: 1.0,
            acceptance_probability: 0.8,
            log_density: -1.0,
        }
    }

    /// A point of the Gaussian with mean `mu` and standard deviations `sd`, with its gradient.
    fn gaussian_point(x: Vec<f64>, mu: &[f64], sd: &[f64]) -> PhasePoint {
        let mut point = PhasePoint::new(x);
        for (((g, x), m), s) in point
            .gradient
            .iter_mut()
            .zip(&point.position)
            .zip(mu)
            .zip(sd)
        {
            *g = -(x - m) / (s * s);
        }
        point
    }

    #[test]
    fn diagonal_gaussian_variances_are_recovered_exactly() {
        // For a diagonal Gaussian g = -(x - μ) / σ², so Var g = Var x / σ⁴ and
        // sqrt(Var x / Var g) = σ² whatever the draws: any three distinct draws suffice.
        let (mu, sd) = ([1.0, -3.0, 0.0], [10.0, 0.01, 1.0]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut warmup = FisherWarmup::new(1000, 0.8, 1.0, MassMatrixKind::Diagonal, 3);
        let mut metric = MassMatrix::identity(MassMatrixKind::Diagonal, 3);
        let draw = |rng: &mut ChaCha8Rng| {
            let x = (0..3)
                .map(|i| mu[i] + 0.3 * rng.sample::<f64, _>(StandardNormal))
                .collect();
            gaussian_point(x, &mu, &sd)
        };
        warmup.start(&draw(&mut rng), &mut metric);
        for _ in 0..5 {
            warmup.learn(&transition(false), &draw(&mut rng), true, &mut metric);
        }
        for (v, s) in metric.inverse_diagonal().iter().zip(&sd) {
            assert!((v / (s * s) - 1.0).abs() < 1e-9, "{v} vs {}", s * s);
        }
    }

    #[test]
    fn initial_gradient_sets_the_first_metric() {
        let mut warmup = FisherWarmup::new(100, 0.8, 1.0, MassMatrixKind::Diagonal, 3);
        let mut metric = MassMatrix::identity(MassMatrixKind::Diagonal, 3);
        let mut point = PhasePoint::new(vec![0.0; 3]);
        point.gradient = vec![-4.0, 0.5, 0.0];
        warmup.start(&point, &mut metric);
        // 1 / |g|, and variance 1 where the gradient is zero.
        assert_eq!(metric.inverse_diagonal(), vec![0.25, 2.0, 1.0]);
    }

    #[test]
    fn windows_follow_nuts_rs_schedule() {
        // 1000 iterations: early phase 0..300 switching every 10 moved draws, then windows of
        // 80 and 120; a window of 180 would end at 678 + 270 > 850 and does not start.
        let mut warmup = FisherWarmup::new(1000, 0.8, 1.0, MassMatrixKind::Diagonal, 1);
        let mut metric = MassMatrix::identity(MassMatrixKind::Diagonal, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        warmup.start(&gaussian_point(vec![0.5], &[0.0], &[1.0]), &mut metric);
        let mut switches = Vec::new();
        let mut restarts = Vec::new();
        for i in 0..1000 {
            let before = warmup.estimators.background_count();
            let x = rng.sample::<f64, _>(StandardNormal);
            let learned = warmup.learn(
                &transition(false),
                &gaussian_point(vec![x], &[0.0], &[1.0]),
                true,
                &mut metric,
            );
            if warmup.estimators.background_count() < before {
                switches.push(i);
            }
            if learned.restart_step_size {
                restarts.push(i);
            }
        }
        let mut expected: Vec<usize> = (8..300).step_by(10).collect();
        expected.extend([378, 498]);
        assert_eq!(switches, expected);
        // The step size search runs once, when draws first replace the initial gradient.
        assert_eq!(restarts, vec![1]);
        // The last foreground holds the draws 379..=849: the final 150 iterations add none.
        assert_eq!(warmup.estimators.foreground_count(), 849 - 379 + 1);
    }

    #[test]
    fn a_transient_through_a_steep_tail_is_not_estimated() {
        // Draws a hair apart where the log density is -x⁴⁰ (gradients ~ 10¹⁹ that vary by
        // tens of percent): Var x · Var g ≈ 10¹⁴, far above any Gaussian's.
        let mut warmup = FisherWarmup::new(1000, 0.8, 1.0, MassMatrixKind::Diagonal, 1);
        let mut metric = MassMatrix::identity(MassMatrixKind::Diagonal, 1);
        let steep = |x: f64| {
            let mut point = PhasePoint::new(vec![x]);
            point.gradient = vec![-40.0 * x.powi(39)];
            point
        };
        warmup.start(&steep(3.0), &mut metric);
        let initial = metric.inverse_diagonal();
        for k in 1..=12 {
            warmup.learn(
                &transition(false),
                &steep(3.0 - 1e-3 * k as f64),
                true,
                &mut metric,
            );
        }
        assert_eq!(metric.inverse_diagonal(), initial);
        // A Gaussian with correlation 0.999 (Var x · Var g = 500) is estimated.
        let mut warmup = FisherWarmup::new(1000, 0.8, 1.0, MassMatrixKind::Diagonal, 2);
        let mut metric = MassMatrix::identity(MassMatrixKind::Diagonal, 2);
        let rho: f64 = 0.999;
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let correlated = |rng: &mut ChaCha8Rng| {
            let (a, b): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
            let x = vec![a, rho * a + (1.0 - rho * rho).sqrt() * b];
            // g = -Σ⁻¹ x for Σ = [[1, ρ], [ρ, 1]].
            let scale = 1.0 / (1.0 - rho * rho);
            let mut point = PhasePoint::new(x);
            point.gradient = vec![
                -scale * (point.position[0] - rho * point.position[1]),
                -scale * (point.position[1] - rho * point.position[0]),
            ];
            point
        };
        warmup.start(&correlated(&mut rng), &mut metric);
        for _ in 0..15 {
            warmup.learn(&transition(false), &correlated(&mut rng), true, &mut metric);
        }
        // sqrt(Var x / Var g) = sqrt(1 / 500) ≈ 0.045 for both coordinates, up to sampling.
        for v in metric.inverse_diagonal() {
            assert!((0.02..0.1).contains(&v), "{v}");
        }
    }

    #[test]
    fn draws_that_did_not_move_are_not_counted() {
        let mut warmup = FisherWarmup::new(100, 0.8, 1.0, MassMatrixKind::Diagonal, 1);
        let mut metric = MassMatrix::identity(MassMatrixKind::Diagonal, 1);
        let point = gaussian_point(vec![0.5], &[0.0], &[1.0]);
        warmup.start(&point, &mut metric);
        for _ in 0..5 {
            warmup.learn(&transition(false), &point, false, &mut metric);
        }
        assert_eq!(warmup.estimators.foreground_count(), 1);
        assert_eq!(metric.inverse_diagonal(), vec![2.0]);
    }

    #[test]
    fn late_divergences_raise_the_target_acceptance() {
        // 1000 iterations: the last mass matrix window starts at 499 with 180 draws (see the
        // schedule test), the step-size-only phase at 850. From 581 no window of 270 fits
        // before 850: the iterations are late.
        let mut warmup = FisherWarmup::new(1000, 0.8, 1.0, MassMatrixKind::Diagonal, 1);
        let mut metric = MassMatrix::identity(MassMatrixKind::Diagonal, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let point =
            |rng: &mut ChaCha8Rng| gaussian_point(vec![rng.sample(StandardNormal)], &[0.0], &[1.0]);
        warmup.start(&point(&mut rng), &mut metric);
        let mut targets = Vec::new();
        for i in 0..1000 {
            // Divergences early and in the middle windows change nothing; from 581 on each
            // raises the target halfway to 1, up to the cap, unless its step size was above
            // the averaged one (the probe at 700, at twice it).
            let divergent = [5, 200, 580, 581, 700, 900, 950].contains(&i);
            let mut stats = transition(divergent);
            stats.step_size = warmup.final_step_size() * if i == 700 { 2.0 } else { 1.0 };
            warmup.learn(&stats, &point(&mut rng), true, &mut metric);
            if divergent {
                targets.push(warmup.target_acceptance());
            }
        }
        assert_eq!(targets, vec![0.8, 0.8, 0.8, 0.9, 0.9, 0.95, 0.95]);
    }
}
