//! What an einsum would do, without doing it: the `explain!` macro's value,
//! printed like NumPy's `einsum_path`.

use crate::context::Context;
use crate::error::EinsumError;
use crate::kernels::Engine;
use crate::operand::Operand;
use crate::output::{checked_len, PlannedOutput};
use crate::path::{self, OperandSet, Path, Slicing};
use crate::shapes::{Shape, Sub};
use crate::step::BinaryStep;
use crate::target::Target;
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
    /// The output's labels in the order a new result is laid out in, when
    /// not its own (`Contraction::explain_in_output_order`).
    laid_out: Option<String>,
    /// `semiring = ...`; `None` for the sum of products.
    semiring: Option<&'static str>,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    /// One or two operands: the macro's own loops, or the GEMM engine.
    OneStep {
        /// The engine's short name (see [`Explain::engine`]).
        name: &'static str,
        engine: String,
        flops: f64,
        blocks: String,
    },
    /// Three or more: the pairwise path, sliced to fit the memory budget.
    Path {
        slicing: Slicing,
        /// Each step's engine: its short name, and as `explain!` prints it
        /// (empty over a semiring, whose steps all run its loops).
        engines: Vec<(&'static str, String)>,
        element_size: usize,
        limit: f64,
    },
}

/// A GEMM-class step's labels and its two bound operands.
pub type GemmOperands<'s, T, const NL: usize> =
    (&'s [usize], &'s Operand<'s, T, NL>, &'s Operand<'s, T, NL>);

impl Explain {
    /// The same plan over the semiring `S`, whose steps all run the
    /// runtime's semiring loops (or, for matrix products, its packed
    /// kernel or the log-space GEMM).
    #[doc(hidden)]
    pub fn over_semiring<T: Element, S: crate::semiring::Semiring<T>>(mut self) -> Self {
        self.semiring = Some(S::NAME);
        match &mut self.body {
            Body::OneStep { name, engine, .. } => {
                *name = "semiring loops";
                *engine = "semiring loops (runtime, one fixed order per element; \
                     matrix products of max_plus, min_plus and max_product on the packed kernel, \
                     log_sum_exp's as one GEMM of shifted exponentials)"
                    .into();
            }
            Body::Path { engines, .. } => engines.clear(),
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

    /// The plan `body` of a call of `equation` with the bound `shape`.
    fn of_call<const NL: usize>(
        context: &Context,
        equation: &str,
        shape: &Shape<NL>,
        labels: &[char],
        body: Body,
    ) -> Explain {
        Explain {
            equation: equation.into(),
            sizes: sizes(shape, labels),
            ellipsis: shape.ellipsis().to_vec(),
            threads: context.threads(),
            in_place: false,
            laid_out: None,
            semiring: None,
            body,
        }
    }

    /// The plan of a one- or two-operand call with output term `output`,
    /// written into `target` where the caller gave one (`out = ...`),
    /// else into a new array; `gemm` is, for a step the macro found
    /// GEMM-class, its labels and bound operands, from which the engines'
    /// own choice is made (see `kernels::engines::choice`) on the
    /// output's real strides; `blocks` are the output labels the scheduler
    /// cuts. The error the call would return when a new output cannot
    /// exist (see [`checked_len`]).
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)] // what the expansion knows, as it knows it
    pub fn one_step<T: Element, const NL: usize>(
        context: &Context,
        equation: &str,
        shape: &Shape<NL>,
        labels: [char; NL],
        (output, target): (&[Sub], Option<&Target<'_, T, NL>>),
        gemm: Option<GemmOperands<'_, T, NL>>,
        summed: bool,
        blocks: &[Sub],
    ) -> Result<Explain, EinsumError> {
        let planned = planned_output(shape, output, target)?;
        let explained = Self::one_step_of::<T, NL>(
            context, equation, shape, &labels, &planned, gemm, summed, blocks,
        )?;
        Ok(explained.in_place(target.is_some()))
    }

    /// [`Explain::one_step`] for the first `labels.len()` labels of
    /// `shape`: a shape widened to more labels than the equation has (the
    /// run-time API's).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn one_step_of<T: Element, const NL: usize>(
        context: &Context,
        equation: &str,
        shape: &Shape<NL>,
        labels: &[char],
        planned: &PlannedOutput<NL>,
        gemm: Option<GemmOperands<'_, T, NL>>,
        summed: bool,
        blocks: &[Sub],
    ) -> Result<Explain, EinsumError> {
        let label_sizes = &shape.sizes()[..labels.len()];
        let product: f64 = label_sizes.iter().map(|&n| n as f64).product::<f64>()
            * shape.ellipsis().iter().map(|&d| d as f64).product::<f64>();
        let work = label_sizes
            .iter()
            .fold(1usize, |w, &n| w.saturating_mul(n as usize));
        let engine = gemm.map(|(step_labels, a, b)| {
            kernels::choose(&BinaryStep {
                context,
                shape,
                labels: step_labels,
                a,
                b,
                out: &planned.writer(),
            })
        });
        let names: Vec<String> = blocks
            .iter()
            .map(|s| match s {
                Sub::Label(l) => labels[*l].to_string(),
                Sub::Ellipsis => "...".into(),
            })
            .collect();
        let serial = (work as u64) <= context.thresholds().0;
        let loops_blocks = if serial {
            format!("none: serial (small, {work} steps on the calling thread)")
        } else if names.is_empty() {
            "a summed axis (partial sums added in order)".to_string()
        } else {
            format!("blocks of {}", names.join(", "))
        };
        let (name, text, blocks) = match engine.as_deref() {
            Some(Engine::Loops(_)) | None => {
                let text = match engine.as_deref() {
                    Some(declined) => declined.to_string(),
                    None => "generated loops, innermost a SIMD kernel call".into(),
                };
                ("generated loops", text, loops_blocks)
            }
            Some(engine @ Engine::Gemm(_)) => {
                let kernels = T::GEMM_ENGINE.unwrap_or("none");
                let text = format!("{engine}; GEMM kernels: {kernels}");
                (engine.name(), text, engine.parallel_over())
            }
            Some(engine) => (engine.name(), engine.to_string(), engine.parallel_over()),
        };
        let body = Body::OneStep {
            name,
            engine: text,
            flops: product * if summed { 2.0 } else { 1.0 },
            blocks,
        };
        Ok(Explain::of_call(context, equation, shape, labels, body))
    }

    /// The plan of a call with three or more operands, written into
    /// `target` where the caller gave one, or the error the call would
    /// return when a new output or one of the intermediates of the planned
    /// path (for one slice, when sliced) cannot exist.
    #[doc(hidden)]
    pub fn path<T: Element, const NL: usize>(
        context: &Context,
        equation: &str,
        shape: &Shape<NL>,
        labels: [char; NL],
        inputs: &[(&Operand<'_, T, NL>, &[Sub])],
        (output, target): (&[Sub], Option<&Target<'_, T, NL>>),
    ) -> Result<Explain, EinsumError> {
        let planned = planned_output(shape, output, target)?;
        let explained = Self::path_of::<T, NL>(
            context,
            equation,
            shape,
            &labels,
            inputs,
            (output, &planned),
        )?;
        Ok(explained.in_place(target.is_some()))
    }

    /// The same plan, for a new result laid out with the axes of `labels`
    /// (the output's, outermost first).
    pub(crate) fn laid_out(mut self, labels: String) -> Self {
        self.laid_out = Some(labels);
        self
    }

    /// The same plan, for a call that writes into the caller's array
    /// when `in_place`.
    fn in_place(mut self, in_place: bool) -> Self {
        self.in_place = in_place;
        self
    }

    /// [`Explain::path`] for the first `labels.len()` labels of `shape`,
    /// as [`Explain::one_step_of`].
    pub(crate) fn path_of<T: Element, const NL: usize>(
        context: &Context,
        equation: &str,
        shape: &Shape<NL>,
        labels: &[char],
        inputs: &[(&Operand<'_, T, NL>, &[Sub])],
        (output, planned): (&[Sub], &PlannedOutput<NL>),
    ) -> Result<Explain, EinsumError> {
        let limit = path::budget_elements::<T, NL>(context, shape, output);
        let terms: Vec<&[Sub]> = inputs.iter().map(|(_, term)| *term).collect();
        let slicing = Slicing::plan_wide(&shape.widen(), labels, &terms, output, limit);
        let slice = slicing.slice_shape(shape);
        let steps = slicing.path.steps();
        for step in &steps[..steps.len().saturating_sub(1)] {
            checked_len::<T>(&slice.dims_of(&step.kept))?;
        }
        let engines = step_engines(context, &slice, &slicing.path, inputs, planned)?;
        let body = Body::Path {
            slicing,
            engines,
            element_size: std::mem::size_of::<T>(),
            limit,
        };
        Ok(Explain::of_call(context, equation, shape, labels, body))
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

    /// The engine of a one- or two-operand call, by the name the running
    /// code knows it by: `"generated loops"`, `"GEMM engine"`,
    /// `"transpose-free packed GEMM"`, `"small-GEMM engine"`,
    /// `"matrix-vector engine"` or `"semiring loops"`; `None` for three or
    /// more operands, whose steps each choose their own.
    ///
    /// ```
    /// use einsum_static::explain;
    /// let a = ndarray::Array2::<f64>::zeros((256, 256));
    /// assert_eq!(explain!("ij,jk->ik", &a, &a)?.engine(), Some("GEMM engine"));
    /// assert_eq!(explain!("ij->j", &a)?.engine(), Some("generated loops"));
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn engine(&self) -> Option<&'static str> {
        match &self.body {
            Body::OneStep { name, .. } => Some(name),
            Body::Path { .. } => None,
        }
    }

    /// The engine of each step of a path of three or more operands, by the
    /// names of [`Explain::engine`]: the choice each step's running code
    /// makes, on the operands' strides and the intermediates' layouts (for
    /// one slice's sizes, when sliced). Empty for one or two operands, and
    /// over a semiring.
    ///
    /// ```
    /// use einsum_static::explain;
    /// let (a, b) = (ndarray::Array2::<f64>::zeros((512, 64)), ndarray::Array2::<f64>::zeros((64, 512)));
    /// let plan = explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?;
    /// assert_eq!(plan.step_engines(), ["GEMM engine"; 3]);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn step_engines(&self) -> Vec<&'static str> {
        match &self.body {
            Body::OneStep { .. } => Vec::new(),
            Body::Path { engines, .. } => engines.iter().map(|(name, _)| *name).collect(),
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

fn sizes<const NL: usize>(shape: &Shape<NL>, labels: &[char]) -> Vec<(char, usize)> {
    labels
        .iter()
        .enumerate()
        .map(|(l, &c)| (c, shape.size(l)))
        .collect()
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
        let output = match (&self.laid_out, self.in_place) {
            (_, true) => "written in place (out = ...)".to_string(),
            (Some(labels), false) => format!("a new array laid out as {labels}, a permuted view"),
            (None, false) => "a new array".to_string(),
        };
        writeln!(f, "  output:                {output}")?;
        writeln!(f, "  semiring:              {}", self.semiring())?;
        match &self.body {
            Body::OneStep {
                engine,
                flops,
                blocks,
                ..
            } => {
                writeln!(f, "  FLOP count:            {flops:.4e}")?;
                writeln!(f, "  engine:                {engine}")?;
                writeln!(f, "  parallel over:         {blocks}")
            }
            Body::Path {
                slicing,
                engines,
                element_size,
                limit,
            } => {
                write!(f, "{}", slicing.path)?;
                if engines.is_empty() {
                    writeln!(f, "  each step: the semiring loops")?;
                }
                for (k, (_, engine)) in engines.iter().enumerate() {
                    writeln!(f, "  step {} engine:         {engine}", k + 1)?;
                }
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

/// The engine of each step of `path` over `shape` (a slice's), as the
/// path's running code chooses it: the operands' own strides, and the
/// layouts [`crate::Output::allocate`] gives the intermediates.
fn step_engines<T: Element, const NL: usize>(
    context: &Context,
    shape: &Shape<NL>,
    path: &Path,
    inputs: &[(&Operand<'_, T, NL>, &[Sub])],
    out: &PlannedOutput<NL>,
) -> Result<Vec<(&'static str, String)>, EinsumError> {
    // The intermediates so far: the operands each covers, its layout, its
    // subscripts.
    let mut temps: Vec<(OperandSet, PlannedOutput<NL>, &[Sub])> = Vec::new();
    let mut engines = Vec::new();
    for (k, step) in path.steps().iter().enumerate() {
        let engine = {
            let argument = |set: &OperandSet| match set.only() {
                Some(operand) => (*inputs[operand].0, inputs[operand].1),
                None => {
                    let (_, temp, term) = temps
                        .iter()
                        .find(|(s, _, _)| s == set)
                        .expect("steps run children first");
                    (temp.operand::<T>(), *term)
                }
            };
            let ((a, ta), (b, tb)) = (argument(&step.left), argument(&step.right));
            let temp = (k + 1 < path.steps().len())
                .then(|| PlannedOutput::new::<T>(shape, &step.kept))
                .transpose()?;
            let writer = temp.as_ref().unwrap_or(out).writer::<T>();
            let engine = kernels::choose(&BinaryStep {
                context,
                shape,
                labels: &path::step_labels(&[ta, tb]),
                a: &a,
                b: &b,
                out: &writer,
            });
            if let Some(temp) = temp {
                temps.push((step.left.union(&step.right), temp, &step.kept));
            }
            engine
        };
        let text = match &*engine {
            Engine::Loops(why) => format!("the runtime's step loops ({why})"),
            _ => engine.to_string(),
        };
        engines.push((engine.name(), text));
    }
    Ok(engines)
}

/// Where the output of a call lies: the caller's `target`, or the new
/// array of `output` the call would allocate (the error when it cannot
/// exist, as [`checked_len`] says).
pub(crate) fn planned_output<T: Element, const NL: usize>(
    shape: &Shape<NL>,
    output: &[Sub],
    target: Option<&Target<'_, T, NL>>,
) -> Result<PlannedOutput<NL>, EinsumError> {
    match target {
        Some(target) => Ok(target.planned()),
        None => PlannedOutput::new::<T>(shape, output),
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
        bind(labels, operands).0
    }

    /// The shape and the bound operands.
    fn bind<'a, const NL: usize>(
        labels: [char; NL],
        operands: &'a [(ArrayView2<'a, f64>, [Sub; 2])],
    ) -> (Shape<NL>, Vec<Operand<'a, f64, NL>>) {
        let mut binder = ShapeBinder::new(labels);
        let bound = operands.iter().enumerate();
        let bound = bound.map(|(k, (view, term))| binder.bind(k, view, term).unwrap());
        let bound: Vec<_> = bound.collect();
        (binder.finish(false).unwrap(), bound)
    }

    fn overflows(plan: Result<Explain, EinsumError>, dims: &[usize]) {
        match plan {
            Err(EinsumError::SizeOverflow { shape }) => assert_eq!(shape, dims),
            other => panic!("expected SizeOverflow, got {other:?}"),
        }
    }

    /// The plan of `ij,jk->ik` on the bound operands `xs`.
    fn matmul(s: &Shape<3>, xs: &[Operand<'_, f64, 3>]) -> Result<Explain, EinsumError> {
        let ik = [Label(0), Label(2)];
        let gemm = Some((&[0, 1, 2][..], &xs[0], &xs[1]));
        let (context, labels) = (&Context::default(), ['i', 'j', 'k']);
        let output = (&ik[..], None);
        Explain::one_step::<f64, 3>(context, "ij,jk->ik", s, labels, output, gemm, true, &ik)
    }

    /// The plan of `ij,jk,kl->il` on the bound operands `xs`.
    fn chain(s: &Shape<4>, xs: &[Operand<'_, f64, 4>]) -> Result<Explain, EinsumError> {
        let [ij, jk, kl, il] = [(0, 1), (1, 2), (2, 3), (0, 3)].map(|(a, b)| [Label(a), Label(b)]);
        let inputs = [(&xs[0], &ij[..]), (&xs[1], &jk[..]), (&xs[2], &kl[..])];
        let (context, labels) = (&Context::default(), ['i', 'j', 'k', 'l']);
        Explain::path::<f64, 4>(context, "ij,jk,kl->il", s, labels, &inputs, (&il, None))
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
        let one_op = Explain::one_step::<f64, 2>(
            &Context::default(),
            "ij->ij",
            &s,
            ['i', 'j'],
            (&ij, None),
            None,
            false,
            &ij,
        );
        overflows(one_op, &[huge, huge]);
        // Two: the matmul of the report, whose m*n*k overflowed.
        let operands = [(big, ij), (big, jk)];
        let (s, xs) = bind(['i', 'j', 'k'], &operands);
        overflows(matmul(&s, &xs), &[huge, huge]);
        // Three.
        let operands = [(big, ij), (big, jk), (big, kl)];
        let (s, xs) = bind(['i', 'j', 'k', 'l'], &operands);
        overflows(chain(&s, &xs), &[huge, huge]);
    }

    #[test]
    fn huge_sizes_with_an_output_that_fits_count_without_overflow() {
        let one = Array2::<f64>::zeros((1, 1));
        // m = n = 2^28 (a 2^59-byte output, within isize), k = 2^31.
        let (mn, k) = (1 << 28, 1 << 31);
        let (ij, jk) = ([Label(0), Label(1)], [Label(1), Label(2)]);
        let operands = [(broadcast(&one, mn, k), ij), (broadcast(&one, k, mn), jk)];
        let (s, xs) = bind(['i', 'j', 'k'], &operands);
        let plan = matmul(&s, &xs).unwrap();
        assert_eq!(plan.flops(), 2.0 * (mn as f64).powi(2) * k as f64);
        // Three operands, a 1x1 output: the 2^31 labels are sliced.
        let kl = [Label(2), Label(3)];
        let operands = [
            (broadcast(&one, 1, k), ij),
            (broadcast(&one, k, k), jk),
            (broadcast(&one, k, 1), kl),
        ];
        let (s, xs) = bind(['i', 'j', 'k', 'l'], &operands);
        let plan = chain(&s, &xs).unwrap();
        assert!(
            plan.flops().is_finite() && plan.flops() >= (k as f64).powi(2),
            "{plan}"
        );
        assert!(!plan.sliced().is_empty(), "{plan}");
        let _ = plan.to_string();
    }
}
