use einsum_static::einsum;
use ndarray::Array3;

fn main() {
    let a = Array3::<f64>::zeros((2, 2, 2));
    let c = einsum!("...i->...i...", &a);
    println!("{c:?}");
}
