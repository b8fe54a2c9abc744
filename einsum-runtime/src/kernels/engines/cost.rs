//! The cost model by which `choice` picks among the engines of a
//! GEMM-class step: each engine's time in FLOPs of a GEMM at full speed.
//! The constants were fitted on the TCCG cases of the benchmark (README,
//! "transpose-then-GEMM"): `cargo bench --bench einsum -- tccg`.

/// How well a GEMM runs with `smallest` as its smallest dimension, as a
/// fraction of its best: packing and the micro-kernel's edges cost about
/// as much as 48 more rows would.
pub(super) fn gemm_efficiency(smallest: f64) -> f64 {
    smallest / (smallest + 48.0)
}

/// What moving one element in a copy costs: a strided read and a write.
pub(super) const COPY_FLOPS_PER_ELEMENT: f64 = 32.0;

/// What a store costs that has a cache line of its own: a GEMM whose
/// output is contiguous along neither of its dimensions writes each line
/// once per element instead of once per eight.
pub(super) const SCATTERED_STORE_FLOPS: f64 = 128.0;

/// The depth of k over which a GEMM keeps its output tile in registers
/// (the gemm crate's blocks are of this order), so that its output is
/// stored once per this much of k.
pub(super) const STORE_K_BLOCK: usize = 256;
