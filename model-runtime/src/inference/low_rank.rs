//! The low-rank-plus-diagonal mass matrix of nutpie, estimated from draws and gradients.
//!
//! `M⁻¹ = S (I + V (Λ - I) Vᵀ) S` with `S` diagonal and `V` a few orthonormal directions: a
//! diagonal metric corrected along the directions where the posterior is most unlike it, such as
//! the correlated coefficients of a regression on uncentred predictors (Seyboldt, Carlson and
//! Carpenter, "Preconditioning Hamiltonian Monte Carlo by minimizing Fisher divergence"; the
//! algorithm of nuts-rs's `low_rank` adaptation).
//!
//! From `n` draws `x` with gradients `g`:
//! 1. `Sᵢ = (Var xᵢ / Var gᵢ)^¼`, the diagonal Fisher-divergence estimate's square root; the
//!    draws are rescaled to `(x - x̄) / S` and the gradients to `(g - ḡ) S`.
//! 2. All further work happens in the span of the rescaled draws and gradients (at most `2n`
//!    directions, found by Gram–Schmidt), where the covariances `Cₓ = X Xᵀ + γ I` and
//!    `C_g = G Gᵀ + γ I` are formed.
//! 3. The covariance estimate is their geometric mean `Σ = C_g⁻¹ # Cₓ`, the unique SPD solution
//!    of `Σ C_g Σ = Cₓ`: for a Gaussian, `Cov g = Cov⁻¹ x`, and `Σ` minimizes the Fisher
//!    divergence among all Gaussians.
//! 4. Eigenvectors of `Σ` whose eigenvalues are far from 1 (above `c` or below `1 / c`) become
//!    `V` and `Λ`; along the others the diagonal is good enough.

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

use crate::vector_math::Scratch;

/// Regularization `γ` of the covariances in the subspace (nuts-rs's default).
pub(crate) const GAMMA: f64 = 1e-5;
/// Eigenvalues in `[1 / CUTOFF, CUTOFF]` are not worth a correction (nuts-rs's default).
pub(crate) const CUTOFF: f64 = 2.0;

/// The factors of `M⁻¹ = S (I + V (Λ - I) Vᵀ) S`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LowRank {
    /// The diagonal of `S`.
    pub(crate) scales: Vec<f64>,
    /// The columns of `V`, each `dim` long, one after the other.
    pub(crate) vectors: Vec<f64>,
    /// `Λ`, one eigenvalue per column of `V`.
    pub(crate) values: Vec<f64>,
}

