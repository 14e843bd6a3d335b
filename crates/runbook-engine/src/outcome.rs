//! A step's result as the evidence records it: an error becomes a `failed`, `blocked` or (in
//! check mode, for what cannot be inspected yet) `skipped` outcome, logged as the reviewer
//! should read it.

use runbook_evidence::{Mode, StepOutcome, StepStatus};

use crate::errors::StepError;
use crate::output::StepOutput;

/// Turns a step's result into its record, logging the error as the reviewer should read it.
pub(crate) fn outcome_of(
    result: Result<StepOutcome, StepError>,
    mode: Mode,
    output: &StepOutput,
) -> StepOutcome {
    let error = match result {
        Ok(outcome) => return outcome,
        Err(error) => error,
    };
    let (status, prefix) = match (&error, mode) {
        (StepError::Blocked(_), _) => (StepStatus::Blocked, "blocked"),
        (StepError::Deferred(_), Mode::Check) => (StepStatus::Skipped, "not checked"),
        (StepError::Interrupted, _) => (StepStatus::Failed, "interrupted"),
        (_, Mode::Check) => (StepStatus::Failed, "would fail"),
        (_, Mode::Run) => (StepStatus::Failed, "failed"),
    };
    let record = error.to_record();
    let location = record
        .location()
        .map(|l| format!("{l}: "))
        .unwrap_or_default();
    output.log(format!("{prefix}: {location}{}", record.message));
    for (label, value) in [
        ("detail", &record.detail),
        ("hint", &record.hint),
        ("context", &record.context),
    ] {
        if let Some(value) = value {
            output.log(format!("  {label}: {value}"));
        }
    }
    let summary = match &error {
        StepError::Deferred(message) => message.clone(),
        _ => format!("{prefix}: {location}{}", record.message),
    };
    let mut outcome = StepOutcome::new(status, summary);
    if !matches!(error, StepError::Deferred(_)) {
        outcome.error = Some(record);
    }
    outcome
}
