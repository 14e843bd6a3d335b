//! `run.json`: who ran which runbook where, how it ended, and one line per step.
//!
//! The record is written when the evidence directory is created (status `running`) and
//! rewritten after every step, so a killed run still says how far it got. Field names are
//! stable (`schema_version: 1`): reviewers' scripts and dashboards read them. Every string in it
//! has been through the [`Redactor`](crate::Redactor) before it reaches the disk.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::status::{Mode, RunStatus, StepStatus};

/// The version of `run.json` and `result.json` this crate writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The content of `run.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema_version: u32,
    pub runbook: RunbookInfo,
    pub mode: Mode,
    /// The user name (`$USER`, `$LOGNAME`, or the account of the uid): who to ask at 3 a.m.
    pub operator: String,
    pub host: String,
    pub tool: ToolInfo,
    pub started_at: DateTime<Utc>,
    /// Unset while the run is in progress (and forever for a run that was killed).
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    pub status: RunStatus,
    /// The step id given to `--from`: steps before it are `not_run` on purpose.
    pub from_step: Option<String>,
    /// `runbook undo`: the run this one undoes (its steps are that run's undo steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<UndoneRun>,
    /// The runbook's variables after interpolation (redacted).
    pub vars: BTreeMap<String, String>,
    pub targets: BTreeMap<String, TargetRecord>,
    /// How each protected target was allowed to be changed.
    pub confirmations: Vec<Confirmation>,
    /// Run-level warnings the reviewer must see (e.g. a secret too short to redact reliably).
    /// Written by this crate and exempt from redaction: a note about a secret of 1 character
    /// must not itself become `secret of **** character`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The directory (relative, `steps/NN-id`) of the step in progress, if any. `verify` uses it
    /// to tell the uncommitted files of a killed step from files added afterwards.
    pub current_step: Option<String>,
    /// Every step of the plan, in order; steps that never started stay `not_run`.
    pub steps: Vec<StepSummary>,
    /// Each later attempt of the run (`runbook run --resume DIR`), in order; absent for a run
    /// that was never resumed. The run's `status` is always the last attempt's verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumes: Vec<Resume>,
}

/// One resumption of a run in the same evidence directory: who continued it, from what, and
/// where its records start in `steps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    pub started_at: DateTime<Utc>,
    pub operator: String,
    pub host: String,
    /// How the previous attempt ended (`running` for a run that was killed).
    pub previous_status: RunStatus,
    /// The 1-based index in `steps` of this attempt's first record; records before it belong
    /// to earlier attempts.
    pub first_record: usize,
    /// `--from STEP` given to this attempt, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_step: Option<String>,
    /// The sha256 of the runbook this attempt ran, when it differs from `runbook.sha256`
    /// (`--allow-changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook_sha256: Option<String>,
    /// Why the runbook's change was accepted and what changed (e.g. a unified diff's file in
    /// the evidence), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What changed in the runbook (`--allow-changed`): a unified diff of the recorded
    /// `runbook.yaml` against the runbook this attempt ran, both redacted, capped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook_diff: Option<String>,
}

/// Which runbook ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookInfo {
    pub name: String,
    /// The path as the operator gave it.
    pub path: String,
    /// The sha256 of the runbook file as read, so a reviewer can match it against a repository.
    pub sha256: String,
    pub description: Option<String>,
    /// True when redaction changed the copy in `runbook.yaml`, whose digest then differs from
    /// `sha256`.
    pub redacted: bool,
}

/// The tool that wrote the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// What a target pointed at, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TargetRecord {
    /// The connection URL with the password replaced by `****`.
    pub postgres: Option<String>,
    /// True for a throwaway local cluster.
    pub ephemeral: bool,
    pub container: Option<String>,
    pub protected: bool,
    /// Which server the target reached, read on the run's first connection to it (before the
    /// first step for a reachable target; after the step that starts its container otherwise),
    /// so a reviewer sees which server was touched. Absent when the run never reached it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ServerIdentity>,
}

/// What a server said it is on the first connection of the run. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerIdentity {
    /// `pg_control_system().system_identifier`: fixed at initdb, unique per cluster, kept by
    /// physical replicas and restores of a base backup.
    pub system_identifier: String,
    /// `server_version` as the server reports it (e.g. `16.4`).
    pub server_version: String,
    /// `current_database()`.
    pub database: String,
    /// `inet_server_addr():inet_server_port()`, or `unix socket` when the session came over one.
    pub server_address: String,
    /// `pg_is_in_recovery()`: true on a standby or a server still replaying WAL.
    pub in_recovery: bool,
    pub recorded_at: DateTime<Utc>,
}

/// Consent to change a protected target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub target: String,
    pub how: ConfirmationMethod,
}

/// How consent was given: `--confirm TARGET`, typed on a terminal, or `--yes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationMethod {
    Flag,
    Tty,
    Yes,
}

impl ConfirmationMethod {
    pub fn describe(self) -> &'static str {
        match self {
            ConfirmationMethod::Flag => "--confirm on the command line",
            ConfirmationMethod::Tty => "typed on the terminal",
            ConfirmationMethod::Yes => "--yes",
        }
    }
}

/// Which part of the run a step record belongs to. A run is a journal of records keyed by
/// (phase, step id, attempt): `main` runs the runbook's `steps`, `undo` the undo steps of the
/// main steps that passed (`on_failure: undo`, `runbook undo`), `finally` the `finally:` steps, which
/// run however `main` ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Main,
    Undo,
    Finally,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Main => "main",
            Phase::Undo => "undo",
            Phase::Finally => "finally",
        }
    }

    pub(crate) fn is_main(&self) -> bool {
        *self == Phase::Main
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) fn first_attempt() -> u32 {
    1
}

pub(crate) fn is_first_attempt(attempt: &u32) -> bool {
    *attempt == 1
}

/// One record of the run's journal in `run.json`; the full record is in its `result.json`.
///
/// `run.json`'s `steps` starts with the plan (every `main` step, then every `finally` step,
/// each as its first attempt, `not_run` until it starts) and goes on with the records appended
/// while the run goes (later attempts; undo steps), in the order they were appended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepSummary {
    /// 1-based position in `run.json`'s `steps` (for a `main` step's first attempt, its
    /// position in the runbook).
    pub index: usize,
    pub id: String,
    pub kind: String,
    /// Absent for `main`.
    #[serde(default, skip_serializing_if = "Phase::is_main")]
    pub phase: Phase,
    /// 1 for the first run of the step (absent), 2 for its first retry, ...
    #[serde(default = "first_attempt", skip_serializing_if = "is_first_attempt")]
    pub attempt: u32,
    /// The runbook's `description:` of the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A failure of this step was allowed (`continue_on_error: true`): it did not stop the
    /// run, and the run's status says it happened (`passed_with_failures`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continue_on_error: bool,
    pub status: StepStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    /// One line; empty for steps that never started.
    pub summary: String,
    /// The step's directory relative to the evidence directory (`steps/NN-id`), once it exists.
    pub dir: Option<String>,
}

/// The finished run a `runbook undo` run rolled back: its evidence directory as given and the
/// sha256 of its `SHA256SUMS` when it was verified, so a reviewer can tell which evidence (and
/// so which journal of passed steps) the undo acted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoneRun {
    pub dir: String,
    pub sums_sha256: String,
}
