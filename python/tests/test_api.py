"""Errors, type promotion, out=, threads and memory_limit."""

import threading
import time

import numpy as np
import pytest

import einsum_static as es
from conftest import assert_close, operand, random_values

m = np.arange(12.0).reshape(3, 4)


@pytest.mark.parametrize(
    "equation, operands, message",
    [
        ("ij,jk->iz", (m, m.T), "included output subscript 'z' which never appeared in an input (column 9"),
        ("ij->i->j", (m,), "more than one '->'"),
        ("i%", (m,), "invalid subscript '%'"),
        ("ij->ii", (m,), "output subscript 'i' multiple times"),
    ],
)
def test_errors_are_value_errors_in_numpys_words(equation, operands, message):
    with pytest.raises(ValueError) as err:
        es.einsum(equation, *operands)
    assert message in str(err.value)


v3, v4 = np.ones(3), np.ones(4)


@pytest.mark.parametrize(
    "equation, operands",
    [
        # A label's sizes differ: numpy's broadcast error, remapped shapes.
        ("ij,jk->ik", (m, m)),
        ("ij,jk", (m, np.ones((5, 2)))),
        ("ij,kj->ik", (m, np.ones((2, 5)))),
        ("ij,ij->ij", (m, m.T)),
        ("i,i", (v3, v4)),
        ("ab,b->a", (m, v3)),
        ("...i,i->...", (np.ones((5, 2)), v3)),
        ("ij,jk,kl->il", (m, np.ones((4, 2)), np.ones((3, 2)))),
        # The ellipsis's dimensions do not broadcast.
        ("...i,...i->...", (np.ones((2, 3)), np.ones((4, 3)))),
        ("...ij,...jk->...ik", (np.ones((2, 2, 3)), np.ones((3, 3, 4)))),
        # Rank.
        ("ijk->i", (m,)),
        ("i", (np.ones(()),)),
        ("ij->ij", (v3,)),
        ("ij", (np.ones((2, 3, 4)),)),
        ("...j->j", (np.ones((2, 3, 4)),)),
        # Operand count (numpy's words, which name the opposite case).
        ("ij,jk", (m,)),
        ("ij", (m, m)),
        # A repeated label's sizes differ.
        ("ii->i", (m,)),
        ("ii", (m,)),
        ("ii,i->i", (m, v3)),
    ],
)
def test_shape_errors_are_numpys_exactly(equation, operands):
    with pytest.raises(ValueError) as expected:
        np.einsum(equation, *operands)
    with pytest.raises(ValueError) as got:
        es.einsum(equation, *operands)
    assert str(got.value) == str(expected.value)
    # The slow path (dtype=, out=, the interleaved form) says the same.
    with pytest.raises(ValueError) as got:
        es.einsum(equation, *operands, dtype=np.float64)
    assert str(got.value) == str(expected.value)
    if "." not in equation and "->" in equation:
        inputs, output = equation.split("->")
        interleaved = []
        for term, op in zip(inputs.split(","), operands):
            interleaved += [op, [ord(c) - ord("a") + 26 for c in term]]
        for op in operands[len(inputs.split(",")) :]:
            interleaved += [op, []]
        interleaved.append([ord(c) - ord("a") + 26 for c in output])
        with pytest.raises(ValueError) as got:
            es.einsum(*interleaved)
        assert str(got.value) == str(expected.value)


@pytest.mark.parametrize(
    "equation, operands, out",
    [
        ("ij,jk->ik", (m, m.T), np.empty((3, 4))),
        ("ij,jk->ik", (m, m.T), np.empty((3, 3, 1))),
        ("ij,jk->ik", (m, m.T), np.empty(9)),
        ("ij->j", (m,), np.empty(3)),
        ("ij,jk->ik", (m, m), np.empty((3, 3))),
    ],
)
def test_out_shape_errors_are_numpys_exactly(equation, operands, out):
    with pytest.raises(ValueError) as expected:
        np.einsum(equation, *operands, out=out)
    with pytest.raises(ValueError) as got:
        es.einsum(equation, *operands, out=out)
    assert str(got.value) == str(expected.value)


