//! The engine against a naive sum on random groups, strides (permuted,
//! padded, reversed, broadcast), scales and block sizes, with every
//! kernel this CPU runs and several thread counts (bit for bit).

#[cfg(feature = "complex")]
use super::complex::{c32_kernels, c64_kernels};
use super::kernels::{f32_kernels, f64_kernels, MicroKernel};
use super::Packed;
use crate::context::Context;
use crate::kernels::engines::dims::Axis;
use crate::kernels::engines::groups::Groups;
use crate::kernels::engines::test_rng::Rng;
use crate::options::Options;
use crate::scale::Scale;
use crate::Element;
use num_complex::Complex;

/// Values as the naive sum computes them (real types: no imaginary part).
type C64 = Complex<f64>;

/// An array over some of the step's axes: its storage, the offset of
/// index 0 and each axis's stride (0 where it lacks the axis).
struct Array {
    data: Vec<C64>,
    origin: isize,
    strides: Vec<isize>,
}

impl Array {
    /// Axes `has` of `lens`, in a random order, padded, some reversed;
    /// `broadcast` axes get stride 0; the values have imaginary parts
    /// when `complex`.
    fn new(
        lens: &[usize],
        has: &[bool],
        broadcast: &[bool],
        complex: bool,
        rng: &mut Rng,
    ) -> Array {
        let mut order: Vec<usize> = (0..lens.len())
            .filter(|&x| has[x] && !broadcast[x])
            .collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut strides = vec![0isize; lens.len()];
        let (mut size, mut origin) = (1isize, 0isize);
        let pad = 1 + rng.below(2) as isize;
        for &x in order.iter().rev() {
            strides[x] = size * pad;
            size *= lens[x] as isize * pad;
            if rng.below(4) == 0 {
                origin += (lens[x] as isize - 1) * strides[x];
                strides[x] = -strides[x];
            }
        }
        let mut value = || rng.below(2001) as f64 / 1000.0 - 1.0;
        let data = (0..size.max(1))
            .map(|_| C64::new(value(), if complex { value() } else { 0.0 }))
            .collect();
        Array {
            data,
            origin,
            strides,
        }
    }

    fn offset(&self, index: &[usize]) -> isize {
        let steps = index.iter().zip(&self.strides);
        self.origin + steps.map(|(&i, &s)| i as isize * s).sum::<isize>()
    }
}

/// Every index of `lens`, last axis fastest.
fn indices(lens: &[usize]) -> Vec<Vec<usize>> {
    let mut all = vec![vec![]];
    for &len in lens {
        all = all
            .into_iter()
            .flat_map(|prefix| {
                (0..len).map(move |i| {
                    let mut next = prefix.clone();
                    next.push(i);
                    next
                })
            })
            .collect();
    }
    all
}

