//! The posteriordb suite: fit one model, or all of them, with NUTS.
//!
//! ```sh
//! cargo run --release --example posteriordb -- --model arK
//! cargo run --release --example posteriordb -- --model garch11 --data data/posteriordb/garch-garch11.data.json
//! cargo run --release --example posteriordb -- --all        # the table of the README
//! cargo run --release --example posteriordb -- --settings   # defaults beside per-model settings
//! ```
//!
//! Flags: `--warmup N`, `--samples N`, `--chains N`, `--seed N` (defaults 1000, 1000, 4, 1),
//! `--adaptation windowed|gradient|low_rank` (default windowed) and `--as-given` (no per-model mass matrix
//! or target acceptance: what the defaults give).

use std::error::Error;

use model_runtime::inference::{Adaptation, MassMatrixKind};
use model_runtime::prelude::*;
use model_runtime::results::mcmc::Cancel;
use model_suite::posteriordb::{
    MODELS, Report, fit, fit_as_given, wants_dense_metric, wants_low_rank_metric, wants_small_steps,
};
use model_suite::{flag, read_json};

fn main() -> Result<(), Box<dyn Error>> {
    let number = |name: &str, default: u64| -> Result<u64, Box<dyn Error>> {
        flag(name).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| format!("{name} needs a whole number, got `{v}`").into())
        })
    };
    let (adaptation, metric) = match flag("--adaptation").as_deref() {
        None | Some("windowed") => (Adaptation::Windowed, MassMatrixKind::Diagonal),
        Some("gradient") => (Adaptation::GradientBased, MassMatrixKind::Diagonal),
        Some("low_rank") => (Adaptation::GradientBased, MassMatrixKind::LowRank),
        Some(other) => {
            return Err(format!(
                "--adaptation is `windowed`, `gradient` or `low_rank`, got `{other}`"
            )
            .into());
        }
    };
    let nuts = Nuts::default()
        .warmup(number("--warmup", 1000)? as usize)
        .samples(number("--samples", 1000)? as usize)
        .chains(number("--chains", 4)? as usize)
        .seed(number("--seed", 1)?)
        .adaptation(adaptation)
        .mass_matrix(metric)
        // Ctrl-C ends the fit in progress with the draws it has (and the run after it).
        .cancel_on(&Cancel::on_ctrl_c()?);
    // `--as-given`: no per-model mass matrix or target acceptance, what a user gets from defaults.
    let as_given = std::env::args().any(|a| a == "--as-given");
    let fit = |name: &str, data: &serde_json::Value, nuts: &Nuts| {
        if as_given {
            fit_as_given(name, data, nuts)
        } else {
            fit(name, data, nuts)
        }
    };
    let data_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/posteriordb");

    let references = read_json(format!("{data_dir}/reference.json"))?;
    let reference = |file: &str| &references["posteriors"][file.trim_end_matches(".data.json")];

    if std::env::args().any(|a| a == "--settings") {
        // Every model fitted with a setting of its own, once with the defaults and once with
        // that setting: what the setting buys, and the geometry that asks for it.
        println!(
            "| model | setting | condition number of the correlation | defaults: divergences | ESS/s | ESS per 1000 gradients | max R-hat | deviation (SE, means / sds) | setting: divergences | ESS/s | ESS per 1000 gradients | max R-hat | deviation (SE) |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (name, file) in MODELS {
            let metric = if wants_low_rank_metric(name) {
                Some("low-rank metric (gradient-based adaptation)")
            } else if wants_dense_metric(name) {
                Some("dense metric")
            } else {
                None
            };
            let setting = match (metric, wants_small_steps(name)) {
                (None, false) => continue,
                (Some(metric), false) => metric.to_string(),
                (None, true) => "target acceptance 0.99".to_string(),
                (Some(metric), true) => format!("{metric}, target acceptance 0.99"),
            };
            let data = read_json(format!("{data_dir}/{file}"))?;
            let defaults = fit_as_given(name, &data, &nuts)?;
            let tuned = model_suite::posteriordb::fit(name, &data, &nuts)?;
            let cells = |r: &Report| {
                let agreement = r.against_reference(reference(file), 5.0);
                let seconds = r.wall_time.as_secs_f64();
                format!(
                    "{} | {:.0} | {:.1} | {:.3} | {:.1} / {:.1}",
                    r.divergences,
                    r.min_ess_bulk / seconds,
                    1000.0 * r.min_ess_bulk / r.gradients as f64,
                    r.max_r_hat,
                    agreement.worst_mean,
                    agreement.worst_sd
                )
            };
            println!(
                "| {name} | {setting} | {:.3e} | {} | {} |",
                defaults.correlation_condition,
                cells(&defaults),
                cells(&tuned)
            );
        }
        return Ok(());
    }

    if std::env::args().any(|a| a == "--all") {
        println!(
            "| model | parameters | wall time | min bulk ESS | ESS/s | ESS per 1000 gradients | max R-hat | divergences | largest deviation from the reference (SE, means / sds) |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for (name, file) in MODELS {
            let data = read_json(format!("{data_dir}/{file}"))?;
            let r = fit(name, &data, &nuts)?;
            println!("{}", table_row(name, &r, reference(file)));
        }
        return Ok(());
    }

    let name = flag("--model").ok_or_else(|| {
        format!(
            "give --model NAME (or --all); the models are: {}",
            MODELS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let file = MODELS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .ok_or_else(|| format!("unknown model `{name}`"))?;
    let path = flag("--data").unwrap_or_else(|| format!("{data_dir}/{file}"));
    let report = fit(&name, &read_json(&path)?, &nuts)?;
    print_report(&name, &report, reference(file));
    Ok(())
}

/// The model's row of the README's table (what `--all` prints), with the largest deviations of
/// a posterior mean and of a posterior sd from posteriordb's `reference`, in standard errors.
fn table_row(name: &str, r: &Report, reference: &serde_json::Value) -> String {
    let seconds = r.wall_time.as_secs_f64();
    let agreement = r.against_reference(reference, 5.0);
    format!(
        "| {name} | {} | {:.2} s | {:.0} | {:.0} | {:.1} | {:.3} | {} | {:.1} / {:.1} |",
        r.parameters,
        seconds,
        r.min_ess_bulk,
        r.min_ess_bulk / seconds,
        1000.0 * r.min_ess_bulk / r.gradients as f64,
        r.max_r_hat,
        r.divergences,
        agreement.worst_mean,
        agreement.worst_sd
    )
}

fn print_report(name: &str, r: &Report, reference: &serde_json::Value) {
    println!("{name}\n");
    println!("{}", r.summary);
    println!("Number of divergences: {}", r.divergences);
    for (chain, (step_size, divergences, steps)) in r.chains.iter().enumerate() {
        println!(
            "chain {chain}: step size {step_size:.3}, {divergences} divergences, {steps:.1} leapfrog steps per draw"
        );
    }
    println!(
        "Wall time: warmup {:.2?}, sampling {:.2?} (longest chain), total {:.2?}",
        r.warmup_time, r.sampling_time, r.wall_time
    );
    let agreement = r.against_reference(reference, 5.0);
    println!(
        "largest deviation from posteriordb's reference: {:.1} standard errors (means), {:.1} (sds){}",
        agreement.worst_mean,
        agreement.worst_sd,
        agreement.uncompared()
    );
    for miss in agreement.misses {
        println!("  more than 5: {miss}");
    }
    println!("table row: {}", table_row(name, r, reference));
    if r.converged() {
        println!(
            "converged: max R-hat {:.3}, min bulk ESS {:.0}",
            r.max_r_hat, r.min_ess_bulk
        );
    } else {
        println!(
            "NOT converged by posteriordb's bar (R-hat < 1.01, bulk ESS > 400, no divergences): max R-hat {:.3}, min bulk ESS {:.0}, {} divergences",
            r.max_r_hat, r.min_ess_bulk, r.divergences
        );
        if name == "eight_schools_centered" {
            println!("the centered eight schools is a funnel: use eight_schools_noncentered");
        }
    }
}
