//! The transpose-free engine (TBLIS's design): GEMM-class steps whose
//! label groups do not fuse, at GEMM speed, without copying any array
//! whole.
//!
//! Each group (m, n, k) is flattened into offset tables (`tables`), so a
//! group never needs to fuse into one stride. The packing that any fast
//! GEMM does anyway reads A's and B's panels straight through the tables
//! (`pack`), a register-tiled micro-kernel multiplies them (`kernels`),
//! and each tile is stored through the output's tables, a whole tile row
//! at a time where the output is contiguous along the tile's rows. The
//! loops around the kernel, their block sizes and their tasks are in
//! `drive` and `blocking`; `ahead` fetches a column task's next group of
//! B while the kernel works.
//!
//! The tile's rows run along n; when the output's shortest stride is in
//! m instead, A and B trade places (`C^T = B^T A^T`), so that stores stay
//! contiguous, unless the padded tiles would then waste more than half
//! of their work (a narrow output).

mod ahead;
mod blocking;
mod call;
#[cfg(feature = "complex")]
mod complex;
mod drive;
mod kernels;
mod pack;

pub(super) use self::ahead::hint;
pub(crate) use self::call::gemm_call;
#[cfg(feature = "complex")]
pub(crate) use self::complex::{c32_kernel, c64_kernel};
pub(crate) use self::kernels::{f32_kernel, f64_kernel, i32_kernel, i64_kernel, MicroKernel};

use self::blocking::Blocking;
use self::drive::{few_rows, Job};
use super::cost::{
    depth_efficiency, GATHERED_IN_PAGE_FLOPS, GATHERED_PACK_FLOPS, PACK_FLOPS_PER_ELEMENT,
    SCATTERED_STORE_FLOPS,
};
use super::dims::Axis;
use super::groups::Groups;
use super::tables::{largest_stride_first, Table};
use super::SendPtr;
use crate::context::Context;
use crate::scale::Scale;
use crate::Element;

/// The bytes of a cache line, over which a run of stores is shared.
const CACHE_LINE: usize = 64;

/// The bytes of a page, which a gathered read may cost a walk for.
const PAGE: usize = 4096;

/// The step as tables for the packed kernel; see the module's docs.
#[derive(Debug, Clone)]
pub(crate) struct Packed {
    /// Tables of m in (A, out), n in (B, out), k in (A, B), in the plan's
    /// roles (A and B swapped when `swapped`).
    m: Table,
    n: Table,
    k: Table,
    batch: Vec<Axis>,
    swapped: bool,
    /// The kernel's name, for `explain!`.
    kernel: &'static str,
    /// The kernel's tile: rows and columns.
    tile: (usize, usize),
    blocks: Blocking,
    element_bytes: usize,
}

impl Packed {
    /// The plan for the step of `groups`, when the element type has a
    /// packed kernel on this CPU.
    pub(super) fn new<T: Element>(groups: &Groups) -> Option<Packed> {
        T::packed_kernel().map(|kernel| Packed::with_kernel(groups, &kernel))
    }

    /// The plan for the step of `groups` on `kernel`.
    fn with_kernel<T: Element>(groups: &Groups, kernel: &MicroKernel<T>) -> Packed {
        let shortest = |axes: &[Axis]| axes.iter().map(|x| x.out.unsigned_abs()).min();
        let by_stride = match (shortest(&groups.m), shortest(&groups.n)) {
            (Some(m), Some(n)) => m < n,
            (m, _) => m.is_some(),
        };
        // Unless the tiles' padding wastes far more that way (a narrow
        // output): the share of each padded tile that is real.
        let (straight, flipped) = groups.tile_use(kernel.mr, kernel.nr);
        let swapped = match by_stride {
            false => flipped > 2.0 * straight,
            true => straight <= 2.0 * flipped,
        };
        let groups = if swapped {
            groups.swapped()
        } else {
            groups.clone()
        };
        let Groups { batch, m, n, k } = groups;
        // n along the output (stores), k along A, and m along A (its
        // packing reads A once per block of columns, B once), unless the
        // output is stored more often than A is read: then m along the
        // output too, so that a tile's rows continue each other's runs.
        let (columns, depth) = (Axis::indices(&n), Axis::indices(&k));
        let tile = (kernel.mr, kernel.nr);
        let blocks = Blocking::new(size_of::<T>(), tile, kernel.depth_bytes, depth);
        let stores = columns * depth.div_ceil(blocks.kc);
        let m_order: fn(&Axis) -> isize = match stores > depth * columns.div_ceil(blocks.nc) {
            true => |x| x.out,
            false => |x| x.a,
        };
        Packed {
            m: Table::new(&largest_stride_first(&m, m_order), |x| (x.a, x.out)),
            n: Table::new(&n_order(&n), |x| (x.b, x.out)),
            k: Table::new(&largest_stride_first(&k, |x| x.a), |x| (x.a, x.b)),
            batch,
            swapped,
            kernel: kernel.name,
            tile,
            blocks,
            element_bytes: size_of::<T>(),
        }
    }

