//! Every public constructor of a multivariate distribution: `Dirichlet::new`,
//! `Multinomial::{new, from_logits}`, `MultivariateNormal::{new, from_precision,
//! from_scale_tril}`, `LKJCholesky::new` and `ProjectedNormal::new`.
//!
//! At any parameters: the constructor returns `Err` naming the family, never panics, and agrees
//! with the documented conditions where they are simple; the log density is never NaN at the
//! values the family's own map gives from extreme unconstrained coordinates, at draws and at
//! hand-picked valid and invalid vectors; where it is finite, its gradient in the parameters has
//! no NaN (parameters below 1e-145 left out, where slopes truly overflow; see `check`).

use model_runtime::autodiff::{Var, gradient};
use model_runtime::distribution::PlainValue;
use model_runtime::distributions::*;
use model_runtime::scalar::Scalar;
use model_runtime::value::{Counts, Reals, ValueKind};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::strategies::{self, config};

/// One constructor of a multivariate family; parameters are the first entries of `p` and `n`
/// picks a dimension or a number of trials.
trait VectorCase {
    type K: ValueKind;
    type D<T: Scalar>: Distribution<Scalar = T, Kind = Self::K>;
    type E: std::error::Error;
    fn build<T: Scalar>(p: &[T], n: u64) -> Result<Self::D<T>, Self::E>;
    /// Whether the parameters meet the documented conditions, where that is simple to say.
    fn valid(p: &[f64], n: u64) -> Option<bool>;
    /// Hand-picked values for the dimension of `d`, valid and invalid.
    fn values(d: &Self::D<f64>, n: u64) -> Vec<PlainValue<Self::D<f64>>>;
    /// The length of a value of `d`.
    fn len(d: &Self::D<f64>) -> usize;
    /// The arguments the constructor receives, where the case maps `p` before calling it.
    fn arguments(p: &[f64], _n: u64) -> Vec<f64> {
        p.to_vec()
    }
    /// The distribution from the constructor's [`arguments`](VectorCase::arguments) as given.
    fn from_arguments<T: Scalar>(a: &[T], n: u64) -> Result<Self::D<T>, Self::E> {
        Self::build(a, n)
    }
}

fn positive(x: f64) -> bool {
    x > 0.0 && x.is_finite()
}

const EXTREME_U: [f64; 8] = [700.0, -700.0, 1e-300, -1e-300, 0.0, 40.0, -40.0, 5e-324];

