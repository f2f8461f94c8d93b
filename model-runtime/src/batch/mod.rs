//! Vectorized sites: one `sample!` statement over a whole vector, one autodiff node.
//!
//! `batch::Normal::new(mu, sigma)` is the normal family applied elementwise: each argument is a
//! scalar (the same for every element), a slice (of data or of site values), or a lazy
//! expression such as `x.matvec(&beta) + alpha` or `gather(&theta, &group)`. Its value is a
//! `Vec` with one entry per element (`Vec<f64>` for real families, `Vec<bool>` for Bernoulli,
//! `Vec<u64>` for counts), and `.iid(n)` sets the length when every argument is a scalar.
//!
//! ```
//! use model_runtime::prelude::*;
//!
//! /// Logistic regression written as a NumPyro user would: `y ~ Bernoulli(logits = X β + α)`.
//! #[model]
//! fn logistic(x: &Matrix, y: &[bool]) {
//!     let alpha = sample!("alpha", Normal::new(0.0, 5.0));
//!     let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
//!     sample!("y", batch::Bernoulli::from_logits(x.matvec(&beta) + alpha), obs = y);
//! }
//!
//! fn main() {
//!     let x = Matrix::from_rows(&[vec![0.5, 1.0], vec![-1.0, 0.2]]).unwrap();
//!     let model = logistic(&x, &[true, false]);
//!     assert_eq!(model.unconstrained_dim().unwrap(), 3);
//! }
//! ```
//!
//! # Shapes
//!
//! | statement | value in the body | field of `Latent` / `Draw` | `Posterior` column |
//! |---|---|---|---|
//! | `batch::F::new(..)` with `n` elements | [`Values<T>`](crate::value::Values) (derefs to `Vec<T>`) | `Vec<f64>` (`Vec<bool>`, `Vec<u64>`) | `Vec<Vec<f64>>` |
//! | the same inside one `plate!` of size `m` | as above, per plate element | `Vec<Vec<f64>>` (`m` vectors) | `Vec<Vec<Vec<f64>>>` |
//!
//! Elements print as `name[i]` in summaries (`name[j,i]` inside a plate). The length is the
//! `iid(n)` length, else the vector arguments' common length, else the observation's; any
//! disagreement is an error naming the site and the argument.
//!
//! # How the single node is computed
//!
//! The log density of element `i` is evaluated by the scalar family's own generic `log_prob`
//! on forward-mode [`Dual`] numbers whose directions are the element's parameters and value.
//! That yields the term and its partial derivatives in one pass with no tape entries. The
//! partials are folded into one accumulator per input variable through the arguments'
//! [`Elements::backprop`] (for `X β` this is `Xᵀ` times the adjoints, row by row), and the
//! statement becomes a single reverse-mode node whose operands are the inputs: Stan's "operands
//! and partials" (Carpenter et al. 2015, *The Stan Math Library*, §4), with the per-family
//! derivative code replaced by forward-mode differentiation of the tested scalar density.
//!
//! On `f64` (prior sampling, Predictive) none of this bookkeeping runs.

mod elements;
mod families;
pub mod kernels;

use core::fmt;
use core::marker::PhantomData;
use std::cell::RefCell;

use rand::Rng;

use crate::autodiff::Dual;
use crate::bijectors::{BijectorError, ForwardMap, Ordered, VectorBijector};
use crate::constraint::Support;
use crate::distribution::{DensityError, Distribution, PlainValue, Samplable, Value};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;
use crate::value::{ValueKind, Values, Vector};

use crate::vector_math::Scratch;
use elements::Linear;
pub use elements::{
    Binary, BinaryOp, Difference, Elements, Gather, MatVec, Minus, Operand, Plus, Product, Sum,
    Times, Vector as LazyVector, gather, vector,
};
pub use families::*;
use kernels::{Column, Fused, Glm, GlmSums};

