//! Property tests of the four stages, on random strings and on random
//! well-formed equations:
//!
//! 1. `parse` and `validate` never panic, and every rejection points at a
//!    column of the equation and says something;
//! 2. `parse` + `validate` accept exactly what an independent model of
//!    NumPy's rules accepts, and resolve the same output;
//! 3. the plan of one or two operands sums what the output lacks, visits
//!    every label once, and calls GEMM-shaped steps GEMM-shaped;
//! 4. every expansion is a well-formed Rust expression.
//!
//! Reproducible: a fixed seed and no regression files. `PROPTEST_CASES=<n>`
//! sets the number of cases of each property; `EINSUM_SOAK=<n>` too, and
//! `EINSUM_SOAK` set to anything that is not a number means a long soak.
//! `PROPTEST_RNG_SEED=<u64>` explores another part of the space.

use crate::emit::{self, Mode, Options};
use crate::parse::{parse, Subscript, Term};
use crate::plan::{Body, Plan, RankBound, ResultKind, Step, Sub};
use crate::validate::validate;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};

/// Cases per property in an ordinary `cargo test`: a few seconds in all.
const DEFAULT_CASES: u32 = 512;
/// Cases per property for `EINSUM_SOAK=yes`.
const SOAK_CASES: u32 = 50_000;
const SEED: u64 = 0x00e1_5a5e_ed5e_ed01;

fn config() -> Config {
    let number = |var: &str| std::env::var(var).ok().map(|v| v.trim().parse::<u32>());
    let cases = match (number("EINSUM_SOAK"), number("PROPTEST_CASES")) {
        (Some(Ok(n)), _) => n,
        (Some(Err(_)), _) => SOAK_CASES,
        (None, Some(Ok(n))) => n,
        _ => DEFAULT_CASES,
    };
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(SEED);
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Pieces of equations, right and wrong, and characters that are neither.
const FRAGMENTS: &[&str] = &[
    "a", "b", "c", "i", "j", "k", "z", "A", "B", "Z", ",", ",", "->", "->", "-", ">", ".", "..",
    "...", "...", " ", " ", "é", "ß", "→", "…", "ａ", "\u{0}", "\t", "\n", "'", "\"", "\\", "#",
    "0", "7", "_", "😀",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Any string, biased toward the alphabet of equations: fragments strung
/// together, or a well-formed equation with a few characters inserted,
/// replaced or deleted (near misses, which junk rarely is).
fn noisy_equation() -> impl Strategy<Value = String> {
    let junk = prop::collection::vec(fragment(), 0..20).prop_map(|pieces| pieces.concat());
    let edit = (any::<prop::sample::Index>(), 0..3u8, fragment());
    let near_miss = (formed_equation(), prop::collection::vec(edit, 1..=2)).prop_map(
        |((equation, _), edits)| {
            let mut chars: Vec<String> = equation.chars().map(String::from).collect();
            for (at, kind, fragment) in edits {
                let at = at.index(chars.len() + 1);
                match kind {
                    0 => chars.insert(at, fragment),
                    _ if at == chars.len() => chars.push(fragment),
                    1 => chars[at] = fragment,
                    _ => drop(chars.remove(at)),
                }
            }
            chars.concat()
        },
    );
    prop_oneof![junk, near_miss]
}

/// A term as written: labels and at most one ellipsis (`None`).
type GenTerm = Vec<Option<char>>;

/// Few labels, so that they repeat within and across terms.
const LABELS: &[char] = &['a', 'b', 'c', 'd', 'i', 'j', 'B', 'Z'];

/// Mostly one of [`LABELS`], sometimes any letter.
fn gen_label() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(LABELS),
        1 => prop::char::ranges(vec!['a'..='z', 'A'..='Z'].into()),
    ]
}

fn gen_term() -> impl Strategy<Value = GenTerm> {
    (
        prop::collection::vec(gen_label(), 0..5),
        prop::option::weighted(0.3, any::<prop::sample::Index>()),
    )
        .prop_map(|(labels, ellipsis)| {
            let mut term: GenTerm = labels.into_iter().map(Some).collect();
            if let Some(at) = ellipsis {
                term.insert(at.index(term.len() + 1), None);
            }
            term
        })
}

