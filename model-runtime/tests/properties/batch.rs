//! The vectorized families (`batch::*`), one test per constructor, with per-element parameters
//! drawn from the extreme strategy (so the fused kernels of `Normal`, `Bernoulli::from_logits`
//! and `Poisson::from_log_rate` see them too).
//!
//! `checked_log_prob` names the first element whose parameters the scalar constructor rejects
//! and never panics; otherwise it is the sum of the scalar log densities (never NaN), and where
//! it is finite its gradient (forward-mode dual numbers folded into one node) agrees with the
//! scalar families' reverse-mode gradient in every coordinate where that is finite. (Where a
//! true slope overflows, as 1/σ² at σ = 1e-200, the two modes may round it to ∞ or to NaN
//! differently; the scalar tests hold the reverse mode to no NaN.)

use model_runtime::autodiff::{Var, gradient};
use model_runtime::batch::{self, Batch, Vectorized};
use model_runtime::prelude::{Distribution, PooledVec};
use model_runtime::scalar::Scalar as _;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

use super::strategies::{self, config};

/// The number of elements of each vectorized site.
const LEN: usize = 3;

fn subnormal(v: f64) -> bool {
    v != 0.0 && v.abs() < f64::MIN_POSITIVE
}

/// The reference: each element through the scalar family, or the first invalid element.
fn scalar_sum<F: Vectorized>(
    ctor: usize,
    p: &[f64],
    arity: usize,
    value: impl Fn(usize) -> <F::Kind as model_runtime::value::ValueKind>::Value<f64>,
) -> Result<f64, usize> {
    let mut total = 0.0;
    let mut outside = false;
    for i in 0..LEN {
        let params: Vec<f64> = (0..arity).map(|j| p[j * LEN + i]).collect();
        let d = F::build::<f64>(ctor, &params).map_err(|_| i)?;
        let lp = d.log_prob(&value(i));
        // An element outside its support makes the joint density 0, whatever the others are
        // (a pole's +∞ included).
        outside |= lp == f64::NEG_INFINITY;
        total += lp;
    }
    Ok(if outside { f64::NEG_INFINITY } else { total })
}

fn agree(batch: f64, scalar: f64) -> bool {
    batch == scalar || (batch - scalar).abs() <= 1e-9 * (1.0 + scalar.abs())
}

/// Whether the batch gradient matches the scalar one wherever the latter is finite.
fn gradients_agree(batch: &[f64], scalar: &[f64]) -> bool {
    batch
        .iter()
        .zip(scalar)
        .all(|(&b, &s)| !s.is_finite() || b == s || (b - s).abs() <= 1e-6 * (1.0 + s.abs()))
}

