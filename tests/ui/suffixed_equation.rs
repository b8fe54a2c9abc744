use einsum_static::einsum;
use ndarray::Array2;

fn main() {
    let a = Array2::<f64>::ones((2, 2));
    let t = einsum!("ij->ji"xyz, &a);
    println!("{t:?}");
}
