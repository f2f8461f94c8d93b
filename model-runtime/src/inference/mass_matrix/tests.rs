//! Unit tests of the mass matrix and its Welford estimators: the estimates against two-pass
//! ones, Stan's regularization, the dense metric's operations, the momentum distribution and the
//! rejection of invalid matrices (fixed seeds).

use super::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

fn two_pass_covariance(xs: &[Vec<f64>]) -> Vec<f64> {
    let n = xs.len() as f64;
    let d = xs[0].len();
    let mean: Vec<f64> = (0..d)
        .map(|j| xs.iter().map(|x| x[j]).sum::<f64>() / n)
        .collect();
    let mut cov = vec![0.0; d * d];
    for x in xs {
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] += (x[i] - mean[i]) * (x[j] - mean[j]) / (n - 1.0);
            }
        }
    }
    cov
}

#[test]
fn welford_matches_two_pass_estimates() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let xs: Vec<Vec<f64>> = (0..57)
        .map(|_| {
            let a: f64 = rng.sample(StandardNormal);
            let b: f64 = rng.sample(StandardNormal);
            vec![100.0 + a, 3.0 * a + 0.1 * b, -b]
        })
        .collect();
    let mut var = WelfordVariance::new(3);
    let mut cov = WelfordCovariance::new(3);
    assert!(var.variance().is_none() && cov.covariance().is_none());
    for x in &xs {
        var.add(x);
        cov.add(x);
    }
    let reference = two_pass_covariance(&xs);
    let estimate = cov.covariance().unwrap();
    for (a, b) in estimate.iter().zip(&reference) {
        assert!((a - b).abs() < 1e-10 * (1.0 + b.abs()), "{a} vs {b}");
    }
    for (i, v) in var.variance().unwrap().iter().enumerate() {
        assert!((v - reference[i * 3 + i]).abs() < 1e-10 * (1.0 + v));
    }
    assert_eq!((var.count(), cov.count()), (57, 57));
    var.restart();
    cov.restart();
    assert_eq!((var.count(), cov.count()), (0, 0));
}

#[test]
fn regularization_is_stans() {
    let mut diag = vec![2.0, 4.0];
    regularize(&mut diag, 95, None);
    assert!((diag[0] - (0.95 * 2.0 + 5e-5)).abs() < 1e-15);
    let mut dense = vec![2.0, 1.0, 1.0, 4.0];
    regularize(&mut dense, 95, Some(2));
    assert!((dense[1] - 0.95).abs() < 1e-15);
    assert!((dense[3] - (0.95 * 4.0 + 5e-5)).abs() < 1e-15);
}

#[test]
fn dense_kinetic_energy_velocity_and_momentum_agree() {
    let inverse = vec![2.0, 0.9, 0.3, 0.9, 1.0, -0.2, 0.3, -0.2, 0.5];
    let m = MassMatrix::dense(inverse.clone(), 3).unwrap();
    let p = [0.3, -1.2, 2.0];
    let mut v = [0.0; 3];
    m.velocity(&p, &mut v);
    let quadratic: f64 = p.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!((m.kinetic_energy(&p) - 0.5 * quadratic).abs() < 1e-14);

    // Cov(M⁻¹ p) = M⁻¹ M M⁻¹ = M⁻¹ when p ~ N(0, M).
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut acc = WelfordCovariance::new(3);
    let mut p = [0.0; 3];
    for _ in 0..40_000 {
        m.sample_momentum(&mut rng, &mut p);
        m.velocity(&p, &mut v);
        acc.add(&v);
    }
    // Standard error of a covariance entry is about sqrt((s_ii s_jj + s_ij²) / n) < 0.015.
    for (a, b) in acc.covariance().unwrap().iter().zip(&inverse) {
        assert!((a - b).abs() < 0.06, "{a} vs {b}");
    }
}

#[test]
fn diagonal_momentum_has_variance_m() {
    let m = MassMatrix::diagonal(vec![4.0, 0.25]).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut acc = WelfordVariance::new(2);
    let mut p = [0.0; 2];
    for _ in 0..20_000 {
        m.sample_momentum(&mut rng, &mut p);
        acc.add(&p);
    }
    let var = acc.variance().unwrap();
    // M = diag(1/4, 4); the standard error of the variance is about var · sqrt(2 / n) = 1%.
    assert!((var[0] / 0.25 - 1.0).abs() < 0.05 && (var[1] / 4.0 - 1.0).abs() < 0.05);
    assert!((m.kinetic_energy(&[1.0, 2.0]) - 0.5 * (4.0 + 0.25 * 4.0)).abs() < 1e-15);
}

#[test]
fn invalid_matrices_are_rejected() {
    assert!(MassMatrix::diagonal(vec![1.0, 0.0]).is_none());
    assert!(MassMatrix::diagonal(vec![f64::NAN]).is_none());
    assert!(MassMatrix::dense(vec![1.0, 2.0, 2.0, 1.0], 2).is_none());
    assert!(MassMatrix::dense(vec![1.0, 0.5, 0.4, 1.0], 2).is_none());
    assert!(MassMatrix::dense(vec![1.0, 0.0, 0.0], 2).is_none());
    let identity = MassMatrix::identity(MassMatrixKind::Dense, 2);
    assert_eq!(identity.inverse(), vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
    assert_eq!(identity.inverse_diagonal(), vec![1.0, 1.0]);
}
