//! Packing panels of A and B straight from offset tables, and storing
//! tiles to the output through its tables: where the engine reads and
//! writes the arrays, whatever their strides.

use super::super::short_copy::copy_short;
use super::hint;
use crate::scale::Scale;
use crate::Element;
use std::ops::Range;

/// The shortest average run of adjacent lines that panels are packed by
/// run rather than value by value.
pub(super) const LONG_RUN: usize = 4;

/// How many steps of the depth ahead packing by runs asks for the lines
/// it will read: the steps may lie pages apart, too many streams at once
/// for the CPU's own prefetching to follow. (Packing value by value does
/// not ask: it reads most lines again for other panels, and the hints
/// only add to its misses.)
const AHEAD_STEPS: usize = 4;

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
    let runs = runs_in_panels::<W>(lines);
    let steps = depth.len();
    // SAFETY (both): the caller's contract.
    if runs.len() * LONG_RUN <= lines.len() {
        unsafe { pack_runs::<T, W>(out, src, lines, depth, &runs) };
    } else {
        for (panel, these) in out.chunks_exact_mut(W * steps).zip(lines.chunks(W)) {
            unsafe { pack_values::<T, W>(panel, src, these, depth) };
        }
    }
}

/// The runs of adjacent `lines` (their positions), each within one panel
/// of `W`.
pub(super) fn runs_in_panels<const W: usize>(lines: &[isize]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    for l in 1..=lines.len() {
        if l == lines.len() || l % W == 0 || lines[l] != lines[l - 1] + 1 {
            runs.push(start..l);
            start = l;
        }
    }
    runs
}

/// [`pack`] by runs of adjacent lines, a step at a time across all the
/// panels, so that the reads of a step run along memory.
///
/// # Safety
/// As for [`pack`]; `runs` are those of `lines`.
unsafe fn pack_runs<T: Element, const W: usize>(
    out: &mut [T],
    src: *const T,
    lines: &[isize],
    depth: &[isize],
    runs: &[Range<usize>],
) {
    let steps = depth.len();
    let dst = out.as_mut_ptr();
    let (last, width) = (lines.len() / W, lines.len() % W);
    let line = (64 / size_of::<T>()).max(1);
    for (p, &d) in depth.iter().enumerate() {
        if let Some(&ahead) = depth.get(p + AHEAD_STEPS) {
            for run in runs {
                let (first, last) = (lines[run.start] + ahead, lines[run.end - 1] + ahead);
                for at in (first..last).step_by(line).chain([last]) {
                    hint(src.wrapping_offset(at));
                }
            }
        }
        // SAFETY: the caller's contract; each panel has W values per step.
        unsafe {
            let step = dst.add(p * W);
            for run in runs {
                let (panel, slot) = (run.start / W, run.start % W);
                let from = src.offset(lines[run.start] + d);
                let to = step.add(panel * W * steps + slot);
                if run.len() == W {
                    // A whole panel's step: a copy of fixed size.
                    copy_short(from, to, W);
                } else {
                    copy_short(from, to, run.len());
                }
            }
            if width != 0 {
                for l in width..W {
                    step.add(last * W * steps + l).write(T::zero());
                }
            }
        }
    }
}

/// [`pack`] of one panel value by value: its `W` lines (or fewer) read
/// side by side along the depth, each in its order.
///
/// # Safety
/// As for [`pack`], for one panel.
unsafe fn pack_values<T: Element, const W: usize>(
    panel: &mut [T],
    src: *const T,
    lines: &[isize],
    depth: &[isize],
) {
    let dst = panel.as_mut_ptr();
    let mut starts = [src; W];
    for (start, &line) in starts.iter_mut().zip(lines) {
        *start = src.wrapping_offset(line);
    }
    let width = lines.len();
    for (p, &d) in depth.iter().enumerate() {
        for (l, start) in starts.iter().enumerate() {
            // SAFETY: line l < width is in src at every depth offset; the
            // panel has W values per step.
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

/// Stores the `rows.len()` rows of a tile (`MR x NR`, row-major) whose
/// columns are `runs` of the output offsets `cols` (positions from
/// `first`, the tile's first column), at `rows[r] + cols[c]`, as `scale`
/// says: each tile row a run of adjacent places at a time, so that a tile
/// crossing a jump of the output's strides still stores slices.
///
/// # Safety
/// Every `row + col` offset is that of an element of `out` that no other
/// thread accesses meanwhile (read only where the scale reads it, and
/// then initialized); the runs lie in the tile's columns.
pub(super) unsafe fn store<T: Element, const MR: usize, const NR: usize>(
    out: *mut T,
    tile: &[[T; NR]; MR],
    rows: &[isize],
    (cols, runs, first): (&[isize], &[Range<usize>], usize),
    scale: Scale<T>,
) {
    if let [run] = runs {
        if run.len() == NR && scale.is_sum() {
            for (values, &row) in tile.iter().zip(rows) {
                // A whole tile row added as one fixed-size array.
                // SAFETY: the caller's contract, for NR adjacent places.
                unsafe {
                    let place = out.offset(row + cols[run.start]).cast::<[T; NR]>();
                    let mut sums = place.read();
                    for (sum, &value) in sums.iter_mut().zip(values) {
                        *sum = sum.add_wrapping(value);
                    }
                    place.write(sums);
                }
            }
            return;
        }
    }
    for (values, &row) in tile.iter().zip(rows) {
        for run in runs {
            let values = &values[run.start - first..run.end - first];
            // SAFETY: the caller's contract: the run's places are
            // adjacent elements of `out`, this thread's alone.
            unsafe { store_run(out.offset(row + cols[run.start]), values, scale) };
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
