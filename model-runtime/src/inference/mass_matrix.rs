//! The mass matrix (Stan's "metric") of the Hamiltonian, and the Welford estimators that adapt it.
//!
//! The kinetic energy is `K(p) = ½ pᵀ M⁻¹ p` and momenta are drawn from `N(0, M)`. As in Stan we
//! store the *inverse* mass matrix `M⁻¹`, which warmup sets to a regularized estimate of the
//! posterior covariance (Stan reference manual, "HMC algorithm parameters: Euclidean metric").
//!
//! Its length (about 620 lines) is the three metrics (diagonal, dense, low-rank) and their Welford
//! estimators with their derivations in the docs (about 190 lines); its tests are in
//! `mass_matrix/tests.rs`.

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

use super::hamiltonian::{State, copy_reals};
use super::low_rank::LowRank;
use crate::vector_math::{Kernel, dispatch, dot};

/// The inverse mass matrix `M⁻¹` of Euclidean HMC: diagonal or dense.
///
/// Warmup estimates it (from the draws of each slow window with the default
/// [`Adaptation::Windowed`](super::Adaptation), from draws and gradients with
/// [`Adaptation::GradientBased`](super::Adaptation)), so after a successful warmup it
/// approximates the posterior covariance (diagonal: the posterior variances).
/// Read it from [`UnconstrainedChain::mass_matrix`](super::UnconstrainedChain::mass_matrix).
///
/// # Example
///
/// ```
/// use model_runtime::inference::{MassMatrixKind, Sampler};
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
/// use rand::rngs::ChaCha8Rng;
///
/// let mut rng = ChaCha8Rng::seed_from_u64(1);
/// let chain = Sampler::nuts()
///     .warmup(200)
///     .samples(10)
///     .mass_matrix(MassMatrixKind::Dense)
///     .run(&mut StdNormal(2), vec![0.5, -0.5], &mut rng)?;
/// let m = &chain.mass_matrix;
/// assert_eq!((m.kind(), m.dim()), (MassMatrixKind::Dense, 2));
/// // Posterior variances are 1: the adapted inverse mass matrix is close to the identity.
/// assert!(m.inverse_diagonal().iter().all(|v| (0.5..2.0).contains(v)));
/// # Ok::<(), model_runtime::inference::SamplerError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MassMatrix {
    dim: usize,
    shape: Shape,
}

/// Which mass matrix warmup adapts: only the variances, or the full covariance.
///
/// # Example
///
/// ```
/// use model_runtime::inference::{MassMatrixKind, Sampler};
///
/// assert_eq!(MassMatrixKind::default(), MassMatrixKind::Diagonal);
/// let sampler = Sampler::nuts().mass_matrix(MassMatrixKind::Dense);
/// # let _ = sampler;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MassMatrixKind {
    /// `M⁻¹` is diagonal: one variance per coordinate (Stan's `diag_e`, the default).
    #[default]
    Diagonal,
    /// `M⁻¹` is a full covariance matrix (Stan's `dense_e`): costs `O(n²)` per leapfrog step and
    /// needs many more warmup draws than dimensions, but removes linear correlations.
    Dense,
    /// `M⁻¹` is a diagonal corrected along a few directions (nutpie's `low_rank`), estimated
    /// from draws and gradients with [`Adaptation::GradientBased`](super::Adaptation): removes
    /// the strongest correlations at `O(n k)` per leapfrog step for `k` directions.
    LowRank,
}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// The diagonal of `M⁻¹`, and its square roots, by which each momentum draw is divided:
    /// kept so that a transition takes no square root (they change only when warmup sets a
    /// new diagonal, through [`MassMatrix::set_diagonal`]).
    Diagonal {
        inverse: Vec<f64>,
        sqrt_inverse: Vec<f64>,
    },
    /// `M⁻¹` row-major, and its lower Cholesky factor `L` with `M⁻¹ = L Lᵀ` (row-major).
    Dense {
        inverse: Vec<f64>,
        cholesky: Vec<f64>,
    },
    /// `M⁻¹ = S (I + V (Λ - I) Vᵀ) S`.
    LowRank(LowRank),
}

