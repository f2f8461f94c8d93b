//! Unit tests of the low-rank-plus-diagonal mass matrix: the Jacobi eigenvectors, the matrix
//! geometric mean, the basis of the draws' span, the preconditioning of a correlated Gaussian,
//! and the metric's operations against the explicit matrix (fixed seeds).

use super::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

fn random_symmetric(k: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let mut a = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let v: f64 = rng.sample(StandardNormal);
            a[i * k + j] = v;
            a[j * k + i] = v;
        }
    }
    a
}

/// `B Bᵀ + I`: symmetric positive definite.
fn random_spd(k: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let b = random_symmetric(k, rng);
    let mut a = multiply(&b, &b, k);
    for i in 0..k {
        a[i * k + i] += 1.0;
    }
    a
}

fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn jacobi_eigenvectors_are_orthonormal_and_reconstruct_the_matrix() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for k in [1, 2, 5, 17] {
        let a = random_symmetric(k, &mut rng);
        let (values, vectors) = symmetric_eigen(&a, k);
        let mut reconstructed = vec![0.0; k * k];
        let mut gram = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..k {
                for r in 0..k {
                    reconstructed[i * k + j] += vectors[i * k + r] * values[r] * vectors[j * k + r];
                    gram[i * k + j] += vectors[r * k + i] * vectors[r * k + j];
                }
            }
        }
        assert!(max_abs_difference(&reconstructed, &a) < 1e-12, "k = {k}");
        let identity: Vec<f64> = (0..k * k)
            .map(|i| if i % (k + 1) == 0 { 1.0 } else { 0.0 })
            .collect();
        assert!(max_abs_difference(&gram, &identity) < 1e-13, "k = {k}");
    }
}

#[test]
fn geometric_mean_solves_the_riccati_equation() {
    // Diagonal inputs: Σ = sqrt(Cₓ / C_g) elementwise (nuts-rs's test case).
    let x = [1.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 8.0];
    let g = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.5];
    let sigma = geometric_mean(&x, &g, 3).unwrap();
    let expected = [1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 4.0];
    assert!(max_abs_difference(&sigma, &expected) < 1e-13);
    // General inputs: Σ C_g Σ = Cₓ.
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let (x, g) = (random_spd(6, &mut rng), random_spd(6, &mut rng));
    let sigma = geometric_mean(&x, &g, 6).unwrap();
    let back = multiply(&multiply(&sigma, &g, 6), &sigma, 6);
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(max_abs_difference(&back, &x) < 1e-11 * scale);
}

#[test]
fn basis_spans_the_columns_and_drops_dependent_ones() {
    let columns = [
        [1.0, 1.0, 0.0],
        [2.0, 2.0, 0.0],
        [0.0, 1.0, 1.0],
        [1.0, 2.0, 1.0],
    ];
    let basis = orthonormal_basis(columns.iter().map(|c| c.as_slice()), 3);
    assert_eq!(basis.len(), 2 * 3);
    for c in &columns {
        // Each column equals its projection onto the basis.
        let mut projection = [0.0; 3];
        for b in basis.chunks_exact(3) {
            let overlap: f64 = b.iter().zip(c).map(|(b, c)| b * c).sum();
            for (p, b) in projection.iter_mut().zip(b) {
                *p += overlap * b;
            }
        }
        assert!(max_abs_difference(&projection, c) < 1e-14);
    }
}

/// Draws of `N(0, C)` (as `L z`) with their exact gradients `-C⁻¹ x = -L⁻ᵀ z`.
fn gaussian_draws(l: &[f64], dim: usize, n: usize) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut draws = Vec::new();
    let mut gradients = Vec::new();
    for _ in 0..n {
        let z: Vec<f64> = (0..dim).map(|_| rng.sample(StandardNormal)).collect();
        let x: Vec<f64> = (0..dim)
            .map(|i| (0..=i).map(|j| l[i * dim + j] * z[j]).sum())
            .collect();
        // Solve Lᵀ w = z, then g = -w.
        let mut w = z.clone();
        for i in (0..dim).rev() {
            let s: f64 = (i + 1..dim).map(|k| l[k * dim + i] * w[k]).sum();
            w[i] = (z[i] - s) / l[i * dim + i];
        }
        draws.push(x);
        gradients.push(w.iter().map(|v| -v).collect());
    }
    (draws, gradients)
}

