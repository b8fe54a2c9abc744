//! log_sum_exp's matrix products as one GEMM of shifted exponentials
//! (einsum-runtime/src/semiring/log_gemm.rs), against the loops' stable
//! fold: layouts, batches, −∞ entries and whole rows of them, sums that
//! underflow (refolded), NaN and +∞ (left to the loops), f32, `out` with
//! `alpha`/`beta`, and bits for any thread count.

mod common;

use common::random;
use einsum_static::einsum;
use ndarray::{s, Array2, Array3, ArrayView2};

const ENGINE: Option<&str> = Some("log-space GEMM");

/// `log Σ_p exp(a[i, p] + b[p, k])`, folded stably in the order of p.
fn fold(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, k)| {
        let terms: Vec<f64> = (0..a.ncols()).map(|p| a[[i, p]] + b[[p, k]]).collect();
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if max == f64::NEG_INFINITY {
            return max;
        }
        max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
    })
}

fn assert_close(got: &Array2<f64>, expected: &Array2<f64>, tolerance: f64) {
    assert_eq!(got.shape(), expected.shape());
    for (x, y) in got.iter().zip(expected) {
        let ok = x == y || (x - y).abs() <= tolerance * (1.0 + y.abs());
        assert!(ok, "{x} != {y}");
    }
}

#[test]
fn matches_the_fold_on_any_layout() {
    let a: Array2<f64> = random((70, 90), 1) * 20.0;
    let b: Array2<f64> = random((90, 130), 2) * 20.0;
    let _ = einsum_runtime::kernels::last_engine();
    let got = einsum!("ij,jk->ik", &a, &b; semiring = log_sum_exp);
    assert_eq!(einsum_runtime::kernels::last_engine(), ENGINE);
    assert_close(&got, &fold(a.view(), b.view()), 1e-13);
    // Transposed and reversed operands, a stepped one, a transposed output.
    let at = a.t().to_owned();
    let br = b.slice(s![..;-1, ..]).to_owned();
    let wide: Array2<f64> = random((90, 260), 3);
    let stepped = wide.slice(s![.., ..;2]);
    let mut out = Array2::<f64>::zeros((130, 70));
    einsum!("ji,jk->ik", &at, &br.slice(s![..;-1, ..]); out = out.view_mut().reversed_axes(), semiring = log_sum_exp);
    assert_close(&out.t().to_owned(), &fold(a.view(), b.view()), 1e-13);
    let got = einsum!("ij,jk->ik", &a, &stepped; semiring = log_sum_exp);
    assert_close(&got, &fold(a.view(), stepped), 1e-13);
}

#[test]
fn infinities_underflow_and_nan() {
    let mut a: Array2<f64> = random((60, 80), 4);
    let mut b: Array2<f64> = random((80, 50), 5);
    // −∞ (log 0) entries, a row and a column of them only.
    // Row 8's best terms lie 2000 below its shift: their exponentials
    // underflow to 0, so those elements are folded again.
    a.row_mut(8).fill(-2000.0);
    a[[8, 0]] = 0.0;
    b.row_mut(0).fill(-3000.0);
    a[[3, 7]] = f64::NEG_INFINITY;
    a.row_mut(5).fill(f64::NEG_INFINITY);
    b.column_mut(9).fill(f64::NEG_INFINITY);
    let got = einsum!("ij,jk->ik", &a, &b; semiring = log_sum_exp);
    assert_eq!(einsum_runtime::kernels::last_engine(), ENGINE);
    let expected = fold(a.view(), b.view());
    assert!(expected[[8, 1]].is_finite() && expected[[8, 1]] < -1900.0);
    assert!(got[[5, 0]] == f64::NEG_INFINITY && got[[0, 9]] == f64::NEG_INFINITY);
    assert_close(&got, &expected, 1e-13);
    // NaN and +∞ go to the loops, which keep NumPy's rules.
    for bad in [f64::NAN, f64::INFINITY] {
        let mut with_bad = a.clone();
        with_bad[[2, 2]] = bad;
        let got = einsum!("ij,jk->ik", &with_bad, &b; semiring = log_sum_exp);
        assert_ne!(einsum_runtime::kernels::last_engine(), ENGINE);
        assert!(
            got.row(2).iter().all(|x| x.is_nan() || *x == f64::INFINITY),
            "{bad}: {}",
            got.row(2)
        );
        assert_close(
            &got.slice(s![3.., ..]).to_owned(),
            &expected.slice(s![3.., ..]).to_owned(),
            1e-13,
        );
    }
}

#[test]
fn batches_f32_scaling_and_threads() {
    let x: Array3<f64> = random((5, 30, 40), 6) * 10.0;
    let y: Array3<f64> = random((5, 40, 20), 7) * 10.0;
    let one = einsum!("bij,bjk->bik", &x, &y; semiring = log_sum_exp, threads = 1);
    assert_eq!(einsum_runtime::kernels::last_engine(), ENGINE);
    for p in 0..5 {
        let expected = fold(x.slice(s![p, .., ..]), y.slice(s![p, .., ..]));
        assert_close(&one.slice(s![p, .., ..]).to_owned(), &expected, 1e-13);
    }
    for threads in [2, 3, 4] {
        let many = einsum!("bij,bjk->bik", &x, &y; semiring = log_sum_exp, threads = threads);
        assert_eq!(many, one, "{threads} threads");
    }
    // out = alpha ⊗ product ⊕ beta ⊗ out: alpha + product, then lse with beta + old.
    let (a, b) = (x.slice(s![0, .., ..]), y.slice(s![0, .., ..]));
    let mut out = Array2::<f64>::from_elem((30, 20), 1.5);
    einsum!("ij,jk->ik", &a, &b; out = &mut out, semiring = log_sum_exp, alpha = 2.0, beta = -1.0);
    let expected = fold(a, b).mapv(|v| {
        let (s, t) = (v + 2.0, 1.5 - 1.0);
        s.max(t) + (-(s - t).abs()).exp().ln_1p()
    });
    assert_close(&out, &expected, 1e-13);
    // f32.
    let (a32, b32) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
    let got = einsum!("ij,jk->ik", &a32, &b32; semiring = log_sum_exp);
    assert_eq!(einsum_runtime::kernels::last_engine(), ENGINE);
    let expected = fold(a32.mapv(f64::from).view(), b32.mapv(f64::from).view());
    assert_close(&got.mapv(f64::from), &expected, 1e-5);
}

#[test]
fn a_smaller_step_after_a_larger_one() {
    // Both run in the thread's kept memory: the second finds the first's
    // exponentials and sums there, and must overwrite what it reads.
    let a: Array2<f64> = random((120, 150), 9) * 10.0;
    let b: Array2<f64> = random((150, 110), 10) * 10.0;
    let big = einsum!("ij,jk->ik", &a, &b; semiring = log_sum_exp);
    assert_close(&big, &fold(a.view(), b.view()), 1e-13);
    let (a, b) = (a.slice(s![..70, ..90]), b.slice(s![..90, ..60]));
    let _ = einsum_runtime::kernels::last_engine();
    let small = einsum!("ij,jk->ik", &a, &b; semiring = log_sum_exp);
    assert_eq!(einsum_runtime::kernels::last_engine(), ENGINE);
    assert_close(&small, &fold(a, b), 1e-13);
}