macro_rules! batch_case {
    ($test:ident, $family:ident, $alias:ident :: $ctor:ident, $index:literal, [$($i:literal),+], real) => {
        #[test]
        fn $test() {
            const ARITY: usize = [$($i),+].len();
            let check = |p: Vec<f64>, x: Vec<f64>| -> Result<(), TestCaseError> {
                let d = Batch::<batch::$family, f64, _>::$ctor($(&p[$i * LEN..($i + 1) * LEN]),+);
                let value = PooledVec::from(x.clone());
                let reference = scalar_sum::<batch::$family>($index, &p, ARITY, |i| x[i]);
                let lp = match (d.checked_log_prob(&value), reference) {
                    (Err(e), Err(first)) => {
                        prop_assert_eq!(e.element, Some(first), "wrong element named: {:?}", e.kind);
                        return Ok(());
                    }
                    (Ok(lp), Ok(sum)) => {
                        prop_assert!(!lp.is_nan(), "NaN at {p:?}, x = {x:?}");
                        prop_assert!(agree(lp, sum), "batch {lp} vs scalar sum {sum} at {p:?}, x = {x:?}");
                        lp
                    }
                    (Ok(lp), Err(first)) => {
                        return Err(TestCaseError::fail(format!(
                            "accepted an invalid element {first} ({lp}) at {p:?}"
                        )));
                    }
                    (Err(e), Ok(_)) => {
                        return Err(TestCaseError::fail(format!(
                            "rejected valid parameters {p:?}: {:?}", e.kind
                        )));
                    }
                };
                if lp.is_finite() && !p.iter().chain(&x).any(|&v| subnormal(v)) {
                    let mut position = p.clone();
                    position.extend(&x);
                    let mut g = vec![0.0; position.len()];
                    gradient(&position, &mut g, |v: &[Var]| {
                        let d = Batch::<batch::$family, Var, _>::$ctor(
                            $(&v[$i * LEN..($i + 1) * LEN]),+
                        );
                        let value = PooledVec::from(v[ARITY * LEN..].to_vec());
                        d.checked_log_prob(&value).map_err(|_| ())
                    })
                    .map_err(|_| TestCaseError::fail("failed on the tape"))?;
                    let mut reference = vec![0.0; position.len()];
                    gradient(&position, &mut reference, |v: &[Var]| {
                        let mut total = Var::from_f64(0.0);
                        for i in 0..LEN {
                            let params: Vec<Var> = (0..ARITY).map(|j| v[j * LEN + i]).collect();
                            let d = <batch::$family as Vectorized>::build::<Var>($index, &params)
                                .map_err(|_| ())?;
                            total += d.log_prob(&v[ARITY * LEN + i]);
                        }
                        Ok::<_, ()>(total)
                    })
                    .map_err(|_| TestCaseError::fail("scalar failed on the tape"))?;
                    prop_assert!(
                        gradients_agree(&g, &reference),
                        "gradient {g:?} vs scalar {reference:?} at {p:?}, x = {x:?} ({lp})"
                    );
                }
                Ok(())
            };
            let mut runner = TestRunner::new(config(256));
            let inputs = (
                proptest::collection::vec(strategies::extreme(), ARITY * LEN),
                proptest::collection::vec(strategies::extreme(), LEN),
            );
            if let Err(e) = runner.run(&inputs, |(p, x)| check(p, x)) {
                panic!("batch::{}::{}: {e}", stringify!($alias), stringify!($ctor));
            }
        }
    };
    ($test:ident, $family:ident, $alias:ident :: $ctor:ident, $index:literal, [$($i:literal),+], $kind:ident) => {
        #[test]
        fn $test() {
            const ARITY: usize = [$($i),+].len();
            let check = |p: Vec<f64>, x: Vec<u64>| -> Result<(), TestCaseError> {
                let d = Batch::<batch::$family, f64, _>::$ctor($(&p[$i * LEN..($i + 1) * LEN]),+);
                let x = batch_case!(@value $kind, x);
                let value = PooledVec::from(x.clone());
                let reference = scalar_sum::<batch::$family>($index, &p, ARITY, |i| x[i]);
                let lp = match (d.checked_log_prob(&value), reference) {
                    (Err(e), Err(first)) => {
                        prop_assert_eq!(e.element, Some(first), "wrong element named: {:?}", e.kind);
                        return Ok(());
                    }
                    (Ok(lp), Ok(sum)) => {
                        prop_assert!(!lp.is_nan(), "NaN at {p:?}, x = {x:?}");
                        prop_assert!(agree(lp, sum), "batch {lp} vs scalar sum {sum} at {p:?}, x = {x:?}");
                        lp
                    }
                    (Ok(lp), Err(first)) => {
                        return Err(TestCaseError::fail(format!(
                            "accepted an invalid element {first} ({lp}) at {p:?}"
                        )));
                    }
                    (Err(e), Ok(_)) => {
                        return Err(TestCaseError::fail(format!(
                            "rejected valid parameters {p:?}: {:?}", e.kind
                        )));
                    }
                };
                if lp.is_finite() && !p.iter().any(|&v| subnormal(v)) {
                    let mut g = vec![0.0; p.len()];
                    gradient(&p, &mut g, |v: &[Var]| {
                        let d = Batch::<batch::$family, Var, _>::$ctor(
                            $(&v[$i * LEN..($i + 1) * LEN]),+
                        );
                        d.checked_log_prob(&PooledVec::from(x.clone())).map_err(|_| ())
                    })
                    .map_err(|_| TestCaseError::fail("failed on the tape"))?;
                    let mut reference = vec![0.0; p.len()];
                    gradient(&p, &mut reference, |v: &[Var]| {
                        let mut total = Var::from_f64(0.0);
                        for i in 0..LEN {
                            let params: Vec<Var> = (0..ARITY).map(|j| v[j * LEN + i]).collect();
                            let d = <batch::$family as Vectorized>::build::<Var>($index, &params)
                                .map_err(|_| ())?;
                            total += d.log_prob(&x[i]);
                        }
                        Ok::<_, ()>(total)
                    })
                    .map_err(|_| TestCaseError::fail("scalar failed on the tape"))?;
                    prop_assert!(
                        gradients_agree(&g, &reference),
                        "gradient {g:?} vs scalar {reference:?} at {p:?}, x = {x:?} ({lp})"
                    );
                }
                Ok(())
            };
            let mut runner = TestRunner::new(config(256));
            let inputs = (
                proptest::collection::vec(strategies::extreme(), ARITY * LEN),
                proptest::collection::vec(strategies::count(), LEN),
            );
            if let Err(e) = runner.run(&inputs, |(p, x)| check(p, x)) {
                panic!("batch::{}::{}: {e}", stringify!($alias), stringify!($ctor));
            }
        }
    };
    (@value boolean, $x:ident) => { $x.iter().map(|&k| k % 2 == 1).collect::<Vec<bool>>() };
    (@value count, $x:ident) => { $x };
}

