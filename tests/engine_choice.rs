//! `explain!` names the engine that runs: for every engine a GEMM-class
//! step can take, with named labels and with an ellipsis, the engine that
//! `explain!` prints is the one the call then records
//! (`kernels::last_engine`), and it is the one the case is meant to reach.

use einsum_runtime::kernels::last_engine;
use einsum_static::{einsum, explain};
use ndarray::{Array, ArrayD, IxDyn};

const LOOPS: &str = "generated loops";
const GEMM: &str = "GEMM engine";
const SMALL: &str = "small-GEMM engine";
const MATVEC: &str = "matrix-vector engine";
const PACKED: &str = "transpose-free packed GEMM";

/// An array of `dims` with distinct small values.
fn array<T: From<u8>>(dims: &[usize]) -> ArrayD<T> {
    let len: usize = dims.iter().product();
    let values = (0..len).map(|i| T::from((i % 7) as u8)).collect();
    Array::from_shape_vec(IxDyn(dims), values).unwrap()
}

/// Explains, then runs, the two-operand call `$eq` on `$a`, `$b`, and
/// checks that both name `$engine`.
macro_rules! check {
    ($eq:literal, $a:expr, $b:expr, $engine:expr) => {{
        let explained = explain!($eq, $a, $b).unwrap();
        let _ = last_engine();
        let _ = einsum!($eq, $a, $b);
        let ran = last_engine().unwrap_or(LOOPS);
        assert_eq!(
            explained.engine(),
            Some(ran),
            "{}: explained\n{explained}",
            $eq
        );
        assert_eq!(ran, $engine, "{}: explained\n{explained}", $eq);
    }};
}

#[test]
fn gemm_in_place() {
    let (a, b) = (array::<f64>(&[96, 80]), array::<f64>(&[80, 72]));
    check!("ij,jk->ik", &a, &b, GEMM);
    let (a, b) = (array::<f64>(&[3, 96, 80]), array::<f64>(&[3, 80, 72]));
    check!("...ij,...jk->...ik", &a, &b, GEMM);
    // The integer kernel and f32.
    let (a, b) = (array::<i64>(&[64, 64]), array::<i64>(&[64, 64]));
    check!("ij,jk->ik", &a, &b, GEMM);
    let (a, b) = (array::<f32>(&[2, 64, 64]), array::<f32>(&[2, 64, 64]));
    check!("bij,bkj->bik", &a, &b, GEMM);
    // Past the small-GEMM engine's sizes: many calls, one thread each.
    let x = array::<f64>(&[30, 32, 32]);
    check!("bij,bjk->bik", &x, &x, GEMM);
}

/// The case: a batched matrix-vector product is 64 GEMM calls,
/// not the matrix-vector engine (which takes one product).
#[test]
fn batched_matrix_vector_is_gemm_calls() {
    let (a, b) = (array::<f64>(&[64, 300, 200]), array::<f64>(&[64, 200]));
    check!("bij,bj->bi", &a, &b, GEMM);
    let explained = explain!("bij,bj->bi", &a, &b).unwrap().to_string();
    assert!(
        explained.contains("64 products of 300x1x200"),
        "{explained}"
    );
    check!("...ij,...j->...i", &a, &b, GEMM);
}

#[test]
fn small_gemms() {
    let (a, b) = (array::<f64>(&[300, 8, 8]), array::<f64>(&[300, 8, 8]));
    check!("bij,bjk->bik", &a, &b, SMALL);
    // The case: explained as loops before, for the ellipsis.
    check!("...ij,...jk->...ik", &a, &b, SMALL);
    let x = array::<f64>(&[30, 20, 20]);
    check!("bij,bjk->bik", &x, &x, SMALL);
}

#[test]
fn matrix_vector() {
    let (a, x) = (array::<f64>(&[512, 400]), array::<f64>(&[400]));
    check!("ij,j->i", &a, &x, MATVEC);
    check!("j,ij->i", &x, &a, MATVEC);
    check!("...j,j->...", &a, &x, MATVEC);
    // A strided vector: declined to the loops.
    let x2 = array::<f64>(&[800]);
    let stepped = x2.slice(ndarray::s![..;2]);
    check!("ij,j->i", &a, &stepped, LOOPS);
    let explained = explain!("ij,j->i", &a, &stepped).unwrap().to_string();
    assert!(explained.contains("strided vector"), "{explained}");
    // Rows not contiguous along j: one GEMM call with one column.
    check!("ji,j->i", &a, &array::<f64>(&[512]), GEMM);
}

