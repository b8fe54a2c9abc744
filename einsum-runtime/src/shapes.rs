//! Binding each label to one size, checked across all operands.
//!
//! The macro numbers an equation's labels `0..NL` and describes each term as
//! a list of [`Sub`]s. [`ShapeBinder::bind`] reads one operand's shape and
//! strides against its term; [`ShapeBinder::finish`] resolves NumPy's
//! broadcasting (a size of 1 stretches to any size) and yields the [`Shape`]
//! every loop bound comes from. All checks happen here, once, before any
//! element is read.

use crate::error::EinsumError;
use crate::operand::{EllipsisStrides, Operand, Span};
use ndarray::{ArrayView, Dimension};

/// One subscript of a term: a label (numbered by the macro) or the ellipsis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sub {
    /// The label with this number.
    Label(usize),
    /// `...`: the broadcast dimensions.
    Ellipsis,
}

/// Where a label's size was first seen: (size, operand, axis).
type Seen = (usize, usize, usize);

/// The label count of the code compiled once in this crate rather than
/// once per equation (running a path, the GEMM hand-off): shapes and
/// operands of an equation of up to this many labels are widened to it,
/// the labels beyond the equation's own sized 0 and never read. Small, so
/// that the wide arrays cost little to copy.
pub(crate) const WIDE: usize = 16;

/// The label count of the path search, and of the code for equations of
/// more than [`WIDE`] labels (compiled where such an equation is used). An
/// equation has at most 52 labels.
pub(crate) const WIDEST: usize = 64;

/// Collects label sizes from the operands; see the module docs.
#[derive(Debug)]
pub struct ShapeBinder<const NL: usize> {
    labels: [char; NL],
    seen: [Option<Seen>; NL],
    ellipsis: Vec<usize>,
    operand_bytes: usize,
    /// Whether `operand_bytes` is counted (see [`ShapeBinder::uncounted`]).
    count_bytes: bool,
}

/// The size of every label and the broadcast shape of the ellipsis, and
/// the memory the largest operand occupies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape<const NL: usize> {
    sizes: [usize; NL],
    ellipsis: Vec<usize>,
    /// The bytes of the largest operand's distinct elements: what it
    /// occupies, not its broadcast size (see [`distinct_elements`]).
    operand_bytes: usize,
}

impl<const NL: usize> ShapeBinder<NL> {
    /// A binder for the labels `labels[0..NL]`, named for error messages.
    pub fn new(labels: [char; NL]) -> Self {
        ShapeBinder {
            labels,
            seen: [None; NL],
            ellipsis: Vec::new(),
            operand_bytes: 0,
            count_bytes: true,
        }
    }

    /// A binder that does not count the memory the operands occupy (which
    /// raises the default memory budget; the shape's count is then 0), for
    /// an expansion that never consults the budget with it: no GEMM
    /// hand-off and no contraction path. Counting is a call per operand
    /// that such an expansion would compile for nothing.
    pub fn uncounted(labels: [char; NL]) -> Self {
        ShapeBinder {
            count_bytes: false,
            ..ShapeBinder::new(labels)
        }
    }

