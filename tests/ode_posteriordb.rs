//! The two ODE posteriors of posteriordb (`hudson_lynx_hare-lotka_volterra`,
//! `one_comp_mm_elim_abs-one_comp_mm_elim_abs`), written with `model_runtime::ode` in
//! `examples/support/posteriordb.rs`, against posteriordb's reference posteriors
//! (`data/posteriordb/reference.json`).
//!
//! Every reference parameter's posterior mean must agree within five standard errors of the
//! difference, `5 sqrt(mcse_fit² + mcse_ref²)`, where `mcse_fit` is the fit's own Monte Carlo
//! standard error of the mean (from its bulk ESS) and `mcse_ref` the reference's; the chains
//! must agree (R-hat ≤ 1.05) and not diverge. The draws are few (4 chains of 300 draws, after
//! 300 warmup iterations, 1000 for Lotka–Volterra) to keep the test short; the tolerance comes
//! from the fit's own standard error, so it widens with fewer draws instead of passing by luck.
//!
//! Both posteriors sometimes leave one chain stuck away from the others, where it started
//! (uniform on (-2, 2) unconstrained, as Stan and NumPyro start), and R-hat then fails. Over
//! seeds 1 to 10 (2026-12-07): Lotka–Volterra passed for 4 seeds after 300 warmup iterations
//! and for 9 after 1000 (seed 7 stuck); one_comp_mm_elim_abs passed for 9 after 300 (seed 10
//! stuck). Hence Lotka–Volterra's longer warmup; the fixed seed passes, and what the test
//! checks, the model against its reference, does not depend on it. A wrong right-hand side, prior or sensitivity moves
//! some mean by many of these (the tolerance for `theta[0]` of Lotka–Volterra is about 0.015
//! against a posterior sd of 0.063).

use model_runtime::prelude::*;
use model_suite::posteriordb::check_against_reference;

fn assert_matches_reference(name: &str, warmup: usize) {
    let nuts = Nuts::default()
        .warmup(warmup)
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
    assert_matches_reference("lotka_volterra", 1000);
}

#[test]
fn one_comp_mm_elim_abs_matches_the_reference_posterior() {
    assert_matches_reference("one_comp_mm_elim_abs", 300);
}
