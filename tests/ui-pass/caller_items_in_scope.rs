//! Items of the caller named like the expansion's own bindings (loop
//! indices, sizes, strides, the kernel) do not change what it does.
#![allow(non_upper_case_globals, non_camel_case_types, dead_code)]
use einsum_static::{einsum, explain, try_einsum};
use ndarray::{Array2, Array3};

const i: usize = 100;
const j: usize = 101;
const n_i: usize = 102;
const x0: usize = 103;
const x0_i: usize = 104;
const out: usize = 105;
const result: usize = 106;
const shape: usize = 107;
const binder: usize = 108;
const acc: usize = 109;
const row: usize = 110;
const tile_row: usize = 111;
const run: usize = 114;
const r: usize = 112;
const I_: usize = 113;
const context: usize = 115;
const PLANS: usize = 116;
const inputs: usize = 117;
const target: usize = 118;
struct k;
struct total;
struct ell;
mod rt {}
mod einsum_kernel {}

/// A function of the caller's named like the expansion's old kernel.
fn einsum_kernel(a: &Array2<f64>) -> Array2<f64> {
    a.t().to_owned()
}

fn main() {
    let a = Array2::from_shape_fn((3, 4), |(p, q)| (p * 4 + q) as f64);
    let copy = einsum!("ij->ij", &a);
    assert_eq!(copy, a);
    let transposed = einsum!("ij->ij", &einsum_kernel(&a));
    assert_eq!(transposed, a.t());
    let ones = Array3::<f64>::ones((5, 3, 4));
    let tiled = einsum!("rij->ij", &ones);
    assert_eq!(tiled[[2, 3]], 5.0);
    let gram = try_einsum!("ik,jk->ij", &a, &a).unwrap();
    assert_eq!(gram[[0, 0]], 14.0);
    let upper = einsum!("IJ->J", &a);
    assert_eq!(upper[0], 12.0);
    // Three operands: the path's tokens (its plan cache, the call's
    // context, the bound operands), in einsum!, explain! and a semiring.
    let b = a.t().to_owned();
    let chain = einsum!("ij,jk,kl->il", &a, &b, &a);
    assert_eq!(chain, a.dot(&b).dot(&a));
    let plan = explain!("ij,jk,kl->il", &a, &b, &a).unwrap();
    assert_eq!(plan.step_engines().len(), 2);
    let best = einsum!("ij,jk,kl->il", &a, &b, &a; semiring = max_plus, threads = 1);
    // max over j, k of a[0, j] + a[k, j] + a[k, 0]: j = 3, k = 2.
    assert_eq!(best[[0, 0]], 3.0 + 11.0 + 8.0);
    let _ = (i, j, n_i, x0, x0_i, out, result, shape, binder, acc, row, tile_row, r, I_, run);
    // explain! into the caller's array binds it as its own `target`.
    let mut c = Array2::<f64>::zeros((3, 3));
    let plan = explain!("ik,jk->ij", &a, &a; out = c.view_mut().reversed_axes()).unwrap();
    assert!(plan.is_in_place());
    let _ = (context, PLANS, inputs, target);
}
