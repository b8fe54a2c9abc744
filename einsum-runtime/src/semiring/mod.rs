//! Reductions beyond the sum: the einsum over a semiring (`⊕`, `⊗`), as
//! `semiring = max_plus` asks. `out[i] = ⊕ over the summed labels of the
//! ⊗ of the operands`, with `alpha ⊗ result ⊕ beta ⊗ out` for the options.
//!
//! Every step runs through the generic loops of `step`, or, for the
//! matrix products of max_plus, min_plus and max_product, the packed
//! kernel of `tropical`: one or two
//! operands as one step, three or more along the same pairwise path as
//! the sum (the path is valid for any semiring, and its costs are the
//! same), sliced to the memory budget with the slices' parts combined by
//! `⊕`. Each output element folds its terms in one fixed order, so every
//! thread count gives the same bits.

mod elements;
mod log_gemm;
mod step;
mod tropical;

pub use elements::{LogSumExpElement, OrderedElement};

use crate::context::Context;
use crate::error::EinsumError;
use crate::operand::{EllipsisStrides, Operand, Span, Writer};
use crate::path::{contract_with, on_widened, step_labels, PathCall, PlanCache};
use crate::shapes::{Shape, Sub, WIDE, WIDEST};
use crate::step::BinaryStep;
use crate::Element;
use step::SemiringSteps;

/// A semiring over `T`: `⊕` (folded through an accumulator, for the stable
/// log-sum-exp) and `⊗`, with their identities.
pub trait Semiring<T: Element>: Copy + Send + Sync + 'static {
    /// The name `semiring = ...` takes, for `explain!`.
    const NAME: &'static str;
    /// The identity of `⊕`: the value of an empty sum.
    fn zero() -> T;
    /// The identity of `⊗`: `alpha`'s default.
    fn one() -> T;
    /// `a ⊗ b`.
    fn mul(a: T, b: T) -> T;
    /// `a ⊕ b`.
    fn add(a: T, b: T) -> T;
    /// A running `⊕` of many terms.
    type Acc: Copy;
    /// The accumulator of no term.
    fn start() -> Self::Acc;
    /// Adds `term` to the accumulator.
    fn push(acc: &mut Self::Acc, term: T);
    /// The `⊕` of the terms pushed.
    fn finish(acc: Self::Acc) -> T;
    /// Whether matrix-shaped steps may run the packed kernel (`⊕` is a
    /// max or a min: exact, so any blocking of the sum gives the same
    /// bits).
    #[doc(hidden)]
    const PACKED: bool = false;
    /// `a ⊗ b` as the packed kernel computes it: a value that `⊕` into a
    /// running sum (which starts at `zero` and takes no NaN) treats as it
    /// treats `mul(a, b)`, and may be cheaper.
    #[doc(hidden)]
    #[inline(always)]
    fn packed_mul(a: T, b: T) -> T {
        Self::mul(a, b)
    }
    /// What one term costs the scheduler, in its steps (a multiply-add
    /// each): blocks of work are sized by it, and a term that calls `exp`
    /// is worth many multiply-adds.
    #[doc(hidden)]
    const TERM_WORK: usize = 1;
    /// Runs a step a faster way than the loops' fold, if the semiring has
    /// one, and returns `true`; `false` leaves the step to the loops.
    #[doc(hidden)]
    fn fast_step<const W: usize>(_step: &BinaryStep<'_, '_, T, W>) -> bool {
        false
    }
}

/// `⊕ = max`, `⊗ = +`: Viterbi, longest paths; the empty sum is −∞ (an
/// integer's least value).
#[derive(Debug, Clone, Copy)]
pub struct MaxPlus;

/// `⊕ = min`, `⊗ = +`: shortest paths; the empty sum is +∞ (an integer's
/// greatest value).
#[derive(Debug, Clone, Copy)]
pub struct MinPlus;

/// `⊕ = max`, `⊗ = ×`; the empty sum is −∞ (an integer's least value).
#[derive(Debug, Clone, Copy)]
pub struct MaxProduct;

