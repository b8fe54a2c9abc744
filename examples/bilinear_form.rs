//! A bilinear form per sample, `einsum("ik,jkl,il->ij", x, w, y)` as in
//! PyTorch's `nn.Bilinear`: `out[i, j] = x[i] @ w[j] @ y[i]` for 256
//! samples and 128 output features, with x and y of 64 features. Three
//! operands are contracted pairwise in the cheapest order, which `explain!`
//! prints like NumPy's `einsum_path`. The result is checked against ndarray's
//! `.dot()`, and the call is timed on every rayon thread and on one
//! (`; threads = 1`).
//!
//! cargo run --release --example bilinear_form

use einsum_static::{einsum, explain};
use ndarray::{s, Array2, Array3, Axis};

mod common;
use common::{median_time, ms, Lcg};

fn main() -> Result<(), einsum_static::EinsumError> {
    let (samples, features, dim) = (256, 128, 64);
    let mut rng = Lcg(7);
    let x = Array2::from_shape_fn((samples, dim), |_| rng.uniform());
    let w = Array3::from_shape_fn((features, dim, dim), |_| rng.uniform());
    let y = Array2::from_shape_fn((samples, dim), |_| rng.uniform());

    println!("{}", explain!("ik,jkl,il->ij", &x, &w, &y)?);

    let out = einsum!("ik,jkl,il->ij", &x, &w, &y);
    let serial = einsum!("ik,jkl,il->ij", &x, &w, &y; threads = 1);
    assert_eq!(out, serial, "one thread and all threads disagree");
    // The reference: out[:, j] = ((x @ w[j]) * y).sum(axis=1), one j at a time.
    let mut expected = Array2::<f64>::zeros((samples, features));
    for j in 0..features {
        let xw = x.dot(&w.index_axis(Axis(0), j));
        expected.column_mut(j).assign(&(xw * &y).sum_axis(Axis(1)));
    }
    let max_error = (&out - &expected).fold(0.0f64, |m, d| m.max(d.abs()));
    assert!(
        max_error < 1e-10,
        "einsum and ndarray's dot differ by {max_error}"
    );

    let parallel_time = median_time(|| einsum!("ik,jkl,il->ij", &x, &w, &y));
    let serial_time = median_time(|| einsum!("ik,jkl,il->ij", &x, &w, &y; threads = 1));

    println!("out = einsum(\"ik,jkl,il->ij\", x, w, y), x and y: {samples}x{dim}, w: {features}x{dim}x{dim}, f64");
    println!("  out.shape = {:?}", out.shape());
    println!("  out[0, :4] = {:.4}", out.slice(s![0, ..4]));
    println!(
        "  matches ndarray's (x.dot(w[j]) * y).sum(axis=1): largest difference {max_error:.1e}"
    );
    println!(
        "  {} threads: {:.3} ms",
        rayon::current_num_threads(),
        ms(parallel_time)
    );
    println!(
        "  1 thread:  {:.3} ms; speed-up {:.2}x",
        ms(serial_time),
        serial_time.as_secs_f64() / parallel_time.as_secs_f64()
    );
    Ok(())
}
