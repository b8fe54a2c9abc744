// einsum!("ij,jk,kl->il", & a, & b, & c)
fn call_site() {
    let _ = {
        use ::einsum_static::__rt as rt;
        #[allow(non_snake_case, unused_parens, clippy::all)]
        fn einsum_kernel<T, D0, D1, D2>(
            x0: rt::ndarray::ArrayView<'_, T, D0>,
            x1: rt::ndarray::ArrayView<'_, T, D1>,
            x2: rt::ndarray::ArrayView<'_, T, D2>,
        ) -> Result<rt::ndarray::Array<T, rt::ndarray::Ix2>, rt::EinsumError>
        where
            T: rt::Element,
            D0: rt::ndarray::Dimension + rt::Rank<2, 0>,
            D1: rt::ndarray::Dimension + rt::Rank<2, 1>,
            D2: rt::ndarray::Dimension + rt::Rank<2, 2>,
        {
            use rt::Sub::Label;
            let mut binder = rt::ShapeBinder::new(['i', 'j', 'k', 'l']);
            let x0 = binder.bind(0, &x0, &[Label(0), Label(1)])?;
            let x1 = binder.bind(1, &x1, &[Label(1), Label(2)])?;
            let x2 = binder.bind(2, &x2, &[Label(2), Label(3)])?;
            let shape = binder.finish(false)?;
            let [n_i, n_j, n_k, n_l] = shape.sizes();
            let mut t0 = rt::Output::<
                T,
                rt::ndarray::IxDyn,
                4,
            >::zeros(&shape, &[Label(0), Label(2)])?;
            {
                let out = t0.writer();
                if !rt::kernels::gemm(&shape, &[0, 1, 2], &x0, &x1, &out) {
                    let [x0_i, x0_j, _, _] = x0.strides;
                    let [_, x1_j, x1_k, _] = x1.strides;
                    let [out_i, _, out_k, _] = out.strides;
                    rt::schedule::run(
                        [n_i, n_k],
                        n_j,
                        |i_block, k_block| {
                            for i in i_block {
                                for k in k_block.clone() {
                                    unsafe {
                                        out.set(
                                            i * out_i + k * out_k,
                                            rt::kernels::sum_of_products(
                                                n_j,
                                                [(&x0, i * x0_i, x0_j), (&x1, k * x1_k, x1_j)],
                                            ),
                                        )
                                    };
                                }
                            }
                        },
                    );
                }
            }
            let t0 = t0.operand();
            let mut result = rt::Output::<
                T,
                rt::ndarray::Ix2,
                4,
            >::zeros(&shape, &[Label(0), Label(3)])?;
            {
                let out = result.writer();
                if !rt::kernels::gemm(&shape, &[0, 2, 3], &t0, &x2, &out) {
                    let [t0_i, _, t0_k, _] = t0.strides;
                    let [_, _, x2_k, x2_l] = x2.strides;
                    let [out_i, _, _, out_l] = out.strides;
                    rt::schedule::run(
                        [n_i, n_l],
                        n_k,
                        |i_block, l_block| {
                            for i in i_block {
                                for l in l_block.clone() {
                                    unsafe {
                                        out.set(
                                            i * out_i + l * out_l,
                                            rt::kernels::sum_of_products(
                                                n_k,
                                                [(&t0, i * t0_i, t0_k), (&x2, l * x2_l, x2_k)],
                                            ),
                                        )
                                    };
                                }
                            }
                        },
                    );
                }
            }
            Ok(result.into_array())
        }
        #[allow(clippy::needless_borrow)]
        let result = rt::unwrap_or_panic(
            einsum_kernel((&a).view(), (&b).view(), (&c).view()),
        );
        result
    };
}
