//! Results of every form (scalar, static or dynamic array) as `ArrayD`.

use super::*;

/// The form of a macro result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The element type itself (rank-0 output).
    Scalar,
    /// `Array<T, IxN>`.
    Static(usize),
    /// `ArrayD<T>`.
    Dynamic,
}

/// A result turned into an `ArrayD`, with what it was and whether it was in
/// standard layout.
#[derive(Debug, Clone)]
pub struct Out<T> {
    pub array: ArrayD<T>,
    pub kind: Kind,
    pub standard_layout: bool,
}

/// Turns every form of result (scalar `T`, `Array<T, D>`) into `ArrayD<T>`.
pub trait ToDyn<T> {
    fn to_dyn(self) -> Out<T>;
}

impl<T, D: Dimension> ToDyn<T> for Array<T, D> {
    fn to_dyn(self) -> Out<T> {
        let kind = match D::NDIM {
            Some(n) => Kind::Static(n),
            None => Kind::Dynamic,
        };
        let standard_layout = self.is_standard_layout();
        Out {
            array: self.into_dyn(),
            kind,
            standard_layout,
        }
    }
}

/// Any array or view as an `ArrayViewD`, for the reference.
pub fn dv<S: ndarray::Data, D: Dimension>(a: &ndarray::ArrayBase<S, D>) -> ArrayViewD<'_, S::Elem> {
    a.view().into_dyn()
}
