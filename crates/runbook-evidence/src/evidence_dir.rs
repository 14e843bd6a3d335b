//! One run's evidence directory, written as the run goes.
//!
//! The engine creates one [`EvidenceDir`] per run, then for each step calls
//! [`begin_step`](EvidenceDir::begin_step), writes through the returned
//! [`StepWriter`](crate::StepWriter) and hands it back to
//! [`finish_step`](EvidenceDir::finish_step); [`finish_run`](EvidenceDir::finish_run) writes the
//! verdict and `report.md`. After every one of these calls `SHA256SUMS` covers everything that is
//! finished, so a run killed at any moment leaves a directory that `sha256sum -c` and
//! [`verify`](crate::verify()) accept.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::atomic::{is_temp_name, remove_temp_files, rename_durable, sync_dir};
use crate::digest::{hash_file, sha256_hex};
use crate::environment::{detect_host, detect_operator};
use crate::errors::{EvidenceError, Result};
use crate::layout::{
    LOG_FILE, PARTIAL_LOG_FILE, REPORT_FILE, RESULT_FILE, RUN_FILE, RUNBOOK_FILE, record_dirs,
    stamp,
};
use crate::ledger::Ledger;
use crate::load::Evidence;
use crate::record_io::{redacted_copy, to_redacted_json};
use crate::redact::Redactor;
use crate::report::render_at_writing;
use crate::run_record::{
    Confirmation, Phase, RunRecord, RunbookInfo, SCHEMA_VERSION, ServerIdentity, StepSummary,
    TargetRecord, ToolInfo,
};
use crate::status::{Mode, RunStatus, StepStatus};
use crate::step_result::{ErrorRecord, StepOutcome, StepResult};
use crate::step_writer::StepWriter;

/// How many `-N` suffixes are tried before giving up on a base directory.
const MAX_SUFFIX: u32 = 999;

/// Everything known about a run before its first step.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub runbook: RunbookSource,
    pub mode: Mode,
    pub operator: String,
    pub host: String,
    pub tool: ToolInfo,
    /// Names the directory (`YYYYMMDDTHHMMSSZ`).
    pub started_at: DateTime<Utc>,
    pub from_step: Option<String>,
    /// `runbook undo`: the run this one undoes (recorded in `run.json`).
    pub undoes: Option<crate::run_record::UndoneRun>,
    pub vars: BTreeMap<String, String>,
    pub targets: BTreeMap<String, TargetRecord>,
    pub confirmations: Vec<Confirmation>,
    /// The plan: every `main` step of the runbook, in order (index `i` of this list is step
    /// `i + 1`), then every `finally` step. Later attempts and undo steps are appended during
    /// the run ([`EvidenceDir::append_step`]).
    pub steps: Vec<PlannedStep>,
}

impl NewRun {
    /// A run starting now, by the detected operator on this host, with no vars, targets or
    /// confirmations yet; fill the public fields as needed.
    pub fn new(runbook: RunbookSource, mode: Mode, steps: Vec<PlannedStep>) -> NewRun {
        NewRun {
            runbook,
            mode,
            operator: detect_operator(),
            host: detect_host(),
            tool: ToolInfo {
                name: "runbook".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            started_at: Utc::now(),
            from_step: None,
            undoes: None,
            vars: BTreeMap::new(),
            targets: BTreeMap::new(),
            confirmations: Vec::new(),
            steps,
        }
    }
}

/// The runbook file as executed.
#[derive(Debug, Clone)]
pub struct RunbookSource {
    pub name: String,
    /// As the operator gave it.
    pub path: String,
    pub description: Option<String>,
    /// The file's bytes: hashed for `run.json` and copied (redacted) to `runbook.yaml`.
    pub source: Vec<u8>,
}

/// A step of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStep {
    pub id: String,
    pub kind: String,
    /// The runbook's `description:` of the step, for the reports.
    pub description: Option<String>,
    /// The step's failure is allowed (`continue_on_error: true`): the run goes on, and the
    /// verdict says the failure happened (`passed_with_failures`) rather than hiding it.
    pub continue_on_error: bool,
    /// `main` unless said otherwise.
    pub phase: Phase,
}

impl PlannedStep {
    pub fn new(id: impl Into<String>, kind: impl Into<String>) -> Self {
        PlannedStep {
            id: id.into(),
            kind: kind.into(),
            description: None,
            continue_on_error: false,
            phase: Phase::Main,
        }
    }