fn render_term(term: &[Option<char>], spaced: bool) -> String {
    let subs: Vec<String> = term
        .iter()
        .map(|s| s.map_or_else(|| "...".to_owned(), String::from))
        .collect();
    subs.join(if spaced { " " } else { "" })
}

fn render(inputs: &[GenTerm], output: Option<&GenTerm>, spaced: bool) -> String {
    let inputs: Vec<String> = inputs.iter().map(|t| render_term(t, spaced)).collect();
    let mut equation = inputs.join(if spaced { " , " } else { "," });
    if let Some(output) = output {
        equation += if spaced { " -> " } else { "->" };
        equation += &render_term(output, spaced);
    }
    equation
}

/// The distinct labels of `terms`, in order of first appearance.
fn distinct_labels(terms: &[GenTerm]) -> Vec<char> {
    let mut labels = Vec::new();
    for label in terms.iter().flatten().flatten() {
        if !labels.contains(label) {
            labels.push(*label);
        }
    }
    labels
}

/// How many operands a call has more than its equation has terms: mostly 0.
fn operand_offset() -> impl Strategy<Value = isize> {
    prop_oneof![6 => Just(0isize), 1 => Just(-1isize), 1 => Just(1isize)]
}

/// A well-formed equation that may still break a rule (an output label
/// repeated, missing from the inputs, an ellipsis no input has, a wrong
/// operand count), with its operand count.
fn formed_equation() -> impl Strategy<Value = (String, usize)> {
    (
        prop::collection::vec(gen_term(), 1..=4),
        prop_oneof![
            1 => Just(None),
            2 => gen_term().prop_map(Some),
        ],
        any::<bool>(),
        operand_offset(),
    )
        .prop_map(|(inputs, output, spaced, off)| {
            let equation = render(&inputs, output.as_ref(), spaced);
            let operands = inputs.len().saturating_add_signed(off);
            (equation, operands)
        })
}

/// An equation that follows every rule, with `1..=max_operands` operands:
/// the output is implicit, or distinct input labels in any order, with an
/// ellipsis somewhere if an input has one and a coin says so.
fn valid_equation(max_operands: usize) -> impl Strategy<Value = (String, usize)> {
    prop::collection::vec(gen_term(), 1..=max_operands)
        .prop_flat_map(|inputs| {
            let labels = distinct_labels(&inputs);
            let n = labels.len();
            (
                Just(inputs),
                Just(labels).prop_shuffle(),
                0..=n,
                any::<bool>(),
                any::<bool>(),
                any::<prop::sample::Index>(),
                any::<bool>(),
            )
        })
        .prop_map(|(inputs, labels, kept, implicit, ellipsis, at, spaced)| {
            let operands = inputs.len();
            if implicit {
                return (render(&inputs, None, spaced), operands);
            }
            let mut output: GenTerm = labels[..kept].iter().copied().map(Some).collect();
            if ellipsis && inputs.iter().flatten().any(Option::is_none) {
                output.insert(at.index(output.len() + 1), None);
            }
            (render(&inputs, Some(&output), spaced), operands)
        })
}

// ---------------------------------------------------------------------------
// The model: NumPy's rules, from their statement, not from parse.rs or
// validate.rs.
// ---------------------------------------------------------------------------

/// A term's subscripts, `None` for the ellipsis; `None` if it is malformed.
fn model_term(term: &str) -> Option<GenTerm> {
    if !term
        .chars()
        .all(|c| c.is_ascii_alphabetic() || c == '.' || c == ' ')
    {
        return None;
    }
    // '#' cannot be in the term any more: a stand-in for the ellipsis.
    let marked = term.replace("...", "#");
    if marked.contains('.') || marked.matches('#').count() > 1 {
        return None;
    }
    Some(
        marked
            .chars()
            .filter(|&c| c != ' ')
            .map(|c| (c != '#').then_some(c))
            .collect(),
    )
}

