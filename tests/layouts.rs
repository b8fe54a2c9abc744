//! Targeted layout tests: every way of laying out an operand that a wrong
//! stride would read wrongly (transposed, stepped, reversed, broadcast with
//! stride 0, size-0 and size-1 axes), for unary, binary and ellipsis
//! equations, at sizes small and large enough to reach the parallel
//! scheduler, the innermost-loop kernels and the GEMM engine; and the same
//! results, bit for bit, on rayon pools of 1, 2 and 4 threads.

mod common;

use common::{assert_matches_reference, assert_values_match, dv, random, Rng, TestElem, C32, C64};
use einsum_static::{einsum, try_einsum};
use ndarray::{
    s, Array1, Array2, Array3, Array4, ArrayD, ArrayView, ArrayView1, ArrayView2, ArrayView4,
    ArrayViewD, Dimension, ShapeBuilder,
};
use std::panic::AssertUnwindSafe;

fn dyn_view<'a, T, D: Dimension>(v: &'a ArrayView<'_, T, D>) -> ArrayViewD<'a, T> {
    v.view().into_dyn()
}

/// One logical m x n matrix stored in many ways.
struct Matrices<T> {
    m: usize,
    n: usize,
    standard: Array2<T>,
    fortran: Array2<T>,
    transposed: Array2<T>,
    big: Array2<T>,
    row: Array2<T>,
    col: Array2<T>,
    one: Array2<T>,
}

impl<T: TestElem> Matrices<T> {
    fn new(m: usize, n: usize, seed: u64) -> Self {
        Matrices {
            m,
            n,
            standard: random((m, n), seed),
            fortran: random((m, n).f(), seed + 1),
            transposed: random((n, m), seed + 2),
            big: random((2 * m + 1, 3 * n + 1), seed + 3),
            row: random((1, n), seed + 4),
            col: random((m, 1), seed + 5),
            one: random((1, 1), seed + 6),
        }
    }

    /// (name, view) pairs, each of shape (m, n).
    fn views(&self) -> Vec<(&'static str, ArrayView2<'_, T>)> {
        let (m, n) = (self.m, self.n);
        let views = vec![
            ("standard", self.standard.view()),
            ("fortran", self.fortran.view()),
            ("transposed", self.transposed.t()),
            ("stepped", self.big.slice(s![1..;2, 1..;3])),
            ("reversed", self.standard.slice(s![..;-1, ..;-1])),
            ("stepped reversed", self.big.slice(s![1..;-2, 1..;-3])),
            (
                "reversed transposed",
                self.transposed.slice(s![..;-1, ..]).reversed_axes(),
            ),
            ("broadcast rows", self.row.broadcast((m, n)).unwrap()),
            ("broadcast columns", self.col.broadcast((m, n)).unwrap()),
            ("broadcast both", self.one.broadcast((m, n)).unwrap()),
        ];
        for (name, v) in &views {
            assert_eq!(v.dim(), (m, n), "{name}");
        }
        views
    }
}

/// One logical vector of length n stored in many ways.
struct Vectors<T> {
    n: usize,
    standard: Array1<T>,
    big: Array1<T>,
    one: Array1<T>,
}

impl<T: TestElem> Vectors<T> {
    fn new(n: usize, seed: u64) -> Self {
        Vectors {
            n,
            standard: random(n, seed),
            big: random(3 * n + 1, seed + 1),
            one: random(1, seed + 2),
        }
    }

    fn views(&self) -> Vec<(&'static str, ArrayView1<'_, T>)> {
        vec![
            ("standard", self.standard.view()),
            ("stepped", self.big.slice(s![1..;3])),
            ("reversed", self.standard.slice(s![..;-1])),
            ("stepped reversed", self.big.slice(s![1..;-3])),
            ("broadcast", self.one.broadcast(self.n).unwrap()),
        ]
    }
}

// ---------------------------------------------------------------------------
// Unary

