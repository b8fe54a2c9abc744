//! Unit-stride sums and dot products with many accumulators, compiled for
//! AVX-512 and AVX2 as well as the baseline, and chosen once per call by
//! the CPU's features, so a default build uses the wide units.
//!
//! The accumulators break the chain of dependent adds, and let the
//! compiler keep them in vector registers. Every path adds in the same
//! order, so the result does not depend on the CPU's features.

use crate::Element;

/// `sum(a)` with `L` accumulators, combined pairwise.
#[inline(always)]
pub(crate) fn sum_lanes<T: Element, const L: usize>(a: &[T]) -> T {
    let mut acc = [T::zero(); L];
    let mut chunks = a.chunks_exact(L);
    for chunk in &mut chunks {
        for (acc, &x) in acc.iter_mut().zip(chunk) {
            *acc = acc.add_wrapping(x);
        }
    }
    finish_sum(acc, chunks.remainder())
}

/// `sum(a[t] * b[t])` with `L` accumulators, combined pairwise.
#[inline(always)]
pub(crate) fn dot_lanes<T: Element, const L: usize>(a: &[T], b: &[T]) -> T {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut acc = [T::zero(); L];
    let (mut xs, mut ys) = (a.chunks_exact(L), b.chunks_exact(L));
    for (x, y) in (&mut xs).zip(&mut ys) {
        for ((acc, &x), &y) in acc.iter_mut().zip(x).zip(y) {
            *acc = acc.add_wrapping(x.mul_wrapping(y));
        }
    }
    finish_dot(acc, xs.remainder(), ys.remainder())
}

/// The accumulators combined, plus the elements after the last whole chunk.
#[inline(always)]
fn finish_sum<T: Element, const L: usize>(acc: [T; L], tail: &[T]) -> T {
    combine(acc).add_wrapping(tail.iter().fold(T::zero(), |s, &x| s.add_wrapping(x)))
}

/// As [`finish_sum`], for a dot product.
#[inline(always)]
fn finish_dot<T: Element, const L: usize>(acc: [T; L], a: &[T], b: &[T]) -> T {
    let tail = a.iter().zip(b);
    combine(acc).add_wrapping(tail.fold(T::zero(), |s, (&x, &y)| s.add_wrapping(x.mul_wrapping(y))))
}

/// Runs `f` compiled for AVX-512 or AVX2 when the CPU has them, for
/// elementwise loops (`row[t] += a[t] * b[t]`), which the compiler then
/// vectorizes on the wide registers by itself; baseline code otherwise.
/// Elementwise results do not depend on the vector width (each element
/// gets the same operations; nothing is fused or reordered). Loops over
/// fewer `elements` than a few registers hold skip the dispatch.
#[inline(always)]
pub(crate) fn on_wide_units<R>(elements: usize, f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if elements >= 32 {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has the feature the function is built for.
            return unsafe { x86::run_avx512(f) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { x86::run_avx2(f) };
        }
    }
    let _ = elements;
    f()
}

#[inline(always)]
fn combine<T: Element, const L: usize>(mut acc: [T; L]) -> T {
    let mut width = L;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            acc[i] = acc[i].add_wrapping(acc[i + width]);
        }
    }
    acc[0]
}

