//! The memory budget: how many bytes the temporaries of one einsum may hold.
//!
//! Temporaries are the intermediates of multi-operand contractions and the
//! partial results of split reductions; the output itself is what the
//! caller asked for and is not counted. The budget is the `memory_limit`
//! option of the macros, or [`DEFAULT_MEMORY_LIMIT`]; an intermediate that
//! would not fit is computed in slices of one of its labels instead (see
//! [`crate::path::contract`]).

use std::cell::Cell;

/// The default budget for temporaries, in bytes: 1 GiB, or the size of the
/// largest operand or output of the call when that is larger (NumPy's
/// `einsum` limits intermediates to the largest operand; the floor keeps
/// small einsums from ever paying for slicing). An operand counts by the
/// memory it occupies, its distinct elements: one broadcast from a single
/// element counts one element, whatever its shape.
///
/// ```
/// use einsum_runtime::budget::{memory_limit, DEFAULT_MEMORY_LIMIT};
/// assert_eq!(memory_limit(0), DEFAULT_MEMORY_LIMIT); // no option given
/// assert_eq!(memory_limit(4 << 30), 4 << 30); // a 4 GiB operand raises it
/// ```
pub const DEFAULT_MEMORY_LIMIT: usize = 1 << 30;

thread_local! {
    /// The `memory_limit` of the einsum running on this thread, if given.
    static LIMIT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Runs `f` with a budget of `bytes` for its temporaries (the
/// `memory_limit = bytes` option of the macros).
///
/// The budget is read by the einsum's own thread when it plans, so it
/// holds for the einsum started inside `f`, whatever pool runs its blocks.
///
/// ```
/// use einsum_static::einsum;
/// use ndarray::Array2;
///
/// let a = Array2::<f64>::ones((200, 50));
/// let b = Array2::<f64>::ones((50, 200));
/// // The 200x200 intermediate of the best order would take 320 KB: with a
/// // 64 KB budget it is computed a slice of rows at a time.
/// let r = einsum!("ij,jk,kl->il", &a, &b, &a; memory_limit = 64 << 10);
/// assert_eq!(r[[0, 0]], 50.0 * 200.0);
/// ```
pub fn with_memory_limit<R>(bytes: usize, f: impl FnOnce() -> R) -> R {
    crate::scoped::with_setting(&LIMIT, bytes, f)
}

/// Sets a budget of `bytes` for this thread's einsums until the result
/// drops, as [`with_memory_limit`] does around its closure.
pub(crate) fn set_memory_limit(bytes: usize) -> crate::scoped::Restore<usize> {
    crate::scoped::set(&LIMIT, bytes)
}

/// The budget in bytes for an einsum whose largest operand or output holds
/// `largest_array` bytes (an operand's distinct elements, see
/// [`DEFAULT_MEMORY_LIMIT`]): the caller's `memory_limit`, or the default.
///
/// ```
/// use einsum_runtime::budget::{memory_limit, with_memory_limit};
/// assert_eq!(with_memory_limit(1 << 20, || memory_limit(1 << 40)), 1 << 20);
/// ```
pub fn memory_limit(largest_array: usize) -> usize {
    LIMIT
        .with(Cell::get)
        .unwrap_or(DEFAULT_MEMORY_LIMIT.max(largest_array))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_holds_inside_and_is_restored_after() {
        assert_eq!(memory_limit(10), DEFAULT_MEMORY_LIMIT);
        assert_eq!(memory_limit(usize::MAX), usize::MAX);
        with_memory_limit(1000, || {
            assert_eq!(memory_limit(usize::MAX), 1000);
            with_memory_limit(10, || assert_eq!(memory_limit(0), 10));
            assert_eq!(memory_limit(0), 1000);
        });
        assert_eq!(memory_limit(0), DEFAULT_MEMORY_LIMIT);
    }

    #[test]
    fn a_panic_does_not_leak_the_budget() {
        let caught = std::panic::catch_unwind(|| with_memory_limit(5, || panic!("inside")));
        assert!(caught.is_err());
        assert_eq!(memory_limit(0), DEFAULT_MEMORY_LIMIT);
    }
}
