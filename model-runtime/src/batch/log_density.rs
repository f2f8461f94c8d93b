//! The log density of a vectorized site as one autodiff node: every element's density and
//! partials (through a fused GLM kernel, the row pass, a fused elementwise kernel, or
//! forward-mode `Dual`s through the scalar family, in that order of preference), folded back
//! through the arguments into one reverse-mode node: Stan's "operands and partials"
//! (Carpenter et al. 2015, *The Stan Math Library*, §4). The accumulators and row buffers come
//! from the thread's scratch arena ([`Scratch`]), so a warm gradient allocates nothing.

use super::mask::MaskArg;
use super::params::Params;
use super::{Batch, Vectorized};
use crate::batch::kernels::{Fused, Glm};
use crate::distribution::{DensityError, Distribution};
use crate::scalar::Scalar;
use crate::value::ValueKind;
use crate::vector_math::Scratch;

impl<F: Vectorized, T: Scalar, P: Params<T>, M: MaskArg> Batch<F, T, P, M> {
    /// The log density of the ordered elements adds `ln n!` and requires strict increase.
    fn ordered_term<U: Scalar>(&self, x: &[<F::Kind as ValueKind>::Value<U>]) -> Option<f64> {
        if !self.ordered {
            return Some(0.0);
        }
        let increasing = x
            .windows(2)
            .all(|w| F::Kind::as_real::<U>(&w[0]) < F::Kind::as_real::<U>(&w[1]));
        increasing.then(|| crate::special::ln_gamma(x.len() as f64 + 1.0))
    }

    /// The statement's log density at `scored`: the body's values, or observed data in place.
    pub(super) fn evaluate<S: Scored<F, T>>(&self, scored: S) -> Result<T, DensityError> {
        let x = scored.values();
        let n = self.resolve_len(Some(x.len()))?;
        let Some(ordered) = self.ordered_term(x) else {
            return Ok(T::from_f64(f64::NEG_INFINITY));
        };
        if !T::DIFFERENTIABLE {
            // Plain values: nothing reads derivatives, so each element is a scalar density.
            let mut total = T::from_f64(ordered);
            let mut outside = false;
            for (i, xi) in x.iter().enumerate().take(n) {
                if self.mask.keep(i) {
                    let dist = self
                        .params
                        .scalars(i, |p| F::build(self.ctor, p))
                        .map_err(|e| Self::invalid(i, e))?;
                    let lp = dist.log_prob(&F::Kind::lift(xi, T::from_f64));
                    outside |= lp.value() == f64::NEG_INFINITY;
                    total += lp;
                }
            }
            return Ok(if outside { outside_support() } else { total });
        }
        // Differentiable scalars: evaluate the arguments into columns, compute every element's
        // log density and partials (in one fused loop where the family has one), fold the
        // partials back through the arguments, and record the statement as one node.
        if self.mask.all()
            && let Some(result) = self.glm(scored, n, ordered)
        {
            return Ok(result);
        }
        if self.mask.all()
            && let Some(result) = self.rows(scored, n, ordered)
        {
            return Ok(result);
        }
        // One buffer for every column the statement needs, so that a small statement takes
        // one scratch buffer, not nine: the arguments (3), their partials (one per parameter),
        // the values' partials, the values and the log densities. Each is written before it is
        // read (masked elements get zero partials below).
        let arity = P::ARITY;
        let mut space = Scratch::for_overwrite((6 + arity) * n);
        let (arguments, rest) = space.split_at_mut(3 * n);
        let (partials, rest) = rest.split_at_mut(arity * n);
        let (dx, rest) = rest.split_at_mut(n);
        let (xs, lp) = rest.split_at_mut(n);
        let columns = self.params.columns(n, three_blocks(arguments, n));
        let [g0, g1, g2] = three_blocks(partials, n);
        let mut fused = None;
        if self.mask.all() {
            let xs = reals_of(&scored, xs);
            fused = F::fused(
                self.ctor,
                Fused {
                    params: &columns[..arity],
                    x: xs,
                    grads: [&mut *g0, &mut *g1, &mut *g2],
                    dx: &mut *dx,
                    lp,
                },
            );
        }
        let mut grads = [g0, g1, g2];
        let total = match fused {
            Some(total) => ordered + total,
            None => {
                let mut total = ordered;
                let mut outside = false;
                for (i, xi) in x.iter().enumerate() {
                    if !self.mask.keep(i) {
                        for g in grads.iter_mut().take(arity) {
                            g[i] = 0.0;
                        }
                        dx[i] = 0.0;
                        continue;
                    }
                    let dist = P::column_duals(&columns, i, |p| F::build(self.ctor, p))
                        .map_err(|e| Self::invalid(i, e))?;
                    let lp = dist.log_prob(&F::Kind::lift(xi, P::seed_value));
                    outside |= lp.value() == f64::NEG_INFINITY;
                    total += lp.value();
                    let partials = P::partials(lp);
                    for (g, &d) in grads.iter_mut().zip(&partials).take(arity) {
                        g[i] = d;
                    }
                    dx[i] = partials[arity];
                }
                if outside {
                    return Ok(outside_support());
                }
                total
            }
        };
        let inputs = self.params.inputs();
        with_accumulator(inputs, |param_acc| {
            let [g0, g1, g2] = grads;
            self.params.backprop_columns([g0, g1, g2], param_acc);
            Ok(T::from_parts_and_runs(
                total,
                self.params
                    .lone_edges(param_acc)
                    .chain(scored.lone_edges(dx)),
                self.params.runs(param_acc).chain(scored.runs(dx)),
            ))
        })
    }