/// Runs `f`, adding `what` to the message if it panics.
fn with_context(what: impl std::fmt::Display, f: impl FnOnce()) {
    if let Err(e) = std::panic::catch_unwind(AssertUnwindSafe(f)) {
        panic!("{what}: {}", common::panic_message(&*e));
    }
}

fn unary_matrix<T: TestElem>(m: usize, n: usize, seed: u64) {
    let store = Matrices::<T>::new(m, n, seed);
    for (name, v) in store.views() {
        let ops = [dyn_view(&v)];
        with_context(format_args!("{name} {m}x{n}"), || {
            assert_matches_reference("ij->ij", &ops, einsum!("ij->ij", &v));
            assert_matches_reference("ij->ji", &ops, einsum!("ij->ji", &v));
            assert_matches_reference("ij->i", &ops, einsum!("ij->i", &v));
            assert_matches_reference("ij->j", &ops, einsum!("ij->j", &v));
            assert_matches_reference("ij->", &ops, einsum!("ij->", &v));
            assert_matches_reference("ji", &ops, einsum!("ji", &v));
        });
    }
}

#[test]
fn unary_on_every_matrix_layout() {
    for &(m, n) in &[(5, 7), (1, 6), (6, 1), (1, 1), (0, 4), (4, 0), (0, 0)] {
        unary_matrix::<f64>(m, n, 10);
        unary_matrix::<i64>(m, n, 11);
    }
}

#[test]
fn unary_large_enough_for_threads() {
    // 300 x 400 = 120K elements: above the serial threshold.
    unary_matrix::<f64>(300, 400, 12);
    unary_matrix::<i64>(257, 301, 13);
    // Long rows and long columns.
    unary_matrix::<f64>(3, 40_000, 14);
    unary_matrix::<f64>(40_000, 3, 15);
}

fn square<T: TestElem>(n: usize, seed: u64) {
    let store = Matrices::<T>::new(n, n, seed);
    for (name, v) in store.views() {
        let ops = [dyn_view(&v)];
        let twice = [dyn_view(&v), dyn_view(&v)];
        with_context(format_args!("{name} {n}x{n}"), || {
            assert_matches_reference("ii->i", &ops, einsum!("ii->i", &v));
            assert_matches_reference("ii->", &ops, einsum!("ii->", &v));
            assert_matches_reference("ii", &ops, einsum!("ii", &v));
            assert_matches_reference("ij,ji->", &twice, einsum!("ij,ji->", &v, &v));
        });
    }
}

#[test]
fn diagonals_on_every_layout() {
    for n in [0, 1, 2, 7, 64, 300] {
        square::<f64>(n, 20 + n as u64);
        square::<i64>(n, 21 + n as u64);
    }
}

// ---------------------------------------------------------------------------
// Binary

/// Every pair of layouts when `all_pairs`, else a tenth of them (for sizes
/// where the reference is slow).
fn binary<T: TestElem>(m: usize, k: usize, n: usize, seed: u64) {
    binary_pairs::<T>(m, k, n, seed, true)
}

