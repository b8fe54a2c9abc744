//! Read and write access for the generated loops, by element offset.
//!
//! The generated code computes each element's offset from loop indices and
//! the strides that [`ShapeBinder::bind`](crate::ShapeBinder::bind) checked,
//! so the accessors here take raw offsets. In debug builds (the test suite)
//! every offset is checked against the memory the array actually spans, so
//! a wrong stride fails a test instead of reading stray memory.

use crate::scale::Scale;
use crate::Element;
use std::marker::PhantomData;

/// The lowest and highest element offset an array reaches from its first
/// element (`None` for an array with no elements), kept in debug builds
/// only: release builds rely on the checks `bind` made and pay nothing here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(#[cfg(debug_assertions)] Option<(isize, isize)>);

impl Span {
    /// The span of an array with these dimensions and strides.
    #[inline]
    pub fn of(dims: &[usize], strides: &[isize]) -> Span {
        #[cfg(debug_assertions)]
        {
            if dims.contains(&0) {
                return Span(None);
            }
            let (mut low, mut high) = (0isize, 0isize);
            for (&dim, &stride) in dims.iter().zip(strides) {
                let reach = (dim as isize - 1) * stride;
                if reach < 0 {
                    low += reach;
                } else {
                    high += reach;
                }
            }
            Span(Some((low, high)))
        }
        #[cfg(not(debug_assertions))]
        {
            let _ = (dims, strides);
            Span()
        }
    }

    /// The span seen from `offset` elements further on.
    fn shifted(self, offset: isize) -> Span {
        #[cfg(debug_assertions)]
        return Span(self.0.map(|(low, high)| (low - offset, high - offset)));
        #[cfg(not(debug_assertions))]
        {
            let _ = offset;
            self
        }
    }

    #[inline(always)]
    fn check(&self, offset: isize) {
        #[cfg(debug_assertions)]
        assert!(
            matches!(self.0, Some((low, high)) if low <= offset && offset <= high),
            "einsum kernel offset {offset} outside the array's span {:?}",
            self.0
        );
        #[cfg(not(debug_assertions))]
        let _ = offset;
    }
}

/// The strides of an array's ellipsis dimensions, rightmost last. A
/// dimension of size 1 reads as stride 0, so that it broadcasts. They are
/// borrowed from the array's own shape, which keeps [`Operand`] `Copy`.
///
/// ```
/// use einsum_static::__private::{ShapeBinder, Sub};
/// let a = ndarray::Array3::<f64>::zeros((2, 1, 4));
/// let view = a.view();
/// let mut binder = ShapeBinder::<0>::new([]);
/// let operand = binder.bind(0, &view, &[Sub::Ellipsis]).unwrap();
/// let ellipsis = operand.ellipsis();
/// assert_eq!((0..ellipsis.len()).map(|axis| ellipsis.stride(axis)).collect::<Vec<_>>(), [4, 0, 1]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct EllipsisStrides<'a> {
    /// The dimensions, or empty where no stride needs the size-1 rule.
    dims: &'a [usize],
    strides: &'a [isize],
}

impl<'a> EllipsisStrides<'a> {
    /// The ellipsis dimensions of a bound array and its strides on them.
    pub(crate) fn of(dims: &'a [usize], strides: &'a [isize]) -> Self {
        debug_assert_eq!(dims.len(), strides.len());
        EllipsisStrides { dims, strides }
    }

    /// Strides to be taken as they are (an output's).
    pub(crate) fn plain(strides: &'a [isize]) -> Self {
        EllipsisStrides { dims: &[], strides }
    }

    /// The number of ellipsis dimensions.
    pub fn len(&self) -> usize {
        self.strides.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.strides.is_empty()
    }

    /// The stride along ellipsis dimension `axis` (0 for a size-1 one).
    pub fn stride(&self, axis: usize) -> isize {
        match self.dims.get(axis) {
            Some(&size) => crate::shapes::broadcast_stride(size, self.strides[axis]),
            None => self.strides[axis],
        }
    }

    /// The stride along dimension `axis` of a broadcast ellipsis of `rank`
    /// dimensions, these ones aligned to its right: 0 on the leading
    /// dimensions this array lacks, which broadcasts it.
    pub(crate) fn aligned(&self, rank: usize, axis: usize) -> isize {
        let missing = rank - self.len();
        if axis < missing {
            0
        } else {
            self.stride(axis - missing)
        }
    }
}

