//! Reverse-mode gradients against finite differences: every distribution's log density (in its
//! value and each parameter), every support bijection and reparameterizer, special functions,
//! and whole models, including extreme parameters.
//!
//! Its length (about 920 lines) is one finite-difference check per distribution, bijection,
//! reparameterizer and special function, in tables.

use model_runtime::autodiff::{Var, gradient};
use model_runtime::distributions::*;
use model_runtime::prelude::*;
use model_runtime::reparam::Bijection;
use model_runtime::special;

/// A function of a few reals, written once for every scalar type.
trait Target {
    fn eval<T: Scalar>(&self, x: &[T]) -> T
    where
        f64: FloatOps<T>;
}

/// The derivative of `f` in coordinate `i` by the five-point stencil (error O(h^4)). Steps run
/// from `1e-4 |x_i|` down by halves; the estimate where successive steps agree best is taken, so
/// tiny and huge parameters and short length scales are differentiated alike.
fn finite_difference<F: Target>(f: &F, x: &[f64], i: usize) -> f64 {
    let scale = if x[i] == 0.0 { 1.0 } else { x[i].abs() };
    let stencil = |h: f64| {
        let at = |delta: f64| {
            let mut y = x.to_vec();
            y[i] += delta;
            f.eval::<f64>(&y)
        };
        (at(-2.0 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2.0 * h)) / (12.0 * h)
    };
    let estimates: Vec<f64> = (0..14)
        .map(|k| stencil(1e-4 * scale * 0.5f64.powi(k)))
        .collect();
    let best = (0..estimates.len() - 1)
        .min_by(|&a, &b| {
            let da = (estimates[a] - estimates[a + 1]).abs();
            let db = (estimates[b] - estimates[b + 1]).abs();
            da.total_cmp(&db)
        })
        .expect("several steps");
    estimates[best + 1]
}

/// Checks the autodiff gradient of `f` at `x` against finite differences, and its value against
/// the `f64` evaluation. The tolerance is relative, with a floor scaled by `|f| / |x_i|`, the size
/// of the rounding error of the difference quotient.
fn check<F: Target>(name: &str, x: &[f64], f: &F) {
    let mut g = vec![0.0; x.len()];
    let value = gradient(x, &mut g, |v: &[Var]| Ok::<_, ()>(f.eval(v))).unwrap();
    let plain = f.eval::<f64>(x);
    assert!(
        value == plain || (value - plain).abs() <= 1e-14 * plain.abs(),
        "{name}: value {value} vs {plain}"
    );
    for i in 0..x.len() {
        let fd = finite_difference(f, x, i);
        let scale = x[i].abs().max(if x[i] == 0.0 { 1.0 } else { 0.0 });
        let tolerance = 1e-6 * fd.abs() + 1e-9 * plain.abs().max(1.0) / scale;
        assert!(
            (g[i] - fd).abs() <= tolerance,
            "{name} at {x:?}: d/dx{i} autodiff {} vs finite difference {fd}",
            g[i]
        );
    }
}

macro_rules! check {
    ($name:expr, [$($p:expr),* $(,)?], |$x:ident| $body:expr) => {{
        struct F;
        impl Target for F {
            fn eval<T: Scalar>(&self, $x: &[T]) -> T
            where
                f64: FloatOps<T>,
            {
                $body
            }
        }
        check($name, &[$($p),*], &F);
    }};
}

