//! Distributions against reference values and their samplers against their distributions.
//!
//! - log densities and special functions against `reference/log_prob.json`, written at 60 digits
//!   by `reference/generate.py` (mpmath, cross-checked with scipy);
//! - every continuous sampler against its CDF by a Kolmogorov–Smirnov test, the discrete ones by
//!   chi-square goodness of fit, and sample moments against `mean()`/`variance()`;
//! - constructors, supports and value kinds.
//!
//! All random tests use fixed seeds, so a failure reproduces exactly; the critical values are at
//! α = 0.001, and negative controls check that the tests can fail.
//!
//! `cargo test -p model-runtime --test distributions log_prob_matches -- --nocapture` prints the
//! worst error per distribution; cases held to another tolerance are listed in [`EXCEPTIONS`]
//! with the reason.

use std::collections::BTreeMap;
use std::f64::consts::PI;

use model_runtime::Support;
use model_runtime::distributions::*;
use model_runtime::special;
use model_runtime::value::Values;
use model_runtime::value::{Boolean, Count, Real, Reals, ValueKind};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde_json::Value as Json;
use statrs::distribution::{ContinuousCDF, Discrete, DiscreteCDF};

// ---------------------------------------------------------------------------------------------
// Reference values
// ---------------------------------------------------------------------------------------------

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

fn reference() -> Json {
    serde_json::from_str(include_str!("reference/log_prob.json")).expect("reference JSON parses")
}

fn param(case: &Json, name: &str) -> f64 {
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
            d.unwrap().log_prob(&Values::from_slice(&x))
        }
        "LKJCholesky" => {
            LKJCholesky::new(count_param(case, "dimension") as usize, p("concentration"))
                .unwrap()
                .log_prob(&Values::from_slice(&list(&case["x"])))
        }
        "ProjectedNormal" => ProjectedNormal::new(list_param(case, "concentration"))
            .unwrap()
            .log_prob(&Values::from_slice(&list(&case["x"]))),
        "Mixture" => mixture_log_prob(case),
        "Dirichlet" => Dirichlet::new(list_param(case, "concentration"))
            .unwrap()
            .log_prob(&Values::from_slice(&list(&case["x"]))),
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
fn truncated_normal(case: &Json) -> TruncatedNormal {
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

// ---------------------------------------------------------------------------------------------
// Kolmogorov–Smirnov tests of the continuous samplers
// ---------------------------------------------------------------------------------------------

const DRAWS: usize = 20_000;

/// The Kolmogorov–Smirnov statistic `sup |F_n(x) - F(x)|` of `draws` against `cdf`.
///
/// The draws are sorted first and `cdf` is called on them in increasing order, so a CDF that
/// integrates a density can carry its running integral from one call to the next.
fn ks_statistic(mut draws: Vec<f64>, mut cdf: impl FnMut(f64) -> f64) -> f64 {
    draws.sort_by(f64::total_cmp);
    let n = draws.len() as f64;
    let mut statistic = 0.0_f64;
    for (i, &x) in draws.iter().enumerate() {
        let f = cdf(x);
        statistic = statistic.max(f - i as f64 / n).max((i + 1) as f64 / n - f);
    }
    statistic
}

/// The asymptotic critical value of the KS statistic at α = 0.001.
fn ks_critical_value(n: usize) -> f64 {
    1.95 / (n as f64).sqrt()
}

fn draws<D>(distribution: &D, seed: u64, n: usize) -> Vec<f64>
where
    D: Distribution<Scalar = f64, Kind = Real>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| distribution.sample(&mut rng).expect("samplable"))
        .collect()
}

