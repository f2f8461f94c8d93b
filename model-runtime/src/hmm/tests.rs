//! Every function against brute-force enumeration of the `K^N` hidden paths.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::forward::Inputs;
use super::*;
use crate::autodiff::{Var, gradient, recorded_nodes};
use crate::error::ModelError;

/// A random model: emission log-likelihoods spread over several units, probability rows from
/// normalized exponentials (with an exact zero now and then, a forbidden transition).
struct Case {
    log_omega: Vec<Vec<f64>>,
    gamma: Vec<Vec<f64>>,
    rho: Vec<f64>,
}

impl Case {
    fn random(k: usize, n: usize, rng: &mut ChaCha8Rng) -> Case {
        let mut simplex = |allow_zero: bool| -> Vec<f64> {
            let mut p: Vec<f64> = (0..k).map(|_| (2.0 * rng.random::<f64>()).exp()).collect();
            if allow_zero && k > 1 && rng.random::<f64>() < 0.3 {
                p[rng.random_range(0..k)] = 0.0;
            }
            let total: f64 = p.iter().sum();
            p.iter().map(|x| x / total).collect()
        };
        let gamma = (0..k).map(|_| simplex(true)).collect();
        let rho = simplex(false);
        let log_omega = (0..k)
            .map(|_| (0..n).map(|_| -4.0 * rng.random::<f64>()).collect())
            .collect();
        Case {
            log_omega,
            gamma,
            rho,
        }
    }

    fn k(&self) -> usize {
        self.rho.len()
    }

    fn n(&self) -> usize {
        self.log_omega[0].len()
    }

    /// Every path with its joint log probability `ln p(z, y)`, paths in lexicographic order.
    fn paths(&self) -> Vec<(Vec<usize>, f64)> {
        let (k, n) = (self.k(), self.n());
        (0..k.pow(n as u32))
            .map(|mut code| {
                // Digits of `code` in base K, most significant first.
                let mut path = vec![0; n];
                for state in path.iter_mut().rev() {
                    *state = code % k;
                    code /= k;
                }
                let mut lp = self.rho[path[0]].ln() + self.log_omega[path[0]][0];
                for t in 1..n {
                    lp += self.gamma[path[t - 1]][path[t]].ln() + self.log_omega[path[t]][t];
                }
                (path, lp)
            })
            .collect()
    }

    fn enumerated_marginal(&self) -> f64 {
        log_sum_exp(self.paths().iter().map(|p| p.1))
    }

    /// The inputs unchecked, for finite differences that leave the simplex.
    fn inputs(&self) -> Inputs {
        let (k, n) = (self.k(), self.n());
        Inputs {
            states: k,
            steps: n,
            log_omega: (0..n * k).map(|i| self.log_omega[i % k][i / k]).collect(),
            gamma: self.gamma.concat(),
            rho: self.rho.clone(),
        }
    }

    /// The inputs flattened in the order `hmm_marginal` lists its operands.
    fn flat(&self) -> Vec<f64> {
        let mut x = self.log_omega.concat();
        x.extend(self.gamma.concat());
        x.extend(&self.rho);
        x
    }
}

fn log_sum_exp(xs: impl Iterator<Item = f64> + Clone) -> f64 {
    let max = xs.clone().fold(f64::NEG_INFINITY, f64::max);
    max + xs.map(|x| (x - max).exp()).sum::<f64>().ln()
}

fn cases(seed: u64) -> Vec<Case> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cases = Vec::new();
    for (k, n) in [
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 5),
        (3, 1),
        (3, 4),
        (4, 3),
        (3, 6),
    ] {
        for _ in 0..3 {
            cases.push(Case::random(k, n, &mut rng));
        }
    }
    cases
}

#[test]
fn marginal_equals_the_sum_over_all_paths() {
    let mut worst: f64 = 0.0;
    for case in cases(1) {
        let lp = hmm_marginal(&case.log_omega, &case.gamma, &case.rho).unwrap();
        let exact = case.enumerated_marginal();
        worst = worst.max((lp - exact).abs());
        assert!(
            (lp - exact).abs() < 1e-10,
            "K = {}, N = {}: {lp} vs {exact}",
            case.k(),
            case.n()
        );
    }
    println!("largest error against enumeration: {worst:.1e}");
}

