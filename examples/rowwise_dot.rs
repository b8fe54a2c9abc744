//! Row-wise dot products, `(x * y).sum(axis=1)` in NumPy, written as
//! `einsum!("ij,ij->i")` over 100000 rows of 100 f64. The result is checked
//! against a hand-written loop, and the call is timed on every rayon thread
//! and on one (`; threads = 1`).
//!
//! cargo run --release --example rowwise_dot

use einsum_static::einsum;
use ndarray::{s, Array1, Array2};
use std::time::Duration;

mod common;
use common::{median_time, ms};

fn main() {
    let (rows, cols) = (100_000, 100);
    // Small integers stored as f64: every sum is exact in any order, so the
    // comparison with the loop below can be exact too.
    let x = Array2::from_shape_fn((rows, cols), |(i, j)| ((i + 2 * j) % 9) as f64 - 4.0);
    let y = Array2::from_shape_fn((rows, cols), |(i, j)| ((3 * i + j) % 5) as f64 - 1.0);

    let d = einsum!("ij,ij->i", &x, &y);
    assert_eq!(
        d,
        row_dots(&x, &y),
        "einsum and the hand-written loop disagree"
    );
    let serial = einsum!("ij,ij->i", &x, &y; threads = 1);
    assert_eq!(d, serial, "one thread and all threads disagree");

    let parallel_time = median_time(|| einsum!("ij,ij->i", &x, &y));
    let serial_time = median_time(|| einsum!("ij,ij->i", &x, &y; threads = 1));
    let loop_time = median_time(|| row_dots(&x, &y));
    // Both operands are read once: 2 * rows * cols f64.
    let gbps = |t: Duration| (2 * rows * cols * 8) as f64 / t.as_secs_f64() / 1e9;

    println!("d = einsum(\"ij,ij->i\", x, y), x and y: {rows}x{cols}, f64");
    println!("  d.shape = {:?}, d.sum() = {}", d.shape(), d.sum());
    println!("  d[:6] = {}", d.slice(s![..6]));
    println!("  matches a hand-written loop exactly");
    println!(
        "  {} threads: {:.3} ms ({:.1} GB/s read)",
        rayon::current_num_threads(),
        ms(parallel_time),
        gbps(parallel_time)
    );
    println!(
        "  1 thread:  {:.3} ms ({:.1} GB/s read); speed-up {:.2}x",
        ms(serial_time),
        gbps(serial_time),
        serial_time.as_secs_f64() / parallel_time.as_secs_f64()
    );
    println!("  hand-written loop: {:.3} ms", ms(loop_time));
}

/// The reference: one dot product per row, summed left to right.
fn row_dots(x: &Array2<f64>, y: &Array2<f64>) -> Array1<f64> {
    Array1::from_shape_fn(x.nrows(), |i| {
        let mut sum = 0.0;
        for j in 0..x.ncols() {
            sum += x[[i, j]] * y[[i, j]];
        }
        sum
    })
}
