//! Regressions of the runtime: 32 or more operands, `explain!` on sizes
//! whose output cannot exist, the default memory budget with broadcast
//! operands, and the thread pools kept for `threads = n`.
//!
//! The equations are written out: the macros take a literal.

use einsum_static::{einsum, explain, try_einsum, EinsumError};
use ndarray::{Array1, Array2};

/// `n` vectors of length 2 with entries 1 and -1, the last one [2, 3]:
/// dropping any operand changes the product.
fn vectors(n: usize) -> Vec<Array1<f64>> {
    let mut vs: Vec<Array1<f64>> = (0..n)
        .map(|k| {
            let sign = |bit: usize| if (k >> bit) & 1 == 1 { -1.0 } else { 1.0 };
            Array1::from(vec![sign(0), sign(1)])
        })
        .collect();
    vs[n - 1] = Array1::from(vec![2.0, 3.0]);
    vs
}

/// Their elementwise product, by plain loops.
fn product(vs: &[Array1<f64>]) -> Array1<f64> {
    vs.iter().fold(Array1::ones(2), |acc, v| acc * v)
}

/// `n` 2x2 integer matrices whose products stay exact in i64 and whose
/// order matters.
fn matrices(n: usize) -> Vec<Array2<i64>> {
    let kinds = [
        [[1, 1], [0, 1]],
        [[1, 0], [1, 1]],
        [[0, 1], [1, 0]],
        [[1, 0], [0, -1]],
    ];
    (0..n)
        .map(|k| {
            let m = kinds[(k * 7 + k / 4) % 4];
            Array2::from_shape_fn((2, 2), |(i, j)| m[i][j])
        })
        .collect()
}

/// Their product, left to right.
fn chain(ms: &[Array2<i64>]) -> Array2<i64> {
    ms[1..].iter().fold(ms[0].clone(), |acc, m| acc.dot(m))
}

/// `$mac!($eq, &$v[i], &$w[j], ...)`: the macros take a literal equation
/// and one expression per operand, so the operand lists are spelled out.
macro_rules! call {
    ($mac:ident, $eq:literal, $($v:ident[$($k:literal)*]),*) => {
        $mac!($eq, $($(&$v[$k]),*),*)
    };
}

/// A test that `n` ones-and-minus-ones vectors multiplied elementwise give
/// the plain product, through `einsum!` and `try_einsum!`.
macro_rules! elementwise_product {
    ($name:ident, $n:literal, $eq:literal, [$($k:literal)*]) => {
        #[test]
        fn $name() {
            let v = vectors($n);
            let expected = product(&v);
            assert_eq!(call!(einsum, $eq, v[$($k)*]), expected);
            assert_eq!(call!(try_einsum, $eq, v[$($k)*]).unwrap(), expected);
        }
    };
}

/// A test that a chain of `n` 2x2 matrices gives the plain product.
macro_rules! matrix_chain {
    ($name:ident, $n:literal, $eq:literal, [$($k:literal)*]) => {
        #[test]
        fn $name() {
            let m = matrices($n);
            assert_eq!(call!(einsum, $eq, m[$($k)*]), chain(&m));
        }
    };
}

elementwise_product!(
    elementwise_product_of_31_operands,
    31,
    "i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i->i",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30]
);
elementwise_product!(
    elementwise_product_of_32_operands,
    32,
    "i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i->i",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31]
);
elementwise_product!(
    elementwise_product_of_33_operands,
    33,
    "i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i->i",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32]
);
elementwise_product!(
    elementwise_product_of_64_operands,
    64,
    "i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i->i",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63]
);
elementwise_product!(
    elementwise_product_of_100_operands,
    100,
    "i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i->i",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99]
);

#[test]
fn sum_of_the_product_of_33_operands() {
    let v = vectors(33);
    let r: f64 = call!(einsum, "i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i->", v[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32]);
    assert_eq!(r, product(&v).sum());
}