#[test]
fn gradient_matches_central_differences_and_is_one_node() {
    for case in cases(2) {
        let (k, n) = (case.k(), case.n());
        let x = case.flat();
        let mut g = vec![0.0; x.len()];
        let mut nodes = 0;
        let value = gradient(&x, &mut g, |v: &[Var]| {
            let log_omega: Vec<&[Var]> = v[..k * n].chunks(n).collect();
            let gamma: Vec<&[Var]> = v[k * n..k * n + k * k].chunks(k).collect();
            let before = recorded_nodes();
            let lp = hmm_marginal(&log_omega, &gamma, &v[k * n + k * k..]);
            nodes = recorded_nodes() - before;
            lp
        })
        .unwrap();
        assert_eq!(nodes, 1, "hmm_marginal records one tape node");
        assert!((value - case.enumerated_marginal()).abs() < 1e-10);
        // Central differences of the unchecked forward pass, in every input (the marginal is a
        // polynomial in `gamma` and `rho`, so leaving the simplex is harmless here).
        let h = 1e-5;
        for (i, &analytic) in g.iter().enumerate() {
            let at = |delta: f64| {
                let mut c = case.inputs();
                if i < k * n {
                    let (state, t) = (i / n, i % n);
                    c.log_omega[t * k + state] += delta;
                } else if i < k * n + k * k {
                    c.gamma[i - k * n] += delta;
                } else {
                    c.rho[i - k * n - k * k] += delta;
                }
                c.filter().log_marginal()
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (analytic - numeric).abs() < 1e-7 * (1.0 + numeric.abs()),
                "K = {k}, N = {n}, input {i}: {analytic} vs {numeric}"
            );
        }
    }
}

#[test]
fn hidden_state_probabilities_match_enumeration() {
    for case in cases(3) {
        let p = hmm_hidden_state_prob(&case.log_omega, &case.gamma, &case.rho).unwrap();
        let paths = case.paths();
        let total = case.enumerated_marginal();
        for (state, p_state) in p.iter().enumerate() {
            for (t, &p_t) in p_state.iter().enumerate() {
                let exact: f64 = paths
                    .iter()
                    .filter(|(z, _)| z[t] == state)
                    .map(|(_, lp)| (lp - total).exp())
                    .sum();
                assert!(
                    (p_t - exact).abs() < 1e-10,
                    "state {state}, t {t}: {p_t} vs {exact}"
                );
            }
        }
    }
}

#[test]
fn the_posterior_chain_gives_every_path_its_enumerated_probability() {
    for case in cases(6) {
        let chain = hmm_posterior_chain(&case.log_omega, &case.gamma, &case.rho).unwrap();
        assert_eq!(chain.len(), case.n());
        let total = case.enumerated_marginal();
        for (path, lp) in case.paths() {
            let mut p = chain.initial()[path[0]];
            for t in 1..case.n() {
                p *= chain.transition(t, path[t - 1])[path[t]];
            }
            let exact = (lp - total).exp();
            assert!((p - exact).abs() < 1e-12, "{path:?}: {p} vs {exact}");
        }
    }
}

#[test]
fn viterbi_is_the_most_probable_enumerated_path() {
    for case in cases(4) {
        let best = hmm_viterbi(&case.log_omega, &case.gamma, &case.rho).unwrap();
        let (path, lp) = case
            .paths()
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert_eq!(best.states, path);
        assert!((best.log_prob - lp).abs() < 1e-12);
    }
}

/// Pearson's statistic of `draws` paths against their enumerated posterior probabilities, and
/// the 0.999 quantile of its chi-square reference (degrees of freedom: cells minus one).
fn chi_square(case: &Case, mut sample: impl FnMut() -> Vec<usize>, draws: usize) -> (f64, f64) {
    let paths = case.paths();
    let total = case.enumerated_marginal();
    let k = case.k();
    let mut counts = vec![0usize; paths.len()];
    for _ in 0..draws {
        let code = sample().iter().fold(0, |acc, &s| acc * k + s);
        counts[code] += 1;
    }
    let mut statistic = 0.0;
    let mut cells = 0;
    // Paths expected fewer than 5 times are pooled into one cell, where Pearson's statistic
    // follows its chi-square limit.
    let (mut pooled_count, mut pooled_expected) = (0.0, 0.0);
    for ((path, lp), &count) in paths.iter().zip(&counts) {
        let expected = draws as f64 * (lp - total).exp();
        if expected == 0.0 {
            assert_eq!(count, 0, "the path {path:?} of probability 0 was drawn");
        } else if expected < 5.0 {
            pooled_count += count as f64;
            pooled_expected += expected;
        } else {
            statistic += (count as f64 - expected).powi(2) / expected;
            cells += 1;
        }
    }
    if pooled_expected > 0.0 {
        statistic += (pooled_count - pooled_expected).powi(2) / pooled_expected;
        cells += 1;
    }
    let quantile = ChiSquared::new((cells - 1) as f64)
        .unwrap()
        .inverse_cdf(0.999);
    (statistic, quantile)
}

