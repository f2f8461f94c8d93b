//! Every bijector at extreme unconstrained values (±700, ±1e-300, subnormals, 0 and random
//! values up to ±700): the forward map succeeds, its value lies in the closure of the support
//! with a finite log-Jacobian and no NaN in its gradient, and the inverse gives the value back.
//! The scalar supports' maps (`Support::from_unconstrained` / `to_unconstrained`) likewise.

use model_runtime::autodiff::{Var, gradient};
use model_runtime::bijectors::{
    Bound, CorrelationCholesky, CovarianceCholesky, CovarianceMatrix, Elementwise, ForwardMap,
    Ordered, PositiveOrdered, Simplex,
};
use model_runtime::prelude::Support;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

use super::strategies::config;

/// An unconstrained coordinate: the extremes the brief names, subnormals, and random values.
fn coordinate() -> BoxedStrategy<f64> {
    prop_oneof![
        2 => prop::sample::select(vec![
            700.0, -700.0, 1e-300, -1e-300, 5e-324, -5e-324, 0.0, -0.0, 1.0, -1.0, 40.0, -40.0,
            300.0, -300.0, 36.7, -36.7,
        ]),
        2 => -700.0..700.0f64,
        1 => -5.0..5.0f64,
    ]
    .boxed()
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// The properties of one bijector at coordinates `u`.
fn check<B>(name: &str, bijector: &B, u: &[f64], conditioned: bool) -> Result<(), TestCaseError>
where
    B: ForwardMap<f64> + ForwardMap<Var>,
{
    let mut x = vec![0.0; bijector.constrained_len()];
    let log_jacobian = ForwardMap::<f64>::forward(bijector, u, &mut x)
        .map_err(|e| TestCaseError::fail(format!("{name}: forward({u:?}) failed: {e}")))?;
    prop_assert!(
        x.iter().all(|v| v.is_finite()),
        "{name}: forward({u:?}) = {x:?} is not finite"
    );
    prop_assert!(
        log_jacobian.is_finite(),
        "{name}: log-Jacobian {log_jacobian} at {u:?}"
    );
    if let Err(e) = bijector.check(&x) {
        return Err(TestCaseError::fail(format!(
            "{name}: forward({u:?}) = {x:?} is outside the support: {e}"
        )));
    }
    let mut g = vec![0.0; u.len()];
    let value = gradient(u, &mut g, |v: &[Var]| {
        let mut y = vec![v.first().copied().unwrap_or_default(); x.len()];
        let log_jacobian = ForwardMap::<Var>::forward(bijector, v, &mut y)?;
        let total = y.iter().fold(log_jacobian, |sum, &y| sum + y);
        Ok::<_, model_runtime::bijectors::BijectorError>(total)
    })
    .map_err(|e| TestCaseError::fail(format!("{name}: forward on the tape failed: {e}")))?;
    if value.is_finite() {
        prop_assert!(
            g.iter().all(|g| !g.is_nan()),
            "{name}: gradient {g:?} has NaN at {u:?}"
        );
    }
    // The value's round trip: where the inverse exists (not on the boundary), forward(inverse(x))
    // gives x back.
    let mut back = vec![0.0; u.len()];
    if bijector.inverse(&x, &mut back).is_ok() {
        prop_assert!(
            back.iter().all(|v| !v.is_nan()),
            "{name}: inverse({x:?}) = {back:?}"
        );
        let mut again = vec![0.0; x.len()];
        ForwardMap::<f64>::forward(bijector, &back, &mut again)
            .map_err(|e| TestCaseError::fail(format!("{name}: forward(inverse) failed: {e}")))?;
        prop_assert!(
            x.iter().zip(&again).all(|(&a, &b)| close(a, b)),
            "{name}: forward(inverse(x)) = {again:?} differs from x = {x:?} (u = {u:?})"
        );
        // Where the map is well conditioned the coordinates come back too (not near a bound
        // of 1e10, say, where x - bound has lost digits).
        if conditioned && u.iter().all(|v| v.abs() <= 10.0) {
            prop_assert!(
                u.iter()
                    .zip(&back)
                    .all(|(&a, &b)| (a - b).abs() <= 1e-6 * (1.0 + a.abs())),
                "{name}: inverse(forward(u)) = {back:?} differs from u = {u:?}"
            );
        }
    }
    Ok(())
}

fn run<B>(name: &str, bijector: &B)
where
    B: ForwardMap<f64> + ForwardMap<Var>,
{
    run_from(name, bijector, f64::INFINITY, true);
}

/// `run` with coordinates within `±limit` and the coordinates' round trip checked when
/// `conditioned`.
fn run_from<B>(name: &str, bijector: &B, limit: f64, conditioned: bool)
where
    B: ForwardMap<f64> + ForwardMap<Var>,
{
    let mut runner = TestRunner::new(config(128));
    let coordinates = coordinate().prop_map(move |u| u.clamp(-limit, limit));
    let inputs = proptest::collection::vec(coordinates, bijector.unconstrained_len());
    if let Err(e) = runner.run(&inputs, |u| check(name, bijector, &u, conditioned)) {
        panic!("{name}: {e}");
    }
}

#[test]
fn elementwise() {
    let lower = [-3.0, 0.0, 1e-300];
    let upper = [-2.0, 1e300, 1.0];
    let cases: Vec<(&str, Elementwise)> = vec![
        ("real", Elementwise::real(3)),
        ("positive", Elementwise::positive(3)),
        ("unit_interval", Elementwise::unit_interval(3)),
        ("circular", Elementwise::circular(3)),
        (
            "interval",
            Elementwise::interval(3, Bound::PerElement(&lower), Bound::PerElement(&upper)).unwrap(),
        ),
        (
            "wide interval",
            Elementwise::interval(3, Bound::Shared(-1e300), Bound::Shared(1e300)).unwrap(),
        ),
        (
            "greater_than",
            Elementwise::greater_than(3, Bound::Shared(1e10)).unwrap(),
        ),
        (
            "less_than",
            Elementwise::less_than(3, Bound::PerElement(&lower)).unwrap(),
        ),
        (
            "from_support",
            Elementwise::from_support(3, Support::Interval(-1.0, 1.0)).unwrap(),
        ),
    ];
    for (name, bijector) in &cases {
        // Far bounds cost the coordinates digits (x - 1e10 keeps about 6).
        let conditioned = !matches!(*name, "greater_than" | "wide interval");
        run_from(name, bijector, f64::INFINITY, conditioned);
    }
}

#[test]
fn simplex() {
    for k in 1..=5 {
        run(&format!("Simplex({k})"), &Simplex::new(k).unwrap());
    }
}

#[test]
fn ordered() {
    for k in 1..=4 {
        run(&format!("Ordered({k})"), &Ordered::new(k));
        run(&format!("PositiveOrdered({k})"), &PositiveOrdered::new(k));
    }
}

#[test]
fn correlation_cholesky() {
    for k in 1..=4 {
        run(
            &format!("CorrelationCholesky({k})"),
            &CorrelationCholesky::new(k),
        );
    }
}

#[test]
fn covariance() {
    for k in 1..=3 {
        run(
            &format!("CovarianceCholesky({k})"),
            &CovarianceCholesky::new(k),
        );
        // Σ = L Lᵀ rounds to singular for ill-conditioned L, which coordinates beyond about
        // ±6 can make (documented on the type: at ±8, u = [8, -3, -8, 8, 8, -8] gives a
        // diagonal 1.1e-4 of its row's norm, and Σ fails its Cholesky); its coordinates come
        // back only to the digits that conditioning leaves, so only the value's round trip is
        // checked.
        run_from(
            &format!("CovarianceMatrix({k})"),
            &CovarianceMatrix::new(k),
            6.0,
            false,
        );
    }
}

/// The scalar supports' maps: `from_unconstrained` lands in the closure of the support with a
/// finite log-Jacobian, and `to_unconstrained` inverts it where the value is inside.
#[test]
fn scalar_supports() {
    let supports: Vec<Support<f64>> = vec![
        Support::Real,
        Support::Positive,
        Support::UnitInterval,
        Support::Circular,
        Support::Interval(-1.0, 2.0),
        Support::Interval(-1e300, 1e300),
        Support::Interval(0.0, 5e-324 * 4.0),
        Support::GreaterThan(-1e300),
        Support::LessThan(1e300),
    ];
    let mut runner = TestRunner::new(config(256));
    let result = runner.run(&coordinate(), |u| {
        for support in &supports {
            let (x, log_jacobian) = support.from_unconstrained(u);
            prop_assert!(!x.is_nan(), "{support}: x is NaN at u = {u}");
            prop_assert!(
                log_jacobian.is_finite(),
                "{support}: log-Jacobian {log_jacobian} at u = {u}"
            );
            let inside = super::harness::position(*support, x);
            prop_assert!(
                inside != super::harness::Position::Outside,
                "{support}: {x} at u = {u} is outside"
            );
            if inside == super::harness::Position::Inside {
                let back = support.to_unconstrained(x);
                let (again, _) = support.from_unconstrained(back);
                prop_assert!(
                    close(x, again),
                    "{support}: round trip {x} -> {back} -> {again} (u = {u})"
                );
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