/// An input array bound to an equation: one stride per label, plus the
/// strides of its ellipsis dimensions. It is `Copy`, a few words with no
/// destructor, so the closures of tiny einsums can keep it in registers.
#[derive(Debug)]
pub struct Operand<'a, T, const NL: usize> {
    ptr: *const T,
    /// The stride of each label in this operand (0 where it lacks the label
    /// or broadcasts it); repeated labels have their strides summed.
    pub strides: [isize; NL],
    ellipsis: EllipsisStrides<'a>,
    span: Span,
    life: PhantomData<&'a T>,
}

// SAFETY: an Operand is a shared view of `T`s: it only ever reads them, so
// it may cross threads whenever `&T` may.
unsafe impl<T: Sync, const NL: usize> Sync for Operand<'_, T, NL> {}
unsafe impl<T: Sync, const NL: usize> Send for Operand<'_, T, NL> {}

impl<T, const NL: usize> Clone for Operand<'_, T, NL> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, const NL: usize> Copy for Operand<'_, T, NL> {}

impl<'a, T, const NL: usize> Operand<'a, T, NL> {
    pub(crate) fn new(
        ptr: *const T,
        strides: [isize; NL],
        ellipsis: EllipsisStrides<'a>,
        span: Span,
    ) -> Self {
        Operand {
            ptr,
            strides,
            ellipsis,
            span,
            life: PhantomData,
        }
    }

    /// The strides of the ellipsis dimensions.
    pub fn ellipsis(&self) -> EllipsisStrides<'a> {
        self.ellipsis
    }

    /// The same operand with `W` labels (stride 0 past `NL`; see
    /// [`Shape::widen`](crate::Shape)).
    pub(crate) fn widen<const W: usize>(&self) -> Operand<'a, T, W> {
        Operand::new(self.ptr, widen(&self.strides), self.ellipsis, self.span)
    }

    pub(crate) fn ptr(&self) -> *const T {
        self.ptr
    }

    /// The same array seen from `offset` elements further on: a slice of
    /// it along some labels, whose offset the caller computed from
    /// in-bounds indices and this operand's strides.
    pub(crate) fn shifted(&self, offset: isize) -> Self {
        Operand::new(
            self.ptr.wrapping_offset(offset),
            self.strides,
            self.ellipsis,
            self.span.shifted(offset),
        )
    }
}

impl<T: Copy, const NL: usize> Operand<'_, T, NL> {
    /// The element at `offset` from the first element.
    ///
    /// # Safety
    /// `offset` must be `sum(index[label] * strides[label])` plus an
    /// ellipsis offset, with every index below its label's bound size.
    #[inline(always)]
    pub unsafe fn get(&self, offset: isize) -> T {
        self.span.check(offset);
        // SAFETY: the caller's indices lie inside the bound shape, so the
        // offset lies inside the view that `bind` read (checked above in
        // debug builds).
        unsafe { *self.ptr.offset(offset) }
    }

    /// The address of the element at `offset`, and `stride`: a lane of
    /// `len` elements whose ends were checked (in debug builds), so the
    /// loop over it needs no operand, only a pointer it can keep in a
    /// register.
    ///
    /// # Safety
    /// `len > 0`, and `offset + t * stride` must satisfy [`Operand::get`]'s
    /// contract for every `t < len`.
    #[inline(always)]
    pub(crate) unsafe fn lane(&self, offset: isize, len: isize, stride: isize) -> RawLane<T> {
        self.span.check(offset);
        self.span.check(offset + (len - 1) * stride);
        // SAFETY: the caller's contract (t = 0).
        (unsafe { self.ptr.offset(offset) }, stride)
    }

    /// The `len` elements from `offset` on, when they are consecutive.
    ///
    /// # Safety
    /// `offset` and `offset + len - 1` must satisfy [`Operand::get`]'s
    /// contract, with the array's stride 1 between them.
    #[inline(always)]
    pub(crate) unsafe fn slice(&self, offset: isize, len: isize) -> &[T] {
        self.span.check(offset);
        self.span.check(offset + len - 1);
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts(self.ptr.offset(offset), len as usize) }
    }
}

/// `strides` followed by zeros, to `W` labels.
fn widen<const NL: usize, const W: usize>(strides: &[isize; NL]) -> [isize; W] {
    let mut wide = [0; W];
    wide[..NL].copy_from_slice(strides);
    wide
}

/// An input along the innermost loop, resolved by [`Operand::lane`]: the
/// address of its first element and its stride.
pub(crate) type RawLane<T> = (*const T, isize);

