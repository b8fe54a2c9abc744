//! The innermost loop of a step, as one call: the generated loops hand the
//! last label's length, and each array's offset and stride along it.
//!
//! Each kernel takes a fast path when the strides are 1 (or 0, for an input
//! that lacks the label and so stays constant): unit-stride slices, several
//! accumulators, and for `f32`/`f64` vector code chosen at run time by the
//! CPU's features. Other strides take a plain strided loop.

use super::simd::on_wide_units;
use crate::operand::{Operand, RawLane, Writer};
use crate::Element;

/// Below this length the vector paths' set-up costs more than it saves,
/// and a sum is one accumulator added in order (the small-GEMM engine
/// relies on that order).
pub(super) const SHORT: isize = 16;

/// An input along the innermost label: (array, offset of index 0, stride).
pub type Lane<'r, 'a, T, const NL: usize> = (&'r Operand<'a, T, NL>, isize, isize);

/// The output along the innermost label: (array, offset of index 0, stride).
pub type OutLane<'r, 'a, T, const NL: usize> = (&'r Writer<'a, T, NL>, isize, isize);

/// `sum over t < len of prod over inputs of input[offset + t * stride]`.
///
/// # Safety
/// For every `t < len` each input's offset must satisfy [`Operand::get`]'s
/// contract.
///
/// ```
/// use einsum_static::einsum;
/// // Generated code calls this for the innermost summed loop, e.g. of
/// let a = ndarray::Array2::<f64>::ones((3, 1000));
/// let rowdot = einsum!("ij,ij->i", &a, &a);
/// assert_eq!(rowdot[2], 1000.0);
/// ```
#[inline]
pub unsafe fn sum_of_products<T: Element, const NL: usize, const K: usize>(
    len: isize,
    inputs: [Lane<'_, '_, T, NL>; K],
) -> T {
    if len <= 0 {
        return T::zero();
    }
    // SAFETY: len > 0 and the caller's contract.
    let lanes = inputs.map(|(x, offset, stride)| unsafe { x.lane(offset, len, stride) });
    if len < SHORT {
        // SAFETY: the caller's contract, through `lane`.
        return unsafe { short_sum(len, &lanes) };
    }
    // SAFETY: as above.
    unsafe { long_sum_of_products(len, lanes) }
}

/// The vector paths of [`sum_of_products`], out of line so that the short
/// path inlines into a tiny call's code and stays a few instructions. It
/// takes raw lanes by value, not operands by reference, so that the short
/// path can keep the operands in registers.
#[inline(never)]
unsafe fn long_sum_of_products<T: Element, const K: usize>(
    len: isize,
    lanes: [RawLane<T>; K],
) -> T {
    // SAFETY (all slices below): the caller's contract makes every address
    // `start + t * stride`, t < len, valid; with stride 1 they are `len`
    // consecutive elements.
    unsafe {
        let run = |start: *const T| std::slice::from_raw_parts(start, len as usize);
        match lanes[..] {
            [(a, 1)] => T::sum_unit(run(a)),
            [(a, 1), (b, 1)] => T::dot_unit(run(a), run(b)),
            // Each product formed, as at every other length and in every
            // engine: `inf * 0` is NaN here too, not factored out of a sum.
            [(a, 1), (b, 0)] | [(b, 0), (a, 1)] => scaled_sum(run(a), *b),
            _ => strided_sum(len, &lanes),
        }
    }
}

/// `out[t] = prod over inputs of input[t]` along the innermost label.
///
/// # Safety
/// As for [`sum_of_products`], and for the output as for [`Writer::set`].
#[inline]
pub unsafe fn store_products<T: Element, const NL: usize, const K: usize>(
    len: isize,
    out: OutLane<'_, '_, T, NL>,
    inputs: [Lane<'_, '_, T, NL>; K],
) {
    // SAFETY: as in `sum_of_products`.
    unsafe { write_products(len, out, inputs) }
}

/// The body of [`store_products`]. The operands and the output are
/// resolved to pointers first: the loop then keeps them in registers,
/// where through references it would reload them after every store.
#[inline(always)]
unsafe fn write_products<T: Element, const NL: usize, const K: usize>(
    len: isize,
    (out, offset, stride): OutLane<'_, '_, T, NL>,
    inputs: [Lane<'_, '_, T, NL>; K],
) {
    if len <= 0 {
        return;
    }
    // SAFETY (all below): as in `sum_of_products`; the output lane is the
    // caller's block.
    unsafe {
        let lanes = inputs.map(|(x, offset, stride)| x.lane(offset, len, stride));
        if out.scale().is_some() {
            // alpha and beta: each product through the scaling store.
            for t in 0..len {
                out.set(offset + t * stride, product_at(&lanes, t));
            }
            return;
        }
        let (dst, stride) = out.lane_mut(offset, len, stride);
        if stride == 1 {
            let dst = std::slice::from_raw_parts_mut(dst, len as usize);
            let run = |start: *const T| std::slice::from_raw_parts(start, len as usize);
            match lanes[..] {
                [(a, 1)] => {
                    dst.copy_from_slice(run(a));
                    return;
                }
                [(a, 1), (b, 1)] => {
                    let (a, b) = (run(a), run(b));
                    return on_wide_units(dst.len(), || {
                        for ((d, &x), &y) in dst.iter_mut().zip(a).zip(b) {
                            *d = x.mul_wrapping(y);
                        }
                    });
                }
                [(a, 1), (b, 0)] | [(b, 0), (a, 1)] => {
                    let (a, y) = (run(a), *b);
                    return on_wide_units(dst.len(), || {
                        for (d, &x) in dst.iter_mut().zip(a) {
                            *d = x.mul_wrapping(y);
                        }
                    });
                }
                _ => {}
            }
        }
        for t in 0..len {
            *dst.offset(t * stride) = product_at(&lanes, t);
        }
    }
}

