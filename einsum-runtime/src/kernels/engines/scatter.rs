//! Block-scatter GEMM: GEMM-class steps whose label groups do not fuse,
//! without copying any array whole.
//!
//! Each group (m, n, k) is flattened into a table of offsets, one per
//! index of the group, in each array that has the group: the group's
//! labels never need to fuse into one stride. The step then runs as
//! blocks of (batch, m, n): for each block and each slice of k, the block
//! of A and the slice of B are gathered through the tables into small
//! contiguous buffers (an array whose two groups do fuse is read in place
//! instead), multiplied by the element type's GEMM into a tile, and the
//! tile is written to the output through its tables (or the GEMM writes
//! the output in place, when its groups fuse there). Memory stays at a few
//! blocks per thread whatever the sizes, where transpose-then-GEMM
//! (`repack`) copies whole arrays.
//!
//! The blocks are cut by sizes alone and each output element's k slices
//! are added in order, so the result does not depend on the thread count.

use super::cost::{gemm_efficiency, COPY_FLOPS_PER_ELEMENT};
use super::dims::Axis;
use super::gemm::GemmCall;
use super::repack::Groups;
use super::tables::{largest_stride_first, Table};
use super::SendPtr;
use crate::context::Context;
use crate::scale::Scale;
use crate::schedule::cancel::Stop;
use crate::Element;
use rayon::prelude::*;

/// The most rows (m) and columns (n) of one block: gathers cost a copy of
/// A per block of n and of B per block of m, so blocks are as large as
/// keeps the buffers within a few MiB.
const BLOCK_MN: usize = 512;

/// The most k indices gathered at once.
const BLOCK_K: usize = 256;

/// With at least this many blocks, blocks run in parallel, each on one
/// thread; with fewer, each GEMM uses every thread (as in `gemm`).
const MIN_PARALLEL_BLOCKS: usize = 8;

/// One operand's block for a GEMM call, as (pointer, row stride, column
/// stride): read in place when the offsets of its rows and of its columns
/// are each evenly spaced, else gathered into `buffer`.
///
/// # Safety
/// Every `row + column` offset must be that of an element of `src`.
unsafe fn operand_block<T: Copy>(
    src: *mut T,
    (rows, row_step): (&[isize], Option<isize>),
    (cols, col_step): (&[isize], Option<isize>),
    buffer: &mut Vec<T>,
) -> (*const T, isize, isize) {
    match (row_step, col_step) {
        (Some(rs), Some(cs)) => (src.wrapping_offset(rows[0] + cols[0]) as *const T, rs, cs),
        _ => {
            // SAFETY: the caller's contract.
            let (rs, cs) = unsafe { gather(src, rows, cols, buffer) };
            (buffer.as_ptr(), rs, cs)
        }
    }
}

/// The step as tables and blocks; see the module's docs.
#[derive(Debug, Clone)]
pub(crate) struct BlockScatter {
    /// Tables of m in (A, out), n in (B, out), k in (A, B).
    m: Table,
    n: Table,
    k: Table,
    batch: Vec<Axis>,
    /// Block sizes along m, n and k.
    blocks: [usize; 3],
}

impl BlockScatter {
    /// The step of `groups`, each group in the order of its arrays'
    /// largest stride first.
    pub(super) fn new(groups: &Groups) -> BlockScatter {
        let m = Table::new(&largest_stride_first(&groups.m, |x| x.a), |x| (x.a, x.out));
        let n = Table::new(&largest_stride_first(&groups.n, |x| x.b), |x| (x.b, x.out));
        let k = Table::new(&largest_stride_first(&groups.k, |x| x.a), |x| (x.a, x.b));
        let blocks = [
            block_len(m.len(), BLOCK_MN),
            block_len(n.len(), BLOCK_MN),
            block_len(k.len(), BLOCK_K),
        ];
        BlockScatter {
            m,
            n,
            k,
            batch: groups.batch.clone(),
            blocks,
        }
    }

    /// The number of (batch, m, n) blocks.
    fn block_count(&self) -> usize {
        let batch: usize = self.batch.iter().map(|x| x.len).product();
        let [bm, bn, _] = self.blocks;
        batch * self.m.len().div_ceil(bm) * self.n.len().div_ceil(bn)
    }