/// A boxed constructor error.
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// A scalar family that can be applied elementwise: its distributions for any scalar type, and
/// how to build one from parameter values.
///
/// Implemented by the marker types of [`families`](self#structs) (`NormalFamily`, …); users name
/// the vectorized distributions through the aliases (`batch::Normal`).
pub trait BatchFamily: 'static {
    /// The kind of one element's value.
    type Kind: ValueKind;
    /// The scalar distribution of one element.
    type Dist<S: Scalar>: Distribution<Scalar = S, Kind = Self::Kind>;
    /// The family's name, for messages.
    const NAME: &'static str;
    /// The parameter names of constructor `ctor`, in order.
    fn params(ctor: usize) -> &'static [&'static str];
    /// The distribution of one element, through constructor `ctor` and its validation.
    fn build<S: Scalar>(ctor: usize, params: &[S]) -> Result<Self::Dist<S>, BoxedError>;
    /// The log density of every element and its partial derivatives in one vectorized loop
    /// (see [`kernels`]), where the family has one for constructor `ctor`; `None` lets the
    /// general path evaluate the statement.
    fn fused(ctor: usize, args: Fused<'_>) -> Option<f64> {
        let _ = (ctor, args);
        None
    }
    /// The log density and its partials when the first parameter is a linear predictor
    /// `X β + offset` and the others are broadcast (see [`kernels`]): one pass over `X`, where
    /// the family has such a kernel for constructor `ctor`.
    fn glm(ctor: usize, args: Glm<'_>) -> Option<GlmSums> {
        let _ = (ctor, args);
        None
    }
    /// The density of one element as a function of the first parameter, given the values
    /// `rest` of the others (broadcast scalars), for the row pass (see
    /// [`RowLane`](kernels::RowLane)), where the family has one for constructor `ctor`.
    fn row_lane(ctor: usize, rest: [f64; 2]) -> Option<kernels::RowLane> {
        let _ = (ctor, rest);
        None
    }
}

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
    /// Evaluates every vector argument into `buffers[k]` (`n` values each) and returns the
    /// arguments as columns (broadcast scalars stay scalars).
    fn columns<'b>(&self, n: usize, buffers: &'b mut [Scratch; 3]) -> [Column<'b>; 3];
    /// Calls `f` with element `i`'s parameters as dual variables (direction `k` for parameter
    /// `k`).
    fn column_duals<R>(
        columns: &[Column<'_>; 3],
        i: usize,
        f: impl FnOnce(&[Self::Dual]) -> R,
    ) -> R;
    /// Stores the partials of element `i`'s log density: parameter `k`'s in `grads[k][i]`, the
    /// value's in `dx[i]`.
    fn store_partials(lp: Self::Dual, i: usize, grads: &mut [Scratch; 3], dx: &mut [f64]);
    /// Folds the per-element partials `grads` into one accumulator entry per input variable
    /// (a broadcast argument receives their sum).
    fn backprop_columns(&self, grads: &[Scratch; 3], acc: &mut [f64]);
    /// The first argument as a linear predictor and the others' values, when the first is
    /// `X β + offset` and the others are broadcast scalars.
    fn glm_args(&self) -> Option<(Linear<'_>, [f64; 2])>;
    /// Folds a fused GLM kernel's partials into the accumulator.
    fn backprop_glm(&self, d_beta: &[f64], sums: &GlmSums, acc: &mut [f64]);
    /// One `(input, partial)` pair per input variable.
    fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's;
    /// The values of the arguments after the first, when all of them are broadcast scalars
    /// and the first is not better evaluated whole (see [`Elements::prefers_columns`]): what
    /// the row pass needs.
    fn row_pass_rest(&self) -> Option<[f64; 2]>;
    /// The row pass of `lane` over the first argument and the values `x` (see
    /// [`RowLane`](kernels::RowLane)): returns the sum of the log densities and adds every
    /// input's partial derivative to `acc`; writes `∂/∂ x_i` to `dx` unless it is empty, and
    /// uses `adjoints` (one per element) as scratch. `None` when an element is invalid.
    fn row_pass(
        &self,
        lane: kernels::RowLane,
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
            fn columns<'b>(&self, n: usize, buffers: &'b mut [Scratch; 3]) -> [Column<'b>; 3] {
                $(
                    if self.$index.length().is_some() {
                        buffers[$index].resize(n, 0.0);
                        self.$index.fill(&mut buffers[$index][..n]);
                    }
                )+
                let buffers: &'b [Scratch; 3] = buffers;
                let mut columns = [Column::Scalar(0.0); 3];
                $(
                    columns[$index] = if self.$index.length().is_some() {
                        Column::Vector(&buffers[$index][..n])
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
            fn store_partials(
                lp: Self::Dual,
                i: usize,
                grads: &mut [Scratch; 3],
                dx: &mut [f64],
            ) {
                let tangent = lp.tangent();
                $(grads[$index][i] = tangent[$index];)+
                dx[i] = tangent[$n];
            }
            fn backprop_columns(&self, grads: &[Scratch; 3], acc: &mut [f64]) {
                let mut rest = acc;
                $(
                    let (mine, others) = rest.split_at_mut(self.$index.inputs());
                    elements::backprop_vector(&self.$index, &grads[$index], mine);
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
            fn row_pass_rest(&self) -> Option<[f64; 2]> {
                if self.0.prefers_columns() {
                    return None;
                }
                let mut rest = [0.0; 2];
                $(
                    if $index > 0 {
                        if self.$index.length().is_some() {
                            return None;
                        }
                        rest[($index as usize).saturating_sub(1)] = self.$index.value(0);
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
        }
    };
}
params_tuple!(1; A 0);
params_tuple!(2; A 0, B 1);
params_tuple!(3; A 0, B 1, C 2);

/// A mask over the elements of a vectorized site: masked-out elements add nothing to the log
/// density (NumPyro's `mask`), but are still drawn when the site is sampled.
pub trait MaskArg {
    /// Whether element `i` counts.
    fn keep(&self, i: usize) -> bool;
    /// The mask's length (`None` for one flag for all elements).
    fn length(&self) -> Option<usize>;
    /// Whether every element counts, known without reading the flags one by one.
    fn all(&self) -> bool {
        false
    }
}

/// No mask: every element counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMask;

impl MaskArg for NoMask {
    #[inline(always)]
    fn keep(&self, _i: usize) -> bool {
        true
    }
    fn all(&self) -> bool {
        true
    }
    fn length(&self) -> Option<usize> {
        None
    }
}

impl MaskArg for bool {
    #[inline(always)]
    fn keep(&self, _i: usize) -> bool {
        *self
    }
    fn all(&self) -> bool {
        *self
    }
    fn length(&self) -> Option<usize> {
        None
    }
}

impl MaskArg for &[bool] {
    #[inline(always)]
    fn keep(&self, i: usize) -> bool {
        self[i]
    }
    fn length(&self) -> Option<usize> {
        Some(<[bool]>::len(self))
    }
}

impl MaskArg for &Vec<bool> {
    #[inline(always)]
    fn keep(&self, i: usize) -> bool {
        self[i]
    }
    fn length(&self) -> Option<usize> {
        Some(Vec::len(self))
    }
}

/// A scalar family applied elementwise to vector arguments: see the [module](self) docs.
///
/// `F` is the family, `T` the scalar of the model body, `P` the tuple of arguments and `M` the
/// mask. Users name it through the family aliases (`batch::Normal`, `batch::Bernoulli`, …).
pub struct Batch<F: BatchFamily, T, P, M = NoMask> {
    ctor: usize,
    params: P,
    len: Option<usize>,
    ordered: bool,
    mask: M,
    _family: PhantomData<fn() -> (F, T)>,
}

impl<F: BatchFamily, T, P: Clone, M: Clone> Clone for Batch<F, T, P, M> {
    fn clone(&self) -> Self {
        Batch {
            ctor: self.ctor,
            params: self.params.clone(),
            len: self.len,
            ordered: self.ordered,
            mask: self.mask.clone(),
            _family: PhantomData,
        }
    }
}

impl<F: BatchFamily, T, P, M> fmt::Debug for Batch<F, T, P, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("family", &F::NAME)
            .field("params", &F::params(self.ctor))
            .field("len", &self.len)
            .field("ordered", &self.ordered)
            .finish_non_exhaustive()
    }
}

impl<F: BatchFamily, T: Scalar, P: Params<T>> Batch<F, T, P> {
    /// A batch through constructor number `ctor` of the family (used by the family aliases).
    #[doc(hidden)]
    pub fn from_ctor(ctor: usize, params: P) -> Self {
        Batch {
            ctor,
            params,
            len: None,
            ordered: false,
            mask: NoMask,
            _family: PhantomData,
        }
    }
}

impl<F: BatchFamily, T: Scalar, P: Params<T>, M: MaskArg> Batch<F, T, P, M> {
    /// `n` elements: the length when every argument is a scalar (NumPyro's `expand([n])`), or
    /// a check of the vector arguments' length.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let d = batch::Normal::new(0.0, 1.0).iid(3);
    /// let lp = d.log_prob(&Values::from(vec![0.0; 3]));
    /// assert_eq!(lp, 3.0 * Normal::new(0.0, 1.0).unwrap().log_prob(&0.0));
    /// ```
    pub fn iid(mut self, n: usize) -> Self {
        self.len = Some(n);
        self
    }

    /// The elements in increasing order: the distribution of the order statistics of `n` iid
    /// draws, with density `n! ∏ p(x_i)` on `x_1 < … < x_n`. A latent ordered site is explored
    /// through the ordered transform (`x_1 = u_1`, `x_k = x_{k-1} + exp(u_k)`), as Stan's
    /// `ordered` type. It needs a real-valued family with scalar arguments.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let d = batch::Normal::new(0.0, 1.0).iid(2).ordered();
    /// let iid = 2.0 * Normal::new(0.0, 1.0).unwrap().log_prob(&0.0);
    /// assert!((d.log_prob(&Values::from(vec![-1.0, 1.0])) - (iid - 1.0 + 2f64.ln())).abs() < 1e-12);
    /// assert!(d.log_prob(&Values::from(vec![1.0, -1.0])).is_infinite());
    /// ```
    pub fn ordered(mut self) -> Self {
        self.ordered = true;
        self
    }

    /// Counts only the elements where `mask` is true (one flag per element, or one `bool` for
    /// all): NumPyro's `mask`, for missing data or for turning a likelihood off.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let keep = [true, false];
    /// let d = batch::Normal::new(0.0, 1.0).mask(&keep[..]);
    /// let one = Normal::new(0.0, 1.0).unwrap().log_prob(&0.5);
    /// assert_eq!(d.log_prob(&Values::from(vec![0.5, 100.0])), one);
    /// ```
    pub fn mask<N: MaskArg>(self, mask: N) -> Batch<F, T, P, N> {
        Batch {
            ctor: self.ctor,
            params: self.params,
            len: self.len,
            ordered: self.ordered,
            mask,
            _family: PhantomData,
        }
    }

    /// The number of elements, with every length checked: the `iid` length, else the vector
    /// arguments' length, else the value's, else one.
    fn resolve_len(&self, value_len: Option<usize>) -> Result<usize, DensityError> {
        let fail = |kind| DensityError {
            element: None,
            kind,
        };
        self.params.check().map_err(fail)?;
        let names = F::params(self.ctor);
        let lens = self.params.lens();
        let mut n = self.len;
        let mut found = |argument: &'static str, len: Option<usize>| -> Result<(), DensityError> {
            match (n, len) {
                (Some(expected), Some(found)) if expected != found => {
                    Err(fail(ModelErrorKind::LengthMismatch {
                        argument,
                        expected,
                        found,
                    }))
                }
                (None, Some(found)) => {
                    n = Some(found);
                    Ok(())
                }
                _ => Ok(()),
            }
        };
        for (k, name) in names.iter().enumerate().take(P::ARITY) {
            found(name, lens[k])?;
        }
        found("mask", self.mask.length())?;
        found("value", value_len)?;
        let n = n.unwrap_or(1);
        if self.ordered && (!F::Kind::TRACKED || lens.iter().any(Option::is_some)) {
            return Err(fail(ModelErrorKind::OrderedNeedsIid));
        }
        Ok(n)
    }

    fn invalid(i: usize, e: BoxedError) -> DensityError {
        DensityError {
            element: Some(i),
            kind: ModelErrorKind::InvalidParameter(e),
        }
    }

    /// The log density of the ordered elements adds `ln n!` and requires strict increase.
    fn ordered_term(&self, x: &[<F::Kind as ValueKind>::Value<T>]) -> Option<f64> {
        if !self.ordered {
            return Some(0.0);
        }
        let increasing = x
            .windows(2)
            .all(|w| F::Kind::as_real::<T>(&w[0]) < F::Kind::as_real::<T>(&w[1]));
        increasing.then(|| crate::special::ln_gamma(x.len() as f64 + 1.0))
    }

    fn evaluate(&self, x: &[<F::Kind as ValueKind>::Value<T>]) -> Result<T, DensityError> {
        let n = self.resolve_len(Some(x.len()))?;
        let Some(ordered) = self.ordered_term(x) else {
            return Ok(T::from_f64(f64::NEG_INFINITY));
        };
        if !T::DIFFERENTIABLE {
            // Plain values: nothing reads derivatives, so each element is a scalar density.
            let mut total = T::from_f64(ordered);
            for (i, xi) in x.iter().enumerate().take(n) {
                if self.mask.keep(i) {
                    let dist = self
                        .params
                        .scalars(i, |p| F::build(self.ctor, p))
                        .map_err(|e| Self::invalid(i, e))?;
                    total += dist.log_prob(xi);
                }
            }
            return Ok(total);
        }
        // Differentiable scalars: evaluate the arguments into columns, compute every element's
        // log density and partials (in one fused loop where the family has one), fold the
        // partials back through the arguments, and record the statement as one node.
        let scratch = Scratch::zeroed;
        if self.mask.all()
            && let Some(result) = self.glm(x, n, ordered)
        {
            return Ok(result);
        }
        if self.mask.all()
            && let Some(result) = self.rows(x, n, ordered)
        {
            return Ok(result);
        }
        let mut buffers = [scratch(0), scratch(0), scratch(0)];
        let columns = self.params.columns(n, &mut buffers);
        let mut grads = [scratch(n), scratch(0), scratch(0)];
        for g in grads.iter_mut().take(P::ARITY).skip(1) {
            g.resize(n, 0.0);
        }
        let mut dx = scratch(n);
        let mut fused = None;
        if self.mask.all() {
            let mut xs = scratch(n);
            for (o, xi) in xs.iter_mut().zip(x) {
                *o = F::Kind::as_real::<T>(xi);
            }
            let mut lp = scratch(n);
            let [g0, g1, g2] = &mut grads;
            fused = F::fused(
                self.ctor,
                Fused {
                    params: &columns[..P::ARITY],
                    x: &xs,
                    grads: [g0, g1, g2],
                    dx: &mut dx,
                    lp: &mut lp,
                },
            );
        }
        let total = match fused {
            Some(total) => ordered + total,
            None => {
                let mut total = ordered;
                for (i, xi) in x.iter().enumerate() {
                    if !self.mask.keep(i) {
                        for g in grads.iter_mut().take(P::ARITY) {
                            g[i] = 0.0;
                        }
                        dx[i] = 0.0;
                        continue;
                    }
                    let dist = P::column_duals(&columns, i, |p| F::build(self.ctor, p))
                        .map_err(|e| Self::invalid(i, e))?;
                    let lp = dist.log_prob(&F::Kind::lift(xi, P::seed_value));
                    total += lp.value();
                    P::store_partials(lp, i, &mut grads, &mut dx);
                }
                total
            }
        };
        let inputs = self.params.inputs();
        with_accumulator(inputs, |param_acc| {
            self.params.backprop_columns(&grads, param_acc);
            let value_edges = value_edges::<F, T>(x, &dx);
            Ok(T::from_parts(
                total,
                self.params.edges(param_acc).chain(value_edges),
            ))
        })
    }

    /// The fused GLM route of [`Batch::evaluate`]: `None` when the statement is not a GLM
    /// with a kernel, or when an element is invalid (the general path then names it).
    fn glm(&self, x: &[<F::Kind as ValueKind>::Value<T>], n: usize, ordered: f64) -> Option<T> {
        let (linear, others) = self.params.glm_args()?;
        let mut xs = Scratch::zeroed(n);
        for (o, xi) in xs.iter_mut().zip(x) {
            *o = F::Kind::as_real::<T>(xi);
        }
        let mut d_beta = Scratch::zeroed(linear.beta.len());
        let mut dx = Scratch::zeroed(if F::Kind::TRACKED { n } else { 0 });
        let sums = F::glm(
            self.ctor,
            Glm {
                linear: &linear,
                rest: others,
                x: &xs,
                d_beta: &mut d_beta,
                dx: &mut dx,
            },
        )?;
        let inputs = self.params.inputs();
        Some(with_accumulator(inputs, |acc| {
            self.params.backprop_glm(&d_beta, &sums, acc);
            let value_edges = value_edges::<F, T>(x, &dx);
            T::from_parts(
                ordered + sums.total,
                self.params.edges(acc).chain(value_edges),
            )
        }))
    }

    /// The row route of [`Batch::evaluate`]: one fused loop over the elements when the family
    /// has a [`RowLane`](kernels::RowLane) and every argument after the first is broadcast;
    /// `None` otherwise, or when an element is invalid (the general path then names it).
    fn rows(&self, x: &[<F::Kind as ValueKind>::Value<T>], n: usize, ordered: f64) -> Option<T> {
        let lane = F::row_lane(self.ctor, self.params.row_pass_rest()?)?;
        let tracked = values_tracked::<F, T>(x);
        with_row_buffers(n, |[xs, dx, adjoints]| {
            for (o, xi) in xs.iter_mut().zip(x) {
                *o = F::Kind::as_real::<T>(xi);
            }
            let dx = if tracked { dx } else { &mut [] };
            with_accumulator(self.params.inputs(), |acc| {
                let total = self.params.row_pass(lane, xs, dx, adjoints, acc)?;
                let value_edges = value_edges::<F, T>(x, dx);
                Some(T::from_parts(
                    ordered + total,
                    self.params.edges(acc).chain(value_edges),
                ))
            })
        })
    }

    fn element_support(&self, i: usize) -> Option<Support<T>> {
        self.params
            .scalars(i, |p| F::build(self.ctor, p))
            .ok()
            .map(|d| d.support())
    }
}

/// The `(value, ∂ log p / ∂ value)` edges of a vectorized site's single node: none for an
/// observed site, whose values are constants (all of them, as they come from one `obs =`
/// argument, so the ends are checked instead of every element).
fn value_edges<'a, F: BatchFamily, T: Scalar>(
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
fn values_tracked<F: BatchFamily, T: Scalar>(x: &[<F::Kind as ValueKind>::Value<T>]) -> bool {
    let tracked = |xi: Option<&<F::Kind as ValueKind>::Value<T>>| {
        xi.and_then(F::Kind::tracked::<T>)
            .is_some_and(|v| !v.is_constant())
    };
    tracked(x.first()) || tracked(x.last())
}

thread_local! {
    /// The partial-derivative accumulator of vectorized sites, reused across evaluations so a
    /// warm gradient allocates nothing.
    static ACCUMULATOR: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
    /// The buffers of the row pass (values, their partials, the elements' adjoints), kept at
    /// the largest length used so far: each is written before it is read, so reusing them
    /// needs no zeroing, where buffers of changing lengths from the scratch stack would be
    /// zeroed at every statement.
    static ROW_BUFFERS: RefCell<[Vec<f64>; 3]> = const {
        RefCell::new([Vec::new(), Vec::new(), Vec::new()])
    };
}

/// Runs `f` with the thread's three row-pass buffers of length `n` (contents unspecified).
fn with_row_buffers<R>(n: usize, f: impl FnOnce([&mut [f64]; 3]) -> R) -> R {
    let mut buffers = ROW_BUFFERS.with(|b| std::mem::take(&mut *b.borrow_mut()));
    for b in buffers.iter_mut() {
        if b.len() < n {
            b.resize(n, 0.0);
        }
    }
    let [a, b, c] = &mut buffers;
    let out = f([&mut a[..n], &mut b[..n], &mut c[..n]]);
    ROW_BUFFERS.with(|b| *b.borrow_mut() = buffers);
    out
}

/// Runs `f` with a zeroed accumulator of length `len`, taken from the thread's pool.
fn with_accumulator<R>(len: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
    let mut acc = ACCUMULATOR.with(|a| std::mem::take(&mut *a.borrow_mut()));
    acc.clear();
    acc.resize(len, 0.0);
    let out = f(&mut acc);
    ACCUMULATOR.with(|a| *a.borrow_mut() = acc);
    out
}

impl<F, T, P, M> Distribution for Batch<F, T, P, M>
where
    F: BatchFamily,
    T: Scalar,
    P: Params<T> + Clone,
    M: MaskArg + Clone,
{
    type Scalar = T;
    type Kind = Vector<F::Kind>;
    const NAME: &'static str = F::NAME;

    /// The sum of the elements' log densities; `NaN` when an element's parameters are invalid
    /// (handlers call [`Distribution::checked_log_prob`], which names the element).
    fn log_prob(&self, x: &Value<Self>) -> T {
        self.evaluate(x).unwrap_or_else(|_| T::from_f64(f64::NAN))
    }

    fn checked_log_prob(&self, x: &Value<Self>) -> Result<T, DensityError> {
        self.evaluate(x)
    }

    /// The support of the first element (each element's own support is used by `constrain`).
    fn support(&self) -> Support<T> {
        self.element_support(0).unwrap_or(Support::Real)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        self.checked_sample(rng).ok().flatten()
    }

    fn checked_sample<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<Option<PlainValue<Self>>, DensityError> {
        let n = self.resolve_len(None)?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let dist = self
                .params
                .plain(i, |p| F::build::<f64>(self.ctor, p))
                .map_err(|e| Self::invalid(i, e))?;
            match dist.sample(rng) {
                Some(v) => out.push(v),
                None => return Ok(None),
            }
        }
        if self.ordered {
            out.sort_by(|a, b| F::Kind::plain_as_real(a).total_cmp(&F::Kind::plain_as_real(b)));
        }
        Ok(Some(out))
    }

    fn unconstrained_len(&self) -> usize {
        self.resolve_len(None).unwrap_or(0)
    }

    fn constrain(&self, u: &[T]) -> (Value<Self>, T) {
        if self.ordered {
            // Stan's ordered transform (x_1 = u_1, x_k = x_{k-1} + exp(u_k)), with its
            // log-Jacobian Σ_{k>1} u_k, from the `Ordered` bijector.
            let mut x: Values<T> = u.iter().copied().collect();
            return match Ordered::new(u.len()).forward(u, &mut x) {
                Ok(log_jacobian) => (
                    x.iter().map(|&v| F::Kind::from_scalar(v)).collect(),
                    log_jacobian,
                ),
                Err(_) => (Values::default(), T::from_f64(f64::NAN)),
            };
        }
        let mut log_jacobian = T::from_f64(0.0);
        // Broadcast parameters give every element the same support: build it once.
        let shared = self
            .params
            .lens()
            .iter()
            .all(Option::is_none)
            .then(|| self.element_support(0));
        if let Some(Some(Support::Real)) = shared {
            // The identity map: nothing to compute per element, and no log-Jacobian.
            let values = u.iter().map(|&ui| F::Kind::from_scalar(ui)).collect();
            return (values, log_jacobian);
        }
        let values = u
            .iter()
            .enumerate()
            .map(|(i, &ui)| {
                let support = match &shared {
                    Some(support) => *support,
                    None => self.element_support(i),
                };
                let (x, lj) = match support {
                    Some(support) => support.from_unconstrained(ui),
                    // Invalid parameters: the log density names the element.
                    None => (T::from_f64(f64::NAN), T::from_f64(0.0)),
                };
                log_jacobian += lj;
                F::Kind::from_scalar(x)
            })
            .collect();
        (values, log_jacobian)
    }

    fn unconstrain(&self, x: &PlainValue<Self>, out: &mut Vec<f64>) -> Result<(), f64> {
        if self.ordered {
            let plain: Vec<f64> = x.iter().map(F::Kind::plain_as_real).collect();
            let start = out.len();
            out.resize(start + plain.len(), 0.0);
            return Ordered::new(plain.len())
                .inverse(&plain, &mut out[start..])
                .map_err(|e| match e {
                    BijectorError::NotOrdered { index } => plain[index],
                    _ => f64::NAN,
                });
        }
        for (i, xi) in x.iter().enumerate() {
            let v = F::Kind::plain_as_real(xi);
            let support = self
                .params
                .plain(i, |p| F::build::<f64>(self.ctor, p))
                .map_err(|_| v)?
                .support();
            if !support.contains(v) {
                return Err(v);
            }
            out.push(support.to_unconstrained(v));
        }
        Ok(())
    }
}

impl<F, T, P, M> Samplable for Batch<F, T, P, M>
where
    F: BatchFamily,
    F::Dist<f64>: Samplable,
    T: Scalar,
    P: Params<T> + Clone,
    M: MaskArg + Clone,
{
}
