// einsum-static on a user's arrays of an older ndarray (the version the
// including crate pins): the operands, the results and
// `einsum_static::ndarray` are all of the one ndarray in the graph.

#[cfg(test)]
mod tests {
    use einsum_static::{einsum, explain, try_einsum};
    use ndarray::{array, Array2, Array3, ArrayD, IxDyn};

    #[test]
    fn a_user_on_an_older_ndarray_calls_every_engine() {
        let a = Array2::from_shape_fn((40, 30), |(i, j)| (i * 3 + j) as f64);
        let b = Array2::from_shape_fn((30, 20), |(i, j)| (i + 2 * j) as f64);
        let c: Array2<f64> = einsum!("ij,jk->ik", &a, &b);
        assert_eq!(c, a.dot(&b));
        let ints = array![[1i64, 2], [3, 4]];
        assert_eq!(einsum!("ii->", &ints), 5);
        let batch = Array3::<f32>::ones((3, 4, 5));
        let sums: ArrayD<f32> = try_einsum!("...ij->...i", &batch; threads = 1).unwrap();
        assert_eq!(sums.shape(), &[3, 4]);
        let dynamic = ArrayD::<f64>::ones(IxDyn(&[4, 4]));
        let chain = einsum!(
            "ij,jk,kl->il",
            &dynamic,
            &a.slice(ndarray::s![..4, ..4]),
            &dynamic
        );
        assert_eq!(chain.dim(), (4, 4));
        assert!(explain!("ij,jk->ik", &a, &b).is_ok());
        // The re-export is the same crate as the user's ndarray.
        let same: einsum_static::ndarray::Array2<f64> = c;
        assert_eq!(same.dim(), (40, 20));
    }
}
