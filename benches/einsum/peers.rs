//! The Rust peers that need more than one line: the `gemm` crate called
//! directly, and plain serial loops.

use crate::timing::Real;
use gemm::Parallelism;
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, ArrayView3, ArrayViewMut2};
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// All threads of the current rayon pool (the one the table runs in).
pub fn all_threads() -> Parallelism {
    match rayon::current_num_threads() {
        1 => Parallelism::None,
        n => Parallelism::Rayon(n),
    }
}

/// c = a · b with the `gemm` crate; any strides. gemm computes
/// dst = alpha·dst + beta·lhs·rhs; with read_dst = false it never reads
/// dst, so `c` may be uninitialized.
pub fn gemm_into<T: Real>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    mut c: ArrayViewMut2<MaybeUninit<T>>,
    par: Parallelism,
) {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert_eq!(k, k2, "inner sizes differ");
    assert_eq!(c.dim(), (m, n), "output shape");
    let (cs, bs, as_) = (c.strides().to_vec(), b.strides(), a.strides());
    // SAFETY: the shapes are checked above and the strides are the views' own.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr() as *mut T,
            cs[1],
            cs[0],
            false,
            a.as_ptr(),
            as_[1],
            as_[0],
            b.as_ptr(),
            bs[1],
            bs[0],
            T::zero(),
            T::one(),
            false,
            false,
            false,
            par,
        );
    }
}

/// A new m×n matrix a · b computed by the `gemm` crate on all threads.
pub fn gemm_matmul<T: Real>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    let mut c = Array2::uninit((a.nrows(), b.ncols()));
    gemm_into(a, b, c.view_mut(), all_threads());
    // SAFETY: gemm wrote every element.
    unsafe { c.assume_init() }
}

/// A batched product c[p] = a[p] · b[p]: the batches run in parallel on the
/// rayon pool, one single-threaded gemm call each (faster than one
/// multi-threaded call per batch for these small matrices).
pub fn gemm_batched<T: Real>(a: ArrayView3<T>, b: ArrayView3<T>) -> Array3<T> {
    let (batch, m, _) = a.dim();
    let n = b.dim().2;
    assert_eq!(batch, b.dim().0);
    let mut c = Array3::uninit((batch, m, n));
    let slice = c.as_slice_mut().expect("fresh arrays are contiguous");
    slice
        .par_chunks_mut((m * n).max(1))
        .enumerate()
        .for_each(|(p, chunk)| {
            let cp = ArrayViewMut2::from_shape((m, n), chunk).expect("chunk is m×n");
            gemm_into(
                a.index_axis(ndarray::Axis(0), p),
                b.index_axis(ndarray::Axis(0), p),
                cp,
                Parallelism::None,
            );
        });
    // SAFETY: gemm wrote every element of every batch.
    unsafe { c.assume_init() }
}

/// x[i, (k, l)] = a[i, k] · c[i, l]: the bilinear form `ik,jkl,il->ij`
/// becomes one matrix product x · b[j, (k, l)]ᵀ.
pub fn bilinear_lhs(a: ArrayView2<f64>, c: ArrayView2<f64>) -> Array2<f64> {
    let (ni, nk) = a.dim();
    let nl = c.ncols();
    let mut x = Array2::<f64>::zeros((ni, nk * nl));
    let slice = x.as_slice_mut().expect("fresh arrays are contiguous");
    slice
        .par_chunks_mut(nk * nl)
        .enumerate()
        .for_each(|(i, row)| {
            for (k, out) in row.chunks_exact_mut(nl).enumerate() {
                let aik = a[[i, k]];
                for (o, cil) in out.iter_mut().zip(c.row(i)) {
                    *o = aik * cil;
                }
            }
        });
    x
}

// Plain serial loops over standard-layout inputs.

fn vec_into<T, D: ndarray::Dimension>(
    shape: impl ndarray::IntoDimension<Dim = D>,
    v: Vec<T>,
) -> ndarray::Array<T, D> {
    ndarray::Array::from_shape_vec(shape, v).expect("loop produced the full output")
}

