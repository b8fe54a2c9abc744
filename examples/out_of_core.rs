//! A contraction whose operand is too large to hold in memory at once: a
//! tall matrix A (by default 6,000,000 x 32 f64, 1.43 GiB) lives in a file,
//! is memory-mapped read-only, and is streamed through a fixed memory budget
//! (64 MiB by default) in chunks of rows. For each chunk, `einsum!` computes
//! its part of the Gram matrix `A^T A` ("ij,ik->jk") and of the column sums
//! ("ij->j") with the library's parallel scheduler; the parts are added up, and the chunk's pages are
//! then dropped from the process's resident set, so the peak resident memory
//! stays near the budget however large the file is. While a chunk is
//! computed, the kernel is asked to read the next one ahead.
//!
//! In NumPy this is `np.memmap` and a loop over slices:
//!
//! ```text
//! a = np.memmap(path, dtype=np.float64, mode="r", shape=(rows, cols))
//! for s in range(0, rows, chunk_rows):
//!     gram += np.einsum("ij,ik->jk", a[s:s + chunk_rows], a[s:s + chunk_rows])
//! ```
//!
//! The file is written on the first run (in `std::env::temp_dir()`, named
//! after its shape) and reused afterwards. Its entries are small integers
//! with a known pattern, so the results are checked exactly against a
//! closed form that never reads the file.
//!
//! cargo run --release --example out_of_core
//! cargo run --release --example out_of_core -- --rows 2000000 --cols 32 --budget-mib 16 --path /tmp/a.f64

use einsum_static::einsum;
use memmap2::Mmap;
use ndarray::{s, Array1, Array2, ArrayView2};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::mem::{align_of, size_of};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to stream: the shape of A, the file it lives in, and the most bytes
/// of it to hold resident at once.
#[derive(Clone, Debug)]
pub struct Config {
    pub rows: usize,
    pub cols: usize,
    pub budget_bytes: usize,
    pub path: PathBuf,
}

/// What one streaming run found and measured.
#[derive(Debug)]
pub struct Summary {
    pub file_bytes: u64,
    /// Time spent writing the file, or `None` when an existing one was reused.
    pub write_time: Option<Duration>,
    pub chunk_rows: usize,
    pub chunks: usize,
    pub max_chunk_bytes: usize,
    /// `A^T A`, cols x cols.
    pub gram: Array2<f64>,
    /// The sum of each column of A.
    pub col_sums: Array1<f64>,
    pub stream_time: Duration,
    /// Resident memory (VmRSS) just before streaming; `None` off Linux.
    pub rss_before: Option<u64>,
    /// Peak resident memory (VmHWM). Reset just before streaming where the
    /// kernel allows it (`hwm_reset`), so it is the streaming phase's peak.
    pub peak_rss: Option<u64>,
    pub hwm_reset: bool,
    /// Resident memory (VmRSS) after streaming.
    pub rss_after: Option<u64>,
}

/// The entries repeat every `PERIOD` rows: A[i, j] depends on `i % PERIOD`
/// only, which is what makes the closed form in [`expected`] cheap. Two
/// coprime moduli make the period long (221), so a chunk read twice or
/// skipped shows in the results unless its row count is a multiple of 221.
/// The entries are small integers (-12 to 16), so every sum below is exact
/// in f64, in any order, for any row count up to 10^13.
const PERIOD: usize = 17 * 13;

/// A[i, j].
pub fn value(i: usize, j: usize) -> f64 {
    // Reducing both first keeps the products small; it changes nothing
    // modulo 17 or 13.
    let (r, j) = (i % PERIOD, j % PERIOD);
    ((31 * r + 7 * j) % 17 + (5 * r + 3 * j) % 13) as f64 - 12.0
}

/// The exact `A^T A` and column sums, from how often each residue
/// `i % PERIOD` occurs among the rows: O(PERIOD * cols^2), independent of
/// the file and of `einsum!`.
pub fn expected(rows: usize, cols: usize) -> (Array2<f64>, Array1<f64>) {
    let mut gram = Array2::zeros((cols, cols));
    let mut col_sums = Array1::zeros(cols);
    for r in 0..PERIOD.min(rows) {
        let count = (rows / PERIOD + usize::from(r < rows % PERIOD)) as f64;
        for j in 0..cols {
            col_sums[j] += count * value(r, j);
            for k in 0..cols {
                gram[[j, k]] += count * value(r, j) * value(r, k);
            }
        }
    }
    (gram, col_sums)
}

