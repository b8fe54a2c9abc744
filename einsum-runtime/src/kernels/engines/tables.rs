//! A group of axes (m, n or k) flattened into offset tables: the offset of
//! each index of the group in the two arrays that have it. Engines that
//! read through tables never need a group to fuse into one stride.

use super::dims::Axis;

/// One group flattened: the offset of each of its indices in two arrays.
#[derive(Debug, Clone)]
pub(super) struct Table {
    pub(super) offsets: [Vec<isize>; 2],
}

impl Table {
    /// The table of `axes` (outermost first) in two arrays, whose strides
    /// `stride` gives.
    pub(super) fn new(axes: &[Axis], stride: impl Fn(&Axis) -> (isize, isize)) -> Table {
        let pairs = offsets_of(axes, |x| <[isize; 2]>::from(stride(x)));
        let offsets = std::array::from_fn(|side| pairs.iter().map(|o| o[side]).collect());
        Table { offsets }
    }

    /// The number of indices of the group.
    pub(super) fn len(&self) -> usize {
        self.offsets[0].len()
    }
}

/// The offsets of every index of `axes` (the first axis outermost) in the
/// `N` arrays whose strides `strides` gives.
pub(crate) fn offsets_of<const N: usize>(
    axes: &[Axis],
    strides: impl Fn(&Axis) -> [isize; N],
) -> Vec<[isize; N]> {
    let mut offsets = vec![[0; N]];
    for axis in axes {
        let s = strides(axis);
        offsets = offsets
            .iter()
            .flat_map(|o| {
                (0..axis.len as isize).map(move |i| std::array::from_fn(|x| o[x] + i * s[x]))
            })
            .collect();
    }
    offsets
}

/// `axes` in the order of `key`'s strides, largest first: the order in
/// which the array of those strides lays them out.
pub(super) fn largest_stride_first(axes: &[Axis], key: fn(&Axis) -> isize) -> Vec<Axis> {
    let mut axes = axes.to_vec();
    axes.sort_by_key(|axis| std::cmp::Reverse(key(axis).unsigned_abs()));
    axes
}
