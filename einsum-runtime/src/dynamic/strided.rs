//! The loop engine of run-time equations of one or two operands that are
//! not matrix-product-shaped: reductions, diagonals, outer products,
//! element-wise products, transposes, ellipsis broadcasting. The macro
//! generates such loops at compile time; here they are chosen at run time
//! from the bound strides.
//!
//! Output axes are outermost, cut into blocks by the scheduler; summed
//! axes inside, the innermost loop one kernel call (`sum_of_products` or
//! `store_products`, with their unit-stride SIMD paths). When the inputs
//! walk an output axis with unit stride and the innermost sum with a
//! larger one (`ij->j`, `ijk->kj`), rows along that output axis are summed
//! instead (`RowSum`): each summed index adds a contiguous stretch. A
//! scalar result (a full sum, a trace) splits its outermost summed axis,
//! whose partial sums are added in block order. Every output element is
//! summed in one order that depends on sizes and strides only, so every
//! thread count gives the same bits.

use crate::context::Context;
use crate::kernels::dims::{axes_of, AxisOf};
use crate::kernels::{store_products, sum_of_products, RowSum};
use crate::operand::{Operand, Writer};
use crate::schedule;
use crate::shapes::Shape;
use crate::Element;
use std::cmp::Reverse;

/// Offsets into the inputs and the output.
type At<const K: usize> = ([isize; K], isize);

/// Runs `out = sum over the labels not in out of the product of inputs`
/// over `labels` and the ellipsis axes. `out` must have distinct offsets
/// for distinct indices (every element is written once).
pub(crate) fn strided_step<T: Element, const W: usize, const K: usize>(
    context: &Context,
    shape: &Shape<W>,
    labels: &[usize],
    inputs: [&Operand<'_, T, W>; K],
    out: &Writer<'_, T, W>,
) {
    if out.is_empty() {
        return;
    }
    let axes = axes_of(shape, labels, inputs, out);
    let (outs, sums): (Vec<AxisOf<K>>, Vec<AxisOf<K>>) = axes.into_iter().partition(|x| x.out != 0);
    // Largest strides outermost, so the innermost loops walk unit strides.
    let outs = fuse(outs, |x| x.out.unsigned_abs());
    let sums = fuse(sums, |x| {
        x.inputs.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0)
    });
    if let Some(r) = row_axis(&outs, &sums) {
        let mut outs = outs;
        let row = outs.remove(r);
        row_sums(context, (&outs, &row, &sums), inputs, out);
        return;
    }
    let start = ([0; K], 0);
    match outs.split_first() {
        Some((only, [])) if sums.is_empty() => {
            // One output axis, nothing summed: blocks of one long lane.
            schedule::run(context, [1, only.len as isize], 1, |_, cols| {
                let (offsets, to) = step(start, only, cols.start);
                let lanes = lanes(inputs, offsets, only);
                let len = cols.end - cols.start;
                // SAFETY: offsets from indices below the bound lengths times
                // the strides `bind` checked; this block owns these output
                // elements.
                unsafe { store_products(len, (out, to, only.out), lanes) }
            });
        }
        Some((first, rest)) => {
            let work: usize = rest.iter().chain(&sums).map(|x| x.len).product();
            schedule::run_rows(context, first.len, work, |r| {
                output_loops(rest, &sums, step(start, first, r), inputs, out);
            });
        }
        None => {
            let total = full_sum(context, &sums, inputs);
            // SAFETY: the output has one element, at offset 0.
            unsafe { out.set(0, total) };
        }
    }
}

/// The axes ordered by `key`, largest first, with neighbours that walk
/// memory as one axis in every array merged (fewer, longer loops).
fn fuse<const K: usize>(
    mut axes: Vec<AxisOf<K>>,
    key: impl Fn(&AxisOf<K>) -> usize,
) -> Vec<AxisOf<K>> {
    axes.sort_by_key(|x| Reverse(key(x)));
    let mut fused: Vec<AxisOf<K>> = Vec::new();
    for axis in axes {
        if let Some(outer) = fused.last_mut() {
            let n = axis.len as isize;
            let joins =
                outer.out == axis.out * n && (0..K).all(|k| outer.inputs[k] == axis.inputs[k] * n);
            if joins {
                outer.len *= axis.len;
                outer.inputs = axis.inputs;
                outer.out = axis.out;
                continue;
            }
        }
        fused.push(axis);
    }
    fused
}

/// The offsets `at` moved by `i` steps along `axis`.
fn step<const K: usize>((inputs, out): At<K>, axis: &AxisOf<K>, i: isize) -> At<K> {
    let mut moved = inputs;
    for (offset, stride) in moved.iter_mut().zip(&axis.inputs) {
        *offset += i * stride;
    }
    (moved, out + i * axis.out)
}

