//! NumPy's `einsum` as a Rust macro: the equation is parsed and checked when
//! the program compiles, the macro emits loops specialized to it, and they
//! run on all cores through rayon.
//!
//! ```
//! use einsum_static::einsum;
//! use ndarray::array;
//!
//! let a = array![[1.0, 2.0], [3.0, 4.0]];
//! let b = array![[5.0, 6.0], [7.0, 8.0]];
//! let c = einsum!("ij,jk->ik", &a, &b); // Array2<f64>
//! assert_eq!(c, array![[19.0, 22.0], [43.0, 50.0]]);
//! let trace: f64 = einsum!("ii->", &a); // rank 0: the scalar itself
//! assert_eq!(trace, 5.0);
//! ```
//!
//! # The equation language
//!
//! Exactly NumPy's: one term of subscripts per operand, separated by commas,
//! then optionally `->` and the output's subscripts. Subscripts are the
//! letters `a-z` and `A-Z`; spaces are ignored.
//!
//! | equation | computes |
//! |---|---|
//! | `"ij,jk->ik"` | matrix product: `j` is in both inputs and not in the output, so it is summed |
//! | `"ij->ji"`, `"ij->ij"` | transpose, copy |
//! | `"ij->i"`, `"ij->"` | row sums, sum of all elements |
//! | `"ii->i"`, `"ii->"` | diagonal, trace: a label repeated in one operand walks the diagonal |
//! | `"iij->j"`, `"ijij->ij"` | diagonals over several axes |
//! | `"i,j->ij"` | outer product |
//! | `"ij,ij->i"` | row-wise dot products |
//! | `",ij->ij"` | a rank-0 operand (empty term) times a matrix |
//! | `"bij,bjk->bik"` | batched matrix product |
//! | `"...ij,...jk->...ik"` | the same over any number of leading, broadcast axes |
//! | `"ij,jk,kl->il"` | any number of operands, contracted pairwise |
//!
//! **Implicit output.** Without `->`, the output is NumPy's: the broadcast
//! axes of `...` first (if any input has one), then every label that occurs
//! exactly once in the equation, in ASCII order (uppercase before
//! lowercase). So `"ij,jk"` is `"ij,jk->ik"`, `"ba"` is `"ba->ab"` (a
//! transpose) and `"ii"` is the trace.
//!
//! **Broadcasting.** A label's axes must have one size, except that a size
//! of 1 stretches to the others, as in NumPy: `"ij,ij->j"` accepts shapes
//! (10, 2) and (1, 2). Each `...` stands for the axes of its operand that
//! the named labels leave over; these are aligned from the right across
//! operands and broadcast the same way. As in NumPy they are never summed:
//! when they cover any axes the output must have `...` too.
//!
//! # Operands and results
//!
//! An operand is any expression whose `.view()` gives an ndarray
//! `ArrayView`: owned arrays, references, views, `ArcArray`, `CowArray`,
//! with any strides (transposed, stepped, reversed, broadcast). All operands
//! share one element type: the floats, the integers or
//! `num_complex::Complex<f32 / f64>` (see [`Element`]).
//!
//! ```
//! use einsum_static::einsum;
//! use ndarray::{s, Array, Array3};
//!
//! let x = Array::from_shape_fn((4, 3), |(i, j)| (i * 3 + j) as i64);
//! // Transposed and reversed views are read in place, never copied.
//! let gram = einsum!("ji,jk->ik", &x, &x.slice(s![..;-1, ..]));
//! assert_eq!(gram.dim(), (3, 3));
//!
//! let batch = Array3::<f32>::ones((8, 2, 5));
//! let sums = einsum!("...ij->...i", &batch); // ArrayD<f32>, shape [8, 2]
//! assert_eq!(sums.shape(), &[8, 2]);
//! ```
//!
//! The result is a new array in standard (row-major) layout: `Array<T, IxN>`
//! where N is the output's rank, the scalar `T` for rank 0, and `ArrayD<T>`
//! when the output has `...` or more than 6 axes.
//!
//! # Errors
//!
//! A malformed equation is a compile error on the literal, worded as NumPy
//! words it and naming the character and its column; so is a wrong number
//! of operands, and an operand whose static rank cannot match its term.
//!
//! ```compile_fail
//! # use einsum_static::einsum;
//! # let a = ndarray::Array2::<f64>::zeros((2, 2));
//! let c = einsum!("ij,jk->iz", &a, &a);
//! // error: einstein sum subscripts string included output subscript 'z'
//! //        which never appeared in an input
//! ```
//!
//! Sizes are known only when the program runs. [`einsum!`] panics when they
//! do not fit, and [`try_einsum!`] returns an [`EinsumError`] that names
//! the label, the operands and axes, and both sizes.
//!
//! # Options
//!
//! Options follow the operands after a semicolon:
//!
//! ```
//! # use einsum_static::einsum;
//! # let a = ndarray::Array2::<f32>::ones((64, 64));
//! let c = einsum!("ij,jk->ik", &a, &a; threads = 1); // on a pool of 1 thread
//! # assert_eq!(c[[0, 0]], 64.0);
//! ```
//!
//! `threads = n` runs the call's parallel sections on a rayon pool of `n`
//! threads (pools of up to the core count are kept, at most four; a larger
//! `n` gets a pool for the call); a call too small to split stays on the
//! calling thread and pays nothing for the option. Without it the call uses
//! the ambient pool, so `RAYON_NUM_THREADS` and `ThreadPool::install`
//! choose the threads.
//!
//! `memory_limit = bytes` bounds the temporaries the call makes: the
//! intermediates of three or more operands, the partial sums of split
//! reductions. When the cheapest order's intermediates would not fit, the
//! contraction runs on slices of a label (an output label when one helps,
//! else a summed one whose slices are added up), and [`explain!`] says so.
//! The default is 1 GiB or the largest output or operand (counting the
//! elements an operand occupies, not its broadcast size), whichever is
//! larger. The output is not a temporary, and neither are the GEMM
//! engine's packing buffers, which are bounded by the cache sizes (about
//! 1 MiB per thread). Options combine: `; threads = 4, memory_limit = 1 << 28`.
//!
//! ```
//! # use einsum_static::{einsum, explain};
//! let a = ndarray::Array2::<f64>::ones((2000, 40));
//! let b = ndarray::Array2::<f64>::ones((40, 40));
//! // The best order makes a 2000 x 40 intermediate (640 KB): here it is
//! // computed in slices of i or l, each under 100 KB.
//! let r = einsum!("ij,jk,lk->il", &a, &b, &a; memory_limit = 100_000);
//! assert_eq!(r[[0, 0]], 40.0 * 40.0);
//! let plan = explain!("ij,jk,lk->il", &a, &b, &a; memory_limit = 100_000)?;
//! let sliced = plan.sliced();
//! assert!(!sliced.is_empty() && sliced.iter().all(|&(l, _, _)| l == 'i' || l == 'l'));
//! # Ok::<(), einsum_static::EinsumError>(())
//! ```
//!
//! ## Writing into an array you own: `out = ...`
//!
//! `out = EXPR` writes the result into an existing array instead of a new
//! one, and the call returns `()` (`try_einsum!`: `Result<(), EinsumError>`).
//! `EXPR` is anything whose `.view_mut()` is an ndarray `ArrayViewMut` of
//! the element type, in any layout (transposed, stepped, reversed, Fortran
//! order); a rank-0 result goes to a `&mut T` or an `Array0`. Nothing is
//! allocated for the output: every engine writes through its strides. Its
//! shape must be the result's: [`try_einsum!`] returns
//! [`EinsumError::OutputShape`] otherwise, before anything is written, and
//! a static rank that cannot fit is a compile error. The results are the
//! bits of the allocating form on an output in standard layout (other
//! layouts may choose another GEMM kernel order, within rounding).
//!
//! ```
//! # use einsum_static::{einsum, try_einsum};
//! use ndarray::{s, Array2};
//! let a = Array2::<f64>::ones((3, 4));
//! let mut c = Array2::<f64>::zeros((3, 3));
//! einsum!("ij,kj->ik", &a, &a; out = &mut c);
//! assert_eq!(c[[0, 0]], 4.0);
//! let mut big = Array2::<f64>::zeros((6, 3));
//! try_einsum!("ij,kj->ik", &a, &a; out = big.slice_mut(s![..;-2, ..]))?;
//! let mut dot = 0.0;
//! einsum!("ij,ij", &a, &a; out = &mut dot);
//! assert_eq!(dot, 12.0);
//! // A wrong shape is an error, and the array is left as it was.
//! let mut wrong = Array2::<f64>::zeros((4, 4));
//! assert!(try_einsum!("ij,kj->ik", &a, &a; out = &mut wrong).is_err());
//! # Ok::<(), einsum_static::EinsumError>(())
//! ```
//!
//! `alpha = x` and `beta = y` (values of the element type) scale as BLAS
//! does: `out = alpha * einsum + beta * out`, `alpha` 1 and `beta` 0 unless
//! given. With `beta = 0` the old contents are never read, so an output
//! full of NaN is fine. `beta` needs `out` (a compile error otherwise);
//! `alpha` alone scales a new array too.
//!
//! ```
//! # use einsum_static::einsum;
//! # use ndarray::Array2;
//! let a = Array2::<f64>::ones((3, 4));
//! let mut c = Array2::<f64>::ones((3, 3));
//! einsum!("ij,kj->ik", &a, &a; out = &mut c, alpha = 2.0, beta = 0.5); // c = 2·a·aᵀ + c/2
//! assert_eq!(c[[0, 0]], 8.5);
//! let d = einsum!("ij,kj->ik", &a, &a; alpha = -1.0);
//! assert_eq!(d[[0, 0]], -4.0);
//! ```
//!
//! ## Reductions beyond the sum: `semiring = ...`
//!
//! | semiring | `⊕` (the reduction) | `⊗` (the product) | empty sum | element types |
//! |---|---|---|---|---|
//! | `sum_product` (default) | `+` | `×` | 0 | every [`Element`] |
//! | `max_plus` | max | `+` | −∞ (an integer's least value) | floats, integers |
//! | `min_plus` | min | `+` | +∞ (an integer's greatest value) | floats, integers |
//! | `max_product` | max | `×` | −∞ (an integer's least value) | floats, integers |
//! | `log_sum_exp` | `ln(eᵃ + eᵇ)`, shifted by the running max | `+` | −∞ | floats |
//!
//! Every feature of the equation language works with each (repeated
//! labels, ellipsis, broadcasting, any number of operands along the same
//! path, the memory limit with slices combined by `⊕`), and `out`,
//! `alpha` and `beta` compute `alpha ⊗ einsum ⊕ beta ⊗ out` (`alpha`
//! defaults to the semiring's one; without `beta` the old contents are not
//! read). Another element type or an unknown name is a compile error.
//! Matrix-product-shaped steps of `max_plus`, `min_plus` and `max_product`
//! run a packed, blocked, vectorized kernel (the tropical GEMM), the other
//! steps the runtime's generic loops; either way each output element folds
//! its terms in one fixed order, so results do not depend on the thread
//! count. `max_product` is a semiring on
//! numbers ≥ 0: with negative factors, equations of three or more
//! operands (evaluated pairwise) may differ from the direct maximum.
//!
//! ```
//! # use einsum_static::einsum;
//! use ndarray::array;
//! let a = array![[0.0, 5.0], [1.0, 2.0]];
//! let b = array![[1.0, 0.0], [0.0, 3.0]];
//! // best[i, k] = max over j of a[i, j] + b[j, k]
//! let best = einsum!("ij,jk->ik", &a, &b; semiring = max_plus);
//! assert_eq!(best, array![[5.0, 8.0], [2.0, 5.0]]);
//! // Log-probabilities: log of the sum over j of exp(a[i, j] + b[j, k]).
//! let log_p = einsum!("ij,jk->ik", &a, &b; semiring = log_sum_exp);
//! assert!((log_p[[0, 0]] - (1f64.exp() + 5f64.exp()).ln()).abs() < 1e-12);
//! let mut shortest = array![[0.0, 0.0], [0.0, 0.0]];
//! einsum!("ij,jk->ik", &a, &b; out = &mut shortest, semiring = min_plus, beta = 0.0);
//! assert_eq!(shortest, array![[0.0, 0.0], [0.0, 0.0]]); // min(a⊗b, 0 + old)
//! ```
//!
//! # Equations known at run time
//!
//! When the equation is only known when the program runs, [`dynamic`]
//! takes it as a string, with the same language, rules and messages, on
//! the same engines; the result is an `ArrayD`:
//!
//! ```
//! use einsum_static::dynamic::{self, Contraction};
//! let a = ndarray::ArrayD::<f64>::ones(vec![3, 4]);
//! let c = dynamic::einsum("ij,kj->ik", &[a.view(), a.view()])?;
//! assert_eq!(c.shape(), [3, 3]);
//! let rows = Contraction::new("ij->i")?.threads(2); // checked once, reused
//! assert_eq!(rows.run(&[a.view()])?.as_slice().unwrap(), [4.0; 3]);
//! assert!(dynamic::einsum("ij->iz", &[a.view()]).is_err()); // NumPy's message
//! # Ok::<(), einsum_static::EinsumError>(())
//! ```
//!
//! # How it runs, and `explain!`
//!
//! One or two operands run the loops the macro generated for the equation:
//! the output's axes outermost, summed labels inside, and the innermost
//! loop one call of a runtime kernel that takes unit-stride fast paths
//! (vectorized with AVX-512 or AVX2 when the CPU has them, chosen at run
//! time). Matrix-product-shaped steps (a summed label shared by both
//! operands and a free label in each) with enough work go to a packed,
//! cache-blocked GEMM instead, on any strides, without transposing copies;
//! a matrix-vector product takes its rows four at a time, and a batch of
//! small products (below 32x32x32 each for `f32`/`f64`) sums output rows
//! from rows of the second operand in registers. Three or more operands are contracted pairwise in
//! the cheapest order for the actual sizes, as opt_einsum's `optimal` does;
//! each call site keeps its last plan for calls with the same sizes.
//! [`explain!`] prints
//! the plan for given operands, like NumPy's `einsum_path`:
//!
//! ```
//! # use einsum_static::explain;
//! let (a, b) = (ndarray::Array2::<f64>::zeros((512, 64)), ndarray::Array2::<f64>::zeros((64, 512)));
//! println!("{}", explain!("ij,jk,kl,lm->im", &a, &b, &a, &b)?);
//! // einsum "ij,jk,kl,lm->im"
//! //   sizes: i=512 j=64 k=512 l=64 m=512; threads: 2
//! //   output:                a new array
//! //   semiring:              sum_product
//! //   naive FLOP count:      2.1990e12
//! //   optimized FLOP count:  4.1943e7
//! //   speed-up:              52428.8x
//! //   step 1: jk,kl->jl  (4.1943e6 FLOPs)
//! //   step 2: ij,jl->il  (4.1943e6 FLOPs)
//! //   step 3: il,lm->im  (3.3554e7 FLOPs)
//! # Ok::<(), einsum_static::EinsumError>(())
//! ```
//!
//! Small work runs on the calling thread; larger work is cut into blocks of
//! the output by its size, not by the thread count (or, for a scalar result,
//! into blocks of a summed axis whose partial sums are added in order), so
//! every thread count gives the same result bit for bit. The `threads`
//! option (above) picks the pool.

