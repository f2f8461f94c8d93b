//! The vector families: samplers (marginal Kolmogorov–Smirnov and chi-square tests), densities,
//! moments, constructors and coordinate round trips.

use std::f64::consts::PI;

use model_runtime::Support;
use model_runtime::distributions::*;
use model_runtime::value::PooledVec;
use model_runtime::value::Reals;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Discrete};

use crate::chi_square::{assert_chi_square_of_counts, chi_square};
use crate::constructors::kind_is;
use crate::ks::{
    DRAWS, GAUSS_LEGENDRE_NODES, GAUSS_LEGENDRE_WEIGHTS, ks_critical_value, ks_statistic,
};
use crate::moments::assert_moments;

/// `n` draws of a real-vector family.
fn vector_draws<D>(distribution: &D, seed: u64, n: usize) -> Vec<Vec<f64>>
where
    D: Distribution<Scalar = f64, Kind = Reals>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| distribution.sample(&mut rng).expect("samplable"))
        .collect()
}

/// The KS test of one coordinate (`coordinate(draw)`) of vector draws against `cdf`.
fn assert_ks_marginal(
    name: &str,
    draws: &[Vec<f64>],
    coordinate: impl Fn(&[f64]) -> f64,
    cdf: impl FnMut(f64) -> f64,
) {
    let values: Vec<f64> = draws.iter().map(|x| coordinate(x)).collect();
    let statistic = ks_statistic(values, cdf);
    let critical = ks_critical_value(draws.len());
    assert!(
        statistic < critical,
        "{name}: KS statistic {statistic:.4} >= {critical:.4}"
    );
}

#[test]
fn ks_dirichlet_marginals_are_beta() {
    // Component k of Dirichlet(α) is Beta(α_k, α_0 - α_k); concentrations far below 1 exercise
    // the log-space gamma draws.
    let cases = [
        vec![0.5, 2.0, 3.5],
        vec![0.05, 0.1, 5.0, 1.0],
        vec![1e3, 50.0, 1.0],
        vec![1e-3, 1e-3],
    ];
    for (seed, alpha) in cases.into_iter().enumerate() {
        let d = Dirichlet::new(alpha.clone()).unwrap();
        let x = vector_draws(&d, 300 + seed as u64, DRAWS);
        assert!(
            x.iter().all(|x| x.iter().all(|&v| v >= 0.0)
                && (x.iter().sum::<f64>() - 1.0).abs() < 1e-12),
            "{d:?}: a draw off the simplex"
        );
        let total: f64 = alpha.iter().sum();
        for (k, &a) in alpha.iter().enumerate() {
            if a < 0.01 {
                // Beta(1e-3, 1e-3) puts half its mass within 1e-300 of 0: doubles cannot
                // resolve the marginal, so only the balance of the two ends is checked.
                let near_zero = x.iter().filter(|x| x[k] < 0.5).count() as f64 / DRAWS as f64;
                assert!((near_zero - 0.5).abs() < 0.02, "{d:?}: {near_zero}");
                continue;
            }
            let beta = statrs::distribution::Beta::new(a, total - a).unwrap();
            assert_ks_marginal(&format!("{d:?}[{k}]"), &x, |x| x[k], |v| beta.cdf(v));
        }
    }
}

#[test]
fn dirichlet_sample_moments_match_mean_and_variance_vectors() {
    let d = Dirichlet::new([0.7, 2.0, 4.5]).unwrap();
    let x = vector_draws(&d, 310, 50_000);
    for (k, (mean, variance)) in d
        .mean_vector()
        .into_iter()
        .zip(d.variance_vector())
        .enumerate()
    {
        let values: Vec<f64> = x.iter().map(|x| x[k]).collect();
        assert_moments(&format!("{d:?}[{k}]"), &values, mean, variance);
    }
    assert_eq!(d.mean(), None);
    assert!((d.mean_vector()[1] - 2.0 / 7.2).abs() < 1e-15);
}

