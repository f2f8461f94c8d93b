//! Step size adaptation: Nesterov dual averaging and Stan's initial step size heuristic.
//!
//! Dual averaging is Hoffman & Gelman (2014), "The No-U-Turn Sampler", JMLR 15, Algorithm 5 and
//! section 3.2.1, with Stan's defaults (reference manual, "Step size optimization"): target
//! acceptance δ = 0.8, γ = 0.05, t₀ = 10, κ = 0.75 and shrinkage point μ = ln(10 ε₀).

use rand::Rng;

use super::GradientTarget;
use super::hamiltonian::{Hamiltonian, PhasePoint};

/// Stan's default regularization scale γ.
const GAMMA: f64 = 0.05;
/// Stan's default iteration offset t₀, which damps the first iterations.
const T0: f64 = 10.0;
/// Stan's default decay exponent κ of the averaging weights.
const KAPPA: f64 = 0.75;

/// Dual averaging of `log ε` towards a target mean acceptance statistic (Stan's
/// `stepsize_adaptation`).
#[derive(Debug, Clone)]
pub(crate) struct DualAveraging {
    target_accept: f64,
    mu: f64,
    counter: f64,
    s_bar: f64,
    x_bar: f64,
}

impl DualAveraging {
    /// Adaptation towards mean acceptance `target_accept`, shrinking towards `ln(10 ε)`.
    pub(crate) fn new(target_accept: f64, step_size: f64) -> Self {
        let mut d = DualAveraging {
            target_accept,
            mu: 0.0,
            counter: 0.0,
            s_bar: 0.0,
            x_bar: 0.0,
        };
        d.restart(step_size);
        d
    }

    /// Forgets the history and shrinks towards `ln(10 ε)` from now on: Stan does this at the
    /// start of warmup and after every mass matrix update.
    pub(crate) fn restart(&mut self, step_size: f64) {
        self.mu = (10.0 * step_size).ln();
        self.counter = 0.0;
        self.s_bar = 0.0;
        self.x_bar = 0.0;
    }

    /// Records the acceptance statistic of one transition and returns the next step size.
    pub(crate) fn learn(&mut self, acceptance: f64) -> f64 {
        self.counter += 1.0;
        // A NaN statistic (impossible from our kernels) would poison the average: count it as 0.
        let acceptance = if acceptance.is_nan() {
            0.0
        } else {
            acceptance.min(1.0)
        };
        let eta = 1.0 / (self.counter + T0);
        self.s_bar = (1.0 - eta) * self.s_bar + eta * (self.target_accept - acceptance);
        let x = self.mu - self.s_bar * self.counter.sqrt() / GAMMA;
        let weight = self.counter.powf(-KAPPA);
        self.x_bar = (1.0 - weight) * self.x_bar + weight * x;
        x.exp()
    }

    /// Raises the target acceptance halfway to 1, to at most `cap` (a target already above
    /// `cap` stays). The history is kept: from now on each transition's shortfall is measured
    /// against the new target, which moves the iterates within tens of transitions and the
    /// averaged step size within about `t^κ` of them.
    pub(crate) fn raise_target(&mut self, cap: f64) {
        let raised = (0.5 * (1.0 + self.target_accept)).min(cap);
        self.target_accept = self.target_accept.max(raised);
    }

    /// The target acceptance the iterates steer towards.
    pub(crate) fn target(&self) -> f64 {
        self.target_accept
    }

    /// The step size to sample with once warmup ends: `exp(x̄)`, the weighted average iterate.
    pub(crate) fn final_step_size(&self) -> f64 {
        self.x_bar.exp()
    }
}

/// Largest step size the heuristic tries (Stan: "Posterior is improper").
const MAX_STEP_SIZE: f64 = 1e7;

/// Why the search for an initial step size failed; the sampler reports it as the
/// [`SamplerError`](super::SamplerError) of the same name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum StepSizeSearchError {
    /// The step size grew past 1e7 with the acceptance still high.
    ImproperPosterior {
        /// The step size that left the range.
        step_size: f64,
    },
    /// The step size shrank to 0 with the acceptance still low.
    StepSizeZero,
}

