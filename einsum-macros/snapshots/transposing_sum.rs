// einsum!("ijk->kj", & x)
fn call_site() {
    let _ = {
        mod __einsum {
            use ::einsum_static::__private as rt;
            #[inline]
            #[allow(non_snake_case, unused_parens, unused_variables, clippy::all)]
            pub fn run<T, D0>(
                x0: rt::ndarray::ArrayView<'_, T, D0>,
            ) -> ::core::result::Result<
                rt::ndarray::Array<T, rt::ndarray::Ix2>,
                rt::EinsumError,
            >
            where
                T: rt::Element,
                D0: rt::ndarray::Dimension + rt::Rank3<3, 0>,
            {
                use rt::Sub::Label;
                let mut binder = rt::ShapeBinder::uncounted(['i', 'j', 'k']);
                let x0 = binder.bind(0, &x0, &[Label(0), Label(1), Label(2)])?;
                let shape = binder.finish(false)?;
                let context = rt::Context::ambient();
                let [n_i, n_j, n_k] = shape.sizes();
                let mut result = rt::Output::<
                    T,
                    rt::ndarray::Ix2,
                    3,
                >::allocate(&shape, &[Label(2), Label(1)])?;
                {
                    let out = result.writer();
                    let [x0_i, x0_j, x0_k] = x0.strides;
                    let [_, out_j, out_k] = out.strides;
                    rt::run_summing(
                        &context,
                        &out,
                        [n_j, n_k],
                        n_i,
                        1,
                        |j_block, k_block, i_block, out| {
                            let mut row = rt::kernels::RowSum::new();
                            row.start_rows(
                                j_block.end - j_block.start,
                                k_block.end - k_block.start,
                            );
                            for i in i_block.clone() {
                                let j = j_block.start;
                                unsafe {
                                    row.add_tile(
                                        [(&x0, i * x0_i + j * x0_j + k_block.start * x0_k, x0_k)],
                                        [x0_j],
                                    )
                                };
                            }
                            for (tile_row, j) in j_block.clone().enumerate() {
                                unsafe {
                                    row.store_row(
                                        tile_row,
                                        (&out, k_block.start * out_k + j * out_j, out_k),
                                    )
                                };
                            }
                        },
                    );
                }
                ::core::result::Result::Ok(result.into_array())
            }
        }
        #[allow(clippy::needless_borrow)]
        let __einsum_value = ::einsum_static::__private::unwrap_or_panic(
            __einsum::run((&x).view()),
        );
        __einsum_value
    };
}