matrix_chain!(
    chain_of_31_matrices,
    31,
    "ab,bc,cd,de,ef,fg,gh,hi,ij,jk,kl,lm,mn,no,op,pq,qr,rs,st,tu,uv,vw,wx,xy,yz,zA,AB,BC,CD,DE,EF->aF",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30]
);
matrix_chain!(
    chain_of_32_matrices,
    32,
    "ab,bc,cd,de,ef,fg,gh,hi,ij,jk,kl,lm,mn,no,op,pq,qr,rs,st,tu,uv,vw,wx,xy,yz,zA,AB,BC,CD,DE,EF,FG->aG",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31]
);
matrix_chain!(
    chain_of_33_matrices,
    33,
    "ab,bc,cd,de,ef,fg,gh,hi,ij,jk,kl,lm,mn,no,op,pq,qr,rs,st,tu,uv,vw,wx,xy,yz,zA,AB,BC,CD,DE,EF,FG,GH->aH",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32]
);
matrix_chain!(
    chain_of_51_matrices,
    51,
    "ab,bc,cd,de,ef,fg,gh,hi,ij,jk,kl,lm,mn,no,op,pq,qr,rs,st,tu,uv,vw,wx,xy,yz,zA,AB,BC,CD,DE,EF,FG,GH,HI,IJ,JK,KL,LM,MN,NO,OP,PQ,QR,RS,ST,TU,UV,VW,WX,XY,YZ->aZ",
    [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50]
);

#[test]
fn chain_of_20_matrices_scaled_by_44_vectors() {
    let m = matrices(20);
    let v: Vec<Array1<i64>> = vectors(44).iter().map(|x| x.mapv(|e| e as i64)).collect();
    let scale = v.iter().fold(Array1::<i64>::ones(2), |acc, x| acc * x);
    let expected = chain(&m) * &scale.insert_axis(ndarray::Axis(1));
    let r = call!(
        einsum,
        "ab,bc,cd,de,ef,fg,gh,hi,ij,jk,kl,lm,mn,no,op,pq,qr,rs,st,tu,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a->au",
        m[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19],
        v[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43]
    );
    assert_eq!(r, expected);
}

#[test]
fn the_path_of_100_operands_names_each_once() {
    let v = vectors(100);
    let plan = call!(explain, "i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i->i", v[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99])
    .unwrap();
    let path = plan.contraction_path().unwrap();
    assert_eq!(path.steps().len(), 99);
    let last = path.steps().last().unwrap();
    assert_eq!(
        last.left.union(&last.right).to_vec(),
        (0..100).collect::<Vec<_>>()
    );
    for step in path.steps() {
        assert!(
            step.left.iter().all(|k| !step.right.contains(k)),
            "{step:?}"
        );
    }
    assert!(plan.to_string().contains("step 99"), "{plan}");
}

/// A 1x1 array broadcast to `n` x `n`: `n`^2 elements seen, one stored.
fn broadcast(one: &Array2<f64>, n: usize) -> ndarray::ArrayView2<'_, f64> {
    one.broadcast((n, n)).unwrap()
}

#[test]
fn explain_counts_huge_sizes_without_overflow() {
    // m = n = 2^28 and k = 2^31: an output of 2^59 bytes, which may exist,
    // and m * n * k = 2^87 multiply-adds.
    let one = Array2::<f64>::zeros((1, 1));
    let (mn, k) = (1 << 28, 1 << 31);
    let (a, b) = (
        one.broadcast((mn, k)).unwrap(),
        one.broadcast((k, mn)).unwrap(),
    );
    let plan = explain!("ij,jk->ik", &a, &b).unwrap();
    assert_eq!(plan.flops(), 2.0 * (mn as f64).powi(2) * k as f64);
    let plan = explain!("ij,jk->k", &a, &b).unwrap();
    assert!(plan.flops() > 1e26, "{plan}");
    // Three operands with a 1x1 output: the 2^31 labels are sliced.
    let (row, col) = (
        one.broadcast((1, k)).unwrap(),
        one.broadcast((k, 1)).unwrap(),
    );
    let big = broadcast(&one, k);
    let plan = explain!("ij,jk,kl->il", &row, &big, &col).unwrap();
    assert!(
        plan.flops().is_finite() && !plan.sliced().is_empty(),
        "{plan}"
    );
}

