//! Transpose-then-GEMM, for GEMM-class steps whose label groups do not fuse.
//!
//! The GEMM engine needs each group of labels (m, n, k) to walk memory as
//! one stride in each array that has it. When a group does not fuse in an
//! array (`fbea,ecfd->dcba`: neither `b, a` nor `e, f` fuse), the plain
//! engine loops over the leftover axes and calls many small GEMMs. Here
//! instead the arrays that break a group are copied once, by a
//! cache-blocked permutation, into a layout where every group fuses, so
//! that one large GEMM (per batch index) runs; an output that breaks a
//! group is computed into a buffer and scattered once.
//!
//! Each group's axis order is chosen so that the larger array of the group
//! keeps its own order and need not be copied.

use super::cost::{gemm_efficiency, COPY_FLOPS_PER_ELEMENT};
use super::dims::{fuse, Axis};
use super::SendPtr;
use crate::context::Context;
use crate::scale::Scale;
use crate::Element;
use rayon::prelude::*;

/// The axes of a GEMM-class step sorted by role.
#[derive(Debug, Clone, Default)]
pub(crate) struct Groups {
    pub batch: Vec<Axis>,
    pub m: Vec<Axis>,
    pub n: Vec<Axis>,
    pub k: Vec<Axis>,
}

impl Groups {
    /// Sorts `axes` by the arrays they stride (batch: all three or the
    /// output alone; m: A and C; n: B and C; k: A and B). `None` when an
    /// axis is summed in one operand only, or there is no k axis or no m
    /// or n axis: not a GEMM.
    pub(crate) fn new(axes: Vec<Axis>) -> Option<Groups> {
        let mut groups = Groups::default();
        for axis in axes {
            match (axis.a != 0, axis.b != 0, axis.out != 0) {
                (true, true, true) | (false, false, true) => groups.batch.push(axis),
                (true, false, true) => groups.m.push(axis),
                (false, true, true) => groups.n.push(axis),
                (true, true, false) => groups.k.push(axis),
                _ => return None,
            }
        }
        let free = !groups.m.is_empty() || !groups.n.is_empty();
        (free && !groups.k.is_empty()).then_some(groups)
    }

    /// The share of the work of `mr x nr` tiles, padded at the edges, that
    /// is real: as the step stands, and with A and B swapped.
    pub(crate) fn tile_use(&self, mr: usize, nr: usize) -> (f64, f64) {
        let len = |axes: &[Axis]| axes.iter().map(|x| x.len).product::<usize>();
        let used = |rows: usize, cols: usize| {
            let padded = rows.next_multiple_of(mr) * cols.next_multiple_of(nr);
            (rows * cols) as f64 / padded as f64
        };
        let (m, n) = (len(&self.m), len(&self.n));
        (used(m, n), used(n, m))
    }

    /// The same step with A and B in each other's roles (`C^T = B^T A^T`):
    /// m and n exchanged, and each axis's A and B strides.
    pub(crate) fn swapped(&self) -> Groups {
        let swap = |axes: &[Axis]| -> Vec<Axis> {
            let swap_one = |x: &Axis| Axis {
                a: x.b,
                b: x.a,
                ..*x
            };
            axes.iter().map(swap_one).collect()
        };
        Groups {
            batch: swap(&self.batch),
            m: swap(&self.n),
            n: swap(&self.m),
            k: swap(&self.k),
        }
    }
}

/// Which array: A, B or the output.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Array {
    A,
    B,
    Out,
}

fn stride(axis: &Axis, array: Array) -> isize {
    match array {
        Array::A => axis.a,
        Array::B => axis.b,
        Array::Out => axis.out,
    }
}

fn set_stride(axis: &mut Axis, array: Array, value: isize) {
    match array {
        Array::A => axis.a = value,
        Array::B => axis.b = value,
        Array::Out => axis.out = value,
    }
}

