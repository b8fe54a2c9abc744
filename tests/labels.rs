//! Every one of the 52 labels in every position of every kernel shape
//! (tests/generated/labels.rs, written by scripts/gen_labels.py): each
//! expansion compiles, whatever names its loops bind, and computes what
//! the reference einsum does.

mod common;

use common::{assert_matches_reference, Equation, Rng, Sub};
use einsum_static::einsum;
use ndarray::{ArrayD, IxDyn};

/// Operands for `equation`: each label of size 2 or 3 (by its letter), an
/// ellipsis covering one axis of size 2, seeded values.
fn operands(equation: &str) -> Vec<ArrayD<f64>> {
    let mut rng = Rng::for_text(equation, 52);
    Equation::parse(equation)
        .inputs
        .iter()
        .map(|term| {
            let shape: Vec<usize> = term
                .iter()
                .map(|sub| match sub {
                    Sub::Label(c) => 2 + (*c as usize % 2),
                    Sub::Ellipsis => 2,
                })
                .collect();
            ArrayD::from_shape_simple_fn(IxDyn(&shape), || rng.unit())
        })
        .collect()
}

macro_rules! case {
    ($name:ident, $eq:literal, 1) => {
        #[test]
        fn $name() {
            let ops = operands($eq);
            let result = einsum!($eq, &ops[0]);
            assert_matches_reference($eq, &[ops[0].view()], result);
        }
    };
    ($name:ident, $eq:literal, 2) => {
        #[test]
        fn $name() {
            let ops = operands($eq);
            let result = einsum!($eq, &ops[0], &ops[1]);
            assert_matches_reference($eq, &[ops[0].view(), ops[1].view()], result);
        }
    };
    ($name:ident, $eq:literal, 3) => {
        #[test]
        fn $name() {
            let ops = operands($eq);
            let result = einsum!($eq, &ops[0], &ops[1], &ops[2]);
            let views = [ops[0].view(), ops[1].view(), ops[2].view()];
            assert_matches_reference($eq, &views, result);
        }
    };
}

mod generated {
    use super::*;
    include!("generated/labels.rs");
}

/// The generated file is what the script writes today.
#[test]
fn generated_file_is_current() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/gen_labels.py");
    match std::process::Command::new("python3")
        .arg(script)
        .arg("--check")
        .status()
    {
        Ok(status) => assert!(status.success(), "tests/generated/labels.rs is stale"),
        Err(err) => eprintln!("python3 not found ({err}); staleness not checked"),
    }
}
