//! The GEMM engine for `i32` and `i64`, which no GEMM crate covers.
//!
//! Goto's scheme, kept small. The output is cut into tasks: bands of rows
//! (one band for a serial call, a few per thread for a parallel one) times
//! blocks of `NC` columns. A task takes the depth `KC` at a time: it packs
//! its `KC x NC` block of `rhs` into contiguous column panels, then its rows
//! `MC` at a time into row panels of `lhs` (packing is where any strides,
//! negative or zero too, are read: one pass per block, never a transposed
//! copy of a whole operand), and a register-blocked micro-kernel multiplies
//! each `MR`-row panel by each `NR`-column panel into an `MR x NR` tile
//! kept in registers, added to the output. The micro-kernel is plain
//! fixed-size loops that LLVM vectorizes; it is compiled for AVX-512
//! (AVX512DQ has `vpmullq`, the 64-bit multiply), for AVX2 and for the
//! baseline, with a tile shape each, and chosen once per call by the CPU's
//! features.
//!
//! Arithmetic wraps (as `+` and `*` do in release builds), so the result is
//! exact modulo 2^bits in any summation order: it does not depend on the
//! CPU's features or the thread count, and debug builds do not panic.
//!
//! Memory: each thread packs into at most `(MC + NC) * KC` elements
//! (40 960: 320 KiB for `i64`, 160 KiB for `i32`), fewer for small calls:
//! a thread runs one task at a time (a task never waits on others), and
//! the buffers are freed when the call returns.

use super::gemm::GemmCall;
use crate::scale::Scale;
use crate::Element;
use num_traits::{WrappingAdd, WrappingMul};
use rayon::prelude::*;
use std::ops::Range;

/// Depth of one packed slice: a `KC x NR` panel of `rhs` (32 KiB on
/// AVX-512) stays in L1 while it meets every `MR x KC` panel of `lhs`.
const KC: usize = 128;
/// Rows of `lhs` packed at once (64 KiB for `i64`: they stay in L2), and
/// the smallest band of rows a thread takes.
const MC: usize = 64;
/// Columns of one task: its packed `rhs` is 256 KiB for `i64`.
const NC: usize = 256;

/// The integer types with a GEMM engine.
pub(crate) trait IntGemm: Element + WrappingAdd + WrappingMul {
    /// Runs `call` (m, n, k > 0) with the micro-kernel for the CPU.
    ///
    /// # Safety
    /// As for [`int_gemm`].
    unsafe fn dispatch(call: &GemmCall<Self>);
}

/// `dst = alpha * lhs * rhs + beta * dst` (`call.scale`), on the rayon
/// pool when `call.parallel`; wrapping arithmetic.
///
/// # Safety
/// The pointers and strides of `call` must describe valid `m x n`, `m x k`
/// and `k x n` matrices, the output must not overlap the inputs, and no
/// other thread may access the output meanwhile.
pub(crate) unsafe fn int_gemm<T: IntGemm>(call: &GemmCall<T>) {
    if call.m == 0 || call.n == 0 {
        return;
    }
    if call.k == 0 {
        // An empty sum: `beta * dst`, or 0.
        for i in 0..call.m {
            for j in 0..call.n {
                // SAFETY: (i, j) is an element of the m x n output, read
                // only when the scale reads it (the output is then
                // initialized).
                unsafe {
                    let o = call.dst.0.offset(at(i, j, call.dst.1, call.dst.2));
                    o.write(call.scale.apply(T::zero(), || o.read()));
                }
            }
        }
        return;
    }
    // SAFETY: forwarded from the caller.
    unsafe { T::dispatch(call) }
}

/// The same product with the roles of rows and columns swapped.
fn transposed<T: Copy>(c: &GemmCall<T>) -> GemmCall<T> {
    GemmCall {
        m: c.n,
        n: c.m,
        dst: (c.dst.0, c.dst.2, c.dst.1),
        lhs: (c.rhs.0, c.rhs.2, c.rhs.1),
        rhs: (c.lhs.0, c.lhs.2, c.lhs.1),
        ..*c
    }
}

