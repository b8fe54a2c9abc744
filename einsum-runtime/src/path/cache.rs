//! The last plan of each call site: a loop that calls one einsum on
//! operands of the same sizes plans once. Planning many operands costs far
//! more than contracting small ones (see PERFORMANCE.md).

use super::Slicing;
use std::sync::{Arc, Mutex};

/// One call site's last plan and the sizes (and memory budget) it was made
/// for. The macros put one in a `static` next to each call of three or
/// more operands; the labels and terms are fixed there, so the sizes and
/// the budget are the whole key.
///
/// ```
/// use einsum_static::einsum;
/// let m = ndarray::Array2::<f64>::eye(4);
/// for _ in 0..3 {
///     // Planned on the first pass only.
///     let trace: f64 = einsum!("ab,bc,cd,de,ea->", &m, &m, &m, &m, &m);
///     assert_eq!(trace, 4.0);
/// }
/// ```
#[derive(Debug, Default)]
pub struct PlanCache {
    last: Mutex<Option<Cached>>,
}

#[derive(Debug)]
struct Cached {
    sizes: Vec<usize>,
    ellipsis: Vec<usize>,
    budget: f64,
    plan: Arc<Slicing>,
}

impl PlanCache {
    /// An empty cache, for a `static`.
    pub const fn new() -> PlanCache {
        PlanCache {
            last: Mutex::new(None),
        }
    }

    /// The plan for the label `sizes` and `ellipsis` dimensions under
    /// `budget` elements: the cached one when all three match it, else
    /// `plan()`, which then replaces it. The lock is not held while
    /// planning.
    pub(crate) fn get_or_plan(
        &self,
        sizes: &[usize],
        ellipsis: &[usize],
        budget: f64,
        plan: impl FnOnce() -> Slicing,
    ) -> Arc<Slicing> {
        let hit = |c: &Cached| c.sizes == sizes && c.ellipsis == ellipsis && c.budget == budget;
        let lock = || {
            self.last
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(cached) = lock().as_ref().filter(|c| hit(c)) {
            return cached.plan.clone();
        }
        let fresh = Arc::new(plan());
        *lock() = Some(Cached {
            sizes: sizes.to_vec(),
            ellipsis: ellipsis.to_vec(),
            budget,
            plan: fresh.clone(),
        });
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::{Shape, ShapeBinder, Sub::Label, WIDEST};
    use std::cell::Cell;

    fn shape(rows: usize, cols: usize) -> Shape<WIDEST> {
        let a = ndarray::Array2::<f64>::zeros((rows, cols));
        let mut binder = ShapeBinder::new(['i', 'j']);
        binder.bind(0, &a.view(), &[Label(0), Label(1)]).unwrap();
        binder.finish(false).unwrap().widen::<WIDEST>()
    }

    #[test]
    fn plans_again_only_when_the_sizes_or_the_budget_change() {
        let cache = PlanCache::new();
        let planned = Cell::new(0);
        let get = |shape: &Shape<WIDEST>, budget: f64| {
            cache.get_or_plan(shape.label_sizes(), shape.ellipsis(), budget, || {
                planned.set(planned.get() + 1);
                let output = [Label(0)];
                let terms: [&[_]; 2] = [&[Label(0), Label(1)], &[Label(1)]];
                Slicing::plan_wide(shape, &['i', 'j'], &terms, &output, budget)
            })
        };
        let (small, large) = (shape(3, 4), shape(300, 4));
        get(&small, 1e9);
        get(&small, 1e9);
        assert_eq!(planned.get(), 1);
        get(&large, 1e9);
        assert_eq!(planned.get(), 2);
        get(&large, 100.0);
        assert_eq!(planned.get(), 3);
        get(&small, 100.0);
        get(&small, 100.0);
        assert_eq!(planned.get(), 4);
    }
}
