//! The small variant of examples/out_of_core.rs: a file of a few MiB streamed
//! through a 1 MiB budget, checked exactly. Timings and resident memory are
//! printed by the example, not asserted here (they depend on the machine).

#[allow(dead_code)]
#[path = "../examples/out_of_core.rs"]
mod out_of_core;

use out_of_core::{expected, run, Config};
use std::path::PathBuf;

/// A file in the temp dir, unique to this process and test, removed on drop
/// (also when the test panics).
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        let file = format!("einsum_out_of_core_test_{}_{name}.f64", std::process::id());
        TempFile(std::env::temp_dir().join(file))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn config(rows: usize, cols: usize, budget_bytes: usize, file: &TempFile) -> Config {
    Config {
        rows,
        cols,
        budget_bytes,
        path: file.0.clone(),
    }
}

#[test]
fn streams_a_file_larger_than_the_budget() {
    let file = TempFile::new("stream");
    // 20011 rows (not a multiple of the pattern's period, 221) of 24 f64:
    // 3.7 MiB through a 1 MiB budget.
    let (rows, cols, budget) = (20_011, 24, 1 << 20);
    let config = config(rows, cols, budget, &file);
    let (gram, col_sums) = expected(rows, cols);

    let summary = run(&config).unwrap();
    assert!(summary.write_time.is_some(), "the file was not written");
    assert_eq!(summary.file_bytes, (rows * cols * 8) as u64);
    assert!(summary.file_bytes > budget as u64);
    assert!(summary.chunks > 1, "one chunk: nothing was streamed");
    assert_eq!(summary.chunks, rows.div_ceil(summary.chunk_rows));
    assert!(
        summary.max_chunk_bytes <= budget,
        "a chunk exceeded the budget"
    );
    assert_eq!(summary.gram, gram);
    assert_eq!(summary.col_sums, col_sums);

    // A second run reuses the file and gets the same, exact results.
    let again = run(&config).unwrap();
    assert!(again.write_time.is_none(), "an intact file was rewritten");
    assert_eq!(again.gram, gram);
    assert_eq!(again.col_sums, col_sums);
}

#[test]
fn rewrites_a_file_of_the_right_size_but_another_shape() {
    let file = TempFile::new("reshape");
    let (gram, col_sums) = expected(1000, 16);
    run(&config(2000, 8, 4096, &file)).unwrap();
    // Same byte count, different matrix: the contents check catches it.
    let summary = run(&config(1000, 16, 4096, &file)).unwrap();
    assert!(summary.write_time.is_some(), "a stale file was reused");
    assert_eq!(summary.gram, gram);
    assert_eq!(summary.col_sums, col_sums);
}

#[test]
fn a_budget_below_one_row_is_an_error() {
    let file = TempFile::new("tiny_budget");
    let error = run(&config(10, 64, 256, &file)).unwrap_err();
    assert!(error.to_string().contains("less than one row"), "{error}");
    assert!(
        !file.0.exists(),
        "a file was written that cannot be streamed"
    );
}
