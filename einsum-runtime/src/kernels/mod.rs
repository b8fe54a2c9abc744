//! Hand-tuned engines that a step may use instead of its generated loops.
//!
//! Each engine inspects the bound strides at run time and either runs the
//! whole step and returns `true`, or declines (`false`) and leaves the step
//! to the generated loops, which are always correct.

pub(crate) mod dims;
mod gemm;
mod generic;
mod inner;
mod int_gemm;
pub(crate) mod simd;

pub(crate) use self::gemm::gemm_crate;
pub use self::gemm::{gemm, gemm_would_run, GemmCall};
pub use self::generic::binary_step;
pub use self::inner::{store_products, sum_of_products, Lane, OutLane, RowSum};
pub(crate) use self::int_gemm::int_gemm;
