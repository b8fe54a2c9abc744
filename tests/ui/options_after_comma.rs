use einsum_static::einsum;
use ndarray::Array2;

fn main() {
    let a = Array2::<f64>::ones((2, 2));
    let c = einsum!("ij,jk->ik", &a, &a, threads = 4);
    println!("{c:?}");
}
