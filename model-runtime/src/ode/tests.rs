//! Solutions against analytic ones, sensitivities against analytic derivatives and finite
//! differences, a stiff problem within a step budget, and every failure as an error.
//!
//! Its length (about 740 lines) is tables of problems with known solutions, run against every
//! solver.

use super::*;
use crate::autodiff::{Dual, gradient};

/// `y' = -k y`: `y = y0 e^{-k t}`.
struct Decay;
impl OdeSystem for Decay {
    fn rhs<S: Scalar>(&self, _t: S, y: &[S], theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        dydt[0] = -theta[0] * y[0];
    }
}

/// `x'' = -ω² x`: `x = a cos ωt + (b/ω) sin ωt` for `x(0) = a`, `x'(0) = b`.
struct Oscillator;
impl OdeSystem for Oscillator {
    fn rhs<S: Scalar>(&self, _t: S, y: &[S], theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        dydt[0] = y[1];
        dydt[1] = -(theta[0] * theta[0]) * y[0];
    }
}

/// Lotka–Volterra, nonlinear, with time-dependent forcing so that `∂f/∂t` matters.
struct ForcedPredatorPrey;
impl OdeSystem for ForcedPredatorPrey {
    fn rhs<S: Scalar>(&self, t: S, y: &[S], theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        let forcing = 1.0 + t.sin() * 0.3;
        dydt[0] = (theta[0] * forcing - theta[1] * y[1]) * y[0];
        dydt[1] = (theta[3] * y[0] - theta[2]) * y[1];
    }
}

/// Robertson's chemical kinetics (Hairer & Wanner II, §IV.1): the classic stiff test problem.
struct Robertson;
impl OdeSystem for Robertson {
    fn rhs<S: Scalar>(&self, _t: S, y: &[S], _theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        dydt[0] = y[0] * -0.04 + y[1] * y[2] * 1e4;
        dydt[1] = y[0] * 0.04 - y[1] * y[2] * 1e4 - y[1] * y[1] * 3e7;
        dydt[2] = y[1] * y[1] * 3e7;
    }
}

