//! A group of axes (m, n or k) flattened into offset tables: the offset of
//! each index of the group in the two arrays that have it. Engines that
//! read through tables never need a group to fuse into one stride.

use super::dims::Axis;
use std::ops::Range;

/// One group flattened: the offset of each of its indices in two arrays,
/// and the stride when the offsets are evenly spaced (the group fuses in
/// that array).
#[derive(Debug, Clone)]
pub(super) struct Table {
    pub(super) offsets: [Vec<isize>; 2],
    pub(super) step: [Option<isize>; 2],
}

impl Table {
    /// The table of `axes` (outermost first) in two arrays, whose strides
    /// `stride` gives.
    pub(super) fn new(axes: &[Axis], stride: impl Fn(&Axis) -> (isize, isize)) -> Table {
        let mut offsets = [vec![0isize], vec![0isize]];
        for axis in axes {
            let (s0, s1) = stride(axis);
            for (side, s) in [(0, s0), (1, s1)] {
                let before = std::mem::take(&mut offsets[side]);
                let mut after = Vec::with_capacity(before.len() * axis.len);
                for o in before {
                    after.extend((0..axis.len as isize).map(|i| o + i * s));
                }
                offsets[side] = after;
            }
        }
        let step = [even_step(&offsets[0]), even_step(&offsets[1])];
        Table { offsets, step }
    }

    /// The number of indices of the group.
    pub(super) fn len(&self) -> usize {
        self.offsets[0].len()
    }

    /// The offsets of `range` in the array `side` (0 or 1), and their step.
    pub(super) fn part(&self, side: usize, range: &Range<usize>) -> (&[isize], Option<isize>) {
        (&self.offsets[side][range.clone()], self.step[side])
    }
}

/// `axes` in the order of `key`'s strides, largest first: the order in
/// which the array of those strides lays them out.
pub(super) fn largest_stride_first(axes: &[Axis], key: fn(&Axis) -> isize) -> Vec<Axis> {
    let mut axes = axes.to_vec();
    axes.sort_by_key(|axis| std::cmp::Reverse(key(axis).unsigned_abs()));
    axes
}

/// The common difference of `offsets`, if they are evenly spaced.
pub(super) fn even_step(offsets: &[isize]) -> Option<isize> {
    let step = match offsets {
        [first, second, ..] => second - first,
        _ => 1,
    };
    offsets
        .windows(2)
        .all(|pair| pair[1] - pair[0] == step)
        .then_some(step)
}