impl Shape {
    /// A diagonal `M⁻¹` and its square roots.
    fn diagonal(inverse: Vec<f64>) -> Shape {
        let sqrt_inverse = inverse.iter().map(|m| m.sqrt()).collect();
        Shape::Diagonal {
            inverse,
            sqrt_inverse,
        }
    }
}

impl MassMatrix {
    /// The unit mass matrix of the given kind: where warmup starts, as in Stan.
    pub(crate) fn identity(kind: MassMatrixKind, dim: usize) -> Self {
        match kind {
            MassMatrixKind::Diagonal => MassMatrix {
                dim,
                shape: Shape::diagonal(vec![1.0; dim]),
            },
            MassMatrixKind::LowRank => MassMatrix {
                dim,
                shape: Shape::LowRank(LowRank::diagonal(&vec![1.0; dim])),
            },
            MassMatrixKind::Dense => {
                let mut identity = vec![0.0; dim * dim];
                for i in 0..dim {
                    identity[i * dim + i] = 1.0;
                }
                MassMatrix {
                    dim,
                    shape: Shape::Dense {
                        inverse: identity.clone(),
                        cholesky: identity,
                    },
                }
            }
        }
    }

    /// A diagonal inverse mass matrix; `None` unless every entry is positive and finite.
    pub(crate) fn diagonal(inverse: Vec<f64>) -> Option<Self> {
        if !inverse.iter().all(|v| *v > 0.0 && v.is_finite()) {
            return None;
        }
        Some(MassMatrix {
            dim: inverse.len(),
            shape: Shape::diagonal(inverse),
        })
    }

    /// A dense inverse mass matrix from a row-major `dim × dim` matrix; `None` unless it is
    /// symmetric positive definite (its Cholesky factorization succeeds).
    pub(crate) fn dense(inverse: Vec<f64>, dim: usize) -> Option<Self> {
        if inverse.len() != dim * dim {
            return None;
        }
        let cholesky = cholesky(&inverse, dim)?;
        Some(MassMatrix {
            dim,
            shape: Shape::Dense { inverse, cholesky },
        })
    }

    /// Lets `write` set the diagonal of a diagonal `M⁻¹` in place (warmup's new estimate),
    /// then updates what depends on it; `false`, without calling `write`, for another metric.
    pub(crate) fn set_diagonal(&mut self, write: impl FnOnce(&mut [f64])) -> bool {
        match &mut self.shape {
            Shape::Diagonal {
                inverse,
                sqrt_inverse,
            } => {
                write(inverse);
                for (s, m) in sqrt_inverse.iter_mut().zip(inverse.iter()) {
                    *s = m.sqrt();
                }
                true
            }
            Shape::Dense { .. } | Shape::LowRank(_) => false,
        }
    }

    /// A low-rank-plus-diagonal inverse mass matrix.
    pub(crate) fn low_rank(factors: LowRank) -> Self {
        MassMatrix {
            dim: factors.scales.len(),
            shape: Shape::LowRank(factors),
        }
    }