/// `axes` ordered as `array` lays them out: largest stride first.
fn natural_order(axes: &[Axis], array: Array) -> Vec<Axis> {
    let mut ordered = axes.to_vec();
    ordered.sort_by_key(|axis| std::cmp::Reverse(stride(axis, array).unsigned_abs()));
    ordered
}

/// Whether `axes`, in this order, walk `array` as one stride.
fn fuses_in(axes: &[Axis], array: Array) -> bool {
    axes.windows(2)
        .all(|pair| stride(&pair[0], array) == stride(&pair[1], array) * pair[1].len as isize)
}

/// The number of elements of `array` (product of its axes' lengths).
fn elements(groups: &[&[Axis]]) -> usize {
    groups
        .iter()
        .flat_map(|g| g.iter())
        .map(|x| x.len)
        .product()
}

/// The step as one GEMM per batch index, over arrays copied where a group
/// does not fuse.
///
/// # Safety
/// `a`, `b` and `out` with the strides of `groups` must address valid
/// arrays (as bound and checked by `ShapeBinder`), `out` not overlapping
/// the inputs.
pub(super) unsafe fn run<T: Element>(
    context: &Context,
    groups: &Groups,
    (a, b, out): (*const T, *const T, *mut T),
    scale: Option<Scale<T>>,
    run_fused: impl FnOnce(Fused, (*const T, *const T, *mut T), Option<Scale<T>>),
) {
    let Layout {
        groups: g,
        batch_a,
        batch_b,
        sizes,
        copy,
    } = Layout::new(groups);

    let layouts = [
        (Array::A, [&batch_a, &g.m, &g.k]),
        (Array::B, [&batch_b, &g.k, &g.n]),
        (Array::Out, [&g.batch, &g.m, &g.n]),
    ];
    let mut buffers: [Vec<T>; 3] = Default::default();
    let mut packed = g.clone();
    for (i, (array, order)) in layouts.iter().enumerate() {
        if !copy[i] {
            continue;
        }
        let axes: Vec<Axis> = order.iter().flat_map(|x| x.iter().copied()).collect();
        let mut buffer = Vec::with_capacity(sizes[i]);
        if *array != Array::Out {
            let src = if *array == Array::A { a } else { b };
            // SAFETY: `buffer` has room for every element of the array, and
            // the copy writes each of them once (contiguous strides).
            unsafe {
                permute(context, &axes, *array, src, buffer.as_mut_ptr());
                buffer.set_len(sizes[i]);
            }
        }
        buffers[i] = buffer;
        restride(&mut packed, *array);
    }
    let pointers = (
        if copy[0] { buffers[0].as_ptr() } else { a },
        if copy[1] { buffers[1].as_ptr() } else { b },
        if copy[2] {
            buffers[2].as_mut_ptr()
        } else {
            out
        },
    );
    let fused = Fused {
        m: fuse_group(&packed.m),
        n: fuse_group(&packed.n),
        k: fuse_group(&packed.k),
        batch: fuse(packed.batch.clone(), |x| vec![x.out, x.a, x.b]),
    };
    // A copied output gets the product plainly, then the scaling as it is
    // scattered.
    run_fused(fused, pointers, if copy[2] { None } else { scale });
    if copy[2] {
        // The GEMM wrote every element of the buffer.
        // SAFETY: as above, for the output's strides.
        unsafe {
            buffers[2].set_len(sizes[2]);
            let axes: Vec<Axis> = [&g.batch, &g.m, &g.n]
                .iter()
                .flat_map(|x| x.iter().copied())
                .collect();
            scatter(context, &axes, buffers[2].as_ptr(), out, scale);
        }
    }
}

/// Whether the copies of the step fit in `budget_bytes`.
pub(super) fn fits<T>(groups: &Groups, budget_bytes: usize) -> bool {
    let layout = Layout::new(groups);
    layout_bytes::<T>(&layout.sizes, &layout.copy) <= budget_bytes
}

