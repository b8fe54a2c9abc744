use einsum_static::einsum;
use ndarray::Array2;

fn main() {
    let a = Array2::<f64>::ones((2, 2));
    let gib: f64 = 1e9;
    let c = einsum!("ij,jk,kl->il", &a, &a, &a; memory_limit = gib);
    println!("{c:?}");
}