    /// What the step costs this way, in FLOPs at full GEMM speed (see
    /// [`super::cost`]): GEMMs of the block sizes, and a read and a write
    /// per gathered element (A once per block of n, B once per block of m,
    /// the output's tile once).
    pub(super) fn cost(&self) -> f64 {
        let [bm, bn, bk] = self.blocks;
        let batch = self.batch.iter().map(|x| x.len as f64).product::<f64>();
        let (m, n, k) = (self.m.len(), self.n.len(), self.k.len());
        let flops = 2.0 * batch * (m * n) as f64 * k as f64;
        let smallest = bm.min(bn).min(bk) as f64;
        let mut gathered = 0.0;
        if self.gathers_a() {
            gathered += (m * k) as f64 * n.div_ceil(bn) as f64;
        }
        if self.gathers_b() {
            gathered += (k * n) as f64 * m.div_ceil(bm) as f64;
        }
        if self.tiles_out() {
            gathered += (m * n) as f64;
        }
        flops / gemm_efficiency(smallest) + COPY_FLOPS_PER_ELEMENT * 2.0 * batch * gathered
    }

    /// The (m, n, k) sizes and the block sizes, for `explain!`.
    pub(super) fn describe(&self) -> String {
        let [bm, bn, bk] = self.blocks;
        let (m, n, k) = (self.m.len(), self.n.len(), self.k.len());
        let gathered: Vec<&str> = [
            (self.gathers_a(), "A"),
            (self.gathers_b(), "B"),
            (self.tiles_out(), "the output"),
        ]
        .iter()
        .filter(|(gathers, _)| *gathers)
        .map(|&(_, name)| name)
        .collect();
        format!(
            "{m}x{n}x{k} (m x n x k) in {} blocks of {bm}x{bn}, k in slices of {bk}; \
            gathers {} through offset tables",
            self.block_count(),
            gathered.join(" and ")
        )
    }

    fn gathers_a(&self) -> bool {
        self.m.step[0].is_none() || self.k.step[0].is_none()
    }

    fn gathers_b(&self) -> bool {
        self.k.step[1].is_none() || self.n.step[0].is_none()
    }

    fn tiles_out(&self) -> bool {
        self.m.step[1].is_none() || self.n.step[1].is_none()
    }

