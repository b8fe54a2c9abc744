//! The matrix products of log_sum_exp as one sum-product GEMM. With the
//! shifts `p[i] = max_j a[i, j]` and `q[k] = max_j b[j, k]`,
//!
//! `log Σ_j exp(a[i, j] + b[j, k]) = p[i] + q[k] + log Σ_j A[i, j] B[j, k]`
//!
//! where `A = exp(a − p)` and `B = exp(b − q)` hold numbers in [0, 1]: the
//! sum is a GEMM, and `exp` runs once per operand element instead of once
//! per term. Its terms are positive, so it is as accurate as the loops'
//! fold unless it underflows; an element whose sum falls under
//! [`LogSumExpElement::TINY`] (its best term far below `p[i] + q[k]`, or
//! none above −∞) is folded again the loops' way. Operands holding NaN or
//! +∞ are left to the loops. Each value depends on the sizes alone, so
//! every thread count gives the same bits.

use super::elements::LogSumExpElement;
use super::step::store;
use super::tropical::Tables;
use super::{LogSumExp, Semiring};
use crate::kernels::dims::step_axes;
use crate::kernels::{dense_gemms, Groups, SendPtr};
use crate::schedule;
use crate::step::BinaryStep;
use std::sync::atomic::{AtomicBool, Ordering};

/// The engine's name in [`crate::kernels::last_engine`].
pub(crate) const NAME: &str = "log-space GEMM";

/// Below this many terms the step runs the loops.
const MIN_WORK: usize = 1 << 15;

/// The scheduler's steps (multiply-adds) that one `exp` or `ln` costs, so
/// that the passes made of them are cut into blocks for every thread.
pub(super) const TRANSCENDENTAL_WORK: usize = 16;

/// Runs the step and returns `true`, or returns `false` without writing
/// when it is not a matrix product, is small, its scratch arrays exceed
/// the memory limit, or an operand holds NaN or +∞.
pub(super) fn run<T: LogSumExpElement, const W: usize>(step: &BinaryStep<'_, '_, T, W>) -> bool {
    let BinaryStep {
        context, a, b, out, ..
    } = *step;
    if T::GEMM_ENGINE.is_none() {
        return false;
    }
    let Some(groups) = Groups::new(step_axes(step)) else {
        return false;
    };
    let Tables { batch, m, n, k } = Tables::new(&groups, false);
    let (nb, nm, nn, nk) = (batch.len(), m.len(), n.len(), k.len());
    if nb * nm * nn * nk < MIN_WORK {
        return false;
    }
    let elements = nb * (nm * nk + nk * nn + nm * nn + nm + nn);
    let largest = step.shape.operand_bytes();
    if elements.saturating_mul(size_of::<T>()) > context.memory_limit(largest) {
        return false;
    }
    // One array of the thread's kept memory for the five below, each
    // written whole before it is read.
    crate::kept::with_kept(context, elements, |kept: &mut [T]| {
        // A as rows (batch, m) of k, B as rows (batch, n) of k (stored k x n
        // for the GEMM), each shifted by its row's maximum.
        let (ea, rest) = kept.split_at_mut(nb * nm * nk);
        let (eb, rest) = rest.split_at_mut(nb * nk * nn);
        let (sums, rest) = rest.split_at_mut(nb * nm * nn);
        let (p, q) = rest.split_at_mut(nb * nm);
        let finite = AtomicBool::new(true);
        // SAFETY (both reads): offsets of indices below the bound sizes times
        // the strides `bind` checked.
        let read_a =
            |r: usize, j: usize| unsafe { a.get(batch[r / nm][0] + m[r % nm][0] + k[j][0]) };
        let read_b =
            |r: usize, j: usize| unsafe { b.get(batch[r / nn][1] + n[r % nn][0] + k[j][1]) };
        let exps = (SendPtr(ea.as_mut_ptr()), SendPtr(p.as_mut_ptr()));
        shift_rows(
            context,
            nk,
            (nb * nm, read_a),
            |r, j| r * nk + j,
            exps,
            &finite,
        );
        let exps = (SendPtr(eb.as_mut_ptr()), SendPtr(q.as_mut_ptr()));
        let place_b = |r: usize, j: usize| ((r / nn) * nk + j) * nn + r % nn;
        shift_rows(context, nk, (nb * nn, read_b), place_b, exps, &finite);
        if !finite.load(Ordering::Relaxed) {
            return false;
        }
        // SAFETY: the three arrays hold nb matrices of nm x nk, nk x nn and
        // nm x nn, one after the other.
        unsafe {
            dense_gemms(
                context,
                nb,
                [nm, nn, nk],
                (ea.as_ptr(), eb.as_ptr(), sums.as_mut_ptr()),
            )
        };
        crate::kernels::record_name(NAME);
        let (sums, p, q) = (&*sums, &*p, &*q);
        let scale = out.scale();
        let out = out.unscaled();
        schedule::run_rows(context, nb * nm, nn * TRANSCENDENTAL_WORK, |r| {
            let r = r as usize;
            let (bi, mi) = (r / nm, r % nm);
            for ni in 0..nn {
                let sum = sums[r * nn + ni];
                let value = if sum >= T::TINY {
                    p[r] + q[bi * nn + ni] + sum.ln()
                } else {
                    let mut acc = LogSumExp::start();
                    for kj in &k {
                        let (oa, ob) = (
                            batch[bi][0] + m[mi][0] + kj[0],
                            batch[bi][1] + n[ni][0] + kj[1],
                        );
                        // SAFETY: as above.
                        let term = unsafe { a.get(oa) + b.get(ob) };
                        <LogSumExp as Semiring<T>>::push(&mut acc, term);
                    }
                    <LogSumExp as Semiring<T>>::finish(acc)
                };
                let at = batch[bi][2] + m[mi][1] + n[ni][1];
                // SAFETY: as above; this row owns these output elements.
                unsafe { out.set(at, store::<T, LogSumExp>(value, scale, || out.get(at))) };
            }
        });
        true
    })
}

/// For each of `rows` rows of `depth` values (`read(row, j)`): its
/// maximum (0 for a row of −∞) into `shifts[row]`, and `exp(value −
/// maximum)` into `exps[place(row, j)]`. Clears `finite` and stops at NaN
/// or +∞.
fn shift_rows<T: LogSumExpElement>(
    context: &crate::context::Context,
    depth: usize,
    (rows, read): (usize, impl Fn(usize, usize) -> T + Sync),
    place: impl Fn(usize, usize) -> usize + Sync,
    (exps, shifts): (SendPtr<T>, SendPtr<T>),
    finite: &AtomicBool,
) {
    schedule::run_rows(context, rows, depth * TRANSCENDENTAL_WORK, |r| {
        let r = r as usize;
        let mut max = T::LOWEST;
        for j in 0..depth {
            let x = read(r, j);
            if x.partial_cmp(&x).is_none() || x == T::HIGHEST {
                finite.store(false, Ordering::Relaxed);
                return;
            }
            if x > max {
                max = x;
            }
        }
        let shift = if max == T::LOWEST { T::zero() } else { max };
        // SAFETY: row r alone writes its shift and its places of the
        // exps, which `place` keeps inside the arrays.
        unsafe {
            *shifts.at(r as isize) = shift;
            for j in 0..depth {
                *exps.at(place(r, j) as isize) = (read(r, j) - shift).exp();
            }
        }
    });
}
