//! `runbook run FILE --resume DIR`: the next attempt of a failed, blocked, interrupted or killed
//! run, in the same evidence directory.
//!
//! The runner asks this module three things: open the directory ([`reopen`]: the runbook must
//! be the one the run recorded, unless `--allow-changed`, and the evidence crate refuses a
//! directory that does not verify, a passed run and an approved one), whether a planned step is
//! carried over from an earlier attempt ([`Resumed::carried_over`]: a main step that passed, is
//! not `require_files` — its inputs may have changed since — and has no secret output, which
//! `result.json` never holds), and which record a step that runs gets ([`record_for`]: its
//! `not_run` record when it never ran, else its next attempt appended to the journal).
//! A carried-over step gets no new record: the report shows it under the attempt it passed in,
//! and its outputs are read back from its `result.json` for the steps that use them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use runbook_evidence::{
    Evidence, EvidenceDir, OutputValue, Phase, PlannedStep, Redactor, Resumption, StepResult,
    StepStatus, sha256_hex,
};
use runbook_spec::Runbook;

use crate::errors::EngineError;

/// `--resume DIR [--allow-changed]`.
#[derive(Debug, Clone)]
pub struct ResumeOptions {
    /// The evidence directory of the run to continue.
    pub dir: PathBuf,
    /// Accept a runbook whose sha256 differs from the one the run recorded; both digests are
    /// recorded in `run.json`'s `resumes`.
    pub allow_changed: bool,
}

/// What the earlier attempts of a resumed run left, as the runner needs it.
#[derive(Debug, Default)]
pub(crate) struct Resumed {
    /// (phase, step id) → the result of its last sealed record.
    last: BTreeMap<(Phase, String), StepResult>,
}

impl Resumed {
    /// The outputs of `step` when it passed in an earlier attempt and need not run again, or
    /// `None` when it must run (see the module documentation).
    pub(crate) fn carried_over(
        &self,
        step: &runbook_spec::Step,
        phase: Phase,
    ) -> Option<BTreeMap<String, OutputValue>> {
        if phase != Phase::Main || step.kind.name() == "require_files" {
            return None;
        }
        let result = self.last.get(&(phase, step.id.clone()))?;
        if result.status != StepStatus::Passed {
            return None;
        }
        result
            .outputs
            .iter()
            .map(|(name, recorded)| {
                recorded
                    .value
                    .as_ref()
                    .filter(|_| !recorded.secret)
                    .map(|value| (name.clone(), OutputValue::plain(value.clone())))
            })
            .collect()
    }
}

/// Opens `options.dir` for the next attempt of its run, after checking that `runbook` is the
/// one it recorded (or `allow_changed`). Nothing is written when it refuses.
pub(crate) fn reopen(
    options: &ResumeOptions,
    runbook: &Runbook,
    from_step: Option<&str>,
    redactor: Redactor,
) -> Result<(EvidenceDir, Resumed), EngineError> {
    let recorded = Evidence::load(&options.dir)?;
    if recorded
        .run
        .steps
        .iter()
        .any(|s| s.phase == Phase::Undo && s.dir.is_some())
    {
        // What the run did was rolled back: "the rest of it" would act on a state it never
        // left, and its undo records could not be appended to again.
        return Err(EngineError::ResumeUndone {
            dir: options.dir.clone(),
        });
    }
    let now = sha256_hex(runbook.source.as_bytes());
    let changed = recorded.run.runbook.sha256 != now;
    if changed && !options.allow_changed {
        return Err(EngineError::ResumeRunbookChanged {
            dir: options.dir.clone(),
            recorded: recorded.run.runbook.sha256,
            now,
        });
    }
    let resumption = Resumption {
        from_step: from_step.map(str::to_owned),
        runbook_sha256: changed.then(|| now.clone()),
        note: changed.then(|| {
            format!(
                "the runbook changed since the run began (sha256 {} then, {now} now): accepted \
                 with --allow-changed",
                recorded.run.runbook.sha256
            )
        }),
        runbook_diff: changed.then(|| runbook_diff(&options.dir, runbook, &redactor)),
        ..Resumption::now()
    };
    let evidence = EvidenceDir::reopen(&options.dir, redactor, resumption)?;
    let mut resumed = Resumed::default();
    for result in evidence.results() {
        let key = (result.phase, result.id.clone());
        if resumed
            .last
            .get(&key)
            .is_none_or(|r| r.attempt < result.attempt)
        {
            resumed.last.insert(key, result.clone());
        }
    }
    Ok((evidence, resumed))
}

/// The most of a runbook diff kept in `run.json`: a runbook is a page of YAML, but its
/// replacement may be anything.
const MAX_DIFF_BYTES: usize = 64 * 1024;

/// A unified diff of the runbook the run recorded (`runbook.yaml`, redacted) against the one
/// this attempt runs (redacted the same way), so a reviewer sees what `--allow-changed`
/// accepted, not only that the digest moved. Cut at [`MAX_DIFF_BYTES`], saying so.
fn runbook_diff(dir: &std::path::Path, runbook: &Runbook, redactor: &Redactor) -> String {
    let recorded = std::fs::read(dir.join(runbook_evidence::RUNBOOK_FILE))
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let now = redactor.redact_yaml(&runbook.source);
    let diff = similar::TextDiff::from_lines(recorded.as_str(), now.as_str())
        .unified_diff()
        .context_radius(3)
        .header("runbook.yaml (recorded)", "runbook (this attempt)")
        .to_string();
    if diff.len() <= MAX_DIFF_BYTES {
        return diff;
    }
    let mut cut = MAX_DIFF_BYTES;
    while !diff.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}\n... diff cut at {MAX_DIFF_BYTES} bytes of {}\n",
        &diff[..cut],
        diff.len()
    )
}

/// The record attempt `attempt` of a step runs in (1-based within this run of the step): its
/// planned record `index` while that is still `not_run`, else a record appended to the
/// journal after the last one the step has (a resumed run's next attempt). Returns the index
/// and the attempt number the journal gives it.
pub(crate) fn record_for(
    evidence: &mut EvidenceDir,
    step: PlannedStep,
    index: usize,
) -> Result<(usize, u32), EngineError> {
    let records = &evidence.record().steps;
    let free = records
        .get(index - 1)
        .is_some_and(|s| s.status == StepStatus::NotRun && s.dir.is_none());
    if free {
        return Ok((index, records[index - 1].attempt));
    }
    let last = records
        .iter()
        .filter(|s| s.phase == step.phase && s.id == step.id)
        .map(|s| s.attempt)
        .max()
        .unwrap_or(0);
    let index = evidence.append_step(step, last + 1)?;
    Ok((index, last + 1))
}

/// Whether record `index` (a step's planned record) was written by an earlier attempt: a step
/// skipped again on resume (`--from`, `when:`) is then not recorded twice.
pub(crate) fn already_recorded(evidence: &EvidenceDir, index: usize) -> bool {
    evidence
        .record()
        .steps
        .get(index - 1)
        .is_some_and(|s| s.status != StepStatus::NotRun || s.dir.is_some())
}
