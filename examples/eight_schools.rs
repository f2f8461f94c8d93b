//! Eight schools (Rubin 1981): the centered and the non-centered parameterization side by side.
//!
//! Run with `cargo run --release --example eight_schools [-- --data FILE]`, where FILE is in
//! posteriordb's format (`J`, `y`, `sigma`); by default the bundled posteriordb data.
//!
//! The centered model's funnel between `tau` and `theta` makes NUTS diverge; the same model with
//! `LocScaleReparam` on `theta` (non-centered) samples cleanly, and is the one to use.

use std::error::Error;

use model_runtime::prelude::*;
use model_suite::{f64_array, flag, read_json};

#[model]
fn eight_schools(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta = sample!("theta", Normal::new(mu, tau));
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

fn main() -> Result<(), Box<dyn Error>> {
    let path = flag("--data").unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/posteriordb/eight_schools-eight_schools_noncentered.data.json"
        )
        .to_string()
    });
    let data = read_json(&path)?;
    let (y, sigma) = (f64_array(&data, "y")?, f64_array(&data, "sigma")?);
    let j = data
        .get("J")
        .and_then(|v| v.as_u64())
        .ok_or("data has no integer `J`")? as usize;
    if y.len() != j || sigma.len() != j {
        return Err(format!(
            "J = {j} but y has {} and sigma {} entries",
            y.len(),
            sigma.len()
        )
        .into());
    }

    let nuts = Nuts::default().chains(4).seed(1);
    println!("== centered ==");
    let centered = nuts.run(&eight_schools(&y, &sigma))?;
    centered.print_summary();

    println!("== non-centered (LocScaleReparam on theta) ==");
    let model = eight_schools(&y, &sigma).reparam(|r| r.theta(LocScaleReparam::default()));
    let noncentered = nuts.run(&model)?;
    noncentered.print_summary();

    println!(
        "divergences: centered {}, non-centered {}",
        centered.divergences(),
        noncentered.divergences()
    );
    if centered.divergences() > 0 {
        println!(
            "the centered posterior is a funnel and its draws are biased: use the non-centered model"
        );
    }
    Ok(())
}