/// Sticky transitions with a forbidden one, so that neighbouring states are strongly dependent.
fn sticky_case() -> Case {
    Case {
        log_omega: vec![
            vec![-0.3, -1.2, -0.8, -2.0, -0.1],
            vec![-1.0, -0.4, -0.9, -0.2, -1.5],
            vec![-0.7, -0.7, -0.2, -1.1, -0.9],
        ],
        gamma: vec![
            vec![0.8, 0.15, 0.05],
            vec![0.1, 0.9, 0.0],
            vec![0.2, 0.1, 0.7],
        ],
        rho: vec![0.3, 0.3, 0.4],
    }
}

#[test]
fn latent_draws_follow_the_enumerated_path_posterior() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for case in [sticky_case(), Case::random(2, 6, &mut rng)] {
        let mut sampler_rng = ChaCha8Rng::seed_from_u64(12);
        let (statistic, quantile) = chi_square(
            &case,
            || {
                hmm_latent_sample(&case.log_omega, &case.gamma, &case.rho, &mut sampler_rng)
                    .unwrap()
            },
            40_000,
        );
        println!("FFBS: chi-square {statistic:.1}, 0.999 quantile {quantile:.1}");
        assert!(statistic < quantile, "{statistic} >= {quantile}");
    }
}

#[test]
fn the_chi_square_test_rejects_wrong_samplers() {
    // The sticky case with every transition allowed, so that any path may be drawn.
    let mut case = sticky_case();
    case.gamma[1] = vec![0.1, 0.85, 0.05];
    let draws = 40_000;
    // Each state drawn independently from its marginal posterior: right marginals, wrong joint.
    let p = hmm_hidden_state_prob(&case.log_omega, &case.gamma, &case.rho).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let independent = || -> Vec<usize> {
        (0..case.n())
            .map(|t| {
                let weights: Vec<f64> = (0..case.k()).map(|s| p[s][t]).collect();
                super::states::draw(&weights, &mut rng)
            })
            .collect()
    };
    let (statistic, quantile) = chi_square(&case, independent, draws);
    println!("independent marginals: chi-square {statistic:.1}, 0.999 quantile {quantile:.1}");
    assert!(statistic > quantile, "{statistic} <= {quantile}");
    // Backward sampling through the transposed transition matrix, `α_t(j) Γ_{z_{t+1}, j}`.
    let inputs = case.inputs();
    let filter = inputs.filter();
    let (k, n) = (case.k(), case.n());
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let transposed = || -> Vec<usize> {
        let mut path = vec![0; n];
        path[n - 1] = super::states::draw(&filter.alpha[(n - 1) * k..], &mut rng);
        for t in (0..n - 1).rev() {
            let weights: Vec<f64> = (0..k)
                .map(|j| filter.alpha[t * k + j] * inputs.gamma[path[t + 1] * k + j])
                .collect();
            path[t] = super::states::draw(&weights, &mut rng);
        }
        path
    };
    let (statistic, quantile) = chi_square(&case, transposed, draws);
    println!("transposed transitions: chi-square {statistic:.1}, 0.999 quantile {quantile:.1}");
    assert!(statistic > quantile, "{statistic} <= {quantile}");
    // And the right sampler passes on this case too.
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let right = || hmm_latent_sample(&case.log_omega, &case.gamma, &case.rho, &mut rng).unwrap();
    let (statistic, quantile) = chi_square(&case, right, draws);
    println!("FFBS: chi-square {statistic:.1}, 0.999 quantile {quantile:.1}");
    assert!(statistic < quantile, "{statistic} >= {quantile}");
}

