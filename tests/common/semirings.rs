//! The generated equations over each semiring: against the reference
//! folded with `⊕` and `⊗` (exact for integers, a tolerance for floats),
//! in random operand layouts, thread counts and memory limits, and with
//! `out`, `alpha` and `beta` (`out = alpha ⊗ einsum ⊕ beta ⊗ out`).

use super::*;

/// The semirings besides the sum of products, as `semiring = ...` names them.
pub const SEMIRINGS: [&str; 4] = ["max_plus", "min_plus", "max_product", "log_sum_exp"];

/// Element types with the reference's `⊕` and `⊗` for each semiring.
pub trait RingElem: TestElem {
    /// The reference ring of `semiring`, or `None` where the type does not
    /// take it (log_sum_exp on integers).
    fn ring(semiring: &str) -> Option<Ring<Self::Wide>>;
    /// `|self|`.
    fn abs(self) -> Self;
}

fn max<W: PartialOrd>(a: W, b: W) -> W {
    if b > a {
        b
    } else {
        a
    }
}

fn min<W: PartialOrd>(a: W, b: W) -> W {
    if b < a {
        b
    } else {
        a
    }
}

impl RingElem for f64 {
    fn abs(self) -> f64 {
        f64::abs(self)
    }
    fn ring(semiring: &str) -> Option<Ring<f64>> {
        let ring = |zero, one, add, mul| {
            Some(Ring {
                zero,
                one,
                add,
                mul,
            })
        };
        match semiring {
            "max_plus" => ring(f64::NEG_INFINITY, 0.0, max, |a, b| a + b),
            "min_plus" => ring(f64::INFINITY, 0.0, min, |a, b| a + b),
            "max_product" => ring(f64::NEG_INFINITY, 1.0, max, |a, b| {
                if a == f64::NEG_INFINITY || b == f64::NEG_INFINITY {
                    f64::NEG_INFINITY
                } else {
                    a * b
                }
            }),
            "log_sum_exp" => ring(f64::NEG_INFINITY, 0.0, log_add_exp, |a, b| a + b),
            other => panic!("no semiring {other}"),
        }
    }
}

/// `ln(e^a + e^b)`, naively but for the infinities.
fn log_add_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    (a.exp() + b.exp()).ln()
}

impl RingElem for i64 {
    fn abs(self) -> i64 {
        i64::abs(self)
    }
    fn ring(semiring: &str) -> Option<Ring<i64>> {
        let ring = |zero, one, add, mul| {
            Some(Ring {
                zero,
                one,
                add,
                mul,
            })
        };
        match semiring {
            "max_plus" => ring(i64::MIN, 0, max, |a, b| {
                absorbing(a, b, i64::MIN, i64::wrapping_add)
            }),
            "min_plus" => ring(i64::MAX, 0, min, |a, b| {
                absorbing(a, b, i64::MAX, i64::wrapping_add)
            }),
            "max_product" => ring(i64::MIN, 1, max, |a, b| {
                absorbing(a, b, i64::MIN, i64::wrapping_mul)
            }),
            _ => None,
        }
    }
}

/// `op(a, b)`, the semiring's zero absorbing (an integer bound stands for
/// ±∞).
fn absorbing(a: i64, b: i64, zero: i64, op: fn(i64, i64) -> i64) -> i64 {
    if a == zero || b == zero {
        zero
    } else {
        op(a, b)
    }
}

/// The macro under test over one semiring, into `out` with `alpha` and
/// `beta` (the semiring's one and zero for a plain store): `Ok(())`, or
/// the error / panic message.
pub type SemiringCall<T> =
    fn(&[ArrayViewD<'_, T>], ArrayViewMutD<'_, T>, T, T) -> Result<(), String>;

/// Runs `call` (over `semiring`) on every run of [`plan_runs`] against the
/// reference folded with the semiring; half the runs with factors. Panics
/// with every failure.
pub fn check_semiring<T: RingElem>(spec: &Spec, semiring: &str, call: SemiringCall<T>) {
    let Some(ring) = T::ring(semiring) else {
        return;
    };
    let mut rng = Rng::for_text(spec.equation, semiring.len() as u64 * 31);
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
        // max_product is a semiring on numbers >= 0 (a negative factor
        // turns a max into a min): its operands are made so.
        let owned: Vec<ArrayD<T>> = operands
            .iter()
            .map(|op| match semiring {
                "max_product" => op.view().mapv(RingElem::abs),
                _ => op.view().to_owned(),
            })
            .collect();
        let views: Vec<ArrayViewD<'_, T>> = match semiring {
            "max_product" => owned.iter().map(|a| a.view()).collect(),
            _ => operands.iter().map(Operand::view).collect(),
        };
        let expected = reference_over(spec.equation, &views, &ring).value;
        let mut out = Operand::<T>::new(expected.shape(), Layout::Reversed, &mut rng);
        let old = out.view().to_owned();
        let factors = (rng.below(2) == 1).then(|| (T::from_i64(2), T::from_i64(-1)));
        let mut value = expected.clone();
        if let Some((alpha, beta)) = factors {
            value.zip_mut_with(&old, |v, &o| {
                let scaled = (ring.mul)(alpha.widen(), v.widen());
                *v = T::narrow((ring.add)(scaled, (ring.mul)(beta.widen(), o.widen())));
            });
        }
        let threads = [1, 2, 3, 4][rng.below(4) as usize];
        let limit = [Some(64), Some(4096), None, None][rng.below(4) as usize];
        let (alpha, beta) = factors.unwrap_or((T::narrow(ring.one), T::narrow(ring.zero)));
        let outcome = on_pool(threads, limit, || call(&views, out.view_mut(), alpha, beta))
            .and_then(|()| same_values(&out.view().to_owned(), &value));
        if let Err(err) = outcome {
            failures.push(format!(
                "  [{what}] shapes {shapes:?}, layouts {layouts:?}, factors {factors:?}, \
                 {threads} threads, memory limit {limit:?}: {err}"
            ));
        }
    }
    if !failures.is_empty() {
        let total = failures.len();
        failures.truncate(6);
        panic!(
            "{} {:?} as {} over {semiring}: {total} of {} runs failed\n{}",
            spec.name,
            spec.equation,
            std::any::type_name::<T>(),
            runs.len(),
            failures.join("\n")
        );
    }
}

/// Equal values, within a float's rounding of the folds' `⊗` (the path may
/// add the factors in another order); infinities equal.
fn same_values<T: TestElem>(actual: &ArrayD<T>, expected: &ArrayD<T>) -> Result<(), String> {
    let mut bad = Vec::new();
    let mut count = 0;
    for ((index, &a), &e) in actual.indexed_iter().zip(expected.iter()) {
        let close = a == e || a.distance(e) <= T::TOL.max(1e-12) * (1.0 + e.magnitude());
        if !close {
            count += 1;
            if bad.len() < 4 {
                bad.push(format!("at {:?}: got {a:?}, expected {e:?}", index.slice()));
            }
        }
    }
    match count {
        0 => Ok(()),
        _ => Err(format!(
            "{count} of {} elements differ: {}",
            expected.len(),
            bad.join("; ")
        )),
    }
}
