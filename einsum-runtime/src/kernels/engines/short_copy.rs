//! Copying a short run of values (a tile row's) without calling `memcpy`.

/// Copies `len` values from `src` to `dst` in pieces of fixed sizes (the
/// bits of `len`), so that a tile row's run compiles to a few moves: a
/// call to `memcpy` costs more than such a run.
///
/// # Safety
/// `src` and `dst` hold `len` values each and do not overlap.
#[inline(always)]
pub(crate) unsafe fn copy_short<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    /// Copies the piece of `N` values at `done` if `len` has the bit `N`.
    ///
    /// # Safety
    /// As for [`copy_short`]; the bits of `len` above `N` are done.
    #[inline(always)]
    unsafe fn piece<T: Copy, const N: usize>(
        src: *const T,
        dst: *mut T,
        len: usize,
        done: &mut usize,
    ) {
        if len & N != 0 {
            // SAFETY: the caller's contract: `done + N <= len`.
            unsafe {
                let values = src.add(*done).cast::<[T; N]>().read_unaligned();
                dst.add(*done).cast::<[T; N]>().write_unaligned(values);
            }
            *done += N;
        }
    }
    let mut done = 0;
    while len - done >= 128 {
        // SAFETY: 128 values at `done` are in both.
        unsafe { piece::<T, 128>(src, dst, 128, &mut done) };
    }
    // SAFETY (all): `done` is a multiple of 128, so the rest is the low
    // bits of `len`, taken largest first.
    unsafe {
        piece::<T, 64>(src, dst, len, &mut done);
        piece::<T, 32>(src, dst, len, &mut done);
        piece::<T, 16>(src, dst, len, &mut done);
        piece::<T, 8>(src, dst, len, &mut done);
        piece::<T, 4>(src, dst, len, &mut done);
        piece::<T, 2>(src, dst, len, &mut done);
        piece::<T, 1>(src, dst, len, &mut done);
    }
}

#[cfg(test)]
mod tests {
    use super::copy_short;

    #[test]
    fn copies_every_length_and_nothing_past_it() {
        let src: Vec<u32> = (1..=300).collect();
        for len in 0..=290 {
            let mut dst = vec![0u32; 300];
            // SAFETY: both hold 300 >= len values and are distinct.
            unsafe { copy_short(src.as_ptr(), dst.as_mut_ptr(), len) };
            assert_eq!(dst[..len], src[..len], "length {len}");
            assert!(dst[len..].iter().all(|&v| v == 0), "length {len}");
        }
    }
}
