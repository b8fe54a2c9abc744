//! A step whose output's layout makes packing gather: run into a scratch
//! array laid out in GEMM order instead (the batch, then m in A's order,
//! then n in B's), where the packing reads runs and the tiles store
//! whole rows, then copied once into the output (`permute`), which
//! applies `alpha` and `beta`. Chosen by cost (`choice`) where the
//! gathers would cost more than the copy; the scratch array counts
//! against the memory budget.

use super::choice::{choose_planned, Engine};
use super::cost::PERMUTE_FLOPS_PER_ELEMENT;
use super::dims::Axis;
use super::gemm::run_engine;
use super::groups::Groups;
use super::packed::Packed;
use super::permute::{Permute, BLOCK};
use super::tables::largest_stride_first;
use crate::context::Context;
use crate::scale::Scale;
use crate::Element;

/// A step run into a scratch array, then permuted into the output.
#[derive(Debug, Clone)]
pub(crate) struct Scratch {
    /// The engine that fills the scratch array.
    pub(super) inner: Engine,
    /// The copy from the scratch array into the output.
    permute: Permute,
    /// The scratch array's length.
    len: usize,
}

impl Scratch {
    /// The step of `groups` through a scratch array, where that costs less
    /// than `direct`, the packed engine on the output as it lies, and the
    /// array fits `budget_bytes`. The scratch array is filled by the
    /// engine the choice picks for its layout with what is left of the
    /// budget, if that engine stores every element (the packed engine or
    /// GEMM calls).
    pub(super) fn new<T: Element>(
        groups: &Groups,
        direct: &Packed,
        budget_bytes: usize,
    ) -> Option<Scratch> {
        let len =
            Axis::indices(&groups.batch) * Axis::indices(&groups.m) * Axis::indices(&groups.n);
        let bytes = len.checked_mul(size_of::<T>())?;
        let copy = PERMUTE_FLOPS_PER_ELEMENT * len as f64;
        // The most the scratch array can save, before planning for it.
        // (Pricing the gathers walks the long offset tables: once each.)
        let gathers = direct.gather_cost();
        if bytes > budget_bytes || copy >= gathers + direct.store_cost() {
            return None;
        }
        let (laid_out, moves) = gemm_order(groups);
        let time = T::MULTIPLY_ADD_TIME;
        let in_scratch = Packed::new::<T>(&laid_out)?;
        let through = in_scratch.cost(time) + in_scratch.gather_cost() + copy;
        if through >= direct.cost(time) + gathers {
            return None;
        }
        let inner = match choose_planned::<T>(laid_out, budget_bytes - bytes, Some(in_scratch)) {
            engine @ (Engine::Packed(_) | Engine::Gemm(_)) => engine,
            _ => return None,
        };
        Some(Scratch {
            inner,
            permute: Permute::new(&moves),
            len,
        })
    }

    /// Runs the step: the inner engine into the scratch array, plainly,
    /// then the copy into `out` as `scale` says (`None`: plainly).
    ///
    /// # Safety
    /// `a`, `b` and `out` with the strides of the groups this plan was
    /// made from address valid arrays (as bound and checked by
    /// `ShapeBinder`), `out` not overlapping the inputs.
    pub(super) unsafe fn run<T: Element>(
        &self,
        context: &Context,
        (a, b, out): (*const T, *const T, *mut T),
        scale: Option<Scale<T>>,
    ) {
        // The scratch array is the thread's kept memory, which holds every
        // index of the GEMM order the inner engine was planned on, and
        // which that engine writes whole.
        crate::kept::with_kept(context, self.len, |scratch: &mut [T]| {
            let scratch = scratch.as_mut_ptr();
            // SAFETY: the inputs as the caller's contract says; the scratch
            // array as above.
            let stored = unsafe { run_engine(context, &self.inner, (a, b, scratch), None) };
            debug_assert!(stored, "a scratch array's engine stores every element");
            let scale = scale.unwrap_or(Scale::alpha(T::one()));
            // SAFETY: the scratch array holds every index of the strides the
            // copy was planned with, and the caller's contract the output's.
            unsafe { self.permute.run(context, (scratch, out), scale) };
        })
    }

    /// The scratch array's layout and the copy, for `explain!`.
    pub(super) fn describe(&self) -> String {
        format!(
            "{}, into a scratch array of {} elements in GEMM order, then copied into the output \
            in blocks of {BLOCK}x{BLOCK}",
            self.inner, self.len
        )
    }
}

/// `groups` with the output laid out contiguously in GEMM order (the
/// batch in the output's order, m in A's, n in B's, the last innermost),
/// and the axes of the copy from that layout (`a`) into the output's
/// (`out`).
fn gemm_order(groups: &Groups) -> (Groups, Vec<Axis>) {
    let batch = largest_stride_first(&groups.batch, |x| x.out);
    let m = largest_stride_first(&groups.m, |x| x.a);
    let n = largest_stride_first(&groups.n, |x| x.b);
    let mut stride = 1;
    let mut laid_out = [batch, m, n];
    let mut moves = Vec::new();
    for axis in laid_out.iter_mut().rev().flat_map(|g| g.iter_mut().rev()) {
        moves.push(Axis {
            a: stride,
            b: 0,
            ..*axis
        });
        axis.out = stride;
        stride *= axis.len as isize;
    }
    let [batch, m, n] = laid_out;
    let groups = Groups {
        batch,
        m,
        n,
        k: groups.k.clone(),
    };
    (groups, moves)
}
