use einsum_static::einsum;

fn main() {
    let _: f64 = einsum!();
}
