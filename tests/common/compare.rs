//! Comparison of results with the reference, with tolerances.

use super::*;

/// Checks `actual` against the reference; the error says where they differ.
pub fn compare<T: TestElem>(
    actual: &Out<T>,
    expected: &Reference<T>,
    kind: Kind,
) -> Result<(), String> {
    if actual.kind != kind {
        return Err(format!(
            "result is {:?} but the equation calls for {kind:?}",
            actual.kind
        ));
    }
    if !actual.standard_layout {
        return Err(format!(
            "result not in standard layout: strides {:?}",
            actual.array.strides()
        ));
    }
    let factors = 8; // at most: the suite's equations have up to 8 operands
    compare_arrays(
        &actual.array,
        &expected.value,
        &expected.scale,
        expected.tolerance(factors),
    )
}

pub fn compare_arrays<T: TestElem>(
    actual: &ArrayD<T>,
    expected: &ArrayD<T>,
    scale: &ArrayD<f64>,
    tol: f64,
) -> Result<(), String> {
    if actual.shape() != expected.shape() {
        return Err(format!(
            "shape {:?}, expected {:?}",
            actual.shape(),
            expected.shape()
        ));
    }
    let mut bad = Vec::new();
    let mut count = 0;
    for ((index, &a), (&e, &s)) in actual.indexed_iter().zip(expected.iter().zip(scale.iter())) {
        if a.distance(e) > tol * s {
            count += 1;
            if bad.len() < 4 {
                bad.push(format!("at {:?}: got {a:?}, expected {e:?}", index.slice()));
            }
        }
    }
    if count == 0 {
        Ok(())
    } else {
        Err(format!(
            "{count} of {} elements differ: {}",
            expected.len(),
            bad.join("; ")
        ))
    }
}

/// Asserts that `actual` equals the reference value of `equation` on `ops`.
#[track_caller]
pub fn assert_matches_reference<T: TestElem, R: ToDyn<T>>(
    equation: &str,
    ops: &[ArrayViewD<'_, T>],
    actual: R,
) {
    let expected = reference(equation, ops);
    let kind = Equation::parse(equation).result_kind();
    if let Err(err) = compare(&actual.to_dyn(), &expected, kind) {
        let shapes: Vec<&[usize]> = ops.iter().map(|o| o.shape()).collect();
        panic!(
            "{equation:?} on shapes {shapes:?} ({}): {err}",
            std::any::type_name::<T>()
        );
    }
}

/// Asserts that the values of `actual` (any form, already an `ArrayD`)
/// equal the reference value of `equation` on `ops`.
#[track_caller]
pub fn assert_values_match<T: TestElem>(
    equation: &str,
    ops: &[ArrayViewD<'_, T>],
    actual: &ArrayD<T>,
) {
    let expected = reference(equation, ops);
    let tol = expected.tolerance(ops.len());
    if let Err(err) = compare_arrays(actual, &expected.value, &expected.scale, tol) {
        let shapes: Vec<&[usize]> = ops.iter().map(|o| o.shape()).collect();
        panic!(
            "{equation:?} on shapes {shapes:?} ({}): {err}",
            std::any::type_name::<T>()
        );
    }
}
