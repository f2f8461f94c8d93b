//! Chi-square goodness-of-fit tests of the discrete samplers against their mass functions.

use model_runtime::distributions::*;
use model_runtime::value::Count;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Discrete, DiscreteCDF};

use crate::ks::DRAWS;

/// Pearson's statistic for `counts` against `probabilities` (which sum to 1), and its critical
/// value at α = 0.001.
pub(crate) fn chi_square(counts: &[u64], probabilities: &[f64]) -> (f64, f64) {
    let n: u64 = counts.iter().sum();
    let statistic = counts
        .iter()
        .zip(probabilities)
        .map(|(&o, &p)| {
            let e = n as f64 * p;
            (o as f64 - e).powi(2) / e
        })
        .sum();
    let df = (counts.len() - 1) as f64;
    let critical = statrs::distribution::ChiSquared::new(df)
        .unwrap()
        .inverse_cdf(0.999);
    (statistic, critical)
}

#[test]
fn chi_square_bernoulli() {
    let cases = [
        Bernoulli::new(0.3).unwrap(),
        Bernoulli::from_logits(-2.0).unwrap(),
        Bernoulli::new(2e-3).unwrap(),
    ];
    for (seed, d) in cases.into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(50 + seed as u64);
        let successes = (0..DRAWS).filter(|_| d.sample(&mut rng).unwrap()).count() as u64;
        let p = d.probs();
        let (statistic, critical) =
            chi_square(&[DRAWS as u64 - successes, successes], &[1.0 - p, p]);
        assert!(
            statistic < critical,
            "{d:?}: chi-square {statistic:.2} >= {critical:.2}"
        );
    }
}

#[test]
fn chi_square_poisson() {
    for (seed, rate) in [0.1, 3.5, 40.0, 2000.0].into_iter().enumerate() {
        let d = Poisson::new(rate).unwrap();
        let reference = statrs::distribution::Poisson::new(rate).unwrap();
        // Bins [edges[i], edges[i + 1]) of consecutive counts, the last one [edges[last], ∞),
        // each with an expected count of at least 20.
        let expected = |p: f64| p * DRAWS as f64;
        let (mut edges, mut probabilities) = (vec![0_u64], Vec::new());
        let (mut k, mut mass) = (0_u64, 0.0);
        loop {
            mass += reference.pmf(k);
            k += 1;
            if expected(reference.sf(k - 1)) < 20.0 {
                break; // what is left joins the current bin, the last one
            }
            if expected(mass) >= 20.0 {
                probabilities.push(mass);
                edges.push(k);
                mass = 0.0;
            }
        }
        probabilities.push(1.0 - probabilities.iter().sum::<f64>());
        let mut counts = vec![0_u64; probabilities.len()];
        let mut rng = ChaCha8Rng::seed_from_u64(60 + seed as u64);
        for _ in 0..DRAWS {
            let k = d.sample(&mut rng).unwrap();
            let bin = edges.partition_point(|&edge| edge <= k) - 1;
            counts[bin] += 1;
        }
        let (statistic, critical) = chi_square(&counts, &probabilities);
        assert!(
            statistic < critical,
            "Poisson({rate}): chi-square {statistic:.2} >= {critical:.2}"
        );
    }
}

/// Draws `DRAWS` counts from `d` and tests them against `pmf` by chi-square.
pub(crate) fn assert_chi_square<D>(d: &D, seed: u64, pmf: impl Fn(u64) -> f64)
where
    D: Distribution<Scalar = f64, Kind = Count>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let draws: Vec<u64> = (0..DRAWS).map(|_| d.sample(&mut rng).unwrap()).collect();
    assert_chi_square_of_counts(&format!("{d:?}"), &draws, pmf);
}

/// Tests counts against `pmf` by chi-square, on bins of consecutive counts with expected counts
/// of at least 20 (the last bin takes the whole tail).
pub(crate) fn assert_chi_square_of_counts(name: &str, draws: &[u64], pmf: impl Fn(u64) -> f64) {
    let expected = |p: f64| p * draws.len() as f64;
    let (mut edges, mut probabilities) = (vec![0_u64], Vec::new());
    let (mut k, mut mass, mut cumulative) = (0_u64, 0.0, 0.0);
    loop {
        let p = pmf(k);
        mass += p;
        cumulative += p;
        k += 1;
        if expected(1.0 - cumulative) < 20.0 {
            break; // what is left joins the current bin, the last one
        }
        if expected(mass) >= 20.0 {
            probabilities.push(mass);
            edges.push(k);
            mass = 0.0;
        }
    }
    probabilities.push(1.0 - probabilities.iter().sum::<f64>());
    let mut counts = vec![0_u64; probabilities.len()];
    for &k in draws {
        counts[edges.partition_point(|&edge| edge <= k) - 1] += 1;
    }
    let (statistic, critical) = chi_square(&counts, &probabilities);
    assert!(
        statistic < critical,
        "{name}: chi-square {statistic:.2} >= {critical:.2} over {} bins",
        counts.len()
    );
}

