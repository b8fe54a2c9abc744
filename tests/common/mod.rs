//! Shared by the integration tests: a plain reference einsum (the oracle),
//! results of every form as `ArrayD`, seeded operands in many memory layouts,
//! and the comparison.
//!
//! The reference is deliberately naive and shares no code with the library:
//! it parses the equation itself and loops over every index of every label
//! (and of the ellipsis), reading the operands through ndarray's indexing.

#![allow(dead_code)]

use einsum_static::Element;
use ndarray::{arr0, Array, ArrayD, ArrayViewD, Dimension, IxDyn, ShapeBuilder, Slice};
use num_complex::Complex;
use std::fmt;
use std::ops::{Add, Mul};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub type C32 = Complex<f32>;
pub type C64 = Complex<f64>;

// ---------------------------------------------------------------------------
// The reference einsum

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
    let mut value = ArrayD::<T::Wide>::from_elem(IxDyn(&out_shape), T::zero().widen());
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
        let mut product = T::one().widen();
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
            product = product * x.widen();
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
        *slot = *slot + product;
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

// ---------------------------------------------------------------------------
// Results of every form, as ArrayD

/// The form of a macro result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The element type itself (rank-0 output).
    Scalar,
    /// `Array<T, IxN>`.
    Static(usize),
    /// `ArrayD<T>`.
    Dynamic,
}

/// A result turned into an `ArrayD`, with what it was and whether it was in
/// standard layout.
#[derive(Debug, Clone)]
pub struct Out<T> {
    pub array: ArrayD<T>,
    pub kind: Kind,
    pub standard_layout: bool,
}

/// Turns every form of result (scalar `T`, `Array<T, D>`) into `ArrayD<T>`.
pub trait ToDyn<T> {
    fn to_dyn(self) -> Out<T>;
}

impl<T, D: Dimension> ToDyn<T> for Array<T, D> {
    fn to_dyn(self) -> Out<T> {
        let kind = match D::NDIM {
            Some(n) => Kind::Static(n),
            None => Kind::Dynamic,
        };
        let standard_layout = self.is_standard_layout();
        Out {
            array: self.into_dyn(),
            kind,
            standard_layout,
        }
    }
}

// ---------------------------------------------------------------------------
// Element types under test

/// The element types the suite runs: values from a seeded generator, a
/// distance for comparisons, and the tolerance (0: exact).
pub trait TestElem: Element + PartialEq + ToDyn<Self> {
    /// Relative tolerance, scaled by the sum of absolute products.
    const TOL: f64;
    /// The unit roundoff (0 for integers).
    const EPS: f64;
    /// What the reference sums in: f64 (or Complex<f64>) for floats, the
    /// type itself for integers.
    type Wide: Copy + Add<Output = Self::Wide> + Mul<Output = Self::Wide>;
    fn widen(self) -> Self::Wide;
    fn narrow(wide: Self::Wide) -> Self;
    fn random(rng: &mut Rng) -> Self;
    fn from_i64(v: i64) -> Self;
    fn magnitude(self) -> f64;
    fn distance(self, other: Self) -> f64;
}

macro_rules! scalar_to_dyn {
    ($($t:ty),*) => {$(
        impl ToDyn<$t> for $t {
            fn to_dyn(self) -> Out<$t> {
                Out { array: arr0(self).into_dyn(), kind: Kind::Scalar, standard_layout: true }
            }
        }
    )*};
}
scalar_to_dyn!(f32, f64, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, C32, C64);

macro_rules! test_int {
    ($($t:ty),*) => {$(
        impl TestElem for $t {
            const TOL: f64 = 0.0;
            const EPS: f64 = 0.0;
            type Wide = $t;
            fn widen(self) -> Self {
                self
            }
            fn narrow(wide: Self) -> Self {
                wide
            }
            fn random(rng: &mut Rng) -> Self {
                // Small values: products of 8 operands summed over the
                // whole index space (MAX_POINTS) stay far from overflow;
                // for 16-bit types, -1 to 1 (and 0 to 1), for 8-bit, 0 or 1.
                let (lo, hi): (i64, i64) = match (std::mem::size_of::<$t>(), <$t>::MIN == 0) {
                    (1, _) => (0, 1),
                    (2, true) => (0, 1),
                    (2, false) => (-1, 1),
                    (_, true) => (0, 3),
                    (_, false) => (-3, 3),
                };
                (lo + rng.below((hi - lo + 1) as u64) as i64) as $t
            }
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            fn magnitude(self) -> f64 {
                (self as f64).abs()
            }
            fn distance(self, other: Self) -> f64 {
                if self == other { 0.0 } else { f64::INFINITY }
            }
        }
    )*};
}
test_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl TestElem for f64 {
    const TOL: f64 = 1e-10;
    const EPS: f64 = f64::EPSILON / 2.0;
    type Wide = f64;
    fn widen(self) -> f64 {
        self
    }
    fn narrow(wide: f64) -> Self {
        wide
    }
    fn random(rng: &mut Rng) -> Self {
        rng.unit()
    }
    fn from_i64(v: i64) -> Self {
        v as f64
    }
    fn magnitude(self) -> f64 {
        self.abs()
    }
    fn distance(self, other: Self) -> f64 {
        (self - other).abs()
    }
}

