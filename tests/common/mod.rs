//! Shared by the integration tests: a plain reference einsum (the oracle),
//! results of every form as `ArrayD`, seeded operands in many memory layouts,
//! and the comparison.
//!
//! The reference is deliberately naive and shares no code with the library:
//! it parses the equation itself and loops over every index of every label
//! (and of the ellipsis), reading the operands through ndarray's indexing.

// Each test uses a part of these.
#![allow(dead_code, unused_imports)]

use einsum_static::Element;
use ndarray::{
    arr0, Array, ArrayD, ArrayViewD, ArrayViewMutD, Dimension, IxDyn, ShapeBuilder, Slice,
};
use num_complex::Complex;
use std::fmt;
use std::ops::{Add, Mul};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub type C32 = Complex<f32>;
pub type C64 = Complex<f64>;

mod compare;
mod elements;
mod generated;
mod in_place;
mod layouts;
mod numpy_check;
mod reference;
mod results;
mod rng;
mod semirings;

pub use compare::*;
pub use elements::*;
pub use generated::*;
pub use in_place::*;
pub use layouts::*;
pub use numpy_check::*;
pub use reference::*;
pub use results::*;
pub use rng::*;
pub use semirings::*;