/// Implements [`IntGemm`] with a tile shape (rows x columns) per kernel.
/// LLVM keeps a tile in registers only when it unrolls the tile's loops
/// fully, which it does for about 64 to 128 elements, and it vectorizes the
/// columns only when the tile is wide: 4 rows of 4 vectors on AVX-512 (16
/// of the 32 registers), 6 rows of 2 on AVX2 for i32 (12 of 16). AVX2 has
/// no 64-bit multiply; its emulation is no faster than scalar code.
macro_rules! int_gemm_types {
    ($($t:ty: avx512 $m5:literal x $n5:literal, avx2 $m2:literal x $n2:literal,
        base $mb:literal x $nb:literal;)*) => {$(
        impl IntGemm for $t {
            unsafe fn dispatch(call: &GemmCall<$t>) {
                #[cfg(target_arch = "x86_64")]
                {
                    if std::is_x86_feature_detected!("avx512f")
                        && std::is_x86_feature_detected!("avx512dq")
                    {
                        // SAFETY: the CPU has the kernel's features; the
                        // call is forwarded from the caller.
                        return unsafe {
                            blocked::<$t, $m5, $n5>(call, x86::avx512::<$t, $m5, $n5>)
                        };
                    }
                    if std::is_x86_feature_detected!("avx2") {
                        // SAFETY: as above.
                        return unsafe {
                            blocked::<$t, $m2, $n2>(call, x86::avx2::<$t, $m2, $n2>)
                        };
                    }
                }
                // SAFETY: the baseline kernel needs no feature.
                unsafe { blocked::<$t, $mb, $nb>(call, baseline::<$t, $mb, $nb>) }
            }
        }
    )*};
}

int_gemm_types! {
    i64: avx512 4 x 32, avx2 4 x 4, base 4 x 4;
    i32: avx512 4 x 64, avx2 6 x 16, base 4 x 8;
}

/// A micro-kernel: writes to its third argument the `MR x NR` product of
/// a packed `lhs` panel (`kc` steps of `MR` values) and a packed `rhs`
/// panel (`kc` steps of `NR`). Unsafe only because it may need CPU features.
type Kernel<T, const MR: usize, const NR: usize> = unsafe fn(&[T], &[T], &mut [[T; NR]; MR]);

/// The micro-kernel's body: fixed-size loops over a tile of accumulators,
/// which LLVM unrolls into vector registers.
#[inline(always)]
fn tile<T: IntGemm, const MR: usize, const NR: usize>(a: &[T], b: &[T], out: &mut [[T; NR]; MR]) {
    let mut acc = [[T::zero(); NR]; MR];
    for (a, b) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        let a: &[T; MR] = a.try_into().expect("chunks of MR");
        let b: &[T; NR] = b.try_into().expect("chunks of NR");
        for (row, x) in acc.iter_mut().zip(a) {
            for (c, y) in row.iter_mut().zip(b) {
                *c = c.wrapping_add(&x.wrapping_mul(y));
            }
        }
    }
    *out = acc;
}

/// [`tile`] for any x86-64 (or other) CPU.
unsafe fn baseline<T: IntGemm, const MR: usize, const NR: usize>(
    a: &[T],
    b: &[T],
    out: &mut [[T; NR]; MR],
) {
    tile(a, b, out)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{tile, IntGemm};

    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn avx512<T: IntGemm, const MR: usize, const NR: usize>(
        a: &[T],
        b: &[T],
        out: &mut [[T; NR]; MR],
    ) {
        tile(a, b, out)
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2<T: IntGemm, const MR: usize, const NR: usize>(
        a: &[T],
        b: &[T],
        out: &mut [[T; NR]; MR],
    ) {
        tile(a, b, out)
    }
}

/// The offset of element (i, j) of a matrix with strides (rs, cs).
fn at(i: usize, j: usize, rs: isize, cs: isize) -> isize {
    i as isize * rs + j as isize * cs
}

/// The call, shared with the pool's threads.
struct Shared<'a, T>(&'a GemmCall<T>);
// SAFETY: the threads only read the inputs, and write disjoint blocks of
// the output (the caller lends it to this call alone).
unsafe impl<T: Sync> Sync for Shared<'_, T> {}