fn assert_ks<D>(distribution: D, seed: u64, cdf: impl FnMut(f64) -> f64)
where
    D: Distribution<Scalar = f64, Kind = Real>,
{
    let statistic = ks_statistic(draws(&distribution, seed, DRAWS), cdf);
    let critical = ks_critical_value(DRAWS);
    assert!(
        statistic < critical,
        "{distribution:?}: KS statistic {statistic:.4} >= {critical:.4}"
    );
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

#[test]
fn ks_normal() {
    assert_ks(Normal::new(1.0, 2.0).unwrap(), 1, |x| {
        normal_cdf((x - 1.0) / 2.0)
    });
}

#[test]
fn ks_half_normal() {
    assert_ks(HalfNormal::new(1.5).unwrap(), 2, |x| {
        libm::erf(x / (1.5 * std::f64::consts::SQRT_2))
    });
}

#[test]
fn ks_cauchy_and_half_cauchy() {
    assert_ks(Cauchy::new(-1.0, 0.5).unwrap(), 3, |x| {
        0.5 + ((x + 1.0) / 0.5).atan() / PI
    });
    assert_ks(HalfCauchy::new(2.0).unwrap(), 4, |x| {
        2.0 / PI * (x / 2.0).atan()
    });
}

#[test]
fn ks_student_t() {
    for (seed, (df, loc, scale)) in [(0.5, 1.0, 2.0), (4.5, 0.0, 1.0), (50.0, -2.0, 3.0)]
        .into_iter()
        .enumerate()
    {
        let t = statrs::distribution::StudentsT::new(loc, scale, df).unwrap();
        assert_ks(
            StudentT::new(df, loc, scale).unwrap(),
            10 + seed as u64,
            |x| t.cdf(x),
        );
    }
}

#[test]
fn ks_exponential() {
    assert_ks(Exponential::new(2.5).unwrap(), 5, |x| -(-2.5 * x).exp_m1());
}

#[test]
fn ks_gamma() {
    for (seed, (a, b)) in [(0.05, 3.0), (0.7, 1.0), (3.0, 0.5), (1e4, 0.5)]
        .into_iter()
        .enumerate()
    {
        let g = statrs::distribution::Gamma::new(a, b).unwrap();
        assert_ks(Gamma::new(a, b).unwrap(), 20 + seed as u64, |x| g.cdf(x));
    }
}

#[test]
fn ks_log_normal() {
    assert_ks(LogNormal::new(0.5, 0.8).unwrap(), 6, |x| {
        normal_cdf((x.ln() - 0.5) / 0.8)
    });
}

#[test]
fn ks_beta() {
    // Not Beta(0.05, 0.05): 8% of its mass lies within 2^-53 of 1, so 8% of the draws are exactly
    // 1.0, an atom that any KS test rejects (double resolution, not the sampler; near 0 doubles
    // are fine, hence Beta(0.05, 2)).
    let cases = [(2.0, 3.0), (0.5, 0.5), (0.2, 0.2), (0.05, 2.0), (1e3, 50.0)];
    for (seed, (a, b)) in cases.into_iter().enumerate() {
        let d = statrs::distribution::Beta::new(a, b).unwrap();
        assert_ks(Beta::new(a, b).unwrap(), 30 + seed as u64, |x| d.cdf(x));
    }
}

#[test]
fn ks_uniform() {
    assert_ks(Uniform::new(-2.0, 5.0).unwrap(), 7, |x| (x + 2.0) / 7.0);
}

#[test]
fn ks_laplace_logistic_and_gumbel() {
    assert_ks(Laplace::new(1.0, 2.0).unwrap(), 100, |x| {
        let z = (x - 1.0) / 2.0;
        if z < 0.0 {
            0.5 * z.exp()
        } else {
            1.0 - 0.5 * (-z).exp()
        }
    });
    assert_ks(Logistic::new(-1.0, 0.5).unwrap(), 101, |x| {
        special::sigmoid((x + 1.0) / 0.5)
    });
    assert_ks(Gumbel::new(0.5, 2.0).unwrap(), 102, |x| {
        (-(-(x - 0.5) / 2.0).exp()).exp()
    });
}

#[test]
fn ks_inverse_gamma() {
    for (seed, (a, b)) in [(0.7, 1.0), (3.0, 2.0), (1e4, 0.5)].into_iter().enumerate() {
        assert_ks(InverseGamma::new(a, b).unwrap(), 103 + seed as u64, |x| {
            statrs::function::gamma::gamma_ur(a, b / x)
        });
    }
}

#[test]
fn ks_weibull() {
    for (seed, (scale, k)) in [(1.0, 0.5), (2.0, 3.0), (1e-3, 40.0)]
        .into_iter()
        .enumerate()
    {
        assert_ks(Weibull::new(scale, k).unwrap(), 106 + seed as u64, |x| {
            -(-(x / scale).powf(k)).exp_m1()
        });
    }
}

#[test]
fn ks_pareto() {
    for (seed, (scale, alpha)) in [(1.0, 3.0), (2.0, 0.5), (1e-5, 50.0)]
        .into_iter()
        .enumerate()
    {
        assert_ks(Pareto::new(scale, alpha).unwrap(), 109 + seed as u64, |x| {
            -(alpha * (scale / x).ln()).exp_m1()
        });
    }
}

#[test]
fn ks_chi2() {
    for (seed, df) in [0.5, 3.0, 1e4].into_iter().enumerate() {
        let d = statrs::distribution::ChiSquared::new(df).unwrap();
        assert_ks(Chi2::new(df).unwrap(), 112 + seed as u64, |x| d.cdf(x));
    }
}

/// The von Mises CDF on `[-π, π)`, by integrating the density from `-π`; called at increasing
/// points, it integrates only from the previous point.
///
/// Composite 8-point Gauss–Legendre on pieces no wider than a fifth of the peak's width
/// `1/√κ`, normalized by the same integral over the whole circle (so it needs no Bessel
/// function); checked against mpmath in `cdf_oracles_match_reference`.
struct VonMisesCdf {
    loc: f64,
    kappa: f64,
    piece: f64,
    at: f64,
    integral: f64,
    total: f64,
}

impl VonMisesCdf {
    fn new(loc: f64, kappa: f64) -> Self {
        let piece = if kappa > 1.0 {
            0.2 / kappa.sqrt()
        } else {
            0.05
        };
        let mut cdf = VonMisesCdf {
            loc,
            kappa,
            piece,
            at: -PI,
            integral: 0.0,
            total: 1.0,
        };
        cdf.total = cdf.integrate(-PI, PI);
        cdf
    }

    fn at(&mut self, x: f64) -> f64 {
        assert!(x >= self.at, "points must increase");
        self.integral += self.integrate(self.at, x);
        self.at = x;
        self.integral / self.total
    }

    fn integrate(&self, a: f64, b: f64) -> f64 {
        const NODES: [f64; 4] = [
            0.183_434_642_495_649_8,
            0.525_532_409_916_329,
            0.796_666_477_413_626_7,
            0.960_289_856_497_536_3,
        ];
        const WEIGHTS: [f64; 4] = [
            0.362_683_783_378_362,
            0.313_706_645_877_887_3,
            0.222_381_034_453_374_5,
            0.101_228_536_290_376_3,
        ];
        let pieces = ((b - a) / self.piece).ceil().max(1.0);
        let h = (b - a) / pieces;
        let density = |t: f64| (self.kappa * ((t - self.loc).cos() - 1.0)).exp();
        let mut sum = 0.0;
        for i in 0..pieces as usize {
            let mid = a + (i as f64 + 0.5) * h;
            for (node, weight) in NODES.iter().zip(WEIGHTS) {
                sum += weight * (density(mid - 0.5 * h * node) + density(mid + 0.5 * h * node));
            }
        }
        sum * 0.5 * h
    }
}

#[test]
fn ks_von_mises_including_wrapping_and_large_concentration() {
    // loc near ±π makes a good share of the draws wrap around.
    let cases = [
        (0.0, 0.5),
        (PI - 0.05, 4.0),
        (-3.1, 700.0),
        (1.0, 1e7),
        (0.3, 0.0),
        (2.0, 1e-8),
    ];
    for (seed, (loc, kappa)) in cases.into_iter().enumerate() {
        let d = VonMises::new(loc, kappa).unwrap();
        let x = draws(&d, 40 + seed as u64, DRAWS);
        assert!(
            x.iter().all(|v| (-PI..PI).contains(v)),
            "{d:?}: a draw outside [-π, π)"
        );
        let mut cdf = VonMisesCdf::new(loc, kappa);
        let statistic = ks_statistic(x, |v| cdf.at(v));
        assert!(
            statistic < ks_critical_value(DRAWS),
            "{d:?}: KS statistic {statistic:.4}"
        );
    }
}

#[test]
fn cdf_oracles_match_reference() {
    // The CDFs the KS tests use are themselves checked against mpmath.
    for case in reference()["cdf"].as_array().unwrap() {
        let p = |name| param(case, name);
        let x = case["x"].as_f64().unwrap();
        let expected = case["cdf"].as_f64().unwrap();
        let actual = match case["distribution"].as_str().unwrap() {
            "VonMises" => VonMisesCdf::new(p("loc"), p("concentration")).at(x),
            "Gamma" => statrs::distribution::Gamma::new(p("concentration"), p("rate"))
                .unwrap()
                .cdf(x),
            "Beta" => statrs::distribution::Beta::new(p("concentration1"), p("concentration0"))
                .unwrap()
                .cdf(x),
            "StudentT" => statrs::distribution::StudentsT::new(p("loc"), p("scale"), p("df"))
                .unwrap()
                .cdf(x),
            "TruncatedNormal" => {
                let d = truncated_normal(case);
                truncated_normal_cdf(d.low(), d.high(), p("loc"), p("scale"))(x)
            }
            "SkewNormal" => SkewNormalCdf::new(p("loc"), p("scale"), p("skewness")).at(x),
            other => panic!("no CDF oracle for {other}"),
        };
        // A KS test at n = 20000 resolves about 1e-2; 1e-9 leaves a wide margin.
        assert!(
            (actual - expected).abs() < 1e-9,
            "{case}: oracle gives {actual}"
        );
    }
}

/// The CDF of a normal truncated to `[low, high]` (either may be absent). On the side of the mode
/// away from both bounds it is `(Φ(z) - Φ(α)) / (Φ(β) - Φ(α))` from `erfc`; in a tail it is
/// written with ratios of upper-tail probabilities `Q(t)/Q(α) = e^(-(t² - α²)/2) erfcx(t/√2) /
/// erfcx(α/√2)`, which neither underflow nor cancel. Checked against mpmath in
/// `cdf_oracles_match_reference`.
fn truncated_normal_cdf(
    low: Option<f64>,
    high: Option<f64>,
    loc: f64,
    scale: f64,
) -> impl Fn(f64) -> f64 {
    let a = low.map_or(f64::NEG_INFINITY, |l| (l - loc) / scale);
    let b = high.map_or(f64::INFINITY, |h| (h - loc) / scale);
    // Q(t) / Q(s) for 0 ≤ s ≤ t (t may be +∞).
    let tail_ratio = |t: f64, s: f64| {
        if t == f64::INFINITY {
            0.0
        } else {
            (-0.5 * (t - s) * (t + s)).exp() * special::erfcx(t / std::f64::consts::SQRT_2)
                / special::erfcx(s / std::f64::consts::SQRT_2)
        }
    };
    move |x: f64| {
        let z = ((x - loc) / scale).clamp(a, b);
        if a >= 0.0 {
            (1.0 - tail_ratio(z, a)) / (1.0 - tail_ratio(b, a))
        } else if b <= 0.0 {
            // Mirror image: P(X ≤ x) = P(-X ≥ -x), with -X truncated to [-b, -a].
            tail_ratio(-z, -b) * (1.0 - tail_ratio(-a, -z)) / (1.0 - tail_ratio(-a, -b))
        } else {
            (normal_cdf(z) - normal_cdf(a)) / (normal_cdf(b) - normal_cdf(a))
        }
    }
}

/// The skew-normal CDF by integrating its density `2 φ(z) Φ(αz) / ω` from 40 standard units
/// below the location, with the same incremental Gauss–Legendre rule as [`VonMisesCdf`];
/// checked against mpmath in `cdf_oracles_match_reference`.
struct SkewNormalCdf {
    loc: f64,
    scale: f64,
    skewness: f64,
    at: f64,
    integral: f64,
}

impl SkewNormalCdf {
    fn new(loc: f64, scale: f64, skewness: f64) -> Self {
        SkewNormalCdf {
            loc,
            scale,
            skewness,
            at: -40.0,
            integral: 0.0,
        }
    }

    fn at(&mut self, x: f64) -> f64 {
        let z = (x - self.loc) / self.scale;
        assert!(z >= self.at, "points must increase");
        let density = |t: f64| 2.0 * (-0.5 * t * t).exp() * normal_cdf(self.skewness * t);
        let pieces = ((z - self.at) / 0.02).ceil().max(1.0);
        let h = (z - self.at) / pieces;
        let mut sum = 0.0;
        for i in 0..pieces as usize {
            let mid = self.at + (i as f64 + 0.5) * h;
            for (node, weight) in GAUSS_LEGENDRE_NODES.iter().zip(GAUSS_LEGENDRE_WEIGHTS) {
                sum += weight * (density(mid - 0.5 * h * node) + density(mid + 0.5 * h * node));
            }
        }
        self.integral += sum * 0.5 * h / (2.0 * PI).sqrt();
        self.at = z;
        self.integral
    }
}

/// The 8-point Gauss–Legendre rule on `[-1, 1]`, nodes and weights of the positive half.
const GAUSS_LEGENDRE_NODES: [f64; 4] = [
    0.183_434_642_495_649_8,
    0.525_532_409_916_329,
    0.796_666_477_413_626_7,
    0.960_289_856_497_536_3,
];
const GAUSS_LEGENDRE_WEIGHTS: [f64; 4] = [
    0.362_683_783_378_362,
    0.313_706_645_877_887_3,
    0.222_381_034_453_374_5,
    0.101_228_536_290_376_3,
];

#[test]
fn ks_truncated_normal_including_far_tails_and_narrow_intervals() {
    // (loc, scale, low, high): around the mode, one-sided on either side of it, 30 and 1000
    // standard deviations out, and an interval 1e-4 wide in the tail.
    let cases = [
        (0.5, 2.0, Some(-1.0), Some(3.0)),
        (-1.0, 0.5, Some(0.0), None),
        (2.0, 3.0, None, Some(4.0)),
        (0.0, 1.0, Some(30.0), None),
        (1.0, 1.0, None, Some(-29.0)),
        (0.0, 1.0, Some(5.0), Some(5.0001)),
        (0.0, 1.0, Some(1000.0), Some(1000.01)),
        (0.0, 1.0, Some(-0.1), Some(0.2)),
        (0.0, 1.0, Some(-4.0), Some(5.0)),
        (0.0, 1.0, Some(0.5), Some(0.6)),
    ];
    for (seed, (loc, scale, low, high)) in cases.into_iter().enumerate() {
        let d = match (low, high) {
            (Some(l), Some(h)) => TruncatedNormal::new(loc, scale, l, h),
            (Some(l), None) => TruncatedNormal::lower(loc, scale, l),
            (None, Some(h)) => TruncatedNormal::upper(loc, scale, h),
            (None, None) => unreachable!(),
        }
        .unwrap();
        let x = draws(&d, 130 + seed as u64, DRAWS);
        assert!(
            x.iter()
                .all(|&v| low.is_none_or(|l| v >= l) && high.is_none_or(|h| v <= h)),
            "{d:?}: a draw outside the interval"
        );
        let statistic = ks_statistic(x, truncated_normal_cdf(low, high, loc, scale));
        assert!(
            statistic < ks_critical_value(DRAWS),
            "{d:?}: KS statistic {statistic:.4}"
        );
    }
}

#[test]
fn ks_skew_normal() {
    let cases = [
        (1.0, 2.0, 3.0),
        (0.0, 1.0, -8.0),
        (-2.0, 0.5, 0.5),
        (0.0, 1.0, 1e300),
    ];
    for (seed, (loc, scale, skewness)) in cases.into_iter().enumerate() {
        let d = SkewNormal::new(loc, scale, skewness).unwrap();
        let mut cdf = SkewNormalCdf::new(loc, scale, skewness);
        assert_ks(d, 140 + seed as u64, |x| cdf.at(x));
    }
}

#[test]
fn ks_test_rejects_wrong_samplers() {
    // A standard deviation 10% too large.
    let statistic = ks_statistic(draws(&Normal::new(0.0, 1.1).unwrap(), 8, DRAWS), normal_cdf);
    assert!(
        statistic > ks_critical_value(DRAWS),
        "KS failed to reject: {statistic}"
    );
    // The normal approximation of a sharp von Mises with standard deviation 1/κ instead of 1/√κ.
    let kappa = 700.0;
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let wrong: Vec<f64> = (0..DRAWS)
        .map(|_| {
            Normal::new(0.0, 1.0 / kappa)
                .unwrap()
                .sample(&mut rng)
                .unwrap()
        })
        .collect();
    let mut cdf = VonMisesCdf::new(0.0, kappa);
    let statistic = ks_statistic(wrong, |v| cdf.at(v));
    assert!(
        statistic > ks_critical_value(DRAWS),
        "KS failed to reject: {statistic}"
    );
}

// ---------------------------------------------------------------------------------------------
// Chi-square tests of the discrete samplers
// ---------------------------------------------------------------------------------------------

/// Pearson's statistic for `counts` against `probabilities` (which sum to 1), and its critical
/// value at α = 0.001.
fn chi_square(counts: &[u64], probabilities: &[f64]) -> (f64, f64) {
    let n: u64 = counts.iter().sum();
    let statistic = counts
        .iter()
        .zip(probabilities)
        .map(|(&o, &p)| {
            let e = n as f64 * p;
            (o as f64 - e).powi(2) / e
        })
        .sum();
    let df = (counts.len() - 1) as f64;
    let critical = statrs::distribution::ChiSquared::new(df)
        .unwrap()
        .inverse_cdf(0.999);
    (statistic, critical)
}

#[test]
fn chi_square_bernoulli() {
    let cases = [
        Bernoulli::new(0.3).unwrap(),
        Bernoulli::from_logits(-2.0).unwrap(),
        Bernoulli::new(2e-3).unwrap(),
    ];
    for (seed, d) in cases.into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(50 + seed as u64);
        let successes = (0..DRAWS).filter(|_| d.sample(&mut rng).unwrap()).count() as u64;
        let p = d.probs();
        let (statistic, critical) =
            chi_square(&[DRAWS as u64 - successes, successes], &[1.0 - p, p]);
        assert!(
            statistic < critical,
            "{d:?}: chi-square {statistic:.2} >= {critical:.2}"
        );
    }
}

#[test]
fn chi_square_poisson() {
    for (seed, rate) in [0.1, 3.5, 40.0, 2000.0].into_iter().enumerate() {
        let d = Poisson::new(rate).unwrap();
        let reference = statrs::distribution::Poisson::new(rate).unwrap();
        // Bins [edges[i], edges[i + 1]) of consecutive counts, the last one [edges[last], ∞),
        // each with an expected count of at least 20.
        let expected = |p: f64| p * DRAWS as f64;
        let (mut edges, mut probabilities) = (vec![0_u64], Vec::new());
        let (mut k, mut mass) = (0_u64, 0.0);
        loop {
            mass += reference.pmf(k);
            k += 1;
            if expected(reference.sf(k - 1)) < 20.0 {
                break; // what is left joins the current bin, the last one
            }
            if expected(mass) >= 20.0 {
                probabilities.push(mass);
                edges.push(k);
                mass = 0.0;
            }
        }
        probabilities.push(1.0 - probabilities.iter().sum::<f64>());
        let mut counts = vec![0_u64; probabilities.len()];
        let mut rng = ChaCha8Rng::seed_from_u64(60 + seed as u64);
        for _ in 0..DRAWS {
            let k = d.sample(&mut rng).unwrap();
            let bin = edges.partition_point(|&edge| edge <= k) - 1;
            counts[bin] += 1;
        }
        let (statistic, critical) = chi_square(&counts, &probabilities);
        assert!(
            statistic < critical,
            "Poisson({rate}): chi-square {statistic:.2} >= {critical:.2}"
        );
    }
}

/// Draws `DRAWS` counts from `d` and tests them against `pmf` by chi-square.
fn assert_chi_square<D>(d: &D, seed: u64, pmf: impl Fn(u64) -> f64)
where
    D: Distribution<Scalar = f64, Kind = Count>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let draws: Vec<u64> = (0..DRAWS).map(|_| d.sample(&mut rng).unwrap()).collect();
    assert_chi_square_of_counts(&format!("{d:?}"), &draws, pmf);
}

