//! Stage 1: the equation string into terms of subscripts.
//!
//! Follows NumPy's grammar: terms separated by `,`, an optional `->` and an
//! output term, labels `a-zA-Z`, at most one `...` per term, spaces ignored.
//! Errors carry the 1-based column of the offending character, since stable
//! Rust cannot point inside a string literal.

use std::fmt;

/// One subscript of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscript {
    /// A label, one of `a-z` and `A-Z`.
    Label(char),
    /// `...`: the broadcast dimensions.
    Ellipsis,
}

/// The subscripts of one operand, or of the output, with the column (from
/// 1) where each one starts in the equation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Term {
    /// The subscripts, in order.
    pub subscripts: Vec<Subscript>,
    /// The column of each subscript (0 for an implicit output's).
    pub columns: Vec<usize>,
}

/// A parsed equation; `output` is `None` when it has no `->`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equation {
    /// One term per operand.
    pub inputs: Vec<Term>,
    /// The term after `->`, if any.
    pub output: Option<Term>,
}

/// A syntax error and the column (from 1) of the character it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The column (from 1) of the offending character.
    pub column: usize,
    /// NumPy's wording of the mistake.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (column {} of the equation)",
            self.message, self.column
        )
    }
}

impl Term {
    /// Whether the term has `...`.
    pub fn has_ellipsis(&self) -> bool {
        self.subscripts.contains(&Subscript::Ellipsis)
    }

    /// The column of the `n`-th occurrence (from 0) of `sub` in this term.
    pub fn column_of(&self, sub: Subscript, n: usize) -> Option<usize> {
        let mut hits = self
            .subscripts
            .iter()
            .zip(&self.columns)
            .filter(|(s, _)| **s == sub);
        hits.nth(n).map(|(_, &c)| c)
    }

    /// The labels of the term, in order, without the ellipsis.
    pub fn labels(&self) -> impl Iterator<Item = char> + '_ {
        self.subscripts.iter().filter_map(|s| match s {
            Subscript::Label(c) => Some(*c),
            Subscript::Ellipsis => None,
        })
    }
}

/// Splits `equation` into terms; see the module docs for the grammar.
///
/// ```
/// let eq = einsum_syntax::parse::parse("ij,jk->ik")?;
/// assert_eq!(eq.inputs.len(), 2);
/// assert_eq!(eq.inputs[1].columns, [4, 5]);
/// # Ok::<(), einsum_syntax::ParseError>(())
/// ```
pub fn parse(equation: &str) -> Result<Equation, ParseError> {
    let chars: Vec<(usize, char)> = equation
        .chars()
        .enumerate()
        .map(|(i, c)| (i + 1, c))
        .collect();
    let arrows: Vec<usize> = chars
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0].1 == '-' && w[1].1 == '>')
        .map(|(k, _)| k)
        .collect();
    if let Some(&second) = arrows.get(1) {
        return Err(ParseError {
            column: chars[second].0,
            message: "einstein sum subscripts string contains more than one '->'".into(),
        });
    }
    let (input_chars, output_chars) = match arrows.first() {
        Some(&k) => (&chars[..k], Some(&chars[k + 2..])),
        None => (&chars[..], None),
    };
    let mut inputs = Vec::new();
    for (operand, term_chars) in input_chars.split(|&(_, c)| c == ',').enumerate() {
        inputs.push(parse_term(term_chars, TermKind::Input(operand))?);
    }
    let output = output_chars
        .map(|chars| parse_term(chars, TermKind::Output))
        .transpose()?;
    Ok(Equation { inputs, output })
}

#[derive(Clone, Copy)]
enum TermKind {
    Input(usize),
    Output,
}

impl fmt::Display for TermKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TermKind::Input(k) => write!(f, "operand {k}"),
            TermKind::Output => write!(f, "the output"),
        }
    }
}

