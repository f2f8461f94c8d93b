//! NUTS on models with known posteriors, at fixed seeds, with tolerances from the Monte Carlo
//! error of the draws: conjugate models, simulation-based calibration, a circular posterior
//! across ±π, a simplex, an LKJ prior on correlation matrices, a direction through its auxiliary
//! normal vector, and the two parameterizations of eight schools. (The 100-dimensional normal with
//! scales over three orders of magnitude is `model-runtime/tests/nuts.rs`'s.)

use std::f64::consts::PI;

use model_runtime::diagnostics::{ChainDraws, ess_mean, mcse_mean};
use model_runtime::prelude::*;
use model_runtime::{Fit, site::ModelSites};
use model_suite::{EIGHT_SCHOOLS_SIGMA, EIGHT_SCHOOLS_Y, eight_schools};

/// Per-chain draws of one scalar column.
fn chains_of<S: ModelSites>(fit: &Fit<S>, column: impl Fn(&S::Draws) -> Vec<f64>) -> Vec<Vec<f64>> {
    fit.chains().iter().map(|c| column(&c.draws)).collect()
}

/// Checks that the draws have the given mean and standard deviation, within 4 Monte Carlo
/// standard errors: the MCSE of the mean, and for the standard deviation `sd / sqrt(2 ESS)`
/// with the ESS of the squared deviations (what the variance estimate averages; NUTS draws are
/// often antithetic for the mean but not for the squares).
fn assert_moments(name: &str, chains: &[Vec<f64>], mean: f64, sd: f64) {
    let draws = ChainDraws::new(chains).unwrap();
    let mcse = mcse_mean(&draws);
    let squares: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| c.iter().map(|x| (x - mean).powi(2)).collect())
        .collect();
    let ess = ess_mean(&ChainDraws::new(&squares).unwrap());
    assert!(
        (draws.mean() - mean).abs() < 4.0 * mcse,
        "{name}: mean {} vs {mean} (MCSE {mcse})",
        draws.mean()
    );
    let sd_error = sd / (2.0 * ess).sqrt();
    assert!(
        (draws.sd() - sd).abs() < 4.0 * sd_error,
        "{name}: sd {} vs {sd} (se {sd_error}, ess {ess})",
        draws.sd()
    );
}

#[model]
fn normal_normal(y: &[f64]) {
    let mu = sample!("mu", Normal::new(1.0, 2.0));
    plate!("data", y.len(), |i| {
        sample!("y", Normal::new(mu, 1.5), obs = y[i]);
    });
}

#[test]
fn normal_normal_posterior_is_recovered() {
    let y = [0.3, 2.2, 1.9, -0.4, 3.1, 1.2];
    let fit = Nuts::default()
        .warmup(500)
        .samples(1000)
        .chains(4)
        .seed(1)
        .run(&normal_normal(&y))
        .unwrap();
    let precision = 1.0 / 4.0 + y.len() as f64 / 2.25;
    let mean = (1.0 / 4.0 + y.iter().sum::<f64>() / 2.25) / precision;
    assert_moments(
        "mu",
        &chains_of(&fit, |c| c.mu.clone()),
        mean,
        precision.sqrt().recip(),
    );
    assert_eq!(fit.mu.len(), 4000);
}

#[model]
fn coin(flips: &[bool]) {
    let p = sample!("p", Beta::new(2.0, 3.0));
    plate!("flips", flips.len(), |i| {
        sample!("flip", Bernoulli::new(p), obs = flips[i]);
    });
}

#[test]
fn beta_binomial_posterior_is_recovered() {
    let flips: Vec<bool> = (0..20).map(|i| i % 3 == 0).collect(); // 7 heads
    let heads = flips.iter().filter(|f| **f).count() as f64;
    let (a, b) = (2.0 + heads, 3.0 + 20.0 - heads);
    let fit = Nuts::default()
        .warmup(500)
        .samples(1000)
        .seed(2)
        .run(&coin(&flips))
        .unwrap();
    let mean = a / (a + b);
    let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
    assert_moments("p", &chains_of(&fit, |c| c.p.clone()), mean, sd);
}

#[model]
fn counts(y: &[u64]) {
    let rate = sample!("rate", Gamma::new(3.0, 1.0));
    plate!("data", y.len(), |i| {
        sample!("y", Poisson::new(rate), obs = y[i]);
    });
}

#[test]
fn gamma_poisson_posterior_is_recovered() {
    let y = [4, 7, 3, 5, 6, 2, 5];
    let shape = 3.0 + y.iter().sum::<u64>() as f64;
    let rate = 1.0 + y.len() as f64;
    let fit = Nuts::default()
        .warmup(500)
        .samples(1000)
        .seed(3)
        .run(&counts(&y))
        .unwrap();
    assert_moments(
        "rate",
        &chains_of(&fit, |c| c.rate.clone()),
        shape / rate,
        shape.sqrt() / rate,
    );
}