/// Maps random unconstrained points to values and back, and values drawn from `d` to
/// unconstrained points and back.
pub(crate) fn check_round_trips<D>(d: &D, seed: u64, tolerance: f64)
where
    D: Distribution<Scalar = f64, Kind = Reals>,
{
    use rand::RngExt;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..200 {
        let u: Vec<f64> = (0..d.unconstrained_len())
            .map(|_| rng.random_range(-4.0..4.0))
            .collect();
        let (x, log_jacobian) = d.constrain(&u);
        assert!(log_jacobian.is_finite(), "{d:?} at {u:?}");
        assert!(
            d.log_prob(&x).is_finite(),
            "{d:?}: {x:?} is not in the support"
        );
        let mut back = Vec::new();
        d.unconstrain(&x, &mut back).unwrap();
        for (a, b) in back.iter().zip(&u) {
            assert!(
                (a - b).abs() < tolerance,
                "{d:?}: {u:?} -> {x:?} -> {back:?}"
            );
        }
        let draw = d.sample(&mut rng).unwrap();
        let mut v = vec![7.0]; // coordinates are appended to what is there
        d.unconstrain(&draw, &mut v).unwrap();
        assert_eq!(v.len(), 1 + d.unconstrained_len());
        let (again, _) = d.constrain(&v[1..]);
        for (a, b) in again.iter().zip(&draw) {
            assert!(
                (a - b).abs() < tolerance,
                "{d:?}: {draw:?} -> {v:?} -> {again:?}"
            );
        }
    }
}

#[test]
fn dirichlet_constrains_through_the_simplex() {
    let d = Dirichlet::new([0.7, 2.0, 4.5, 1.0]).unwrap();
    assert_eq!(d.unconstrained_len(), 3);
    check_round_trips(&d, 311, 1e-12);
    let mut out = Vec::new();
    assert_eq!(d.unconstrain(&vec![0.5, 0.5, 0.0, 0.0], &mut out), Err(0.0));
    assert_eq!(d.unconstrain(&vec![0.5, 0.6, 0.0, 0.0], &mut out), Err(1.1));
    assert!(
        d.unconstrain(&vec![0.5, 0.5], &mut out)
            .unwrap_err()
            .is_nan()
    );
    assert!(out.is_empty(), "a failed unconstrain leaves nothing behind");
    assert_eq!(d.support(), Support::UnitInterval);
    kind_is::<Dirichlet, Reals>();
}

#[test]
fn dirichlet_rejects_bad_concentrations() {
    assert_eq!(
        Dirichlet::<f64>::new(vec![]),
        Err(DirichletError::NoComponents)
    );
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            Dirichlet::new([1.0, bad]),
            Err(DirichletError::ConcentrationNotPositive { index: 1, .. })
        ));
    }
    assert_eq!(
        Dirichlet::new([1.0, -2.0]).unwrap_err().to_string(),
        "Dirichlet concentration must be positive and finite, got -2 for component 1"
    );
}

#[test]
fn dirichlet_draws_stay_on_the_simplex_for_extreme_concentrations() {
    let mut rng = ChaCha8Rng::seed_from_u64(312);
    for alpha in [vec![1e-300, 1e-300], vec![1e-300, 1.0, 1e6], vec![1e8; 3]] {
        let d = Dirichlet::new(alpha).unwrap();
        for _ in 0..100 {
            let x = d.sample(&mut rng).unwrap();
            assert!(
                x.iter().all(|v| (0.0..=1.0).contains(v))
                    && (x.iter().sum::<f64>() - 1.0).abs() < 1e-12,
                "{d:?}: {x:?}"
            );
        }
    }
}

/// Every vector of `k` counts summing to `n`, in lexicographic order.
fn compositions(n: u64, k: usize) -> Vec<Vec<u64>> {
    if k == 1 {
        return vec![vec![n]];
    }
    (0..=n)
        .flat_map(|first| {
            compositions(n - first, k - 1)
                .into_iter()
                .map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
        })
        .collect()
}

