//! The warnings a fit gives (`Fit::warnings`): each appears when its condition holds, with the
//! counts the fit's own statistics give, and a healthy fit gives none.

use model_runtime::prelude::*;
use model_runtime::results::warnings::Warning;
use model_suite::{EIGHT_SCHOOLS_SIGMA, EIGHT_SCHOOLS_Y, eight_schools};

#[model]
fn normal_mean(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 10.0));
    let sigma = sample!("sigma", HalfNormal::new(5.0));
    sample!("y", batch::Normal::new(mu, sigma), obs = y);
}

#[model]
fn iid_normals(n: usize) {
    plate!("coordinates", n, |_i| {
        sample!("x", Normal::new(0.0, 1.0));
    });
}

#[test]
fn a_healthy_fit_gives_no_warning() {
    let y: Vec<f64> = (0..50).map(|i| (i as f64 * 0.7).sin() + 1.0).collect();
    let fit = Nuts::default().seed(3).run(&normal_mean(&y)).unwrap();
    assert_eq!(fit.warnings(), []);
}

#[test]
fn divergences_are_counted_as_the_fit_counts_them() {
    // The centred eight schools funnel diverges at the default target acceptance.
    let model = eight_schools(&EIGHT_SCHOOLS_Y, &EIGHT_SCHOOLS_SIGMA);
    let fit = Nuts::default().seed(1).run(&model).unwrap();
    let divergences = fit.divergences();
    assert!(divergences > 0, "the centred funnel should diverge");
    let warnings = fit.warnings();
    let Some(Warning::Divergences {
        count,
        draws,
        target_acceptance,
    }) = warnings.first()
    else {
        panic!("expected divergences first: {warnings:?}");
    };
    assert_eq!((*count, *draws), (divergences, 4000));
    // The warning names the target warmup ended with (Stan's schedule keeps 0.8) and
    // suggests the next one up.
    assert_eq!(*target_acceptance, 0.8);
    let text = warnings[0].to_string();
    assert!(
        text.contains("warmup ended at 0.8; try `.target_acceptance(0.95)`"),
        "{text}"
    );
    assert!(text.contains("LocScaleReparam"));
}

#[test]
fn a_tree_depth_limit_that_binds_is_reported() {
    // Fifty independent normals need trajectories of several steps; depth 1 allows two.
    let fit = Nuts::default()
        .max_tree_depth(1)
        .warmup(300)
        .samples(300)
        .chains(2)
        .seed(2)
        .run(&iid_normals(50))
        .unwrap();
    let saturated = fit
        .chains()
        .iter()
        .flat_map(|c| &c.sampler.stats)
        .filter(|s| s.tree_depth == 1)
        .count();
    let warnings = fit.warnings();
    let tree_depth = warnings
        .iter()
        .find_map(|w| match w {
            Warning::TreeDepth {
                count,
                draws,
                max_tree_depth,
            } => Some((*count, *draws, *max_tree_depth)),
            _ => None,
        })
        .expect("a tree depth warning");
    assert_eq!(tree_depth, (saturated, 600, 1));
    assert!(saturated > 300, "most transitions should hit depth 1");
}

#[test]
fn too_few_draws_give_an_ess_warning_naming_the_elements() {
    let fit = Nuts::default()
        .warmup(100)
        .samples(20)
        .chains(2)
        .seed(4)
        .run(&iid_normals(3))
        .unwrap();
    let warnings = fit.warnings();
    let Some(Warning::LowEss {
        elements,
        threshold,
    }) = warnings
        .iter()
        .find(|w| matches!(w, Warning::LowEss { .. }))
    else {
        panic!("expected an ESS warning: {warnings:?}");
    };
    assert_eq!(*threshold, 200.0);
    let mut names: Vec<&str> = elements.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    assert_eq!(names, ["x[0]", "x[1]", "x[2]"]);
    assert!(
        elements.windows(2).all(|w| w[0].1 <= w[1].1),
        "lowest first"
    );
}

#[test]
fn static_hmc_has_no_tree_depth_to_saturate() {
    let fit = Hmc::steps(3)
        .warmup(200)
        .samples(200)
        .chains(2)
        .seed(5)
        .run(&iid_normals(2))
        .unwrap();
    assert!(fit.chains().iter().all(|c| c.max_tree_depth.is_none()));
    assert!(
        !fit.warnings()
            .iter()
            .any(|w| matches!(w, Warning::TreeDepth { .. }))
    );
}

#[test]
fn the_centred_funnel_has_low_e_bfmi_in_the_chains_that_report_it() {
    // Stan reports low E-BFMI for the centred eight schools; the warning lists exactly the
    // chains whose energy statistic is below 0.3.
    let model = eight_schools(&EIGHT_SCHOOLS_Y, &EIGHT_SCHOOLS_SIGMA);
    let fit = Nuts::default().seed(1).run(&model).unwrap();
    let expected: Vec<(usize, f64)> = fit
        .chains()
        .iter()
        .enumerate()
        .filter_map(|(c, chain)| {
            let energy: Vec<f64> = chain.sampler.stats.iter().map(|s| s.energy).collect();
            let value = model_runtime::diagnostics::e_bfmi(&energy)?;
            (value < 0.3).then_some((c, value))
        })
        .collect();
    assert!(
        !expected.is_empty(),
        "the centred funnel should have low E-BFMI"
    );
    let warnings = fit.warnings();
    let chains = warnings
        .iter()
        .find_map(|w| match w {
            Warning::LowEBfmi { chains } => Some(chains.clone()),
            _ => None,
        })
        .expect("an E-BFMI warning");
    assert_eq!(chains, expected);
}
