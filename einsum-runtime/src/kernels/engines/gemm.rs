//! GEMM-class steps: C[batch, m, n] = sum_k A[batch, m, k] * B[batch, k, n],
//! where each of batch, m, n and k may be several labels (and ellipsis
//! axes), in any layout.
//!
//! The axes are classified by which arrays they stride (batch: all three;
//! m: A and C; n: B and C; k: A and B), each class's axes are fused into one
//! where their strides allow (the GETT idea: no transposing copies), and a
//! packed, blocked GEMM runs on each (batch, leftover-axes) slice. Axes that
//! cannot fuse stay as loops around the GEMM calls: leftover m and n axes
//! become batch loops, leftover k axes accumulate into the same output.

use super::choice::{self, Engine};
use super::cost::{gemm_efficiency, SCATTERED_STORE_FLOPS, STORE_K_BLOCK};
use super::dims::{fuse, Axis};
use super::groups::Groups;
use super::matvec::MatVec;
use super::small_gemm::small_gemms;
use super::SendPtr;
use crate::context::Context;
use crate::scale::Scale;
use crate::step::BinaryStep;
use crate::Element;
use rayon::prelude::*;

/// Below this many multiply-adds the generated loops beat the GEMM's
/// packing and dispatch.
pub(super) const MIN_GEMM_WORK: usize = 4096;

/// With at least this many independent GEMM calls, the calls run in
/// parallel, each on one thread; with fewer, each call uses every thread.
/// It depends on sizes only, so results do not depend on the thread count.
const MIN_PARALLEL_CALLS: usize = 8;

/// A single product whose output has at most this many elements is cut
/// along k when it is deep (see [`GemmPlan::with_k_slices`]): the gemm
/// crate shares a product among threads by blocks of its output, and an
/// output of few blocks leaves threads idle however deep the product is.
const SPLIT_K_MAX_OUTPUT: usize = 1 << 16;

/// The depth of one slice of a cut k axis, at least: deep enough that each
/// slice's product runs at full speed.
const K_SLICE_DEPTH: usize = 1024;

/// The most slices a k axis is cut into.
const MAX_K_SLICES: usize = 8;

/// One GEMM call, BLAS-like but with strides in elements for rows and
/// columns of each matrix: `dst = alpha * lhs * rhs + beta * dst`, with
/// `dst` read only when `scale` has a `beta`.
#[derive(Debug, Clone, Copy)]
pub struct GemmCall<T> {
    /// Rows of `dst` and `lhs`.
    pub m: usize,
    /// Columns of `dst` and `rhs`.
    pub n: usize,
    /// Columns of `lhs`, rows of `rhs`.
    pub k: usize,
    /// The output and its (row, column) strides.
    pub dst: (*mut T, isize, isize),
    /// How the product is stored: its factor, and the old values' (if
    /// they are read).
    pub scale: Scale<T>,
    /// The left matrix and its (row, column) strides.
    pub lhs: (*const T, isize, isize),
    /// The right matrix and its (row, column) strides.
    pub rhs: (*const T, isize, isize),
    /// How many threads of the call's pool it may use (1: it runs on the
    /// thread that calls it).
    pub threads: usize,
}

/// Runs a binary step over `labels` as GEMMs if it is GEMM-class at run
/// time (every axis is batch, m, n or k, there is a k axis and an m or n
/// axis, the work is not tiny, and `T` has a GEMM engine), on the engine
/// that `kernels::choose` picks; otherwise returns `false` without
/// touching the output.
///
/// ```
/// # use einsum_static::einsum;
/// // The macro calls this for matmul-like steps; users just write:
/// let a = ndarray::Array2::<f64>::ones((64, 32));
/// let c = einsum!("ij,kj->ik", &a, &a);
/// assert_eq!(c[[3, 5]], 32.0);
/// ```
pub fn gemm<T: Element, const NL: usize>(step: &BinaryStep<'_, '_, T, NL>) -> bool {
    let engine = choice::choose(step);
    let BinaryStep {
        context, a, b, out, ..
    } = *step;
    choice::record(&engine);
    if let (Engine::Gemm(plan), Some((ptr, len))) = (&*engine, out.whole()) {
        if plan.parallel_calls() {
            crate::pages::prefault(context, ptr, len * std::mem::size_of::<T>());
        }
    }
    // alpha and beta: every engine applies them where it stores.
    // SAFETY: the pointers and strides are the operands' and the output's,
    // as bound and checked by ShapeBinder.
    unsafe { run_engine(context, &engine, (a.ptr(), b.ptr(), out.ptr()), out.scale()) }
}

