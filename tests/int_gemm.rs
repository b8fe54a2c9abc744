//! The integer GEMM engine (i32, i64) through `einsum!`: GEMM-class
//! equations at sizes above the engine's threshold (4096 multiply-adds),
//! on contiguous, transposed, stepped and reversed views, against the
//! reference einsum; the same results on pools of 1 to 3 threads; and
//! products that overflow, which wrap instead of panicking.

mod common;

use common::{assert_matches_reference, dv, random, Rng, TestElem};
use einsum_static::einsum;
use ndarray::{s, Array2, Array3, ArrayView2, ArrayView3};

const LAYOUTS: [&str; 4] = ["contiguous", "transposed", "stepped", "reversed"];

/// One logical r x c matrix, stored for a layout of [`LAYOUTS`].
struct Matrix<T> {
    layout: &'static str,
    data: Array2<T>,
}

impl<T: TestElem> Matrix<T> {
    fn new(r: usize, c: usize, layout: &'static str, seed: u64) -> Self {
        let data = match layout {
            "transposed" => random((c, r), seed),
            "stepped" => random((2 * r, c), seed),
            _ => random((r, c), seed),
        };
        Matrix { layout, data }
    }

    fn view(&self) -> ArrayView2<'_, T> {
        match self.layout {
            "transposed" => self.data.t(),
            "stepped" => self.data.slice(s![..;2, ..]),
            "reversed" => self.data.slice(s![..;-1, ..;-1]),
            _ => self.data.view(),
        }
    }
}

/// One logical b x r x c array, stored for a layout of [`LAYOUTS`].
struct Batch<T> {
    layout: &'static str,
    data: Array3<T>,
}

impl<T: TestElem> Batch<T> {
    fn new(b: usize, r: usize, c: usize, layout: &'static str, seed: u64) -> Self {
        let data = match layout {
            "transposed" => random((b, c, r), seed),
            "stepped" => random((b, r, 3 * c), seed),
            _ => random((b, r, c), seed),
        };
        Batch { layout, data }
    }

    fn view(&self) -> ArrayView3<'_, T> {
        match self.layout {
            "transposed" => self.data.view().permuted_axes([0, 2, 1]),
            "stepped" => self.data.slice(s![.., .., ..;3]),
            "reversed" => self.data.slice(s![..;-1, ..;-1, ..]),
            _ => self.data.view(),
        }
    }
}

/// Every pair of layouts of two matrices: "ij,jk->ik", "ij,kj->ik" and
/// "ij,jk->ki" (a transposed output), with sizes that leave remainders.
fn matrix_products<T: TestElem>() {
    let (m, k, n) = (37, 53, 41);
    for (x, &la) in LAYOUTS.iter().enumerate() {
        for (y, &lb) in LAYOUTS.iter().enumerate() {
            let seed = (10 * x + y) as u64;
            let a = Matrix::<T>::new(m, k, la, seed);
            let b = Matrix::<T>::new(k, n, lb, seed + 100);
            let bt = Matrix::<T>::new(n, k, lb, seed + 200);
            let (a, b, bt) = (a.view(), b.view(), bt.view());
            let ops = [dv(&a), dv(&b)];
            assert_matches_reference("ij,jk->ik", &ops, einsum!("ij,jk->ik", &a, &b));
            assert_matches_reference("ij,jk->ki", &ops, einsum!("ij,jk->ki", &a, &b));
            let ops = [dv(&a), dv(&bt)];
            assert_matches_reference("ij,kj->ik", &ops, einsum!("ij,kj->ik", &a, &bt));
        }
    }
}

/// Batched products and a product over two summed labels, every layout.
fn batched_products<T: TestElem>() {
    for (x, &layout) in LAYOUTS.iter().enumerate() {
        let seed = 1000 + 10 * x as u64;
        let a = Batch::<T>::new(4, 33, 40, layout, seed);
        let b = Batch::<T>::new(4, 40, 35, LAYOUTS[(x + 1) % 4], seed + 1);
        let (a, b) = (a.view(), b.view());
        let ops = [dv(&a), dv(&b)];
        assert_matches_reference("bij,bjk->bik", &ops, einsum!("bij,bjk->bik", &a, &b));
        // A batch of matrix-vector products: one output column per GEMM.
        let v = b.slice(s![.., .., 0]);
        let ops = [dv(&a), dv(&v)];
        assert_matches_reference("bij,bj->bi", &ops, einsum!("bij,bj->bi", &a, &v));
        // j and k summed together: fused into one depth, or looped over
        // with accumulating GEMMs where the layout keeps them apart.
        let c = Batch::<T>::new(20, 8, 9, layout, seed + 2);
        let d = Batch::<T>::new(8, 9, 30, LAYOUTS[(x + 2) % 4], seed + 3);
        let (c, d) = (c.view(), d.view());
        let ops = [dv(&c), dv(&d)];
        assert_matches_reference("ijk,jkl->il", &ops, einsum!("ijk,jkl->il", &c, &d));
    }
}

/// A product large enough to split across threads, and one with a single
/// output row (the engine runs it transposed).
fn large_and_narrow<T: TestElem>() {
    let a: Array2<T> = random((300, 290), 7);
    let b: Array2<T> = random((290, 310), 8);
    let ops = [a.view().into_dyn(), b.view().into_dyn()];
    let c = einsum!("ij,jk->ik", &a, &b);
    assert_matches_reference("ij,jk->ik", &ops, c.clone());
    for threads in 1..=3 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| einsum!("ij,jk->ik", &a, &b)), c);
    }
    let row = a.slice(s![3..4, ..]);
    let ops = [dv(&row), b.view().into_dyn()];
    assert_matches_reference("ij,jk->ik", &ops, einsum!("ij,jk->ik", &row, &b));
}

#[test]
fn int_gemm_i64_matrix_products() {
    matrix_products::<i64>();
}

#[test]
fn int_gemm_i32_matrix_products() {
    matrix_products::<i32>();
}

#[test]
fn int_gemm_i64_batched_products() {
    batched_products::<i64>();
}

#[test]
fn int_gemm_i32_batched_products() {
    batched_products::<i32>();
}

#[test]
fn int_gemm_large_and_narrow() {
    large_and_narrow::<i64>();
    large_and_narrow::<i32>();
}

/// Full-range values: products and sums overflow and wrap (modulo 2^64 or
/// 2^32, whatever the summation order), where `*` would panic in a debug
/// build; so this also shows that the GEMM engine, not the generated
/// loops, ran.
#[test]
fn int_gemm_wraps_on_overflow() {
    let mut rng = Rng::new(99);
    let a = Array2::from_shape_simple_fn((40, 50), || rng.next_u64() as i64);
    let b = Array2::from_shape_simple_fn((50, 60), || rng.next_u64() as i64);
    let expected = Array2::from_shape_fn((40, 60), |(i, k)| {
        (0..50).fold(0i64, |s, j| {
            s.wrapping_add(a[[i, j]].wrapping_mul(b[[j, k]]))
        })
    });
    assert_eq!(einsum!("ij,jk->ik", &a, &b), expected);
    let (a, b) = (a.mapv(|x| x as i32), b.mapv(|x| x as i32));
    let expected = expected.mapv(|x| x as i32);
    assert_eq!(einsum!("ij,jk->ik", &a, &b), expected);
}
