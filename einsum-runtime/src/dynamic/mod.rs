//! Equations known only at run time: a tensor network read from a file, a
//! formula a user typed, a generic function over ranks, or a binding to
//! another language.
//!
//! The equation language, its rules and its error messages are the
//! macros' own (shared through `einsum-syntax`); the work runs on the same
//! engines: the GEMM engines for matrix-product-shaped steps, the
//! contraction path (with slicing to the memory budget) for three or more
//! operands, and for the rest a strided loop engine whose innermost loop
//! is the SIMD kernels the generated loops call. Results are in standard
//! layout and, as for the macros, the same bits for any thread count.
//!
//! ```
//! use einsum_static::dynamic;
//! use ndarray::array;
//!
//! let a = array![[1.0, 2.0], [3.0, 4.0]].into_dyn();
//! let b = array![[5.0, 6.0], [7.0, 8.0]].into_dyn();
//! let c = dynamic::einsum("ij,jk->ik", &[a.view(), b.view()])?;
//! assert_eq!(c, array![[19.0, 22.0], [43.0, 50.0]].into_dyn());
//! # Ok::<(), einsum_static::EinsumError>(())
//! ```
//!
//! A [`Contraction`] is an equation checked once, with its options; it
//! keeps the contraction path it planned for the last sizes it saw.

mod cache;
mod output_order;
mod run;
mod strided;

use crate::context::Context;
use crate::error::EinsumError;
use crate::explain::Explain;
use crate::options::Options;
use crate::path::PlanCache;
use crate::shapes::Sub;
use crate::Element;
use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

pub use crate::schedule::Cancel;

