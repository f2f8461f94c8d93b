//! The lazy gather `values[index[i]]`: a group-level vector indexed by each observation's group
//! (hierarchical models), whose backward pass scatters the adjoints back to the groups.

use super::{Elements, Operand, ROW_LANES, with_plain};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;

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
