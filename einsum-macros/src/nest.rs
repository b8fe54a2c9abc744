//! The loop nest of one step, in the order [`Step::loop_order`] chose.
//!
//! The output's subscripts are the outer loops; the scheduler cuts the
//! first two of them into blocks (`run`), or, for a rank-0 output, the
//! first summed loop (`reduce`). The innermost loop is one call of a
//! runtime kernel (`sum_of_products`, `store_products`, `add_products`)
//! that gets the label's length and each array's offset and stride.

use crate::names::{
    block_name, ellipsis_offset_name, index_name, operand_name, product_of, size_name, stride_name,
};
use crate::plan::{Inner, LoopOrder, Plan, Step, Sub};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// The loop nest of one step, built once per expansion: its arrays, loop
/// order and scheduled blocks.
pub struct Nest<'p> {
    plan: &'p Plan,
    step: &'p Step,
    /// Every array of the step, the output (`out`) last, with its subscripts.
    arrays: Vec<(Ident, &'p [Sub])>,
    order: LoopOrder,
    with_ellipsis: bool,
    /// The loops the scheduler cuts, outermost first (at most two).
    blocks: Vec<Sub>,
    /// A rank-0 output: the scheduler sums partial results.
    reduce: bool,
    /// Summed rows added into an output row that the scheduler cuts
    /// (`ij->j`): the outermost summed loop, which the scheduler may cut
    /// too when the output is short.
    sum_block: Option<Sub>,
}

impl<'p> Nest<'p> {
    pub fn new(plan: &'p Plan, step: &'p Step) -> Self {
        let out_term: &[Sub] = &step.output;
        let mut arrays: Vec<(Ident, &[Sub])> = step
            .inputs
            .iter()
            .enumerate()
            .map(|(k, term)| (operand_name(k), &term[..]))
            .collect();
        arrays.push((format_ident!("out"), out_term));
        let order = step.loop_order();
        let inner_sub = order.inner.map(|i| Sub::Label(i.label));
        let reduce = out_term.is_empty() && order.inner.is_some();
        let blocks: Vec<Sub> = if reduce {
            order
                .summed
                .iter()
                .map(|&l| Sub::Label(l))
                .chain(inner_sub)
                .take(1)
                .collect()
        } else {
            let inner_output = order
                .inner
                .filter(|i| !i.summed)
                .map(|i| Sub::Label(i.label));
            order
                .outer
                .iter()
                .copied()
                .chain(inner_output)
                .take(2)
                .collect()
        };
        let adds_rows = matches!(order.inner, Some(i) if !i.summed);
        let sum_block = match order.summed.first() {
            Some(&l) if adds_rows && !reduce && blocks.last() == inner_sub.as_ref() => {
                Some(Sub::Label(l))
            }
            _ => None,
        };
        Nest {
            plan,
            step,
            arrays,
            with_ellipsis: out_term.contains(&Sub::Ellipsis),
            order,
            blocks,
            reduce,
            sum_block,
        }
    }

    /// The block that runs the step: strides, then the scheduled loops.
    pub fn block(&self) -> TokenStream {
        let loops = self.scheduled();
        let strides = self.stride_bindings();
        let ellipsis_axes = self.ellipsis_axes();
        let loops = quote! {
            #(#strides)*
            #ellipsis_axes
            #loops
        };
        let loops = match self.gemm_operands() {
            // Large GEMM-shaped steps go to the GEMM engine, which declines
            // (returns false) for tiny sizes and types it lacks.
            Some((labels, a, b)) => quote! {
                if !rt::gemm_step(&context, &shape, #labels, &#a, &#b, &out) {
                    #loops
                }
            },
            None => loops,
        };
        quote! {
            {
                let out = result.writer();
                #loops
            }
        }
    }

