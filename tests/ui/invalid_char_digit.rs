use einsum_static::einsum;
use ndarray::Array2;

fn main() {
    let a = Array2::<f64>::zeros((2, 2));
    let c = einsum!("i1->i", &a);
    println!("{c:?}");
}