#[test]
fn chi_square_binomial() {
    // Inversion (BINV) and BTPE regimes of rand_distr's sampler, probabilities and logits.
    let cases = [
        (10, Binomial::new(10, 0.3).unwrap()),
        (20, Binomial::from_logits(20, -1.5).unwrap()),
        (1000, Binomial::new(1000, 0.5).unwrap()),
        (5, Binomial::new(5, 0.999).unwrap()),
        (100_000, Binomial::from_logits(100_000, -7.0).unwrap()),
    ];
    for (seed, (n, d)) in cases.into_iter().enumerate() {
        let reference = statrs::distribution::Binomial::new(d.probs(), n).unwrap();
        assert_chi_square(&d, 160 + seed as u64, |k| reference.pmf(k));
    }
}

#[test]
fn chi_square_beta_binomial() {
    // statrs has no beta-binomial; the probabilities are the library's own log masses, which
    // `log_prob_matches_reference` checks against mpmath.
    let cases = [
        (2.0, 3.0, 10),
        (0.5, 0.5, 30),
        (50.0, 20.0, 200),
        (0.05, 2.0, 1000),
    ];
    for (seed, (a, b, n)) in cases.into_iter().enumerate() {
        let d = BetaBinomial::new(a, b, n).unwrap();
        assert_chi_square(&d, 170 + seed as u64, |k| d.log_prob(&k).exp());
    }
}

#[test]
fn chi_square_negative_binomial2() {
    let cases = [(3.5, 2.0), (100.0, 0.5), (10.0, 1e6), (0.2, 0.05)];
    for (seed, (mean, concentration)) in cases.into_iter().enumerate() {
        let d = NegativeBinomial2::new(mean, concentration).unwrap();
        let reference = statrs::distribution::NegativeBinomial::new(
            concentration,
            concentration / (concentration + mean),
        )
        .unwrap();
        assert_chi_square(&d, 180 + seed as u64, |k| reference.pmf(k));
    }
}

#[test]
fn chi_square_geometric() {
    let cases = [
        Geometric::new(0.3).unwrap(),
        Geometric::new(0.9).unwrap(),
        Geometric::from_logits(-2.0).unwrap(),
        Geometric::new(1e-3).unwrap(),
    ];
    for (seed, d) in cases.into_iter().enumerate() {
        // statrs counts trials, from 1.
        let reference = statrs::distribution::Geometric::new(d.probs()).unwrap();
        assert_chi_square(&d, 190 + seed as u64, |k| reference.pmf(k + 1));
    }
}

#[test]
fn chi_square_categorical() {
    let probs = [0.2, 0.3, 0.5];
    let d = Categorical::new(probs).unwrap();
    assert_chi_square(&d, 200, |k| probs.get(k as usize).copied().unwrap_or(0.0));
    let logits = [0.0_f64, 1.0, 2.0, -1.0, 0.5];
    let total: f64 = logits.iter().map(|l| l.exp()).sum();
    let d = Categorical::from_logits(logits).unwrap();
    assert_chi_square(&d, 201, |k| {
        logits.get(k as usize).map_or(0.0, |l| l.exp() / total)
    });
}

#[test]
fn chi_square_rejects_a_wrong_sampler() {
    // Poisson(3.5) draws judged against Poisson(3.3) bins.
    let reference = statrs::distribution::Poisson::new(3.3).unwrap();
    let mut probabilities: Vec<f64> = (0..10).map(|k| reference.pmf(k)).collect();
    probabilities.push(reference.sf(9));
    let mut counts = vec![0_u64; 11];
    let mut rng = ChaCha8Rng::seed_from_u64(70);
    let d = Poisson::new(3.5).unwrap();
    for _ in 0..DRAWS {
        counts[(d.sample(&mut rng).unwrap() as usize).min(10)] += 1;
    }
    let (statistic, critical) = chi_square(&counts, &probabilities);
    assert!(
        statistic > critical,
        "chi-square failed to reject: {statistic:.2} < {critical:.2}"
    );
}
