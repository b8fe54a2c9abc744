//! The procedural macros of `einsum-static`. Use them through the
//! `einsum_static` facade, which documents the equation language.
//!
//! One straight pipeline, a module per stage: `parse` the literal,
//! `validate` it against NumPy's rules, `plan` what is known without
//! sizes, `emit` the specialized code.

mod emit;
mod names;
mod nest;
mod parse;
mod plan;
#[cfg(test)]
mod proptests;
mod validate;

use proc_macro::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, LitStr, Token};

/// Evaluates an einsum equation; panics on operands whose shapes do not fit.
/// See the `einsum_static` crate docs.
#[proc_macro]
pub fn einsum(input: TokenStream) -> TokenStream {
    expand(input, emit::Mode::Panic)
}

/// Evaluates an einsum equation; returns `Err(EinsumError)` on operands
/// whose shapes do not fit. See the `einsum_static` crate docs.
#[proc_macro]
pub fn try_einsum(input: TokenStream) -> TokenStream {
    expand(input, emit::Mode::Result)
}

/// Describes how an einsum would run on these operands, without running
/// it. See the `einsum_static` crate docs.
#[proc_macro]
pub fn explain(input: TokenStream) -> TokenStream {
    expand(input, emit::Mode::Explain)
}

fn expand(input: TokenStream, mode: emit::Mode) -> TokenStream {
    match syn::parse::<Call>(input).and_then(|call| call.expansion(mode)) {
        Ok(tokens) => tokens.into(),
        Err(err) => err.to_compile_error().into(),
    }
}

/// `"equation", operand, operand, ...` and, after a `;`, options.
struct Call {
    equation: LitStr,
    operands: Vec<Expr>,
    options: CallOptions,
}

/// The options after `;`, each `name = expression`, comma-separated.
#[derive(Default)]
struct CallOptions {
    /// `threads = n`: run on a pool of n threads.
    threads: Option<Expr>,
    /// `memory_limit = bytes`: the budget for temporaries.
    memory_limit: Option<Expr>,
}

impl Parse for Call {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                proc_macro2::Span::call_site(),
                "einsum needs an equation and its operands, e.g. einsum!(\"ij,jk->ik\", &a, &b)",
            ));
        }
        if !input.peek(LitStr) {
            let not_literal: Expr = input.parse()?;
            return Err(syn::Error::new_spanned(
                not_literal,
                "the einsum equation must be a string literal such as \"ij,jk->ik\", \
                 so that it can be checked when the program compiles",
            ));
        }
        let equation: LitStr = input.parse()?;
        let mut operands = Vec::new();
        while input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            if input.is_empty() || input.peek(Token![;]) {
                break;
            }
            operands.push(input.parse()?);
        }
        let options = if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            input.parse()?
        } else {
            CallOptions::default()
        };
        if !input.is_empty() {
            return Err(input.error("expected `,` and an operand, or `;` and options"));
        }
        Ok(Call {
            equation,
            operands,
            options,
        })
    }
}

const KNOWN_OPTIONS: &str =
    "the options are: threads = <number of threads>, memory_limit = <bytes for temporaries>";

impl Parse for CallOptions {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut options = CallOptions::default();
        while !input.is_empty() {
            let name: syn::Ident = input.parse()?;
            let slot = match name.to_string().as_str() {
                "threads" => &mut options.threads,
                "memory_limit" => &mut options.memory_limit,
                _ => {
                    return Err(syn::Error::new_spanned(
                        &name,
                        format!("unknown einsum option `{name}`; {KNOWN_OPTIONS}"),
                    ))
                }
            };
            if slot.is_some() {
                return Err(syn::Error::new_spanned(
                    &name,
                    format!("the einsum option `{name}` is given twice"),
                ));
            }
            input.parse::<Token![=]>()?;
            *slot = Some(input.parse()?);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(options)
    }
}

impl Call {
    fn expansion(&self, mode: emit::Mode) -> syn::Result<proc_macro2::TokenStream> {
        let span = self.equation.span();
        let equation = parse::parse(&self.equation.value())
            .map_err(|err| syn::Error::new(span, err.to_string()))?;
        let checked = validate::validate(equation, self.operands.len()).map_err(|invalid| {
            match invalid.surplus_operand.and_then(|k| self.operands.get(k)) {
                Some(operand) => syn::Error::new_spanned(operand, invalid.message),
                None => syn::Error::new(span, invalid.message),
            }
        })?;
        let plan = plan::Plan::new(&checked);
        let options = emit::Options {
            threads: self.options.threads.as_ref(),
            memory_limit: self.options.memory_limit.as_ref(),
        };
        Ok(emit::expansion(
            &plan,
            &self.equation.value(),
            &self.operands,
            options,
            mode,
        ))
    }
}
