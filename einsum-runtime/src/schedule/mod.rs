//! The chunk scheduler: runs a step's loops serially or on the rayon pool.
//!
//! The generated loops take a block of the output: a range of the first
//! output axis and one of the second. The scheduler cuts the output into
//! disjoint blocks (so no two tasks write the same element and no locks are
//! needed), sized by the work they hold rather than by the thread count, so
//! the same sizes always give the same blocks and the same results.

use crate::context::Context;
use crate::Element;
use rayon::prelude::*;
use std::ops::Range;

pub(crate) mod cancel;
mod pools;
mod summing;
pub use cancel::Cancel;
pub(crate) use pools::pool;
pub use pools::with_threads;
pub use summing::{run_summing, MIN_ROW_WIDTH};

/// Below this many inner-loop steps in total, threads cost more than they
/// save: the loops run on the calling thread with no hand-off.
///
/// ```
/// use einsum_runtime::schedule::{run, SERIAL_WORK};
/// let caller = std::thread::current().id();
/// // 100 x 100 outputs of 3 steps each: 30 000 steps, under the threshold.
/// assert!(100 * 100 * 3 <= SERIAL_WORK);
/// let context = einsum_runtime::Context::default();
/// run(&context, [100, 100], 3, |_, _| assert_eq!(std::thread::current().id(), caller));
/// ```
pub const SERIAL_WORK: u64 = 1 << 15;

/// The work one block aims at: large enough to amortise a task, small
/// enough to balance the load across cores.
///
/// ```
/// use einsum_runtime::schedule::{run, BLOCK_WORK};
/// use std::sync::atomic::{AtomicU64, Ordering};
/// let blocks = AtomicU64::new(0);
/// // 1000 rows of 1000 steps: blocks of 65 rows (65 000 steps each).
/// let context = einsum_runtime::Context::default();
/// run(&context, [1000, 1], 1000, |_, _| { blocks.fetch_add(1, Ordering::Relaxed); });
/// assert_eq!(blocks.into_inner(), 1000u64.div_ceil(BLOCK_WORK / 1000));
/// ```
pub const BLOCK_WORK: u64 = 1 << 16;

/// Runs `f` with blocks of `work` steps (and the serial threshold at half
/// of that) for the einsums it starts on this thread, instead of
/// [`BLOCK_WORK`] and [`SERIAL_WORK`]. For tests: tiny operands then take
/// the parallel paths (blocks, split sums, copies) that only large ones
/// take otherwise.
///
/// ```
/// use einsum_runtime::schedule::{reduce, with_block_work};
/// let total = with_block_work(8, || {
///     let context = einsum_static::__private::Context::ambient();
///     reduce(&context, 100, 1, |r| r.map(|i| i as f64).sum::<f64>())
/// });
/// assert_eq!(total, 4950.0);
/// ```
#[doc(hidden)]
pub fn with_block_work<R>(work: u64, f: impl FnOnce() -> R) -> R {
    crate::context::with_ambient(|c| c.block_work = Some(work.max(2)), f)
}

/// Runs `block` over the output index space `dims[0] x dims[1]`, where each
/// output index costs `inner_work` steps of the innermost loops.
///
/// ```
/// use std::sync::atomic::{AtomicIsize, Ordering};
/// let visited = AtomicIsize::new(0);
/// einsum_runtime::schedule::run(&Default::default(), [1000, 300], 5, |rows, cols| {
///     let n = (rows.end - rows.start) * (cols.end - cols.start);
///     visited.fetch_add(n, Ordering::Relaxed);
/// });
/// assert_eq!(visited.into_inner(), 300_000);
/// ```
#[inline]
pub fn run<F>(context: &Context, dims: [isize; 2], inner_work: isize, block: F)
where
    F: Fn(Range<isize>, Range<isize>) + Sync,
{
    // Not `dims.map(..)`: that would compile the array machinery again
    // for each generated kernel.
    let (rows, cols) = (dims[0].max(0) as u64, dims[1].max(0) as u64);
    let per_index = inner_work.max(1) as u64;
    let total = rows.saturating_mul(cols).saturating_mul(per_index);
    let (serial_work, block_work) = context.thresholds();
    if total <= serial_work || rows.saturating_mul(cols) <= 1 {
        block(0..dims[0], 0..dims[1]);
        return;
    }
    let plan = BlockPlan::new(rows, cols, per_index, block_work);
    run_blocks(context, plan, &block);
}

