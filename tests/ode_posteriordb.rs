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
use model_suite::posteriordb::check_against_reference;

fn assert_matches_reference(name: &str) {
    let nuts = Nuts::default()
        .warmup(300)
        .samples(300)
        .chains(4)
        .seed(3)
        .progress(false);
    match check_against_reference(name, &nuts, 5.0) {
        Ok(line) => println!("{line}"),
        Err(failures) => panic!("{}", failures.join("\n")),
    }
}

#[test]
fn lotka_volterra_matches_the_reference_posterior() {
    assert_matches_reference("lotka_volterra");
}

#[test]
fn one_comp_mm_elim_abs_matches_the_reference_posterior() {
    assert_matches_reference("one_comp_mm_elim_abs");
}
