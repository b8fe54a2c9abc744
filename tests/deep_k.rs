//! A single deep product with a small output (`ik,kj->ij` with k in the
//! thousands, `ikl,jkl->ij`) has its k axis cut into slices, each on one
//! thread, added in order: checked against the reference for every element
//! type, strided operands and outputs, `alpha` and `beta`; the same bits
//! for any thread count; fewer slices under a small memory limit; and
//! `explain!` says so.

mod common;

use common::*;
use einsum_static::{einsum, explain};
use ndarray::{s, Array2, Array3, ShapeBuilder};

/// `ik,kj->ij` for m x k by k x n operands of `T`.
fn matmul<T: TestElem>(m: usize, k: usize, n: usize, seed: u64) {
    let a = random::<T, _>((m, k), seed);
    let b = random::<T, _>((k, n), seed + 1);
    let c = einsum!("ik,kj->ij", &a, &b);
    assert_matches_reference(
        "ik,kj->ij",
        &[a.view().into_dyn(), b.view().into_dyn()],
        c.clone(),
    );
    for threads in [1, 2, 3] {
        let again = einsum!("ik,kj->ij", &a, &b; threads = threads);
        assert!(same_bits(&again, &c), "{} threads", threads);
    }
}

/// Whether two arrays hold the same values, bit for bit (NaN included).
fn same_bits<T: TestElem>(x: &Array2<T>, y: &Array2<T>) -> bool {
    x.shape() == y.shape()
        && x.iter()
            .zip(y)
            .all(|(p, q)| format!("{p:?}") == format!("{q:?}"))
}

#[test]
fn deep_products_match_the_reference_for_every_element_type() {
    matmul::<f64>(7, 4100, 9, 1);
    matmul::<f32>(5, 2048, 3, 2);
    matmul::<C64>(3, 3000, 4, 3);
    matmul::<C32>(4, 2500, 2, 4);
    matmul::<i64>(6, 5000, 5, 5);
    matmul::<i32>(2, 9000, 7, 6);
}

#[test]
fn explain_names_the_slices_and_a_small_budget_cuts_fewer() {
    let a = random::<f64, _>((8, 4096), 7);
    let b = random::<f64, _>((4096, 8), 8);
    let plan = explain!("ik,kj->ij", &a, &b).unwrap().to_string();
    assert!(plan.contains("k cut into 4 slices"), "{plan}");
    assert!(plan.contains("the 4 slices of k"), "{plan}");
    // Scratch for one more slice (8 x 8 f64s) and no more.
    let small = explain!("ik,kj->ij", &a, &b; memory_limit = 8 * 8 * 8)
        .unwrap()
        .to_string();
    assert!(small.contains("k cut into 2 slices"), "{small}");
    let none = explain!("ik,kj->ij", &a, &b; memory_limit = 0)
        .unwrap()
        .to_string();
    assert!(!none.contains("slices"), "{none}");
    let sliced = einsum!("ik,kj->ij", &a, &b);
    let whole = einsum!("ik,kj->ij", &a, &b; memory_limit = 0);
    let ops = [a.view().into_dyn(), b.view().into_dyn()];
    assert_matches_reference("ik,kj->ij", &ops, sliced);
    assert_matches_reference("ik,kj->ij", &ops, whole);
}

#[test]
fn strided_operands_and_outputs_with_alpha_and_beta() {
    // ikl,jkl->ij: k and l fuse into one deep axis of 64 x 64.
    let x = random::<f64, _>((6, 64, 64), 9);
    let y = random::<f64, _>((5, 64, 64), 10);
    let expected = einsum!("ikl,jkl->ij", &x, &y; memory_limit = 0);
    let ops = [x.view().into_dyn(), y.view().into_dyn()];
    assert_matches_reference("ikl,jkl->ij", &ops, expected.clone());
    // Into a reversed, Fortran-order output, scaled: 2 * xy + 0.5 * old.
    let old = random::<f64, _>((6, 5).f(), 11);
    let mut out = old.clone();
    let mut view = out.slice_mut(s![..;-1, ..]);
    einsum!("ikl,jkl->ij", &x.slice(s![..;-1, .., ..]), &y; out = &mut view, alpha = 2.0, beta = 0.5);
    let want = &expected * 2.0 + &old * 0.5;
    for ((i, j), value) in out.indexed_iter() {
        let w = want[[i, j]];
        assert!(
            (value - w).abs() <= 1e-9 * (1.0 + w.abs()),
            "[{i}, {j}]: {value} vs {w}"
        );
    }
    // Operands with a stepped deep axis.
    let wide = random::<f64, _>((3, 8192), 12);
    let tall = Array3::from_shape_fn((4096, 2, 2), |(k, p, q)| (k % 5 + p + q) as f64);
    let stepped = wide.slice(s![.., ..;2]);
    let r = einsum!("ik,kpq->ipq", &stepped, &tall);
    let ops = [stepped.into_dyn(), tall.view().into_dyn()];
    assert_matches_reference("ik,kpq->ipq", &ops, r);
}