fn binary_pairs<T: TestElem>(m: usize, k: usize, n: usize, seed: u64, all_pairs: bool) {
    let keep = |i: usize, j: usize| all_pairs || (i * 3 + 1) % 10 == j;
    let a = Matrices::<T>::new(m, k, seed);
    let b = Matrices::<T>::new(k, n, seed + 100);
    let bt = Matrices::<T>::new(n, k, seed + 200);
    let a2 = Matrices::<T>::new(m, k, seed + 300);
    for (i, (an, av)) in a.views().into_iter().enumerate() {
        for (j, (bn, bv)) in b.views().into_iter().enumerate() {
            if !keep(i, j) {
                continue;
            }
            let ops = [dyn_view(&av), dyn_view(&bv)];
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                assert_matches_reference("ij,jk->ik", &ops, einsum!("ij,jk->ik", &av, &bv));
                assert_matches_reference("ij,jk->ki", &ops, einsum!("ij,jk->ki", &av, &bv));
                assert_matches_reference("ij,jk", &ops, try_einsum!("ij,jk", &av, &bv).unwrap());
            }));
            if let Err(e) = r {
                panic!(
                    "layouts {an} x {bn}, {m}x{k}x{n}: {}",
                    common::panic_message(&*e)
                );
            }
        }
        for (j, (bn, bv)) in bt.views().into_iter().enumerate() {
            if !keep(i, j) {
                continue;
            }
            let ops = [dyn_view(&av), dyn_view(&bv)];
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                assert_matches_reference("ij,kj->ik", &ops, einsum!("ij,kj->ik", &av, &bv));
            }));
            if let Err(e) = r {
                panic!(
                    "layouts {an} x {bn}^T, {m}x{k}x{n}: {}",
                    common::panic_message(&*e)
                );
            }
        }
        for (j, (bn, bv)) in a2.views().into_iter().enumerate() {
            if !keep(i, j) {
                continue;
            }
            let ops = [dyn_view(&av), dyn_view(&bv)];
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                assert_matches_reference("ij,ij->i", &ops, einsum!("ij,ij->i", &av, &bv));
                assert_matches_reference("ij,ij->j", &ops, einsum!("ij,ij->j", &av, &bv));
                assert_matches_reference("ij,ij->ij", &ops, einsum!("ij,ij->ij", &av, &bv));
                assert_matches_reference("ij,ij->", &ops, einsum!("ij,ij->", &av, &bv));
            }));
            if let Err(e) = r {
                panic!(
                    "layouts {an} . {bn}, {m}x{k}: {}",
                    common::panic_message(&*e)
                );
            }
        }
    }
}

#[test]
fn binary_small_on_every_pair_of_layouts() {
    for &(m, k, n) in &[
        (3, 4, 5),
        (1, 4, 1),
        (4, 1, 3),
        (0, 3, 2),
        (2, 0, 3),
        (2, 3, 0),
    ] {
        binary::<f64>(m, k, n, 30);
        binary::<i64>(m, k, n, 31);
    }
}

#[test]
fn binary_gemm_sized_on_every_pair_of_layouts_f64() {
    // 24 * 20 * 18 multiply-adds: large enough for the GEMM engine.
    binary::<f64>(24, 20, 18, 40);
}

#[test]
fn binary_gemm_sized_on_every_pair_of_layouts_other_types() {
    binary::<f32>(17, 19, 16, 41);
    binary::<C64>(16, 17, 18, 42);
    binary::<C32>(16, 16, 17, 43);
    binary::<i64>(20, 21, 22, 44);
}

#[test]
fn binary_large_enough_for_threads() {
    // Long inner loops cut into blocks, and wide outputs.
    binary_pairs::<f64>(70, 90, 60, 50, false);
    binary_pairs::<i64>(3, 5000, 2, 51, false);
}

fn vectors<T: TestElem>(n: usize, seed: u64) {
    let x = Vectors::<T>::new(n, seed);
    let y = Vectors::<T>::new(n, seed + 1);
    for (xn, xv) in x.views() {
        for (yn, yv) in y.views() {
            let ops = [dyn_view(&xv), dyn_view(&yv)];
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                assert_matches_reference("i,i->", &ops, einsum!("i,i->", &xv, &yv));
                assert_matches_reference("i,i->i", &ops, einsum!("i,i->i", &xv, &yv));
                if n <= 1000 {
                    assert_matches_reference("i,j->ij", &ops, einsum!("i,j->ij", &xv, &yv));
                    assert_matches_reference("i,j->ji", &ops, einsum!("i,j->ji", &xv, &yv));
                }
                assert_matches_reference("i->", &ops[..1], einsum!("i->", &xv));
            }));
            if let Err(e) = r {
                panic!(
                    "vectors {xn}, {yn}, n = {n}: {}",
                    common::panic_message(&*e)
                );
            }
        }
    }
}

