//! PSIS-LOO, WAIC and model comparison against ArviZ 1.x on the same pointwise log-likelihood
//! arrays (`reference/loo.json`, written by `reference/loo.py`): the relative efficiency ArviZ
//! derives from the posterior, every observation's elpd and Pareto k, the totals, standard
//! errors and effective numbers of parameters, and the comparison table with stacking weights.
//! Run with `--nocapture` to see the largest pointwise difference.

use model_runtime::diagnostics::{ChainDraws, Loo, compare, ess_mean, loo, waic};
use serde_json::Value as Json;

/// The arithmetic is ArviZ's step for step (sort, generalized Pareto fit, log-sum-exp), so the
/// results agree to rounding; the issue asks for 1e-6.
const TOLERANCE: f64 = 1e-6;

fn reference() -> Json {
    let text = include_str!("reference/loo.json");
    serde_json::from_str(text).expect("loo.json parses")
}

fn numbers(json: &Json) -> Vec<f64> {
    json.as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect()
}

/// `[chain][draw][i]` -> one (name, draws) entry per observation `i`, chains one after another.
fn pointwise(log_lik: &Json) -> Vec<(String, Vec<f64>)> {
    let chains: Vec<Vec<Vec<f64>>> = log_lik
        .as_array()
        .unwrap()
        .iter()
        .map(|chain| chain.as_array().unwrap().iter().map(numbers).collect())
        .collect();
    let n = chains[0][0].len();
    (0..n)
        .map(|i| {
            let draws = chains.iter().flatten().map(|draw| draw[i]).collect();
            (format!("y[{i}]"), draws)
        })
        .collect()
}

/// ArviZ's `r_eff`: the mean over the posterior's scalars of their mean-ESS, over the number
/// of draws; 1 for a single chain.
fn r_eff(posterior: &Json) -> f64 {
    let chains: Vec<Vec<Vec<f64>>> = posterior
        .as_array()
        .unwrap()
        .iter()
        .map(|chain| chain.as_array().unwrap().iter().map(numbers).collect())
        .collect();
    if chains.len() == 1 {
        return 1.0;
    }
    let parameters = chains[0][0].len();
    let samples = (chains.len() * chains[0].len()) as f64;
    let mean_ess = (0..parameters)
        .map(|p| {
            let per_chain: Vec<Vec<f64>> = chains
                .iter()
                .map(|c| c.iter().map(|d| d[p]).collect())
                .collect();
            ess_mean(&ChainDraws::new(&per_chain).unwrap())
        })
        .sum::<f64>()
        / parameters as f64;
    mean_ess / samples
}

fn close(what: &str, ours: f64, theirs: f64) {
    assert!(
        (ours - theirs).abs() <= TOLERANCE,
        "{what}: ours {ours}, ArviZ {theirs}"
    );
}

fn loo_of(case: &Json) -> Loo {
    let r_eff = case["r_eff_given"]
        .as_f64()
        .unwrap_or_else(|| r_eff(&case["posterior"]));
    loo(&pointwise(&case["log_lik"]), r_eff).unwrap()
}

#[test]
fn relative_efficiency_is_arviz_s() {
    for case in reference()["cases"].as_array().unwrap() {
        if case["r_eff_given"].is_null() {
            let name = case["name"].as_str().unwrap();
            let expected = case["r_eff"].as_f64().unwrap();
            let ours = r_eff(&case["posterior"]);
            assert!(
                (ours - expected).abs() <= 1e-12 * expected,
                "{name}: r_eff {ours} vs {expected}"
            );
        }
    }
}

#[test]
fn loo_agrees_with_arviz_observation_by_observation() {
    for case in reference()["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let expected = &case["loo"];
        let ours = loo_of(case);
        close(
            &format!("{name} elpd"),
            ours.elpd,
            expected["elpd"].as_f64().unwrap(),
        );
        close(
            &format!("{name} se"),
            ours.se,
            expected["se"].as_f64().unwrap(),
        );
        close(
            &format!("{name} p"),
            ours.p,
            expected["p"].as_f64().unwrap(),
        );
        close(
            &format!("{name} good_k"),
            ours.good_k,
            expected["good_k"].as_f64().unwrap(),
        );
        let (elpd_i, k) = (numbers(&expected["elpd_i"]), numbers(&expected["k"]));
        assert_eq!(ours.pointwise.len(), k.len());
        let mut worst: f64 = 0.0;
        for (i, point) in ours.pointwise.iter().enumerate() {
            close(&format!("{name} elpd[{i}]"), point.elpd, elpd_i[i]);
            close(&format!("{name} k[{i}]"), point.k, k[i]);
            worst = worst
                .max((point.elpd - elpd_i[i]).abs())
                .max((point.k - k[i]).abs());
        }
        eprintln!("{name}: largest pointwise difference from ArviZ {worst:.1e}");
    }
}

