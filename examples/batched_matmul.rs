//! The main example: a batched matrix product written as an einsum, checked
//! against ndarray's `.dot()` on each batch, and timed against what a user
//! would write instead: a plain serial loop, `.dot()` per batch, and the
//! same einsum on one thread.
//!
//! cargo run --release --example batched_matmul

mod common;

use common::{median_time, ms};
use einsum_static::einsum;
use ndarray::{Array3, Axis};
use std::time::Duration;

fn main() {
    let (batch, n) = (64, 128);
    let x = Array3::from_shape_fn((batch, n, n), |(b, i, j)| {
        ((b + 2 * i + 3 * j) % 7) as f64 - 3.0
    });
    let y = Array3::from_shape_fn((batch, n, n), |(b, i, j)| {
        ((3 * b + i + j) % 5) as f64 - 2.0
    });

    let z = einsum!("bij,bjk->bik", &x, &y);
    assert_eq!(
        z,
        dot_per_batch(&x, &y),
        "einsum and ndarray's dot disagree"
    );
    assert_eq!(z, serial_loop(&x, &y), "einsum and the plain loop disagree");

    let threads = rayon::current_num_threads();
    let timings = [
        ("plain serial loop", median_time(|| serial_loop(&x, &y))),
        (
            "ndarray .dot() per batch",
            median_time(|| dot_per_batch(&x, &y)),
        ),
        (
            "einsum!, 1 thread",
            median_time(|| einsum!("bij,bjk->bik", &x, &y; threads = 1)),
        ),
        (
            "einsum!, all threads",
            median_time(|| einsum!("bij,bjk->bik", &x, &y)),
        ),
    ];
    let flops = 2.0 * (batch * n * n * n) as f64;
    let gflops = |t: Duration| flops / t.as_secs_f64() / 1e9;
    let einsum_time = timings[3].1;
    println!(
        "einsum!(\"bij,bjk->bik\") on {batch} pairs of {n}x{n} f64 matrices, {threads} threads"
    );
    println!(
        "  result {:?}, equal to .dot() and to a plain loop",
        z.shape()
    );
    println!(
        "  {:<26} {:>9} {:>10} {:>14}",
        "", "ms", "GFLOP/s", "einsum! gains"
    );
    for (name, time) in timings {
        println!(
            "  {name:<26} {:>9.3} {:>10.1} {:>13.1}x",
            ms(time),
            gflops(time),
            time.as_secs_f64() / einsum_time.as_secs_f64()
        );
    }
}

/// What ndarray offers: `.dot()` on each pair.
fn dot_per_batch(x: &Array3<f64>, y: &Array3<f64>) -> Array3<f64> {
    let mut out = Array3::<f64>::zeros((x.dim().0, x.dim().1, y.dim().2));
    for (b, mut slice) in out.axis_iter_mut(Axis(0)).enumerate() {
        slice.assign(&x.index_axis(Axis(0), b).dot(&y.index_axis(Axis(0), b)));
    }
    out
}

/// The loop a user writes by hand: i-j-k order, so the innermost loop runs
/// along rows of `y` and `out`.
fn serial_loop(x: &Array3<f64>, y: &Array3<f64>) -> Array3<f64> {
    let (batch, m, inner) = x.dim();
    let n = y.dim().2;
    let mut out = Array3::<f64>::zeros((batch, m, n));
    for b in 0..batch {
        for i in 0..m {
            for j in 0..inner {
                let xij = x[[b, i, j]];
                for k in 0..n {
                    out[[b, i, k]] += xij * y[[b, j, k]];
                }
            }
        }
    }
    out
}
