//! `alpha` and `beta`: `out = alpha * einsum + beta * out` on every engine,
//! `beta = 0` never reading the old contents, and `alpha` on a new array.
//! (Every generated equation also runs with random factors:
//! tests/equations.rs.)

mod common;

use common::{dv, random, reference_einsum};
use einsum_static::{einsum, try_einsum};
use ndarray::{s, Array1, Array2, Array3, ArrayD, ShapeBuilder};

/// `alpha * product + beta * old`, element by element.
fn blas(product: &ArrayD<f64>, old: &ArrayD<f64>, alpha: f64, beta: f64) -> ArrayD<f64> {
    let mut expected = product.mapv(|p| alpha * p);
    expected.zip_mut_with(old, |e, &o| *e += beta * o);
    expected
}

fn close(actual: &ArrayD<f64>, expected: &ArrayD<f64>) {
    assert_eq!(actual.shape(), expected.shape());
    for (x, y) in actual.iter().zip(expected) {
        assert!((x - y).abs() <= 1e-11 * (1.0 + y.abs()), "{x} != {y}");
    }
}

#[test]
fn every_engine_scales_and_accumulates() {
    // GEMM-sized, small batched products, a matrix-vector product, the
    // generated loops, a split sum and a path, each into a transposed or
    // reversed output that already holds values.
    let a: Array2<f64> = random((96, 80), 1);
    let b: Array2<f64> = random((80, 72), 2);
    let product = reference_einsum("ij,jk->ik", &[dv(&a), dv(&b)]);
    let old: Array2<f64> = random((72, 96), 3);
    let mut c = old.clone();
    einsum!("ij,jk->ik", &a, &b; out = c.view_mut().reversed_axes(), alpha = 2.0, beta = 0.5);
    let old_t = old.t().to_owned().into_dyn();
    close(
        &c.t().to_owned().into_dyn(),
        &blas(&product, &old_t, 2.0, 0.5),
    );

    let x: Array3<f64> = random((64, 4, 5), 4);
    let y: Array3<f64> = random((64, 5, 6), 5);
    let old: Array3<f64> = random((64, 4, 6).f(), 6);
    let mut z = old.clone();
    try_einsum!("bij,bjk->bik", &x, &y; out = &mut z, beta = -1.0).unwrap();
    let batched = reference_einsum("bij,bjk->bik", &[dv(&x), dv(&y)]);
    close(&z.into_dyn(), &blas(&batched, &old.into_dyn(), 1.0, -1.0));

    let v: Array1<f64> = random(80, 7);
    let old: Array1<f64> = random(96, 8);
    let mut mv = old.clone();
    einsum!("ij,j->i", &a, &v; out = mv.slice_mut(s![..;-1]), alpha = -1.0, beta = 3.0);
    let expected = blas(
        &reference_einsum("ij,j->i", &[dv(&a), dv(&v)]),
        &old.slice(s![..;-1]).to_owned().into_dyn(),
        -1.0,
        3.0,
    );
    close(&mv.slice(s![..;-1]).to_owned().into_dyn(), &expected);

    let t: Array3<f64> = random((5, 6, 7), 9);
    let old: Array2<f64> = random((7, 6), 10);
    let mut r = old.clone();
    einsum!("ijk->kj", &t; out = &mut r, alpha = 0.5, beta = 2.0);
    let sums = reference_einsum("ijk->kj", &[dv(&t)]);
    close(&r.into_dyn(), &blas(&sums, &old.into_dyn(), 0.5, 2.0));

    let tall: Array2<f64> = random((40_000, 8), 11);
    let old: Array1<f64> = random(8, 12);
    let mut cols = old.clone();
    einsum!("ij->j", &tall; out = &mut cols, alpha = 2.0, beta = 1.0, threads = 2);
    let sums = reference_einsum("ij->j", &[dv(&tall)]);
    close(&cols.into_dyn(), &blas(&sums, &old.into_dyn(), 2.0, 1.0));

    let c3: Array2<f64> = random((72, 10), 13);
    let old: Array2<f64> = random((96, 10), 14);
    let mut p = old.clone();
    einsum!("ij,jk,kl->il", &a, &b, &c3; out = &mut p, alpha = 2.0, beta = -0.5, memory_limit = 4096);
    let path = reference_einsum("ij,jk,kl->il", &[dv(&a), dv(&b), dv(&c3)]);
    close(&p.into_dyn(), &blas(&path, &old.into_dyn(), 2.0, -0.5));
}