/// Calls `f` with the offsets of every index of `axes`, last axis fastest.
fn walk<const K: usize>(axes: &[AxisOf<K>], at: At<K>, f: &mut impl FnMut(At<K>)) {
    match axes.split_first() {
        None => f(at),
        Some((axis, rest)) => {
            for i in 0..axis.len as isize {
                walk(rest, step(at, axis, i), f);
            }
        }
    }
}

/// The output axis to sum rows along, if any: one that every input walks
/// with unit stride (or not at all), when the innermost summed axis is
/// not walked so.
fn row_axis<const K: usize>(outs: &[AxisOf<K>], sums: &[AxisOf<K>]) -> Option<usize> {
    let unit = |x: &AxisOf<K>| x.inputs.iter().all(|&s| s == 0 || s == 1) && x.inputs.contains(&1);
    if unit(sums.last()?) {
        return None;
    }
    outs.iter().position(unit)
}

/// The step with rows along the output axis `row`: the scheduler's blocks
/// are (the first other output axis) x (a stretch of `row`); in each, for
/// every index of the other output axes, a row of sums is kept while every
/// summed index adds its products, then stored.
fn row_sums<T: Element, const W: usize, const K: usize>(
    context: &Context,
    (outs, row, sums): (&[AxisOf<K>], &AxisOf<K>, &[AxisOf<K>]),
    inputs: [&Operand<'_, T, W>; K],
    out: &Writer<'_, T, W>,
) {
    let one = AxisOf {
        len: 1,
        inputs: [0; K],
        out: 0,
    };
    let (first, rest) = outs.split_first().unwrap_or((&one, &[]));
    let work: usize = rest.iter().chain(sums).map(|x| x.len).product();
    let row_bytes = row.len * std::mem::size_of::<T>();
    let threads = context.threads().max(1);
    if rest.is_empty() && row_bytes <= TILE_BYTES && first.len >= 4 * threads {
        // Whole rows, as many to a block as fit [`TILE_BYTES`] while each
        // thread gets several blocks: each summed index then reads one
        // long stretch of the block's rows, which streams (a transposing
        // reduction of 128 MiB took a third longer in tiles of 8 rows).
        let step = (TILE_BYTES / row_bytes)
            .min(first.len.div_ceil(4 * threads))
            .max(1);
        let blocks = first.len.div_ceil(step);
        let block_work = (step * row.len * work) as isize;
        schedule::run(context, [blocks as isize, 1], block_work, |bs, _| {
            let mut acc = RowSum::new();
            for b in bs {
                let start = b * step as isize;
                let rows = start..(start + step as isize).min(first.len as isize);
                tile(
                    &mut acc,
                    rows,
                    0..row.len as isize,
                    first,
                    row,
                    sums,
                    inputs,
                    out,
                );
            }
        });
        return;
    }
    let dims = [first.len as isize, row.len as isize];
    // Blocks of 8 times the scheduler's work: a tile of several rows, whose
    // reads for one summed index are then long enough to stream.
    schedule::run(context, dims, (work / 8).max(1) as isize, |rows, cols| {
        let mut acc = RowSum::new();
        if rest.is_empty() {
            tile(&mut acc, rows, cols, first, row, sums, inputs, out);
            return;
        }
        for i in rows {
            let at = step(step(([0; K], 0), first, i), row, cols.start);
            walk(rest, at, &mut |at| {
                acc.start(cols.end - cols.start);
                walk(sums, at, &mut |(offsets, _)| {
                    let lanes = lanes(inputs, offsets, row);
                    // SAFETY: offsets from indices below the bound lengths
                    // times the strides `bind` checked, along `cols`.
                    unsafe { acc.add_products(lanes) }
                });
                // SAFETY: as above; this block owns these output elements.
                unsafe { acc.store((out, at.1, row.out)) }
            });
        }
    });
}

/// The most bytes of sums a block of [`row_sums`] keeps: half of a
/// typical L2 cache.
const TILE_BYTES: usize = 256 << 10;

/// One tile of [`row_sums`]: `rows` of `first` by `cols` of `row`, the
/// sums outermost, so that each summed index reads the tile's rows in
/// turn (often one contiguous stretch); then the rows are stored.
#[allow(clippy::too_many_arguments)]
fn tile<T: Element, const W: usize, const K: usize>(
    acc: &mut RowSum<T>,
    rows: std::ops::Range<isize>,
    cols: std::ops::Range<isize>,
    first: &AxisOf<K>,
    row: &AxisOf<K>,
    sums: &[AxisOf<K>],
    inputs: [&Operand<'_, T, W>; K],
    out: &Writer<'_, T, W>,
) {
    let count = rows.end - rows.start;
    let width = cols.end - cols.start;
    let adjacent = (0..K).all(|k| first.inputs[k] == row.inputs[k] * width);
    if count > 1 && width == row.len as isize && adjacent {
        // The tile's rows lie end to end in every input: one long row per
        // summed index (the same sums, in the same order).
        acc.start_rows(1, count * width);
        walk(sums, ([0; K], 0), &mut |at| {
            let (offsets, _) = step(at, first, rows.start);
            let lanes = lanes(inputs, offsets, row);
            // SAFETY: rows `rows` of `first` by the whole `row`, which in
            // every input are the `count * width` elements from `offsets`
            // at the row's stride; indices below the bound lengths.
            unsafe { acc.add_products_to(0, lanes) }
        });
        acc.regroup(width as usize);
    } else {
        acc.start_rows(count, width);
        walk(sums, ([0; K], 0), &mut |at| {
            for (r, i) in rows.clone().enumerate() {
                let (offsets, _) = step(step(at, first, i), row, cols.start);
                let lanes = lanes(inputs, offsets, row);
                // SAFETY: offsets from indices below the bound lengths times
                // the strides `bind` checked, along `cols`; row `r` of the
                // `count` started.
                unsafe { acc.add_products_to(r, lanes) }
            }
        });
    }
    for (r, i) in rows.enumerate() {
        let (_, to) = step(step(([0; K], 0), first, i), row, cols.start);
        // SAFETY: as above; this block owns these output elements.
        unsafe { acc.store_row(r, (out, to, row.out)) }
    }
}

/// The loops below the scheduler's block: the remaining output axes, then
/// the sums, the innermost one a kernel call.
fn output_loops<T: Element, const W: usize, const K: usize>(
    outs: &[AxisOf<K>],
    sums: &[AxisOf<K>],
    at: At<K>,
    inputs: [&Operand<'_, T, W>; K],
    out: &Writer<'_, T, W>,
) {
    match (sums.is_empty(), outs.split_last()) {
        (true, Some((last, rest))) => walk(rest, at, &mut |(offsets, to)| {
            let lanes = lanes(inputs, offsets, last);
            // SAFETY: offsets from indices below the bound lengths times the
            // strides `bind` checked; this block owns these output elements.
            unsafe { store_products(last.len as isize, (out, to, last.out), lanes) }
        }),
        (true, None) => {
            // SAFETY: as above, at index 0 of every remaining axis.
            unsafe { out.set(at.1, product_at(inputs, at.0)) }
        }
        (false, _) => walk(outs, at, &mut |at| {
            let total = sum_over(sums, at, inputs);
            // SAFETY: as above.
            unsafe { out.set(at.1, total) }
        }),
    }
}

/// The sum over the summed axes `sums` (not empty) from `at`, the last
/// one a kernel call.
fn sum_over<T: Element, const W: usize, const K: usize>(
    sums: &[AxisOf<K>],
    at: At<K>,
    inputs: [&Operand<'_, T, W>; K],
) -> T {
    let (last, rest) = sums.split_last().expect("a summed axis");
    let mut total = T::zero();
    walk(rest, at, &mut |(offsets, _)| {
        let lanes = lanes(inputs, offsets, last);
        // SAFETY: as in `output_loops`.
        total = total.add_wrapping(unsafe { sum_of_products(last.len as isize, lanes) });
    });
    total
}

/// The whole sum of a scalar result: the outermost summed axis split into
/// blocks whose partial sums are added in order.
fn full_sum<T: Element, const W: usize, const K: usize>(
    context: &Context,
    sums: &[AxisOf<K>],
    inputs: [&Operand<'_, T, W>; K],
) -> T {
    let start = ([0; K], 0);
    let Some((first, rest)) = sums.split_first() else {
        return product_at(inputs, start.0);
    };
    let inner: usize = rest.iter().map(|x| x.len).product();
    schedule::reduce(context, first.len as isize, inner as isize, |range| {
        if rest.is_empty() {
            // One summed axis: this block's range is one kernel call.
            let (offsets, _) = step(start, first, range.start);
            let lanes = lanes(inputs, offsets, first);
            // SAFETY: as in `output_loops`, for indices in `range`.
            return unsafe { sum_of_products(range.end - range.start, lanes) };
        }
        let mut total = T::zero();
        for i in range {
            total = total.add_wrapping(sum_over(rest, step(start, first, i), inputs));
        }
        total
    })
}

/// The inputs along `axis` from `offsets`, as kernel lanes.
fn lanes<'r, 'a, T, const W: usize, const K: usize>(
    inputs: [&'r Operand<'a, T, W>; K],
    offsets: [isize; K],
    axis: &AxisOf<K>,
) -> [crate::kernels::Lane<'r, 'a, T, W>; K] {
    let mut k = 0;
    inputs.map(|x| {
        let lane = (x, offsets[k], axis.inputs[k]);
        k += 1;
        lane
    })
}

/// The product of the inputs' elements at `offsets`.
fn product_at<T: Element, const W: usize, const K: usize>(
    inputs: [&Operand<'_, T, W>; K],
    offsets: [isize; K],
) -> T {
    let mut product = T::one();
    for (x, &offset) in inputs.iter().zip(&offsets) {
        // SAFETY: index 0 of every axis left, as in `output_loops`.
        product = product.mul_wrapping(unsafe { x.get(offset) });
    }
    product
}
