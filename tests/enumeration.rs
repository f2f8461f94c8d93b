//! Discrete latent sites of finite support summed out by enumeration: per plate element for
//! mixture assignments, jointly over the whole body for a site outside plates. Checked against
//! the same models written by hand with `factor!` and log-sum-exp (log density and gradient
//! exactly, NUTS posteriors within Monte Carlo error), against exact conditional posteriors of
//! the assignments, and against a marginal posterior computed by quadrature.

use model_runtime::autodiff::Var;
use model_runtime::diagnostics::{ChainDraws, mcse_mean};
use model_runtime::inference::GradientTarget;
use model_runtime::linalg::log_sum_exp;
use model_runtime::model::Body;
use model_runtime::prelude::*;
use model_runtime::results::model_target::ModelTarget;

const HALF_LN_TWO_PI: f64 = 0.918_938_533_204_672_8;

/// A two-component Gaussian mixture with its assignments `z[i]` latent (Bernoulli).
#[model]
fn mixture_bernoulli(y: &[f64]) {
    let w = sample!("w", Beta::new(2.0, 2.0));
    let mu0 = sample!("mu0", Normal::new(-2.0, 1.0));
    let mu1 = sample!("mu1", Normal::new(2.0, 1.0));
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    plate!("data", y.len(), |i| {
        let z = sample!("z", Bernoulli::new(w));
        sample!(
            "y",
            Normal::new(if z { mu1 } else { mu0 }, sigma),
            obs = y[i]
        );
    });
}

/// The same mixture with the assignments `Categorical` over the two components.
#[model]
fn mixture_categorical(y: &[f64]) {
    let w = sample!("w", Beta::new(2.0, 2.0));
    let mu0 = sample!("mu0", Normal::new(-2.0, 1.0));
    let mu1 = sample!("mu1", Normal::new(2.0, 1.0));
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    plate!("data", y.len(), |i| {
        let z = sample!("z", Categorical::new(vec![1.0 - w, w]));
        let mu = [mu0, mu1];
        sample!("y", Normal::new(mu[z as usize], sigma), obs = y[i]);
    });
}

/// The same mixture with the assignments summed out by hand.
#[model]
fn mixture_by_hand(y: &[f64]) {
    let w = sample!("w", Beta::new(2.0, 2.0));
    let mu0 = sample!("mu0", Normal::new(-2.0, 1.0));
    let mu1 = sample!("mu1", Normal::new(2.0, 1.0));
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    plate!("data", y.len(), |i| {
        let d0 = (y[i] - mu0) / sigma;
        let d1 = (y[i] - mu1) / sigma;
        let ln_normal0 = -(d0 * d0) * 0.5 - sigma.ln() - HALF_LN_TWO_PI;
        let ln_normal1 = -(d1 * d1) * 0.5 - sigma.ln() - HALF_LN_TWO_PI;
        let terms = [(-w).ln_1p() + ln_normal0, w.ln() + ln_normal1];
        factor!("y", log_sum_exp(&terms));
    });
}

const Y: [f64; 8] = [-2.4, -1.6, -2.1, 1.8, 2.6, 2.2, 1.5, 0.3];

/// Unconstrained positions to compare the models at: (logit w, mu0, mu1, log sigma).
const POSITIONS: [[f64; 4]; 3] = [
    [0.2, -1.7, 2.3, -0.1],
    [-1.0, -2.5, 1.2, 0.4],
    [2.0, 0.5, -0.5, -0.8],
];

fn density_and_gradient<M: Body<Var> + Body<f64>>(model: &M, position: &[f64]) -> (f64, Vec<f64>) {
    let mut target = ModelTarget::new(model).unwrap();
    assert_eq!(target.dim(), 4, "the assignments have no coordinates");
    let mut gradient = vec![0.0; 4];
    let lp = target
        .log_density_and_gradient(position, &mut gradient)
        .unwrap();
    (lp, gradient)
}