    /// For a step that may be a GEMM, what the GEMM engines get besides the
    /// shape and the output: the step's labels and its two operands.
    pub fn gemm_operands(&self) -> Option<(TokenStream, Ident, Ident)> {
        if !self.step.is_gemm_class() {
            return None;
        }
        let labels = self
            .step
            .labels()
            .into_iter()
            .map(Literal::usize_unsuffixed);
        Some((quote!(&[#(#labels),*]), operand_name(0), operand_name(1)))
    }

    /// For a rank-0 result computed by a reduction: the expression of the
    /// value itself, so that no array is allocated for one element.
    pub fn scalar_result(&self) -> Option<TokenStream> {
        if !self.reduce {
            return None;
        }
        let strides = self.stride_bindings();
        let value = self.reduction();
        Some(quote! {
            {
                #(#strides)*
                #value
            }
        })
    }

    /// Whether the step sums over some label.
    pub fn sums(&self) -> bool {
        !self.step.summed.is_empty()
    }

    /// The subscripts whose loops the scheduler cuts into blocks; none when
    /// it splits a summed loop instead (a rank-0 output).
    pub fn scheduled_blocks(&self) -> &[Sub] {
        if self.reduce {
            &[]
        } else {
            &self.blocks
        }
    }

    /// `let [x0_i, x0_j, _] = x0.strides;` for each array with labels.
    fn stride_bindings(&self) -> Vec<TokenStream> {
        let labels = &self.plan.labels;
        self.arrays
            .iter()
            .filter(|(_, term)| term.iter().any(|s| *s != Sub::Ellipsis))
            .map(|(name, term)| {
                let vars = (0..labels.len()).map(|label| {
                    if term.contains(&Sub::Label(label)) {
                        let v = stride_name(name, labels[label]);
                        quote!(#v)
                    } else {
                        quote!(_)
                    }
                });
                quote!(let [#(#vars),*] = #name.strides;)
            })
            .collect()
    }

    fn ellipsis_axes(&self) -> Option<TokenStream> {
        self.with_ellipsis.then(|| {
            let sources = self.arrays.iter().map(|(name, _)| quote!(#name.ellipsis()));
            quote!(let ell = rt::EllipsisAxes::new(&shape, [#(#sources),*]);)
        })
    }

    fn extent(&self, sub: &Sub) -> TokenStream {
        match *sub {
            Sub::Label(l) => {
                let n = size_name(self.plan.labels[l]);
                quote!(#n)
            }
            Sub::Ellipsis => quote!(ell.len()),
        }
    }

    /// The loops handed to the scheduler, with the work of one block index.
    fn scheduled(&self) -> TokenStream {
        let work = self.work_per_block_index();
        let names: Vec<Ident> = self
            .blocks
            .iter()
            .map(|s| block_name(self.plan, s))
            .collect();
        if self.reduce {
            let total = self.reduction();
            return quote! {
                let total = #total;
                unsafe { out.set(0, total) };
            };
        }
        let mut dims: Vec<TokenStream> = self.blocks.iter().map(|s| self.extent(s)).collect();
        let mut args: Vec<TokenStream> = names.iter().map(|b| quote!(#b)).collect();
        let body = self.output_body();
        if let Some(sum) = &self.sum_block {
            // The row axis goes last, where `run_summing` expects it.
            if dims.len() == 1 {
                dims.insert(0, quote!(1));
                args.insert(0, quote!(_));
            }
            let (n, sum_block) = (self.extent(sum), block_name(self.plan, sum));
            let work = self.work_excluding(&[sum]);
            return quote! {
                rt::run_summing(&context, &out, [#(#dims),*], #n, #work, |#(#args),*, #sum_block, out| {
                    #body
                });
            };
        }
        dims.resize(2, quote!(1));
        args.resize(2, quote!(_));
        quote! {
            rt::run(&context, [#(#dims),*], #work, |#(#args),*| {
                #body
            });
        }
    }

    /// `rt::reduce(..)`: the sum of a rank-0 output's partials.
    fn reduction(&self) -> TokenStream {
        let block_sub = &self.blocks[0];
        let (n, block) = (self.extent(block_sub), block_name(self.plan, block_sub));
        let work = self.work_per_block_index();
        let body = self.reduction_body();
        // `move`: the closure owns copies of the operands, which lets a
        // tiny call keep them in registers (see `schedule::reduce`).
        quote!(rt::reduce(&context, #n, #work, move |#block| { #body }))
    }

    /// The product of the extents of the loops the scheduler does not cut.
    fn work_per_block_index(&self) -> TokenStream {
        self.work_excluding(&[])
    }

    /// The product of the extents of the loops neither in the blocks nor
    /// in `also`.
    fn work_excluding(&self, also: &[&Sub]) -> TokenStream {
        let mut all: Vec<Sub> = self.order.outer.clone();
        all.extend(self.order.summed.iter().map(|&l| Sub::Label(l)));
        all.extend(self.order.inner.map(|i| Sub::Label(i.label)));
        let work = all
            .iter()
            .filter(|s| !self.blocks.contains(s) && !also.contains(s))
            .map(|s| self.extent(s));
        product_of(work.collect(), quote!(1))
    }

    /// The range a loop walks: its block if the scheduler cuts it (the
    /// first block once, the second once per outer index), else all of it.
    fn range(&self, sub: &Sub) -> TokenStream {
        if self.sum_block.as_ref() == Some(sub) {
            let b = block_name(self.plan, sub);
            return quote!(#b.clone());
        }
        match self.blocks.iter().position(|b| b == sub) {
            Some(0) => {
                let b = block_name(self.plan, sub);
                quote!(#b)
            }
            Some(_) => {
                let b = block_name(self.plan, sub);
                quote!(#b.clone())
            }
            None => {
                let n = self.extent(sub);
                quote!(0..#n)
            }
        }
    }

    /// `for <index> in <range> { body }`, for one label or the ellipsis.
    fn wrap(&self, sub: &Sub, body: TokenStream) -> TokenStream {
        let range = self.range(sub);
        match *sub {
            Sub::Label(l) => {
                let index = index_name(self.plan.labels[l]);
                quote!(for #index in #range { #body })
            }
            Sub::Ellipsis => {
                let names = self.arrays.iter().map(|(name, term)| {
                    if term.contains(&Sub::Ellipsis) {
                        let e = ellipsis_offset_name(name);
                        quote!(#e)
                    } else {
                        quote!(_)
                    }
                });
                quote!(for [#(#names),*] in ell.offsets(#range) { #body })
            }
        }
    }

    fn wrap_all(&self, subs: &[Sub], mut body: TokenStream) -> TokenStream {
        for sub in subs.iter().rev() {
            body = self.wrap(sub, body);
        }
        body
    }

    fn summed_subs(&self) -> Vec<Sub> {
        self.order.summed.iter().map(|&l| Sub::Label(l)).collect()
    }

    /// The body for an output with axes: outer loops, then per kind of
    /// innermost loop a register sum, an accumulate or a store.
    fn output_body(&self) -> TokenStream {
        let out_offset = self.offset(self.arrays.len() - 1, None);
        let summed = self.summed_subs();
        let body = match self.order.inner {
            Some(inner) if inner.summed => {
                let kernel = self.inner_call(inner, quote!(sum_of_products), false);
                self.sum_and_store(&summed, kernel, &out_offset)
            }
            Some(inner) if summed.is_empty() => {
                let kernel = self.inner_call(inner, quote!(store_products), true);
                quote!(unsafe { #kernel };)
            }
            Some(inner) => {
                // Summed loops around an output row: sum into a contiguous
                // row, store it once.
                let (len, out_lane, inputs) = self.lanes(inner);
                if let Some(tile) = self.tile_rows() {
                    return self.tiled_row_sums(&tile, len, out_lane, inputs);
                }
                let sum = self.wrap_all(
                    &summed,
                    quote!(unsafe { row.add_products([#(#inputs),*]) };),
                );
                quote! {
                    row.start(#len);
                    #sum
                    unsafe { row.store(#out_lane) };
                }
            }
            None => {
                // No label to vectorize over (only the ellipsis, or nothing).
                let product = self.product_of_reads();
                self.sum_and_store(&summed, product, &out_offset)
            }
        };
        let body = self.wrap_all(&self.order.outer, body);
        if matches!(self.order.inner, Some(i) if !i.summed) && !summed.is_empty() {
            quote! {
                let mut row = rt::kernels::RowSum::new();
                #body
            }
        } else {
            body
        }
    }

    /// `out[offset] = value`, or with summed loops, `value` summed over
    /// them in a register and then stored.
    fn sum_and_store(
        &self,
        summed: &[Sub],
        value: TokenStream,
        out_offset: &TokenStream,
    ) -> TokenStream {
        if summed.is_empty() {
            return quote!(unsafe { out.set(#out_offset, #value) };);
        }
        let sum = self.wrap_all(
            summed,
            quote!(acc = T::add_wrapping(acc, unsafe { #value });),
        );
        quote! {
            let mut acc = T::zero();
            #sum
            unsafe { out.set(#out_offset, acc) };
        }
    }

    /// The label whose rows form a tile, when the block's loops are just
    /// that label's block around the summed loops (`ijk->kj`: rows of `j`,
    /// each a row of `k`, summed over `i`).
    fn tile_rows(&self) -> Option<Sub> {
        let [outer] = &self.order.outer[..] else {
            return None;
        };
        let tiles = self.sum_block.is_some()
            && matches!(outer, Sub::Label(_))
            && self.blocks.len() == 2
            && self.blocks[0] == *outer;
        tiles.then_some(*outer)
    }

    /// The block's rows summed as one tile: the summed loops outermost, so
    /// that each summed index reads the tile's rows in a row (one kernel
    /// call over a long stretch when the rows are adjacent in memory, see
    /// `RowSum::add_tile`), then every row stored.
    fn tiled_row_sums(
        &self,
        tile: &Sub,
        len: TokenStream,
        out_lane: TokenStream,
        inputs: Vec<TokenStream>,
    ) -> TokenStream {
        let Sub::Label(label) = *tile else {
            unreachable!("tiles are rows of a label")
        };
        let (block, index) = (
            block_name(self.plan, tile),
            index_name(self.plan.labels[label]),
        );
        // Each input's step from one row to the next.
        let steps = self.arrays[..self.arrays.len() - 1]
            .iter()
            .map(|(name, term)| {
                if term.contains(tile) {
                    let s = stride_name(name, self.plan.labels[label]);
                    quote!(#s)
                } else {
                    quote!(0)
                }
            });
        let add = quote! {
            let #index = #block.start;
            unsafe { row.add_tile([#(#inputs),*], [#(#steps),*]) };
        };
        let sum = self.wrap_all(&self.summed_subs(), add);
        quote! {
            let mut row = rt::kernels::RowSum::new();
            row.start_rows(#block.end - #block.start, #len);
            #sum
            for (tile_row, #index) in #block.clone().enumerate() {
                unsafe { row.store_row(tile_row, #out_lane) };
            }
        }
    }

    /// The body of a block of a rank-0 output's reduction: its partial sum.
    fn reduction_body(&self) -> TokenStream {
        let inner = self
            .order
            .inner
            .expect("a reduction has an innermost label");
        let kernel = self.inner_call(inner, quote!(sum_of_products), false);
        let summed = self.summed_subs();
        if summed.is_empty() {
            return quote!(unsafe { #kernel });
        }
        let sum = self.wrap_all(
            &summed,
            quote!(acc = T::add_wrapping(acc, unsafe { #kernel });),
        );
        quote! {
            let mut acc = T::zero();
            #sum
            acc
        }
    }

    /// `rt::kernels::<kernel>(len, [(out, offset, stride),] [(x0, offset, stride), ...])`.
    fn inner_call(&self, inner: Inner, kernel: TokenStream, writes: bool) -> TokenStream {
        let (len, out, inputs) = self.lanes(inner);
        if writes {
            quote!(rt::kernels::#kernel(#len, #out, [#(#inputs),*]))
        } else {
            quote!(rt::kernels::#kernel(#len, [#(#inputs),*]))
        }
    }

    /// The innermost loop's length and each array's `(array, offset,
    /// stride)` along it: the output's, then the inputs'.
    fn lanes(&self, inner: Inner) -> (TokenStream, TokenStream, Vec<TokenStream>) {
        let sub = Sub::Label(inner.label);
        let label = self.plan.labels[inner.label];
        let block = self
            .blocks
            .contains(&sub)
            .then(|| block_name(self.plan, &sub));
        let len = match &block {
            Some(b) => quote!(#b.end - #b.start),
            None => {
                let n = size_name(label);
                quote!(#n)
            }
        };
        let lane = |k: usize| {
            let (name, term) = &self.arrays[k];
            let offset = self.offset(k, Some((inner.label, block.as_ref())));
            let stride = if term.contains(&sub) {
                let s = stride_name(name, label);
                quote!(#s)
            } else {
                quote!(0)
            };
            quote!((&#name, #offset, #stride))
        };
        let inputs = (0..self.arrays.len() - 1).map(lane).collect();
        (len, lane(self.arrays.len() - 1), inputs)
    }

    /// The product of the reads `x0.get(..)`, `x1.get(..)`, ..., for a body
    /// without an innermost label.
    fn product_of_reads(&self) -> TokenStream {
        let reads = (0..self.arrays.len() - 1).map(|k| {
            let name = &self.arrays[k].0;
            let offset = self.offset(k, None);
            quote!(#name.get(#offset))
        });
        // Wrapping for the integers, as in every kernel.
        reads
            .reduce(|product, read| quote!(T::mul_wrapping(#product, #read)))
            .unwrap_or(quote!(T::one()))
    }

    /// The element offset of array `k` from the loop indices. The innermost
    /// label is left to the kernel, but for the start of its block.
    fn offset(&self, k: usize, inner: Option<(usize, Option<&Ident>)>) -> TokenStream {
        let (name, term) = &self.arrays[k];
        let mut parts: Vec<TokenStream> = Vec::new();
        if self.with_ellipsis && term.contains(&Sub::Ellipsis) {
            let e = ellipsis_offset_name(name);
            parts.push(quote!(#e));
        }
        let mut seen = Vec::new();
        for sub in term.iter() {
            let Sub::Label(l) = *sub else { continue };
            if seen.contains(&l) {
                continue;
            }
            seen.push(l);
            let stride = stride_name(name, self.plan.labels[l]);
            match inner {
                Some((label, Some(block))) if label == l => {
                    parts.push(quote!(#block.start * #stride))
                }
                Some((label, None)) if label == l => {}
                _ => {
                    let index = index_name(self.plan.labels[l]);
                    parts.push(quote!(#index * #stride));
                }
            }
        }
        if parts.is_empty() {
            quote!(0)
        } else {
            quote!(#(#parts)+*)
        }
    }
}
