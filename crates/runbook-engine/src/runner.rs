//! The run loop: evidence first, consent before anything changes (for every step of every
//! phase), then the journal's records in order.
//!
//! The plan grows as the run goes: the `main` steps (a `--resume`d run skips those that passed
//! before), then, when main failed under `on_failure: undo`, the `undo` steps of the main steps
//! that passed, last first (`undo.rs`), then the `finally` steps, whatever happened. `run`
//! stops main at the first failure not allowed by `continue_on_error` (the verdict table is in
//! `verdict.rs`); `check` looks at every step of every phase, because the on-call engineer
//! wants the whole list of what is not ready. Each record (one attempt of one step, `retry:`
//! adds more) is run by `run_one`: under the step's timeout and its phase's cancellation, with
//! its evidence sealed before the next one starts.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use runbook_evidence::{
    EvidenceDir, Mode, NewRun, Phase, PlannedStep, Redactor, RunStatus, RunbookSource, StepOutcome,
    StepStatus, TargetRecord,
};
use runbook_postgres::ConnectionSpec;
use runbook_spec::{Connection, Runbook};
use tokio_util::sync::CancellationToken;

use crate::consent::obtain_consent;
use crate::errors::EngineError;
use crate::events::{Event, Listener};
use crate::lock::Holder;
use crate::options::RunOptions;
use crate::plan::Plan;
use crate::resources::{Resources, url_names_port};
use crate::run_one::{Attempt, Emitter, RunContext, StepRecord, run_one};
use crate::run_values::RunValues;
use crate::step::Step;
use crate::undo::UndoState;
use crate::verdict::{StepFailure, Verdict};

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
    /// How the undo phase ended, when undo steps ran (`on_failure: undo`, `runbook undo`).
    pub undo: Option<crate::undo::UndoSummary>,
    /// Ephemeral clusters left running by `--keep`: (target, URL).
    pub kept_clusters: Vec<(String, String)>,
    pub duration: Duration,
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

    // `runbook undo DIR`: the plan is the undo steps of DIR's passed steps, nothing else.
    let undo_run = options
        .undo_of
        .as_ref()
        .map(|of| crate::undo::undo_run_steps(&runbook, &of.passed));
    let planned_steps = match &undo_run {
        Some(due) => due
            .iter()
            .map(|&(i, j)| planned_step(&runbook.steps[i].undo[j], Phase::Undo))
            .collect(),
        None => runbook
            .steps
            .iter()
            .map(|s| planned_step(s, Phase::Main))
            .chain(
                runbook
                    .finally
                    .iter()
                    .map(|s| planned_step(s, Phase::Finally)),
            )
            .collect(),
    };
    let mut new = NewRun::new(
        RunbookSource {
            name: runbook.name.clone(),
            path: options.runbook_path.clone(),
            description: runbook.description.clone(),
            source: runbook.source.as_bytes().to_vec(),
        },
        options.mode,
        planned_steps,
    );
    new.from_step = options.from_step.clone();
    new.undoes = options
        .undo_of
        .as_ref()
        .map(|of| runbook_evidence::UndoneRun {
            dir: of.dir.display().to_string(),
            sums_sha256: of.sums_sha256.clone(),
        });
    new.vars = runbook
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    new.targets = target_records(&runbook, &options.env);
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
            .chain(target_passwords(&runbook, &options.env)),
    );
    // A resumed run appends to its earlier attempts' directory (resume.rs).
    let (mut evidence, resumed) = match &options.resume {
        Some(resume) => crate::resume::reopen(
            resume,
            &runbook,
            options.from_step.as_deref(),
            redactor.clone(),
        )?,
        None => (
            EvidenceDir::create(&base, new, redactor.clone())?,
            Default::default(),
        ),
    };
    let evidence_dir = evidence.path().to_path_buf();

    let mut emitter = Emitter::new(listeners);
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
    let docker_facts = crate::docker_identity::DockerFacts::gather(&runbook, &options.env).await;
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
        let refused_step = &evidence.record().steps[step_index];
        let refused_step = PlannedStep::new(&refused_step.id, &refused_step.kind)
            .with_phase(refused_step.phase)
            .with_description(refused_step.description.clone());
        let (index, _) = crate::resume::record_for(&mut evidence, refused_step, step_index + 1)?;
        let mut writer = evidence.begin_step(index)?;
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
            undo: None,
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
        options.env.clone(),
    );
    resources.confirmed = evidence
        .record()
        .confirmations
        .iter()
        .map(|c| c.target.clone())
        .collect();
    resources.protected_ids = docker_facts.protected_ids(&runbook);
    let mut verdict = Verdict::new(options.mode);
    let mut run_values = RunValues::new(
        resources.run_id(),
        evidence.record().started_at,
        &evidence_dir,
    );

    // The plan the loop walks: the main steps, then, once main has ended however it ended,
    // the finally steps (undo steps will be appended the same way). Each planned step may
    // grow into several records (its retries), appended to the journal as they become due.
    let main_count = runbook.steps.len();
    let mut queue: Vec<Planned<'_>> = runbook
        .steps
        .iter()
        .zip(&plan.steps)
        .enumerate()
        .map(|(i, (step, bound))| Planned {
            step,
            bound: bound.as_ref(),
            phase: Phase::Main,
            number: i + 1,
            total: main_count,
            index: i + 1,
        })
        .collect();
    // Finally steps must run after a Ctrl-C has cancelled main: they get a token of their own,
    // which nothing cancels (a second Ctrl-C leaves the process; the evidence stays verifiable).
    let finally_cancel = CancellationToken::new();
    let mut finally_planned = false;
    let mut undo = UndoState::default();
    if let Some(due) = &undo_run {
        queue = crate::undo::undo_run_queue(plan, due)
            .into_iter()
            .map(|(step, bound, number, total)| Planned {
                step,
                bound,
                phase: Phase::Undo,
                number,
                total,
                index: number,
            })
            .collect();
        undo.planned_already(due.len());
        finally_planned = true;
    }
    let mut at = 0;
    loop {
        if at == queue.len() {
            // Main has ended: its undo steps, when due (undo.rs), run before finally.
            if queue_undo(
                &mut queue,
                &mut undo,
                plan,
                &mut evidence,
                &options,
                &verdict,
            )? {
                continue;
            }
            if finally_planned || runbook.finally.is_empty() {
                break;
            }
            finally_planned = true;
            let count = runbook.finally.len();
            queue.extend(runbook.finally.iter().zip(&plan.finally).enumerate().map(
                |(i, (step, bound))| Planned {
                    step,
                    bound: bound.as_ref(),
                    phase: Phase::Finally,
                    number: i + 1,
                    total: count,
                    index: main_count + i + 1,
                },
            ));
            continue;
        }
        let planned = queue[at];
        at += 1;
        let cancel = match planned.phase {
            Phase::Main => {
                if verdict.stopped() {
                    // Main is over; the remaining main steps stay not_run.
                    at = queue.len();
                    continue;
                }
                if cancel.is_cancelled() {
                    verdict.interrupted = true;
                    at = queue.len();
                    continue;
                }
                &cancel
            }
            Phase::Undo => {
                // After a failed undo step the rest stay not_run; Ctrl-C ends the undo too.
                if cancel.is_cancelled() {
                    verdict.interrupted = true;
                }
                if undo.stopped() || cancel.is_cancelled() {
                    continue;
                }
                &cancel
            }
            Phase::Finally => &finally_cancel,
        };
        if let Some(outputs) = resumed.carried_over(planned.step, planned.phase) {
            // Passed in an earlier attempt of this resumed run: not run, not recorded again.
            undo.record(planned.phase, planned.number - 1, StepStatus::Passed);
            run_values.record(&planned.step.id, &outputs);
            continue;
        }
        let skip = if planned.phase == Phase::Main && planned.number <= start_index {
            Some(format!(
                "skipped: the run starts at step '{}' (--from)",
                runbook.steps[start_index].id
            ))
        } else {
            planned
                .step
                .when
                .as_ref()
                .filter(|when| !when.holds(&runbook.vars))
                .map(|when| format!("skipped: when: {when} does not hold"))
        };
        if skip.is_some() && crate::resume::already_recorded(&evidence, planned.index) {
            // Skipped again on resume: its record from the earlier attempt stands.
            continue;
        }
        let record = run_with_retries(
            &mut RunContext {
                mode: options.mode,
                runbook: &runbook,
                resources: &mut resources,
                evidence: &mut evidence,
                redactor: &redactor,
                docker_facts: &docker_facts,
                emitter: &mut emitter,
                values: &run_values,
            },
            planned,
            skip,
            cancel,
        )
        .await?;
        if record.interrupted {
            verdict.interrupted = true;
        }
        verdict.record(planned.step, &record.outcome);
        undo.record(planned.phase, planned.number - 1, record.outcome.status);
        if planned.phase == Phase::Undo {
            undo.record_undo(planned.step, record.outcome.status);
        }
        run_values.record(&planned.step.id, &record.outcome.outputs);
    }
    if cancel.is_cancelled() {
        // A Ctrl-C while the finally steps ran: they went on (they are the cleanup), but the
        // operator asked the run to stop.
        verdict.interrupted = true;
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
        undo: undo.summary(),
        kept_clusters: std::mem::take(&mut resources.kept),
        duration,
    })
}

