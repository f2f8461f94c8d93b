//! What the linearly implicit (Rosenbrock-type) solvers share: the LU factorization of the
//! stage matrix `I − h γ J`, and the driver (Jacobian, step-size control, output times, step
//! limit). The methods themselves, one step each, are [`ode23s`](super::ode23s) (order 2) and
//! [`ros34pw`](super::ros34pw) (ROS34PW2, order 3).
//!
//! Both are W-methods: they keep their order with any matrix in place of the Jacobian
//! (Hairer & Wanner, "Solving Ordinary Differential Equations II", §IV.7, "W-methods"). That is
//! what makes the sensitivities cheap here: the coupled system of state and sensitivities has
//! the block lower triangular Jacobian `[[J, 0], [∂(J s)/∂y, J]]`, and we use its block
//! diagonal (`J` on every block, `∂f/∂t` only for the state), which needs only `J` and one
//! factorization of `n × n`. The order is kept, and the step-size control (over the state and
//! the sensitivities) keeps the error within the tolerance. A classical Rosenbrock method (such
//! as Rodas4) would lose order on the sensitivities with that matrix. `J` and `∂f/∂t` come from
//! forward-mode derivatives of the user's right-hand side.

use super::problem::{Problem, StepControl, count_step, error_norm, initial_step};
use super::{OdeError, OdeSystem, Tolerances};

/// An LU factorization with partial pivoting of a small dense matrix, in place.
pub(super) struct Lu {
    n: usize,
    a: Vec<f64>,
    pivot: Vec<usize>,
}

impl Lu {
    fn new(n: usize) -> Self {
        Lu {
            n,
            a: vec![0.0; n * n],
            pivot: vec![0; n],
        }
    }

    /// Factors `I − c J` (`jac` row-major); `false` when it is singular (or not finite).
    fn factor_identity_minus(&mut self, c: f64, jac: &[f64]) -> bool {
        let n = self.n;
        for (w, j) in self.a.iter_mut().zip(jac) {
            *w = -c * j;
        }
        for i in 0..n {
            self.a[i * n + i] += 1.0;
        }
        self.factor()
    }

    /// Factors `self.a`; `false` when it is singular (or not finite).
    fn factor(&mut self) -> bool {
        let n = self.n;
        let a = &mut self.a;
        for col in 0..n {
            let mut best = col;
            for row in col + 1..n {
                if a[row * n + col].abs() > a[best * n + col].abs() {
                    best = row;
                }
            }
            self.pivot[col] = best;
            if best != col {
                for j in 0..n {
                    a.swap(col * n + j, best * n + j);
                }
            }
            let p = a[col * n + col];
            if p == 0.0 || !p.is_finite() {
                return false;
            }
            for row in col + 1..n {
                let factor = a[row * n + col] / p;
                a[row * n + col] = factor;
                for j in col + 1..n {
                    a[row * n + j] -= factor * a[col * n + j];
                }
            }
        }
        true
    }

    /// Solves `A x = b` in place.
    fn solve(&self, b: &mut [f64]) {
        let n = self.n;
        let a = &self.a;
        for col in 0..n {
            b.swap(col, self.pivot[col]);
        }
        for row in 1..n {
            let mut s = b[row];
            for j in 0..row {
                s -= a[row * n + j] * b[j];
            }
            b[row] = s;
        }
        for row in (0..n).rev() {
            let mut s = b[row];
            for j in row + 1..n {
                s -= a[row * n + j] * b[j];
            }
            b[row] = s / a[row * n + row];
        }
    }
}

/// The linear algebra of one step: `W = I − h γ J` factored, and `T = ∂f/∂t`.
pub(super) struct Linear<'a> {
    lu: &'a Lu,
    dfdt: &'a [f64],
}

impl Linear<'_> {
    /// `v ← W⁻¹ v` for the coupled state: every `n`-block is the same solve (the block
    /// diagonal of the coupled Jacobian, see the module documentation).
    pub fn solve(&self, v: &mut [f64]) {
        for block in v.chunks_exact_mut(self.lu.n) {
            self.lu.solve(block);
        }
    }

    /// `v += c T` on the state's block (the sensitivities' blocks get no time derivative).
    pub fn add_dfdt(&self, c: f64, v: &mut [f64]) {
        for (vi, ti) in v.iter_mut().zip(self.dfdt) {
            *vi += c * ti;
        }
    }
}

/// One linearly implicit method: what it does within a step. The driver ([`solve`]) does the
/// rest.
pub(super) trait Scheme: Sized {
    /// The local error estimate is `O(h^ERROR_ORDER)`: the controller's exponent is its inverse.
    const ERROR_ORDER: i32;
    /// `γ` of the stage matrix `W = I − h γ J`.
    const GAMMA: f64;
    /// Whether [`step`](Scheme::step) leaves `f(t + h, z_new)` in `f_new`, so that the next
    /// step need not evaluate it.
    const FSAL: bool;

    /// Scratch space for a coupled state of length `d`.
    fn new(d: usize) -> Self;

    /// One step (see [`Step`]).
    fn step<F: OdeSystem>(&mut self, problem: &mut Problem<'_, F>, w: &Linear<'_>, s: Step<'_>);
}

/// One step of size `h` from `(t, z)`, where `f0 = f(t, z)`: the method writes the new state
/// into `z_new`, its local error estimate into `err`, and, when [`FSAL`](Scheme::FSAL),
/// `f(t + h, z_new)` into `f_new`.
pub(super) struct Step<'a> {
    pub t: f64,
    pub h: f64,
    pub z: &'a [f64],
    pub f0: &'a [f64],
    pub z_new: &'a mut [f64],
    pub f_new: &'a mut [f64],
    pub err: &'a mut [f64],
}

