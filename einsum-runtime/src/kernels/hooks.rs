//! What each element type brings to the kernels: its innermost sums and
//! dot products, and its GEMM engine.
//!
//! [`ElementKernels`] is the sealed supertrait of [`Element`]: a user can
//! neither name nor implement it, so the public trait carries no kernel
//! items and the list of types is closed. Each type's choices are made
//! here, beside the kernels they name.

use super::{GemmCall, MicroKernel};
use crate::Element;
#[cfg(feature = "complex")]
use num_complex::Complex;

/// The kernels' hooks of an element type (see the module doc).
pub trait ElementKernels: Sized {
    /// `a[0] + a[1] + ...`, for the innermost loop of reductions.
    fn sum_unit(a: &[Self]) -> Self
    where
        Self: Element,
    {
        super::simd::sum_lanes::<Self, 8>(a)
    }

    /// `a[0] * b[0] + a[1] * b[1] + ...` over the shorter length.
    fn dot_unit(a: &[Self], b: &[Self]) -> Self
    where
        Self: Element,
    {
        super::simd::dot_lanes::<Self, 8>(a, b)
    }

    /// `[dot_unit(rows[0], x), ..., dot_unit(rows[3], x)]`, bit for bit, in
    /// one pass over `x` where the CPU allows: a matrix-vector product's
    /// rows four at a time.
    fn dot_rows(rows: [&[Self]; 4], x: &[Self]) -> [Self; 4]
    where
        Self: Element,
    {
        rows.map(|row| Self::dot_unit(row, x))
    }

    /// The engine behind [`ElementKernels::gemm`] for this type, named for
    /// `explain!`; `None` when it has none.
    const GEMM_ENGINE: Option<&'static str> = None;

    /// Below this many multiply-adds per product, a batch of products runs
    /// on the small-GEMM engine (when its rows are contiguous) rather than
    /// one [`ElementKernels::gemm`] call per product. For `f32`/`f64` the
    /// engines break even at 32^3; the compiler leaves the engine's integer
    /// and complex loops scalar, so other types keep it to products too
    /// small for a GEMM call.
    const SMALL_GEMM_WORK: usize = 4096;

    /// How long one multiply-add of this type's GEMM kernels takes, in
    /// f64 multiply-adds: the cost model (`engines::cost`) weighs products
    /// against packing and stores by it. Measured on the transpose-free
    /// engine's 4-D TCCG cases (PERFORMANCE.md).
    const MULTIPLY_ADD_TIME: f64 = 1.0;

    /// The transpose-free engine's micro-kernel for this type on this
    /// CPU; `None` when it has none (steps whose groups do not fuse then
    /// run looped GEMM calls).
    fn packed_kernel() -> Option<MicroKernel<Self>> {
        None
    }

    /// Runs one GEMM call; only called when `GEMM_ENGINE` is `Some`.
    ///
    /// # Safety
    /// The call's pointers and strides must describe valid matrices.
    unsafe fn gemm(_call: &GemmCall<Self>) {
        unreachable!("no GEMM engine for this element type")
    }
}

/// The integers without a GEMM engine: portable sums.
macro_rules! plain {
    ($($t:ty),*) => {$(
        impl ElementKernels for $t {}
    )*};
}

plain!(i8, i16, i128, isize, u8, u16, u32, u64, u128, usize);

/// The integer types the crate's own integer kernels multiply (wrapping):
/// the transpose-free engine's, for fused products and the others alike.
macro_rules! int_gemm {
    ($($t:ty, $kernel:path, $time:literal);*) => {$(
        impl ElementKernels for $t {
            const MULTIPLY_ADD_TIME: f64 = $time;
            fn packed_kernel() -> Option<MicroKernel<Self>> {
                Some($kernel())
            }
            const GEMM_ENGINE: Option<&'static str> = Some("einsum-static's integer kernel");
            unsafe fn gemm(call: &GemmCall<Self>) {
                // SAFETY: forwarded from the caller; the kernel is the one
                // this CPU runs.
                unsafe { super::packed_gemm_call(call, &$kernel()) }
            }
        }
    )*};
}

int_gemm!(i32, super::i32_kernel, 0.75; i64, super::i64_kernel, 1.5);

/// The complex types (feature `complex`): the transpose-free engine's own
/// kernels, and the `gemm` family for fused products.
#[cfg(feature = "complex")]
macro_rules! complex {
    ($($t:ty, $kernel:path, $packed:path, $time:literal);*) => {$(
        impl ElementKernels for $t {
            const MULTIPLY_ADD_TIME: f64 = $time;
            fn packed_kernel() -> Option<MicroKernel<Self>> {
                Some($packed())
            }
            const GEMM_ENGINE: Option<&'static str> = Some("gemm crate");
            unsafe fn gemm(call: &GemmCall<Self>) {
                // SAFETY: forwarded from the caller.
                unsafe { super::gemm_crate($kernel(), call) }
            }
        }
    )*};
}

#[cfg(feature = "complex")]
complex!(
    Complex<f32>, gemm_c32::gemm::f32::get_gemm_fn, super::c32_kernel, 2.0;
    Complex<f64>, gemm_c64::gemm::f64::get_gemm_fn, super::c64_kernel, 4.0
);

/// The float types the `gemm` family multiplies, with float reductions in
/// SIMD.
macro_rules! float {
    ($($t:ty, $lanes:literal, $kernel:path, $packed:path, $time:literal);*) => {$(
        impl ElementKernels for $t {
            super::simd::float_reductions!($t, $lanes);
            const MULTIPLY_ADD_TIME: f64 = $time;
            fn packed_kernel() -> Option<MicroKernel<Self>> {
                Some($packed())
            }
            const GEMM_ENGINE: Option<&'static str> = Some("gemm crate");
            const SMALL_GEMM_WORK: usize = 32 * 32 * 32;
            unsafe fn gemm(call: &GemmCall<Self>) {
                // SAFETY: forwarded from the caller.
                unsafe { super::gemm_crate($kernel(), call) }
            }
        }
    )*};
}

float!(
    f32, 64, gemm_f32::gemm::f32::get_gemm_fn, super::f32_kernel, 0.5;
    f64, 32, gemm_f64::gemm::f64::get_gemm_fn, super::f64_kernel, 1.0
);