impl<T> Shared<'_, T> {
    /// The call (a method, so that closures capture the whole wrapper
    /// rather than its field).
    fn call(&self) -> &GemmCall<T> {
        self.0
    }
}

/// Runs the call block by block with the micro-kernel `kernel`.
///
/// # Safety
/// As for [`int_gemm`], with m, n and k > 0; the CPU must have the
/// kernel's features.
unsafe fn blocked<T: IntGemm, const MR: usize, const NR: usize>(
    call: &GemmCall<T>,
    kernel: Kernel<T, MR, NR>,
) {
    // Tiles are padded to MR x NR: when the transposed product (C' = B' A')
    // pads less, as for a narrow C, run that.
    let used = |rows: usize, cols: usize| {
        (rows * cols) as f64 / (rows.next_multiple_of(MR) * cols.next_multiple_of(NR)) as f64
    };
    let flipped;
    let call = if used(call.n, call.m) > used(call.m, call.n) {
        flipped = transposed(call);
        &flipped
    } else {
        call
    };
    // Tasks: bands of rows times blocks of NC columns. A band packs each
    // block of rhs once, and its rows MC at a time. Serial calls run one
    // band; parallel ones up to 4 per thread, of about MC rows or more
    // (results are exact: the split cannot change them).
    let (m, n, k) = (call.m, call.n, call.k);
    let (mc, nc) = ((MC / MR).max(1) * MR, (NC / NR).max(1) * NR);
    let bands = m.div_ceil(mc).min(4 * call.threads).max(1);
    let band = m.div_ceil(bands).next_multiple_of(MR);
    let (bands, blocks_n) = (m.div_ceil(band), n.div_ceil(nc));
    // Buffers for one task, no larger than the call needs.
    let new_buffers = || {
        let kc = KC.min(k);
        let rows = mc.min(m.next_multiple_of(MR));
        let cols = nc.min(n.next_multiple_of(NR));
        (vec![T::zero(); rows * kc], vec![T::zero(); cols * kc])
    };
    let shared = Shared(call);
    let task = |bufs: &mut (Vec<T>, Vec<T>), index: usize| {
        let (i, j) = ((index / blocks_n) * band, (index % blocks_n) * nc);
        let rows = i..m.min(i + band);
        let cols = j..n.min(j + nc);
        // SAFETY: the block lies within the output; blocks of distinct
        // indices are disjoint, so threads never write the same element.
        unsafe { block(shared.call(), kernel, rows, cols, mc, bufs) }
    };
    let tasks = bands * blocks_n;
    if call.threads > 1 && tasks > 1 {
        (0..tasks).into_par_iter().for_each_init(new_buffers, task);
    } else {
        let mut bufs = new_buffers();
        (0..tasks).for_each(|index| task(&mut bufs, index));
    }
}