#[test]
fn beta_zero_never_reads_the_old_contents() {
    let a: Array2<f64> = random((96, 80), 1);
    let b: Array2<f64> = random((80, 72), 2);
    let product = reference_einsum("ij,jk->ik", &[dv(&a), dv(&b)]);
    let mut c = Array2::<f64>::from_elem((96, 72), f64::NAN);
    einsum!("ij,jk->ik", &a, &b; out = &mut c, alpha = 2.0, beta = 0.0);
    close(&c.into_dyn(), &product.mapv(|p| 2.0 * p));
    let mut small = Array2::<f64>::from_elem((3, 3), f64::NAN);
    einsum!("ij,kj->ik", &a.slice(s![..3, ..]), &a.slice(s![..3, ..]); out = &mut small, alpha = 3.0);
    assert!(small.iter().all(|x| x.is_finite()));
    let mut dot = f64::NAN;
    einsum!("ij,ij", &a, &a; out = &mut dot, alpha = 0.5, beta = 0.0);
    assert!((dot - 0.5 * einsum!("ij,ij", &a, &a)).abs() < 1e-9);
}

#[test]
fn alpha_scales_a_new_array_and_beta_accumulates_integers() {
    let a: Array2<f64> = random((30, 20), 3);
    let b: Array2<f64> = random((20, 25), 4);
    let d = einsum!("ij,jk->ik", &a, &b; alpha = -1.0);
    assert_eq!(d, -einsum!("ij,jk->ik", &a, &b));
    let dot: f64 = einsum!("ij,ij", &a, &a; alpha = 2.0);
    assert_eq!(dot, 2.0 * einsum!("ij,ij", &a, &a));
    let m: Array2<i64> = Array2::from_shape_fn((70, 70), |(i, j)| (i as i64 - j as i64) % 5);
    let mut acc: Array2<i64> = Array2::ones((70, 70));
    let fresh = einsum!("ij,jk->ik", &m, &m);
    for _ in 0..3 {
        einsum!("ij,jk->ik", &m, &m; out = &mut acc, beta = 1);
    }
    assert_eq!(acc, fresh.mapv(|x| 3 * x + 1));
}

/// The GEMM engine's calls with `alpha` and `beta`, for f64, f32 (`beta =
/// 0` over NaN: never read) and complex factors.
#[test]
fn gemm_calls_scale_every_float_type() {
    use num_complex::Complex;
    let a: Array2<f64> = random((96, 80), 11);
    let b: Array2<f64> = random((80, 72), 12);
    let product = reference_einsum("ij,jk->ik", &[dv(&a), dv(&b)]);
    let old: Array2<f64> = random((96, 72), 13);
    let mut c = old.clone();
    let _ = einsum_runtime::kernels::last_engine();
    einsum!("ij,jk->ik", &a, &b; out = &mut c, alpha = -0.5, beta = 2.0);
    assert_eq!(einsum_runtime::kernels::last_engine(), Some("GEMM engine"));
    close(&c.into_dyn(), &blas(&product, &old.into_dyn(), -0.5, 2.0));
    // f32 over NaN.
    let (a32, b32) = (a.mapv(|x| x as f32), b.mapv(|x| x as f32));
    let mut c32 = Array2::<f32>::from_elem((96, 72), f32::NAN);
    einsum!("ij,jk->ik", &a32, &b32; out = &mut c32, alpha = 3.0);
    let expected = product.mapv(|p| 3.0 * p as f32);
    for (x, y) in c32.iter().zip(&expected) {
        assert!((x - y).abs() <= 1e-3 * (1.0 + y.abs()), "{x} != {y}");
    }
    // Complex factors.
    let ca = a.mapv(|x| Complex::new(x, -x));
    let cb = b.mapv(|x| Complex::new(0.5, x));
    let fresh = einsum!("ij,jk->ik", &ca, &cb);
    let (alpha, beta) = (Complex::new(0.0, 1.0), Complex::new(2.0, -1.0));
    let mut cc = Array2::<Complex<f64>>::from_elem((96, 72), Complex::new(1.0, 1.0));
    einsum!("ij,jk->ik", &ca, &cb; out = &mut cc, alpha = alpha, beta = beta);
    for (x, f) in cc.iter().zip(&fresh) {
        let y = alpha * f + beta * Complex::new(1.0, 1.0);
        assert!((x - y).norm() <= 1e-10 * (1.0 + y.norm()), "{x} != {y}");
    }
}

