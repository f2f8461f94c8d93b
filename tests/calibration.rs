//! Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari and Gelman 2018): for
//! parameters drawn from the prior and data simulated from them, the rank of the true value
//! among posterior draws is uniform when the sampler is right. Ranks are binned and tested with
//! a chi-square test at alpha = 0.001; a deliberately wrong posterior must fail the same test.

use model_runtime::prelude::*;

const REPLICATIONS: usize = 200;
const KEPT: usize = 100;
const BINS: usize = 10;
/// The 0.999 quantile of the chi-square distribution with 9 degrees of freedom.
const CHI_SQUARE_CRITICAL: f64 = 27.877;

#[model]
fn location(n: usize, y: Option<&[f64]>) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    plate!("data", n, |i| {
        sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
    });
}

#[model]
fn scale(n: usize, y: Option<&[f64]>, data_scale: f64) {
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    plate!("data", n, |i| {
        sample!(
            "y",
            Normal::new(0.0, sigma * data_scale),
            obs = y.map(|y| y[i])
        );
    });
}

/// The chi-square statistic of the binned ranks.
fn chi_square(ranks: &[usize]) -> f64 {
    let mut counts = [0usize; BINS];
    for &r in ranks {
        counts[r * BINS / (KEPT + 1)] += 1;
    }
    let expected = ranks.len() as f64 / BINS as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

fn nuts(replication: usize) -> Nuts {
    // Thinning by 4 makes the kept draws close to independent, as SBC's ranks assume.
    Nuts::default()
        .warmup(200)
        .samples(4 * KEPT)
        .thin(4)
        .chains(1)
        .seed(1000 + replication as u64)
}

fn rank(draws: &[f64], truth: f64) -> usize {
    draws.iter().filter(|d| **d < truth).count()
}

#[test]
fn location_model_is_calibrated() {
    let n = 3;
    let ranks: Vec<usize> = (0..REPLICATIONS)
        .map(|r| {
            let sim = Predictive::prior(1)
                .seed(r as u64)
                .run(&location(n, None))
                .unwrap();
            let fit = nuts(r).run(&location(n, Some(&sim.y[0]))).unwrap();
            rank(&fit.mu, sim.mu[0])
        })
        .collect();
    let statistic = chi_square(&ranks);
    println!("location: chi-square {statistic:.2}");
    assert!(statistic < CHI_SQUARE_CRITICAL, "chi-square {statistic}");
}

#[test]
fn scale_model_is_calibrated_and_a_wrong_posterior_is_not() {
    let n = 3;
    let mut right = Vec::new();
    let mut wrong = Vec::new();
    for r in 0..REPLICATIONS {
        let sim = Predictive::prior(1)
            .seed(r as u64)
            .run(&scale(n, None, 1.0))
            .unwrap();
        let y = &sim.y[0];
        right.push(rank(
            &nuts(r).run(&scale(n, Some(y), 1.0)).unwrap().sigma,
            sim.sigma[0],
        ));
        // Fitting with the data's scale misstated by 40% shifts the posterior.
        wrong.push(rank(
            &nuts(r).run(&scale(n, Some(y), 1.4)).unwrap().sigma,
            sim.sigma[0],
        ));
    }
    let statistic = chi_square(&right);
    assert!(statistic < CHI_SQUARE_CRITICAL, "chi-square {statistic}");
    let control = chi_square(&wrong);
    println!("scale: chi-square {statistic:.2}; misstated scale: {control:.2}");
    assert!(
        control > CHI_SQUARE_CRITICAL,
        "the wrong posterior passed: chi-square {control}"
    );
}
