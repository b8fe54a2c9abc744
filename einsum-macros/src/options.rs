//! The options after `;`: `name = expression`, comma-separated, and the
//! compile errors of a misspelled, repeated or misplaced option.

use syn::parse::{Parse, ParseStream};
use syn::{Expr, Lit, Token};

/// The options of one call.
#[derive(Default)]
pub struct CallOptions {
    /// `threads = n`: run on a pool of n threads.
    pub threads: Option<Expr>,
    /// `memory_limit = bytes`: the budget for temporaries.
    pub memory_limit: Option<Expr>,
    /// `out = &mut c`: the array the result is written into.
    pub out: Option<Expr>,
    /// `alpha = x`: the factor of the result.
    pub alpha: Option<Expr>,
    /// `beta = x`: the factor of the old contents of `out`.
    pub beta: Option<Expr>,
    /// `semiring = max_plus`: the reduction and the product; `None` for
    /// the sum of products (also when written `sum_product`).
    pub semiring: Option<syn::Ident>,
}

/// The semirings `semiring = ...` takes, with what they compute.
const SEMIRINGS: [(&str, &str); 5] = [
    ("sum_product", "+ of ×, the default"),
    ("max_plus", "max of +"),
    ("min_plus", "min of +"),
    ("max_product", "max of ×"),
    ("log_sum_exp", "log of the sum of exp of +"),
];

/// The name of `semiring = name`, checked; `None` for the sum of products.
fn parse_semiring(input: ParseStream) -> syn::Result<Option<syn::Ident>> {
    let name: syn::Ident = input.parse()?;
    let text = name.to_string();
    if text == "sum_product" {
        return Ok(None);
    }
    if SEMIRINGS.iter().any(|(known, _)| *known == text) {
        return Ok(Some(name));
    }
    let list = SEMIRINGS
        .iter()
        .map(|(name, what)| format!("{name} ({what})"))
        .collect::<Vec<_>>()
        .join(", ");
    let nearest = SEMIRINGS
        .iter()
        .map(|(known, _)| (edit_distance(&text, known), *known))
        .min()
        .filter(|&(distance, known)| distance <= known.len() / 2);
    let message = match nearest {
        Some((_, known)) => {
            format!("unknown semiring `{text}`; did you mean `{known}`? The semirings are: {list}")
        }
        None => format!("unknown semiring `{text}`; the semirings are: {list}"),
    };
    Err(syn::Error::new_spanned(name, message))
}

/// Every option, with what its value means.
const OPTIONS: [(&str, &str); 6] = [
    ("threads", "<number of threads>"),
    ("memory_limit", "<bytes for temporaries>"),
    ("out", "<array to write the result into>"),
    ("alpha", "<factor of the result>"),
    ("beta", "<factor of out's old contents>"),
    (
        "semiring",
        "<sum_product | max_plus | min_plus | max_product | log_sum_exp>",
    ),
];

impl Parse for CallOptions {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut options = CallOptions::default();
        let mut beta_name = None;
        let mut seen_semiring = false;
        while !input.is_empty() {
            let name: syn::Ident = input.parse()?;
            if name == "semiring" {
                if seen_semiring {
                    return Err(syn::Error::new_spanned(
                        &name,
                        "the einsum option `semiring` is given twice",
                    ));
                }
                seen_semiring = true;
                input.parse::<Token![=]>()?;
                options.semiring = parse_semiring(input)?;
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
                continue;
            }
            let slot = match name.to_string().as_str() {
                "threads" => &mut options.threads,
                "memory_limit" => &mut options.memory_limit,
                "out" => &mut options.out,
                "alpha" => &mut options.alpha,
                "beta" => {
                    beta_name = Some(name.clone());
                    &mut options.beta
                }
                unknown => return Err(syn::Error::new_spanned(&name, unknown_option(unknown))),
            };
            if slot.is_some() {
                return Err(syn::Error::new_spanned(
                    &name,
                    format!("the einsum option `{name}` is given twice"),
                ));
            }
            input.parse::<Token![=]>()?;
            let value: Expr = input.parse()?;
            reject_non_numbers(&name, &value)?;
            *slot = Some(value);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        if let (Some(beta), None) = (beta_name, &options.out) {
            return Err(syn::Error::new_spanned(
                beta,
                "the einsum option `beta` scales the old contents of `out`, and there is no \
                 `out`: add `out = &mut c`, or leave `beta` out (a new array has no old contents)",
            ));
        }
        Ok(options)
    }
}

