//! The blocked loops around the micro-kernel (Goto's scheme): per product
//! (batch index), blocks of `nc` columns; in each, slices of `kc` along k;
//! for each slice the block of B is packed once and shared, and the rows
//! are cut into tasks of `mc`, each packing its rows of A and running the
//! kernel on every (A panel, B panel) pair. A product with too few rows
//! for such tasks packs A whole and cuts the columns instead
//! (`by_columns`). The tasks are cut by sizes alone and each output
//! element adds its slices of k in order, so the result does not depend
//! on the thread count.

use super::ahead::Ahead;
use super::blocking::{even_size, Blocking};
use super::kernels::Kernel;
use super::pack::{pack, runs_in_panels, store};
use super::Packed;
use crate::context::Context;
use crate::kernels::engines::gemm::offsets;
use crate::kernels::SendPtr;
use crate::scale::Scale;
use crate::schedule::BLOCK_WORK;
use crate::Element;
use rayon::prelude::*;
use std::ops::Range;

/// With fewer row blocks than this per product, a batch of products runs
/// one product per task instead.
const MIN_ROW_BLOCKS: usize = 4;

/// Whether `m` rows make too few blocks of `mc` for tasks of rows: then
/// the tasks are columns ([`by_columns`]).
pub(super) fn few_rows(m: usize, mc: usize) -> bool {
    m.div_ceil(mc) < MIN_ROW_BLOCKS
}

/// The bytes of B's panels that [`by_columns`] packs at a time.
const GROUP_BYTES: usize = 64 << 10;

/// Scheduler blocks of work in one task of [`by_columns`]: the packed
/// kernel runs a block in about the time a task costs to hand out.
const TASK_BLOCKS: u64 = 16;

/// One run of a plan: its arrays (A and B in the plan's roles) and how it
/// stores.
pub(crate) struct Job<'a, T> {
    pub(super) plan: &'a Packed,
    pub(super) arrays: (SendPtr<T>, SendPtr<T>, SendPtr<T>),
    pub(super) scale: Option<Scale<T>>,
    pub(super) context: &'a Context,
    /// The most threads it may use (1: the calling thread alone).
    pub(super) threads: usize,
}

/// Runs `job` with a kernel of `MR x NR` tiles.
///
/// # Safety
/// The arrays with the plan's tables address valid arrays, the output
/// apart from the inputs and lent to this call alone; the CPU has the
/// kernel's features.
pub(super) unsafe fn drive<T: Element, const MR: usize, const NR: usize>(
    job: &Job<'_, T>,
    kernel: Kernel<T>,
) {
    let plan = job.plan;
    let (m, n, k) = (plan.m.len(), plan.n.len(), plan.k.len());
    let (serial_work, block_work) = job.context.thresholds();
    let mut blocks = job.plan.blocks;
    if block_work < BLOCK_WORK {
        // The tests' small blocks: many tasks, and every edge.
        (blocks.mc, blocks.nc) = (2 * MR, 2 * NR);
    }
    let batches = plan.batches();
    let work = (2 * batches * m * n) as f64 * k as f64;
    let parallel = job.threads > 1 && work > serial_work as f64;
    let few_rows = few_rows(m, blocks.mc);
    let inside = batches < MIN_ROW_BLOCKS || !few_rows;
    let (a_rows, b_cols) = match few_rows {
        true => (m, group_columns::<T>(NR, k.min(blocks.kc))),
        false => (m.min(blocks.mc), n.min(blocks.nc)),
    };
    let b_len = b_cols.next_multiple_of(NR) * k.min(blocks.kc);
    let a_len = a_rows.next_multiple_of(MR) * k.min(blocks.kc);
    let new_buffers = || (vec![T::zero(); a_len], vec![T::zero(); b_len]);
    job.context.in_pool(|stop| {
        let product = |buffers: &mut (Vec<T>, Vec<T>), batch: usize, parallel: bool| {
            if stop.requested() {
                // Cancelled: the products not started are skipped.
                return;
            }
            let (oa, ob, oo) = offsets(&plan.batch, batch);
            let (a, b, out) = job.arrays;
            let arrays = (a.at(oa), b.at(ob), out.at(oo));
            // SAFETY: the caller's contract, moved to one batch index.
            unsafe {
                match few_rows {
                    true => by_columns::<T, MR, NR>(job, arrays, blocks, kernel, buffers, parallel),
                    false => product::<T, MR, NR>(job, arrays, blocks, kernel, buffers, parallel),
                }
            };
        };
        if parallel && !inside {
            (0..batches)
                .into_par_iter()
                .for_each_init(new_buffers, |buffers, batch| product(buffers, batch, false));
        } else {
            let mut buffers = new_buffers();
            (0..batches).for_each(|batch| product(&mut buffers, batch, parallel));
        }
    });
}

