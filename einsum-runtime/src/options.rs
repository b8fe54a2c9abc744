//! The options of one call (`; threads = n, memory_limit = bytes`), as a
//! value the expansion builds from the caller's expressions and hands to
//! the generated function, which makes the call's [`Context`] of it.
//!
//! The expansion evaluates the operands and the option values where the
//! caller wrote them, exactly as it does without options. So options never
//! change what compiles: `?` in an operand, `Rc` or `RefCell` borrows, and
//! other non-`Send` operand expressions work with and without them.

use crate::context::Context;
use crate::schedule;

/// The options of one einsum call; the default is no option given.
///
/// ```
/// use einsum_static::__private::Options;
/// let context = Options::new().threads(2).memory_limit(1 << 20).context();
/// assert_eq!((context.threads(), context.memory_limit(0)), (2, 1 << 20));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    threads: Option<usize>,
    memory_limit: Option<usize>,
}

impl Options {
    /// No option given: the ambient pool and the default memory budget.
    pub const fn new() -> Self {
        Options {
            threads: None,
            memory_limit: None,
        }
    }

    /// `threads = n`: the parallel sections run on a pool of `n` threads
    /// (0: the ambient pool). See [`schedule::with_threads`].
    pub const fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// `memory_limit = bytes`: the budget for the call's temporaries. See
    /// [`crate::budget::with_memory_limit`].
    pub const fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// The call's [`Context`]: these options over the ambient settings of
    /// this thread. Not generic: compiled once, not once per call site.
    pub fn context(self) -> Context {
        self.over(Context::ambient())
    }

    /// These options over the settings `context`.
    pub(crate) fn over(self, mut context: Context) -> Context {
        if let Some(threads) = self.threads {
            // 0, or no pool to be had: the ambient pool.
            if let Some(pool) = schedule::pool(threads) {
                context.pool = Some(pool);
            }
        }
        if let Some(bytes) = self.memory_limit {
            context.memory_limit = Some(bytes);
        }
        context
    }
}
