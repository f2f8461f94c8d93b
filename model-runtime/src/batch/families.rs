//! The vectorized forms of the scalar families, with NumPyro's parameter names.
//!
//! Each alias (`Normal`, `Bernoulli`, …) names [`Batch`] over its family marker; its
//! constructors take the scalar family's parameters as [`Elements`] (scalars, slices or lazy
//! expressions), and validate each element with the scalar family's own constructor when the
//! site is evaluated.

use super::{Batch, BoxedError, Elements, NoMask, Vectorized};
use crate::scalar::Scalar;
use crate::value::{Boolean, Count, Real};

/// One vectorized family: its marker, alias and constructors (index, name, parameters, and the
/// scalar constructor that validates and builds one element from `p`).
macro_rules! vectorized {
    (
        $(#[$doc:meta])*
        $alias:ident, $marker:ident, $dist:ident, $kind:ty, default $default:ty;
        example $example:expr, value $value:expr;
        build |$p:ident|;
        $(fused { $($fctor:literal => $fused:path),+ };)?
        $(glm { $($gctor:literal => $glm:path),+ };)?
        $(rows { $($rctor:literal => $rows:expr),+ };)?
        $(
            $(#[$cdoc:meta])*
            $index:literal => $ctor:ident($($param:ident: $P:ident),+) => $build:expr;
        )+
    ) => {
        #[doc = concat!("The family marker of the vectorized [`", stringify!($alias), "`].")]
        #[derive(Clone, Copy, Debug)]
        pub struct $marker;

        $(#[$doc])*
        ///
        /// # Example
        ///
        /// ```
        /// use model_runtime::prelude::*;
        ///
        #[doc = concat!("let d = ", stringify!($example), ";")]
        #[doc = concat!("let lp: f64 = d.log_prob(&PooledVec::from(", stringify!($value), "));")]
        /// assert!(lp.is_finite());
        /// ```
        pub type $alias<T = f64, P = $default, M = NoMask> = Batch<$marker, T, P, M>;

        impl Vectorized for $marker {
            type Kind = $kind;
            type Element<S: Scalar> = crate::distributions::$dist<S>;
            const NAME: &'static str = concat!("batch::", stringify!($alias));

            fn params(ctor: usize) -> &'static [&'static str] {
                match ctor {
                    $($index => &[$(stringify!($param)),+],)+
                    _ => &[],
                }
            }

            #[inline(always)]
            fn build<S: Scalar>(ctor: usize, $p: &[S]) -> Result<Self::Element<S>, BoxedError> {
                match ctor {
                    $($index => $build.map_err(Into::into),)+
                    _ => Err(UnknownConstructor(ctor).into()),
                }
            }

            $(
                fn fused(ctor: usize, args: super::Fused<'_>) -> Option<f64> {
                    match ctor {
                        $($fctor => $fused(args),)+
                        _ => None,
                    }
                }
            )?

            $(
                fn glm(ctor: usize, args: super::Glm<'_>) -> Option<super::GlmSums> {
                    match ctor {
                        $($gctor => $glm(args),)+
                        _ => None,
                    }
                }
            )?

            $(
                fn row_lane(
                    ctor: usize,
                    rest: [super::kernels::RowArg<'_>; 2],
                ) -> Option<super::kernels::RowLane<'_>> {
                    let _ = rest;
                    match ctor {
                        $($rctor => $rows(rest),)+
                        _ => None,
                    }
                }
            )?
        }

        $(
            impl<T: Scalar, $($P: Elements<T>),+> Batch<$marker, T, ($($P,)+)> {
                $(#[$cdoc])*
                #[doc = concat!(
                    "\n\nThe vectorized form of [`", stringify!($dist),
                    "`](crate::distributions::", stringify!($dist), ") built by `",
                    stringify!($ctor), "`: each argument is a scalar, a slice or a lazy expression."
                )]
                pub fn $ctor($($param: $P),+) -> Self {
                    Batch::from_ctor($index, ($($param,)+))
                }
            }
        )+
    };
}

/// A constructor index that no family has (never produced by the aliases).
#[derive(Debug)]
struct UnknownConstructor(usize);

impl core::fmt::Display for UnknownConstructor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "no constructor number {}", self.0)
    }
}

impl std::error::Error for UnknownConstructor {}

/// A count parameter (a binomial's number of trials) that is not a non-negative integer.
#[derive(Debug, Clone, PartialEq)]
pub struct NotACount {
    /// The value given.
    pub value: f64,
}

