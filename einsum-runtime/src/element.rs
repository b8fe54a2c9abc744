//! The element types an einsum can run on.

use crate::kernels::GemmCall;
#[cfg(feature = "complex")]
use num_complex::Complex;
use num_traits::{One, Zero};
use std::fmt::Debug;
use std::ops::{Add, Mul};

/// A number type that einsum operands can hold: the floats, the integers and
/// (with the default feature `complex`) `num_complex::Complex<f32>` /
/// `Complex<f64>`.
///
/// All operands of one einsum share one element type; the generated loops
/// only need `+`, `*` and zero. The trait is sealed so that later kernels can
/// rely on the closed list of types.
///
/// ```
/// use einsum_static::{einsum, Element};
/// use ndarray::array;
///
/// fn trace<T: Element>(m: &ndarray::Array2<T>) -> T {
///     einsum!("ii->", m)
/// }
/// assert_eq!(trace(&array![[1, 2], [3, 4]]), 5);
/// ```
pub trait Element:
    Copy
    + Send
    + Sync
    + Debug
    + PartialEq
    + Zero
    + One
    + Add<Output = Self>
    + Mul<Output = Self>
    + sealed::Sealed
    + 'static
{
    /// `self + rhs`, wrapping around for the integers in every build, as
    /// NumPy's integer einsum does; the kernels add through this, so that
    /// no engine and no build panics on overflow where another wraps.
    #[doc(hidden)]
    #[inline(always)]
    fn add_wrapping(self, rhs: Self) -> Self {
        self + rhs
    }

    /// `self * rhs`, wrapping around for the integers in every build.
    #[doc(hidden)]
    #[inline(always)]
    fn mul_wrapping(self, rhs: Self) -> Self {
        self * rhs
    }

    /// `a[0] + a[1] + ...`, for the innermost loop of reductions.
    #[doc(hidden)]
    fn sum_unit(a: &[Self]) -> Self {
        crate::kernels::simd::sum_lanes::<Self, 8>(a)
    }

    /// `a[0] * b[0] + a[1] * b[1] + ...` over the shorter length.
    #[doc(hidden)]
    fn dot_unit(a: &[Self], b: &[Self]) -> Self {
        crate::kernels::simd::dot_lanes::<Self, 8>(a, b)
    }

    /// `[dot_unit(rows[0], x), ..., dot_unit(rows[3], x)]`, bit for bit, in
    /// one pass over `x` where the CPU allows: a matrix-vector product's
    /// rows four at a time.
    #[doc(hidden)]
    fn dot_rows(rows: [&[Self]; 4], x: &[Self]) -> [Self; 4] {
        rows.map(|row| Self::dot_unit(row, x))
    }

    /// The engine behind [`Element::gemm`] for this type, named for
    /// `explain!`; `None` when it has none.
    #[doc(hidden)]
    const GEMM_ENGINE: Option<&'static str> = None;

    /// Below this many multiply-adds per product, a batch of products runs
    /// on the small-GEMM engine (when its rows are contiguous) rather than
    /// one [`Element::gemm`] call per product. For `f32`/`f64` the engines
    /// break even at 32^3 (`bij,bjk->bik`, 2^26 multiply-adds in all); the
    /// compiler leaves the engine's integer and complex loops scalar, so
    /// other types keep it to products too small for a GEMM call (16^3:
    /// i64 1.1-1.7 ms with the integer kernel, 5.5 ms with this engine).
    #[doc(hidden)]
    const SMALL_GEMM_WORK: usize = 4096;

    /// Runs one GEMM call; only called when `GEMM_ENGINE` is `Some`.
    ///
    /// # Safety
    /// The call's pointers and strides must describe valid matrices.
    #[doc(hidden)]
    unsafe fn gemm(_call: &GemmCall<Self>) {
        unreachable!("no GEMM engine for this element type")
    }
}

mod sealed {
    pub trait Sealed {}
}

/// The integers' wrapping arithmetic, for their `Element` impls.
macro_rules! wrapping_arithmetic {
    () => {
        #[inline(always)]
        fn add_wrapping(self, rhs: Self) -> Self {
            self.wrapping_add(rhs)
        }
        #[inline(always)]
        fn mul_wrapping(self, rhs: Self) -> Self {
            self.wrapping_mul(rhs)
        }
    };
}

macro_rules! impl_element {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            wrapping_arithmetic!();
        }
    )*};
}

impl_element!(i8, i16, i128, isize, u8, u16, u32, u64, u128, usize);

/// The integer types the crate's own integer GEMM multiplies (wrapping).
macro_rules! impl_int_element_with_gemm {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            wrapping_arithmetic!();
            const GEMM_ENGINE: Option<&'static str> = Some("einsum-static's integer kernel");
            unsafe fn gemm(call: &GemmCall<Self>) {
                // SAFETY: forwarded from the caller.
                unsafe { crate::kernels::int_gemm(call) }
            }
        }
    )*};
}

impl_int_element_with_gemm!(i32, i64);

/// The complex types the `gemm` family multiplies (feature `complex`).
#[cfg(feature = "complex")]
macro_rules! impl_complex_element {
    ($($t:ty, $kernel:path);*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const GEMM_ENGINE: Option<&'static str> = Some("gemm crate");
            unsafe fn gemm(call: &GemmCall<Self>) {
                // SAFETY: forwarded from the caller.
                unsafe { crate::kernels::gemm_crate($kernel(), call) }
            }
        }
    )*};
}

/// The float types the `gemm` family multiplies, with float reductions in
/// SIMD.
macro_rules! impl_float_element {
    ($($t:ty, $lanes:literal, $kernel:path);*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            crate::kernels::simd::float_reductions!($t, $lanes);
            const GEMM_ENGINE: Option<&'static str> = Some("gemm crate");
            const SMALL_GEMM_WORK: usize = 32 * 32 * 32;
            unsafe fn gemm(call: &GemmCall<Self>) {
                // SAFETY: forwarded from the caller.
                unsafe { crate::kernels::gemm_crate($kernel(), call) }
            }
        }
    )*};
}

impl_float_element!(
    f32, 64, gemm_f32::gemm::f32::get_gemm_fn;
    f64, 32, gemm_f64::gemm::f64::get_gemm_fn
);
#[cfg(feature = "complex")]
impl_complex_element!(
    Complex<f32>, gemm_c32::gemm::f32::get_gemm_fn;
    Complex<f64>, gemm_c64::gemm::f64::get_gemm_fn
);

/// `U: SameElement<T, K>` holds when operand `K` holds `U == T`, the
/// element type of operand 0: the check behind the compile error for mixed
/// element types, which names both types and points at the operand.
///
/// ```
/// fn same<U: einsum_static::__private::SameElement<T, 1>, T>() {}
/// same::<f64, f64>();
/// ```
#[diagnostic::on_unimplemented(
    message = "einsum operand {K} holds `{Self}` but operand 0 holds `{T}`: all operands of an einsum share one element type",
    label = "operand {K} holds `{Self}`",
    note = "convert one of them: `.mapv(|x| x as {T})` on operand {K}, or `.mapv(|x| x as {Self})` on operand 0"
)]
pub trait SameElement<T, const K: usize> {
    /// The view itself, typed with operand 0's element type.
    fn view<D>(view: ndarray::ArrayView<'_, Self, D>) -> ndarray::ArrayView<'_, T, D>
    where
        Self: Sized;
}

impl<T: Element, const K: usize> SameElement<T, K> for T {
    #[inline(always)]
    fn view<D>(view: ndarray::ArrayView<'_, T, D>) -> ndarray::ArrayView<'_, T, D> {
        view
    }
}
