//! Running a [`Contraction`]: the operands bound to its terms (the
//! macros' `ShapeBinder`, so the same checks and errors), then the step on
//! the engines the macros use. The label count is only known here, so the
//! shapes are widened to [`WIDE`] labels, or [`WIDEST`] for larger
//! equations, as the macros widen theirs for the engines compiled once.

use super::strided::strided_step;
use super::Contraction;
use crate::error::EinsumError;
use crate::explain::Explain;
use crate::operand::{Operand, Writer};
use crate::output::{Output, PlannedOutput};
use crate::path::{contract_wide, planned, PathCall};
use crate::shapes::{Shape, ShapeBinder, Sub, WIDE, WIDEST};
use crate::step::BinaryStep;
use crate::target::Target;
use crate::{kernels, Element};
use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, IxDyn};

/// Checks the operand count, then calls `$wide::<T, W>(c, operands, ...)`
/// for the narrower of the two label widths that holds the equation's
/// labels: the one dispatch of every entry point below.
macro_rules! at_width {
    ($wide:ident, $c:expr, $operands:expr $(, $arg:expr)*) => {{
        $c.check_count($operands.len())?;
        if $c.labels.len() <= WIDE {
            $wide::<T, WIDE>($c, $operands $(, $arg)*)
        } else {
            $wide::<T, WIDEST>($c, $operands $(, $arg)*)
        }
    }};
}

/// [`Contraction::run`].
pub(super) fn new_array<T: Element>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
) -> Result<ArrayD<T>, EinsumError> {
    at_width!(new_array_wide, c, operands)
}

fn new_array_wide<T: Element, const W: usize>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
) -> Result<ArrayD<T>, EinsumError> {
    let (shape, bound) = bind::<T, W>(c, operands)?;
    let mut result = Output::<T, IxDyn, W>::allocate(&shape, &c.output)?;
    compute(c, &shape, &bound, &result.writer())?;
    Ok(result.into_array())
}

/// [`Contraction::run_into`].
pub(super) fn into_view<T: Element>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
    out: ArrayViewMutD<'_, T>,
) -> Result<(), EinsumError> {
    at_width!(into_view_wide, c, operands, out)
}

fn into_view_wide<T: Element, const W: usize>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
    out: ArrayViewMutD<'_, T>,
) -> Result<(), EinsumError> {
    let (shape, bound) = bind::<T, W>(c, operands)?;
    // Any layout: the engines write through the array's own strides, as
    // for the macros' `out = ...`.
    let mut target = Target::<T, W>::bind(out, &shape, &c.output)?;
    compute(c, &shape, &bound, &target.writer())
}

/// [`Contraction::output_shape`].
pub(super) fn output_shape<T: Element>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
) -> Result<Vec<usize>, EinsumError> {
    at_width!(output_shape_wide, c, operands)
}

fn output_shape_wide<T: Element, const W: usize>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
) -> Result<Vec<usize>, EinsumError> {
    Ok(bind::<T, W>(c, operands)?.0.dims_of(&c.output))
}

/// [`Contraction::explain`], or with `order`
/// [`Contraction::explain_in_output_order`].
pub(super) fn explain<T: Element>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
    order: Option<&[usize]>,
) -> Result<Explain, EinsumError> {
    at_width!(explain_wide, c, operands, order)
}

fn explain_wide<T: Element, const W: usize>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
    order: Option<&[usize]>,
) -> Result<Explain, EinsumError> {
    let (shape, bound) = bind::<T, W>(c, operands)?;
    let (labels, output) = (&c.labels, &c.output);
    // A new array, as `run` allocates it, or laid out in `order`.
    let mut planned = PlannedOutput::new::<T>(&shape, output)?;
    if let Some(order) = order {
        planned = planned.laid_out(&shape, output, order);
    }
    let explained = explain_planned(c, &shape, &bound, &planned)?;
    Ok(match order {
        Some(order) => {
            let name = |axis: &usize| match output[*axis] {
                Sub::Label(l) => labels[l],
                Sub::Ellipsis => '.',
            };
            explained.laid_out(order.iter().map(name).collect())
        }
        None => explained,
    })
}