/// The forward algorithm with log-sum-exp at every step, the textbook form, for long sequences.
fn log_space_forward(case: &Case) -> f64 {
    let (k, n) = (case.k(), case.n());
    let mut a: Vec<f64> = (0..k)
        .map(|s| case.rho[s].ln() + case.log_omega[s][0])
        .collect();
    for t in 1..n {
        a = (0..k)
            .map(|s| {
                log_sum_exp((0..k).map(|j| a[j] + case.gamma[j][s].ln())) + case.log_omega[s][t]
            })
            .collect();
    }
    log_sum_exp(a.into_iter())
}

#[test]
fn long_sequences_stay_finite_and_accurate() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (k, n) = (3, 1000);
    let mut case = Case::random(k, n, &mut rng);
    // Emission log-likelihoods of hundreds of units, and far apart between states: products of
    // probabilities would underflow after a few steps.
    for (s, row) in case.log_omega.iter_mut().enumerate() {
        for v in row.iter_mut() {
            *v = -300.0 * (s as f64 + 1.0) + 50.0 * *v;
        }
    }
    let lp = hmm_marginal(&case.log_omega, &case.gamma, &case.rho).unwrap();
    let reference = log_space_forward(&case);
    assert!(lp.is_finite() && lp < -300.0 * n as f64);
    assert!(
        ((lp - reference) / reference).abs() < 1e-12,
        "{lp} vs {reference}"
    );
    let x = case.flat();
    let mut g = vec![0.0; x.len()];
    gradient(&x, &mut g, |v: &[Var]| {
        let log_omega: Vec<&[Var]> = v[..k * n].chunks(n).collect();
        let gamma: Vec<&[Var]> = v[k * n..k * n + k * k].chunks(k).collect();
        hmm_marginal(&log_omega, &gamma, &v[k * n + k * k..])
    })
    .unwrap();
    assert!(g.iter().all(|d| d.is_finite()));
    // The derivative in each column of `log_omega` is a probability distribution over states.
    for t in 0..n {
        let column: f64 = (0..k).map(|s| g[s * n + t]).sum();
        assert!((column - 1.0).abs() < 1e-9);
    }
    let p = hmm_hidden_state_prob(&case.log_omega, &case.gamma, &case.rho).unwrap();
    assert!(p.iter().flatten().all(|v| v.is_finite()));
    let path = hmm_latent_sample(&case.log_omega, &case.gamma, &case.rho, &mut rng).unwrap();
    assert_eq!(path.len(), n);
    assert!(
        hmm_viterbi(&case.log_omega, &case.gamma, &case.rho)
            .unwrap()
            .log_prob
            .is_finite()
    );
}

#[test]
fn steps_whose_scaled_sum_underflows_are_redone_in_log_space() {
    // State 0 is certain (rho and its row), yet state 1 emits e^1000 times better at steps 2
    // and 4: exponentiated relative to the best emission, the reachable state's term underflows.
    let case = Case {
        log_omega: vec![
            vec![-1.0, -2.0, -1001.0, -1.5, -1200.0],
            vec![-3.0, -1.0, -1.0, -0.5, -0.2],
        ],
        gamma: vec![vec![1.0, 0.0], vec![0.4, 0.6]],
        rho: vec![1.0, 0.0],
    };
    let lp = hmm_marginal(&case.log_omega, &case.gamma, &case.rho).unwrap();
    let exact = case.enumerated_marginal();
    assert!((lp - exact).abs() < 1e-10 * exact.abs(), "{lp} vs {exact}");
    let p = hmm_hidden_state_prob(&case.log_omega, &case.gamma, &case.rho).unwrap();
    assert!(p[0].iter().all(|&v| (v - 1.0).abs() < 1e-12), "{p:?}");
    // The derivatives in `log_omega` against central differences of the unchecked pass.
    let (k, n) = (case.k(), case.n());
    let x = case.flat();
    let mut g = vec![0.0; x.len()];
    gradient(&x, &mut g, |v: &[Var]| {
        let log_omega: Vec<&[Var]> = v[..k * n].chunks(n).collect();
        let gamma: Vec<&[Var]> = v[k * n..k * n + k * k].chunks(k).collect();
        hmm_marginal(&log_omega, &gamma, &v[k * n + k * k..])
    })
    .unwrap();
    for (i, &analytic) in g.iter().enumerate().take(k * n) {
        let at = |delta: f64| {
            let mut c = case.inputs();
            c.log_omega[(i % n) * k + i / n] += delta;
            c.filter().log_marginal()
        };
        let numeric = (at(1e-5) - at(-1e-5)) / 2e-5;
        assert!(
            (analytic - numeric).abs() < 1e-6,
            "input {i}: {analytic} vs {numeric}"
        );
    }
    let best = hmm_viterbi(&case.log_omega, &case.gamma, &case.rho).unwrap();
    assert_eq!(best.states, vec![0; n]);
}

