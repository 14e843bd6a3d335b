//! Sign-off: `runbook approve DIR --as NAME` appends an approval record to a finished run.
//!
//! An approval is a new file, `approvals/NNNN-NAME.json` (NNNN counts from 0001), holding who
//! approved, when, from which account and host, an optional comment, and the sha256 of the
//! `SHA256SUMS` it approved. `SHA256SUMS` is then rewritten to list it. Nothing else in the
//! directory changes: `report.md` stays the report the run wrote (`runbook report DIR` renders
//! the approvals on demand), so approval *k* approves exactly the run's evidence plus the
//! approvals before it. `verify` re-derives that state for every approval: the current
//! `SHA256SUMS` entries without approvals *k* and later, rendered as the writer renders them.
//! A digest that does not match means `SHA256SUMS` was rewritten after the approval (no tool
//! does that to a finished run), so it is a verify failure: "approval by X is for an earlier
//! state". Coreutils can check it too: `sha256sum SHA256SUMS` right after an approval prints
//! its digest.
//!
//! Crash safety, in the crate's protocol: the record is written whole (temp, fsync, rename,
//! fsync directory) before `SHA256SUMS` is replaced (same way) to list it. A kill before the
//! rename of `SHA256SUMS` leaves an unlisted record (and maybe the writer's temp files) that
//! `verify` accepts only as a *pending* approval: the next number, a readable record, and a
//! digest equal to the current `SHA256SUMS`. It does not count as an approval; running
//! `approve` again removes it. Concurrent `approve`s are serialised by a lock on the directory.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::atomic::{is_temp_name, remove_temp_files, sync_dir, write_atomic};
use crate::digest::sha256_hex;
use crate::errors::{EvidenceError, Result};
use crate::record_io::read_record;
use crate::run_record::{RunRecord, SCHEMA_VERSION, ToolInfo};
use crate::status::RunStatus;
use crate::sums::{SUMS_FILE, parse, render};
use crate::verify::{read_evidence_file, verify};

/// The directory of approval records inside an evidence directory.
pub const APPROVALS_DIR: &str = "approvals";
/// The longest approver name accepted (characters).
pub const MAX_APPROVER_CHARS: usize = 200;
/// The longest comment accepted (characters).
pub const MAX_COMMENT_CHARS: usize = 4000;
/// The most approvals a directory holds. `verify` re-hashes a version of `SHA256SUMS` per
/// approval, so the cap bounds its work (at most this many times the size of `SHA256SUMS`).
pub const MAX_APPROVALS: u32 = 100;
/// How much of the approver's name goes into the file name.
const MAX_NAME_IN_FILE: usize = 40;

/// The content of `approvals/NNNN-NAME.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    pub schema_version: u32,
    /// Who signs, as given to `--as`.
    pub approver: String,
    pub approved_at: DateTime<Utc>,
    /// The sha256 of the `SHA256SUMS` file this approval approves (the directory as it was
    /// just before the approval was added).
    pub sums_sha256: String,
    pub comment: Option<String>,
    /// The account and host `approve` ran as: who to ask.
    pub operator: String,
    pub host: String,
    /// The run's verdict when it was approved, so the record reads on its own.
    pub run_status: RunStatus,
    pub tool: ToolInfo,
}

/// What `verify` says about one approval, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalState {
    /// `approvals/0001-alice.json`.
    pub path: String,
    pub number: u32,
    /// The record, when it could be read.
    pub record: Option<ApprovalRecord>,
    /// True when the evidence is still exactly what was approved (plus later approvals).
    pub current: bool,
    /// Why the approval does not hold, one sentence (`current` is then false).
    pub problem: Option<String>,
}

/// What `approve` needs besides the directory.
#[derive(Debug, Clone)]
pub struct Approval {
    pub approver: String,
    pub comment: Option<String>,
    pub operator: String,
    pub host: String,
    pub tool: ToolInfo,
}

/// What `approve` wrote.
#[derive(Debug, Clone)]
pub struct Approved {
    /// Relative path of the new record.
    pub path: String,
    pub record: ApprovalRecord,
}

/// `0001` of `approvals/0001-alice.json`, when the path is an approval record's name.
pub(crate) fn approval_number(path: &str) -> Option<u32> {
    let name = path.strip_prefix(APPROVALS_DIR)?.strip_prefix('/')?;
    if name.contains('/') || !name.ends_with(".json") {
        return None;
    }
    let digits = name.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || name.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    digits.parse().ok().filter(|n| *n >= 1)
}

