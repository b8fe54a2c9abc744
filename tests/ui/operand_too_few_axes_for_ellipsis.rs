use einsum_static::einsum;
use ndarray::Array1;

fn main() {
    let v = Array1::<f64>::zeros(3);
    let c = einsum!("...ij->...i", &v);
    println!("{c:?}");
}
