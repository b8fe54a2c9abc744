//! The micro-kernels: an `MR x NR` tile of the product of a packed panel
//! of A (`kc` steps of `MR` values) and one of B (`kc` steps of `NR`),
//! kept in registers over the whole depth. One per CPU level for `f32`,
//! `f64`, `i32` and `i64` (and the complex types: `complex`), chosen once
//! by the CPU's features.

use super::drive::{drive, Job};
use crate::Element;
use std::sync::OnceLock;

/// A micro-kernel: writes to `tile` (`MR x NR`, row-major) the product of
/// the `kc`-step panels `a` and `b`.
///
/// # Safety
/// `a` holds `kc * MR` values, `b` `kc * NR` and `tile` room for
/// `MR * NR`; the CPU has the kernel's features.
pub(crate) type Kernel<T> = unsafe fn(kc: usize, a: *const T, b: *const T, tile: *mut T);

/// A micro-kernel of the transpose-free engine, with its tile shape and
/// the driver built for that shape (an element type's hook: see
/// `ElementKernels::packed_kernel`).
#[derive(Clone, Copy)]
pub struct MicroKernel<T> {
    /// The kernel's name for `explain!`: the instruction set and the tile.
    pub(crate) name: &'static str,
    /// Rows of the tile (values of A per step).
    pub(crate) mr: usize,
    /// Columns of the tile (values of B per step, the vector direction).
    pub(crate) nr: usize,
    /// Bytes along k of one packed line (a row of A or column of B): each
    /// slice of k reads and writes the output once, so deeper slices move
    /// less, as long as the kernel's loads keep up (PERFORMANCE.md).
    pub(crate) depth_bytes: usize,
    pub(super) kernel: Kernel<T>,
    pub(super) drive: unsafe fn(&Job<'_, T>, Kernel<T>),
}

impl<T: Element> MicroKernel<T> {
    pub(super) fn new<const MR: usize, const NR: usize>(
        name: &'static str,
        depth_bytes: usize,
        kernel: Kernel<T>,
    ) -> Self {
        MicroKernel {
            name,
            mr: MR,
            nr: NR,
            depth_bytes,
            kernel,
            drive: drive::<T, MR, NR>,
        }
    }
}

/// `$all()`: every kernel for `$t` that this CPU runs, slowest first (the
/// tests run each); `$best()`: the last, found once. Each x86 kernel is
/// listed with the CPU features it needs.
macro_rules! kernels_of {
    ($t:ty, $all:ident, $best:ident, depth $depth:literal, portable $pm:literal x $pn:literal,
     $(x86 $label:literal [$($feature:tt),*] $m:literal x $n:literal $kernel:expr),*) => {
        pub(crate) fn $all() -> Vec<MicroKernel<$t>> {
            let name = concat!("portable ", $pm, "x", $pn);
            #[allow(unused_mut)]
            let mut kernels = vec![MicroKernel::new::<$pm, $pn>(name, $depth, portable::<$t, $pm, $pn>)];
            #[cfg(target_arch = "x86_64")]
            {
                $(
                    if true $(&& std::is_x86_feature_detected!($feature))* {
                        let name = concat!($label, " ", $m, "x", $n);
                        kernels.push(MicroKernel::new::<$m, $n>(name, $depth, $kernel));
                    }
                )*
            }
            kernels
        }

        pub(crate) fn $best() -> MicroKernel<$t> {
            static BEST: OnceLock<MicroKernel<$t>> = OnceLock::new();
            *BEST.get_or_init(|| *$all().last().expect("the portable kernel"))
        }
    };
}

#[cfg(feature = "complex")]
pub(super) use kernels_of;

kernels_of!(f64, f64_kernels, f64_kernel, depth 8192, portable 4 x 4,
    x86 "AVX2" ["avx2", "fma"] 6 x 8 x86::f64_avx2,
    x86 "AVX-512" ["avx512f"] 8 x 24 x86::f64_avx512);
kernels_of!(f32, f32_kernels, f32_kernel, depth 8192, portable 4 x 8,
    x86 "AVX2" ["avx2", "fma"] 6 x 16 x86::f32_avx2,
    x86 "AVX-512" ["avx512f"] 8 x 48 x86::f32_avx512);
// The integer kernels are `portable`'s loops compiled for the features:
// LLVM keeps a tile in registers when it unrolls the loops fully (about
// 64 to 128 elements) and vectorizes the columns when the tile is wide.
// AVX2 has no 64-bit multiply; its emulation is no faster than scalar
// code. AVX512DQ has `vpmullq`.
kernels_of!(i64, i64_kernels, i64_kernel, depth 1024, portable 4 x 4,
    x86 "AVX-512" ["avx512f", "avx512dq"] 4 x 32 x86::avx512_loops::<i64, 4, 32>);
kernels_of!(i32, i32_kernels, i32_kernel, depth 1024, portable 4 x 8,
    x86 "AVX2" ["avx2"] 6 x 16 x86::avx2_loops::<i32, 6, 16>,
    x86 "AVX-512" ["avx512f", "avx512dq"] 4 x 64 x86::avx512_loops::<i32, 4, 64>);

/// The kernel for any CPU: fixed-size loops (for floats a separate
/// multiply and add, since a software `mul_add` would be slow where FMA
/// is missing; for integers wrapping, as `+` and `*` are in release
/// builds, so the result is exact modulo 2^bits in any order).
///
/// # Safety
/// As for [`Kernel`].
#[inline(always)]
pub(super) unsafe fn portable<T: Element, const MR: usize, const NR: usize>(
    kc: usize,
    a: *const T,
    b: *const T,
    tile: *mut T,
) {
    let mut acc = [[T::zero(); NR]; MR];
    // SAFETY: the caller's contract: the panels hold kc steps.
    let (a, b) = unsafe {
        (
            std::slice::from_raw_parts(a, kc * MR),
            std::slice::from_raw_parts(b, kc * NR),
        )
    };
    for (a, b) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        // Fixed-size arrays, so that the loops unroll.
        let a: &[T; MR] = a.try_into().expect("chunks of MR");
        let b: &[T; NR] = b.try_into().expect("chunks of NR");
        for (row, &x) in acc.iter_mut().zip(a) {
            for (c, &y) in row.iter_mut().zip(b) {
                *c = c.add_wrapping(x.mul_wrapping(y));
            }
        }
    }
    // SAFETY: the tile has room for MR x NR values.
    unsafe { tile.cast::<[[T; NR]; MR]>().write(acc) };
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::portable;
    use crate::Element;
    use std::arch::x86_64::*;