/// The file name part for an approver: letters, digits, `.`, `_`, `-`, other characters as
/// `-`, at most 40, never starting with `.`.
fn file_name_part(approver: &str) -> String {
    let mut part: String = approver
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_NAME_IN_FILE)
        .collect();
    while part.starts_with('.') {
        part.replace_range(..1, "-");
    }
    if part.trim_matches('-').is_empty() {
        part = "reviewer".to_owned();
    }
    part
}

/// The sha256 of the `SHA256SUMS` each approval approved, by number, re-derived from the listed
/// entries: for approval k, every entry but approvals k and later, rendered as the writer
/// renders them. Approval lines sort together (`approvals/NNNN-...`, in number order), so the
/// text for k is the lines before them, approvals 1..k-1, and the lines after them: one hash
/// state is carried along the approvals and finished with the lines after for each.
fn approved_state_digests(entries: &BTreeMap<String, String>) -> BTreeMap<u32, String> {
    use sha2::{Digest, Sha256};
    let line = |path: &str, digest: &str| format!("{digest}  {path}\n");
    let mut before = Sha256::new();
    let mut approvals: Vec<(u32, String)> = Vec::new();
    let mut after = String::new();
    for (path, digest) in entries {
        match approval_number(path) {
            Some(n) => approvals.push((n, line(path, digest))),
            None if approvals.is_empty() => {
                before.update(line(path, digest).as_bytes());
            }
            None => after.push_str(&line(path, digest)),
        }
    }
    // Paths between two approval records (`approvals/0001-a.json.x`) are not approval names:
    // `check_listed` reports them; they count as "after" here.
    approvals.sort_by_key(|(n, _)| *n);
    let mut digests = BTreeMap::new();
    for (number, text) in approvals.iter().take(MAX_APPROVALS as usize) {
        let mut state = before.clone();
        state.update(after.as_bytes());
        digests.insert(*number, hex::encode(state.finalize()));
        before.update(text.as_bytes());
    }
    digests
}

/// The approvals part of `verify`: the state of every listed approval, the inconsistencies
/// (one sentence each), and the unlisted files an interrupted `approve` may leave, which are
/// accepted as pending. `damaged` says whether a listed file failed its re-hash. Only called
/// for a run with a verdict whose `run.json` is listed and intact.
pub(crate) struct ApprovalFindings {
    pub states: Vec<ApprovalState>,
    pub inconsistent: Vec<String>,
}

pub(crate) fn check_listed(
    dir: &Path,
    listed: &BTreeMap<String, String>,
    damaged: &dyn Fn(&str) -> bool,
) -> ApprovalFindings {
    let mut findings = ApprovalFindings {
        states: Vec::new(),
        inconsistent: Vec::new(),
    };
    let prefix = format!("{APPROVALS_DIR}/");
    let mut numbers = BTreeSet::new();
    let digests = approved_state_digests(listed);
    for path in listed.keys().filter(|p| p.starts_with(&prefix)) {
        let Some(number) = approval_number(path) else {
            findings.inconsistent.push(format!(
                "{} is listed in {SUMS_FILE} but is not an approval record \
                 (expected approvals/NNNN-NAME.json)",
                path.escape_default()
            ));
            continue;
        };
        if !numbers.insert(number) {
            findings.inconsistent.push(format!(
                "{} reuses approval number {number:04}",
                path.escape_default()
            ));
        }
        let mut state = ApprovalState {
            path: path.clone(),
            number,
            record: None,
            current: false,
            problem: None,
        };
        if damaged(path) {
            state.problem = Some("the record itself was changed or removed".to_owned());
            findings.states.push(state);
            continue;
        }
        match read_record::<ApprovalRecord>(&dir.join(path), "approval record") {
            Ok(Some(_)) if number > MAX_APPROVALS => {
                let problem = format!(
                    "{} is approval number {number}: expected at most {MAX_APPROVALS}, not checked",
                    path.escape_default()
                );
                findings.inconsistent.push(problem.clone());
                state.problem = Some(problem);
            }
            Ok(Some(record)) => {
                let expected = digests.get(&number).cloned().unwrap_or_default();
                if record.sums_sha256 == expected {
                    state.current = true;
                } else {
                    let problem = format!(
                        "approval by {:?} ({}) is for an earlier state: {SUMS_FILE} was rewritten \
                         after it was approved (it approved {SUMS_FILE} sha256 {}, the same \
                         entries now hash to {expected})",
                        record.approver,
                        path.escape_default(),
                        record.sums_sha256.escape_default()
                    );
                    findings.inconsistent.push(problem.clone());
                    state.problem = Some(problem);
                }
                state.record = Some(record);
            }
            Ok(None) => {}
            Err(e) => {
                let problem = format!("{}: {e}", path.escape_default());
                findings.inconsistent.push(problem.clone());
                state.problem = Some(problem);
            }
        }
        findings.states.push(state);
    }
    // Approval k+1 approved a state that listed approval k: a gap is a removed approval.
    if let Some(&last) = numbers.last() {
        for missing in (1..last).filter(|n| !numbers.contains(n)) {
            findings.inconsistent.push(format!(
                "approval {missing:04} is not listed in {SUMS_FILE}, yet approval {last:04} \
                 comes after it: an approval was removed"
            ));
        }
    }
    findings.states.sort_by_key(|s| s.number);
    findings
}

