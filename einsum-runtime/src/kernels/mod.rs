//! The kernels, by role:
//!
//! - **Innermost loops** (`inner`, over `simd`): what the generated loop
//!   nests call for their innermost loop: sums of products, stores and
//!   adds of a lane, row sums, with several accumulators and the CPU's
//!   widest vectors.
//! - **Engines** (`engines`): whole GEMM-class steps. `engines::choice`
//!   picks one from the bound sizes and strides (GEMM calls, small GEMMs,
//!   matrix-vector, transpose-free packed) or declines, and the step then
//!   runs its generated loops, which are always correct.
//! - **Steps of paths** (`path_step`): a binary step whose loops are
//!   chosen at run time, for the pairwise steps of three or more operands
//!   (and the run-time API), handing GEMM-class steps to the engines.
//!
//! `hooks` holds what each element type brings to all three (its SIMD
//! sums, its GEMM): `Element`'s sealed supertrait.

pub(crate) mod engines;
pub(crate) mod hooks;
mod inner;
mod path_step;
pub(crate) mod simd;

pub(crate) use self::engines::dims;
pub use self::engines::last_engine;
#[cfg(feature = "complex")]
pub(crate) use self::engines::{c32_kernel, c64_kernel};
pub(crate) use self::engines::{
    choose, dense_gemms, f32_kernel, f64_kernel, gemm_crate, i32_kernel, i64_kernel,
    packed_gemm_call, record_name, Engine, Groups, MicroKernel,
};
pub use self::engines::{gemm, gemm_would_run, GemmCall};
pub use self::inner::{store_products, sum_of_products, Lane, OutLane, RowSum};
pub use self::path_step::binary_step;

/// A raw pointer that may cross to rayon's threads, for engines whose
/// tasks write disjoint parts of the output and only read the inputs.
#[derive(Clone, Copy)]
pub(crate) struct SendPtr<T>(pub(crate) *mut T);
// SAFETY: the engines' tasks write disjoint output slices and only read
// the inputs.
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// The pointer moved by `offset` elements (a method, so that closures
    /// capture the whole Send wrapper rather than its raw field).
    pub(crate) fn at(self, offset: isize) -> *mut T {
        self.0.wrapping_offset(offset)
    }
}
