//! The cost model by which `choice` picks among the engines of a
//! GEMM-class step: each engine's time in FLOPs of an f64 GEMM at full
//! speed. The constants were fitted on the TCCG cases of the benchmark
//! (`cargo bench --bench einsum -- tccg`, PERFORMANCE.md). Other element
//! types' products are weighed by their kernels' time per multiply-add
//! (`ElementKernels::MULTIPLY_ADD_TIME`); their packing and stores, bound
//! by latency more than by bytes, cost what f64's do.

/// How well a GEMM runs with `smallest` as its smallest dimension, as a
/// fraction of its best: packing and the micro-kernel's edges cost about
/// as much as 48 more rows would.
pub(super) fn gemm_efficiency(smallest: f64) -> f64 {
    smallest / (smallest + 48.0)
}

/// How well the packed engine's kernel runs over `depth` steps of k, as
/// a fraction of its speed on a deep k: each tile's sums are set and
/// saved once, which costs about as much as four more steps (the kernel
/// alone ran at three quarters of its speed at k = 12 on
/// `dega,gfbc->abcdef`).
pub(super) fn depth_efficiency(depth: f64) -> f64 {
    depth / (depth + 4.0)
}

/// What moving one element into a packed panel costs: a strided read
/// and a write into a cache-resident buffer.
pub(super) const PACK_FLOPS_PER_ELEMENT: f64 = 32.0;

/// What a store costs that has a cache line of its own: a GEMM whose
/// output is contiguous along neither of its dimensions writes each line
/// once per element instead of once per eight.
pub(super) const SCATTERED_STORE_FLOPS: f64 = 128.0;

/// The depth of k over which a GEMM keeps its output tile in registers
/// (the gemm crate's blocks are of this order), so that its output is
/// stored once per this much of k.
pub(super) const STORE_K_BLOCK: usize = 256;

/// What moving one element into a packed panel costs where the packing
/// gathers across pages (see `Packed::gather_cost`): a cache line read
/// for one element, as a scattered store writes one, and a page walk.
pub(super) const GATHERED_PACK_FLOPS: f64 = 128.0;

/// What moving one element into a packed panel costs where the packing
/// gathers within pages: a cache line read for one element.
pub(super) const GATHERED_IN_PAGE_FLOPS: f64 = 64.0;

/// What copying one element from a scratch array into the output costs
/// (`permute`): as much as a scattered store, since one of the two
/// arrays is always read or written across its lines.
pub(super) const PERMUTE_FLOPS_PER_ELEMENT: f64 = 128.0;
