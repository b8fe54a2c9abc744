//! The benchmark table of `einsum!` against its Rust peers.
//!
//! ```sh
//! cargo bench --bench einsum                          # every case, all threads
//! cargo bench --bench einsum -- --threads 1           # or EINSUM_BENCH_THREADS=1
//! cargo bench --bench einsum -- matmul bmm            # or EINSUM_BENCH_FILTER=matmul,bmm
//! ```
//!
//! Options (arguments after `--`, or environment variables):
//! - `--threads N` / `EINSUM_BENCH_THREADS=N`: run everything in a rayon pool
//!   of N threads (default: rayon's default, all cores or RAYON_NUM_THREADS).
//! - `--filter S` or bare words / `EINSUM_BENCH_FILTER=S1,S2`: only the cases
//!   whose name contains one of the substrings.
//! - `--budget SECONDS` / `EINSUM_BENCH_BUDGET`: time spent sampling each
//!   contender of each case (default 2.5; the whole run takes about 2-3 minutes).
//! - `--no-scaling` / `EINSUM_BENCH_SCALING=0`: skip the second table
//!   (`einsum!` on 1 thread against the N threads of the first).
//!
//! Without `--bench` on the command line (`cargo test --benches`) only the
//! tiny cases run, a few calls each: a smoke test of the harness.
//!
//! Peers: `gemm` (the gemm crate, x86-v4 kernels, all pool threads; batched
//! cases run one single-threaded gemm per batch, in parallel), `nd.dot`
//! (ndarray's `.dot()` / `general_mat_mul`, 1 thread), `nd-einsum` (the
//! ndarray-einsum crate, 1 thread), `loop` (a plain serial Rust loop).
//! `ours alloc` (`einsum!` allocating, against ours writing into a reused
//! output in the `_out` cases), `numpy` (NumPy's expression of a semiring
//! case, run by Python in the same run: benches/einsum/numpy.rs).
//! `matmul_256_i64` has no `gemm` peer (the crate has no integer kernels);
//! its `nd.dot` is ndarray's generic loop, which it uses for integers.

#[path = "einsum/cases.rs"]
mod cases;
#[path = "einsum/numpy.rs"]
mod numpy;
#[path = "einsum/peers.rs"]
mod peers;
#[path = "einsum/semirings.rs"]
mod semirings;
#[path = "einsum/tccg.rs"]
mod tccg;
#[path = "einsum/timing.rs"]
mod timing;

use cases::{Case, Work};
use ndarray::ArrayD;
use std::time::Instant;
use timing::{fmt_ms, rel_error, Bandwidth, Ctx, Timing};

pub const GEMM: &str = "gemm";
pub const DOT: &str = "nd.dot";
pub const NDE: &str = "nd-einsum";
pub const LOOP: &str = "loop";
/// `einsum!` itself under a 1 MiB memory limit: the engines that copy no
/// array whole (the TCCG cases).
pub const LIMITED: &str = "ours@1MiB";
/// `einsum!` itself allocating its output, against ours writing into an
/// array it reuses (`out = &mut c`: the `_out` cases).
pub const ALLOC: &str = "ours alloc";
/// NumPy's best expression of a semiring case, in a Python process of
/// the same run (benches/einsum/numpy.rs).
pub const NUMPY: &str = "numpy";
const PEERS: [&str; 7] = [GEMM, DOT, NDE, LOOP, LIMITED, ALLOC, NUMPY];

struct Options {
    bench: bool,
    threads: Option<usize>,
    filters: Vec<String>,
    budget: f64,
    scaling: bool,
}