/// The resolved output, `...` for the ellipsis, or `None` if NumPy rejects
/// the equation for this many operands.
fn model(equation: &str, operands: usize) -> Option<String> {
    let parts: Vec<&str> = equation.split("->").collect();
    if parts.len() > 2 {
        return None;
    }
    let inputs = parts[0]
        .split(',')
        .map(model_term)
        .collect::<Option<Vec<GenTerm>>>()?;
    let output = match parts.get(1) {
        Some(output) => Some(model_term(output)?),
        None => None,
    };
    if operands == 0 || operands != inputs.len() {
        return None;
    }
    let any_ellipsis = inputs.iter().flatten().any(Option::is_none);
    let all: Vec<char> = inputs.iter().flatten().flatten().copied().collect();
    let output = match output {
        Some(output) => {
            let labels: Vec<char> = output.iter().flatten().copied().collect();
            for (k, label) in labels.iter().enumerate() {
                if labels[..k].contains(label) || !all.contains(label) {
                    return None;
                }
            }
            if output.contains(&None) && !any_ellipsis {
                return None;
            }
            output
        }
        None => {
            let mut once: Vec<char> = all
                .iter()
                .copied()
                .filter(|l| all.iter().filter(|m| *m == l).count() == 1)
                .collect();
            once.sort_unstable();
            let ellipsis = any_ellipsis.then_some(None);
            ellipsis
                .into_iter()
                .chain(once.into_iter().map(Some))
                .collect()
        }
    };
    Some(render_term(&output, false))
}

fn spell(term: &Term) -> String {
    term.subscripts
        .iter()
        .map(|s| match s {
            Subscript::Label(c) => c.to_string(),
            Subscript::Ellipsis => "...".to_owned(),
        })
        .collect()
}

/// What `parse` + `validate` make of it: the output, or `None`.
fn library(equation: &str, operands: usize) -> Option<String> {
    let parsed = parse(equation).ok()?;
    let checked = validate(parsed, operands).ok()?;
    Some(spell(&checked.output))
}

/// The library and the model accept the same strings, with the same output.
fn agrees_with_the_model(equation: &str, operands: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        library(equation, operands),
        model(equation, operands),
        "{:?} with {} operands",
        equation,
        operands
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// 1. No panics; errors say where and what.
// ---------------------------------------------------------------------------

/// The `N` of every "(column N of the equation)" in `message`.
fn columns_cited(message: &str) -> Vec<usize> {
    message
        .split("(column ")
        .skip(1)
        .map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap_or(0)
        })
        .collect()
}

