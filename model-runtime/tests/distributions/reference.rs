//! Log densities and special functions against `reference/log_prob.json`, written at 60 digits
//! by `reference/generate.py` (mpmath, cross-checked with scipy); cases held to another tolerance
//! are listed in [`EXCEPTIONS`] with the reason.

use std::collections::BTreeMap;

use model_runtime::distributions::*;
use model_runtime::special;
use model_runtime::value::PooledVec;
use serde_json::Value as Json;

/// Tolerance for typical parameters and values.
const TYPICAL_TOLERANCE: f64 = 1e-14;
/// Tolerance for far tails, extreme parameters and values next to support edges.
const TAIL_TOLERANCE: f64 = 1e-13;

/// Documented exceptions to the two tolerances: distribution, a fragment of its parameters as
/// written in the JSON, the tolerance it is held to instead, and why.
const EXCEPTIONS: [(&str, &str, f64, &str); 1] = [(
    "Binomial",
    r#""logits":-0.8472978603872037,"total_count":1000000000000"#,
    1e-11,
    "from logits, p = σ(ℓ) carries libm's rounding of e^-ℓ (about 1e-16 relative, which no \
     compensation recovers), and at n = 10¹² the log mass moves by |k - np| / (p(1 - p)) ≈ 5e6 \
     per unit of p: measured 5.2e-12 at k = np + 10⁶ (2.2 standard deviations); from probs, \
     which are exact, the same case is within 2.2e-16",
)];

pub(crate) fn reference() -> Json {
    serde_json::from_str(include_str!("../reference/log_prob.json")).expect("reference JSON parses")
}

pub(crate) fn param(case: &Json, name: &str) -> f64 {
    case["params"][name]
        .as_f64()
        .unwrap_or_else(|| panic!("{case}: no parameter {name}"))
}

