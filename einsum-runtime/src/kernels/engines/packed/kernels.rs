//! The micro-kernels: an `MR x NR` tile of the product of a packed panel
//! of A (`kc` steps of `MR` values) and one of B (`kc` steps of `NR`),
//! kept in registers over the whole depth. One per CPU level for `f32`
//! and `f64`, chosen once per call by the CPU's features.

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
    pub(super) kernel: Kernel<T>,
    pub(super) drive: unsafe fn(&Job<'_, T>, Kernel<T>),
}

impl<T: Element> MicroKernel<T> {
    fn new<const MR: usize, const NR: usize>(name: &'static str, kernel: Kernel<T>) -> Self {
        MicroKernel {
            name,
            mr: MR,
            nr: NR,
            kernel,
            drive: drive::<T, MR, NR>,
        }
    }
}

/// `$all()`: every kernel for `$t` that this CPU runs, slowest first (the
/// tests run each); `$best()`: the last, found once.
macro_rules! kernels_of {
    ($t:ty, $all:ident, $best:ident, portable $pm:literal x $pn:literal,
     avx2 $am:literal x $an:literal $avx2:ident, avx512 $zm:literal x $zn:literal $avx512:ident) => {
        pub(crate) fn $all() -> Vec<MicroKernel<$t>> {
            let name = concat!("portable ", $pm, "x", $pn);
            let mut kernels = vec![MicroKernel::new::<$pm, $pn>(name, portable::<$t, $pm, $pn>)];
            #[cfg(target_arch = "x86_64")]
            {
                if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                    let name = concat!("AVX2 ", $am, "x", $an);
                    kernels.push(MicroKernel::new::<$am, $an>(name, x86::$avx2));
                }
                if std::is_x86_feature_detected!("avx512f") {
                    let name = concat!("AVX-512 ", $zm, "x", $zn);
                    kernels.push(MicroKernel::new::<$zm, $zn>(name, x86::$avx512));
                }
            }
            kernels
        }

        pub(crate) fn $best() -> MicroKernel<$t> {
            static BEST: OnceLock<MicroKernel<$t>> = OnceLock::new();
            *BEST.get_or_init(|| *$all().last().expect("the portable kernel"))
        }
    };
}

kernels_of!(f64, f64_kernels, f64_kernel, portable 4 x 4,
    avx2 6 x 8 f64_avx2, avx512 8 x 24 f64_avx512);
kernels_of!(f32, f32_kernels, f32_kernel, portable 4 x 8,
    avx2 6 x 16 f32_avx2, avx512 8 x 48 f32_avx512);

/// The kernel for any CPU: fixed-size loops (separate multiply and add,
/// since a software `mul_add` would be slow where FMA is missing).
///
/// # Safety
/// As for [`Kernel`].
unsafe fn portable<T: Element, const MR: usize, const NR: usize>(
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
        for (row, &x) in acc.iter_mut().zip(a) {
            for (c, &y) in row.iter_mut().zip(b) {
                *c = *c + x * y;
            }
        }
    }
    // SAFETY: the tile has room for MR x NR values.
    unsafe { tile.cast::<[[T; NR]; MR]>().write(acc) };
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

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
