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
        let (dim, len, strides, ellipsis) = layout::<T, D, NL>(shape, term)?;
        let data = uninit_vec::<T>(len)?;
        Ok(Output {
            data,
            dim,
            len,
            strides,
            ellipsis,
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

/// The standard layout of an output of `term`: its dimensions, length,
/// per-label strides and ellipsis strides (what [`Output::allocate`]
/// allocates, and `explain!` plans with).
#[inline]
fn layout<T, D: Dimension, const NL: usize>(
    shape: &Shape<NL>,
    term: &[Sub],
) -> Result<(D, usize, [isize; NL], Vec<isize>), EinsumError> {
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
        contiguous_strides(shape, term.iter(), &mut strides);
    }
    Ok((dim, len, strides, ellipsis_strides))
}

/// The strides of the labels `laid` (outermost first) in contiguous
/// memory, each label's place in `strides`.
#[inline]
fn contiguous_strides<'t, const NL: usize>(
    shape: &Shape<NL>,
    laid: impl DoubleEndedIterator<Item = &'t Sub>,
    strides: &mut [isize; NL],
) {
    let mut stride = 1;
    for sub in laid.rev() {
        if let Sub::Label(label) = *sub {
            strides[label] = stride as isize;
            stride *= shape.size(label);
        }
    }
}

/// Where an output would lie, without its memory: for `explain!`, whose
/// engine choice reads the output's strides.
pub(crate) struct PlannedOutput<const NL: usize> {
    len: usize,
    strides: [isize; NL],
    ellipsis: Vec<isize>,
}

impl<const NL: usize> PlannedOutput<NL> {
    /// The layout [`Output::allocate`] would give an output of `term`.
    pub(crate) fn new<T>(shape: &Shape<NL>, term: &[Sub]) -> Result<Self, EinsumError> {
        let (_, len, strides, ellipsis) = layout::<T, ndarray::IxDyn, NL>(shape, term)?;
        Ok(PlannedOutput {
            len,
            strides,
            ellipsis,
        })
    }

    /// The same output laid out in `order`: the axes of `term`, a term of
    /// labels only, outermost first, as `Contraction::output_order` gives
    /// them. An empty output keeps its strides of 0.
    pub(crate) fn laid_out(mut self, shape: &Shape<NL>, term: &[Sub], order: &[usize]) -> Self {
        debug_assert!(self.ellipsis.is_empty() && order.len() == term.len());
        if self.len == 0 {
            return self;
        }
        contiguous_strides(
            shape,
            order.iter().map(|&axis| &term[axis]),
            &mut self.strides,
        );
        self
    }

    /// The layout of an array the caller already has (`out = ...`).
    pub(crate) fn of(len: usize, strides: [isize; NL], ellipsis: &[isize]) -> Self {
        PlannedOutput {
            len,
            strides,
            ellipsis: ellipsis.to_vec(),
        }
    }

    /// An operand with these strides, whose strides are read and whose
    /// elements never are (an intermediate of a path, for `explain!`).
    pub(crate) fn operand<T: Copy>(&self) -> Operand<'_, T, NL> {
        Operand::new(
            std::ptr::NonNull::dangling().as_ptr(),
            self.strides,
            EllipsisStrides::plain(&self.ellipsis),
            Span::of(&[], &[]),
        )
    }

    /// A writer with these strides, to be read and never written through.
    pub(crate) fn writer<T: Copy>(&self) -> Writer<'_, T, NL> {
        let nowhere = std::ptr::NonNull::dangling().as_ptr();
        Writer::new(
            nowhere,
            self.len,
            self.strides,
            &self.ellipsis,
            Span::of(&[], &[]),
        )
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
    crate::pages::advise_huge_pages(data.as_mut_ptr().cast(), bytes);
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
