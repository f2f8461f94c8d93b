//! Phase space, the Euclidean Hamiltonian and the leapfrog integrator shared by NUTS and HMC.
//!
//! `H(q, p) = -log π(q) + ½ pᵀ M⁻¹ p`. A log density that errors or is not finite at a point is
//! treated as `-∞`, so the energy there is `+∞` and the integrator step counts as a divergence,
//! as Stan does when the model throws a domain error inside a trajectory.

use rand::Rng;

use super::GradientTarget;
use super::mass_matrix::{MassMatrix, MassMatrixKind};

/// A point in phase space with the log density and its gradient at the position.
///
/// Public only in name, so that the sealed kernel trait may mention it; users cannot reach it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhasePoint {
    pub(crate) position: Vec<f64>,
    pub(crate) momentum: Vec<f64>,
    /// Gradient of the log density at `position` (meaningless when `log_density` is `-∞`).
    pub(crate) gradient: Vec<f64>,
    /// `-∞` when the target failed or returned a non-finite value or gradient.
    pub(crate) log_density: f64,
}

impl PhasePoint {
    /// A point at `position` with zero momentum, not yet evaluated.
    pub(crate) fn new(position: Vec<f64>) -> Self {
        let dim = position.len();
        PhasePoint {
            position,
            momentum: vec![0.0; dim],
            gradient: vec![0.0; dim],
            log_density: f64::NEG_INFINITY,
        }
    }

    /// Overwrites `self` with `other`, reusing the allocations.
    pub(crate) fn copy_from(&mut self, other: &PhasePoint) {
        copy_reals(&mut self.position, &other.position);
        copy_reals(&mut self.momentum, &other.momentum);
        copy_reals(&mut self.gradient, &other.gradient);
        self.log_density = other.log_density;
    }
}

/// A state of phase space to read, held elsewhere (NUTS keeps its states in a pool).
pub(crate) struct State<'a> {
    pub(crate) position: &'a [f64],
    pub(crate) momentum: &'a [f64],
    pub(crate) gradient: &'a [f64],
}

/// A state of phase space to write, with its velocity `M⁻¹ p`.
pub(crate) struct StateMut<'a> {
    pub(crate) position: &'a mut [f64],
    pub(crate) momentum: &'a mut [f64],
    pub(crate) gradient: &'a mut [f64],
    pub(crate) velocity: &'a mut [f64],
}

/// Vectors shorter than this are copied by [`copy_reals`] with moves written out.
const INLINE_COPY: usize = 32;

/// `dst.copy_from_slice(src)` for the sampler's vectors, which a NUTS transition copies in
/// and out of its pool of states, and the leapfrog copies for a dense or low-rank metric.
/// Below [`INLINE_COPY`] elements the copy is SSE2 moves of two elements (part of every x86-64
/// CPU): `copy_from_slice` calls `memcpy`, whose call and dispatch on the size cost more than
/// the copy of a few dozen bytes. When NUTS still copied states several times per leapfrog
/// step, a 10-d step (gradient included) took 0.90x the time with these moves (11 interleaved
/// runs of the overhead bench's chain, range 0.86-0.95), though callgrind counted 9% more
/// instructions: the moves replace a call, a jump through the PLT and `memcpy`'s branches on
/// the size. 100 dimensions, which keep `memcpy`, measured 1.00x.
#[inline(always)]
pub(crate) fn copy_reals(dst: &mut [f64], src: &[f64]) {
    assert_eq!(dst.len(), src.len(), "copies between vectors of one length");
    #[cfg(target_arch = "x86_64")]
    if src.len() < INLINE_COPY {
        use core::arch::x86_64::{_mm_loadu_pd, _mm_storeu_pd};
        let n = src.len();
        let (from, to) = (src.as_ptr(), dst.as_mut_ptr());
        let mut k = 0;
        while k + 2 <= n {
            // SAFETY: `k + 1 < n` in both slices, which have length `n`; SSE2 is part of
            // every x86-64 CPU.
            unsafe { _mm_storeu_pd(to.add(k), _mm_loadu_pd(from.add(k))) };
            k += 2;
        }
        if k < n {
            dst[k] = src[k];
        }
        return;
    }
    dst.copy_from_slice(src);
}

/// `H = -log π + K`, `+∞` (never NaN) where the log density failed (`-∞`) or the kinetic
/// energy is not finite.
fn total_energy(log_density: f64, kinetic: f64) -> f64 {
    let h = -log_density + kinetic;
    if h.is_nan() { f64::INFINITY } else { h }
}

