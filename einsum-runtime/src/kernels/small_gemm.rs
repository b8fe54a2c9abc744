//! Batches of GEMMs too small for a GEMM engine's packing (`bij,bjk->bik`
//! with i, j, k of a few elements): per batch, each output row is built as
//! `row = sum over j of a[i, j] * b[j, :]`, on contiguous rows of `b` and of
//! the output, and the batches are cut into the scheduler's blocks. The
//! generated loops would instead take one short strided dot product per
//! output element, which costs more in loop overhead than in arithmetic.
//!
//! Each element is `0 + a[i,0]*b[0,k] + a[i,1]*b[1,k] + ...` in order of j,
//! the order of the loops' short dot products, so the result does not
//! depend on which of the two ran, nor on the thread count.

use super::dims::Axis;
use super::inner::SHORT;
use super::simd::on_wide_units;
use super::SendPtr;
use crate::Element;

/// Runs the batch of small GEMMs `c[p] = a[p] * b[p]` over the batch loops
/// `outer` (see [`super::gemm`]), if the rows of `b` and of the output are
/// contiguous along n and k is short; otherwise returns `false` and leaves
/// the step to the generated loops.
pub(super) fn small_gemms<T: Element>(
    outer: &[Axis],
    [m, n, k]: [Axis; 3],
    (a, b, out): (*const T, *const T, *mut T),
) -> bool {
    // Up to the length where the loops' dot products add in order of j
    // (`inner::SHORT`), as this engine does.
    if n.b != 1 || n.out != 1 || k.len >= SHORT as usize {
        return false;
    }
    let calls: usize = outer.iter().map(|x| x.len).product();
    let (a, b, out) = (SendPtr(a as *mut T), SendPtr(b as *mut T), SendPtr(out));
    let work = (m.len * n.len * k.len) as isize;
    crate::schedule::run([calls as isize, 1], work, |batches, _| {
        let elements = (batches.end - batches.start) as usize * m.len * n.len * k.len;
        // SAFETY: the checks above, and the strides and sizes that
        // ShapeBinder bound and checked.
        on_wide_units(elements, || unsafe {
            batch_block(batches, outer, [m, n, k], (a, b, out))
        });
    });
    true
}

/// The products of the batch indices `batches`; see [`small_gemms`].
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
) {
    for p in batches {
        let (oa, ob, oo) = super::gemm::offsets(outer, p as usize);
        for i in 0..m.len as isize {
            // SAFETY: the caller's contract: the output row of (p, i) is
            // `n.len` contiguous elements that no other (p, i) writes, and
            // each row of b is `n.len` contiguous elements.
            let row = unsafe { std::slice::from_raw_parts_mut(out.at(oo + i * m.out), n.len) };
            row.fill(T::zero());
            for j in 0..k.len as isize {
                // SAFETY: as above.
                let (x, b_row) = unsafe {
                    (
                        *a.at(oa + i * m.a + j * k.a),
                        std::slice::from_raw_parts(b.at(ob + j * k.b) as *const T, n.len),
                    )
                };
                for (c, &y) in row.iter_mut().zip(b_row) {
                    *c = *c + x * y;
                }
            }
        }
    }
}
