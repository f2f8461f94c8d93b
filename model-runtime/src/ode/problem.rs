//! The system a solver integrates: the user's right-hand side, and with it the forward
//! sensitivities of the state with respect to every differentiable input, all in `f64`.
//!
//! For `y' = f(t, y, θ)` with inputs `p` (the entries of `y0` and `θ` that carry derivatives),
//! the sensitivities `s_j = ∂y/∂p_j` obey the variational equations (Hairer, Nørsett & Wanner,
//! "Solving Ordinary Differential Equations I", §I.14)
//!
//! ```text
//! s_j' = J_y s_j + ∂f/∂p_j,     s_j(t0) = e_i if p_j = y0_i, 0 if p_j is a parameter,
//! ```
//!
//! where `J_y = ∂f/∂y`. Both terms together are one directional derivative of `f`: seed `y` with
//! tangent `s_j` and `θ` with the unit tangent of `p_j`, and forward mode ([`Dual`]) returns
//! `J_y s_j + ∂f/∂p_j` without ever forming `J_y`. The state and the sensitivities are solved as
//! one coupled system, `z = (y, s_1, ..., s_m)`, so the step-size control covers the
//! sensitivities too (Stan's `coupled_ode_system` does the same for its rk45 solver).

use super::{OdeError, OdeSystem, Tolerances};
use crate::autodiff::Dual;

/// Directions per forward-mode pass: eight sensitivities (or Jacobian columns) share one
/// evaluation of the right-hand side.
const CHUNK: usize = 8;
type D = Dual<CHUNK>;

/// What a sensitivity column differentiates with respect to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Input {
    /// An entry of the initial state.
    State(usize),
    /// An entry of the parameters.
    Param(usize),
}

/// The coupled system of state and sensitivities, with scratch buffers reused between calls.
pub(super) struct Problem<'a, F> {
    system: &'a F,
    /// The number of states.
    pub n: usize,
    theta: Vec<f64>,
    /// The inputs the sensitivity columns belong to, in column order.
    pub inputs: Vec<Input>,
    y_dual: Vec<D>,
    theta_dual: Vec<D>,
    out_dual: Vec<D>,
}

impl<'a, F: OdeSystem> Problem<'a, F> {
    pub fn new(system: &'a F, n: usize, theta: Vec<f64>, inputs: Vec<Input>) -> Self {
        let p = theta.len();
        Problem {
            system,
            n,
            theta,
            inputs,
            y_dual: vec![D::default(); n],
            theta_dual: vec![D::default(); p],
            out_dual: vec![D::default(); n],
        }
    }

    /// The length of the coupled state `z = (y, s_1, ..., s_m)`.
    pub fn dim(&self) -> usize {
        self.n * (1 + self.inputs.len())
    }

    /// `z(t0)`: the initial state, then the initial sensitivities.
    pub fn initial(&self, y0: &[f64]) -> Vec<f64> {
        let mut z = vec![0.0; self.dim()];
        z[..self.n].copy_from_slice(y0);
        for (j, input) in self.inputs.iter().enumerate() {
            if let Input::State(i) = *input {
                z[self.n * (1 + j) + i] = 1.0;
            }
        }
        z
    }