#[model]
fn die(rolls: &[u64]) {
    let p = sample!("p", Dirichlet::new(vec![1.0, 2.0, 3.0]));
    plate!("rolls", rolls.len(), |i| {
        sample!("roll", Categorical::new(p.clone()), obs = rolls[i]);
    });
}

#[test]
fn dirichlet_categorical_posterior_is_recovered_through_the_simplex() {
    // Conjugate: the posterior is Dirichlet(α + counts), whose components are beta. A wrong
    // stick-breaking log-Jacobian would shift these moments.
    let rolls = [0, 0, 2, 1, 2, 2, 0, 2, 2, 1, 2, 0, 2, 2, 0];
    let mut alpha = [1.0, 2.0, 3.0];
    for &r in &rolls {
        alpha[r as usize] += 1.0;
    }
    let total: f64 = alpha.iter().sum();
    let fit = Nuts::default()
        .warmup(500)
        .samples(1000)
        .seed(13)
        .run(&die(&rolls))
        .unwrap();
    for (k, a) in alpha.into_iter().enumerate() {
        let sd = (a * (total - a) / (total * total * (total + 1.0))).sqrt();
        assert_moments(
            &format!("p[{k}]"),
            &chains_of(&fit, |c| c.p.iter().map(|p| p[k]).collect()),
            a / total,
            sd,
        );
    }
}

#[model]
fn correlation(dimension: usize) {
    sample!("l", LKJCholesky::new(dimension, 2.0));
}

#[test]
fn lkj_prior_is_recovered_through_the_correlation_cholesky_bijector() {
    // With no data the posterior is the prior: each correlation is 2B - 1 with B ~ Beta(a, a),
    // a = η + (D-2)/2, so mean 0 and variance 1 / (2a + 1). A wrong log-Jacobian of the
    // bijector (or power of the diagonal) would change the spread.
    let d = 3;
    let fit = Nuts::default()
        .warmup(500)
        .samples(1000)
        .seed(14)
        .run(&correlation(d))
        .unwrap();
    let a = 2.0 + (d as f64 - 2.0) / 2.0;
    let sd = (1.0 / (2.0 * a + 1.0)).sqrt();
    let entry = |l: &[f64], i: usize, j: usize| (0..d).map(|k| l[i * d + k] * l[j * d + k]).sum();
    for (i, j) in [(1, 0), (2, 0), (2, 1)] {
        assert_moments(
            &format!("C[{i},{j}]"),
            &chains_of(&fit, |c| c.l.iter().map(|l| entry(l, i, j)).collect()),
            0.0,
            sd,
        );
    }
}

#[model]
fn heading(y: &[Vec<f64>]) {
    let v = sample!("v", ProjectedNormal::new(vec![1.0, 0.5]));
    plate!("data", y.len(), |i| {
        sample!(
            "y",
            ProjectedNormal::new(vec![v[0] * 3.0, v[1] * 3.0]),
            obs = &y[i]
        );
    });
}

#[test]
fn projected_normal_posterior_is_recovered_through_its_auxiliary_vector() {
    // The posterior of the direction v = (cos θ, sin θ) by quadrature over θ (the trapezoid
    // rule, spectrally accurate for a periodic integrand), against NUTS on the auxiliary normal
    // vector of ProjectedNormalReparam, whose direction must follow the same law.
    let y: Vec<Vec<f64>> = [2.0_f64, 2.6, 1.7, 3.0]
        .iter()
        .map(|a| vec![a.cos(), a.sin()])
        .collect();
    let prior = ProjectedNormal::new([1.0, 0.5]).unwrap();
    let n = 20_000;
    let (mut total, mut first, mut second) = ([0.0; 2], [0.0; 2], [0.0; 2]);
    for k in 0..n {
        let angle = 2.0 * PI * k as f64 / n as f64;
        let v = [angle.cos(), angle.sin()];
        let likelihood = ProjectedNormal::new([3.0 * v[0], 3.0 * v[1]]).unwrap();
        let w = (prior.log_prob(&PooledVec::from_slice(&v))
            + y.iter()
                .map(|y| likelihood.log_prob(&PooledVec::from_slice(y)))
                .sum::<f64>())
        .exp();
        for c in 0..2 {
            total[c] += w;
            first[c] += w * v[c];
            second[c] += w * v[c] * v[c];
        }
    }
    let model = heading(&y).reparam(|r| r.v(ProjectedNormalReparam));
    let fit = Nuts::default()
        .warmup(500)
        .samples(1000)
        .seed(15)
        .run(&model)
        .unwrap();
    for c in 0..2 {
        let mean = first[c] / total[c];
        let sd = (second[c] / total[c] - mean * mean).sqrt();
        assert_moments(
            &format!("v[{c}]"),
            &chains_of(&fit, |d| d.v.iter().map(|v| v[c]).collect()),
            mean,
            sd,
        );
    }
}

