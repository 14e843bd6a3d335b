//! `runbook verify DIR`: re-hash every file `SHA256SUMS` lists and name every file that is
//! missing, modified, unreadable or not listed.
//!
//! A run that was killed leaves files the writer had not committed yet (the commit protocol is
//! described in `ledger.rs`; the step files in [`StepWriter`](crate::StepWriter)). Those are accepted, and
//! reported as uncommitted, only where the writer can leave them:
//!
//! - `run.json` says `running` (and is itself listed and intact): files under its
//!   `current_step` directory and the writer's top-level temp files;
//! - `run.json` is not listed (the run was killed inside an update of it): `run.json`,
//!   `report.md` and the top-level temp files.
//!
//! Anywhere else, and in any run that reached a verdict, an unlisted file is *extra*, except
//! what a kill inside the first update of a reopened run (`EvidenceDir::reopen`, for
//! `run --resume`) leaves, which is ignored: `run.next.json` when it says `running` with one
//! more entry in `resumes`, the temp files of the two copies, and then the temp file of the
//! `SHA256SUMS` that lists them.
//!
//! Re-hashing alone proves only that the listed files are unchanged; anyone can delete a line.
//! So `verify` also cross-checks what must be listed against what `run.json` says
//! ([`VerifyReport::inconsistent`]):
//!
//! - `runbook.yaml` is always listed; `report.md` once `run.json` states a verdict;
//! - `run.json` is listed, or (killed inside one of its updates) it is byte-identical to one of
//!   the listed copies `run.prev.json` / `run.next.json` the writer commits first (`ledger.rs`).
//!   Any other unlisted `run.json` is not covered, and one that states a verdict is a forgery;
//! - every step `run.json` names has its directory `steps/NN-id` and, once sealed, its
//!   `result.json`, `output.log` and attachments listed, with the status `run.json` gives it; the
//!   step in progress of a running run is exempt, since a kill leaves it partial;
//! - a step directory that `run.json` does not name is extra, even when its files are listed.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::approval::{APPROVALS_DIR, ApprovalState, check_listed, is_pending};
use crate::atomic::is_temp_name;
use crate::digest::hash_file;
use crate::digest::sha256_hex;
use crate::errors::{EvidenceError, Result};
use crate::layout::{
    LOG_FILE, PENDING_RUN_FILE, PREVIOUS_RUN_FILE, REPORT_FILE, RESULT_FILE, RUN_FILE,
    RUNBOOK_FILE, STEPS_DIR, record_dirs,
};
use crate::record_io::read_record;
use crate::run_record::{Phase, RunRecord};
use crate::status::{RunStatus, StepStatus};
use crate::step_result::StepResult;
use crate::sums::{BadLineKind, SUMS_FILE, normalize, parse};

/// What `verify` found. Paths are relative to the evidence directory, `/`-separated, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VerifyReport {
    /// How many listed files were re-hashed and matched.
    pub checked: usize,
    /// Listed but absent (`SHA256SUMS` itself when it is absent).
    pub missing: Vec<String>,
    /// Listed, present, but with another digest.
    pub modified: Vec<String>,
    /// Present but not listed (and not an uncommitted file of an unfinished run).
    pub extra: Vec<String>,
    /// Listed but impossible to hash.
    pub unreadable: Vec<Unreadable>,
    /// Lines of `SHA256SUMS` that were not used.
    pub bad_lines: Vec<BadSumsLine>,
    /// Set when the run never reached a verdict (killed, or still going).
    pub unfinished: Option<Unfinished>,
    /// What `SHA256SUMS` fails to cover although `run.json` says it must exist (a record that
    /// is not listed, a step whose files are not listed, a step directory `run.json` does not
    /// name), one sentence each: the traces of a removed step or a forged verdict.
    #[serde(default)]
    pub inconsistent: Vec<String>,
    /// Every approval `SHA256SUMS` lists (`runbook approve`), in order, and whether the evidence
    /// is still what it approved (a stale one is also in `inconsistent`).
    #[serde(default)]
    pub approvals: Vec<ApprovalState>,
    /// Unlisted files an interrupted `runbook approve` left (a record not yet listed, temp
    /// files): accepted, but they approve nothing.
    #[serde(default)]
    pub pending_approvals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadSumsLine {
    /// 1-based line number in `SHA256SUMS`.
    pub line: usize,
    pub problem: String,
}

