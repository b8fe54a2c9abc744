//! Running a path: each pairwise step through the GEMM engine or the
//! generic step kernel, once per slice when the budget asks for slices.

use super::{OperandSet, Path, PlanCache, Slicing};
use crate::context::Context;
use crate::error::EinsumError;
use crate::kernels::{self, dims};
use crate::operand::{Operand, Writer};
use crate::output::Output;
use crate::scale::Scale;
use crate::shapes::{Shape, Sub, WIDE, WIDEST};
use crate::step::BinaryStep;
use crate::Element;
use ndarray::IxDyn;

/// Contracts the operands along the cheapest path into `out` (an
/// allocated output's writer, or the caller's array's).
///
/// The macro calls this for equations of three or more operands; each step
/// goes to the GEMM engine when it has that shape and to the generic step
/// kernel otherwise. Intermediates stay within the memory budget (the
/// `memory_limit` option): when the best order's would not, the path runs
/// on slices of a label (see [`Slicing`]). `plans` keeps the call site's
/// last plan, for calls with the same sizes.
///
/// ```
/// use einsum_static::einsum;
/// let a = ndarray::Array2::<f64>::ones((512, 64));
/// let b = ndarray::Array2::<f64>::ones((64, 512));
/// // Contracts b with a first: 64x64 in between, not 512x512.
/// let r = einsum!("ij,jk,kl,lm->im", &a, &b, &a, &b);
/// assert_eq!(r[[0, 0]], 64.0 * 512.0 * 64.0);
/// ```
pub fn contract<T: Element, const NL: usize>(
    context: &Context,
    shape: &Shape<NL>,
    labels: [char; NL],
    inputs: &[(&Operand<'_, T, NL>, &[Sub])],
    output: &[Sub],
    out: &Writer<'_, T, NL>,
    plans: &PlanCache,
) -> Result<(), EinsumError> {
    widened(context, shape, (&labels, inputs, output), out, plans)
}

/// [`contract`] widened to one label
/// count: what follows is compiled once per element type (see
/// [`crate::compiled`]), not once per equation.
#[inline(never)]
fn widened<T: Element, const NL: usize>(
    context: &Context,
    shape: &Shape<NL>,
    terms: Terms<'_, '_, T, NL>,
    out: &Writer<'_, T, NL>,
    plans: &PlanCache,
) -> Result<(), EinsumError> {
    if const { NL <= WIDE } {
        let contract = crate::compiled::contract::<T>();
        on_widened::<T, _, NL, WIDE>(context, shape, terms, out, |call, out| {
            contract(call, out, plans)
        })
    } else {
        on_widened::<T, _, NL, WIDEST>(context, shape, terms, out, |call, out| {
            contract_wide(call, out, plans)
        })
    }
}

/// A generated path call's labels, operands with their terms, and output
/// subscripts.
pub(crate) type Terms<'c, 'x, T, const NL: usize> = (
    &'c [char],
    &'c [(&'c Operand<'x, T, NL>, &'c [Sub])],
    &'c [Sub],
);

