use einsum_static::einsum;
use ndarray::Array2;

fn main() {
    let a = Array2::<f64>::zeros((2, 2));
    let equation = "ij->ji";
    let c = einsum!(equation, &a);
    println!("{c:?}");
}
