//! Steps whose innermost loop adds summed rows into an output row
//! (`ij->j`, `ijk->kj`): row blocks kept wide, tiles of rows, and the
//! summed axis cut into slices when the output is too small to cut.

use super::{par_each, run_blocks, BlockPlan, Slots, MIN_ROW_BLOCKS};
use crate::context::Context;
use crate::operand::Writer;
use crate::Element;
use std::ops::Range;

/// The narrowest block of an output row that summed rows are added into
/// (`RowSum`): narrower blocks would walk the summed rows with a stride.
///
/// ```
/// use einsum_runtime::schedule::MIN_ROW_WIDTH;
/// // Column sums of a 4096 x 1024 matrix: blocks of at least 256 columns.
/// assert_eq!(MIN_ROW_WIDTH, 256);
/// ```
pub const MIN_ROW_WIDTH: u64 = 256;

/// The most slices a summed axis is cut into when the output is too small
/// to cut: enough for 16 cores several times over.
const MAX_SUM_SLICES: u64 = 64;

/// Runs `block(rows, cols, sums, out)` for a step whose innermost loop
/// adds summed rows into an output row (`ij->j`, `bij->bj`): `dims` are the
/// cut output axes, the row axis (innermost) last; `summed` is the length
/// of the outermost summed loop, and `inner_work` the steps of one output
/// index for one summed index.
///
/// Blocks of the row stay at least [`MIN_ROW_WIDTH`] wide. When that
/// leaves too few blocks for the threads (a short output), the summed axis
/// is cut as well: each slice sums into its own zeroed copy of the output,
/// and the copies are added into it in slice order. The slices depend on
/// the sizes (and the memory budget) only, so every thread count gives the
/// same result, bit for bit.
///
/// ```
/// use einsum_static::einsum;
/// let a = ndarray::Array2::<f64>::ones((1_000_000, 8));
/// // Column sums of a tall matrix: 8 outputs, a million rows each.
/// assert_eq!(einsum!("ij->j", &a)[[3]], 1e6);
/// ```
#[inline]
pub fn run_summing<T, const NL: usize, F>(
    context: &Context,
    out: &Writer<'_, T, NL>,
    dims: [isize; 2],
    summed: isize,
    inner_work: isize,
    block: F,
) where
    T: Element,
    F: Fn(Range<isize>, Range<isize>, Range<isize>, Writer<'_, T, NL>) + Sync,
{
    // Not `dims.map(..)`: that would compile the array machinery again
    // for each generated kernel.
    let (rows, cols) = (dims[0].max(0) as u64, dims[1].max(0) as u64);
    let sum_len = summed.max(0) as u64;
    let per_index = sum_len.saturating_mul(inner_work.max(1) as u64).max(1);
    let total = rows.saturating_mul(cols).saturating_mul(per_index);
    let (serial_work, block_work) = context.thresholds();
    if total <= serial_work || rows.saturating_mul(cols) == 0 {
        block(0..dims[0], 0..dims[1], 0..summed, out.shifted(0));
        return;
    }
    let mut plan = BlockPlan::new(rows, cols, per_index, block_work);
    plan.col_step = plan.col_step.max(MIN_ROW_WIDTH.min(cols));
    // Blocks of several rows, so that tiles of rows can be summed at once.
    let tile = (TILE_ELEMENTS / plan.col_step).clamp(1, MAX_TILE_ROWS);
    if rows.div_ceil(tile) >= MIN_ROW_BLOCKS {
        plan.row_step = plan.row_step.max(tile);
    }
    let budget = context.memory_limit(0);
    let slices = sum_slices::<T>(total / block_work, sum_len, out.reach().1, budget);
    if plan.count() >= MIN_ROW_BLOCKS || slices < 2 {
        run_blocks(context, plan, &|rows, cols| {
            for tile_rows in tiles(rows, tile) {
                block(tile_rows, cols.clone(), 0..summed, out.shifted(0));
            }
        });
        return;
    }
    let tile = (TILE_ELEMENTS / cols.max(1)).clamp(1, MAX_TILE_ROWS);
    sum_sliced(
        context,
        out,
        dims,
        summed,
        slices,
        &|rows, cols, sums, out| {
            for tile_rows in tiles(rows, tile) {
                block(tile_rows, cols.clone(), sums.clone(), out.shifted(0));
            }
        },
    );
}

/// The most elements in one call's tile of row sums (32 KiB of f64): the
/// tile stays in cache while the summed rows stream through it.
const TILE_ELEMENTS: u64 = 4096;

/// The most rows in one tile.
const MAX_TILE_ROWS: u64 = 16;

/// `rows` cut into consecutive ranges of at most `tile` rows.
fn tiles(rows: Range<isize>, tile: u64) -> impl Iterator<Item = Range<isize>> {
    let tile = tile.max(1) as isize;
    (rows.start..rows.end)
        .step_by(tile as usize)
        .map(move |start| start..(start + tile).min(rows.end))
}

/// How many slices to cut a summed axis of `sum_len` into: one per block
/// of work, at most [`MAX_SUM_SLICES`], and no more output copies than the
/// memory budget of `budget` bytes holds.
fn sum_slices<T>(blocks: u64, sum_len: u64, out_len: usize, budget: usize) -> u64 {
    let copy_bytes = (out_len * std::mem::size_of::<T>()).max(1);
    let copies = (budget / copy_bytes) as u64;
    blocks.min(MAX_SUM_SLICES).min(sum_len).min(copies + 1)
}

/// A block of a summing step: its rows, columns and sums, and where to
/// write them (the output, or a copy of it).
type SummingBlock<'f, T, const NL: usize> =
    dyn for<'w> Fn(Range<isize>, Range<isize>, Range<isize>, Writer<'w, T, NL>) + Sync + 'f;

