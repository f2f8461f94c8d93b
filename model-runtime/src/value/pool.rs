//! Pooled vectors for the values of vector sites inside model bodies.
//!
//! A vector site's value lives for one run of the body: the log density handler builds it, the
//! body reads it, and it is dropped when the body returns. Gradient-based inference runs the body
//! thousands of times, so [`PooledVec`] returns its buffer to a per-thread pool when it is dropped
//! and takes one from the pool when it is built: once warm, evaluating a model with vector sites
//! allocates nothing. The typed draw structs store plain `Vec`s (see
//! [`ValueKind::Plain`](super::ValueKind::Plain)); `PooledVec` appears only inside bodies.

use core::any::{Any, TypeId};
use core::fmt;
use core::ops::{Deref, DerefMut};
use std::cell::RefCell;

use crate::scalar::{IntoParam, Scalar};

/// At most this many spare buffers of one element type are kept per thread.
const POOL_LIMIT: usize = 64;

thread_local! {
    /// Spare buffers by element type: each entry holds a `Vec<Vec<X>>`.
    static POOLS: RefCell<Vec<(TypeId, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer from the pool, or a new one when the pool has none.
fn take<X: 'static>() -> Vec<X> {
    POOLS
        .try_with(|pools| {
            let mut pools = pools.borrow_mut();
            pools
                .iter_mut()
                .find(|(id, _)| *id == TypeId::of::<X>())
                .and_then(|(_, spare)| spare.downcast_mut::<Vec<Vec<X>>>()?.pop())
        })
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Returns a buffer to the pool (emptied first, outside the pool's borrow, since dropping the
/// elements may itself return nested buffers).
fn give<X: 'static>(mut buffer: Vec<X>) {
    if buffer.capacity() == 0 {
        return;
    }
    buffer.clear();
    let _ = POOLS.try_with(|pools| {
        let mut pools = pools.borrow_mut();
        let index = match pools.iter().position(|(id, _)| *id == TypeId::of::<X>()) {
            Some(index) => index,
            None => {
                pools.push((TypeId::of::<X>(), Box::new(Vec::<Vec<X>>::new())));
                pools.len() - 1
            }
        };
        if let Some(spare) = pools[index].1.downcast_mut::<Vec<Vec<X>>>()
            && spare.len() < POOL_LIMIT
        {
            spare.push(buffer);
        }
    });
}

/// The value of a vector site inside a model body: a `Vec` whose buffer comes from and returns
/// to a per-thread pool. It dereferences to `Vec<X>`, so it indexes, iterates and coerces to a
/// slice like one.
///
/// # Example
///
/// ```
/// use model_runtime::value::PooledVec;
///
/// let v: PooledVec<f64> = [1.0, 2.0, 3.0].into_iter().collect();
/// assert_eq!(v[1], 2.0);
/// assert_eq!(v.iter().sum::<f64>(), 6.0);
/// let s: &[f64] = &v;
/// assert_eq!(s.len(), 3);
/// assert_eq!(v.into_vec(), vec![1.0, 2.0, 3.0]);
/// ```
pub struct PooledVec<X: 'static>(Vec<X>);

impl<X: 'static> PooledVec<X> {
    /// An empty value with a buffer from the pool.
    pub fn new() -> Self {
        PooledVec(take())
    }

    /// A copy of `items` in a pooled buffer.
    pub fn from_slice(items: &[X]) -> Self
    where
        X: Clone,
    {
        let mut buffer = take();
        buffer.extend_from_slice(items);
        PooledVec(buffer)
    }

    /// The elements as a plain `Vec` (its buffer then leaves the pool).
    pub fn into_vec(mut self) -> Vec<X> {
        core::mem::take(&mut self.0)
    }
}

impl<X: 'static> Drop for PooledVec<X> {
    fn drop(&mut self) {
        give(core::mem::take(&mut self.0));
    }
}

impl<X: 'static> Deref for PooledVec<X> {
    type Target = Vec<X>;
    #[inline(always)]
    fn deref(&self) -> &Vec<X> {
        &self.0
    }
}

impl<X: 'static> DerefMut for PooledVec<X> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Vec<X> {
        &mut self.0
    }
}

impl<X: 'static> Default for PooledVec<X> {
    /// Empty, with no buffer (so a default value allocates nothing).
    fn default() -> Self {
        PooledVec(Vec::new())
    }
}

impl<X: Clone + 'static> Clone for PooledVec<X> {
    fn clone(&self) -> Self {
        PooledVec::from_slice(&self.0)
    }
}

impl<X: fmt::Debug + 'static> fmt::Debug for PooledVec<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<X: PartialEq + 'static> PartialEq for PooledVec<X> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<X: PartialEq + 'static> PartialEq<Vec<X>> for PooledVec<X> {
    fn eq(&self, other: &Vec<X>) -> bool {
        &self.0 == other
    }
}

impl<X: 'static> From<Vec<X>> for PooledVec<X> {
    fn from(v: Vec<X>) -> Self {
        PooledVec(v)
    }
}

impl<X: 'static> FromIterator<X> for PooledVec<X> {
    fn from_iter<I: IntoIterator<Item = X>>(iter: I) -> Self {
        let mut buffer = take();
        buffer.extend(iter);
        PooledVec(buffer)
    }
}

impl<X: 'static> IntoIterator for PooledVec<X> {
    type Item = X;
    type IntoIter = std::vec::IntoIter<X>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a, X: 'static> IntoIterator for &'a PooledVec<X> {
    type Item = &'a X;
    type IntoIter = core::slice::Iter<'a, X>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A vector site's value (`PooledVec`) passed on as a vector parameter, such as Dirichlet-distributed
/// probabilities given to a categorical.
impl<T: Scalar, U: IntoParam<T, Param = T> + Clone + 'static> IntoParam<T> for PooledVec<U> {
    type Param = Vec<T>;
    fn into_param(self) -> Vec<T> {
        self.into_iter().map(IntoParam::into_param).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_reused() {
        let first: PooledVec<u32> = (0..100).collect();
        let address = first.as_ptr();
        drop(first);
        let second: PooledVec<u32> = (0..50).collect();
        assert_eq!(
            second.as_ptr(),
            address,
            "the dropped buffer was not reused"
        );
        assert_eq!(second.len(), 50);
    }
}