fn options() -> Options {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut o = Options {
        bench: false,
        threads: env("EINSUM_BENCH_THREADS")
            .map(|v| v.parse().expect("EINSUM_BENCH_THREADS: a number")),
        filters: env("EINSUM_BENCH_FILTER")
            .map(|v| v.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        budget: env("EINSUM_BENCH_BUDGET")
            .map_or(2.5, |v| v.parse().expect("EINSUM_BENCH_BUDGET: seconds")),
        scaling: env("EINSUM_BENCH_SCALING").as_deref() != Some("0"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match flag.as_str() {
            "--bench" => o.bench = true,
            "--threads" => {
                o.threads = Some(value("--threads").parse().expect("--threads: a number"))
            }
            "--filter" => o.filters.push(value("--filter")),
            "--budget" => o.budget = value("--budget").parse().expect("--budget: seconds"),
            "--no-scaling" => o.scaling = false,
            f if f.starts_with('-') => {} // libtest-style flags cargo may pass
            _ => o.filters.push(arg),
        }
    }
    o
}

fn main() {
    let opts = options();
    let mut cases = cases::all();
    if !opts.bench {
        println!("smoke test: the tiny cases (`cargo bench --bench einsum` runs the table)");
        cases.retain(|c| c.name.starts_with("tiny"));
        run_table(&cases, opts.threads.unwrap_or(1), 0.0, None);
        return;
    }
    if !opts.filters.is_empty() {
        cases.retain(|c| opts.filters.iter().any(|f| c.name.contains(f.as_str())));
    }
    if cases.is_empty() {
        let names: Vec<_> = cases::all().iter().map(|c| c.name).collect();
        println!(
            "no case matches {:?}; cases: {}",
            opts.filters,
            names.join(", ")
        );
        return;
    }
    let threads = opts.threads.unwrap_or_else(rayon::current_num_threads);
    let started = Instant::now();
    let mut bw = pool(threads).install(Bandwidth::new);
    let results = run_table(&cases, threads, opts.budget, Some(&mut bw));
    if opts.scaling && threads > 1 {
        run_scaling(&cases, threads, opts.budget, &results);
    } else if opts.scaling {
        println!("\n(no scaling table: the main table ran on 1 thread)");
    }
    pool(threads).install(|| {
        println!(
            "\nmemory bandwidth at the end ({threads} threads): read {:.1} GB/s, copy {:.1} GB/s",
            bw.read(5),
            bw.copy(5)
        )
    });
    println!("load average at the end: {}", load_average());
    println!("total run time {:.1} s", started.elapsed().as_secs_f64());
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or("unknown".into(), |s| {
        s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    })
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool")
}

fn run_case(case: &Case, budget: f64, ours_only: bool) -> Ctx {
    let mut ctx = Ctx::new(budget, ours_only);
    (case.run)(&mut ctx);
    ctx
}

/// The main table; returns each case's `einsum!` timing and output.
fn run_table(
    cases: &[Case],
    threads: usize,
    budget: f64,
    mut bw: Option<&mut Bandwidth>,
) -> Vec<(Timing, ArrayD<f64>)> {
    pool(threads).install(|| {
        if let Some(bw) = bw.as_deref_mut() {
            let (read, copy) = (bw.read(7), bw.copy(7));
            println!(
                "memory bandwidth ({threads} threads, 512 MiB): read (parallel sum) \
                 {read:.1} GB/s, copy (read + write) {copy:.1} GB/s"
            );
        }
        println!(
            "load average: {} (other processes skew the figures)",
            load_average()
        );
        println!("rayon threads: {threads} (gemm on {threads}; nd.dot, nd-einsum and loop on 1)");
        let shapes: Vec<String> = cases
            .iter()
            .map(|c| format!("{} {}", c.name, c.shapes))
            .collect();
        println!("shapes: {}\n", shapes.join("; "));
        let mut header: Vec<String> = ["case", "equation", "ours ms"].map(String::from).to_vec();
        header.extend(PEERS.iter().map(|p| format!("{p} ms")));
        header.extend(["best/ours", "ours rate", "% mem bw", "check", "thr"].map(String::from));
        let (mut rows, mut results, mut notes) = (Vec::new(), Vec::new(), Vec::new());
        for case in cases {
            // Memory-bound cases: the read bandwidth just before and after, the higher.
            let mut probe = || match (case.work, bw.as_deref_mut()) {
                (Work::Bytes(_), Some(bw)) => Some(bw.read(3)),
                _ => None,
            };
            let before = probe();
            let mut ctx = run_case(case, budget, false);
            let bw_now = before.zip(probe()).map(|(a, b)| a.max(b));
            let (ours, out) = ctx.ours.take().expect("every case times einsum!");
            let mut row = table_row(case, &ours, &ctx, bw_now, &mut notes);
            row.push(threads.to_string());
            rows.push(row);
            results.push((ours, out));
        }
        print_table(&header, &rows);
        println!("{LEGEND}");
        for n in notes {
            println!("NOTE {n}");
        }
        results
    })
}

const LEGEND: &str = "
best/ours: the fastest peer's median over ours (> 1: einsum! is faster).
check: max |ours - first peer| / max(1, max |first peer|), tolerance 1e-9 (f64) / 1e-4 (f32);
  '!' marks another peer that disagrees with einsum!; '*' a single run (call > 1.5 s).
ours rate: GFLOP/s (a multiply-add is 2; multi-operand cases count the optimal pairwise path)
  or GB/s (bytes of the operands read + the output written).
% mem bw: of the parallel-sum read bandwidth (GB/s) measured just before and after the case,
  the higher of the two.";

/// One row of the main table, from the case column to the check column.
fn table_row(
    case: &Case,
    ours: &Timing,
    ctx: &Ctx,
    bw_now: Option<f64>,
    notes: &mut Vec<String>,
) -> Vec<String> {
    let tol = if case.f32 { 1e-4 } else { 1e-9 };
    let ok = |err: &Option<f64>| err.is_some_and(|e| e <= tol);
    let mut row = vec![
        case.name.to_string(),
        case.equation.to_string(),
        mark(fmt_ms(ours.median), ours),
    ];
    for name in PEERS {
        row.push(match ctx.peers.iter().find(|p| p.0 == name) {
            None => "-".into(),
            Some((_, t, err)) if ok(err) => mark(fmt_ms(t.median), t),
            Some((_, t, err)) => {
                let (case, err) = (case.name, fmt_err(*err));
                notes.push(format!(
                    "{case}: {name} disagrees with einsum! (error {err})"
                ));
                mark(fmt_ms(t.median), t) + "!"
            }
        });
    }
    let best = ctx
        .peers
        .iter()
        .min_by(|a, b| a.1.median.total_cmp(&b.1.median));
    row.push(best.map_or("-".into(), |(n, t, _)| {
        format!("{:.2} {n}", t.median / ours.median)
    }));
    match case.work {
        Work::Flops(f) => {
            let gf = f / ours.median / 1e9;
            let digits = if gf < 10.0 { 2 } else { 1 };
            row.push(format!("{gf:.digits$} GFLOP/s"));
            row.push("-".into());
        }
        Work::Bytes(b) => {
            let gbs = b / ours.median / 1e9;
            row.push(format!("{gbs:.1} GB/s"));
            row.push(bw_now.map_or("-".into(), |bw| {
                format!("{:.0}% of {bw:.0}", 100.0 * gbs / bw)
            }));
        }
    }
    row.push(match ctx.peers.first() {
        None => "no peer".into(),
        Some((_, _, Some(e))) if *e <= tol => format!("ok {e:.0e}"),
        Some((_, _, err)) => format!("CHECK FAILED {}", fmt_err(*err)),
    });
    row
}

/// The second table: `einsum!` alone on 1 thread against the main table's N threads.
fn run_scaling(cases: &[Case], threads: usize, budget: f64, main: &[(Timing, ArrayD<f64>)]) {
    println!("\nscaling of einsum!: 1 thread against {threads} (main table)\n");
    let one = pool(1);
    let header = [
        "case",
        "1 thread ms",
        &format!("{threads} threads ms"),
        "speed-up",
        "same result",
    ]
    .map(String::from);
    let rows: Vec<Vec<String>> = cases
        .iter()
        .zip(main)
        .map(|(case, (t_n, out_n))| {
            let ctx = one.install(|| run_case(case, budget, true));
            let (t_1, out_1) = ctx.ours.expect("every case times einsum!");
            let same = if out_1 == *out_n {
                "bit-identical".into()
            } else {
                format!("DIFFERS {}", fmt_err(rel_error(&out_1, out_n)))
            };
            vec![
                case.name.into(),
                mark(fmt_ms(t_1.median), &t_1),
                mark(fmt_ms(t_n.median), t_n),
                format!("{:.2}x", t_1.median / t_n.median),
                same,
            ]
        })
        .collect();
    print_table(&header, &rows);
}

fn mark(s: String, t: &Timing) -> String {
    if t.samples == 1 {
        s + "*"
    } else {
        s
    }
}

fn fmt_err(err: Option<f64>) -> String {
    err.map_or("shape differs".into(), |e| format!("{e:.1e}"))
}

fn print_table(header: &[String], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (s, w))| {
                if i == 0 {
                    format!("{s:<w$}")
                } else {
                    format!("{s:>w$}")
                }
            })
            .collect();
        println!("{}", parts.join("  "));
    };
    line(header);
    println!(
        "{}",
        "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1))
    );
    for r in rows {
        line(r);
    }
}
