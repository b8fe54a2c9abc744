//! Steps whose packing would gather across pages (the output's innermost
//! axis is the large operand's outermost) run into a scratch array laid
//! out in GEMM order, then copy it into the output
//! (`kernels/engines/scratch`): on random layouts of the operands and of
//! the caller's output, with `alpha` and `beta`, for every element type
//! with a GEMM and random thread counts, against the reference and bit
//! for bit the same on every thread count; and not where the memory
//! budget has no room for the scratch array.

mod common;

use common::{assert_values_match, Layout, Operand, Rng, TestElem, C64};
use einsum_runtime::kernels::last_engine;
use einsum_static::{einsum, explain};
use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn, ShapeBuilder};

const SCRATCH: &str = "GEMM order in a scratch array";

/// The layouts the large operand gets: those that keep its outermost
/// axis far apart in memory, so that the scratch array pays.
const FAR: [Layout; 3] = [Layout::Standard, Layout::Stepped, Layout::Reversed];

macro_rules! scratch_case {
    ($name:ident, $eq:literal, $sizes:expr, $must:expr) => {
        #[test]
        fn $name() {
            /// Runs the case on one seed; whether the scratch array ran.
            fn check<T: TestElem>(seed: u64) -> bool {
                let mut rng = Rng::new(seed);
                let sizes: &[(char, usize)] = &$sizes;
                let size = |c: char| sizes.iter().find(|s| s.0 == c).unwrap().1;
                let (inputs, output) = $eq.split_once("->").unwrap();
                let mut layouts = [FAR[rng.below(3) as usize], Layout::random(&mut rng)];
                if layouts[1] == Layout::Broadcast {
                    layouts[1] = Layout::Standard;
                }
                let ops: Vec<Operand<T>> = inputs
                    .split(',')
                    .zip(layouts)
                    .map(|(term, layout)| {
                        let shape: Vec<usize> = term.chars().map(size).collect();
                        Operand::new(&shape, layout, &mut rng)
                    })
                    .collect();
                let views: Vec<ArrayViewD<'_, T>> = ops.iter().map(Operand::view).collect();
                let _ = last_engine();
                let one: ArrayD<T> = einsum!($eq, &views[0], &views[1]; threads = 1).into_dyn();
                let ran = last_engine() == Some(SCRATCH);
                assert_values_match($eq, &views, &one);
                for threads in [2, 3] {
                    let many = einsum!($eq, &views[0], &views[1]; threads = threads);
                    assert!(many.into_dyn() == one, "{threads} threads differ from 1");
                }
                // Into the caller's array as the new one lies: 2 * product
                // + old, which the copy stores exactly so.
                let dims: Vec<usize> = output.chars().map(size).collect();
                let two = T::one().add_wrapping(T::one());
                let old = ArrayD::from_shape_fn(IxDyn(&dims), |i| {
                    T::from_i64(i.slice().iter().sum::<usize>() as i64)
                });
                let mut out = old.clone();
                einsum!($eq, &views[0], &views[1]; out = &mut out, alpha = two, beta = T::one(),
                    threads = 2);
                let mut expected = one.clone();
                expected.zip_mut_with(&old, |e, &o| *e = two.mul_wrapping(*e).add_wrapping(o));
                assert!(out == expected, "into the caller's array");
                // Column-major, where another engine may run.
                let mut out = ArrayD::from_elem(IxDyn(&dims).f(), T::one());
                einsum!($eq, &views[0], &views[1]; out = &mut out, threads = 3);
                assert_values_match($eq, &views, &out);
                ran
            }
            let ran = [
                (0..6).map(check::<f64>).filter(|&r| r).count(),
                (0..4).map(|s| check::<f32>(s + 100)).filter(|&r| r).count(),
                (0..4).map(|s| check::<C64>(s + 200)).filter(|&r| r).count(),
                (0..4).map(|s| check::<i64>(s + 300)).filter(|&r| r).count(),
            ];
            let must: [bool; 4] = $must;
            assert!(
                ran.iter().zip(must).all(|(&r, must)| r > 0 || !must),
                "the scratch array ran {ran:?} times (f64, f32, C64, i64)"
            );
        }
    };
}

// The sizes where the scratch array pays for these types (`must`: f64,
// f32, C64, i64); in the others the test checks the packed engine.
scratch_case!(
    tccg_dca_bd,
    "dca,bd->abc",
    [('a', 40), ('b', 12), ('c', 40), ('d', 40)],
    [true, true, true, true]
);
scratch_case!(
    tccg_deca_be,
    "deca,be->abcd",
    [('a', 24), ('b', 8), ('c', 24), ('d', 24), ('e', 24)],
    [true, false, true, true]
);

/// `explain!` names the scratch array where it runs, and the packed
/// engine where the memory budget has no room for it.
#[test]
fn explained_as_it_runs_within_the_budget() {
    let a = ArrayD::<f64>::ones(IxDyn(&[40, 40, 40]));
    let b = ArrayD::<f64>::ones(IxDyn(&[12, 40]));
    let explained = explain!("dca,bd->abc", &a, &b).unwrap();
    let _ = last_engine();
    let c = einsum!("dca,bd->abc", &a, &b);
    assert_eq!(explained.engine(), last_engine(), "{explained}");
    assert_eq!(explained.engine(), Some(SCRATCH), "{explained}");
    assert!(
        explained
            .to_string()
            .contains("scratch array of 19200 elements"),
        "{explained}"
    );
    let explained = explain!("dca,bd->abc", &a, &b; memory_limit = 1 << 10).unwrap();
    let _ = last_engine();
    let tight = einsum!("dca,bd->abc", &a, &b; memory_limit = 1 << 10);
    assert_eq!(explained.engine(), last_engine(), "{explained}");
    assert_eq!(
        explained.engine(),
        Some("transpose-free packed GEMM"),
        "{explained}"
    );
    assert_eq!(tight, c);
    assert!(c.iter().all(|&x| x == 40.0));
}
