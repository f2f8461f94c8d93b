//! The arguments of vectorized sites: scalars broadcast to every element, slices of data or of
//! site values, and lazy linear expressions (`X β + α`, `θ[group]`) whose elements are computed
//! when the log density needs them, so that no vector is allocated and the whole statement stays
//! one autodiff node.

use core::ops::{Add, Mul, Sub};

use crate::autodiff::Var;
use crate::error::ModelErrorKind;
use crate::linalg::Matrix;
use crate::scalar::{IntoParam, Scalar};
use crate::value::Values;
use crate::vector_math::Scratch;

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
    fn plain(self) -> f64 {
        self.value()
    }
    #[inline(always)]
    fn scalar(self) -> Var {
        self
    }
}

/// A scalar argument, the same for every element.
macro_rules! broadcast {
    ($(impl[$($generics:tt)*] Elements<$t:ty> for $ty:ty;)*) => {$(
        impl<$($generics)*> Elements<$t> for $ty {
            #[inline(always)]
            fn length(&self) -> Option<usize> {
                None
            }
            #[inline(always)]
            fn value(&self, _i: usize) -> f64 {
                Operand::<$t>::plain(*self)
            }
            #[inline(always)]
            fn get(&self, _i: usize) -> $t {
                Operand::<$t>::scalar(*self)
            }
            #[inline(always)]
            fn inputs(&self) -> usize {
                usize::from(<$ty as Operand<$t>>::TRACKED)
            }
            #[inline(always)]
            fn backprop(&self, _i: usize, adjoint: f64, acc: &mut [f64]) {
                if <$ty as Operand<$t>>::TRACKED {
                    acc[0] += adjoint;
                }
            }
            fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = ($t, f64)> + 's {
                acc.iter().map(|&d| (Operand::<$t>::scalar(*self), d))
            }
            type Local = [f64; ROW_LANES];
            #[inline(always)]
            fn has_element_inputs(&self) -> bool {
                false
            }
            #[inline(always)]
            fn block(&self, _base: usize) -> [f64; ROW_LANES] {
                [Operand::<$t>::plain(*self); ROW_LANES]
            }
            #[inline(always)]
            fn backprop_lane(
                &self,
                _i: usize,
                lane: usize,
                adjoint: f64,
                local: &mut [f64; ROW_LANES],
            ) {
                if <$ty as Operand<$t>>::TRACKED {
                    local[lane] += adjoint;
                }
            }
            #[inline(always)]
            fn backprop_block(
                &self,
                _base: usize,
                adjoints: &[f64; ROW_LANES],
                local: &mut [f64; ROW_LANES],
            ) {
                if <$ty as Operand<$t>>::TRACKED {
                    for (l, a) in local.iter_mut().zip(adjoints) {
                        *l += a;
                    }
                }
            }
            #[inline(always)]
            fn backprop_element(&self, _i: usize, _adjoint: f64, _acc: &mut [f64], _offset: usize) {}
            #[inline(always)]
            fn finish_rows(&self, local: &[f64; ROW_LANES], acc: &mut [f64], offset: usize) {
                if <$ty as Operand<$t>>::TRACKED {
                    acc[offset] += crate::vector_math::sum(local);
                }
            }
        }
    )*};
}
broadcast! {
    impl[T: Scalar] Elements<T> for f64;
    impl[T: Scalar] Elements<T> for u64;
    impl[] Elements<Var> for Var;
}

