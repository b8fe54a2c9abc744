//! What an einsum would do, without doing it: the `explain!` macro's value,
//! printed like NumPy's `einsum_path`.

use crate::path::{self, Path, Slicing};
use crate::shapes::{Shape, Sub};
use crate::{kernels, Element};
use std::fmt;

/// The plan of one einsum call for its operands' actual sizes.
///
/// ```
/// use einsum_static::explain;
/// use ndarray::Array2;
///
/// let (a, b) = (Array2::<f64>::zeros((512, 64)), Array2::<f64>::zeros((64, 512)));
/// let plan = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?;
/// assert_eq!(plan.flops(), 41_943_040.0); // opt_einsum's optimal path costs the same
/// println!("{plan}");
/// # Ok::<(), einsum_static::EinsumError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Explain {
    equation: String,
    sizes: Vec<(char, usize)>,
    ellipsis: Vec<usize>,
    threads: usize,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    /// One or two operands: the macro's own loops, or the GEMM engine.
    OneStep {
        engine: String,
        flops: f64,
        blocks: String,
    },
    /// Three or more: the pairwise path, sliced to fit the memory budget.
    Path {
        slicing: Slicing,
        element_size: usize,
        limit: f64,
    },
}

impl Explain {
    /// The plan of a one- or two-operand call with input terms `inputs`
    /// and output term `output`; `gemm_class` is the macro's compile-time
    /// verdict, `blocks` the output labels the scheduler cuts.
    #[doc(hidden)]
    pub fn one_step<T: Element, const NL: usize>(
        equation: &str,
        shape: &Shape<NL>,
        labels: [char; NL],
        (inputs, output): (&[&[Sub]], &[Sub]),
        gemm_class: bool,
        summed: bool,
        blocks: &[Sub],
    ) -> Explain {
        let product: f64 = shape.sizes().iter().map(|&n| n as f64).product::<f64>()
            * shape.ellipsis().iter().map(|&d| d as f64).product::<f64>();
        let work = shape
            .sizes()
            .iter()
            .fold(1usize, |w, &n| w.saturating_mul(n as usize));
        let gemm = gemm_class && kernels::gemm_would_run::<T>(work);
        let [m, n, k] = gemm_sizes(shape, inputs, output).unwrap_or([0; 3]);
        // The engines in the order `kernels::gemm` tries them.
        // Without an n axis (n == 1) the small-GEMM engine has no rows.
        let small = gemm && kernels::is_small_gemm::<T>(m * n * k) && n != 1;
        let matrix_vector = gemm && !small && (m == 1 || n == 1);
        let declined = if kernels::gemm_would_run::<T>(m * n * k) {
            "the GEMM engine"
        } else {
            "generated loops"
        };
        let engine = match T::GEMM_ENGINE {
            Some(_) if small => format!(
                "small-GEMM engine (rows of the output summed in registers from rows of \
                the second operand) where those rows are contiguous, else {declined}"
            ),
            Some(_) if matrix_vector => "matrix-vector engine (four rows per pass over the \
                vector) where rows and vector are contiguous, else generated loops"
                .into(),
            Some(name) if gemm => format!("GEMM engine ({name}, packed and blocked)"),
            _ => "generated loops, innermost a SIMD kernel call".into(),
        };
        let names: Vec<String> = blocks
            .iter()
            .map(|s| match s {
                Sub::Label(l) => labels[*l].to_string(),
                Sub::Ellipsis => "...".into(),
            })
            .collect();
        let blocks = if matrix_vector {
            "blocks of rows".to_string()
        } else if small {
            "blocks of the batch".to_string()
        } else if gemm {
            "the batch when it has 8 or more GEMMs, else inside each GEMM".to_string()
        } else if names.is_empty() {
            "a summed axis (partial sums added in order)".to_string()
        } else {
            format!("blocks of {}", names.join(", "))
        };
        Explain {
            equation: equation.into(),
            sizes: sizes(shape, labels),
            ellipsis: shape.ellipsis().to_vec(),
            threads: crate::schedule::threads(),
            body: Body::OneStep {
                engine,
                flops: product * if summed { 2.0 } else { 1.0 },
                blocks,
            },
        }
    }

    /// The plan of a call with three or more operands.
    #[doc(hidden)]
    pub fn path<T: Element, const NL: usize>(
        equation: &str,
        shape: &Shape<NL>,
        labels: [char; NL],
        inputs: &[&[Sub]],
        output: &[Sub],
    ) -> Explain {
        let limit = path::budget_elements::<T, NL>(shape, inputs, output);
        Explain {
            equation: equation.into(),
            sizes: sizes(shape, labels),
            ellipsis: shape.ellipsis().to_vec(),
            threads: crate::schedule::threads(),
            body: Body::Path {
                slicing: Slicing::plan(shape, labels, inputs, output, limit),
                element_size: std::mem::size_of::<T>(),
                limit,
            },
        }
    }

