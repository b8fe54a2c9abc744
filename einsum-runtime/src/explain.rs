//! What an einsum would do, without doing it: the `explain!` macro's value,
//! printed like NumPy's `einsum_path`.

use crate::error::EinsumError;
use crate::output::checked_len;
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
    /// Whether the result is written into the caller's array (`out = ...`).
    in_place: bool,
    /// `semiring = ...`; `None` for the sum of products.
    semiring: Option<&'static str>,
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
    /// The same plan for a call that writes into the caller's array.
    #[doc(hidden)]
    pub fn written_in_place(mut self) -> Self {
        self.in_place = true;
        self
    }

    /// The same plan over the semiring `S`, whose steps all run the
    /// runtime's semiring loops.
    #[doc(hidden)]
    pub fn over_semiring<T: Element, S: crate::semiring::Semiring<T>>(mut self) -> Self {
        self.semiring = Some(S::NAME);
        if let Body::OneStep { engine, .. } = &mut self.body {
            *engine = "semiring loops (runtime, one fixed order per element)".into();
        }
        self
    }

    /// The semiring's name (`"sum_product"` unless `semiring = ...`).
    pub fn semiring(&self) -> &'static str {
        self.semiring.unwrap_or("sum_product")
    }

    /// Whether the call writes its result into the caller's array
    /// (`out = ...`) rather than a new one.
    pub fn is_in_place(&self) -> bool {
        self.in_place
    }

    /// The plan of a one- or two-operand call with input terms `inputs`
    /// and output term `output`; `gemm_class` is the macro's compile-time
    /// verdict, `blocks` the output labels the scheduler cuts. The error
    /// the call would return when its output cannot exist (see
    /// [`checked_len`]).
    #[doc(hidden)]
    pub fn one_step<T: Element, const NL: usize>(
        equation: &str,
        shape: &Shape<NL>,
        labels: [char; NL],
        (inputs, output): (&[&[Sub]], &[Sub]),
        gemm_class: bool,
        summed: bool,
        blocks: &[Sub],
    ) -> Result<Explain, EinsumError> {
        checked_len::<T>(&shape.dims_of(output))?;
        let product: f64 = shape.sizes().iter().map(|&n| n as f64).product::<f64>()
            * shape.ellipsis().iter().map(|&d| d as f64).product::<f64>();
        let work = shape
            .sizes()
            .iter()
            .fold(1usize, |w, &n| w.saturating_mul(n as usize));
        let gemm = gemm_class && kernels::gemm_would_run::<T>(work);
        let [m, n, k] = gemm_sizes(shape, inputs, output).unwrap_or([0; 3]);
        // Saturated: the engines only compare it with thresholds.
        let mnk = m.saturating_mul(n).saturating_mul(k);
        // The engines in the order `kernels::gemm` tries them.
        // Without an n axis (n == 1) the small-GEMM engine has no rows.
        let small = gemm && kernels::is_small_gemm::<T>(mnk) && n != 1;
        let matrix_vector = gemm && !small && (m == 1 || n == 1);
        let declined = if kernels::gemm_would_run::<T>(mnk) {
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
        let serial = (work as u64) <= crate::schedule::thresholds().0;
        let blocks = if !gemm && serial {
            format!("none: serial (small, {work} steps on the calling thread)")
        } else if matrix_vector {
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
        Ok(Explain {
            equation: equation.into(),
            sizes: sizes(shape, labels),
            ellipsis: shape.ellipsis().to_vec(),
            threads: crate::schedule::threads(),
            in_place: false,
            semiring: None,
            body: Body::OneStep {
                engine,
                flops: product * if summed { 2.0 } else { 1.0 },
                blocks,
            },
        })
    }

    /// The plan of a call with three or more operands, or the error the
    /// call would return when its output or one of the intermediates of
    /// the planned path (for one slice, when sliced) cannot exist.
    #[doc(hidden)]
    pub fn path<T: Element, const NL: usize>(
        equation: &str,
        shape: &Shape<NL>,
        labels: [char; NL],
        inputs: &[&[Sub]],
        output: &[Sub],
    ) -> Result<Explain, EinsumError> {
        // The call allocates its output first, then each intermediate.
        checked_len::<T>(&shape.dims_of(output))?;
        let limit = path::budget_elements::<T, NL>(shape, output);
        let slicing = Slicing::plan(shape, labels, inputs, output, limit);
        let slice = slicing.slice_shape(shape);
        let steps = slicing.path.steps();
        for step in &steps[..steps.len().saturating_sub(1)] {
            checked_len::<T>(&slice.dims_of(&step.kept))?;
        }
        Ok(Explain {
            equation: equation.into(),
            sizes: sizes(shape, labels),
            ellipsis: shape.ellipsis().to_vec(),
            threads: crate::schedule::threads(),
            in_place: false,
            semiring: None,
            body: Body::Path {
                slicing,
                element_size: std::mem::size_of::<T>(),
                limit,
            },
        })
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
    // Saturated: broadcast operands can make sizes whose product overflows.
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
            .fold(1, usize::saturating_mul)
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
        let output = if self.in_place {
            "written in place (out = ...)"
        } else {
            "a new array"
        };
        writeln!(f, "  output:                {output}")?;
        writeln!(f, "  semiring:              {}", self.semiring())?;
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
                let each = match self.semiring {
                    None => "GEMM engine where it is GEMM-shaped, else generic loops",
                    Some(_) => "the semiring loops",
                };
                writeln!(f, "  each step: {each}")?;
                let bytes = |elements: f64| human_bytes(elements * *element_size as f64);
                writeln!(
                    f,
                    "  peak intermediates:    {} (memory limit {})",
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

/// `1.5 GiB`, `640 KiB`, `12 bytes`.
fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024.0 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let digits = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.digits$} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_in_binary_units() {
        assert_eq!(human_bytes(12.0), "12 bytes");
        assert_eq!(human_bytes(640.0 * 1024.0), "640 KiB");
        assert_eq!(human_bytes(1.5 * (1u64 << 30) as f64), "1.50 GiB");
        assert_eq!(human_bytes((1u64 << 30) as f64), "1.00 GiB");
        assert_eq!(human_bytes(32.5 * (1u64 << 20) as f64), "32.5 MiB");
    }
    use crate::shapes::{ShapeBinder, Sub::Label};
    use ndarray::{Array2, ArrayView2};

    /// A 1x1 array broadcast to `rows` x `cols`.
    fn broadcast(one: &Array2<f64>, rows: usize, cols: usize) -> ArrayView2<'_, f64> {
        one.broadcast((rows, cols)).unwrap()
    }

    fn shape<const NL: usize>(
        labels: [char; NL],
        operands: &[(ArrayView2<'_, f64>, [Sub; 2])],
    ) -> Shape<NL> {
        let mut binder = ShapeBinder::new(labels);
        for (k, (view, term)) in operands.iter().enumerate() {
            binder.bind(k, view, term).unwrap();
        }
        binder.finish(false).unwrap()
    }

    fn overflows(plan: Result<Explain, EinsumError>, dims: &[usize]) {
        match plan {
            Err(EinsumError::SizeOverflow { shape }) => assert_eq!(shape, dims),
            other => panic!("expected SizeOverflow, got {other:?}"),
        }
    }

    #[test]
    fn an_output_that_cannot_exist_is_the_calls_error() {
        let one = Array2::<f64>::zeros((1, 1));
        let huge = 1 << 31;
        let big = broadcast(&one, huge, huge);
        let (ij, jk, kl) = (
            [Label(0), Label(1)],
            [Label(1), Label(2)],
            [Label(2), Label(3)],
        );
        // One operand: a copy.
        let s = shape(['i', 'j'], &[(big, ij)]);
        let one_op =
            Explain::one_step::<f64, 2>("ij->ij", &s, ['i', 'j'], (&[&ij], &ij), false, false, &ij);
        overflows(one_op, &[huge, huge]);
        // Two: the matmul of the report, whose m*n*k overflowed.
        let s = shape(['i', 'j', 'k'], &[(big, ij), (big, jk)]);
        let ik = [Label(0), Label(2)];
        let two = Explain::one_step::<f64, 3>(
            "ij,jk->ik",
            &s,
            ['i', 'j', 'k'],
            (&[&ij, &jk], &ik),
            true,
            true,
            &ik,
        );
        overflows(two, &[huge, huge]);
        // Three.
        let s = shape(['i', 'j', 'k', 'l'], &[(big, ij), (big, jk), (big, kl)]);
        let il = [Label(0), Label(3)];
        let three = Explain::path::<f64, 4>(
            "ij,jk,kl->il",
            &s,
            ['i', 'j', 'k', 'l'],
            &[&ij, &jk, &kl],
            &il,
        );
        overflows(three, &[huge, huge]);
    }

    #[test]
    fn huge_sizes_with_an_output_that_fits_count_without_overflow() {
        let one = Array2::<f64>::zeros((1, 1));
        // m = n = 2^28 (a 2^59-byte output, within isize), k = 2^31.
        let (mn, k) = (1 << 28, 1 << 31);
        let (ij, jk) = ([Label(0), Label(1)], [Label(1), Label(2)]);
        let ik = [Label(0), Label(2)];
        let s = shape(
            ['i', 'j', 'k'],
            &[(broadcast(&one, mn, k), ij), (broadcast(&one, k, mn), jk)],
        );
        let plan = Explain::one_step::<f64, 3>(
            "ij,jk->ik",
            &s,
            ['i', 'j', 'k'],
            (&[&ij, &jk], &ik),
            true,
            true,
            &ik,
        )
        .unwrap();
        assert_eq!(plan.flops(), 2.0 * (mn as f64).powi(2) * k as f64);
        // Three operands, a 1x1 output: the 2^31 labels are sliced.
        let kl = [Label(2), Label(3)];
        let il = [Label(0), Label(3)];
        let s = shape(
            ['i', 'j', 'k', 'l'],
            &[
                (broadcast(&one, 1, k), ij),
                (broadcast(&one, k, k), jk),
                (broadcast(&one, k, 1), kl),
            ],
        );
        let plan = Explain::path::<f64, 4>(
            "ij,jk,kl->il",
            &s,
            ['i', 'j', 'k', 'l'],
            &[&ij, &jk, &kl],
            &il,
        )
        .unwrap();
        assert!(
            plan.flops().is_finite() && plan.flops() >= (k as f64).powi(2),
            "{plan}"
        );
        assert!(!plan.sliced().is_empty(), "{plan}");
        let _ = plan.to_string();
    }
}
