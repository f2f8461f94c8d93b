//! The pointwise log-likelihood of a fit, typed like its draws, and PSIS-LOO from it: every
//! value equals the observation's density at the draw; on a conjugate normal model PSIS-LOO
//! agrees with exact leave-one-out within its Monte Carlo error; an influential observation
//! gets a large Pareto k.

use model_runtime::diagnostics::{psis_smooth, tail_length};
use model_runtime::prelude::*;

#[model]
fn plate_normal(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let sigma = sample!("sigma", HalfNormal::new(2.0));
    plate!("data", y.len(), |i| {
        sample!("y", Normal::new(mu, sigma), obs = y[i]);
    });
}

#[model]
fn counts(k: &[u64], x: &[f64]) {
    let b = sample!("b", Normal::new(0.0, 1.0));
    sample!(
        "k",
        batch::Poisson::from_log_rate(b * batch::vector(x)),
        obs = k
    );
}

#[model]
fn pairs(points: &[Vec<f64>]) {
    let mu = sample!("mu", Normal::new(0.0, 3.0));
    plate!("points", points.len(), |i| {
        sample!(
            "xy",
            MultivariateNormal::new(vec![mu, mu], vec![1.0, 0.5, 0.5, 1.0]),
            obs = points[i].clone()
        );
    });
}

#[test]
fn plate_log_likelihood_is_each_observations_density_at_each_draw() {
    let y = [0.4, -1.1, 2.0, 0.7];
    let model = plate_normal(&y);
    let fit = Nuts::default()
        .warmup(200)
        .samples(50)
        .chains(2)
        .seed(3)
        .run(&model)
        .unwrap();
    let log_lik = fit.log_likelihood(&model).unwrap();
    assert_eq!(log_lik.y.len(), 100);
    for (d, per_draw) in log_lik.y.iter().enumerate() {
        assert_eq!(per_draw.len(), 4);
        let dist = Normal::new(fit.mu[d], fit.sigma[d]).unwrap();
        for (i, value) in per_draw.iter().enumerate() {
            assert!(
                (value - dist.log_prob(&y[i])).abs() < 1e-12,
                "draw {d}, y[{i}]"
            );
        }
    }
}

#[test]
fn vectorized_counts_give_one_value_per_element() {
    let k = [0, 3, 1, 7, 2];
    let x = [-1.0, 0.5, 0.0, 1.2, 0.3];
    let model = counts(&k, &x);
    let fit = Nuts::default()
        .warmup(200)
        .samples(20)
        .chains(1)
        .seed(4)
        .run(&model)
        .unwrap();
    let log_lik = fit.log_likelihood(&model).unwrap();
    for (d, per_draw) in log_lik.k.iter().enumerate() {
        assert_eq!(per_draw.len(), 5);
        for (i, value) in per_draw.iter().enumerate() {
            let rate = (x[i] * fit.b[d]).exp();
            let expected = Poisson::new(rate).unwrap().log_prob(&k[i]);
            assert!((value - expected).abs() < 1e-12, "draw {d}, k[{i}]");
        }
    }
}

#[test]
fn a_multivariate_observation_is_one_unit() {
    let points = vec![vec![0.1, 0.3], vec![-0.5, 0.2], vec![1.0, 1.4]];
    let model = pairs(&points);
    let fit = Nuts::default()
        .warmup(200)
        .samples(10)
        .chains(1)
        .seed(5)
        .run(&model)
        .unwrap();
    let log_lik = fit.log_likelihood(&model).unwrap();
    let mu = fit.mu[0];
    let dist = MultivariateNormal::new(vec![mu, mu], vec![1.0, 0.5, 0.5, 1.0]).unwrap();
    for (i, point) in points.iter().enumerate() {
        assert_eq!(log_lik.xy[0][i].len(), 1);
        let expected = dist.log_prob(&PooledVec::from(point.clone()));
        assert!((log_lik.xy[0][i][0] - expected).abs() < 1e-12);
    }
    let loo = fit.loo(&model);
    assert!(loo.is_err(), "ten draws are too few to smooth: {loo:?}");
}

#[model]
fn known_scale_mean(y: &[f64], prior_sd: f64) {
    let mu = sample!("mu", Normal::new(0.0, prior_sd));
    sample!("y", batch::Normal::new(mu, 1.0), obs = y);
}

/// `ln N(x | m, s²)`.
fn ln_normal(x: f64, m: f64, variance: f64) -> f64 {
    -0.5 * (2.0 * std::f64::consts::PI * variance).ln() - 0.5 * (x - m).powi(2) / variance
}

/// The exact log pointwise predictive density of the full posterior: `mu | y` is normal with
/// precision `1/τ² + n` and mean `Σ y / precision`.
fn exact_lppd(y: &[f64], prior_sd: f64) -> f64 {
    let precision = 1.0 / prior_sd.powi(2) + y.len() as f64;
    let mean = y.iter().sum::<f64>() / precision;
    y.iter()
        .map(|yi| ln_normal(*yi, mean, 1.0 / precision + 1.0))
        .sum()
}

