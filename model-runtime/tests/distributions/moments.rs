//! Sample moments against `mean()`/`variance()`, and moments that do not exist.

use std::f64::consts::PI;

use model_runtime::Support;
use model_runtime::distributions::*;
use model_runtime::value::{Count, Real};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::ks::draws;

/// Checks the sample mean and variance of `values` against `mean` and `variance`, each within
/// 5 Monte Carlo standard errors (the variance's from the sample fourth central moment).
pub(crate) fn assert_moments(name: &str, values: &[f64], mean: f64, variance: f64) {
    let n = values.len() as f64;
    let sample_mean = values.iter().sum::<f64>() / n;
    let central = |p: i32| {
        values
            .iter()
            .map(|v| (v - sample_mean).powi(p))
            .sum::<f64>()
            / n
    };
    let (m2, m4) = (central(2), central(4));
    let sample_variance = m2 * n / (n - 1.0);
    let mean_error = (variance / n).sqrt();
    let variance_error = ((m4 - m2 * m2) / n).sqrt();
    assert!(
        (sample_mean - mean).abs() < 5.0 * mean_error,
        "{name}: sample mean {sample_mean} vs {mean} (se {mean_error:.2e})"
    );
    assert!(
        (sample_variance - variance).abs() < 5.0 * variance_error,
        "{name}: sample variance {sample_variance} vs {variance} (se {variance_error:.2e})"
    );
}

pub(crate) fn check_real_moments<D>(d: D, seed: u64)
where
    D: Distribution<Scalar = f64, Kind = Real>,
{
    let values = draws(&d, seed, 50_000);
    assert_moments(
        &format!("{d:?}"),
        &values,
        d.mean().unwrap(),
        d.variance().unwrap(),
    );
}

#[test]
fn sample_moments_match_mean_and_variance() {
    check_real_moments(Normal::new(1.0, 2.0).unwrap(), 80);
    check_real_moments(HalfNormal::new(1.5).unwrap(), 81);
    check_real_moments(StudentT::new(10.0, 1.0, 2.0).unwrap(), 82);
    check_real_moments(Exponential::new(2.5).unwrap(), 83);
    check_real_moments(Gamma::new(0.7, 1.0).unwrap(), 84);
    check_real_moments(Gamma::new(3.0, 0.5).unwrap(), 85);
    check_real_moments(LogNormal::new(0.5, 0.5).unwrap(), 86);
    check_real_moments(Beta::new(2.0, 3.0).unwrap(), 87);
    check_real_moments(Beta::new(0.5, 0.5).unwrap(), 88);
    check_real_moments(Uniform::new(-2.0, 5.0).unwrap(), 89);
    check_real_moments(Laplace::new(1.0, 2.0).unwrap(), 120);
    check_real_moments(Logistic::new(-1.0, 0.5).unwrap(), 121);
    check_real_moments(Gumbel::new(0.5, 2.0).unwrap(), 122);
    // The variance's standard error needs a finite fourth moment: α > 4.
    check_real_moments(InverseGamma::new(8.0, 2.0).unwrap(), 123);
    check_real_moments(Weibull::new(2.0, 1.5).unwrap(), 124);
    check_real_moments(Weibull::new(1.0, 0.7).unwrap(), 125);
    check_real_moments(Pareto::new(1.0, 6.0).unwrap(), 126);
    check_real_moments(Chi2::new(3.0).unwrap(), 127);
    check_real_moments(TruncatedNormal::new(0.5, 2.0, -1.0, 3.0).unwrap(), 128);
    check_real_moments(TruncatedNormal::lower(-1.0, 0.5, 0.0).unwrap(), 129);
    check_real_moments(TruncatedNormal::upper(2.0, 3.0, 4.0).unwrap(), 150);
    check_real_moments(TruncatedNormal::lower(0.0, 1.0, 30.0).unwrap(), 151);
    check_real_moments(TruncatedNormal::new(0.0, 1.0, 5.0, 5.1).unwrap(), 152);
    check_real_moments(SkewNormal::new(1.0, 2.0, 3.0).unwrap(), 153);
    check_real_moments(SkewNormal::new(0.0, 1.0, -8.0).unwrap(), 154);

    for (seed, d) in [
        Bernoulli::new(0.3).unwrap(),
        Bernoulli::from_logits(-2.0).unwrap(),
    ]
    .into_iter()
    .enumerate()
    {
        let mut rng = ChaCha8Rng::seed_from_u64(90 + seed as u64);
        let values: Vec<f64> = (0..50_000)
            .map(|_| f64::from(u8::from(d.sample(&mut rng).unwrap())))
            .collect();
        assert_moments(
            &format!("{d:?}"),
            &values,
            d.mean().unwrap(),
            d.variance().unwrap(),
        );
    }
    check_count_moments(Binomial::new(10, 0.3).unwrap(), 210, 3.0, 2.1);
    check_count_moments(BetaBinomial::new(2.0, 3.0, 10).unwrap(), 211, 4.0, 6.0);
    check_count_moments(NegativeBinomial2::new(3.5, 2.0).unwrap(), 212, 3.5, 9.625);
    check_count_moments(Geometric::new(0.3).unwrap(), 213, 0.7 / 0.3, 0.7 / 0.09);
    let e = 1f64.exp();
    check_count_moments(Geometric::from_logits(-1.0).unwrap(), 214, e, e * (1.0 + e));
    // Category indices 0, 1, 2 with probabilities 0.2, 0.3, 0.5.
    check_count_moments(Categorical::new([0.2, 0.3, 0.5]).unwrap(), 215, 1.3, 0.61);
    // The moments the discrete distributions report.
    assert!((Binomial::new(10, 0.3).unwrap().variance().unwrap() - 2.1).abs() < 1e-14);
    assert_eq!(BetaBinomial::new(2.0, 3.0, 10).unwrap().mean(), Some(4.0));
    assert!((BetaBinomial::new(2.0, 3.0, 10).unwrap().variance().unwrap() - 6.0).abs() < 1e-14);
    assert_eq!(
        NegativeBinomial2::new(3.5, 2.0).unwrap().variance(),
        Some(3.5 + 6.125)
    );
    assert!((Geometric::new(0.3).unwrap().variance().unwrap() - 0.7 / 0.09).abs() < 1e-14);
    let logits = Geometric::from_logits(-1.0).unwrap();
    assert!((logits.mean().unwrap() - 1f64.exp()).abs() < 1e-15);
    assert_eq!(Categorical::new([0.5, 0.5]).unwrap().mean(), None);
    assert_eq!(Delta::new(3.0).unwrap().variance(), Some(0.0));
    for (seed, rate) in [3.5, 2000.0].into_iter().enumerate() {
        let d = Poisson::new(rate).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(92 + seed as u64);
        let values: Vec<f64> = (0..50_000)
            .map(|_| d.sample(&mut rng).unwrap() as f64)
            .collect();
        assert_moments(
            &format!("{d:?}"),
            &values,
            d.mean().unwrap(),
            d.variance().unwrap(),
        );
    }
}

