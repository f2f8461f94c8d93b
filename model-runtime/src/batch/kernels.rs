//! Fused log densities of the families that generalized linear models use most: each is one
//! branch-free loop over contiguous slices that computes every element's log density and its
//! partial derivatives, compiled for the CPU's vector units ([`dispatch`]). They replace the
//! per-element forward-mode evaluation (`Dual` numbers through the scalar family's `log_prob`)
//! where they apply, as Stan's `normal_id_glm` and `bernoulli_logit_glm` replace the
//! elementwise densities; the general path stays the reference they are tested against
//! (`tests/vectorized.rs` compares both on every family).
//!
//! A kernel returns `None` when it does not apply (a parameter layout it has no loop for) or
//! when some element's parameters are invalid: the general path then evaluates the statement
//! and names the element in its error.

use core::marker::PhantomData;

use super::elements::{self as el, Linear, ROW_LANES};
use crate::distributions::Poisson;
use crate::linalg::{PANEL, panel_block, panel_times, panel_transpose_times};
use crate::vector_math::{Kernel, Scratch, dispatch, lanes, sum};

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

/// `ln √(2π)`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

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

/// The inputs and outputs of a fused GLM kernel: a family whose first parameter is
/// `X β + offset` and whose other parameters are broadcast scalars.
pub struct Glm<'a> {
    /// The linear predictor.
    pub linear: &'a Linear<'a>,
    /// The other parameters' values, in the constructor's order.
    pub rest: [f64; 2],
    /// The values, as reals (one per row).
    pub x: &'a [f64],
    /// Output: `∂ log p / ∂ β` (one per column).
    pub d_beta: &'a mut [f64],
    /// Output: per row, the partial derivative with respect to its value.
    pub dx: &'a mut [f64],
}

/// What a fused GLM kernel returns besides `d_beta` and `dx`.
#[derive(Debug, Clone, Copy)]
pub struct GlmSums {
    /// The sum of the rows' log densities.
    pub total: f64,
    /// `∂ log p / ∂ offset`.
    pub d_offset: f64,
    /// `∂ log p / ∂` each other parameter.
    pub d_rest: [f64; 2],
}

/// One row's log density and its partials, for the GLM loop.
#[derive(Clone, Copy)]
struct Terms {
    lp: f64,
    d_eta: f64,
    d_param: f64,
    d_x: f64,
}

/// A family's density as a function of the linear predictor `η` and the row's value.
trait GlmLane: Copy {
    fn terms(self, eta: f64, x: f64) -> Terms;
}

/// Bernoulli with logits `η`.
#[derive(Clone, Copy)]
struct LogitLane;

impl GlmLane for LogitLane {
    #[inline(always)]
    fn terms(self, eta: f64, y: f64) -> Terms {
        let (lp, d_eta) = bernoulli_logit_lane(eta, y);
        Terms {
            lp,
            d_eta,
            d_param: 0.0,
            d_x: 0.0,
        }
    }
}

/// Normal with mean `η` and a broadcast scale (its reciprocal and the constant
/// `-ln σ - ln √(2π)` precomputed).
#[derive(Debug, Clone, Copy)]
struct IdentityLane {
    inv: f64,
    constant: f64,
}

impl GlmLane for IdentityLane {
    #[inline(always)]
    fn terms(self, eta: f64, x: f64) -> Terms {
        let z = (x - eta) * self.inv;
        let value = (-0.5 * z).mul_add(z, self.constant);
        let d = z * self.inv;
        Terms {
            lp: if eta.is_finite() { value } else { f64::NAN },
            d_eta: d,
            d_param: z.mul_add(z, -1.0) * self.inv,
            d_x: -d,
        }
    }
}

/// One row of Bernoulli-logit: the log density and its derivative in `η` (see
/// [`bernoulli_logit`]).
#[inline(always)]
fn bernoulli_logit_lane(eta: f64, y: f64) -> (f64, f64) {
    let e = lanes::exp(-eta.abs());
    let u = 1.0 + e;
    let inv = 1.0 / u;
    // ln(1 + e) with the rounding of `u` added back (see `lanes::ln_1p`).
    let ln_1p_e = lanes::ln(u) + (e - (u - 1.0)) * inv;
    let t = if y > 0.5 { eta } else { -eta };
    let negative_part = if t < 0.0 { -t } else { 0.0 };
    let value = -(negative_part + ln_1p_e);
    let sigmoid = if eta >= 0.0 { inv } else { e * inv };
    (if eta.is_finite() { value } else { f64::NAN }, y - sigmoid)
}

