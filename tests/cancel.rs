//! Cancelling a run-time einsum (`dynamic::Cancel`): a token set from
//! another thread stops a long call within a block of work, with
//! `EinsumError::Cancelled`; a token never set changes no bit of any
//! result; and the library stays usable after a cancelled call.

use einsum_runtime::schedule::with_block_work;
use einsum_static::dynamic::{self, Cancel, Contraction};
use einsum_static::EinsumError;
use ndarray::{ArrayD, ArrayViewD, IxDyn};
use std::time::{Duration, Instant};

/// Deterministic values in [-1, 1).
fn filled(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    ArrayD::from_shape_simple_fn(IxDyn(shape), || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    })
}

fn two(x: ArrayViewD<'_, f64>) -> ndarray::ArrayView2<'_, f64> {
    x.into_dimensionality().unwrap()
}

fn same_bits(x: &ArrayD<f64>, y: &ArrayD<f64>) -> bool {
    x.shape() == y.shape() && x.iter().zip(y).all(|(a, b)| a.to_bits() == b.to_bits())
}

/// Runs `c` on `ops` into an output full of NaN, setting `token` from
/// another thread after `after`; returns the error, how long the call
/// went on after the token was set, and how many outputs it left NaN.
fn cancel_after(
    c: &Contraction,
    token: &Cancel,
    ops: &[ArrayViewD<'_, f64>],
    out_shape: &[usize],
    after: Duration,
) -> (Result<(), EinsumError>, Duration, usize) {
    let mut out = ArrayD::<f64>::from_elem(IxDyn(out_shape), f64::NAN);
    let set_at = std::sync::Mutex::new(None);
    let (result, returned) = std::thread::scope(|s| {
        let stopper = token.clone();
        let set_at = &set_at;
        s.spawn(move || {
            std::thread::sleep(after);
            *set_at.lock().unwrap() = Some(Instant::now());
            stopper.cancel();
        });
        let result = c.run_into(ops, out.view_mut());
        (result, Instant::now())
    });
    let set_at = set_at.into_inner().unwrap().expect("the token was set");
    let unwritten = out.iter().filter(|x| x.is_nan()).count();
    (
        result,
        returned.saturating_duration_since(set_at),
        unwritten,
    )
}

#[test]
fn a_long_batched_product_stops_soon_after_the_token_is_set() {
    // 1000 products of 64x4096 by 4096x64 on broadcast operands (little
    // memory): 34 GFLOP, seconds on any machine of a few cores.
    let (a, b) = (filled(&[64, 4096], 1), filled(&[4096, 64], 2));
    let batch = 1000;
    let a3 = a.broadcast(IxDyn(&[batch, 64, 4096])).unwrap();
    let b3 = b.broadcast(IxDyn(&[batch, 4096, 64])).unwrap();
    let token = Cancel::new();
    let c = Contraction::new("bij,bjk->bik").unwrap().cancel_on(&token);
    let ops = [a3.view(), b3.view()];
    assert!(c.flops(&ops).unwrap() > 3e10);
    let (result, late, unwritten) = cancel_after(
        &c,
        &token,
        &ops,
        &[batch, 64, 64],
        Duration::from_millis(100),
    );
    assert_eq!(result, Err(EinsumError::Cancelled));
    assert!(
        late < Duration::from_secs(1),
        "stopped {late:?} after the token was set"
    );
    // The products not started were skipped.
    assert!(unwritten > 0);
    // The same contraction, the token withdrawn, is right again.
    token.reset();
    let small = [
        a3.slice(ndarray::s![..3, .., ..]).into_dyn(),
        b3.slice(ndarray::s![..3, .., ..]).into_dyn(),
    ];
    let r = c.run(&small).unwrap();
    let expected = two(a.view()).dot(&two(b.view()));
    for batch in 0..3 {
        let got = r.index_axis(ndarray::Axis(0), batch);
        for (x, y) in got.iter().zip(expected.iter()) {
            assert!((x - y).abs() <= 1e-9 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }
}

#[test]
fn a_long_chain_stops_between_steps_and_slices() {
    // Three operands through a path sliced to a small memory budget.
    let (a, b) = (filled(&[3000, 400], 3), filled(&[400, 400], 4));
    let token = Cancel::new();
    let c = Contraction::new("ij,jk,lk->il")
        .unwrap()
        .memory_limit(1 << 20)
        .cancel_on(&token);
    let ops = [
        a.view().into_dyn(),
        b.view().into_dyn(),
        a.view().into_dyn(),
    ];
    assert!(!c.explain(&ops).unwrap().sliced().is_empty());
    let (result, late, _) =
        cancel_after(&c, &token, &ops, &[3000, 3000], Duration::from_millis(30));
    assert_eq!(result, Err(EinsumError::Cancelled));
    assert!(
        late < Duration::from_secs(1),
        "stopped {late:?} after the token was set"
    );
}

#[test]
fn a_token_set_before_the_call_skips_it_and_leaves_other_calls_alone() {
    let token = Cancel::new();
    token.cancel();
    let a = filled(&[300, 300], 5).into_dyn();
    let err = dynamic::with_cancel(&token, || {
        dynamic::einsum("ij,jk->ik", &[a.view(), a.view()])
    });
    assert_eq!(err.unwrap_err(), EinsumError::Cancelled);
    // Outside the scope, and on a contraction of its own: no token.
    let plain = dynamic::einsum("ij,jk->ik", &[a.view(), a.view()]).unwrap();
    let expected = a
        .view()
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap()
        .dot(&a.view().into_dimensionality::<ndarray::Ix2>().unwrap());
    assert!(plain
        .iter()
        .zip(expected.iter())
        .all(|(x, y)| (x - y).abs() <= 1e-9 * (1.0 + y.abs())));
    // The macros never see a token, even inside the scope.
    let a2 = a.view().into_dimensionality::<ndarray::Ix2>().unwrap();
    let inside = dynamic::with_cancel(&token, || einsum_static::einsum!("ij,jk->ik", &a2, &a2));
    assert!(same_bits(&inside.into_dyn(), &plain));
}

/// An equation, its operands' shapes and a memory limit.
type Case = (&'static str, Vec<Vec<usize>>, Option<usize>);

#[test]
fn a_token_never_set_changes_no_bit() {
    let cases: [Case; 8] = [
        ("ij,jk->ik", vec![vec![200, 300], vec![300, 100]], None),
        (
            "bij,bjk->bik",
            vec![vec![16, 40, 50], vec![16, 50, 30]],
            None,
        ),
        ("bij,bjk->bik", vec![vec![40, 8, 9], vec![40, 9, 7]], None),
        (
            "ijk,kjl->il",
            vec![vec![30, 20, 40], vec![40, 20, 50]],
            None,
        ),
        ("ij->j", vec![vec![5000, 8]], None),
        ("ij->", vec![vec![700, 700]], None),
        (
            "ij,jk,kl->il",
            vec![vec![300, 40], vec![40, 40], vec![40, 300]],
            Some(100_000),
        ),
        (
            "ab,bc,cd,de->ae",
            vec![vec![64, 32], vec![32, 64], vec![64, 32], vec![32, 64]],
            None,
        ),
    ];
    for (equation, shapes, limit) in cases {
        let arrays: Vec<ArrayD<f64>> = shapes
            .iter()
            .enumerate()
            .map(|(k, s)| filled(s, 10 + k as u64))
            .collect();
        let views: Vec<ArrayViewD<'_, f64>> = arrays.iter().map(|a| a.view()).collect();
        let contraction = |token: Option<&Cancel>| {
            let c = Contraction::new(equation).unwrap();
            let c = match limit {
                Some(bytes) => c.memory_limit(bytes),
                None => c,
            };
            match token {
                Some(token) => c.cancel_on(token),
                None => c,
            }
        };
        let token = Cancel::new();
        // Large blocks (the default) and small ones (every parallel path).
        for block_work in [None, Some(64)] {
            let run = |c: &Contraction| match block_work {
                Some(work) => with_block_work(work, || c.run(&views)),
                None => c.run(&views),
            };
            let without = run(&contraction(None)).unwrap();
            let with = run(&contraction(Some(&token))).unwrap();
            assert!(same_bits(&without, &with), "{equation} {block_work:?}");
            let scoped = dynamic::with_cancel(&token, || run(&contraction(None))).unwrap();
            assert!(same_bits(&without, &scoped), "{equation} {block_work:?}");
        }
    }
}
