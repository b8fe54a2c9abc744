use einsum_static::einsum;
use ndarray::{array, s, Array2, Array3};

fn main() {
    let a = array![[1.0, 2.0], [3.0, 4.0]];
    let b = array![[5.0, 6.0], [7.0, 8.0]];
    let c = einsum!("ij,jk->ik", &a, &b);
    println!("{c}");
    let t: f64 = einsum!("ii->", &a);
    println!("{t}");
    let d = einsum!("ij,jk", &a, &b.t());
    println!("{d}");
    let x = Array3::<f64>::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f64);
    let y = Array3::<f64>::from_shape_fn((2, 4, 2), |(i, j, k)| (i + j + k) as f64);
    let e = einsum!("...ij,...jk->...ik", &x, &y);
    println!("{e}");
    let f = einsum!("ij,jk,kl->il", &a, &b, &a.slice(s![..;-1, ..]));
    println!("{f}");
    let big = Array2::<f64>::ones((300, 400));
    let g = einsum!("ij,kj->ik", &big, &big);
    println!("{}", g.sum());
}

macro_rules! via_rules {
    ($eq:literal, $($op:expr),*) => { einsum_static::try_einsum!($eq, $($op),*) };
}

#[allow(dead_code)]
fn rules() {
    let a = array![[1.0, 2.0], [3.0, 4.0]];
    let r = via_rules!("ij->ji", &a).unwrap();
    println!("{r}");
}