/// Runs `row(r)` for every `r` in `0..rows`, each row costing `row_work`
/// steps, in the blocks of [`run`]: the outer loop of the runtime's own
/// steps, which cut their output along its first axis.
pub(crate) fn run_rows(
    context: &Context,
    rows: usize,
    row_work: usize,
    row: impl Fn(isize) + Sync,
) {
    run(
        context,
        [rows as isize, 1],
        row_work as isize,
        |block, _| block.for_each(&row),
    );
}

/// The parallel part of [`run`], behind a `dyn` call: compiled once, not
/// once per generated kernel (rayon's machinery is large, and a copy per
/// call site made users' builds twice as slow). One indirect call per
/// block of at least [`SERIAL_WORK`] steps costs nothing measurable.
#[inline(never)]
fn run_blocks(
    context: &Context,
    plan: BlockPlan,
    block: &(dyn Fn(Range<isize>, Range<isize>) + Sync),
) {
    par_each(context, plan.count() as usize, &|k| {
        let (r, c) = plan.block(k as u64);
        block(r, c);
    });
}

/// Runs `task(k)` for every `k` in `0..count` on the einsum's pool: the
/// one copy of rayon's machinery that the scheduler's parallel sections
/// share, whatever their element type. Once the call's cancellation token
/// is set, the tasks not started yet are skipped (see [`Cancel`]).
#[inline(never)]
pub(crate) fn par_each(context: &Context, count: usize, task: &(dyn Fn(usize) + Sync)) {
    context.in_pool(|stop| {
        (0..count).into_par_iter().for_each(|k| {
            if !stop.requested() {
                task(k)
            }
        })
    });
}

/// Sums `block(range)` over blocks of `0..len`, where each index costs
/// `inner_work` steps: the split for outputs too small to cut, such as a
/// full sum or a trace. The partial sums are added in block order and the
/// blocks depend on the sizes only, so every thread count gives the same
/// result, bit for bit.
///
/// ```
/// let context = einsum_runtime::Context::default();
/// let total = einsum_runtime::schedule::reduce(&context, 1_000_000, 1, |range| {
///     range.map(|i| i as f64).sum::<f64>()
/// });
/// assert_eq!(total, 499_999_500_000.0);
/// ```
#[inline]
pub fn reduce<T, F>(context: &Context, len: isize, inner_work: isize, block: F) -> T
where
    T: Element,
    F: Fn(Range<isize>) -> T + Sync,
{
    let per_index = inner_work.max(1) as u64;
    let total = (len.max(0) as u64).saturating_mul(per_index);
    if total <= context.thresholds().0 || len <= 1 {
        return block(0..len);
    }
    reduce_in_parallel(context, len, per_index, block)
}

/// Takes `block` by value, and does all the parallel path's work, so that
/// the serial path of [`reduce`] never needs the closure's address nor
/// keeps values across a call: a tiny einsum's operands then stay in
/// registers (the generated closures own copies of them). One small copy
/// of this per call site; the rayon part is [`reduce_blocks`], shared.
#[inline(never)]
fn reduce_in_parallel<T, F>(context: &Context, len: isize, per_index: u64, block: F) -> T
where
    T: Element,
    F: Fn(Range<isize>) -> T + Sync,
{
    let step = (context.thresholds().1 / per_index).clamp(1, len as u64);
    // The partial sums are temporaries: at most the memory budget of them.
    let most_partials = (context.memory_limit(0) / std::mem::size_of::<T>().max(1)).max(1);
    let step = step.max((len as u64).div_ceil(most_partials as u64));
    reduce_blocks(context, len, step as isize, &block)
}

/// The parallel part of [`reduce`], compiled once per element type rather
/// than once per call site (see [`run_blocks`]).
#[inline(never)]
fn reduce_blocks<T: Element>(
    context: &Context,
    len: isize,
    step: isize,
    block: &(dyn Fn(Range<isize>) -> T + Sync),
) -> T {
    let count = (len as u64).div_ceil(step as u64) as isize;
    let mut partials = vec![T::zero(); count as usize];
    let slots = Slots(partials.as_mut_ptr());
    par_each(context, count as usize, &|k| {
        let at = k as isize;
        // SAFETY: task k alone writes slot k, below `count`.
        unsafe { slots.put(k, block(at * step..((at + 1) * step).min(len))) };
    });
    partials
        .into_iter()
        .fold(T::zero(), |sum, part| sum.add_wrapping(part))
}

