//! The Dormand–Prince 5(4) explicit Runge–Kutta pair, the method of Stan's `ode_rk45` (boost
//! odeint's `runge_kutta_dopri5`).
//!
//! J. R. Dormand and P. J. Prince (1980), "A family of embedded Runge–Kutta formulae", J. Comp.
//! Appl. Math. 6(1); the tableau and the step-size control follow Hairer, Nørsett & Wanner,
//! "Solving Ordinary Differential Equations I" (2nd ed.), §II.4–II.5 (their DOPRI5). Seven
//! stages, the seventh being the first of the next step (FSAL); the solution advances with the
//! fifth-order weights and the difference to the embedded fourth-order solution estimates the
//! local error. Instead of interpolating with dense output, the step is shortened to land on
//! each output time, which costs at most one extra step per output and keeps the values at the
//! output times the method's own fifth-order solution.

use super::problem::{Problem, StepControl, count_step, error_norm, initial_step};
use super::{OdeError, OdeSystem, Tolerances};

const C2: f64 = 1.0 / 5.0;
const C3: f64 = 3.0 / 10.0;
const C4: f64 = 4.0 / 5.0;
const C5: f64 = 8.0 / 9.0;
const A21: f64 = 1.0 / 5.0;
const A31: f64 = 3.0 / 40.0;
const A32: f64 = 9.0 / 40.0;
const A41: f64 = 44.0 / 45.0;
const A42: f64 = -56.0 / 15.0;
const A43: f64 = 32.0 / 9.0;
const A51: f64 = 19372.0 / 6561.0;
const A52: f64 = -25360.0 / 2187.0;
const A53: f64 = 64448.0 / 6561.0;
const A54: f64 = -212.0 / 729.0;
const A61: f64 = 9017.0 / 3168.0;
const A62: f64 = -355.0 / 33.0;
const A63: f64 = 46732.0 / 5247.0;
const A64: f64 = 49.0 / 176.0;
const A65: f64 = -5103.0 / 18656.0;
// The fifth-order weights, which are also the seventh stage's row (FSAL).
const B1: f64 = 35.0 / 384.0;
const B3: f64 = 500.0 / 1113.0;
const B4: f64 = 125.0 / 192.0;
const B5: f64 = -2187.0 / 6784.0;
const B6: f64 = 11.0 / 84.0;
// Fifth- minus fourth-order weights: the local error estimate.
const E1: f64 = 71.0 / 57600.0;
const E3: f64 = -71.0 / 16695.0;
const E4: f64 = 71.0 / 1920.0;
const E5: f64 = -17253.0 / 339200.0;
const E6: f64 = 22.0 / 525.0;
const E7: f64 = -1.0 / 40.0;

/// The local error is `O(h^5)`: the controller's exponent is 1/5.
const ERROR_ORDER: i32 = 5;

/// Integrates from `t0` to each of `ts` in turn; returns the coupled state at each.
pub(super) fn solve<F: OdeSystem>(
    problem: &mut Problem<'_, F>,
    mut z: Vec<f64>,
    t0: f64,
    ts: &[f64],
    tol: &Tolerances,
) -> Result<Vec<Vec<f64>>, OdeError> {
    let d = z.len();
    let mut k: [Vec<f64>; 7] = core::array::from_fn(|_| vec![0.0; d]);
    let mut stage = vec![0.0; d];
    let mut z_new = vec![0.0; d];
    let mut err = vec![0.0; d];
    let mut t = t0;
    problem.rhs(t, &z, &mut k[0]);
    if k[0].iter().any(|v| !v.is_finite()) {
        return Err(OdeError::NonFiniteState { t });
    }
    let mut h = initial_step(problem, t, &z, &k[0], ts[0] - t0, ERROR_ORDER, tol);
    let mut out = Vec::with_capacity(ts.len());
    // Grow by at most 10x, and not at all right after a rejection (Hairer's DOPRI5).
    let mut control = StepControl::new(ERROR_ORDER, 10.0);
    for &t_out in ts {
        let mut steps = 0;
        while t < t_out {
            count_step(&mut steps, tol.max_num_steps, t, t_out)?;
            // Land on the output time: take it when the step would reach within 1% of it, so
            // that no sliver of a step is left (Hairer's DOPRI5 does the same at the end).
            let last = t + 1.01 * h >= t_out;
            let step = if last { t_out - t } else { h };
            let combine = |dst: &mut [f64], z: &[f64], k: &[Vec<f64>; 7], a: &[f64]| {
                for (i, v) in dst.iter_mut().enumerate() {
                    let mut s = 0.0;
                    for (kj, aj) in k.iter().zip(a) {
                        s += aj * kj[i];
                    }
                    *v = z[i] + step * s;
                }
            };
            combine(&mut stage, &z, &k, &[A21]);
            problem.rhs(t + C2 * step, &stage, &mut k[1]);
            combine(&mut stage, &z, &k, &[A31, A32]);
            problem.rhs(t + C3 * step, &stage, &mut k[2]);
            combine(&mut stage, &z, &k, &[A41, A42, A43]);
            problem.rhs(t + C4 * step, &stage, &mut k[3]);
            combine(&mut stage, &z, &k, &[A51, A52, A53, A54]);
            problem.rhs(t + C5 * step, &stage, &mut k[4]);
            combine(&mut stage, &z, &k, &[A61, A62, A63, A64, A65]);
            problem.rhs(t + step, &stage, &mut k[5]);
            combine(&mut z_new, &z, &k, &[B1, 0.0, B3, B4, B5, B6]);
            problem.rhs(t + step, &z_new, &mut k[6]);
            for (i, e) in err.iter_mut().enumerate() {
                *e = step
                    * (E1 * k[0][i]
                        + E3 * k[2][i]
                        + E4 * k[3][i]
                        + E5 * k[4][i]
                        + E6 * k[5][i]
                        + E7 * k[6][i]);
            }
            let norm = error_norm(&err, &z, &z_new, tol.rtol, tol.atol);
            // A NaN norm (a stage left the right-hand side's domain) is a rejection too.
            if norm <= 1.0 {
                t = if last { t_out } else { t + step };
                core::mem::swap(&mut z, &mut z_new);
                k.swap(0, 6);
                h = control.accepted(norm, step, h, last);
            } else {
                h = control.rejected(norm, step, t)?;
            }
        }
        out.push(z[..d].to_vec());
    }
    Ok(out)
}
