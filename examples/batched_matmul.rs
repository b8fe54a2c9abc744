//! The main example: a batched matrix product written as an einsum,
//! checked against ndarray's `.dot()` on each batch, and timed.
//!
//! cargo run --release --example batched_matmul

mod common;

use common::{median_time, ms};
use einsum_static::einsum;
use ndarray::{Array3, Axis};

fn main() {
    let (batch, n) = (64, 128);
    let x = Array3::from_shape_fn((batch, n, n), |(b, i, j)| {
        ((b + 2 * i + 3 * j) % 7) as f64 - 3.0
    });
    let y = Array3::from_shape_fn((batch, n, n), |(b, i, j)| {
        ((3 * b + i + j) % 5) as f64 - 2.0
    });

    let z = einsum!("bij,bjk->bik", &x, &y);

    let mut expected = Array3::<f64>::zeros((batch, n, n));
    for (b, mut out) in expected.axis_iter_mut(Axis(0)).enumerate() {
        out.assign(&x.index_axis(Axis(0), b).dot(&y.index_axis(Axis(0), b)));
    }
    assert_eq!(z, expected, "einsum and ndarray's dot disagree");

    let einsum_time = median_time(|| einsum!("bij,bjk->bik", &x, &y));
    let flops = 2.0 * (batch * n * n * n) as f64;
    println!("einsum!(\"bij,bjk->bik\") on {batch} pairs of {n}x{n} f64 matrices");
    println!(
        "  result shape {:?}, sum of elements {}",
        z.shape(),
        z.sum()
    );
    println!("  matches ndarray's .dot() on every batch");
    println!(
        "  median time {:.3} ms ({:.1} GFLOP/s) on {} rayon threads",
        ms(einsum_time),
        flops / einsum_time.as_secs_f64() / 1e9,
        rayon::current_num_threads()
    );
}
