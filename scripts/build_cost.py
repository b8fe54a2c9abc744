#!/usr/bin/env python3
"""Measures what `einsum!` calls cost a user's build: seconds and binary bytes.

    python3 scripts/build_cost.py           # 0, 1, 10 and 50 calls, 5 runs each
    python3 scripts/build_cost.py --quick   # 0, 1 and 5 calls, 1 run: a smoke test

Standard library only. Generates a binary crate under target/build-cost/
that depends on einsum-static by path (or on the checkout `--source`
names), with N distinct `einsum!` calls (2, 3 and 4 operands, f64 and f32,
with and without ellipsis and options; the same seed, so the same calls,
on every run: `--list` prints them), for N in 0, 1, 10, 50. Each call is a
function of its own, on views of ones made by one shared helper, so that
its code is the einsum's. The crate optimizes its dependencies in debug
builds too, as the README recommends.

Its dependencies are built once and not timed: each "clean" build is
`cargo clean -p build-cost` then `cargo build`, so only the generated
crate's own code is compiled. The "incremental" build follows it: one
constant in one file of calls is changed, and the crate rebuilt (release
builds have no incremental compilation, so they compile it all again).
Each figure is the fastest of the runs (wall-clock time, so run it on an
idle machine: the load averages are printed before and after).

Printed per profile: the first call (time(1) - time(0)), each further call
((time(50) - time(1)) / 49) and the average of N calls
((time(N) - time(0)) / N), in seconds, and the binary's bytes the same way.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CRATE = os.path.join(ROOT, "target", "build-cost")
TARGET = os.path.join(CRATE, "target")
NAME = "build-cost"
SEED = 0xB17D_C057
CALLS_PER_FILE = 10
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def equation(rng, operands, ellipsis):
    """A valid equation of `operands` terms: each term 1-3 labels, every
    operand sharing a label with the one before (a connected network), an
    explicit output of the labels seen once plus a few kept ones."""
    labels = list(LETTERS[: 4 + 2 * operands])
    rng.shuffle(labels)
    pool = labels[:]
    terms = []
    for k in range(operands):
        size = rng.randint(1, 3)
        term = []
        if k > 0:
            term.append(rng.choice(terms[-1]))
        while len(term) < size:
            label = pool.pop() if pool and rng.random() < 0.7 else rng.choice(labels)
            if label not in term:
                term.append(label)
        rng.shuffle(term)
        terms.append(term)
    counts = {}
    for term in terms:
        for label in term:
            counts[label] = counts.get(label, 0) + 1
    once = [l for l in counts if counts[l] == 1]
    rng.shuffle(once)
    output = once[: rng.randint(0, min(3, len(once)))]
    if ellipsis:
        # Leading '...' in the first operand and in the output.
        return ["..." + "".join(terms[0])] + ["".join(t) for t in terms[1:]], "..." + "".join(output)
    return ["".join(t) for t in terms], "".join(output)


def calls(count):
    """`count` distinct calls: (equation, input terms, output term, element
    type, options). Two in three have two operands, the others three or
    four; one in five has an ellipsis, two in seven an option."""
    rng = random.Random(SEED)
    seen = set()
    out = []
    while len(out) < count:
        k = len(out)
        operands = 2 if k % 3 != 2 else (3 if k % 6 == 2 else 4)
        ellipsis = k % 5 == 4
        inputs, output = equation(rng, operands, ellipsis)
        text = ",".join(inputs) + "->" + output
        if text in seen:
            continue
        seen.add(text)
        elem = "f64" if k % 2 == 0 else "f32"
        options = ["", "; threads = 2", "; memory_limit = 1 << 20"][k % 7] if k % 7 < 3 else ""
        out.append((text, inputs, output, elem, options))
    return out


def call_fn(index, call, edit):
    text, inputs, output, elem, options = call
    lines = ["#[inline(never)]", f"pub fn call_{index}() -> f64 {{"]
    if edit is not None:
        lines.append(f"    let n = 3 + EDIT % 2; // {edit}")
    else:
        lines.append("    let n = 3;")
    args = []
    for k, term in enumerate(inputs):
        ell = term.startswith("...")
        rank = len(term) - 3 + 1 if ell else len(term)
        dims = ", ".join(["2"] * ell + ["n"] * (rank - ell))
        lines.append(f"    let x{k} = ones::<{elem}, _>(Dim([{dims}]));")
        args.append(f"&x{k}")
    value = f'einsum!("{text}", {", ".join(args)}{options})'
    if output == "":
        lines.append(f"    {value} as f64")
    else:
        # Kept alive, but not read: the read's own code would count as the call's.
        lines.append(f"    let r = {value};")
        lines.append("    std::hint::black_box(&r);")
        lines.append("    r.len() as f64")
    lines.append("}")
    return "\n".join(lines)


def write_crate(count, edit=0, source=ROOT):
    """Writes the crate with `count` calls; `edit` is the constant the
    incremental build changes (in the first file of calls)."""
    os.makedirs(os.path.join(CRATE, "src"), exist_ok=True)
    src = os.path.join(CRATE, "src")
    for name in os.listdir(src):
        os.remove(os.path.join(src, name))
    with open(os.path.join(CRATE, "Cargo.toml"), "w") as f:
        f.write(
            f"""[package]
name = "{NAME}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
einsum-static = {{ path = "{source}" }}

[profile.dev.package."*"]
opt-level = 3

