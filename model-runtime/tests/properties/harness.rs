//! The properties every scalar-valued distribution must have, written once over a [`Case`]: a
//! constructor (with its validity condition) and the kind of its values.

use model_runtime::autodiff::{Var, gradient};
use model_runtime::distribution::PlainValue;
use model_runtime::prelude::*;
use model_runtime::value::{Boolean, Count, Real, ValueKind};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::strategies::{self, config};

/// How many random parameter sets each constructor is tried at (each with about 40 values).
pub const CASES: u32 = 192;

/// The moderate range a parameter is drawn from in the finiteness properties.
#[derive(Debug, Clone, Copy)]
pub enum Moderate {
    /// `|x| <= 1e3`.
    Real,
    /// `[1e-3, 1e3]`.
    Positive,
    /// `[1e-3, 1 - 1e-3]`.
    Probability,
}

/// One public constructor of a distribution whose value is one scalar (real, boolean or count).
pub trait Case {
    /// The value kind.
    type K: Kind;
    /// The distribution at scalar `T`.
    type D<T: Scalar>: Distribution<Scalar = T, Kind = Self::K>;
    /// The constructor's error.
    type E: std::error::Error;
    /// The moderate range of each real parameter (their number is the constructor's arity).
    const MODERATE: &'static [Moderate];
    /// The constructor at parameters `p` and count `n` (a number of trials or a dimension,
    /// ignored by constructors without one).
    fn build<T: Scalar>(p: &[T], n: u64) -> Result<Self::D<T>, Self::E>;
    /// Whether the documented conditions on the parameters hold.
    fn valid(p: &[f64], n: u64) -> bool;
    /// The values as the constructor receives them, one of which a rejection must name (empty
    /// when the condition concerns no number, as a discrete support given to `ImproperUniform`).
    fn shown(p: &[f64], _n: u64) -> Vec<f64> {
        p.to_vec()
    }
}

/// Where a value lies with respect to a support.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Position {
    Inside,
    Boundary,
    Outside,
}

/// The value kinds, with the values each is tried at.
pub trait Kind: ValueKind {
    fn values(p: &[f64], n: u64, real: f64, count: u64) -> Vec<Self::Plain>;
}

impl Kind for Real {
    fn values(p: &[f64], _n: u64, real: f64, _count: u64) -> Vec<f64> {
        strategies::real_values(p, real)
    }
}

impl Kind for Boolean {
    fn values(_p: &[f64], _n: u64, _real: f64, _count: u64) -> Vec<bool> {
        vec![false, true]
    }
}

impl Kind for Count {
    fn values(_p: &[f64], n: u64, _real: f64, count: u64) -> Vec<u64> {
        strategies::count_values(n, count)
    }
}

/// Where `x` lies in `support`: the boundary is a bound of an interval (where densities may
/// have a finite limit, a pole or a zero). Angles of a circular family may be any finite number,
/// since the density is periodic.
pub fn position(support: Support<f64>, x: f64) -> Position {
    use Position::*;
    if x.is_nan() {
        return Outside;
    }
    let between = |low: f64, high: f64| {
        if x > low && x < high {
            Inside
        } else if x == low || x == high {
            Boundary
        } else {
            Outside
        }
    };
    match support {
        Support::Real | Support::Circular => {
            if x.is_finite() {
                Inside
            } else {
                Outside
            }
        }
        Support::Positive => between(0.0, f64::INFINITY),
        Support::UnitInterval => between(0.0, 1.0),
        Support::Interval(a, b) => between(a, b),
        Support::GreaterThan(a) => between(a, f64::INFINITY),
        Support::LessThan(b) => between(f64::NEG_INFINITY, b),
        Support::Boolean => {
            if x == 0.0 || x == 1.0 {
                Inside
            } else {
                Outside
            }
        }
        Support::NonNegativeInteger => {
            if support.contains(x) {
                Inside
            } else {
                Outside
            }
        }
    }
}

