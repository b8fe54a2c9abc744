//! Contraction order for three or more operands, chosen for the actual
//! sizes.
//!
//! The order changes the cost by orders of magnitude (`ij,jk,kl,lm->im`
//! with alternating sizes 512 and 64 costs 2.2e12 operations in one loop
//! nest and 4.2e7 pairwise in the best order), and the best order depends
//! on the sizes, which only the run time knows. So the macro hands the
//! terms to [`contract`], which finds the cheapest pairwise order (every
//! order, by dynamic programming over subsets, up to [`EXHAUSTIVE_UP_TO`]
//! operands; greedily beyond) with opt_einsum's cost model, then runs each
//! pair through the GEMM engine or the generic step kernel.

use crate::shapes::{Shape, Sub, WIDEST};
use std::fmt;

mod cache;
mod contract;
mod operands;
mod slicing;

pub use cache::PlanCache;
pub use contract::contract;

pub(crate) use contract::{budget_elements, planned};
pub(crate) use contract::{contract_wide, contract_with, on_widened, step_labels, PathCall, Steps};
pub use operands::OperandSet;
pub use slicing::Slicing;

/// Operand counts up to this get the exhaustive search (3^n subset pairs).
///
/// ```
/// // Every order of up to 10 operands is considered.
/// assert_eq!(einsum_runtime::path::EXHAUSTIVE_UP_TO, 10);
/// ```
pub const EXHAUSTIVE_UP_TO: usize = 10;

/// A set of labels, as bits (an equation has at most 52).
type Labels = u64;
/// A set of operands as bits, for the exhaustive search only: it sees at
/// most [`EXHAUSTIVE_UP_TO`] operands. Paths name operands by
/// [`OperandSet`], which holds any number.
type Mask = u32;

/// The chosen order: which pairs to contract, and what it costs.
///
/// ```
/// use einsum_static::explain;
/// let (a, b) = (ndarray::Array2::<f64>::zeros((512, 64)), ndarray::Array2::<f64>::zeros((64, 512)));
/// let plan = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?;
/// let path = plan.contraction_path().unwrap();
/// let first = &path.steps()[0]; // jk,kl->jl: operands 1 and 2, a 64x64 intermediate
/// assert_eq!((first.left.to_vec(), first.right.to_vec()), (vec![1], vec![2]));
/// assert_eq!(first.elements, 64.0 * 64.0);
/// assert_eq!(path.cost(), path.steps().iter().map(|s| s.cost).sum::<f64>());
/// assert_eq!(path.largest_intermediate().unwrap().elements, 512.0 * 64.0);
/// assert_eq!(path.peak_elements(), 64.0 * 64.0 + 512.0 * 64.0);
/// # Ok::<(), einsum_static::EinsumError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    steps: Vec<PathStep>,
    naive_cost: f64,
    labels: Vec<char>,
    inputs: Vec<Vec<Sub>>,
}

/// One pairwise contraction of a [`Path`] (see its example).
///
/// ```
/// use einsum_static::explain;
/// let (a, b) = (ndarray::Array2::<f64>::zeros((512, 64)), ndarray::Array2::<f64>::zeros((64, 512)));
/// let plan = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?;
/// let path = plan.contraction_path().unwrap();
/// let first = &path.steps()[0]; // jk,kl->jl: operands 1 and 2, a 64x64 intermediate
/// assert_eq!((first.left.to_vec(), first.right.to_vec()), (vec![1], vec![2]));
/// assert_eq!(first.elements, 64.0 * 64.0);
/// assert_eq!(path.cost(), path.steps().iter().map(|s| s.cost).sum::<f64>());
/// assert_eq!(path.largest_intermediate().unwrap().elements, 512.0 * 64.0);
/// assert_eq!(path.peak_elements(), 64.0 * 64.0 + 512.0 * 64.0);
/// # Ok::<(), einsum_static::EinsumError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PathStep {
    /// The operands (by position) contracted into the left argument: one
    /// operand of the call, or those of an earlier step's result.
    pub left: OperandSet,
    /// The operands (by position) contracted into the right argument.
    pub right: OperandSet,
    /// The subscripts the result keeps, in its axis order.
    pub kept: Vec<Sub>,
    /// opt_einsum's FLOP count of the step.
    pub cost: f64,
    /// The number of elements of its result.
    pub elements: f64,
}