impl TestElem for f32 {
    const TOL: f64 = 1e-4;
    const EPS: f64 = f32::EPSILON as f64 / 2.0;
    type Wide = f64;
    fn widen(self) -> f64 {
        self as f64
    }
    fn narrow(wide: f64) -> Self {
        wide as f32
    }
    fn random(rng: &mut Rng) -> Self {
        rng.unit() as f32
    }
    fn from_i64(v: i64) -> Self {
        v as f32
    }
    fn magnitude(self) -> f64 {
        self.abs() as f64
    }
    fn distance(self, other: Self) -> f64 {
        (self as f64 - other as f64).abs()
    }
}

impl TestElem for C64 {
    const TOL: f64 = 1e-10;
    const EPS: f64 = f64::EPSILON / 2.0;
    type Wide = C64;
    fn widen(self) -> C64 {
        self
    }
    fn narrow(wide: C64) -> Self {
        wide
    }
    fn random(rng: &mut Rng) -> Self {
        Complex::new(rng.unit(), rng.unit())
    }
    fn from_i64(v: i64) -> Self {
        Complex::new(v as f64, 0.0)
    }
    fn magnitude(self) -> f64 {
        self.norm()
    }
    fn distance(self, other: Self) -> f64 {
        (self - other).norm()
    }
}

impl TestElem for C32 {
    const TOL: f64 = 1e-4;
    const EPS: f64 = f32::EPSILON as f64 / 2.0;
    type Wide = C64;
    fn widen(self) -> C64 {
        Complex::new(self.re as f64, self.im as f64)
    }
    fn narrow(wide: C64) -> Self {
        Complex::new(wide.re as f32, wide.im as f32)
    }
    fn random(rng: &mut Rng) -> Self {
        Complex::new(rng.unit() as f32, rng.unit() as f32)
    }
    fn from_i64(v: i64) -> Self {
        Complex::new(v as f32, 0.0)
    }
    fn magnitude(self) -> f64 {
        self.norm() as f64
    }
    fn distance(self, other: Self) -> f64 {
        let d = self - other;
        (d.re as f64).hypot(d.im as f64)
    }
}

// ---------------------------------------------------------------------------
// Seeded values

