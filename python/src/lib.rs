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

/// An einsum error as the Python exception NumPy raises for it.
fn to_python(err: EinsumError) -> PyErr {
    match err {
        EinsumError::AllocationFailed { .. } => PyMemoryError::new_err(err.to_string()),
        _ => PyValueError::new_err(err.to_string()),
    }
}

/// The contraction with the caller's options.
fn contraction(
    equation: &str,
    threads: Option<usize>,
    memory_limit: Option<usize>,
) -> PyResult<Contraction> {
    let mut c = Contraction::new(equation).map_err(to_python)?;
    if let Some(n) = threads {
        c = c.threads(n);
    }
    if let Some(bytes) = memory_limit {
        c = c.memory_limit(bytes);
    }
    Ok(c)
}

/// Runs `c` on `operands` (all of dtype `T`) into a new array, or into
/// `out` (of dtype `T`, not overlapping the operands) when given.
fn run<'py, T>(
    py: Python<'py>,
    c: &Contraction,
    operands: &[Bound<'py, PyAny>],
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>>
where
    T: einsum_static::Element + numpy::Element,
{
    let borrowed: Vec<PyReadonlyArrayDyn<'py, T>> = operands
        .iter()
        .map(|op| op.extract())
        .collect::<Result<_, _>>()?;
    let views: Vec<ArrayViewD<'_, T>> = borrowed.iter().map(|op| op.as_array()).collect();
    match out {
        None => {
            let result = py.detach(|| c.run(&views)).map_err(to_python)?;
            Ok(result.into_pyarray(py).into_any().unbind())
        }
        Some(out) => {
            let mut target: PyReadwriteArrayDyn<'py, T> = out.extract()?;
            let view = target.as_array_mut();
            py.detach(|| c.run_into(&views, view)).map_err(to_python)?;
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
    let c = contraction(equation, threads, memory_limit)?;
    let Some(first) = operands.first() else {
        // The equation's own error for no operands.
        return Err(to_python(
            einsum_static::dynamic::einsum::<f64>(equation, &[]).unwrap_err(),
        ));
    };
    let out = out.as_ref();
    if is::<f64>(first) {
        run::<f64>(py, &c, &operands, out)
    } else if is::<f32>(first) {
        run::<f32>(py, &c, &operands, out)
    } else if is::<Complex<f64>>(first) {
        run::<Complex<f64>>(py, &c, &operands, out)
    } else if is::<Complex<f32>>(first) {
        run::<Complex<f32>>(py, &c, &operands, out)
    } else if is::<i64>(first) {
        run::<i64>(py, &c, &operands, out)
    } else if is::<i32>(first) {
        run::<i32>(py, &c, &operands, out)
    } else {
        Err(PyTypeError::new_err(
            "einsum_static computes in float32, float64, complex64, complex128, int32 or int64",
        ))
    }
}

/// The plan of `c` on operands of dtype `T`: the text of `explain` and
/// the pairwise steps in `numpy.einsum_path`'s form (positions in the list
/// of operands left, each result appended to its end).
fn plan<T>(c: &Contraction, operands: &[Bound<'_, PyAny>]) -> PyResult<(Vec<Vec<usize>>, String)>
where
    T: einsum_static::Element + numpy::Element,
{
    let borrowed: Vec<PyReadonlyArrayDyn<'_, T>> = operands
        .iter()
        .map(|op| op.extract())
        .collect::<Result<_, _>>()?;
    let views: Vec<ArrayViewD<'_, T>> = borrowed.iter().map(|op| op.as_array()).collect();
    let explain = c.explain(&views).map_err(to_python)?;
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
    let c = contraction(equation, threads, memory_limit)?;
    let first = operands.first().ok_or_else(|| {
        PyValueError::new_err("einsum needs at least one operand after the equation")
    })?;
    let (steps, text) = if is::<f64>(first) {
        plan::<f64>(&c, &operands)
    } else if is::<f32>(first) {
        plan::<f32>(&c, &operands)
    } else if is::<Complex<f64>>(first) {
        plan::<Complex<f64>>(&c, &operands)
    } else if is::<Complex<f32>>(first) {
        plan::<Complex<f32>>(&c, &operands)
    } else if is::<i64>(first) {
        plan::<i64>(&c, &operands)
    } else if is::<i32>(first) {
        plan::<i32>(&c, &operands)
    } else {
        Err(PyTypeError::new_err("unsupported dtype"))
    }?;
    Ok((PyList::new(py, steps)?.unbind(), text))
}

/// The checked output subscripts of `equation` (NumPy's implicit output
/// when it has no `->`), or NumPy's ValueError.
#[pyfunction]
fn output_subscripts(equation: &str) -> PyResult<String> {
    Ok(Contraction::new(equation).map_err(to_python)?.output())
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(einsum, m)?)?;
    m.add_function(wrap_pyfunction!(einsum_path, m)?)?;
    m.add_function(wrap_pyfunction!(output_subscripts, m)?)?;
    Ok(())
}