#[test]
fn vectors_on_every_layout() {
    for n in [0, 1, 2, 3, 5, 8, 17, 33, 300] {
        vectors::<f64>(n, 60 + n as u64);
        vectors::<i64>(n, 61 + n as u64);
        vectors::<f32>(n, 62 + n as u64);
    }
    // Long enough for parallel blocks of the output and parallel sums.
    vectors::<f64>(200_000, 63);
    vectors::<i64>(100_003, 64);
}

// ---------------------------------------------------------------------------
// Ellipsis

/// A (p, q, m, n) array in several layouts: standard, the batch axes
/// stepped and reversed, batch-transposed, and broadcast along the batch.
fn batches<T: TestElem>(
    p: usize,
    q: usize,
    m: usize,
    n: usize,
    seed: u64,
) -> Vec<(String, Array4<T>, usize)> {
    // (name, storage, kind): the view is made by `batch_view`.
    vec![
        ("standard".into(), random((p, q, m, n), seed), 0),
        (
            "stepped".into(),
            random((2 * p + 1, q, 2 * m + 1, n), seed + 1),
            1,
        ),
        ("reversed".into(), random((p, q, m, n), seed + 2), 2),
        ("batch transposed".into(), random((q, p, n, m), seed + 3), 3),
        ("broadcast batch".into(), random((1, q, m, n), seed + 4), 4),
        ("fortran".into(), random((p, q, m, n).f(), seed + 5), 0),
    ]
}

fn batch_view<T>(
    a: &Array4<T>,
    kind: usize,
    shape: (usize, usize, usize, usize),
) -> ArrayView4<'_, T> {
    let v = match kind {
        0 => a.view(),
        1 => a.slice(s![1..;2, .., 1..;2, ..]),
        2 => a.slice(s![..;-1, ..;-1, .., ..;-1]),
        3 => a.view().permuted_axes([1, 0, 3, 2]),
        _ => a.broadcast(shape).unwrap(),
    };
    assert_eq!(v.dim(), shape);
    v
}

fn ellipsis<T: TestElem>(p: usize, q: usize, m: usize, k: usize, n: usize, seed: u64) {
    let xs = batches::<T>(p, q, m, k, seed);
    let ys = batches::<T>(p, q, k, n, seed + 10);
    // A right operand with only the last batch axis: broadcast over p.
    let y3: Array3<T> = random((q, k, n), seed + 20);
    let y3r = y3.slice(s![..;-1, .., ..;-1]);
    for (xn, x, xk) in &xs {
        let xv = batch_view(x, *xk, (p, q, m, k));
        for (yn, y, yk) in &ys {
            let yv = batch_view(y, *yk, (p, q, k, n));
            let ops = [dyn_view(&xv), dyn_view(&yv)];
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let eq = "...ij,...jk->...ik";
                assert_matches_reference(eq, &ops, einsum!("...ij,...jk->...ik", &xv, &yv));
                assert_matches_reference("...ij,...jk", &ops, einsum!("...ij,...jk", &xv, &yv));
                assert_matches_reference(
                    "...ij,...jk->i...k",
                    &ops,
                    einsum!("...ij,...jk->i...k", &xv, &yv),
                );
                let xx = [ops[0].view(), ops[0].view()];
                assert_matches_reference(
                    "ab...,ab...->...",
                    &xx,
                    einsum!("ab...,ab...->...", &xv, &xv),
                );
            }));
            if let Err(e) = r {
                panic!("batches {xn} x {yn}: {}", common::panic_message(&*e));
            }
        }
        for (yn, yv) in [("3-d", y3.view()), ("3-d reversed", y3r.view())] {
            let ops = [dyn_view(&xv), dyn_view(&yv)];
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                assert_matches_reference(
                    "...ij,...jk->...ik",
                    &ops,
                    einsum!("...ij,...jk->...ik", &xv, &yv),
                );
                assert_matches_reference("...i->...", &ops[..1], einsum!("...i->...", &xv));
                assert_matches_reference("i...->...", &ops[..1], einsum!("i...->...", &xv));
                assert_matches_reference(
                    "...ij->...ji",
                    &ops[..1],
                    try_einsum!("...ij->...ji", &xv).unwrap(),
                );
            }));
            if let Err(e) = r {
                panic!("batches {xn} x {yn}: {}", common::panic_message(&*e));
            }
        }
    }
}

