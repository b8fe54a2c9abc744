//! Runtime support for the `einsum!` macro of `einsum-static`: shape
//! binding and its errors, strided element access, output allocation and
//! the chunk scheduler. The macro's expansions call into this crate; users
//! reach its public types through the `einsum_static` facade.

#![deny(missing_docs)]

pub mod budget;
mod compiled;
mod context;
pub mod dynamic;
mod element;
mod ellipsis;
mod error;
mod explain;
mod kept;
pub mod kernels;
mod operand;
mod options;
mod output;
pub mod pages;
pub mod path;
mod rank;
mod scale;
pub mod schedule;
pub mod semiring;
mod shapes;
mod step;
mod target;

pub use context::Context;
pub use element::{Element, SameElement};
pub use ellipsis::{EllipsisAxes, EllipsisOffsets};
pub use error::EinsumError;
pub use explain::Explain;
pub use operand::{EllipsisStrides, Operand, Span, Writer};
pub use options::Options;
pub use output::{checked_len, Output};
pub use rank::*;
pub use scale::Scale;
pub use shapes::{Shape, ShapeBinder, Sub};
pub use step::{gemm_step, BinaryStep};
pub use target::{ScalarPlace, Target};

pub use ndarray;

/// Returns the result of an `einsum!`, or panics with the error's message
/// at the caller's location.
#[track_caller]
#[inline]
pub fn unwrap_or_panic<R>(result: Result<R, EinsumError>) -> R {
    match result {
        Ok(value) => value,
        Err(err) => fail(err),
    }
}

/// The panic of [`unwrap_or_panic`], compiled once for every result type.
#[track_caller]
#[cold]
#[inline(never)]
fn fail(err: EinsumError) -> ! {
    panic!("einsum: {err}")
}