    /// The bytes of its offset tables.
    pub(super) fn plan_bytes(&self) -> usize {
        let offsets = [&self.m, &self.n, &self.k]
            .iter()
            .map(|t| 2 * t.len())
            .sum::<usize>();
        offsets * size_of::<isize>()
    }

    /// The number of products (batch indices).
    fn batches(&self) -> usize {
        Axis::indices(&self.batch)
    }

    /// The fewest consecutive elements the output's tile rows run over
    /// before a jump (n itself when none).
    fn store_run(&self) -> usize {
        let offsets = &self.n.offsets[1];
        let jumps = offsets
            .windows(2)
            .enumerate()
            .filter(|(_, pair)| pair[1] - pair[0] != 1);
        let mut run_start = 0;
        let mut shortest = offsets.len();
        for (before, _) in jumps {
            shortest = shortest.min(before + 1 - run_start);
            run_start = before + 1;
        }
        shortest.min(offsets.len() - run_start)
    }

    /// What the step costs this way, in f64 FLOPs at full GEMM speed (see
    /// [`super::cost`]): the products on the padded tiles (less for a
    /// short k, where each tile's sums are loaded and saved for few
    /// steps), a strided read per packed element (A once per block of
    /// columns, or once where the columns are the tasks; B once; the
    /// panels stay in cache), and a scattered store per cache line that a
    /// tile stores, per slice of k, where the output is not contiguous
    /// along the tile's rows. Packing is the engine's only overhead per
    /// element, so the products are not weighed by the looped calls'
    /// `gemm_efficiency`.
    pub(super) fn cost(&self, multiply_add_time: f64) -> f64 {
        let batch = self.batches() as f64;
        let (m, n, k) = (self.m.len(), self.n.len(), self.k.len());
        let padded = m.next_multiple_of(self.tile.0) * n.next_multiple_of(self.tile.1);
        let flops = 2.0 * batch * padded as f64 * k as f64;
        let (a_packed, b_packed) = self.packed_elements();
        let packed = a_packed + b_packed;
        flops * multiply_add_time / depth_efficiency(k as f64)
            + PACK_FLOPS_PER_ELEMENT * packed
            + self.store_cost()
    }

    /// The part of [`Packed::cost`] that is the scattered stores.
    pub(super) fn store_cost(&self) -> f64 {
        let (m, n, k) = (self.m.len(), self.n.len(), self.k.len());
        let run = self.store_run();
        if run == n {
            return 0.0;
        }
        let slices = k.div_ceil(self.blocks.kc);
        let stores = self.batches() as f64 * (m * n * slices) as f64 / self.stored_per_line(run);
        SCATTERED_STORE_FLOPS * stores
    }

    /// The elements that packing moves: A's (once per block of columns,
    /// or once where the columns are the tasks) and B's (once).
    fn packed_elements(&self) -> (f64, f64) {
        let batch = self.batches() as f64;
        let (m, n, k) = (self.m.len(), self.n.len(), self.k.len());
        let a_packings = match few_rows(m, self.blocks.mc) {
            true => 1,
            false => n.div_ceil(self.blocks.nc),
        };
        (batch * (m * k * a_packings) as f64, batch * (k * n) as f64)
    }

    /// What gathered packing costs beyond what [`Packed::cost`] prices
    /// (which is every packed element as if read in runs): the packing of
    /// A or B that reads neither runs of adjacent lines nor along a
    /// contiguous depth reads a cache line per element, and a page too
    /// where a step of the depth is a page long (see `scratch`, which
    /// weighs this against a copy).
    pub(super) fn gather_cost(&self) -> f64 {
        let (a_packed, b_packed) = self.packed_elements();
        let bytes = self.element_bytes;
        let a = gather_price(&self.m.offsets[0], &self.k.offsets[0], bytes);
        let b = gather_price(&self.n.offsets[0], &self.k.offsets[1], bytes);
        a * a_packed + b * b_packed
    }

    /// How many of a tile's elements each cache line that it stores holds,
    /// for tile rows in runs of `run`, with the runs of the next rows that
    /// continue a run.
    fn stored_per_line(&self, run: usize) -> f64 {
        let continued = self.m.offsets[1]
            .windows(2)
            .take_while(|rows| rows[1] - rows[0] == run as isize)
            .count();
        let elements = run * (continued + 1).min(self.tile.0);
        let bytes = elements * self.element_bytes;
        elements as f64 / bytes.div_ceil(CACHE_LINE) as f64
    }

