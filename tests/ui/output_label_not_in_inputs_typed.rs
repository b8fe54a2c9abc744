use einsum_static::einsum;
use ndarray::Array2;

// The result's type is written out and used: still one error, on the literal.
fn main() {
    let a = Array2::<f64>::zeros((2, 2));
    let c: Array2<f64> = einsum!("ij,jk->iz", &a, &a);
    println!("{}", c.sum());
}