#[test]
fn ellipsis_on_every_layout() {
    ellipsis::<f64>(2, 3, 2, 3, 4, 70);
    ellipsis::<i64>(2, 1, 3, 2, 1, 71);
    ellipsis::<f64>(1, 2, 0, 3, 2, 72);
    ellipsis::<f64>(0, 2, 2, 3, 2, 73);
}

#[test]
fn ellipsis_gemm_sized_batches() {
    // 3 x 3 = 9 batch slices of 16 x 16 x 17: GEMM calls run in parallel.
    ellipsis::<f64>(3, 3, 16, 16, 17, 74);
    // 2 slices: each GEMM call may use every thread.
    ellipsis::<f32>(2, 1, 20, 18, 24, 75);
}

#[test]
fn ellipsis_small_gemm_batches() {
    // 360 batch slices of 4 x 4 x 4 (and 5 x 3 x 6, 2 x 15 x 2): too small
    // for a GEMM call each, together enough work for the small-GEMM engine.
    ellipsis::<f64>(30, 12, 4, 4, 4, 76);
    ellipsis::<i64>(20, 9, 5, 3, 6, 77);
    ellipsis::<f32>(40, 10, 2, 15, 2, 78);
    // Up to 32^3 per product: 9 rows (4 + 4 + 1), 31 columns (16 + 8 + 4
    // + 3), 20 terms; and 12 columns (8 + 4) of 17 terms.
    ellipsis::<f64>(3, 4, 9, 20, 31, 79);
    ellipsis::<i64>(2, 5, 6, 17, 12, 81);
}

