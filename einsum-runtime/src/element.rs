//! The element types an einsum can run on.

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
/// only need `+`, `*` and zero. The trait is sealed (its supertrait, the
/// kernels' hooks of each type, is private) so that the kernels can rely on
/// the closed list of types.
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
    + crate::kernels::hooks::ElementKernels
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
}

/// The integers: wrapping arithmetic.
macro_rules! impl_int_element {
    ($($t:ty),*) => {$(
        impl Element for $t {
            #[inline(always)]
            fn add_wrapping(self, rhs: Self) -> Self {
                self.wrapping_add(rhs)
            }
            #[inline(always)]
            fn mul_wrapping(self, rhs: Self) -> Self {
                self.wrapping_mul(rhs)
            }
        }
    )*};
}

impl_int_element!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl Element for f32 {}
impl Element for f64 {}
#[cfg(feature = "complex")]
impl Element for Complex<f32> {}
#[cfg(feature = "complex")]
impl Element for Complex<f64> {}

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
