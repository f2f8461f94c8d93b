//! The arguments of vectorized sites: scalars broadcast to every element, slices of data or of
//! site values, and lazy linear expressions (`X β + α`, `θ[group]`) whose elements are computed
//! when the log density needs them, so that no vector is allocated and the whole statement stays
//! one autodiff node.
//!
//! This module holds the [`Elements`] trait every argument implements, the [`Operand`] entries
//! of slices and the helpers the arguments share; each kind of argument has its own submodule:
//! broadcast scalars, slices and [`vector`], the matrix-vector product, the gather, and the
//! elementwise arithmetic between them.

mod binary;
mod broadcast;
mod gather;
mod matvec;
mod slices;

use crate::autodiff::Var;
use crate::error::ModelErrorKind;
use crate::linalg::Matrix;
use crate::scalar::{IntoParam, Scalar};
use crate::value::PooledVec;
use crate::vector_math::Scratch;

pub use binary::{Binary, BinaryOp, Difference, Minus, Plus, Product, Sum, Times};
pub use gather::{Gather, Gathered, gather};
pub use matvec::MatVec;
pub use slices::{Vector, vector};

/// A vector argument of a [`Batch`](super::Batch) distribution, seen element by element.
///
/// The derivative bookkeeping follows Stan's "operands and partials": the vectorized density
/// computes `∂ log p / ∂ element_i` for every element (`backprop` folds these into one
/// accumulator per input variable), then `edges` yields one `(input, partial)` pair per input for
/// the statement's single tape node.
///
/// # Example
///
/// ```
/// use model_runtime::batch::Elements;
///
/// let x = [1.0, 2.0, 3.0];
/// let arg: &[f64] = &x;
/// assert_eq!(Elements::<f64>::length(&arg), Some(3));
/// assert_eq!(Elements::<f64>::value(&arg, 1), 2.0);
/// // A scalar is broadcast to every element.
/// assert_eq!(Elements::<f64>::length(&0.5), None);
/// ```
pub trait Elements<T: Scalar> {
    /// The number of elements, or `None` for a scalar broadcast to every element.
    fn length(&self) -> Option<usize>;
    /// The plain value of element `i`.
    fn value(&self, i: usize) -> f64;
    /// Element `i` as a scalar of the model body (with its derivative, for autodiff scalars).
    fn get(&self, i: usize) -> T;
    /// How many input variables the argument depends on (the accumulator length it needs).
    fn inputs(&self) -> usize;
    /// Adds `adjoint · ∂ element_i / ∂ input_k` to `acc[k]` for every input.
    fn backprop(&self, i: usize, adjoint: f64, acc: &mut [f64]);
    /// The accumulated partial derivative of each input, paired with the input.
    fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's;
    /// [`edges`](Elements::edges) less the inputs that [`runs`](Elements::runs) gives: the
    /// two together name every input once.
    #[inline(always)]
    fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        self.edges(acc)
    }
    /// Inputs that are a slice of the body's scalars (a vector site's values), with their
    /// accumulated partials, for [`Scalar::from_parts_and_runs`].
    #[inline(always)]
    fn runs<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
        let _ = acc;
        core::iter::empty()
    }
    /// Checks the argument's own shape (a product's inner dimension, a gather's indices) before
    /// any element is read.
    fn check(&self) -> Result<(), ModelErrorKind> {
        Ok(())
    }
    /// Writes the plain value of every element into `out` (one entry per element; called only
    /// on arguments with a length, after [`Elements::check`]).
    fn fill(&self, out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.value(i);
        }
    }
    /// The plain values of every element in place, when the argument is data held as `f64`
    /// (no input variables, nothing to compute): what a row pass reads for the arguments
    /// after the first.
    #[inline(always)]
    fn data(&self) -> Option<&[f64]> {
        None
    }
    /// The argument as a linear predictor `X β + offset`, when it has that form (for the fused
    /// GLM kernels of [`kernels`](super::kernels)).
    fn linear(&self) -> Option<Linear<'_>> {
        None
    }
    /// The backward pass of an argument that [`Elements::linear`] described, given
    /// `∂/∂β` and `∂/∂offset`.
    fn backprop_linear(&self, d_beta: &[f64], d_offset: f64, acc: &mut [f64]) {
        let _ = (d_beta, d_offset, acc);
    }
    /// Adds `Σ_i adjoints[i] · ∂ element_i / ∂ input_k` to `acc[k]` for every input: the
    /// whole backward pass of the argument at once (for `X β`, one product `Xᵀ · adjoints`).
    fn backprop_slice(&self, adjoints: &[f64], acc: &mut [f64]) {
        for (i, &a) in adjoints.iter().enumerate() {
            if a != 0.0 {
                self.backprop(i, a, acc);
            }
        }
    }
    /// The partial sums a row pass keeps in registers for the argument's broadcast inputs:
    /// one per lane of a block of `ROW_LANES` (8) elements for a broadcast variable (so that the
    /// sums of consecutive elements do not wait on each other), nothing for arguments whose
    /// inputs have one value per element.
    type Local: Copy + Default;
    /// Whether some input has one value per element (a tracked slice, a gather of variables):
    /// their partials are added by [`Elements::backprop_element`] in a second pass.
    fn has_element_inputs(&self) -> bool;
    /// Whether the argument is cheaper evaluated whole, into a column, than row by row: a
    /// matrix product, whose packed panels compute `X β` and `Xᵀ adjoints` in a few passes
    /// where a row pass would take one scalar dot product and one scalar update per row
    /// (the hierarchical anchor with `b x` as a product: 7.8 → 13.2 µs per gradient).
    #[inline(always)]
    fn prefers_columns(&self) -> bool {
        false
    }
    /// The plain values of elements `base..base + ROW_LANES` (all within the length), for the
    /// row pass of [`kernels`](super::kernels).
    #[inline(always)]
    fn block(&self, base: usize) -> [f64; ROW_LANES] {
        let mut out = [0.0; ROW_LANES];
        for (k, o) in out.iter_mut().enumerate() {
            *o = self.value(base + k);
        }
        out
    }
    /// The broadcast inputs' share of element `i`'s backward step in a row pass: adds
    /// `adjoint · ∂ element_i / ∂ input` to the input's partial sum at `lane` of `local`.
    fn backprop_lane(&self, i: usize, lane: usize, adjoint: f64, local: &mut Self::Local);
    /// [`Elements::backprop_lane`] for the block of elements `base..base + ROW_LANES`, element
    /// `base + k` at lane `k`.
    #[inline(always)]
    fn backprop_block(&self, base: usize, adjoints: &[f64; ROW_LANES], local: &mut Self::Local) {
        for (k, &a) in adjoints.iter().enumerate() {
            self.backprop_lane(base + k, k, a, local);
        }
    }
    /// The share of element `i`'s backward step of the inputs with one value per element: adds
    /// `adjoint · ∂ element_i / ∂ input_k` to `acc[offset + k]`.
    fn backprop_element(&self, i: usize, adjoint: f64, acc: &mut [f64], offset: usize);
    /// [`Elements::backprop_element`] for every element, element `i` with `adjoints[i]`: what
    /// a row pass does after its loop. Arguments that can take the adjoints at once (a sum
    /// passing them to its one operand with per-element inputs, a gathered expression summing
    /// them per group) do so.
    #[inline(always)]
    fn backprop_elements(&self, adjoints: &[f64], acc: &mut [f64], offset: usize) {
        for (i, &a) in adjoints.iter().enumerate() {
            self.backprop_element(i, a, acc, offset);
        }
    }
    /// Adds the partial sums a row pass kept in `local` to `acc[offset..]`.
    fn finish_rows(&self, local: &Self::Local, acc: &mut [f64], offset: usize);
}