    /// Checks operand number `operand` against its term and returns it
    /// with one stride per label (0 for labels it lacks or broadcasts).
    /// The operand borrows `view` for its ellipsis strides.
    ///
    /// Always inlined in optimized builds, so that each expansion folds its
    /// constant term into the checks (tiny calls pay for the call otherwise;
    /// see PERFORMANCE.md). Debug builds leave the choice to the compiler:
    /// there forcing it only made the test suite build longer. What is
    /// inlined is the common case only (each label once, no ellipsis, sizes
    /// that agree); the rest, and every error, is compiled once for all
    /// equations.
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[cfg_attr(debug_assertions, inline)]
    pub fn bind<'a, T, D: Dimension>(
        &mut self,
        operand: usize,
        view: &'a ArrayView<'_, T, D>,
        term: &[Sub],
    ) -> Result<Operand<'a, T, NL>, EinsumError> {
        let (dims, strides) = (view.shape(), view.strides());
        let element = std::mem::size_of::<T>();
        let (label_strides, axes) = self.bind_axes(operand, dims, strides, term, element)?;
        let ellipsis = EllipsisStrides::of(&dims[axes.clone()], &strides[axes]);
        let span = Span::of(dims, strides);
        Ok(Operand::new(view.as_ptr(), label_strides, ellipsis, span))
    }

    /// [`ShapeBinder::bind`] for an operand of `dims` and `strides`, with
    /// elements of `element` bytes: its stride for each label, and its
    /// ellipsis axes. Generic in the label count only.
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[cfg_attr(debug_assertions, inline)]
    fn bind_axes(
        &mut self,
        operand: usize,
        dims: &[usize],
        strides: &[isize],
        term: &[Sub],
        element: usize,
    ) -> Result<([isize; NL], std::ops::Range<usize>), EinsumError> {
        let mut label_strides = [0isize; NL];
        // Whether each axis is a label of its own: constant for a constant
        // term and a static rank, so the branches fold away in each
        // expansion (one pass, no early exit, which the compiler unrolls).
        let mut plain = dims.len() == term.len();
        let (mut labels, mut repeated) = (0u64, 0u64);
        for sub in term {
            match *sub {
                Sub::Label(label) if label < 64 => {
                    repeated |= labels & 1 << label;
                    labels |= 1 << label;
                }
                _ => plain = false,
            }
        }
        // A label repeated in the term walks its diagonal, whose sizes must
        // agree exactly; the general binding reports them when they do not.
        if plain && repeated != 0 {
            for axis in 0..term.len() {
                if let Sub::Label(label) = term[axis] {
                    let first = term.iter().position(|s| *s == term[axis]).unwrap_or(axis);
                    plain &= repeated & 1 << label == 0 || dims[first] == dims[axis];
                }
            }
        }
        let mut axes = 0..0;
        if plain {
            // Nothing here takes the binder's address, so that a tiny call
            // keeps it in registers.
            for axis in 0..term.len() {
                let Sub::Label(label) = term[axis] else {
                    continue;
                };
                let stride = broadcast_stride(dims[axis], strides[axis]);
                if repeated & 1 << label != 0 && term[..axis].contains(&term[axis]) {
                    label_strides[label] += stride;
                    continue;
                }
                let new = (dims[axis], operand, axis);
                self.seen[label] = Some(match self.seen[label] {
                    None => new,
                    Some(seen) if seen.0 == new.0 => seen,
                    Some(seen) => merge_sizes(self.labels[label], seen, new)?,
                });
                label_strides[label] = stride;
            }
        } else {
            let binding = Binding {
                labels: &self.labels,
                seen: &mut self.seen,
                ellipsis: &mut self.ellipsis,
            };
            axes = bind_general(binding, operand, dims, strides, term, &mut label_strides)?;
        }
        if self.count_bytes {
            let bytes = distinct_elements(dims, strides).saturating_mul(element);
            self.operand_bytes = self.operand_bytes.max(bytes);
        }
        Ok((label_strides, axes))
    }

    /// Resolves the label sizes; `output_has_ellipsis` says whether the
    /// output term has `...` to receive the broadcast dimensions.
    #[inline]
    pub fn finish(self, output_has_ellipsis: bool) -> Result<Shape<NL>, EinsumError> {
        if !output_has_ellipsis && !self.ellipsis.is_empty() {
            return Err(ellipsis_not_in_output(self.ellipsis));
        }
        let mut sizes = [0; NL];
        for (size, seen) in sizes.iter_mut().zip(&self.seen) {
            if let Some((first, _, _)) = seen {
                *size = *first;
            }
        }
        Ok(Shape {
            sizes,
            ellipsis: self.ellipsis,
            operand_bytes: self.operand_bytes,
        })
    }
}

#[cold]
#[inline(never)]
fn ellipsis_not_in_output(dims: Vec<usize>) -> EinsumError {
    EinsumError::EllipsisNotInOutput { dims }
}

/// A binder's state as slices, for [`bind_general`].
struct Binding<'b> {
    labels: &'b [char],
    seen: &'b mut [Option<Seen>],
    ellipsis: &'b mut Vec<usize>,
}

