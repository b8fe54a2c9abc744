//! Hand-tuned engines that a step may use instead of its generated loops.
//!
//! Each engine inspects the bound strides at run time and either runs the
//! whole step and returns `true`, or declines (`false`) and leaves the step
//! to the generated loops, which are always correct.

mod choice;
mod cost;
pub(crate) mod dims;
mod gemm;
mod generic;
pub(crate) mod hooks;
mod inner;
mod int_gemm;
mod matvec;
mod repack;
mod scatter;
pub(crate) mod simd;
mod small_gemm;

pub use self::choice::last_engine;
pub(crate) use self::choice::{choose, record_name, Engine};
pub(crate) use self::gemm::gemm_crate;
pub use self::gemm::{gemm, gemm_would_run, GemmCall};
pub use self::generic::binary_step;
pub use self::inner::{store_products, sum_of_products, Lane, OutLane, RowSum};
pub(crate) use self::int_gemm::int_gemm;
pub(crate) use self::repack::Groups;

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