/// A linear predictor `X β + offset` with plain values, as the fused GLM kernels of
/// [`kernels`](super::kernels) read it (see [`Elements::linear`]).
pub struct Linear<'a> {
    /// The data matrix.
    pub matrix: &'a Matrix,
    /// The coefficients' values.
    pub beta: Scratch,
    /// The value added to every row.
    pub offset: f64,
}

/// The number of independent partial sums a row pass keeps per broadcast input: enough that
/// the additions of consecutive rows overlap instead of waiting on one another.
pub const ROW_LANES: usize = 8;

/// An entry of a slice argument: a data value (`f64`, constant for every scalar type) or an
/// autodiff variable (`Var`, whose derivatives are tracked).
pub trait Operand<T: Scalar>: Copy {
    /// Whether the entry carries a derivative.
    const TRACKED: bool;
    /// Its plain value.
    fn plain(self) -> f64;
    /// The entry as a scalar of the model body.
    fn scalar(self) -> T;
    /// The entries' plain values without a copy, when the entries are plain values.
    fn plain_slice(values: &[Self]) -> Option<&[f64]> {
        let _ = values;
        None
    }
    /// The entries as the body's scalars without a copy, when they are tracked variables.
    #[inline(always)]
    fn scalars(values: &[Self]) -> Option<&[T]> {
        let _ = values;
        None
    }
}

