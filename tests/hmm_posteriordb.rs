//! The three hidden Markov models of posteriordb (`hmm_example`, `hmm_drive_0`, `hmm_drive_1`),
//! written with `hmm_marginal` in `examples/support/posteriordb.rs`, against posteriordb's
//! reference posteriors (`data/posteriordb/reference.json`).
//!
//! Every reference parameter's posterior mean must agree within five standard errors of the
//! difference, `5 sqrt(mcse_fit² + mcse_ref²)`, where `mcse_fit` is the fit's own Monte Carlo
//! standard error of the mean (from its bulk ESS) and `mcse_ref` the reference's. A wrong
//! emission density, transition direction or gradient of the forward algorithm moves some mean
//! by many of these (the tolerance for `mu[1]` of `hmm_example` is about 0.01 against a
//! posterior sd of 0.11).

use model_runtime::prelude::*;
use model_suite::posteriordb::fit;
use model_suite::read_json;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/posteriordb");

/// Fits `name` and compares every reference mean; returns the lines of the comparison table,
/// or the failures.
fn check(name: &str, posterior: &str, nuts: &Nuts) -> Result<Vec<String>, Vec<String>> {
    let reference = read_json(format!("{DATA}/reference.json")).unwrap();
    let parameters = reference["posteriors"][posterior]["parameters"]
        .as_object()
        .unwrap_or_else(|| panic!("no reference for {posterior}"));
    let data = read_json(format!("{DATA}/{posterior}.data.json")).unwrap();
    let report = fit(name, &data, nuts).unwrap();
    let mut lines = vec![format!(
        "{name}: {:.2?}, max R-hat {:.3}, min bulk ESS {:.0}, {} divergences",
        report.wall_time, report.max_r_hat, report.min_ess_bulk, report.divergences
    )];
    let mut failures = Vec::new();
    if report.max_r_hat > 1.05 || report.divergences > 0 {
        failures.push(format!("{}: chains disagree or diverge", lines[0]));
    }
    for (stan_name, stats) in parameters {
        // Stan's 1-based `theta1[1]` is our 0-based `theta1[0]`.
        let (site, index) = stan_name.trim_end_matches(']').split_once('[').unwrap();
        let ours = format!("{site}[{}]", index.parse::<usize>().unwrap() - 1);
        let row = report
            .summary
            .row(&ours)
            .unwrap_or_else(|| panic!("{name}: no summary row {ours}"));
        let reference_mean = stats["mean"].as_f64().unwrap();
        let reference_mcse = stats["mcse_mean"].as_f64().unwrap();
        let tolerance = 5.0 * row.mcse_mean().hypot(reference_mcse);
        let error = (row.mean() - reference_mean).abs();
        let line = format!(
            "  {ours:>10}: mean {:>10.5} reference {reference_mean:>10.5} (sd {:.4}), |difference| {error:.2e}, tolerance {tolerance:.2e} ({:.1} standard errors)",
            row.mean(),
            stats["sd"].as_f64().unwrap(),
            5.0 * error / tolerance
        );
        // A NaN mean fails too.
        if error.is_nan() || error >= tolerance {
            failures.push(format!("{name}{line}"));
        }
        lines.push(line);
    }
    if failures.is_empty() {
        Ok(lines)
    } else {
        failures.extend(lines);
        Err(failures)
    }
}

fn assert_matches_reference(name: &str, posterior: &str) {
    let nuts = Nuts::default()
        .warmup(500)
        .samples(500)
        .chains(4)
        .seed(3)
        .progress(false);
    match check(name, posterior, &nuts) {
        Ok(lines) => println!("{}", lines.join("\n")),
        Err(failures) => panic!("{}", failures.join("\n")),
    }
}

#[test]
fn hmm_example_matches_the_reference_posterior() {
    assert_matches_reference("hmm_example", "hmm_example-hmm_example");
}

#[test]
fn hmm_drive_0_matches_the_reference_posterior() {
    assert_matches_reference("hmm_drive_0", "bball_drive_event_0-hmm_drive_0");
}

#[test]
fn hmm_drive_1_matches_the_reference_posterior() {
    assert_matches_reference("hmm_drive_1", "bball_drive_event_1-hmm_drive_1");
}
