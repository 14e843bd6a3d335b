//! Why a script could not be read, and where.
//!
//! Messages are lowercase fragments that read well after "failed to load FILE: LINE:COL: ";
//! the position is kept apart (`ScanError::position`) so callers can format it with the file
//! name.

use std::fmt;

use crate::position::Position;

/// An error at a place in the script.
#[derive(Debug, thiserror::Error)]
#[error("{position}: {kind}")]
pub struct ScanError {
    #[source]
    pub kind: ScanErrorKind,
    pub position: Position,
}

impl ScanError {
    pub(crate) fn new(kind: ScanErrorKind, position: Position) -> Self {
        ScanError { kind, position }
    }

    /// `true` when reading cannot go on (I/O failure, invalid UTF-8, a NUL byte, a statement
    /// over the size limit) or the input ended where a complete script cannot (inside a quote,
    /// a COPY block, a statement or a `\restrict` block: a truncated file, which must stop a
    /// load even with `on_error: continue`). Other errors concern one meta-command:
    /// `next_item()` may be called again and reading resumes after the offending line, as psql
    /// does.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.kind,
            ScanErrorKind::Io(_)
                | ScanErrorKind::InvalidUtf8 { .. }
                | ScanErrorKind::NulByte
                | ScanErrorKind::NulInVariable { .. }
                | ScanErrorKind::StatementTooLong { .. }
                | ScanErrorKind::CopyLineTooLong { .. }
                | ScanErrorKind::CopyTruncated { .. }
                | ScanErrorKind::StatementCutOff
                | ScanErrorKind::UnterminatedAtEof { .. }
                | ScanErrorKind::RestrictedAtEof { .. }
        )
    }
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanErrorKind {
    #[error("cannot read the script: {0}")]
    Io(#[source] std::io::Error),

    #[error("invalid UTF-8 at byte offset {offset} (the script must be UTF-8 encoded)")]
    InvalidUtf8 { offset: u64 },

    /// A NUL byte: no SQL script contains one (the server rejects it in any text), so the file
    /// is something else (a disk image, a file of zeros, a binary dump) and reading stops at
    /// once instead of scanning gigabytes of it.
    #[error("NUL byte: this is not a SQL script")]
    NulByte,

    /// A psql variable's value holds a NUL byte, which no SQL text can carry; the position is
    /// the reference.
    #[error("psql variable {name} holds a NUL byte, which no SQL text can contain")]
    NulInVariable { name: String },

    /// A statement grew past the reader's limit without ending: memory stays bounded instead
    /// of collecting an endless statement. The error's position is where the statement starts.
    #[error(
        "statement longer than {limit} bytes (max_statement_bytes) starts here: a missing ';' or \
         an unclosed quote, or raise the step's max_statement_bytes"
    )]
    StatementTooLong { limit: u64 },

    /// A line of COPY data grew past the same limit.
    #[error("COPY data line longer than {limit} bytes (max_statement_bytes)")]
    CopyLineTooLong { limit: u64 },

    /// The input ended inside the data of `COPY ... FROM STDIN` (no `\.` line). psql would
    /// load the rows it got; a dump cut off in transfer would then restore silently
    /// incomplete, so the reader refuses it. The error's position is the end of the input.
    #[error(
        "COPY data for table {table} (line {}) ended at end of file without \\. : the file looks truncated",
        started.line
    )]
    CopyTruncated { table: String, started: Position },

    /// The input ended inside a statement that had started (no `;` after it), with
    /// [`ReaderOptions::final_statement_needs_semicolon`](crate::ReaderOptions). The error's
    /// position is where the statement starts.
    #[error(
        "the last statement ends at end of file without ';': the file looks truncated (psql \
         would run it as it is; end it with ';' if it is complete)"
    )]
    StatementCutOff,

    #[error("{construct} is never closed (the input ends inside it)")]
    UnterminatedAtEof {
        construct: Construct,
        started: Position,
    },

    #[error("unsupported psql meta-command \\{name}{}", unsupported_reason(name))]
    UnsupportedMetaCommand { name: String },

    #[error("psql meta-command \\{name} is not allowed after \\restrict (only \\unrestrict is)")]
    MetaCommandWhileRestricted { name: String },

    #[error("\\unrestrict {key} without a preceding \\restrict")]
    UnrestrictWithoutRestrict { key: String },

    #[error("\\unrestrict {found} does not match the active \\restrict {expected}")]
    UnrestrictKeyMismatch { expected: String, found: String },

    #[error("the input ended while \\restrict {key} (line {}) was in effect: the dump looks truncated (\\unrestrict {key} is missing)", started.line)]
    RestrictedAtEof { key: String, started: Position },

    #[error("\\{command} needs an argument")]
    MissingMetaArgument { command: String },

    #[error("unterminated quoted argument of \\{command}")]
    UnterminatedMetaArgument { command: String },

    #[error("backquoted argument of \\{command} is not supported (it would run a shell command)")]
    BacktickInMetaArgument { command: String },

    #[error("invalid psql variable name {name:?} in \\{command}")]
    InvalidVariableName { command: String, name: String },
}

