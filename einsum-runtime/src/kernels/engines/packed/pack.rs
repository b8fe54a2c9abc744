//! Packing panels of A and B straight from offset tables, and storing
//! tiles to the output through its tables: where the engine reads and
//! writes the arrays, whatever their strides.

use super::super::short_copy::copy_short;
use super::super::tables::even_step;
use crate::scale::Scale;
use crate::Element;

/// Whether `offsets` are consecutive elements.
fn adjacent(offsets: &[isize]) -> bool {
    even_step(offsets) == Some(1)
}

/// Packs the lines at offsets `lines` (rows of A or columns of B) over
/// the depth at offsets `depth` into panels of `W` lines:
/// `panel[p * W + l] = src[lines[l] + depth[p]]`, lines past the end
/// zero-filled (the tile's spare rows or columns).
///
/// # Safety
/// Every `line + depth` offset is that of an element of `src`;
/// `out.len()` is `lines.len().next_multiple_of(W) * depth.len()`.
pub(super) unsafe fn pack<T: Element, const W: usize>(
    out: &mut [T],
    src: *const T,
    lines: &[isize],
    depth: &[isize],
) {
    let steps = depth.len();
    for (panel, these) in out.chunks_exact_mut(W * steps).zip(lines.chunks(W)) {
        let dst = panel.as_mut_ptr();
        if these.len() == W && adjacent(these) {
            // The W values of a step are adjacent: one copy per step.
            // SAFETY: the caller's contract; the panel has W per step.
            unsafe {
                let first = src.offset(these[0]);
                for (p, &d) in depth.iter().enumerate() {
                    std::ptr::copy_nonoverlapping(first.offset(d), dst.add(p * W), W);
                }
            }
            continue;
        }
        // W lines read side by side along the depth, each in its order.
        let mut starts = [src; W];
        for (start, &line) in starts.iter_mut().zip(these) {
            *start = src.wrapping_offset(line);
        }
        let width = these.len();
        for (p, &d) in depth.iter().enumerate() {
            for (l, start) in starts.iter().enumerate() {
                // SAFETY: line l < width is in src at every depth offset;
                // the panel has W values per step.
                unsafe {
                    let value = if l < width {
                        *start.offset(d)
                    } else {
                        T::zero()
                    };
                    dst.add(p * W + l).write(value);
                }
            }
        }
    }
}

/// The output columns of a panel of B's tiles (up to `NR`), with where
/// each run of adjacent places ends: found once per panel, as every row
/// tile under it stores along the same columns.
pub(super) struct Columns<'a, const NR: usize> {
    offsets: &'a [isize],
    ends: [usize; NR],
    runs: usize,
}

impl<'a, const NR: usize> Columns<'a, NR> {
    /// The columns at output offsets `offsets` (at most `NR`).
    pub(super) fn new(offsets: &'a [isize]) -> Self {
        let mut ends = [0; NR];
        let mut runs = 0;
        for c in 1..=offsets.len() {
            if c == offsets.len() || offsets[c] != offsets[c - 1] + 1 {
                ends[runs] = c;
                runs += 1;
            }
        }
        Columns {
            offsets,
            ends,
            runs,
        }
    }

    /// Whether the columns are `NR` adjacent places.
    fn whole(&self) -> bool {
        self.runs == 1 && self.offsets.len() == NR
    }
}

/// Stores the `rows.len() x cols` top-left corner of an `MR x NR` tile
/// (row-major) at the output offsets `rows[r] + cols[c]`, as `scale`
/// says: each tile row in runs of adjacent columns, so that a tile
/// crossing a jump of the output's strides still stores its runs as
/// slices (vectorized).
///
/// # Safety
/// Every `row + col` offset is that of an element of `out` that no other
/// thread accesses meanwhile (read only where the scale reads it, and
/// then initialized).
pub(super) unsafe fn store<T: Element, const MR: usize, const NR: usize>(
    out: *mut T,
    tile: &[[T; NR]; MR],
    rows: &[isize],
    cols: &Columns<'_, NR>,
    scale: Scale<T>,
) {
    if cols.whole() && scale.is_sum() {
        for (values, &row) in tile.iter().zip(rows) {
            // A whole tile row added as one fixed-size array.
            // SAFETY: the caller's contract, for NR adjacent places.
            unsafe {
                let first = out.offset(row + cols.offsets[0]).cast::<[T; NR]>();
                let mut sums = first.read();
                for (sum, &value) in sums.iter_mut().zip(values) {
                    *sum = sum.add_wrapping(value);
                }
                first.write(sums);
            }
        }
        return;
    }
    for (values, &row) in tile.iter().zip(rows) {
        let mut start = 0;
        for &end in &cols.ends[..cols.runs] {
            // SAFETY: the caller's contract: the run's places are
            // adjacent elements of `out`, this thread's alone.
            unsafe {
                store_run(
                    out.offset(row + cols.offsets[start]),
                    &values[start..end],
                    scale,
                )
            };
            start = end;
        }
    }
}

/// Stores `values` at `first` and the places after it, as `scale` says.
///
/// # Safety
/// As for [`store`], for these `values.len()` adjacent places.
#[inline(always)]
unsafe fn store_run<T: Element>(first: *mut T, values: &[T], scale: Scale<T>) {
    // SAFETY (all three): the caller's contract; the places are
    // initialized where the scale reads them (a sum reads them all).
    unsafe {
        if scale.is_plain() {
            copy_short(values.as_ptr(), first, values.len());
        } else if scale.is_sum() {
            let places = std::slice::from_raw_parts_mut(first, values.len());
            for (place, &value) in places.iter_mut().zip(values) {
                *place = place.add_wrapping(value);
            }
        } else {
            for (c, &value) in values.iter().enumerate() {
                let place = first.add(c);
                place.write(scale.apply(value, || place.read()));
            }
        }
    }
}
