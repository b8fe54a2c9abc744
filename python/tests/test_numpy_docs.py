"""numpy.einsum's documented examples, each against numpy.einsum itself."""

import numpy as np
import pytest

import einsum_static as es
from conftest import assert_close

a = np.arange(25).reshape(5, 5)
b = np.arange(5)
c = np.arange(6).reshape(2, 3)
t1 = np.arange(60.0).reshape(3, 4, 5)
t2 = np.arange(24.0).reshape(4, 3, 2)
chain = np.arange(6).reshape((3, 2))
chain2 = np.arange(12).reshape((4, 3))

EXAMPLES = [
    ("ii", a),
    ("ii->i", a),
    ("ij->i", a),
    ("...j->...", a),
    ("ji", c),
    ("ij->ji", c),
    ("ij->", c),
    ("i,i", b, b),
    ("ij,j", a, b),
    ("...j,j", a, b),
    ("..., ...", 3, c),
    (",ij", 3, c),
    ("i,i", np.arange(2) + 1, b[:2]),
    ("i,j", np.arange(2) + 1, b),
    ("ijk,jil->kl", t1, t2),
    ("ki,jk->ij", chain, chain2),
    ("ki,...k->i...", chain, chain2),
    ("k...,jk", chain, chain2),
    ("i...->...", np.arange(60.0).reshape(3, 4, 5)),
    ("ij,jk,kl->il", a, a, a),
    ("bdik,acaj,ikab,ajac,ikbd", *[np.ones((3,) * 4)] * 5),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_subscripts_form(example):
    equation, *operands = example
    expected = np.einsum(equation, *operands)
    got = es.einsum(equation, *operands)
    assert_close(got, expected, np.result_type(*operands))
    assert np.result_type(got) == np.result_type(expected)


INTERLEAVED = [
    (a, [0, 0]),
    (a, [0, 0], [0]),
    (a, [0, 1], [0]),
    (a, [Ellipsis, 1], b, [Ellipsis]),
    (c, [1, 0]),
    (b, [0], b, [0]),
    (a, [0, 1], b, [1]),
    (3, [Ellipsis], c, [Ellipsis]),
    (np.arange(2) + 1, [0], b, [1]),
    (t1, [0, 1, 2], t2, [1, 0, 4], [2, 4]),
    (chain, [2, 0], chain2, [1, 2], [0, 1]),
    (a, [30, 31], a, [31, 40], [30, 40]),
]


@pytest.mark.parametrize("example", INTERLEAVED, ids=[str(k) for k in range(len(INTERLEAVED))])
def test_interleaved_form(example):
    expected = np.einsum(*example)
    assert_close(es.einsum(*example), expected, np.asarray(expected).dtype)


def test_scalar_results_are_numpy_scalars():
    got = es.einsum("ii", a)
    assert np.isscalar(got) and got == np.einsum("ii", a)


def test_einsum_path_names_the_steps():
    x = np.ones((512, 64))
    y = np.ones((64, 512))
    path, text = es.einsum_path("ij,jk,kl,lm->im", x, y, x, y)
    np_path, _ = np.einsum_path("ij,jk,kl,lm->im", x, y, x, y, optimize="optimal")
    assert path[0] == "einsum_path"
    # The same order as numpy's optimal path: jk,kl first.
    assert path == np_path
    assert "optimized FLOP count" in text and "step 1: jk,kl->jl" in text
    assert es.einsum_path("ij,jk", x, y)[0] == ["einsum_path", (0, 1)]