/// The method `M` with its Jacobian, factorization and buffers.
struct Stepper<M> {
    method: M,
    jac: Vec<f64>,
    dfdt: Vec<f64>,
    lu: Lu,
    z_new: Vec<f64>,
    f_new: Vec<f64>,
    err: Vec<f64>,
}

impl<M: Scheme> Stepper<M> {
    fn new(n: usize, d: usize) -> Self {
        Stepper {
            method: M::new(d),
            jac: vec![0.0; n * n],
            dfdt: vec![0.0; n],
            lu: Lu::new(n),
            z_new: vec![0.0; d],
            f_new: vec![0.0; d],
            err: vec![0.0; d],
        }
    }

    /// Evaluates `J` and `∂f/∂t` at `(t, y)`; `false` when they are not finite.
    fn jacobian<F: OdeSystem>(&mut self, problem: &mut Problem<'_, F>, t: f64, y: &[f64]) -> bool {
        problem.jacobian(t, y, &mut self.jac, &mut self.dfdt);
        self.jac.iter().chain(&self.dfdt).all(|v| v.is_finite())
    }

    /// One step of size `h` from `(t, z)`, `f0 = f(t, z)`, into `z_new` (and `err`, and
    /// `f_new` for an FSAL method); `false` when `W` is singular.
    fn step<F: OdeSystem>(
        &mut self,
        problem: &mut Problem<'_, F>,
        t: f64,
        h: f64,
        z: &[f64],
        f0: &[f64],
    ) -> bool {
        if !self.lu.factor_identity_minus(h * M::GAMMA, &self.jac) {
            return false;
        }
        let w = Linear {
            lu: &self.lu,
            dfdt: &self.dfdt,
        };
        let step = Step {
            t,
            h,
            z,
            f0,
            z_new: &mut self.z_new,
            f_new: &mut self.f_new,
            err: &mut self.err,
        };
        self.method.step(problem, &w, step);
        true
    }
}

/// Integrates from `t0` to each of `ts` in turn with the method `M`; returns the coupled state
/// at each.
pub(super) fn solve<M: Scheme, F: OdeSystem>(
    problem: &mut Problem<'_, F>,
    mut z: Vec<f64>,
    t0: f64,
    ts: &[f64],
    tol: &Tolerances,
) -> Result<Vec<Vec<f64>>, OdeError> {
    let n = problem.n;
    let mut stepper = Stepper::<M>::new(n, z.len());
    let mut f0 = vec![0.0; z.len()];
    let mut t = t0;
    problem.rhs(t, &z, &mut f0);
    if f0.iter().any(|v| !v.is_finite()) {
        return Err(OdeError::NonFiniteState { t });
    }
    let mut h = initial_step(problem, t, &z, &f0, ts[0] - t0, M::ERROR_ORDER, tol);
    let mut control = StepControl::new(M::ERROR_ORDER, 5.0);
    let mut jacobian_current = false;
    let mut out = Vec::with_capacity(ts.len());
    for &t_out in ts {
        let mut steps = 0;
        while t < t_out {
            count_step(&mut steps, tol.max_num_steps, t, t_out)?;
            if !jacobian_current {
                if !stepper.jacobian(problem, t, &z[..n]) {
                    return Err(OdeError::NonFiniteState { t });
                }
                jacobian_current = true;
            }
            // Land on the output time: take it when the step would reach within 1% of it.
            let last = t + 1.01 * h >= t_out;
            let step = if last { t_out - t } else { h };
            // A singular W or a NaN error (a stage left the right-hand side's domain) rejects
            // the step like a large error does.
            let norm = if stepper.step(problem, t, step, &z, &f0) {
                error_norm(&stepper.err, &z, &stepper.z_new, tol.rtol, tol.atol)
            } else {
                f64::NAN
            };
            if norm <= 1.0 {
                t = if last { t_out } else { t + step };
                core::mem::swap(&mut z, &mut stepper.z_new);
                if M::FSAL {
                    core::mem::swap(&mut f0, &mut stepper.f_new);
                } else {
                    problem.rhs(t, &z, &mut f0);
                    if f0.iter().any(|v| !v.is_finite()) {
                        return Err(OdeError::NonFiniteState { t });
                    }
                }
                jacobian_current = false;
                h = control.accepted(norm, step, h, last);
            } else {
                h = control.rejected(norm, step, t)?;
            }
        }
        out.push(z.clone());
    }
    Ok(out)
}

/// `steps` equal steps of the method `M` from `t0` to `t1`, with no error control: for the
/// observed order of convergence in the tests. `J` and `∂f/∂t` are multiplied by
/// `jacobian_factor`: a W-method keeps its order with any matrix. Returns the coupled state at
/// `t1` and the local error estimate of the last step.
#[cfg(test)]
pub(super) fn fixed_steps<M: Scheme, F: OdeSystem>(
    problem: &mut Problem<'_, F>,
    mut z: Vec<f64>,
    t0: f64,
    t1: f64,
    steps: usize,
    jacobian_factor: f64,
) -> (Vec<f64>, Vec<f64>) {
    let n = problem.n;
    let mut stepper = Stepper::<M>::new(n, z.len());
    let mut f0 = vec![0.0; z.len()];
    let h = (t1 - t0) / steps as f64;
    for i in 0..steps {
        let t = t0 + i as f64 * h;
        problem.rhs(t, &z, &mut f0);
        assert!(stepper.jacobian(problem, t, &z[..n]));
        for v in stepper.jac.iter_mut().chain(&mut stepper.dfdt) {
            *v *= jacobian_factor;
        }
        assert!(stepper.step(problem, t, h, &z, &f0));
        core::mem::swap(&mut z, &mut stepper.z_new);
    }
    (z, stepper.err)
}
