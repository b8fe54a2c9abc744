//! Stage 4: the code of one expansion.
//!
//! An expansion is a block holding one generic function, `einsum_kernel`,
//! and a call of it. The function binds the operands' shapes (all checks,
//! once), allocates the output, and runs one loop nest per step through the
//! runtime scheduler. Names follow the equation: `n_i` is the size of label
//! `i`, `x0_i` the stride of `i` in operand 0, `out_i` in the array being
//! written; the loop over label `i` is `for i in ...` (uppercase labels get
//! a trailing underscore, `for I_ in ...`, so that they cannot collide with
//! the user's constants).

use crate::plan::{ArrayId, Plan, RankBound, ResultKind, Step, Sub};
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident};

/// Whether the expansion panics on a run-time error or returns it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Panic,
    Result,
}

pub fn expansion(plan: &Plan, operands: &[Expr], mode: Mode) -> TokenStream {
    let function = kernel_function(plan);
    let args = operands
        .iter()
        .map(|op| quote_spanned!(op.span()=> (#op).view()));
    let call = quote!(einsum_kernel(#(#args),*));
    let call = match mode {
        Mode::Panic => quote!(rt::unwrap_or_panic(#call)),
        Mode::Result => call,
    };
    quote! {
        {
            use ::einsum_static::__rt as rt;
            #function
            // `(&a).view()` is what the user wrote plus `.view()`: not a borrow to lint.
            #[allow(clippy::needless_borrow)]
            let result = #call;
            result
        }
    }
}

fn kernel_function(plan: &Plan) -> TokenStream {
    let nl = plan.labels.len();
    let dim_params: Vec<Ident> = (0..plan.inputs.len())
        .map(|k| format_ident!("D{k}"))
        .collect();
    let params = plan.inputs.iter().enumerate().map(|(k, _)| {
        let (x, d) = (array_name(ArrayId::Input(k)), &dim_params[k]);
        quote!(#x: rt::ndarray::ArrayView<'_, T, #d>)
    });
    let bounds = dim_params
        .iter()
        .enumerate()
        .map(|(k, d)| match plan.rank_bound(k) {
            RankBound::Exactly(n) => {
                let n = Literal::usize_unsuffixed(n);
                quote!(#d: rt::ndarray::Dimension + rt::Rank<#n>)
            }
            RankBound::AtLeast(n) => {
                let n = Literal::usize_unsuffixed(n);
                quote!(#d: rt::ndarray::Dimension + rt::RankAtLeast<#n>)
            }
        });
    let (result_dim, result_type, finish) = match plan.result_kind() {
        ResultKind::Scalar => (
            quote!(rt::ndarray::Ix0),
            quote!(T),
            quote!(result.into_scalar()),
        ),
        ResultKind::Static(n) => {
            let ix = format_ident!("Ix{n}");
            let dim = quote!(rt::ndarray::#ix);
            (
                dim.clone(),
                quote!(rt::ndarray::Array<T, #dim>),
                quote!(result.into_array()),
            )
        }
        ResultKind::Dynamic => (
            quote!(rt::ndarray::IxDyn),
            quote!(rt::ndarray::ArrayD<T>),
            quote!(result.into_array()),
        ),
    };

    let label_chars = &plan.labels;
    let all_terms = || plan.inputs.iter().chain(std::iter::once(&plan.output));
    let mut used = Vec::new();
    if nl > 0 {
        used.push(quote!(Label));
    }
    if all_terms().any(|t| t.contains(&Sub::Ellipsis)) {
        used.push(quote!(Ellipsis));
    }
    let sub_imports = (!used.is_empty()).then(|| quote!(use rt::Sub::{#(#used),*};));
    let binds = plan.inputs.iter().enumerate().map(|(k, term)| {
        let x = array_name(ArrayId::Input(k));
        let (k, subs) = (Literal::usize_unsuffixed(k), subs_tokens(term));
        quote!(let #x = binder.bind(#k, &#x, &[#subs])?;)
    });
    let output_has_ellipsis = plan.output.contains(&Sub::Ellipsis);
    let sizes: Vec<Ident> = plan.labels.iter().map(|&l| size_name(l)).collect();
    let sizes = (nl > 0).then(|| quote!(let [#(#sizes),*] = shape.sizes();));

    let steps = plan.steps.iter().map(|step| {
        let (id, term) = &step.output;
        let name = array_name(*id);
        let dim = if *id == ArrayId::Output {
            result_dim.clone()
        } else {
            quote!(rt::ndarray::IxDyn)
        };
        let subs = subs_tokens(term);
        let nl = Literal::usize_unsuffixed(nl);
        let nest = step_block(plan, step);
        let read_back =
            matches!(id, ArrayId::Temp(_)).then(|| quote!(let #name = #name.operand();));
        quote! {
            let mut #name = rt::Output::<T, #dim, #nl>::zeros(&shape, &[#subs])?;
            #nest
            #read_back
        }
    });

    quote! {
        #[allow(non_snake_case, unused_parens, clippy::all)]
        fn einsum_kernel<T, #(#dim_params),*>(#(#params),*) -> Result<#result_type, rt::EinsumError>
        where
            T: rt::Element,
            #(#bounds),*
        {
            #sub_imports
            let mut binder = rt::ShapeBinder::new([#(#label_chars),*]);
            #(#binds)*
            let shape = binder.finish(#output_has_ellipsis)?;
            #sizes
            #(#steps)*
            Ok(#finish)
        }
    }
}

/// The block that runs one step: strides, then the scheduled loop nest.
fn step_block(plan: &Plan, step: &Step) -> TokenStream {
    let (out_id, out_term) = &step.output;
    let writer_source = array_name(*out_id);
    let with_ellipsis = out_term.contains(&Sub::Ellipsis);
    // Every array of the step: its name in the loops and its subscripts.
    let mut arrays: Vec<(Ident, &Vec<Sub>)> = step
        .inputs
        .iter()
        .map(|(id, term)| (array_name(*id), term))
        .collect();
    arrays.push((format_ident!("out"), out_term));

    let strides = arrays
        .iter()
        .filter(|(_, term)| term.iter().any(|s| *s != Sub::Ellipsis))
        .map(|(name, term)| {
            let vars = (0..plan.labels.len()).map(|label| {
                if term.contains(&Sub::Label(label)) {
                    let v = stride_name(name, plan.labels[label]);
                    quote!(#v)
                } else {
                    quote!(_)
                }
            });
            quote!(let [#(#vars),*] = #name.strides;)
        });
    let ellipsis_axes = with_ellipsis.then(|| {
        let sources = arrays.iter().map(|(name, _)| quote!(#name.ellipsis()));
        quote!(let ell = rt::EllipsisAxes::new(&shape, [#(#sources),*]);)
    });

    let mut slots: Vec<Sub> = out_term.clone();
    slots.extend(step.summed.iter().map(|&l| Sub::Label(l)));
    let outer = out_term.len().min(2);
    let extent = |sub: &Sub| match *sub {
        Sub::Label(l) => {
            let n = size_name(plan.labels[l]);
            quote!(#n)
        }
        Sub::Ellipsis => quote!(ell.len()),
    };
    let block_names: Vec<Ident> = slots[..outer].iter().map(|s| block_name(plan, s)).collect();
    let mut dims: Vec<TokenStream> = slots[..outer].iter().map(extent).collect();
    dims.resize(2, quote!(1));
    let inner_work: Vec<TokenStream> = slots[outer..].iter().map(extent).collect();
    let inner_work = product_of(inner_work, quote!(1));
    let mut closure_args: Vec<TokenStream> = block_names.iter().map(|b| quote!(#b)).collect();
    closure_args.resize(2, quote!(_));

    let body = loop_nest(plan, step, &arrays, &slots, &block_names);
    let loops = quote! {
        #(#strides)*
        #ellipsis_axes
        rt::schedule::run([#(#dims),*], #inner_work, |#(#closure_args),*| {
            #body
        });
    };
    let loops = if step.is_gemm_class() {
        // Large GEMM-shaped steps go to the GEMM engine, which declines
        // (returns false) for tiny sizes and types it lacks.
        let labels = step.labels().into_iter().map(Literal::usize_unsuffixed);
        let (a, b) = (&arrays[0].0, &arrays[1].0);
        quote! {
            if !rt::kernels::gemm(&shape, &[#(#labels),*], &#a, &#b, &out) {
                #loops
            }
        }
    } else {
        loops
    };
    quote! {
        {
            let out = #writer_source.writer();
            #loops
        }
    }
}

/// The loops over `slots`, outermost first; the first `blocks.len()` of
/// them walk the block the scheduler hands over.
fn loop_nest(
    plan: &Plan,
    step: &Step,
    arrays: &[(Ident, &Vec<Sub>)],
    slots: &[Sub],
    blocks: &[Ident],
) -> TokenStream {
    let out_rank = step.output.1.len();
    let offset = |(name, term): &(Ident, &Vec<Sub>)| {
        let mut parts: Vec<TokenStream> = Vec::new();
        if term.contains(&Sub::Ellipsis) && step.output.1.contains(&Sub::Ellipsis) {
            let e = ellipsis_offset_name(name);
            parts.push(quote!(#e));
        }
        let mut seen = Vec::new();
        for sub in term.iter() {
            if let Sub::Label(l) = *sub {
                if !seen.contains(&l) {
                    seen.push(l);
                    let (index, stride) = (
                        index_name(plan.labels[l]),
                        stride_name(name, plan.labels[l]),
                    );
                    parts.push(quote!(#index * #stride));
                }
            }
        }
        if parts.is_empty() {
            quote!(0)
        } else {
            quote!(#(#parts)+*)
        }
    };
    let (inputs, out) = arrays.split_at(arrays.len() - 1);
    let reads = inputs.iter().map(|array| {
        let (name, off) = (&array.0, offset(array));
        quote!(#name.get(#off))
    });
    let product = product_of(reads.collect(), quote!(T::one()));
    let out_offset = offset(&out[0]);

    // Innermost first: the summed loops accumulate into `acc`.
    let mut body = if step.summed.is_empty() {
        quote!(unsafe { out.set(#out_offset, #product) };)
    } else {
        let mut sum = quote!(acc = acc + unsafe { #product };);
        for sub in slots[out_rank..].iter().rev() {
            sum = wrap_loop(plan, arrays, sub, None, sum);
        }
        quote! {
            let mut acc = T::zero();
            #sum
            unsafe { out.set(#out_offset, acc) };
        }
    };
    for (k, sub) in slots[..out_rank].iter().enumerate().rev() {
        // The first block is walked once; the second once per outer index.
        let range = blocks.get(k).map(|b| {
            if k == 0 {
                quote!(#b)
            } else {
                quote!(#b.clone())
            }
        });
        body = wrap_loop(plan, arrays, sub, range, body);
    }
    body
}

/// `for <index> in <range> { body }` for one label or the ellipsis.
fn wrap_loop(
    plan: &Plan,
    arrays: &[(Ident, &Vec<Sub>)],
    sub: &Sub,
    block: Option<TokenStream>,
    body: TokenStream,
) -> TokenStream {
    match *sub {
        Sub::Label(l) => {
            let index = index_name(plan.labels[l]);
            let n = size_name(plan.labels[l]);
            let range = block.unwrap_or_else(|| quote!(0..#n));
            quote!(for #index in #range { #body })
        }
        Sub::Ellipsis => {
            let names = arrays.iter().map(|(name, term)| {
                if term.contains(&Sub::Ellipsis) {
                    let e = ellipsis_offset_name(name);
                    quote!(#e)
                } else {
                    quote!(_)
                }
            });
            let range = block.unwrap_or_else(|| quote!(0..ell.len()));
            quote!(for [#(#names),*] in ell.offsets(#range) { #body })
        }
    }
}

/// `a * b * c`, or `empty` for no factors.
fn product_of(factors: Vec<TokenStream>, empty: TokenStream) -> TokenStream {
    let mut factors = factors.into_iter();
    match factors.next() {
        None => empty,
        Some(first) => factors.fold(first, |acc, f| quote!(#acc * #f)),
    }
}

fn subs_tokens(term: &[Sub]) -> TokenStream {
    let subs = term.iter().map(|s| match *s {
        Sub::Label(l) => {
            let l = Literal::usize_unsuffixed(l);
            quote!(Label(#l))
        }
        Sub::Ellipsis => quote!(Ellipsis),
    });
    quote!(#(#subs),*)
}

fn array_name(id: ArrayId) -> Ident {
    match id {
        ArrayId::Input(k) => format_ident!("x{}", k),
        ArrayId::Temp(k) => format_ident!("t{}", k),
        ArrayId::Output => format_ident!("result"),
    }
}

/// The loop index of a label: the label itself, or `I_` for uppercase.
fn index_name(label: char) -> Ident {
    if label.is_ascii_uppercase() {
        Ident::new(&format!("{label}_"), Span::call_site())
    } else {
        Ident::new(&label.to_string(), Span::call_site())
    }
}

fn size_name(label: char) -> Ident {
    format_ident!("n_{}", label)
}

fn stride_name(array: &Ident, label: char) -> Ident {
    format_ident!("{}_{}", array, label)
}

fn ellipsis_offset_name(array: &Ident) -> Ident {
    format_ident!("{}_ell", array)
}

/// The scheduler's block of an outer slot: `i_block`, `ell_block`.
fn block_name(plan: &Plan, sub: &Sub) -> Ident {
    match *sub {
        Sub::Label(l) => format_ident!("{}_block", index_name(plan.labels[l])),
        Sub::Ellipsis => format_ident!("ell_block"),
    }
}

#[cfg(test)]
mod tests {
    //! Snapshots of what `cargo expand` shows for a few equations, so that a
    //! change to the generated code is seen in review. Regenerate with
    //! `UPDATE_SNAPSHOTS=1 cargo test -p einsum-macros`.

    use super::*;
    use crate::{parse::parse, validate::validate};

    fn expanded(equation: &str, operands: &[&str]) -> String {
        let operands: Vec<Expr> = operands
            .iter()
            .map(|o| syn::parse_str(o).unwrap())
            .collect();
        let checked = validate(parse(equation).unwrap(), operands.len()).unwrap();
        let block = expansion(&Plan::new(&checked), &operands, Mode::Panic);
        let file: syn::File = syn::parse_quote!(fn call_site() { let _ = #block; });
        format!(
            "// einsum!({equation:?}, {})\n{}",
            operands_text(&operands),
            prettyplease::unparse(&file)
        )
    }

    fn operands_text(operands: &[Expr]) -> String {
        operands
            .iter()
            .map(|o| quote!(#o).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn check_snapshot(name: &str, equation: &str, operands: &[&str]) {
        let path = format!("{}/snapshots/{name}.rs", env!("CARGO_MANIFEST_DIR"));
        let actual = expanded(equation, operands);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            expected == actual,
            "expansion of {equation:?} changed; new text:\n{actual}"
        );
    }

    #[test]
    fn matmul() {
        check_snapshot("matmul", "ij,jk->ik", &["&a", "&b"]);
    }

    #[test]
    fn trace() {
        check_snapshot("trace", "ii->", &["&m"]);
    }

    #[test]
    fn batched_ellipsis() {
        check_snapshot("batched_ellipsis", "...ij,...jk->...ik", &["&x", "&y"]);
    }

    #[test]
    fn chain_of_three() {
        check_snapshot("chain_of_three", "ij,jk,kl->il", &["&a", "&b", "&c"]);
    }
}
