//! Copying an array into another layout: the last pass of a step computed
//! into a scratch array (`scratch`). Rows run along the source's
//! contiguous axis and columns along the destination's, and a task copies
//! a few rows a block at a time, so that both arrays are read and written
//! a cache line at a time; meanwhile it asks for the next task's lines.

use super::dims::Axis;
use super::packed::hint;
use super::tables::offsets_of;
use super::SendPtr;
use crate::context::Context;
use crate::scale::Scale;
use crate::Element;
use rayon::prelude::*;

/// The rows of one task.
const TASK_ROWS: usize = 32;

/// The side of the blocks a task copies at a time: a cache line of f64.
pub(super) const BLOCK: usize = 8;

/// A copy from one layout into another: each axis with its stride in
/// the source (`a`) and in the destination (`out`).
#[derive(Debug, Clone)]
pub(crate) struct Permute {
    /// The axes around the rows and columns: each index is one or more
    /// tasks.
    outer: Vec<Axis>,
    /// The rows: the axis along which the source is contiguous.
    rows: Axis,
    /// The columns: the destination's innermost axis.
    columns: Axis,
}

impl Permute {
    /// The copy over `axes` (strides `a` in the source, `out` in the
    /// destination).
    pub(crate) fn new(axes: &[Axis]) -> Permute {
        let mut outer: Vec<Axis> = axes.iter().filter(|x| x.len > 1).copied().collect();
        outer.sort_by_key(|x| std::cmp::Reverse(x.out.unsigned_abs()));
        let columns = outer.pop().unwrap_or(Axis::UNIT);
        let read = (0..outer.len()).min_by_key(|&i| outer[i].a.unsigned_abs());
        let rows = match read {
            Some(i) if outer[i].a.unsigned_abs() < columns.a.unsigned_abs() => outer.remove(i),
            _ => Axis::UNIT,
        };
        Permute {
            outer,
            rows,
            columns,
        }
    }

    /// Copies `src` into `dst` as `scale` says, on the context's pool, in
    /// tasks cut by sizes alone.
    ///
    /// # Safety
    /// `src` with the `a` strides and `dst` with the `out` strides address
    /// valid arrays that do not overlap, `dst` lent to this call alone and
    /// initialized where the scale reads it.
    pub(crate) unsafe fn run<T: Element>(
        &self,
        context: &Context,
        (src, dst): (*const T, *mut T),
        scale: Scale<T>,
    ) {
        let outer = offsets_of(&self.outer, |x| [x.a, x.out]);
        let row_tasks = self.rows.len.div_ceil(TASK_ROWS);
        let tasks = outer.len() * row_tasks;
        let task_work = (TASK_ROWS.min(self.rows.len) * self.columns.len) as u64;
        let (serial_work, block_work) = context.thresholds();
        let (src, dst) = (SendPtr(src as *mut T), SendPtr(dst));
        let rows_of = |t: usize| {
            let first = t % row_tasks * TASK_ROWS;
            first..self.rows.len.min(first + TASK_ROWS)
        };
        let task = |t: usize| {
            if let Some(&[from, to]) = outer.get((t + 1) / row_tasks) {
                // The next task's lines: the columns are far apart in
                // the source, which the CPU's own prefetching does not
                // foresee.
                self.hint::<T>((src.at(from), dst.at(to)), rows_of(t + 1));
            }
            let [from, to] = outer[t / row_tasks];
            // SAFETY: the caller's contract; each task writes its own rows
            // of its own outer index.
            unsafe { self.copy_rows(src.at(from), dst.at(to), rows_of(t), scale) };
        };
        if context.threads() > 1 && tasks > 1 && task_work * tasks as u64 > serial_work {
            let per_task = block_work.div_ceil(task_work.max(1)) as usize;
            context.in_pool(|stop| {
                (0..tasks)
                    .into_par_iter()
                    .with_min_len(per_task)
                    .for_each(|t| {
                        if !stop.requested() {
                            task(t)
                        }
                    })
            });
        } else {
            (0..tasks).for_each(task);
        }
    }

    /// Asks for the cache lines that [`Permute::copy_rows`] will read and
    /// write for `rows` from `src` and `dst`.
    fn hint<T>(&self, (src, dst): (*const T, *mut T), rows: std::ops::Range<usize>) {
        let line = (64 / size_of::<T>()).max(1);
        let (r, c) = (&self.rows, &self.columns);
        let lines = |stride: isize| if stride.unsigned_abs() == 1 { line } else { 1 };
        for j in 0..c.len as isize {
            for i in rows.clone().step_by(lines(r.a)) {
                hint(src.wrapping_offset(i as isize * r.a + j * c.a));
            }
        }
        for i in rows {
            for j in (0..c.len).step_by(lines(c.out)) {
                hint(dst.wrapping_offset(i as isize * r.out + j as isize * c.out));
            }
        }
    }

