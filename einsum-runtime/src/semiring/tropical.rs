//! The packed kernel for the matrix-product-shaped steps of max_plus,
//! min_plus and max_product: the tropical GEMM.
//!
//! The step's axes are sorted into batch, m, n and k groups, and each
//! group is flattened into a table of offsets (one per index, in each
//! array that has the group), so any strides work: transposed, reversed,
//! stepped, or labels that do not fuse. The output is cut into tasks of a
//! batch index, a block of `NC` columns and a band of rows, sized by their
//! work. A task takes the depth `KC` at a time: it packs its `KC x NC`
//! block of B into column panels and its rows `MC` at a time into row
//! panels of A, and a micro-kernel folds each `MR`-row panel with each
//! `NR`-column panel into an `MR x NR` tile of accumulators (`acc = acc ⊕
//! a ⊗ b`), kept in a buffer between depth blocks. When the whole depth
//! is done, the task stores its tiles through the output's offsets with
//! `alpha` and `beta`, as the loops do.
//!
//! Every output element folds its terms in the order of k, whatever the
//! blocks, the CPU's features or the thread count, so the bits do not
//! depend on them. The micro-kernel is fixed-size loops that LLVM
//! vectorizes (`max`/`min` and `+` on vector registers); it is compiled
//! for AVX-512, AVX2 and the baseline, chosen once per step by the CPU.

use super::step::store;
use super::Semiring;
use crate::kernels::dims::Axis;
use crate::kernels::engines::tables::offsets_of;
use crate::kernels::Groups;
use crate::operand::{Operand, Writer};
use crate::schedule;
use crate::step::BinaryStep;
use crate::Element;

/// Depth of one packed block: a `KC x NR` panel of B (32 KiB of `f64` on
/// AVX-512) stays in L1 while it meets every panel of A.
const KC: usize = 128;
/// Rows of A packed at once (128 KiB of `f64`: they stay in L2).
const MC: usize = 128;
/// Columns of one task: its packed B is 256 KiB of `f64`.
const NC: usize = 256;
/// Terms a task aims at: enough that packing B once per band costs little
/// beside the band's work, few enough that the tasks balance the threads.
const TASK_WORK: usize = 1 << 24;
/// Below this many terms the step runs the loops: packing would cost more
/// than it saves.
const MIN_WORK: usize = 1 << 15;
/// The least rows and columns (m and n) for the kernel: narrower products
/// would pad most of each tile.
const MIN_SIDE: usize = 4;

/// The kernel's name in [`crate::kernels::last_engine`].
pub(crate) const NAME: &str = "packed semiring kernel";

/// Runs the step over `axes` (see `step_axes`) with the packed kernel and
/// returns `true`, or returns `false` when the step is not a matrix
/// product or is too small, and leaves it to the loops.
pub(super) fn run<T: Element, S: Semiring<T>, const W: usize>(
    axes: &[Axis],
    step: &BinaryStep<'_, '_, T, W>,
) -> bool {
    if !S::PACKED {
        return false;
    }
    let Some(groups) = Groups::new(axes.to_vec()) else {
        return false;
    };
    let len = |axes: &[Axis]| axes.iter().map(|x| x.len).product::<usize>();
    let (m, n, k) = (len(&groups.m), len(&groups.n), len(&groups.k));
    let work = len(&groups.batch)
        .saturating_mul(m.saturating_mul(n))
        .saturating_mul(k);
    if k == 0 || m.min(n) < MIN_SIDE || work < MIN_WORK {
        return false;
    }
    crate::kernels::record_name(NAME);
    dispatch::<T, S, W>(&groups, step);
    true
}