    /// Whether this inverse mass matrix is diagonal or dense.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::{MassMatrixKind, Sampler};
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(2);
    /// let chain = Sampler::nuts().warmup(50).samples(5)
    ///     .run(&mut StdNormal(3), vec![0.0; 3], &mut rng)?;
    /// assert_eq!(chain.mass_matrix.kind(), MassMatrixKind::Diagonal);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn kind(&self) -> MassMatrixKind {
        match self.shape {
            Shape::Diagonal { .. } => MassMatrixKind::Diagonal,
            Shape::Dense { .. } => MassMatrixKind::Dense,
            Shape::LowRank(_) => MassMatrixKind::LowRank,
        }
    }

    /// Number of coordinates.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::Sampler;
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(2);
    /// let chain = Sampler::nuts().warmup(0).samples(5)
    ///     .run(&mut StdNormal(3), vec![0.0; 3], &mut rng)?;
    /// assert_eq!(chain.mass_matrix.dim(), 3);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The diagonal of `M⁻¹`: after warmup, the estimated posterior variances.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::Sampler;
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
    /// // Without warmup the mass matrix stays the identity.
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(2);
    /// let chain = Sampler::nuts().warmup(0).samples(5)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!(chain.mass_matrix.inverse_diagonal(), vec![1.0, 1.0]);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn inverse_diagonal(&self) -> Vec<f64> {
        match &self.shape {
            Shape::Diagonal { inverse, .. } => inverse.clone(),
            Shape::Dense { inverse, .. } => {
                (0..self.dim).map(|i| inverse[i * self.dim + i]).collect()
            }
            Shape::LowRank(factors) => {
                let inverse = factors.inverse();
                (0..self.dim).map(|i| inverse[i * self.dim + i]).collect()
            }
        }
    }

    /// `M⁻¹` as a full matrix, one row per coordinate (zeros off the diagonal when diagonal):
    /// after warmup, the estimated posterior covariance.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::inference::{MassMatrixKind, Sampler};
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
    /// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(2);
    /// let chain = Sampler::nuts().warmup(0).samples(5)
    ///     .mass_matrix(MassMatrixKind::Dense)
    ///     .run(&mut StdNormal(2), vec![0.0; 2], &mut rng)?;
    /// assert_eq!(chain.mass_matrix.inverse(), vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
    /// # Ok::<(), model_runtime::inference::SamplerError>(())
    /// ```
    pub fn inverse(&self) -> Vec<Vec<f64>> {
        match &self.shape {
            Shape::Diagonal { inverse, .. } => (0..self.dim)
                .map(|i| {
                    let mut row = vec![0.0; self.dim];
                    row[i] = inverse[i];
                    row
                })
                .collect(),
            Shape::Dense { inverse, .. } => inverse
                .chunks(self.dim.max(1))
                .take(self.dim)
                .map(<[f64]>::to_vec)
                .collect(),
            Shape::LowRank(factors) => factors
                .inverse()
                .chunks(self.dim.max(1))
                .take(self.dim)
                .map(<[f64]>::to_vec)
                .collect(),
        }
    }

    /// `velocity = M⁻¹ p`: the time derivative of the position (Stan's `dtau_dp`, "p sharp").
    pub(crate) fn velocity(&self, momentum: &[f64], velocity: &mut [f64]) {
        match &self.shape {
            Shape::Diagonal { inverse, .. } => {
                for ((v, m), p) in velocity.iter_mut().zip(inverse).zip(momentum) {
                    *v = m * p;
                }
            }
            Shape::Dense { inverse, .. } => dispatch(DenseVelocity {
                inverse,
                dim: self.dim,
                momentum,
                velocity,
            }),
            Shape::LowRank(factors) => factors.velocity(momentum, velocity),
        }
    }

    /// `position += step_size · M⁻¹ p`, the leapfrog's full step in position. `scratch` (of
    /// length `dim`) holds `M⁻¹ p` for a dense metric; a diagonal one needs no buffer.
    pub(crate) fn drift(
        &self,
        position: &mut [f64],
        momentum: &[f64],
        step_size: f64,
        scratch: &mut [f64],
    ) {
        match &self.shape {
            Shape::Diagonal { inverse, .. } => {
                // One pass, the same products as through `velocity`.
                for ((q, m), p) in position.iter_mut().zip(inverse).zip(momentum) {
                    *q += step_size * (m * p);
                }
            }
            Shape::Dense { .. } | Shape::LowRank(_) => {
                self.velocity(momentum, scratch);
                for (q, v) in position.iter_mut().zip(scratch.iter()) {
                    *q += step_size * v;
                }
            }
        }
    }

    /// The leapfrog's first half step in momentum, `p += half · ∇ log π`, then its full step
    /// in position ([`drift`](Self::drift)); one pass for a diagonal metric.
    pub(crate) fn kick_and_drift(
        &self,
        position: &mut [f64],
        momentum: &mut [f64],
        gradient: &[f64],
        half: f64,
        step_size: f64,
        scratch: &mut [f64],
    ) {
        if let Shape::Diagonal { inverse, .. } = &self.shape {
            for (((q, p), g), m) in position.iter_mut().zip(momentum).zip(gradient).zip(inverse) {
                *p += half * g;
                *q += step_size * (m * *p);
            }
            return;
        }
        for (p, g) in momentum.iter_mut().zip(gradient) {
            *p += half * g;
        }
        self.drift(position, momentum, step_size, scratch);
    }

    /// [`kick_and_drift`](Self::kick_and_drift) from `from` into `position` and `momentum`,
    /// which `from` is left as: the same floating-point operations.
    #[inline(always)]
    pub(crate) fn kick_and_drift_into(
        &self,
        from: State<'_>,
        position: &mut [f64],
        momentum: &mut [f64],
        half: f64,
        step_size: f64,
        scratch: &mut [f64],
    ) {
        let n = self.dim;
        let (from_q, from_p, g) = (
            &from.position[..n],
            &from.momentum[..n],
            &from.gradient[..n],
        );
        let (position, momentum) = (&mut position[..n], &mut momentum[..n]);
        if let Shape::Diagonal { inverse, .. } = &self.shape {
            let inverse = &inverse[..n];
            #[cfg(target_arch = "x86_64")]
            diagonal_sse2::kick_and_drift(
                [from_q, from_p, g, inverse],
                position,
                momentum,
                half,
                step_size,
            );
            #[cfg(not(target_arch = "x86_64"))]
            for i in 0..n {
                let p = from_p[i] + half * g[i];
                momentum[i] = p;
                position[i] = from_q[i] + step_size * (inverse[i] * p);
            }
            return;
        }
        for ((p, from_p), g) in momentum.iter_mut().zip(from_p).zip(g) {
            *p = from_p + half * g;
        }
        copy_reals(position, from_q);
        self.drift(position, momentum, step_size, scratch);
    }

    /// The leapfrog's second half step in momentum, `p += half · ∇ log π`, then the kinetic
    /// energy and `velocity = M⁻¹ p` at the new momentum, as
    /// [`kinetic_energy_and_velocity`](Self::kinetic_energy_and_velocity) computes them (one
    /// pass for a diagonal metric); also whether every element of the gradient is finite (for
    /// a diagonal metric, whether the kinetic energy is, which a non-finite gradient makes
    /// non-finite).
    #[inline(always)]
    pub(crate) fn kick_with_kinetic_energy(
        &self,
        momentum: &mut [f64],
        gradient: &[f64],
        velocity: &mut [f64],
        half: f64,
    ) -> (f64, bool) {
        if let Shape::Diagonal { inverse, .. } = &self.shape {
            #[cfg(target_arch = "x86_64")]
            {
                let n = self.dim;
                return diagonal_sse2::kick_with_kinetic_energy(
                    &mut momentum[..n],
                    &gradient[..n],
                    &mut velocity[..n],
                    &inverse[..n],
                    half,
                );
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                for (p, g) in momentum.iter_mut().zip(gradient) {
                    *p += half * g;
                }
                let kinetic = kinetic_lanes(momentum, inverse, Some(velocity));
                return (kinetic, kinetic.is_finite());
            }
        }
        let mut finite = true;
        for (p, g) in momentum.iter_mut().zip(gradient) {
            finite &= g.is_finite();
            *p += half * g;
        }
        (self.kinetic_energy_and_velocity(momentum, velocity), finite)
    }

    /// [`kinetic_energy`](Self::kinetic_energy), also writing `M⁻¹ p` into `velocity`: NUTS
    /// needs both at every point of its trajectories. A diagonal metric computes them in one
    /// pass, with the same floating-point operations as separately.
    pub(crate) fn kinetic_energy_and_velocity(
        &self,
        momentum: &[f64],
        velocity: &mut [f64],
    ) -> f64 {
        match &self.shape {
            Shape::Diagonal { inverse, .. } => {
                kinetic_lanes(momentum, inverse, Some(&mut velocity[..momentum.len()]))
            }
            Shape::Dense { .. } => {
                self.velocity(momentum, velocity);
                self.kinetic_energy(momentum)
            }
            Shape::LowRank(factors) => {
                factors.velocity(momentum, velocity);
                0.5 * dispatch(Dot(momentum, velocity))
            }
        }
    }

    /// `K(p) = ½ pᵀ M⁻¹ p`; for a dense metric computed as `½ |Lᵀ p|²`.
    pub(crate) fn kinetic_energy(&self, momentum: &[f64]) -> f64 {
        match &self.shape {
            Shape::Diagonal { inverse, .. } => kinetic_lanes(momentum, inverse, None),
            Shape::Dense { cholesky, .. } => {
                let n = self.dim;
                let mut sum = 0.0;
                // (Lᵀ p)_j = Σ_{i ≥ j} L_ij p_i
                for j in 0..n {
                    let mut s = 0.0;
                    for (i, p) in momentum.iter().enumerate().skip(j) {
                        s += cholesky[i * n + j] * p;
                    }
                    sum += s * s;
                }
                0.5 * sum
            }
            Shape::LowRank(factors) => factors.kinetic_energy(momentum),
        }
    }

    /// Draws `p ~ N(0, M)`. Dense: `p = L⁻ᵀ z` with `z ~ N(0, I)`, so that
    /// `Cov(p) = L⁻ᵀ L⁻¹ = (L Lᵀ)⁻¹ = M` (Stan's `dense_e_metric::sample_p`).
    pub(crate) fn sample_momentum<R: Rng + ?Sized>(&self, rng: &mut R, momentum: &mut [f64]) {
        if let Shape::LowRank(factors) = &self.shape {
            factors.sample_momentum(rng, momentum);
            return;
        }
        for p in momentum.iter_mut() {
            *p = rng.sample(StandardNormal);
        }
        match &self.shape {
            Shape::Diagonal { sqrt_inverse, .. } => {
                for (p, s) in momentum.iter_mut().zip(sqrt_inverse) {
                    *p /= s;
                }
            }
            Shape::Dense { cholesky, .. } => {
                // Back substitution for Lᵀ p = z.
                let n = self.dim;
                for i in (0..n).rev() {
                    let mut s = momentum[i];
                    for k in i + 1..n {
                        s -= cholesky[k * n + i] * momentum[k];
                    }
                    momentum[i] = s / cholesky[i * n + i];
                }
            }
            Shape::LowRank(_) => unreachable!("drawn above"),
        }
    }
}

