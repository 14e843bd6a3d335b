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

#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    pub errors: Vec<Diag>,
    pub warnings: Vec<Diag>,
    compared: usize,
}

impl Diagnostics {
    /// Whether a "did you mean" among `candidates` names may still be computed.
    pub fn may_suggest(&mut self, candidates: usize) -> bool {
        self.compared = self.compared.saturating_add(candidates);
        self.compared <= MAX_COMPARED
    }

    pub fn error(&mut self, pos: Position, message: String) {
        self.errors.push(Diag { pos, message });
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
