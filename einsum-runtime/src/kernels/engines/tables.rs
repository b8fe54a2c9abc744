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
        let along = |side: usize| {
            let offsets = offsets_of(axes, |x| {
                let (first, second) = stride(x);
                [[first, second][side]]
            });
            // In place: `[isize; 1]` is laid out as `isize`.
            offsets.into_iter().map(|[o]| o).collect()
        };
        Table {
            offsets: [along(0), along(1)],
        }
    }

    /// The number of indices of the group.
    pub(super) fn len(&self) -> usize {
        self.offsets[0].len()
    }
}

/// The offsets of every index of `axes` (the first axis outermost) in the
/// `N` arrays whose strides `strides` gives. Built in one array of its
/// final length, innermost axis first (each axis repeats what the inner
/// ones made), since a group's table may hold millions of offsets.
pub(crate) fn offsets_of<const N: usize>(
    axes: &[Axis],
    strides: impl Fn(&Axis) -> [isize; N],
) -> Vec<[isize; N]> {
    if axes.iter().any(|x| x.len == 0) {
        return Vec::new();
    }
    let mut offsets = Vec::with_capacity(Axis::indices(axes));
    offsets.push([0; N]);
    for axis in axes.iter().rev() {
        let (inner, s) = (offsets.len(), strides(axis));
        for i in 1..axis.len as isize {
            for j in 0..inner {
                let o: [isize; N] = offsets[j];
                offsets.push(std::array::from_fn(|x| o[x] + i * s[x]));
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every index in order, the first axis outermost, against the sum of
    /// index times stride; no index when an axis is empty, one when there
    /// is no axis.
    #[test]
    fn offsets_of_every_index_in_order() {
        let axis = |len, a, out| Axis { len, a, b: 0, out };
        let axes = [
            axis(3, 100, -1),
            axis(1, 7, 7),
            axis(4, 1, 30),
            axis(2, -50, 5),
        ];
        let offsets = offsets_of(&axes, |x| [x.a, x.out]);
        let mut expected = Vec::new();
        for i in 0..3 {
            for j in 0..4 {
                for k in 0..2 {
                    expected.push([100 * i + j - 50 * k, -i + 30 * j + 5 * k]);
                }
            }
        }
        assert_eq!(offsets, expected);
        let table = Table::new(&axes, |x| (x.a, x.out));
        assert_eq!(
            table.offsets[0],
            expected.iter().map(|o| o[0]).collect::<Vec<_>>()
        );
        assert_eq!(
            table.offsets[1],
            expected.iter().map(|o| o[1]).collect::<Vec<_>>()
        );
        assert!(offsets_of(&[axes[0], axis(0, 1, 1)], |x| [x.a]).is_empty());
        assert_eq!(offsets_of(&[], |x| [x.a]), [[0]]);
    }
}