/// Whether `path` (unlisted) is what an interrupted `approve` leaves in a finished run: the
/// writer's temp files under `approvals/`, `.SHA256SUMS.tmp` next to a pending record, or the
/// pending record itself (the next number, readable, approving the current `SHA256SUMS`).
pub(crate) fn is_pending(
    dir: &Path,
    path: &str,
    listed: &BTreeMap<String, String>,
    sums_sha256: &str,
) -> bool {
    let next = listed
        .keys()
        .filter_map(|p| approval_number(p))
        .max()
        .unwrap_or(0)
        + 1;
    let pending_record = |p: &str| {
        approval_number(p) == Some(next)
            && read_record::<ApprovalRecord>(&dir.join(p), "approval record")
                .ok()
                .flatten()
                .is_some_and(|r| r.sums_sha256 == sums_sha256)
    };
    if let Some(name) = path
        .strip_prefix(APPROVALS_DIR)
        .and_then(|r| r.strip_prefix('/'))
    {
        return (!name.contains('/') && is_temp_name(name)) || pending_record(path);
    }
    if path == crate::atomic::temp_name(SUMS_FILE) {
        // Written only after the record: accepted next to a pending one.
        return fs::read_dir(dir.join(APPROVALS_DIR)).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let p = format!("{APPROVALS_DIR}/{}", e.file_name().to_string_lossy());
                !listed.contains_key(&p) && pending_record(&p)
            })
        });
    }
    false
}