fn support_f64<T: Scalar>(s: Support<T>) -> Support<f64> {
    match s {
        Support::Real => Support::Real,
        Support::Positive => Support::Positive,
        Support::UnitInterval => Support::UnitInterval,
        Support::Interval(a, b) => Support::Interval(a.value(), b.value()),
        Support::GreaterThan(a) => Support::GreaterThan(a.value()),
        Support::LessThan(b) => Support::LessThan(b.value()),
        Support::Circular => Support::Circular,
        Support::Boolean => Support::Boolean,
        Support::NonNegativeInteger => Support::NonNegativeInteger,
    }
}

/// The log density at `x` and its gradient in the parameters (and in `x` for real values),
/// through the reverse-mode tape.
pub fn log_prob_gradient<C: Case>(p: &[f64], n: u64, x: &PlainValue<C::D<f64>>) -> (f64, Vec<f64>) {
    let real = <C::K as ValueKind>::TRACKED;
    let mut position = p.to_vec();
    if real {
        position.push(<C::K as ValueKind>::plain_as_real(x));
    }
    let mut g = vec![0.0; position.len()];
    let value = gradient(&position, &mut g, |v: &[Var]| {
        let d = C::build(&v[..p.len()], n).map_err(|_| ())?;
        let plain = <C::K as ValueKind>::from_f64::<f64>(x);
        let value = <C::K as ValueKind>::lift::<f64, Var>(&plain, |_| v[p.len()]);
        Ok::<_, ()>(d.log_prob(&value))
    })
    .expect("the constructor accepted these parameters in f64");
    (value, g)
}

