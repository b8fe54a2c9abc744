use einsum_static::einsum;
use ndarray::Array2;
use num_complex::Complex;

fn main() {
    let a = Array2::<Complex<f64>>::zeros((2, 2));
    let c = einsum!("ij,jk->ik", &a, &a; semiring = max_plus);
    println!("{c:?}");
}
