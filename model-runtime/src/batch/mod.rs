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
//! | statement | value in the body | field of `Latent` / `Draw` | `Draws` column |
//! |---|---|---|---|
//! | `batch::F::new(..)` with `n` elements | [`PooledVec<T>`](crate::value::PooledVec) (derefs to `Vec<T>`) | `Vec<f64>` (`Vec<bool>`, `Vec<u64>`) | `Vec<Vec<f64>>` |
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
//!
//! # Layout
//!
//! The statement's arguments are [`Elements`] (`elements`), gathered into a [`Params`] tuple
//! (`params`), optionally masked ([`MaskArg`], `mask`); [`Batch`] and the [`Vectorized`]
//! trait are defined here, its log density in `log_density` (with the fused loops of
//! [`kernels`]), its [`Distribution`] impl in `distribution`, and the families in `families`.
//!
//! [`Dual`]: crate::autodiff::Dual

mod distribution;
mod elements;
mod families;
pub mod kernels;
mod log_density;
mod mask;
mod mixture;
mod params;

use core::fmt;
use core::marker::PhantomData;

use crate::distribution::{DensityError, Distribution};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;
use crate::value::ValueKind;

pub use elements::{
    Binary, BinaryOp, Difference, Elements, Gather, Gathered, MatVec, Minus, Operand, Plus,
    Product, Sum, Times, Vector as LazyVector, gather, vector,
};
pub use families::*;
use kernels::{Fused, Glm, GlmSums};
pub use mask::{MaskArg, NoMask};
pub use mixture::Mixture;
pub use params::Params;

/// A boxed constructor error.
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// The vectorized form of a scalar distribution family: the distribution of one element at any
/// scalar type ([`Element`](Self::Element), a [`Family`](crate::distribution::Family) member),
/// how to build it from parameter values, and the fused loops that evaluate many elements at
/// once. `distribution::Family` is a distribution across scalar types; `Vectorized` is one
/// across the elements of a `batch::` statement.
///
/// Implemented by the marker types of [`families`](self#structs) (`NormalFamily`, …); users name
/// the vectorized distributions through the aliases (`batch::Normal`).
pub trait Vectorized: 'static {
    /// The kind of one element's value.
    type Kind: ValueKind;
    /// The scalar distribution of one element.
    type Element<S: Scalar>: Distribution<Scalar = S, Kind = Self::Kind>;
    /// The family's name, for messages.
    const NAME: &'static str;
    /// The parameter names of constructor `ctor`, in order.
    fn params(ctor: usize) -> &'static [&'static str];
    /// The distribution of one element, through constructor `ctor` and its validation.
    fn build<S: Scalar>(ctor: usize, params: &[S]) -> Result<Self::Element<S>, BoxedError>;
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
    /// The density of one element as a function of the first parameter, given the others
    /// `rest` (broadcast scalars or data), for the row pass (see
    /// [`RowLane`](kernels::RowLane)), where the family has one for constructor `ctor`.
    fn row_lane(ctor: usize, rest: [kernels::RowArg<'_>; 2]) -> Option<kernels::RowLane<'_>> {
        let _ = (ctor, rest);
        None
    }
}

/// One length shared by several arguments: the first length found sets `n`, and each later
/// one must equal it (an error naming the argument otherwise); `None` (a broadcast scalar)
/// agrees with any length.
fn agree(
    n: &mut Option<usize>,
    argument: &'static str,
    len: Option<usize>,
) -> Result<(), DensityError> {
    match (*n, len) {
        (Some(expected), Some(found)) if expected != found => Err(DensityError {
            element: None,
            kind: ModelErrorKind::LengthMismatch {
                argument,
                expected,
                found,
            },
        }),
        (None, Some(found)) => {
            *n = Some(found);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A scalar family applied elementwise to vector arguments: see the [module](self) docs.
///
/// `F` is the family, `T` the scalar of the model body, `P` the tuple of arguments and `M` the
/// mask. Users name it through the family aliases (`batch::Normal`, `batch::Bernoulli`, …).
pub struct Batch<F: Vectorized, T, P, M = NoMask> {
    ctor: usize,
    params: P,
    len: Option<usize>,
    ordered: bool,
    mask: M,
    _family: PhantomData<fn() -> (F, T)>,
}

impl<F: Vectorized, T, P: Clone, M: Clone> Clone for Batch<F, T, P, M> {
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

impl<F: Vectorized, T, P, M> fmt::Debug for Batch<F, T, P, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("family", &F::NAME)
            .field("params", &F::params(self.ctor))
            .field("len", &self.len)
            .field("ordered", &self.ordered)
            .finish_non_exhaustive()
    }
}

impl<F: Vectorized, T: Scalar, P: Params<T>> Batch<F, T, P> {
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

impl<F: Vectorized, T: Scalar, P: Params<T>, M: MaskArg> Batch<F, T, P, M> {
    /// `n` elements: the length when every argument is a scalar (NumPyro's `expand([n])`), or
    /// a check of the vector arguments' length.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let d = batch::Normal::new(0.0, 1.0).iid(3);
    /// let lp = d.log_prob(&PooledVec::from(vec![0.0; 3]));
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
    /// assert!((d.log_prob(&PooledVec::from(vec![-1.0, 1.0])) - (iid - 1.0 + 2f64.ln())).abs() < 1e-12);
    /// assert!(d.log_prob(&PooledVec::from(vec![1.0, -1.0])).is_infinite());
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
    /// assert_eq!(d.log_prob(&PooledVec::from(vec![0.5, 100.0])), one);
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
        let mut found = |argument, len| agree(&mut n, argument, len);
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
}