#[test]
fn plate_local_assignments_sum_to_the_hand_written_marginal_with_its_gradient() {
    for position in POSITIONS {
        let (expected, expected_gradient) = density_and_gradient(&mixture_by_hand(&Y), &position);
        for (lp, gradient) in [
            density_and_gradient(&mixture_bernoulli(&Y), &position),
            density_and_gradient(&mixture_categorical(&Y), &position),
        ] {
            assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
            for (g, e) in gradient.iter().zip(&expected_gradient) {
                assert!(
                    (g - e).abs() < 1e-12,
                    "{gradient:?} vs {expected_gradient:?}"
                );
            }
        }
        // The plain evaluation agrees with the gradient's.
        let plain = mixture_bernoulli(&Y).log_density(&position).unwrap();
        assert!((plain - expected).abs() < 1e-12);
    }
}

/// P(z_i = 1 | w, mu0, mu1, sigma, y_i), by Bayes' rule.
fn assignment_probability(y: f64, w: f64, mu0: f64, mu1: f64, sigma: f64) -> f64 {
    let l0 = (1.0 - w) * Normal::new(mu0, sigma).unwrap().log_prob(&y).exp();
    let l1 = w * Normal::new(mu1, sigma).unwrap().log_prob(&y).exp();
    l1 / (l0 + l1)
}

#[test]
fn recovered_assignments_follow_their_exact_conditional_posterior() {
    // A small data set whose middle point is ambiguous at these parameters.
    let y = [-2.0, 0.1, 0.4, 2.5];
    let (w, mu0, mu1, sigma) = (0.4, -1.0, 1.2, 1.1);
    let exact: Vec<f64> = y
        .iter()
        .map(|&y| assignment_probability(y, w, mu0, mu1, sigma))
        .collect();
    let draws = 4000;
    let bernoulli = mixture_bernoulli(&y);
    let categorical = mixture_categorical(&y);
    let mut ones = [[0usize; 4]; 2];
    for seed in 0..draws {
        let latent = mixture_bernoulli::Latent {
            w,
            mu0,
            mu1,
            sigma,
            z: vec![],
        };
        let draw = bernoulli.infer_discrete(&latent, seed).unwrap();
        assert_eq!(draw.z.len(), y.len());
        for (count, z) in ones[0].iter_mut().zip(&draw.z) {
            *count += usize::from(*z);
        }
        let latent = mixture_categorical::Latent {
            w,
            mu0,
            mu1,
            sigma,
            z: vec![],
        };
        let draw = categorical.infer_discrete(&latent, seed).unwrap();
        for (count, z) in ones[1].iter_mut().zip(&draw.z) {
            *count += *z as usize;
        }
    }
    for counts in ones {
        for (count, p) in counts.iter().zip(&exact) {
            let share = *count as f64 / draws as f64;
            // Independent draws: the share's standard error is sqrt(p (1 - p) / n).
            let se = (p * (1.0 - p) / draws as f64).sqrt().max(1e-9);
            assert!((share - p).abs() < 4.5 * se, "{share} vs {p} (se {se})");
        }
    }
    // The most probable assignment is each element's likelier component.
    let latent = mixture_bernoulli::Latent {
        w,
        mu0,
        mu1,
        sigma,
        z: vec![],
    };
    let map = bernoulli.most_probable_discrete(&latent).unwrap();
    let expected: Vec<bool> = exact.iter().map(|&p| p > 0.5).collect();
    assert_eq!(map.z, expected);
}

fn chains_of(chains: usize, column: impl Fn(usize) -> Vec<f64>) -> ChainDraws {
    let chains: Vec<Vec<f64>> = (0..chains).map(column).collect();
    ChainDraws::new(&chains).unwrap()
}

