//! `einsum_static._core`: the Rust side of the Python package. It takes an
//! equation in NumPy's language and operands that share one supported
//! dtype (the Python wrapper in `einsum_static/__init__.py` parses the
//! interleaved form and promotes dtypes), reads them in place through
//! their strides, and runs `einsum_static::dynamic` with the GIL released.
//! A long call runs on a thread of its own while the calling thread checks
//! for signals, so that Ctrl-C stops it (between blocks of work) and
//! raises KeyboardInterrupt. The common call (an equation and ndarrays of
//! one dtype) comes straight to [`einsum_fast`], with no Python in front;
//! results are allocated by NumPy, or in reused [`Buffer`]s when large.

use einsum_static::dynamic::{self, Cancel, Contraction};
use einsum_static::EinsumError;
use ndarray::ArrayViewD;
use num_complex::Complex;
use numpy::npyffi::PyArray_CheckExact;
use numpy::{
    PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn, PyReadwriteArrayDyn, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

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

/// From this many FLOPs on (some milliseconds of work and more), the call
/// runs on a thread of its own while the calling thread watches for
/// signals (Ctrl-C): starting that thread costs tens of microseconds,
/// which only a call this long hides.
const WATCHED_FLOPS: f64 = 2e8;

/// How often a watched call's thread checks for signals.
const CHECK_EVERY: Duration = Duration::from_millis(50);

/// How a call runs: with the GIL kept (tiny), with it released on this
/// thread, or with it released on a worker thread while this one watches
/// for signals (long).
#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    Tiny,
    Detached,
    Watched,
}

