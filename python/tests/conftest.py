"""Shared by the tests: operands in many memory layouts, and tolerances."""

import numpy as np
import pytest

DTYPES = [np.float64, np.float32, np.complex128, np.complex64, np.int64, np.int32]

LAYOUTS = ["standard", "fortran", "transposed", "reversed", "stepped", "broadcast"]


def random_values(shape, dtype, rng):
    """Small values: integers stay exact, floats keep their precision."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return rng.integers(-3, 4, size=shape).astype(dtype)
    values = rng.standard_normal(shape)
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)


def operand(shape, dtype, layout, rng):
    """An array of `shape` in `layout`: a view read in place by einsum."""
    shape = tuple(shape)
    if layout == "standard" or len(shape) == 0:
        return random_values(shape, dtype, rng)
    if layout == "fortran":
        return np.asfortranarray(random_values(shape, dtype, rng))
    if layout == "transposed":
        return random_values(shape[::-1], dtype, rng).T
    if layout == "reversed":
        base = random_values(shape, dtype, rng)
        return base[(slice(None, None, -1),) * len(shape)]
    if layout == "stepped":
        base = random_values(tuple(2 * n + 1 for n in shape), dtype, rng)
        return base[tuple(slice(1, None, 2) for _ in shape)][tuple(slice(0, n) for n in shape)]
    if layout == "broadcast":
        # The largest axis broadcast from size 1 (stride 0).
        axis = int(np.argmax(shape))
        small = list(shape)
        small[axis] = 1 if shape[axis] > 0 else 0
        return np.broadcast_to(random_values(tuple(small), dtype, rng), shape)
    raise ValueError(layout)


def assert_close(actual, expected, dtype):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        np.testing.assert_array_equal(actual, expected)
    else:
        rtol = 1e-4 if dtype in (np.float32, np.complex64) else 1e-10
        scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale * 10)


@pytest.fixture
def rng():
    return np.random.default_rng(20261130)