/// The leapfrog's loops for a diagonal metric in SSE2 (part of every x86-64 CPU), two
/// elements at a time: the floating-point operations of the scalar loops, the kinetic energy
/// in the partial sums of [`KINETIC_LANES`](super::KINETIC_LANES). Written out because LLVM
/// vectorizes plain loops over these vectors only behind run-time checks that they do not
/// overlap, which cost as much as the loop at the dimensions where NUTS's overhead shows.
#[cfg(target_arch = "x86_64")]
mod diagonal_sse2 {
    use core::arch::x86_64::{
        __m128d, _mm_add_pd, _mm_cvtsd_f64, _mm_loadu_pd, _mm_mul_pd, _mm_set_sd, _mm_set1_pd,
        _mm_setzero_pd, _mm_storeu_pd, _mm_unpackhi_pd,
    };

    /// Loads elements `i` and `i + 1` of `x`.
    ///
    /// # Safety
    /// `i + 1 < x.len()`.
    #[inline(always)]
    unsafe fn load(x: &[f64], i: usize) -> __m128d {
        debug_assert!(i + 1 < x.len());
        // SAFETY: the caller's.
        unsafe { _mm_loadu_pd(x.as_ptr().add(i)) }
    }

    /// Stores `v` in elements `i` and `i + 1` of `x`.
    ///
    /// # Safety
    /// `i + 1 < x.len()`.
    #[inline(always)]
    unsafe fn store(x: &mut [f64], i: usize, v: __m128d) {
        debug_assert!(i + 1 < x.len());
        // SAFETY: the caller's.
        unsafe { _mm_storeu_pd(x.as_mut_ptr().add(i), v) }
    }

