//! What a report says, independent of how it is drawn.

use crate::load::{Evidence, StepEntry};
use crate::report::text::{duration, timestamp};
use crate::status::{RunStatus, StepStatus};
use crate::step_result::{ErrorRecord, GateCheckRecord};
use crate::verify::VerifyReport;

#[derive(Debug)]
pub(crate) struct Model {
    /// The run's status, e.g. `gate_failed`.
    pub status: RunStatus,
    pub name: String,
    /// Shown above everything else.
    pub warnings: Vec<Warning>,
    /// The verdict table: label and value.
    pub facts: Vec<(&'static str, String)>,
    pub gates: Vec<GateView>,
    pub steps: Vec<StepView>,
    pub notes: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Warning {
    pub headline: String,
    pub lines: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct GateView {
    /// `06 gate-db-restored`.
    pub label: String,
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
    pub duration: String,
    /// The summary, or for a failed step its error with file:line.
    pub outcome: String,
}

impl Model {
    pub(crate) fn build(evidence: &Evidence, integrity: Option<&VerifyReport>) -> Model {
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
        let number = |index: usize| format!("{index:0width$}");

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

        let gates = evidence
            .steps
            .iter()
            .filter(|e| e.is_gate())
            .map(|e| gate_view(e, number(e.summary.index)))
            .collect();
        let steps = evidence
            .steps
            .iter()
            .map(|e| StepView {
                number: number(e.summary.index),
                id: e.summary.id.clone(),
                kind: e.summary.kind.clone(),
                status: e.summary.status,
                duration: e.summary.duration_ms.map(duration).unwrap_or_default(),
                outcome: step_outcome(e),
            })
            .collect();
        Model {
            status: run.status,
            name: run.runbook.name.clone(),
            warnings,
            facts,
            gates,
            steps,
            notes: notes(evidence),
        }
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
        label: format!("{number} {}", entry.summary.id),
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
    let mut notes = run.notes.clone();
    if let Some(from) = &run.from_step {
        let skipped = run.steps.iter().take_while(|s| &s.id != from).count();
        notes.push(format!(
            "started from step {from} (--from): the {skipped} step(s) before it were not run"
        ));
    }
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