#[test]
fn chi_square_multinomial_joint_and_marginals() {
    // Joint: every outcome of a small multinomial against the library's masses (which
    // `log_prob_matches_reference` checks against mpmath); they must also sum to 1.
    for (seed, d) in [
        Multinomial::new(4, [0.2, 0.3, 0.5]).unwrap(),
        Multinomial::from_logits(6, [0.0, -1.0, 1.5, 0.2]).unwrap(),
    ]
    .into_iter()
    .enumerate()
    {
        let outcomes = compositions(d.total_count(), d.num_categories());
        let probabilities: Vec<f64> = outcomes
            .iter()
            .map(|x| d.log_prob(&PooledVec::from_slice(x)).exp())
            .collect();
        assert!((probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-13);
        let mut counts = vec![0_u64; outcomes.len()];
        let mut rng = ChaCha8Rng::seed_from_u64(320 + seed as u64);
        for _ in 0..DRAWS {
            let x = d.sample(&mut rng).unwrap();
            counts[outcomes.binary_search(&x).expect("a valid outcome")] += 1;
        }
        // Pool the outcomes expected fewer than 20 times into one bin.
        let (mut pooled_counts, mut pooled_probabilities) = (vec![0], vec![0.0]);
        for (&c, &p) in counts.iter().zip(&probabilities) {
            if p * (DRAWS as f64) < 20.0 {
                pooled_counts[0] += c;
                pooled_probabilities[0] += p;
            } else {
                pooled_counts.push(c);
                pooled_probabilities.push(p);
            }
        }
        if pooled_probabilities[0] == 0.0 {
            pooled_counts.remove(0);
            pooled_probabilities.remove(0);
        }
        let (statistic, critical) = chi_square(&pooled_counts, &pooled_probabilities);
        assert!(
            statistic < critical,
            "{d:?}: chi-square {statistic:.2} >= {critical:.2}"
        );
    }
    // Marginals: the count of category k is Binomial(n, p_k), here for n large enough that the
    // binomials are drawn by BTPE, and for a category that is almost never chosen.
    let d = Multinomial::new(500, [0.3, 0.001, 0.199, 0.5]).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(330);
    let x: Vec<Vec<u64>> = (0..DRAWS).map(|_| d.sample(&mut rng).unwrap()).collect();
    assert!(x.iter().all(|x| x.iter().sum::<u64>() == 500));
    for (k, p) in d.probs().into_iter().enumerate() {
        let reference = statrs::distribution::Binomial::new(p, 500).unwrap();
        let marginal: Vec<u64> = x.iter().map(|x| x[k]).collect();
        assert_chi_square_of_counts(&format!("{d:?}[{k}]"), &marginal, |j| reference.pmf(j));
    }
}

#[test]
fn multinomial_moments_constructors_and_kind() {
    let d = Multinomial::new(12, [0.1, 0.6, 0.3]).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(331);
    let x: Vec<Vec<u64>> = (0..50_000).map(|_| d.sample(&mut rng).unwrap()).collect();
    for (k, (mean, variance)) in d
        .mean_vector()
        .into_iter()
        .zip(d.variance_vector())
        .enumerate()
    {
        let values: Vec<f64> = x.iter().map(|x| x[k] as f64).collect();
        assert_moments(&format!("{d:?}[{k}]"), &values, mean, variance);
    }
    // 1 - p from ln p: the variance of a near-certain category keeps its digits.
    let sure = Multinomial::from_logits(10, [40.0, 0.0]).unwrap();
    let v = sure.variance_vector()[0];
    assert!((v - 10.0 * (-40.0_f64).exp()).abs() < 1e-15 * v, "{v}");
    assert_eq!(d.mean(), None);
    assert_eq!(d.support(), Support::NonNegativeInteger);
    kind_is::<Multinomial, model_runtime::value::Counts>();

    assert_eq!(
        Multinomial::<f64>::new(3, vec![]),
        Err(MultinomialError::NoCategories)
    );
    assert!(matches!(
        Multinomial::new(3, [0.5, 1.5]),
        Err(MultinomialError::ProbsOutOfRange { index: 1, .. })
    ));
    assert!(matches!(
        Multinomial::new(3, [0.5, f64::NAN]),
        Err(MultinomialError::ProbsOutOfRange { index: 1, .. })
    ));
    assert_eq!(
        Multinomial::new(3, [0.5, 0.6]),
        Err(MultinomialError::ProbsDoNotSumToOne { sum: 1.1 })
    );
    assert!(matches!(
        Multinomial::from_logits(3, [0.0, f64::INFINITY]),
        Err(MultinomialError::LogitsNotFinite { index: 1, .. })
    ));
    assert_eq!(
        Multinomial::new(3, [0.5, 0.6]).unwrap_err().to_string(),
        "Multinomial probs must sum to 1, got a sum of 1.1; to normalize weights, use `Multinomial::from_logits` with their logs"
    );
    // Certain and impossible outcomes.
    let mut rng = ChaCha8Rng::seed_from_u64(332);
    let certain = Multinomial::new(7, [0.0, 1.0, 0.0]).unwrap();
    assert_eq!(certain.sample(&mut rng), Some(vec![0, 7, 0]));
    assert_eq!(certain.log_prob(&PooledVec::from_slice(&[0, 7, 0])), 0.0);
    assert_eq!(
        certain.log_prob(&PooledVec::from_slice(&[1, 6, 0])),
        f64::NEG_INFINITY
    );
    let none = Multinomial::new(0, [0.5, 0.5]).unwrap();
    assert_eq!(none.sample(&mut rng), Some(vec![0, 0]));
}

/// The correlation matrix `L Lᵀ` of a row-major `d × d` Cholesky factor.
fn correlation_matrix(l: &[f64], d: usize) -> Vec<f64> {
    let mut c = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            c[i * d + j] = (0..d).map(|k| l[i * d + k] * l[j * d + k]).sum();
        }
    }
    c
}