#[test]
fn nuts_on_the_enumerated_mixture_agrees_with_the_hand_written_one() {
    let nuts = Nuts::default().warmup(400).samples(600).chains(2).seed(11);
    let enumerated = nuts.run(&mixture_bernoulli(&Y)).unwrap();
    let by_hand = nuts.run(&mixture_by_hand(&Y)).unwrap();
    assert_eq!(enumerated.divergences(), 0);
    let enumerated_columns: [fn(&mixture_bernoulli::Draws) -> &Vec<f64>; 4] =
        [|d| &d.w, |d| &d.mu0, |d| &d.mu1, |d| &d.sigma];
    let hand_columns: [fn(&mixture_by_hand::Draws) -> &Vec<f64>; 4] =
        [|d| &d.w, |d| &d.mu0, |d| &d.mu1, |d| &d.sigma];
    for (a, b) in enumerated_columns.iter().zip(&hand_columns) {
        let a = chains_of(2, |c| a(&enumerated.chains()[c].draws).clone());
        let b = chains_of(2, |c| b(&by_hand.chains()[c].draws).clone());
        // Two independent fits: the difference of means has the MCSEs in quadrature.
        let se = (mcse_mean(&a).powi(2) + mcse_mean(&b).powi(2)).sqrt();
        assert!(
            (a.mean() - b.mean()).abs() < 4.0 * se,
            "{} vs {} (se {se})",
            a.mean(),
            b.mean()
        );
    }
    // The fit carries the assignments, drawn from their conditional posterior at each draw:
    // their share of ones estimates P(z_i = 1 | y), whose Rao-Blackwellized estimate is the mean
    // of the exact conditional probabilities at the same draws. Given the continuous draws the
    // assignments are independent, so the difference has standard error sqrt(Σ p(1-p)) / n.
    let mut total = 0usize;
    for chain in enumerated.chains() {
        let d = &chain.draws;
        assert_eq!(d.z.len(), d.w.len());
        total += d.z.len();
    }
    for (i, &y) in Y.iter().enumerate() {
        let (mut share, mut rao_blackwell, mut variance) = (0.0, 0.0, 0.0);
        for chain in enumerated.chains() {
            let d = &chain.draws;
            for k in 0..d.w.len() {
                let p = assignment_probability(y, d.w[k], d.mu0[k], d.mu1[k], d.sigma[k]);
                share += f64::from(u8::from(d.z[k][i]));
                rao_blackwell += p;
                variance += p * (1.0 - p);
            }
        }
        let n = total as f64;
        let se = variance.sqrt() / n;
        let (share, rao_blackwell) = (share / n, rao_blackwell / n);
        assert!(
            (share - rao_blackwell).abs() < 4.5 * se.max(1e-9),
            "z[{i}]: {share} vs {rao_blackwell} (se {se})"
        );
    }
}

/// A switch outside plates between a narrow and a wide noise model.
#[model]
fn switch_enumerated(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 2.0));
    let wide = sample!("wide", Bernoulli::new(0.3));
    let sigma = if wide { 3.0 } else { 1.0 };
    plate!("data", y.len(), |i| {
        sample!("y", Normal::new(mu, sigma), obs = y[i]);
    });
}

/// The switch summed out by hand.
#[model]
fn switch_by_hand(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 2.0));
    let mut narrow = scalar(0.7f64.ln());
    let mut wide = scalar(0.3f64.ln());
    for &y in y {
        narrow += -((y - mu) * (y - mu)) * 0.5 - HALF_LN_TWO_PI;
        wide += -((y - mu) * (y - mu)) * (0.5 / 9.0) - 3f64.ln() - HALF_LN_TWO_PI;
    }
    factor!("switch", log_sum_exp(&[narrow, wide]));
}

const SPREAD: [f64; 6] = [-1.8, 0.4, 2.6, -0.9, 1.7, 0.2];

#[test]
fn a_switch_outside_plates_is_enumerated_exactly() {
    for mu in [-1.0, 0.3, 2.2] {
        let position = [mu];
        let (lp, g) = density_and_gradient_1(&switch_enumerated(&SPREAD), &position);
        let (expected, expected_g) = density_and_gradient_1(&switch_by_hand(&SPREAD), &position);
        assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
        assert!((g - expected_g).abs() < 1e-12, "{g} vs {expected_g}");
    }
}

fn density_and_gradient_1<M: Body<Var> + Body<f64>>(model: &M, position: &[f64]) -> (f64, f64) {
    let mut target = ModelTarget::new(model).unwrap();
    assert_eq!(target.dim(), 1);
    let mut gradient = [0.0];
    let lp = target
        .log_density_and_gradient(position, &mut gradient)
        .unwrap();
    (lp, gradient[0])
}

