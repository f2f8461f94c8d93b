//! Every public constructor of a scalar-valued distribution (real, boolean and count values),
//! one test each: see [`harness`](super::harness) for the properties.

use model_runtime::distributions::*;
use model_runtime::prelude::Support;
use model_runtime::scalar::Scalar;
use model_runtime::value::{Boolean, Count, Real};

use super::harness::{Case, Moderate, run};

fn finite(x: f64) -> bool {
    x.is_finite()
}

fn positive(x: f64) -> bool {
    x > 0.0 && x.is_finite()
}

fn probability(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// Three category probabilities by stick breaking, `[a, b(1 - a), (1 - a)(1 - b)]`: a simplex
/// whenever `a` and `b` are probabilities, anything else otherwise.
fn sticks<T: Scalar>(p: &[T]) -> Vec<T> {
    let one = T::from_f64(1.0);
    vec![p[0], p[1] * (one - p[0]), (one - p[0]) * (one - p[1])]
}

/// Whether [`sticks`] gives probabilities the constructors accept (each in `[0, 1]`, summing to
/// 1 within `1e-6`, summed in order).
fn valid_sticks(p: &[f64]) -> bool {
    let w = sticks(p);
    w.iter().all(|&w| probability(w)) && (w[0] + w[1] + w[2] - 1.0).abs() <= 1e-6
}

macro_rules! case {
    (
        $test:ident: $case:ident, $dist:ty, $error:ty, $kind:ty, [$($m:ident),*],
        |$p:ident, $n:ident| $build:expr,
        valid |$vp:ident, $vn:ident| $valid:expr
        $(, shown |$sp:ident, $sn:ident| $shown:expr)?
        $(, open $reason:literal)? $(,)?
    ) => {
        struct $case;
        impl Case for $case {
            type K = $kind;
            type D<T: Scalar> = $dist;
            type E = $error;
            const MODERATE: &'static [Moderate] = &[$(Moderate::$m),*];
            #[allow(unused_variables)]
            fn build<T: Scalar>($p: &[T], $n: u64) -> Result<Self::D<T>, $error> {
                $build
            }
            #[allow(unused_variables)]
            fn valid($vp: &[f64], $vn: u64) -> bool {
                $valid
            }
            $(
                #[allow(unused_variables)]
                fn shown($sp: &[f64], $sn: u64) -> Vec<f64> {
                    $shown
                }
            )?
        }
        #[test]
        $(#[ignore = $reason])?
        fn $test() {
            run::<$case>();
        }
    };
}

// Continuous, real line.
case!(normal: NormalNew, Normal<T>, NormalError, Real, [Real, Positive],
    |p, n| Normal::new(p[0], p[1]), valid |p, n| finite(p[0]) && positive(p[1]));
case!(student_t: StudentTNew, StudentT<T>, StudentTError, Real, [Positive, Real, Positive],
    |p, n| StudentT::new(p[0], p[1], p[2]),
    valid |p, n| positive(p[0]) && finite(p[1]) && positive(p[2]));
case!(cauchy: CauchyNew, Cauchy<T>, CauchyError, Real, [Real, Positive],
    |p, n| Cauchy::new(p[0], p[1]), valid |p, n| finite(p[0]) && positive(p[1]));
case!(laplace: LaplaceNew, Laplace<T>, LaplaceError, Real, [Real, Positive],
    |p, n| Laplace::new(p[0], p[1]), valid |p, n| finite(p[0]) && positive(p[1]));
case!(logistic: LogisticNew, Logistic<T>, LogisticError, Real, [Real, Positive],
    |p, n| Logistic::new(p[0], p[1]), valid |p, n| finite(p[0]) && positive(p[1]));
case!(gumbel: GumbelNew, Gumbel<T>, GumbelError, Real, [Real, Positive],
    |p, n| Gumbel::new(p[0], p[1]), valid |p, n| finite(p[0]) && positive(p[1]));
case!(skew_normal: SkewNormalNew, SkewNormal<T>, SkewNormalError, Real, [Real, Positive, Real],
    |p, n| SkewNormal::new(p[0], p[1], p[2]),
    valid |p, n| finite(p[0]) && positive(p[1]) && finite(p[2]));

// Continuous, positive.
case!(chi2: Chi2New, Chi2<T>, Chi2Error, Real, [Positive],
    |p, n| Chi2::new(p[0]), valid |p, n| positive(p[0]) && p[0] * 0.5 > 0.0);
case!(exponential: ExponentialNew, Exponential<T>, ExponentialError, Real, [Positive],
    |p, n| Exponential::new(p[0]), valid |p, n| positive(p[0]));
case!(gamma: GammaNew, Gamma<T>, GammaError, Real, [Positive, Positive],
    |p, n| Gamma::new(p[0], p[1]), valid |p, n| positive(p[0]) && positive(p[1]));
case!(half_cauchy: HalfCauchyNew, HalfCauchy<T>, HalfCauchyError, Real, [Positive],
    |p, n| HalfCauchy::new(p[0]), valid |p, n| positive(p[0]));
case!(half_normal: HalfNormalNew, HalfNormal<T>, HalfNormalError, Real, [Positive],
    |p, n| HalfNormal::new(p[0]), valid |p, n| positive(p[0]));
case!(half_student_t: HalfStudentTNew, HalfStudentT<T>, HalfStudentTError, Real, [Positive, Positive],
    |p, n| HalfStudentT::new(p[0], p[1]), valid |p, n| positive(p[0]) && positive(p[1]));
case!(inverse_gamma: InverseGammaNew, InverseGamma<T>, InverseGammaError, Real, [Positive, Positive],
    |p, n| InverseGamma::new(p[0], p[1]), valid |p, n| positive(p[0]) && positive(p[1]));
case!(log_normal: LogNormalNew, LogNormal<T>, LogNormalError, Real, [Real, Positive],
    |p, n| LogNormal::new(p[0], p[1]), valid |p, n| finite(p[0]) && positive(p[1]));
case!(pareto: ParetoNew, Pareto<T>, ParetoError, Real, [Positive, Positive],
    |p, n| Pareto::new(p[0], p[1]), valid |p, n| positive(p[0]) && positive(p[1]));
case!(weibull: WeibullNew, Weibull<T>, WeibullError, Real, [Positive, Positive],
    |p, n| Weibull::new(p[0], p[1]), valid |p, n| positive(p[0]) && positive(p[1]));

// Continuous, bounded.
case!(beta: BetaNew, Beta<T>, BetaError, Real, [Positive, Positive],
    |p, n| Beta::new(p[0], p[1]), valid |p, n| positive(p[0]) && positive(p[1]));
case!(truncated_normal: TruncatedNormalNew, TruncatedNormal<T>, TruncatedNormalError, Real,
    [Real, Positive, Real, Real],
    |p, n| TruncatedNormal::new(p[0], p[1], p[2], p[3]),
    valid |p, n| finite(p[0]) && positive(p[1]) && finite(p[2]) && finite(p[3]) && p[2] < p[3]
        && (p[3] - p[2]) / p[1] != 0.0);
case!(truncated_normal_lower: TruncatedNormalLower, TruncatedNormal<T>, TruncatedNormalError, Real,
    [Real, Positive, Real],
    |p, n| TruncatedNormal::lower(p[0], p[1], p[2]),
    valid |p, n| finite(p[0]) && positive(p[1]) && finite(p[2]));
case!(truncated_normal_upper: TruncatedNormalUpper, TruncatedNormal<T>, TruncatedNormalError, Real,
    [Real, Positive, Real],
    |p, n| TruncatedNormal::upper(p[0], p[1], p[2]),
    valid |p, n| finite(p[0]) && positive(p[1]) && finite(p[2]));
case!(uniform: UniformNew, Uniform<T>, UniformError, Real, [Real, Real],
    |p, n| Uniform::new(p[0], p[1]),
    valid |p, n| finite(p[0]) && finite(p[1]) && p[0] < p[1] && (p[1] - p[0]).is_finite());

// Circular.
case!(von_mises: VonMisesNew, VonMises<T>, VonMisesError, Real, [Real, Positive],
    |p, n| VonMises::new(p[0], p[1]),
    valid |p, n| finite(p[0]) && p[1] >= 0.0 && p[1].is_finite());

// Point mass.
case!(delta: DeltaNew, Delta<T>, DeltaError, Real, [Real],
    |p, n| Delta::new(p[0]), valid |p, n| finite(p[0]));

// Improper: the support is chosen by `n`, its bounds are the parameters.
fn improper_support<T: Scalar>(p: &[T], n: u64) -> Support<T> {
    match n % 9 {
        0 => Support::Real,
        1 => Support::Positive,
        2 => Support::UnitInterval,
        3 => Support::Interval(p[0], p[1]),
        4 => Support::GreaterThan(p[0]),
        5 => Support::LessThan(p[1]),
        6 => Support::Circular,
        7 => Support::Boolean,
        _ => Support::NonNegativeInteger,
    }
}
case!(improper_uniform: ImproperUniformNew, ImproperUniform<T>, ImproperUniformError, Real,
    [Real, Real],
    |p, n| ImproperUniform::new(improper_support(p, n)),
    valid |p, n| match n % 9 {
        3 => finite(p[0]) && finite(p[1]) && p[0] < p[1],
        4 => finite(p[0]),
        5 => finite(p[1]),
        7 | 8 => false,
        _ => true,
    },
    shown |p, n| if n % 9 >= 7 { vec![] } else { p.to_vec() });

// Mixtures (of two normals; the weights are `[w, 1 - w]`).
case!(mixture: MixtureNew, Mixture<Normal<T>>, MixtureError, Real,
    [Probability, Real, Positive, Real, Positive],
    |p, n| Mixture::<Normal>::new(
        vec![p[0], T::from_f64(1.0) - p[0]],
        vec![Normal::new(p[1], p[2]), Normal::new(p[3], p[4])],
    ),
    valid |p, n| probability(p[0]) && finite(p[1]) && positive(p[2]) && finite(p[3])
        && positive(p[4]),
    shown |p, n| { let mut v = p.to_vec(); v.extend([1.0 - p[0], p[0] + (1.0 - p[0])]); v });
case!(mixture_from_logits: MixtureFromLogits, Mixture<Normal<T>>, MixtureError, Real,
    [Real, Real, Positive, Real, Positive, Real],
    |p, n| Mixture::<Normal>::from_logits(
        vec![p[0], p[5]],
        vec![Normal::new(p[1], p[2]), Normal::new(p[3], p[4])],
    ),
    valid |p, n| finite(p[0]) && finite(p[5]) && finite(p[1]) && positive(p[2])
        && finite(p[3]) && positive(p[4]));

// Discrete.
case!(bernoulli: BernoulliNew, Bernoulli<T>, BernoulliError, Boolean, [Probability],
    |p, n| Bernoulli::new(p[0]), valid |p, n| probability(p[0]));
case!(bernoulli_from_logits: BernoulliFromLogits, Bernoulli<T>, BernoulliError, Boolean, [Real],
    |p, n| Bernoulli::from_logits(p[0]), valid |p, n| finite(p[0]));
case!(beta_binomial: BetaBinomialNew, BetaBinomial<T>, BetaBinomialError, Count,
    [Positive, Positive],
    |p, n| BetaBinomial::new(p[0], p[1], n),
    valid |p, n| positive(p[0]) && positive(p[1]) && n <= 1 << 53);
case!(binomial: BinomialNew, Binomial<T>, BinomialError, Count, [Probability],
    |p, n| Binomial::new(n, p[0]), valid |p, n| probability(p[0]) && n <= 1 << 53);
case!(binomial_from_logits: BinomialFromLogits, Binomial<T>, BinomialError, Count, [Real],
    |p, n| Binomial::from_logits(n, p[0]), valid |p, n| finite(p[0]) && n <= 1 << 53);
case!(categorical: CategoricalNew, Categorical<T>, CategoricalError, Count,
    [Probability, Probability],
    |p, n| Categorical::new(sticks(p)), valid |p, n| valid_sticks(p),
    shown |p, n| { let w = sticks(p); vec![w[0], w[1], w[2], w[0] + w[1] + w[2]] });
case!(categorical_from_logits: CategoricalFromLogits, Categorical<T>, CategoricalError, Count,
    [Real, Real, Real],
    |p, n| Categorical::from_logits(p.to_vec()), valid |p, n| p.iter().all(|&l| finite(l)));
case!(geometric: GeometricNew, Geometric<T>, GeometricError, Count, [Probability],
    |p, n| Geometric::new(p[0]), valid |p, n| p[0] > 0.0 && p[0] <= 1.0);
case!(geometric_from_logits: GeometricFromLogits, Geometric<T>, GeometricError, Count, [Real],
    |p, n| Geometric::from_logits(p[0]), valid |p, n| finite(p[0]));
case!(negative_binomial2: NegativeBinomial2New, NegativeBinomial2<T>, NegativeBinomial2Error, Count,
    [Positive, Positive],
    |p, n| NegativeBinomial2::new(p[0], p[1]), valid |p, n| positive(p[0]) && positive(p[1]));
case!(poisson: PoissonNew, Poisson<T>, PoissonError, Count, [Positive],
    |p, n| Poisson::new(p[0]), valid |p, n| positive(p[0]) && p[0] <= Poisson::<f64>::MAX_RATE);