/// One block of the output, over the whole depth: `rows` (any number,
/// packed `mc` at a time) times `cols` (at most the rhs buffer's columns).
///
/// # Safety
/// As for [`blocked`], with `rows` and `cols` in the output; no other
/// thread may access this block meanwhile; the buffers hold `mc` and
/// `cols.len()` (rounded up to MR and NR) times `KC.min(k)` values.
unsafe fn block<T: IntGemm, const MR: usize, const NR: usize>(
    call: &GemmCall<T>,
    kernel: Kernel<T, MR, NR>,
    rows: Range<usize>,
    cols: Range<usize>,
    mc: usize,
    (a_buf, b_buf): &mut (Vec<T>, Vec<T>),
) {
    let (j0, nc) = (cols.start, cols.len());
    let (lhs, lrs, lcs) = call.lhs;
    let (rhs, rrs, rcs) = call.rhs;
    let mut tile = [[T::zero(); NR]; MR];
    for p0 in (0..call.k).step_by(KC) {
        let kc = KC.min(call.k - p0);
        let b = &mut b_buf[..nc.next_multiple_of(NR) * kc];
        // SAFETY: rows p0..p0 + kc and columns j0..j0 + nc are in rhs.
        unsafe { pack::<T, NR>(b, rhs.offset(at(p0, j0, rrs, rcs)), rcs, rrs, nc, kc) };
        // Later slices of k add to what the first stored.
        let scale = Scale::of_part(Some(call.scale), p0 == 0);
        for i0 in rows.clone().step_by(mc) {
            let mc = mc.min(rows.end - i0);
            let a = &mut a_buf[..mc.next_multiple_of(MR) * kc];
            // SAFETY: rows i0..i0 + mc and columns p0..p0 + kc are in lhs.
            unsafe { pack::<T, MR>(a, lhs.offset(at(i0, p0, lrs, lcs)), lrs, lcs, mc, kc) };
            // Each rhs panel stays in L1 while it meets every lhs panel.
            for (jp, b) in b.chunks_exact(kc * NR).enumerate() {
                for (ip, a) in a.chunks_exact(kc * MR).enumerate() {
                    // SAFETY: the caller checked the kernel's CPU features.
                    unsafe { kernel(a, b, &mut tile) };
                    let (i, j) = (ip * MR, jp * NR);
                    let (mr, nr) = (MR.min(mc - i), NR.min(nc - j));
                    // SAFETY: the tile's mr x nr elements are in this block.
                    unsafe { store(call.dst, &tile, (i0 + i, j0 + j), (mr, nr), scale) };
                }
            }
        }
    }
}

/// Packs `lines` lines (rows of lhs or columns of rhs) of `depth` values
/// into panels of `W` lines: `panel[p * W + l] = src[l * line + p * step]`,
/// lines past the end zero-filled (the tile's spare rows or columns).
///
/// # Safety
/// `src` and its strides must be valid for `lines x depth` reads;
/// `out.len()` is `lines.next_multiple_of(W) * depth`.
unsafe fn pack<T: IntGemm, const W: usize>(
    out: &mut [T],
    src: *const T,
    line: isize,
    step: isize,
    lines: usize,
    depth: usize,
) {
    for (panel, first) in out.chunks_exact_mut(W * depth).zip((0..lines).step_by(W)) {
        let width = W.min(lines - first);
        if width == W && line == 1 {
            // The W values of a step are adjacent: one copy per step.
            // (Fixed-size copies: copy_from_slice would call memcpy.)
            for (p, values) in panel.chunks_exact_mut(W).enumerate() {
                let values: &mut [T; W] = values.try_into().expect("chunks of W");
                // SAFETY: lines first..first + W of step p are adjacent in
                // src; the inputs are only read meanwhile.
                *values = unsafe { src.offset(at(first, p, line, step)).cast::<[T; W]>().read() };
            }
            continue;
        }
        // Line by line, so that the reads follow the depth.
        for l in 0..W {
            let steps = panel.chunks_exact_mut(W);
            if l < width {
                for (p, values) in steps.enumerate() {
                    // SAFETY: line first + l < lines, step p < depth.
                    values[l] = unsafe { *src.offset(at(first + l, p, line, step)) };
                }
            } else {
                steps.for_each(|values| values[l] = T::zero());
            }
        }
    }
}

