//! Where something is in the runbook file, for error messages and for mapping SQL errors back to
//! runbook lines.

use std::fmt;

/// A 1-based line and column (counted in characters) in the runbook file.
///
/// A line ends at `\n`; a `\r` before it belongs to no column, so CRLF files report the same
/// columns as LF files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}