/// The fused GLM loop (Stan's `*_glm` functions): one pass over the matrix's panels computes
/// each panel's `η = X β + offset`, the rows' log densities and derivatives in `η`, and adds
/// the panel's share of `Xᵀ ∂η` while the panel is still in the first-level cache, so the
/// matrix is read once per gradient instead of twice.
struct GlmLoop<'a, L> {
    lane: L,
    linear: &'a Linear<'a>,
    x: &'a [f64],
    dx: &'a mut [f64],
    want_dx: bool,
    d_beta: &'a mut [[f64; PANEL]],
}

impl<L: GlmLane> Kernel for GlmLoop<'_, L> {
    type Output = ([f64; PANEL], [f64; PANEL], [f64; PANEL]);
    #[inline(always)]
    fn run(self) -> Self::Output {
        let GlmLoop {
            lane,
            linear,
            x,
            dx,
            want_dx,
            d_beta,
        } = self;
        let rows = linear.matrix.rows();
        let (mut lp, mut d_offset, mut d_param) = ([0.0; PANEL], [0.0; PANEL], [0.0; PANEL]);
        for (p, panel) in linear.matrix.panels().enumerate() {
            let start = p * PANEL;
            let eta = panel_times(panel, &linear.beta, linear.offset);
            let values = panel_block(x, start);
            let width = rows - start;
            let mut adjoint = [0.0; PANEL];
            let mut d_x = [0.0; PANEL];
            for k in 0..PANEL {
                let t = lane.terms(eta[k], values[k]);
                // Rows past the end (padding of the last panel) count for nothing.
                let inside = k < width;
                lp[k] += if inside { t.lp } else { 0.0 };
                adjoint[k] = if inside { t.d_eta } else { 0.0 };
                d_param[k] += if inside { t.d_param } else { 0.0 };
                d_x[k] = t.d_x;
                d_offset[k] += adjoint[k];
            }
            if want_dx {
                let width = width.min(PANEL);
                dx[start..start + width].copy_from_slice(&d_x[..width]);
            }
            panel_transpose_times(panel, &adjoint, d_beta);
        }
        (lp, d_offset, d_param)
    }
}

/// Runs the fused GLM loop for `lane` and sums its lanes.
fn glm<L: GlmLane>(lane: L, args: Glm<'_>) -> Option<GlmSums> {
    let cols = args.linear.matrix.cols();
    let mut d_beta = Scratch::zeroed(cols * PANEL);
    let (d_beta_lanes, _) = d_beta.as_chunks_mut::<PANEL>();
    let (lp, d_offset, d_param) = dispatch(GlmLoop {
        lane,
        linear: args.linear,
        x: args.x,
        want_dx: !args.dx.is_empty(),
        dx: args.dx,
        d_beta: d_beta_lanes,
    });
    let total = sum(&lp);
    if total.is_nan() {
        return None;
    }
    for (d, lanes) in args.d_beta.iter_mut().zip(d_beta_lanes.iter()) {
        *d = sum(lanes);
    }
    Some(GlmSums {
        total,
        d_offset: sum(&d_offset),
        d_rest: [sum(&d_param), 0.0],
    })
}

/// `Bernoulli(logits = X β + offset)`: Stan's `bernoulli_logit_glm`.
pub fn bernoulli_logit_glm(args: Glm<'_>) -> Option<GlmSums> {
    glm(LogitLane, args)
}

/// `Normal(X β + offset, σ)` with a broadcast `σ`: Stan's `normal_id_glm`.
pub fn normal_id_glm(args: Glm<'_>) -> Option<GlmSums> {
    let scale = args.rest[0];
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    let lane = IdentityLane {
        inv: 1.0 / scale,
        constant: -scale.ln() - LN_SQRT_2PI,
    };
    glm(lane, args)
}

/// `Poisson(rate = e^η)` with `η` the linear predictor: `k η - e^η - ln k!`, and
/// `∂/∂η = k - e^η`; the rate must be positive and at most [`Poisson::MAX_RATE`], as its
/// constructor requires.
#[derive(Clone, Copy)]
struct LogRateLane;

impl GlmLane for LogRateLane {
    #[inline(always)]
    fn terms(self, eta: f64, k: f64) -> Terms {
        let (lp, d_eta) = poisson_log_lane(eta, k);
        Terms {
            lp,
            d_eta,
            d_param: 0.0,
            d_x: 0.0,
        }
    }
}

/// One row of Poisson-log without `ln k!` (added once per statement by [`ln_factorials`]).
#[inline(always)]
fn poisson_log_lane(eta: f64, k: f64) -> (f64, f64) {
    let rate = lanes::exp(eta);
    let valid = rate > 0.0 && rate <= Poisson::<f64>::MAX_RATE;
    let value = k.mul_add(eta, -rate);
    (if valid { value } else { f64::NAN }, k - rate)
}

