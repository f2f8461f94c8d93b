//! Fused elementwise kernels: every argument already evaluated into a [`Column`], one
//! dispatched loop computes each element's log density and its partials with respect to the
//! parameters and the value, in place of forward-mode `Dual`s through the scalar family.

use super::links::{GlmLane, LN_SQRT_2PI, LogRateLane, LogitLane, ln_factorials};
use crate::vector_math::{Kernel, dispatch, lanes, sum};

/// One parameter of a vectorized statement after its lazy expression has been evaluated: one
/// value broadcast to every element, or one value per element.
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    /// The same value for every element.
    Scalar(f64),
    /// One value per element.
    Vector(&'a [f64]),
}

impl Column<'_> {
    /// Element `i`'s value.
    #[inline(always)]
    pub fn get(&self, i: usize) -> f64 {
        match self {
            Column::Scalar(v) => *v,
            Column::Vector(v) => v[i],
        }
    }
}

/// The inputs and outputs of a fused kernel over `n` elements.
pub struct Fused<'a> {
    /// The parameters, in the constructor's order.
    pub params: &'a [Column<'a>],
    /// The values, as reals (`0`/`1` for booleans, counts as floats).
    pub x: &'a [f64],
    /// Per element, the partial derivative of its log density with respect to each parameter
    /// (one slice of length `n` per parameter).
    pub grads: [&'a mut [f64]; 3],
    /// Per element, the partial derivative with respect to its value.
    pub dx: &'a mut [f64],
    /// Scratch space for the elements' log densities.
    pub lp: &'a mut [f64],
}

/// A parameter's elements, for loops monomorphized on whether it is broadcast.
trait Lane: Copy {
    fn at(self, i: usize) -> f64;
}

impl Lane for f64 {
    #[inline(always)]
    fn at(self, _i: usize) -> f64 {
        self
    }
}

impl Lane for &[f64] {
    #[inline(always)]
    fn at(self, i: usize) -> f64 {
        self[i]
    }
}

/// The sum of the elements' log densities, `None` when an element was invalid (marked NaN).
fn total(lp: &[f64]) -> Option<f64> {
    let total = sum(lp);
    (!total.is_nan()).then_some(total)
}

/// `Normal(loc, scale)` elementwise: `-z²/2 - ln σ - ln √(2π)` with `z = (x - μ)/σ`, and
/// `∂/∂μ = z/σ`, `∂/∂σ = (z² - 1)/σ`, `∂/∂x = -z/σ`. A broadcast scale has its reciprocal
/// and logarithm computed once.
pub fn normal(f: Fused<'_>) -> Option<f64> {
    let n = f.x.len();
    let [g_loc, g_scale, _] = f.grads;
    let (x, dx, lp) = (f.x, &mut f.dx[..n], &mut f.lp[..n]);
    let (g_loc, g_scale) = (&mut g_loc[..n], &mut g_scale[..n]);
    match (f.params[0], f.params[1]) {
        (Column::Vector(loc), Column::Scalar(scale)) => {
            normal_scalar_scale(&loc[..n], scale, x, g_loc, g_scale, dx, lp)
        }
        (Column::Scalar(loc), Column::Scalar(scale)) => {
            normal_scalar_scale(loc, scale, x, g_loc, g_scale, dx, lp)
        }
        (Column::Vector(loc), Column::Vector(scale)) => {
            normal_vector_scale(&loc[..n], &scale[..n], x, g_loc, g_scale, dx, lp)
        }
        (Column::Scalar(loc), Column::Vector(scale)) => {
            normal_vector_scale(loc, &scale[..n], x, g_loc, g_scale, dx, lp)
        }
    }
}

/// The outputs of the normal kernels, one slice of `n` each.
struct NormalOut<'a> {
    g_loc: &'a mut [f64],
    g_scale: &'a mut [f64],
    dx: &'a mut [f64],
    lp: &'a mut [f64],
}