/// Checks the sample mean and variance of a count distribution against closed forms.
fn check_count_moments<D>(d: D, seed: u64, mean: f64, variance: f64)
where
    D: Distribution<Scalar = f64, Kind = Count>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let values: Vec<f64> = (0..50_000)
        .map(|_| d.sample(&mut rng).unwrap() as f64)
        .collect();
    assert_moments(&format!("{d:?}"), &values, mean, variance);
}

#[test]
fn von_mises_mean_direction_and_circular_variance() {
    for (seed, (loc, kappa)) in [(5.0, 2.0), (-3.0, 0.5), (0.2, 700.0)]
        .into_iter()
        .enumerate()
    {
        let d = VonMises::new(loc, kappa).unwrap();
        let x = draws(&d, 95 + seed as u64, 50_000);
        let n = x.len() as f64;
        let mean_direction = d.mean().unwrap();
        assert!((-PI..PI).contains(&mean_direction));
        // Projections on the mean direction and across it.
        let along: Vec<f64> = x.iter().map(|v| (v - mean_direction).cos()).collect();
        let across: Vec<f64> = x.iter().map(|v| (v - mean_direction).sin()).collect();
        let resultant = along.iter().sum::<f64>() / n;
        let sd_along = (along.iter().map(|c| (c - resultant).powi(2)).sum::<f64>() / n).sqrt();
        let circular_variance = 1.0 - resultant;
        let se = sd_along / n.sqrt();
        assert!(
            (circular_variance - d.variance().unwrap()).abs() < 5.0 * se,
            "{d:?}: circular variance {circular_variance} vs {} (se {se:.1e})",
            d.variance().unwrap()
        );
        // The mean sine about the true mean direction is 0 with standard error sd(sin)/√n.
        let mean_across = across.iter().sum::<f64>() / n;
        let se = (across.iter().map(|s| s * s).sum::<f64>() / n).sqrt() / n.sqrt();
        assert!(
            mean_across.abs() < 5.0 * se,
            "{d:?}: mean sine {mean_across} (se {se:.1e})"
        );
    }
}

#[test]
fn moments_that_do_not_exist_are_none() {
    assert_eq!(Cauchy::new(0.0, 1.0).unwrap().mean(), None);
    assert_eq!(Cauchy::new(0.0, 1.0).unwrap().variance(), None);
    assert_eq!(HalfCauchy::new(1.0).unwrap().mean(), None);
    assert_eq!(StudentT::new(1.0, 0.0, 1.0).unwrap().mean(), None);
    assert_eq!(StudentT::new(1.0, 0.0, 1.0).unwrap().variance(), None);
    assert_eq!(StudentT::new(1.5, 2.0, 1.0).unwrap().mean(), Some(2.0));
    assert_eq!(
        StudentT::new(1.5, 0.0, 1.0).unwrap().variance(),
        Some(f64::INFINITY)
    );
    assert_eq!(StudentT::new(4.0, 0.0, 3.0).unwrap().variance(), Some(18.0));
    assert_eq!(
        ImproperUniform::<f64>::new(Support::Real).unwrap().mean(),
        None
    );
    // Moments that diverge to +∞ are +∞, as in NumPyro.
    let inf = Some(f64::INFINITY);
    assert_eq!(InverseGamma::new(1.0, 2.0).unwrap().mean(), inf);
    assert_eq!(InverseGamma::new(2.0, 2.0).unwrap().mean(), Some(2.0));
    assert_eq!(InverseGamma::new(2.0, 2.0).unwrap().variance(), inf);
    assert_eq!(Pareto::new(1.0, 1.0).unwrap().mean(), inf);
    assert_eq!(Pareto::new(1.0, 2.0).unwrap().variance(), inf);
    // Circular variance: 1 for the uniform circle, 1 - I1/I0 ≈ 1/(2κ) for large κ.
    assert_eq!(VonMises::new(0.0, 0.0).unwrap().variance(), Some(1.0));
    let v = VonMises::new(0.0, 1e4).unwrap().variance().unwrap();
    assert!((v - (0.5e-4 + 0.125e-8)).abs() < 1e-11, "{v}");
}
