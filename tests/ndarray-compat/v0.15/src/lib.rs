//! The shared test of tests/ndarray-compat, on this crate's ndarray.

include!("../../user.rs");
