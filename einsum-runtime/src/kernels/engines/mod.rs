//! The engines of GEMM-class steps (every label batch, m, n or k): which
//! one runs (`choice`, by the costs of `cost`), and each of them. `dims`
//! turns a step's labels into axes of sizes and strides, which the engines
//! classify and fuse.

mod choice;
mod cost;
pub(crate) mod dims;
mod gemm;
mod groups;
mod matvec;
mod packed;
mod permute;
mod remember;
mod scratch;
mod short_copy;
mod small_gemm;
pub(crate) mod tables;
#[cfg(test)]
mod test_rng;

pub use self::choice::last_engine;
pub(crate) use self::choice::{choose, record_name, Engine};
pub(crate) use self::gemm::{dense_gemms, gemm_crate};
pub use self::gemm::{gemm, gemm_would_run, GemmCall};
pub(crate) use self::groups::Groups;
#[cfg(feature = "complex")]
pub(crate) use self::packed::{c32_kernel, c64_kernel};
pub(crate) use self::packed::{
    f32_kernel, f64_kernel, gemm_call as packed_gemm_call, i32_kernel, i64_kernel, MicroKernel,
};
use super::SendPtr;
