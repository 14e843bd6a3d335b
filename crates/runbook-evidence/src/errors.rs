//! The one error type of this crate.
//!
//! Messages are lowercase fragments that read well after "failed to write evidence: " and never
//! repeat their `#[source]`: callers print the chain (`{:#}` with anyhow), so the I/O reason
//! appears once, at the end.

use std::io;
use std::path::PathBuf;

use crate::status::{Mode, RunStatus};

/// Everything that can go wrong while writing, loading, verifying or rendering evidence.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The base directory or the timestamped run directory could not be created.
    #[error("cannot create evidence directory {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Every suffix up to the limit was taken: something keeps creating directories there.
    #[error(
        "cannot find a free evidence directory name in {base}: {stamp} up to {stamp}-{tries} already exist"
    )]
    NoFreeName {
        base: PathBuf,
        stamp: String,
        tries: u32,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("no such directory: {path}")]
    NoSuchDir { path: PathBuf },
    #[error("no run.json in {dir}: not an evidence directory")]
    NotEvidence { dir: PathBuf },
    /// A record file exists but is not the JSON this crate writes.
    #[error("{path}:{line}:{column}: expected a {what}, found invalid content: {message}")]
    InvalidRecord {
        path: PathBuf,
        what: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: expected schema_version 1, found {found}")]
    UnsupportedSchema { path: PathBuf, found: u64 },
    #[error("no step {index} in this run: expected a step number from 1 to {count}")]
    UnknownStep { index: usize, count: usize },
    #[error("cannot start step {next}: step {index} ({id}) is still in progress")]
    StepInProgress {
        index: usize,
        id: String,
        next: usize,
    },
    #[error("step {index} ({id}) was already recorded")]
    StepAlreadyRecorded { index: usize, id: String },
    #[error(
        "cannot record attempt {attempt} of step '{id}' in phase {phase}: expected an attempt          not recorded yet, after the one before it (attempts count from 1)"
    )]
    BadAppend {
        id: String,
        phase: &'static str,
        attempt: u32,
    },
    #[error(
        "cannot attach {name:?}: expected a plain file name of letters, digits, '.', '_' and '-' \
         that does not start with '.' and is not output.log, output.log.partial or result.json"
    )]
    BadAttachmentName { name: String },
    #[error("cannot finish the run as {status}: expected one of {expected} in {mode} mode")]
    StatusNotForMode {
        status: RunStatus,
        mode: Mode,
        expected: &'static str,
    },
    #[error("cannot finish step {index} ({id}): it is not the step in progress")]
    StepNotInProgress { index: usize, id: String },
    #[error("cannot finish the run: step {index} ({id}) is still in progress")]
    FinishWithStepInProgress { index: usize, id: String },
    #[error("cannot change the evidence: the run was already finished")]
    RunFinished,
    #[error("unknown report format {found:?}: expected md, html, json or junit")]
    UnknownFormat { found: String },
    /// `approve` of a directory that does not verify: approving it would sign what no checksum
    /// covers.
    #[error("{dir} does not verify, so it cannot be approved: {}", problems.join("; "))]
    NotIntact { dir: PathBuf, problems: Vec<String> },
    #[error(
        "{dir} holds a run without a verdict (run.json says running): expected a finished run to approve"
    )]
    ApproveUnfinished { dir: PathBuf },
    /// A resumed run appends to the directory: it must verify first, or the new records would
    /// be signed together with damage nobody can explain.
    #[error("{dir} does not verify, so it cannot be resumed: {}", problems.join("; "))]
    ResumeNotIntact { dir: PathBuf, problems: Vec<String> },
    #[error(
        "{dir} holds a run that {status}: expected a failed, blocked, interrupted or killed run to resume"
    )]
    ResumeNothingToDo { dir: PathBuf, status: String },
    /// Sign-offs approve the state they saw; a resumed run would change it under them.
    #[error(
        "{dir} holds {count} approval(s) of the run as it ended: a resumed run would make them stale; expected an unapproved run (start a new run instead)"
    )]
    ResumeApproved { dir: PathBuf, count: usize },
    #[error("{dir} is being written by another process (a run or an approval): expected it idle")]
    Busy { dir: PathBuf },
    #[error("cannot add an approval: the directory already holds {max}, the most it numbers")]
    TooManyApprovals { max: u32 },
    #[error(
        "invalid {what}: expected {} of at most {max} characters, found {found}",
        if *multiline { "text without control characters other than line breaks and tabs" } else { "one line without control characters" }
    )]
    BadApprovalText {
        what: &'static str,
        found: String,
        max: usize,
        multiline: bool,
    },
    #[error("cannot serialize {what}")]
    Serialize {
        what: String,
        #[source]
        source: serde_json::Error,
    },
}

pub type Result<T, E = EvidenceError> = std::result::Result<T, E>;