/// Slices (of data or of site values): one element each.
macro_rules! slice_elements {
    ($([$($generics:tt)*] $ty:ty),*) => {$(
        impl<$($generics)* T: Scalar, V: Operand<T>> Elements<T> for $ty {
            #[inline(always)]
            fn length(&self) -> Option<usize> {
                Some(self[..].len())
            }
            #[inline(always)]
            fn value(&self, i: usize) -> f64 {
                self[i].plain()
            }
            #[inline(always)]
            fn get(&self, i: usize) -> T {
                self[i].scalar()
            }
            #[inline(always)]
            fn inputs(&self) -> usize {
                if V::TRACKED { self[..].len() } else { 0 }
            }
            #[inline(always)]
            fn backprop(&self, i: usize, adjoint: f64, acc: &mut [f64]) {
                if V::TRACKED {
                    acc[i] += adjoint;
                }
            }
            fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
                self.iter().zip(acc).map(|(v, &d)| (v.scalar(), d))
            }
            #[inline]
            fn fill(&self, out: &mut [f64]) {
                for (o, v) in out.iter_mut().zip(self.iter()) {
                    *o = v.plain();
                }
            }
            #[inline]
            fn backprop_slice(&self, adjoints: &[f64], acc: &mut [f64]) {
                if V::TRACKED {
                    for (a, d) in acc.iter_mut().zip(adjoints) {
                        *a += d;
                    }
                }
            }
            type Local = ();
            #[inline(always)]
            fn has_element_inputs(&self) -> bool {
                V::TRACKED
            }
            #[inline(always)]
            fn block(&self, base: usize) -> [f64; ROW_LANES] {
                let values: &[V; ROW_LANES] = self[base..base + ROW_LANES]
                    .try_into()
                    .expect("a block has ROW_LANES elements");
                let mut out = [0.0; ROW_LANES];
                for (o, v) in out.iter_mut().zip(values) {
                    *o = v.plain();
                }
                out
            }
            #[inline(always)]
            fn backprop_lane(&self, _i: usize, _lane: usize, _adjoint: f64, _local: &mut ()) {}
            #[inline(always)]
            fn backprop_element(&self, i: usize, adjoint: f64, acc: &mut [f64], offset: usize) {
                if V::TRACKED {
                    acc[offset + i] += adjoint;
                }
            }
            #[inline(always)]
            fn finish_rows(&self, _local: &(), _acc: &mut [f64], _offset: usize) {}
        }
    )*};
}
slice_elements!(
    ['a,] &'a [V],
    ['a,] &'a Vec<V>,
    [] Vec<V>,
    ['a, const N: usize,] &'a [V; N],
    ['a,] &'a Values<V>
);

/// The lazy matrix-vector product `X β` of a data matrix and a vector (of data or of site values).
///
/// Made by [`Matrix::matvec`]; each element is a row's dot product, computed when needed, and
/// the derivative with respect to `β` accumulates `Xᵀ · adjoints` as the rows are visited, which
/// is exactly the hand-written gradient of a generalized linear model.
///
/// # Example
///
/// ```
/// use model_runtime::batch::Elements;
/// use model_runtime::linalg::Matrix;
///
/// let x = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
/// let beta = [0.5, -1.0];
/// let xb = x.matvec(&beta);
/// assert_eq!(Elements::<f64>::value(&xb, 1), 3.0 * 0.5 - 4.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MatVec<'a, V> {
    matrix: &'a Matrix,
    vector: &'a [V],
}

impl<'a, V> MatVec<'a, V> {
    pub(crate) fn new(matrix: &'a Matrix, vector: &'a [V]) -> Self {
        MatVec { matrix, vector }
    }

    /// The entries of `X β` as scalars, one autodiff node each (for use outside a vectorized
    /// site, where there is no single node to join).
    pub fn elements<T: Scalar>(&self) -> impl Iterator<Item = T> + '_
    where
        V: Operand<T>,
    {
        (0..self.matrix.rows()).map(|i| Elements::<T>::get(self, i))
    }
}

impl<T: Scalar, V: Operand<T>> Elements<T> for MatVec<'_, V> {
    #[inline]
    fn length(&self) -> Option<usize> {
        Some(self.matrix.rows())
    }
    #[inline]
    fn value(&self, i: usize) -> f64 {
        let row = self.matrix.row(i);
        let mut total = 0.0;
        for (x, b) in row.iter().zip(self.vector) {
            total += x * b.plain();
        }
        total
    }
    fn get(&self, i: usize) -> T {
        let row = self.matrix.row(i);
        T::from_parts(
            Elements::<T>::value(self, i),
            row.iter().zip(self.vector).map(|(&x, b)| (b.scalar(), x)),
        )
    }
    #[inline]
    fn inputs(&self) -> usize {
        if V::TRACKED { self.vector.len() } else { 0 }
    }
    #[inline]
    fn backprop(&self, i: usize, adjoint: f64, acc: &mut [f64]) {
        if V::TRACKED {
            for (a, x) in acc.iter_mut().zip(self.matrix.row(i)) {
                *a += adjoint * x;
            }
        }
    }
    fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        self.vector.iter().zip(acc).map(|(v, &d)| (v.scalar(), d))
    }
    fn fill(&self, out: &mut [f64]) {
        with_plain(self.vector, |beta| {
            // Shapes were checked by `check`.
            let _ = self.matrix.matvec_into(beta, out);
        });
    }
    fn backprop_slice(&self, adjoints: &[f64], acc: &mut [f64]) {
        if V::TRACKED {
            let _ = self.matrix.transpose_matvec_add(adjoints, acc);
        }
    }
    fn linear(&self) -> Option<Linear<'_>> {
        Some(Linear {
            matrix: self.matrix,
            beta: {
                let mut beta = scratch(self.vector.len());
                for (b, v) in beta.iter_mut().zip(self.vector) {
                    *b = v.plain();
                }
                beta
            },
            offset: 0.0,
        })
    }
    fn backprop_linear(&self, d_beta: &[f64], _d_offset: f64, acc: &mut [f64]) {
        if V::TRACKED {
            for (a, d) in acc.iter_mut().zip(d_beta) {
                *a += d;
            }
        }
    }
    type Local = ();
    #[inline(always)]
    fn has_element_inputs(&self) -> bool {
        V::TRACKED
    }
    #[inline(always)]
    fn prefers_columns(&self) -> bool {
        true
    }
    #[inline(always)]
    fn backprop_lane(&self, _i: usize, _lane: usize, _adjoint: f64, _local: &mut ()) {}
    #[inline(always)]
    fn backprop_element(&self, i: usize, adjoint: f64, acc: &mut [f64], offset: usize) {
        if V::TRACKED {
            for (a, x) in acc[offset..].iter_mut().zip(self.matrix.row(i)) {
                *a += adjoint * x;
            }
        }
    }
    #[inline(always)]
    fn finish_rows(&self, _local: &(), _acc: &mut [f64], _offset: usize) {}
    fn check(&self) -> Result<(), ModelErrorKind> {
        if self.vector.len() == self.matrix.cols() {
            Ok(())
        } else {
            Err(ModelErrorKind::LengthMismatch {
                argument: "the vector of a matrix-vector product",
                expected: self.matrix.cols(),
                found: self.vector.len(),
            })
        }
    }
}

