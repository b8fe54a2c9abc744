//! The reference einsum: a naive parser and a loop over every index, sharing no code with the library.

use super::*;

/// One subscript of a term, as the reference parser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sub {
    Label(char),
    Ellipsis,
}

/// An equation with its output resolved (NumPy's implicit rule applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equation {
    pub inputs: Vec<Vec<Sub>>,
    pub output: Vec<Sub>,
    /// Whether the equation had `->`.
    pub explicit: bool,
}

impl Equation {
    pub fn parse(equation: &str) -> Equation {
        let text: String = equation.chars().filter(|c| *c != ' ').collect();
        let (lhs, rhs) = match text.split_once("->") {
            Some((l, r)) => (l, Some(r)),
            None => (text.as_str(), None),
        };
        let term = |t: &str| -> Vec<Sub> {
            let mut out = Vec::new();
            let mut chars = t.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '.' {
                    assert!(
                        chars.next() == Some('.') && chars.next() == Some('.'),
                        "reference: bad ellipsis in {equation:?}"
                    );
                    out.push(Sub::Ellipsis);
                } else {
                    assert!(
                        c.is_ascii_alphabetic(),
                        "reference: bad label in {equation:?}"
                    );
                    out.push(Sub::Label(c));
                }
            }
            out
        };
        let inputs: Vec<Vec<Sub>> = lhs.split(',').map(term).collect();
        let output = match rhs {
            Some(r) => term(r),
            None => {
                let all: Vec<char> = inputs.iter().flat_map(|t| labels(t)).collect();
                let mut once: Vec<char> = all
                    .iter()
                    .copied()
                    .filter(|l| all.iter().filter(|m| *m == l).count() == 1)
                    .collect();
                once.sort();
                let mut out = Vec::new();
                if inputs.iter().any(|t| t.contains(&Sub::Ellipsis)) {
                    out.push(Sub::Ellipsis);
                }
                out.extend(once.into_iter().map(Sub::Label));
                out
            }
        };
        Equation {
            inputs,
            output,
            explicit: rhs.is_some(),
        }
    }

    /// The distinct labels, in order of first appearance in the inputs.
    pub fn labels(&self) -> Vec<char> {
        let mut seen = Vec::new();
        for l in self.inputs.iter().flat_map(|t| labels(t)) {
            if !seen.contains(&l) {
                seen.push(l);
            }
        }
        seen
    }

    /// The kind of result the macro must return for this equation.
    pub fn result_kind(&self) -> Kind {
        if self.output.contains(&Sub::Ellipsis) {
            Kind::Dynamic
        } else {
            match self.output.len() {
                0 => Kind::Scalar,
                n @ 1..=6 => Kind::Static(n),
                _ => Kind::Dynamic,
            }
        }
    }
}

pub fn labels(term: &[Sub]) -> impl Iterator<Item = char> + '_ {
    term.iter().filter_map(|s| match s {
        Sub::Label(c) => Some(*c),
        Sub::Ellipsis => None,
    })
}

/// The reference result and, per output element, the sum of the absolute
/// values of the products that went into it (the scale of rounding errors)
/// and how many products that was.
pub struct Reference<T> {
    pub value: ArrayD<T>,
    pub scale: ArrayD<f64>,
    pub terms: usize,
}

impl<T: TestElem> Reference<T> {
    /// The relative tolerance (of `scale`) for a result computed in `T`:
    /// the type's floor, or the worst case of a plain sum of `terms`
    /// products of `factors` factors each, if larger.
    pub fn tolerance(&self, factors: usize) -> f64 {
        T::TOL.max(2.0 * T::EPS * (self.terms + factors) as f64)
    }
}