/// An operand written `name = value` is an option placed after a comma, as
/// Python's keyword arguments are; options follow a `;`.
pub fn reject_option_as_operand(operand: &Expr) -> syn::Result<()> {
    let Expr::Assign(assign) = operand else {
        return Ok(());
    };
    let Expr::Path(name) = &*assign.left else {
        return Ok(());
    };
    let Some(name) = name.path.get_ident() else {
        return Ok(());
    };
    let value = &assign.right;
    let value = quote::quote!(#value).to_string();
    Err(syn::Error::new_spanned(
        operand,
        format!(
            "einsum options follow the operands after a `;`, not a `,`: \
             write `einsum!(\"...\", operands...; {name} = {value})`"
        ),
    ))
}

fn unknown_option(unknown: &str) -> String {
    let list = OPTIONS
        .iter()
        .map(|(name, value)| format!("{name} = {value}"))
        .collect::<Vec<_>>()
        .join(", ");
    let nearest = OPTIONS
        .iter()
        .map(|(name, _)| (edit_distance(unknown, name), *name))
        .min()
        .filter(|&(distance, name)| distance <= name.len() / 2);
    match nearest {
        Some((_, name)) => {
            format!(
                "unknown einsum option `{unknown}`; did you mean `{name}`? The options are: {list}"
            )
        }
        None => format!("unknown einsum option `{unknown}`; the options are: {list}"),
    }
}

/// `threads` and `memory_limit` are counts (of threads, of bytes), `out`
/// an array: a literal of another kind is a mistake worth naming here
/// rather than as a type mismatch.
fn reject_non_numbers(name: &syn::Ident, value: &Expr) -> syn::Result<()> {
    let Expr::Lit(literal) = value else {
        return Ok(());
    };
    if name == "alpha" || name == "beta" {
        return Ok(());
    }
    if name == "out" {
        return Err(syn::Error::new_spanned(
            value,
            "the einsum option `out` takes an array to write into, e.g. `out = &mut c`",
        ));
    }
    let hint = match (&literal.lit, name.to_string().as_str()) {
        (Lit::Int(_), _) => return Ok(()),
        (_, "memory_limit") => "a number of bytes, e.g. `memory_limit = 1 << 30` for 1 GiB",
        _ => "a number of threads, e.g. `threads = 4`",
    };
    Err(syn::Error::new_spanned(
        value,
        format!("the einsum option `{name}` takes {hint}"),
    ))
}

/// Levenshtein distance, for the nearest option name.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_option_is_suggested() {
        assert_eq!(edit_distance("thread", "threads"), 1);
        assert_eq!(edit_distance("memory", "memory_limit"), 6);
        assert!(unknown_option("thread").contains("did you mean `threads`?"));
        assert!(unknown_option("memorylimit").contains("did you mean `memory_limit`?"));
        assert!(!unknown_option("workers").contains("did you mean"));
    }

    #[test]
    fn semirings_are_checked_by_name() {
        let parse = |text: &str| syn::parse_str::<CallOptions>(text);
        assert_eq!(
            parse("semiring = max_plus").unwrap().semiring.unwrap(),
            "max_plus"
        );
        assert!(parse("semiring = sum_product").unwrap().semiring.is_none());
        let err = parse("semiring = max_plsu").err().unwrap().to_string();
        assert!(err.contains("did you mean `max_plus`?"), "{err}");
        let err = parse("semiring = tropical").err().unwrap().to_string();
        assert!(err.contains("the semirings are: sum_product"), "{err}");
        let err = parse("semiring = min_plus, semiring = max_plus")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("given twice"), "{err}");
        let err = parse("alpha = 2.0, beta = 1.0").err().unwrap().to_string();
        assert!(err.contains("there is no `out`"), "{err}");
    }

    #[test]
    fn keyword_style_options_are_named() {
        let operand: Expr = syn::parse_quote!(threads = 4);
        let err = reject_option_as_operand(&operand).unwrap_err().to_string();
        assert!(
            err.contains("after a `;`") && err.contains("threads = 4"),
            "{err}"
        );
        assert!(reject_option_as_operand(&syn::parse_quote!(&a)).is_ok());
    }
}