#[test]
fn ks_lkj_correlations_are_scaled_beta() {
    // Each off-diagonal correlation is 2B - 1 with B ~ Beta(η + (D-2)/2, η + (D-2)/2) (LKJ 2009,
    // section 3.2), whatever the row: the first row pair and the last are tested.
    use model_runtime::bijectors::{CorrelationCholesky, VectorBijector};
    let cases = [(2, 1.0), (3, 0.5), (4, 2.0), (5, 0.05), (3, 1e3)];
    for (seed, (d, eta)) in cases.into_iter().enumerate() {
        let lkj = LKJCholesky::new(d, eta).unwrap();
        let x = vector_draws(&lkj, 340 + seed as u64, DRAWS);
        let bijector = CorrelationCholesky::new(d);
        assert!(
            x.iter().all(|l| bijector.contains(l)),
            "{lkj:?}: a draw is not a correlation Cholesky factor"
        );
        let shape = eta + (d as f64 - 2.0) / 2.0;
        let beta = statrs::distribution::Beta::new(shape, shape).unwrap();
        for (i, j) in [(1, 0), (d - 1, d - 2)] {
            assert_ks_marginal(
                &format!("{lkj:?} C[{i},{j}]"),
                &x,
                |l| correlation_matrix(l, d)[i * d + j],
                |c| beta.cdf((c + 1.0) / 2.0),
            );
        }
    }
}

#[test]
fn lkj_constrains_through_the_correlation_cholesky_bijector() {
    for (seed, (d, eta)) in [(2, 1.0), (3, 0.5), (5, 4.0)].into_iter().enumerate() {
        let lkj = LKJCholesky::new(d, eta).unwrap();
        assert_eq!(lkj.unconstrained_len(), d * (d - 1) / 2);
        check_round_trips(&lkj, 350 + seed as u64, 1e-9);
    }
    let lkj = LKJCholesky::new(2, 1.0).unwrap();
    let mut out = Vec::new();
    assert_eq!(
        lkj.unconstrain(&vec![1.0, 0.0, 0.6, 0.6], &mut out),
        Err(0.72)
    );
    assert_eq!(
        lkj.unconstrain(&vec![1.0, 0.5, 0.0, 1.0], &mut out),
        Err(0.5)
    );
    assert!(lkj.unconstrain(&vec![1.0], &mut out).unwrap_err().is_nan());
    assert!(out.is_empty());
    assert!(
        lkj.log_prob(&PooledVec::from_slice(&[1.0, 0.0, 0.0]))
            .is_nan()
    );
    assert_eq!(
        lkj.support(),
        Support::Interval(-1.0, 1.0),
        "elements of a correlation factor"
    );
    kind_is::<LKJCholesky, Reals>();
}