impl Path {
    /// The cheapest order for these terms and sizes, for any number of
    /// operands: every order up to [`EXHAUSTIVE_UP_TO`], greedily beyond.
    /// Panics with more than 64 labels (an equation has at most 52).
    ///
    /// ```
    /// use einsum_runtime::{path::Path, ShapeBinder, Sub::Label};
    /// use ndarray::Array2;
    ///
    /// // ij,jk,kl,lm->im with i = k = m = 512 and j = l = 64.
    /// let (tall, wide) = (Array2::<f64>::zeros((512, 64)), Array2::<f64>::zeros((64, 512)));
    /// let terms = [[Label(0), Label(1)], [Label(1), Label(2)], [Label(2), Label(3)], [Label(3), Label(4)]];
    /// let mut binder = ShapeBinder::new(['i', 'j', 'k', 'l', 'm']);
    /// for (k, (term, op)) in terms.iter().zip([&tall, &wide, &tall, &wide]).enumerate() {
    ///     binder.bind(k, &op.view(), term).unwrap();
    /// }
    /// let shape = binder.finish(false).unwrap();
    /// let terms: Vec<&[_]> = terms.iter().map(|t| &t[..]).collect();
    /// let path = Path::optimal(&shape, ['i', 'j', 'k', 'l', 'm'], &terms, &[Label(0), Label(4)]);
    /// // opt_einsum's optimal path costs the same: jk,kl first (64x64 in between).
    /// assert_eq!(path.cost(), 41_943_040.0);
    /// println!("{path}");
    /// ```
    pub fn optimal<const NL: usize>(
        shape: &Shape<NL>,
        labels: [char; NL],
        inputs: &[&[Sub]],
        output: &[Sub],
    ) -> Path {
        Path::plan(&shape.widen::<WIDEST>(), &labels, inputs, output)
    }

    /// [`Path::optimal`], compiled once for every label count.
    pub(crate) fn plan(
        shape: &Shape<WIDEST>,
        labels: &[char],
        inputs: &[&[Sub]],
        output: &[Sub],
    ) -> Path {
        let planner = Planner::new(shape, labels.len(), inputs, output);
        let steps = if inputs.len() <= EXHAUSTIVE_UP_TO {
            planner.exhaustive()
        } else {
            planner.greedy()
        };
        // NumPy's einsum_path charges one loop nest over every label, one
        // operation per extra operand plus one when something is summed.
        let involved = planner.mask.iter().fold(0, |m, l| m | l);
        let ellipsis = planner.has_ellipsis.contains(&true);
        let one_nest = planner.cost(involved, involved, ellipsis);
        let summed = if involved & !planner.out != 0 {
            1.0
        } else {
            0.0
        };
        let naive_cost = one_nest * ((inputs.len().max(2) - 1) as f64 + summed);
        Path {
            steps,
            naive_cost,
            labels: labels.to_vec(),
            inputs: inputs.iter().map(|t| t.to_vec()).collect(),
        }
    }

