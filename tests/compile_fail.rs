//! Equations and operands that must not compile, each with the exact
//! diagnostic it gives, and calls that must compile whatever the caller has
//! in scope. Regenerate the `.stderr` files after an intended change to a
//! message with `TRYBUILD=overwrite cargo test --test compile_fail`.

#[test]
fn compile_fail() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/ui-pass/*.rs");
}