    /// The FLOP count of the planned computation (opt_einsum's model).
    ///
    /// ```
    /// use einsum_static::explain;
    /// let (a, b) = (ndarray::Array2::<f64>::zeros((2000, 40)), ndarray::Array2::<f64>::zeros((40, 40)));
    /// let plan = explain!("ij,jk,lk->il", &a, &b, &a; memory_limit = 100_000)?;
    /// let path = plan.contraction_path().expect("three operands have a path");
    /// assert_eq!(path.steps().len(), 2);
    /// // Sliced into chunks of i or l; the FLOPs count every slice.
    /// assert!(!plan.sliced().is_empty());
    /// assert!(plan.flops() >= path.cost());
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn flops(&self) -> f64 {
        match &self.body {
            Body::OneStep { flops, .. } => *flops,
            Body::Path { slicing, .. } => slicing.path.cost() * slicing.slices() as f64,
        }
    }

    /// The pairwise path (for one slice, when sliced), for three or more
    /// operands.
    ///
    /// ```
    /// use einsum_static::explain;
    /// let a = ndarray::Array2::<f64>::zeros((64, 64));
    /// assert!(explain!("ij,jk->ik", &a, &a)?.contraction_path().is_none());
    /// assert!(explain!("ij,jk,kl->il", &a, &a, &a)?.sliced().is_empty());
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn contraction_path(&self) -> Option<&Path> {
        match &self.body {
            Body::Path { slicing, .. } => Some(&slicing.path),
            Body::OneStep { .. } => None,
        }
    }

    /// The sliced labels as `(label, full size, chunk length)`: empty when
    /// the intermediates fit the memory budget whole.
    ///
    /// ```
    /// use einsum_static::explain;
    /// let a = ndarray::Array2::<f64>::zeros((64, 64));
    /// assert!(explain!("ij,jk->ik", &a, &a)?.contraction_path().is_none());
    /// assert!(explain!("ij,jk,kl->il", &a, &a, &a)?.sliced().is_empty());
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn sliced(&self) -> Vec<(char, usize, usize)> {
        match &self.body {
            Body::Path { slicing, .. } => slicing
                .chunks
                .iter()
                .map(|&(l, full, chunk)| (self.sizes[l].0, full, chunk))
                .collect(),
            Body::OneStep { .. } => Vec::new(),
        }
    }
}

fn sizes<const NL: usize>(shape: &Shape<NL>, labels: [char; NL]) -> Vec<(char, usize)> {
    labels
        .iter()
        .enumerate()
        .map(|(l, &c)| (c, shape.size(l)))
        .collect()
}

/// The sizes (m, n, k) of one product of a GEMM-class step of two inputs:
/// the labels that only the first input shares with the output, those
/// that only the second does, and those the two inputs sum over.
fn gemm_sizes<const NL: usize>(
    shape: &Shape<NL>,
    inputs: &[&[Sub]],
    output: &[Sub],
) -> Option<[usize; 3]> {
    let [a, b] = inputs else {
        return None;
    };
    let size = |keep: &dyn Fn(&Sub) -> bool| -> usize {
        let mut seen = Vec::new();
        a.iter()
            .chain(b.iter())
            .filter_map(|s| match s {
                Sub::Label(l) if keep(s) && !seen.contains(l) => {
                    seen.push(*l);
                    Some(shape.size(*l))
                }
                _ => None,
            })
            .product()
    };
    let m = size(&|s| a.contains(s) && !b.contains(s) && output.contains(s));
    let n = size(&|s| b.contains(s) && !a.contains(s) && output.contains(s));
    let k = size(&|s| a.contains(s) && b.contains(s) && !output.contains(s));
    Some([m, n, k])
}

impl fmt::Display for Explain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "einsum {:?}", self.equation)?;
        let sizes: Vec<String> = self.sizes.iter().map(|(c, n)| format!("{c}={n}")).collect();
        write!(f, "  sizes: {}", sizes.join(" "))?;
        if !self.ellipsis.is_empty() {
            write!(f, ", ...={:?}", self.ellipsis)?;
        }
        writeln!(f, "; threads: {}", self.threads)?;
        match &self.body {
            Body::OneStep {
                engine,
                flops,
                blocks,
            } => {
                writeln!(f, "  FLOP count:            {flops:.4e}")?;
                writeln!(f, "  engine:                {engine}")?;
                writeln!(f, "  parallel over:         {blocks}")
            }
            Body::Path {
                slicing,
                element_size,
                limit,
            } => {
                write!(f, "{}", slicing.path)?;
                writeln!(
                    f,
                    "  each step: GEMM engine where it is GEMM-shaped, else generic loops"
                )?;
                let bytes = |elements: f64| elements * *element_size as f64;
                writeln!(
                    f,
                    "  peak intermediates:    {:.4e} bytes (memory limit {:.4e})",
                    bytes(slicing.peak_elements),
                    bytes(*limit)
                )?;
                if slicing.chunks.is_empty() {
                    return Ok(());
                }
                let cuts: Vec<String> = self
                    .sliced()
                    .iter()
                    .map(|(c, full, chunk)| format!("{c} ({full}) in chunks of {chunk}"))
                    .collect();
                writeln!(
                    f,
                    "  sliced:                {}; the path above runs {} times",
                    cuts.join(", "),
                    slicing.slices()
                )
            }
        }
    }
}
