//! The run loop: evidence first, consent before anything changes, then the steps in order.
//!
//! `run` stops at the first failure (a `continue_on_error` step records it and goes on); `check`
//! looks at every step, because the on-call engineer wants the whole list of what is not ready,
//! not just the first item. Each step runs under its timeout and the run's cancellation: on
//! either, the servers are asked to cancel what they are doing, the step gets a short grace
//! period to return, and its evidence is sealed before the run ends.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use runbook_evidence::{
    Confirmation, ConfirmationMethod, EvidenceDir, Mode, NewRun, PlannedStep, Redactor, RunStatus,
    RunbookSource, StepOutcome, StepStatus, TargetRecord,
};
use runbook_postgres::{ConnectionSpec, ProcessEnv};
use runbook_spec::{Connection, Runbook};
use tokio_util::sync::CancellationToken;

use crate::context::StepContext;
use crate::errors::{EngineError, StepError};
use crate::events::{Event, Listener};
use crate::lock::Holder;
use crate::options::RunOptions;
use crate::output::{Listeners, StepOutput};
use crate::plan::Plan;
use crate::resources::Resources;
use crate::step::Destruction;

/// How long a cancelled or timed-out step gets to wind down after the servers were asked to
/// cancel, before the runner stops waiting for it.
const GRACE: Duration = Duration::from_secs(10);

/// How a run ended, for the CLI's last lines and exit code.
#[derive(Debug)]
pub struct RunReport {
    pub status: RunStatus,
    pub evidence_dir: PathBuf,
    /// The run did not start because a protected target lacked consent (exit code 2).
    pub refused: Option<String>,
    /// The first step that failed or blocked, with its error.
    pub failure: Option<StepFailure>,
    /// Ephemeral clusters left running by `--keep`: (target, URL).
    pub kept_clusters: Vec<(String, String)>,
    pub duration: Duration,
}

#[derive(Debug, Clone)]
pub struct StepFailure {
    pub step: String,
    pub kind: String,
    pub status: StepStatus,
    pub message: String,
}

struct Emitter {
    listeners: Listeners,
}

impl Emitter {
    fn emit(&mut self, event: &Event<'_>) {
        for listener in &mut self.listeners {
            listener.on_event(event);
        }
    }
}