    /// The sizes, the kernel and the blocks, for `explain!`.
    pub(super) fn describe(&self) -> String {
        let (m, n, k) = (self.m.len(), self.n.len(), self.k.len());
        let Blocking { kc, mc, nc } = self.blocks;
        let name = self.kernel;
        let batches = self.batches();
        let products = if batches > 1 {
            format!("{batches} products of ")
        } else {
            String::new()
        };
        let blocks = match few_rows(m, mc) {
            true => format!("A whole per slice of {kc}, n cut into tasks packing B by groups"),
            false => format!("blocks of {}x{kc} and {kc}x{}", mc.min(m), nc.min(n)),
        };
        format!(
            "{products}{m}x{n}x{k} (m x n x k); A and B packed from offset tables, {blocks}{}, \
            {name} micro-kernel, tiles stored {}",
            if self.swapped {
                " (A and B swapped)"
            } else {
                ""
            },
            match self.store_run() {
                run if run == n => "row by row".to_string(),
                1 => "element by element".to_string(),
                run => format!("in runs of {run}"),
            },
        )
    }

    /// Runs the step, storing as `scale` says (`None`: plainly).
    ///
    /// # Safety
    /// `a`, `b` and `out` with the strides of the groups this plan was
    /// made from must address valid arrays (as bound and checked by
    /// `ShapeBinder`), `out` not overlapping the inputs.
    pub(super) unsafe fn run<T: Element>(
        &self,
        context: &Context,
        pointers: (*const T, *const T, *mut T),
        scale: Option<Scale<T>>,
    ) {
        let kernel = T::packed_kernel().expect("the plan was made for a packed kernel");
        // SAFETY: forwarded.
        unsafe { self.run_with(&kernel, context, context.threads(), pointers, scale) }
    }

    /// [`Packed::run`] with a given kernel, on at most `threads` threads.
    ///
    /// # Safety
    /// As for [`Packed::run`]; the CPU has the kernel's features.
    unsafe fn run_with<T: Element>(
        &self,
        kernel: &MicroKernel<T>,
        context: &Context,
        threads: usize,
        (a, b, out): (*const T, *const T, *mut T),
        scale: Option<Scale<T>>,
    ) {
        let (a, b) = if self.swapped { (b, a) } else { (a, b) };
        let job = Job {
            plan: self,
            arrays: (SendPtr(a as *mut T), SendPtr(b as *mut T), SendPtr(out)),
            scale,
            context,
            threads,
        };
        // SAFETY: forwarded; the kernel's driver is built for its tile.
        unsafe { (kernel.drive)(&job, kernel.kernel) }
    }
}

/// The order of n: the output's (the tiles' stores run along n), unless
/// B's order with the output's shortest stride innermost stores runs as
/// long: then that, so that packing B reads along its memory.
fn n_order(n: &[Axis]) -> Vec<Axis> {
    let by_output = largest_stride_first(n, |x| x.out);
    let mut by_b = largest_stride_first(n, |x| x.b);
    if let Some(inner) = (0..by_b.len()).min_by_key(|&i| by_b[i].out.unsigned_abs()) {
        let axis = by_b.remove(inner);
        by_b.push(axis);
    }
    match output_run(&by_b) >= output_run(&by_output) {
        true => by_b,
        false => by_output,
    }
}

/// What packing an element of `lines` over `depth` (offsets in one
/// array of elements of `bytes`) costs beyond an element read in runs:
/// nothing where the lines are mostly adjacent or the depth's first step
/// is, else a cache line read for the element (and a page where the step
/// is a page long).
fn gather_price(lines: &[isize], depth: &[isize], bytes: usize) -> f64 {
    let jumps = lines.windows(2).filter(|l| l[1] != l[0] + 1).count();
    let step = match depth {
        [first, second, ..] => (second - first).unsigned_abs(),
        _ => 0,
    };
    if (jumps + 1) * pack::LONG_RUN <= lines.len() || step == 1 {
        return 0.0;
    }
    let price = match step * bytes >= PAGE {
        true => GATHERED_PACK_FLOPS,
        false => GATHERED_IN_PAGE_FLOPS,
    };
    price - PACK_FLOPS_PER_ELEMENT
}

/// How many consecutive output elements `axes` (outermost first) run over
/// before a jump.
fn output_run(axes: &[Axis]) -> usize {
    let mut run = 1;
    for axis in axes.iter().rev() {
        if axis.out != run as isize {
            break;
        }
        run *= axis.len;
    }
    run
}

#[cfg(test)]
mod tests;