    pub fn with_phase(mut self, phase: Phase) -> Self {
        self.phase = phase;
        self
    }

    pub fn with_description(mut self, description: Option<String>) -> Self {
        self.description = description;
        self
    }

    pub fn with_continue_on_error(mut self, continue_on_error: bool) -> Self {
        self.continue_on_error = continue_on_error;
        self
    }
}

/// The step whose writer is out.
#[derive(Debug)]
struct InProgress {
    index: usize,
    rel_dir: String,
    started_at: DateTime<Utc>,
    started: Instant,
    /// Dead once the [`StepWriter`] is dropped.
    writer: Weak<()>,
}

/// A run's evidence directory being written. See the module documentation for the call order.
#[derive(Debug)]
pub struct EvidenceDir {
    path: PathBuf,
    redactor: Redactor,
    run: RunRecord,
    results: Vec<StepResult>,
    ledger: Ledger,
    in_progress: Option<InProgress>,
    finished: bool,
    /// A reopened directory holds the lock `approve` takes for as long as the resumed run
    /// writes, so no sign-off lands in the middle of it and no second resumer appends too.
    _lock: Option<fs::File>,
}

/// Who continues a run, for [`EvidenceDir::reopen`] (recorded in `run.json`'s `resumes`).
#[derive(Debug, Clone)]
pub struct Resumption {
    pub started_at: DateTime<Utc>,
    pub operator: String,
    pub host: String,
    pub from_step: Option<String>,
    /// The digest of the runbook this attempt runs, when it differs from the recorded one.
    pub runbook_sha256: Option<String>,
    /// Why a changed runbook was accepted, or where its diff is.
    pub note: Option<String>,
    /// A unified diff of the recorded runbook (`runbook.yaml`) against the one this attempt
    /// runs, both redacted, when it changed.
    pub runbook_diff: Option<String>,
}

impl Resumption {
    /// A resumption starting now, by the detected operator on this host.
    pub fn now() -> Resumption {
        Resumption {
            started_at: Utc::now(),
            operator: detect_operator(),
            host: detect_host(),
            from_step: None,
            runbook_sha256: None,
            note: None,
            runbook_diff: None,
        }
    }
}

/// What a killed step's record says when a resumed run seals it.
pub const KILLED_STEP: &str = "the run was killed during this step";

impl EvidenceDir {
    /// Creates `<base>/<YYYYMMDDTHHMMSSZ>` (or `-2`, `-3`, ... when taken, also by a concurrent
    /// run) holding `runbook.yaml`, `run.json` (status `running`) and `SHA256SUMS`.
    ///
    /// The directory appears with all three at once: the name is reserved with an exclusive
    /// `mkdir`, the files are written into a staging directory next to it, and the staging
    /// directory is renamed over the empty reservation. A crash before that leaves an empty
    /// directory (and a `.NAME.staging-PID` one), never a half-written run.
    pub fn create(base: &Path, new: NewRun, redactor: Redactor) -> Result<EvidenceDir> {
        fs::create_dir_all(base).map_err(|source| EvidenceError::CreateDir {
            path: base.to_owned(),
            source,
        })?;
        let path = reserve(base, &stamp(new.started_at))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let staging = base.join(format!(".{name}.staging-{}", std::process::id()));
        let result = populate(&staging, &path, new, redactor);
        if result.is_err() {
            let _ = fs::remove_dir_all(&staging);
            let _ = fs::remove_dir(&path);
        }
        result
    }

