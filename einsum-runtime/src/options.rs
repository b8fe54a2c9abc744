//! The options of one call (`; threads = n, memory_limit = bytes`), as a
//! value the expansion builds from the caller's expressions and hands to
//! the generated function.
//!
//! The expansion evaluates the operands and the option values where the
//! caller wrote them, exactly as it does without options; only then does
//! the generated function apply the options around its own body. So
//! options never change what compiles: `?` in an operand, `Rc` or
//! `RefCell` borrows, and other non-`Send` operand expressions work with
//! and without them.

use crate::{budget, schedule};

/// The options of one einsum call; the default is no option given.
///
/// ```
/// use einsum_static::__private::Options;
/// let options = Options::new().threads(2).memory_limit(1 << 20);
/// let bytes = options.apply(|| einsum_runtime::budget::memory_limit(0));
/// assert_eq!(bytes, 1 << 20);
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
    /// [`budget::with_memory_limit`].
    pub const fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// Runs `call` (the generated function's body, on the calling thread)
    /// with these options in force.
    pub fn apply<R: Send>(self, call: impl FnOnce() -> R + Send) -> R {
        let _in_force = self.enter();
        call()
    }

    /// Puts these options in force on this thread until the result drops
    /// (on unwind too). Not generic, unlike [`Options::apply`]: compiled
    /// once, not once per call site.
    fn enter(self) -> InForce {
        // The pool is chosen first and restored last.
        let pool = self.threads.map(schedule::choose);
        let limit = self.memory_limit.map(budget::set_memory_limit);
        InForce {
            _limit: limit,
            _pool: pool,
        }
    }
}

/// Options in force; dropping it puts back what was in force before, the
/// memory limit first.
struct InForce {
    _limit: Option<crate::scoped::Restore<usize>>,
    _pool: Option<schedule::Chosen>,
}
