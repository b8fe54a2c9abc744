//! Writing into arrays you own (`out = ...`), BLAS-style accumulation
//! (`beta`), and a reduction other than the sum (`semiring = max_plus`),
//! each timed against its alternative: a new array per call, and a plain
//! Rust loop for the max-plus product.
//!
//! cargo run --release --example in_place

mod common;

use common::{median_time, ms, Lcg};
use einsum_static::einsum;
use ndarray::{Array2, Array3};

fn main() {
    let mut rng = Lcg(7);
    let (batch, n) = (16384, 16);
    let x = Array3::from_shape_simple_fn((batch, n, n), || rng.uniform());
    let y = Array3::from_shape_simple_fn((batch, n, n), || rng.uniform());
    let mut z = Array3::<f64>::zeros((batch, n, n));

    einsum!("bij,bjk->bik", &x, &y; out = &mut z);
    assert_eq!(z, einsum!("bij,bjk->bik", &x, &y), "in place differs");
    let new = median_time(|| einsum!("bij,bjk->bik", &x, &y));
    let reused = median_time(|| einsum!("bij,bjk->bik", &x, &y; out = &mut z));
    let scaled = median_time(|| einsum!("bij,bjk->bik", &x, &y; out = &mut z, alpha = 2.0));
    let accumulated = median_time(|| einsum!("bij,bjk->bik", &x, &y; out = &mut z, beta = 1.0));
    println!("bij,bjk->bik on {batch} products of {n}x{n} f64 (32 MiB out):");
    println!("  a new array per call      {:8.2} ms", ms(new));
    println!("  out = &mut z              {:8.2} ms", ms(reused));
    println!("  out = &mut z, alpha = 2.0 {:8.2} ms", ms(scaled));
    println!("  out = &mut z, beta = 1.0  {:8.2} ms", ms(accumulated));

    // A large product: the scaling pass is small beside the GEMM.
    let k = 1024;
    let p = Array2::from_shape_simple_fn((k, k), || rng.uniform());
    let mut c = Array2::<f64>::zeros((k, k));
    let new = median_time(|| einsum!("ij,jk->ik", &p, &p));
    let reused = median_time(|| einsum!("ij,jk->ik", &p, &p; out = &mut c));
    let accumulated = median_time(|| einsum!("ij,jk->ik", &p, &p; out = &mut c, beta = 1.0));
    let scaled =
        median_time(|| einsum!("ij,jk->ik", &p, &p; out = &mut c, alpha = 0.5, beta = 0.5));
    println!("ij,jk->ik on {k}x{k} f64:");
    println!("  a new array per call      {:8.2} ms", ms(new));
    println!("  out = &mut c              {:8.2} ms", ms(reused));
    println!("  out = &mut c, beta = 1.0  {:8.2} ms", ms(accumulated));
    println!("  alpha = 0.5, beta = 0.5   {:8.2} ms", ms(scaled));

    let m = 256;
    let a = Array2::from_shape_simple_fn((m, m), || rng.uniform());
    let b = Array2::from_shape_simple_fn((m, m), || rng.uniform());
    let best = einsum!("ij,jk->ik", &a, &b; semiring = max_plus);
    assert_eq!(
        best,
        max_plus_loop(&a, &b),
        "max_plus differs from the loop"
    );
    let ours = median_time(|| einsum!("ij,jk->ik", &a, &b; semiring = max_plus));
    let plain = median_time(|| max_plus_loop(&a, &b));
    println!("ij,jk->ik over max_plus, {m}x{m} f64:");
    println!("  einsum!                   {:8.2} ms", ms(ours));
    println!("  plain serial loop         {:8.2} ms", ms(plain));
}

/// best[i, k] = max over j of a[i, j] + b[j, k], in the order einsum folds.
fn max_plus_loop(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    Array2::from_shape_fn((m, n), |(i, l)| {
        (0..k).fold(f64::NEG_INFINITY, |best, j| {
            let term = a[[i, j]] + b[[j, l]];
            if term > best {
                term
            } else {
                best
            }
        })
    })
}