/// Constructor, density, gradient and sampler properties at any parameters.
pub fn check_extreme<C: Case>(
    p: &[f64],
    n: u64,
    real: f64,
    count: u64,
) -> Result<(), TestCaseError> {
    let built = C::build(p, n);
    let valid = C::valid(p, n);
    let d = match built {
        Err(e) => {
            let message = e.to_string();
            prop_assert!(
                !valid,
                "rejected valid parameters {p:?} (n = {n}): {message}"
            );
            let name = <C::D<f64> as Distribution>::NAME;
            prop_assert!(
                message.contains(name),
                "the error does not name {name}: {message}"
            );
            let shown = C::shown(p, n);
            prop_assert!(
                shown.is_empty()
                    || shown.iter().any(|v| message.contains(&v.to_string()))
                    || message.contains(&n.to_string()),
                "the error does not name the rejected value (one of {shown:?}): {message}"
            );
            return Ok(());
        }
        Ok(d) => d,
    };
    prop_assert!(valid, "accepted invalid parameters {p:?} (n = {n})");
    let support = support_f64(d.support());
    for x in C::K::values(p, n, real, count) {
        let lp = d.log_prob(&<C::K as ValueKind>::from_f64::<f64>(&x));
        let at = <C::K as ValueKind>::plain_as_real(&x);
        let where_ = position(support, at);
        prop_assert!(
            !lp.is_nan(),
            "log_prob({x:?}) is NaN at {p:?} (n = {n}), {where_:?} of {support}"
        );
        match where_ {
            Position::Outside => prop_assert!(
                lp == f64::NEG_INFINITY,
                "log_prob({x:?}) = {lp} outside the support {support} at {p:?} (n = {n})"
            ),
            Position::Inside => prop_assert!(
                lp < f64::INFINITY,
                "log_prob({x:?}) = +inf inside the support {support} at {p:?} (n = {n})"
            ),
            Position::Boundary => {}
        }
        let subnormal = |v: f64| v != 0.0 && v.abs() < f64::MIN_POSITIVE;
        if lp.is_finite() && !p.iter().any(|&v| subnormal(v)) && !subnormal(at) {
            // Subnormal inputs are left out: slopes such as 1/x exceed f64::MAX there, and
            // their overflow may meet another as ∞ - ∞ (documented on `distributions`).
            let (value, g) = log_prob_gradient::<C>(p, n, &x);
            prop_assert!(
                value == lp,
                "log_prob({x:?}) on the tape {value} differs from f64 {lp} at {p:?}"
            );
            prop_assert!(
                g.iter().all(|g| !g.is_nan()),
                "gradient {g:?} has NaN where log_prob({x:?}) = {lp} at {p:?} (n = {n})"
            );
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(count);
    for _ in 0..4 {
        if let Some(x) = d.sample(&mut rng) {
            let at = <C::K as ValueKind>::plain_as_real(&x);
            prop_assert!(!at.is_nan(), "a draw is NaN at {p:?} (n = {n})");
        }
    }
    for moment in [d.mean(), d.variance()].into_iter().flatten() {
        prop_assert!(!moment.is_nan(), "a moment is NaN at {p:?} (n = {n})");
    }
    Ok(())
}

/// At moderate parameters: every draw lies in the closure of the support, the log density at
/// a draw inside the support is finite, and so is its gradient (but for the slope in a
/// subnormal value, which may overflow).
pub fn check_moderate<C: Case>(p: &[f64], n: u64, seed: u64) -> Result<(), TestCaseError> {
    let d = match C::build(p, n) {
        Ok(d) => d,
        Err(e) => {
            prop_assert!(!C::valid(p, n), "rejected {p:?} (n = {n}): {e}");
            return Ok(());
        }
    };
    let support = support_f64(d.support());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..8 {
        let Some(x) = d.sample(&mut rng) else {
            return Ok(());
        };
        let at = <C::K as ValueKind>::plain_as_real(&x);
        let where_ = position(support, at);
        prop_assert!(
            where_ != Position::Outside,
            "draw {x:?} outside the support {support} at {p:?} (n = {n})"
        );
        let lp = d.log_prob(&<C::K as ValueKind>::from_f64::<f64>(&x));
        if where_ == Position::Boundary {
            prop_assert!(!lp.is_nan(), "log_prob at the boundary draw {x:?} is NaN");
            continue;
        }
        prop_assert!(
            lp.is_finite(),
            "log_prob at draw {x:?} is {lp} at {p:?} (n = {n})"
        );
        let (_, mut g) = log_prob_gradient::<C>(p, n, &x);
        if at != 0.0 && at.abs() < 1e-290 {
            // At a draw this close to 0 the slope in the value may truly overflow: it is 1/x
            // (above f64::MAX for a subnormal x) times a factor that reaches 1e3 and more,
            // e.g. (ln x - μ)/σ² for a log-normal draw at 6e-308 with σ = 0.025 makes
            // -2.3e310. The parameters' slopes must still be finite.
            g.truncate(p.len());
        }
        prop_assert!(
            g.iter().all(|g| g.is_finite()),
            "gradient {g:?} not finite at draw {x:?}, {p:?} (n = {n}), log_prob {lp}"
        );
    }
    Ok(())
}

fn moderate(range: Moderate) -> BoxedStrategy<f64> {
    match range {
        Moderate::Real => strategies::moderate_real(),
        Moderate::Positive => strategies::moderate_positive(),
        Moderate::Probability => strategies::moderate_probability(),
    }
}

/// Runs both properties for one constructor; a failure names the inputs (after shrinking).
pub fn run<C: Case>() {
    let arity = C::MODERATE.len();
    let mut runner = TestRunner::new(config(CASES));
    let inputs = (
        proptest::collection::vec(strategies::extreme(), arity),
        strategies::count(),
        strategies::extreme(),
        any::<u64>(),
    );
    if let Err(e) = runner.run(&inputs, |(p, n, real, count)| {
        check_extreme::<C>(&p, n, real, count)
    }) {
        panic!("{}: {e}", std::any::type_name::<C>());
    }
    let mut runner = TestRunner::new(config(CASES));
    let params: Vec<BoxedStrategy<f64>> = C::MODERATE.iter().map(|&m| moderate(m)).collect();
    let inputs = (params, strategies::moderate_count(), any::<u64>());
    if let Err(e) = runner.run(&inputs, |(p, n, seed)| check_moderate::<C>(&p, n, seed)) {
        panic!("{}: {e}", std::any::type_name::<C>());
    }
}