/// Runs `engine` on the arrays, storing as `scale` says (`None`:
/// plainly); `false` where it declines, without touching the output.
///
/// # Safety
/// The arrays with the strides of the groups the engine was planned from
/// address valid arrays, the output apart from the inputs.
pub(super) unsafe fn run_engine<T: Element>(
    context: &Context,
    engine: &Engine,
    pointers: (*const T, *const T, *mut T),
    scale: Option<Scale<T>>,
) -> bool {
    match engine {
        Engine::Loops(_) => return false,
        // SAFETY (both): the caller's contract.
        Engine::Packed(packed) => unsafe { packed.run(context, pointers, scale) },
        Engine::Scratch(scratch) => unsafe { scratch.run(context, pointers, scale) },
        Engine::SmallGemms(plan) => {
            let axes = [plan.m, plan.n, plan.k];
            small_gemms(context, &plan.outer, axes, pointers, scale)
        }
        Engine::MatrixVector(plan) => {
            let axes = [plan.m, plan.n, plan.k];
            let (a, b, out) = pointers;
            match MatVec::new(axes, a, b, out) {
                Some(product) => product.run(context, scale),
                None => return false,
            }
        }
        Engine::Gemm(plan) => plan.run(context, pointers, scale),
    }
    true
}

/// One GEMM per batch index: one m, n and k axis each, and the batch
/// axes around it.
struct Fused {
    m: Axis,
    n: Axis,
    k: Axis,
    batch: Vec<Axis>,
}

/// Runs `batch` products of contiguous row-major matrices, `out[p] =
/// a[p] · b[p]` (`m x k` by `k x n`), stored plainly, on the call's pool:
/// for engines that build such arrays themselves.
///
/// # Safety
/// `a`, `b` and `out` must hold `batch` such matrices each, one after the
/// other, and `out` must not overlap the others.
pub(crate) unsafe fn dense_gemms<T: Element>(
    context: &Context,
    batch: usize,
    [m, n, k]: [usize; 3],
    (a, b, out): (*const T, *const T, *mut T),
) {
    let (mi, ni, ki) = (m as isize, n as isize, k as isize);
    let fused = Fused {
        m: Axis {
            len: m,
            a: ki,
            b: 0,
            out: ni,
        },
        n: Axis {
            len: n,
            a: 0,
            b: 1,
            out: 1,
        },
        k: Axis {
            len: k,
            a: 1,
            b: ni,
            out: 0,
        },
        batch: vec![Axis {
            len: batch,
            a: mi * ki,
            b: ki * ni,
            out: mi * ni,
        }],
    };
    GemmPlan::fused(fused).run(context, (a, b, out), None);
}

/// Whether [`gemm()`] would take a GEMM-class step of this much work.
pub fn gemm_would_run<T: Element>(work: usize) -> bool {
    T::GEMM_ENGINE.is_some() && work >= MIN_GEMM_WORK
}

/// Whether products of `per_call` multiply-adds each go to the small-GEMM
/// engine (which still declines rows that are not contiguous); see
/// `ElementKernels::SMALL_GEMM_WORK` (`kernels/hooks.rs`).
pub(super) fn is_small_gemm<T: Element>(per_call: usize) -> bool {
    per_call < T::SMALL_GEMM_WORK.max(MIN_GEMM_WORK)
}