/// A run without a verdict: what it was doing and which files it had not committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfinished {
    /// The step in progress (`steps/NN-id`), when `run.json` could say.
    pub current_step: Option<String>,
    /// True when the run was killed while replacing `run.json`, which is then not covered.
    pub run_json_uncovered: bool,
    /// Files the writer had not committed yet: accepted, but not covered by `SHA256SUMS`.
    pub uncommitted: Vec<String>,
}

impl VerifyReport {
    /// Whether every listed file is present and unchanged, nothing was added and
    /// `SHA256SUMS` is well-formed. An unfinished run can be intact.
    pub fn is_intact(&self) -> bool {
        self.missing.is_empty()
            && self.modified.is_empty()
            && self.extra.is_empty()
            && self.unreadable.is_empty()
            && self.bad_lines.is_empty()
            && self.inconsistent.is_empty()
    }

    /// One line per problem, for terminals and report warnings.
    pub fn problems(&self) -> Vec<String> {
        let mut lines = Vec::new();
        lines.extend(self.inconsistent.iter().cloned());
        lines.extend(self.missing.iter().map(|p| format!("missing: {p}")));
        lines.extend(self.modified.iter().map(|p| format!("modified: {p}")));
        lines.extend(
            self.extra
                .iter()
                .map(|p| format!("extra (not in SHA256SUMS): {p}")),
        );
        lines.extend(
            self.unreadable
                .iter()
                .map(|u| format!("unreadable: {}: {}", u.path, u.reason)),
        );
        lines.extend(
            self.bad_lines
                .iter()
                .map(|b| format!("SHA256SUMS line {}: {}", b.line, b.problem)),
        );
        lines
    }
}

/// The longest evidence file read whole (`SHA256SUMS`, `run.json`, `result.json`): far more
/// than any run writes.
const MAX_RECORD_FILE: u64 = 64 * 1024 * 1024;

/// Reads `SHA256SUMS` or a record (`run.json` and its copies, `result.json`) whole, for
/// `verify`, `report` and the writer: only a regular file (not followed through a symlink: one
/// to /dev/zero would be read until memory runs out, and a FIFO put in its place would hang
/// `verify` in open(2)), and at most [`MAX_RECORD_FILE`] bytes.
pub(crate) fn read_evidence_file(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let path = path.as_ref();
    if !fs::symlink_metadata(path)?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a symbolic link, FIFO or device is not read)",
        ));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_RECORD_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_RECORD_FILE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_RECORD_FILE >> 20),
        ));
    }
    Ok(bytes)
}