    /// The steps, in the order they run.
    ///
    /// ```
    /// # use einsum_static::explain;
    /// # let (a, b) = (ndarray::Array2::<f64>::zeros((512, 64)), ndarray::Array2::<f64>::zeros((64, 512)));
    /// let plan = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?;
    /// let path = plan.contraction_path().unwrap();
    /// assert_eq!(path.steps().len(), 3);
    /// assert_eq!(path.cost(), 41_943_040.0);
    /// assert_eq!(path.peak_elements(), 64.0 * 64.0 + 512.0 * 64.0);
    /// assert_eq!(path.largest_intermediate().unwrap().elements, 512.0 * 64.0);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn steps(&self) -> &[PathStep] {
        &self.steps
    }

    /// The FLOP count of the whole path (opt_einsum's `opt_cost`).
    ///
    /// ```
    /// # use einsum_static::explain;
    /// # let (a, b) = (ndarray::Array2::<f64>::zeros((512, 64)), ndarray::Array2::<f64>::zeros((64, 512)));
    /// let plan = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?;
    /// let path = plan.contraction_path().unwrap();
    /// assert_eq!(path.steps().len(), 3);
    /// assert_eq!(path.cost(), 41_943_040.0);
    /// assert_eq!(path.peak_elements(), 64.0 * 64.0 + 512.0 * 64.0);
    /// assert_eq!(path.largest_intermediate().unwrap().elements, 512.0 * 64.0);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn cost(&self) -> f64 {
        self.steps.iter().map(|s| s.cost).sum()
    }

    /// The most elements the intermediates hold at once while the path
    /// runs: a step's arguments are alive while it writes its result. The
    /// last step writes the caller's output, which is not a temporary.
    ///
    /// ```
    /// # use einsum_static::explain;
    /// # let (a, b) = (ndarray::Array2::<f64>::zeros((512, 64)), ndarray::Array2::<f64>::zeros((64, 512)));
    /// let plan = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?;
    /// let path = plan.contraction_path().unwrap();
    /// assert_eq!(path.steps().len(), 3);
    /// assert_eq!(path.cost(), 41_943_040.0);
    /// assert_eq!(path.peak_elements(), 64.0 * 64.0 + 512.0 * 64.0);
    /// assert_eq!(path.largest_intermediate().unwrap().elements, 512.0 * 64.0);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn peak_elements(&self) -> f64 {
        let mut live: Vec<(OperandSet, f64)> = Vec::new();
        let mut peak: f64 = 0.0;
        for step in &self.steps[..self.steps.len().saturating_sub(1)] {
            let alive: f64 = live.iter().map(|(_, n)| n).sum();
            peak = peak.max(alive + step.elements);
            live.retain(|(set, _)| *set != step.left && *set != step.right);
            live.push((step.left.union(&step.right), step.elements));
        }
        peak
    }

    /// The intermediate with the most elements, if the path has any.
    ///
    /// ```
    /// # use einsum_static::explain;
    /// # let (a, b) = (ndarray::Array2::<f64>::zeros((512, 64)), ndarray::Array2::<f64>::zeros((64, 512)));
    /// let plan = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?;
    /// let path = plan.contraction_path().unwrap();
    /// assert_eq!(path.steps().len(), 3);
    /// assert_eq!(path.cost(), 41_943_040.0);
    /// assert_eq!(path.peak_elements(), 64.0 * 64.0 + 512.0 * 64.0);
    /// assert_eq!(path.largest_intermediate().unwrap().elements, 512.0 * 64.0);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn largest_intermediate(&self) -> Option<&PathStep> {
        let temps = &self.steps[..self.steps.len().saturating_sub(1)];
        temps
            .iter()
            .max_by(|x, y| x.elements.total_cmp(&y.elements))
    }

    /// The input terms, in the call's order.
    pub(crate) fn inputs(&self) -> &[Vec<Sub>] {
        &self.inputs
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let term = |subs: &[Sub]| -> String {
            subs.iter()
                .map(|s| match s {
                    Sub::Label(l) => self.labels[*l].to_string(),
                    Sub::Ellipsis => "...".into(),
                })
                .collect()
        };
        let mut names: Vec<(OperandSet, String)> = self
            .inputs
            .iter()
            .enumerate()
            .map(|(k, t)| (OperandSet::single(k), term(t)))
            .collect();
        writeln!(f, "  naive FLOP count:      {:.4e}", self.naive_cost)?;
        writeln!(f, "  optimized FLOP count:  {:.4e}", self.cost())?;
        writeln!(
            f,
            "  speed-up:              {:.1}x",
            self.naive_cost / self.cost().max(1.0)
        )?;
        for (k, step) in self.steps.iter().enumerate() {
            let name =
                |set: &OperandSet| names.iter().find(|(s, _)| s == set).map(|(_, n)| n.clone());
            let (left, right) = (
                name(&step.left).unwrap_or_default(),
                name(&step.right).unwrap_or_default(),
            );
            let kept = term(&step.kept);
            writeln!(
                f,
                "  step {}: {left},{right}->{kept}  ({:.4e} FLOPs)",
                k + 1,
                step.cost
            )?;
            names.push((step.left.union(&step.right), kept));
        }
        Ok(())
    }
}