/// `f` of a generated path call with its shape, operands and output
/// widened to `W` labels.
pub(crate) fn on_widened<T: Element, R, const NL: usize, const W: usize>(
    context: &Context,
    shape: &Shape<NL>,
    (labels, inputs, output): Terms<'_, '_, T, NL>,
    out: &Writer<'_, T, NL>,
    f: impl FnOnce(&PathCall<'_, '_, T, W>, &Writer<'_, T, W>) -> R,
) -> R {
    let call = PathCall {
        context,
        shape: &shape.widen(),
        labels,
        inputs: &widen_all::<T, NL, W>(inputs),
        output,
    };
    f(&call, &out.widen())
}

/// The operands widened to `W` labels, with their terms.
fn widen_all<'a, 't, T, const NL: usize, const W: usize>(
    inputs: &[(&Operand<'a, T, NL>, &'t [Sub])],
) -> Vec<(Operand<'a, T, W>, &'t [Sub])> {
    let mut wide = Vec::with_capacity(inputs.len());
    for (operand, term) in inputs {
        wide.push((operand.widen(), *term));
    }
    wide
}

/// [`contract`] for `W` labels: compiled in this crate for [`WIDE`] and the
/// common element types (see [`crate::compiled`]).
pub(crate) fn contract_wide<T: Element, const W: usize>(
    call: &PathCall<'_, '_, T, W>,
    out: &Writer<'_, T, W>,
    plans: &PlanCache,
) -> Result<(), EinsumError> {
    contract_with(&SumOfProducts, call, out, plans)
}

/// What the steps of a path compute, and how the parts of a sliced sum
/// come together: sums of products, or a semiring's (`crate::semiring`).
pub(crate) trait Steps<T: Element>: Sync {
    /// `out = ` the step (scaled as its `out` says).
    fn step<const W: usize>(&self, step: &BinaryStep<'_, '_, T, W>);

    /// What a later part of a sliced sum makes of `old`, the output so far
    /// (whose first part was stored scaled by `scale`).
    fn add_part(&self, old: T, part: T, scale: Option<Scale<T>>) -> T;
}

/// The sum of products: the GEMM engine or the generic step kernel.
struct SumOfProducts;

impl<T: Element> Steps<T> for SumOfProducts {
    fn step<const W: usize>(&self, step: &BinaryStep<'_, '_, T, W>) {
        kernels::binary_step(step);
    }

    fn add_part(&self, old: T, part: T, scale: Option<Scale<T>>) -> T {
        // The first part stored `alpha * part + beta * old`: the others
        // are added times alpha.
        Scale::add_part(scale, old, part)
    }
}

/// A contraction along a path, as [`contract_with`] takes it: the call's
/// settings, the bound sizes, the labels, the operands with their terms,
/// and the output's subscripts.
pub(crate) struct PathCall<'c, 'x, T, const W: usize> {
    pub(crate) context: &'c Context,
    pub(crate) shape: &'c Shape<W>,
    pub(crate) labels: &'c [char],
    pub(crate) inputs: &'c [(Operand<'x, T, W>, &'c [Sub])],
    pub(crate) output: &'c [Sub],
}

/// [`contract_wide`] with the steps of `steps`.
pub(crate) fn contract_with<T: Element, K: Steps<T>, const W: usize>(
    steps: &K,
    call: &PathCall<'_, '_, T, W>,
    out: &Writer<'_, T, W>,
    plans: &PlanCache,
) -> Result<(), EinsumError> {
    let PathCall {
        context,
        shape,
        labels,
        inputs,
        output,
    } = *call;
    let slicing = planned::<T, W>(context, shape, labels, output, plans, || {
        inputs.iter().map(|(_, term)| *term).collect()
    });
    if slicing.chunks.is_empty() {
        return run_path(steps, context, shape, &slicing.path, inputs, out);
    }
    run_slices(steps, call, &slicing, out)
}

/// The path and slicing of a call of `shape` with the call's budget:
/// `plans`' for these sizes, or planned for `terms()` and kept there.
pub(crate) fn planned<'t, T, const W: usize>(
    context: &Context,
    shape: &Shape<W>,
    labels: &[char],
    output: &[Sub],
    plans: &PlanCache,
    terms: impl FnOnce() -> Vec<&'t [Sub]>,
) -> std::sync::Arc<Slicing> {
    let element = std::mem::size_of::<T>();
    let budget = budget_of(
        context,
        &shape.dims_of(output),
        shape.operand_bytes(),
        element,
    );
    let sizes = shape.label_sizes();
    plans.get_or_plan(sizes, shape.ellipsis(), budget, || {
        Slicing::plan_wide(&shape.widen(), labels, &terms(), output, budget)
    })
}

/// The memory budget in elements of `T`: the `memory_limit` option, or
/// the default raised to the largest operand or output. An operand counts
/// by the memory it occupies, not by its shape: a broadcast operand's
/// shape would raise the budget to a size that no array of the call
/// occupies, and leave intermediates of that size unsliced.
pub(crate) fn budget_elements<T, const NL: usize>(
    context: &Context,
    shape: &Shape<NL>,
    output: &[Sub],
) -> f64 {
    budget_of(
        context,
        &shape.dims_of(output),
        shape.operand_bytes(),
        std::mem::size_of::<T>(),
    )
}

/// [`budget_elements`] for an output of `output_dims`, operands of at
/// most `operand_bytes` and elements of `element` bytes.
fn budget_of(
    context: &Context,
    output_dims: &[usize],
    operand_bytes: usize,
    element: usize,
) -> f64 {
    let output_elements = output_dims.iter().map(|&d| d as f64).product::<f64>();
    let output_bytes = output_elements * element as f64;
    let largest = output_bytes.max(operand_bytes as f64);
    let limit = context.memory_limit(largest.min(usize::MAX as f64) as usize);
    limit as f64 / element.max(1) as f64
}

