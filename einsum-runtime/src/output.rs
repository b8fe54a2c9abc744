//! Allocation of outputs and temporaries in standard (row-major) layout.

use crate::error::EinsumError;
use crate::operand::{EllipsisStrides, Operand, Span, Writer};
use crate::scale::Scale;
use crate::shapes::{Shape, Sub};
use crate::Element;
use ndarray::{Array, Dimension, Ix0};

/// An array being computed, with the per-label strides the loops need.
///
/// Its memory is not zeroed: every kernel writes each element of its
/// output before anything reads it (the GEMM engines overwrite, the
/// generated loops store each sum once), so zeroing would only cost a
/// pass over memory, and for a reused heap block a serial one (8 MB of
/// batched matmul output took longer to zero than to multiply). The
/// elements become an ndarray only in [`Output::into_array`]. Debug builds
/// (the test suite) fill it with all-ones bytes first (NaN, or -1), so
/// that an element a kernel forgot shows up as a wrong result.
#[derive(Debug)]
pub struct Output<T, D: Dimension, const NL: usize> {
    /// Capacity for every element; its length stays 0 until they are written.
    data: Vec<T>,
    dim: D,
    len: usize,
    strides: [isize; NL],
    ellipsis: Vec<isize>,
    /// `alpha = ...` of the call (a new array has no `beta`).
    scale: Option<Scale<T>>,
}

impl<T: Element, D: Dimension, const NL: usize> Output<T, D, NL> {
    /// An array in standard layout whose axes are the subscripts of
    /// `term`, for the kernels to write every element of.
    pub fn allocate(shape: &Shape<NL>, term: &[Sub]) -> Result<Self, EinsumError> {
        // Built in place rather than through a Vec of dims: this runs on
        // every call, and tiny einsums should cost little more than their loops.
        let ellipsis = shape.ellipsis();
        let has_ellipsis = term.contains(&Sub::Ellipsis);
        let ndim = if has_ellipsis {
            term.len() - 1 + ellipsis.len()
        } else {
            term.len()
        };
        let mut dim = D::zeros(ndim);
        let mut strides = [0isize; NL];
        let mut ellipsis_strides = Vec::new();
        if has_ellipsis {
            let sizes = shape.label_sizes();
            ellipsis_layout(
                sizes,
                ellipsis,
                term,
                dim.slice_mut(),
                &mut strides,
                &mut ellipsis_strides,
            );
        } else {
            // Each axis a label (the usual case, folded into each expansion).
            let dims = dim.slice_mut();
            for (axis, sub) in term.iter().enumerate() {
                if let Sub::Label(label) = *sub {
                    dims[axis] = shape.size(label);
                }
            }
        }
        let len = checked_len::<T>(dim.slice())?;
        if !has_ellipsis && len != 0 {
            // Standard layout; an empty array's strides stay 0, as ndarray's.
            let mut stride = 1;
            for sub in term.iter().rev() {
                if let Sub::Label(label) = *sub {
                    strides[label] = stride as isize;
                    stride *= shape.size(label);
                }
            }
        }
        let data = uninit_vec::<T>(len)?;
        Ok(Output {
            data,
            dim,
            len,
            strides,
            ellipsis: ellipsis_strides,
            scale: None,
        })
    }

    /// The same output, its stores multiplied by `alpha` (`scale`).
    pub fn scaled(mut self, scale: Scale<T>) -> Self {
        self.scale = Some(scale);
        self
    }

    /// The span of the standard layout (computed in debug builds only,
    /// where offsets are checked against it).
    fn span(&self) -> Span {
        #[cfg(debug_assertions)]
        {
            let strides: Vec<isize> = self
                .dim
                .default_strides()
                .slice()
                .iter()
                .map(|&s| s as isize)
                .collect();
            Span::of(self.dim.slice(), &strides)
        }
        #[cfg(not(debug_assertions))]
        Span::of(&[], &[])
    }

    /// Write access for the kernels, which must write every element.
    pub fn writer(&mut self) -> Writer<'_, T, NL> {
        Writer::new(
            self.data.as_mut_ptr(),
            self.len,
            self.strides,
            &self.ellipsis,
            self.span(),
        )
        .with_scale(self.scale)
    }

    /// Read access, for a temporary that a later step consumes once the
    /// step that computes it has written it.
    pub fn operand(&self) -> Operand<'_, T, NL> {
        Operand::new(
            self.data.as_ptr(),
            self.strides,
            EllipsisStrides::plain(&self.ellipsis),
            self.span(),
        )
    }

    /// The finished array, with the dimension type the equation fixes.
    pub fn into_array(self) -> Array<T, D> {
        let mut data = self.data;
        // SAFETY: the capacity holds `len` elements, and the kernels that
        // ran on this output wrote each of them (see the type's docs; debug
        // builds also pre-fill them, so the bytes are initialized there
        // regardless).
        unsafe { data.set_len(self.len) };
        // SAFETY: `len` is the product of the dimensions (`allocate`
        // computed both), and standard layout needs nothing else.
        unsafe { Array::from_shape_vec_unchecked(self.dim, data) }
    }
}

