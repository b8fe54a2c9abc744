//! Stage 4: the code of one expansion.
//!
//! An expansion is a block holding one generic function, `einsum_kernel`,
//! and a call of it. The function binds the operands' shapes (all checks,
//! once), allocates the output, and runs one loop nest per step through the
//! runtime scheduler (see [`crate::nest`]); [`crate::names`] says how the
//! generated variables are named.

use crate::names::{operand_name, size_name, subs_tokens};
use crate::nest::Nest;
use crate::plan::{Body, Plan, RankBound, ResultKind, Sub};
use crate::semiring::Semiring;
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident};

/// Whether the expansion panics on a run-time error or returns it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Panic,
    Result,
    /// `explain!`: bind and check, then describe the plan instead of running it.
    Explain,
}

/// What the call's options (after `;`) ask for.
#[derive(Default, Clone, Copy)]
pub struct Options<'a> {
    pub threads: Option<&'a Expr>,
    pub memory_limit: Option<&'a Expr>,
    /// `out = ...`: the array written in place.
    pub out: Option<&'a Expr>,
    /// `alpha = ...`, `beta = ...`: the factors of the result and of the
    /// old contents of `out`.
    pub alpha: Option<&'a Expr>,
    pub beta: Option<&'a Expr>,
    /// `semiring = ...`, other than the sum of products.
    pub semiring: Option<Semiring>,
}

impl Options<'_> {
    /// Whether any option of the runtime's `Options` was given: the kernel
    /// then takes them first.
    fn any(&self) -> bool {
        self.threads.is_some() || self.memory_limit.is_some()
    }
}

