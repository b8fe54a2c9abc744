//! Compile-time checks that an operand's static rank fits its term.
//!
//! The macro bounds each operand's dimension type by `Rank<N>` (a term
//! without ellipsis) or `RankAtLeast<N>` (a term with one), so that passing
//! an `Array3` where the term has two labels fails to compile. `IxDyn`
//! satisfies both and is checked when the einsum runs instead.

use ndarray::{Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn};

/// Implemented by the dimension types with exactly `N` axes, and by `IxDyn`.
/// `OPERAND` only names the operand in the error message.
///
/// ```
/// fn takes_matrix<D: einsum_static::Rank<2, 0>>() {}
/// takes_matrix::<ndarray::Ix2>();
/// takes_matrix::<ndarray::IxDyn>();
/// ```
#[diagnostic::on_unimplemented(
    message = "einsum operand {OPERAND} has the wrong number of dimensions: its term has {N} subscripts and no ellipsis",
    label = "operand {OPERAND} is an array of dimension `{Self}`, its term needs {N} axes",
    note = "give the term one subscript per axis of the operand, or add '...' to broadcast the extra axes"
)]
pub trait Rank<const N: usize, const OPERAND: usize> {}

/// Implemented by the dimension types with at least `N` axes, and by
/// `IxDyn`. `OPERAND` only names the operand in the error message.
///
/// ```
/// fn takes_batch_of_matrices<D: einsum_static::RankAtLeast<2, 0>>() {}
/// takes_batch_of_matrices::<ndarray::Ix3>();
/// takes_batch_of_matrices::<ndarray::IxDyn>();
/// ```
#[diagnostic::on_unimplemented(
    message = "einsum operand {OPERAND} has too few dimensions: its term has {N} subscripts besides the ellipsis",
    label = "operand {OPERAND} is an array of dimension `{Self}`, with fewer than {N} axes",
    note = "an ellipsis may stand for zero axes, but every named subscript needs an axis"
)]
pub trait RankAtLeast<const N: usize, const OPERAND: usize> {}

impl<const N: usize, const OPERAND: usize> Rank<N, OPERAND> for IxDyn {}
impl<const N: usize, const OPERAND: usize> RankAtLeast<N, OPERAND> for IxDyn {}

macro_rules! impl_rank {
    ($dim:ty, $rank:literal, [$($at_least:literal),*]) => {
        impl<const OPERAND: usize> Rank<$rank, OPERAND> for $dim {}
        $(impl<const OPERAND: usize> RankAtLeast<$at_least, OPERAND> for $dim {})*
    };
}

impl_rank!(Ix0, 0, [0]);
impl_rank!(Ix1, 1, [0, 1]);
impl_rank!(Ix2, 2, [0, 1, 2]);
impl_rank!(Ix3, 3, [0, 1, 2, 3]);
impl_rank!(Ix4, 4, [0, 1, 2, 3, 4]);
impl_rank!(Ix5, 5, [0, 1, 2, 3, 4, 5]);
impl_rank!(Ix6, 6, [0, 1, 2, 3, 4, 5, 6]);
