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
            *acc = *acc + x;
        }
    }
    let tail = chunks.remainder().iter().fold(T::zero(), |s, &x| s + x);
    combine(acc) + tail
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
            *acc = *acc + x * y;
        }
    }
    let tail = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .fold(T::zero(), |s, (&x, &y)| s + x * y);
    combine(acc) + tail
}

#[inline(always)]
fn combine<T: Element, const L: usize>(mut acc: [T; L]) -> T {
    let mut width = L;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            acc[i] = acc[i] + acc[i + width];
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
                    return unsafe { x86::sum_avx512::<$t, $lanes>(a) };
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: as above.
                    return unsafe { x86::sum_avx2::<$t, $lanes>(a) };
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
                    return unsafe { x86::dot_avx512::<$t, $lanes>(a, b) };
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: as above.
                    return unsafe { x86::dot_avx2::<$t, $lanes>(a, b) };
                }
            }
            $crate::kernels::simd::dot_lanes::<$t, $lanes>(a, b)
        }
    };
}
pub(crate) use float_reductions;

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    use super::{dot_lanes, sum_lanes};
    use crate::Element;

    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn sum_avx512<T: Element, const L: usize>(a: &[T]) -> T {
        sum_lanes::<T, L>(a)
    }

    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn sum_avx2<T: Element, const L: usize>(a: &[T]) -> T {
        sum_lanes::<T, L>(a)
    }

    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn dot_avx512<T: Element, const L: usize>(a: &[T], b: &[T]) -> T {
        dot_lanes::<T, L>(a, b)
    }

    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn dot_avx2<T: Element, const L: usize>(a: &[T], b: &[T]) -> T {
        dot_lanes::<T, L>(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