/// Tests counts against `pmf` by chi-square, on bins of consecutive counts with expected counts
/// of at least 20 (the last bin takes the whole tail).
fn assert_chi_square_of_counts(name: &str, draws: &[u64], pmf: impl Fn(u64) -> f64) {
    let expected = |p: f64| p * draws.len() as f64;
    let (mut edges, mut probabilities) = (vec![0_u64], Vec::new());
    let (mut k, mut mass, mut cumulative) = (0_u64, 0.0, 0.0);
    loop {
        let p = pmf(k);
        mass += p;
        cumulative += p;
        k += 1;
        if expected(1.0 - cumulative) < 20.0 {
            break; // what is left joins the current bin, the last one
        }
        if expected(mass) >= 20.0 {
            probabilities.push(mass);
            edges.push(k);
            mass = 0.0;
        }
    }
    probabilities.push(1.0 - probabilities.iter().sum::<f64>());
    let mut counts = vec![0_u64; probabilities.len()];
    for &k in draws {
        counts[edges.partition_point(|&edge| edge <= k) - 1] += 1;
    }
    let (statistic, critical) = chi_square(&counts, &probabilities);
    assert!(
        statistic < critical,
        "{name}: chi-square {statistic:.2} >= {critical:.2} over {} bins",
        counts.len()
    );
}

#[test]
fn chi_square_binomial() {
    // Inversion (BINV) and BTPE regimes of rand_distr's sampler, probabilities and logits.
    let cases = [
        (10, Binomial::new(10, 0.3).unwrap()),
        (20, Binomial::from_logits(20, -1.5).unwrap()),
        (1000, Binomial::new(1000, 0.5).unwrap()),
        (5, Binomial::new(5, 0.999).unwrap()),
        (100_000, Binomial::from_logits(100_000, -7.0).unwrap()),
    ];
    for (seed, (n, d)) in cases.into_iter().enumerate() {
        let reference = statrs::distribution::Binomial::new(d.probs(), n).unwrap();
        assert_chi_square(&d, 160 + seed as u64, |k| reference.pmf(k));
    }
}

#[test]
fn chi_square_beta_binomial() {
    // statrs has no beta-binomial; the probabilities are the library's own log masses, which
    // `log_prob_matches_reference` checks against mpmath.
    let cases = [
        (2.0, 3.0, 10),
        (0.5, 0.5, 30),
        (50.0, 20.0, 200),
        (0.05, 2.0, 1000),
    ];
    for (seed, (a, b, n)) in cases.into_iter().enumerate() {
        let d = BetaBinomial::new(a, b, n).unwrap();
        assert_chi_square(&d, 170 + seed as u64, |k| d.log_prob(&k).exp());
    }
}

#[test]
fn chi_square_negative_binomial2() {
    let cases = [(3.5, 2.0), (100.0, 0.5), (10.0, 1e6), (0.2, 0.05)];
    for (seed, (mean, concentration)) in cases.into_iter().enumerate() {
        let d = NegativeBinomial2::new(mean, concentration).unwrap();
        let reference = statrs::distribution::NegativeBinomial::new(
            concentration,
            concentration / (concentration + mean),
        )
        .unwrap();
        assert_chi_square(&d, 180 + seed as u64, |k| reference.pmf(k));
    }
}

#[test]
fn chi_square_geometric() {
    let cases = [
        Geometric::new(0.3).unwrap(),
        Geometric::new(0.9).unwrap(),
        Geometric::from_logits(-2.0).unwrap(),
        Geometric::new(1e-3).unwrap(),
    ];
    for (seed, d) in cases.into_iter().enumerate() {
        // statrs counts trials, from 1.
        let reference = statrs::distribution::Geometric::new(d.probs()).unwrap();
        assert_chi_square(&d, 190 + seed as u64, |k| reference.pmf(k + 1));
    }
}

#[test]
fn chi_square_categorical() {
    let probs = [0.2, 0.3, 0.5];
    let d = Categorical::new(probs).unwrap();
    assert_chi_square(&d, 200, |k| probs.get(k as usize).copied().unwrap_or(0.0));
    let logits = [0.0_f64, 1.0, 2.0, -1.0, 0.5];
    let total: f64 = logits.iter().map(|l| l.exp()).sum();
    let d = Categorical::from_logits(logits).unwrap();
    assert_chi_square(&d, 201, |k| {
        logits.get(k as usize).map_or(0.0, |l| l.exp() / total)
    });
}

#[test]
fn chi_square_rejects_a_wrong_sampler() {
    // Poisson(3.5) draws judged against Poisson(3.3) bins.
    let reference = statrs::distribution::Poisson::new(3.3).unwrap();
    let mut probabilities: Vec<f64> = (0..10).map(|k| reference.pmf(k)).collect();
    probabilities.push(reference.sf(9));
    let mut counts = vec![0_u64; 11];
    let mut rng = ChaCha8Rng::seed_from_u64(70);
    let d = Poisson::new(3.5).unwrap();
    for _ in 0..DRAWS {
        counts[(d.sample(&mut rng).unwrap() as usize).min(10)] += 1;
    }
    let (statistic, critical) = chi_square(&counts, &probabilities);
    assert!(
        statistic > critical,
        "chi-square failed to reject: {statistic:.2} < {critical:.2}"
    );
}

// ---------------------------------------------------------------------------------------------
// Moments
// ---------------------------------------------------------------------------------------------

/// Checks the sample mean and variance of `values` against `mean` and `variance`, each within
/// 5 Monte Carlo standard errors (the variance's from the sample fourth central moment).
fn assert_moments(name: &str, values: &[f64], mean: f64, variance: f64) {
    let n = values.len() as f64;
    let sample_mean = values.iter().sum::<f64>() / n;
    let central = |p: i32| {
        values
            .iter()
            .map(|v| (v - sample_mean).powi(p))
            .sum::<f64>()
            / n
    };
    let (m2, m4) = (central(2), central(4));
    let sample_variance = m2 * n / (n - 1.0);
    let mean_error = (variance / n).sqrt();
    let variance_error = ((m4 - m2 * m2) / n).sqrt();
    assert!(
        (sample_mean - mean).abs() < 5.0 * mean_error,
        "{name}: sample mean {sample_mean} vs {mean} (se {mean_error:.2e})"
    );
    assert!(
        (sample_variance - variance).abs() < 5.0 * variance_error,
        "{name}: sample variance {sample_variance} vs {variance} (se {variance_error:.2e})"
    );
}

fn check_real_moments<D>(d: D, seed: u64)
where
    D: Distribution<Scalar = f64, Kind = Real>,
{
    let values = draws(&d, seed, 50_000);
    assert_moments(
        &format!("{d:?}"),
        &values,
        d.mean().unwrap(),
        d.variance().unwrap(),
    );
}

#[test]
fn sample_moments_match_mean_and_variance() {
    check_real_moments(Normal::new(1.0, 2.0).unwrap(), 80);
    check_real_moments(HalfNormal::new(1.5).unwrap(), 81);
    check_real_moments(StudentT::new(10.0, 1.0, 2.0).unwrap(), 82);
    check_real_moments(Exponential::new(2.5).unwrap(), 83);
    check_real_moments(Gamma::new(0.7, 1.0).unwrap(), 84);
    check_real_moments(Gamma::new(3.0, 0.5).unwrap(), 85);
    check_real_moments(LogNormal::new(0.5, 0.5).unwrap(), 86);
    check_real_moments(Beta::new(2.0, 3.0).unwrap(), 87);
    check_real_moments(Beta::new(0.5, 0.5).unwrap(), 88);
    check_real_moments(Uniform::new(-2.0, 5.0).unwrap(), 89);
    check_real_moments(Laplace::new(1.0, 2.0).unwrap(), 120);
    check_real_moments(Logistic::new(-1.0, 0.5).unwrap(), 121);
    check_real_moments(Gumbel::new(0.5, 2.0).unwrap(), 122);
    // The variance's standard error needs a finite fourth moment: α > 4.
    check_real_moments(InverseGamma::new(8.0, 2.0).unwrap(), 123);
    check_real_moments(Weibull::new(2.0, 1.5).unwrap(), 124);
    check_real_moments(Weibull::new(1.0, 0.7).unwrap(), 125);
    check_real_moments(Pareto::new(1.0, 6.0).unwrap(), 126);
    check_real_moments(Chi2::new(3.0).unwrap(), 127);
    check_real_moments(TruncatedNormal::new(0.5, 2.0, -1.0, 3.0).unwrap(), 128);
    check_real_moments(TruncatedNormal::lower(-1.0, 0.5, 0.0).unwrap(), 129);
    check_real_moments(TruncatedNormal::upper(2.0, 3.0, 4.0).unwrap(), 150);
    check_real_moments(TruncatedNormal::lower(0.0, 1.0, 30.0).unwrap(), 151);
    check_real_moments(TruncatedNormal::new(0.0, 1.0, 5.0, 5.1).unwrap(), 152);
    check_real_moments(SkewNormal::new(1.0, 2.0, 3.0).unwrap(), 153);
    check_real_moments(SkewNormal::new(0.0, 1.0, -8.0).unwrap(), 154);

    for (seed, d) in [
        Bernoulli::new(0.3).unwrap(),
        Bernoulli::from_logits(-2.0).unwrap(),
    ]
    .into_iter()
    .enumerate()
    {
        let mut rng = ChaCha8Rng::seed_from_u64(90 + seed as u64);
        let values: Vec<f64> = (0..50_000)
            .map(|_| f64::from(u8::from(d.sample(&mut rng).unwrap())))
            .collect();
        assert_moments(
            &format!("{d:?}"),
            &values,
            d.mean().unwrap(),
            d.variance().unwrap(),
        );
    }
    check_count_moments(Binomial::new(10, 0.3).unwrap(), 210, 3.0, 2.1);
    check_count_moments(BetaBinomial::new(2.0, 3.0, 10).unwrap(), 211, 4.0, 6.0);
    check_count_moments(NegativeBinomial2::new(3.5, 2.0).unwrap(), 212, 3.5, 9.625);
    check_count_moments(Geometric::new(0.3).unwrap(), 213, 0.7 / 0.3, 0.7 / 0.09);
    let e = 1f64.exp();
    check_count_moments(Geometric::from_logits(-1.0).unwrap(), 214, e, e * (1.0 + e));
    // Category indices 0, 1, 2 with probabilities 0.2, 0.3, 0.5.
    check_count_moments(Categorical::new([0.2, 0.3, 0.5]).unwrap(), 215, 1.3, 0.61);
    // The moments the discrete distributions report.
    assert!((Binomial::new(10, 0.3).unwrap().variance().unwrap() - 2.1).abs() < 1e-14);
    assert_eq!(BetaBinomial::new(2.0, 3.0, 10).unwrap().mean(), Some(4.0));
    assert!((BetaBinomial::new(2.0, 3.0, 10).unwrap().variance().unwrap() - 6.0).abs() < 1e-14);
    assert_eq!(
        NegativeBinomial2::new(3.5, 2.0).unwrap().variance(),
        Some(3.5 + 6.125)
    );
    assert!((Geometric::new(0.3).unwrap().variance().unwrap() - 0.7 / 0.09).abs() < 1e-14);
    let logits = Geometric::from_logits(-1.0).unwrap();
    assert!((logits.mean().unwrap() - 1f64.exp()).abs() < 1e-15);
    assert_eq!(Categorical::new([0.5, 0.5]).unwrap().mean(), None);
    assert_eq!(Delta::new(3.0).unwrap().variance(), Some(0.0));
    for (seed, rate) in [3.5, 2000.0].into_iter().enumerate() {
        let d = Poisson::new(rate).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(92 + seed as u64);
        let values: Vec<f64> = (0..50_000)
            .map(|_| d.sample(&mut rng).unwrap() as f64)
            .collect();
        assert_moments(
            &format!("{d:?}"),
            &values,
            d.mean().unwrap(),
            d.variance().unwrap(),
        );
    }
}

/// Checks the sample mean and variance of a count distribution against closed forms.
fn check_count_moments<D>(d: D, seed: u64, mean: f64, variance: f64)
where
    D: Distribution<Scalar = f64, Kind = Count>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let values: Vec<f64> = (0..50_000)
        .map(|_| d.sample(&mut rng).unwrap() as f64)
        .collect();
    assert_moments(&format!("{d:?}"), &values, mean, variance);
}

