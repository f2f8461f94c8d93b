//! A linearly implicit (Rosenbrock-type) method for stiff systems: the second-order formula of
//! Wolfbrandt with Shampine's third-order error estimate, the method of MATLAB's `ode23s`.
//!
//! L. F. Shampine and M. W. Reichelt (1997), "The MATLAB ODE Suite", SIAM J. Sci. Comput.
//! 18(1), §3; T. Steihaug and A. Wolfbrandt (1979), "An attempt to avoid exact Jacobian and
//! nonlinear equations in the numerical solution of stiff differential equations", Math. Comp.
//! 33. With `d = 1/(2 + √2)`, `W = I − h d J`, `T ≈ ∂f/∂t` and `F0 = f(t, y)`:
//!
//! ```text
//! k1 = W⁻¹ (F0 + h d T)
//! F1 = f(t + h/2, y + h k1 / 2)
//! k2 = W⁻¹ (F1 − k1) + k1
//! y_new = y + h k2
//! F2 = f(t + h, y_new)
//! k3 = W⁻¹ (F2 − (6 + √2)(k2 − F1) − 2 (k1 − F0) + h d T)
//! error ≈ h (k1 − 2 k2 + k3) / 6
//! ```
//!
//! The formula is L-stable, so stiff components decay in one step however long, and it needs
//! one LU factorization and no Newton iteration per step. It is a W-method: it keeps its second
//! order with any matrix in place of the Jacobian. That is what makes the sensitivities cheap
//! here: the coupled system of state and sensitivities has the block lower triangular Jacobian
//! `[[J, 0], [∂(J s)/∂y, J]]`, and we use its block diagonal (`J` on every block, `T` only for
//! the state), which needs only `J` and one factorization of `n × n`. The order is kept, and
//! the step-size control (over the state and the sensitivities) keeps the error within the
//! tolerance. `J` and `T` come from forward-mode derivatives of the user's right-hand side.

use super::problem::{Problem, error_norm, initial_step};
use super::{OdeError, OdeSystem, Tolerances};

/// `d = 1/(2 + √2)`.
const D: f64 = 0.292_893_218_813_452_5;
/// `6 + √2`.
const E32: f64 = 7.414_213_562_373_095;
/// The error estimate is `O(h^3)`: the controller's exponent is 1/3.
const ERROR_ORDER: i32 = 3;

/// An LU factorization with partial pivoting of a small dense matrix, in place.
struct Lu {
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

/// Integrates from `t0` to each of `ts` in turn; returns the coupled state at each.
pub(super) fn solve<F: OdeSystem>(
    problem: &mut Problem<'_, F>,
    mut z: Vec<f64>,
    t0: f64,
    ts: &[f64],
    tol: &Tolerances,
) -> Result<Vec<Vec<f64>>, OdeError> {
    let n = problem.n;
    let d = z.len();
    let mut jac = vec![0.0; n * n];
    let mut dfdt = vec![0.0; n];
    let mut lu = Lu::new(n);
    let mut f0 = vec![0.0; d];
    let mut f1 = vec![0.0; d];
    let mut f2 = vec![0.0; d];
    let mut k1 = vec![0.0; d];
    let mut k2 = vec![0.0; d];
    let mut k3 = vec![0.0; d];
    let mut stage = vec![0.0; d];
    let mut z_new = vec![0.0; d];
    let mut err = vec![0.0; d];
    let mut t = t0;
    problem.rhs(t, &z, &mut f0);
    if f0.iter().any(|v| !v.is_finite()) {
        return Err(OdeError::NonFiniteState { t });
    }
    let mut h = initial_step(problem, t, &z, &f0, ts[0] - t0, ERROR_ORDER, tol);
    let mut jacobian_current = false;
    let mut rejected = false;
    let mut out = Vec::with_capacity(ts.len());
    for &t_out in ts {
        let mut steps = 0;
        while t < t_out {
            if steps == tol.max_num_steps {
                return Err(OdeError::StepLimit {
                    max_num_steps: tol.max_num_steps,
                    t,
                    t_out,
                });
            }
            steps += 1;
            if !jacobian_current {
                problem.jacobian(t, &z[..n], &mut jac, &mut dfdt);
                if jac.iter().chain(&dfdt).any(|v| !v.is_finite()) {
                    return Err(OdeError::NonFiniteState { t });
                }
                jacobian_current = true;
            }
            let last = t + 1.01 * h >= t_out;
            let step = if last { t_out - t } else { h };
            // W = I − h d J.
            for (w, j) in lu.a.iter_mut().zip(&jac) {
                *w = -step * D * j;
            }
            for i in 0..n {
                lu.a[i * n + i] += 1.0;
            }
            let accepted = if lu.factor() {
                // Every block of W⁻¹ is the same n × n solve.
                let solve_blocks = |v: &mut [f64]| {
                    for block in v.chunks_exact_mut(n) {
                        lu.solve(block);
                    }
                };
                for i in 0..d {
                    k1[i] = f0[i] + if i < n { step * D * dfdt[i] } else { 0.0 };
                }
                solve_blocks(&mut k1);
                for i in 0..d {
                    stage[i] = z[i] + 0.5 * step * k1[i];
                }
                problem.rhs(t + 0.5 * step, &stage, &mut f1);
                for i in 0..d {
                    k2[i] = f1[i] - k1[i];
                }
                solve_blocks(&mut k2);
                for i in 0..d {
                    k2[i] += k1[i];
                    z_new[i] = z[i] + step * k2[i];
                }
                problem.rhs(t + step, &z_new, &mut f2);
                for i in 0..d {
                    k3[i] = f2[i] - E32 * (k2[i] - f1[i]) - 2.0 * (k1[i] - f0[i])
                        + if i < n { step * D * dfdt[i] } else { 0.0 };
                }
                solve_blocks(&mut k3);
                for i in 0..d {
                    err[i] = step / 6.0 * (k1[i] - 2.0 * k2[i] + k3[i]);
                }
                let norm = error_norm(&err, &z, &z_new, tol.rtol, tol.atol);
                Some(norm)
            } else {
                None
            };
            // A singular W or a NaN error (a stage left the right-hand side's domain) rejects
            // the step like a large error does.
            match accepted {
                Some(norm) if norm <= 1.0 => {
                    t = if last { t_out } else { t + step };
                    core::mem::swap(&mut z, &mut z_new);
                    core::mem::swap(&mut f0, &mut f2);
                    jacobian_current = false;
                    let max_growth = if rejected { 1.0 } else { 5.0 };
                    let factor =
                        (0.9 * norm.powf(-1.0 / f64::from(ERROR_ORDER))).clamp(0.2, max_growth);
                    h = if last {
                        h.max(step * factor)
                    } else {
                        step * factor
                    };
                    rejected = false;
                }
                other => {
                    let factor = match other {
                        Some(norm) if !norm.is_nan() => {
                            (0.9 * norm.powf(-1.0 / f64::from(ERROR_ORDER))).clamp(0.2, 1.0)
                        }
                        _ => 0.2,
                    };
                    h = step * factor;
                    rejected = true;
                    if h <= 16.0 * f64::EPSILON * t.abs() || h < f64::MIN_POSITIVE {
                        return Err(OdeError::StepSizeUnderflow { t, h });
                    }
                }
            }
        }
        out.push(z.clone());
    }
    Ok(out)
}