/// `copies B (4096 elements) and the output (...), then 8 GEMMs of
/// 64x64x32 (m x n x k)`.
pub(super) fn describe(groups: &Groups) -> String {
    let layout = Layout::new(groups);
    let names = ["A", "B", "the output"];
    let copies: Vec<String> = (0..3)
        .filter(|&i| layout.copy[i])
        .map(|i| format!("{} ({} elements)", names[i], layout.sizes[i]))
        .collect();
    let total = |axes: &[Axis]| axes.iter().map(|x| x.len).product::<usize>();
    let g = &layout.groups;
    let calls = total(&g.batch);
    let plural = if calls == 1 { "" } else { "s" };
    format!(
        "copies {}, then {calls} product{plural} of {}x{}x{} (m x n x k)",
        copies.join(" and "),
        total(&g.m),
        total(&g.n),
        total(&g.k)
    )
}

/// Which arrays a step copies, and the orders of its groups.
struct Layout {
    /// The groups, each in its chosen order.
    groups: Groups,
    /// The batch axes of A and of B, without those they are broadcast along.
    batch_a: Vec<Axis>,
    batch_b: Vec<Axis>,
    /// The elements of A, B and the output (as copied).
    sizes: [usize; 3],
    /// Whether A, B, the output are copied.
    copy: [bool; 3],
}

impl Layout {
    fn new(groups: &Groups) -> Layout {
        let mut g = groups.clone();
        g.batch = natural_order(&g.batch, Array::Out);
        // An operand's copy leaves out the batch axes it is broadcast along.
        let own_batch = |array: Array| -> Vec<Axis> {
            let own = g.batch.iter().filter(|x| stride(x, array) != 0);
            own.copied().collect()
        };
        let (batch_a, batch_b) = (own_batch(Array::A), own_batch(Array::B));
        let sizes = [
            elements(&[&batch_a, &g.m, &g.k]),
            elements(&[&batch_b, &g.k, &g.n]),
            elements(&[&g.batch, &g.m, &g.n]),
        ];
        // Each group in the order of its larger array; an array that then
        // does not fuse in every group of its own is copied.
        g.m = choose_order(&g.m, (Array::A, sizes[0]), (Array::Out, sizes[2]));
        g.n = choose_order(&g.n, (Array::B, sizes[1]), (Array::Out, sizes[2]));
        g.k = choose_order(&g.k, (Array::A, sizes[0]), (Array::B, sizes[1]));
        let copy = [
            !(fuses_in(&g.m, Array::A) && fuses_in(&g.k, Array::A)),
            !(fuses_in(&g.k, Array::B) && fuses_in(&g.n, Array::B)),
            !(fuses_in(&g.m, Array::Out) && fuses_in(&g.n, Array::Out)),
        ];
        Layout {
            groups: g,
            batch_a,
            batch_b,
            sizes,
            copy,
        }
    }
}

/// The bytes of the copies.
fn layout_bytes<T>(sizes: &[usize; 3], copy: &[bool; 3]) -> usize {
    let copied: usize = (0..3).filter(|&i| copy[i]).map(|i| sizes[i]).sum();
    copied.saturating_mul(std::mem::size_of::<T>())
}

/// What the step costs this way, in FLOPs at full GEMM speed (see
/// [`super::cost`]): one GEMM per batch index over the copied arrays, and
/// a read and a write per copied element (the output's copy: the buffer's
/// write is the GEMM's own, then a read and the write).
pub(super) fn cost(groups: &Groups) -> f64 {
    let layout = Layout::new(groups);
    let g = &layout.groups;
    let total = |axes: &[Axis]| axes.iter().map(|x| x.len as f64).product::<f64>();
    let (m, n, k) = (total(&g.m), total(&g.n), total(&g.k));
    let flops = 2.0 * total(&g.batch) * m * n * k;
    let moved: f64 = (0..3)
        .filter(|&i| layout.copy[i])
        .map(|i| 2.0 * layout.sizes[i] as f64)
        .sum();
    flops / gemm_efficiency(m.min(n).min(k)) + COPY_FLOPS_PER_ELEMENT * moved
}

