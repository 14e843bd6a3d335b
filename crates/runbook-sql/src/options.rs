//! How a script is to be read: the settings psql would take from the server and the command line.

use std::collections::BTreeMap;

/// Settings that change how a script is split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderOptions {
    /// Whether a plain `'...'` literal treats backslashes literally. psql follows the server's
    /// setting; `true` is the server default since PostgreSQL 9.1. The reader also tracks
    /// `SET standard_conforming_strings` in the script, starting from this value.
    pub standard_conforming_strings: bool,
    /// psql variables defined before the script starts, like `psql -v NAME=VALUE`.
    pub variables: BTreeMap<String, String>,
    /// The longest statement (and the longest line) the reader collects before giving up with
    /// [`ScanErrorKind::StatementTooLong`](crate::ScanErrorKind::StatementTooLong): a file that
    /// is one endless statement (a missing `;`, an unclosed quote, a file that is not SQL)
    /// would otherwise be held in memory whole. Memory stays below about twice this.
    pub max_statement_bytes: u64,
    /// Refuse a last statement that the file ends without its `;`
    /// ([`ScanErrorKind::StatementCutOff`](crate::ScanErrorKind::StatementCutOff)). psql runs
    /// it as it is; for a dump cut off in transfer that can be `DELETE FROM t` instead of
    /// `DELETE FROM t WHERE id = 1`. Off by default (inline SQL often omits the last `;`); the
    /// engine turns it on for `sql_file` scripts.
    pub final_statement_needs_semicolon: bool,
}

/// The default [`ReaderOptions::max_statement_bytes`]: 256 MiB, far above any statement a dump
/// holds (COPY data does not count: it streams line by line) and far below what would exhaust
/// a restore host.
pub const DEFAULT_MAX_STATEMENT_BYTES: u64 = 256 * 1024 * 1024;

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            standard_conforming_strings: true,
            variables: BTreeMap::new(),
            max_statement_bytes: DEFAULT_MAX_STATEMENT_BYTES,
            final_statement_needs_semicolon: false,
        }
    }
}
