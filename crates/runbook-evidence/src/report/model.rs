//! What a report says, independent of how it is drawn.
//!
//! The verdict comes first and never reads as a pass while anything failed: the headline is
//! derived from the run's status *and* from every step's status in `run.json` (a record that
//! says `passed` above a failed step gets a failing headline and a warning). The failures come
//! directly under it, then the `--from` note and the run's notes, the facts, the integrity
//! state and the sign-off; then gates with their checks and queries, and every step with its
//! description, inputs, details, outputs, log excerpt and files.

use std::collections::BTreeMap;
use std::path::Path;

use crate::approval::ApprovalState;
use crate::layout::{
    LOG_FILE, PARTIAL_LOG_FILE, REPORT_FILE, RESULT_FILE, RUN_FILE, RUNBOOK_FILE,
    is_valid_attachment,
};
use crate::load::{Evidence, StepEntry};
use crate::report::log::{LogExcerpt, REPORT_LOG_BUDGET, excerpt};
use crate::report::text::{duration, timestamp};
use crate::status::{Mode, RunStatus, StepStatus};
use crate::step_result::{ErrorRecord, GateCheckRecord, InputFile, RecordedOutput};
use crate::verify::VerifyReport;

/// How the headline reads at a glance (its colour on screen; the words say it on paper).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Pass,
    /// Passed, but allowed failures happened.
    Warn,
    Fail,
}

