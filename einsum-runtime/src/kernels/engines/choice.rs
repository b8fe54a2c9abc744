//! Which engine runs a GEMM-class step: one decision, from the step's
//! sizes and strides alone, taken by the code that runs the step
//! ([`super::gemm()`]) and by `explain!` alike, so that what `explain!`
//! prints is what runs.

use super::dims::step_axes;
use super::gemm::{GemmPlan, MIN_GEMM_WORK};
use super::groups::Groups;
use super::matvec::MatVec;
use super::packed::Packed;
use super::remember::{remembered, ChosenFrom};
use super::scratch::Scratch;
use super::small_gemm;
use crate::step::BinaryStep;
use crate::Element;
use std::any::TypeId;
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

/// The engine of one GEMM-class step.
#[derive(Debug, Clone)]
pub(crate) enum Engine {
    /// The generated loops: the GEMM engines declined, for this reason.
    Loops(&'static str),
    /// Panels packed through offset tables for the crate's micro-kernel
    /// (see `packed`).
    Packed(Packed),
    /// Batches of products too small to pack (see `small_gemm`).
    SmallGemms(GemmPlan),
    /// One matrix-vector product on contiguous rows.
    MatrixVector(GemmPlan),
    /// GEMM calls on the arrays in place, looping over what does not fuse.
    Gemm(GemmPlan),
    /// Another engine into a scratch array laid out in GEMM order, then a
    /// copy into the output (see `scratch`).
    Scratch(Box<Scratch>),
}

/// The engine chosen for a step, read as an [`Engine`].
// The inline engine is only ever `Loops`, and a `Chosen` lives for one
// call on the stack: its size costs nothing, where boxing would cost a
// tiny call an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Chosen {
    /// The generated loops, declined on the sizes alone: a tiny call
    /// allocates nothing.
    Declined(Engine),
    /// The engine planned for the step, or remembered from a step on the
    /// same sizes and strides (`remember`).
    Planned(Rc<Engine>),
}

impl std::ops::Deref for Chosen {
    type Target = Engine;

    fn deref(&self) -> &Engine {
        match self {
            Chosen::Declined(engine) => engine,
            Chosen::Planned(engine) => engine,
        }
    }
}

/// The engine for the step over `labels` of `shape` with these arrays.
/// The sizes alone settle tiny steps, before the axes are regrouped.
pub(crate) fn choose<T: Element, const NL: usize>(step: &BinaryStep<'_, '_, T, NL>) -> Chosen {
    let declined = |why| Chosen::Declined(Engine::Loops(why));
    let BinaryStep {
        context,
        shape,
        labels,
        out,
        ..
    } = *step;
    let work = labels
        .iter()
        .map(|&l| shape.size(l))
        .chain(shape.ellipsis().iter().copied())
        .fold(1usize, |w, n| w.saturating_mul(n));
    if T::GEMM_ENGINE.is_none() {
        return declined("the element type has no GEMM engine");
    }
    if work < MIN_GEMM_WORK {
        return declined("too little work for a GEMM");
    }
    if out.is_empty() {
        return declined("an empty output");
    }
    let Some(groups) = Groups::new(step_axes(step)) else {
        return declined("no summed or no free axis longer than 1");
    };
    let output_bytes = out.len().saturating_mul(size_of::<T>());
    let budget = context.memory_limit(shape.operand_bytes().max(output_bytes));
    let from = ChosenFrom {
        element: TypeId::of::<T>(),
        groups,
        budget,
    };
    Chosen::Planned(remembered(from, |groups| {
        match choose_for_groups::<T>(groups.clone(), budget) {
            // Packing that gathers may cost more than a scratch array's copy.
            Engine::Packed(direct) => match Scratch::new::<T>(groups, &direct, budget) {
                Some(scratch) => Engine::Scratch(Box::new(scratch)),
                None => Engine::Packed(direct),
            },
            engine => engine,
        }
    }))
}

/// [`choose`] past the checks on sizes: the engines in the order they are
/// preferred, each taking the step if its layout allows.
pub(super) fn choose_for_groups<T: Element>(groups: Groups, budget_bytes: usize) -> Engine {
    choose_planned::<T>(groups, budget_bytes, None)
}

