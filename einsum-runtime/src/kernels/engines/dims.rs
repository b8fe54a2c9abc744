//! A step's axes as (size, stride per array), for engines that regroup them.

use crate::operand::{Operand, Writer};
use crate::shapes::Shape;
use crate::step::BinaryStep;

/// One axis of a binary step: its size and its stride in the two inputs and
/// the output (0 where the array lacks it or broadcasts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Axis {
    pub len: usize,
    pub a: isize,
    pub b: isize,
    pub out: isize,
}

impl Axis {
    /// A length-1 axis, standing for an empty group.
    pub const UNIT: Axis = Axis {
        len: 1,
        a: 0,
        b: 0,
        out: 0,
    };

    /// The number of indices `axes` span together.
    pub fn indices(axes: &[Axis]) -> usize {
        axes.iter().map(|x| x.len).product()
    }
}

/// One axis of a step of `K` inputs: its size and its stride in each
/// input and in the output (0 where the array lacks it or broadcasts it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AxisOf<const K: usize> {
    pub len: usize,
    pub inputs: [isize; K],
    pub out: isize,
}

/// The axes of the step over `labels` of `inputs`, then its ellipsis axes;
/// axes of length 1 are dropped, since they neither move nor multiply.
pub(crate) fn axes_of<T: Copy, const NL: usize, const K: usize>(
    shape: &Shape<NL>,
    labels: &[usize],
    inputs: [&Operand<'_, T, NL>; K],
    out: &Writer<'_, T, NL>,
) -> Vec<AxisOf<K>> {
    let mut axes: Vec<AxisOf<K>> = labels
        .iter()
        .map(|&l| AxisOf {
            len: shape.size(l),
            inputs: inputs.map(|x| x.strides[l]),
            out: out.strides[l],
        })
        .collect();
    let rank = shape.ellipsis().len();
    if out.ellipsis().len() == rank {
        for (axis, &len) in shape.ellipsis().iter().enumerate() {
            axes.push(AxisOf {
                len,
                inputs: inputs.map(|x| x.ellipsis().aligned(rank, axis)),
                out: out.ellipsis().aligned(rank, axis),
            });
        }
    }
    axes.retain(|axis| axis.len != 1);
    axes
}

/// [`axes_of`] a binary step.
pub(crate) fn step_axes<T: Copy, const NL: usize>(step: &BinaryStep<'_, '_, T, NL>) -> Vec<Axis> {
    axes_of(step.shape, step.labels, [step.a, step.b], step.out)
        .into_iter()
        .map(|x| Axis {
            len: x.len,
            a: x.inputs[0],
            b: x.inputs[1],
            out: x.out,
        })
        .collect()
}

/// Merges axes that walk memory as one (outer stride = inner stride x inner
/// length, in every array listed by `strides`), after ordering them by the
/// first array's stride, largest first. Returns the merged axes.
pub(crate) fn fuse(mut axes: Vec<Axis>, strides: impl Fn(&Axis) -> Vec<isize>) -> Vec<Axis> {
    axes.sort_by_key(|axis| std::cmp::Reverse(strides(axis)[0].unsigned_abs()));
    let mut fused: Vec<Axis> = Vec::new();
    for axis in axes {
        if let Some(outer) = fused.last_mut() {
            let joins = strides(outer)
                .iter()
                .zip(strides(&axis))
                .all(|(&o, i)| o == i * axis.len as isize);
            if joins {
                outer.len *= axis.len;
                outer.a = axis.a;
                outer.b = axis.b;
                outer.out = axis.out;
                continue;
            }
        }
        fused.push(axis);
    }
    fused
}

/// Calls `f` with the offsets of every index of `axes`, last axis fastest.
pub(crate) fn walk(
    axes: &[Axis],
    base: (isize, isize, isize),
    f: &mut impl FnMut((isize, isize, isize)),
) {
    match axes.split_first() {
        None => f(base),
        Some((axis, rest)) => {
            for i in 0..axis.len as isize {
                walk(
                    rest,
                    (
                        base.0 + i * axis.a,
                        base.1 + i * axis.b,
                        base.2 + i * axis.out,
                    ),
                    f,
                );
            }
        }
    }
}
