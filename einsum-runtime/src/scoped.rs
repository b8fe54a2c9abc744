//! Per-call settings kept in a thread-local for the duration of a closure:
//! the options the macros wrap around a call (`memory_limit`) and test
//! knobs. They are read on the einsum's own thread, when it plans.

use std::cell::Cell;
use std::thread::LocalKey;

/// Runs `f` with `setting` holding `Some(value)`, then puts back what it
/// held before, on unwind too, so that a panic cannot leak one call's
/// setting into the next einsum on this thread.
pub(crate) fn with_setting<T: Copy + 'static, R>(
    setting: &'static LocalKey<Cell<Option<T>>>,
    value: T,
    f: impl FnOnce() -> R,
) -> R {
    let _restore = set(setting, value);
    f()
}

/// A setting's previous value, put back when this drops.
pub(crate) struct Restore<T: Copy + 'static>(&'static LocalKey<Cell<Option<T>>>, Option<T>);

impl<T: Copy + 'static> Drop for Restore<T> {
    fn drop(&mut self) {
        self.0.with(|cell| cell.set(self.1));
    }
}

/// Makes `setting` hold `Some(value)` until the result drops.
pub(crate) fn set<T: Copy + 'static>(
    setting: &'static LocalKey<Cell<Option<T>>>,
    value: T,
) -> Restore<T> {
    Restore(setting, setting.with(|cell| cell.replace(Some(value))))
}