/// [`choose_for_groups`] given the packed engine's plan for `groups`
/// where the caller has made it already (its tables may be long).
pub(super) fn choose_planned<T: Element>(
    groups: Groups,
    budget_bytes: usize,
    packed: Option<Packed>,
) -> Engine {
    let time = T::MULTIPLY_ADD_TIME;
    let plan = GemmPlan::new(groups.clone(), time);
    if plan.has_leftovers() {
        // The looped calls or the tables: the cheaper.
        if let Some(packed) = packed.or_else(|| Packed::new::<T>(&groups)) {
            if packed.cost(time) < plan.cost(time) {
                return Engine::Packed(packed);
            }
        }
    }
    let per_call = plan.per_call();
    if super::gemm::is_small_gemm::<T>(per_call)
        && plan.inner_k.is_empty()
        && small_gemm::rows_fit(&plan.n)
    {
        return Engine::SmallGemms(plan);
    }
    if per_call < MIN_GEMM_WORK {
        return Engine::Loops("too little work per GEMM call");
    }
    if plan.is_matrix_vector() {
        if MatVec::<T>::fits([plan.m, plan.n, plan.k]) {
            return Engine::MatrixVector(plan);
        }
        return Engine::Loops("a matrix-vector product on a strided vector");
    }
    Engine::Gemm(plan.with_k_slices(size_of::<T>(), budget_bytes))
}

impl Engine {
    /// A short name, the same in `explain!`'s text and in [`last_engine`].
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Engine::Loops(_) => "generated loops",
            Engine::Packed(_) => "transpose-free packed GEMM",
            Engine::SmallGemms(_) => "small-GEMM engine",
            Engine::MatrixVector(_) => "matrix-vector engine",
            Engine::Gemm(_) => "GEMM engine",
            Engine::Scratch(_) => "GEMM order in a scratch array",
        }
    }

    /// The bytes its plan holds (the offset tables).
    pub(super) fn plan_bytes(&self) -> usize {
        match self {
            Engine::Packed(packed) => packed.plan_bytes(),
            Engine::Scratch(scratch) => scratch.inner.plan_bytes(),
            _ => 0,
        }
    }

    /// What the scheduler cuts into parallel tasks.
    pub(crate) fn parallel_over(&self) -> String {
        match self {
            Engine::Loops(_) => "as the generated loops (below)".into(),
            Engine::Packed(_) => {
                "the panels of B as they are packed, then blocks of rows (or the batch)".into()
            }
            Engine::SmallGemms(_) => "blocks of the batch".into(),
            Engine::MatrixVector(_) => "blocks of rows".into(),
            Engine::Gemm(plan) if plan.parallel_calls() => {
                format!("the {} GEMM calls, each on one thread", plan.calls())
            }
            Engine::Gemm(plan) if plan.k_slices > 1 => {
                format!("the {} slices of k, each on one thread", plan.k_slices)
            }
            Engine::Gemm(_) => "inside each GEMM call".into(),
            Engine::Scratch(scratch) => {
                format!(
                    "{}; then the copy, by blocks of rows",
                    scratch.inner.parallel_over()
                )
            }
        }
    }
}

impl fmt::Display for Engine {
    /// The engine with its sizes, as `explain!` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        match self {
            Engine::Loops(why) => write!(f, " ({why}), innermost a SIMD kernel call"),
            Engine::Packed(packed) => write!(f, ": {}", packed.describe()),
            Engine::SmallGemms(plan) => write!(
                f,
                " (rows of the output summed in registers): {}",
                plan.describe()
            ),
            Engine::MatrixVector(plan) => write!(
                f,
                " (four rows per pass over the vector): {} rows of {}",
                plan.m.len.max(plan.n.len),
                plan.k.len
            ),
            Engine::Gemm(plan) => write!(f, " (packed and blocked): {}", plan.describe()),
            Engine::Scratch(scratch) => write!(f, ": {}", scratch.describe()),
        }
    }
}

thread_local! {
    /// The engine of the last GEMM-class step this thread ran.
    static LAST: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Notes that this thread runs a step on `engine` (see [`last_engine`]).
pub(crate) fn record(engine: &Engine) {
    LAST.with(|last| last.set(Some(engine.name())));
}

/// Notes that this thread runs a step on an engine outside this choice:
/// the semirings' packed kernel.
pub(crate) fn record_name(name: &'static str) {
    LAST.with(|last| last.set(Some(name)));
}

/// The name of the engine of the last GEMM-class step that this thread
/// handed to the GEMM engines (or, over a semiring, ran on the packed
/// kernel: `"packed semiring kernel"`), cleared by the call; `None` when
/// there was none since (steps too small for them are declined before the
/// choice, and run the generated loops). For tests that compare
/// `explain!` with what ran.
#[doc(hidden)]
pub fn last_engine() -> Option<&'static str> {
    LAST.with(|last| last.take())
}