/// Precomputed label sets of the operands.
struct Planner<'s> {
    shape: &'s Shape<WIDEST>,
    /// The equation's number of labels.
    nl: usize,
    /// The labels of each operand.
    mask: Vec<Labels>,
    /// Which operands have an ellipsis.
    has_ellipsis: Vec<bool>,
    /// The output's labels, and whether it has an ellipsis.
    out: Labels,
    out_ellipsis: bool,
    output: Vec<Sub>,
    /// The labels of every subset of the operands, by its bits, and the
    /// operands with an ellipsis, for the exhaustive search (which asks
    /// for them millions of times); empty beyond its reach.
    subset_labels: Vec<Labels>,
    ellipsis_mask: Mask,
}

/// One argument of a step in the greedy search: some operands, and the
/// labels it has (an input's own, or those its intermediate kept).
struct Arg {
    operands: OperandSet,
    labels: Labels,
    /// Whether one of its operands has an ellipsis.
    ellipsis: bool,
    /// Whether it is one input rather than an intermediate.
    single: bool,
}

impl<'s> Planner<'s> {
    fn new(shape: &'s Shape<WIDEST>, nl: usize, inputs: &[&[Sub]], output: &[Sub]) -> Self {
        assert!(
            nl <= Labels::BITS as usize,
            "the planner takes at most 64 labels (an equation has at most 52), not {nl}"
        );
        let labels_of = |term: &[Sub]| {
            term.iter().fold(0, |m, s| match s {
                Sub::Label(l) => m | 1 << l,
                Sub::Ellipsis => m,
            })
        };
        let mask: Vec<Labels> = inputs.iter().map(|t| labels_of(t)).collect();
        let has_ellipsis: Vec<bool> = inputs.iter().map(|t| t.contains(&Sub::Ellipsis)).collect();
        let (mut subset_labels, mut ellipsis_mask) = (Vec::new(), 0);
        if mask.len() <= EXHAUSTIVE_UP_TO {
            subset_labels = vec![0; 1 << mask.len()];
            for set in 1..subset_labels.len() {
                let lowest = set.trailing_zeros() as usize;
                subset_labels[set] = subset_labels[set & (set - 1)] | mask[lowest];
            }
            ellipsis_mask = (0..mask.len())
                .filter(|&k| has_ellipsis[k])
                .fold(0, |m, k| m | 1 << k);
        }
        Planner {
            shape,
            nl,
            mask,
            has_ellipsis,
            out: labels_of(output),
            out_ellipsis: output.contains(&Sub::Ellipsis),
            output: output.to_vec(),
            subset_labels,
            ellipsis_mask,
        }
    }

    /// Whether an argument holding operands with an ellipsis (`ellipsis`)
    /// has the ellipsis axes: an input does, an intermediate when the
    /// output keeps them.
    fn carries_ellipsis(&self, ellipsis: bool, single: bool) -> bool {
        ellipsis && (single || self.out_ellipsis)
    }

    /// opt_einsum's `flop_count` for one pairwise step: the product of the
    /// sizes of every label involved, times 2 when something is summed.
    fn cost(&self, involved: Labels, kept: Labels, ellipsis: bool) -> f64 {
        let size = self.size_of(involved, ellipsis);
        let factor = if involved & !kept != 0 { 2.0 } else { 1.0 };
        size * factor
    }

