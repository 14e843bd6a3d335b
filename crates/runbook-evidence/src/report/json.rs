//! One JSON document a dashboard can read: the run record with every step result embedded and
//! the integrity findings.

use serde::{Deserialize, Serialize};

use crate::load::Evidence;
use crate::run_record::{RunRecord, SCHEMA_VERSION};
use crate::step_result::StepResult;
use crate::verify::VerifyReport;

/// The `--format json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonReport {
    pub schema_version: u32,
    pub evidence_dir: String,
    pub run: RunRecord,
    /// The `result.json` of every step that has one, in step order.
    pub results: Vec<StepResult>,
    /// Steps whose `result.json` could not be read, with why.
    pub problems: Vec<StepProblem>,
    /// What `verify` found, when it was run.
    pub integrity: Option<VerifyReport>,
    /// `integrity.is_intact()`, spelled out for dashboards; `None` without integrity.
    pub intact: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProblem {
    pub index: usize,
    pub id: String,
    pub problem: String,
}

impl JsonReport {
    pub fn new(evidence: &Evidence, integrity: Option<&VerifyReport>) -> JsonReport {
        JsonReport {
            schema_version: SCHEMA_VERSION,
            evidence_dir: evidence.dir.display().to_string(),
            run: evidence.run.clone(),
            results: evidence
                .steps
                .iter()
                .filter_map(|e| e.result.clone())
                .collect(),
            problems: evidence
                .steps
                .iter()
                .filter_map(|e| {
                    Some(StepProblem {
                        index: e.summary.index,
                        id: e.summary.id.clone(),
                        problem: e.problem.clone()?,
                    })
                })
                .collect(),
            integrity: integrity.cloned(),
            intact: integrity.map(VerifyReport::is_intact),
        }
    }
}

pub(crate) fn render(evidence: &Evidence, integrity: Option<&VerifyReport>) -> String {
    let report = JsonReport::new(evidence, integrity);
    // Serializing plain data structures with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
