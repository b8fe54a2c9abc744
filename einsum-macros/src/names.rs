//! The names generated code uses, so that an expansion reads like the
//! equation: `n_i` is the size of label `i`, `x0_i` its stride in operand 0,
//! `out_i` in the array being written; the loop over `i` is `for i in ...`
//! (uppercase labels get a trailing underscore, `I_`, so that they cannot
//! collide with the user's constants).

use crate::plan::{Plan, Sub};
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// `a * b * c`, or `empty` for no factors.
pub fn product_of(factors: Vec<TokenStream>, empty: TokenStream) -> TokenStream {
    let mut factors = factors.into_iter();
    match factors.next() {
        None => empty,
        Some(first) => factors.fold(first, |acc, f| quote!(#acc * #f)),
    }
}

pub fn subs_tokens(term: &[Sub]) -> TokenStream {
    let subs = term.iter().map(|s| match *s {
        Sub::Label(l) => {
            let l = Literal::usize_unsuffixed(l);
            quote!(Label(#l))
        }
        Sub::Ellipsis => quote!(Ellipsis),
    });
    quote!(#(#subs),*)
}

/// The generated function's parameter for operand `k`.
pub fn operand_name(k: usize) -> Ident {
    format_ident!("x{}", k)
}

/// The loop index of a label: the label itself, or `I_` for uppercase.
pub fn index_name(label: char) -> Ident {
    if label.is_ascii_uppercase() {
        Ident::new(&format!("{label}_"), Span::call_site())
    } else {
        Ident::new(&label.to_string(), Span::call_site())
    }
}

pub fn size_name(label: char) -> Ident {
    format_ident!("n_{}", label)
}

pub fn stride_name(array: &Ident, label: char) -> Ident {
    format_ident!("{}_{}", array, label)
}

pub fn ellipsis_offset_name(array: &Ident) -> Ident {
    format_ident!("{}_ell", array)
}

/// The scheduler's block of an outer slot: `i_block`, `ell_block`.
pub fn block_name(plan: &Plan, sub: &Sub) -> Ident {
    match *sub {
        Sub::Label(l) => format_ident!("{}_block", index_name(plan.labels[l])),
        Sub::Ellipsis => format_ident!("ell_block"),
    }
}