/// A construct that can be left open at the end of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Construct {
    /// `'...'`
    String,
    /// `E'...'`, or `'...'` while `standard_conforming_strings` is off.
    EscapeString,
    /// `B'...'`
    BitString,
    /// `X'...'`
    HexString,
    /// `U&'...'`
    UnicodeString,
    /// `"..."`
    QuotedIdentifier,
    /// `U&"..."`
    UnicodeIdentifier,
    /// `$tag$...$tag$`; the tag includes its dollar signs.
    DollarQuote { tag: String },
    /// `/* ... */`
    BlockComment,
}

impl fmt::Display for Construct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Construct::String => f.write_str("quoted string '...'"),
            Construct::EscapeString => f.write_str("escape string E'...'"),
            Construct::BitString => f.write_str("bit string B'...'"),
            Construct::HexString => f.write_str("hex string X'...'"),
            Construct::UnicodeString => f.write_str("Unicode string U&'...'"),
            Construct::QuotedIdentifier => f.write_str("quoted identifier \"...\""),
            Construct::UnicodeIdentifier => f.write_str("Unicode identifier U&\"...\""),
            Construct::DollarQuote { tag } => write!(f, "dollar-quoted string {tag}...{tag}"),
            Construct::BlockComment => f.write_str("comment /* ... */"),
        }
    }
}

/// Why a meta-command psql knows is refused here, or that psql does not know it either.
fn unsupported_reason(name: &str) -> &'static str {
    match name {
        "!" => " (it would run a shell command)",
        "copy" => " (it reads or writes a client-side file; use COPY ... FROM STDIN in the script)",
        "i" | "include" | "ir" | "include_relative" => " (it includes another file)",
        "if" | "elif" | "else" | "endif" => " (conditional blocks are not supported)",
        "gexec" => " (it runs the query's results as SQL)",
        "o" | "out" | "w" | "write" => " (it writes a client-side file)",
        "g" | "gx" | "gset" | "gdesc" | "crosstabview" | "watch" | "bind" => {
            " (it sends the query buffer in a way the loader does not)"
        }
        _ if crate::meta::is_psql_command(name) => "",
        _ => " (psql does not know it either)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_meta_command_reads_as_specified() {
        let kind = ScanErrorKind::UnsupportedMetaCommand {
            name: "gset".into(),
        };
        assert_eq!(
            kind.to_string(),
            "unsupported psql meta-command \\gset (it sends the query buffer in a way the loader does not)"
        );
        let kind = ScanErrorKind::UnsupportedMetaCommand {
            name: "pset".into(),
        };
        assert_eq!(kind.to_string(), "unsupported psql meta-command \\pset");
        let kind = ScanErrorKind::UnsupportedMetaCommand { name: "tee".into() };
        assert_eq!(
            kind.to_string(),
            "unsupported psql meta-command \\tee (psql does not know it either)"
        );
    }

    #[test]
    fn only_io_and_encoding_errors_are_fatal() {
        let at = Position::START;
        assert!(ScanError::new(ScanErrorKind::InvalidUtf8 { offset: 3 }, at).is_fatal());
        assert!(
            !ScanError::new(
                ScanErrorKind::UnsupportedMetaCommand { name: "x".into() },
                at
            )
            .is_fatal()
        );
    }
}