/// Verifies the evidence directory `dir`.
///
/// Errors only when `dir` is not a directory or not evidence at all (no `run.json`, listed or
/// present); everything wrong inside evidence is a finding in the report.
pub fn verify(dir: &Path) -> Result<VerifyReport> {
    if !dir.is_dir() {
        return Err(EvidenceError::NoSuchDir {
            path: dir.to_owned(),
        });
    }
    let mut report = VerifyReport::default();
    let sums_path = dir.join(SUMS_FILE);
    let mut sums_unreadable = None;
    let mut sums_sha256 = String::new();
    let sums_text = match read_evidence_file(&sums_path) {
        Ok(bytes) => {
            sums_sha256 = sha256_hex(&bytes);
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        // A FIFO, a device or a symlink put in its place, or a flood: tampering, a finding.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
            ) =>
        {
            sums_unreadable = Some(e.to_string());
            None
        }
        Err(source) => {
            return Err(EvidenceError::Read {
                path: sums_path,
                source,
            });
        }
    };
    let (entries, bad) = match &sums_text {
        Some(text) => parse(text),
        None => (Vec::new(), Vec::new()),
    };
    let run_listed = entries.iter().any(|e| e.path == RUN_FILE);
    let run_present = fs::symlink_metadata(dir.join(RUN_FILE)).is_ok();
    if !run_listed && !run_present && sums_text.is_none() {
        return Err(EvidenceError::NotEvidence {
            dir: dir.to_owned(),
        });
    }
    if let Some(reason) = sums_unreadable {
        report.unreadable.push(Unreadable {
            path: SUMS_FILE.to_owned(),
            reason,
        });
    } else if sums_text.is_none() {
        report.missing.push(SUMS_FILE.to_owned());
    }
    report.bad_lines = bad
        .into_iter()
        .map(|b| BadSumsLine {
            line: b.line,
            problem: match b.problem {
                BadLineKind::Malformed(text) => format!(
                    "expected \"<64 hex digits>  <relative path>\", found {:?}",
                    shorten(&text)
                ),
                BadLineKind::Escapes(path) => {
                    format!("path {path:?} leaves the evidence directory: not checked")
                }
                BadLineKind::Duplicate(path, first) => {
                    format!("{path:?} is listed again (first on line {first})")
                }
            },
        })
        .collect();

    let mut listed = BTreeSet::new();
    for entry in &entries {
        listed.insert(entry.path.clone());
        let path = dir.join(&entry.path);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                report.missing.push(entry.path.clone())
            }
            Err(e) => report.unreadable.push(Unreadable {
                path: entry.path.clone(),
                reason: e.to_string(),
            }),
            Ok(meta) if meta.file_type().is_symlink() => report.unreadable.push(Unreadable {
                path: entry.path.clone(),
                reason: "is a symbolic link, not a file: not followed".to_owned(),
            }),
            Ok(meta) if !meta.is_file() => report.unreadable.push(Unreadable {
                path: entry.path.clone(),
                reason: "is not a regular file".to_owned(),
            }),
            Ok(_) => match hash_file(&path) {
                Ok(digest) if digest.sha256 == entry.sha256 => report.checked += 1,
                Ok(_) => report.modified.push(entry.path.clone()),
                Err(e) => report.unreadable.push(Unreadable {
                    path: entry.path.clone(),
                    reason: std::error::Error::source(&e)
                        .map_or_else(|| e.to_string(), ToString::to_string),
                }),
            },
        }
    }

    let damaged = |path: &str| {
        report.missing.iter().any(|p| p == path)
            || report.modified.iter().any(|p| p == path)
            || report.unreadable.iter().any(|u| u.path == path)
    };
    let run_intact = run_listed && !damaged(RUN_FILE);
    let copies = [PREVIOUS_RUN_FILE, PENDING_RUN_FILE];
    let mut inconsistent = Vec::new();
    // The record the cross-checks trust: a listed, intact run.json, or an unlisted one that is
    // byte-identical to a listed, intact copy (see the module documentation).
    let mut trusted_run: Option<RunRecord> = None;
    if run_intact {
        trusted_run = read_record::<RunRecord>(&dir.join(RUN_FILE), "run record")
            .ok()
            .flatten();
        for copy in copies.iter().filter(|c| listed.contains(**c)) {
            inconsistent.push(format!(
                "{copy} is listed in {SUMS_FILE} together with {RUN_FILE}: the writer never \
                 lists both"
            ));
        }
    } else if !run_listed && sums_text.is_some() {
        let current = read_evidence_file(dir.join(RUN_FILE)).ok();
        let covered = current.is_some()
            && copies.iter().any(|copy| {
                listed.contains(*copy)
                    && !damaged(copy)
                    && read_evidence_file(dir.join(copy)).ok() == current
            });
        match read_record::<RunRecord>(&dir.join(RUN_FILE), "run record") {
            Ok(Some(run)) if covered => trusted_run = Some(run),
            Ok(Some(run)) if run.status.is_finished() => inconsistent.push(format!(
                "{RUN_FILE} is not listed in {SUMS_FILE}, yet it states the verdict '{}': a verdict \
                 no checksum covers cannot be trusted (run.json was edited and its line removed)",
                run.status
            )),
            Ok(Some(_)) => inconsistent.push(format!(
                "{RUN_FILE} is not listed in {SUMS_FILE} and is neither of the listed copies \
                 ({PREVIOUS_RUN_FILE}, {PENDING_RUN_FILE}) a run killed while replacing it \
                 leaves: its content is not covered"
            )),
            Ok(None) => {}
            Err(e) => inconsistent.push(format!(
                "{RUN_FILE} is not listed in {SUMS_FILE} and is not a run record: {e}"
            )),
        }
    }
    if !run_listed && !run_present {
        // A SHA256SUMS without its run: the record and its line were both removed.
        inconsistent.push(format!(
            "{RUN_FILE} is missing and not listed in {SUMS_FILE}: the run's record was removed"
        ));
    }
    if !listed.contains(RUNBOOK_FILE) && sums_text.is_some() {
        inconsistent.push(format!(
            "{RUNBOOK_FILE} is not listed in {SUMS_FILE}: the runbook as executed is not covered"
        ));
    }
    if let Some(run) = trusted_run.as_ref().filter(|_| run_intact)
        && run.status.is_finished()
        && !listed.contains(REPORT_FILE)
    {
        inconsistent.push(format!(
            "{REPORT_FILE} is not listed in {SUMS_FILE}, yet {RUN_FILE} states the verdict '{}'",
            run.status
        ));
    }
    if let Some(run) = &trusted_run {
        check_steps(dir, run, &listed, &damaged, &mut inconsistent);
    }
    let listed_digests: std::collections::BTreeMap<String, String> = entries
        .iter()
        .map(|e| (e.path.clone(), e.sha256.clone()))
        .collect();
    // Approvals are appended to finished runs only (`approval.rs`).
    let finished = run_intact && trusted_run.as_ref().is_some_and(|r| r.status.is_finished());
    let mut approvals = Vec::new();
    if finished {
        let findings = check_listed(dir, &listed_digests, &damaged);
        inconsistent.extend(findings.inconsistent);
        approvals = findings.states;
    } else if listed
        .iter()
        .any(|p| p.starts_with(&format!("{APPROVALS_DIR}/")))
    {
        inconsistent.push(format!(
            "{SUMS_FILE} lists approvals, but {RUN_FILE} states no verdict: only a finished run \
             is approved"
        ));
    }
    report.inconsistent = inconsistent;
    report.approvals = approvals;

    let tolerance = if sums_text.is_none() {
        // The writer creates SHA256SUMS before the directory appears: nothing to tolerate.
        None
    } else if !run_listed {
        // Only the update that records the verdict writes report.md, and its new record is the
        // listed run.next.json.
        let verdict_pending = listed.contains(PENDING_RUN_FILE)
            && !damaged(PENDING_RUN_FILE)
            && read_record::<RunRecord>(&dir.join(PENDING_RUN_FILE), "run record")
                .ok()
                .flatten()
                .is_some_and(|r| r.status.is_finished());
        Some(Tolerance::InsideRunUpdate { verdict_pending })
    } else if run_intact {
        match &trusted_run {
            Some(run) if run.status == RunStatus::Running => Some(Tolerance::Running(
                run.current_step
                    .as_deref()
                    .and_then(normalize)
                    .filter(|p| p.starts_with(&format!("{STEPS_DIR}/"))),
            )),
            _ => None,
        }
    } else {
        None
    };
    // The writer's copies of run.json, unlisted: written in phase 1 just before the sums that
    // list them, or left by a kill after phase 3 before their deletion. Nothing reads an
    // unlisted copy, so the old record is ignored, and so is the new one while the run is
    // going; once the run has a verdict, the only such copy left is the verdict itself.
    let run_going = trusted_run
        .as_ref()
        .is_some_and(|r| r.status == RunStatus::Running);
    // A finished run being reopened for its next attempt (`EvidenceDir::reopen`): the first
    // update's phase 1 writes the copies (through their temp files) while SHA256SUMS still
    // lists the finished run.json. The new record then says `running` with one more entry in
    // `resumes`; nothing reads it or the temp files until they are listed.
    let pending_reopens = trusted_run
        .as_ref()
        .filter(|r| r.status.is_finished())
        .is_some_and(|run| {
            read_record::<RunRecord>(&dir.join(PENDING_RUN_FILE), "run record")
                .ok()
                .flatten()
                .is_some_and(|next| {
                    next.status == RunStatus::Running && next.resumes.len() == run.resumes.len() + 1
                })
        });
    let reopening = |path: &str| {
        let finished = trusted_run.as_ref().is_some_and(|r| r.status.is_finished());
        finished
            && (path == crate::atomic::temp_name(PENDING_RUN_FILE)
                || path == crate::atomic::temp_name(PREVIOUS_RUN_FILE)
                || (pending_reopens
                    && (path == PENDING_RUN_FILE || path == crate::atomic::temp_name(SUMS_FILE))))
    };
    let leftover = |path: &str| {
        run_intact
            && !listed.contains(path)
            && (path == PREVIOUS_RUN_FILE
                || (path == PENDING_RUN_FILE
                    && (run_going
                        || read_evidence_file(dir.join(PENDING_RUN_FILE)).ok()
                            == read_evidence_file(dir.join(RUN_FILE)).ok()))
                || reopening(path))
    };

    let mut uncommitted = Vec::new();
    for path in walk(dir)? {
        if listed.contains(&path) || path == SUMS_FILE || leftover(&path) {
            continue;
        }
        if finished && is_pending(dir, &path, &listed_digests, &sums_sha256) {
            report.pending_approvals.push(path);
            continue;
        }
        let accepted = tolerance.as_ref().is_some_and(|t| t.accepts(&path));
        if accepted {
            uncommitted.push(path);
        } else {
            report.extra.push(path);
        }
    }
    if let Some(tolerance) = tolerance {
        report.unfinished = Some(Unfinished {
            current_step: match tolerance {
                Tolerance::Running(step) => step,
                Tolerance::InsideRunUpdate { .. } => None,
            },
            run_json_uncovered: !run_listed,
            uncommitted,
        });
    }
    report.missing.sort();
    report.modified.sort();
    report.extra.sort();
    Ok(report)
}

