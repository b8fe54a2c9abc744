//! Attention scores, `einsum("bhqd,bhkd->bhqk", q, k)` as in a transformer:
//! 8 batches of 8 heads, 256 queries and 256 keys of dimension 64, in f64.
//! The scores are scaled by 1/sqrt(64) and turned into attention weights by
//! a softmax over the keys, written with plain ndarray. Each query is built
//! to resemble one planted key, and the top weights of one query show it.
//! The scores are checked against ndarray's `.dot()` per batch and head,
//! and the call is timed on every rayon thread and on one (`; threads = 1`).
//!
//! cargo run --release --example attention_scores

use einsum_static::einsum;
use ndarray::{s, Array4, Axis};
use std::time::Duration;

mod common;
use common::{median_time, ms, Lcg};

fn main() {
    let (batch, heads, len, dim) = (8, 8, 256, 64);
    let mut rng = Lcg(42);
    let k = Array4::from_shape_fn((batch, heads, len, dim), |_| rng.uniform());
    // Query i is twice key planted(i) plus noise: its attention should go there.
    let planted = |i: usize| (37 * i + 11) % len;
    let q = Array4::from_shape_fn((batch, heads, len, dim), |(b, h, i, d)| {
        2.0 * k[[b, h, planted(i), d]] + rng.uniform()
    });

    let scores = einsum!("bhqd,bhkd->bhqk", &q, &k);
    let serial = einsum!("bhqd,bhkd->bhqk", &q, &k; threads = 1);
    assert_eq!(scores, serial, "one thread and all threads disagree");
    let mut max_error = 0.0f64;
    for b in 0..batch {
        for h in 0..heads {
            let (qh, kh) = (q.slice(s![b, h, .., ..]), k.slice(s![b, h, .., ..]));
            let expected = qh.dot(&kh.t());
            for (x, y) in scores.slice(s![b, h, .., ..]).iter().zip(&expected) {
                max_error = max_error.max((x - y).abs());
            }
        }
    }
    assert!(
        max_error < 1e-12,
        "einsum and ndarray's dot differ by {max_error}"
    );

    // Softmax over the keys (the last axis) of the scaled scores.
    let mut weights = scores.mapv(|s| s / (dim as f64).sqrt());
    for mut row in weights.lanes_mut(Axis(3)) {
        let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        row.mapv_inplace(|x| (x - max).exp());
        let sum = row.sum();
        row /= sum;
    }

    let parallel_time = median_time(|| einsum!("bhqd,bhkd->bhqk", &q, &k));
    let serial_time = median_time(|| einsum!("bhqd,bhkd->bhqk", &q, &k; threads = 1));
    let flops = 2.0 * (batch * heads * len * len * dim) as f64;
    let gflops = |t: Duration| flops / t.as_secs_f64() / 1e9;

    println!(
        "scores = einsum(\"bhqd,bhkd->bhqk\", q, k), q and k: {:?}, f64",
        q.shape()
    );
    println!("  scores.shape = {:?}", scores.shape());
    println!("  matches ndarray's q[b, h].dot(k[b, h].T): largest difference {max_error:.1e}");
    println!("  weights = softmax(scores / sqrt({dim}), axis=-1); top keys of weights[0, 0, 0]:");
    let row = weights.slice(s![0, 0, 0, ..]);
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
    for &key in &order[..5] {
        println!(
            "    key {key:3}: score {:6.3}, weight {:.4}",
            scores[[0, 0, 0, key]] / (dim as f64).sqrt(),
            row[key]
        );
    }
    println!("  (query 0 was planted near key {})", planted(0));
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
}
