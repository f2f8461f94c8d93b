//! The founding model: angles `y` around `b * x` with concentration `1/sigma^2`.
//!
//! Run with `cargo run --release --example circular_regression [-- --data FILE]`, where FILE is
//! JSON with arrays `x` and `y` (for example `data/anchors/circular.json`); without it the data
//! are simulated from the model with a fixed seed.
//!
//! Fits with NUTS (4 chains), prints the summary, compares posterior predictive angles with the
//! data, then fits a variant whose latent phase is explored through `CircularReparam`.

use std::error::Error;

use model_runtime::prelude::*;
use model_runtime::results::mcmc::Cancel;
use model_suite::{circular_mean_and_resultant, f64_array, flag, read_json};

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
    let (x, y, source) = match flag("--data") {
        Some(path) => {
            let data = read_json(&path)?;
            (f64_array(&data, "x")?, f64_array(&data, "y")?, path)
        }
        None => {
            let (x, y) = simulate(200, 2024)?;
            (
                x,
                y,
                "simulated with b = 1.3, sigma = 0.5 (seed 2024)".to_string(),
            )
        }
    };
    if x.len() != y.len() {
        return Err(format!("`x` has {} entries but `y` has {}", x.len(), y.len()).into());
    }
    println!("data: {} angles, {source}\n", x.len());

    // Ctrl-C stops sampling after the draw in flight: the summary is of the draws made.
    let ctrl_c = Cancel::on_ctrl_c()?;
    let model = circular_regression(&x, Some(&y));
    let fit = Nuts::default()
        .chains(4)
        .seed(7)
        .cancel_on(&ctrl_c)
        .run(&model)?;
    fit.print_summary();
    if fit.interrupted() {
        return Ok(());
    }

    let pred = Predictive::posterior(&fit)
        .seed(8)
        .run(&circular_regression(&x, None))?;
    println!("posterior predictive ({} draws):", pred.obs.len());
    report_angles("predicted", pred.obs.iter().flatten().copied(), &y);

    println!("\nwith a latent phase under CircularReparam (data shifted by 3 radians):");
    let shifted: Vec<f64> = y
        .iter()
        .map(|v| model_runtime::reparam::wrap_angle(v + 3.0))
        .collect();
    let phase_model = phase_regression(&x, Some(&shifted));
    let fit = Nuts::default()
        .chains(4)
        .seed(9)
        .cancel_on(&ctrl_c)
        .run(&phase_model)?;
    fit.print_summary();
    let pred = Predictive::posterior(&fit)
        .seed(10)
        .run(&phase_regression(&x, None))?;
    report_angles("predicted", pred.obs.iter().flatten().copied(), &shifted);
    Ok(())
}

/// Data from the model at b = 1.3, sigma = 0.5, with `x` uniform in (-1, 1).
fn simulate(n: usize, seed: u64) -> Result<(Vec<f64>, Vec<f64>), Box<dyn Error>> {
    let x: Vec<f64> = (0..n)
        .map(|i| -1.0 + 2.0 * ((i as f64 + 0.5) / n as f64))
        .collect();
    let truth = [circular_regression::Latent { b: 1.3, sigma: 0.5 }];
    let draws = Predictive::from_latents(&truth)
        .seed(seed)
        .run(&circular_regression(&x, None))?;
    let y = draws.obs.into_iter().next().ok_or("no simulated draw")?;
    Ok((x, y))
}

fn report_angles(label: &str, predicted: impl Iterator<Item = f64>, observed: &[f64]) {
    let (pm, pr) = circular_mean_and_resultant(predicted);
    let (om, or) = circular_mean_and_resultant(observed.iter().copied());
    println!("  {label}: circular mean {pm:6.3}, mean resultant length {pr:.3}");
    println!("  observed: circular mean {om:6.3}, mean resultant length {or:.3}");
}
