//! Matrix-vector steps (`ij,j->i`, `j,kj->k`): one dot product per output
//! element, each reading a contiguous row of the matrix and the whole
//! vector. The generated loops already do that; this engine takes the rows
//! four at a time ([`Element::dot_rows`]), so that each piece of the vector
//! is loaded once per four rows. Each result has the bits of the loops'
//! dot product, and the rows are cut into the scheduler's blocks, so the
//! result does not depend on the engine or the thread count.

use super::dims::Axis;
use super::SendPtr;
use crate::context::Context;
use crate::scale::Scale;
use crate::Element;

/// A matrix-vector product: `out[i] = dot(matrix row i, vector)`.
#[derive(Debug, Clone, Copy)]
pub(super) struct MatVec<T> {
    /// The first element of row 0 of the matrix, and the stride between rows.
    matrix: (*const T, isize),
    vector: *const T,
    /// Rows and the length of each.
    rows: usize,
    len: usize,
    /// The first output element and the stride between outputs.
    out: (*mut T, isize),
}

impl<T: Element> MatVec<T> {
    /// Whether the step is a matrix-vector product this engine takes (see
    /// [`MatVec::new`]); from the axes alone.
    pub(super) fn fits(axes: [Axis; 3]) -> bool {
        let null = std::ptr::null_mut();
        Self::new(axes, null, null, null).is_some()
    }

    /// The step as a matrix-vector product, if `m` and `k` (or `n` and `k`,
    /// the matrix being the right operand) are its only axes and both
    /// operands are contiguous along `k`.
    pub(super) fn new(
        [m, n, k]: [Axis; 3],
        a: *const T,
        b: *const T,
        out: *mut T,
    ) -> Option<MatVec<T>> {
        // (rows, the matrix and its strides along rows and k, the vector
        // and its stride along k)
        let (rows, matrix, row_stride, along_k, vector, vector_step) = match (m.len, n.len) {
            (_, 1) => (m, a, m.a, k.a, b, k.b),
            (1, _) => (n, b, n.b, k.b, a, k.a),
            _ => return None,
        };
        if along_k != 1 || vector_step != 1 {
            return None;
        }
        Some(MatVec {
            matrix: (matrix, row_stride),
            vector,
            rows: rows.len,
            len: k.len,
            out: (out, rows.out),
        })
    }

    /// Runs the product on the scheduler's row blocks, storing as `scale`
    /// says (`None`: plainly).
    pub(super) fn run(self, context: &Context, scale: Option<Scale<T>>) {
        let (matrix, vector, out) = (
            SendPtr(self.matrix.0 as *mut T),
            SendPtr(self.vector as *mut T),
            SendPtr(self.out.0),
        );
        let len = self.len;
        // SAFETY (both closures): row i < rows starts at offset
        // i * row_stride and holds `len` elements, and the vector holds `len`
        // (the step's bound shape, checked by ShapeBinder); blocks of rows
        // are disjoint, so each output element is written by one task.
        let row = |i: isize| unsafe {
            std::slice::from_raw_parts(matrix.at(i * self.matrix.1) as *const T, len)
        };
        // The old value is read only when `scale` reads it, from an
        // initialized output.
        let store = |i: isize, value: T| unsafe {
            let at = out.at(i * self.out.1);
            at.write(match scale {
                None => value,
                Some(scale) => scale.apply(value, || at.read()),
            })
        };
        crate::schedule::run(
            context,
            [self.rows as isize, 1],
            len as isize,
            |block, _| {
                // SAFETY: as above.
                let x = unsafe { std::slice::from_raw_parts(vector.at(0) as *const T, len) };
                let mut i = block.start;
                while i + 4 <= block.end {
                    let dots = T::dot_rows([row(i), row(i + 1), row(i + 2), row(i + 3)], x);
                    for (r, dot) in (i..).zip(dots) {
                        store(r, dot);
                    }
                    i += 4;
                }
                for r in i..block.end {
                    store(r, T::dot_unit(row(r), x));
                }
            },
        );
    }
}