#[derive(Debug)]
pub(crate) struct Model {
    /// The run's status, e.g. `gate_failed`.
    pub status: RunStatus,
    /// `GATE FAILED`, `PASSED WITH 1 ALLOWED FAILURE`, ...
    pub headline: String,
    pub tone: Tone,
    pub name: String,
    /// Shown above everything else.
    pub warnings: Vec<Warning>,
    /// Every failed or blocked step, in run order.
    pub failures: Vec<FailureView>,
    /// Directly under the failures: `--from` and the run's own notes.
    pub top_notes: Vec<String>,
    /// The verdict table: label and value.
    pub facts: Vec<(&'static str, String)>,
    pub integrity: IntegrityView,
    pub signoff: SignoffView,
    pub gates: Vec<GateView>,
    pub steps: Vec<StepView>,
    pub notes: Vec<String>,
    /// Prefix of relative links to evidence files (empty: the report sits in the directory).
    pub link_base: String,
    /// The run's own files present in the directory (run.json, runbook.yaml, report.md,
    /// SHA256SUMS), for links.
    pub run_files: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Warning {
    pub headline: String,
    pub lines: Vec<String>,
}

/// A failed or blocked step, as the top of the report lists it.
#[derive(Debug)]
pub(crate) struct FailureView {
    pub number: String,
    pub id: String,
    pub kind: String,
    pub status: StepStatus,
    /// `continue_on_error: true`: the run went on.
    pub allowed: bool,
    /// A gate whose checks failed (not one whose query could not run): decides `gate_failed`
    /// even when allowed.
    pub gate: bool,
    pub description: Option<String>,
    /// The step's summary line.
    pub summary: String,
    /// The error with file:line:col and SQLSTATE, then DETAIL, HINT, CONTEXT lines.
    pub error: Vec<String>,
    /// Failed gate checks: `name: expected X, found Y`.
    pub checks: Vec<String>,
    /// The HTML anchor of the step's section.
    pub anchor: String,
}

#[derive(Debug)]
pub(crate) enum IntegrityView {
    /// The report was written by the run into its own evidence (`report.md`).
    AtWriting,
    /// Rendered without running `verify`.
    NotChecked,
    /// What `verify` found at report time.
    Checked {
        intact: bool,
        checked: usize,
        problems: Vec<String>,
        pending_approvals: Vec<String>,
    },
}

#[derive(Debug)]
pub(crate) enum SignoffView {
    AtWriting,
    NotChecked,
    Checked(Vec<ApprovalView>),
}

#[derive(Debug)]
pub(crate) struct ApprovalView {
    pub path: String,
    pub approver: String,
    pub when: String,
    pub by: String,
    pub comment: Option<String>,
    pub sums_sha256: String,
    pub current: bool,
    pub problem: Option<String>,
}

#[derive(Debug)]
pub(crate) struct GateView {
    /// `06 gate-db-restored`.
    pub label: String,
    pub anchor: String,
    pub status: StepStatus,
    pub duration_ms: Option<u64>,
    pub checks: Vec<GateCheckRecord>,
    /// Why the gate has no checks to show (did not run, failed before evaluating, ...).
    pub note: Option<String>,
}

#[derive(Debug)]
pub(crate) struct StepView {
    pub number: String,
    pub id: String,
    pub kind: String,
    pub status: StepStatus,
    pub allowed: bool,
    pub duration: String,
    /// The summary, or for a failed step its error with file:line.
    pub outcome: String,
    pub anchor: String,
    pub description: Option<String>,
    /// DETAIL, HINT, CONTEXT of the step's error.
    pub error_lines: Vec<String>,
    pub inputs: Vec<InputFile>,
    /// `details` of result.json, one compact line per key.
    pub details: Vec<(String, String)>,
    /// The step's outputs (`${steps.ID.outputs.NAME}`), name and value; a secret reads
    /// [`SECRET_OUTPUT`], since its value is never recorded.
    pub outputs: Vec<(String, String)>,
    pub log: Option<LogExcerpt>,
    /// Evidence files of the step, relative to the evidence directory.
    pub files: Vec<String>,
}

/// Report-wide caps on what `details` (and `outputs`) shows.
const MAX_DETAIL_KEYS: usize = 30;
const MAX_DETAIL_CHARS: usize = 300;

/// What the report shows for a secret output: its value is not in `result.json`, and the
/// reader should know that it exists, not guess it was empty.
pub(crate) const SECRET_OUTPUT: &str = "(secret, not recorded)";

/// Where a report is built for: inside the run (no verify yet) or on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Occasion {
    AtWriting,
    OnDemand,
}

impl Model {
    pub(crate) fn build(
        evidence: &Evidence,
        integrity: Option<&VerifyReport>,
        occasion: Occasion,
        link_base: &str,
    ) -> Model {
        let run = &evidence.run;
        let mut warnings = Vec::new();
        if let Some(report) = integrity.filter(|r| !r.is_intact()) {
            warnings.push(Warning {
                headline: "this evidence directory is NOT intact: files changed after the run \
                           wrote them, do not rely on it"
                    .to_owned(),
                lines: report.problems(),
            });
        }
        if run.status == RunStatus::Running {
            let mut lines = Vec::new();
            if let Some(step) = &run.current_step {
                lines.push(format!("step in progress: {step}"));
            }
            if let Some(unfinished) = integrity.and_then(|r| r.unfinished.as_ref()) {
                lines.extend(
                    unfinished
                        .uncommitted
                        .iter()
                        .map(|p| format!("not covered by SHA256SUMS: {p}")),
                );
            }
            warnings.push(Warning {
                headline: "the run did not finish: run.json still says running (the process \
                           was killed, or is still going)"
                    .to_owned(),
                lines,
            });
        }
        let width = run.steps.len().to_string().len().max(2);
        // A later attempt carries its first attempt's number: the step's place in the plan.
        let firsts = first_indices(evidence);
        let number = |index: usize| {
            let index = firsts.get(&index).copied().unwrap_or(index);
            format!("{index:0width$}")
        };

        // A failed attempt that a later attempt of the same step replaced is shown with the
        // step, not as a failure of the run: the last attempt is the step's outcome.
        let superseded = superseded_attempts(evidence);
        let failures: Vec<FailureView> = evidence
            .steps
            .iter()
            .filter(|e| !superseded.contains(&e.summary.index))
            .filter(|e| matches!(e.summary.status, StepStatus::Failed | StepStatus::Blocked))
            .map(|e| failure_view(e, number(e.summary.index)))
            .collect();
        let (headline, tone) = headline(run.status, run.mode, &failures);
        if run.status.is_clean_pass() || run.status == RunStatus::PassedWithFailures {
            let not_allowed: Vec<String> = failures
                .iter()
                .filter(|f| !f.allowed || is_gate_failure(f))
                .map(|f| format!("step {} ({}): {}", f.number, f.id, f.status))
                .collect();
            if !not_allowed.is_empty() {
                warnings.push(Warning {
                    headline: format!(
                        "run.json states the verdict '{}', yet steps failed that no \
                         continue_on_error allowed (or a gate failed): the verdict above is \
                         taken from the steps",
                        run.status
                    ),
                    lines: not_allowed,
                });
            }
        }

        let mut top_notes = Vec::new();
        if let Some(from) = &run.from_step {
            let skipped = run.steps.iter().take_while(|s| &s.id != from).count();
            top_notes.push(match skipped {
                0 => format!("started at step {from} (--from), the runbook's first step"),
                1 => format!("started at step {from} (--from): step 1 was not run in this run"),
                n => {
                    format!("started at step {from} (--from): steps 1-{n} were not run in this run")
                }
            });
        }
        top_notes.extend(undo_note(run));
        top_notes.extend(attempt_notes(run));
        top_notes.extend(run.notes.iter().cloned());

        let mut facts = vec![("status", run.status.to_string())];
        let mut runbook = run.runbook.name.clone();
        if let Some(description) = run.runbook.description.as_deref().filter(|d| !d.is_empty()) {
            runbook.push_str(": ");
            runbook.push_str(description.trim());
        }
        facts.push(("runbook", runbook));
        facts.push(("runbook file", run.runbook.path.clone()));
        facts.push(("runbook sha256", run.runbook.sha256.clone()));
        facts.push(("mode", run.mode.to_string()));
        facts.push(("operator", format!("{}@{}", run.operator, run.host)));
        facts.push(("started", timestamp(run.started_at)));
        facts.push((
            "finished",
            run.finished_at
                .map_or_else(|| "not finished".to_owned(), timestamp),
        ));
        facts.push((
            "duration",
            run.duration_ms
                .map_or_else(|| "unknown".to_owned(), duration),
        ));
        facts.push(("evidence", evidence.dir.display().to_string()));
        facts.push(("tool", format!("{} {}", run.tool.name, run.tool.version)));

        let (integrity_view, signoff) = match (occasion, integrity) {
            (Occasion::AtWriting, _) => (IntegrityView::AtWriting, SignoffView::AtWriting),
            (Occasion::OnDemand, None) => (IntegrityView::NotChecked, SignoffView::NotChecked),
            (Occasion::OnDemand, Some(report)) => (
                IntegrityView::Checked {
                    intact: report.is_intact(),
                    checked: report.checked,
                    problems: report.problems(),
                    pending_approvals: report.pending_approvals.clone(),
                },
                SignoffView::Checked(report.approvals.iter().map(approval_view).collect()),
            ),
        };

        let gates = evidence
            .steps
            .iter()
            .filter(|e| e.is_gate())
            .map(|e| gate_view(e, number(e.summary.index)))
            .collect();
        let mut budget = REPORT_LOG_BUDGET;
        let steps = in_plan_order(evidence)
            .into_iter()
            .map(|e| step_view(&evidence.dir, run, e, number(e.summary.index), &mut budget))
            .collect();
        Model {
            status: run.status,
            headline,
            tone,
            name: run.runbook.name.clone(),
            warnings,
            failures,
            top_notes,
            facts,
            integrity: integrity_view,
            signoff,
            gates,
            steps,
            notes: notes(evidence),
            link_base: link_base.to_owned(),
            run_files: [RUN_FILE, RUNBOOK_FILE, REPORT_FILE, crate::sums::SUMS_FILE]
                .into_iter()
                .filter(|f| {
                    // report.md is being written when the run renders it.
                    (occasion == Occasion::AtWriting && *f == REPORT_FILE)
                        || std::fs::symlink_metadata(evidence.dir.join(f))
                            .is_ok_and(|m| m.is_file())
                })
                .map(str::to_owned)
                .collect(),
        }
    }
}

impl Model {
    /// The line shown where the failures would be when no step failed: a pass says so; a run
    /// that ended otherwise (blocked before its first step, interrupted between steps) must
    /// not read as "nothing failed".
    pub(crate) fn no_failure_line(&self) -> Option<String> {
        if !self.failures.is_empty() || !self.status.is_finished() {
            return None;
        }
        Some(match self.status {
            RunStatus::Passed | RunStatus::Ready => {
                "Nothing failed: every step that ran passed.".to_owned()
            }
            other => format!(
                "No step recorded a failure, yet the run ended {other}: it stopped before or \
                 between steps (the notes say why when the run recorded it)."
            ),
        })
    }
}

fn is_gate_failure(f: &FailureView) -> bool {
    f.gate
}

/// The headline: the status in words, checked against the steps.
fn headline(status: RunStatus, mode: Mode, failures: &[FailureView]) -> (String, Tone) {
    let allowed = failures.iter().filter(|f| f.allowed).count();
    let all_allowed = failures.iter().all(|f| f.allowed && !is_gate_failure(f));
    let with_allowed = |word: &str| {
        let plural = if allowed == 1 { "" } else { "S" };
        (
            format!("{word} WITH {allowed} ALLOWED FAILURE{plural}"),
            Tone::Warn,
        )
    };
    let worst = || {
        let word = if mode == Mode::Check {
            "WOULD FAIL"
        } else if failures
            .iter()
            .any(|f| f.status == StepStatus::Blocked && !f.allowed)
        {
            "BLOCKED"
        } else if failures.iter().any(|f| !f.allowed && !is_gate_failure(f)) {
            "FAILED"
        } else {
            "GATE FAILED"
        };
        (word.to_owned(), Tone::Fail)
    };
    match status {
        RunStatus::Passed | RunStatus::Ready if failures.is_empty() => {
            (status.as_str().to_uppercase(), Tone::Pass)
        }
        RunStatus::PassedWithFailures if failures.is_empty() => {
            ("PASSED WITH ALLOWED FAILURES".to_owned(), Tone::Warn)
        }
        RunStatus::Passed | RunStatus::PassedWithFailures if all_allowed => with_allowed("PASSED"),
        RunStatus::Ready if all_allowed => with_allowed("READY"),
        RunStatus::Passed | RunStatus::PassedWithFailures | RunStatus::Ready => worst(),
        RunStatus::Failed => ("FAILED".to_owned(), Tone::Fail),
        RunStatus::GateFailed => ("GATE FAILED".to_owned(), Tone::Fail),
        RunStatus::Blocked => ("BLOCKED".to_owned(), Tone::Fail),
        RunStatus::Interrupted => ("INTERRUPTED".to_owned(), Tone::Fail),
        RunStatus::WouldFail => ("WOULD FAIL".to_owned(), Tone::Fail),
        RunStatus::Running => ("RUNNING".to_owned(), Tone::Fail),
    }
}

fn anchor(number: &str) -> String {
    format!("step-{number}")
}

/// A record's anchor: a later attempt shares its step's number, so its attempt is added.
fn record_anchor(number: &str, attempt: u32) -> String {
    match attempt {
        0 | 1 => anchor(number),
        n => format!("{}-attempt-{n}", anchor(number)),
    }
}

/// A record's name in the report: the step id, with its phase when not `main` and its attempt
/// when not the first (`migrate (attempt 2)`, `rm-db (finally)`).
pub(crate) fn record_label(summary: &crate::run_record::StepSummary) -> String {
    let mut notes = Vec::new();
    if summary.phase != crate::run_record::Phase::Main {
        notes.push(summary.phase.name().to_owned());
    }
    if summary.attempt > 1 {
        notes.push(format!("attempt {}", summary.attempt));
    }
    if notes.is_empty() {
        summary.id.clone()
    } else {
        format!("{} ({})", summary.id, notes.join(", "))
    }
}

/// The indices of records a later attempt of the same step (same phase) followed.
pub(crate) fn superseded_attempts(evidence: &Evidence) -> std::collections::HashSet<usize> {
    let mut last: std::collections::HashMap<(crate::run_record::Phase, &str), (u32, usize)> =
        std::collections::HashMap::new();
    for entry in &evidence.steps {
        let s = &entry.summary;
        let slot = last
            .entry((s.phase, s.id.as_str()))
            .or_insert((s.attempt, s.index));
        if s.attempt >= slot.0 {
            *slot = (s.attempt, s.index);
        }
    }
    let kept: std::collections::HashSet<usize> = last.values().map(|&(_, index)| index).collect();
    evidence
        .steps
        .iter()
        .map(|e| e.summary.index)
        .filter(|index| !kept.contains(index))
        .collect()
}

/// Each record's index mapped to the index of its step's first attempt (same phase).
fn first_indices(evidence: &Evidence) -> std::collections::HashMap<usize, usize> {
    let mut first: std::collections::HashMap<(crate::run_record::Phase, &str), usize> =
        std::collections::HashMap::new();
    evidence
        .steps
        .iter()
        .map(|e| {
            let s = &e.summary;
            let at = *first.entry((s.phase, s.id.as_str())).or_insert(s.index);
            (s.index, at)
        })
        .collect()
}

/// The records as the plan reads: by phase (main, undo, finally), each step where its first
/// attempt is, its later attempts right after it. The journal itself is in the order records
/// were appended.
fn in_plan_order(evidence: &Evidence) -> Vec<&StepEntry> {
    let mut first: std::collections::HashMap<(crate::run_record::Phase, &str), usize> =
        std::collections::HashMap::new();
    for entry in &evidence.steps {
        first
            .entry((entry.summary.phase, entry.summary.id.as_str()))
            .or_insert(entry.summary.index);
    }
    let mut entries: Vec<&StepEntry> = evidence.steps.iter().collect();
    entries.sort_by_key(|e| {
        let s = &e.summary;
        (
            s.phase,
            first
                .get(&(s.phase, s.id.as_str()))
                .copied()
                .unwrap_or(s.index),
            s.attempt,
        )
    });
    entries
}

fn failure_view(entry: &StepEntry, number: String) -> FailureView {
    let result = entry.result.as_ref();
    let summary = result.map_or_else(|| entry.summary.summary.clone(), |r| r.summary.clone());
    let mut error = Vec::new();
    if let Some(e) = result.and_then(|r| r.error.as_ref()) {
        let described = describe_error(e);
        // Not again when the summary already says it word for word.
        if !summary.contains(&described) {
            error.push(described);
        }
        error.extend(error_lines(e));
    } else if let Some(problem) = &entry.problem {
        error.push(problem.clone());
    }
    let checks = result
        .and_then(|r| r.gate.as_ref())
        .into_iter()
        .flatten()
        .filter(|c| !c.passed)
        .map(check_line)
        .collect();
    FailureView {
        anchor: record_anchor(&number, entry.summary.attempt),
        number,
        id: record_label(&entry.summary),
        kind: entry.summary.kind.clone(),
        status: entry.summary.status,
        allowed: entry.summary.continue_on_error,
        gate: entry.summary.status == StepStatus::Failed
            && result.is_some_and(|r| r.gate.is_some() && r.error.is_none()),
        description: description(entry),
        summary,
        error,
        checks,
    }
}

/// `name: expected X, found Y (missing: a, b) (error: ...)`.
pub(crate) fn check_line(check: &GateCheckRecord) -> String {
    let mut line = format!(
        "{}: expected {}, found {}",
        check.name, check.expected, check.actual
    );
    if !check.missing.is_empty() {
        line.push_str(&format!(" (missing: {})", check.missing.join(", ")));
    }
    if let Some(error) = &check.error {
        line.push_str(&format!(" (error: {error})"));
    }
    line
}

fn description(entry: &StepEntry) -> Option<String> {
    entry
        .summary
        .description
        .clone()
        .or_else(|| entry.result.as_ref().and_then(|r| r.description.clone()))
        .filter(|d| !d.trim().is_empty())
}

fn error_lines(error: &ErrorRecord) -> Vec<String> {
    let mut lines = Vec::new();
    for (label, value) in [
        ("DETAIL", &error.detail),
        ("HINT", &error.hint),
        ("CONTEXT", &error.context),
    ] {
        if let Some(value) = value {
            lines.push(format!("{label}: {value}"));
        }
    }
    lines
}

fn approval_view(state: &ApprovalState) -> ApprovalView {
    match &state.record {
        Some(r) => ApprovalView {
            path: state.path.clone(),
            approver: r.approver.clone(),
            when: timestamp(r.approved_at),
            by: format!("{}@{}", r.operator, r.host),
            comment: r.comment.clone(),
            sums_sha256: r.sums_sha256.clone(),
            current: state.current,
            problem: state.problem.clone(),
        },
        None => ApprovalView {
            path: state.path.clone(),
            approver: "(unreadable record)".to_owned(),
            when: String::new(),
            by: String::new(),
            comment: None,
            sums_sha256: String::new(),
            current: false,
            problem: state.problem.clone(),
        },
    }
}

fn step_view(
    dir: &Path,
    run: &crate::run_record::RunRecord,
    e: &StepEntry,
    number: String,
    budget: &mut u64,
) -> StepView {
    let result = e.result.as_ref();
    // Only a directory the loader accepted (inside steps/) is read or linked.
    let step_dir = e.summary.dir.as_deref().filter(|_| {
        e.problem
            .as_deref()
            .is_none_or(|p| !p.contains("is outside steps/"))
    });
    let step_dir = step_dir
        .and_then(crate::sums::normalize)
        .filter(|d| d.starts_with(&format!("{}/", crate::layout::STEPS_DIR)));
    let mut files = Vec::new();
    let mut log = None;
    if let Some(step_dir) = &step_dir {
        let in_progress = run.current_step.as_deref() == Some(step_dir.as_str());
        log = excerpt(dir, &format!("{step_dir}/{LOG_FILE}"), budget);
        if log.is_none() && in_progress {
            log = excerpt(dir, &format!("{step_dir}/{PARTIAL_LOG_FILE}"), budget);
        }
        if let Some(log) = &log {
            files.push(log.path.clone());
        }
        if result.is_some() {
            files.push(format!("{step_dir}/{RESULT_FILE}"));
        }
        for name in result.into_iter().flat_map(|r| r.attachments.iter()) {
            if is_valid_attachment(name) {
                files.push(format!("{step_dir}/{name}"));
            }
        }
    }
    StepView {
        anchor: record_anchor(&number, e.summary.attempt),
        number,
        id: record_label(&e.summary),
        kind: e.summary.kind.clone(),
        status: e.summary.status,
        allowed: e.summary.continue_on_error,
        duration: e.summary.duration_ms.map(duration).unwrap_or_default(),
        outcome: step_outcome(e),
        description: description(e),
        error_lines: result
            .and_then(|r| r.error.as_ref())
            .map(error_lines)
            .unwrap_or_default(),
        inputs: result.map(|r| r.inputs.clone()).unwrap_or_default(),
        details: result.map(|r| details(&r.details)).unwrap_or_default(),
        outputs: result.map(|r| outputs(&r.outputs)).unwrap_or_default(),
        log,
        files,
    }
}

/// `text`, cut to [`MAX_DETAIL_CHARS`] characters with a pointer to the whole.
fn capped(text: String) -> String {
    if text.chars().count() > MAX_DETAIL_CHARS {
        let cut: String = text.chars().take(MAX_DETAIL_CHARS).collect();
        format!("{cut}... (cut; see result.json)")
    } else {
        text
    }
}

/// One line per output, capped like `details`: an output may be a shell's last line of output,
/// up to 64 KiB, and a step may declare many.
fn outputs(recorded: &BTreeMap<String, RecordedOutput>) -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = recorded
        .iter()
        .take(MAX_DETAIL_KEYS)
        .map(|(name, output)| {
            let value = match (&output.value, output.secret) {
                (Some(value), false) => capped(value.clone()),
                _ => SECRET_OUTPUT.to_owned(),
            };
            (name.clone(), value)
        })
        .collect();
    if recorded.len() > MAX_DETAIL_KEYS {
        lines.push((
            "...".to_owned(),
            format!(
                "{} more outputs in result.json",
                recorded.len() - MAX_DETAIL_KEYS
            ),
        ));
    }
    lines
}