/// One product (one batch index); see the module's docs.
///
/// # Safety
/// As for [`drive`], with the arrays moved to the batch index.
unsafe fn product<T: Element, const MR: usize, const NR: usize>(
    job: &Job<'_, T>,
    (a, b, out): (*mut T, *mut T, *mut T),
    Blocking { kc, mc, nc }: Blocking,
    kernel: Kernel<T>,
    (a_buffer, b_buffer): &mut (Vec<T>, Vec<T>),
    parallel: bool,
) {
    let plan = job.plan;
    let (m, n, k) = (plan.m.len(), plan.n.len(), plan.k.len());
    let (a, b, out) = (SendPtr(a), SendPtr(b), SendPtr(out));
    let stop = job.context.stop();
    // Even slices: a short last slice of k would store the output once
    // more for little work.
    for cols in even_blocks_of(n, nc, NR) {
        let out_runs = runs_in_panels::<NR>(&plan.n.offsets[1][cols.clone()]);
        for depth in even_blocks_of(k, kc, 1) {
            let steps = depth.len();
            let b_panels = &mut b_buffer[..cols.len().next_multiple_of(NR) * steps];
            let (b_lines, b_depth) = (
                &plan.n.offsets[0][cols.clone()],
                &plan.k.offsets[1][depth.clone()],
            );
            // SAFETY (both): the tables hold offsets of B's elements.
            if parallel {
                let panels = b_panels.par_chunks_mut(NR * steps);
                panels
                    .zip(b_lines.par_chunks(NR))
                    .for_each(|(panel, lines)| unsafe {
                        pack::<T, NR>(panel, b.at(0), lines, b_depth)
                    });
            } else {
                unsafe { pack::<T, NR>(b_panels, b.at(0), b_lines, b_depth) };
            }
            let b_panels = &*b_panels;
            let scale = Scale::of_part(job.scale, depth.start == 0);
            let rows_block = |a_buffer: &mut Vec<T>, rows: Range<usize>| {
                if stop.requested() {
                    return;
                }
                let a_panels = &mut a_buffer[..rows.len().next_multiple_of(MR) * steps];
                let a_lines = &plan.m.offsets[0][rows.clone()];
                // SAFETY: the tables hold offsets of A's elements.
                unsafe {
                    pack::<T, MR>(
                        a_panels,
                        a.at(0),
                        a_lines,
                        &plan.k.offsets[0][depth.clone()],
                    )
                };
                let panels = Panels {
                    a: a_panels,
                    b: b_panels,
                    steps,
                    rows,
                    cols: cols.clone(),
                    out_runs: &out_runs,
                    ahead: None,
                };
                // SAFETY: the caller's contract; these rows are this
                // task's alone.
                unsafe { panels.multiply::<MR, NR>(plan, kernel, out.at(0), scale) };
            };
            if parallel {
                let new_buffer = || vec![T::zero(); m.min(mc).next_multiple_of(MR) * steps];
                let blocks: Vec<Range<usize>> = even_blocks_of(m, mc, MR).collect();
                blocks.into_par_iter().for_each_init(new_buffer, rows_block);
            } else {
                even_blocks_of(m, mc, MR).for_each(|rows| rows_block(a_buffer, rows));
            }
        }
    }
}

/// A product whose rows fit fewer blocks than [`MIN_ROW_BLOCKS`] (a
/// thin A): per slice of k, A's rows are packed once, and the tasks are
/// runs of B's columns, which each packs a group at a time and multiplies
/// while the group is in cache, so that the threads share the work
/// however few the rows.
///
/// # Safety
/// As for [`drive`], with the arrays moved to the batch index; the A
/// buffer has room for all of A's rows over a slice of k, the B buffer
/// for [`group_columns`] of them.
unsafe fn by_columns<T: Element, const MR: usize, const NR: usize>(
    job: &Job<'_, T>,
    (a, b, out): (*mut T, *mut T, *mut T),
    Blocking { kc, .. }: Blocking,
    kernel: Kernel<T>,
    (a_buffer, b_buffer): &mut (Vec<T>, Vec<T>),
    parallel: bool,
) {
    let plan = job.plan;
    let (m, n, k) = (plan.m.len(), plan.n.len(), plan.k.len());
    let (b, out) = (SendPtr(b), SendPtr(out));
    let stop = job.context.stop();
    let group = group_columns::<T>(NR, k.min(kc));
    for depth in even_blocks_of(k, kc, 1) {
        let steps = depth.len();
        let a_panels = &mut a_buffer[..m.next_multiple_of(MR) * steps];
        let (a_depth, b_depth) = (
            &plan.k.offsets[0][depth.clone()],
            &plan.k.offsets[1][depth.clone()],
        );
        // SAFETY: the tables hold offsets of A's elements.
        unsafe { pack::<T, MR>(a_panels, a, &plan.m.offsets[0], a_depth) };
        let a_panels = &*a_panels;
        let scale = Scale::of_part(job.scale, depth.start == 0);
        let columns_task = |b_buffer: &mut Vec<T>, task: Range<usize>| {
            for cols in blocks_of(task.clone(), group) {
                if stop.requested() {
                    return;
                }
                let b_panels = &mut b_buffer[..cols.len().next_multiple_of(NR) * steps];
                let b_lines = &plan.n.offsets[0][cols.clone()];
                // SAFETY: the tables hold offsets of B's elements.
                unsafe { pack::<T, NR>(b_panels, b.at(0), b_lines, b_depth) };
                let out_runs = runs_in_panels::<NR>(&plan.n.offsets[1][cols.clone()]);
                let next = cols.end..task.end.min(cols.end + group);
                let next_lines = &plan.n.offsets[0][next];
                let panels = Panels {
                    a: a_panels,
                    b: b_panels,
                    steps,
                    rows: 0..m,
                    cols,
                    out_runs: &out_runs,
                    ahead: Some(Ahead::new(b.at(0), next_lines, b_depth)),
                };
                // SAFETY: the caller's contract; these columns are this
                // task's alone.
                unsafe { panels.multiply::<MR, NR>(plan, kernel, out.at(0), scale) };
            }
        };
        if parallel {
            let (_, block_work) = job.context.thresholds();
            let panel_work = (m.next_multiple_of(MR) * NR * steps) as u64;
            let per_task = (TASK_BLOCKS * block_work).div_ceil(panel_work) as usize * NR;
            let tasks: Vec<Range<usize>> = blocks_of(0..n, per_task).collect();
            let new_buffer = || vec![T::zero(); group * steps];
            tasks
                .into_par_iter()
                .for_each_init(new_buffer, columns_task);
        } else {
            columns_task(b_buffer, 0..n);
        }
    }
}