#[test]
fn small_gemm_random_sizes() {
    // Random batches of products with every count of rows and columns up
    // to 34, so that the small-GEMM engine meets each split of a row into
    // pieces of 16, 8 and 4 columns and a rest, and of the rows into fours
    // and a rest; every second batch reversed, and f64 against i64 (whose
    // engine bound is lower).
    let mut rng = Rng::new(97);
    let mut size = |most: u64| 1 + (rng.next_u64() % most) as usize;
    for case in 0..60u64 {
        let (b, m, k, n) = (size(8), size(34), size(34), size(34));
        let x: Array3<f64> = random((b, m, k), 200 + case);
        let y: Array3<f64> = random((b, k, n), 300 + case);
        let x = if case % 2 == 0 {
            x.view()
        } else {
            x.slice(s![..;-1, .., ..])
        };
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let ops = [dv(&x), dv(&y)];
            assert_matches_reference("bij,bjk->bik", &ops, einsum!("bij,bjk->bik", &x, &y));
            let (xi, yi) = (x.mapv(|v| (v * 8.0) as i64), y.mapv(|v| (v * 8.0) as i64));
            let ops = [dv(&xi), dv(&yi)];
            assert_matches_reference("bij,bjk->bik", &ops, einsum!("bij,bjk->bik", &xi, &yi));
        }));
        if let Err(e) = r {
            panic!(
                "{b} x ({m} x {k}) x ({k} x {n}): {}",
                common::panic_message(&*e)
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Size 0 and 1 in every position, with odd strides on the size-1 axes

#[test]
fn size_zero_and_one_axes() {
    let big: Array2<f64> = random((5, 6), 80);
    // A size-1 axis cut from the middle of a bigger one: a non-zero stride
    // that must never move.
    let row = big.slice(s![2..3, ..]); // (1, 6)
    let col = big.slice(s![.., 3..4]); // (5, 1)
    let none = big.slice(s![2..2, ..]); // (0, 6)
    let rev_col = big.slice(s![..;-1, 4..5]); // (5, 1)
    assert_matches_reference(
        "ij,jk->ik",
        &[dv(&row), dv(&big.t())],
        einsum!("ij,jk->ik", &row, &big.t()),
    );
    assert_matches_reference(
        "ij,jk->ik",
        &[dv(&col), dv(&row)],
        einsum!("ij,jk->ik", &col, &row),
    );
    assert_matches_reference(
        "ij,jk->ik",
        &[dv(&rev_col), dv(&row)],
        einsum!("ij,jk->ik", &rev_col, &row),
    );
    // Size-1 broadcasting of a named label: (5, 1) against (5, 6).
    assert_matches_reference(
        "ij,ij->ij",
        &[dv(&col), dv(&big.view())],
        einsum!("ij,ij->ij", &col, &big),
    );
    assert_matches_reference(
        "ij,ij->j",
        &[dv(&row), dv(&big.view())],
        einsum!("ij,ij->j", &row, &big),
    );
    assert_matches_reference(
        "ij,ij->",
        &[dv(&rev_col), dv(&row)],
        einsum!("ij,ij->", &rev_col, &row),
    );
    // Size 0: against size 1 it broadcasts to 0; summed it gives zeros.
    let zeros: Array2<f64> = einsum!("ij,jk->ik", &none.t(), &none);
    assert_eq!(zeros, Array2::zeros((6, 6)));
    assert_matches_reference(
        "ij,ij->ij",
        &[dv(&none), dv(&row)],
        einsum!("ij,ij->ij", &none, &row),
    );
    let empty: Array2<f64> = einsum!("ij,jk->ik", &none, &big.t());
    assert_eq!(empty.dim(), (0, 5));
    let s: f64 = einsum!("ij->", &none);
    assert_eq!(s, 0.0);
    let d: Array1<f64> = einsum!("ij->j", &none);
    assert_eq!(d, Array1::zeros(6));
}

// ---------------------------------------------------------------------------
// Thread pools

fn on_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn same_bits(what: &str, a: &ArrayD<f64>, b: &ArrayD<f64>, threads: usize) {
    assert_eq!(a.shape(), b.shape(), "{what}");
    let differ = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.to_bits() != y.to_bits())
        .count();
    assert_eq!(
        differ, 0,
        "{what}: {differ} elements differ between 1 and {threads} threads"
    );
}

/// Every result of the big equations, as ArrayD, on the current pool.
fn big_results(
    a: &Array2<f64>,
    b: &Array2<f64>,
    x: &Array2<f64>,
    batch_x: &Array4<f64>,
    batch_y: &Array4<f64>,
    chain: &[Array2<f64>; 3],
) -> Vec<(&'static str, ArrayD<f64>)> {
    vec![
        ("matmul", einsum!("ij,jk->ik", a, b).into_dyn()),
        (
            "matmul transposed",
            einsum!("ji,jk->ik", &a.t(), b).into_dyn(),
        ),
        (
            "matmul reversed",
            einsum!("ij,jk->ik", &a.slice(s![..;-1, ..]), b).into_dyn(),
        ),
        ("row dots", einsum!("ij,ij->i", x, x).into_dyn()),
        ("column sums", einsum!("ij->j", x).into_dyn()),
        ("row sums", einsum!("ij->i", x).into_dyn()),
        ("total", ndarray::arr0(einsum!("ij->", x)).into_dyn()),
        ("dot", ndarray::arr0(einsum!("ij,ij->", x, x)).into_dyn()),
        ("transpose", einsum!("ij->ji", x).into_dyn()),
        (
            "outer",
            einsum!("i,j->ij", &x.row(0), &x.column(1)).into_dyn(),
        ),
        ("batched", einsum!("...ij,...jk->...ik", batch_x, batch_y)),
        ("batch sums", einsum!("...ij->...j", batch_x)),
        (
            "chain",
            einsum!("ij,jk,kl->il", &chain[0], &chain[1], &chain[2]).into_dyn(),
        ),
    ]
}

#[test]
fn thread_pools_of_1_2_and_4_give_identical_results() {
    let a: Array2<f64> = random((130, 97), 90);
    let b: Array2<f64> = random((97, 111), 91);
    let x: Array2<f64> = random((400, 700), 92);
    let batch_x: Array4<f64> = random((3, 4, 40, 30), 93);
    let batch_y: Array4<f64> = random((3, 4, 30, 35), 94);
    let chain = [
        random((30, 40), 95),
        random((40, 50), 96),
        random((50, 60), 97),
    ];
    let one = on_pool(1, || big_results(&a, &b, &x, &batch_x, &batch_y, &chain));
    for threads in [2, 4] {
        let many = on_pool(threads, || {
            big_results(&a, &b, &x, &batch_x, &batch_y, &chain)
        });
        for ((what, r1), (_, rn)) in one.iter().zip(&many) {
            same_bits(what, r1, rn, threads);
        }
    }
    // And they are right.
    assert_values_match("ij,jk->ik", &[dv(&a), dv(&b)], &one[0].1);
    assert_values_match("ij,ij->i", &[dv(&x), dv(&x)], &one[3].1);
    assert_values_match("ij->", &[dv(&x)], &one[6].1);
    let bx = batch_x.view().into_dyn();
    let by = batch_y.view().into_dyn();
    assert_values_match("...ij,...jk->...ik", &[bx, by], &one[10].1);
    let chain_ops = [dv(&chain[0]), dv(&chain[1]), dv(&chain[2])];
    assert_values_match("ij,jk,kl->il", &chain_ops, &one[12].1);
}

#[test]
fn thread_pools_give_exact_integer_results() {
    let a: Array2<i64> = random((90, 80), 100);
    let b: Array2<i64> = random((80, 70), 101);
    let x: Array2<i64> = random((300, 500), 102);
    for threads in [1, 2, 4] {
        on_pool(threads, || {
            assert_matches_reference("ij,jk->ik", &[dv(&a), dv(&b)], einsum!("ij,jk->ik", &a, &b));
            assert_matches_reference("ij->", &[dv(&x)], einsum!("ij->", &x));
            assert_matches_reference("ij->j", &[dv(&x)], einsum!("ij->j", &x));
            let xt = x.t();
            assert_matches_reference(
                "ij,ij->i",
                &[xt.view().into_dyn(), xt.view().into_dyn()],
                einsum!("ij,ij->i", &xt, &xt),
            );
        });
    }
}

#[test]
fn threads_option_gives_the_same_bits() {
    let a: Array2<f64> = random((150, 90), 110);
    let b: Array2<f64> = random((90, 120), 111);
    let x: Array2<f64> = random((300, 400), 112);
    let ambient = einsum!("ij,jk->ik", &a, &b).into_dyn();
    let sums = einsum!("ij->j", &x).into_dyn();
    let total: f64 = einsum!("ij->", &x);
    for (threads, product, column_sums, all) in [
        (
            1,
            einsum!("ij,jk->ik", &a, &b; threads = 1),
            einsum!("ij->j", &x; threads = 1),
            einsum!("ij->", &x; threads = 1),
        ),
        (
            2,
            einsum!("ij,jk->ik", &a, &b; threads = 2),
            try_einsum!("ij->j", &x; threads = 2).unwrap(),
            einsum!("ij->", &x; threads = 2),
        ),
        (
            4,
            try_einsum!("ij,jk->ik", &a, &b; threads = 4).unwrap(),
            einsum!("ij->j", &x; threads = 4),
            try_einsum!("ij->", &x; threads = 4).unwrap(),
        ),
    ] {
        same_bits("matmul", &ambient, &product.into_dyn(), threads);
        same_bits("column sums", &sums, &column_sums.into_dyn(), threads);
        assert_eq!(total.to_bits(), all.to_bits(), "total on {threads} threads");
    }
    assert_values_match("ij,jk->ik", &[dv(&a), dv(&b)], &ambient);
    assert_values_match("ij->j", &[dv(&x)], &sums);
    // The parallel sections see the pool of the option.
    let plan = einsum_static::explain!("ij,jk->ik", &a, &b; threads = 3).unwrap();
    assert!(plan.to_string().contains("threads: 3"), "{plan}");
}

/// Matrix-vector products large enough for the engines' checks: the
/// matrix-vector engine takes those whose matrix rows and vector are
/// contiguous along the summed label (standard, rows reversed, and Fortran
/// for the transposed forms), four rows at a time; the GEMM engine the
/// other matrices; the generated loops those with a strided vector. Every
/// one must match the reference, odd row counts included.
fn matrix_vector<T: TestElem>(m: usize, n: usize, seed: u64) {
    let store = Matrices::<T>::new(m, n, seed);
    let rows_reversed = store.standard.slice(s![..;-1, ..]);
    let mut views = store.views();
    views.push(("rows reversed", rows_reversed));
    let along_rows = Vectors::<T>::new(n, seed + 10);
    let along_columns = Vectors::<T>::new(m, seed + 20);
    for (name, a) in &views {
        for ((xn, x), (yn, y)) in along_rows.views().into_iter().zip(along_columns.views()) {
            with_context(format_args!("{name} {m}x{n}, vectors {xn} / {yn}"), || {
                let ops = [dyn_view(a), dyn_view(&x)];
                assert_matches_reference("ij,j->i", &ops, einsum!("ij,j->i", a, &x));
                let ops = [dyn_view(&x), dyn_view(a)];
                assert_matches_reference("j,ij->i", &ops, einsum!("j,ij->i", &x, a));
                let ops = [dyn_view(a), dyn_view(&y)];
                assert_matches_reference("ij,i->j", &ops, einsum!("ij,i->j", a, &y));
            });
        }
    }
}

#[test]
fn matrix_vector_on_every_layout() {
    for &(m, n) in &[(203, 97), (4, 1100), (1001, 5), (7, 1024)] {
        matrix_vector::<f64>(m, n, 60);
        matrix_vector::<f32>(m, n, 61);
        matrix_vector::<i64>(m, n, 62);
    }
}

/// Transposing sums (`ijk->kj`) sum tiles of rows: as one long row when
/// the tile's rows lie end to end (contiguous input, the whole k per
/// tile), row by row otherwise (stepped, reversed, k cut into blocks by
/// the threads); the same bits on every pool, and right.
#[test]
fn transposing_sums_in_tiles_on_every_layout() {
    let cube: Array3<f64> = random((70, 60, 50), 110);
    let big: Array3<f64> = random((70, 121, 100), 111);
    let views = [
        ("standard", cube.view()),
        ("stepped", big.slice(s![.., 1..;2, ..;2])),
        ("reversed", cube.slice(s![..;-1, ..;-1, ..])),
        ("permuted", cube.view().permuted_axes([2, 0, 1])),
    ];
    for (name, x) in views {
        let one = on_pool(1, || einsum!("ijk->kj", &x).into_dyn());
        assert_values_match("ijk->kj", &[x.view().into_dyn()], &one);
        for threads in [2, 4] {
            let many = on_pool(threads, || einsum!("ijk->kj", &x).into_dyn());
            same_bits(name, &one, &many, threads);
        }
        let ints = x.mapv(|v| (v * 100.0) as i64);
        assert_matches_reference(
            "ijk,ijk->kj",
            &[dv(&ints), dv(&ints)],
            einsum!("ijk,ijk->kj", &ints, &ints),
        );
    }
}