#[test]
fn lkj_rejects_bad_parameters() {
    for d in [0, 1] {
        assert_eq!(
            LKJCholesky::new(d, 1.0),
            Err(LKJCholeskyError::DimensionTooSmall { dimension: d })
        );
    }
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            LKJCholesky::new(3, bad),
            Err(LKJCholeskyError::ConcentrationNotPositive { .. })
        ));
    }
    assert_eq!(
        LKJCholesky::new(1, 1.0).unwrap_err().to_string(),
        "LKJCholesky dimension must be at least 2, got 1"
    );
}

/// A CDF by integrating a density from `lower` with the 8-point Gauss–Legendre rule on pieces no
/// wider than `piece`, carried from one call to the next (points must increase), and divided by
/// the integral up to `upper`, so that it needs no normalizing constant.
struct QuadratureCdf<F: Fn(f64) -> f64> {
    density: F,
    piece: f64,
    at: f64,
    integral: f64,
    total: f64,
}

impl<F: Fn(f64) -> f64> QuadratureCdf<F> {
    fn new(density: F, lower: f64, upper: f64, piece: f64) -> Self {
        let mut cdf = QuadratureCdf {
            density,
            piece,
            at: lower,
            integral: 0.0,
            total: 1.0,
        };
        cdf.total = cdf.integrate(lower, upper);
        cdf
    }

    fn at(&mut self, x: f64) -> f64 {
        assert!(x >= self.at, "points must increase");
        self.integral += self.integrate(self.at, x);
        self.at = x;
        self.integral / self.total
    }

    fn integrate(&self, a: f64, b: f64) -> f64 {
        let pieces = ((b - a) / self.piece).ceil().max(1.0);
        let h = (b - a) / pieces;
        let mut sum = 0.0;
        for i in 0..pieces as usize {
            let mid = a + (i as f64 + 0.5) * h;
            for (node, weight) in GAUSS_LEGENDRE_NODES.iter().zip(GAUSS_LEGENDRE_WEIGHTS) {
                sum += weight
                    * ((self.density)(mid - 0.5 * h * node) + (self.density)(mid + 0.5 * h * node));
            }
        }
        sum * 0.5 * h
    }
}

#[test]
fn projected_normal_densities_integrate_to_one() {
    // On the circle over the angle; on the sphere, with the concentration along the third axis,
    // over z = cos(polar angle), whose area element is dz dφ.
    for c in [[0.0, 0.0], [1.0, 0.5], [3.0, -4.0], [30.0, 40.0]] {
        let d = ProjectedNormal::new(c).unwrap();
        let density = |a: f64| {
            d.log_prob(&PooledVec::from_slice(&[a.cos(), a.sin()]))
                .exp()
        };
        let total = QuadratureCdf::new(density, -PI, PI, 1e-3).total;
        assert!((total - 1.0).abs() < 1e-12, "{d:?}: {total}");
    }
    for kappa in [0.0, 0.7, 3.0, 25.0] {
        let d = ProjectedNormal::new([0.0, 0.0, kappa]).unwrap();
        let density = |z: f64| {
            let s = (1.0 - z * z).max(0.0).sqrt();
            2.0 * PI * d.log_prob(&PooledVec::from_slice(&[s, 0.0, z])).exp()
        };
        let total = QuadratureCdf::new(density, -1.0, 1.0, 1e-3).total;
        assert!((total - 1.0).abs() < 1e-12, "{d:?}: {total}");
    }
}

