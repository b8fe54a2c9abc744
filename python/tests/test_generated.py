"""The Rust suite's generated equations (tests/generated/equations.rs,
written by scripts/gen_equations.py), each on random layouts, dtypes and
thread counts, against numpy.einsum."""

import pathlib
import re

import numpy as np
import pytest

import einsum_static as es
from conftest import DTYPES, LAYOUTS, assert_close, operand

GENERATED = pathlib.Path(__file__).resolve().parents[2] / "tests" / "generated" / "equations.rs"
CASE = re.compile(r'^case!\((\w+), "([^"]*)", \w+, \[[^\]]*\], \[[^\]]*\], "([^"]*)", &\[(.*)\]\);$')


def load_cases():
    cases = []
    for line in GENERATED.read_text().splitlines():
        m = CASE.match(line)
        if not m:
            continue
        name, equation, sizes, ellipsis = m.groups()
        sizes = {item[0]: int(item[1:]) for item in sizes.split()}
        dims = [
            [int(d) for d in group.split(",") if d.strip()]
            for group in re.findall(r"&\[([^\]]*)\]", ellipsis)
        ]
        cases.append((name, equation, sizes, dims))
    return cases


CASES = load_cases()


def test_the_suite_was_found():
    assert len(CASES) > 300


def shapes_of(equation, sizes, dims):
    inputs = equation.replace(" ", "").split("->")[0].split(",")
    shapes = []
    for k, term in enumerate(inputs):
        shape = []
        for part in term.split("..."):
            shape.extend(sizes[c] for c in part)
            shape.append(None)
        shape.pop()
        full = []
        for s in shape:
            full.extend(dims[k] if s is None else [s])
        shapes.append(full)
    return shapes


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_against_numpy(case):
    name, equation, sizes, dims = case
    rng = np.random.default_rng(abs(hash(name)) % (1 << 32))
    shapes = shapes_of(equation, sizes, dims)
    for run in range(3):
        dtype = DTYPES[(run + int(name[1:])) % len(DTYPES)]
        ops = [operand(s, dtype, LAYOUTS[rng.integers(len(LAYOUTS))], rng) for s in shapes]
        threads = [None, 1, 2, 3][rng.integers(4)]
        expected = np.einsum(equation, *ops)
        got = es.einsum(equation, *ops, threads=threads)
        assert_close(got, expected, dtype)
        assert np.asarray(got).dtype == np.asarray(expected).dtype