#[model]
fn phase(y: &[f64]) {
    let phase = sample!("phase", VonMises::new(0.0, 0.3));
    plate!("data", y.len(), |i| {
        sample!("obs", VonMises::new(phase, 3.0), obs = y[i]);
    });
}

/// Data around ±π: the posterior of the phase straddles the boundary of [-π, π). Compared with
/// the exact posterior on a fine grid through E[cos] and E[sin].
#[test]
fn circular_posterior_across_the_boundary_with_circular_reparam() {
    let y = [3.05, -3.1, 3.12, -3.0, 2.95, -3.13];
    let model = phase(&y).reparam(|r| r.phase(CircularReparam));
    let fit = Nuts::default()
        .warmup(500)
        .samples(1000)
        .seed(5)
        .run(&model)
        .unwrap();
    assert_eq!(fit.divergences(), 0);
    assert!(fit.phase.iter().all(|p| (-PI..PI).contains(p)));
    assert!(fit.phase.iter().any(|p| *p > 3.0) && fit.phase.iter().any(|p| *p < -3.0));

    // Exact posterior moments by quadrature.
    let grid = 20_000;
    let (mut z, mut c, mut s) = (0.0, 0.0, 0.0);
    for k in 0..grid {
        let t = -PI + (k as f64 + 0.5) * 2.0 * PI / grid as f64;
        let lp = model.log_joint(&phase::Latent { phase: t }).unwrap();
        let w = lp.exp();
        z += w;
        c += w * t.cos();
        s += w * t.sin();
    }
    let cos = chains_of(&fit, |d| d.phase.iter().map(|p| p.cos()).collect());
    let sin = chains_of(&fit, |d| d.phase.iter().map(|p| p.sin()).collect());
    let sd = |chains: &[Vec<f64>]| ChainDraws::new(chains).unwrap().sd();
    assert_moments("cos(phase)", &cos, c / z, sd(&cos));
    assert_moments("sin(phase)", &sin, s / z, sd(&sin));

    // The summary treats the VonMises site as circular: its mean is the exact circular mean
    // atan2(E sin, E cos) and its sd the exact sqrt(-2 ln R), R = |E e^{iθ}|, within 4 Monte
    // Carlo errors of R̂ (propagated: the angle moves by δR/R, the sd by δR/(R sd)); the linear
    // sd of draws on both sides of ±π would be near π.
    let summary = fit.summary().unwrap();
    let row = summary.row("phase").unwrap();
    assert!(row.is_circular());
    let resultant = (c / z).hypot(s / z);
    let mcse = |chains: &[Vec<f64>]| mcse_mean(&ChainDraws::new(chains).unwrap());
    let error = mcse(&cos).hypot(mcse(&sin));
    let exact_mean = (s / z).atan2(c / z);
    let exact_sd = (-2.0 * resultant.ln()).sqrt();
    let angle_gap = model_runtime::special::wrap_angle(row.mean() - exact_mean).abs();
    assert!(
        angle_gap < 4.0 * error / resultant,
        "circular mean {} vs {exact_mean}",
        row.mean()
    );
    assert!(
        (row.sd() - exact_sd).abs() < 4.0 * error / (resultant * exact_sd),
        "circular sd {} vs {exact_sd}",
        row.sd()
    );
    assert!(row.sd() < 1.0);
    assert!(
        summary
            .to_string()
            .contains("circular (mean and sd circular")
    );
}

#[test]
fn centered_eight_schools_diverges_and_the_noncentered_one_does_not() {
    let (y, sigma) = (EIGHT_SCHOOLS_Y, EIGHT_SCHOOLS_SIGMA);
    let nuts = Nuts::default().chains(4).seed(6);
    let centered = nuts.run(&eight_schools(&y, &sigma)).unwrap();
    let noncentered = nuts
        .run(&eight_schools(&y, &sigma).reparam(|r| r.theta(LocScaleReparam::default())))
        .unwrap();
    assert!(
        centered.divergences() >= 10,
        "centered: {} divergences",
        centered.divergences()
    );
    assert!(
        noncentered.divergences() <= 4,
        "non-centered: {} divergences",
        noncentered.divergences()
    );
    // The non-centered fit recovers the reference posterior mean of mu (about 4.4, sd 3.3).
    let mu = chains_of(&noncentered, |c| c.mu.clone());
    let draws = ChainDraws::new(&mu).unwrap();
    assert!((draws.mean() - 4.4).abs() < 4.0 * mcse_mean(&draws) + 0.1);
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let y = [0.3, 2.2, 1.9];
    let nuts = Nuts::default().warmup(100).samples(100).chains(3).seed(9);
    let one = nuts.clone().threads(1).run(&normal_normal(&y)).unwrap();
    let three = nuts.threads(3).run(&normal_normal(&y)).unwrap();
    assert_eq!(one.posterior(), three.posterior());
    let other_seed = Nuts::default()
        .warmup(100)
        .samples(100)
        .chains(3)
        .seed(10)
        .run(&normal_normal(&y))
        .unwrap();
    assert_ne!(one.posterior(), other_seed.posterior());
}

