//! The three hidden Markov models of posteriordb (`hmm_example`, `hmm_drive_0`, `hmm_drive_1`),
//! written with `hmm_marginal` in `examples/support/posteriordb.rs`, against posteriordb's
//! reference posteriors (`data/posteriordb/reference.json`).
//!
//! Every reference parameter's posterior mean must agree within five standard errors of the
//! difference, `5 sqrt(mcse_fit² + mcse_ref²)`, where `mcse_fit` is the fit's own Monte Carlo
//! standard error of the mean (from its bulk ESS) and `mcse_ref` the reference's. A wrong
//! emission density, transition direction or gradient of the forward algorithm moves some mean
//! by many of these (the tolerance for `mu[1]` of `hmm_example` is about 0.01 against a
//! posterior sd of 0.11).

use model_runtime::prelude::*;
use model_suite::posteriordb::check_against_reference;
use model_suite::read_json;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/posteriordb");

fn assert_matches_reference(name: &str) {
    let nuts = Nuts::default()
        .warmup(500)
        .samples(500)
        .chains(4)
        .seed(3)
        .progress(false);
    match check_against_reference(name, &nuts, 5.0) {
        Ok(line) => println!("{line}"),
        Err(failures) => panic!("{}", failures.join("\n")),
    }
}

#[test]
fn hmm_example_matches_the_reference_posterior() {
    assert_matches_reference("hmm_example");
}

#[test]
fn hmm_drive_0_matches_the_reference_posterior() {
    assert_matches_reference("hmm_drive_0");
}

#[test]
fn hmm_drive_1_matches_the_reference_posterior() {
    assert_matches_reference("hmm_drive_1");
}

/// After sampling, on each posterior draw of `hmm_example` (what Stan's generated quantities
/// would compute): one path by forward filtering, backward sampling, and the marginal state
/// probabilities. Averaged over draws, the frequency of state 1 at each time must match the
/// average probability within binomial error, and the Viterbi path at the posterior means must
/// put each observation in the state whose mean is nearer, except where stickiness overrules it.
#[test]
fn hmm_example_hidden_states_from_posterior_draws() {
    use model_runtime::hmm::{hmm_hidden_state_prob, hmm_latent_sample, hmm_viterbi};
    use model_suite::posteriordb::hmm_example;
    use rand::SeedableRng;

    let data = read_json(format!("{DATA}/hmm_example-hmm_example.data.json")).unwrap();
    let y = model_suite::f64_array(&data, "y").unwrap();
    let fit = Nuts::default()
        .warmup(500)
        .samples(500)
        .chains(2)
        .seed(4)
        .progress(false)
        .run(&hmm_example(&y))
        .unwrap();
    let draws = fit.mu.len();
    let log_omega = |mu: &[f64]| -> Vec<Vec<f64>> {
        mu.iter()
            .map(|m| y.iter().map(|yt| -0.5 * (yt - m) * (yt - m)).collect())
            .collect()
    };
    let rho = [0.5, 0.5];
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(9);
    let mut sampled = vec![0.0; y.len()];
    let mut probability = vec![0.0; y.len()];
    for d in 0..draws {
        let gamma = [fit.theta1[d].clone(), fit.theta2[d].clone()];
        let lo = log_omega(&fit.mu[d]);
        let path = hmm_latent_sample(&lo, &gamma, &rho, &mut rng).unwrap();
        let p = hmm_hidden_state_prob(&lo, &gamma, &rho).unwrap();
        for t in 0..y.len() {
            sampled[t] += path[t] as f64 / draws as f64;
            probability[t] += p[1][t] / draws as f64;
        }
    }
    for t in 0..y.len() {
        let se = (probability[t] * (1.0 - probability[t]) / draws as f64).sqrt();
        assert!(
            (sampled[t] - probability[t]).abs() <= 5.0 * se + 1e-9,
            "t = {t}: FFBS frequency {} vs probability {}",
            sampled[t],
            probability[t]
        );
    }
    let mean = |column: &dyn Fn(usize) -> f64| (0..draws).map(column).sum::<f64>() / draws as f64;
    let mu = [mean(&|d| fit.mu[d][0]), mean(&|d| fit.mu[d][1])];
    let gamma = [
        [mean(&|d| fit.theta1[d][0]), mean(&|d| fit.theta1[d][1])],
        [mean(&|d| fit.theta2[d][0]), mean(&|d| fit.theta2[d][1])],
    ];
    let best = hmm_viterbi(&log_omega(&mu), &gamma, &rho).unwrap();
    let nearer = |yt: f64| usize::from((yt - mu[1]).abs() < (yt - mu[0]).abs());
    let disagreements = y
        .iter()
        .zip(&best.states)
        .filter(|(yt, z)| nearer(**yt) != **z)
        .count();
    println!(
        "Viterbi path at the posterior means: {} of {} steps in state 1, {disagreements} differ from the nearer mean, log p(z, y) = {:.2}",
        best.states.iter().sum::<usize>(),
        y.len(),
        best.log_prob
    );
    // Measured: 0 (the two means are 6 sds apart).
    assert!(disagreements <= 3, "{disagreements}");
}
