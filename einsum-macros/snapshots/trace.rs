// einsum!("ii->", & m)
fn call_site() {
    let _ = {
        use ::einsum_static::__rt as rt;
        #[inline]
        #[allow(non_snake_case, unused_parens, clippy::all)]
        fn einsum_kernel<T, D0>(
            x0: rt::ndarray::ArrayView<'_, T, D0>,
        ) -> Result<T, rt::EinsumError>
        where
            T: rt::Element,
            D0: rt::ndarray::Dimension + rt::Rank<2, 0>,
        {
            use rt::Sub::Label;
            let mut binder = rt::ShapeBinder::new(['i']);
            let x0 = binder.bind(0, &x0, &[Label(0), Label(0)])?;
            let shape = binder.finish(false)?;
            let [n_i] = shape.sizes();
            let result = {
                let [x0_i] = x0.strides;
                rt::schedule::reduce(
                    n_i,
                    1,
                    move |i_block| {
                        unsafe {
                            rt::kernels::sum_of_products(
                                i_block.end - i_block.start,
                                [(&x0, i_block.start * x0_i, x0_i)],
                            )
                        }
                    },
                )
            };
            Ok(result)
        }
        #[allow(clippy::needless_borrow)]
        let result = rt::unwrap_or_panic(einsum_kernel((&m).view()));
        result
    };
}
