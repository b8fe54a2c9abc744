//! facade (docs to come)
pub use einsum_macros::{einsum, try_einsum};
pub use einsum_runtime::{schedule, EinsumError, Element, Rank, RankAtLeast};

#[doc(hidden)]
pub use einsum_runtime as __rt;