    /// The step contracting `left` with `right` into an array with the
    /// labels `kept` (the output itself when `full`).
    fn step(
        &self,
        (left, right): (OperandSet, OperandSet),
        kept: Labels,
        full: bool,
        ellipsis: bool,
        cost: f64,
    ) -> PathStep {
        let labels = kept;
        let kept = if full {
            self.output.clone()
        } else {
            let mut kept = Vec::new();
            if self.carries_ellipsis(ellipsis, false) {
                kept.push(Sub::Ellipsis);
            }
            // Output labels first, in the output's order, then the rest: a
            // layout the last steps can often fuse without copies.
            for sub in &self.output {
                if matches!(sub, Sub::Label(l) if labels & 1 << l != 0) {
                    kept.push(*sub);
                }
            }
            for l in 0..self.nl {
                if labels & 1 << l != 0 && self.out & 1 << l == 0 {
                    kept.push(Sub::Label(l));
                }
            }
            kept
        };
        let elements = self
            .shape
            .dims_of(&kept)
            .iter()
            .map(|&d| d as f64)
            .product();
        PathStep {
            left,
            right,
            kept,
            cost,
            elements,
        }
    }

    /// The product of the sizes of `labels`, and of the ellipsis dimensions
    /// when `with_ellipsis`.
    fn size_of(&self, labels: Labels, with_ellipsis: bool) -> f64 {
        let mut size: f64 = 1.0;
        let mut rest = labels;
        while rest != 0 {
            size *= self.shape.size(rest.trailing_zeros() as usize) as f64;
            rest &= rest - 1;
        }
        if with_ellipsis {
            size *= self
                .shape
                .ellipsis()
                .iter()
                .map(|&d| d as f64)
                .product::<f64>();
        }
        size
    }
}

/// The exhaustive search, over operand sets as bits: at most
/// [`EXHAUSTIVE_UP_TO`] operands, so they fit a [`Mask`].
impl Planner<'_> {
    fn full(&self) -> Mask {
        debug_assert!(self.mask.len() <= EXHAUSTIVE_UP_TO);
        (1 << self.mask.len()) - 1
    }

    fn ellipsis_in(&self, set: Mask) -> bool {
        set & self.ellipsis_mask != 0
    }

    /// The labels the result of contracting `set` must keep: those still
    /// needed by the other operands or the output.
    fn kept(&self, set: Mask) -> Labels {
        let labels = &self.subset_labels;
        labels[set as usize] & (labels[(self.full() & !set) as usize] | self.out)
    }

    /// The labels an argument of a step has: an input's own, or the kept
    /// labels of an intermediate.
    fn kept_or_input(&self, set: Mask) -> Labels {
        if set.count_ones() == 1 {
            self.mask[set.trailing_zeros() as usize]
        } else {
            self.kept(set)
        }
    }

    /// The labels of the result of contracting `set`.
    fn result_labels(&self, set: Mask) -> Labels {
        if set == self.full() {
            self.out
        } else {
            self.kept(set)
        }
    }

    fn step_cost(&self, left: Mask, right: Mask) -> f64 {
        let union = left | right;
        let involved = self.kept_or_input(left) | self.kept_or_input(right);
        self.cost(involved, self.result_labels(union), self.ellipsis_in(union))
    }

    /// Dynamic programming over subsets: the cheapest tree for each set.
    fn exhaustive(&self) -> Vec<PathStep> {
        let full = self.full();
        let mut best_cost = vec![f64::INFINITY; full as usize + 1];
        let mut best_split = vec![0 as Mask; full as usize + 1];
        for k in 0..self.mask.len() {
            best_cost[1 << k] = 0.0;
        }
        for set in 1..=full {
            if set.count_ones() < 2 {
                continue;
            }
            // Each split once: the left part holds the lowest operand.
            let low = set & set.wrapping_neg();
            let rest = set & !low;
            let mut sub = rest;
            loop {
                let left = low | sub;
                if left != set {
                    let right = set & !left;
                    let cost = best_cost[left as usize]
                        + best_cost[right as usize]
                        + self.step_cost(left, right);
                    // The first split is taken even at an infinite cost
                    // (sizes beyond f64), so that every set has one.
                    if cost < best_cost[set as usize] || best_split[set as usize] == 0 {
                        best_cost[set as usize] = cost;
                        best_split[set as usize] = left;
                    }
                }
                if sub == 0 {
                    break;
                }
                sub = (sub - 1) & rest;
            }
        }
        let mut steps = Vec::new();
        self.unfold(full, &best_split, &mut steps);
        steps
    }

    /// The steps of the tree rooted at `set`, children first.
    fn unfold(&self, set: Mask, split: &[Mask], steps: &mut Vec<PathStep>) {
        if set.count_ones() < 2 {
            return;
        }
        let left = split[set as usize];
        let right = set & !left;
        self.unfold(left, split, steps);
        self.unfold(right, split, steps);
        let arguments = (
            OperandSet::from_bits(left.into()),
            OperandSet::from_bits(right.into()),
        );
        steps.push(self.step(
            arguments,
            self.result_labels(set),
            set == self.full(),
            self.ellipsis_in(set),
            self.step_cost(left, right),
        ));
    }
}