/// SplitMix64: tiny, seeded, good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A seed from a string (an equation), so each case has its own data.
    pub fn for_text(text: &str, salt: u64) -> Rng {
        let mut h: u64 = 0xCBF2_9CE4_8422_2325 ^ salt;
        for b in text.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01B3);
        }
        Rng::new(h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0
    }

    pub fn shuffle<X>(&mut self, items: &mut [X]) {
        for k in (1..items.len()).rev() {
            let j = self.below(k as u64 + 1) as usize;
            items.swap(k, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Operands in many memory layouts

/// How an operand's elements are laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Row-major, contiguous.
    Standard,
    /// Column-major (`.f()`), contiguous.
    Fortran,
    /// A random permutation of the axes of a row-major array.
    Permuted,
    /// Every 2nd or 3rd element of a bigger array, from an offset.
    Stepped,
    /// Every axis reversed: negative strides.
    Reversed,
    /// One axis of size > 1 broadcast from size 1 (stride 0).
    Broadcast,
    /// Permuted, stepped and reversed at once, axis by axis.
    Chaos,
}

pub const LAYOUTS: [Layout; 7] = [
    Layout::Standard,
    Layout::Fortran,
    Layout::Permuted,
    Layout::Stepped,
    Layout::Reversed,
    Layout::Broadcast,
    Layout::Chaos,
];

impl Layout {
    pub fn random(rng: &mut Rng) -> Layout {
        LAYOUTS[rng.below(LAYOUTS.len() as u64) as usize]
    }
}

/// The most elements a stepped operand's storage may have.
const MAX_STORAGE: usize = 1 << 16;

/// An operand: its storage and how to view it with the requested shape.
#[derive(Debug, Clone)]
pub struct Operand<T> {
    pub layout: Layout,
    data: ArrayD<T>,
    /// For each axis of `data`, the slice that selects the view's elements.
    slices: Vec<Slice>,
    /// View axis j is data axis `axes[j]` (after slicing).
    axes: Vec<usize>,
    /// The shape to broadcast the data to, for `Layout::Broadcast`.
    broadcast: Option<Vec<usize>>,
}

impl<T: TestElem> Operand<T> {
    /// Fills storage for `shape` in `layout` with values from `rng`.
    pub fn new(shape: &[usize], layout: Layout, rng: &mut Rng) -> Operand<T> {
        let n = shape.len();
        let identity: Vec<usize> = (0..n).collect();
        let full = |dims: &[usize]| vec![Slice::from(..); dims.len()];
        let fill = |dims: &[usize], rng: &mut Rng| -> Vec<T> {
            (0..dims.iter().product::<usize>())
                .map(|_| T::random(rng))
                .collect()
        };
        let random_perm = |rng: &mut Rng| {
            let mut p = identity.clone();
            rng.shuffle(&mut p);
            p
        };
        match layout {
            Layout::Standard | Layout::Fortran => {
                let values = fill(shape, rng);
                let data = if layout == Layout::Standard {
                    ArrayD::from_shape_vec(IxDyn(shape), values)
                } else {
                    ArrayD::from_shape_vec(IxDyn(shape).f(), values)
                }
                .unwrap();
                Operand {
                    layout,
                    slices: full(shape),
                    axes: identity,
                    broadcast: None,
                    data,
                }
            }
            Layout::Permuted | Layout::Stepped | Layout::Reversed | Layout::Chaos => {
                // View axis j is data axis axes[j]; data axis axes[j] holds
                // the (sliced) extent shape[j].
                let axes = if matches!(layout, Layout::Permuted | Layout::Chaos) {
                    random_perm(rng)
                } else {
                    identity.clone()
                };
                let mut data_dims = vec![0; n];
                let mut slices = vec![Slice::from(..); n];
                // Each stepped axis multiplies the storage by about its
                // step: step only while it stays small.
                let mut storage: usize = shape.iter().map(|&d| d.max(1)).product();
                for (j, &d) in shape.iter().enumerate() {
                    let a = axes[j];
                    let (mut step, reverse) = match layout {
                        Layout::Permuted => (1, false),
                        Layout::Stepped => (2 + (j % 2), false),
                        Layout::Reversed => (1, true),
                        _ => (1 + rng.below(3) as usize, rng.below(2) == 1),
                    };
                    let grown = storage / d.max(1) * (d * step + 1);
                    if step > 1 && grown > MAX_STORAGE {
                        step = 1;
                    } else if step > 1 {
                        storage = grown;
                    }
                    if step == 1 {
                        data_dims[a] = d;
                        slices[a] = Slice::new(0, None, if reverse { -1 } else { 1 });
                    } else {
                        // d elements at 1, 1 + step, ... of d * step + 1.
                        data_dims[a] = d * step + 1;
                        let step = step as isize;
                        slices[a] = if reverse {
                            Slice::new(0, Some(-1), -step)
                        } else {
                            Slice::new(1, None, step)
                        };
                    }
                }
                let values = fill(&data_dims, rng);
                Operand {
                    layout,
                    data: ArrayD::from_shape_vec(IxDyn(&data_dims), values).unwrap(),
                    slices,
                    axes,
                    broadcast: None,
                }
            }
            Layout::Broadcast => {
                let wide: Vec<usize> = (0..n).filter(|&j| shape[j] > 1).collect();
                let mut data_dims = shape.to_vec();
                if !wide.is_empty() {
                    let j = wide[rng.below(wide.len() as u64) as usize];
                    data_dims[j] = 1;
                }
                let values = fill(&data_dims, rng);
                Operand {
                    layout,
                    slices: full(shape),
                    axes: identity,
                    broadcast: Some(shape.to_vec()),
                    data: ArrayD::from_shape_vec(IxDyn(&data_dims), values).unwrap(),
                }
            }
        }
    }

    pub fn view(&self) -> ArrayViewD<'_, T> {
        if let Some(shape) = &self.broadcast {
            return self.data.broadcast(IxDyn(shape)).unwrap();
        }
        self.data
            .slice_each_axis(|ax| self.slices[ax.axis.index()])
            .permuted_axes(IxDyn(&self.axes))
    }
}

impl<T> fmt::Display for Operand<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.layout)
    }
}