/// The GEMM the copied arrays allow: one m, n and k axis each, and the
/// batch axes around it.
pub(super) struct Fused {
    pub m: Axis,
    pub n: Axis,
    pub k: Axis,
    pub batch: Vec<Axis>,
}

/// A group's axes as one (they fuse in every array by construction), or a
/// unit axis for an empty group.
fn fuse_group(axes: &[Axis]) -> Axis {
    match axes.last() {
        None => Axis::UNIT,
        Some(inner) => Axis {
            len: axes.iter().map(|x| x.len).product(),
            ..*inner
        },
    }
}

/// The order of a group shared by two arrays: the larger array's own
/// order if the group fuses in it, else the other's if it fuses there,
/// else the larger's (both are then copied).
fn choose_order(
    axes: &[Axis],
    (x, x_size): (Array, usize),
    (y, y_size): (Array, usize),
) -> Vec<Axis> {
    let (big, small) = if x_size >= y_size { (x, y) } else { (y, x) };
    let big_order = natural_order(axes, big);
    if fuses_in(&big_order, big) {
        return big_order;
    }
    let small_order = natural_order(axes, small);
    if fuses_in(&small_order, small) {
        return small_order;
    }
    big_order
}

/// Gives `array` the strides of a contiguous row-major layout of its
/// groups (batch, then its two others, each in its order), leaving the
/// batch axes it is broadcast along at stride 0.
fn restride(groups: &mut Groups, array: Array) {
    let mut next = 1isize;
    let parts: [&mut Vec<Axis>; 3] = match array {
        Array::A => [&mut groups.k, &mut groups.m, &mut groups.batch],
        Array::B => [&mut groups.n, &mut groups.k, &mut groups.batch],
        Array::Out => [&mut groups.n, &mut groups.m, &mut groups.batch],
    };
    for part in parts {
        for axis in part.iter_mut().rev().filter(|x| stride(x, array) != 0) {
            set_stride(axis, array, next);
            next *= axis.len as isize;
        }
    }
}

/// Copies `array` (its strides in `axes`) into `dst`, contiguous in the
/// order of `axes` (last fastest).
///
/// # Safety
/// `src` with the strides of `axes` must address a valid array, `dst` must
/// have room for the product of the lengths.
unsafe fn permute<T: Copy + Send + Sync>(
    context: &Context,
    axes: &[Axis],
    array: Array,
    src: *const T,
    dst: *mut T,
) {
    let from: Vec<isize> = axes.iter().map(|x| stride(x, array)).collect();
    let to = contiguous(axes);
    // SAFETY: the caller's contract; `write` stores into the uninitialized
    // buffer without reading it.
    unsafe {
        copy_strided(context, axes, (src, &from), (dst, &to), |at, value| {
            at.write(value)
        })
    }
}

/// Writes the contiguous `src` (in the order of `axes`) to `out` with the
/// output's strides of `axes`, scaled as `scale` says.
///
/// # Safety
/// As for [`permute`], with the roles of source and destination swapped.
unsafe fn scatter<T: Element>(
    context: &Context,
    axes: &[Axis],
    src: *const T,
    out: *mut T,
    scale: Option<Scale<T>>,
) {
    let from = contiguous(axes);
    let to: Vec<isize> = axes.iter().map(|x| x.out).collect();
    // SAFETY (both): the caller's contract; the output is initialized, and
    // copy_strided passes each of its elements once.
    match scale {
        None => unsafe {
            copy_strided(context, axes, (src, &from), (out, &to), |at, value| {
                *at = value
            })
        },
        Some(scale) => unsafe {
            copy_strided(context, axes, (src, &from), (out, &to), |at, value| {
                *at = scale.apply(value, || *at)
            })
        },
    }
}