#[test]
fn the_reference_covers_good_bad_and_very_bad_k() {
    let ks: Vec<f64> = reference()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| numbers(&c["loo"]["k"]))
        .collect();
    assert!(ks.iter().any(|k| *k < 0.5));
    assert!(ks.iter().any(|k| (0.7..1.0).contains(k)));
    assert!(ks.iter().any(|k| *k > 1.0));
}

#[test]
fn waic_agrees_with_its_definition() {
    for case in reference()["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let expected = &case["waic"];
        let ours = waic(&pointwise(&case["log_lik"])).unwrap();
        close(
            &format!("{name} elpd_waic"),
            ours.elpd,
            expected["elpd"].as_f64().unwrap(),
        );
        close(
            &format!("{name} se"),
            ours.se,
            expected["se"].as_f64().unwrap(),
        );
        close(
            &format!("{name} p_waic"),
            ours.p,
            expected["p"].as_f64().unwrap(),
        );
    }
}

/// The stacking objective `Σ_i ln Σ_k w_k exp(elpd_ik)`.
fn log_score(models: &[&Loo], weights: &[f64]) -> f64 {
    (0..models[0].pointwise.len())
        .map(|i| {
            models
                .iter()
                .zip(weights)
                .map(|(m, w)| w * m.pointwise[i].elpd.exp())
                .sum::<f64>()
                .ln()
        })
        .sum()
}

#[test]
fn comparison_agrees_with_arviz() {
    let reference = reference();
    let cases = reference["cases"].as_array().unwrap();
    let expected = &reference["compare"];
    let find = |name: &Json| {
        let case = cases.iter().find(|c| c["name"] == *name).unwrap();
        loo_of(case)
    };
    let models = expected["models"].as_array().unwrap();
    let names = expected["names"].as_array().unwrap();
    let (wide, narrow) = (find(&models[0]), find(&models[1]));
    let table = compare(&[
        (names[0].as_str().unwrap(), &wide),
        (names[1].as_str().unwrap(), &narrow),
    ])
    .unwrap();
    let rows = expected["rows"].as_array().unwrap();
    for (ours, theirs) in table.rows.iter().zip(rows) {
        let name = theirs["name"].as_str().unwrap();
        assert_eq!(ours.name, name);
        assert_eq!(ours.rank as u64, theirs["rank"].as_u64().unwrap());
        close(
            &format!("{name} elpd"),
            ours.elpd,
            theirs["elpd"].as_f64().unwrap(),
        );
        close(
            &format!("{name} elpd_diff"),
            ours.elpd_diff,
            theirs["elpd_diff"].as_f64().unwrap(),
        );
        close(
            &format!("{name} dse"),
            ours.dse,
            theirs["dse"].as_f64().unwrap(),
        );
        match theirs["p_worse"].as_f64() {
            Some(p) => close(&format!("{name} p_worse"), ours.p_worse, p),
            None => assert!(ours.p_worse.is_nan()),
        }
        // ArviZ's weights come from SLSQP, which stops at a relative objective change of 1e-6;
        // ours iterate to 1e-12. Ours must score at least as well and lie close.
        let weight = theirs["weight"].as_f64().unwrap();
        assert!(
            (ours.weight - weight).abs() < 1e-3,
            "{name} weight {} vs {weight}",
            ours.weight
        );
    }
    let ranked: Vec<&Loo> = table
        .rows
        .iter()
        .map(|r| if r.name == "wide" { &wide } else { &narrow })
        .collect();
    let ours: Vec<f64> = table.rows.iter().map(|r| r.weight).collect();
    let theirs: Vec<f64> = rows.iter().map(|r| r["weight"].as_f64().unwrap()).collect();
    assert!(log_score(&ranked, &ours) >= log_score(&ranked, &theirs) - 1e-9);
}
