// einsum!("ij->j", & a)
fn call_site() {
    let _ = {
        mod __einsum {
            use ::einsum_static::__private as rt;
            #[inline]
            #[allow(non_snake_case, unused_parens, unused_variables, clippy::all)]
            pub fn run<T, D0>(
                x0: rt::ndarray::ArrayView<'_, T, D0>,
            ) -> ::core::result::Result<
                rt::ndarray::Array<T, rt::ndarray::Ix1>,
                rt::EinsumError,
            >
            where
                T: rt::Element,
                D0: rt::ndarray::Dimension + rt::Rank2<2, 0>,
            {
                use rt::Sub::Label;
                let mut binder = rt::ShapeBinder::uncounted(['i', 'j']);
                let x0 = binder.bind(0, &x0, &[Label(0), Label(1)])?;
                let shape = binder.finish(false)?;
                let context = rt::Context::ambient();
                let [n_i, n_j] = shape.sizes();
                let mut result = rt::Output::<
                    T,
                    rt::ndarray::Ix1,
                    2,
                >::allocate(&shape, &[Label(1)])?;
                {
                    let out = result.writer();
                    let [x0_i, x0_j] = x0.strides;
                    let [_, out_j] = out.strides;
                    rt::run_summing(
                        &context,
                        &out,
                        [1, n_j],
                        n_i,
                        1,
                        |_, j_block, i_block, out| {
                            let mut row = rt::kernels::RowSum::new();
                            row.start(j_block.end - j_block.start);
                            for i in i_block.clone() {
                                unsafe {
                                    row.add_products([
                                        (&x0, i * x0_i + j_block.start * x0_j, x0_j),
                                    ])
                                };
                            }
                            unsafe { row.store((&out, j_block.start * out_j, out_j)) };
                        },
                    );
                }
                ::core::result::Result::Ok(result.into_array())
            }
        }
        #[allow(clippy::needless_borrow)]
        let __einsum_value = ::einsum_static::__private::unwrap_or_panic(
            __einsum::run((&a).view()),
        );
        __einsum_value
    };
}