/// `⊕ = log(exp a + exp b)`, `⊗ = +`: probabilities in log space. Sums are
/// shifted by their running maximum, so large terms do not overflow; the
/// empty sum is −∞.
#[derive(Debug, Clone, Copy)]
pub struct LogSumExp;

macro_rules! ordered_semiring {
    ($name:ident, $label:literal, $zero:ident, $one:expr, $mul:expr, $packed:expr, $pick:expr) => {
        impl<T: OrderedElement> Semiring<T> for $name {
            const NAME: &'static str = $label;
            const PACKED: bool = true;
            #[inline(always)]
            fn packed_mul(a: T, b: T) -> T {
                let packed: fn(T, T) -> T = $packed;
                packed(a, b)
            }
            #[inline(always)]
            fn zero() -> T {
                T::$zero
            }
            #[inline(always)]
            fn one() -> T {
                $one
            }
            #[inline(always)]
            fn mul(a: T, b: T) -> T {
                let mul: fn(T, T) -> T = $mul;
                mul(a, b)
            }
            #[inline(always)]
            fn add(a: T, b: T) -> T {
                // The first unless the second is strictly better: a NaN
                // term is kept once it is the running value.
                if $pick(b, a) {
                    b
                } else {
                    a
                }
            }
            type Acc = T;
            #[inline(always)]
            fn start() -> T {
                T::$zero
            }
            #[inline(always)]
            fn push(acc: &mut T, term: T) {
                *acc = Self::add(*acc, term);
            }
            #[inline(always)]
            fn finish(acc: T) -> T {
                acc
            }
        }
    };
}

/// `a ⊗ b` by `op`, with the semiring's zero `zero` absorbing (as −∞ is
/// for floats; an integer's bound would otherwise move or wrap).
#[inline(always)]
fn absorbing<T: OrderedElement>(a: T, b: T, zero: T, op: fn(T, T) -> T) -> T {
    if a == zero || b == zero {
        zero
    } else {
        op(a, b)
    }
}

/// `a ⊗ b` of max_plus (`MAX`) or min_plus for the packed kernel. Floats
/// add plainly: where `mul` gives the zero (an infinite operand), `+`
/// gives the zero or NaN (−∞ + ∞), and the max or min ignores both.
/// Integers keep the bound absorbing, as `mul` does.
#[inline(always)]
fn packed_plus<T: OrderedElement, const MAX: bool>(a: T, b: T) -> T {
    if T::IEEE {
        a.add_wrapping(b)
    } else {
        let zero = if MAX { T::LOWEST } else { T::HIGHEST };
        absorbing(a, b, zero, T::add_wrapping)
    }
}

ordered_semiring!(
    MaxPlus,
    "max_plus",
    LOWEST,
    T::zero(),
    |a, b| absorbing(a, b, T::LOWEST, T::add_wrapping),
    packed_plus::<T, true>,
    |b: T, a: T| b > a
);
ordered_semiring!(
    MinPlus,
    "min_plus",
    HIGHEST,
    T::zero(),
    |a, b| absorbing(a, b, T::HIGHEST, T::add_wrapping),
    packed_plus::<T, false>,
    |b: T, a: T| b < a
);
ordered_semiring!(
    MaxProduct,
    "max_product",
    LOWEST,
    T::one(),
    |a, b| absorbing(a, b, T::LOWEST, T::mul_wrapping),
    |a, b| absorbing(a, b, T::LOWEST, T::mul_wrapping),
    |b: T, a: T| b > a
);