/// A target with a mass matrix: energies, momentum draws and leapfrog steps.
///
/// It owns the mass matrix, which warmup adapts in place, so that one Hamiltonian (and its
/// leapfrog buffer) serves a whole chain.
///
/// Public only in name, so that the sealed kernel trait may mention it; users cannot reach it.
pub struct Hamiltonian<'a, T: ?Sized> {
    target: &'a mut T,
    mass_matrix: MassMatrix,
    /// `M⁻¹ p` at the leapfrog's half step for a dense metric, kept to avoid an allocation
    /// per step.
    velocity: Vec<f64>,
}

impl<'a, T: GradientTarget + ?Sized> Hamiltonian<'a, T> {
    pub(crate) fn new(target: &'a mut T, mass_matrix: MassMatrix) -> Self {
        Hamiltonian {
            velocity: vec![0.0; mass_matrix.dim()],
            target,
            mass_matrix,
        }
    }

    /// The mass matrix in use.
    pub(crate) fn mass_matrix(&self) -> &MassMatrix {
        &self.mass_matrix
    }

    /// The mass matrix, for warmup to replace by a new estimate of the same dimension.
    pub(crate) fn mass_matrix_mut(&mut self) -> &mut MassMatrix {
        &mut self.mass_matrix
    }

    /// The mass matrix, once the chain is done with the target.
    pub(crate) fn into_mass_matrix(self) -> MassMatrix {
        self.mass_matrix
    }

    /// Evaluates the log density and gradient at `point.position`, recording failure as `-∞`.
    #[cfg(test)]
    pub(crate) fn evaluate(&mut self, point: &mut PhasePoint) {
        point.log_density = match self
            .target
            .log_density_and_gradient(&point.position, &mut point.gradient)
        {
            Ok(lp) if lp.is_finite() && point.gradient.iter().all(|g| g.is_finite()) => lp,
            _ => f64::NEG_INFINITY,
        };
    }

    /// `H(q, p)`; `+∞` (never NaN) where the log density failed.
    pub(crate) fn energy(&self, point: &PhasePoint) -> f64 {
        self.energy_at(point.log_density, &point.momentum)
    }

    /// `H(q, p)` at a point of log density `log_density` and momentum `momentum`.
    fn energy_at(&self, log_density: f64, momentum: &[f64]) -> f64 {
        total_energy(log_density, self.mass_matrix.kinetic_energy(momentum))
    }

    /// [`energy_at`](Self::energy_at), also writing `M⁻¹ p` into `velocity`: the same
    /// energy to the bit, in one pass for a diagonal metric.
    pub(crate) fn energy_and_velocity_at(
        &self,
        log_density: f64,
        momentum: &[f64],
        velocity: &mut [f64],
    ) -> f64 {
        if self.mass_matrix.kind() != MassMatrixKind::Diagonal {
            // The low-rank metric's `kinetic_energy_and_velocity` sums in another order.
            self.velocity(momentum, velocity);
            return self.energy_at(log_density, momentum);
        }
        let kinetic = self
            .mass_matrix
            .kinetic_energy_and_velocity(momentum, velocity);
        total_energy(log_density, kinetic)
    }

    /// Draws a fresh momentum `p ~ N(0, M)`.
    pub(crate) fn sample_momentum<R: Rng + ?Sized>(&self, momentum: &mut [f64], rng: &mut R) {
        self.mass_matrix.sample_momentum(rng, momentum);
    }

    /// `M⁻¹ p`, the direction the position moves in (Stan's "p sharp").
    pub(crate) fn velocity(&self, momentum: &[f64], velocity: &mut [f64]) {
        self.mass_matrix.velocity(momentum, velocity);
    }

    /// One leapfrog step of size `step_size` (negative: backwards in time): half step in
    /// momentum, full step in position, half step in momentum (Stan's `expl_leapfrog`).
    pub(crate) fn leapfrog(&mut self, point: &mut PhasePoint, step_size: f64) {
        let half = 0.5 * step_size;
        self.mass_matrix.kick_and_drift(
            &mut point.position,
            &mut point.momentum,
            &point.gradient,
            half,
            step_size,
            &mut self.velocity,
        );
        let result = self
            .target
            .log_density_and_gradient(&point.position, &mut point.gradient);
        // The second half step and the finiteness check in one branch-free pass. Where the
        // point fails, the momentum is meaningless, and unused: the energy there is +∞.
        let mut finite = true;
        for (p, g) in point.momentum.iter_mut().zip(&point.gradient) {
            finite &= g.is_finite();
            *p += half * g;
        }
        point.log_density = match result {
            Ok(lp) if lp.is_finite() && finite => lp,
            _ => f64::NEG_INFINITY,
        };
    }