    /// The fused GLM route of [`Batch::evaluate`]: `None` when the statement is not a GLM
    /// with a kernel, or when an element is invalid (the general path then names it).
    fn glm<S: Scored<F, T>>(&self, scored: S, n: usize, ordered: f64) -> Option<T> {
        let (linear, others) = self.params.glm_args()?;
        let mut buffer = Scratch::for_overwrite(n);
        let xs = reals_of(&scored, &mut buffer);
        let mut d_beta = Scratch::zeroed(linear.beta.len());
        let mut dx = Scratch::zeroed(if scored.tracked() { n } else { 0 });
        let sums = F::glm(
            self.ctor,
            Glm {
                linear: &linear,
                rest: others,
                x: xs,
                d_beta: &mut d_beta,
                dx: &mut dx,
            },
        )?;
        let inputs = self.params.inputs();
        Some(with_accumulator(inputs, |acc| {
            self.params.backprop_glm(&d_beta, &sums, acc);
            T::from_parts_and_runs(
                ordered + sums.total,
                self.params.lone_edges(acc).chain(scored.lone_edges(&dx)),
                self.params.runs(acc).chain(scored.runs(&dx)),
            )
        }))
    }

    /// The row route of [`Batch::evaluate`]: one fused loop over the elements when the family
    /// has a [`RowLane`](super::kernels::RowLane) and every argument after the first is
    /// broadcast or data (a Normal's scale per element);
    /// `None` otherwise, or when an element is invalid (the general path then names it).
    fn rows<S: Scored<F, T>>(&self, scored: S, n: usize, ordered: f64) -> Option<T> {
        let lane = F::row_lane(self.ctor, self.params.row_pass_rest()?)?;
        let tracked = scored.tracked();
        with_row_buffers(n, |[xs, dx, adjoints]| {
            let xs = reals_of(&scored, xs);
            let dx = if tracked { dx } else { &mut [] };
            with_accumulator(self.params.inputs(), |acc| {
                let total = self.params.row_pass(lane, xs, dx, adjoints, acc)?;
                Some(T::from_parts_and_runs(
                    ordered + total,
                    self.params.lone_edges(acc).chain(scored.lone_edges(dx)),
                    self.params.runs(acc).chain(scored.runs(dx)),
                ))
            })
        })
    }
}

/// The first `n` values of up to three consecutive blocks of `n` in `space`, empty where it
/// holds fewer.
pub(super) fn three_blocks(space: &mut [f64], n: usize) -> [&mut [f64]; 3] {
    let (a, rest) = space.split_at_mut(n.min(space.len()));
    let (b, rest) = rest.split_at_mut(n.min(rest.len()));
    let (c, _) = rest.split_at_mut(n.min(rest.len()));
    [a, b, c]
}

