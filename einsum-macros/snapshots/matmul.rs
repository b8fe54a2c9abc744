// einsum!("ij,jk->ik", & a, & b)
fn call_site() {
    let _ = {
        mod __einsum {
            use ::einsum_static::__private as rt;
            #[inline]
            #[allow(non_snake_case, unused_parens, unused_variables, clippy::all)]
            pub fn run<T, E1, D0, D1>(
                x0: rt::ndarray::ArrayView<'_, T, D0>,
                x1: rt::ndarray::ArrayView<'_, E1, D1>,
            ) -> ::core::result::Result<
                rt::ndarray::Array<T, rt::ndarray::Ix2>,
                rt::EinsumError,
            >
            where
                T: rt::Element,
                E1: rt::SameElement<T, 1>,
                D0: rt::ndarray::Dimension + rt::Rank2<2, 0>,
                D1: rt::ndarray::Dimension + rt::Rank2<2, 1>,
            {
                let x1 = <E1 as rt::SameElement<T, 1>>::view(x1);
                use rt::Sub::Label;
                let mut binder = rt::ShapeBinder::new(['i', 'j', 'k']);
                let x0 = binder.bind(0, &x0, &[Label(0), Label(1)])?;
                let x1 = binder.bind(1, &x1, &[Label(1), Label(2)])?;
                let shape = binder.finish(false)?;
                let context = rt::Context::ambient();
                let [n_i, n_j, n_k] = shape.sizes();
                let mut result = rt::Output::<
                    T,
                    rt::ndarray::Ix2,
                    3,
                >::allocate(&shape, &[Label(0), Label(2)])?;
                {
                    let out = result.writer();
                    if !rt::gemm_step(&context, &shape, &[0, 1, 2], &x0, &x1, &out) {
                        let [x0_i, x0_j, _] = x0.strides;
                        let [_, x1_j, x1_k] = x1.strides;
                        let [out_i, _, out_k] = out.strides;
                        rt::run(
                            &context,
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
                ::core::result::Result::Ok(result.into_array())
            }
        }
        #[allow(clippy::needless_borrow)]
        let __einsum_value = ::einsum_static::__private::unwrap_or_panic(
            __einsum::run((&a).view(), (&b).view()),
        );
        __einsum_value
    };
}