/// The step regrouped: one GEMM shape and the loops around it.
#[derive(Debug, Clone)]
pub(crate) struct GemmPlan {
    pub(super) m: Axis,
    pub(super) n: Axis,
    pub(super) k: Axis,
    /// Loops whose iterations write disjoint outputs: batch and leftover m, n.
    pub(super) outer: Vec<Axis>,
    /// Leftover k axes: their iterations add into the same output.
    pub(super) inner_k: Vec<Axis>,
    /// The slices the k axis of a single deep product is cut into, each
    /// multiplied on one thread and added in order (1: not cut).
    pub(super) k_slices: usize,
}

impl GemmPlan {
    /// The cheaper (by [`GemmPlan::cost`]) of two regroupings of `groups`:
    /// each group's largest fused run as the GEMM's dimension, or the run
    /// the output is densest along, which keeps each call's stores on
    /// contiguous lines when the largest runs would scatter them. A
    /// multiply-add takes `multiply_add_time` (see [`super::cost`]).
    pub(super) fn new(groups: Groups, multiply_add_time: f64) -> GemmPlan {
        let by_size = GemmPlan::with_runs(groups.clone(), Run::Largest);
        if !by_size.loops_over_m_or_n() {
            // Each of m and n fused into one run: there is no other choice.
            return by_size;
        }
        let by_output = GemmPlan::with_runs(groups, Run::DensestInOutput);
        if by_output.cost(multiply_add_time) < by_size.cost(multiply_add_time) {
            by_output
        } else {
            by_size
        }
    }

    /// One GEMM per batch index of `fused`, whose groups each fused.
    fn fused(fused: Fused) -> GemmPlan {
        GemmPlan {
            m: fused.m,
            n: fused.n,
            k: fused.k,
            outer: fused.batch,
            inner_k: Vec::new(),
            k_slices: 1,
        }
    }

    /// The plan that takes `run` of each of m and n (and the largest of k)
    /// as the GEMM's dimensions, looping over the rest.
    fn with_runs(groups: Groups, run: Run) -> GemmPlan {
        let Groups { batch, m, n, k } = groups;
        let mut outer = fuse(batch, |x| vec![x.out, x.a, x.b]);
        let (m, m_rest) = run.take(fuse(m, |x| vec![x.out, x.a]));
        let (n, n_rest) = run.take(fuse(n, |x| vec![x.out, x.b]));
        let (k, inner_k) = Run::Largest.take(fuse(k, |x| vec![x.a, x.b]));
        outer.extend(m_rest);
        outer.extend(n_rest);
        GemmPlan {
            m,
            n,
            k,
            outer,
            inner_k,
            k_slices: 1,
        }
    }

    /// The plan with the k axis of a single deep product with a small
    /// output cut into slices of at least [`K_SLICE_DEPTH`], as many as
    /// the scratch outputs of the later slices fit in `budget_bytes` (for
    /// elements of `element_bytes`). The slices depend on the sizes only,
    /// so every thread count gives the same result.
    pub(super) fn with_k_slices(mut self, element_bytes: usize, budget_bytes: usize) -> GemmPlan {
        let output = self.m.len * self.n.len;
        if self.calls() == 1 && self.inner_k.is_empty() && output <= SPLIT_K_MAX_OUTPUT {
            let scratch = budget_bytes / (output * element_bytes).max(1);
            let slices = (self.k.len / K_SLICE_DEPTH).min(MAX_K_SLICES);
            self.k_slices = slices.min(scratch.saturating_add(1)).max(1);
        }
        self
    }

    /// Whether some group did not fuse, so that the plan loops over GEMM
    /// calls (or repeats them over leftover k axes).
    pub(super) fn has_leftovers(&self) -> bool {
        self.loops_over_m_or_n() || !self.inner_k.is_empty()
    }