    /// Copies `rows` (all the columns) at one outer index, a block of
    /// [`BLOCK`] x [`BLOCK`] at a time: the block's cache lines of the
    /// source and of the destination are each touched once, in a burst,
    /// however their strides map them onto the sets of L1.
    ///
    /// # Safety
    /// As for [`Permute::run`], with the arrays moved to the outer index.
    unsafe fn copy_rows<T: Element>(
        &self,
        src: *const T,
        dst: *mut T,
        rows: std::ops::Range<usize>,
        scale: Scale<T>,
    ) {
        let (r, c) = (&self.rows, &self.columns);
        let mut block = [[T::zero(); BLOCK]; BLOCK];
        // Where the source's rows and the destination's columns are
        // contiguous (a scratch array into an array of its own), a whole
        // block is one transpose of loads and stores of whole lines.
        let lines = r.a == 1 && c.out == 1;
        for first_column in (0..c.len).step_by(BLOCK) {
            let columns = BLOCK.min(c.len - first_column);
            for first_row in rows.clone().step_by(BLOCK) {
                let height = BLOCK.min(rows.end - first_row);
                let (i, j) = (first_row as isize, first_column as isize);
                if lines && columns == BLOCK && height == BLOCK {
                    // SAFETY: the caller's contract: a block of indices
                    // of the arrays.
                    unsafe {
                        transpose(
                            (src.offset(i + j * c.a), c.a),
                            (dst.offset(i * r.out + j), r.out),
                            scale,
                        )
                    };
                    continue;
                }
                // SAFETY (both): the caller's contract: indices of the
                // arrays.
                for (jj, values) in block.iter_mut().take(columns).enumerate() {
                    let from = i * r.a + (j + jj as isize) * c.a;
                    for (ii, value) in values.iter_mut().take(height).enumerate() {
                        *value = unsafe { *src.offset(from + ii as isize * r.a) };
                    }
                }
                for ii in 0..height {
                    let to = (i + ii as isize) * r.out + j * c.out;
                    for (jj, values) in block.iter().take(columns).enumerate() {
                        unsafe {
                            let place = dst.offset(to + jj as isize * c.out);
                            place.write(scale.apply(values[ii], || place.read()));
                        }
                    }
                }
            }
        }
    }
}

/// Copies the block of [`BLOCK`] x [`BLOCK`] elements whose columns lie
/// `column_step` apart in the source, each contiguous, into rows
/// `row_step` apart in the destination, each contiguous.
///
/// # Safety
/// Both blocks are indices of their arrays, which do not overlap.
#[inline(always)]
unsafe fn transpose<T: Element>(
    (src, column_step): (*const T, isize),
    (dst, row_step): (*mut T, isize),
    scale: Scale<T>,
) {
    let mut block = [[T::zero(); BLOCK]; BLOCK];
    for (j, column) in block.iter_mut().enumerate() {
        // SAFETY: the caller's contract; unaligned, as elements may be.
        *column = unsafe {
            src.offset(j as isize * column_step)
                .cast::<[T; BLOCK]>()
                .read_unaligned()
        };
    }
    let rows: [[T; BLOCK]; BLOCK] = std::array::from_fn(|i| std::array::from_fn(|j| block[j][i]));
    let plain = scale.is_plain();
    for (i, mut row) in rows.into_iter().enumerate() {
        // SAFETY: as above.
        let place = unsafe { dst.offset(i as isize * row_step).cast::<[T; BLOCK]>() };
        if !plain {
            // SAFETY: as above; the caller's contract has the destination
            // initialized where the scale reads it.
            let old = unsafe { place.read_unaligned() };
            for (value, old) in row.iter_mut().zip(old) {
                *value = scale.apply(*value, || old);
            }
        }
        // SAFETY: as above.
        unsafe { place.write_unaligned(row) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Options;

    /// Every layout of a 3-D array of odd sizes into every other, with
    /// and without beta, on one and two threads.
    #[test]
    fn copies_every_element_into_its_place() {
        let dims = [37usize, 5, 70];
        let len: usize = dims.iter().product();
        let src: Vec<f64> = (0..len).map(|i| i as f64).collect();
        let strides_of = |order: [usize; 3]| {
            let mut strides = [0isize; 3];
            let mut s = 1;
            for &axis in order.iter().rev() {
                strides[axis] = s;
                s *= dims[axis] as isize;
            }
            strides
        };
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        for from in orders {
            for to in orders {
                let (a, out) = (strides_of(from), strides_of(to));
                let axes: Vec<Axis> = (0..3)
                    .map(|x| Axis {
                        len: dims[x],
                        a: a[x],
                        b: 0,
                        out: out[x],
                    })
                    .collect();
                let permute = Permute::new(&axes);
                for (threads, beta) in [(1, 0.0), (2, 0.0), (2, 0.5)] {
                    let mut dst = vec![1.0; len];
                    let mut context: Context = Options::new().threads(threads).context();
                    context.block_work = Some(64);
                    // SAFETY: both arrays hold every index of the strides.
                    unsafe {
                        permute.run(
                            &context,
                            (src.as_ptr(), dst.as_mut_ptr()),
                            Scale::new(2.0, beta),
                        )
                    };
                    for i in 0..dims[0] {
                        for j in 0..dims[1] {
                            for k in 0..dims[2] {
                                let at = |s: [isize; 3]| {
                                    (i as isize * s[0] + j as isize * s[1] + k as isize * s[2])
                                        as usize
                                };
                                let want = 2.0 * src[at(a)] + beta;
                                assert_eq!(dst[at(out)], want, "{from:?} -> {to:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}
