//! The procedural macros of `einsum-static`. Use them through the
//! `einsum_static` facade, which documents the equation language.
//!
//! One straight pipeline, a module per stage: `parse` the literal,
//! `validate` it against NumPy's rules (both from `einsum-syntax`), `plan`
//! what is known without sizes, `emit` the specialized code.

mod emit;
mod names;
mod nest;
mod options;
mod plan;
#[cfg(test)]
mod proptests;
mod semiring;

// Parsing and NumPy's rules live in `einsum-syntax`, shared with the
// run-time API so that both report the same errors.
use einsum_syntax::{parse, validate};

use options::CallOptions;
use proc_macro::TokenStream;
use syn::ext::IdentExt;
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

/// `$crate; "equation", operand, operand, ...` and, after a `;`, options.
/// The facade's `macro_rules!` fronts put their `$crate` first, so that the
/// expansion names the facade however the caller's crate reaches it.
struct Call {
    krate: proc_macro2::TokenStream,
    equation: LitStr,
    operands: Vec<Expr>,
    options: CallOptions,
}

impl Parse for Call {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let krate = input.call(syn::Ident::parse_any)?;
        input.parse::<Token![;]>()?;
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
        if !equation.suffix().is_empty() {
            return Err(syn::Error::new_spanned(
                &equation,
                format!(
                    "the einsum equation takes no literal suffix: remove `{}`",
                    equation.suffix()
                ),
            ));
        }
        let mut operands = Vec::new();
        while input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            if input.is_empty() || input.peek(Token![;]) {
                break;
            }
            let operand: Expr = input.parse()?;
            options::reject_option_as_operand(&operand)?;
            operands.push(operand);
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
            krate: quote::ToTokens::into_token_stream(krate),
            equation,
            operands,
            options,
        })
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
            out: self.options.out.as_ref(),
            alpha: self.options.alpha.as_ref(),
            beta: self.options.beta.as_ref(),
            semiring: self
                .options
                .semiring
                .as_ref()
                .map(|name| semiring::Semiring::named(&name.to_string())),
        };
        Ok(emit::expansion(
            &plan,
            &self.equation.value(),
            &self.operands,
            options,
            mode,
            &self.krate,
        ))
    }
}
