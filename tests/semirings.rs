//! `semiring = ...`: hand-checked values, the element-type rules, empty
//! sums, every feature with a semiring, bits for any thread count, and
//! `explain!`. (Every generated equation also runs over each semiring:
//! tests/equations.rs.)

mod common;

use common::{dv, random, reference_over, RingElem};
use einsum_static::{einsum, explain, try_einsum};
use ndarray::{array, s, Array1, Array2, Array3, ArrayD};

#[test]
fn tropical_products_by_hand() {
    let a = array![[0.0, 5.0], [1.0, 2.0]];
    let b = array![[1.0, 0.0], [0.0, 3.0]];
    assert_eq!(
        einsum!("ij,jk->ik", &a, &b; semiring = max_plus),
        array![[5.0, 8.0], [2.0, 5.0]]
    );
    assert_eq!(
        einsum!("ij,jk->ik", &a, &b; semiring = min_plus),
        array![[1.0, 0.0], [2.0, 1.0]]
    );
    assert_eq!(
        einsum!("ij,jk->ik", &a, &b; semiring = max_product),
        array![[0.0, 15.0], [1.0, 6.0]]
    );
    let ints = array![[3i64, -2], [7, 0]];
    assert_eq!(einsum!("ij->i", &ints; semiring = max_plus), array![3, 7]);
    assert_eq!(einsum!("ii", &ints; semiring = min_plus), 0);
    // log_sum_exp: stable for terms whose exp overflows.
    let big = array![1000.0, 1000.0];
    let lse: f64 = einsum!("i->", &big; semiring = log_sum_exp);
    assert!((lse - (1000.0 + 2f64.ln())).abs() < 1e-12, "{lse}");
}

#[test]
fn empty_sums_are_the_semirings_zero() {
    let a = Array2::<f64>::zeros((3, 0));
    let b = Array2::<f64>::zeros((0, 2));
    let best = einsum!("ij,jk->ik", &a, &b; semiring = max_plus);
    assert!(best.iter().all(|&x| x == f64::NEG_INFINITY));
    let shortest = einsum!("ij,jk->ik", &a, &b; semiring = min_plus);
    assert!(shortest.iter().all(|&x| x == f64::INFINITY));
    let lse = einsum!("ij,jk->ik", &a, &b; semiring = log_sum_exp);
    assert!(lse.iter().all(|&x| x == f64::NEG_INFINITY));
    let ints = Array2::<i32>::zeros((2, 0));
    assert_eq!(
        einsum!("ij->i", &ints; semiring = max_plus),
        array![i32::MIN, i32::MIN]
    );
}

#[test]
fn paths_slices_ellipsis_and_factors() {
    let x: Array3<f64> = random((3, 4, 5), 1);
    let y: Array3<f64> = random((3, 5, 6), 2);
    let z: Array2<f64> = random((6, 7), 3);
    let ring = f64::ring("max_plus").unwrap();
    // Three operands along a path, sliced under a tiny memory limit.
    let r = einsum!("bij,bjk,kl->bil", &x, &y, &z; semiring = max_plus, memory_limit = 256);
    let expected = reference_over("bij,bjk,kl->bil", &[dv(&x), dv(&y), dv(&z)], &ring).value;
    close(&r.into_dyn(), &expected);
    let plan =
        explain!("bij,bjk,kl->bil", &x, &y, &z; semiring = max_plus, memory_limit = 256).unwrap();
    assert!(!plan.sliced().is_empty(), "{plan}");
    assert_eq!(plan.semiring(), "max_plus");
    assert!(
        plan.to_string().contains("semiring:              max_plus"),
        "{plan}"
    );
    // Ellipsis and a repeated label.
    let r = einsum!("...ij,...jk->...ik", &x, &y; semiring = log_sum_exp);
    let lse = f64::ring("log_sum_exp").unwrap();
    close(
        &r,
        &reference_over("...ij,...jk->...ik", &[dv(&x), dv(&y)], &lse).value,
    );
    let sq: Array2<f64> = random((5, 5), 4);
    let diag: Array1<f64> = einsum!("ii->i", &sq; semiring = min_plus);
    assert_eq!(diag, sq.diag());
    // out, alpha and beta: out = max(alpha + E, beta + out), a reversed out.
    let old: Array3<f64> = random((3, 4, 6), 5);
    let mut out = old.clone();
    try_einsum!("bij,bjk->bik", &x, &y; out = out.slice_mut(s![.., ..;-1, ..]), semiring = max_plus, alpha = 1.0, beta = -0.5)
        .unwrap();
    let e = reference_over("bij,bjk->bik", &[dv(&x), dv(&y)], &ring).value;
    let old_rev = old.slice(s![.., ..;-1, ..]).to_owned().into_dyn();
    let mut expected = e.mapv(|v| v + 1.0);
    expected.zip_mut_with(&old_rev, |v, &o| *v = v.max(o - 0.5));
    close(
        &out.slice(s![.., ..;-1, ..]).to_owned().into_dyn(),
        &expected,
    );
}

#[test]
fn bits_do_not_depend_on_the_thread_count() {
    let a: Array2<f64> = random((300, 200), 6);
    let b: Array2<f64> = random((200, 100), 7);
    let c: Array2<f64> = random((100, 50), 8);
    let one = einsum!("ij,jk,kl->il", &a, &b, &c; semiring = log_sum_exp, threads = 1);
    let four = einsum!("ij,jk,kl->il", &a, &b, &c; semiring = log_sum_exp, threads = 4);
    assert_eq!(one, four);
    let one = einsum!("ij,jk->ik", &a, &b; semiring = min_plus, threads = 1);
    let three = einsum!("ij,jk->ik", &a, &b; semiring = min_plus, threads = 3);
    assert_eq!(one, three);
}

fn close(actual: &ArrayD<f64>, expected: &ArrayD<f64>) {
    assert_eq!(actual.shape(), expected.shape());
    for (x, y) in actual.iter().zip(expected) {
        assert!(
            x == y || (x - y).abs() <= 1e-12 * (1.0 + y.abs()),
            "{x} != {y}"
        );
    }
}
