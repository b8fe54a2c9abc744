// einsum!("...ij,...jk->...ik", & x, & y)
fn call_site() {
    let _ = {
        mod __einsum {
            use ::einsum_static::__private as rt;
            #[inline]
            #[allow(non_snake_case, unused_parens, unused_variables, clippy::all)]
            pub fn run<T, E1, D0, D1>(
                x0: rt::ndarray::ArrayView<'_, T, D0>,
                x1: rt::ndarray::ArrayView<'_, E1, D1>,
            ) -> ::core::result::Result<rt::ndarray::ArrayD<T>, rt::EinsumError>
            where
                T: rt::Element,
                E1: rt::SameElement<T, 1>,
                D0: rt::ndarray::Dimension + rt::RankAtLeast2<2, 0>,
                D1: rt::ndarray::Dimension + rt::RankAtLeast2<2, 1>,
            {
                let x1 = <E1 as rt::SameElement<T, 1>>::view(x1);
                use rt::Sub::{Label, Ellipsis};
                let mut binder = rt::ShapeBinder::new(['i', 'j', 'k']);
                let x0 = binder.bind(0, &x0, &[Ellipsis, Label(0), Label(1)])?;
                let x1 = binder.bind(1, &x1, &[Ellipsis, Label(1), Label(2)])?;
                let shape = binder.finish(true)?;
                let context = rt::Context::ambient();
                let [n_i, n_j, n_k] = shape.sizes();
                let mut result = rt::Output::<
                    T,
                    rt::ndarray::IxDyn,
                    3,
                >::allocate(&shape, &[Ellipsis, Label(0), Label(2)])?;
                {
                    let out = result.writer();
                    if !rt::gemm_step(&context, &shape, &[0, 1, 2], &x0, &x1, &out) {
                        let [x0_i, x0_j, _] = x0.strides;
                        let [_, x1_j, x1_k] = x1.strides;
                        let [out_i, _, out_k] = out.strides;
                        let ell = rt::EllipsisAxes::new(
                            &shape,
                            [x0.ellipsis(), x1.ellipsis(), out.ellipsis()],
                        );
                        rt::run(
                            &context,
                            [ell.len(), n_i],
                            n_k * n_j,
                            |ell_block, i_block| {
                                for [x0_ell, x1_ell, out_ell] in ell.offsets(ell_block) {
                                    for i in i_block.clone() {
                                        for k in 0..n_k {
                                            unsafe {
                                                out.set(
                                                    out_ell + i * out_i + k * out_k,
                                                    rt::kernels::sum_of_products(
                                                        n_j,
                                                        [
                                                            (&x0, x0_ell + i * x0_i, x0_j),
                                                            (&x1, x1_ell + k * x1_k, x1_j),
                                                        ],
                                                    ),
                                                )
                                            };
                                        }
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
            __einsum::run((&x).view(), (&y).view()),
        );
        __einsum_value
    };
}
