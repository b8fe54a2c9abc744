//! Stage 3: everything that is known without sizes.
//!
//! Labels are numbered; one or two operands make one loop nest, whose
//! loop order is fixed here (see [`Step::loop_order`]); three or more are
//! contracted pairwise in an order chosen at run time for the actual sizes
//! (see [`Body`]).

use crate::parse::{Subscript, Term};
use crate::validate::Checked;

/// A subscript with the label replaced by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sub {
    Label(usize),
    Ellipsis,
}

/// One loop nest: the call's operands (`inputs[k]` is operand `k`)
/// multiplied and summed into its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub inputs: Vec<Vec<Sub>>,
    pub output: Vec<Sub>,
    /// Labels of the inputs that the output lacks, innermost last.
    pub summed: Vec<usize>,
}

/// How the call computes its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// One or two operands: one loop nest, generated for the equation.
    Nest(Step),
    /// Three or more operands: contracted pairwise by the runtime, in an
    /// order it chooses for the bound sizes.
    Path,
}

/// The type an expansion returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// The element itself, for a rank-0 output.
    Scalar,
    /// `Array<T, IxN>` with this N (1 to 6).
    Static(usize),
    /// `ArrayD<T>`: the output has an ellipsis or more than 6 axes.
    Dynamic,
}

/// How an operand's dimension type is bounded at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankBound {
    Exactly(usize),
    AtLeast(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub labels: Vec<char>,
    pub inputs: Vec<Vec<Sub>>,
    pub output: Vec<Sub>,
    pub body: Body,
}

impl Plan {
    pub fn new(checked: &Checked) -> Plan {
        let mut labels: Vec<char> = Vec::new();
        for label in checked.inputs.iter().flat_map(Term::labels) {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        let number = |term: &Term| -> Vec<Sub> {
            term.subscripts
                .iter()
                .map(|s| match s {
                    Subscript::Label(c) => Sub::Label(labels.iter().position(|l| l == c).unwrap()),
                    Subscript::Ellipsis => Sub::Ellipsis,
                })
                .collect()
        };
        let inputs: Vec<Vec<Sub>> = checked.inputs.iter().map(number).collect();
        let output = number(&checked.output);
        let body = match inputs.len() {
            1 | 2 => Body::Nest(step(inputs.clone(), output.clone())),
            _ => Body::Path,
        };
        Plan {
            labels,
            inputs,
            output,
            body,
        }
    }

    /// The loop nest of one or two operands; `None` for a path.
    pub fn nest(&self) -> Option<&Step> {
        match &self.body {
            Body::Nest(step) => Some(step),
            Body::Path => None,
        }
    }

    pub fn result_kind(&self) -> ResultKind {
        match self.output.len() {
            _ if self.output.contains(&Sub::Ellipsis) => ResultKind::Dynamic,
            0 => ResultKind::Scalar,
            n @ 1..=6 => ResultKind::Static(n),
            _ => ResultKind::Dynamic,
        }
    }

    pub fn rank_bound(&self, operand: usize) -> RankBound {
        let term = &self.inputs[operand];
        if term.contains(&Sub::Ellipsis) {
            RankBound::AtLeast(term.len() - 1)
        } else {
            RankBound::Exactly(term.len())
        }
    }
}

/// The loop order of one step, outermost first: the output's subscripts
/// (`outer`), the summed labels, then the `inner` label, whose loop is a
/// runtime kernel call (SIMD, several accumulators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopOrder {
    pub outer: Vec<Sub>,
    pub summed: Vec<usize>,
    pub inner: Option<Inner>,
}

/// The innermost loop's label, and whether it is summed (a reduction into
/// a register) or an output axis (a vector store or accumulate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inner {
    pub label: usize,
    pub summed: bool,
}

impl Step {
    /// Arrays are usually row-major, so the innermost loop should walk the
    /// last axis: of the output when nothing is summed (unit-stride stores),
    /// else of the first input (unit-stride reads of the array that is
    /// summed over).
    pub fn loop_order(&self) -> LoopOrder {
        let out = &self.output;
        let candidate = if self.summed.is_empty() {
            out.last()
        } else {
            self.inputs[0].last()
        };
        let inner = match candidate {
            Some(Sub::Label(l)) => Some(Inner {
                label: *l,
                summed: !out.contains(&Sub::Label(*l)),
            }),
            _ => self.summed.last().map(|&l| Inner {
                label: l,
                summed: true,
            }),
        };
        let not_inner = |l: usize| inner.is_none_or(|i| i.label != l);
        LoopOrder {
            outer: out
                .iter()
                .copied()
                .filter(|s| {
                    matches!(s, Sub::Ellipsis) || matches!(s, Sub::Label(l) if not_inner(*l))
                })
                .collect(),
            summed: self
                .summed
                .iter()
                .copied()
                .filter(|&l| not_inner(l))
                .collect(),
            inner,
        }
    }