/// Evaluates `equation` (NumPy's einsum language, as for
/// [`einsum!`](../macro.einsum.html)) on `operands`, with the ambient
/// thread pool and the default memory budget.
///
/// The checked equations of recent calls are kept (with the contraction
/// path of their last sizes, as each `einsum!` call site keeps its own),
/// so that calling it in a loop parses and plans once.
///
/// Returns a new array in standard layout (rank 0 for a scalar result).
/// A malformed equation, or one whose terms do not match the number of
/// operands, is an [`EinsumError::InvalidEquation`] with NumPy's wording
/// and the column; operands whose shapes do not fit are the errors the
/// macros report at run time.
///
/// ```
/// use einsum_static::{dynamic, EinsumError};
/// use ndarray::{Array, IxDyn};
///
/// let m = Array::from_shape_fn(IxDyn(&[3, 3]), |i| (i[0] * 3 + i[1]) as i64);
/// let trace = dynamic::einsum("ii", &[m.view()])?;
/// assert_eq!(trace[[]], 12); // rank 0
/// assert_eq!(trace.ndim(), 0);
/// let err = dynamic::einsum("ij,jk->ik", &[m.view()]).unwrap_err();
/// assert!(err.to_string().starts_with("fewer operands provided"));
/// # Ok::<(), EinsumError>(())
/// ```
pub fn einsum<T: Element>(
    equation: &str,
    operands: &[ArrayViewD<'_, T>],
) -> Result<ArrayD<T>, EinsumError> {
    cache::contraction(equation, operands.len())?.run(operands)
}

/// Runs `f` with `token` in force for the run-time einsums it starts on
/// this thread ([`einsum`], and [`Contraction`]s that have no token of
/// their own): once the token is set (from any thread), they skip the
/// work they have not started and return [`EinsumError::Cancelled`]. The
/// macros' einsums never see it. For a contraction shared between calls
/// that each want their own token, such as the Python package's.
///
/// ```
/// use einsum_static::dynamic::{self, Cancel};
/// let token = Cancel::new();
/// let a = ndarray::ArrayD::<f32>::ones(vec![64, 64]);
/// let r = dynamic::with_cancel(&token, || dynamic::einsum("ij,jk->ik", &[a.view(), a.view()]));
/// assert_eq!(r?[[0, 0]], 64.0);
/// # Ok::<(), einsum_static::EinsumError>(())
/// ```
pub fn with_cancel<R>(token: &Cancel, f: impl FnOnce() -> R) -> R {
    crate::context::with_ambient(|context| context.cancel = Some(token.clone()), f)
}

/// An equation checked once, to run on many sets of operands.
///
/// Build it with [`Contraction::new`], set options with
/// [`threads`](Contraction::threads) and
/// [`memory_limit`](Contraction::memory_limit), then
/// [`run`](Contraction::run), [`run_into`](Contraction::run_into) or
/// [`explain`](Contraction::explain). It keeps the last contraction path it
/// planned (three or more operands) for calls with the same sizes, and may
/// be shared between threads.
///
/// ```
/// use einsum_static::dynamic::Contraction;
/// use ndarray::ArrayD;
///
/// let chain = Contraction::new("ij,jk,kl->il")?.threads(2);
/// let a = ArrayD::<f64>::ones(vec![8, 4]);
/// let b = ArrayD::<f64>::ones(vec![4, 8]);
/// for _ in 0..3 {
///     // Planned on the first call only.
///     let r = chain.run(&[a.view(), b.view(), a.view()])?;
///     assert_eq!(r.shape(), [8, 4]);
///     assert_eq!(r[[0, 0]], 32.0);
/// }
/// # Ok::<(), einsum_static::EinsumError>(())
/// ```
#[derive(Debug)]
pub struct Contraction {
    equation: String,
    /// The distinct labels, numbered in order of first appearance (as the
    /// macros number them, so that both plan the same path).
    labels: Vec<char>,
    inputs: Vec<Vec<Sub>>,
    output: Vec<Sub>,
    options: Options,
    plans: PlanCache,
    /// Every label's number, `0..labels.len()`: the labels of the step of
    /// one or two operands.
    numbers: Vec<usize>,
    /// Whether a two-operand step may be a GEMM (the macros' rule).
    gemm_class: bool,
    /// The token that stops its calls, if any ([`Contraction::cancel_on`]).
    cancel: Option<Cancel>,
}

impl Contraction {
    /// Checks `equation` for as many operands as it has terms; the output
    /// is NumPy's implicit one when there is no `->`.
    ///
    /// ```
    /// use einsum_static::{dynamic::Contraction, EinsumError};
    /// assert_eq!(Contraction::new("ba")?.output(), "ab");
    /// let err = Contraction::new("ij->i->j").unwrap_err();
    /// assert!(matches!(err, EinsumError::InvalidEquation { column: Some(6), .. }));
    /// # Ok::<(), EinsumError>(())
    /// ```
    pub fn new(equation: &str) -> Result<Contraction, EinsumError> {
        let terms = einsum_syntax::parse::parse(equation)
            .map_err(einsum_syntax::SyntaxError::from)?
            .inputs
            .len();
        let checked = einsum_syntax::check(equation, terms)?;
        Ok(Contraction::from_checked(equation, checked))
    }

    fn from_checked(equation: &str, checked: einsum_syntax::Checked) -> Contraction {
        let labels = checked.labels();
        let number = |term: &einsum_syntax::Term| -> Vec<Sub> {
            term.subscripts
                .iter()
                .map(|s| match s {
                    einsum_syntax::Subscript::Label(c) => {
                        Sub::Label(labels.iter().position(|l| l == c).expect("a label"))
                    }
                    einsum_syntax::Subscript::Ellipsis => Sub::Ellipsis,
                })
                .collect()
        };
        let inputs: Vec<Vec<Sub>> = checked.inputs.iter().map(number).collect();
        let output = number(&checked.output);
        let gemm_class = gemm_class(labels.len(), &inputs, &output);
        Contraction {
            equation: equation.to_string(),
            numbers: (0..labels.len()).collect(),
            inputs,
            output,
            labels,
            options: Options::new(),
            plans: PlanCache::new(),
            gemm_class,
            cancel: None,
        }
    }

    /// Runs on a pool of `n` threads (0: the ambient rayon pool), as the
    /// macros' `threads = n` option. The result does not depend on `n`.
    ///
    /// ```
    /// # use einsum_static::dynamic::Contraction;
    /// let a = ndarray::ArrayD::<f32>::ones(vec![64, 64]);
    /// let c = Contraction::new("ij,jk->ik")?.threads(1).run(&[a.view(), a.view()])?;
    /// assert_eq!(c[[0, 0]], 64.0);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn threads(mut self, n: usize) -> Contraction {
        self.options = self.options.threads(n);
        self
    }

    /// Bounds the call's temporaries to `bytes`, as the macros'
    /// `memory_limit = bytes` option: intermediates of three or more
    /// operands that would not fit are computed in slices.
    ///
    /// ```
    /// # use einsum_static::dynamic::Contraction;
    /// let a = ndarray::ArrayD::<f64>::ones(vec![2000, 40]);
    /// let b = ndarray::ArrayD::<f64>::ones(vec![40, 40]);
    /// let small = Contraction::new("ij,jk,lk->il")?.memory_limit(100_000);
    /// assert!(!small.explain(&[a.view(), b.view(), a.view()])?.sliced().is_empty());
    /// let r = small.run(&[a.view(), b.view(), a.view()])?;
    /// assert_eq!(r[[0, 0]], 40.0 * 40.0);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn memory_limit(mut self, bytes: usize) -> Contraction {
        self.options = self.options.memory_limit(bytes);
        self
    }

    /// Stops this contraction's calls once `token` is set (from any
    /// thread, at any time): a call skips the work it has not started
    /// (it checks between blocks of work: scheduler blocks, GEMM calls and
    /// blocks, path steps and slices) and returns
    /// [`EinsumError::Cancelled`]; an `out` given to
    /// [`run_into`](Contraction::run_into) then holds partial values. One
    /// GEMM call is not cut: a product of a single huge GEMM call stops
    /// after it. Without a token a call checks nothing; with one that is
    /// never set, results are the same, bit for bit. This token is used
    /// instead of one from [`with_cancel`].
    ///
    /// ```
    /// use einsum_static::{dynamic::{Cancel, Contraction}, EinsumError};
    /// let token = Cancel::new();
    /// let chain = Contraction::new("ij,jk,kl->il")?.cancel_on(&token);
    /// let a = ndarray::ArrayD::<f64>::ones(vec![300, 300]);
    /// let stopper = token.clone();
    /// std::thread::spawn(move || stopper.cancel()).join().unwrap();
    /// let err = chain.run(&[a.view(), a.view(), a.view()]).unwrap_err();
    /// assert_eq!(err, EinsumError::Cancelled);
    /// # Ok::<(), EinsumError>(())
    /// ```
    pub fn cancel_on(mut self, token: &Cancel) -> Contraction {
        self.cancel = Some(token.clone());
        self
    }

    /// The FLOP count of a call on `operands`, as
    /// [`explain`](Contraction::explain)`(operands)?.flops()` gives it but
    /// without choosing the engines: cheap enough to decide per call how
    /// to run it (the Python package starts a watcher for Ctrl-C only
    /// for long calls). For three or more operands it plans the path,
    /// which the call then reuses; call it with the options of the call
    /// in force. The errors are those of [`run`](Contraction::run).
    ///
    /// ```
    /// use einsum_static::dynamic::Contraction;
    /// let (a, b) = (ndarray::ArrayD::<f64>::zeros(vec![512, 64]), ndarray::ArrayD::<f64>::zeros(vec![64, 512]));
    /// let chain = Contraction::new("ij,jk,kl,lm->im")?;
    /// let ops = [a.view(), b.view(), a.view(), b.view()];
    /// assert_eq!(chain.flops(&ops)?, chain.explain(&ops)?.flops());
    /// let matmul = Contraction::new("ij,jk->ik")?;
    /// assert_eq!(matmul.flops(&[a.view(), b.view()])?, 2.0 * 512.0 * 64.0 * 512.0);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn flops<T: Element>(&self, operands: &[ArrayViewD<'_, T>]) -> Result<f64, EinsumError> {
        run::flops(self, operands)
    }

    /// The equation as given.
    pub fn equation(&self) -> &str {
        &self.equation
    }

    /// The number of operands the equation takes.
    ///
    /// ```
    /// # use einsum_static::dynamic::Contraction;
    /// assert_eq!(Contraction::new("ij,jk,kl")?.operands(), 3);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn operands(&self) -> usize {
        self.inputs.len()
    }

    /// The output's subscripts, `...` for the ellipsis: the explicit ones,
    /// or NumPy's implicit output.
    ///
    /// ```
    /// # use einsum_static::dynamic::Contraction;
    /// assert_eq!(Contraction::new("...ij,jk")?.output(), "...ik");
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn output(&self) -> String {
        self.output
            .iter()
            .map(|s| match s {
                Sub::Label(l) => self.labels[*l].to_string(),
                Sub::Ellipsis => "...".into(),
            })
            .collect()
    }

    /// The shape of the result on `operands` (the output's subscripts,
    /// the ellipsis's dimensions in place), with every check of
    /// [`run`](Contraction::run) and its errors, without computing it: to
    /// allocate the `out` of [`run_into`](Contraction::run_into) oneself.
    ///
    /// ```
    /// # use einsum_static::dynamic::Contraction;
    /// let (a, b) = (ndarray::ArrayD::<f64>::zeros(vec![2, 3]), ndarray::ArrayD::<f64>::zeros(vec![3, 4]));
    /// let matmul = Contraction::new("ij,jk->ki")?;
    /// assert_eq!(matmul.output_shape(&[a.view(), b.view()])?, [4, 2]);
    /// assert!(matmul.output_shape(&[a.view(), a.view()]).is_err());
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn output_shape<T: Element>(
        &self,
        operands: &[ArrayViewD<'_, T>],
    ) -> Result<Vec<usize>, EinsumError> {
        run::output_shape(self, operands)
    }

    /// The order in which to lay out the result's axes (outermost first)
    /// when the caller allocates it and may choose: for two operands whose
    /// output splits the free labels of one of them, the batch labels,
    /// then the first operand's free labels in its memory order, then the
    /// second's, as `numpy.einsum(optimize=True)` lays out its result. An
    /// `out` of that layout (seen through the output's axes) is written in
    /// place by one GEMM where a standard-layout one would be copied or
    /// scattered. `None` where the output's own order serves as well.
    ///
    /// ```
    /// # use einsum_static::dynamic::Contraction;
    /// let a = ndarray::ArrayD::<f64>::zeros(vec![2, 3, 4]);
    /// let c = Contraction::new("abk,kcd->cadb")?;
    /// assert_eq!(c.output_order(&[a.view(), a.view()]), Some(vec![1, 3, 0, 2]));
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn output_order<T: Element>(&self, operands: &[ArrayViewD<'_, T>]) -> Option<Vec<usize>> {
        let [a, b] = operands else {
            return None;
        };
        output_order::output_order(&self.inputs, &self.output, [a.strides(), b.strides()])
    }

    /// Evaluates the equation on `operands`: a new array in standard
    /// layout. Errors as [`einsum`].
    ///
    /// ```
    /// use einsum_static::dynamic::Contraction;
    /// use ndarray::{s, Array, IxDyn};
    ///
    /// let x = Array::from_shape_fn(IxDyn(&[4, 3]), |i| (i[0] * 3 + i[1]) as f64);
    /// let gram = Contraction::new("ji,jk->ik")?;
    /// // Views of any strides are read in place.
    /// let r = gram.run(&[x.view(), x.slice(s![..;-1, ..]).into_dyn()])?;
    /// assert_eq!(r.shape(), [3, 3]);
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn run<T: Element>(
        &self,
        operands: &[ArrayViewD<'_, T>],
    ) -> Result<ArrayD<T>, EinsumError> {
        run::new_array(self, operands)
    }

    /// Evaluates the equation on `operands` into `out`, which must have
    /// the result's shape (else [`EinsumError::OutputShape`]); its
    /// elements are overwritten, in place through its own strides whatever
    /// its layout (nothing else is allocated for the result). In standard
    /// layout the result has the bits of [`run`](Contraction::run); other
    /// layouts may take another engine, within rounding.
    ///
    /// ```
    /// use einsum_static::dynamic::Contraction;
    /// use ndarray::ArrayD;
    ///
    /// let a = ArrayD::<f64>::ones(vec![3, 4]);
    /// let mut out = ArrayD::<f64>::zeros(vec![3]);
    /// Contraction::new("ij->i")?.run_into(&[a.view()], out.view_mut())?;
    /// assert_eq!(out.as_slice().unwrap(), [4.0, 4.0, 4.0]);
    /// let mut wrong = ArrayD::<f64>::zeros(vec![4]);
    /// assert!(Contraction::new("ij->i")?.run_into(&[a.view()], wrong.view_mut()).is_err());
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn run_into<T: Element>(
        &self,
        operands: &[ArrayViewD<'_, T>],
        out: ArrayViewMutD<'_, T>,
    ) -> Result<(), EinsumError> {
        run::into_view(self, operands, out)
    }

    /// Describes how the equation would run on `operands` without running
    /// it, like NumPy's `einsum_path` and the macros' `explain!`: the
    /// pairwise path of three or more operands with the FLOPs of each
    /// step, or the engine of one step. The error is the one
    /// [`run`](Contraction::run) would return.
    ///
    /// ```
    /// use einsum_static::dynamic::Contraction;
    /// use ndarray::ArrayD;
    ///
    /// let (a, b) = (ArrayD::<f64>::zeros(vec![512, 64]), ArrayD::<f64>::zeros(vec![64, 512]));
    /// let plan = Contraction::new("ij,jk,kl,lm->im")?
    ///     .explain(&[a.view(), b.view(), a.view(), b.view()])?;
    /// assert_eq!(plan.flops(), 41_943_040.0);
    /// println!("{plan}");
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn explain<T: Element>(
        &self,
        operands: &[ArrayViewD<'_, T>],
    ) -> Result<Explain, EinsumError> {
        run::explain(self, operands, None)
    }

    /// [`Contraction::explain`] for a result laid out in
    /// [`Contraction::output_order`] (where that gives one): what
    /// [`run_into`](Contraction::run_into) does on an array so laid out,
    /// as the Python package lays out its results.
    ///
    /// ```
    /// use einsum_static::dynamic::Contraction;
    /// use ndarray::ArrayD;
    ///
    /// let (a, b) = (ArrayD::<f64>::zeros(vec![64, 64, 64]), ArrayD::<f64>::zeros(vec![16, 64]));
    /// let c = Contraction::new("dca,bd->abc")?;
    /// // Laid out as (c, a, b), the result is one GEMM's.
    /// assert_eq!(c.output_order(&[a.view(), b.view()]), Some(vec![2, 0, 1]));
    /// let plan = c.explain_in_output_order(&[a.view(), b.view()])?;
    /// assert_eq!(plan.engine(), Some("GEMM engine"));
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn explain_in_output_order<T: Element>(
        &self,
        operands: &[ArrayViewD<'_, T>],
    ) -> Result<Explain, EinsumError> {
        let order = self.output_order(operands);
        run::explain(self, operands, order.as_deref())
    }

    /// The settings of a call: the contraction's options and token over
    /// the ambient settings of this thread.
    fn context(&self) -> Context {
        let mut context = self.options.over(Context::ambient_cancellable());
        if let Some(token) = &self.cancel {
            context.cancel = Some(token.clone());
        }
        context
    }

    /// The error for a call with `operands` operands, if it is not the
    /// number of terms: NumPy's wording, as the macros'.
    fn check_count(&self, operands: usize) -> Result<(), EinsumError> {
        if operands == self.inputs.len() {
            return Ok(());
        }
        einsum_syntax::check(&self.equation, operands)?;
        unreachable!("a count that differs from the terms is an error")
    }

    /// Whether some label is summed (absent from the output).
    fn sums(&self) -> bool {
        (0..self.labels.len()).any(|l| !self.output.contains(&Sub::Label(l)))
    }
}

/// Whether a two-operand step may be a GEMM, by the macros' rule: a label
/// summed between the inputs (k), and an output axis from one input only
/// (m or n), or an ellipsis whose strides decide.
fn gemm_class(labels: usize, inputs: &[Vec<Sub>], output: &[Sub]) -> bool {
    let [a, b] = inputs else {
        return false;
    };
    let has = |term: &[Sub], l: usize| term.contains(&Sub::Label(l));
    let k = (0..labels).any(|l| has(a, l) && has(b, l) && !has(output, l));
    let m_or_n = (0..labels).any(|l| has(output, l) && has(a, l) != has(b, l));
    k && (m_or_n || output.contains(&Sub::Ellipsis))
}
