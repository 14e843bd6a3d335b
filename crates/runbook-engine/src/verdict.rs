//! The run's verdict, accumulated as steps finish: what stops a run, and the status and exit
//! code it ends with.
//!
//! | what failed                                   | `run` goes on? | status                 | exit |
//! | --------------------------------------------- | -------------- | ---------------------- | ---- |
//! | nothing                                       | yes            | `passed`               | 0    |
//! | a non-gate step with `continue_on_error`      | yes            | `passed_with_failures` | 0    |
//! | a gate with `continue_on_error`               | yes            | `gate_failed`          | 4    |
//! | a gate                                        | no             | `gate_failed`          | 4    |
//! | a step (its own error, or a gate's query fails to run) | no    | `failed`               | 1    |
//! | a step was blocked (missing file, consent)    | no             | `blocked`              | 3    |
//! | Ctrl-C / SIGTERM                              | no (finally runs) | `interrupted`       | 130  |
//! | a `finally` step (as any step above)          | other finally steps run | `failed`      | 1    |
//! | an `undo` step (run by `on_failure: undo`)     | no more undo steps; finally runs | the run's failure; `failed` if it was `gate_failed` | 1 |
//!
//! When several happen, the worst decides: interrupted, blocked, failed, gate_failed,
//! passed_with_failures. `continue_on_error` keeps the run going (so cleanup and later gates
//! still run); it never makes a failure disappear from the verdict.
//!
//! A `finally` step is recorded like any step: its failure makes a run whose main steps passed
//! `failed` (the cleanup did not happen, and what it should have removed is still there), or
//! `passed_with_failures` under `continue_on_error`. Only main steps stop the run
//! ([`Verdict::stopped`] is not asked during `finally`). A step with `retry:` is recorded once,
//! with its last attempt.

use runbook_evidence::{Mode, RunStatus, StepOutcome, StepStatus};

/// A step that failed or blocked, for the CLI's last lines.
#[derive(Debug, Clone)]
pub struct StepFailure {
    pub step: String,
    pub kind: String,
    pub status: StepStatus,
    pub message: String,
    /// The step had `continue_on_error: true`: the run went on after it.
    pub allowed: bool,
    /// A gate's checks failed (rather than the step itself erroring).
    pub gate: bool,
}

/// Accumulates the run's verdict as steps finish.
pub(crate) struct Verdict {
    mode: Mode,
    blocked: bool,
    failed: bool,
    gate_failed: bool,
    allowed_failures: bool,
    /// A failure without `continue_on_error`: the run stops.
    stop: bool,
    pub(crate) interrupted: bool,
    /// Every failed or blocked step, in order.
    pub(crate) failures: Vec<StepFailure>,
}

impl Verdict {
    pub(crate) fn new(mode: Mode) -> Verdict {
        Verdict {
            mode,
            blocked: false,
            failed: false,
            gate_failed: false,
            allowed_failures: false,
            stop: false,
            interrupted: false,
            failures: Vec::new(),
        }
    }

    pub(crate) fn record(&mut self, step: &runbook_spec::Step, outcome: &StepOutcome) {
        if !matches!(outcome.status, StepStatus::Failed | StepStatus::Blocked) {
            return;
        }
        let gate = outcome.status == StepStatus::Failed
            && outcome.gate.is_some()
            && outcome.error.is_none();
        let allowed = step.continue_on_error;
        self.failures.push(StepFailure {
            step: step.id.clone(),
            kind: step.kind.name().to_owned(),
            status: outcome.status,
            message: outcome.summary.clone(),
            allowed,
            gate,
        });
        if gate {
            // A failed gate decides the verdict even when the run was told to go on.
            self.gate_failed = true;
        } else if allowed {
            self.allowed_failures = true;
        } else if outcome.status == StepStatus::Blocked {
            self.blocked = true;
        } else {
            self.failed = true;
        }
        if !allowed {
            self.stop = true;
        }
    }

