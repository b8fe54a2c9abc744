//! The `threads = n` option: a rayon pool of `n` threads for the parallel
//! sections of one einsum.
//!
//! The calling thread runs the einsum itself and enters the chosen pool
//! only where work is split ([`Context::in_pool`]), so a call too small to split
//! never hands work to another thread: with `threads = n` a tiny einsum
//! costs what it costs without the option.
//!
//! Building a pool starts its threads, so pools are kept for the next call,
//! within bounds: a pool of `n` threads is kept only when `n` is at most
//! the machine's available parallelism, and at most four pools are kept,
//! the least recently used one dropped first. A larger `n` gets a pool
//! built for its call and dropped after it. So a program that asks for
//! many different thread counts keeps at most four times the core count of
//! threads, not one pool per count. A dropped pool's threads
//! exit once the calls that still use it are done. The thread count
//! changes no result: work is split by size, not by thread count.

use crate::context::{with_ambient, Context};
use rayon::ThreadPool;
use std::sync::{Arc, Mutex, OnceLock};

/// The most pools kept for reuse.
const KEPT_POOLS: usize = 4;

/// Runs `f` with the parallel sections of the einsums it starts on this
/// thread (those without a `threads` option of their own) on a rayon pool
/// of `threads` threads; 0 means the ambient pool.
///
/// Pools are reused within bounds: up to
/// four pools of at most the available parallelism
/// ([`std::thread::available_parallelism`]) threads are kept, the least
/// recently used dropped first; a pool of more threads than that is built
/// for this call and dropped after it.
///
/// ```
/// use einsum_static::einsum;
/// let a = ndarray::Array2::<f64>::ones((300, 300));
/// let c = einsum!("ij,jk->ik", &a, &a; threads = 1);
/// let same = einsum_runtime::schedule::with_threads(1, || einsum!("ij,jk->ik", &a, &a));
/// assert_eq!(c[[0, 0]], 300.0);
/// assert_eq!(c, same);
/// ```
pub fn with_threads<R>(threads: usize, f: impl FnOnce() -> R) -> R {
    let pool = pool(threads);
    with_ambient(
        |context: &mut Context| {
            if pool.is_some() {
                context.pool = pool;
            }
        },
        f,
    )
}

/// The pools kept for reuse, least recently used first.
static POOLS: Mutex<Pools> = Mutex::new(Pools { kept: Vec::new() });

/// A pool of `threads` threads: a kept one, or a new one (kept when the
/// policy allows). `None` for 0 or when no pool can be built.
pub(crate) fn pool(threads: usize) -> Option<Arc<ThreadPool>> {
    if threads == 0 {
        return None;
    }
    POOLS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(threads, available_parallelism(), |n| {
            rayon::ThreadPoolBuilder::new().num_threads(n).build().ok()
        })
}

/// The machine's available parallelism, read once (it reads cgroup files).
fn available_parallelism() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Kept pools by thread count, least recently used first.
struct Pools {
    kept: Vec<(usize, Arc<ThreadPool>)>,
}

impl Pools {
    /// The pool of `threads` threads: the kept one, moved to the most
    /// recently used end; or one from `build`, kept when `threads` is at
    /// most `keep_up_to`, evicting the least recently used beyond
    /// `KEPT_POOLS`. An evicted pool lives on in the calls holding it.
    fn get(
        &mut self,
        threads: usize,
        keep_up_to: usize,
        build: impl FnOnce(usize) -> Option<ThreadPool>,
    ) -> Option<Arc<ThreadPool>> {
        if let Some(at) = self.kept.iter().position(|(n, _)| *n == threads) {
            let entry = self.kept.remove(at);
            let pool = entry.1.clone();
            self.kept.push(entry);
            return Some(pool);
        }
        let pool = Arc::new(build(threads)?);
        if threads <= keep_up_to {
            if self.kept.len() >= KEPT_POOLS {
                self.kept.remove(0);
            }
            self.kept.push((threads, pool.clone()));
        }
        Some(pool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The thread counts of the kept pools.
    fn kept_pools() -> Vec<usize> {
        let pools = POOLS.lock().unwrap_or_else(|p| p.into_inner());
        pools.kept.iter().map(|(n, _)| *n).collect()
    }

    #[test]
    fn serial_work_stays_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let on = with_threads(3, || {
            let context = Context::ambient();
            assert_eq!(context.threads(), 3);
            let serial = std::thread::current().id();
            let section =
                context.in_pool(|_| (std::thread::current().id(), rayon::current_num_threads()));
            (serial, section)
        });
        assert_eq!(on.0, caller);
        assert_ne!(on.1 .0, caller);
        assert_eq!(on.1 .1, 3);
        // The choice ends with the closure.
        assert_eq!(Context::ambient().threads(), rayon::current_num_threads());
    }

    #[test]
    fn many_thread_counts_keep_few_pools_and_each_call_gets_its_count() {
        for n in 1..=40 {
            let (chosen, section) = with_threads(n, || {
                let context = Context::ambient();
                (
                    context.threads(),
                    context.in_pool(|_| rayon::current_num_threads()),
                )
            });
            assert_eq!((chosen, section), (n, n));
            let kept = kept_pools();
            assert!(kept.len() <= KEPT_POOLS, "{kept:?}");
            assert!(
                kept.iter().all(|&k| k <= available_parallelism()),
                "{kept:?}"
            );
        }
        // Nested choices restore the outer one.
        with_threads(1, || {
            with_threads(5, || assert_eq!(Context::ambient().threads(), 5));
            assert_eq!(Context::ambient().threads(), 1);
        });
    }

    #[test]
    fn an_evicted_pool_serves_its_callers_to_the_end() {
        let mut pools = Pools { kept: Vec::new() };
        let build = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok();
        let first = pools.get(1, 8, build).unwrap();
        // Reused while kept.
        assert!(Arc::ptr_eq(&first, &pools.get(1, 8, build).unwrap()));
        for n in 2..=KEPT_POOLS + 1 {
            pools.get(n, 8, build).unwrap();
        }
        let counts: Vec<usize> = pools.kept.iter().map(|(n, _)| *n).collect();
        assert_eq!(counts, (2..=KEPT_POOLS + 1).collect::<Vec<_>>());
        assert_eq!(Arc::strong_count(&first), 1);
        assert_eq!(first.install(rayon::current_num_threads), 1);
        // Beyond `keep_up_to`: built for the caller alone.
        let large = pools.get(9, 8, build).unwrap();
        assert_eq!(Arc::strong_count(&large), 1);
        assert_eq!(large.install(rayon::current_num_threads), 9);
        assert_eq!(pools.kept.len(), KEPT_POOLS);
    }
}