    /// Reopens the directory of a run that ended without passing (`failed`, `gate_failed`,
    /// `blocked`, `interrupted`) or was killed (`running`), to append the records of its next
    /// attempt (`runbook run --resume`).
    ///
    /// Refuses a directory that does not verify, a run that passed, a check-mode run and a run
    /// with approvals (their sign-off would silently cover a different run). Then, each change
    /// committed by the same protocol as every update, so that a kill at any instruction leaves a
    /// directory that verifies:
    ///
    /// 1. an update of `run.json` a kill interrupted is completed (`run.next.json` becomes
    ///    `run.json`; the report is drawn again when that update wrote the verdict);
    /// 2. a step that was in progress when the run was killed is sealed as `failed`
    ///    ([`KILLED_STEP`]) with the log and attachments it left;
    /// 3. `run.json` says `running` again and gains an entry in `resumes`.
    ///
    /// The verdict of [`finish_run`](Self::finish_run) is then the last attempt's.
    pub fn reopen(dir: &Path, redactor: Redactor, resume: Resumption) -> Result<EvidenceDir> {
        let lock = fs::File::open(dir).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => EvidenceError::NoSuchDir {
                path: dir.to_owned(),
            },
            _ => EvidenceError::Read {
                path: dir.to_owned(),
                source,
            },
        })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(EvidenceError::Busy {
                    dir: dir.to_owned(),
                });
            }
            Err(fs::TryLockError::Error(source)) => {
                return Err(EvidenceError::Write {
                    path: dir.to_owned(),
                    source,
                });
            }
        }
        let report = crate::verify::verify(dir)?;
        if !report.is_intact() {
            return Err(EvidenceError::ResumeNotIntact {
                dir: dir.to_owned(),
                problems: report.problems(),
            });
        }
        let approvals = report.approvals.len() + report.pending_approvals.len();
        if approvals > 0 {
            return Err(EvidenceError::ResumeApproved {
                dir: dir.to_owned(),
                count: approvals,
            });
        }
        let mut ledger = Ledger::load(dir)?;
        ledger.complete_interrupted_update(&redactor)?;
        remove_temp_files(dir)?;
        let evidence = Evidence::load(dir)?;
        let run = evidence.run;
        let resumable = match run.status {
            RunStatus::Running
            | RunStatus::Failed
            | RunStatus::GateFailed
            | RunStatus::Blocked
            | RunStatus::Interrupted => run.mode == Mode::Run,
            _ => false,
        };
        if !resumable {
            return Err(EvidenceError::ResumeNothingToDo {
                dir: dir.to_owned(),
                status: format!("{} in {} mode", run.status, run.mode),
            });
        }
        let results = evidence
            .steps
            .into_iter()
            .filter_map(|entry| entry.result)
            .collect();
        let previous_status = run.status;
        let killed_in = run.current_step.clone();
        let mut reopened = EvidenceDir {
            path: dir.to_owned(),
            redactor,
            run,
            results,
            ledger,
            in_progress: None,
            finished: false,
            _lock: Some(lock),
        };
        if let Some(rel_dir) = killed_in {
            let index = reopened
                .run
                .steps
                .iter()
                .position(|s| s.dir.as_deref() == Some(rel_dir.as_str()))
                .map(|i| i + 1);
            match index {
                Some(index) => {
                    // run.json names the step before its start time is written: the step's
                    // directory was created when it started.
                    let started_at = reopened.run.steps[index - 1]
                        .started_at
                        .or_else(|| {
                            let meta = fs::metadata(dir.join(&rel_dir)).ok()?;
                            meta.created()
                                .or_else(|_| meta.modified())
                                .ok()
                                .map(Into::into)
                        })
                        .unwrap_or_else(Utc::now);
                    reopened.in_progress = Some(InProgress {
                        index,
                        rel_dir,
                        started_at,
                        started: Instant::now(),
                        writer: Weak::new(),
                    });
                    reopened.seal_abandoned(KILLED_STEP)?;
                }
                // verify accepted it, so it names no record's directory only if it was never
                // created: nothing to seal.
                None => reopened.run.current_step = None,
            }
        }
        let first_record = reopened.run.steps.len() + 1;
        reopened.run.status = RunStatus::Running;
        reopened.run.finished_at = None;
        reopened.run.duration_ms = None;
        reopened.run.resumes.push(crate::run_record::Resume {
            started_at: resume.started_at,
            operator: resume.operator,
            host: resume.host,
            previous_status,
            first_record,
            from_step: resume.from_step,
            runbook_sha256: resume.runbook_sha256,
            note: resume.note,
            runbook_diff: resume.runbook_diff,
        });
        reopened.write_run()?;
        Ok(reopened)
    }

    /// The run directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `run.json` as last written.
    pub fn record(&self) -> &RunRecord {
        &self.run
    }

    /// The results of the steps finished so far, as written.
    pub fn results(&self) -> &[StepResult] {
        &self.results
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Starts step `index` (1-based, as in the plan): `run.json` names it as the step in
    /// progress, and its directory `steps/NN-id` is created with an empty log.
    ///
    /// A previous step whose writer was dropped without [`finish_step`](Self::finish_step) is
    /// sealed first as `failed` ("the step ended without reporting an outcome"), so an engine
    /// error path cannot leave unsealed files behind.
    pub fn begin_step(&mut self, index: usize) -> Result<StepWriter> {
        self.claim(index)?;
        let summary = &self.run.steps[index - 1];
        let id = summary.id.clone();
        let kind = summary.kind.clone();
        let rel_dir = self.dir_of(index)?;
        // run.json names the step before its files exist, so that verify accepts them after a
        // kill at any point from here on.
        self.run.current_step = Some(rel_dir.clone());
        self.run.steps[index - 1].dir = Some(rel_dir.clone());
        self.write_run()?;
        let alive = Arc::new(());
        let opened = StepWriter::open(
            index,
            &id,
            &kind,
            rel_dir.clone(),
            self.path.join(&rel_dir),
            self.redactor.clone(),
            Arc::clone(&alive),
        );
        let writer = match opened {
            Ok(writer) => writer,
            Err(e) => {
                self.run.current_step = None;
                self.run.steps[index - 1].dir = None;
                let _ = self.write_run();
                return Err(e);
            }
        };
        self.run.steps[index - 1].started_at = Some(writer.started_at);
        self.in_progress = Some(InProgress {
            index,
            rel_dir,
            started_at: writer.started_at,
            started: writer.started,
            writer: Arc::downgrade(&alive),
        });
        Ok(writer)
    }

    /// Appends a record to the journal: attempt `attempt` of step `id` in `phase`, `not_run`
    /// until [`begin_step`](Self::begin_step) starts it. Returns its index. A later attempt
    /// needs the one before it in the journal (its directory is named after the first); a key
    /// (phase, id, attempt) is recorded once. Crash-safe like every update: `run.json` gains
    /// the entry in one commit, and an entry without a directory verifies.
    pub fn append_step(&mut self, step: PlannedStep, attempt: u32) -> Result<usize> {
        self.settle()?;
        let exists = |attempt: u32| {
            self.run
                .steps
                .iter()
                .any(|s| s.phase == step.phase && s.id == step.id && s.attempt == attempt)
        };
        if attempt == 0 || exists(attempt) || (attempt > 1 && !exists(attempt - 1)) {
            return Err(EvidenceError::BadAppend {
                id: step.id,
                phase: step.phase.name(),
                attempt,
            });
        }
        let index = self.run.steps.len() + 1;
        self.run.steps.push(StepSummary {
            index,
            id: step.id,
            kind: step.kind,
            phase: step.phase,
            attempt,
            description: step.description,
            continue_on_error: step.continue_on_error,
            status: StepStatus::NotRun,
            started_at: None,
            duration_ms: None,
            summary: String::new(),
            dir: None,
        });
        if let Err(e) = self.write_run() {
            self.run.steps.pop();
            return Err(e);
        }
        Ok(index)
    }

    /// The directory the journal gives record `index` (see [`record_dirs`]).
    fn dir_of(&self, index: usize) -> Result<String> {
        record_dirs(
            self.run
                .steps
                .iter()
                .map(|s| (s.phase, s.id.as_str(), s.attempt)),
        )
        .swap_remove(index - 1)
        .ok_or_else(|| EvidenceError::BadAppend {
            id: self.run.steps[index - 1].id.clone(),
            phase: self.run.steps[index - 1].phase.name(),
            attempt: self.run.steps[index - 1].attempt,
        })
    }

    /// Seals a step: the log becomes `output.log`, `result.json` is written, and `run.json` and
    /// `SHA256SUMS` are updated. Returns the result as written (redacted).
    pub fn finish_step(
        &mut self,
        mut step: StepWriter,
        outcome: StepOutcome,
    ) -> Result<StepResult> {
        self.ensure_open()?;
        let matches = self
            .in_progress
            .as_ref()
            .is_some_and(|c| c.index == step.index && c.rel_dir == step.rel_dir);
        if !matches {
            return Err(EvidenceError::StepNotInProgress {
                index: step.index,
                id: step.id.clone(),
            });
        }
        let log_digest = step.seal_log()?;
        rename_durable(&step.abs_dir, PARTIAL_LOG_FILE, LOG_FILE)?;
        remove_temp_files(&step.abs_dir)?;
        let attachments = std::mem::take(&mut step.attachments);
        let duration_ms = millis(step.started.elapsed());
        let result = StepResult {
            schema_version: SCHEMA_VERSION,
            index: step.index,
            id: step.id.clone(),
            kind: step.kind.clone(),
            phase: self.run.steps[step.index - 1].phase,
            attempt: self.run.steps[step.index - 1].attempt,
            description: self.run.steps[step.index - 1].description.clone(),
            status: outcome.status,
            started_at: step.started_at,
            finished_at: Utc::now(),
            duration_ms,
            summary: outcome.summary,
            error: outcome.error,
            inputs: outcome.inputs,
            gate: outcome.gate,
            attachments: attachments.iter().map(|(name, _)| name.clone()).collect(),
            details: outcome.details,
            outputs: outcome
                .outputs
                .iter()
                .map(|(k, v)| (k.clone(), v.into()))
                .collect(),
        };
        let files = attachments
            .into_iter()
            .chain([(LOG_FILE.to_owned(), log_digest)]);
        self.seal(
            &step.rel_dir.clone(),
            &step.abs_dir.clone(),
            result,
            files.collect(),
        )
    }

    /// Records that step `index` was skipped (its `when` was false, ...) without giving it a
    /// directory: `run.json` says `skipped` with `reason` as its summary.
    pub fn skip_step(&mut self, index: usize, reason: &str) -> Result<()> {
        self.claim(index)?;
        let summary = &mut self.run.steps[index - 1];
        summary.status = StepStatus::Skipped;
        summary.summary = first_line(reason);
        self.write_run()
    }

    /// Records consent to change a protected target (given during the run, e.g. typed on a
    /// terminal before the first destructive step).
    pub fn add_confirmation(&mut self, confirmation: Confirmation) -> Result<()> {
        self.ensure_open()?;
        self.run.confirmations.push(confirmation);
        self.write_run()
    }

    /// Records which server a target reached (its first connection of the run). Only the
    /// first identity of a target is kept: it is the one the run's first step acted on. Kept in
    /// memory until the next `run.json` write (every step's end writes it).
    pub fn note_target_identity(&mut self, target: &str, identity: &ServerIdentity) {
        if let Some(record) = self.run.targets.get_mut(target)
            && record.identity.is_none()
        {
            record.identity = Some(identity.clone());
        }
    }

    /// Ends the run: `run.json` gets the verdict and end time, `report.md` is written, and
    /// `SHA256SUMS` covers everything. Steps that never started stay `not_run`.
    pub fn finish_run(&mut self, status: RunStatus) -> Result<()> {
        self.ensure_open()?;
        if !status.is_final_for(self.run.mode) {
            return Err(EvidenceError::StatusNotForMode {
                status,
                mode: self.run.mode,
                expected: RunStatus::finals_of(self.run.mode),
            });
        }
        if let Some(current) = &self.in_progress {
            if current.writer.upgrade().is_some() {
                return Err(EvidenceError::FinishWithStepInProgress {
                    index: current.index,
                    id: self.run.steps[current.index - 1].id.clone(),
                });
            }
            self.seal_abandoned("the step ended without reporting an outcome")?;
        }
        let finished_at = Utc::now();
        self.run.status = status;
        self.run.finished_at = Some(finished_at);
        self.run.duration_ms = Some(
            u64::try_from((finished_at - self.run.started_at).num_milliseconds()).unwrap_or(0),
        );
        self.run.current_step = None;
        self.run = redacted_copy(&self.run, RUN_FILE, &self.redactor)?;
        let evidence = Evidence::from_parts(&self.path, self.run.clone(), &self.results);
        let report = render_at_writing(&evidence);
        let report = self.redactor.redact(&report).into_owned();
        let run_json = to_redacted_json(&self.run, RUN_FILE, &self.redactor)?;
        self.ledger
            .commit_with_run(&run_json, &[(REPORT_FILE, report.as_bytes())])?;
        self.finished = true;
        Ok(())
    }

    /// Checks that step `index` can start now: the run is open, no other step is being written
    /// (a dropped one is sealed), the index is in the plan and the step has no record yet.
    fn claim(&mut self, index: usize) -> Result<()> {
        self.ensure_open()?;
        if let Some(current) = &self.in_progress {
            if current.writer.upgrade().is_some() {
                return Err(EvidenceError::StepInProgress {
                    index: current.index,
                    id: self.run.steps[current.index - 1].id.clone(),
                    next: index,
                });
            }
            self.seal_abandoned("the step ended without reporting an outcome")?;
        }
        let count = self.run.steps.len();
        if index == 0 || index > count {
            return Err(EvidenceError::UnknownStep { index, count });
        }
        let summary = &self.run.steps[index - 1];
        if summary.status != StepStatus::NotRun || summary.dir.is_some() {
            return Err(EvidenceError::StepAlreadyRecorded {
                index,
                id: summary.id.clone(),
            });
        }
        Ok(())
    }

    /// The run is open and no step is being written (a dropped one is sealed).
    fn settle(&mut self) -> Result<()> {
        self.ensure_open()?;
        if let Some(current) = &self.in_progress {
            if current.writer.upgrade().is_some() {
                return Err(EvidenceError::StepInProgress {
                    index: current.index,
                    id: self.run.steps[current.index - 1].id.clone(),
                    next: self.run.steps.len() + 1,
                });
            }
            self.seal_abandoned("the step ended without reporting an outcome")?;
        }
        Ok(())
    }

    fn ensure_open(&self) -> Result<()> {
        if self.finished {
            return Err(EvidenceError::RunFinished);
        }
        Ok(())
    }

    fn write_run(&mut self) -> Result<()> {
        let bytes = to_redacted_json(&self.run, RUN_FILE, &self.redactor)?;
        self.ledger.commit_with_run(&bytes, &[])
    }

    /// Writes `result.json`, stages the step's files and commits them with the new `run.json`.
    fn seal(
        &mut self,
        rel_dir: &str,
        abs_dir: &Path,
        result: StepResult,
        files: Vec<(String, String)>,
    ) -> Result<StepResult> {
        let result = redacted_copy(&result, RESULT_FILE, &self.redactor)?;
        let bytes = to_redacted_json(&result, RESULT_FILE, &self.redactor)?;
        crate::atomic::write_atomic(abs_dir, RESULT_FILE, &bytes)?;
        for (name, digest) in files {
            self.ledger.stage(format!("{rel_dir}/{name}"), digest);
        }
        self.ledger
            .stage(format!("{rel_dir}/{RESULT_FILE}"), sha256_hex(&bytes));
        let summary = &mut self.run.steps[result.index - 1];
        summary.status = result.status;
        summary.started_at = Some(result.started_at);
        summary.duration_ms = Some(result.duration_ms);
        summary.summary = first_line(&result.summary);
        summary.dir = Some(rel_dir.to_owned());
        self.run.current_step = None;
        self.in_progress = None;
        self.results.push(result.clone());
        self.write_run()?;
        Ok(result)
    }

    /// Seals the step whose writer was dropped: its log as it stands, its attachments as found.
    /// `message` says why it has no outcome.
    fn seal_abandoned(&mut self, message: &str) -> Result<()> {
        let Some(current) = self.in_progress.take() else {
            return Ok(());
        };
        let abs_dir = self.path.join(&current.rel_dir);
        let mut files = Vec::new();
        if abs_dir.join(PARTIAL_LOG_FILE).exists() {
            rename_durable(&abs_dir, PARTIAL_LOG_FILE, LOG_FILE)?;
        } else if !abs_dir.join(LOG_FILE).exists() {
            // Killed before the step's directory and log were created: a sealed step has both.
            fs::create_dir_all(&abs_dir).map_err(|source| EvidenceError::CreateDir {
                path: abs_dir.clone(),
                source,
            })?;
            crate::atomic::write_atomic(&abs_dir, LOG_FILE, b"")?;
        }
        remove_temp_files(&abs_dir)?;
        let mut names: Vec<String> = match fs::read_dir(&abs_dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !is_temp_name(n) && n != RESULT_FILE)
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(EvidenceError::Read {
                    path: abs_dir,
                    source,
                });
            }
        };
        names.sort();
        for name in names {
            let digest = hash_file(&abs_dir.join(&name))?.sha256;
            files.push((name, digest));
        }
        let summary = &self.run.steps[current.index - 1];
        let result = StepResult {
            schema_version: SCHEMA_VERSION,
            index: current.index,
            id: summary.id.clone(),
            kind: summary.kind.clone(),
            phase: summary.phase,
            attempt: summary.attempt,
            description: summary.description.clone(),
            status: StepStatus::Failed,
            started_at: current.started_at,
            finished_at: Utc::now(),
            duration_ms: millis(current.started.elapsed()),
            summary: message.to_owned(),
            error: Some(ErrorRecord::new(message)),
            inputs: Vec::new(),
            gate: None,
            attachments: files
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| n != LOG_FILE)
                .collect(),
            details: serde_json::Value::Null,
            outputs: Default::default(),
        };
        sync_dir(&abs_dir)?;
        self.seal(&current.rel_dir, &abs_dir, result, files)?;
        Ok(())
    }
}

