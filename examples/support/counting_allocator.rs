//! A global allocator that counts each thread's heap allocations, for the tests that check a
//! warm hot path allocates nothing. A test binary installs it with
//! `#[global_allocator] static GLOBAL: CountingAllocator = CountingAllocator;` and reads
//! [`allocations`] before and after the code it measures.
//!
//! Per thread, not per process: libtest's main thread allocates its own bookkeeping (the
//! running test's timeout entry) just after it starts a test's thread, which on a slow machine
//! falls inside a measured window.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    // Const-initialized and without a destructor: reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting every allocation (reallocations included: the default
/// `realloc` allocates anew) of the thread that makes it.
pub struct CountingAllocator;

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: an allocation during thread teardown goes uncounted rather than panics.
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations made so far by the calling thread (counted only where [`CountingAllocator`] is
/// the global allocator).
pub fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}
