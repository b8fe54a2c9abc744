//! An output the caller owns (`out = &mut c`): its shape checked against
//! the result's, its axes bound to the output's labels, and written in
//! place, through its own strides, by every engine.

use crate::error::EinsumError;
use crate::operand::{Span, Writer};
use crate::output::PlannedOutput;
use crate::scale::Scale;
use crate::shapes::{Shape, Sub};
use crate::Element;
use ndarray::{ArrayViewMut, ArrayViewMut0, Dimension};
use std::marker::PhantomData;

/// The caller's array bound to the output term, for the kernels to write.
#[derive(Debug)]
pub struct Target<'a, T, const NL: usize> {
    ptr: *mut T,
    len: usize,
    /// The stride of each output label (0 for the others).
    strides: [isize; NL],
    ellipsis: Vec<isize>,
    /// Every axis as (length, stride): what a copy or a walk over the
    /// elements needs.
    layout: Vec<(usize, isize)>,
    /// `alpha = ...`, `beta = ...` of the call.
    scale: Option<Scale<T>>,
    span: Span,
    life: PhantomData<&'a mut T>,
}

impl<'a, T: Element, const NL: usize> Target<'a, T, NL> {
    /// Binds `view` to the output `term`, or reports (touching nothing)
    /// that its shape is not the result's.
    pub fn bind<D: Dimension>(
        mut view: ArrayViewMut<'a, T, D>,
        shape: &Shape<NL>,
        term: &[Sub],
    ) -> Result<Self, EinsumError> {
        let expected = shape.dims_of(term);
        if view.shape() != expected.as_slice() {
            return Err(wrong_shape(expected, view.shape()));
        }
        let len = view.len();
        let axes: Vec<(usize, isize)> = view
            .shape()
            .iter()
            .zip(view.strides())
            // An empty array's strides are 0, as those of an allocated one.
            .map(|(&n, &stride)| (n, if len == 0 { 0 } else { stride }))
            .collect();
        let mut strides = [0isize; NL];
        let mut ellipsis = Vec::new();
        let mut axis = 0;
        for sub in term {
            match *sub {
                Sub::Label(label) => {
                    strides[label] = axes[axis].1;
                    axis += 1;
                }
                Sub::Ellipsis => {
                    let rank = shape.ellipsis().len();
                    ellipsis.extend(axes[axis..axis + rank].iter().map(|&(_, s)| s));
                    axis += rank;
                }
            }
        }
        let (dims, view_strides): (Vec<usize>, Vec<isize>) = axes.iter().copied().unzip();
        Ok(Target {
            ptr: view.as_mut_ptr(),
            len,
            strides,
            ellipsis,
            span: Span::of(&dims, &view_strides),
            layout: axes,
            scale: None,
            life: PhantomData,
        })
    }

    /// The same target, its stores `alpha * value + beta * old` (`scale`).
    pub fn scaled(mut self, scale: Scale<T>) -> Self {
        self.scale = Some(scale);
        self
    }

    /// Write access for the kernels, which write every element.
    pub fn writer(&mut self) -> Writer<'_, T, NL> {
        Writer::in_place(
            self.ptr,
            self.len,
            self.strides,
            &self.ellipsis,
            &self.layout,
            self.span,
        )
        .with_scale(self.scale)
    }

    /// Where this target lies, for `explain!`, whose engine choice reads
    /// the output's strides.
    pub(crate) fn planned(&self) -> PlannedOutput<NL> {
        PlannedOutput::of(self.len, self.strides, &self.ellipsis)
    }

    /// Stores the value of a rank-0 result.
    pub fn store_scalar(self, value: T) {
        debug_assert_eq!(self.len, 1);
        // SAFETY: a rank-0 array has one element, at its pointer, which
        // the borrow of the caller's view lets us read and write.
        unsafe {
            *self.ptr = match self.scale {
                None => value,
                Some(scale) => scale.apply(value, || *self.ptr),
            }
        };
    }
}

#[cold]
#[inline(never)]
fn wrong_shape(expected: Vec<usize>, found: &[usize]) -> EinsumError {
    EinsumError::OutputShape {
        expected,
        found: found.to_vec(),
    }
}

/// `out = &mut x` for a rank-0 result: a scalar place seen as an
/// `ArrayViewMut0`. The expansion brings this trait into scope for the
/// `out` expression, whose `.view_mut()` is then this method for `&mut T`
/// and ndarray's for arrays.
pub trait ScalarPlace<'a, T> {
    /// The place as a rank-0 view.
    fn view_mut(self) -> ArrayViewMut0<'a, T>;
}

impl<'a, T: Element> ScalarPlace<'a, T> for &'a mut T {
    fn view_mut(self) -> ArrayViewMut0<'a, T> {
        ArrayViewMut0::from_shape((), std::slice::from_mut(self))
            .expect("one element has the shape ()")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::ShapeBinder;
    use ndarray::{s, Array2};

    /// The shape of `ij` bound to a 3 x 4 array.
    fn shape_3_by_4() -> Shape<2> {
        let a = Array2::<f64>::zeros((3, 4));
        let mut binder = ShapeBinder::new(['i', 'j']);
        binder
            .bind(0, &a.view(), &[Sub::Label(0), Sub::Label(1)])
            .unwrap();
        binder.finish(false).unwrap()
    }

    #[test]
    fn a_reversed_transposed_view_binds_its_own_strides() {
        let shape = shape_3_by_4();
        let mut c = Array2::<f64>::zeros((4, 3));
        let view = c.slice_mut(s![..;-1, ..]).reversed_axes();
        let mut target = Target::bind(view, &shape, &[Sub::Label(0), Sub::Label(1)]).unwrap();
        let writer = target.writer();
        assert_eq!(writer.strides, [1, -3]);
        assert_eq!(writer.reach(), (-9, 12));
        let mut offsets = Vec::new();
        writer.for_each_offset(&mut |o| offsets.push(o));
        offsets.sort();
        assert_eq!(offsets, (-9..=2).collect::<Vec<_>>());
    }

    #[test]
    fn a_wrong_shape_names_both() {
        let shape = shape_3_by_4();
        let mut c = Array2::<f64>::zeros((3, 5));
        let err = Target::bind(c.view_mut(), &shape, &[Sub::Label(0), Sub::Label(1)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the output given as `out` has shape [3, 5] but the result has shape [3, 4]"
        );
    }
}
