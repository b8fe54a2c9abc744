//! Slicing labels so that a path's intermediates fit the memory budget.
//!
//! When the cheapest order would allocate more than the budget allows, the
//! contraction runs once per chunk of a label (cotengra and TBLIS call it
//! slicing): every intermediate holding that label shrinks by the chunk's
//! share. A label the output keeps comes first, since each of its chunks
//! writes its own part of the output; a summed label's chunks must be added
//! up, which costs an output-sized scratch array.

use super::Path;
use crate::shapes::{Shape, Sub, WIDEST};

/// A path, and the labels cut into chunks so that its intermediates fit
/// (see [`Slicing::plan`] for an example).
#[derive(Debug, Clone, PartialEq)]
pub struct Slicing {
    /// The order for one chunk.
    pub path: Path,
    /// `(label, full size, chunk length)`: output labels first.
    pub chunks: Vec<(usize, usize, usize)>,
    /// The most elements the temporaries hold at once, for one chunk.
    pub peak_elements: f64,
}

impl Slicing {
    /// The cheapest path whose temporaries hold at most `budget` elements,
    /// slicing labels as needed. When no slicing brings them under (the
    /// budget is below what a slice of the output needs), the smallest
    /// slices found are used.
    ///
    /// ```
    /// use einsum_runtime::{path::Slicing, ShapeBinder, Sub::Label};
    /// use ndarray::Array2;
    ///
    /// // ij,jk,kl->il with i = l = 1000, j = k = 10: the best order makes a
    /// // 1000x10 intermediate; allow 2000 elements and i is cut in 200s.
    /// let (tall, small) = (Array2::<f64>::zeros((1000, 10)), Array2::<f64>::zeros((10, 10)));
    /// let terms = [[Label(0), Label(1)], [Label(1), Label(2)], [Label(2), Label(3)]];
    /// let mut binder = ShapeBinder::new(['i', 'j', 'k', 'l']);
    /// binder.bind(0, &tall.view(), &terms[0]).unwrap();
    /// binder.bind(1, &small.view(), &terms[1]).unwrap();
    /// binder.bind(2, &tall.t(), &terms[2]).unwrap();
    /// let shape = binder.finish(false).unwrap();
    /// let terms: Vec<&[_]> = terms.iter().map(|t| &t[..]).collect();
    /// let output = [Label(0), Label(3)];
    /// let sliced = Slicing::plan(&shape, ['i', 'j', 'k', 'l'], &terms, &output, 2000.0);
    /// assert_eq!(sliced.chunks, vec![(0, 1000, 200)]);
    /// assert!(sliced.peak_elements <= 2000.0);
    /// ```
    pub fn plan<const NL: usize>(
        shape: &Shape<NL>,
        labels: [char; NL],
        inputs: &[&[Sub]],
        output: &[Sub],
        budget: f64,
    ) -> Slicing {
        Slicing::plan_wide(&shape.widen::<WIDEST>(), &labels, inputs, output, budget)
    }

    /// [`Slicing::plan`], compiled once for every label count.
    pub(crate) fn plan_wide(
        shape: &Shape<WIDEST>,
        labels: &[char],
        inputs: &[&[Sub]],
        output: &[Sub],
        budget: f64,
    ) -> Slicing {
        let in_output = |label: usize| output.contains(&Sub::Label(label));
        let output_elements = |sizes: &Shape<WIDEST>| -> f64 {
            sizes.dims_of(output).iter().map(|&d| d as f64).product()
        };
        let mut sizes = shape.clone();
        let mut chunks: Vec<(usize, usize, usize)> = Vec::new();
        loop {
            let path = Path::plan(&sizes, labels, inputs, output);
            let scratch = if chunks.iter().any(|&(l, _, _)| !in_output(l)) {
                output_elements(&sizes)
            } else {
                0.0
            };
            let peak = path.peak_elements() + scratch;
            let label = match path.largest_intermediate() {
                Some(temp) if peak > budget => {
                    let candidates = || {
                        temp.kept.iter().filter_map(|sub| match *sub {
                            Sub::Label(l) if sizes.size(l) > 1 => Some(l),
                            _ => None,
                        })
                    };
                    let largest = |labels: &mut dyn Iterator<Item = usize>| {
                        labels.max_by_key(|&l| sizes.size(l))
                    };
                    largest(&mut candidates().filter(|&l| in_output(l))).or_else(|| {
                        // A summed label's chunks need an output-sized scratch.
                        let room = output_elements(&sizes) * 2.0 <= budget;
                        largest(&mut candidates().filter(|&l| room && !in_output(l)))
                    })
                }
                _ => None,
            };
            let Some(label) = label else {
                chunks.sort_by_key(|&(l, _, _)| !in_output(l));
                return Slicing {
                    path,
                    chunks,
                    peak_elements: peak,
                };
            };
            let size = sizes.size(label);
            let chunk = ((size as f64 * budget / peak).floor() as usize).clamp(1, size - 1);
            sizes = sizes.with_size(label, chunk);
            match chunks.iter_mut().find(|(l, _, _)| *l == label) {
                Some(entry) => entry.2 = chunk,
                None => chunks.push((label, shape.size(label), chunk)),
            }
        }
    }

    /// How many times the path runs: the product of the chunk counts.
    ///
    /// ```
    /// use einsum_static::explain;
    /// let (a, b) = (ndarray::Array2::<f64>::zeros((2000, 40)), ndarray::Array2::<f64>::zeros((40, 40)));
    /// let plan = explain!("ij,jk,lk->il", &a, &b, &a; memory_limit = 100_000)?;
    /// let (_, full, chunk) = plan.sliced()[0];
    /// assert!(full.div_ceil(chunk) >= 7); // 640 KB in slices of at most 100 KB
    /// # Ok::<(), einsum_static::EinsumError>(())
    /// ```
    pub fn slices(&self) -> usize {
        // Saturated: labels of 2^31 cut into single indices would overflow.
        self.chunks
            .iter()
            .map(|&(_, full, chunk)| full.div_ceil(chunk))
            .fold(1, usize::saturating_mul)
    }

    /// The shape of one slice: `shape` with each sliced label cut to its
    /// chunk length (the first slices' size, the largest).
    pub(crate) fn slice_shape<const NL: usize>(&self, shape: &Shape<NL>) -> Shape<NL> {
        self.chunks
            .iter()
            .fold(shape.clone(), |sizes, &(label, _, chunk)| {
                sizes.with_size(label, chunk)
            })
    }
}