    /// [`portable`] compiled for AVX-512 (the integers' kernels).
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn avx512_loops<T: Element, const MR: usize, const NR: usize>(
        kc: usize,
        a: *const T,
        b: *const T,
        tile: *mut T,
    ) {
        // SAFETY: forwarded.
        unsafe { portable::<T, MR, NR>(kc, a, b, tile) }
    }

    /// [`portable`] compiled for AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2_loops<T: Element, const MR: usize, const NR: usize>(
        kc: usize,
        a: *const T,
        b: *const T,
        tile: *mut T,
    ) {
        // SAFETY: forwarded.
        unsafe { portable::<T, MR, NR>(kc, a, b, tile) }
    }

    /// A kernel on `VECS` vectors of `LANES` per tile row, `MR` rows: the
    /// B values of a step are loaded once, each A value broadcast once.
    macro_rules! simd_kernel {
        ($name:ident, $feature:literal, $t:ty, lanes $lanes:literal, rows $mr:literal,
         vectors $vecs:literal, $zero:ident, $load:ident, $set1:ident, $fma:ident,
         $store:ident) => {
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $name(kc: usize, a: *const $t, b: *const $t, tile: *mut $t) {
                let mut acc = [[$zero(); $vecs]; $mr];
                for p in 0..kc {
                    // SAFETY: the caller's contract: step p of each panel
                    // is in bounds, and the CPU has the features.
                    unsafe {
                        let (a, b) = (a.add(p * $mr), b.add(p * $vecs * $lanes));
                        let mut row = [$zero(); $vecs];
                        for (v, r) in row.iter_mut().enumerate() {
                            *r = $load(b.add(v * $lanes));
                        }
                        for (i, acc) in acc.iter_mut().enumerate() {
                            let x = $set1(*a.add(i));
                            for (c, r) in acc.iter_mut().zip(&row) {
                                *c = $fma(x, *r, *c);
                            }
                        }
                    }
                }
                for (i, acc) in acc.iter().enumerate() {
                    for (v, c) in acc.iter().enumerate() {
                        // SAFETY: the tile has room for MR x NR values.
                        unsafe { $store(tile.add((i * $vecs + v) * $lanes), *c) };
                    }
                }
            }
        };
    }

    simd_kernel!(f64_avx512, "avx512f", f64, lanes 8, rows 8, vectors 3,
        _mm512_setzero_pd, _mm512_loadu_pd, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_storeu_pd);
    simd_kernel!(f32_avx512, "avx512f", f32, lanes 16, rows 8, vectors 3,
        _mm512_setzero_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_storeu_ps);
    simd_kernel!(f64_avx2, "avx2,fma", f64, lanes 4, rows 6, vectors 2,
        _mm256_setzero_pd, _mm256_loadu_pd, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_storeu_pd);
    simd_kernel!(f32_avx2, "avx2,fma", f32, lanes 8, rows 6, vectors 2,
        _mm256_setzero_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_storeu_ps);
}