impl LowRank {
    /// The diagonal metric `S²`, without corrections.
    pub(crate) fn diagonal(variances: &[f64]) -> Self {
        LowRank {
            scales: variances.iter().map(|v| v.sqrt()).collect(),
            vectors: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The diagonal part `S²` alone.
    pub(crate) fn without_corrections(self) -> Self {
        LowRank {
            vectors: Vec::new(),
            values: Vec::new(),
            ..self
        }
    }

    fn dim(&self) -> usize {
        self.scales.len()
    }

    fn columns(&self) -> impl Iterator<Item = (&[f64], f64)> {
        self.vectors
            .chunks_exact(self.dim().max(1))
            .zip(self.values.iter().copied())
    }

    /// `vᵀ S p` for a column `v` of `V`.
    fn projection(&self, column: &[f64], momentum: &[f64]) -> f64 {
        column
            .iter()
            .zip(&self.scales)
            .zip(momentum)
            .map(|((q, s), p)| q * s * p)
            .sum()
    }

    /// `velocity = M⁻¹ p`. The projections `vⱼᵀ S p` are read from `momentum`, so no buffer
    /// beyond `velocity` is needed.
    pub(crate) fn velocity(&self, momentum: &[f64], velocity: &mut [f64]) {
        for ((v, s), p) in velocity.iter_mut().zip(&self.scales).zip(momentum) {
            *v = s * p;
        }
        for (column, value) in self.columns() {
            let weight = (value - 1.0) * self.projection(column, momentum);
            for (v, q) in velocity.iter_mut().zip(column) {
                *v += weight * q;
            }
        }
        for (v, s) in velocity.iter_mut().zip(&self.scales) {
            *v *= s;
        }
    }

    /// `½ pᵀ M⁻¹ p = ½ (|S p|² + Σⱼ (λⱼ - 1) (vⱼᵀ S p)²)`.
    pub(crate) fn kinetic_energy(&self, momentum: &[f64]) -> f64 {
        let diagonal: f64 = self
            .scales
            .iter()
            .zip(momentum)
            .map(|(s, p)| (s * p) * (s * p))
            .sum();
        let corrections: f64 = self
            .columns()
            .map(|(column, value)| {
                let projection = self.projection(column, momentum);
                (value - 1.0) * projection * projection
            })
            .sum();
        0.5 * (diagonal + corrections)
    }

    /// Draws `p ~ N(0, M)`, `M = S⁻¹ (I + V (Λ⁻¹ - I) Vᵀ) S⁻¹`: with `z ~ N(0, I)`,
    /// `p = S⁻¹ (z + V (Λ^-½ - 1) Vᵀ z)`, as `(I + V (a - 1) Vᵀ)² = I + V (a² - 1) Vᵀ`.
    pub(crate) fn sample_momentum<R: Rng + ?Sized>(&self, rng: &mut R, momentum: &mut [f64]) {
        for p in momentum.iter_mut() {
            *p = rng.sample(StandardNormal);
        }
        let mut projections = Scratch::zeroed(self.values.len());
        for ((column, _), c) in self.columns().zip(projections.iter_mut()) {
            *c = column.iter().zip(&*momentum).map(|(q, z)| q * z).sum();
        }
        for ((column, value), c) in self.columns().zip(projections.iter()) {
            let weight = (value.sqrt().recip() - 1.0) * c;
            for (p, q) in momentum.iter_mut().zip(column) {
                *p += weight * q;
            }
        }
        for (p, s) in momentum.iter_mut().zip(&self.scales) {
            *p /= s;
        }
    }

    /// `M⁻¹` as a row-major `dim × dim` matrix.
    pub(crate) fn inverse(&self) -> Vec<f64> {
        let n = self.dim();
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            m[i * n + i] = 1.0;
        }
        for (column, value) in self.columns() {
            for i in 0..n {
                for j in 0..n {
                    m[i * n + j] += (value - 1.0) * column[i] * column[j];
                }
            }
        }
        for i in 0..n {
            for j in 0..n {
                m[i * n + j] *= self.scales[i] * self.scales[j];
            }
        }
        m
    }
}

/// Why [`estimate`] gave no metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// Some coordinate's `Var x · Var g` exceeds the caller's bound: the points come from a
    /// transient, not from the posterior.
    Transient,
    /// Fewer than three points, a coordinate that never moved, or a non-finite estimate.
    Degenerate,
}