/// Appends the undo steps that became due to the plan and the journal (one record each,
/// `not_run` until it runs); whether there were any.
fn queue_undo<'p>(
    queue: &mut Vec<Planned<'p>>,
    undo: &mut UndoState,
    plan: &'p Plan,
    evidence: &mut EvidenceDir,
    options: &RunOptions,
    verdict: &Verdict,
) -> Result<bool, EngineError> {
    let runbook = &plan.runbook;
    let due = undo.due(options.mode, runbook, verdict.main_failed());
    let total = due.len();
    for (n, (i, j)) in due.into_iter().enumerate() {
        let step = &runbook.steps[i].undo[j];
        let index = evidence.append_step(planned_step(step, Phase::Undo), 1)?;
        queue.push(Planned {
            step,
            bound: plan.undo[i][j].as_ref(),
            phase: Phase::Undo,
            number: n + 1,
            total,
            index,
        });
    }
    Ok(total > 0)
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

/// A step of the plan the runner walks: its place in its phase and its first record.
#[derive(Clone, Copy)]
struct Planned<'p> {
    step: &'p runbook_spec::Step,
    bound: &'p dyn Step,
    phase: Phase,
    number: usize,
    total: usize,
    /// Its first attempt's index in the journal.
    index: usize,
}

/// Runs a planned step, and again while it fails and its `retry:` allows (run mode only: check
/// mode predicts, it does not wait for a transient failure to pass). Each attempt is its own
/// record, appended to the journal; the last one is the step's outcome. A blocked step is not
/// retried (what blocks it is not transient), nor an interrupted one.
async fn run_with_retries(
    cx: &mut RunContext<'_>,
    planned: Planned<'_>,
    skip: Option<String>,
    cancel: &CancellationToken,
) -> Result<StepRecord, EngineError> {
    let attempts = match (&skip, cx.mode, planned.step.retry) {
        (None, Mode::Run, Some(retry)) => retry.attempts.max(1),
        _ => 1,
    };
    // The journal's attempt numbers go on from a resumed run's earlier attempts.
    let (mut index, first) = crate::resume::record_for(
        cx.evidence,
        planned_step(planned.step, planned.phase),
        planned.index,
    )?;
    let earlier = first - 1;
    let mut attempt = 1;
    loop {
        if attempt > 1 {
            index = cx
                .evidence
                .append_step(planned_step(planned.step, planned.phase), earlier + attempt)?;
        }
        let record = run_one(
            cx,
            &Attempt {
                step: planned.step,
                bound: planned.bound,
                phase: planned.phase,
                number: planned.number,
                total: planned.total,
                index,
                attempt: earlier + attempt,
                attempts: earlier + attempts,
                skip: skip.clone(),
            },
            cancel,
        )
        .await?;
        if attempt >= attempts || record.interrupted || record.outcome.status != StepStatus::Failed
        {
            return Ok(record);
        }
        let wait = planned
            .step
            .retry
            .map(|r| r.delay_after(attempt))
            .unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            // Ctrl-C while waiting: the failed attempt stands as the step's outcome.
            () = cancel.cancelled() => return Ok(StepRecord { interrupted: true, ..record }),
        }
        attempt += 1;
    }
}

