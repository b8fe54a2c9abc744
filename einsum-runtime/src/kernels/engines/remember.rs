//! The engines this thread chose lately, by what each was chosen from: a
//! step run again on the same sizes and strides (a call in a loop, each
//! step of a path) takes its engine again without planning it again, as
//! an FFT library keeps its plans. Planning is serial and builds tables
//! of up to millions of offsets.

use super::choice::Engine;
use super::groups::Groups;
use std::any::TypeId;
use std::cell::RefCell;
use std::rc::Rc;

/// The most engines a thread remembers: the steps of a long path.
const MOST_ENGINES: usize = 8;

/// The most bytes of plans (offset tables) a thread keeps alive; a larger
/// plan's step does far more work than its planning.
const MOST_BYTES: usize = 16 << 20;

/// What an engine is chosen from, past the checks on sizes.
#[derive(PartialEq)]
pub(super) struct ChosenFrom {
    /// The element type.
    pub(super) element: TypeId,
    /// The step's axes with their roles, sizes and strides.
    pub(super) groups: Groups,
    /// The memory budget of the step's scratch arrays.
    pub(super) budget: usize,
}

thread_local! {
    /// The engines chosen lately, the latest first.
    static LATELY: RefCell<Vec<(ChosenFrom, Rc<Engine>)>> = const { RefCell::new(Vec::new()) };
}

/// The engine chosen from `from`: the one remembered, else what `choose`
/// makes of its groups (then remembered, if its plan is small enough).
pub(super) fn remembered(from: ChosenFrom, choose: impl FnOnce(&Groups) -> Engine) -> Rc<Engine> {
    let known = LATELY.with_borrow_mut(|lately| {
        let at = lately.iter().position(|(known, _)| *known == from)?;
        let entry = lately.remove(at);
        let engine = entry.1.clone();
        lately.insert(0, entry);
        Some(engine)
    });
    if let Some(engine) = known {
        return engine;
    }
    let engine = Rc::new(choose(&from.groups));
    if engine.plan_bytes() <= MOST_BYTES {
        LATELY.with_borrow_mut(|lately| {
            lately.insert(0, (from, engine.clone()));
            let mut bytes = 0;
            let kept = lately.iter().take(MOST_ENGINES).take_while(|(_, engine)| {
                bytes += engine.plan_bytes();
                bytes <= MOST_BYTES
            });
            let kept = kept.count();
            lately.truncate(kept);
        });
    }
    engine
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::engines::dims::Axis;

    fn from(budget: usize) -> ChosenFrom {
        ChosenFrom {
            element: TypeId::of::<f64>(),
            groups: Groups::default(),
            budget,
        }
    }

    /// The same step takes the same engine without choosing again; a new
    /// one is chosen, and the oldest forgotten past the most kept.
    #[test]
    fn remembers_the_latest_engines() {
        let chosen = |budget| remembered(from(budget), |_| Engine::Loops("chosen"));
        let first = chosen(0);
        let again = remembered(from(0), |_| unreachable!("chosen again"));
        assert!(Rc::ptr_eq(&first, &again));
        for budget in 1..=MOST_ENGINES {
            chosen(budget);
        }
        let again = remembered(from(0), |_| Engine::Loops("forgotten"));
        assert_eq!(again.to_string(), Engine::Loops("forgotten").to_string());
        let mut other = from(0);
        other.groups.m.push(Axis::UNIT);
        let _ = remembered(other, |groups| {
            assert_eq!(groups.m, [Axis::UNIT]);
            Engine::Loops("another step")
        });
    }
}