    /// `p = p₀ + half · g`, then `q = q₀ + step_size · (m · p)`, where `from` is
    /// `[q₀, p₀, g, m]`; every vector has the length of `position`.
    #[inline(always)]
    pub(super) fn kick_and_drift(
        from: [&[f64]; 4],
        position: &mut [f64],
        momentum: &mut [f64],
        half: f64,
        step_size: f64,
    ) {
        // SAFETY: SSE2 is part of every x86-64 CPU; the vectors' lengths are asserted
        // first, and every load and store of two elements is at an `i` with `i + 1 < n`.
        unsafe {
            let n = position.len();
            assert!(momentum.len() == n && from.iter().all(|x| x.len() == n));
            let [from_q, from_p, g, m] = from;
            let (half2, step2) = (_mm_set1_pd(half), _mm_set1_pd(step_size));
            let whole = n - n % 2;
            for i in (0..whole / 2).map(|k| 2 * k) {
                let p = _mm_add_pd(load(from_p, i), _mm_mul_pd(half2, load(g, i)));
                store(momentum, i, p);
                let drift = _mm_mul_pd(step2, _mm_mul_pd(load(m, i), p));
                store(position, i, _mm_add_pd(load(from_q, i), drift));
            }
            if whole < n {
                let p = from_p[whole] + half * g[whole];
                momentum[whole] = p;
                position[whole] = from_q[whole] + step_size * (m[whole] * p);
            }
        }
    }

