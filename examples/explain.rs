//! Prints the plan of a few einsums for their actual sizes.
//!
//! cargo run --release --example explain

use einsum_static::explain;
use ndarray::{Array2, Array3};

fn main() -> Result<(), einsum_static::EinsumError> {
    let (tall, wide) = (
        Array2::<f64>::zeros((512, 64)),
        Array2::<f64>::zeros((64, 512)),
    );
    println!(
        "{}",
        explain!("ij,jk,kl,lm->im", &tall, &wide, &tall, &wide)?
    );
    let x = Array3::<f64>::zeros((64, 128, 128));
    println!("{}", explain!("bij,bjk->bik", &x, &x)?);
    let rows = Array2::<f64>::zeros((100_000, 100));
    println!("{}", explain!("ij,ij->i", &rows, &rows)?);
    let cube = Array3::<f64>::zeros((256, 256, 256));
    println!("{}", explain!("ijk->", &cube)?);
    Ok(())
}