// ---------------------------------------------------------------------------
// Comparison

/// Checks `actual` against the reference; the error says where they differ.
pub fn compare<T: TestElem>(
    actual: &Out<T>,
    expected: &Reference<T>,
    kind: Kind,
) -> Result<(), String> {
    if actual.kind != kind {
        return Err(format!(
            "result is {:?} but the equation calls for {kind:?}",
            actual.kind
        ));
    }
    if !actual.standard_layout {
        return Err(format!(
            "result not in standard layout: strides {:?}",
            actual.array.strides()
        ));
    }
    let factors = 8; // at most: the suite's equations have up to 8 operands
    compare_arrays(
        &actual.array,
        &expected.value,
        &expected.scale,
        expected.tolerance(factors),
    )
}

pub fn compare_arrays<T: TestElem>(
    actual: &ArrayD<T>,
    expected: &ArrayD<T>,
    scale: &ArrayD<f64>,
    tol: f64,
) -> Result<(), String> {
    if actual.shape() != expected.shape() {
        return Err(format!(
            "shape {:?}, expected {:?}",
            actual.shape(),
            expected.shape()
        ));
    }
    let mut bad = Vec::new();
    let mut count = 0;
    for ((index, &a), (&e, &s)) in actual.indexed_iter().zip(expected.iter().zip(scale.iter())) {
        if a.distance(e) > tol * s {
            count += 1;
            if bad.len() < 4 {
                bad.push(format!("at {:?}: got {a:?}, expected {e:?}", index.slice()));
            }
        }
    }
    if count == 0 {
        Ok(())
    } else {
        Err(format!(
            "{count} of {} elements differ: {}",
            expected.len(),
            bad.join("; ")
        ))
    }
}

/// Asserts that `actual` equals the reference value of `equation` on `ops`.
#[track_caller]
pub fn assert_matches_reference<T: TestElem, R: ToDyn<T>>(
    equation: &str,
    ops: &[ArrayViewD<'_, T>],
    actual: R,
) {
    let expected = reference(equation, ops);
    let kind = Equation::parse(equation).result_kind();
    if let Err(err) = compare(&actual.to_dyn(), &expected, kind) {
        let shapes: Vec<&[usize]> = ops.iter().map(|o| o.shape()).collect();
        panic!(
            "{equation:?} on shapes {shapes:?} ({}): {err}",
            std::any::type_name::<T>()
        );
    }
}

/// Asserts that the values of `actual` (any form, already an `ArrayD`)
/// equal the reference value of `equation` on `ops`.
#[track_caller]
pub fn assert_values_match<T: TestElem>(
    equation: &str,
    ops: &[ArrayViewD<'_, T>],
    actual: &ArrayD<T>,
) {
    let expected = reference(equation, ops);
    let tol = expected.tolerance(ops.len());
    if let Err(err) = compare_arrays(actual, &expected.value, &expected.scale, tol) {
        let shapes: Vec<&[usize]> = ops.iter().map(|o| o.shape()).collect();
        panic!(
            "{equation:?} on shapes {shapes:?} ({}): {err}",
            std::any::type_name::<T>()
        );
    }
}

// ---------------------------------------------------------------------------
// The generated cases

/// One generated equation: label sizes ("i2 j3") and the dims each
/// operand's ellipsis covers.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub equation: &'static str,
    pub sizes: &'static str,
    pub ellipsis: &'static [&'static [usize]],
}

