//! Advice to the kernel about the pages of large outputs: huge pages for a
//! fresh allocation, and faulting its pages in on every thread before a
//! parallel engine writes it. Only hints: they change no contents, and
//! their failure is harmless.

/// Allocations below this size get no page advice: the saving would not
/// pay for the system call.
const ADVISE_FROM: usize = 4 << 20;

/// The whole pages inside `bytes` bytes from `ptr`, as an address range:
/// a large allocation's range rounded inwards, or `None` below
/// [`ADVISE_FROM`].
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn whole_pages(ptr: *mut u8, bytes: usize) -> Option<std::ops::Range<usize>> {
    const PAGE: usize = 4096;
    if bytes < ADVISE_FROM {
        return None;
    }
    let start = (ptr as usize).next_multiple_of(PAGE);
    let end = (ptr as usize + bytes) & !(PAGE - 1);
    Some(start..end)
}

/// Asks Linux to back a large, fresh allocation with huge pages, so that
/// writing it faults once per 2 MiB rather than once per 4 KiB; nothing
/// below 4 MiB. For bindings that allocate outputs themselves (the Python
/// package's reused buffers).
pub fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    if let Some(pages) = whole_pages(ptr, bytes) {
        // SAFETY: the range lies inside the allocation just made, rounded
        // inwards to page boundaries; MADV_HUGEPAGE does not change what the
        // memory holds.
        unsafe {
            libc::madvise(
                pages.start as *mut libc::c_void,
                pages.len(),
                libc::MADV_HUGEPAGE,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, bytes);
}

/// Faults in the pages of a large, fresh output before several threads
/// write it, the halves of it on different threads at once. Without this
/// the writers take the page faults (each zeroing a huge page) in the
/// middle of their work: a batch of GEMMs writing 32 MB of fresh output
/// ran slower on two threads than on one. Not for outputs written once at
/// memory speed (an outer product): faulting in a page just before writing
/// it keeps it in cache, while this pass would zero it to memory first.
/// Only a hint: it changes no contents (the pages of a fresh allocation
/// read as zero, those of a reused one keep their bytes), and failure is
/// harmless. `ptr` and `bytes` must lie within one allocation.
#[inline]
pub(crate) fn prefault<T>(context: &crate::context::Context, ptr: *mut T, bytes: usize) {
    prefault_bytes(context, ptr.cast(), bytes);
}

/// [`prefault`], compiled once for every element type.
fn prefault_bytes(context: &crate::context::Context, ptr: *mut u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    if let Some(pages) = whole_pages(ptr, bytes).filter(|pages| !is_resident(pages.start)) {
        // Huge-page sized pieces, spread over the einsum's pool.
        const PIECE: usize = 2 << 20;
        let pieces = pages.len().div_ceil(PIECE);
        crate::schedule::par_each(context, pieces, &|k| {
            let from = pages.start + k * PIECE;
            let to = (from + PIECE).min(pages.end);
            // SAFETY: the range lies inside the caller's allocation, rounded
            // inwards to page boundaries; MADV_POPULATE_WRITE only maps the
            // pages (Linux 5.14+; older kernels reject it, harmlessly).
            unsafe {
                libc::madvise(
                    from as *mut libc::c_void,
                    to - from,
                    libc::MADV_POPULATE_WRITE,
                );
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (context, ptr, bytes);
}

/// Whether the page at `page` is in memory: a large block that malloc
/// reused from its heap is, and faulting it in again would only cost time
/// (see PERFORMANCE.md); a fresh mapping is not.
#[cfg(target_os = "linux")]
fn is_resident(page: usize) -> bool {
    let mut resident = 0u8;
    // SAFETY: `page` is page-aligned and inside the caller's allocation;
    // mincore writes one byte per page, here one.
    let status = unsafe { libc::mincore(page as *mut libc::c_void, 1, &mut resident) };
    status == 0 && resident & 1 == 1
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_mapping_is_not_resident_until_written() {
        // 64 MiB is above every malloc's mmap threshold: a fresh mapping.
        let mut block = Vec::<u8>::with_capacity(64 << 20);
        let pages = whole_pages(block.as_mut_ptr(), block.capacity()).expect("large");
        assert!(!is_resident(pages.start));
        // SAFETY: the page lies inside the capacity; a u8 needs no
        // initialization.
        unsafe { std::ptr::write_volatile(pages.start as *mut u8, 1) };
        assert!(is_resident(pages.start));
    }
}
