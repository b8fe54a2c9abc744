//! Equations and operands that must not compile, each with the exact
//! diagnostic it gives. Regenerate the `.stderr` files after an intended
//! change to a message with `TRYBUILD=overwrite cargo test --test compile_fail`.

#[test]
fn compile_fail() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