/// The plain reference einsum: NumPy's semantics, by brute force. Panics
/// (with NumPy-like words) on operands that do not fit the equation.
pub fn reference<T: TestElem>(equation: &str, ops: &[ArrayViewD<'_, T>]) -> Reference<T> {
    let sum = Ring {
        zero: T::zero().widen(),
        one: T::one().widen(),
        add: |a, b| a + b,
        mul: |a, b| a * b,
    };
    reference_over(equation, ops, &sum)
}

/// The operations a reference einsum folds with: `+` and `*` for the sum
/// of products, `⊕` and `⊗` for a semiring.
pub struct Ring<W> {
    pub zero: W,
    pub one: W,
    pub add: fn(W, W) -> W,
    pub mul: fn(W, W) -> W,
}

/// [`reference`] over `ring`: each output element the `⊕` over every
/// index point of the `⊗` of the operands, in index order.
pub fn reference_over<T: TestElem>(
    equation: &str,
    ops: &[ArrayViewD<'_, T>],
    ring: &Ring<T::Wide>,
) -> Reference<T> {
    let eq = Equation::parse(equation);
    assert_eq!(eq.inputs.len(), ops.len(), "reference: operand count");
    let labels = eq.labels();
    let pos = |c: char| labels.iter().position(|&l| l == c).unwrap();

    // Sizes: ellipsis dims per operand, broadcast from the right; label
    // sizes equal within an operand, equal or 1 across operands.
    let mut ell_of: Vec<Vec<usize>> = Vec::new();
    let mut size: Vec<Option<usize>> = vec![None; labels.len()];
    for (k, (term, op)) in eq.inputs.iter().zip(ops).enumerate() {
        let named = labels_of_len(term);
        let has_ell = term.contains(&Sub::Ellipsis);
        let ndim = op.ndim();
        assert!(
            if has_ell {
                ndim >= named
            } else {
                ndim == named
            },
            "reference: operand {k} has {ndim} dims for term {term:?}"
        );
        let n_ell = ndim - named;
        let mut axis = 0;
        let mut own: Vec<Option<usize>> = vec![None; labels.len()];
        let mut ell = Vec::new();
        for sub in term {
            match *sub {
                Sub::Ellipsis => {
                    ell.extend_from_slice(&op.shape()[axis..axis + n_ell]);
                    axis += n_ell;
                }
                Sub::Label(c) => {
                    let d = op.shape()[axis];
                    let l = pos(c);
                    match own[l] {
                        Some(prev) => assert_eq!(prev, d, "reference: diagonal of '{c}'"),
                        None => own[l] = Some(d),
                    }
                    size[l] = Some(match size[l] {
                        None => d,
                        Some(s) if s == d || d == 1 => s,
                        Some(1) => d,
                        Some(s) => panic!("reference: label '{c}' has sizes {s} and {d}"),
                    });
                    axis += 1;
                }
            }
        }
        ell_of.push(ell);
    }
    let ell_rank = ell_of.iter().map(Vec::len).max().unwrap_or(0);
    let mut ell_dims = vec![1usize; ell_rank];
    for ell in &ell_of {
        for (j, &d) in ell.iter().enumerate() {
            let slot = ell_rank - ell.len() + j;
            if ell_dims[slot] == 1 {
                ell_dims[slot] = d;
            } else {
                assert!(
                    d == 1 || d == ell_dims[slot],
                    "reference: ellipsis broadcast"
                );
            }
        }
    }
    let out_has_ell = eq.output.contains(&Sub::Ellipsis);
    assert!(
        out_has_ell || ell_rank == 0,
        "reference: ellipsis dims {ell_dims:?} but no '...' in the output"
    );
    let size: Vec<usize> = size.into_iter().map(|s| s.unwrap()).collect();

    let mut out_shape = Vec::new();
    for sub in &eq.output {
        match *sub {
            Sub::Ellipsis => out_shape.extend_from_slice(&ell_dims),
            Sub::Label(c) => out_shape.push(size[pos(c)]),
        }
    }
    // Floats are summed in f64 (Complex<f64>): the reference is then far
    // more accurate than any result in f32.
    let mut value = ArrayD::<T::Wide>::from_elem(IxDyn(&out_shape), ring.zero);
    let mut scale = ArrayD::<f64>::zeros(IxDyn(&out_shape));

    // The full index space: ellipsis dims first, then the labels.
    let dims: Vec<usize> = ell_dims.iter().chain(&size).copied().collect();
    let out_len: usize = out_shape.iter().product();
    let terms = match (dims.iter().product::<usize>(), out_len) {
        (_, 0) | (0, _) => 0,
        (points, out) => points / out,
    };
    let finish = |value: ArrayD<T::Wide>, scale| Reference {
        value: value.mapv(T::narrow),
        scale,
        terms,
    };
    if dims.contains(&0) {
        return finish(value, scale);
    }
    let mut index = vec![0usize; dims.len()];
    let mut op_index: Vec<Vec<usize>> = ops.iter().map(|op| vec![0; op.ndim()]).collect();
    let mut out_index = vec![0usize; out_shape.len()];
    loop {
        let (ell_idx, label_idx) = index.split_at(ell_rank);
        let mut product = ring.one;
        let mut magnitude = 1.0;
        for (k, (term, op)) in eq.inputs.iter().zip(ops).enumerate() {
            let idx = &mut op_index[k];
            let n_ell = ell_of[k].len();
            let mut axis = 0;
            for sub in term {
                match *sub {
                    Sub::Ellipsis => {
                        for j in 0..n_ell {
                            let i = ell_idx[ell_rank - n_ell + j];
                            idx[axis] = if op.shape()[axis] == 1 { 0 } else { i };
                            axis += 1;
                        }
                    }
                    Sub::Label(c) => {
                        let i = label_idx[pos(c)];
                        idx[axis] = if op.shape()[axis] == 1 { 0 } else { i };
                        axis += 1;
                    }
                }
            }
            let x = op[&idx[..]];
            product = (ring.mul)(product, x.widen());
            magnitude *= x.magnitude();
        }
        let mut axis = 0;
        for sub in &eq.output {
            match *sub {
                Sub::Ellipsis => {
                    out_index[axis..axis + ell_rank].copy_from_slice(ell_idx);
                    axis += ell_rank;
                }
                Sub::Label(c) => {
                    out_index[axis] = label_idx[pos(c)];
                    axis += 1;
                }
            }
        }
        let slot = &mut value[&out_index[..]];
        *slot = (ring.add)(*slot, product);
        scale[&out_index[..]] += magnitude;

        // Odometer step, last index fastest.
        let mut k = dims.len();
        loop {
            if k == 0 {
                return finish(value, scale);
            }
            k -= 1;
            index[k] += 1;
            if index[k] < dims[k] {
                break;
            }
            index[k] = 0;
        }
    }
}

fn labels_of_len(term: &[Sub]) -> usize {
    labels(term).count()
}

/// The reference einsum's value alone.
pub fn reference_einsum<T: TestElem>(equation: &str, ops: &[ArrayViewD<'_, T>]) -> ArrayD<T> {
    reference(equation, ops).value
}
