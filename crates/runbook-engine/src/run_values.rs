//! The values a run learns as it goes: `${run.*}` (fixed when the run starts) and each finished
//! step's outputs (`${steps.ID.outputs.NAME}`), which later steps read through
//! [`StepContext::expand`](crate::StepContext::expand).
//!
//! The spec has already checked every reference statically (the step exists, comes earlier and
//! declares the output), so a value missing here means the step did not produce it in this run:
//! it was skipped, failed under `continue_on_error`, or the run started after it (`--from`).
//! That is an error of the step that uses it, never an empty string.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, Utc};
use runbook_evidence::OutputValue;

/// Longest output value kept (64 KiB): outputs are names, ports, paths and digests, and a
/// shell's last line of output is cut to this before it is recorded, so the store stays small
/// whatever the steps print.
pub(crate) const MAX_OUTPUT_BYTES: usize = 64 * 1024;

#[derive(Debug, Default)]
pub(crate) struct RunValues {
    id: String,
    started_utc: String,
    evidence_dir: String,
    steps: HashMap<String, BTreeMap<String, OutputValue>>,
}

impl RunValues {
    /// `id` is the run's id as the run lock and the `io.runbook.run` label carry it; `started`
    /// gives `${run.started_utc}` in the evidence directory's own format (`YYYYMMDDTHHMMSSZ`).
    pub(crate) fn new(id: &str, started: DateTime<Utc>, evidence_dir: &Path) -> Self {
        RunValues {
            id: id.to_owned(),
            started_utc: started.format("%Y%m%dT%H%M%SZ").to_string(),
            evidence_dir: evidence_dir.display().to_string(),
            steps: HashMap::new(),
        }
    }

    /// Keeps a finished step's outputs for the steps after it (a later attempt of the same step
    /// replaces them).
    pub(crate) fn record(&mut self, step_id: &str, outputs: &BTreeMap<String, OutputValue>) {
        if outputs.is_empty() {
            return;
        }
        let kept = outputs
            .iter()
            .map(|(name, value)| {
                let mut value = value.clone();
                cut_to(&mut value.value, MAX_OUTPUT_BYTES);
                (name.clone(), value)
            })
            .collect();
        self.steps.insert(step_id.to_owned(), kept);
    }

    /// `${run.FIELD}`.
    pub(crate) fn run_field(&self, field: &str) -> Option<&str> {
        match field {
            "id" => Some(&self.id),
            "started_utc" => Some(&self.started_utc),
            "evidence_dir" => Some(&self.evidence_dir),
            _ => None,
        }
    }

    /// `${steps.STEP.outputs.NAME}`, when the step produced it in this run.
    pub(crate) fn output(&self, step: &str, name: &str) -> Option<&OutputValue> {
        self.steps.get(step)?.get(name)
    }
}

/// The step before `step_id` that provides the file `text` names: the step whose output `text`
/// uses, or a shell step whose `produces` names exactly that path (as written, after parse-time
/// interpolation). Such a file does not exist before the run gets there, or is an old copy:
/// check mode reports it as provided by that step, and consent cannot read it in advance.
pub(crate) fn producer_before(
    runbook: &runbook_spec::Runbook,
    step_id: &str,
    text: &str,
) -> Option<String> {
    if let Some((step, _)) = runbook_spec::output_refs(text).into_iter().next() {
        return Some(step);
    }
    runbook
        .steps
        .iter()
        .take_while(|s| s.id != step_id)
        .find(|s| match &s.kind {
            runbook_spec::StepKind::Shell(shell) => shell
                .produces
                .values()
                .any(|path| path.as_os_str() == std::ffi::OsStr::new(text)),
            _ => false,
        })
        .map(|s| s.id.clone())
}

/// Cuts `text` to at most `max` bytes, at a character boundary.
pub(crate) fn cut_to(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_outputs_per_step_and_the_run_fields() {
        let started = DateTime::parse_from_rfc3339("2026-12-02T06:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut values =
            RunValues::new("abc123", started, Path::new("artifacts/x/20261202T060405Z"));
        assert_eq!(values.run_field("started_utc"), Some("20261202T060405Z"));
        assert_eq!(values.run_field("id"), Some("abc123"));
        assert_eq!(values.run_field("nope"), None);
        let mut outputs = BTreeMap::new();
        outputs.insert("port".to_owned(), OutputValue::plain("55432"));
        outputs.insert(
            "big".to_owned(),
            OutputValue::plain("é".repeat(MAX_OUTPUT_BYTES)),
        );
        values.record("db", &outputs);
        assert_eq!(values.output("db", "port").unwrap().value, "55432");
        assert!(values.output("db", "big").unwrap().value.len() <= MAX_OUTPUT_BYTES);
        assert!(values.output("db", "other").is_none());
        assert!(values.output("other", "port").is_none());
    }
}