/// The inputs of a slice argument: one run when its entries are tracked variables, otherwise
/// one edge per entry (none for data, whose entries are constants).
#[inline(always)]
fn slice_lone_edges<'s, T: Scalar, V: Operand<T>>(
    values: &'s [V],
    acc: &'s [f64],
) -> impl Iterator<Item = (T, f64)> + 's {
    let lone = if V::scalars(values).is_some() {
        0
    } else {
        values.len()
    };
    values[..lone]
        .iter()
        .zip(acc)
        .map(|(v, &d)| (v.scalar(), d))
}

/// See [`slice_lone_edges`].
#[inline(always)]
fn slice_runs<'s, T: Scalar, V: Operand<T>>(
    values: &'s [V],
    acc: &'s [f64],
) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
    V::scalars(values).map(|s| (s, &acc[..s.len()])).into_iter()
}

impl<T: Scalar> Operand<T> for f64 {
    const TRACKED: bool = false;
    #[inline(always)]
    fn plain(self) -> f64 {
        self
    }
    #[inline(always)]
    fn scalar(self) -> T {
        T::from_f64(self)
    }
    #[inline(always)]
    fn plain_slice(values: &[f64]) -> Option<&[f64]> {
        Some(values)
    }
}

impl<T: Scalar> Operand<T> for u64 {
    const TRACKED: bool = false;
    #[inline(always)]
    fn plain(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn scalar(self) -> T {
        T::from_f64(self as f64)
    }
}

impl Operand<Var> for Var {
    const TRACKED: bool = true;
    #[inline(always)]
    fn scalars(values: &[Var]) -> Option<&[Var]> {
        Some(values)
    }
    #[inline(always)]
    fn plain(self) -> f64 {
        self.value()
    }
    #[inline(always)]
    fn scalar(self) -> Var {
        self
    }
}

/// A zeroed scratch buffer of `n` values from the thread's arena.
#[inline(always)]
pub(super) fn scratch(n: usize) -> Scratch {
    Scratch::zeroed(n)
}

/// The plain values of a slice of operands, borrowed when they are already `f64`.
fn with_plain<T: Scalar, V: Operand<T>, R>(values: &[V], f: impl FnOnce(&[f64]) -> R) -> R {
    match V::plain_slice(values) {
        Some(plain) => f(plain),
        None => {
            let mut plain = scratch(values.len());
            for (p, v) in plain.iter_mut().zip(values) {
                *p = v.plain();
            }
            f(&plain)
        }
    }
}

/// Every element's value, also for an argument broadcast from one scalar.
pub(super) fn fill_or_broadcast<T: Scalar, E: Elements<T> + ?Sized>(e: &E, out: &mut [f64]) {
    if e.length().is_some() {
        e.fill(out);
    } else {
        out.fill(e.value(0));
    }
}

/// The backward pass of an argument given one adjoint per element; a broadcast scalar receives
/// their sum.
pub(super) fn backprop_vector<T: Scalar, E: Elements<T> + ?Sized>(
    e: &E,
    adjoints: &[f64],
    acc: &mut [f64],
) {
    if e.inputs() == 0 {
        return;
    }
    if e.length().is_some() {
        e.backprop_slice(adjoints, acc);
    } else {
        e.backprop(0, crate::vector_math::sum(adjoints), acc);
    }
}

/// Vector arguments pass through a `#[model]` body's parameter conversion unchanged (the macro
/// converts every distribution argument with [`IntoParam`]).
macro_rules! pass_through_param {
    ($([$($generics:tt)*] $ty:ty),*) => {$(
        impl<$($generics)* T: Scalar> IntoParam<T> for $ty {
            type Param = Self;
            #[inline(always)]
            fn into_param(self) -> Self {
                self
            }
        }
    )*};
}
pass_through_param!(
    ['a, V,] &'a [V],
    ['a, V,] &'a Vec<V>,
    ['a, V: 'static,] &'a PooledVec<V>,
    ['a, V, const N: usize,] &'a [V; N],
    ['a, V,] Vector<'a, V>,
    ['a, V,] MatVec<'a, V>,
    ['a, V,] Gather<'a, V>,
    ['a, E,] Gathered<'a, E>,
    [O, A, B,] Binary<O, A, B>
);
