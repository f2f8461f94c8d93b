//! Variational inference, MAP and Laplace on the logistic regression anchor (5000 rows, 20
//! predictors): AutoNormal SVI, then AutoDelta (MAP) and AutoLaplaceApproximation, each
//! summarized as NUTS summarizes a fit, with NUTS's result beside them.
//!
//! Run: `cargo run --release --example svi`. With `-- --speed` it times AutoNormal SVI alone
//! (5000 steps, five repeats) and prints one JSON line, the Rust half of
//! `benches/compare/svi_numpyro.py`. With `-- --subsample` it times a step on 1,000,000 rows
//! in batches of 1000 against a step on 1000 rows.

use std::error::Error;
use std::time::Instant;

use model_runtime::diagnostics::Summary;
use model_runtime::linalg::Matrix;
use model_runtime::prelude::*;
use model_runtime::svi::{
    Adam, AutoDelta, AutoLaplaceApproximation, AutoNormal, Elbo, Schedule, Svi,
};
use model_suite::{f64_array, matrix_rows, read_json};

/// Logistic regression: `y ~ Bernoulli(logits = alpha + X beta)`.
#[model]
fn logistic(x: &Matrix, y: &[bool]) {
    let alpha = sample!("alpha", Normal::new(0.0, 5.0));
    let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
    sample!(
        "y",
        batch::Bernoulli::from_logits(x.matvec(&beta) + alpha),
        obs = y
    );
}

/// Linear regression over rows that SVI may take in batches of 1000.
#[model]
fn rows(x: &[f64], y: &[f64]) {
    let a = sample!("a", Normal::new(0.0, 5.0));
    let b = sample!("b", Normal::new(0.0, 5.0));
    let sigma = sample!("sigma", HalfNormal::new(2.0));
    plate!("rows", y.len(), subsample = 1000, |i| {
        sample!("y", Normal::new(a + b * x[i], sigma), obs = y[i]);
    });
}

/// Steps per second of AutoNormal SVI on `n` rows (batches of 1000 when `n` is larger), and
/// the fitted slope.
fn rows_speed(n: usize) -> Result<(f64, f64), Box<dyn Error>> {
    let x: Vec<f64> = (0..n)
        .map(|i| ((i as f64) * 0.618_034).fract() * 4.0 - 2.0)
        .collect();
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, x)| 1.0 + 0.5 * x + ((i as f64 * 0.754_877).fract() - 0.5))
        .collect();
    let model = rows(&x, &y);
    // The steps alone: a run of no steps (the start, which evaluates the full data once, and
    // the setup) is timed and taken off.
    let svi = Svi::new(Adam::new(0.01)).progress(false);
    let start = Instant::now();
    svi.clone().steps(0).run(&model, AutoNormal::new())?;
    let setup = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let fit = svi.steps(2000).run(&model, AutoNormal::new())?;
    let steps = start.elapsed().as_secs_f64() - setup;
    eprintln!("{n}: setup {setup:.3} s, steps {steps:.3} s");
    Ok((2000.0 / steps, fit.median()?.b))
}

/// The rows of `summary` for `alpha` and `beta[0..3]`.
fn show(label: &str, summary: &Summary, seconds: f64) {
    println!("{label} ({seconds:.2} s)");
    let shown = ["alpha", "beta[0]", "beta[1]", "beta[2]"];
    let mut kept = Summary::new();
    for row in summary.rows().iter().filter(|r| shown.contains(&r.name())) {
        kept.push(row.clone()).expect("names are unique");
    }
    println!("{kept}\n");
}

fn main() -> Result<(), Box<dyn Error>> {
    let data = read_json(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/anchors/logistic.json"
    ))?;
    let x = Matrix::from_rows(&matrix_rows(&data, "X")?)?;
    let y: Vec<bool> = f64_array(&data, "y")?.iter().map(|&v| v == 1.0).collect();
    let model = logistic(&x, &y);
    // AutoNormal: 5000 steps of Adam, the rate decaying from 0.02 to 0.002, one particle.
    let schedule = Schedule::Exponential {
        initial: 0.02,
        rate: 0.1,
        steps: 5000,
    };
    let svi = Svi::new(Adam::new(schedule)).steps(5000).seed(1);
    if std::env::args().any(|a| a == "--subsample") {
        // A step on 1,000,000 rows in batches of 1000 against a step on 1000 rows.
        for n in [1000, 1_000_000] {
            let (rate, slope) = rows_speed(n)?;
            println!("{n:>9} rows: {rate:8.0} steps/s (slope {slope:.3})");
        }
        return Ok(());
    }
    if std::env::args().any(|a| a == "--speed") {
        let mut rates = Vec::new();
        let mut last = None;
        for _ in 0..5 {
            let start = Instant::now();
            let fit = svi.clone().progress(false).run(&model, AutoNormal::new())?;
            rates.push(fit.losses().len() as f64 / start.elapsed().as_secs_f64());
            last = Some(fit);
        }
        rates.sort_by(f64::total_cmp);
        let fit = last.ok_or("no run")?;
        let median = fit.median()?;
        println!(
            "{}",
            serde_json::json!({
                "library": "model-runtime",
                "steps": 5000,
                "steps_per_second": rates[2],
                "range": [rates[0], rates[4]],
                "final_loss": fit.losses().last(),
                "alpha": median.alpha,
                "beta_0_3": &median.beta[..3],
            })
        );
        return Ok(());
    }
    println!(
        "logistic regression: {} rows, {} predictors\n",
        x.rows(),
        x.cols()
    );

    let start = Instant::now();
    let fit = svi.run(&model, AutoNormal::new())?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "AutoNormal: final loss {:.2} ({} steps, {:.0} steps/s)",
        fit.losses().last().copied().unwrap_or(f64::NAN),
        fit.losses().len(),
        fit.losses().len() as f64 / seconds
    );
    show(
        "AutoNormal (4000 draws of the guide)",
        &fit.summary(4000, 2)?,
        seconds,
    );

    let start = Instant::now();
    let map = Svi::new(Adam::new(0.01))
        .steps(3000)
        .elbo(Elbo::MeanField)
        .run(&model, AutoDelta)?;
    let seconds = start.elapsed().as_secs_f64();
    let point = map.median()?;
    println!("AutoDelta (MAP, {seconds:.2} s)");
    println!(
        "alpha {:.4}, beta[0..3] {:.4} {:.4} {:.4}\n",
        point.alpha, point.beta[0], point.beta[1], point.beta[2]
    );

    let start = Instant::now();
    let laplace = Svi::new(Adam::new(0.01))
        .steps(3000)
        .elbo(Elbo::MeanField)
        .run(&model, AutoLaplaceApproximation)?;
    let seconds = start.elapsed().as_secs_f64();
    show(
        "AutoLaplaceApproximation (4000 draws)",
        &laplace.summary(4000, 3)?,
        seconds,
    );

    let start = Instant::now();
    let nuts = Nuts::default().seed(4).run(&model)?;
    let seconds = start.elapsed().as_secs_f64();
    show("NUTS (4 chains of 1000)", &nuts.summary()?, seconds);
    Ok(())
}
