use einsum_static::einsum;
use ndarray::Array2;

fn main() {
    let a = Array2::<f64>::zeros((2, 2));
    let mut c = Array2::<f32>::zeros((2, 2));
    einsum!("ij,jk->ik", &a, &a; out = &mut c);
}
