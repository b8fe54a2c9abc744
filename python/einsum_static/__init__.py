"""numpy.einsum on every core, on einsum-static's Rust engines.

    >>> import numpy as np, einsum_static as es
    >>> a = np.arange(6.0).reshape(2, 3)
    >>> es.einsum("ij,kj->ik", a, a)
    array([[ 5., 14.],
           [14., 50.]])

The signature and semantics are numpy.einsum's where they overlap: the
same equation language (and the interleaved form), operands of any strides
read in place, NumPy's type promotion, ValueError for bad equations and
shapes, ``out=``, results laid out as ``optimize=True`` lays them out (a
transposed view of the GEMM's result where the output's order splits an
operand's free labels, else C order). ``optimize`` is accepted and
ignored: the contraction order is always optimized. Extra keywords: ``threads`` (the number of
threads; default every core) and ``memory_limit`` (bytes for temporaries).
The GIL is released while the contraction runs (tiny calls keep it), and
Ctrl-C interrupts a long call (KeyboardInterrupt, raised within a block of
work; an ``out=`` array then holds partial values).
"""

import operator as _operator

import numpy as _np

from . import _core, _numpy_text

__all__ = ["einsum", "einsum_path", "SUPPORTED_DTYPES"]

#: The dtypes the engines compute in; other dtypes are promoted to one of
#: these when NumPy's promotion leads there, else refused with TypeError.
SUPPORTED_DTYPES = tuple(
    _np.dtype(t)
    for t in (_np.float32, _np.float64, _np.complex64, _np.complex128, _np.int32, _np.int64)
)

_SUPPORTED = frozenset(SUPPORTED_DTYPES)

# NumPy's labels for the interleaved form: 0-25 are A-Z, 26-51 are a-z
# (so that numeric order is the implicit output's ASCII order).
_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _sublist(subscripts):
    """One term of the interleaved form as equation text."""
    text = []
    for s in subscripts:
        if s is Ellipsis:
            text.append("...")
            continue
        try:
            k = _operator.index(s)
        except TypeError:
            raise TypeError(
                "For this input type lists must contain either int or Ellipsis"
            ) from None
        if not 0 <= k < len(_LABELS):
            raise ValueError(f"subscript is not within the valid range [0, 52): {s!r}")
        text.append(_LABELS[k])
    return "".join(text)


def _parse(operands):
    """(equation, arrays) from either calling form."""
    if not operands:
        raise TypeError("einsum() missing required argument 'subscripts' (pos 0)")
    if isinstance(operands[0], str):
        return operands[0], list(operands[1:])
    # Interleaved: op0, sublist0, op1, sublist1, ..., [output sublist].
    body, output = operands, None
    if len(operands) % 2 == 1:
        body, output = operands[:-1], operands[-1]
    arrays = list(body[0::2])
    equation = ",".join(_sublist(s) for s in body[1::2])
    if output is not None:
        equation += "->" + _sublist(output)
    return equation, arrays


def _dtype_of(arrays, dtype):
    """The dtype to compute in: ``dtype`` or NumPy's promotion of the
    operands', if the engines support it; else TypeError naming them."""
    result = _np.dtype(dtype) if dtype is not None else _np.result_type(*arrays)
    if result not in SUPPORTED_DTYPES:
        names = ", ".join(str(a.dtype) for a in arrays)
        raise TypeError(
            f"einsum_static computes in float32, float64, complex64, complex128, int32 "
            f"or int64; operands of dtypes ({names}) promote to {result}"
        )
    return result


def _prepare(operands, dtype):
    equation, arrays = _parse(operands)
    arrays = [_np.asarray(a) for a in arrays]
    if not arrays:
        return equation, arrays, None
    dt = _dtype_of(arrays, dtype)
    ready = []
    for a in arrays:
        # Views of the same dtype, native byte order and aligned are read in
        # place; anything else is converted once.
        if a.dtype != dt or not a.flags.aligned:
            a = a.astype(dt)
        ready.append(a)
    return equation, ready, dt