#[test]
fn bad_inputs_are_errors_that_say_what_is_wrong() {
    let lo = vec![vec![-1.0, -2.0], vec![-0.5, -0.3]];
    let g = vec![vec![0.9, 0.1], vec![0.2, 0.8]];
    let rho = [0.5, 0.5];
    let err = |lo: &[Vec<f64>], g: &[Vec<f64>], rho: &[f64]| {
        hmm_marginal(lo, g, rho).unwrap_err().to_string()
    };
    assert!(hmm_marginal(&lo, &g, &rho).is_ok());
    let cases = [
        (err(&lo, &g, &[]), "`rho` is empty"),
        (
            err(&lo[..1], &g, &rho),
            "`log_omega` has 1 rows but `rho` has 2 states",
        ),
        (
            err(&lo, &g[..1], &rho),
            "`gamma` has 1 rows but `rho` has 2 states",
        ),
        (
            err(&lo, &[vec![1.0], vec![0.2, 0.8]], &rho),
            "`gamma` row 0 has 1 entries but needs 2",
        ),
        (
            err(&[vec![-1.0, -2.0], vec![-0.5]], &g, &rho),
            "`log_omega` row 1 has 1 entries but needs 2",
        ),
        (
            err(&[vec![], vec![]], &g, &rho),
            "`log_omega` has no columns",
        ),
        (
            err(&[vec![-1.0, f64::NAN], vec![-0.5, -0.3]], &g, &rho),
            "`log_omega[0][1]` is NaN",
        ),
        (
            err(&[vec![-1.0, -2.0], vec![f64::NEG_INFINITY, -0.3]], &g, &rho),
            "`log_omega[1][0]` is -inf",
        ),
        (
            err(&lo, &[vec![1.1, -0.1], vec![0.2, 0.8]], &rho),
            "`gamma[0][0]` is 1.1, not a probability",
        ),
        (
            err(&lo, &g, &[f64::NAN, 0.5]),
            "`rho[0]` is NaN, not a probability",
        ),
        (
            err(&lo, &[vec![0.9, 0.1], vec![0.2, 0.7]], &rho),
            "`gamma` row 1 sums to 0.8999999999999999, not 1",
        ),
        (err(&lo, &g, &[0.5, 0.4]), "`rho` sums to 0.9, not 1"),
    ];
    for (message, expected) in cases {
        assert!(
            message.starts_with(expected),
            "{message:?} does not start with {expected:?}"
        );
    }
    // The state functions check the same way.
    assert!(hmm_hidden_state_prob(&lo, &g, &[0.5, 0.4]).is_err());
    assert!(hmm_viterbi(&lo, &g, &[0.5, 0.4]).is_err());
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    assert!(hmm_latent_sample(&lo, &g, &[0.5, 0.4], &mut rng).is_err());
    // Within Stan's tolerance is accepted.
    assert!(hmm_marginal(&lo, &g, &[0.5, 0.5 + 1e-9]).is_ok());
}

#[test]
fn errors_become_model_errors_naming_a_site() {
    let e: ModelError = hmm_marginal(&[vec![0.0]], &[vec![1.0]], &[2.0])
        .unwrap_err()
        .into();
    assert_eq!(e.site(), "hmm_marginal");
    assert_eq!(
        e.to_string(),
        "site `hmm_marginal`: invalid distribution parameter: `rho[0]` is 2, not a probability in [0, 1]"
    );
    let e = hmm_marginal(&[vec![0.0]], &[vec![1.0]], &[2.0])
        .unwrap_err()
        .at("y");
    assert_eq!(e.site(), "y");
}