#[test]
fn correlated_gaussian_is_preconditioned_within_the_cutoff() {
    // C = L Lᵀ with a strongly correlated pair (0, 1), an anticorrelated pair (2, 3) and
    // scales from 0.01 to 100.
    let dim = 6;
    #[rustfmt::skip]
    let l = [
        1.0,   0.0,   0.0,  0.0,  0.0,  0.0,
        0.995, 0.1,   0.0,  0.0,  0.0,  0.0,
        0.0,   0.0,   100.0, 0.0, 0.0,  0.0,
        0.0,   0.0,  -0.7,  0.01, 0.0,  0.0,
        0.0,   0.0,   0.0,  0.0,  0.01, 0.0,
        0.3,   0.0,   0.0,  0.0,  0.0,  2.0,
    ];
    let mut c = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..dim {
            c[i * dim + j] = (0..dim).map(|k| l[i * dim + k] * l[j * dim + k]).sum();
        }
    }
    let (draws, gradients) = gaussian_draws(&l, dim, 40);
    let draws: Vec<&[f64]> = draws.iter().map(Vec::as_slice).collect();
    let gradients: Vec<&[f64]> = gradients.iter().map(Vec::as_slice).collect();
    let factors = estimate(&draws, &gradients, f64::INFINITY).unwrap();
    assert!(!factors.values.is_empty());
    // With exact Gaussian gradients Σ = C in the rescaled space, so every generalized
    // eigenvalue of (M⁻¹, C) is 1 along a kept direction and within [1/2, 2] elsewhere:
    // the eigenvalues of C⁻½ M⁻¹ C⁻½, i.e. of M⁻¹ C⁻¹, lie in [1/2, 2] (up to γ).
    let c_root_inverse = matrix_function(&c, dim, |v| v.sqrt().recip()).unwrap();
    let whitened = multiply(
        &multiply(&c_root_inverse, &factors.inverse(), dim),
        &c_root_inverse,
        dim,
    );
    let (values, _) = symmetric_eigen(&whitened, dim);
    for v in &values {
        assert!((0.5 - 1e-6..=2.0 + 1e-6).contains(v), "{values:?}");
    }
    // A diagonal metric alone leaves this target badly conditioned.
    let diagonal = factors.clone().without_corrections();
    let whitened = multiply(
        &multiply(&c_root_inverse, &diagonal.inverse(), dim),
        &c_root_inverse,
        dim,
    );
    let (values, _) = symmetric_eigen(&whitened, dim);
    let condition = values.iter().fold(0.0f64, |m, v| m.max(*v))
        / values.iter().fold(f64::INFINITY, |m, v| m.min(*v));
    assert!(condition > 50.0, "{values:?}");
}

#[test]
fn operations_agree_with_the_explicit_matrix() {
    let dim = 4;
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    // Two orthonormal directions.
    let a: Vec<f64> = (0..8).map(|_| rng.sample(StandardNormal)).collect();
    let vectors = orthonormal_basis(a.chunks_exact(dim), dim);
    let factors = LowRank {
        scales: vec![0.5, 2.0, 1.0, 3.0],
        vectors,
        values: vec![9.0, 0.1],
    };
    let inverse = factors.inverse();
    let p = [0.3, -1.2, 2.0, 0.7];
    let mut v = [0.0; 4];
    factors.velocity(&p, &mut v);
    for i in 0..dim {
        let expected: f64 = (0..dim).map(|j| inverse[i * dim + j] * p[j]).sum();
        assert!((v[i] - expected).abs() < 1e-13);
    }
    let quadratic: f64 = p.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!((factors.kinetic_energy(&p) - 0.5 * quadratic).abs() < 1e-13);
    // p ~ N(0, M), so M⁻¹ p ~ N(0, M⁻¹).
    let mut sum = vec![0.0; dim * dim];
    let mut p = [0.0; 4];
    let n = 40_000;
    for _ in 0..n {
        factors.sample_momentum(&mut rng, &mut p);
        factors.velocity(&p, &mut v);
        for i in 0..dim {
            for j in 0..dim {
                sum[i * dim + j] += v[i] * v[j] / n as f64;
            }
        }
    }
    // Standard error of an entry: sqrt((m_ii m_jj + m_ij²) / n), below 0.14 here.
    for i in 0..dim {
        for j in 0..dim {
            let m = inverse[i * dim + j];
            let se = ((inverse[i * dim + i] * inverse[j * dim + j] + m * m) / n as f64).sqrt();
            assert!((sum[i * dim + j] - m).abs() < 5.0 * se, "{i} {j}");
        }
    }
}
