//! The lazy gather `values[index[i]]`: a group-level vector indexed by each observation's group
//! (hierarchical models), whose backward pass scatters the adjoints back to the groups.

use core::cell::OnceCell;

use super::{Elements, Operand, ROW_LANES, with_plain};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;
use crate::value::PooledVec;
use crate::vector_math::{Kernel, dispatch};

/// Checks that every index is below `len`: one pass for the largest index, run at the vector
/// units' width (every gradient checks the indices, and an element-by-element search that
/// stops at the first bad index does not vectorize: it was about 11% of the hierarchical
/// anchor's gradient), then, only when one is out of range, a search for the first, which the
/// error names.
fn check_indices(index: &[usize], len: usize) -> Result<(), ModelErrorKind> {
    if index.is_empty() || dispatch(LargestIndex(index)) < len {
        return Ok(());
    }
    match index.iter().find(|&&g| g >= len) {
        None => Ok(()),
        Some(&g) => Err(ModelErrorKind::IndexOutOfRange { index: g, len }),
    }
}

/// The largest of the indices (0 for none). An integer maximum may be taken in any order, so
/// the compiler keeps one maximum per vector lane.
struct LargestIndex<'a>(&'a [usize]);

impl Kernel for LargestIndex<'_> {
    type Output = usize;
    #[inline(always)]
    fn run(self) -> usize {
        self.0.iter().fold(0, |largest, &g| largest.max(g))
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
    #[inline(always)]
    fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        super::slice_lone_edges(self.values, acc)
    }
    #[inline(always)]
    fn runs<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
        super::slice_runs(self.values, acc)
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
    /// instead of checking each one keeps the block's loads free of branches. (Written out
    /// here and in [`Gathered`]: a shared helper taking the load as a closure was not inlined
    /// into the dispatched row pass, +8% instructions per gradient.)
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
        check_indices(self.index, self.values.len())
    }
}

/// A lazy vector expression over groups, gathered by each observation's group:
/// `(mu + sigma * vector(&z)).gather(group)`, NumPyro's `alpha = mu + sigma * z;
/// alpha[group]`. The expression is evaluated once per group, not once per observation, and
/// the observations' partials are summed per group before they go back through it: for a
/// varying-intercept regression, the row pass reads one value and adds one partial per row,
/// where [`gather`] under the same arithmetic also multiplies and adds per row, and sums the
/// scalars' partials per row.
///
/// Made by the `gather` method of lazy expressions ([`Vector::gather`](super::Vector::gather),
/// [`Binary::gather`](super::Binary::gather)); indices are checked when the site is evaluated.
///
/// # Example
///
/// ```
/// use model_runtime::batch::{Elements, vector};
///
/// let z = [1.0, 2.0];
/// let group = [1, 0, 1];
/// let alpha = (0.5 + 2.0 * vector(&z)).gather(&group);
/// assert_eq!(Elements::<f64>::value(&alpha, 0), 4.5);
/// assert_eq!(Elements::<f64>::value(&alpha, 1), 2.5);
/// ```
#[derive(Clone, Debug)]
pub struct Gathered<'a, E> {
    expr: E,
    index: &'a [usize],
    /// The expression's value per group, computed on first use (after the check).
    values: OnceCell<PooledVec<f64>>,
}

impl<'a, E> Gathered<'a, E> {
    pub(super) fn new(expr: E, index: &'a [usize]) -> Self {
        Gathered {
            expr,
            index,
            values: OnceCell::new(),
        }
    }
}

impl<E> Gathered<'_, E> {
    /// The expression's value per group.
    #[inline]
    fn values<T: Scalar>(&self) -> &[f64]
    where
        E: Elements<T>,
    {
        self.values.get_or_init(|| {
            let mut values: PooledVec<f64> =
                core::iter::repeat_n(0.0, self.groups::<T>()).collect();
            if !values.is_empty() {
                self.expr.fill(&mut values);
            }
            values
        })
    }

    /// The number of groups (0 for an expression without a length, which the check refuses).
    #[inline]
    fn groups<T: Scalar>(&self) -> usize
    where
        E: Elements<T>,
    {
        self.expr.length().unwrap_or(0)
    }

    /// Sums `adjoints` (one per observation) per group and sends the sums back through the
    /// expression.
    fn backprop_groups<T: Scalar>(&self, adjoints: &[f64], acc: &mut [f64])
    where
        E: Elements<T>,
    {
        // Four sums per group, row `i` adding to the one of lane `i % 4`: rows of one group
        // are usually next to each other (data sorted by group), and a single sum would make
        // each row's addition wait for the previous row's store.
        const LANES: usize = 4;
        let groups = self.groups::<T>();
        let mut buffer = crate::vector_math::Scratch::zeroed(groups * LANES);
        // A plain slice, so that the loop keeps its pointer and length in registers: through
        // the buffer's `Vec`, each store could alias them and they are reloaded per row.
        let lanes: &mut [f64] = &mut buffer;
        let (index, rest_index) = self.index.as_chunks::<LANES>();
        let (blocks, rest) = adjoints.as_chunks::<LANES>();
        for (gs, a) in index.iter().zip(blocks) {
            for k in 0..LANES {
                lanes[gs[k] * LANES + k] += a[k];
            }
        }
        for (&g, &a) in rest_index.iter().zip(rest) {
            lanes[g * LANES] += a;
        }
        let mut sums = crate::vector_math::Scratch::for_overwrite(groups);
        for (s, l) in sums.iter_mut().zip(lanes.as_chunks::<LANES>().0) {
            *s = (l[0] + l[1]) + (l[2] + l[3]);
        }
        self.expr.backprop_slice(&sums, acc);
    }
}