/// Writes the file if needed, then streams it. See [`stream`].
pub fn run(config: &Config) -> io::Result<Summary> {
    chunk_rows(config)?; // before writing a file that could not be streamed
    let write_time = ensure_file(&config.path, config.rows, config.cols)?;
    let mut summary = stream(config)?;
    summary.write_time = write_time;
    Ok(summary)
}

/// Maps the file read-only and computes `A^T A` and the column sums chunk by
/// chunk, each chunk at most `budget_bytes` of whole rows.
pub fn stream(config: &Config) -> io::Result<Summary> {
    let (rows, cols) = (config.rows, config.cols);
    let row_bytes = cols * size_of::<f64>();
    let chunk_rows = chunk_rows(config)?;

    let file = File::open(&config.path)?;
    // SAFETY: mapping a file is sound only while no one modifies or truncates
    // it (the map would change under the `&[u8]` it hands out, or fault).
    // The example assumes it owns the file: it finished writing it before
    // this point and nothing else writes to it while it runs.
    let map = unsafe { Mmap::map(&file)? };
    let a = matrix_view(&map, rows, cols)?;
    // Aggressive read-ahead for a front-to-back scan (a hint, like the
    // other advice below: the example is right whether or not it is taken).
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);

    let rss_before = resident_bytes("VmRSS:");
    let hwm_reset = reset_peak_rss();
    let mut gram = Array2::<f64>::zeros((cols, cols));
    let mut col_sums = Array1::<f64>::zeros(cols);
    let (mut chunks, mut max_chunk_bytes) = (0, 0);
    let start = Instant::now();
    for first in (0..rows).step_by(chunk_rows) {
        let end = (first + chunk_rows).min(rows);
        let chunk = a.slice(s![first..end, ..]);
        load(&map, first * row_bytes, (end - first) * row_bytes);
        if end < rows {
            let next_rows = chunk_rows.min(rows - end);
            prefetch(&map, end * row_bytes, next_rows * row_bytes);
        }
        // Both calls read the resident chunk; the library's scheduler spreads
        // each over the cores when it is large enough.
        gram += &einsum!("ij,ik->jk", &chunk, &chunk);
        col_sums += &einsum!("ij->j", &chunk);
        chunks += 1;
        max_chunk_bytes = max_chunk_bytes.max((end - first) * row_bytes);
        release(&map, first * row_bytes, (end - first) * row_bytes)?;
    }
    let stream_time = start.elapsed();

    Ok(Summary {
        file_bytes: map.len() as u64,
        write_time: None,
        chunk_rows,
        chunks,
        max_chunk_bytes,
        gram,
        col_sums,
        stream_time,
        rss_before,
        peak_rss: resident_bytes("VmHWM:"),
        hwm_reset,
        rss_after: resident_bytes("VmRSS:"),
    })
}

/// The most whole rows that fit in the budget.
fn chunk_rows(config: &Config) -> io::Result<usize> {
    if config.rows == 0 || config.cols == 0 {
        return Err(invalid("A needs at least one row and one column".into()));
    }
    let row_bytes = config.cols * size_of::<f64>();
    match config.budget_bytes / row_bytes {
        0 => Err(invalid(format!(
            "a budget of {} bytes holds less than one row ({row_bytes} bytes)",
            config.budget_bytes
        ))),
        rows => Ok(rows),
    }
}

/// The mapped bytes as a rows x cols row-major matrix of f64.
fn matrix_view(map: &Mmap, rows: usize, cols: usize) -> io::Result<ArrayView2<'_, f64>> {
    let len = rows
        .checked_mul(cols)
        .filter(|len| len.checked_mul(size_of::<f64>()) == Some(map.len()))
        .ok_or_else(|| {
            invalid(format!(
                "the file has {} bytes, not {rows} x {cols} f64",
                map.len()
            ))
        })?;
    if map.as_ptr().align_offset(align_of::<f64>()) != 0 {
        return Err(invalid("the map is not aligned for f64".into()));
    }
    // SAFETY: the pointer is aligned for f64 (checked; mmap returns
    // page-aligned memory) and `len` f64 span exactly the mapped bytes
    // (checked), which every bit pattern makes valid f64s. The slice borrows
    // `map`, so it cannot outlive the mapping, and the mapping is read-only
    // and its file unmodified while mapped (the assumption stated in
    // `stream`), so the memory does not change while the slice exists. The
    // bytes are native-endian f64, as `write_file` wrote them on this machine.
    let data = unsafe { std::slice::from_raw_parts(map.as_ptr().cast::<f64>(), len) };
    ArrayView2::from_shape((rows, cols), data).map_err(|e| invalid(e.to_string()))
}

