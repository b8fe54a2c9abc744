//! Transpose-then-GEMM (kernels/repack.rs): GEMM-class steps whose label
//! groups do not fuse in some array, on random sizes and layouts (permuted,
//! stepped, reversed, broadcast), every element type with a GEMM, and
//! random thread counts, against the reference; results bit-identical for
//! every thread count.

mod common;

use common::{assert_values_match, Layout, Operand, Rng, TestElem, C64};
use einsum_static::{einsum, try_einsum};
use ndarray::{ArrayD, ArrayViewD};

/// Operands of `terms` with label sizes from `sizes` and random layouts.
fn operands<T: TestElem>(
    terms: &[&str],
    sizes: &dyn Fn(char) -> usize,
    rng: &mut Rng,
) -> Vec<Operand<T>> {
    terms
        .iter()
        .map(|term| {
            let shape: Vec<usize> = term.chars().map(sizes).collect();
            Operand::new(&shape, Layout::random(rng), rng)
        })
        .collect()
}

macro_rules! repack_case {
    ($name:ident, $eq:literal) => {
        #[test]
        fn $name() {
            fn check<T: TestElem>(seed: u64) {
                let mut rng = Rng::new(seed);
                let labels: Vec<char> = $eq.chars().filter(|c| c.is_ascii_alphabetic()).collect();
                let size_of: Vec<usize> = labels.iter().map(|_| 4 + rng.below(6) as usize).collect();
                let sizes = |c: char| size_of[labels.iter().position(|&l| l == c).unwrap()];
                let terms: Vec<&str> = $eq.split("->").next().unwrap().split(',').collect();
                let ops = operands::<T>(&terms, &sizes, &mut rng);
                let views: Vec<ArrayViewD<'_, T>> = ops.iter().map(Operand::view).collect();
                let one: ArrayD<T> = einsum!($eq, &views[0], &views[1]; threads = 1).into_dyn();
                assert_values_match($eq, &views, &one);
                for threads in [2, 3, 4] {
                    let many = try_einsum!($eq, &views[0], &views[1]; threads = threads).unwrap();
                    assert!(many.into_dyn() == one, "{} threads differ from 1", threads);
                }
            }
            for seed in 0..12 {
                check::<f64>(seed);
                check::<f32>(seed + 100);
                check::<C64>(seed + 200);
                check::<i64>(seed + 300);
            }
        }
    };
}

repack_case!(tccg_fbea_ecfd, "fbea,ecfd->dcba");
repack_case!(groups_interleaved, "acbd,bedf->aecf");
repack_case!(batch_and_split_m, "ibja,bjk->kbia");
repack_case!(output_breaks_groups, "abk,kcd->dacb");
repack_case!(k_split_around_m, "kamb,lkbn->naml");

/// The engine ran for these equations (not only the looped GEMMs).
#[test]
fn the_transpose_then_gemm_engine_runs() {
    let before = einsum_runtime::kernels::repacked_steps();
    let a = ArrayD::<f64>::ones(ndarray::IxDyn(&[20, 6, 30, 7]));
    let b = ArrayD::<f64>::ones(ndarray::IxDyn(&[30, 8, 20, 9]));
    let c = einsum!("fbea,ecfd->dcba", &a, &b);
    assert!(c.iter().all(|&x| x == 600.0));
    assert!(einsum_runtime::kernels::repacked_steps() > before);
}
