//! NumPy as a peer of the semiring cases, in the same run: the operands
//! are written to files, a Python process times NumPy's expression on
//! them (warm-up, then the median of samples over the budget, as here)
//! and writes its result back for the check.
//!
//! The interpreter is `EINSUM_BENCH_PYTHON`, or the virtual environment
//! that scripts/bench_numpy.py creates (target/bench-venv); without one
//! the peer is skipped with a note.

use crate::timing::{rel_error, Ctx, Timing};
use ndarray::{Array2, ArrayD, IxDyn};
use std::path::PathBuf;
use std::process::Command;

/// The timing code: operands from files, `fn(a, b)` timed, the result
/// written, the median seconds and the sample count printed last. `rows`
/// cuts the broadcast product into blocks of rows, so that its temporary
/// stays within `block x k x n` elements; `lse` is the stable log-sum-exp
/// (shifted by the maximum; NumPy has none of its own).
const SCRIPT: &str = r#"
import os, sys, time
import numpy as np
d, budget, expr = sys.argv[1], float(sys.argv[2]), sys.argv[3]
shapes = [tuple(int(x) for x in s.split("x")) for s in sys.argv[4:]]
ops = [np.fromfile(os.path.join(d, str(i)), dtype="<f8").reshape(s) for i, s in enumerate(shapes)]
def rows(f, a, b, block=16):
    return np.concatenate([f(a[i:i + block], b) for i in range(0, a.shape[0], block)])
def lse(t, axis):
    m = t.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(t - m).sum(axis=axis, keepdims=True))).squeeze(axis)
fn = eval("lambda a, b: " + expr, {"np": np, "rows": rows, "lse": lse})
start = time.perf_counter()
out = fn(*ops)
times = [time.perf_counter() - start]
if times[0] <= 1.5:
    times = []
    while len(times) < 3 or (sum(times) < budget and len(times) < 101):
        start = time.perf_counter()
        fn(*ops)
        times.append(time.perf_counter() - start)
np.ascontiguousarray(out, dtype="<f8").tofile(os.path.join(d, "out"))
times.sort()
print(times[len(times) // 2], len(times))
"#;

/// The Python to run, if there is one.
fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EINSUM_BENCH_PYTHON") {
        return Some(p.into());
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-venv/bin/python");
    venv.exists().then_some(venv)
}

/// Times `expr` (a Python expression of `a` and `b`) in NumPy on `ops`,
/// and records it in `c` as the peer `name`, checked against `einsum!`'s
/// result. Call after the session ran.
pub fn peer(c: &mut Ctx, name: &'static str, expr: &str, ops: [&Array2<f64>; 2]) {
    if c.ours_only {
        return;
    }
    let Some(python) = python() else {
        eprintln!("NOTE {name} skipped: no Python (set EINSUM_BENCH_PYTHON, or run scripts/bench_numpy.py once)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("einsum-bench-numpy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut args = vec![
        dir.display().to_string(),
        c.budget.to_string(),
        expr.to_string(),
    ];
    for (i, op) in ops.iter().enumerate() {
        let bytes: Vec<u8> = op.iter().flat_map(|x| x.to_le_bytes()).collect();
        std::fs::write(dir.join(i.to_string()), bytes).expect("operand file");
        args.push(format!("{}x{}", op.nrows(), op.ncols()));
    }
    let run = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .args(&args)
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let timing = stdout.lines().last().and_then(|line| {
        let mut words = line.split_whitespace();
        let median = words.next()?.parse().ok()?;
        let samples = words.next()?.parse().ok()?;
        Some(Timing { median, samples })
    });
    let Some(timing) = timing else {
        eprintln!(
            "NOTE {name} failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        return;
    };
    let ours = &c.ours.as_ref().expect("einsum! timed first").1;
    let out = std::fs::read(dir.join("out")).expect("NumPy's result");
    let values: Vec<f64> = out
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect();
    let err = ArrayD::from_shape_vec(IxDyn(ours.shape()), values)
        .ok()
        .and_then(|theirs| rel_error(ours, &theirs));
    let _ = std::fs::remove_dir_all(&dir);
    c.peers.push((name, timing, err));
}
