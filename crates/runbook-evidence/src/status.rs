//! Modes and statuses, spelled exactly as the user-facing contract (`runbook-v1`, "Statuses").
//!
//! They are serialized in snake_case into `run.json` and `result.json`; scripts and dashboards
//! match on those strings, so a variant is never renamed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether the run changed things (`run`) or only looked (`check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Run,
    Check,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Run => "run",
            Mode::Check => "check",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of one step.
///
/// In `check` mode `passed` means "ready" and `failed` means "would fail": the contract names
/// no separate per-step check statuses, and one vocabulary keeps reports comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    Blocked,
    Skipped,
    /// Never started: after a failure, before `--from`, or after an interruption.
    NotRun,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
            StepStatus::Blocked => "blocked",
            StepStatus::Skipped => "skipped",
            StepStatus::NotRun => "not_run",
        }
    }
}

impl fmt::Display for StepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict of a whole run.
///
/// `running` is what `run.json` says until the run is finished; a directory that still says
/// `running` belongs to a run that was killed (or is still going).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Passed,
    /// Every step ran or was allowed to fail: only steps with `continue_on_error: true` (none of
    /// them a gate) failed. Exit code 0, but the failures are listed first, never hidden.
    PassedWithFailures,
    Failed,
    Blocked,
    GateFailed,
    Interrupted,
    /// `check` mode: every step is ready.
    Ready,
    /// `check` mode: at least one step would fail.
    WouldFail,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Passed => "passed",
            RunStatus::PassedWithFailures => "passed_with_failures",
            RunStatus::Failed => "failed",
            RunStatus::Blocked => "blocked",
            RunStatus::GateFailed => "gate_failed",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Ready => "ready",
            RunStatus::WouldFail => "would_fail",
        }
    }

    /// Whether a run can end with this status in `mode`; `running` is never a final status.
    pub fn is_final_for(self, mode: Mode) -> bool {
        match mode {
            Mode::Run => matches!(
                self,
                RunStatus::Passed
                    | RunStatus::PassedWithFailures
                    | RunStatus::Failed
                    | RunStatus::Blocked
                    | RunStatus::GateFailed
                    | RunStatus::Interrupted
            ),
            Mode::Check => matches!(
                self,
                RunStatus::Ready
                    | RunStatus::WouldFail
                    | RunStatus::Blocked
                    | RunStatus::Interrupted
            ),
        }
    }

    /// The final statuses of `mode`, for error messages.
    pub fn finals_of(mode: Mode) -> &'static str {
        match mode {
            Mode::Run => "passed, passed_with_failures, failed, blocked, gate_failed, interrupted",
            Mode::Check => "ready, would_fail, blocked, interrupted",
        }
    }

    /// Whether the run's verdict is a pass a reviewer can sign without reading further (exit
    /// code 0 and nothing failed): `passed_with_failures` is not.
    pub fn is_clean_pass(self) -> bool {
        matches!(self, RunStatus::Passed | RunStatus::Ready)
    }

    /// Whether the run reached a verdict (anything but `running`).
    pub fn is_finished(self) -> bool {
        self != RunStatus::Running
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialize_as_the_contract_spells_them() {
        let steps = [
            StepStatus::Passed,
            StepStatus::Failed,
            StepStatus::Blocked,
            StepStatus::Skipped,
            StepStatus::NotRun,
        ];
        let json = serde_json::to_string(&steps).unwrap();
        assert_eq!(json, r#"["passed","failed","blocked","skipped","not_run"]"#);
        let runs = [
            RunStatus::Running,
            RunStatus::Passed,
            RunStatus::PassedWithFailures,
            RunStatus::Failed,
            RunStatus::Blocked,
            RunStatus::GateFailed,
            RunStatus::Interrupted,
            RunStatus::Ready,
            RunStatus::WouldFail,
        ];
        let json = serde_json::to_string(&runs).unwrap();
        assert_eq!(
            json,
            r#"["running","passed","passed_with_failures","failed","blocked","gate_failed","interrupted","ready","would_fail"]"#
        );
        for status in runs {
            assert_eq!(json.matches(&format!("\"{status}\"")).count(), 1);
        }
    }

    #[test]
    fn check_statuses_are_not_final_in_run_mode() {
        assert!(!RunStatus::Ready.is_final_for(Mode::Run));
        assert!(!RunStatus::GateFailed.is_final_for(Mode::Check));
        assert!(!RunStatus::Running.is_final_for(Mode::Run));
        assert!(RunStatus::WouldFail.is_final_for(Mode::Check));
        assert!(RunStatus::GateFailed.is_final_for(Mode::Run));
    }
}
