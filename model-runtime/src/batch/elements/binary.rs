//! Lazy elementwise arithmetic `a + b`, `a - b`, `a * b` on vectorized-site arguments: the
//! operators build a [`Binary`] expression whose elements and partial derivatives are computed
//! when the log density reads them, so `beta0 + beta1 * vector(x)` allocates nothing and stays
//! one autodiff node.

use core::ops::{Add, Mul, Sub};

use super::gather::{Gather, Gathered};
use super::matvec::MatVec;
use super::slices::Vector;
use super::{Elements, Linear, ROW_LANES, backprop_vector, fill_or_broadcast, scratch};
use crate::autodiff::Var;
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;

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

    /// The expression's element `index[i]` for every `i`, the expression evaluated once per
    /// element of its own (per group) rather than once per index: NumPyro's
    /// `alpha = mu + sigma * z; alpha[group]`, see [`Gathered`].
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::batch::{self, vector};
    ///
    /// #[model]
    /// fn varying_intercepts(group: &[usize], x: &[f64], y: &[f64], groups: usize) {
    ///     let mu = sample!("mu", Normal::new(0.0, 10.0));
    ///     let sigma = sample!("sigma", HalfNormal::new(5.0));
    ///     let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(groups));
    ///     let b = sample!("b", Normal::new(0.0, 10.0));
    ///     let alpha = (mu + sigma * vector(&z)).gather(group);
    ///     sample!("y", batch::Normal::new(alpha + b * vector(x), 1.0), obs = y);
    /// }
    ///
    /// let model = varying_intercepts(&[0, 1, 1], &[0.5, -1.0, 2.0], &[1.0, 2.0, 3.0], 2);
    /// assert!(model.log_density(&[0.0; 5])?.is_finite());
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn gather(self, index: &[usize]) -> Gathered<'_, Self> {
        Gathered::new(self, index)
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
    #[inline(always)]
    fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        let (a, b) = acc.split_at(self.a.inputs());
        self.a.lone_edges(a).chain(self.b.lone_edges(b))
    }
    #[inline(always)]
    fn runs<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
        let (a, b) = acc.split_at(self.a.inputs());
        self.a.runs(a).chain(self.b.runs(b))
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
    fn backprop_elements(&self, adjoints: &[f64], acc: &mut [f64], offset: usize) {
        let (a, b) = (self.a.has_element_inputs(), self.b.has_element_inputs());
        let (da, db) = O::partials(|| 1.0, || 1.0);
        // A sum or difference whose per-element inputs are all on one side passes the
        // adjoints on whole (scaled by -1 for the right side of a difference, which is rare
        // enough to take the element-by-element way).
        if !O::READS_OPERANDS && a && !b && da == 1.0 {
            self.a.backprop_elements(adjoints, acc, offset);
        } else if !O::READS_OPERANDS && b && !a && db == 1.0 {
            self.b
                .backprop_elements(adjoints, acc, offset + self.a.inputs());
        } else {
            for (i, &adjoint) in adjoints.iter().enumerate() {
                self.backprop_element(i, adjoint, acc, offset);
            }
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
    ['a, E] Gathered<'a, E>,
    [O, A, B] Binary<O, A, B>
);