    /// `dz = z'(t)` for the coupled system.
    pub fn rhs(&mut self, t: f64, z: &[f64], dz: &mut [f64]) {
        let n = self.n;
        let m = self.inputs.len();
        if m == 0 {
            // No sensitivities: the plain `f64` right-hand side, nothing else. `dz` holds the
            // previous stage; `OdeSystem::rhs` promises zeros.
            dz[..n].fill(0.0);
            self.system.rhs(t, &z[..n], &self.theta, &mut dz[..n]);
            return;
        }
        for start in (0..m).step_by(CHUNK) {
            let width = CHUNK.min(m - start);
            for i in 0..n {
                let mut tangent = [0.0; CHUNK];
                for (c, slot) in tangent.iter_mut().enumerate().take(width) {
                    *slot = z[n * (1 + start + c) + i];
                }
                self.y_dual[i] = D::new(z[i], tangent);
            }
            for (k, th) in self.theta.iter().enumerate() {
                let mut tangent = [0.0; CHUNK];
                for (c, slot) in tangent.iter_mut().enumerate().take(width) {
                    if self.inputs[start + c] == Input::Param(k) {
                        *slot = 1.0;
                    }
                }
                self.theta_dual[k] = D::new(*th, tangent);
            }
            self.out_dual.fill(D::default());
            self.system.rhs(
                D::constant(t),
                &self.y_dual,
                &self.theta_dual,
                &mut self.out_dual,
            );
            for (i, out) in self.out_dual.iter().enumerate() {
                if start == 0 {
                    dz[i] = crate::scalar::Scalar::value(*out);
                }
                let tangent = out.tangent();
                for (c, d) in tangent.iter().enumerate().take(width) {
                    dz[n * (1 + start + c) + i] = *d;
                }
            }
        }
    }

    /// The Jacobian `∂f/∂y` at `(t, y)`, row-major (`jac[i * n + j] = ∂f_i/∂y_j`), and `∂f/∂t`:
    /// `n + 1` forward-mode directions, `CHUNK` at a time.
    pub fn jacobian(&mut self, t: f64, y: &[f64], jac: &mut [f64], dfdt: &mut [f64]) {
        let n = self.n;
        for (k, th) in self.theta.iter().enumerate() {
            self.theta_dual[k] = D::constant(*th);
        }
        for start in (0..=n).step_by(CHUNK) {
            let width = CHUNK.min(n + 1 - start);
            for (i, yi) in y.iter().enumerate() {
                let mut tangent = [0.0; CHUNK];
                if i >= start && i < start + width {
                    tangent[i - start] = 1.0;
                }
                self.y_dual[i] = D::new(*yi, tangent);
            }
            // Direction `n` is time.
            let mut t_tangent = [0.0; CHUNK];
            if n >= start && n < start + width {
                t_tangent[n - start] = 1.0;
            }
            self.out_dual.fill(D::default());
            self.system.rhs(
                D::new(t, t_tangent),
                &self.y_dual,
                &self.theta_dual,
                &mut self.out_dual,
            );
            for (i, out) in self.out_dual.iter().enumerate() {
                let tangent = out.tangent();
                for (c, d) in tangent.iter().enumerate().take(width) {
                    let column = start + c;
                    if column < n {
                        jac[i * n + column] = *d;
                    } else {
                        dfdt[i] = *d;
                    }
                }
            }
        }
    }
}

/// Counts one more step on the way to the output time `t_out`, or fails with the step limit
/// reached at `t` (Stan's `max_num_steps`, counted between two output times).
pub(super) fn count_step(
    steps: &mut usize,
    max_num_steps: usize,
    t: f64,
    t_out: f64,
) -> Result<(), OdeError> {
    if *steps == max_num_steps {
        return Err(OdeError::StepLimit {
            max_num_steps,
            t,
            t_out,
        });
    }
    *steps += 1;
    Ok(())
}

/// The weighted root-mean-square norm of a local error estimate, with scale
/// `atol + rtol · max(|z_old|, |z_new|)` per component (Hairer, Nørsett & Wanner I, §II.4, eq.
/// 4.11). NaN when anything is NaN, so that callers reject with `!(err <= 1.0)`.
pub(super) fn error_norm(err: &[f64], z_old: &[f64], z_new: &[f64], rtol: f64, atol: f64) -> f64 {
    let sum: f64 = err
        .iter()
        .zip(z_old)
        .zip(z_new)
        .map(|((e, a), b)| {
            let scale = atol + rtol * a.abs().max(b.abs());
            (e / scale) * (e / scale)
        })
        .sum();
    (sum / err.len() as f64).sqrt()
}

