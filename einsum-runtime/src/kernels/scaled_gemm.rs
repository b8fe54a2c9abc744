//! GEMM-class steps with `alpha` and `beta`. The GEMM engines (the gemm
//! crate, the integer kernel, small products, matrix-vector products,
//! transpose-then-GEMM) store the product plainly; here they write it where
//! the scaling is applied afterwards, in one pass over the output:
//!
//! - `beta = 0`: into the output itself, then `out = alpha * out`, so the
//!   old contents are never read;
//! - `beta != 0`: into a copy with the output's strides (declined when it
//!   would not fit the memory budget), then `out = alpha * copy + beta * out`.
//!
//! The pass runs on the einsum's pool, a lane of the output per task.
//!
//! The generated loops fold the scaling into their stores instead.

use super::gemm;
use crate::operand::{Operand, Writer};
use crate::scale::Scale;
use crate::shapes::Shape;
use crate::Element;

/// [`gemm`] for an output whose stores `scale` scales; `false` (nothing
/// written) when it declines.
pub(super) fn gemm_scaled<T: Element, const NL: usize>(
    shape: &Shape<NL>,
    labels: &[usize],
    a: &Operand<'_, T, NL>,
    b: &Operand<'_, T, NL>,
    out: &Writer<'_, T, NL>,
    scale: Scale<T>,
) -> bool {
    // A slice of the output (a sliced path) cannot walk its elements: the
    // generated loops scale it as they store.
    if !out.is_whole() {
        return false;
    }
    let plain = out.unscaled();
    if !scale.reads_old() {
        if !gemm(shape, labels, a, b, &plain) {
            return false;
        }
        plain.par_for_each_lane(&|offset, stride, len| {
            for t in 0..len as isize {
                let at = offset + t * stride;
                // SAFETY: `at` is an element's, of this lane alone; the
                // engine has finished.
                unsafe { plain.set(at, scale.of_new(plain.get(at))) }
            }
        });
        return true;
    }
    let (low, reach) = out.reach();
    let bytes = reach.saturating_mul(std::mem::size_of::<T>());
    let mut copy: Vec<T> = Vec::new();
    if bytes > crate::budget::memory_limit(0) || copy.try_reserve_exact(reach).is_err() {
        return false;
    }
    copy.resize(reach, T::zero());
    if !gemm(shape, labels, a, b, &out.with_buffer(&mut copy)) {
        return false;
    }
    let copy = &copy;
    plain.par_for_each_lane(&|offset, stride, len| {
        for t in 0..len as isize {
            let at = offset + t * stride;
            let product = copy[(at - low) as usize];
            // SAFETY: `at` is an element's, of this lane alone; the engine
            // has finished.
            unsafe { plain.set(at, scale.apply(product, || plain.get(at))) }
        }
    });
    true
}
