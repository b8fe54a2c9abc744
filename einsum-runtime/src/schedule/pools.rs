//! The `threads = n` option: a rayon pool of `n` threads for the parallel
//! sections of one einsum.
//!
//! The calling thread runs the einsum itself and enters the chosen pool
//! only where work is split ([`in_pool`]), so a call too small to split
//! never hands work to another thread: with `threads = n` a tiny einsum
//! costs what it costs without the option.

use rayon::ThreadPool;
use std::cell::Cell;
use std::sync::Mutex;

thread_local! {
    /// The pool chosen by the einsum running on this thread, if any.
    static CHOSEN: Cell<Option<&'static ThreadPool>> = const { Cell::new(None) };
}

/// Runs `f` (an einsum call) with its parallel sections on a rayon pool of
/// `threads` threads; 0 means the ambient pool. Pools are built once per
/// thread count and kept.
///
/// ```
/// use einsum_static::einsum;
/// let a = ndarray::Array2::<f64>::ones((300, 300));
/// let c = einsum!("ij,jk->ik", &a, &a; threads = 1);
/// assert_eq!(c[[0, 0]], 300.0);
/// ```
pub fn with_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    match pool(threads) {
        Some(pool) => crate::scoped::with_setting(&CHOSEN, pool, f),
        // The ambient pool, also when a pool cannot be built (no threads
        // left).
        None => f(),
    }
}

/// The kept pool of `threads` threads, built on first use.
fn pool(threads: usize) -> Option<&'static ThreadPool> {
    // Leaked: pools live as long as the program, as rayon's global one does.
    static POOLS: Mutex<Vec<(usize, &'static ThreadPool)>> = Mutex::new(Vec::new());
    if threads == 0 {
        return None;
    }
    let mut pools = POOLS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&(_, pool)) = pools.iter().find(|(n, _)| *n == threads) {
        return Some(pool);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .ok()?;
    let pool: &'static ThreadPool = Box::leak(Box::new(pool));
    pools.push((threads, pool));
    Some(pool)
}

/// Runs the parallel section `f` on the pool this thread's einsum chose,
/// or where it is (the ambient pool) when none was chosen. Tasks of the
/// section that split further are already on the chosen pool's threads.
pub(crate) fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match CHOSEN.with(Cell::get) {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// The number of threads a parallel section started here gets.
pub(crate) fn threads() -> usize {
    CHOSEN
        .with(Cell::get)
        .map_or_else(rayon::current_num_threads, ThreadPool::current_num_threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_work_stays_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let on = with_threads(3, || {
            assert_eq!(threads(), 3);
            let serial = std::thread::current().id();
            let section = in_pool(|| (std::thread::current().id(), rayon::current_num_threads()));
            (serial, section)
        });
        assert_eq!(on.0, caller);
        assert_ne!(on.1 .0, caller);
        assert_eq!(on.1 .1, 3);
        // The choice ends with the call.
        assert_eq!(threads(), rayon::current_num_threads());
    }
}