/// The macro under test, on views: the result as an `ArrayD`, or the error
/// (`try_einsum!`) / panic message (`einsum!`).
pub type Call<T> = fn(&[ArrayViewD<'_, T>]) -> Result<Out<T>, String>;

/// Label sizes of one run: a size per label and, for labels broadcast in
/// some operands, size 1 there.
#[derive(Debug, Clone)]
struct Sizes {
    of: Vec<(char, usize)>,
    /// (operand, label): this operand has size 1 for the label.
    ones: Vec<(usize, char)>,
}

impl Sizes {
    fn get(&self, operand: usize, label: char) -> usize {
        if self.ones.contains(&(operand, label)) {
            1
        } else {
            self.of.iter().find(|(l, _)| *l == label).unwrap().1
        }
    }

    fn points(&self, ell: &[usize]) -> usize {
        self.of.iter().map(|(_, s)| s).product::<usize>() * ell.iter().product::<usize>()
    }
}

impl fmt::Display for Sizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<String> = self.of.iter().map(|(l, s)| format!("{l}={s}")).collect();
        write!(f, "{}", sizes.join(" "))?;
        if !self.ones.is_empty() {
            let ones: Vec<String> = self
                .ones
                .iter()
                .map(|(k, l)| format!("'{l}'=1 in operand {k}"))
                .collect();
            write!(f, " ({})", ones.join(", "))?;
        }
        Ok(())
    }
}

fn parse_sizes(text: &str) -> Vec<(char, usize)> {
    text.split_whitespace()
        .map(|item| {
            let mut chars = item.chars();
            let label = chars.next().unwrap();
            (label, chars.as_str().parse().unwrap())
        })
        .collect()
}

/// Runs in random mixed layouts per equation and element type: 3, or with
/// `EINSUM_SOAK` set (a soak, not for CI) `EINSUM_SOAK=<n>` or 100. Each
/// also draws its own thread count and memory limit.
fn mixed_layout_runs() -> usize {
    match std::env::var("EINSUM_SOAK") {
        Ok(value) => value.parse().unwrap_or(100),
        Err(_) => 3,
    }
}

/// The most index points a run may have (the reference is slow).
pub const MAX_POINTS: usize = 20_000;

/// Runs `call` on the spec's sizes in every layout, and on variations of
/// the sizes (all 1, one label 0, larger, a label broadcast from 1), each
/// checked against the reference. Panics with every failure's equation,
/// sizes, layouts and element type.
/// One run of a generated equation: what it varies, the sizes, a layout
/// per operand and the operands' shapes.
#[derive(Debug, Clone)]
pub struct Run {
    pub what: String,
    sizes: Sizes,
    pub layouts: Vec<Layout>,
    pub shapes: Vec<Vec<usize>>,
}

