//! The errors an einsum reports at run time.

use std::fmt;

/// Why an einsum could not run on the operands it was given.
///
/// `einsum!` panics with this error's message; `try_einsum!` returns it.
///
/// ```
/// use einsum_static::{try_einsum, EinsumError};
/// use ndarray::Array2;
///
/// let a = Array2::<f64>::zeros((2, 3));
/// let b = Array2::<f64>::zeros((4, 5));
/// let err = try_einsum!("ij,jk->ik", &a, &b).unwrap_err();
/// assert!(matches!(err, EinsumError::SizeMismatch { label: 'j', .. }));
/// assert_eq!(
///     err.to_string(),
///     "size of label 'j' does not match: 3 in operand 0 (axis 1) but 4 in operand 1 (axis 0)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EinsumError {
    /// An operand's number of dimensions differs from the labels of its term.
    RankMismatch {
        /// Position of the operand in the call, from 0.
        operand: usize,
        /// The operand's number of dimensions.
        ndim: usize,
        /// The number of labels in its term (the least number when it has an ellipsis).
        labels: usize,
        /// Whether the term has an ellipsis.
        ellipsis: bool,
    },
    /// One label has two sizes that do not broadcast (neither is 1).
    SizeMismatch {
        /// The label.
        label: char,
        /// The first size seen and where: (size, operand, axis).
        first: (usize, usize, usize),
        /// The size that disagrees and where.
        second: (usize, usize, usize),
    },
    /// A label repeated inside one operand has different sizes on its axes.
    DiagonalMismatch {
        /// The label.
        label: char,
        /// The operand.
        operand: usize,
        /// The two sizes.
        sizes: (usize, usize),
    },
    /// The dimensions covered by the operands' ellipses do not broadcast.
    EllipsisMismatch {
        /// The broadcast shape of the operands before this one.
        so_far: Vec<usize>,
        /// The operand whose ellipsis does not broadcast.
        operand: usize,
        /// Its ellipsis dimensions.
        dims: Vec<usize>,
    },
    /// The inputs' ellipses cover dimensions but the output has no `...`.
    EllipsisNotInOutput {
        /// The broadcast ellipsis dimensions.
        dims: Vec<usize>,
    },
    /// The output or a temporary has more elements than memory can address.
    SizeOverflow {
        /// The shape that was asked for.
        shape: Vec<usize>,
    },
    /// The allocator could not provide the memory for the output or a
    /// temporary.
    AllocationFailed {
        /// The bytes asked for.
        bytes: usize,
    },
    /// An equation given at run time (`einsum_static::dynamic`) is
    /// malformed, or does not fit the number of operands: the macros
    /// report the same mistakes at compile time, with the same message.
    ///
    /// ```
    /// use einsum_static::{dynamic::Contraction, EinsumError};
    /// let err = Contraction::new("ij,jk->iz").unwrap_err();
    /// assert!(matches!(err, EinsumError::InvalidEquation { column: Some(9), .. }));
    /// assert_eq!(
    ///     err.to_string(),
    ///     "einstein sum subscripts string included output subscript 'z' which never \
    ///      appeared in an input (column 9 of the equation)"
    /// );
    /// ```
    InvalidEquation {
        /// NumPy's wording, with the column where there is one.
        message: String,
        /// The column (from 1) of the character the message is about.
        column: Option<usize>,
    },
    /// The array given to write the result into (`out = ...`, or
    /// `dynamic::Contraction::run_into`) does not have the result's shape;
    /// it is left untouched.
    OutputShape {
        /// The result's shape, from the operands.
        expected: Vec<usize>,
        /// The shape of the array given.
        found: Vec<usize>,
    },
    /// The call's cancellation token
    /// ([`dynamic::Cancel`](crate::dynamic::Cancel)) was set while it ran:
    /// the work not started by then was skipped. An output given to write
    /// into (`run_into`) holds partial values: some elements written,
    /// others as they were. Only the run-time API
    /// (`einsum_static::dynamic`) returns it; the macros never have a
    /// token.
    ///
    /// ```
    /// use einsum_static::{dynamic::{self, Cancel}, EinsumError};
    /// let token = Cancel::new();
    /// token.cancel();
    /// let a = ndarray::ArrayD::<f64>::ones(vec![4, 4]);
    /// let err = dynamic::with_cancel(&token, || dynamic::einsum("ij,jk", &[a.view(), a.view()]));
    /// assert_eq!(err.unwrap_err().to_string(), "the einsum was cancelled before it finished");
    /// ```
    Cancelled,
}

impl fmt::Display for EinsumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EinsumError::RankMismatch {
                operand,
                ndim,
                labels,
                ellipsis: false,
            } => write!(
                f,
                "operand {operand} has {ndim} dimensions but its term has {labels} subscripts \
                 (and no '...' ellipsis to broadcast the rest)"
            ),
            EinsumError::RankMismatch {
                operand,
                ndim,
                labels,
                ellipsis: true,
            } => write!(
                f,
                "operand {operand} has {ndim} dimensions but its term has {labels} subscripts \
                 besides its ellipsis"
            ),
            EinsumError::SizeMismatch {
                label,
                first,
                second,
            } => write!(
                f,
                "size of label '{label}' does not match: {} in operand {} (axis {}) \
                 but {} in operand {} (axis {})",
                first.0, first.1, first.2, second.0, second.1, second.2
            ),
            EinsumError::DiagonalMismatch {
                label,
                operand,
                sizes,
            } => write!(
                f,
                "dimensions in operand {operand} for collapsing index '{label}' don't match \
                 ({} != {})",
                sizes.0, sizes.1
            ),
            EinsumError::EllipsisMismatch {
                so_far,
                operand,
                dims,
            } => write!(
                f,
                "operands could not be broadcast together: the ellipsis dimensions {dims:?} \
                 of operand {operand} do not broadcast with {so_far:?}"
            ),
            EinsumError::EllipsisNotInOutput { dims } => write!(
                f,
                "output has more dimensions than subscripts given in einstein sum, but no '...' \
                 ellipsis provided to broadcast the extra dimensions {dims:?}"
            ),
            EinsumError::SizeOverflow { shape } => {
                write!(f, "an array of shape {shape:?} is too large to allocate")
            }
            EinsumError::AllocationFailed { bytes } => {
                write!(
                    f,
                    "could not allocate {bytes} bytes for the result or a temporary"
                )
            }
            EinsumError::InvalidEquation { message, .. } => f.write_str(message),
            EinsumError::Cancelled => f.write_str("the einsum was cancelled before it finished"),
            EinsumError::OutputShape { expected, found } => write!(
                f,
                "the output given as `out` has shape {found:?} but the result has shape \
                 {expected:?}"
            ),
        }
    }
}

impl std::error::Error for EinsumError {}

impl From<einsum_syntax::SyntaxError> for EinsumError {
    fn from(err: einsum_syntax::SyntaxError) -> Self {
        EinsumError::InvalidEquation {
            message: err.message,
            column: err.column,
        }
    }
}