/// Maps the pages of `offset..offset + len` into the process in one call
/// (Linux 5.14+ `MADV_POPULATE_READ`), reading from the file what the page
/// cache lacks: several times cheaper than a page fault on each first touch.
/// A hint only: if the kernel refuses, the first touches fault the pages in.
#[cfg(target_os = "linux")]
fn load(map: &Mmap, offset: usize, len: usize) {
    let _ = map.advise_range(memmap2::Advice::PopulateRead, offset, len);
}

#[cfg(not(target_os = "linux"))]
fn load(_map: &Mmap, _offset: usize, _len: usize) {}

/// Asks the kernel to start reading the next chunk from the file into its
/// page cache (`MADV_WILLNEED`) while this one is computed, so that disk and
/// compute overlap. A hint only, and it maps nothing into the process.
#[cfg(unix)]
fn prefetch(map: &Mmap, offset: usize, len: usize) {
    let _ = map.advise_range(memmap2::Advice::WillNeed, offset, len);
}

#[cfg(not(unix))]
fn prefetch(_map: &Mmap, _offset: usize, _len: usize) {}

/// Drops the pages of `offset..offset + len` from the process's resident set
/// (Linux `MADV_DONTNEED`), so that RSS stays near one chunk. memmap2 widens
/// the range to whole pages; a page shared with the next chunk is simply
/// read again. The kernel may keep the file's pages in its page cache, but
/// they are clean and reclaimable, and no longer charged to the process.
#[cfg(target_os = "linux")]
fn release(map: &Mmap, offset: usize, len: usize) -> io::Result<()> {
    // SAFETY: DONTNEED is "unchecked" because on a private or anonymous
    // mapping the pages come back zeroed, under live borrows. This mapping is
    // shared and file-backed (`Mmap::map`), and the file is not modified (the
    // assumption stated in `stream`), so a page touched again is read back
    // from the file with the same bytes: the view over the map sees no change.
    unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, len) }
}

/// Elsewhere the OS reclaims clean file-backed pages under memory pressure
/// on its own.
#[cfg(not(target_os = "linux"))]
fn release(_map: &Mmap, _offset: usize, _len: usize) -> io::Result<()> {
    Ok(())
}

/// Writes the file unless it already holds this rows x cols matrix (its size
/// is right and its first and last rows are the formula's). Returns the time
/// spent writing, or `None` if the file was reused.
pub fn ensure_file(path: &Path, rows: usize, cols: usize) -> io::Result<Option<Duration>> {
    if holds_matrix(path, rows, cols).unwrap_or(false) {
        return Ok(None);
    }
    let start = Instant::now();
    write_file(path, rows, cols)?;
    Ok(Some(start.elapsed()))
}