/// The lazy gather `values[index[i]]`: a group-level vector indexed by each observation's group.
///
/// Made by [`gather`]; indices are checked when the site is evaluated.
#[derive(Clone, Copy, Debug)]
pub struct Gather<'a, V> {
    values: &'a [V],
    index: &'a [usize],
}

/// The vector `values[index[0]], values[index[1]], …` as a lazy argument of a vectorized site
/// (for hierarchical models: each observation's group effect).
///
/// # Example
///
/// ```
/// use model_runtime::batch::{Elements, gather};
///
/// let theta = [10.0, 20.0];
/// let group = [1, 0, 1];
/// let g = gather(&theta, &group);
/// assert_eq!(Elements::<f64>::value(&g, 2), 20.0);
/// ```
pub fn gather<'a, V>(values: &'a [V], index: &'a [usize]) -> Gather<'a, V> {
    Gather { values, index }
}

impl<T: Scalar, V: Operand<T>> Elements<T> for Gather<'_, V> {
    #[inline]
    fn length(&self) -> Option<usize> {
        Some(self.index.len())
    }
    #[inline]
    fn value(&self, i: usize) -> f64 {
        self.values[self.index[i]].plain()
    }
    #[inline]
    fn get(&self, i: usize) -> T {
        self.values[self.index[i]].scalar()
    }
    #[inline]
    fn inputs(&self) -> usize {
        if V::TRACKED { self.values.len() } else { 0 }
    }
    #[inline]
    fn backprop(&self, i: usize, adjoint: f64, acc: &mut [f64]) {
        if V::TRACKED {
            acc[self.index[i]] += adjoint;
        }
    }
    fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        self.values.iter().zip(acc).map(|(v, &d)| (v.scalar(), d))
    }
    fn fill(&self, out: &mut [f64]) {
        with_plain(self.values, |values| {
            for (o, &g) in out.iter_mut().zip(self.index) {
                *o = values[g];
            }
        });
    }
    fn backprop_slice(&self, adjoints: &[f64], acc: &mut [f64]) {
        if V::TRACKED {
            for (&g, &a) in self.index.iter().zip(adjoints) {
                acc[g] += a;
            }
        }
    }
    type Local = ();
    #[inline(always)]
    fn has_element_inputs(&self) -> bool {
        V::TRACKED
    }
    /// The indices were checked before any element is read; clamping them to the last value
    /// instead of checking each one keeps the block's loads free of branches.
    #[inline(always)]
    fn block(&self, base: usize) -> [f64; ROW_LANES] {
        let index: &[usize; ROW_LANES] = self.index[base..base + ROW_LANES]
            .try_into()
            .expect("a block has ROW_LANES elements");
        let Some(last) = self.values.len().checked_sub(1) else {
            return [f64::NAN; ROW_LANES];
        };
        let mut out = [0.0; ROW_LANES];
        for (o, &g) in out.iter_mut().zip(index) {
            *o = self.values[g.min(last)].plain();
        }
        out
    }
    #[inline(always)]
    fn backprop_lane(&self, _i: usize, _lane: usize, _adjoint: f64, _local: &mut ()) {}
    #[inline(always)]
    fn backprop_element(&self, i: usize, adjoint: f64, acc: &mut [f64], offset: usize) {
        if V::TRACKED {
            acc[offset + self.index[i]] += adjoint;
        }
    }
    #[inline(always)]
    fn finish_rows(&self, _local: &(), _acc: &mut [f64], _offset: usize) {}
    fn check(&self) -> Result<(), ModelErrorKind> {
        let n = self.values.len();
        match self.index.iter().find(|&&g| g >= n) {
            None => Ok(()),
            Some(&g) => Err(ModelErrorKind::IndexOutOfRange { index: g, len: n }),
        }
    }
}