/// Runs `$eq` on random `$a`, `$b` of each element type with each pair of
/// factors into outputs of every layout that hold old values, under the
/// memory limit `$limit`, checks each result against the reference, and
/// adds the engines that ran to `$reached`.
macro_rules! scaled_on_every_output {
    ($reached:expr, $eq:literal, $a:expr, $b:expr, $limit:expr) => {{
        scaled_on_every_output!(@ f64, $reached, $eq, $a, $b, $limit);
        scaled_on_every_output!(@ i64, $reached, $eq, $a, $b, $limit);
    }};
    (@ $t:ty, $reached:expr, $eq:literal, $a:expr, $b:expr, $limit:expr) => {{
        let mut rng = Rng::for_text($eq, 7);
        let a = Operand::<$t>::new(&$a, Layout::Standard, &mut rng);
        let b = Operand::<$t>::new(&$b, Layout::Standard, &mut rng);
        let expected = reference($eq, &[a.view(), b.view()]);
        let factors = [(1, 0), (1, 1), (3, 0), (-2, 3)];
        for (i, layout) in OUT_LAYOUTS.into_iter().enumerate() {
            let (alpha, beta) = factors[i % factors.len()];
            let mut out = Operand::<$t>::new(expected.value.shape(), layout, &mut rng);
            let old = out.view().to_owned();
            let (alpha, beta) = (<$t>::from_i64(alpha), <$t>::from_i64(beta));
            let _ = last_engine();
            einsum!($eq, &a.view(), &b.view(); out = out.view_mut(), alpha = alpha,
                beta = beta, memory_limit = $limit);
            $reached.insert(last_engine().unwrap_or("generated loops"));
            let mut value = expected.value.clone();
            value.zip_mut_with(&old, |v, &o| *v = alpha * *v + beta * o);
            let mut scale = expected.scale.mapv(|s| s * alpha.magnitude());
            scale.zip_mut_with(&old, |s, &o| *s += beta.magnitude() * o.magnitude());
            let written = out.view().to_owned();
            if let Err(err) = compare_arrays(&written, &value, &scale, expected.tolerance(8)) {
                panic!(
                    "{} as {}, alpha {alpha}, beta {beta}, output {layout:?}, engine {:?}: {err}",
                    $eq,
                    stringify!($t),
                    last_engine()
                );
            }
        }
    }};
}

/// Every GEMM engine applies `alpha` and `beta` where it stores: the gemm
/// crate's calls (with leftover k axes adding into the same output), the
/// integer kernel, small products, matrix-vector products, and the packed
/// engine's tile stores.
#[test]
fn each_gemm_engine_scales_where_it_stores() {
    use common::{compare_arrays, reference, Layout, Operand, Rng, TestElem, OUT_LAYOUTS};
    use einsum_runtime::kernels::last_engine;
    let mut reached = std::collections::BTreeSet::new();
    let all = usize::MAX;
    scaled_on_every_output!(reached, "ij,jk->ik", [96, 80], [80, 72], all);
    scaled_on_every_output!(reached, "ikl,lkj->ij", [48, 9, 40], [40, 9, 50], all);
    scaled_on_every_output!(reached, "bij,bjk->bik", [300, 8, 8], [300, 8, 8], all);
    scaled_on_every_output!(reached, "ij,j->i", [512, 400], [400], all);
    scaled_on_every_output!(
        reached,
        "fbea,ecfd->dbca",
        [20, 6, 30, 7],
        [30, 8, 20, 9],
        all
    );
    // A deeper k, and output groups that interleave.
    let (a, b) = ([20, 15, 15, 20], [15, 20, 20, 15]);
    scaled_on_every_output!(reached, "fbea,ecfd->dbca", a, b, all);
    scaled_on_every_output!(
        reached,
        "fbea,ecfd->dbca",
        [20, 6, 30, 7],
        [30, 8, 20, 9],
        1
    );
    scaled_on_every_output!(
        reached,
        "fbea,ecfd->dcba",
        [20, 6, 30, 7],
        [30, 8, 20, 9],
        all
    );
    scaled_on_every_output!(
        reached,
        "fbea,ecfd->dcba",
        [20, 6, 30, 7],
        [30, 8, 20, 9],
        1
    );
    for engine in [
        "GEMM engine",
        "small-GEMM engine",
        "matrix-vector engine",
        "transpose-free packed GEMM",
    ] {
        assert!(
            reached.contains(engine),
            "{engine} not reached: {reached:?}"
        );
    }
}
