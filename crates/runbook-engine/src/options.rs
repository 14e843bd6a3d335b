//! How a run was asked for: mode, starting step, consent, and where evidence goes.

use std::path::PathBuf;

use runbook_evidence::Mode;

use crate::step::Destruction;

/// Asks the operator, on a terminal, to consent to destroying data on a protected target.
pub trait Confirmer: Send {
    /// Returns whether the operator typed the target's name.
    fn confirm(&mut self, target: &str, destructions: &[Destruction]) -> bool;
}

pub struct RunOptions {
    pub mode: Mode,
    /// `--from STEP`: steps before it are skipped (and recorded as such).
    pub from_step: Option<String>,
    /// `--confirm TARGET`: consent given on the command line.
    pub confirmed_targets: Vec<String>,
    /// Consent typed on a terminal; `None` when there is no terminal or with `--yes`.
    pub confirmer: Option<Box<dyn Confirmer>>,
    /// `--keep`: leave ephemeral clusters running after the run.
    pub keep_ephemeral: bool,
    /// `--terminate-stale`: backends of an earlier run that ended (killed, say) but whose
    /// statements still run on a target's database are cancelled, then terminated, instead of
    /// refusing the run. Never those of a run that still holds its lock.
    pub terminate_stale: bool,
    /// Overrides the runbook's `evidence.dir`.
    pub evidence_base: Option<PathBuf>,
    /// The runbook file as the operator named it, for the evidence.
    pub runbook_path: String,
    /// `runbook undo DIR`: run only the undo steps of these main steps (they passed in the
    /// run in DIR), last first, in a new run; no main and no finally step runs.
    pub undo_of: Option<UndoOf>,
}

/// The finished run `runbook undo` rolls back (read from its verified journal by the CLI).
#[derive(Debug, Clone)]
pub struct UndoOf {
    /// Its evidence directory, as given.
    pub dir: PathBuf,
    /// The sha256 of its `SHA256SUMS` when it was verified: which evidence was undone.
    pub sums_sha256: String,
    /// Ids of its main steps that passed.
    pub passed: Vec<String>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("mode", &self.mode)
            .field("from_step", &self.from_step)
            .field("confirmed_targets", &self.confirmed_targets)
            .field("interactive", &self.confirmer.is_some())
            .field("keep_ephemeral", &self.keep_ephemeral)
            .field("terminate_stale", &self.terminate_stale)
            .field("evidence_base", &self.evidence_base)
            .field("undo_of", &self.undo_of)
            .finish()
    }
}

impl RunOptions {
    pub fn new(mode: Mode, runbook_path: impl Into<String>) -> RunOptions {
        RunOptions {
            mode,
            from_step: None,
            confirmed_targets: Vec::new(),
            confirmer: None,
            keep_ephemeral: false,
            terminate_stale: false,
            evidence_base: None,
            runbook_path: runbook_path.into(),
            undo_of: None,
        }
    }
}