#[test]
fn nuts_draws_the_switch_from_its_marginal_posterior() {
    // P(wide | y) = ∫ p(mu) Σ_wide p(wide) p(y | mu, wide) [wide] dmu / ∫ ..., by the midpoint
    // rule over mu in (-20, 20).
    let ln_lik = |mu: f64, sigma: f64| -> f64 {
        SPREAD
            .iter()
            .map(|y| Normal::new(mu, sigma).unwrap().log_prob(y))
            .sum()
    };
    let (mut wide, mut total) = (0.0, 0.0);
    let n = 40_000;
    for k in 0..n {
        let mu = -20.0 + 40.0 * (k as f64 + 0.5) / n as f64;
        let prior = Normal::new(0.0, 2.0).unwrap().log_prob(&mu);
        let a = (prior + 0.3f64.ln() + ln_lik(mu, 3.0)).exp();
        let b = (prior + 0.7f64.ln() + ln_lik(mu, 1.0)).exp();
        wide += a;
        total += a + b;
    }
    let exact = wide / total;
    assert!(exact > 0.2 && exact < 0.95, "{exact}");

    let fit = Nuts::default()
        .warmup(300)
        .samples(1000)
        .chains(2)
        .seed(5)
        .run(&switch_enumerated(&SPREAD))
        .unwrap();
    let chains: Vec<Vec<f64>> = fit
        .chains()
        .iter()
        .map(|c| {
            c.draws
                .wide
                .iter()
                .map(|&w| f64::from(u8::from(w)))
                .collect()
        })
        .collect();
    let draws = ChainDraws::new(&chains).unwrap();
    let mcse = mcse_mean(&draws);
    assert!(
        (draws.mean() - exact).abs() < 4.0 * mcse,
        "{} vs {exact} (MCSE {mcse})",
        draws.mean()
    );
}

/// Two discrete sites outside plates, the second's support depending on the first: the number
/// of trials `n`, then `k` successes out of them.
#[model]
fn nested_counts(y: f64) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    let n = sample!("n", Categorical::new(vec![0.2, 0.3, 0.5]));
    let k = sample!("k", Binomial::new(n, 0.4));
    sample!("y", Normal::new(mu + k as f64, 1.0), obs = y);
}

#[test]
fn dependent_supports_are_enumerated_jointly_and_exactly() {
    let y = 1.7;
    for mu in [-0.5, 0.2, 1.1] {
        // Σ_n Σ_{k ≤ n} P(n) Binomial(k | n, 0.4) N(y | mu + k, 1), over 1 + 2 + 3 assignments.
        let mut terms = Vec::new();
        for (n, p_n) in [0.2f64, 0.3, 0.5].iter().enumerate() {
            for k in 0..=n as u64 {
                terms.push(
                    p_n.ln()
                        + Binomial::new(n as u64, 0.4).unwrap().log_prob(&k)
                        + Normal::new(mu + k as f64, 1.0).unwrap().log_prob(&y),
                );
            }
        }
        assert_eq!(terms.len(), 6);
        let expected = Normal::new(0.0, 1.0).unwrap().log_prob(&mu) + log_sum_exp(&terms);
        let lp = nested_counts(y).log_density(&[mu]).unwrap();
        assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
        // Drawn back, (n, k) always lies in the joint support.
        for seed in 0..50 {
            let draw = nested_counts(y).constrain_recovering(&[mu], seed).unwrap();
            assert!(draw.n <= 2 && draw.k <= draw.n, "{draw:?}");
        }
    }
}

#[model]
fn too_many_assignments(y: f64) {
    let a = sample!("a", Categorical::from_logits(vec![0.0; 40]));
    let b = sample!("b", Categorical::from_logits(vec![0.0; 40]));
    sample!("y", Normal::new((a + b) as f64, 1.0), obs = y);
}

#[test]
fn an_enumeration_past_the_cap_is_an_error_naming_the_site() {
    let error = too_many_assignments(3.0)
        .log_density::<f64>(&[])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "site `b`: summing out this discrete latent site (40 values) with the discrete sites enumerated before it in its plate element (or model) needs 1600 branches, more than the cap of 1024; write the sum by hand with `factor!`"
    );
    let fit = Nuts::default()
        .warmup(10)
        .samples(10)
        .run(&too_many_assignments(3.0));
    assert!(fit.is_err());
}

