//! The memory budget, measured: a counting global allocator records the
//! peak of live heap bytes while an einsum runs, and the temporaries it
//! makes must stay under the `memory_limit` option. Also: allocation
//! failures come back from `try_einsum!` as errors, not aborts.

use einsum_static::{einsum, explain, try_einsum, EinsumError};
use ndarray::{Array, Array1, Array2, Array3, Dimension};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; the
// counters are only arithmetic on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        counted(unsafe { System.alloc(layout) }, layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        counted(unsafe { System.alloc_zeroed(layout) }, layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), SeqCst);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Adds a successful allocation to the live bytes and their peak.
fn counted(ptr: *mut u8, layout: Layout) -> *mut u8 {
    if !ptr.is_null() {
        let live = LIVE.fetch_add(layout.size(), SeqCst) + layout.size();
        PEAK.fetch_max(live, SeqCst);
    }
    ptr
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The counters are process-wide: each test holds this for its whole run,
/// so that no other test allocates during a measurement.
static ONE_TEST_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_TEST_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The result of `f` and the most heap bytes it had live at once beyond
/// what was live when it started.
fn peak_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = LIVE.load(SeqCst);
    PEAK.store(before, SeqCst);
    let result = f();
    (result, PEAK.load(SeqCst) - before)
}

/// The GEMM engine's packing buffers, which the budget does not cover:
/// the gemm crate keeps an L2-sized buffer per thread for the thread's life
/// (allocated on its first GEMM: the tests warm up first) and packs panels
/// bounded by the cache sizes per call, whatever the problem's size. On
/// a 2-core AVX-512 machine a 300x300x300 call packed 0.77 MB and 2048^3
/// nothing beyond the per-thread buffers; on a 2-core AMD EPYC with AVX2
/// only (512 KiB of L2, 32 MiB of L3), the 20x600x600 steps of
/// `summed_label_slices_add_up` packed 1.4 MB. (The integer engine packs
/// at most 320 KiB per thread per call; these tests use f64.)
const ENGINE_PACKING: usize = 2 << 20;

/// One GEMM-class einsum on every thread of the pool, so that each has its
/// packing buffer before a measurement starts.
fn warm_up_the_engine() {
    let a = Array2::<f64>::ones((256, 256));
    for _ in 0..4 * rayon::current_num_threads() {
        let _ = einsum!("ij,jk->ik", &a, &a; threads = 1);
        rayon::broadcast(|_| einsum!("ij,jk->ik", &a, &a; threads = 1));
    }
}

fn bytes_of<A, D: Dimension>(array: &Array<A, D>) -> usize {
    array.len() * std::mem::size_of::<A>()
}

/// Small integers as f64, so that every order of summation is exact and
/// sliced and whole runs can be compared for equality.
fn exact<D: Dimension>(shape: impl ndarray::ShapeBuilder<Dim = D>, seed: usize) -> Array<f64, D> {
    let mut k = seed;
    Array::from_shape_simple_fn(shape, || {
        k = (k * 1_103_515_245 + 12_345) % (1 << 31);
        (k % 7) as f64 - 3.0
    })
}

#[test]
fn output_label_slices_keep_the_intermediates_under_the_limit() {
    let _alone = alone();
    // Every order makes an i x (two of a, b, c) intermediate: 2000 x 1600
    // f64, 25.6 MB. With a 2 MiB limit, i is cut into slices.
    let (n, m) = (2000, 40);
    let (x, y, z) = (exact((n, m), 1), exact((n, m), 2), exact((n, m), 3));
    let core: Array3<f64> = exact((m, m, m), 4);
    let whole = einsum!("ia,ib,ic,abc->i", &x, &y, &z, &core);
    warm_up_the_engine();
    let limit = 2 << 20;
    let plan = explain!("ia,ib,ic,abc->i", &x, &y, &z, &core; memory_limit = limit).unwrap();
    assert_eq!(plan.sliced().len(), 1, "{plan}");
    assert_eq!(plan.sliced()[0].0, 'i', "{plan}");
    let (sliced, peak) =
        peak_during(|| einsum!("ia,ib,ic,abc->i", &x, &y, &z, &core; memory_limit = limit));
    assert_eq!(sliced, whole);
    // The output is what the caller asked for, not a temporary.
    assert!(
        peak <= limit + bytes_of(&whole) + ENGINE_PACKING,
        "peak {peak} bytes over a limit of {limit}\n{plan}"
    );
    // And without the option the intermediate is allocated whole.
    let (_, unlimited) = peak_during(|| einsum!("ia,ib,ic,abc->i", &x, &y, &z, &core));
    assert!(unlimited > 20 << 20, "{unlimited}");
}