pub fn loop_matmul<T: ndarray::LinalgScalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    let ((m, k), n) = (a.dim(), b.ncols());
    let (a, b) = (a.as_slice().unwrap(), b.as_slice().unwrap());
    let mut c = vec![T::zero(); m * n];
    for i in 0..m {
        for p in 0..k {
            let aip = a[i * k + p];
            for j in 0..n {
                c[i * n + j] = c[i * n + j] + aip * b[p * n + j];
            }
        }
    }
    vec_into((m, n), c)
}

/// A batch of products as the plain loop of [`loop_matmul`], serial.
pub fn loop_bmm(a: ArrayView3<f64>, b: ArrayView3<f64>) -> Array3<f64> {
    let ((batch, m, k), n) = (a.dim(), b.dim().2);
    let (a, b) = (a.as_slice().unwrap(), b.as_slice().unwrap());
    let mut c = vec![0.0; batch * m * n];
    let products = c
        .chunks_exact_mut(m * n)
        .zip(a.chunks_exact(m * k))
        .zip(b.chunks_exact(k * n));
    for ((c, a), b) in products {
        for i in 0..m {
            for p in 0..k {
                let aip = a[i * k + p];
                for j in 0..n {
                    c[i * n + j] += aip * b[p * n + j];
                }
            }
        }
    }
    vec_into((batch, m, n), c)
}

pub fn loop_dot(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.as_slice()
        .unwrap()
        .iter()
        .zip(b.as_slice().unwrap())
        .map(|(x, y)| x * y)
        .sum()
}

pub fn loop_trace(a: ArrayView2<f64>) -> f64 {
    let n = a.nrows();
    let a = a.as_slice().unwrap();
    (0..n).map(|i| a[i * n + i]).sum()
}

pub fn loop_diag_mul(a: ArrayView2<f64>, v: ArrayView1<f64>) -> Array1<f64> {
    let n = a.nrows();
    let a = a.as_slice().unwrap();
    let out = v
        .as_slice()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, x)| a[i * n + i] * x)
        .collect();
    vec_into(n, out)
}

pub fn loop_rowdot(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array1<f64> {
    let (m, n) = a.dim();
    let (a, b) = (a.as_slice().unwrap(), b.as_slice().unwrap());
    let out = a
        .chunks_exact(n)
        .zip(b.chunks_exact(n))
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p * q).sum())
        .collect();
    vec_into(m, out)
}

pub fn loop_matvec(a: ArrayView2<f64>, v: ArrayView1<f64>) -> Array1<f64> {
    let (m, n) = a.dim();
    let (a, v) = (a.as_slice().unwrap(), v.as_slice().unwrap());
    let out = a
        .chunks_exact(n)
        .map(|row| row.iter().zip(v).map(|(p, q)| p * q).sum())
        .collect();
    vec_into(m, out)
}

pub fn loop_outer(a: ArrayView1<f64>, b: ArrayView1<f64>) -> Array2<f64> {
    let (a, b) = (a.as_slice().unwrap(), b.as_slice().unwrap());
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        out.extend(b.iter().map(|y| x * y));
    }
    vec_into((a.len(), b.len()), out)
}

/// `ijk->kj`: accumulate the (j, k) sums contiguously, then transpose.
pub fn loop_transpose_sum(x: ArrayView3<f64>) -> Array2<f64> {
    let (ni, nj, nk) = x.dim();
    let x = x.as_slice().unwrap();
    let mut acc = vec![0.0; nj * nk];
    for i in 0..ni {
        for (a, v) in acc.iter_mut().zip(&x[i * nj * nk..(i + 1) * nj * nk]) {
            *a += v;
        }
    }
    let mut out = Vec::with_capacity(nj * nk);
    for k in 0..nk {
        out.extend((0..nj).map(|j| acc[j * nk + k]));
    }
    vec_into((nk, nj), out)
}

pub fn loop_sum(x: ArrayView3<f64>) -> f64 {
    x.as_slice().unwrap().iter().sum()
}
