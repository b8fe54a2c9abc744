//! Scratch memory a thread keeps between calls (as a BLAS keeps its
//! workspace): a fresh array each call would cost its page faults each
//! call, which on a step of a few milliseconds is a large part of it.

use crate::context::Context;
use crate::Element;
use std::cell::Cell;

/// The largest array a thread keeps: a larger one's step does far more
/// work than its page faults, and the memory goes back at once.
const MOST_KEPT: usize = 64 << 20;

thread_local! {
    /// The largest array this thread has used (up to [`MOST_KEPT`]). Taken
    /// while in use, so that a step that runs inside another (a task
    /// stolen meanwhile) makes its own.
    static KEPT: Cell<Vec<u128>> = const { Cell::new(Vec::new()) };
}

/// Runs `f` on an array of `len` elements of this thread's kept memory,
/// holding whatever an earlier step left there (zeros when fresh, all
/// bits set in debug builds): `f` must write each element before reading
/// it.
pub(crate) fn with_kept<T: Element, R>(
    context: &Context,
    len: usize,
    f: impl FnOnce(&mut [T]) -> R,
) -> R {
    let mut kept = KEPT.take();
    let words = (len * size_of::<T>()).div_ceil(size_of::<u128>());
    if kept.len() < words {
        drop(kept);
        // Zeroed lazily (a fresh mapping), then faulted in on every thread
        // that will write it.
        kept = vec![0u128; words];
        let bytes = words * size_of::<u128>();
        crate::pages::advise_huge_pages(kept.as_mut_ptr().cast(), bytes);
        crate::pages::prefault(context, kept.as_mut_ptr(), bytes);
    }
    const { assert!(align_of::<T>() <= align_of::<u128>()) };
    // SAFETY: `kept` holds at least `len` elements' bytes, aligned as u128
    // is; elements are numbers (or pairs of them), for which any bytes,
    // zeros included, are a value.
    let array = unsafe { std::slice::from_raw_parts_mut(kept.as_mut_ptr().cast::<T>(), len) };
    // Debug builds hand out NaN (or −1) everywhere, so that an element read
    // before it is written shows in the results.
    #[cfg(debug_assertions)]
    // SAFETY: as above.
    unsafe {
        std::ptr::write_bytes(array.as_mut_ptr(), 0xFF, len)
    };
    let result = f(array);
    if kept.len() * size_of::<u128>() <= MOST_KEPT {
        KEPT.set(kept);
    }
    result
}