#[test]
fn ks_projected_normal_angles() {
    // Circle: the angle of the draws against the integrated density. Sphere: z = cos(polar
    // angle) against its marginal, and the azimuth, which is uniform.
    for (seed, c) in [[1.0, 0.5], [-0.2, 0.1], [3.0, -4.0], [30.0, 40.0]]
        .into_iter()
        .enumerate()
    {
        let d = ProjectedNormal::new(c).unwrap();
        let x = vector_draws(&d, 360 + seed as u64, DRAWS);
        assert!(
            x.iter()
                .all(|v| (v[0] * v[0] + v[1] * v[1] - 1.0).abs() < 1e-15)
        );
        let mut cdf = QuadratureCdf::new(
            |a: f64| {
                d.log_prob(&PooledVec::from_slice(&[a.cos(), a.sin()]))
                    .exp()
            },
            -PI,
            PI,
            1e-3,
        );
        assert_ks_marginal(&format!("{d:?}"), &x, |v| v[1].atan2(v[0]), |a| cdf.at(a));
    }
    for (seed, kappa) in [0.0, 0.7, 3.0, 25.0].into_iter().enumerate() {
        let d = ProjectedNormal::new([0.0, 0.0, kappa]).unwrap();
        let x = vector_draws(&d, 370 + seed as u64, DRAWS);
        let mut cdf = QuadratureCdf::new(
            |z: f64| {
                let s = (1.0 - z * z).max(0.0).sqrt();
                d.log_prob(&PooledVec::from_slice(&[s, 0.0, z])).exp()
            },
            -1.0,
            1.0,
            1e-3,
        );
        assert_ks_marginal(&format!("{d:?} z"), &x, |v| v[2], |z| cdf.at(z));
        assert_ks_marginal(
            &format!("{d:?} azimuth"),
            &x,
            |v| v[1].atan2(v[0]),
            |a| (a + PI) / (2.0 * PI),
        );
    }
}

#[test]
fn projected_normal_values_parameters_and_coordinates() {
    let d = ProjectedNormal::new([1.0, 2.0, 2.0]).unwrap();
    assert_eq!(
        d.log_prob(&PooledVec::from_slice(&[1.0, 1.0, 0.0])),
        f64::NEG_INFINITY
    );
    assert_eq!(
        d.log_prob(&PooledVec::from_slice(&[f64::NAN, 0.0, 1.0])),
        f64::NEG_INFINITY
    );
    assert!(d.log_prob(&PooledVec::from_slice(&[1.0, 0.0])).is_nan());
    assert_eq!(d.mean_direction(), vec![1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]);
    assert_eq!(d.mean(), None);
    assert_eq!(d.support(), Support::Interval(-1.0, 1.0));
    kind_is::<ProjectedNormal, Reals>();
    // Three coordinates (the auxiliary vector of the reparameterizer); a value is its own.
    assert_eq!(d.unconstrained_len(), 3);
    let mut out = Vec::new();
    d.unconstrain(&vec![0.0, 0.6, 0.8], &mut out).unwrap();
    assert_eq!(out, vec![0.0, 0.6, 0.8]);
    assert_eq!(d.unconstrain(&vec![0.0, 1.0, 1.0], &mut out), Err(2.0));
    assert!(
        d.unconstrain(&vec![0.0, 1.0], &mut out)
            .unwrap_err()
            .is_nan()
    );
    // Projecting has no log-Jacobian: the density comes from the reparameterizer.
    let (v, log_jacobian) = d.constrain(&[0.0, 3.0, 4.0]);
    assert_eq!(
        (v.into_vec(), log_jacobian.is_nan()),
        (vec![0.0, 0.6, 0.8], true)
    );
    assert_eq!(<ProjectedNormal>::auxiliary_len(&d), 3);
    let (value, log_density) = <ProjectedNormal>::project_auxiliary(&d, &[0.0, 3.0, 4.0]);
    let normal = MultivariateNormal::new(
        vec![1.0, 2.0, 2.0],
        vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
    )
    .unwrap()
    .log_prob(&PooledVec::from_slice(&[0.0, 3.0, 4.0]));
    assert_eq!(value, vec![0.0, 0.6, 0.8]);
    assert!((log_density - normal).abs() < 1e-14);
    assert_eq!(
        <ProjectedNormal as Distribution>::REQUIRED_REPARAM,
        Some("ProjectedNormalReparam")
    );
    assert_eq!(<Normal as Distribution>::REQUIRED_REPARAM, None);

    for bad in [vec![1.0], vec![0.0; 4], vec![]] {
        let n = bad.len();
        assert_eq!(
            ProjectedNormal::new(bad),
            Err(ProjectedNormalError::DimensionNotTwoOrThree { dimension: n })
        );
    }
    assert!(matches!(
        ProjectedNormal::new([0.0, f64::INFINITY]),
        Err(ProjectedNormalError::ConcentrationNotFinite { index: 1, .. })
    ));
    assert_eq!(
        ProjectedNormal::new([1.0; 4]).unwrap_err().to_string(),
        "ProjectedNormal concentration must have 2 or 3 elements (the circle or the sphere), got 4"
    );
}
