//! Stage 2: NumPy's rules on a parsed equation, and the implicit output.

use crate::parse::{Equation, Subscript, Term};

/// An equation that passed every rule, with its output resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// One term per operand.
    pub inputs: Vec<Term>,
    /// The output term: the explicit one, or NumPy's implicit one.
    pub output: Term,
}

/// A broken rule; `surplus_operand` names an operand the equation has no
/// term for, the best place to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// NumPy's wording of the rule broken.
    pub message: String,
    /// The first operand beyond the equation's terms, if there are too many.
    pub surplus_operand: Option<usize>,
}

impl From<String> for Invalid {
    fn from(message: String) -> Self {
        Invalid {
            message,
            surplus_operand: None,
        }
    }
}

/// Checks `equation` for a call with `operands` operands.
///
/// ```
/// use einsum_syntax::{parse::parse, validate::validate};
/// let checked = validate(parse("ba")?, 1).unwrap();
/// assert_eq!(checked.output.labels().collect::<String>(), "ab");
/// # Ok::<(), einsum_syntax::ParseError>(())
/// ```
pub fn validate(equation: Equation, operands: usize) -> Result<Checked, Invalid> {
    let terms = equation.inputs.len();
    if operands == 0 {
        return Err(String::from("einsum needs at least one operand after the equation").into());
    }
    let counted = format!(
        "{} but {}",
        plural(operands, "operand"),
        plural(terms, "term")
    );
    if operands > terms {
        return Err(Invalid {
            message: format!(
                "more operands provided to einstein sum function than specified in the \
                 subscripts string: {counted}"
            ),
            surplus_operand: Some(terms),
        });
    }
    if operands < terms {
        return Err(format!(
            "fewer operands provided to einstein sum function than specified in the subscripts \
             string: {counted}"
        )
        .into());
    }
    let output = match equation.output {
        Some(output) => {
            check_output(&equation.inputs, &output)?;
            output
        }
        None => implicit_output(&equation.inputs),
    };
    Ok(Checked {
        inputs: equation.inputs,
        output,
    })
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn check_output(inputs: &[Term], output: &Term) -> Result<(), String> {
    let at = |sub: Subscript, n: usize| {
        let column = output.column_of(sub, n).unwrap_or_default();
        format!(" (column {column} of the equation)")
    };
    let mut seen = Vec::new();
    for label in output.labels() {
        if seen.contains(&label) {
            return Err(format!(
                "einstein sum subscripts string includes output subscript '{label}' multiple \
                 times{}",
                at(Subscript::Label(label), 1)
            ));
        }
        seen.push(label);
        if !inputs.iter().any(|t| t.labels().any(|l| l == label)) {
            return Err(format!(
                "einstein sum subscripts string included output subscript '{label}' which never \
                 appeared in an input{}",
                at(Subscript::Label(label), 0)
            ));
        }
    }
    if output.has_ellipsis() && !inputs.iter().any(Term::has_ellipsis) {
        return Err(format!(
            "the output has an ellipsis ('...'){} but no input has one to broadcast",
            at(Subscript::Ellipsis, 0)
        ));
    }
    Ok(())
}

/// NumPy's implicit output: the broadcast dimensions first when any input
/// has an ellipsis, then the labels that occur exactly once in the whole
/// equation, in alphabetical (ASCII: uppercase first) order.
fn implicit_output(inputs: &[Term]) -> Term {
    let mut once: Vec<char> = Vec::new();
    let all: Vec<char> = inputs.iter().flat_map(Term::labels).collect();
    for &label in &all {
        if all.iter().filter(|&&l| l == label).count() == 1 {
            once.push(label);
        }
    }
    once.sort_unstable();
    let mut subscripts = Vec::new();
    if inputs.iter().any(Term::has_ellipsis) {
        subscripts.push(Subscript::Ellipsis);
    }
    subscripts.extend(once.into_iter().map(Subscript::Label));
    // Not in the equation: no columns to point at.
    Term {
        columns: vec![0; subscripts.len()],
        subscripts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn output_of(eq: &str, operands: usize) -> String {
        let checked = validate(parse(eq).unwrap(), operands).unwrap();
        checked
            .output
            .subscripts
            .iter()
            .map(|s| match s {
                Subscript::Label(c) => c.to_string(),
                Subscript::Ellipsis => "...".into(),
            })
            .collect()
    }

    fn error_of(eq: &str, operands: usize) -> String {
        validate(parse(eq).unwrap(), operands).unwrap_err().message
    }

    #[test]
    fn implicit_output_follows_numpy() {
        assert_eq!(output_of("ij,jk", 2), "ik");
        assert_eq!(output_of("ii", 1), "");
        assert_eq!(output_of("ba", 1), "ab");
        assert_eq!(output_of("Ba,aA", 2), "AB");
        assert_eq!(output_of("ij...,jk", 2), "...ik");
        assert_eq!(output_of("...", 1), "...");
    }

    #[test]
    fn rules() {
        assert!(error_of("ij,jk", 1).starts_with("fewer operands provided"));
        assert!(error_of("ij", 2).starts_with("more operands"));
        assert!(error_of("ij->k", 1).contains("'k' which never appeared"));
        assert!(error_of("ij->ii", 1).contains("'i' multiple times (column 6 "));
        assert!(error_of("ij,jk", 1).ends_with("1 operand but 2 terms"));
        assert_eq!(
            validate(parse("ij").unwrap(), 3)
                .unwrap_err()
                .surplus_operand,
            Some(1)
        );
        assert!(error_of("ij->...", 1).contains("no input has one"));
        assert!(error_of("ij", 0).contains("at least one operand"));
        assert_eq!(output_of("...ij->...", 1), "...");
    }
}