/// The cross-checks between `run.json`'s steps and what `SHA256SUMS` lists (see the module
/// documentation). `damaged` says whether a listed file failed its re-hash (already reported).
fn check_steps(
    dir: &Path,
    run: &RunRecord,
    listed: &BTreeSet<String>,
    damaged: &dyn Fn(&str) -> bool,
    inconsistent: &mut Vec<String>,
) {
    let dirs = record_dirs(
        run.steps
            .iter()
            .map(|s| (s.phase, s.id.as_str(), s.attempt)),
    );
    let in_progress = run
        .current_step
        .as_deref()
        .filter(|_| run.status == RunStatus::Running)
        .and_then(normalize);
    let mut named = BTreeSet::new();
    for (position, step) in run.steps.iter().enumerate() {
        let index = position + 1;
        let who = if step.phase == Phase::Main && step.attempt == 1 {
            format!("step {index} ({})", plain(&step.id))
        } else {
            format!(
                "step {index} ({}, {} attempt {})",
                plain(&step.id),
                step.phase,
                step.attempt
            )
        };
        let Some(expected) = dirs[position].clone() else {
            inconsistent.push(format!(
                "{who}: {RUN_FILE} records attempt {} without the attempt before it",
                step.attempt
            ));
            continue;
        };
        if step.index != index {
            inconsistent.push(format!(
                "{who}: {RUN_FILE} numbers it {} at position {index}",
                step.index
            ));
        }
        let Some(rel) = step.dir.as_deref() else {
            if !matches!(step.status, StepStatus::NotRun | StepStatus::Skipped) {
                inconsistent.push(format!(
                    "{who}: {RUN_FILE} says {} but names no step directory",
                    step.status
                ));
            }
            continue;
        };
        if normalize(rel).as_deref() != Some(expected.as_str()) {
            inconsistent.push(format!(
                "{who}: {RUN_FILE} names the directory {rel:?}, expected {expected}"
            ));
            continue;
        }
        named.insert(expected.clone());
        if in_progress.as_deref() == Some(expected.as_str()) {
            // Being written when the run was killed (or still running): partial by design.
            continue;
        }
        let result_path = format!("{expected}/{RESULT_FILE}");
        let mut wanted = vec![result_path.clone(), format!("{expected}/{LOG_FILE}")];
        let mut unlisted: Vec<&str> = Vec::new();
        for path in &wanted {
            if !listed.contains(path) {
                unlisted.push(path);
            }
        }
        if !unlisted.is_empty() {
            inconsistent.push(format!(
                "{who}: {RUN_FILE} says {}, but {} not listed in {SUMS_FILE} (a removed step?)",
                step.status,
                match unlisted.as_slice() {
                    [one] => format!("{one} is"),
                    many => format!("{} are", many.join(" and ")),
                }
            ));
        }
        if listed.contains(&result_path) && !damaged(&result_path) {
            match read_record::<StepResult>(&dir.join(&result_path), "step result") {
                Ok(Some(result)) => {
                    if result.status != step.status
                        || result.index != index
                        || result.id != step.id
                        || result.phase != step.phase
                        || result.attempt != step.attempt
                    {
                        inconsistent.push(format!(
                            "{who}: {RUN_FILE} says {}, but {result_path} records step {} ({}) as {}",
                            step.status,
                            result.index,
                            plain(&result.id),
                            result.status
                        ));
                    }
                    for name in &result.attachments {
                        let path = format!("{expected}/{name}");
                        if !listed.contains(&path) {
                            inconsistent.push(format!(
                                "{who}: its attachment {} is not listed in {SUMS_FILE}",
                                plain(&path)
                            ));
                        }
                        wanted.push(path);
                    }
                }
                Ok(None) => {}
                Err(e) => inconsistent.push(format!("{who}: {e}")),
            }
            let prefix = format!("{expected}/");
            for path in listed.range(prefix.clone()..) {
                if !path.starts_with(&prefix) {
                    break;
                }
                if !wanted.contains(path) {
                    inconsistent.push(format!(
                        "{who}: {} is listed in {SUMS_FILE} but is not a file of the step \
                         ({result_path} does not name it)",
                        plain(path)
                    ));
                }
            }
        }
    }
    // Step directories run.json does not name: found through listed files and files on disk.
    let mut strays = BTreeSet::new();
    let on_disk = walk(&dir.join(STEPS_DIR)).unwrap_or_default();
    let candidates = listed
        .iter()
        .filter_map(|p| p.strip_prefix(&format!("{STEPS_DIR}/")).map(str::to_owned))
        .chain(on_disk);
    for rest in candidates {
        let Some((name, _)) = rest.split_once('/') else {
            continue;
        };
        let step = format!("{STEPS_DIR}/{}", plain(name));
        if !named.contains(&step) {
            strays.insert(step);
        }
    }
    for step in strays {
        inconsistent.push(format!(
            "{step}: a step directory that {RUN_FILE} does not name (extra)"
        ));
    }
}

