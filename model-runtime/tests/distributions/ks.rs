//! Kolmogorov–Smirnov tests of the continuous samplers against their CDFs.

use std::f64::consts::PI;

use model_runtime::distributions::*;
use model_runtime::special;
use model_runtime::value::Real;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use statrs::distribution::ContinuousCDF;

use crate::reference::{param, reference, truncated_normal};

pub(crate) const DRAWS: usize = 20_000;

/// The Kolmogorov–Smirnov statistic `sup |F_n(x) - F(x)|` of `draws` against `cdf`.
///
/// The draws are sorted first and `cdf` is called on them in increasing order, so a CDF that
/// integrates a density can carry its running integral from one call to the next.
pub(crate) fn ks_statistic(mut draws: Vec<f64>, mut cdf: impl FnMut(f64) -> f64) -> f64 {
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
pub(crate) fn ks_critical_value(n: usize) -> f64 {
    1.95 / (n as f64).sqrt()
}

pub(crate) fn draws<D>(distribution: &D, seed: u64, n: usize) -> Vec<f64>
where
    D: Distribution<Scalar = f64, Kind = Real>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| distribution.sample(&mut rng).expect("samplable"))
        .collect()
}

pub(crate) fn assert_ks<D>(distribution: D, seed: u64, cdf: impl FnMut(f64) -> f64)
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

pub(crate) fn normal_cdf(z: f64) -> f64 {
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
pub(crate) const GAUSS_LEGENDRE_NODES: [f64; 4] = [
    0.183_434_642_495_649_8,
    0.525_532_409_916_329,
    0.796_666_477_413_626_7,
    0.960_289_856_497_536_3,
];
pub(crate) const GAUSS_LEGENDRE_WEIGHTS: [f64; 4] = [
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
