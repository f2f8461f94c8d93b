//! Vectorized mixtures (`batch::Normal::new(&mu, &sigma).mixture(w)`): the statement's log
//! density and gradient equal those of a plate of scalar `Mixture` sites, through the fused
//! kernels (Normal) and the general `Dual` path (Student t, Poisson), with probabilities or
//! logits, latent weights, and latent values; errors name the weight or the component; prior
//! draws follow the weights; the pointwise log-likelihood is each element's mixture density.

use model_runtime::autodiff::{Var, gradient, recorded_nodes};
use model_runtime::prelude::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

/// Compares the unconstrained log densities and gradients of two models at each point.
/// (The models enter as their `log_density` closures: the generated models share no trait that
/// names a log density at every scalar.)
fn check_same(
    name: &str,
    a: impl Fn(&[Var]) -> Result<Var, ModelError>,
    b: impl Fn(&[Var]) -> Result<Var, ModelError>,
    points: &[Vec<f64>],
) {
    for u in points {
        let (mut g1, mut g2) = (vec![0.0; u.len()], vec![0.0; u.len()]);
        let lp1 = gradient(u, &mut g1, &a).unwrap();
        let lp2 = gradient(u, &mut g2, &b).unwrap();
        assert!(close(lp1, lp2, 1e-12), "{name} at {u:?}: {lp1} vs {lp2}");
        for k in 0..u.len() {
            assert!(
                close(g1[k], g2[k], 1e-10),
                "{name} at {u:?}: gradient[{k}] {} vs {}",
                g1[k],
                g2[k]
            );
        }
    }
}

/// Points spread over the unconstrained space, the same for every run.
fn points(dim: usize) -> Vec<Vec<f64>> {
    (0..4)
        .map(|p| {
            (0..dim)
                .map(|k| ((p * 7 + k * 3) as f64 * 0.61).sin() * 1.3)
                .collect()
        })
        .collect()
}

const Y: [f64; 11] = [-2.1, -1.4, 0.3, 1.9, 2.6, 2.2, -0.7, 3.1, -1.8, 0.9, 40.0];

#[model]
fn gauss_mix(y: &[f64]) {
    let mu = sample!("mu", batch::Normal::new(0.0, 2.0).iid(2).ordered());
    let sigma = sample!("sigma", batch::HalfNormal::new(2.0).iid(2));
    let theta = sample!("theta", Beta::new(5.0, 5.0));
    sample!(
        "y",
        batch::Normal::new(&mu, &sigma).mixture(vec![theta, 1.0 - theta]),
        obs = y
    );
}

#[model]
fn gauss_mix_plate(y: &[f64]) {
    let mu = sample!("mu", batch::Normal::new(0.0, 2.0).iid(2).ordered());
    let sigma = sample!("sigma", batch::HalfNormal::new(2.0).iid(2));
    let theta = sample!("theta", Beta::new(5.0, 5.0));
    plate!("data", y.len(), |i| {
        sample!(
            "y",
            Mixture::<Normal>::new(
                vec![theta, 1.0 - theta],
                Components(vec![
                    Normal::new(mu[0], sigma[0]),
                    Normal::new(mu[1], sigma[1])
                ]),
            ),
            obs = y[i]
        );
    });
}

#[test]
fn a_normal_mixture_matches_the_plate_of_scalar_mixtures() {
    // The last observation (40) is far in the tail of both components: the log-sum-exp must
    // stay finite there, as the scalar mixture's does.
    let (a, b) = (gauss_mix(&Y), gauss_mix_plate(&Y));
    assert_eq!(a.unconstrained_dim().unwrap(), 5);
    check_same(
        "normal",
        |v| a.log_density(v),
        |v| b.log_density(v),
        &points(5),
    );
    // One node for the statement, whatever the number of observations.
    let u = [0.1, 0.2, -0.3, 0.4, 0.0];
    let mut g = [0.0; 5];
    let mut nodes = [0; 2];
    for (k, y) in [&Y[..3], &Y[..]].into_iter().enumerate() {
        let model = gauss_mix(y);
        gradient(&u, &mut g, |v| {
            let before = recorded_nodes();
            let lp = model.log_density(v);
            nodes[k] = recorded_nodes() - before;
            lp
        })
        .unwrap();
    }
    assert_eq!(nodes[0], nodes[1]);
}