    /// `run` stops at the first failure or block not allowed by `continue_on_error`; `check`
    /// only on interruption.
    pub(crate) fn stopped(&self) -> bool {
        self.interrupted || (self.mode == Mode::Run && self.stop)
    }

    /// Main stopped on a failure or a block (not an interruption): what `on_failure: undo`
    /// answers. Asked when main has ended, before any undo or finally step is recorded.
    pub(crate) fn main_failed(&self) -> bool {
        self.mode == Mode::Run && self.stop && !self.interrupted
    }

    /// The first failure that decided the run: the first not allowed, else the first gate,
    /// else the first allowed one.
    pub(crate) fn deciding_failure(&self) -> Option<&StepFailure> {
        self.failures
            .iter()
            .find(|f| !f.allowed)
            .or_else(|| self.failures.iter().find(|f| f.gate))
            .or_else(|| self.failures.first())
    }

    pub(crate) fn status(&self) -> RunStatus {
        match self.mode {
            _ if self.interrupted => RunStatus::Interrupted,
            _ if self.blocked => RunStatus::Blocked,
            Mode::Run if self.failed => RunStatus::Failed,
            Mode::Run if self.gate_failed => RunStatus::GateFailed,
            Mode::Run if self.allowed_failures => RunStatus::PassedWithFailures,
            Mode::Run => RunStatus::Passed,
            Mode::Check if self.failed || self.gate_failed => RunStatus::WouldFail,
            // A step that would fail but is allowed to: the run would still pass, so the
            // check is ready; the failure stays listed in the evidence and the final lines.
            Mode::Check => RunStatus::Ready,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(yaml_extra: &str) -> runbook_spec::Step {
        let source = format!(
            "version: 1\nname: t\nsteps:\n  - id: s\n    kind: shell\n    command: [true]\n{yaml_extra}"
        );
        let options = runbook_spec::ParseOptions::default();
        runbook_spec::parse(&source, std::path::Path::new("t.yaml"), &options)
            .unwrap()
            .steps
            .remove(0)
    }

    fn failed() -> StepOutcome {
        StepOutcome::new(StepStatus::Failed, "exit code 1")
    }

    fn failed_gate() -> StepOutcome {
        let mut outcome = StepOutcome::new(StepStatus::Failed, "1 of 1 checks failed: x");
        outcome.gate = Some(Vec::new());
        outcome
    }

    #[test]
    fn an_allowed_failure_is_passed_with_failures_and_does_not_stop() {
        let mut verdict = Verdict::new(Mode::Run);
        verdict.record(&step("    continue_on_error: true\n"), &failed());
        assert!(!verdict.stopped());
        assert_eq!(verdict.status(), RunStatus::PassedWithFailures);
        assert!(verdict.deciding_failure().unwrap().allowed);
    }

    #[test]
    fn an_allowed_gate_failure_is_still_gate_failed_but_the_run_goes_on() {
        let mut verdict = Verdict::new(Mode::Run);
        verdict.record(&step("    continue_on_error: true\n"), &failed_gate());
        assert!(!verdict.stopped());
        assert_eq!(verdict.status(), RunStatus::GateFailed);
    }

    #[test]
    fn the_worst_failure_decides() {
        let mut verdict = Verdict::new(Mode::Run);
        verdict.record(&step("    continue_on_error: true\n"), &failed());
        verdict.record(&step("    continue_on_error: true\n"), &failed_gate());
        verdict.record(&step(""), &failed());
        assert!(verdict.stopped());
        assert_eq!(verdict.status(), RunStatus::Failed);
        assert_eq!(verdict.failures.len(), 3);
        assert!(!verdict.deciding_failure().unwrap().allowed);
    }

    #[test]
    fn check_mode_counts_a_gate_failure_even_when_allowed() {
        let mut verdict = Verdict::new(Mode::Check);
        verdict.record(&step("    continue_on_error: true\n"), &failed());
        assert_eq!(verdict.status(), RunStatus::Ready);
        verdict.record(&step("    continue_on_error: true\n"), &failed_gate());
        assert_eq!(verdict.status(), RunStatus::WouldFail);
    }
}