/// `Σ ln k_i!` over counts given as floats: a table of `ln k!` for small counts (computed
/// once per process), `ln Γ(k + 1)` beyond it.
fn ln_factorials(counts: &[f64]) -> f64 {
    const TABLE: usize = 1024;
    static LN_FACTORIAL: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    let table = LN_FACTORIAL.get_or_init(|| {
        (0..TABLE)
            .map(|k| crate::special::ln_gamma(k as f64 + 1.0))
            .collect()
    });
    counts
        .iter()
        .map(|&k| match table.get(k as usize) {
            Some(&v) if k >= 0.0 => v,
            _ => crate::special::ln_gamma(k + 1.0),
        })
        .sum()
}

/// `Poisson(log_rate = η)` elementwise (Stan's `poisson_log`).
pub fn poisson_log(f: Fused<'_>) -> Option<f64> {
    let counts = f.x;
    one_parameter(LogRateLane, f).map(|t| t - ln_factorials(counts))
}

/// `Poisson(log_rate = X β + offset)`: Stan's `poisson_log_glm`.
pub fn poisson_log_glm(args: Glm<'_>) -> Option<GlmSums> {
    let x = args.x;
    let mut sums = glm(LogRateLane, args)?;
    sums.total -= ln_factorials(x);
    Some(sums)
}

/// One element's log density as a function of the family's first parameter, for a statement
/// whose other parameters are broadcast scalars: what a row pass evaluates at each element.
///
/// A row pass (Stan's `normal_id_glm` idea carried to any lazy first argument) reads element
/// `i` of the first argument, computes its log density and partial derivatives through the
/// lane, and backpropagates the derivative through the argument's expression at once, so an
/// expression such as `mu + sigma * gather(&z, group) + b * vector(x)` is evaluated in one loop
/// with no buffer per operation. The general path (forward-mode `Dual`s through the scalar
/// family) stays the reference, and takes over when an element is invalid so that its error
/// names the element.
///
/// # Example
///
/// ```
/// use model_runtime::batch::kernels::RowLane;
///
/// assert!(RowLane::normal(2.0).is_some());
/// // An invalid broadcast scale has no lane: the general path reports it.
/// assert!(RowLane::normal(-1.0).is_none());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RowLane(LaneKind);

#[derive(Debug, Clone, Copy)]
enum LaneKind {
    Identity(IdentityLane),
    Logit,
    LogRate,
}

impl RowLane {
    /// `Normal(η, scale)` with a broadcast scale; `None` when the scale is not positive and
    /// finite.
    pub fn normal(scale: f64) -> Option<RowLane> {
        (scale > 0.0 && scale.is_finite()).then(|| {
            RowLane(LaneKind::Identity(IdentityLane {
                inv: 1.0 / scale,
                constant: -scale.ln() - LN_SQRT_2PI,
            }))
        })
    }

    /// `Bernoulli(logits = η)`.
    pub fn bernoulli_logit() -> RowLane {
        RowLane(LaneKind::Logit)
    }

    /// `Poisson(log_rate = η)`.
    pub fn poisson_log() -> RowLane {
        RowLane(LaneKind::LogRate)
    }
}

/// What a row pass returns besides the partials it adds to the accumulator.
#[derive(Debug, Clone, Copy)]
pub(super) struct RowSums {
    /// The sum of the elements' log densities.
    pub total: f64,
    /// `∂ log p / ∂` the second parameter (a broadcast scalar), where the family has one.
    pub d_param: f64,
}

/// Runs the row pass of `lane` over the first argument `first` and the values `x`: returns the
/// sums, adds the partials of `first`'s inputs to `acc` (laid out as
/// [`Elements::backprop`](el::Elements::backprop) expects), and writes `∂/∂ x_i` to `dx` when
/// `dx` is not empty. `None` when an element is invalid (then `acc` holds partial sums to
/// discard).
pub(super) fn rows<T: crate::scalar::Scalar, E: el::Elements<T>>(
    lane: RowLane,
    first: &E,
    x: &[f64],
    dx: &mut [f64],
    adjoints: &mut [f64],
    acc: &mut [f64],
) -> Option<RowSums> {
    let buffers = RowBuffers { dx, adjoints, acc };
    match lane.0 {
        LaneKind::Identity(lane) => row_pass(lane, first, x, buffers),
        LaneKind::Logit => row_pass(LogitLane, first, x, buffers),
        LaneKind::LogRate => row_pass(LogRateLane, first, x, buffers).map(|sums| RowSums {
            total: sums.total - ln_factorials(x),
            ..sums
        }),
    }
}