    /// Whether some m or n axis did not fuse into the GEMM's dimension.
    fn loops_over_m_or_n(&self) -> bool {
        // Batch axes stride both operands or neither; leftover m or n one.
        self.outer.iter().any(|x| (x.a == 0) != (x.b == 0))
    }

    /// What the plan costs, in f64 FLOPs at full GEMM speed (see
    /// [`super::cost`]): its GEMM calls, each as efficient as its smallest
    /// dimension allows, and their stores when neither of a call's output
    /// dimensions is contiguous (each store then has a cache line of its
    /// own), once per block of k and per leftover k index.
    pub(super) fn cost(&self, multiply_add_time: f64) -> f64 {
        let smallest = self.m.len.min(self.n.len).min(self.k.len) as f64;
        let repeats: usize = self.inner_k.iter().map(|x| x.len).product();
        let flops = 2.0 * (self.calls() * repeats) as f64 * self.per_call() as f64;
        let dense = [self.m, self.n]
            .iter()
            .any(|x| x.len == 1 || x.out.unsigned_abs() == 1);
        let stores = match dense {
            true => 0.0,
            false => {
                let passes = repeats * self.k.len.div_ceil(STORE_K_BLOCK);
                (self.calls() * self.m.len * self.n.len * passes) as f64
            }
        };
        flops * multiply_add_time / gemm_efficiency(smallest) + SCATTERED_STORE_FLOPS * stores
    }

    /// The multiply-adds of one GEMM call.
    pub(super) fn per_call(&self) -> usize {
        self.m.len * self.n.len * self.k.len
    }

    /// `3 GEMM calls of 64x64x32 (m x n x k), each repeated over 4 leftover
    /// k indices`.
    pub(super) fn describe(&self) -> String {
        let calls = self.calls();
        let (m, n, k) = (self.m.len, self.n.len, self.k.len);
        let plural = if calls == 1 { "" } else { "s" };
        let mut text = format!("{calls} product{plural} of {m}x{n}x{k} (m x n x k)");
        let repeats: usize = self.inner_k.iter().map(|x| x.len).product();
        if repeats > 1 {
            text += &format!(", each the sum of {repeats} over leftover k indices");
        }
        if self.k_slices > 1 {
            text += &format!(", k cut into {} slices added in order", self.k_slices);
        }
        text
    }

    /// Whether this is one matrix-vector product whose matrix is contiguous
    /// along k. Such a product reads each matrix element once: it is bound
    /// by memory, and dot products over the rows run it at full bandwidth
    /// on every core, where a GEMM call with one column does not.
    pub(super) fn is_matrix_vector(&self) -> bool {
        let (m, n, k) = (self.m, self.n, self.k);
        let matrix_vector = (n.len == 1 && k.a == 1) || (m.len == 1 && k.b == 1);
        matrix_vector && self.outer.is_empty() && self.inner_k.is_empty()
    }

    /// The number of GEMM calls (one per index of the outer loops).
    pub(super) fn calls(&self) -> usize {
        self.outer.iter().map(|x| x.len).product()
    }

    /// Whether the calls run in parallel, each on one thread.
    pub(super) fn parallel_calls(&self) -> bool {
        self.calls() >= MIN_PARALLEL_CALLS
    }

    /// Runs the calls on the call's pool, storing as `scale` says
    /// (`None`: plainly).
    fn run<T: Element>(
        &self,
        context: &Context,
        (a, b, out): (*const T, *const T, *mut T),
        scale: Option<Scale<T>>,
    ) {
        if self.k_slices > 1 {
            return self.run_k_slices(context, (a, b, out), scale);
        }
        let calls = self.calls();
        let parallel_calls = self.parallel_calls();
        // Each call on one thread, or each on all of them.
        let threads = if parallel_calls { 1 } else { context.threads() };
        let (a, b, out) = (SendPtr(a as *mut T), SendPtr(b as *mut T), SendPtr(out));
        // Parallel either way (across the calls, or inside each): on the
        // pool of the einsum. Once the call is cancelled, the calls not
        // started yet are skipped.
        context.in_pool(|stop| {
            let one_slice = |index: usize| {
                if stop.requested() {
                    return;
                }
                let (oa, ob, oo) = offsets(&self.outer, index);
                self.run_slice((a.at(oa), b.at(ob), out.at(oo)), scale, threads);
            };
            if parallel_calls {
                (0..calls).into_par_iter().for_each(one_slice);
            } else {
                (0..calls).for_each(one_slice);
            }
        });
    }

