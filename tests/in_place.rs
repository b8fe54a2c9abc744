//! `out = ...`: results written into the caller's arrays, of any layout,
//! by every engine; the shape error that leaves the array untouched; rank-0
//! places; `explain!` saying so. (Every generated equation also runs in
//! place: tests/equations.rs.)

mod common;

use common::{dv, random, reference_einsum};
use einsum_static::{einsum, explain, try_einsum, EinsumError};
use ndarray::{s, Array0, Array1, Array2, Array3, ArrayD, ShapeBuilder};

#[test]
fn a_wrong_shape_is_an_error_and_leaves_the_output_untouched() {
    let a: Array2<f64> = random((3, 4), 1);
    let b: Array2<f64> = random((4, 5), 2);
    let mut c: Array2<f64> = random((5, 3), 3);
    let before = c.clone();
    let err = try_einsum!("ij,jk->ik", &a, &b; out = &mut c).unwrap_err();
    assert_eq!(
        err,
        EinsumError::OutputShape {
            expected: vec![3, 5],
            found: vec![5, 3]
        }
    );
    assert_eq!(
        err.to_string(),
        "the output given as `out` has shape [5, 3] but the result has shape [3, 5]"
    );
    assert_eq!(c, before);
    // Three operands, and a dynamic rank that is wrong.
    let mut d = ArrayD::<f64>::from_elem(vec![3, 5, 1], 7.0);
    let err = try_einsum!("ij,jk,kl->il", &a, &b, &b.t(); out = &mut d).unwrap_err();
    assert!(matches!(err, EinsumError::OutputShape { .. }), "{err}");
    assert!(d.iter().all(|&x| x == 7.0));
}

#[test]
#[should_panic(
    expected = "einsum: the output given as `out` has shape [2] but the result has shape [3]"
)]
fn einsum_panics_with_the_shape_error() {
    let a: Array2<f64> = random((3, 4), 1);
    let mut r = Array1::<f64>::zeros(2);
    einsum!("ij->i", &a; out = &mut r);
}

#[test]
fn rank_zero_results_go_to_a_scalar_place_or_an_array0() {
    let a: Array1<f64> = random(50, 4);
    let b: Array1<f64> = random(50, 5);
    let mut dot = f64::NAN;
    einsum!("i,i->", &a, &b; out = &mut dot);
    assert_eq!(dot, einsum!("i,i->", &a, &b));
    let mut zero = Array0::<f64>::from_elem((), f64::NAN);
    einsum!("i,i", &a, &b; out = &mut zero);
    assert_eq!(zero[()], dot);
    let m: Array2<i64> = Array2::from_shape_fn((6, 6), |(i, j)| (i * 6 + j) as i64);
    let mut trace = 0i64;
    try_einsum!("ii", &m; out = &mut trace).unwrap();
    assert_eq!(trace, (0..6).map(|i| (i * 7) as i64).sum::<i64>());
}

