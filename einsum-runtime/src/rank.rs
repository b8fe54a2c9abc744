//! Compile-time checks that an operand's static rank fits its term.
//!
//! The macro bounds each operand's dimension type by `Rank2<2, K>` (a term
//! of two subscripts, no ellipsis, operand `K`) or `RankAtLeast2<2, K>` (two
//! subscripts besides an ellipsis; the repeated count is there for the
//! error message), so that passing an `Array3` where the
//! term has two labels fails to compile with a message that says so.
//! `IxDyn` satisfies every bound and is checked when the einsum runs
//! instead; terms of more than six subscripts need it (`RankDyn`,
//! `RankAtLeastDyn`).
//!
//! One trait per rank, rather than one trait with the rank as a parameter:
//! the compiler then has no "but `Rank<3>` is implemented" to add to the
//! error, which already says what the term needs.

use ndarray::{Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn};

macro_rules! rank_trait {
    ($(#[$doc:meta])* $name:ident: $($dim:ty),*; $message:literal, $label:literal, $note:literal) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(message = $message, label = $label, note = $note)]
        pub trait $name<const N: usize, const OPERAND: usize> {}
        #[diagnostic::do_not_recommend]
        impl<const N: usize, const OPERAND: usize> $name<N, OPERAND> for IxDyn {}
        $(
            #[diagnostic::do_not_recommend]
            impl<const N: usize, const OPERAND: usize> $name<N, OPERAND> for $dim {}
        )*
    };
}

/// Wrong number of axes for a term without ellipsis.
macro_rules! exact {
    ($name:ident, $dim:ty, $n:literal) => {
        rank_trait!(
            #[doc = concat!("The dimension types of operands whose term has ", $n, " subscripts and no ellipsis.")]
            $name: $dim;
            "einsum operand {OPERAND} has the wrong number of dimensions: its term has {N} subscripts and no ellipsis",
            "operand {OPERAND} is an array of dimension `{Self}`, its term needs {N} axes",
            "give the term one subscript per axis of the operand, or add '...' to broadcast the extra axes"
        );
    };
}

/// Too few axes for a term with an ellipsis.
macro_rules! at_least {
    ($name:ident, $n:literal: $($dim:ty),*) => {
        rank_trait!(
            #[doc = concat!("The dimension types of operands whose term has ", $n, " subscripts besides an ellipsis.")]
            $name: $($dim),*;
            "einsum operand {OPERAND} has too few dimensions: its term has {N} subscripts besides the ellipsis",
            "operand {OPERAND} is an array of dimension `{Self}`, with fewer than {N} axes",
            "an ellipsis may stand for zero axes, but every named subscript needs an axis"
        );
    };
}

exact!(Rank0, Ix0, 0);
exact!(Rank1, Ix1, 1);
exact!(Rank2, Ix2, 2);
exact!(Rank3, Ix3, 3);
exact!(Rank4, Ix4, 4);
exact!(Rank5, Ix5, 5);
exact!(Rank6, Ix6, 6);
rank_trait!(
    /// The dimension types of operands whose term has more than six
    /// subscripts and no ellipsis: `IxDyn` only.
    RankDyn: ;
    "einsum operand {OPERAND} needs {N} axes or more: pass it as an `ArrayD` (`.into_dyn()`)",
    "operand {OPERAND} is an array of dimension `{Self}`",
    "ndarray's static dimension types stop at six axes"
);

at_least!(RankAtLeast0, 0: Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6);
at_least!(RankAtLeast1, 1: Ix1, Ix2, Ix3, Ix4, Ix5, Ix6);
at_least!(RankAtLeast2, 2: Ix2, Ix3, Ix4, Ix5, Ix6);
at_least!(RankAtLeast3, 3: Ix3, Ix4, Ix5, Ix6);
at_least!(RankAtLeast4, 4: Ix4, Ix5, Ix6);
at_least!(RankAtLeast5, 5: Ix5, Ix6);
at_least!(RankAtLeast6, 6: Ix6);
rank_trait!(
    /// The dimension types of operands whose term has more than six
    /// subscripts besides an ellipsis: `IxDyn` only.
    RankAtLeastDyn: ;
    "einsum operand {OPERAND} needs {N} axes or more: pass it as an `ArrayD` (`.into_dyn()`)",
    "operand {OPERAND} is an array of dimension `{Self}`",
    "ndarray's static dimension types stop at six axes"
);

/// The dimension types an `out = ...` array may have, for an output term
/// of `N` subscripts (`OutRank2<2>`), or of `N` besides an ellipsis
/// (`OutRankAtLeast2<2>`).
macro_rules! out_rank {
    ($name:ident: $($dim:ty),*; $message:literal, $label:literal) => {
        #[doc = concat!("The dimension types of an `out` array that `", stringify!($name), "` admits.")]
        #[diagnostic::on_unimplemented(
            message = $message,
            label = $label,
            note = "the array given as `out` must have the result's axes"
        )]
        pub trait $name<const N: usize> {}
        #[diagnostic::do_not_recommend]
        impl<const N: usize> $name<N> for IxDyn {}
        $(
            #[diagnostic::do_not_recommend]
            impl<const N: usize> $name<N> for $dim {}
        )*
    };
}

macro_rules! out_exact {
    ($name:ident, $($dim:ty),*) => {
        out_rank!(
            $name: $($dim),*;
            "the einsum output has the wrong number of dimensions: the output term has {N} subscripts",
            "`out` is an array of dimension `{Self}`, the result has {N} axes"
        );
    };
}

macro_rules! out_at_least {
    ($name:ident, $($dim:ty),*) => {
        out_rank!(
            $name: $($dim),*;
            "the einsum output has too few dimensions: the output term has {N} subscripts besides the ellipsis",
            "`out` is an array of dimension `{Self}`, with fewer than {N} axes"
        );
    };
}

out_exact!(OutRank0, Ix0);
out_exact!(OutRank1, Ix1);
out_exact!(OutRank2, Ix2);
out_exact!(OutRank3, Ix3);
out_exact!(OutRank4, Ix4);
out_exact!(OutRank5, Ix5);
out_exact!(OutRank6, Ix6);
out_exact!(OutRankDyn,);
out_at_least!(OutRankAtLeast0, Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6);
out_at_least!(OutRankAtLeast1, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6);
out_at_least!(OutRankAtLeast2, Ix2, Ix3, Ix4, Ix5, Ix6);
out_at_least!(OutRankAtLeast3, Ix3, Ix4, Ix5, Ix6);
out_at_least!(OutRankAtLeast4, Ix4, Ix5, Ix6);
out_at_least!(OutRankAtLeast5, Ix5, Ix6);
out_at_least!(OutRankAtLeast6, Ix6);
out_at_least!(OutRankAtLeastDyn,);

#[cfg(test)]
mod tests {
    use super::*;

    fn exactly_two<D: Rank2<2, 0>>() {}
    fn at_least_two<D: RankAtLeast2<2, 0>>() {}

    #[test]
    fn static_and_dynamic_dimensions_fit() {
        exactly_two::<Ix2>();
        exactly_two::<IxDyn>();
        at_least_two::<Ix3>();
        at_least_two::<IxDyn>();
    }
}