/// [`ShapeBinder::bind`] in full: any term (ellipsis, repeated labels),
/// sizes that broadcast, and the errors. Sets `label_strides` and returns
/// the operand's ellipsis axes. Compiled once for all equations.
#[inline(never)]
fn bind_general(
    binder: Binding<'_>,
    operand: usize,
    dims: &[usize],
    strides: &[isize],
    term: &[Sub],
    label_strides: &mut [isize],
) -> Result<std::ops::Range<usize>, EinsumError> {
    let ellipsis_at = term.iter().position(|s| *s == Sub::Ellipsis);
    let named = term.len() - usize::from(ellipsis_at.is_some());
    let ellipsis_len = match ellipsis_at {
        Some(_) if dims.len() >= named => dims.len() - named,
        None if dims.len() == named => 0,
        _ => {
            return Err(EinsumError::RankMismatch {
                operand,
                ndim: dims.len(),
                labels: named,
                ellipsis: ellipsis_at.is_some(),
            })
        }
    };
    // The axis of the subscript at `k` in the term.
    let axis_of = |k: usize| match ellipsis_at {
        Some(at) if k > at => k - 1 + ellipsis_len,
        _ => k,
    };
    label_strides.fill(0);
    for (k, sub) in term.iter().enumerate() {
        if let Sub::Label(label) = *sub {
            let axis = axis_of(k);
            let size = dims[axis];
            match term[..k].iter().position(|s| s == sub) {
                Some(j) if dims[axis_of(j)] != size => {
                    return Err(EinsumError::DiagonalMismatch {
                        label: binder.labels[label],
                        operand,
                        sizes: (dims[axis_of(j)], size),
                    });
                }
                Some(_) => {}
                None => merge_label(binder.seen, binder.labels, label, (size, operand, axis))?,
            }
            // A repeated label walks the diagonal: its strides add up.
            label_strides[label] += broadcast_stride(size, strides[axis]);
        }
    }
    let at = ellipsis_at.unwrap_or(0);
    let axes = at..at + ellipsis_len;
    if ellipsis_at.is_some() {
        merge_ellipsis(binder.ellipsis, operand, &dims[axes.clone()])?;
    }
    Ok(axes)
}

fn merge_label(
    seen: &mut [Option<Seen>],
    labels: &[char],
    label: usize,
    new: Seen,
) -> Result<(), EinsumError> {
    seen[label] = Some(match seen[label] {
        None => new,
        Some(old) => merge_sizes(labels[label], old, new)?,
    });
    Ok(())
}

/// Where label `label`'s size is taken from once it was seen at `old` and
/// now at `new`: a size of 1 stretches to the other.
#[inline(never)]
fn merge_sizes(label: char, old: Seen, new: Seen) -> Result<Seen, EinsumError> {
    match (old.0, new.0) {
        (a, b) if a == b || b == 1 => Ok(old),
        (1, _) => Ok(new),
        _ => Err(EinsumError::SizeMismatch {
            label,
            first: old,
            second: new,
        }),
    }
}

fn merge_ellipsis(
    so_far: &mut Vec<usize>,
    operand: usize,
    dims: &[usize],
) -> Result<(), EinsumError> {
    let rank = so_far.len().max(dims.len());
    let mut merged = vec![1; rank];
    for (from_right, slot) in merged.iter_mut().rev().enumerate() {
        let a = so_far
            .len()
            .checked_sub(from_right + 1)
            .map_or(1, |k| so_far[k]);
        let b = dims
            .len()
            .checked_sub(from_right + 1)
            .map_or(1, |k| dims[k]);
        *slot = match (a, b) {
            _ if a == b => a,
            (1, b) => b,
            (a, 1) => a,
            _ => {
                return Err(EinsumError::EllipsisMismatch {
                    so_far: so_far.clone(),
                    operand,
                    dims: dims.to_vec(),
                })
            }
        };
    }
    *so_far = merged;
    Ok(())
}

/// The number of distinct elements of an array with `dims` and `strides`:
/// the product of the lengths of its axes with a non-zero stride, since a
/// broadcast axis (stride 0) repeats the same elements.
pub(crate) fn distinct_elements(dims: &[usize], strides: &[isize]) -> usize {
    if dims.contains(&0) {
        return 0;
    }
    dims.iter()
        .zip(strides)
        .filter(|&(_, &stride)| stride != 0)
        .fold(1, |n, (&d, _)| n.saturating_mul(d))
}

/// A size-1 axis never moves, so its stride is irrelevant: 0 lets it
/// broadcast against any size of the same label.
pub(crate) fn broadcast_stride(size: usize, stride: isize) -> isize {
    if size == 1 {
        0
    } else {
        stride
    }
}

impl<const NL: usize> Shape<NL> {
    /// Each label's size, as the loop bounds of the generated code.
    #[inline]
    pub fn sizes(&self) -> [isize; NL] {
        // Sizes come from existing arrays, so each is at most isize::MAX.
        let mut sizes = [0; NL];
        for (to, &from) in sizes.iter_mut().zip(&self.sizes) {
            *to = from as isize;
        }
        sizes
    }

