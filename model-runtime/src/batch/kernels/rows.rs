//! The row pass: one fused loop over the elements of a statement whose first argument is any
//! lazy expression and whose other arguments are broadcast or data, evaluating each element
//! through a [`RowLane`] and backpropagating through the expression in the same loop.

use core::marker::PhantomData;

use super::links::{
    GlmLane, IdentityLane, LN_SQRT_2PI, LogRateLane, LogitLane, Terms, ln_factorials,
};
use crate::batch::elements::{self as el, ROW_LANES};
use crate::vector_math::{Kernel, dispatch, lanes, sum};

/// One element's log density as a function of the family's first parameter, for a statement
/// whose other parameters are broadcast scalars or data: what a row pass evaluates at each
/// element.
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
/// use model_runtime::batch::kernels::{RowArg, RowLane};
///
/// assert!(RowLane::normal(2.0).is_some());
/// // An invalid broadcast scale has no lane: the general path reports it.
/// assert!(RowLane::normal(-1.0).is_none());
/// // A scale given as data, one per element (eight schools' standard errors).
/// let sigma = [15.0, 10.0, 16.0];
/// assert!(RowLane::normal_with([RowArg::Data(&sigma), RowArg::Scalar(0.0)]).is_some());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RowLane<'a>(LaneKind<'a>);

#[derive(Debug, Clone, Copy)]
enum LaneKind<'a> {
    Identity(IdentityLane),
    DataScale(DataScaleLane<'a>),
    Logit,
    LogRate,
}

/// An argument of a row-pass statement after the first, as the lane reads it.
#[derive(Debug, Clone, Copy)]
pub enum RowArg<'a> {
    /// A broadcast value (of a constant or of a variable, whose partial the pass returns).
    Scalar(f64),
    /// Data with one value per element, which carries no derivative.
    Data(&'a [f64]),
}

impl<'a> RowLane<'a> {
    /// `Normal(η, scale)` with a broadcast scale; `None` when the scale is not positive and
    /// finite.
    pub fn normal(scale: f64) -> Option<RowLane<'static>> {
        (scale > 0.0 && scale.is_finite()).then(|| {
            RowLane(LaneKind::Identity(IdentityLane {
                inv: 1.0 / scale,
                constant: -scale.ln() - LN_SQRT_2PI,
            }))
        })
    }

    /// `Normal(η, scale)` from the arguments after the first: a broadcast scale (see
    /// [`normal`](Self::normal)) or a scale given as data, one per element, whose validity is
    /// checked in the pass.
    pub fn normal_with(rest: [RowArg<'a>; 2]) -> Option<RowLane<'a>> {
        match rest[0] {
            RowArg::Scalar(scale) => RowLane::normal(scale),
            RowArg::Data(scale) => Some(RowLane(LaneKind::DataScale(DataScaleLane { scale }))),
        }
    }

    /// `Bernoulli(logits = η)`.
    pub fn bernoulli_logit() -> RowLane<'static> {
        RowLane(LaneKind::Logit)
    }

    /// `Poisson(log_rate = η)`.
    pub fn poisson_log() -> RowLane<'static> {
        RowLane(LaneKind::LogRate)
    }
}

/// What a row pass evaluates at one element: a [`GlmLane`], which sees only `η` and the
/// value, or a lane that also reads data of its own at the element (a scale per element).
trait RowTerms: Copy {
    /// The lane's data for elements `base..base + ROW_LANES` (all within the length).
    fn data_block(self, base: usize) -> [f64; ROW_LANES];
    /// The lane's data for element `i`.
    fn data_at(self, i: usize) -> f64;
    /// The element's terms given `η`, its value and the lane's data there.
    fn terms(self, eta: f64, x: f64, data: f64) -> Terms;
    /// See [`GlmLane::finish`].
    fn finish(self, lp: f64, n: usize) -> (f64, f64);
}

impl<L: GlmLane> RowTerms for L {
    #[inline(always)]
    fn data_block(self, _base: usize) -> [f64; ROW_LANES] {
        [0.0; ROW_LANES]
    }
    #[inline(always)]
    fn data_at(self, _i: usize) -> f64 {
        0.0
    }
    #[inline(always)]
    fn terms(self, eta: f64, x: f64, _data: f64) -> Terms {
        GlmLane::terms(self, eta, x)
    }
    #[inline(always)]
    fn finish(self, lp: f64, n: usize) -> (f64, f64) {
        GlmLane::finish(self, lp, n)
    }
}

