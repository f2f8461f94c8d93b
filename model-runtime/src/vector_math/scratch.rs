//! Scratch buffers of `f64` for the vectorized loops, reused across gradient evaluations.

use core::ops::{Deref, DerefMut};
use std::cell::RefCell;

/// At most this many spare buffers are kept per thread.
const LIMIT: usize = 64;

thread_local! {
    /// Spare buffers, most recently returned last.
    static SPARE: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// A zeroed `f64` buffer taken from a per-thread stack and returned to it when dropped, so a
/// warm gradient evaluation allocates nothing. A dedicated stack for one element type costs a
/// few nanoseconds a buffer, where the general pool of [`PooledVec`](crate::value::PooledVec) first
/// looks the type up.
///
/// # Example
///
/// ```
/// use model_runtime::vector_math::Scratch;
///
/// let mut a = Scratch::zeroed(3);
/// a[1] = 2.0;
/// assert_eq!(&a[..], &[0.0, 2.0, 0.0]);
/// drop(a);
/// let b = Scratch::zeroed(2); // reuses the buffer, zeroed again
/// assert_eq!(&b[..], &[0.0, 0.0]);
/// ```
#[derive(Debug, Default)]
pub struct Scratch(Vec<f64>);

impl Scratch {
    /// `n` zeros.
    pub fn zeroed(n: usize) -> Self {
        let mut buffer = spare();
        buffer.clear();
        buffer.resize(n, 0.0);
        Scratch(buffer)
    }

    /// `n` values for a buffer whose every entry is written before it is read: whatever an
    /// earlier user left (zeros where the buffer grows), so that a large buffer is not zeroed
    /// for nothing.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::vector_math::Scratch;
    ///
    /// let mut a = Scratch::for_overwrite(4);
    /// a.fill(1.5);
    /// assert_eq!(a.len(), 4);
    /// ```
    pub fn for_overwrite(n: usize) -> Self {
        let mut buffer = spare();
        if buffer.len() > n {
            buffer.truncate(n);
        } else {
            buffer.resize(n, 0.0);
        }
        Scratch(buffer)
    }
}

/// A spare buffer of the thread, or a new empty one.
fn spare() -> Vec<f64> {
    SPARE
        .try_with(|spare| spare.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let buffer = core::mem::take(&mut self.0);
        if buffer.capacity() == 0 {
            return;
        }
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < LIMIT {
                spare.push(buffer);
            }
        });
    }
}

impl Deref for Scratch {
    type Target = Vec<f64>;
    fn deref(&self) -> &Vec<f64> {
        &self.0
    }
}

impl DerefMut for Scratch {
    fn deref_mut(&mut self) -> &mut Vec<f64> {
        &mut self.0
    }
}
