//! A binary step whose loops are chosen at run time, for the steps of
//! multi-operand contractions (whose order is only known at run time):
//! the GEMM engine when the step has that shape, else loops over the
//! step's axes with the innermost one a kernel call.

use super::dims::{step_axes, walk, Axis};
use super::{gemm, store_products, sum_of_products};
use crate::operand::{Operand, Writer};
use crate::schedule;
use crate::step::BinaryStep;
use crate::Element;
use std::cmp::Reverse;

/// Runs `out = sum over the labels not in out of a * b` over `labels`.
///
/// `out` must be in standard layout (every element is written), with the labels it
/// keeps, as [`crate::Output`] makes it.
pub fn binary_step<T: Element, const NL: usize>(step: &BinaryStep<'_, '_, T, NL>) {
    let BinaryStep {
        context, a, b, out, ..
    } = *step;
    if out.is_empty() || gemm(step) {
        return;
    }
    let (mut outs, mut sums): (Vec<Axis>, Vec<Axis>) =
        step_axes(step).into_iter().partition(|x| x.out != 0);
    if outs.iter().any(|x| x.len == 0) {
        return;
    }
    // Largest strides outermost, so the innermost loop walks unit stride.
    outs.sort_by_key(|x| Reverse(x.out.unsigned_abs()));
    sums.sort_by_key(|x| Reverse(x.a.unsigned_abs().max(x.b.unsigned_abs())));
    let first = if outs.is_empty() {
        Axis {
            len: 1,
            a: 0,
            b: 0,
            out: 0,
        }
    } else {
        outs.remove(0)
    };
    let work: usize = outs.iter().chain(&sums).map(|x| x.len).product();
    schedule::run_rows(context, first.len, work, |r| {
        let base = (r * first.a, r * first.b, r * first.out);
        element_loops(&outs, &sums, base, a, b, out);
    });
}

/// The loops below the scheduler's block: the remaining output axes, then
/// the sums, the innermost one a kernel call.
fn element_loops<T: Element, const NL: usize>(
    outs: &[Axis],
    sums: &[Axis],
    base: (isize, isize, isize),
    a: &Operand<'_, T, NL>,
    b: &Operand<'_, T, NL>,
    out: &Writer<'_, T, NL>,
) {
    match (sums.split_last(), outs.split_last()) {
        (None, Some((last, rest))) => walk(rest, base, &mut |(oa, ob, oo)| {
            // SAFETY: offsets from indices below the bound lengths times the
            // strides `bind` checked; this block owns these output elements.
            unsafe {
                store_products(
                    last.len as isize,
                    (out, oo, last.out),
                    [(a, oa, last.a), (b, ob, last.b)],
                )
            }
        }),
        (None, None) => {
            // SAFETY: as above, at index 0 of every axis.
            unsafe { out.set(base.2, a.get(base.0).mul_wrapping(b.get(base.1))) }
        }
        (Some((last, rest_sums)), _) => walk(outs, base, &mut |(oa, ob, oo)| {
            let mut total = T::zero();
            walk(rest_sums, (oa, ob, oo), &mut |(sa, sb, _)| {
                // SAFETY: as above.
                let lanes = [(a, sa, last.a), (b, sb, last.b)];
                total = total.add_wrapping(unsafe { sum_of_products(last.len as isize, lanes) });
            });
            // SAFETY: as above.
            unsafe { out.set(oo, total) }
        }),
    }
}