#[test]
fn von_mises_mean_direction_and_circular_variance() {
    for (seed, (loc, kappa)) in [(5.0, 2.0), (-3.0, 0.5), (0.2, 700.0)]
        .into_iter()
        .enumerate()
    {
        let d = VonMises::new(loc, kappa).unwrap();
        let x = draws(&d, 95 + seed as u64, 50_000);
        let n = x.len() as f64;
        let mean_direction = d.mean().unwrap();
        assert!((-PI..PI).contains(&mean_direction));
        // Projections on the mean direction and across it.
        let along: Vec<f64> = x.iter().map(|v| (v - mean_direction).cos()).collect();
        let across: Vec<f64> = x.iter().map(|v| (v - mean_direction).sin()).collect();
        let resultant = along.iter().sum::<f64>() / n;
        let sd_along = (along.iter().map(|c| (c - resultant).powi(2)).sum::<f64>() / n).sqrt();
        let circular_variance = 1.0 - resultant;
        let se = sd_along / n.sqrt();
        assert!(
            (circular_variance - d.variance().unwrap()).abs() < 5.0 * se,
            "{d:?}: circular variance {circular_variance} vs {} (se {se:.1e})",
            d.variance().unwrap()
        );
        // The mean sine about the true mean direction is 0 with standard error sd(sin)/√n.
        let mean_across = across.iter().sum::<f64>() / n;
        let se = (across.iter().map(|s| s * s).sum::<f64>() / n).sqrt() / n.sqrt();
        assert!(
            mean_across.abs() < 5.0 * se,
            "{d:?}: mean sine {mean_across} (se {se:.1e})"
        );
    }
}

#[test]
fn moments_that_do_not_exist_are_none() {
    assert_eq!(Cauchy::new(0.0, 1.0).unwrap().mean(), None);
    assert_eq!(Cauchy::new(0.0, 1.0).unwrap().variance(), None);
    assert_eq!(HalfCauchy::new(1.0).unwrap().mean(), None);
    assert_eq!(StudentT::new(1.0, 0.0, 1.0).unwrap().mean(), None);
    assert_eq!(StudentT::new(1.0, 0.0, 1.0).unwrap().variance(), None);
    assert_eq!(StudentT::new(1.5, 2.0, 1.0).unwrap().mean(), Some(2.0));
    assert_eq!(
        StudentT::new(1.5, 0.0, 1.0).unwrap().variance(),
        Some(f64::INFINITY)
    );
    assert_eq!(StudentT::new(4.0, 0.0, 3.0).unwrap().variance(), Some(18.0));
    assert_eq!(
        ImproperUniform::<f64>::new(Support::Real).unwrap().mean(),
        None
    );
    // Moments that diverge to +∞ are +∞, as in NumPyro.
    let inf = Some(f64::INFINITY);
    assert_eq!(InverseGamma::new(1.0, 2.0).unwrap().mean(), inf);
    assert_eq!(InverseGamma::new(2.0, 2.0).unwrap().mean(), Some(2.0));
    assert_eq!(InverseGamma::new(2.0, 2.0).unwrap().variance(), inf);
    assert_eq!(Pareto::new(1.0, 1.0).unwrap().mean(), inf);
    assert_eq!(Pareto::new(1.0, 2.0).unwrap().variance(), inf);
    // Circular variance: 1 for the uniform circle, 1 - I1/I0 ≈ 1/(2κ) for large κ.
    assert_eq!(VonMises::new(0.0, 0.0).unwrap().variance(), Some(1.0));
    let v = VonMises::new(0.0, 1e4).unwrap().variance().unwrap();
    assert!((v - (0.5e-4 + 0.125e-8)).abs() < 1e-11, "{v}");
}

// ---------------------------------------------------------------------------------------------
// Constructors, supports and value kinds
// ---------------------------------------------------------------------------------------------

const NON_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

