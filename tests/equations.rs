//! Every equation of tests/generated/equations.rs (written by
//! scripts/gen_equations.py), run through the macros in many layouts and
//! sizes and checked against the reference einsum of tests/common; then
//! operands of static rank, and the run-time errors.

mod common;

use common::{
    check_equation, check_equation_in_place, check_semiring, Out, Spec, TestElem, ToDyn, C32, C64,
};
use einsum_static::{einsum, try_einsum};
use einsum_static::{LogSumExpElement, OrderedElement};
use ndarray::{ArrayViewD, ArrayViewMutD};

/// One generated equation: a test that runs it for each element type, with
/// `try_einsum!` (`try`) or `einsum!` (`panic`).
macro_rules! case {
    ($name:ident, $eq:literal, try, [$($k:literal),*], [$t0:ty, $t1:ty $(, $t:ty)*], $sizes:literal, $ell:expr) => {
        #[test]
        fn $name() {
            fn call<T: TestElem>(ops: &[ArrayViewD<'_, T>]) -> Result<Out<T>, String> {
                try_einsum!($eq, $(ops[$k]),*)
                    .map(ToDyn::to_dyn)
                    .map_err(|err| err.to_string())
            }
            fn in_place<T: TestElem>(ops: &[ArrayViewD<'_, T>], mut out: ArrayViewMutD<'_, T>, alpha: T, beta: T) -> Result<(), String> {
                try_einsum!($eq, $(ops[$k]),*; out = out, alpha = alpha, beta = beta).map_err(|err| err.to_string())
            }
            let spec = Spec { name: stringify!($name), equation: $eq, sizes: $sizes, ellipsis: $ell };
            check_equation::<$t0>(&spec, call::<$t0>);
            check_equation::<$t1>(&spec, call::<$t1>);
            $(check_equation::<$t>(&spec, call::<$t>);)*
            // In place: a float and an integer type.
            check_equation_in_place::<$t0>(&spec, call::<$t0>, in_place::<$t0>);
            check_equation_in_place::<$t1>(&spec, call::<$t1>, in_place::<$t1>);
            semirings!($eq, [$($k),*], $t0, $t1, &spec);
        }
    };
    ($name:ident, $eq:literal, panic, [$($k:literal),*], [$t0:ty, $t1:ty $(, $t:ty)*], $sizes:literal, $ell:expr) => {
        #[test]
        fn $name() {
            fn call<T: TestElem>(ops: &[ArrayViewD<'_, T>]) -> Result<Out<T>, String> {
                Ok(einsum!($eq, $(ops[$k]),*).to_dyn())
            }
            fn in_place<T: TestElem>(ops: &[ArrayViewD<'_, T>], mut out: ArrayViewMutD<'_, T>, alpha: T, beta: T) -> Result<(), String> {
                einsum!($eq, $(ops[$k]),*; out = &mut out, beta = beta, alpha = alpha);
                Ok(())
            }
            let spec = Spec { name: stringify!($name), equation: $eq, sizes: $sizes, ellipsis: $ell };
            check_equation::<$t0>(&spec, call::<$t0>);
            check_equation::<$t1>(&spec, call::<$t1>);
            $(check_equation::<$t>(&spec, call::<$t>);)*
            // In place: a float and an integer type.
            check_equation_in_place::<$t0>(&spec, call::<$t0>, in_place::<$t0>);
            check_equation_in_place::<$t1>(&spec, call::<$t1>, in_place::<$t1>);
            semirings!($eq, [$($k),*], $t0, $t1, &spec);
        }
    };
}

/// Each generated equation over each semiring, with `out`, `alpha` and
/// `beta`: the float type over all four, the integer type over the three
/// that take integers.
macro_rules! semirings {
    ($eq:literal, [$($k:literal),*], $t0:ty, $t1:ty, $spec:expr) => {{
        macro_rules! over {
            ($name:ident, $bound:path) => {
                fn $name<T: TestElem + $bound>(ops: &[ArrayViewD<'_, T>], mut out: ArrayViewMutD<'_, T>, alpha: T, beta: T) -> Result<(), String> {
                    try_einsum!($eq, $(ops[$k]),*; out = out, semiring = $name, alpha = alpha, beta = beta)
                        .map_err(|err| err.to_string())
                }
            };
        }
        over!(max_plus, OrderedElement);
        over!(min_plus, OrderedElement);
        over!(max_product, OrderedElement);
        over!(log_sum_exp, LogSumExpElement);
        check_semiring::<$t0>($spec, "max_plus", max_plus::<$t0>);
        check_semiring::<$t0>($spec, "min_plus", min_plus::<$t0>);
        check_semiring::<$t0>($spec, "max_product", max_product::<$t0>);
        check_semiring::<$t0>($spec, "log_sum_exp", log_sum_exp::<$t0>);
        check_semiring::<$t1>($spec, "max_plus", max_plus::<$t1>);
        check_semiring::<$t1>($spec, "min_plus", min_plus::<$t1>);
        check_semiring::<$t1>($spec, "max_product", max_product::<$t1>);
    }};
}

mod generated {
    use super::*;
    include!("generated/equations.rs");
}

// ---------------------------------------------------------------------------
// Operands of static rank, and every kind of operand expression

mod static_rank {
    use super::common::{assert_matches_reference, random};
    use einsum_static::{einsum, try_einsum};
    use ndarray::{
        arr0, s, ArcArray, Array, Array1, Array2, Array3, Array6, ArrayD, CowArray, Ix2, IxDyn,
    };

    #[test]
    fn matrices_and_views() {
        let a: Array2<f64> = random((3, 4), 1);
        let b: Array2<f64> = random((4, 5), 2);
        let (da, db) = (a.view().into_dyn(), b.view().into_dyn());
        // Owned arrays by reference, views, and owned values.
        let c: Array2<f64> = einsum!("ij,jk->ik", &a, &b);
        assert_matches_reference("ij,jk->ik", &[da.view(), db.view()], c.clone());
        let c2: Array2<f64> = einsum!("ij,jk->ik", a.view(), b.view());
        assert_eq!(c2, c);
        let c3: Array2<f64> = einsum!("ij,jk->ik", a.clone(), b.clone());
        assert_eq!(c3, c);
        // Transposed, stepped and reversed views of static rank.
        let t: Array2<f64> = einsum!("ji,jk->ik", &a.t(), &b.t().t());
        assert_eq!(t.dim(), (3, 5));
        assert_matches_reference("ji,jk->ik", &[da.t(), db.t().t()], t);
        let big: Array2<f64> = random((7, 9), 3);
        let stepped = big.slice(s![..;2, 1..;2]); // (4, 4)
        let r: Array2<f64> = einsum!("ij,jk->ik", &a, &stepped.slice(s![..;-1, ..]));
        let dstep = stepped.slice(s![..;-1, ..]).into_dyn();
        assert_matches_reference("ij,jk->ik", &[da.view(), dstep], r);
        // ArcArray and CowArray.
        let arc: ArcArray<f64, Ix2> = a.to_shared();
        let cow = CowArray::from(b.view());
        let r: Array2<f64> = einsum!("ij,jk->ik", &arc, &cow);
        assert_eq!(r, c);
        // A mix of static and dynamic ranks.
        let r: Array2<f64> = try_einsum!("ij,jk->ik", &a, &db).unwrap();
        assert_eq!(r, c);
    }

    #[test]
    fn result_forms() {
        let v: Array1<f64> = random(4, 4);
        let m: Array2<f64> = random((4, 4), 5);
        let x: Array3<f64> = random((2, 4, 4), 6);
        // Rank 0: the scalar.
        let s: f64 = einsum!("i,i", &v, &v);
        assert_matches_reference("i,i", &[v.view().into_dyn(), v.view().into_dyn()], s);
        let t: f64 = einsum!("ii", &m);
        assert_matches_reference("ii", &[m.view().into_dyn()], t);
        // Rank 1..6: Array<T, IxN>.
        let d: Array1<f64> = einsum!("ii->i", &m);
        assert_matches_reference("ii->i", &[m.view().into_dyn()], d);
        let six: Array6<f64> = einsum!("i,j,k,l,m,n->nmlkji", &v, &v, &v, &v, &v, &v);
        assert_eq!(six.shape(), &[4; 6]);
        // Rank 7 and ellipsis outputs: ArrayD.
        let seven: ArrayD<f64> = einsum!("i,j,k,l,m,n,o", &v, &v, &v, &v, &v, &v, &v);
        assert_eq!(seven.shape(), &[4; 7]);
        let e: ArrayD<f64> = einsum!("...ij->...ji", &x);
        assert_matches_reference("...ij->...ji", &[x.view().into_dyn()], e);
        // An ellipsis covering no axis still gives an ArrayD.
        let e: ArrayD<f64> = einsum!("...ij->...ji", &m);
        assert_eq!(e.shape(), &[4, 4]);
        // Rank-0 operands, static and dynamic.
        let scaled: Array2<f64> = einsum!(",ij->ij", &arr0(2.0), &m);
        assert_eq!(scaled, &m * 2.0);
        let zero_d = ArrayD::from_elem(IxDyn(&[]), 3.0);
        let scaled: Array2<f64> = einsum!(",ij", &zero_d, &m);
        assert_eq!(scaled, &m * 3.0);
        let product: f64 = einsum!(",->", &arr0(2.0), &arr0(5.0));
        assert_eq!(product, 10.0);
    }

    #[test]
    fn operands_are_evaluated_once_left_to_right() {
        let a: Array2<f64> = random((2, 2), 8);
        let mut order = Vec::new();
        let mut take = |k: usize| {
            order.push(k);
            a.clone()
        };
        let _: f64 = einsum!("ij,ji", take(0), take(1));
        let _: Array2<f64> = einsum!("ij,jk,kl->il", take(2), take(3), take(4));
        assert_eq!(order, [0, 1, 2, 3, 4]);
    }

    macro_rules! through_a_macro {
        ($eq:literal, $($x:expr),+) => {
            einsum_static::einsum!($eq, $($x),+)
        };
    }

    #[test]
    fn equation_through_macro_rules_literal() {
        let a: Array2<f64> = random((3, 3), 7);
        let t: f64 = through_a_macro!("ii->", &a);
        let t2: f64 = einsum!("ii->", &a);
        assert_eq!(t, t2);
        let p: Array2<f64> = through_a_macro!("ij,jk", &a, &a);
        let da = a.view().into_dyn();
        assert_matches_reference("ij,jk", &[da.view(), da.view()], p);
    }

    #[test]
    fn integers_and_complex() {
        use num_complex::Complex;
        let a = Array::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as i32 - 5);
        let r: Array2<i32> = einsum!("ij,kj->ik", &a, &a);
        assert_eq!(r, a.dot(&a.t()));
        let u = Array::from_shape_fn((2, 3), |(i, j)| (i + j) as u8);
        let s: u8 = einsum!("ij->", &u);
        assert_eq!(s, 9);
        let z = Array::from_shape_fn((2, 2), |(i, j)| Complex::new(i as f64, j as f64));
        let r: Array2<Complex<f64>> = einsum!("ij,jk->ik", &z, &z);
        assert_eq!(r, z.dot(&z));
    }
}

// ---------------------------------------------------------------------------
// Run-time errors

mod errors {
    use einsum_static::{einsum, try_einsum, EinsumError};
    use ndarray::{Array1, Array2, Array3, ArrayD, IxDyn};

    #[test]
    fn size_mismatch_names_the_label_and_both_sizes() {
        let a = Array2::<f64>::zeros((2, 3));
        let b = Array2::<f64>::zeros((4, 5));
        let err = try_einsum!("ij,jk->ik", &a, &b).unwrap_err();
        assert_eq!(
            err,
            EinsumError::SizeMismatch {
                label: 'j',
                first: (3, 0, 1),
                second: (4, 1, 0)
            }
        );
        let text = err.to_string();
        assert!(
            text.contains("'j'") && text.contains('3') && text.contains('4'),
            "{text}"
        );
        // A size of 1 broadcasts; the next size that differs is reported
        // against the size it broadcast to.
        let (one, three, four) = (
            Array1::<i64>::zeros(1),
            Array1::<i64>::zeros(3),
            Array1::<i64>::zeros(4),
        );
        let err = try_einsum!("i,i,i->i", &one, &three, &four).unwrap_err();
        assert!(
            matches!(
                err,
                EinsumError::SizeMismatch {
                    label: 'i',
                    first: (3, 1, 0),
                    second: (4, 2, 0)
                }
            ),
            "{err:?}"
        );
        // Uppercase labels are named as written.
        let err = try_einsum!("Ab,bA->A", &a, &a).unwrap_err();
        assert!(
            matches!(
                err,
                EinsumError::SizeMismatch {
                    label: 'A' | 'b',
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn diagonal_mismatch() {
        let a = Array2::<f64>::zeros((2, 3));
        let err = try_einsum!("ii->i", &a).unwrap_err();
        assert_eq!(
            err,
            EinsumError::DiagonalMismatch {
                label: 'i',
                operand: 0,
                sizes: (2, 3)
            }
        );
        // Size 1 does not broadcast inside one operand (NumPy neither).
        let b = Array2::<f64>::zeros((1, 3));
        let v = Array1::<f64>::zeros(3);
        let err = try_einsum!("j,ii->i", &v, &b).unwrap_err();
        assert!(
            matches!(
                err,
                EinsumError::DiagonalMismatch {
                    label: 'i',
                    operand: 1,
                    sizes: (1, 3)
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn ellipsis_broadcast_failure() {
        let x = Array3::<f64>::zeros((2, 3, 3));
        let y = Array3::<f64>::zeros((4, 3, 3));
        let err = try_einsum!("...ij,...jk->...ik", &x, &y).unwrap_err();
        assert!(
            matches!(&err, EinsumError::EllipsisMismatch { operand: 1, so_far, dims } if so_far == &[2] && dims == &[4]),
            "{err:?}"
        );
        assert!(err.to_string().contains("broadcast"), "{err}");
    }

    #[test]
    fn ellipsis_not_in_output() {
        let x = Array2::<f64>::zeros((2, 3));
        let err = try_einsum!("...i->i", &x).unwrap_err();
        assert_eq!(err, EinsumError::EllipsisNotInOutput { dims: vec![2] });
        // Even when the ellipsis covers only axes of size 1 (as NumPy).
        let x1 = Array2::<f64>::zeros((1, 3));
        let v = Array1::<f64>::zeros(3);
        let err = try_einsum!("...i,...i->i", &x1, &v).unwrap_err();
        assert_eq!(err, EinsumError::EllipsisNotInOutput { dims: vec![1] });
        // Implicit output always keeps the ellipsis; zero axes are fine.
        let r: f64 = einsum!("...i,...i->", &v, &v);
        assert_eq!(r, 0.0);
    }

    #[test]
    fn operand_of_wrong_rank_given_as_ixdyn() {
        let d3 = ArrayD::<f64>::zeros(IxDyn(&[2, 2, 2]));
        let err = try_einsum!("ij->i", &d3).unwrap_err();
        assert_eq!(
            err,
            EinsumError::RankMismatch {
                operand: 0,
                ndim: 3,
                labels: 2,
                ellipsis: false
            }
        );
        let d1 = ArrayD::<f64>::zeros(IxDyn(&[2]));
        let v = Array1::<f64>::zeros(2);
        let err = try_einsum!("i,ij...->j...", &v, &d1).unwrap_err();
        assert_eq!(
            err,
            EinsumError::RankMismatch {
                operand: 1,
                ndim: 1,
                labels: 2,
                ellipsis: true
            }
        );
        let d0 = ArrayD::<f64>::zeros(IxDyn(&[]));
        let err = try_einsum!("i->", &d0).unwrap_err();
        assert!(
            matches!(
                err,
                EinsumError::RankMismatch {
                    operand: 0,
                    ndim: 0,
                    labels: 1,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn size_overflow_is_an_error_not_an_allocation() {
        // Two broadcast (stride 0) vectors of 2^32 elements: their outer
        // product would have 2^64.
        let one = Array1::<f64>::ones(1);
        let long = one.broadcast(1usize << 32).unwrap();
        let err = try_einsum!("i,j->ij", &long, &long).unwrap_err();
        assert_eq!(
            err,
            EinsumError::SizeOverflow {
                shape: vec![1 << 32, 1 << 32]
            }
        );
    }

    #[test]
    #[should_panic(expected = "size of label 'j' does not match")]
    fn einsum_panics_with_the_message() {
        let a = Array2::<f64>::zeros((2, 3));
        let b = Array2::<f64>::zeros((4, 5));
        let _ = einsum!("ij,jk->ik", &a, &b);
    }

    #[test]
    #[should_panic(expected = "collapsing index 'i'")]
    fn einsum_panics_on_a_diagonal_mismatch() {
        let a = Array2::<i64>::zeros((2, 3));
        let _: i64 = einsum!("ii", &a);
    }
}

/// Dev only: writes the reference einsum's results on the generated
/// equations to the file named by `EINSUM_REFERENCE_DUMP`, for
/// `scripts/gen_equations.py --check-reference FILE` to compare with
/// numpy.einsum (this cross-checks the oracle itself):
///
/// ```text
/// EINSUM_REFERENCE_DUMP=/tmp/ref.jsonl cargo test --test equations -- --ignored dump_reference
/// python3 scripts/gen_equations.py --check-reference /tmp/ref.jsonl
/// ```
#[test]
#[ignore = "dev only: cross-checks the reference with NumPy through scripts/gen_equations.py"]
fn dump_reference_for_numpy() {
    let path = std::env::var("EINSUM_REFERENCE_DUMP").expect("set EINSUM_REFERENCE_DUMP");
    let specs = common::specs_from_generated(include_str!("generated/equations.rs"));
    assert!(specs.len() >= 320, "{} specs read back", specs.len());
    std::fs::write(&path, common::reference_dump(&specs)).unwrap();
}
