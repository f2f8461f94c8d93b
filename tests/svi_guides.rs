//! User-written guides (`#[model(guide_for = model)]`): fitted by the same SVI as the
//! autoguides, checked against exact answers and against AutoNormal, whose family a mean-field
//! guide written by hand reproduces.

use model_runtime::prelude::*;
use model_runtime::svi::{Adam, AutoNormal, Schedule, Svi};

#[model]
fn schools(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta = sample!("theta", Normal::new(mu, tau));
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

/// AutoNormal's family written by hand: a normal per site in unconstrained space, so the
/// positive `tau` is log-normal.
#[model(guide_for = schools)]
fn schools_guide(n: usize) {
    let mu_loc = param!("mu_loc", 0.0);
    let mu_scale = param!("mu_scale", 0.1, constraint = Support::Positive);
    sample!("mu", Normal::new(mu_loc, mu_scale));
    let tau_loc = param!("tau_loc", 0.0);
    let tau_scale = param!("tau_scale", 0.1, constraint = Support::Positive);
    sample!("tau", LogNormal::new(tau_loc, tau_scale));
    plate!("schools", n, |j| {
        let loc = param!("theta_loc", 0.0);
        let scale = param!("theta_scale", 0.1, constraint = Support::Positive);
        sample!("theta", Normal::new(loc, scale));
    });
}

const Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
const SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

type Fits<'a> = (
    model_runtime::svi::GuideFit<'a, 'a, schools::Model<'a>, schools_guide::Model<'a>>,
    model_runtime::svi::SviFit<'a, schools::Model<'a>, AutoNormal>,
);

/// Both guides fitted with the same optimizer, steps, particles and seed.
fn fit_both<'a>(
    model: &'a schools::Model<'a>,
    guide: &'a schools_guide::Model<'a>,
    seed: u64,
) -> Fits<'a> {
    let rate = Schedule::Exponential {
        initial: 0.05,
        rate: 1e-2,
        steps: 20_000,
    };
    let svi = Svi::new(Adam::new(rate))
        .steps(20_000)
        .particles(4)
        .seed(seed);
    (
        svi.run_guide(model, guide).unwrap(),
        svi.run(model, AutoNormal::new()).unwrap(),
    )
}

/// The largest absolute difference between the two fits' locations and the largest relative
/// difference between their scales, over all sites and elements (unconstrained coordinates).
fn largest_differences((ours, auto): &Fits<'_>) -> (f64, f64) {
    use schools::site;
    use schools_guide::params;
    let pairs = [
        (ours.param(params::mu_loc), auto.loc(site::mu), false),
        (ours.param(params::tau_loc), auto.loc(site::tau), false),
        (ours.param(params::theta_loc), auto.loc(site::theta), false),
        (ours.param(params::mu_scale), auto.scale(site::mu), true),
        (ours.param(params::tau_scale), auto.scale(site::tau), true),
        (
            ours.param(params::theta_scale),
            auto.scale(site::theta),
            true,
        ),
    ];
    let (mut loc, mut scale) = (0.0f64, 0.0f64);
    for (a, b, is_scale) in pairs {
        assert_eq!(a.len(), b.len());
        // Scales relative to AutoNormal's (they range from 0.2 to 6).
        let d = a
            .iter()
            .zip(&b)
            .map(|(x, y)| {
                if is_scale {
                    (x / y - 1.0).abs()
                } else {
                    (x - y).abs()
                }
            })
            .fold(0.0, f64::max);
        if is_scale {
            scale = scale.max(d);
        } else {
            loc = loc.max(d);
        }
    }
    (loc, scale)
}

#[test]
fn a_hand_written_mean_field_guide_finds_autonormals_optimum() {
    let model = schools(&Y, &SIGMA);
    let guide = schools_guide(Y.len());
    let (loc, scale) = largest_differences(&fit_both(&model, &guide, 7));
    // Over ten seeds the largest differences were 0.015 (locations) and 1.5% (scales); the
    // tolerance is twice that. A guide whose log density were left out of the ELBO would
    // collapse its scales (a relative difference near 1).
    assert!(loc < 0.03 && scale < 0.03, "loc {loc}, scale {scale}");
}

/// The largest differences between the hand-written guide's optimum and AutoNormal's over ten
/// seeds, which set the tolerances above (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn differences_over_seeds() {
    let model = schools(&Y, &SIGMA);
    let guide = schools_guide(Y.len());
    let (mut loc, mut scale) = (0.0f64, 0.0f64);
    for seed in 0..10 {
        let (l, s) = largest_differences(&fit_both(&model, &guide, seed));
        println!("seed {seed}: loc {l:.4}, scale {s:.4}");
        loc = loc.max(l);
        scale = scale.max(s);
    }
    println!("largest: loc {loc:.4}, scale {scale:.4}");
}

#[model]
fn regression(x: &[f64], y: &[f64]) {
    let beta = sample!("beta", batch::Normal::new(0.0, 10.0).iid(2));
    plate!("data", y.len(), |i| {
        sample!("y", Normal::new(beta[0] + beta[1] * x[i], 1.0), obs = y[i]);
    });
}