#[test]
fn constructors_reject_bad_parameters_with_the_right_variant() {
    use std::matches as m;
    for bad in NON_FINITE {
        assert!(m!(
            Normal::new(bad, 1.0),
            Err(NormalError::LocNotFinite { .. })
        ));
        assert!(m!(
            Cauchy::new(bad, 1.0),
            Err(CauchyError::LocNotFinite { .. })
        ));
        assert!(m!(
            StudentT::new(3.0, bad, 1.0),
            Err(StudentTError::LocNotFinite { .. })
        ));
        assert!(m!(
            LogNormal::new(bad, 1.0),
            Err(LogNormalError::LocNotFinite { .. })
        ));
        assert!(m!(
            VonMises::new(bad, 1.0),
            Err(VonMisesError::LocNotFinite { .. })
        ));
        assert!(m!(
            Uniform::new(bad, 1.0),
            Err(UniformError::LowNotFinite { .. })
        ));
        assert!(m!(
            Uniform::new(0.0, bad),
            Err(UniformError::HighNotFinite { .. })
        ));
        assert!(m!(
            Bernoulli::from_logits(bad),
            Err(BernoulliError::LogitsNotFinite { .. })
        ));
        assert!(m!(
            Laplace::new(bad, 1.0),
            Err(LaplaceError::LocNotFinite { .. })
        ));
        assert!(m!(
            Logistic::new(bad, 1.0),
            Err(LogisticError::LocNotFinite { .. })
        ));
        assert!(m!(
            Gumbel::new(bad, 1.0),
            Err(GumbelError::LocNotFinite { .. })
        ));
        assert!(m!(
            Binomial::from_logits(3, bad),
            Err(BinomialError::LogitsNotFinite { .. })
        ));
        assert!(m!(
            Geometric::from_logits(bad),
            Err(GeometricError::LogitsNotFinite { .. })
        ));
        assert!(m!(
            Categorical::from_logits([0.0, bad]),
            Err(CategoricalError::LogitsNotFinite { index: 1, .. })
        ));
        assert!(m!(Delta::new(bad), Err(DeltaError::ValueNotFinite { .. })));
        assert!(m!(
            SkewNormal::new(bad, 1.0, 0.0),
            Err(SkewNormalError::LocNotFinite { .. })
        ));
        assert!(m!(
            SkewNormal::new(0.0, 1.0, bad),
            Err(SkewNormalError::SkewnessNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::new(bad, 1.0, 0.0, 1.0),
            Err(TruncatedNormalError::LocNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::new(0.0, 1.0, bad, 1.0),
            Err(TruncatedNormalError::LowNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::new(0.0, 1.0, 0.0, bad),
            Err(TruncatedNormalError::HighNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::lower(0.0, 1.0, bad),
            Err(TruncatedNormalError::LowNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::upper(0.0, 1.0, bad),
            Err(TruncatedNormalError::HighNotFinite { .. })
        ));
        assert!(m!(
            ImproperUniform::new(Support::GreaterThan(bad)),
            Err(ImproperUniformError::BoundNotFinite { .. })
        ));
        assert!(m!(
            ImproperUniform::new(Support::Interval(0.0, bad)),
            Err(ImproperUniformError::BoundNotFinite { .. })
        ));
    }
    for bad in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        -1.0,
        -1e-300,
    ] {
        assert!(m!(
            Normal::new(0.0, bad),
            Err(NormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            HalfNormal::new(bad),
            Err(HalfNormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Cauchy::new(0.0, bad),
            Err(CauchyError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            HalfCauchy::new(bad),
            Err(HalfCauchyError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            StudentT::new(bad, 0.0, 1.0),
            Err(StudentTError::DfNotPositive { .. })
        ));
        assert!(m!(
            StudentT::new(3.0, 0.0, bad),
            Err(StudentTError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Exponential::new(bad),
            Err(ExponentialError::RateNotPositive { .. })
        ));
        assert!(m!(
            Gamma::new(bad, 1.0),
            Err(GammaError::ConcentrationNotPositive { .. })
        ));
        assert!(m!(
            Gamma::new(1.0, bad),
            Err(GammaError::RateNotPositive { .. })
        ));
        assert!(m!(
            LogNormal::new(0.0, bad),
            Err(LogNormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Beta::new(bad, 1.0),
            Err(BetaError::Concentration1NotPositive { .. })
        ));
        assert!(m!(
            Beta::new(1.0, bad),
            Err(BetaError::Concentration0NotPositive { .. })
        ));
        assert!(m!(
            Poisson::new(bad),
            Err(PoissonError::RateNotPositive { .. })
        ));
        assert!(m!(
            Laplace::new(0.0, bad),
            Err(LaplaceError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Logistic::new(0.0, bad),
            Err(LogisticError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Gumbel::new(0.0, bad),
            Err(GumbelError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            InverseGamma::new(bad, 1.0),
            Err(InverseGammaError::ConcentrationNotPositive { .. })
        ));
        assert!(m!(
            InverseGamma::new(1.0, bad),
            Err(InverseGammaError::RateNotPositive { .. })
        ));
        assert!(m!(
            Weibull::new(bad, 1.0),
            Err(WeibullError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Weibull::new(1.0, bad),
            Err(WeibullError::ConcentrationNotPositive { .. })
        ));
        assert!(m!(
            Pareto::new(bad, 1.0),
            Err(ParetoError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Pareto::new(1.0, bad),
            Err(ParetoError::AlphaNotPositive { .. })
        ));
        assert!(m!(Chi2::new(bad), Err(Chi2Error::DfNotPositive { .. })));
        assert!(m!(
            BetaBinomial::new(bad, 1.0, 3),
            Err(BetaBinomialError::Concentration1NotPositive { .. })
        ));
        assert!(m!(
            BetaBinomial::new(1.0, bad, 3),
            Err(BetaBinomialError::Concentration0NotPositive { .. })
        ));
        assert!(m!(
            NegativeBinomial2::new(bad, 1.0),
            Err(NegativeBinomial2Error::MeanNotPositive { .. })
        ));
        assert!(m!(
            NegativeBinomial2::new(1.0, bad),
            Err(NegativeBinomial2Error::ConcentrationNotPositive { .. })
        ));
        assert!(m!(
            Geometric::new(bad),
            Err(GeometricError::ProbsOutOfRange { .. })
        ));
        assert!(m!(
            SkewNormal::new(0.0, bad, 1.0),
            Err(SkewNormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            TruncatedNormal::new(0.0, bad, 0.0, 1.0),
            Err(TruncatedNormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            TruncatedNormal::lower(0.0, bad, 0.0),
            Err(TruncatedNormalError::ScaleNotPositive { .. })
        ));
    }
    for bad in [f64::NAN, f64::INFINITY, -1.0, -1e-300] {
        assert!(m!(
            VonMises::new(0.0, bad),
            Err(VonMisesError::ConcentrationNotNonNegative { .. })
        ));
    }
    for bad in [f64::NAN, f64::INFINITY, -0.1, 1.0 + 1e-15, -1e-300] {
        assert!(m!(
            Bernoulli::new(bad),
            Err(BernoulliError::ProbsOutOfRange { .. })
        ));
        assert!(m!(
            Binomial::new(4, bad),
            Err(BinomialError::ProbsOutOfRange { .. })
        ));
        assert!(m!(
            Geometric::new(bad),
            Err(GeometricError::ProbsOutOfRange { .. })
        ));
        assert!(m!(
            Categorical::new([0.5, bad, 0.5]),
            Err(CategoricalError::ProbsOutOfRange { index: 1, .. })
        ));
    }
    assert!(m!(
        Uniform::new(1.0, 1.0),
        Err(UniformError::LowNotBelowHigh { .. })
    ));
    assert!(m!(
        Uniform::new(2.0, 1.0),
        Err(UniformError::LowNotBelowHigh { .. })
    ));
    assert!(m!(
        Uniform::new(-1e308, 1e308),
        Err(UniformError::WidthNotFinite { .. })
    ));
    assert!(m!(
        Categorical::<f64>::new(vec![]),
        Err(CategoricalError::NoCategories)
    ));
    assert!(m!(
        Categorical::<f64>::from_logits([]),
        Err(CategoricalError::NoCategories)
    ));
    assert!(m!(
        Categorical::new([0.5, 0.6]),
        Err(CategoricalError::ProbsDoNotSumToOne { .. })
    ));
    assert!(m!(
        Categorical::new([0.5, 0.499]),
        Err(CategoricalError::ProbsDoNotSumToOne { .. })
    ));
    // Rounding in the sum is tolerated: ten times 0.1 is 0.9999999999999999.
    assert!(Categorical::new([0.1; 10]).is_ok());
    assert!(Geometric::new(1.0).is_ok() && Binomial::new(0, 1.0).is_ok());
    assert!(m!(
        TruncatedNormal::new(0.0, 1.0, 2.0, 2.0),
        Err(TruncatedNormalError::LowNotBelowHigh { .. })
    ));
    assert!(m!(
        TruncatedNormal::new(0.0, 1.0, 2.0, -2.0),
        Err(TruncatedNormalError::LowNotBelowHigh { .. })
    ));
    assert!(m!(
        TruncatedNormal::new(0.0, f64::MAX, 1.0, 1.0 + 2e-16),
        Err(TruncatedNormalError::IntervalNegligible { .. })
    ));
    assert!(m!(
        Poisson::new(1e20),
        Err(PoissonError::RateTooLarge { .. })
    ));
    assert!(m!(
        ImproperUniform::new(Support::Interval(1.0, 1.0)),
        Err(ImproperUniformError::EmptyInterval { .. })
    ));
    assert!(m!(
        ImproperUniform::<f64>::new(Support::Boolean),
        Err(ImproperUniformError::DiscreteSupport)
    ));
    assert!(m!(
        ImproperUniform::<f64>::new(Support::NonNegativeInteger),
        Err(ImproperUniformError::DiscreteSupport)
    ));

    // The edges of the valid ranges are accepted.
    assert!(VonMises::new(0.0, 0.0).is_ok());
    assert!(Bernoulli::new(0.0).is_ok() && Bernoulli::new(1.0).is_ok());
    assert!(Poisson::new(Poisson::<f64>::MAX_RATE).is_ok());
    assert!(Gamma::new(f64::MIN_POSITIVE, f64::MAX).is_ok());
}

#[test]
fn errors_name_the_distribution_and_the_parameter() {
    let message = Gamma::new(1.0, -2.0).unwrap_err().to_string();
    assert_eq!(message, "Gamma rate must be positive and finite, got -2");
    let message = VonMises::new(0.0, f64::NAN).unwrap_err().to_string();
    assert_eq!(
        message,
        "VonMises concentration must be non-negative and finite, got NaN"
    );
    let message = Bernoulli::new(1.5).unwrap_err().to_string();
    assert_eq!(message, "Bernoulli probs must be between 0 and 1, got 1.5");
    let message = Categorical::new([0.5, 0.6]).unwrap_err().to_string();
    assert_eq!(
        message,
        "Categorical probs must sum to 1, got a sum of 1.1; to normalize weights, use `Categorical::from_logits` with their logs"
    );
    let message = TruncatedNormal::new(0.0, 1.0, f64::NEG_INFINITY, 1.0)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "TruncatedNormal low must be finite, got -inf; without a lower bound use `TruncatedNormal::upper`"
    );
}

#[test]
fn location_scale_families_standardize() {
    // For x = loc + scale z: log p(x) = log p₀(z) - ln scale, p₀ the same family at (0, 1).
    fn check<D: LocScale<Scalar = f64, Kind = Real>>(d: D) {
        let (loc, scale) = d.loc_scale().unwrap();
        let standard = d.with_loc_scale(0.0, 1.0).unwrap();
        assert_eq!(standard.loc_scale(), Some((0.0, 1.0)));
        for z in [-2.5, -0.3, 0.7, 4.0] {
            let x = loc + scale * z;
            let expected = standard.log_prob(&z) - scale.ln();
            assert!(
                (d.log_prob(&x) - expected).abs() < 1e-14 * expected.abs().max(1.0),
                "{d:?} at {x}"
            );
        }
    }
    check(Normal::new(1.5, 0.5).unwrap());
    check(StudentT::new(3.0, 1.5, 0.5).unwrap());
    check(Cauchy::new(1.5, 0.5).unwrap());
    check(Laplace::new(1.5, 0.5).unwrap());
    check(Logistic::new(1.5, 0.5).unwrap());
    check(Gumbel::new(1.5, 0.5).unwrap());
    check(SkewNormal::new(1.5, 0.5, -3.0).unwrap());
}

fn kind_is<D: Distribution<Kind = K>, K: ValueKind>() {}

#[test]
fn supports_and_value_kinds() {
    kind_is::<Normal, Real>();
    kind_is::<HalfNormal, Real>();
    kind_is::<Cauchy, Real>();
    kind_is::<HalfCauchy, Real>();
    kind_is::<StudentT, Real>();
    kind_is::<Exponential, Real>();
    kind_is::<Gamma, Real>();
    kind_is::<LogNormal, Real>();
    kind_is::<Beta, Real>();
    kind_is::<Uniform, Real>();
    kind_is::<VonMises, Real>();
    kind_is::<ImproperUniform, Real>();
    kind_is::<Bernoulli, Boolean>();
    kind_is::<Poisson, Count>();
    kind_is::<Laplace, Real>();
    kind_is::<Logistic, Real>();
    kind_is::<Gumbel, Real>();
    kind_is::<InverseGamma, Real>();
    kind_is::<Weibull, Real>();
    kind_is::<Pareto, Real>();
    kind_is::<Chi2, Real>();
    kind_is::<TruncatedNormal, Real>();
    kind_is::<SkewNormal, Real>();
    kind_is::<Binomial, Count>();
    kind_is::<BetaBinomial, Count>();
    kind_is::<NegativeBinomial2, Count>();
    kind_is::<Geometric, Count>();
    kind_is::<Categorical, Count>();
    kind_is::<Delta, Real>();

    assert_eq!(HalfNormal::new(1.0).unwrap().support(), Support::Positive);
    assert_eq!(Cauchy::new(0.0, 1.0).unwrap().support(), Support::Real);
    assert_eq!(HalfCauchy::new(1.0).unwrap().support(), Support::Positive);
    assert_eq!(
        StudentT::new(3.0, 0.0, 1.0).unwrap().support(),
        Support::Real
    );
    assert_eq!(Exponential::new(1.0).unwrap().support(), Support::Positive);
    assert_eq!(Gamma::new(2.0, 1.0).unwrap().support(), Support::Positive);
    assert_eq!(
        LogNormal::new(0.0, 1.0).unwrap().support(),
        Support::Positive
    );
    assert_eq!(
        Beta::new(2.0, 2.0).unwrap().support(),
        Support::UnitInterval
    );
    assert_eq!(
        Uniform::new(-1.0, 2.0).unwrap().support(),
        Support::Interval(-1.0, 2.0)
    );
    assert_eq!(
        VonMises::new(0.0, 1.0).unwrap().support(),
        Support::Circular
    );
    let s = Support::GreaterThan(3.0);
    assert_eq!(ImproperUniform::new(s).unwrap().support(), s);
    assert_eq!(Bernoulli::new(0.5).unwrap().support(), Support::Boolean);
    assert_eq!(
        Poisson::new(1.0).unwrap().support(),
        Support::NonNegativeInteger
    );

    assert_eq!(Laplace::new(0.0, 1.0).unwrap().support(), Support::Real);
    assert_eq!(Logistic::new(0.0, 1.0).unwrap().support(), Support::Real);
    assert_eq!(Gumbel::new(0.0, 1.0).unwrap().support(), Support::Real);
    assert_eq!(
        InverseGamma::new(2.0, 1.0).unwrap().support(),
        Support::Positive
    );
    assert_eq!(Weibull::new(1.0, 2.0).unwrap().support(), Support::Positive);
    assert_eq!(
        Pareto::new(2.5, 1.0).unwrap().support(),
        Support::GreaterThan(2.5)
    );
    assert_eq!(Chi2::new(3.0).unwrap().support(), Support::Positive);
    assert_eq!(
        TruncatedNormal::new(0.0, 1.0, -1.0, 2.0).unwrap().support(),
        Support::Interval(-1.0, 2.0)
    );
    assert_eq!(
        TruncatedNormal::lower(0.0, 1.0, 30.0).unwrap().support(),
        Support::GreaterThan(30.0)
    );
    assert_eq!(
        TruncatedNormal::upper(0.0, 1.0, -1.0).unwrap().support(),
        Support::LessThan(-1.0)
    );
    assert_eq!(
        SkewNormal::new(0.0, 1.0, 2.0).unwrap().support(),
        Support::Real
    );
    // Bounded counts report the non-negative integers (Support has no integer interval) and
    // give -∞ beyond their largest value.
    let counts = Support::NonNegativeInteger;
    assert_eq!(Binomial::new(3, 0.5).unwrap().support(), counts);
    assert_eq!(BetaBinomial::new(1.0, 2.0, 3).unwrap().support(), counts);
    assert_eq!(NegativeBinomial2::new(1.0, 2.0).unwrap().support(), counts);
    assert_eq!(Geometric::new(0.5).unwrap().support(), counts);
    assert_eq!(Categorical::new([0.5, 0.5]).unwrap().support(), counts);
    assert_eq!(Delta::new(1.0).unwrap().support(), Support::Real);

    // The site names in messages.
    assert_eq!(<VonMises as Distribution>::NAME, "VonMises");
    assert_eq!(<ImproperUniform as Distribution>::NAME, "ImproperUniform");
}

#[test]
fn log_prob_is_minus_infinity_outside_the_support() {
    let ninf = f64::NEG_INFINITY;
    assert_eq!(HalfNormal::new(1.0).unwrap().log_prob(&-1e-300), ninf);
    assert_eq!(HalfCauchy::new(1.0).unwrap().log_prob(&-1.0), ninf);
    assert_eq!(Exponential::new(1.0).unwrap().log_prob(&-1e-300), ninf);
    assert_eq!(Gamma::new(2.0, 1.0).unwrap().log_prob(&-1.0), ninf);
    assert_eq!(Gamma::new(2.0, 1.0).unwrap().log_prob(&0.0), ninf);
    assert_eq!(LogNormal::new(0.0, 1.0).unwrap().log_prob(&0.0), ninf);
    assert_eq!(LogNormal::new(0.0, 1.0).unwrap().log_prob(&-2.0), ninf);
    assert_eq!(Beta::new(2.0, 2.0).unwrap().log_prob(&-0.1), ninf);
    assert_eq!(Beta::new(2.0, 2.0).unwrap().log_prob(&1.1), ninf);
    assert_eq!(Uniform::new(0.0, 1.0).unwrap().log_prob(&-1e-300), ninf);
    assert_eq!(
        Uniform::new(0.0, 1.0).unwrap().log_prob(&1.0_f64.next_up()),
        ninf
    );
    let vm = VonMises::new(3.0, 2.0).unwrap();
    assert_eq!(vm.log_prob(&PI.next_up()), ninf);
    assert_eq!(vm.log_prob(&(-PI).next_down()), ninf);
    assert_eq!(vm.log_prob(&(PI + 2.0 * PI)), ninf);
    assert!(vm.log_prob(&PI).is_finite() && vm.log_prob(&-PI).is_finite());
    assert_eq!(Bernoulli::new(0.0).unwrap().log_prob(&true), ninf);
    assert_eq!(Bernoulli::new(1.0).unwrap().log_prob(&false), ninf);
    let iu = ImproperUniform::new(Support::Interval(-1.0, 1.0)).unwrap();
    assert_eq!(iu.log_prob(&0.5), 0.0);
    assert_eq!(iu.log_prob(&1.5), ninf);
    // Infinite values.
    let inf = f64::INFINITY;
    assert_eq!(Normal::new(0.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(HalfNormal::new(1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Cauchy::new(0.0, 1.0).unwrap().log_prob(&-inf), ninf);
    assert_eq!(HalfCauchy::new(1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(StudentT::new(3.0, 0.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Exponential::new(1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Gamma::new(2.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Gamma::new(0.5, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(LogNormal::new(0.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Uniform::new(0.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(VonMises::new(0.0, 1.0).unwrap().log_prob(&inf), ninf);
    for d in [
        Laplace::new(0.0, 1.0).unwrap().log_prob(&inf),
        Logistic::new(0.0, 1.0).unwrap().log_prob(&-inf),
        Gumbel::new(0.0, 1.0).unwrap().log_prob(&inf),
        Gumbel::new(0.0, 1.0).unwrap().log_prob(&-inf),
        InverseGamma::new(2.0, 1.0).unwrap().log_prob(&inf),
        InverseGamma::new(2.0, 1.0).unwrap().log_prob(&0.0),
        InverseGamma::new(0.5, 1.0).unwrap().log_prob(&-1.0),
        Weibull::new(1.0, 2.0).unwrap().log_prob(&inf),
        Weibull::new(1.0, 2.0).unwrap().log_prob(&-1e-300),
        Weibull::new(1.0, 2.0).unwrap().log_prob(&0.0),
        Pareto::new(1.0, 2.0).unwrap().log_prob(&inf),
        Pareto::new(1.0, 2.0)
            .unwrap()
            .log_prob(&1.0_f64.next_down()),
        Chi2::new(3.0).unwrap().log_prob(&0.0),
        Chi2::new(3.0).unwrap().log_prob(&-1.0),
        TruncatedNormal::new(0.0, 1.0, -1.0, 2.0)
            .unwrap()
            .log_prob(&2.0_f64.next_up()),
        TruncatedNormal::new(0.0, 1.0, -1.0, 2.0)
            .unwrap()
            .log_prob(&(-1.0_f64).next_down()),
        TruncatedNormal::lower(0.0, 1.0, 30.0)
            .unwrap()
            .log_prob(&29.999),
        TruncatedNormal::lower(0.0, 1.0, 30.0)
            .unwrap()
            .log_prob(&inf),
        TruncatedNormal::upper(0.0, 1.0, 30.0)
            .unwrap()
            .log_prob(&30.001),
        TruncatedNormal::upper(0.0, 1.0, 30.0)
            .unwrap()
            .log_prob(&-inf),
        SkewNormal::new(0.0, 1.0, 2.0).unwrap().log_prob(&inf),
        SkewNormal::new(0.0, 1.0, 2.0).unwrap().log_prob(&-inf),
        Binomial::new(3, 0.5).unwrap().log_prob(&4),
        Binomial::from_logits(3, 0.5).unwrap().log_prob(&u64::MAX),
        BetaBinomial::new(1.0, 2.0, 3).unwrap().log_prob(&4),
        Categorical::new([0.5, 0.5]).unwrap().log_prob(&2),
        Categorical::from_logits([0.0, 1.0])
            .unwrap()
            .log_prob(&u64::MAX),
        Categorical::new([0.0, 1.0]).unwrap().log_prob(&0),
        Geometric::new(1.0).unwrap().log_prob(&1),
        Delta::new(1.0).unwrap().log_prob(&1.0_f64.next_up()),
        Delta::new(1.0).unwrap().log_prob(&inf),
    ] {
        assert_eq!(d, ninf);
    }
    // Boundary densities that are finite or unbounded.
    assert_eq!(Gamma::new(1.0, 2.0).unwrap().log_prob(&0.0), 2f64.ln());
    assert_eq!(Gamma::new(0.5, 2.0).unwrap().log_prob(&0.0), f64::INFINITY);
    assert_eq!(Beta::new(0.5, 2.0).unwrap().log_prob(&0.0), f64::INFINITY);
    assert_eq!(Beta::new(2.0, 0.5).unwrap().log_prob(&0.0), ninf);
    assert_eq!(Weibull::new(4.0, 1.0).unwrap().log_prob(&0.0), -(4f64.ln()));
    assert_eq!(
        Weibull::new(1.0, 0.5).unwrap().log_prob(&0.0),
        f64::INFINITY
    );
    assert!((Pareto::new(2.0, 3.0).unwrap().log_prob(&2.0) - 1.5f64.ln()).abs() < 1e-15);
    assert_eq!(Chi2::new(2.0).unwrap().log_prob(&0.0), -(2f64.ln()));
}

#[test]
fn improper_uniform_has_no_sampler() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for s in [
        Support::Real,
        Support::Positive,
        Support::Circular,
        Support::Interval(0.0, 2.0),
    ] {
        assert_eq!(ImproperUniform::new(s).unwrap().sample(&mut rng), None);
    }
}

#[test]
fn samplable_distributions_always_produce_a_draw() {
    // `sample` returns None only for ImproperUniform; extreme but valid parameters still sample.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    assert!(
        Gamma::new(1e-3, f64::MAX)
            .unwrap()
            .sample(&mut rng)
            .is_some()
    );
    assert!(Gamma::new(1e6, 1e-300).unwrap().sample(&mut rng).is_some());
    assert!(Beta::new(1e-3, 1e-3).unwrap().sample(&mut rng).is_some());
    assert!(
        StudentT::new(1e-3, 0.0, 1.0)
            .unwrap()
            .sample(&mut rng)
            .is_some()
    );
    assert!(
        Poisson::new(Poisson::<f64>::MAX_RATE)
            .unwrap()
            .sample(&mut rng)
            .is_some()
    );
    let far = TruncatedNormal::lower(0.0, 1.0, 1e300).unwrap();
    assert!(far.sample(&mut rng).unwrap() >= 1e300);
    let x = SkewNormal::new(0.0, 1e300, -1e300)
        .unwrap()
        .sample(&mut rng)
        .unwrap();
    assert!(x <= 0.0, "{x}");
    // Counts: certain outcomes, and draws too large for a u64 saturate.
    assert_eq!(Binomial::new(7, 1.0).unwrap().sample(&mut rng), Some(7));
    assert_eq!(Binomial::new(7, 0.0).unwrap().sample(&mut rng), Some(0));
    assert_eq!(
        Binomial::from_logits(7, 800.0).unwrap().sample(&mut rng),
        Some(7)
    );
    assert!(
        Binomial::new(u64::MAX, 0.5)
            .unwrap()
            .sample(&mut rng)
            .is_some()
    );
    assert!(
        BetaBinomial::new(1e-3, 1e-3, 10)
            .unwrap()
            .sample(&mut rng)
            .is_some_and(|k| k <= 10)
    );
    for (mean, concentration) in [(1e-300, 1e-3), (1e300, 1.0), (1.0, 1e300)] {
        assert!(
            NegativeBinomial2::new(mean, concentration)
                .unwrap()
                .sample(&mut rng)
                .is_some()
        );
    }
    assert_eq!(
        Geometric::from_logits(-800.0).unwrap().sample(&mut rng),
        Some(u64::MAX)
    );
    assert_eq!(Geometric::new(1.0).unwrap().sample(&mut rng), Some(0));
    assert_eq!(
        Categorical::from_logits([-800.0, 0.0, -900.0])
            .unwrap()
            .sample(&mut rng),
        Some(1)
    );
    // Draws beyond the largest double are clamped to it, never +∞.
    let huge = [
        Pareto::new(1.0, 1e-3).unwrap().sample(&mut rng).unwrap(),
        InverseGamma::new(1e-3, 1.0)
            .unwrap()
            .sample(&mut rng)
            .unwrap(),
        Weibull::new(1.0, 1e-3).unwrap().sample(&mut rng).unwrap(),
        Chi2::new(1e-3).unwrap().sample(&mut rng).unwrap(),
    ];
    assert!(huge.iter().all(|x| x.is_finite() && *x >= 0.0), "{huge:?}");
    let x = Uniform::new(1.0, 1.0 + 1e-15)
        .unwrap()
        .sample(&mut rng)
        .unwrap();
    assert!((1.0..1.0 + 1e-15).contains(&x));
    for kappa in [1e-300, 1e-8, 1e6, 1e6_f64.next_up(), 1e300] {
        let x = VonMises::new(PI.next_down(), kappa)
            .unwrap()
            .sample(&mut rng)
            .unwrap();
        assert!((-PI..PI).contains(&x), "kappa {kappa}: {x}");
    }
}

// ---------------------------------------------------------------------------------------------
// Vector families
// ---------------------------------------------------------------------------------------------

/// `n` draws of a real-vector family.
fn vector_draws<D>(distribution: &D, seed: u64, n: usize) -> Vec<Vec<f64>>
where
    D: Distribution<Scalar = f64, Kind = Reals>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| distribution.sample(&mut rng).expect("samplable"))
        .collect()
}

/// The KS test of one coordinate (`coordinate(draw)`) of vector draws against `cdf`.
fn assert_ks_marginal(
    name: &str,
    draws: &[Vec<f64>],
    coordinate: impl Fn(&[f64]) -> f64,
    cdf: impl FnMut(f64) -> f64,
) {
    let values: Vec<f64> = draws.iter().map(|x| coordinate(x)).collect();
    let statistic = ks_statistic(values, cdf);
    let critical = ks_critical_value(draws.len());
    assert!(
        statistic < critical,
        "{name}: KS statistic {statistic:.4} >= {critical:.4}"
    );
}

#[test]
fn ks_dirichlet_marginals_are_beta() {
    // Component k of Dirichlet(α) is Beta(α_k, α_0 - α_k); concentrations far below 1 exercise
    // the log-space gamma draws.
    let cases = [
        vec![0.5, 2.0, 3.5],
        vec![0.05, 0.1, 5.0, 1.0],
        vec![1e3, 50.0, 1.0],
        vec![1e-3, 1e-3],
    ];
    for (seed, alpha) in cases.into_iter().enumerate() {
        let d = Dirichlet::new(alpha.clone()).unwrap();
        let x = vector_draws(&d, 300 + seed as u64, DRAWS);
        assert!(
            x.iter().all(|x| x.iter().all(|&v| v >= 0.0)
                && (x.iter().sum::<f64>() - 1.0).abs() < 1e-12),
            "{d:?}: a draw off the simplex"
        );
        let total: f64 = alpha.iter().sum();
        for (k, &a) in alpha.iter().enumerate() {
            if a < 0.01 {
                // Beta(1e-3, 1e-3) puts half its mass within 1e-300 of 0: doubles cannot
                // resolve the marginal, so only the balance of the two ends is checked.
                let near_zero = x.iter().filter(|x| x[k] < 0.5).count() as f64 / DRAWS as f64;
                assert!((near_zero - 0.5).abs() < 0.02, "{d:?}: {near_zero}");
                continue;
            }
            let beta = statrs::distribution::Beta::new(a, total - a).unwrap();
            assert_ks_marginal(&format!("{d:?}[{k}]"), &x, |x| x[k], |v| beta.cdf(v));
        }
    }
}

#[test]
fn dirichlet_sample_moments_match_mean_and_variance_vectors() {
    let d = Dirichlet::new([0.7, 2.0, 4.5]).unwrap();
    let x = vector_draws(&d, 310, 50_000);
    for (k, (mean, variance)) in d
        .mean_vector()
        .into_iter()
        .zip(d.variance_vector())
        .enumerate()
    {
        let values: Vec<f64> = x.iter().map(|x| x[k]).collect();
        assert_moments(&format!("{d:?}[{k}]"), &values, mean, variance);
    }
    assert_eq!(d.mean(), None);
    assert!((d.mean_vector()[1] - 2.0 / 7.2).abs() < 1e-15);
}

/// Maps random unconstrained points to values and back, and values drawn from `d` to
/// unconstrained points and back.
fn check_round_trips<D>(d: &D, seed: u64, tolerance: f64)
where
    D: Distribution<Scalar = f64, Kind = Reals>,
{
    use rand::RngExt;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..200 {
        let u: Vec<f64> = (0..d.unconstrained_len())
            .map(|_| rng.random_range(-4.0..4.0))
            .collect();
        let (x, log_jacobian) = d.constrain(&u);
        assert!(log_jacobian.is_finite(), "{d:?} at {u:?}");
        assert!(
            d.log_prob(&x).is_finite(),
            "{d:?}: {x:?} is not in the support"
        );
        let mut back = Vec::new();
        d.unconstrain(&x, &mut back).unwrap();
        for (a, b) in back.iter().zip(&u) {
            assert!(
                (a - b).abs() < tolerance,
                "{d:?}: {u:?} -> {x:?} -> {back:?}"
            );
        }
        let draw = d.sample(&mut rng).unwrap();
        let mut v = vec![7.0]; // coordinates are appended to what is there
        d.unconstrain(&draw, &mut v).unwrap();
        assert_eq!(v.len(), 1 + d.unconstrained_len());
        let (again, _) = d.constrain(&v[1..]);
        for (a, b) in again.iter().zip(&draw) {
            assert!(
                (a - b).abs() < tolerance,
                "{d:?}: {draw:?} -> {v:?} -> {again:?}"
            );
        }
    }
}

#[test]
fn dirichlet_constrains_through_the_simplex() {
    let d = Dirichlet::new([0.7, 2.0, 4.5, 1.0]).unwrap();
    assert_eq!(d.unconstrained_len(), 3);
    check_round_trips(&d, 311, 1e-12);
    let mut out = Vec::new();
    assert_eq!(d.unconstrain(&vec![0.5, 0.5, 0.0, 0.0], &mut out), Err(0.0));
    assert_eq!(d.unconstrain(&vec![0.5, 0.6, 0.0, 0.0], &mut out), Err(1.1));
    assert!(
        d.unconstrain(&vec![0.5, 0.5], &mut out)
            .unwrap_err()
            .is_nan()
    );
    assert!(out.is_empty(), "a failed unconstrain leaves nothing behind");
    assert_eq!(d.support(), Support::UnitInterval);
    kind_is::<Dirichlet, Reals>();
}

#[test]
fn dirichlet_rejects_bad_concentrations() {
    assert_eq!(
        Dirichlet::<f64>::new(vec![]),
        Err(DirichletError::NoComponents)
    );
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            Dirichlet::new([1.0, bad]),
            Err(DirichletError::ConcentrationNotPositive { index: 1, .. })
        ));
    }
    assert_eq!(
        Dirichlet::new([1.0, -2.0]).unwrap_err().to_string(),
        "Dirichlet concentration must be positive and finite, got -2 for component 1"
    );
}

#[test]
fn dirichlet_draws_stay_on_the_simplex_for_extreme_concentrations() {
    let mut rng = ChaCha8Rng::seed_from_u64(312);
    for alpha in [vec![1e-300, 1e-300], vec![1e-300, 1.0, 1e6], vec![1e8; 3]] {
        let d = Dirichlet::new(alpha).unwrap();
        for _ in 0..100 {
            let x = d.sample(&mut rng).unwrap();
            assert!(
                x.iter().all(|v| (0.0..=1.0).contains(v))
                    && (x.iter().sum::<f64>() - 1.0).abs() < 1e-12,
                "{d:?}: {x:?}"
            );
        }
    }
}

/// Every vector of `k` counts summing to `n`, in lexicographic order.
fn compositions(n: u64, k: usize) -> Vec<Vec<u64>> {
    if k == 1 {
        return vec![vec![n]];
    }
    (0..=n)
        .flat_map(|first| {
            compositions(n - first, k - 1)
                .into_iter()
                .map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
        })
        .collect()
}

#[test]
fn chi_square_multinomial_joint_and_marginals() {
    // Joint: every outcome of a small multinomial against the library's masses (which
    // `log_prob_matches_reference` checks against mpmath); they must also sum to 1.
    for (seed, d) in [
        Multinomial::new(4, [0.2, 0.3, 0.5]).unwrap(),
        Multinomial::from_logits(6, [0.0, -1.0, 1.5, 0.2]).unwrap(),
    ]
    .into_iter()
    .enumerate()
    {
        let outcomes = compositions(d.total_count(), d.num_categories());
        let probabilities: Vec<f64> = outcomes
            .iter()
            .map(|x| d.log_prob(&Values::from_slice(x)).exp())
            .collect();
        assert!((probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-13);
        let mut counts = vec![0_u64; outcomes.len()];
        let mut rng = ChaCha8Rng::seed_from_u64(320 + seed as u64);
        for _ in 0..DRAWS {
            let x = d.sample(&mut rng).unwrap();
            counts[outcomes.binary_search(&x).expect("a valid outcome")] += 1;
        }
        // Pool the outcomes expected fewer than 20 times into one bin.
        let (mut pooled_counts, mut pooled_probabilities) = (vec![0], vec![0.0]);
        for (&c, &p) in counts.iter().zip(&probabilities) {
            if p * (DRAWS as f64) < 20.0 {
                pooled_counts[0] += c;
                pooled_probabilities[0] += p;
            } else {
                pooled_counts.push(c);
                pooled_probabilities.push(p);
            }
        }
        if pooled_probabilities[0] == 0.0 {
            pooled_counts.remove(0);
            pooled_probabilities.remove(0);
        }
        let (statistic, critical) = chi_square(&pooled_counts, &pooled_probabilities);
        assert!(
            statistic < critical,
            "{d:?}: chi-square {statistic:.2} >= {critical:.2}"
        );
    }
    // Marginals: the count of category k is Binomial(n, p_k), here for n large enough that the
    // binomials are drawn by BTPE, and for a category that is almost never chosen.
    let d = Multinomial::new(500, [0.3, 0.001, 0.199, 0.5]).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(330);
    let x: Vec<Vec<u64>> = (0..DRAWS).map(|_| d.sample(&mut rng).unwrap()).collect();
    assert!(x.iter().all(|x| x.iter().sum::<u64>() == 500));
    for (k, p) in d.probs().into_iter().enumerate() {
        let reference = statrs::distribution::Binomial::new(p, 500).unwrap();
        let marginal: Vec<u64> = x.iter().map(|x| x[k]).collect();
        assert_chi_square_of_counts(&format!("{d:?}[{k}]"), &marginal, |j| reference.pmf(j));
    }
}

#[test]
fn multinomial_moments_constructors_and_kind() {
    let d = Multinomial::new(12, [0.1, 0.6, 0.3]).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(331);
    let x: Vec<Vec<u64>> = (0..50_000).map(|_| d.sample(&mut rng).unwrap()).collect();
    for (k, (mean, variance)) in d
        .mean_vector()
        .into_iter()
        .zip(d.variance_vector())
        .enumerate()
    {
        let values: Vec<f64> = x.iter().map(|x| x[k] as f64).collect();
        assert_moments(&format!("{d:?}[{k}]"), &values, mean, variance);
    }
    // 1 - p from ln p: the variance of a near-certain category keeps its digits.
    let sure = Multinomial::from_logits(10, [40.0, 0.0]).unwrap();
    let v = sure.variance_vector()[0];
    assert!((v - 10.0 * (-40.0_f64).exp()).abs() < 1e-15 * v, "{v}");
    assert_eq!(d.mean(), None);
    assert_eq!(d.support(), Support::NonNegativeInteger);
    kind_is::<Multinomial, model_runtime::value::Counts>();

    assert_eq!(
        Multinomial::<f64>::new(3, vec![]),
        Err(MultinomialError::NoCategories)
    );
    assert!(matches!(
        Multinomial::new(3, [0.5, 1.5]),
        Err(MultinomialError::ProbsOutOfRange { index: 1, .. })
    ));
    assert!(matches!(
        Multinomial::new(3, [0.5, f64::NAN]),
        Err(MultinomialError::ProbsOutOfRange { index: 1, .. })
    ));
    assert_eq!(
        Multinomial::new(3, [0.5, 0.6]),
        Err(MultinomialError::ProbsDoNotSumToOne { sum: 1.1 })
    );
    assert!(matches!(
        Multinomial::from_logits(3, [0.0, f64::INFINITY]),
        Err(MultinomialError::LogitsNotFinite { index: 1, .. })
    ));
    assert_eq!(
        Multinomial::new(3, [0.5, 0.6]).unwrap_err().to_string(),
        "Multinomial probs must sum to 1, got a sum of 1.1; to normalize weights, use `Multinomial::from_logits` with their logs"
    );
    // Certain and impossible outcomes.
    let mut rng = ChaCha8Rng::seed_from_u64(332);
    let certain = Multinomial::new(7, [0.0, 1.0, 0.0]).unwrap();
    assert_eq!(certain.sample(&mut rng), Some(vec![0, 7, 0]));
    assert_eq!(certain.log_prob(&Values::from_slice(&[0, 7, 0])), 0.0);
    assert_eq!(
        certain.log_prob(&Values::from_slice(&[1, 6, 0])),
        f64::NEG_INFINITY
    );
    let none = Multinomial::new(0, [0.5, 0.5]).unwrap();
    assert_eq!(none.sample(&mut rng), Some(vec![0, 0]));
}

/// The correlation matrix `L Lᵀ` of a row-major `d × d` Cholesky factor.
fn correlation_matrix(l: &[f64], d: usize) -> Vec<f64> {
    let mut c = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            c[i * d + j] = (0..d).map(|k| l[i * d + k] * l[j * d + k]).sum();
        }
    }
    c
}

#[test]
fn ks_lkj_correlations_are_scaled_beta() {
    // Each off-diagonal correlation is 2B - 1 with B ~ Beta(η + (D-2)/2, η + (D-2)/2) (LKJ 2009,
    // section 3.2), whatever the row: the first row pair and the last are tested.
    use model_runtime::bijectors::{CorrelationCholesky, VectorBijector};
    let cases = [(2, 1.0), (3, 0.5), (4, 2.0), (5, 0.05), (3, 1e3)];
    for (seed, (d, eta)) in cases.into_iter().enumerate() {
        let lkj = LKJCholesky::new(d, eta).unwrap();
        let x = vector_draws(&lkj, 340 + seed as u64, DRAWS);
        let bijector = CorrelationCholesky::new(d);
        assert!(
            x.iter().all(|l| bijector.contains(l)),
            "{lkj:?}: a draw is not a correlation Cholesky factor"
        );
        let shape = eta + (d as f64 - 2.0) / 2.0;
        let beta = statrs::distribution::Beta::new(shape, shape).unwrap();
        for (i, j) in [(1, 0), (d - 1, d - 2)] {
            assert_ks_marginal(
                &format!("{lkj:?} C[{i},{j}]"),
                &x,
                |l| correlation_matrix(l, d)[i * d + j],
                |c| beta.cdf((c + 1.0) / 2.0),
            );
        }
    }
}

#[test]
fn lkj_constrains_through_the_correlation_cholesky_bijector() {
    for (seed, (d, eta)) in [(2, 1.0), (3, 0.5), (5, 4.0)].into_iter().enumerate() {
        let lkj = LKJCholesky::new(d, eta).unwrap();
        assert_eq!(lkj.unconstrained_len(), d * (d - 1) / 2);
        check_round_trips(&lkj, 350 + seed as u64, 1e-9);
    }
    let lkj = LKJCholesky::new(2, 1.0).unwrap();
    let mut out = Vec::new();
    assert_eq!(
        lkj.unconstrain(&vec![1.0, 0.0, 0.6, 0.6], &mut out),
        Err(0.72)
    );
    assert_eq!(
        lkj.unconstrain(&vec![1.0, 0.5, 0.0, 1.0], &mut out),
        Err(0.5)
    );
    assert!(lkj.unconstrain(&vec![1.0], &mut out).unwrap_err().is_nan());
    assert!(out.is_empty());
    assert!(lkj.log_prob(&Values::from_slice(&[1.0, 0.0, 0.0])).is_nan());
    assert_eq!(
        lkj.support(),
        Support::Interval(-1.0, 1.0),
        "elements of a correlation factor"
    );
    kind_is::<LKJCholesky, Reals>();
}

#[test]
fn lkj_rejects_bad_parameters() {
    for d in [0, 1] {
        assert_eq!(
            LKJCholesky::new(d, 1.0),
            Err(LKJCholeskyError::DimensionTooSmall { dimension: d })
        );
    }
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            LKJCholesky::new(3, bad),
            Err(LKJCholeskyError::ConcentrationNotPositive { .. })
        ));
    }
    assert_eq!(
        LKJCholesky::new(1, 1.0).unwrap_err().to_string(),
        "LKJCholesky dimension must be at least 2, got 1"
    );
}

/// A CDF by integrating a density from `lower` with the 8-point Gauss–Legendre rule on pieces no
/// wider than `piece`, carried from one call to the next (points must increase), and divided by
/// the integral up to `upper`, so that it needs no normalizing constant.
struct QuadratureCdf<F: Fn(f64) -> f64> {
    density: F,
    piece: f64,
    at: f64,
    integral: f64,
    total: f64,
}

impl<F: Fn(f64) -> f64> QuadratureCdf<F> {
    fn new(density: F, lower: f64, upper: f64, piece: f64) -> Self {
        let mut cdf = QuadratureCdf {
            density,
            piece,
            at: lower,
            integral: 0.0,
            total: 1.0,
        };
        cdf.total = cdf.integrate(lower, upper);
        cdf
    }

    fn at(&mut self, x: f64) -> f64 {
        assert!(x >= self.at, "points must increase");
        self.integral += self.integrate(self.at, x);
        self.at = x;
        self.integral / self.total
    }

    fn integrate(&self, a: f64, b: f64) -> f64 {
        let pieces = ((b - a) / self.piece).ceil().max(1.0);
        let h = (b - a) / pieces;
        let mut sum = 0.0;
        for i in 0..pieces as usize {
            let mid = a + (i as f64 + 0.5) * h;
            for (node, weight) in GAUSS_LEGENDRE_NODES.iter().zip(GAUSS_LEGENDRE_WEIGHTS) {
                sum += weight
                    * ((self.density)(mid - 0.5 * h * node) + (self.density)(mid + 0.5 * h * node));
            }
        }
        sum * 0.5 * h
    }
}

#[test]
fn projected_normal_densities_integrate_to_one() {
    // On the circle over the angle; on the sphere, with the concentration along the third axis,
    // over z = cos(polar angle), whose area element is dz dφ.
    for c in [[0.0, 0.0], [1.0, 0.5], [3.0, -4.0], [30.0, 40.0]] {
        let d = ProjectedNormal::new(c).unwrap();
        let density = |a: f64| d.log_prob(&Values::from_slice(&[a.cos(), a.sin()])).exp();
        let total = QuadratureCdf::new(density, -PI, PI, 1e-3).total;
        assert!((total - 1.0).abs() < 1e-12, "{d:?}: {total}");
    }
    for kappa in [0.0, 0.7, 3.0, 25.0] {
        let d = ProjectedNormal::new([0.0, 0.0, kappa]).unwrap();
        let density = |z: f64| {
            let s = (1.0 - z * z).max(0.0).sqrt();
            2.0 * PI * d.log_prob(&Values::from_slice(&[s, 0.0, z])).exp()
        };
        let total = QuadratureCdf::new(density, -1.0, 1.0, 1e-3).total;
        assert!((total - 1.0).abs() < 1e-12, "{d:?}: {total}");
    }
}

#[test]
fn ks_projected_normal_angles() {
    // Circle: the angle of the draws against the integrated density. Sphere: z = cos(polar
    // angle) against its marginal, and the azimuth, which is uniform.
    for (seed, c) in [[1.0, 0.5], [-0.2, 0.1], [3.0, -4.0], [30.0, 40.0]]
        .into_iter()
        .enumerate()
    {
        let d = ProjectedNormal::new(c).unwrap();
        let x = vector_draws(&d, 360 + seed as u64, DRAWS);
        assert!(
            x.iter()
                .all(|v| (v[0] * v[0] + v[1] * v[1] - 1.0).abs() < 1e-15)
        );
        let mut cdf = QuadratureCdf::new(
            |a: f64| d.log_prob(&Values::from_slice(&[a.cos(), a.sin()])).exp(),
            -PI,
            PI,
            1e-3,
        );
        assert_ks_marginal(&format!("{d:?}"), &x, |v| v[1].atan2(v[0]), |a| cdf.at(a));
    }
    for (seed, kappa) in [0.0, 0.7, 3.0, 25.0].into_iter().enumerate() {
        let d = ProjectedNormal::new([0.0, 0.0, kappa]).unwrap();
        let x = vector_draws(&d, 370 + seed as u64, DRAWS);
        let mut cdf = QuadratureCdf::new(
            |z: f64| {
                let s = (1.0 - z * z).max(0.0).sqrt();
                d.log_prob(&Values::from_slice(&[s, 0.0, z])).exp()
            },
            -1.0,
            1.0,
            1e-3,
        );
        assert_ks_marginal(&format!("{d:?} z"), &x, |v| v[2], |z| cdf.at(z));
        assert_ks_marginal(
            &format!("{d:?} azimuth"),
            &x,
            |v| v[1].atan2(v[0]),
            |a| (a + PI) / (2.0 * PI),
        );
    }
}

#[test]
fn projected_normal_values_parameters_and_coordinates() {
    let d = ProjectedNormal::new([1.0, 2.0, 2.0]).unwrap();
    assert_eq!(
        d.log_prob(&Values::from_slice(&[1.0, 1.0, 0.0])),
        f64::NEG_INFINITY
    );
    assert_eq!(
        d.log_prob(&Values::from_slice(&[f64::NAN, 0.0, 1.0])),
        f64::NEG_INFINITY
    );
    assert!(d.log_prob(&Values::from_slice(&[1.0, 0.0])).is_nan());
    assert_eq!(d.mean_direction(), vec![1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]);
    assert_eq!(d.mean(), None);
    assert_eq!(d.support(), Support::Interval(-1.0, 1.0));
    kind_is::<ProjectedNormal, Reals>();
    // Three coordinates (the auxiliary vector of the reparameterizer); a value is its own.
    assert_eq!(d.unconstrained_len(), 3);
    let mut out = Vec::new();
    d.unconstrain(&vec![0.0, 0.6, 0.8], &mut out).unwrap();
    assert_eq!(out, vec![0.0, 0.6, 0.8]);
    assert_eq!(d.unconstrain(&vec![0.0, 1.0, 1.0], &mut out), Err(2.0));
    assert!(
        d.unconstrain(&vec![0.0, 1.0], &mut out)
            .unwrap_err()
            .is_nan()
    );
    // Projecting has no log-Jacobian: the density comes from the reparameterizer.
    let (v, log_jacobian) = d.constrain(&[0.0, 3.0, 4.0]);
    assert_eq!(
        (v.into_vec(), log_jacobian.is_nan()),
        (vec![0.0, 0.6, 0.8], true)
    );
    let (value, log_density) = d.project_auxiliary(&[0.0, 3.0, 4.0]).unwrap();
    let normal = MultivariateNormal::new(
        vec![1.0, 2.0, 2.0],
        vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
    )
    .unwrap()
    .log_prob(&Values::from_slice(&[0.0, 3.0, 4.0]));
    assert_eq!(value, vec![0.0, 0.6, 0.8]);
    assert!((log_density - normal).abs() < 1e-14);
    assert_eq!(
        Normal::new(0.0, 1.0).unwrap().project_auxiliary(&[1.0]),
        None
    );
    assert_eq!(
        <ProjectedNormal as Distribution>::REQUIRED_REPARAM,
        Some("ProjectedNormalReparam")
    );
    assert_eq!(<Normal as Distribution>::REQUIRED_REPARAM, None);

    for bad in [vec![1.0], vec![0.0; 4], vec![]] {
        let n = bad.len();
        assert_eq!(
            ProjectedNormal::new(bad),
            Err(ProjectedNormalError::DimensionNotTwoOrThree { dimension: n })
        );
    }
    assert!(matches!(
        ProjectedNormal::new([0.0, f64::INFINITY]),
        Err(ProjectedNormalError::ConcentrationNotFinite { index: 1, .. })
    ));
    assert_eq!(
        ProjectedNormal::new([1.0; 4]).unwrap_err().to_string(),
        "ProjectedNormal concentration must have 2 or 3 elements (the circle or the sphere), got 4"
    );
}

// ---------------------------------------------------------------------------------------------
// Mixtures
// ---------------------------------------------------------------------------------------------

#[test]
fn ks_and_chi_square_mixtures() {
    // The mixture CDF is the weighted sum of the components' CDFs.
    let (weights, locs, scales) = ([0.3, 0.5, 0.2], [-2.0, 1.0, 6.0], [1.0, 0.5, 3.0]);
    let components: Vec<Normal> = locs
        .iter()
        .zip(scales)
        .map(|(&l, s)| Normal::new(l, s).unwrap())
        .collect();
    let m = Mixture::<Normal>::new(weights, components).unwrap();
    assert_ks(m, 380, |x| {
        (0..3)
            .map(|k| weights[k] * normal_cdf((x - locs[k]) / scales[k]))
            .sum()
    });
    let logits = Mixture::<Normal>::from_logits(
        [0.0, 2.0],
        vec![
            Normal::new(0.0, 1.0).unwrap(),
            Normal::new(0.0, 10.0).unwrap(),
        ],
    )
    .unwrap();
    let w = 1.0 / (1.0 + 2f64.exp());
    assert_ks(logits, 381, |x| {
        w * normal_cdf(x) + (1.0 - w) * normal_cdf(x / 10.0)
    });
    // Counts: the kind is the components' (u64 values).
    let rates = [0.5, 20.0];
    let poisson = Mixture::<Poisson>::new(
        [0.25, 0.75],
        vec![
            Poisson::new(rates[0]).unwrap(),
            Poisson::new(rates[1]).unwrap(),
        ],
    )
    .unwrap();
    let pmfs = rates.map(|r| statrs::distribution::Poisson::new(r).unwrap());
    assert_chi_square(&poisson, 382, |k| {
        0.25 * pmfs[0].pmf(k) + 0.75 * pmfs[1].pmf(k)
    });
    kind_is::<Mixture<Poisson>, Count>();
    kind_is::<Mixture<Normal>, Real>();
}

#[test]
fn mixture_moments_follow_the_law_of_total_variance() {
    let m = Mixture::<Gamma>::new(
        [0.6, 0.4],
        vec![
            Gamma::new(2.0, 1.0).unwrap(),
            Gamma::new(50.0, 5.0).unwrap(),
        ],
    )
    .unwrap();
    let mean = 0.6 * 2.0 + 0.4 * 10.0;
    let variance =
        0.6 * (2.0 + (2.0 - mean) * (2.0 - mean)) + 0.4 * (2.0 + (10.0 - mean) * (10.0 - mean));
    assert!((m.mean().unwrap() - mean).abs() < 1e-14);
    assert!((m.variance().unwrap() - variance).abs() < 1e-13);
    check_real_moments(m, 383);
    // A component without a mean leaves the mixture without one.
    let cauchy = Mixture::<Cauchy>::new(
        [0.5, 0.5],
        vec![
            Cauchy::new(0.0, 1.0).unwrap(),
            Cauchy::new(1.0, 1.0).unwrap(),
        ],
    )
    .unwrap();
    assert_eq!((cauchy.mean(), cauchy.variance()), (None, None));
}

#[test]
fn mixtures_of_vector_families_use_the_first_components_coordinates() {
    let m = Mixture::<Dirichlet>::new(
        [0.5, 0.5],
        vec![
            Dirichlet::new([1.0, 2.0, 3.0]).unwrap(),
            Dirichlet::new([5.0, 1.0, 0.5]).unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(m.unconstrained_len(), 2);
    check_round_trips(&m, 384, 1e-12);
    let x = vec![0.2, 0.3, 0.5];
    let direct = (0.5 * m.components()[0].log_prob(&Values::from_slice(&x)).exp()
        + 0.5 * m.components()[1].log_prob(&Values::from_slice(&x)).exp())
    .ln();
    assert!((m.log_prob(&Values::from_slice(&x)) - direct).abs() < 1e-14);
    kind_is::<Mixture<Dirichlet>, Reals>();
}

#[test]
fn mixtures_reject_bad_weights_and_components() {
    let two = || {
        vec![
            Normal::new(0.0, 1.0).unwrap(),
            Normal::new(1.0, 1.0).unwrap(),
        ]
    };
    assert_eq!(
        Mixture::<Normal>::new(Vec::<f64>::new(), Vec::<Normal>::new()),
        Err(MixtureError::NoComponents)
    );
    assert_eq!(
        Mixture::<Normal>::new([1.0], two()),
        Err(MixtureError::LengthMismatch {
            weights: 1,
            components: 2
        })
    );
    assert_eq!(
        Mixture::<Normal>::new([-0.1, 1.1], two()),
        Err(MixtureError::WeightOutOfRange {
            index: 0,
            weight: -0.1
        })
    );
    assert!(matches!(
        Mixture::<Normal>::new([0.5, f64::NAN], two()),
        Err(MixtureError::WeightOutOfRange { index: 1, .. })
    ));
    assert_eq!(
        Mixture::<Normal>::new([0.5, 0.6], two()),
        Err(MixtureError::WeightsDoNotSumToOne { sum: 1.1 })
    );
    assert!(matches!(
        Mixture::<Normal>::from_logits([0.0, f64::NEG_INFINITY], two()),
        Err(MixtureError::LogitNotFinite { index: 1, .. })
    ));
    // Constructors' results are accepted, and their errors reported with the index.
    let error = Mixture::<Normal>::new(
        [0.5, 0.5],
        vec![Normal::new(0.0, 1.0), Normal::new(0.0, -1.0)],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Mixture component 1 is invalid: Normal scale must be positive and finite, got -1"
    );
    assert_eq!(
        Mixture::<Uniform>::new(
            [0.5, 0.5],
            vec![Uniform::new(0.0, 1.0), Uniform::new(0.0, 2.0)]
        )
        .unwrap_err()
        .to_string(),
        "Mixture component 1 has another support than component 0; the components of a mixture must share their support"
    );
}

#[test]
fn mixtures_of_unsamplable_families_have_no_draws() {
    let m =
        Mixture::<ImproperUniform>::new([1.0], vec![ImproperUniform::new(Support::Real).unwrap()])
            .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(385);
    assert_eq!(m.sample(&mut rng), None);
    assert_eq!(m.log_prob(&3.0), 0.0);
}