#[test]
fn predictive_given_the_fit_keeps_its_drawn_assignments() {
    let y = [-2.0, 2.1, 1.9];
    let model = mixture_categorical(&y);
    let fit = Nuts::default()
        .warmup(100)
        .samples(100)
        .seed(2)
        .run(&model)
        .unwrap();
    let predictions = Predictive::posterior(&fit).seed(1).run(&model).unwrap();
    assert_eq!(predictions.z, fit.posterior().z);
    assert!(predictions.z.iter().flatten().all(|&z| z < 2));
    assert_eq!(predictions.y.len(), fit.posterior().z.len());
}

/// A continuous latent site inside the plate element, after the discrete one it depends on:
/// each branch reads the same coordinate again.
#[model]
fn local_effects(y: &[f64]) {
    let shift = sample!("shift", Normal::new(2.0, 1.0));
    plate!("data", y.len(), |i| {
        let z = sample!("z", Bernoulli::new(0.3));
        let theta = sample!(
            "theta",
            Normal::new(if z { shift } else { scalar(0.0) }, 1.0)
        );
        sample!("y", Normal::new(theta, 0.5), obs = y[i]);
    });
}

/// The same, summed by hand.
#[model]
fn local_effects_by_hand(y: &[f64]) {
    let shift = sample!("shift", Normal::new(2.0, 1.0));
    plate!("data", y.len(), |i| {
        let theta = sample!("theta", ImproperUniform::new(Support::Real));
        let on = (theta - shift) * (theta - shift);
        let terms = [
            0.3f64.ln() - on * 0.5 - HALF_LN_TWO_PI,
            0.7f64.ln() - theta * theta * 0.5 - HALF_LN_TWO_PI,
        ];
        factor!("z", log_sum_exp(&terms));
        sample!("y", Normal::new(theta, 0.5), obs = y[i]);
    });
}

#[test]
fn continuous_sites_inside_an_enumerated_element_keep_their_coordinates() {
    let y = [0.1, 2.4, -0.3];
    let enumerated = local_effects(&y);
    let by_hand = local_effects_by_hand(&y);
    assert_eq!(enumerated.unconstrained_dim().unwrap(), 4);
    for position in [[1.5, 0.2, 2.1, -0.4], [2.5, 1.0, 0.0, 3.0]] {
        let mut target = ModelTarget::new(&enumerated).unwrap();
        let mut gradient = [0.0; 4];
        let lp = target
            .log_density_and_gradient(&position, &mut gradient)
            .unwrap();
        let mut hand_target = ModelTarget::new(&by_hand).unwrap();
        let mut hand_gradient = [0.0; 4];
        let expected = hand_target
            .log_density_and_gradient(&position, &mut hand_gradient)
            .unwrap();
        assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
        for (g, e) in gradient.iter().zip(&hand_gradient) {
            assert!((g - e).abs() < 1e-12, "{gradient:?} vs {hand_gradient:?}");
        }
        // The draw keeps the coordinates as the element's continuous values.
        let draw = enumerated.constrain_recovering(&position, 3).unwrap();
        assert_eq!(draw.theta, position[1..].to_vec());
        assert_eq!(draw.z.len(), y.len());
    }
}

/// Fair coins beside a continuous site: their conditional posterior is 1/2 whatever `mu` is.
#[model]
fn coins_beside(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    plate!("coins", 8, |i| {
        sample!("coin", Bernoulli::new(0.5));
    });
    plate!("data", y.len(), |i| {
        sample!("y", Normal::new(mu, 1.0), obs = y[i]);
    });
}

#[test]
fn a_resumed_fit_draws_its_assignments_on_streams_of_its_own() {
    let y = [0.3, -0.2];
    let model = coins_beside(&y);
    let fit = Nuts::default()
        .warmup(100)
        .samples(200)
        .seed(4)
        .run(&model)
        .unwrap();
    let resumed = Nuts::default()
        .samples(200)
        .seed(4)
        .resume(&model, &fit)
        .unwrap();
    let (first, second) = (&fit.chains()[0].draws.coin, &resumed.chains()[0].draws.coin);
    assert_eq!(second.len(), 200);
    // 1600 fair coins each: independent streams agree on about 800 (sd 20), shared ones on all.
    let agree = first
        .iter()
        .flatten()
        .zip(second.iter().flatten())
        .filter(|(a, b)| a == b)
        .count();
    assert!((700..900).contains(&agree), "{agree} of 1600 agree");
}
