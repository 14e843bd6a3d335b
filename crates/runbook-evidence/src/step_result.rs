//! `result.json`: the structured outcome of one step.
//!
//! The engine describes an outcome with a [`StepOutcome`]; the [`StepWriter`](crate::StepWriter)
//! adds what it measured itself (index, id, kind, times) and writes the [`StepResult`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::status::StepStatus;

/// What the engine knows when a step ends.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutcome {
    pub status: StepStatus,
    /// One line for `run.json` and the report; only its first line is kept there.
    pub summary: String,
    pub error: Option<ErrorRecord>,
    pub inputs: Vec<InputFile>,
    /// Present for gate steps, even when a check could not be evaluated.
    pub gate: Option<Vec<GateCheckRecord>>,
    /// Kind-specific facts (sequence values before and after, container ids, exit codes, ...).
    pub details: serde_json::Value,
    /// Values later steps may use (`${steps.ID.outputs.NAME}`): typed control data, apart from
    /// the free-form details.
    pub outputs: BTreeMap<String, OutputValue>,
}

/// A value a step hands to later steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputValue {
    pub value: String,
    /// A secret value (a password a step generated) is used by later steps but never written:
    /// `result.json` records only that it exists.
    pub secret: bool,
}

impl OutputValue {
    pub fn plain(value: impl Into<String>) -> Self {
        OutputValue {
            value: value.into(),
            secret: false,
        }
    }

    pub fn secret(value: impl Into<String>) -> Self {
        OutputValue {
            value: value.into(),
            secret: true,
        }
    }
}

/// An output as `result.json` records it: the value, or for a secret only that it was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedOutput {
    /// Absent for a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

impl From<&OutputValue> for RecordedOutput {
    fn from(output: &OutputValue) -> Self {
        RecordedOutput {
            value: (!output.secret).then(|| output.value.clone()),
            secret: output.secret,
        }
    }
}

impl StepOutcome {
    /// An outcome with nothing but a status and a summary line.
    pub fn new(status: StepStatus, summary: impl Into<String>) -> Self {
        StepOutcome {
            status,
            summary: summary.into(),
            error: None,
            inputs: Vec::new(),
            gate: None,
            details: serde_json::Value::Null,
            outputs: BTreeMap::new(),
        }
    }
}

/// The content of `steps/NN-id/result.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub schema_version: u32,
    pub index: usize,
    pub id: String,
    pub kind: String,
    /// The journal's key, with `id`: see [`StepSummary`](crate::StepSummary).
    #[serde(default, skip_serializing_if = "crate::run_record::Phase::is_main")]
    pub phase: crate::run_record::Phase,
    #[serde(
        default = "crate::run_record::first_attempt",
        skip_serializing_if = "crate::run_record::is_first_attempt"
    )]
    pub attempt: u32,
    /// The runbook's `description:` of the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: StepStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub summary: String,
    pub error: Option<ErrorRecord>,
    pub inputs: Vec<InputFile>,
    pub gate: Option<Vec<GateCheckRecord>>,
    /// Extra files of the step, by name, in the order they were attached.
    pub attachments: Vec<String>,
    pub details: serde_json::Value,
    /// The step's outputs; secret values are not written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, RecordedOutput>,
}

/// An error as the operator must see it: what went wrong and where in which file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorRecord {
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The server's five-character error code, when PostgreSQL reported the error.
    pub sqlstate: Option<String>,
    pub detail: Option<String>,
    pub hint: Option<String>,
    pub context: Option<String>,
}

impl ErrorRecord {
    pub fn new(message: impl Into<String>) -> Self {
        ErrorRecord {
            message: message.into(),
            ..ErrorRecord::default()
        }
    }

    /// `file:line:column` (as much of it as is known), or `None` without a file.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_deref()?;
        Some(match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            (Some(line), None) => format!("{file}:{line}"),
            _ => file.to_owned(),
        })
    }
}

/// An input file, recorded by digest: its content (dumps may hold patient data) is never copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// One gate check: what was expected, what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateCheckRecord {
    pub name: String,
    pub passed: bool,
    /// The kind of check (`tables_exist`, `query`, ...).
    pub check: String,
    /// Human-readable expectation, e.g. `at least 50` or `tables d_users, d_audit_event`.
    pub expected: String,
    /// Human-readable finding, e.g. `83` or `2 of 3 tables`.
    pub actual: String,
    /// Objects a catalog check did not find.
    pub missing: Vec<String>,
    /// The query a `query` check ran.
    pub query: Option<String>,
    /// Why the check could not be evaluated (the query failed, ...).
    pub error: Option<String>,
}
