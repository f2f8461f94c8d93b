//! ROS34PW2: a four-stage, third-order, L-stable Rosenbrock W-method with an embedded
//! second-order solution for the error estimate.
//!
//! J. Rang and L. Angermann (2005), "New Rosenbrock W-methods of order 3 for partial
//! differential algebraic equations of index 1", BIT Numer. Math. 45(4), 761–787. The
//! coefficients below are copied from PETSc's `TSROSWRA34PW2` (`src/ts/impls/rosw/rosw.c`),
//! which lists this method to 17 digits (MATLODE's `Coefficients_ROS34PW2.m` has the same
//! digits); they were not compared with the paper's table itself. The tests check them by the
//! observed order of convergence on a problem with a known solution, for the state and the
//! sensitivities, and the order of the error estimate.
//!
//! In the paper's form, with `W = I − h γ J`, `T ≈ ∂f/∂t` and increments `k_i`,
//!
//! ```text
//! W k_i = h f(t + α_i h, y + Σ_{j<i} a_ij k_j) + h J Σ_{j<i} γ_ij k_j + h² γ_i T
//! y_new = y + Σ b_i k_i,        ŷ_new = y + Σ b̂_i k_i (order 2),
//! ```
//!
//! where `γ_ii = γ`, `α_i = Σ_j a_ij` and `γ_i = Σ_{j≤i} γ_ij`. The product with `J` is
//! avoided by the change of variables `u_i = Σ_{j≤i} γ_ij k_j` (Hairer & Wanner, "Solving
//! Ordinary Differential Equations II", §IV.7, eq. (7.25)), which holds for any matrix in
//! place of `J` and so keeps the W-method property:
//!
//! ```text
//! W u_i = h γ (f(t + α_i h, y + Σ_{j<i} ã_ij u_j) + Σ_{j<i} (c_ij / h) u_j + h γ_i T)
//! y_new = y + Σ m_i u_i,        error = Σ (m_i − m̂_i) u_i,
//! ```
//!
//! with `Γ = (γ_ij)`, `(ã_ij) = A Γ⁻¹`, `(c_ij) = −Γ⁻¹` below the diagonal, `m = b Γ⁻¹`,
//! `m̂ = b̂ Γ⁻¹` (computed from the paper's coefficients at compile time below).
//!
//! Being a W-method of order 3, it keeps its order with the block-diagonal Jacobian used for the
//! sensitivities (see [`rosenbrock`](super::rosenbrock)). It is stiffly accurate (`b_i = a_4i +
//! γ_4i`), so stiff components are damped completely (`R(∞) = 0`). The error estimate is
//! `O(h³)` and the solution advances with the third-order formula, so the local error per step
//! is `O(h⁴)` against a tolerance met by `h³`: over the `~tol^(-1/3)` steps of an interval the
//! global error stays of the order of the tolerance (ode23s's grows like `tol^(2/3)`). Four
//! evaluations of the right-hand side and one factorization per step.

// The coefficients digit for digit as the source lists them (17 significant digits, one more
// than an `f64` holds), so that they can be compared with it.
#![allow(clippy::excessive_precision)]

use super::OdeSystem;
use super::problem::Problem;
use super::rosenbrock::{Linear, Scheme, Step};

const STAGES: usize = 4;
/// `γ`, the diagonal of `Γ`.
const G: f64 = 4.358_665_215_084_590_0e-1;
/// `A = (a_ij)`, strictly lower triangular.
const A: [[f64; STAGES]; STAGES] = [
    [0.0, 0.0, 0.0, 0.0],
    [8.717_330_430_169_180_1e-1, 0.0, 0.0, 0.0],
    [
        8.445_706_001_536_942_3e-1,
        -1.129_906_423_648_418_5e-1,
        0.0,
        0.0,
    ],
    [0.0, 0.0, 1.0, 0.0],
];
/// `Γ = (γ_ij)`, lower triangular with `γ` on the diagonal.
const GAMMA: [[f64; STAGES]; STAGES] = [
    [G, 0.0, 0.0, 0.0],
    [-8.717_330_430_169_180_1e-1, G, 0.0, 0.0],
    [
        -9.033_805_701_304_408_2e-1,
        5.418_067_238_809_532_6e-2,
        G,
        0.0,
    ],
    [
        2.421_238_070_609_534_6e-1,
        -1.223_250_583_904_514_7,
        5.452_602_553_351_021_4e-1,
        G,
    ],
];
/// The third-order weights `b`.
const B: [f64; STAGES] = [
    2.421_238_070_609_534_6e-1,
    -1.223_250_583_904_514_7,
    1.545_260_255_335_102_0,
    4.358_665_215_084_590_0e-1,
];
/// The embedded second-order weights `b̂`.
const B_HAT: [f64; STAGES] = [
    3.781_090_314_581_936_9e-1,
    -9.604_229_221_242_317_8e-2,
    5.0e-1,
    2.179_332_607_542_295_0e-1,
];