#[test]
fn an_output_that_cannot_exist_is_an_error_of_the_call() {
    let one = Array2::<f64>::zeros((1, 1));
    let big = broadcast(&one, 1 << 31);
    let overflow = |err: EinsumError| {
        assert_eq!(
            err,
            EinsumError::SizeOverflow {
                shape: vec![1 << 31, 1 << 31]
            }
        );
    };
    overflow(try_einsum!("ij->ji", &big).unwrap_err());
    overflow(try_einsum!("ij,jk->ik", &big, &big).unwrap_err());
    overflow(try_einsum!("ij,jk,kl->il", &big, &big, &big).unwrap_err());
}

#[test]
fn explain_returns_the_calls_error_for_an_output_that_cannot_exist() {
    let one = Array2::<f64>::zeros((1, 1));
    let big = broadcast(&one, 1 << 31);
    assert_eq!(
        explain!("ij->ji", &big).unwrap_err(),
        try_einsum!("ij->ji", &big).unwrap_err()
    );
    assert_eq!(
        explain!("ij,jk->ik", &big, &big).unwrap_err(),
        try_einsum!("ij,jk->ik", &big, &big).unwrap_err()
    );
    assert_eq!(
        explain!("ij,jk,kl->il", &big, &big, &big).unwrap_err(),
        try_einsum!("ij,jk,kl->il", &big, &big, &big).unwrap_err()
    );
}

#[test]
fn broadcast_operands_do_not_raise_the_default_memory_limit() {
    // Three 16384^2 views of one element each: every order makes a
    // 16384^2 intermediate (2 GiB of f64), over the default 1 GiB. Their
    // shapes must not raise the limit to 2 GiB, as operands of that size
    // would.
    let one = Array2::<f64>::zeros((1, 1));
    let big = broadcast(&one, 1 << 14);
    let plan = explain!("ij,jk,ki->", &big, &big, &big).unwrap();
    assert!(!plan.sliced().is_empty(), "{plan}");
    let path = plan.contraction_path().unwrap();
    let largest = path.largest_intermediate().unwrap().elements;
    assert!(largest * 8.0 <= (1u64 << 30) as f64, "{plan}");
}

/// The threads of this process, from /proc.
#[cfg(target_os = "linux")]
fn os_threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
    line["Threads:".len()..].trim().parse().unwrap()
}

#[test]
fn forty_thread_counts_give_the_same_bits_and_keep_few_threads() {
    let a = Array2::from_shape_fn((160, 300), |(i, j)| ((i * 31 + j * 17) % 23) as f64 / 7.0);
    let b = Array2::from_shape_fn((300, 120), |(i, j)| ((i * 13 + j * 29) % 19) as f64 / 3.0);
    let tall = Array2::from_shape_fn((20_000, 8), |(i, j)| ((i * 7 + j) % 11) as f64 / 9.0);
    let product = einsum!("ij,jk->ik", &a, &b; threads = 1);
    let sums = einsum!("ij->j", &tall; threads = 1);
    #[cfg(target_os = "linux")]
    let before = os_threads();
    for n in 1..=40 {
        assert_eq!(
            einsum!("ij,jk->ik", &a, &b; threads = n),
            product,
            "threads = {n}"
        );
        assert_eq!(einsum!("ij->j", &tall; threads = n), sums, "threads = {n}");
    }
    // Kept: at most 4 pools of at most the core count. The pools of more
    // threads end with their calls; their threads exit soon after.
    #[cfg(target_os = "linux")]
    {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let bound = before + 4 * cores + 8;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while os_threads() > bound && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            os_threads() <= bound,
            "{} threads, {before} before",
            os_threads()
        );
    }
}
