//! Rules that must hold whatever the sizes and whichever engine runs:
//! IEEE products (`inf * 0` is NaN in every sum, never factored out), and
//! wrapping integer arithmetic in debug and release builds alike.

use einsum_static::{einsum, try_einsum};
use ndarray::{Array1, Array2};

/// Lengths on both sides of every size threshold of the summing kernels
/// (the short loop, the unit-stride paths, a chunk of the broadcast sum,
/// the scheduler's serial bound and its blocks of a split reduction).
const LENGTHS: [usize; 14] = [
    1, 2, 3, 15, 16, 17, 255, 256, 257, 4095, 4096, 40_000, 70_000, 140_001,
];

/// A row `[1, 0, 0, ...]`: its only nonzero element meets `inf`.
fn one_then_zeros(len: usize) -> Array1<f64> {
    let mut row = Array1::zeros(len);
    row[0] = 1.0;
    row
}

#[test]
fn inf_times_zero_is_nan_at_every_length() {
    for len in LENGTHS {
        let mut a = Array2::<f64>::zeros((2, len));
        a.row_mut(0).assign(&one_then_zeros(len));
        a.row_mut(1).fill(1.0);
        let b = ndarray::array![f64::INFINITY, 2.0];
        let rows = einsum!("ij,i->i", &a, &b);
        // Row 0: 1 * inf + 0 * inf + ... is NaN once a zero meets inf.
        assert_eq!(rows[0].is_nan(), len > 1, "ij,i->i, len {len}: {}", rows[0]);
        assert_eq!(rows[1], 2.0 * len as f64, "len {len}");
        let scaled: f64 = einsum!("i,->", &one_then_zeros(len), &ndarray::arr0(f64::INFINITY));
        assert_eq!(scaled.is_nan(), len > 1, "i,->, len {len}: {scaled}");
        let scalar_first: f64 =
            einsum!(",i->", &ndarray::arr0(f64::INFINITY), &one_then_zeros(len));
        assert_eq!(scalar_first.is_nan(), len > 1, ",i->, len {len}");
        // Broadcast views: the stride-0 operand is a real view, not a scalar.
        let inf = Array1::from_elem(1, f64::INFINITY);
        let inf = inf.broadcast(len).unwrap();
        let dot: f64 = einsum!("i,i->", &one_then_zeros(len), &inf);
        assert_eq!(dot.is_nan(), len > 1, "i,i-> broadcast, len {len}");
    }
}

#[test]
fn nan_and_inf_propagate_through_every_engine() {
    // Square sizes below and above the GEMM engine's threshold, and a
    // matrix-vector product, all forming each product.
    for n in [2, 3, 8, 17, 40, 100] {
        let mut a = Array2::<f64>::zeros((n, n));
        a[[0, 0]] = 1.0;
        let mut b = Array2::<f64>::ones((n, n));
        b[[1, 0]] = f64::INFINITY; // meets a[0, 1] = 0
        let c = einsum!("ij,jk->ik", &a, &b);
        assert!(c[[0, 0]].is_nan(), "matmul n = {n}: {}", c[[0, 0]]);
        assert_eq!(c[[0, 1]], 1.0, "matmul n = {n}");
        let v = b.column(0).to_owned();
        let mv = einsum!("ij,j->i", &a, &v);
        assert!(mv[0].is_nan(), "matvec n = {n}");
        let mut with_nan = Array2::<f64>::ones((n, n));
        with_nan[[n - 1, n - 1]] = f64::NAN;
        let total: f64 = einsum!("ij->", &with_nan);
        assert!(total.is_nan(), "sum n = {n}");
        let cols = einsum!("ij->j", &with_nan);
        assert!(
            cols[n - 1].is_nan() && cols[0] == n as f64,
            "column sums n = {n}"
        );
    }
}

