//! Scratch buffers of `f64` for the vectorized loops, reused across gradient evaluations.
//!
//! Buffers are carved from a per-thread arena, a stack of `f64` allocated once: taking one
//! moves the top of the stack up, dropping the topmost moves it back down, so a warm gradient
//! evaluation allocates nothing and a buffer costs a few instructions. The statements of a
//! small model take several buffers each (eight schools' eight elements: the arguments, their
//! partials, the accumulators), and there a round trip through a `RefCell`'d stack of `Vec`s
//! for each was about a tenth of the gradient. Buffers too long for what is left of the arena
//! come from a stack of spare `Vec`s instead.

use core::cell::Cell;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
use std::cell::RefCell;

/// At most this many spare buffers are kept per thread.
const LIMIT: usize = 64;

/// The arena's length in values (256 KiB): the buffers that a statement of a few thousand
/// elements takes at once.
const ARENA_LEN: usize = 1 << 15;

/// Values per cache line: every buffer starts on one.
const LINE: usize = 8;

thread_local! {
    /// Spare buffers, most recently returned last.
    static SPARE: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
    // The arena is reached through a plain pointer, as the autodiff tape is: a thread-local
    // without a destructor is a bare address.
    static ARENA: Cell<*mut Arena> = const { Cell::new(core::ptr::null_mut()) };
    // Frees the arena when the thread ends.
    static OWNER: ArenaOwner = const { ArenaOwner(Cell::new(core::ptr::null_mut())) };
}

/// One thread's stack of values: the `top` values from `base` are taken, and buffers are handed
/// out above them.
struct Arena {
    /// The allocation (from `Box::into_raw`, freed when the arena is dropped): held as a raw
    /// pointer, not a `Box`, since the buffers point into it while the arena is moved and used.
    values: NonNull<[f64]>,
    /// `ARENA_LEN` values from the first cache line boundary of `values`.
    base: NonNull<f64>,
    top: usize,
    /// Buffers taken and not yet dropped. A buffer dropped while another above it is still
    /// live cannot move the top down; its space comes back when no buffer is live.
    live: usize,
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: `values` came from `Box::leak` in `new_arena`, and the arena is dropped only
        // when no buffer points into it (see `ArenaOwner`).
        drop(unsafe { Box::from_raw(self.values.as_ptr()) });
    }
}

/// Owns the thread's arena: frees it at thread exit, unless a buffer is still live (one kept in
/// another thread-local whose destructor has not run yet), in which case it is leaked.
struct ArenaOwner(Cell<*mut Arena>);

impl Drop for ArenaOwner {
    fn drop(&mut self) {
        let arena = self.0.replace(core::ptr::null_mut());
        if arena.is_null() {
            return;
        }
        // SAFETY: `arena` came from `Box::into_raw` in `new_arena` and is still allocated.
        if unsafe { (*arena).live } == 0 {
            let _ = ARENA.try_with(|a| a.set(core::ptr::null_mut()));
            // SAFETY: as above; no buffer points into it, and `ARENA` no longer names it.
            drop(unsafe { Box::from_raw(arena) });
        }
    }
}

/// Allocates this thread's arena on first use; null when the thread is ending.
#[cold]
#[inline(never)]
fn new_arena() -> *mut Arena {
    let Ok(()) = OWNER.try_with(|_| ()) else {
        return core::ptr::null_mut();
    };
    // Over-allocated by a line, and started where a line starts.
    let values = vec![0.0; ARENA_LEN + LINE].into_boxed_slice();
    let skip = values
        .as_ptr()
        .align_offset(LINE * size_of::<f64>())
        .min(LINE);
    let values = NonNull::from(Box::leak(values));
    // SAFETY: `skip ≤ LINE`, within the `ARENA_LEN + LINE` values.
    let base = unsafe { values.cast::<f64>().add(skip) };
    let arena = Box::into_raw(Box::new(Arena {
        values,
        base,
        top: 0,
        live: 0,
    }));
    let _ = OWNER.try_with(|owner| owner.0.set(arena));
    ARENA.with(|a| a.set(arena));
    arena
}

/// The thread's arena (null once its owner is gone).
#[inline(always)]
fn arena() -> *mut Arena {
    let arena = ARENA.with(Cell::get);
    if arena.is_null() { new_arena() } else { arena }
}

/// A zeroed `f64` buffer from the thread's arena (or, when the arena has no room, from a stack
/// of spare buffers), given back when dropped.
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
/// let b = Scratch::zeroed(2); // the same space, zeroed again
/// assert_eq!(&b[..], &[0.0, 0.0]);
/// ```
pub struct Scratch {
    /// The first value: in the arena, or in `heap`.
    start: NonNull<f64>,
    len: usize,
    /// Where the arena's top was before this buffer was taken; unused for a heap buffer.
    mark: usize,
    /// The values when the arena had no room (of length at least `len`); empty otherwise.
    heap: Vec<f64>,
    /// Whether the values are in the arena.
    in_arena: bool,
}