/// Stan's `base_hmc::init_stepsize`: from `step_size`, double (or halve) until one leapfrog
/// step from `current` with a fresh momentum has an acceptance probability `exp(H₀ - H)` on the
/// other side of 0.8. Hoffman & Gelman's Algorithm 4 uses 0.5; Stan has used 0.8 since 2.x.
///
/// As Stan, the search fails when the step size leaves `(0, 1e7]`: past 1e7 the posterior is
/// improper ([`StepSizeSearchError::ImproperPosterior`]), at 0 the log density is not continuous
/// ([`StepSizeSearchError::StepSizeZero`]).
pub(crate) fn initial_step_size<T, R>(
    hamiltonian: &mut Hamiltonian<'_, T>,
    current: &PhasePoint,
    step_size: f64,
    rng: &mut R,
) -> Result<f64, StepSizeSearchError>
where
    T: GradientTarget + ?Sized,
    R: Rng + ?Sized,
{
    // With no coordinates there is nothing to move (Stan runs its fixed-parameter sampler),
    // and with an invalid start the settings check has already failed.
    if current.position.is_empty() || !(step_size > 0.0 && step_size <= MAX_STEP_SIZE) {
        return Ok(step_size);
    }
    let threshold = 0.8_f64.ln();
    let mut trial = current.clone();
    let mut energy_drop = |hamiltonian: &mut Hamiltonian<'_, T>, step: f64, rng: &mut R| {
        trial.copy_from(current);
        hamiltonian.sample_momentum(&mut trial.momentum, rng);
        let h0 = hamiltonian.energy(&trial);
        hamiltonian.leapfrog(&mut trial, step);
        h0 - hamiltonian.energy(&trial)
    };
    let mut step_size = step_size;
    let grow = energy_drop(hamiltonian, step_size, rng) > threshold;
    loop {
        let drop = energy_drop(hamiltonian, step_size, rng);
        // `drop` is never NaN: the energy after the step is finite or +∞.
        if (grow && drop <= threshold) || (!grow && drop >= threshold) {
            return Ok(step_size);
        }
        let next = if grow {
            2.0 * step_size
        } else {
            0.5 * step_size
        };
        if next > MAX_STEP_SIZE {
            return Err(StepSizeSearchError::ImproperPosterior { step_size: next });
        }
        if next == 0.0 {
            return Err(StepSizeSearchError::StepSizeZero);
        }
        step_size = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inference::SamplerError;
    use crate::inference::hamiltonian::tests::Gaussian;
    use crate::inference::mass_matrix::{MassMatrix, MassMatrixKind};
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    #[test]
    fn dual_averaging_finds_the_step_size_with_target_acceptance() {
        // A synthetic acceptance curve exp(-ε): the target 0.8 is reached at ε* = ln(1/0.8).
        let mut adaptation = DualAveraging::new(0.8, 1.0);
        let mut step: f64 = 1.0;
        for _ in 0..2000 {
            step = adaptation.learn((-step).exp());
        }
        let best = -(0.8_f64.ln());
        // The averages still carry a little of the first iterations: 1.3% after 2000 steps.
        assert!((adaptation.final_step_size() / best - 1.0).abs() < 0.02);
        assert!((step / best - 1.0).abs() < 0.02);
    }

    #[test]
    fn first_dual_averaging_step_matches_stan() {
        // counter 1: s̄ = (δ - a)/11, x = μ - s̄ / γ, x̄ = x.
        let mut adaptation = DualAveraging::new(0.8, 0.5);
        let step = adaptation.learn(0.3);
        let x = (5.0_f64).ln() - (0.5 / 11.0) / 0.05;
        assert!((step - x.exp()).abs() < 1e-12);
        assert!((adaptation.final_step_size() - x.exp()).abs() < 1e-12);
        // Acceptance above 1 counts as 1; restarting forgets the history.
        adaptation.restart(0.1);
        let step = adaptation.learn(3.0);
        let x = (1.0_f64).ln() - (-0.2 / 11.0) / 0.05;
        assert!((step - x.exp()).abs() < 1e-12);
    }

    #[test]
    fn a_raised_target_moves_the_step_size_to_it() {
        // Acceptance exp(-ε) again: after 500 transitions at 0.8 the target goes to 0.9, whose
        // step size is ln(1/0.9) ≈ 0.105 against 0.223. Raising again stops at the cap.
        let mut adaptation = DualAveraging::new(0.8, 1.0);
        let mut step: f64 = 1.0;
        for _ in 0..500 {
            step = adaptation.learn((-step).exp());
        }
        adaptation.raise_target(0.95);
        assert_eq!(adaptation.target(), 0.9);
        for _ in 0..1500 {
            step = adaptation.learn((-step).exp());
        }
        // Within 5% of 0.105 (the old target's 0.223 is twice as large): the averages still
        // carry the first 500 transitions, 2.7% after 1500 more.
        let best = -(0.9_f64.ln());
        assert!((step / best - 1.0).abs() < 0.05, "{step} vs {best}");
        assert!((adaptation.final_step_size() / best - 1.0).abs() < 0.05);
        adaptation.raise_target(0.95);
        adaptation.raise_target(0.95);
        assert_eq!(adaptation.target(), 0.95);
        // A target above the cap is the user's: it stays.
        let mut strict = DualAveraging::new(0.99, 1.0);
        strict.raise_target(0.95);
        assert_eq!(strict.target(), 0.99);
    }

    #[test]
    fn initial_step_size_scales_with_the_target() {
        // For a Gaussian of scale s, the one-step energy error depends on ε/s only, so the
        // heuristic's answer is proportional to s (same seed, same momenta).
        let mut found = Vec::new();
        for scale in [1.0, 1e-3] {
            let mut target = Gaussian {
                scales: vec![scale; 4],
            };
            let metric = MassMatrix::identity(MassMatrixKind::Diagonal, 4);
            let mut h = Hamiltonian::new(&mut target, metric);
            let mut start = PhasePoint::new(vec![0.3 * scale, -0.2 * scale, 0.0, scale]);
            h.evaluate(&mut start);
            let mut rng = ChaCha8Rng::seed_from_u64(8);
            found.push(initial_step_size(&mut h, &start, 1.0, &mut rng).unwrap());
        }
        assert!(found[0] > 0.1 && found[0] < 4.0, "{found:?}");
        assert!(found[1] < 4e-3, "{found:?}");
    }

    /// A flat log density: every step is accepted, however long.
    struct Flat;

    impl GradientTarget for Flat {
        fn dim(&self) -> usize {
            2
        }
        fn log_density_and_gradient(
            &mut self,
            _x: &[f64],
            gradient: &mut [f64],
        ) -> Result<f64, crate::error::ModelError> {
            gradient.fill(0.0);
            Ok(0.0)
        }
    }

    #[test]
    fn an_improper_posterior_is_an_error_as_in_stan() {
        let mut target = Flat;
        let metric = MassMatrix::identity(MassMatrixKind::Diagonal, 2);
        let mut h = Hamiltonian::new(&mut target, metric);
        let mut start = PhasePoint::new(vec![0.0, 0.0]);
        h.evaluate(&mut start);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let error = initial_step_size(&mut h, &start, 1.0, &mut rng).unwrap_err();
        assert!(
            matches!(error, StepSizeSearchError::ImproperPosterior { step_size } if step_size > 1e7)
        );
        assert!(
            SamplerError::from(error)
                .to_string()
                .starts_with("the posterior looks improper")
        );
    }

    /// A log density finite only where it was first evaluated: a cliff that no step, however
    /// small, stays on (a discontinuous density).
    struct Cliff {
        evaluations: usize,
    }

    impl GradientTarget for Cliff {
        fn dim(&self) -> usize {
            2
        }
        fn log_density_and_gradient(
            &mut self,
            _x: &[f64],
            gradient: &mut [f64],
        ) -> Result<f64, crate::error::ModelError> {
            gradient.fill(0.0);
            self.evaluations += 1;
            Ok(if self.evaluations == 1 {
                0.0
            } else {
                f64::NEG_INFINITY
            })
        }
    }

    #[test]
    fn a_density_no_step_stays_on_is_an_error_as_in_stan() {
        let mut target = Cliff { evaluations: 0 };
        let metric = MassMatrix::identity(MassMatrixKind::Diagonal, 2);
        let mut h = Hamiltonian::new(&mut target, metric);
        let mut start = PhasePoint::new(vec![0.5, -0.5]);
        h.evaluate(&mut start);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let error = initial_step_size(&mut h, &start, 1.0, &mut rng).unwrap_err();
        assert!(matches!(error, StepSizeSearchError::StepSizeZero));
        assert!(
            SamplerError::from(error)
                .to_string()
                .starts_with("no acceptably small step size")
        );
    }
}