/// A zeroed scratch buffer of `n` values from the thread's stack.
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

/// A slice (of data or of site values) as a lazy vector, so that scalar-vector arithmetic
/// reads as the formula: `beta0 + beta1 * vector(height)`. Made by [`vector`].
#[derive(Clone, Copy, Debug)]
pub struct Vector<'a, V> {
    values: &'a [V],
}

/// A slice as a lazy vector argument of a vectorized site, for elementwise arithmetic with
/// scalars and other lazy vectors (`+`, `-`, `*`); no vector is allocated and the statement
/// stays one autodiff node.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn earnings(height: &[f64], y: &[f64]) {
///     let beta0 = sample!("beta0", Normal::new(0.0, 10.0));
///     let beta1 = sample!("beta1", Normal::new(0.0, 10.0));
///     let sigma = sample!("sigma", HalfNormal::new(1.0));
///     sample!("y", batch::Normal::new(beta0 + beta1 * vector(height), sigma), obs = y);
/// }
///
/// fn main() {
///     let model = earnings(&[1.6, 1.8], &[3.0, 3.4]);
///     assert_eq!(model.unconstrained_dim().unwrap(), 3);
/// }
/// ```
pub fn vector<V>(values: &[V]) -> Vector<'_, V> {
    Vector { values }
}