/// Exact leave-one-out for `mu ~ N(0, τ²)`, `y_i ~ N(mu, 1)`: without `y_i` the posterior of
/// `mu` is normal with precision `1/τ² + n - 1` and mean `Σ_{j≠i} y_j / precision`, and the
/// predictive density of `y_i` is normal with variance `1/precision + 1`.
fn exact_elpd_loo(y: &[f64], prior_sd: f64) -> f64 {
    let total: f64 = y.iter().sum();
    y.iter()
        .map(|yi| {
            let precision = 1.0 / prior_sd.powi(2) + (y.len() - 1) as f64;
            let mean = (total - yi) / precision;
            ln_normal(*yi, mean, 1.0 / precision + 1.0)
        })
        .sum()
}

#[test]
fn psis_loo_agrees_with_exact_loo_within_its_monte_carlo_error() {
    let y: Vec<f64> = (0..30)
        .map(|i| 0.8 + 1.3 * (i as f64 * 1.7).sin())
        .collect();
    let model = known_scale_mean(&y, 2.0);
    let fit = Nuts::default().seed(11).run(&model).unwrap();
    let loo = fit.loo(&model).unwrap();
    let exact = exact_elpd_loo(&y, 2.0);
    // The Monte Carlo standard error of each self-normalized importance sampling estimate
    // ln Σ_s w_s p_s, by the delta method: sqrt(Σ_s w_s² (p_s / p̂ - 1)²), inflated for the
    // draws' autocorrelation by 1/sqrt(r_eff) with r_eff = 1 as an upper bound on NUTS's
    // antithetic draws here; errors of different observations add in quadrature.
    let log_lik = fit.log_likelihood(&model).unwrap();
    let mut variance = 0.0;
    let mut lppd_variance = 0.0;
    for i in 0..y.len() {
        let ll: Vec<f64> = log_lik.y.iter().map(|d| d[i]).collect();
        let ratios: Vec<f64> = ll.iter().map(|l| -l).collect();
        assert!(tail_length(ll.len(), 1.0) >= 5);
        let weights = psis_smooth(&ratios, 1.0).unwrap().log_weights;
        let estimate = loo.pointwise[i].elpd.exp();
        variance += weights
            .iter()
            .zip(&ll)
            .map(|(w, l)| (2.0 * w).exp() * (l.exp() / estimate - 1.0).powi(2))
            .sum::<f64>();
        // The plain mean's delta-method variance for lppd_i = ln mean_s p_s.
        let p: Vec<f64> = ll.iter().map(|l| l.exp()).collect();
        let mean = p.iter().sum::<f64>() / p.len() as f64;
        lppd_variance +=
            p.iter().map(|x| (x / mean - 1.0).powi(2)).sum::<f64>() / (p.len() as f64).powi(2);
    }
    let mcse = variance.sqrt();
    eprintln!("PSIS-LOO {} exact {exact} MCSE {mcse}", loo.elpd);
    assert!(
        (loo.elpd - exact).abs() < 4.0 * mcse,
        "PSIS-LOO {} vs exact {exact} (MCSE {mcse})",
        loo.elpd
    );
    assert!(loo.high_k().count() == 0, "{loo}");
    // p_loo = lppd - elpd_loo: its error is both estimates' (added in quadrature as a bound).
    let exact_p = exact_lppd(&y, 2.0) - exact;
    let p_mcse = (variance + lppd_variance).sqrt();
    eprintln!("p_loo {} exact {exact_p} MCSE {p_mcse}", loo.p);
    assert!(
        (loo.p - exact_p).abs() < 4.0 * p_mcse,
        "p_loo {} vs exact {exact_p} (MCSE {p_mcse})",
        loo.p
    );
}

#[test]
fn an_influential_observation_gets_a_large_k_and_is_named() {
    // Twenty observations near 0 and one at 12 under a narrow likelihood: leaving the outlier
    // out moves the posterior far, so its importance ratios are heavy-tailed.
    let mut y: Vec<f64> = (0..20).map(|i| 0.3 * (i as f64 * 2.1).sin()).collect();
    y.push(12.0);
    let model = known_scale_mean(&y, 10.0);
    let fit = Nuts::default().seed(12).run(&model).unwrap();
    let loo = fit.loo(&model).unwrap();
    let worst = loo
        .pointwise
        .iter()
        .max_by(|a, b| a.k.total_cmp(&b.k))
        .unwrap();
    eprintln!("{loo}");
    assert_eq!(worst.name, "y[20]");
    assert!(worst.k > loo.good_k, "k = {}", worst.k);
    assert!(loo.to_string().contains("y[20]"), "{loo}");
}