    /// The single product with its k axis cut into `k_slices` slices, each
    /// on one thread: the first stores into the output as `scale` says,
    /// the others into scratch outputs of their own, added into it in
    /// slice order (times alpha), so the sums do not depend on the threads.
    fn run_k_slices<T: Element>(
        &self,
        context: &Context,
        (a, b, out): (*const T, *const T, *mut T),
        scale: Option<Scale<T>>,
    ) {
        let (m, n, k) = (self.m, self.n, self.k);
        let depth = k.len.div_ceil(self.k_slices);
        let slices = k.len.div_ceil(depth);
        let mut scratch: Vec<Vec<T>> = (1..slices)
            .map(|_| vec![T::zero(); m.len * n.len])
            .collect();
        let parts: Vec<SendPtr<T>> = scratch
            .iter_mut()
            .map(|p| SendPtr(p.as_mut_ptr()))
            .collect();
        let (a, b, out) = (SendPtr(a as *mut T), SendPtr(b as *mut T), SendPtr(out));
        crate::schedule::par_each(context, slices, &|slice| {
            let k0 = (slice * depth) as isize;
            let (dst, store) = match slice {
                0 => ((out.at(0), m.out, n.out), Scale::of_part(scale, true)),
                _ => (
                    (parts[slice - 1].at(0), n.len as isize, 1),
                    Scale::of_part(None, true),
                ),
            };
            let call = GemmCall {
                m: m.len,
                n: n.len,
                k: depth.min(k.len - slice * depth),
                dst,
                scale: store,
                lhs: (a.at(k0 * k.a) as *const T, m.a, k.a),
                rhs: (b.at(k0 * k.b) as *const T, k.b, n.b),
                threads: 1,
            };
            // SAFETY: the slice's offsets along k stay below k's length,
            // the rest as in `run_slice`; each slice writes its own output
            // (the call's, or its scratch of m x n).
            unsafe { T::gemm(&call) };
        });
        if context.cancelled() {
            // Slices may have been skipped: the output is partial anyway.
            return;
        }
        crate::schedule::run_rows(context, m.len, n.len * parts.len(), |i| {
            for part in &scratch {
                for j in 0..n.len as isize {
                    let value = part[i as usize * n.len + j as usize];
                    // SAFETY: i and j are below m's and n's lengths; each
                    // task writes its own rows of the output.
                    unsafe {
                        let at = out.at(i * m.out + j * n.out);
                        *at = Scale::add_part(scale, *at, value);
                    }
                }
            }
        });
    }

    /// One output slice: the GEMM, repeated over the leftover k axes.
    fn run_slice<T: Element>(
        &self,
        (a, b, out): (*mut T, *mut T, *mut T),
        scale: Option<Scale<T>>,
        threads: usize,
    ) {
        let repeats: usize = self.inner_k.iter().map(|x| x.len).product();
        for index in 0..repeats {
            let (oa, ob, _) = offsets(&self.inner_k, index);
            let call = GemmCall {
                m: self.m.len,
                n: self.n.len,
                k: self.k.len,
                dst: (out, self.m.out, self.n.out),
                scale: Scale::of_part(scale, index == 0),
                lhs: (a.wrapping_offset(oa) as *const T, self.m.a, self.k.a),
                rhs: (b.wrapping_offset(ob) as *const T, self.k.b, self.n.b),
                threads,
            };
            // SAFETY: every offset is an index below an axis length times
            // that axis' stride, as bound and checked by ShapeBinder; the
            // slices of distinct `outer` indices are disjoint in the output.
            unsafe { T::gemm(&call) };
        }
    }
}

