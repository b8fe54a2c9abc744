//! Iterating the dimensions that an ellipsis stands for.
//!
//! Their number is known only at run time, so the generated loops walk them
//! as one flat index: [`EllipsisAxes::offsets`] yields, for each flat index
//! of a range, the element offset of every array in a step.

use crate::operand::EllipsisStrides;
use crate::shapes::Shape;
use std::ops::Range;

/// The ellipsis dimensions of one step, with each array's strides on them.
#[derive(Debug, Clone)]
pub struct EllipsisAxes<const K: usize> {
    dims: Vec<isize>,
    strides: Vec<[isize; K]>,
}

impl<const K: usize> EllipsisAxes<K> {
    /// Aligns each array's ellipsis strides to the right of the broadcast
    /// shape; an array with fewer (or no) ellipsis dimensions gets stride 0
    /// on the missing ones, which broadcasts it.
    pub fn new<const NL: usize>(shape: &Shape<NL>, arrays: [EllipsisStrides<'_>; K]) -> Self {
        let dims: Vec<isize> = shape.ellipsis().iter().map(|&d| d as isize).collect();
        let rank = dims.len();
        let strides = (0..rank)
            .map(|axis| arrays.map(|own| own.aligned(rank, axis)))
            .collect();
        EllipsisAxes { dims, strides }
    }

    /// The number of flat indices: the product of the dimensions.
    pub fn len(&self) -> isize {
        self.dims.iter().product()
    }

    /// Whether the ellipsis covers no element (some dimension is 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The offsets of every array for the flat indices in `range`.
    pub fn offsets(&self, range: Range<isize>) -> EllipsisOffsets<'_, K> {
        let mut index = vec![0isize; self.dims.len()];
        let mut offsets = [0isize; K];
        let mut rest = range.start;
        for axis in (0..self.dims.len()).rev() {
            if self.dims[axis] == 0 {
                break;
            }
            index[axis] = rest % self.dims[axis];
            rest /= self.dims[axis];
            for (offset, stride) in offsets.iter_mut().zip(self.strides[axis]) {
                *offset += index[axis] * stride;
            }
        }
        EllipsisOffsets {
            axes: self,
            index,
            offsets,
            remaining: range.end - range.start,
        }
    }
}

/// Iterator of [`EllipsisAxes::offsets`]: an odometer over the dimensions.
#[derive(Debug)]
pub struct EllipsisOffsets<'a, const K: usize> {
    axes: &'a EllipsisAxes<K>,
    index: Vec<isize>,
    offsets: [isize; K],
    remaining: isize,
}

impl<const K: usize> Iterator for EllipsisOffsets<'_, K> {
    type Item = [isize; K];

    fn next(&mut self) -> Option<[isize; K]> {
        if self.remaining <= 0 {
            return None;
        }
        self.remaining -= 1;
        let current = self.offsets;
        for axis in (0..self.index.len()).rev() {
            let stride = self.axes.strides[axis];
            self.index[axis] += 1;
            if self.index[axis] < self.axes.dims[axis] {
                for (offset, s) in self.offsets.iter_mut().zip(stride) {
                    *offset += s;
                }
                break;
            }
            // Carry: rewind this axis and step the next one out.
            for (offset, s) in self.offsets.iter_mut().zip(stride) {
                *offset -= (self.index[axis] - 1) * s;
            }
            self.index[axis] = 0;
        }
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::{ShapeBinder, Sub};
    use ndarray::Array3;

    #[test]
    fn odometer_visits_every_offset_once_from_any_start() {
        let a = Array3::<f64>::zeros((2, 3, 4));
        let mut binder = ShapeBinder::<0>::new([]);
        let view = a.view();
        let op = binder.bind(0, &view, &[Sub::Ellipsis]).unwrap();
        let shape = binder.finish(true).unwrap();
        let axes = EllipsisAxes::new(&shape, [op.ellipsis()]);
        assert_eq!(axes.len(), 24);
        let all: Vec<isize> = axes.offsets(0..24).map(|[o]| o).collect();
        assert_eq!(all, (0..24).collect::<Vec<_>>());
        let tail: Vec<isize> = axes.offsets(7..19).map(|[o]| o).collect();
        assert_eq!(tail, (7..19).collect::<Vec<_>>());
    }

    #[test]
    fn missing_leading_dimensions_broadcast() {
        let shape_src = Array3::<f64>::zeros((2, 3, 4));
        let row = ndarray::Array1::<f64>::zeros(4);
        let mut binder = ShapeBinder::<0>::new([]);
        let (big, small) = (shape_src.view(), row.view());
        let big = binder.bind(0, &big, &[Sub::Ellipsis]).unwrap();
        let small = binder.bind(1, &small, &[Sub::Ellipsis]).unwrap();
        let shape = binder.finish(true).unwrap();
        let axes = EllipsisAxes::new(&shape, [big.ellipsis(), small.ellipsis()]);
        let pairs: Vec<[isize; 2]> = axes.offsets(0..24).collect();
        assert_eq!(pairs[5], [5, 1]);
        assert_eq!(pairs[23], [23, 3]);
    }
}