/// Stores the top-left `mr x nr` of a tile at (i, j) of `dst` as `scale`
/// says.
///
/// # Safety
/// The `mr x nr` elements at (i, j) are in `dst`, and no one else
/// accesses them meanwhile.
unsafe fn store<T: IntGemm, const MR: usize, const NR: usize>(
    (dst, rs, cs): (*mut T, isize, isize),
    tile: &[[T; NR]; MR],
    (i, j): (usize, usize),
    (mr, nr): (usize, usize),
    scale: Scale<T>,
) {
    let places = |store: &dyn Fn(*mut T, T)| {
        // `dyn` for brevity: this runs once per tile, after the tile's
        // whole depth of products.
        for (r, values) in tile.iter().enumerate().take(mr) {
            for (c, &v) in values[..nr].iter().enumerate() {
                // SAFETY: (i + r, j + c) is in dst.
                store(unsafe { dst.offset(at(i + r, j + c, rs, cs)) }, v);
            }
        }
    };
    // SAFETY (all three): the places are this tile's alone; the output is
    // read only where the scale reads it, and it is then initialized.
    if scale.is_plain() {
        places(&|o, v| unsafe { o.write(v) });
    } else if scale.is_sum() {
        places(&|o, v| unsafe { o.write(o.read().wrapping_add(&v)) });
    } else {
        places(&|o, v| unsafe { o.write(scale.apply(v, || o.read())) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64, for test data.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// An r x c matrix stored in a buffer with some layout: its storage,
    /// the offset of element (0, 0) and the strides.
    struct Matrix<T> {
        data: Vec<T>,
        origin: usize,
        rs: isize,
        cs: isize,
    }

    impl<T: IntGemm> Matrix<T> {
        /// Layout 0: row-major, 1: column-major, 2: padded and stepped,
        /// 3: rows reversed, 4: both axes reversed and stepped, 5: rows
        /// broadcast (row stride 0).
        fn new(r: usize, c: usize, layout: usize, rng: &mut Rng, value: impl Fn(u64) -> T) -> Self {
            let (r_, c_) = (r as isize, c as isize);
            let (len, origin, rs, cs) = match layout {
                0 => (r * c, 0, c_, 1),
                1 => (r * c, 0, 1, r_),
                2 => (r * (2 * c + 3), 1, 2 * c_ + 3, 2),
                3 => (r * c, (r - 1) * c, -c_, 1),
                4 => (2 * r * 3 * c, 2 * r * 3 * c - 1, -3 * c_, -3),
                _ => (c, 0, 0, 1),
            };
            let data = (0..len).map(|_| value(rng.next())).collect();
            Matrix {
                data,
                origin,
                rs,
                cs,
            }
        }
        fn get(&self, i: usize, j: usize) -> T {
            self.data[(self.origin as isize + at(i, j, self.rs, self.cs)) as usize]
        }
        fn ptr(&mut self) -> *mut T {
            // SAFETY: origin is an index into data.
            unsafe { self.data.as_mut_ptr().add(self.origin) }
        }
    }

    /// Checks `run` against a naive wrapping triple loop on many shapes,
    /// layouts, scales (plain, adding, alpha and beta) and `parallel`
    /// settings.
    fn check<T: IntGemm + PartialEq>(
        run: unsafe fn(&GemmCall<T>),
        value: impl Fn(u64) -> T + Copy,
        seed: u64,
    ) {
        let mut rng = Rng(seed);
        let mut sizes = vec![
            (1, 1, 1),
            (1, 300, 7),
            (300, 1, 5),
            (5, 3, 1),
            (17, 33, 129),
        ];
        sizes.extend([(70, 270, 260), (64, 256, 128), (9, 20, 300)]);
        for _ in 0..30 {
            sizes.push((1 + rng.below(90), 1 + rng.below(90), 1 + rng.below(200)));
        }
        for (case, &(m, n, k)) in sizes.iter().enumerate() {
            let (alpha, beta) = match case % 3 {
                0 => (T::one(), T::zero()),
                1 => (T::one(), T::one()),
                _ => (value(rng.next()), value(rng.next())),
            };
            let scale = Scale::new(alpha, beta);
            let threads = if case % 2 == 0 { 4 } else { 1 };
            let mut a = Matrix::new(m, k, rng.below(6), &mut rng, value);
            let mut b = Matrix::new(k, n, rng.below(6), &mut rng, value);
            let mut c = Matrix::new(m, n, rng.below(5), &mut rng, value);
            let mut expected = vec![T::zero(); m * n];
            for i in 0..m {
                for j in 0..n {
                    let mut s = T::zero();
                    for p in 0..k {
                        s = s.wrapping_add(&a.get(i, p).wrapping_mul(&b.get(p, j)));
                    }
                    let old = beta.wrapping_mul(&c.get(i, j));
                    expected[i * n + j] = alpha.wrapping_mul(&s).wrapping_add(&old);
                }
            }
            let call = GemmCall {
                m,
                n,
                k,
                dst: (c.ptr(), c.rs, c.cs),
                scale,
                lhs: (a.ptr() as *const T, a.rs, a.cs),
                rhs: (b.ptr() as *const T, b.rs, b.cs),
                threads,
            };
            // SAFETY: the matrices are valid for their strides; c is apart.
            unsafe { run(&call) };
            for i in 0..m {
                for j in 0..n {
                    assert!(
                        c.get(i, j) == expected[i * n + j],
                        "({m}, {n}, {k}) with {scale:?}: wrong at ({i}, {j})"
                    );
                }
            }
        }
    }

    /// Small values, and full-range ones whose products wrap.
    fn small(x: u64) -> i64 {
        (x % 7) as i64 - 3
    }
    fn wide(x: u64) -> i64 {
        x as i64
    }

    #[test]
    fn int_gemm_matches_naive_loops() {
        check::<i64>(int_gemm, small, 1);
        check::<i64>(int_gemm, wide, 2);
        check::<i32>(int_gemm, |x| small(x) as i32, 3);
        check::<i32>(int_gemm, |x| x as i32, 4);
    }

    #[test]
    fn int_gemm_every_kernel_matches_naive_loops() {
        unsafe fn base64(c: &GemmCall<i64>) {
            // SAFETY: forwarded; the baseline needs no CPU feature.
            unsafe { blocked::<i64, 4, 4>(c, baseline::<i64, 4, 4>) }
        }
        unsafe fn base32(c: &GemmCall<i32>) {
            // SAFETY: as above.
            unsafe { blocked::<i32, 3, 5>(c, baseline::<i32, 3, 5>) }
        }
        check::<i64>(base64, wide, 5);
        check::<i32>(base32, |x| x as i32, 6);
        #[cfg(target_arch = "x86_64")]
        {
            unsafe fn avx2_64(c: &GemmCall<i64>) {
                // SAFETY: called only where the CPU has the features.
                unsafe { blocked::<i64, 4, 4>(c, x86::avx2::<i64, 4, 4>) }
            }
            unsafe fn avx2_32(c: &GemmCall<i32>) {
                // SAFETY: called only where the CPU has the features.
                unsafe { blocked::<i32, 6, 16>(c, x86::avx2::<i32, 6, 16>) }
            }
            unsafe fn avx512_64(c: &GemmCall<i64>) {
                // SAFETY: called only where the CPU has the features.
                unsafe { blocked::<i64, 4, 32>(c, x86::avx512::<i64, 4, 32>) }
            }
            unsafe fn avx512_32(c: &GemmCall<i32>) {
                // SAFETY: called only where the CPU has the features.
                unsafe { blocked::<i32, 4, 64>(c, x86::avx512::<i32, 4, 64>) }
            }
            if std::is_x86_feature_detected!("avx2") {
                check::<i64>(avx2_64, wide, 7);
                check::<i32>(avx2_32, |x| x as i32, 8);
            }
            if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512dq")
            {
                check::<i64>(avx512_64, wide, 9);
                check::<i32>(avx512_32, |x| x as i32, 10);
            }
        }
    }

    #[test]
    fn int_gemm_empty_depth_zeroes_or_keeps() {
        let mut c = [5i64; 6];
        let mut call = GemmCall {
            m: 2,
            n: 3,
            k: 0,
            dst: (c.as_mut_ptr(), 3, 1),
            scale: Scale::beta(1),
            lhs: (std::ptr::null(), 0, 0),
            rhs: (std::ptr::null(), 0, 0),
            threads: 1,
        };
        // SAFETY: k = 0 reads no input; dst is 2 x 3.
        unsafe { int_gemm(&call) };
        assert_eq!(c, [5; 6]);
        call.scale = Scale::new(7, 3);
        // SAFETY: as above.
        unsafe { int_gemm(&call) };
        assert_eq!(c, [15; 6]);
        call.scale = Scale::alpha(1);
        // SAFETY: as above.
        unsafe { int_gemm(&call) };
        assert_eq!(c, [0; 6]);
    }
}