fn check_rejections(equation: &str) -> Result<(), TestCaseError> {
    let chars: Vec<char> = equation.chars().collect();
    let parsed = match parse(equation) {
        Err(err) => {
            prop_assert!(
                (1..=chars.len()).contains(&err.column),
                "column {} outside 1..={} for {:?}: {}",
                err.column,
                chars.len(),
                equation,
                err.message
            );
            prop_assert!(!err.message.trim().is_empty());
            let cited = columns_cited(&err.to_string());
            prop_assert_eq!(cited, vec![err.column]);
            return Ok(());
        }
        Ok(parsed) => parsed,
    };
    // Each subscript's column is the character it was read from.
    let terms = parsed.inputs.iter().chain(&parsed.output);
    for term in terms {
        prop_assert_eq!(term.subscripts.len(), term.columns.len());
        prop_assert!(term.columns.windows(2).all(|w| w[0] < w[1]));
        for (sub, &column) in term.subscripts.iter().zip(&term.columns) {
            prop_assert!((1..=chars.len()).contains(&column));
            match sub {
                Subscript::Label(c) => prop_assert_eq!(chars[column - 1], *c),
                Subscript::Ellipsis => {
                    prop_assert_eq!(chars.get(column - 1..column + 2), Some(&['.'; 3][..]))
                }
            }
        }
    }
    let terms = parsed.inputs.len();
    for operands in 0..=terms + 2 {
        match validate(parsed.clone(), operands) {
            Ok(_) => prop_assert_eq!(operands, terms),
            Err(invalid) => {
                prop_assert!(!invalid.message.trim().is_empty());
                for column in columns_cited(&invalid.message) {
                    prop_assert!(
                        (1..=chars.len()).contains(&column),
                        "{:?} with {} operands: {}",
                        equation,
                        operands,
                        invalid.message
                    );
                }
                let surplus = (operands > terms).then_some(terms);
                prop_assert_eq!(invalid.surplus_operand, surplus);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rejections_point_inside_the_equation(equation in noisy_equation()) {
        check_rejections(&equation)?;
    }

    #[test]
    fn rejections_of_formed_equations_point_inside((equation, _) in formed_equation()) {
        check_rejections(&equation)?;
    }
}

// ---------------------------------------------------------------------------
// 2. Agreement with the model.
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn noisy_strings_agree_with_the_model(equation in noisy_equation(), off in operand_offset()) {
        // As many operands as the string seems to have terms, mostly.
        let terms = equation.split("->").next().unwrap_or_default().split(',').count();
        let operands = terms.saturating_add_signed(off);
        agrees_with_the_model(&equation, operands)?;
    }

    #[test]
    fn formed_equations_agree_with_the_model((equation, operands) in formed_equation()) {
        agrees_with_the_model(&equation, operands)?;
    }

    #[test]
    fn valid_equations_are_accepted((equation, operands) in valid_equation(4)) {
        let output = model(&equation, operands);
        prop_assert!(output.is_some(), "the generator made {:?}", equation);
        prop_assert_eq!(library(&equation, operands), output, "{:?}", equation);
    }
}

// ---------------------------------------------------------------------------
// 3. Plan invariants.
// ---------------------------------------------------------------------------

fn plan_of(equation: &str, operands: usize) -> Plan {
    let checked = validate(parse(equation).unwrap(), operands).unwrap();
    let plan = Plan::new(&checked);
    // The numbering is faithful: labels distinct, and every term spells
    // back to what was checked.
    let back = |term: &[Sub]| -> String {
        term.iter()
            .map(|s| match s {
                Sub::Label(l) => plan.labels[*l].to_string(),
                Sub::Ellipsis => "...".to_owned(),
            })
            .collect()
    };
    for (k, label) in plan.labels.iter().enumerate() {
        assert!(!plan.labels[..k].contains(label), "{equation:?}");
    }
    for (term, checked) in plan.inputs.iter().zip(&checked.inputs) {
        assert_eq!(back(term), spell(checked), "{equation:?}");
    }
    assert_eq!(back(&plan.output), spell(&checked.output), "{equation:?}");
    plan
}

fn labels_in(term: &[Sub]) -> Vec<usize> {
    term.iter()
        .filter_map(|s| match s {
            Sub::Label(l) => Some(*l),
            Sub::Ellipsis => None,
        })
        .collect()
}

fn check_step(step: &Step) -> Result<(), TestCaseError> {
    let out = &step.output;
    let out_labels = labels_in(out);
    let labels = step.labels();
    let mut expected: Vec<usize> = step.inputs.iter().flat_map(|t| labels_in(t)).collect();
    expected.sort_unstable();
    expected.dedup();
    let mut sorted = labels.clone();
    sorted.sort_unstable();
    prop_assert_eq!(
        &sorted,
        &expected,
        "labels() are the inputs' labels, once each"
    );

    // Each label is kept or summed, not both.
    for &l in &labels {
        prop_assert!(
            out_labels.contains(&l) != step.summed.contains(&l),
            "label {} kept: {}, summed: {}",
            l,
            out_labels.contains(&l),
            step.summed.contains(&l)
        );
    }
    for (k, l) in step.summed.iter().enumerate() {
        prop_assert!(!step.summed[..k].contains(l) && labels.contains(l));
    }

    // The loop order visits each label exactly once; the outer loops keep
    // the output's order.
    let order = step.loop_order();
    let mut visited = labels_in(&order.outer);
    visited.extend(&order.summed);
    visited.extend(order.inner.map(|i| i.label));
    let mut visited_sorted = visited.clone();
    visited_sorted.sort_unstable();
    prop_assert_eq!(&visited_sorted, &sorted, "loop order {:?}", order);
    let not_inner: Vec<Sub> = out
        .iter()
        .copied()
        .filter(|s| order.inner.is_none_or(|i| *s != Sub::Label(i.label)))
        .collect();
    prop_assert_eq!(&order.outer, &not_inner);
    prop_assert!(order.summed.iter().all(|l| step.summed.contains(l)));
    if let Some(inner) = order.inner {
        prop_assert_eq!(inner.summed, step.summed.contains(&inner.label));
    }

    // GEMM-shaped: two inputs, a label of both that the output lacks, and
    // an output label of one input only, or an ellipsis in the output.
    let expected_gemm = match &step.inputs[..] {
        [a, b] => {
            let (a, b) = (labels_in(a), labels_in(b));
            let k = a.iter().any(|l| b.contains(l) && !out_labels.contains(l));
            let m_or_n = out_labels.iter().any(|l| a.contains(l) != b.contains(l));
            k && (m_or_n || out.contains(&Sub::Ellipsis))
        }
        _ => false,
    };
    prop_assert_eq!(step.is_gemm_class(), expected_gemm);
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn plans_of_one_or_two_operands((equation, operands) in valid_equation(2)) {
        let plan = plan_of(&equation, operands);
        let Body::Nest(step) = &plan.body else {
            return Err(TestCaseError::fail("one or two operands make a loop nest"));
        };
        prop_assert_eq!(&step.inputs, &plan.inputs);
        prop_assert_eq!(&step.output, &plan.output);
        check_step(step)?;

        let n = plan.output.len();
        let kind = match () {
            _ if plan.output.contains(&Sub::Ellipsis) => ResultKind::Dynamic,
            _ if n == 0 => ResultKind::Scalar,
            _ if n <= 6 => ResultKind::Static(n),
            _ => ResultKind::Dynamic,
        };
        prop_assert_eq!(plan.result_kind(), kind);
        for (k, term) in plan.inputs.iter().enumerate() {
            let bound = if term.contains(&Sub::Ellipsis) {
                RankBound::AtLeast(term.len() - 1)
            } else {
                RankBound::Exactly(term.len())
            };
            prop_assert_eq!(plan.rank_bound(k), bound);
        }
    }

    #[test]
    fn three_or_more_operands_make_a_path((equation, operands) in valid_equation(5)) {
        let plan = plan_of(&equation, operands);
        prop_assert_eq!(plan.body == Body::Path, operands > 2);
    }
}

// ---------------------------------------------------------------------------
// 4. The expansion is Rust.
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn expansions_parse_as_expressions((equation, operands) in valid_equation(4)) {
        let plan = plan_of(&equation, operands);
        let exprs: Vec<syn::Expr> = (0..operands)
            .map(|k| syn::parse_str(&format!("&a{k}")).unwrap())
            .collect();
        let threads: syn::Expr = syn::parse_str("n_threads + 1").unwrap();
        let bytes: syn::Expr = syn::parse_str("64 << 20").unwrap();
        let out: syn::Expr = syn::parse_str("&mut c").unwrap();
        let option_sets = [
            Options::default(),
            Options { threads: Some(&threads), memory_limit: None, ..Options::default() },
            Options { threads: Some(&threads), memory_limit: Some(&bytes), ..Options::default() },
            Options { out: Some(&out), ..Options::default() },
            Options { out: Some(&out), alpha: Some(&bytes), beta: Some(&threads), ..Options::default() },
            Options { semiring: Some(crate::semiring::Semiring::MinPlus), ..Options::default() },
            Options { out: Some(&out), beta: Some(&threads), semiring: Some(crate::semiring::Semiring::LogSumExp), ..Options::default() },
        ];
        for mode in [Mode::Panic, Mode::Result, Mode::Explain] {
            for options in &option_sets {
                let options = *options;
                let tokens = emit::expansion(&plan, &equation, &exprs, options, mode, &quote::quote!(::einsum_static));
                let text = tokens.to_string();
                if let Err(err) = syn::parse2::<syn::Expr>(tokens) {
                    prop_assert!(false, "{:?}: {}\n{}", equation, err, text);
                }
            }
        }
    }
}
