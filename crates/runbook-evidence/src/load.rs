//! Reading a finished (or killed) run back from its directory, for `report` and dashboards.
//!
//! Only `run.json` is essential; a step whose `result.json` is missing or unreadable is still
//! listed, with the problem, so a damaged directory renders instead of failing.

use std::path::{Path, PathBuf};

use crate::errors::{EvidenceError, Result};
use crate::layout::{RESULT_FILE, RUN_FILE, STEPS_DIR};
use crate::record_io::read_record;
use crate::run_record::{RunRecord, StepSummary};
use crate::step_result::StepResult;
use crate::sums::normalize;

/// The records of one evidence directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub dir: PathBuf,
    pub run: RunRecord,
    /// One entry per step of the plan, in order.
    pub steps: Vec<StepEntry>,
}

/// A step as `run.json` summarizes it, with its full result when it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct StepEntry {
    pub summary: StepSummary,
    pub result: Option<StepResult>,
    /// Why `result` is missing although the step started.
    pub problem: Option<String>,
}

impl StepEntry {
    /// Gate steps are shown first in reports.
    pub fn is_gate(&self) -> bool {
        self.summary.kind == "gate" || self.result.as_ref().is_some_and(|r| r.gate.is_some())
    }
}

impl Evidence {
    /// Reads `run.json` and every step's `result.json`.
    pub fn load(dir: &Path) -> Result<Evidence> {
        if !dir.is_dir() {
            return Err(EvidenceError::NoSuchDir {
                path: dir.to_owned(),
            });
        }
        let run: RunRecord = read_record(&dir.join(RUN_FILE), "run record")?.ok_or_else(|| {
            EvidenceError::NotEvidence {
                dir: dir.to_owned(),
            }
        })?;
        let steps = run
            .steps
            .iter()
            .map(|summary| load_step(dir, &run, summary))
            .collect();
        Ok(Evidence {
            dir: dir.to_owned(),
            run,
            steps,
        })
    }

    /// The records of a run being written, as [`EvidenceDir`](crate::EvidenceDir) holds them.
    pub fn from_parts(dir: &Path, run: RunRecord, results: &[StepResult]) -> Evidence {
        let steps = run
            .steps
            .iter()
            .map(|summary| StepEntry {
                summary: summary.clone(),
                result: results.iter().find(|r| r.index == summary.index).cloned(),
                problem: None,
            })
            .collect();
        Evidence {
            dir: dir.to_owned(),
            run,
            steps,
        }
    }
}

fn load_step(dir: &Path, run: &RunRecord, summary: &StepSummary) -> StepEntry {
    let entry = |result, problem| StepEntry {
        summary: summary.clone(),
        result,
        problem,
    };
    let Some(step_dir) = summary.dir.as_deref() else {
        return entry(None, None);
    };
    let inside = normalize(step_dir).filter(|p| p.starts_with(&format!("{STEPS_DIR}/")));
    let Some(step_dir) = inside else {
        return entry(
            None,
            Some(format!(
                "step directory {step_dir:?} is outside steps/: not read"
            )),
        );
    };
    match read_record::<StepResult>(&dir.join(&step_dir).join(RESULT_FILE), "step result") {
        Ok(Some(result)) => entry(Some(result), None),
        Ok(None) if run.current_step.as_deref() == Some(step_dir.as_str()) => entry(
            None,
            Some("the step was in progress when the run stopped: no result.json".to_owned()),
        ),
        Ok(None) => entry(None, Some(format!("{step_dir}/{RESULT_FILE} is missing"))),
        Err(e) => entry(None, Some(e.to_string())),
    }
}
