#!/usr/bin/env python3
"""The Python package (einsum_static) against its peers on the cases of
scripts/bench_numpy.py (those of benches/einsum.rs), in one run.

    bash scripts/test_python.sh            # builds and installs the package
    target/py-venv/bin/python scripts/bench_python.py [words] [--budget S]

Contenders: einsum_static.einsum, numpy.einsum (optimize=False and True),
opt_einsum.contract, einsumt.einsumt (its default, numpy.einsum's C loop
on chunks in a thread pool), pytblis.einsum (TBLIS; BLIS_ARCH_TYPE=skx on
AVX-512 CPUs), jax.numpy.einsum (jitted, float64, operands on the device
beforehand) and torch.einsum (on tensors sharing the arrays' memory).
Idle BLAS and OpenMP threads are told to sleep soon
(OPENBLAS_THREAD_TIMEOUT=4, OMP_WAIT_POLICY=PASSIVE; see below).
opt_einsum, einsumt, pytblis and jax are in
scripts/bench_python_requirements.txt; torch is timed only if importable
(it is not installed for this); the first line names any missing.
numpy.einsum (optimize=False) and einsumt skip chain_4op (one loop nest
over five labels, over a minute). Each is timed as the median of calls
sampled in turns, about `--budget` seconds each (default 0.5), after a
warm-up. The table gives milliseconds, then ours in GFLOP/s (opt_einsum's
count for the optimal path, a multiply-add 2), the fastest peer, and its
time over ours (above 1: we are faster). Results are checked
against numpy.einsum. Besides those cases, some TCCG contractions in
complex128 and complex64 (COMPLEX_CASES: Python only, since the Rust
benchmark's peers are real-valued).
"""

import os
import random
import sys
import time
from pathlib import Path

# The contenders are sampled in turns, so each runs right after another.
# OpenBLAS's idle threads (numpy's) spin for 2^28 cycles after each call
# unless told otherwise, taking the cores from whichever contender runs
# next, while a short spin leaves numpy's own times as they were (README,
# "Python"). OpenMP's threads (pytblis, torch) are asked the same. Read
# when the libraries load, so set before numpy is imported.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_numpy import CASES, SEED  # noqa: E402

# TCCG contractions in complex types, at sizes with 16-32 MiB per tensor.
COMPLEX_CASES = [
    ("tccg_aebf_fdec_c128", "aebf,fdec->abcd", [(36,) * 4, (36,) * 4], "c128"),
    ("tccg_eafd_fbec_c128", "eafd,fbec->abcd", [(36,) * 4, (36,) * 4], "c128"),
    ("tccg_fbea_ecfd_c128", "fbea,ecfd->dcba", [(36,) * 4, (36,) * 4], "c128"),
    ("tccg_dega_gfbc_c128", "dega,gfbc->abcdef", [(12,) * 4, (12,) * 4], "c128"),
    ("tccg_fbea_ecfd_c64", "fbea,ecfd->dcba", [(40,) * 4, (40,) * 4], "c64"),
]
DTYPES = {"f32": np.float32, "f64": np.float64, "c64": np.complex64, "c128": np.complex128}


def operands(shapes, dtype):
    """Uniform values in [-1, 1), in both parts for the complex types."""
    rng = np.random.default_rng(SEED)
    dt = DTYPES[dtype]
    ops = []
    for shape in shapes:
        x = rng.uniform(-1.0, 1.0, size=shape)
        if np.issubdtype(dt, np.complexfloating):
            x = x + 1j * rng.uniform(-1.0, 1.0, size=shape)
        ops.append(x.astype(dt))
    return ops


def has_avx512():
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False


# pytblis's bundled BLIS picks AVX2 kernels on some AVX-512 machines
# unless told; give it the AVX-512 ones where the CPU has them.
if has_avx512():
    os.environ.setdefault("BLIS_ARCH_TYPE", "skx")

import einsum_static as es  # noqa: E402


def peers():
    """The contenders found, and the names of those missing."""
    found = {
        "np.einsum": lambda eq, ops: np.einsum(eq, *ops),
        "np.einsum opt": lambda eq, ops: np.einsum(eq, *ops, optimize=True),
    }
    missing = []
    try:
        import opt_einsum

        found["opt_einsum"] = lambda eq, ops: opt_einsum.contract(eq, *ops)
    except ImportError:
        missing.append("opt_einsum (pip install -r scripts/bench_python_requirements.txt)")
    try:
        from einsumt import einsumt

        found["einsumt"] = lambda eq, ops: einsumt(eq, *ops)
    except ImportError:
        missing.append("einsumt (pip install -r scripts/bench_python_requirements.txt)")
    try:
        import torch

        found["torch"] = lambda eq, ops: torch.einsum(eq, *[torch.from_numpy(o) for o in ops])
    except ImportError:
        missing.append("torch (not importable: not timed)")
    try:
        import pytblis

        found["pytblis"] = lambda eq, ops: pytblis.einsum(eq, *ops)
    except ImportError:
        missing.append("pytblis (not importable: not timed)")
    try:
        found["jax jit"] = jax_einsum()
    except ImportError:
        missing.append("jax (not importable: not timed)")
    return found, missing