/// The runs of a spec: its sizes in every layout, then variations of the
/// sizes (all 1, each label 0, larger, a label broadcast from 1), each in
/// random layouts drawn from `rng`.
pub fn plan_runs(spec: &Spec, rng: &mut Rng) -> Vec<Run> {
    let eq = Equation::parse(spec.equation);
    let base = Sizes {
        of: parse_sizes(spec.sizes),
        ones: Vec::new(),
    };
    assert_eq!(
        base.of.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        eq.labels(),
        "{}: the spec's labels",
        spec.name
    );
    let ell: Vec<Vec<usize>> = spec.ellipsis.iter().map(|e| e.to_vec()).collect();
    let ell_rank = ell.iter().map(Vec::len).max().unwrap_or(0);
    let ell_dims: Vec<usize> = (0..ell_rank)
        .map(|slot| {
            ell.iter()
                .filter_map(|e| e.len().checked_sub(ell_rank - slot).map(|k| e[k]))
                .fold(1, |acc, d| if acc == 1 { d } else { acc })
        })
        .collect();
    let n = eq.inputs.len();
    let mut runs: Vec<(String, Sizes, Vec<Layout>)> = Vec::new();

    // The spec's sizes in every layout, then in mixed layouts.
    for layout in LAYOUTS {
        runs.push(("base".into(), base.clone(), vec![layout; n]));
    }
    for _ in 0..mixed_layout_runs() {
        let layouts = (0..n).map(|_| Layout::random(rng)).collect();
        runs.push(("base, mixed".into(), base.clone(), layouts));
    }
    // Every label of size 1.
    let mut ones = base.clone();
    ones.of.iter_mut().for_each(|(_, s)| *s = 1);
    runs.push(("all 1".into(), ones, random_layouts(rng, n)));
    // Each label of size 0 in turn.
    for k in 0..base.of.len() {
        let mut zero = base.clone();
        zero.of[k].1 = 0;
        runs.push((
            format!("'{}' = 0", zero.of[k].0),
            zero,
            random_layouts(rng, n),
        ));
    }
    // Larger sizes, while the index space stays small: every label at
    // least 4, then the smallest grown one at a time, so equations with few
    // labels get long loops (the kernels' unrolled and SIMD paths, blocks,
    // the GEMM engine).
    let mut large = base.clone();
    large.of.iter_mut().for_each(|(_, s)| *s = (*s).max(2) + 2);
    while large.points(&ell_dims) > MAX_POINTS {
        let biggest = large.of.iter_mut().max_by_key(|(_, s)| *s).unwrap();
        if biggest.1 <= 2 {
            break;
        }
        biggest.1 -= 1;
    }
    if !large.of.is_empty() {
        loop {
            let mut grown = large.clone();
            let smallest = grown.of.iter_mut().min_by_key(|(_, s)| *s).unwrap();
            smallest.1 = smallest.1 * 5 / 4 + 1;
            // Repeated labels: an operand can be larger than the points.
            let biggest_operand = (0..n)
                .map(|k| {
                    let named: usize = labels(&eq.inputs[k]).map(|l| grown.get(k, l)).product();
                    named * ell[k].iter().product::<usize>()
                })
                .max()
                .unwrap_or(0);
            if grown.points(&ell_dims).max(biggest_operand) > MAX_POINTS {
                break;
            }
            large = grown;
        }
    }
    if large.points(&ell_dims) <= MAX_POINTS && large.of != base.of {
        for _ in 0..3 {
            let layouts = random_layouts(rng, n);
            runs.push(("larger".into(), large.clone(), layouts));
        }
        runs.push(("larger, standard".into(), large, vec![Layout::Standard; n]));
    }
    // A label shared by operands with size 1 in one of them.
    let mut broadcast = base.clone();
    for &(label, size) in &base.of {
        let owners: Vec<usize> = (0..n)
            .filter(|&k| labels(&eq.inputs[k]).any(|l| l == label))
            .collect();
        if size != 1 && owners.len() > 1 {
            let k = owners[rng.below(owners.len() as u64) as usize];
            broadcast.ones.push((k, label));
            let mut one = base.clone();
            one.ones.push((k, label));
            runs.push((
                format!("'{label}' broadcast from 1"),
                one,
                random_layouts(rng, n),
            ));
        }
    }
    if broadcast.ones.len() > 1 {
        runs.push((
            "labels broadcast from 1".into(),
            broadcast,
            random_layouts(rng, n),
        ));
    }
    runs.into_iter()
        .map(|(what, sizes, layouts)| {
            let shapes = (0..n)
                .map(|k| {
                    let mut shape = Vec::new();
                    for sub in &eq.inputs[k] {
                        match *sub {
                            Sub::Ellipsis => shape.extend_from_slice(&ell[k]),
                            Sub::Label(l) => shape.push(sizes.get(k, l)),
                        }
                    }
                    shape
                })
                .collect();
            Run {
                what,
                sizes,
                layouts,
                shapes,
            }
        })
        .collect()
}

/// Runs `call` on every run of [`plan_runs`], each checked against the
/// reference. Panics with every failure's equation, sizes, layouts and
/// element type.
pub fn check_equation<T: TestElem>(spec: &Spec, call: Call<T>) {
    let kind = Equation::parse(spec.equation).result_kind();
    let mut rng = Rng::for_text(spec.equation, std::mem::size_of::<T>() as u64);
    let runs = plan_runs(spec, &mut rng);
    // EINSUM_TEST_VERBOSE=1 lists every run.
    let verbose = std::env::var_os("EINSUM_TEST_VERBOSE").is_some();
    let mut failures = Vec::new();
    for Run {
        what,
        sizes,
        layouts,
        shapes,
    } in &runs
    {
        if verbose {
            eprintln!(
                "{} {:?} as {}: [{what}] sizes {sizes}, layouts {layouts:?}",
                spec.name,
                spec.equation,
                std::any::type_name::<T>()
            );
        }
        let operands: Vec<Operand<T>> = shapes
            .iter()
            .zip(layouts)
            .map(|(shape, &layout)| Operand::new(shape, layout, &mut rng))
            .collect();
        let views: Vec<ArrayViewD<'_, T>> = operands.iter().map(Operand::view).collect();
        let expected = reference(spec.equation, &views);
        // A random pool size, and sometimes a memory limit so small that
        // intermediates are sliced and split sums keep few copies.
        let threads = [1, 2, 3, 4][rng.below(4) as usize];
        let limit = [Some(64), Some(4096), None, None][rng.below(4) as usize];
        let run = || match limit {
            Some(bytes) => einsum_static::budget::with_memory_limit(bytes, || call(&views)),
            None => call(&views),
        };
        if verbose {
            eprintln!("  on {threads} threads, memory limit {limit:?}");
        }
        // Blocks of 64 steps: these small operands take the parallel paths.
        let small_blocks = || einsum_static::schedule::with_block_work(64, run);
        let on_pool = || einsum_static::schedule::with_threads(threads, small_blocks);
        let outcome = match catch_unwind(AssertUnwindSafe(on_pool)) {
            Ok(Ok(out)) => compare(&out, &expected, kind),
            Ok(Err(err)) => Err(format!("error: {err}")),
            Err(panic) => Err(format!("panicked: {}", panic_message(&*panic))),
        };
        if let Err(err) = outcome {
            failures.push(format!(
                "  [{what}] sizes {sizes}, shapes {shapes:?}, layouts {layouts:?}, \
                 {threads} threads, memory limit {limit:?}: {err}"
            ));
        }
    }
    if !failures.is_empty() {
        let total = failures.len();
        failures.truncate(6);
        panic!(
            "{} {:?} as {}: {total} of {} runs failed\n{}",
            spec.name,
            spec.equation,
            std::any::type_name::<T>(),
            runs.len(),
            failures.join("\n")
        );
    }
}