#[test]
fn transpose_free_packed_gemm() {
    let a = array::<f64>(&[20, 6, 30, 7]);
    let b = array::<f64>(&[30, 8, 20, 9]);
    check!("fbea,ecfd->dcba", &a, &b, PACKED);
    let a = array::<f32>(&[20, 30, 6, 7]);
    check!(
        "fe...,ecfd->dc...",
        &a,
        &array::<f32>(&[30, 8, 20, 9]),
        PACKED
    );
    let complex = |x: ArrayD<f64>| x.mapv(|x| num_complex::Complex::new(x, 1.0 - x));
    check!(
        "fbea,ecfd->dcba",
        &complex(array(&[20, 6, 30, 7])),
        &complex(array(&[30, 8, 20, 9])),
        PACKED
    );
    let explained = explain!("fbea,ecfd->dcba", &array::<f64>(&[20, 6, 30, 7]), &b).unwrap();
    let text = explained.to_string();
    assert!(
        text.contains("micro-kernel") && text.contains("72x42x600"),
        "{text}"
    );
    // The 6-D TCCG case, with a short k: 1728 rows stored along the
    // output beat 1728 GEMM calls of 12 rows each.
    let x = array::<f64>(&[12, 12, 12, 12]);
    check!("aged,cbfg->fedcba", &x, &x, PACKED);
    // A thin A (the 40 values of c) packed once for all of n: cheaper
    // than 64 GEMM calls of 40x40x40.
    let (a, b) = (array::<f64>(&[40, 8, 8, 40]), array::<f64>(&[40, 40]));
    check!("ebad,ce->abcd", &a, &b, PACKED);
    let text = explain!("ebad,ce->abcd", &a, &b).unwrap().to_string();
    assert!(
        text.contains("40x2560x40") && text.contains("A whole"),
        "{text}"
    );
    // It copies nothing, so a memory limit leaves it the choice.
    let (a, b) = (array::<f64>(&[20, 6, 30, 7]), array::<f64>(&[30, 8, 20, 9]));
    let explained = explain!("fbea,ecfd->dcba", &a, &b; memory_limit = 4096).unwrap();
    let _ = last_engine();
    let _ = einsum!("fbea,ecfd->dcba", &a, &b; memory_limit = 4096, threads = 1);
    assert_eq!(explained.engine(), last_engine(), "{explained}");
    assert_eq!(explained.engine(), Some(PACKED), "{explained}");
}

#[test]
fn loops() {
    // Too small for any GEMM engine: declined before the choice.
    let (a, b) = (array::<f64>(&[4, 4]), array::<f64>(&[4, 4]));
    check!("ij,jk->ik", &a, &b, LOOPS);
    check!("...j,jk->...k", &a, &b, LOOPS);
    // Not GEMM-class: never offered to the engines.
    let (a, b) = (array::<f64>(&[300, 200]), array::<f64>(&[300, 200]));
    check!("ij,ij->i", &a, &b, LOOPS);
    check!("...j,...j->...", &a, &b, LOOPS);
    // An element type without a GEMM engine.
    let (a, b) = (array::<u8>(&[64, 64]), array::<u8>(&[64, 64]));
    check!("ij,jk->ik", &a, &b, LOOPS);
}

/// The run-time API explains with the same choice as it runs.
#[test]
fn the_run_time_api_explains_what_runs() {
    use einsum_static::dynamic::Contraction;
    let cases: [(&str, Vec<&[usize]>, &str); 5] = [
        ("ij,jk->ik", vec![&[96, 80], &[80, 72]], GEMM),
        ("bij,bjk->bik", vec![&[300, 8, 8], &[300, 8, 8]], SMALL),
        ("ij,j->i", vec![&[512, 400], &[400]], MATVEC),
        (
            "fe...,ecfd->dc...",
            vec![&[20, 30, 6, 7], &[30, 8, 20, 9]],
            PACKED,
        ),
        ("ij,jk->ik", vec![&[4, 4], &[4, 4]], LOOPS),
    ];
    for (equation, shapes, engine) in cases {
        let arrays: Vec<ArrayD<f64>> = shapes.iter().map(|dims| array(dims)).collect();
        let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
        let c = Contraction::new(equation).unwrap();
        let explained = c.explain(&views).unwrap();
        let _ = last_engine();
        c.run(&views).unwrap();
        let ran = last_engine().unwrap_or(LOOPS);
        assert_eq!(
            explained.engine(),
            Some(ran),
            "{equation}: explained\n{explained}"
        );
        assert_eq!(ran, engine, "{equation}: explained\n{explained}");
    }
}

