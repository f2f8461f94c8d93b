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
    /// Elements `base..base + len` (`len ≤ BLOCK`), the rest of the block `pad`.
    fn lanes(self, base: usize, len: usize, pad: f64) -> [f64; BLOCK];
}

impl Lane for f64 {
    #[inline(always)]
    fn lanes(self, _base: usize, _len: usize, _pad: f64) -> [f64; BLOCK] {
        [self; BLOCK]
    }
}

impl Lane for &[f64] {
    #[inline(always)]
    fn lanes(self, base: usize, len: usize, pad: f64) -> [f64; BLOCK] {
        if len == BLOCK {
            // One bounds check per block.
            self[base..base + BLOCK].try_into().expect("a block")
        } else {
            let mut lanes = [pad; BLOCK];
            lanes[..len].copy_from_slice(&self[base..base + len]);
            lanes
        }
    }
}

/// The elements per block of [`in_blocks`]: one AVX-512 vector.
const BLOCK: usize = 8;

/// Computes `element` for each of `n` elements in blocks of [`BLOCK`], each a loop whose trip
/// count the compiler knows, so that a block is one vector iteration however short the
/// statement: LLVM's vectorized loop over a trip count known only at run time starts at 16 or
/// 32 elements (it interleaves), and eight schools, with 8, ran entirely in the scalar
/// remainder. `load(base, len)` gives the inputs of elements `base..base + len` lane by lane
/// (`[input][lane]`, see [`Lane::lanes`]), the lanes past `len` padded with inputs at which
/// `element` is finite; `store(base, len, outputs)` writes the outputs of the first `len`
/// lanes (see [`put`]). Only the last block is partial.
#[inline(always)]
fn in_blocks<const I: usize, const O: usize>(
    n: usize,
    load: impl Fn(usize, usize) -> [[f64; BLOCK]; I],
    element: impl Fn([f64; I]) -> [f64; O],
    mut store: impl FnMut(usize, usize, [[f64; BLOCK]; O]),
) {
    let whole = n - n % BLOCK;
    for base in (0..whole).step_by(BLOCK) {
        block(base, BLOCK, &load, &element, &mut store);
    }
    if whole < n {
        block(whole, n - whole, &load, &element, &mut store);
    }
}

/// One block of [`in_blocks`]. (A function, not a closure: it must be inlined into the
/// dispatched kernel, whose target features it needs.)
#[inline(always)]
fn block<const I: usize, const O: usize>(
    base: usize,
    len: usize,
    load: &impl Fn(usize, usize) -> [[f64; BLOCK]; I],
    element: &impl Fn([f64; I]) -> [f64; O],
    store: &mut impl FnMut(usize, usize, [[f64; BLOCK]; O]),
) {
    let inputs = load(base, len);
    let mut outputs = [[0.0; BLOCK]; O];
    for k in 0..BLOCK {
        let o = element(core::array::from_fn(|j| inputs[j][k]));
        for (column, value) in outputs.iter_mut().zip(o) {
            column[k] = value;
        }
    }
    store(base, len, outputs);
}