    /// Runs the step, storing as `scale` says (`None`: plainly).
    ///
    /// # Safety
    /// `a`, `b` and `out` with the strides of the groups this plan was
    /// made from must address valid arrays (as bound and checked by
    /// `ShapeBinder`), `out` not overlapping the inputs.
    pub(super) unsafe fn run<T: Element>(
        &self,
        context: &Context,
        (a, b, out): (*const T, *const T, *mut T),
        scale: Option<Scale<T>>,
    ) {
        let [bm, bn, _] = self.blocks;
        let (m_blocks, n_blocks) = (self.m.len().div_ceil(bm), self.n.len().div_ceil(bn));
        let count = self.block_count();
        let parallel_blocks = count >= MIN_PARALLEL_BLOCKS;
        // Each block on one thread, or the one block on all of them.
        let threads = if parallel_blocks {
            1
        } else {
            context.threads()
        };
        let (a, b, out) = (SendPtr(a as *mut T), SendPtr(b as *mut T), SendPtr(out));
        let one_block = |index: usize, stop: Stop<'_>| {
            if stop.requested() {
                // The call was cancelled: the blocks not started are skipped.
                return;
            }
            let (batch, rest) = (index / (m_blocks * n_blocks), index % (m_blocks * n_blocks));
            let (oa, ob, oo) = super::gemm::offsets(&self.batch, batch);
            let (mi, ni) = (rest / n_blocks, rest % n_blocks);
            let rows = mi * bm..((mi + 1) * bm).min(self.m.len());
            let cols = ni * bn..((ni + 1) * bn).min(self.n.len());
            // SAFETY: the caller's contract; the blocks of distinct indices
            // write distinct output elements.
            unsafe {
                self.block(
                    (a.at(oa), b.at(ob), out.at(oo)),
                    (rows, cols),
                    scale,
                    threads,
                )
            };
        };
        context.in_pool(|stop| {
            if parallel_blocks {
                (0..count)
                    .into_par_iter()
                    .for_each(|index| one_block(index, stop));
            } else {
                (0..count).for_each(|index| one_block(index, stop));
            }
        });
    }

    /// One block of the output: its rows and columns, summed over every
    /// slice of k in order, then stored as `scale` says.
    ///
    /// # Safety
    /// As for [`BlockScatter::run`], with the pointers moved to one batch
    /// index.
    unsafe fn block<T: Element>(
        &self,
        (a, b, out): (*mut T, *mut T, *mut T),
        (rows, cols): (std::ops::Range<usize>, std::ops::Range<usize>),
        scale: Option<Scale<T>>,
        threads: usize,
    ) {
        let [_, _, bk] = self.blocks;
        let (mb, nb) = (rows.len(), cols.len());
        let mut a_buf: Vec<T> = Vec::new();
        let mut b_buf: Vec<T> = Vec::new();
        let mut tile: Vec<T> = Vec::new();
        // The tile gets the sums plainly, then the scaling as it is written.
        let tile_scale = if self.tiles_out() { None } else { scale };
        let dst = if self.tiles_out() {
            tile.reserve_exact(mb * nb);
            (tile.as_mut_ptr(), nb as isize, 1)
        } else {
            let (ms, ns) = (self.m.step[1].unwrap_or(0), self.n.step[1].unwrap_or(0));
            let first = self.m.offsets[1][rows.start] + self.n.offsets[1][cols.start];
            (out.wrapping_offset(first), ms, ns)
        };
        for (slice, k0) in (0..self.k.len()).step_by(bk).enumerate() {
            let depth = k0..(k0 + bk).min(self.k.len());
            let (m, n, k) = (&self.m, &self.n, &self.k);
            // SAFETY: the tables' offsets are indices of A's and B's groups.
            let lhs = unsafe { operand_block(a, m.part(0, &rows), k.part(0, &depth), &mut a_buf) };
            let rhs = unsafe { operand_block(b, k.part(1, &depth), n.part(0, &cols), &mut b_buf) };
            let call = GemmCall {
                m: mb,
                n: nb,
                k: depth.len(),
                dst,
                scale: Scale::of_part(tile_scale, slice == 0),
                lhs,
                rhs,
                threads,
            };
            // SAFETY: the buffers hold the gathered blocks with the
            // strides given; the in-place arrays' offsets are indices of
            // their groups (the caller's contract).
            unsafe { T::gemm(&call) };
        }
        if self.tiles_out() {
            // SAFETY: the GEMM wrote every element of the tile (the first
            // slice overwrites), and the tables hold the output's offsets.
            unsafe {
                tile.set_len(mb * nb);
                let (m_off, n_off) = (&self.m.offsets[1][rows], &self.n.offsets[1][cols]);
                for (r, &mo) in m_off.iter().enumerate() {
                    for (c, &no) in n_off.iter().enumerate() {
                        let (at, value) = (out.offset(mo + no), tile[r * nb + c]);
                        *at = match scale {
                            None => value,
                            Some(scale) => scale.apply(value, || *at),
                        };
                    }
                }
            }
        }
    }
}

/// Gathers `src[row + col]` for every row and column offset into `dst`,
/// walking along whichever of the two moves through memory in the
/// smaller steps, and laid out in that order; returns the buffer's (row,
/// column) strides.
///
/// # Safety
/// Every `row + col` must be the offset of an element of `src`.
unsafe fn gather<T: Copy>(
    src: *const T,
    rows: &[isize],
    cols: &[isize],
    dst: &mut Vec<T>,
) -> (isize, isize) {
    let spread = |offsets: &[isize]| match offsets {
        [first, second, ..] => (second - first).unsigned_abs(),
        _ => usize::MAX,
    };
    let along_cols = spread(cols) <= spread(rows);
    let (outer, inner) = if along_cols {
        (rows, cols)
    } else {
        (cols, rows)
    };
    dst.clear();
    dst.reserve_exact(outer.len() * inner.len());
    let mut next = dst.as_mut_ptr();
    // SAFETY: the caller's contract for `src`; `dst` has room for every
    // (outer, inner) pair, written once each in order.
    unsafe {
        for &o in outer {
            let line = src.offset(o);
            for &i in inner {
                next.write(*line.offset(i));
                next = next.add(1);
            }
        }
        dst.set_len(outer.len() * inner.len());
    }
    let line = inner.len() as isize;
    if along_cols {
        (line, 1)
    } else {
        (1, line)
    }
}

/// A block length of at most `most` that splits `len` into equal blocks.
fn block_len(len: usize, most: usize) -> usize {
    let blocks = len.div_ceil(most).max(1);
    len.div_ceil(blocks).max(1)
}