    /// [`leapfrog`](Self::leapfrog) from `from` into `to`, which also receives the velocity
    /// `M⁻¹ p` at its new momentum; returns the log density and the energy `H` at `to` (`-∞`
    /// and `+∞` where the target failed). The same floating-point operations as `leapfrog`
    /// followed by [`energy`](Self::energy) and [`velocity`](Self::velocity), in two passes
    /// over the vectors instead of four for a diagonal metric.
    pub(crate) fn leapfrog_into(
        &mut self,
        from: State<'_>,
        to: StateMut<'_>,
        step_size: f64,
    ) -> (f64, f64) {
        let half = 0.5 * step_size;
        self.mass_matrix.kick_and_drift_into(
            from,
            to.position,
            to.momentum,
            half,
            step_size,
            &mut self.velocity,
        );
        let result = self
            .target
            .log_density_and_gradient(to.position, to.gradient);
        let (kinetic, finite) =
            self.mass_matrix
                .kick_with_kinetic_energy(to.momentum, to.gradient, to.velocity, half);
        let log_density = match result {
            Ok(lp) if lp.is_finite() && finite => lp,
            _ => f64::NEG_INFINITY,
        };
        (log_density, total_energy(log_density, kinetic))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::ModelError;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    /// A centred Gaussian with independent coordinates of the given scales.
    pub(crate) struct Gaussian {
        pub(crate) scales: Vec<f64>,
    }

    impl GradientTarget for Gaussian {
        fn dim(&self) -> usize {
            self.scales.len()
        }
        fn log_density_and_gradient(
            &mut self,
            position: &[f64],
            gradient: &mut [f64],
        ) -> Result<f64, ModelError> {
            let mut lp = 0.0;
            for ((g, x), s) in gradient.iter_mut().zip(position).zip(&self.scales) {
                let z = x / s;
                lp -= 0.5 * z * z;
                *g = -z / s;
            }
            Ok(lp)
        }
    }

    fn start(h: &mut Hamiltonian<'_, Gaussian>, rng: &mut ChaCha8Rng) -> PhasePoint {
        let mut z = PhasePoint::new(vec![0.7, -1.3, 2.1]);
        h.evaluate(&mut z);
        h.sample_momentum(&mut z.momentum, rng);
        z
    }

    #[test]
    fn copies_are_exact_at_every_length() {
        // Both sides of `INLINE_COPY`, odd and even lengths, and values a copy through integer
        // registers or a conversion would change (a NaN payload, negative zero, subnormals).
        for n in 0..INLINE_COPY + 9 {
            let src: Vec<f64> = (0..n)
                .map(|i| match i % 4 {
                    0 => f64::from_bits(0x7ff8_0000_0000_0001 + i as u64),
                    1 => -0.0,
                    2 => f64::MIN_POSITIVE / (i as f64 + 2.0),
                    _ => i as f64 * 1.5 - 7.0,
                })
                .collect();
            let mut dst = vec![1.0; n];
            copy_reals(&mut dst, &src);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&dst), bits(&src), "length {n}");
        }
    }

    #[test]
    fn leapfrog_is_reversible() {
        let mut target = Gaussian {
            scales: vec![1.0, 0.5, 2.0],
        };
        let metric = MassMatrix::diagonal(vec![1.5, 0.3, 2.0]).unwrap();
        let mut h = Hamiltonian::new(&mut target, metric);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let z0 = start(&mut h, &mut rng);
        let mut z = z0.clone();
        for _ in 0..25 {
            h.leapfrog(&mut z, 0.1);
        }
        assert!(
            (z.position[0] - z0.position[0]).abs() > 0.1,
            "the trajectory moved"
        );
        // Flip the momentum, integrate back, flip again: the start point, to rounding.
        z.momentum.iter_mut().for_each(|p| *p = -*p);
        for _ in 0..25 {
            h.leapfrog(&mut z, 0.1);
        }
        z.momentum.iter_mut().for_each(|p| *p = -*p);
        for (a, b) in z.position.iter().zip(&z0.position) {
            assert!((a - b).abs() < 1e-12);
        }
        for (a, b) in z.momentum.iter().zip(&z0.momentum) {
            assert!((a - b).abs() < 1e-12);
        }
        // Integrating with a negative step is the same as flipping the momentum.
        let mut forward = z0.clone();
        h.leapfrog(&mut forward, 0.1);
        h.leapfrog(&mut forward, -0.1);
        assert!(
            forward
                .position
                .iter()
                .zip(&z0.position)
                .all(|(a, b)| (a - b).abs() < 1e-14)
        );
    }

    /// [`Hamiltonian::leapfrog_into`] from `z` into new vectors: the new state's position,
    /// momentum, gradient and velocity one after the other, and its log density and energy.
    fn step_into<T: GradientTarget>(
        h: &mut Hamiltonian<'_, T>,
        z: &PhasePoint,
        step_size: f64,
    ) -> (Vec<f64>, (f64, f64)) {
        let dim = z.position.len();
        let mut values = vec![f64::NAN; 4 * dim];
        let (position, rest) = values.split_at_mut(dim);
        let (momentum, rest) = rest.split_at_mut(dim);
        let (gradient, velocity) = rest.split_at_mut(dim);
        let from = State {
            position: &z.position,
            momentum: &z.momentum,
            gradient: &z.gradient,
        };
        let to = StateMut {
            position,
            momentum,
            gradient,
            velocity,
        };
        let result = h.leapfrog_into(from, to, step_size);
        (values, result)
    }

    #[test]
    fn a_step_into_a_new_state_is_the_step_in_place() {
        // Bit for bit, with every metric, forwards and backwards, in dimensions with and
        // without an odd last element and a partial block of the kinetic energy's eight
        // partial sums (the diagonal metric's loops run two elements at a time).
        use crate::inference::low_rank::LowRank;
        for dim in [1, 2, 3, 7, 8, 9, 10, 11, 16, 17, 23] {
            let scales: Vec<f64> = (0..dim).map(|i| 0.5 + 0.3 * i as f64).collect();
            let variances: Vec<f64> = (0..dim).map(|i| 1.5 - 0.04 * i as f64).collect();
            let mut dense = vec![0.0; dim * dim];
            for i in 0..dim {
                dense[i * dim + i] = variances[i];
                if i > 0 {
                    dense[i * dim + i - 1] = 0.1;
                    dense[(i - 1) * dim + i] = 0.1;
                }
            }
            let mut vector = vec![0.0; dim];
            vector[0] = 1.0;
            let metrics = [
                MassMatrix::diagonal(variances.clone()).unwrap(),
                MassMatrix::dense(dense, dim).unwrap(),
                MassMatrix::low_rank(LowRank {
                    scales: variances.iter().map(|v| v.sqrt()).collect(),
                    vectors: vector,
                    values: vec![2.0],
                }),
            ];
            for metric in metrics {
                let kind = metric.kind();
                let mut target = Gaussian {
                    scales: scales.clone(),
                };
                let mut h = Hamiltonian::new(&mut target, metric);
                let mut rng = ChaCha8Rng::seed_from_u64(dim as u64);
                let mut z = PhasePoint::new((0..dim).map(|i| 0.2 * i as f64 - 0.7).collect());
                h.evaluate(&mut z);
                h.sample_momentum(&mut z.momentum, &mut rng);
                for step in [0.4, -0.25] {
                    let (values, (log_density, energy)) = step_into(&mut h, &z, step);
                    h.leapfrog(&mut z, step);
                    // NUTS's energies along a trajectory, as it computed them before the
                    // step into a new state (the low-rank metric's kinetic energy differs
                    // from `energy`'s in its last bits).
                    let mut expected_velocity = vec![0.0; dim];
                    let kinetic = h
                        .mass_matrix()
                        .kinetic_energy_and_velocity(&z.momentum, &mut expected_velocity);
                    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    let expected = [&z.position, &z.momentum, &z.gradient, &expected_velocity]
                        .map(|x| bits(x))
                        .concat();
                    assert_eq!(bits(&values), expected, "{kind:?}, dimension {dim}");
                    assert_eq!(log_density.to_bits(), z.log_density.to_bits());
                    let expected_energy = -z.log_density + kinetic;
                    assert_eq!(energy.to_bits(), expected_energy.to_bits(), "{kind:?}");
                }
            }
        }
    }

    /// The maximum energy error over a trajectory of fixed length `time`.
    fn max_energy_error(h: &mut Hamiltonian<'_, Gaussian>, z0: &PhasePoint, step: f64) -> f64 {
        let time = 3.0;
        let h0 = h.energy(z0);
        let mut z = z0.clone();
        let mut worst: f64 = 0.0;
        for _ in 0..(time / step).round() as usize {
            h.leapfrog(&mut z, step);
            worst = worst.max((h.energy(&z) - h0).abs());
        }
        worst
    }

    #[test]
    fn leapfrog_energy_error_is_second_order() {
        use crate::inference::low_rank::LowRank;
        let mut target = Gaussian {
            scales: vec![1.0, 0.5, 2.0],
        };
        for kind in [
            MassMatrixKind::Diagonal,
            MassMatrixKind::Dense,
            MassMatrixKind::LowRank,
        ] {
            let metric = match kind {
                MassMatrixKind::Diagonal => MassMatrix::diagonal(vec![1.0, 0.4, 3.0]).unwrap(),
                MassMatrixKind::Dense => {
                    MassMatrix::dense(vec![1.0, 0.2, 0.0, 0.2, 0.4, 0.1, 0.0, 0.1, 3.0], 3).unwrap()
                }
                MassMatrixKind::LowRank => MassMatrix::low_rank(LowRank {
                    scales: vec![1.0, 0.6, 1.7],
                    vectors: vec![0.6, 0.8, 0.0],
                    values: vec![3.0],
                }),
            };
            let mut h = Hamiltonian::new(&mut target, metric);
            let mut rng = ChaCha8Rng::seed_from_u64(4);
            let z0 = start(&mut h, &mut rng);
            let errors: Vec<f64> = [0.1, 0.05, 0.025]
                .iter()
                .map(|&eps| max_energy_error(&mut h, &z0, eps))
                .collect();
            // Halving the step size divides the (bounded, oscillating) energy error by 4.
            for pair in errors.windows(2) {
                let ratio = pair[0] / pair[1];
                assert!((3.5..4.5).contains(&ratio), "{kind:?}: {errors:?}");
            }
        }
    }

    struct FailsRightOfOne;

    impl GradientTarget for FailsRightOfOne {
        fn dim(&self) -> usize {
            1
        }
        fn log_density_and_gradient(
            &mut self,
            position: &[f64],
            gradient: &mut [f64],
        ) -> Result<f64, ModelError> {
            if position[0] > 1.0 {
                return Err(ModelError::new(
                    "x",
                    &[],
                    crate::error::ModelErrorKind::NonFinite { value: f64::NAN },
                ));
            }
            gradient[0] = -position[0];
            Ok(-0.5 * position[0] * position[0])
        }
    }

    #[test]
    fn failed_evaluation_has_infinite_energy() {
        let mut target = FailsRightOfOne;
        let metric = MassMatrix::identity(MassMatrixKind::Diagonal, 1);
        let mut h = Hamiltonian::new(&mut target, metric);
        let mut z = PhasePoint::new(vec![0.9]);
        h.evaluate(&mut z);
        assert!(h.energy(&z).is_finite());
        z.momentum[0] = 1.0;
        h.leapfrog(&mut z, 0.5);
        assert_eq!(z.log_density, f64::NEG_INFINITY);
        assert_eq!(h.energy(&z), f64::INFINITY);
    }

    /// A finite log density whose gradient has one infinite or NaN element at `bad`.
    struct BadGradient {
        dim: usize,
        bad: f64,
    }

    impl GradientTarget for BadGradient {
        fn dim(&self) -> usize {
            self.dim
        }
        fn log_density_and_gradient(
            &mut self,
            position: &[f64],
            gradient: &mut [f64],
        ) -> Result<f64, ModelError> {
            for (g, x) in gradient.iter_mut().zip(position) {
                *g = -x;
            }
            gradient[self.dim / 2] = self.bad;
            Ok(-0.5 * position.iter().map(|x| x * x).sum::<f64>())
        }
    }

    #[test]
    fn a_non_finite_gradient_fails_the_step_into_a_new_state() {
        // The diagonal metric's SSE2 loop finds it through the kinetic energy it makes
        // non-finite; the others check the gradient. In low and high dimensions, at an element
        // in a pair of the loop and at an odd last one.
        for dim in [1, 3, 10, 21, 100] {
            for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
                for kind in [MassMatrixKind::Diagonal, MassMatrixKind::Dense] {
                    let mut target = BadGradient { dim, bad };
                    let mut h = Hamiltonian::new(&mut target, MassMatrix::identity(kind, dim));
                    let mut z = PhasePoint::new(vec![0.3; dim]);
                    z.gradient = vec![-0.3; dim];
                    z.log_density = -0.045 * dim as f64;
                    z.momentum = vec![0.5; dim];
                    let (_, (log_density, energy)) = step_into(&mut h, &z, 0.1);
                    assert_eq!(
                        (log_density, energy),
                        (f64::NEG_INFINITY, f64::INFINITY),
                        "{kind:?}, dimension {dim}, gradient element {bad}"
                    );
                }
            }
        }
    }
}
