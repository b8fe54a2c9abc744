#!/usr/bin/env python3
"""NumPy's einsum and opt_einsum on the cases of benches/einsum.rs.

    python3 scripts/bench_numpy.py                 # every case
    python3 scripts/bench_numpy.py matmul bmm      # only cases containing a word
    python3 scripts/bench_numpy.py --threads 1     # BLAS on 1 thread

Options as in the Rust bench: --threads N (EINSUM_BENCH_THREADS), --filter S
or bare words (EINSUM_BENCH_FILTER=S1,S2), --budget SECONDS
(EINSUM_BENCH_BUDGET, sampling time per contender and case, default 1.0).

The first run creates a virtual environment in target/bench-venv and
installs the pinned packages of scripts/bench_numpy_requirements.txt; every
run then re-executes this script inside it, in a subprocess whose
environment lacks OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on this
machine for old OpenBLAS builds; they slow the current one down) and has
OPENBLAS_THREAD_TIMEOUT=4 and OMP_WAIT_POLICY=PASSIVE unless set (idle BLAS
threads otherwise spin into the next contender's turn).

Timed per case, one call each, inputs created beforehand (uniform in
[-1, 1), fixed seed), median of several runs after a warm-up, the
contenders sampled in turns:
  np.einsum      numpy.einsum(eq, *ops)                 (optimize=False: one C loop nest, 1 thread)
  np.einsum opt  numpy.einsum(eq, *ops, optimize=True)  (pairwise, BLAS where it can)
  opt_einsum     opt_einsum.contract(eq, *ops)          (pairwise, BLAS where it can)
"""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "bench-venv"
REQUIREMENTS = Path(__file__).resolve().parent / "bench_numpy_requirements.txt"
UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
CHILD_FLAG = "EINSUM_BENCH_NUMPY_CHILD"


