//! One GEMM call on every layout of its three matrices: row-major,
//! column-major, rows or columns reversed (negative strides), stepped.
//! The engine hands the gemm crate's kernels a column-major product with
//! no negative stride (transposing the product, walking axes from their
//! other end); each layout is checked against the reference, into a new
//! array and into reversed `out` views of C- and Fortran-order arrays.

mod common;

use common::*;
use einsum_static::einsum;
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};

/// The views of one `rows` x `cols` matrix that the cases take: `store`
/// holds room for the stepped one.
fn views<T: TestElem>(store: &Array2<T>, rows: usize, cols: usize) -> Vec<ArrayView2<'_, T>> {
    let plain = store.slice(s![..rows, ..cols]);
    vec![
        plain,
        store.slice(s![..rows;-1, ..cols]),
        store.slice(s![..rows, ..cols;-1]),
        store.slice(s![..2 * rows;2, ..cols]),
    ]
}

/// Every layout of an m x k by k x n product, and of its output.
fn every_layout<T: TestElem>(m: usize, k: usize, n: usize, seed: u64) {
    let a_rows = random::<T, _>((2 * m, k), seed);
    let a_cols = random::<T, _>((2 * k, m).f(), seed + 1);
    let b_rows = random::<T, _>((2 * k, n), seed + 2);
    let b_cols = random::<T, _>((2 * n, k).f(), seed + 3);
    let mut a_views = views(&a_rows, m, k);
    a_views.extend(views(&a_cols, k, m).into_iter().map(|v| v.reversed_axes()));
    let mut b_views = views(&b_rows, k, n);
    b_views.extend(views(&b_cols, n, k).into_iter().map(|v| v.reversed_axes()));
    for a in &a_views {
        for b in &b_views {
            let ops = [a.view().into_dyn(), b.view().into_dyn()];
            let c = einsum!("ik,kj->ij", a, b);
            assert_matches_reference("ik,kj->ij", &ops, c);
            let fortran = random::<T, _>((m, n).f(), seed + 4);
            for mut out in [fortran.clone(), fortran.as_standard_layout().to_owned()] {
                let mut reversed: ArrayViewMut2<'_, T> = out.slice_mut(s![.., ..;-1]);
                einsum!("ik,kj->ij", a, b; out = &mut reversed);
                let got = out.slice(s![.., ..;-1]).to_owned().into_dyn();
                assert_values_match("ik,kj->ij", &ops, &got);
            }
        }
    }
}

#[test]
fn every_layout_of_a_gemm_matches_the_reference() {
    every_layout::<f64>(67, 83, 45, 1);
    every_layout::<f32>(45, 70, 66, 2);
    every_layout::<C64>(40, 37, 35, 3);
}
