//! The einsum equation language of `einsum-static`, written once for the
//! compile-time macros and the run-time API (`einsum_static::dynamic`), so
//! that the two cannot disagree on what an equation means or on how a
//! mistake is worded.
//!
//! Two stages: [`parse`](parse::parse) turns the text into terms of
//! subscripts, with the column of each character for errors, and
//! [`validate`](validate::validate) applies NumPy's rules for a call with a
//! given number of operands and resolves the implicit output. [`check`]
//! runs both and gives one error type with the message the macros print.
//!
//! ```
//! let checked = einsum_syntax::check("ij,jk", 2)?;
//! assert_eq!(checked.output.labels().collect::<String>(), "ik");
//! let err = einsum_syntax::check("ij,jk->iz", 2).unwrap_err();
//! assert_eq!(
//!     err.message,
//!     "einstein sum subscripts string included output subscript 'z' which never \
//!      appeared in an input (column 9 of the equation)"
//! );
//! assert_eq!(err.column, Some(9));
//! # Ok::<(), einsum_syntax::SyntaxError>(())
//! ```

#![deny(missing_docs)]

pub mod parse;
pub mod validate;

pub use parse::{Equation, ParseError, Subscript, Term};
pub use validate::{Checked, Invalid};

use std::fmt;

/// Why an equation cannot be used with a number of operands: the message
/// the macros report at compile time, NumPy's wording with the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The whole message, column included where there is one.
    pub message: String,
    /// The column (from 1) of the character it is about, when it is about
    /// one character of the equation.
    pub column: Option<usize>,
    /// An operand the equation has no term for (too many operands), the
    /// best place to point at.
    pub surplus_operand: Option<usize>,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

impl From<ParseError> for SyntaxError {
    fn from(err: ParseError) -> Self {
        SyntaxError {
            message: err.to_string(),
            column: Some(err.column),
            surplus_operand: None,
        }
    }
}

impl From<Invalid> for SyntaxError {
    fn from(invalid: Invalid) -> Self {
        SyntaxError {
            column: column_in(&invalid.message),
            message: invalid.message,
            surplus_operand: invalid.surplus_operand,
        }
    }
}

/// The column a rule's message names, "(column N of the equation)".
fn column_in(message: &str) -> Option<usize> {
    let start = message.find("(column ")? + "(column ".len();
    let digits: String = message[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|&c| c > 0)
}

/// Parses `equation` and checks it for a call with `operands` operands:
/// [`parse::parse`] then [`validate::validate`].
///
/// ```
/// let err = einsum_syntax::check("ij->i->j", 1).unwrap_err();
/// assert_eq!(err.column, Some(6));
/// assert!(err.message.starts_with("einstein sum subscripts string contains more than one '->'"));
/// assert!(einsum_syntax::check("ij,jk", 1).unwrap_err().message.starts_with("fewer operands"));
/// ```
pub fn check(equation: &str, operands: usize) -> Result<Checked, SyntaxError> {
    let parsed = parse::parse(equation)?;
    Ok(validate::validate(parsed, operands)?)
}

impl Checked {
    /// The distinct labels of the inputs, in the order they first appear:
    /// the numbering the macros give them (label `n` is `labels()[n]`).
    ///
    /// ```
    /// let checked = einsum_syntax::check("jk,ij->ik", 2)?;
    /// assert_eq!(checked.labels(), ['j', 'k', 'i']);
    /// # Ok::<(), einsum_syntax::SyntaxError>(())
    /// ```
    pub fn labels(&self) -> Vec<char> {
        let mut labels: Vec<char> = Vec::new();
        for label in self.inputs.iter().flat_map(Term::labels) {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_of_rule_errors() {
        assert_eq!(check("ij->ii", 1).unwrap_err().column, Some(6));
        assert_eq!(check("ij,jk", 1).unwrap_err().column, None);
        assert_eq!(check("ij", 3).unwrap_err().surplus_operand, Some(1));
        assert_eq!(check("i%", 1).unwrap_err().column, Some(2));
    }
}
