//! The lazy matrix-vector product `X β`: each element is a row's dot product, and its backward
//! pass is `Xᵀ · adjoints`, the hand-written gradient of a generalized linear model (Stan's
//! `*_glm` functions); [`Elements::linear`] exposes it to the fused GLM kernels.

use super::{Elements, Linear, Operand, scratch, with_plain};
use crate::error::ModelErrorKind;
use crate::linalg::Matrix;
use crate::scalar::Scalar;

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
    #[inline(always)]
    fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        super::slice_lone_edges(self.vector, acc)
    }
    #[inline(always)]
    fn runs<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
        super::slice_runs(self.vector, acc)
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
