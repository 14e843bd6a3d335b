//! Errors and warnings collected while loading, with positions; turned into [`SpecError`]s at the
//! end, in file order.

use std::path::Path;

use crate::errors::SpecError;
use crate::position::Position;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diag {
    pub pos: Position,
    pub message: String,
}

/// Names compared for "did you mean" suggestions per parse at most: each suggestion compares a
/// name with every candidate, and thousands of misspelled references against thousands of vars
/// took minutes. A runbook with 100 vars still gets 500 suggestions.
const MAX_COMPARED: usize = 50_000;

/// Errors kept per parse: a file with an error on each of a million lines would otherwise print
/// (and hold) a million messages. Nobody reads past the first screens.
const MAX_ERRORS: usize = 1_000;

#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    pub errors: Vec<Diag>,
    pub warnings: Vec<Diag>,
    compared: usize,
    /// Errors past [`MAX_ERRORS`].
    more_errors: usize,
    /// The furthest position of any error.
    last_error: Option<Position>,
}

impl Diagnostics {
    /// Whether a "did you mean" among `candidates` names may still be computed.
    pub fn may_suggest(&mut self, candidates: usize) -> bool {
        self.compared = self.compared.saturating_add(candidates);
        self.compared <= MAX_COMPARED
    }

    /// Keeps the first [`MAX_ERRORS`]; the rest are counted ([`Diagnostics::to_spec_errors`]
    /// is given the count through a last error).
    pub fn error(&mut self, pos: Position, message: String) {
        let last = self.last_error.map_or(pos, |p| p.max(pos));
        self.last_error = Some(last);
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(Diag { pos, message });
            return;
        }
        self.more_errors += 1;
        if self.more_errors == 1 {
            self.errors.push(Diag {
                pos,
                message: String::new(),
            });
        }
        // Placed at the last error's position, so that it is listed last.
        if let Some(summary) = self.errors.last_mut() {
            summary.pos = last;
            summary.message = format!(
                "{} more errors not shown (the first {MAX_ERRORS} are above)",
                self.more_errors
            );
        }
    }

    pub fn warning(&mut self, pos: Position, message: String) {
        self.warnings.push(Diag { pos, message });
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Sorted by position (stable, so two problems at one place keep their order), duplicates
    /// dropped.
    pub fn to_spec_errors(diags: &[Diag], file: &Path) -> Vec<SpecError> {
        let mut sorted = diags.to_vec();
        sorted.sort_by_key(|d| d.pos);
        sorted.dedup();
        sorted
            .into_iter()
            .map(|d| SpecError {
                file: file.to_owned(),
                line: d.pos.line,
                column: d.pos.column,
                message: d.message,
            })
            .collect()
    }
}