/// Estimates the low-rank metric from `draws` and their `gradients` (each a list of points of
/// the same dimension), unless some coordinate's `Var x · Var g` exceeds `max_product`.
pub(crate) fn estimate(
    draws: &[&[f64]],
    gradients: &[&[f64]],
    max_product: f64,
) -> Result<LowRank, Rejected> {
    let n = draws.len();
    if n < 3 || gradients.len() != n {
        return Err(Rejected::Degenerate);
    }
    let dim = draws[0].len();
    let count = n as f64;
    // 1. The diagonal scales, and the rescaled, centred points (one column per point).
    let mut scales = vec![0.0; dim];
    let mut x = vec![0.0; n * dim];
    let mut g = vec![0.0; n * dim];
    let mut largest_product: f64 = 0.0;
    let mut degenerate = false;
    for i in 0..dim {
        let mean_x = draws.iter().map(|d| d[i]).sum::<f64>() / count;
        let mean_g = gradients.iter().map(|d| d[i]).sum::<f64>() / count;
        let var_x = draws.iter().map(|d| (d[i] - mean_x).powi(2)).sum::<f64>();
        let var_g = gradients
            .iter()
            .map(|d| (d[i] - mean_g).powi(2))
            .sum::<f64>();
        largest_product = largest_product.max(var_x * var_g / (count * count));
        let scale = (var_x / var_g).sqrt().sqrt();
        if !(scale.is_finite() && scale > 0.0) {
            // Keep reading: a transient elsewhere takes precedence.
            degenerate = true;
            continue;
        }
        scales[i] = scale;
        for r in 0..n {
            x[r * dim + i] = (draws[r][i] - mean_x) / scale;
            g[r * dim + i] = (gradients[r][i] - mean_g) * scale;
        }
    }
    if largest_product > max_product {
        return Err(Rejected::Transient);
    }
    if degenerate {
        return Err(Rejected::Degenerate);
    }
    // 2. An orthonormal basis of their span, and the covariances in it.
    let basis = orthonormal_basis(x.chunks_exact(dim).chain(g.chunks_exact(dim)), dim);
    let k = basis.len() / dim.max(1);
    let cov_x = projected_covariance(&basis, &x, dim, k);
    let cov_g = projected_covariance(&basis, &g, dim, k);
    // 3. Their geometric mean, and 4. its eigenvectors far from 1.
    let sigma = geometric_mean(&cov_x, &cov_g, k).ok_or(Rejected::Degenerate)?;
    let (values, vectors) = symmetric_eigen(&sigma, k);
    let mut kept_vectors = Vec::new();
    let mut kept_values = Vec::new();
    for (j, &value) in values.iter().enumerate() {
        if value > CUTOFF || value < CUTOFF.recip() {
            // The eigenvector in the original coordinates: basis · (column j of `vectors`).
            let mut column = vec![0.0; dim];
            for (b, w) in basis
                .chunks_exact(dim)
                .zip((0..k).map(|r| vectors[r * k + j]))
            {
                for (c, b) in column.iter_mut().zip(b) {
                    *c += w * b;
                }
            }
            kept_vectors.extend(column);
            kept_values.push(value);
        }
    }
    let estimate = LowRank {
        scales,
        vectors: kept_vectors,
        values: kept_values,
    };
    let finite = estimate
        .vectors
        .iter()
        .chain(&estimate.values)
        .all(|v| v.is_finite())
        && estimate.values.iter().all(|v| *v > 0.0);
    if finite {
        Ok(estimate)
    } else {
        Err(Rejected::Degenerate)
    }
}

/// Gram–Schmidt with one reorthogonalization pass ("twice is enough", Giraud et al. 2005) over
/// `columns` of length `dim`; columns whose remainder is below `1e-10` of their norm add
/// nothing. Returns the basis vectors one after the other.
fn orthonormal_basis<'a>(columns: impl Iterator<Item = &'a [f64]>, dim: usize) -> Vec<f64> {
    let mut basis: Vec<f64> = Vec::new();
    let mut work = vec![0.0; dim];
    for column in columns {
        if basis.len() / dim.max(1) >= dim {
            break;
        }
        let norm = column.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        work.copy_from_slice(column);
        for _ in 0..2 {
            for b in basis.chunks_exact(dim) {
                let overlap: f64 = b.iter().zip(&work).map(|(b, w)| b * w).sum();
                for (w, b) in work.iter_mut().zip(b) {
                    *w -= overlap * b;
                }
            }
        }
        let remainder = work.iter().map(|v| v * v).sum::<f64>().sqrt();
        if remainder > 1e-10 * norm {
            basis.extend(work.iter().map(|w| w / remainder));
        }
    }
    basis
}

/// `Pᵀ Pᵀᵀ + γ I` where `P = Bᵀ points`: the `k × k` covariance (unnormalized) of the points in
/// the basis, row-major.
fn projected_covariance(basis: &[f64], points: &[f64], dim: usize, k: usize) -> Vec<f64> {
    let mut cov = vec![0.0; k * k];
    let mut projected = vec![0.0; k];
    for point in points.chunks_exact(dim) {
        for (p, b) in projected.iter_mut().zip(basis.chunks_exact(dim)) {
            *p = b.iter().zip(point).map(|(b, x)| b * x).sum();
        }
        for (row, a) in cov.chunks_exact_mut(k).zip(&projected) {
            for (c, b) in row.iter_mut().zip(&projected) {
                *c += a * b;
            }
        }
    }
    for i in 0..k {
        cov[i * k + i] += GAMMA;
    }
    cov
}