/// Implements `Element::sum_unit` and `dot_unit` for a float type with
/// `$lanes` accumulators, dispatched on the CPU's features.
macro_rules! float_reductions {
    ($t:ty, $lanes:literal) => {
        fn sum_unit(a: &[$t]) -> $t {
            #[cfg(target_arch = "x86_64")]
            {
                use $crate::kernels::simd::x86;
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has the feature the function is built for.
                    return unsafe { <$t as x86::Wide>::sum_avx512(a) };
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: as above.
                    return unsafe { <$t as x86::Wide>::sum_avx2(a) };
                }
            }
            $crate::kernels::simd::sum_lanes::<$t, $lanes>(a)
        }

        fn dot_unit(a: &[$t], b: &[$t]) -> $t {
            #[cfg(target_arch = "x86_64")]
            {
                use $crate::kernels::simd::x86;
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has the feature the function is built for.
                    return unsafe { <$t as x86::Wide>::dot_avx512(a, b) };
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: as above.
                    return unsafe { <$t as x86::Wide>::dot_avx2(a, b) };
                }
            }
            $crate::kernels::simd::dot_lanes::<$t, $lanes>(a, b)
        }

        fn dot_rows(rows: [&[$t]; 4], x: &[$t]) -> [$t; 4] {
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has the feature the function is built for.
                return unsafe {
                    <$t as $crate::kernels::simd::x86::Wide>::dot_rows_avx512(rows, x)
                };
            }
            rows.map(|row| Self::dot_unit(row, x))
        }
    };
}
pub(crate) use float_reductions;

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    //! The same accumulators as [`sum_lanes`](super::sum_lanes) and
    //! [`dot_lanes`](super::dot_lanes), written with intrinsics: left to
    //! itself, the compiler packed them into 128-bit registers and spilled
    //! them to the stack. Register `r` holds accumulators `r * W..(r + 1) *
    //! W`, each product is a multiply then an add (no fused multiply-add),
    //! and the registers are combined as the portable code combines its
    //! array, so every path gives the same bits.

    use super::{finish_dot, finish_sum};
    use std::arch::x86_64::*;

    /// `f()` compiled for AVX-512 (see [`on_wide_units`](super::on_wide_units)).
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn run_avx512<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    /// `f()` compiled for AVX2.
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn run_avx2<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    /// Sums and dot products on 256- and 512-bit registers.
    pub(crate) trait Wide: Sized {
        /// # Safety
        /// The CPU must have AVX-512F.
        unsafe fn sum_avx512(a: &[Self]) -> Self;
        /// # Safety
        /// The CPU must have AVX-512F.
        unsafe fn dot_avx512(a: &[Self], b: &[Self]) -> Self;
        /// [`Element::dot_rows`](crate::Element::dot_rows) in one pass.
        ///
        /// # Safety
        /// The CPU must have AVX-512F.
        unsafe fn dot_rows_avx512(rows: [&[Self]; 4], x: &[Self]) -> [Self; 4];
        /// # Safety
        /// The CPU must have AVX2.
        unsafe fn sum_avx2(a: &[Self]) -> Self;
        /// # Safety
        /// The CPU must have AVX2.
        unsafe fn dot_avx2(a: &[Self], b: &[Self]) -> Self;
    }

    /// Functions `sum` and `dot` for element `$t` with `$lanes` accumulators in
    /// registers `$v` of `$w` elements, for CPU feature `$feature`.
    macro_rules! wide {
        // 512-bit registers also get `dot_rows`.
        ("avx512f", $($args:tt)*) => {
            wide!(@base "avx512f", $($args)*);
            wide_rows!($($args)*);
        };
        ("avx2", $($args:tt)*) => {
            wide!(@base "avx2", $($args)*);
        };
        (@base $feature:literal, $t:ty, $lanes:literal, $v:ty, $w:literal,
         $zero:ident, $load:ident, $store:ident, $add:ident, $mul:ident) => {
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn sum(a: &[$t]) -> $t {
                const R: usize = $lanes / $w;
                let whole = a.len() - a.len() % $lanes;
                let mut acc: [$v; R] = [$zero(); R];
                for start in (0..whole).step_by($lanes) {
                    for (r, acc) in acc.iter_mut().enumerate() {
                        // SAFETY: start + $lanes <= whole <= a.len().
                        let x = unsafe { $load(a.as_ptr().add(start + r * $w)) };
                        *acc = $add(*acc, x);
                    }
                }
                finish_sum(spill(acc), &a[whole..])
            }

            #[target_feature(enable = $feature)]
            pub(super) unsafe fn dot(a: &[$t], b: &[$t]) -> $t {
                const R: usize = $lanes / $w;
                let len = a.len().min(b.len());
                let whole = len - len % $lanes;
                let mut acc: [$v; R] = [$zero(); R];
                for start in (0..whole).step_by($lanes) {
                    for (r, acc) in acc.iter_mut().enumerate() {
                        // SAFETY: start + $lanes <= whole <= both lengths.
                        let (x, y) = unsafe {
                            let at = start + r * $w;
                            ($load(a.as_ptr().add(at)), $load(b.as_ptr().add(at)))
                        };
                        *acc = $add(*acc, $mul(x, y));
                    }
                }
                finish_dot(spill(acc), &a[whole..len], &b[whole..len])
            }

            /// The registers as the portable code's accumulator array.
            #[target_feature(enable = $feature)]
            fn spill(acc: [$v; $lanes / $w]) -> [$t; $lanes] {
                let mut lanes = [0.0; $lanes];
                for (r, acc) in acc.into_iter().enumerate() {
                    // SAFETY: lanes r * $w..(r + 1) * $w lie inside the array.
                    unsafe { $store(lanes.as_mut_ptr().add(r * $w), acc) };
                }
                lanes
            }
        };
    }

    /// Function `dot_rows`: four rows' dot products with one vector, each
    /// row with `wide!`'s accumulators (so each result has `dot`'s bits),
    /// loading each piece of the vector once for the four rows. Only for
    /// 512-bit registers: four rows' accumulators need 16 of the 32.
    macro_rules! wide_rows {
        ($t:ty, $lanes:literal, $v:ty, $w:literal,
         $zero:ident, $load:ident, $store:ident, $add:ident, $mul:ident) => {
            #[target_feature(enable = "avx512f")]
            pub(super) unsafe fn dot_rows(rows: [&[$t]; 4], x: &[$t]) -> [$t; 4] {
                const R: usize = $lanes / $w;
                let len = rows.iter().fold(x.len(), |len, row| len.min(row.len()));
                let whole = len - len % $lanes;
                let mut acc: [[$v; R]; 4] = [[$zero(); R]; 4];
                for start in (0..whole).step_by($lanes) {
                    for r in 0..R {
                        let at = start + r * $w;
                        // SAFETY: at + $w <= whole <= every length.
                        let y = unsafe { $load(x.as_ptr().add(at)) };
                        for (row, acc) in rows.iter().zip(acc.iter_mut()) {
                            // SAFETY: as above.
                            let a = unsafe { $load(row.as_ptr().add(at)) };
                            acc[r] = $add(acc[r], $mul(a, y));
                        }
                    }
                }
                let mut out = [0.0; 4];
                for ((out, acc), row) in out.iter_mut().zip(acc).zip(rows) {
                    *out = finish_dot(spill(acc), &row[whole..len], &x[whole..len]);
                }
                out
            }
        };
    }

    /// The four reductions of `$t`, from the `wide!` functions in `$m512`
    /// and `$m256`.
    macro_rules! impl_wide {
        ($t:ty, $m512:ident, $m256:ident) => {
            impl Wide for $t {
                unsafe fn sum_avx512(a: &[$t]) -> $t {
                    // SAFETY: forwarded from the caller.
                    unsafe { $m512::sum(a) }
                }
                unsafe fn dot_avx512(a: &[$t], b: &[$t]) -> $t {
                    // SAFETY: forwarded from the caller.
                    unsafe { $m512::dot(a, b) }
                }
                unsafe fn dot_rows_avx512(rows: [&[$t]; 4], x: &[$t]) -> [$t; 4] {
                    // SAFETY: forwarded from the caller.
                    unsafe { $m512::dot_rows(rows, x) }
                }
                unsafe fn sum_avx2(a: &[$t]) -> $t {
                    // SAFETY: forwarded from the caller.
                    unsafe { $m256::sum(a) }
                }
                unsafe fn dot_avx2(a: &[$t], b: &[$t]) -> $t {
                    // SAFETY: forwarded from the caller.
                    unsafe { $m256::dot(a, b) }
                }
            }
        };
    }

    // The accumulator counts are `Element::sum_unit`'s for each type
    // (element.rs): 32 for f64, 64 for f32.
    mod f64_512 {
        use super::*;
        wide!(
            "avx512f",
            f64,
            32,
            __m512d,
            8,
            _mm512_setzero_pd,
            _mm512_loadu_pd,
            _mm512_storeu_pd,
            _mm512_add_pd,
            _mm512_mul_pd
        );
    }
    mod f64_256 {
        use super::*;
        wide!(
            "avx2",
            f64,
            32,
            __m256d,
            4,
            _mm256_setzero_pd,
            _mm256_loadu_pd,
            _mm256_storeu_pd,
            _mm256_add_pd,
            _mm256_mul_pd
        );
    }
    mod f32_512 {
        use super::*;
        wide!(
            "avx512f",
            f32,
            64,
            __m512,
            16,
            _mm512_setzero_ps,
            _mm512_loadu_ps,
            _mm512_storeu_ps,
            _mm512_add_ps,
            _mm512_mul_ps
        );
    }
    mod f32_256 {
        use super::*;
        wide!(
            "avx2",
            f32,
            64,
            __m256,
            8,
            _mm256_setzero_ps,
            _mm256_loadu_ps,
            _mm256_storeu_ps,
            _mm256_add_ps,
            _mm256_mul_ps
        );
    }
    impl_wide!(f64, f64_512, f64_256);
    impl_wide!(f32, f32_512, f32_256);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::hooks::ElementKernels;

    /// Values whose sums round differently in every order.
    fn awkward<T: From<f32>>(len: usize, seed: u32) -> Vec<T> {
        (0..len as u32)
            .map(|i| {
                let x = (i.wrapping_mul(2_654_435_761) ^ seed) % 1_000_003;
                T::from(x as f32 / 7.0 - 71_428.0 + 1.0 / (1.0 + i as f32))
            })
            .collect()
    }

    /// Every path must add in the portable code's order: the same bits.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn vector_paths_give_the_portable_bits() {
        use x86::Wide;
        fn check<T: Element + Wide + From<f32> + PartialEq + std::fmt::Debug, const L: usize>() {
            for len in (0..300).chain([1000, 4099]) {
                let (a, b) = (awkward::<T>(len, 1), awkward::<T>(len + 3, 2));
                let sum = sum_lanes::<T, L>(&a);
                let dot = dot_lanes::<T, L>(&a, &b);
                assert_eq!(T::sum_unit(&a), sum, "len {len}");
                assert_eq!(T::dot_unit(&a, &b), dot, "len {len}");
                let rows: Vec<Vec<T>> = (3..7).map(|seed| awkward(len, seed)).collect();
                let rows = [&rows[0][..], &rows[1], &rows[2], &rows[3]];
                let each = rows.map(|row| dot_lanes::<T, L>(row, &a));
                assert_eq!(T::dot_rows(rows, &a), each, "len {len}");
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has the feature.
                    unsafe {
                        assert_eq!(T::sum_avx2(&a), sum, "len {len}");
                        assert_eq!(T::dot_avx2(&a, &b), dot, "len {len}");
                    }
                }
                if std::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has the feature.
                    unsafe {
                        assert_eq!(T::sum_avx512(&a), sum, "len {len}");
                        assert_eq!(T::dot_avx512(&a, &b), dot, "len {len}");
                    }
                }
            }
        }
        check::<f64, 32>();
        check::<f32, 64>();
    }

    #[test]
    fn every_length_sums_every_element() {
        for len in 0..100usize {
            let a: Vec<f64> = (0..len).map(|i| i as f64).collect();
            let expected = (len * len.saturating_sub(1) / 2) as f64;
            assert_eq!(f64::sum_unit(&a), expected);
            assert_eq!(f64::dot_unit(&a, &vec![1.0; len]), expected);
            let ints: Vec<i64> = (0..len as i64).collect();
            assert_eq!(i64::sum_unit(&ints), expected as i64);
        }
    }
}