def jax_einsum():
    """jax.numpy.einsum, jitted per equation, in float64, on operands moved
    to the device once (cached by identity), waiting for the result."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    compiled, moved = {}, {}

    def run(eq, ops):
        if eq not in compiled:
            compiled[eq] = jax.jit(lambda *xs: jnp.einsum(eq, *xs))
        key = tuple(id(o) for o in ops)
        if key not in moved:
            moved.clear()
            moved[key] = [jax.device_put(o) for o in ops]
        return compiled[eq](*moved[key]).block_until_ready()

    return run


def flops(eq, ops):
    """The FLOPs of opt_einsum's optimal pairwise path (a multiply-add is
    2), or of one loop nest over every label where opt_einsum is missing."""
    try:
        import opt_einsum

        return float(opt_einsum.contract_path(eq, *ops, optimize="optimal")[1].opt_cost)
    except ImportError:
        sizes = {}
        for term, op in zip(eq.split("->")[0].split(","), ops):
            sizes.update(zip(term, op.shape))
        return 2.0 * float(np.prod(list(sizes.values())))


def median_times(fns, budget):
    """The median seconds of each callable, sampled in turns (one sample of
    each per round, so that the machine's drift falls on all alike) for
    about `budget` seconds each, after two warm-up calls of each (the
    second sets how many calls a sample takes); a callable slower than
    `budget` is timed once. Each round takes them in a new
    order: a library's idle threads that spin after its call (XLA's do,
    for milliseconds) then slow each of the others equally often, rather
    than always the one that follows it."""
    inner, times = {}, {}
    for name, fn in fns.items():
        start = time.perf_counter()
        fn()
        first = time.perf_counter() - start
        if first <= budget:
            # Calls per sample from a warm call: a cold first call of a
            # few microseconds would leave its samples one cold call each
            # while a peer's loop several warm ones.
            start = time.perf_counter()
            fn()
            first = time.perf_counter() - start
        times[name] = [first]
        if first <= budget:
            inner[name] = max(1, int(20e-6 / max(first, 1e-9)))
            times[name] = []
    rounds = 0
    deadline = time.perf_counter() + budget * max(1, len(inner))
    order, shuffler = list(inner), random.Random(SEED)
    while inner and (rounds < 5 or (time.perf_counter() < deadline and rounds < 101)):
        shuffler.shuffle(order)
        for name in order:
            fn, n = fns[name], inner[name]
            start = time.perf_counter()
            for _ in range(n):
                fn()
            times[name].append((time.perf_counter() - start) / n)
        rounds += 1
    return {name: sorted(t)[len(t) // 2] for name, t in times.items()}


def main():
    args = sys.argv[1:]
    budget = 0.5
    if "--budget" in args:
        k = args.index("--budget")
        budget = float(args[k + 1])
        del args[k : k + 2]
    cases = [c for c in CASES + COMPLEX_CASES if not args or any(w in c[0] for w in args)]
    contenders, missing = peers()
    names = ["einsum_static", *contenders]
    print(f"numpy {np.__version__}; peers found: {', '.join(contenders)}")
    if missing:
        print(f"missing: {'; '.join(missing)}")
    header = ["case", *[f"{n} ms" for n in names], "ours GFLOP/s", "best peer", "best peer / ours"]
    rows = []
    for name, eq, shapes, dtype in cases:
        ops = operands(shapes, dtype)
        ours = es.einsum(eq, *ops)
        expected = np.einsum(eq, *ops, optimize=True)
        tol = 1e-3 if dtype in ("f32", "c64") else 1e-8
        scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
        assert np.allclose(ours, expected, rtol=tol, atol=tol * scale), name
        fns = {"einsum_static": lambda: es.einsum(eq, *ops)}
        for peer, fn in contenders.items():
            if peer in ("np.einsum", "einsumt") and name == "chain_4op":
                continue  # > 60 s: one loop nest over all five labels
            fns[peer] = lambda fn=fn: fn(eq, ops)
        times = median_times(fns, budget)
        best = min((t, n) for n, t in times.items() if n != "einsum_static")
        cells = [f"{times[n] * 1e3:.4f}" if n in times else "skip" for n in names]
        rate = f"{flops(eq, ops) / times['einsum_static'] / 1e9:.1f}"
        ratio = f"{best[0] / times['einsum_static']:.2f}x"
        rows.append([name, *cells, rate, best[1], ratio])
        print("  ".join(rows[-1]), flush=True)
    print()
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in enumerate(zip(r, widths))))


if __name__ == "__main__":
    main()