/// Executes a plan. Returns `Err` only when no verdict could be recorded.
pub async fn execute(
    plan: &Plan,
    mut options: RunOptions,
    listeners: Vec<Box<dyn Listener>>,
    cancel: CancellationToken,
) -> Result<RunReport, EngineError> {
    let started = Instant::now();
    let runbook = Arc::clone(&plan.runbook);
    let start_index = first_step(&runbook, options.from_step.as_deref())?;
    for target in &options.confirmed_targets {
        if !runbook.targets.contains_key(target) {
            return Err(EngineError::UnknownConfirmTarget {
                target: target.clone(),
                known: runbook
                    .targets
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }

    let mut new = NewRun::new(
        RunbookSource {
            name: runbook.name.clone(),
            path: options.runbook_path.clone(),
            description: runbook.description.clone(),
            source: runbook.source.as_bytes().to_vec(),
        },
        options.mode,
        runbook
            .steps
            .iter()
            .map(|s| PlannedStep::new(&s.id, s.kind.name()))
            .collect(),
    );
    new.from_step = options.from_step.clone();
    new.vars = runbook
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    new.targets = target_records(&runbook);
    let base = options
        .evidence_base
        .clone()
        .unwrap_or_else(|| runbook.evidence.dir.clone());
    let redactor = Redactor::new(runbook.secrets());
    let mut evidence = EvidenceDir::create(&base, new, redactor.clone())?;
    let evidence_dir = evidence.path().to_path_buf();

    let mut emitter = Emitter { listeners };
    emitter.emit(&Event::RunStarted {
        runbook: &runbook,
        mode: options.mode,
        evidence_dir: &evidence_dir,
        total_steps: runbook.steps.len(),
    });

    if options.mode == Mode::Run
        && let Some((step_index, refusal)) =
            obtain_consent(plan, start_index, &mut options, &mut evidence)?
    {
        // The refused step carries the reason, so the evidence says why nothing ran.
        let mut writer = evidence.begin_step(step_index + 1)?;
        writer.log_line(&format!("blocked: {refusal}"))?;
        let mut outcome = StepOutcome::new(StepStatus::Blocked, format!("blocked: {refusal}"));
        outcome.error = Some(runbook_evidence::ErrorRecord::new(refusal.clone()));
        evidence.finish_step(writer, outcome)?;
        evidence.finish_run(RunStatus::Blocked)?;
        let duration = started.elapsed();
        emitter.emit(&Event::RunFinished {
            status: RunStatus::Blocked,
            evidence_dir: &evidence_dir,
            duration,
        });
        return Ok(RunReport {
            status: RunStatus::Blocked,
            evidence_dir,
            refused: Some(redactor.redact(&refusal).into_owned()),
            failure: None,
            kept_clusters: Vec::new(),
            duration,
        });
    }

    let holder = Holder {
        runbook: runbook.name.clone(),
        operator: evidence.record().operator.clone(),
        host: evidence.record().host.clone(),
        pid: std::process::id(),
        started: evidence
            .record()
            .started_at
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        evidence: evidence_dir.display().to_string(),
    };
    let mut resources = Resources::new(
        options.mode,
        Arc::clone(&runbook),
        options.keep_ephemeral,
        holder,
    );
    let total = runbook.steps.len();
    let mut verdict = Verdict::new(options.mode);

    for (i, (step, bound)) in runbook.steps.iter().zip(&plan.steps).enumerate() {
        let index = i + 1;
        if verdict.stopped() {
            break;
        }
        if cancel.is_cancelled() {
            verdict.interrupted = true;
            break;
        }
        let skip = if i < start_index {
            Some(format!(
                "skipped: the run starts at step '{}' (--from)",
                runbook.steps[start_index].id
            ))
        } else {
            step.when
                .as_ref()
                .filter(|when| !when.holds(&runbook.vars))
                .map(|when| format!("skipped: when: {when} does not hold"))
        };

        let writer = evidence.begin_step(index)?;
        emitter.emit(&Event::StepStarted { index, total, step });
        let output = StepOutput::new(
            index,
            writer,
            redactor.clone(),
            std::mem::take(&mut emitter.listeners),
        );
        let step_started = Instant::now();
        let outcome = match skip {
            Some(summary) => {
                output.log(&summary);
                StepOutcome::new(StepStatus::Skipped, summary)
            }
            None => {
                if options.mode == Mode::Check {
                    note_consent_needed(bound.as_ref(), step, &runbook, &output);
                }
                let step_cancel = cancel.child_token();
                let mut cx = StepContext {
                    mode: options.mode,
                    step,
                    runbook: &runbook,
                    resources: &mut resources,
                    output: output.clone(),
                    cancel: step_cancel.clone(),
                };
                let cancels = cx.resources.cancels.clone();
                let result = {
                    let work = async {
                        match options.mode {
                            Mode::Run => bound.run(&mut cx).await,
                            Mode::Check => bound.check(&mut cx).await,
                        }
                    };
                    tokio::pin!(work);
                    let timeout = step.timeout.map(runbook_spec::Duration::as_std);
                    tokio::select! {
                        result = &mut work => result,
                        () = sleep_for(timeout) => {
                            step_cancel.cancel();
                            cancels.cancel_all().await;
                            let _ = tokio::time::timeout(GRACE, &mut work).await;
                            let limit = timeout.map(humantime).unwrap_or_default();
                            Err(StepError::TimedOut(limit))
                        }
                        () = cancel.cancelled() => {
                            step_cancel.cancel();
                            cancels.cancel_all().await;
                            let _ = tokio::time::timeout(GRACE, &mut work).await;
                            Err(StepError::Interrupted)
                        }
                    }
                };
                resources.end_step().await;
                if matches!(result, Err(StepError::Interrupted)) {
                    verdict.interrupted = true;
                }
                outcome_of(result, options.mode, &output)
            }
        };
        let duration = step_started.elapsed();
        // The terminal (often a CI log) is as public as the evidence: redact what the
        // listeners and the run report show, not only what the evidence stores.
        let mut outcome = outcome;
        outcome.summary = redactor.redact(&outcome.summary).into_owned();
        if let Some(error) = outcome.error.as_mut() {
            error.message = redactor.redact(&error.message).into_owned();
        }
        let (writer, listeners, write_error) = output.finish();
        emitter.listeners = listeners;
        if let Some(error) = write_error {
            return Err(EngineError::Evidence(error));
        }
        let writer = writer.expect("the writer is only taken here");
        emitter.emit(&Event::StepFinished {
            index,
            total,
            step,
            outcome: &outcome,
            duration,
        });
        verdict.record(step, &outcome);
        evidence.finish_step(writer, outcome)?;
    }

    resources.shutdown().await;
    let status = verdict.status();
    evidence.finish_run(status)?;
    let duration = started.elapsed();
    emitter.emit(&Event::RunFinished {
        status,
        evidence_dir: &evidence_dir,
        duration,
    });
    Ok(RunReport {
        status,
        evidence_dir,
        refused: None,
        failure: verdict.failure,
        kept_clusters: std::mem::take(&mut resources.kept),
        duration,
    })
}

/// Index of the `--from` step (0 without it).
fn first_step(runbook: &Runbook, from: Option<&str>) -> Result<usize, EngineError> {
    let Some(from) = from else { return Ok(0) };
    runbook
        .steps
        .iter()
        .position(|s| s.id == from)
        .ok_or_else(|| EngineError::UnknownFromStep {
            step: from.to_owned(),
            known: runbook
                .steps
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// What `run.json` says about each target: never a password.
fn target_records(runbook: &Runbook) -> BTreeMap<String, TargetRecord> {
    runbook
        .targets
        .iter()
        .map(|(name, target)| {
            let (postgres, ephemeral) = match target.postgres.as_ref().map(|p| p.connection()) {
                Some(Connection::Url { url, .. }) => {
                    let shown = ConnectionSpec::parse(url, &ProcessEnv)
                        .map(|spec| spec.redacted())
                        .unwrap_or_else(|_| url.to_owned());
                    (Some(shown), false)
                }
                Some(Connection::Ephemeral) => (None, true),
                None => (None, false),
            };
            let record = TargetRecord {
                postgres,
                ephemeral,
                container: target.container.clone(),
                protected: target.protected,
            };
            (name.clone(), record)
        })
        .collect()
}

/// Asks for (or finds) consent for every protected target that a step from `start` on would
/// damage. Returns the index of the first refused step and the refusal message when consent
/// is missing.
fn obtain_consent(
    plan: &Plan,
    start: usize,
    options: &mut RunOptions,
    evidence: &mut EvidenceDir,
) -> Result<Option<(usize, String)>, EngineError> {
    let runbook = &plan.runbook;
    let mut needed: BTreeMap<String, Vec<(String, Destruction)>> = BTreeMap::new();
    for (step, bound) in runbook.steps.iter().zip(&plan.steps).skip(start) {
        let destruction = match bound.destruction(step, runbook) {
            Ok(d) => d,
            // Unreadable input: the step will fail on its own, but consent cannot be skipped
            // on the strength of a file nobody could read.
            Err(error) => step.target.clone().map(|target| Destruction {
                target,
                what: format!("change it in ways that cannot be listed ({error})"),
            }),
        };
        if let Some(d) = destruction
            && runbook.targets.get(&d.target).is_some_and(|t| t.protected)
        {
            needed
                .entry(d.target.clone())
                .or_default()
                .push((step.id.clone(), d));
        }
    }
    for (target, items) in needed {
        let method = if options.confirmed_targets.contains(&target) {
            Some(ConfirmationMethod::Flag)
        } else if let Some(confirmer) = options.confirmer.as_mut() {
            let destructions: Vec<Destruction> = items.iter().map(|(_, d)| d.clone()).collect();
            confirmer
                .confirm(&target, &destructions)
                .then_some(ConfirmationMethod::Tty)
        } else {
            None
        };
        match method {
            Some(how) => evidence.add_confirmation(Confirmation { target, how })?,
            None => {
                let (step, first) = &items[0];
                let more = match items.len() {
                    1 => String::new(),
                    n => format!(
                        " (and {} more step{})",
                        n - 1,
                        if n == 2 { "" } else { "s" }
                    ),
                };
                let index = runbook
                    .steps
                    .iter()
                    .position(|s| &s.id == step)
                    .unwrap_or(start);
                return Ok(Some((
                    index,
                    format!(
                        "target '{target}' is protected and step '{step}' would {}{more}; nothing was run. Pass --confirm {target} to allow it, or run on a terminal and type the target's name when asked",
                        first.what
                    ),
                )));
            }
        }
    }
    Ok(None)
}

/// Check mode: tell the operator that the real run will ask for consent.
fn note_consent_needed(
    bound: &dyn crate::step::Step,
    step: &runbook_spec::Step,
    runbook: &Runbook,
    output: &StepOutput,
) {
    if let Ok(Some(d)) = bound.destruction(step, runbook)
        && runbook.targets.get(&d.target).is_some_and(|t| t.protected)
    {
        output.log(format!(
            "note: target '{}' is protected; `runbook run` needs --confirm {} because this step would {}",
            d.target, d.target, d.what
        ));
    }
}

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

/// Accumulates the run's verdict as steps finish.
struct Verdict {
    mode: Mode,
    blocked: bool,
    failed: bool,
    gate_failed: bool,
    interrupted: bool,
    failure: Option<StepFailure>,
}

impl Verdict {
    fn new(mode: Mode) -> Verdict {
        Verdict {
            mode,
            blocked: false,
            failed: false,
            gate_failed: false,
            interrupted: false,
            failure: None,
        }
    }

    fn record(&mut self, step: &runbook_spec::Step, outcome: &StepOutcome) {
        let bad = matches!(outcome.status, StepStatus::Failed | StepStatus::Blocked);
        // A `continue_on_error` step's failure is recorded in its own result but does not
        // decide the run, in either mode.
        if !bad || step.continue_on_error {
            return;
        }
        match outcome.status {
            StepStatus::Blocked => self.blocked = true,
            _ if outcome.gate.is_some() && outcome.error.is_none() => self.gate_failed = true,
            _ => self.failed = true,
        }
        if self.failure.is_none() {
            self.failure = Some(StepFailure {
                step: step.id.clone(),
                kind: step.kind.name().to_owned(),
                status: outcome.status,
                message: outcome.summary.clone(),
            });
        }
    }

    /// `run` stops at the first failure or block; `check` only on interruption.
    fn stopped(&self) -> bool {
        self.interrupted
            || (self.mode == Mode::Run && (self.blocked || self.failed || self.gate_failed))
    }

    fn status(&self) -> RunStatus {
        match self.mode {
            _ if self.interrupted => RunStatus::Interrupted,
            _ if self.blocked => RunStatus::Blocked,
            Mode::Run if self.failed => RunStatus::Failed,
            Mode::Run if self.gate_failed => RunStatus::GateFailed,
            Mode::Run => RunStatus::Passed,
            Mode::Check if self.failed || self.gate_failed => RunStatus::WouldFail,
            Mode::Check => RunStatus::Ready,
        }
    }
}

async fn sleep_for(limit: Option<Duration>) {
    match limit {
        Some(limit) => tokio::time::sleep(limit).await,
        None => std::future::pending().await,
    }
}

/// "5m", "1h30m", "250ms": durations as runbooks write them.
pub(crate) fn humantime(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}
