//! The checked equations of recent [`einsum`](super::einsum) calls, so
//! that a loop calling it parses and plans once, as an `einsum!` call site
//! keeps its plan in a `static`.

use super::Contraction;
use crate::error::EinsumError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The most equations kept; past it the cache starts over.
const KEPT: usize = 64;

/// The checked contraction of `equation`, from the cache or new; for a
/// call with `operands` operands, whose count the macros check first.
pub(super) fn contraction(
    equation: &str,
    operands: usize,
) -> Result<Arc<Contraction>, EinsumError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Contraction>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A panic elsewhere cannot leave the map half-updated: use it anyway.
    let lock = || {
        cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some(c) = lock().get(equation) {
        return Ok(Arc::clone(c));
    }
    let c = match Contraction::new(equation) {
        Ok(c) => Arc::new(c),
        // The error the macros report for this many operands.
        Err(err) => {
            return Err(einsum_syntax::check(equation, operands).map_or_else(Into::into, |_| err))
        }
    };
    let mut kept = lock();
    if kept.len() >= KEPT {
        kept.clear();
    }
    kept.insert(equation.to_string(), Arc::clone(&c));
    Ok(c)
}