/// How to run `c` on `views`: by the product of their sizes (a bound on
/// the work, free to compute) and, when that is large, by the FLOPs of the
/// planned call.
fn how<T: einsum_static::Element>(
    c: &Contraction,
    views: &[ArrayViewD<'_, T>],
    options: Options,
) -> How {
    let product = views
        .iter()
        .map(|v| v.len())
        .fold(1usize, usize::saturating_mul);
    if product <= TINY {
        return How::Tiny;
    }
    // Each step of a path costs at most twice the product of the sizes of
    // the operands it combines.
    let bound = 2.0 * views.len() as f64 * product as f64;
    if bound < WATCHED_FLOPS {
        return How::Detached;
    }
    // An error is left for the call to report.
    match with_options(options, || c.flops(views)) {
        Ok(flops) if flops >= WATCHED_FLOPS => How::Watched,
        _ => How::Detached,
    }
}

/// Runs `f` (the contraction) with the caller's options, as `how` says.
/// A watched call that a signal handler interrupts (Ctrl-C: Python's
/// handler raises KeyboardInterrupt) is cancelled: the worker skips the
/// work it has not started, this thread waits for it, and the handler's
/// exception is raised.
fn execute<R: Send>(
    py: Python<'_>,
    how: How,
    options: Options,
    f: impl FnOnce() -> Result<R, EinsumError> + Send,
) -> PyResult<R> {
    match how {
        How::Tiny => with_options(options, f).map_err(to_python),
        How::Detached => py.detach(|| with_options(options, f)).map_err(to_python),
        How::Watched => watched(py, options, f),
    }
}

/// [`execute`] on a worker thread, this one checking for signals every
/// [`CHECK_EVERY`] with the GIL taken back for the check only.
fn watched<R: Send>(
    py: Python<'_>,
    options: Options,
    f: impl FnOnce() -> Result<R, EinsumError> + Send,
) -> PyResult<R> {
    let token = Cancel::new();
    let done = Done(Mutex::new(false), Condvar::new());
    std::thread::scope(|scope| {
        let (token, done) = (&token, &done);
        let worker = scope.spawn(move || {
            // Tells the watcher on return and on unwind alike.
            let _finished = Finished(done);
            dynamic::with_cancel(token, || with_options(options, f))
        });
        loop {
            if py.detach(|| done.wait(CHECK_EVERY)) {
                break;
            }
            if let Err(interrupted) = py.check_signals() {
                token.cancel();
                // The worker stops within a block of work; its partial
                // output (a new array, or `out`'s values) is dropped or
                // left as it is.
                let _ = py.detach(move || worker.join());
                return Err(interrupted);
            }
        }
        match py.detach(move || worker.join()) {
            Ok(result) => result.map_err(to_python),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Whether a watched call's worker has finished, and the signal of it.
struct Done(Mutex<bool>, Condvar);

impl Done {
    /// Waits at most `timeout` for the worker; whether it has finished.
    fn wait(&self, timeout: Duration) -> bool {
        let finished = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (finished, _) = self
            .1
            .wait_timeout_while(finished, timeout, |finished| !*finished)
            .unwrap_or_else(|p| p.into_inner());
        *finished
    }
}

/// Marks the worker finished when it drops.
struct Finished<'a>(&'a Done);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        *self.0 .0.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.0 .1.notify_all();
    }
}

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
    // The GIL is released while the contraction runs, unless it is tiny.
    let how = how(c, &views, options);
    match out {
        None => new_array(py, c, &views, how, options),
        Some(out) => {
            let mut target: PyReadwriteArrayDyn<'py, T> = out.extract()?;
            let view = target.as_array_mut();
            execute(py, how, options, || c.run_into(&views, view))?;
            Ok(out.clone().unbind())
        }
    }
}

/// Runs `c` on `views` into a new ndarray: NumPy's own allocation for
/// a small result (its cache of small blocks, and no copy or wrapper
/// object), a reused [`Buffer`] for a large one or one laid out in the
/// order of [`Contraction::output_order`] (then a transposed view, as
/// `numpy.einsum(optimize=True)` returns).
fn new_array<'py, T>(
    py: Python<'py>,
    c: &Contraction,
    views: &[ArrayViewD<'_, T>],
    how: How,
    options: Options,
) -> PyResult<Py<PyAny>>
where
    T: einsum_static::Element + numpy::Element,
{
    let dims = c.output_shape(views).map_err(to_python)?;
    let len = einsum_runtime::checked_len::<T>(&dims).map_err(to_python)?;
    let bytes = len * std::mem::size_of::<T>();
    // NumPy's optimize=True returns its GEMM's result as a transposed view;
    // so do we, where a result in the output's order would be scattered.
    let order = c.output_order(views).unwrap_or_default();
    if bytes < POOLED_FROM && order.is_empty() {
        // SAFETY: an uninitialised array (numpy.empty): the engines write
        // every element of a standard-layout `out` before anything reads
        // it, and no one else sees the array until then.
        let array = unsafe { PyArrayDyn::<T>::new(py, dims, false) };
        // SAFETY: the array was just made here; nothing else refers to it.
        let view = unsafe { array.as_array_mut() };
        execute(py, how, options, || c.run_into(views, view))?;
        return Ok(array.into_any().unbind());
    }
    let mut buffer = Buffer::take(bytes).map_err(to_python)?;
    let ptr = buffer.ptr::<T>();
    // SAFETY: the buffer holds `bytes` bytes, aligned for `T` (at most 8
    // bytes), and is this call's alone; the engines write every element
    // before anything reads it.
    let view = unsafe { ndarray::ArrayViewMutD::from_shape_ptr(laid_out(&dims, &order), ptr) };
    execute(py, how, options, || c.run_into(views, as_output(view, &order)))?;
    // SAFETY: as above; the buffer now holds the result.
    let result = unsafe { ArrayViewD::from_shape_ptr(laid_out(&dims, &order), ptr as *const T) };
    let result = as_output(result, &order);
    let owner = Bound::new(py, std::mem::take(&mut buffer))?;
    // SAFETY: the memory belongs to `owner`, which the new array keeps
    // alive and which never reallocates it.
    let array = unsafe { PyArrayDyn::<T>::borrow_from_array(&result, owner.into_any()) };
    Ok(array.into_any().unbind())
}

/// The dimensions of the result as laid out in memory: `dims` in `order`
/// (outermost first; empty: the output's own order).
fn laid_out(dims: &[usize], order: &[usize]) -> Vec<usize> {
    match order {
        [] => dims.to_vec(),
        _ => order.iter().map(|&axis| dims[axis]).collect(),
    }
}

/// A view of memory laid out by [`laid_out`] as the output's axes.
fn as_output<S: ndarray::RawData>(
    laid: ndarray::ArrayBase<S, ndarray::IxDyn>,
    order: &[usize],
) -> ndarray::ArrayBase<S, ndarray::IxDyn> {
    if order.is_empty() {
        return laid;
    }
    let mut axes = vec![0; order.len()];
    for (place, &axis) in order.iter().enumerate() {
        axes[axis] = place;
    }
    laid.permuted_axes(axes)
}

/// Results from this many bytes on live in a [`Buffer`]: fresh memory of
/// that size comes from the system (glibc maps anything over 32 MiB), and
/// the system zeroes every page of it before our first write, which took
/// two thirds of an outer product of two 4096-vectors.
const POOLED_FROM: usize = 16 << 20;

/// The most buffers, and bytes, kept for reuse after their arrays die.
const KEPT_BUFFERS: usize = 2;
const KEPT_BYTES: usize = 1 << 30;

/// The memory of a large result, owned by the ndarray made on it (its
/// `base`); when that dies, the memory is kept (at most [`KEPT_BUFFERS`],
/// [`KEPT_BYTES`] in all) for the next large result, as PyTorch's caching
/// allocator keeps its blocks.
#[pyclass(frozen)]
#[derive(Default)]
struct Buffer {
    /// Capacity only: its length stays 0 (the contents are the arrays').
    words: Vec<u64>,
}

/// The buffers kept for reuse.
static KEPT: Mutex<Vec<Vec<u64>>> = Mutex::new(Vec::new());

impl Buffer {
    /// A buffer of at least `bytes` bytes: a kept one of at most twice
    /// that size, or new memory (advised to huge pages).
    fn take(bytes: usize) -> Result<Buffer, EinsumError> {
        let words = bytes.div_ceil(8);
        {
            let mut kept = KEPT.lock().unwrap_or_else(|p| p.into_inner());
            let fits = |w: &Vec<u64>| w.capacity() >= words && w.capacity() / 2 <= words;
            if let Some(k) = kept.iter().position(fits) {
                return Ok(Buffer {
                    words: kept.swap_remove(k),
                });
            }
        }
        let mut fresh = Vec::<u64>::new();
        fresh
            .try_reserve_exact(words)
            .map_err(|_| EinsumError::AllocationFailed { bytes })?;
        einsum_runtime::pages::advise_huge_pages(fresh.as_mut_ptr().cast(), bytes);
        Ok(Buffer { words: fresh })
    }

    /// The start of the memory, as elements of `T` (aligned to 8 bytes).
    fn ptr<T>(&mut self) -> *mut T {
        debug_assert!(std::mem::align_of::<T>() <= 8);
        self.words.as_mut_ptr().cast()
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let words = std::mem::take(&mut self.words);
        if words.capacity() == 0 {
            return;
        }
        let mut kept = KEPT.lock().unwrap_or_else(|p| p.into_inner());
        let held: usize = kept.iter().map(|w| w.capacity() * 8).sum();
        if kept.len() < KEPT_BUFFERS && held + words.capacity() * 8 <= KEPT_BYTES {
            kept.push(words);
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

/// `einsum(equation, *arrays)` with nothing else, the common call, with
/// the least work in front of the engines: `operands` is the equation
/// followed by ndarrays (exactly, not subclasses) of one supported dtype,
/// aligned and in native byte order. Returns the result (a NumPy scalar
/// for a 0-d one), or `None` for a call of any other kind, which the
/// Python wrapper then prepares.
#[pyfunction]
#[pyo3(signature = (operands, threads=None, memory_limit=None))]
fn einsum_fast<'py>(
    py: Python<'py>,
    operands: &Bound<'py, PyTuple>,
    threads: Option<usize>,
    memory_limit: Option<usize>,
) -> PyResult<Option<Py<PyAny>>> {
    let mut items = operands.iter();
    let Some(equation) = items.next() else {
        return Ok(None);
    };
    let Ok(equation) = equation.cast::<PyString>() else {
        return Ok(None);
    };
    let arrays: Vec<Bound<'py, PyAny>> = items.collect();
    let Some(first) = arrays.first() else {
        return Ok(None);
    };
    for op in &arrays {
        // SAFETY: `op` is a live object; this only compares its type.
        let exact = unsafe { PyArray_CheckExact(py, op.as_ptr()) } != 0;
        if !exact || !op.cast::<PyUntypedArray>()?.is_aligned() {
            return Ok(None);
        }
    }
    let c = contraction(&equation.to_cow()?)?;
    let options = Options {
        threads,
        memory_limit,
    };
    let result = if is::<f64>(first) {
        fast::<f64>(py, &c, &arrays, options)
    } else if is::<f32>(first) {
        fast::<f32>(py, &c, &arrays, options)
    } else if is::<Complex<f64>>(first) {
        fast::<Complex<f64>>(py, &c, &arrays, options)
    } else if is::<Complex<f32>>(first) {
        fast::<Complex<f32>>(py, &c, &arrays, options)
    } else if is::<i64>(first) {
        fast::<i64>(py, &c, &arrays, options)
    } else if is::<i32>(first) {
        fast::<i32>(py, &c, &arrays, options)
    } else {
        return Ok(None);
    }?;
    let Some(result) = result else {
        return Ok(None);
    };
    let bound = result.bind(py);
    if bound.cast::<PyUntypedArray>()?.ndim() == 0 {
        // NumPy's scalar, as numpy.einsum returns.
        return Ok(Some(bound.get_item(PyTuple::empty(py))?.unbind()));
    }
    Ok(Some(result))
}

/// [`einsum_fast`] on arrays whose first is of dtype `T`: `None` unless
/// they all are.
fn fast<'py, T>(
    py: Python<'py>,
    c: &Contraction,
    arrays: &[Bound<'py, PyAny>],
    options: Options,
) -> PyResult<Option<Py<PyAny>>>
where
    T: einsum_static::Element + numpy::Element,
{
    if !arrays.iter().all(is::<T>) {
        return Ok(None);
    }
    run::<T>(py, c, arrays, None, options).map(Some)
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
    // Laid out as `new_array` lays out the result, so that the engine named
    // is the one that runs.
    let explain =
        with_options(options, || c.explain_in_output_order(&views)).map_err(to_python)?;
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
    m.add_function(wrap_pyfunction!(einsum_fast, m)?)?;
    m.add_function(wrap_pyfunction!(einsum_path, m)?)?;
    m.add_function(wrap_pyfunction!(output_subscripts, m)?)?;
    Ok(())
}