def test_einsum_path_text_is_numpys_table():
    x, y = np.ones((512, 64)), np.ones((64, 512))
    for equation, operands in [
        ("ij,jk,kl,lm->im", (x, y, x, y)),
        ("ij,jk", (x, y)),
        ("ea,fb,abcd,gc,hd->efgh", (np.ones((10, 10)),) * 2 + (np.ones((10,) * 4),) + (np.ones((10, 10)),) * 2),
        ("...ij,...jk,k->...i", (np.ones((2, 3, 4, 5)), np.ones((3, 5, 6)), np.ones(6))),
    ]:
        path, text = es.einsum_path(equation, *operands)
        expected_path, expected = np.einsum_path(equation, *operands, optimize=path)
        assert path == expected_path
        # numpy's table for our path, then our own account of the plan.
        assert text.startswith(expected + "\n\n"), (text, expected)
        assert "FLOP count" in text[len(expected) :]


def test_numpy_raises_value_error_for_the_same_equations():
    for equation, operands in [("ij,jk->iz", (m, m.T)), ("ij,jk->ik", (m, m)), ("ij->ii", (m,))]:
        with pytest.raises(ValueError):
            np.einsum(equation, *operands)


def test_interleaved_errors():
    with pytest.raises(ValueError):
        es.einsum(m, [0, 52])
    with pytest.raises(TypeError):
        es.einsum(m, ["a", "b"])


@pytest.mark.parametrize(
    "left, right",
    [
        (np.float32, np.float64),
        (np.int32, np.float32),
        (np.int64, np.complex64),
        (np.int32, np.int64),
        (np.float32, np.complex64),
        (np.int16, np.int32),
        (np.uint8, np.float32),
    ],
)
def test_mixed_dtypes_promote_as_numpy(left, right):
    rng = np.random.default_rng(1)
    a = random_values((3, 4), left, rng)
    b = random_values((4, 5), right, rng)
    expected = np.einsum("ij,jk->ik", a, b)
    got = es.einsum("ij,jk->ik", a, b)
    assert got.dtype == expected.dtype
    assert_close(got, expected, expected.dtype)


@pytest.mark.parametrize("dtype", [np.int8, np.uint32, np.float16, np.bool_, np.uint64])
def test_unsupported_dtypes_are_type_errors_naming_them(dtype):
    a = np.ones((2, 2), dtype=dtype)
    with pytest.raises(TypeError, match=np.dtype(dtype).name):
        es.einsum("ij,jk", a, a)


def test_dtype_argument_and_byte_order():
    a = np.arange(6, dtype=">f8").reshape(2, 3)
    assert_close(es.einsum("ij->j", a), np.einsum("ij->j", a), np.float64)
    got = es.einsum("ij->j", np.arange(6).reshape(2, 3), dtype=np.float32)
    assert got.dtype == np.float32


def test_out_in_place_and_in_any_layout():
    rng = np.random.default_rng(2)
    x = random_values((5, 6, 7), np.float64, rng)
    y = random_values((5, 7, 3), np.float64, rng)
    expected = np.einsum("bij,bjk->bik", x, y)
    z = np.empty((5, 6, 3))
    assert es.einsum("bij,bjk->bik", x, y, out=z) is z
    assert_close(z, expected, np.float64)
    zf = np.empty((5, 6, 3), order="F")
    es.einsum("bij,bjk->bik", x, y, out=zf)
    assert_close(zf, expected, np.float64)
    big = np.zeros((10, 12, 6))
    view = big[::2, ::2, ::-2]
    es.einsum("bij,bjk->bik", x, y, out=view)
    assert_close(view, expected, np.float64)
    assert np.all(big[1::2] == 0)


@pytest.mark.parametrize("equation", ["dega,gfbc->abcdef", "eafd,fbec->abcd", "abk,kcd->cadb"])
@pytest.mark.parametrize("layout", ["standard", "reversed", "transposed"])
def test_results_laid_out_as_numpy_optimize_when_groups_split(equation, layout):
    # Like numpy.einsum(optimize=True): the GEMM's result as a transposed
    # view, its memory contiguous in the order batch, A's free labels, B's.
    rng = np.random.default_rng(4)
    terms = equation.split("->")[0].split(",")
    ops = [operand([3 + ord(c) % 4 for c in t], np.float64, layout, rng) for t in terms]
    got = es.einsum(equation, *ops)
    assert_close(got, np.einsum(equation, *ops), np.float64)
    assert not got.flags["C_CONTIGUOUS"]
    assert sorted(np.abs(got.strides))[0] == got.itemsize
    for threads in (1, 3):
        assert np.array_equal(es.einsum(equation, *ops, threads=threads), got)