impl<T: Scalar, E: Elements<T>> Elements<T> for Gathered<'_, E> {
    #[inline]
    fn length(&self) -> Option<usize> {
        Some(self.index.len())
    }
    #[inline]
    fn value(&self, i: usize) -> f64 {
        self.values::<T>()[self.index[i]]
    }
    #[inline]
    fn get(&self, i: usize) -> T {
        self.expr.get(self.index[i])
    }
    #[inline]
    fn inputs(&self) -> usize {
        self.expr.inputs()
    }
    #[inline]
    fn backprop(&self, i: usize, adjoint: f64, acc: &mut [f64]) {
        self.expr.backprop(self.index[i], adjoint, acc);
    }
    fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        self.expr.edges(acc)
    }
    #[inline(always)]
    fn lone_edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (T, f64)> + 's {
        self.expr.lone_edges(acc)
    }
    #[inline(always)]
    fn runs<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = (&'s [T], &'s [f64])> + 's {
        self.expr.runs(acc)
    }
    fn check(&self) -> Result<(), ModelErrorKind> {
        self.expr.check()?;
        let Some(n) = self.expr.length() else {
            return Err(ModelErrorKind::LengthMismatch {
                argument: "the gathered expression (a scalar has no groups)",
                expected: self.index.len(),
                found: 1,
            });
        };
        check_indices(self.index, n)
    }
    fn fill(&self, out: &mut [f64]) {
        let values = self.values::<T>();
        for (o, &g) in out.iter_mut().zip(self.index) {
            *o = values[g];
        }
    }
    fn backprop_slice(&self, adjoints: &[f64], acc: &mut [f64]) {
        if self.expr.inputs() > 0 {
            self.backprop_groups::<T>(adjoints, acc);
        }
    }
    type Local = ();
    #[inline(always)]
    fn has_element_inputs(&self) -> bool {
        self.expr.inputs() > 0
    }
    /// As [`Gather`]'s: indices clamped to the last group, checked before.
    #[inline(always)]
    fn block(&self, base: usize) -> [f64; ROW_LANES] {
        let index: &[usize; ROW_LANES] = self.index[base..base + ROW_LANES]
            .try_into()
            .expect("a block has ROW_LANES elements");
        let values = self.values::<T>();
        let Some(last) = values.len().checked_sub(1) else {
            return [f64::NAN; ROW_LANES];
        };
        let mut out = [0.0; ROW_LANES];
        for (o, &g) in out.iter_mut().zip(index) {
            *o = values[g.min(last)];
        }
        out
    }
    #[inline(always)]
    fn backprop_lane(&self, _i: usize, _lane: usize, _adjoint: f64, _local: &mut ()) {}
    /// One element's partial through the expression (under a product, whose other factor
    /// varies by element); otherwise the row pass hands all of them to
    /// [`Elements::backprop_elements`], which sums them per group first.
    #[inline]
    fn backprop_element(&self, i: usize, adjoint: f64, acc: &mut [f64], offset: usize) {
        let inputs = self.expr.inputs();
        self.expr
            .backprop(self.index[i], adjoint, &mut acc[offset..offset + inputs]);
    }
    /// The elements' partials summed per group, then sent back through the expression once.
    #[inline]
    fn backprop_elements(&self, adjoints: &[f64], acc: &mut [f64], offset: usize) {
        let inputs = self.expr.inputs();
        if inputs > 0 {
            self.backprop_groups::<T>(adjoints, &mut acc[offset..offset + inputs]);
        }
    }
    #[inline(always)]
    fn finish_rows(&self, _local: &(), _acc: &mut [f64], _offset: usize) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index the check reports as out of range, if any.
    fn reported(index: &[usize], len: usize) -> Option<usize> {
        match check_indices(index, len) {
            Ok(()) => None,
            Err(ModelErrorKind::IndexOutOfRange { index, len: l }) if l == len => Some(index),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn index_checks_pass_below_the_length_and_name_the_first_index_at_or_above_it() {
        // Long enough for whole vector blocks and a tail, at every vector width.
        let mut index: Vec<usize> = (0..37).map(|i| (i * 7) % 5).collect();
        assert_eq!(reported(&index, 5), None);
        assert_eq!(reported(&[], 0), None);
        for (position, bad) in [(0, 5), (20, 9), (36, usize::MAX)] {
            index[position] = bad;
            index[30] = 6;
            let first = if position < 30 { bad } else { 6 };
            assert_eq!(reported(&index, 5), Some(first), "{position}");
            index[position] = 4;
            index[30] = 0;
        }
        assert_eq!(reported(&[0], 0), Some(0));
    }
}