batch_case!(normal, NormalFamily, Normal::new, 0, [0, 1], real);
batch_case!(student_t, StudentTFamily, StudentT::new, 0, [0, 1, 2], real);
batch_case!(cauchy, CauchyFamily, Cauchy::new, 0, [0, 1], real);
batch_case!(laplace, LaplaceFamily, Laplace::new, 0, [0, 1], real);
batch_case!(logistic, LogisticFamily, Logistic::new, 0, [0, 1], real);
batch_case!(gumbel, GumbelFamily, Gumbel::new, 0, [0, 1], real);
batch_case!(log_normal, LogNormalFamily, LogNormal::new, 0, [0, 1], real);
batch_case!(half_normal, HalfNormalFamily, HalfNormal::new, 0, [0], real);
batch_case!(half_cauchy, HalfCauchyFamily, HalfCauchy::new, 0, [0], real);
batch_case!(
    half_student_t,
    HalfStudentTFamily,
    HalfStudentT::new,
    0,
    [0, 1],
    real
);
batch_case!(
    exponential,
    ExponentialFamily,
    Exponential::new,
    0,
    [0],
    real
);
batch_case!(gamma, GammaFamily, Gamma::new, 0, [0, 1], real);
batch_case!(
    inverse_gamma,
    InverseGammaFamily,
    InverseGamma::new,
    0,
    [0, 1],
    real
);
batch_case!(beta, BetaFamily, Beta::new, 0, [0, 1], real);
batch_case!(weibull, WeibullFamily, Weibull::new, 0, [0, 1], real);
batch_case!(von_mises, VonMisesFamily, VonMises::new, 0, [0, 1], real);
batch_case!(uniform, UniformFamily, Uniform::new, 0, [0, 1], real);
batch_case!(bernoulli, BernoulliFamily, Bernoulli::new, 0, [0], boolean);
batch_case!(
    bernoulli_from_logits,
    BernoulliFamily,
    Bernoulli::from_logits,
    1,
    [0],
    boolean
);
batch_case!(poisson, PoissonFamily, Poisson::new, 0, [0], count);
batch_case!(
    poisson_from_log_rate,
    PoissonFamily,
    Poisson::from_log_rate,
    1,
    [0],
    count
);
batch_case!(
    negative_binomial2,
    NegativeBinomial2Family,
    NegativeBinomial2::new,
    0,
    [0, 1],
    count
);
batch_case!(binomial, BinomialFamily, Binomial::new, 0, [0, 1], count);
batch_case!(
    binomial_from_logits,
    BinomialFamily,
    Binomial::from_logits,
    1,
    [0, 1],
    count
);