#![deny(missing_docs)]

/// Evaluates an einsum equation on ndarray operands.
///
/// ```text
/// einsum!("equation", operand, operand, ... [; option = value, ...])
/// ```
///
/// - **equation**: a string literal in NumPy's language (see the
///   [crate docs](crate)), checked when the program compiles.
/// - **operands**: one per term of the equation, each any expression whose
///   `.view()` is an ndarray `ArrayView` (`&a`, `a.view()`, `a.t()`,
///   slices, broadcast views, `ArcArray`, `CowArray`), all of one element
///   type [`Element`]. They are evaluated once, in order, as written.
/// - **options**, after a `;`:
///
/// | option | meaning | default |
/// |---|---|---|
/// | `threads = n` (`usize`) | run the parallel sections on a pool of `n` threads; `0` means the ambient pool. Pools of up to the core count are kept (at most four); larger `n` get a pool for the call | the ambient rayon pool (`RAYON_NUM_THREADS`, `ThreadPool::install`) |
/// | `memory_limit = bytes` (`usize`) | bound on the call's temporaries (intermediates of 3+ operands, partial sums); larger ones are computed in slices | 1 GiB, or the largest output or operand (its distinct elements) if larger |
/// | `out = EXPR` (`.view_mut()` an `ArrayViewMut<T, _>`, or `&mut T` for a rank-0 result) | write the result into this array, of any layout, and return `()`; its shape must be the result's ([`EinsumError::OutputShape`] otherwise, the array untouched) | a new array |
/// | `alpha = x` (`T`) | `alpha * einsum` | 1 |
/// | `beta = y` (`T`, needs `out`) | `+ beta * out`; with 0 the old contents are never read | 0 |
/// | `semiring = name` | `sum_product`, `max_plus`, `min_plus`, `max_product` or `log_sum_exp`: the reduction `⊕` and product `⊗` (see the [crate docs](crate)) | `sum_product` |
///
/// **Returns** `Array<T, IxN>` for an output of N axes (1 to 6), the scalar
/// `T` for a rank-0 output, `ArrayD<T>` when the output has `...` or more
/// than six axes; always a new array in standard layout. With `out`, `()`.
///
/// **Errors**:
///
/// | mistake | when | what you get |
/// |---|---|---|
/// | malformed equation, wrong operand count, unknown or repeated option | compile time | an error on the literal or option, in NumPy's words |
/// | an operand's static rank does not fit its term, mixed element types | compile time | an error on the operand |
/// | sizes that disagree, a wrong dynamic rank, an output too large | run time | a panic with the [`EinsumError`]'s message; [`try_einsum!`] returns it |
///
/// Integer elements wrap on overflow (as NumPy's do), in every build.
///
/// ```
/// use einsum_static::einsum;
/// use ndarray::array;
///
/// let v = array![1, 2, 3];
/// let outer = einsum!("i,j->ij", &v, &v);
/// assert_eq!(outer[[2, 1]], 6);
/// let dot: i32 = einsum!("i,i", &v, &v);
/// assert_eq!(dot, 14);
/// ```
#[macro_export]
macro_rules! einsum {
    ($($input:tt)*) => {
        $crate::__private::einsum! { $crate; $($input)* }
    };
}

