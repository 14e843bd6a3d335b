//! Evidence directories: what a gate reviewer trusts after a restore.
//!
//! A run writes, as it goes, a timestamped directory holding the runbook as executed, one
//! directory per step (its log, its structured `result.json`, attached files), `run.json`,
//! `report.md`, and a `SHA256SUMS` that `cd DIR && sha256sum -c SHA256SUMS` accepts with nothing
//! but coreutils.
//!
//! Data flow: the engine creates an [`EvidenceDir`] from a [`NewRun`] and a [`Redactor`], and
//! for each step gets a [`StepWriter`] from [`EvidenceDir::begin_step`], logs and attaches
//! through it (every text redacted, streamed to disk), and seals it with
//! [`EvidenceDir::finish_step`] and a [`StepOutcome`]; [`EvidenceDir::finish_run`] records the
//! verdict and writes `report.md`. `SHA256SUMS` is rewritten at each of these points by a
//! protocol (`ledger.rs`) that keeps it valid even if the process is killed between two
//! instructions. Afterwards [`verify()`] re-hashes a directory and names every missing, extra or
//! modified file, [`Evidence::load`] reads the records back, and [`report::render`] draws them as
//! Markdown, HTML, JSON or JUnit XML.
//!
//! Plain blocking `std` I/O: evidence writes are small and must hit the disk in order.

mod approval;
mod atomic;
mod digest;
mod environment;
mod errors;
mod evidence_dir;
mod layout;
mod ledger;
mod load;
mod record_io;
mod redact;
pub mod report;
mod run_record;
mod status;
mod step_result;
mod step_writer;
mod sums;
mod verify;
mod yaml_copy;

pub use approval::{
    APPROVALS_DIR, Approval, ApprovalRecord, ApprovalState, Approved, MAX_APPROVER_CHARS,
    MAX_COMMENT_CHARS, approve,
};
pub use digest::{FileDigest, hash_file, hash_reader, sha256_hex};
pub use environment::{detect_host, detect_operator, operator_from};
pub use errors::{EvidenceError, Result};
pub use evidence_dir::{EvidenceDir, KILLED_STEP, NewRun, PlannedStep, Resumption, RunbookSource};
pub use layout::{
    LOG_FILE, PARTIAL_LOG_FILE, PENDING_RUN_FILE, PREVIOUS_RUN_FILE, REPORT_FILE, RESULT_FILE,
    RUN_FILE, RUNBOOK_FILE, STEPS_DIR, record_dirs, stamp, step_dir,
};
pub use load::{Evidence, StepEntry};
pub use redact::{MASK, Redactor, SHORT_SECRET_CHARS, forms_of, is_secret_key};
pub use report::Format;
pub use run_record::UndoneRun;
pub use run_record::{
    Confirmation, ConfirmationMethod, Phase, Resume, RunRecord, RunbookInfo, SCHEMA_VERSION,
    ServerIdentity, StepSummary, TargetRecord, ToolInfo,
};
pub use status::{Mode, RunStatus, StepStatus};
pub use step_result::{
    ErrorRecord, GateCheckRecord, InputFile, OutputValue, RecordedOutput, StepOutcome, StepResult,
};
pub use step_writer::StepWriter;
pub use sums::SUMS_FILE;
pub use verify::{BadSumsLine, Unfinished, Unreadable, VerifyReport, verify};