/// Records an approval of the evidence directory `dir` (see the module documentation).
///
/// Refuses a directory that does not verify ([`EvidenceError::NotIntact`]), a run without a
/// verdict ([`EvidenceError::ApproveUnfinished`]) and a bad name or comment.
pub fn approve(dir: &Path, approval: &Approval) -> Result<Approved> {
    check_text(
        "approver name",
        &approval.approver,
        MAX_APPROVER_CHARS,
        false,
    )?;
    if let Some(comment) = &approval.comment {
        check_text("comment", comment, MAX_COMMENT_CHARS, true)?;
    }
    // One approval at a time: a second `approve` waits here, then sees the first one's record.
    let lock = fs::File::open(dir).map_err(|source| EvidenceError::Read {
        path: dir.to_owned(),
        source,
    })?;
    lock.lock().map_err(|source| EvidenceError::Write {
        path: dir.to_owned(),
        source,
    })?;

    let report = verify(dir)?;
    if !report.is_intact() {
        return Err(EvidenceError::NotIntact {
            dir: dir.to_owned(),
            problems: report.problems(),
        });
    }
    let run: Option<RunRecord> = read_record(&dir.join(crate::layout::RUN_FILE), "run record")?;
    let run = run.ok_or_else(|| EvidenceError::NotEvidence {
        dir: dir.to_owned(),
    })?;
    if report.unfinished.is_some() || !run.status.is_finished() {
        return Err(EvidenceError::ApproveUnfinished {
            dir: dir.to_owned(),
        });
    }
    // What an interrupted approve left is not committed: remove it before writing anew.
    for leftover in &report.pending_approvals {
        let path = dir.join(leftover);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(EvidenceError::Write { path, source }),
        }
    }

    let sums_path = dir.join(SUMS_FILE);
    let sums = read_evidence_file(&sums_path).map_err(|source| EvidenceError::Read {
        path: sums_path.clone(),
        source,
    })?;
    let (entries, _) = parse(&String::from_utf8_lossy(&sums));
    let mut listed: BTreeMap<String, String> =
        entries.into_iter().map(|e| (e.path, e.sha256)).collect();
    let number = listed
        .keys()
        .filter_map(|p| approval_number(p))
        .max()
        .unwrap_or(0)
        + 1;
    if number > MAX_APPROVALS {
        return Err(EvidenceError::TooManyApprovals { max: MAX_APPROVALS });
    }
    let record = ApprovalRecord {
        schema_version: SCHEMA_VERSION,
        approver: approval.approver.clone(),
        approved_at: Utc::now(),
        sums_sha256: sha256_hex(&sums),
        comment: approval.comment.clone(),
        operator: approval.operator.clone(),
        host: approval.host.clone(),
        run_status: run.status,
        tool: approval.tool.clone(),
    };
    let mut bytes =
        serde_json::to_vec_pretty(&record).map_err(|source| EvidenceError::Serialize {
            what: "approval record".to_owned(),
            source,
        })?;
    bytes.push(b'\n');

    let approvals: PathBuf = dir.join(APPROVALS_DIR);
    match fs::create_dir(&approvals) {
        Ok(()) => sync_dir(dir)?,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(source) => {
            return Err(EvidenceError::CreateDir {
                path: approvals,
                source,
            });
        }
    }
    let name = format!("{number:04}-{}.json", file_name_part(&approval.approver));
    write_atomic(&approvals, &name, &bytes)?;
    let path = format!("{APPROVALS_DIR}/{name}");
    listed.insert(path.clone(), sha256_hex(&bytes));
    write_atomic(dir, SUMS_FILE, render(&listed).as_bytes())?;
    remove_temp_files(&approvals)?;
    Ok(Approved { path, record })
}

/// Names and comments are shown in reports: no control characters in a name (a comment may
/// have line breaks and tabs), and a bounded length.
fn check_text(what: &'static str, text: &str, max: usize, multiline: bool) -> Result<()> {
    let bad = text
        .chars()
        .find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t')));
    let count = text.chars().count();
    if text.trim().is_empty() || bad.is_some() || count > max {
        let found = if text.trim().is_empty() {
            "an empty text".to_owned()
        } else if let Some(c) = bad {
            format!("the control character {:?}", c)
        } else {
            format!("{count} characters")
        };
        return Err(EvidenceError::BadApprovalText {
            what,
            found,
            max,
            multiline,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_approved_state_is_the_listing_without_that_approval_and_later_ones() {
        let d = "ab".repeat(32);
        let mut entries = BTreeMap::new();
        for path in [
            "report.md",
            "approvals-x",
            "approvals/0001-a.json",
            "approvals/0002-b.json",
            "run.json",
            "steps/01-a/output.log",
        ] {
            entries.insert(path.to_owned(), d.clone());
        }
        let digests = approved_state_digests(&entries);
        for number in [1, 2] {
            let before: BTreeMap<String, String> = entries
                .iter()
                .filter(|(p, _)| approval_number(p).is_none_or(|n| n < number))
                .map(|(p, d)| (p.clone(), d.clone()))
                .collect();
            assert_eq!(digests[&number], sha256_hex(render(&before).as_bytes()));
        }
    }

    #[test]
    fn approval_file_names_are_numbered_and_plain() {
        assert_eq!(approval_number("approvals/0001-alice.json"), Some(1));
        assert_eq!(approval_number("approvals/0012-a.b.json"), Some(12));
        for not in [
            "approvals/0000-x.json",
            "approvals/1-x.json",
            "approvals/0001x.json",
            "approvals/0001-x.txt",
            "approvals/sub/0001-x.json",
            "other/0001-x.json",
        ] {
            assert_eq!(approval_number(not), None, "{not}");
        }
        assert_eq!(file_name_part("Alice Smith"), "Alice-Smith");
        assert_eq!(file_name_part("..x/../y"), "-.x-..-y");
        assert_eq!(file_name_part("山田"), "reviewer");
        assert_eq!(file_name_part(&"a".repeat(100)).len(), 40);
    }
}
