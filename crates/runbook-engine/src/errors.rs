//! Errors of the engine.
//!
//! Two levels, because they end differently. A [`StepError`] ends one step: the runner turns it
//! into a `failed` (or `blocked`) step record with the error's position and SQLSTATE, and the run
//! goes on to its verdict. An [`EngineError`] ends the run itself before a verdict can be
//! recorded (`--from` or `--confirm` names nothing in the runbook, the evidence cannot be
//! written): the CLI reports it and picks the exit code from [`EngineError::kind`]. A protected
//! target without consent is not one: that run is recorded as blocked, and
//! [`RunReport::refused`](crate::RunReport::refused) says why.

use std::path::PathBuf;

use runbook_docker::DockerError;
use runbook_evidence::{ErrorRecord, EvidenceError};
use runbook_postgres::{ConnectError, EphemeralError, QueryError, SpecError};

/// Why a step did not pass.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The step could not start: a precondition outside this tool is missing (BLOCKED).
    #[error("{0}")]
    Blocked(String),
    /// The step ran and failed; the record carries position, SQLSTATE and server details.
    #[error("{}", .0.message)]
    Failed(Box<ErrorRecord>),
    #[error("target '{target}': {source}")]
    Connect {
        target: String,
        #[source]
        source: ConnectError,
    },
    #[error("invalid connection settings for target '{target}': {source}")]
    ConnectionSpec {
        target: String,
        #[source]
        source: SpecError,
    },
    #[error("cannot start the ephemeral cluster for target '{target}': {source}")]
    Ephemeral {
        target: String,
        #[source]
        source: EphemeralError,
    },
    #[error("{0}")]
    Query(#[from] QueryError),
    #[error("{0}")]
    Docker(#[from] DockerError),
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write evidence: {0}")]
    Evidence(#[from] EvidenceError),
    /// Check mode: the step cannot be inspected yet because an earlier step or the run itself
    /// creates what it needs (a container started by `container_start`, an ephemeral cluster).
    #[error("{0}")]
    Deferred(String),
    #[error("timed out after {0}")]
    TimedOut(String),
    #[error("cancelled by Ctrl-C or SIGTERM before the step finished")]
    Interrupted,
}

impl StepError {
    pub(crate) fn failed(message: impl Into<String>) -> StepError {
        StepError::Failed(Box::new(ErrorRecord::new(message)))
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StepError {
        StepError::Io {
            path: path.into(),
            source,
        }
    }

    /// The structured form kept in `result.json`: the server's fields when there are some.
    pub(crate) fn to_record(&self) -> ErrorRecord {
        match self {
            StepError::Failed(record) => (**record).clone(),
            StepError::Query(error) => {
                let mut record = ErrorRecord::new(error.to_string());
                if let Some(server) = error.server() {
                    record.sqlstate = Some(server.code.clone());
                    record.detail = server.detail.clone();
                    record.hint = server.hint.clone();
                    record.context = server.context.clone();
                }
                record
            }
            other => ErrorRecord::new(other.to_string()),
        }
    }
}

/// What kind of failure ended the run before a verdict; the CLI maps it to an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineErrorKind {
    /// The runbook or the command line is wrong (exit 2).
    InvalidInput,
    /// The evidence directory named does not verify (exit 5, as `verify`, `report`, `approve`
    /// and `undo` say it).
    NotIntact,
    /// Something outside the tool failed (exit 1).
    Failed,
}

/// The run could not reach a verdict.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("--from {step}: the runbook has no step with that id (steps: {known})")]
    UnknownFromStep { step: String, known: String },
    #[error("--confirm {target}: the runbook has no target with that name (targets: {known})")]
    UnknownConfirmTarget { target: String, known: String },
    #[error("cannot write evidence: {0}")]
    Evidence(#[from] EvidenceError),
    /// `--resume`: the runbook is not the one the run recorded, so "the rest of the run" would
    /// be the rest of another procedure.
    #[error(
        "--resume {}: the runbook changed since that run began (sha256 {recorded} then, {now} now): expected the same runbook, or --allow-changed to record the change and go on",
        dir.display()
    )]
    ResumeRunbookChanged {
        dir: PathBuf,
        recorded: String,
        now: String,
    },
    #[error(
        "--resume {}: the run's undo steps ran, so what it did was rolled back: expected a run that was not undone (start a new run)",
        dir.display()
    )]
    ResumeUndone { dir: PathBuf },
}

impl EngineError {
    pub fn kind(&self) -> EngineErrorKind {
        match self {
            EngineError::UnknownFromStep { .. } | EngineError::UnknownConfirmTarget { .. } => {
                EngineErrorKind::InvalidInput
            }
            EngineError::ResumeRunbookChanged { .. } | EngineError::ResumeUndone { .. } => {
                EngineErrorKind::InvalidInput
            }
            EngineError::Evidence(EvidenceError::ResumeNotIntact { .. }) => {
                EngineErrorKind::NotIntact
            }
            // `--resume DIR` of a run there is nothing to resume in, or that someone signed,
            // or that another process writes: the command line asked for the wrong thing.
            EngineError::Evidence(
                EvidenceError::ResumeNothingToDo { .. }
                | EvidenceError::ResumeApproved { .. }
                | EvidenceError::Busy { .. },
            ) => EngineErrorKind::InvalidInput,
            EngineError::Evidence(_) => EngineErrorKind::Failed,
        }
    }
}