/// The offsets into A, B and the output of the `index`-th point of the
/// loops over `axes` (the last axis varying fastest).
pub(super) fn offsets(axes: &[Axis], index: usize) -> (isize, isize, isize) {
    if let [axis] = axes {
        // The usual case (the batch axes fused into one): no divisions.
        let i = index as isize;
        return (i * axis.a, i * axis.b, i * axis.out);
    }
    let (mut oa, mut ob, mut oo) = (0, 0, 0);
    let mut rest = index;
    for axis in axes.iter().rev() {
        let i = (rest % axis.len) as isize;
        rest /= axis.len;
        oa += i * axis.a;
        ob += i * axis.b;
        oo += i * axis.out;
    }
    (oa, ob, oo)
}

/// Which fused run of a group becomes the GEMM's dimension.
#[derive(Clone, Copy)]
enum Run {
    /// The longest.
    Largest,
    /// The one with the smallest output stride.
    DensestInOutput,
}

impl Run {
    /// The chosen run (a unit axis for an empty group) and the others (loops).
    fn take(self, mut axes: Vec<Axis>) -> (Axis, Vec<Axis>) {
        let chosen = match self {
            Run::Largest => axes.iter().enumerate().max_by_key(|(_, x)| x.len),
            Run::DensestInOutput => axes
                .iter()
                .enumerate()
                .min_by_key(|(_, x)| x.out.unsigned_abs()),
        };
        match chosen.map(|(i, _)| i) {
            Some(i) => {
                let main = axes.remove(i);
                (main, axes)
            }
            None => (Axis::UNIT, axes),
        }
    }
}

/// The kernel of one of the `gemm` family's per-type crates (`gemm-f64`,
/// `gemm-c32`, ...), each behind its own dependency so that a build without
/// the `complex` feature compiles no complex kernels.
pub(crate) type GemmKernel<T> = unsafe fn(
    usize,
    usize,
    usize,
    *mut T,
    isize,
    isize,
    bool,
    *const T,
    isize,
    isize,
    *const T,
    isize,
    isize,
    T,
    T,
    bool,
    bool,
    bool,
    gemm_common::Parallelism,
);

/// Runs `call` on `kernel`, one of the `gemm` family's.
///
/// # Safety
/// The pointers and strides of `call` must describe valid matrices.
pub(crate) unsafe fn gemm_crate<T: Element>(kernel: GemmKernel<T>, call: &GemmCall<T>) {
    let call = column_major(call);
    let parallelism = if call.threads > 1 {
        gemm_common::Parallelism::Rayon(call.threads)
    } else {
        gemm_common::Parallelism::None
    };
    // gemm computes dst = alpha * dst + beta * lhs * rhs (alpha and beta
    // swapped with respect to BLAS), reading dst only when asked to.
    let old = call.scale.old_factor();
    unsafe {
        kernel(
            call.m,
            call.n,
            call.k,
            call.dst.0,
            call.dst.2,
            call.dst.1,
            old.is_some(),
            call.lhs.0,
            call.lhs.2,
            call.lhs.1,
            call.rhs.0,
            call.rhs.2,
            call.rhs.1,
            old.unwrap_or_else(T::one),
            call.scale.factor(),
            false,
            false,
            false,
            parallelism,
        )
    }
}

