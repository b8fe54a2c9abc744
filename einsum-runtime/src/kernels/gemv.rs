//! Matrix-vector steps (`ij,j->i`): y[m] = sum_k A[m, k] * x[k], with the
//! matrix's rows contiguous along k.
//!
//! Bound by memory: each matrix element is read once. A dot product per
//! row would read the vector once per row as well; here four rows share
//! each load of the vector, with several vector accumulators per row, so
//! the loop keeps up with memory on every core. Row blocks go to the
//! scheduler, sized by work, so results do not depend on the thread count.

use crate::schedule;
use crate::Element;

/// Rows that share one pass over the vector.
const ROWS: usize = 4;

/// The product's shape and where its arrays are, with strides in elements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gemv<T> {
    /// Rows of the matrix (and elements of the output).
    pub m: usize,
    /// Columns of the matrix (and elements of the vector).
    pub k: usize,
    /// The matrix and its row stride (its column stride is 1).
    pub matrix: (*const T, isize),
    /// The vector and its stride.
    pub vector: (*const T, isize),
    /// The output and its stride.
    pub out: (*mut T, isize),
}

// SAFETY: a Gemv only reads the matrix and the vector, and its tasks write
// disjoint rows of the output (see `run`).
unsafe impl<T: Sync> Sync for Gemv<T> {}
unsafe impl<T: Send> Send for Gemv<T> {}

impl<T: Element> Gemv<T> {
    /// Runs the product.
    ///
    /// # Safety
    /// The pointers and strides must describe valid arrays of the sizes
    /// given, the output not overlapping the inputs.
    pub(crate) unsafe fn run(&self) {
        // A strided vector is gathered once; the kernel wants unit stride.
        let gathered: Vec<T>;
        let x: &[T] = if self.vector.1 == 1 {
            // SAFETY: the caller's contract: k elements at unit stride.
            unsafe { std::slice::from_raw_parts(self.vector.0, self.k) }
        } else {
            // SAFETY: as above, at the vector's stride.
            gathered = (0..self.k as isize)
                .map(|t| unsafe { *self.vector.0.offset(t * self.vector.1) })
                .collect();
            &gathered
        };
        schedule::run([self.m as isize, 1], self.k as isize, |rows, _| {
            // SAFETY: the scheduler's row blocks are disjoint and below m.
            unsafe { self.rows(rows.start as usize..rows.end as usize, x) }
        });
    }

    /// The output rows `rows`, four at a time.
    unsafe fn rows(&self, rows: std::ops::Range<usize>, x: &[T]) {
        let row = |i: usize| {
            // SAFETY: i < m, and a row is k contiguous elements.
            unsafe {
                std::slice::from_raw_parts(self.matrix.0.offset(i as isize * self.matrix.1), self.k)
            }
        };
        let store = |i: usize, value: T| {
            // SAFETY: i < m, and this block owns output row i.
            unsafe { *self.out.0.offset(i as isize * self.out.1) = value }
        };
        let mut i = rows.start;
        while i + ROWS <= rows.end {
            let sums = T::dot_rows([row(i), row(i + 1), row(i + 2), row(i + 3)], x);
            for (r, sum) in sums.into_iter().enumerate() {
                store(i + r, sum);
            }
            i += ROWS;
        }
        for i in i..rows.end {
            store(i, T::dot_unit(row(i), x));
        }
    }
}

/// `[sum_t rows[r][t] * x[t] for r]` with `L` accumulators per row: one
/// load of `x` serves every row.
#[inline(always)]
pub(crate) fn dot_rows_lanes<T: Element, const L: usize>(rows: [&[T]; ROWS], x: &[T]) -> [T; ROWS] {
    let len = x.len();
    let rows = rows.map(|r| &r[..len]);
    let mut acc = [[T::zero(); L]; ROWS];
    let whole = len / L * L;
    for start in (0..whole).step_by(L) {
        let xs: &[T; L] = x[start..start + L].try_into().expect("L elements");
        for (acc, row) in acc.iter_mut().zip(&rows) {
            let a: &[T; L] = row[start..start + L].try_into().expect("L elements");
            for l in 0..L {
                acc[l] = acc[l] + a[l] * xs[l];
            }
        }
    }
    let mut sums = [T::zero(); ROWS];
    for (r, (acc, row)) in acc.iter().zip(&rows).enumerate() {
        let tail = (whole..len).fold(T::zero(), |s, t| s + row[t] * x[t]);
        sums[r] = super::simd::combine(*acc) + tail;
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_rows_match_one_at_a_time() {
        for len in [0, 1, 7, 8, 31, 32, 33, 100, 1000] {
            let rows: Vec<Vec<f64>> = (0..4)
                .map(|r| {
                    (0..len)
                        .map(|t| ((t * 7 + r * 3) % 11) as f64 - 5.0)
                        .collect()
                })
                .collect();
            let x: Vec<f64> = (0..len).map(|t| ((t * 5) % 13) as f64 - 6.0).collect();
            let sums = f64::dot_rows([&rows[0], &rows[1], &rows[2], &rows[3]], &x);
            for r in 0..4 {
                let expected: f64 = rows[r].iter().zip(&x).map(|(a, b)| a * b).sum();
                assert_eq!(sums[r], expected, "len {len} row {r}");
            }
        }
    }
}
