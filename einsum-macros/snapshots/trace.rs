// einsum!("ii->", & m)
fn call_site() {
    let _ = {
        mod __einsum {
            use ::einsum_static::__private as rt;
            #[inline]
            #[allow(non_snake_case, unused_parens, unused_variables, clippy::all)]
            pub fn run<T, D0>(
                x0: rt::ndarray::ArrayView<'_, T, D0>,
            ) -> ::core::result::Result<T, rt::EinsumError>
            where
                T: rt::Element,
                D0: rt::ndarray::Dimension + rt::Rank2<2, 0>,
            {
                use rt::Sub::Label;
                let mut binder = rt::ShapeBinder::uncounted(['i']);
                let x0 = binder.bind(0, &x0, &[Label(0), Label(0)])?;
                let shape = binder.finish(false)?;
                let context = rt::Context::ambient();
                let [n_i] = shape.sizes();
                let result = {
                    let [x0_i] = x0.strides;
                    rt::reduce(
                        &context,
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
                ::core::result::Result::Ok(result)
            }
        }
        #[allow(clippy::needless_borrow)]
        let __einsum_value = ::einsum_static::__private::unwrap_or_panic(
            __einsum::run((&m).view()),
        );
        __einsum_value
    };
}