/// Write access to a freshly allocated output, shared by the tasks of one
/// einsum.
#[derive(Debug)]
pub struct Writer<'a, T, const NL: usize> {
    ptr: *mut T,
    len: usize,
    /// How far `ptr` is from the array's first element (a slice's writer).
    shift: isize,
    /// The stride of each output label (0 for labels summed away).
    pub strides: [isize; NL],
    /// The strides of the ellipsis dimensions, borrowed from the output.
    ellipsis: &'a [isize],
    /// The (length, stride) of each axis of an array the caller gave
    /// (`out = ...`), which may have any layout; empty for the standard
    /// layout of an [`Output`](crate::Output).
    layout: &'a [(usize, isize)],
    /// `alpha` and `beta`, applied by every store ([`Writer::set`]); `None`
    /// for a plain store.
    scale: Option<Scale<T>>,
    span: Span,
    life: PhantomData<&'a mut T>,
}

// SAFETY: tasks write through a shared Writer, but the scheduler hands each
// task a disjoint block of output indices, and distinct output indices have
// distinct offsets (in the standard layout an output is allocated with, and
// in a caller's `ArrayViewMut`, whose elements never overlap), so no
// element is written by two threads or read while written.
unsafe impl<T: Send, const NL: usize> Sync for Writer<'_, T, NL> {}
unsafe impl<T: Send, const NL: usize> Send for Writer<'_, T, NL> {}

impl<'a, T: Copy, const NL: usize> Writer<'a, T, NL> {
    pub(crate) fn new(
        ptr: *mut T,
        len: usize,
        strides: [isize; NL],
        ellipsis: &'a [isize],
        span: Span,
    ) -> Self {
        Writer {
            ptr,
            len,
            shift: 0,
            strides,
            ellipsis,
            layout: &[],
            scale: None,
            span,
            life: PhantomData,
        }
    }

    /// The same writer storing `alpha * value + beta * old` (`None`: the
    /// value).
    pub(crate) fn with_scale(mut self, scale: Option<Scale<T>>) -> Self {
        self.scale = scale;
        self
    }

    /// The `alpha` and `beta` its stores apply.
    pub(crate) fn scale(&self) -> Option<Scale<T>> {
        self.scale
    }

    /// The same output, stored to plainly: for the engines that store
    /// without a factor, and for adding partial sums already scaled.
    pub(crate) fn unscaled(&self) -> Self {
        self.shifted(0).with_scale(None)
    }

    /// A writer over an array of any layout, whose axes are `layout`.
    pub(crate) fn in_place(
        ptr: *mut T,
        len: usize,
        strides: [isize; NL],
        ellipsis: &'a [isize],
        layout: &'a [(usize, isize)],
        span: Span,
    ) -> Self {
        let mut writer = Writer::new(ptr, len, strides, ellipsis, span);
        writer.layout = layout;
        writer
    }

    /// The lowest offset of an element (negative along reversed axes) and
    /// the number of elements from there to the highest one: what a copy
    /// with this writer's strides must hold. `(0, len)` for the standard
    /// layout.
    pub(crate) fn reach(&self) -> (isize, usize) {
        if self.layout.is_empty() || self.len == 0 {
            return (0, self.len);
        }
        let (mut low, mut high) = (0isize, 0isize);
        for &(len, stride) in self.layout {
            let far = (len as isize - 1) * stride;
            if far < 0 {
                low += far;
            } else {
                high += far;
            }
        }
        (low, (high - low) as usize + 1)
    }

    /// Calls `f` with the offset of every element, once each.
    pub(crate) fn for_each_offset(&self, f: &mut dyn FnMut(isize)) {
        if self.layout.is_empty() {
            (0..self.len as isize).for_each(f);
        } else if self.len > 0 {
            walk_layout(self.layout, 0, f);
        }
    }

