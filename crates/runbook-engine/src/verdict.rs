//! The run's verdict, accumulated as steps finish: what stops a run, and the status and exit
//! code it ends with.

use runbook_evidence::{Mode, RunStatus, StepOutcome, StepStatus};

/// The first step that decided the run, for the CLI's last lines.
#[derive(Debug, Clone)]
pub struct StepFailure {
    pub step: String,
    pub kind: String,
    pub status: StepStatus,
    pub message: String,
}

/// Accumulates the run's verdict as steps finish.
pub(crate) struct Verdict {
    mode: Mode,
    blocked: bool,
    failed: bool,
    gate_failed: bool,
    pub(crate) interrupted: bool,
    pub(crate) failure: Option<StepFailure>,
}

impl Verdict {
    pub(crate) fn new(mode: Mode) -> Verdict {
        Verdict {
            mode,
            blocked: false,
            failed: false,
            gate_failed: false,
            interrupted: false,
            failure: None,
        }
    }

    pub(crate) fn record(&mut self, step: &runbook_spec::Step, outcome: &StepOutcome) {
        let bad = matches!(outcome.status, StepStatus::Failed | StepStatus::Blocked);
        // A `continue_on_error` step's failure is recorded in its own result but does not
        // decide the run, in either mode.
        if !bad || step.continue_on_error {
            return;
        }
        match outcome.status {
            StepStatus::Blocked => self.blocked = true,
            _ if outcome.gate.is_some() && outcome.error.is_none() => self.gate_failed = true,
            _ => self.failed = true,
        }
        if self.failure.is_none() {
            self.failure = Some(StepFailure {
                step: step.id.clone(),
                kind: step.kind.name().to_owned(),
                status: outcome.status,
                message: outcome.summary.clone(),
            });
        }
    }

    /// `run` stops at the first failure or block; `check` only on interruption.
    pub(crate) fn stopped(&self) -> bool {
        self.interrupted
            || (self.mode == Mode::Run && (self.blocked || self.failed || self.gate_failed))
    }

    pub(crate) fn status(&self) -> RunStatus {
        match self.mode {
            _ if self.interrupted => RunStatus::Interrupted,
            _ if self.blocked => RunStatus::Blocked,
            Mode::Run if self.failed => RunStatus::Failed,
            Mode::Run if self.gate_failed => RunStatus::GateFailed,
            Mode::Run => RunStatus::Passed,
            Mode::Check if self.failed || self.gate_failed => RunStatus::WouldFail,
            Mode::Check => RunStatus::Ready,
        }
    }
}
