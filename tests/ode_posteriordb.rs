//! The two ODE posteriors of posteriordb (`hudson_lynx_hare-lotka_volterra`,
//! `one_comp_mm_elim_abs-one_comp_mm_elim_abs`), written with `model_runtime::ode` in
//! `examples/support/posteriordb.rs`, against posteriordb's reference posteriors
//! (`data/posteriordb/reference.json`).
//!
//! Every reference parameter's posterior mean must agree within five standard errors of the
//! difference, `5 sqrt(mcse_fit² + mcse_ref²)`, where `mcse_fit` is the fit's own Monte Carlo
//! standard error of the mean (from its bulk ESS) and `mcse_ref` the reference's; the chains
//! must agree (R-hat ≤ 1.05) and not diverge. The draws are few (4 chains of 300 + 300) to keep
//! the test short; the tolerance comes from the fit's own standard error, so it widens with
//! fewer draws instead of passing by luck. A wrong right-hand side, prior or sensitivity moves
//! some mean by many of these (the tolerance for `theta[0]` of Lotka–Volterra is about 0.015
//! against a posterior sd of 0.063).

use model_runtime::prelude::*;
use model_suite::posteriordb::fit;
use model_suite::read_json;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/posteriordb");

/// Stan's name (`theta[1]`, 1-based, or `k_a`) as our summary row (`theta[0]`, `k_a`).
fn our_name(stan_name: &str) -> String {
    match stan_name.trim_end_matches(']').split_once('[') {
        Some((site, index)) => format!("{site}[{}]", index.parse::<usize>().unwrap() - 1),
        None => stan_name.to_string(),
    }
}

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
        let ours = our_name(stan_name);
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
        .warmup(300)
        .samples(300)
        .chains(4)
        .seed(3)
        .progress(false);
    match check(name, posterior, &nuts) {
        Ok(lines) => println!("{}", lines.join("\n")),
        Err(failures) => panic!("{}", failures.join("\n")),
    }
}

#[test]
fn lotka_volterra_matches_the_reference_posterior() {
    assert_matches_reference("lotka_volterra", "hudson_lynx_hare-lotka_volterra");
}

#[test]
fn one_comp_mm_elim_abs_matches_the_reference_posterior() {
    assert_matches_reference(
        "one_comp_mm_elim_abs",
        "one_comp_mm_elim_abs-one_comp_mm_elim_abs",
    );
}
