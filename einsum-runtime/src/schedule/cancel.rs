//! Cooperative cancellation: a token that another thread sets to stop an
//! einsum between blocks of work (a Ctrl-C handler, a deadline, a user's
//! "stop" button).
//!
//! Only the run-time API ([`crate::dynamic`]) gives a call a token; the
//! code the macros generate never does, so their results can never be cut
//! short. The token travels in the call's [`Context`](crate::context::Context):
//! each parallel section hands its tasks a [`Stop`] of it, so a task checks
//! its own call's token on whatever thread runs it.

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

/// What a call's tasks check before each block: the flag of the call's
/// token, if any. Without a token the check is one test of a constant
/// `None`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stop<'a>(Option<&'a AtomicBool>);

impl<'a> Stop<'a> {
    /// The check of `token`'s flag (none without a token).
    #[inline]
    pub(crate) fn of(token: Option<&'a Cancel>) -> Stop<'a> {
        Stop(token.map(|token| &*token.0))
    }

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
    fn a_stop_sees_its_token_only() {
        let token = Cancel::new();
        let stop = Stop::of(Some(&token));
        assert!(!stop.requested());
        token.cancel();
        assert!(stop.requested());
        token.reset();
        assert!(!stop.requested());
        assert!(!Stop::of(None).requested());
    }
}
