//! What a load did, for the evidence and for `on_error: continue`.

use std::time::Duration;

use crate::errors::ScriptError;

/// At most this many errors are kept in a summary; more are only counted.
pub(crate) const MAX_KEPT_ERRORS: usize = 1000;

/// The totals of one script load.
#[derive(Debug, Default)]
pub struct LoadSummary {
    /// Statements sent to the server (failed ones included).
    pub statements: u64,
    /// Rows COPY FROM STDIN loaded.
    pub rows_copied: u64,
    /// Bytes COPY TO STDOUT produced.
    pub copy_out_bytes: u64,
    /// Bytes of the script read.
    pub bytes_read: u64,
    pub duration: Duration,
    /// Every error with `on_error: continue` (the first 1000; `error_count` counts them all).
    pub errors: Vec<ScriptError>,
    /// How many errors there were, kept or not.
    pub error_count: u64,
}

impl LoadSummary {
    pub(crate) fn record_error(&mut self, error: ScriptError) {
        self.error_count += 1;
        if self.errors.len() < MAX_KEPT_ERRORS {
            self.errors.push(error);
        }
    }
}
