//! Cooperative cancellation: a token that another thread sets to stop an
//! einsum between blocks of work (a Ctrl-C handler, a deadline, a user's
//! "stop" button).
//!
//! Only the run-time API ([`crate::dynamic`]) puts a token in force, and
//! only for the duration of its call; the code the macros generate never
//! does, so their results can never be cut short. A token in force is kept
//! in a thread-local of the calling thread; each parallel section reads it
//! as it starts (see [`in_pool`](super::in_pool)) and hands it to its
//! tasks, which run on rayon's threads and would not see the caller's
//! thread-locals. While a section runs, the thread-local is cleared, so
//! that the tasks of other einsums that this thread may run meanwhile
//! (rayon lets a waiting thread steal work) never see this call's token.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A request to stop an einsum of the run-time API before it finishes;
/// clones share the request.
///
/// Give it to a [`Contraction`](crate::dynamic::Contraction) with
/// [`cancel_on`](crate::dynamic::Contraction::cancel_on), or to every
/// run-time einsum a closure starts with
/// [`dynamic::with_cancel`](crate::dynamic::with_cancel); then call
/// [`cancel`](Cancel::cancel) from any thread. The einsum skips the work
/// it has not started (it checks between blocks of work: scheduler
/// blocks, GEMM calls and blocks, path steps and slices) and returns
/// [`EinsumError::Cancelled`](crate::EinsumError::Cancelled).
///
/// ```
/// use einsum_runtime::dynamic::{Cancel, Contraction};
/// use einsum_runtime::EinsumError;
/// let token = Cancel::new();
/// let sum = Contraction::new("ij->")?.cancel_on(&token);
/// let a = ndarray::ArrayD::<f64>::ones(vec![100, 100]);
/// assert_eq!(sum.run(&[a.view()])?[[]], 10_000.0);
/// token.cancel();
/// assert_eq!(sum.run(&[a.view()]).unwrap_err(), EinsumError::Cancelled);
/// token.reset();
/// assert!(sum.run(&[a.view()]).is_ok());
/// # Ok::<(), EinsumError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A token not set.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks the einsums this token is in force for to stop: they skip the
    /// work they have not started and return
    /// [`EinsumError::Cancelled`](crate::EinsumError::Cancelled). Any
    /// thread may call it, at any time.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Cancel::cancel) was called (and not
    /// [`reset`](Cancel::reset) since).
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Withdraws the request, for the calls that start after this one.
    pub fn reset(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

thread_local! {
    /// The token in force for the run-time einsum on this thread, if any.
    static IN_FORCE: Cell<Option<Cancel>> = const { Cell::new(None) };
}

/// Puts `token` in force on this thread until the result drops (on unwind
/// too), when the one before is put back.
pub(crate) fn enter(token: Cancel) -> Entered {
    Entered(IN_FORCE.with(|cell| cell.replace(Some(token))))
}

/// A token in force; dropping it puts back the one before.
pub(crate) struct Entered(Option<Cancel>);

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.0.take();
        IN_FORCE.with(|cell| cell.set(previous));
    }
}

/// Whether the token in force on this thread is set: for the loops that
/// run on the calling thread (path steps, slices).
pub(crate) fn requested() -> bool {
    IN_FORCE.with(|cell| {
        let token = cell.take();
        let set = token.as_ref().is_some_and(Cancel::is_cancelled);
        cell.set(token);
        set
    })
}

/// The token in force on this thread, taken out of force until the result
/// drops: a parallel section holds it and hands [`Stop`] to its tasks.
pub(crate) fn take() -> Taken {
    Taken(IN_FORCE.with(Cell::take))
}

/// A token taken out of force by a parallel section; put back on drop.
pub(crate) struct Taken(Option<Cancel>);

impl Taken {
    /// What the section's tasks check.
    #[inline]
    pub(crate) fn stop(&self) -> Stop<'_> {
        Stop(self.0.as_ref().map(|token| &*token.0))
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        let token = self.0.take();
        IN_FORCE.with(|cell| cell.set(token));
    }
}

/// What a parallel section's tasks check before each block: the flag of
/// the token in force where the section started, if any. Without a token
/// the check is one test of a constant `None`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stop<'a>(Option<&'a AtomicBool>);

impl Stop<'_> {
    /// Whether the work not started yet is to be skipped.
    #[inline]
    pub(crate) fn requested(self) -> bool {
        match self.0 {
            Some(flag) => flag.load(Ordering::Relaxed),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_force_for_the_scope_and_out_of_force_in_a_section() {
        let token = Cancel::new();
        {
            let _entered = enter(token.clone());
            assert!(!requested());
            token.cancel();
            assert!(requested());
            {
                let taken = take();
                assert!(taken.stop().requested());
                // Stolen work on this thread does not see the token.
                assert!(!requested());
            }
            assert!(requested());
        }
        assert!(!requested());
        assert!(IN_FORCE.with(Cell::take).is_none());
        assert!(!Stop::default().requested());
    }
}
