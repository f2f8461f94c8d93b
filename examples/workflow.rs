//! The Bayesian workflow on one real data set: children's test scores (posteriordb's `kidiq`,
//! 434 children) explained by the mother's IQ alone, or by her IQ, her high-school completion
//! and their interaction. For each model: its sites, a prior predictive check, a fit with its
//! summary and warnings, PSIS-LOO, and a posterior predictive check; then the LOO comparison.
//!
//! Run: `cargo run --release --example workflow -- --out target/workflow`. It writes, per model,
//! a directory `<model>/` with `fit.json` (ArviZ: posterior, sample_stats, log_likelihood,
//! observed_data, constant_data, posterior_predictive, prior, prior_predictive,
//! warmup_posterior and warmup_sample_stats; load it with
//! `az.from_dict(json.load(open(path)))`), and the plots `trace.svg`, `forest.svg`,
//! `pair.svg`, `energy.svg`, `prior_ppc.svg` and `ppc.svg`; and `loo.txt` with both LOO
//! estimates and the comparison. `examples/workflow_arviz_check.py` checks the files against
//! ArviZ.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use model_runtime::autodiff::Var;
use model_runtime::diagnostics::{Loo, compare};
use model_runtime::plots::{self, Plot};
use model_runtime::prelude::*;
use model_runtime::results::mcmc::Cancel;
use model_runtime::site::ModelSites;
use model_runtime::{Body, Fit};
use model_suite::{f64_array, read_json};

/// Test scores around a line in the mother's standardized IQ.
#[model]
fn iq_only(mom_iq: &[f64], kid_score: Option<&[f64]>) {
    let alpha = sample!("alpha", Normal::new(85.0, 20.0));
    let beta_iq = sample!("beta_iq", Normal::new(0.0, 20.0));
    let sigma = sample!("sigma", HalfNormal::new(30.0));
    sample!(
        "kid_score",
        batch::Normal::new(alpha + beta_iq * batch::vector(mom_iq), sigma),
        obs = kid_score
    );
}

/// The mother's standardized IQ, whether she finished high school, and their interaction.
#[model]
fn iq_and_school(mom_iq: &[f64], mom_hs: &[f64], iq_hs: &[f64], kid_score: Option<&[f64]>) {
    let alpha = sample!("alpha", Normal::new(85.0, 20.0));
    let beta_iq = sample!("beta_iq", Normal::new(0.0, 20.0));
    let beta_hs = sample!("beta_hs", Normal::new(0.0, 20.0));
    let beta_iq_hs = sample!("beta_iq_hs", Normal::new(0.0, 20.0));
    let sigma = sample!("sigma", HalfNormal::new(30.0));
    let mu = alpha
        + beta_iq * batch::vector(mom_iq)
        + beta_hs * batch::vector(mom_hs)
        + beta_iq_hs * batch::vector(iq_hs);
    sample!("kid_score", batch::Normal::new(mu, sigma), obs = kid_score);
}