pub fn expansion(
    plan: &Plan,
    equation: &str,
    operands: &[Expr],
    options: Options<'_>,
    mode: Mode,
    krate: &TokenStream,
) -> TokenStream {
    let in_place = options.out.is_some();
    let extras = Extras {
        in_place,
        alpha: options.alpha.is_some(),
        beta: options.beta.is_some(),
        semiring: options.semiring,
    };
    let function = kernel_function(plan, equation, mode, options.any(), extras);
    // The operands and options are evaluated as the caller wrote them, as
    // arguments of the kernel: options change nothing about how they
    // compile, and the generated names are out of their sight.
    let args = operands
        .iter()
        .map(|op| quote_spanned!(op.span()=> (#op).view()));
    // `.view_mut()` of an array, or of a scalar place (`&mut x`) through
    // the runtime's `ScalarPlace`; after the operands, so that the element
    // type is theirs.
    let out = options.out.map(|out| {
        quote_spanned!(out.span()=> {
            #[allow(unused_imports)]
            use #krate::__private::ScalarPlace as _;
            (#out).view_mut()
        })
    });
    let factors = [options.alpha, options.beta]
        .into_iter()
        .flatten()
        .map(|x| quote_spanned!(x.span()=> #x));
    let args = args.chain(out).chain(factors);
    let options = options.any().then(|| {
        let threads = options
            .threads
            .map(|n| quote_spanned!(n.span()=> .threads(#n)));
        let limit = options
            .memory_limit
            .map(|bytes| quote_spanned!(bytes.span()=> .memory_limit(#bytes)));
        quote!(#krate::__private::Options::new() #threads #limit,)
    });
    // The caller's items (a `const i`, a `Result` alias) are not in scope
    // in a module of its own; its reserved name is the one name the
    // operands could meet, and only in the type namespace.
    let module = Ident::new("__einsum", Span::mixed_site());
    let call = quote!(#module::run(#options #(#args),*));
    let call = match mode {
        Mode::Panic => quote!(#krate::__private::unwrap_or_panic(#call)),
        Mode::Result | Mode::Explain => call,
    };
    // A `let` without a type: the element type comes from the operands, not
    // from what the caller's context expects of the result. A reserved name
    // (no caller's constant can turn it into a pattern), of mixed-site
    // hygiene (the operands cannot see it).
    let value = Ident::new("__einsum_value", Span::mixed_site());
    quote! {
        {
            mod #module {
                use #krate::__private as rt;
                #function
            }
            // `(&a).view()` is what the user wrote plus `.view()`: not a borrow to lint.
            #[allow(clippy::needless_borrow)]
            let #value = #call;
            #value
        }
    }
}

/// What the options add to the kernel's parameters: `out`, `alpha`, `beta`.
#[derive(Clone, Copy)]
struct Extras {
    in_place: bool,
    alpha: bool,
    beta: bool,
    semiring: Option<Semiring>,
}

impl Extras {
    /// The parameters, after the operands.
    fn params(&self) -> impl Iterator<Item = TokenStream> {
        let out = self
            .in_place
            .then(|| quote!(out: rt::ndarray::ArrayViewMut<'_, T, DO>));
        let alpha = self.alpha.then(|| quote!(alpha: T));
        let beta = self.beta.then(|| quote!(beta: T));
        out.into_iter().chain(alpha).chain(beta)
    }

    /// `rt::Scale::...(alpha, beta)`, when either is given.
    fn scale(&self) -> Option<TokenStream> {
        if let Some(semiring) = self.semiring {
            return semiring.scale(self.alpha, self.beta);
        }
        match (self.alpha, self.beta) {
            (false, false) => None,
            (true, false) => Some(quote!(rt::Scale::alpha(alpha))),
            (false, true) => Some(quote!(rt::Scale::beta(beta))),
            (true, true) => Some(quote!(rt::Scale::new(alpha, beta))),
        }
    }
}

fn kernel_function(
    plan: &Plan,
    equation: &str,
    mode: Mode,
    with_options: bool,
    extras: Extras,
) -> TokenStream {
    let in_place = extras.in_place;
    let nest = plan.nest().map(|step| Nest::new(plan, step));
    // A rank-0 result of a reduction: the value itself, no array.
    let scalar_value = nest.as_ref().and_then(Nest::scalar_result);
    let scale = extras.scale();
    let scaled = scale.as_ref().map(|scale| quote!(.scaled(#scale)));
    let nl = plan.labels.len();
    let dim_params: Vec<Ident> = (0..plan.inputs.len())
        .map(|k| format_ident!("D{k}"))
        .collect();
    // Operand k > 0 holds `Ek`, checked to be operand 0's `T` by a bound
    // whose error names both types (`SameElement`), then retyped as `T`.
    let elem_params: Vec<Ident> = (1..plan.inputs.len())
        .map(|k| format_ident!("E{k}"))
        .collect();
    let elem = |k: usize| match k {
        0 => quote!(T),
        k => {
            let e = &elem_params[k - 1];
            quote!(#e)
        }
    };
    let params = plan.inputs.iter().enumerate().map(|(k, _)| {
        let (x, d, e) = (operand_name(k), &dim_params[k], elem(k));
        quote!(#x: rt::ndarray::ArrayView<'_, #e, #d>)
    });
    let params = params.chain(extras.params());
    let same_elements = elem_params.iter().enumerate().map(|(j, e)| {
        let k = Literal::usize_unsuffixed(j + 1);
        quote!(#e: rt::SameElement<T, #k>)
    });
    let retyped = elem_params.iter().enumerate().map(|(j, e)| {
        let (x, k) = (operand_name(j + 1), Literal::usize_unsuffixed(j + 1));
        quote!(let #x = <#e as rt::SameElement<T, #k>>::view(#x);)
    });
    let bounds = dim_params
        .iter()
        .enumerate()
        .map(|(k, d)| match plan.rank_bound(k) {
            RankBound::Exactly(n) => {
                let bound = rank_trait("Rank", n);
                let (n, k) = (Literal::usize_unsuffixed(n), Literal::usize_unsuffixed(k));
                quote!(#d: rt::ndarray::Dimension + rt::#bound<#n, #k>)
            }
            RankBound::AtLeast(n) => {
                let bound = rank_trait("RankAtLeast", n);
                let (n, k) = (Literal::usize_unsuffixed(n), Literal::usize_unsuffixed(k));
                quote!(#d: rt::ndarray::Dimension + rt::#bound<#n, #k>)
            }
        });
    let out_bound = in_place.then(|| {
        let n = plan.output.iter().filter(|s| **s != Sub::Ellipsis).count();
        let bound = match plan.output.contains(&Sub::Ellipsis) {
            false => rank_trait("OutRank", n),
            true => rank_trait("OutRankAtLeast", n),
        };
        let n = Literal::usize_unsuffixed(n);
        quote!(DO: rt::ndarray::Dimension + rt::#bound<#n>)
    });
    let semiring_bound = extras.semiring.map(Semiring::bound);
    let bounds = bounds.chain(out_bound).chain(semiring_bound);
    let out_dim = in_place.then(|| format_ident!("DO"));
    let dim_params = dim_params.iter().chain(out_dim.as_ref());
    let (result_dim, result_type, finish) = match plan.result_kind() {
        ResultKind::Scalar => {
            let finish = match scalar_value {
                Some(_) if extras.semiring.is_none() => quote!(result),
                _ => quote!(result.into_scalar()),
            };
            (quote!(rt::ndarray::Ix0), quote!(T), finish)
        }
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
    // `out = ...`: the caller's array, bound (its shape checked) before
    // anything is computed, and nothing to return.
    let (result_type, finish) = if in_place {
        (quote!(()), quote!(()))
    } else {
        (result_type, finish)
    };
    let nl_literal = Literal::usize_unsuffixed(nl);
    let result = |subs: &TokenStream| {
        if in_place {
            quote!(let mut result = rt::Target::<T, #nl_literal>::bind(out, &shape, &[#subs])? #scaled;)
        } else {
            quote!(let mut result = rt::Output::<T, #result_dim, #nl_literal>::allocate(&shape, &[#subs])? #scaled;)
        }
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
        let x = operand_name(k);
        let (k, subs) = (Literal::usize_unsuffixed(k), subs_tokens(term));
        quote!(let #x = binder.bind(#k, &#x, &[#subs])?;)
    });
    let output_has_ellipsis = plan.output.contains(&Sub::Ellipsis);
    let sizes: Vec<Ident> = plan.labels.iter().map(|&l| size_name(l)).collect();
    let sizes = (nl > 0).then(|| quote!(let [#(#sizes),*] = shape.sizes();));

    let runtime_path = (plan.body == Body::Path).then(|| {
        let subs = subs_tokens(&plan.output);
        let inputs = plan.inputs.iter().enumerate().map(|(k, term)| {
            let (x, term) = (operand_name(k), subs_tokens(term));
            quote!((&#x, &[#term][..]))
        });
        let result = result(&subs);
        quote! {
            #result
            static PLANS: rt::PlanCache = rt::PlanCache::new();
            rt::contract(&context, &shape, [#(#label_chars),*], &[#(#inputs),*], &[#subs], &result.writer(), &PLANS)?;
        }
    });
    // One or two operands: the one step's specialized loops.
    let step = nest.as_ref().map(|nest| {
        if let Some(value) = &scalar_value {
            if in_place {
                return quote! {
                    let result = rt::Target::<T, #nl_literal>::bind(out, &shape, &[])? #scaled;
                    result.store_scalar(#value);
                };
            }
            return match &scale {
                Some(scale) => quote!(let result = #scale.of_new(#value);),
                None => quote!(let result = #value;),
            };
        }
        let result = result(&subs_tokens(&plan.output));
        let block = nest.block();
        quote! {
            #result
            #block
        }
    });

    // A semiring: the runtime's loops for every shape.
    let (step, runtime_path) = match extras.semiring {
        Some(semiring) => {
            let make_result = result(&subs_tokens(&plan.output));
            (Some(semiring.body(plan, &make_result)), None)
        }
        None => (step, runtime_path),
    };
    let (result_type, body) = if mode == Mode::Explain {
        let target = match in_place {
            true => quote!(::core::option::Option::Some(&target)),
            false => quote!(::core::option::Option::None),
        };
        let mut body = explain_body(plan, nest.as_ref(), equation, &target);
        if let Some(semiring) = extras.semiring {
            let marker = semiring.marker();
            body = quote!(#body.map(rt::Explain::over_semiring::<T, #marker>));
        }
        if in_place {
            let subs = subs_tokens(&plan.output);
            body = quote! {
                let target = rt::Target::<T, #nl_literal>::bind(out, &shape, &[#subs])?;
                #body
            };
        }
        (quote!(rt::Explain), body)
    } else {
        (
            result_type,
            quote!(#sizes #step #runtime_path ::core::result::Result::Ok(#finish)),
        )
    };
    // Only the GEMM hand-off and the paths of 3+ operands read what the
    // operands occupy (for the memory budget).
    let counted = mode == Mode::Explain
        || extras.semiring.is_some()
        || plan.nest().is_none_or(|step| step.is_gemm_class());
    let binder = if counted {
        quote!(new)
    } else {
        quote!(uncounted)
    };
    // The call's settings, passed to every runtime call that schedules or
    // plans work: its options over the ambient ones.
    let (options, context) = if with_options {
        (quote!(options: rt::Options,), quote!(options.context()))
    } else {
        (quote!(), quote!(rt::Context::ambient()))
    };
    let body = quote! {
        #sub_imports
        let mut binder = rt::ShapeBinder::#binder([#(#label_chars),*]);
        #(#binds)*
        let shape = binder.finish(#output_has_ellipsis)?;
        let context = #context;
        #body
    };
    quote! {
        #[inline]
        #[allow(non_snake_case, unused_parens, unused_variables, clippy::all)]
        pub fn run<T, #(#elem_params,)* #(#dim_params),*>(#options #(#params),*)
            -> ::core::result::Result<#result_type, rt::EinsumError>
        where
            T: rt::Element,
            #(#same_elements,)*
            #(#bounds),*
        {
            #(#retyped)*
            #body
        }
    }
}

/// The runtime's trait for operands of `n` axes (`Rank2`), or of at least
/// `n` (`RankAtLeast2`); past ndarray's static dimensions, `IxDyn`'s.
fn rank_trait(name: &str, n: usize) -> Ident {
    if n <= 6 {
        format_ident!("{name}{n}")
    } else {
        format_ident!("{name}Dyn")
    }
}

/// `rt::Explain::...`: the plan for the bound sizes and the output
/// `target` (an `Option` of the caller's bound array), or the error the
/// call would return.
fn explain_body(
    plan: &Plan,
    nest: Option<&Nest>,
    equation: &str,
    target: &TokenStream,
) -> TokenStream {
    let labels = &plan.labels;
    let nl = Literal::usize_unsuffixed(labels.len());
    let output = subs_tokens(&plan.output);
    match nest {
        Some(nest) => {
            let gemm = match nest.gemm_operands() {
                Some((step_labels, a, b)) => {
                    quote!(::core::option::Option::Some((#step_labels, &#a, &#b)))
                }
                None => quote!(::core::option::Option::None),
            };
            let summed = nest.sums();
            let blocks = subs_tokens(nest.scheduled_blocks());
            quote! {
                rt::Explain::one_step::<T, #nl>(&context, #equation, &shape, [#(#labels),*], (&[#output], #target), #gemm, #summed, &[#blocks])
            }
        }
        None => {
            let inputs = plan.inputs.iter().enumerate().map(|(k, t)| {
                let (x, t) = (operand_name(k), subs_tokens(t));
                quote!((&#x, &[#t][..]))
            });
            quote! {
                rt::Explain::path::<T, #nl>(&context, #equation, &shape, [#(#labels),*], &[#(#inputs),*], (&[#output], #target))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Snapshots of what `cargo expand` shows for a few equations, so that a
    //! change to the generated code is seen in review. Regenerate with
    //! `UPDATE_SNAPSHOTS=1 cargo test -p einsum-macros`.

    use super::*;
    use crate::{parse::parse, validate::validate};

    /// The expansion with options `out` and `beta` when given.
    fn expanded(
        equation: &str,
        operands: &[&str],
        (out, beta): (Option<&str>, Option<&str>),
    ) -> String {
        let operands: Vec<Expr> = operands
            .iter()
            .map(|o| syn::parse_str(o).unwrap())
            .collect();
        let checked = validate(parse(equation).unwrap(), operands.len()).unwrap();
        let out_expr: Option<Expr> = out.map(|o| syn::parse_str(o).unwrap());
        let beta_expr: Option<Expr> = beta.map(|b| syn::parse_str(b).unwrap());
        let options = Options {
            out: out_expr.as_ref(),
            beta: beta_expr.as_ref(),
            ..Options::default()
        };
        let block = expansion(
            &Plan::new(&checked),
            equation,
            &operands,
            options,
            Mode::Panic,
            &quote!(::einsum_static),
        );
        let file: syn::File = syn::parse_quote!(fn call_site() { let _ = #block; });
        let mut options = out.map(|o| format!("; out = {o}")).unwrap_or_default();
        if let Some(beta) = beta {
            options += &format!(", beta = {beta}");
        }
        format!(
            "// einsum!({equation:?}, {}{options})\n{}",
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
        check_snapshot_with(name, equation, operands, (None, None));
    }

    fn check_snapshot_with(
        name: &str,
        equation: &str,
        operands: &[&str],
        options: (Option<&str>, Option<&str>),
    ) {
        let path = format!("{}/snapshots/{name}.rs", env!("CARGO_MANIFEST_DIR"));
        let actual = expanded(equation, operands, options);
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
    fn column_sums() {
        check_snapshot("column_sums", "ij->j", &["&a"]);
    }

    #[test]
    fn transposing_sum() {
        check_snapshot("transposing_sum", "ijk->kj", &["&x"]);
    }

    #[test]
    fn chain_of_three() {
        check_snapshot("chain_of_three", "ij,jk,kl->il", &["&a", "&b", "&c"]);
    }

    #[test]
    fn matmul_in_place() {
        let options = (Some("&mut c"), Some("1.0"));
        check_snapshot_with("matmul_in_place", "ij,jk->ik", &["&a", "&b"], options);
    }

    /// The items of the runtime the expansions name (`rt::...`, which is
    /// `$crate::__private`), as `use` lines: `snapshots/door.rs`, which
    /// the facade's `tests/door.rs` compiles, so every one must resolve
    /// through `einsum_static::__private`.
    #[test]
    fn every_runtime_path_goes_through_the_door() {
        let equations: [(&str, &[&str]); 12] = [
            ("ij,jk->ik", &["&a", "&b"]),
            ("ii->", &["&m"]),
            ("ij->", &["&m"]),
            ("...ij,...jk->...ik", &["&x", "&y"]),
            ("ij->j", &["&a"]),
            ("ijk->kj", &["&x"]),
            ("rjk->kj", &["&x"]),
            ("ij,jk,kl->il", &["&a", "&b", "&c"]),
            ("i,j->ij", &["&a", "&b"]),
            ("ij->ji", &["&a"]),
            (",->", &["&a", "&b"]),
            ("abcdefgh->h", &["&a"]),
        ];
        let (threads, bytes, out): (Expr, Expr, Expr) = (
            syn::parse_quote!(2),
            syn::parse_quote!(1 << 20),
            syn::parse_quote!(&mut c),
        );
        let mut paths = std::collections::BTreeSet::new();
        for (equation, operands) in equations {
            let operands: Vec<Expr> = operands
                .iter()
                .map(|o| syn::parse_str(o).unwrap())
                .collect();
            let checked = validate(parse(equation).unwrap(), operands.len()).unwrap();
            let options = Options {
                threads: Some(&threads),
                memory_limit: Some(&bytes),
                out: Some(&out),
                alpha: Some(&threads),
                beta: Some(&threads),
                semiring: None,
            };
            let tropical = Options {
                semiring: Some(Semiring::MaxPlus),
                ..options
            };
            let log_space = Options {
                semiring: Some(Semiring::LogSumExp),
                alpha: None,
                ..options
            };
            for (mode, options) in [
                (Mode::Panic, Options::default()),
                (Mode::Result, options),
                (Mode::Explain, options),
                (Mode::Result, tropical),
                (Mode::Explain, log_space),
                (Mode::Result, log_space),
            ] {
                let tokens = expansion(
                    &Plan::new(&checked),
                    equation,
                    &operands,
                    options,
                    mode,
                    &quote!(krate),
                );
                collect_paths(tokens, &mut paths);
            }
        }
        let uses: String = paths
            .iter()
            .map(|path| format!("use einsum_static::__private::{path};\n"))
            .collect();
        let text = format!(
            "// The runtime items the macros' expansions name, written by the test\n\
             // `every_runtime_path_goes_through_the_door` of einsum-macros/src/emit.rs;\n\
             // tests/door.rs compiles them. Regenerate with UPDATE_SNAPSHOTS=1.\n{uses}"
        );
        let path = format!("{}/snapshots/door.rs", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            expected == text,
            "the runtime paths changed; new list:\n{text}"
        );
    }

    /// Every `rt::a::B` in `tokens`, cut after its first type (`B`): what
    /// a `use` can import. Absolute paths must be `krate::__private` or
    /// `::core`.
    fn collect_paths(tokens: TokenStream, paths: &mut std::collections::BTreeSet<String>) {
        use proc_macro2::{Spacing, TokenTree};
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut k = 0;
        while k < trees.len() {
            match &trees[k] {
                TokenTree::Group(group) => collect_paths(group.stream(), paths),
                TokenTree::Punct(p) if p.as_char() == ':' && p.spacing() == Spacing::Joint => {
                    // `::x` not after a name or a `>`: an absolute path.
                    let absolute = match k.checked_sub(1).map(|i| &trees[i]) {
                        Some(TokenTree::Ident(_)) => false,
                        Some(TokenTree::Punct(q)) => q.as_char() != '>',
                        _ => true,
                    };
                    if let (true, Some(TokenTree::Ident(first))) = (absolute, trees.get(k + 2)) {
                        assert_eq!(first.to_string(), "core", "absolute path ::{first}");
                    }
                    k += 2;
                    continue;
                }
                TokenTree::Ident(id) if id == "rt" || id == "krate" => {
                    let mut segments = Vec::new();
                    let mut j = k + 1;
                    while let (
                        Some(TokenTree::Punct(a)),
                        Some(TokenTree::Punct(b)),
                        Some(TokenTree::Ident(next)),
                    ) = (trees.get(j), trees.get(j + 1), trees.get(j + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        j += 3;
                        if next.to_string().starts_with(char::is_uppercase) {
                            break;
                        }
                    }
                    if id == "krate" {
                        assert_eq!(segments.first().map(String::as_str), Some("__private"));
                        segments.remove(0);
                    }
                    if !segments.is_empty() {
                        paths.insert(segments.join("::"));
                    }
                    k = j;
                    continue;
                }
                _ => {}
            }
            k += 1;
        }
    }
}