impl<T: Scalar, V: Operand<T>> Elements<T> for Vector<'_, V> {
    #[inline(always)]
    fn length(&self) -> Option<usize> {
        Elements::<T>::length(&self.values)
    }
    #[inline(always)]
    fn value(&self, i: usize) -> f64 {
        Elements::<T>::value(&self.values, i)
    }
    #[inline(always)]
    fn get(&self, i: usize) -> T {
        Elements::<T>::get(&self.values, i)
    }
    #[inline(always)]
    fn inputs(&self) -> usize {
        Elements::<T>::inputs(&self.values)
    }
    #[inline(always)]
    fn backprop(&self, i: usize, adjoint: f64, acc: &mut [f64]) {
        Elements::<T>::backprop(&self.values, i, adjoint, acc)
    }
    fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        Elements::<T>::edges(&self.values, acc)
    }
    fn fill(&self, out: &mut [f64]) {
        Elements::<T>::fill(&self.values, out)
    }
    fn backprop_slice(&self, adjoints: &[f64], acc: &mut [f64]) {
        Elements::<T>::backprop_slice(&self.values, adjoints, acc)
    }
    type Local = ();
    #[inline(always)]
    fn has_element_inputs(&self) -> bool {
        Elements::<T>::has_element_inputs(&self.values)
    }
    #[inline(always)]
    fn prefers_columns(&self) -> bool {
        Elements::<T>::prefers_columns(&self.values)
    }
    #[inline(always)]
    fn block(&self, base: usize) -> [f64; ROW_LANES] {
        Elements::<T>::block(&self.values, base)
    }
    #[inline(always)]
    fn backprop_lane(&self, _i: usize, _lane: usize, _adjoint: f64, _local: &mut ()) {}
    #[inline(always)]
    fn backprop_element(&self, i: usize, adjoint: f64, acc: &mut [f64], offset: usize) {
        Elements::<T>::backprop_element(&self.values, i, adjoint, acc, offset)
    }
    #[inline(always)]
    fn finish_rows(&self, _local: &(), _acc: &mut [f64], _offset: usize) {}
}

/// The lazy elementwise operation `a ∘ b` of two arguments, for an operator `O` ([`Sum`],
/// [`Difference`], [`Product`]); built by `+`, `-` and `*` on the lazy expression types.
#[derive(Clone, Copy, Debug)]
pub struct Binary<O, A, B> {
    a: A,
    b: B,
    _op: core::marker::PhantomData<O>,
}

impl<O, A, B> Binary<O, A, B> {
    fn new(a: A, b: B) -> Self {
        Binary {
            a,
            b,
            _op: core::marker::PhantomData,
        }
    }
}

/// The lazy elementwise sum `a + b`.
pub type Plus<A, B> = Binary<Sum, A, B>;
/// The lazy elementwise difference `a - b`.
pub type Minus<A, B> = Binary<Difference, A, B>;
/// The lazy elementwise product `a * b` (a scalar times a vector, or two vectors).
pub type Times<A, B> = Binary<Product, A, B>;

/// An elementwise operator of [`Binary`]: its value and its partial derivatives.
pub trait BinaryOp: Copy {
    /// Whether the partial derivatives read the operands' values.
    const READS_OPERANDS: bool;
    /// Whether the operator is `+` (a linear predictor plus an offset stays one).
    const IS_SUM: bool;
    /// `a ∘ b` on plain values.
    fn value(a: f64, b: f64) -> f64;
    /// `a ∘ b` on scalars of the model body.
    fn scalar<T: Scalar>(a: T, b: T) -> T;
    /// `∂(a ∘ b)/∂a`, which for `+`, `-` and `*` depends on `b` alone; `b` is read only by
    /// operators that need it.
    fn partial_a(b: impl Fn() -> f64) -> f64;
    /// `∂(a ∘ b)/∂b`, which for `+`, `-` and `*` depends on `a` alone.
    fn partial_b(a: impl Fn() -> f64) -> f64;
    /// `(∂/∂a, ∂/∂b)`.
    #[inline(always)]
    fn partials(a: impl Fn() -> f64, b: impl Fn() -> f64) -> (f64, f64) {
        (Self::partial_a(b), Self::partial_b(a))
    }
}

/// `a + b`.
#[derive(Clone, Copy, Debug)]
pub struct Sum;
/// `a - b`.
#[derive(Clone, Copy, Debug)]
pub struct Difference;
/// `a * b`.
#[derive(Clone, Copy, Debug)]
pub struct Product;