/// The parallel part of [`run_summing`] with the summed axis cut: slice 0
/// writes the output, the others their own copies, added in order.
#[inline(never)]
fn sum_sliced<T: Element, const NL: usize>(
    context: &Context,
    out: &Writer<'_, T, NL>,
    dims: [isize; 2],
    summed: isize,
    slices: u64,
    block: &SummingBlock<'_, T, NL>,
) {
    let step = (summed as u64).div_ceil(slices) as isize;
    let slices = (summed as u64).div_ceil(step as u64) as isize;
    let sums = |k: isize| k * step..((k + 1) * step).min(summed);
    let mut copies: Vec<Vec<T>> = (0..slices).map(|_| Vec::new()).collect();
    let slots = Slots(copies.as_mut_ptr());
    par_each(context, slices as usize, &|k| {
        if k == 0 {
            block(0..dims[0], 0..dims[1], sums(0), out.shifted(0));
            return;
        }
        let mut copy = vec![T::zero(); out.reach().1];
        block(
            0..dims[0],
            0..dims[1],
            sums(k as isize),
            out.with_buffer(&mut copy),
        );
        // SAFETY: task k alone writes slot k, below `slices`.
        unsafe { slots.put(k, copy) };
    });
    if copies[1..].iter().any(Vec::is_empty) {
        // Skipped tasks (the call was cancelled): nothing to add.
        return;
    }
    // Slice 0 stored `alpha * sum + beta * old`; the copies' sums are
    // added times alpha.
    let alpha = out.scale().map(|scale| scale.factor());
    let scaled = |c: T| alpha.map_or(c, |alpha| alpha.mul_wrapping(c));
    if let Some((_, len)) = out.whole() {
        // SAFETY: an output allocated in standard layout: its elements are
        // the `len` consecutive ones from offset 0; the tasks that wrote it
        // have finished.
        let all = unsafe { out.slice_mut(0, len as isize) };
        for copy in &copies[1..] {
            for (o, &c) in all.iter_mut().zip(copy) {
                *o = o.add_wrapping(scaled(c));
            }
        }
        return;
    }
    // A caller's array of any layout: each copy holds an element at the
    // output's offset less the lowest one.
    let low = out.reach().0;
    let plain = out.unscaled();
    out.for_each_offset(&mut |offset| {
        for copy in &copies[1..] {
            let c = scaled(copy[(offset - low) as usize]);
            // SAFETY: `offset` is an element's, and the tasks that wrote the
            // output have finished.
            unsafe { plain.set(offset, plain.get(offset).add_wrapping(c)) };
        }
    });
}