    /// Each label's size, unconverted.
    pub(crate) fn label_sizes(&self) -> &[usize; NL] {
        &self.sizes
    }

    /// The size of label number `label`.
    pub fn size(&self, label: usize) -> usize {
        self.sizes[label]
    }

    /// The same shape with label `label` of size `size`: one slice's shape.
    pub(crate) fn with_size(&self, label: usize, size: usize) -> Shape<NL> {
        let mut sliced = self.clone();
        sliced.sizes[label] = size;
        sliced
    }

    /// The bytes the largest operand's distinct elements occupy (an
    /// operand broadcast from one element occupies one element's bytes).
    pub(crate) fn operand_bytes(&self) -> usize {
        self.operand_bytes
    }

    /// The broadcast dimensions that `...` stands for.
    pub fn ellipsis(&self) -> &[usize] {
        &self.ellipsis
    }

    /// The dimensions of an array with the subscripts `term`.
    pub fn dims_of(&self, term: &[Sub]) -> Vec<usize> {
        dims_of(&self.sizes, &self.ellipsis, term)
    }

    /// The same shape with `W` labels (those past `NL` of size 0), for the
    /// code compiled once for all label counts ([`WIDE`], [`WIDEST`]).
    pub(crate) fn widen<const W: usize>(&self) -> Shape<W> {
        assert!(
            NL <= W,
            "einsum takes at most {WIDEST} labels (an equation has at most 52), not {NL}"
        );
        let mut sizes = [0; W];
        sizes[..NL].copy_from_slice(&self.sizes);
        Shape {
            sizes,
            ellipsis: self.ellipsis.clone(),
            operand_bytes: self.operand_bytes,
        }
    }
}

fn dims_of(sizes: &[usize], ellipsis: &[usize], term: &[Sub]) -> Vec<usize> {
    let mut dims = Vec::with_capacity(term.len() + ellipsis.len());
    for sub in term {
        match *sub {
            Sub::Label(label) => dims.push(sizes[label]),
            Sub::Ellipsis => dims.extend_from_slice(ellipsis),
        }
    }
    dims
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array1, Array2};

    #[test]
    fn operands_count_the_memory_they_occupy_not_their_broadcast_size() {
        let one = Array2::<f64>::zeros((1, 1));
        let m = Array2::<f64>::zeros((30, 40));
        let v = Array1::<f32>::zeros(40);
        let bytes = |bind: &dyn Fn(&mut ShapeBinder<2>)| {
            let mut binder = ShapeBinder::new(['i', 'j']);
            bind(&mut binder);
            binder.finish(false).unwrap().operand_bytes()
        };
        let ij = [Sub::Label(0), Sub::Label(1)];
        let big = one.broadcast((1 << 14, 1 << 14)).unwrap();
        assert_eq!(
            bytes(&|b| {
                b.bind(0, &big, &ij).unwrap();
            }),
            8
        );
        // A row broadcast down: one row's elements.
        let rows = v.broadcast((1000, 40)).unwrap();
        assert_eq!(
            bytes(&|b| {
                b.bind(0, &rows, &ij).unwrap();
            }),
            40 * 4
        );
        // Transposed, stepped and reversed views: the elements they show.
        let t = m.t();
        let stepped = m.slice(s![..;3, ..;-2]);
        assert_eq!(
            bytes(&|b| {
                b.bind(0, &t, &ij).unwrap();
            }),
            30 * 40 * 8
        );
        assert_eq!(
            bytes(&|b| {
                b.bind(0, &stepped, &ij).unwrap();
            }),
            10 * 20 * 8
        );
        // The largest of several operands; an empty one holds nothing.
        let wide = one.broadcast((1000, 30)).unwrap();
        let mut binder = ShapeBinder::new(['i', 'j', 'k']);
        binder
            .bind(0, &wide, &[Sub::Label(0), Sub::Label(1)])
            .unwrap();
        binder
            .bind(1, &m.view(), &[Sub::Label(1), Sub::Label(2)])
            .unwrap();
        assert_eq!(binder.finish(false).unwrap().operand_bytes(), 30 * 40 * 8);
        let empty = Array2::<f64>::zeros((0, 40));
        assert_eq!(distinct_elements(empty.shape(), empty.strides()), 0);
        assert_eq!(distinct_elements(&[5, 1 << 40], &[0, 0]), 1);
    }
}