/// The library's log density for one reference case.
fn log_prob_of(case: &Json) -> f64 {
    let p = |name| param(case, name);
    let x = || case["x"].as_f64().expect("real x");
    let count = || case["x"].as_u64().expect("count");
    match case["distribution"].as_str().expect("name") {
        "Normal" => Normal::new(p("loc"), p("scale")).unwrap().log_prob(&x()),
        "HalfNormal" => HalfNormal::new(p("scale")).unwrap().log_prob(&x()),
        "Cauchy" => Cauchy::new(p("loc"), p("scale")).unwrap().log_prob(&x()),
        "HalfCauchy" => HalfCauchy::new(p("scale")).unwrap().log_prob(&x()),
        "HalfStudentT" => HalfStudentT::new(p("df"), p("scale"))
            .unwrap()
            .log_prob(&x()),
        "StudentT" => StudentT::new(p("df"), p("loc"), p("scale"))
            .unwrap()
            .log_prob(&x()),
        "Exponential" => Exponential::new(p("rate")).unwrap().log_prob(&x()),
        "Gamma" => Gamma::new(p("concentration"), p("rate"))
            .unwrap()
            .log_prob(&x()),
        "LogNormal" => LogNormal::new(p("loc"), p("scale")).unwrap().log_prob(&x()),
        "Beta" => Beta::new(p("concentration1"), p("concentration0"))
            .unwrap()
            .log_prob(&x()),
        "Uniform" => Uniform::new(p("low"), p("high")).unwrap().log_prob(&x()),
        "VonMises" => VonMises::new(p("loc"), p("concentration"))
            .unwrap()
            .log_prob(&x()),
        "Laplace" => Laplace::new(p("loc"), p("scale")).unwrap().log_prob(&x()),
        "Logistic" => Logistic::new(p("loc"), p("scale")).unwrap().log_prob(&x()),
        "Gumbel" => Gumbel::new(p("loc"), p("scale")).unwrap().log_prob(&x()),
        "InverseGamma" => InverseGamma::new(p("concentration"), p("rate"))
            .unwrap()
            .log_prob(&x()),
        "Weibull" => Weibull::new(p("scale"), p("concentration"))
            .unwrap()
            .log_prob(&x()),
        "Pareto" => Pareto::new(p("scale"), p("alpha")).unwrap().log_prob(&x()),
        "Chi2" => Chi2::new(p("df")).unwrap().log_prob(&x()),
        "TruncatedNormal" => truncated_normal(case).log_prob(&x()),
        "SkewNormal" => SkewNormal::new(p("loc"), p("scale"), p("skewness"))
            .unwrap()
            .log_prob(&x()),
        "Bernoulli" => {
            let d = match case["params"].get("probs") {
                Some(probs) => Bernoulli::new(probs.as_f64().unwrap()),
                None => Bernoulli::from_logits(p("logits")),
            };
            d.unwrap()
                .log_prob(&case["x"].as_bool().expect("boolean x"))
        }
        "Poisson" => Poisson::new(p("rate"))
            .unwrap()
            .log_prob(&case["x"].as_u64().expect("count")),
        "Binomial" => {
            let n = count_param(case, "total_count");
            let d = match case["params"].get("probs") {
                Some(probs) => Binomial::new(n, probs.as_f64().unwrap()),
                None => Binomial::from_logits(n, p("logits")),
            };
            d.unwrap().log_prob(&count())
        }
        "BetaBinomial" => BetaBinomial::new(
            p("concentration1"),
            p("concentration0"),
            count_param(case, "total_count"),
        )
        .unwrap()
        .log_prob(&count()),
        "NegativeBinomial2" => NegativeBinomial2::new(p("mean"), p("concentration"))
            .unwrap()
            .log_prob(&count()),
        "Geometric" => {
            let d = match case["params"].get("probs") {
                Some(probs) => Geometric::new(probs.as_f64().unwrap()),
                None => Geometric::from_logits(p("logits")),
            };
            d.unwrap().log_prob(&count())
        }
        "Categorical" => {
            let list = |name: &str| -> Option<Vec<f64>> {
                let values = case["params"].get(name)?.as_array().expect("a list");
                Some(values.iter().map(|v| v.as_f64().unwrap()).collect())
            };
            let d = match list("probs") {
                Some(probs) => Categorical::new(probs),
                None => Categorical::from_logits(list("logits").expect("probs or logits")),
            };
            d.unwrap().log_prob(&count())
        }
        "Delta" => Delta::new(p("value")).unwrap().log_prob(&x()),
        "Multinomial" => {
            let n = count_param(case, "total_count");
            let d = match case["params"].get("probs") {
                Some(_) => Multinomial::new(n, list_param(case, "probs")),
                None => Multinomial::from_logits(n, list_param(case, "logits")),
            };
            let x: Vec<u64> = case["x"]
                .as_array()
                .expect("counts")
                .iter()
                .map(|k| k.as_u64().expect("a count"))
                .collect();
            d.unwrap().log_prob(&PooledVec::from_slice(&x))
        }
        "LKJCholesky" => {
            LKJCholesky::new(count_param(case, "dimension") as usize, p("concentration"))
                .unwrap()
                .log_prob(&PooledVec::from_slice(&list(&case["x"])))
        }
        "ProjectedNormal" => ProjectedNormal::new(list_param(case, "concentration"))
            .unwrap()
            .log_prob(&PooledVec::from_slice(&list(&case["x"]))),
        "Mixture" => mixture_log_prob(case),
        "Dirichlet" => Dirichlet::new(list_param(case, "concentration"))
            .unwrap()
            .log_prob(&PooledVec::from_slice(&list(&case["x"]))),
        other => panic!("no such distribution in the reference: {other}"),
    }
}

/// The log density of a reference mixture, whose components are all of one family.
fn mixture_log_prob(case: &Json) -> f64 {
    let components = case["params"]["components"].as_array().expect("components");
    let family = components[0]["family"].as_str().expect("a family");
    let number = |c: &Json, name: &str| c[name].as_f64().unwrap();
    fn build<D: Family<Scalar = f64, At<f64> = D>>(case: &Json, components: Vec<D>) -> Mixture<D> {
        match case["params"].get("weights") {
            Some(w) => Mixture::<D>::new(list(w), components),
            None => Mixture::<D>::from_logits(list_param(case, "logits"), components),
        }
        .unwrap()
    }
    match family {
        "Normal" => {
            let c = components
                .iter()
                .map(|c| Normal::new(number(c, "loc"), number(c, "scale")).unwrap())
                .collect();
            build(case, c).log_prob(&case["x"].as_f64().unwrap())
        }
        "Gamma" => {
            let c = components
                .iter()
                .map(|c| Gamma::new(number(c, "concentration"), number(c, "rate")).unwrap())
                .collect();
            build(case, c).log_prob(&case["x"].as_f64().unwrap())
        }
        "Poisson" => {
            let c = components
                .iter()
                .map(|c| Poisson::new(number(c, "rate")).unwrap())
                .collect();
            build(case, c).log_prob(&case["x"].as_u64().unwrap())
        }
        other => panic!("no mixture of {other} in the reference"),
    }
}

/// A JSON array of numbers.
fn list(value: &Json) -> Vec<f64> {
    let values = value
        .as_array()
        .unwrap_or_else(|| panic!("{value}: not a list"));
    values
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect()
}

/// A parameter that is a list of numbers.
fn list_param(case: &Json, name: &str) -> Vec<f64> {
    list(&case["params"][name])
}