/// The columns of B packed at a time by one task, in whole panels of
/// `nr`, `steps` deep: a small share of any L2, where the kernel then
/// finds them.
fn group_columns<T>(nr: usize, steps: usize) -> usize {
    (GROUP_BYTES / size_of::<T>() / steps / nr).max(1) * nr
}

/// Packed panels of A (rows `rows`) and B (columns `cols`), `steps` deep,
/// with the runs of adjacent places of those columns in the output
/// (`runs_in_panels`, positions from `cols.start`) and the lines of B to
/// fetch meanwhile, if any.
struct Panels<'a, T> {
    a: &'a [T],
    b: &'a [T],
    steps: usize,
    rows: Range<usize>,
    cols: Range<usize>,
    out_runs: &'a [Range<usize>],
    ahead: Option<Ahead<'a, T>>,
}

impl<T: Element> Panels<'_, T> {
    /// Runs `kernel` on every pair of an A panel and a B panel and stores
    /// each tile, as `scale` says; after each tile, hints an even share of
    /// `ahead`.
    ///
    /// # Safety
    /// `out` with the plan's tables addresses the output, whose places
    /// at these rows and columns no other thread accesses meanwhile; the
    /// CPU has the kernel's features.
    unsafe fn multiply<const MR: usize, const NR: usize>(
        mut self,
        plan: &Packed,
        kernel: Kernel<T>,
        out: *mut T,
        scale: Scale<T>,
    ) {
        let steps = self.steps;
        let mut tile = [[T::zero(); NR]; MR];
        let out_cols = &plan.n.offsets[1][self.cols.clone()];
        let mut runs = self.out_runs;
        let tiles = self.b.len() / (NR * steps) * (self.a.len() / (MR * steps));
        let per_tile = (self.ahead.as_ref()).map_or(0, |x| x.len::<NR>().div_ceil(tiles.max(1)));
        for (panel, b_panel) in self.b.chunks_exact(NR * steps).enumerate() {
            let first = panel * NR;
            let count = runs.iter().take_while(|run| run.start < first + NR).count();
            let these = &runs[..count];
            runs = &runs[count..];
            let out_rows = plan.m.offsets[1][self.rows.clone()].chunks(MR);
            for (a_panel, out_rows) in self.a.chunks_exact(MR * steps).zip(out_rows) {
                // SAFETY: the panels hold `steps` steps, the tile MR x NR;
                // the caller's contract for the rest.
                unsafe {
                    kernel(
                        steps,
                        a_panel.as_ptr(),
                        b_panel.as_ptr(),
                        tile.as_mut_ptr().cast(),
                    );
                    let columns = (out_cols, these, first);
                    store::<T, MR, NR>(out, &tile, out_rows, columns, scale);
                }
                if let Some(ahead) = &mut self.ahead {
                    ahead.fetch::<NR>(per_tile);
                }
            }
        }
    }
}

/// `0..len` in as few consecutive ranges of at most `most` as can be, of
/// about equal lengths in whole tiles of `unit`, so that tasks balance.
fn even_blocks_of(len: usize, most: usize, unit: usize) -> impl Iterator<Item = Range<usize>> {
    blocks_of(0..len, even_size(len, most, unit))
}

/// `range` in consecutive ranges of `size` (the last one shorter).
fn blocks_of(range: Range<usize>, size: usize) -> impl Iterator<Item = Range<usize>> {
    let end = range.end;
    range
        .step_by(size)
        .map(move |start| start..end.min(start + size))
}