fn all_solvers<F: OdeSystem, S: Scalar>() -> [(&'static str, SolveFn<F, S>); 3] {
    [
        ("rk45", rk45_tol::<S, F>),
        ("rosenbrock23", rosenbrock23_tol::<S, F>),
        ("ros34pw2", ros34pw2_tol::<S, F>),
    ]
}

type Solution = Result<Vec<Vec<f64>>, OdeError>;

type SolveFn<F, S> = fn(&F, &[S], f64, &[f64], &[S], Tolerances) -> Result<Vec<Vec<S>>, OdeError>;

/// The global error of a solve whose local error per step is held to `tol`, for a problem over
/// a few time constants. The Dormand–Prince and ROS34PW2 solutions stay within a small multiple
/// of the tolerance: both advance with the higher-order formula of their pair (orders 5 and 3),
/// so a local error estimate `~h^p = tol` leaves a true local error `~h^(p+1)`, over
/// `~tol^(-1/p)` steps a global error `~tol`. Measured, as a multiple of the error scale
/// `atol + rtol |y|` (with the amplitude for the oscillator), over every check of these tests
/// (states and sensitivities): at most 1.1 for rk45 (bound 10) and 2.4 for ros34pw2 (bound 5).
/// With the plain scale `tol` for the oscillator's `x`, from `tol = 1e-4` to `1e-10` the ratio
/// holds at about 2.2 and 4.6. The ode23s Rosenbrock method is second order with a third-order
/// error estimate: a step of size `h` makes a local error `~h³ = tol`, so there are
/// `~tol^(-1/3)` steps and the global error grows like `tol^(2/3)` (measured: `3 tol^(2/3)` for
/// the oscillator's `x` against `tol`, from 300 times the tolerance at 1e-6 to 6500 times at
/// 1e-10; 90 and 1300 times the error scale for the decay at 1e-6 and 1e-9), so the bound of the
/// other two fails for it. The rk45 and ode23s bounds fail for a wrong coefficient or a method
/// of lower order (checked by breaking them); ROS34PW2's coefficients are checked by
/// [`rosenbrock_methods_converge_with_their_order`]. The ode23s bound is why its tests run at
/// two tolerances, 1000 apart, so that the rate counts.
fn within(found: f64, exact: f64, tol: &Tolerances, method: &str, what: &str) {
    let scale = tol.atol + tol.rtol * exact.abs();
    let bound = match method {
        "rk45" => 10.0 * scale,
        "ros34pw2" => 5.0 * scale,
        _ => 3.0 * scale.powf(2.0 / 3.0),
    };
    assert!(
        (found - exact).abs() <= bound,
        "{method} {what}: {found} vs {exact} (error {:e}, bound {bound:e})",
        (found - exact).abs()
    );
}

#[test]
fn exponential_decay_matches_the_analytic_solution() {
    let ts: Vec<f64> = (1..=10).map(|i| i as f64).collect();
    for (name, solve) in all_solvers::<Decay, f64>() {
        for tol in [
            Tolerances::new(1e-6, 1e-8, 100_000),
            Tolerances::new(1e-9, 1e-12, 1_000_000),
        ] {
            let ys = solve(&Decay, &[2.0], 0.0, &ts, &[0.5], tol).unwrap();
            for (t, y) in ts.iter().zip(&ys) {
                within(
                    y[0],
                    2.0 * (-0.5 * t).exp(),
                    &tol,
                    name,
                    &format!("{tol:?} t={t}"),
                );
            }
        }
    }
}

#[test]
fn harmonic_oscillator_matches_the_analytic_solution() {
    let omega = 2.0;
    let ts: Vec<f64> = (1..=8).map(|i| i as f64 * 0.5).collect();
    for (name, solve) in all_solvers::<Oscillator, f64>() {
        for tol in [
            Tolerances::new(1e-6, 1e-6, 100_000),
            Tolerances::new(1e-9, 1e-9, 1_000_000),
        ] {
            let ys = solve(&Oscillator, &[1.0, 0.5], 0.0, &ts, &[omega], tol).unwrap();
            for (t, y) in ts.iter().zip(&ys) {
                let x = (omega * t).cos() + 0.5 / omega * (omega * t).sin();
                let v = -omega * (omega * t).sin() + 0.5 * (omega * t).cos();
                // Amplitude 1.03: the scale of the error is the amplitude, not the value at t.
                let scaled = Tolerances::new(tol.rtol, tol.atol + tol.rtol * 1.03, 0);
                within(y[0], x, &scaled, name, &format!("x t={t}"));
                within(
                    y[1],
                    v,
                    &Tolerances::new(tol.rtol, tol.atol + tol.rtol * 2.1, 0),
                    name,
                    &format!("v t={t}"),
                );
            }
        }
    }
}

/// Sensitivities through a `Dual` with one direction per input: the tangents of the solution
/// are `∂y/∂(y0, θ)`.
#[test]
fn sensitivities_match_analytic_derivatives() {
    let (a, b, omega) = (1.0, 0.5, 2.0);
    let y0 = [Dual::<3>::variable(a, 0), Dual::variable(b, 1)];
    let theta = [Dual::<3>::variable(omega, 2)];
    let ts = [0.7, 1.9, 3.0];
    for (name, solve) in all_solvers::<Oscillator, Dual<3>>() {
        for tol in [
            Tolerances::new(1e-6, 1e-6, 100_000),
            Tolerances::new(1e-9, 1e-9, 1_000_000),
        ] {
            let ys = solve(&Oscillator, &y0, 0.0, &ts, &theta, tol).unwrap();
            for (&t, y) in ts.iter().zip(&ys) {
                let (s, c) = ((omega * t).sin(), (omega * t).cos());
                let exact = [
                    c,
                    s / omega,
                    -a * t * s + b * (t * c / omega - s / (omega * omega)),
                ];
                // Scale: the sensitivities' own magnitudes (up to t ≈ 3 for ∂x/∂ω).
                let scaled = Tolerances::new(tol.rtol, tol.atol + tol.rtol * 3.0, 0);
                for (k, (found, exact)) in y[0].tangent().iter().zip(exact).enumerate() {
                    within(*found, exact, &scaled, name, &format!("∂x/∂input{k} t={t}"));
                }
            }
        }
    }
    let y0 = [Dual::<2>::variable(2.0, 0)];
    let theta = [Dual::<2>::variable(0.5, 1)];
    for (name, solve) in all_solvers::<Decay, Dual<2>>() {
        let tol = Tolerances::new(1e-9, 1e-12, 1_000_000);
        let ys = solve(&Decay, &y0, 0.0, &[1.0, 4.0], &theta, tol).unwrap();
        for (t, y) in [1.0_f64, 4.0].iter().zip(&ys) {
            let e = (-0.5 * t).exp();
            let [dy0, dk] = y[0].tangent();
            within(dy0, e, &tol, name, &format!("∂y/∂y0 t={t}"));
            within(
                dk,
                -t * 2.0 * e,
                &Tolerances::new(tol.rtol, tol.atol + tol.rtol * 2.0, 0),
                name,
                &format!("∂y/∂k t={t}"),
            );
        }
    }
}

/// A nonlinear, time-dependent system: sensitivities against central differences of solves
/// at tight tolerance.
#[test]
fn sensitivities_match_finite_differences() {
    let y0 = [10.0, 4.0];
    let theta = [1.0, 0.1, 0.8, 0.05];
    let ts = [1.0, 2.5, 4.0];
    for (name, solve) in all_solvers::<ForcedPredatorPrey, f64>() {
        let dual_solve = all_solvers::<ForcedPredatorPrey, Dual<6>>()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1;
        let tight = Tolerances::new(1e-11, 1e-11, 10_000_000);
        let y0d = [Dual::<6>::variable(y0[0], 0), Dual::variable(y0[1], 1)];
        let thetad: Vec<Dual<6>> = (0..4).map(|k| Dual::variable(theta[k], 2 + k)).collect();
        let ys = dual_solve(
            &ForcedPredatorPrey,
            &y0d,
            0.0,
            &ts,
            &thetad,
            Tolerances::new(1e-8, 1e-8, 1_000_000),
        )
        .unwrap();
        for input in 0..6 {
            let h = 1e-4
                * if input < 2 {
                    y0[input]
                } else {
                    theta[input - 2]
                };
            let shifted = |delta: f64| {
                let (mut a, mut b) = (y0, theta);
                if input < 2 {
                    a[input] += delta;
                } else {
                    b[input - 2] += delta;
                }
                solve(&ForcedPredatorPrey, &a, 0.0, &ts, &b, tight).unwrap()
            };
            let (plus, minus) = (shifted(h), shifted(-h));
            for (i, y) in ys.iter().enumerate() {
                for k in 0..2 {
                    let fd = (plus[i][k] - minus[i][k]) / (2.0 * h);
                    let found = y[k].tangent()[input];
                    assert!(
                        (found - fd).abs() <= 1e-5 * (1.0 + fd.abs()),
                        "{name} ∂y{k}(t{i})/∂input{input}: {found} vs {fd}"
                    );
                }
            }
        }
    }
}

/// The reverse-mode gradient of a scalar function of the solution (a sum of squares, as in a
/// likelihood) against central differences.
#[test]
fn gradient_through_var_matches_finite_differences() {
    let data = [[9.0, 5.0], [6.0, 7.0]];
    let ts = [1.5, 3.0];
    let loss = |x: &[f64]| -> f64 {
        let ys = rk45_tol(
            &ForcedPredatorPrey,
            &x[..2],
            0.0,
            &ts,
            &x[2..],
            Tolerances::new(1e-11, 1e-11, 1_000_000),
        )
        .unwrap();
        ys.iter()
            .zip(&data)
            .map(|(y, d)| (y[0] - d[0]).powi(2) + (y[1] - d[1]).powi(2))
            .sum()
    };
    let x = [10.0, 4.0, 1.0, 0.1, 0.8, 0.05];
    for (name, solve) in all_solvers::<ForcedPredatorPrey, Var>() {
        let mut g = [0.0; 6];
        let value = gradient(&x, &mut g, |v| {
            let tol = Tolerances::new(1e-8, 1e-8, 1_000_000);
            let ys = solve(&ForcedPredatorPrey, &v[..2], 0.0, &ts, &v[2..], tol)?;
            let mut total = Var::constant(0.0);
            for (y, d) in ys.iter().zip(&data) {
                let (a, b) = (y[0] - d[0], y[1] - d[1]);
                total += a * a + b * b;
            }
            Ok::<_, OdeError>(total)
        })
        .unwrap();
        assert!((value - loss(&x)).abs() <= 1e-5 * value.abs());
        for i in 0..6 {
            let h = 1e-5 * x[i];
            let (mut plus, mut minus) = (x, x);
            plus[i] += h;
            minus[i] -= h;
            let fd = (loss(&plus) - loss(&minus)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() <= 1e-4 * (1.0 + fd.abs()),
                "{name} ∂/∂x{i}: {} vs {fd}",
                g[i]
            );
        }
    }
}

use crate::autodiff::Var;

/// Robertson's problem to t = 4e4 with the stiff solvers, within a step budget, against the
/// reference values at t = 40 (Hairer & Wanner II, §IV.10); the explicit solver with a small
/// step limit reports the limit instead.
///
/// The steps are counted as the Jacobians evaluated (one per accepted step). Measured at
/// `rtol = 1e-6`, `atol = 1e-10`: rosenbrock23 633 steps and 1276 evaluations of the right-hand
/// side, ros34pw2 424 steps and 1707 evaluations (four per step against two); at `rtol = 1e-8`
/// (`atol = 1e-12`) 5140 steps against 1917.
#[test]
fn robertson_is_solved_by_the_stiff_solvers_within_a_step_budget() {
    let ts = [0.4, 4.0, 40.0, 400.0, 4000.0, 40000.0];
    let tol = Tolerances::new(1e-6, 1e-10, 400);
    type Counted = SolveFn<Counting<Robertson>, f64>;
    let stiff: [(&str, Counted, usize); 2] = [
        ("rosenbrock23", rosenbrock23_tol, 700),
        ("ros34pw2", ros34pw2_tol, 470),
    ];
    for (name, solve, budget) in stiff {
        let system = Counting::new(Robertson);
        let ys = solve(&system, &[1.0, 0.0, 0.0], 0.0, &ts, &[], tol).unwrap();
        let steps = system.jacobians.get();
        assert!(steps <= budget, "{name}: {steps} steps");
        let at40 = &ys[2];
        let reference = [0.715_827_068_7, 9.185_534_764e-6, 0.284_163_745_7];
        for (k, (y, r)) in at40.iter().zip(reference).enumerate() {
            assert!(
                (y - r).abs() <= 1e-4 * r,
                "{name}: y{k}(40) = {y}, reference {r}"
            );
        }
        for y in &ys {
            assert!(
                (y.iter().sum::<f64>() - 1.0).abs() < 1e-9,
                "{name}: mass is conserved: {y:?}"
            );
        }
    }
    // At tight tolerances the third-order method takes far fewer steps.
    let tight = Tolerances::new(1e-8, 1e-12, 100_000);
    let steps = |solve: Counted| {
        let system = Counting::new(Robertson);
        solve(&system, &[1.0, 0.0, 0.0], 0.0, &ts, &[], tight).unwrap();
        system.jacobians.get()
    };
    let (second, third) = (steps(rosenbrock23_tol), steps(ros34pw2_tol));
    assert!(
        2 * third < second,
        "ros34pw2 {third} steps, rosenbrock23 {second}"
    );
    let e = rk45_tol(&Robertson, &[1.0, 0.0, 0.0], 0.0, &ts, &[], tol).unwrap_err();
    assert!(
        matches!(
            e,
            OdeError::StepLimit {
                max_num_steps: 400,
                ..
            }
        ),
        "{e}"
    );
}

/// Counts the evaluations of a system's right-hand side: with `f64` (values) and with duals
/// (the stiff solvers' Jacobians, one evaluation each for a system of up to seven states).
struct Counting<F> {
    inner: F,
    values: std::cell::Cell<usize>,
    jacobians: std::cell::Cell<usize>,
}

impl<F> Counting<F> {
    fn new(inner: F) -> Self {
        Counting {
            inner,
            values: Default::default(),
            jacobians: Default::default(),
        }
    }
}

impl<F: OdeSystem> OdeSystem for Counting<F> {
    fn rhs<S: Scalar>(&self, t: S, y: &[S], theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        let counter = if S::DIFFERENTIABLE {
            &self.jacobians
        } else {
            &self.values
        };
        counter.set(counter.get() + 1);
        self.inner.rhs(t, y, theta, dydt);
    }
}

/// y' = √y leaves its domain below 0; y' = NaN is never finite.
struct Broken;
impl OdeSystem for Broken {
    fn rhs<S: Scalar>(&self, _t: S, y: &[S], _theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        dydt[0] = y[0] * f64::NAN;
    }
}

struct BlowUp;
impl OdeSystem for BlowUp {
    fn rhs<S: Scalar>(&self, _t: S, y: &[S], _theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        dydt[0] = y[0] * y[0];
    }
}

#[test]
fn failures_are_errors_not_panics() {
    for (name, solve) in all_solvers::<Broken, f64>() {
        let e = solve(&Broken, &[1.0], 0.0, &[1.0], &[], Tolerances::default()).unwrap_err();
        assert_eq!(e, OdeError::NonFiniteState { t: 0.0 }, "{name}");
    }
    for (name, solve) in all_solvers::<BlowUp, f64>() {
        let e = solve(&BlowUp, &[1.0], 0.0, &[2.0], &[], Tolerances::default()).unwrap_err();
        match e {
            OdeError::StepLimit { t, .. } | OdeError::StepSizeUnderflow { t, .. } => {
                assert!((t - 1.0).abs() < 1e-2, "{name}: stopped at {t}")
            }
            other => panic!("{name}: {other}"),
        }
    }
    let ok = [1.0];
    let cases: [(Solution, OdeError); 6] = [
        (rk45(&Decay, &[], 0.0, &[1.0], &ok), OdeError::EmptyState),
        (rk45(&Decay, &ok, 0.0, &[], &ok), OdeError::NoOutputTimes),
        (
            rk45(&Decay, &ok, 0.0, &[1.0], &[f64::NAN]),
            OdeError::NonFiniteInput {
                argument: "theta",
                index: 0,
                value: f64::NAN,
            },
        ),
        (
            rk45(&Decay, &ok, 0.0, &[1.0, 1.0], &ok),
            OdeError::TimesNotIncreasing {
                index: 1,
                previous: 1.0,
                value: 1.0,
            },
        ),
        (
            rk45(&Decay, &ok, f64::INFINITY, &[1.0], &ok),
            OdeError::NonFiniteTime {
                index: None,
                value: f64::INFINITY,
            },
        ),
        (
            rk45_tol(
                &Decay,
                &ok,
                0.0,
                &[1.0],
                &ok,
                Tolerances::new(0.0, 1e-6, 10),
            ),
            OdeError::InvalidTolerance {
                name: "rtol",
                value: 0.0,
            },
        ),
    ];
    for (found, expected) in cases {
        let found = found.unwrap_err();
        // NaN != NaN: compare the messages.
        assert_eq!(found.to_string(), expected.to_string());
    }
    let e = ModelError::from(OdeError::NonFiniteState { t: 2.0 });
    assert_eq!(e.site(), "ode");
    assert_eq!(
        e.to_string(),
        "site `ode`: ODE right-hand side is not finite at t = 2: the state left the system's domain"
    );
}

/// Only inputs that carry derivatives get sensitivities: a constant `Var` among the inputs
/// records no edge, and the result of an all-constant solve is constant.
#[test]
fn constant_inputs_get_no_sensitivities() {
    let mut g = [0.0; 1];
    gradient(&[0.5], &mut g, |v| {
        let ys = rk45(&Decay, &[Var::constant(2.0)], 0.0, &[1.0], &[v[0]])?;
        let constant = rk45(
            &Decay,
            &[Var::constant(2.0)],
            0.0,
            &[1.0],
            &[Var::constant(0.5)],
        )?;
        assert!(constant[0][0].is_constant());
        Ok::<_, OdeError>(ys[0][0])
    })
    .unwrap();
    assert!((g[0] + 2.0 * (-0.5_f64).exp()).abs() < 1e-5, "{}", g[0]);
}

/// `y' = k y²` from `y(0) = 1` is `1 / (1 − k t)`: it blows up at `t = 1/k`. In a model solved
/// to `t = 1`, every `k ≥ 1` is a failing solve: the log density is an error naming the site,
/// and NUTS, whose early trajectories reach such `k`, treats them as rejected points and still
/// finds the posterior (near the `k = 0.5` the data come from).
#[test]
fn solver_failures_in_a_model_name_the_site_and_do_not_stop_nuts() {
    use crate::prelude::*;

    struct Quadratic;
    impl OdeSystem for Quadratic {
        fn rhs<S: Scalar>(&self, _t: S, y: &[S], theta: &[S], dydt: &mut [S])
        where
            f64: FloatOps<S>,
        {
            dydt[0] = theta[0] * y[0] * y[0];
        }
    }

    #[model]
    fn blow_up(ts: &[f64], y: &[f64]) {
        let k = sample!("k", LogNormal::new(-1.0, 1.0));
        let tol = Tolerances::new(1e-8, 1e-8, 1000);
        let mu = rk45_tol(&Quadratic, &[scalar(1.0)], 0.0, ts, &[k], tol).map_err(|e| e.at("y"))?;
        plate!("obs", y.len(), |i| {
            sample!("y", Normal::new(mu[i][0], 0.05), obs = y[i]);
        });
    }

    let ts = [0.25, 0.5, 0.75, 1.0];
    let y: Vec<f64> = ts.iter().map(|t| 1.0 / (1.0 - 0.5 * t)).collect();
    let model = blow_up(&ts, &y);
    let e = model.log_density(&[2.0_f64.ln()]).unwrap_err();
    assert_eq!(e.site(), "y");
    assert!(matches!(e.kind(), ModelErrorKind::Solver(_)), "{e}");
    assert!(model.log_density(&[0.5_f64.ln()]).unwrap().is_finite());
    let fit = Nuts::default()
        .warmup(300)
        .samples(300)
        .chains(2)
        .seed(11)
        .progress(false)
        .run(&model)
        .unwrap();
    let k = &fit.posterior().k;
    let mean = k.iter().sum::<f64>() / k.len() as f64;
    // The posterior sd of k is about 0.01 (the data pin it down near the singularity).
    assert!((mean - 0.5).abs() < 0.02, "{mean}");
}

/// `OdeSystem::rhs` promises zeros in `dydt`: a system that adds its terms into it solves the
/// same as one that assigns them, with and without sensitivities.
#[test]
fn the_right_hand_side_starts_from_zeros() {
    struct Accumulating;
    impl OdeSystem for Accumulating {
        fn rhs<S: Scalar>(&self, _t: S, y: &[S], theta: &[S], dydt: &mut [S])
        where
            f64: FloatOps<S>,
        {
            dydt[0] += -theta[0] * y[0];
        }
    }
    let ts = [1.0, 2.0];
    for (name, solve) in all_solvers::<Accumulating, f64>() {
        let tol = Tolerances::new(1e-8, 1e-10, 100_000);
        let ys = solve(&Accumulating, &[2.0], 0.0, &ts, &[0.5], tol).unwrap();
        for (t, y) in ts.iter().zip(&ys) {
            within(y[0], 2.0 * (-0.5 * t).exp(), &tol, name, &format!("t={t}"));
        }
    }
    for (name, solve) in all_solvers::<Accumulating, Dual<1>>() {
        let tol = Tolerances::new(1e-8, 1e-10, 100_000);
        let ys = solve(
            &Accumulating,
            &[Dual::constant(2.0)],
            0.0,
            &ts,
            &[Dual::variable(0.5, 0)],
            tol,
        )
        .unwrap();
        for (t, y) in ts.iter().zip(&ys) {
            within(
                y[0].value(),
                2.0 * (-0.5 * t).exp(),
                &tol,
                name,
                &format!("t={t}"),
            );
        }
    }
}

/// `y' = −k (y² − cos² t) − sin t`, `y(0) = 1`: `y = cos t`, with sensitivities
/// `∂y/∂y0 = exp(−2k sin t)` and `∂y/∂k = 0`. Nonlinear (so the sensitivities' block of the
/// coupled Jacobian that the Rosenbrock solvers leave out, `∂(J s)/∂y = −2k s`, is not zero)
/// and time-dependent (so `∂f/∂t` counts).
struct Manufactured;
impl OdeSystem for Manufactured {
    fn rhs<S: Scalar>(&self, t: S, y: &[S], theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        let c = t.cos();
        dydt[0] = -theta[0] * (y[0] * y[0] - c * c) - t.sin();
    }
}

/// The order of the Rosenbrock methods, observed: fixed steps over `[0, 2]`, 400 then 800, and
/// the error of the state and of both sensitivities each time (against the exact values). The
/// error ratio of a method of order `p` is `2^p`; the observed order, `log2` of it, must be 3
/// for ROS34PW2 and 2 for ode23s, within 0.15, on the state and on the sensitivities (measured:
/// 3.02, 3.00 and 2.98 for ROS34PW2, 2.01, 2.01 and 2.00 for ode23s). This checks the ROS34PW2
/// coefficients (one of them changed in its sixth digit fails it, checked), and that the
/// block-diagonal matrix used for the sensitivities keeps the order. That holds because both
/// are W-methods, which keep their order with any matrix in place of the Jacobian: the test
/// runs again with `J` and `∂f/∂t` halved, and with them zero (where the methods become explicit
/// Runge–Kutta methods of the same order); measured 2.98 to 3.08 and 2.00 to 2.01. Last, the
/// error estimate of a single step must be `O(h³)` for both (measured 2.93 to 2.99 from
/// `h = 0.02` to `0.01`), which checks the embedded weights (`b̂_1` changed in its fifth digit
/// fails it, checked).
#[test]
fn rosenbrock_methods_converge_with_their_order() {
    use super::ode23s::Ode23s;
    use super::problem::{Input, Problem};
    use super::ros34pw::Ros34pw2;
    use super::rosenbrock::{Scheme, fixed_steps};

    fn errors<M: Scheme>(steps: usize, jacobian_factor: f64) -> [f64; 3] {
        let (k, t1) = (1.5, 2.0_f64);
        let inputs = vec![Input::State(0), Input::Param(0)];
        let mut problem = Problem::new(&Manufactured, 1, vec![k], inputs);
        let z0 = problem.initial(&[1.0]);
        let (z, _) = fixed_steps::<M, _>(&mut problem, z0, 0.0, t1, steps, jacobian_factor);
        [
            (z[0] - t1.cos()).abs(),
            (z[1] - (-2.0 * k * t1.sin()).exp()).abs(),
            z[2].abs(),
        ]
    }
    // The error estimate of one step of size h (the difference to the embedded solution) is
    // O(h³) for both methods, which is what the step-size control assumes.
    fn estimate_order<M: Scheme>(name: &str) {
        let estimate = |h: f64| {
            let inputs = vec![Input::State(0), Input::Param(0)];
            let mut problem = Problem::new(&Manufactured, 1, vec![1.5], inputs);
            let z0 = problem.initial(&[1.0]);
            fixed_steps::<M, _>(&mut problem, z0, 0.3, 0.3 + h, 1, 1.0).1
        };
        let (coarse, fine) = (estimate(0.02), estimate(0.01));
        for (k, what) in ["y", "∂y/∂y0", "∂y/∂k"].iter().enumerate() {
            let p = (coarse[k] / fine[k]).abs().log2();
            assert!(
                (p - 3.0).abs() <= 0.15,
                "{name} {what}: error estimates {:e} → {:e}, observed order {p}",
                coarse[k],
                fine[k]
            );
        }
    }
    fn observed<M: Scheme>(name: &str, order: f64) {
        for jacobian_factor in [1.0, 0.5, 0.0] {
            let coarse = errors::<M>(400, jacobian_factor);
            let fine = errors::<M>(800, jacobian_factor);
            for (k, what) in ["y", "∂y/∂y0", "∂y/∂k"].iter().enumerate() {
                let p = (coarse[k] / fine[k]).log2();
                assert!(
                    (p - order).abs() <= 0.15,
                    "{name} {what} (J×{jacobian_factor}): errors {:e} → {:e}, observed order {p}",
                    coarse[k],
                    fine[k]
                );
            }
        }
    }
    observed::<Ros34pw2>("ros34pw2", 3.0);
    observed::<Ode23s>("rosenbrock23", 2.0);
    estimate_order::<Ros34pw2>("ros34pw2");
    estimate_order::<Ode23s>("rosenbrock23");
}

/// `y' = λ (y − sin t) + cos t`, `y(0) = 0`: `y = sin t` for every `λ` (Prothero and Robinson's
/// test of stiff accuracy, Hairer & Wanner II, §IV.15).
struct ProtheroRobinson;
impl OdeSystem for ProtheroRobinson {
    fn rhs<S: Scalar>(&self, t: S, y: &[S], theta: &[S], dydt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        dydt[0] = theta[0] * (y[0] - t.sin()) + t.cos();
    }
}

/// The Prothero–Robinson problem with `λ = −1e6` to `t = 10` at tolerance `1e-6`: both stiff
/// solvers stay within the error scale (measured: ros34pw2 `< 1e-3` of it, rosenbrock23 0.17),
/// but ode23s's error estimate keeps its steps short: it takes 3760 steps where ROS34PW2 takes
/// 126 (measured; the same at `λ = −1e8`, and at `1e-8` 37246 against 543).
#[test]
fn a_very_stiff_problem_with_a_known_solution() {
    let ts: Vec<f64> = (1..=10).map(f64::from).collect();
    let tol = Tolerances::new(1e-6, 1e-6, 100_000);
    let mut steps = Vec::new();
    for (name, solve) in all_solvers::<Counting<ProtheroRobinson>, f64>()
        .into_iter()
        .skip(1)
    {
        let system = Counting::new(ProtheroRobinson);
        let ys = solve(&system, &[0.0], 0.0, &ts, &[-1e6], tol).unwrap();
        for (t, y) in ts.iter().zip(&ys) {
            let scale = tol.atol + tol.rtol * t.sin().abs();
            assert!(
                (y[0] - t.sin()).abs() <= scale,
                "{name} t={t}: {} vs {}",
                y[0],
                t.sin()
            );
        }
        steps.push((name, system.jacobians.get()));
    }
    let [("rosenbrock23", second), ("ros34pw2", third)] = steps[..] else {
        panic!("{steps:?}");
    };
    assert!(third <= 150 && 10 * third < second, "{steps:?}");
}
