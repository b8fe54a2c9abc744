//! The micro-kernels for `Complex<f32>` and `Complex<f64>` (feature
//! `complex`), on panels packed as for any type: each value's real and
//! imaginary parts side by side.
//!
//! A step loads the B values once as plain vectors of (re, im) pairs and
//! broadcasts each A value's two parts, keeping two tiles of sums:
//! `re * b = (ar br, ar bi)` and `im * b = (ai br, ai bi)`. Only at the
//! end are the second's pairs swapped and folded in with one
//! subtract-add, `(ar br - ai bi, ar bi + ai br)`: the four real
//! multiply-adds of a complex one, and no shuffle inside the loop.

use super::kernels::{kernels_of, portable, MicroKernel};
use num_complex::Complex;
use std::sync::OnceLock;

kernels_of!(Complex<f64>, c64_kernels, c64_kernel, depth 8192, portable 2 x 4,
    x86 "AVX2" ["avx2", "fma"] 3 x 4 x86::c64_avx2,
    x86 "AVX-512" ["avx512f"] 4 x 12 x86::c64_avx512);
kernels_of!(Complex<f32>, c32_kernels, c32_kernel, depth 8192, portable 2 x 4,
    x86 "AVX2" ["avx2", "fma"] 3 x 8 x86::c32_avx2,
    x86 "AVX-512" ["avx512f"] 4 x 24 x86::c32_avx512);

#[cfg(target_arch = "x86_64")]
mod x86 {
    use num_complex::Complex;
    use std::arch::x86_64::*;

    /// A kernel on `VECS` vectors of `LANES` real parts per tile row, `MR`
    /// rows (see the module's docs); `$swap` swaps each (re, im) pair.
    macro_rules! complex_kernel {
        ($name:ident, $feature:literal, $re:ty, lanes $lanes:literal, rows $mr:literal,
         vectors $vecs:literal, $zero:ident, $load:ident, $set1:ident, $fma:ident,
         $swap:expr, $fmaddsub:ident, $store:ident) => {
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $name(
                kc: usize,
                a: *const Complex<$re>,
                b: *const Complex<$re>,
                tile: *mut Complex<$re>,
            ) {
                // `Complex` is `repr(C)`: (re, im) as two values.
                let (a, b, tile) = (a.cast::<$re>(), b.cast::<$re>(), tile.cast::<$re>());
                let mut by_re = [[$zero(); $vecs]; $mr];
                let mut by_im = [[$zero(); $vecs]; $mr];
                for p in 0..kc {
                    // SAFETY: the caller's contract: step p of each panel
                    // (MR values of A, VECS * LANES / 2 of B) is in
                    // bounds, and the CPU has the features.
                    unsafe {
                        let (a, b) = (a.add(2 * p * $mr), b.add(p * $vecs * $lanes));
                        let mut row = [$zero(); $vecs];
                        for (v, r) in row.iter_mut().enumerate() {
                            *r = $load(b.add(v * $lanes));
                        }
                        for i in 0..$mr {
                            let (x, y) = ($set1(*a.add(2 * i)), $set1(*a.add(2 * i + 1)));
                            for (v, r) in row.iter().enumerate() {
                                by_re[i][v] = $fma(x, *r, by_re[i][v]);
                                by_im[i][v] = $fma(y, *r, by_im[i][v]);
                            }
                        }
                    }
                }
                // Even lanes (real parts) subtract, odd ones add; the
                // multiply by one is exact, so each part rounds once.
                let one = $set1(1.0);
                for i in 0..$mr {
                    for v in 0..$vecs {
                        let sum = $fmaddsub(one, by_re[i][v], $swap(by_im[i][v]));
                        // SAFETY: the tile has room for MR x NR values.
                        unsafe { $store(tile.add((i * $vecs + v) * $lanes), sum) };
                    }
                }
            }
        };
    }

    complex_kernel!(c64_avx512, "avx512f", f64, lanes 8, rows 4, vectors 3,
        _mm512_setzero_pd, _mm512_loadu_pd, _mm512_set1_pd, _mm512_fmadd_pd,
        _mm512_permute_pd::<0b0101_0101>, _mm512_fmaddsub_pd, _mm512_storeu_pd);
    complex_kernel!(c32_avx512, "avx512f", f32, lanes 16, rows 4, vectors 3,
        _mm512_setzero_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_fmadd_ps,
        _mm512_permute_ps::<0b1011_0001>, _mm512_fmaddsub_ps, _mm512_storeu_ps);
    complex_kernel!(c64_avx2, "avx2,fma", f64, lanes 4, rows 3, vectors 2,
        _mm256_setzero_pd, _mm256_loadu_pd, _mm256_set1_pd, _mm256_fmadd_pd,
        _mm256_permute_pd::<0b0101>, _mm256_fmaddsub_pd, _mm256_storeu_pd);
    complex_kernel!(c32_avx2, "avx2,fma", f32, lanes 8, rows 3, vectors 2,
        _mm256_setzero_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_fmadd_ps,
        _mm256_permute_ps::<0b1011_0001>, _mm256_fmaddsub_ps, _mm256_storeu_ps);
}