/// `sum(a[t] * y)`, each product formed (not `y * sum(a)`), at the speed
/// of a unit-stride dot product: `y` is repeated in a short buffer.
fn scaled_sum<T: Element>(a: &[T], y: T) -> T {
    const CHUNK: usize = 256;
    let ys = [y; CHUNK];
    a.chunks(CHUNK).fold(T::zero(), |sum, chunk| {
        sum.add_wrapping(T::dot_unit(chunk, &ys[..chunk.len()]))
    })
}

/// The product of the lanes' elements at `t`.
///
/// # Safety
/// `t` below the lanes' length.
#[inline(always)]
unsafe fn product_at<T: Element, const K: usize>(lanes: &[RawLane<T>; K], t: isize) -> T {
    lanes.iter().fold(T::one(), |p, &(start, stride)| {
        // SAFETY: the caller's contract.
        p.mul_wrapping(unsafe { *start.offset(t * stride) })
    })
}

/// One sum in order, for lanes shorter than [`SHORT`], where several
/// accumulators would not pay off (`i,i->` on 8 elements). Contiguous
/// lanes are read as slices, which compiles to a shorter loop.
#[inline(always)]
unsafe fn short_sum<T: Element, const K: usize>(len: isize, lanes: &[RawLane<T>; K]) -> T {
    if lanes.iter().all(|&(_, stride)| stride == 1) {
        // SAFETY: the caller's contract, with stride 1.
        let slices =
            lanes.map(|(start, _)| unsafe { std::slice::from_raw_parts(start, len as usize) });
        return (0..len as usize).fold(T::zero(), |sum, t| {
            sum.add_wrapping(slices.iter().fold(T::one(), |p, s| p.mul_wrapping(s[t])))
        });
    }
    // SAFETY: the caller's contract.
    (0..len).fold(T::zero(), |sum, t| {
        sum.add_wrapping(unsafe { product_at(lanes, t) })
    })
}

/// Four independent sums, so the loop is not bound by one add's latency.
#[inline(always)]
unsafe fn strided_sum<T: Element, const K: usize>(len: isize, lanes: &[RawLane<T>; K]) -> T {
    // SAFETY: t < len, the caller's contract.
    let product = |t: isize| unsafe { product_at(lanes, t) };
    let mut acc = [T::zero(); 4];
    let whole = len - len % 4;
    for t in (0..whole).step_by(4) {
        for (lane, acc) in acc.iter_mut().enumerate() {
            *acc = acc.add_wrapping(product(t + lane as isize));
        }
    }
    for t in whole..len {
        acc[0] = acc[0].add_wrapping(product(t));
    }
    (acc[0].add_wrapping(acc[1])).add_wrapping(acc[2].add_wrapping(acc[3]))
}

/// Contiguous rows of sums along the innermost (output) label, kept while
/// the summed loops run, then stored once. A reduction that transposes
/// (`ijk->kj`) then writes its strided output once per row instead of once
/// per summed index, and the summed loops add unit-stride rows. Several
/// rows (a tile) let the summed loop run outside the rows, so that each
/// summed index reads one longer contiguous stretch.
#[derive(Debug, Default)]
pub struct RowSum<T> {
    rows: Vec<T>,
    width: usize,
}

impl<T: Element> RowSum<T> {
    /// An empty row; [`RowSum::start`] sizes it.
    pub fn new() -> Self {
        RowSum {
            rows: Vec::new(),
            width: 0,
        }
    }

    /// Starts a row of `len` zeros, reusing the allocation.
    pub fn start(&mut self, len: isize) {
        self.start_rows(1, len);
    }

    /// Starts `count` rows of `len` zeros each, reusing the allocation.
    pub fn start_rows(&mut self, count: isize, len: isize) {
        self.width = len.max(0) as usize;
        self.rows.clear();
        self.rows
            .resize(count.max(0) as usize * self.width, T::zero());
    }

    /// `row[t] += prod over inputs of input[t]`, for the single row.
    ///
    /// # Safety
    /// As for [`sum_of_products`], over the row's length.
    #[inline]
    pub unsafe fn add_products<const NL: usize, const K: usize>(
        &mut self,
        inputs: [Lane<'_, '_, T, NL>; K],
    ) {
        // SAFETY: the caller's contract.
        unsafe { self.add_products_to(0, inputs) }
    }

