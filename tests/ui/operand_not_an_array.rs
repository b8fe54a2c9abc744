use einsum_static::einsum;

fn main() {
    let v: Vec<f64> = vec![1.0, 2.0];
    let dot: f64 = einsum!("i,i->", &v, &v);
    println!("{dot}");
}
