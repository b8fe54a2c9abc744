use einsum_static::einsum;
use ndarray::{Array0, Array2};

fn main() {
    let a = Array2::<f64>::zeros((2, 2));
    let _trace: Array0<f64> = einsum!("ii->", &a);
}