/// The coefficients in the variables `u_i` (module documentation).
struct Transformed {
    /// `ã = A Γ⁻¹`.
    a: [[f64; STAGES]; STAGES],
    /// `c = −Γ⁻¹` below the diagonal (zero on and above it).
    c: [[f64; STAGES]; STAGES],
    /// `m = b Γ⁻¹`.
    m: [f64; STAGES],
    /// `m − m̂ = (b − b̂) Γ⁻¹`.
    e: [f64; STAGES],
    /// `α_i = Σ_j a_ij`.
    alpha: [f64; STAGES],
    /// `γ_i = Σ_{j≤i} γ_ij`.
    gamma: [f64; STAGES],
}

const fn transform() -> Transformed {
    // Γ⁻¹ by forward substitution, column by column.
    let mut inv = [[0.0; STAGES]; STAGES];
    let mut j = 0;
    while j < STAGES {
        inv[j][j] = 1.0 / GAMMA[j][j];
        let mut i = j + 1;
        while i < STAGES {
            let mut s = 0.0;
            let mut k = j;
            while k < i {
                s += GAMMA[i][k] * inv[k][j];
                k += 1;
            }
            inv[i][j] = -s / GAMMA[i][i];
            i += 1;
        }
        j += 1;
    }
    let mut t = Transformed {
        a: [[0.0; STAGES]; STAGES],
        c: [[0.0; STAGES]; STAGES],
        m: [0.0; STAGES],
        e: [0.0; STAGES],
        alpha: [0.0; STAGES],
        gamma: [0.0; STAGES],
    };
    let mut i = 0;
    while i < STAGES {
        let mut j = 0;
        while j < STAGES {
            let mut s = 0.0;
            let mut k = 0;
            while k < STAGES {
                s += A[i][k] * inv[k][j];
                k += 1;
            }
            t.a[i][j] = s;
            if j < i {
                t.c[i][j] = -inv[i][j];
            }
            t.m[j] += B[i] * inv[i][j];
            t.e[j] += (B[i] - B_HAT[i]) * inv[i][j];
            t.alpha[i] += A[i][j];
            t.gamma[i] += GAMMA[i][j];
            j += 1;
        }
        i += 1;
    }
    t
}

const T: Transformed = transform();

/// The scratch space of a step: the stages `u_i`, a stage state and its right-hand side.
pub(super) struct Ros34pw2 {
    u: [Vec<f64>; STAGES],
    stage: Vec<f64>,
    f: Vec<f64>,
}

impl Scheme for Ros34pw2 {
    /// The embedded solution is second order: the error estimate is `O(h^3)`.
    const ERROR_ORDER: i32 = 3;
    const GAMMA: f64 = G;
    const FSAL: bool = false;

    fn new(d: usize) -> Self {
        Ros34pw2 {
            u: core::array::from_fn(|_| vec![0.0; d]),
            stage: vec![0.0; d],
            f: vec![0.0; d],
        }
    }

    fn step<F: OdeSystem>(&mut self, problem: &mut Problem<'_, F>, w: &Linear<'_>, s: Step<'_>) {
        let Step {
            t,
            h,
            z,
            f0,
            z_new,
            err,
            ..
        } = s;
        let d = z.len();
        for i in 0..STAGES {
            let (done, rest) = self.u.split_at_mut(i);
            let ui = &mut rest[0];
            if i == 0 {
                ui.copy_from_slice(f0);
            } else {
                for (l, s) in self.stage.iter_mut().enumerate() {
                    *s = z[l];
                    for (j, uj) in done.iter().enumerate() {
                        *s += T.a[i][j] * uj[l];
                    }
                }
                problem.rhs(t + T.alpha[i] * h, &self.stage, &mut self.f);
                for l in 0..d {
                    let mut s = self.f[l];
                    for (j, uj) in done.iter().enumerate() {
                        s += T.c[i][j] / h * uj[l];
                    }
                    ui[l] = s;
                }
            }
            w.add_dfdt(h * T.gamma[i], ui);
            for v in ui.iter_mut() {
                *v *= h * G;
            }
            w.solve(ui);
        }
        for l in 0..d {
            let (mut y, mut e) = (z[l], 0.0);
            for j in 0..STAGES {
                y += T.m[j] * self.u[j][l];
                e += T.e[j] * self.u[j][l];
            }
            z_new[l] = y;
            err[l] = e;
        }
    }
}
