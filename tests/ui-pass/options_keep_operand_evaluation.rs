//! Options do not change how operands are evaluated: `?` in an operand,
//! and operands that are not `Send` (an `Rc`, a `RefCell` borrow), compile
//! with options exactly as without.
use einsum_static::{einsum, explain, try_einsum, EinsumError};
use ndarray::Array2;
use std::cell::RefCell;
use std::rc::Rc;

fn total(a: std::result::Result<Array2<f64>, EinsumError>) -> std::result::Result<f64, EinsumError> {
    let plain: f64 = einsum!("ij->", a.clone()?);
    let with_threads: f64 = einsum!("ij->", a.clone()?; threads = 2);
    let with_both: f64 = try_einsum!("ij->", a?; threads = 2, memory_limit = 1 << 20)?;
    assert_eq!((plain, with_threads), (with_both, with_both));
    Ok(plain)
}

fn main() {
    let a = Array2::<f64>::ones((4, 5));
    assert_eq!(total(Ok(a.clone())).unwrap(), 20.0);
    let shared = Rc::new(a.clone());
    let cell = RefCell::new(a);
    let x: f64 = einsum!("ij->", &*shared; threads = 2);
    let y: f64 = einsum!("ij->", &*cell.borrow(); memory_limit = 1 << 20);
    let z = einsum!("ij,kj->ik", &*shared, &*cell.borrow(); threads = 1, memory_limit = 0);
    let plan = explain!("ij->", &*shared; threads = 2).unwrap();
    assert_eq!((x, y, z[[0, 0]]), (20.0, 20.0, 5.0));
    assert!(plan.to_string().contains("threads: 2"));
}
