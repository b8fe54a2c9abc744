use einsum_static::einsum;
use ndarray::{Array2, Array3};

fn main() {
    let a = Array2::<f64>::zeros((2, 2));
    let mut c = Array3::<f64>::zeros((2, 2, 1));
    einsum!("ij,jk->ik", &a, &a; out = &mut c);
}
