//! One record of the journal: one attempt of one step, from its evidence directory to its
//! sealed result.
//!
//! The runner decides *what* runs (which phase, which step, which attempt, or a skip); this
//! module does everything that is the same for every record: it opens the record's evidence,
//! tells the listeners, runs the step under its timeout and the phase's cancellation, turns an
//! error into an outcome, redacts what the terminal shows and seals the evidence.

use std::time::{Duration, Instant};

use runbook_evidence::{EvidenceDir, Mode, Phase, Redactor, StepOutcome, StepStatus};
use runbook_spec::Runbook;
use tokio_util::sync::CancellationToken;

use crate::consent::note_consent_needed;
use crate::context::StepContext;
use crate::docker_identity::DockerFacts;
use crate::errors::{EngineError, StepError};
use crate::events::{Event, Listener};
use crate::outcome::outcome_of;
use crate::output::{Listeners, StepOutput};
use crate::resources::Resources;
use crate::run_values::RunValues;
use crate::step::Step;
use crate::text::humantime;

/// How long a cancelled or timed-out step gets to wind down, and the servers to take the cancel
/// requests, before the runner stops waiting for them.
const GRACE: Duration = Duration::from_secs(10);

/// Hands events to the listeners.
pub(crate) struct Emitter {
    pub(crate) listeners: Listeners,
}

impl Emitter {
    pub(crate) fn new(listeners: Vec<Box<dyn Listener>>) -> Emitter {
        Emitter { listeners }
    }

    pub(crate) fn emit(&mut self, event: &Event<'_>) {
        for listener in &mut self.listeners {
            listener.on_event(event);
        }
    }
}

/// What every record of a run shares: the run's mode, runbook, live systems, evidence,
/// redactor and listeners.
pub(crate) struct RunContext<'a> {
    pub(crate) mode: Mode,
    pub(crate) runbook: &'a Runbook,
    pub(crate) resources: &'a mut Resources,
    pub(crate) evidence: &'a mut EvidenceDir,
    pub(crate) redactor: &'a Redactor,
    pub(crate) docker_facts: &'a DockerFacts,
    pub(crate) emitter: &'a mut Emitter,
    pub(crate) values: &'a RunValues,
}

/// One attempt of one step, as the runner planned it.
pub(crate) struct Attempt<'p> {
    pub(crate) step: &'p runbook_spec::Step,
    pub(crate) bound: &'p dyn Step,
    pub(crate) phase: Phase,
    /// 1-based position of the step in its phase, and the phase's length (for `[3/7]`).
    pub(crate) number: usize,
    pub(crate) total: usize,
    /// The record's index in the journal (`run.json`'s `steps`).
    pub(crate) index: usize,
    /// 1-based; and how many the step may have.
    pub(crate) attempt: u32,
    pub(crate) attempts: u32,
    /// Record the step as skipped with this reason instead of running it.
    pub(crate) skip: Option<String>,
}

/// A sealed record, as the runner needs it for the verdict.
pub(crate) struct StepRecord {
    /// As sealed, with what the terminal shows redacted.
    pub(crate) outcome: StepOutcome,
    /// The phase's cancellation stopped the step.
    pub(crate) interrupted: bool,
}

