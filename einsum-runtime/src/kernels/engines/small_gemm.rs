//! Batches of GEMMs too small for a GEMM engine's packing (`bij,bjk->bik`
//! with i, j, k up to about 30): per batch, each output row is built as
//! `row = sum over j of a[i, j] * b[j, :]`, on contiguous rows of `b` and of
//! the output, and the batches are cut into the scheduler's blocks. Four
//! rows and up to 16 columns are summed at once, in registers, and each
//! output element is written once. The generated loops would instead take
//! one short strided dot product per output element, which costs more in
//! loop overhead than in arithmetic; a GEMM engine would pack every
//! product's operands.
//!
//! Each element is `0 + a[i,0]*b[0,k] + a[i,1]*b[1,k] + ...` in order of j.
//! Below `inner::SHORT` terms that is the order of the loops' short dot
//! products, so the result does not depend on which of the two ran; it
//! never depends on the thread count.

use super::dims::Axis;
use super::short_copy::copy_short;
use super::SendPtr;
use crate::context::Context;
use crate::kernels::simd::on_wide_units;
use crate::scale::Scale;
use crate::Element;

/// Whether the rows of `b` and of the output are contiguous along `n`, as
/// this engine needs.
pub(super) fn rows_fit(n: &Axis) -> bool {
    n.b == 1 && n.out == 1
}

/// Runs the batch of small GEMMs `c[p] = a[p] * b[p]` over the batch loops
/// `outer` (see [`super::gemm`]); the rows must fit ([`rows_fit`]).
pub(super) fn small_gemms<T: Element>(
    context: &Context,
    outer: &[Axis],
    [m, n, k]: [Axis; 3],
    (a, b, out): (*const T, *const T, *mut T),
    scale: Option<Scale<T>>,
) {
    assert!(rows_fit(&n), "small GEMMs need contiguous rows");
    let calls: usize = outer.iter().map(|x| x.len).product();
    let (a, b, out) = (SendPtr(a as *mut T), SendPtr(b as *mut T), SendPtr(out));
    let work = (m.len * n.len * k.len) as isize;
    crate::schedule::run(context, [calls as isize, 1], work, |batches, _| {
        let elements = (batches.end - batches.start) as usize * m.len * n.len * k.len;
        // SAFETY: the checks above, and the strides and sizes that
        // ShapeBinder bound and checked. The closure must inline into the
        // AVX builds, or its loops stay baseline code.
        on_wide_units(
            elements,
            #[inline(always)]
            || unsafe { batch_block(batches, outer, [m, n, k], (a, b, out), scale) },
        );
    });
}

/// The products of the batch indices `batches`; see [`small_gemms`].
/// With a `scale`, each product is summed into a scratch tile, then stored
/// scaled: the kernel's stores stay plain copies, which keeps its sums in
/// registers.
///
/// # Safety
/// Every offset the axes give for these batches must lie inside its
/// array, the rows of `b` and of the output must be contiguous (`n.b` and
/// `n.out` are 1), and no other task may write these batches' output.
#[inline(always)]
unsafe fn batch_block<T: Element>(
    batches: std::ops::Range<isize>,
    outer: &[Axis],
    [m, n, k]: [Axis; 3],
    (a, b, out): (SendPtr<T>, SendPtr<T>, SendPtr<T>),
    scale: Option<Scale<T>>,
) {
    let mut scratch = match scale {
        Some(_) => vec![T::zero(); m.len * n.len],
        None => Vec::new(),
    };
    for p in batches {
        let (oa, ob, oo) = super::gemm::offsets(outer, p as usize);
        let (dst, dst_row) = match scale {
            Some(_) => (scratch.as_mut_ptr(), n.len as isize),
            None => (out.at(oo), m.out),
        };
        let mut i = 0;
        while i < m.len {
            let piece = Piece {
                a: a.at(oa + i as isize * m.a),
                a_row: m.a,
                a_step: k.a,
                b: b.at(ob),
                b_step: k.b,
                out: dst.wrapping_offset(i as isize * dst_row),
                out_row: dst_row,
                k: k.len,
            };
            // SAFETY: the caller's contract, for rows i.. of batch p (or
            // of the scratch tile, m x n with contiguous rows).
            i += unsafe {
                if m.len - i >= 4 {
                    piece.rows::<4>(n.len)
                } else {
                    piece.rows::<1>(n.len)
                }
            };
        }
        if let Some(scale) = scale {
            for (i, sums) in scratch.chunks_exact(n.len.max(1)).enumerate() {
                for (j, &sum) in sums.iter().enumerate() {
                    // SAFETY: (i, j) of batch p is in the output (the
                    // caller's contract), which is initialized when the
                    // scale reads it.
                    unsafe {
                        let at = out.at(oo + i as isize * m.out + j as isize);
                        at.write(scale.apply(sum, || at.read()));
                    }
                }
            }
        }
    }
}

/// `R` output rows from row 0 of a piece: `out[r, c] = sum over j < k of
/// a[r, j] * b[j, c]`, each element's terms added in order of j, several
/// rows at once so that their sums are independent chains of adds.
#[derive(Clone, Copy)]
struct Piece<T> {
    a: *mut T,
    a_row: isize,
    a_step: isize,
    b: *mut T,
    b_step: isize,
    out: *mut T,
    out_row: isize,
    k: usize,
}

/// The widest run of columns summed at once.
const COLUMNS: usize = 16;

impl<T: Element> Piece<T> {
    /// Rows `0..R`, columns `0..n`; returns `R`.
    ///
    /// # Safety
    /// `a[r, j]`, `b[j, c]` and `out[r, c]` must be valid for r < R,
    /// j < k, c < n, with b's and the output's columns contiguous, and the
    /// output rows this task's alone.
    #[inline(always)]
    unsafe fn rows<const R: usize>(mut self, n: usize) -> usize {
        let mut start = 0;
        while start < n {
            // Widths known when compiling keep their sums in registers:
            // 16, 8 and 4 columns at a time, then the last 1 to 3.
            // SAFETY: the contract above, for columns start...
            let done = unsafe {
                match n - start {
                    COLUMNS.. => self.columns::<R, COLUMNS>(COLUMNS),
                    8.. => self.columns::<R, 8>(8),
                    4.. => self.columns::<R, 4>(4),
                    rest => self.columns::<R, 4>(rest),
                }
            };
            start += done;
            self.b = self.b.wrapping_add(done);
            self.out = self.out.wrapping_add(done);
        }
        R
    }

    /// Columns `0..width` (`width <= W`) of rows `0..R`; returns `width`.
    ///
    /// # Safety
    /// As for [`Piece::rows`] with `n = width`.
    #[inline(always)]
    unsafe fn columns<const R: usize, const W: usize>(self, width: usize) -> usize {
        let mut sums = [[T::zero(); W]; R];
        for j in 0..self.k as isize {
            // SAFETY: the contract above.
            let b_row =
                unsafe { std::slice::from_raw_parts(self.b.offset(j * self.b_step), width) };
            for (r, sums) in sums.iter_mut().enumerate() {
                // SAFETY: the contract above.
                let x = unsafe { *self.a.offset(r as isize * self.a_row + j * self.a_step) };
                for (sum, &y) in sums.iter_mut().zip(b_row) {
                    *sum = sum.add_wrapping(x.mul_wrapping(y));
                }
            }
        }
        for (r, sums) in sums.iter().enumerate() {
            // SAFETY: the contract above.
            unsafe {
                let out = self.out.offset(r as isize * self.out_row);
                copy_short(sums.as_ptr(), out, width);
            }
        }
        width
    }
}
