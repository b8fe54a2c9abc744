// einsum!("ij,jk,kl->il", & a, & b, & c)
fn call_site() {
    let _ = {
        use ::einsum_static::__rt as rt;
        #[inline]
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
            let mut result = rt::Output::<
                T,
                rt::ndarray::Ix2,
                4,
            >::allocate(&shape, &[Label(0), Label(3)])?;
            static PLANS: rt::path::PlanCache = rt::path::PlanCache::new();
            rt::path::contract(
                &shape,
                ['i', 'j', 'k', 'l'],
                &[
                    (&x0, &[Label(0), Label(1)][..]),
                    (&x1, &[Label(1), Label(2)][..]),
                    (&x2, &[Label(2), Label(3)][..]),
                ],
                &[Label(0), Label(3)],
                &mut result,
                &PLANS,
            )?;
            Ok(result.into_array())
        }
        #[allow(clippy::needless_borrow)]
        let result = rt::unwrap_or_panic(
            einsum_kernel((&a).view(), (&b).view(), (&c).view()),
        );
        result
    };
}