/// The elements of a buffer that parallel tasks fill, one task per slot.
struct Slots<T>(*mut T);

// SAFETY: each task writes its own slot only (see `put`), and the buffer
// is read after the tasks are done.
unsafe impl<T: Send> Sync for Slots<T> {}

impl<T> Slots<T> {
    /// Replaces the value in slot `k`.
    ///
    /// # Safety
    /// `k` must lie in the buffer, and no other task may use slot `k`.
    unsafe fn put(&self, k: usize, value: T) {
        // SAFETY: the caller's contract.
        unsafe { *self.0.add(k) = value };
    }
}

/// How the output is cut: blocks of `row_step` rows by `col_step` columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BlockPlan {
    rows: u64,
    cols: u64,
    row_step: u64,
    col_step: u64,
}

/// With fewer row blocks than this, the rows are too few to balance the
/// load, and the columns are cut as well.
const MIN_ROW_BLOCKS: u64 = 8;

impl BlockPlan {
    fn new(rows: u64, cols: u64, per_index: u64, block_work: u64) -> BlockPlan {
        let row_work = cols.saturating_mul(per_index).max(1);
        let row_step = (block_work / row_work).clamp(1, rows.max(1));
        if rows.div_ceil(row_step) >= MIN_ROW_BLOCKS || cols <= 1 {
            return BlockPlan {
                rows,
                cols,
                row_step,
                col_step: cols.max(1),
            };
        }
        // Too few rows: one row per block, and the columns cut by work.
        let col_step = (block_work / per_index).clamp(1, cols);
        BlockPlan {
            rows,
            cols,
            row_step: 1,
            col_step,
        }
    }

    fn count(&self) -> u64 {
        self.rows.div_ceil(self.row_step) * self.cols.div_ceil(self.col_step)
    }

    fn block(&self, k: u64) -> (Range<isize>, Range<isize>) {
        let col_blocks = self.cols.div_ceil(self.col_step);
        let (r, c) = (k / col_blocks, k % col_blocks);
        let span =
            |start: u64, step: u64, end: u64| start as isize..(start + step).min(end) as isize;
        (
            span(r * self.row_step, self.row_step, self.rows),
            span(c * self.col_step, self.col_step, self.cols),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers_exactly_once(rows: u64, cols: u64, per_index: u64) {
        let plan = BlockPlan::new(rows, cols, per_index, BLOCK_WORK);
        let mut hits = vec![0u8; (rows * cols) as usize];
        for k in 0..plan.count() {
            let (r, c) = plan.block(k);
            assert!(!r.is_empty() && !c.is_empty());
            for i in r {
                for j in c.clone() {
                    hits[i as usize * cols as usize + j as usize] += 1;
                }
            }
        }
        assert!(
            hits.iter().all(|&h| h == 1),
            "{rows}x{cols} work {per_index}"
        );
    }

    #[test]
    fn blocks_cover_the_output_once() {
        for &(r, c, w) in &[
            (1000, 1, 100),
            (3, 100_000, 1),
            (2, 5, 100_000),
            (1, 70_000, 2),
            (517, 33, 9),
        ] {
            covers_exactly_once(r, c, w);
        }
    }

    #[test]
    fn reduction_is_the_same_on_every_pool() {
        let sum = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                reduce(&Context::default(), 3_000_001, 1, |r| {
                    r.map(|i| 1.0 / (1.0 + i as f64)).sum::<f64>()
                })
            })
        };
        let one = sum(1);
        assert_eq!(one.to_bits(), sum(2).to_bits());
        assert_eq!(one.to_bits(), sum(5).to_bits());
    }

    #[test]
    fn short_first_axis_splits_the_second() {
        let plan = BlockPlan::new(2, 1 << 20, 1, BLOCK_WORK);
        assert_eq!(plan.row_step, 1);
        assert!(plan.count() >= 8);
    }

    #[test]
    fn blocks_depend_on_sizes_not_threads() {
        let plan = BlockPlan::new(4096, 4096, 16, BLOCK_WORK);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let same = one.install(|| BlockPlan::new(4096, 4096, 16, BLOCK_WORK));
        assert_eq!(plan, same);
    }
}