fn count_param(case: &Json, name: &str) -> u64 {
    case["params"][name]
        .as_u64()
        .unwrap_or_else(|| panic!("{case}: no count parameter {name}"))
}

/// The truncated normal of a reference case; `low` or `high` may be absent.
pub(crate) fn truncated_normal(case: &Json) -> TruncatedNormal {
    let (loc, scale) = (param(case, "loc"), param(case, "scale"));
    let bound = |name: &str| case["params"].get(name).map(|v| v.as_f64().unwrap());
    match (bound("low"), bound("high")) {
        (Some(low), Some(high)) => TruncatedNormal::new(loc, scale, low, high),
        (Some(low), None) => TruncatedNormal::lower(loc, scale, low),
        (None, Some(high)) => TruncatedNormal::upper(loc, scale, high),
        (None, None) => panic!("{case}: a truncated normal needs a bound"),
    }
    .unwrap()
}

/// `|a - b| / max(1, |b|)`: relative error, and for `|log p| < 1` the absolute error of `log p`,
/// which is the relative error of the density itself.
fn log_prob_error(actual: f64, expected: f64) -> f64 {
    if actual == expected {
        return 0.0;
    }
    (actual - expected).abs() / expected.abs().max(1.0)
}

#[test]
fn log_prob_matches_reference() {
    let reference = reference();
    let mut worst: BTreeMap<(String, String), (f64, String)> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in reference["log_prob"].as_array().unwrap() {
        let name = case["distribution"].as_str().unwrap().to_owned();
        let class = case["class"].as_str().unwrap().to_owned();
        let expected = case["log_prob"].as_f64().unwrap();
        let actual = log_prob_of(case);
        let error = log_prob_error(actual, expected);
        let params = case["params"].to_string();
        let exception = EXCEPTIONS.iter().find(|(distribution, fragment, _, _)| {
            *distribution == name && params.contains(fragment)
        });
        let tolerance = match exception {
            Some((_, _, tolerance, _)) => *tolerance,
            None if class == "typical" => TYPICAL_TOLERANCE,
            None => TAIL_TOLERANCE,
        };
        if error.is_nan() || error > tolerance {
            failures.push(format!(
                "{case}: got {actual}, error {error:.1e} > {tolerance:.0e}"
            ));
        }
        // Documented exceptions get rows of their own, so the others' worst stays visible.
        let row = if exception.is_some() {
            "excepted".to_owned()
        } else {
            class
        };
        let entry = worst.entry((name, row)).or_insert((0.0, String::new()));
        if error >= entry.0 {
            let mut params = params;
            if params.len() > 90 {
                params.truncate(87);
                params.push_str("...");
            }
            let mut x = case["x"].to_string();
            if x.len() > 90 {
                x.truncate(87);
                x.push_str("...");
            }
            *entry = (error, format!("{params} x={x}"));
        }
    }
    println!("worst error per distribution (|a - b| / max(1, |b|)):");
    for ((name, class), (error, at)) in &worst {
        println!("  {name:18} {class:8} {error:8.1e}  at {at}");
    }
    assert!(
        failures.is_empty(),
        "log_prob differs from the reference:\n{}",
        failures.join("\n")
    );
}

#[test]
fn special_functions_match_reference() {
    let reference = reference();
    type Function = fn(f64) -> f64;
    // Chebyshev sums of about 30 terms: a few ulps. erfcx multiplies libm's erfc (about 1 ulp) by
    // an exponential, and ln_ndtr takes the log of erfcx or erfc.
    let functions: [(&str, Function, f64); 5] = [
        ("i0e", special::i0e, 2e-15),
        ("i1e", special::i1e, 2e-15),
        ("ln_i0", special::ln_i0, 2e-15),
        ("erfcx", special::erfcx, 2e-15),
        ("ln_ndtr", special::ln_ndtr::<f64>, 2e-15),
    ];
    let mut failures = Vec::new();
    for (name, function, tolerance) in functions {
        let mut worst = (0.0_f64, 0.0);
        for pair in reference["special"][name].as_array().unwrap() {
            let (x, expected) = (pair[0].as_f64().unwrap(), pair[1].as_f64().unwrap());
            let actual = function(x);
            let error = if expected == 0.0 {
                actual.abs()
            } else {
                ((actual - expected) / expected).abs()
            };
            if error > worst.0 {
                worst = (error, x);
            }
            if error.is_nan() || error > tolerance {
                failures.push(format!(
                    "{name}({x}) = {actual}, expected {expected} ({error:.1e})"
                ));
            }
        }
        println!(
            "{name:6} worst relative error {:.1e} at x = {}",
            worst.0, worst.1
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
