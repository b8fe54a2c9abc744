//! The per-element-type engines behind a generated step: the GEMM
//! hand-off and the contraction of three or more operands. For `f64` and
//! `f32` this crate compiles them once, so that a user's build does not
//! compile them at all; other element types get them compiled in the
//! user's crate, once per type (each type listed here lengthens this
//! crate's own build). An expansion's generic code finds its copy
//! here and calls it through a function pointer.

use crate::error::EinsumError;
use crate::operand::Writer;
use crate::path::{contract_wide, PathCall, PlanCache};
use crate::shapes::WIDE;
use crate::step::BinaryStep;
use crate::Element;
use std::any::TypeId;

/// [`crate::kernels::gemm`] for [`WIDE`] labels.
pub(crate) type GemmFn<T> = for<'r, 's, 'x> fn(&'r BinaryStep<'s, 'x, T, WIDE>) -> bool;

/// [`crate::path::contract`] for [`WIDE`] labels.
pub(crate) type ContractFn<T> = for<'r, 'c, 'x, 'o, 'z, 'p> fn(
    &'r PathCall<'c, 'x, T, WIDE>,
    &'o Writer<'z, T, WIDE>,
    &'p PlanCache,
) -> Result<(), EinsumError>;

/// The copy of `$engine::<T>` (a function of type `$fn_ty<T>`) compiled
/// here when `T` is one of the types listed, else `$engine::<T>` itself,
/// compiled in the user's crate. The listed types' copies are held in
/// statics: a static's value is computed where it is defined, so the copy
/// it points to is compiled here. The test is on constants, so a build
/// compiles (and links) one branch, even unoptimized; each listed type is
/// alone in its class of [`alike`] element types, which a test checks and
/// the type ids confirm.
macro_rules! find_copy {
    ($T:ident, $fn_ty:ident, $engine:ident) => {{
        find_copy!(@ $T, $fn_ty, $engine; f64, f32);
        $engine::<$T>
    }};
    (@ $T:ident, $fn_ty:ident, $engine:ident; $($t:ty),*) => {$(
        if const { alike::<$T, $t>() } {
            assert_eq!(TypeId::of::<$T>(), TypeId::of::<$t>(), "two element types alike");
            static COPY: $fn_ty<$t> = $engine::<$t>;
            // SAFETY: `T` is `$t` (their type ids are equal).
            return unsafe { *(&COPY as *const $fn_ty<$t>).cast::<$fn_ty<$T>>() };
        }
    )*};
}

/// The GEMM hand-off for `T` (see [`find_copy`]). Inlined: in an optimized
/// build it is a constant.
#[inline]
pub(crate) fn gemm<T: Element>() -> GemmFn<T> {
    find_copy!(T, GemmFn, wide_gemm)
}

/// The contraction of three or more operands for `T`, as [`gemm`].
#[inline]
pub(crate) fn contract<T: Element>() -> ContractFn<T> {
    find_copy!(T, ContractFn, wide_contract)
}

fn wide_contract<T: Element>(
    call: &PathCall<'_, '_, T, WIDE>,
    out: &Writer<'_, T, WIDE>,
    plans: &PlanCache,
) -> Result<(), EinsumError> {
    contract_wide(call, out, plans)
}

fn wide_gemm<T: Element>(step: &BinaryStep<'_, '_, T, WIDE>) -> bool {
    crate::kernels::gemm(step)
}

/// Whether `T` and `U` agree in the properties a constant can compare:
/// size, alignment and GEMM engine. Each element type agrees with at most
/// two others.
const fn alike<T: Element, U: Element>() -> bool {
    const fn engine(name: Option<&str>) -> usize {
        match name {
            Some(name) => name.len() + 1,
            None => 0,
        }
    }
    size_of::<T>() == size_of::<U>()
        && align_of::<T>() == align_of::<U>()
        && engine(T::GEMM_ENGINE) == engine(U::GEMM_ENGINE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The types whose copies are compiled here are each alone in their
    /// class of alike element types, so the constant test picks them.
    #[test]
    fn the_types_compiled_here_are_alone_in_their_class() {
        fn alone<T: Element>() {
            fn other<T: Element, U: Element>() {
                let same = TypeId::of::<T>() == TypeId::of::<U>();
                assert_eq!(alike::<T, U>(), same, "{}", std::any::type_name::<U>());
            }
            other::<T, f64>();
            other::<T, f32>();
            other::<T, i8>();
            other::<T, i16>();
            other::<T, i32>();
            other::<T, i64>();
            other::<T, i128>();
            other::<T, isize>();
            other::<T, u8>();
            other::<T, u16>();
            other::<T, u32>();
            other::<T, u64>();
            other::<T, u128>();
            other::<T, usize>();
            #[cfg(feature = "complex")]
            {
                other::<T, num_complex::Complex<f64>>();
                other::<T, num_complex::Complex<f32>>();
            }
            let _ = (gemm::<T>(), contract::<T>());
        }
        alone::<f64>();
        alone::<f32>();
    }
}