impl core::fmt::Display for NotACount {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "total_count must be a non-negative integer, got {}",
            self.value
        )
    }
}

impl std::error::Error for NotACount {}

fn count<S: Scalar>(x: S) -> Result<u64, BoxedError> {
    let v = x.value();
    if v >= 0.0 && v.fract() == 0.0 && v <= 2f64.powi(53) {
        Ok(v as u64)
    } else {
        Err(NotACount { value: v }.into())
    }
}

vectorized! {
    /// Normal distributions elementwise: `loc` and `scale` per element.
    Normal, NormalFamily, Normal, Real, default (f64, f64);
    example batch::Normal::new(&[0.0, 1.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    fused { 0 => super::kernels::normal };
    glm { 0 => super::kernels::normal_id_glm };
    rows { 0 => super::kernels::RowLane::normal_with };
    0 => new(loc: A, scale: B) => crate::distributions::Normal::new(p[0], p[1]);
}

vectorized! {
    /// Student's t distributions elementwise.
    StudentT, StudentTFamily, StudentT, Real, default (f64, f64, f64);
    example batch::StudentT::new(3.0, &[0.0, 1.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(df: A, loc: B, scale: C) => crate::distributions::StudentT::new(p[0], p[1], p[2]);
}

vectorized! {
    /// Cauchy distributions elementwise.
    Cauchy, CauchyFamily, Cauchy, Real, default (f64, f64);
    example batch::Cauchy::new(&[0.0, 1.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(loc: A, scale: B) => crate::distributions::Cauchy::new(p[0], p[1]);
}

vectorized! {
    /// Laplace distributions elementwise.
    Laplace, LaplaceFamily, Laplace, Real, default (f64, f64);
    example batch::Laplace::new(&[0.0, 1.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(loc: A, scale: B) => crate::distributions::Laplace::new(p[0], p[1]);
}

vectorized! {
    /// Logistic distributions elementwise.
    Logistic, LogisticFamily, Logistic, Real, default (f64, f64);
    example batch::Logistic::new(&[0.0, 1.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(loc: A, scale: B) => crate::distributions::Logistic::new(p[0], p[1]);
}

vectorized! {
    /// Gumbel distributions elementwise.
    Gumbel, GumbelFamily, Gumbel, Real, default (f64, f64);
    example batch::Gumbel::new(&[0.0, 1.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(loc: A, scale: B) => crate::distributions::Gumbel::new(p[0], p[1]);
}

vectorized! {
    /// Log-normal distributions elementwise (`loc`, `scale` of the logarithm).
    LogNormal, LogNormalFamily, LogNormal, Real, default (f64, f64);
    example batch::LogNormal::new(&[0.0, 1.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(loc: A, scale: B) => crate::distributions::LogNormal::new(p[0], p[1]);
}

vectorized! {
    /// Half-normal distributions elementwise.
    HalfNormal, HalfNormalFamily, HalfNormal, Real, default (f64,);
    example batch::HalfNormal::new(&[1.0, 2.0][..]), value vec![0.5, 0.5];
    build |p|;
    0 => new(scale: A) => crate::distributions::HalfNormal::new(p[0]);
}

vectorized! {
    /// Half-Cauchy distributions elementwise.
    HalfCauchy, HalfCauchyFamily, HalfCauchy, Real, default (f64,);
    example batch::HalfCauchy::new(&[1.0, 2.0][..]), value vec![0.5, 0.5];
    build |p|;
    0 => new(scale: A) => crate::distributions::HalfCauchy::new(p[0]);
}

vectorized! {
    /// Half Student's t distributions elementwise (`df`, `scale`).
    HalfStudentT, HalfStudentTFamily, HalfStudentT, Real, default (f64, f64);
    example batch::HalfStudentT::new(3.0, &[1.0, 2.0][..]), value vec![0.5, 0.5];
    build |p|;
    0 => new(df: A, scale: B) => crate::distributions::HalfStudentT::new(p[0], p[1]);
}

vectorized! {
    /// Exponential distributions elementwise.
    Exponential, ExponentialFamily, Exponential, Real, default (f64,);
    example batch::Exponential::new(&[1.0, 2.0][..]), value vec![0.5, 0.5];
    build |p|;
    0 => new(rate: A) => crate::distributions::Exponential::new(p[0]);
}

vectorized! {
    /// Gamma distributions elementwise (`concentration`, `rate`).
    Gamma, GammaFamily, Gamma, Real, default (f64, f64);
    example batch::Gamma::new(&[1.0, 2.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(concentration: A, rate: B) => crate::distributions::Gamma::new(p[0], p[1]);
}

vectorized! {
    /// Inverse-gamma distributions elementwise (`concentration`, `rate`).
    InverseGamma, InverseGammaFamily, InverseGamma, Real, default (f64, f64);
    example batch::InverseGamma::new(&[1.0, 2.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(concentration: A, rate: B) => crate::distributions::InverseGamma::new(p[0], p[1]);
}

vectorized! {
    /// Beta distributions elementwise (`concentration1`, `concentration0`).
    Beta, BetaFamily, Beta, Real, default (f64, f64);
    example batch::Beta::new(&[1.0, 2.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(concentration1: A, concentration0: B) => crate::distributions::Beta::new(p[0], p[1]);
}

vectorized! {
    /// Weibull distributions elementwise (`scale`, `concentration`).
    Weibull, WeibullFamily, Weibull, Real, default (f64, f64);
    example batch::Weibull::new(&[1.0, 2.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(scale: A, concentration: B) => crate::distributions::Weibull::new(p[0], p[1]);
}

vectorized! {
    /// Von Mises distributions elementwise (`loc`, `concentration`).
    VonMises, VonMisesFamily, VonMises, Real, default (f64, f64);
    example batch::VonMises::new(&[0.0, 1.0][..], 2.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(loc: A, concentration: B) => crate::distributions::VonMises::new(p[0], p[1]);
}

vectorized! {
    /// Uniform distributions elementwise (`low`, `high`).
    Uniform, UniformFamily, Uniform, Real, default (f64, f64);
    example batch::Uniform::new(&[0.0, 0.2][..], 1.0), value vec![0.5, 0.5];
    build |p|;
    0 => new(low: A, high: B) => crate::distributions::Uniform::new(p[0], p[1]);
}

vectorized! {
    /// Bernoulli distributions elementwise, from probabilities or from logits; the value is a
    /// `Vec<bool>`.
    Bernoulli, BernoulliFamily, Bernoulli, Boolean, default (f64,);
    example batch::Bernoulli::from_logits(&[0.0, 1.0][..]), value vec![true, false];
    build |p|;
    fused { 1 => super::kernels::bernoulli_logit };
    glm { 1 => super::kernels::bernoulli_logit_glm };
    rows { 1 => |_| Some(super::kernels::RowLane::bernoulli_logit()) };
    0 => new(probs: A) => crate::distributions::Bernoulli::new(p[0]);
    1 => from_logits(logits: A) => crate::distributions::Bernoulli::from_logits(p[0]);
}

vectorized! {
    /// Poisson distributions elementwise, from rates or from log rates (Stan's `poisson_log`);
    /// the value is a `Vec<u64>`.
    Poisson, PoissonFamily, Poisson, Count, default (f64,);
    example batch::Poisson::from_log_rate(&[0.0, 1.0][..]), value vec![0u64, 3];
    build |p|;
    fused { 1 => super::kernels::poisson_log };
    glm { 1 => super::kernels::poisson_log_glm };
    rows { 1 => |_| Some(super::kernels::RowLane::poisson_log()) };
    0 => new(rate: A) => crate::distributions::Poisson::new(p[0]);
    1 => from_log_rate(log_rate: A) => crate::distributions::Poisson::new(p[0].exp());
}

vectorized! {
    /// Negative binomial distributions elementwise (`mean`, `concentration`); the value is a
    /// `Vec<u64>`.
    NegativeBinomial2, NegativeBinomial2Family, NegativeBinomial2, Count, default (f64, f64);
    example batch::NegativeBinomial2::new(&[1.0, 4.0][..], 2.0), value vec![0u64, 3];
    build |p|;
    0 => new(mean: A, concentration: B) => crate::distributions::NegativeBinomial2::new(p[0], p[1]);
}

vectorized! {
    /// Binomial distributions elementwise (`total_count` per element, as data, with `probs` or
    /// `logits`); the value is a `Vec<u64>`.
    Binomial, BinomialFamily, Binomial, Count, default (f64, f64);
    example batch::Binomial::from_logits(&[3u64, 5][..], 0.5), value vec![1u64, 5];
    build |p|;
    0 => new(total_count: A, probs: B) => crate::distributions::Binomial::new(count(p[0])?, p[1]);
    1 => from_logits(total_count: A, logits: B) => crate::distributions::Binomial::from_logits(count(p[0])?, p[1]);
}
