//! The founding model: angles `y` around `b * x` with concentration `1/sigma^2`.
//!
//! Run with `cargo run --release --example circular_regression [-- --data FILE]`, where FILE is
//! JSON with arrays `x` and `y` (default: the bundled `data/anchors/circular.json`).
//!
//! Until gradient-based inference lands, this shows the prior predictive, the log density in
//! unconstrained coordinates, the posterior predictive from given draws, and the variant whose
//! latent phase is explored through `CircularReparam`.

use std::error::Error;
use std::f64::consts::PI;

use model_runtime::prelude::*;
use model_suite::{circular_mean_and_resultant, f64_array, flag, print_table, read_json};

/// Angles `y` around `b * x`, with concentration 1/sigma^2.
#[model]
fn circular_regression(x: &[f64], y: Option<&[f64]>) {
    let b = sample!("b", Normal::new(0.0, 1.0));
    let sigma = sample!("sigma", Exponential::new(1.0));
    let kappa = 1.0 / (sigma * sigma);
    plate!("data", x.len(), |i| {
        sample!("obs", VonMises::new(b * x[i], kappa), obs = y.map(|y| y[i]));
    });
}

/// The same angles with an unknown phase offset: a latent circular site.
#[model(reparam(phase = CircularReparam))]
fn phase_regression(x: &[f64], y: Option<&[f64]>) {
    let phase = sample!("phase", VonMises::new(0.0, 0.5));
    let b = sample!("b", Normal::new(0.0, 1.0));
    let sigma = sample!("sigma", Exponential::new(1.0));
    let kappa = 1.0 / (sigma * sigma);
    plate!("data", x.len(), |i| {
        sample!(
            "obs",
            VonMises::new(phase + b * x[i], kappa),
            obs = y.map(|y| y[i])
        );
    });
}

fn main() -> Result<(), Box<dyn Error>> {
    let path = flag("--data").unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/anchors/circular.json").to_string()
    });
    let data = read_json(&path)?;
    let (x, y) = (f64_array(&data, "x")?, f64_array(&data, "y")?);
    if x.len() != y.len() {
        return Err(format!("`x` has {} entries but `y` has {}", x.len(), y.len()).into());
    }
    println!("data: {} angles from {path}\n", x.len());

    let model = circular_regression(&x, Some(&y));
    println!("unconstrained dimension: {}", model.unconstrained_dim()?);
    for (b, sigma) in [(1.3, 0.5), (0.0, 0.5), (1.3, 2.0)] {
        let u = model.unconstrain(&circular_regression::Latent { b, sigma })?;
        println!(
            "log density at b = {b:4.1}, sigma = {sigma:3.1} (u = [{:.3}, {:.3}]): {:.3}",
            u[0],
            u[1],
            model.log_density(&u)?
        );
    }

    println!("\nprior predictive (1000 draws, seed 7):");
    let prior = Predictive::prior(1000)
        .seed(7)
        .run(&circular_regression(&x, None))?;
    print_table(&[("b", &prior.b), ("sigma", &prior.sigma)]);
    report_angles("prior predicted", prior.obs.iter().flatten().copied(), &y);

    // Posterior predictive from typed draws: here the values the data were simulated with.
    let truth = vec![circular_regression::Latent { b: 1.3, sigma: 0.5 }; 200];
    let pred = Predictive::from_latents(&truth).seed(8).run(&model)?;
    println!("\npredictive at the simulating values (b = 1.3, sigma = 0.5):");
    report_angles("predicted", pred.obs.iter().flatten().copied(), &y);

    println!("\nwith a latent phase under CircularReparam:");
    let shifted: Vec<f64> = y
        .iter()
        .map(|v| model_runtime::reparam::wrap_angle(v + 3.0))
        .collect();
    let phase_model = phase_regression(&x, Some(&shifted));
    for u_phase in [3.0, 3.0 + 2.0 * PI] {
        let lp = phase_model.log_density(&[u_phase, 1.3, 0.5f64.ln()])?;
        println!("  log density at auxiliary phase {u_phase:6.3}: {lp:.6} (periodic)");
    }
    let prior = Predictive::prior(1000)
        .seed(9)
        .run(&phase_regression(&x, None))?;
    print_table(&[("phase", &prior.phase), ("b", &prior.b)]);
    report_angles(
        "prior predicted",
        prior.obs.iter().flatten().copied(),
        &shifted,
    );
    Ok(())
}

fn report_angles(label: &str, predicted: impl Iterator<Item = f64>, observed: &[f64]) {
    let (pm, pr) = circular_mean_and_resultant(predicted);
    let (om, or) = circular_mean_and_resultant(observed.iter().copied());
    println!("  {label}: circular mean {pm:6.3}, resultant length {pr:.3}");
    println!("  observed: circular mean {om:6.3}, resultant length {or:.3}");
}
