use einsum_static::einsum;
use ndarray::{Array2, Array3};

fn main() {
    let a = Array2::<f64>::zeros((2, 2));
    let b = Array3::<f64>::zeros((2, 2, 2));
    let c = einsum!("ij,jk->ik", &a, &b);
    println!("{c:?}");
}
