//! `semiring = ...`: hand-checked values, the element-type rules, empty
//! sums, every feature with a semiring, bits for any thread count, and
//! `explain!`. (Every generated equation also runs over each semiring:
//! tests/equations.rs.)

mod common;

use common::{dv, random, reference_over, RingElem};
use einsum_static::{einsum, explain, try_einsum};
use ndarray::{array, s, Array1, Array2, Array3, ArrayD, ArrayView2};

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

/// The packed kernel's name in `last_engine`.
const PACKED: Option<&str> = Some("packed semiring kernel");

/// `zero ⊕ ... ⊕ (a[i, p] ⊗ b[p, k])` over p in order: the loops' fold.
fn naive<T: Copy>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    zero: T,
    add: impl Fn(T, T) -> T,
    mul: impl Fn(T, T) -> T,
) -> Array2<T> {
    Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, k)| {
        (0..a.ncols()).fold(zero, |acc, p| add(acc, mul(a[[i, p]], b[[p, k]])))
    })
}

fn max_of<T: PartialOrd>(acc: T, t: T) -> T {
    if t > acc {
        t
    } else {
        acc
    }
}

fn min_of<T: PartialOrd>(acc: T, t: T) -> T {
    if t < acc {
        t
    } else {
        acc
    }
}

/// Matrix products on the packed kernel, exactly equal to the loops' fold:
/// several blocks of k (deeper than a packed block), of rows and of
/// columns, with transposed, reversed and stepped operands.
#[test]
fn packed_kernel_matches_the_fold_exactly() {
    let a: Array2<f64> = random((300, 300), 11);
    let b: Array2<f64> = random((300, 520), 12);
    let b = b.slice(s![.., ..;2]); // 260 columns, stride 2
    let _ = einsum_runtime::kernels::last_engine();
    let got = einsum!("ij,jk->ik", &a, &b; semiring = max_plus);
    assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
    assert_eq!(
        got,
        naive(a.view(), b.view(), f64::NEG_INFINITY, max_of, |x, y| x + y)
    );
    // Transposed, reversed operands; a transposed output.
    let at = a.t();
    let br = b.slice(s![..;-1, ..]);
    let mut out = Array2::<f64>::zeros((260, 300));
    einsum!("ji,jk->ik", &at, &br; out = out.view_mut().reversed_axes(), semiring = min_plus);
    assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
    let expected = naive(at.t(), br.view(), f64::INFINITY, min_of, |x, y| x + y);
    assert_eq!(out.t(), expected);
    // max_product on numbers >= 0.
    let (a, b) = (a.slice(s![..70, ..]), b.slice(s![.., ..90]));
    let got = einsum!("ij,jk->ik", &a, &b; semiring = max_product);
    assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
    assert_eq!(got, naive(a, b, f64::NEG_INFINITY, max_of, |x, y| x * y));
}

/// Integers: wrapping `+`, the bound absorbing, in every width; f32.
#[test]
fn packed_kernel_on_integers_and_f32() {
    let mut rng = common::Rng::new(13);
    let picks = [
        i64::MIN,
        i64::MAX,
        i64::MAX - 1,
        i64::MIN + 1,
        -1,
        0,
        7,
        1 << 40,
    ];
    let mut wide = |r: usize, c: usize| {
        Array2::from_shape_fn((r, c), |_| match rng.below(4) {
            0 => picks[rng.below(picks.len() as u64) as usize],
            _ => rng.next_u64() as i64,
        })
    };
    let (a, b) = (wide(40, 200), wide(200, 33));
    macro_rules! check {
        ($t:ty) => {{
            let (a, b) = (a.mapv(|x| x as $t), b.mapv(|x| x as $t));
            let max = einsum!("ij,jk->ik", &a, &b; semiring = max_plus);
            assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
            let plus = |zero: $t| move |x: $t, y: $t| {
                if x == zero || y == zero { zero } else { x.wrapping_add(y) }
            };
            assert_eq!(max, naive(a.view(), b.view(), <$t>::MIN, max_of, plus(<$t>::MIN)));
            let min = einsum!("ik,kj->ji", &b.t(), &a.t(); semiring = min_plus);
            let expected = naive(a.view(), b.view(), <$t>::MAX, min_of, plus(<$t>::MAX));
            assert_eq!(min, expected);
            let times = einsum!("ij,jk->ik", &a, &b; semiring = max_product);
            let mul = |x: $t, y: $t| {
                if x == <$t>::MIN || y == <$t>::MIN { <$t>::MIN } else { x.wrapping_mul(y) }
            };
            assert_eq!(times, naive(a.view(), b.view(), <$t>::MIN, max_of, mul));
        }};
    }
    check!(i64);
    check!(i32);
    check!(i16);
    check!(u8);
    check!(i128);
    let a: Array2<f32> = random((100, 150), 14);
    let b: Array2<f32> = random((150, 70), 15);
    let got = einsum!("ij,jk->ik", &a, &b; semiring = max_plus);
    assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
    assert_eq!(
        got,
        naive(a.view(), b.view(), f32::NEG_INFINITY, max_of, |x, y| x + y)
    );
}