/// The row loop, compiled for the CPU's vector units. Blocks of [`ROW_LANES`] elements are
/// evaluated, differentiated and backpropagated to the broadcast inputs with no branch and
/// one partial sum per lane, which the compiler turns into vector instructions; the
/// derivatives of inputs with one value per element (a gathered vector: a scatter whose
/// indices may repeat) are added afterwards in a scalar pass over the stored adjoints.
struct RowPass<'a, T: crate::scalar::Scalar, E: el::Elements<T>, L> {
    lane: L,
    first: &'a E,
    x: &'a [f64],
    /// `∂/∂ x_i`, or empty when the values are data.
    dx: &'a mut [f64],
    /// The adjoint of each element, for the scalar pass (empty when it is not needed).
    adjoints: &'a mut [f64],
    acc: &'a mut [f64],
    _scalar: PhantomData<fn() -> T>,
}

/// The partial sums of a row pass, one per lane.
struct RowLanes<Local> {
    lp: [f64; ROW_LANES],
    d_param: [f64; ROW_LANES],
    local: Local,
}

impl<T: crate::scalar::Scalar, E: el::Elements<T>, L: GlmLane> Kernel for RowPass<'_, T, E, L> {
    type Output = RowLanes<E::Local>;
    #[inline(always)]
    fn run(self) -> Self::Output {
        let RowPass {
            lane,
            first,
            x,
            dx,
            adjoints,
            acc,
            _scalar,
        } = self;
        let mut sums = RowLanes {
            lp: [0.0; ROW_LANES],
            d_param: [0.0; ROW_LANES],
            local: E::Local::default(),
        };
        let n = x.len();
        let (want_dx, want_adjoints) = (dx.len() == n, adjoints.len() == n);
        let (blocks, _) = x.as_chunks::<ROW_LANES>();
        for (b, values) in blocks.iter().enumerate() {
            let base = b * ROW_LANES;
            let eta = first.block(base);
            let (mut d_eta, mut d_x) = ([0.0; ROW_LANES], [0.0; ROW_LANES]);
            for k in 0..ROW_LANES {
                let t = lane.terms(eta[k], values[k]);
                sums.lp[k] += t.lp;
                sums.d_param[k] += t.d_param;
                d_eta[k] = t.d_eta;
                d_x[k] = t.d_x;
            }
            first.backprop_block(base, &d_eta, &mut sums.local);
            // Stores last, so that the loads above need not be repeated after them.
            if want_dx {
                dx[base..base + ROW_LANES].copy_from_slice(&d_x);
            }
            if want_adjoints {
                adjoints[base..base + ROW_LANES].copy_from_slice(&d_eta);
            }
        }
        let tail = blocks.len() * ROW_LANES;
        for i in tail..n {
            let t = lane.terms(first.value(i), x[i]);
            let k = i - tail;
            sums.lp[k] += t.lp;
            sums.d_param[k] += t.d_param;
            first.backprop_lane(i, k, t.d_eta, &mut sums.local);
            if want_dx {
                dx[i] = t.d_x;
            }
            if want_adjoints {
                adjoints[i] = t.d_eta;
            }
        }
        if want_adjoints {
            for (i, &a) in adjoints.iter().enumerate() {
                first.backprop_element(i, a, acc, 0);
            }
        }
        sums
    }
}

/// The outputs of a row pass: `dx` and `adjoints` of length `n` each, or empty when not
/// wanted (`adjoints` are needed by arguments with per-element inputs).
struct RowBuffers<'a> {
    dx: &'a mut [f64],
    adjoints: &'a mut [f64],
    acc: &'a mut [f64],
}

fn row_pass<T: crate::scalar::Scalar, E: el::Elements<T>, L: GlmLane>(
    lane: L,
    first: &E,
    x: &[f64],
    buffers: RowBuffers<'_>,
) -> Option<RowSums> {
    let RowBuffers { dx, adjoints, acc } = buffers;
    let adjoints = if first.has_element_inputs() {
        adjoints
    } else {
        &mut []
    };
    let sums = dispatch(RowPass {
        lane,
        first,
        x,
        dx,
        adjoints,
        acc: &mut *acc,
        _scalar: PhantomData,
    });
    let total = sum(&sums.lp);
    if total.is_nan() {
        return None;
    }
    first.finish_rows(&sums.local, acc, 0);
    Some(RowSums {
        total,
        d_param: sum(&sums.d_param),
    })
}