#[test]
fn every_engine_writes_through_the_strides_of_the_output() {
    // GEMM-sized (the gemm crate), small batched products, a matrix-vector
    // product, an outer product and a sum, each into a transposed, reversed
    // and stepped output holding stale values; bits equal to the allocating
    // form wherever the output's layout is standard.
    let a: Array2<f64> = random((96, 80), 6);
    let b: Array2<f64> = random((80, 72), 7);
    let fresh = einsum!("ij,jk->ik", &a, &b);
    let mut standard = Array2::<f64>::from_elem((96, 72), f64::NAN);
    einsum!("ij,jk->ik", &a, &b; out = &mut standard);
    assert_eq!(standard, fresh);
    let mut transposed = Array2::<f64>::from_elem((72, 96), f64::NAN);
    einsum!("ij,jk->ik", &a, &b; out = transposed.view_mut().reversed_axes());
    close(
        &transposed.t().to_owned().into_dyn(),
        &fresh.clone().into_dyn(),
    );
    let mut big = Array2::<f64>::from_elem((192, 147), f64::NAN);
    let mut stepped = big.slice_mut(s![..;-2, 3..;2]);
    einsum!("ij,jk->ik", &a, &b; out = &mut stepped);
    close(&stepped.to_owned().into_dyn(), &fresh.into_dyn());
    assert!(
        big.slice(s![.., 0..3]).iter().all(|x| x.is_nan()),
        "outside the view"
    );

    let x: Array3<f64> = random((64, 4, 5), 8);
    let y: Array3<f64> = random((64, 5, 6), 9);
    let mut z = Array3::<f64>::from_elem((64, 4, 6).f(), f64::NAN);
    einsum!("bij,bjk->bik", &x, &y; out = &mut z);
    close(
        &z.into_dyn(),
        &reference_einsum("bij,bjk->bik", &[dv(&x), dv(&y)]),
    );

    let v: Array1<f64> = random(80, 10);
    let mut mv = Array1::<f64>::from_elem(96, f64::NAN);
    einsum!("ij,j->i", &a, &v; out = mv.slice_mut(s![..;-1]));
    close(
        &mv.slice(s![..;-1]).to_owned().into_dyn(),
        &reference_einsum("ij,j->i", &[dv(&a), dv(&v)]),
    );

    let mut outer = Array2::<f64>::from_elem((80, 96).f(), f64::NAN);
    einsum!("i,j->ij", &v, &a.column(0); out = &mut outer);
    assert_eq!(outer, einsum!("i,j->ij", &v, &a.column(0)));
}

#[test]
fn split_sums_add_their_copies_into_a_reversed_output() {
    // Column sums of a tall matrix: the summed axis is cut into slices
    // whose partial sums are added in order, as for an allocated output.
    let a: Array2<f64> = random((40_000, 8), 11);
    let fresh = einsum!("ij->j", &a; threads = 3);
    let mut r = Array1::<f64>::from_elem(8, f64::NAN);
    einsum!("ij->j", &a; out = r.slice_mut(s![..;-1]), threads = 2);
    assert_eq!(r.slice(s![..;-1]), fresh);
}

#[test]
fn paths_of_three_operands_write_their_last_step_in_place() {
    let a: Array2<f64> = random((30, 20), 12);
    let b: Array2<f64> = random((20, 25), 13);
    let c: Array2<f64> = random((25, 10), 14);
    let fresh = einsum!("ij,jk,kl->il", &a, &b, &c);
    let mut out = Array2::<f64>::from_elem((10, 30), f64::NAN);
    einsum!("ij,jk,kl->il", &a, &b, &c; out = out.view_mut().reversed_axes(), memory_limit = 2048);
    close(&out.t().to_owned().into_dyn(), &fresh.into_dyn());
    let mut standard = Array2::<f64>::from_elem((30, 10), f64::NAN);
    einsum!("ij,jk,kl->il", &a, &b, &c; out = &mut standard, memory_limit = 2048);
    assert_eq!(
        standard,
        einsum!("ij,jk,kl->il", &a, &b, &c; memory_limit = 2048)
    );
}

#[test]
fn explain_says_the_output_is_written_in_place() {
    let a: Array2<f64> = random((3, 4), 1);
    let mut c = Array2::<f64>::zeros((3, 3));
    let plan = explain!("ij,kj->ik", &a, &a; out = &mut c).unwrap();
    assert!(plan.is_in_place());
    assert!(
        plan.to_string()
            .contains("output:                written in place"),
        "{plan}"
    );
    let plan = explain!("ij,kj->ik", &a, &a).unwrap();
    assert!(
        plan.to_string()
            .contains("output:                a new array"),
        "{plan}"
    );
    let mut wrong = Array2::<f64>::zeros((3, 4));
    assert!(explain!("ij,kj->ik", &a, &a; out = &mut wrong).is_err());
}

fn close(actual: &ArrayD<f64>, expected: &ArrayD<f64>) {
    assert_eq!(actual.shape(), expected.shape());
    for (x, y) in actual.iter().zip(expected) {
        assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "{x} != {y}");
    }
}
