//! Depends on `einsum-static` renamed to `es` and re-exports its macros, as
//! a crate that wraps einsum-static for its own users would.

pub use es::{einsum, explain, try_einsum};

/// Calls through the renamed dependency, inside the crate that renamed it.
pub fn gram(a: &ndarray::Array2<f64>) -> ndarray::Array2<f64> {
    es::einsum!("ij,kj->ik", a, a; threads = 1)
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    #[test]
    fn the_renamed_crate_expands() {
        let a = array![[1.0, 2.0], [3.0, 4.0]];
        assert_eq!(super::gram(&a), array![[5.0, 11.0], [11.0, 25.0]]);
        let trace: f64 = es::try_einsum!("ii->", &a).unwrap();
        assert_eq!(trace, 5.0);
        let plan = es::explain!("ij,jk,kl->il", &a, &a, &a).unwrap();
        assert!(plan.flops() > 0.0);
    }
}