    /// `p += half · g`, `v = m · p` and `½ Σ v p` in the partial sums of
    /// [`kinetic_lanes`](super::kinetic_lanes), and whether every `g` is finite; every vector
    /// has the length of `momentum`.
    #[inline(always)]
    pub(super) fn kick_with_kinetic_energy(
        momentum: &mut [f64],
        gradient: &[f64],
        velocity: &mut [f64],
        m: &[f64],
        half: f64,
    ) -> (f64, bool) {
        // SAFETY: SSE2 is part of every x86-64 CPU; the vectors' lengths are asserted
        // first, and every load and store of two elements is at an `i` with `i + 1 < n`.
        unsafe {
            let n = momentum.len();
            assert!(gradient.len() == n && velocity.len() == n && m.len() == n);
            let half2 = _mm_set1_pd(half);
            // Lanes 2j and 2j + 1 of the partial sums in `sums[j]`.
            let mut sums = [_mm_setzero_pd(); 4];
            // The two elements from `i`, where `i + 1 < n`.
            let mut pair = |sum: &mut __m128d, i: usize| {
                let p = _mm_add_pd(load(momentum, i), _mm_mul_pd(half2, load(gradient, i)));
                store(momentum, i, p);
                let v = _mm_mul_pd(load(m, i), p);
                store(velocity, i, v);
                *sum = _mm_add_pd(*sum, _mm_mul_pd(v, p));
            };
            let blocks = n / 8;
            for b in 0..blocks {
                for (j, sum) in sums.iter_mut().enumerate() {
                    pair(sum, 8 * b + 2 * j);
                }
            }
            // The last `n mod 8` elements, element `8 · blocks + k` in lane `k`.
            let mut i = 8 * blocks;
            for sum in &mut sums {
                if i + 2 > n {
                    break;
                }
                pair(sum, i);
                i += 2;
            }
            if i < n {
                let p = momentum[i] + half * gradient[i];
                momentum[i] = p;
                velocity[i] = m[i] * p;
                let j = (i % 8) / 2;
                sums[j] = _mm_add_pd(sums[j], _mm_set_sd(velocity[i] * p));
            }
            let lanes = sums.map(|s| [_mm_cvtsd_f64(s), _mm_cvtsd_f64(_mm_unpackhi_pd(s, s))]);
            let kinetic = 0.5 * super::reduce_lanes(lanes.as_flattened().try_into().expect("8"));
            // A gradient element that is infinite or NaN makes its momentum so, and the kinetic
            // energy (a sum of terms ≥ 0) infinite or NaN: the check needs no pass of its own. (A
            // finite gradient whose kinetic energy overflows fails too, at an energy that is +∞
            // either way.)
            (kinetic, kinetic.is_finite())
        }
    }
}