/// Products and sums that overflow wrap, as NumPy's integer einsum does,
/// in every engine (generated loops, small GEMM, integer GEMM, split sums)
/// and in debug builds too: never a panic, and `try_einsum!` never panics.
#[test]
fn integer_overflow_wraps_in_every_engine() {
    let big = i64::MAX / 2 + 7;
    for n in [1, 2, 4, 5, 16, 33, 70] {
        let a = Array2::<i64>::from_elem((n, n), big);
        let expected = (0..n).fold(0i64, |s, _| s.wrapping_add(big.wrapping_mul(big)));
        let c = einsum!("ij,jk->ik", &a, &a);
        assert!(c.iter().all(|&x| x == expected), "i64 matmul n = {n}");
        let c = try_einsum!("ij,jk->ik", &a, &a).unwrap();
        assert_eq!(c[[0, 0]], expected);
        let total: i64 = einsum!("ij->", &a);
        let wrapped = (0..n * n).fold(0i64, |s, _| s.wrapping_add(big));
        assert_eq!(total, wrapped, "i64 sum n = {n}");
        let rows = einsum!("ij,ij->i", &a, &a);
        assert!(rows.iter().all(|&x| x == expected), "i64 row dots n = {n}");
        let diag = einsum!("ii,ii->i", &a, &a);
        assert!(diag.iter().all(|&x| x == big.wrapping_mul(big)));
        let batch = ndarray::Array3::<i64>::from_elem((3, n, n), big);
        let bmm = einsum!("bij,bjk->bik", &batch, &batch);
        assert!(bmm.iter().all(|&x| x == expected), "i64 batch n = {n}");
    }
    let bytes = Array1::<u8>::from_elem(300, 200);
    let dot: u8 = einsum!("i,i->", &bytes, &bytes);
    let expected = (0..300).fold(0u8, |s, _| s.wrapping_add(200u8.wrapping_mul(200)));
    assert_eq!(dot, expected);
    let small = Array2::<i8>::from_elem((4, 4), 100);
    let m = einsum!("ij,jk->ik", &small, &small);
    assert_eq!(
        m[[0, 0]],
        (0..4).fold(0i8, |s, _| s.wrapping_add(100i8.wrapping_mul(100)))
    );
    let long = Array1::<i32>::from_elem(100_000, i32::MAX);
    let total: i32 = einsum!("i->", &long);
    assert_eq!(
        total,
        (0..100_000).fold(0i32, |s, _| s.wrapping_add(i32::MAX))
    );
}

#[test]
fn explain_says_when_a_call_stays_serial_and_prints_bytes_in_binary_units() {
    let v = ndarray::array![1.0, 2.0, 3.0];
    let plan = einsum_static::explain!("i,i->", &v, &v)
        .unwrap()
        .to_string();
    assert!(plan.contains("serial (small"), "{plan}");
    let big = Array1::<f64>::ones(1 << 20);
    let plan = einsum_static::explain!("i,i->", &big, &big)
        .unwrap()
        .to_string();
    assert!(plan.contains("a summed axis"), "{plan}");
    let a = Array2::<f64>::ones((2000, 40));
    let b = Array2::<f64>::ones((40, 40));
    let plan = einsum_static::explain!("ij,jk,lk->il", &a, &b, &a; memory_limit = 100_000);
    let plan = plan.unwrap().to_string();
    assert!(plan.contains("KiB (memory limit 97.7 KiB)"), "{plan}");
}

/// Sliced paths add their partial results with wrapping too.
#[test]
fn integer_overflow_wraps_in_sliced_paths() {
    let big = i64::MAX / 3;
    let a = Array2::<i64>::from_elem((6, 40), big);
    let b = Array2::<i64>::from_elem((40, 6), 3);
    let c = Array2::<i64>::from_elem((6, 6), 3);
    let wrapped = |n: usize, x: i64| (0..n).fold(0i64, |s, _| s.wrapping_add(x));
    // a·b = 40 · (3 big), wrapped; then · c.
    let ab = wrapped(40, big.wrapping_mul(3));
    let expected = wrapped(6, ab.wrapping_mul(3));
    for limit in [0, 64, 1 << 30] {
        let r = einsum!("ij,jk,kl->il", &a, &b, &c; memory_limit = limit);
        assert!(r.iter().all(|&x| x == expected), "memory_limit {limit}");
    }
}