    /// Every label the step loops over, in order of first appearance.
    pub fn labels(&self) -> Vec<usize> {
        let mut labels = Vec::new();
        for label in self.inputs.iter().flat_map(|term| labels_of(term)) {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }

    /// Whether the step may be a GEMM: two inputs, a label summed between
    /// them (k), and an output axis from one input only (m or n; with an
    /// ellipsis that is decided by the strides at run time).
    pub fn is_gemm_class(&self) -> bool {
        let [a, b] = &self.inputs[..] else {
            return false;
        };
        let out = &self.output;
        let has = |term: &[Sub], label: usize| term.contains(&Sub::Label(label));
        let k = self.summed.iter().any(|&l| has(a, l) && has(b, l));
        let m_or_n = labels_of(out).any(|l| has(a, l) != has(b, l));
        k && (m_or_n || out.contains(&Sub::Ellipsis))
    }
}

fn labels_of(term: &[Sub]) -> impl Iterator<Item = usize> + '_ {
    term.iter().filter_map(|s| match s {
        Sub::Label(l) => Some(*l),
        Sub::Ellipsis => None,
    })
}

fn step(inputs: Vec<Vec<Sub>>, output: Vec<Sub>) -> Step {
    let mut summed = Vec::new();
    for label in inputs.iter().flat_map(|term| labels_of(term)) {
        if !output.contains(&Sub::Label(label)) && !summed.contains(&label) {
            summed.push(label);
        }
    }
    Step {
        inputs,
        output,
        summed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse::parse, validate::validate};

    fn plan(eq: &str, operands: usize) -> Plan {
        Plan::new(&validate(parse(eq).unwrap(), operands).unwrap())
    }

    #[test]
    fn matmul_is_one_step_summing_j() {
        let p = plan("ij,jk->ik", 2);
        assert_eq!(p.labels, vec!['i', 'j', 'k']);
        let step = p.nest().expect("one loop nest");
        assert_eq!(step.summed, vec![1]);
        assert_eq!(p.result_kind(), ResultKind::Static(2));
        assert_eq!(p.rank_bound(0), RankBound::Exactly(2));
        assert!(step.is_gemm_class());
    }

    fn order(eq: &str, operands: usize) -> (Vec<Sub>, Vec<usize>, Option<Inner>) {
        let o = plan(eq, operands).nest().unwrap().loop_order();
        (o.outer, o.summed, o.inner)
    }

    #[test]
    fn innermost_loop_walks_the_last_axis() {
        use Sub::Label as L;
        let inner = |label, summed| Some(Inner { label, summed });
        // rowdot: j is summed and last in the first input.
        assert_eq!(order("ij,ij->i", 2), (vec![L(0)], vec![], inner(1, true)));
        // outer product: nothing summed, the output's last axis.
        assert_eq!(order("i,j->ij", 2), (vec![L(0)], vec![], inner(1, false)));
        // transpose-sum: k is last in the input and kept in the output.
        assert_eq!(order("ijk->kj", 1), (vec![L(1)], vec![0], inner(2, false)));
        assert_eq!(order("ijk->", 1), (vec![], vec![0, 1], inner(2, true)));
        assert_eq!(
            order("...i->...", 1),
            (vec![Sub::Ellipsis], vec![], inner(0, true))
        );
        assert_eq!(
            order("i...->...", 1),
            (vec![Sub::Ellipsis], vec![], inner(0, true))
        );
        assert_eq!(order("...->...", 1), (vec![Sub::Ellipsis], vec![], None));
    }

    #[test]
    fn gemm_class_needs_k_and_m_or_n() {
        assert!(plan("bij,bjk->bik", 2).nest().unwrap().is_gemm_class());
        assert!(plan("ij,j->i", 2).nest().unwrap().is_gemm_class());
        assert!(!plan("ij,ij->i", 2).nest().unwrap().is_gemm_class());
        assert!(!plan("i,j->ij", 2).nest().unwrap().is_gemm_class());
        assert!(!plan("ij->j", 1).nest().unwrap().is_gemm_class());
    }

    #[test]
    fn three_or_more_operands_are_ordered_at_run_time() {
        let p = plan("ij,kl,jk->il", 3);
        assert_eq!(p.body, Body::Path);
        let p = plan("...ij,...jk,...kl->...il", 3);
        assert_eq!(p.result_kind(), ResultKind::Dynamic);
        assert_eq!(p.rank_bound(0), RankBound::AtLeast(2));
    }

    #[test]
    fn rank_zero_output_is_a_scalar() {
        assert_eq!(plan("ii->", 1).result_kind(), ResultKind::Scalar);
        assert_eq!(
            plan("abcdefg->abcdefg", 1).result_kind(),
            ResultKind::Dynamic
        );
    }
}
