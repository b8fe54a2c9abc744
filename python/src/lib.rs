//! `einsum_static._core`: the Rust side of the Python package. It takes an
//! equation in NumPy's language and operands that share one supported
//! dtype (the Python wrapper in `einsum_static/__init__.py` parses the
//! interleaved form and promotes dtypes), reads them in place through
//! their strides, and runs `einsum_static::dynamic` with the GIL released.

use einsum_static::dynamic::Contraction;
use einsum_static::EinsumError;
use ndarray::ArrayViewD;
use num_complex::Complex;
use numpy::{IntoPyArray, PyArrayDyn, PyReadonlyArrayDyn, PyReadwriteArrayDyn};
use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// An einsum error as the Python exception NumPy raises for it.
fn to_python(err: EinsumError) -> PyErr {
    match err {
        EinsumError::AllocationFailed { .. } => PyMemoryError::new_err(err.to_string()),
        _ => PyValueError::new_err(err.to_string()),
    }
}

/// The checked contraction of `equation`, shared by the calls that use
/// it: parsed once, and its plan cache keeps the contraction path of the
/// last sizes (planning many operands takes far longer than a small call).
/// At most [`CACHED`] equations are kept.
fn contraction(equation: &str) -> PyResult<Arc<Contraction>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Contraction>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let lock = || {
        cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some(c) = lock().get(equation) {
        return Ok(c.clone());
    }
    let c = Arc::new(Contraction::new(equation).map_err(to_python)?);
    let mut cached = lock();
    if cached.len() >= CACHED {
        cached.clear();
    }
    cached.insert(equation.to_string(), c.clone());
    Ok(c)
}

/// The most equations [`contraction`] keeps.
const CACHED: usize = 256;

/// The caller's options, in force around `f` on this thread.
fn with_options<R: Send>(options: Options, f: impl FnOnce() -> R + Send) -> R {
    let limited = || match options.memory_limit {
        Some(bytes) => einsum_runtime::budget::with_memory_limit(bytes, f),
        None => f(),
    };
    match options.threads {
        Some(n) => einsum_runtime::schedule::with_threads(n, limited),
        None => limited(),
    }
}

/// `threads=` and `memory_limit=`.
#[derive(Clone, Copy)]
struct Options {
    threads: Option<usize>,
    memory_limit: Option<usize>,
}

/// Below this product of the operands' sizes (a bound on the work) the
/// call keeps the GIL: releasing and taking it back would cost more than
/// the contraction.
const TINY: usize = 1 << 14;

/// Runs `c` on `operands` (all of dtype `T`) into a new array, or into
/// `out` (of dtype `T`, not overlapping the operands) when given.
fn run<'py, T>(
    py: Python<'py>,
    c: &Contraction,
    operands: &[Bound<'py, PyAny>],
    out: Option<&Bound<'py, PyAny>>,
    options: Options,
) -> PyResult<Py<PyAny>>
where
    T: einsum_static::Element + numpy::Element,
{
    let borrowed: Vec<PyReadonlyArrayDyn<'py, T>> = operands
        .iter()
        .map(|op| op.extract())
        .collect::<Result<_, _>>()?;
    let views: Vec<ArrayViewD<'_, T>> = borrowed.iter().map(|op| op.as_array()).collect();
    let tiny = views
        .iter()
        .map(|v| v.len())
        .fold(1usize, usize::saturating_mul)
        <= TINY;
    // The GIL is released while the contraction runs, unless it is tiny.
    let detached = |f: &(dyn Fn() -> Result<_, EinsumError> + Sync)| {
        let f = || with_options(options, f);
        if tiny {
            f()
        } else {
            py.detach(f)
        }
    };
    match out {
        None => {
            let result = detached(&|| c.run(&views)).map_err(to_python)?;
            Ok(result.into_pyarray(py).into_any().unbind())
        }
        Some(out) => {
            let mut target: PyReadwriteArrayDyn<'py, T> = out.extract()?;
            let view = target.as_array_mut();
            let run = || with_options(options, || c.run_into(&views, view));
            if tiny { run() } else { py.detach(run) }.map_err(to_python)?;
            Ok(out.clone().unbind())
        }
    }
}

/// Whether `op` is an ndarray of element type `T`.
fn is<T: numpy::Element>(op: &Bound<'_, PyAny>) -> bool {
    op.cast::<PyArrayDyn<T>>().is_ok()
}