impl BinaryOp for Sum {
    const IS_SUM: bool = true;
    const READS_OPERANDS: bool = false;
    #[inline(always)]
    fn value(a: f64, b: f64) -> f64 {
        a + b
    }
    #[inline(always)]
    fn scalar<T: Scalar>(a: T, b: T) -> T {
        a + b
    }
    #[inline(always)]
    fn partial_a(_b: impl Fn() -> f64) -> f64 {
        1.0
    }
    #[inline(always)]
    fn partial_b(_a: impl Fn() -> f64) -> f64 {
        1.0
    }
}

impl BinaryOp for Difference {
    const IS_SUM: bool = false;
    const READS_OPERANDS: bool = false;
    #[inline(always)]
    fn value(a: f64, b: f64) -> f64 {
        a - b
    }
    #[inline(always)]
    fn scalar<T: Scalar>(a: T, b: T) -> T {
        a - b
    }
    #[inline(always)]
    fn partial_a(_b: impl Fn() -> f64) -> f64 {
        1.0
    }
    #[inline(always)]
    fn partial_b(_a: impl Fn() -> f64) -> f64 {
        -1.0
    }
}

impl BinaryOp for Product {
    const IS_SUM: bool = false;
    const READS_OPERANDS: bool = true;
    #[inline(always)]
    fn value(a: f64, b: f64) -> f64 {
        a * b
    }
    #[inline(always)]
    fn scalar<T: Scalar>(a: T, b: T) -> T {
        a * b
    }
    #[inline(always)]
    fn partial_a(b: impl Fn() -> f64) -> f64 {
        b()
    }
    #[inline(always)]
    fn partial_b(a: impl Fn() -> f64) -> f64 {
        a()
    }
}

