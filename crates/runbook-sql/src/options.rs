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
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            standard_conforming_strings: true,
            variables: BTreeMap::new(),
        }
    }
}