/// `f(A) = U f(D) Uᵀ` for a symmetric `A = U D Uᵀ`; `None` when `f` of an eigenvalue is not
/// finite.
fn matrix_function(a: &[f64], k: usize, f: impl Fn(f64) -> f64) -> Option<Vec<f64>> {
    let (values, vectors) = symmetric_eigen(a, k);
    let mapped: Vec<f64> = values.iter().map(|v| f(*v)).collect();
    if !mapped.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mut out = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            out[i * k + j] = (0..k)
                .map(|r| vectors[i * k + r] * mapped[r] * vectors[j * k + r])
                .sum();
        }
    }
    Some(out)
}

fn multiply(a: &[f64], b: &[f64], k: usize) -> Vec<f64> {
    let mut out = vec![0.0; k * k];
    for i in 0..k {
        for r in 0..k {
            let a_ir = a[i * k + r];
            for j in 0..k {
                out[i * k + j] += a_ir * b[r * k + j];
            }
        }
    }
    out
}

/// The SPD geometric mean `Σ = C_g^-½ (C_g^½ Cₓ C_g^½)^½ C_g^-½`, the solution of
/// `Σ C_g Σ = Cₓ`; `None` when an input is not positive definite.
fn geometric_mean(cov_x: &[f64], cov_g: &[f64], k: usize) -> Option<Vec<f64>> {
    let root_g = matrix_function(cov_g, k, |v| if v > 0.0 { v.sqrt() } else { f64::NAN })?;
    let inverse_root_g =
        matrix_function(
            cov_g,
            k,
            |v| if v > 0.0 { v.sqrt().recip() } else { f64::NAN },
        )?;
    let inner = multiply(&multiply(&root_g, cov_x, k), &root_g, k);
    // Rounding leaves `inner` symmetric only to a few ulp; the Jacobi method reads one triangle.
    let root_inner = matrix_function(&inner, k, |v| if v > 0.0 { v.sqrt() } else { f64::NAN })?;
    Some(multiply(
        &multiply(&inverse_root_g, &root_inner, k),
        &inverse_root_g,
        k,
    ))
}

/// Eigenvalues and eigenvectors (the columns of a row-major `k × k` matrix) of the symmetric
/// row-major `a`, by the cyclic Jacobi method (Golub and Van Loan, "Matrix Computations",
/// section 8.5): accurate to a few ulp of the largest eigenvalue, and `O(k³)` per sweep, which
/// is cheap at the sizes of a low-rank update.
fn symmetric_eigen(a: &[f64], k: usize) -> (Vec<f64>, Vec<f64>) {
    // Symmetrize: the caller's products are symmetric only up to rounding.
    let mut m = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            m[i * k + j] = 0.5 * (a[i * k + j] + a[j * k + i]);
        }
    }
    let mut v = vec![0.0; k * k];
    for i in 0..k {
        v[i * k + i] = 1.0;
    }
    let scale: f64 = m.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * k + j] * m[i * k + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale || off == 0.0 {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = m[p * k + q];
                if apq == 0.0 {
                    continue;
                }
                // The rotation that zeroes m[p][q]: t = tan θ, the smaller root of
                // t² + 2τt - 1 = 0 with τ = (a_qq - a_pp) / (2 a_pq).
                let tau = (m[q * k + q] - m[p * k + p]) / (2.0 * apq);
                let t = tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (x, y) = (m[r * k + p], m[r * k + q]);
                    m[r * k + p] = c * x - s * y;
                    m[r * k + q] = s * x + c * y;
                }
                for r in 0..k {
                    let (x, y) = (m[p * k + r], m[q * k + r]);
                    m[p * k + r] = c * x - s * y;
                    m[q * k + r] = s * x + c * y;
                }
                for r in 0..k {
                    let (x, y) = (v[r * k + p], v[r * k + q]);
                    v[r * k + p] = c * x - s * y;
                    v[r * k + q] = s * x + c * y;
                }
            }
        }
    }
    ((0..k).map(|i| m[i * k + i]).collect(), v)
}

#[cfg(test)]
mod tests;