fn random_layouts(rng: &mut Rng, n: usize) -> Vec<Layout> {
    (0..n).map(|_| Layout::random(rng)).collect()
}

pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "(not a string)".into()
    }
}

// ---------------------------------------------------------------------------
// Cross-checking the reference with NumPy (dev only)

/// The specs of the generated file, read back from its text: each line
/// `case!(name, "equation", mode, [..], [..], "sizes", &[&[dims], ...]);`.
pub fn specs_from_generated(text: &'static str) -> Vec<Spec> {
    text.lines()
        .filter(|line| line.starts_with("case!("))
        .map(|line| {
            let name = &line["case!(".len()..line.find(',').unwrap()];
            let quoted: Vec<&'static str> = line.split('"').collect();
            let ell_text = quoted[4].split_once("&[").unwrap().1;
            let ellipsis: Vec<&'static [usize]> = ell_text
                .split("&[")
                .map(|item| {
                    let dims: Vec<usize> = item
                        .split(']')
                        .next()
                        .unwrap()
                        .split(',')
                        .filter(|d| !d.trim().is_empty())
                        .map(|d| d.trim().parse().unwrap())
                        .collect();
                    &*Vec::leak(dims)
                })
                .collect();
            Spec {
                name,
                equation: quoted[1],
                sizes: quoted[3],
                ellipsis: Vec::leak(ellipsis),
            }
        })
        .collect()
}

fn json_list<X: fmt::Debug>(items: impl IntoIterator<Item = X>) -> String {
    let items: Vec<String> = items.into_iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

/// One JSON line per run of every spec whose operands are small: the
/// equation, the operands (shape and values in logical order) and the
/// reference result, for `scripts/gen_equations.py --check-reference`.
pub fn reference_dump(specs: &[Spec]) -> String {
    let mut out = String::new();
    for spec in specs {
        let mut rng = Rng::for_text(spec.equation, 0xD0);
        for run in plan_runs(spec, &mut rng) {
            if run
                .shapes
                .iter()
                .map(|s| s.iter().product::<usize>())
                .sum::<usize>()
                > 4000
            {
                continue;
            }
            let operands: Vec<Operand<f64>> = run
                .shapes
                .iter()
                .zip(&run.layouts)
                .map(|(shape, &layout)| Operand::new(shape, layout, &mut rng))
                .collect();
            let views: Vec<ArrayViewD<'_, f64>> = operands.iter().map(Operand::view).collect();
            let expected = reference(spec.equation, &views).value;
            let ops: Vec<String> = views
                .iter()
                .map(|v| {
                    format!(
                        "{{\"shape\": {}, \"values\": {}}}",
                        json_list(v.shape()),
                        json_list(v.iter())
                    )
                })
                .collect();
            out.push_str(&format!(
                "{{\"name\": \"{}\", \"run\": \"{}\", \"equation\": \"{}\", \"operands\": [{}], \
                 \"shape\": {}, \"result\": {}}}\n",
                spec.name,
                run.what.replace('"', "'"),
                spec.equation,
                ops.join(", "),
                json_list(expected.shape()),
                json_list(expected.iter())
            ));
        }
    }
    out
}