#[model]
fn bounded(y: f64) {
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    sample!("y", Normal::new(0.0, sigma), obs = y);
}

#[test]
fn a_model_with_no_finite_start_names_the_site() {
    // log density -inf everywhere: the observation lies outside the support (-2, 2) at
    // every value of m, bounds the data check leaves to the log density.
    #[model]
    fn impossible() {
        let m = sample!("m", Normal::new(0.0, 1.0));
        sample!("x", Uniform::new(m.sin() - 1.0, m.sin() + 1.0), obs = 10.0);
    }
    let err = Nuts::default().chains(1).run(&impossible()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("no valid starting point"), "{message}");
    assert!(message.contains("`x`"), "{message}");
    let _ = bounded(1.0);
}

#[test]
fn static_hmc_and_the_dense_metric_recover_the_posterior() {
    let y = [0.3, 2.2, 1.9, -0.4, 3.1, 1.2];
    let precision = 1.0 / 4.0 + y.len() as f64 / 2.25;
    let mean = (1.0 / 4.0 + y.iter().sum::<f64>() / 2.25) / precision;
    let hmc = Hmc::steps(8)
        .warmup(500)
        .samples(1000)
        .seed(11)
        .run(&normal_normal(&y))
        .unwrap();
    assert_moments(
        "mu (HMC)",
        &chains_of(&hmc, |c| c.mu.clone()),
        mean,
        precision.sqrt().recip(),
    );
    let dense = Nuts::default()
        .dense_mass_matrix()
        .warmup(500)
        .seed(12)
        .run(&normal_normal(&y))
        .unwrap();
    assert_moments(
        "mu (dense)",
        &chains_of(&dense, |c| c.mu.clone()),
        mean,
        precision.sqrt().recip(),
    );
    assert!(
        hmc.chains()[0]
            .sampler
            .stats
            .iter()
            .all(|s| s.tree_depth == 0 && s.leapfrog_steps <= 8)
    );
}

#[test]
fn chains_start_from_given_values_or_the_prior_median() {
    let y = [0.3, 2.2, 1.9];
    let start = normal_normal::Latent { mu: 50.0 };
    // No warmup and a tiny step: the first draws stay near the given start.
    let fit = Nuts::default()
        .warmup(0)
        .initial_step_size(1e-4)
        .samples(5)
        .chains(1)
        .run_from(&normal_normal(&y), Init::Values(start))
        .unwrap();
    assert!((fit.mu[0] - 50.0).abs() < 0.5, "first draw {}", fit.mu[0]);
    let fit = Nuts::default()
        .warmup(0)
        .samples(1)
        .chains(1)
        .run_from(&normal_normal(&y), Init::PriorMedian)
        .unwrap();
    assert!(fit.mu[0].abs() < 3.0);
    // A start outside the support is reported with the site.
    #[model]
    fn positive() {
        sample!("sigma", HalfNormal::new(1.0));
    }
    let err = Nuts::default()
        .run_from(&positive(), Init::Values(positive::Latent { sigma: -1.0 }))
        .unwrap_err();
    assert!(err.to_string().contains("`sigma`"), "{err}");
}

#[test]
fn sampler_statistics_are_reported_per_draw() {
    let y = [0.3, 2.2];
    let fit = Nuts::default()
        .warmup(200)
        .samples(300)
        .thin(3)
        .chains(2)
        .seed(13)
        .run(&normal_normal(&y))
        .unwrap();
    for chain in fit.chains() {
        assert_eq!(chain.sampler.stats.len(), 100);
        assert_eq!(chain.sampler.warmup_stats.len(), 200);
        assert!(
            chain
                .sampler
                .stats
                .iter()
                .all(|s| s.step_size == chain.sampler.step_size && s.energy.is_finite())
        );
        let acceptance: f64 = chain
            .sampler
            .stats
            .iter()
            .map(|s| s.acceptance_probability)
            .sum::<f64>()
            / 100.0;
        assert!(
            (0.6..=1.0).contains(&acceptance),
            "mean acceptance {acceptance}"
        );
    }
    assert_eq!(fit.mu.len(), 200);
}