/// One compact line per top-level key of `details` (capped in keys and length).
fn details(value: &serde_json::Value) -> Vec<(String, String)> {
    let compact = |v: &serde_json::Value| {
        capped(match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    match value {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Object(map) => {
            let mut lines: Vec<(String, String)> = map
                .iter()
                .take(MAX_DETAIL_KEYS)
                .map(|(k, v)| (k.clone(), compact(v)))
                .collect();
            if map.len() > MAX_DETAIL_KEYS {
                lines.push((
                    "...".to_owned(),
                    format!("{} more keys in result.json", map.len() - MAX_DETAIL_KEYS),
                ));
            }
            lines
        }
        other => vec![("details".to_owned(), compact(other))],
    }
}

fn gate_view(entry: &StepEntry, number: String) -> GateView {
    let checks = entry
        .result
        .as_ref()
        .and_then(|r| r.gate.clone())
        .unwrap_or_default();
    let note = if entry.summary.status == StepStatus::NotRun {
        Some("did not run".to_owned())
    } else if let Some(error) = entry.result.as_ref().and_then(|r| r.error.as_ref()) {
        Some(describe_error(error))
    } else if checks.is_empty() {
        entry
            .problem
            .clone()
            .or_else(|| Some("no checks recorded".to_owned()))
    } else {
        None
    };
    GateView {
        anchor: record_anchor(&number, entry.summary.attempt),
        label: format!("{number} {}", record_label(&entry.summary)),
        status: entry.summary.status,
        duration_ms: entry.summary.duration_ms,
        checks,
        note,
    }
}

fn step_outcome(entry: &StepEntry) -> String {
    if let Some(result) = &entry.result {
        if let Some(error) = &result.error {
            return describe_error(error);
        }
        return result.summary.clone();
    }
    if let Some(problem) = &entry.problem {
        return problem.clone();
    }
    entry.summary.summary.clone()
}

/// `message (file:line:col, SQLSTATE 42P01)`.
pub(crate) fn describe_error(error: &ErrorRecord) -> String {
    let mut where_ = Vec::new();
    if let Some(location) = error.location() {
        where_.push(location);
    }
    if let Some(code) = &error.sqlstate {
        where_.push(format!("SQLSTATE {code}"));
    }
    let mut text = error.message.clone();
    if !where_.is_empty() {
        text.push_str(&format!(" ({})", where_.join(", ")));
    }
    text
}

fn notes(evidence: &Evidence) -> Vec<String> {
    let run = &evidence.run;
    let mut notes = Vec::new();
    for c in &run.confirmations {
        notes.push(format!(
            "changes to protected target {} confirmed by {}",
            c.target,
            c.how.describe()
        ));
    }
    for (name, target) in &run.targets {
        let mut parts = Vec::new();
        if let Some(url) = &target.postgres {
            parts.push(url.clone());
        }
        if target.ephemeral {
            parts.push("ephemeral cluster".to_owned());
        }
        if let Some(container) = &target.container {
            parts.push(format!("container {container}"));
        }
        if target.protected {
            parts.push("protected".to_owned());
        }
        notes.push(format!("target {name}: {}", parts.join(", ")));
    }
    if run.runbook.redacted {
        notes.push(
            "runbook.yaml had secrets redacted: its digest differs from the runbook sha256 above"
                .to_owned(),
        );
    }
    for entry in &evidence.steps {
        if let (Some(problem), Some(_)) = (&entry.problem, &entry.summary.dir) {
            notes.push(format!("step {}: {problem}", entry.summary.id));
        }
    }
    notes
}

/// What the report says near the top about undo: which run a `runbook undo` run rolled back,
/// or how the undo phase of a failed run (`on_failure: undo`) ended, since the run's status
/// stays its failure either way.
fn undo_note(run: &crate::run_record::RunRecord) -> Option<String> {
    let undo: Vec<_> = run
        .steps
        .iter()
        .filter(|s| s.phase == crate::run_record::Phase::Undo)
        .collect();
    let passed = undo
        .iter()
        .filter(|s| s.status == StepStatus::Passed)
        .map(|s| &s.id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let steps = undo
        .iter()
        .map(|s| &s.id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let how = if passed == steps {
        format!("all {steps} undo steps passed")
    } else {
        format!("{passed} of {steps} undo steps passed: the rollback is incomplete")
    };
    if let Some(of) = &run.undoes {
        return Some(format!(
            "undoes the run in {} (its SHA256SUMS sha256 {}): {how}",
            of.dir, of.sums_sha256
        ));
    }
    (steps > 0 && run.mode == crate::status::Mode::Run).then(|| {
        format!("the run failed and ran the undo steps of the steps that passed (on_failure: undo): {how}")
    })
}

/// One line per attempt of a resumed run (`run.json`'s `resumes`): who started it and when,
/// how it ended, and which records it wrote, so a reviewer sees which steps ran when. The
/// run's status is the last attempt's verdict. Nothing for a run never resumed.
fn attempt_notes(run: &crate::run_record::RunRecord) -> Vec<String> {
    if run.resumes.is_empty() {
        return Vec::new();
    }
    // A record belongs to the attempt of the run it started in (a step that never ran before
    // runs in its planned record, so its index does not say); one appended without a start
    // (never begun) to the attempt whose records it follows.
    let attempt_of = |s: &crate::run_record::StepSummary| match s.started_at {
        Some(t) => run.resumes.iter().filter(|r| r.started_at <= t).count(),
        None => run
            .resumes
            .iter()
            .filter(|r| r.first_record <= s.index)
            .count(),
    };
    let ran = |attempt: usize| {
        let names: Vec<String> = run
            .steps
            .iter()
            .filter(|s| s.dir.is_some() && attempt_of(s) == attempt)
            .map(|s| match s.attempt {
                1 => format!("{} {}", s.id, s.status),
                n => format!("{} (attempt {n}) {}", s.id, s.status),
            })
            .collect();
        if names.is_empty() {
            "no step".to_owned()
        } else {
            names.join(", ")
        }
    };
    let mut notes = vec![format!(
        "attempt 1 of the run: started {} by {}@{}, ended {}; ran: {}",
        timestamp(run.started_at),
        run.operator,
        run.host,
        ending(run.resumes[0].previous_status),
        ran(0)
    )];
    for (i, resume) in run.resumes.iter().enumerate() {
        let ended = run.resumes.get(i + 1).map_or_else(
            || format!("{} (the run's verdict)", run.status),
            |next| ending(next.previous_status),
        );
        let mut line = format!(
            "attempt {} of the run (--resume): started {} by {}@{}, ended {ended}",
            i + 2,
            timestamp(resume.started_at),
            resume.operator,
            resume.host,
        );
        if let Some(from) = &resume.from_step {
            line.push_str(&format!("; started at step {from} (--from)"));
        }
        if let Some(digest) = &resume.runbook_sha256 {
            line.push_str(&format!(
                "; RUNBOOK CHANGED (--allow-changed): sha256 {digest}, not {}",
                run.runbook.sha256
            ));
            if let Some(diff) = &resume.runbook_diff {
                line.push_str(&format!(
                    " (diff in run.json resumes[{i}].runbook_diff, {} lines)",
                    diff.split_terminator('\n').count()
                ));
            }
        }
        line.push_str(&format!("; ran: {}", ran(i + 1)));
        notes.push(line);
    }
    notes
}

/// How an earlier attempt of the run ended: one that never recorded a verdict was killed.
fn ending(status: RunStatus) -> String {
    match status {
        RunStatus::Running => "killed (no verdict recorded)".to_owned(),
        status => status.to_string(),
    }
}