/// The partial sums of the diagonal metric's kinetic energy `½ Σ mᵢ pᵢ²`: element `i` adds to
/// lane `i mod 8`, and the lanes are added pairwise at the end. Eight sums make a chain of
/// dependent additions eight times shorter than one running sum, whose latency held NUTS back
/// in high dimensions, and the same sums come out of the leapfrog's SSE2 loop (four registers
/// of two lanes) and of the scalar loops here.
const KINETIC_LANES: usize = 8;

/// Adds the partial sums of [`KINETIC_LANES`] pairwise.
#[inline(always)]
fn reduce_lanes([a, b, c, d, e, f, g, h]: [f64; KINETIC_LANES]) -> f64 {
    ((a + b) + (c + d)) + ((e + f) + (g + h))
}

/// `½ Σ mᵢ pᵢ²` in the lanes of [`KINETIC_LANES`], also writing `vᵢ = mᵢ pᵢ` into
/// `velocity` when given; every vector has the length of `momentum`.
fn kinetic_lanes(momentum: &[f64], inverse: &[f64], mut velocity: Option<&mut [f64]>) -> f64 {
    let n = momentum.len();
    let inverse = &inverse[..n];
    let mut sums = [0.0; KINETIC_LANES];
    for i in 0..n {
        let v = inverse[i] * momentum[i];
        if let Some(velocity) = velocity.as_deref_mut() {
            velocity[i] = v;
        }
        sums[i % KINETIC_LANES] += v * momentum[i];
    }
    0.5 * reduce_lanes(sums)
}

/// Welford's online mean and variance, one per coordinate (Stan's `welford_var_estimator`).
#[derive(Debug, Clone)]
pub(crate) struct WelfordVariance {
    count: usize,
    mean: Vec<f64>,
    sum_squares: Vec<f64>,
}

impl WelfordVariance {
    pub(crate) fn new(dim: usize) -> Self {
        WelfordVariance {
            count: 0,
            mean: vec![0.0; dim],
            sum_squares: vec![0.0; dim],
        }
    }