impl Scratch {
    /// `n` zeros.
    #[inline(always)]
    pub fn zeroed(n: usize) -> Self {
        let mut scratch = Self::for_overwrite(n);
        scratch.fill(0.0);
        scratch
    }

    /// `n` values for a buffer whose every entry is written before it is read: whatever an
    /// earlier user left, so that a buffer is not zeroed for nothing.
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
    #[inline(always)]
    pub fn for_overwrite(n: usize) -> Self {
        let arena = arena();
        if !arena.is_null() {
            // SAFETY: a live arena of this thread; no reference to it outlives this block.
            let arena = unsafe { &mut *arena };
            // Each buffer starts on a cache line (`base` is on one), as
            // the vector units' loads prefer: a line split costs a second access.
            let mark = arena.top.next_multiple_of(LINE);
            if mark <= ARENA_LEN && n <= ARENA_LEN - mark {
                arena.top = mark + n;
                arena.live += 1;
                return Scratch {
                    // SAFETY: `mark ≤ ARENA_LEN`: within the values from `base` (or one past).
                    start: unsafe { arena.base.add(mark) },
                    len: n,
                    mark,
                    heap: Vec::new(),
                    in_arena: true,
                };
            }
        }
        Self::from_spare(n)
    }

    /// A buffer of `n` values from the stack of spare buffers.
    #[cold]
    #[inline(never)]
    fn from_spare(n: usize) -> Self {
        let mut heap = SPARE
            .try_with(|spare| spare.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_default();
        if heap.len() < n {
            heap.resize(n, 0.0);
        }
        Scratch {
            start: NonNull::new(heap.as_mut_ptr()).expect("a Vec's pointer is never null"),
            len: n,
            mark: 0,
            heap,
            in_arena: false,
        }
    }
}

impl Drop for Scratch {
    #[inline(always)]
    fn drop(&mut self) {
        if self.in_arena {
            // SAFETY: a buffer in the arena keeps the arena alive (its owner leaks it rather
            // than free it under a live buffer), and it belongs to this thread (`Scratch` is
            // neither `Send` nor `Sync`, through its pointer).
            let arena = unsafe { &mut *ARENA.with(Cell::get) };
            arena.live -= 1;
            if arena.live == 0 {
                arena.top = 0;
            } else if arena.top == self.mark + self.len {
                arena.top = self.mark;
            }
            return;
        }
        give_back(core::mem::take(&mut self.heap));
    }
}

/// Returns a heap buffer to the stack of spare buffers.
#[cold]
#[inline(never)]
fn give_back(buffer: Vec<f64>) {
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

impl Deref for Scratch {
    type Target = [f64];
    #[inline(always)]
    fn deref(&self) -> &[f64] {
        // SAFETY: `start..start + len` lies in the arena's or the heap buffer's values, which
        // no other buffer shares while this one lives.
        unsafe { core::slice::from_raw_parts(self.start.as_ptr(), self.len) }
    }
}

impl DerefMut for Scratch {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [f64] {
        // SAFETY: as in `deref`.
        unsafe { core::slice::from_raw_parts_mut(self.start.as_ptr(), self.len) }
    }
}

impl core::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::for_overwrite(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_disjoint_and_their_space_comes_back() {
        let mut a = Scratch::zeroed(5);
        let mut b = Scratch::zeroed(7);
        a.fill(1.0);
        b.fill(2.0);
        assert!(a.iter().all(|&x| x == 1.0) && b.iter().all(|&x| x == 2.0));
        // Dropped out of order: `a` cannot give its space back while `b` lives above it.
        drop(a);
        let c = Scratch::zeroed(3);
        assert!(b.iter().all(|&x| x == 2.0));
        assert!(c.iter().all(|&x| x == 0.0));
        // Each starts on the next cache line.
        let (b_start, c_start) = (b.as_ptr(), c.as_ptr());
        assert_eq!(c_start, b_start.wrapping_add(LINE));
        assert_eq!(c_start.align_offset(64), 0);
        drop(c);
        drop(b);
        // Nothing live: the next buffer starts at the bottom again, where `a` was.
        let d = Scratch::for_overwrite(1);
        assert_eq!(d.as_ptr(), b_start.wrapping_sub(LINE));
    }

    #[test]
    fn a_buffer_longer_than_the_arena_comes_from_the_heap() {
        let small = Scratch::zeroed(10);
        let mut big = Scratch::zeroed(ARENA_LEN);
        assert!(!big.in_arena && small.in_arena);
        big[ARENA_LEN - 1] = 3.0;
        assert_eq!(big.len(), ARENA_LEN);
        drop(big);
        // A spare buffer longer than asked is handed out at the asked length, zeroed.
        let again = Scratch::zeroed(ARENA_LEN);
        assert!(again.iter().all(|&x| x == 0.0));
    }
}
