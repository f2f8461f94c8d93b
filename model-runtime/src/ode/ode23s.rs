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
//! order with any matrix in place of the Jacobian, which is what lets the sensitivities use the
//! block diagonal of their Jacobian (see [`rosenbrock`](super::rosenbrock)). `F2` is the next
//! step's `F0`.

use super::OdeSystem;
use super::problem::Problem;
use super::rosenbrock::{Linear, Scheme, Step};

/// `d = 1/(2 + √2)`.
const D: f64 = 0.292_893_218_813_452_5;
/// `6 + √2`.
const E32: f64 = 7.414_213_562_373_095;

/// The scratch space of a step.
pub(super) struct Ode23s {
    f1: Vec<f64>,
    k1: Vec<f64>,
    k2: Vec<f64>,
    k3: Vec<f64>,
    stage: Vec<f64>,
}

impl Scheme for Ode23s {
    /// The error estimate is `O(h^3)`.
    const ERROR_ORDER: i32 = 3;
    const GAMMA: f64 = D;
    const FSAL: bool = true;

    fn new(d: usize) -> Self {
        Ode23s {
            f1: vec![0.0; d],
            k1: vec![0.0; d],
            k2: vec![0.0; d],
            k3: vec![0.0; d],
            stage: vec![0.0; d],
        }
    }

    fn step<F: OdeSystem>(&mut self, problem: &mut Problem<'_, F>, w: &Linear<'_>, s: Step<'_>) {
        let Step {
            t,
            h,
            z,
            f0,
            z_new,
            f_new: f2,
            err,
        } = s;
        let Ode23s {
            f1,
            k1,
            k2,
            k3,
            stage,
        } = self;
        let d = z.len();
        k1.copy_from_slice(f0);
        w.add_dfdt(h * D, k1);
        w.solve(k1);
        for i in 0..d {
            stage[i] = z[i] + 0.5 * h * k1[i];
        }
        problem.rhs(t + 0.5 * h, stage, f1);
        for i in 0..d {
            k2[i] = f1[i] - k1[i];
        }
        w.solve(k2);
        for i in 0..d {
            k2[i] += k1[i];
            z_new[i] = z[i] + h * k2[i];
        }
        problem.rhs(t + h, z_new, f2);
        for i in 0..d {
            k3[i] = f2[i] - E32 * (k2[i] - f1[i]) - 2.0 * (k1[i] - f0[i]);
        }
        w.add_dfdt(h * D, k3);
        w.solve(k3);
        for i in 0..d {
            err[i] = h / 6.0 * (k1[i] - 2.0 * k2[i] + k3[i]);
        }
    }
}
