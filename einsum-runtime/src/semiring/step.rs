//! One step over a semiring: for each output element, the `⊕` of the `⊗`
//! of its two operands over the summed axes, in one fixed order; the
//! output's rows spread over the threads.

use super::Semiring;
use crate::kernels::dims::{step_axes, walk, Axis};
use crate::path::Steps;
use crate::scale::Scale;
use crate::schedule;
use crate::step::BinaryStep;
use crate::Element;
use std::cmp::Reverse;
use std::marker::PhantomData;

/// The steps of a path over the semiring `S`.
pub(super) struct SemiringSteps<S>(PhantomData<S>);

impl<S> SemiringSteps<S> {
    pub(super) fn new() -> Self {
        SemiringSteps(PhantomData)
    }
}

impl<T: Element, S: Semiring<T>> Steps<T> for SemiringSteps<S> {
    fn step<const W: usize>(&self, step: &BinaryStep<'_, '_, T, W>) {
        run::<T, S, W>(step);
    }

    fn add_part(&self, old: T, part: T, scale: Option<Scale<T>>) -> T {
        // The first part stored `alpha ⊗ part ⊕ beta ⊗ old`: the others
        // are added `⊗ alpha`.
        let part = scale.map_or(part, |scale| S::mul(scale.factor(), part));
        S::add(old, part)
    }
}

/// `alpha ⊗ value ⊕ beta ⊗ old`, reading `old` only when `beta` is given
/// and is not the semiring's zero.
#[inline(always)]
pub(super) fn store<T: Element, S: Semiring<T>>(
    value: T,
    scale: Option<Scale<T>>,
    old: impl FnOnce() -> T,
) -> T {
    let Some(scale) = scale else {
        return value;
    };
    let scaled = S::mul(scale.factor(), value);
    match scale.old_factor() {
        Some(beta) if !is_zero::<T, S>(beta) => S::add(scaled, S::mul(beta, old())),
        _ => scaled,
    }
}

/// Whether `x` is the semiring's zero (an infinity or an integer's bound,
/// so comparing the bits is exact).
fn is_zero<T: Element, S: Semiring<T>>(x: T) -> bool {
    bytes_of(&x) == bytes_of(&S::zero())
}

fn bytes_of<T>(x: &T) -> &[u8] {
    // SAFETY: any initialized `T` (a number: no padding) may be read as its
    // bytes.
    unsafe { std::slice::from_raw_parts((x as *const T).cast::<u8>(), std::mem::size_of::<T>()) }
}

/// `out = ⊕ over the labels not in out of a ⊗ b`, over the step's labels.
pub(super) fn run<T: Element, S: Semiring<T>, const W: usize>(step: &BinaryStep<'_, '_, T, W>) {
    let BinaryStep {
        context, a, b, out, ..
    } = *step;
    if out.is_empty() {
        return;
    }
    let axes = step_axes(step);
    if super::tropical::run::<T, S, W>(&axes, step) || S::fast_step(step) {
        return;
    }
    let (mut outs, mut sums): (Vec<Axis>, Vec<Axis>) = axes.into_iter().partition(|x| x.out != 0);
    // Largest strides outermost, so the innermost loops walk unit strides.
    outs.sort_by_key(|x| Reverse(x.out.unsigned_abs()));
    sums.sort_by_key(|x| Reverse(x.a.unsigned_abs().max(x.b.unsigned_abs())));
    let unit = Axis {
        len: 1,
        a: 0,
        b: 0,
        out: 0,
    };
    let first = if outs.is_empty() {
        unit
    } else {
        outs.remove(0)
    };
    let (last, sums) = match sums.split_last() {
        Some((last, rest)) => (*last, rest.to_vec()),
        None => (unit, Vec::new()),
    };
    let scale = out.scale();
    let out = out.unscaled();
    let terms: usize = outs.iter().chain(&sums).map(|x| x.len).product::<usize>() * last.len;
    let work = terms.saturating_mul(S::TERM_WORK);
    schedule::run_rows(context, first.len, work, |r| {
        let base = (r * first.a, r * first.b, r * first.out);
        walk(&outs, base, &mut |(oa, ob, oo)| {
            let mut acc = S::start();
            walk(&sums, (oa, ob, 0), &mut |(sa, sb, _)| {
                for t in 0..last.len as isize {
                    // SAFETY: offsets from indices below the bound lengths
                    // times the strides `bind` checked.
                    let (x, y) = unsafe { (a.get(sa + t * last.a), b.get(sb + t * last.b)) };
                    S::push(&mut acc, S::mul(x, y));
                }
            });
            let value = S::finish(acc);
            // SAFETY: as above; this block owns these output elements.
            unsafe { out.set(oo, store::<T, S>(value, scale, || out.get(oo))) };
        });
    });
}