/// Row-major strides for the lengths of `axes`.
fn contiguous(axes: &[Axis]) -> Vec<isize> {
    let mut strides = vec![0isize; axes.len()];
    let mut next = 1isize;
    for (stride, axis) in strides.iter_mut().zip(axes).rev() {
        *stride = next;
        next *= axis.len as isize;
    }
    strides
}

/// Elements per side of the square tiles a transposing copy moves: both
/// the rows read and the rows written of a tile stay in the L1 cache.
const TILE: usize = 32;

/// Copies every index of `axes` from `src` to `dst`, each with its own
/// strides, through `store` (given each destination place once). The two axes that are unit-stride (or smallest) in the source
/// and in the destination are walked in square tiles, so that both sides
/// touch whole cache lines; the other axes are loops around the tiles, run
/// in parallel.
///
/// # Safety
/// Every offset `sum(i * stride)` over the lengths must be valid in both
/// arrays, and the destination offsets distinct.
unsafe fn copy_strided<T: Copy + Send + Sync>(
    context: &Context,
    axes: &[Axis],
    (src, from): (*const T, &[isize]),
    (dst, to): (*mut T, &[isize]),
    store: impl Fn(*mut T, T) + Sync,
) {
    let smallest = |strides: &[isize]| {
        (0..axes.len())
            .min_by_key(|&i| strides[i].unsigned_abs())
            .unwrap_or(0)
    };
    if axes.is_empty() {
        // SAFETY: offset 0 of both arrays.
        unsafe { store(dst, *src) };
        return;
    }
    let (inner_dst, inner_src) = (smallest(to), smallest(from));
    let tiled: Vec<usize> = if inner_dst == inner_src {
        vec![inner_dst]
    } else {
        vec![inner_src, inner_dst]
    };
    let outer: Vec<usize> = (0..axes.len()).filter(|i| !tiled.contains(i)).collect();
    let outer_count: usize = outer.iter().map(|&i| axes[i].len).product();
    let (src, dst) = (SendPtr(src as *mut T), SendPtr(dst));
    let one_plane = |index: usize| {
        let (mut os, mut od) = (0isize, 0isize);
        let mut rest = index;
        for &i in outer.iter().rev() {
            let j = (rest % axes[i].len) as isize;
            rest /= axes[i].len;
            os += j * from[i];
            od += j * to[i];
        }
        let (s, d) = (src.at(os) as *const T, dst.at(od));
        match tiled[..] {
            [i] => {
                for t in 0..axes[i].len as isize {
                    // SAFETY: the caller's contract.
                    unsafe { store(d.offset(t * to[i]), *s.offset(t * from[i])) };
                }
            }
            [r, c] => {
                // r: unit in the source, c: unit in the destination.
                let (rows, cols) = (axes[r].len, axes[c].len);
                for r0 in (0..rows).step_by(TILE) {
                    for c0 in (0..cols).step_by(TILE) {
                        for ci in c0..(c0 + TILE).min(cols) {
                            for ri in r0..(r0 + TILE).min(rows) {
                                let (ri, ci) = (ri as isize, ci as isize);
                                // SAFETY: the caller's contract.
                                unsafe {
                                    store(
                                        d.offset(ri * to[r] + ci * to[c]),
                                        *s.offset(ri * from[r] + ci * from[c]),
                                    )
                                };
                            }
                        }
                    }
                }
            }
            _ => unreachable!("one or two tiled axes"),
        }
    };
    let plane: usize = tiled.iter().map(|&i| axes[i].len).product();
    if outer_count > 1 && outer_count * plane >= 1 << 15 {
        context.in_pool(|stop| {
            // Once the call is cancelled, the planes not started are skipped.
            (0..outer_count).into_par_iter().for_each(|index| {
                if !stop.requested() {
                    one_plane(index)
                }
            })
        });
    } else {
        (0..outer_count).for_each(one_plane);
    }
}