/// The values a vectorized statement scores: the body's own ([`Own`]: a latent site's, which
/// carry derivatives, or an observed site's whose value the body reads), or observed data as
/// plain values ([`Data`]), scored in place: neither lifted into the body's scalar type nor
/// copied, since data carries no derivative.
pub(super) trait Scored<F: Vectorized, T: Scalar>: Copy {
    /// The scalar type the values are held in.
    type U: Scalar;
    /// The values.
    fn values(&self) -> &[<F::Kind as ValueKind>::Value<Self::U>];
    /// Whether the values carry derivatives.
    fn tracked(&self) -> bool;
    /// The `(value, ∂ log p / ∂ value)` edges of the statement's node, given the values'
    /// partials `dx`.
    fn edges<'a>(&'a self, dx: &'a [f64]) -> impl Iterator<Item = (T, f64)> + 'a;
    /// [`edges`](Scored::edges) less those of [`runs`](Scored::runs).
    fn lone_edges<'a>(&'a self, dx: &'a [f64]) -> impl Iterator<Item = (T, f64)> + 'a;
    /// The values as one run of the body's scalars with their partials, when they are
    /// tracked real values (see [`Scalar::from_parts_and_runs`]).
    fn runs<'a>(&'a self, dx: &'a [f64]) -> impl Iterator<Item = (&'a [T], &'a [f64])> + 'a;
    /// The values as real numbers without a copy, when they are observed real data.
    fn reals(&self) -> Option<&[f64]>;
}

/// The body's own values of a vectorized site (see [`Scored`]).
pub(super) struct Own<'a, F: Vectorized, T: Scalar>(pub &'a [<F::Kind as ValueKind>::Value<T>]);

/// Observed data of a vectorized site as plain values (see [`Scored`]).
pub(super) struct Data<'a, F: Vectorized>(pub &'a [<F::Kind as ValueKind>::Value<f64>]);

impl<'a, F: Vectorized, T: Scalar> Own<'a, F, T> {
    /// The values as the body's scalars, when they are tracked real values.
    #[inline(always)]
    fn as_run(&self) -> Option<&'a [T]> {
        if values_tracked::<F, T>(self.0) {
            F::Kind::scalars(self.0)
        } else {
            None
        }
    }
}

impl<F: Vectorized, T: Scalar> Clone for Own<'_, F, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Vectorized, T: Scalar> Copy for Own<'_, F, T> {}
impl<F: Vectorized> Clone for Data<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Vectorized> Copy for Data<'_, F> {}

impl<F: Vectorized, T: Scalar> Scored<F, T> for Own<'_, F, T> {
    type U = T;
    #[inline(always)]
    fn values(&self) -> &[<F::Kind as ValueKind>::Value<T>] {
        self.0
    }
    #[inline]
    fn tracked(&self) -> bool {
        values_tracked::<F, T>(self.0)
    }
    #[inline]
    fn edges<'a>(&'a self, dx: &'a [f64]) -> impl Iterator<Item = (T, f64)> + 'a {
        value_edges::<F, T>(self.0, dx)
    }
    #[inline]
    fn lone_edges<'a>(&'a self, dx: &'a [f64]) -> impl Iterator<Item = (T, f64)> + 'a {
        let all = if self.as_run().is_some() {
            &[][..]
        } else {
            self.0
        };
        value_edges::<F, T>(all, dx)
    }
    #[inline]
    fn runs<'a>(&'a self, dx: &'a [f64]) -> impl Iterator<Item = (&'a [T], &'a [f64])> + 'a {
        self.as_run().map(|x| (x, &dx[..x.len()])).into_iter()
    }
    #[inline(always)]
    fn reals(&self) -> Option<&[f64]> {
        None
    }
}

