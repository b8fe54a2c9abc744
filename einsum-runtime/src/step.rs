//! The hand-off of a generated step to the GEMM engines: the equation's
//! shape and arrays are widened to [`WIDE`] labels and handed to the
//! engines' copy that this crate compiled for the element type (see
//! [`crate::compiled`]), so that a user's build does not compile them at
//! all. Equations of more labels get a copy for [`WIDEST`] labels,
//! compiled where they are used.

use crate::context::Context;
use crate::kernels;
use crate::operand::{Operand, Writer};
use crate::shapes::{Shape, WIDE, WIDEST};
use crate::Element;

/// A binary step as the engines take it: the call's settings, the bound
/// sizes, the labels the step loops over, its two operands and its output
/// (with its scaling).
#[derive(Clone, Copy)]
pub struct BinaryStep<'s, 'x, T, const NL: usize> {
    /// The settings of the call the step belongs to.
    pub context: &'s Context,
    /// The bound sizes of every label and of the ellipsis.
    pub shape: &'s Shape<NL>,
    /// The labels the step loops over, numbered as in `shape`.
    pub labels: &'s [usize],
    /// The left operand.
    pub a: &'s Operand<'x, T, NL>,
    /// The right operand.
    pub b: &'s Operand<'x, T, NL>,
    /// The output.
    pub out: &'s Writer<'x, T, NL>,
}

/// Runs a GEMM-class step over `labels` through [`kernels::gemm`]; `false`
/// (nothing done) when it declines. Steps too small for the engine
/// decline here, inlined, at the cost of a few multiplications.
///
/// ```
/// # use einsum_static::einsum;
/// // The macro calls this for matmul-like steps; users just write:
/// let a = ndarray::Array2::<f64>::ones((64, 32));
/// let c = einsum!("ij,kj->ik", &a, &a);
/// assert_eq!(c[[3, 5]], 32.0);
/// ```
#[inline]
pub fn gemm_step<T: Element, const NL: usize>(
    context: &Context,
    shape: &Shape<NL>,
    labels: &[usize],
    a: &Operand<'_, T, NL>,
    b: &Operand<'_, T, NL>,
    out: &Writer<'_, T, NL>,
) -> bool {
    let mut work = 1usize;
    for &label in labels {
        work = work.saturating_mul(shape.size(label));
    }
    // Declined here when the labels alone leave too little work; with an
    // ellipsis the engine counts its dimensions too (out of line).
    let declined = !kernels::gemm_would_run::<T>(work)
        && (!kernels::gemm_would_run::<T>(usize::MAX) || shape.ellipsis().is_empty());
    !declined
        && widened_gemm(&BinaryStep {
            context,
            shape,
            labels,
            a,
            b,
            out,
        })
}

/// [`gemm_step`] past its size check: the arrays widened, out of line.
#[inline(never)]
fn widened_gemm<T: Element, const NL: usize>(step: &BinaryStep<'_, '_, T, NL>) -> bool {
    if const { NL <= WIDE } {
        on_widened::<T, NL, WIDE>(step, crate::compiled::gemm::<T>())
    } else {
        on_widened::<T, NL, WIDEST>(step, kernels::gemm::<T, WIDEST>)
    }
}

/// `f` of the step with its shape and arrays widened to `W` labels.
fn on_widened<T: Element, const NL: usize, const W: usize>(
    step: &BinaryStep<'_, '_, T, NL>,
    f: impl FnOnce(&BinaryStep<'_, '_, T, W>) -> bool,
) -> bool {
    let (shape, a, b) = (step.shape.widen(), step.a.widen(), step.b.widen());
    f(&BinaryStep {
        context: step.context,
        shape: &shape,
        labels: step.labels,
        a: &a,
        b: &b,
        out: &step.out.widen(),
    })
}