fn holds_matrix(path: &Path, rows: usize, cols: usize) -> io::Result<bool> {
    let mut file = File::open(path)?;
    let row_bytes = cols * size_of::<f64>();
    if rows == 0 || file.metadata()?.len() != (rows * row_bytes) as u64 {
        return Ok(false);
    }
    let mut row = vec![0u8; row_bytes];
    for i in [0, rows - 1] {
        file.seek(SeekFrom::Start((i * row_bytes) as u64))?;
        file.read_exact(&mut row)?;
        let matches = row
            .chunks_exact(size_of::<f64>())
            .enumerate()
            .all(|(j, bytes)| bytes == value(i, j).to_ne_bytes());
        if !matches {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Writes A row by row through a 4 MiB buffer, so writing takes little
/// memory too.
fn write_file(path: &Path, rows: usize, cols: usize) -> io::Result<()> {
    if rows == 0 || cols == 0 {
        return Err(invalid("A needs at least one row and one column".into()));
    }
    let mut file = File::create(path)?;
    let mut buffer = Vec::with_capacity(4 << 20);
    for i in 0..rows {
        for j in 0..cols {
            buffer.extend_from_slice(&value(i, j).to_ne_bytes());
        }
        if buffer.len() >= 4 << 20 || i + 1 == rows {
            file.write_all(&buffer)?;
            buffer.clear();
        }
    }
    // No fsync: the map reads the same page cache the writes went to.
    Ok(())
}

/// A line of /proc/self/status, such as `VmHWM:   70312 kB`, in bytes.
fn resident_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(key))?;
    let kib: u64 = line[key.len()..]
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Resets the peak resident memory (VmHWM) to the current one (Linux 4.0+),
/// so that the peak reported covers streaming only.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn parse_args() -> Result<Config, String> {
    let (mut rows, mut cols, mut budget_mib) = (6_000_000, 32, 64);
    let mut path = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |text: String| {
            text.replace('_', "")
                .parse::<usize>()
                .map_err(|e| format!("{flag} {text}: {e}"))
        };
        match flag.as_str() {
            "--rows" => rows = number(value()?)?,
            "--cols" => cols = number(value()?)?,
            "--budget-mib" => budget_mib = number(value()?)?,
            "--path" => path = Some(PathBuf::from(value()?)),
            _ => {
                return Err(format!(
                    "unknown argument {flag}; usage: out_of_core [--rows N] [--cols N] [--budget-mib N] [--path FILE]"
                ))
            }
        }
    }
    let path = path.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("einsum_out_of_core_{rows}x{cols}.f64"))
    });
    Ok(Config {
        rows,
        cols,
        budget_bytes: budget_mib << 20,
        path,
    })
}

fn main() {
    let config = parse_args().unwrap_or_else(|message| {
        eprintln!("{message}");
        std::process::exit(2)
    });
    let summary = run(&config).unwrap_or_else(|e| {
        eprintln!("{}: {e}", config.path.display());
        std::process::exit(1)
    });
    let (gram, col_sums) = expected(config.rows, config.cols);
    assert_eq!(summary.gram, gram, "A^T A differs from the closed form");
    assert_eq!(
        summary.col_sums, col_sums,
        "column sums differ from the closed form"
    );

    let (rows, cols) = (config.rows, config.cols);
    println!(
        "A: {rows}x{cols} f64, memory-mapped from {} ({})",
        config.path.display(),
        mib(Some(summary.file_bytes))
    );
    match summary.write_time {
        Some(t) => println!("  file written in {:.2} s", t.as_secs_f64()),
        None => println!("  file reused from an earlier run"),
    }
    println!(
        "  budget {}: {} rows a chunk, {} chunks, the largest {}",
        mib(Some(config.budget_bytes as u64)),
        summary.chunk_rows,
        summary.chunks,
        mib(Some(summary.max_chunk_bytes as u64))
    );
    println!("gram = einsum(\"ij,ik->jk\", A, A), colsum = einsum(\"ij->j\", A), chunk by chunk");
    println!(
        "  gram[0, :4] = {}",
        summary.gram.slice(s![0, ..4.min(cols)])
    );
    println!(
        "  colsum[:4] = {}",
        summary.col_sums.slice(s![..4.min(cols)])
    );
    println!("  both match the closed form exactly");
    let seconds = summary.stream_time.as_secs_f64();
    println!(
        "  streamed in {:.3} s ({:.2} GB/s, {} threads; from the page cache if the file is in it)",
        seconds,
        summary.file_bytes as f64 / seconds / 1e9,
        rayon::current_num_threads()
    );
    println!(
        "  resident memory: {} before streaming, peak {} while streaming{} (VmHWM), {} after (VmRSS)",
        mib(summary.rss_before),
        mib(summary.peak_rss),
        if summary.hwm_reset { "" } else { " or before" },
        mib(summary.rss_after)
    );
    println!(
        "  the file is kept for the next run; remove it with: rm {}",
        config.path.display()
    );
}

fn mib(bytes: Option<u64>) -> String {
    match bytes {
        Some(bytes) => format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64),
        None => "n/a".into(),
    }
}