fn check<C: VectorCase>(p: &[f64], n: u64, seed: u64) -> Result<(), TestCaseError> {
    let d = match C::build(p, n) {
        Err(e) => {
            let message = e.to_string();
            let name = <C::D<f64> as Distribution>::NAME;
            prop_assert!(message.contains(name), "error without {name}: {message}");
            prop_assert!(
                C::valid(p, n) != Some(true),
                "rejected valid {p:?} (n = {n}): {message}"
            );
            return Ok(());
        }
        Ok(d) => d,
    };
    prop_assert!(
        C::valid(p, n) != Some(false),
        "accepted invalid {p:?} (n = {n})"
    );
    let mut values = C::values(&d, n);
    let m = d.unconstrained_len();
    for (i, &a) in EXTREME_U.iter().enumerate() {
        let u: Vec<f64> = (0..m)
            .map(|j| {
                if j % 2 == 0 {
                    a
                } else {
                    EXTREME_U[(i + j) % 8]
                }
            })
            .collect();
        let (x, log_jacobian) = d.constrain(&u);
        // ProjectedNormal's projection has no Jacobian (documented NaN): its density comes
        // from the reparameterizer it requires.
        prop_assert!(
            !log_jacobian.is_nan() || <C::D<f64> as Distribution>::REQUIRED_REPARAM.is_some(),
            "log-Jacobian NaN at u = {u:?}, {p:?} (n = {n})"
        );
        values.push(<C::K as ValueKind>::to_f64::<f64>(&x));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..2 {
        if let Some(x) = d.sample(&mut rng) {
            values.push(x);
        }
    }
    // The gradient check leaves out parameters so close to 0 that a slope truly overflows:
    // slopes of order count/p, or 1/L_ii times squared deviations, pass f64::MAX from about
    // 1e-290 on, and the cases' maps multiply parameters in pairs (L Lᵀ, stick products), so a
    // parameter below 1e-145 can make such a factor. Two overflowing paths then meet as
    // ∞ - ∞, where the exact gradient is beyond f64 anyway.
    let subnormal = p.iter().any(|&v| v != 0.0 && v.abs() < 1e-145);
    for x in values {
        let lp = d.log_prob(&<C::K as ValueKind>::from_f64::<f64>(&x));
        let mut reals = Vec::new();
        <C::K as ValueKind>::reals_into::<f64>(
            &<C::K as ValueKind>::from_f64::<f64>(&x),
            &mut reals,
        );
        if reals.len() != C::len(&d) {
            // A shape mismatch, documented as NaN on `Distribution::log_prob`.
            prop_assert!(
                lp.is_nan(),
                "log_prob of a value of the wrong length is {lp}"
            );
            continue;
        }
        prop_assert!(!lp.is_nan(), "log_prob({x:?}) is NaN at {p:?} (n = {n})");
        // Dirichlet densities with a concentration below 1 have a pole on a face of the
        // simplex, LKJ densities with a small concentration one at a singular factor (a zero
        // on the diagonal): boundaries of the support, documented on each.
        let on_a_face = matches!(
            <C::D<f64> as Distribution>::NAME,
            "Dirichlet" | "LKJCholesky"
        ) && reals.contains(&0.0);
        prop_assert!(
            lp < f64::INFINITY || on_a_face,
            "log_prob({x:?}) = +inf at {p:?} (n = {n})"
        );
        if lp.is_finite() && !subnormal {
            // The slope in the constructor's own arguments has no NaN. Where the case maps `p`
            // (a covariance `L Lᵀ`), reverse mode carries that slope to `p` by the chain rule,
            // and where a slope in an argument is beyond f64 (±∞: a covariance entry's is about
            // `w wᵀ / 2` with `w = Σ⁻¹ (x - μ)`, past f64::MAX when Σ is nearly singular and
            // `x` far out) the product with the map's slope is ∞ · 0 or ∞ - ∞, even where the
            // slope in `p` would be finite; any f64 reverse mode (Stan's, JAX's) meets the same.
            // The slope in `p` is checked where the arguments' slopes are finite.
            let arguments = C::arguments(p, n);
            let slope = slope_of::<C>(&arguments, n, &x, C::from_arguments::<Var>);
            prop_assert!(slope.is_ok(), "the constructor failed on the tape at {p:?}");
            let slope = slope.unwrap_or_default();
            prop_assert!(
                slope.iter().all(|g| !g.is_nan()),
                "gradient {slope:?} in the arguments {arguments:?} has NaN at {x:?}, {p:?} (n = {n}), log_prob {lp}"
            );
            if slope.iter().all(|g| g.is_finite()) {
                let g = slope_of::<C>(p, n, &x, C::build::<Var>);
                prop_assert!(g.is_ok(), "the constructor failed on the tape at {p:?}");
                let g = g.unwrap_or_default();
                prop_assert!(
                    g.iter().all(|g| !g.is_nan()),
                    "gradient {g:?} has NaN at {x:?}, {p:?} (n = {n}), log_prob {lp}"
                );
            }
        }
    }
    Ok(())
}

/// A case's constructor at the autodiff scalar: [`VectorCase::build`] or
/// [`VectorCase::from_arguments`].
type Build<C> = fn(&[Var], u64) -> Result<<C as VectorCase>::D<Var>, <C as VectorCase>::E>;

/// The gradient of the log density at `x` in `inputs`, through `build` (the constructor, or the
/// case's map and the constructor); `Err` where the constructor fails on the tape.
fn slope_of<C: VectorCase>(
    inputs: &[f64],
    n: u64,
    x: &PlainValue<C::D<f64>>,
    build: Build<C>,
) -> Result<Vec<f64>, ()> {
    let mut slope = vec![0.0; inputs.len()];
    gradient(inputs, &mut slope, |v: &[Var]| {
        let d = build(v, n).map_err(|_| ())?;
        Ok::<_, ()>(d.log_prob(&<C::K as ValueKind>::from_f64::<Var>(x)))
    })?;
    Ok(slope)
}

fn run<C: VectorCase>(arity: usize) {
    let mut runner = TestRunner::new(config(160));
    let inputs = (
        proptest::collection::vec(strategies::extreme(), arity),
        prop_oneof![0u64..12, strategies::count()],
        any::<u64>(),
    );
    if let Err(e) = runner.run(&inputs, |(p, n, seed)| check::<C>(&p, n, seed)) {
        panic!("{}: {e}", std::any::type_name::<C>());
    }
}

/// `n % 4 + 1` components (0 when `n % 5 == 4`, to reach the empty case).
fn components(n: u64) -> usize {
    if n % 5 == 4 { 0 } else { (n % 4 + 1) as usize }
}

struct DirichletNew;
impl VectorCase for DirichletNew {
    type K = Reals;
    type D<T: Scalar> = Dirichlet<T>;
    type E = DirichletError;
    fn build<T: Scalar>(p: &[T], n: u64) -> Result<Dirichlet<T>, DirichletError> {
        Dirichlet::new(p[..components(n)].to_vec())
    }
    fn valid(p: &[f64], n: u64) -> Option<bool> {
        let k = components(n);
        Some(k > 0 && p[..k].iter().all(|&a| positive(a)) && p[..k].iter().sum::<f64>().is_finite())
    }
    fn len(d: &Dirichlet<f64>) -> usize {
        d.dim()
    }
    fn values(d: &Dirichlet<f64>, _n: u64) -> Vec<Vec<f64>> {
        let k = d.dim();
        let mut corner = vec![0.0; k];
        corner[0] = 1.0;
        vec![
            vec![1.0 / k as f64; k],
            corner,
            vec![f64::NAN; k],
            vec![-1.0; k],
            vec![2.0; k],
            vec![1.0; k + 1],
        ]
    }
}

#[test]
fn dirichlet() {
    run::<DirichletNew>(4);
}

/// Three category probabilities by stick breaking (see `scalar::sticks`).
/// Three probabilities by stick breaking from two fractions, each clamped into `[0, 1]` (NaN
/// stays NaN, for the constructor to reject): a fraction outside it could still make valid
/// probabilities (`p[1] = 1e308` against `1 - p[0] = 0`), through products whose slopes
/// overflow in the map, not in the distribution.
fn sticks<T: Scalar>(p: &[T]) -> Vec<T> {
    let fraction = |v: T| {
        if v.value() > 1.0 {
            T::from_f64(1.0)
        } else if v.value() < 0.0 {
            T::from_f64(0.0)
        } else {
            v
        }
    };
    let (f0, f1) = (fraction(p[0]), fraction(p[1]));
    let one = T::from_f64(1.0);
    vec![f0, f1 * (one - f0), (one - f0) * (one - f1)]
}

fn count_vectors(n: u64) -> Vec<Vec<u64>> {
    vec![
        vec![n, 0, 0],
        vec![0, n, 0],
        vec![0, 0, 0],
        vec![n.saturating_add(1), 0, 0],
        vec![u64::MAX, u64::MAX, 0],
        vec![n / 3, n / 3, n - 2 * (n / 3)],
        vec![1, 1],
    ]
}

struct MultinomialNew;
impl VectorCase for MultinomialNew {
    type K = Counts;
    type D<T: Scalar> = Multinomial<T>;
    type E = MultinomialError;
    fn build<T: Scalar>(p: &[T], n: u64) -> Result<Multinomial<T>, MultinomialError> {
        Multinomial::new(n, sticks(p))
    }
    fn valid(_p: &[f64], _n: u64) -> Option<bool> {
        None
    }
    fn len(d: &Multinomial<f64>) -> usize {
        d.num_categories()
    }
    fn values(_d: &Multinomial<f64>, n: u64) -> Vec<Vec<u64>> {
        count_vectors(n)
    }
}

struct MultinomialFromLogits;
impl VectorCase for MultinomialFromLogits {
    type K = Counts;
    type D<T: Scalar> = Multinomial<T>;
    type E = MultinomialError;
    fn build<T: Scalar>(p: &[T], n: u64) -> Result<Multinomial<T>, MultinomialError> {
        Multinomial::from_logits(n, p.to_vec())
    }
    fn valid(p: &[f64], _n: u64) -> Option<bool> {
        Some(p.iter().all(|l| l.is_finite()))
    }
    fn len(d: &Multinomial<f64>) -> usize {
        d.num_categories()
    }
    fn values(_d: &Multinomial<f64>, n: u64) -> Vec<Vec<u64>> {
        count_vectors(n)
    }
}

#[test]
fn multinomial() {
    run::<MultinomialNew>(2);
    run::<MultinomialFromLogits>(3);
}

/// A dimension of 1 to 3 and the parameters as a location and a `k × k` matrix; for odd `n`
/// the matrix is `L Lᵀ` of the lower triangle of `p` (positive semi-definite whatever `p`).
fn mvn_parts<T: Scalar>(p: &[T], n: u64) -> (Vec<T>, Vec<T>) {
    let k = (n % 3 + 1) as usize;
    let loc = p[..k].to_vec();
    let raw = &p[k..k + k * k];
    if n.is_multiple_of(2) {
        return (loc, raw.to_vec());
    }
    let mut product = vec![T::from_f64(0.0); k * k];
    for i in 0..k {
        for j in 0..k {
            let mut total = T::from_f64(0.0);
            for r in 0..=i.min(j) {
                total += raw[i * k + r] * raw[j * k + r];
            }
            product[i * k + j] = total;
        }
    }
    (loc, product)
}

fn mvn_values(d: &MultivariateNormal<f64>) -> Vec<Vec<f64>> {
    let k = d.dim();
    vec![
        vec![0.0; k],
        vec![1e308; k],
        vec![f64::NAN; k],
        vec![f64::INFINITY; k],
        vec![5e-324; k],
    ]
}

macro_rules! mvn_case {
    ($case:ident, $ctor:ident) => {
        struct $case;
        impl VectorCase for $case {
            type K = Reals;
            type D<T: Scalar> = MultivariateNormal<T>;
            type E = MultivariateNormalError;
            fn build<T: Scalar>(
                p: &[T],
                n: u64,
            ) -> Result<MultivariateNormal<T>, MultivariateNormalError> {
                let (loc, matrix) = mvn_parts(p, n);
                MultivariateNormal::$ctor(loc, matrix)
            }
            fn valid(_p: &[f64], _n: u64) -> Option<bool> {
                None
            }
            fn values(d: &MultivariateNormal<f64>, _n: u64) -> Vec<Vec<f64>> {
                mvn_values(d)
            }
            fn len(d: &MultivariateNormal<f64>) -> usize {
                d.dim()
            }
            fn arguments(p: &[f64], n: u64) -> Vec<f64> {
                let (mut arguments, matrix) = mvn_parts(p, n);
                arguments.extend(matrix);
                arguments
            }
            fn from_arguments<T: Scalar>(
                a: &[T],
                n: u64,
            ) -> Result<MultivariateNormal<T>, MultivariateNormalError> {
                let k = (n % 3 + 1) as usize;
                MultivariateNormal::$ctor(a[..k].to_vec(), a[k..].to_vec())
            }
        }
    };
}

mvn_case!(MvnNew, new);
mvn_case!(MvnFromPrecision, from_precision);
mvn_case!(MvnFromScaleTril, from_scale_tril);

#[test]
fn multivariate_normal() {
    run::<MvnNew>(12);
}

#[test]
fn multivariate_normal_from_precision() {
    run::<MvnFromPrecision>(12);
}

#[test]
fn multivariate_normal_from_scale_tril() {
    run::<MvnFromScaleTril>(12);
}

struct LkjNew;
impl VectorCase for LkjNew {
    type K = Reals;
    type D<T: Scalar> = LKJCholesky<T>;
    type E = LKJCholeskyError;
    fn build<T: Scalar>(p: &[T], n: u64) -> Result<LKJCholesky<T>, LKJCholeskyError> {
        LKJCholesky::new((n % 5) as usize, p[0])
    }
    fn valid(p: &[f64], n: u64) -> Option<bool> {
        Some(n % 5 >= 2 && positive(p[0]))
    }
    fn len(d: &LKJCholesky<f64>) -> usize {
        d.dimension() * d.dimension()
    }
    fn values(d: &LKJCholesky<f64>, _n: u64) -> Vec<Vec<f64>> {
        let k = d.dimension();
        let mut identity = vec![0.0; k * k];
        for i in 0..k {
            identity[i * k + i] = 1.0;
        }
        let mut degenerate = identity.clone();
        degenerate[k] = 1.0;
        degenerate[k + 1] = 0.0;
        vec![
            identity,
            degenerate,
            vec![f64::NAN; k * k],
            vec![2.0; k * k],
        ]
    }
}

#[test]
fn lkj_cholesky() {
    run::<LkjNew>(1);
}

struct ProjectedNormalNew;
impl VectorCase for ProjectedNormalNew {
    type K = Reals;
    type D<T: Scalar> = ProjectedNormal<T>;
    type E = ProjectedNormalError;
    fn build<T: Scalar>(p: &[T], n: u64) -> Result<ProjectedNormal<T>, ProjectedNormalError> {
        ProjectedNormal::new(p[..(n % 5) as usize].to_vec())
    }
    fn valid(p: &[f64], n: u64) -> Option<bool> {
        let k = (n % 5) as usize;
        Some(
            (2..=3).contains(&k)
                && p[..k].iter().all(|c| c.is_finite())
                && p[..k]
                    .iter()
                    .fold(0.0_f64, |norm, c| norm.hypot(*c))
                    .is_finite(),
        )
    }
    fn len(d: &ProjectedNormal<f64>) -> usize {
        d.dim()
    }
    fn values(d: &ProjectedNormal<f64>, _n: u64) -> Vec<Vec<f64>> {
        let k = d.dim();
        let mut unit = vec![0.0; k];
        unit[0] = 1.0;
        vec![
            unit,
            vec![(1.0 / k as f64).sqrt(); k],
            vec![0.0; k],
            vec![f64::NAN; k],
            vec![3.0; k],
        ]
    }
}

#[test]
fn projected_normal() {
    run::<ProjectedNormalNew>(4);
}
