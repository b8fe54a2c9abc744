//! A caller's own `Result` (an import or an alias) does not reach the
//! expansion, which names `core::result::Result` by its absolute path.
use einsum_static::{einsum, explain, try_einsum};
use ndarray::Array2;
use std::io::Result;

type Option<T> = std::result::Result<T, ()>;
#[allow(dead_code)]
struct Ok;
#[allow(dead_code)]
struct Some;

fn main() -> Result<()> {
    let a = Array2::<f64>::ones((3, 3));
    let c = einsum!("ij,jk->ik", &a, &a);
    let t = try_einsum!("ij,jk,kl->il", &a, &a, &a).map_err(std::io::Error::other)?;
    let plan = explain!("ij->", &a).map_err(std::io::Error::other)?;
    let none: Option<()> = std::result::Result::Ok(());
    assert_eq!((c[[0, 0]], t[[0, 0]], plan.flops() > 0.0), (3.0, 9.0, true));
    assert!(none.is_ok());
    Result::Ok(())
}
