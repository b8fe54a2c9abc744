use einsum_static::try_einsum;
use ndarray::Array2;

fn main() {
    let a = Array2::<f64>::zeros((2, 2));
    let c = try_einsum!("ij,jk->i_k", &a, &a).unwrap();
    println!("{c:?}");
}
