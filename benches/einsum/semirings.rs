//! The semiring cases (`semiring = ...` on `ij,jk->ik`): against their
//! plain serial loops, and NumPy's best expression of the same product (a
//! broadcast sum or product reduced along the middle axis, in blocks of
//! rows so that the temporary stays bounded).

use crate::numpy;
use crate::timing::{Ctx, Rng};
use crate::{LOOP, NUMPY};
use einsum_static::einsum;
use ndarray::{Array2, ArrayView2};

const SEED: u64 = 0x5EED_2024;

/// A tropical case: `einsum!` over `$semiring` against the in-order loop
/// of `$add` and `$mul` from `$zero`, and NumPy's `$numpy` expression; the
/// operands made >= 0 first when `$nonnegative`.
macro_rules! tropical_case {
    ($(#[$doc:meta])* $name:ident, $semiring:ident, $zero:expr, $add:expr, $mul:expr,
     $numpy:literal, $nonnegative:literal) => {
        $(#[$doc])*
        pub fn $name(c: &mut Ctx, n: usize) {
            let (a, b) = operands(n);
            let (a, b) = match $nonnegative {
                true => (a.mapv(f64::abs), b.mapv(f64::abs)),
                false => (a, b),
            };
            let mut s = c.session();
            s.ours(|| einsum!("ij,jk->ik", &a, &b; semiring = $semiring));
            s.peer(LOOP, || ordered_loop(a.view(), b.view(), $zero, $add, $mul));
            s.run();
            numpy::peer(c, NUMPY, $numpy, [&a, &b]);
        }
    };
}

tropical_case!(
    /// `max_plus` on `n x n` operands (the tropical GEMM).
    max_plus, max_plus, f64::NEG_INFINITY, |acc: f64, t: f64| if t > acc { t } else { acc },
    |x, y| x + y,
    "rows(lambda a, b: np.max(a[:, :, None] + b[None, :, :], axis=1), a, b)", false
);
tropical_case!(
    /// `min_plus` on `n x n` operands (shortest paths of two hops).
    min_plus, min_plus, f64::INFINITY, |acc: f64, t: f64| if t < acc { t } else { acc },
    |x, y| x + y,
    "rows(lambda a, b: np.min(a[:, :, None] + b[None, :, :], axis=1), a, b)", false
);
tropical_case!(
    /// `max_product` on `n x n` operands, made >= 0 (probabilities: Viterbi).
    max_product, max_product, f64::NEG_INFINITY, |acc: f64, t: f64| if t > acc { t } else { acc },
    |x, y| x * y,
    "rows(lambda a, b: np.max(a[:, :, None] * b[None, :, :], axis=1), a, b)", true
);

/// `log_sum_exp` on `n x n` operands (log-space matrix products: HMMs).
pub fn log_sum_exp(c: &mut Ctx, n: usize) {
    let (a, b) = operands(n);
    let mut s = c.session();
    s.ours(|| einsum!("ij,jk->ik", &a, &b; semiring = log_sum_exp));
    s.peer(LOOP, || loop_log_sum_exp(a.view(), b.view()));
    s.run();
    numpy::peer(
        c,
        NUMPY,
        "rows(lambda a, b: lse(a[:, :, None] + b[None, :, :], 1), a, b)",
        [&a, &b],
    );
}

fn operands(n: usize) -> (Array2<f64>, Array2<f64>) {
    let mut rng = Rng::new(SEED);
    (rng.array::<f64, _>((n, n)), rng.array::<f64, _>((n, n)))
}

/// `c[i, k] = add over j of mul(a[i, j], b[j, k])`, rows of c updated in
/// i, j, k order (the inner loop vectorizes); serial.
fn ordered_loop(
    a: ArrayView2<f64>,
    b: ArrayView2<f64>,
    zero: f64,
    add: impl Fn(f64, f64) -> f64,
    mul: impl Fn(f64, f64) -> f64,
) -> Array2<f64> {
    let ((m, k), n) = (a.dim(), b.ncols());
    let (a, b) = (a.as_slice().unwrap(), b.as_slice().unwrap());
    let mut c = vec![zero; m * n];
    for (row, a) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
        for (&x, b) in a.iter().zip(b.chunks_exact(n)) {
            for (acc, &y) in row.iter_mut().zip(b) {
                *acc = add(*acc, mul(x, y));
            }
        }
    }
    Array2::from_shape_vec((m, n), c).unwrap()
}

/// `c[i, k] = log sum over j of exp(a[i, j] + b[j, k])`, stably: a pass
/// for each row's maxima, then one for the sums of exp; serial.
fn loop_log_sum_exp(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    let max = ordered_loop(a, b, f64::NEG_INFINITY, f64::max, |x, y| x + y);
    let ((m, k), n) = (a.dim(), b.ncols());
    let (a, b) = (a.as_slice().unwrap(), b.as_slice().unwrap());
    let mut c = vec![0.0; m * n];
    for ((row, a), top) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)).zip(max.rows()) {
        let top = top.as_slice().unwrap();
        for (&x, b) in a.iter().zip(b.chunks_exact(n)) {
            for ((acc, &y), &t) in row.iter_mut().zip(b).zip(top) {
                *acc += (x + y - t).exp();
            }
        }
        for (acc, &t) in row.iter_mut().zip(top) {
            *acc = t + acc.ln();
        }
    }
    Array2::from_shape_vec((m, n), c).unwrap()
}
