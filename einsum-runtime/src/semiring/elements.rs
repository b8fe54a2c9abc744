//! The element types each semiring takes: ordered numbers (floats and
//! integers) for max_plus, min_plus and max_product, floats for
//! log_sum_exp. The bounds of the generated code, so that another type is
//! a compile error that names the semiring's rule.

use crate::Element;

/// Floats and integers: the element types of `max_plus`, `min_plus` and
/// `max_product`.
#[diagnostic::on_unimplemented(
    message = "the semirings max_plus, min_plus and max_product need ordered elements (floats or integers), not `{Self}`",
    label = "`{Self}` has no order for max and min"
)]
pub trait OrderedElement: Element + PartialOrd {
    /// −∞, or the least integer: the empty max.
    const LOWEST: Self;
    /// +∞, or the greatest integer: the empty min.
    const HIGHEST: Self;
    /// Whether the type is an IEEE float (with infinities and NaN).
    #[doc(hidden)]
    const IEEE: bool = false;
}

/// Floats: the element types of `log_sum_exp`.
#[diagnostic::on_unimplemented(
    message = "the semiring log_sum_exp needs a float element type (f32 or f64), not `{Self}`",
    label = "`{Self}` has no exp and log"
)]
pub trait LogSumExpElement: OrderedElement + std::ops::Sub<Output = Self> {
    /// `e^self`.
    fn exp(self) -> Self;
    /// The natural logarithm.
    fn ln(self) -> Self;
    /// The least sum of shifted exponentials the log-space GEMM trusts:
    /// far above the subnormals, so that the products it lost to underflow
    /// do not matter beside it.
    #[doc(hidden)]
    const TINY: Self;
}

macro_rules! floats {
    ($($t:ty: $tiny:literal),*) => {$(
        #[diagnostic::do_not_recommend]
        impl OrderedElement for $t {
            const LOWEST: $t = <$t>::NEG_INFINITY;
            const HIGHEST: $t = <$t>::INFINITY;
            const IEEE: bool = true;
        }
        #[diagnostic::do_not_recommend]
        impl LogSumExpElement for $t {
            const TINY: $t = $tiny;
            #[inline(always)]
            fn exp(self) -> $t {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> $t {
                <$t>::ln(self)
            }
        }
    )*};
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        #[diagnostic::do_not_recommend]
        impl OrderedElement for $t {
            const LOWEST: $t = <$t>::MIN;
            const HIGHEST: $t = <$t>::MAX;
        }
    )*};
}

// TINY: about 2^-100 (f32) and 2^-830 (f64), each type's subnormals
// 2^-49 and 2^-244 below it.
floats!(f32: 1e-30, f64: 1e-250);
integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