fn parse_term(chars: &[(usize, char)], kind: TermKind) -> Result<Term, ParseError> {
    let mut subscripts = Vec::new();
    let mut columns = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (column, c) = chars[k];
        let error = |message: String| Err(ParseError { column, message });
        match c {
            ' ' => {}
            'a'..='z' | 'A'..='Z' => {
                subscripts.push(Subscript::Label(c));
                columns.push(column);
            }
            '.' => {
                let is_ellipsis = chars.get(k + 1).map(|p| p.1) == Some('.')
                    && chars.get(k + 2).map(|p| p.1) == Some('.');
                if !is_ellipsis {
                    return error(format!(
                        "einstein sum subscripts string contains a '.' that is not part of \
                         an ellipsis ('...') in {kind}"
                    ));
                }
                if subscripts.contains(&Subscript::Ellipsis) {
                    return error(format!(
                        "einstein sum subscripts string contains more than one ellipsis \
                         ('...') in {kind}"
                    ));
                }
                subscripts.push(Subscript::Ellipsis);
                columns.push(column);
                k += 2;
            }
            ',' => {
                return error(
                    "the output of an einstein sum is a single term: ',' cannot follow '->'".into(),
                )
            }
            '-' | '>' => {
                return error(format!(
                    "einstein sum subscript string does not contain proper '->' output \
                     specified: '{c}' stands alone"
                ))
            }
            _ => {
                return error(format!(
                    "invalid subscript '{}' in einstein sum subscripts string, subscripts must \
                     be the letters a-z and A-Z",
                    c.escape_debug()
                ))
            }
        }
        k += 1;
    }
    Ok(Term {
        subscripts,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Subscript::{Ellipsis, Label};

    fn term(s: &str) -> Term {
        let subscripts: Vec<Subscript> = s
            .chars()
            .map(|c| if c == '.' { Ellipsis } else { Label(c) })
            .collect();
        Term {
            columns: vec![0; subscripts.len()],
            subscripts,
        }
    }

    fn subscripts(t: Option<Term>) -> Option<Vec<Subscript>> {
        t.map(|t| t.subscripts)
    }

    fn error_column(eq: &str) -> usize {
        parse(eq).unwrap_err().column
    }

    #[test]
    fn explicit_and_implicit() {
        let eq = parse("ij,jk->ik").unwrap();
        assert_eq!(eq.inputs[1].subscripts, term("jk").subscripts);
        assert_eq!(eq.inputs[1].columns, vec![4, 5]);
        assert_eq!(subscripts(eq.output), subscripts(Some(term("ik"))));
        assert_eq!(parse("ij,jk").unwrap().output, None);
    }

    #[test]
    fn spaces_ellipsis_and_empty_terms() {
        let eq = parse(" ...ij , j... -> ...i ").unwrap();
        assert_eq!(eq.inputs[0].subscripts, term(".ij").subscripts);
        assert_eq!(eq.inputs[0].columns, vec![2, 5, 6]);
        assert_eq!(eq.inputs[1].subscripts, term("j.").subscripts);
        assert_eq!(subscripts(eq.output), subscripts(Some(term(".i"))));
        let eq = parse(",ij->ij").unwrap();
        assert_eq!(eq.inputs[0].subscripts, vec![]);
        assert_eq!(eq.inputs[1].subscripts, term("ij").subscripts);
        assert_eq!(subscripts(parse("i->").unwrap().output), Some(vec![]));
    }

    #[test]
    fn errors_point_at_the_character() {
        assert_eq!(error_column("i%"), 2);
        assert_eq!(error_column("ij->i->j"), 6);
        assert_eq!(error_column("ij-i"), 3);
        assert_eq!(error_column("i.j"), 2);
        assert_eq!(error_column("i...j..."), 6);
        assert_eq!(error_column("ij->i,j"), 6);
        assert_eq!(error_column("éj"), 1);
        assert!(parse("i%").unwrap_err().message.contains("'%'"));
    }
}