impl<T: LogSumExpElement> Semiring<T> for LogSumExp {
    const NAME: &'static str = "log_sum_exp";
    const TERM_WORK: usize = log_gemm::TRANSCENDENTAL_WORK;
    fn fast_step<const W: usize>(step: &BinaryStep<'_, '_, T, W>) -> bool {
        log_gemm::run(step)
    }
    fn zero() -> T {
        T::LOWEST
    }
    fn one() -> T {
        T::zero()
    }
    #[inline(always)]
    fn mul(a: T, b: T) -> T {
        a + b
    }
    fn add(a: T, b: T) -> T {
        let mut acc = Self::start();
        Self::push(&mut acc, a);
        Self::push(&mut acc, b);
        Self::finish(acc)
    }
    /// The running maximum and the sum of `exp(term - maximum)`.
    type Acc = (T, T);
    #[inline(always)]
    fn start() -> (T, T) {
        (T::LOWEST, T::zero())
    }
    #[inline(always)]
    fn push((max, sum): &mut (T, T), term: T) {
        if term == T::LOWEST {
            // exp(−∞) adds nothing (and −∞ − −∞ would be NaN).
        } else if term > *max {
            *sum = *sum * (*max - term).exp() + T::one();
            *max = term;
        } else {
            *sum = *sum + (term - *max).exp();
        }
    }
    #[inline(always)]
    fn finish((max, sum): (T, T)) -> T {
        // No term above −∞: −∞, unless a NaN term made the sum NaN.
        if max == T::LOWEST && sum.partial_cmp(&sum).is_some() {
            max
        } else {
            max + sum.ln()
        }
    }
}

/// The einsum of `inputs` into `out` over the semiring `S`; `out`'s scale
/// holds `alpha` and `beta` (see [`crate::Scale::semiring`]). One or two
/// operands run as one step, more along the planned path (`plans` keeps
/// the call site's).
///
/// ```
/// use einsum_static::einsum;
/// let a = ndarray::array![[0.0, 5.0], [1.0, 2.0]];
/// let b = ndarray::array![[1.0, 0.0], [0.0, 3.0]];
/// // best[i, k] = max over j of a[i, j] + b[j, k]
/// let best = einsum!("ij,jk->ik", &a, &b; semiring = max_plus);
/// assert_eq!(best, ndarray::array![[5.0, 8.0], [2.0, 5.0]]);
/// ```
pub fn contract_over<T: Element, S: Semiring<T>, const NL: usize>(
    context: &Context,
    shape: &Shape<NL>,
    labels: [char; NL],
    inputs: &[(&Operand<'_, T, NL>, &[Sub])],
    output: &[Sub],
    out: &Writer<'_, T, NL>,
    plans: &PlanCache,
) -> Result<(), EinsumError> {
    let terms = (&labels[..], inputs, output);
    if const { NL <= WIDE } {
        on_widened::<T, _, NL, WIDE>(context, shape, terms, out, |call, out| {
            contract_wide::<T, S, WIDE>(call, out, plans)
        })
    } else {
        on_widened::<T, _, NL, WIDEST>(context, shape, terms, out, |call, out| {
            contract_wide::<T, S, WIDEST>(call, out, plans)
        })
    }
}

/// [`contract_over`] for `W` labels.
fn contract_wide<T: Element, S: Semiring<T>, const W: usize>(
    call: &PathCall<'_, '_, T, W>,
    out: &Writer<'_, T, W>,
    plans: &PlanCache,
) -> Result<(), EinsumError> {
    let steps = SemiringSteps::<S>::new();
    let (context, shape) = (call.context, call.shape);
    match call.inputs {
        [(a, term)] => {
            // One operand: ⊗ with a one of stride 0 everywhere.
            let one = [S::one()];
            let unit = Operand::new(
                one.as_ptr(),
                [0; W],
                EllipsisStrides::plain(&[]),
                Span::of(&[1], &[1]),
            );
            step::run::<T, S, W>(&BinaryStep {
                context,
                shape,
                labels: &step_labels(&[term]),
                a,
                b: &unit,
                out,
            });
            Ok(())
        }
        [(a, ta), (b, tb)] => {
            step::run::<T, S, W>(&BinaryStep {
                context,
                shape,
                labels: &step_labels(&[ta, tb]),
                a,
                b,
                out,
            });
            Ok(())
        }
        _ => contract_with(&steps, call, out, plans),
    }
}