impl<T: Scalar, O: BinaryOp, A: Elements<T>, B: Elements<T>> Elements<T> for Binary<O, A, B> {
    /// The common length, `None` when both are scalars; lengths are compared by `check` before
    /// any element is read.
    #[inline(always)]
    fn length(&self) -> Option<usize> {
        self.a.length().or(self.b.length())
    }
    #[inline(always)]
    fn value(&self, i: usize) -> f64 {
        O::value(self.a.value(i), self.b.value(i))
    }
    fn get(&self, i: usize) -> T {
        O::scalar(self.a.get(i), self.b.get(i))
    }
    #[inline(always)]
    fn inputs(&self) -> usize {
        self.a.inputs() + self.b.inputs()
    }
    #[inline(always)]
    fn backprop(&self, i: usize, adjoint: f64, acc: &mut [f64]) {
        let (da, db) = O::partials(|| self.a.value(i), || self.b.value(i));
        let (a, b) = acc.split_at_mut(self.a.inputs());
        self.a.backprop(i, adjoint * da, a);
        self.b.backprop(i, adjoint * db, b);
    }
    fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        let (a, b) = acc.split_at(self.a.inputs());
        self.a.edges(a).chain(self.b.edges(b))
    }
    fn fill(&self, out: &mut [f64]) {
        match (self.a.length(), self.b.length()) {
            (Some(_), None) => {
                self.a.fill(out);
                let b = self.b.value(0);
                for o in out.iter_mut() {
                    *o = O::value(*o, b);
                }
            }
            (None, _) => {
                self.b.fill(out);
                let a = self.a.value(0);
                for o in out.iter_mut() {
                    *o = O::value(a, *o);
                }
            }
            (Some(_), Some(_)) => {
                self.a.fill(out);
                let mut b = scratch(out.len());
                self.b.fill(&mut b);
                for (o, b) in out.iter_mut().zip(b.iter()) {
                    *o = O::value(*o, *b);
                }
            }
        }
    }
    /// `X β + c` and `c + X β` for a broadcast `c`.
    fn linear(&self) -> Option<Linear<'_>> {
        if !O::IS_SUM {
            return None;
        }
        match (self.a.length(), self.b.length()) {
            (Some(_), None) => self.a.linear().map(|l| Linear {
                offset: l.offset + self.b.value(0),
                ..l
            }),
            (None, Some(_)) => self.b.linear().map(|l| Linear {
                offset: l.offset + self.a.value(0),
                ..l
            }),
            _ => None,
        }
    }
    fn backprop_linear(&self, d_beta: &[f64], d_offset: f64, acc: &mut [f64]) {
        let (acc_a, acc_b) = acc.split_at_mut(self.a.inputs());
        if self.a.length().is_some() {
            self.a.backprop_linear(d_beta, d_offset, acc_a);
            if !acc_b.is_empty() {
                self.b.backprop(0, d_offset, acc_b);
            }
        } else {
            if !acc_a.is_empty() {
                self.a.backprop(0, d_offset, acc_a);
            }
            self.b.backprop_linear(d_beta, d_offset, acc_b);
        }
    }
    fn backprop_slice(&self, adjoints: &[f64], acc: &mut [f64]) {
        let (acc_a, acc_b) = acc.split_at_mut(self.a.inputs());
        let n = adjoints.len();
        // The adjoint of one operand: `adjoints` times the operator's partial, which is a
        // constant for `+` and `-` and the other operand's value for `*`.
        let scaled = |other: &dyn Fn(&mut [f64]), sign: f64| {
            let mut scaled = scratch(n);
            if O::READS_OPERANDS {
                other(&mut scaled);
                for (s, d) in scaled.iter_mut().zip(adjoints) {
                    *s *= d;
                }
            } else {
                for (s, d) in scaled.iter_mut().zip(adjoints) {
                    *s = sign * d;
                }
            }
            scaled
        };
        let (da, db) = O::partials(|| 1.0, || 1.0);
        if self.a.inputs() > 0 {
            if !O::READS_OPERANDS && da == 1.0 {
                backprop_vector(&self.a, adjoints, acc_a);
            } else {
                let s = scaled(&|out: &mut [f64]| fill_or_broadcast(&self.b, out), da);
                backprop_vector(&self.a, &s, acc_a);
            }
        }
        if self.b.inputs() > 0 {
            if !O::READS_OPERANDS && db == 1.0 {
                backprop_vector(&self.b, adjoints, acc_b);
            } else {
                let s = scaled(&|out: &mut [f64]| fill_or_broadcast(&self.a, out), db);
                backprop_vector(&self.b, &s, acc_b);
            }
        }
    }
    type Local = (A::Local, B::Local);
    #[inline(always)]
    fn has_element_inputs(&self) -> bool {
        self.a.has_element_inputs() || self.b.has_element_inputs()
    }
    #[inline(always)]
    fn prefers_columns(&self) -> bool {
        self.a.prefers_columns() || self.b.prefers_columns()
    }
    #[inline(always)]
    fn block(&self, base: usize) -> [f64; ROW_LANES] {
        let (a, b) = (self.a.block(base), self.b.block(base));
        let mut out = [0.0; ROW_LANES];
        for k in 0..ROW_LANES {
            out[k] = O::value(a[k], b[k]);
        }
        out
    }
    #[inline(always)]
    fn backprop_lane(&self, i: usize, lane: usize, adjoint: f64, local: &mut Self::Local) {
        let da = O::partial_a(|| self.b.value(i));
        self.a.backprop_lane(i, lane, adjoint * da, &mut local.0);
        let db = O::partial_b(|| self.a.value(i));
        self.b.backprop_lane(i, lane, adjoint * db, &mut local.1);
    }
    #[inline(always)]
    fn backprop_block(&self, base: usize, adjoints: &[f64; ROW_LANES], local: &mut Self::Local) {
        // Operators whose partials do not read the operands leave these loads unused, and the
        // compiler drops them.
        let (a, b) = (self.a.block(base), self.b.block(base));
        let (mut adjoint_a, mut adjoint_b) = ([0.0; ROW_LANES], [0.0; ROW_LANES]);
        for k in 0..ROW_LANES {
            let (da, db) = O::partials(|| a[k], || b[k]);
            adjoint_a[k] = adjoints[k] * da;
            adjoint_b[k] = adjoints[k] * db;
        }
        self.a.backprop_block(base, &adjoint_a, &mut local.0);
        self.b.backprop_block(base, &adjoint_b, &mut local.1);
    }
    #[inline(always)]
    fn backprop_element(&self, i: usize, adjoint: f64, acc: &mut [f64], offset: usize) {
        // Each side reads only the partial it needs: for `σ · z[group]` the gather's own
        // value (a bounds-checked load the compiler cannot drop) is never read.
        if self.a.has_element_inputs() {
            let da = O::partial_a(|| self.b.value(i));
            self.a.backprop_element(i, adjoint * da, acc, offset);
        }
        if self.b.has_element_inputs() {
            let db = O::partial_b(|| self.a.value(i));
            let offset = offset + self.a.inputs();
            self.b.backprop_element(i, adjoint * db, acc, offset);
        }
    }
    #[inline(always)]
    fn finish_rows(&self, local: &Self::Local, acc: &mut [f64], offset: usize) {
        self.a.finish_rows(&local.0, acc, offset);
        self.b.finish_rows(&local.1, acc, offset + self.a.inputs());
    }
    fn check(&self) -> Result<(), ModelErrorKind> {
        self.a.check()?;
        self.b.check()?;
        match (self.a.length(), self.b.length()) {
            (Some(a), Some(b)) if a != b => Err(ModelErrorKind::LengthMismatch {
                argument: "the right operand of an elementwise operation",
                expected: a,
                found: b,
            }),
            _ => Ok(()),
        }
    }
}