#[test]
fn summed_label_slices_add_up() {
    let _alone = alone();
    // A ring trace: every intermediate is n x n and every label is summed,
    // so the slices are added into the (scalar) result.
    let n = 600;
    let mats: Vec<Array2<f64>> = (0..4).map(|k| exact((n, n), 10 + k)).collect();
    let whole = einsum!("ab,bc,cd,da->", &mats[0], &mats[1], &mats[2], &mats[3]);
    warm_up_the_engine();
    let limit = 200_000;
    let plan =
        explain!("ab,bc,cd,da->", &mats[0], &mats[1], &mats[2], &mats[3]; memory_limit = limit)
            .unwrap();
    assert!(!plan.sliced().is_empty(), "{plan}");
    let (sliced, peak) = peak_during(
        || einsum!("ab,bc,cd,da->", &mats[0], &mats[1], &mats[2], &mats[3]; memory_limit = limit),
    );
    assert_eq!(sliced, whole);
    assert!(
        peak <= limit + ENGINE_PACKING,
        "peak {peak} bytes over a limit of {limit}\n{plan}"
    );
    let (_, unlimited) =
        peak_during(|| einsum!("ab,bc,cd,da->", &mats[0], &mats[1], &mats[2], &mats[3]));
    assert!(unlimited > 2 * n * n * 8, "{unlimited}");
}

#[test]
fn mixed_slices_write_and_add() {
    let _alone = alone();
    // Output label i and summed label b both cut, on a transposed and a
    // reversed operand: the slices' offsets must follow the strides.
    let (n, m) = (120, 90);
    let a = exact((m, n), 20);
    let b = exact((m, m), 21);
    let c = exact((m, n), 22);
    let d = exact((n,), 23);
    let reversed = c.slice(ndarray::s![.., ..;-1]);
    let whole = einsum!("ai,ab,bj,j->i", &a, &b, &reversed, &d);
    for limit in [8_000, 30_000, 100_000] {
        let sliced = einsum!("ai,ab,bj,j->i", &a, &b, &reversed, &d; memory_limit = limit);
        assert_eq!(sliced, whole, "limit {limit}");
        let t = a.t();
        let from_transposed = einsum!("ia,ab,bj,j->i", &t, &b, &reversed, &d; memory_limit = limit);
        assert_eq!(from_transposed, whole, "limit {limit}");
    }
}

#[test]
fn a_limit_below_one_slice_still_computes() {
    let _alone = alone();
    let a = exact((64, 64), 30);
    let whole = einsum!("ij,jk,kl->il", &a, &a, &a);
    let tiny = einsum!("ij,jk,kl->il", &a, &a, &a; memory_limit = 1);
    assert_eq!(tiny, whole);
}

#[test]
fn an_output_too_large_for_memory_is_an_error() {
    let _alone = alone();
    // 2^22 x 2^22 f64 is 128 TiB: no allocator on this machine has it.
    let one = Array1::<f64>::ones(1);
    let long = one.broadcast(1 << 22).unwrap();
    let err = try_einsum!("i,j->ij", &long, &long).unwrap_err();
    assert_eq!(err, EinsumError::AllocationFailed { bytes: 8 << 44 });
    assert!(err.to_string().contains("could not allocate"), "{err}");
}

#[test]
fn sizes_that_overflow_are_an_error() {
    let _alone = alone();
    let one = Array1::<f64>::ones(1);
    let long = one.broadcast(1 << 40).unwrap();
    let err = try_einsum!("i,j->ij", &long, &long).unwrap_err();
    assert!(matches!(err, EinsumError::SizeOverflow { .. }), "{err}");
}
