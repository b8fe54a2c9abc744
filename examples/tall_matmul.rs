//! A tall matrix product, `c = a @ b` in NumPy: a 10000x100 matrix times a
//! 100x100 one, written as `einsum!("ij,jk->ik")`. The result is checked
//! against ndarray's `.dot()`, and the call is timed on every rayon thread
//! and on one (`; threads = 1`).
//!
//! cargo run --release --example tall_matmul

use einsum_static::einsum;
use ndarray::Array2;
use std::time::Duration;

mod common;
use common::{median_time, ms};

fn main() {
    let (m, k, n) = (10_000, 100, 100);
    // Small integers stored as f64: every product and sum is exact, so the
    // comparison with `.dot()` below can be exact too.
    let a = Array2::from_shape_fn((m, k), |(i, j)| ((7 * i + 3 * j) % 11) as f64 - 5.0);
    let b = Array2::from_shape_fn((k, n), |(j, l)| ((j + 2 * l) % 7) as f64 - 2.0);

    let c = einsum!("ij,jk->ik", &a, &b);
    assert_eq!(c, a.dot(&b), "einsum and ndarray's dot disagree");
    let serial = einsum!("ij,jk->ik", &a, &b; threads = 1);
    assert_eq!(c, serial, "one thread and all threads disagree");

    let parallel_time = median_time(|| einsum!("ij,jk->ik", &a, &b));
    let serial_time = median_time(|| einsum!("ij,jk->ik", &a, &b; threads = 1));
    let dot_time = median_time(|| a.dot(&b));
    let gflops = |t: Duration| 2.0 * (m * k * n) as f64 / t.as_secs_f64() / 1e9;

    println!("c = einsum(\"ij,jk->ik\", a, b), a: {m}x{k}, b: {k}x{n}, f64");
    println!("  c.shape = {:?}, c.sum() = {}", c.shape(), c.sum());
    println!("  c[0, :4] = {}", c.row(0).slice(ndarray::s![..4]));
    println!("  matches ndarray's a.dot(&b) exactly");
    println!(
        "  {} threads: {:.3} ms ({:.1} GFLOP/s)",
        rayon::current_num_threads(),
        ms(parallel_time),
        gflops(parallel_time)
    );
    println!(
        "  1 thread:  {:.3} ms ({:.1} GFLOP/s); speed-up {:.2}x",
        ms(serial_time),
        gflops(serial_time),
        serial_time.as_secs_f64() / parallel_time.as_secs_f64()
    );
    println!("  ndarray's .dot(): {:.3} ms", ms(dot_time));
}