/// `+`, `-` and `*` on the lazy expression types build bigger lazy expressions; a plain `f64` or
/// `Var` on the left works too (`alpha + x.matvec(&beta)`).
macro_rules! lazy_ops {
    ($([$($generics:tt)*] $ty:ty),*) => {$(
        lazy_op!([$($generics)*] $ty; Add add Sum);
        lazy_op!([$($generics)*] $ty; Sub sub Difference);
        lazy_op!([$($generics)*] $ty; Mul mul Product);
    )*};
}

/// One type's operators: `expr op anything`, `f64 op expr` and `Var op expr`.
macro_rules! lazy_op {
    ([$($generics:tt)*] $ty:ty; $trait:ident $method:ident $op:ident) => {
        impl<$($generics)*, R> $trait<R> for $ty {
            type Output = Binary<$op, Self, R>;
            #[inline(always)]
            fn $method(self, rhs: R) -> Self::Output {
                Binary::new(self, rhs)
            }
        }
        impl<$($generics)*> $trait<$ty> for f64 {
            type Output = Binary<$op, f64, $ty>;
            #[inline(always)]
            fn $method(self, rhs: $ty) -> Self::Output {
                Binary::new(self, rhs)
            }
        }
        impl<$($generics)*> $trait<$ty> for Var {
            type Output = Binary<$op, Var, $ty>;
            #[inline(always)]
            fn $method(self, rhs: $ty) -> Self::Output {
                Binary::new(self, rhs)
            }
        }
    };
}
lazy_ops!(
    ['a, V] Vector<'a, V>,
    ['a, V] MatVec<'a, V>,
    ['a, V] Gather<'a, V>,
    [O, A, B] Binary<O, A, B>
);

impl Matrix {
    /// The product `X β` as a lazy argument of a vectorized site: nothing is computed or
    /// allocated until the site's log density reads it, and its derivative with respect to `β`
    /// is part of the site's single autodiff node.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn regression(x: &Matrix, y: &[f64]) {
    ///     let alpha = sample!("alpha", Normal::new(0.0, 10.0));
    ///     let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
    ///     let sigma = sample!("sigma", HalfNormal::new(1.0));
    ///     sample!("y", batch::Normal::new(x.matvec(&beta) + alpha, sigma), obs = y);
    /// }
    /// fn main() {
    ///     let x = Matrix::from_rows(&[vec![1.0], vec![2.0]]).unwrap();
    ///     let m = regression(&x, &[1.0, 2.0]);
    ///     assert_eq!(m.unconstrained_dim().unwrap(), 3);
    /// }
    /// ```
    pub fn matvec<'a, V>(&'a self, beta: &'a [V]) -> MatVec<'a, V> {
        MatVec::new(self, beta)
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
    ['a, V: 'static,] &'a Values<V>,
    ['a, V, const N: usize,] &'a [V; N],
    ['a, V,] Vector<'a, V>,
    ['a, V,] MatVec<'a, V>,
    ['a, V,] Gather<'a, V>,
    [O, A, B,] Binary<O, A, B>
);