/// Three Student t components with Dirichlet weights given as logits of their logs, vector
/// locations and scales and a shared degrees of freedom: the general `Dual` path.
#[model]
fn heavy_mix(y: &[f64]) {
    let w = sample!("w", Dirichlet::new(vec![2.0, 2.0, 2.0]));
    let loc = sample!("loc", batch::Normal::new(0.0, 3.0).iid(3));
    let scale = sample!("scale", batch::LogNormal::new(0.0, 0.5).iid(3));
    let nu = sample!("nu", Gamma::new(4.0, 1.0));
    let log_w: Vec<_> = w.iter().map(|w| w.ln()).collect();
    sample!(
        "y",
        batch::StudentT::new(nu, &loc, &scale).mixture_from_logits(log_w),
        obs = y
    );
}

#[model]
fn heavy_mix_plate(y: &[f64]) {
    let w = sample!("w", Dirichlet::new(vec![2.0, 2.0, 2.0]));
    let loc = sample!("loc", batch::Normal::new(0.0, 3.0).iid(3));
    let scale = sample!("scale", batch::LogNormal::new(0.0, 0.5).iid(3));
    let nu = sample!("nu", Gamma::new(4.0, 1.0));
    plate!("data", y.len(), |i| {
        sample!(
            "y",
            Mixture::<StudentT>::new(
                w.to_vec(),
                Components(
                    (0..3)
                        .map(|k| StudentT::new(nu, loc[k], scale[k]))
                        .collect::<Vec<_>>()
                ),
            ),
            obs = y[i]
        );
    });
}

#[test]
fn logits_and_latent_weights_through_the_general_path_match_the_plate() {
    let (a, b) = (heavy_mix(&Y), heavy_mix_plate(&Y));
    let dim = a.unconstrained_dim().unwrap();
    assert_eq!(dim, 2 + 3 + 3 + 1);
    check_same(
        "student t",
        |v| a.log_density(v),
        |v| b.log_density(v),
        &points(dim),
    );
}

/// Latent values drawn from a mixture with latent weights: the values' partials are the
/// responsibility-weighted components' partials.
#[model]
fn latent_values() {
    let w = sample!("w", Beta::new(2.0, 3.0));
    let spread = sample!("spread", HalfNormal::new(1.0));
    let z = sample!(
        "z",
        batch::Normal::new(&[-1.0, 2.0][..], spread)
            .mixture(vec![w, 1.0 - w])
            .iid(4)
    );
    sample!(
        "y",
        batch::Normal::new(&z, 0.5),
        obs = &[0.1, 1.5, -0.8, 2.2][..]
    );
}

#[model]
fn latent_values_plate() {
    let w = sample!("w", Beta::new(2.0, 3.0));
    let spread = sample!("spread", HalfNormal::new(1.0));
    let y = [0.1, 1.5, -0.8, 2.2];
    plate!("z_plate", 4, |i| {
        let z = sample!(
            "z",
            Mixture::<Normal>::new(
                vec![w, 1.0 - w],
                Components(vec![
                    Normal::new(scalar(-1.0), spread),
                    Normal::new(scalar(2.0), spread)
                ]),
            )
        );
        sample!("y", Normal::new(z, 0.5), obs = y[i]);
    });
}

#[test]
fn latent_mixture_values_match_the_plate() {
    let (a, b) = (latent_values(), latent_values_plate());
    assert_eq!(a.unconstrained_dim().unwrap(), 6);
    check_same(
        "latent values",
        |v| a.log_density(v),
        |v| b.log_density(v),
        &points(6),
    );
}

#[model]
fn count_mix(k: &[u64]) {
    let rate = sample!("rate", batch::Gamma::new(2.0, 0.5).iid(2));
    let w = sample!("w", Beta::new(1.0, 1.0));
    sample!(
        "k",
        batch::Poisson::new(&rate).mixture(vec![w, 1.0 - w]),
        obs = k
    );
}

#[test]
fn count_mixtures_are_each_elements_scalar_mixture() {
    let k = [0, 0, 3, 7, 1, 12];
    let latent = count_mix::Latent {
        rate: vec![0.4, 6.0],
        w: 0.3,
    };
    let mut expected = batch::Gamma::new(2.0, 0.5)
        .iid(2)
        .log_prob(&PooledVec::from(latent.rate.clone()))
        + Beta::new(1.0, 1.0).unwrap().log_prob(&0.3);
    let scalar = Mixture::<Poisson>::new(
        vec![0.3, 0.7],
        vec![Poisson::new(0.4).unwrap(), Poisson::new(6.0).unwrap()],
    )
    .unwrap();
    for &ki in &k {
        expected += scalar.log_prob(&ki);
    }
    let log_joint = count_mix(&k).log_joint(&latent).unwrap();
    assert!(
        close(log_joint, expected, 1e-13),
        "{log_joint} vs {expected}"
    );
}