    pub(crate) fn add(&mut self, x: &[f64]) {
        self.count += 1;
        let n = self.count as f64;
        for ((m, s), x) in self.mean.iter_mut().zip(&mut self.sum_squares).zip(x) {
            let delta = x - *m;
            *m += delta / n;
            *s += delta * (x - *m);
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The sums of squared deviations from the mean, `(count - 1)` times the variances.
    pub(crate) fn sum_squares(&self) -> &[f64] {
        &self.sum_squares
    }

    /// The unbiased sample variances; `None` with fewer than two draws.
    pub(crate) fn variance(&self) -> Option<Vec<f64>> {
        (self.count > 1).then(|| {
            let d = (self.count - 1) as f64;
            self.sum_squares.iter().map(|s| s / d).collect()
        })
    }

    pub(crate) fn restart(&mut self) {
        self.count = 0;
        self.mean.fill(0.0);
        self.sum_squares.fill(0.0);
    }
}

/// Welford's online mean and covariance (Stan's `welford_covar_estimator`), row-major.
#[derive(Debug, Clone)]
pub(crate) struct WelfordCovariance {
    count: usize,
    mean: Vec<f64>,
    sum_products: Vec<f64>,
    delta: Vec<f64>,
}

impl WelfordCovariance {
    pub(crate) fn new(dim: usize) -> Self {
        WelfordCovariance {
            count: 0,
            mean: vec![0.0; dim],
            sum_products: vec![0.0; dim * dim],
            delta: vec![0.0; dim],
        }
    }

    pub(crate) fn add(&mut self, x: &[f64]) {
        self.count += 1;
        let n = self.count as f64;
        let dim = self.mean.len();
        for ((d, m), x) in self.delta.iter_mut().zip(&mut self.mean).zip(x) {
            *d = x - *m;
            *m += *d / n;
        }
        // m2 += (x - mean_new) (x - mean_old)ᵀ
        let rows = self.sum_products.chunks_mut(dim.max(1));
        for ((row, x), m) in rows.zip(x).zip(&self.mean) {
            let after = x - m;
            for (s, d) in row.iter_mut().zip(&self.delta) {
                *s += after * d;
            }
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The unbiased sample covariance, row-major; `None` with fewer than two draws.
    pub(crate) fn covariance(&self) -> Option<Vec<f64>> {
        (self.count > 1).then(|| {
            let d = (self.count - 1) as f64;
            self.sum_products.iter().map(|s| s / d).collect()
        })
    }

    pub(crate) fn restart(&mut self) {
        self.count = 0;
        self.mean.fill(0.0);
        self.sum_products.fill(0.0);
    }
}

/// Stan's regularization of a covariance estimate from `n` draws: shrink towards `1e-3 · I`,
/// `(n / (n + 5)) Σ̂ + 1e-3 (5 / (n + 5)) I` (`var_adaptation`, `covar_adaptation`). The
/// estimate is a vector of variances (`dense_dim` is `None`) or a row-major `dense_dim²` matrix.
pub(crate) fn regularize(estimate: &mut [f64], count: usize, dense_dim: Option<usize>) {
    let n = count as f64;
    let weight = n / (n + 5.0);
    let shrinkage = 1e-3 * (5.0 / (n + 5.0));
    for v in estimate.iter_mut() {
        *v *= weight;
    }
    match dense_dim {
        None => estimate.iter_mut().for_each(|v| *v += shrinkage),
        Some(dim) => (0..dim).for_each(|i| estimate[i * dim + i] += shrinkage),
    }
}

/// `velocity = M⁻¹ p` for a dense row-major `M⁻¹`, one [`dot`] per row. Run through
/// [`dispatch`]: outside a kernel compiled with FMA each `f64::mul_add` of `dot` is a call to
/// libm's `fma` (a NUTS leapfrog step on a 100-dimensional correlated normal took 60 µs that
/// way, 21 µs with a plain multiply-and-sum loop, 9 µs dispatched to AVX-512; an x86-64 CPU
/// without FMA still takes the slow path). The result is the same at every level: a fused
/// multiply-add rounds once everywhere, and `dot`'s order of summation does not depend on the
/// vector width.
struct DenseVelocity<'a> {
    inverse: &'a [f64],
    dim: usize,
    momentum: &'a [f64],
    velocity: &'a mut [f64],
}

impl Kernel for DenseVelocity<'_> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let rows = self.inverse.chunks(self.dim.max(1));
        for (v, row) in self.velocity.iter_mut().zip(rows) {
            *v = dot(row, self.momentum);
        }
    }
}

/// [`dot`] run through [`dispatch`], for the same reason as [`DenseVelocity`].
struct Dot<'a>(&'a [f64], &'a [f64]);

impl Kernel for Dot<'_> {
    type Output = f64;
    #[inline(always)]
    fn run(self) -> f64 {
        dot(self.0, self.1)
    }
}

/// Lower Cholesky factor of a symmetric positive definite row-major matrix; `None` otherwise
/// (a non-positive or non-finite pivot, or an asymmetric input).
fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    for i in 0..n {
        for j in 0..i {
            let (x, y) = (a[i * n + j], a[j * n + i]);
            // NaN passes here and fails the pivot test of the factorization.
            if (x - y).abs() > 1e-12 * (x.abs() + y.abs()) {
                return None;
            }
        }
    }
    let l = crate::linalg::cholesky(a, n).ok()?;
    // An infinite pivot passes the factorization; a metric must be finite.
    l.iter().all(|x| x.is_finite()).then_some(l)
}

#[cfg(test)]
mod tests;
