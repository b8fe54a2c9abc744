// einsum!("ij,jk,kl->il", & a, & b, & c)
fn call_site() {
    let _ = {
        mod __einsum {
            use ::einsum_static::__private as rt;
            #[inline]
            #[allow(non_snake_case, unused_parens, unused_variables, clippy::all)]
            pub fn run<T, E1, E2, D0, D1, D2>(
                x0: rt::ndarray::ArrayView<'_, T, D0>,
                x1: rt::ndarray::ArrayView<'_, E1, D1>,
                x2: rt::ndarray::ArrayView<'_, E2, D2>,
            ) -> ::core::result::Result<
                rt::ndarray::Array<T, rt::ndarray::Ix2>,
                rt::EinsumError,
            >
            where
                T: rt::Element,
                E1: rt::SameElement<T, 1>,
                E2: rt::SameElement<T, 2>,
                D0: rt::ndarray::Dimension + rt::Rank2<2, 0>,
                D1: rt::ndarray::Dimension + rt::Rank2<2, 1>,
                D2: rt::ndarray::Dimension + rt::Rank2<2, 2>,
            {
                let x1 = <E1 as rt::SameElement<T, 1>>::view(x1);
                let x2 = <E2 as rt::SameElement<T, 2>>::view(x2);
                use rt::Sub::Label;
                let mut binder = rt::ShapeBinder::new(['i', 'j', 'k', 'l']);
                let x0 = binder.bind(0, &x0, &[Label(0), Label(1)])?;
                let x1 = binder.bind(1, &x1, &[Label(1), Label(2)])?;
                let x2 = binder.bind(2, &x2, &[Label(2), Label(3)])?;
                let shape = binder.finish(false)?;
                let context = rt::Context::ambient();
                let [n_i, n_j, n_k, n_l] = shape.sizes();
                let mut result = rt::Output::<
                    T,
                    rt::ndarray::Ix2,
                    4,
                >::allocate(&shape, &[Label(0), Label(3)])?;
                static PLANS: rt::PlanCache = rt::PlanCache::new();
                rt::contract(
                    &context,
                    &shape,
                    ['i', 'j', 'k', 'l'],
                    &[
                        (&x0, &[Label(0), Label(1)][..]),
                        (&x1, &[Label(1), Label(2)][..]),
                        (&x2, &[Label(2), Label(3)][..]),
                    ],
                    &[Label(0), Label(3)],
                    &result.writer(),
                    &PLANS,
                )?;
                ::core::result::Result::Ok(result.into_array())
            }
        }
        #[allow(clippy::needless_borrow)]
        let __einsum_value = ::einsum_static::__private::unwrap_or_panic(
            __einsum::run((&a).view(), (&b).view(), (&c).view()),
        );
        __einsum_value
    };
}