/// NaN and infinite operands: a NaN term never wins, −∞ ⊗ ∞ is −∞ for
/// max_plus (∞ for min_plus), as in the loops.
#[test]
fn packed_kernel_keeps_nan_and_infinity_rules() {
    let mut a: Array2<f64> = random((64, 80), 16);
    let mut b: Array2<f64> = random((80, 64), 17);
    let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
    for (n, x) in a.iter_mut().enumerate().filter(|(n, _)| n % 7 == 0) {
        *x = specials[n % 3];
    }
    for (n, x) in b.iter_mut().enumerate().filter(|(n, _)| n % 5 == 0) {
        *x = specials[n % 3];
    }
    // Rows of NaN alone: every term NaN, the result the zero.
    a.row_mut(3).fill(f64::NAN);
    let plus = |zero: f64| move |x: f64, y: f64| if x == zero || y == zero { zero } else { x + y };
    let same = |x: &Array2<f64>, y: &Array2<f64>| {
        x.iter()
            .zip(y)
            .all(|(p, q)| p.to_bits() == q.to_bits() || p == q)
    };
    let max = einsum!("ij,jk->ik", &a, &b; semiring = max_plus);
    assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
    let expected = naive(
        a.view(),
        b.view(),
        f64::NEG_INFINITY,
        max_of,
        plus(f64::NEG_INFINITY),
    );
    assert!(same(&max, &expected), "{max}\n{expected}");
    assert!(max.row(3).iter().all(|&x| x == f64::NEG_INFINITY));
    let min = einsum!("ij,jk->ik", &a, &b; semiring = min_plus);
    let expected = naive(
        a.view(),
        b.view(),
        f64::INFINITY,
        min_of,
        plus(f64::INFINITY),
    );
    assert!(same(&min, &expected), "{min}\n{expected}");
    let times = einsum!("ij,jk->ik", &a.mapv(f64::abs), &b.mapv(f64::abs); semiring = max_product);
    let mul = |x: f64, y: f64| {
        if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
            f64::NEG_INFINITY
        } else {
            x * y
        }
    };
    let expected = naive(
        a.mapv(f64::abs).view(),
        b.mapv(f64::abs).view(),
        f64::NEG_INFINITY,
        max_of,
        mul,
    );
    assert!(same(&times, &expected), "{times}\n{expected}");
}

/// Batch labels, groups whose labels do not fuse, axes of size 1, empty
/// sums and outputs, `out` with `alpha` and `beta`, against the reference.
#[test]
fn packed_kernel_on_batches_and_unfused_groups() {
    let ring = |name| i64::ring(name).unwrap();
    let x: Array3<i64> = random((3, 20, 30), 18).mapv(|v: i64| v * 1000 + 7);
    let y: Array3<i64> = random((3, 30, 25), 19).mapv(|v: i64| v * 999 - 3);
    let y_rev = y.slice(s![..;-1, .., ..;-1]);
    let _ = einsum_runtime::kernels::last_engine();
    let got = einsum!("bij,bjk->bik", &x, &y_rev; semiring = max_plus);
    assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
    let expected = reference_over("bij,bjk->bik", &[dv(&x), dv(&y_rev)], &ring("max_plus"));
    assert_eq!(got.into_dyn(), expected.value);
    // m = (i, a) and k = (j, c) not fused in any array; a size-1 label.
    let p: ArrayD<i64> = random(vec![12, 10, 1, 8, 6], 20);
    let q: ArrayD<i64> = random(vec![6, 1, 20, 8], 21);
    let p = p.permuted_axes(vec![1, 3, 2, 0, 4]);
    let eq = "ijzac,czkj->kzia";
    let got = einsum!("ijzac,czkj->kzia", &p, &q; semiring = min_plus, threads = 2);
    assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
    assert_eq!(
        got.into_dyn(),
        reference_over(eq, &[dv(&p), dv(&q)], &ring("min_plus")).value
    );
    // out with alpha and beta: out = max(alpha + E, beta + out).
    let old: Array3<i64> = random((3, 20, 25), 22);
    let mut out = old.clone();
    einsum!("bij,bjk->bik", &x, &y_rev; out = out.slice_mut(s![.., ..;-1, ..]), semiring = max_plus, alpha = 5, beta = -2);
    let e = reference_over("bij,bjk->bik", &[dv(&x), dv(&y_rev)], &ring("max_plus")).value;
    let mut expected = e.mapv(|v| v + 5);
    let old_rev = old.slice(s![.., ..;-1, ..]).to_owned().into_dyn();
    expected.zip_mut_with(&old_rev, |v, &o| *v = (*v).max(o - 2));
    assert_eq!(out.slice(s![.., ..;-1, ..]).to_owned().into_dyn(), expected);
    // Empty sums and outputs.
    let (a0, b0) = (
        Array2::<i64>::zeros((300, 0)),
        Array2::<i64>::zeros((0, 200)),
    );
    let r = einsum!("ij,jk->ik", &a0, &b0; semiring = max_plus);
    assert!(r.iter().all(|&v| v == i64::MIN));
    let (a0, b0) = (
        Array2::<i64>::zeros((0, 300)),
        Array2::<i64>::zeros((300, 200)),
    );
    assert_eq!(
        einsum!("ij,jk->ik", &a0, &b0; semiring = max_plus).shape(),
        [0, 200]
    );
}

/// Several tasks on the pool: the same bits on 1 and 2 threads, and as the
/// loops' fold.
#[test]
fn packed_kernel_bits_for_any_thread_count() {
    let a: Array2<f64> = random((400, 260), 23);
    let b: Array2<f64> = random((260, 300), 24);
    let one = einsum!("ij,jk->ik", &a, &b; semiring = max_plus, threads = 1);
    let two = einsum!("ij,jk->ik", &a, &b; semiring = max_plus, threads = 2);
    assert_eq!(einsum_runtime::kernels::last_engine(), PACKED);
    assert!(one
        .iter()
        .zip(&two)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
    assert_eq!(
        one,
        naive(a.view(), b.view(), f64::NEG_INFINITY, max_of, |x, y| x + y)
    );
}