/// Claims `base/stamp`, or the first free `stamp-N`, with an exclusive `mkdir`.
fn reserve(base: &Path, stamp: &str) -> Result<PathBuf> {
    for n in 1..=MAX_SUFFIX {
        let name = if n == 1 {
            stamp.to_owned()
        } else {
            format!("{stamp}-{n}")
        };
        let path = base.join(name);
        match fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(EvidenceError::CreateDir { path, source }),
        }
    }
    Err(EvidenceError::NoFreeName {
        base: base.to_owned(),
        stamp: stamp.to_owned(),
        tries: MAX_SUFFIX,
    })
}

/// Writes the first files into `staging` and moves them to `path` in one rename.
fn populate(staging: &Path, path: &Path, new: NewRun, redactor: Redactor) -> Result<EvidenceDir> {
    if staging.exists() {
        // Left by a crashed process that had our pid.
        let _ = fs::remove_dir_all(staging);
    }
    fs::create_dir(staging).map_err(|source| EvidenceError::CreateDir {
        path: staging.to_owned(),
        source,
    })?;
    let source_text = String::from_utf8_lossy(&new.runbook.source);
    let copy = redactor.redact_yaml(&source_text);
    let redacted = copy.as_bytes() != new.runbook.source.as_slice();
    let run = RunRecord {
        schema_version: SCHEMA_VERSION,
        runbook: RunbookInfo {
            name: new.runbook.name,
            path: new.runbook.path,
            sha256: sha256_hex(&new.runbook.source),
            description: new.runbook.description,
            redacted,
        },
        mode: new.mode,
        operator: new.operator,
        host: new.host,
        tool: new.tool,
        started_at: new.started_at,
        finished_at: None,
        duration_ms: None,
        status: RunStatus::Running,
        from_step: new.from_step,
        undoes: new.undoes,
        vars: new.vars,
        targets: new.targets,
        confirmations: new.confirmations,
        notes: redactor.warnings().to_vec(),
        current_step: None,
        resumes: Vec::new(),
        steps: new
            .steps
            .into_iter()
            .enumerate()
            .map(|(i, step)| StepSummary {
                index: i + 1,
                id: step.id,
                kind: step.kind,
                phase: step.phase,
                attempt: 1,
                description: step.description,
                continue_on_error: step.continue_on_error,
                status: StepStatus::NotRun,
                started_at: None,
                duration_ms: None,
                summary: String::new(),
                dir: None,
            })
            .collect(),
    };
    let run = redacted_copy(&run, RUN_FILE, &redactor)?;
    let mut ledger = Ledger::new(staging);
    ledger.write_top(RUNBOOK_FILE, copy.as_bytes())?;
    ledger.write_top(RUN_FILE, &to_redacted_json(&run, RUN_FILE, &redactor)?)?;
    ledger.write_sums()?;
    // Replaces the empty reservation; nobody else writes into a name we reserved.
    fs::rename(staging, path).map_err(|source| EvidenceError::CreateDir {
        path: path.to_owned(),
        source,
    })?;
    if let Some(base) = path.parent() {
        sync_dir(base)?;
    }
    ledger.relocate(path);
    Ok(EvidenceDir {
        path: path.to_owned(),
        redactor,
        run,
        results: Vec::new(),
        ledger,
        in_progress: None,
        finished: false,
        _lock: None,
    })
}

fn first_line(text: &str) -> String {
    let line = text.split('\n').next().unwrap_or_default();
    line.strip_suffix('\r').unwrap_or(line).trim().to_owned()
}

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
