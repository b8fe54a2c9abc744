//! GEMM-class steps whose label groups do not fuse in some array: the
//! transpose-free packed GEMM (kernels/engines/packed) or looped GEMM
//! calls, whichever the cost model picks, with and without a memory limit,
//! on random sizes and layouts (permuted, stepped, reversed, broadcast),
//! every element type with a GEMM, and random thread counts, against the
//! reference; results bit-identical for every thread count.

mod common;

use common::{assert_values_match, Layout, Operand, Rng, TestElem, C64};
use einsum_static::{einsum, explain, try_einsum};
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

macro_rules! unfused_case {
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
                // No room for any temporary.
                let gathered: ArrayD<T> =
                    einsum!($eq, &views[0], &views[1]; threads = 1, memory_limit = 1).into_dyn();
                assert_values_match($eq, &views, &gathered);
                for threads in [2, 3] {
                    let many =
                        einsum!($eq, &views[0], &views[1]; threads = threads, memory_limit = 1);
                    assert!(many.into_dyn() == gathered, "{} threads differ from 1", threads);
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

unfused_case!(tccg_fbea_ecfd, "fbea,ecfd->dcba");
unfused_case!(groups_interleaved, "acbd,bedf->aecf");
unfused_case!(batch_and_split_m, "ibja,bjk->kbia");
unfused_case!(output_breaks_groups, "abk,kcd->dacb");
unfused_case!(k_split_around_m, "kamb,lkbn->naml");
unfused_case!(tccg_aged_cbfg, "aged,cbfg->fedcba");
unfused_case!(tccg_dega_gfbc, "dega,gfbc->abcdef");

/// The packed engine ran for these equations (not only the looped GEMMs)
/// for every element type with a GEMM, whatever the memory limit.
#[test]
fn the_packed_engine_runs_for_every_gemm_type() {
    let _ = einsum_runtime::kernels::last_engine();
    let a = ArrayD::<f64>::ones(ndarray::IxDyn(&[20, 6, 30, 7]));
    let b = ArrayD::<f64>::ones(ndarray::IxDyn(&[30, 8, 20, 9]));
    for limit in [usize::MAX, 1024] {
        let c = einsum!("fbea,ecfd->dcba", &a, &b; memory_limit = limit);
        assert!(c.iter().all(|&x| x == 600.0));
        let ran = einsum_runtime::kernels::last_engine();
        assert_eq!(ran, Some("transpose-free packed GEMM"));
        let (a, b) = (a.mapv(|x| C64::new(x, -x)), b.mapv(|x| C64::new(0.5, x)));
        let c = einsum!("fbea,ecfd->dcba", &a, &b; memory_limit = limit);
        assert!(c.iter().all(|&x| x == C64::new(900.0, 300.0)));
        let ran = einsum_runtime::kernels::last_engine();
        assert_eq!(ran, Some("transpose-free packed GEMM"));
    }
    let (a, b) = (a.mapv(|x| x as i64), b.mapv(|x| x as i64));
    for limit in [usize::MAX, 1024] {
        let c = einsum!("fbea,ecfd->dcba", &a, &b; memory_limit = limit);
        assert!(c.iter().all(|&x| x == 600));
        let ran = einsum_runtime::kernels::last_engine();
        assert_eq!(ran, Some("transpose-free packed GEMM"));
    }
}

/// A batch of four products with no room for temporaries, on several
/// layouts (the engine chosen may differ; `explain!` says which ran).
#[test]
fn a_batch_without_room_for_temporaries() {
    fn check<T: TestElem>(layouts: [Layout; 2], seed: u64) -> &'static str {
        let mut rng = Rng::new(seed);
        let sizes = |c: char| match c {
            'z' => 4,
            'b' => 20,
            'a' => 26,
            'e' => 13,
            'f' => 20,
            'c' => 2,
            _ => 3,
        };
        let ops: Vec<Operand<T>> = ["zbefa", "eczfd"]
            .iter()
            .zip(layouts)
            .map(|(term, layout)| {
                let shape: Vec<usize> = term.chars().map(sizes).collect();
                Operand::new(&shape, layout, &mut rng)
            })
            .collect();
        let views: Vec<ArrayViewD<'_, T>> = ops.iter().map(Operand::view).collect();
        let (a, b) = (&views[0], &views[1]);
        let explained = explain!("zbefa,eczfd->zdcba", a, b; memory_limit = 1).unwrap();
        let _ = einsum_runtime::kernels::last_engine();
        let one = einsum!("zbefa,eczfd->zdcba", a, b; threads = 1, memory_limit = 1).into_dyn();
        let ran = einsum_runtime::kernels::last_engine().unwrap_or("generated loops");
        assert_eq!(explained.engine(), Some(ran), "{explained}");
        assert_values_match("zbefa,eczfd->zdcba", &views, &one);
        let two = einsum!("zbefa,eczfd->zdcba", a, b; threads = 2, memory_limit = 1);
        assert!(two.into_dyn() == one, "2 threads differ from 1");
        ran
    }
    let standard = [Layout::Standard, Layout::Standard];
    assert_eq!(check::<f64>(standard, 1), "transpose-free packed GEMM");
    assert_eq!(check::<C64>(standard, 3), "transpose-free packed GEMM");
    assert_eq!(check::<i64>(standard, 2), "transpose-free packed GEMM");
    for (seed, layout) in [
        Layout::Fortran,
        Layout::Reversed,
        Layout::Permuted,
        Layout::Chaos,
    ]
    .into_iter()
    .enumerate()
    {
        check::<f64>([layout, Layout::Standard], 10 + seed as u64);
        check::<f32>([Layout::Standard, layout], 20 + seed as u64);
    }
}