/// Mean and standard deviation.
fn moments(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// The share of replicated data sets whose statistic is at least the observed one: a
/// posterior (or prior) predictive p-value; values near 0 or 1 flag a misfit.
fn p_value(replicated: &[Vec<f64>], observed: f64, statistic: fn(&[f64]) -> f64) -> f64 {
    let above = replicated
        .iter()
        .filter(|y| statistic(y) >= observed)
        .count();
    above as f64 / replicated.len() as f64
}

/// Prints where the observed mean and sd fall among replicated data sets.
fn predictive_check(label: &str, replicated: &[Vec<f64>], observed: &[f64]) {
    let (mean, sd) = moments(observed);
    let means: Vec<f64> = replicated.iter().map(|y| moments(y).0).collect();
    let sds: Vec<f64> = replicated.iter().map(|y| moments(y).1).collect();
    let (mean_of_means, _) = moments(&means);
    let (mean_of_sds, _) = moments(&sds);
    println!(
        "{label}: mean {mean:.1} (replicated {mean_of_means:.1}, p = {:.2}), sd {sd:.1} (replicated {mean_of_sds:.1}, p = {:.2})",
        p_value(replicated, mean, |y| moments(y).0),
        p_value(replicated, sd, |y| moments(y).1),
    );
}

/// One model through the workflow; returns its LOO estimate.
fn run<M>(
    name: &str,
    model: &M,
    prior_model: &M,
    observed: &[f64],
    column: fn(&<M::Sites as ModelSites>::Draws) -> &Vec<Vec<f64>>,
    constants: &[(&str, &Vec<f64>)],
    out: &Path,
) -> Result<Loo, Box<dyn Error>>
where
    M: Model + Body<f64> + Body<Var> + Sync,
    <M::Sites as ModelSites>::LatentSites: model_runtime::site::AllFittable,
{
    println!("==== {name} ====");
    println!("{}", model.describe()?);

    let prior = Predictive::prior(500).seed(1).run(prior_model)?;
    predictive_check("prior predictive", column(&prior), observed);

    // Warmup is kept for ArviZ's warmup groups (its draws are not in the summary).
    // Ctrl-C stops sampling after the draw in flight; the workflow goes on with those draws.
    let fit: Fit<M::Sites> = Nuts::default()
        .seed(7)
        .save_warmup(true)
        .cancel_on(&Cancel::on_ctrl_c()?)
        .run(model)?;
    fit.print_summary();

    let loo = fit.loo(model)?;
    println!("{loo}");

    let predictions = Predictive::posterior(&fit).seed(2).run(prior_model)?;
    predictive_check("posterior predictive", column(&predictions), observed);

    let mut export = fit
        .arviz()
        .log_likelihood(model)?
        .posterior_predictive(&predictions)
        .prior(&prior);
    for (name, values) in constants {
        export = export
            .constant_data(name, *values)
            .dims(name, &["children"]);
    }
    // The score is a vectorized site, with no plate to name its dimension.
    let json = export.dims("kid_score", &["children"]).to_json();
    let dir = out.join(name);
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("fit.json"), json)?;
    plots::trace(&fit).save(dir.join("trace.svg"))?;
    plots::forest(&fit).save(dir.join("forest.svg"))?;
    plots::pair(&fit).save(dir.join("pair.svg"))?;
    plots::energy(&fit).save(dir.join("energy.svg"))?;
    plots::ppc(model, &prior)?.save(dir.join("prior_ppc.svg"))?;
    plots::ppc(model, &predictions)?.save(dir.join("ppc.svg"))?;
    println!(
        "wrote {}/{{fit.json, trace.svg, forest.svg, pair.svg, energy.svg, prior_ppc.svg, ppc.svg}}\n",
        dir.display()
    );
    Ok(loo)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from("target/workflow");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().ok_or("--out needs a directory")?.into(),
            other => return Err(format!("unknown argument `{other}` (use --out DIR)").into()),
        }
    }
    fs::create_dir_all(&out)?;

    let data = read_json(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("data/posteriordb/kidiq-kidscore_interaction.data.json"),
    )?;
    let kid_score = f64_array(&data, "kid_score")?;
    let mom_hs = f64_array(&data, "mom_hs")?;
    let mom_iq_raw = f64_array(&data, "mom_iq")?;
    // Standardized IQ: the intercept is the score at the average IQ, and priors on the slopes
    // speak of points per standard deviation of IQ.
    let (iq_mean, iq_sd) = moments(&mom_iq_raw);
    let mom_iq: Vec<f64> = mom_iq_raw.iter().map(|x| (x - iq_mean) / iq_sd).collect();
    let iq_hs: Vec<f64> = mom_iq.iter().zip(&mom_hs).map(|(a, b)| a * b).collect();
    println!(
        "kidiq: {} children, score mean {:.1} sd {:.1}\n",
        kid_score.len(),
        moments(&kid_score).0,
        moments(&kid_score).1
    );

    let loo_iq = run(
        "iq_only",
        &iq_only(&mom_iq, Some(&kid_score)),
        &iq_only(&mom_iq, None),
        &kid_score,
        |d: &iq_only::Draws| &d.kid_score,
        &[("mom_iq", &mom_iq)],
        &out,
    )?;
    let loo_both = run(
        "iq_and_school",
        &iq_and_school(&mom_iq, &mom_hs, &iq_hs, Some(&kid_score)),
        &iq_and_school(&mom_iq, &mom_hs, &iq_hs, None),
        &kid_score,
        |d: &iq_and_school::Draws| &d.kid_score,
        &[("mom_iq", &mom_iq), ("mom_hs", &mom_hs)],
        &out,
    )?;

    let table = compare(&[("iq_only", &loo_iq), ("iq_and_school", &loo_both)])?;
    println!("LOO comparison\n{table}");
    let text = format!("iq_only\n{loo_iq}\niq_and_school\n{loo_both}\n{table}");
    fs::write(out.join("loo.txt"), text)?;
    // Our figures for the ArviZ check: elpd, p and every k per model.
    let numbers = |loo: &Loo| {
        serde_json::json!({
            "elpd": loo.elpd,
            "se": loo.se,
            "p": loo.p,
            "k": loo.pointwise.iter().map(|p| p.k).collect::<Vec<f64>>(),
            "elpd_i": loo.pointwise.iter().map(|p| p.elpd).collect::<Vec<f64>>(),
        })
    };
    let ours =
        serde_json::json!({"iq_only": numbers(&loo_iq), "iq_and_school": numbers(&loo_both)});
    fs::write(out.join("loo.json"), ours.to_string())?;
    println!("wrote {}", out.join("loo.txt").display());
    Ok(())
}