/// Runs the path once per slice: every combination of the sliced labels'
/// chunks, summed labels innermost so that each output slice adds up its
/// chunks in a row.
fn run_slices<T: Element, K: Steps<T>, const W: usize>(
    steps: &K,
    call: &PathCall<'_, '_, T, W>,
    slicing: &Slicing,
    out: &Writer<'_, T, W>,
) -> Result<(), EinsumError> {
    let PathCall {
        context,
        shape,
        inputs,
        output,
        ..
    } = *call;
    let summed_slices: usize = slicing
        .chunks
        .iter()
        .filter(|&&(l, _, _)| !output.contains(&Sub::Label(l)))
        .map(|&(_, full, chunk)| full.div_ceil(chunk))
        .fold(1, usize::saturating_mul);
    for index in 0..slicing.slices() {
        if context.cancelled() {
            return Err(EinsumError::Cancelled);
        }
        // This slice's start and length along each sliced label.
        let mut sizes = shape.clone();
        let mut starts = [0isize; W];
        let mut rest = index;
        for &(label, full, chunk) in slicing.chunks.iter().rev() {
            let count = full.div_ceil(chunk);
            let start = (rest % count) * chunk;
            rest /= count;
            starts[label] = start as isize;
            sizes = sizes.with_size(label, chunk.min(full - start));
        }
        let shift =
            |strides: &[isize; W]| -> isize { (0..W).map(|l| starts[l] * strides[l]).sum() };
        let sliced: Vec<(Operand<'_, T, W>, &[Sub])> = inputs
            .iter()
            .map(|(op, term)| (op.shifted(shift(&op.strides)), *term))
            .collect();
        let out_slice = out.shifted(shift(&out.strides));
        if index % summed_slices == 0 {
            // The first chunk of the summed labels writes the output slice.
            run_path(steps, context, &sizes, &slicing.path, &sliced, &out_slice)?;
        } else {
            // Later ones are computed aside and added in.
            let mut scratch = Output::<T, IxDyn, W>::allocate(&sizes, output)?;
            let part = scratch.writer();
            run_path(steps, context, &sizes, &slicing.path, &sliced, &part)?;
            add_into(
                steps,
                context,
                &sizes,
                output,
                &scratch.operand(),
                &out_slice,
            );
        }
    }
    Ok(())
}

/// Runs the steps of `path` in order, the last one into `out`.
fn run_path<T: Element, K: Steps<T>, const W: usize>(
    steps: &K,
    context: &Context,
    shape: &Shape<W>,
    path: &Path,
    inputs: &[(Operand<'_, T, W>, &[Sub])],
    out: &Writer<'_, T, W>,
) -> Result<(), EinsumError> {
    // The results not consumed yet: their operands, array and subscripts.
    let mut temps: Vec<(OperandSet, Output<T, IxDyn, W>, &[Sub])> = Vec::new();
    let last = path.steps.len() - 1;
    for (k, step) in path.steps.iter().enumerate() {
        if context.cancelled() {
            return Err(EinsumError::Cancelled);
        }
        let mut take = |set: &OperandSet| -> Argument<'_, T, W> {
            match set.only() {
                Some(operand) => Argument::Input(operand, &path.inputs()[operand]),
                None => {
                    let at = temps
                        .iter()
                        .position(|(s, _, _)| s == set)
                        .expect("steps run children first");
                    let (_, temp, term) = temps.swap_remove(at);
                    Argument::Temp(temp, term)
                }
            }
        };
        let (left, right) = (take(&step.left), take(&step.right));
        let left_op = left.operand(inputs);
        let right_op = right.operand(inputs);
        let involved = step_labels(&[left.term(), right.term()]);
        let binary = |out| BinaryStep {
            context,
            shape,
            labels: &involved,
            a: &left_op,
            b: &right_op,
            out,
        };
        if k == last {
            steps.step(&binary(out));
        } else {
            let mut temp = Output::<T, IxDyn, W>::allocate(shape, &step.kept)?;
            steps.step(&binary(&temp.writer()));
            temps.push((step.left.union(&step.right), temp, &step.kept));
        }
    }
    Ok(())
}

/// `out += part` (or the semiring's `⊕`), element by element, over the
/// labels of `term`.
fn add_into<T: Element, K: Steps<T>, const W: usize>(
    steps: &K,
    context: &Context,
    shape: &Shape<W>,
    term: &[Sub],
    part: &Operand<'_, T, W>,
    out: &Writer<'_, T, W>,
) {
    let labels: Vec<usize> = step_labels(&[term]);
    let axes = dims::step_axes(&BinaryStep {
        context,
        shape,
        labels: &labels,
        a: part,
        b: part,
        out,
    });
    let scale = out.scale();
    let out = out.unscaled();
    dims::walk(&axes, (0, 0, 0), &mut |(from, _, to)| {
        // SAFETY: every index is below its axis' length in this slice's
        // shape, and the strides are those of the scratch array and of the
        // output slice, which both hold that shape; nothing else runs on the
        // output meanwhile.
        unsafe { out.set(to, steps.add_part(out.get(to), part.get(from), scale)) };
    });
}

/// An argument of a step: an operand of the call, or an earlier result,
/// with its subscripts.
enum Argument<'p, T, const W: usize> {
    Input(usize, &'p [Sub]),
    Temp(Output<T, IxDyn, W>, &'p [Sub]),
}

impl<T: Element, const W: usize> Argument<'_, T, W> {
    fn operand<'r>(&'r self, inputs: &[(Operand<'r, T, W>, &[Sub])]) -> Operand<'r, T, W> {
        match self {
            Argument::Input(k, _) => inputs[*k].0,
            Argument::Temp(temp, _) => temp.operand(),
        }
    }

    fn term(&self) -> &[Sub] {
        match self {
            Argument::Input(_, term) | Argument::Temp(_, term) => term,
        }
    }
}

/// The distinct labels of some terms.
pub(crate) fn step_labels(terms: &[&[Sub]]) -> Vec<usize> {
    let mut labels = Vec::new();
    for sub in terms.iter().flat_map(|t| t.iter()) {
        if let Sub::Label(l) = *sub {
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
    }
    labels
}
