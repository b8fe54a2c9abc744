//! Compile-time checks that an operand's static rank fits its term.
//!
//! The macro bounds each operand's dimension type by `Rank<N>` (a term
//! without ellipsis) or `RankAtLeast<N>` (a term with one), so that passing
//! an `Array3` where the term has two labels fails to compile. `IxDyn`
//! satisfies both and is checked when the einsum runs instead.

use ndarray::{Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn};

/// Implemented by the dimension types with exactly `N` axes, and by `IxDyn`.
///
/// ```
/// fn takes_matrix<D: einsum_static::Rank<2>>() {}
/// takes_matrix::<ndarray::Ix2>();
/// takes_matrix::<ndarray::IxDyn>();
/// ```
#[diagnostic::on_unimplemented(
    message = "einsum operand has the wrong number of dimensions: its term has {N} subscripts and no ellipsis",
    label = "an operand of dimension `{Self}` cannot match a term of {N} subscripts",
    note = "give the term one subscript per axis of the operand, or add '...' to broadcast the extra axes"
)]
pub trait Rank<const N: usize> {}

/// Implemented by the dimension types with at least `N` axes, and by `IxDyn`.
///
/// ```
/// fn takes_batch_of_matrices<D: einsum_static::RankAtLeast<2>>() {}
/// takes_batch_of_matrices::<ndarray::Ix3>();
/// takes_batch_of_matrices::<ndarray::IxDyn>();
/// ```
#[diagnostic::on_unimplemented(
    message = "einsum operand has too few dimensions: its term has {N} subscripts besides the ellipsis",
    label = "an operand of dimension `{Self}` has fewer than {N} axes",
    note = "an ellipsis may stand for zero axes, but every named subscript needs an axis"
)]
pub trait RankAtLeast<const N: usize> {}

impl<const N: usize> Rank<N> for IxDyn {}
impl<const N: usize> RankAtLeast<N> for IxDyn {}

macro_rules! impl_rank {
    ($dim:ty, $rank:literal, [$($at_least:literal),*]) => {
        impl Rank<$rank> for $dim {}
        $(impl RankAtLeast<$at_least> for $dim {})*
    };
}

impl_rank!(Ix0, 0, [0]);
impl_rank!(Ix1, 1, [0, 1]);
impl_rank!(Ix2, 2, [0, 1, 2]);
impl_rank!(Ix3, 3, [0, 1, 2, 3]);
impl_rank!(Ix4, 4, [0, 1, 2, 3, 4]);
impl_rank!(Ix5, 5, [0, 1, 2, 3, 4, 5]);
impl_rank!(Ix6, 6, [0, 1, 2, 3, 4, 5, 6]);
