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
    EvidenceDir, Mode, NewRun, PlannedStep, Redactor, RunStatus, RunbookSource, StepOutcome,
    StepStatus, TargetRecord,
};
use runbook_postgres::{ConnectionSpec, ProcessEnv};
use runbook_spec::{Connection, Runbook};
use tokio_util::sync::CancellationToken;

use crate::consent::{note_consent_needed, obtain_consent};
use crate::context::StepContext;
use crate::errors::{EngineError, StepError};
use crate::events::{Event, Listener};
use crate::lock::Holder;
use crate::options::RunOptions;
use crate::outcome::outcome_of;
use crate::output::{Listeners, StepOutput};
use crate::plan::Plan;
use crate::resources::{Resources, url_names_port};
use crate::run_values::RunValues;
use crate::step::Step;
use crate::text::humantime;
use crate::verdict::{StepFailure, Verdict};

/// How long a cancelled or timed-out step gets to wind down, and the servers to take the cancel
/// requests, before the runner stops waiting for them.
const GRACE: Duration = Duration::from_secs(10);

/// How a run ended, for the CLI's last lines and exit code.
#[derive(Debug)]
pub struct RunReport {
    pub status: RunStatus,
    pub evidence_dir: PathBuf,
    /// The run did not start because a protected target lacked consent (exit code 2).
    pub refused: Option<String>,
    /// The failure that decided the run (the first not allowed by `continue_on_error`, else
    /// the first failed gate, else the first allowed failure), with its error.
    pub failure: Option<StepFailure>,
    /// Every step that failed or blocked, in order, allowed or not.
    pub failures: Vec<StepFailure>,
    /// Ephemeral clusters left running by `--keep`: (target, URL).
    pub kept_clusters: Vec<(String, String)>,
    pub duration: Duration,
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
            .map(|s| {
                PlannedStep::new(&s.id, s.kind.name())
                    .with_description(s.description.clone())
                    .with_continue_on_error(s.continue_on_error)
            })
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
    let ephemeral_password = random_token();
    let redactor = Redactor::new(
        runbook
            .secrets()
            .into_iter()
            .chain([ephemeral_password.clone()])
            .chain(target_passwords(&runbook)),
    );
    let mut evidence = EvidenceDir::create(&base, new, redactor.clone())?;
    let evidence_dir = evidence.path().to_path_buf();

    let mut emitter = Emitter { listeners };
    emitter.emit(&Event::RunStarted {
        runbook: &runbook,
        mode: options.mode,
        evidence_dir: &evidence_dir,
        total_steps: runbook.steps.len(),
    });
    for message in redactor.warnings() {
        emitter.emit(&Event::Warning { message });
    }

    // Docker objects by identity (IDs, prefixes, who mounts a volume), once, before consent.
    let docker_facts = crate::docker_identity::DockerFacts::gather(&runbook).await;
    if options.mode == Mode::Run
        && let Some((step_index, refusal)) = obtain_consent(
            plan,
            start_index,
            &mut options,
            &mut evidence,
            &redactor,
            &docker_facts,
        )?
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
            failures: Vec::new(),
            kept_clusters: Vec::new(),
            duration,
        });
    }

    let holder = Holder {
        runbook: runbook.name.clone(),
        // Carried by every session's application_name: a later run recognises this run's
        // backends by it, even after this process is gone.
        run: random_token()[..12].to_owned(),
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
        ephemeral_password,
        holder,
        options.terminate_stale,
    );
    resources.confirmed = evidence
        .record()
        .confirmations
        .iter()
        .map(|c| c.target.clone())
        .collect();
    resources.protected_ids = docker_facts.protected_ids(&runbook);
    let total = runbook.steps.len();
    let mut verdict = Verdict::new(options.mode);
    let mut run_values = RunValues::new(
        resources.run_id(),
        evidence.record().started_at,
        &evidence_dir,
    );

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
                    note_consent_needed(bound.as_ref(), step, &runbook, &output, &docker_facts);
                }
                let result = run_step(
                    bound.as_ref(),
                    StepContext {
                        mode: options.mode,
                        step,
                        runbook: &runbook,
                        resources: &mut resources,
                        output: output.clone(),
                        cancel: cancel.child_token(),
                        values: &run_values,
                    },
                    &cancel,
                )
                .await;
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
        redact_shown(&redactor, &mut outcome);
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
        run_values.record(&step.id, &outcome.outputs);
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
        failure: verdict.deciding_failure().cloned(),
        failures: verdict.failures,
        kept_clusters: std::mem::take(&mut resources.kept),
        duration,
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

/// Runs one step in the context's mode, under its timeout and the run's cancellation. On
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

/// 128 random bits in hex, for the password of the run's ephemeral clusters.
fn random_token() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        // No /dev/urandom (a very odd Linux): what varies per process and instant.
        let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
        let digest = <sha2::Sha256 as sha2::Digest>::digest(seed.as_bytes());
        bytes.copy_from_slice(&digest[..16]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// Passwords the targets may send that the runbook does not spell out, so none of them reaches
/// the terminal or evidence: `PGPASSWORD`, a service file's, every line of the password file
/// (see `runbook_postgres::connection_secrets`).
fn target_passwords(runbook: &Runbook) -> Vec<String> {
    let mut secrets: Vec<String> = runbook_postgres::Env::var(&ProcessEnv, "PGPASSWORD")
        .into_iter()
        .collect();
    for target in runbook.targets.values() {
        if let Some(Connection::Url { url, .. }) = target.postgres.as_ref().map(|p| p.connection())
        {
            secrets.extend(runbook_postgres::connection_secrets(url, &ProcessEnv));
        }
    }
    secrets
}

/// What `run.json` says about each target: never a password.
fn target_records(runbook: &Runbook) -> BTreeMap<String, TargetRecord> {
    runbook
        .targets
        .iter()
        .map(|(name, target)| {
            let (postgres, ephemeral) = match target.postgres.as_ref().map(|p| p.connection()) {
                Some(Connection::Url { url, .. }) => {
                    let mut shown = ConnectionSpec::parse(url, &ProcessEnv)
                        .map(|spec| spec.redacted())
                        .unwrap_or_else(|_| url.to_owned());
                    if let Some(container) = &target.container
                        && !url_names_port(url)
                    {
                        // The parsed default (5432) is not where the run connects.
                        shown = format!(
                            "{shown} (port: the one container {container} publishes for 5432)"
                        );
                    }
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

async fn sleep_for(limit: Option<Duration>) {
    match limit {
        Some(limit) => tokio::time::sleep(limit).await,
        None => std::future::pending().await,
    }
}