    /// The number of elements of the output.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// A writer with this output's layout over `buffer` instead, for
    /// partial results that are added into the output later.
    ///
    /// # Panics
    /// If `buffer` does not have the output's reach ([`Writer::reach`]).
    pub(crate) fn with_buffer<'b>(&self, buffer: &'b mut [T]) -> Writer<'b, T, NL>
    where
        'a: 'b,
    {
        let (low, reach) = self.reach();
        assert_eq!(buffer.len(), reach, "a copy of the output has its reach");
        let mut copy = Writer::new(
            // The element at offset 0 lies `-low` into the buffer.
            buffer.as_mut_ptr().wrapping_offset(-low),
            self.len,
            self.strides,
            self.ellipsis,
            self.span,
        );
        copy.layout = self.layout;
        copy
    }

    /// Whether the output has no elements (and so nothing to compute).
    /// Its strides are then all 0, as ndarray makes them for empty arrays,
    /// so they cannot tell its axes from summed ones.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The strides of the ellipsis dimensions.
    pub fn ellipsis(&self) -> EllipsisStrides<'a> {
        EllipsisStrides::plain(self.ellipsis)
    }

    pub(crate) fn ptr(&self) -> *mut T {
        self.ptr
    }

    /// The same output with `W` labels (stride 0 past `NL`), as
    /// [`Operand::widen`].
    pub(crate) fn widen<const W: usize>(&self) -> Writer<'a, T, W> {
        let mut wide = Writer::new(
            self.ptr,
            self.len,
            widen(&self.strides),
            self.ellipsis,
            self.span,
        );
        wide.shift = self.shift;
        wide.layout = self.layout;
        wide.scale = self.scale;
        wide
    }

    /// The same output seen from `offset` elements further on, as
    /// [`Operand::shifted`].
    pub(crate) fn shifted(&self, offset: isize) -> Self {
        let mut shifted = Writer::new(
            self.ptr.wrapping_offset(offset),
            self.len,
            self.strides,
            self.ellipsis,
            self.span.shifted(offset),
        );
        shifted.shift = self.shift + offset;
        shifted.layout = self.layout;
        shifted.scale = self.scale;
        shifted
    }

    /// The whole array's `len` elements from its first one, if this writer
    /// starts there (is not a shifted slice's) and they are consecutive
    /// (an output allocated here, not the caller's array).
    pub(crate) fn whole(&self) -> Option<(*mut T, usize)> {
        (self.shift == 0 && self.layout.is_empty()).then_some((self.ptr, self.len))
    }
}

impl<T: Element, const NL: usize> Writer<'_, T, NL> {
    /// Stores `value` at `offset`, scaled by `alpha` and `beta` when the
    /// call has them.
    ///
    /// # Safety
    /// As for [`Operand::get`], and the offset must lie in the block of
    /// output indices that the scheduler gave the calling task.
    #[inline(always)]
    pub unsafe fn set(&self, offset: isize, value: T) {
        self.span.check(offset);
        // SAFETY: see the type's Sync comment and the caller's contract.
        unsafe {
            let place = self.ptr.offset(offset);
            *place = match &self.scale {
                None => value,
                Some(scale) => scale.apply(value, || *place),
            }
        }
    }
}

impl<T: Copy, const NL: usize> Writer<'_, T, NL> {
    /// The element at `offset`, for steps that add into the output.
    ///
    /// # Safety
    /// As for [`Writer::set`].
    #[inline(always)]
    pub(crate) unsafe fn get(&self, offset: isize) -> T {
        self.span.check(offset);
        // SAFETY: see the type's Sync comment and the caller's contract.
        unsafe { *self.ptr.offset(offset) }
    }

    /// The address of the element at `offset`, and `stride`, as
    /// [`Operand::lane`] for the output.
    ///
    /// # Safety
    /// `len > 0`, and `offset + t * stride` must satisfy [`Writer::set`]'s
    /// contract for every `t < len`.
    #[inline(always)]
    pub(crate) unsafe fn lane_mut(
        &self,
        offset: isize,
        len: isize,
        stride: isize,
    ) -> (*mut T, isize) {
        self.span.check(offset);
        self.span.check(offset + (len - 1) * stride);
        // SAFETY: the caller's contract (t = 0).
        (unsafe { self.ptr.offset(offset) }, stride)
    }

    /// The `len` elements from `offset` on, when they are consecutive.
    ///
    /// # Safety
    /// As for [`Writer::set`] at `offset` and `offset + len - 1`, stride 1.
    #[allow(clippy::mut_from_ref)]
    #[inline(always)]
    pub(crate) unsafe fn slice_mut(&self, offset: isize, len: isize) -> &mut [T] {
        self.span.check(offset);
        self.span.check(offset + len - 1);
        // SAFETY: the caller's block owns these elements exclusively.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.offset(offset), len as usize) }
    }
}

/// Calls `f` with `base` plus the offset of every index of `layout`'s axes.
fn walk_layout(layout: &[(usize, isize)], base: isize, f: &mut dyn FnMut(isize)) {
    match layout.split_first() {
        None => f(base),
        Some((&(len, stride), rest)) => {
            for index in 0..len as isize {
                walk_layout(rest, base + index * stride, f);
            }
        }
    }
}