/// The same product as the per-type kernels of the `gemm` family run it
/// fastest: an output whose columns are its shorter stride (else the
/// transposed product, `dst^T = rhs^T lhs^T`), and no negative stride
/// along m, n or k (each walked from its other end instead). The `gemm`
/// crate's own entry point does this before it calls them; a row-major
/// output given to them as it is ran at two thirds of the speed (f64) or
/// half (f32).
fn column_major<T: Copy>(call: &GemmCall<T>) -> GemmCall<T> {
    let mut c = if call.dst.2.unsigned_abs() < call.dst.1.unsigned_abs() {
        let swap = |(p, rs, cs): (*const T, isize, isize)| (p, cs, rs);
        GemmCall {
            m: call.n,
            n: call.m,
            dst: (call.dst.0, call.dst.2, call.dst.1),
            lhs: swap(call.rhs),
            rhs: swap(call.lhs),
            ..*call
        }
    } else {
        *call
    };
    // Rows from the last: dst's and lhs's; columns: dst's and rhs's; k:
    // lhs's columns and rhs's rows.
    if c.dst.1 < 0 && c.m > 0 {
        c.dst = from_last(c.dst, c.m, ROWS);
        c.lhs = from_last(c.lhs, c.m, ROWS);
    }
    if c.dst.2 < 0 && c.n > 0 {
        c.dst = from_last(c.dst, c.n, COLUMNS);
        c.rhs = from_last(c.rhs, c.n, COLUMNS);
    }
    if c.lhs.2 < 0 && c.k > 0 {
        c.lhs = from_last(c.lhs, c.k, COLUMNS);
        c.rhs = from_last(c.rhs, c.k, ROWS);
    }
    c
}

/// Which axis of a matrix [`from_last`] walks back.
const ROWS: bool = true;
const COLUMNS: bool = false;

/// The matrix `(pointer, row stride, column stride)` with its rows (or
/// columns), `len` of them, walked from the last: the pointer moved to the
/// last one and that stride negated.
fn from_last<P: Pointer>(
    (ptr, rs, cs): (P, isize, isize),
    len: usize,
    rows: bool,
) -> (P, isize, isize) {
    let last = (len.max(1) - 1) as isize;
    match rows {
        true => (ptr.offset_by(last * rs), -rs, cs),
        false => (ptr.offset_by(last * cs), rs, -cs),
    }
}

/// The raw pointers of [`GemmCall`]'s matrices, moved by a count of
/// elements that may leave the allocation only with the walk it belongs to.
trait Pointer: Copy {
    fn offset_by(self, count: isize) -> Self;
}

impl<T> Pointer for *const T {
    fn offset_by(self, count: isize) -> Self {
        self.wrapping_offset(count)
    }
}

impl<T> Pointer for *mut T {
    fn offset_by(self, count: isize) -> Self {
        self.wrapping_offset(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The groups of TCCG's `aged,cbfg->...` (12 per label) in C order,
    /// with the output's strides `out` (of f, e, d, c, b, a).
    fn aged_cbfg(out: [isize; 6]) -> Groups {
        let [f, e, d, c, b, a] = out;
        let axis = |a_stride, b_stride, out| Axis {
            len: 12,
            a: a_stride,
            b: b_stride,
            out,
        };
        Groups {
            batch: Vec::new(),
            m: vec![axis(1728, 0, a), axis(12, 0, e), axis(1, 0, d)],
            n: vec![axis(0, 1728, c), axis(0, 144, b), axis(0, 12, f)],
            k: vec![axis(144, 1, 0)],
        }
    }

    /// When the largest runs of m and n would scatter each call's stores
    /// (`->fedcba`: (e, d) and (c, b) are strided in the output), the
    /// calls take the runs the output is dense along instead; where the
    /// largest runs are dense in the output (`->aedcbf`), they stay.
    #[test]
    fn calls_store_along_the_output() {
        let p = |i: u32| 12isize.pow(i);
        let scattered = GemmPlan::new(aged_cbfg([p(5), p(4), p(3), p(2), p(1), 1]), 1.0);
        let text = scattered.describe();
        assert!(text.starts_with("1728 products of 12x144x12"), "{text}");
        let dense = GemmPlan::new(aged_cbfg([1, p(4), p(3), p(2), p(1), p(5)]), 1.0);
        let text = dense.describe();
        assert!(text.starts_with("12 products of 144x1728x12"), "{text}");
    }
}