/// Runs the step with the micro-kernel for the CPU, with a tile shape by
/// the element's size: LLVM keeps a tile in registers only when it
/// unrolls its loops fully (up to about 128 to 256 elements), and
/// vectorizes the columns only when they fill a few vectors.
fn dispatch<T: Element, S: Semiring<T>, const W: usize>(
    groups: &Groups,
    step: &BinaryStep<'_, '_, T, W>,
) {
    macro_rules! by_size {
        ($kernel:ident, $($size:pat => $mr:literal x $nr:literal),*) => {
            match size_of::<T>() {
                $($size => blocked::<T, S, W, $mr, $nr>($kernel::<T, S, $mr, $nr>, groups, step),)*
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    {
        use x86::{avx2, avx512};
        if std::is_x86_feature_detected!("avx512f") {
            // 16 of the 32 registers for a tile of 8-byte values.
            return by_size!(avx512, 8 => 4 x 32, 1..=4 => 4 x 64, _ => 2 x 4);
        }
        if std::is_x86_feature_detected!("avx2") {
            // 12 of the 16 registers.
            return by_size!(avx2, 8 => 6 x 8, 1..=4 => 6 x 16, _ => 2 x 4);
        }
    }
    by_size!(baseline, 8 => 4 x 4, 1..=4 => 4 x 8, _ => 2 x 4)
}

/// A micro-kernel: folds into the `MR x NR` tile (its third argument) the
/// products of a packed panel of A (`kc` steps of `MR` values) and one of
/// B (`kc` steps of `NR`). Unsafe only because it may need CPU features.
type Kernel<T, const MR: usize, const NR: usize> = unsafe fn(&[T], &[T], &mut [[T; NR]; MR]);

/// The micro-kernel's body: fixed-size loops over a tile of accumulators,
/// which LLVM unrolls into vector registers.
#[inline(always)]
fn tile<T: Element, S: Semiring<T>, const MR: usize, const NR: usize>(
    a: &[T],
    b: &[T],
    out: &mut [[T; NR]; MR],
) {
    let mut acc = *out;
    for (a, b) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        let a: &[T; MR] = a.try_into().expect("chunks of MR");
        let b: &[T; NR] = b.try_into().expect("chunks of NR");
        for (row, &x) in acc.iter_mut().zip(a) {
            for (c, &y) in row.iter_mut().zip(b) {
                *c = S::add(*c, S::packed_mul(x, y));
            }
        }
    }
    *out = acc;
}

/// [`tile`] for any CPU.
unsafe fn baseline<T: Element, S: Semiring<T>, const MR: usize, const NR: usize>(
    a: &[T],
    b: &[T],
    out: &mut [[T; NR]; MR],
) {
    tile::<T, S, MR, NR>(a, b, out)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{tile, Element, Semiring};

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn avx512<T: Element, S: Semiring<T>, const MR: usize, const NR: usize>(
        a: &[T],
        b: &[T],
        out: &mut [[T; NR]; MR],
    ) {
        tile::<T, S, MR, NR>(a, b, out)
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2<T: Element, S: Semiring<T>, const MR: usize, const NR: usize>(
        a: &[T],
        b: &[T],
        out: &mut [[T; NR]; MR],
    ) {
        tile::<T, S, MR, NR>(a, b, out)
    }
}

/// The groups flattened: each index's offset in each array that has its
/// group, with A the operand whose rows are m (B's, when the product runs
/// transposed).
pub(super) struct Tables {
    /// Offsets in A, B and the output.
    pub(super) batch: Vec<[isize; 3]>,
    /// In A and the output.
    pub(super) m: Vec<[isize; 2]>,
    /// In B and the output.
    pub(super) n: Vec<[isize; 2]>,
    /// In A and B.
    pub(super) k: Vec<[isize; 2]>,
}

impl Tables {
    /// The tables of `groups`, with the roles of the operands swapped when
    /// `flip` (then m is the group of B and the output).
    pub(super) fn new(groups: &Groups, flip: bool) -> Tables {
        let flipped;
        let groups = if flip {
            flipped = groups.swapped();
            &flipped
        } else {
            groups
        };
        Tables {
            batch: offsets_of(&groups.batch, |x| [x.a, x.b, x.out]),
            m: offsets_of(&groups.m, |x| [x.a, x.out]),
            n: offsets_of(&groups.n, |x| [x.b, x.out]),
            k: offsets_of(&groups.k, |x| [x.a, x.b]),
        }
    }
}

/// The step, block by block with the micro-kernel `kernel`; m, n, k > 0.
fn blocked<T: Element, S: Semiring<T>, const W: usize, const MR: usize, const NR: usize>(
    kernel: Kernel<T, MR, NR>,
    groups: &Groups,
    step: &BinaryStep<'_, '_, T, W>,
) {
    let BinaryStep {
        context, a, b, out, ..
    } = *step;
    // Tiles are padded to MR x NR: when the transposed product pads less,
    // as for a narrow output, run that (⊗ commutes).
    let (straight, flipped) = groups.tile_use(MR, NR);
    let flip = flipped > straight;
    let (lhs, rhs) = if flip { (b, a) } else { (a, b) };
    let tables = Tables::new(groups, flip);
    let (m, n, k) = (tables.m.len(), tables.n.len(), tables.k.len());
    // Tasks: a batch index, a block of nc columns, a band of rows; the
    // cuts depend on the sizes alone.
    let nc = (NC / NR).max(1) * NR;
    let nc = nc.min(n.next_multiple_of(NR));
    let band = (TASK_WORK / (nc * k).max(1))
        .next_multiple_of(MR)
        .clamp(MC / 2, m.next_multiple_of(MR).max(MC / 2));
    let (bands, cols) = (m.div_ceil(band), n.div_ceil(nc));
    let tasks = tables.batch.len() * cols * bands;
    let scale = out.scale();
    let out = out.unscaled();
    let task_work = (band.min(m) * nc * k) as isize;
    schedule::run(context, [tasks as isize, 1], task_work, |range, _| {
        let mut buffers = Buffers::new(band.min(m), nc, k);
        for task in range {
            let task = task as usize;
            let (batch, rest) = (task / (cols * bands), task % (cols * bands));
            let (col, row) = (rest / bands, rest % bands);
            let rows = row * band..m.min((row + 1) * band);
            let columns = col * nc..n.min((col + 1) * nc);
            let block = Block {
                tables: &tables,
                batch: tables.batch[batch],
                rows,
                columns,
            };
            block.fold::<T, S, W, MR, NR>(kernel, lhs, rhs, &mut buffers);
            block.store::<T, S, W, MR, NR>(&buffers.tiles, &out, scale);
        }
    });
}

/// The packing buffers and accumulator tiles of one thread's tasks.
struct Buffers<T, const MR: usize, const NR: usize> {
    a: Vec<T>,
    b: Vec<T>,
    tiles: Vec<[[T; NR]; MR]>,
}

impl<T: Element, const MR: usize, const NR: usize> Buffers<T, MR, NR> {
    /// Buffers for bands of up to `rows` rows, `cols` columns, depth `k`.
    fn new(rows: usize, cols: usize, k: usize) -> Self {
        let kc = KC.min(k);
        let mc = ((MC / MR).max(1) * MR).min(rows.next_multiple_of(MR));
        Buffers {
            a: vec![T::zero(); mc * kc],
            b: vec![T::zero(); cols.next_multiple_of(NR) * kc],
            tiles: Vec::with_capacity(rows.div_ceil(MR) * cols.div_ceil(NR)),
        }
    }
}

/// One task: its batch index's offsets, its rows and columns.
struct Block<'t> {
    tables: &'t Tables,
    batch: [isize; 3],
    rows: std::ops::Range<usize>,
    columns: std::ops::Range<usize>,
}

impl Block<'_> {
    /// Folds the whole depth into `buffers.tiles` (row panels outer,
    /// column panels inner), starting from the semiring's zero.
    fn fold<T: Element, S: Semiring<T>, const W: usize, const MR: usize, const NR: usize>(
        &self,
        kernel: Kernel<T, MR, NR>,
        lhs: &Operand<'_, T, W>,
        rhs: &Operand<'_, T, W>,
        buffers: &mut Buffers<T, MR, NR>,
    ) {
        let t = self.tables;
        let panels = self.columns.len().div_ceil(NR);
        let mc = (MC / MR).max(1) * MR;
        let Buffers { a, b, tiles } = buffers;
        tiles.clear();
        tiles.resize(self.rows.len().div_ceil(MR) * panels, [[S::zero(); NR]; MR]);
        for p0 in (0..t.k.len()).step_by(KC) {
            let depth = &t.k[p0..t.k.len().min(p0 + KC)];
            let kc = depth.len();
            let b = &mut b[..panels * NR * kc];
            let columns = &t.n[self.columns.clone()];
            pack::<T, W, NR>(b, rhs, self.batch[1], columns, depth, 1, S::zero());
            for (r, i0) in self.rows.clone().step_by(mc).enumerate() {
                let rows = &t.m[i0..self.rows.end.min(i0 + mc)];
                let a = &mut a[..rows.len().next_multiple_of(MR) * kc];
                pack::<T, W, MR>(a, lhs, self.batch[0], rows, depth, 0, S::zero());
                // Each panel of B stays in L1 while it meets every panel
                // of A.
                let first = r * (mc / MR);
                for (jp, b) in b.chunks_exact(kc * NR).enumerate() {
                    for (ip, a) in a.chunks_exact(kc * MR).enumerate() {
                        let tile = &mut tiles[(first + ip) * panels + jp];
                        // SAFETY: `dispatch` chose a kernel the CPU runs.
                        unsafe { kernel(a, b, tile) };
                    }
                }
            }
        }
    }

    /// Stores the block's tiles through the output's offsets, with
    /// `alpha` and `beta`.
    fn store<T: Element, S: Semiring<T>, const W: usize, const MR: usize, const NR: usize>(
        &self,
        tiles: &[[[T; NR]; MR]],
        out: &Writer<'_, T, W>,
        scale: Option<crate::scale::Scale<T>>,
    ) {
        let t = self.tables;
        let panels = self.columns.len().div_ceil(NR);
        for (i, row) in t.m[self.rows.clone()].iter().enumerate() {
            for (j, col) in t.n[self.columns.clone()].iter().enumerate() {
                let value = tiles[(i / MR) * panels + j / NR][i % MR][j % NR];
                let at = self.batch[2] + row[1] + col[1];
                // SAFETY: offsets of indices below the bound lengths times
                // the strides `bind` checked; this task alone owns its
                // rows and columns of this batch index.
                unsafe { out.set(at, store::<T, S>(value, scale, || out.get(at))) };
            }
        }
    }
}

/// Packs `lines` (offsets of rows of A or columns of B, in `src` from
/// `base`) over `depth` (offsets of k, whose entry `side` is `src`'s) into
/// panels of `L` lines: `panel[p * L + l] = src[base + lines[l] +
/// depth[p][side]]`, lines past the end filled with `pad` (the tile's
/// spare rows or columns, never stored).
fn pack<T: Element, const W: usize, const L: usize>(
    out: &mut [T],
    src: &Operand<'_, T, W>,
    base: isize,
    lines: &[[isize; 2]],
    depth: &[[isize; 2]],
    side: usize,
    pad: T,
) {
    let kc = depth.len();
    for (panel, lines) in out.chunks_exact_mut(L * kc).zip(lines.chunks(L)) {
        let first = base + lines[0][0];
        let adjacent = lines.len() == L
            && lines
                .iter()
                .enumerate()
                .all(|(l, x)| x[0] - lines[0][0] == l as isize);
        for (values, p) in panel.chunks_exact_mut(L).zip(depth) {
            let at = first + p[side];
            if adjacent {
                // SAFETY: the L lines are adjacent in `src` (stride 1), at
                // offsets of indices below the bound lengths.
                let from: &[T; L] = unsafe { src.slice(at, L as isize) }
                    .try_into()
                    .expect("L values");
                let values: &mut [T; L] = values.try_into().expect("chunks of L");
                // Fixed-size copies: copy_from_slice would call memcpy.
                *values = *from;
            } else {
                for (l, value) in values.iter_mut().enumerate() {
                    *value = match lines.get(l) {
                        // SAFETY: offsets of indices below the bound
                        // lengths times the strides `bind` checked.
                        Some(x) => unsafe { src.get(base + x[0] + p[side]) },
                        None => pad,
                    };
                }
            }
        }
    }
}
