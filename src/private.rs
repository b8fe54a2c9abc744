//! The door between the macros and the runtime: every path an expansion of
//! [`einsum!`](crate::einsum), [`try_einsum!`](crate::try_einsum) or
//! [`explain!`](crate::explain) names goes through this module, and this
//! module holds nothing else. It is not a public API: its items change
//! with the macros, which is why the three crates pin each other's exact
//! versions.
//!
//! The expansions reach it as `$crate::__private`, so a renamed dependency
//! or a re-export of the macros from another crate works.

/// The proc macros behind the `macro_rules!` fronts of the facade, which
/// pass them the facade's `$crate` path as their first token.
pub use einsum_macros::{einsum, explain, try_einsum};

/// The array types of operands and results (`ArrayView`, `Array`,
/// `ArrayD`, `Dimension`, `Ix0`..`Ix6`, `IxDyn`).
pub use einsum_runtime::ndarray;

/// Bounds of the generated function: the element type, one element type
/// for all operands, the static-rank checks of each operand.
pub use einsum_runtime::{Element, SameElement};
pub use einsum_runtime::{Rank0, Rank1, Rank2, Rank3, Rank4, Rank5, Rank6, RankDyn};
pub use einsum_runtime::{
    RankAtLeast0, RankAtLeast1, RankAtLeast2, RankAtLeast3, RankAtLeast4, RankAtLeast5,
    RankAtLeast6, RankAtLeastDyn,
};

/// Shape binding: each operand's axes bound to its term's subscripts, with
/// every size check done once.
pub use einsum_runtime::{EllipsisAxes, ShapeBinder, Sub};

/// The result being written, and the error and plan types returned.
pub use einsum_runtime::{EinsumError, Explain, Output};

/// `out = ...`: the caller's array written in place, a scalar place as a
/// rank-0 view, and the static-rank checks of the array.
pub use einsum_runtime::{
    OutRank0, OutRank1, OutRank2, OutRank3, OutRank4, OutRank5, OutRank6, OutRankDyn,
};
pub use einsum_runtime::{
    OutRankAtLeast0, OutRankAtLeast1, OutRankAtLeast2, OutRankAtLeast3, OutRankAtLeast4,
    OutRankAtLeast5, OutRankAtLeast6, OutRankAtLeastDyn,
};
pub use einsum_runtime::{ScalarPlace, Target};

/// `alpha = ...`, `beta = ...`: the scaling applied by the output's stores.
pub use einsum_runtime::Scale;

/// `semiring = ...`: the semirings, their element bounds and their loops.
pub use einsum_runtime::semiring;

/// The options of a call, built by the expansion from what follows `;`.
pub use einsum_runtime::Options;

/// The settings a call runs with (its options over the ambient ones),
/// built once at the top of the expansion and passed to every runtime
/// call that schedules or plans work.
pub use einsum_runtime::Context;

/// `einsum!` panics through this, at the caller's location.
pub use einsum_runtime::unwrap_or_panic;

/// The innermost-loop kernels, and the GEMM engines a step may hand off to.
pub use einsum_runtime::{gemm_step, kernels};

/// The chunk scheduler that runs the generated loops in parallel blocks.
pub use einsum_runtime::schedule::{reduce, run, run_summing};

/// Three or more operands: the planned pairwise contraction and each call
/// site's plan cache.
pub use einsum_runtime::path::{contract, PlanCache};