#[model]
fn fixed_mix(y: &[f64], weights: &[f64], scale: f64) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    sample!(
        "y",
        batch::Normal::new(vec![mu - 5.0, mu + 5.0], vec![1.0, scale])
            .mixture(weights)
            .iid(y.len()),
        obs = y
    );
}

#[test]
fn invalid_weights_and_components_name_the_site_and_the_cause() {
    let latent = fixed_mix::Latent { mu: 0.0 };
    let error = |weights: &[f64], scale: f64| {
        fixed_mix(&Y, weights, scale)
            .log_joint(&latent)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error(&[0.5, 0.6], 1.0),
        "site `y`: invalid distribution parameter: Mixture weights must sum to 1, got a sum of 1.1; to normalize weights, use `Mixture::from_logits` with their logs"
    );
    assert_eq!(
        error(&[1.5, -0.5], 1.0),
        "site `y`: invalid distribution parameter: Mixture weights must be between 0 and 1, got 1.5 for component 0"
    );
    assert_eq!(
        error(&[0.5, 0.5], -1.0),
        "site `y`: invalid distribution parameter: Mixture component 1 is invalid: Normal scale must be positive and finite, got -1"
    );
    assert!(error(&[0.2, 0.3, 0.5], 1.0).contains("weights"));
    // A weight of zero leaves the other component alone, value and gradient.
    let only_second = fixed_mix(&Y, &[0.0, 1.0], 1.0);
    let (mut g, mu) = ([0.0], 0.3);
    let lp = gradient(&[mu], &mut g, |v| only_second.log_density(v)).unwrap();
    let expected: f64 = Y.iter().map(|y| -0.5 * (y - mu - 5.0).powi(2)).sum::<f64>()
        - 0.5 * mu * mu
        - (Y.len() + 1) as f64 * 0.5 * (2.0 * std::f64::consts::PI).ln();
    let d_expected: f64 = Y.iter().map(|y| y - mu - 5.0).sum::<f64>() - mu;
    assert!(close(lp, expected, 1e-12), "{lp} vs {expected}");
    assert!(close(g[0], d_expected, 1e-12), "{} vs {d_expected}", g[0]);
    // The same errors on the gradient path, where the fused kernel runs.
    let model = fixed_mix(&Y, &[0.5, 0.5], -1.0);
    let mut g = [0.0];
    let message = gradient(&[0.0], &mut g, |v| model.log_density(v))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("Mixture component 1 is invalid"),
        "{message}"
    );
}

#[test]
fn prior_draws_follow_the_weights_and_the_log_likelihood_is_pointwise() {
    // Components ten apart: the share of draws below the first mean + 5 estimates the first
    // weight, 0.2, with standard error √(0.2 · 0.8 / 4400) ≈ 0.006.
    let model = fixed_mix(&Y, &[0.2, 0.8], 1.0);
    let prior = Predictive::prior(400).seed(11).run(&model).unwrap();
    let draws: Vec<f64> = prior
        .y
        .iter()
        .zip(&prior.mu)
        .flat_map(|(ys, mu)| ys.iter().map(move |y| y - mu))
        .collect();
    assert_eq!(draws.len(), 400 * Y.len());
    let share = draws.iter().filter(|&&d| d < 0.0).count() as f64 / draws.len() as f64;
    assert!((share - 0.2).abs() < 4.0 * 0.006, "{share}");

    let fit = Nuts::default()
        .warmup(100)
        .samples(10)
        .chains(1)
        .seed(2)
        .run(&model)
        .unwrap();
    let log_lik = fit.log_likelihood(&model).unwrap();
    for (d, per_draw) in log_lik.y.iter().enumerate() {
        assert_eq!(per_draw.len(), Y.len());
        let mu = fit.mu[d];
        let scalar = Mixture::<Normal>::new(
            vec![0.2, 0.8],
            vec![
                Normal::new(mu - 5.0, 1.0).unwrap(),
                Normal::new(mu + 5.0, 1.0).unwrap(),
            ],
        )
        .unwrap();
        for (i, value) in per_draw.iter().enumerate() {
            let expected = scalar.log_prob(&Y[i]);
            assert!(close(*value, expected, 1e-13), "draw {d}, y[{i}]");
        }
    }
}
