//! The settings of one einsum call as a value: its pool, its memory
//! budget, its cancellation token and its block size.
//!
//! A call builds its [`Context`] once, where it starts (the expansion of a
//! macro, [`Contraction::run`](crate::dynamic::Contraction::run)), from its
//! own options over the ambient settings of the calling thread, and passes
//! it down by reference to the scheduler, the engines and the path steps
//! that use it. Nothing below the call reads a thread-local, so a task that
//! rayon runs on another thread, or that a waiting thread steals from
//! another einsum, works with its own call's settings.
//!
//! The ambient settings are what [`with_threads`](crate::schedule::with_threads),
//! [`with_memory_limit`](crate::budget::with_memory_limit),
//! [`with_cancel`](crate::dynamic::with_cancel) and the tests'
//! `with_block_work` put in force around a closure: one thread-local,
//! read when a call builds its context.

use crate::schedule::cancel::{Cancel, Stop};
use crate::schedule::{BLOCK_WORK, SERIAL_WORK};
use rayon::ThreadPool;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// What one einsum call runs with. The default is the ambient rayon pool,
/// the default memory budget, no cancellation and the standard block size.
///
/// ```
/// use einsum_static::__private::{Context, Options};
/// let context = Options::new().threads(2).memory_limit(1 << 20).context();
/// assert_eq!(context.threads(), 2);
/// assert_eq!(context.memory_limit(1 << 40), 1 << 20);
/// assert_eq!(Context::default().memory_limit(0), einsum_runtime::budget::DEFAULT_MEMORY_LIMIT);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The pool of the `threads = n` option; `None`: the ambient pool.
    pub(crate) pool: Option<Arc<ThreadPool>>,
    /// The `memory_limit` option in bytes; `None`: the default budget.
    pub(crate) memory_limit: Option<usize>,
    /// The token that stops the call, for the run-time API only.
    pub(crate) cancel: Option<Cancel>,
    /// A smaller block size, for tests (see `schedule::with_block_work`).
    pub(crate) block_work: Option<u64>,
}

thread_local! {
    /// The ambient settings of this thread's einsums.
    static AMBIENT: RefCell<Context> = const { RefCell::new(Context::NONE) };
    /// Whether any ambient setting is in force: a tiny call tests this one
    /// flag, and copies nothing when it is not.
    static ANY_AMBIENT: Cell<bool> = const { Cell::new(false) };
}

impl Context {
    /// No setting: what [`Default`] gives, as a constant.
    const NONE: Context = Context {
        pool: None,
        memory_limit: None,
        cancel: None,
        block_work: None,
    };

    /// The ambient settings of this thread, without its cancellation
    /// token: the context of a macro's call given no options (a macro's
    /// einsum is never cut short).
    #[inline]
    pub fn ambient() -> Context {
        match ANY_AMBIENT.with(Cell::get) {
            false => Context::NONE,
            true => Context {
                cancel: None,
                ..Context::ambient_cancellable()
            },
        }
    }

    /// The ambient settings of this thread, its token included: the
    /// context of a run-time call.
    pub(crate) fn ambient_cancellable() -> Context {
        AMBIENT.with(|ambient| ambient.borrow().clone())
    }

    /// The budget in bytes for temporaries, for an einsum whose largest
    /// operand or output holds `largest_array` bytes (see
    /// [`crate::budget::memory_limit`]).
    pub fn memory_limit(&self, largest_array: usize) -> usize {
        crate::budget::memory_limit(self.memory_limit, largest_array)
    }

    /// The number of threads a parallel section of the call gets.
    pub fn threads(&self) -> usize {
        match &self.pool {
            Some(pool) => pool.current_num_threads(),
            None => rayon::current_num_threads(),
        }
    }

    /// The serial threshold and the block size in steps. Inlined: a tiny
    /// call's whole scheduling is this one test.
    #[inline]
    pub(crate) fn thresholds(&self) -> (u64, u64) {
        match self.block_work {
            Some(work) => (work / 2, work),
            None => (SERIAL_WORK, BLOCK_WORK),
        }
    }

    /// Whether the call's token is set: for the loops that run on the
    /// calling thread (path steps, slices).
    pub(crate) fn cancelled(&self) -> bool {
        self.stop().requested()
    }

    /// What the call's tasks check before each block of work.
    #[inline]
    pub(crate) fn stop(&self) -> Stop<'_> {
        Stop::of(self.cancel.as_ref())
    }

    /// Runs the parallel section `f` on the call's pool, or where it is
    /// (the ambient pool) when it has none. Tasks of the section that
    /// split further are already on the chosen pool's threads.
    pub(crate) fn in_pool<R: Send>(&self, f: impl FnOnce(Stop<'_>) -> R + Send) -> R {
        let stop = self.stop();
        match &self.pool {
            Some(pool) => pool.install(|| f(stop)),
            None => f(stop),
        }
    }
}

/// Runs `f` with the ambient settings changed by `change`, then puts back
/// the ones before, on unwind too, so that a panic cannot leak one call's
/// settings into the next einsum on this thread.
pub(crate) fn with_ambient<R>(change: impl FnOnce(&mut Context), f: impl FnOnce() -> R) -> R {
    struct Restore(Option<(Context, bool)>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some((previous, any)) = self.0.take() {
                AMBIENT.with(|ambient| *ambient.borrow_mut() = previous);
                ANY_AMBIENT.with(|flag| flag.set(any));
            }
        }
    }
    let previous = AMBIENT.with(|ambient| {
        let mut ambient = ambient.borrow_mut();
        let previous = ambient.clone();
        change(&mut ambient);
        previous
    });
    let _restore = Restore(Some((
        previous,
        ANY_AMBIENT.with(|flag| flag.replace(true)),
    )));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambient_settings_hold_inside_and_are_restored_after() {
        let limit = |bytes| move |c: &mut Context| c.memory_limit = Some(bytes);
        assert_eq!(Context::ambient().memory_limit, None);
        with_ambient(limit(1000), || {
            assert_eq!(Context::ambient().memory_limit, Some(1000));
            with_ambient(limit(10), || {
                assert_eq!(Context::ambient().memory_limit, Some(10))
            });
            assert_eq!(Context::ambient().memory_limit, Some(1000));
        });
        let caught = std::panic::catch_unwind(|| with_ambient(limit(5), || panic!("inside")));
        assert!(caught.is_err());
        assert_eq!(Context::ambient().memory_limit, None);
    }

    #[test]
    fn a_macro_call_never_takes_the_ambient_token() {
        let token = Cancel::new();
        token.cancel();
        with_ambient(
            |c| c.cancel = Some(token.clone()),
            || {
                assert!(!Context::ambient().cancelled());
                assert!(Context::ambient_cancellable().cancelled());
            },
        );
    }
}
