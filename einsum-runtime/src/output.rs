//! Allocation of outputs and temporaries in standard (row-major) layout.

use crate::error::EinsumError;
use crate::operand::{Operand, Span, Writer};
use crate::shapes::{Shape, Sub};
use crate::Element;
use ndarray::{Array, ArrayD, Dimension, Ix0, IxDyn};
use std::marker::PhantomData;

/// An array being computed, with the per-label strides the loops need.
#[derive(Debug)]
pub struct Output<T, D, const NL: usize> {
    array: ArrayD<T>,
    strides: [isize; NL],
    ellipsis: Vec<isize>,
    dim: PhantomData<D>,
}

impl<T: Element, D: Dimension, const NL: usize> Output<T, D, NL> {
    /// A zeroed array whose axes are the subscripts of `term`.
    pub fn zeros(shape: &Shape<NL>, term: &[Sub]) -> Result<Self, EinsumError> {
        let dims = shape.dims_of(term);
        checked_len::<T>(&dims)?;
        let array = ArrayD::zeros(IxDyn(&dims));
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
            dim: PhantomData,
        })
    }

    /// Write access for the generated loops.
    pub fn writer(&mut self) -> Writer<'_, T, NL> {
        let span = Span::of(self.array.shape(), self.array.strides());
        Writer::new(
            self.array.as_mut_ptr(),
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
            .into_dimensionality::<D>()
            .expect("the macro chose the output dimension type from the output term")
    }
}

impl<T: Element, const NL: usize> Output<T, Ix0, NL> {
    /// The single element of a rank-0 result.
    pub fn into_scalar(self) -> T {
        self.into_array().into_scalar()
    }
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
