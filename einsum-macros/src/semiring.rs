//! `semiring = name`: the code that runs an einsum over a semiring. Every
//! shape goes to the runtime's semiring loops (`rt::semiring::contract_over`),
//! with the element type bounded by what the semiring needs.

use crate::names::{operand_name, subs_tokens};
use crate::plan::Plan;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// A semiring other than the sum of products.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Semiring {
    MaxPlus,
    MinPlus,
    MaxProduct,
    LogSumExp,
}

impl Semiring {
    /// The semiring of an option's (checked) name.
    pub fn named(name: &str) -> Semiring {
        match name {
            "max_plus" => Semiring::MaxPlus,
            "min_plus" => Semiring::MinPlus,
            "max_product" => Semiring::MaxProduct,
            "log_sum_exp" => Semiring::LogSumExp,
            other => unreachable!("semiring `{other}` was checked when parsed"),
        }
    }

    /// `rt::semiring::MaxPlus`: the runtime's type for it.
    pub fn marker(self) -> TokenStream {
        let name = format_ident!("{self:?}");
        quote!(rt::semiring::#name)
    }

    /// The bound the element type must meet.
    pub fn bound(self) -> TokenStream {
        match self {
            Semiring::LogSumExp => quote!(T: rt::semiring::LogSumExpElement),
            _ => quote!(T: rt::semiring::OrderedElement),
        }
    }

    /// `rt::Scale::semiring(alpha, beta)` for the options given: `alpha`
    /// defaults to the semiring's one, and a missing `beta` is no read.
    pub fn scale(self, alpha: bool, beta: bool) -> Option<TokenStream> {
        if !alpha && !beta {
            return None;
        }
        let marker = self.marker();
        let alpha = match alpha {
            true => quote!(alpha),
            false => quote!(<#marker as rt::semiring::Semiring<T>>::one()),
        };
        let beta = match beta {
            true => quote!(::core::option::Option::Some(beta)),
            false => quote!(::core::option::Option::None),
        };
        Some(quote!(rt::Scale::semiring(#alpha, #beta)))
    }

    /// The run: `result` (bound or allocated by `make_result`) written by
    /// the runtime's semiring loops.
    pub fn body(self, plan: &Plan, make_result: &TokenStream) -> TokenStream {
        let marker = self.marker();
        let labels = &plan.labels;
        let subs = subs_tokens(&plan.output);
        let inputs = plan.inputs.iter().enumerate().map(|(k, term)| {
            let (x, term) = (operand_name(k), subs_tokens(term));
            quote!((&#x, &[#term][..]))
        });
        quote! {
            #make_result
            static PLANS: rt::PlanCache = rt::PlanCache::new();
            rt::semiring::contract_over::<T, #marker, _>(
                &context, &shape, [#(#labels),*], &[#(#inputs),*], &[#subs], &result.writer(), &PLANS,
            )?;
        }
    }
}