fn normal_scalar_scale<L: Lane>(
    loc: L,
    scale: f64,
    x: &[f64],
    g_loc: &mut [f64],
    g_scale: &mut [f64],
    dx: &mut [f64],
    lp: &mut [f64],
) -> Option<f64> {
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    struct Loop<'a, L> {
        loc: L,
        inv: f64,
        constant: f64,
        x: &'a [f64],
        out: NormalOut<'a>,
    }
    impl<L: Lane> Kernel for Loop<'_, L> {
        type Output = ();
        #[inline(always)]
        fn run(self) {
            let Loop {
                loc,
                inv,
                constant,
                x,
                out,
            } = self;
            let n = x.len();
            let (g_loc, g_scale) = (&mut out.g_loc[..n], &mut out.g_scale[..n]);
            let (dx, lp) = (&mut out.dx[..n], &mut out.lp[..n]);
            for i in 0..n {
                let mu = loc.at(i);
                let z = (x[i] - mu) * inv;
                let value = (-0.5 * z).mul_add(z, constant);
                lp[i] = if mu.is_finite() { value } else { f64::NAN };
                let d = z * inv;
                g_loc[i] = d;
                dx[i] = -d;
                g_scale[i] = z.mul_add(z, -1.0) * inv;
            }
        }
    }
    dispatch(Loop {
        loc,
        inv: 1.0 / scale,
        constant: -scale.ln() - LN_SQRT_2PI,
        x,
        out: NormalOut {
            g_loc,
            g_scale,
            dx,
            lp: &mut *lp,
        },
    });
    total(lp)
}

fn normal_vector_scale<L: Lane>(
    loc: L,
    scale: &[f64],
    x: &[f64],
    g_loc: &mut [f64],
    g_scale: &mut [f64],
    dx: &mut [f64],
    lp: &mut [f64],
) -> Option<f64> {
    struct Loop<'a, L> {
        loc: L,
        scale: &'a [f64],
        x: &'a [f64],
        out: NormalOut<'a>,
    }
    impl<L: Lane> Kernel for Loop<'_, L> {
        type Output = ();
        #[inline(always)]
        fn run(self) {
            let Loop { loc, scale, x, out } = self;
            let n = x.len();
            let scale = &scale[..n];
            let (g_loc, g_scale) = (&mut out.g_loc[..n], &mut out.g_scale[..n]);
            let (dx, lp) = (&mut out.dx[..n], &mut out.lp[..n]);
            for i in 0..n {
                let mu = loc.at(i);
                let sigma = scale[i];
                let inv = 1.0 / sigma;
                let z = (x[i] - mu) * inv;
                let value = (-0.5 * z).mul_add(z, -lanes::ln(sigma) - LN_SQRT_2PI);
                let valid = mu.is_finite() && sigma > 0.0 && sigma.is_finite();
                lp[i] = if valid { value } else { f64::NAN };
                let d = z * inv;
                g_loc[i] = d;
                dx[i] = -d;
                g_scale[i] = z.mul_add(z, -1.0) * inv;
            }
        }
    }
    dispatch(Loop {
        loc,
        scale,
        x,
        out: NormalOut {
            g_loc,
            g_scale,
            dx,
            lp: &mut *lp,
        },
    });
    total(lp)
}

/// `Bernoulli(logits = η)` elementwise: `ln σ(η)` for `true` and `ln σ(-η)` for `false`,
/// both as `-(max(-t, 0) + ln(1 + e^-|η|))` with `t = ±η`, and `∂/∂η = y - σ(η)`; one
/// exponential and one logarithm per element, shared by the value and the derivative.
pub fn bernoulli_logit(f: Fused<'_>) -> Option<f64> {
    one_parameter(LogitLane, f)
}

/// A family of one parameter `η` (a [`GlmLane`]) elementwise over a vector `η`: the log
/// densities and `∂/∂η` in one dispatched loop.
fn one_parameter<L: GlmLane>(lane: L, f: Fused<'_>) -> Option<f64> {
    let Column::Vector(eta) = f.params[0] else {
        return None;
    };
    let n = f.x.len();
    let [g_eta, _, _] = f.grads;
    struct Loop<'a, L> {
        lane: L,
        eta: &'a [f64],
        x: &'a [f64],
        g_eta: &'a mut [f64],
        lp: &'a mut [f64],
    }
    impl<L: GlmLane> Kernel for Loop<'_, L> {
        type Output = ();
        #[inline(always)]
        fn run(self) {
            let n = self.x.len();
            let (eta, x) = (&self.eta[..n], self.x);
            let (g_eta, lp) = (&mut self.g_eta[..n], &mut self.lp[..n]);
            for i in 0..n {
                let t = self.lane.terms(eta[i], x[i]);
                lp[i] = t.lp;
                g_eta[i] = t.d_eta;
            }
        }
    }
    let lp = &mut f.lp[..n];
    dispatch(Loop {
        lane,
        eta: &eta[..n],
        x: f.x,
        g_eta: &mut g_eta[..n],
        lp: &mut *lp,
    });
    total(lp)
}

/// `Poisson(log_rate = η)` elementwise (Stan's `poisson_log`).
pub fn poisson_log(f: Fused<'_>) -> Option<f64> {
    let counts = f.x;
    one_parameter(LogRateLane, f).map(|t| t - ln_factorials(counts))
}
