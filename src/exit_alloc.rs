//! The binary's allocator: the system's, except that once the run is over
//! and the process is about to exit, memory given back is not freed. The
//! Lua state still closes (every finalizer and `Drop` runs); only the work
//! of handing each of its objects back to malloc is skipped, which the
//! kernel does at once at exit. After a script that made 50,000 objects,
//! that was about a fifth of the time spent closing the state.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// System's allocator, with frees skipped after [`stop_freeing`].
pub struct ExitAllocator;

static KEEP: AtomicBool = AtomicBool::new(false);
static KEPT: AtomicUsize = AtomicUsize::new(0);

/// Past this much kept memory, frees happen again: a finalizer that churns
/// memory at exit cannot grow the process without bound.
const KEEP_AT_MOST: usize = 256 << 20;

/// From now on, until the process exits, memory given back is kept.
pub fn stop_freeing() {
    KEEP.store(true, Ordering::Relaxed);
}

// SAFETY: every call goes to System; a block not freed is never reused.
unsafe impl GlobalAlloc for ExitAllocator {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if KEEP.load(Ordering::Relaxed) && KEPT.fetch_add(l.size(), Ordering::Relaxed) < KEEP_AT_MOST {
            return;
        }
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        unsafe { System.realloc(p, l, new) }
    }
}
