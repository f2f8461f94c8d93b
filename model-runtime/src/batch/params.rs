//! The arguments of a vectorized constructor as one tuple: [`Params`] is implemented for
//! tuples of one to three [`Elements`] by a macro, so that every loop over a statement's
//! parameters (their lengths, evaluating them into columns, seeding one `Dual` direction per
//! parameter, folding the partials back through each argument) is unrolled at compile time.

use crate::autodiff::Dual;
use crate::batch::elements::{self, Elements, Linear};
use crate::batch::kernels::{self, Column, GlmSums};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;

/// The arguments of a vectorized constructor: a tuple of one to three [`Elements`].
pub trait Params<T: Scalar> {
    /// The dual number with one direction per parameter plus one for the value.
    type Dual: Scalar;
    /// The number of parameters.
    const ARITY: usize;
    /// The length of each vector argument, in order (`None` for scalars).
    fn lens(&self) -> [Option<usize>; 3];
    /// Checks each argument's own shape.
    fn check(&self) -> Result<(), ModelErrorKind>;
    /// Calls `f` with the parameters of element `i` as plain values.
    fn plain<R>(&self, i: usize, f: impl FnOnce(&[f64]) -> R) -> R;
    /// Calls `f` with the parameters of element `i` as scalars of the model body.
    fn scalars<R>(&self, i: usize, f: impl FnOnce(&[T]) -> R) -> R;
    /// The value seeded as the last dual direction.
    fn seed_value(x: f64) -> Self::Dual;
    /// The total number of input variables of the arguments.
    fn inputs(&self) -> usize;
    /// Evaluates every vector argument into `buffers[k]` (at least `n` values each where
    /// argument `k` is a vector) and returns the arguments as columns (broadcast scalars stay
    /// scalars).
    fn columns<'b>(&self, n: usize, buffers: [&'b mut [f64]; 3]) -> [Column<'b>; 3];
    /// Calls `f` with element `i`'s parameters as dual variables (direction `k` for parameter
    /// `k`).
    fn column_duals<R>(
        columns: &[Column<'_>; 3],
        i: usize,
        f: impl FnOnce(&[Self::Dual]) -> R,
    ) -> R;
    /// The partials of a log density evaluated on [`Params::column_duals`]: parameter `k`'s at
    /// `[k]`, the value's at `[ARITY]`.
    fn partials(lp: Self::Dual) -> [f64; 4];
    /// Folds the per-element partials `grads` into one accumulator entry per input variable
    /// (a broadcast argument receives their sum).
    fn backprop_columns(&self, grads: [&[f64]; 3], acc: &mut [f64]);
    /// The first argument as a linear predictor and the others' values, when the first is
    /// `X β + offset` and the others are broadcast scalars.
    fn glm_args(&self) -> Option<(Linear<'_>, [f64; 2])>;
    /// Folds a fused GLM kernel's partials into the accumulator.
    fn backprop_glm(&self, d_beta: &[f64], sums: &GlmSums, acc: &mut [f64]);
    /// One `(input, partial)` pair per input variable.
    fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's;
    /// [`edges`](Params::edges) less the inputs of [`runs`](Params::runs) (see
    /// [`Elements::lone_edges`]).
    fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's;
    /// The arguments' runs of inputs (see [`Elements::runs`]).
    fn runs<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's;
    /// The arguments after the first, when each is a broadcast scalar or data (see
    /// [`Elements::data`]) and the first is not better evaluated whole (see
    /// [`Elements::prefers_columns`]): what the row pass needs.
    fn row_pass_rest(&self) -> Option<[kernels::RowArg<'_>; 2]>;
    /// The row pass of `lane` over the first argument and the values `x` (see
    /// [`RowLane`](kernels::RowLane)): returns the sum of the log densities and adds every
    /// input's partial derivative to `acc`; writes `∂/∂ x_i` to `dx` unless it is empty, and
    /// uses `adjoints` (one per element) as scratch. `None` when an element is invalid.
    fn row_pass(
        &self,
        lane: kernels::RowLane<'_>,
        x: &[f64],
        dx: &mut [f64],
        adjoints: &mut [f64],
        acc: &mut [f64],
    ) -> Option<f64>;
}

macro_rules! params_tuple {
    ($n:literal; $($name:ident $index:tt),+) => {
        impl<T: Scalar, $($name: Elements<T>),+> Params<T> for ($($name,)+) {
            type Dual = Dual<{ $n + 1 }>;
            const ARITY: usize = $n;
            #[inline]
            fn lens(&self) -> [Option<usize>; 3] {
                let mut lens = [None; 3];
                $(lens[$index] = self.$index.length();)+
                lens
            }
            fn check(&self) -> Result<(), ModelErrorKind> {
                $(self.$index.check()?;)+
                Ok(())
            }
            #[inline(always)]
            fn plain<R>(&self, i: usize, f: impl FnOnce(&[f64]) -> R) -> R {
                f(&[$(self.$index.value(i)),+])
            }
            #[inline(always)]
            fn scalars<R>(&self, i: usize, f: impl FnOnce(&[T]) -> R) -> R {
                f(&[$(self.$index.get(i)),+])
            }
            #[inline(always)]
            fn seed_value(x: f64) -> Self::Dual {
                Dual::variable(x, $n)
            }
            #[inline(always)]
            fn inputs(&self) -> usize {
                0 $(+ self.$index.inputs())+
            }
            fn columns<'b>(&self, n: usize, buffers: [&'b mut [f64]; 3]) -> [Column<'b>; 3] {
                let mut buffers = buffers.into_iter();
                let mut columns = [Column::Scalar(0.0); 3];
                $(
                    let buffer = buffers.next().expect("three buffers");
                    columns[$index] = if self.$index.length().is_some() {
                        let buffer = &mut buffer[..n];
                        self.$index.fill(buffer);
                        Column::Vector(buffer)
                    } else {
                        Column::Scalar(self.$index.value(0))
                    };
                )+
                columns
            }
            #[inline(always)]
            fn column_duals<R>(
                columns: &[Column<'_>; 3],
                i: usize,
                f: impl FnOnce(&[Self::Dual]) -> R,
            ) -> R {
                f(&[$(Dual::variable(columns[$index].get(i), $index)),+])
            }
            #[inline(always)]
            fn partials(lp: Self::Dual) -> [f64; 4] {
                let mut out = [0.0; 4];
                out[..=$n].copy_from_slice(&lp.tangent());
                out
            }
            fn backprop_columns(&self, grads: [&[f64]; 3], acc: &mut [f64]) {
                let mut rest = acc;
                $(
                    let (mine, others) = rest.split_at_mut(self.$index.inputs());
                    elements::backprop_vector(&self.$index, grads[$index], mine);
                    rest = others;
                )+
                let _ = rest;
            }
            fn glm_args(&self) -> Option<(Linear<'_>, [f64; 2])> {
                let linear = self.0.linear()?;
                let mut others = [0.0; 2];
                $(
                    if $index > 0 {
                        if self.$index.length().is_some() {
                            return None;
                        }
                        others[($index as usize).saturating_sub(1)] = self.$index.value(0);
                    }
                )+
                Some((linear, others))
            }
            fn backprop_glm(&self, d_beta: &[f64], sums: &GlmSums, acc: &mut [f64]) {
                let mut rest = acc;
                $(
                    let (mine, others) = rest.split_at_mut(self.$index.inputs());
                    if $index == 0 {
                        self.$index.backprop_linear(d_beta, sums.d_offset, mine);
                    } else if !mine.is_empty() {
                        let d = sums.d_rest[($index as usize).saturating_sub(1)];
                        self.$index.backprop(0, d, mine);
                    }
                    rest = others;
                )+
                let _ = rest;
            }
            fn row_pass_rest(&self) -> Option<[kernels::RowArg<'_>; 2]> {
                if self.0.prefers_columns() {
                    return None;
                }
                let mut rest = [kernels::RowArg::Scalar(0.0); 2];
                $(
                    if $index > 0 {
                        rest[($index as usize).saturating_sub(1)] =
                            if self.$index.length().is_none() {
                                kernels::RowArg::Scalar(self.$index.value(0))
                            } else {
                                kernels::RowArg::Data(self.$index.data()?)
                            };
                    }
                )+
                Some(rest)
            }
            fn row_pass(
                &self,
                lane: kernels::RowLane,
                x: &[f64],
                dx: &mut [f64],
                adjoints: &mut [f64],
                acc: &mut [f64],
            ) -> Option<f64> {
                let (first, mut rest) = acc.split_at_mut(self.0.inputs());
                let sums = kernels::rows::<T, _>(lane, &self.0, x, dx, adjoints, first)?;
                $(
                    if $index > 0 {
                        let (mine, others) = rest.split_at_mut(self.$index.inputs());
                        if !mine.is_empty() && $index == 1 {
                            self.$index.backprop(0, sums.d_param, mine);
                        }
                        rest = others;
                    }
                )+
                let _ = &mut rest;
                Some(sums.total)
            }
            fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
                let mut rest = acc;
                let iter = core::iter::empty();
                $(
                    let (mine, others) = rest.split_at(self.$index.inputs());
                    let iter = iter.chain(self.$index.edges(mine));
                    rest = others;
                )+
                let _ = rest;
                iter
            }
            #[inline(always)]
            fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
                let mut rest = acc;
                let iter = core::iter::empty();
                $(
                    let (mine, others) = rest.split_at(self.$index.inputs());
                    let iter = iter.chain(self.$index.lone_edges(mine));
                    rest = others;
                )+
                let _ = rest;
                iter
            }
            #[inline(always)]
            fn runs<'s>(
                &'s self,
                acc: &'s [f64],
            ) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
                let mut rest = acc;
                let iter = core::iter::empty();
                $(
                    let (mine, others) = rest.split_at(self.$index.inputs());
                    let iter = iter.chain(self.$index.runs(mine));
                    rest = others;
                )+
                let _ = rest;
                iter
            }
        }
    };
}
params_tuple!(1; A 0);
params_tuple!(2; A 0, B 1);
params_tuple!(3; A 0, B 1, C 2);