def einsum(*operands, out=None, dtype=None, optimize=True, threads=None, memory_limit=None):
    """Evaluates the Einstein summation convention on the operands, as
    numpy.einsum does, on every core.

    ``einsum("ij,jk->ik", a, b)`` or the interleaved form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``. ``out``: an array of the
    result's shape to write into (its dtype the result's, or one it casts
    to safely). ``dtype``: compute in this dtype. ``optimize``: accepted
    for compatibility and ignored (always optimized). ``threads``: number
    of threads (default: every core). ``memory_limit``: bound in bytes on
    the temporaries; larger intermediates are computed in slices.

    Returns a new array, or ``out``. A 0-d result is returned as a NumPy
    scalar, as numpy.einsum does.

    The GIL is released while it runs. Ctrl-C (SIGINT) during a long call
    raises KeyboardInterrupt once the block of work in progress ends
    (typically milliseconds; a single huge matrix product is one block).
    An ``out`` array interrupted so holds partial values: some elements
    written, others as they were (NumPy leaves ``out`` undefined then
    too); the package stays usable.
    """
    if out is None and dtype is None:
        # The common call, with no Python in front of the engines:
        # ndarrays of one supported dtype, aligned, in native byte order
        # (None for any other call).
        try:
            result = _core.einsum_fast(operands, threads, memory_limit)
        except ValueError as err:
            _numpy_error(err, operands)
            raise
        if result is not None:
            return result
    del optimize  # always optimized
    try:
        return _einsum(operands, out, dtype, threads, memory_limit)
    except ValueError as err:
        _numpy_error(err, operands, out)
        raise


def _numpy_error(err, operands, out=None):
    """Raises numpy.einsum's ValueError, in its words, for operands (and
    ``out``) whose shapes do not fit the equation; returns for any other
    error."""
    try:
        equation, arrays = _parse(operands)
        output = _core.output_subscripts(equation)
        shapes = [_np.shape(a) for a in arrays]
        out_shape = None if out is None else _np.shape(out)
    except Exception:
        return
    message = _numpy_text.shape_error(equation, output, shapes, out_shape)
    if message is not None and message != str(err):
        raise ValueError(message) from None


def _einsum(operands, out, dtype, threads, memory_limit):
    equation, arrays, dt = _prepare(operands, dtype)
    if not arrays:
        # The equation's own error (NumPy's wording).
        _core.einsum(equation, [], None, threads, memory_limit)
    if out is None:
        result = _core.einsum(equation, arrays, None, threads, memory_limit)
        return result[()] if result.ndim == 0 else result
    if not isinstance(out, _np.ndarray):
        raise TypeError("out must be a numpy.ndarray")
    if not _np.can_cast(dt, out.dtype, casting="safe"):
        raise TypeError(
            f"Cannot cast einsum output from dtype('{dt}') to dtype('{out.dtype}') "
            f"with casting rule 'safe'"
        )
    if not out.flags.writeable:
        raise ValueError("output array is read-only")
    direct = out.dtype == dt and out.flags.aligned
    if direct and not any(_np.may_share_memory(out, a) for a in arrays):
        _core.einsum(equation, arrays, out, threads, memory_limit)
        return out
    # An output that overlaps an operand, or of another dtype: computed
    # aside, then copied (the shape is checked by the copy's broadcast
    # rules first, so check it exactly here).
    result = _core.einsum(equation, arrays, None, threads, memory_limit)
    if result.shape != out.shape:
        raise ValueError(
            f"output array has shape {list(out.shape)} but the einsum's result has shape "
            f"{list(result.shape)}"
        )
    _np.copyto(out, result, casting="safe")
    return out


def einsum_path(*operands, optimize=True, threads=None, memory_limit=None):
    """The contraction plan, like numpy.einsum_path: ``(path, text)``,
    where ``path`` is ``["einsum_path", (i, j), ...]`` (positions in the
    list of operands left, each result appended to its end) and ``text``
    is numpy.einsum_path's table (complete contraction, scalings, FLOP
    counts by NumPy's formulas, largest intermediate, the steps) for our
    path, followed by our own account of the plan: the engines, slicing
    to the memory limit, the memory peak. ``optimize`` is accepted and
    ignored.
    """
    del optimize
    try:
        equation, arrays, _ = _prepare(operands, None)
        if not arrays:
            _core.einsum(equation, [], None, threads, memory_limit)
        steps, ours = _core.einsum_path(equation, arrays, threads, memory_limit)
    except ValueError as err:
        _numpy_error(err, operands)
        raise
    path = [tuple(s) for s in steps]
    output = _core.output_subscripts(equation)
    table = _numpy_text.path_table(equation, output, [a.shape for a in arrays], path)
    return ["einsum_path"] + path, table + "\n\n" + ours