/// Runs one attempt and seals its record. `cancel` is the phase's cancellation (the run's
/// Ctrl-C for `main`; `finally` steps run after it and are stopped only by leaving the
/// process). Returns `Err` only when the evidence could not be written.
pub(crate) async fn run_one(
    cx: &mut RunContext<'_>,
    attempt: &Attempt<'_>,
    cancel: &CancellationToken,
) -> Result<StepRecord, EngineError> {
    let step = attempt.step;
    let writer = cx.evidence.begin_step(attempt.index)?;
    cx.emitter.emit(&Event::StepStarted {
        index: attempt.number,
        total: attempt.total,
        step,
        phase: attempt.phase,
        attempt: attempt.attempt,
        attempts: attempt.attempts,
    });
    let output = StepOutput::new(
        attempt.number,
        writer,
        cx.redactor.clone(),
        std::mem::take(&mut cx.emitter.listeners),
    );
    if attempt.attempt > 1 {
        output.log(format!(
            "attempt {} of {}",
            attempt.attempt, attempt.attempts
        ));
    }
    let started = Instant::now();
    let mut interrupted = false;
    let outcome = match &attempt.skip {
        Some(summary) => {
            output.log(summary);
            StepOutcome::new(StepStatus::Skipped, summary.clone())
        }
        None => {
            if cx.mode == Mode::Check {
                note_consent_needed(attempt.bound, step, cx.runbook, &output, cx.docker_facts);
            }
            let result = run_step(
                attempt.bound,
                StepContext {
                    mode: cx.mode,
                    step,
                    runbook: cx.runbook,
                    resources: cx.resources,
                    output: output.clone(),
                    cancel: cancel.child_token(),
                    values: cx.values,
                },
                cancel,
            )
            .await;
            cx.resources.end_step().await;
            interrupted = matches!(result, Err(StepError::Interrupted));
            outcome_of(result, cx.mode, &output)
        }
    };
    let duration = started.elapsed();
    // The terminal (often a CI log) is as public as the evidence: redact what the listeners
    // and the run report show, not only what the evidence stores.
    let mut outcome = outcome;
    redact_shown(cx.redactor, &mut outcome);
    let (writer, listeners, write_error) = output.finish();
    cx.emitter.listeners = listeners;
    if let Some(error) = write_error {
        return Err(EngineError::Evidence(error));
    }
    let writer = writer.expect("the writer is only taken here");
    cx.emitter.emit(&Event::StepFinished {
        index: attempt.number,
        total: attempt.total,
        step,
        outcome: &outcome,
        duration,
    });
    // Which servers the step's connections reached goes into the `run.json` this seal writes.
    for (target, identity) in &cx.resources.identities {
        cx.evidence.note_target_identity(target, identity);
    }
    cx.evidence.finish_step(writer, outcome.clone())?;
    Ok(StepRecord {
        outcome,
        interrupted,
    })
}

/// Masks the secrets in what the terminal prints of an outcome: its summary, its error (a
/// failed command's stderr tail is in `detail`) and its gate checks' expected and found values.
fn redact_shown(redactor: &Redactor, outcome: &mut StepOutcome) {
    let redact = |text: &mut String| {
        if let std::borrow::Cow::Owned(masked) = redactor.redact(text) {
            *text = masked;
        }
    };
    redact(&mut outcome.summary);
    if let Some(error) = outcome.error.as_mut() {
        redact(&mut error.message);
        for text in [&mut error.detail, &mut error.hint, &mut error.context]
            .into_iter()
            .flatten()
        {
            redact(text);
        }
    }
    for check in outcome.gate.iter_mut().flatten() {
        redact(&mut check.expected);
        redact(&mut check.actual);
        check
            .missing
            .iter_mut()
            .chain(check.error.as_mut())
            .for_each(redact);
    }
}

/// Runs one step in the context's mode, under its timeout and the phase's cancellation. On
/// either, the step's own token is cancelled (shell and exec steps stop their processes), the
/// servers are asked to cancel what the sessions run, and the step gets `GRACE` to return.
async fn run_step(
    bound: &dyn Step,
    mut cx: StepContext<'_>,
    run_cancel: &CancellationToken,
) -> Result<StepOutcome, StepError> {
    let step_cancel = cx.cancel.clone();
    let cancels = cx.resources.cancels.clone();
    let timeout = cx.step.timeout.map(runbook_spec::Duration::as_std);
    let mode = cx.mode;
    cx.resources.output = Some(cx.output.clone());
    let work = async {
        match mode {
            // The run lock on every reachable target before the step does anything: a run that
            // is refused has run nothing (see `Resources::lock_targets`).
            Mode::Run => {
                cx.resources.lock_targets().await?;
                bound.run(&mut cx).await
            }
            Mode::Check => bound.check(&mut cx).await,
        }
    };
    tokio::pin!(work);
    let stopped = tokio::select! {
        result = &mut work => return result,
        () = sleep_for(timeout) => StepError::TimedOut(timeout.map(humantime).unwrap_or_default()),
        () = run_cancel.cancelled() => StepError::Interrupted,
    };
    step_cancel.cancel();
    // The step winds down while the servers are asked to cancel; neither may keep the run
    // from sealing its evidence for longer than GRACE (dropping the requests aborts them).
    let _ = tokio::time::timeout(GRACE, async {
        tokio::join!(cancels.cancel_all(), &mut work)
    })
    .await;
    Err(stopped)
}

async fn sleep_for(limit: Option<Duration>) {
    match limit {
        Some(limit) => tokio::time::sleep(limit).await,
        None => std::future::pending().await,
    }
}