impl<T: Element, const NL: usize> Output<T, Ix0, NL> {
    /// The single element of a rank-0 result.
    pub fn into_scalar(self) -> T {
        self.into_array().into_scalar()
    }
}

/// [`Output::allocate`] for a term with an ellipsis: `dims` (of the
/// output's rank) and the strides of the standard layout, for each label
/// (`strides`) and each ellipsis dimension (`ellipsis_strides`); all 0 when
/// some dimension is (as ndarray makes them for an empty array).
fn ellipsis_layout(
    sizes: &[usize],
    ellipsis: &[usize],
    term: &[Sub],
    dims: &mut [usize],
    strides: &mut [isize],
    ellipsis_strides: &mut Vec<isize>,
) {
    let mut axis = 0;
    for sub in term {
        match *sub {
            Sub::Label(label) => {
                dims[axis] = sizes[label];
                axis += 1;
            }
            Sub::Ellipsis => {
                dims[axis..axis + ellipsis.len()].copy_from_slice(ellipsis);
                axis += ellipsis.len();
            }
        }
    }
    let mut standard = vec![0isize; dims.len()];
    if !dims.contains(&0) {
        let mut stride = 1isize;
        for (s, &d) in standard.iter_mut().zip(dims.iter()).rev() {
            *s = stride;
            // Wrapping: an overflowing shape is refused before it is used.
            stride = stride.wrapping_mul(d as isize);
        }
    }
    let mut axis = 0;
    for sub in term {
        match *sub {
            Sub::Label(label) => {
                strides[label] = standard[axis];
                axis += 1;
            }
            Sub::Ellipsis => {
                ellipsis_strides.extend_from_slice(&standard[axis..axis + ellipsis.len()]);
                axis += ellipsis.len();
            }
        }
    }
}

/// Room for `len` elements (an empty Vec with that capacity), or an error
/// when the memory cannot be had: `try_einsum!` reports that rather than
/// aborting. Large blocks are advised to use huge pages before their first
/// touch; debug builds fill the bytes with ones.
fn uninit_vec<T: Element>(len: usize) -> Result<Vec<T>, EinsumError> {
    let bytes = len * std::mem::size_of::<T>();
    let mut data = Vec::<T>::new();
    if data.try_reserve_exact(len).is_err() {
        return Err(allocation_failed(bytes));
    }
    if bytes >= ADVISE_FROM {
        advise_huge_pages(data.as_mut_ptr().cast(), bytes);
    }
    #[cfg(debug_assertions)]
    // SAFETY: the capacity holds `len` elements; any bytes are a valid
    // integer, float or complex value.
    unsafe {
        std::ptr::write_bytes(data.as_mut_ptr(), 0xFF, len)
    };
    Ok(data)
}

#[cold]
#[inline(never)]
fn allocation_failed(bytes: usize) -> EinsumError {
    EinsumError::AllocationFailed { bytes }
}

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
/// writing it faults once per 2 MiB rather than once per 4 KiB. Only a hint:
/// it changes no contents, and failure is harmless.
fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
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
pub(crate) fn prefault<T>(ptr: *mut T, bytes: usize) {
    prefault_bytes(ptr.cast(), bytes);
}

/// [`prefault`], compiled once for every element type.
fn prefault_bytes(ptr: *mut u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    if let Some(pages) = whole_pages(ptr, bytes).filter(|pages| !is_resident(pages.start)) {
        // Huge-page sized pieces, spread over the einsum's pool.
        const PIECE: usize = 2 << 20;
        let pieces = pages.len().div_ceil(PIECE);
        crate::schedule::par_each(pieces, &|k| {
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
    let _ = (ptr, bytes);
}

/// Whether the page at `page` is in memory: a large block that malloc
/// reused from its heap is, and faulting it in again would only cost time
/// (an 8 MiB batched output: 1.9 ms with the pass against 1.7 without); a
/// fresh mapping is not.
#[cfg(target_os = "linux")]
fn is_resident(page: usize) -> bool {
    let mut resident = 0u8;
    // SAFETY: `page` is page-aligned and inside the caller's allocation;
    // mincore writes one byte per page, here one.
    let status = unsafe { libc::mincore(page as *mut libc::c_void, 1, &mut resident) };
    status == 0 && resident & 1 == 1
}

/// The number of elements of an array with `dims`, or an error when its
/// bytes would exceed `isize::MAX` (the most an allocation may hold).
#[inline]
pub fn checked_len<T>(dims: &[usize]) -> Result<usize, EinsumError> {
    let mut len = 1usize;
    for &d in dims {
        match len.checked_mul(d) {
            Some(product) => len = product,
            None => return Err(too_large(dims)),
        }
    }
    match len.checked_mul(std::mem::size_of::<T>().max(1)) {
        Some(bytes) if bytes <= isize::MAX as usize => Ok(len),
        _ => Err(too_large(dims)),
    }
}

#[cold]
#[inline(never)]
fn too_large(dims: &[usize]) -> EinsumError {
    EinsumError::SizeOverflow {
        shape: dims.to_vec(),
    }
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
