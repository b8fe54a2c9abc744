//! The run-time API, `einsum_static::dynamic`, on the suites the macros
//! pass: every generated equation (tests/generated/equations.rs) in random
//! layouts, sizes, element types, thread counts and memory limits against
//! the reference; every label in every position (tests/generated/labels.rs);
//! the same bits as `einsum!` where both take the same engine (three or
//! more operands: the same path); `run_into` on outputs of any layout; and
//! the errors, worded as the macros' compile errors.

mod common;

use common::{
    assert_values_match, check_equation, compare_arrays, plan_runs, reference, Equation, Layout,
    Operand, Out, Rng, Spec, Sub, TestElem, ToDyn, C32, C64,
};
use einsum_static::dynamic::{self, Contraction};
use einsum_static::{einsum, EinsumError};
use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn, ShapeBuilder};

/// `dynamic::einsum` as the generated suite's call; the result's kind is
/// the one the equation calls for (the run-time API always returns
/// `ArrayD`, which the comparison then checks by shape). Each result is
/// also written with `run_into`: into a standard-layout output, where it
/// must match bit for bit, and into a Fortran-order one, written in place
/// through its strides, where it must match the reference.
fn run_dynamic<T: TestElem>(equation: &str, ops: &[ArrayViewD<'_, T>]) -> Result<Out<T>, String> {
    let array = dynamic::einsum(equation, ops).map_err(|err| err.to_string())?;
    let contraction = Contraction::new(equation).map_err(|err| err.to_string())?;
    let mut standard = ArrayD::<T>::zeros(IxDyn(array.shape()));
    contraction
        .run_into(ops, standard.view_mut())
        .map_err(|err| err.to_string())?;
    if !same_bits(&standard, &array) {
        return Err(format!(
            "run_into a standard-layout output gave {standard:?}, run gave {array:?}"
        ));
    }
    let mut fortran = ArrayD::<T>::zeros(IxDyn(array.shape()).f());
    contraction
        .run_into(ops, fortran.view_mut())
        .map_err(|err| err.to_string())?;
    let expected = reference(equation, ops);
    compare_arrays(
        &fortran,
        &expected.value,
        &expected.scale,
        expected.tolerance(ops.len()),
    )
    .map_err(|err| format!("run_into a Fortran-order output: {err}"))?;
    let standard_layout = array.is_standard_layout();
    Ok(Out {
        array,
        kind: Equation::parse(equation).result_kind(),
        standard_layout,
    })
}

fn same_bits<T: TestElem>(a: &ArrayD<T>, b: &ArrayD<T>) -> bool {
    a.shape() == b.shape()
        && a.iter()
            .zip(b.iter())
            .all(|(x, y)| format!("{x:?}") == format!("{y:?}"))
}

/// For equations of three or more operands, which both run along the same
/// path: `einsum!` and `dynamic::einsum` give the same bits on the suite's
/// runs (f64), on 1 and 3 threads.
fn same_bits_as_macro(spec: &Spec, call: fn(&[ArrayViewD<'_, f64>]) -> ArrayD<f64>) {
    let mut rng = Rng::for_text(spec.equation, 99);
    for run in plan_runs(spec, &mut rng) {
        let operands: Vec<Operand<f64>> = run
            .shapes
            .iter()
            .zip(&run.layouts)
            .map(|(shape, &layout)| Operand::new(shape, layout, &mut rng))
            .collect();
        let views: Vec<ArrayViewD<'_, f64>> = operands.iter().map(Operand::view).collect();
        for threads in [1, 3] {
            let on_pool = |f: &(dyn Fn() -> ArrayD<f64> + Sync)| {
                einsum_runtime::schedule::with_threads(threads, || {
                    einsum_runtime::schedule::with_block_work(64, f)
                })
            };
            let by_macro = on_pool(&|| call(&views));
            let by_dynamic = on_pool(&|| dynamic::einsum(spec.equation, &views).unwrap());
            assert!(
                same_bits(&by_macro, &by_dynamic),
                "{} {:?} [{}] on {threads} threads: einsum! gave {by_macro:?}, dynamic {by_dynamic:?}",
                spec.name,
                spec.equation,
                run.what
            );
        }
    }
}

macro_rules! case {
    // Three or more operands: against the reference, and the macro's bits.
    ($name:ident, $eq:literal, $mode:ident, [$k0:literal, $k1:literal, $k2:literal $(, $k:literal)*], [$($t:ty),*], $sizes:literal, $ell:expr) => {
        #[test]
        fn $name() {
            fn call<T: TestElem>(ops: &[ArrayViewD<'_, T>]) -> Result<Out<T>, String> {
                run_dynamic($eq, ops)
            }
            fn by_macro(ops: &[ArrayViewD<'_, f64>]) -> ArrayD<f64> {
                einsum!($eq, ops[$k0], ops[$k1], ops[$k2] $(, ops[$k])*).to_dyn().array
            }
            let spec = Spec { name: stringify!($name), equation: $eq, sizes: $sizes, ellipsis: $ell };
            $(check_equation::<$t>(&spec, call::<$t>);)*
            same_bits_as_macro(&spec, by_macro);
        }
    };
    ($name:ident, $eq:literal, $mode:ident, [$($k:literal),*], [$($t:ty),*], $sizes:literal, $ell:expr) => {
        #[test]
        fn $name() {
            fn call<T: TestElem>(ops: &[ArrayViewD<'_, T>]) -> Result<Out<T>, String> {
                run_dynamic($eq, ops)
            }
            let spec = Spec { name: stringify!($name), equation: $eq, sizes: $sizes, ellipsis: $ell };
            $(check_equation::<$t>(&spec, call::<$t>);)*
        }
    };
}

mod generated {
    use super::*;
    include!("generated/equations.rs");
}

/// Every label in every position: the labels suite's equations, with its
/// operands (each label of size 2 or 3, an ellipsis of one axis of 2).
mod labels {
    use super::*;

    fn check(equation: &str) {
        let mut rng = Rng::for_text(equation, 52);
        let operands: Vec<ArrayD<f64>> = Equation::parse(equation)
            .inputs
            .iter()
            .map(|term| {
                let shape: Vec<usize> = term
                    .iter()
                    .map(|sub| match sub {
                        Sub::Label(c) => 2 + (*c as usize % 2),
                        Sub::Ellipsis => 2,
                    })
                    .collect();
                ArrayD::from_shape_simple_fn(IxDyn(&shape), || rng.unit())
            })
            .collect();
        let views: Vec<ArrayViewD<'_, f64>> = operands.iter().map(|o| o.view()).collect();
        let result =
            run_dynamic(equation, &views).unwrap_or_else(|err| panic!("{equation}: {err}"));
        assert_values_match(equation, &views, &result.array);
    }

    macro_rules! case {
        ($name:ident, $eq:literal, $n:literal) => {
            #[test]
            fn $name() {
                check($eq);
            }
        };
    }

    include!("generated/labels.rs");
}

// ---------------------------------------------------------------------------
// Outputs, options, element types

#[test]
fn run_into_writes_outputs_of_any_layout() {
    let mut rng = Rng::new(7);
    let a = Operand::<f64>::new(&[5, 4, 3], Layout::Chaos, &mut rng);
    let b = Operand::<f64>::new(&[3, 6], Layout::Reversed, &mut rng);
    let views = [a.view(), b.view()];
    let contraction = Contraction::new("ijk,kl->lij").unwrap();
    let expected = contraction.run(&views).unwrap();
    assert_values_match("ijk,kl->lij", &views, &expected);
    // Standard (written in place), transposed, reversed and stepped views.
    let mut big = ArrayD::<f64>::zeros(IxDyn(&[12, 5, 8]));
    let mut standard = ArrayD::<f64>::zeros(IxDyn(&[6, 5, 4]));
    contraction.run_into(&views, standard.view_mut()).unwrap();
    assert_eq!(standard, expected);
    let mut transposed = ArrayD::<f64>::zeros(IxDyn(&[4, 5, 6]));
    contraction
        .run_into(&views, transposed.view_mut().reversed_axes())
        .unwrap();
    assert_eq!(transposed.view().reversed_axes(), expected);
    let mut stepped = big.slice_mut(ndarray::s![..;2, .., ..;-2]).into_dyn();
    contraction.run_into(&views, stepped.view_mut()).unwrap();
    assert_eq!(stepped.view(), expected.view());
    // A wrong shape is refused before anything is written.
    let mut wrong = ArrayD::<f64>::from_elem(IxDyn(&[6, 5, 3]), 9.0);
    let err = contraction.run_into(&views, wrong.view_mut()).unwrap_err();
    assert_eq!(
        err,
        EinsumError::OutputShape {
            expected: vec![6, 5, 4],
            found: vec![6, 5, 3]
        }
    );
    assert!(wrong.iter().all(|&x| x == 9.0));
}

#[test]
fn results_do_not_depend_on_threads_or_memory_limit() {
    let mut rng = Rng::new(11);
    let cases: [(&str, Vec<Vec<usize>>); 6] = [
        ("ij->", vec![vec![300, 257]]),
        ("ii->i", vec![vec![700, 700]]),
        ("ijk->kj", vec![vec![50, 60, 70]]),
        ("ij,ij->i", vec![vec![400, 300], vec![400, 300]]),
        ("ij,jk->ik", vec![vec![120, 90], vec![90, 110]]),
        (
            "ab,bc,cd,de->ae",
            vec![vec![40, 50], vec![50, 60], vec![60, 30], vec![30, 20]],
        ),
    ];
    for (equation, shapes) in cases {
        let operands: Vec<Operand<f32>> = shapes
            .iter()
            .map(|shape| Operand::new(shape, Layout::random(&mut rng), &mut rng))
            .collect();
        let views: Vec<ArrayViewD<'_, f32>> = operands.iter().map(Operand::view).collect();
        let one = Contraction::new(equation)
            .unwrap()
            .threads(1)
            .run(&views)
            .unwrap();
        assert_values_match(equation, &views, &one);
        for threads in [2, 3, 4] {
            let many = Contraction::new(equation)
                .unwrap()
                .threads(threads)
                .run(&views)
                .unwrap();
            assert!(same_bits(&one, &many), "{equation} on {threads} threads");
        }
        let tight = Contraction::new(equation)
            .unwrap()
            .memory_limit(4096)
            .run(&views)
            .unwrap();
        let expected = reference(equation, &views);
        let tol = expected.tolerance(views.len());
        common::compare_arrays(&tight, &expected.value, &expected.scale, tol).unwrap();
    }
}

#[test]
fn element_types() {
    fn check<T: TestElem>() {
        let mut rng = Rng::new(3);
        for equation in [
            "ij,jk->ik",
            "ii",
            "i,j->ij",
            "...ij,...j->...i",
            "ij,jk,kl->li",
        ] {
            let eq = Equation::parse(equation);
            let shapes: Vec<Vec<usize>> = eq
                .inputs
                .iter()
                .map(|term| {
                    let mut shape = Vec::new();
                    for sub in term {
                        match sub {
                            Sub::Ellipsis => shape.extend([3, 2]),
                            Sub::Label(_) => shape.push(9),
                        }
                    }
                    shape
                })
                .collect();
            let operands: Vec<Operand<T>> = shapes
                .iter()
                .map(|shape| Operand::new(shape, Layout::random(&mut rng), &mut rng))
                .collect();
            let views: Vec<ArrayViewD<'_, T>> = operands.iter().map(Operand::view).collect();
            let result = run_dynamic(equation, &views).unwrap();
            assert_values_match(equation, &views, &result.array);
        }
    }
    check::<f64>();
    check::<f32>();
    check::<i64>();
    check::<i32>();
    check::<i8>();
    check::<u16>();
    check::<C64>();
    check::<C32>();
}

#[test]
fn many_labels_take_the_wide_shapes() {
    // 20 labels: more than the engines compiled once take (16).
    let equation = "abcdefghij,jihgfedcbaklmnopqrst->klmnopqrst";
    let a =
        ArrayD::<f64>::from_shape_fn(IxDyn(&[2; 10]), |i| i.slice().iter().sum::<usize>() as f64);
    let b = ArrayD::<f64>::from_shape_fn(IxDyn(&[2; 20]), |i| i[0] as f64 - i[19] as f64);
    let views = [a.view(), b.view()];
    assert_values_match(
        equation,
        &views,
        &dynamic::einsum(equation, &views).unwrap(),
    );
    let three = "abcdefghij,jihgfedcbaklmnopqrst,t->klmnopqrs";
    let v = ArrayD::<f64>::from_elem(IxDyn(&[2]), 0.5);
    let views = [a.view(), b.view(), v.view()];
    assert_values_match(three, &views, &dynamic::einsum(three, &views).unwrap());
}

#[test]
fn explain_describes_the_plan() {
    let a = ArrayD::<f64>::zeros(IxDyn(&[512, 64]));
    let b = ArrayD::<f64>::zeros(IxDyn(&[64, 512]));
    let chain = Contraction::new("ij,jk,kl,lm->im").unwrap();
    let plan = chain
        .explain(&[a.view(), b.view(), a.view(), b.view()])
        .unwrap();
    assert_eq!(plan.flops(), 41_943_040.0);
    let text = plan.to_string();
    assert!(
        text.contains("sizes: i=512 j=64 k=512 l=64 m=512"),
        "{text}"
    );
    let one = Contraction::new("ij,jk->ik")
        .unwrap()
        .explain(&[a.view(), b.view()])
        .unwrap();
    assert_eq!(one.flops(), 2.0 * 512.0 * 64.0 * 512.0);
    assert!(one.to_string().contains("GEMM engine"), "{one}");
    let sum = Contraction::new("ij->")
        .unwrap()
        .explain(&[a.view()])
        .unwrap();
    assert_eq!(sum.flops(), 2.0 * 512.0 * 64.0);
    let err = chain
        .explain(&[a.view(), a.view(), a.view(), b.view()])
        .unwrap_err();
    assert!(
        matches!(err, EinsumError::SizeMismatch { label: 'j', .. }),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Errors

/// Each equation of a compile-fail case (tests/ui) fails at run time with
/// the message the macro prints at compile time.
#[test]
fn equation_errors_read_as_the_compile_errors() {
    let cases: [(&str, &str, usize); 16] = [
        ("arrow_repeated", "ij->ji->ij", 1),
        ("comma_in_output", "ij,jk->i,k", 2),
        ("fewer_operands_than_terms", "ij,jk->ik", 1),
        ("invalid_char_digit", "i1->i", 1),
        ("invalid_char_non_ascii", "iλ->λi", 1),
        ("invalid_char_percent", "ij,j%->ik", 2),
        ("lone_dot", "i.j->ij", 1),
        ("lone_greater_than", "ij>ji", 1),
        ("lone_minus", "ij-ji", 1),
        ("more_operands_than_terms", "ij->ji", 2),
        ("output_ellipsis_without_input_ellipsis", "ij->...j", 1),
        ("output_label_not_in_inputs", "ij,jk->iz", 2),
        ("output_label_repeated", "ij->iji", 1),
        ("two_ellipses_in_input", "...i...->i", 1),
        ("two_ellipses_in_output", "...i->...i...", 1),
        ("no_operands", "ij->", 0),
    ];
    let a = ArrayD::<f64>::zeros(IxDyn(&[2, 2]));
    for (name, equation, operands) in cases {
        let path = format!("{}/tests/ui/{name}.stderr", env!("CARGO_MANIFEST_DIR"));
        let stderr = std::fs::read_to_string(&path).unwrap();
        let compile_error = stderr
            .lines()
            .next()
            .unwrap()
            .strip_prefix("error: ")
            .unwrap();
        let views = vec![a.view(); operands];
        let err = dynamic::einsum(equation, &views).unwrap_err();
        assert!(
            matches!(err, EinsumError::InvalidEquation { .. }),
            "{name}: {err:?}"
        );
        assert_eq!(err.to_string(), compile_error, "{name}");
        // A contraction checks the equation alone, then the operand count.
        match Contraction::new(equation) {
            Ok(c) => assert_eq!(
                c.run(&views).unwrap_err().to_string(),
                compile_error,
                "{name}"
            ),
            Err(err) => assert_eq!(err.to_string(), compile_error, "{name}"),
        }
    }
    // Two mistakes: the operand count is reported first, as by the macros
    // (a second call finds the equation cached); a Contraction, which has
    // no operands yet, reports the equation's own.
    let stderr = format!(
        "{}/tests/ui/more_operands_than_terms.stderr",
        env!("CARGO_MANIFEST_DIR")
    );
    let stderr = std::fs::read_to_string(stderr).unwrap();
    let compile_error = stderr
        .lines()
        .next()
        .unwrap()
        .strip_prefix("error: ")
        .unwrap();
    for _ in 0..2 {
        let err = dynamic::einsum("ij->iz", &[a.view(), a.view()]).unwrap_err();
        assert_eq!(err.to_string(), compile_error);
    }
    let err = Contraction::new("ij->iz").unwrap_err();
    assert!(err.to_string().contains("output subscript 'z'"), "{err}");
}

#[test]
fn shape_errors_are_the_macros() {
    let a = ArrayD::<f64>::zeros(IxDyn(&[2, 3]));
    let b = ArrayD::<f64>::zeros(IxDyn(&[4, 5]));
    let err = dynamic::einsum("ij,jk->ik", &[a.view(), b.view()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "size of label 'j' does not match: 3 in operand 0 (axis 1) but 4 in operand 1 (axis 0)"
    );
    let err = dynamic::einsum("ijk->i", &[a.view()]).unwrap_err();
    assert!(matches!(
        err,
        EinsumError::RankMismatch {
            operand: 0,
            ndim: 2,
            labels: 3,
            ellipsis: false
        }
    ));
    let err = dynamic::einsum("ii->i", &[a.view()]).unwrap_err();
    assert!(matches!(
        err,
        EinsumError::DiagonalMismatch { label: 'i', .. }
    ));
    let c = ArrayD::<f64>::zeros(IxDyn(&[2, 3, 4]));
    let err = dynamic::einsum("...j->j", &[c.view()]).unwrap_err();
    assert!(matches!(err, EinsumError::EllipsisNotInOutput { .. }));
    let d = ArrayD::<f64>::zeros(IxDyn(&[5, 4]));
    let err = dynamic::einsum("...j,...j->...j", &[c.view(), d.view()]).unwrap_err();
    assert!(matches!(err, EinsumError::EllipsisMismatch { .. }), "{err}");
    // An output too large to exist is refused, not allocated.
    let one = ArrayD::<f64>::zeros(IxDyn(&[1]));
    let long = one.broadcast(IxDyn(&[1 << 40])).unwrap();
    let err = dynamic::einsum("i,j->ij", &[long.view(), long.view()]).unwrap_err();
    assert!(matches!(err, EinsumError::SizeOverflow { .. }), "{err}");
}
