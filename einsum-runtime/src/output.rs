//! Allocation of outputs and temporaries in standard (row-major) layout.

use crate::error::EinsumError;
use crate::operand::{Operand, Span, Writer};
use crate::shapes::{Shape, Sub};
use crate::Element;
use ndarray::{Array, Dimension, Ix0};

/// An array being computed, with the per-label strides the loops need.
#[derive(Debug)]
pub struct Output<T, D: Dimension, const NL: usize> {
    array: Array<T, D>,
    strides: [isize; NL],
    ellipsis: Vec<isize>,
}

impl<T: Element, D: Dimension, const NL: usize> Output<T, D, NL> {
    /// A zeroed array whose axes are the subscripts of `term`.
    pub fn zeros(shape: &Shape<NL>, term: &[Sub]) -> Result<Self, EinsumError> {
        // Built in place rather than through a Vec: this runs on every call,
        // and tiny einsums should cost little more than their loops.
        let ellipsis_rank = shape.ellipsis().len();
        let ndim = term
            .iter()
            .map(|s| {
                if *s == Sub::Ellipsis {
                    ellipsis_rank
                } else {
                    1
                }
            })
            .sum();
        let mut dim = D::zeros(ndim);
        let mut axis = 0;
        for sub in term {
            match *sub {
                Sub::Label(label) => {
                    dim.slice_mut()[axis] = shape.size(label);
                    axis += 1;
                }
                Sub::Ellipsis => {
                    dim.slice_mut()[axis..axis + ellipsis_rank].copy_from_slice(shape.ellipsis());
                    axis += ellipsis_rank;
                }
            }
        }
        let len = checked_len::<T>(dim.slice())?;
        let mut data = zeroed_vec::<T>(len)?;
        advise_huge_pages(data.as_mut_ptr(), len * std::mem::size_of::<T>());
        let array = Array::from_shape_vec(dim, data)
            .expect("the data has the product of the dimensions as its length");
        let mut strides = [0isize; NL];
        let mut ellipsis = Vec::new();
        let mut axis = 0;
        for sub in term {
            match *sub {
                Sub::Label(label) => {
                    strides[label] = array.strides()[axis];
                    axis += 1;
                }
                Sub::Ellipsis => {
                    let n = shape.ellipsis().len();
                    ellipsis.extend_from_slice(&array.strides()[axis..axis + n]);
                    axis += n;
                }
            }
        }
        Ok(Output {
            array,
            strides,
            ellipsis,
        })
    }

    /// Write access for the generated loops.
    pub fn writer(&mut self) -> Writer<'_, T, NL> {
        let span = Span::of(self.array.shape(), self.array.strides());
        Writer::new(
            self.array.as_mut_ptr(),
            self.array.len(),
            self.strides,
            self.ellipsis.clone(),
            span,
        )
    }

    /// Read access, for a temporary that a later step consumes.
    pub fn operand(&self) -> Operand<'_, T, NL> {
        let span = Span::of(self.array.shape(), self.array.strides());
        Operand::new(
            self.array.as_ptr(),
            self.strides,
            self.ellipsis.clone(),
            span,
        )
    }

    /// The finished array, with the dimension type the equation fixes.
    pub fn into_array(self) -> Array<T, D> {
        self.array
    }
}

impl<T: Element, const NL: usize> Output<T, Ix0, NL> {
    /// The single element of a rank-0 result.
    pub fn into_scalar(self) -> T {
        self.into_array().into_scalar()
    }
}

/// `len` zeros, or an error when the memory cannot be had: `try_einsum!`
/// reports that rather than aborting the process. Allocated zeroed, so
/// that fresh pages from the OS are not written twice.
fn zeroed_vec<T: Element>(len: usize) -> Result<Vec<T>, EinsumError> {
    let bytes = len * std::mem::size_of::<T>();
    if bytes == 0 {
        return Ok(vec![T::zero(); len]);
    }
    // `checked_len` bounded the bytes by isize::MAX, so the layout exists.
    let layout =
        std::alloc::Layout::array::<T>(len).map_err(|_| EinsumError::AllocationFailed { bytes })?;
    // SAFETY: the layout has a non-zero size (checked above).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return Err(EinsumError::AllocationFailed { bytes });
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of
    // `[T; len]`, which is what a Vec with capacity `len` frees it with; and
    // all-zero bytes are `T::zero()` for every Element (integers, floats and
    // their complex pairs: the trait is sealed, so the list is closed).
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

/// Asks Linux to back a large, fresh allocation with huge pages, so that
/// writing it faults once per 2 MiB rather than once per 4 KiB. Only a hint:
/// it changes no contents, and failure is harmless.
fn advise_huge_pages<T>(ptr: *mut T, bytes: usize) {
    const WORTH_IT: usize = 4 << 20;
    if bytes < WORTH_IT {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = (ptr as usize).next_multiple_of(PAGE);
        let end = (ptr as usize + bytes) & !(PAGE - 1);
        // SAFETY: the range lies inside the allocation just made, rounded
        // inwards to page boundaries; MADV_HUGEPAGE does not change what the
        // memory holds.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = ptr;
}

/// The number of elements of an array with `dims`, or an error when its
/// bytes would exceed `isize::MAX` (the most an allocation may hold).
pub fn checked_len<T>(dims: &[usize]) -> Result<usize, EinsumError> {
    let too_large = || EinsumError::SizeOverflow {
        shape: dims.to_vec(),
    };
    let len = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(too_large)?;
    let bytes = len
        .checked_mul(std::mem::size_of::<T>().max(1))
        .ok_or_else(too_large)?;
    if bytes > isize::MAX as usize {
        return Err(too_large());
    }
    Ok(len)
}
