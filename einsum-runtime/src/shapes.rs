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

/// Collects label sizes from the operands; see the module docs.
#[derive(Debug)]
pub struct ShapeBinder<const NL: usize> {
    labels: [char; NL],
    seen: [Option<Seen>; NL],
    ellipsis: Vec<usize>,
    operand_bytes: usize,
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
        }
    }

    /// Checks operand number `operand` against its term and returns it
    /// with one stride per label (0 for labels it lacks or broadcasts).
    /// The operand borrows `view` for its ellipsis strides.
    ///
    /// Always inlined in optimized builds, so that each expansion folds its
    /// constant term into the checks: a 4x4 matmul through `einsum!` took
    /// 115 ns when the compiler chose not to inline this, 67 ns inlined (a
    /// plain loop: 85). Debug builds leave the choice to the compiler: there
    /// forcing it only made the test suite build 30 s longer.
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[cfg_attr(debug_assertions, inline)]
    pub fn bind<'a, T, D: Dimension>(
        &mut self,
        operand: usize,
        view: &'a ArrayView<'_, T, D>,
        term: &[Sub],
    ) -> Result<Operand<'a, T, NL>, EinsumError> {
        let dims = view.shape();
        let strides = view.strides();
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

        let mut label_strides = [0isize; NL];
        let mut axis_in_operand: [Option<usize>; NL] = [None; NL];
        let mut ellipsis = EllipsisStrides::of(&[], &[]);
        let mut axis = 0;
        for sub in term {
            match *sub {
                Sub::Ellipsis => {
                    let axes = axis..axis + ellipsis_len;
                    ellipsis = EllipsisStrides::of(&dims[axes.clone()], &strides[axes]);
                    axis += ellipsis_len;
                }
                Sub::Label(label) => {
                    let size = dims[axis];
                    match axis_in_operand[label] {
                        Some(first_axis) if dims[first_axis] != size => {
                            return Err(EinsumError::DiagonalMismatch {
                                label: self.labels[label],
                                operand,
                                sizes: (dims[first_axis], size),
                            });
                        }
                        Some(_) => {}
                        None => {
                            axis_in_operand[label] = Some(axis);
                            self.merge_label(label, (size, operand, axis))?;
                        }
                    }
                    // A repeated label walks the diagonal: its strides add up.
                    label_strides[label] += broadcast_stride(size, strides[axis]);
                    axis += 1;
                }
            }
        }
        if let Some(at) = ellipsis_at {
            self.merge_ellipsis(operand, &dims[at..at + ellipsis_len])?;
        }
        let bytes = distinct_elements(dims, strides).saturating_mul(std::mem::size_of::<T>());
        self.operand_bytes = self.operand_bytes.max(bytes);
        let span = Span::of(dims, strides);
        Ok(Operand::new(view.as_ptr(), label_strides, ellipsis, span))
    }

    /// Resolves the label sizes; `output_has_ellipsis` says whether the
    /// output term has `...` to receive the broadcast dimensions.
    #[inline]
    pub fn finish(self, output_has_ellipsis: bool) -> Result<Shape<NL>, EinsumError> {
        if !output_has_ellipsis && !self.ellipsis.is_empty() {
            return Err(EinsumError::EllipsisNotInOutput {
                dims: self.ellipsis,
            });
        }
        let sizes = self.seen.map(|seen| seen.map_or(0, |(size, _, _)| size));
        Ok(Shape {
            sizes,
            ellipsis: self.ellipsis,
            operand_bytes: self.operand_bytes,
        })
    }

    fn merge_label(&mut self, label: usize, new: Seen) -> Result<(), EinsumError> {
        match self.seen[label] {
            None => self.seen[label] = Some(new),
            Some(old) if old.0 == new.0 || new.0 == 1 => {}
            Some(old) if old.0 == 1 => self.seen[label] = Some(new),
            Some(old) => {
                return Err(EinsumError::SizeMismatch {
                    label: self.labels[label],
                    first: old,
                    second: new,
                })
            }
        }
        Ok(())
    }

    fn merge_ellipsis(&mut self, operand: usize, dims: &[usize]) -> Result<(), EinsumError> {
        let so_far = &self.ellipsis;
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
        self.ellipsis = merged;
        Ok(())
    }
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
    pub fn sizes(&self) -> [isize; NL] {
        // Sizes come from existing arrays, so each is at most isize::MAX.
        self.sizes.map(|size| size as isize)
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
        let mut dims = Vec::with_capacity(term.len() + self.ellipsis.len());
        for sub in term {
            match *sub {
                Sub::Label(label) => dims.push(self.sizes[label]),
                Sub::Ellipsis => dims.extend_from_slice(&self.ellipsis),
            }
        }
        dims
    }
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
