//! Uses the macros re-exported by another crate, with no dependency on
//! `einsum-static` of its own.

#[cfg(test)]
mod tests {
    use einsum_static_test_reexporter::{einsum, explain, try_einsum};
    use ndarray::{array, Array3};

    #[test]
    fn re_exported_macros_expand_without_the_crate_in_scope() {
        let a = array![[1.0, 2.0], [3.0, 4.0]];
        let c = einsum!("ij,jk->ik", &a, &a);
        assert_eq!(c, array![[7.0, 10.0], [15.0, 22.0]]);
        let batch = Array3::<f32>::ones((4, 2, 3));
        let sums = try_einsum!("...ij->...i", &batch; memory_limit = 1 << 20).unwrap();
        assert_eq!(sums.shape(), &[4, 2]);
        assert!(explain!("ij->", &a).is_ok());
    }
}