impl<F: Vectorized, T: Scalar> Scored<F, T> for Data<'_, F> {
    type U = f64;
    #[inline(always)]
    fn values(&self) -> &[<F::Kind as ValueKind>::Value<f64>] {
        self.0
    }
    #[inline(always)]
    fn tracked(&self) -> bool {
        false
    }
    #[inline(always)]
    fn edges<'a>(&'a self, _dx: &'a [f64]) -> impl Iterator<Item = (T, f64)> + 'a {
        core::iter::empty()
    }
    #[inline(always)]
    fn lone_edges<'a>(&'a self, _dx: &'a [f64]) -> impl Iterator<Item = (T, f64)> + 'a {
        core::iter::empty()
    }
    #[inline(always)]
    fn runs<'a>(&'a self, _dx: &'a [f64]) -> impl Iterator<Item = (&'a [T], &'a [f64])> + 'a {
        core::iter::empty()
    }
    #[inline(always)]
    fn reals(&self) -> Option<&[f64]> {
        F::Kind::scalars::<f64>(self.0)
    }
}

/// The values as real numbers: the observed data themselves when they are real numbers,
/// otherwise converted into `buffer` (of the values' length).
#[inline]
pub(super) fn reals_of<'a, F: Vectorized, T: Scalar, S: Scored<F, T>>(
    scored: &'a S,
    buffer: &'a mut [f64],
) -> &'a [f64] {
    if let Some(reals) = scored.reals() {
        return reals;
    }
    crate::vector_math::dispatch(ToReals::<F::Kind, S::U> {
        values: scored.values(),
        out: &mut *buffer,
    });
    buffer
}

/// Writes values (booleans, counts) as reals, compiled for the vector units: every gradient of
/// a model with such data converts them (the logistic anchor's 5000 booleans took 5% of its
/// gradient as a loop of the baseline instruction set).
struct ToReals<'a, K: ValueKind, U: Scalar> {
    values: &'a [K::Value<U>],
    out: &'a mut [f64],
}

impl<K: ValueKind, U: Scalar> crate::vector_math::Kernel for ToReals<'_, K, U> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        for (o, xi) in self.out.iter_mut().zip(self.values) {
            *o = K::as_real::<U>(xi);
        }
    }
}

/// The `(value, ∂ log p / ∂ value)` edges of a vectorized site's single node: none for an
/// observed site, whose values are constants (all of them, as they come from one `obs =`
/// argument, so the ends are checked instead of every element).
pub(super) fn value_edges<'a, F: Vectorized, T: Scalar>(
    x: &'a [<F::Kind as ValueKind>::Value<T>],
    dx: &'a [f64],
) -> impl Iterator<Item = (T, f64)> + 'a {
    let observed = !values_tracked::<F, T>(x);
    x[..if observed { 0 } else { x.len() }]
        .iter()
        .zip(dx)
        .filter_map(|(xi, &d)| F::Kind::tracked(xi).map(|v| (v, d)))
}

/// Whether the values of a vectorized site carry derivatives: not for an observed site, whose
/// values all come from one `obs =` argument, so the ends are checked instead of every element.
pub(super) fn values_tracked<F: Vectorized, T: Scalar>(
    x: &[<F::Kind as ValueKind>::Value<T>],
) -> bool {
    let tracked = |xi: Option<&<F::Kind as ValueKind>::Value<T>>| {
        xi.and_then(F::Kind::tracked::<T>)
            .is_some_and(|v| !v.is_constant())
    };
    tracked(x.first()) || tracked(x.last())
}

/// Runs `f` with three row-pass buffers of length `n` (values, their partials, the elements'
/// adjoints; contents unspecified: each is written before it is read).
#[inline]
fn with_row_buffers<R>(n: usize, f: impl FnOnce([&mut [f64]; 3]) -> R) -> R {
    let (mut a, mut b, mut c) = (
        Scratch::for_overwrite(n),
        Scratch::for_overwrite(n),
        Scratch::for_overwrite(n),
    );
    f([&mut a, &mut b, &mut c])
}

/// Runs `f` with a zeroed accumulator of length `len`.
#[inline]
pub(super) fn with_accumulator<R>(len: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
    f(&mut Scratch::zeroed(len))
}

/// The log density of elements one of which lies outside its support: `-∞`, even where another
/// sits on a pole of its density (Beta, Gamma or Weibull at 0 with a shape below 1), whose `+∞`
/// would make the sum NaN.
pub(super) fn outside_support<T: Scalar>() -> T {
    T::from_f64(f64::NEG_INFINITY)
}