/// Writes the first `len` lanes of `values` to `out[base..]`.
#[inline(always)]
fn put(out: &mut [f64], base: usize, len: usize, values: &[f64; BLOCK]) {
    out[base..base + len].copy_from_slice(&values[..len]);
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
            in_blocks(
                n,
                |base, len| [loc.lanes(base, len, 0.0), x.lanes(base, len, 0.0)],
                |[mu, x]| {
                    let z = (x - mu) * inv;
                    let value = (-0.5 * z).mul_add(z, constant);
                    let lp = if mu.is_finite() { value } else { f64::NAN };
                    let d = z * inv;
                    [lp, d, -d, z.mul_add(z, -1.0) * inv]
                },
                |base, len, [value, d, d_x, d_scale]| {
                    put(lp, base, len, &value);
                    put(g_loc, base, len, &d);
                    put(dx, base, len, &d_x);
                    put(g_scale, base, len, &d_scale);
                },
            );
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
            // (lp, ∂/∂μ, ∂/∂x, ∂/∂σ) of one element.
            #[inline(always)]
            fn element([mu, sigma, x]: [f64; 3]) -> [f64; 4] {
                let inv = 1.0 / sigma;
                let z = (x - mu) * inv;
                let value = (-0.5 * z).mul_add(z, -lanes::ln(sigma) - LN_SQRT_2PI);
                let valid = mu.is_finite() && sigma > 0.0 && sigma.is_finite();
                let lp = if valid { value } else { f64::NAN };
                let d = z * inv;
                [lp, d, -d, z.mul_add(z, -1.0) * inv]
            }
            in_blocks(
                n,
                |base, len| {
                    [
                        loc.lanes(base, len, 0.0),
                        scale.lanes(base, len, 1.0),
                        x.lanes(base, len, 0.0),
                    ]
                },
                element,
                |base, len, [lp, d, d_x, d_scale]| {
                    put(out.lp, base, len, &lp);
                    put(out.g_loc, base, len, &d);
                    put(out.dx, base, len, &d_x);
                    put(out.g_scale, base, len, &d_scale);
                },
            );
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
            let lane = self.lane;
            in_blocks(
                n,
                |base, len| [eta.lanes(base, len, 0.0), x.lanes(base, len, 0.0)],
                |[eta, x]| {
                    let t = lane.terms(eta, x);
                    [t.lp, t.d_eta]
                },
                |base, len, [value, d]| {
                    put(lp, base, len, &value);
                    put(g_eta, base, len, &d);
                },
            );
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `Normal(μ, σ)` at `x` and its partials, written out with libm: (lp, ∂μ, ∂σ, ∂x).
    fn normal_reference(mu: f64, sigma: f64, x: f64) -> [f64; 4] {
        let z = (x - mu) / sigma;
        let lp = -0.5 * z * z - sigma.ln() - LN_SQRT_2PI;
        [lp, z / sigma, (z * z - 1.0) / sigma, -z / sigma]
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-13 * (1.0 + b.abs())
    }

    /// Every element of every length from 0 to 25 (whole blocks, a partial block, both,
    /// neither), for each combination of broadcast and per-element arguments: the blocks and
    /// their padding must neither drop, repeat nor shift an element.
    #[test]
    fn blocked_normal_kernels_score_every_element_of_every_length() {
        for n in 0..=25 {
            let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin() * 3.0).collect();
            let locs: Vec<f64> = (0..n).map(|i| (i as f64 * 1.3).cos()).collect();
            let scales: Vec<f64> = (0..n).map(|i| 0.5 + (i % 5) as f64 * 0.4).collect();
            let columns = [
                (Column::Vector(&locs), Column::Scalar(1.7)),
                (Column::Scalar(-0.4), Column::Scalar(1.7)),
                (Column::Vector(&locs), Column::Vector(&scales)),
                (Column::Scalar(-0.4), Column::Vector(&scales)),
            ];
            for (loc, scale) in columns {
                let (mut g_loc, mut g_scale, mut g_none) = (vec![9.0; n], vec![9.0; n], vec![]);
                let (mut dx, mut lp) = (vec![9.0; n], vec![9.0; n]);
                let total = normal(Fused {
                    params: &[loc, scale],
                    x: &x,
                    grads: [&mut g_loc, &mut g_scale, &mut g_none],
                    dx: &mut dx,
                    lp: &mut lp,
                })
                .expect("valid arguments");
                let mut sum = 0.0;
                for i in 0..n {
                    let [l, d_mu, d_sigma, d_x] = normal_reference(loc.get(i), scale.get(i), x[i]);
                    sum += l;
                    assert!(close(lp[i], l), "n {n} element {i}: {} vs {l}", lp[i]);
                    assert!(close(g_loc[i], d_mu) && close(g_scale[i], d_sigma));
                    assert!(close(dx[i], d_x), "n {n} element {i}");
                }
                assert!(close(total, sum), "n {n}: {total} vs {sum}");
            }
        }
    }

    #[test]
    fn blocked_bernoulli_logit_scores_every_element_of_every_length() {
        for n in 0..=25 {
            let eta: Vec<f64> = (0..n).map(|i| (i as f64 * 0.9).sin() * 4.0).collect();
            let y: Vec<f64> = (0..n).map(|i| (i % 3 == 0) as u8 as f64).collect();
            let (mut g_eta, mut g1, mut g2) = (vec![9.0; n], vec![], vec![]);
            let (mut dx, mut lp) = (vec![0.0; n], vec![9.0; n]);
            let total = bernoulli_logit(Fused {
                params: &[Column::Vector(&eta)],
                x: &y,
                grads: [&mut g_eta, &mut g1, &mut g2],
                dx: &mut dx,
                lp: &mut lp,
            })
            .expect("valid arguments");
            let mut sum = 0.0;
            for i in 0..n {
                let p = 1.0 / (1.0 + (-eta[i]).exp());
                let l = if y[i] > 0.5 { p.ln() } else { (1.0 - p).ln() };
                sum += l;
                assert!(close(lp[i], l), "n {n} element {i}: {} vs {l}", lp[i]);
                assert!(close(g_eta[i], y[i] - p), "n {n} element {i}");
            }
            assert!(close(total, sum), "n {n}");
        }
    }
}
