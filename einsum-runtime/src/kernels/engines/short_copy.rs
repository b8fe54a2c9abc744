//! Copying a short run of values (a tile row's) without calling `memcpy`.

/// Copies `len` values from `src` to `dst` in blocks of fixed sizes (the
/// bits of the byte count), so that a tile row or a panel's step under
/// 256 bytes compiles to a few moves: a call to `memcpy`, which LLVM
/// emits for a copy of a run-time length, costs more than such a copy.
/// (LLVM may still merge the 128-byte blocks of a longer copy into one
/// call, which its length pays for.)
///
/// # Safety
/// `src` and `dst` hold `len` values each and do not overlap.
#[inline(always)]
pub(crate) unsafe fn copy_short<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    let (src, dst) = (src.cast::<u8>(), dst.cast::<u8>());
    let bytes = len * size_of::<T>();
    // SAFETY (all): the blocks below lie in the `bytes` at both ends,
    // each bit of `bytes` copied once, largest first.
    unsafe {
        if bytes >= 1024 {
            // Long enough for `memcpy` to pay.
            return std::ptr::copy_nonoverlapping(src, dst, bytes);
        }
        let mut done = 0;
        for bit in [512, 256, 128] {
            if bytes & bit != 0 {
                for _ in 0..bit / 128 {
                    block::<128>(src, dst, &mut done);
                }
            }
        }
        macro_rules! blocks_of_bits {
            ($($bit:literal)*) => {$(
                if bytes & $bit != 0 {
                    block::<$bit>(src, dst, &mut done);
                }
            )*};
        }
        blocks_of_bits!(64 32 16 8 4 2 1);
    }
}

/// Copies the `N` bytes at `done` and moves `done` past them.
///
/// # Safety
/// Both ends hold `done + N` bytes.
#[inline(always)]
unsafe fn block<const N: usize>(src: *const u8, dst: *mut u8, done: &mut usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let bytes = src.add(*done).cast::<[u8; N]>().read_unaligned();
        dst.add(*done).cast::<[u8; N]>().write_unaligned(bytes);
    }
    *done += N;
}

#[cfg(test)]
mod tests {
    use super::copy_short;

    #[test]
    fn copies_every_length_and_nothing_past_it() {
        let src: Vec<u32> = (1..=300).collect();
        for len in 0..=300 {
            let mut dst = vec![0u32; 300];
            // SAFETY: both hold 300 >= len values and are distinct.
            unsafe { copy_short(src.as_ptr(), dst.as_mut_ptr(), len) };
            assert_eq!(dst[..len], src[..len], "length {len}");
            assert!(dst[len..].iter().all(|&v| v == 0), "length {len}");
        }
    }
}
