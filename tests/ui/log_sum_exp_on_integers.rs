use einsum_static::einsum;
use ndarray::Array2;

fn main() {
    let a = Array2::<i64>::zeros((2, 2));
    let c = einsum!("ij,jk->ik", &a, &a; semiring = log_sum_exp);
    println!("{c:?}");
}
