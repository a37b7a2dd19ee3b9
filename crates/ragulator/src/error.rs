//! Typed errors: what went wrong, where, and what would be valid.

use std::fmt;

/// One problem found in a scorecard: where it is and what would be valid.
///
/// `path` uses the document's own names (`indicator[3].rag`, 0-based
/// indexes); `line` and `column` are 1-based and present when the problem can
/// be located in the source text.
///
/// ```
/// let d = ragulator::Diagnostic::at("indicator[0].decimals", "decimals is -1; it must be 0 or more");
/// assert_eq!(d.to_string(), "indicator[0].decimals: decimals is -1; it must be 0 or more");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Field path, e.g. `indicator[3].rag`; empty for the whole document.
    pub path: String,
    /// 1-based line in the source, when known.
    pub line: Option<usize>,
    /// 1-based column in the source, when known.
    pub column: Option<usize>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at a path, without a source position.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "line {l}, column {c}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A scorecard could not be loaded: every problem found, at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The problems, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

/// The first problem and how many more (`{:#}`, the alternate form: every
/// problem, a line each, for a log).
///
/// ```
/// let err = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid = 'x'\n").unwrap_err();
/// assert!(err.to_string().ends_with("(and 2 more problems)"), "{err}");
/// assert_eq!(format!("{err:#}").lines().count(), 4);
/// ```
impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            let n = self.diagnostics.len();
            write!(f, "invalid scorecard ({n} problem{}):", plural(n))?;
            for d in &self.diagnostics {
                write!(f, "\n  {d}")?;
            }
            return Ok(());
        }
        match self.diagnostics.as_slice() {
            [] => f.write_str("invalid scorecard"),
            [one] => write!(f, "invalid scorecard: {one}"),
            [first, rest @ ..] => write!(
                f,
                "invalid scorecard: {first} (and {} more problem{})",
                rest.len(),
                plural(rest.len())
            ),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl std::error::Error for LoadError {}

impl From<Diagnostic> for LoadError {
    fn from(d: Diagnostic) -> Self {
        LoadError {
            diagnostics: vec![d],
        }
    }
}

/// Input data (observations or overrides) that fails the whole call: a
/// missing column, a bad override, a document that is not CSV/JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DataError {
    /// What is wrong and what would be valid.
    pub message: String,
    /// 1-based data row, when the problem is in one row.
    pub row: Option<usize>,
    /// The column or field concerned.
    pub column: Option<String>,
}

impl DataError {
    /// An error for the whole input.
    pub fn new(message: impl Into<String>) -> DataError {
        DataError {
            message: message.into(),
            row: None,
            column: None,
        }
    }
    /// An error in one row (and optionally one column).
    pub fn in_row(row: usize, column: Option<&str>, message: impl Into<String>) -> DataError {
        DataError {
            message: message.into(),
            row: Some(row),
            column: column.map(str::to_string),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "row {r}, column {c}: {}", self.message),
            (Some(r), None) => write!(f, "row {r}: {}", self.message),
            (None, Some(c)) => write!(f, "column {c}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DataError {}

/// Any error ragulator reports: a bad scorecard or bad data. Non-exhaustive:
/// match the variants you handle and keep a `_` arm, so that a later kind
/// of error is not a breaking change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scorecard is invalid.
    #[error(transparent)]
    Scorecard(#[from] LoadError),
    /// The data or overrides are invalid as a whole.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A text parsed as a period ([`crate::Period::parse`], `str::parse`)
    /// is not one. (A bad `period` option to [`crate::Scorecard::evaluate`]
    /// is [`Error::Data`], as the evaluation's other input is.)
    #[error(transparent)]
    Period(#[from] crate::period::PeriodError),
}