/// Normal with mean `η` and a scale given as data, `σᵢ` per element (eight schools' standard
/// errors, a meta-analysis's known variances): `-z²/2 - ln σᵢ` with `z = (x - η)/σᵢ`, and
/// `∂/∂η = z/σᵢ`. The scale carries no derivative, so the pass returns none for it.
#[derive(Debug, Clone, Copy)]
struct DataScaleLane<'a> {
    scale: &'a [f64],
}

impl RowTerms for DataScaleLane<'_> {
    #[inline(always)]
    fn data_block(self, base: usize) -> [f64; ROW_LANES] {
        self.scale[base..base + ROW_LANES]
            .try_into()
            .expect("a block has ROW_LANES elements")
    }
    #[inline(always)]
    fn data_at(self, i: usize) -> f64 {
        self.scale[i]
    }
    #[inline(always)]
    fn terms(self, eta: f64, x: f64, scale: f64) -> Terms {
        let inv = 1.0 / scale;
        let z = (x - eta) * inv;
        let d = z * inv;
        // An invalid scale needs no test of its own: it makes the term NaN (`ln` of a negative
        // or NaN scale, `∞ - ∞` at 0) or `-∞` (at `+∞`), which `finish` sends to the general
        // path, and that names the element.
        Terms {
            lp: (-0.5 * z).mul_add(z, -lanes::ln(scale)),
            d_eta: d,
            d_x: -d,
        }
    }
    /// As for a broadcast scale, an element whose `η` is not finite makes the statement
    /// invalid rather than of density zero.
    #[inline(always)]
    fn finish(self, lp: f64, n: usize) -> (f64, f64) {
        if !lp.is_finite() {
            return (f64::NAN, 0.0);
        }
        (lp - n as f64 * LN_SQRT_2PI, 0.0)
    }
}

/// What a row pass returns besides the partials it adds to the accumulator.
#[derive(Debug, Clone, Copy)]
pub(in crate::batch) struct RowSums {
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
pub(in crate::batch) fn rows<T: crate::scalar::Scalar, E: el::Elements<T>>(
    lane: RowLane<'_>,
    first: &E,
    x: &[f64],
    dx: &mut [f64],
    adjoints: &mut [f64],
    acc: &mut [f64],
) -> Option<RowSums> {
    let buffers = RowBuffers { dx, adjoints, acc };
    match lane.0 {
        LaneKind::Identity(lane) => row_pass(lane, first, x, buffers),
        LaneKind::DataScale(lane) => row_pass(lane, first, x, buffers),
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
    local: Local,
}

impl<T: crate::scalar::Scalar, E: el::Elements<T>, L: RowTerms> Kernel for RowPass<'_, T, E, L> {
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
        // The sums are locals, not fields of the returned struct, so that they stay in
        // registers.
        let mut lp = [0.0; ROW_LANES];
        let mut local = E::Local::default();
        let n = x.len();
        let (want_dx, want_adjoints) = (dx.len() == n, adjoints.len() == n);
        let (blocks, _) = x.as_chunks::<ROW_LANES>();
        for (b, values) in blocks.iter().enumerate() {
            let base = b * ROW_LANES;
            let eta = first.block(base);
            let data = lane.data_block(base);
            let (mut d_eta, mut d_x) = ([0.0; ROW_LANES], [0.0; ROW_LANES]);
            for k in 0..ROW_LANES {
                let t = lane.terms(eta[k], values[k], data[k]);
                lp[k] += t.lp;
                d_eta[k] = t.d_eta;
                d_x[k] = t.d_x;
            }
            first.backprop_block(base, &d_eta, &mut local);
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
            let t = lane.terms(first.value(i), x[i], lane.data_at(i));
            let k = i - tail;
            lp[k] += t.lp;
            first.backprop_lane(i, k, t.d_eta, &mut local);
            if want_dx {
                dx[i] = t.d_x;
            }
            if want_adjoints {
                adjoints[i] = t.d_eta;
            }
        }
        if want_adjoints {
            first.backprop_elements(adjoints, acc, 0);
        }
        RowLanes { lp, local }
    }
}

/// The outputs of a row pass: `dx` and `adjoints` of length `n` each, or empty when not
/// wanted (`adjoints` are needed by arguments with per-element inputs).
struct RowBuffers<'a> {
    dx: &'a mut [f64],
    adjoints: &'a mut [f64],
    acc: &'a mut [f64],
}

fn row_pass<T: crate::scalar::Scalar, E: el::Elements<T>, L: RowTerms>(
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
    let (total, d_param) = lane.finish(sum(&sums.lp), x.len());
    if total.is_nan() {
        return None;
    }
    first.finish_rows(&sums.local, acc, 0);
    Some(RowSums { total, d_param })
}
