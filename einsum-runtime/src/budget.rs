//! The memory budget: how many bytes the temporaries of one einsum may hold.
//!
//! Temporaries are the intermediates of multi-operand contractions and the
//! partial results of split reductions; the output itself is what the
//! caller asked for and is not counted. The budget is the `memory_limit`
//! option of the call (or one set around it by [`with_memory_limit`]), or
//! [`DEFAULT_MEMORY_LIMIT`]; an intermediate that
//! would not fit is computed in slices of one of its labels instead (see
//! [`crate::path::contract`]).

/// The default budget for temporaries, in bytes: 1 GiB, or the size of the
/// largest operand or output of the call when that is larger (NumPy's
/// `einsum` limits intermediates to the largest operand; the floor keeps
/// small einsums from ever paying for slicing). An operand counts by the
/// memory it occupies, its distinct elements: one broadcast from a single
/// element counts one element, whatever its shape.
///
/// ```
/// use einsum_runtime::budget::{memory_limit, DEFAULT_MEMORY_LIMIT};
/// assert_eq!(memory_limit(None, 0), DEFAULT_MEMORY_LIMIT); // no option given
/// assert_eq!(memory_limit(None, 4 << 30), 4 << 30); // a 4 GiB operand raises it
/// ```
pub const DEFAULT_MEMORY_LIMIT: usize = 1 << 30;

/// Runs `f` with a budget of `bytes` for the temporaries of the einsums it
/// starts on this thread that have no `memory_limit` option of their own.
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
/// let same = einsum_runtime::budget::with_memory_limit(64 << 10, || einsum!("ij,jk,kl->il", &a, &b, &a));
/// assert_eq!(r[[0, 0]], 50.0 * 200.0);
/// assert_eq!(r, same);
/// ```
pub fn with_memory_limit<R>(bytes: usize, f: impl FnOnce() -> R) -> R {
    crate::context::with_ambient(|c| c.memory_limit = Some(bytes), f)
}

/// The budget in bytes for an einsum given the `memory_limit` option
/// `option`, whose largest operand or output holds `largest_array` bytes
/// (an operand's distinct elements, see [`DEFAULT_MEMORY_LIMIT`]): the
/// option, or the default.
///
/// ```
/// use einsum_runtime::budget::memory_limit;
/// assert_eq!(memory_limit(Some(1 << 20), 1 << 40), 1 << 20);
/// ```
pub fn memory_limit(option: Option<usize>, largest_array: usize) -> usize {
    option.unwrap_or(DEFAULT_MEMORY_LIMIT.max(largest_array))
}