/// A path of three or more operands names each step's engine, by the
/// choice its running code makes: the last step's is the one that runs
/// last, on operands of any layout and on the run-time API.
#[test]
fn paths_explain_each_steps_engine() {
    let (a, b) = (array::<f64>(&[512, 64]), array::<f64>(&[64, 512]));
    let explained = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b).unwrap();
    assert_eq!(explained.step_engines(), [GEMM; 3], "{explained}");
    assert_eq!(
        explained.to_string().matches("engine:").count(),
        3,
        "{explained}"
    );
    let _ = last_engine();
    let _ = einsum!("ij,jk,kl,lm->im", &a, &b, &a, &b);
    assert_eq!(last_engine(), Some(GEMM));

    // A transposing last step (packed or looped GEMM calls), a
    // small first one, and a vector: each as chosen.
    let x = array::<f64>(&[20, 6, 30, 7]);
    let y = array::<f64>(&[30, 8, 20, 9]);
    let v = array::<f64>(&[9]);
    let explained = explain!("fbea,ecfd,d->cba", &x, &y, &v).unwrap();
    let steps = explained.step_engines();
    assert_eq!(steps.len(), 2, "{explained}");
    let _ = last_engine();
    let _ = einsum!("fbea,ecfd,d->cba", &x, &y, &v);
    assert_eq!(last_engine().unwrap_or(LOOPS), steps[1], "{explained}");

    // The run-time API explains with the same choice.
    let c = einsum_static::dynamic::Contraction::new("fbea,ecfd,d->cba").unwrap();
    let views = [x.view(), y.view(), v.view()];
    let plan = c.explain(&views).unwrap();
    assert_eq!(plan.step_engines(), steps, "{plan}");

    // Over a semiring every step runs the semiring's own kernels.
    let plan = explain!("ij,jk,kl->il", &a, &b, &a; semiring = max_plus).unwrap();
    assert!(plan.step_engines().is_empty(), "{plan}");
}

/// With `out = ...`, the engine is chosen on the caller's array's
/// strides, for one step and for the last step of a path, and `explain!`
/// says so.
#[test]
fn the_callers_output_chooses_as_it_lies() {
    let (a, b) = (array::<f64>(&[16, 16, 64]), array::<f64>(&[64, 48]));
    // A new array: m = (a, b) fuses, one GEMM call.
    check!("abk,kc->abc", &a, &b, GEMM);
    // An output laid out as (b, c, a): m no longer fuses in it.
    let mut memory = Array::<f64, _>::zeros((16, 48, 16));
    let explained =
        explain!("abk,kc->abc", &a, &b; out = memory.view_mut().permuted_axes([2, 0, 1]));
    let explained = explained.unwrap();
    let _ = last_engine();
    einsum!("abk,kc->abc", &a, &b; out = memory.view_mut().permuted_axes([2, 0, 1]));
    let ran = last_engine();
    assert!(explained.is_in_place(), "{explained}");
    assert_eq!(explained.engine(), ran, "{explained}");
    assert_ne!(ran, Some(GEMM), "{explained}");
    // The same layout as the last step of a path.
    let c = array::<f64>(&[48, 48]);
    let explained =
        explain!("abk,kc,cd->abd", &a, &b, &c; out = memory.view_mut().permuted_axes([2, 0, 1]));
    let explained = explained.unwrap();
    let _ = last_engine();
    einsum!("abk,kc,cd->abd", &a, &b, &c; out = memory.view_mut().permuted_axes([2, 0, 1]));
    let steps = explained.step_engines();
    assert_eq!(steps.last().copied(), last_engine(), "{explained}");
    assert_ne!(last_engine(), Some(GEMM), "{explained}");
}

/// The run-time API explains a result laid out in its output order (as
/// the Python package lays out new results) with the engine that runs on
/// an array so laid out.
#[test]
fn the_output_order_is_explained_as_it_runs() {
    use einsum_static::dynamic::Contraction;
    use ndarray::ShapeBuilder;
    let (a, b) = (array::<f64>(&[64, 64, 64]), array::<f64>(&[16, 64]));
    let views = [a.view(), b.view()];
    let c = Contraction::new("dca,bd->abc").unwrap();
    let order = c.output_order(&views).expect("b's place splits the GEMM");
    let dims = [64, 16, 64];
    let mut strides = [0; 3];
    let mut stride = 1;
    for &axis in order.iter().rev() {
        strides[axis] = stride;
        stride *= dims[axis];
    }
    let shape = IxDyn(&dims).strides(IxDyn(&strides));
    let mut laid = ArrayD::<f64>::from_shape_vec(shape, vec![0.0; stride]).unwrap();
    let explained = c.explain_in_output_order(&views).unwrap();
    let _ = last_engine();
    c.run_into(&views, laid.view_mut()).unwrap();
    assert_eq!(explained.engine(), last_engine(), "{explained}");
    let text = explained.to_string();
    assert!(text.contains("a new array laid out as cab"), "{text}");
    // Not what a standard-layout result runs.
    let standard = c.explain(&views).unwrap();
    assert_ne!(
        standard.engine(),
        explained.engine(),
        "{standard}\n{explained}"
    );
    // Without an output order, the same plan as `explain`.
    let c = Contraction::new("ij,jk->ik").unwrap();
    let (x, y) = (array::<f64>(&[96, 80]), array::<f64>(&[80, 72]));
    let views = [x.view(), y.view()];
    assert_eq!(c.output_order(&views), None);
    let plain = c.explain(&views).unwrap().to_string();
    assert_eq!(
        c.explain_in_output_order(&views).unwrap().to_string(),
        plain
    );
}