/// Like [`einsum!`], but returns `Result<_, EinsumError>` instead of
/// panicking when the operands' sizes do not fit the equation.
///
/// ```text
/// try_einsum!("equation", operand, ... [; option = value, ...]) -> Result<R, EinsumError>
/// ```
///
/// Same equation, operands, options and result `R` as [`einsum!`]; every
/// run-time mistake is an `Err` (see [`EinsumError`] for the cases), none
/// panics.
///
/// ```
/// use einsum_static::{try_einsum, EinsumError};
/// use ndarray::Array2;
///
/// let a = Array2::<f64>::ones((2, 3));
/// let b = Array2::<f64>::ones((3, 4));
/// let c = try_einsum!("ij,jk->ik", &a, &b)?;
/// assert_eq!(c.dim(), (2, 4));
/// assert!(try_einsum!("ij,jk->ik", &a, &a).is_err());
/// # Ok::<(), EinsumError>(())
/// ```
#[macro_export]
macro_rules! try_einsum {
    ($($input:tt)*) => {
        $crate::__private::try_einsum! { $crate; $($input)* }
    };
}

/// Describes how an einsum would run on these operands, for their actual
/// sizes, without running it: like NumPy's `einsum_path`, it shows the
/// pairwise contraction order of three or more operands with the FLOPs of
/// each step, the naive and optimized FLOP counts, the engine and what the
/// scheduler splits. Returns `Result<Explain, EinsumError>`: the same
/// error the call itself would return.
///
/// ```text
/// explain!("equation", operand, ... [; option = value, ...]) -> Result<Explain, EinsumError>
/// ```
///
/// ```
/// use einsum_static::explain;
/// use ndarray::Array2;
///
/// let a = Array2::<f64>::zeros((1024, 1024));
/// let plan = explain!("ij,jk->ik", &a, &a)?;
/// assert_eq!(plan.flops(), 2.0 * 1024f64.powi(3));
/// println!("{plan}");
/// # Ok::<(), einsum_static::EinsumError>(())
/// ```
#[macro_export]
macro_rules! explain {
    ($($input:tt)*) => {
        $crate::__private::explain! { $crate; $($input)* }
    };
}

/// The element types of the semirings (`semiring = ...`): floats and
/// integers for max_plus, min_plus and max_product, floats for log_sum_exp.
pub use einsum_runtime::semiring::{LogSumExpElement, OrderedElement};
pub use einsum_runtime::{EinsumError, Element, Explain};

/// What [`Explain::contraction_path`] returns: the pairwise path of a call
/// with three or more operands, its steps and the operands each joins.
pub use einsum_runtime::path::{OperandSet, Path, PathStep};

/// Equations known only at run time: [`dynamic::einsum`] and the reusable
/// [`dynamic::Contraction`], on the engines the macros use (see the
/// module's docs, and the README's "Equations known at run time").
pub use einsum_runtime::dynamic;

/// The `ndarray` the macros take and return: use it to be sure your arrays
/// are of the version einsum-static was built with.
///
/// ```
/// use einsum_static::{einsum, ndarray::array};
/// let m = array![[1.0, 2.0], [3.0, 4.0]];
/// assert_eq!(einsum!("ii->", &m), 5.0);
/// ```
pub use einsum_runtime::ndarray;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