/// The journal's description of a step of the plan.
fn planned_step(step: &runbook_spec::Step, phase: Phase) -> PlannedStep {
    PlannedStep::new(&step.id, step.kind.name())
        .with_description(step.description.clone())
        .with_continue_on_error(step.continue_on_error)
        .with_phase(phase)
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
fn target_passwords(runbook: &Runbook, env: &crate::RunEnv) -> Vec<String> {
    let mut secrets: Vec<String> = runbook_postgres::Env::var(env, "PGPASSWORD")
        .into_iter()
        .collect();
    for target in runbook.targets.values() {
        if let Some(Connection::Url { url, .. }) = target.postgres.as_ref().map(|p| p.connection())
        {
            secrets.extend(runbook_postgres::connection_secrets(url, env));
        }
    }
    secrets
}

/// What `run.json` says about each target: never a password.
fn target_records(runbook: &Runbook, env: &crate::RunEnv) -> BTreeMap<String, TargetRecord> {
    runbook
        .targets
        .iter()
        .map(|(name, target)| {
            let (postgres, ephemeral) = match target.postgres.as_ref().map(|p| p.connection()) {
                Some(Connection::Url { url, .. }) => {
                    let mut shown = ConnectionSpec::parse(url, env)
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
                identity: None,
            };
            (name.clone(), record)
        })
        .collect()
}