/// The greedy search, for any number of operands.
impl Planner<'_> {
    /// opt_einsum's greedy order, for many operands: repeatedly the pair
    /// that shrinks memory most (result size minus argument sizes), fewest
    /// FLOPs on ties, among pairs that share a label; outer products only
    /// when no pair shares one.
    fn greedy(&self) -> Vec<PathStep> {
        let mut live: Vec<Arg> = (0..self.mask.len())
            .map(|k| Arg {
                operands: OperandSet::single(k),
                labels: self.mask[k],
                ellipsis: self.has_ellipsis[k],
                single: true,
            })
            .collect();
        // How many live arguments have each label: a label of a pair is
        // still needed elsewhere when a third argument has it.
        let mut holders = [0usize; Labels::BITS as usize];
        let count = |holders: &mut [usize], labels: Labels, add: bool| {
            for (l, n) in holders.iter_mut().enumerate() {
                if labels & 1 << l != 0 {
                    if add {
                        *n += 1;
                    } else {
                        *n -= 1;
                    }
                }
            }
        };
        for arg in &live {
            count(&mut holders, arg.labels, true);
        }
        let elements =
            |arg: &Arg| self.size_of(arg.labels, self.carries_ellipsis(arg.ellipsis, arg.single));
        let mut steps = Vec::new();
        while live.len() > 1 {
            let at_least = |n: usize| {
                (0..holders.len())
                    .filter(|&l| holders[l] >= n)
                    .fold(0, |m: Labels, l| m | 1 << l)
            };
            let (twice, thrice) = (at_least(2), at_least(3));
            let full = live.len() == 2;
            let result = |x: &Arg, y: &Arg| -> Labels {
                if full {
                    return self.out;
                }
                let elsewhere = (x.labels & y.labels & thrice) | ((x.labels ^ y.labels) & twice);
                (x.labels | y.labels) & (elsewhere | self.out)
            };
            let shares = |x: &Arg, y: &Arg| x.labels & y.labels != 0;
            let any_shared =
                (0..live.len()).any(|x| (x + 1..live.len()).any(|y| shares(&live[x], &live[y])));
            let mut best: Option<(usize, usize, (f64, f64))> = None;
            for x in 0..live.len() {
                for y in x + 1..live.len() {
                    let (left, right) = (&live[x], &live[y]);
                    if any_shared && !shares(left, right) {
                        continue;
                    }
                    let kept = result(left, right);
                    let ellipsis = left.ellipsis || right.ellipsis;
                    let removed = self.size_of(kept, self.carries_ellipsis(ellipsis, false))
                        - elements(left)
                        - elements(right);
                    let cost = self.cost(left.labels | right.labels, kept, ellipsis);
                    let score = (removed, cost);
                    if best.is_none_or(|(_, _, b)| score < b) {
                        best = Some((x, y, score));
                    }
                }
            }
            let (x, y, (_, cost)) = best.expect("two or more operands are live");
            let right = live.remove(y);
            let left = &live[x];
            let kept = result(left, &right);
            let merged = Arg {
                operands: left.operands.union(&right.operands),
                labels: kept,
                ellipsis: left.ellipsis || right.ellipsis,
                single: false,
            };
            count(&mut holders, left.labels, false);
            count(&mut holders, right.labels, false);
            count(&mut holders, kept, true);
            let operands = (left.operands.clone(), right.operands);
            steps.push(self.step(operands, kept, full, merged.ellipsis, cost));
            live[x] = merged;
        }
        steps
    }
}
