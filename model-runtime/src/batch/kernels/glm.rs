//! Fused GLM kernels (Stan's `normal_id_glm`, `bernoulli_logit_glm`, `poisson_log_glm`): a
//! first parameter `X β + offset`, the others broadcast, and one pass over the matrix's panels
//! that computes `η`, the rows' densities and `Xᵀ ∂η` while each panel is in cache.

use super::links::{GlmLane, IdentityLane, LN_SQRT_2PI, LogRateLane, LogitLane, ln_factorials};
use crate::batch::elements::Linear;
use crate::linalg::{
    PANEL, panel_block, panel_times, panel_transpose_times, panels_transpose_times,
};
use crate::vector_math::{Kernel, Scratch, dispatch, sum};

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

/// The fused GLM loop (Stan's `*_glm` functions): one pass over the matrix's panels computes
/// each panel's `η = X β + offset`, the rows' log densities and derivatives in `η`, and adds
/// the panel's share of `Xᵀ ∂η` while the panel is still in the first-level cache, so the
/// matrix is read once per gradient instead of twice.
///
/// The whole panels and the last, partial one are two runs of the loop (`PARTIAL`), so that
/// the whole panels are compiled without a test per lane for the padding rows: with it, the
/// sums' updates became masked stores that the next panel's loads cannot forward from (a
/// 2-column regression of 1059 rows took 1.5 µs per gradient, 0.88 µs without), and one
/// loop holding both kinds of panel kept two copies of the rows' terms, which made the
/// logistic regression's panels 1.18x slower.
struct GlmLoop<'a, L, const PARTIAL: bool> {
    lane: L,
    linear: &'a Linear<'a>,
    /// The panels this run covers.
    panels: core::ops::Range<usize>,
    x: &'a [f64],
    dx: &'a mut [f64],
    d_beta: &'a mut [[f64; PANEL]],
    /// The sums of the rows' log-density terms and of their partials in the offset, one per
    /// lane, carried from one run to the next.
    lp: &'a mut [f64; PANEL],
    d_offset: &'a mut [f64; PANEL],
}

impl<L: GlmLane, const PARTIAL: bool> Kernel for GlmLoop<'_, L, PARTIAL> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let GlmLoop {
            lane,
            linear,
            panels,
            x,
            dx,
            d_beta,
            lp: lp_out,
            d_offset: d_offset_out,
        } = self;
        let rows = linear.matrix.rows();
        let want_dx = !dx.is_empty();
        // Copied in and out, so that the sums stay in registers through the loop.
        let (mut lp, mut d_offset) = (*lp_out, *d_offset_out);
        // The panels whose `Xᵀ ∂η` is still to add, with their adjoints.
        let mut pending: [&[[f64; PANEL]]; CHUNK] = [&[]; CHUNK];
        let mut adjoints = [[0.0; PANEL]; CHUNK];
        let mut count = 0;
        let all = linear.matrix.panels();
        for (p, panel) in all.enumerate().skip(panels.start).take(panels.len()) {
            let start = p * PANEL;
            let width = rows - start;
            let eta = panel_times(panel, &linear.beta, linear.offset);
            let values = panel_block(x, start);
            let mut adjoint = [0.0; PANEL];
            let mut d_x = [0.0; PANEL];
            for k in 0..PANEL {
                let t = lane.terms(eta[k], values[k]);
                // Rows past the end (padding of the last panel) count for nothing.
                let inside = !PARTIAL || k < width;
                lp[k] += if inside { t.lp } else { 0.0 };
                adjoint[k] = if inside { t.d_eta } else { 0.0 };
                d_x[k] = t.d_x;
                d_offset[k] += adjoint[k];
            }
            if want_dx {
                let width = width.min(PANEL);
                dx[start..start + width].copy_from_slice(&d_x[..width]);
            }
            pending[count] = panel;
            adjoints[count] = adjoint;
            count += 1;
            if count == CHUNK {
                panels_transpose_times(&pending, &adjoints, d_beta);
                count = 0;
            }
        }
        for (panel, adjoint) in pending.iter().zip(&adjoints).take(count) {
            panel_transpose_times(panel, adjoint, d_beta);
        }
        (*lp_out, *d_offset_out) = (lp, d_offset);
    }
}

/// Panels whose share of `Xᵀ ∂η` is added at once (see [`panels_transpose_times`]): their
/// adjoints, 8 × 16 values, stay in registers or the first-level cache, and the panels
/// themselves (8 × 16 rows of the logistic anchor's 20 columns, 20 KiB) in that cache.
const CHUNK: usize = 8;

/// Runs the fused GLM loop for `lane` and sums its lanes.
fn glm<L: GlmLane>(lane: L, args: Glm<'_>) -> Option<GlmSums> {
    let cols = args.linear.matrix.cols();
    let rows = args.linear.matrix.rows();
    let mut d_beta = Scratch::zeroed(cols * PANEL);
    let (d_beta_lanes, _) = d_beta.as_chunks_mut::<PANEL>();
    let (mut lp, mut d_offset) = ([0.0; PANEL], [0.0; PANEL]);
    let whole = rows / PANEL;
    dispatch(GlmLoop::<L, false> {
        lane,
        linear: args.linear,
        panels: 0..whole,
        x: args.x,
        dx: &mut *args.dx,
        d_beta: &mut *d_beta_lanes,
        lp: &mut lp,
        d_offset: &mut d_offset,
    });
    if !rows.is_multiple_of(PANEL) {
        dispatch(GlmLoop::<L, true> {
            lane,
            linear: args.linear,
            panels: whole..whole + 1,
            x: args.x,
            dx: &mut *args.dx,
            d_beta: &mut *d_beta_lanes,
            lp: &mut lp,
            d_offset: &mut d_offset,
        });
    }
    let (total, d_param) = lane.finish(sum(&lp), args.x.len());
    if total.is_nan() {
        return None;
    }
    for (d, lanes) in args.d_beta.iter_mut().zip(d_beta_lanes.iter()) {
        *d = sum(lanes);
    }
    Some(GlmSums {
        total,
        d_offset: sum(&d_offset),
        d_rest: [d_param, 0.0],
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

/// `Poisson(log_rate = X β + offset)`: Stan's `poisson_log_glm`.
pub fn poisson_log_glm(args: Glm<'_>) -> Option<GlmSums> {
    let x = args.x;
    let mut sums = glm(LogRateLane, args)?;
    sums.total -= ln_factorials(x);
    Some(sums)
}