[workspace]
"""
        )
    lock = os.path.join(CRATE, "Cargo.lock")
    if not os.path.exists(lock):
        shutil.copy(os.path.join(ROOT, "Cargo.lock"), lock)
    all_calls = calls(count)
    files = (count + CALLS_PER_FILE - 1) // CALLS_PER_FILE
    mods, dispatch = [], []
    for f_index in range(files):
        chunk = range(f_index * CALLS_PER_FILE, min(count, (f_index + 1) * CALLS_PER_FILE))
        body = ["use super::ones;", "use einsum_static::einsum;", "use einsum_static::ndarray::Dim;"]
        if f_index == 0:
            body.append(f"const EDIT: usize = {edit};")
        for i in chunk:
            body.append(call_fn(i, all_calls[i], edit if (f_index == 0 and i == 0) else None))
            dispatch.append(f"        {i} => calls_{f_index}::call_{i}(),")
        with open(os.path.join(src, f"calls_{f_index}.rs"), "w") as f:
            f.write("\n\n".join(body) + "\n")
        mods.append(f"mod calls_{f_index};")
    main = "\n".join(mods) + f"""
use einsum_static::ndarray::{{ArrayView, Dimension}};

/// An operand: a view of ones (leaked, so that a call's own code has no
/// array to build or drop, only its einsum).
fn ones<T: From<u8> + Clone, D: Dimension>(dim: D) -> ArrayView<'static, T, D> {{
    let data = vec![T::from(1); dim.size()].leak();
    ArrayView::from_shape(dim, data).unwrap()
}}

fn call(k: usize) -> f64 {{
    match k {{
{chr(10).join(dispatch)}
        _ => ones::<f64, _>(einsum_static::ndarray::Ix1(k)).len() as f64,
    }}
}}

fn main() {{
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or({count});
    println!("{{}}", (0..=n).map(call).sum::<f64>());
}}
"""
    with open(os.path.join(src, "main.rs"), "w") as f:
        f.write(main)
    return all_calls


def cargo(*args):
    env = dict(os.environ, CARGO_TARGET_DIR=TARGET)
    for setting in ("CARGO_INCREMENTAL", "RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS"):
        env.pop(setting, None)
    command = ["cargo", *args, "--manifest-path", os.path.join(CRATE, "Cargo.toml")]
    start = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-6000:]}")
    return elapsed


def binary(release):
    return os.path.getsize(os.path.join(TARGET, "release" if release else "debug", NAME))


def measure(counts, runs, source):
    """{(release, count): (clean seconds, incremental seconds, bytes)}."""
    results = {}
    for count in counts:
        for release in (False, True):
            flags = ["--release"] if release else []
            clean, incremental = [], []
            for run in range(runs):
                write_crate(count, edit=0, source=source)
                cargo("clean", "-p", NAME, *flags)
                clean.append(cargo("build", *flags))
                write_crate(count, edit=run + 1, source=source)
                incremental.append(cargo("build", *flags))
            size = binary(release)
            results[(release, count)] = (min(clean), min(incremental), size)
            print(
                f"  {'release' if release else 'debug':7} {count:3} calls: "
                f"clean {min(clean):6.2f} s, incremental {min(incremental):6.2f} s, "
                f"{size:9} bytes",
                file=sys.stderr,
                flush=True,
            )
    return results


def table(results, counts):
    top = counts[-1]
    averaged = [n for n in counts if n > 1]
    header = ["profile", "build", "first call", "each further call"] + [f"average of {n} calls" for n in averaged]
    rows = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * (len(header) - 2)]
    for release in (False, True):
        profile = "release" if release else "debug"
        for column, label in ((0, "clean"), (1, "incremental"), (2, "binary")):
            value = lambda n: results[(release, n)][column]
            first = value(1) - value(0)
            figures = [first, (value(top) - value(1)) / (top - 1)]
            figures += [(value(n) - value(0)) / n for n in averaged]
            if column < 2:
                cells = [f"{first:.2f} s"] + [f"{x * 1000:.0f} ms" for x in figures[1:]]
            else:
                cells = [f"{x / 1024:.1f} KiB" for x in figures]
            rows.append(f"| {profile} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0, 1 and 5 calls, one run each")
    parser.add_argument("--runs", type=int, help="runs per build (default 5, 1 with --quick)")
    parser.add_argument("--list", action="store_true", help="print the calls of the largest crate and stop")
    parser.add_argument("--source", default=ROOT, help="the einsum-static checkout to build against (default: this one)")
    args = parser.parse_args()
    source = os.path.abspath(args.source)
    counts = [0, 1, 5] if args.quick else [0, 1, 10, 50]
    runs = args.runs or (1 if args.quick else 5)
    if args.list:
        for text, _, _, elem, options in calls(counts[-1]):
            print(f"{elem} {text}{options}")
        return
    started = time.monotonic()
    load = os.getloadavg()[0]
    print("building the dependencies (not timed)...", file=sys.stderr, flush=True)
    write_crate(counts[-1], source=source)
    for flags in ([], ["--release"]):
        cargo("build", *flags)
    results = measure(counts, runs, source)
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    loads = f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
    print(f"\n{os.cpu_count()} cores, {cpu}; {rustc}; fastest of {runs} run(s); {loads}\n")
    print(table(results, counts))
    print(f"\n({time.monotonic() - started:.0f} s in all)", file=sys.stderr)


if __name__ == "__main__":
    main()
