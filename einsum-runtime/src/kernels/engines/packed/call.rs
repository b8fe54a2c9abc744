//! One GEMM call (2-D strides) on the packed engine: the integer types'
//! GEMM (no GEMM crate covers them), with the same packing, blocking and
//! micro-kernels as the transpose-free engine. Arithmetic wraps (as `+`
//! and `*` do in release builds), so the result is exact modulo 2^bits in
//! any summation order: it does not depend on the CPU's features or the
//! thread count, and debug builds do not panic.

use super::kernels::MicroKernel;
use super::Packed;
use crate::context::Context;
use crate::kernels::engines::dims::Axis;
use crate::kernels::engines::groups::Groups;
use crate::kernels::GemmCall;
use crate::Element;

/// `dst = alpha * lhs * rhs + beta * dst` (`call.scale`) on `kernel`, on
/// `call.threads` threads of the pool it is called from.
///
/// # Safety
/// The pointers and strides of `call` must describe valid `m x n`, `m x k`
/// and `k x n` matrices, the output must not overlap the inputs, and no
/// other thread may access the output meanwhile; the CPU has the kernel's
/// features.
pub(crate) unsafe fn gemm_call<T: Element>(call: &GemmCall<T>, kernel: &MicroKernel<T>) {
    let (m, n, k) = (call.m, call.n, call.k);
    let ((dst, drs, dcs), (lhs, lrs, lcs), (rhs, rrs, rcs)) = (call.dst, call.lhs, call.rhs);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // An empty sum: `beta * dst`, or 0.
        for i in 0..m as isize {
            for j in 0..n as isize {
                // SAFETY: (i, j) is an element of the m x n output, read
                // only when the scale reads it (it is then initialized).
                unsafe {
                    let o = dst.offset(i * drs + j * dcs);
                    o.write(call.scale.apply(T::zero(), || o.read()));
                }
            }
        }
        return;
    }
    let axis = |len, a, b, out| vec![Axis { len, a, b, out }];
    let groups = Groups {
        batch: Vec::new(),
        m: axis(m, lrs, 0, drs),
        n: axis(n, 0, rcs, dcs),
        k: axis(k, lcs, rrs, 0),
    };
    let plan = Packed::with_kernel::<T>(&groups, kernel);
    // The ambient context: the call already runs on its pool.
    let context = Context::default();
    let pointers = (lhs, rhs, dst);
    // SAFETY: forwarded; the tables are the matrices' strides.
    unsafe { plan.run_with(kernel, &context, call.threads, pointers, Some(call.scale)) }
}

#[cfg(test)]
mod tests {
    use super::super::kernels::{i32_kernels, i64_kernels};
    use super::*;
    use crate::kernels::engines::test_rng::Rng;
    use crate::scale::Scale;

    /// The offset of element (i, j) of a matrix with strides (rs, cs).
    fn at(i: usize, j: usize, rs: isize, cs: isize) -> isize {
        i as isize * rs + j as isize * cs
    }

    /// An r x c matrix stored in a buffer with some layout: its storage,
    /// the offset of element (0, 0) and the strides.
    struct Matrix<T> {
        data: Vec<T>,
        origin: usize,
        rs: isize,
        cs: isize,
    }

    impl<T: Element> Matrix<T> {
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
    fn check<T: Element>(run: &dyn Fn(&GemmCall<T>), value: fn(u64) -> T, seed: u64) {
        let mut rng = Rng(seed);
        let mut sizes = vec![
            (1, 1, 1),
            (1, 300, 7),
            (300, 1, 5),
            (5, 3, 1),
            (17, 33, 129),
        ];
        // Past one slice of k (512 i64, 1024 i32) and one block of rows.
        sizes.extend([
            (70, 270, 260),
            (64, 256, 128),
            (9, 20, 300),
            (150, 30, 1100),
        ]);
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
                        s = s.add_wrapping(a.get(i, p).mul_wrapping(b.get(p, j)));
                    }
                    let old = beta.mul_wrapping(c.get(i, j));
                    expected[i * n + j] = alpha.mul_wrapping(s).add_wrapping(old);
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
            // The matrices are valid for their strides, and c is apart.
            run(&call);
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

    /// Every kernel the CPU runs, on the calls of `check`.
    fn check_kernels<T: Element>(kernels: Vec<MicroKernel<T>>, value: fn(u64) -> T, seed: u64) {
        for kernel in kernels {
            // SAFETY: `check` makes calls of valid matrices, c apart; the
            // CPU runs every kernel listed.
            check::<T>(&|call| unsafe { gemm_call(call, &kernel) }, value, seed);
        }
    }

    #[test]
    fn every_integer_kernel_matches_naive_loops() {
        check_kernels::<i64>(i64_kernels(), small, 1);
        check_kernels::<i64>(i64_kernels(), wide, 2);
        check_kernels::<i32>(i32_kernels(), |x| small(x) as i32, 3);
        check_kernels::<i32>(i32_kernels(), |x| x as i32, 4);
    }

    #[test]
    fn an_empty_depth_zeroes_or_keeps() {
        let kernel = super::super::kernels::i64_kernel();
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
        unsafe { gemm_call(&call, &kernel) };
        assert_eq!(c, [5; 6]);
        call.scale = Scale::new(7, 3);
        // SAFETY: as above.
        unsafe { gemm_call(&call, &kernel) };
        assert_eq!(c, [15; 6]);
        call.scale = Scale::alpha(1);
        // SAFETY: as above.
        unsafe { gemm_call(&call, &kernel) };
        assert_eq!(c, [0; 6]);
    }
}