    /// `row r [t] += prod over inputs of input[t]`.
    ///
    /// # Safety
    /// As for [`sum_of_products`], over the row's length; `r` below the
    /// number of rows started.
    #[inline]
    pub unsafe fn add_products_to<const NL: usize, const K: usize>(
        &mut self,
        r: usize,
        inputs: [Lane<'_, '_, T, NL>; K],
    ) {
        let len = self.width as isize;
        if len == 0 {
            return;
        }
        let row = &mut self.rows[r * self.width..(r + 1) * self.width];
        // SAFETY: as in `sum_of_products`.
        unsafe {
            match inputs[..] {
                [(a, oa, 1)] => {
                    let a = a.slice(oa, len);
                    on_wide_units(row.len(), || {
                        for (r, &x) in row.iter_mut().zip(a) {
                            *r = r.add_wrapping(x);
                        }
                    });
                }
                [(a, oa, 1), (b, ob, 1)] => {
                    let (a, b) = (a.slice(oa, len), b.slice(ob, len));
                    on_wide_units(row.len(), || {
                        for (r, (&x, &y)) in row.iter_mut().zip(a.iter().zip(b)) {
                            *r = r.add_wrapping(x.mul_wrapping(y));
                        }
                    });
                }
                [(a, oa, 1), (b, ob, 0)] | [(b, ob, 0), (a, oa, 1)] => {
                    let (a, y) = (a.slice(oa, len), b.get(ob));
                    on_wide_units(row.len(), || {
                        for (r, &x) in row.iter_mut().zip(a) {
                            *r = r.add_wrapping(x.mul_wrapping(y));
                        }
                    });
                }
                _ => {
                    for (t, r) in row.iter_mut().enumerate() {
                        let t = t as isize;
                        let product = inputs.iter().fold(T::one(), |p, &(x, ox, sx)| {
                            p.mul_wrapping(x.get(ox + t * sx))
                        });
                        *r = r.add_wrapping(product);
                    }
                }
            }
        }
    }

    /// `row r [t] += prod over inputs of input[t]` for every row started,
    /// row `r`'s lanes starting `r * steps[k]` after row 0's. When the
    /// rows lie end to end in every input (each step is the lane's stride
    /// times the row's length), they are summed as one long row: the same
    /// sums in the same order, in one kernel call.
    ///
    /// # Safety
    /// As for [`RowSum::add_products_to`], for every row with its lanes
    /// moved by its steps.
    #[inline]
    pub unsafe fn add_tile<const NL: usize, const K: usize>(
        &mut self,
        inputs: [Lane<'_, '_, T, NL>; K],
        steps: [isize; K],
    ) {
        let width = self.width;
        if width == 0 {
            return;
        }
        let count = self.rows.len() / width;
        let adjacent = (0..K).all(|k| steps[k] == inputs[k].2 * width as isize);
        if count > 1 && adjacent {
            self.width = count * width;
            // SAFETY: the rows' lanes are one lane of `count * width`
            // elements from row 0's start, which the caller's contract
            // covers.
            unsafe { self.add_products_to(0, inputs) };
            self.width = width;
            return;
        }
        for r in 0..count {
            let mut lanes = inputs;
            for (lane, step) in lanes.iter_mut().zip(steps) {
                lane.1 += r as isize * step;
            }
            // SAFETY: the caller's contract, for row r.
            unsafe { self.add_products_to(r, lanes) };
        }
    }

    /// `out[t] = row[t]`, for the single row.
    ///
    /// # Safety
    /// As for [`Writer::set`], for every `t` below the row's length.
    #[inline]
    pub unsafe fn store<const NL: usize>(&self, out: OutLane<'_, '_, T, NL>) {
        // SAFETY: the caller's contract.
        unsafe { self.store_row(0, out) }
    }

    /// Regroups the rows started as rows of `width` elements, keeping
    /// their sums: a tile whose rows lie end to end in every input is
    /// summed as one long row (one kernel call per summed index), then
    /// stored row by row. `width` divides the elements started.
    ///
    /// ```
    /// let mut acc = einsum_runtime::kernels::RowSum::<f64>::new();
    /// acc.start_rows(1, 6);
    /// acc.regroup(3); // two rows of 3
    /// ```
    pub fn regroup(&mut self, width: usize) {
        assert!(
            width > 0 && self.rows.len().is_multiple_of(width),
            "rows of {width}"
        );
        self.width = width;
    }

    /// `out[t] = row r [t]`.
    ///
    /// # Safety
    /// As for [`Writer::set`], for every `t` below the row's length; `r`
    /// below the number of rows started.
    #[inline]
    pub unsafe fn store_row<const NL: usize>(
        &self,
        r: usize,
        (out, oo, so): OutLane<'_, '_, T, NL>,
    ) {
        let len = self.width as isize;
        if len == 0 {
            return;
        }
        let row = &self.rows[r * self.width..(r + 1) * self.width];
        // SAFETY: the caller's contract.
        unsafe {
            if so == 1 && out.scale().is_none() {
                out.slice_mut(oo, len).copy_from_slice(row);
            } else {
                for (t, &x) in row.iter().enumerate() {
                    out.set(oo + t as isize * so, x);
                }
            }
        }
    }
}