/// `einsum(equation, operands, out=None, threads=None, memory_limit=None)`:
/// the operands are ndarrays of one dtype among float32, float64,
/// complex64, complex128, int32 and int64, and `out` (if given) has it too.
#[pyfunction]
#[pyo3(signature = (equation, operands, out=None, threads=None, memory_limit=None))]
fn einsum<'py>(
    py: Python<'py>,
    equation: &str,
    operands: Vec<Bound<'py, PyAny>>,
    out: Option<Bound<'py, PyAny>>,
    threads: Option<usize>,
    memory_limit: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let c = contraction(equation)?;
    let options = Options {
        threads,
        memory_limit,
    };
    let Some(first) = operands.first() else {
        // The equation's own error for no operands.
        return Err(to_python(
            einsum_static::dynamic::einsum::<f64>(equation, &[]).unwrap_err(),
        ));
    };
    let out = out.as_ref();
    if is::<f64>(first) {
        run::<f64>(py, &c, &operands, out, options)
    } else if is::<f32>(first) {
        run::<f32>(py, &c, &operands, out, options)
    } else if is::<Complex<f64>>(first) {
        run::<Complex<f64>>(py, &c, &operands, out, options)
    } else if is::<Complex<f32>>(first) {
        run::<Complex<f32>>(py, &c, &operands, out, options)
    } else if is::<i64>(first) {
        run::<i64>(py, &c, &operands, out, options)
    } else if is::<i32>(first) {
        run::<i32>(py, &c, &operands, out, options)
    } else {
        Err(PyTypeError::new_err(
            "einsum_static computes in float32, float64, complex64, complex128, int32 or int64",
        ))
    }
}

/// The plan of `c` on operands of dtype `T`: the text of `explain` and
/// the pairwise steps in `numpy.einsum_path`'s form (positions in the list
/// of operands left, each result appended to its end).
fn plan<T>(
    c: &Contraction,
    operands: &[Bound<'_, PyAny>],
    options: Options,
) -> PyResult<(Vec<Vec<usize>>, String)>
where
    T: einsum_static::Element + numpy::Element,
{
    let borrowed: Vec<PyReadonlyArrayDyn<'_, T>> = operands
        .iter()
        .map(|op| op.extract())
        .collect::<Result<_, _>>()?;
    let views: Vec<ArrayViewD<'_, T>> = borrowed.iter().map(|op| op.as_array()).collect();
    let explain = with_options(options, || c.explain(&views)).map_err(to_python)?;
    let steps = match explain.contraction_path() {
        None => vec![(0..views.len()).collect()],
        Some(path) => {
            let mut live: Vec<Vec<usize>> = (0..views.len()).map(|k| vec![k]).collect();
            let mut steps = Vec::new();
            for step in path.steps() {
                let (left, right) = (step.left.to_vec(), step.right.to_vec());
                let i = live
                    .iter()
                    .position(|s| *s == left)
                    .expect("a live operand");
                let j = live
                    .iter()
                    .position(|s| *s == right)
                    .expect("a live operand");
                let (i, j) = (i.min(j), i.max(j));
                live.remove(j);
                live.remove(i);
                let mut merged = [left, right].concat();
                merged.sort_unstable();
                live.push(merged);
                steps.push(vec![i, j]);
            }
            steps
        }
    };
    Ok((steps, explain.to_string()))
}

/// `einsum_path(equation, operands, threads=None, memory_limit=None)`:
/// `(steps, text)`, each step a list of positions as in
/// `numpy.einsum_path`, and the plan printed.
#[pyfunction]
#[pyo3(signature = (equation, operands, threads=None, memory_limit=None))]
fn einsum_path<'py>(
    py: Python<'py>,
    equation: &str,
    operands: Vec<Bound<'py, PyAny>>,
    threads: Option<usize>,
    memory_limit: Option<usize>,
) -> PyResult<(Py<PyList>, String)> {
    let c = contraction(equation)?;
    let options = Options {
        threads,
        memory_limit,
    };
    let first = operands.first().ok_or_else(|| {
        PyValueError::new_err("einsum needs at least one operand after the equation")
    })?;
    let (steps, text) = if is::<f64>(first) {
        plan::<f64>(&c, &operands, options)
    } else if is::<f32>(first) {
        plan::<f32>(&c, &operands, options)
    } else if is::<Complex<f64>>(first) {
        plan::<Complex<f64>>(&c, &operands, options)
    } else if is::<Complex<f32>>(first) {
        plan::<Complex<f32>>(&c, &operands, options)
    } else if is::<i64>(first) {
        plan::<i64>(&c, &operands, options)
    } else if is::<i32>(first) {
        plan::<i32>(&c, &operands, options)
    } else {
        Err(PyTypeError::new_err("unsupported dtype"))
    }?;
    Ok((PyList::new(py, steps)?.unbind(), text))
}

/// The checked output subscripts of `equation` (NumPy's implicit output
/// when it has no `->`), or NumPy's ValueError.
#[pyfunction]
fn output_subscripts(equation: &str) -> PyResult<String> {
    Ok(contraction(equation)?.output())
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(einsum, m)?)?;
    m.add_function(wrap_pyfunction!(einsum_path, m)?)?;
    m.add_function(wrap_pyfunction!(output_subscripts, m)?)?;
    Ok(())
}