def venv_python():
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def bootstrap():
    """Creates or updates the venv, then runs this script inside it."""
    stamp = VENV / "requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not venv_python().exists():
        print(f"creating {VENV}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text().strip() != digest:
        print(f"installing {REQUIREMENTS.name} into {VENV}", flush=True)
        subprocess.run(
            [str(venv_python()), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
            check=True,
        )
        stamp.write_text(digest + "\n")
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env[CHILD_FLAG] = "1"
    # Idle BLAS and OpenMP threads sleep soon, so that none spins over the
    # next contender's turn (as in scripts/bench_python.py).
    env.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    child = subprocess.run([str(venv_python()), str(Path(__file__).resolve()), *sys.argv[1:]], env=env)
    sys.exit(child.returncode)


# The cases of benches/einsum/cases.rs: name, equation, operand shapes, dtype.
CASES = [
    ("matmul_1024", "ij,jk->ik", [(1024, 1024), (1024, 1024)], "f64"),
    ("matmul_tall", "ij,jk->ik", [(10000, 100), (100, 100)], "f64"),
    ("rowdot", "ij,ij->i", [(100000, 100), (100000, 100)], "f64"),
    ("bmm", "bij,bjk->bik", [(64, 128, 128), (64, 128, 128)], "f64"),
    ("bmm_small_16", "bij,bjk->bik", [(16384, 16, 16), (16384, 16, 16)], "f64"),
    ("bmm_small_4", "bij,bjk->bik", [(65536, 4, 4), (65536, 4, 4)], "f64"),
    ("attention_scores", "bhqd,bhkd->bhqk", [(8, 8, 256, 64), (8, 8, 256, 64)], "f64"),
    ("tccg_abcd", "abcd,cdef->abef", [(32, 32, 32, 32), (32, 32, 32, 32)], "f64"),
    ("outer", "i,j->ij", [(4096,), (4096,)], "f64"),
    ("transpose_sum", "ijk->kj", [(256, 256, 256)], "f64"),
    ("trace", "ii->", [(4096, 4096)], "f64"),
    ("diag_mul", "ii,i->i", [(4096, 4096), (4096,)], "f64"),
    ("bilinear_3op", "ik,jkl,il->ij", [(256, 64), (128, 64, 64), (256, 64)], "f64"),
    ("chain_4op", "ij,jk,kl,lm->im", [(512, 64), (64, 512), (512, 64), (64, 512)], "f64"),
    ("sum_all", "ijk->", [(256, 256, 256)], "f64"),
    ("matvec", "ij,j->i", [(8192, 8192), (8192,)], "f64"),
    ("matmul_1024_f32", "ij,jk->ik", [(1024, 1024), (1024, 1024)], "f32"),
    # TCCG contractions (benches/einsum/tccg.rs): every label of one size.
    ("tccg_aebf_fdec", "aebf,fdec->abcd", [(40,) * 4, (40,) * 4], "f64"),
    ("tccg_eafd_fbec", "eafd,fbec->abcd", [(40,) * 4, (40,) * 4], "f64"),
    ("tccg_aebf_dfce", "aebf,dfce->abcd", [(40,) * 4, (40,) * 4], "f64"),
    ("tccg_fbea_ecfd", "fbea,ecfd->dcba", [(40,) * 4, (40,) * 4], "f64"),
    ("tccg_ebad_ce", "ebad,ce->abcd", [(40,) * 4, (40,) * 2], "f64"),
    ("tccg_ea_ebcd", "ea,ebcd->abcd", [(40,) * 2, (40,) * 4], "f64"),
    ("tccg_dega_gfbc", "dega,gfbc->abcdef", [(12,) * 4, (12,) * 4], "f64"),
    ("tccg_aged_cbfg", "aged,cbfg->fedcba", [(12,) * 4, (12,) * 4], "f64"),
    ("tccg_fbea_ecfd_f32", "fbea,ecfd->dcba", [(48,) * 4, (48,) * 4], "f32"),
    ("tccg_dega_gfbc_f32", "dega,gfbc->abcdef", [(14,) * 4, (14,) * 4], "f32"),
    # The rest of the TCCG repository's list; INTENSLI's j label is 24.
    ("tccg_acd_dbc", "acd,dbc->ab", [(144,) * 3, (144,) * 3], "f64"),
    ("tccg_cad_dcb", "cad,dcb->ab", [(144,) * 3, (144,) * 3], "f64"),
    ("tccg_acd_db", "acd,db->abc", [(144,) * 3, (144,) * 2], "f64"),
    ("tccg_adc_bd", "adc,bd->abc", [(144,) * 3, (144,) * 2], "f64"),
    ("tccg_adec_ebd", "adec,ebd->abc", [(40,) * 4, (40,) * 3], "f64"),
    ("tccg_eb_aecd", "eb,aecd->abcd", [(40,) * 2, (40,) * 4], "f64"),
    ("tccg_ec_abed", "ec,abed->abcd", [(40,) * 2, (40,) * 4], "f64"),
    ("tccg_bda_dc", "bda,dc->abc", [(144,) * 3, (144, 24)], "f64"),
    ("tccg_dca_bd", "dca,bd->abc", [(144,) * 3, (24, 144)], "f64"),
    ("tccg_dbea_ec", "dbea,ec->abcd", [(40,) * 4, (40, 24)], "f64"),
    ("tccg_deca_be", "deca,be->abcd", [(40,) * 4, (24, 40)], "f64"),
    ("tccg_efbad_cf", "efbad,cf->abcde", [(20,) * 5, (24, 20)], "f64"),
    ("tccg_ecbfa_fd", "ecbfa,fd->abcde", [(20,) * 5, (20, 24)], "f64"),
    ("tccg_efcad_bf", "efcad,bf->abcde", [(20,) * 5, (24, 20)], "f64"),
    ("tccg_degb_gfac", "degb,gfac->abcdef", [(12,) * 4, (12,) * 4], "f64"),
    ("tccg_degc_gfab", "degc,gfab->abcdef", [(12,) * 4, (12,) * 4], "f64"),
    ("tccg_dfgb_geac", "dfgb,geac->abcdef", [(12,) * 4, (12,) * 4], "f64"),
    ("tiny_matmul_4", "ij,jk->ik", [(4, 4), (4, 4)], "f64"),
    ("tiny_dot_8", "i,i->", [(8,), (8,)], "f64"),
    ("tiny_trace_3", "ii->", [(3, 3)], "f64"),
]

# Contender and case pairs not run, with the reason (BENCH.md).
SKIP = {("np.einsum", "chain_4op"): "> 60 s: optimize=False loops over all five labels at once"}

SEED = 0x5EED_2024
SLOW_CALL = 1.5  # seconds: such a call is run once only
MIN_SAMPLE = 20e-6  # faster calls are repeated inside one sample
MAX_SAMPLES = 101


def options():
    env = os.environ.get
    opts = {
        "threads": int(env("EINSUM_BENCH_THREADS")) if env("EINSUM_BENCH_THREADS") else None,
        "filters": [f for f in (env("EINSUM_BENCH_FILTER") or "").split(",") if f],
        "budget": float(env("EINSUM_BENCH_BUDGET") or 1.0),
    }
    args = sys.argv[1:]
    while args:
        arg = args.pop(0)
        flag, _, inline = arg.partition("=")
        if flag in ("--threads", "--filter", "--budget"):
            value = inline or args.pop(0)
            if flag == "--threads":
                opts["threads"] = int(value)
            elif flag == "--filter":
                opts["filters"].append(value)
            else:
                opts["budget"] = float(value)
        elif arg.startswith("-"):
            sys.exit(f"unknown option {arg}\n{__doc__}")
        else:
            opts["filters"].append(arg)
    return opts


class Contender:
    """One callable: a warm-up call (result kept for the check), an
    estimate from a second call, then samples taken in turns by run_case."""

    def __init__(self, name, fn, budget):
        self.name, self.fn = name, fn
        start = time.perf_counter()
        self.result = fn()
        first = time.perf_counter() - start
        if first > SLOW_CALL:
            self.inner, self.target, self.times = 1, 1, [first]
            return
        start = time.perf_counter()
        fn()
        estimate = max(min(first, time.perf_counter() - start), 1e-9)
        self.inner = min(max(1, int(-(-MIN_SAMPLE // estimate))), 100_000)
        min_samples = 3 if estimate > 0.3 else 5
        self.target = min(max(int(budget / (estimate * self.inner)), min_samples), MAX_SAMPLES)
        self.times = []

    def sample(self):
        fn, inner = self.fn, self.inner
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        self.times.append((time.perf_counter() - start) / inner)

    def median(self):
        t = sorted(self.times)
        n = len(t)
        return t[n // 2] if n % 2 else 0.5 * (t[n // 2 - 1] + t[n // 2])


def load_average():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def fmt_ms(seconds):
    ms = seconds * 1e3
    for limit, digits in ((100, 1), (10, 2), (1, 3), (0.01, 4)):
        if ms >= limit:
            return f"{ms:.{digits}f}"
    return f"{ms:.7f}"


def print_table(header, rows):
    widths = [max(len(str(r[c])) for r in [header, *rows]) for c in range(len(header))]
    line = lambda cells: "  ".join(
        f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in enumerate(zip(cells, widths))
    )
    print(line(header))
    print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    for r in rows:
        print(line(r))


def main():
    import numpy as np
    import opt_einsum as oe
    from threadpoolctl import threadpool_info, threadpool_limits

    opts = options()
    cases = [c for c in CASES if not opts["filters"] or any(f in c[0] for f in opts["filters"])]
    if not cases:
        sys.exit(f"no case matches {opts['filters']}; cases: {', '.join(c[0] for c in CASES)}")
    _limits = threadpool_limits(opts["threads"]) if opts["threads"] else None

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, opt_einsum {oe.__version__}")
    for k in UNSET:
        print(f"{k}: {os.environ.get(k, 'unset')}")
    pools = threadpool_info()
    for p in pools:
        print(
            f"{p.get('user_api')}: {p.get('internal_api')} {p.get('version')} "
            f"({p.get('architecture', '?')}, {p.get('threading_layer', '?')}), "
            f"{p.get('num_threads')} threads, {Path(p.get('filepath', '')).name}"
        )
    if not pools:
        print("no BLAS found by threadpoolctl; numpy.show_config():")
        np.show_config()
    blas_threads = max((p["num_threads"] for p in pools if p.get("user_api") == "blas"), default=1)
    print(f"cpus: {os.cpu_count()}; np.einsum (optimize=False) runs on 1 thread, BLAS calls on {blas_threads}")
    print(f"load average: {load_average()} (other processes on the machine skew the figures)\n")

    names = ["np.einsum", "np.einsum opt", "opt_einsum"]
    header = ["case", "equation", *[f"{n} ms" for n in names], "fastest", "check", "optimal path FLOPs"]
    rows, notes = [], []
    started = time.perf_counter()
    for name, eq, shapes, dtype in cases:
        rng = np.random.default_rng(SEED)
        dt = np.float32 if dtype == "f32" else np.float64
        ops = [rng.uniform(-1.0, 1.0, size=s).astype(dt) for s in shapes]
        fns = {
            "np.einsum": lambda: np.einsum(eq, *ops),
            "np.einsum opt": lambda: np.einsum(eq, *ops, optimize=True),
            "opt_einsum": lambda: oe.contract(eq, *ops),
        }
        contenders = []
        for n in names:
            if (n, name) in SKIP:
                notes.append(f"{name}: {n} skipped ({SKIP[(n, name)]})")
            else:
                contenders.append(Contender(n, fns[n], opts["budget"]))
        while any(len(c.times) < c.target for c in contenders):
            for c in contenders:
                if len(c.times) < c.target:
                    c.sample()
        timed = {c.name: c for c in contenders}
        cells = []
        for n in names:
            c = timed.get(n)
            cells.append("skip" if c is None else fmt_ms(c.median()) + ("*" if len(c.times) == 1 else ""))
        best = min(contenders, key=lambda c: c.median())
        ref = np.asarray(contenders[0].result, dtype=np.float64)
        tol = 1e-4 if dtype == "f32" else 1e-9
        scale = max(1.0, float(np.max(np.abs(ref))))
        errs = [float(np.max(np.abs(np.asarray(c.result, dtype=np.float64) - ref))) / scale for c in contenders[1:]]
        check = f"ok {max(errs, default=0.0):.0e}" if all(e <= tol for e in errs) else f"DIFFER {max(errs):.1e}"
        flops = "-"
        if len(shapes) > 2:
            _, info = oe.contract_path(eq, *ops, optimize="optimal")
            flops = f"{int(info.opt_cost):.4g} (naive {int(info.naive_cost):.3g})"
        rows.append([name, eq, *cells, best.name, check, flops])
    print_table(header, rows)
    print(
        "\n'*': a single run (call > 1.5 s). check: the contenders' max difference to the first, "
        "over max(1, max |first|). optimal path FLOPs: opt_einsum.contract_path(..., optimize='optimal') "
        "info.opt_cost (and the single-loop-nest naive_cost)."
    )
    for n in notes:
        print("NOTE", n)
    print(f"load average at the end: {load_average()}")
    print(f"total run time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    if os.environ.get(CHILD_FLAG) == "1":
        main()
    else:
        bootstrap()