def test_out_errors_and_casts():
    a = np.ones((3, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="shape"):
        es.einsum("ij->i", a, out=np.empty(4, dtype=np.float32))
    with pytest.raises(TypeError, match="Cannot cast"):
        es.einsum("ij->i", a.astype(np.float64), out=np.empty(3, dtype=np.float32))
    wider = np.empty(3, dtype=np.float64)
    es.einsum("ij->i", a, out=wider)
    assert np.all(wider == 4.0)
    frozen = np.empty(3, dtype=np.float32)
    frozen.flags.writeable = False
    with pytest.raises(ValueError):
        es.einsum("ij->i", a, out=frozen)


def test_out_overlapping_an_operand():
    a = np.arange(16.0).reshape(4, 4)
    expected = np.einsum("ij,jk->ik", a, a)
    es.einsum("ij,jk->ik", a, a, out=a)
    assert_close(a, expected, np.float64)


@pytest.mark.parametrize("equation", ["ij->", "ij,jk->ik", "ij,ij->i", "ii->i", "ab,bc,cd->ad", "i,j->ij"])
def test_threads_give_the_same_bits(equation):
    rng = np.random.default_rng(3)
    sizes = {"i": 300, "j": 300, "k": 200, "a": 60, "b": 70, "c": 80, "d": 50}
    terms = equation.split("->")[0].split(",")
    ops = [operand([sizes[c] for c in t], np.float32, "reversed", rng) for t in terms]
    one = es.einsum(equation, *ops, threads=1)
    assert_close(one, np.einsum(equation, *ops), np.float32)
    for threads in (2, 3, 4):
        many = es.einsum(equation, *ops, threads=threads)
        assert np.array_equal(np.asarray(one), np.asarray(many))


def test_memory_limit_slices_intermediates():
    a = np.ones((2000, 40))
    b = np.ones((40, 40))
    _, text = es.einsum_path("ij,jk,lk->il", a, b, a, memory_limit=100_000)
    assert "sliced:" in text
    got = es.einsum("ij,jk,lk->il", a, b, a, memory_limit=100_000)
    assert np.all(got == 1600.0)


def test_python_threads_may_call_concurrently():
    rng = np.random.default_rng(4)
    ops = [random_values((200, 200), np.float64, rng) for _ in range(3)]
    expected = np.einsum("ij,jk,kl->il", *ops)
    results = [None] * 8

    def work(k):
        results[k] = es.einsum("ij,jk,kl->il", *ops)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert_close(r, expected, np.float64)


def test_optimize_is_accepted():
    for optimize in (True, False, "greedy", "optimal"):
        assert_close(es.einsum("ij,jk", m, m.T, optimize=optimize), m @ m.T, np.float64)


def test_operands_are_not_copied_or_changed():
    a = np.arange(12.0).reshape(3, 4)[:, ::-1]
    before = a.copy()
    es.einsum("ij->ji", a)
    assert np.array_equal(a, before)


def test_the_gil_is_released_during_a_long_call():
    # While a long contraction runs in another thread, this thread keeps
    # running Python: it takes steps in the middle of the call (with the
    # GIL held it could take none until the call returns).
    # 1.6e9 products read from a few kilobytes (a broadcast view).
    a = np.broadcast_to(np.ones(200), (800, 100, 100, 200))
    span = []

    def work():
        t0 = time.perf_counter()
        es.einsum("ijkl->kl", a, threads=1)
        span.extend([t0, time.perf_counter()])

    worker = threading.Thread(target=work)
    steps = []
    worker.start()
    while worker.is_alive():
        steps.append(time.perf_counter())
    worker.join()
    start, end = span
    quarter = (end - start) / 4
    inside = [t for t in steps if start + quarter < t < end - quarter]
    assert end - start > 0.05, "the call is too short to tell"
    assert inside, (start, end, len(steps))
