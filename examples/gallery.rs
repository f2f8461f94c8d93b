//! Every plot of `model_runtime::plots`, on models that show what each is for: the centered
//! eight schools model (divergences in the trace, rank and pair plots, and its energy plot),
//! the non-centered one (a forest plot per chain), children's test scores (posterior
//! predictive densities and intervals), simulated counts (predictive bars) and angles with an
//! unknown phase (a rose diagram), and simulation-based calibration of a right and of a
//! misstated model.
//!
//! Run: `cargo run --release --example gallery -- --out target/gallery`. It writes one SVG per
//! plot; with `--features png -- --format png` it writes PNG files instead (the README's
//! gallery, `cargo run --release --features png --example gallery -- --out docs/gallery
//! --format png`).

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use model_runtime::Sbc;
use model_runtime::plots::{self, Plot, PpcKind};
use model_runtime::prelude::*;
use model_suite::{f64_array, flag, read_json};

/// Eight schools, centered: the funnel between `tau` and `theta` makes NUTS diverge.
#[model]
fn schools(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta = sample!("theta", Normal::new(mu, tau));
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

/// Test scores around a line in the mother's standardized IQ.
#[model]
fn iq(mom_iq: &[f64], kid_score: Option<&[f64]>) {
    let alpha = sample!("alpha", Normal::new(80.0, 20.0));
    let beta = sample!("beta", Normal::new(0.0, 20.0));
    let sigma = sample!("sigma", HalfNormal::new(30.0));
    plate!("children", mom_iq.len(), |i| {
        sample!(
            "kid_score",
            Normal::new(alpha + beta * mom_iq[i], sigma),
            obs = kid_score.map(|k| k[i])
        );
    });
}

/// Counts with one rate.
#[model]
fn counts(n: usize, k: Option<&[u64]>) {
    let rate = sample!("rate", Gamma::new(2.0, 1.0));
    plate!("days", n, |i| {
        sample!("k", Poisson::new(rate), obs = k.map(|k| k[i]));
    });
}

/// A normal location with a prior scale given as data: simulated with one scale, fitted with
/// another, simulation-based calibration flags the misstatement.
#[model]
fn location(prior_sd: f64, n: usize, y: Option<&[f64]>) {
    let mu = sample!("mu", Normal::new(0.0, prior_sd));
    let log_sigma = sample!("log_sigma", Normal::new(0.0, 0.5));
    plate!("data", n, |i| {
        sample!("y", Normal::new(mu, log_sigma.exp()), obs = y.map(|y| y[i]));
    });
}

/// Angles around `phase + b x`; the phase is a latent angle.
#[model(reparam(phase = CircularReparam))]
fn phase_regression(x: &[f64], y: &[f64]) {
    let phase = sample!("phase", VonMises::new(0.0, 0.5));
    let b = sample!("b", Normal::new(0.0, 1.0));
    let kappa = sample!("kappa", Gamma::new(2.0, 0.5));
    plate!("data", x.len(), |i| {
        sample!("y", VonMises::new(phase + b * x[i], kappa), obs = y[i]);
    });
}

fn save(plot: &impl Plot, out: &Path, name: &str) -> Result<(), Box<dyn Error>> {
    let format = flag("--format").unwrap_or_else(|| "svg".into());
    let path = out.join(name).with_extension(format);
    plot.save(&path)?;
    println!("wrote {}", path.display());
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(flag("--out").unwrap_or_else(|| "target/gallery".into()));
    fs::create_dir_all(&out)?;
    let data_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");

    let schools_data =
        read_json(data_dir.join("posteriordb/eight_schools-eight_schools_centered.data.json"))?;
    let (y, sigma) = (
        f64_array(&schools_data, "y")?,
        f64_array(&schools_data, "sigma")?,
    );
    let centered = schools(&y, &sigma);
    let fit = Nuts::default().seed(3).progress(false).run(&centered)?;
    println!("centered eight schools: {} divergences", fit.divergences());
    save(
        &plots::trace(&fit).sites((schools::site::mu, schools::site::tau)),
        &out,
        "trace.svg",
    )?;
    save(
        &plots::trace(&fit)
            .sites((schools::site::mu, schools::site::tau))
            .rank(true),
        &out,
        "rank.svg",
    )?;
    save(
        &plots::pair(&fit)
            .sites((schools::site::mu, schools::site::tau, schools::site::theta))
            .max_elements(4),
        &out,
        "pair.svg",
    )?;
    save(&plots::energy(&fit), &out, "energy.svg")?;

    let noncentered = schools(&y, &sigma).reparam(|r| r.theta(LocScaleReparam::default()));
    let fit = Nuts::default().seed(3).progress(false).run(&noncentered)?;
    println!(
        "non-centered eight schools: {} divergences",
        fit.divergences()
    );
    save(&plots::forest(&fit).per_chain(true), &out, "forest.svg")?;

    let kidiq = read_json(data_dir.join("posteriordb/kidiq-kidscore_momiq.data.json"))?;
    let kid_score = f64_array(&kidiq, "kid_score")?;
    let mom_iq = f64_array(&kidiq, "mom_iq")?;
    let (m, s) = {
        let n = mom_iq.len() as f64;
        let m = mom_iq.iter().sum::<f64>() / n;
        (
            m,
            (mom_iq.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt(),
        )
    };
    let mom_iq: Vec<f64> = mom_iq.iter().map(|x| (x - m) / s).collect();
    let model = iq(&mom_iq, Some(&kid_score));
    let fit = Nuts::default().seed(4).progress(false).run(&model)?;
    let replicated = Predictive::posterior(&fit)
        .seed(5)
        .run(&iq(&mom_iq, None))?;
    save(&plots::ppc(&model, &replicated)?, &out, "ppc.svg")?;
    // The first 60 children, by observation.
    let first: Vec<f64> = kid_score[..60].to_vec();
    let model_60 = iq(&mom_iq[..60], Some(&first));
    let fit_60 = Nuts::default().seed(4).progress(false).run(&model_60)?;
    let replicated_60 = Predictive::posterior(&fit_60)
        .seed(5)
        .run(&iq(&mom_iq[..60], None))?;
    save(
        &plots::ppc(&model_60, &replicated_60)?.kind(PpcKind::Intervals),
        &out,
        "ppc_intervals.svg",
    )?;

    // 100 days of counts simulated at rate 2.5 (seed 6), fitted and checked.
    let truth = [counts::Latent { rate: 2.5 }];
    let simulated = Predictive::from_latents(&truth)
        .seed(6)
        .run(&counts(100, None))?;
    let k = simulated.k[0].clone();
    let model = counts(k.len(), Some(&k));
    let fit = Nuts::default().seed(7).progress(false).run(&model)?;
    let replicated = Predictive::posterior(&fit)
        .seed(8)
        .run(&counts(k.len(), None))?;
    save(&plots::ppc(&model, &replicated)?, &out, "ppc_bars.svg")?;

    let circular = read_json(data_dir.join("anchors/circular.json"))?;
    let (x, angles) = (f64_array(&circular, "x")?, f64_array(&circular, "y")?);
    // The anchor's angles turned by 3 radians: the phase sits near ±π.
    let turned: Vec<f64> = angles
        .iter()
        .map(|a| model_runtime::special::wrap_angle(a + 3.0))
        .collect();
    let fit = Nuts::default()
        .seed(9)
        .progress(false)
        .run(&phase_regression(&x, &turned))?;
    save(&plots::rose(&fit), &out, "rose.svg")?;

    // Simulation-based calibration, 200 replications: the right model, then data simulated
    // with prior sd 3 for `mu` and fitted believing it is 1.
    let sbc = Sbc::new(Nuts::default().warmup(300).samples(400).thin(4))
        .replications(200)
        .seed(11);
    let right = sbc.run(&location(1.0, 5, None))?;
    println!("{right}");
    save(&plots::sbc(&right), &out, "sbc.svg")?;
    let misstated = sbc.run_with(&location(3.0, 5, None), &location(1.0, 5, None))?;
    println!("{misstated}");
    save(&plots::sbc(&misstated), &out, "sbc_misstated.svg")?;
    Ok(())
}