/// Runs one random step with `kernel` on `contexts` and checks it.
fn check_step<T: Element>(
    kernels: &[MicroKernel<T>],
    rng: &mut Rng,
    cast: fn(C64) -> T,
    close: fn(T, C64) -> bool,
    complex: bool,
) {
    // Roles of the axes: 0 batch, 1 m, 2 n, 3 k.
    let count = 2 + rng.below(5);
    let mut roles: Vec<usize> = (0..count).map(|_| rng.below(4)).collect();
    roles.push(3);
    roles.push(1 + rng.below(2));
    let mut lens: Vec<usize> = roles
        .iter()
        .map(|&role| {
            if role == 0 {
                1 + rng.below(3)
            } else {
                1 + rng.below(13)
            }
        })
        .collect();
    // Sometimes a summed axis past one slice of k (8 KiB of values).
    let deep = if rng.below(5) == 0 { 2100 } else { 1 };
    // Sometimes a long m, so that A takes several blocks of rows (else
    // it is packed whole, and the tasks cut the columns).
    let tall = if deep == 1 && rng.below(4) == 0 {
        96 + rng.below(64)
    } else {
        1
    };
    // At most about 2^17 terms, so that the naive sum stays quick.
    while deep * tall * lens.iter().product::<usize>() > 1 << 17 {
        let longest = (0..lens.len()).max_by_key(|&x| lens[x]).expect("axes");
        lens[longest] = lens[longest].div_ceil(2);
    }
    if deep > 1 {
        roles.push(3);
        lens.push(deep);
    }
    if tall > 1 {
        roles.push(1);
        lens.push(tall);
    }
    let in_a: Vec<bool> = roles.iter().map(|&r| r != 2).collect();
    let in_b: Vec<bool> = roles.iter().map(|&r| r != 1).collect();
    let in_out: Vec<bool> = roles.iter().map(|&r| r != 3).collect();
    let none = vec![false; lens.len()];
    let a = Array::new(&lens, &in_a, &none, complex, rng);
    let b = Array::new(&lens, &in_b, &none, complex, rng);
    let out = Array::new(&lens, &in_out, &none, complex, rng);
    let axes: Vec<Axis> = (0..lens.len())
        .map(|x| Axis {
            len: lens[x],
            a: a.strides[x],
            b: b.strides[x],
            out: out.strides[x],
        })
        .collect();
    let mut groups = Groups::default();
    for (axis, role) in axes.iter().zip(&roles) {
        [
            &mut groups.batch,
            &mut groups.m,
            &mut groups.n,
            &mut groups.k,
        ][*role]
            .push(*axis);
    }
    let plan = Packed::new::<T>(&groups).expect("a float type");
    let (alpha, beta) = match rng.below(3) {
        0 => (C64::new(1.0, 0.0), C64::new(0.0, 0.0)),
        1 => (C64::new(1.0, 0.0), C64::new(1.0, 0.0)),
        _ if complex => (C64::new(0.5, 0.25), C64::new(-2.0, 1.0)),
        _ => (C64::new(0.5, 0.0), C64::new(-2.0, 0.0)),
    };
    let scale = Scale::new(cast(alpha), cast(beta));
    // Padding between the output's elements keeps its values.
    let mut expected: Vec<Option<C64>> = vec![None; out.data.len()];
    for index in indices(&lens) {
        let o = out.offset(&index) as usize;
        let product = a.data[a.offset(&index) as usize] * b.data[b.offset(&index) as usize];
        *expected[o].get_or_insert(C64::new(0.0, 0.0)) += product;
    }
    let expected: Vec<C64> = expected
        .iter()
        .zip(&out.data)
        .map(|(sum, &old)| sum.map_or(old, |sum| alpha * sum + beta * old))
        .collect();
    let inputs: Vec<Vec<T>> = [&a, &b]
        .iter()
        .map(|x| x.data.iter().map(|&v| cast(v)).collect())
        .collect();
    let mut first: Option<Vec<T>> = None;
    for kernel in kernels {
        for (threads, small) in [(1, false), (3, false), (1, true), (2, true), (4, true)] {
            let mut context: Context = Options::new().threads(threads).context();
            context.block_work = small.then_some(64);
            let mut result: Vec<T> = out.data.iter().map(|&v| cast(v)).collect();
            let pointers = (
                inputs[0].as_ptr().wrapping_offset(a.origin),
                inputs[1].as_ptr().wrapping_offset(b.origin),
                result.as_mut_ptr().wrapping_offset(out.origin),
            );
            // SAFETY: the strides were made for these buffers; the output
            // is apart from the inputs.
            unsafe { plan.run_with(kernel, &context, threads, pointers, Some(scale)) };
            for (o, (&got, &want)) in result.iter().zip(&expected).enumerate() {
                assert!(
                    close(got, want),
                    "{}: {roles:?} {lens:?} at {o}: {got:?} against {want}",
                    kernel.name
                );
            }
            // The same kernel gives the same bits for any thread count and
            // block size.
            match &first {
                Some(bits) if threads > 1 || small => {
                    assert!(bits == &result, "{}: bits differ", kernel.name)
                }
                _ => first = Some(result),
            }
        }
        first = None;
    }
}

#[test]
fn every_kernel_matches_a_naive_sum_on_random_steps() {
    let mut rng = Rng(7);
    for _ in 0..60 {
        check_step::<f64>(
            &f64_kernels(),
            &mut rng,
            |x| x.re,
            |got, want| (got - want.re).abs() < 1e-9,
            false,
        );
        check_step::<f32>(
            &f32_kernels(),
            &mut rng,
            |x| x.re as f32,
            |got, want| (got as f64 - want.re).abs() < 1e-3,
            false,
        );
    }
}

#[cfg(feature = "complex")]
#[test]
fn every_complex_kernel_matches_a_naive_sum_on_random_steps() {
    let mut rng = Rng(11);
    for _ in 0..60 {
        check_step::<Complex<f64>>(
            &c64_kernels(),
            &mut rng,
            |x| x,
            |got, want| (got - want).norm() < 1e-9,
            true,
        );
        check_step::<Complex<f32>>(
            &c32_kernels(),
            &mut rng,
            |x| Complex::new(x.re as f32, x.im as f32),
            |got, want| (Complex::new(got.re as f64, got.im as f64) - want).norm() < 1e-3,
            true,
        );
    }
}

#[test]
fn n_follows_b_unless_the_output_runs_get_shorter() {
    let axis = |len, b, out| Axis { len, a: 0, b, out };
    let strides = |axes: Vec<Axis>| axes.iter().map(|x| (x.b, x.out)).collect::<Vec<_>>();
    // `ebad,ce->abcd` with A and B swapped: n = (a, b, d); B's order
    // stores the same runs of 40, and reads B along its memory.
    let n = [axis(40, 40, 64000), axis(40, 1600, 1600), axis(40, 1, 1)];
    assert_eq!(
        strides(super::n_order(&n)),
        [(1600, 1600), (40, 64000), (1, 1)]
    );
    // B's order would cut the output's run of 64 000 into runs of 40.
    let n = [axis(40, 1, 1600), axis(40, 64000, 40), axis(40, 40, 1)];
    assert_eq!(
        strides(super::n_order(&n)),
        [(1, 1600), (64000, 40), (40, 1)]
    );
}
