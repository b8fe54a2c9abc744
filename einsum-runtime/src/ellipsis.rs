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
        let (dims, flat) = aligned(shape.ellipsis(), &arrays);
        let mut strides = vec![[0; K]; dims.len()];
        for (axis, own) in strides.iter_mut().enumerate() {
            own.copy_from_slice(&flat[axis * K..(axis + 1) * K]);
        }
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

    /// The offsets of every array for the flat indices in `range`. Out of
    /// line: it runs once per block, and its code is not the loop's.
    #[inline(never)]
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

/// The broadcast dimensions, and each array's stride along each, axis by
/// axis (`arrays.len()` strides per axis): [`EllipsisAxes::new`] for any
/// number of arrays.
fn aligned(dims: &[usize], arrays: &[EllipsisStrides<'_>]) -> (Vec<isize>, Vec<isize>) {
    let rank = dims.len();
    let mut strides = Vec::with_capacity(rank * arrays.len());
    for axis in 0..rank {
        strides.extend(arrays.iter().map(|own| own.aligned(rank, axis)));
    }
    (dims.iter().map(|&d| d as isize).collect(), strides)
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

    #[inline]
    fn next(&mut self) -> Option<[isize; K]> {
        if self.remaining <= 0 {
            return None;
        }
        self.remaining -= 1;
        let current = self.offsets;
        // The last axis steps in line; carries into the others are rare.
        if let Some(last) = self.index.len().checked_sub(1) {
            self.index[last] += 1;
            if self.index[last] < self.axes.dims[last] {
                for (offset, s) in self.offsets.iter_mut().zip(self.axes.strides[last]) {
                    *offset += s;
                }
            } else {
                self.carry(last);
            }
        }
        Some(current)
    }
}

impl<const K: usize> EllipsisOffsets<'_, K> {
    /// Axis `axis` has run past its end: rewinds it, and steps the next
    /// one out (carrying further when that one ends too).
    #[inline(never)]
    fn carry(&mut self, mut axis: usize) {
        loop {
            // Rewind this axis.
            let stride = self.axes.strides[axis];
            for (offset, s) in self.offsets.iter_mut().zip(stride) {
                *offset -= (self.index[axis] - 1) * s;
            }
            self.index[axis] = 0;
            if axis == 0 {
                return;
            }
            // Step the next one out.
            axis -= 1;
            let stride = self.axes.strides[axis];
            self.index[axis] += 1;
            if self.index[axis] < self.axes.dims[axis] {
                for (offset, s) in self.offsets.iter_mut().zip(stride) {
                    *offset += s;
                }
                return;
            }
        }
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