/// [`explain_wide`] with the output's layout settled.
fn explain_planned<T: Element, const W: usize>(
    c: &Contraction,
    shape: &Shape<W>,
    bound: &[Operand<'_, T, W>],
    planned: &PlannedOutput<W>,
) -> Result<Explain, EinsumError> {
    let terms: Vec<&[Sub]> = c.inputs.iter().map(Vec::as_slice).collect();
    let (context, equation) = (&c.context(), &c.equation);
    let (labels, output) = (&c.labels, &c.output);
    if terms.len() >= 3 {
        let inputs: Vec<(&Operand<'_, T, W>, &[Sub])> = bound.iter().zip(terms).collect();
        let output = (&output[..], planned);
        return Explain::path_of::<T, W>(context, equation, shape, labels, &inputs, output);
    }
    // The scheduler cuts the first output axis (the largest stride).
    let blocks = &output[..output.len().min(1)];
    // The engines' own choice, on the operands as `compute` hands them.
    let gemm = match bound {
        [a, b] if c.gemm_class => Some((&c.numbers[..], a, b)),
        _ => None,
    };
    let sums = c.sums();
    Explain::one_step_of::<T, W>(
        context, equation, shape, labels, planned, gemm, sums, blocks,
    )
}

/// The operands bound to their terms, with every size check, and the
/// shape of the call.
fn bind<'v, T: Element, const W: usize>(
    c: &Contraction,
    operands: &'v [ArrayViewD<'_, T>],
) -> Result<(Shape<W>, Vec<Operand<'v, T, W>>), EinsumError> {
    // Labels past the equation's are never bound: their size stays 0.
    let mut names = ['?'; W];
    names[..c.labels.len()].copy_from_slice(&c.labels);
    let mut binder = ShapeBinder::<W>::new(names);
    let mut bound = Vec::with_capacity(operands.len());
    for (k, (view, term)) in operands.iter().zip(&c.inputs).enumerate() {
        bound.push(binder.bind(k, view, term)?);
    }
    let shape = binder.finish(c.output.contains(&Sub::Ellipsis))?;
    Ok((shape, bound))
}

/// Runs the equation into `out` with the contraction's options: one
/// operand on the strided engine, two on the GEMM engine when the step has
/// that shape and else the strided engine, three or more along the
/// cheapest path (what the macros' expansions do).
fn compute<T: Element, const W: usize>(
    c: &Contraction,
    shape: &Shape<W>,
    bound: &[Operand<'_, T, W>],
    out: &Writer<'_, T, W>,
) -> Result<(), EinsumError> {
    let labels = &c.numbers;
    let context = &c.context();
    let result = match bound {
        [a] => {
            strided_step(context, shape, labels, [a], out);
            Ok(())
        }
        [a, b] => {
            let step = BinaryStep {
                context,
                shape,
                labels,
                a,
                b,
                out,
            };
            if !(c.gemm_class && kernels::gemm(&step)) {
                strided_step(context, shape, labels, [a, b], out);
            }
            Ok(())
        }
        _ => {
            let inputs: Vec<(Operand<'_, T, W>, &[Sub])> = bound
                .iter()
                .zip(&c.inputs)
                .map(|(operand, term)| (*operand, term.as_slice()))
                .collect();
            let call = PathCall {
                context,
                shape,
                labels: &c.labels,
                inputs: &inputs,
                output: &c.output,
            };
            contract_wide(&call, out, &c.plans)
        }
    };
    // Some blocks may have been skipped: the output is not the result.
    if context.cancelled() {
        return Err(EinsumError::Cancelled);
    }
    result
}

/// [`Contraction::flops`].
pub(super) fn flops<T: Element>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
) -> Result<f64, EinsumError> {
    at_width!(flops_wide, c, operands)
}

fn flops_wide<T: Element, const W: usize>(
    c: &Contraction,
    operands: &[ArrayViewD<'_, T>],
) -> Result<f64, EinsumError> {
    let (shape, _) = bind::<T, W>(c, operands)?;
    if c.inputs.len() >= 3 {
        // The path the call will run (planned now, or kept from before).
        let context = &c.context();
        let slicing = planned::<T, W>(context, &shape, &c.labels, &c.output, &c.plans, || {
            c.inputs.iter().map(Vec::as_slice).collect()
        });
        return Ok(slicing.path.cost() * slicing.slices() as f64);
    }
    // One step: every combination of the labels' indices, once (a
    // multiply) or twice (and an add) when some label is summed.
    let labels: f64 = shape.sizes()[..c.labels.len()]
        .iter()
        .map(|&n| n as f64)
        .product();
    let ellipsis: f64 = shape.ellipsis().iter().map(|&d| d as f64).product();
    let product = labels * ellipsis;
    Ok(product * if c.sums() { 2.0 } else { 1.0 })
}