/// Where an unfinished run may have left uncommitted files.
enum Tolerance {
    /// `run.json` is intact and says `running`; the step in progress, if any.
    Running(Option<String>),
    /// `run.json` is not listed: killed between the phases of its replacement.
    /// With `verdict_pending`, the update writes the verdict (and so report.md).
    InsideRunUpdate { verdict_pending: bool },
}

impl Tolerance {
    fn accepts(&self, path: &str) -> bool {
        let top_level_temp = !path.contains('/') && is_temp_name(path);
        match self {
            Tolerance::Running(step) => {
                top_level_temp
                    || step.as_ref().is_some_and(|s| {
                        path.strip_prefix(s.as_str())
                            .is_some_and(|r| r.starts_with('/'))
                    })
            }
            Tolerance::InsideRunUpdate { verdict_pending } => {
                top_level_temp || path == RUN_FILE || (*verdict_pending && path == REPORT_FILE)
            }
        }
    }
}

/// Every non-directory entry under `dir`, relative, `/`-separated, sorted; symbolic links are
/// listed, never followed.
fn walk(dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut pending = vec![(dir.to_owned(), String::new())];
    while let Some((abs, rel)) = pending.pop() {
        let read_error = |source| EvidenceError::Read {
            path: abs.clone(),
            source,
        };
        for entry in fs::read_dir(&abs).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel_path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let file_type = entry.file_type().map_err(read_error)?;
            if file_type.is_dir() {
                pending.push((entry.path(), rel_path));
            } else {
                found.push(rel_path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `text` with control characters escaped (`\u{1b}`, `\n`): ids and names in the cross-check
/// messages come from records and directory entries a forger controls, and must not move the
/// terminal's cursor or start a line of their own.
fn plain(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Long garbage lines are cut so one bad line does not flood the terminal.
fn shorten(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}...")
}