/// A full vector site drawn by one vectorized statement, its parameters vectors.
#[model(guide_for = regression)]
fn regression_guide() {
    let loc = param!("loc", vec![0.0, 0.0]);
    let scale = param!("scale", vec![0.5, 0.5], constraint = Support::Positive);
    sample!("beta", batch::Normal::new(loc, scale));
}

#[test]
fn a_vector_site_is_fitted_by_vector_parameters_to_the_exact_posterior() {
    // Linear regression with known noise 1 and a N(0, 10²) prior: the posterior of beta is
    // normal with precision XᵀX + I/100 and mean its inverse times Xᵀy; the mean-field optimum
    // has the exact means and sds 1/sqrt(diagonal of the precision).
    let x: Vec<f64> = (0..40).map(|i| (i as f64 - 20.0) / 10.0).collect();
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, xi)| 1.0 + 2.0 * xi + (i as f64 * 0.77).sin())
        .collect();
    let (sx, sxx) = (x.iter().sum::<f64>(), x.iter().map(|v| v * v).sum::<f64>());
    let (sy, sxy) = (
        y.iter().sum::<f64>(),
        x.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>(),
    );
    let (a, b, d) = (40.0 + 0.01, sx, sxx + 0.01);
    let det = a * d - b * b;
    let mean = [(d * sy - b * sxy) / det, (a * sxy - b * sy) / det];
    let sd = [1.0 / a.sqrt(), 1.0 / d.sqrt()];
    let (model, guide) = (regression(&x, &y), regression_guide());
    let rate = Schedule::Exponential {
        initial: 0.05,
        rate: 1e-3,
        steps: 10_000,
    };
    let fit = Svi::new(Adam::new(rate))
        .steps(10_000)
        .seed(3)
        .run_guide(&model, &guide)
        .unwrap();
    let loc = fit.param(regression_guide::params::loc);
    let scale = fit.param(regression_guide::params::scale);
    for k in 0..2 {
        assert!(
            (loc[k] - mean[k]).abs() < 0.1 * sd[k],
            "{loc:?} vs {mean:?}"
        );
        assert!((scale[k] / sd[k] - 1.0).abs() < 0.05, "{scale:?} vs {sd:?}");
    }
    // Predictive from the fitted guide: typed draws whose moments are the guide's.
    let draws = Predictive::guide(&fit, 4000).seed(1).run(&model).unwrap();
    assert_eq!(draws.beta.len(), 4000);
    assert_eq!(draws.y[0].len(), 40);
    for k in 0..2 {
        let m = draws.beta.iter().map(|b| b[k]).sum::<f64>() / 4000.0;
        // Four Monte Carlo standard errors.
        assert!(
            (m - loc[k]).abs() < 4.0 * scale[k] / 4000f64.sqrt(),
            "{m} vs {}",
            loc[k]
        );
    }
}

/// A guide drawing a positive site from a normal.
#[model(guide_for = schools)]
fn unsupported_guide(n: usize) {
    sample!("mu", Normal::new(param!("mu_loc", 0.0), 1.0));
    sample!("tau", Normal::new(param!("tau_loc", 0.0), 1.0));
    plate!("schools", n, |j| {
        sample!("theta", Normal::new(param!("theta_loc", 0.0), 1.0));
    });
}

#[test]
fn draws_outside_the_model_support_are_an_error_naming_the_site() {
    let model = schools(&Y, &SIGMA);
    let error = Svi::new(Adam::new(0.01))
        .steps(100)
        .run_guide(&model, &unsupported_guide(Y.len()))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("site `tau`: the guide drew -")
            && error.contains("outside the support (0, ∞) of the model's HalfCauchy"),
        "{error}"
    );
}

#[test]
fn a_guide_plate_of_another_size_is_an_error_naming_the_site() {
    let model = schools(&Y, &SIGMA);
    let short = Svi::new(Adam::new(0.01))
        .steps(10)
        .run_guide(&model, &schools_guide(7))
        .unwrap_err()
        .to_string();
    assert!(
        short.starts_with("site `theta[7]`: the guide drew this site 7 times"),
        "{short}"
    );
    let long = Svi::new(Adam::new(0.01))
        .steps(10)
        .run_guide(&model, &schools_guide(9))
        .unwrap_err()
        .to_string();
    assert!(
        long.starts_with("site `theta`: the guide drew this site 9 times but the model used 8"),
        "{long}"
    );
}

#[model(guide_for = schools)]
fn negative_scale_guide(n: usize) {
    sample!(
        "mu",
        Normal::new(
            0.0,
            param!("mu_scale", -1.0, constraint = Support::Positive)
        )
    );
    sample!("tau", LogNormal::new(0.0, 1.0));
    plate!("schools", n, |j| {
        sample!("theta", Normal::new(0.0, 1.0));
    });
}

#[test]
fn an_initial_value_outside_its_constraint_names_the_parameter() {
    let model = schools(&Y, &SIGMA);
    let error = Svi::new(Adam::new(0.01))
        .steps(10)
        .run_guide(&model, &negative_scale_guide(8))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("parameter `mu_scale`: initial value -1 is outside its constraint (0, ∞)"),
        "{error}"
    );
}