/// Hairer's starting step (Hairer, Nørsett & Wanner I, §II.4, "Starting step size"): a step
/// whose explicit Euler change is 1% of the state's size, then refined so that the estimated
/// local error of a method whose error behaves like `h^order` is about 1% of the tolerance.
/// `f0 = f(t0, z0)`; `span` is the distance to the first output time, which bounds the step.
pub(super) fn initial_step<F: OdeSystem>(
    problem: &mut Problem<'_, F>,
    t0: f64,
    z0: &[f64],
    f0: &[f64],
    span: f64,
    order: i32,
    tol: &Tolerances,
) -> f64 {
    let (rtol, atol) = (tol.rtol, tol.atol);
    let rms = |v: &mut dyn Iterator<Item = f64>| -> f64 {
        let (sum, count) = v.fold((0.0, 0usize), |(s, c), x| (s + x * x, c + 1));
        (sum / count as f64).sqrt()
    };
    let scale = |z: f64| atol + rtol * z.abs();
    let d0 = rms(&mut z0.iter().map(|z| z / scale(*z)));
    let d1 = rms(&mut f0.iter().zip(z0).map(|(f, z)| f / scale(*z)));
    let mut h0 = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    };
    h0 = h0.min(span);
    let z1: Vec<f64> = z0.iter().zip(f0).map(|(z, f)| z + h0 * f).collect();
    let mut f1 = vec![0.0; z0.len()];
    problem.rhs(t0 + h0, &z1, &mut f1);
    let d2 = rms(&mut f1
        .iter()
        .zip(f0)
        .zip(z0)
        .map(|((a, b), z)| (a - b) / scale(*z)))
        / h0;
    if !d2.is_finite() {
        // The trial point left the right-hand side's domain: start small and let the step
        // control take over.
        return (h0 * 1e-3).min(span);
    }
    let largest = d1.max(d2);
    let h1 = if largest <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / largest).powf(1.0 / f64::from(order))
    };
    (100.0 * h0).min(h1).min(span)
}

/// The step-size controller of the adaptive solvers (Hairer, Nørsett & Wanner I, §II.4): after
/// a step whose error norm is `norm` (`≤ 1` accepts), the next step is the step times
/// `0.9 · norm^(-1/order)`, at least a fifth of it, at most `max_growth` times it, and not
/// larger right after a rejection.
pub(super) struct StepControl {
    exponent: f64,
    max_growth: f64,
    rejected: bool,
}

impl StepControl {
    /// For a local error estimate `O(h^error_order)`.
    pub fn new(error_order: i32, max_growth: f64) -> Self {
        StepControl {
            exponent: -1.0 / f64::from(error_order),
            max_growth,
            rejected: false,
        }
    }

    /// The step to propose after an accepted step of size `step`. `last`: the step was cut
    /// short to land on an output time, which says nothing against the longer step `h` that the
    /// controller had proposed.
    pub fn accepted(&mut self, norm: f64, step: f64, h: f64, last: bool) -> f64 {
        let max_growth = if self.rejected { 1.0 } else { self.max_growth };
        let factor = (0.9 * norm.powf(self.exponent)).clamp(0.2, max_growth);
        self.rejected = false;
        if last {
            h.max(step * factor)
        } else {
            step * factor
        }
    }

    /// The step to retry with after rejecting a step of size `step` at `t` (a NaN `norm`, a
    /// stage outside the right-hand side's domain, shrinks it five times), or
    /// [`OdeError::StepSizeUnderflow`] when it is below what `t` can resolve.
    pub fn rejected(&mut self, norm: f64, step: f64, t: f64) -> Result<f64, OdeError> {
        let factor = if norm.is_nan() {
            0.2
        } else {
            (0.9 * norm.powf(self.exponent)).clamp(0.2, 1.0)
        };
        self.rejected = true;
        let h = step * factor;
        if h <= 16.0 * f64::EPSILON * t.abs() || h < f64::MIN_POSITIVE {
            return Err(OdeError::StepSizeUnderflow { t, h });
        }
        Ok(h)
    }
}
