//! Finite mixtures as observed sites of `#[model]` bodies: the site's type comes from the
//! `Mixture::<Normal>` path, the components are built on the body's scalar, and NUTS recovers a
//! mixture weight whose posterior is known by quadrature.

use model_runtime::diagnostics::{ChainDraws, ess_mean, mcse_mean};
use model_runtime::prelude::*;

#[model]
fn two_groups(y: &[f64]) {
    let w = sample!("w", Beta::new(1.0, 1.0));
    let gap = sample!("gap", HalfNormal::new(5.0));
    plate!("data", y.len(), |i| {
        sample!(
            "y",
            Mixture::<Normal>::new(
                vec![w, 1.0 - w],
                Components(vec![
                    Normal::new(-gap, scalar(1.0)),
                    Normal::new(gap, scalar(1.0))
                ]),
            ),
            obs = y[i]
        );
    });
}

const Y: [f64; 7] = [-2.3, -1.7, 2.2, 1.6, 2.9, 2.1, -0.2];

fn ln_normal(x: f64, loc: f64, scale: f64) -> f64 {
    Normal::new(loc, scale).unwrap().log_prob(&x)
}

#[test]
fn log_joint_is_the_hand_computed_mixture_likelihood() {
    let (w, gap) = (0.35, 1.8);
    let latent = two_groups::Latent { w, gap };
    let mut expected =
        Beta::new(1.0, 1.0).unwrap().log_prob(&w) + HalfNormal::new(5.0).unwrap().log_prob(&gap);
    for y in Y {
        expected +=
            (w * ln_normal(y, -gap, 1.0).exp() + (1.0 - w) * ln_normal(y, gap, 1.0).exp()).ln();
    }
    let log_joint = two_groups(&Y).log_joint(&latent).unwrap();
    assert!(
        (log_joint - expected).abs() < 1e-12,
        "{log_joint} vs {expected}"
    );
    // The unconstrained log density adds the Jacobians of the unit interval and the half line.
    let u = [0.2_f64, 0.4];
    let (w, gap) = (1.0 / (1.0 + (-u[0]).exp()), u[1].exp());
    let jacobians = (w * (1.0 - w)).ln() + u[1];
    let at_u = two_groups(&Y)
        .log_joint(&two_groups::Latent { w, gap })
        .unwrap();
    let log_density = two_groups(&Y).log_density(&u).unwrap();
    assert!((log_density - (at_u + jacobians)).abs() < 1e-12);
}

#[test]
fn an_invalid_component_is_reported_with_the_site_and_its_index() {
    let latent = two_groups::Latent {
        w: 0.5,
        gap: f64::NAN,
    };
    let message = two_groups(&Y).log_joint(&latent).unwrap_err().to_string();
    assert_eq!(
        message,
        "site `y[0]`: invalid distribution parameter: Mixture component 0 is invalid: Normal loc must be finite, got NaN"
    );
}

#[test]
fn prior_predictions_draw_from_the_mixture() {
    let prior = Predictive::prior(2000)
        .seed(3)
        .run(&two_groups(&Y))
        .unwrap();
    assert_eq!(prior.y.len(), 2000);
    // Given w and gap, y is -gap + noise with probability w: the share of negative draws
    // follows the mean weight, 1/2 under the flat prior.
    let negative = prior.y.iter().flatten().filter(|y| **y < 0.0).count() as f64;
    let share = negative / (2000.0 * Y.len() as f64);
    assert!((share - 0.5).abs() < 0.03, "{share}");
}

#[model]
fn weight_only(y: &[f64]) {
    let w = sample!("w", Beta::new(2.0, 2.0));
    plate!("data", y.len(), |i| {
        sample!(
            "y",
            Mixture::<Normal>::new(
                vec![w, 1.0 - w],
                Components(vec![
                    Normal::new(scalar(-2.0), scalar(1.0)),
                    Normal::new(scalar(2.0), scalar(1.0))
                ]),
            ),
            obs = y[i]
        );
    });
}

#[test]
fn nuts_recovers_the_posterior_of_a_mixture_weight() {
    // p(w | y) ∝ w (1 - w) Π_i [w φ(y_i + 2) + (1 - w) φ(y_i - 2)]: its mean and standard
    // deviation by the midpoint rule on 100 000 points.
    let n = 100_000;
    let (mut total, mut first, mut second) = (0.0, 0.0, 0.0);
    for k in 0..n {
        let w = (k as f64 + 0.5) / n as f64;
        let mut lp = (w * (1.0 - w)).ln();
        for y in Y {
            lp +=
                (w * ln_normal(y, -2.0, 1.0).exp() + (1.0 - w) * ln_normal(y, 2.0, 1.0).exp()).ln();
        }
        let p = lp.exp();
        total += p;
        first += p * w;
        second += p * w * w;
    }
    let mean = first / total;
    let sd = (second / total - mean * mean).sqrt();

    let fit = Nuts::default()
        .warmup(500)
        .samples(1000)
        .seed(21)
        .run(&weight_only(&Y))
        .unwrap();
    let chains: Vec<Vec<f64>> = fit.chains().iter().map(|c| c.draws.w.clone()).collect();
    let draws = ChainDraws::new(&chains).unwrap();
    let mcse = mcse_mean(&draws);
    assert!(
        (draws.mean() - mean).abs() < 4.0 * mcse,
        "mean {} vs {mean} (MCSE {mcse})",
        draws.mean()
    );
    let squares: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| c.iter().map(|w| (w - mean).powi(2)).collect())
        .collect();
    let ess = ess_mean(&ChainDraws::new(&squares).unwrap());
    let sd_error = sd / (2.0 * ess).sqrt();
    assert!(
        (draws.sd() - sd).abs() < 4.0 * sd_error,
        "sd {} vs {sd} (se {sd_error})",
        draws.sd()
    );
    assert_eq!(fit.divergences(), 0);
}

#[model]
fn zero_inflated(y: &[u64]) {
    let rate = sample!("rate", Gamma::new(2.0, 0.5));
    plate!("data", y.len(), |i| {
        sample!(
            "y",
            Mixture::<Poisson>::from_logits(
                vec![-1.0, 1.0],
                Components(vec![Poisson::new(scalar(1e-9)), Poisson::new(rate)]),
            ),
            obs = y[i]
        );
    });
}

#[test]
fn count_mixtures_observe_counts() {
    let y = [0, 0, 4, 6, 0, 5];
    let model = zero_inflated(&y);
    let rate = 4.5;
    let w0 = 1.0 / (1.0 + 2f64.exp());
    let mut expected = Gamma::new(2.0, 0.5).unwrap().log_prob(&rate);
    for k in y {
        let near_zero = Poisson::new(1e-9).unwrap().log_prob(&k).exp();
        let poisson = Poisson::new(rate).unwrap().log_prob(&k).exp();
        expected += (w0 * near_zero + (1.0 - w0) * poisson).ln();
    }
    let log_joint = model.log_joint(&zero_inflated::Latent { rate }).unwrap();
    assert!(
        (log_joint - expected).abs() < 1e-12,
        "{log_joint} vs {expected}"
    );
    let prior = Predictive::prior(50).seed(4).run(&model).unwrap();
    let draws: &Vec<Vec<u64>> = &prior.y;
    assert_eq!(draws.len(), 50);
}
