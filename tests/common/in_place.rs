//! The generated equations written in place (`out = ...`, with random
//! `alpha` and `beta`): into outputs of random layouts that hold stale
//! values, checked against the reference and, for outputs in standard
//! layout without scaling, bit for bit against the allocating form on
//! another thread count.

use super::*;

/// The macro under test writing `alpha * einsum + beta * out` into `out`:
/// `Ok(())`, or the error (`try_einsum!`) / panic message (`einsum!`).
pub type InPlaceCall<T> =
    fn(&[ArrayViewD<'_, T>], ArrayViewMutD<'_, T>, T, T) -> Result<(), String>;

/// The `(alpha, beta)` a run draws from: plain stores half the time.
const FACTORS: [(i64, i64); 6] = [(1, 0), (1, 0), (1, 0), (2, 0), (1, 1), (-3, 2)];

/// The layouts an output may have: every one but a broadcast, which ndarray
/// cannot give mutably.
pub const OUT_LAYOUTS: [Layout; 6] = [
    Layout::Standard,
    Layout::Fortran,
    Layout::Permuted,
    Layout::Stepped,
    Layout::Reversed,
    Layout::Chaos,
];

/// Runs `in_place` on every run of [`plan_runs`], each into an output of a
/// random layout, checked against the reference; where the output is in
/// standard layout, also against `alloc` bit for bit. Panics with every
/// failure.
pub fn check_equation_in_place<T: TestElem>(spec: &Spec, alloc: Call<T>, in_place: InPlaceCall<T>) {
    let mut rng = Rng::for_text(spec.equation, 1000 + std::mem::size_of::<T>() as u64);
    let runs = plan_runs(spec, &mut rng);
    let mut failures = Vec::new();
    for Run {
        what,
        layouts,
        shapes,
        ..
    } in &runs
    {
        let operands: Vec<Operand<T>> = shapes
            .iter()
            .zip(layouts)
            .map(|(shape, &layout)| Operand::new(shape, layout, &mut rng))
            .collect();
        let views: Vec<ArrayViewD<'_, T>> = operands.iter().map(Operand::view).collect();
        let expected = reference(spec.equation, &views);
        let out_layout = OUT_LAYOUTS[rng.below(OUT_LAYOUTS.len() as u64) as usize];
        let mut out = Operand::<T>::new(expected.value.shape(), out_layout, &mut rng);
        let old = out.view().to_owned();
        let (alpha, beta) = FACTORS[rng.below(FACTORS.len() as u64) as usize];
        let (alpha, beta) = (T::from_i64(alpha), T::from_i64(beta));
        // alpha * result + beta * old, and its tolerance's scale.
        let mut value = expected.value.clone();
        value.zip_mut_with(&old, |v, &o| {
            *v = alpha.mul_wrapping(*v).add_wrapping(beta.mul_wrapping(o))
        });
        let mut scale = expected.scale.mapv(|s| s * alpha.magnitude());
        scale.zip_mut_with(&old, |s, &o| *s += beta.magnitude() * o.magnitude());
        let threads = [1, 2, 3, 4][rng.below(4) as usize];
        let limit = [Some(64), Some(4096), None, None][rng.below(4) as usize];
        let written = on_pool(threads, limit, || {
            in_place(&views, out.view_mut(), alpha, beta)
        });
        let mut outcome = written.and_then(|()| {
            compare_arrays(
                &out.view().to_owned(),
                &value,
                &scale,
                expected.tolerance(8),
            )
        });
        let plain = alpha == T::one() && beta == T::zero();
        if outcome.is_ok() && plain && out_layout == Layout::Standard {
            let other_threads = [1, 2, 3, 4][rng.below(4) as usize];
            outcome = on_pool(other_threads, limit, || alloc(&views)).and_then(|fresh| {
                match fresh.array == out.view() {
                    true => Ok(()),
                    false => Err(format!(
                        "not the allocating form's bits on {other_threads} threads"
                    )),
                }
            });
        }
        if let Err(err) = outcome {
            failures.push(format!(
                "  [{what}] shapes {shapes:?}, layouts {layouts:?}, output {out_layout:?}, \
                 alpha {alpha:?}, beta {beta:?}, {threads} threads, memory limit {limit:?}: {err}"
            ));
        }
    }
    if !failures.is_empty() {
        let total = failures.len();
        failures.truncate(6);
        panic!(
            "{} {:?} as {} in place: {total} of {} runs failed\n{}",
            spec.name,
            spec.equation,
            std::any::type_name::<T>(),
            runs.len(),
            failures.join("\n")
        );
    }
}
