//! Slice arguments of a vectorized site (of data or of site values), one element per entry, and
//! [`vector`], a slice wrapped so that it can take part in the lazy arithmetic `+ - *`
//! ([`Binary`](super::Binary)).

use super::{Elements, Operand, ROW_LANES};
use crate::scalar::Scalar;
use crate::value::PooledVec;

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
            #[inline(always)]
            fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
                super::slice_lone_edges(&self[..], acc)
            }
            #[inline(always)]
            fn runs<'s>(
                &'s self,
                acc: &'s [f64],
            ) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
                super::slice_runs(&self[..], acc)
            }
            #[inline]
            fn fill(&self, out: &mut [f64]) {
                for (o, v) in out.iter_mut().zip(self.iter()) {
                    *o = v.plain();
                }
            }
            #[inline(always)]
            fn data(&self) -> Option<&[f64]> {
                V::plain_slice(&self[..])
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
    ['a,] &'a PooledVec<V>
);

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

impl<'a, V> Vector<'a, V> {
    /// The element `index[i]` for every `i`: the same as [`gather`](super::gather) of the
    /// slice; a lazy expression over it gathers with [`Binary::gather`](super::Binary::gather),
    /// once per group.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::batch::{Elements, vector};
    ///
    /// let z = [1.0, 2.0];
    /// let g = vector(&z).gather(&[1, 1, 0]);
    /// assert_eq!(Elements::<f64>::value(&g, 2), 1.0);
    /// ```
    pub fn gather<'i>(self, index: &'i [usize]) -> super::Gather<'i, V>
    where
        'a: 'i,
    {
        super::gather(self.values, index)
    }
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
    #[inline(always)]
    fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        super::slice_lone_edges(self.values, acc)
    }
    #[inline(always)]
    fn runs<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
        super::slice_runs(self.values, acc)
    }
    fn fill(&self, out: &mut [f64]) {
        Elements::<T>::fill(&self.values, out)
    }
    #[inline(always)]
    fn data(&self) -> Option<&[f64]> {
        Elements::<T>::data(&self.values)
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