#[test]
fn continuous_distributions_in_value_and_parameters() {
    for p in [
        [0.3, -1.0, 2.0],
        [1e3, 1e3 + 5.0, 1e-2],
        [-4.0, 0.0, 1e-8],
        [0.0, 2.0, 1e8],
    ] {
        check!("Normal", [p[0], p[1], p[2]], |x| Normal::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
        check!("Cauchy", [p[0], p[1], p[2]], |x| Cauchy::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
        check!("LogNormal", [p[0].abs() + 0.5, p[1] * 1e-3, p[2]], |x| {
            LogNormal::new(x[1], x[2]).unwrap().log_prob(&x[0])
        });
    }
    for (x, s) in [(0.5, 1.0), (1e-9, 1e-8), (3e7, 1e8), (4.0, 0.3)] {
        check!("HalfNormal", [x, s], |x| HalfNormal::new(x[1])
            .unwrap()
            .log_prob(&x[0]));
        check!("HalfCauchy", [x, s], |x| HalfCauchy::new(x[1])
            .unwrap()
            .log_prob(&x[0]));
        check!("Exponential", [x, 1.0 / s], |x| Exponential::new(x[1])
            .unwrap()
            .log_prob(&x[0]));
    }
    for (v, df, loc, scale) in [
        (0.3, 3.0, 0.0, 1.0),
        (50.0, 0.5, 1.0, 2.0),
        (1.0, 1e6, 0.5, 0.1),
    ] {
        check!("StudentT", [v, df, loc, scale], |x| {
            StudentT::new(x[1], x[2], x[3]).unwrap().log_prob(&x[0])
        });
        check!("HalfStudentT", [v, df, scale], |x| {
            HalfStudentT::new(x[1], x[2]).unwrap().log_prob(&x[0])
        });
    }
    for (v, a, b) in [
        (2.0, 3.0, 1.5),
        (1e-3, 1e-3, 2.0),
        (1.01, 1e4, 1e4),
        (40.0, 0.5, 0.01),
    ] {
        check!("Gamma", [v, a, b], |x| Gamma::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
    }
    for (v, a, b) in [
        (0.3, 2.0, 5.0),
        (0.999, 0.2, 0.2),
        (0.52, 1e3, 1e3),
        (1e-6, 0.5, 3.0),
    ] {
        check!("Beta", [v, a, b], |x| Beta::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
    }
    check!("Uniform", [0.3, -1.0, 2.0], |x| Uniform::new(x[1], x[2])
        .unwrap()
        .log_prob(&x[0]));
}

#[test]
fn real_line_location_scale_families() {
    // (value, loc, scale), away from the kink of Laplace at its location; far tails, tiny and
    // huge scales.
    for p in [
        [0.3, -1.0, 2.0],
        [1e3 + 5.01, 1e3 + 5.0, 1e-2],
        [-3.0, 0.0, 1.0],
        [40.0, 0.0, 1.0],
        [-4e-8, -1e-8, 1e-8],
        [2e8, 0.0, 1e8],
    ] {
        check!("Laplace", [p[0], p[1], p[2]], |x| Laplace::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
        check!("Logistic", [p[0], p[1], p[2]], |x| Logistic::new(
            x[1], x[2]
        )
        .unwrap()
        .log_prob(&x[0]));
        check!("Gumbel", [p[0], p[1], p[2]], |x| Gumbel::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
    }
    check!("Logistic far left", [-800.0, 0.0, 1.0], |x| {
        Logistic::new(x[1], x[2]).unwrap().log_prob(&x[0])
    });
}

#[test]
fn truncated_and_skew_normal() {
    // (value, loc, scale, low, high): around the mode, each side of it, narrow intervals (the
    // quadrature form), and far tails.
    for p in [
        [0.3, 0.0, 1.0, -1.0, 2.0],
        [2.5, 0.0, 1.0, 2.0, 3.0],
        [-2.5, 0.0, 1.0, -3.0, -2.0],
        [0.5, 0.0, 1.0, 0.3, 0.9],
        [30.005, 0.0, 1.0, 30.0, 30.01],
        [30.5, 0.0, 1.0, 30.0, 31.0],
        [-30.2, 0.0, 1.0, -31.0, -30.0],
        [5e-10, 1e-12, 1e-10, 2e-10, 1.2e-9],
    ] {
        check!("TruncatedNormal", [p[0], p[1], p[2], p[3], p[4]], |x| {
            TruncatedNormal::new(x[1], x[2], x[3], x[4])
                .unwrap()
                .log_prob(&x[0])
        });
    }
    // (value, loc, scale, bound)
    for p in [
        [30.1, 0.0, 1.0, 30.0],
        [1.0, 0.0, 1.0, -0.5],
        [1.000_000_1e12, 0.0, 1e10, 1e12],
        [1e6 + 1.0, 0.0, 1.0, 1e6],
    ] {
        check!("TruncatedNormal lower", [p[0], p[1], p[2], p[3]], |x| {
            TruncatedNormal::lower(x[1], x[2], x[3])
                .unwrap()
                .log_prob(&x[0])
        });
        check!("TruncatedNormal upper", [-p[0], -p[1], p[2], -p[3]], |x| {
            TruncatedNormal::upper(x[1], x[2], x[3])
                .unwrap()
                .log_prob(&x[0])
        });
    }
    // (value, loc, scale, skewness), with α z on both sides of ln Φ's branch points and far out.
    for p in [
        [0.3, 1.0, 2.0, 3.0],
        [-10.0, 1.0, 2.0, 3.0],
        [0.5, 0.0, 1.0, -2.0],
        [30.0, 0.0, 1.0, -2.0],
        [-1.0, 0.0, 1.0, 50.0],
        [0.07, 0.0, 1.0, 50.0],
        [2.0, 0.0, 1.0, 1e-10],
        [-3e10, 0.0, 1e10, 4.0],
    ] {
        check!("SkewNormal", [p[0], p[1], p[2], p[3]], |x| {
            SkewNormal::new(x[1], x[2], x[3]).unwrap().log_prob(&x[0])
        });
    }
}

#[test]
fn positive_families() {
    for (v, a, b) in [
        (0.5, 3.0, 2.0),
        (1e-3, 1e-3, 1.0),
        (0.99, 1e4, 1e4),
        (1e6, 0.5, 10.0),
    ] {
        check!("InverseGamma", [v, a, b], |x| InverseGamma::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
    }
    // (value, scale, concentration)
    for (v, scale, k) in [
        (0.8, 1.0, 1.5),
        (0.999, 1.0, 1e3),
        (1e6, 2.0, 0.5),
        (5e9, 1e10, 3.0),
        (1e-100, 1.0, 1e-3),
    ] {
        check!("Weibull", [v, scale, k], |x| Weibull::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
    }
    // (value, scale, alpha), on both sides of the switch of log-ratio forms at 2 x_m.
    for (v, scale, alpha) in [
        (1.5, 1.0, 3.0),
        (2.5, 1.0, 3.0),
        (1.000_05, 1.0, 1e6),
        (1e10, 1e-10, 2.0),
        (3.0, 2.5, 0.5),
    ] {
        check!("Pareto", [v, scale, alpha], |x| Pareto::new(x[1], x[2])
            .unwrap()
            .log_prob(&x[0]));
    }
    for (v, df) in [(2.0, 3.0), (1.001e6, 1e6), (1e-10, 1e-3), (0.5, 0.5)] {
        check!("Chi2", [v, df], |x| Chi2::new(x[1])
            .unwrap()
            .log_prob(&x[0]));
    }
}

#[test]
fn von_mises_including_extreme_concentrations() {
    for (v, loc, kappa) in [
        (0.3, -0.2, 2.0),
        (3.1, -3.0, 0.5),
        (0.01, 0.0, 700.0),
        (-0.001, 0.0, 1e5),
        (1.0, 2.0, 1e-8),
    ] {
        check!("VonMises", [v, loc, kappa], |x| {
            VonMises::new(x[1], x[2]).unwrap().log_prob(&x[0])
        });
    }
}

#[test]
fn discrete_distributions_in_their_parameters() {
    for p in [0.3, 1e-6, 0.999] {
        check!("Bernoulli probs", [p], |x| {
            Bernoulli::new(x[0]).unwrap().log_prob(&true)
                + Bernoulli::new(x[0]).unwrap().log_prob(&false)
        });
    }
    for l in [-30.0, 0.2, 25.0] {
        check!("Bernoulli logits", [l], |x| {
            Bernoulli::from_logits(x[0]).unwrap().log_prob(&true) * 2.0
                + Bernoulli::from_logits(x[0]).unwrap().log_prob(&false)
        });
    }
    for (rate, k) in [(3.5, 2u64), (1e-4, 0), (1e6, 1_000_300), (20.0, 80)] {
        struct P(u64);
        impl Target for P {
            fn eval<T: Scalar>(&self, x: &[T]) -> T
            where
                f64: FloatOps<T>,
            {
                Poisson::new(x[0]).unwrap().log_prob(&self.0)
            }
        }
        check("Poisson", &[rate], &P(k));
    }
}

/// Like `check!`, for a log mass at a fixed count `k` (with a fixed total `n` where the
/// distribution has one), both bound in the body.
macro_rules! check_at {
    ($name:expr, ($total:expr, $count:expr), [$($p:expr),* $(,)?], |$x:ident, $n:pat, $k:ident| $body:expr) => {{
        struct F(u64, u64);
        impl Target for F {
            fn eval<T: Scalar>(&self, $x: &[T]) -> T
            where
                f64: FloatOps<T>,
            {
                let ($n, $k) = (self.0, self.1);
                $body
            }
        }
        check(
            &format!("{} at n = {}, k = {}", $name, $total, $count),
            &[$($p),*],
            &F($total, $count),
        );
    }};
}

#[test]
fn count_distributions_in_their_parameters() {
    // Binomial: both ends, the middle, the tails, large n, and logits beyond the switch to the
    // textbook form (ln p < -700).
    for (n, k, p) in [
        (10, 3, 0.3),
        (10, 0, 0.3),
        (10, 10, 0.3),
        (1_000_000, 499_000, 0.5),
        (1000, 5, 1e-6),
        (40, 39, 0.999),
    ] {
        check_at!("Binomial probs", (n, k), [p], |x, n, k| Binomial::new(
            n, x[0]
        )
        .unwrap()
        .log_prob(&k));
        let logit = (p / (1.0 - p)).ln();
        check_at!("Binomial logits", (n, k), [logit], |x, n, k| {
            Binomial::from_logits(n, x[0]).unwrap().log_prob(&k)
        });
    }
    for (k, logit) in [(1, -800.0), (49, 750.0), (0, -800.0)] {
        check_at!("Binomial extreme logits", (50, k), [logit], |x, n, k| {
            Binomial::from_logits(n, x[0]).unwrap().log_prob(&k)
        });
    }
    // BetaBinomial in both concentrations: small, moderate, the binomial limit, n ≈ α.
    for (n, k, a, b) in [
        (10, 3, 2.0, 3.0),
        (10, 0, 0.5, 0.5),
        (10, 10, 0.5, 0.5),
        (100, 50, 1e-3, 1e-3),
        (1000, 450, 1e6, 1e6),
        (5000, 4990, 1e4, 2.0),
    ] {
        check_at!("BetaBinomial", (n, k), [a, b], |x, n, k| BetaBinomial::new(
            x[0], x[1], n
        )
        .unwrap()
        .log_prob(&k));
    }
    // NegativeBinomial2 in mean and concentration: k = 0, the Poisson limit, overdispersion.
    for (k, mean, concentration) in [
        (0, 3.5, 2.0),
        (3, 3.5, 2.0),
        (100, 3.5, 2.0),
        (10, 10.0, 1e10),
        (900_000, 1e6, 1e3),
        (1, 5.0, 1e-3),
        (2, 1e-10, 1.0),
    ] {
        check_at!(
            "NegativeBinomial2",
            (0, k),
            [mean, concentration],
            |x, _, k| NegativeBinomial2::new(x[0], x[1]).unwrap().log_prob(&k)
        );
    }
    // Geometric from probabilities and from logits.
    for (k, p) in [(0, 0.3), (5, 0.3), (1000, 1e-3), (2, 0.999)] {
        check_at!("Geometric probs", (0, k), [p], |x, _, k| {
            let d = Geometric::new(x[0]).unwrap();
            d.log_prob(&k)
        });
        let logit = (p / (1.0 - p)).ln();
        check_at!("Geometric logits", (0, k), [logit], |x, _, k| {
            Geometric::from_logits(x[0]).unwrap().log_prob(&k)
        });
    }
    check_at!("Geometric far logits", (0, 3), [-800.0], |x, _, k| {
        Geometric::from_logits(x[0]).unwrap().log_prob(&k)
    });
    // Categorical: probabilities on the simplex (the last one is 1 minus the others, so that
    // every finite-difference step stays valid) and logits, including far ones.
    for k in 0..3 {
        check_at!("Categorical probs", (0, k), [0.2, 0.3], |x, _, k| {
            Categorical::new(vec![x[0], x[1], -(x[0] + x[1]) + 1.0])
                .unwrap()
                .log_prob(&k)
        });
        check_at!("Categorical logits", (0, k), [0.5, -1.0, 2.0], |x, _, k| {
            Categorical::from_logits(x.to_vec()).unwrap().log_prob(&k)
        });
        check_at!(
            "Categorical far logits",
            (0, k),
            [-800.0, 0.0, 800.0],
            |x, _, k| Categorical::from_logits(x.to_vec()).unwrap().log_prob(&k)
        );
    }
}

#[test]
fn delta_has_zero_derivative_at_its_point() {
    check!("Delta", [2.5], |x| Delta::new(x[0])
        .unwrap()
        .log_prob(&x[0]));
    check!("Delta elsewhere", [2.5], |x| Delta::new(x[0])
        .unwrap()
        .log_prob(&T::from_f64(3.0))
        .exp());
}

#[test]
fn special_functions() {
    for v in [0.1, 1.0, 3.7, 12.0, 150.0] {
        check!("ln_gamma", [v], |x| x[0].ln_gamma());
        check!("digamma", [v], |x| x[0].digamma());
    }
    for v in [-3.0, -0.2, 0.0, 0.7, 4.0] {
        check!("erf", [v], |x| x[0].erf());
        check!("erfc", [v], |x| x[0].erfc());
        check!("ln_1p_exp", [v * 10.0], |x| x[0].ln_1p_exp());
        check!("sigmoid", [v], |x| x[0].sigmoid());
        check!("tanh atan sin cos", [v], |x| x[0].tanh()
            + x[0].atan()
            + x[0].sin() * x[0].cos());
    }
    // Both sides of erfcx's switch to its asymptotic series at 12 and of ln_ndtr's branches at
    // -1 and 3, and far tails.
    for v in [-3.0, -0.2, 0.0, 0.7, 4.0, 11.9, 12.1, 30.0, 1e3, 1e6] {
        check!("erfcx", [v], |x| x[0].erfcx());
    }
    for v in [-1e4, -40.0, -5.0, -1.01, -0.99, 0.3, 2.9, 3.1, 8.0, 30.0] {
        check!("ln_ndtr", [v], |x| special::ln_ndtr(x[0]));
    }
    for v in [1e-6, 0.5, 1.9, 2.1, 30.0, 700.0, 1e5] {
        check!("ln_i0", [v], |x| x[0].ln_i0());
        check!("ln_i0e", [v], |x| x[0].ln_i0e());
    }
    check!("pow", [1.7, 2.3], |x| x[0].pow(x[1])
        + x[0].powf(0.3)
        + x[1].powi(3));
    for (a, b) in [(800.0, 799.0), (799.0, 800.0), (-3.0, -3.0), (0.5, -20.0)] {
        check!("ln_add_exp", [a, b], |x| x[0].ln_add_exp(x[1]));
    }
    check!("arithmetic", [2.0, -3.0], |x| (1.0 - x[0]) / x[1]
        + 2.0 / x[0]
        - x[1] * x[1]
        + (-x[0]).exp_m1());
}

#[test]
fn trigamma_matches_mpmath() {
    // mpmath.polygamma(1, x) at 30 digits, rounded to 20.
    #[allow(clippy::excessive_precision)]
    let reference = [
        (0.1, 101.4332991507927477),
        (1.0, 1.6449340668482264365),
        (3.7, 0.31003785767003830216),
        (12.0, 0.08690187287176839075),
        (50.0, 0.020201333226697125806),
        (1e4, 0.00010000500016666666633),
    ];
    for (x, expected) in reference {
        let got = special::trigamma(x);
        assert!(
            ((got - expected) / expected).abs() < 1e-14,
            "trigamma({x}) = {got}, not {expected}"
        );
    }
}

#[test]
fn support_bijections_with_their_log_jacobians() {
    struct S(Support<f64>);
    impl Target for S {
        fn eval<T: Scalar>(&self, x: &[T]) -> T
        where
            f64: FloatOps<T>,
        {
            let support: Support<T> = self.0.to_scalar();
            let (value, log_jacobian) = support.from_unconstrained(x[0]);
            value * 0.3 + log_jacobian
        }
    }
    let supports = [
        Support::Real,
        Support::Positive,
        Support::UnitInterval,
        Support::Interval(-2.0, 5.0),
        Support::GreaterThan(1.0),
        Support::LessThan(-1.0),
        Support::Circular,
    ];
    for s in supports {
        for u in [-25.0, -3.0, 0.0, 0.4, 3.0, 25.0] {
            check(&format!("{s:?}"), &[u], &S(s));
        }
    }
    // Bounds that depend on parameters are differentiated too.
    check!("interval with parameter bounds", [0.3, -1.0, 4.0], |x| {
        let (v, lj) = Support::Interval(x[1], x[2]).from_unconstrained(x[0]);
        v + lj
    });
    struct B(Bijection);
    impl Target for B {
        fn eval<T: Scalar>(&self, x: &[T]) -> T
        where
            f64: FloatOps<T>,
        {
            let (v, lj) = self.0.forward(x[0]);
            v + lj
        }
    }
    for b in [
        Bijection::Affine {
            loc: 1.0,
            scale: -3.0,
        },
        Bijection::Exp,
        Bijection::Sigmoid,
    ] {
        for u in [-4.0, 0.0, 2.5] {
            check(&format!("{b:?}"), &[u], &B(b));
        }
    }
}

#[test]
fn dirichlet_through_the_simplex_and_in_its_concentration() {
    // The latent-site target: log density at the constrained value plus the log-Jacobian, in the
    // unconstrained coordinates and the concentrations, in both regimes of the log density
    // (concentrations below and above the switch to Loader's form).
    for (u, alpha) in [
        ([0.3, -1.0], [0.5, 2.0, 3.5]),
        ([2.0, 4.0], [0.05, 1.0, 0.2]),
        ([0.1, -0.2], [40.0, 12.0, 300.0]),
        ([-1.0, 0.5], [1e4, 3.0, 20.0]),
    ] {
        check!(
            "Dirichlet",
            [u[0], u[1], alpha[0], alpha[1], alpha[2]],
            |x| {
                let d = Dirichlet::new(vec![x[2], x[3], x[4]]).unwrap();
                let (value, log_jacobian) = d.constrain(&x[..2]);
                d.log_prob(&value) + log_jacobian
            }
        );
    }
}

/// The multivariate normal through its precision matrix: value, location and the entries of a
/// precision built as `A Aᵀ + I` from free parameters (so it stays positive definite).
#[test]
fn multivariate_normal_from_precision() {
    for p in [
        [0.3, -1.0, 0.2, 0.5, 0.7, -0.4, 0.1],
        [2.0, 0.5, -1.0, 1.0, 3.0, 0.0, 2.5],
    ] {
        check!(
            "MultivariateNormal precision",
            [p[0], p[1], p[2], p[3], p[4], p[5], p[6]],
            |x| {
                let (a, b, c) = (x[4], x[5], x[6]);
                let one = T::from_f64(1.0);
                // A = [[a, 0], [b, c]]: P = A Aᵀ + I.
                let precision = vec![a * a + one, a * b, a * b, b * b + c * c + one];
                let d = MultivariateNormal::from_precision(vec![x[2], x[3]], precision).unwrap();
                d.log_prob(&[x[0], x[1]].into_iter().collect())
            }
        );
    }
}

/// The multivariate normal through its covariance matrix (3 × 3, built as `A Aᵀ + I` from
/// free parameters): value, location and every entry, including an unsymmetric upper
/// triangle, which the density does not read.
#[test]
fn multivariate_normal_from_covariance() {
    for p in [
        [
            0.3, -1.0, 0.8, 0.2, 0.5, -0.1, 0.7, -0.4, 0.1, 1.2, 0.3, -0.6,
        ],
        [
            2.0, 0.5, -3.0, -1.0, 1.0, 0.0, 3.0, 0.0, 2.5, 0.2, -2.0, 0.4,
        ],
    ] {
        check!(
            "MultivariateNormal covariance",
            [
                p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]
            ],
            |x| {
                // A lower triangular from x[6..12]; Σ = A Aᵀ + I, the upper triangle scaled
                // by 3 (ignored: Σ is read from its lower triangle).
                let a = [
                    [x[6], T::from_f64(0.0), T::from_f64(0.0)],
                    [x[7], x[8], T::from_f64(0.0)],
                    [x[9], x[10], x[11]],
                ];
                let mut covariance = Vec::new();
                for i in 0..3 {
                    for j in 0..3 {
                        let mut v = T::from_f64(if i == j { 1.0 } else { 0.0 });
                        for (x, y) in a[i].iter().zip(&a[j]) {
                            v += *x * *y;
                        }
                        covariance.push(if j > i { v * 3.0 } else { v });
                    }
                }
                let d = MultivariateNormal::new(vec![x[3], x[4], x[5]], covariance).unwrap();
                d.log_prob(&[x[0], x[1], x[2]].into_iter().collect())
            }
        );
    }
}

#[test]
fn multinomial_in_probabilities_and_logits() {
    // Counts near and far from the means, a zero count, and n large enough for the deviance
    // series. Probabilities must sum to 1 within 1e-6, more than finite differences leave them,
    // so they are given as weights divided by their sum.
    struct F(u64, Vec<u64>, bool);
    impl Target for F {
        fn eval<T: Scalar>(&self, x: &[T]) -> T
        where
            f64: FloatOps<T>,
        {
            let d = if self.2 {
                Multinomial::from_logits(self.0, x.to_vec())
            } else {
                let total = x[0] + x[1] + x[2];
                Multinomial::new(self.0, x.iter().map(|&w| w / total).collect::<Vec<T>>())
            };
            d.unwrap().log_prob(&PooledVec::from_slice(&self.1))
        }
    }
    for (n, counts, params) in [
        (10, vec![2, 3, 5], [0.2, 0.3, 0.5]),
        (10, vec![0, 1, 9], [0.2, 0.3, 0.5]),
        (1_000_000, vec![200_100, 299_900, 500_000], [0.2, 0.3, 0.5]),
        (50, vec![40, 5, 5], [0.01, 0.49, 0.5]),
    ] {
        check(
            &format!("Multinomial probs at {counts:?}"),
            &params,
            &F(n, counts.clone(), false),
        );
        let logits = params.map(|p: f64| p.ln() + 0.5);
        check(
            &format!("Multinomial logits at {counts:?}"),
            &logits,
            &F(n, counts, true),
        );
    }
}

#[test]
fn lkj_cholesky_through_its_bijector_and_in_its_concentration() {
    for (u, eta) in [
        ([0.3, -1.0, 0.5], 1.0),
        ([2.0, 0.1, -3.0], 0.3),
        ([0.01, -0.02, 0.005], 1e4),
        ([-4.0, 5.0, 0.5], 7.5),
    ] {
        check!("LKJCholesky", [u[0], u[1], u[2], eta], |x| {
            let d = LKJCholesky::new(3, x[3]).unwrap();
            let (value, log_jacobian) = d.constrain(&x[..3]);
            d.log_prob(&value) + log_jacobian
        });
    }
}

#[test]
fn projected_normal_in_direction_and_concentration() {
    // Unit vectors from angles, so that finite differences stay on the circle and the sphere;
    // t = c·v ranges over the continued fraction (t < -2), the closed forms and large t.
    for (angle, c0, c1) in [
        (0.3, 1.0, 0.5),
        (2.5, 3.0, -4.0),
        (3.0, 30.0, 0.0),
        (0.1, 30.0, 40.0),
        (1.0, -0.2, 0.1),
    ] {
        check!("ProjectedNormal (circle)", [angle, c0, c1], |x| {
            let v = vec![x[0].cos(), x[0].sin()];
            ProjectedNormal::new(vec![x[1], x[2]])
                .unwrap()
                .log_prob(&PooledVec::from_slice(&v))
        });
    }
    for (polar, azimuth, c) in [
        (0.4, 1.0, [1.0, 2.0, 2.0]),
        (2.9, 0.2, [0.0, 0.5, 10.0]),
        (1.2, -2.0, [5.0, 5.0, 5.0]),
    ] {
        check!(
            "ProjectedNormal (sphere)",
            [polar, azimuth, c[0], c[1], c[2]],
            |x| {
                let v = vec![x[0].sin() * x[1].cos(), x[0].sin() * x[1].sin(), x[0].cos()];
                ProjectedNormal::new(vec![x[2], x[3], x[4]])
                    .unwrap()
                    .log_prob(&PooledVec::from_slice(&v))
            }
        );
    }
    // The reparameterizer's target: the auxiliary vector's normal density and its direction.
    check!(
        "ProjectedNormal auxiliary",
        [0.3, -1.2, 2.0, 1.0, 0.5, -0.5],
        |x| {
            let d = ProjectedNormal::new(vec![x[3], x[4], x[5]]).unwrap();
            let (v, log_density) = <ProjectedNormal>::project_auxiliary(&d, &x[..3]);
            log_density + v[0] * 0.7 - v[2] * 1.3
        }
    );
}

#[test]
fn mixture_in_value_weights_and_components() {
    // In the bulk, where both components matter, and far out, where one term of the
    // log-sum-exp dominates the other by hundreds of nats.
    for (x, l, m0, m1, s) in [
        (0.3, 0.5, -2.0, 3.0, 1.0),
        (-1.0, -2.0, -1.0, 1.0, 0.5),
        (-60.0, 0.0, -2.0, 3.0, 1.0),
        (40.0, 3.0, -2.0, 3.0, 2.0),
    ] {
        check!("Mixture of normals", [x, l, m0, m1, s], |x| {
            Mixture::<Normal>::from_logits(
                vec![x[1], scalar(0.0)],
                vec![Normal::new(x[2], x[4]), Normal::new(x[3], x[4] * 2.0)],
            )
            .unwrap()
            .log_prob(&x[0])
        });
    }
    check!("Mixture from probabilities", [0.7, 0.25, 2.0], |x| {
        let w = x[1];
        Mixture::<Gamma>::new(
            vec![w, -w + 1.0],
            vec![
                Gamma::new(x[2], scalar(1.0)),
                Gamma::new(scalar(9.0), scalar(2.0)),
            ],
        )
        .unwrap()
        .log_prob(&x[0])
    });
}

#[model]
fn eight_schools(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta = sample!("theta", Normal::new(mu, tau));
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

#[model]
fn phase_model(t: &[f64], y: &[f64]) {
    let phase = sample!("phase", VonMises::new(2.5, 2.0));
    let kappa = sample!("kappa", Gamma::new(4.0, 0.5));
    let weight = sample!("weight", Beta::new(2.0, 2.0));
    plate!("data", t.len(), |i| {
        sample!(
            "obs",
            VonMises::new(phase + t[i] * weight, kappa),
            obs = y[i]
        );
    });
}

const Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
const SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

/// Checks a model's autodiff gradient at `u` coordinate by coordinate.
fn check_model<M: Body<f64> + Body<Var>>(name: &str, model: &M, u: &[f64]) {
    use model_runtime::inference::GradientTarget;
    let mut target = model_runtime::results::model_target::ModelTarget::new(model).unwrap();
    let mut g = vec![0.0; u.len()];
    let lp = target.log_density_and_gradient(u, &mut g).unwrap();
    assert!((lp - model.log_density(u).unwrap()).abs() < 1e-12 * lp.abs().max(1.0));
    for i in 0..u.len() {
        let at = |d: f64| {
            let mut v = u.to_vec();
            v[i] += d;
            model.log_density(&v).unwrap()
        };
        let h = 1e-4;
        let fd = (at(-2.0 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2.0 * h)) / (12.0 * h);
        assert!(
            (g[i] - fd).abs() <= 1e-6 * fd.abs().max(1.0),
            "{name} d/du{i}: {} vs {fd}",
            g[i]
        );
    }
}

#[test]
fn whole_models_centered_noncentered_and_circular() {
    let mut u: Vec<f64> = vec![1.2, 0.4];
    u.extend((0..8).map(|j| -1.0 + 0.25 * j as f64));
    check_model("eight schools", &eight_schools(&Y, &SIGMA), &u);
    let noncentered = eight_schools(&Y, &SIGMA).reparam(|r| r.theta(LocScaleReparam::default()));
    check_model("eight schools non-centered", &noncentered, &u);
    let partial =
        eight_schools(&Y, &SIGMA).reparam(|r| r.theta(LocScaleReparam::new(0.4).unwrap()));
    check_model("eight schools c = 0.4", &partial, &u);

    let t = [0.0, 0.3, -0.4, 1.0];
    let y = [3.0, -2.9, 2.6, -2.3];
    for u in [[0.3, 0.1, -0.2], [3.1, 1.5, 2.0], [-7.0, -1.0, 0.0]] {
        check_model("phase", &phase_model(&t, &y), &u);
        check_model(
            "phase circular",
            &phase_model(&t, &y).reparam(|r| r.phase(CircularReparam)),
            &u,
        );
    }
}

#[test]
fn the_check_rejects_a_wrong_gradient() {
    // Dropping a derivative through `value()` makes autodiff report x instead of 2x.
    let wrong = std::panic::catch_unwind(|| {
        check!("x * value(x)", [1.5], |x| x[0] * T::from_f64(x[0].value()));
    });
    assert!(
        wrong.is_err(),
        "the gradient check accepted a wrong derivative"
    );
}

/// Scalar log densities with analytic partials record one tape node however many of their
/// arguments are variables (Stan's operands and partials); `x + c` and `x - c` record none.
/// Every site of a model pays this per gradient, so a lost fusion is a regression.
#[test]
fn fused_log_densities_record_one_node() {
    use model_runtime::autodiff::recorded_nodes;
    fn nodes(x: &[f64], f: impl Fn(&[Var]) -> Var) -> usize {
        let mut g = vec![0.0; x.len()];
        let mut count = 0;
        gradient(x, &mut g, |v| {
            let before = recorded_nodes();
            let lp = f(v);
            count = recorded_nodes() - before;
            Ok::<_, ()>(lp)
        })
        .unwrap();
        count
    }
    let p = [0.7, 0.2, 1.3];
    let loc_scale = [
        (
            "Normal",
            nodes(&p, |x| Normal::new(x[1], x[2]).unwrap().log_prob(&x[0])),
        ),
        (
            "Cauchy",
            nodes(&p, |x| Cauchy::new(x[1], x[2]).unwrap().log_prob(&x[0])),
        ),
        (
            "LogNormal",
            nodes(&p, |x| LogNormal::new(x[1], x[2]).unwrap().log_prob(&x[0])),
        ),
        (
            "HalfNormal",
            nodes(&p, |x| HalfNormal::new(x[2]).unwrap().log_prob(&x[0])),
        ),
        (
            "HalfCauchy",
            nodes(&p, |x| HalfCauchy::new(x[2]).unwrap().log_prob(&x[0])),
        ),
        (
            "Exponential",
            nodes(&p, |x| Exponential::new(x[2]).unwrap().log_prob(&x[0])),
        ),
        ("ln_add_exp", nodes(&p, |x| x[0].ln_add_exp(x[1]))),
        ("x + c - c", nodes(&p, |x| x[0] + 2.0 - 1.0)),
    ];
    for (name, count) in loc_scale {
        let expected = usize::from(name != "x + c - c");
        assert_eq!(count, expected, "{name} recorded {count} nodes");
    }
}
